/*
 * test_limits.c: the abuse limits of issue 8, each set low in the
 * instance's configuration (MAPI_EXTRA_CONF) and hit for real: the
 * protocol's answer, one error-log line (MAPI1201) naming the limit and
 * the user, and the other user served meanwhile.
 *
 *   MapiMaxRequestBody 6144        X-ResponseCode 9 (Too Large, R145)
 *   MapiMaxSessionsPerUser 3, MapiMaxSessions 5   Connect ecMaxObjsExceeded,
 *                                  Bind LogonFailed ([MS-OXNSPI] R687)
 *   MapiMaxRopsPerRequest 8        Execute ErrorCode ecRpcFormat, nothing run
 *                                  ([MS-OXCMAPIHTTP] R1357, [MS-OXCRPC] R698)
 *   MapiMaxDecompressedSize 4096   the same, for the LZ77 output
 *   MapiMaxObjectsPerSession 16    the ROP answers ecMaxObjsExceeded
 *   MapiMaxRestrictionDepth 4      RopRestrict ecTooComplex
 *   MapiMaxNspiRows 1              QueryRows answers one row at a time
 *   MapiMaxNotificationWaitsPerUser 2   ecRejected ([MS-OXCRPC] R1343)
 *   RequestReadTimeout header=2 body=2   a client trickling its headers
 *                                  (plain port) or its body (TLS) is cut
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>
#include <curl/curl.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"
#include "wire/mapi_rd.h"

#define EC_RPC_FORMAT        0x000004B6u
#define EC_MAX_OBJS_EXCEEDED 0x000004DEu
#define EC_REJECTED          0x000007EEu
#define EC_TOO_COMPLEX       0x80040117u
#define NSPI_LOGON_FAILED    0x80040111u

static harness H;
static int plain_port;

static int suite_init(void)
{
    static const char *const env[] = {
        "MAPI_SESSION_IDLE_TIMEOUT=12", "MAPI_MAX_NOTIFICATION_WAIT=5",
        "MAPI_PLAIN_PORT=auto", "MAPI_MAX_REQUEST_BODY=6144",
        "MAPI_EXTRA_CONF=MapiMaxSessionsPerUser 3\n"
        "MapiMaxSessions 5\n"
        "MapiMaxRopsPerRequest 8\n"
        "MapiMaxDecompressedSize 4096\n"
        "MapiMaxObjectsPerSession 16\n"
        "MapiMaxRestrictionDepth 4\n"
        "MapiMaxNspiRows 1\n"
        "MapiMaxNotificationWaitsPerUser 2\n"
        "RequestReadTimeout handshake=5 header=2 body=2\n",
        NULL };
    char path[400], line[256];
    FILE *f;

    if (harness_start(&H, env) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/demo.env", H.dir);
    if ((f = fopen(path, "r")) != NULL) {
        while (fgets(line, sizeof(line), f))
            if (strncmp(line, "MAPI_PLAIN_PORT=", 16) == 0)
                plain_port = atoi(line + 16 + (line[16] == '\''));
        fclose(f);
    }
    return 0;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* ------------------------------------------------------------ helpers -- */

/* Lines of the error log holding every needle (NULL-ended). */
static int log_count(const char *const *needles)
{
    FILE *f = fopen(H.error_log, "r");
    char line[4096];
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        int all = 1;
        for (const char *const *k = needles; *k; k++)
            if (strstr(line, *k) == NULL)
                all = 0;
        n += all;
    }
    fclose(f);
    return n;
}

static int limit_lines(const char *directive, const char *user)
{
    const char *const k[] = { "MAPI1201", directive, user, NULL };
    return log_count(k);
}

/* The error log is written by other processes: wait for a line. */
static int wait_limit_line(const char *directive, const char *user, int more)
{
    for (int i = 0; i < 30; i++) {
        if (limit_lines(directive, user) >= more)
            return 1;
        harness_sleep_ms(100);
    }
    return 0;
}

static mhc_client *client(int who)
{
    mhc_client *c = harness_client(&H, who, MHC_AUTH_BASIC);

    c->fresh_connections = 1;      /* spread over the httpd children */
    return c;
}

/* Connect; the Connect response's ErrorCode, or 0xFFFFFFFF when the
 * request itself failed. */
static uint32_t connect_ec(mhc_client *c, int who)
{
    mhc_connect_rsp rsp;
    int rc = mhc_connect(c, who ? H_OTHER_DN : H_DEMO_DN, NULL, &rsp);

    return rc == 0 && rsp.parsed == MHC_PARSE_SUCCESS ? rsp.error_code
                                                      : 0xFFFFFFFFu;
}

static uint32_t bind_ec(mhc_client *c)
{
    mhc_bind_rsp rsp;
    int rc = mhc_bind(c, NULL, &rsp);

    return rc == 0 && rsp.parsed == MHC_PARSE_SUCCESS ? rsp.error_code
                                                      : 0xFFFFFFFFu;
}

static void disconnect(mhc_client **c)
{
    if (*c && mhc_cookie_get(*c, MHC_EMSMDB, MHC_COOKIE_CONTEXT))
        mhc_disconnect(*c, NULL, NULL);
    if (*c && mhc_cookie_get(*c, MHC_NSPI, MHC_COOKIE_CONTEXT))
        mhc_unbind(*c, NULL, NULL);
    mhc_client_free(c);
}

/* ------------------------------------------------------------ sessions -- */

static void test_sessions_per_user_and_total(void)
{
    mhc_client *d[4] = { 0 }, *o[3] = { 0 }, *ob = NULL;
    const char *user = H.demo_principal;
    int before = limit_lines("MapiMaxSessionsPerUser", user);
    uint32_t ec;

    for (int i = 0; i < 3; i++) {
        d[i] = client(0);
        ec = connect_ec(d[i], 0);
        REQUIREF(ec == 0, "demo Connect %d of 3: ErrorCode 0x%08X", i + 1, ec);
    }
    d[3] = client(0);
    ec = connect_ec(d[3], 0);
    CHECKF(ec == EC_MAX_OBJS_EXCEEDED, "demo's 4th Connect over "
           "MapiMaxSessionsPerUser 3: ErrorCode 0x%08X, expected "
           "ecMaxObjsExceeded", ec);
    CHECKF(mhc_cookie_get(d[3], MHC_EMSMDB, MHC_COOKIE_CONTEXT) == NULL,
           "a refused Connect set a context cookie");
    CHECKF(wait_limit_line("MapiMaxSessionsPerUser", user, before + 1),
           "no MAPI1201 line naming MapiMaxSessionsPerUser and %s", user);
    /* The address book counts for the same user. */
    ec = bind_ec(d[3]);
    CHECKF(ec == NSPI_LOGON_FAILED, "demo's Bind over the limit: ErrorCode "
           "0x%08X, expected LogonFailed (R687)", ec);
    /* The other user is not affected: 2 more make 5 in all. */
    for (int i = 0; i < 2; i++) {
        o[i] = client(1);
        ec = connect_ec(o[i], 1);
        CHECKF(ec == 0, "other's Connect %d while demo is at its limit: "
               "ErrorCode 0x%08X", i + 1, ec);
    }
    o[2] = client(1);
    before = limit_lines("MapiMaxSessions ", H.other_principal);
    ec = connect_ec(o[2], 1);
    CHECKF(ec == EC_MAX_OBJS_EXCEEDED, "6th context in all over "
           "MapiMaxSessions 5: ErrorCode 0x%08X", ec);
    CHECKF(wait_limit_line("MapiMaxSessions ", H.other_principal, before + 1),
           "no MAPI1201 line naming MapiMaxSessions and %s",
           H.other_principal);
    /* A Disconnect frees a slot at once. */
    disconnect(&d[0]);
    d[0] = client(0);
    ec = connect_ec(d[0], 0);
    CHECKF(ec == 0, "Connect after a Disconnect freed a slot: ErrorCode "
           "0x%08X", ec);
    /* Reconnecting with the old cookies replaces, does not add. */
    ec = connect_ec(d[1], 0);
    CHECKF(ec == 0, "reconnect (old cookies) at the limit: ErrorCode 0x%08X",
           ec);
    disconnect(&o[0]);
    disconnect(&o[1]);
    ob = client(1);
    ec = bind_ec(ob);
    CHECKF(ec == 0, "other's Bind with room again: ErrorCode 0x%08X", ec);
    disconnect(&ob);
    /* An expired context frees its slot (MapiSessionIdleTimeout 12). */
    harness_sleep_ms(13500);
    ec = connect_ec(d[3], 0);
    CHECKF(ec == 0, "Connect after demo's contexts expired: ErrorCode "
           "0x%08X", ec);
out:
    for (int i = 0; i < 4; i++)
        disconnect(&d[i]);
    for (int i = 0; i < 3; i++)
        disconnect(&o[i]);
}

/* Connects racing in several processes: the count is taken in the
 * creating transaction, so exactly MapiMaxSessionsPerUser win. */
#define RACERS 8

typedef struct racer {
    mhc_client *c;
    uint32_t ec;
} racer;

static void *race_connect(void *arg)
{
    racer *r = arg;

    r->ec = connect_ec(r->c, 0);
    return NULL;
}

static void test_sessions_race(void)
{
    racer r[RACERS];
    pthread_t t[RACERS];
    int won = 0, refused = 0;

    for (int i = 0; i < RACERS; i++)
        r[i].c = client(0);
    for (int i = 0; i < RACERS; i++)
        pthread_create(&t[i], NULL, race_connect, &r[i]);
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
        won += r[i].ec == 0;
        refused += r[i].ec == EC_MAX_OBJS_EXCEEDED;
    }
    CHECKF(won == 3 && refused == RACERS - 3, "%d concurrent Connects of "
           "demo at MapiMaxSessionsPerUser 3: %d succeeded, %d refused",
           RACERS, won, refused);
    for (int i = 0; i < RACERS; i++)
        disconnect(&r[i].c);
}

/* ---------------------------------------------------------- Execute -- */

static mhc_client *connected(int who)
{
    mhc_client *c = client(who);
    uint32_t ec = connect_ec(c, who);

    CHECKF(ec == 0, "setup: Connect ErrorCode 0x%08X", ec);
    if (ec != 0)
        mhc_client_free(&c);
    return c;
}

/* n RopGetReceiveFolder requests on handle 0 (a logon). */
static void receive_folders(rc_buf *b, int n)
{
    for (int i = 0; i < n; i++)
        rc_req_get_receive_folder(b, 0, 0, "IPM");
}

static void test_rops_per_request(void)
{
    mhc_client *c = connected(0);
    apr_pool_t *p;
    rc_session s;
    rc_exec x;
    rc_buf b;
    int before = limit_lines("MapiMaxRopsPerRequest", H.demo_principal);

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    rc_session_init(&s, c);
    REQUIREF(rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE) == 0,
             "logon: %s", s.error);
    rc_buf_init(&b, p);
    rc_buf_handle(&b, 0, s.logon);
    receive_folders(&b, 8);
    rc_execute(c, &b, p, &x);
    CHECKF(x.rc == 0 && x.ex.error_code == 0 && x.ok,
           "8 ROPs at MapiMaxRopsPerRequest 8: X-ResponseCode %d ErrorCode "
           "0x%08X (%s)", x.rc, x.ex.error_code, x.error);
    rc_exec_free(&x);
    rc_buf_init(&b, p);
    rc_buf_handle(&b, 0, s.logon);
    receive_folders(&b, 9);
    rc_execute(c, &b, p, &x);
    CHECKF(x.rc == 0 && x.ex.parsed == MHC_PARSE_SUCCESS &&
           x.ex.error_code == EC_RPC_FORMAT && x.ex.rop_buffer_size == 0,
           "9 ROPs: X-ResponseCode %d ErrorCode 0x%08X RopBufferSize %u, "
           "expected ecRpcFormat and no ROP run (R1357, R698)", x.rc,
           x.ex.error_code, x.ex.rop_buffer_size);
    rc_exec_free(&x);
    CHECKF(wait_limit_line("MapiMaxRopsPerRequest", H.demo_principal,
                           before + 1), "no MAPI1201 line for "
           "MapiMaxRopsPerRequest");
    /* The session goes on. */
    rc_buf_init(&b, p);
    rc_buf_handle(&b, 0, s.logon);
    receive_folders(&b, 1);
    CHECKF(rc_execute(c, &b, p, &x) == 0, "Execute after the refusal: %s",
           x.error);
    rc_exec_free(&x);
out:
    rc_session_free(&s);
    apr_pool_destroy(p);
    disconnect(&c);
}

/* One RopGetPropertiesSpecific asking n times PidTagDisplayName: the
 * payload compresses well. */
static void test_decompressed_size(void)
{
    mhc_client *c = connected(0);
    apr_pool_t *p;
    rc_session s;
    uint32_t *tags;
    mhc_execute_rsp ex;
    mhc_response r;
    rc_buf b;
    int rc, before = limit_lines("MapiMaxDecompressedSize", H.demo_principal);
    const uint16_t n = 1200;              /* 4800 bytes of tags */

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    rc_session_init(&s, c);
    REQUIREF(rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE) == 0,
             "logon: %s", s.error);
    tags = apr_palloc(p, n * sizeof(*tags));
    for (uint16_t i = 0; i < n; i++)
        tags[i] = 0x3001001Fu;
    rc_buf_init(&b, p);
    rc_buf_handle(&b, 0, s.logon);
    rc_req_get_props_specific(&b, 0, 0, 0, 1, tags, n);
    /* Uncompressed, the same ROPs pass: the limit is on LZ77 output. */
    rc = mhc_execute(c, MHC_EXEC_NO_COMPRESSION | MHC_EXEC_NO_XOR_MAGIC,
                     b.wr.buf, b.wr.len, b.handles, b.n_handles, &r, &ex);
    CHECKF(rc == 0 && ex.error_code == 0, "plain 4.8 KB ROP buffer: "
           "X-ResponseCode %d ErrorCode 0x%08X", rc, ex.error_code);
    mhc_response_free(&r);
    rc = mhc_execute(c, 0, b.wr.buf, b.wr.len, b.handles, b.n_handles, &r,
                     &ex);
    CHECKF(rc == 0 && ex.parsed == MHC_PARSE_SUCCESS &&
           ex.error_code == EC_RPC_FORMAT && ex.rop_buffer_size == 0,
           "compressed ROP buffer inflating to 4.8 KB over "
           "MapiMaxDecompressedSize 4096: X-ResponseCode %d ErrorCode 0x%08X",
           rc, ex.error_code);
    mhc_response_free(&r);
    CHECKF(wait_limit_line("MapiMaxDecompressedSize", H.demo_principal,
                           before + 1), "no MAPI1201 line for "
           "MapiMaxDecompressedSize");
out:
    rc_session_free(&s);
    apr_pool_destroy(p);
    disconnect(&c);
}

static void test_objects_per_session(void)
{
    mhc_client *c = connected(0), *o = NULL;
    uint32_t h[32], rv = 0, oh;
    rc_session s, so;
    int opened = 0;
    int before = limit_lines("MapiMaxObjectsPerSession", H.demo_principal);

    memset(&so, 0, sizeof(so));
    if (c == NULL)
        return;
    rc_session_init(&s, c);
    REQUIREF(rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE) == 0,
             "logon: %s", s.error);
    while (opened < 32 &&
           (rv = rc_open_folder(&s, s.lo.fids[RC_FID_INBOX], &h[opened])) == 0)
        opened++;
    /* The logon is one object: 15 folders fit under 16. */
    CHECKF(opened == 15 && rv == EC_MAX_OBJS_EXCEEDED,
           "RopOpenFolder %d times, then ReturnValue 0x%08X; expected 15 and "
           "ecMaxObjsExceeded at MapiMaxObjectsPerSession 16", opened, rv);
    CHECKF(wait_limit_line("MapiMaxObjectsPerSession", H.demo_principal,
                           before + 1), "no MAPI1201 line for "
           "MapiMaxObjectsPerSession");
    /* Another user's session is not affected. */
    o = connected(1);
    REQUIREF(o != NULL, "other's Connect");
    rc_session_init(&so, o);
    REQUIREF(rc_logon(&so, H_OTHER_DN, RC_OPEN_DEFAULT_PRIVATE) == 0,
             "other's logon: %s", so.error);
    rv = rc_open_folder(&so, so.lo.fids[RC_FID_INBOX], &oh);
    CHECKF(rv == 0, "other's RopOpenFolder: 0x%08X", rv);
    /* A release frees a slot. */
    if (opened > 0) {
        rc_release(&s, h[0]);
        rv = rc_open_folder(&s, s.lo.fids[RC_FID_INBOX], &h[0]);
        CHECKF(rv == 0, "RopOpenFolder after a RopRelease: 0x%08X", rv);
    }
out:
    rc_session_free(&s);
    if (so.pool)
        rc_session_free(&so);
    disconnect(&o);
    disconnect(&c);
}

/* RopRestrict with depth levels of Not over an Exist. */
static uint32_t restrict_depth(mhc_client *c, uint32_t table, int depth)
{
    apr_pool_t *p;
    rc_buf b, rb;
    rc_exec x;
    uint8_t id = 0, idx;
    uint32_t rv = RC_ERR_CLIENT;

    apr_pool_create(&p, NULL);
    rc_buf_init(&rb, p);
    for (int i = 1; i < depth; i++)
        rc_restr_not(&rb);
    rc_restr_exist(&rb, 0x0037001Fu);      /* PidTagSubject */
    rc_buf_init(&b, p);
    rc_buf_handle(&b, 0, table);
    rc_req_restrict(&b, 0, 0, 0, rb.wr.buf, (uint16_t)rb.wr.len);
    if (rc_execute(c, &b, p, &x) == 0 && rc_get_u8(&x.resp, &id) == 0 &&
        id == 0x14 && rc_get_u8(&x.resp, &idx) == 0)
        rc_get_u32(&x.resp, &rv);
    rc_exec_free(&x);
    apr_pool_destroy(p);
    return rv;
}

static void test_restriction_depth(void)
{
    mhc_client *c = connected(0);
    uint32_t folder, table, rows, rv;
    rc_session s;
    int before = limit_lines("MapiMaxRestrictionDepth", H.demo_principal);

    if (c == NULL)
        return;
    rc_session_init(&s, c);
    REQUIREF(rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE) == 0,
             "logon: %s", s.error);
    REQUIREF(rc_open_folder(&s, s.lo.fids[RC_FID_INBOX], &folder) == 0,
             "open Inbox: %s", s.error);
    REQUIREF(rc_get_contents_table(&s, folder, 0, &table, &rows) == 0,
             "contents table: %s", s.error);
    rv = restrict_depth(c, table, 4);
    CHECKF(rv == 0, "RopRestrict of depth 4 at MapiMaxRestrictionDepth 4: "
           "0x%08X", rv);
    rv = restrict_depth(c, table, 5);
    CHECKF(rv == EC_TOO_COMPLEX, "RopRestrict of depth 5: 0x%08X, expected "
           "ecTooComplex", rv);
    CHECKF(wait_limit_line("MapiMaxRestrictionDepth", H.demo_principal,
                           before + 1), "no MAPI1201 line for "
           "MapiMaxRestrictionDepth");
    rv = restrict_depth(c, table, 2);
    CHECKF(rv == 0, "RopRestrict after the refusal: 0x%08X", rv);
out:
    rc_session_free(&s);
    disconnect(&c);
}

/* --------------------------------------------------------------- NSPI -- */

static void test_nspi_rows(void)
{
    mhc_client *c = client(0);
    uint8_t st[MHC_STAT_SIZE];
    mhc_response r;
    apr_pool_t *p;
    mapi_wr w;
    mapi_rd rd;
    uint32_t ec = 1, ncol = 0, nrow = 0;
    uint8_t has = 0;
    int rc, before = limit_lines("MapiMaxNspiRows", H.demo_principal);

    REQUIREF(bind_ec(c) == 0, "Bind");
    apr_pool_create(&p, NULL);
    mhc_stat_default(st);
    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_bytes(&w, st, sizeof(st));
    mapi_wr_u32(&w, 0);                       /* ExplicitTableCount */
    mapi_wr_u32(&w, 10);                      /* RowCount */
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_u32(&w, 1);
    mapi_wr_u32(&w, 0x3001001F);
    mapi_wr_u32(&w, 0);
    rc = mhc_request(c, MHC_NSPI, "QueryRows", w.buf, w.len, NULL, &r);
    if (rc == 0 && r.body_len > 60) {
        mapi_rd_init(&rd, r.body, r.body_len);
        mapi_rd_skip(&rd, 4);
        mapi_rd_u32(&rd, &ec);
        mapi_rd_u8(&rd, &has);
        mapi_rd_skip(&rd, MHC_STAT_SIZE);
        mapi_rd_u8(&rd, &has);
        mapi_rd_u32(&rd, &ncol);
        mapi_rd_skip(&rd, 4 * ncol);
        mapi_rd_u32(&rd, &nrow);
    }
    CHECKF(rc == 0 && ec == 0 && nrow == 1, "QueryRows of 10 at "
           "MapiMaxNspiRows 1: X-ResponseCode %d ErrorCode 0x%08X, %u rows",
           rc, ec, nrow);
    mhc_response_free(&r);
    CHECKF(wait_limit_line("MapiMaxNspiRows", H.demo_principal, before + 1),
           "no MAPI1201 line for MapiMaxNspiRows");
    apr_pool_destroy(p);
out:
    disconnect(&c);
}

/* -------------------------------------------------- NotificationWait -- */

static void test_waits_per_user(void)
{
    mhc_client *d[3] = { 0 }, *o = NULL;
    mhc_bg *bg[3] = { 0 }, *obg = NULL;
    mhc_response r;
    mhc_nwait_rsp nw;
    apr_pool_t *p;
    mhc_buf body;
    int rc, before = limit_lines("MapiMaxNotificationWaitsPerUser",
                                 H.demo_principal);

    apr_pool_create(&p, NULL);
    body = mhc_build_notification_wait(p, 0, NULL, 0);
    for (int i = 0; i < 3; i++)
        REQUIREF((d[i] = connected(0)) != NULL, "demo Connect %d", i);
    for (int i = 0; i < 2; i++) {
        bg[i] = mhc_bg_start(d[i], MHC_EMSMDB, "NotificationWait", body.data,
                             body.len, NULL);
        REQUIREF(mhc_bg_wait_tag(bg[i], "PROCESSING", 1, 5000) == 0,
                 "wait %d did not start", i);
    }
    harness_sleep_ms(500);                    /* both registered */
    CHECKF(!mhc_bg_done(bg[0]) && !mhc_bg_done(bg[1]),
           "the first two waits ended early");
    rc = mhc_notification_wait(d[2], NULL, &r, &nw);
    CHECKF(rc == 0 && nw.parsed == MHC_PARSE_SUCCESS &&
           nw.error_code == EC_REJECTED && nw.event_pending == 0 &&
           r.total_ms < 3000,
           "3rd wait at MapiMaxNotificationWaitsPerUser 2: X-ResponseCode %d "
           "ErrorCode 0x%08X after %.0f ms; expected ecRejected at once",
           rc, nw.error_code, r.total_ms);
    mhc_response_free(&r);
    CHECKF(wait_limit_line("MapiMaxNotificationWaitsPerUser",
                           H.demo_principal, before + 1),
           "no MAPI1201 line for MapiMaxNotificationWaitsPerUser");
    /* Another user waits as usual. */
    REQUIREF((o = connected(1)) != NULL, "other's Connect");
    obg = mhc_bg_start(o, MHC_EMSMDB, "NotificationWait", body.data,
                       body.len, NULL);
    REQUIREF(mhc_bg_wait_tag(obg, "PROCESSING", 1, 5000) == 0,
             "other's wait did not start");
    harness_sleep_ms(500);
    CHECKF(!mhc_bg_done(obg), "other's wait was not held");
    /* When a wait ends, its slot is free again. */
    {
        const char *sid = mhc_cookie_get(d[0], MHC_EMSMDB,
                                         MHC_COOKIE_CONTEXT);
        char hex[64];
        snprintf(hex, sizeof(hex), "%s", sid ? sid : "");
        rc = mhc_bg_join(bg[0], &r);   /* MapiMaxNotificationWait 5 s */
        bg[0] = NULL;
        CHECKF(rc == 0, "first wait: X-ResponseCode %d", rc);
        mhc_response_free(&r);
    }
    bg[2] = mhc_bg_start(d[2], MHC_EMSMDB, "NotificationWait", body.data,
                         body.len, NULL);
    REQUIREF(mhc_bg_wait_tag(bg[2], "PROCESSING", 1, 5000) == 0,
             "the re-issued wait did not start");
    harness_sleep_ms(500);
    CHECKF(!mhc_bg_done(bg[2]), "a wait after one ended was refused again");
out:
    for (int i = 0; i < 3; i++)
        if (bg[i])
            mhc_bg_join(bg[i], NULL);
    if (obg)
        mhc_bg_join(obg, NULL);
    for (int i = 0; i < 3; i++)
        disconnect(&d[i]);
    disconnect(&o);
    apr_pool_destroy(p);
}

/* ------------------------------------------------------ request body -- */

/* MapiMaxRequestBody (6144 here): Too Large before the body is read, on
 * Content-Length and while reading a chunked one; logged. */
static void test_request_body(void)
{
    mhc_client *c = client(0);
    static uint8_t big[8192];
    mhc_opts chunked = { .flags = MHC_CHUNKED_UPLOAD };
    mhc_response r;
    int rc, before = limit_lines("MapiMaxRequestBody", H.demo_principal);

    rc = mhc_request(c, MHC_EMSMDB, "Execute", big, sizeof(big), NULL, &r);
    mhc_response_free(&r);
    CHECKF(rc == MHC_RC_TOO_LARGE, "R145: 8 KB body at MapiMaxRequestBody "
           "6144: X-ResponseCode %d, expected 9", rc);
    rc = mhc_request(c, MHC_EMSMDB, "Execute", big, sizeof(big), &chunked,
                     &r);
    mhc_response_free(&r);
    CHECKF(rc == MHC_RC_TOO_LARGE, "8 KB chunked body: X-ResponseCode %d",
           rc);
    CHECKF(wait_limit_line("MapiMaxRequestBody", H.demo_principal,
                           before + 2), "no two MAPI1201 lines for "
           "MapiMaxRequestBody");
    mhc_client_free(&c);
}

/* Three waits of demo started at once on fresh connections (so in any
 * of the children) at MapiMaxNotificationWaitsPerUser 2: exactly one is
 * refused. */
static void test_waits_race(void)
{
    mhc_client *d[3] = { 0 };
    mhc_bg *bg[3] = { 0 };
    apr_pool_t *p;
    mhc_buf body;
    int rejected = 0, held = 0;

    apr_pool_create(&p, NULL);
    body = mhc_build_notification_wait(p, 0, NULL, 0);
    for (int i = 0; i < 3; i++)
        REQUIREF((d[i] = connected(0)) != NULL, "demo Connect %d", i);
    for (int i = 0; i < 3; i++)
        bg[i] = mhc_bg_start(d[i], MHC_EMSMDB, "NotificationWait", body.data,
                             body.len, NULL);
    harness_sleep_ms(1500);
    for (int i = 0; i < 3; i++) {
        if (!mhc_bg_done(bg[i])) {
            held++;
            continue;
        }
        {
            mhc_response r;
            mhc_nwait_rsp nw;
            int rc = mhc_bg_join(bg[i], &r);
            bg[i] = NULL;
            if (rc == 0 && mhc_parse_notification_wait(r.body, r.body_len,
                                                       &nw) ==
                MHC_PARSE_SUCCESS && nw.error_code == EC_REJECTED)
                rejected++;
            mhc_response_free(&r);
        }
    }
    CHECKF(held == 2 && rejected == 1, "3 concurrent waits at "
           "MapiMaxNotificationWaitsPerUser 2: %d held, %d refused with "
           "ecRejected", held, rejected);
out:
    for (int i = 0; i < 3; i++)
        if (bg[i])
            mhc_bg_join(bg[i], NULL);
    for (int i = 0; i < 3; i++)
        disconnect(&d[i]);
    apr_pool_destroy(p);
}

/* Waits held by children killed with -9 leave their registrations
 * behind; they no longer count against the user. */
static void test_waits_of_dead_children(void)
{
    mhc_client *d[3] = { 0 };
    mhc_bg *bg[2] = { 0 };
    pid_t kids[16];
    mhc_response r;
    mhc_nwait_rsp nw;
    apr_pool_t *p;
    mhc_buf body;
    int rc, killed;

    apr_pool_create(&p, NULL);
    body = mhc_build_notification_wait(p, 0, NULL, 0);
    for (int i = 0; i < 3; i++)
        REQUIREF((d[i] = connected(0)) != NULL, "demo Connect %d", i);
    for (int i = 0; i < 2; i++) {
        bg[i] = mhc_bg_start(d[i], MHC_EMSMDB, "NotificationWait", body.data,
                             body.len, NULL);
        REQUIREF(mhc_bg_wait_tag(bg[i], "PROCESSING", 1, 5000) == 0,
                 "wait %d did not start", i);
    }
    harness_sleep_ms(300);
    killed = harness_kill_children(&H);
    REQUIREF(killed > 0, "no httpd child killed");
    for (int i = 0; i < 2; i++) {
        mhc_bg_join(bg[i], NULL);
        bg[i] = NULL;
    }
    /* The parent replaces its children. */
    for (int i = 0; i < 50 && harness_httpd_children(&H, kids, 16) < 1; i++)
        harness_sleep_ms(100);
    harness_sleep_ms(1000);
    /* Two registrations of dead processes are left; a third session's
     * wait must park (5 s) rather than be refused at once. */
    rc = mhc_notification_wait(d[2], NULL, &r, &nw);
    CHECKF(rc == 0 && nw.parsed == MHC_PARSE_SUCCESS && nw.error_code == 0 &&
           r.total_ms > 3000, "a wait beside two that died with their "
           "children (%d killed): X-ResponseCode %d ErrorCode 0x%08X after "
           "%.0f ms", killed, rc, nw.error_code, r.total_ms);
    mhc_response_free(&r);
out:
    for (int i = 0; i < 2; i++)
        if (bg[i])
            mhc_bg_join(bg[i], NULL);
    for (int i = 0; i < 3; i++)
        disconnect(&d[i]);
    apr_pool_destroy(p);
}

/* -------------------------------------------------------- slow client -- */

/* A client that sends its request headers a byte at a time is cut off by
 * RequestReadTimeout header=2 (mod_reqtimeout); a client meanwhile is
 * served. */
static void test_slow_client_cut(void)
{
    static const char req[] = "POST /mapi/emsmdb/ HTTP/1.1\r\n"
                              "Host: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    struct sockaddr_in sa = { .sin_family = AF_INET };
    mhc_client *c = NULL;
    double t0, cut_ms = -1;
    int fd, closed = 0;
    uint32_t ec;

    REQUIREF(plain_port > 0, "no MAPI_PLAIN_PORT in demo.env");
    sa.sin_port = htons((uint16_t)plain_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIREF(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
             "connect to the plain port %d: %s", plain_port, strerror(errno));
    t0 = mhc_now_ms();
    for (size_t i = 0; i < sizeof(req) - 1 && !closed; i++) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (send(fd, req + i, 1, MSG_NOSIGNAL) != 1)
            closed = 1;
        else if (poll(&pfd, 1, 250) == 1)
            closed = 1;                 /* 408 or EOF: the server gave up */
        if (i == 4) {
            /* Others are served while the slow client trickles. */
            c = client(1);
            ec = connect_ec(c, 1);
            CHECKF(ec == 0, "other's Connect beside a slow client: 0x%08X",
                   ec);
        }
    }
    cut_ms = mhc_now_ms() - t0;
    close(fd);
    CHECKF(closed && cut_ms < 6000, "a client trickling its headers was "
           "not cut off (closed %d after %.0f ms; RequestReadTimeout header=2)",
           closed, cut_ms);
out:
    disconnect(&c);
}

/* A body that arrives a byte every 300 ms. */
typedef struct trickle {
    size_t left;
} trickle;

static size_t trickle_read(char *buf, size_t size, size_t n, void *arg)
{
    trickle *t = arg;

    if (t->left == 0 || size * n == 0)
        return 0;
    harness_sleep_ms(300);
    buf[0] = 0;
    t->left--;
    return 1;
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
    (void)p; (void)arg;
    return size * n;
}

/* An authenticated client over TLS that trickles its Connect body (40
 * bytes at 300 ms each: 12 s) is cut off by RequestReadTimeout body=2;
 * the body never reaches a handler. */
static void test_slow_body_cut(void)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *hdr = NULL;
    trickle t = { 40 };
    char url[300], userpwd[300];
    long status = 0;
    double t0, ms;
    CURLcode cc;
    mhc_client *c = NULL;
    uint32_t ec;

    REQUIREF(curl != NULL, "curl");
    snprintf(url, sizeof(url), "%s/mapi/emsmdb/", H.url);
    snprintf(userpwd, sizeof(userpwd), "%s:%s", H.demo_principal,
             H.demo_password);
    hdr = curl_slist_append(hdr, "Content-Type: application/mapi-http");
    hdr = curl_slist_append(hdr, "X-RequestType: Connect");
    hdr = curl_slist_append(hdr, "X-RequestId: {5}:1");
    hdr = curl_slist_append(hdr, "X-ClientInfo: {5}-1");
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_CAINFO, H.ca_cert);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 40L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, trickle_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    t0 = mhc_now_ms();
    cc = curl_easy_perform(curl);
    ms = mhc_now_ms() - t0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    CHECKF(ms < 7000 && t.left > 0, "a body trickled at 300 ms a byte was "
           "not cut off: %.0f ms, %zu of 40 bytes unsent, curl %d, HTTP %ld",
           ms, t.left, (int)cc, status);
    /* Meanwhile and afterwards others are served. */
    c = client(1);
    ec = connect_ec(c, 1);
    CHECKF(ec == 0, "other's Connect after a slow body: 0x%08X", ec);
out:
    if (hdr)
        curl_slist_free_all(hdr);
    if (curl)
        curl_easy_cleanup(curl);
    disconnect(&c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("limits", suite_init, suite_cleanup);
    CU_add_test(s, "MapiMaxSessionsPerUser and MapiMaxSessions",
                test_sessions_per_user_and_total);
    CU_add_test(s, "MapiMaxSessionsPerUser holds for concurrent Connects",
                test_sessions_race);
    CU_add_test(s, "MapiMaxRopsPerRequest", test_rops_per_request);
    CU_add_test(s, "MapiMaxDecompressedSize", test_decompressed_size);
    CU_add_test(s, "MapiMaxObjectsPerSession", test_objects_per_session);
    CU_add_test(s, "MapiMaxRestrictionDepth", test_restriction_depth);
    CU_add_test(s, "MapiMaxNspiRows", test_nspi_rows);
    CU_add_test(s, "MapiMaxNotificationWaitsPerUser", test_waits_per_user);
    CU_add_test(s, "MapiMaxNotificationWaitsPerUser holds for concurrent "
                "waits", test_waits_race);
    CU_add_test(s, "waits of killed children do not count",
                test_waits_of_dead_children);
    CU_add_test(s, "MapiMaxRequestBody", test_request_body);
    CU_add_test(s, "RequestReadTimeout cuts a slow client",
                test_slow_client_cut);
    CU_add_test(s, "RequestReadTimeout cuts a slow body",
                test_slow_body_cut);
    return harness_run_tests();
}
