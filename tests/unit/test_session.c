/*
 * test_session.c: session contexts and events in a real Berkeley DB
 * environment ([MS-OXCMAPIHTTP] 3.2.5.1, 3.2.5.6, 3.2.6).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <apr_strings.h>
#include <unistd.h>
#include "unit_env.h"
#include "session/sess_context.h"
#include "session/sess_notify.h"

static apr_pool_t *pool;
static mapi_db *db;
static char dir[] = "/tmp/mapi-unit-sess-XXXXXX";

static int suite_init(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    db = unit_env_open(pool, dir);
    return db ? 0 : -1;
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    unit_env_remove(dir);
    return 0;
}

static sess_context *new_ctx(const char *identity, sess_endpoint ep,
                             uint32_t idle)
{
    sess_context *c = apr_pcalloc(pool, sizeof(*c));
    const char *error = NULL;

    c->endpoint = ep;
    c->identity = identity;
    c->auth_type = "Basic";
    c->mailbox = "demo@mapi.test";
    c->idle_timeout = idle;
    CU_ASSERT_EQUAL_FATAL(sess_create(db, pool, c, NULL, &error), SESS_OK);
    return c;
}

static sess_status begin(const sess_context *c, const char *identity,
                         sess_endpoint ep, const uint8_t *seq, unsigned flags,
                         apr_time_t now, sess_context **out)
{
    sess_check chk = { c->id, ep, identity, seq, flags, now };
    const char *error = NULL;
    sess_context *dummy;

    return sess_begin(db, pool, &chk, out ? out : &dummy, &error);
}

static void test_id_codec(void)
{
    uint8_t id[SESS_ID_LEN], back[SESS_ID_LEN];
    static const char *const bad[] = {
        "", "00", "0123456789abcdef0123456789abcdeg",
        "0123456789abcdef0123456789abcdef0", " 123456789abcdef0123456789abcdef",
    };

    CU_ASSERT_EQUAL(sess_random(id), 0);
    CU_ASSERT_EQUAL(sess_id_parse(sess_id_hex(pool, id), back), 0);
    CU_ASSERT_EQUAL(memcmp(id, back, SESS_ID_LEN), 0);
    CU_ASSERT_EQUAL(sess_id_parse("0123456789ABCDEF0123456789abcdef", back),
                    0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(sess_id_parse(bad[i], back), -1);
    CU_ASSERT_EQUAL(sess_id_parse(NULL, back), -1);
}

/* Ids come from a CSPRNG: no two of many collide. */
static void test_ids_unique(void)
{
    uint8_t ids[512][SESS_ID_LEN];

    for (int i = 0; i < 512; i++) {
        CU_ASSERT_EQUAL(sess_random(ids[i]), 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT_NOT_EQUAL(memcmp(ids[i], ids[j], SESS_ID_LEN), 0);
    }
}

static void test_record_codec(void)
{
    sess_context c = { .endpoint = SESS_EP_NSPI, .created = 1, .last_seen = 2,
                       .idle_timeout = 900, .busy_pid = 7, .busy_since = 3,
                       .requests = 9, .codepage = 1252, .identity = "u@R",
                       .auth_type = "Negotiate", .mailbox = "u@x",
                       .user_dn = "/o=x", .client_app = "Outlook/16.0",
                       .client_ip = "127.0.0.1" };
    sess_context d;
    uint8_t buf[8192];
    size_t len;

    sess_random(c.id);
    CU_ASSERT_EQUAL_FATAL(sess_encode(&c, buf, sizeof(buf), &len), 0);
    CU_ASSERT_EQUAL_FATAL(sess_decode(buf, len, pool, &d), 0);
    CU_ASSERT_EQUAL(memcmp(c.id, d.id, SESS_ID_LEN), 0);
    CU_ASSERT_EQUAL(d.endpoint, SESS_EP_NSPI);
    CU_ASSERT_EQUAL(d.requests, 9);
    CU_ASSERT_STRING_EQUAL(d.identity, "u@R");
    CU_ASSERT_STRING_EQUAL(d.client_ip, "127.0.0.1");
    /* Every truncation and a trailing byte are refused. */
    for (size_t n = 0; n < len; n++)
        CU_ASSERT_EQUAL(sess_decode(buf, n, pool, &d), -1);
    buf[len] = 0;
    CU_ASSERT_EQUAL(sess_decode(buf, len + 1, pool, &d), -1);
    buf[0] = 99;   /* unknown version */
    CU_ASSERT_EQUAL(sess_decode(buf, len, pool, &d), -1);
    /* A buffer too small to encode into fails, not overflows. */
    CU_ASSERT_EQUAL(sess_encode(&c, buf, 20, &len), -1);
}

/* R1224, R1225: another identity, or the other endpoint, finds nothing. */
static void test_bound_to_identity_and_endpoint(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 900);
    apr_time_t now = apr_time_now();

    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0, now,
                          NULL), SESS_OK);
    CU_ASSERT_EQUAL(begin(c, "other@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0, now,
                          NULL), SESS_FOREIGN);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_NSPI, NULL, 0, now,
                          NULL), SESS_FOREIGN);
}

/* R1228: a stale sequence value fails; each sequenced request rotates it. */
static void test_sequence_rotates(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 900), *got;
    apr_time_t now = apr_time_now();
    uint8_t old[SESS_ID_LEN];
    unsigned f = SESS_CHECK_SEQ | SESS_ROTATE;

    memcpy(old, c->seq, SESS_ID_LEN);
    CU_ASSERT_EQUAL_FATAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, old, f,
                                now, &got), SESS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(got->seq, old, SESS_ID_LEN), 0);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, old, f, now,
                          NULL), SESS_BAD_SEQUENCE);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL, f, now,
                          NULL), SESS_BAD_SEQUENCE);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, got->seq, f,
                          now, NULL), SESS_OK);
}

/* R1227, R1228: one request at a time; ending it frees the context, and a
 * non-exclusive request (PING) never clears another's busy mark. */
static void test_one_request_at_a_time(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 900);
    sess_context *first, *ping;
    apr_time_t now = apr_time_now();
    const char *error = NULL;

    CU_ASSERT_EQUAL_FATAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL,
                                SESS_EXCLUSIVE, now, &first), SESS_OK);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL,
                          SESS_EXCLUSIVE, now, NULL), SESS_BUSY);
    CU_ASSERT_EQUAL_FATAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0,
                                now, &ping), SESS_OK);
    CU_ASSERT_EQUAL(sess_end(db, pool, ping, now, &error), SESS_OK);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL,
                          SESS_EXCLUSIVE, now, NULL), SESS_BUSY);
    CU_ASSERT_EQUAL(sess_end(db, pool, first, now, &error), SESS_OK);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL,
                          SESS_EXCLUSIVE, now, NULL), SESS_OK);
}

/* A process killed mid-request must not leave its context busy. */
static void test_busy_of_dead_process_expires(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 900);
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        /* The child marks the context busy and dies without ending it. */
        mapi_db *cdb;
        const char *error = NULL;
        sess_context *got;
        sess_check chk = { c->id, SESS_EP_EMSMDB, "demo@MAPI.TEST", NULL,
                           SESS_EXCLUSIVE, apr_time_now() };
        if (mapi_db_open(pool, dir, 0, &cdb, &error) != 0 ||
            sess_begin(cdb, pool, &chk, &got, &error) != SESS_OK)
            _exit(1);
        kill(getpid(), SIGKILL);
    }
    waitpid(pid, &status, 0);
    CU_ASSERT_TRUE(WIFSIGNALED(status));
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL,
                          SESS_EXCLUSIVE, apr_time_now(), NULL), SESS_OK);
}

static int put_k(mapi_db *d, DB_TXN *txn, void *baton)
{
    DBT k = { 0 }, v = { 0 };

    (void)baton;
    k.data = "unit-lock-key";
    k.size = 13;
    v.data = "v";
    v.size = 1;
    return d->config->put(d->config, txn, &k, &v, 0);
}

/* A process stopped while it holds a write lock: a waiter gets
 * MAPI_DB_BUSY after the 5 s lock timeout (a MAPI_DB_DETECT handle expires
 * it), not a hang; once the holder is killed, failchk frees its lock. */
static void test_stuck_lock_holder_busy_then_failchk(void)
{
    mapi_db *d2 = NULL;
    const char *error = NULL;
    int fd[2], ret;
    char c;
    pid_t pid;
    apr_time_t t0, took;

    CU_ASSERT_EQUAL_FATAL(pipe(fd), 0);
    pid = fork();
    if (pid == 0) {
        mapi_db *cdb;
        DB_TXN *txn;
        if (mapi_db_open(pool, dir, 0, &cdb, &error) != 0 ||
            cdb->env->txn_begin(cdb->env, NULL, &txn, 0) != 0 ||
            put_k(cdb, txn, NULL) != 0)
            _exit(1);
        if (write(fd[1], "x", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    close(fd[1]);
    CU_ASSERT_EQUAL_FATAL(read(fd[0], &c, 1), 1);
    close(fd[0]);
    kill(pid, SIGSTOP);
    CU_ASSERT_EQUAL_FATAL(mapi_db_open(pool, dir, MAPI_DB_DETECT, &d2,
                                       &error), 0);
    t0 = apr_time_now();
    ret = mapi_db_txn_run(d2, 0, put_k, NULL, pool, &error);
    took = apr_time_now() - t0;
    CU_ASSERT_EQUAL(ret, MAPI_DB_BUSY);
    CU_ASSERT(took >= apr_time_from_msec(4500) &&
              took < apr_time_from_sec(8));
    CU_ASSERT_PTR_NOT_NULL(error ? strstr(error, "not granted") : NULL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    CU_ASSERT_EQUAL(mapi_db_failchk(d2, &error), 0);
    t0 = apr_time_now();
    CU_ASSERT_EQUAL(mapi_db_txn_run(d2, 0, put_k, NULL, pool, &error), 0);
    CU_ASSERT(apr_time_now() - t0 < apr_time_from_sec(1));
    mapi_db_close(&d2);
    /* The mark a child leaves for the parent's restart. */
    CU_ASSERT_EQUAL(mapi_db_recovery_requested(dir), 0);
    CU_ASSERT_EQUAL(mapi_db_request_recovery(dir), 0);
    CU_ASSERT_EQUAL(mapi_db_recovery_requested(dir), 1);
    CU_ASSERT_EQUAL(mapi_db_recovery_requested(dir), 0);
}

/* R1285: idle past the timeout, the context is gone. */
static void test_idle_expiry(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 60);
    apr_time_t now = apr_time_now();

    CU_ASSERT(sess_expiration_ms(c, now) <= 60000);
    CU_ASSERT(sess_expiration_ms(c, now) > 59000);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0,
                          now + apr_time_from_sec(61), NULL), SESS_EXPIRED);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0, now,
                          NULL), SESS_NOT_FOUND);
}

static void test_sweep(void)
{
    sess_context *a = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 30);
    sess_context *b = new_ctx("demo@MAPI.TEST", SESS_EP_NSPI, 3000);
    apr_time_t later = apr_time_now() + apr_time_from_sec(120);
    const char *error = NULL;
    unsigned n = 0;

    CU_ASSERT_EQUAL(sess_sweep(db, pool, later, &n, &error), 0);
    CU_ASSERT(n >= 1);
    CU_ASSERT_EQUAL(begin(a, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0, later,
                          NULL), SESS_NOT_FOUND);
    CU_ASSERT_EQUAL(begin(b, "demo@MAPI.TEST", SESS_EP_NSPI, NULL, 0, later,
                          NULL), SESS_OK);
}

/* R1277: a reconnect destroys the old context, but only its owner's. */
static void test_replace_on_reconnect(void)
{
    sess_context *old = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 900);
    sess_context *theirs = new_ctx("other@MAPI.TEST", SESS_EP_EMSMDB, 900);
    sess_context *fresh = apr_pcalloc(pool, sizeof(*fresh));
    apr_time_t now = apr_time_now();
    const char *error = NULL;

    *fresh = *old;
    CU_ASSERT_EQUAL(sess_create(db, pool, fresh, old->id, &error), SESS_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(fresh->id, old->id, SESS_ID_LEN), 0);
    CU_ASSERT_EQUAL(begin(old, "demo@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0, now,
                          NULL), SESS_NOT_FOUND);
    CU_ASSERT_EQUAL(sess_create(db, pool, fresh, theirs->id, &error),
                    SESS_OK);
    CU_ASSERT_EQUAL(begin(theirs, "other@MAPI.TEST", SESS_EP_EMSMDB, NULL, 0,
                          now, NULL), SESS_OK);
}

static void test_destroy(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_NSPI, 900);
    const char *error = NULL;

    CU_ASSERT_EQUAL(sess_destroy(db, pool, c->id, &error), SESS_OK);
    CU_ASSERT_EQUAL(sess_destroy(db, pool, c->id, &error), SESS_NOT_FOUND);
    CU_ASSERT_EQUAL(begin(c, "demo@MAPI.TEST", SESS_EP_NSPI, NULL, 0,
                          apr_time_now(), NULL), SESS_NOT_FOUND);
}

static void test_events(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 900);
    const char *error = NULL;
    uint32_t n = 99;

    CU_ASSERT_EQUAL(sess_event_pending(db, NULL, c->id, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(sess_event_post(db, pool, c->id, &error), 0);
    CU_ASSERT_EQUAL(sess_event_post(db, pool, c->id, &error), 0);
    CU_ASSERT_EQUAL(sess_event_pending(db, NULL, c->id, &n), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(sess_event_take(db, pool, c->id, &n, &error), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(sess_event_pending(db, NULL, c->id, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    /* Destroying the context drops its pending events. */
    sess_event_post(db, pool, c->id, &error);
    sess_destroy(db, pool, c->id, &error);
    CU_ASSERT_EQUAL(sess_event_pending(db, NULL, c->id, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
}

/* Posting wakes the registered process through its datagram socket; the
 * newest registration wins and only its owner may drop it. */
static void test_wait_registry_wakes(void)
{
    sess_context *c = new_ctx("demo@MAPI.TEST", SESS_EP_EMSMDB, 900);
    const char *path = apr_pstrcat(pool, dir, "/w.sock", NULL);
    const char *error = NULL;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    uint8_t got[SESS_ID_LEN];
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

    strcpy(sa.sun_path, path);
    CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    CU_ASSERT_EQUAL(sess_wait_register(db, pool, c->id, "/nowhere/a.sock",
                                       &error), 0);
    CU_ASSERT_EQUAL(sess_wait_register(db, pool, c->id, path, &error), 0);
    CU_ASSERT_EQUAL(sess_wait_unregister(db, pool, c->id, "/nowhere/a.sock",
                                         &error), 0);
    CU_ASSERT_EQUAL(sess_event_post(db, pool, c->id, &error), 0);
    CU_ASSERT_EQUAL(recv(fd, got, sizeof(got), MSG_DONTWAIT), SESS_ID_LEN);
    CU_ASSERT_EQUAL(memcmp(got, c->id, SESS_ID_LEN), 0);
    CU_ASSERT_EQUAL(sess_wait_unregister(db, pool, c->id, path, &error), 0);
    CU_ASSERT_EQUAL(sess_event_post(db, pool, c->id, &error), 0);
    CU_ASSERT_EQUAL(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
    close(fd);
}

static sess_status create_limited(const char *identity, uint32_t idle,
                                  const uint8_t *replace, unsigned max_user,
                                  unsigned max_total, sess_context **out)
{
    sess_context *c = apr_pcalloc(pool, sizeof(*c));
    const char *error = NULL;

    c->endpoint = SESS_EP_EMSMDB;
    c->identity = identity;
    c->mailbox = "demo@mapi.test";
    c->idle_timeout = idle;
    if (out)
        *out = c;
    return sess_create_limited(db, pool, c, replace, max_user, max_total,
                               &error);
}

/* MapiMaxSessionsPerUser and MapiMaxSessions: counted in the creating
 * transaction; a replaced or expired context does not count. */
static void test_session_limits(void)
{
    apr_array_header_t *live = NULL;
    sess_context *a[3], *x, *short_lived;
    const char *error = NULL;
    unsigned base;

    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(create_limited("limits@T", 900, NULL, 2, 0, &a[i]),
                        SESS_OK);
    CU_ASSERT_EQUAL(create_limited("limits@T", 900, NULL, 2, 0, &x),
                    SESS_LIMIT_USER);
    CU_ASSERT_EQUAL(begin(x, "limits@T", SESS_EP_EMSMDB, NULL, 0,
                          apr_time_now(), NULL), SESS_NOT_FOUND);
    /* Another identity is not counted against this one. */
    CU_ASSERT_EQUAL(create_limited("limits-other@T", 900, NULL, 2, 0, NULL),
                    SESS_OK);
    /* Replacing one of the two: allowed, still two. */
    CU_ASSERT_EQUAL(create_limited("limits@T", 900, a[0]->id, 2, 0, &a[2]),
                    SESS_OK);
    CU_ASSERT_EQUAL(begin(a[0], "limits@T", SESS_EP_EMSMDB, NULL, 0,
                          apr_time_now(), NULL), SESS_NOT_FOUND);
    CU_ASSERT_EQUAL(create_limited("limits@T", 900, NULL, 2, 0, NULL),
                    SESS_LIMIT_USER);
    /* A refused replacement keeps the context it named. */
    CU_ASSERT_EQUAL(create_limited("limits@T", 900, a[1]->id, 1, 0, NULL),
                    SESS_LIMIT_USER);
    CU_ASSERT_EQUAL(begin(a[1], "limits@T", SESS_EP_EMSMDB, NULL, 0,
                          apr_time_now(), NULL), SESS_OK);
    /* Total: everything live in the environment. */
    CU_ASSERT_EQUAL_FATAL(sess_list(db, pool, apr_time_now(), &live, &error),
                          0);
    base = (unsigned)live->nelts;
    CU_ASSERT_EQUAL(create_limited("limits-3@T", 900, NULL, 0, base + 1,
                                   NULL), SESS_OK);
    CU_ASSERT_EQUAL(create_limited("limits-4@T", 900, NULL, 0, base + 1,
                                   NULL), SESS_LIMIT_TOTAL);
    /* An expired context frees its slot. */
    CU_ASSERT_EQUAL(create_limited("limits-5@T", 1, NULL, 0, 0,
                                   &short_lived), SESS_OK);
    CU_ASSERT_EQUAL(create_limited("limits-5@T", 900, NULL, 1, 0, NULL),
                    SESS_LIMIT_USER);
    sleep(2);
    CU_ASSERT_EQUAL(create_limited("limits-5@T", 900, NULL, 1, 0, NULL),
                    SESS_OK);
}

/* MapiMaxNotificationWaitsPerUser: the registry counts a user's waits;
 * the session's own re-registration and dead processes do not count. */
static void test_wait_limit(void)
{
    sess_context *c[3];
    const char *error = NULL;
    const char *mine = apr_psprintf(pool, "%s/%ld.sock", dir, (long)getpid());
    int over = 0;

    for (int i = 0; i < 3; i++)
        c[i] = new_ctx("waits@T", SESS_EP_EMSMDB, 900);
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[0]->id, mine,
                                            "waits@T", 2, &over, &error), 0);
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[1]->id, mine,
                                            "waits@T", 2, &over, &error), 0);
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[2]->id, mine,
                                            "waits@T", 2, &over, &error), -1);
    CU_ASSERT_EQUAL(over, 1);
    /* Re-registering a held wait replaces it. */
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[1]->id, mine,
                                            "waits@T", 2, &over, &error), 0);
    /* Another user is not counted. */
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[2]->id, mine,
                                            "waits-other@T", 2, &over,
                                            &error), 0);
    CU_ASSERT_EQUAL(sess_wait_unregister(db, pool, c[2]->id, mine, &error),
                    0);
    /* A wait of a dead process does not count: pid 2^22+ is unused. */
    CU_ASSERT_EQUAL(sess_wait_unregister(db, pool, c[0]->id, mine, &error),
                    0);
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[0]->id,
                                            "/nowhere/4999999.sock",
                                            "waits@T", 0, &over, &error), 0);
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[2]->id, mine,
                                            "waits@T", 2, &over, &error), 0);
    /* Freed when a wait ends. */
    CU_ASSERT_EQUAL(sess_wait_unregister(db, pool, c[1]->id, mine, &error),
                    0);
    CU_ASSERT_EQUAL(sess_wait_register_user(db, pool, c[1]->id, mine,
                                            "waits@T", 2, &over, &error), 0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("session", suite_init, suite_clean);
    CU_add_test(s, "context id codec", test_id_codec);
    CU_add_test(s, "session limits per user and in total",
                test_session_limits);
    CU_add_test(s, "NotificationWait limit per user", test_wait_limit);
    CU_add_test(s, "context ids are unique", test_ids_unique);
    CU_add_test(s, "record codec and truncation", test_record_codec);
    CU_add_test(s, "R1224 R1225 bound to identity and endpoint",
                test_bound_to_identity_and_endpoint);
    CU_add_test(s, "R1228 sequence rotates, stale refused",
                test_sequence_rotates);
    CU_add_test(s, "R1227 one request at a time", test_one_request_at_a_time);
    CU_add_test(s, "busy mark of a killed process lapses",
                test_busy_of_dead_process_expires);
    CU_add_test(s, "R1285 idle expiry", test_idle_expiry);
    CU_add_test(s, "sweep removes only idle contexts", test_sweep);
    CU_add_test(s, "R1277 reconnect replaces own context",
                test_replace_on_reconnect);
    CU_add_test(s, "R2233 destroy", test_destroy);
    CU_add_test(s, "stuck lock holder: MAPI_DB_BUSY, then failchk",
                test_stuck_lock_holder_busy_then_failchk);
    CU_add_test(s, "events post, pending, take", test_events);
    CU_add_test(s, "wait registry and wake datagram",
                test_wait_registry_wakes);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
