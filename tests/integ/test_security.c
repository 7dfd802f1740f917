/*
 * test_security.c: session and access security of issue 8, with the
 * instance's two users (demo, other) and a plain-HTTP listener beside the
 * TLS one (MAPI_PLAIN_PORT):
 *
 *   - a context cookie replayed by the other authenticated user, or on
 *     the other endpoint, is refused with Context Not Found
 *     ([MS-OXCMAPIHTTP] R1283) and leaves the owner's session working;
 *   - other can never read or change demo's mailbox or directory entry:
 *     RopLogon to demo's mailbox (ecLoginPerm), demo's folder and message
 *     ids in other's own logon, NSPI ModProps on demo's entry
 *     (AccessDenied), except what demo granted (Reviewer on the Inbox:
 *     reading, not writing);
 *   - context cookies are 128 bits of randomness: distinct across many
 *     Connects, every bit seen both ways, about half of them set;
 *   - TLS is required: a plain request to the virtual directory gets 403
 *     before authentication (MapiRequireTLS On, the default);
 *   - error bodies, the error log and the protocol logs hold no data
 *     directory path, password, credential, cookie or the other user's
 *     data after errors of every kind were provoked.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <apr_base64.h>
#include <apr_strings.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"
#include "wire/mapi_rd.h"

#define EC_LOGIN_PERM     0x000003F2u
#define EC_ACCESS_DENIED  0x80070005u
#define ROP_MODIFY_PERMISSIONS 0x40
#define TAG_MEMBER_RIGHTS 0x66730003u
#define TAG_USER_X509     0x3A701102u
#define REVIEWER          (0x001u | 0x400u)   /* ReadAny | FolderVisible */
#define TAG_SUBJECT       0x0037001Fu

static harness H;
static int plain_port;

/* Everything the server answered while errors were provoked, for the
 * disclosure checks. */
static char *seen;
static size_t seen_len, seen_cap;

static void keep(const void *data, size_t len)
{
    if (seen_len + len + 2 > seen_cap) {
        seen_cap = (seen_len + len + 2) * 2;
        seen = realloc(seen, seen_cap);
    }
    memcpy(seen + seen_len, data, len);
    seen_len += len;
    seen[seen_len++] = '\n';
    seen[seen_len] = '\0';
}

/* Body and headers of a reply. */
static void keep_response(const mhc_response *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        keep(r->headers[i].name, strlen(r->headers[i].name));
        keep(r->headers[i].value, strlen(r->headers[i].value));
    }
    if (r->raw)
        keep(r->raw, r->raw_len);
}

static int suite_init(void)
{
    /* mapi:trace2 traces every protocol row in the error log too: more
     * for the disclosure checks to read. */
    static const char *const env[] = { "MAPI_PLAIN_PORT=auto",
                                       "MAPI_LOGLEVEL=warn mapi:trace2", NULL };
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
    free(seen);
    return harness_stop(&H);
}

static mhc_client *connected(int who)
{
    mhc_client *c = harness_client(&H, who, MHC_AUTH_BASIC);
    mhc_connect_rsp rsp;
    int rc = mhc_connect(c, who ? H_OTHER_DN : H_DEMO_DN, NULL, &rsp);

    CHECKF(rc == 0 && rsp.error_code == 0, "setup: Connect X-ResponseCode %d "
           "ErrorCode 0x%08X", rc, rsp.error_code);
    if (rc != 0 || rsp.error_code != 0)
        mhc_client_free(&c);
    return c;
}

/* Execute of one RopGetReceiveFolder with exactly cookie as the Cookie
 * header; the X-ResponseCode. */
static int exec_with_cookie(mhc_client *c, mhc_endpoint ep,
                            const char *cookie)
{
    static const uint8_t rop[] = { 0x27, 0, 0, 'I', 'P', 'M', 0 };
    static const uint32_t handles[] = { 0xFFFFFFFF };
    mhc_execute_req er = { .flags = 3, .max_rop_out = 0x10008 };
    mhc_opts o = { .cookie = cookie, .flags = MHC_NO_JAR_UPDATE };
    mhc_response r;
    apr_pool_t *p;
    mhc_buf rb, b;
    int rc;

    apr_pool_create(&p, NULL);
    mhc_build_rop_buffer(p, rop, sizeof(rop), handles, 1, 0, &rb);
    er.rop_buffer = rb.data;
    er.rop_buffer_size = (uint32_t)rb.len;
    b = mhc_build_execute(p, &er);
    rc = mhc_request(c, ep, ep == MHC_EMSMDB ? "Execute" : "QueryRows",
                     b.data, b.len, &o, &r);
    keep_response(&r);
    mhc_response_free(&r);
    apr_pool_destroy(p);
    return rc;
}

static const char *cookie_header(mhc_client *c, mhc_endpoint ep,
                                 apr_pool_t *p)
{
    char buf[600];

    return apr_pstrdup(p, mhc_cookie_header(c, ep, buf, sizeof(buf)));
}

/* ------------------------------------------------------------ replay -- */

static void test_cookie_replay(void)
{
    mhc_client *d = connected(0), *o = connected(1);
    apr_pool_t *p;
    const char *dc, *dctx;
    mhc_response r;
    int rc;

    if (!d || !o)
        goto out0;
    apr_pool_create(&p, NULL);
    dc = cookie_header(d, MHC_EMSMDB, p);
    dctx = apr_pstrdup(p, mhc_cookie_get(d, MHC_EMSMDB, MHC_COOKIE_CONTEXT));
    /* other, authenticated, sends demo's cookies. */
    rc = exec_with_cookie(o, MHC_EMSMDB, dc);
    CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND, "R1283: demo's context cookie "
           "replayed by other: X-ResponseCode %d, expected 10", rc);
    {
        mhc_opts op = { .cookie = dc, .flags = MHC_NO_JAR_UPDATE };
        mhc_buf b = mhc_build_disconnect(p, NULL, 0);
        rc = mhc_request(o, MHC_EMSMDB, "Disconnect", b.data, b.len, &op, &r);
        keep_response(&r);
        mhc_response_free(&r);
        CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND, "other's Disconnect with "
               "demo's cookie: X-ResponseCode %d, expected 10", rc);
        rc = mhc_request(o, MHC_EMSMDB, "PING", NULL, 0, &op, &r);
        keep_response(&r);
        mhc_response_free(&r);
        CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND, "other's PING with demo's "
               "cookie: X-ResponseCode %d", rc);
    }
    /* Other's Connect naming demo's context as the one to replace must
     * not end it. */
    {
        mhc_opts op = { .cookie = dc, .flags = MHC_NO_JAR_UPDATE };
        mhc_connect_req cr;
        mhc_buf b;
        mhc_connect_req_init(&cr, H_OTHER_DN);
        b = mhc_build_connect(p, &cr);
        rc = mhc_request(o, MHC_EMSMDB, "Connect", b.data, b.len, &op, &r);
        mhc_response_free(&r);
        CHECKF(rc == 0, "other's Connect with demo's old cookie: %d", rc);
    }
    /* The same cookie on the address book endpoint, even by demo. */
    rc = exec_with_cookie(d, MHC_NSPI, dc);
    CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND, "R1283: demo's mailbox context "
           "on /mapi/nspi/: X-ResponseCode %d, expected 10", rc);
    {
        mhc_opts op = { .cookie = apr_psprintf(p, "MapiContext=%s", dctx),
                        .flags = MHC_NO_JAR_UPDATE };
        rc = mhc_request(o, MHC_NSPI, "PING", NULL, 0, &op, &r);
        keep_response(&r);
        mhc_response_free(&r);
        CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND, "demo's mailbox context on "
               "/mapi/nspi/ by other: X-ResponseCode %d", rc);
    }
    /* demo's session is intact. */
    rc = exec_with_cookie(d, MHC_EMSMDB, dc);
    CHECKF(rc == 0, "demo's own Execute after the replays: %d", rc);
    apr_pool_destroy(p);
out0:
    mhc_client_free(&d);
    mhc_client_free(&o);
}

/* --------------------------------------------------------- mailboxes -- */

typedef struct user {
    mhc_client *c;
    rc_session s;
} user;

static int user_open(user *u, int who)
{
    memset(u, 0, sizeof(*u));
    if ((u->c = connected(who)) == NULL)
        return -1;
    rc_session_init(&u->s, u->c);
    return 0;
}

static void user_close(user *u)
{
    if (u->c)
        rc_session_free(&u->s);
    mhc_client_free(&u->c);
}

/* demo grants other rights on folder (RopModifyPermissions, AddRow by
 * other's address book EntryID). */
static uint32_t grant(user *u, uint32_t folder, uint32_t rights)
{
    static const uint8_t uid[16] = { 0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42,
                                     0x10, 0x1A, 0xB4, 0xB9, 0x08, 0x00,
                                     0x2B, 0x2F, 0xE1, 0x82 };
    size_t n = strlen(H_OTHER_DN) + 1;
    uint8_t *eid = apr_pcalloc(u->s.pool, 28 + n);
    rc_prop v[2];
    rc_exec e;
    rc_head h;
    rc_buf b;
    uint32_t rv = RC_ERR_CLIENT;

    memcpy(eid + 4, uid, 16);
    eid[20] = 1;
    memcpy(eid + 28, H_OTHER_DN, n);
    v[0] = rc_pv_bin(RC_TAG_ENTRY_ID, eid, 28 + n);
    v[1] = rc_pv_i32(TAG_MEMBER_RIGHTS, rights);
    rc_buf_init(&b, u->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_MODIFY_PERMISSIONS);
    rc_u8(&b, u->s.logon_id);
    rc_u8(&b, 0);
    rc_u8(&b, 0);            /* ModifyFlags */
    rc_u16(&b, 1);
    rc_u8(&b, 0x01);         /* AddRow */
    rc_u16(&b, 2);
    rc_tagged(&b, &v[0]);
    rc_tagged(&b, &v[1]);
    b.n_rops++;
    if (rc_execute(u->c, &b, u->s.pool, &e) != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, ROP_MODIFY_PERMISSIONS, &h) == 0)
        rv = h.rv;
    rc_exec_free(&e);
    return rv;
}

static void test_other_mailbox(void)
{
    user a, b, b2;
    uint32_t rv, inbox, h;
    uint64_t mid = 0, a_inbox, a_sent;
    rc_prop subj = rc_pv_str(TAG_SUBJECT, "demo's private mail");

    memset(&b2, 0, sizeof(b2));
    REQUIREF(user_open(&a, 0) == 0 && user_open(&b, 1) == 0, "connects");
    REQUIREF(rc_logon(&a.s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE) == 0,
             "demo's logon: %s", a.s.error);
    a_inbox = a.s.lo.fids[RC_FID_INBOX];
    a_sent = a.s.lo.fids[RC_FID_SENT_ITEMS];
    REQUIREF(rc_create_message(&a.s, a.s.logon, a_inbox, &subj, 1, &mid) == 0,
             "demo's message: %s", a.s.error);
    /* Logon to demo's mailbox without any right. */
    rv = rc_logon(&b.s, H_DEMO_DN, 0);
    CHECKF(rv == EC_LOGIN_PERM, "other's RopLogon to demo's mailbox "
           "without rights: 0x%08X, expected ecLoginPerm", rv);
    /* demo's ids inside other's own logon name nothing of other's. */
    REQUIREF(rc_logon(&b.s, H_OTHER_DN, RC_OPEN_DEFAULT_PRIVATE) == 0,
             "other's own logon: %s", b.s.error);
    rv = rc_open_folder(&b.s, a_inbox, &h);
    CHECKF(rv != 0 || a_inbox == b.s.lo.fids[RC_FID_INBOX],
           "other's logon opened demo's Inbox id 0x%016llX",
           (unsigned long long)a_inbox);
    rv = rc_open_message(&b.s, b.s.logon, a_inbox, mid, 1, &h);
    CHECKF(rv != 0, "other's logon opened demo's message by its ids "
           "(read/write)");
    rv = rc_open_message(&b.s, b.s.logon, b.s.lo.fids[RC_FID_INBOX], mid, 0,
                         &h);
    CHECKF(rv != 0, "other's logon opened demo's message id in its own "
           "Inbox");
    /* Granted: Reviewer on demo's Inbox only. */
    REQUIREF(rc_open_folder(&a.s, a_inbox, &inbox) == 0, "demo's Inbox");
    rv = grant(&a, inbox, REVIEWER);
    REQUIREF(rv == 0, "RopModifyPermissions: 0x%08X", rv);
    REQUIREF(user_open(&b2, 1) == 0, "other's second session");
    rv = rc_logon(&b2.s, H_DEMO_DN, 0);
    REQUIREF(rv == 0, "other's RopLogon to demo's mailbox with Reviewer on "
             "the Inbox: 0x%08X", rv);
    rv = rc_open_message(&b2.s, b2.s.logon, a_inbox, mid, 0, &h);
    CHECKF(rv == 0, "Reviewer reads demo's message: 0x%08X", rv);
    rv = rc_open_message(&b2.s, b2.s.logon, a_inbox, mid, 1, &h);
    CHECKF(rv == EC_ACCESS_DENIED, "Reviewer opens demo's message "
           "read/write: 0x%08X, expected ecAccessDenied", rv);
    rv = rc_create_message(&b2.s, b2.s.logon, a_inbox, &subj, 1, &mid);
    CHECKF(rv != 0, "Reviewer created a message in demo's Inbox");
    rv = rc_open_folder(&b2.s, a_sent, &h);
    CHECKF(rv != 0, "other opened demo's Sent Items without a right there");
out:
    user_close(&a);
    user_close(&b);
    user_close(&b2);
}

/* NSPI: DNToMId, then ModProps of PidTagUserX509Certificate on the MId. */
static uint32_t dn_to_mid(mhc_client *c, apr_pool_t *p, const char *dn)
{
    mhc_response r;
    mapi_wr w;
    mapi_rd rd;
    uint32_t ec = 1, n = 0, mid = 0;
    uint8_t has = 0;

    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_u32(&w, 1);
    mapi_wr_str8(&w, dn);
    mapi_wr_u32(&w, 0);
    if (mhc_request(c, MHC_NSPI, "DNToMId", w.buf, w.len, NULL, &r) == 0) {
        mapi_rd_init(&rd, r.body, r.body_len);
        mapi_rd_skip(&rd, 4);
        mapi_rd_u32(&rd, &ec);
        mapi_rd_u8(&rd, &has);
        mapi_rd_u32(&rd, &n);
        mapi_rd_u32(&rd, &mid);
        if (rd.failed || ec != 0 || n != 1)
            mid = 0;
    }
    mhc_response_free(&r);
    return mid;
}

static uint32_t mod_cert(mhc_client *c, apr_pool_t *p, uint32_t mid)
{
    uint8_t st[MHC_STAT_SIZE];
    mhc_response r;
    mapi_wr w, sw;
    mapi_rd rd;
    uint32_t ec = RC_ERR_CLIENT;

    mhc_stat_default(st);
    mapi_wr_init_fixed(&sw, st + 8, 4);
    mapi_wr_u32(&sw, mid);                       /* CurrentRec */
    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_bytes(&w, st, sizeof(st));
    mapi_wr_u8(&w, 0xFF);                        /* HasPropertyTags */
    mapi_wr_u32(&w, 1);
    mapi_wr_u32(&w, TAG_USER_X509);
    mapi_wr_u8(&w, 0xFF);                        /* HasPropertyValues */
    mapi_wr_u32(&w, 1);
    mapi_wr_u16(&w, 0x1102);
    mapi_wr_u16(&w, 0x3A70);
    mapi_wr_u8(&w, 0xFF);                        /* HasValue */
    mapi_wr_u32(&w, 1);
    mapi_wr_u32(&w, 4);
    mapi_wr_bytes(&w, "cert", 4);
    mapi_wr_u32(&w, 0);
    if (mhc_request(c, MHC_NSPI, "ModProps", w.buf, w.len, NULL, &r) == 0) {
        mapi_rd_init(&rd, r.body, r.body_len);
        mapi_rd_skip(&rd, 4);
        if (mapi_rd_u32(&rd, &ec) != 0)
            ec = RC_ERR_CLIENT;
    }
    keep_response(&r);
    mhc_response_free(&r);
    return ec;
}

static void test_other_directory_entry(void)
{
    mhc_client *o = harness_client(&H, 1, MHC_AUTH_BASIC);
    apr_pool_t *p;
    uint32_t demo, other, ec;

    apr_pool_create(&p, NULL);
    REQUIREF(mhc_bind(o, NULL, NULL) == 0, "other's Bind");
    demo = dn_to_mid(o, p, H_DEMO_DN);
    other = dn_to_mid(o, p, H_OTHER_DN);
    REQUIREF(demo >= 16 && other >= 16, "MIds %u %u", demo, other);
    ec = mod_cert(o, p, demo);
    CHECKF(ec == EC_ACCESS_DENIED, "other's ModProps on demo's entry: "
           "0x%08X, expected AccessDenied", ec);
    ec = mod_cert(o, p, other);
    CHECKF(ec == 0, "other's ModProps on its own entry: 0x%08X", ec);
out:
    mhc_unbind(o, NULL, NULL);
    apr_pool_destroy(p);
    mhc_client_free(&o);
}

/* --------------------------------------------------------- randomness -- */

#define N_COOKIES 64

static void test_cookies_random(void)
{
    char ids[N_COOKIES][40];
    unsigned ones = 0, bit_ones[128] = { 0 };
    int n = 0, dup = 0, bad = 0;

    for (int i = 0; i < N_COOKIES; i++) {
        mhc_client *c = harness_client(&H, i % 2, MHC_AUTH_BASIC);
        const char *v, *seq;
        if (mhc_connect(c, i % 2 ? H_OTHER_DN : H_DEMO_DN, NULL, NULL) == 0 &&
            (v = mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT))) {
            seq = mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE);
            if (strlen(v) != 32 || strspn(v, "0123456789abcdefABCDEF") != 32 ||
                (seq && strcmp(seq, v) == 0))
                bad++;
            snprintf(ids[n++], sizeof(ids[0]), "%s", v);
            mhc_disconnect(c, NULL, NULL);
        }
        mhc_client_free(&c);
    }
    REQUIREF(n == N_COOKIES, "only %d of %d Connects gave a cookie", n,
             N_COOKIES);
    CHECKF(bad == 0, "%d cookies not 32 hex digits (128 bits) or equal to "
           "their sequence cookie", bad);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            dup += strcasecmp(ids[i], ids[j]) == 0;
    CHECKF(dup == 0, "%d repeated context cookies in %d Connects", dup, n);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 32; k++) {
            char hx[2] = { ids[i][k], 0 };
            unsigned v = (unsigned)strtoul(hx, NULL, 16);
            for (int b = 0; b < 4; b++)
                if (v & (1u << b)) {
                    ones++;
                    bit_ones[k * 4 + b]++;
                }
        }
    /* 8192 fair bits: 4096 +- 45 (one sigma); 5 sigma either way. */
    CHECKF(ones > 4096 - 226 && ones < 4096 + 226, "%u of 8192 cookie bits "
           "set: not what 128 random bits per cookie give", ones);
    for (int k = 0; k < 128; k++)
        CHECKF(bit_ones[k] > 0 && bit_ones[k] < (unsigned)n, "cookie bit %d "
               "is the same in all %d cookies", k, n);
out:
    ;
}

/* ---------------------------------------------------------------- TLS -- */

/* A plain HTTP request on the plain port; the reply (status line onward)
 * into buf. */
static int plain_request(const char *req, char *buf, size_t cap)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    size_t got = 0;
    ssize_t n;
    int fd;

    sa.sin_port = htons((uint16_t)plain_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
        close(fd);
        return -1;
    }
    while (got + 1 < cap && (n = recv(fd, buf + got, cap - 1 - got, 0)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    close(fd);
    keep(buf, got);
    return (int)got;
}

static void test_tls_required(void)
{
    char req[1024], reply[8192], cred[256], b64[400];
    static const char *const paths[] = {
        "/mapi/emsmdb/", "/mapi/nspi/", "/autodiscover/autodiscover.xml",
        "/Autodiscover/Autodiscover.xml", "/mapi/emsmdb/?MailboxId=demo@mapi.test",
    };

    REQUIREF(plain_port > 0, "no MAPI_PLAIN_PORT in demo.env");
    snprintf(cred, sizeof(cred), "%s:%s", H.demo_principal, H.demo_password);
    apr_base64_encode(b64, cred, (int)strlen(cred));
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Authorization: Basic %s\r\nContent-Type: "
                 "application/mapi-http\r\nX-RequestType: Connect\r\n"
                 "X-RequestId: {1}:1\r\nContent-Length: 0\r\n"
                 "Connection: close\r\n\r\n", paths[i], b64);
        REQUIREF(plain_request(req, reply, sizeof(reply)) > 0,
                 "plain request to %s: no reply", paths[i]);
        CHECKF(strncmp(reply, "HTTP/1.1 403", 12) == 0, "plain HTTP to %s: "
               "%.40s, expected 403 (MapiRequireTLS)", paths[i], reply);
        CHECKF(strstr(reply, "Set-Cookie") == NULL &&
               strstr(reply, "WWW-Authenticate") == NULL,
               "plain HTTP to %s got cookies or a challenge", paths[i]);
    }
    /* Over TLS the same server answers. */
    {
        mhc_client *c = connected(0);
        CHECKF(c != NULL, "Connect over TLS");
        if (c)
            mhc_disconnect(c, NULL, NULL);
        mhc_client_free(&c);
    }
out:
    ;
}

/* -------------------------------------------------------- disclosure -- */

/* Errors of every kind; their replies are kept. */
static void provoke_errors(void)
{
    static const char *const types[] = { "Execute", "Bogus", "PING",
                                         "Disconnect", "NotificationWait" };
    mhc_client *d = connected(0), *anon;
    mhc_response r;
    apr_pool_t *p;

    apr_pool_create(&p, NULL);
    anon = harness_client(&H, 0, MHC_AUTH_NONE);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        mhc_opts o = { .cookie = "MapiContext=zz; MapiSequence=0" };
        mhc_request(d, MHC_EMSMDB, types[i], "x", 1, &o, &r);
        keep_response(&r);
        mhc_response_free(&r);
        o.cookie = "MapiContext=00000000000000000000000000000000";
        mhc_request(d, MHC_NSPI, types[i], "xyz", 3, &o, &r);
        keep_response(&r);
        mhc_response_free(&r);
        mhc_request(anon, MHC_EMSMDB, types[i], NULL, 0, NULL, &r);
        keep_response(&r);
        mhc_response_free(&r);
    }
    if (d) {
        /* A malformed body in a live context, an oversized one, a 404. */
        mhc_opts o = { .content_type = "text/plain" };
        mhc_opts nf = { .path = "/mapi/nothere/" };
        mhc_request(d, MHC_EMSMDB, "Execute", "\1\2\3", 3, NULL, &r);
        keep_response(&r);
        mhc_response_free(&r);
        mhc_request(d, MHC_EMSMDB, "Execute", "\1\2\3", 3, &o, &r);
        keep_response(&r);
        mhc_response_free(&r);
        mhc_request(d, MHC_EMSMDB, "Execute", NULL, 0, &nf, &r);
        keep_response(&r);
        mhc_response_free(&r);
        mhc_connect(d, H_OTHER_DN, &r, NULL);    /* someone else's DN */
        keep_response(&r);
        mhc_response_free(&r);
        mhc_disconnect(d, NULL, NULL);
    }
    mhc_autodiscover(d ? d : anon, "other@mapi.test", "1", &r);
    keep_response(&r);
    mhc_response_free(&r);
    mhc_client_free(&anon);
    mhc_client_free(&d);
    apr_pool_destroy(p);
}

/* Appends file path (capped) to the text. */
static void read_file_into(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "r");
    char buf[65536];
    size_t n;

    if (f == NULL)
        return;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        *text = realloc(*text, *len + n + 1);
        memcpy(*text + *len, buf, n);
        *len += n;
        (*text)[*len] = '\0';
    }
    fclose(f);
}

static void read_dir_into(const char *dir, char **text, size_t *len)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR)
            read_dir_into(path, text, len);
        else
            read_file_into(path, text, len);
    }
    closedir(d);
}

/* Only mod_mapi's own lines of the error log (httpd's start-up lines
 * name configuration files). */
static char *mapi_lines(const char *text)
{
    size_t n = strlen(text);
    char *out = calloc(1, n + 1), *o = out;
    const char *line = text;

    while (*line) {
        const char *end = strchr(line, '\n');
        size_t l = end ? (size_t)(end - line + 1) : strlen(line);
        if (memmem(line, l, "[mapi:", 6)) {
            memcpy(o, line, l);
            o += l;
        }
        line += l;
    }
    return out;
}

static void check_clean(const char *what, const char *text,
                        const char *const *secrets, int check_dir)
{
    for (const char *const *s = secrets; *s; s++)
        if (**s)
            CHECKF(strstr(text, *s) == NULL, "%s discloses \"%s\"", what, *s);
    if (check_dir)
        CHECKF(strstr(text, H.dir) == NULL && strstr(text, H.admin_db) == NULL,
               "%s names the instance or data directory %s", what,
               H.admin_db);
}

static void test_no_disclosure(void)
{
    mhc_client *d = connected(0), *o = connected(1);
    char cred_d[256], cred_o[256], b64_d[400], b64_o[400];
    char *errlog = NULL, *protologs = NULL, *ours;
    size_t elen = 0, plen = 0;
    const char *dctx = NULL, *dseq = NULL, *octx = NULL;
    const char *secrets[12];
    int n = 0;

    REQUIREF(d && o, "connects");
    dctx = strdup(mhc_cookie_get(d, MHC_EMSMDB, MHC_COOKIE_CONTEXT));
    dseq = strdup(mhc_cookie_get(d, MHC_EMSMDB, MHC_COOKIE_SEQUENCE));
    octx = strdup(mhc_cookie_get(o, MHC_EMSMDB, MHC_COOKIE_CONTEXT));
    /* other replays demo's cookies: the errors it gets must not show
     * them back, nor demo's data. */
    {
        apr_pool_t *p;
        apr_pool_create(&p, NULL);
        exec_with_cookie(o, MHC_EMSMDB, cookie_header(d, MHC_EMSMDB, p));
        apr_pool_destroy(p);
    }
    provoke_errors();
    harness_sleep_ms(500);       /* the last log rows are written */
    snprintf(cred_d, sizeof(cred_d), "%s:%s", H.demo_principal,
             H.demo_password);
    snprintf(cred_o, sizeof(cred_o), "%s:%s", H.other_principal,
             H.other_password);
    apr_base64_encode(b64_d, cred_d, (int)strlen(cred_d));
    apr_base64_encode(b64_o, cred_o, (int)strlen(cred_o));
    secrets[n++] = H.demo_password;
    secrets[n++] = H.other_password;
    secrets[n++] = b64_d;
    secrets[n++] = b64_o;
    secrets[n++] = dctx;
    secrets[n++] = dseq;
    secrets[n++] = octx;
    secrets[n] = NULL;
    check_clean("an error reply", seen ? seen : "", secrets, 1);
    /* The failures kept are demo's about other's address and DN, and
     * other's with demo's cookies: neither user's data may show. */
    {
        const char *const names[] = { "Demo User", "Other User", H_DEMO_DN,
                                      H_OTHER_DN, NULL };
        check_clean("an error reply", seen ? seen : "", names, 0);
    }
    read_file_into(H.error_log, &errlog, &elen);
    REQUIREF(errlog != NULL, "no error log at %s", H.error_log);
    ours = mapi_lines(errlog);
    check_clean("the error log", errlog, secrets, 0);
    check_clean("mod_mapi's error-log lines", ours, secrets, 1);
    free(ours);
    read_dir_into(H.log_dir, &protologs, &plen);
    REQUIREF(protologs != NULL, "no protocol logs under %s", H.log_dir);
    check_clean("the protocol logs", protologs, secrets, 1);
out:
    free(errlog);
    free(protologs);
    free((void *)dctx);
    free((void *)dseq);
    free((void *)octx);
    if (d)
        mhc_disconnect(d, NULL, NULL);
    if (o)
        mhc_disconnect(o, NULL, NULL);
    mhc_client_free(&d);
    mhc_client_free(&o);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("security", suite_init, suite_cleanup);
    CU_add_test(s, "R1283: cookie replayed by another user or on the other "
                "endpoint", test_cookie_replay);
    CU_add_test(s, "another user's mailbox: only what was granted",
                test_other_mailbox);
    CU_add_test(s, "another user's directory entry: ModProps refused",
                test_other_directory_entry);
    CU_add_test(s, "context cookies are 128 random bits", test_cookies_random);
    CU_add_test(s, "MapiRequireTLS: plain HTTP gets 403", test_tls_required);
    CU_add_test(s, "errors and logs disclose no secrets or paths",
                test_no_disclosure);
    return harness_run_tests();
}
