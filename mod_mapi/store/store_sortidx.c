/*
 * store_sortidx.c: the per-folder delivery-time index of messages, so that
 * "the newest 50 of a 100,000-message folder" reads 50 records instead of
 * every message.
 *
 * The index lives in the contents database next to the children index,
 * under its own kinds ('S' for messages, 'T' for associated ones):
 *
 *   mbox | fid | kind | present (1) | delivery time (8, BE) | ~mid (8, BE)
 *
 * ~mid makes equal times come out in ascending mid order when the index is
 * walked backwards (newest first), which is the order a stable sort of the
 * id-ordered children gives; present is 0 for a message without
 * PidTagMessageDeliveryTime, which a descending sort puts last.  The
 * children entry of a message (kind 'M'/'A') holds its 9-byte sort key, so
 * that a rewrite or a removal finds the index entry to drop without reading
 * the old message.  Both are changed by store_message_write and
 * store_message_remove, in the caller's transaction, so every process
 * sharing the environment sees the index and the messages agree.
 *
 * The same two functions keep the folder's counts (messages, unread ones,
 * their PidTagMessageSize total; associated messages apart) in a meta
 * record per folder and kind, from the difference between the children
 * entry's old data (sort key, unread flag, size) and the new, so that
 * PidTagContentCount and a contents table's RowCount are one read instead
 * of one per message.
 *
 * Mailboxes created before the index existed have no marker (a meta
 * record); for them store_sorted_page answers STORE_INVALID and the caller
 * sorts as before.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>

#include "store/store_internal.h"

#define SORTIDX_KEY_LEN  (STORE_GUID_LEN + 8 + 1 + STORE_SORTKEY_LEN + 8)
#define SORTIDX_PREFIX   (STORE_GUID_LEN + 8 + 1)
#define SORTIDX_MARK     "\x01sortidx-v1"

static uint8_t sortidx_kind(uint8_t child_kind)
{
    return child_kind == STORE_KIND_ASSOC ? 'T' : 'S';
}

static int sortidx_unread(const store_message *m)
{
    const rop_propval *v = store_props_get(&m->props, PidTagMessageFlags);

    return v == NULL || !(v->v.l & MSGFLAG_READ);
}

static uint32_t sortidx_size(const store_message *m)
{
    const rop_propval *v = store_props_get(&m->props, PidTagMessageSize);

    return v ? v->v.l : 0;
}

void store_child_data(const store_message *m, uint8_t cd[STORE_CHILD_DATA_LEN])
{
    uint32_t size = sortidx_size(m);

    store_sortkey(m, cd);
    cd[STORE_SORTKEY_LEN] = (uint8_t)sortidx_unread(m);
    cd[STORE_SORTKEY_LEN + 1] = (uint8_t)(size >> 24);
    cd[STORE_SORTKEY_LEN + 2] = (uint8_t)(size >> 16);
    cd[STORE_SORTKEY_LEN + 3] = (uint8_t)(size >> 8);
    cd[STORE_SORTKEY_LEN + 4] = (uint8_t)size;
}

void store_sortkey(const store_message *m, uint8_t sk[STORE_SORTKEY_LEN])
{
    const rop_propval *v = store_props_get(&m->props,
                                           PidTagMessageDeliveryTime
                                           & 0xFFFF0000u);

    if (v && ROP_PROP_TYPE(v->tag) == ROP_PT_SYSTIME) {
        sk[0] = 1;
        store_be64(sk + 1, v->v.d);
    } else {
        memset(sk, 0, STORE_SORTKEY_LEN);
    }
}

static void sortidx_key(uint8_t k[SORTIDX_KEY_LEN], const uint8_t *mbox,
                        uint64_t fid, uint8_t child_kind,
                        const uint8_t sk[STORE_SORTKEY_LEN], uint64_t mid)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    store_be64(k + STORE_GUID_LEN, fid);
    k[STORE_GUID_LEN + 8] = sortidx_kind(child_kind);
    memcpy(k + SORTIDX_PREFIX, sk, STORE_SORTKEY_LEN);
    store_be64(k + SORTIDX_PREFIX + STORE_SORTKEY_LEN, ~mid);
}

int store_sortidx_put(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                      uint64_t fid, uint8_t child_kind, uint64_t mid,
                      const uint8_t sk[STORE_SORTKEY_LEN])
{
    uint8_t k[SORTIDX_KEY_LEN];

    sortidx_key(k, mbox, fid, child_kind, sk, mid);
    return store_db_put(db->contents, txn, k, sizeof(k), "", 0);
}

int store_sortidx_del(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                      uint64_t fid, uint8_t child_kind, uint64_t mid,
                      const uint8_t sk[STORE_SORTKEY_LEN])
{
    uint8_t k[SORTIDX_KEY_LEN];

    sortidx_key(k, mbox, fid, child_kind, sk, mid);
    return store_db_del(db->contents, txn, k, sizeof(k));
}

int store_child_forget(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                       const uint8_t *mbox, uint64_t fid, uint8_t child_kind,
                       uint64_t mid)
{
    uint8_t ck[STORE_KEY_CHILD_LEN];
    const uint8_t *cd;
    size_t len;
    int ret;

    store_key_child(ck, mbox, fid, child_kind, mid);
    ret = store_db_get(db->contents, txn, ck, sizeof(ck), pool, &cd, &len,
                       DB_RMW);
    if (ret == DB_NOTFOUND)
        return 0;
    if (ret == 0 && len == STORE_CHILD_DATA_LEN) {
        ret = store_sortidx_del(db, txn, mbox, fid, child_kind, mid, cd);
        if (ret == 0)
            ret = store_counts_update(db, txn, pool, mbox, fid, child_kind,
                                      cd, NULL);
    }
    return ret == 0 ? store_db_del(db->contents, txn, ck, sizeof(ck)) : ret;
}

static size_t sortidx_mark_key(uint8_t *k, const uint8_t *mbox)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    memcpy(k + STORE_GUID_LEN, SORTIDX_MARK, sizeof(SORTIDX_MARK) - 1);
    return STORE_GUID_LEN + sizeof(SORTIDX_MARK) - 1;
}

int store_sortidx_mark(mapi_db *db, DB_TXN *txn, const uint8_t *mbox)
{
    uint8_t k[STORE_GUID_LEN + sizeof(SORTIDX_MARK)];

    return store_db_put(db->meta, txn, k, sortidx_mark_key(k, mbox), "", 0);
}

/* ---- folder counts ---- */

#define COUNTS_MARK     "\x01count"
#define COUNTS_KEY_LEN  (STORE_GUID_LEN + sizeof(COUNTS_MARK) - 1 + 8 + 1)
#define COUNTS_LEN      16

static void counts_key(uint8_t k[COUNTS_KEY_LEN], const uint8_t *mbox,
                       uint64_t fid, uint8_t child_kind)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    memcpy(k + STORE_GUID_LEN, COUNTS_MARK, sizeof(COUNTS_MARK) - 1);
    store_be64(k + COUNTS_KEY_LEN - 9, fid);
    k[COUNTS_KEY_LEN - 1] = child_kind;
}

static uint32_t cd_size(const uint8_t *cd)
{
    const uint8_t *p = cd + STORE_SORTKEY_LEN + 1;

    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
           | (uint32_t)p[2] << 8 | p[3];
}

int store_counts_update(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *mbox, uint64_t fid, uint8_t child_kind,
                        const uint8_t *old_cd, const uint8_t *new_cd)
{
    uint8_t k[COUNTS_KEY_LEN], v[COUNTS_LEN];
    store_folder_counts c = { 0 };
    const uint8_t *data;
    size_t len;
    int ret;

    counts_key(k, mbox, fid, child_kind);
    ret = store_db_get(db->meta, txn, k, sizeof(k), pool, &data, &len,
                       DB_RMW);
    if (ret == 0 && len == COUNTS_LEN) {
        c.messages = (uint32_t)(store_rd_be64(data) >> 32);
        c.unread = (uint32_t)store_rd_be64(data);
        c.size = store_rd_be64(data + 8);
    } else if (ret != 0 && ret != DB_NOTFOUND) {
        return ret;
    }
    if (old_cd) {
        c.messages -= c.messages > 0;
        c.unread -= c.unread > 0 && old_cd[STORE_SORTKEY_LEN];
        c.size -= c.size >= cd_size(old_cd) ? cd_size(old_cd) : c.size;
    }
    if (new_cd) {
        c.messages++;
        c.unread += new_cd[STORE_SORTKEY_LEN] != 0;
        c.size += cd_size(new_cd);
    }
    store_be64(v, (uint64_t)c.messages << 32 | c.unread);
    store_be64(v + 8, c.size);
    return store_db_put(db->meta, txn, k, sizeof(k), v, sizeof(v));
}

static int sortidx_ready(mapi_db *db, apr_pool_t *pool, const uint8_t *mbox);

store_status store_folder_counts_get(mapi_db *db, apr_pool_t *pool,
                                     const uint8_t mbox[STORE_GUID_LEN],
                                     uint64_t fid, int associated,
                                     store_folder_counts *c,
                                     const char **error_r)
{
    uint8_t k[COUNTS_KEY_LEN];
    const uint8_t *data;
    size_t len;
    int ret = sortidx_ready(db, pool, mbox);

    memset(c, 0, sizeof(*c));
    if (ret == DB_NOTFOUND)
        return STORE_INVALID;           /* an older mailbox: count */
    if (ret == 0) {
        counts_key(k, mbox, fid, associated ? STORE_KIND_ASSOC
                                            : STORE_KIND_MESSAGE);
        ret = store_db_get(db->meta, NULL, k, sizeof(k), pool, &data, &len,
                           0);
        if (ret == DB_NOTFOUND)
            return STORE_OK;            /* none yet */
        if (ret == 0 && len != COUNTS_LEN)
            ret = EINVAL;
    }
    if (ret != 0)
        return store_read_status(db, pool, ret, "folder counts", error_r);
    c->messages = (uint32_t)(store_rd_be64(data) >> 32);
    c->unread = (uint32_t)store_rd_be64(data);
    c->size = store_rd_be64(data + 8);
    return STORE_OK;
}

static int sortidx_ready(mapi_db *db, apr_pool_t *pool, const uint8_t *mbox)
{
    uint8_t k[STORE_GUID_LEN + sizeof(SORTIDX_MARK)];
    const uint8_t *data;
    size_t len;

    return store_db_get(db->meta, NULL, k, sortidx_mark_key(k, mbox), pool,
                        &data, &len, 0);
}

/* Walks the index from the newest entry back: skips `skip` entries, then
 * collects up to `want` mids; *more_r says whether entries remain after
 * them, *skipped_r how many were skipped (fewer than skip at the end). */
static int sortidx_walk(mapi_db *db, const uint8_t *prefix, uint32_t skip,
                        uint32_t want, apr_array_header_t *mids,
                        uint32_t *skipped_r, int *more_r)
{
    uint8_t kbuf[SORTIDX_KEY_LEN + 16];
    uint32_t skipped = 0;
    DBT key, val;
    DBC *cur;
    int ret, flag;

    *more_r = 0;
    ret = db->contents->cursor(db->contents, NULL, &cur, 0);
    if (ret != 0)
        return ret;
    /* Just past the prefix: the prefix with its kind byte + 1. */
    memcpy(kbuf, prefix, SORTIDX_PREFIX);
    kbuf[SORTIDX_PREFIX - 1]++;
    memset(&key, 0, sizeof(key));
    memset(&val, 0, sizeof(val));
    key.data = kbuf;
    key.size = SORTIDX_PREFIX;
    key.ulen = sizeof(kbuf);
    key.flags = DB_DBT_USERMEM;
    val.flags = DB_DBT_PARTIAL;         /* keys only */
    ret = cur->get(cur, &key, &val, DB_SET_RANGE);
    flag = DB_PREV;
    if (ret == DB_NOTFOUND) {
        flag = DB_LAST;                 /* nothing after: start at the end */
        ret = 0;
    }
    if (ret == 0)
        ret = cur->get(cur, &key, &val, flag);
    for (; ret == 0; ret = cur->get(cur, &key, &val, DB_PREV)) {
        if (key.size != SORTIDX_KEY_LEN
            || memcmp(kbuf, prefix, SORTIDX_PREFIX) != 0)
            break;
        if (skipped < skip) {
            skipped++;
            continue;
        }
        if ((uint32_t)mids->nelts == want) {
            *more_r = 1;
            break;
        }
        APR_ARRAY_PUSH(mids, uint64_t) =
            ~store_rd_be64(kbuf + SORTIDX_PREFIX + STORE_SORTKEY_LEN);
    }
    cur->close(cur);
    *skipped_r = skipped;
    if (ret == DB_NOTFOUND)
        ret = 0;
    return ret == DB_BUFFER_SMALL ? EINVAL : ret;
}

store_status store_sorted_page(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, int associated, uint32_t skip,
                               uint32_t want, apr_array_header_t **mids_r,
                               uint32_t *skipped_r, int *more_r,
                               const char **error_r)
{
    uint8_t prefix[SORTIDX_PREFIX];
    apr_array_header_t *mids = apr_array_make(pool, want ? (int)want : 1,
                                              sizeof(uint64_t));
    int ret = sortidx_ready(db, pool, mbox);

    if (ret == DB_NOTFOUND)
        return STORE_INVALID;           /* no index: sort the rows */
    if (ret == 0) {
        memcpy(prefix, mbox, STORE_GUID_LEN);
        store_be64(prefix + STORE_GUID_LEN, fid);
        prefix[STORE_GUID_LEN + 8] =
            sortidx_kind(associated ? STORE_KIND_ASSOC : STORE_KIND_MESSAGE);
        ret = sortidx_walk(db, prefix, skip, want, mids, skipped_r, more_r);
    }
    if (ret != 0)
        return store_read_status(db, pool, ret, "sort index", error_r);
    *mids_r = mids;
    return STORE_OK;
}
