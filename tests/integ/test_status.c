/*
 * test_status.c: the live view: mod_status's server-status page carries
 * the MAPI section with figures that match the load sent (sessions by
 * endpoint, requests and errors by type, X-ResponseCodes, 401s, database
 * health), and mapi-admin get-mapisession lists the live sessions and
 * remove-mapisession ends one (its client's next request: Context Not
 * Found).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>

#include "harness.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

static harness H;
static char out[65536];

static int suite_init(void)
{
    return harness_start(&H, NULL);
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* A figure of server-status?auto ("Name: value"); -1 when absent. */
static long figure(const char *page, const char *name)
{
    char key[128];
    const char *p;

    snprintf(key, sizeof(key), "\n%s: ", name);
    p = page ? strstr(page, key) : NULL;
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static char *status_auto(void)
{
    long st = 0;
    char *page = harness_get(&H, "/server-status?auto", &st);

    CHECKF(st == 200 && page, "server-status?auto: HTTP %ld", st);
    return page;
}

static long count0(const char *page, const char *name)
{
    long v = figure(page, name);
    return v < 0 ? 0 : v;
}

static void test_status_matches_load(void)
{
    enum { E = 3, N = 2, PINGS = 4 };
    mhc_client *e[E] = { NULL }, *n[N] = { NULL }, *anon = NULL;
    char *before = status_auto(), *after = NULL, *html = NULL;
    long st = 0;

    for (int i = 0; i < E; i++) {
        e[i] = harness_connect_demo(harness_client(&H, 0, MHC_AUTH_BASIC));
        REQUIREF(e[i] != NULL, "connect %d", i);
        for (int k = 0; k < PINGS; k++)
            CHECKF(mhc_ping(e[i], MHC_EMSMDB, NULL) == 0, "ping");
    }
    for (int i = 0; i < N; i++) {
        n[i] = harness_client(&H, 1, MHC_AUTH_BASIC);
        CHECKF(mhc_bind(n[i], NULL, NULL) == 0, "bind %d", i);
    }
    /* Errors: a PING without a context (Missing Cookie, 13), and an
     * anonymous request (401). */
    mhc_cookies_clear(n[0], MHC_EMSMDB);
    CHECKF(mhc_ping(n[0], MHC_EMSMDB, NULL) == 13, "missing cookie");
    anon = harness_client(&H, 0, MHC_AUTH_NONE);
    mhc_ping(anon, MHC_EMSMDB, NULL);
    harness_sleep_ms(300);          /* rows are counted as replies end */
    after = status_auto();
    CHECKF(figure(after, "MapiSessionsEmsmdb") == E,
           "emsmdb sessions %ld", figure(after, "MapiSessionsEmsmdb"));
    CHECKF(figure(after, "MapiSessionsNspi") == N, "nspi sessions %ld",
           figure(after, "MapiSessionsNspi"));
    CHECKF(figure(after, "MapiNotificationWaits") == 0, "waits");
    CHECKF(strstr(after, "MapiStoreHealth: OK") &&
           strstr(after, "MapiConfigHealth: OK"), "health");
    CHECKF(count0(after, "MapiRequestsEmsmdbConnect") -
           count0(before, "MapiRequestsEmsmdbConnect") == E, "connects");
    CHECKF(count0(after, "MapiRequestsEmsmdbPING") -
           count0(before, "MapiRequestsEmsmdbPING") == E * PINGS + 2,
           "pings %ld", count0(after, "MapiRequestsEmsmdbPING"));
    CHECKF(count0(after, "MapiErrorsEmsmdbPING") -
           count0(before, "MapiErrorsEmsmdbPING") == 2, "ping errors");
    CHECKF(count0(after, "MapiRequestsNspiBind") -
           count0(before, "MapiRequestsNspiBind") == N, "binds");
    CHECKF(count0(after, "MapiResponseCodeEmsmdb13") -
           count0(before, "MapiResponseCodeEmsmdb13") == 1, "code 13");
    CHECKF(count0(after, "MapiUnauthorizedEmsmdb") -
           count0(before, "MapiUnauthorizedEmsmdb") == 1, "401");
    html = harness_get(&H, "/server-status", &st);
    CHECKF(html && strstr(html, "MAPI over HTTP (mod_mapi)") &&
           strstr(html, "NotificationWaits pending"), "HTML section");
out:
    for (int i = 0; i < E; i++)
        if (e[i]) {
            mhc_disconnect(e[i], NULL, NULL);
            mhc_client_free(&e[i]);
        }
    for (int i = 0; i < N; i++)
        if (n[i]) {
            mhc_unbind(n[i], NULL, NULL);
            mhc_client_free(&n[i]);
        }
    mhc_client_free(&anon);
    free(before);
    free(after);
    free(html);
}

static void test_get_and_remove_session(void)
{
    mhc_client *c = harness_connect_demo(harness_client(&H, 0,
                                                        MHC_AUTH_BASIC));
    const char *get[] = { "get-mapisession", "-List", NULL };
    char id[80];
    const char *one[] = { "get-mapisession", id, NULL };
    const char *rm[] = { "remove-mapisession", id, "-Confirm:$false", NULL };
    const char *cookie;
    int rc;

    REQUIREF(c != NULL, "connect");
    cookie = mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT);
    REQUIREF(cookie != NULL, "context cookie");
    snprintf(id, sizeof(id), "%s", cookie);
    rc = harness_admin(&H, out, sizeof(out), get);
    CHECKF(rc == 0, "get-mapisession: %d %s", rc, out);
    CHECKF(strcasestr(out, id) && strstr(out, "User ") &&
           strstr(out, H.demo_principal) && strstr(out, "emsmdb") &&
           strstr(out, "ClientApplication") && strstr(out, "Outlook/") &&
           strstr(out, "127.0.0.1") && strstr(out, "Created") &&
           strstr(out, "LastSeen") && strstr(out, "Expires"), "%s", out);
    rc = harness_admin(&H, out, sizeof(out), one);
    CHECKF(rc == 0 && strcasestr(out, id), "-Identity: %d %s", rc, out);
    rc = harness_admin(&H, out, sizeof(out), rm);
    CHECKF(rc == 0, "remove-mapisession: %d %s", rc, out);
    CHECKF(mhc_ping(c, MHC_EMSMDB, NULL) == 10, "the client's next request "
           "is Context Not Found");
    rc = harness_admin(&H, out, sizeof(out), one);
    CHECKF(rc == 3 && strstr(out, "couldn't be found"), "gone: %d %s", rc,
           out);
out:
    mhc_client_free(&c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("live status", suite_init, suite_cleanup);
    CU_add_test(s, "server-status MAPI section matches the load",
                test_status_matches_load);
    CU_add_test(s, "get-mapisession lists, remove-mapisession ends",
                test_get_and_remove_session);
    return harness_run_tests();
}
