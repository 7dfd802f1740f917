/*
 * test_restart.c: session contexts live in the Berkeley DB environment
 * that all httpd processes share, so they survive a graceful restart, the
 * death (kill -9) of the process that created them and a full restart;
 * and a graceful restart completes parked NotificationWaits promptly.
 * ([MS-OXCMAPIHTTP] R1200, R1206: clients continue with the same cookies.)
 *
 * Every request here uses a new connection: old processes close theirs.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "checks.h"
#include "harness.h"
#include "mh_client.h"

#define RETRY_MS 5000

static harness H;

static int suite_init(void)
{
    /* A bounded wait limit: a wait that is not completed by the restart
     * still ends, and the test measures that it ended much sooner. */
    static const char *const env[] = { "MAPI_MAX_NOTIFICATION_WAIT=30", NULL };

    return harness_start(&H, env) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static mhc_client *client(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);

    c->fresh_connections = 1;
    return c;
}

static mhc_client *connected(void)
{
    return harness_connect_demo(client());
}

static int exec1(mhc_client *c, mhc_response *r)
{
    static const uint8_t rop[] = { 0x27, 0, 0, 'I', 'P', 'M', 0 };
    static const uint32_t handles[] = { 0xFFFFFFFF };

    return mhc_execute(c, 0, rop, sizeof(rop), handles, 1, r, NULL);
}

/* A request that may meet the server while it restarts: retried while
 * the exchange fails (no connection, reset), the server answers 5xx, or
 * the endpoint is shutting down (18), for up to RETRY_MS.  Protocol
 * answers (10, 15, ...) are final.  fn is one of the calls below. */
typedef int (*call_fn)(mhc_client *c, mhc_response *r);

static int call_ping(mhc_client *c, mhc_response *r)
{
    return mhc_ping(c, MHC_EMSMDB, r);
}

static int call_nspi_ping(mhc_client *c, mhc_response *r)
{
    return mhc_ping(c, MHC_NSPI, r);
}

static int retried(const char *what, mhc_client *c, call_fn fn)
{
    double deadline = mhc_now_ms() + RETRY_MS;
    int rc, tries = 0;

    for (;;) {
        mhc_response r;
        long http;
        tries++;
        rc = fn(c, &r);
        http = r.http_status;
        if (rc != -2 && http < 500 && rc != MHC_RC_ENDPOINT_SHUTTING_DOWN) {
            mhc_response_free(&r);
            break;
        }
        if (mhc_now_ms() > deadline) {
            CHECKF(0, "%s: no answer within %d ms (%d tries; last: %s, HTTP "
                   "%ld, X-ResponseCode %d)", what, RETRY_MS, tries,
                   r.curl_code ? r.error : "-", http, r.response_code);
            mhc_response_free(&r);
            return -2;
        }
        mhc_response_free(&r);
        harness_sleep_ms(200);
    }
    if (tries > 1)
        printf("\n    (%s: answered after %d tries)", what, tries);
    return rc;
}

static mhc_client *bound(void)
{
    mhc_client *c = client();
    int rc = mhc_bind(c, NULL, NULL);

    CHECKF(rc == 0, "setup: Bind gave X-ResponseCode %d", rc);
    if (rc != 0)
        mhc_client_free(&c);
    return c;
}

/* ---------------------------------------------------------- the tests -- */

static void test_graceful_keeps_contexts(void)
{
    mhc_client *c = connected(), *n = bound();
    int rc;

    if (c == NULL || n == NULL)
        goto out;
    CHECKF(exec1(c, NULL) == 0, "setup: Execute");
    REQUIREF(harness_signal(&H, "graceful", NULL) == 0,
             "instance.sh graceful failed");
    rc = retried("Execute after graceful", c, exec1);
    CHECKF(rc == 0, "R1200: Execute with the current sequence after a "
           "graceful restart gave %d", rc);
    rc = retried("second Execute after graceful", c, exec1);
    CHECKF(rc == 0, "R1200: the sequence handed out after graceful does not "
           "work (%d)", rc);
    rc = retried("NSPI PING after graceful", n, call_nspi_ping);
    CHECKF(rc == 0, "R1200: NSPI PING after a graceful restart gave %d", rc);
out:
    mhc_client_free(&c);
    mhc_client_free(&n);
}

/* A graceful restart does not leave a parked wait hanging until its limit
 * (30 s here): it completes promptly with EventPending 0. */
static void test_graceful_completes_wait(void)
{
    mhc_client *c = connected(), *w = NULL;
    mhc_response r = { 0 };
    mhc_nwait_rsp nw;
    apr_pool_t *p = NULL;
    mhc_bg *bg = NULL;
    mhc_opts o = { .timeout_ms = 25000 };
    mhc_buf b;
    double start, signalled;
    int rc;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    b = mhc_build_notification_wait(p, 0, NULL, 0);
    w = mhc_client_clone(c);
    start = mhc_now_ms();
    bg = mhc_bg_start(w, MHC_EMSMDB, "NotificationWait", b.data, b.len, &o);
    REQUIREF(bg != NULL, "setup: thread");
    REQUIREF(mhc_bg_wait_tag(bg, "PROCESSING", 1, 3000) == 0,
             "R1238: no PROCESSING within 3 s");
    harness_sleep_ms(300);
    signalled = mhc_now_ms();
    CHECKF(harness_signal(&H, "graceful", NULL) == 0,
           "instance.sh graceful failed");
    rc = mhc_bg_join(bg, &r);
    bg = NULL;
    CHECKF(rc == 0, "NotificationWait across graceful: X-ResponseCode %d "
           "(%s)", rc, r.error);
    CHECKF(start + r.total_ms - signalled < 5000,
           "the parked wait ended %.0f ms after the graceful restart began "
           "(limit 30 s)", start + r.total_ms - signalled);
    if (rc == 0) {
        check_success_stream("NotificationWait across graceful", &r);
        mhc_parse_notification_wait(r.body, r.body_len, &nw);
        CHECKF(nw.parsed == MHC_PARSE_SUCCESS && nw.event_pending == 0,
               "R1372: parsed %d EventPending %u", nw.parsed,
               nw.event_pending);
    }
    rc = retried("Execute after the wait", c, exec1);
    CHECKF(rc == 0, "R1260: the context after the completed wait gave %d",
           rc);
out:
    if (bg)
        mhc_bg_join(bg, NULL);
    mhc_response_free(&r);
    if (p)
        apr_pool_destroy(p);
    mhc_client_free(&w);
    mhc_client_free(&c);
}

/* kill -9 of every child: httpd starts new ones, which know the context
 * and its current sequence. */
static void test_kill9_keeps_context(void)
{
    mhc_client *c = connected();
    int killed, rc;

    if (c == NULL)
        return;
    CHECKF(exec1(c, NULL) == 0, "setup: Execute");
    killed = harness_kill_children(&H);
    REQUIREF(killed > 0, "no httpd children found under pid %d",
             (int)harness_httpd_pid(&H));
    rc = retried("Execute after kill -9", c, exec1);
    CHECKF(rc == 0, "R1200: Execute with the current sequence after kill -9 "
           "of %d children gave %d", killed, rc);
    rc = retried("second Execute after kill -9", c, exec1);
    CHECKF(rc == 0, "second Execute after kill -9 gave %d", rc);
    rc = retried("PING after kill -9", c, call_ping);
    CHECKF(rc == 0, "PING after kill -9 gave %d", rc);
    /* The store still takes new contexts. */
    {
        mhc_client *d = client();
        rc = mhc_connect(d, H_DEMO_DN, NULL, NULL);
        CHECKF(rc == 0, "Connect after kill -9 gave %d", rc);
        mhc_client_free(&d);
    }
out:
    mhc_client_free(&c);
}

static void test_restart_keeps_contexts(void)
{
    mhc_client *c = connected(), *n = bound();
    mhc_status_rsp st;
    int rc;

    if (c == NULL || n == NULL)
        goto out;
    CHECKF(exec1(c, NULL) == 0, "setup: Execute");
    REQUIREF(harness_signal(&H, "restart", NULL) == 0,
             "instance.sh restart failed");
    rc = retried("Execute after restart", c, exec1);
    CHECKF(rc == 0, "R1200: Execute with the current sequence after a "
           "restart gave %d", rc);
    rc = retried("NSPI PING after restart", n, call_nspi_ping);
    CHECKF(rc == 0, "NSPI PING after restart gave %d", rc);
    rc = mhc_unbind(n, NULL, &st);
    CHECKF(rc == 0, "Unbind after restart gave %d", rc);
    rc = mhc_disconnect(c, NULL, NULL);
    CHECKF(rc == 0, "Disconnect after restart gave %d", rc);
out:
    mhc_client_free(&c);
    mhc_client_free(&n);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("restarts (wait limit 30 s)", suite_init, suite_cleanup);
    CU_add_test(s, "contexts survive graceful (R1200)",
                test_graceful_keeps_contexts);
    CU_add_test(s, "graceful completes a parked wait (R1372 R1260)",
                test_graceful_completes_wait);
    CU_add_test(s, "context survives kill -9 of the children (R1200)",
                test_kill9_keeps_context);
    CU_add_test(s, "contexts survive restart (R1200)",
                test_restart_keeps_contexts);
    return harness_run_tests();
}
