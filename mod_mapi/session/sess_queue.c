/*
 * sess_queue.c: subscription index and notification queues of sessions.
 * See sess_queue.h for the keys.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "sess_queue.h"

#include <errno.h>
#include <string.h>
#include <apr_strings.h>
#include "wire/mapi_rd.h"

#define SUB_VERSION   1
#define NOTE_VERSION  1

#define SUB_KEY_LEN   (SESS_MBOX_LEN + 1 + SESS_ID_LEN + 4)       /* 37 */
#define QHDR_KEY_LEN  (1 + SESS_ID_LEN)                           /* 17 */
#define QITEM_KEY_LEN (QHDR_KEY_LEN + 1 + 8)                      /* 26 */
#define QMARK_KEY_LEN (QHDR_KEY_LEN + 1 + 4)                      /* 22 */
#define QREV_KEY_LEN  (QHDR_KEY_LEN + 1 + SESS_MBOX_LEN + 4)      /* 38 */
#define KEY_MAX       40

/* ---------------------------------------------------------- keys -- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

/* Big-endian so that a cursor walks a queue in sequence order. */
static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static size_t sub_key(uint8_t *k, const uint8_t *mbox, const uint8_t *sid,
                      uint32_t handle)
{
    memcpy(k, mbox, SESS_MBOX_LEN);
    k[SESS_MBOX_LEN] = 'S';
    memcpy(k + SESS_MBOX_LEN + 1, sid, SESS_ID_LEN);
    put_be32(k + SESS_MBOX_LEN + 1 + SESS_ID_LEN, handle);
    return SUB_KEY_LEN;
}

/* 'Q' + sid, then the record kind's tag when tag is not 0. */
static size_t q_key(uint8_t *k, const uint8_t *sid, uint8_t tag)
{
    k[0] = 'Q';
    memcpy(k + 1, sid, SESS_ID_LEN);
    if (!tag)
        return QHDR_KEY_LEN;
    k[QHDR_KEY_LEN] = tag;
    return QHDR_KEY_LEN + 1;
}

static size_t item_key(uint8_t *k, const uint8_t *sid, uint64_t seq)
{
    q_key(k, sid, 'I');
    put_be64(k + QHDR_KEY_LEN + 1, seq);
    return QITEM_KEY_LEN;
}

static size_t mark_key(uint8_t *k, const uint8_t *sid, uint32_t handle)
{
    q_key(k, sid, 'C');
    put_be32(k + QHDR_KEY_LEN + 1, handle);
    return QMARK_KEY_LEN;
}

static size_t rev_key(uint8_t *k, const uint8_t *sid, const uint8_t *mbox,
                      uint32_t handle)
{
    q_key(k, sid, 'S');
    memcpy(k + QHDR_KEY_LEN + 1, mbox, SESS_MBOX_LEN);
    put_be32(k + QHDR_KEY_LEN + 1 + SESS_MBOX_LEN, handle);
    return QREV_KEY_LEN;
}

static void dbt_set(DBT *d, const void *data, size_t len)
{
    memset(d, 0, sizeof(*d));
    d->data = (void *)data;
    d->size = (u_int32_t)len;
}

static int meta_put(mapi_db *db, DB_TXN *txn, const uint8_t *k, size_t klen,
                    const void *v, size_t vlen)
{
    DBT key, val;

    dbt_set(&key, k, klen);
    dbt_set(&val, v, vlen);
    return db->meta->put(db->meta, txn, &key, &val, 0);
}

/* Deleting what is not there is not an error here. */
static int meta_del(mapi_db *db, DB_TXN *txn, const uint8_t *k, size_t klen)
{
    DBT key;
    int ret;

    dbt_set(&key, k, klen);
    ret = db->meta->del(db->meta, txn, &key, 0);
    return ret == DB_NOTFOUND ? 0 : ret;
}

static int run(mapi_db *db, apr_pool_t *pool, mapi_db_txn_fn fn, void *baton,
               const char **error_r)
{
    const char *err = NULL;

    if (mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, fn, baton, pool, &err) == 0)
        return 0;
    if (error_r)
        *error_r = err ? err : "notification queue: transaction aborted";
    return -1;
}

/* -------------------------------------------------- subscriptions -- */

typedef struct sub_baton {
    const uint8_t *mbox;
    const sess_sub *sub;
    const uint8_t *sid;
    uint32_t handle;
    apr_pool_t *pool;
    apr_array_header_t *out;
} sub_baton;

static int sub_put_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sub_baton *b = baton;
    const sess_sub *s = b->sub;
    uint8_t k[KEY_MAX], v[32];
    mapi_wr wr;
    size_t klen;
    int ret;

    mapi_wr_init_fixed(&wr, v, sizeof(v));
    mapi_wr_u8(&wr, SUB_VERSION);
    mapi_wr_u8(&wr, s->logon_id);
    mapi_wr_u16(&wr, s->mask);
    mapi_wr_u8(&wr, s->whole_store);
    mapi_wr_u64(&wr, s->fid);
    mapi_wr_u64(&wr, s->mid);
    if (wr.failed)
        return EINVAL;
    klen = sub_key(k, b->mbox, s->sid, s->handle);
    if ((ret = meta_put(db, txn, k, klen, v, wr.len)) != 0)
        return ret;
    klen = rev_key(k, s->sid, b->mbox, s->handle);
    return meta_put(db, txn, k, klen, "", 0);
}

int sess_sub_put(mapi_db *db, apr_pool_t *pool,
                 const uint8_t mbox[SESS_MBOX_LEN], const sess_sub *sub,
                 const char **error_r)
{
    sub_baton b = { .mbox = mbox, .sub = sub };

    return run(db, pool, sub_put_txn, &b, error_r);
}

static int sub_del_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sub_baton *b = baton;
    uint8_t k[KEY_MAX];
    int ret;

    ret = meta_del(db, txn, k, sub_key(k, b->mbox, b->sid, b->handle));
    if (ret == 0)
        ret = meta_del(db, txn, k, rev_key(k, b->sid, b->mbox, b->handle));
    return ret;
}

int sess_sub_del(mapi_db *db, apr_pool_t *pool,
                 const uint8_t mbox[SESS_MBOX_LEN],
                 const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                 const char **error_r)
{
    sub_baton b = { .mbox = mbox, .sid = sid, .handle = handle };

    return run(db, pool, sub_del_txn, &b, error_r);
}

/* A record that does not decode is skipped: it names no live object. */
static int sub_decode(const DBT *key, const DBT *val, sess_sub *s)
{
    uint8_t version = 0, be[4];
    mapi_rd rd;

    if (key->size != SUB_KEY_LEN)
        return -1;
    mapi_rd_init(&rd, key->data, key->size);
    mapi_rd_skip(&rd, SESS_MBOX_LEN + 1);
    mapi_rd_bytes(&rd, s->sid, SESS_ID_LEN);
    if (mapi_rd_bytes(&rd, be, sizeof(be)) < 0)
        return -1;
    s->handle = get_be32(be);
    mapi_rd_init(&rd, val->data, val->size);
    mapi_rd_u8(&rd, &version);
    mapi_rd_u8(&rd, &s->logon_id);
    mapi_rd_u16(&rd, &s->mask);
    mapi_rd_u8(&rd, &s->whole_store);
    mapi_rd_u64(&rd, &s->fid);
    mapi_rd_u64(&rd, &s->mid);
    return rd.failed || version != SUB_VERSION ? -1 : 0;
}

static int sub_list_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sub_baton *b = baton;
    uint8_t prefix[SESS_MBOX_LEN + 1];
    DBT key, val;
    DBC *cur;
    u_int32_t op = DB_SET_RANGE;
    int ret;

    b->out = apr_array_make(b->pool, 4, sizeof(sess_sub));
    memcpy(prefix, b->mbox, SESS_MBOX_LEN);
    prefix[SESS_MBOX_LEN] = 'S';
    if ((ret = db->meta->cursor(db->meta, txn, &cur, 0)) != 0)
        return ret;
    dbt_set(&key, prefix, sizeof(prefix));
    memset(&val, 0, sizeof(val));
    while ((ret = cur->get(cur, &key, &val, op)) == 0) {
        sess_sub s;

        op = DB_NEXT;
        if (key.size < sizeof(prefix)
            || memcmp(key.data, prefix, sizeof(prefix)) != 0)
            break;
        if (sub_decode(&key, &val, &s) == 0)
            *(sess_sub *)apr_array_push(b->out) = s;
    }
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int sess_sub_list(mapi_db *db, apr_pool_t *pool,
                  const uint8_t mbox[SESS_MBOX_LEN],
                  apr_array_header_t **subs_r, const char **error_r)
{
    sub_baton b = { .mbox = mbox, .pool = pool };
    int ret = run(db, pool, sub_list_txn, &b, error_r);

    *subs_r = b.out ? b.out : apr_array_make(pool, 1, sizeof(sess_sub));
    return ret;
}

/* ---------------------------------------------------------- queue -- */

typedef struct q_header {
    uint64_t next;               /* sequence of the next notification */
    uint32_t count;
    uint32_t dropped;
} q_header;

static int q_header_get(mapi_db *db, DB_TXN *txn, const uint8_t *sid,
                        q_header *h)
{
    uint8_t k[KEY_MAX], v[16];
    DBT key, val;
    mapi_rd rd;
    int ret;

    memset(h, 0, sizeof(*h));
    h->next = 1;
    dbt_set(&key, k, q_key(k, sid, 0));
    memset(&val, 0, sizeof(val));
    val.data = v;
    val.ulen = sizeof(v);
    val.flags = DB_DBT_USERMEM;
    ret = db->meta->get(db->meta, txn, &key, &val, DB_RMW);
    if (ret == DB_NOTFOUND)
        return 0;
    if (ret != 0)
        return ret;
    mapi_rd_init(&rd, v, val.size);
    mapi_rd_u64(&rd, &h->next);
    mapi_rd_u32(&rd, &h->count);
    mapi_rd_u32(&rd, &h->dropped);
    if (rd.failed) {             /* unreadable: start over */
        memset(h, 0, sizeof(*h));
        h->next = 1;
    }
    return 0;
}

static int q_header_put(mapi_db *db, DB_TXN *txn, const uint8_t *sid,
                        const q_header *h)
{
    uint8_t k[KEY_MAX], v[16];
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, v, sizeof(v));
    mapi_wr_u64(&wr, h->next);
    mapi_wr_u32(&wr, h->count);
    mapi_wr_u32(&wr, h->dropped);
    return meta_put(db, txn, k, q_key(k, sid, 0), v, wr.len);
}

static int note_decode(const DBT *val, sess_note *n)
{
    uint8_t version = 0;
    uint16_t len = 0;
    mapi_rd rd;

    mapi_rd_init(&rd, val->data, val->size);
    mapi_rd_u8(&rd, &version);
    mapi_rd_u32(&rd, &n->handle);
    mapi_rd_u8(&rd, &n->logon_id);
    mapi_rd_u8(&rd, &n->coalesce);
    mapi_rd_u16(&rd, &len);
    mapi_rd_view(&rd, len, &n->data);
    n->len = len;
    return rd.failed || version != NOTE_VERSION ? -1 : 0;
}

/* Positions cur on the oldest notification of the session. */
static int q_first(DBC *cur, const uint8_t *sid, uint8_t *kbuf, DBT *key,
                   DBT *val, u_int32_t op)
{
    int ret;

    if (op == DB_SET_RANGE) {
        dbt_set(key, kbuf, item_key(kbuf, sid, 0));
    }
    memset(val, 0, sizeof(*val));
    ret = cur->get(cur, key, val, op | DB_RMW);
    if (ret != 0)
        return ret;
    if (key->size != QITEM_KEY_LEN || ((uint8_t *)key->data)[0] != 'Q'
        || memcmp((uint8_t *)key->data + 1, sid, SESS_ID_LEN) != 0
        || ((uint8_t *)key->data)[QHDR_KEY_LEN] != 'I')
        return DB_NOTFOUND;
    return 0;
}

/* Deletes the notification under cur and its coalesce mark. */
static int q_del_current(mapi_db *db, DB_TXN *txn, DBC *cur,
                         const uint8_t *sid, const DBT *val)
{
    uint8_t k[KEY_MAX];
    sess_note n;
    int coalesce = note_decode(val, &n) == 0 && n.coalesce;
    int ret = cur->del(cur, 0);

    if (ret == 0 && coalesce)
        ret = meta_del(db, txn, k, mark_key(k, sid, n.handle));
    return ret;
}

/* Overflow: the oldest goes; the client learns of the gap through the
 * dropped count (logged at delivery). */
static int q_drop_oldest(mapi_db *db, DB_TXN *txn, const uint8_t *sid,
                         q_header *h)
{
    uint8_t k[KEY_MAX];
    DBT key, val;
    DBC *cur;
    int ret = db->meta->cursor(db->meta, txn, &cur, 0);

    if (ret != 0)
        return ret;
    ret = q_first(cur, sid, k, &key, &val, DB_SET_RANGE);
    if (ret == 0)
        ret = q_del_current(db, txn, cur, sid, &val);
    cur->close(cur);
    if (ret == DB_NOTFOUND) {    /* header and items disagree: trust items */
        h->count = 0;
        return 0;
    }
    if (ret == 0) {
        h->count--;
        h->dropped++;
    }
    return ret;
}

typedef struct q_baton {
    const uint8_t *sid;
    const sess_note *note;
    int queued;
    apr_pool_t *pool;
    size_t budget, overhead;
    apr_array_header_t *out;
    int more;
    uint32_t count, dropped;
} q_baton;

static int q_mark_exists(mapi_db *db, DB_TXN *txn, const uint8_t *sid,
                         uint32_t handle)
{
    uint8_t k[KEY_MAX], v[4];
    DBT key, val;
    int ret;

    dbt_set(&key, k, mark_key(k, sid, handle));
    memset(&val, 0, sizeof(val));
    val.data = v;
    val.ulen = sizeof(v);
    val.flags = DB_DBT_USERMEM;    /* a mark's value is empty */
    ret = db->meta->get(db->meta, txn, &key, &val, DB_RMW);
    return ret == 0 ? 1 : ret == DB_NOTFOUND ? 0 : -ret;
}

static int q_push_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    q_baton *b = baton;
    const sess_note *n = b->note;
    uint8_t k[KEY_MAX], v[16 + SESS_NOTE_DATA_MAX];
    q_header h;
    mapi_wr wr;
    int ret;

    b->queued = 0;
    if (n->coalesce && (ret = q_mark_exists(db, txn, b->sid, n->handle)) != 0)
        return ret > 0 ? 0 : -ret;
    if ((ret = q_header_get(db, txn, b->sid, &h)) != 0)
        return ret;
    mapi_wr_init_fixed(&wr, v, sizeof(v));
    mapi_wr_u8(&wr, NOTE_VERSION);
    mapi_wr_u32(&wr, n->handle);
    mapi_wr_u8(&wr, n->logon_id);
    mapi_wr_u8(&wr, n->coalesce);
    mapi_wr_u16(&wr, (uint16_t)n->len);
    mapi_wr_bytes(&wr, n->data, n->len);
    if (wr.failed)
        return EINVAL;
    if ((ret = meta_put(db, txn, k, item_key(k, b->sid, h.next), v, wr.len)))
        return ret;
    if (n->coalesce
        && (ret = meta_put(db, txn, k, mark_key(k, b->sid, n->handle), "", 0)))
        return ret;
    h.next++;
    h.count++;
    while (h.count > SESS_QUEUE_MAX)
        if ((ret = q_drop_oldest(db, txn, b->sid, &h)) != 0)
            return ret;
    b->queued = 1;
    return q_header_put(db, txn, b->sid, &h);
}

int sess_queue_push(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], const sess_note *note,
                    int *queued_r, const char **error_r)
{
    q_baton b = { .sid = sid, .note = note };

    if (note->len > SESS_NOTE_DATA_MAX) {
        if (error_r)
            *error_r = "notification data too large";
        return -1;
    }
    if (run(db, pool, q_push_txn, &b, error_r) != 0)
        return -1;
    if (queued_r)
        *queued_r = b.queued;
    return 0;
}

/* Copies the notification under the cursor out if it fits. */
static int q_take_one(q_baton *b, const DBT *val, size_t *used)
{
    sess_note n, *o;

    if (note_decode(val, &n) != 0)
        return 0;                /* unreadable: just delete it */
    if (*used + n.len + b->overhead > b->budget)
        return 1;
    *used += n.len + b->overhead;
    o = apr_array_push(b->out);
    *o = n;
    o->data = apr_pmemdup(b->pool, n.data, n.len ? n.len : 1);
    return 0;
}

static int q_take_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    q_baton *b = baton;
    uint8_t k[KEY_MAX];
    size_t used = 0;
    uint32_t taken = 0;
    q_header h;
    DBT key, val;
    DBC *cur;
    int ret;

    b->out = apr_array_make(b->pool, 4, sizeof(sess_note));
    b->more = 0;
    if ((ret = q_header_get(db, txn, b->sid, &h)) != 0)
        return ret;
    b->dropped = h.dropped;
    if (h.count == 0 && h.dropped == 0)
        return 0;                /* the usual case: one read */
    if ((ret = db->meta->cursor(db->meta, txn, &cur, 0)) != 0)
        return ret;
    for (u_int32_t op = DB_SET_RANGE;
         (ret = q_first(cur, b->sid, k, &key, &val, op)) == 0; op = DB_NEXT) {
        if (q_take_one(b, &val, &used)) {
            b->more = 1;
            break;
        }
        if ((ret = q_del_current(db, txn, cur, b->sid, &val)) != 0)
            break;
        taken++;
    }
    cur->close(cur);
    if (ret != 0 && ret != DB_NOTFOUND)
        return ret;
    /* Without more the queue is empty whatever the header said. */
    if (!b->more)
        h.count = 0;
    else
        h.count = h.count > taken ? h.count - taken : 1;
    h.dropped = 0;
    return q_header_put(db, txn, b->sid, &h);
}

int sess_queue_take(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], size_t budget,
                    size_t overhead, apr_array_header_t **notes_r,
                    int *more_r, uint32_t *dropped_r, const char **error_r)
{
    q_baton b = { .sid = sid, .pool = pool, .budget = budget,
                  .overhead = overhead };
    int ret = run(db, pool, q_take_txn, &b, error_r);

    *notes_r = b.out ? b.out : apr_array_make(pool, 1, sizeof(sess_note));
    *more_r = ret == 0 && b.more;
    if (dropped_r)
        *dropped_r = ret == 0 ? b.dropped : 0;
    return ret;
}

static int q_stat_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    q_baton *b = baton;
    q_header h;
    int ret = q_header_get(db, txn, b->sid, &h);

    b->count = h.count;
    b->dropped = h.dropped;
    return ret;
}

int sess_queue_stat(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], uint32_t *count_r,
                    uint32_t *dropped_r, const char **error_r)
{
    q_baton b = { .sid = sid };
    int ret = run(db, pool, q_stat_txn, &b, error_r);

    *count_r = b.count;
    *dropped_r = b.dropped;
    return ret;
}

/* ---------------------------------------------------------- clear -- */

/* A reverse entry names the mailbox-side entry to delete with it. */
static int q_clear_rev(mapi_db *db, DB_TXN *txn, const DBT *key)
{
    uint8_t fk[KEY_MAX], sid[SESS_ID_LEN], mbox[SESS_MBOX_LEN], be[4], tag = 0;
    mapi_rd rd;

    if (key->size != QREV_KEY_LEN)
        return 0;
    mapi_rd_init(&rd, key->data, key->size);
    mapi_rd_skip(&rd, 1);
    mapi_rd_bytes(&rd, sid, sizeof(sid));
    mapi_rd_u8(&rd, &tag);
    mapi_rd_bytes(&rd, mbox, sizeof(mbox));
    if (mapi_rd_bytes(&rd, be, sizeof(be)) < 0 || tag != 'S')
        return 0;
    return meta_del(db, txn, fk, sub_key(fk, mbox, sid, get_be32(be)));
}

int sess_queue_clear(mapi_db *db, DB_TXN *txn, const uint8_t sid[SESS_ID_LEN])
{
    uint8_t prefix[KEY_MAX];
    DBT key, val;
    DBC *cur;
    u_int32_t op = DB_SET_RANGE;
    int ret;

    q_key(prefix, sid, 0);
    if ((ret = db->meta->cursor(db->meta, txn, &cur, 0)) != 0)
        return ret;
    dbt_set(&key, prefix, QHDR_KEY_LEN);
    for (;;) {
        memset(&val, 0, sizeof(val));
        val.flags = DB_DBT_PARTIAL;      /* values are not needed */
        ret = cur->get(cur, &key, &val, op | DB_RMW);
        op = DB_NEXT;
        if (ret != 0 || key.size < QHDR_KEY_LEN
            || memcmp(key.data, prefix, QHDR_KEY_LEN) != 0)
            break;
        if ((ret = q_clear_rev(db, txn, &key)) != 0
            || (ret = cur->del(cur, 0)) != 0)
            break;
    }
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}
