/*
 * sess_objects.c: the server object handle table of a session, in the
 * shared environment (mapi_db.objects).
 *
 * Records: key = session id (16) + handle (u32 big-endian).  Handle 0 is
 * the session's counter record: version, next handle, live object count.
 * Every other handle holds an envelope: version, type, parent, body
 * length, body.
 *
 * A child is always created after its parent (the parent must exist), so
 * a child's handle is larger than its parent's.  Release therefore finds
 * a whole subtree in one pass over the session's objects in key order,
 * reading only the envelope header of each.  That pass is bounded by
 * SESS_OBJ_MAX, which the live count enforces.
 *
 * Object writes are session state: they commit without fsync, like the
 * session records (sess_context.c).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "sess_objects.h"
#include "wire/mapi_rd.h"
#include "store/store.h"

#define SESS_OBJ_VERSION      1
#define SESS_OBJ_CTR_VERSION  1
#define SESS_OBJ_KEY_LEN      (SESS_ID_LEN + 4)
#define SESS_OBJ_HDR_LEN      10          /* version, type, parent, length */
#define SESS_OBJ_CTR_LEN      9           /* version, next, count */
/* A body larger than this is refused: a message working copy with its
 * attachments fits, a runaway caller does not fill the environment. */
#define SESS_OBJ_BODY_MAX     (64u * 1024 * 1024)

static void sess_obj_set_error(const char **error_r, const char *msg)
{
    if (error_r)
        *error_r = msg;
}

/* ------------------------------------------------------------- codec -- */

int sess_obj_encode(const sess_object *obj, apr_pool_t *pool,
                    uint8_t **buf_r, size_t *len_r)
{
    mapi_wr wr;

    if (obj->len > SESS_OBJ_BODY_MAX || (obj->len && !obj->data))
        return -1;
    mapi_wr_init(&wr, pool, SESS_OBJ_HDR_LEN + obj->len);
    mapi_wr_u8(&wr, SESS_OBJ_VERSION);
    mapi_wr_u8(&wr, obj->type);
    mapi_wr_u32(&wr, obj->parent);
    mapi_wr_u32(&wr, (uint32_t)obj->len);
    mapi_wr_bytes(&wr, obj->data, obj->len);
    if (wr.failed)
        return -1;
    /* An empty body still needs a buffer for the header; the writer has
     * allocated one, since the header is never empty. */
    *buf_r = wr.buf;
    *len_r = wr.len;
    return 0;
}

/* The header alone: what release and the child scans need. */
static int sess_obj_decode_hdr(mapi_rd *rd, sess_object *obj,
                               uint32_t *body_len_r)
{
    uint8_t version = 0;

    if (mapi_rd_u8(rd, &version) < 0 || version != SESS_OBJ_VERSION)
        return -1;
    mapi_rd_u8(rd, &obj->type);
    mapi_rd_u32(rd, &obj->parent);
    mapi_rd_u32(rd, body_len_r);
    /* Handle 0 is the counter, so no object can have it as parent. */
    if (rd->failed || obj->parent == 0 || *body_len_r > SESS_OBJ_BODY_MAX)
        return -1;
    return 0;
}

int sess_obj_decode(const uint8_t *buf, size_t len, sess_object *obj)
{
    mapi_rd rd;
    uint32_t body_len = 0;

    memset(obj, 0, sizeof(*obj));
    obj->parent = SESS_OBJ_NONE;
    mapi_rd_init(&rd, buf, len);
    if (sess_obj_decode_hdr(&rd, obj, &body_len) < 0)
        return -1;
    /* The body must fill the record exactly: trailing bytes mean the
     * record is not what we wrote. */
    if (mapi_rd_left(&rd) != body_len
        || mapi_rd_view(&rd, body_len, &obj->data) < 0)
        return -1;
    obj->len = body_len;
    return 0;
}

/* --------------------------------------------------------- keys, DBTs -- */

static void sess_obj_key(uint8_t key[SESS_OBJ_KEY_LEN],
                         const uint8_t sid[SESS_ID_LEN], uint32_t handle)
{
    memcpy(key, sid, SESS_ID_LEN);
    key[SESS_ID_LEN] = (uint8_t)(handle >> 24);
    key[SESS_ID_LEN + 1] = (uint8_t)(handle >> 16);
    key[SESS_ID_LEN + 2] = (uint8_t)(handle >> 8);
    key[SESS_ID_LEN + 3] = (uint8_t)handle;
}

static uint32_t sess_obj_key_handle(const uint8_t *key)
{
    const uint8_t *h = key + SESS_ID_LEN;

    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16
           | (uint32_t)h[2] << 8 | h[3];
}

/* A key DBT over caller memory, usable for input and, with a cursor,
 * for the key found. */
static void sess_obj_key_dbt(DBT *dbt, uint8_t key[SESS_OBJ_KEY_LEN])
{
    memset(dbt, 0, sizeof(*dbt));
    dbt->data = key;
    dbt->size = SESS_OBJ_KEY_LEN;
    dbt->ulen = SESS_OBJ_KEY_LEN;
    dbt->flags = DB_DBT_USERMEM;
}

/* ----------------------------------------------------------- counter -- */

typedef struct sess_obj_ctr {
    uint32_t next;             /* next handle to hand out */
    uint32_t count;            /* objects alive */
} sess_obj_ctr;

/* Reads the counter with a write lock; a session with no counter yet
 * starts at handle 1.  A counter that does not decode is an error, not a
 * fresh start: starting over could hand out a handle again. */
static int sess_obj_ctr_get(mapi_db *db, DB_TXN *txn,
                            const uint8_t sid[SESS_ID_LEN], sess_obj_ctr *c)
{
    uint8_t kb[SESS_OBJ_KEY_LEN], vb[SESS_OBJ_CTR_LEN];
    uint8_t version = 0;
    DBT key, val;
    mapi_rd rd;
    int ret;

    sess_obj_key(kb, sid, 0);
    sess_obj_key_dbt(&key, kb);
    memset(&val, 0, sizeof(val));
    val.data = vb;
    val.ulen = sizeof(vb);
    val.flags = DB_DBT_USERMEM;
    ret = db->objects->get(db->objects, txn, &key, &val, DB_RMW);
    if (ret == DB_NOTFOUND) {
        c->next = 1;
        c->count = 0;
        return 0;
    }
    if (ret == DB_BUFFER_SMALL)
        return EINVAL;
    if (ret != 0)
        return ret;
    mapi_rd_init(&rd, vb, val.size);
    mapi_rd_u8(&rd, &version);
    mapi_rd_u32(&rd, &c->next);
    mapi_rd_u32(&rd, &c->count);
    if (rd.failed || mapi_rd_left(&rd) || version != SESS_OBJ_CTR_VERSION
        || c->next == 0)
        return EINVAL;
    return 0;
}

static int sess_obj_ctr_put(mapi_db *db, DB_TXN *txn,
                            const uint8_t sid[SESS_ID_LEN],
                            const sess_obj_ctr *c)
{
    uint8_t kb[SESS_OBJ_KEY_LEN], vb[SESS_OBJ_CTR_LEN];
    DBT key, val;
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, vb, sizeof(vb));
    mapi_wr_u8(&wr, SESS_OBJ_CTR_VERSION);
    mapi_wr_u32(&wr, c->next);
    mapi_wr_u32(&wr, c->count);
    sess_obj_key(kb, sid, 0);
    sess_obj_key_dbt(&key, kb);
    memset(&val, 0, sizeof(val));
    val.data = vb;
    val.size = (u_int32_t)wr.len;
    return db->objects->put(db->objects, txn, &key, &val, 0);
}

/* ------------------------------------------------------ record access -- */

/* Loads one object into pool; DB_NOTFOUND when absent, EINVAL when the
 * record is garbage. */
static int sess_obj_load(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                         const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                         u_int32_t flags, sess_object *obj)
{
    uint8_t kb[SESS_OBJ_KEY_LEN];
    DBT key, val;
    int ret;

    if (handle == 0 || handle == SESS_OBJ_NONE)
        return DB_NOTFOUND;
    sess_obj_key(kb, sid, handle);
    sess_obj_key_dbt(&key, kb);
    memset(&val, 0, sizeof(val));
    val.flags = DB_DBT_MALLOC;
    ret = db->objects->get(db->objects, txn, &key, &val, flags);
    if (ret != 0)
        return ret;
    ret = sess_obj_decode(val.data, val.size, obj) == 0 ? 0 : EINVAL;
    if (ret == 0) {
        /* The body must outlive the malloc'ed record. */
        obj->data = obj->len ? apr_pmemdup(pool, obj->data, obj->len)
                             : (const uint8_t *)"";
        obj->handle = handle;
    }
    free(val.data);
    return ret;
}

static int sess_obj_store(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                          const uint8_t sid[SESS_ID_LEN],
                          const sess_object *obj, u_int32_t flags)
{
    uint8_t kb[SESS_OBJ_KEY_LEN], *buf;
    size_t len;
    DBT key, val;

    if (sess_obj_encode(obj, pool, &buf, &len) != 0)
        return EINVAL;
    sess_obj_key(kb, sid, obj->handle);
    sess_obj_key_dbt(&key, kb);
    memset(&val, 0, sizeof(val));
    val.data = buf;
    val.size = (u_int32_t)len;
    return db->objects->put(db->objects, txn, &key, &val, flags);
}

static int sess_obj_delete(mapi_db *db, DB_TXN *txn,
                           const uint8_t sid[SESS_ID_LEN], uint32_t handle)
{
    uint8_t kb[SESS_OBJ_KEY_LEN];
    DBT key;

    sess_obj_key(kb, sid, handle);
    sess_obj_key_dbt(&key, kb);
    return db->objects->del(db->objects, txn, &key, 0);
}

/* -------------------------------------------------------------- scans -- */

/* Called for each object of a session in handle order, with the header
 * decoded and, when the scan asked for it, the body (a view valid for the
 * call only).  Non-zero stops the scan and is returned. */
typedef int (*sess_obj_visit_fn)(const sess_object *obj, void *baton);

static int sess_obj_scan_step(DBC *cur, uint8_t kb[SESS_OBJ_KEY_LEN],
                              int first, int whole, DBT *val)
{
    DBT key;

    sess_obj_key_dbt(&key, kb);
    memset(val, 0, sizeof(*val));
    if (!whole) {
        /* Only the envelope header: a scan over thousands of objects
         * must not copy every table's state. */
        val->flags = DB_DBT_PARTIAL;
        val->doff = 0;
        val->dlen = SESS_OBJ_HDR_LEN;
    }
    return cur->get(cur, &key, val, first ? DB_SET_RANGE : DB_NEXT);
}

static int sess_obj_scan_one(const uint8_t kb[SESS_OBJ_KEY_LEN],
                             const DBT *val, int whole,
                             sess_obj_visit_fn fn, void *baton)
{
    sess_object obj;
    mapi_rd rd;
    uint32_t body_len;

    memset(&obj, 0, sizeof(obj));
    mapi_rd_init(&rd, val->data, val->size);
    if (whole) {
        if (sess_obj_decode(val->data, val->size, &obj) != 0)
            return EINVAL;
    } else if (sess_obj_decode_hdr(&rd, &obj, &body_len) != 0) {
        return EINVAL;
    }
    obj.handle = sess_obj_key_handle(kb);
    return fn(&obj, baton);
}

/* Visits every object of the session (handles 1 and up, in order). */
static int sess_obj_scan(mapi_db *db, DB_TXN *txn,
                         const uint8_t sid[SESS_ID_LEN], int whole,
                         sess_obj_visit_fn fn, void *baton)
{
    uint8_t kb[SESS_OBJ_KEY_LEN];
    DBC *cur;
    DBT val;
    int ret, first = 1;

    ret = db->objects->cursor(db->objects, txn, &cur, 0);
    if (ret != 0)
        return ret;
    sess_obj_key(kb, sid, 1);
    while ((ret = sess_obj_scan_step(cur, kb, first, whole, &val)) == 0) {
        first = 0;
        if (memcmp(kb, sid, SESS_ID_LEN) != 0)
            break;                      /* past this session's objects */
        ret = sess_obj_scan_one(kb, &val, whole, fn, baton);
        if (ret != 0)
            break;
    }
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}

/* ------------------------------------------------------------- create -- */

typedef struct sess_obj_create_baton {
    const uint8_t *sid;
    apr_pool_t *pool;
    sess_object obj;
    unsigned max;              /* objects allowed */
    int full;                  /* verdict: max reached */
    int no_parent;             /* verdict: the parent does not exist */
} sess_obj_create_baton;

static int sess_obj_parent_exists(mapi_db *db, DB_TXN *txn,
                                  const uint8_t sid[SESS_ID_LEN],
                                  uint32_t parent)
{
    uint8_t kb[SESS_OBJ_KEY_LEN], hb[1];
    DBT key, val;

    if (parent == 0)
        return DB_NOTFOUND;
    sess_obj_key(kb, sid, parent);
    sess_obj_key_dbt(&key, kb);
    memset(&val, 0, sizeof(val));
    val.data = hb;
    val.ulen = sizeof(hb);
    val.flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
    val.dlen = 1;
    /* Read-locking the parent keeps a concurrent release from deleting
     * it before this transaction commits. */
    return db->objects->get(db->objects, txn, &key, &val, DB_RMW);
}

static int sess_obj_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_obj_create_baton *b = baton;
    sess_obj_ctr c;
    int ret;

    b->full = b->no_parent = 0;
    ret = sess_obj_ctr_get(db, txn, b->sid, &c);
    if (ret != 0)
        return ret;
    /* SESS_OBJ_NONE is never a handle, so the counter ends before it. */
    if (c.count >= b->max || c.next == SESS_OBJ_NONE) {
        b->full = 1;
        return MAPI_DB_ABORT;
    }
    if (b->obj.parent != SESS_OBJ_NONE) {
        ret = sess_obj_parent_exists(db, txn, b->sid, b->obj.parent);
        if (ret == DB_NOTFOUND) {
            b->no_parent = 1;
            return MAPI_DB_ABORT;
        }
        if (ret != 0)
            return ret;
    }
    b->obj.handle = c.next;
    ret = sess_obj_store(db, txn, b->pool, b->sid, &b->obj, DB_NOOVERWRITE);
    if (ret != 0)
        return ret;
    c.next++;
    c.count++;
    return sess_obj_ctr_put(db, txn, b->sid, &c);
}

int sess_obj_create(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], uint32_t parent,
                    uint8_t type, const void *data, size_t len,
                    uint32_t *handle_r, const char **error_r)
{
    return sess_obj_create_max(db, pool, sid, parent, type, data, len, 0,
                               handle_r, error_r) == 0 ? 0 : -1;
}

int sess_obj_create_max(mapi_db *db, apr_pool_t *pool,
                        const uint8_t sid[SESS_ID_LEN], uint32_t parent,
                        uint8_t type, const void *data, size_t len,
                        unsigned max, uint32_t *handle_r,
                        const char **error_r)
{
    sess_obj_create_baton b;
    const char *err = NULL;
    int ret;

    memset(&b, 0, sizeof(b));
    b.max = max && max < SESS_OBJ_MAX ? max : SESS_OBJ_MAX;
    b.sid = sid;
    b.pool = pool;
    b.obj.parent = parent;
    b.obj.type = type;
    b.obj.data = data;
    b.obj.len = len;
    if (len > SESS_OBJ_BODY_MAX || (len && !data)) {
        sess_obj_set_error(error_r, "server object too large");
        return -1;
    }
    ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_obj_create_txn, &b,
                          pool, &err);
    if (ret == MAPI_DB_ABORT) {
        sess_obj_set_error(error_r, b.full
                           ? "the session holds too many server objects"
                           : "the parent server object does not exist");
        return b.full ? -2 : -1;
    }
    if (ret != 0) {
        sess_obj_set_error(error_r, err);
        return -1;
    }
    *handle_r = b.obj.handle;
    return 0;
}

/* ---------------------------------------------------------- get / put -- */

typedef struct sess_obj_get_baton {
    const uint8_t *sid;
    uint32_t handle;
    apr_pool_t *pool;
    sess_object *obj;
    const void *data;          /* put: the new body */
    size_t len;
    int missing;
} sess_obj_get_baton;

static int sess_obj_get_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_obj_get_baton *b = baton;
    int ret = sess_obj_load(db, txn, b->pool, b->sid, b->handle, 0, b->obj);

    b->missing = ret == DB_NOTFOUND;
    return b->missing ? 0 : ret;
}

/* Maps a body's outcome onto the 0 / 1 / -1 convention. */
static int sess_obj_result(int ret, int missing, const char *err,
                           const char **error_r)
{
    if (ret != 0) {
        sess_obj_set_error(error_r, err);
        return -1;
    }
    return missing ? 1 : 0;
}

int sess_obj_get(mapi_db *db, apr_pool_t *pool,
                 const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                 sess_object *obj_r, const char **error_r)
{
    sess_obj_get_baton b = { sid, handle, pool, obj_r, NULL, 0, 0 };
    const char *err = NULL;
    int ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_obj_get_txn, &b,
                              pool, &err);

    return sess_obj_result(ret, b.missing, err, error_r);
}

static int sess_obj_put_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_obj_get_baton *b = baton;
    int ret = sess_obj_load(db, txn, b->pool, b->sid, b->handle, DB_RMW,
                            b->obj);

    b->missing = ret == DB_NOTFOUND;
    if (ret != 0)
        return b->missing ? 0 : ret;
    b->obj->data = b->data;
    b->obj->len = b->len;
    return sess_obj_store(db, txn, b->pool, b->sid, b->obj, 0);
}

int sess_obj_put(mapi_db *db, apr_pool_t *pool,
                 const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                 const void *data, size_t len, const char **error_r)
{
    sess_object obj;
    sess_obj_get_baton b = { sid, handle, pool, &obj, data, len, 0 };
    const char *err = NULL;
    int ret;

    if (len > SESS_OBJ_BODY_MAX || (len && !data)) {
        sess_obj_set_error(error_r, "server object too large");
        return -1;
    }
    ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_obj_put_txn, &b,
                          pool, &err);
    return sess_obj_result(ret, b.missing, err, error_r);
}

/* ------------------------------------------------------------ release -- */

typedef struct sess_obj_release_baton {
    const uint8_t *sid;
    uint32_t handle;
    apr_pool_t *pool;
    apr_array_header_t *doomed;   /* uint32_t handles, ascending */
    apr_hash_t *marked;           /* the same, for parent lookups */
    int missing;
} sess_obj_release_baton;

/* Children have larger handles than their parents, so by the time an
 * object is visited its parent's fate is known. */
static int sess_obj_mark_visit(const sess_object *obj, void *baton)
{
    sess_obj_release_baton *b = baton;
    uint32_t *h;

    if (obj->handle != b->handle
        && (obj->parent == SESS_OBJ_NONE
            || !apr_hash_get(b->marked, &obj->parent, sizeof(uint32_t))))
        return 0;
    h = apr_array_push(b->doomed);
    *h = obj->handle;
    apr_hash_set(b->marked, h, sizeof(uint32_t), h);
    return 0;
}

static int sess_obj_release_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_obj_release_baton *b = baton;
    sess_obj_ctr c;
    int i, ret;

    b->doomed = apr_array_make(b->pool, 8, sizeof(uint32_t));
    b->marked = apr_hash_make(b->pool);
    /* The counter's lock serialises this with creates in the session, so
     * no child can appear under a parent being released. */
    ret = sess_obj_ctr_get(db, txn, b->sid, &c);
    if (ret == 0)
        ret = sess_obj_scan(db, txn, b->sid, 0, sess_obj_mark_visit, b);
    if (ret != 0)
        return ret;
    b->missing = b->doomed->nelts == 0
                 || APR_ARRAY_IDX(b->doomed, 0, uint32_t) != b->handle;
    if (b->missing)
        return MAPI_DB_ABORT;
    for (i = 0; i < b->doomed->nelts; i++) {
        ret = sess_obj_delete(db, txn, b->sid,
                              APR_ARRAY_IDX(b->doomed, i, uint32_t));
        if (ret != 0)
            return ret;
    }
    c.count = c.count > (uint32_t)i ? c.count - (uint32_t)i : 0;
    return sess_obj_ctr_put(db, txn, b->sid, &c);
}

int sess_obj_release(mapi_db *db, apr_pool_t *pool,
                     const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                     const char **error_r)
{
    sess_obj_release_baton b;
    const char *err = NULL;
    int ret;

    if (handle == 0 || handle == SESS_OBJ_NONE)
        return 1;
    memset(&b, 0, sizeof(b));
    b.sid = sid;
    b.handle = handle;
    b.pool = pool;
    ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_obj_release_txn, &b,
                          pool, &err);
    if (ret == MAPI_DB_ABORT)
        return 1;
    return sess_obj_result(ret, 0, err, error_r);
}

/* ----------------------------------------------------- children, list -- */

typedef struct sess_obj_list_baton {
    const uint8_t *sid;
    uint32_t handle;              /* children: the parent */
    apr_pool_t *pool;
    apr_array_header_t *out;
    int found;                    /* children: the parent exists */
} sess_obj_list_baton;

static int sess_obj_child_visit(const sess_object *obj, void *baton)
{
    sess_obj_list_baton *b = baton;

    if (obj->handle == b->handle)
        b->found = 1;
    else if (obj->parent == b->handle)
        APR_ARRAY_PUSH(b->out, uint32_t) = obj->handle;
    return 0;
}

static int sess_obj_children_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_obj_list_baton *b = baton;

    b->out = apr_array_make(b->pool, 4, sizeof(uint32_t));
    b->found = 0;
    return sess_obj_scan(db, txn, b->sid, 0, sess_obj_child_visit, b);
}

/* Returns 0, 1 when the object does not exist (empty array), -1. */
int sess_obj_children(mapi_db *db, apr_pool_t *pool,
                      const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                      apr_array_header_t **handles_r, const char **error_r)
{
    sess_obj_list_baton b = { sid, handle, pool, NULL, 0 };
    const char *err = NULL;
    int ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_obj_children_txn,
                              &b, pool, &err);

    *handles_r = b.out ? b.out : apr_array_make(pool, 1, sizeof(uint32_t));
    return sess_obj_result(ret, !b.found, err, error_r);
}

static int sess_obj_list_visit(const sess_object *obj, void *baton)
{
    sess_obj_list_baton *b = baton;
    sess_object *o = apr_array_push(b->out);

    *o = *obj;
    /* The scan's view dies with the cursor step. */
    o->data = obj->len ? apr_pmemdup(b->pool, obj->data, obj->len)
                       : (const uint8_t *)"";
    return 0;
}

static int sess_obj_list_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_obj_list_baton *b = baton;

    b->out = apr_array_make(b->pool, 8, sizeof(sess_object));
    return sess_obj_scan(db, txn, b->sid, 1, sess_obj_list_visit, b);
}

int sess_obj_list(mapi_db *db, apr_pool_t *pool,
                  const uint8_t sid[SESS_ID_LEN],
                  apr_array_header_t **objs_r, const char **error_r)
{
    sess_obj_list_baton b = { sid, 0, pool, NULL, 0 };
    const char *err = NULL;
    int ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_obj_list_txn, &b,
                              pool, &err);

    *objs_r = b.out ? b.out : apr_array_make(pool, 1, sizeof(sess_object));
    return sess_obj_result(ret, 0, err, error_r);
}

/* -------------------------------------------------------------- clear -- */

/* Deletes the counter too: the session is ending, so no handle of it can
 * be used again and reuse is impossible. */
void sess_blob_owner(const uint8_t sid[SESS_ID_LEN],
                     uint8_t owner[SESS_ID_LEN])
{
    static const uint8_t mask[SESS_ID_LEN] = "mod_mapi:stream";

    for (int i = 0; i < SESS_ID_LEN; i++)
        owner[i] = sid[i] ^ mask[i];
}

int sess_objs_clear(mapi_db *db, DB_TXN *txn, const uint8_t sid[SESS_ID_LEN])
{
    uint8_t kb[SESS_OBJ_KEY_LEN], owner[SESS_ID_LEN];
    DBC *cur;
    DBT key, val;
    u_int32_t op = DB_SET_RANGE;
    int ret;

    ret = db->objects->cursor(db->objects, txn, &cur, 0);
    if (ret != 0)
        return ret;
    sess_obj_key(kb, sid, 0);
    for (;;) {
        sess_obj_key_dbt(&key, kb);
        memset(&val, 0, sizeof(val));
        val.flags = DB_DBT_PARTIAL;       /* the value is not needed */
        ret = cur->get(cur, &key, &val, op | DB_RMW);
        op = DB_NEXT;
        if (ret != 0 || memcmp(kb, sid, SESS_ID_LEN) != 0)
            break;
        ret = cur->del(cur, 0);
        if (ret != 0)
            break;
    }
    cur->close(cur);
    if (ret != DB_NOTFOUND)
        return ret;
    sess_blob_owner(sid, owner);
    return store_blob_free_owner(db, txn, NULL, owner);
}
