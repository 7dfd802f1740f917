/*
 * store_message.c: messages with their recipients, attachments and
 * embedded messages, stored as one record each (large values as blobs,
 * store_blob.c); save, get, move, copy, delete, read flags and the
 * computed properties.
 *
 * A message, its blobs and its contents index entry are written in one
 * transaction, so a listing never names a message that is not there and
 * no blob outlives its message.  Inside the store, records are read as
 * stored (references left in place); store_message_get resolves them.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <string.h>
#include <apr_strings.h>

/* -------------------------------------------------------------- codec -- */

static int store_msg_wr(mapi_wr *wr, const store_message *m, int depth);

static int store_attach_wr(mapi_wr *wr, const store_attachment *a, int depth)
{
    mapi_wr_u32(wr, a->attach_num);
    if (store_props_encode(wr, &a->props) != 0)
        return -1;
    mapi_wr_u8(wr, a->embedded ? 1 : 0);
    return a->embedded ? store_msg_wr(wr, a->embedded, depth + 1) : 0;
}

static int store_msg_wr(mapi_wr *wr, const store_message *m, int depth)
{
    int nr = m->recipients ? m->recipients->nelts : 0;
    int na = m->attachments ? m->attachments->nelts : 0;

    if (depth > STORE_EMBED_DEPTH)
        return -1;
    mapi_wr_u64(wr, m->mid);
    mapi_wr_u64(wr, m->fid);
    mapi_wr_u8(wr, m->associated ? 1 : 0);
    mapi_wr_u32(wr, m->next_attach_num);
    if (store_props_encode(wr, &m->props) != 0)
        return -1;
    mapi_wr_u32(wr, (uint32_t)nr);
    for (int i = 0; i < nr; i++) {
        const store_recipient *r =
            &APR_ARRAY_IDX(m->recipients, i, store_recipient);

        mapi_wr_u32(wr, r->row_id);
        if (store_props_encode(wr, &r->props) != 0)
            return -1;
    }
    mapi_wr_u32(wr, (uint32_t)na);
    for (int i = 0; i < na; i++)
        if (store_attach_wr(wr, &APR_ARRAY_IDX(m->attachments, i,
                                               store_attachment), depth) != 0)
            return -1;
    return wr->failed ? -1 : 0;
}

int store_message_encode(mapi_wr *wr, const store_message *m)
{
    mapi_wr_u8(wr, STORE_RECORD_VERSION);
    return store_msg_wr(wr, m, 0);
}

static int store_msg_rd(mapi_rd *rd, apr_pool_t *pool, int depth,
                        store_message **m_r);

static int store_attach_rd(mapi_rd *rd, apr_pool_t *pool, int depth,
                           store_attachment *a)
{
    uint8_t emb;

    memset(a, 0, sizeof(*a));
    if (mapi_rd_u32(rd, &a->attach_num) != 0 ||
        store_props_decode(rd, pool, &a->props) != 0 ||
        mapi_rd_u8(rd, &emb) != 0 || emb > 1)
        return -1;
    return emb ? store_msg_rd(rd, pool, depth + 1, &a->embedded) : 0;
}

static int store_msg_rd(mapi_rd *rd, apr_pool_t *pool, int depth,
                        store_message **m_r)
{
    store_message *m = apr_pcalloc(pool, sizeof(*m));
    uint32_t nr = 0, na = 0;

    if (depth > STORE_EMBED_DEPTH)
        return -1;
    mapi_rd_u64(rd, &m->mid);
    mapi_rd_u64(rd, &m->fid);
    mapi_rd_u8(rd, &m->associated);
    mapi_rd_u32(rd, &m->next_attach_num);
    if (rd->failed || m->associated > 1 ||
        store_props_decode(rd, pool, &m->props) != 0 ||
        mapi_rd_u32(rd, &nr) != 0 || (uint64_t)nr * 8 > mapi_rd_left(rd))
        return -1;
    m->recipients = apr_array_make(pool, nr ? (int)nr : 1,
                                   sizeof(store_recipient));
    for (uint32_t i = 0; i < nr; i++) {
        store_recipient *r = apr_array_push(m->recipients);

        if (mapi_rd_u32(rd, &r->row_id) != 0 ||
            store_props_decode(rd, pool, &r->props) != 0)
            return -1;
    }
    if (mapi_rd_u32(rd, &na) != 0 || (uint64_t)na * 9 > mapi_rd_left(rd))
        return -1;
    m->attachments = apr_array_make(pool, na ? (int)na : 1,
                                    sizeof(store_attachment));
    for (uint32_t i = 0; i < na; i++)
        if (store_attach_rd(rd, pool, depth,
                            apr_array_push(m->attachments)) != 0)
            return -1;
    *m_r = m;
    return 0;
}

int store_message_decode(mapi_rd *rd, apr_pool_t *pool, store_message **m_r)
{
    uint8_t version;

    if (mapi_rd_u8(rd, &version) != 0 || version != STORE_RECORD_VERSION ||
        store_msg_rd(rd, pool, 0, m_r) != 0) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

store_message *store_message_new(apr_pool_t *pool, uint64_t fid,
                                 int associated)
{
    store_message *m = apr_pcalloc(pool, sizeof(*m));

    m->fid = fid;
    m->associated = associated ? 1 : 0;
    store_props_init(&m->props, pool);
    m->recipients = apr_array_make(pool, 1, sizeof(store_recipient));
    m->attachments = apr_array_make(pool, 1, sizeof(store_attachment));
    return m;
}

/* Deep copy through the codec: one path to get right, not two.  A
 * working copy may hold its large values inline, hence the larger bound. */
store_message *store_message_dup(apr_pool_t *pool, const store_message *m)
{
    mapi_wr wr;
    mapi_rd rd;
    store_message *out;

    mapi_wr_init(&wr, pool, STORE_MESSAGE_MAX + STORE_RECORD_MAX);
    if (store_message_encode(&wr, m) != 0)
        return NULL;
    mapi_rd_init(&rd, wr.buf, wr.len);
    return store_message_decode(&rd, pool, &out) == 0 ? out : NULL;
}

/* -------------------------------------------------------------- records -- */

int store_message_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                       const uint8_t *mbox, uint64_t mid,
                       store_message **m_r, u_int32_t flags)
{
    uint8_t k[STORE_KEY_ID_LEN];
    const uint8_t *data;
    size_t len;
    mapi_rd rd;
    int ret;

    store_key_id(k, mbox, mid);
    ret = store_db_get(db->messages, txn, k, sizeof(k), pool, &data, &len,
                       flags);
    if (ret != 0)
        return ret;
    mapi_rd_init(&rd, data, len);
    if (store_message_decode(&rd, pool, m_r) != 0 || mapi_rd_left(&rd) != 0)
        return EINVAL;
    return 0;
}

static uint8_t store_kind(const store_message *m)
{
    return m->associated ? STORE_KIND_ASSOC : STORE_KIND_MESSAGE;
}

/* The children entry of a message holds its sort key, unread flag and
 * size (store_child_data); a rewrite that changes them moves the
 * delivery-time index entry and adjusts the folder counts
 * (store_sortidx.c). */
static int store_message_index(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               const uint8_t *mbox, const store_message *m,
                               const uint8_t *ck)
{
    uint8_t cd[STORE_CHILD_DATA_LEN];
    const uint8_t *old;
    size_t len;
    int ret = store_db_get(db->contents, txn, ck, STORE_KEY_CHILD_LEN, pool,
                           &old, &len, DB_RMW), had, same_key;

    store_child_data(m, cd);
    if (ret != 0 && ret != DB_NOTFOUND)
        return ret;
    had = ret == 0 && len == STORE_CHILD_DATA_LEN;
    if (had && memcmp(old, cd, sizeof(cd)) == 0)
        return 0;
    same_key = had && memcmp(old, cd, STORE_SORTKEY_LEN) == 0;
    ret = 0;
    if (had && !same_key)
        ret = store_sortidx_del(db, txn, mbox, m->fid, store_kind(m), m->mid,
                                old);
    if (ret == 0 && !same_key)
        ret = store_sortidx_put(db, txn, mbox, m->fid, store_kind(m), m->mid,
                                cd);
    if (ret == 0)
        ret = store_counts_update(db, txn, pool, mbox, m->fid, store_kind(m),
                                  had ? old : NULL, cd);
    if (ret == 0)
        ret = store_db_put(db->contents, txn, ck, STORE_KEY_CHILD_LEN, cd,
                           sizeof(cd));
    return ret;
}

int store_message_write(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *mbox, const store_message *m)
{
    uint8_t k[STORE_KEY_ID_LEN], ck[STORE_KEY_CHILD_LEN];
    mapi_wr wr;
    int ret;

    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    if (store_message_encode(&wr, m) != 0)
        return EFBIG;
    store_key_id(k, mbox, m->mid);
    ret = store_db_put(db->messages, txn, k, sizeof(k), wr.buf, wr.len);
    store_key_child(ck, mbox, m->fid, store_kind(m), m->mid);
    if (ret == 0)
        ret = store_message_index(db, txn, pool, mbox, m, ck);
    return ret;
}

/* The record as read was written with its children data, so what to drop
 * from the index and the counts is what it gives. */
int store_message_remove(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                         const uint8_t *mbox, const store_message *m)
{
    uint8_t k[STORE_KEY_ID_LEN], ck[STORE_KEY_CHILD_LEN];
    uint8_t cd[STORE_CHILD_DATA_LEN];
    int ret;

    store_key_id(k, mbox, m->mid);
    store_key_child(ck, mbox, m->fid, store_kind(m), m->mid);
    store_child_data(m, cd);
    ret = store_blob_free_message(db, txn, pool, mbox, m);
    if (ret == 0)
        ret = store_db_del(db->messages, txn, k, sizeof(k));
    if (ret == 0)
        ret = store_sortidx_del(db, txn, mbox, m->fid, store_kind(m), m->mid,
                                cd);
    if (ret == 0)
        ret = store_counts_update(db, txn, pool, mbox, m->fid, store_kind(m),
                                  cd, NULL);
    return ret == 0 ? store_db_del(db->contents, txn, ck, sizeof(ck)) : ret;
}

/* PidTagMessageSize: an estimate of the stored size, which is what
 * Outlook shows and quota counts: the record and the blobs it names. */
static uint32_t store_message_size(apr_pool_t *pool, const store_message *m)
{
    mapi_wr wr;
    uint64_t n;

    mapi_wr_init(&wr, pool, STORE_MESSAGE_MAX + STORE_RECORD_MAX);
    store_message_encode(&wr, m);
    n = wr.len + store_blob_bytes(m);
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Sets what every save sets: ids, change, times, size, attach flags. */
static int store_message_stamp(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               store_mailbox_info *mi, store_message *m,
                               int created)
{
    uint64_t cn, now = store_filetime_now();
    const rop_propval *fl = store_props_get(&m->props, PidTagMessageFlags);
    uint32_t flags = fl ? fl->v.l : 0;
    int has = m->attachments && m->attachments->nelts > 0;
    int ret = store_info_alloc(db, txn, pool, mi, created ? 2 : 1, &cn);

    if (ret != 0)
        return ret;
    if (created) {
        m->mid = store_id_make(STORE_REPLID, cn++);
        store_props_set_u64(&m->props, PidTagCreationTime, now);
        store_set_source_key(&m->props, PidTagSourceKey, mi, m->mid);
    }
    store_set_source_key(&m->props, PidTagParentSourceKey, mi, m->fid);
    store_stamp_change(&m->props, mi, store_id_make(STORE_REPLID, cn));
    store_props_set_u64(&m->props, PidTagMid, m->mid);
    store_props_set_u64(&m->props, PidTagLastModificationTime, now);
    store_props_set_bool(&m->props, PidTagHasAttachments, has);
    flags = has ? flags | MSGFLAG_HASATTACH : flags & ~MSGFLAG_HASATTACH;
    if (m->associated)
        flags |= MSGFLAG_ASSOCIATED;
    store_props_set_u32(&m->props, PidTagMessageFlags, flags);
    store_props_set_u32(&m->props, PidTagMessageSize, 0);
    store_props_set_u32(&m->props, PidTagMessageSize,
                        store_message_size(pool, m));
    return 0;
}

/* --------------------------------------------------------------- get -- */

store_status store_message_get_ex(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t mid, unsigned flags,
                                  store_message **m_r, const char **error_r)
{
    const char *what = apr_psprintf(pool, "message %016llx",
                                    (unsigned long long)mid);
    store_message *m;
    int ret;

    if (flags & STORE_GET_LARGE_AS_REF)
        ret = store_message_read(db, NULL, pool, mbox, mid, &m, 0);
    else {
        /* Record and chunks in one snapshot of a transaction: a save or
         * delete between them could otherwise free a blob half read. */
        DB_TXN *txn = NULL;

        ret = db->env->txn_begin(db->env, NULL, &txn, DB_READ_COMMITTED);
        if (ret == 0)
            ret = store_message_read(db, txn, pool, mbox, mid, &m, 0);
        if (ret == 0)
            ret = store_blob_resolve_message(db, txn, pool, m);
        if (txn)
            txn->commit(txn, 0);
    }
    if (ret == 0)
        *m_r = m;
    return store_read_status(db, pool, ret, what, error_r);
}

store_status store_message_get(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t mid, store_message **m_r,
                               const char **error_r)
{
    return store_message_get_ex(db, pool, mbox, mid, 0, m_r, error_r);
}

store_status store_message_resolve(mapi_db *db, apr_pool_t *pool,
                                   store_message *m, const char **error_r)
{
    int ret = store_blob_resolve_message(db, NULL, pool, m);

    return store_read_status(db, pool, ret, "large value", error_r);
}

/* -------------------------------------------------------------- save -- */

typedef struct store_msave {
    store_txn t;
    const store_message *in;
    store_message *out;
    int created;
} store_msave;

static int store_message_save_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_msave *b = baton;
    apr_pool_t *pool = b->t.pool;
    store_mailbox_info mi;
    store_folder *f;
    store_message *old = NULL, *m;
    int ret = store_info_read(db, txn, pool, b->t.mbox, &mi, DB_RMW);

    /* Work on a copy: a retried body must start from the caller's state. */
    m = store_message_dup(pool, b->in);
    if (m == NULL)
        return store_abort(&b->t, STORE_TOO_BIG);
    if (ret == 0)
        ret = store_folder_read(db, txn, pool, b->t.mbox, m->fid, &f, 0);
    if (ret == 0 && f->deleted)
        ret = DB_NOTFOUND;
    b->created = m->mid == 0;
    if (ret == 0 && !b->created) {
        ret = store_message_read(db, txn, pool, b->t.mbox, m->mid, &old,
                                 DB_RMW);
        /* A save may not move a message: that is store_message_move. */
        if (ret == 0 && old->fid != m->fid)
            return store_abort(&b->t, STORE_INVALID);
    }
    if (ret == 0)
        ret = store_blob_sync(db, txn, pool, b->t.mbox, m,
                              b->created ? NULL : old);
    if (ret == 0)
        ret = store_message_stamp(db, txn, pool, &mi, m, b->created);
    if (ret == 0)
        ret = store_message_write(db, txn, pool, b->t.mbox, m);
    if (ret != 0)
        return store_db_fail(&b->t, ret, "save message");
    b->out = m;
    return 0;
}

store_status store_message_save(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                store_message *m, const char **error_r)
{
    store_msave b = { { .pool = pool, .mbox = mbox }, m, NULL, 0 };
    store_status st = store_run(db, store_message_save_txn, &b.t,
                                "save message", error_r);
    store_event ev = { 0 };

    if (st != STORE_OK)
        return st;
    /* The caller's working copy now carries the stored state, its own
     * values in place of the references the record got for them. */
    for (unsigned i = 0; i < b.out->props.count; i++) {
        rop_propval *v = &b.out->props.vals[i];
        const rop_propval *mine;

        if (store_blob_ref_get(v, NULL) &&
            (mine = store_props_get(&m->props, v->tag & 0xFFFF0000u)))
            *v = *mine;
    }
    m->mid = b.out->mid;
    m->props = b.out->props;
    ev.type = b.created ? STORE_EV_OBJ_CREATED : STORE_EV_OBJ_MODIFIED;
    ev.fid = m->fid;
    ev.mid = m->mid;
    ev.parent_fid = m->fid;
    store_raise(db, pool, mbox, &ev);
    return STORE_OK;
}

/* ------------------------------------------------------------ delete -- */

typedef struct store_mdel {
    store_txn t;
    uint64_t mid, fid;
} store_mdel;

static int store_message_delete_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_mdel *b = baton;
    store_message *m;
    int ret = store_message_read(db, txn, b->t.pool, b->t.mbox, b->mid, &m,
                                 DB_RMW);

    if (ret == 0) {
        b->fid = m->fid;
        ret = store_message_remove(db, txn, b->t.pool, b->t.mbox, m);
    }
    return ret ? store_db_fail(&b->t, ret, "delete message") : 0;
}

store_status store_message_delete(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t mid, const char **error_r)
{
    store_mdel b = { { .pool = pool, .mbox = mbox }, mid, 0 };
    store_status st = store_run(db, store_message_delete_txn, &b.t,
                                "delete message", error_r);

    if (st == STORE_OK) {
        store_event ev = { .type = STORE_EV_OBJ_DELETED, .fid = b.fid,
                           .mid = mid, .parent_fid = b.fid };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* -------------------------------------------------------- move, copy -- */

int store_message_clone(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *mbox, store_mailbox_info *mi,
                        const store_message *src, uint64_t dest_fid,
                        uint64_t *new_mid_r)
{
    store_message *m = store_message_dup(pool, src);
    int ret;

    if (m == NULL)
        return EFBIG;
    m->mid = 0;
    m->fid = dest_fid;
    /* A copy is a new object: its own source key, change history and
     * blobs. */
    store_props_del(&m->props, PidTagPredecessorChangeList);
    ret = store_blob_sync(db, txn, pool, mbox, m, NULL);
    if (ret == 0)
        ret = store_message_stamp(db, txn, pool, mi, m, 1);
    if (ret == 0)
        ret = store_message_write(db, txn, pool, mbox, m);
    if (ret == 0)
        *new_mid_r = m->mid;
    return ret;
}

typedef struct store_mmove {
    store_txn t;
    uint64_t mid, dest, old_fid, new_mid;
    int copy;
} store_mmove;

static int store_message_move_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_mmove *b = baton;
    apr_pool_t *pool = b->t.pool;
    store_mailbox_info mi;
    store_folder *f;
    store_message *m;
    int ret = store_info_read(db, txn, pool, b->t.mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_folder_read(db, txn, pool, b->t.mbox, b->dest, &f, 0);
    if (ret == 0 && f->deleted)
        ret = DB_NOTFOUND;
    if (ret == 0)
        ret = store_message_read(db, txn, pool, b->t.mbox, b->mid, &m,
                                 DB_RMW);
    if (ret == 0) {
        b->old_fid = m->fid;
        ret = store_message_clone(db, txn, pool, b->t.mbox, &mi, m, b->dest,
                                  &b->new_mid);
    }
    if (ret == 0 && !b->copy)
        ret = store_message_remove(db, txn, pool, b->t.mbox, m);
    return ret ? store_db_fail(&b->t, ret, "move message") : 0;
}

store_status store_message_move(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                uint64_t mid, uint64_t dest_fid, int copy,
                                uint64_t *new_mid_r, const char **error_r)
{
    store_mmove b = { { .pool = pool, .mbox = mbox }, mid, dest_fid, 0, 0,
                      copy };
    store_status st = store_run(db, store_message_move_txn, &b.t,
                                copy ? "copy message" : "move message",
                                error_r);

    if (st == STORE_OK) {
        store_event ev = { .type = copy ? STORE_EV_OBJ_COPIED
                                        : STORE_EV_OBJ_MOVED,
                           .fid = dest_fid, .mid = b.new_mid,
                           .old_fid = b.old_fid, .old_mid = mid,
                           .parent_fid = dest_fid };
        *new_mid_r = b.new_mid;
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* ------------------------------------------------------------- flags -- */

typedef struct store_mflags {
    store_txn t;
    uint64_t mid, fid;
    uint32_t set, clear, flags;
    uint32_t tag;               /* PidTagMessageFlags or PidTagMessageStatus */
    uint32_t old;
} store_mflags;

static int store_message_flags_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_mflags *b = baton;
    store_message *m;
    const rop_propval *v;
    int ret = store_message_read(db, txn, b->t.pool, b->t.mbox, b->mid, &m,
                                 DB_RMW);

    if (ret != 0)
        return store_db_fail(&b->t, ret, "set message flags");
    v = store_props_get(&m->props, b->tag);
    b->old = v ? v->v.l : 0;
    b->flags = (b->old | b->set) & ~b->clear;
    b->fid = m->fid;
    if (b->tag == PidTagMessageFlags) {
        if (b->flags & MSGFLAG_READ)
            b->flags |= MSGFLAG_EVERREAD;
        store_props_set_bool(&m->props, PidTagRead, b->flags & MSGFLAG_READ);
    }
    store_props_set_u32(&m->props, b->tag, b->flags);
    ret = store_message_write(db, txn, b->t.pool, b->t.mbox, m);
    return ret ? store_db_fail(&b->t, ret, "set message flags") : 0;
}

static store_status store_message_set_u32(mapi_db *db, apr_pool_t *pool,
                                          const uint8_t *mbox, uint64_t mid,
                                          uint32_t tag, uint32_t set,
                                          uint32_t clear, store_mflags *b,
                                          const char **error_r)
{
    store_status st;

    memset(b, 0, sizeof(*b));
    b->t.pool = pool;
    b->t.mbox = mbox;
    b->mid = mid;
    b->set = set;
    b->clear = clear;
    b->tag = tag;
    st = store_run(db, store_message_flags_txn, &b->t, "set message flags",
                   error_r);
    if (st == STORE_OK && (b->flags != b->old || tag == PidTagMessageFlags)) {
        store_event ev = { .type = STORE_EV_OBJ_MODIFIED, .fid = b->fid,
                           .mid = mid, .parent_fid = b->fid };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

store_status store_message_set_flags(mapi_db *db, apr_pool_t *pool,
                                     const uint8_t mbox[STORE_GUID_LEN],
                                     uint64_t mid, uint32_t set,
                                     uint32_t clear, uint32_t *new_flags_r,
                                     const char **error_r)
{
    store_mflags b;
    store_status st = store_message_set_u32(db, pool, mbox, mid,
                                            PidTagMessageFlags, set, clear,
                                            &b, error_r);

    if (st == STORE_OK && new_flags_r)
        *new_flags_r = b.flags;
    return st;
}

store_status store_message_set_status(mapi_db *db, apr_pool_t *pool,
                                      const uint8_t mbox[STORE_GUID_LEN],
                                      uint64_t mid, uint32_t mask,
                                      uint32_t flags, uint32_t *old_r,
                                      const char **error_r)
{
    store_mflags b;
    store_status st = store_message_set_u32(db, pool, mbox, mid,
                                            PidTagMessageStatus,
                                            flags & mask, mask & ~flags,
                                            &b, error_r);

    if (st == STORE_OK && old_r)
        *old_r = b.old;
    return st;
}

/* --------------------------------------------------------- all props -- */

/* "a; b; c" of the display names of the recipients of one type. */
static const char *store_display_list(apr_pool_t *pool,
                                      const store_message *m, uint32_t type)
{
    const char *out = "";

    for (int i = 0; m->recipients && i < m->recipients->nelts; i++) {
        const store_recipient *r =
            &APR_ARRAY_IDX(m->recipients, i, store_recipient);
        const rop_propval *t = store_props_get(&r->props, PidTagRecipientType);
        const rop_propval *n = store_props_get(&r->props, PidTagDisplayName);

        if (t == NULL || (t->v.l & 0x0F) != type || n == NULL)
            continue;
        out = *out ? apr_pstrcat(pool, out, "; ", n->v.str, NULL)
                   : apr_pstrdup(pool, n->v.str);
    }
    return out;
}

void store_message_all_props(apr_pool_t *pool, const uint8_t mbox[16],
                             const store_mailbox_info *mi,
                             const store_message *m, store_props *out)
{
    uint8_t eid[70], peid[46], ikey[8];

    store_props_copy(out, &m->props);
    store_props_set_u64(out, PidTagMid, m->mid);
    store_props_set_u64(out, PidTagFolderId, m->fid);
    if (m->mid != 0) {
        store_message_entry_id(mi, m->fid, m->mid, eid);
        store_props_set_bin(out, PidTagEntryId, eid, sizeof(eid));
        store_props_set_bin(out, PidTagRecordKey, eid, sizeof(eid));
    }
    store_folder_entry_id(mi, m->fid, peid);
    store_props_set_bin(out, PidTagParentEntryId, peid, sizeof(peid));
    for (int i = 0; i < 8; i++)
        ikey[i] = (uint8_t)(m->mid >> (8 * i));
    store_props_set_bin(out, PidTagInstanceKey, ikey, sizeof(ikey));
    if (store_props_get(out, PidTagMessageSize) == NULL)
        store_props_set_u32(out, PidTagMessageSize,
                            store_message_size(pool, m));
    store_props_set_bool(out, PidTagHasAttachments,
                         m->attachments && m->attachments->nelts > 0);
    /* [MS-OXCMSG] R353: a message not saved yet is read and modify (3);
     * a saved one in the owner's mailbox can also be deleted. */
    store_props_set_u32(out, PidTagAccess, m->mid ? 0x7 : 0x3);
    store_props_set_u32(out, PidTagAccessLevel, 1);
    store_props_set_u32(out, PidTagObjectType, MAPI_MESSAGE);
    store_props_set_u32(out, PidTagStoreSupportMask, 0x00040000);
    store_props_set_str(out, PidTagDisplayTo, store_display_list(pool, m, 1));
    store_props_set_str(out, PidTagDisplayCc, store_display_list(pool, m, 2));
    store_props_set_str(out, PidTagDisplayBcc, store_display_list(pool, m, 3));
}
