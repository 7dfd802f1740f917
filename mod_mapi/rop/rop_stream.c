/*
 * rop_stream.c: stream ROPs ([MS-OXCROPS] 2.2.9).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include "rop_ids.h"
#include "rop_stream.h"
#include "rop_object.h"
#include "store/store.h"
#include "store/store_table.h"
#include "wire/mapi_tags.h"
#include "session/sess_objects.h"

/* Failure responses that still carry counters after ReturnValue. */
#define ROP_TAIL_READ      2    /* RopReadStream: DataSize 0 */
#define ROP_TAIL_WRITE     2    /* WrittenSize u16 */
#define ROP_TAIL_WRITE_EX  4    /* RopWriteStreamExtended: WrittenSize u32 */
#define ROP_TAIL_COPY      16   /* ReadByteCount, WrittenByteCount */

static int rop_parse_open_stream(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_open_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u32(rd, &r->property_tag);
    mapi_rd_u8(rd, &r->open_mode_flags);
    return rd->failed ? -1 : 0;
}

/* MaximumByteCount is present only when ByteCount is 0xBABE (R3213). */
static int rop_parse_read_stream(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_read_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u16(rd, &r->byte_count) < 0 || rd->failed)
        return -1;
    if (r->byte_count == ROP_READ_STREAM_USE_MAX)
        return mapi_rd_u32(rd, &r->maximum_byte_count);
    return 0;
}

static int rop_parse_write_stream(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_write_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->data);
}

static int rop_parse_set_stream_size(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_set_stream_size_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->stream_size);
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_stream(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_seek_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->origin);
    mapi_rd_u64(rd, &r->offset);
    return rd->failed ? -1 : 0;
}

static int rop_parse_copy_to_stream(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_copy_to_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u64(rd, &r->byte_count);
    return rd->failed ? -1 : 0;
}

static int rop_parse_region_stream(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_region_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->region_offset);
    mapi_rd_u64(rd, &r->region_size);
    mapi_rd_u32(rd, &r->lock_flags);
    return rd->failed ? -1 : 0;
}

/* ==== handlers ========================================================= */

/* OpenModeFlags of RopOpenStream ([MS-OXCPRPT] 2.2.14.1). */
#define STREAM_MODE_MASK     0x03
#define STREAM_READ_ONLY     0x00
#define STREAM_READ_WRITE    0x01
#define STREAM_CREATE        0x02
#define STREAM_BEST_ACCESS   0x03

#define STREAM_MAX           ROP_STREAM_MAX
/* [MS-OXCPRPT] R582: no seek pointer beyond 2^31. */
#define STREAM_SEEK_LIMIT    ((int64_t)1 << 31)

#define STREAM_SEEK_SET      0
#define STREAM_SEEK_CUR      1
#define STREAM_SEEK_END      2

#define STREAM_OWNER_MASK (ROP_OBJ_MASK(ROP_OBJ_FOLDER) | \
                           ROP_OBJ_MASK(ROP_OBJ_MESSAGE) | \
                           ROP_OBJ_MASK(ROP_OBJ_ATTACHMENT))
#define STREAM_MASK       ROP_OBJ_MASK(ROP_OBJ_STREAM)

/* ---- value <-> bytes --------------------------------------------------- */

/* Streams open on string and binary properties only ([MS-OXCPRPT] R548). */
static int stream_tag_ok(uint32_t tag)
{
    uint16_t type = ROP_PROP_TYPE(tag);

    return type == ROP_PT_UNICODE || type == ROP_PT_STRING8
           || type == ROP_PT_BINARY;
}

/* The bytes a client reads from a stream on v: UTF-16LE for PtypString
 * (no terminator), the 8-bit string for PtypString8, raw binaries. */
static uint32_t stream_bytes_of(apr_pool_t *pool, const rop_propval *v,
                                rop_bin *out)
{
    uint16_t type = ROP_PROP_TYPE(v->tag);
    mapi_wr w;

    if (type == ROP_PT_BINARY) {
        out->len = v->v.bin.len;
        out->data = v->v.bin.data;
    } else if (type == ROP_PT_STRING8) {
        out->len = (uint32_t)strlen(v->v.str);
        out->data = (const uint8_t *)v->v.str;
    } else {
        mapi_wr_init(&w, pool, (size_t)STREAM_MAX + 2);
        if (mapi_wr_str16(&w, v->v.str) < 0)
            return ecTooBig;
        out->len = (uint32_t)w.len - 2;
        out->data = w.buf;
    }
    return out->len > STREAM_MAX ? ecTooBig : 0;
}

/* The string value of a string stream's bytes; a string ends at its
 * first NUL, and UTF-16 must be well formed (ecInvalidParam). */
static uint32_t stream_string_of(apr_pool_t *pool, uint32_t tag,
                                 const rop_bin *data, rop_propval *v)
{
    uint32_t len = data->len & ~1u;
    uint8_t *copy;
    mapi_rd rd;

    memset(v, 0, sizeof(*v));
    v->tag = tag;
    if (ROP_PROP_TYPE(tag) == ROP_PT_STRING8) {
        v->v.str = apr_pstrmemdup(pool, (const char *)data->data, data->len);
        return 0;
    }
    copy = apr_palloc(pool, len + 2u);
    memcpy(copy, data->data, len);
    copy[len] = copy[len + 1] = 0;
    mapi_rd_init(&rd, copy, len + 2u);
    return mapi_rd_str16(&rd, pool, len / 2 + 1, &v->v.str) < 0
           ? ecInvalidParam : 0;
}

/* ---- content -------------------------------------------------------------
 *
 * A stream's bytes are not in its object record: every RopWriteStream of
 * 30 KB would re-encode the whole stream, and a 20 MiB attachment would
 * cost 20 MiB per ROP.  They live in store-blobs.db under the session's
 * blob owner (sess_blob_owner): the chunks written through the stream
 * form a mutable blob (stream_blob) over an optional base, the immutable
 * value blob the stream was opened on.
 *
 * Lazy copy, not copy at open: RopOpenStream on a 20 MiB attachment
 * copies nothing.  Chunk i is the stream's own chunk if one was written,
 * else the base's bytes below stream_base_len, else zeros ([MS-OXCPRPT]
 * R57706); a write materialises only the chunks it touches, a read reads
 * only the chunks of its range.  The base cannot change under the stream:
 * value blobs are immutable (a changed value is a new blob, store.h), a
 * committed stream value is a new session blob, and a session blob lives
 * while an object of the session references it (rop_obj_blob_gc).  A
 * mailbox blob does go when its message is saved without it (by this
 * session or another): the bytes not yet overwritten then read as
 * ecNotFound, as a deleted message's would.
 *
 * An own chunk holds the stream's bytes of its range and may be stored
 * shorter (the rest are zeros).  A commit writes the content as a new
 * value blob (exact chunk lengths, as the store expects) and, for a
 * binary, makes it the stream's base and drops the own chunks. */

#define STREAM_CHUNK STORE_BLOB_CHUNK

static size_t stream_chunk_len(uint32_t size, uint32_t i)
{
    uint64_t start = (uint64_t)i * STREAM_CHUNK;

    if (start >= size)
        return 0;
    return size - start < STREAM_CHUNK ? (size_t)(size - start)
                                       : STREAM_CHUNK;
}

static uint32_t stream_chunks(uint32_t size)
{
    return (uint32_t)(((uint64_t)size + STREAM_CHUNK - 1) / STREAM_CHUNK);
}

/* Chunk i of the stream into buf (STREAM_CHUNK bytes, zero-filled past
 * the bytes it has): 0, DB_NOTFOUND (the base is gone) or a BDB error. */
static int stream_get_chunk(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                            const rop_object *so, uint32_t i, uint8_t *buf)
{
    uint64_t start = (uint64_t)i * STREAM_CHUNK;
    size_t n = 0;
    int ret;

    if (so->stream_blob) {
        ret = store_blob_get_raw(db, txn, owner, so->stream_blob, i, buf, &n);
        if (ret == 0) {
            memset(buf + n, 0, STREAM_CHUNK - n);
            return 0;
        }
        if (ret != DB_NOTFOUND)
            return ret;
    }
    memset(buf, 0, STREAM_CHUNK);
    if (!so->stream_has_base || start >= so->stream_base_len)
        return 0;
    ret = store_blob_ref_chunk(db, txn, &so->stream_base, i, buf);
    if (ret == 0 && so->stream_base_len - start < STREAM_CHUNK)
        memset(buf + (so->stream_base_len - start), 0,
               STREAM_CHUNK - (size_t)(so->stream_base_len - start));
    return ret;
}

/* State of a content transaction.  Bodies work on a copy of the object
 * and report what changed, so that a retried body starts over. */
typedef struct stream_txn {
    rop_object so;
    uint8_t owner[STORE_GUID_LEN];
    uint8_t *buf;                 /* STREAM_CHUNK */
    apr_pool_t *pool;
    uint32_t off, len, size;      /* write: range; resize: new size */
    const uint8_t *data;
    uint64_t blob;                /* out: the blob written */
} stream_txn;

static void stream_txn_init(rop_ctx *ctx, const rop_object *so, stream_txn *t)
{
    memset(t, 0, sizeof(*t));
    t->so = *so;
    sess_blob_owner(rop_ctx_sid(ctx), t->owner);
    t->pool = rop_ctx_pool(ctx);
    t->buf = apr_palloc(t->pool, STREAM_CHUNK);
}

/* DB_NOTFOUND (a base gone) aborts with the verdict ecNotFound. */
static uint32_t stream_run(rop_ctx *ctx, mapi_db_txn_fn fn, stream_txn *t)
{
    const char *error = NULL;
    int ret = mapi_db_txn_run(rop_ctx_db(ctx), MAPI_DB_TXN_NOSYNC, fn, t,
                              t->pool, &error);

    if (ret == MAPI_DB_ABORT)
        return ecNotFound;
    if (ret != 0) {
        rop_ctx_note_error(ctx, error);
        return ecError;
    }
    return 0;
}

static int stream_verdict(int ret)
{
    return ret == DB_NOTFOUND ? MAPI_DB_ABORT : ret;
}

/* Reads len bytes at off (within the stream) into out. */
static uint32_t stream_read_at(rop_ctx *ctx, const rop_object *so,
                               uint32_t off, uint32_t len, uint8_t *out)
{
    uint8_t owner[STORE_GUID_LEN], *buf = apr_palloc(rop_ctx_pool(ctx),
                                                    STREAM_CHUNK);
    uint32_t done = 0;
    int ret = 0;

    sess_blob_owner(rop_ctx_sid(ctx), owner);
    while (ret == 0 && done < len) {
        uint32_t at = off + done, skip = at % STREAM_CHUNK;
        uint32_t n = STREAM_CHUNK - skip;

        if (n > len - done)
            n = len - done;
        ret = stream_get_chunk(rop_ctx_db(ctx), NULL, owner, so,
                               at / STREAM_CHUNK, buf);
        if (ret == 0)
            memcpy(out + done, buf + skip, n);
        done += n;
    }
    if (ret == DB_NOTFOUND)
        return ecNotFound;
    if (ret != 0) {
        rop_ctx_note_error(ctx, apr_psprintf(rop_ctx_pool(ctx),
                           "stream content: %s", db_strerror(ret)));
        return ecError;
    }
    return 0;
}

/* The whole content, in the request pool (commits of strings, folders
 * and small values). */
static uint32_t stream_read_all(rop_ctx *ctx, const rop_object *so,
                                rop_bin *data)
{
    uint8_t *buf = apr_palloc(rop_ctx_pool(ctx), so->stream_size + 1u);

    data->data = buf;
    data->len = so->stream_size;
    return stream_read_at(ctx, so, 0, so->stream_size, buf);
}

/* Writes [off, off + len) into the stream's own chunks, reading the
 * chunks it only partly covers first. */
static int stream_write_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    stream_txn *t = baton;
    rop_object so = t->so;
    uint32_t end = t->off + t->len, done = 0;
    uint32_t size = end > so.stream_size ? end : so.stream_size;
    int ret = 0;

    if (!so.stream_blob)
        ret = store_blob_alloc_id(db, txn, t->owner, &so.stream_blob);
    while (ret == 0 && done < t->len) {
        uint32_t at = t->off + done, i = at / STREAM_CHUNK;
        uint32_t skip = at % STREAM_CHUNK, n = STREAM_CHUNK - skip;
        size_t clen = stream_chunk_len(size, i);

        if (n > t->len - done)
            n = t->len - done;
        if (skip != 0 || n < clen)
            ret = stream_get_chunk(db, txn, t->owner, &so, i, t->buf);
        if (ret == 0) {
            memcpy(t->buf + skip, t->data + done, n);
            ret = store_blob_put_chunk(db, txn, t->owner, so.stream_blob, i,
                                       t->buf, clen);
        }
        done += n;
    }
    t->blob = so.stream_blob;
    return stream_verdict(ret);
}

/* Writes data at the seek pointer and moves it on (R560, R561). */
static uint32_t stream_write(rop_ctx *ctx, rop_object *so,
                             const uint8_t *data, uint32_t len)
{
    uint64_t end = (uint64_t)so->stream_pos + len;
    stream_txn t;
    uint32_t ec;

    if (so->stream_mode == STREAM_READ_ONLY)
        return ecStreamAccessDenied;
    if (end > STREAM_MAX)
        return ecTooBig;              /* R564: nothing is written */
    if (len == 0)
        return 0;
    stream_txn_init(ctx, so, &t);
    t.off = so->stream_pos;
    t.len = len;
    t.data = data;
    if ((ec = stream_run(ctx, stream_write_txn, &t)) != 0)
        return ec;
    so->stream_blob = t.blob;
    if (end > so->stream_size)
        so->stream_size = (uint32_t)end;
    so->stream_pos = (uint32_t)end;
    so->stream_dirty = 1;
    return 0;
}

/* Drops the own chunks past the new size and cuts the one it ends in,
 * so that growing again shows zeros. */
static int stream_shrink_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    stream_txn *t = baton;
    uint32_t keep = t->size % STREAM_CHUNK, last = t->size / STREAM_CHUNK;
    size_t n = 0;
    int ret = store_blob_trim(db, txn, t->pool, t->owner, t->so.stream_blob,
                              stream_chunks(t->size));

    if (ret == 0 && keep)
        ret = store_blob_get_raw(db, txn, t->owner, t->so.stream_blob, last,
                                 t->buf, &n);
    if (ret == 0 && keep && n > keep)
        ret = store_blob_put_chunk(db, txn, t->owner, t->so.stream_blob,
                                   last, t->buf, keep);
    return ret == DB_NOTFOUND ? 0 : ret;
}

/* Makes the stream size bytes long: new bytes are zeros ([MS-OXCPRPT]
 * R57706), bytes past size are dropped (R57707). */
static uint32_t stream_resize(rop_ctx *ctx, rop_object *so, uint32_t size)
{
    stream_txn t;
    uint32_t ec;

    if (size < so->stream_size && so->stream_blob) {
        stream_txn_init(ctx, so, &t);
        t.size = size;
        if ((ec = stream_run(ctx, stream_shrink_txn, &t)) != 0)
            return ec;
    }
    if (size < so->stream_base_len)
        so->stream_base_len = size;
    if (so->stream_base_len == 0)
        so->stream_has_base = 0;
    so->stream_size = size;
    so->stream_dirty = 1;
    return 0;
}

/* Fills an empty stream with data (RopOpenStream on a value that is not
 * a binary blob). */
static uint32_t stream_fill(rop_ctx *ctx, rop_object *so, const rop_bin *data)
{
    uint8_t mode = so->stream_mode;
    uint32_t ec;

    so->stream_mode = STREAM_READ_WRITE;
    so->stream_pos = 0;
    ec = stream_write(ctx, so, data->data, data->len);
    so->stream_mode = mode;
    so->stream_pos = 0;
    so->stream_dirty = 0;
    return ec;
}

/* Writes the content as a new value blob of the session: exact chunk
 * lengths; the own chunks go. */
static int stream_freeze_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    stream_txn *t = baton;
    const rop_object *so = &t->so;
    int ret = store_blob_alloc_id(db, txn, t->owner, &t->blob);

    for (uint32_t i = 0; ret == 0 && i < stream_chunks(so->stream_size); i++) {
        ret = stream_get_chunk(db, txn, t->owner, so, i, t->buf);
        if (ret == 0)
            ret = store_blob_put_chunk(db, txn, t->owner, t->blob, i, t->buf,
                                       stream_chunk_len(so->stream_size, i));
    }
    if (ret == 0 && so->stream_blob)
        ret = store_blob_free(db, txn, t->pool, t->owner, so->stream_blob);
    return stream_verdict(ret);
}

/* A binary value blob of the stream's content: the base itself when
 * nothing was written over it, else a frozen copy that becomes the base. */
static uint32_t stream_freeze(rop_ctx *ctx, rop_object *so,
                              store_blob_ref *ref_r)
{
    stream_txn t;
    uint32_t ec;

    if (so->stream_has_base && !so->stream_blob
        && so->stream_base.type == ROP_PT_BINARY
        && so->stream_base_len == so->stream_base.size
        && so->stream_size == so->stream_base.size) {
        *ref_r = so->stream_base;
        return 0;
    }
    stream_txn_init(ctx, so, &t);
    if ((ec = stream_run(ctx, stream_freeze_txn, &t)) != 0)
        return ec;
    memcpy(ref_r->owner, t.owner, STORE_GUID_LEN);
    ref_r->id = t.blob;
    ref_r->size = so->stream_size;
    ref_r->type = ROP_PT_BINARY;
    so->stream_blob = 0;
    so->stream_has_base = 1;
    so->stream_base = *ref_r;
    so->stream_base_len = so->stream_size;
    return 0;
}

static int stream_blob_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    stream_txn *t = baton;
    int ret = store_blob_alloc_id(db, txn, t->owner, &t->blob);

    return ret ? ret : store_blob_write(db, txn, t->owner, t->blob, t->data,
                                        t->len);
}

/* A large string value as a session value blob (ref_r's type set by the
 * caller's tag). */
static uint32_t stream_string_blob(rop_ctx *ctx, const rop_object *so,
                                   const char *s, uint32_t len,
                                   store_blob_ref *ref_r)
{
    stream_txn t;
    uint32_t ec;

    stream_txn_init(ctx, so, &t);
    t.data = (const uint8_t *)s;
    t.len = len;
    if ((ec = stream_run(ctx, stream_blob_txn, &t)) != 0)
        return ec;
    memcpy(ref_r->owner, t.owner, STORE_GUID_LEN);
    ref_r->id = t.blob;
    ref_r->size = len;
    ref_r->type = ROP_PROP_TYPE(so->prop_tag);
    return 0;
}

/* The value a commit sets: inline when small or on a folder (whose record
 * holds its values), else a reference to a session value blob that the
 * message's save turns into a mailbox blob. */
static uint32_t stream_value_of(rop_ctx *ctx, rop_object *so, int inline_only,
                                rop_propval *v)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    store_blob_ref ref;
    rop_bin data;
    size_t n;
    uint32_t ec;

    memset(v, 0, sizeof(*v));
    v->tag = so->prop_tag;
    if (ROP_PROP_TYPE(so->prop_tag) == ROP_PT_BINARY
        && so->stream_size > STORE_INLINE_MAX && !inline_only) {
        if ((ec = stream_freeze(ctx, so, &ref)) != 0)
            return ec;
        store_blob_ref_make(pool, ROP_PROP_ID(so->prop_tag), &ref, v);
        return 0;
    }
    if ((ec = stream_read_all(ctx, so, &data)) != 0)
        return ec;
    if (ROP_PROP_TYPE(so->prop_tag) == ROP_PT_BINARY) {
        v->v.bin = data;
        return 0;
    }
    if ((ec = stream_string_of(pool, so->prop_tag, &data, v)) != 0)
        return ec;
    n = strlen(v->v.str);
    if (n <= STORE_INLINE_MAX || inline_only)
        return 0;
    if ((ec = stream_string_blob(ctx, so, v->v.str, (uint32_t)n, &ref)) != 0)
        return ec;
    store_blob_ref_make(pool, ROP_PROP_ID(so->prop_tag), &ref, v);
    return 0;
}

/* Sets the property on the owner: a message's or attachment's working
 * copy is saved in its object (the store sees it with the message's save,
 * [MS-OXCPRPT] R56403, R56404); a folder is written at once (R56405).
 * A value replaced in the working copy may leave a session blob nobody
 * references: the collection after the commit frees it. */
static uint32_t stream_commit(rop_ctx *ctx, rop_object *so)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    apr_array_header_t *problems;
    rop_propval_array vals;
    rop_object *owner;
    rop_propval v;
    uint32_t ec;

    if (so->stream_mode == STREAM_READ_ONLY)
        return 0;
    if ((ec = rop_obj_load_handle(ctx, so->parent, &owner)) != 0
        || (ec = stream_value_of(ctx, so, owner->type == ROP_OBJ_FOLDER,
                                 &v)) != 0)
        return ec;
    vals.count = 1;
    vals.vals = &v;
    problems = apr_array_make(pool, 1, sizeof(rop_prop_problem));
    ec = rop_obj_set_props(ctx, owner, &vals, problems);
    if (ec == 0 && problems->nelts > 0)
        ec = APR_ARRAY_IDX(problems, 0, rop_prop_problem).ec;
    if (ec == 0 && owner->type != ROP_OBJ_FOLDER)
        ec = rop_obj_save(ctx, owner);
    if (ec == 0)
        so->stream_dirty = 0;
    return ec;
}

static uint32_t stream_save_and_collect(rop_ctx *ctx, rop_object *so)
{
    uint32_t ec = rop_obj_save(ctx, so);

    return ec ? ec : rop_obj_blob_gc(ctx);
}

static uint32_t stream_load(rop_ctx *ctx, const rop_call *call,
                            rop_object **so_r)
{
    return rop_obj_load(ctx, call->in_handle_index, STREAM_MASK, so_r);
}

/* ---- RopOpenStream ---------------------------------------------------- */

/* The mode the stream gets: writing needs a writable owner (a message
 * or attachment opened read/write; folders always are), BestAccess
 * falls back to ReadOnly. */
static uint32_t stream_mode_for(const rop_object *owner, uint8_t flags,
                                uint8_t *mode_r)
{
    uint8_t mode = flags & STREAM_MODE_MASK;
    int writable = 1;

    if (owner->type == ROP_OBJ_MESSAGE)
        writable = (owner->msg_flags & ROP_MSG_WRITE) != 0;
    else if (owner->type == ROP_OBJ_ATTACHMENT)
        writable = (owner->att_flags & ROP_MSG_WRITE) != 0;
    if (mode == STREAM_BEST_ACCESS)
        mode = writable ? STREAM_READ_WRITE : STREAM_READ_ONLY;
    if (mode != STREAM_READ_ONLY && !writable)
        return ecAccessDenied;
    *mode_r = mode;
    return 0;
}

/* The value of the owner's property, a large value resolved unless it is
 * a binary the stream can read in place (*ref_r, return 1). */
static uint32_t stream_prop(rop_ctx *ctx, const store_props *bag,
                            uint32_t tag, const rop_propval **v_r,
                            store_blob_ref *ref_r, int *is_ref_r)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const rop_propval *v = store_props_get(bag, tag & 0xFFFF0000u);
    const char *error = NULL;
    rop_propval *full;
    store_status st;

    *is_ref_r = 0;
    *v_r = NULL;
    if (!store_blob_ref_get(v, ref_r)) {
        *v_r = store_props_get_as(bag, pool, tag);
        return 0;
    }
    if (ref_r->type == ROP_PT_BINARY || ROP_PROP_TYPE(tag) == ROP_PT_BINARY) {
        *is_ref_r = ref_r->type == ROP_PROP_TYPE(tag);
        return 0;                     /* a binary, or no such property */
    }
    full = apr_palloc(pool, sizeof(*full));
    st = store_blob_resolve(rop_ctx_db(ctx), pool, v, full, &error);
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    if (st != STORE_OK)
        return store_status_ec(st);
    full->tag = tag;          /* both string types hold UTF-8 here */
    *v_r = full;
    return 0;
}

/* The stream's first content: the property's value, nothing for Create;
 * a missing property is ecNotFound unless the stream may write it
 * ([MS-OXCPRPT] R547, R549).  A binary blob becomes the base (no copy),
 * anything else is written into the stream's own chunks. */
static uint32_t stream_initial(rop_ctx *ctx, rop_object *owner,
                               rop_object *so)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const rop_propval *v;
    store_blob_ref ref;
    store_props bag;
    rop_bin data;
    int is_ref;
    uint32_t ec;

    if (so->stream_mode == STREAM_CREATE)
        return 0;
    store_props_init(&bag, pool);
    if ((ec = rop_obj_get_props(ctx, owner, &bag)) != 0
        || (ec = stream_prop(ctx, &bag, so->prop_tag, &v, &ref,
                             &is_ref)) != 0)
        return ec;
    if (is_ref) {
        if (ref.size > STREAM_MAX)
            return ecTooBig;
        so->stream_has_base = 1;
        so->stream_base = ref;
        so->stream_base_len = so->stream_size = (uint32_t)ref.size;
        return 0;
    }
    if (!v)
        return so->stream_mode == STREAM_READ_ONLY ? ecNotFound : 0;
    if ((ec = stream_bytes_of(pool, v, &data)) != 0)
        return ec;
    return data.len ? stream_fill(ctx, so, &data) : 0;
}

static int rop_h_open_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_open_stream_req *r = call->req;
    rop_object *owner, *so = NULL;
    uint8_t mode = 0;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index, STREAM_OWNER_MASK, &owner);
    if (ec == 0 && !stream_tag_ok(r->property_tag))
        ec = ecNotSupported;
    /* [MS-OXCPERM] R152, R183: a folder's ACL is not read as XML; the
     * code is the one Exchange answers, 0x80040102. */
    if (ec == 0 && owner->type == ROP_OBJ_FOLDER
        && ROP_PROP_ID(r->property_tag)
           == ROP_PROP_ID(PidTagSecurityDescriptorAsXml))
        ec = ecNotSupported;
    if (ec == 0)
        ec = stream_mode_for(owner, r->open_mode_flags, &mode);
    /* Checked before any content is written, so that a retry from
     * RopBufferTooSmall leaves no blob behind. */
    if (ec == 0 && mapi_wr_room(out) < 10)
        return -1;
    if (ec == 0) {
        so = rop_obj_new(ctx, owner, ROP_OBJ_STREAM);
        so->prop_tag = r->property_tag;
        so->stream_mode = mode;
        ec = stream_initial(ctx, owner, so);
    }
    if (ec == 0) {
        so->stream_dirty = mode == STREAM_CREATE; /* Create empties it */
        ec = rop_obj_create(ctx, so, call->out_handle_index);
    }
    if (ec) {
        if (so && so->stream_blob)
            rop_obj_blob_gc(ctx);     /* the chunks stream_fill wrote */
        return rop_write_error_response(out, call, ec);
    }
    rop_wr_ok_header(out, call, call->out_handle_index);
    return mapi_wr_u32(out, so->stream_size);
}

/* ---- reading and writing ---------------------------------------------- */

/* [MS-OXCPRPT] 3.2.5.12: at most ByteCount (or MaximumByteCount for
 * 0xBABE) bytes from the seek pointer, and no more than the response
 * buffer holds; when not one byte fits the engine answers
 * RopBufferTooSmall rather than a read that looks like the end.  Only
 * the chunks of the range are read. */
static int rop_h_read_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_read_stream_req *r = call->req;
    rop_object *so;
    size_t room = mapi_wr_room(out);
    uint32_t want, avail, n;
    uint8_t *bytes = NULL;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec)
        return rop_write_error_response(out, call, ec);
    want = r->byte_count == ROP_READ_STREAM_USE_MAX ? r->maximum_byte_count
                                                    : r->byte_count;
    avail = so->stream_pos < so->stream_size
            ? so->stream_size - so->stream_pos : 0;
    n = want < avail ? want : avail;
    if (n > 0xFFFF)
        n = 0xFFFF;                   /* DataSize is a u16 */
    if (room < 8 || (n > 0 && room == 8))
        return -1;
    if (n > room - 8)
        n = (uint32_t)(room - 8);
    if (n > 0) {
        bytes = apr_palloc(rop_ctx_pool(ctx), n);
        ec = stream_read_at(ctx, so, so->stream_pos, n, bytes);
        so->stream_pos += n;
        if (ec == 0)
            ec = rop_obj_save(ctx, so);
        if (ec)
            return rop_write_error_response(out, call, ec);
    }
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, (uint16_t)n);
    return mapi_wr_bytes(out, bytes, n);
}

/* RopWriteStream (WrittenSize u16), RopWriteStreamExtended (u32) and
 * RopWriteAndCommitStream (u16, then the commit). */
static int stream_h_write(rop_ctx *ctx, rop_call *call, mapi_wr *out,
                          int wide, int commit)
{
    const rop_write_stream_req *r = call->req;
    rop_object *so;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec == 0 && mapi_wr_room(out) < 10)
        return -1;
    if (ec == 0)
        ec = stream_write(ctx, so, r->data.data, r->data.len);
    if (ec == 0 && commit)
        ec = stream_commit(ctx, so);
    if (ec == 0)
        ec = commit ? stream_save_and_collect(ctx, so) : rop_obj_save(ctx, so);
    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return wide ? mapi_wr_u32(out, r->data.len)
                : mapi_wr_u16(out, (uint16_t)r->data.len);
}

static int rop_h_write_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    return stream_h_write(ctx, call, out, 0, 0);
}

static int rop_h_write_stream_extended(rop_ctx *ctx, rop_call *call,
                                       mapi_wr *out)
{
    return stream_h_write(ctx, call, out, 1, 0);
}

static int rop_h_write_and_commit_stream(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    return stream_h_write(ctx, call, out, 0, 1);
}

static int rop_h_commit_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *so;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec == 0 && mapi_wr_room(out) < 6)
        return -1;
    if (ec == 0)
        ec = stream_commit(ctx, so);
    if (ec == 0)
        ec = stream_save_and_collect(ctx, so);
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

/* ---- size and position ------------------------------------------------ */

static int rop_h_get_stream_size(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *so;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u32(out, so->stream_size);
}

static int rop_h_set_stream_size(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_set_stream_size_req *r = call->req;
    rop_object *so;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec == 0 && so->stream_mode == STREAM_READ_ONLY)
        ec = ecStreamAccessDenied;
    if (ec == 0 && r->stream_size > STREAM_MAX)
        ec = ecStreamSizeError;
    if (ec == 0 && mapi_wr_room(out) < 6)
        return -1;
    if (ec == 0)
        ec = stream_resize(ctx, so, (uint32_t)r->stream_size);
    if (ec == 0)
        ec = rop_obj_save(ctx, so);
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

/* The new seek pointer, or StreamInvalidParam for an unknown origin and
 * StreamSeekError before the start or past what a stream may hold
 * ([MS-OXCPRPT] R582, R584, R902). */
static uint32_t stream_seek_target(const rop_object *so, uint8_t origin,
                                   uint64_t raw, uint32_t *pos_r)
{
    int64_t off = (int64_t)raw, base, pos;

    switch (origin) {
    case STREAM_SEEK_SET: base = 0; break;
    case STREAM_SEEK_CUR: base = so->stream_pos; break;
    case STREAM_SEEK_END: base = so->stream_size; break;
    default: return ecStreamInvalidParam;
    }
    if (off > STREAM_SEEK_LIMIT || off < -STREAM_SEEK_LIMIT)
        return ecStreamSeekError;
    pos = base + off;
    if (pos < 0 || pos > STREAM_SEEK_LIMIT || pos > (int64_t)STREAM_MAX)
        return ecStreamSeekError;
    *pos_r = (uint32_t)pos;
    return 0;
}

/* Seeking past the end of a writable stream extends it with zeros
 * (R583). */
static int rop_h_seek_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_seek_stream_req *r = call->req;
    rop_object *so;
    uint32_t pos = 0;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec == 0)
        ec = stream_seek_target(so, r->origin, r->offset, &pos);
    if (ec == 0 && mapi_wr_room(out) < 14)
        return -1;
    if (ec == 0 && pos > so->stream_size
        && so->stream_mode != STREAM_READ_ONLY)
        ec = stream_resize(ctx, so, pos);
    if (ec == 0) {
        so->stream_pos = pos;
        ec = rop_obj_save(ctx, so);
    }
    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u64(out, pos);
}

/* ---- copy, clone, locks ------------------------------------------------ */

/* The destination stream: a missing one is NullDestinationObject
 * ([MS-OXCPRPT] R593).  Copying onto the source itself uses one object,
 * so that neither save undoes the other. */
static uint32_t stream_dest(rop_ctx *ctx, const rop_call *call,
                            rop_object *src, rop_object **dst_r)
{
    uint32_t handle, ec;

    if (rop_ctx_handle(ctx, call->dest_handle_index, &handle) == 0
        && handle == src->handle) {
        *dst_r = src;
        return 0;
    }
    ec = rop_obj_load(ctx, call->dest_handle_index, STREAM_MASK, dst_r);
    return ec == ecNullObject ? ROP_EC_DST_NULL_OBJECT : ec;
}

/* Copies n bytes from src's seek pointer to dst's, a chunk at a time.
 * Onto itself the source and destination ranges are the same (one seek
 * pointer), so every piece is read before it is rewritten. */
static uint32_t stream_copy(rop_ctx *ctx, rop_object *src, rop_object *dst,
                            uint32_t n)
{
    uint8_t *buf = apr_palloc(rop_ctx_pool(ctx), STREAM_CHUNK);
    uint32_t from = src->stream_pos, done = 0, ec = 0;

    if (dst->stream_mode == STREAM_READ_ONLY)
        return ecStreamAccessDenied;
    if ((uint64_t)dst->stream_pos + n > STREAM_MAX)
        return ecTooBig;              /* R564: nothing is written */
    while (ec == 0 && done < n) {
        uint32_t piece = n - done < STREAM_CHUNK ? n - done : STREAM_CHUNK;

        ec = stream_read_at(ctx, src, from + done, piece, buf);
        if (ec == 0)
            ec = stream_write(ctx, dst, buf, piece);
        done += piece;
    }
    return ec;
}

static int rop_h_copy_to_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_copy_to_stream_req *r = call->req;
    rop_object *src, *dst = NULL;
    uint64_t n = 0;
    uint32_t ec = stream_load(ctx, call, &src);

    if (ec == 0)
        ec = stream_dest(ctx, call, src, &dst);
    if (ec == 0 && mapi_wr_room(out) < 22)
        return -1;
    if (ec == 0) {
        uint32_t avail = src->stream_pos < src->stream_size
                         ? src->stream_size - src->stream_pos : 0;

        n = r->byte_count < avail ? r->byte_count : avail;
        ec = stream_copy(ctx, src, dst, (uint32_t)n);
    }
    if (ec == 0 && dst != src) {
        src->stream_pos += (uint32_t)n;
        ec = rop_obj_save(ctx, src);
    }
    if (ec == 0)
        ec = rop_obj_save(ctx, dst);
    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u64(out, n);              /* ReadByteCount */
    return mapi_wr_u64(out, n);       /* WrittenByteCount */
}

/* Copies the own chunks of t->so into a new blob (t->blob). */
static int stream_clone_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    stream_txn *t = baton;
    int ret = store_blob_alloc_id(db, txn, t->owner, &t->blob);

    for (uint32_t i = 0; ret == 0 && i < stream_chunks(t->so.stream_size);
         i++) {
        size_t n = 0;

        ret = store_blob_get_raw(db, txn, t->owner, t->so.stream_blob, i,
                                 t->buf, &n);
        if (ret == 0)
            ret = store_blob_put_chunk(db, txn, t->owner, t->blob, i, t->buf,
                                       n);
        else if (ret == DB_NOTFOUND)
            ret = 0;
    }
    return ret;
}

/* A second stream on the same property, with its own seek pointer and
 * its own copy of the bytes written so far (the base, immutable, is
 * shared): its parent is the source's owner, so either commits to the
 * same value. */
static int rop_h_clone_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *src, *so;
    stream_txn t;
    uint32_t ec = stream_load(ctx, call, &src);

    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 6)
        return -1;
    so = apr_pmemdup(rop_ctx_pool(ctx), src, sizeof(*src));
    so->handle = 0;
    if (src->stream_blob) {
        stream_txn_init(ctx, src, &t);
        if ((ec = stream_run(ctx, stream_clone_txn, &t)) != 0)
            return rop_write_error_response(out, call, ec);
        so->stream_blob = t.blob;
    }
    if ((ec = rop_obj_create(ctx, so, call->out_handle_index)) != 0) {
        rop_obj_blob_gc(ctx);
        return rop_write_error_response(out, call, ec);
    }
    return rop_wr_ok_header(out, call, call->out_handle_index);
}

/* Region locks are advisory between one session's own objects: every
 * stream object is private to its session, so there is nobody to lock
 * out ([MS-OXCPRPT] R607 makes the ROP optional). */
static int rop_h_region_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *so;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

const rop_def rop_stream_defs[] = {
    { ROP_ID_OPEN_STREAM, ROP_F_OUT_HANDLE, "RopOpenStream",
      rop_parse_open_stream, rop_h_open_stream, 0 },
    { ROP_ID_READ_STREAM, 0, "RopReadStream",
      rop_parse_read_stream, rop_h_read_stream, ROP_TAIL_READ },
    { ROP_ID_WRITE_STREAM, 0, "RopWriteStream",
      rop_parse_write_stream, rop_h_write_stream, ROP_TAIL_WRITE },
    { ROP_ID_WRITE_STREAM_EXTENDED, 0, "RopWriteStreamExtended",
      rop_parse_write_stream, rop_h_write_stream_extended, ROP_TAIL_WRITE_EX },
    { ROP_ID_COMMIT_STREAM, 0, "RopCommitStream",
      rop_parse_hdr_only, rop_h_commit_stream, 0 },
    { ROP_ID_GET_STREAM_SIZE, 0, "RopGetStreamSize",
      rop_parse_hdr_only, rop_h_get_stream_size, 0 },
    { ROP_ID_SET_STREAM_SIZE, 0, "RopSetStreamSize",
      rop_parse_set_stream_size, rop_h_set_stream_size, 0 },
    { ROP_ID_SEEK_STREAM, 0, "RopSeekStream",
      rop_parse_seek_stream, rop_h_seek_stream, 0 },
    { ROP_ID_COPY_TO_STREAM, ROP_F_DEST_HANDLE, "RopCopyToStream",
      rop_parse_copy_to_stream, rop_h_copy_to_stream, ROP_TAIL_COPY },
    { ROP_ID_LOCK_REGION_STREAM, 0, "RopLockRegionStream",
      rop_parse_region_stream, rop_h_region_stream, 0 },
    { ROP_ID_UNLOCK_REGION_STREAM, 0, "RopUnlockRegionStream",
      rop_parse_region_stream, rop_h_region_stream, 0 },
    { ROP_ID_WRITE_AND_COMMIT_STREAM, 0, "RopWriteAndCommitStream",
      rop_parse_write_stream, rop_h_write_and_commit_stream, ROP_TAIL_WRITE },
    { ROP_ID_CLONE_STREAM, ROP_F_OUT_HANDLE, "RopCloneStream",
      rop_parse_hdr_in_out_only, rop_h_clone_stream, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
