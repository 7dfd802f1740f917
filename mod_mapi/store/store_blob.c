/*
 * store_blob.c: large property values kept out of message records, as
 * chunks in store-blobs.db (see "blobs" in store.h), and the walk over a
 * message that moves its large values into blobs at save, copies or frees
 * them with the message, and resolves references when read.
 *
 * Chunks are read into a fixed buffer (DB_DBT_USERMEM), not the pool, so
 * that copying or freeing a 100 MiB value does not grow a request's pool
 * by 100 MiB.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <string.h>
#include <stdlib.h>
#include <apr_hash.h>
#include <apr_strings.h>

/* --------------------------------------------------------- references -- */

int store_blob_ref_get(const rop_propval *v, store_blob_ref *ref_r)
{
    mapi_rd rd;

    if (v == NULL || ROP_PROP_TYPE(v->tag) != STORE_PT_BLOBREF ||
        v->v.bin.len != STORE_BLOB_REF_LEN || v->v.bin.data == NULL)
        return 0;
    if (ref_r == NULL)
        return 1;
    ref_r->id = store_rd_be64(v->v.bin.data + STORE_GUID_LEN);
    memcpy(ref_r->owner, v->v.bin.data, STORE_GUID_LEN);
    mapi_rd_init(&rd, v->v.bin.data + STORE_GUID_LEN + 8, 10);
    mapi_rd_u64(&rd, &ref_r->size);
    mapi_rd_u16(&rd, &ref_r->type);
    return 1;
}

void store_blob_ref_make(apr_pool_t *pool, uint16_t prop_id,
                         const store_blob_ref *ref, rop_propval *out)
{
    uint8_t *b = apr_palloc(pool, STORE_BLOB_REF_LEN);
    mapi_wr wr;

    memcpy(b, ref->owner, STORE_GUID_LEN);
    store_be64(b + STORE_GUID_LEN, ref->id);
    mapi_wr_init_fixed(&wr, b + STORE_GUID_LEN + 8, 10);
    mapi_wr_u64(&wr, ref->size);
    mapi_wr_u16(&wr, ref->type);
    memset(out, 0, sizeof(*out));
    out->tag = ((uint32_t)prop_id << 16) | STORE_PT_BLOBREF;
    out->v.bin.len = STORE_BLOB_REF_LEN;
    out->v.bin.data = b;
}

uint32_t store_blob_ref_tag(const rop_propval *v)
{
    store_blob_ref r;

    if (!store_blob_ref_get(v, &r))
        return v->tag;
    return (v->tag & 0xFFFF0000u) | r.type;
}

/* A reference the decoder accepts: a type that may be large, a size over
 * the inline limit and within a message. */
int store_blob_ref_valid(const rop_propval *v)
{
    store_blob_ref r;

    if (!store_blob_ref_get(v, &r))
        return 0;
    return (r.type == ROP_PT_BINARY || r.type == ROP_PT_STRING8 ||
            r.type == ROP_PT_UNICODE) && r.size <= STORE_MESSAGE_MAX;
}

/* ------------------------------------------------------------- chunks -- */

static void store_blob_key(uint8_t out[STORE_BLOB_KEY_LEN],
                           const uint8_t *owner, uint64_t id, uint32_t chunk)
{
    memcpy(out, owner, STORE_GUID_LEN);
    store_be64(out + STORE_GUID_LEN, id);
    out[STORE_GUID_LEN + 8] = (uint8_t)(chunk >> 24);
    out[STORE_GUID_LEN + 9] = (uint8_t)(chunk >> 16);
    out[STORE_GUID_LEN + 10] = (uint8_t)(chunk >> 8);
    out[STORE_GUID_LEN + 11] = (uint8_t)chunk;
}

static uint32_t store_blob_chunks(uint64_t size)
{
    return (uint32_t)((size + STORE_BLOB_CHUNK - 1) / STORE_BLOB_CHUNK);
}

/* The length chunk i of a value of size bytes must have. */
static size_t store_blob_chunk_len(uint64_t size, uint32_t i)
{
    uint64_t start = (uint64_t)i * STORE_BLOB_CHUNK;

    return size - start < STORE_BLOB_CHUNK ? (size_t)(size - start)
                                           : STORE_BLOB_CHUNK;
}

/* Chunk i of ref into buf (STORE_BLOB_CHUNK bytes): 0, DB_NOTFOUND, EINVAL
 * when its length is not what the size says, or a BDB error. */
static int store_blob_get_chunk(mapi_db *db, DB_TXN *txn,
                                const store_blob_ref *ref, uint32_t i,
                                uint8_t *buf)
{
    uint8_t k[STORE_BLOB_KEY_LEN];
    DBT key, val;
    int ret;

    store_blob_key(k, ref->owner, ref->id, i);
    memset(&key, 0, sizeof(key));
    memset(&val, 0, sizeof(val));
    key.data = k;
    key.size = sizeof(k);
    val.data = buf;
    val.ulen = STORE_BLOB_CHUNK;
    val.flags = DB_DBT_USERMEM;
    ret = db->blobs->get(db->blobs, txn, &key, &val, 0);
    if (ret == DB_BUFFER_SMALL)
        return EINVAL;
    if (ret != 0)
        return ret;
    return val.size == store_blob_chunk_len(ref->size, i) ? 0 : EINVAL;
}

int store_blob_put_chunk(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                         uint64_t id, uint32_t chunk, const void *data,
                         size_t len)
{
    uint8_t k[STORE_BLOB_KEY_LEN];

    if (len > STORE_BLOB_CHUNK)
        return EINVAL;
    store_blob_key(k, owner, id, chunk);
    return store_db_put(db->blobs, txn, k, sizeof(k), data, len);
}

int store_blob_alloc_id(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                        uint64_t *id_r)
{
    uint8_t k[STORE_GUID_LEN + 4], v[8];
    const uint8_t *data;
    size_t len;
    apr_pool_t *pool;
    uint64_t next = 1;
    int ret;

    memcpy(k, owner, STORE_GUID_LEN);
    memcpy(k + STORE_GUID_LEN, "blob", 4);
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return ENOMEM;
    ret = store_db_get(db->meta, txn, k, sizeof(k), pool, &data, &len,
                       DB_RMW);
    if (ret == 0 && len == 8)
        next = store_rd_be64(data);
    else if (ret == 0)
        ret = EINVAL;
    else if (ret == DB_NOTFOUND)
        ret = 0;
    apr_pool_destroy(pool);
    if (ret != 0)
        return ret;
    store_be64(v, next + 1);
    ret = store_db_put(db->meta, txn, k, sizeof(k), v, sizeof(v));
    if (ret == 0)
        *id_r = next;
    return ret;
}

int store_blob_write(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                     uint64_t id, const void *data, uint64_t size)
{
    const uint8_t *p = data;
    int ret = 0;

    for (uint32_t i = 0; ret == 0 && i < store_blob_chunks(size); i++)
        ret = store_blob_put_chunk(db, txn, owner, id, i,
                                   p + (uint64_t)i * STORE_BLOB_CHUNK,
                                   store_blob_chunk_len(size, i));
    return ret;
}

int store_blob_copy(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const store_blob_ref *src, const uint8_t *to_owner,
                    store_blob_ref *dst_r)
{
    uint8_t *buf = malloc(STORE_BLOB_CHUNK);
    store_blob_ref dst = *src;
    int ret;

    (void)pool;
    if (buf == NULL)
        return ENOMEM;
    memcpy(dst.owner, to_owner, STORE_GUID_LEN);
    ret = store_blob_alloc_id(db, txn, to_owner, &dst.id);
    for (uint32_t i = 0; ret == 0 && i < store_blob_chunks(src->size); i++) {
        ret = store_blob_get_chunk(db, txn, src, i, buf);
        if (ret == 0)
            ret = store_blob_put_chunk(db, txn, dst.owner, dst.id, i, buf,
                                       store_blob_chunk_len(src->size, i));
    }
    free(buf);
    if (ret == 0)
        *dst_r = dst;
    return ret;
}

/* Deletes every key under prefix. */
static int store_blob_del_prefix(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                                 const uint8_t *prefix, size_t plen)
{
    apr_pool_t *sub;
    apr_array_header_t *keys;
    int ret;

    if (apr_pool_create(&sub, pool) != APR_SUCCESS)
        return ENOMEM;
    ret = store_db_keys(db->blobs, txn, prefix, plen, sub, &keys);
    for (int i = 0; ret == 0 && i < keys->nelts; i++) {
        const rop_bin *k = &APR_ARRAY_IDX(keys, i, rop_bin);

        ret = store_db_del(db->blobs, txn, k->data, k->len);
    }
    apr_pool_destroy(sub);
    return ret;
}

int store_blob_free(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *owner, uint64_t id)
{
    uint8_t prefix[STORE_GUID_LEN + 8];

    memcpy(prefix, owner, STORE_GUID_LEN);
    store_be64(prefix + STORE_GUID_LEN, id);
    return store_blob_del_prefix(db, txn, pool, prefix, sizeof(prefix));
}

int store_blob_free_owner(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                          const uint8_t *owner)
{
    uint8_t k[STORE_GUID_LEN + 4];
    int ret = store_blob_del_prefix(db, txn, pool, owner, STORE_GUID_LEN);

    memcpy(k, owner, STORE_GUID_LEN);
    memcpy(k + STORE_GUID_LEN, "blob", 4);
    return ret == 0 ? store_db_del(db->meta, txn, k, sizeof(k)) : ret;
}

/* -------------------------------------------------------------- reads -- */

/* Bytes [offset, offset + len) of ref into out (len bytes, in range). */
static int store_blob_read_into(mapi_db *db, DB_TXN *txn,
                                const store_blob_ref *ref, uint64_t offset,
                                size_t len, uint8_t *out)
{
    uint8_t *buf = malloc(STORE_BLOB_CHUNK);
    size_t done = 0;
    int ret = 0;

    if (buf == NULL)
        return ENOMEM;
    while (ret == 0 && done < len) {
        uint64_t at = offset + done;
        uint32_t i = (uint32_t)(at / STORE_BLOB_CHUNK);
        size_t skip = (size_t)(at % STORE_BLOB_CHUNK);
        size_t n = store_blob_chunk_len(ref->size, i) - skip;

        if (n > len - done)
            n = len - done;
        ret = store_blob_get_chunk(db, txn, ref, i, buf);
        if (ret == 0)
            memcpy(out + done, buf + skip, n);
        done += n;
    }
    free(buf);
    return ret;
}

store_status store_blob_read(mapi_db *db, apr_pool_t *pool,
                             const store_blob_ref *ref, uint64_t offset,
                             size_t len, const uint8_t **data_r,
                             size_t *len_r, const char **error_r)
{
    uint8_t *out;
    int ret;

    if (offset >= ref->size)
        len = 0;
    else if (len > ref->size - offset)
        len = (size_t)(ref->size - offset);
    out = apr_palloc(pool, len ? len : 1);
    ret = len ? store_blob_read_into(db, NULL, ref, offset, len, out) : 0;
    if (ret != 0)
        return store_read_status(db, pool, ret, "large value", error_r);
    *data_r = out;
    *len_r = len;
    return STORE_OK;
}

static int store_blob_resolve_txn(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                                  const rop_propval *ref_val,
                                  rop_propval *out)
{
    store_blob_ref r;
    uint8_t *data;
    int ret;

    if (!store_blob_ref_get(ref_val, &r) || r.size > STORE_MESSAGE_MAX)
        return EINVAL;
    data = apr_palloc(pool, (size_t)r.size + 1);
    ret = store_blob_read_into(db, txn, &r, 0, (size_t)r.size, data);
    if (ret != 0)
        return ret;
    data[r.size] = '\0';
    memset(out, 0, sizeof(*out));
    out->tag = store_blob_ref_tag(ref_val);
    if (r.type == ROP_PT_BINARY) {
        out->v.bin.len = (uint32_t)r.size;
        out->v.bin.data = data;
    } else {
        out->v.str = (const char *)data;
    }
    return 0;
}

store_status store_blob_resolve(mapi_db *db, apr_pool_t *pool,
                                const rop_propval *ref_val, rop_propval *out,
                                const char **error_r)
{
    int ret = store_blob_resolve_txn(db, NULL, pool, ref_val, out);

    return store_read_status(db, pool, ret, "large value", error_r);
}

/* ------------------------------------------------------ message walks -- */

/* Calls fn on every property bag of m: its own, its recipients', its
 * attachments' and those of embedded messages, depth first. */
typedef int (*store_bag_fn)(store_props *bag, void *baton);

static int store_walk_bags(store_message *m, store_bag_fn fn, void *baton,
                           int depth)
{
    int ret;

    if (depth > STORE_EMBED_DEPTH)
        return EINVAL;
    if ((ret = fn(&m->props, baton)) != 0)
        return ret;
    for (int i = 0; m->recipients && i < m->recipients->nelts; i++)
        if ((ret = fn(&APR_ARRAY_IDX(m->recipients, i,
                                     store_recipient).props, baton)) != 0)
            return ret;
    for (int i = 0; m->attachments && i < m->attachments->nelts; i++) {
        store_attachment *a = &APR_ARRAY_IDX(m->attachments, i,
                                             store_attachment);

        if ((ret = fn(&a->props, baton)) != 0)
            return ret;
        if (a->embedded &&
            (ret = store_walk_bags(a->embedded, fn, baton, depth + 1)) != 0)
            return ret;
    }
    return 0;
}

/* The length of an inline value that would go to a blob, else 0. */
static uint64_t store_large_len(const rop_propval *v)
{
    size_t n;

    switch (ROP_PROP_TYPE(v->tag)) {
    case ROP_PT_BINARY:
        n = v->v.bin.data ? v->v.bin.len : 0;
        break;
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        n = v->v.str ? strlen(v->v.str) : 0;
        break;
    default:
        return 0;
    }
    return n > STORE_INLINE_MAX ? n : 0;
}

/* The blob ids (8-byte keys) of the mailbox's own blobs that m holds. */
typedef struct store_ids_walk {
    const uint8_t *mbox;
    apr_hash_t *ids;
    apr_pool_t *pool;
    uint64_t bytes;
} store_ids_walk;

static int store_collect_bag(store_props *bag, void *baton)
{
    store_ids_walk *w = baton;
    store_blob_ref r;

    for (unsigned i = 0; i < bag->count; i++) {
        if (!store_blob_ref_get(&bag->vals[i], &r)) {
            w->bytes += store_large_len(&bag->vals[i]);
            continue;
        }
        w->bytes += r.size;
        if (w->ids && memcmp(r.owner, w->mbox, STORE_GUID_LEN) == 0) {
            uint8_t *k = apr_palloc(w->pool, 8);

            store_be64(k, r.id);
            apr_hash_set(w->ids, k, 8, k);
        }
    }
    return 0;
}

typedef struct store_sync_walk {
    mapi_db *db;
    DB_TXN *txn;
    apr_pool_t *pool;
    const uint8_t *mbox;
    apr_hash_t *prev;     /* the replaced version's blob ids */
    apr_hash_t *kept;     /* ids m keeps, each at most once */
    uint64_t total;       /* bytes in blobs */
} store_sync_walk;

static int store_sync_value(store_sync_walk *w, store_props *bag,
                            rop_propval *v)
{
    store_blob_ref r;
    uint8_t k[8];
    uint64_t n;
    int ret;

    if (store_blob_ref_get(v, &r)) {
        store_be64(k, r.id);
        w->total += r.size;
        if (memcmp(r.owner, w->mbox, STORE_GUID_LEN) == 0 &&
            apr_hash_get(w->prev, k, 8) && !apr_hash_get(w->kept, k, 8)) {
            apr_hash_set(w->kept, apr_pmemdup(w->pool, k, 8), 8, "");
            return 0;     /* owned by the version m replaces: keep it */
        }
        /* Someone else's blob: this message gets its own copy. */
        ret = store_blob_copy(w->db, w->txn, w->pool, &r, w->mbox, &r);
        if (ret == 0)
            store_blob_ref_make(bag->pool, ROP_PROP_ID(v->tag), &r, v);
        return ret;
    }
    if ((n = store_large_len(v)) == 0)
        return 0;
    memset(&r, 0, sizeof(r));
    memcpy(r.owner, w->mbox, STORE_GUID_LEN);
    r.size = n;
    r.type = ROP_PROP_TYPE(v->tag);
    w->total += n;
    ret = store_blob_alloc_id(w->db, w->txn, w->mbox, &r.id);
    if (ret == 0)
        ret = store_blob_write(w->db, w->txn, w->mbox, r.id,
                               r.type == ROP_PT_BINARY
                               ? (const void *)v->v.bin.data
                               : (const void *)v->v.str, n);
    if (ret == 0)
        store_blob_ref_make(bag->pool, ROP_PROP_ID(v->tag), &r, v);
    return ret;
}

static int store_sync_bag(store_props *bag, void *baton)
{
    int ret = 0;

    for (unsigned i = 0; ret == 0 && i < bag->count; i++)
        ret = store_sync_value(baton, bag, &bag->vals[i]);
    return ret;
}

static apr_hash_t *store_blob_ids(apr_pool_t *pool, const uint8_t *mbox,
                                  const store_message *m)
{
    store_ids_walk w = { mbox, apr_hash_make(pool), pool, 0 };

    if (m)
        store_walk_bags((store_message *)m, store_collect_bag, &w, 0);
    return w.ids;
}

int store_blob_sync(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *mbox, store_message *m,
                    const store_message *prev)
{
    store_sync_walk w = { db, txn, pool, mbox, store_blob_ids(pool, mbox,
                                                              prev),
                          apr_hash_make(pool), 0 };
    int ret;

    /* Refused before a chunk is written. */
    if (store_blob_bytes(m) > STORE_MESSAGE_MAX)
        return EFBIG;
    ret = store_walk_bags(m, store_sync_bag, &w, 0);
    /* What the replaced version owned and m no longer holds is freed. */
    for (apr_hash_index_t *hi = apr_hash_first(pool, w.prev);
         ret == 0 && hi; hi = apr_hash_next(hi)) {
        const void *k;

        apr_hash_this(hi, &k, NULL, NULL);
        if (!apr_hash_get(w.kept, k, 8))
            ret = store_blob_free(db, txn, pool, mbox, store_rd_be64(k));
    }
    return ret;
}

int store_blob_free_message(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                            const uint8_t *mbox, const store_message *m)
{
    apr_hash_t *ids = store_blob_ids(pool, mbox, m);
    int ret = 0;

    for (apr_hash_index_t *hi = apr_hash_first(pool, ids); ret == 0 && hi;
         hi = apr_hash_next(hi)) {
        const void *k;

        apr_hash_this(hi, &k, NULL, NULL);
        ret = store_blob_free(db, txn, pool, mbox, store_rd_be64(k));
    }
    return ret;
}

/* The large values' bytes: referenced or inline over STORE_INLINE_MAX. */
uint64_t store_blob_bytes(const store_message *m)
{
    store_ids_walk w = { NULL, NULL, NULL, 0 };

    store_walk_bags((store_message *)m, store_collect_bag, &w, 0);
    return w.bytes;
}

typedef struct store_resolve_walk {
    mapi_db *db;
    DB_TXN *txn;
    apr_pool_t *pool;
} store_resolve_walk;

static int store_resolve_bag(store_props *bag, void *baton)
{
    store_resolve_walk *w = baton;

    for (unsigned i = 0; i < bag->count; i++) {
        rop_propval full;
        int ret;

        if (!store_blob_ref_get(&bag->vals[i], NULL))
            continue;
        ret = store_blob_resolve_txn(w->db, w->txn, w->pool, &bag->vals[i],
                                     &full);
        if (ret != 0)
            return ret;
        bag->vals[i] = full;     /* same id: the bag stays sorted */
    }
    return 0;
}

int store_blob_resolve_message(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               store_message *m)
{
    store_resolve_walk w = { db, txn, pool };

    return store_walk_bags(m, store_resolve_bag, &w, 0);
}

/* ------------------------------------------------------ mutable blobs -- */

int store_blob_get_raw(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                       uint64_t id, uint32_t chunk, uint8_t *buf,
                       size_t *len_r)
{
    uint8_t k[STORE_BLOB_KEY_LEN];
    DBT key, val;
    int ret;

    store_blob_key(k, owner, id, chunk);
    memset(&key, 0, sizeof(key));
    memset(&val, 0, sizeof(val));
    key.data = k;
    key.size = sizeof(k);
    val.data = buf;
    val.ulen = STORE_BLOB_CHUNK;
    val.flags = DB_DBT_USERMEM;
    ret = db->blobs->get(db->blobs, txn, &key, &val, 0);
    if (ret == DB_BUFFER_SMALL)
        return EINVAL;
    if (ret == 0)
        *len_r = val.size;
    return ret;
}

int store_blob_ref_chunk(mapi_db *db, DB_TXN *txn, const store_blob_ref *ref,
                         uint32_t chunk, uint8_t *buf)
{
    return store_blob_get_chunk(db, txn, ref, chunk, buf);
}

int store_blob_trim(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *owner, uint64_t id, uint32_t first)
{
    uint8_t prefix[STORE_GUID_LEN + 8];
    apr_pool_t *sub;
    apr_array_header_t *keys;
    int ret;

    memcpy(prefix, owner, STORE_GUID_LEN);
    store_be64(prefix + STORE_GUID_LEN, id);
    if (apr_pool_create(&sub, pool) != APR_SUCCESS)
        return ENOMEM;
    ret = store_db_keys(db->blobs, txn, prefix, sizeof(prefix), sub, &keys);
    for (int i = 0; ret == 0 && i < keys->nelts; i++) {
        const rop_bin *k = &APR_ARRAY_IDX(keys, i, rop_bin);
        const uint8_t *c = k->data + STORE_GUID_LEN + 8;

        if (k->len == STORE_BLOB_KEY_LEN &&
            ((uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 |
             (uint32_t)c[2] << 8 | c[3]) >= first)
            ret = store_db_del(db->blobs, txn, k->data, k->len);
    }
    apr_pool_destroy(sub);
    return ret;
}

/* Jumps from blob to blob with DB_SET_RANGE on (owner, id + 1): a 20 MiB
 * blob's 640 chunks cost one step. */
int store_blob_list_ids(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *owner, apr_array_header_t **ids_r)
{
    uint8_t k[STORE_BLOB_KEY_LEN];
    uint64_t next = 0;
    DBC *cur;
    DBT key, val;
    int ret;

    *ids_r = apr_array_make(pool, 4, sizeof(uint64_t));
    if ((ret = db->blobs->cursor(db->blobs, txn, &cur, 0)) != 0)
        return ret;
    for (;;) {
        store_blob_key(k, owner, next, 0);
        memset(&key, 0, sizeof(key));
        memset(&val, 0, sizeof(val));
        key.data = k;
        key.size = key.ulen = sizeof(k);
        key.flags = DB_DBT_USERMEM;
        val.flags = DB_DBT_PARTIAL;       /* the chunk is not needed */
        ret = cur->get(cur, &key, &val, DB_SET_RANGE);
        if (ret != 0 || key.size != STORE_BLOB_KEY_LEN
            || memcmp(k, owner, STORE_GUID_LEN) != 0)
            break;
        next = store_rd_be64(k + STORE_GUID_LEN);
        APR_ARRAY_PUSH(*ids_r, uint64_t) = next;
        if (next == UINT64_MAX)
            break;
        next++;
    }
    cur->close(cur);
    return ret == DB_NOTFOUND || ret == 0 ? 0 : ret;
}

void store_blob_refs_message(apr_pool_t *pool, const uint8_t *owner,
                             const struct store_message *m, apr_hash_t *ids)
{
    store_ids_walk w = { owner, ids, pool, 0 };

    store_walk_bags((store_message *)m, store_collect_bag, &w, 0);
}

void store_blob_refs_props(apr_pool_t *pool, const uint8_t *owner,
                           const store_props *bag, apr_hash_t *ids)
{
    store_ids_walk w = { owner, ids, pool, 0 };

    store_collect_bag((store_props *)bag, &w);
}
