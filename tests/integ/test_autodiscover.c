/*
 * test_autodiscover.c: POX Autodiscover ([MS-OXDSCLI]) for MAPI over HTTP
 * (issue 4): the User element; the truth table of admin-notes.md (org
 * MapiHttpEnabled x mailbox MapiHttpEnabled x
 * MAPIBlockOutlookExternalConnectivity) with and without
 * X-MapiHttpCapability; URLs from the virtual directory's InternalUrl and
 * ExternalUrl with the mailbox's MailboxId; the standard error reply for an
 * unknown address and for somebody else's; malformed and oversized
 * requests.  Settings are changed with mapi-admin while httpd runs.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "harness.h"
#include "mh_client.h"

static harness H;
static char internal_url[160], external_url[160];
static char demo_id[128];           /* <guid>@mapi.test */

#define ADMIN(...)                                                       \
    ({ const char *a_[] = { __VA_ARGS__, NULL };                         \
       harness_admin(&H, NULL, 0, a_); })

static int suite_init(void)
{
    if (harness_start(&H, NULL) != 0)
        return -1;
    snprintf(internal_url, sizeof(internal_url), "%s/mapi", H.url);
    snprintf(external_url, sizeof(external_url), "https://localhost:%s/mapi",
             strrchr(H.url, ':') + 1);
    return H.server_name[0] ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* One Autodiscover exchange as who (0 demo, 1 other) for email, parsed
 * into a; returns the HTTP status.  The reply stays in r (free it). */
static long autod(int who, const char *email, const char *cap,
                  mhc_response *r, mhc_autod_rsp *a)
{
    mhc_client *c = harness_client(&H, who, MHC_AUTH_BASIC);

    mhc_autodiscover(c, email, cap, r);
    memset(a, 0, sizeof(*a));
    if (r->raw)
        mhc_parse_autodiscover(r->pool, (const char *)r->raw, r->raw_len, a);
    mhc_client_free(&c);
    return r->http_status;
}

static long autod_raw(const char *path, const char *body, size_t len,
                      mhc_response *r, mhc_autod_rsp *a)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);

    mhc_autodiscover_raw(c, path, body, len, "1", r);
    memset(a, 0, sizeof(*a));
    if (r->raw)
        mhc_parse_autodiscover(r->pool, (const char *)r->raw, r->raw_len, a);
    mhc_client_free(&c);
    return r->http_status;
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static const char *s0(const char *s)
{
    return s ? s : "(absent)";
}

/* ---------------------------------------------------------- the tests -- */

/* [MS-OXDSCLI] User: DisplayName, LegacyDN (the Connect UserDN),
 * AutoDiscoverSMTPAddress; the mapiHttp URLs carry <guid>@<domain>. */
static void test_user_and_mailbox_id(void)
{
    mhc_response r = { 0 };
    mhc_autod_rsp a;
    const char *q;
    char out[8192];
    const char *args[] = { "get-mailbox", "-Identity", "demo", "-List",
                           NULL };
    long st = autod(0, "demo@mapi.test", "1", &r, &a);

    CHECKF(st == 200 && a.wellformed && a.error_code == NULL,
           "Autodiscover for demo: HTTP %ld, well-formed %d, error %s", st,
           a.wellformed, s0(a.error_code));
    CHECKF(streq(a.display_name, "Demo User"), "DisplayName %s",
           s0(a.display_name));
    CHECKF(streq(a.legacy_dn, H_DEMO_DN), "LegacyDN %s", s0(a.legacy_dn));
    CHECKF(streq(a.smtp, "demo@mapi.test"), "AutoDiscoverSMTPAddress %s",
           s0(a.smtp));
    REQUIREF(a.ms_internal && (q = strstr(a.ms_internal, "MailboxId=")),
             "no MailStore InternalUrl with MailboxId: %s",
             s0(a.ms_internal));
    snprintf(demo_id, sizeof(demo_id), "%s", q + 10);
    CHECKF(strlen(demo_id) == 36 + strlen("@mapi.test") &&
           strcmp(demo_id + 36, "@mapi.test") == 0 && demo_id[8] == '-',
           "MailboxId %s is not <guid>@mapi.test", demo_id);
    /* The GUID is the mailbox's ExchangeGuid, as mapi-admin shows it. */
    harness_admin(&H, out, sizeof(out), args);
    {
        char guid[40];
        snprintf(guid, sizeof(guid), "%.36s", demo_id);
        CHECKF(strcasestr(out, guid) != NULL, "MailboxId GUID %s is not in "
               "get-mailbox demo:\n%.600s", guid, out);
    }
out:
    mhc_response_free(&r);
}

/* One cell of the truth table, with one X-MapiHttpCapability value. */
static void check_cell(const char *cell, int mapi, int blocked,
                       const char *cap)
{
    mhc_response r = { 0 };
    mhc_autod_rsp a;
    char want[400];
    long st = autod(0, "demo@mapi.test", cap, &r, &a);

    CHECKF(st == 200 && a.wellformed && a.error_code == NULL,
           "%s, capability %s: HTTP %ld well-formed %d error %s", cell,
           s0(cap), st, a.wellformed, s0(a.error_code));
    if (mapi) {
        CHECKF(a.n_mapihttp == 1 && streq(a.mapihttp_version, "1") &&
               a.n_exch == 0 && a.n_expr == 0,
               "%s, capability %s: expected mapiHttp only, got mapiHttp %d "
               "(Version %s) EXCH %d EXPR %d", cell, s0(cap), a.n_mapihttp,
               s0(a.mapihttp_version), a.n_exch, a.n_expr);
        snprintf(want, sizeof(want), "%s/emsmdb/?MailboxId=%s", internal_url,
                 demo_id);
        CHECKF(streq(a.ms_internal, want), "%s: MailStore InternalUrl %s, "
               "expected %s", cell, s0(a.ms_internal), want);
        snprintf(want, sizeof(want), "%s/nspi/?MailboxId=%s", internal_url,
                 demo_id);
        CHECKF(streq(a.ab_internal, want), "%s: AddressBook InternalUrl %s, "
               "expected %s", cell, s0(a.ab_internal), want);
        if (blocked) {
            CHECKF(a.ms_external == NULL && a.ab_external == NULL,
                   "%s: external blocked, yet ExternalUrls %s %s", cell,
                   s0(a.ms_external), s0(a.ab_external));
        } else {
            snprintf(want, sizeof(want), "%s/emsmdb/?MailboxId=%s",
                     external_url, demo_id);
            CHECKF(streq(a.ms_external, want), "%s: MailStore ExternalUrl "
                   "%s, expected %s", cell, s0(a.ms_external), want);
            snprintf(want, sizeof(want), "%s/nspi/?MailboxId=%s",
                     external_url, demo_id);
            CHECKF(streq(a.ab_external, want), "%s: AddressBook ExternalUrl "
                   "%s, expected %s", cell, s0(a.ab_external), want);
        }
    } else {
        CHECKF(a.n_mapihttp == 0 && a.n_exch == 1 &&
               a.n_expr == (blocked ? 0 : 1),
               "%s, capability %s: expected the other transport (EXCH%s), "
               "got mapiHttp %d EXCH %d EXPR %d", cell, s0(cap),
               blocked ? " only" : " + EXPR", a.n_mapihttp, a.n_exch,
               a.n_expr);
        CHECKF(streq(a.exch_server, demo_id), "%s: EXCH Server %s, "
               "expected %s", cell, s0(a.exch_server), demo_id);
        if (!blocked)
            CHECKF(streq(a.expr_server, "localhost"), "%s: EXPR Server %s, "
                   "expected the ExternalUrl's host localhost", cell,
                   s0(a.expr_server));
    }
    mhc_response_free(&r);
}

/* admin-notes.md truth table: org true/false x mailbox null/true/false x
 * external blocked or not, each with no X-MapiHttpCapability (the other
 * transport always) and with 1 (MAPI/HTTP where in effect). */
static void test_truth_table(void)
{
    static const char *const orgs[] = { "$true", "$false" };
    static const char *const mbxs[] = { "$null", "$true", "$false" };
    static const char *const blocks[] = { "$false", "$true" };

    REQUIREF(demo_id[0], "setup: no MailboxId from the first test");
    for (int o = 0; o < 2; o++) {
        REQUIREF(ADMIN("set-orgconfig", "-MapiHttpEnabled", orgs[o]) == 0,
                 "setup: set-orgconfig -MapiHttpEnabled %s", orgs[o]);
        for (int m = 0; m < 3; m++)
            for (int b = 0; b < 2; b++) {
                char cell[160];
                int effective = m == 0 ? o == 0 : m == 1;
                REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo",
                               "-MapiHttpEnabled", mbxs[m],
                               "-MAPIBlockOutlookExternalConnectivity",
                               blocks[b]) == 0,
                         "setup: set-casmailbox %s %s", mbxs[m], blocks[b]);
                snprintf(cell, sizeof(cell), "org %s, mailbox %s, external "
                         "%s", orgs[o], mbxs[m], b ? "blocked" : "allowed");
                check_cell(cell, 0, b, NULL);
                check_cell(cell, effective, b, "1");
            }
    }
out:
    ADMIN("set-orgconfig", "-MapiHttpEnabled", "$true");
    ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled", "$null",
          "-MAPIBlockOutlookExternalConnectivity", "$false");
}

/* X-MapiHttpCapability: an integer above 0 means capable (1, 2); 0, a
 * negative number, a non-integer or an empty value count as absent. */
static void test_capability_values(void)
{
    static const struct { const char *v; int capable; } caps[] = {
        { "1", 1 }, { "2", 1 }, { "0", 0 }, { "-1", 0 }, { "abc", 0 },
        { "1x", 0 }, { "", 0 }, { "1.5", 0 },
    };

    REQUIREF(demo_id[0], "setup: no MailboxId from the first test");
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        check_cell("org $true, mailbox $null", caps[i].capable, 0,
                   caps[i].v);
out:
    return;
}

/* The URLs are the vdir's, read live: Set-MapiVirtualDirectory changes
 * the next reply; without a vdir there is no mapiHttp element. */
static void test_urls_follow_vdir_live(void)
{
    mhc_response r = { 0 };
    mhc_autod_rsp a;
    char want[300];

    REQUIREF(ADMIN("set-vdir", "-Identity", harness_vdir_identity(&H),
                   "-InternalUrl", "https://inside.mapi.test:444/mapi",
                   "-ExternalUrl", "https://mail.mapi.test/mapi") == 0,
             "setup: set-vdir URLs");
    autod(0, "demo@mapi.test", "1", &r, &a);
    snprintf(want, sizeof(want), "https://inside.mapi.test:444/mapi/emsmdb/"
             "?MailboxId=%s", demo_id);
    CHECKF(streq(a.ms_internal, want), "InternalUrl %s, expected %s",
           s0(a.ms_internal), want);
    snprintf(want, sizeof(want), "https://mail.mapi.test/mapi/nspi/"
             "?MailboxId=%s", demo_id);
    CHECKF(streq(a.ab_external, want), "AddressBook ExternalUrl %s, "
           "expected %s", s0(a.ab_external), want);
    mhc_response_free(&r);
    autod(0, "demo@mapi.test", NULL, &r, &a);
    CHECKF(streq(a.expr_server, "mail.mapi.test"), "EXPR Server %s, "
           "expected mail.mapi.test", s0(a.expr_server));
    mhc_response_free(&r);

    REQUIREF(ADMIN("remove-vdir", "-Identity", harness_vdir_identity(&H),
                   "-Confirm:$false") == 0, "setup: remove-vdir");
    autod(0, "demo@mapi.test", "1", &r, &a);
    CHECKF(r.http_status == 200 && a.n_mapihttp == 0 && a.n_exch == 1,
           "no vdir: HTTP %ld mapiHttp %d EXCH %d, expected the other "
           "transport", r.http_status, a.n_mapihttp, a.n_exch);
    mhc_response_free(&r);
    REQUIREF(ADMIN("new-vdir", "-Server", H.server_name, "-InternalUrl",
                   internal_url, "-ExternalUrl", external_url,
                   "-IISAuthenticationMethods", "Basic,Negotiate") == 0,
             "setup: new-vdir");
    autod(0, "demo@mapi.test", "1", &r, &a);
    CHECKF(a.n_mapihttp == 1, "vdir made again: mapiHttp %d", a.n_mapihttp);
out:
    mhc_response_free(&r);
    if (ADMIN("set-vdir", "-Identity", harness_vdir_identity(&H),
              "-InternalUrl", internal_url, "-ExternalUrl", external_url) != 0)
        ADMIN("new-vdir", "-Server", H.server_name, "-InternalUrl",
              internal_url, "-ExternalUrl", external_url,
              "-IISAuthenticationMethods", "Basic,Negotiate");
}

/* [MS-OXDSCLI] error reply (ErrorCode 500) for an address nobody has and
 * for somebody else's (the same answer: no address probing). */
static void test_unknown_and_foreign_address(void)
{
    static const char *const emails[] = { "nobody@mapi.test",
                                          "other@mapi.test", "x@elsewhere" };
    mhc_response r = { 0 };
    mhc_autod_rsp a;

    for (size_t i = 0; i < 3; i++) {
        long st = autod(0, emails[i], "1", &r, &a);
        CHECKF(st == 200 && a.wellformed && streq(a.error_code, "500") &&
               a.display_name == NULL && a.n_mapihttp == 0,
               "demo asks for %s: HTTP %ld error %s DisplayName %s", emails[i],
               st, s0(a.error_code), s0(a.display_name));
        mhc_response_free(&r);
    }
    /* other's own address works for other. */
    autod(1, "OTHER@mapi.test", "1", &r, &a);
    CHECKF(a.error_code == NULL && streq(a.display_name, "Other User"),
           "other asks for its own address: error %s DisplayName %s",
           s0(a.error_code), s0(a.display_name));
    mhc_response_free(&r);
}

/* Malformed requests get ErrorCode 600, never a crash; the server answers
 * a good request afterwards. */
static void test_malformed_600(void)
{
    static const char *const bodies[] = {
        "",
        "this is not xml",
        "<Autodiscover><Request><EMailAddress>demo@mapi.test",
        "<Foo><Request><EMailAddress>demo@mapi.test</EMailAddress>"
        "</Request></Foo>",
        "<Autodiscover><Request></Request></Autodiscover>",
        "<Autodiscover><Request><EMailAddress></EMailAddress></Request>"
        "</Autodiscover>",
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
        "<Autodiscover><Request><EMailAddress>&lol2;</EMailAddress>"
        "</Request></Autodiscover>",
        "<Autodiscover><Request><EMailAddress>demo@mapi.test</EMailAddress>"
        "</Request></Autodiscover><extra/>",
    };
    mhc_response r = { 0 };
    mhc_autod_rsp a;
    char *deep;
    size_t n = 0;

    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        long st = autod_raw(NULL, bodies[i], strlen(bodies[i]), &r, &a);
        CHECKF(st == 200 && a.wellformed && streq(a.error_code, "600"),
               "malformed body #%zu: HTTP %ld error %s", i, st,
               s0(a.error_code));
        mhc_response_free(&r);
    }
    /* 5000 nested elements, within the size limit. */
    deep = malloc(5000 * 7 + 200);
    n += (size_t)sprintf(deep + n, "<Autodiscover><Request>");
    for (int i = 0; i < 5000; i++)
        n += (size_t)sprintf(deep + n, "<a>");
    for (int i = 0; i < 5000; i++)
        n += (size_t)sprintf(deep + n, "</a>");
    n += (size_t)sprintf(deep + n, "</Request></Autodiscover>");
    {
        long st = autod_raw(NULL, deep, n, &r, &a);
        CHECKF((st == 200 && streq(a.error_code, "600")) || st == 413, "deeply nested body: HTTP %ld error %s", st,
               s0(a.error_code));
    }
    mhc_response_free(&r);
    free(deep);
    autod(0, "demo@mapi.test", "1", &r, &a);
    CHECKF(r.http_status == 200 && a.error_code == NULL && a.n_mapihttp == 1,
           "a good request after the malformed ones: HTTP %ld error %s",
           r.http_status, s0(a.error_code));
    mhc_response_free(&r);
}

/* Requests are bounded: a 1 MiB body is refused (413) without being
 * parsed. */
static void test_huge_body_refused(void)
{
    size_t len = 1024 * 1024;
    char *big = malloc(len);
    mhc_response r = { 0 };
    mhc_autod_rsp a;
    long st;

    memset(big, ' ', len);
    memcpy(big, "<Autodiscover>", 14);
    st = autod_raw(NULL, big, len, &r, &a);
    CHECKF(st == 413, "1 MiB body: HTTP %ld, expected 413", st);
    mhc_response_free(&r);
    free(big);
    autod(0, "demo@mapi.test", "1", &r, &a);
    CHECKF(r.http_status == 200 && a.error_code == NULL,
           "a good request after the huge one: HTTP %ld", r.http_status);
    mhc_response_free(&r);
}

/* Clients ask for /Autodiscover/Autodiscover.xml too. */
static void test_path_case(void)
{
    static const char body[] =
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/"
        "autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>"
        "demo@mapi.test</EMailAddress><AcceptableResponseSchema>"
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/"
        "responseschema/2006a</AcceptableResponseSchema></Request>"
        "</Autodiscover>";
    mhc_response r = { 0 };
    mhc_autod_rsp a;
    long st = autod_raw("/Autodiscover/Autodiscover.xml", body,
                        sizeof(body) - 1, &r, &a);

    CHECKF(st == 200 && a.error_code == NULL &&
           streq(a.smtp, "demo@mapi.test") && a.n_mapihttp == 1,
           "/Autodiscover/Autodiscover.xml: HTTP %ld error %s mapiHttp %d",
           st, s0(a.error_code), a.n_mapihttp);
    mhc_response_free(&r);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("Autodiscover", suite_init, suite_cleanup);
    CU_add_test(s, "User element; MailboxId is <mailbox guid>@<domain>",
                test_user_and_mailbox_id);
    CU_add_test(s, "truth table (admin-notes) x X-MapiHttpCapability",
                test_truth_table);
    CU_add_test(s, "X-MapiHttpCapability: integer above 0, else absent",
                test_capability_values);
    CU_add_test(s, "URLs from the vdir, live; no vdir, no mapiHttp",
                test_urls_follow_vdir_live);
    CU_add_test(s, "unknown and somebody else's address: error 500",
                test_unknown_and_foreign_address);
    CU_add_test(s, "malformed requests: error 600, no crash",
                test_malformed_600);
    CU_add_test(s, "huge body refused", test_huge_body_refused);
    CU_add_test(s, "/Autodiscover/Autodiscover.xml", test_path_case);
    return harness_run_tests();
}
