/*
 * test_cfg.c: the configuration database: organisation, mailbox and
 * virtual directory records, their indexes, conflicts, concurrent writers
 * and codecs; the pure rules (URL normalisation, version ranges, effective
 * MapiHttpEnabled).
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
            mapi_db_close(&cdb);    /* leave no handle locks to failchk */
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
    cfg_vdir v;

    srand(7);
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)rand() % sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rand();
        buf[0] = 2;    /* the current version, to get past the first check */
        (void)cfg_mailbox_decode(buf, n, pool, &m);
        (void)cfg_org_decode(buf, n, pool, &o);
        (void)cfg_vdir_decode(buf, n, pool, &v);
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

/* ---------------------------------------------------- schema version -- */

static void put_schema(uint32_t version)
{
    uint8_t b[4] = { (uint8_t)version, (uint8_t)(version >> 8),
                     (uint8_t)(version >> 16), (uint8_t)(version >> 24) };
    DBT key = { .data = "schema", .size = 6 }, val = { .data = b, .size = 4 };

    CU_ASSERT_EQUAL(db->config->put(db->config, NULL, &key, &val, 0), 0);
}

/* A database of another layout is refused with a message naming both
 * versions; nothing is migrated. */
static void test_schema_refused(void)
{
    const char *error = NULL;

    put_schema(1);
    CU_ASSERT_EQUAL(cfg_schema_check(db, pool, &error), CFG_BAD_SCHEMA);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT_PTR_NOT_NULL(strstr(error, "schema version 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(error, "version 3"));
    /* Version 2 is upgraded in place (its records are still read). */
    put_schema(2);
    CU_ASSERT_EQUAL(cfg_schema_check(db, pool, &error), 0);
    CU_ASSERT_EQUAL(cfg_schema_check(db, pool, &error), 0);
}

static int test_group_set(cfg_group *g, void *baton)
{
    g->members = ((cfg_group *)baton)->members;
    return 0;
}

/* A version 2 mailbox record (no directory attributes) still decodes;
 * a version 3 one round-trips its attributes. */
static void test_mailbox_v2_and_attrs(void)
{
    static const uint8_t jpeg[] = { 0xFF, 0xD8, 0xFF, 0xE0 };
    cfg_mailbox m = { 0 }, *got = NULL;
    const char *error = NULL;
    DBT key = { 0 }, val = { 0 };
    uint8_t buf[4096];

    m.name = "attrs";
    m.display_name = "Attr User";
    m.smtp = "attrs@example.org";
    m.principal = "attrs@EXAMPLE.ORG";
    m.mapi_http_enabled = CFG_TRI_NULL;
    m.mapi_enabled = 1;
    m.attrs.given_name = "Ann";
    m.attrs.title = "Boss";
    m.attrs.photo = (cfg_blob){ jpeg, sizeof(jpeg) };
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &m, &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_smtp(db, pool, m.smtp, &got,
                                              &error), 0);
    CU_ASSERT_STRING_EQUAL(got->attrs.given_name, "Ann");
    CU_ASSERT_STRING_EQUAL(got->attrs.title, "Boss");
    CU_ASSERT_PTR_NULL(got->attrs.surname);
    CU_ASSERT_EQUAL(got->attrs.photo.len, sizeof(jpeg));
    /* The same record cut before the attributes, with version byte 2. */
    key.data = "mbx/attrs@example.org";
    key.size = (u_int32_t)strlen(key.data);
    val.data = buf;
    val.ulen = sizeof(buf);
    val.flags = DB_DBT_USERMEM;
    CU_ASSERT_EQUAL_FATAL(db->config->get(db->config, NULL, &key, &val, 0),
                          0);
    {
        cfg_mailbox old;
        /* Some prefix of the record ends right after WhenChanged: that is
         * the version 2 layout, and only there does it decode. */
        buf[0] = 2;
        for (size_t cut = val.size; cut > 0; cut--)
            if (cfg_mailbox_decode(buf, cut, pool, &old) == 0) {
                CU_ASSERT_STRING_EQUAL(old.smtp, "attrs@example.org");
                CU_ASSERT_PTR_NULL(old.attrs.given_name);
                CU_ASSERT(cut < val.size);
                break;
            }
    }
    CU_ASSERT_EQUAL(cfg_mailbox_delete(db, pool, m.smtp, &error), 0);
}

/* Groups: members must exist, loops are refused, addresses and DNs are
 * shared with mailboxes and contacts. */
static void test_groups_and_contacts(void)
{
    cfg_mailbox m = { 0 };
    cfg_contact c = { 0 };
    cfg_group g = { 0 }, h = { 0 }, *got = NULL;
    const char *error = NULL, *key = NULL;
    cfg_kind kind;
    apr_array_header_t *mem = apr_array_make(pool, 2, sizeof(const char *));

    m.name = "gm";
    m.smtp = "gm@example.org";
    m.principal = "gm@EXAMPLE.ORG";
    m.mapi_http_enabled = CFG_TRI_NULL;
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &m, &error), 0);
    c.name = "ext";
    c.external_smtp = "x@elsewhere.example";
    CU_ASSERT_EQUAL_FATAL(cfg_contact_create(db, pool, &c, &error), 0);
    APR_ARRAY_PUSH(mem, const char *) = m.legacy_dn;
    APR_ARRAY_PUSH(mem, const char *) = c.legacy_dn;
    g.name = "team";
    g.smtp = "team@example.org";
    g.members = mem;
    CU_ASSERT_EQUAL_FATAL(cfg_group_create(db, pool, &g, &error), 0);
    CU_ASSERT_EQUAL(cfg_recipient_by(db, pool, "smtp/", "TEAM@example.org",
                                     &kind, &key, &error), 0);
    CU_ASSERT_EQUAL(kind, CFG_KIND_GROUP);
    CU_ASSERT_EQUAL(cfg_recipient_by(db, pool, "dn/", c.legacy_dn, &kind,
                                     &key, &error), 0);
    CU_ASSERT_EQUAL(kind, CFG_KIND_CONTACT);
    /* A mailbox cannot take the group's address. */
    {
        cfg_mailbox x = { 0 };
        x.name = "x";
        x.smtp = "team@example.org";
        x.principal = "x@EXAMPLE.ORG";
        CU_ASSERT_EQUAL(cfg_mailbox_create(db, pool, &x, &error),
                        CFG_CONFLICT);
    }
    /* A member that does not exist. */
    h.name = "bad";
    h.smtp = "bad@example.org";
    h.members = apr_array_make(pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(h.members, const char *) = "/o=x/cn=nobody";
    CU_ASSERT_EQUAL(cfg_group_create(db, pool, &h, &error), CFG_NOT_FOUND);
    /* outer contains team; team containing outer is a loop. */
    memset(&h, 0, sizeof(h));
    h.name = "outer";
    h.smtp = "outer@example.org";
    h.members = apr_array_make(pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(h.members, const char *) = g.legacy_dn;
    CU_ASSERT_EQUAL_FATAL(cfg_group_create(db, pool, &h, &error), 0);
    {
        apr_array_header_t *loop = apr_array_copy(pool, mem);
        APR_ARRAY_PUSH(loop, const char *) = h.legacy_dn;
        g.members = loop;
    }
    CU_ASSERT_EQUAL(cfg_group_update(db, pool, "team", test_group_set, &g,
                                     &error), CFG_REFUSED);
    CU_ASSERT_EQUAL(cfg_group_get(db, pool, "team", &got, &error), 0);
    CU_ASSERT_EQUAL(got->members->nelts, 2);
    CU_ASSERT_EQUAL(cfg_group_delete(db, pool, "outer", &error), 0);
    CU_ASSERT_EQUAL(cfg_group_delete(db, pool, "team", &error), 0);
    CU_ASSERT_EQUAL(cfg_recipient_by(db, pool, "smtp/", "team@example.org",
                                     &kind, &key, &error), CFG_NOT_FOUND);
    CU_ASSERT_EQUAL(cfg_contact_delete(db, pool, "ext", &error), 0);
    CU_ASSERT_EQUAL(cfg_mailbox_delete(db, pool, m.smtp, &error), 0);
}

/* ------------------------------------------------------------ helpers -- */

static apr_array_header_t *strs(const char *const *v)
{
    apr_array_header_t *a = apr_array_make(pool, 4, sizeof(const char *));

    for (; *v; v++)
        APR_ARRAY_PUSH(a, const char *) = *v;
    return a;
}

static int has_key(const char *k)
{
    DBT key = { .data = (void *)k, .size = (u_int32_t)strlen(k) };
    DBT val = { .flags = DB_DBT_MALLOC };
    int ret = db->config->get(db->config, NULL, &key, &val, 0);

    if (ret == 0)
        free(val.data);
    return ret == 0;
}

/* The raw stored record of a key (pool copy), its length in *len_r. */
static uint8_t *raw_record(const char *k, size_t *len_r)
{
    DBT key = { .data = (void *)k, .size = (u_int32_t)strlen(k) };
    DBT val = { .flags = DB_DBT_MALLOC };
    uint8_t *copy;

    if (db->config->get(db->config, NULL, &key, &val, 0) != 0)
        return NULL;
    copy = apr_pmemdup(pool, val.data, val.size);
    *len_r = val.size;
    free(val.data);
    return copy;
}

/* ----------------------------------------------- mailbox multi-values -- */

static void test_mailbox_round_trip(void)
{
    static const char *const addrs[] = { "Rt@mapi.test", "rt.alias@mapi.test",
                                         "RT.ALIAS@mapi.test", NULL };
    static const char *const upns[] = { "rt@MAPI.TEST", "rt2@MAPI.TEST",
                                        NULL };
    cfg_mailbox m = mbx("rt", "rt@mapi.test", "rt@MAPI.TEST"), *got;
    const char *error = NULL;

    m.smtp_addresses = strs(addrs);
    m.principals = strs(upns);
    m.mapi_http_enabled = 0;
    m.mapi_block_versions = "-14.9.9;15.0.0-15.0.4568";
    m.mapi_block_non_cached = 1;
    m.mapi_block_external = 1;
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &m, &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_smtp(db, pool, "RT.alias@MAPI.test",
                                              &got, &error), 0);
    CU_ASSERT_STRING_EQUAL(got->smtp, "rt@mapi.test");
    /* Primary first, duplicates (without case) dropped. */
    CU_ASSERT_EQUAL(got->smtp_addresses->nelts, 2);
    CU_ASSERT_STRING_EQUAL(APR_ARRAY_IDX(got->smtp_addresses, 0,
                                         const char *), "rt@mapi.test");
    CU_ASSERT_STRING_EQUAL(APR_ARRAY_IDX(got->smtp_addresses, 1,
                                         const char *), "rt.alias@mapi.test");
    CU_ASSERT_EQUAL(got->principals->nelts, 2);
    CU_ASSERT_EQUAL(got->mapi_http_enabled, 0);
    CU_ASSERT_STRING_EQUAL(got->mapi_block_versions,
                           "-14.9.9;15.0.0-15.0.4568");
    CU_ASSERT_EQUAL(got->mapi_block_non_cached, 1);
    CU_ASSERT_EQUAL(got->mapi_block_external, 1);
    CU_ASSERT_EQUAL(got->mapi_enabled, 1);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_principal(db, pool, "RT2@mapi.test",
                                                   &got, &error), 0);
    CU_ASSERT_STRING_EQUAL(got->name, "rt");
    CU_ASSERT(has_key("smtp/rt.alias@mapi.test"));
    CU_ASSERT(has_key("upn/rt2@mapi.test"));
}

/* More than CFG_ARRAY_MAX values are refused before anything is written. */
static void test_mailbox_array_bound(void)
{
    cfg_mailbox m = mbx("many", "many@mapi.test", "many@MAPI.TEST");
    const char *error = NULL;

    m.smtp_addresses = apr_array_make(pool, 70, sizeof(const char *));
    for (int i = 0; i < CFG_ARRAY_MAX + 1; i++)
        APR_ARRAY_PUSH(m.smtp_addresses, const char *) =
            apr_psprintf(pool, "many%d@mapi.test", i);
    CU_ASSERT_EQUAL(cfg_mailbox_create(db, pool, &m, &error), -1);
    CU_ASSERT_FALSE(has_key("mbx/many@mapi.test"));
    CU_ASSERT_FALSE(has_key("smtp/many0@mapi.test"));
}

/* put renames, drops and adds addresses: the indexes follow in the same
 * transaction; delete removes every entry. */
static void test_mailbox_put_delete_indexes(void)
{
    static const char *const addrs[] = { "ix@mapi.test", "ix.old@mapi.test",
                                         NULL };
    cfg_mailbox m = mbx("ix", "ix@mapi.test", "ix@MAPI.TEST"), *got;
    const char *error = NULL;
    uint8_t guid[16];

    m.smtp_addresses = strs(addrs);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &m, &error), 0);
    memcpy(guid, m.guid, 16);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_smtp(db, pool, "ix@mapi.test", &got,
                                              &error), 0);
    got->smtp = "ix.new@mapi.test";
    got->principal = "ixnew@MAPI.TEST";
    got->smtp_addresses = strs((const char *const[]){ "ix@mapi.test", NULL });
    got->principals = NULL;
    got->display_name = "Renamed";
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_put(db, pool, "ix@mapi.test", got,
                                          &error), 0);
    CU_ASSERT_FALSE(has_key("mbx/ix@mapi.test"));
    CU_ASSERT(has_key("mbx/ix.new@mapi.test"));
    CU_ASSERT(has_key("smtp/ix.new@mapi.test"));
    CU_ASSERT(has_key("smtp/ix@mapi.test"));        /* kept as secondary */
    CU_ASSERT_FALSE(has_key("smtp/ix.old@mapi.test"));
    CU_ASSERT_FALSE(has_key("upn/ix@mapi.test"));
    CU_ASSERT(has_key("upn/ixnew@mapi.test"));
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_principal(db, pool, "ixnew@MAPI.TEST",
                                                   &got, &error), 0);
    CU_ASSERT_STRING_EQUAL(got->display_name, "Renamed");
    CU_ASSERT_EQUAL(memcmp(got->guid, guid, 16), 0);
    /* put of a mailbox that is gone. */
    CU_ASSERT_EQUAL(cfg_mailbox_put(db, pool, "gone@mapi.test", got, &error),
                    CFG_NOT_FOUND);
    /* delete through a secondary address. */
    CU_ASSERT_EQUAL(cfg_mailbox_delete(db, pool, "IX@mapi.test", &error), 0);
    CU_ASSERT_FALSE(has_key("mbx/ix.new@mapi.test"));
    CU_ASSERT_FALSE(has_key("smtp/ix.new@mapi.test"));
    CU_ASSERT_FALSE(has_key("smtp/ix@mapi.test"));
    CU_ASSERT_FALSE(has_key("upn/ixnew@mapi.test"));
    CU_ASSERT_EQUAL(cfg_mailbox_delete(db, pool, "ix@mapi.test", &error),
                    CFG_NOT_FOUND);
}

/* Taking another mailbox's address in a put is a conflict that changes
 * nothing. */
static void test_mailbox_put_conflict(void)
{
    cfg_mailbox a = mbx("pa", "pa@mapi.test", "pa@MAPI.TEST");
    cfg_mailbox b = mbx("pb", "pb@mapi.test", "pb@MAPI.TEST"), *got;
    const char *error = NULL;

    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &a, &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &b, &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_smtp(db, pool, "pb@mapi.test", &got,
                                              &error), 0);
    got->smtp_addresses = strs((const char *const[]){ "pa@mapi.test", NULL });
    error = NULL;
    CU_ASSERT_EQUAL(cfg_mailbox_put(db, pool, "pb@mapi.test", got, &error),
                    CFG_CONFLICT);
    CU_ASSERT_PTR_NOT_NULL(error);
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_smtp(db, pool, "pa@mapi.test", &got,
                                              &error), 0);
    CU_ASSERT_STRING_EQUAL(got->name, "pa");
    CU_ASSERT(has_key("mbx/pb@mapi.test"));
    CU_ASSERT(has_key("smtp/pb@mapi.test"));
    CU_ASSERT(has_key("upn/pb@mapi.test"));
}

/* Every prefix of a valid record is rejected; the whole record decodes. */
static void test_codec_truncation(void)
{
    size_t len = 0;
    uint8_t *rec = raw_record("mbx/rt@mapi.test", &len);
    cfg_mailbox m;
    cfg_org o;

    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    CU_ASSERT_EQUAL(cfg_mailbox_decode(rec, len, pool, &m), 0);
    for (size_t n = 0; n < len; n++)
        CU_ASSERT_EQUAL(cfg_mailbox_decode(rec, n, pool, &m), -1);
    /* A trailing byte, a bad tri-state, another version. */
    {
        uint8_t *more = apr_pcalloc(pool, len + 1);
        memcpy(more, rec, len);
        CU_ASSERT_EQUAL(cfg_mailbox_decode(more, len + 1, pool, &m), -1);
        more[0] = 1;
        CU_ASSERT_EQUAL(cfg_mailbox_decode(more, len, pool, &m), -1);
    }
    rec = raw_record("org", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    CU_ASSERT_EQUAL(cfg_org_decode(rec, len, pool, &o), 0);
    for (size_t n = 0; n < len; n++)
        CU_ASSERT_EQUAL(cfg_org_decode(rec, n, pool, &o), -1);
}

/* An array count above CFG_ARRAY_MAX in a stored record is malformed. */
static void test_codec_array_bound(void)
{
    size_t len = 0, off;
    uint8_t *rec = raw_record("mbx/rt@mapi.test", &len);
    cfg_mailbox m;

    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    /* version, guid, then three length-prefixed strings: name, display
     * name, smtp; then the address count. */
    off = 17;
    for (int i = 0; i < 3; i++)
        off += 2 + (size_t)(rec[off] | rec[off + 1] << 8);
    CU_ASSERT_EQUAL_FATAL(rec[off] | rec[off + 1] << 8, 2);
    rec[off] = CFG_ARRAY_MAX + 1;
    CU_ASSERT_EQUAL(cfg_mailbox_decode(rec, len, pool, &m), -1);
    rec[off] = 0;       /* empty list but a primary: inconsistent */
    CU_ASSERT_EQUAL(cfg_mailbox_decode(rec, len, pool, &m), -1);
}

/* ------------------------------------------------------ update (RMW) -- */

static int bump_display(cfg_mailbox *m, void *baton)
{
    m->display_name = apr_psprintf(baton, "%d", atoi(m->display_name) + 1);
    return 0;
}

static int refuse(cfg_mailbox *m, void *baton)
{
    m->display_name = "never written";
    return 42;
}

/* Ten processes incrementing one mailbox's counter 20 times each: the
 * read-modify-write transaction loses no update. */
static void test_concurrent_updates(void)
{
    cfg_mailbox m = mbx("ctr", "ctr@mapi.test", "ctr@MAPI.TEST"), *got;
    const char *error = NULL;

    m.display_name = "0";
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, pool, &m, &error), 0);
    CU_ASSERT_EQUAL(cfg_mailbox_update(db, pool, "ctr@mapi.test", refuse,
                                       NULL, &error), 42);
    for (int p = 0; p < 10; p++) {
        if (fork() == 0) {
            apr_pool_t *cp;
            mapi_db *cdb;
            apr_pool_create(&cp, NULL);
            if (mapi_db_open(cp, dir, 0, &cdb, &error) != 0)
                _exit(1);
            for (int i = 0; i < 20; i++)
                if (cfg_mailbox_update(cdb, cp, "ctr@mapi.test",
                                       bump_display, cp, &error) != 0) {
                    fprintf(stderr, "child update: %s\n", error);
                    _exit(2);
                }
            mapi_db_close(&cdb);
            _exit(0);
        }
    }
    for (int p = 0; p < 10; p++) {
        int status = -1;
        wait(&status);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CU_ASSERT_EQUAL_FATAL(cfg_mailbox_by_smtp(db, pool, "ctr@mapi.test", &got,
                                              &error), 0);
    CU_ASSERT_STRING_EQUAL(got->display_name, "200");
    CU_ASSERT_EQUAL(cfg_mailbox_update(db, pool, "none@mapi.test",
                                       bump_display, pool, &error),
                    CFG_NOT_FOUND);
}

static int org_disable(cfg_org *o, void *baton)
{
    o->mapi_http_enabled = 0;
    return 0;
}

static void test_org_update(void)
{
    cfg_org *before, *after;
    const char *error = NULL;

    CU_ASSERT_EQUAL_FATAL(cfg_org_get(db, pool, &before, &error), 0);
    CU_ASSERT_EQUAL(cfg_org_update(db, pool, org_disable, NULL, &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_org_get(db, pool, &after, &error), 0);
    CU_ASSERT_EQUAL(after->mapi_http_enabled, 0);
    CU_ASSERT_EQUAL(memcmp(before->guid, after->guid, 16), 0);
    CU_ASSERT_EQUAL(after->created, before->created);
}

/* ------------------------------------------------- virtual directories -- */

static cfg_vdir vdir(const char *server, const char *site, const char *url)
{
    cfg_vdir v = { .server = server, .website = site, .internal_url = url,
                   .iis_auth = CFG_AUTH_NTLM | CFG_AUTH_NEGOTIATE };
    return v;
}

static int count_vdir(const cfg_vdir *v, void *baton)
{
    (*(int *)baton)++;
    return 0;
}

static int set_external(cfg_vdir *v, void *baton)
{
    v->external_url = baton;
    v->server = "cannot-change";
    return 0;
}

static void test_vdir_lifecycle(void)
{
    cfg_vdir v = vdir("Mail1", NULL, "https://mail1.mapi.test/mapi"), *got;
    cfg_vdir w = vdir("mail1", "default web site", "https://x/mapi");
    cfg_vdir none = vdir("mail2", NULL, NULL);
    const char *error = NULL;
    int n = 0;
    uint8_t guid[16];

    v.ep_spns = strs((const char *const[]){ "HTTP/mail1.mapi.test", NULL });
    CU_ASSERT_EQUAL_FATAL(cfg_vdir_create(db, pool, &v, &error), 0);
    memcpy(guid, v.guid, 16);
    CU_ASSERT_STRING_EQUAL(cfg_vdir_identity(pool, &v),
                           "Mail1\\mapi (Default Web Site)");
    CU_ASSERT_EQUAL(v.internal_auth, v.iis_auth);
    CU_ASSERT_EQUAL(v.external_auth, v.iis_auth);
    /* One per server and web site, compared without case. */
    CU_ASSERT_EQUAL(cfg_vdir_create(db, pool, &w, &error), CFG_CONFLICT);
    CU_ASSERT_EQUAL(cfg_vdir_create(db, pool, &none, &error), -1);
    CU_ASSERT_EQUAL_FATAL(cfg_vdir_get(db, pool, "MAIL1", "Default Web Site",
                                       &got, &error), 0);
    CU_ASSERT_STRING_EQUAL(got->internal_url, "https://mail1.mapi.test/mapi");
    CU_ASSERT_PTR_NULL(got->external_url);
    CU_ASSERT_EQUAL(got->ep_spns->nelts, 1);
    CU_ASSERT_EQUAL(got->ep_flags->nelts, 0);
    CU_ASSERT_EQUAL(cfg_vdir_update(db, pool, "mail1", NULL, set_external,
                                    "https://ext.mapi.test/mapi", &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_vdir_get(db, pool, "mail1", NULL, &got,
                                       &error), 0);
    CU_ASSERT_STRING_EQUAL(got->external_url, "https://ext.mapi.test/mapi");
    CU_ASSERT_STRING_EQUAL(got->server, "Mail1");
    CU_ASSERT_EQUAL(memcmp(got->guid, guid, 16), 0);
    got->iis_auth = CFG_AUTH_BASIC;
    CU_ASSERT_EQUAL(cfg_vdir_put(db, pool, got, &error), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_vdir_get(db, pool, "mail1", NULL, &got,
                                       &error), 0);
    CU_ASSERT_EQUAL(got->external_auth, CFG_AUTH_BASIC);
    w = vdir("mail3", "Other Site", "https://mail3/mapi");
    CU_ASSERT_EQUAL(cfg_vdir_create(db, pool, &w, &error), 0);
    CU_ASSERT_EQUAL(cfg_vdir_foreach(db, pool, count_vdir, &n, &error), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(cfg_vdir_delete(db, pool, "mail3", "other site", &error),
                    0);
    CU_ASSERT_EQUAL(cfg_vdir_delete(db, pool, "mail3", "other site", &error),
                    CFG_NOT_FOUND);
    CU_ASSERT_EQUAL(cfg_vdir_get(db, pool, "mail3", "Other Site", &got,
                                 &error), CFG_NOT_FOUND);
    none = vdir("mail9", NULL, "https://a/mapi");
    CU_ASSERT_EQUAL(cfg_vdir_put(db, pool, &none, &error), CFG_NOT_FOUND);
}

static void test_vdir_codec(void)
{
    size_t len = 0;
    uint8_t *rec = raw_record("vdir/mail1\\default web site", &len);
    cfg_vdir v;

    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    CU_ASSERT_EQUAL(cfg_vdir_decode(rec, len, pool, &v), 0);
    for (size_t n = 0; n < len; n++)
        CU_ASSERT_EQUAL(cfg_vdir_decode(rec, n, pool, &v), -1);
}

/* ------------------------------------------------------- pure rules -- */

static void test_url_normalise(void)
{
    static const struct { const char *in, *out; } t[] = {
        { "https://mail1.contoso.com/mapi", "https://mail1.contoso.com/mapi" },
        { "https://Mail1.Contoso.COM", "https://mail1.contoso.com/mapi" },
        { "HTTPS://mail1/", "https://mail1/mapi" },
        { "http://mail1.contoso.com/mapi", "https://mail1.contoso.com/mapi" },
        { "https://mail1:443/mapi", "https://mail1/mapi" },
        { "http://mail1:80/owa", "https://mail1/mapi" },
        { "https://127.0.0.1:8443/mapi/", "https://127.0.0.1:8443/mapi" },
        { "http://localhost:8080", "https://localhost:8080/mapi" },
        { "https://[::1]:8443/mapi", "https://[::1]:8443/mapi" },
        { "https://mail1/mapi/emsmdb/", "https://mail1/mapi" },
        { "mail1.contoso.com", NULL },
        { "ftp://mail1/mapi", NULL },
        { "https://", NULL },
        { "https:///mapi", NULL },
        { "https://user@mail1/mapi", NULL },
        { "https://mail1:0/mapi", NULL },
        { "https://mail1:65536/mapi", NULL },
        { "https://mail1:44x/mapi", NULL },
        { "https://mail1:/mapi", NULL },
        { "https://mail_1/mapi", NULL },
        { "https://-mail/mapi", NULL },
        { "https://mail..contoso/mapi", NULL },
        { "https://mail1/mapi?x=1", NULL },
        { "https://mail 1/mapi", NULL },
        { "https://[zz::1]/mapi", NULL },
        { "", NULL },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
        const char *error = NULL;
        const char *got = cfg_url_normalise(pool, t[i].in, &error);

        if (t[i].out == NULL) {
            CU_ASSERT_PTR_NULL(got);
            CU_ASSERT_PTR_NOT_NULL(error);
            if (got)
                fprintf(stderr, "\n  %s accepted as %s\n", t[i].in, got);
        } else {
            CU_ASSERT_PTR_NOT_NULL(got);
            if (got == NULL || strcmp(got, t[i].out) != 0)
                fprintf(stderr, "\n  %s -> %s, expected %s (%s)\n", t[i].in,
                        got ? got : "NULL", t[i].out, error ? error : "");
            if (got)
                CU_ASSERT_STRING_EQUAL(got, t[i].out);
        }
    }
}

static void test_url_host_port(void)
{
    const char *host = NULL;
    unsigned port = 0;

    CU_ASSERT_EQUAL(cfg_url_host_port(pool, "https://mail1/mapi", &host,
                                      &port), 0);
    CU_ASSERT_STRING_EQUAL(host, "mail1");
    CU_ASSERT_EQUAL(port, 443);
    CU_ASSERT_EQUAL(cfg_url_host_port(pool, "https://[::1]:8443/mapi", &host,
                                      &port), 0);
    CU_ASSERT_STRING_EQUAL(host, "::1");
    CU_ASSERT_EQUAL(port, 8443);
    CU_ASSERT_EQUAL(cfg_url_host_port(pool, "ftp://x/", &host, &port), -1);
}

static void test_version_ranges(void)
{
    static const struct { const char *ranges, *version; int want; } t[] = {
        { "-14.9.9;15.0.0-15.0.4568", "14.0.7015.1000", 1 },
        { "-14.9.9;15.0.0-15.0.4568", "Outlook/14.9.9", 1 },
        { "-14.9.9;15.0.0-15.0.4568", "14.9.10", 0 },
        { "-14.9.9;15.0.0-15.0.4568", "15.0.4568.1000", 0 },
        { "-14.9.9;15.0.0-15.0.4568", "15.0.4568", 1 },
        { "-14.9.9;15.0.0-15.0.4568", "15.0.4420.1017", 1 },
        { "-14.9.9;15.0.0-15.0.4568", "16.0.5095.1000", 0 },
        { "16.0.0-", "16.0.5095.1000", 1 },
        { "16.0.0-", "15.9", 0 },
        { "15.0.4569.1000", "15.0.4569.1000", 1 },
        { "15.0.4569.1000", "15.0.4569.1001", 0 },
        { "15", "15.0.0.0", 1 },
        /* numeric, not textual: 9 < 10 */
        { "-9.9", "10.0", 0 },
        { "10.0-", "9.99", 0 },
        { " 14.0 - 14.9 ; ", "14.5", 1 },
        { NULL, "16.0", 0 },
        { "", "16.0", 0 },
        { "-14.9.9", "garbage", 0 },
        { "-14.9.9", NULL, 0 },
        { "-", "16.0", -1 },
        { "a-b", "16.0", -1 },
        { "1-2-3", "1.5", -1 },
        { "16.0-15.0", "15.5", -1 },
        { "1.2.3.4.5", "1.2", -1 },
        { "1..2", "1.2", -1 },
        { "16.0.;", "16.0", -1 },
        { "15.0-15.1;x", "15.0", -1 },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
        int got = cfg_version_blocked(t[i].ranges, t[i].version);

        if (got != t[i].want)
            fprintf(stderr, "\n  '%s' / '%s': %d, expected %d\n",
                    t[i].ranges ? t[i].ranges : "NULL",
                    t[i].version ? t[i].version : "NULL", got, t[i].want);
        CU_ASSERT_EQUAL(got, t[i].want);
        CU_ASSERT_EQUAL(cfg_version_ranges_valid(t[i].ranges),
                        t[i].want != -1);
    }
}

/* admin-notes.md truth table: mailbox value wins, $null inherits. */
static void test_effective_mapi_http(void)
{
    static const struct { int org, mbx, want; } t[] = {
        { 1, CFG_TRI_NULL, 1 }, { 1, 1, 1 }, { 1, 0, 0 },
        { 0, CFG_TRI_NULL, 0 }, { 0, 0, 0 }, { 0, 1, 1 },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
        cfg_org o = { .mapi_http_enabled = t[i].org };
        cfg_mailbox m = { .mapi_http_enabled = t[i].mbx };

        CU_ASSERT_EQUAL(cfg_effective_mapi_http(&o, &m), t[i].want);
    }
    {
        cfg_org o = { .mapi_http_enabled = 1 };
        CU_ASSERT_EQUAL(cfg_effective_mapi_http(&o, NULL), 1);
    }
}

static void test_auth_names(void)
{
    CU_ASSERT_STRING_EQUAL(cfg_auth_str(pool, CFG_AUTH_NEGOTIATE |
                                        CFG_AUTH_OAUTH | CFG_AUTH_NTLM),
                           "Ntlm, OAuth, Negotiate");
    CU_ASSERT_STRING_EQUAL(cfg_auth_str(pool, CFG_AUTH_BASIC |
                                        CFG_AUTH_NEGOTIATE),
                           "Basic, Negotiate");
    CU_ASSERT_STRING_EQUAL(cfg_auth_str(pool, 0), "");
    CU_ASSERT_EQUAL(cfg_auth_parse("ntlm"), CFG_AUTH_NTLM);
    CU_ASSERT_EQUAL(cfg_auth_parse("OAUTH"), CFG_AUTH_OAUTH);
    CU_ASSERT_EQUAL(cfg_auth_parse("Digest"), 0);
    CU_ASSERT_STRING_EQUAL(cfg_ep_token_str(CFG_EPTC_REQUIRE), "Require");
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
    CU_add_test(s, "another schema version is refused", test_schema_refused);
    CU_add_test(s, "version 2 mailbox records read; attributes round trip",
                test_mailbox_v2_and_attrs);
    CU_add_test(s, "groups and contacts: members, loops, shared indexes",
                test_groups_and_contacts);
    CU_add_test(s, "mailbox addresses, principals, CAS settings round trip",
                test_mailbox_round_trip);
    CU_add_test(s, "at most 64 addresses", test_mailbox_array_bound);
    CU_add_test(s, "indexes follow put and delete",
                test_mailbox_put_delete_indexes);
    CU_add_test(s, "put conflict changes nothing", test_mailbox_put_conflict);
    CU_add_test(s, "codec: every truncation rejected", test_codec_truncation);
    CU_add_test(s, "codec: array count bounded", test_codec_array_bound);
    CU_add_test(s, "ten concurrent read-modify-writes lose nothing",
                test_concurrent_updates);
    CU_add_test(s, "organisation update keeps identity", test_org_update);
    CU_add_test(s, "virtual directory create/conflict/update/delete",
                test_vdir_lifecycle);
    CU_add_test(s, "virtual directory codec", test_vdir_codec);
    CU_add_test(s, "URL normalisation (table)", test_url_normalise);
    CU_add_test(s, "URL host and port", test_url_host_port);
    CU_add_test(s, "MAPIBlockOutlookVersions ranges (table)",
                test_version_ranges);
    CU_add_test(s, "effective MapiHttpEnabled (admin-notes truth table)",
                test_effective_mapi_http);
    CU_add_test(s, "authentication method names", test_auth_names);
    CU_add_test(s, "GUID text form", test_guid_format);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
