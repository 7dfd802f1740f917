/*
 * test_notify.c: NotificationWait ([MS-OXCMAPIHTTP] 2.2.4.4, 3.2.5.5):
 * keep-alives on an idle server, completion by an event, by a pending
 * event, or by the time limit, a wait beside an Execute, and many waits
 * holding no worker threads.
 *
 * The instance runs with MapiPendingPeriod 1000 ms and
 * MapiMaxNotificationWait 4 s.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "checks.h"
#include "harness.h"
#include "mh_client.h"

#define PENDING_MS   1000
#define MAX_WAIT_MS  4000
#define N_WAITS      50

static harness H;

static int suite_init(void)
{
    static const char *const env[] = { "MAPI_PENDING_PERIOD=1000",
                                       "MAPI_MAX_NOTIFICATION_WAIT=4", NULL };

    return harness_start(&H, env) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static mhc_client *connected(void)
{
    return harness_connect_demo(harness_client(&H, 0, MHC_AUTH_BASIC));
}

static const char *ctx_of(const mhc_client *c)
{
    const char *v = mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT);

    return v ? v : "";
}

/* A NotificationWait on its own thread; c belongs to it until joined. */
static mhc_bg *start_wait(mhc_client *c, long timeout_ms)
{
    static apr_pool_t *p;
    static mhc_buf body;
    mhc_opts o = { .timeout_ms = timeout_ms };

    if (p == NULL) {
        apr_pool_create(&p, NULL);
        body = mhc_build_notification_wait(p, 0, NULL, 0);
    }
    return mhc_bg_start(c, MHC_EMSMDB, "NotificationWait", body.data,
                        body.len, &o);
}

static int exec_empty(mhc_client *c)
{
    static const uint8_t rop[] = { 0x27, 0, 0, 'I', 'P', 'M', 0 };
    static const uint32_t handles[] = { 0xFFFFFFFF };

    return mhc_execute(c, 0, rop, sizeof(rop), handles, 1, NULL, NULL);
}

/* ---------------------------------------------------------- the tests -- */

/* One client, no other traffic: PENDING every period, EventPending 0 at
 * the time limit.  Runs first so that nothing else wakes the server. */
static void test_idle_wait_keepalives_R1239_R1241_R1259_R1372_R168(void)
{
    mhc_client *c = connected();
    mhc_response r;
    mhc_nwait_rsp nw;
    mhc_opts o = { .timeout_ms = MAX_WAIT_MS + 6000 };
    double done_at = -1, prev;
    long period, elapsed;
    size_t pend;
    int rc;

    if (c == NULL)
        return;
    rc = mhc_notification_wait(c, &o, &r, &nw);
    REQUIREF(rc == 0, "NotificationWait X-ResponseCode %d (%s)", rc, r.error);
    check_common_headers("idle NotificationWait", c, &r, "NotificationWait",
                         0);
    check_success_stream("idle NotificationWait", &r);
    period = header_long(mhc_header_get(&r, "X-PendingPeriod"));
    CHECKF(period == PENDING_MS, "R1242: X-PendingPeriod %ld, configured %d",
           period, PENDING_MS);
    pend = mhc_tag_count(&r, "PENDING");
    CHECKF(pend >= 3, "R1239/R1241: %zu PENDING keep-alives in a %d ms wait "
           "with a %d ms period, expected at least 3", pend, MAX_WAIT_MS,
           PENDING_MS);
    if (r.n_tags)
        done_at = r.tags[r.n_tags - 1].at_ms;
    CHECKF(done_at >= MAX_WAIT_MS - 500 && done_at <= MAX_WAIT_MS + 2000,
           "R1259/R1215: idle wait ended after %.0f ms, limit %d ms", done_at,
           MAX_WAIT_MS);
    /* Keep-alives keep coming: no gap much longer than the period. */
    prev = r.n_tags ? r.tags[0].at_ms : 0;
    CHECKF(prev < 1000, "R1237: PROCESSING after %.0f ms", prev);
    for (size_t i = 1; i < r.n_tags; i++) {
        CHECKF(r.tags[i].at_ms - prev <= 2 * PENDING_MS,
               "R1239/R1213: %.0f ms between meta-tags %zu and %zu (%s), "
               "pending period %d ms", r.tags[i].at_ms - prev, i - 1, i,
               r.tags[i].name, PENDING_MS);
        prev = r.tags[i].at_ms;
    }
    CHECKF(nw.parsed == MHC_PARSE_SUCCESS && nw.status == 0 &&
           nw.event_pending == 0,
           "R1372/R1369: parsed %d StatusCode 0x%X EventPending %u",
           nw.parsed, nw.status, nw.event_pending);
    elapsed = header_long(mhc_trailer_get(&r, "X-ElapsedTime"));
    CHECKF(elapsed >= MAX_WAIT_MS - 1000 && elapsed <= MAX_WAIT_MS + 3000,
           "R168: X-ElapsedTime %ld for a %.0f ms wait: not milliseconds?",
           elapsed, r.total_ms);
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* A posted event completes a parked wait within a second. */
static void test_event_wakes_wait_R1258_R1371_R1261(void)
{
    mhc_client *c = connected();
    mhc_response r = { 0 };
    mhc_nwait_rsp nw;
    mhc_bg *bg;
    double start, posted;
    const char *conn;
    char ctx[64];
    int rc;

    if (c == NULL)
        return;
    snprintf(ctx, sizeof(ctx), "%s", ctx_of(c));
    start = mhc_now_ms();
    bg = start_wait(c, 10000);
    REQUIREF(bg != NULL, "setup: thread");
    CHECKF(mhc_bg_wait_tag(bg, "PROCESSING", 1, 2000) == 0,
           "R1237/R1238: no PROCESSING within 2 s");
    harness_sleep_ms(300);
    CHECKF(!mhc_bg_done(bg), "the wait ended before any event");
    posted = mhc_now_ms();
    CHECKF(harness_post_event(&H, ctx) == 0, "setup: mapi-post-event");
    rc = mhc_bg_join(bg, &r);
    REQUIREF(rc == 0, "NotificationWait X-ResponseCode %d (%s)", rc, r.error);
    CHECKF(start + r.total_ms - posted < 1000,
           "R1258: the wait ended %.0f ms after the event was posted",
           start + r.total_ms - posted);
    check_common_headers("woken NotificationWait", c, &r, "NotificationWait",
                         0);
    check_success_stream("woken NotificationWait", &r);
    mhc_parse_notification_wait(r.body, r.body_len, &nw);
    CHECKF(nw.parsed == MHC_PARSE_SUCCESS && nw.status == 0 &&
           nw.error_code == 0 && nw.event_pending == 1,
           "R1371/R1369: parsed %d StatusCode 0x%X ErrorCode 0x%X "
           "EventPending %u", nw.parsed, nw.status, nw.error_code,
           nw.event_pending);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_CONTEXT, &(mhc_set_cookie){0})
           == 0, "R1261: NotificationWait reply has no Set-Cookie");
    conn = mhc_header_get(&r, "Connection");
    CHECKF(conn && strcasecmp(conn, "close") == 0,
           "NotificationWait reply: Connection '%s', expected close",
           conn ? conn : "(none)");
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* An event already pending: the wait returns at once. */
static void test_event_already_pending_R1371(void)
{
    mhc_client *c = connected();
    mhc_response r;
    mhc_nwait_rsp nw;
    int rc;

    if (c == NULL)
        return;
    CHECKF(harness_post_event(&H, ctx_of(c)) == 0, "setup: mapi-post-event");
    rc = mhc_notification_wait(c, NULL, &r, &nw);
    CHECKF(rc == 0, "NotificationWait X-ResponseCode %d", rc);
    CHECKF(r.total_ms < 1000, "R1258: with an event pending the wait took "
           "%.0f ms", r.total_ms);
    CHECKF(nw.parsed == MHC_PARSE_SUCCESS && nw.event_pending == 1,
           "R1371: EventPending %u (parsed %d)", nw.event_pending, nw.parsed);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* Flags are reserved: the server ignores them (R1368). */
static void test_wait_flags_ignored_R1368(void)
{
    mhc_client *c = connected();
    mhc_response r;
    mhc_nwait_rsp nw;
    apr_pool_t *p;
    mhc_buf b;
    int rc;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    b = mhc_build_notification_wait(p, 0xFFFFFFFFu, NULL, 0);
    CHECKF(harness_post_event(&H, ctx_of(c)) == 0, "setup: mapi-post-event");
    rc = mhc_request(c, MHC_EMSMDB, "NotificationWait", b.data, b.len, NULL,
                     &r);
    CHECKF(rc == 0, "R1368: NotificationWait with Flags 0xFFFFFFFF: %d", rc);
    if (rc == 0) {
        mhc_parse_notification_wait(r.body, r.body_len, &nw);
        CHECKF(nw.event_pending == 1, "R1368: EventPending %u",
               nw.event_pending);
    }
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* Execute collects what was pending: a wait afterwards does not return
 * at once with EventPending 1 (R318).  Bounded: the client gives up after
 * 1.5 s, before the 4 s limit. */
static void test_execute_collects_events_R318(void)
{
    mhc_client *c = connected();
    mhc_response r;
    mhc_opts o = { .timeout_ms = 1500 };
    int rc;

    if (c == NULL)
        return;
    CHECKF(harness_post_event(&H, ctx_of(c)) == 0, "setup: mapi-post-event");
    rc = exec_empty(c);
    CHECKF(rc == 0, "Execute X-ResponseCode %d", rc);
    rc = mhc_notification_wait(c, &o, &r, NULL);
    CHECKF(rc == -2 && mhc_tag_count(&r, "PROCESSING") == 1 &&
           mhc_tag_count(&r, "DONE") == 0,
           "R318: after Execute collected the event, NotificationWait "
           "returned %d after %.0f ms (expected it still waiting at 1.5 s)",
           rc, r.total_ms);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* A NotificationWait may run while an Execute runs in the same context
 * (R1170): Execute and PING beside a parked wait succeed, and the wait
 * still completes on an event. */
static void test_wait_beside_execute_R1170(void)
{
    mhc_client *c = connected(), *w;
    mhc_response r = { 0 };
    mhc_nwait_rsp nw;
    mhc_bg *bg;
    double start, posted;
    char ctx[64];
    int rc;

    if (c == NULL)
        return;
    snprintf(ctx, sizeof(ctx), "%s", ctx_of(c));
    w = mhc_client_clone(c);
    start = mhc_now_ms();
    bg = start_wait(w, 10000);
    REQUIREF(bg != NULL, "setup: thread");
    CHECKF(mhc_bg_wait_tag(bg, "PROCESSING", 1, 2000) == 0,
           "R1238: no PROCESSING within 2 s");
    harness_sleep_ms(200);
    for (int i = 0; i < 3; i++) {
        rc = exec_empty(c);
        CHECKF(rc == 0, "R1170: Execute %d beside a NotificationWait gave %d",
               i, rc);
    }
    rc = mhc_ping(c, MHC_EMSMDB, NULL);
    CHECKF(rc == 0, "PING beside a NotificationWait gave %d", rc);
    CHECKF(!mhc_bg_done(bg), "the wait ended before its event");
    posted = mhc_now_ms();
    CHECKF(harness_post_event(&H, ctx) == 0, "setup: mapi-post-event");
    rc = mhc_bg_join(bg, &r);
    REQUIREF(rc == 0, "NotificationWait X-ResponseCode %d (%s)", rc, r.error);
    CHECKF(start + r.total_ms - posted < 1000,
           "R1258: the wait ended %.0f ms after the event",
           start + r.total_ms - posted);
    mhc_parse_notification_wait(r.body, r.body_len, &nw);
    CHECKF(nw.event_pending == 1, "R1371: EventPending %u", nw.event_pending);
    CHECKF(exec_empty(c) == 0, "Execute after the wait");
out:
    mhc_response_free(&r);
    mhc_client_free(&w);
    mhc_client_free(&c);
}

static long status_field(const char *body, const char *name)
{
    const char *p = body;
    size_t n = strlen(name);

    while (p && *p) {
        if (strncmp(p, name, n) == 0 && p[n] == ':')
            return strtol(p + n + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

/* 50 parked waits hold no worker threads (server-status BusyWorkers), all
 * get their keep-alives, five are woken by events, the rest end at the
 * limit. */
static void test_fifty_waits_no_workers(void)
{
    mhc_client *cs[N_WAITS] = { 0 };
    char ctx[N_WAITS][64];
    mhc_bg *bg[N_WAITS] = { 0 };
    double start = 0, posted[5] = { 0 };
    char *status = NULL;
    long http = 0, busy;
    int n_processing = 0, ok = 1;

    for (int i = 0; i < N_WAITS && ok; i++) {
        cs[i] = connected();
        ok = cs[i] != NULL;
        if (ok)
            snprintf(ctx[i], sizeof(ctx[i]), "%s", ctx_of(cs[i]));
    }
    REQUIREF(ok, "setup: %d Connects", N_WAITS);
    start = mhc_now_ms();
    for (int i = 0; i < N_WAITS; i++)
        bg[i] = start_wait(cs[i], MAX_WAIT_MS + 8000);
    for (int i = 0; i < N_WAITS; i++)
        n_processing += bg[i] && mhc_bg_wait_tag(bg[i], "PROCESSING", 1,
                                                 3000) == 0;
    CHECKF(n_processing == N_WAITS, "R1238: %d of %d waits got PROCESSING",
           n_processing, N_WAITS);
    status = harness_get(&H, "/server-status?auto", &http);
    REQUIREF(status && http == 200, "server-status: HTTP %ld", http);
    busy = status_field(status, "BusyWorkers");
    CHECKF(busy >= 0 && busy <= 3,
           "%d NotificationWaits parked: BusyWorkers %ld, expected <= 3 "
           "(waits must not hold worker threads)", N_WAITS, busy);
    for (int i = 0; i < N_WAITS; i++)
        CHECKF(!mhc_bg_done(bg[i]), "wait %d ended early", i);
    for (int i = 0; i < 5; i++) {
        posted[i] = mhc_now_ms();
        CHECKF(harness_post_event(&H, ctx[i]) == 0, "mapi-post-event %d", i);
    }
out:
    for (int i = 0; i < N_WAITS; i++) {
        mhc_response r;
        mhc_nwait_rsp nw;
        int rc;
        if (bg[i] == NULL)
            continue;
        rc = mhc_bg_join(bg[i], &r);
        CHECKF(rc == 0, "wait %d: X-ResponseCode %d (%s)", i, rc, r.error);
        mhc_parse_notification_wait(r.body, r.body_len, &nw);
        if (rc != 0) {
            ;
        } else if (i < 5 && posted[i] > 0) {
            CHECKF(nw.event_pending == 1 && start + r.total_ms - posted[i]
                   < 1500, "R1258: woken wait %d: EventPending %u, ended "
                   "%.0f ms after its event", i, nw.event_pending,
                   start + r.total_ms - posted[i]);
        } else {
            CHECKF(nw.event_pending == 0, "R1372: wait %d EventPending %u",
                   i, nw.event_pending);
            CHECKF(mhc_tag_count(&r, "PENDING") >= 3,
                   "R1239: wait %d of %d got %zu PENDING in %.0f ms", i,
                   N_WAITS, mhc_tag_count(&r, "PENDING"), r.total_ms);
            CHECKF(r.total_ms <= MAX_WAIT_MS + 3000,
                   "R1259: wait %d ended after %.0f ms", i, r.total_ms);
        }
        mhc_response_free(&r);
    }
    for (int i = 0; i < N_WAITS; i++)
        mhc_client_free(&cs[i]);
    free(status);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("NotificationWait (pending 1 s, wait 4 s)", suite_init,
                     suite_cleanup);
    CU_add_test(s, "idle wait: PENDING keep-alives, EventPending 0 at the "
                   "limit (R1239 R1241 R1259 R1372 R168)",
                test_idle_wait_keepalives_R1239_R1241_R1259_R1372_R168);
    CU_add_test(s, "an event wakes a parked wait (R1258 R1371 R1261)",
                test_event_wakes_wait_R1258_R1371_R1261);
    CU_add_test(s, "an event already pending returns at once (R1371)",
                test_event_already_pending_R1371);
    CU_add_test(s, "Flags ignored (R1368)", test_wait_flags_ignored_R1368);
    CU_add_test(s, "Execute collects pending events (R318)",
                test_execute_collects_events_R318);
    CU_add_test(s, "wait beside Execute and PING (R1170)",
                test_wait_beside_execute_R1170);
    CU_add_test(s, "50 waits hold no worker threads (server-status)",
                test_fifty_waits_no_workers);
    return harness_run_tests();
}
