/*
 * test_objects.c: the server object handle table of a session
 * (session/sess_objects.c) in a real Berkeley DB environment, seen
 * through two independent handles as two httpd processes would.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <sys/wait.h>
#include <unistd.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "session/sess_context.h"
#include "session/sess_objects.h"

static apr_pool_t *pool;
static mapi_db *db, *db2;
static char dir[] = "/tmp/mapi-unit-objs-XXXXXX";

static int suite_init(void)
{
    const char *error = NULL;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    db = unit_env_open(pool, dir);
    if (!db)
        return -1;
    /* A second, independent handle on the same environment. */
    if (mapi_db_open(pool, dir, 0, &db2, &error) != 0) {
        fprintf(stderr, "second handle: %s\n", error);
        return -1;
    }
    return 0;
}

static int suite_clean(void)
{
    mapi_db_close(&db2);
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    unit_env_remove(dir);
    return 0;
}

static void new_sid(uint8_t sid[SESS_ID_LEN])
{
    CU_ASSERT_EQUAL_FATAL(sess_random(sid), 0);
}

static uint32_t create(mapi_db *d, const uint8_t *sid, uint32_t parent,
                       uint8_t type, const char *body)
{
    const char *error = NULL;
    uint32_t h = 0;

    CU_ASSERT_EQUAL_FATAL(sess_obj_create(d, pool, sid, parent, type, body,
                                          body ? strlen(body) : 0, &h,
                                          &error), 0);
    return h;
}

static int exists(mapi_db *d, const uint8_t *sid, uint32_t h)
{
    sess_object o;
    const char *error = NULL;
    int ret = sess_obj_get(d, pool, sid, h, &o, &error);

    CU_ASSERT(ret == 0 || ret == 1);
    return ret == 0;
}

/* ---- codec ------------------------------------------------------------ */

static void test_codec(void)
{
    sess_object o = { 0, 7, 3, (const uint8_t *)"body", 4 }, back;
    uint8_t *buf, bad[32];
    size_t len;

    CU_ASSERT_EQUAL_FATAL(sess_obj_encode(&o, pool, &buf, &len), 0);
    CU_ASSERT_EQUAL(len, 10 + 4);
    CU_ASSERT_EQUAL(sess_obj_decode(buf, len, &back), 0);
    CU_ASSERT_EQUAL(back.parent, 7);
    CU_ASSERT_EQUAL(back.type, 3);
    CU_ASSERT_EQUAL(back.len, 4);
    CU_ASSERT(memcmp(back.data, "body", 4) == 0);

    /* Empty body, no parent. */
    o.parent = SESS_OBJ_NONE;
    o.data = NULL;
    o.len = 0;
    CU_ASSERT_EQUAL_FATAL(sess_obj_encode(&o, pool, &buf, &len), 0);
    CU_ASSERT_EQUAL(sess_obj_decode(buf, len, &back), 0);
    CU_ASSERT_EQUAL(back.parent, SESS_OBJ_NONE);
    CU_ASSERT_EQUAL(back.len, 0);

    /* Garbage: every truncation, trailing bytes, a bad version, a body
     * length that lies, parent 0. */
    o.parent = 7;
    o.data = (const uint8_t *)"body";
    o.len = 4;
    CU_ASSERT_EQUAL_FATAL(sess_obj_encode(&o, pool, &buf, &len), 0);
    for (size_t n = 0; n < len; n++)
        CU_ASSERT_EQUAL(sess_obj_decode(buf, n, &back), -1);
    memcpy(bad, buf, len);
    bad[len] = 0;
    CU_ASSERT_EQUAL(sess_obj_decode(bad, len + 1, &back), -1);
    memcpy(bad, buf, len);
    bad[0] = 99;
    CU_ASSERT_EQUAL(sess_obj_decode(bad, len, &back), -1);
    memcpy(bad, buf, len);
    bad[6] = 3;                               /* length 3, 4 bytes follow */
    CU_ASSERT_EQUAL(sess_obj_decode(bad, len, &back), -1);
    memcpy(bad, buf, len);
    bad[6] = 0xFF; bad[7] = 0xFF; bad[8] = 0xFF; bad[9] = 0xFF;
    CU_ASSERT_EQUAL(sess_obj_decode(bad, len, &back), -1);
    memcpy(bad, buf, len);
    memset(bad + 2, 0, 4);                    /* parent 0 */
    CU_ASSERT_EQUAL(sess_obj_decode(bad, len, &back), -1);
    CU_ASSERT_EQUAL(sess_obj_decode(NULL, 0, &back), -1);
}

/* ---- basic life cycle -------------------------------------------------- */

static void test_create_get_put(void)
{
    uint8_t sid[SESS_ID_LEN];
    sess_object o;
    const char *error = NULL;
    uint32_t logon, folder, h;

    new_sid(sid);
    logon = create(db, sid, SESS_OBJ_NONE, 1, "logon");
    folder = create(db, sid, logon, 2, "folder");
    CU_ASSERT_EQUAL(logon, 1);
    CU_ASSERT_EQUAL(folder, 2);

    /* The other handle sees both. */
    CU_ASSERT_EQUAL(sess_obj_get(db2, pool, sid, folder, &o, &error), 0);
    CU_ASSERT_EQUAL(o.handle, folder);
    CU_ASSERT_EQUAL(o.parent, logon);
    CU_ASSERT_EQUAL(o.type, 2);
    CU_ASSERT_EQUAL(o.len, 6);
    CU_ASSERT(memcmp(o.data, "folder", 6) == 0);
    CU_ASSERT_EQUAL(sess_obj_get(db2, pool, sid, logon, &o, &error), 0);
    CU_ASSERT_EQUAL(o.parent, SESS_OBJ_NONE);

    /* A put through one handle is what the other reads; type and parent
     * stay. */
    CU_ASSERT_EQUAL(sess_obj_put(db2, pool, sid, folder, "changed state",
                                 13, &error), 0);
    CU_ASSERT_EQUAL(sess_obj_get(db, pool, sid, folder, &o, &error), 0);
    CU_ASSERT_EQUAL(o.len, 13);
    CU_ASSERT(memcmp(o.data, "changed state", 13) == 0);
    CU_ASSERT_EQUAL(o.type, 2);
    CU_ASSERT_EQUAL(o.parent, logon);
    CU_ASSERT_EQUAL(sess_obj_put(db, pool, sid, folder, NULL, 0, &error), 0);
    CU_ASSERT_EQUAL(sess_obj_get(db2, pool, sid, folder, &o, &error), 0);
    CU_ASSERT_EQUAL(o.len, 0);

    /* Handles keep counting across the two handles. */
    h = create(db2, sid, folder, 3, "table");
    CU_ASSERT_EQUAL(h, 3);
    CU_ASSERT_EQUAL(create(db, sid, folder, 3, "table"), 4);

    /* Unknown handles. */
    CU_ASSERT_EQUAL(sess_obj_get(db, pool, sid, 99, &o, &error), 1);
    CU_ASSERT_EQUAL(sess_obj_get(db, pool, sid, 0, &o, &error), 1);
    CU_ASSERT_EQUAL(sess_obj_get(db, pool, sid, SESS_OBJ_NONE, &o, &error),
                    1);
    CU_ASSERT_EQUAL(sess_obj_put(db, pool, sid, 99, "x", 1, &error), 1);
    CU_ASSERT_EQUAL(sess_obj_release(db, pool, sid, 99, &error), 1);

    /* A parent must exist. */
    error = NULL;
    CU_ASSERT_EQUAL(sess_obj_create(db, pool, sid, 99, 2, "x", 1, &h,
                                    &error), -1);
    CU_ASSERT_PTR_NOT_NULL(error);
}

/* A child process with its own environment handle creates an object;
 * this process sees it. */
static void test_other_process(void)
{
    uint8_t sid[SESS_ID_LEN];
    uint32_t logon = 0;
    sess_object o;
    const char *error = NULL;
    int fds[2], status = 0;
    pid_t pid;

    new_sid(sid);
    logon = create(db, sid, SESS_OBJ_NONE, 1, "logon");
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        apr_pool_t *cp;
        mapi_db *cdb = NULL;
        const char *cerr = NULL;
        uint32_t h = 0;

        close(fds[0]);
        apr_pool_create(&cp, NULL);
        if (mapi_db_open(cp, dir, 0, &cdb, &cerr) != 0
            || sess_obj_create(cdb, cp, sid, logon, 9, "child", 5, &h,
                               &cerr) != 0)
            _exit(1);
        if (write(fds[1], &h, sizeof(h)) != sizeof(h))
            _exit(2);
        mapi_db_close(&cdb);
        _exit(0);
    }
    close(fds[1]);
    {
        uint32_t h = 0;

        CU_ASSERT_EQUAL(read(fds[0], &h, sizeof(h)), (ssize_t)sizeof(h));
        close(fds[0]);
        waitpid(pid, &status, 0);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CU_ASSERT_EQUAL(h, 2);
        CU_ASSERT_EQUAL(sess_obj_get(db, pool, sid, h, &o, &error), 0);
        CU_ASSERT_EQUAL(o.type, 9);
        CU_ASSERT_EQUAL(o.parent, logon);
    }
}

/* ---- release of a subtree --------------------------------------------- */

static void test_release_subtree(void)
{
    uint8_t sid[SESS_ID_LEN];
    uint32_t l1, f, t, m, a, l2, f2, h;
    apr_array_header_t *kids, *all;
    const char *error = NULL;

    new_sid(sid);
    l1 = create(db, sid, SESS_OBJ_NONE, 1, "logon 1");
    f = create(db, sid, l1, 2, "folder");
    t = create(db2, sid, f, 3, "table");
    l2 = create(db, sid, SESS_OBJ_NONE, 1, "logon 2");
    m = create(db2, sid, f, 4, "message");
    f2 = create(db, sid, l2, 2, "folder 2");
    a = create(db, sid, m, 5, "attachment");

    CU_ASSERT_EQUAL(sess_obj_children(db2, pool, sid, f, &kids, &error), 0);
    CU_ASSERT_EQUAL_FATAL(kids->nelts, 2);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(kids, 0, uint32_t), t);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(kids, 1, uint32_t), m);
    CU_ASSERT_EQUAL(sess_obj_children(db, pool, sid, a, &kids, &error), 0);
    CU_ASSERT_EQUAL(kids->nelts, 0);
    CU_ASSERT_EQUAL(sess_obj_children(db, pool, sid, 77, &kids, &error), 1);
    CU_ASSERT_EQUAL(kids->nelts, 0);

    CU_ASSERT_EQUAL(sess_obj_list(db2, pool, sid, &all, &error), 0);
    CU_ASSERT_EQUAL_FATAL(all->nelts, 7);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(all, 0, sess_object).handle, l1);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(all, 6, sess_object).handle, a);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(all, 4, sess_object).len, 7);
    CU_ASSERT(memcmp(APR_ARRAY_IDX(all, 4, sess_object).data, "message",
                     7) == 0);

    /* Releasing the folder (through the other handle) takes the table,
     * the message and the message's attachment with it. */
    CU_ASSERT_EQUAL(sess_obj_release(db2, pool, sid, f, &error), 0);
    CU_ASSERT_FALSE(exists(db, sid, f));
    CU_ASSERT_FALSE(exists(db, sid, t));
    CU_ASSERT_FALSE(exists(db, sid, m));
    CU_ASSERT_FALSE(exists(db, sid, a));
    CU_ASSERT_TRUE(exists(db, sid, l1));
    CU_ASSERT_TRUE(exists(db, sid, l2));
    CU_ASSERT_TRUE(exists(db, sid, f2));
    CU_ASSERT_EQUAL(sess_obj_children(db, pool, sid, l1, &kids, &error), 0);
    CU_ASSERT_EQUAL(kids->nelts, 0);
    CU_ASSERT_EQUAL(sess_obj_release(db, pool, sid, f, &error), 1);

    /* Handles are never reused. */
    h = create(db, sid, l1, 2, "folder again");
    CU_ASSERT_EQUAL(h, a + 1);

    /* A leaf alone. */
    CU_ASSERT_EQUAL(sess_obj_release(db, pool, sid, f2, &error), 0);
    CU_ASSERT_TRUE(exists(db, sid, l2));
    CU_ASSERT_EQUAL(sess_obj_list(db, pool, sid, &all, &error), 0);
    CU_ASSERT_EQUAL(all->nelts, 3);

    /* A logon with everything under it. */
    CU_ASSERT_EQUAL(sess_obj_release(db, pool, sid, l1, &error), 0);
    CU_ASSERT_FALSE(exists(db2, sid, h));
    CU_ASSERT_EQUAL(sess_obj_list(db2, pool, sid, &all, &error), 0);
    CU_ASSERT_EQUAL_FATAL(all->nelts, 1);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(all, 0, sess_object).handle, l2);
}

/* ---- limits -------------------------------------------------------------- */

static void test_exhaustion(void)
{
    uint8_t sid[SESS_ID_LEN], other[SESS_ID_LEN];
    const char *error = NULL;
    uint32_t h = 0, logon, i;
    apr_pool_t *sub;
    apr_array_header_t *all;

    new_sid(sid);
    new_sid(other);
    apr_pool_create(&sub, pool);
    logon = create(db, sid, SESS_OBJ_NONE, 1, "logon");
    for (i = 1; i < SESS_OBJ_MAX; i++) {
        if (sess_obj_create(i % 2 ? db : db2, sub, sid, logon, 2, "o", 1, &h,
                            &error) != 0)
            break;
        if (i % 256 == 0)
            apr_pool_clear(sub);
    }
    CU_ASSERT_EQUAL(i, SESS_OBJ_MAX);
    CU_ASSERT_EQUAL(h, SESS_OBJ_MAX);
    error = NULL;
    CU_ASSERT_EQUAL(sess_obj_create(db2, pool, sid, logon, 2, "o", 1, &h,
                                    &error), -1);
    CU_ASSERT_PTR_NOT_NULL(error);
    /* Other sessions are not limited by this one. */
    CU_ASSERT_EQUAL(create(db, other, SESS_OBJ_NONE, 1, "logon"), 1);

    /* Releasing one makes room; the next handle is new. */
    CU_ASSERT_EQUAL(sess_obj_release(db, pool, sid, 2, &error), 0);
    CU_ASSERT_EQUAL(create(db2, sid, logon, 2, "o"), SESS_OBJ_MAX + 1);
    CU_ASSERT_EQUAL(sess_obj_create(db, pool, sid, logon, 2, "o", 1, &h,
                                    &error), -1);

    /* Releasing the logon frees the whole table. */
    CU_ASSERT_EQUAL(sess_obj_release(db2, pool, sid, logon, &error), 0);
    CU_ASSERT_EQUAL(sess_obj_list(db, sub, sid, &all, &error), 0);
    CU_ASSERT_EQUAL(all->nelts, 0);
    CU_ASSERT_EQUAL(create(db, sid, SESS_OBJ_NONE, 1, "logon"),
                    SESS_OBJ_MAX + 2);
    apr_pool_destroy(sub);
}

/* ---- clearing with the session ----------------------------------------- */

static sess_context *new_session(uint32_t idle)
{
    sess_context *c = apr_pcalloc(pool, sizeof(*c));
    const char *error = NULL;

    c->endpoint = SESS_EP_EMSMDB;
    c->identity = "demo@MAPI.TEST";
    c->auth_type = "Basic";
    c->mailbox = "demo@mapi.test";
    c->idle_timeout = idle;
    CU_ASSERT_EQUAL_FATAL(sess_create(db, pool, c, NULL, &error), SESS_OK);
    return c;
}

static void test_clear_on_destroy(void)
{
    sess_context *c = new_session(900), *keep = new_session(900);
    apr_array_header_t *all;
    const char *error = NULL;
    uint32_t l, k;

    l = create(db, c->id, SESS_OBJ_NONE, 1, "logon");
    create(db2, c->id, l, 2, "folder");
    k = create(db, keep->id, SESS_OBJ_NONE, 1, "logon");
    CU_ASSERT_EQUAL(sess_destroy(db2, pool, c->id, &error), SESS_OK);
    CU_ASSERT_EQUAL(sess_obj_list(db, pool, c->id, &all, &error), 0);
    CU_ASSERT_EQUAL(all->nelts, 0);
    CU_ASSERT_FALSE(exists(db, c->id, l));
    /* The other session keeps its objects. */
    CU_ASSERT_TRUE(exists(db, keep->id, k));
}

static void test_clear_on_sweep(void)
{
    sess_context *c = new_session(30), *keep = new_session(100000);
    apr_array_header_t *all;
    const char *error = NULL;
    apr_time_t later = apr_time_now() + apr_time_from_sec(120);
    unsigned n = 0;
    uint32_t k;

    create(db, c->id, SESS_OBJ_NONE, 1, "logon");
    create(db, c->id, 1, 2, "folder");
    k = create(db2, keep->id, SESS_OBJ_NONE, 1, "logon");
    CU_ASSERT_EQUAL(sess_sweep(db2, pool, later, &n, &error), 0);
    CU_ASSERT(n >= 1);
    CU_ASSERT_EQUAL(sess_obj_list(db, pool, c->id, &all, &error), 0);
    CU_ASSERT_EQUAL(all->nelts, 0);
    CU_ASSERT_TRUE(exists(db, keep->id, k));
}

/* sess_objs_clear alone, in the caller's transaction, leaves the
 * neighbouring sessions (adjacent keys) alone. */
typedef struct clear_baton { const uint8_t *sid; } clear_baton;

static int clear_txn(mapi_db *d, DB_TXN *txn, void *baton)
{
    return sess_objs_clear(d, txn, ((clear_baton *)baton)->sid);
}

static void test_clear_neighbours(void)
{
    uint8_t lo[SESS_ID_LEN], mid[SESS_ID_LEN], hi[SESS_ID_LEN];
    clear_baton b = { mid };
    const char *error = NULL;
    apr_array_header_t *all;

    memset(lo, 0x42, sizeof(lo));
    memcpy(mid, lo, sizeof(mid));
    memcpy(hi, lo, sizeof(hi));
    lo[15] = 0x41;
    hi[15] = 0x43;
    create(db, lo, SESS_OBJ_NONE, 1, "lo");
    create(db, mid, SESS_OBJ_NONE, 1, "mid");
    create(db, mid, 1, 2, "mid child");
    create(db, hi, SESS_OBJ_NONE, 1, "hi");
    CU_ASSERT_EQUAL(mapi_db_txn_run(db2, MAPI_DB_TXN_NOSYNC, clear_txn, &b,
                                    pool, &error), 0);
    CU_ASSERT_EQUAL(sess_obj_list(db, pool, mid, &all, &error), 0);
    CU_ASSERT_EQUAL(all->nelts, 0);
    CU_ASSERT_TRUE(exists(db, lo, 1));
    CU_ASSERT_TRUE(exists(db, hi, 1));
    /* Clearing an empty session is fine. */
    CU_ASSERT_EQUAL(mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, clear_txn, &b,
                                    pool, &error), 0);
}

/* MapiMaxObjectsPerSession: a ceiling of its own, -2 when reached. */
static void test_configured_max(void)
{
    uint8_t sid[SESS_ID_LEN];
    const char *error = NULL;
    uint32_t h = 0, logon;
    int n = 0;

    new_sid(sid);
    logon = create(db, sid, SESS_OBJ_NONE, 1, "logon");
    while (n < 20 && sess_obj_create_max(n % 2 ? db : db2, pool, sid, logon, 2,
                                         "o", 1, 8, &h, &error) == 0)
        n++;
    CU_ASSERT_EQUAL(n, 7);              /* the logon is the eighth */
    CU_ASSERT_EQUAL(sess_obj_create_max(db, pool, sid, logon, 2, "o", 1, 8,
                                        &h, &error), -2);
    CU_ASSERT_EQUAL(sess_obj_release(db, pool, sid, h, &error), 0);
    CU_ASSERT_EQUAL(sess_obj_create_max(db2, pool, sid, logon, 2, "o", 1, 8,
                                        &h, &error), 0);
    /* A missing parent is a failure, not the limit. */
    CU_ASSERT_EQUAL(sess_obj_create_max(db, pool, sid, 999, 2, "o", 1, 100,
                                        &h, &error), -1);
    sess_obj_release(db, pool, sid, logon, &error);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("objects", suite_init, suite_clean);
    CU_add_test(s, "envelope codec and garbage", test_codec);
    CU_add_test(s, "MapiMaxObjectsPerSession ceiling", test_configured_max);
    CU_add_test(s, "create, get, put across two handles",
                test_create_get_put);
    CU_add_test(s, "object created by another process", test_other_process);
    CU_add_test(s, "MS-OXCROPS 2.2.2.1 release takes descendants",
                test_release_subtree);
    CU_add_test(s, "handle exhaustion at SESS_OBJ_MAX", test_exhaustion);
    CU_add_test(s, "sess_destroy clears objects", test_clear_on_destroy);
    CU_add_test(s, "expiry sweep clears objects", test_clear_on_sweep);
    CU_add_test(s, "clear leaves neighbouring sessions",
                test_clear_neighbours);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    apr_terminate();
    return failures ? 1 : 0;
}
