/*
 * test_cfg.c: the configuration database: organisation and mailbox
 * records, their indexes, conflicts, concurrent writers and codecs.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <sys/wait.h>
#include <unistd.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "configdb/cfg_db.h"

static apr_pool_t *pool;
static mapi_db *db;
static char dir[] = "/tmp/mapi-unit-cfg-XXXXXX";

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

static cfg_mailbox mbx(const char *name, const char *smtp, const char *upn)
{
    cfg_mailbox m = { .name = name, .display_name = name, .smtp = smtp,
                      .principal = upn, .mapi_http_enabled = CFG_TRI_NULL,
                      .mapi_enabled = 1 };
    return m;
}

static void test_schema(void)
{
    const char *error = NULL;

    CU_ASSERT_EQUAL(cfg_schema_check(db, pool, &error), 0);
    CU_ASSERT_EQUAL(cfg_schema_check(db, pool, &error), 0);
}

static void test_mailbox_needs_org(void)
{
    cfg_mailbox m = mbx("early", "early@mapi.test", "early@MAPI.TEST");
    const char *error = NULL;

    CU_ASSERT_EQUAL(cfg_mailbox_create(db, pool, &m, &error), CFG_NOT_FOUND);
}

static void test_org(void)
{
    cfg_org org = { .name = "MAPI Test", .domain = "mapi.test",
                    .mapi_http_enabled = 1 }, *got;
    const char *error = NULL;

    CU_ASSERT_EQUAL(cfg_org_get(db, pool, &got, &error), CFG_NOT_FOUND);
    CU_ASSERT_EQUAL_FATAL(cfg_org_create(db, pool, &org, &error), 0);
    CU_ASSERT_EQUAL(cfg_org_create(db, pool, &org, &error), CFG_CONFLICT);
    CU_ASSERT_EQUAL_FATAL(cfg_org_get(db, pool, &got, &error), 0);
    CU_ASSERT_STRING_EQUAL(got->name, "MAPI Test");
    CU_ASSERT_EQUAL(got->mapi_http_enabled, 1);
    CU_ASSERT_STRING_EQUAL(cfg_org_dn_prefix(pool, got),
        "/o=MAPI Test/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)");
    got->mapi_http_enabled = 0;
    CU_ASSERT_EQUAL(cfg_org_put(db, pool, got, &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_org_get(db, pool, &got, &error), 0);
    CU_ASSERT_EQUAL(got->mapi_http_enabled, 0);
}

static void test_mailbox_lookup(void)
{
    cfg_mailbox m = mbx("demo", "Demo@Mapi.Test", "demo@MAPI.TEST"), *got;
    const char *error = NULL;

    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &m, &error), 0);
    CU_ASSERT_STRING_EQUAL(m.legacy_dn, "/o=MAPI Test/ou=Exchange "
                           "Administrative Group (FYDIBOHF23SPDLT)/cn="
                           "Recipients/cn=demo");
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_smtp(db, pool, "demo@mapi.test",
                                              &got, &error), 0);
    CU_ASSERT_EQUAL(memcmp(got->guid, m.guid, 16), 0);
    CU_ASSERT_EQUAL(got->mapi_http_enabled, CFG_TRI_NULL);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_principal(db, pool, "DEMO@mapi.test",
                                                   &got, &error), 0);
    CU_ASSERT_STRING_EQUAL(got->name, "demo");
    CU_ASSERT_EQUAL(cfg_mailbox_by_principal(db, pool, "nobody@MAPI.TEST",
                                             &got, &error), CFG_NOT_FOUND);
    CU_ASSERT_EQUAL(cfg_mailbox_by_smtp(db, pool, "nobody@mapi.test", &got,
                                        &error), CFG_NOT_FOUND);
}

/* A taken address or principal is a conflict, and nothing of the second
 * mailbox is written. */
static void test_mailbox_conflicts(void)
{
    cfg_mailbox same_smtp = mbx("x", "demo@mapi.test", "x@MAPI.TEST");
    cfg_mailbox same_upn = mbx("y", "y@mapi.test", "demo@mapi.test");
    cfg_mailbox *got;
    const char *error = NULL;

    CU_ASSERT_EQUAL(cfg_mailbox_create(db, pool, &same_smtp, &error),
                    CFG_CONFLICT);
    CU_ASSERT_EQUAL(cfg_mailbox_by_principal(db, pool, "x@MAPI.TEST", &got,
                                             &error), CFG_NOT_FOUND);
    CU_ASSERT_EQUAL(cfg_mailbox_create(db, pool, &same_upn, &error),
                    CFG_CONFLICT);
    CU_ASSERT_EQUAL(cfg_mailbox_by_smtp(db, pool, "y@mapi.test", &got,
                                        &error), CFG_NOT_FOUND);
}

static int count_one(const cfg_mailbox *m, void *baton)
{
    (*(int *)baton)++;
    return 0;
}

/* Ten processes creating mailboxes at once lose none. */
static void test_concurrent_writers(void)
{
    const char *error = NULL;
    int before = 0, after = 0;

    CU_ASSERT_EQUAL(cfg_mailbox_foreach(db, pool, count_one, &before, &error),
                    0);
    for (int p = 0; p < 10; p++) {
        if (fork() == 0) {
            apr_pool_t *cp;
            mapi_db *cdb;
            apr_pool_create(&cp, NULL);
            if (mapi_db_open(cp, dir, 0, &cdb, &error) != 0) {
                fprintf(stderr, "child open: %s\n", error);
                _exit(1);
            }
            for (int i = 0; i < 20; i++) {
                const char *n = apr_psprintf(cp, "p%di%d", p, i);
                cfg_mailbox m = mbx(n, apr_pstrcat(cp, n, "@mapi.test", NULL),
                                    apr_pstrcat(cp, n, "@MAPI.TEST", NULL));
                int rc = cfg_mailbox_create(cdb, cp, &m, &error);
                if (rc != 0) {
                    fprintf(stderr, "child create: %d %s\n", rc,
                            rc == -1 ? error : "");
                    _exit(2);
                }
            }
            _exit(0);
        }
    }
    for (int p = 0; p < 10; p++) {
        int status = -1;
        wait(&status);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CU_ASSERT_EQUAL(cfg_mailbox_foreach(db, pool, count_one, &after, &error),
                    0);
    CU_ASSERT_EQUAL(after, before + 200);
}

/* Records read back from disk are untrusted too: every truncation and
 * random garbage decode to an error, never a crash. */
static void test_decode_robust(void)
{
    uint8_t buf[512];
    cfg_mailbox m;
    cfg_org o;

    srand(7);
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)rand() % sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rand();
        buf[0] = 1;    /* the current version, to get past the first check */
        (void)cfg_mailbox_decode(buf, n, pool, &m);
        (void)cfg_org_decode(buf, n, pool, &o);
    }
    CU_ASSERT_EQUAL(cfg_mailbox_decode(buf, 0, pool, &m), -1);
    CU_ASSERT_EQUAL(cfg_org_decode(buf, 1, pool, &o), -1);
}

static void test_guid_format(void)
{
    static const uint8_t g[16] = { 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77,
                                   0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
                                   0xee, 0xff };

    CU_ASSERT_STRING_EQUAL(cfg_guid_str(pool, g),
                           "00112233-4455-6677-8899-aabbccddeeff");
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("configdb", suite_init, suite_clean);
    CU_add_test(s, "schema version stored and checked", test_schema);
    CU_add_test(s, "a mailbox needs an organisation", test_mailbox_needs_org);
    CU_add_test(s, "organisation create, conflict, update", test_org);
    CU_add_test(s, "mailbox lookups by address and principal",
                test_mailbox_lookup);
    CU_add_test(s, "mailbox conflicts write nothing", test_mailbox_conflicts);
    CU_add_test(s, "ten concurrent writers lose nothing",
                test_concurrent_writers);
    CU_add_test(s, "record decoding is robust", test_decode_robust);
    CU_add_test(s, "GUID text form", test_guid_format);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
