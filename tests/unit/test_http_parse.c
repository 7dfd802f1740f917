/*
 * test_http_parse.c: unit tests for what the transport reads from a
 * request (mod_mapi/http/mh_parse.c) and the Autodiscover request parser
 * (mod_mapi/autodiscover/autod_request.c), with the inputs the fuzzers
 * found (tests/fuzz/corpus/http/regress_*).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <CUnit/Basic.h>

#include "autodiscover/autod_request.h"
#include "http/mh_parse.h"

static apr_pool_t *p;

static void test_cookie(void)
{
    const char *h = "a=1; MapiContext=\"abc\" ;MapiSequence=def; "
                    "MapiContext=second";

    CU_ASSERT_STRING_EQUAL(mh_cookie_find(p, h, "MapiContext"), "abc");
    CU_ASSERT_STRING_EQUAL(mh_cookie_find(p, h, "mapisequence"), "def");
    CU_ASSERT_PTR_NULL(mh_cookie_find(p, h, "Mapi"));
    CU_ASSERT_PTR_NULL(mh_cookie_find(p, "", "MapiContext"));
    CU_ASSERT_STRING_EQUAL(mh_cookie_find(p, "MapiContext=", "MapiContext"),
                           "");
}

static void test_endpoint(void)
{
    size_t n = 0;

    CU_ASSERT_EQUAL(mh_parse_endpoint("/mapi/emsmdb/", &n), SESS_EP_EMSMDB);
    CU_ASSERT_EQUAL(n, 12);
    CU_ASSERT_EQUAL(mh_parse_endpoint("/x/NSPI", &n), SESS_EP_NSPI);
    CU_ASSERT_EQUAL(n, 7);
    CU_ASSERT_EQUAL(mh_parse_endpoint("emsmdb", &n), 0);
    CU_ASSERT_EQUAL(mh_parse_endpoint("/mapi/xemsmdb", &n), 0);
    CU_ASSERT_EQUAL(mh_parse_endpoint("/", &n), 0);
    CU_ASSERT_EQUAL(mh_parse_endpoint("", &n), 0);
}

static void test_headers(void)
{
    apr_off_t n;

    CU_ASSERT_TRUE(mh_is_mapi_content_type("Application/MAPI-HTTP"));
    CU_ASSERT_TRUE(mh_is_mapi_content_type("application/mapi-http; x=y"));
    CU_ASSERT_FALSE(mh_is_mapi_content_type("application/mapi-httpx"));
    CU_ASSERT_FALSE(mh_is_mapi_content_type(NULL));
    CU_ASSERT_EQUAL(mh_parse_content_length("42", &n), 0);
    CU_ASSERT_EQUAL(n, 42);
    CU_ASSERT_EQUAL(mh_parse_content_length("-1", &n), -1);
    CU_ASSERT_EQUAL(mh_parse_content_length("4x", &n), -1);
    CU_ASSERT_EQUAL(mh_parse_content_length("99999999999999999999999", &n),
                    -1);
}

/* ap_unescape_url's rules; "%%f" once shifted a negative value (UBSan,
 * tests/fuzz/corpus/http/regress_bad_escape). */
static void test_mailbox_id(void)
{
    CU_ASSERT_STRING_EQUAL(mh_query_mailbox_id(p, "a=b&MailboxId=x%40y"),
                           "x@y");
    CU_ASSERT_STRING_EQUAL(mh_query_mailbox_id(p, "mailboxid=x%%f"), "");
    CU_ASSERT_STRING_EQUAL(mh_query_mailbox_id(p, "MailboxId=%g0"), "");
    CU_ASSERT_STRING_EQUAL(mh_query_mailbox_id(p, "MailboxId=%4"), "");
    CU_ASSERT_STRING_EQUAL(mh_query_mailbox_id(p, "MailboxId=a%2Fb"), "");
    CU_ASSERT_STRING_EQUAL(mh_query_mailbox_id(p, "MailboxId=a%00b"), "");
    CU_ASSERT_PTR_NULL(mh_query_mailbox_id(p, "MailboxId="));
    CU_ASSERT_PTR_NULL(mh_query_mailbox_id(p, "MailboxIdx=1"));
    CU_ASSERT_PTR_NULL(mh_query_mailbox_id(p, NULL));
}

static void test_mailbox_id_is(void)
{
    cfg_org org = { .domain = "mapi.test" };
    cfg_mailbox m = { .guid = { 0x12, 0x34 }, .smtp = "demo@mapi.test" };
    const char *g = cfg_guid_str(p, m.guid);

    CU_ASSERT_TRUE(mh_mailbox_id_is(p, apr_pstrcat(p, g, "@MAPI.test", NULL),
                                    &org, &m));
    CU_ASSERT_TRUE(mh_mailbox_id_is(p, apr_pstrcat(p, "{", g, "}@mapi.test",
                                                   NULL), &org, &m));
    CU_ASSERT_FALSE(mh_mailbox_id_is(p, apr_pstrcat(p, g, "@other.test",
                                                    NULL), &org, &m));
    CU_ASSERT_TRUE(mh_mailbox_id_is(p, "Demo@mapi.test", &org, &m));
    CU_ASSERT_FALSE(mh_mailbox_id_is(p, "other@mapi.test", &org, &m));
    CU_ASSERT_FALSE(mh_mailbox_id_is(p, "nobody", &org, &m));
}

static void test_client_version(void)
{
    CU_ASSERT_STRING_EQUAL(mh_client_version(p, "Outlook/16.0.5095.1000 x"),
                           "16.0.5095.1000");
    CU_ASSERT_PTR_NULL(mh_client_version(p, "Outlook/"));
    CU_ASSERT_PTR_NULL(mh_client_version(p, "Outlook"));
    CU_ASSERT_PTR_NULL(mh_client_version(p, NULL));
}

static void test_bodies(void)
{
    static const uint8_t connect[] = { 'x', 0, 1, 0, 0, 0, 0xE4, 4, 0, 0,
                                       9, 4, 0, 0, 9, 4, 0, 0, 0, 0, 0, 0 };
    static const uint8_t exec[] = { 0, 0, 0, 0, 2, 0, 0, 0, 0xAA, 0xBB,
                                    0, 0x80, 0, 0, 0, 0, 0, 0 };
    static const uint8_t aux_big[] = { 0, 0, 0, 0, 0x09, 0x10, 0, 0 };
    mh_connect_req c;
    mh_execute_req e;

    CU_ASSERT_EQUAL(mh_parse_connect(connect, sizeof(connect), p, &c), 0);
    CU_ASSERT_STRING_EQUAL(c.user_dn, "x");
    CU_ASSERT_EQUAL(c.codepage, 1252);
    CU_ASSERT_EQUAL(mh_parse_connect(connect, sizeof(connect) - 1, p, &c), -1);
    CU_ASSERT_EQUAL(mh_parse_execute(exec, sizeof(exec), &e), 0);
    CU_ASSERT_EQUAL(e.rop_buffer_size, 2);
    CU_ASSERT_EQUAL(e.max_rop_out, 0x8000);
    CU_ASSERT_EQUAL(mh_parse_execute(exec, 9, &e), -1);
    CU_ASSERT_EQUAL(mh_parse_disconnect(exec + 14, 4), 0);
    CU_ASSERT_EQUAL(mh_parse_disconnect(exec, 5), -1);
    /* An auxiliary buffer over 0x1008 bytes is refused ([MS-OXCRPC] R571). */
    CU_ASSERT_EQUAL(mh_parse_notification_wait(aux_big, sizeof(aux_big)), -1);
    CU_ASSERT_EQUAL(mh_parse_notification_wait(aux_big, 3), -1);
}

static void test_autod(void)
{
    const char *ok = "<Autodiscover><Request><EMailAddress>\n a@b.c "
                     "</EMailAddress></Request></Autodiscover>";
    const char *dtd = "<!doctype x><Autodiscover/>";

    CU_ASSERT_STRING_EQUAL(autod_parse_request(p, ok, strlen(ok)), "a@b.c");
    CU_ASSERT_PTR_NULL(autod_parse_request(p, dtd, strlen(dtd)));
    CU_ASSERT_PTR_NULL(autod_parse_request(p, "<a/>", 4));
    CU_ASSERT_PTR_NULL(autod_parse_request(p, "<Autodiscover", 13));
    CU_ASSERT_PTR_NULL(autod_parse_request(p, ok, strlen(ok) + 1));
    CU_ASSERT_TRUE(autod_mapihttp_capable_value(" 1 "));
    CU_ASSERT_FALSE(autod_mapihttp_capable_value("+1"));
    CU_ASSERT_FALSE(autod_mapihttp_capable_value("0"));
    CU_ASSERT_FALSE(autod_mapihttp_capable_value("1x"));
    CU_ASSERT_FALSE(autod_mapihttp_capable_value(""));
    CU_ASSERT_FALSE(autod_mapihttp_capable_value(NULL));
}

int main(void)
{
    static const struct { const char *name; void (*fn)(void); } t[] = {
        { "cookies", test_cookie }, { "endpoint", test_endpoint },
        { "Content-Type, Content-Length", test_headers },
        { "MailboxId query", test_mailbox_id },
        { "MailboxId names", test_mailbox_id_is },
        { "X-ClientApplication version", test_client_version },
        { "EMSMDB bodies", test_bodies }, { "Autodiscover request", test_autod },
    };
    CU_pSuite s;
    unsigned failures;

    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&p, NULL) != 0 ||
        CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("http parsers", NULL, NULL);
    for (size_t i = 0; s && i < sizeof(t) / sizeof(t[0]); i++)
        CU_add_test(s, t[i].name, t[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    apr_pool_destroy(p);
    apr_terminate();
    return failures ? 1 : 0;
}
