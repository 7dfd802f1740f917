/*
 * test_nspi.c: the address book layer (mod_mapi/nspi/): directory order,
 * MId stability in the shared environment, STAT arithmetic, ANR,
 * restrictions and the request body codec (truncated and inconsistent
 * bodies are refused, counts are bounded).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <apr_strings.h>

#include "unit_env.h"
#include "nspi/nspi.h"

static apr_pool_t *P;
static const uint8_t SERVER_GUID[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
                                         9, 10, 11, 12, 13, 14, 15, 16 };

static nspi_obj *mk(apr_pool_t *p, uint32_t mid, const char *name,
                    const char *alias)
{
    nspi_obj *o = apr_pcalloc(p, sizeof(*o));

    o->mid = mid;
    o->display_name = name;
    o->alias = alias;
    o->smtp = apr_pstrcat(p, alias, "@mapi.test", NULL);
    o->legacy_dn = apr_pstrcat(p, "/o=T/ou=G/cn=Recipients/cn=", alias, NULL);
    o->smtp_all = apr_array_make(p, 2, sizeof(const char *));
    APR_ARRAY_PUSH(o->smtp_all, const char *) = o->smtp;
    APR_ARRAY_PUSH(o->smtp_all, const char *) =
        apr_pstrcat(p, alias, ".alt@mapi.test", NULL);
    o->guid[0] = (uint8_t)mid;
    return o;
}

/* Demo User (20), Demo Two (22), Other User (21): GAL order by name. */
static nspi_dir *sample(apr_pool_t *p)
{
    nspi_dir *d = nspi_dir_new(p, SERVER_GUID, "/o=T/ou=G");

    nspi_dir_add(d, mk(p, 21, "Other User", "other"));
    nspi_dir_add(d, mk(p, 20, "Demo User", "demo"));
    nspi_dir_add(d, mk(p, 22, "demo two", "demo2"));
    return d;
}

static void test_order(void)
{
    nspi_dir *d = sample(P);
    unsigned pos;

    CU_ASSERT_EQUAL(d->n, 3);
    CU_ASSERT_STRING_EQUAL(d->rows[0]->display_name, "demo two");
    CU_ASSERT_STRING_EQUAL(d->rows[1]->display_name, "Demo User");
    CU_ASSERT_STRING_EQUAL(d->rows[2]->display_name, "Other User");
    CU_ASSERT_PTR_NOT_NULL(nspi_dir_by_mid(d, 21, &pos));
    CU_ASSERT_EQUAL(pos, 2);
    CU_ASSERT_PTR_NULL(nspi_dir_by_mid(d, 99, NULL));
    CU_ASSERT_PTR_NOT_NULL(nspi_dir_by_dn(d, "/O=T/OU=G/CN=RECIPIENTS/CN=DEMO"));
    CU_ASSERT_PTR_NULL(nspi_dir_by_dn(d, "/o=T/ou=G/cn=Recipients/cn=x"));
    CU_ASSERT(nspi_name_cmp("abc", "ABD") < 0);
    CU_ASSERT(nspi_name_cmp("B", "a") > 0);
}

static void test_mid_stable(void)
{
    char dir[] = "/tmp/nspi-unit-XXXXXX";
    mapi_db *db = unit_env_open(P, dir);
    uint8_t g1[16] = { 0xAA }, g2[16] = { 0xBB };
    uint32_t m1 = 0, m1b = 0, m2 = 0;
    const char *err = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT_EQUAL(nspi_mid_for_guid(db, P, g1, &m1, &err), 0);
    CU_ASSERT_EQUAL(nspi_mid_for_guid(db, P, g2, &m2, &err), 0);
    CU_ASSERT_EQUAL(nspi_mid_for_guid(db, P, g1, &m1b, &err), 0);
    CU_ASSERT(m1 >= NSPI_MID_FIRST);
    CU_ASSERT(m2 >= NSPI_MID_FIRST);
    CU_ASSERT_NOT_EQUAL(m1, m2);
    CU_ASSERT_EQUAL(m1, m1b);
    /* Another handle on the environment (another process) agrees. */
    mapi_db_close(&db);
    CU_ASSERT_EQUAL_FATAL(mapi_db_open(P, dir, 0, &db, &err), 0);
    CU_ASSERT_EQUAL(nspi_mid_for_guid(db, P, g2, &m1b, &err), 0);
    CU_ASSERT_EQUAL(m1b, m2);
    mapi_db_close(&db);
    unit_env_remove(dir);
}

static void test_stat(void)
{
    nspi_dir *d = sample(P);
    nspi_stat st;
    unsigned pos;
    int32_t moved;

    nspi_stat_default(&st);
    CU_ASSERT_EQUAL(nspi_stat_check(&st), NSPI_OK);
    st.delta = 2;
    CU_ASSERT_EQUAL(nspi_stat_seek(d, &st, &pos, &moved), NSPI_OK);
    CU_ASSERT_EQUAL(pos, 2);
    CU_ASSERT_EQUAL(moved, 2);
    nspi_stat_set(d, &st, pos);
    CU_ASSERT_EQUAL(st.cur_rec, 21);
    CU_ASSERT_EQUAL(st.num_pos, 2);
    CU_ASSERT_EQUAL(st.total_recs, 3);
    CU_ASSERT_EQUAL(st.delta, 0);
    /* Past the end clamps to MID_END_OF_TABLE; before the start to 0. */
    st.delta = 5;
    nspi_stat_seek(d, &st, &pos, &moved);
    CU_ASSERT_EQUAL(pos, 3);
    CU_ASSERT_EQUAL(moved, 1);
    nspi_stat_set(d, &st, pos);
    CU_ASSERT_EQUAL(st.cur_rec, NSPI_MID_END_OF_TABLE);
    st.delta = -10;
    nspi_stat_seek(d, &st, &pos, &moved);
    CU_ASSERT_EQUAL(pos, 0);
    CU_ASSERT_EQUAL(moved, -3);
    /* MID_CURRENT: fractional position scaled to the table. */
    st.cur_rec = NSPI_MID_CURRENT;
    st.delta = 0;
    st.num_pos = 50;
    st.total_recs = 100;
    nspi_stat_seek(d, &st, &pos, NULL);
    CU_ASSERT_EQUAL(pos, 1);
    st.cur_rec = 999;
    CU_ASSERT_EQUAL(nspi_stat_seek(d, &st, &pos, NULL), NSPI_E_NOT_FOUND);
    nspi_stat_default(&st);
    st.sort_type = 77;
    CU_ASSERT_EQUAL(nspi_stat_check(&st), NSPI_E_INVALID_PARAM);
    st.sort_type = NSPI_SORT_PHONETIC;
    CU_ASSERT_EQUAL(nspi_stat_check(&st), NSPI_E_NOT_SUPPORTED);
    st.sort_type = 0;
    st.container_id = 5;
    CU_ASSERT_EQUAL(nspi_stat_check(&st), NSPI_E_INVALID_BOOKMARK);
}

static void test_anr(void)
{
    nspi_dir *d = sample(P);

    CU_ASSERT_EQUAL(nspi_anr(d, "other"), 21);
    CU_ASSERT_EQUAL(nspi_anr(d, "Other User"), 21);
    CU_ASSERT_EQUAL(nspi_anr(d, "demo"), 20);       /* exact alias */
    CU_ASSERT_EQUAL(nspi_anr(d, "dem"), NSPI_MID_AMBIGUOUS);
    CU_ASSERT_EQUAL(nspi_anr(d, "Demo"), 20);
    CU_ASSERT_EQUAL(nspi_anr(d, "user"), NSPI_MID_AMBIGUOUS);
    CU_ASSERT_EQUAL(nspi_anr(d, "two"), 22);
    CU_ASSERT_EQUAL(nspi_anr(d, "SMTP:demo2@mapi.test"), 22);
    CU_ASSERT_EQUAL(nspi_anr(d, "other.alt@mapi.test"), 21);
    CU_ASSERT_EQUAL(nspi_anr(d, "nobody"), NSPI_MID_UNRESOLVED);
    CU_ASSERT_EQUAL(nspi_anr(d, ""), NSPI_MID_UNRESOLVED);
}

/* ---- codec over nspi_call */

static nspi_ctx ctx_for(nspi_dir *d)
{
    static cfg_org org = { .name = "T", .domain = "mapi.test" };
    nspi_ctx c = { .pool = P, .org = &org, .dir = d,
                   .vdir_url = "https://mail.mapi.test/mapi" };
    return c;
}

static void w_stat(mapi_wr *w, uint32_t cur, int32_t delta, uint32_t cp)
{
    nspi_stat st;

    nspi_stat_default(&st);
    st.cur_rec = cur;
    st.delta = delta;
    st.codepage = cp;
    mapi_wr_u8(w, 0xFF);
    nspi_stat_write(w, &st);
}

static mapi_wr body_query_rows(uint32_t rows, uint32_t ncols,
                               const uint32_t *cols)
{
    mapi_wr w;

    mapi_wr_init(&w, P, 1 << 16);
    mapi_wr_u32(&w, 0);
    w_stat(&w, 0, 0, 1252);
    mapi_wr_u32(&w, 0);                  /* ExplicitTableCount */
    mapi_wr_u32(&w, rows);
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_u32(&w, ncols);
    for (uint32_t i = 0; i < ncols; i++)
        mapi_wr_u32(&w, cols[i]);
    mapi_wr_u32(&w, 0);
    return w;
}

static int call(nspi_dir *d, const char *name, const mapi_wr *body,
                mapi_wr *out)
{
    nspi_ctx c = ctx_for(d);

    mapi_wr_init(out, P, NSPI_MAX_REPLY);
    return nspi_call(&c, name, body->buf, body->len, out);
}


static void test_query_rows(void)
{
    nspi_dir *d = sample(P);
    uint32_t cols[] = { NSPI_TAG_DISPLAY_NAME & 0xFFFF001Eu,
                        NSPI_TAG_OBJECT_TYPE, NSPI_TAG_TITLE };
    mapi_wr b = body_query_rows(2, 3, cols), r;
    mapi_rd rd;
    uint8_t has, flags;
    uint32_t ncol, nrow, v;
    nspi_stat st;
    const char *s;

    CU_ASSERT_EQUAL_FATAL(call(d, "QueryRows", &b, &r), NSPI_BODY_OK);
    mapi_rd_init(&rd, r.buf, r.len);
    mapi_rd_skip(&rd, 4);
    mapi_rd_u32(&rd, &v);
    CU_ASSERT_EQUAL(v, NSPI_OK);
    mapi_rd_u8(&rd, &has);
    CU_ASSERT_EQUAL(has, 0xFF);
    nspi_stat_read(&rd, &st);
    CU_ASSERT_EQUAL(st.cur_rec, 21);       /* after two rows: Other User */
    CU_ASSERT_EQUAL(st.num_pos, 2);
    mapi_rd_u8(&rd, &has);
    mapi_rd_u32(&rd, &ncol);
    CU_ASSERT_EQUAL(ncol, 3);
    mapi_rd_skip(&rd, 12);
    mapi_rd_u32(&rd, &nrow);
    CU_ASSERT_EQUAL(nrow, 2);
    /* Title has no value: a flagged row, 8-bit name, type 6, error. */
    mapi_rd_u8(&rd, &flags);
    CU_ASSERT_EQUAL(flags, 1);
    mapi_rd_u8(&rd, &has);                 /* flag 0: value */
    CU_ASSERT_EQUAL(has, 0);
    mapi_rd_u8(&rd, &has);                 /* HasValue */
    CU_ASSERT_EQUAL(has, 0xFF);
    CU_ASSERT_EQUAL(mapi_rd_str8(&rd, P, 100, &s), 0);
    CU_ASSERT_STRING_EQUAL(s, "demo two");
    mapi_rd_u8(&rd, &has);
    mapi_rd_u32(&rd, &v);
    CU_ASSERT_EQUAL(v, NSPI_MAPI_MAILUSER);
    mapi_rd_u8(&rd, &has);
    CU_ASSERT_EQUAL(has, 0xA);
    mapi_rd_u32(&rd, &v);
    CU_ASSERT_EQUAL(v, NSPI_E_NOT_FOUND);
}

/* Every proper prefix of a well-formed body is refused; a body with
 * bytes after the auxiliary buffer too. */
static void check_prefixes(const char *name, const mapi_wr *b)
{
    nspi_dir *d = sample(P);
    mapi_wr r, cut;

    CU_ASSERT_EQUAL(call(d, name, b, &r), NSPI_BODY_OK);
    for (size_t n = 0; n < b->len; n++) {
        cut = *b;
        cut.len = n;
        if (call(d, name, &cut, &r) != NSPI_BODY_BAD) {
            CU_FAIL("a truncated body was accepted");
            fprintf(stderr, "%s: prefix %zu of %zu accepted\n", name, n,
                    b->len);
            return;
        }
    }
    mapi_wr_u8((mapi_wr *)b, 0);
    CU_ASSERT_EQUAL(call(d, name, b, &r), NSPI_BODY_BAD);
}

static void test_truncated(void)
{
    uint32_t cols[] = { NSPI_TAG_DISPLAY_NAME, NSPI_TAG_ENTRYID };
    mapi_wr b = body_query_rows(10, 2, cols);

    check_prefixes("QueryRows", &b);
    /* ResolveNames with two Unicode names */
    mapi_wr_init(&b, P, 4096);
    mapi_wr_u32(&b, 0);
    w_stat(&b, 0, 0, 1200);
    mapi_wr_u8(&b, 0);
    mapi_wr_u8(&b, 0xFF);
    mapi_wr_u32(&b, 2);
    mapi_wr_str16(&b, "dem");
    mapi_wr_str16(&b, "other");
    mapi_wr_u32(&b, 0);
    check_prefixes("ResolveNames", &b);
    /* GetMatches with an and of a content and an exist restriction */
    mapi_wr_init(&b, P, 4096);
    mapi_wr_u32(&b, 0);
    w_stat(&b, 0, 0, 1252);
    mapi_wr_u8(&b, 0);                    /* HasMinimalIds */
    mapi_wr_u32(&b, 0);                   /* InterfaceOptionFlags */
    mapi_wr_u8(&b, 0xFF);                 /* HasFilter */
    mapi_wr_u8(&b, NSPI_RES_AND);
    mapi_wr_u32(&b, 2);
    mapi_wr_u8(&b, NSPI_RES_CONTENT);
    mapi_wr_u32(&b, 0x00010002);          /* prefix, ignore case */
    mapi_wr_u32(&b, NSPI_TAG_DISPLAY_NAME);
    mapi_wr_u32(&b, NSPI_TAG_DISPLAY_NAME);
    mapi_wr_str16(&b, "demo");
    mapi_wr_u8(&b, NSPI_RES_EXIST);
    mapi_wr_u32(&b, NSPI_TAG_SMTP_ADDRESS);
    mapi_wr_u8(&b, 0);                    /* HasPropertyName */
    mapi_wr_u32(&b, 10);
    mapi_wr_u8(&b, 0);                    /* HasColumns */
    mapi_wr_u32(&b, 0);
    check_prefixes("GetMatches", &b);
}

static void test_bounds(void)
{
    nspi_dir *d = sample(P);
    mapi_wr b, r;

    /* A tag count far beyond the bytes sent. */
    mapi_wr_init(&b, P, 4096);
    mapi_wr_u32(&b, 0);
    w_stat(&b, 0, 0, 1252);
    mapi_wr_u32(&b, 0);
    mapi_wr_u32(&b, 10);
    mapi_wr_u8(&b, 0xFF);
    mapi_wr_u32(&b, 0x40000000u);
    mapi_wr_u32(&b, 0);
    CU_ASSERT_EQUAL(call(d, "QueryRows", &b, &r), NSPI_BODY_BAD);
    /* An explicit table above NSPI_MAX_ROWS. */
    mapi_wr_init(&b, P, 4096);
    mapi_wr_u32(&b, 0);
    w_stat(&b, 0, 0, 1252);
    mapi_wr_u32(&b, NSPI_MAX_ROWS + 1);
    CU_ASSERT_EQUAL(call(d, "QueryRows", &b, &r), NSPI_BODY_BAD);
    /* A Has* byte that is neither 0x00 nor 0xFF. */
    mapi_wr_init(&b, P, 4096);
    mapi_wr_u32(&b, 0);
    mapi_wr_u8(&b, 0x01);
    mapi_wr_u32(&b, 0);
    CU_ASSERT_EQUAL(call(d, "DNToMId", &b, &r), NSPI_BODY_BAD);
    /* A restriction nested beyond NSPI_MAX_RES_DEPTH. */
    mapi_wr_init(&b, P, 4096);
    mapi_wr_u32(&b, 0);
    w_stat(&b, 0, 0, 1252);
    mapi_wr_u8(&b, 0);
    mapi_wr_u32(&b, 0);
    mapi_wr_u8(&b, 0xFF);
    for (int i = 0; i < NSPI_MAX_RES_DEPTH + 2; i++)
        mapi_wr_u8(&b, NSPI_RES_NOT);
    mapi_wr_u8(&b, NSPI_RES_EXIST);
    mapi_wr_u32(&b, NSPI_TAG_DISPLAY_NAME);
    mapi_wr_u8(&b, 0);
    mapi_wr_u32(&b, 10);
    mapi_wr_u8(&b, 0);
    mapi_wr_u32(&b, 0);
    CU_ASSERT_EQUAL(call(d, "GetMatches", &b, &r), NSPI_BODY_BAD);
}

static void test_get_matches_proxy(void)
{
    nspi_dir *d = sample(P);
    mapi_wr b, r;
    mapi_rd rd;
    uint32_t v, n, mid;

    /* Proxy address lookup: property restriction EQ on
     * PidTagProxyAddresses with one address, any case. */
    mapi_wr_init(&b, P, 4096);
    mapi_wr_u32(&b, 0);
    w_stat(&b, 0, 0, 1252);
    mapi_wr_u8(&b, 0);
    mapi_wr_u32(&b, 0);
    mapi_wr_u8(&b, 0xFF);
    mapi_wr_u8(&b, NSPI_RES_PROPERTY);
    mapi_wr_u8(&b, 4);                               /* RELOP_EQ */
    mapi_wr_u32(&b, NSPI_TAG_PROXY_ADDRESSES);
    mapi_wr_u32(&b, 0x800F001Eu);                    /* single string8 */
    mapi_wr_str8(&b, "smtp:OTHER.alt@mapi.test");
    mapi_wr_u8(&b, 0);
    mapi_wr_u32(&b, 10);
    mapi_wr_u8(&b, 0);
    mapi_wr_u32(&b, 0);
    CU_ASSERT_EQUAL_FATAL(call(d, "GetMatches", &b, &r), NSPI_BODY_OK);
    mapi_rd_init(&rd, r.buf, r.len);
    mapi_rd_skip(&rd, 4);
    mapi_rd_u32(&rd, &v);
    CU_ASSERT_EQUAL(v, NSPI_OK);
    mapi_rd_skip(&rd, 1 + NSPI_STAT_SIZE + 1);
    mapi_rd_u32(&rd, &n);
    mapi_rd_u32(&rd, &mid);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(mid, 21);
}

static void test_codepage(void)
{
    CU_ASSERT_STRING_EQUAL(nspi_to_codepage(P, "J\xC3\xBCrgen", 1252),
                           "J\xFCrgen");
    CU_ASSERT_STRING_EQUAL(nspi_from_codepage(P, "J\xFCrgen", 1252),
                           "J\xC3\xBCrgen");
    CU_ASSERT_STRING_EQUAL(nspi_to_codepage(P, "\xE2\x82\xAC", 1252), "\x80");
    CU_ASSERT_STRING_EQUAL(nspi_to_codepage(P, "\xE6\x97\xA5x", 1252), "?x");
}

static void test_dir_cache(void);

static CU_TestInfo tests[] = {
    { "GAL order and lookups", test_order },
    { "MIds persist per GUID (R... 2.2.9.1)", test_mid_stable },
    { "STAT arithmetic (3.1.4.5)", test_stat },
    { "ambiguous name resolution", test_anr },
    { "QueryRows rows, flagged values, STAT after", test_query_rows },
    { "truncated bodies refused", test_truncated },
    { "counts and depth bounded", test_bounds },
    { "GetMatches proxy address lookup", test_get_matches_proxy },
    { "8-bit code pages", test_codepage },
    { "process cache keyed on the directory generation", test_dir_cache },
    CU_TEST_INFO_NULL
};


static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The process cache of the view: the same view while the configuration's
 * directory generation stands, a fresh one after a mailbox is added or a
 * group changes; and how much a request saves (printed, for the record:
 * 500 mailboxes). */
static void test_dir_cache(void)
{
    char dir[] = "/tmp/nspi-unit-XXXXXX";
    mapi_db *db = unit_env_open(P, dir);
    cfg_org org = { .name = "Cache Test", .domain = "cache.test",
                    .mapi_http_enabled = 1 }, *o = NULL;
    const char *err = NULL;
    uint64_t g0 = 0, g1 = 0;
    nspi_dir *d1 = NULL, *d2 = NULL, *d3 = NULL;
    double t0, t_load, t_get;
    enum { N = 500, ROUNDS = 20 };
    apr_pool_t *p;

    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT_EQUAL_FATAL(cfg_org_create(db, P, &org, &err), 0);
    CU_ASSERT_EQUAL_FATAL(cfg_org_get(db, P, &o, &err), 0);
    for (int i = 0; i < N; i++) {
        char name[32], smtp[64], upn[64];
        snprintf(name, sizeof(name), "user%03d", i);
        snprintf(smtp, sizeof(smtp), "user%03d@cache.test", i);
        snprintf(upn, sizeof(upn), "user%03d@CACHE.TEST", i);
        cfg_mailbox m = { .name = name, .display_name = name, .smtp = smtp,
                          .principal = upn, .mapi_http_enabled = CFG_TRI_NULL,
                          .mapi_enabled = 1 };
        CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, P, &m, &err), 0);
    }
    CU_ASSERT_EQUAL(cfg_dir_generation(db, &g0), 0);
    CU_ASSERT(g0 >= (uint64_t)N);
    apr_pool_create(&p, P);
    CU_ASSERT_EQUAL_FATAL(nspi_dir_get(db, p, o, &d1, &err), 0);
    CU_ASSERT_EQUAL_FATAL(nspi_dir_get(db, p, o, &d2, &err), 0);
    CU_ASSERT_EQUAL(d1->n, N);
    CU_ASSERT_EQUAL(d2->n, N);
    /* Shared objects, separate row arrays (each request sorts its own). */
    CU_ASSERT_PTR_EQUAL(d1->rows[0], d2->rows[0]);
    CU_ASSERT_PTR_NOT_EQUAL(d1->rows, d2->rows);
    nspi_dir_sort(d1, 0x41D);
    CU_ASSERT_PTR_EQUAL(d2->collator, NULL);
    /* A later copy sorted the same way gets the kept order. */
    {
        nspi_dir *d4 = NULL;
        CU_ASSERT_EQUAL_FATAL(nspi_dir_get(db, p, o, &d4, &err), 0);
        nspi_dir_sort(d4, 0x41D);
        CU_ASSERT_EQUAL(memcmp(d4->rows, d1->rows,
                               N * sizeof(*d1->rows)), 0);
        CU_ASSERT_PTR_NOT_NULL(d4->collator);
    }
    /* A change moves the generation; the next view has it. */
    {
        cfg_mailbox m = { .name = "late", .display_name = "Late Comer",
                          .smtp = "late@cache.test",
                          .principal = "late@CACHE.TEST",
                          .mapi_http_enabled = CFG_TRI_NULL,
                          .mapi_enabled = 1 };
        CU_ASSERT_EQUAL_FATAL(cfg_mailbox_create(db, P, &m, &err), 0);
    }
    CU_ASSERT_EQUAL(cfg_dir_generation(db, &g1), 0);
    CU_ASSERT(g1 > g0);
    CU_ASSERT_EQUAL_FATAL(nspi_dir_get(db, p, o, &d3, &err), 0);
    CU_ASSERT_EQUAL(d3->n, N + 1);
    CU_ASSERT_EQUAL(d1->n, N);         /* older copies stay valid */
    CU_ASSERT_PTR_NOT_NULL(nspi_dir_by_mid(d1, d1->rows[N - 1]->mid, NULL));
    apr_pool_destroy(p);

    /* The figures: a full load against a cached copy, per request. */
    t0 = now_ms();
    for (int i = 0; i < ROUNDS; i++) {
        apr_pool_create(&p, P);
        CU_ASSERT_EQUAL(nspi_dir_load(db, p, o, &d1, &err), 0);
        apr_pool_destroy(p);
    }
    t_load = (now_ms() - t0) / ROUNDS;
    t0 = now_ms();
    for (int i = 0; i < ROUNDS; i++) {
        apr_pool_create(&p, P);
        CU_ASSERT_EQUAL(nspi_dir_get(db, p, o, &d1, &err), 0);
        apr_pool_destroy(p);
    }
    t_get = (now_ms() - t0) / ROUNDS;
    t0 = now_ms();
    for (int i = 0; i < ROUNDS; i++) {
        apr_pool_create(&p, P);
        CU_ASSERT_EQUAL(nspi_dir_get(db, p, o, &d1, &err), 0);
        nspi_dir_sort(d1, 0x407);
        apr_pool_destroy(p);
    }
    printf("\n    nspi view of %d objects: load %.3f ms, cached %.3f ms, "
           "cached and ICU-sorted %.3f ms per request\n", N + 1, t_load,
           t_get, (now_ms() - t0) / ROUNDS);
    CU_ASSERT(t_get < t_load);
    mapi_db_close(&db);
    unit_env_remove(dir);
}

int main(void)
{
    CU_SuiteInfo suites[] = {
        { "nspi", NULL, NULL, NULL, NULL, tests }, CU_SUITE_INFO_NULL
    };
    unsigned failures;

    if (apr_initialize() != APR_SUCCESS ||
        CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    apr_pool_create(&P, NULL);
    if (CU_register_suites(suites) != CUE_SUCCESS)
        return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    apr_terminate();
    return failures ? 1 : 0;
}
