/*
 * test_transport.c: headers, response framing and X-ResponseCode paths of
 * [MS-OXCMAPIHTTP] against a private server, plus the Execute body and its
 * RopBuffer ([MS-OXCRPC] RPC_HEADER_EXT).  The instance runs with
 * MapiMaxRequestBody 4096 so the Too Large path is cheap to reach.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "checks.h"
#include "harness.h"
#include "mh_client.h"
#include "wire/rpcext.h"

#define MAX_BODY 4096

static harness H;

static int suite_init(void)
{
    static const char *const env[] = { "MAPI_MAX_REQUEST_BODY=4096", NULL };

    return harness_start(&H, env) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* A demo client with a fresh EMSMDB session context, or NULL. */
static mhc_client *connected(void)
{
    return harness_connect_demo(harness_client(&H, 0, MHC_AUTH_BASIC));
}

/* ------------------------------------------------------- ROP requests -- */

#define ROP_RELEASE             0x01
#define ROP_GET_RECEIVE_FOLDER  0x27
#define ROP_LOGON               0xFE
#define EC_UNKNOWN_USER         0x000003EBu
#define EC_WRONG_SERVER         0x00000478u

static size_t rop_get_receive_folder(uint8_t *b, uint8_t in_index,
                                     const char *cls)
{
    size_t n = 0, l = strlen(cls) + 1;

    b[n++] = ROP_GET_RECEIVE_FOLDER;
    b[n++] = 0;                      /* LogonId */
    b[n++] = in_index;               /* InputHandleIndex */
    memcpy(b + n, cls, l);
    return n + l;
}

/* RopLogon, private mailbox, for essdn. */
static size_t rop_logon(uint8_t *b, uint8_t out_index, const char *essdn)
{
    size_t n = 0, l = strlen(essdn) + 1;

    b[n++] = ROP_LOGON;
    b[n++] = 0;                      /* LogonId */
    b[n++] = out_index;              /* OutputHandleIndex */
    b[n++] = 0x01;                   /* LogonFlags: Private */
    b[n++] = 0x00; b[n++] = 0x0C; b[n++] = 0x00; b[n++] = 0x01; /* OpenFlags */
    b[n++] = 0; b[n++] = 0; b[n++] = 0; b[n++] = 0;            /* StoreState */
    b[n++] = (uint8_t)l;
    b[n++] = (uint8_t)(l >> 8);      /* EssdnSize */
    memcpy(b + n, essdn, l);
    return n + l;
}

static size_t rop_release(uint8_t *b, uint8_t in_index)
{
    b[0] = ROP_RELEASE;
    b[1] = 0;
    b[2] = in_index;
    return 3;
}

/* Checks that out holds exactly n ROP error responses (RopId, handle
 * index, ReturnValue != 0: the 6-byte failure form of RopLogon and
 * RopGetReceiveFolder, [MS-OXCROPS] 2.2.3.1.3, 2.2.3.2.3) with the given
 * ids and indexes. */
static void check_error_responses(const char *what, const mhc_rop_out *out,
                                  const uint8_t *ids, const uint8_t *idx,
                                  size_t n)
{
    size_t off = 0;

    CHECKF(out->ok, "%s: rgbOut did not decode (rpcext error %d)", what,
           out->rpcext_error);
    if (!out->ok)
        return;
    CHECKF(out->rops_len == 6 * n,
           "%s: %zu bytes of ROP responses, expected %zu error responses "
           "(%zu bytes)", what, out->rops_len, n, 6 * n);
    for (size_t i = 0; i < n && off + 6 <= out->rops_len; i++, off += 6) {
        const uint8_t *r = out->rops + off;
        uint32_t rv = le32(r + 2);
        CHECKF(r[0] == ids[i], "%s: response %zu RopId 0x%02X, expected "
               "0x%02X", what, i, r[0], ids[i]);
        CHECKF(r[1] == idx[i], "%s: response %zu handle index %u, expected "
               "%u", what, i, r[1], idx[i]);
        CHECKF(rv != 0 && rv != EC_WRONG_SERVER,
               "%s: response %zu ReturnValue 0x%08X, expected an error", what,
               i, rv);
    }
}

/* ---------------------------------------------------------- the tests -- */

/* Connect: every common header, the chunked PROCESSING/DONE stream and the
 * success body. */
static void test_connect_reply_R44_R165_R1238_R1244_R1349_R215_R216(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_response r;
    mhc_connect_rsp cr;
    mhc_set_cookie sc;
    int rc = mhc_connect(c, H_DEMO_DN, &r, &cr);

    REQUIREF(rc == 0, "R2226: Connect X-ResponseCode %d (%s)", rc, r.error);
    check_common_headers("Connect", c, &r, "Connect", 0);
    check_success_stream("Connect", &r);
    REQUIREF(cr.parsed == MHC_PARSE_SUCCESS,
             "R2224: Connect reply body (%zu bytes) is no success body",
             r.body_len);
    CHECKF(cr.status == 0, "R1349: StatusCode 0x%08X", cr.status);
    CHECKF(cr.error_code == 0, "R1350: ErrorCode 0x%08X", cr.error_code);
    CHECKF(strcmp(cr.dn_prefix, H_ORG_DN) == 0,
           "R215: DnPrefix '%s', expected '%s'", cr.dn_prefix, H_ORG_DN);
    CHECKF(strcmp(cr.display_name, "Demo User") == 0,
           "R216: DisplayName '%s', expected 'Demo User'", cr.display_name);
    CHECKF(cr.aux_size == 0 || cr.aux != NULL,
           "R1352: AuxiliaryBufferSize %u", cr.aux_size);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_CONTEXT, &sc) == 0,
           "R1221/R68: no Set-Cookie for the session context");
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* Real clients vary the case of X-RequestType; the server matches it
 * case-insensitively and echoes what was sent. */
static void test_request_type_case_R79_R82_R90(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_connect_req req;
    mhc_response r;
    apr_pool_t *p;
    mhc_buf b;
    int rc;

    apr_pool_create(&p, NULL);
    mhc_connect_req_init(&req, H_DEMO_DN);
    b = mhc_build_connect(p, &req);
    rc = mhc_request(c, MHC_EMSMDB, "connect", b.data, b.len, NULL, &r);
    CHECKF(rc == 0, "R82: X-RequestType 'connect' gave %d", rc);
    check_common_headers("connect", c, &r, "connect", 0);
    mhc_response_free(&r);
    rc = mhc_request(c, MHC_EMSMDB, "PING", NULL, 0, NULL, &r);
    CHECKF(rc == 0, "R90: X-RequestType 'PING' gave %d", rc);
    mhc_response_free(&r);
    rc = mhc_request(c, MHC_EMSMDB, "ping", NULL, 0, NULL, &r);
    CHECKF(rc == 0, "R90: X-RequestType 'ping' gave %d", rc);
    check_common_headers("ping", c, &r, "ping", 0);
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

static void test_invalid_verb_R138_R3(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_opts o = { .verb = "GET" };
    mhc_response r;

    mhc_request(c, MHC_EMSMDB, "Connect", NULL, 0, &o, &r);
    check_failure("GET /mapi/emsmdb/", c, &r, "Connect", 0,
                  MHC_RC_INVALID_VERB);
    mhc_response_free(&r);
    o.verb = "PUT";
    mhc_request(c, MHC_NSPI, "Bind", "x", 1, &o, &r);
    check_failure("PUT /mapi/nspi/", c, &r, "Bind", 0, MHC_RC_INVALID_VERB);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

static void test_invalid_path_R139(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_opts o = { .path = "/mapi/foo/" };
    mhc_response r;

    mhc_request(c, MHC_EMSMDB, "Connect", "x", 1, &o, &r);
    check_failure("POST /mapi/foo/", c, &r, "Connect", 0,
                  MHC_RC_INVALID_PATH);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

static void test_invalid_content_type_R140_R67(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_opts o = { .content_type = "text/plain" };
    mhc_connect_req req;
    mhc_response r;
    apr_pool_t *p;
    mhc_buf b;

    apr_pool_create(&p, NULL);
    mhc_connect_req_init(&req, H_DEMO_DN);
    b = mhc_build_connect(p, &req);
    mhc_request(c, MHC_EMSMDB, "Connect", b.data, b.len, &o, &r);
    check_failure("Content-Type text/plain", c, &r, "Connect", 0,
                  MHC_RC_INVALID_HEADER);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_CONTEXT, &(mhc_set_cookie){0})
           != 0, "R140: a refused Connect created a session context");
    mhc_response_free(&r);

    /* No Content-Type at all: a required header (R38) that is missing is
     * "Missing Header" (R143); "Invalid Header" (R140) is read as
     * acceptable too, since the header is what is wrong.  Never 0. */
    o.content_type = NULL;
    o.flags = MHC_OMIT_CONTENT_TYPE;
    mhc_request(c, MHC_EMSMDB, "Connect", b.data, b.len, &o, &r);
    CHECKF(r.response_code == MHC_RC_MISSING_HEADER ||
           r.response_code == MHC_RC_INVALID_HEADER,
           "R143/R140: no Content-Type gave X-ResponseCode %d, expected 7 "
           "or 4", r.response_code);
    check_common_headers("no Content-Type", c, &r, "Connect", 0);
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

static void test_invalid_request_type_R141(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_response r;

    mhc_request(c, MHC_EMSMDB, "Bogus", "x", 1, NULL, &r);
    check_failure("X-RequestType Bogus", c, &r, "Bogus", 0,
                  MHC_RC_INVALID_REQUEST_TYPE);
    mhc_response_free(&r);
    /* An address book request type is no mailbox request type. */
    mhc_request(c, MHC_EMSMDB, "Bind", "x", 1, NULL, &r);
    check_failure("Bind on /mapi/emsmdb/", c, &r, "Bind", 0,
                  MHC_RC_INVALID_REQUEST_TYPE);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

static void test_missing_headers_R143_R2039_R38(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_opts o = { .flags = MHC_OMIT_REQUEST_TYPE };
    mhc_response r;

    mhc_request(c, MHC_EMSMDB, "Connect", "x", 1, &o, &r);
    check_failure("no X-RequestType", c, &r, NULL, o.flags,
                  MHC_RC_MISSING_HEADER);
    mhc_response_free(&r);
    o.flags = MHC_OMIT_REQUEST_ID;
    mhc_request(c, MHC_EMSMDB, "Connect", "x", 1, &o, &r);
    check_failure("no X-RequestId", c, &r, "Connect", o.flags,
                  MHC_RC_MISSING_HEADER);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

static void test_invalid_context_cookie_R142(void)
{
    static const char *const bad[] = {
        "xyz",
        "0123456789abcdef0123456789abcde",     /* 31 digits */
        "0123456789abcdef0123456789abcdef0",   /* 33 digits */
        "0123456789abcdefghijklmnopqrstuv",    /* 32, not hex */
    };
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    apr_pool_t *p;
    mhc_execute_req er = { .max_rop_out = 0x10008 };
    mhc_buf b;

    apr_pool_create(&p, NULL);
    b = mhc_build_execute(p, &er);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char cookie[200], what[80];
        mhc_opts o = { .cookie = cookie };
        mhc_response r;
        snprintf(cookie, sizeof(cookie),
                 "MapiContext=%s; MapiSequence=00112233445566778899aabbccddeeff",
                 bad[i]);
        snprintf(what, sizeof(what), "Execute, MapiContext=%s", bad[i]);
        mhc_request(c, MHC_EMSMDB, "Execute", b.data, b.len, &o, &r);
        check_failure(what, c, &r, "Execute", 0,
                      MHC_RC_INVALID_CONTEXT_COOKIE);
        mhc_response_free(&r);
    }
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* A body over MapiMaxRequestBody (4096 here) is refused with 9, whether
 * its length is declared or it arrives chunked; 4096 bytes are not. */
static void test_too_large_R145(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_connect_req req;
    uint8_t *big = calloc(1, 8192);
    mhc_opts chunked = { .flags = MHC_CHUNKED_UPLOAD };
    mhc_response r;
    apr_pool_t *p;
    mhc_buf b;

    apr_pool_create(&p, NULL);
    mhc_request(c, MHC_EMSMDB, "Connect", big, 5000, NULL, &r);
    check_failure("Connect of 5000 bytes", c, &r, "Connect", 0,
                  MHC_RC_TOO_LARGE);
    mhc_response_free(&r);
    mhc_request(c, MHC_EMSMDB, "Connect", big, MAX_BODY + 1, NULL, &r);
    check_failure("Connect of 4097 bytes", c, &r, "Connect", 0,
                  MHC_RC_TOO_LARGE);
    mhc_response_free(&r);
    mhc_request(c, MHC_EMSMDB, "Connect", big, 5000, &chunked, &r);
    check_failure("chunked Connect of 5000 bytes", c, &r, "Connect", 0,
                  MHC_RC_TOO_LARGE);
    mhc_response_free(&r);

    /* Exactly the limit: a Connect whose auxiliary buffer fills it up. */
    mhc_connect_req_init(&req, H_DEMO_DN);
    req.aux_len = (uint32_t)(MAX_BODY - (strlen(H_DEMO_DN) + 1) - 20);
    req.aux = big;
    b = mhc_build_connect(p, &req);
    CHECKF(b.len == MAX_BODY, "setup: boundary body is %zu bytes", b.len);
    mhc_request(c, MHC_EMSMDB, "Connect", b.data, b.len, NULL, &r);
    CHECKF(r.response_code != MHC_RC_TOO_LARGE && r.response_code >= 0,
           "R145: a body of exactly MapiMaxRequestBody (%zu bytes) gave "
           "X-ResponseCode %d", b.len, r.response_code);
    mhc_response_free(&r);
    apr_pool_destroy(p);
    free(big);
    mhc_client_free(&c);
}

/* Well-formed cookies that name no context: 10 on every request type
 * that needs one. */
static void test_context_not_found_R146_R1283(void)
{
    static const char *const types[] = { "Execute", "PING",
                                         "NotificationWait", "Disconnect" };
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    apr_pool_t *p;
    mhc_execute_req er = { .max_rop_out = 0x10008 };
    mhc_buf bodies[4];

    apr_pool_create(&p, NULL);
    bodies[0] = mhc_build_execute(p, &er);
    bodies[1] = (mhc_buf){ NULL, 0 };
    bodies[2] = mhc_build_notification_wait(p, 0, NULL, 0);
    bodies[3] = mhc_build_disconnect(p, NULL, 0);
    mhc_cookie_set(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT,
                   "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    mhc_cookie_set(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE,
                   "00112233445566778899aabbccddeeff");
    for (int i = 0; i < 4; i++) {
        mhc_opts o = { .flags = MHC_NO_JAR_UPDATE, .timeout_ms = 10000 };
        mhc_response r;
        char what[64];
        snprintf(what, sizeof(what), "%s with an unknown context", types[i]);
        mhc_request(c, MHC_EMSMDB, types[i], bodies[i].data, bodies[i].len,
                    &o, &r);
        check_failure(what, c, &r, types[i], 0, MHC_RC_CONTEXT_NOT_FOUND);
        mhc_response_free(&r);
    }
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

static void test_missing_cookie_R149(void)
{
    mhc_client *c = connected();
    apr_pool_t *p;
    mhc_execute_req er = { .max_rop_out = 0x10008 };
    mhc_buf b, nw;
    mhc_response r;
    char cookie[600];
    mhc_opts none = { .flags = MHC_OMIT_COOKIES | MHC_NO_JAR_UPDATE };
    mhc_opts ctx_only = { .cookie = cookie, .flags = MHC_NO_JAR_UPDATE };

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    b = mhc_build_execute(p, &er);
    nw = mhc_build_notification_wait(p, 0, NULL, 0);
    mhc_request(c, MHC_EMSMDB, "Execute", b.data, b.len, &none, &r);
    check_failure("Execute without cookies", c, &r, "Execute", 0,
                  MHC_RC_MISSING_COOKIE);
    mhc_response_free(&r);
    mhc_request(c, MHC_EMSMDB, "PING", NULL, 0, &none, &r);
    check_failure("PING without cookies", c, &r, "PING", 0,
                  MHC_RC_MISSING_COOKIE);
    mhc_response_free(&r);
    mhc_request(c, MHC_EMSMDB, "NotificationWait", nw.data, nw.len, &none,
                &r);
    check_failure("NotificationWait without cookies", c, &r,
                  "NotificationWait", 0, MHC_RC_MISSING_COOKIE);
    mhc_response_free(&r);
    /* The context cookie alone: Execute needs the sequence cookie too. */
    snprintf(cookie, sizeof(cookie), "%s=%s", MHC_COOKIE_CONTEXT,
             mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT));
    mhc_request(c, MHC_EMSMDB, "Execute", b.data, b.len, &ctx_only, &r);
    check_failure("Execute without MapiSequence", c, &r, "Execute", 0,
                  MHC_RC_MISSING_COOKIE);
    mhc_response_free(&r);
    /* Nothing above consumed the sequence: the full set still works. */
    mhc_request(c, MHC_EMSMDB, "Execute", b.data, b.len, NULL, &r);
    CHECKF(r.response_code == 0, "R149: Execute with both cookies after the "
           "refusals gave %d", r.response_code);
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* Bodies that do not parse: 12. */
static void test_invalid_request_body_R148(void)
{
    mhc_client *c = connected();
    apr_pool_t *p;
    mhc_connect_req req;
    mhc_execute_req er = { .max_rop_out = 0x10008 };
    mhc_buf conn, b;
    uint8_t rops[64], *mut;
    size_t n;
    mhc_buf rb;
    mhc_response r;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    mhc_connect_req_init(&req, H_DEMO_DN);
    conn = mhc_build_connect(p, &req);

    /* Connect: empty, cut inside the fixed fields, UserDN without NUL. */
    {
        mhc_client *d = harness_client(&H, 0, MHC_AUTH_BASIC);
        size_t cut = strlen(H_DEMO_DN) + 1 + 6;
        mhc_request(d, MHC_EMSMDB, "Connect", NULL, 0, NULL, &r);
        check_failure("empty Connect body", d, &r, "Connect", 0,
                      MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
        mhc_request(d, MHC_EMSMDB, "Connect", conn.data, cut, NULL, &r);
        check_failure("truncated Connect body", d, &r, "Connect", 0,
                      MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
        mhc_request(d, MHC_EMSMDB, "Connect", H_DEMO_DN, strlen(H_DEMO_DN),
                    NULL, &r);
        check_failure("Connect UserDN without NUL", d, &r, "Connect", 0,
                      MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
        /* AuxiliaryBufferSize larger than what follows. */
        mut = apr_pmemdup(p, conn.data, conn.len);
        mut[conn.len - 4] = 0x40;
        mhc_request(d, MHC_EMSMDB, "Connect", mut, conn.len, NULL, &r);
        check_failure("Connect AuxiliaryBufferSize past the end", d, &r,
                      "Connect", 0, MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
        mhc_client_free(&d);
    }

    n = rop_get_receive_folder(rops, 0, "IPM");
    REQUIREF(mhc_build_rop_buffer(p, rops, n, (uint32_t[]){ 0xFFFFFFFF }, 1,
                                  0, &rb) == 0, "setup: ROP buffer");

    /* Execute: RopBufferSize beyond the body. */
    er.rop_buffer = rb.data;
    er.rop_buffer_size = (uint32_t)rb.len;
    b = mhc_build_execute(p, &er);
    mut = apr_pmemdup(p, b.data, b.len);
    mut[4] = (uint8_t)(rb.len + 100);
    mhc_request(c, MHC_EMSMDB, "Execute", mut, b.len, NULL, &r);
    check_failure("Execute RopBufferSize past the body", c, &r, "Execute", 0,
                  MHC_RC_INVALID_REQUEST_BODY);
    mhc_response_free(&r);

    /* Execute: RPC_HEADER_EXT corrupt in four ways. */
    for (int k = 0; k < 4; k++) {
        static const char *const how[] = {
            "Version 1", "Size past the buffer", "unknown Flags bit 0x0008",
            "Compressed flag over data that is no LZ77 stream" };
        uint8_t *rbm = apr_pmemdup(p, rb.data, rb.len);
        char what[96];
        switch (k) {
        case 0: rbm[0] = 1; break;
        case 1: rbm[4] = (uint8_t)(rbm[4] + 9); break;
        case 2: rbm[2] |= 0x08; break;
        case 3:
            rbm[2] |= RPCEXT_COMPRESSED;
            rbm[6] = (uint8_t)(rbm[6] + 40);   /* SizeActual */
            memset(rbm + 8, 0xFF, rb.len - 8);
            break;
        }
        er.rop_buffer = rbm;
        b = mhc_build_execute(p, &er);
        snprintf(what, sizeof(what), "Execute RPC_HEADER_EXT %s", how[k]);
        mhc_request(c, MHC_EMSMDB, "Execute", b.data, b.len, NULL, &r);
        check_failure(what, c, &r, "Execute", 0, MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
    }

    /* Execute cut before MaxRopOut. */
    er.rop_buffer = rb.data;
    b = mhc_build_execute(p, &er);
    mhc_request(c, MHC_EMSMDB, "Execute", b.data, 8 + rb.len + 2, NULL, &r);
    check_failure("Execute cut inside MaxRopOut", c, &r, "Execute", 0,
                  MHC_RC_INVALID_REQUEST_BODY);
    mhc_response_free(&r);

    /* NotificationWait and Disconnect shorter than their fixed fields. */
    mhc_request(c, MHC_EMSMDB, "NotificationWait", "\0\0\0", 3, NULL, &r);
    check_failure("NotificationWait of 3 bytes", c, &r, "NotificationWait", 0,
                  MHC_RC_INVALID_REQUEST_BODY);
    mhc_response_free(&r);
    mhc_request(c, MHC_EMSMDB, "Disconnect", "\0\0", 2, NULL, &r);
    check_failure("Disconnect of 2 bytes", c, &r, "Disconnect", 0,
                  MHC_RC_INVALID_REQUEST_BODY);
    mhc_response_free(&r);

    /* The context survived all of it. */
    mhc_execute(c, 0, rops, n, (uint32_t[]){ 0xFFFFFFFF }, 1, &r, NULL);
    CHECKF(r.response_code == 0, "R148: Execute after the refused bodies "
           "gave %d", r.response_code);
    mhc_response_free(&r);
out:
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* PING: a success stream with no response body. */
static void test_ping_R1460_R1249_R1127(void)
{
    mhc_client *c = connected();
    mhc_response r;
    int rc;

    if (c == NULL)
        return;
    rc = mhc_ping(c, MHC_EMSMDB, &r);
    CHECKF(rc == 0, "R1247: PING X-ResponseCode %d", rc);
    check_common_headers("PING", c, &r, "PING", 0);
    check_success_stream("PING", &r);
    CHECKF(r.complete && r.body_len == 0,
           "R1460/R1249: PING reply has a %zu-byte body", r.body_len);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* Execute: ROP requests the engine cannot serve come back as their error
 * responses, one per request, in order; RopRelease has none; the reply
 * body and RopBuffer framing are right. */
static void test_execute_rop_responses_R226_R1356_R1358_R1360(void)
{
    mhc_client *c = connected();
    uint8_t rops[512];
    size_t n = 0;
    const uint32_t handles[] = { 0xFFFFFFFF, 0xFFFFFFFF };
    const uint8_t ids[] = { ROP_GET_RECEIVE_FOLDER, ROP_LOGON,
                            ROP_GET_RECEIVE_FOLDER };
    const uint8_t idx[] = { 0, 1, 1 };
    mhc_execute_rsp er;
    mhc_response r;
    int rc;

    if (c == NULL)
        return;
    n += rop_get_receive_folder(rops + n, 0, "IPM.Note");
    n += rop_release(rops + n, 0);
    n += rop_logon(rops + n, 1, "/o=Nowhere/ou=Nobody/cn=Recipients/cn=none");
    n += rop_get_receive_folder(rops + n, 1, "IPM");
    rc = mhc_execute(c, MHC_EXEC_NO_COMPRESSION | MHC_EXEC_NO_XOR_MAGIC, rops,
                     n, handles, 2, &r, &er);
    REQUIREF(rc == 0, "R226: Execute X-ResponseCode %d (%s)", rc, r.error);
    check_common_headers("Execute", c, &r, "Execute", 0);
    check_success_stream("Execute", &r);
    REQUIREF(er.parsed == MHC_PARSE_SUCCESS,
             "R250-R256: Execute reply (%zu bytes) is no success body",
             r.body_len);
    CHECKF(er.status == 0, "R1356: StatusCode 0x%08X", er.status);
    CHECKF(er.error_code == 0, "R1357: ErrorCode 0x%08X", er.error_code);
    CHECKF(er.flags == 0, "R1358: Flags 0x%08X", er.flags);
    REQUIREF(er.rop_buffer_size > RPCEXT_HEADER_SIZE,
             "R254: RopBufferSize %u", er.rop_buffer_size);
    /* [MS-OXCRPC]: Version 0, the only block flagged Last; with
     * NoCompression and NoXorMagic neither transformation is applied. */
    CHECKF(le16(er.rop_buffer) == 0, "RPC_HEADER_EXT Version %u",
           le16(er.rop_buffer));
    CHECKF(er.out.first_flags == RPCEXT_LAST,
           "R235: RPC_HEADER_EXT Flags 0x%04X with NoCompression|NoXorMagic, "
           "expected Last only", er.out.first_flags);
    CHECKF(er.out.n_blocks == 1, "%zu RopBuffer blocks", er.out.n_blocks);
    CHECKF(le16(er.rop_buffer + 4) == er.rop_buffer_size - 8 &&
           le16(er.rop_buffer + 6) == er.rop_buffer_size - 8,
           "RPC_HEADER_EXT Size %u SizeActual %u for %u bytes of payload",
           le16(er.rop_buffer + 4), le16(er.rop_buffer + 6),
           er.rop_buffer_size - 8);
    check_error_responses("Execute", &er.out, ids, idx, 3);
    CHECKF(er.out.n_handles == 2,
           "[MS-OXCROPS]: %zu handles in the response table, the request "
           "had 2", er.out.n_handles);
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* Without NoCompression/NoXorMagic the server may compress and XOR its
 * RopBuffer; either way it decodes to the same responses.  A compressed
 * and XORed request is accepted ([MS-OXCRPC] 3.1.4.2.1). */
static void test_execute_compressed_xor_R235(void)
{
    mhc_client *c = connected();
    uint8_t rops[2048];
    size_t n = 0;
    uint8_t ids[40], idx[40];
    const uint32_t handles[] = { 0xFFFFFFFF };
    mhc_execute_rsp er;
    mhc_response r;
    apr_pool_t *p;
    mhc_buf rb;
    int rc;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    for (int i = 0; i < 40; i++) {
        n += rop_get_receive_folder(rops + n, 0, "IPM.Note.Compressible");
        ids[i] = ROP_GET_RECEIVE_FOLDER;
        idx[i] = 0;
    }
    /* The request really is compressed and XORed. */
    REQUIREF(mhc_build_rop_buffer(p, rops, n, handles, 1,
                                  RPCEXT_COMPRESSED | RPCEXT_XORMAGIC,
                                  &rb) == 0, "setup: ROP buffer");
    REQUIREF((le16(rb.data + 2) & (RPCEXT_COMPRESSED | RPCEXT_XORMAGIC)) ==
             (RPCEXT_COMPRESSED | RPCEXT_XORMAGIC),
             "setup: request block flags 0x%04X", le16(rb.data + 2));
    rc = mhc_execute(c, 0, rops, n, handles, 1, &r, &er);
    REQUIREF(rc == 0, "Execute (compressed, XORed) X-ResponseCode %d", rc);
    REQUIREF(er.parsed == MHC_PARSE_SUCCESS, "Execute reply body malformed");
    CHECKF(er.out.first_flags & RPCEXT_LAST, "RPC_HEADER_EXT Flags 0x%04X "
           "without Last", er.out.first_flags);
    check_error_responses("Execute (flags 0)", &er.out, ids, idx, 40);
    mhc_response_free(&r);

    /* NoCompression only: XOR allowed, compression not. */
    rc = mhc_execute(c, MHC_EXEC_NO_COMPRESSION, rops, n, handles, 1, &r, &er);
    REQUIREF(rc == 0, "Execute (NoCompression) X-ResponseCode %d", rc);
    CHECKF(!(er.out.first_flags & RPCEXT_COMPRESSED),
           "R235: RopBuffer compressed (flags 0x%04X) despite NoCompression",
           er.out.first_flags);
    check_error_responses("Execute (NoCompression)", &er.out, ids, idx, 40);
    mhc_response_free(&r);

    /* NoXorMagic only. */
    rc = mhc_execute(c, MHC_EXEC_NO_XOR_MAGIC, rops, n, handles, 1, &r, &er);
    REQUIREF(rc == 0, "Execute (NoXorMagic) X-ResponseCode %d", rc);
    CHECKF(!(er.out.first_flags & RPCEXT_XORMAGIC),
           "R235: RopBuffer XORed (flags 0x%04X) despite NoXorMagic",
           er.out.first_flags);
    check_error_responses("Execute (NoXorMagic)", &er.out, ids, idx, 40);
out:
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* RopRelease alone: no response at all, an empty ROP list. */
static void test_execute_release_only(void)
{
    mhc_client *c = connected();
    uint8_t rops[8];
    size_t n = rop_release(rops, 0);
    mhc_execute_rsp er;
    mhc_response r;
    int rc;

    if (c == NULL)
        return;
    rc = mhc_execute(c, MHC_EXEC_NO_COMPRESSION | MHC_EXEC_NO_XOR_MAGIC, rops,
                     n, (uint32_t[]){ 0x12345678 }, 1, &r, &er);
    REQUIREF(rc == 0 && er.parsed == MHC_PARSE_SUCCESS,
             "Execute(RopRelease) X-ResponseCode %d", rc);
    CHECKF(er.out.ok && er.out.rop_size == 2 && er.out.rops_len == 0,
           "[MS-OXCROPS] RopRelease: RopSize %u, %zu bytes of responses, "
           "expected none", er.out.rop_size, er.out.rops_len);
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
}

/* A UserDN that is not the caller's mailbox: ecUnknownUser in the body,
 * and no session context (no cookies). */
static void test_connect_wrong_user_dn_R1350(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_connect_rsp cr;
    mhc_response r;
    mhc_set_cookie sc;
    int rc = mhc_connect(c, H_OTHER_DN, &r, &cr);

    CHECKF(rc == 0, "Connect(other's DN) X-ResponseCode %d", rc);
    check_common_headers("Connect(other's DN)", c, &r, "Connect", 0);
    CHECKF(cr.parsed == MHC_PARSE_SUCCESS && cr.error_code == EC_UNKNOWN_USER,
           "R1350: Connect(other's DN): parsed %d ErrorCode 0x%08X, expected "
           "ecUnknownUser 0x3EB", cr.parsed, cr.error_code);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_CONTEXT, &sc) != 0,
           "R1219: Connect(other's DN) created a session context (%s)",
           sc.value);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("transport (MapiMaxRequestBody 4096)", suite_init,
                     suite_cleanup);
    CU_add_test(s, "Connect reply: headers, stream, body "
                   "(R44 R165 R1238 R1244 R1349 R215 R216)",
                test_connect_reply_R44_R165_R1238_R1244_R1349_R215_R216);
    CU_add_test(s, "X-RequestType any case (R79 R82 R90)",
                test_request_type_case_R79_R82_R90);
    CU_add_test(s, "2 Invalid Verb (R138 R3)", test_invalid_verb_R138_R3);
    CU_add_test(s, "3 Invalid Path (R139)", test_invalid_path_R139);
    CU_add_test(s, "4 Invalid Header (R140 R67)",
                test_invalid_content_type_R140_R67);
    CU_add_test(s, "5 Invalid Request Type (R141)",
                test_invalid_request_type_R141);
    CU_add_test(s, "6 Invalid Context Cookie (R142)",
                test_invalid_context_cookie_R142);
    CU_add_test(s, "7 Missing Header (R143 R2039 R38)",
                test_missing_headers_R143_R2039_R38);
    CU_add_test(s, "9 Too Large (R145)", test_too_large_R145);
    CU_add_test(s, "10 Context Not Found (R146 R1283)",
                test_context_not_found_R146_R1283);
    CU_add_test(s, "12 Invalid Request Body (R148)",
                test_invalid_request_body_R148);
    CU_add_test(s, "13 Missing Cookie (R149)", test_missing_cookie_R149);
    CU_add_test(s, "PING has no body (R1460 R1249 R1127)",
                test_ping_R1460_R1249_R1127);
    CU_add_test(s, "Execute ROP error responses (R226 R1356 R1358 R1360)",
                test_execute_rop_responses_R226_R1356_R1358_R1360);
    CU_add_test(s, "Execute compression/XOR both ways (R235)",
                test_execute_compressed_xor_R235);
    CU_add_test(s, "Execute RopRelease has no response",
                test_execute_release_only);
    CU_add_test(s, "Connect with another's UserDN (R1350)",
                test_connect_wrong_user_dn_R1350);
    return harness_run_tests();
}
