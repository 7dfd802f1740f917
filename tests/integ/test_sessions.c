/*
 * test_sessions.c: session contexts of [MS-OXCMAPIHTTP] 3.2.5: cookies,
 * the sequence cookie, one request at a time, reconnect, disconnect, idle
 * expiry, PING, and contexts used under another identity.
 *
 * (Named test_sessions, not test_session: tests/unit/test_session.c
 * builds build/tests/test_session.)
 *
 * The instance runs with MapiSessionIdleTimeout 12 and
 * MapiMaxNotificationWait 5 so that expiry is testable with real sleeps.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "checks.h"
#include "harness.h"
#include "mh_client.h"

#define IDLE_TIMEOUT_S  12
#define MAX_WAIT_S      5

static harness H;

static int suite_init(void)
{
    static const char *const env[] = { "MAPI_SESSION_IDLE_TIMEOUT=12",
                                       "MAPI_MAX_NOTIFICATION_WAIT=5", NULL };

    return harness_start(&H, env) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static mhc_client *connected(int who)
{
    mhc_client *c = harness_client(&H, who, MHC_AUTH_BASIC);
    int rc = mhc_connect(c, who ? H_OTHER_DN : H_DEMO_DN, NULL, NULL);

    CHECKF(rc == 0, "setup: Connect gave X-ResponseCode %d", rc);
    if (rc != 0)
        mhc_client_free(&c);
    return c;
}

/* Execute of one RopGetReceiveFolder; what mhc_request() returns. */
static int exec1(mhc_client *c, const mhc_opts *opts, mhc_response *r)
{
    static const uint8_t rop[] = { 0x27, 0, 0, 'I', 'P', 'M', 0 };
    static const uint32_t handles[] = { 0xFFFFFFFF };
    apr_pool_t *p;
    mhc_buf rb;
    mhc_execute_req er = { .flags = 3, .max_rop_out = 0x10008 };
    mhc_buf b;
    int rc;

    apr_pool_create(&p, NULL);
    mhc_build_rop_buffer(p, rop, sizeof(rop), handles, 1, 0, &rb);
    er.rop_buffer = rb.data;
    er.rop_buffer_size = (uint32_t)rb.len;
    b = mhc_build_execute(p, &er);
    rc = mhc_request(c, MHC_EMSMDB, "Execute", b.data, b.len, opts, r);
    apr_pool_destroy(p);
    return rc;
}

static int exec1_rc(mhc_client *c)
{
    mhc_response r;
    int rc = exec1(c, NULL, &r);

    mhc_response_free(&r);
    return rc;
}

static void copy_str(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

/* ---------------------------------------------------------- the tests -- */

static void check_cookie(const char *what, const mhc_response *r,
                         const char *name, const char *path)
{
    mhc_set_cookie sc;

    if (mhc_find_set_cookie(r, name, &sc) != 0) {
        CHECKF(0, "%s: R1221/R1147: no Set-Cookie %s", what, name);
        return;
    }
    CHECKF(is_hex32(sc.value), "%s: R68: %s='%s' is not 32 hex digits", what,
           name, sc.value);
    CHECKF(strcmp(sc.path, path) == 0, "%s: %s path '%s', expected '%s'",
           what, name, sc.path, path);
    CHECKF(sc.secure, "%s: %s lacks the secure attribute", what, name);
    CHECKF(sc.http_only, "%s: %s lacks HttpOnly", what, name);
}

static void test_connect_cookies_R1221_R68_R1147(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_response r;
    int rc = mhc_connect(c, H_DEMO_DN, &r, NULL);

    CHECKF(rc == 0, "Connect X-ResponseCode %d", rc);
    check_cookie("Connect", &r, MHC_COOKIE_CONTEXT, "/mapi/emsmdb/");
    check_cookie("Connect", &r, MHC_COOKIE_SEQUENCE, "/mapi/emsmdb/");
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* Every Execute hands out a new sequence cookie; an old one is refused
 * with 15 ([MS-OXCMAPIHTTP] R1227, R1228, R151). */
static void test_sequence_rotates_R1227_R1228_R151(void)
{
    mhc_client *c = connected(0);
    char ctx[64], seqs[4][64];
    mhc_response r;
    mhc_opts stale = { .cookie = NULL, .flags = MHC_NO_JAR_UPDATE };
    char cookie[600];

    if (c == NULL)
        return;
    copy_str(ctx, sizeof(ctx), mhc_cookie_get(c, MHC_EMSMDB,
                                              MHC_COOKIE_CONTEXT));
    copy_str(seqs[0], sizeof(seqs[0]),
             mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE));
    for (int i = 1; i < 4; i++) {
        mhc_set_cookie sc;
        int rc = exec1(c, NULL, &r);
        CHECKF(rc == 0, "Execute %d X-ResponseCode %d", i, rc);
        CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_SEQUENCE, &sc) == 0,
               "R1227: Execute %d reply has no Set-Cookie %s", i,
               MHC_COOKIE_SEQUENCE);
        copy_str(seqs[i], sizeof(seqs[i]),
                 mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE));
        for (int k = 0; k < i; k++)
            CHECKF(strcmp(seqs[i], seqs[k]) != 0,
                   "R1227: sequence after Execute %d repeats an earlier one "
                   "(%s)", i, seqs[i]);
        CHECKF(strcmp(ctx, mhc_cookie_get(c, MHC_EMSMDB,
                                          MHC_COOKIE_CONTEXT)) == 0,
               "Execute %d changed the context cookie", i);
        mhc_response_free(&r);
    }
    /* Each earlier sequence value is now stale. */
    for (int k = 0; k < 3; k++) {
        snprintf(cookie, sizeof(cookie), "%s=%s; %s=%s", MHC_COOKIE_CONTEXT,
                 ctx, MHC_COOKIE_SEQUENCE, seqs[k]);
        stale.cookie = cookie;
        exec1(c, &stale, &r);
        check_failure("Execute with a stale MapiSequence", c, &r, "Execute",
                      0, MHC_RC_INVALID_SEQUENCE);
        mhc_response_free(&r);
    }
    /* The current one still works. */
    CHECKF(exec1_rc(c) == 0, "R1227: Execute with the current sequence after "
           "the stale ones failed");
    mhc_client_free(&c);
}

/* PING and NotificationWait neither need nor rotate the sequence. */
static void test_ping_and_wait_ignore_sequence_R1248_R1170(void)
{
    mhc_client *c = connected(0);
    char seq[64], cookie[600];
    mhc_opts ctx_only = { .cookie = cookie };
    mhc_response r;
    mhc_nwait_rsp nw;
    mhc_set_cookie sc;
    int rc;

    if (c == NULL)
        return;
    copy_str(seq, sizeof(seq), mhc_cookie_get(c, MHC_EMSMDB,
                                              MHC_COOKIE_SEQUENCE));
    snprintf(cookie, sizeof(cookie), "%s=%s", MHC_COOKIE_CONTEXT,
             mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT));
    rc = mhc_request(c, MHC_EMSMDB, "PING", NULL, 0, &ctx_only, &r);
    CHECKF(rc == 0, "PING with the context cookie only: %d", rc);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_SEQUENCE, &sc) != 0 ||
           strcmp(sc.value, seq) == 0,
           "PING rotated the sequence (%s -> %s)", seq, sc.value);
    mhc_response_free(&r);

    /* An event pending makes the wait return at once. */
    CHECKF(harness_post_event(&H, mhc_cookie_get(c, MHC_EMSMDB,
                                                 MHC_COOKIE_CONTEXT)) == 0,
           "setup: mapi-post-event failed");
    rc = mhc_notification_wait(c, &ctx_only, &r, &nw);
    CHECKF(rc == 0, "NotificationWait with the context cookie only: %d", rc);
    CHECKF(nw.parsed == MHC_PARSE_SUCCESS && nw.event_pending == 1,
           "R1371: NotificationWait EventPending %u (parsed %d)",
           nw.event_pending, nw.parsed);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_SEQUENCE, &sc) != 0 ||
           strcmp(sc.value, seq) == 0,
           "NotificationWait rotated the sequence (%s -> %s)", seq, sc.value);
    mhc_response_free(&r);

    CHECKF(strcmp(seq, mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE))
           == 0, "the jar's sequence changed");
    CHECKF(exec1_rc(c) == 0, "Execute with the sequence from before PING and "
           "NotificationWait failed");
    mhc_client_free(&c);
}

/* Many Executes at once with the same cookies: one at a time per context
 * (R1227); the others get 15 (R1228).  Since all carry the same sequence
 * value, exactly one can succeed. */
#define CONCURRENT 12

typedef struct conc_arg {
    mhc_client *c;
    pthread_barrier_t *barrier;
    int rc;
    mhc_response r;
} conc_arg;

static void *conc_main(void *arg)
{
    conc_arg *a = arg;

    pthread_barrier_wait(a->barrier);
    a->rc = exec1(a->c, NULL, &a->r);
    return NULL;
}

static void test_concurrent_execute_R1227_R1228(void)
{
    mhc_client *c = connected(0);
    conc_arg args[CONCURRENT];
    pthread_t th[CONCURRENT];
    pthread_barrier_t barrier;

    if (c == NULL)
        return;
    for (int round = 0; round < 3; round++) {
        char old_seq[64];
        int ok = 0, seq_err = 0, winner = -1;

        copy_str(old_seq, sizeof(old_seq),
                 mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE));
        pthread_barrier_init(&barrier, NULL, CONCURRENT);
        for (int i = 0; i < CONCURRENT; i++) {
            args[i].c = mhc_client_clone(c);
            args[i].barrier = &barrier;
            /* Open the connection first (PING leaves the sequence alone)
             * so the Executes leave as close together as possible. */
            mhc_ping(args[i].c, MHC_EMSMDB, NULL);
            pthread_create(&th[i], NULL, conc_main, &args[i]);
        }
        for (int i = 0; i < CONCURRENT; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&barrier);
        for (int i = 0; i < CONCURRENT; i++) {
            if (args[i].rc == 0) {
                ok++;
                winner = i;
            } else if (args[i].rc == MHC_RC_INVALID_SEQUENCE) {
                seq_err++;
                check_failure("concurrent Execute", args[i].c, &args[i].r,
                              "Execute", 0, MHC_RC_INVALID_SEQUENCE);
            }
        }
        CHECKF(ok + seq_err == CONCURRENT,
               "R1228: round %d: %d of %d concurrent Executes answered "
               "neither 0 nor 15", round, CONCURRENT - ok - seq_err,
               CONCURRENT);
        CHECKF(ok == 1, "R1227/R1228: round %d: %d concurrent Executes with "
               "the same sequence succeeded, expected exactly 1", round, ok);
        if (winner >= 0)
            memcpy(c->jar, args[winner].c->jar, sizeof(c->jar));
        for (int i = 0; i < CONCURRENT; i++) {
            mhc_response_free(&args[i].r);
            mhc_client_free(&args[i].c);
        }
        if (winner < 0)
            break;
        /* The context is not left busy, and the old value stays stale. */
        {
            char cookie[600];
            mhc_opts stale = { .cookie = cookie, .flags = MHC_NO_JAR_UPDATE };
            mhc_response r;
            snprintf(cookie, sizeof(cookie), "%s=%s; %s=%s",
                     MHC_COOKIE_CONTEXT,
                     mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT),
                     MHC_COOKIE_SEQUENCE, old_seq);
            exec1(c, &stale, &r);
            CHECKF(r.response_code == MHC_RC_INVALID_SEQUENCE,
                   "R1228: round %d: the sequence all had sent gave %d "
                   "afterwards", round, r.response_code);
            mhc_response_free(&r);
        }
        CHECKF(exec1_rc(c) == 0, "R1227: round %d: the winner's sequence "
               "does not work afterwards", round);
    }
    mhc_client_free(&c);
}

/* A Connect carrying the cookies of a live context replaces it
 * (R1277, R1278) whatever the sequence cookie says (R1279, R1329). */
static void test_reconnect_R1277_R1278_R1279_R1329(void)
{
    mhc_client *c = connected(0), *old;
    char ctx1[64], seq1[64], cookie[600];
    mhc_opts o = { .cookie = cookie };
    mhc_connect_req req;
    mhc_response r;
    apr_pool_t *p;
    mhc_buf b;
    int rc;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    mhc_connect_req_init(&req, H_DEMO_DN);
    b = mhc_build_connect(p, &req);
    copy_str(ctx1, sizeof(ctx1), mhc_cookie_get(c, MHC_EMSMDB,
                                                MHC_COOKIE_CONTEXT));
    copy_str(seq1, sizeof(seq1), mhc_cookie_get(c, MHC_EMSMDB,
                                                MHC_COOKIE_SEQUENCE));
    CHECKF(exec1_rc(c) == 0, "setup: Execute");
    old = mhc_client_clone(c);               /* ctx1 with its live sequence */

    /* Reconnect with the old context and a stale sequence (R1279). */
    snprintf(cookie, sizeof(cookie), "%s=%s; %s=%s", MHC_COOKIE_CONTEXT, ctx1,
             MHC_COOKIE_SEQUENCE, seq1);
    rc = mhc_request(c, MHC_EMSMDB, "Connect", b.data, b.len, &o, &r);
    CHECKF(rc == 0, "R1279: reconnect with a stale sequence cookie gave %d",
           rc);
    check_cookie("reconnect", &r, MHC_COOKIE_CONTEXT, "/mapi/emsmdb/");
    check_cookie("reconnect", &r, MHC_COOKIE_SEQUENCE, "/mapi/emsmdb/");
    mhc_response_free(&r);
    CHECKF(strcmp(ctx1, mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT))
           != 0, "R1278: reconnect kept the context cookie %s", ctx1);
    CHECKF(exec1_rc(c) == 0, "R1278: the new context does not work");
    rc = exec1_rc(old);
    CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND,
           "R1277: the replaced context answered %d, expected 10", rc);

    /* Reconnect without the sequence cookie (R1329). */
    {
        char ctx2[64];
        copy_str(ctx2, sizeof(ctx2), mhc_cookie_get(c, MHC_EMSMDB,
                                                    MHC_COOKIE_CONTEXT));
        mhc_client_free(&old);
        old = mhc_client_clone(c);
        snprintf(cookie, sizeof(cookie), "%s=%s", MHC_COOKIE_CONTEXT, ctx2);
        rc = mhc_request(c, MHC_EMSMDB, "Connect", b.data, b.len, &o, &r);
        CHECKF(rc == 0, "R1329: reconnect without a sequence cookie gave %d",
               rc);
        mhc_response_free(&r);
        CHECKF(strcmp(ctx2, mhc_cookie_get(c, MHC_EMSMDB,
                                           MHC_COOKIE_CONTEXT)) != 0,
               "R1278: second reconnect kept the context cookie");
        CHECKF(exec1_rc(c) == 0, "R1278: the third context does not work");
        rc = mhc_ping(old, MHC_EMSMDB, NULL);
        CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND,
               "R1277: PING on the replaced context gave %d, expected 10",
               rc);
    }
    mhc_client_free(&old);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* Disconnect: success body of zeros, Set-Cookie still sent, then every
 * request on the context gets 10. */
static void test_disconnect_R2233_R1255_R1363_R1253(void)
{
    mhc_client *c = connected(0);
    mhc_status_rsp st;
    mhc_response r;
    mhc_nwait_rsp nw;
    mhc_set_cookie sc;
    int rc;

    if (c == NULL)
        return;
    rc = mhc_disconnect(c, &r, &st);
    CHECKF(rc == 0, "R1250: Disconnect X-ResponseCode %d", rc);
    check_common_headers("Disconnect", c, &r, "Disconnect", 0);
    check_success_stream("Disconnect", &r);
    CHECKF(st.status == 0 && st.error_code == 0 && st.aux_size == 0 &&
           r.body_len == 12,
           "R1363/R2234: Disconnect body: %zu bytes, StatusCode 0x%X "
           "ErrorCode 0x%X AuxSize %u", r.body_len, st.status, st.error_code,
           st.aux_size);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_CONTEXT, &sc) == 0,
           "R1255: Disconnect reply has no Set-Cookie");
    mhc_response_free(&r);

    rc = exec1(c, NULL, &r);
    check_failure("Execute after Disconnect", c, &r, "Execute", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    rc = mhc_ping(c, MHC_EMSMDB, &r);
    check_failure("PING after Disconnect", c, &r, "PING", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    rc = mhc_notification_wait(c, NULL, &r, &nw);
    check_failure("NotificationWait after Disconnect", c, &r,
                  "NotificationWait", 0, MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    rc = mhc_disconnect(c, &r, NULL);
    check_failure("second Disconnect", c, &r, "Disconnect", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* A context made by demo, used with other's credentials: 10 for every
 * request type; demo's context is untouched by the attempts. */
static void test_foreign_identity_R1224_R1225(void)
{
    mhc_client *c = connected(0), *o;
    mhc_response r;
    mhc_nwait_rsp nw;

    if (c == NULL)
        return;
    o = harness_client(&H, 1, MHC_AUTH_BASIC);
    memcpy(o->jar, c->jar, sizeof(o->jar));
    exec1(o, NULL, &r);
    check_failure("Execute by other", o, &r, "Execute", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    memcpy(o->jar, c->jar, sizeof(o->jar));
    mhc_ping(o, MHC_EMSMDB, &r);
    check_failure("PING by other", o, &r, "PING", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    mhc_notification_wait(o, NULL, &r, &nw);
    check_failure("NotificationWait by other", o, &r, "NotificationWait", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    memcpy(o->jar, c->jar, sizeof(o->jar));
    mhc_disconnect(o, &r, NULL);
    check_failure("Disconnect by other", o, &r, "Disconnect", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    CHECKF(exec1_rc(c) == 0, "R1224: demo's context no longer works after "
           "other's attempts");
    mhc_client_free(&o);
    mhc_client_free(&c);
}

/* The context does not depend on the TCP connection. */
static void test_context_across_connections(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    int rc;

    c->fresh_connections = 1;
    rc = mhc_connect(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == 0, "Connect %d", rc);
    for (int i = 0; i < 3 && rc == 0; i++)
        CHECKF(exec1_rc(c) == 0, "Execute %d on a new connection failed", i);
    CHECKF(mhc_ping(c, MHC_EMSMDB, NULL) == 0, "PING on a new connection");
    mhc_client_free(&c);
}

/* Idle expiry: a context PINGed every 4 s outlives the 12 s idle timeout
 * (R1248, R1284); one left alone is gone after it (R1283, R1285); one
 * whose NotificationWait (t = 0 to 5 s) ended 10.5 s ago, 15.5 s after it
 * was last otherwise used, lives on: the end of the wait refreshed it
 * (R1260); X-ExpirationInfo tells the truth (R167). */
typedef struct wait_one {
    mhc_client *c;
    int rc;
    unsigned pending;
    double ended;
} wait_one;

static void *wait_one_main(void *arg)
{
    wait_one *w = arg;
    mhc_nwait_rsp nw;
    mhc_opts o = { .timeout_ms = (MAX_WAIT_S + 5) * 1000 };

    w->rc = mhc_notification_wait(w->c, &o, NULL, &nw);
    w->pending = nw.event_pending;
    w->ended = mhc_now_ms();
    return NULL;
}

static void test_idle_expiry_R1283_R1248_R1285_R1260_R167(void)
{
    mhc_client *a = harness_client(&H, 0, MHC_AUTH_BASIC), *b = NULL;
    mhc_client *d = NULL;
    wait_one w = { 0 };
    pthread_t th;
    int started = 0;
    double t0;
    mhc_response r;
    long exp;

    t0 = mhc_now_ms();
    REQUIREF(mhc_connect(a, H_DEMO_DN, &r, NULL) == 0, "setup: Connect");
    exp = header_long(mhc_header_get(&r, "X-ExpirationInfo"));
    CHECKF(exp > 0 && exp <= IDLE_TIMEOUT_S * 1000 &&
           exp >= (IDLE_TIMEOUT_S - 2) * 1000,
           "R167: X-ExpirationInfo %ld ms on Connect, idle timeout %d s",
           exp, IDLE_TIMEOUT_S);
    mhc_response_free(&r);
    b = connected(0);
    d = connected(0);
    w.c = connected(0);
    REQUIREF(b && d && w.c, "setup: Connects");
    REQUIREF(pthread_create(&th, NULL, wait_one_main, &w) == 0,
             "setup: thread");
    started = 1;

    for (int i = 1; i <= 3; i++) {
        harness_sleep_ms((long)(t0 + i * 4000 - mhc_now_ms()));
        mhc_ping(a, MHC_EMSMDB, &r);
        CHECKF(r.response_code == 0, "R1248: PING at t=%d s gave %d", 4 * i,
               r.response_code);
        exp = header_long(mhc_header_get(&r, "X-ExpirationInfo"));
        CHECKF(exp >= (IDLE_TIMEOUT_S - 2) * 1000 &&
               exp <= IDLE_TIMEOUT_S * 1000,
               "R1248/R167: X-ExpirationInfo %ld ms after PING at t=%d s",
               exp, 4 * i);
        mhc_response_free(&r);
        if (i == 2) {
            /* t = 8 s, well inside the timeout: d still lives. */
            int rc = exec1_rc(d);
            CHECKF(rc == 0, "R1284: a context idle for 8 s of 12 gave %d",
                   rc);
        }
    }
    pthread_join(th, NULL);
    started = 0;
    harness_sleep_ms((long)(t0 + 15500 - mhc_now_ms()));
    {
        int rc_a = exec1_rc(a), rc_b = exec1_rc(b), rc_w = exec1_rc(w.c);
        double t = (mhc_now_ms() - t0) / 1000;
        CHECKF(rc_a == 0, "R1248: the PINGed context gave %d at t=%.1f s",
               rc_a, t);
        CHECKF(rc_b == MHC_RC_CONTEXT_NOT_FOUND,
               "R1283/R1285: a context idle for %.1f s (timeout %d s) gave "
               "%d, expected 10", t, IDLE_TIMEOUT_S, rc_b);
        CHECKF(w.rc == 0 && w.pending == 0,
               "NotificationWait: %d, EventPending %u", w.rc, w.pending);
        CHECKF(rc_w == 0, "R1260: %.1f s after its NotificationWait ended "
               "(t=%.1f s) the context gave %d: the end of the wait did not "
               "refresh it", (mhc_now_ms() - w.ended) / 1000, t, rc_w);
    }
out:
    if (started)
        pthread_join(th, NULL);
    mhc_client_free(&a);
    mhc_client_free(&b);
    mhc_client_free(&d);
    mhc_client_free(&w.c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("session contexts (idle 12 s, wait 5 s)", suite_init,
                     suite_cleanup);
    CU_add_test(s, "Connect sets context and sequence cookies "
                   "(R1221 R68 R1147)", test_connect_cookies_R1221_R68_R1147);
    CU_add_test(s, "sequence rotates, stale gives 15 (R1227 R1228 R151)",
                test_sequence_rotates_R1227_R1228_R151);
    CU_add_test(s, "PING and NotificationWait ignore the sequence "
                   "(R1248 R1170)", test_ping_and_wait_ignore_sequence_R1248_R1170);
    CU_add_test(s, "concurrent Executes: one 0, others 15 (R1227 R1228)",
                test_concurrent_execute_R1227_R1228);
    CU_add_test(s, "reconnect replaces the context "
                   "(R1277 R1278 R1279 R1329)",
                test_reconnect_R1277_R1278_R1279_R1329);
    CU_add_test(s, "Disconnect destroys the context "
                   "(R2233 R1255 R1363 R1253)",
                test_disconnect_R2233_R1255_R1363_R1253);
    CU_add_test(s, "context under another identity gives 10 (R1224 R1225)",
                test_foreign_identity_R1224_R1225);
    CU_add_test(s, "context independent of the TCP connection",
                test_context_across_connections);
    CU_add_test(s, "idle expiry, PING, NotificationWait keep-alive "
                   "(R1283 R1248 R1285 R1260 R167)",
                test_idle_expiry_R1283_R1248_R1285_R1260_R167);
    return harness_run_tests();
}
