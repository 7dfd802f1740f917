/*
 * mapi_db.c: opening, recovering and checking the shared Berkeley DB
 * environment.  See mapi_db.h for the rules.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mapi_db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_strings.h>
#include <openssl/rand.h>

/* Sized for a small box holding ~10,000 sessions: every session operation
 * takes a handful of locks, and failchk needs a thread slot per thread of
 * every process (httpd children have up to 64 threads each). */
#define MAPI_DB_CACHE_BYTES   (32u * 1024 * 1024)
#define MAPI_DB_MAX_LOCKS     50000
#define MAPI_DB_MAX_THREADS   1024
#define MAPI_DB_TXN_RETRIES   100
#define MAPI_DB_FILE_MODE     0660
#define MAPI_DB_OPEN_RETRIES  5
/* How long a lock request waits before it fails (DB_LOCK_NOTGRANTED): a
 * process stopped or looping while it holds a lock must not hold up every
 * other request forever.  Longer than any transaction of ours takes. */
#define MAPI_DB_LOCK_TIMEOUT_US (5u * 1000 * 1000)

const char *mapi_db_strerror(apr_pool_t *pool, mapi_db *db, const char *what,
                             int ret)
{
    return apr_psprintf(pool, "Berkeley DB environment %s: %s: %s",
                        db && db->home ? db->home : "?", what,
                        db_strerror(ret));
}

/* Berkeley DB checks lock timeouts only when its deadlock detector runs,
 * and the automatic detector (set_lk_detect) runs only at the moment a
 * request blocks, before it can have timed out: a request behind a stuck
 * holder would wait forever.  So every process that opens with
 * MAPI_DB_DETECT runs the detector in DB_LOCK_EXPIRE mode twice a second,
 * which fails the requests that waited longer than the timeout. */
#define MAPI_DB_DETECT_EVERY_US (500 * 1000)

struct mapi_db_detector {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    DB_ENV *env;
};

static void *mapi_db_detector_main(void *arg)
{
    struct mapi_db_detector *d = arg;

    pthread_mutex_lock(&d->mu);
    while (!d->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += MAPI_DB_DETECT_EVERY_US * 1000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&d->cv, &d->mu, &ts);
        if (!d->stop) {
            pthread_mutex_unlock(&d->mu);
            d->env->lock_detect(d->env, 0, DB_LOCK_EXPIRE, NULL);
            pthread_mutex_lock(&d->mu);
        }
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

static int mapi_db_detector_start(mapi_db *db)
{
    struct mapi_db_detector *d = calloc(1, sizeof(*d));

    if (d == NULL)
        return -1;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    d->env = db->env;
    if (pthread_create(&d->th, NULL, mapi_db_detector_main, d) != 0) {
        free(d);
        return -1;
    }
    db->detector = d;
    return 0;
}

static void mapi_db_detector_stop(mapi_db *db)
{
    struct mapi_db_detector *d = db->detector;

    if (d == NULL)
        return;
    pthread_mutex_lock(&d->mu);
    d->stop = 1;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->th, NULL);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    free(d);
    db->detector = NULL;
}

/* failchk asks whether the thread (pid, tid) that left state behind is
 * still alive.  Threads of a live process are alive: only whole httpd
 * children die (kill -9, segfault), never single threads. */
static int mapi_db_isalive(DB_ENV *env, pid_t pid, db_threadid_t tid,
                           uint32_t flags)
{
    (void)env; (void)tid; (void)flags;
    if (pid == getpid())
        return 1;
    return kill(pid, 0) == 0 || errno == EPERM;
}

static int mapi_db_env_create(mapi_db *db, const char **error_r)
{
    DB_ENV *env;
    int ret = db_env_create(&env, 0);

    if (ret != 0) {
        *error_r = mapi_db_strerror(db->pool, db, "db_env_create", ret);
        return -1;
    }
    env->set_cachesize(env, 0, MAPI_DB_CACHE_BYTES, 1);
    env->set_lk_max_locks(env, MAPI_DB_MAX_LOCKS);
    env->set_lk_max_objects(env, MAPI_DB_MAX_LOCKS);
    env->set_lk_max_lockers(env, MAPI_DB_MAX_LOCKS);
    env->set_lk_detect(env, DB_LOCK_DEFAULT);
    env->set_thread_count(env, MAPI_DB_MAX_THREADS);
    env->set_isalive(env, mapi_db_isalive);
    env->set_errpfx(env, "mapi-db");
    env->log_set_config(env, DB_LOG_AUTO_REMOVE, 1);
    /* A waiter must not stall forever behind a stuck holder.  With
     * DB_TIME_NOTGRANTED the expiry is DB_LOCK_NOTGRANTED, told apart from
     * a deadlock (DB_LOCK_DEADLOCK, retried at once). */
    env->set_timeout(env, MAPI_DB_LOCK_TIMEOUT_US, DB_SET_LOCK_TIMEOUT);
    env->set_flags(env, DB_TIME_NOTGRANTED, 1);
    db->env = env;
    return 0;
}

static int mapi_db_open_env(mapi_db *db, unsigned flags, int recover,
                            const char **error_r)
{
    u_int32_t oflags = DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
                       DB_INIT_TXN | DB_THREAD;
    int ret;

    if (flags & MAPI_DB_CREATE) {
        if (mkdir(db->home, 0770) != 0 && errno != EEXIST) {
            *error_r = apr_psprintf(db->pool, "cannot create %s: %s",
                                    db->home, strerror(errno));
            return -1;
        }
        oflags |= DB_CREATE;
    }
    if (recover)
        oflags |= DB_RECOVER | DB_CREATE;
    else
        oflags |= DB_FAILCHK;
    /* The failure check at open cleans up after a process that died with
     * the environment open in stages: the first pass frees its locks and
     * may then fail with EBUSY on its mutexes, which a second pass frees.
     * So a failed open is retried a few times before it counts. */
    for (int attempt = 0; ; attempt++) {
        if (mapi_db_env_create(db, error_r) != 0)
            return -1;
        ret = db->env->open(db->env, db->home, oflags, MAPI_DB_FILE_MODE);
        if (ret == 0)
            return 0;
        db->env->close(db->env, 0);
        db->env = NULL;
        if (ret == ENOENT || attempt == MAPI_DB_OPEN_RETRIES)
            break;
        usleep(50 * 1000);
    }
    *error_r = mapi_db_strerror(db->pool, db, "open", ret);
    return ret == DB_RUNRECOVERY ? MAPI_DB_NEEDS_RECOVERY : -1;
}

static int mapi_db_open_one(mapi_db *db, DB **dbp, const char *file,
                            const char **error_r)
{
    DB *d;
    int ret = db_create(&d, db->env, 0);

    if (ret == 0)
        ret = d->open(d, NULL, file, NULL, DB_BTREE,
                      DB_CREATE | DB_AUTO_COMMIT | DB_THREAD,
                      MAPI_DB_FILE_MODE);
    if (ret != 0) {
        *error_r = mapi_db_strerror(db->pool, db,
                                    apr_pstrcat(db->pool, "open ", file, NULL),
                                    ret);
        if (d)
            d->close(d, 0);
        return -1;
    }
    *dbp = d;
    return 0;
}

static void mapi_db_close_handles(mapi_db *db)
{
    mapi_db_detector_stop(db);
    DB **all[] = { &db->sessions, &db->waits, &db->events, &db->config,
                   &db->folders, &db->messages, &db->contents, &db->meta,
                   &db->blobs, &db->objects };

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (*all[i]) {
            (*all[i])->close(*all[i], 0);
            *all[i] = NULL;
        }
    }
    if (db->env) {
        db->env->close(db->env, 0);
        db->env = NULL;
    }
}

static apr_status_t mapi_db_cleanup(void *data)
{
    mapi_db_close_handles(data);
    return APR_SUCCESS;
}

static int mapi_db_open_all(mapi_db *db, const char **error_r)
{
    if (mapi_db_open_one(db, &db->sessions, "sessions.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->waits, "waits.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->events, "events.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->config, "config.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->folders, "store-folders.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->messages, "store-messages.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->contents, "store-contents.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->meta, "store-meta.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->blobs, "store-blobs.db", error_r) != 0 ||
        mapi_db_open_one(db, &db->objects, "objects.db", error_r) != 0) {
        mapi_db_close_handles(db);
        return -1;
    }
    return 0;
}

int mapi_db_open(apr_pool_t *pool, const char *home, unsigned flags,
                 mapi_db **db_r, const char **error_r)
{
    mapi_db *db = apr_pcalloc(pool, sizeof(*db));
    int ret;

    db->pool = pool;
    db->home = apr_pstrdup(pool, home);
    if ((ret = mapi_db_open_env(db, flags, 0, error_r)) != 0)
        return ret;
    if (mapi_db_open_all(db, error_r) != 0)
        return -1;
    if ((flags & MAPI_DB_DETECT) && mapi_db_detector_start(db) != 0) {
        *error_r = mapi_db_strerror(pool, db, "lock timeout thread", ENOMEM);
        mapi_db_close_handles(db);
        return -1;
    }
    apr_pool_cleanup_register(pool, db, mapi_db_cleanup,
                              apr_pool_cleanup_null);
    *db_r = db;
    return 0;
}

void mapi_db_close(mapi_db **dbp)
{
    mapi_db *db = *dbp;

    if (db == NULL)
        return;
    apr_pool_cleanup_kill(db->pool, db, mapi_db_cleanup);
    mapi_db_close_handles(db);
    *dbp = NULL;
}

int mapi_db_recover(apr_pool_t *pool, const char *home, const char **error_r)
{
    mapi_db db = { .pool = pool, .home = home };

    if (mapi_db_open_env(&db, MAPI_DB_CREATE, 1, error_r) != 0)
        return -1;
    /* Create the databases too, so that the first children race on
     * nothing but opening them. */
    if (mapi_db_open_all(&db, error_r) != 0)
        return -1;
    mapi_db_close_handles(&db);
    return 0;
}

int mapi_db_failchk(mapi_db *db, const char **error_r)
{
    int ret = db->env->failchk(db->env, 0);

    if (ret == EBUSY)    /* a dead process's mutexes: a second pass frees */
        ret = db->env->failchk(db->env, 0);

    if (ret != 0) {
        *error_r = mapi_db_strerror(db->pool, db, "failchk", ret);
        return ret == DB_RUNRECOVERY ? MAPI_DB_NEEDS_RECOVERY : -1;
    }
    return 0;
}

/* A file, not a signal: the children run as the serving user and cannot
 * signal httpd's parent (root); the parent looks for it every second. */
#define MAPI_DB_RECOVERY_FILE "recovery-needed"

int mapi_db_request_recovery(const char *home)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/" MAPI_DB_RECOVERY_FILE, home);
    fd = open(path, O_WRONLY | O_CREAT, MAPI_DB_FILE_MODE);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int mapi_db_recovery_requested(const char *home)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/" MAPI_DB_RECOVERY_FILE, home);
    return unlink(path) == 0;
}

int mapi_db_checkpoint(mapi_db *db, const char **error_r)
{
    int ret = db->env->txn_checkpoint(db->env, 1024, 1, 0);

    if (ret == 0)
        ret = db->env->log_archive(db->env, NULL, DB_ARCH_REMOVE);
    if (ret != 0) {
        *error_r = mapi_db_strerror(db->pool, db, "checkpoint", ret);
        return -1;
    }
    return 0;
}

/* Writers that lost a deadlock retry after a random pause that grows with
 * each attempt, so that they stop colliding instead of colliding again in
 * lockstep. */
static void mapi_db_backoff(int attempt)
{
    unsigned span = 200u << (attempt < 8 ? attempt : 8);   /* microseconds */
    unsigned r;

    if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        r = (unsigned)getpid() * 2654435761u;
    usleep(r % span);
}

/* Deadlocks are retried: the detector picked us as the victim and the
 * other side goes on.  A lock wait that timed out is not: its holder is
 * stuck, and waiting again would only pile requests up behind it. */
static int mapi_db_is_retryable(int ret)
{
    return ret == DB_LOCK_DEADLOCK;
}

static const char *mapi_db_txn_error(apr_pool_t *pool, mapi_db *db, int ret)
{
    if (ret == DB_LOCK_NOTGRANTED)
        return apr_psprintf(pool, "Berkeley DB environment %s: a lock was "
                            "not granted within %u s: another process holds "
                            "it and does not finish (stopped or stuck?); "
                            "its locks are freed within seconds of its end",
                            db->home, MAPI_DB_LOCK_TIMEOUT_US / 1000000);
    return mapi_db_strerror(pool, db, "transaction", ret);
}

int mapi_db_txn_run(mapi_db *db, unsigned flags, mapi_db_txn_fn fn,
                    void *baton, apr_pool_t *pool, const char **error_r)
{
    u_int32_t tflags = (flags & MAPI_DB_TXN_NOSYNC) ? DB_TXN_NOSYNC : 0;
    int ret = 0;

    for (int attempt = 0; attempt < MAPI_DB_TXN_RETRIES; attempt++) {
        DB_TXN *txn;

        if (attempt > 0)
            mapi_db_backoff(attempt);
        ret = db->env->txn_begin(db->env, NULL, &txn, tflags);
        if (ret != 0)
            break;
        ret = fn(db, txn, baton);
        if (ret != 0) {
            txn->abort(txn);
            if (mapi_db_is_retryable(ret))
                continue;
            if (ret == MAPI_DB_ABORT)
                return ret;    /* the body's own verdict, not a DB error */
            break;
        }
        ret = txn->commit(txn, 0);
        if (ret == 0)
            return 0;
        if (!mapi_db_is_retryable(ret))
            break;
    }
    *error_r = mapi_db_txn_error(pool, db, ret);
    return ret == DB_LOCK_NOTGRANTED ? MAPI_DB_BUSY : -1;
}
