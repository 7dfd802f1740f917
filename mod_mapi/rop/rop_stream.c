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
        out->data = apr_pmemdup(pool, v->v.bin.data, v->v.bin.len + 0u);
    } else if (type == ROP_PT_STRING8) {
        out->len = (uint32_t)strlen(v->v.str);
        out->data = (const uint8_t *)apr_pstrdup(pool, v->v.str);
    } else {
        mapi_wr_init(&w, pool, STREAM_MAX + 2);
        if (mapi_wr_str16(&w, v->v.str) < 0)
            return ecTooBig;
        out->len = (uint32_t)w.len - 2;
        out->data = w.buf;
    }
    return out->len > STREAM_MAX ? ecTooBig : 0;
}

/* The property value the stream's bytes make; a string ends at its
 * first NUL, and UTF-16 must be well formed (ecInvalidParam). */
static uint32_t stream_value_of(apr_pool_t *pool, const rop_object *so,
                                rop_propval *v)
{
    uint16_t type = ROP_PROP_TYPE(so->prop_tag);
    uint32_t len = so->stream_data.len & ~1u;
    uint8_t *copy;
    mapi_rd rd;

    memset(v, 0, sizeof(*v));
    v->tag = so->prop_tag;
    if (type == ROP_PT_BINARY) {
        v->v.bin = so->stream_data;
        return 0;
    }
    if (type == ROP_PT_STRING8) {
        v->v.str = apr_pstrmemdup(pool, (const char *)so->stream_data.data,
                                  so->stream_data.len);
        return 0;
    }
    copy = apr_palloc(pool, len + 2u);
    memcpy(copy, so->stream_data.data, len);
    copy[len] = copy[len + 1] = 0;
    mapi_rd_init(&rd, copy, len + 2u);
    return mapi_rd_str16(&rd, pool, len / 2 + 1, &v->v.str) < 0
           ? ecInvalidParam : 0;
}

/* ---- the stream buffer ------------------------------------------------- */

/* Makes the stream size bytes long: new bytes are zeros ([MS-OXCPRPT]
 * R57706), bytes past size are dropped (R57707). */
static void stream_resize(apr_pool_t *pool, rop_object *so, uint32_t size)
{
    uint8_t *buf = apr_pcalloc(pool, size + 1u);
    uint32_t keep = so->stream_data.len < size ? so->stream_data.len : size;

    if (keep)
        memcpy(buf, so->stream_data.data, keep);
    so->stream_data.data = buf;
    so->stream_data.len = size;
}

/* Writes data at the seek pointer and moves it on (R560, R561). */
static uint32_t stream_write(apr_pool_t *pool, rop_object *so,
                             const rop_bin *data)
{
    uint64_t end = (uint64_t)so->stream_pos + data->len;

    if (so->stream_mode == STREAM_READ_ONLY)
        return ecStreamAccessDenied;
    if (end > STREAM_MAX)
        return ecTooBig;              /* R564: nothing is written */
    if (data->len == 0)
        return 0;
    /* A fresh buffer even when the size stays: data may point into the
     * current one (RopCopyToStream onto itself). */
    stream_resize(pool, so, end > so->stream_data.len
                  ? (uint32_t)end : so->stream_data.len);
    memcpy((uint8_t *)so->stream_data.data + so->stream_pos, data->data,
           data->len);
    so->stream_pos = (uint32_t)end;
    so->stream_dirty = 1;
    return 0;
}

/* Sets the property on the owner: a message's or attachment's working
 * copy is saved in its object (the store sees it with the message's save,
 * [MS-OXCPRPT] R56403, R56404); a folder is written at once (R56405). */
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
        || (ec = stream_value_of(pool, so, &v)) != 0)
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

/* The stream's first content: the property's value, nothing for Create;
 * a missing property is ecNotFound unless the stream may write it
 * ([MS-OXCPRPT] R547, R549). */
static uint32_t stream_initial(rop_ctx *ctx, rop_object *owner, uint32_t tag,
                               uint8_t mode, rop_bin *data)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const rop_propval *v;
    store_props bag;
    uint32_t ec;

    data->len = 0;
    data->data = (const uint8_t *)"";
    if (mode == STREAM_CREATE)
        return 0;
    store_props_init(&bag, pool);
    if ((ec = rop_obj_get_props(ctx, owner, &bag)) != 0)
        return ec;
    v = store_props_get_as(&bag, pool, tag);
    if (!v)
        return mode == STREAM_READ_ONLY ? ecNotFound : 0;
    return stream_bytes_of(pool, v, data);
}

static int rop_h_open_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_open_stream_req *r = call->req;
    rop_object *owner, *so;
    rop_bin data = { 0, NULL };
    uint8_t mode = 0;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index, STREAM_OWNER_MASK, &owner);
    if (ec == 0 && !stream_tag_ok(r->property_tag))
        ec = ecNotSupported;
    if (ec == 0)
        ec = stream_mode_for(owner, r->open_mode_flags, &mode);
    if (ec == 0)
        ec = stream_initial(ctx, owner, r->property_tag, mode, &data);
    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 10)
        return -1;
    so = rop_obj_new(ctx, owner, ROP_OBJ_STREAM);
    so->prop_tag = r->property_tag;
    so->stream_mode = mode;
    so->stream_dirty = mode == STREAM_CREATE;  /* Create empties the value */
    so->stream_data = data;
    if ((ec = rop_obj_create(ctx, so, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->out_handle_index);
    return mapi_wr_u32(out, data.len);
}

/* ---- reading and writing ---------------------------------------------- */

/* [MS-OXCPRPT] 3.2.5.12: at most ByteCount (or MaximumByteCount for
 * 0xBABE) bytes from the seek pointer, and no more than the response
 * buffer holds; when not one byte fits the engine answers
 * RopBufferTooSmall rather than a read that looks like the end. */
static int rop_h_read_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_read_stream_req *r = call->req;
    rop_object *so;
    size_t room = mapi_wr_room(out);
    uint32_t want, avail, n;
    uint32_t ec = stream_load(ctx, call, &so);

    if (ec)
        return rop_write_error_response(out, call, ec);
    want = r->byte_count == ROP_READ_STREAM_USE_MAX ? r->maximum_byte_count
                                                    : r->byte_count;
    avail = so->stream_pos < so->stream_data.len
            ? so->stream_data.len - so->stream_pos : 0;
    n = want < avail ? want : avail;
    if (n > 0xFFFF)
        n = 0xFFFF;                   /* DataSize is a u16 */
    if (room < 8 || (n > 0 && room == 8))
        return -1;
    if (n > room - 8)
        n = (uint32_t)(room - 8);
    if (n > 0) {
        so->stream_pos += n;
        if ((ec = rop_obj_save(ctx, so)) != 0)
            return rop_write_error_response(out, call, ec);
    }
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, (uint16_t)n);
    return mapi_wr_bytes(out, so->stream_data.data + so->stream_pos - n, n);
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
        ec = stream_write(rop_ctx_pool(ctx), so, &r->data);
    if (ec == 0 && commit)
        ec = stream_commit(ctx, so);
    if (ec == 0)
        ec = rop_obj_save(ctx, so);
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
        ec = rop_obj_save(ctx, so);
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
    return mapi_wr_u32(out, so->stream_data.len);
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
    if (ec == 0) {
        stream_resize(rop_ctx_pool(ctx), so, (uint32_t)r->stream_size);
        so->stream_dirty = 1;
        ec = rop_obj_save(ctx, so);
    }
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
    case STREAM_SEEK_END: base = so->stream_data.len; break;
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
    if (ec == 0) {
        if (pos > so->stream_data.len && so->stream_mode != STREAM_READ_ONLY) {
            stream_resize(rop_ctx_pool(ctx), so, pos);
            so->stream_dirty = 1;
        }
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

static int rop_h_copy_to_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_copy_to_stream_req *r = call->req;
    rop_object *src, *dst = NULL;
    rop_bin chunk;
    uint64_t n = 0;
    uint32_t ec = stream_load(ctx, call, &src);

    if (ec == 0)
        ec = stream_dest(ctx, call, src, &dst);
    if (ec == 0 && mapi_wr_room(out) < 22)
        return -1;
    if (ec == 0) {
        uint32_t avail = src->stream_pos < src->stream_data.len
                         ? src->stream_data.len - src->stream_pos : 0;

        n = r->byte_count < avail ? r->byte_count : avail;
        chunk.len = (uint32_t)n;
        chunk.data = src->stream_data.data + src->stream_pos;
        ec = stream_write(rop_ctx_pool(ctx), dst, &chunk);
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

/* A second stream on the same property, with its own seek pointer: its
 * parent is the source's owner, so either commits to the same value. */
static int rop_h_clone_stream(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *src, *so;
    uint32_t ec = stream_load(ctx, call, &src);

    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 6)
        return -1;
    so = apr_pmemdup(rop_ctx_pool(ctx), src, sizeof(*src));
    so->handle = 0;
    if ((ec = rop_obj_create(ctx, so, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
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
