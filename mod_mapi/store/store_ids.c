/*
 * store_ids.c: identity and change tracking of the store: folder and
 * message ids ([MS-OXCDATA] 2.2.1.1), the mailbox info record that holds
 * the global counter, LongTermIds, entry ids (2.2.4), source keys, change
 * keys and predecessor change lists ([MS-OXCFXICS] 2.2.2), plus the
 * record and transaction helpers the other store files share.
 *
 * Ids and change numbers come from one counter in the mailbox info
 * record, incremented inside the caller's transaction: the record is read
 * with DB_RMW, so two writers of a mailbox serialise on it and never hand
 * out the same counter.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_time.h>

/* ------------------------------------------------------------- status -- */

const char *store_status_str(store_status st)
{
    switch (st) {
    case STORE_OK:        return "ok";
    case STORE_NOT_FOUND: return "not found";
    case STORE_EXISTS:    return "already exists";
    case STORE_INVALID:   return "invalid";
    case STORE_NOT_EMPTY: return "not empty";
    case STORE_DENIED:    return "access denied";
    case STORE_TOO_BIG:   return "too big";
    case STORE_DB_ERROR:  return "database error";
    case STORE_BUSY:      return "busy (lock not granted in time)";
    }
    return "unknown";
}

uint32_t store_status_ec(store_status st)
{
    switch (st) {
    case STORE_OK:        return MAPI_E_SUCCESS;
    case STORE_NOT_FOUND: return ecNotFound;
    case STORE_EXISTS:    return ecDuplicateName;
    case STORE_INVALID:   return ecInvalidParam;
    case STORE_NOT_EMPTY: return ecFolderHasChildren;
    case STORE_DENIED:    return ecAccessDenied;
    case STORE_TOO_BIG:   return ecTooBig;
    case STORE_DB_ERROR:  return ecError;
    case STORE_BUSY:      return ecServerBusy;
    }
    return ecError;
}

int store_abort(store_txn *t, store_status st)
{
    t->st = st;
    return MAPI_DB_ABORT;
}

/* An environment set DB_TXN_NOSYNC (a bench filling a store, a test) does
 * not sync commits, so there is nothing to flush for. */
static int store_env_syncs(mapi_db *db)
{
    u_int32_t flags = 0;

    return db->env->get_flags(db->env, &flags) != 0
           || !(flags & DB_TXN_NOSYNC);
}

store_status store_run(mapi_db *db, mapi_db_txn_fn body, store_txn *t,
                       const char *what, const char **error_r)
{
    const char *error = NULL;
    int ret;

    t->st = STORE_OK;
    t->error = NULL;
    /* Committed without waiting for the disk, then the log flushed before
     * the caller hears of it: as durable when this returns as a synced
     * commit, but the locks go at commit, not after the fsync, so
     * concurrent writers of one mailbox (deliveries into one Inbox) share
     * fsyncs instead of queueing behind each other's (group commit). */
    ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, body, t, t->pool, &error);
    if (ret == 0 && store_env_syncs(db)
        && (ret = db->env->log_flush(db->env, NULL)) != 0) {
        if (error_r)
            *error_r = mapi_db_strerror(t->pool, db, apr_pstrcat(t->pool,
                "mailbox store: ", what, ": log flush", NULL), ret);
        return STORE_DB_ERROR;
    }
    if (ret == 0)
        return STORE_OK;
    if (ret == MAPI_DB_ABORT) {
        if (t->error && error_r)
            *error_r = t->error;
        return t->st;
    }
    if (error_r)
        *error_r = apr_psprintf(t->pool, "mailbox store: %s: %s", what,
                                error ? error : "failed");
    return ret == MAPI_DB_BUSY ? STORE_BUSY : STORE_DB_ERROR;
}

/* ---------------------------------------------------------------- ids -- */

uint64_t store_id_make(uint16_t replid, uint64_t counter)
{
    uint64_t id = replid;

    /* Bytes 2..7 of the little-endian u64 hold the counter big-endian. */
    for (int i = 0; i < 6; i++)
        id |= ((counter >> (8 * (5 - i))) & 0xFF) << (8 * (2 + i));
    return id;
}

uint64_t store_id_counter(uint64_t id)
{
    uint64_t c = 0;

    for (int i = 0; i < 6; i++)
        c = (c << 8) | ((id >> (8 * (2 + i))) & 0xFF);
    return c;
}

void store_counter_bytes(uint64_t counter, uint8_t out[6])
{
    for (int i = 0; i < 6; i++)
        out[i] = (uint8_t)(counter >> (8 * (5 - i)));
}

uint64_t store_counter_from(const uint8_t in[6])
{
    uint64_t c = 0;

    for (int i = 0; i < 6; i++)
        c = (c << 8) | in[i];
    return c;
}

void store_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * (7 - i)));
}

uint64_t store_rd_be64(const uint8_t in[8])
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

/* Keys hold ids big-endian so that a cursor walks them in id order;
 * the counter is the significant part, hence ordering by counter. */
void store_key_id(uint8_t out[STORE_KEY_ID_LEN], const uint8_t *mbox,
                  uint64_t id)
{
    memcpy(out, mbox, STORE_GUID_LEN);
    store_be64(out + STORE_GUID_LEN, id);
}

void store_key_child(uint8_t out[STORE_KEY_CHILD_LEN], const uint8_t *mbox,
                     uint64_t parent, uint8_t kind, uint64_t id)
{
    memcpy(out, mbox, STORE_GUID_LEN);
    store_be64(out + STORE_GUID_LEN, parent);
    out[STORE_GUID_LEN + 8] = kind;
    store_be64(out + STORE_GUID_LEN + 9, id);
}

/* ------------------------------------------------------------ records -- */

static void store_dbt(DBT *d, const void *data, size_t len)
{
    memset(d, 0, sizeof(*d));
    d->data = (void *)data;
    d->size = (u_int32_t)len;
}

int store_db_get(DB *d, DB_TXN *txn, const void *k, size_t klen,
                 apr_pool_t *pool, const uint8_t **data_r, size_t *len_r,
                 u_int32_t flags)
{
    DBT key, val;
    int ret;

    store_dbt(&key, k, klen);
    store_dbt(&val, NULL, 0);
    val.flags = DB_DBT_MALLOC;
    ret = d->get(d, txn, &key, &val, flags);
    if (ret != 0)
        return ret;
    if (val.size > STORE_RECORD_MAX) {
        free(val.data);
        return EINVAL;
    }
    *data_r = apr_pmemdup(pool, val.size ? val.data : (void *)"",
                          val.size ? val.size : 1);
    *len_r = val.size;
    free(val.data);
    return 0;
}

int store_db_put(DB *d, DB_TXN *txn, const void *k, size_t klen,
                 const void *data, size_t len)
{
    DBT key, val;

    if (len > STORE_RECORD_MAX)
        return EFBIG;
    store_dbt(&key, k, klen);
    store_dbt(&val, data, len);
    return d->put(d, txn, &key, &val, 0);
}

int store_db_del(DB *d, DB_TXN *txn, const void *k, size_t klen)
{
    DBT key;
    int ret;

    store_dbt(&key, k, klen);
    ret = d->del(d, txn, &key, 0);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int store_db_fail(store_txn *t, int ret, const char *what)
{
    if (ret == DB_NOTFOUND)
        return store_abort(t, STORE_NOT_FOUND);
    if (ret == DB_KEYEXIST)
        return store_abort(t, STORE_EXISTS);
    if (ret == EFBIG) {
        t->error = apr_psprintf(t->pool, "mailbox store: %s: the record "
                                "is larger than %u bytes", what,
                                STORE_RECORD_MAX);
        return store_abort(t, STORE_TOO_BIG);
    }
    if (ret == EINVAL) {
        t->error = apr_psprintf(t->pool, "mailbox store: %s: the record "
                                "is malformed", what);
        return store_abort(t, STORE_DB_ERROR);
    }
    return ret;    /* deadlocks are retried, the rest reported */
}

store_status store_read_status(mapi_db *db, apr_pool_t *pool, int ret,
                               const char *what, const char **error_r)
{
    if (ret == 0)
        return STORE_OK;
    if (ret == DB_NOTFOUND)
        return STORE_NOT_FOUND;
    if (ret == DB_LOCK_NOTGRANTED) {    /* a stuck writer holds the page */
        if (error_r)
            *error_r = apr_psprintf(pool, "mailbox store: read %s: a lock "
                                    "was not granted in time (a stuck "
                                    "process holds it)", what);
        return STORE_BUSY;
    }
    if (error_r)
        *error_r = ret == EINVAL
            ? apr_psprintf(pool, "mailbox store: %s: the record is "
                           "malformed", what)
            : mapi_db_strerror(pool, db, apr_pstrcat(pool, "read ", what,
                                                     NULL), ret);
    return STORE_DB_ERROR;
}

int store_db_keys(DB *d, DB_TXN *txn, const void *prefix, size_t plen,
                  apr_pool_t *pool, apr_array_header_t **keys_r)
{
    apr_array_header_t *keys = apr_array_make(pool, 16, sizeof(rop_bin));
    DBC *cur;
    DBT key, val;
    uint8_t kbuf[512];
    int ret;

    if (plen > sizeof(kbuf))
        return EINVAL;
    ret = d->cursor(d, txn, &cur, 0);
    if (ret != 0)
        return ret;
    memcpy(kbuf, prefix, plen);
    store_dbt(&key, kbuf, plen);
    key.ulen = sizeof(kbuf);
    key.flags = DB_DBT_USERMEM;
    store_dbt(&val, NULL, 0);
    /* Keys only: the values are not needed for a listing. */
    val.flags = DB_DBT_PARTIAL;
    for (ret = cur->get(cur, &key, &val, DB_SET_RANGE); ret == 0;
         ret = cur->get(cur, &key, &val, DB_NEXT)) {
        rop_bin *b;

        if (key.size < plen || memcmp(kbuf, prefix, plen) != 0)
            break;
        b = apr_array_push(keys);
        b->len = key.size;
        b->data = apr_pmemdup(pool, kbuf, key.size);
    }
    cur->close(cur);
    if (ret != 0 && ret != DB_NOTFOUND)
        return ret == DB_BUFFER_SMALL ? EINVAL : ret;
    *keys_r = keys;
    return 0;
}

/* --------------------------------------------------- mailbox info rec -- */

static int store_info_encode(mapi_wr *wr, const store_mailbox_info *mi)
{
    mapi_wr_u8(wr, STORE_RECORD_VERSION);
    mapi_wr_bytes(wr, mi->mailbox_guid, STORE_GUID_LEN);
    mapi_wr_bytes(wr, mi->replica_guid, STORE_GUID_LEN);
    mapi_wr_bytes(wr, mi->per_user_guid, STORE_GUID_LEN);
    mapi_wr_u32(wr, STORE_FOLDER_COUNT);
    for (int i = 0; i < STORE_FOLDER_COUNT; i++)
        mapi_wr_u64(wr, mi->folder_ids[i]);
    mapi_wr_u64(wr, mi->next_counter);
    mapi_wr_u16(wr, mi->next_named_id);
    mapi_wr_u64(wr, (uint64_t)mi->created);
    if (store_props_encode(wr, &mi->props) != 0)
        return -1;
    return wr->failed ? -1 : 0;
}

int store_info_decode(const uint8_t *data, size_t len, apr_pool_t *pool,
                      store_mailbox_info *mi)
{
    mapi_rd rd;
    uint8_t version = 0;
    uint32_t nf = 0;
    uint64_t created = 0;

    memset(mi, 0, sizeof(*mi));
    store_props_init(&mi->props, pool);
    mapi_rd_init(&rd, data, len);
    if (mapi_rd_u8(&rd, &version) != 0 || version != STORE_RECORD_VERSION)
        return -1;
    mapi_rd_bytes(&rd, mi->mailbox_guid, STORE_GUID_LEN);
    mapi_rd_bytes(&rd, mi->replica_guid, STORE_GUID_LEN);
    mapi_rd_bytes(&rd, mi->per_user_guid, STORE_GUID_LEN);
    if (mapi_rd_u32(&rd, &nf) != 0 || nf != STORE_FOLDER_COUNT)
        return -1;
    for (int i = 0; i < STORE_FOLDER_COUNT; i++)
        mapi_rd_u64(&rd, &mi->folder_ids[i]);
    mapi_rd_u64(&rd, &mi->next_counter);
    mapi_rd_u16(&rd, &mi->next_named_id);
    mapi_rd_u64(&rd, &created);
    if (rd.failed || store_props_decode(&rd, pool, &mi->props) != 0 ||
        mapi_rd_left(&rd) != 0)
        return -1;
    mi->created = (apr_time_t)created;
    return 0;
}

static void store_info_key(uint8_t out[STORE_GUID_LEN + 4],
                           const uint8_t *mbox)
{
    memcpy(out, mbox, STORE_GUID_LEN);
    memcpy(out + STORE_GUID_LEN, "info", 4);
}

int store_info_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *mbox, store_mailbox_info *mi,
                    u_int32_t flags)
{
    uint8_t k[STORE_GUID_LEN + 4];
    const uint8_t *data;
    size_t len;
    int ret;

    store_info_key(k, mbox);
    ret = store_db_get(db->meta, txn, k, sizeof(k), pool, &data, &len, flags);
    if (ret != 0)
        return ret;
    return store_info_decode(data, len, pool, mi) == 0 ? 0 : EINVAL;
}

int store_info_write(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                     const store_mailbox_info *mi)
{
    uint8_t k[STORE_GUID_LEN + 4];
    mapi_wr wr;

    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    if (store_info_encode(&wr, mi) != 0)
        return EFBIG;
    store_info_key(k, mi->mailbox_guid);
    return store_db_put(db->meta, txn, k, sizeof(k), wr.buf, wr.len);
}

int store_info_alloc(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                     store_mailbox_info *mi, unsigned n, uint64_t *first_r)
{
    /* 48 bits of counter: a mailbox never gets there, but a corrupt
     * record must not wrap into ids that are taken. */
    if (n == 0 || mi->next_counter + n > 0xFFFFFFFFFFFFull)
        return EINVAL;
    *first_r = mi->next_counter;
    mi->next_counter += n;
    return store_info_write(db, txn, pool, mi);
}

store_status store_alloc_ids(mapi_db *db, DB_TXN *txn,
                             const uint8_t mbox[STORE_GUID_LEN], unsigned n,
                             uint64_t *first_r)
{
    apr_pool_t *pool;
    store_mailbox_info mi;
    int ret;

    /* A scratch pool of its own (not a child of db->pool, which threads
     * share): the caller's transaction has none. */
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return STORE_DB_ERROR;
    ret = store_info_read(db, txn, pool, mbox, &mi, DB_RMW);
    if (ret == 0)
        ret = store_info_alloc(db, txn, pool, &mi, n, first_r);
    apr_pool_destroy(pool);
    if (ret == DB_NOTFOUND)
        return STORE_NOT_FOUND;
    if (ret == DB_LOCK_NOTGRANTED)    /* the counter's holder is stuck */
        return STORE_BUSY;
    return ret == 0 ? STORE_OK : STORE_DB_ERROR;
}

/* -------------------------------------------------------- time, xids -- */

uint64_t store_filetime(apr_time_t t)
{
    /* 11644473600 s between 1601-01-01 and 1970-01-01. */
    return (uint64_t)t * 10 + 116444736000000000ull;
}

uint64_t store_filetime_now(void)
{
    return store_filetime(apr_time_now());
}

void store_xid(const store_mailbox_info *mi, uint64_t counter,
               uint8_t out[STORE_XID_LEN])
{
    memcpy(out, mi->replica_guid, STORE_GUID_LEN);
    store_counter_bytes(counter, out + STORE_GUID_LEN);
}

void store_set_source_key(store_props *p, uint32_t tag,
                          const store_mailbox_info *mi, uint64_t id)
{
    uint8_t xid[STORE_XID_LEN];

    store_xid(mi, store_id_counter(id), xid);
    store_props_set_bin(p, tag, xid, sizeof(xid));
}

/* One entry of a PCL: its XID bytes (guid + local id). */
typedef struct store_pcl_entry {
    const uint8_t *xid;
    uint8_t len;
} store_pcl_entry;

static int store_pcl_parse(const rop_bin *b, apr_array_header_t *out)
{
    mapi_rd rd;

    if (b == NULL || b->data == NULL)
        return 0;
    mapi_rd_init(&rd, b->data, b->len);
    while (mapi_rd_left(&rd) > 0) {
        store_pcl_entry e;

        /* An XID is a GUID and a local id of 1 to 8 bytes. */
        if (mapi_rd_u8(&rd, &e.len) != 0 || e.len <= STORE_GUID_LEN ||
            e.len > STORE_GUID_LEN + 8 || mapi_rd_view(&rd, e.len, &e.xid))
            return -1;
        *(store_pcl_entry *)apr_array_push(out) = e;
    }
    return 0;
}

/* Compares local ids as unsigned big-endian numbers. */
static int store_local_id_cmp(const store_pcl_entry *a,
                              const store_pcl_entry *b)
{
    unsigned la = a->len - STORE_GUID_LEN, lb = b->len - STORE_GUID_LEN;

    if (la != lb)
        return la < lb ? -1 : 1;
    return memcmp(a->xid + STORE_GUID_LEN, b->xid + STORE_GUID_LEN, la);
}

static int store_pcl_entry_cmp(const void *x, const void *y)
{
    return memcmp(((const store_pcl_entry *)x)->xid,
                  ((const store_pcl_entry *)y)->xid, STORE_GUID_LEN);
}

int store_pcl_merge(apr_pool_t *pool, const rop_bin *a, const rop_bin *b,
                    rop_bin *out)
{
    apr_array_header_t *all = apr_array_make(pool, 4,
                                             sizeof(store_pcl_entry));
    store_pcl_entry *e;
    uint8_t *buf;
    size_t len = 0;
    int kept = 0;

    if (store_pcl_parse(a, all) != 0 || store_pcl_parse(b, all) != 0)
        return -1;
    e = (store_pcl_entry *)all->elts;
    qsort(e, (size_t)all->nelts, sizeof(*e), store_pcl_entry_cmp);
    /* Keep the highest change of every GUID. */
    for (int i = 0; i < all->nelts; i++) {
        if (kept > 0 && store_pcl_entry_cmp(&e[kept - 1], &e[i]) == 0) {
            if (store_local_id_cmp(&e[i], &e[kept - 1]) > 0)
                e[kept - 1] = e[i];
            continue;
        }
        e[kept++] = e[i];
    }
    buf = apr_palloc(pool, (size_t)kept * (STORE_GUID_LEN + 9) + 1);
    for (int i = 0; i < kept; i++) {
        buf[len++] = e[i].len;
        memcpy(buf + len, e[i].xid, e[i].len);
        len += e[i].len;
    }
    out->data = buf;
    out->len = (uint32_t)len;
    return 0;
}

void store_stamp_change(store_props *p, const store_mailbox_info *mi,
                        uint64_t cn)
{
    uint8_t xid[STORE_XID_LEN], sized[STORE_XID_LEN + 1];
    const rop_propval *old = store_props_get(p, PidTagPredecessorChangeList);
    rop_bin mine = { sizeof(sized), sized }, merged;

    store_xid(mi, store_id_counter(cn), xid);
    sized[0] = STORE_XID_LEN;
    memcpy(sized + 1, xid, STORE_XID_LEN);
    store_props_set_u64(p, PidTagChangeNumber, cn);
    store_props_set_bin(p, PidTagChangeKey, xid, sizeof(xid));
    /* A malformed stored list is replaced rather than kept: it would
     * break every later synchronisation of the object. */
    if (old == NULL || store_pcl_merge(p->pool, &old->v.bin, &mine,
                                       &merged) != 0)
        merged = mine;
    store_props_set_bin(p, PidTagPredecessorChangeList, merged.data,
                        merged.len);
}

/* ---------------------------------------------------- LTIDs, entry ids -- */

store_status store_ltid_from_id(const store_mailbox_info *mi, uint64_t id,
                                rop_long_term_id *ltid_r)
{
    if (STORE_ID_REPLID(id) != STORE_REPLID)
        return STORE_NOT_FOUND;
    memcpy(ltid_r->database_guid, mi->replica_guid, STORE_GUID_LEN);
    store_counter_bytes(store_id_counter(id), ltid_r->global_counter);
    ltid_r->pad = 0;
    return STORE_OK;
}

store_status store_id_from_ltid(const store_mailbox_info *mi,
                                const rop_long_term_id *ltid,
                                uint64_t *id_r)
{
    if (memcmp(ltid->database_guid, mi->replica_guid, STORE_GUID_LEN) != 0)
        return STORE_NOT_FOUND;
    *id_r = store_id_make(STORE_REPLID,
                          store_counter_from(ltid->global_counter));
    return STORE_OK;
}

#define STORE_EIT_FOLDER   0x0001   /* eitLTPrivateFolder */
#define STORE_EIT_MESSAGE  0x0007   /* eitLTPrivateMessage */

/* Database guid, counter and pad of one object, written into wr. */
static void store_wr_gc(mapi_wr *wr, const store_mailbox_info *mi,
                        uint64_t id)
{
    uint8_t gc[6];

    store_counter_bytes(store_id_counter(id), gc);
    mapi_wr_bytes(wr, mi->replica_guid, STORE_GUID_LEN);
    mapi_wr_bytes(wr, gc, sizeof(gc));
    mapi_wr_zero(wr, 2);
}

void store_folder_entry_id(const store_mailbox_info *mi, uint64_t fid,
                           uint8_t out[46])
{
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, out, 46);
    mapi_wr_zero(&wr, 4);
    mapi_wr_bytes(&wr, mi->mailbox_guid, STORE_GUID_LEN);
    mapi_wr_u16(&wr, STORE_EIT_FOLDER);
    store_wr_gc(&wr, mi, fid);
}

void store_message_entry_id(const store_mailbox_info *mi, uint64_t fid,
                            uint64_t mid, uint8_t out[70])
{
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, out, 70);
    mapi_wr_zero(&wr, 4);
    mapi_wr_bytes(&wr, mi->mailbox_guid, STORE_GUID_LEN);
    mapi_wr_u16(&wr, STORE_EIT_MESSAGE);
    store_wr_gc(&wr, mi, fid);
    store_wr_gc(&wr, mi, mid);
}

/* Reads a database guid, counter and pad; -1 unless it is our replica. */
static int store_rd_gc(mapi_rd *rd, const store_mailbox_info *mi,
                       uint64_t *id_r)
{
    uint8_t guid[STORE_GUID_LEN], gc[6];
    uint16_t pad;

    if (mapi_rd_bytes(rd, guid, sizeof(guid)) != 0 ||
        mapi_rd_bytes(rd, gc, sizeof(gc)) != 0 ||
        mapi_rd_u16(rd, &pad) != 0 ||
        memcmp(guid, mi->replica_guid, STORE_GUID_LEN) != 0)
        return -1;
    *id_r = store_id_make(STORE_REPLID, store_counter_from(gc));
    return 0;
}

int store_entry_id_parse(const store_mailbox_info *mi, const uint8_t *data,
                         size_t len, uint64_t *fid_r, uint64_t *mid_r)
{
    mapi_rd rd;
    uint32_t flags;
    uint8_t provider[STORE_GUID_LEN];
    uint16_t type;
    uint64_t fid = 0, mid = 0;

    if (data == NULL || (len != 46 && len != 70))
        return -1;
    mapi_rd_init(&rd, data, len);
    if (mapi_rd_u32(&rd, &flags) != 0 ||
        mapi_rd_bytes(&rd, provider, sizeof(provider)) != 0 ||
        mapi_rd_u16(&rd, &type) != 0 ||
        memcmp(provider, mi->mailbox_guid, STORE_GUID_LEN) != 0)
        return -1;
    if (type == STORE_EIT_FOLDER && len == 46) {
        if (store_rd_gc(&rd, mi, &fid) != 0)
            return -1;
    } else if (type == STORE_EIT_MESSAGE && len == 70) {
        if (store_rd_gc(&rd, mi, &fid) != 0 ||
            store_rd_gc(&rd, mi, &mid) != 0)
            return -1;
    } else {
        return -1;
    }
    *fid_r = fid;
    *mid_r = mid;
    return 0;
}
