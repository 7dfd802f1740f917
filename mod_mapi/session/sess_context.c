/*
 * sess_context.c: session context records in the shared environment.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "sess_context.h"
#include "sess_notify.h"
#include "sess_objects.h"
#include "sess_queue.h"
#include "wire/mapi_rd.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <apr_strings.h>
#include <openssl/rand.h>

#define SESS_RECORD_VERSION  1
#define SESS_RECORD_MAX      (8 * SESS_STR_MAX)

const char *sess_status_str(sess_status st)
{
    static const char *const names[] = {
        [SESS_OK] = "ok",
        [SESS_NOT_FOUND] = "context not found",
        [SESS_EXPIRED] = "context expired",
        [SESS_FOREIGN] = "context belongs to another identity or endpoint",
        [SESS_BAD_SEQUENCE] = "sequence cookie does not match",
        [SESS_BUSY] = "another request is running in this context",
        [SESS_DB_ERROR] = "database failure",
        [SESS_LIMIT_USER] = "the user holds the most session contexts allowed",
        [SESS_LIMIT_TOTAL] = "the server holds the most session contexts allowed",
    };
    return (unsigned)st < sizeof(names) / sizeof(names[0]) && names[st]
           ? names[st] : "unknown";
}

/* ---------------------------------------------------------------- ids -- */

static int sess_hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int sess_id_parse(const char *hex, uint8_t id_r[SESS_ID_LEN])
{
    if (hex == NULL || strlen(hex) != SESS_ID_HEX_LEN)
        return -1;
    for (int i = 0; i < SESS_ID_LEN; i++) {
        int hi = sess_hexval(hex[2 * i]), lo = sess_hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        id_r[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

const char *sess_id_hex(apr_pool_t *pool, const uint8_t id[SESS_ID_LEN])
{
    static const char digits[] = "0123456789abcdef";
    char *s = apr_palloc(pool, SESS_ID_HEX_LEN + 1);

    for (int i = 0; i < SESS_ID_LEN; i++) {
        s[2 * i] = digits[id[i] >> 4];
        s[2 * i + 1] = digits[id[i] & 15];
    }
    s[SESS_ID_HEX_LEN] = '\0';
    return s;
}

/* Ids must be unguessable: a context cookie is a bearer token, bound to
 * the identity only as a second line of defence. */
int sess_random(uint8_t out[SESS_ID_LEN])
{
    return RAND_bytes(out, SESS_ID_LEN) == 1 ? 0 : -1;
}

/* -------------------------------------------------------------- codec -- */

int sess_encode(const sess_context *ctx, uint8_t *buf, size_t cap,
                size_t *len_r)
{
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, buf, cap);
    mapi_wr_u8(&wr, SESS_RECORD_VERSION);
    mapi_wr_u8(&wr, (uint8_t)ctx->endpoint);
    mapi_wr_bytes(&wr, ctx->id, SESS_ID_LEN);
    mapi_wr_bytes(&wr, ctx->seq, SESS_ID_LEN);
    mapi_wr_u64(&wr, (uint64_t)ctx->created);
    mapi_wr_u64(&wr, (uint64_t)ctx->last_seen);
    mapi_wr_u32(&wr, ctx->idle_timeout);
    mapi_wr_u32(&wr, ctx->busy_pid);
    mapi_wr_u64(&wr, (uint64_t)ctx->busy_since);
    mapi_wr_u64(&wr, ctx->requests);
    mapi_wr_u32(&wr, ctx->codepage);
    mapi_wr_u32(&wr, ctx->lcid_sort);
    mapi_wr_u32(&wr, ctx->lcid_string);
    mapi_wr_lstr(&wr, ctx->identity, SESS_STR_MAX);
    mapi_wr_lstr(&wr, ctx->auth_type, SESS_STR_MAX);
    mapi_wr_lstr(&wr, ctx->mailbox, SESS_STR_MAX);
    mapi_wr_lstr(&wr, ctx->user_dn, SESS_STR_MAX);
    mapi_wr_lstr(&wr, ctx->client_app, SESS_STR_MAX);
    mapi_wr_lstr(&wr, ctx->client_ip, SESS_STR_MAX);
    if (wr.failed)
        return -1;
    *len_r = wr.len;
    return 0;
}

int sess_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                sess_context *ctx)
{
    mapi_rd rd;
    uint8_t version = 0, endpoint = 0;
    uint64_t created = 0, last_seen = 0, busy_since = 0;

    memset(ctx, 0, sizeof(*ctx));
    mapi_rd_init(&rd, buf, len);
    mapi_rd_u8(&rd, &version);
    if (rd.failed || version != SESS_RECORD_VERSION)
        return -1;
    mapi_rd_u8(&rd, &endpoint);
    mapi_rd_bytes(&rd, ctx->id, SESS_ID_LEN);
    mapi_rd_bytes(&rd, ctx->seq, SESS_ID_LEN);
    mapi_rd_u64(&rd, &created);
    mapi_rd_u64(&rd, &last_seen);
    mapi_rd_u32(&rd, &ctx->idle_timeout);
    mapi_rd_u32(&rd, &ctx->busy_pid);
    mapi_rd_u64(&rd, &busy_since);
    mapi_rd_u64(&rd, &ctx->requests);
    mapi_rd_u32(&rd, &ctx->codepage);
    mapi_rd_u32(&rd, &ctx->lcid_sort);
    mapi_rd_u32(&rd, &ctx->lcid_string);
    mapi_rd_lstr(&rd, pool, SESS_STR_MAX, &ctx->identity);
    mapi_rd_lstr(&rd, pool, SESS_STR_MAX, &ctx->auth_type);
    mapi_rd_lstr(&rd, pool, SESS_STR_MAX, &ctx->mailbox);
    mapi_rd_lstr(&rd, pool, SESS_STR_MAX, &ctx->user_dn);
    mapi_rd_lstr(&rd, pool, SESS_STR_MAX, &ctx->client_app);
    mapi_rd_lstr(&rd, pool, SESS_STR_MAX, &ctx->client_ip);
    if (rd.failed || mapi_rd_left(&rd) != 0 ||
        (endpoint != SESS_EP_EMSMDB && endpoint != SESS_EP_NSPI))
        return -1;
    ctx->endpoint = (sess_endpoint)endpoint;
    ctx->created = (apr_time_t)created;
    ctx->last_seen = (apr_time_t)last_seen;
    ctx->busy_since = (apr_time_t)busy_since;
    return 0;
}

/* ---------------------------------------------------- record storage -- */

static int sess_put(mapi_db *db, DB_TXN *txn, const sess_context *ctx)
{
    uint8_t buf[SESS_RECORD_MAX];
    size_t len;
    DBT key = { 0 }, val = { 0 };

    if (sess_encode(ctx, buf, sizeof(buf), &len) != 0)
        return EINVAL;
    key.data = (void *)ctx->id;
    key.size = SESS_ID_LEN;
    val.data = buf;
    val.size = (u_int32_t)len;
    return db->sessions->put(db->sessions, txn, &key, &val, 0);
}

/* Returns 0 and fills ctx, DB_NOTFOUND, or another BDB error.  A record
 * that does not decode is treated as absent and deleted: it cannot be
 * served, and keeping it would only fail every later request the same. */
static int sess_get(mapi_db *db, DB_TXN *txn, const uint8_t *id,
                    apr_pool_t *pool, sess_context *ctx)
{
    DBT key = { 0 }, val = { 0 };
    int ret;

    key.data = (void *)id;
    key.size = SESS_ID_LEN;
    val.flags = DB_DBT_MALLOC;
    ret = db->sessions->get(db->sessions, txn, &key, &val, DB_RMW);
    if (ret != 0)
        return ret;
    if (sess_decode(val.data, val.size, pool, ctx) != 0) {
        free(val.data);
        ret = db->sessions->del(db->sessions, txn, &key, 0);
        return ret == 0 ? DB_NOTFOUND : ret;
    }
    free(val.data);
    return 0;
}

static int sess_del(mapi_db *db, DB_TXN *txn, const uint8_t *id)
{
    DBT key = { 0 };
    int ret;

    key.data = (void *)id;
    key.size = SESS_ID_LEN;
    ret = db->sessions->del(db->sessions, txn, &key, 0);
    if (ret == 0 || ret == DB_NOTFOUND) {
        int r2 = sess_events_clear(db, txn, id);
        if (r2 != 0 && r2 != DB_NOTFOUND)
            return r2;
        /* The session's server objects go with it (Disconnect, expiry,
         * replacement). */
        r2 = sess_objs_clear(db, txn, id);
        if (r2 == 0)
            r2 = sess_queue_clear(db, txn, id);   /* notifications */
        if (r2 != 0)
            return r2;
    }
    return ret;
}

/* A busy mark counts only while its process lives and the request has not
 * run absurdly long: a child killed with -9 mid-request must not lock its
 * client out of the context. */
static int sess_is_busy(const sess_context *ctx, apr_time_t now)
{
    if (ctx->busy_pid == 0)
        return 0;
    if (now - ctx->busy_since > SESS_BUSY_MAX)
        return 0;
    if ((pid_t)ctx->busy_pid != getpid() &&
        kill((pid_t)ctx->busy_pid, 0) != 0 && errno == ESRCH)
        return 0;
    return 1;
}

static int sess_is_expired(const sess_context *ctx, apr_time_t now)
{
    return !sess_is_busy(ctx, now) &&
           now - ctx->last_seen > apr_time_from_sec(ctx->idle_timeout);
}

apr_int64_t sess_expiration_ms(const sess_context *ctx, apr_time_t now)
{
    apr_time_t left = ctx->last_seen + apr_time_from_sec(ctx->idle_timeout)
                      - now;

    if (sess_is_busy(ctx, now) || left > apr_time_from_sec(ctx->idle_timeout))
        return (apr_int64_t)ctx->idle_timeout * 1000;
    return left > 0 ? (apr_int64_t)apr_time_as_msec(left) : 0;
}

/* ------------------------------------------------------------- create -- */

typedef struct sess_create_baton {
    sess_context *ctx;
    const uint8_t *replace_id;
    apr_pool_t *pool;
    unsigned max_user, max_total;
    sess_status verdict;
} sess_create_baton;

/* Counts the live contexts, and those of identity; stops early once both
 * limits are decided.  Read locks only: the walk never changes a record. */
static int sess_count_live(mapi_db *db, DB_TXN *txn, sess_create_baton *b,
                           unsigned *user_r, unsigned *total_r)
{
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    apr_pool_t *sub;
    apr_time_t now = apr_time_now();
    int ret = db->sessions->cursor(db->sessions, txn, &cur, 0);

    *user_r = *total_r = 0;
    if (ret != 0)
        return ret;
    apr_pool_create(&sub, b->pool);
    while ((ret = cur->get(cur, &key, &val, DB_NEXT)) == 0) {
        sess_context c;

        apr_pool_clear(sub);
        if (sess_decode(val.data, val.size, sub, &c) != 0 ||
            sess_is_expired(&c, now))
            continue;
        (*total_r)++;
        if (c.identity && strcmp(c.identity, b->ctx->identity) == 0)
            (*user_r)++;
        if ((b->max_total && *total_r >= b->max_total) ||
            (b->max_user && *user_r >= b->max_user)) {
            ret = 0;
            break;
        }
    }
    cur->close(cur);
    apr_pool_destroy(sub);
    return ret == DB_NOTFOUND ? 0 : ret;
}

static int sess_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_create_baton *b = baton;
    int ret;

    if (b->replace_id) {
        sess_context old;
        ret = sess_get(db, txn, b->replace_id, b->pool, &old);
        /* Only the same identity may retire a context: a stolen or stale
         * cookie must not end someone else's session. */
        if (ret == 0 && old.endpoint == b->ctx->endpoint &&
            old.identity && strcmp(old.identity, b->ctx->identity) == 0)
            ret = sess_del(db, txn, b->replace_id);
        if (ret != 0 && ret != DB_NOTFOUND)
            return ret;
    }
    b->verdict = SESS_OK;
    if (b->max_user || b->max_total) {
        unsigned user, total;
        ret = sess_count_live(db, txn, b, &user, &total);
        if (ret != 0)
            return ret;
        if (b->max_user && user >= b->max_user)
            b->verdict = SESS_LIMIT_USER;
        else if (b->max_total && total >= b->max_total)
            b->verdict = SESS_LIMIT_TOTAL;
        if (b->verdict != SESS_OK)
            return MAPI_DB_ABORT;       /* the replaced context stays */
    }
    return sess_put(db, txn, b->ctx);
}

sess_status sess_create(mapi_db *db, apr_pool_t *pool, sess_context *ctx,
                        const uint8_t *replace_id, const char **error_r)
{
    return sess_create_limited(db, pool, ctx, replace_id, 0, 0, error_r);
}

sess_status sess_create_limited(mapi_db *db, apr_pool_t *pool,
                                sess_context *ctx, const uint8_t *replace_id,
                                unsigned max_user, unsigned max_total,
                                const char **error_r)
{
    sess_create_baton b = { ctx, replace_id, pool, max_user, max_total,
                            SESS_OK };
    int ret;

    if (sess_random(ctx->id) != 0 || sess_random(ctx->seq) != 0) {
        *error_r = "the random number generator failed";
        return SESS_DB_ERROR;
    }
    ctx->created = ctx->last_seen = apr_time_now();
    ctx->busy_pid = 0;
    ctx->busy_since = 0;
    ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_create_txn, &b, pool,
                          error_r);
    if (ret == MAPI_DB_ABORT && b.verdict != SESS_OK)
        return b.verdict;
    if (ret != 0)
        return SESS_DB_ERROR;
    return SESS_OK;
}

/* -------------------------------------------------------------- begin -- */

typedef struct sess_begin_baton {
    const sess_check *chk;
    apr_pool_t *pool;
    sess_context *ctx;
    sess_status verdict;
} sess_begin_baton;

static sess_status sess_validate(const sess_check *chk, sess_context *ctx)
{
    if (ctx->endpoint != chk->endpoint || ctx->identity == NULL ||
        strcmp(ctx->identity, chk->identity) != 0)
        return SESS_FOREIGN;
    if ((chk->flags & SESS_CHECK_SEQ) &&
        (chk->seq == NULL || memcmp(chk->seq, ctx->seq, SESS_ID_LEN) != 0))
        return SESS_BAD_SEQUENCE;
    if ((chk->flags & SESS_EXCLUSIVE) && sess_is_busy(ctx, chk->now))
        return SESS_BUSY;
    return SESS_OK;
}

static int sess_begin_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_begin_baton *b = baton;
    const sess_check *chk = b->chk;
    sess_context *ctx = b->ctx;
    int ret = sess_get(db, txn, chk->id, b->pool, ctx);

    if (ret == DB_NOTFOUND) {
        b->verdict = SESS_NOT_FOUND;
        return MAPI_DB_ABORT;
    }
    if (ret != 0)
        return ret;
    if (sess_is_expired(ctx, chk->now)) {
        b->verdict = SESS_EXPIRED;
        ret = sess_del(db, txn, chk->id);
        return ret == 0 || ret == DB_NOTFOUND ? 0 : ret;
    }
    b->verdict = sess_validate(chk, ctx);
    if (b->verdict != SESS_OK)
        return MAPI_DB_ABORT;
    if (chk->flags & SESS_EXCLUSIVE) {
        ctx->busy_pid = (uint32_t)getpid();
        ctx->busy_since = chk->now;
        ctx->busy_owned = 1;
    }
    if ((chk->flags & SESS_ROTATE) && sess_random(ctx->seq) != 0)
        return EIO;
    ctx->requests++;
    return sess_put(db, txn, ctx);
}

sess_status sess_begin(mapi_db *db, apr_pool_t *pool, const sess_check *chk,
                       sess_context **ctx_r, const char **error_r)
{
    sess_begin_baton b = { chk, pool, apr_pcalloc(pool, sizeof(sess_context)),
                           SESS_OK };
    int ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_begin_txn, &b, pool,
                              error_r);

    if (ret == -1)
        return SESS_DB_ERROR;
    *ctx_r = b.ctx;
    return b.verdict;
}

/* ---------------------------------------------------------------- end -- */

typedef struct sess_end_baton {
    sess_context *ctx;
    apr_time_t now;
    apr_pool_t *pool;
    sess_status verdict;
} sess_end_baton;

static int sess_end_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_end_baton *b = baton;
    sess_context cur;
    int ret = sess_get(db, txn, b->ctx->id, b->pool, &cur);

    if (ret == DB_NOTFOUND) {
        b->verdict = SESS_NOT_FOUND;    /* ended meanwhile: fine */
        return MAPI_DB_ABORT;
    }
    if (ret != 0)
        return ret;
    if (b->ctx->busy_owned && cur.busy_pid == b->ctx->busy_pid &&
        cur.busy_since == b->ctx->busy_since) {
        cur.busy_pid = 0;
        cur.busy_since = 0;
    }
    cur.last_seen = b->now;
    *b->ctx = cur;
    return sess_put(db, txn, &cur);
}

sess_status sess_end(mapi_db *db, apr_pool_t *pool, sess_context *ctx,
                     apr_time_t now, const char **error_r)
{
    sess_end_baton b = { ctx, now, pool, SESS_OK };

    if (mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_end_txn, &b, pool,
                        error_r) == -1)
        return SESS_DB_ERROR;
    return b.verdict;
}

/* ------------------------------------------------------------ destroy -- */

typedef struct sess_destroy_baton {
    const uint8_t *id;
    sess_status verdict;
} sess_destroy_baton;

static int sess_destroy_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_destroy_baton *b = baton;
    int ret = sess_del(db, txn, b->id);

    if (ret == DB_NOTFOUND) {
        b->verdict = SESS_NOT_FOUND;
        return 0;
    }
    return ret;
}

sess_status sess_destroy(mapi_db *db, apr_pool_t *pool,
                         const uint8_t id[SESS_ID_LEN], const char **error_r)
{
    sess_destroy_baton b = { id, SESS_OK };

    if (mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_destroy_txn, &b, pool,
                        error_r) == -1)
        return SESS_DB_ERROR;
    return b.verdict;
}

/* -------------------------------------------------------------- sweep -- */

typedef struct sess_sweep_baton {
    apr_time_t now;
    apr_pool_t *pool;
    unsigned n;
} sess_sweep_baton;

/* One transaction for the whole walk keeps the cursor simple; the sweep
 * runs every minute or so, so the set it walks stays small. */
static int sess_sweep_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_sweep_baton *b = baton;
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    int ret = db->sessions->cursor(db->sessions, txn, &cur, 0);

    if (ret != 0)
        return ret;
    b->n = 0;
    while ((ret = cur->get(cur, &key, &val, DB_NEXT | DB_RMW)) == 0) {
        sess_context ctx;
        int bad = sess_decode(val.data, val.size, b->pool, &ctx) != 0;

        if (bad || sess_is_expired(&ctx, b->now)) {
            ret = cur->del(cur, 0);
            if (ret == 0 && key.size == SESS_ID_LEN)
                ret = sess_events_clear(db, txn, key.data);
            if ((ret == 0 || ret == DB_NOTFOUND) && key.size == SESS_ID_LEN)
                ret = sess_objs_clear(db, txn, key.data);
            if (ret == 0 && key.size == SESS_ID_LEN)
                ret = sess_queue_clear(db, txn, key.data);
            if (ret != 0 && ret != DB_NOTFOUND)
                break;
            b->n++;
        }
    }
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int sess_sweep(mapi_db *db, apr_pool_t *pool, apr_time_t now, unsigned *n_r,
               const char **error_r)
{
    sess_sweep_baton b = { now, pool, 0 };

    if (mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_sweep_txn, &b, pool,
                        error_r) != 0)
        return -1;
    *n_r = b.n;
    return 0;
}

/* --------------------------------------------------------------- list -- */

typedef struct sess_list_baton {
    apr_time_t now;
    apr_pool_t *pool;
    apr_array_header_t *out;
} sess_list_baton;

/* A read-only walk (no DB_RMW): a listing never holds a session up. */
static int sess_list_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_list_baton *b = baton;
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    int ret = db->sessions->cursor(db->sessions, txn, &cur, 0);

    if (ret != 0)
        return ret;
    b->out->nelts = 0;
    while ((ret = cur->get(cur, &key, &val, DB_NEXT)) == 0) {
        sess_context *ctx = apr_pcalloc(b->pool, sizeof(*ctx));

        if (sess_decode(val.data, val.size, b->pool, ctx) != 0 ||
            sess_is_expired(ctx, b->now))
            continue;
        APR_ARRAY_PUSH(b->out, sess_context *) = ctx;
    }
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int sess_list(mapi_db *db, apr_pool_t *pool, apr_time_t now,
              apr_array_header_t **list_r, const char **error_r)
{
    sess_list_baton b = { now, pool, apr_array_make(pool, 16,
                                                    sizeof(sess_context *)) };

    if (mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_list_txn, &b, pool,
                        error_r) != 0)
        return -1;
    *list_r = b.out;
    return 0;
}

static int sess_waits_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    unsigned *n = baton;
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    int ret = db->waits->cursor(db->waits, txn, &cur, 0);

    if (ret != 0)
        return ret;
    *n = 0;
    while ((ret = cur->get(cur, &key, &val, DB_NEXT)) == 0)
        (*n)++;
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int sess_count_waits(mapi_db *db, apr_pool_t *pool, unsigned *n_r,
                     const char **error_r)
{
    *n_r = 0;
    return mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_waits_txn, n_r, pool,
                           error_r) != 0 ? -1 : 0;
}
