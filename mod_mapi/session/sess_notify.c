/*
 * sess_notify.c: event counts, NotificationWait registrations and the
 * datagram that wakes the process holding a wait.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "sess_notify.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <apr_strings.h>

#define SESS_WAKE_PATH_MAX 107   /* sun_path less its NUL */

const char *sess_wake_dir(apr_pool_t *pool, mapi_db *db)
{
    return apr_pstrcat(pool, db->home, "/wake", NULL);
}

static void sess_key(DBT *key, const uint8_t *id)
{
    memset(key, 0, sizeof(*key));
    key->data = (void *)id;
    key->size = SESS_ID_LEN;
}

static int sess_event_read(mapi_db *db, DB_TXN *txn, const uint8_t *id,
                           uint32_t *count_r, u_int32_t flags)
{
    DBT key, val = { 0 };
    uint32_t n = 0;
    int ret;

    sess_key(&key, id);
    val.data = &n;
    val.ulen = sizeof(n);
    val.flags = DB_DBT_USERMEM;
    ret = db->events->get(db->events, txn, &key, &val, flags);
    if (ret == DB_NOTFOUND || (ret == 0 && val.size != sizeof(n))) {
        *count_r = 0;
        return 0;
    }
    if (ret != 0)
        return ret;
    *count_r = n;
    return 0;
}

int sess_event_pending(mapi_db *db, DB_TXN *txn,
                       const uint8_t id[SESS_ID_LEN], uint32_t *count_r)
{
    return sess_event_read(db, txn, id, count_r, 0);
}

int sess_events_clear(mapi_db *db, DB_TXN *txn, const uint8_t id[SESS_ID_LEN])
{
    DBT key;

    sess_key(&key, id);
    return db->events->del(db->events, txn, &key, 0);
}

typedef struct sess_event_baton {
    const uint8_t *id;
    int take;            /* 0: add one; 1: read and zero */
    uint32_t count;
    char path[SESS_WAKE_PATH_MAX + 1];
} sess_event_baton;

/* A registration's value: the wake socket path, then a NUL and the
 * identity of the session's user (what MapiMaxNotificationWaitsPerUser
 * counts by); older records hold the path alone. */
#define SESS_WAIT_VAL_MAX (SESS_WAKE_PATH_MAX + 1 + SESS_STR_MAX)

static int sess_wait_lookup(mapi_db *db, DB_TXN *txn, const uint8_t *id,
                            char *path, size_t cap)
{
    char buf[SESS_WAIT_VAL_MAX + 1];
    DBT key, val = { 0 };
    size_t n;
    int ret;

    sess_key(&key, id);
    val.data = buf;
    val.ulen = SESS_WAIT_VAL_MAX;
    val.flags = DB_DBT_USERMEM;
    ret = db->waits->get(db->waits, txn, &key, &val, 0);
    path[0] = '\0';
    if (ret != 0)
        return ret == DB_NOTFOUND || ret == DB_BUFFER_SMALL ? 0 : ret;
    buf[val.size] = '\0';
    n = strlen(buf);
    if (n < cap) {
        memcpy(path, buf, n);
        path[n] = '\0';
    }
    return 0;
}

static int sess_event_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_event_baton *b = baton;
    DBT key, val = { 0 };
    uint32_t n;
    int ret;

    /* Read with a write lock, so two posters never both read n and
     * write n+1. */
    ret = sess_event_read(db, txn, b->id, &n, DB_RMW);
    if (ret != 0)
        return ret;
    b->count = n;
    sess_key(&key, b->id);
    if (b->take) {
        ret = db->events->del(db->events, txn, &key, 0);
        return ret == DB_NOTFOUND ? 0 : ret;
    }
    n = n == UINT32_MAX ? n : n + 1;
    val.data = &n;
    val.size = sizeof(n);
    ret = db->events->put(db->events, txn, &key, &val, 0);
    if (ret != 0)
        return ret;
    return sess_wait_lookup(db, txn, b->id, b->path, sizeof(b->path));
}

/* Best effort: a full socket queue or a dead process only delays the
 * client (it re-polls at the end of its wait), the count is already
 * committed. */
static void sess_wake(const char *path, const uint8_t *id)
{
    struct sockaddr_un sa;
    int fd;

    if (path[0] == '\0' || strlen(path) > SESS_WAKE_PATH_MAX)
        return;
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path));
    for (int tries = 0; tries < 50; tries++) {
        if (sendto(fd, id, SESS_ID_LEN, MSG_DONTWAIT, (struct sockaddr *)&sa,
                   sizeof(sa)) == SESS_ID_LEN || errno != EAGAIN)
            break;
        usleep(2000);   /* the waiter drains its queue within milliseconds */
    }
    close(fd);
}

int sess_event_post(mapi_db *db, apr_pool_t *pool,
                    const uint8_t id[SESS_ID_LEN], const char **error_r)
{
    sess_event_baton b = { .id = id };

    if (mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_event_txn, &b, pool,
                        error_r) != 0)
        return -1;
    sess_wake(b.path, id);
    return 0;
}

int sess_event_take(mapi_db *db, apr_pool_t *pool,
                    const uint8_t id[SESS_ID_LEN], uint32_t *count_r,
                    const char **error_r)
{
    sess_event_baton b = { .id = id, .take = 1 };

    if (mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_event_txn, &b, pool,
                        error_r) != 0)
        return -1;
    *count_r = b.count;
    return 0;
}

typedef struct sess_wait_baton {
    const uint8_t *id;
    const char *path;
    int reg;
    const char *identity;        /* reg: the session's user, or NULL */
    unsigned max;                /* reg: that user's waits allowed (0: any) */
    int over;                    /* out: refused, the user holds max */
} sess_wait_baton;

/* Whether the process a registration names (".../<pid>.sock") lives: a
 * child killed with -9 leaves its registrations behind. */
static int sess_wait_alive(const char *path, size_t len)
{
    const char *slash = memrchr(path, '/', len);
    long pid = slash ? strtol(slash + 1, NULL, 10) : 0;

    if (pid <= 0)
        return 1;
    return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

/* The live waits of identity other than session id's own (a re-issued
 * wait replaces it).  Read locks on the whole registry keep two
 * processes from both taking the last slot: one of them deadlocks and
 * retries, and then sees the other's registration. */
static int sess_wait_count_user(mapi_db *db, DB_TXN *txn,
                                const sess_wait_baton *b, unsigned *n_r)
{
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    int ret = db->waits->cursor(db->waits, txn, &cur, 0);

    *n_r = 0;
    if (ret != 0)
        return ret;
    while ((ret = cur->get(cur, &key, &val, DB_NEXT)) == 0) {
        const char *v = val.data, *nul = memchr(v, '\0', val.size);
        size_t plen = nul ? (size_t)(nul - v) : val.size;

        if (!nul || (key.size == SESS_ID_LEN &&
                     memcmp(key.data, b->id, SESS_ID_LEN) == 0))
            continue;
        if (val.size - plen - 1 == strlen(b->identity) &&
            memcmp(nul + 1, b->identity, val.size - plen - 1) == 0 &&
            sess_wait_alive(v, plen))
            (*n_r)++;
    }
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}

static int sess_wait_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    sess_wait_baton *b = baton;
    DBT key, val = { 0 };
    char cur[SESS_WAKE_PATH_MAX + 1];
    int ret;

    sess_key(&key, b->id);
    if (b->reg) {
        size_t plen = strlen(b->path);
        size_t ilen = b->identity ? strlen(b->identity) : 0;
        char *v;

        b->over = 0;
        if (b->identity && b->max) {
            unsigned n;
            ret = sess_wait_count_user(db, txn, b, &n);
            if (ret != 0)
                return ret;
            if (n >= b->max) {
                b->over = 1;
                return MAPI_DB_ABORT;
            }
        }
        v = malloc(plen + 1 + ilen);
        if (v == NULL)
            return ENOMEM;
        memcpy(v, b->path, plen);
        v[plen] = '\0';
        if (ilen)
            memcpy(v + plen + 1, b->identity, ilen);
        val.data = v;
        val.size = (u_int32_t)(b->identity ? plen + 1 + ilen : plen);
        ret = db->waits->put(db->waits, txn, &key, &val, 0);
        free(v);
        return ret;
    }
    ret = sess_wait_lookup(db, txn, b->id, cur, sizeof(cur));
    if (ret != 0 || strcmp(cur, b->path) != 0)
        return ret;
    ret = db->waits->del(db->waits, txn, &key, 0);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int sess_wait_register(mapi_db *db, apr_pool_t *pool,
                       const uint8_t id[SESS_ID_LEN], const char *sock_path,
                       const char **error_r)
{
    int over = 0;

    return sess_wait_register_user(db, pool, id, sock_path, NULL, 0, &over,
                                   error_r);
}

int sess_wait_register_user(mapi_db *db, apr_pool_t *pool,
                            const uint8_t id[SESS_ID_LEN],
                            const char *sock_path, const char *identity,
                            unsigned max, int *over_r, const char **error_r)
{
    sess_wait_baton b = { id, sock_path, 1, identity, max, 0 };
    int ret;

    *over_r = 0;
    if (strlen(sock_path) > SESS_WAKE_PATH_MAX ||
        (identity && strlen(identity) > SESS_STR_MAX)) {
        *error_r = apr_psprintf(pool, "wake socket path or identity too "
                                "long");
        return -1;
    }
    ret = mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_wait_txn, &b, pool,
                          error_r);
    if (ret == MAPI_DB_ABORT && b.over) {
        *over_r = 1;
        return -1;
    }
    return ret == 0 ? 0 : -1;
}

int sess_wait_unregister(mapi_db *db, apr_pool_t *pool,
                         const uint8_t id[SESS_ID_LEN], const char *sock_path,
                         const char **error_r)
{
    sess_wait_baton b = { id, sock_path, 0, NULL, 0, 0 };

    return mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, sess_wait_txn, &b, pool,
                           error_r) == 0 ? 0 : -1;
}
