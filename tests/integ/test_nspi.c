/*
 * test_nspi.c: the address book server endpoint /mapi/nspi/
 * ([MS-OXCMAPIHTTP] 2.2.5): Bind, Unbind, PING, and the sixteen directory
 * request types: each recognised, each checking context and sequence,
 * each answering with a body of the right shape.
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
#include "wire/mapi_rd.h"

static harness H;

/* A third mailbox whose display name shares a word with Demo User, so
 * that "dem" is an ambiguous name. */
static int suite_init(void)
{
    static const char *const third[] = {
        "new-mailbox", "-Name", "third", "-DisplayName", "Third Demo",
        "-PrimarySmtpAddress", "third@mapi.test", "-UserPrincipalName",
        "third@MAPI.TEST", NULL };

    if (harness_start(&H, NULL) != 0)
        return -1;
    return harness_admin(&H, NULL, 0, third) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static mhc_client *bound(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    int rc = mhc_bind(c, NULL, NULL);

    CHECKF(rc == 0, "setup: Bind gave X-ResponseCode %d", rc);
    if (rc != 0)
        mhc_client_free(&c);
    return c;
}

/* ------------------------------------------------- request bodies -- */

/* The directory request types, with the requirement ids of their
 * X-RequestType value and of "StatusCode MUST be 0" in their success and
 * failure response bodies. */
typedef struct nspi_type {
    const char *name;
    const char *r_type;        /* 2.2.3.3.1 */
    const char *r_status;      /* success / failure body StatusCode */
    size_t empty_len;          /* success body with every optional part
                                  absent: StatusCode, ErrorCode, the fixed
                                  fields, Has* bytes FALSE, AuxSize 0 */
    uint32_t ec;               /* ErrorCode of the minimal body below */
} nspi_type;

static const nspi_type types[] = {
    { "CompareMIds", "R96", "R1290/R2116", 16, 0x8004010F },
    { "DNToMId", "R98", "R1287/R2124", 13, 0 },
    { "GetMatches", "R100", "R525/R2131", 15, 0x80004005 },
    { "GetPropList", "R101", "R580/R2137", 13, 0x80070057 },
    { "GetProps", "R102", "R620/R2143", 17, 0x8004011E },
    { "GetSpecialTable", "R103", "R665/R2149", 18, 0 },
    { "GetTemplateInfo", "R104", "R714/R2155", 17, 0x8004011F },
    { "ModLinkAtt", "R105", "R758/R2161", 12, 0x80070057 },
    { "ModProps", "R106", "R797/R2167", 12, 0x80070057 },
    { "QueryColumns", "R107", "R886/R2179", 13, 0 },
    { "QueryRows", "R108", "R844/R2173", 14, 0 },
    { "ResolveNames", "R109", "R935/R2190", 18, 0 },
    { "ResortRestriction", "R110", "R994/R2196", 14, 0 },
    { "SeekEntries", "R111", "R1039/R2202", 14, 0x80004005 },
    { "UpdateStat", "R112", "R1075/R2208", 14, 0 },
    { "GetMailboxUrl", "R113", "R1100/R2214", 14, 0 },
    { "GetAddressBookUrl", "R114", "R1118/R2220", 14, 0 },
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

static void wr_state(mapi_wr *wr)
{
    uint8_t stat[MHC_STAT_SIZE];

    mhc_stat_default(stat);
    mapi_wr_u8(wr, 0xFF);                        /* HasState */
    mapi_wr_bytes(wr, stat, sizeof(stat));
}

/* A minimal well-formed request body of type name (field orders of
 * [MS-OXCMAPIHTTP] 2.2.5.3.1 to 2.2.5.19.1). */
static mhc_buf nspi_body(apr_pool_t *p, const char *name)
{
    mapi_wr wr;

    mapi_wr_init(&wr, p, 4096);
    if (strcmp(name, "CompareMIds") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        wr_state(&wr);
        mapi_wr_u32(&wr, 0);                     /* MinimalId1 */
        mapi_wr_u32(&wr, 0);                     /* MinimalId2 */
    } else if (strcmp(name, "DNToMId") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        mapi_wr_u8(&wr, 0xFF);                   /* HasNames */
        mapi_wr_u32(&wr, 1);                     /* StringArray count */
        mapi_wr_str8(&wr, H_DEMO_DN);
    } else if (strcmp(name, "GetMatches") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        wr_state(&wr);
        mapi_wr_u8(&wr, 0);                      /* HasMinimalIds */
        mapi_wr_u32(&wr, 0);                     /* InterfaceOptionFlags */
        mapi_wr_u8(&wr, 0);                      /* HasFilter */
        mapi_wr_u8(&wr, 0);                      /* HasPropertyName */
        mapi_wr_u32(&wr, 10);                    /* RowCount */
        mapi_wr_u8(&wr, 0);                      /* HasColumns */
    } else if (strcmp(name, "GetPropList") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Flags */
        mapi_wr_u32(&wr, 0);                     /* MinimalId */
        mapi_wr_u32(&wr, 1252);                  /* CodePage */
    } else if (strcmp(name, "GetProps") == 0) {
        uint8_t stat[MHC_STAT_SIZE];
        mapi_wr_u32(&wr, 0);                     /* Flags */
        /* Code page 4711: InvalidCodepage, no row (an unknown object
         * would give ErrorsReturned with a row, R907). */
        mhc_stat_default(stat);
        stat[24] = 4711 & 0xFF;
        stat[25] = 4711 >> 8;
        mapi_wr_u8(&wr, 0xFF);
        mapi_wr_bytes(&wr, stat, sizeof(stat));
        mapi_wr_u8(&wr, 0);                      /* HasPropertyTags */
    } else if (strcmp(name, "GetSpecialTable") == 0) {
        mapi_wr_u32(&wr, 0x4);                   /* Flags: Unicode */
        wr_state(&wr);
        mapi_wr_u8(&wr, 0);                      /* HasVersion */
    } else if (strcmp(name, "GetTemplateInfo") == 0) {
        mapi_wr_u32(&wr, 0x1);                   /* Flags: TI_TEMPLATE */
        /* DT_CONTAINER: no template, so every optional part absent
         * (the templates themselves: test_ported_oxnspi.c). */
        mapi_wr_u32(&wr, 0x100);                 /* DisplayType */
        mapi_wr_u8(&wr, 0);                      /* HasTemplateDn */
        mapi_wr_u32(&wr, 1252);                  /* CodePage */
        mapi_wr_u32(&wr, 1033);                  /* LocaleId */
    } else if (strcmp(name, "ModLinkAtt") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Flags */
        mapi_wr_u32(&wr, 0x8009101Eu);           /* PropertyTag */
        mapi_wr_u32(&wr, 0);                     /* MinimalId */
        mapi_wr_u8(&wr, 0);                      /* HasEntryIds */
    } else if (strcmp(name, "ModProps") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        wr_state(&wr);
        mapi_wr_u8(&wr, 0);                      /* HasPropertyTags */
        mapi_wr_u8(&wr, 0);                      /* HasPropertyValues */
    } else if (strcmp(name, "QueryColumns") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        mapi_wr_u32(&wr, 0);                     /* MapiFlags */
    } else if (strcmp(name, "QueryRows") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Flags */
        wr_state(&wr);
        mapi_wr_u32(&wr, 0);                     /* ExplicitTableCount */
        mapi_wr_u32(&wr, 10);                    /* RowCount */
        mapi_wr_u8(&wr, 0);                      /* HasColumns */
    } else if (strcmp(name, "ResolveNames") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        wr_state(&wr);
        mapi_wr_u8(&wr, 0);                      /* HasPropertyTags */
        mapi_wr_u8(&wr, 0xFF);                   /* HasNames */
        mapi_wr_u32(&wr, 1);                     /* NameCount */
        mapi_wr_str16(&wr, "demo");
    } else if (strcmp(name, "ResortRestriction") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        wr_state(&wr);
        mapi_wr_u8(&wr, 0);                      /* HasMinimalIds */
    } else if (strcmp(name, "SeekEntries") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        wr_state(&wr);
        mapi_wr_u8(&wr, 0);                      /* HasTarget */
        mapi_wr_u8(&wr, 0);                      /* HasExplicitTable */
        mapi_wr_u8(&wr, 0);                      /* HasColumns */
    } else if (strcmp(name, "UpdateStat") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Reserved */
        wr_state(&wr);
        mapi_wr_u8(&wr, 0);                      /* DeltaRequested */
    } else if (strcmp(name, "GetMailboxUrl") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Flags */
        mapi_wr_str16(&wr, H_ORG_DN "/cn=Configuration/cn=Servers/cn=mail");
    } else if (strcmp(name, "GetAddressBookUrl") == 0) {
        mapi_wr_u32(&wr, 0);                     /* Flags */
        mapi_wr_str16(&wr, H_DEMO_DN);
    }
    mapi_wr_u32(&wr, 0);                         /* AuxiliaryBufferSize */
    return (mhc_buf){ wr.buf, wr.len };
}

/* ---------------------------------------------------------- the tests -- */

static void test_bind_R347_R349_R350_R1221(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_response r;
    mhc_bind_rsp b, b2;
    mhc_set_cookie sc;
    static const uint8_t zero[16];
    uint8_t stat[MHC_STAT_SIZE];
    apr_pool_t *p;
    mhc_buf body;
    int rc;

    apr_pool_create(&p, NULL);
    rc = mhc_bind(c, &r, &b);
    REQUIREF(rc == 0, "R1446: Bind X-ResponseCode %d (%s)", rc, r.error);
    check_common_headers("Bind", c, &r, "Bind", 0);
    check_success_stream("Bind", &r);
    CHECKF(b.parsed == MHC_PARSE_SUCCESS, "R1441: Bind body (%zu bytes) is "
           "not StatusCode, ErrorCode, ServerGuid, AuxSize, aux", r.body_len);
    CHECKF(b.status == 0, "R347: StatusCode 0x%08X", b.status);
    CHECKF(b.error_code == 0, "R1377: ErrorCode 0x%08X", b.error_code);
    CHECKF(memcmp(b.server_guid, zero, 16) != 0, "R349: ServerGuid is zero");
    for (int k = 0; k < 2; k++) {
        const char *name = k ? MHC_COOKIE_SEQUENCE : MHC_COOKIE_CONTEXT;
        if (mhc_find_set_cookie(&r, name, &sc) != 0) {
            CHECKF(0, "R1221: Bind reply has no Set-Cookie %s", name);
            continue;
        }
        CHECKF(is_hex32(sc.value) && strcmp(sc.path, "/mapi/nspi/") == 0 &&
               sc.secure && sc.http_only,
               "R1221: Set-Cookie %s=%s path '%s' secure %d HttpOnly %d",
               name, sc.value, sc.path, sc.secure, sc.http_only);
    }
    mhc_response_free(&r);

    /* With a STAT, and with flags other than fAnonymousLogin: the same
     * result (R332, R1320). */
    mhc_stat_default(stat);
    body = mhc_build_bind(p, 0x1, stat, NULL, 0);
    rc = mhc_request(c, MHC_NSPI, "Bind", body.data, body.len, NULL, &r);
    CHECKF(rc == 0, "R334/R332: Bind with a STAT and Flags 0x1 gave %d", rc);
    if (rc == 0) {
        mhc_parse_bind(r.body, r.body_len, &b2);
        CHECKF(b2.parsed == MHC_PARSE_SUCCESS && b2.error_code == 0 &&
               memcmp(b2.server_guid, b.server_guid, 16) == 0,
               "R1320: Bind with Flags 0x1 answered differently (ErrorCode "
               "0x%X)", b2.error_code);
    }
    mhc_response_free(&r);

    /* HasState 0xFF without the STAT: 12. */
    body = mhc_build_bind(p, 0, NULL, NULL, 0);
    {
        uint8_t bad[9];
        memcpy(bad, body.data, 5);
        bad[4] = 0xFF;
        memset(bad + 5, 0, 4);
        mhc_request(c, MHC_NSPI, "Bind", bad, sizeof(bad), NULL, &r);
        check_failure("Bind with HasState but no STAT", c, &r, "Bind", 0,
                      MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
    }
    /* BIND in capitals works too. */
    rc = mhc_request(c, MHC_NSPI, "BIND", body.data, body.len, NULL, &r);
    CHECKF(rc == 0, "R92: X-RequestType BIND gave %d", rc);
out:
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

static void test_ping_R1128_R1460(void)
{
    mhc_client *c = bound();
    mhc_response r;
    int rc;

    if (c == NULL)
        return;
    rc = mhc_ping(c, MHC_NSPI, &r);
    CHECKF(rc == 0, "R1128: PING on /mapi/nspi/ gave %d", rc);
    check_common_headers("NSPI PING", c, &r, "PING", 0);
    CHECKF(r.complete && r.body_len == 0, "R1460: PING body of %zu bytes",
           r.body_len);
    mhc_response_free(&r);
    mhc_client_free(&c);
}

static void test_unbind_R1438_R1291_R1255_R2233(void)
{
    mhc_client *c = bound();
    mhc_status_rsp st;
    mhc_response r;
    apr_pool_t *p;
    mhc_buf body;
    int rc;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    rc = mhc_unbind(c, &r, &st);
    CHECKF(rc == 0, "R1250: Unbind X-ResponseCode %d", rc);
    check_common_headers("Unbind", c, &r, "Unbind", 0);
    CHECKF(r.body_len == 12 && st.status == 0 && st.error_code == 0 &&
           st.aux_size == 0,
           "R1438/R1291/R367-R371: Unbind body %zu bytes, StatusCode 0x%X "
           "ErrorCode 0x%X", r.body_len, st.status, st.error_code);
    CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_CONTEXT, &(mhc_set_cookie){0})
           == 0, "R1255: Unbind reply has no Set-Cookie");
    mhc_response_free(&r);
    rc = mhc_ping(c, MHC_NSPI, &r);
    check_failure("PING after Unbind", c, &r, "PING", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    body = nspi_body(p, "GetProps");
    rc = mhc_request(c, MHC_NSPI, "GetProps", body.data, body.len, NULL, &r);
    check_failure("GetProps after Unbind", c, &r, "GetProps", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* Every directory request type is recognised (never 5) and checks the
 * context and the sequence: 13 without cookies or without the sequence,
 * 10 for an unknown context, 15 for a stale sequence, 0 otherwise with a
 * body that ends in a consistent AuxiliaryBufferSize. */
static void test_request_types_R96_to_R114(void)
{
    mhc_client *c = bound();
    apr_pool_t *p;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    for (size_t i = 0; i < N_TYPES; i++) {
        const nspi_type *t = &types[i];
        mhc_buf body = nspi_body(p, t->name);
        char ctx[64], seq[64], cookie[600], what[128];
        mhc_opts o = { .cookie = cookie, .flags = MHC_NO_JAR_UPDATE };
        mhc_opts none = { .flags = MHC_OMIT_COOKIES | MHC_NO_JAR_UPDATE };
        mhc_response r;
        mhc_set_cookie sc;
        int rc;

        snprintf(ctx, sizeof(ctx), "%s",
                 mhc_cookie_get(c, MHC_NSPI, MHC_COOKIE_CONTEXT));
        snprintf(seq, sizeof(seq), "%s",
                 mhc_cookie_get(c, MHC_NSPI, MHC_COOKIE_SEQUENCE));

        snprintf(what, sizeof(what), "%s (%s) without cookies", t->name,
                 t->r_type);
        mhc_request(c, MHC_NSPI, t->name, body.data, body.len, &none, &r);
        check_failure(what, c, &r, t->name, 0, MHC_RC_MISSING_COOKIE);
        mhc_response_free(&r);

        snprintf(what, sizeof(what), "%s (%s) without MapiSequence", t->name,
                 t->r_type);
        snprintf(cookie, sizeof(cookie), "%s=%s", MHC_COOKIE_CONTEXT, ctx);
        mhc_request(c, MHC_NSPI, t->name, body.data, body.len, &o, &r);
        check_failure(what, c, &r, t->name, 0, MHC_RC_MISSING_COOKIE);
        mhc_response_free(&r);

        snprintf(what, sizeof(what), "%s (%s) with an unknown context",
                 t->name, t->r_type);
        snprintf(cookie, sizeof(cookie), "%s=%s; %s=%s", MHC_COOKIE_CONTEXT,
                 "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5", MHC_COOKIE_SEQUENCE,
                 seq);
        mhc_request(c, MHC_NSPI, t->name, body.data, body.len, &o, &r);
        check_failure(what, c, &r, t->name, 0, MHC_RC_CONTEXT_NOT_FOUND);
        mhc_response_free(&r);

        snprintf(what, sizeof(what), "%s (%s)", t->name, t->r_type);
        rc = mhc_request(c, MHC_NSPI, t->name, body.data, body.len, NULL, &r);
        CHECKF(rc == 0, "%s: X-ResponseCode %d, expected 0", what, rc);
        if (rc == 0) {
            mapi_rd rd;
            uint32_t aux;
            check_common_headers(what, c, &r, t->name, 0);
            check_success_stream(what, &r);
            CHECKF(r.body_len >= 8, "%s: %zu-byte body", what, r.body_len);
            /* Whatever the layout, the body ends with AuxiliaryBufferSize
             * and that many bytes; here the server sends none. */
            if (r.body_len >= 8) {
                mapi_rd_init(&rd, r.body + r.body_len - 4, 4);
                mapi_rd_u32(&rd, &aux);
                CHECKF(aux == 0, "%s: body does not end with "
                       "AuxiliaryBufferSize 0 (last u32 %u)", what, aux);
            }
            CHECKF(mhc_find_set_cookie(&r, MHC_COOKIE_SEQUENCE, &sc) == 0 &&
                   strcmp(sc.value, seq) != 0,
                   "%s: the sequence cookie was not rotated", what);
        }
        mhc_response_free(&r);

        /* The sequence sent before is stale now. */
        snprintf(what, sizeof(what), "%s (%s) with a stale MapiSequence",
                 t->name, t->r_type);
        snprintf(cookie, sizeof(cookie), "%s=%s; %s=%s", MHC_COOKIE_CONTEXT,
                 ctx, MHC_COOKIE_SEQUENCE, seq);
        mhc_request(c, MHC_NSPI, t->name, body.data, body.len, &o, &r);
        check_failure(what, c, &r, t->name, 0, MHC_RC_INVALID_SEQUENCE);
        mhc_response_free(&r);
    }
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* The response bodies of the directory request types carry StatusCode 0
 * in both their success and their failure form (R1290/R2116 ...
 * R1118/R2220); the outcome of the operation is in ErrorCode. */
static void test_status_code_zero_R2116_to_R2220(void)
{
    mhc_client *c = bound();
    apr_pool_t *p;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    for (size_t i = 0; i < N_TYPES; i++) {
        const nspi_type *t = &types[i];
        mhc_buf body = nspi_body(p, t->name);
        mhc_response r;
        int rc = mhc_request(c, MHC_NSPI, t->name, body.data, body.len, NULL,
                             &r);
        CHECKF(rc == 0, "%s: X-ResponseCode %d", t->name, rc);
        if (rc == 0 && r.body_len >= 4)
            CHECKF(le32(r.body) == 0,
                   "%s: %s: StatusCode 0x%08X in the response body, which "
                   "MUST be 0 for this request type", t->name, t->r_status,
                   le32(r.body));
        /* The outcome is in ErrorCode: the minimal bodies name no object
         * (MId 0: GetMatches' link lookup GeneralFailure, ModLinkAtt
         * NotFound; no filter, no target; ModProps without tags
         * InvalidParameter; no template: InvalidLocale); an error body has
         * every optional part absent. */
        if (rc == 0 && r.body_len >= 8)
            CHECKF(le32(r.body + 4) == t->ec, "%s: ErrorCode 0x%08X, "
                   "expected 0x%08X", t->name, le32(r.body + 4), t->ec);
        if (rc == 0 && t->ec != 0) {
            CHECKF(r.body_len == t->empty_len, "%s: body of %zu bytes, "
                   "expected the %zu of an empty success body", t->name,
                   r.body_len, t->empty_len);
            if (r.body_len >= 12)
                CHECKF(le32(r.body + r.body_len - 4) == 0,
                       "%s: AuxiliaryBufferSize not 0", t->name);
        }
        mhc_response_free(&r);
    }
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* Cookies of one endpoint are no context at the other; request types of
 * one endpoint are unknown at the other. */
static void test_endpoints_apart_R1283_R141(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_response r;
    apr_pool_t *p;
    mhc_buf body;
    char cookie[600];
    mhc_opts o = { .cookie = cookie, .flags = MHC_NO_JAR_UPDATE };
    int rc;

    apr_pool_create(&p, NULL);
    rc = mhc_connect(c, H_DEMO_DN, NULL, NULL);
    REQUIREF(rc == 0, "setup: Connect %d", rc);
    snprintf(cookie, sizeof(cookie), "%s=%s; %s=%s", MHC_COOKIE_CONTEXT,
             mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT),
             MHC_COOKIE_SEQUENCE,
             mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE));
    body = nspi_body(p, "GetProps");
    mhc_request(c, MHC_NSPI, "GetProps", body.data, body.len, &o, &r);
    check_failure("EMSMDB context on GetProps", c, &r, "GetProps", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    mhc_request(c, MHC_NSPI, "PING", NULL, 0, &o, &r);
    check_failure("EMSMDB context on NSPI PING", c, &r, "PING", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);

    /* And the other way round. */
    rc = mhc_bind(c, NULL, NULL);
    REQUIREF(rc == 0, "setup: Bind %d", rc);
    snprintf(cookie, sizeof(cookie), "%s=%s; %s=%s", MHC_COOKIE_CONTEXT,
             mhc_cookie_get(c, MHC_NSPI, MHC_COOKIE_CONTEXT),
             MHC_COOKIE_SEQUENCE,
             mhc_cookie_get(c, MHC_NSPI, MHC_COOKIE_SEQUENCE));
    mhc_request(c, MHC_EMSMDB, "PING", NULL, 0, &o, &r);
    check_failure("NSPI context on EMSMDB PING", c, &r, "PING", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);

    /* Execute on the address book endpoint is an unknown type. */
    mhc_request(c, MHC_NSPI, "Execute", "\0\0\0\0", 4, NULL, &r);
    check_failure("Execute on /mapi/nspi/", c, &r, "Execute", 0,
                  MHC_RC_INVALID_REQUEST_TYPE);
    mhc_response_free(&r);
    mhc_request(c, MHC_NSPI, "Connect", "\0", 1, NULL, &r);
    check_failure("Connect on /mapi/nspi/", c, &r, "Connect", 0,
                  MHC_RC_INVALID_REQUEST_TYPE);
    mhc_response_free(&r);
    /* Both contexts still work. */
    CHECKF(mhc_ping(c, MHC_EMSMDB, NULL) == 0, "EMSMDB PING afterwards");
    CHECKF(mhc_ping(c, MHC_NSPI, NULL) == 0, "NSPI PING afterwards");
out:
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* Another identity's NSPI context: 10 (R1225). */
static void test_foreign_identity_R1225(void)
{
    mhc_client *c = bound(), *o;
    mhc_response r;
    apr_pool_t *p;
    mhc_buf body;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    o = harness_client(&H, 1, MHC_AUTH_BASIC);
    memcpy(o->jar, c->jar, sizeof(o->jar));
    body = nspi_body(p, "QueryRows");
    mhc_request(o, MHC_NSPI, "QueryRows", body.data, body.len, NULL, &r);
    check_failure("QueryRows by other", o, &r, "QueryRows", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    memcpy(o->jar, c->jar, sizeof(o->jar));
    mhc_unbind(o, &r, NULL);
    check_failure("Unbind by other", o, &r, "Unbind", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    CHECKF(mhc_ping(c, MHC_NSPI, NULL) == 0, "R1224: demo's NSPI context "
           "broken by other's attempts");
    apr_pool_destroy(p);
    mhc_client_free(&o);
    mhc_client_free(&c);
}

/* ------------------------------------------- the directory over HTTP -- */

static void put_stat(mapi_wr *w, uint32_t cur, int32_t delta, uint32_t cp)
{
    uint8_t st[MHC_STAT_SIZE];
    mapi_wr sw;

    mhc_stat_default(st);
    mapi_wr_init_fixed(&sw, st + 8, 8);
    mapi_wr_u32(&sw, cur);
    mapi_wr_u32(&sw, (uint32_t)delta);
    mapi_wr_init_fixed(&sw, st + 24, 4);
    mapi_wr_u32(&sw, cp);
    mapi_wr_u8(w, 0xFF);
    mapi_wr_bytes(w, st, sizeof(st));
}

/* Sends body; the reply body (NULL unless X-ResponseCode 0). */
static const uint8_t *call(mhc_client *c, const char *type, mapi_wr *w,
                           mhc_response *r, int *rc_r)
{
    int rc = mhc_request(c, MHC_NSPI, type, w->buf, w->len, NULL, r);

    if (rc_r)
        *rc_r = rc;
    CHECKF(rc_r || rc == 0, "%s: X-ResponseCode %d", type, rc);
    return rc == 0 && r->body_len >= 8 ? r->body : NULL;
}

static uint32_t dn_to_mid(mhc_client *c, apr_pool_t *p, const char *dn)
{
    mhc_response r;
    mapi_wr w;
    const uint8_t *b;
    uint32_t mid = 0xFFFFFFFF;

    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_u32(&w, 1);
    mapi_wr_str8(&w, dn);
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "DNToMId", &w, &r, NULL)) && r.body_len >= 17 &&
        le32(b + 4) == 0 && b[8] == 0xFF && le32(b + 9) == 1)
        mid = le32(b + 13);
    mhc_response_free(&r);
    return mid;
}

static void test_dn_to_mid_and_compare(void)
{
    mhc_client *c = bound();
    apr_pool_t *p;
    uint32_t demo, other, again;
    mhc_response r;
    mapi_wr w;
    const uint8_t *b;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    demo = dn_to_mid(c, p, H_DEMO_DN);
    other = dn_to_mid(c, p, H_OTHER_DN);
    CHECKF(demo >= 16 && demo != 0xFFFFFFFF, "DNToMId demo: MId %u", demo);
    CHECKF(other >= 16 && other != demo, "DNToMId other: MId %u", other);
    CHECKF(dn_to_mid(c, p, H_ORG_DN "/cn=Recipients/cn=nobody") == 0,
           "DNToMId of an unknown DN is not 0");
    /* Stable: the same MId on a fresh session. */
    mhc_client_free(&c);
    if ((c = bound()) == NULL)
        return;
    again = dn_to_mid(c, p, H_DEMO_DN);
    CHECKF(again == demo, "MId of demo changed across sessions: %u, %u",
           demo, again);
    /* CompareMIds: Demo User sorts before Other User. */
    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    put_stat(&w, 0, 0, 1252);
    mapi_wr_u32(&w, demo);
    mapi_wr_u32(&w, other);
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "CompareMIds", &w, &r, NULL)) && r.body_len == 16)
        CHECKF(le32(b + 4) == 0 && (int32_t)le32(b + 8) < 0,
               "CompareMIds(demo, other): ErrorCode 0x%08X result %d",
               le32(b + 4), (int32_t)le32(b + 8));
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

static void test_query_rows_gal(void)
{
    mhc_client *c = bound();
    apr_pool_t *p;
    mhc_response r;
    mapi_wr w;
    mapi_rd rd;
    const uint8_t *b;
    const char *names[3] = { 0 };
    uint32_t ec = 1, ncol = 0, nrow = 0, cur = 0;
    uint8_t has = 0, flags;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    put_stat(&w, 0, 0, 1252);
    mapi_wr_u32(&w, 0);                       /* ExplicitTableCount */
    mapi_wr_u32(&w, 2);                       /* RowCount */
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_u32(&w, 1);
    mapi_wr_u32(&w, 0x3001001F);              /* PidTagDisplayName */
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "QueryRows", &w, &r, NULL))) {
        mapi_rd_init(&rd, b, r.body_len);
        mapi_rd_skip(&rd, 4);
        mapi_rd_u32(&rd, &ec);
        mapi_rd_u8(&rd, &has);
        mapi_rd_skip(&rd, 8);
        mapi_rd_u32(&rd, &cur);
        mapi_rd_skip(&rd, 24);
        mapi_rd_u8(&rd, &has);
        mapi_rd_u32(&rd, &ncol);
        mapi_rd_skip(&rd, 4 * ncol);
        mapi_rd_u32(&rd, &nrow);
        for (uint32_t i = 0; i < nrow && i < 2; i++) {
            mapi_rd_u8(&rd, &flags);
            mapi_rd_u8(&rd, &has);
            mapi_rd_str16(&rd, p, 256, &names[i]);
        }
        CHECKF(ec == 0 && nrow == 2 && !rd.failed, "QueryRows: ErrorCode "
               "0x%08X, %u rows", ec, nrow);
        CHECKF(names[0] && names[1] && strcmp(names[0], "Demo User") == 0 &&
               strcmp(names[1], "Other User") == 0,
               "QueryRows: rows %s, %s; expected Demo User, Other User",
               names[0], names[1]);
        CHECKF(cur >= 16, "QueryRows: CurrentRec %u after two of three "
               "rows, expected Third Demo's MId", cur);
    }
    mhc_response_free(&r);
    /* A truncated body: Invalid Request Body. */
    w.len -= 3;
    {
        int rc;
        call(c, "QueryRows", &w, &r, &rc);
        CHECKF(rc == 12, "truncated QueryRows: X-ResponseCode %d, "
               "expected 12", rc);
        mhc_response_free(&r);
    }
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

static uint32_t resolve(mhc_client *c, apr_pool_t *p, const char *name)
{
    mhc_response r;
    mapi_wr w;
    const uint8_t *b;
    uint32_t mid = 0xFFFFFFFF;

    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    put_stat(&w, 0, 0, 1200);
    mapi_wr_u8(&w, 0);
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_u32(&w, 1);
    mapi_wr_str16(&w, name);
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "ResolveNames", &w, &r, NULL)) && r.body_len >= 21 &&
        le32(b + 4) == 0 && b[12] == 0xFF && le32(b + 13) == 1)
        mid = le32(b + 17);
    mhc_response_free(&r);
    return mid;
}

static void test_resolve_names(void)
{
    mhc_client *c = bound();
    apr_pool_t *p;
    uint32_t demo;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    demo = dn_to_mid(c, p, H_DEMO_DN);
    CHECKF(resolve(c, p, "demo@mapi.test") == demo, "ResolveNames of "
           "demo@mapi.test did not give demo's MId");
    CHECKF(resolve(c, p, "Demo User") == demo, "ResolveNames of the "
           "display name");
    CHECKF(resolve(c, p, "dem") == 1, "ResolveNames \"dem\" (Demo User, "
           "Third Demo): not MID_AMBIGUOUS");
    CHECKF(resolve(c, p, "nobody-here") == 0, "ResolveNames of an unknown "
           "name: not MID_UNRESOLVED");
    CHECKF(resolve(c, p, "third") >= 16, "ResolveNames of the third "
           "mailbox's alias did not resolve");
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

static void test_urls_and_special_table(void)
{
    mhc_client *c = bound();
    apr_pool_t *p;
    mhc_response r;
    mapi_wr w;
    mapi_rd rd;
    const uint8_t *b;
    const char *url = NULL;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    mapi_wr_str16(&w, H_DEMO_DN);
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "GetAddressBookUrl", &w, &r, NULL))) {
        mapi_rd_init(&rd, b + 8, r.body_len - 8);
        mapi_rd_str16(&rd, p, 1024, &url);
        CHECKF(le32(b + 4) == 0 && url && strstr(url, "/mapi/nspi/?MailboxId=")
               && strstr(url, "@mapi.test"), "GetAddressBookUrl: 0x%08X %s",
               le32(b + 4), url);
    }
    mhc_response_free(&r);
    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0x4);                     /* NspiUnicodeStrings */
    put_stat(&w, 0, 0, 1252);
    mapi_wr_u8(&w, 0);
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "GetSpecialTable", &w, &r, NULL)))
        CHECKF(r.body_len > 22 && le32(b + 4) == 0 && b[12] == 0xFF &&
               b[17] == 0xFF && le32(b + 18) == 1,
               "GetSpecialTable: not one hierarchy row (ErrorCode 0x%08X)",
               le32(b + 4));
    mhc_response_free(&r);
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* GetProps of one u32 property of the object at MId mid: its value, or
 * 0xFFFFFFFF. */
static uint32_t get_u32(mhc_client *c, apr_pool_t *p, uint32_t mid,
                        uint32_t tag)
{
    mhc_response r;
    mapi_wr w;
    mapi_rd rd;
    const uint8_t *b;
    uint32_t ec = 1, v = 0xFFFFFFFF, cp;
    uint8_t has = 0, rowflags = 0, flag = 0;

    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);                       /* Flags */
    put_stat(&w, mid, 0, 1200);
    mapi_wr_u8(&w, 0xFF);                     /* HasPropertyTags */
    mapi_wr_u32(&w, 1);
    mapi_wr_u32(&w, tag);
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "GetProps", &w, &r, NULL))) {
        mapi_rd_init(&rd, b, r.body_len);
        mapi_rd_skip(&rd, 4);
        mapi_rd_u32(&rd, &ec);
        mapi_rd_u32(&rd, &cp);
        mapi_rd_u8(&rd, &has);
        mapi_rd_u8(&rd, &rowflags);
        if (rowflags == 1)
            mapi_rd_u8(&rd, &flag);
        if (ec == 0 && has == 0xFF && flag == 0)
            mapi_rd_u32(&rd, &v);
        if (rd.failed)
            v = 0xFFFFFFFF;
    }
    mhc_response_free(&r);
    return v;
}

/* Groups and contacts made with mapi-admin are in the address book at
 * once: resolved by name, a distribution list ([MS-OXNSPI] DT_DISTLIST 1,
 * MAPI_DISTLIST 8) and a remote mail user (DT_REMOTE_MAILUSER 6). */
static void test_groups_and_contacts_resolve(void)
{
    static const char *const contact[] = {
        "new-mailcontact", "-Name", "erin", "-DisplayName", "Erin Outside",
        "-ExternalEmailAddress", "erin@example.org", NULL };
    static const char *const group[] = {
        "new-distributiongroup", "-Name", "team", "-DisplayName", "The Team",
        "-PrimarySmtpAddress", "team@mapi.test", "-Members",
        "demo@mapi.test,other@mapi.test,erin", NULL };
    mhc_client *c;
    apr_pool_t *p;
    uint32_t g, e;

    REQUIREF(harness_admin(&H, NULL, 0, contact) == 0, "New-MailContact");
    REQUIREF(harness_admin(&H, NULL, 0, group) == 0, "New-DistributionGroup");
    if ((c = bound()) == NULL)
        return;
    apr_pool_create(&p, NULL);
    g = resolve(c, p, "The Team");
    e = resolve(c, p, "erin@example.org");
    CHECKF(g >= 16 && g != 0xFFFFFFFF, "ResolveNames \"The Team\": %u", g);
    CHECKF(e >= 16 && e != 0xFFFFFFFF && e != g,
           "ResolveNames of the contact's address: %u", e);
    CHECKF(resolve(c, p, "team@mapi.test") == g, "the group by address");
    CHECKF(get_u32(c, p, g, 0x39000003) == 1, "the group's "
           "PidTagDisplayType %u, expected DT_DISTLIST",
           get_u32(c, p, g, 0x39000003));
    CHECKF(get_u32(c, p, g, 0x0FFE0003) == 8, "the group's "
           "PidTagObjectType %u, expected MAPI_DISTLIST",
           get_u32(c, p, g, 0x0FFE0003));
    CHECKF(get_u32(c, p, e, 0x39000003) == 6, "the contact's "
           "PidTagDisplayType %u, expected DT_REMOTE_MAILUSER",
           get_u32(c, p, e, 0x39000003));
    apr_pool_destroy(p);
    mhc_client_free(&c);
out:
    ;
}


/* Every directory request type: a body cut short and a body with a byte
 * after the auxiliary buffer are Invalid Request Body (X-ResponseCode 12,
 * MS-OXCMAPIHTTP R148) and leave the context usable. */
static void test_malformed_bodies_R148(void)
{
    mhc_client *c = bound();
    apr_pool_t *p;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    for (size_t i = 0; i < N_TYPES; i++) {
        mhc_buf body = nspi_body(p, types[i].name);
        uint8_t *longer = apr_palloc(p, body.len + 1);
        char what[128];
        mhc_response r;

        snprintf(what, sizeof(what), "%s cut short", types[i].name);
        mhc_request(c, MHC_NSPI, types[i].name, body.data, body.len - 5,
                    NULL, &r);
        check_failure(what, c, &r, types[i].name, 0,
                      MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
        memcpy(longer, body.data, body.len);
        longer[body.len] = 0x5A;
        snprintf(what, sizeof(what), "%s with a byte after the aux buffer",
                 types[i].name);
        mhc_request(c, MHC_NSPI, types[i].name, longer, body.len + 1, NULL,
                    &r);
        check_failure(what, c, &r, types[i].name, 0,
                      MHC_RC_INVALID_REQUEST_BODY);
        mhc_response_free(&r);
    }
    CHECKF(mhc_ping(c, MHC_NSPI, NULL) == 0, "the context is gone after "
           "malformed bodies");
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* A STAT with a given SortType and ContainerID. */
static void put_stat_sort(mapi_wr *w, uint32_t sort_type, uint32_t container,
                          uint32_t cur, uint32_t sort_locale)
{
    uint8_t st[MHC_STAT_SIZE];
    mapi_wr sw;

    mhc_stat_default(st);
    mapi_wr_init_fixed(&sw, st, 12);
    mapi_wr_u32(&sw, sort_type);
    mapi_wr_u32(&sw, container);
    mapi_wr_u32(&sw, cur);
    mapi_wr_init_fixed(&sw, st + 32, 4);
    mapi_wr_u32(&sw, sort_locale);
    mapi_wr_u8(w, 0xFF);
    mapi_wr_bytes(w, st, sizeof(st));
}

/* The STAT errors of the positioning request types naming real objects:
 * phonetic order is not kept (NotSupported), an unknown SortType is
 * InvalidParameter, a container other than the GAL is InvalidBookmark
 * ([MS-OXNSPI] R789 for UpdateStat, R948 for QueryRows, R1230 for
 * CompareMIds). */
static void test_stat_errors_of_each_type(void)
{
    static const struct { uint32_t sort, container, ec; } cases[] = {
        { 0x3, 0, 0x80040102 }, { 0x77, 0, 0x80070057 },
        { 0x0, 0x4242, 0x80040405 },
    };
    static const char *const ops[] = { "UpdateStat", "QueryRows",
        "ResortRestriction", "CompareMIds", "ResolveNames" };
    mhc_client *c = bound();
    apr_pool_t *p;
    uint32_t demo, other;

    if (c == NULL)
        return;
    apr_pool_create(&p, NULL);
    demo = dn_to_mid(c, p, H_DEMO_DN);
    other = dn_to_mid(c, p, H_OTHER_DN);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
            mhc_response r;
            mapi_wr w;
            const uint8_t *b;

            mapi_wr_init(&w, p, 4096);
            mapi_wr_u32(&w, 0);
            put_stat_sort(&w, cases[k].sort, cases[k].container, demo, 1033);
            if (strcmp(ops[i], "UpdateStat") == 0) {
                mapi_wr_u8(&w, 0xFF);
            } else if (strcmp(ops[i], "QueryRows") == 0) {
                mapi_wr_u32(&w, 0);
                mapi_wr_u32(&w, 5);
                mapi_wr_u8(&w, 0);
            } else if (strcmp(ops[i], "ResortRestriction") == 0) {
                mapi_wr_u8(&w, 0xFF);
                mapi_wr_u32(&w, 2);
                mapi_wr_u32(&w, other);
                mapi_wr_u32(&w, demo);
            } else if (strcmp(ops[i], "CompareMIds") == 0) {
                mapi_wr_u32(&w, demo);
                mapi_wr_u32(&w, other);
            } else {
                mapi_wr_u8(&w, 0);
                mapi_wr_u8(&w, 0xFF);
                mapi_wr_u32(&w, 1);
                mapi_wr_str16(&w, "Demo User");
            }
            mapi_wr_u32(&w, 0);
            if ((b = call(c, ops[i], &w, &r, NULL)))
                CHECKF(le32(b + 4) == cases[k].ec, "%s with SortType 0x%X "
                       "ContainerID 0x%X: ErrorCode 0x%08X, expected 0x%08X",
                       ops[i], cases[k].sort, cases[k].container,
                       le32(b + 4), cases[k].ec);
            mhc_response_free(&r);
        }
    apr_pool_destroy(p);
    mhc_client_free(&c);
}

/* The display names of the GAL from the beginning, in the order of
 * SortLocale lcid; n names into out. */
static unsigned gal_names(mhc_client *c, apr_pool_t *p, uint32_t lcid,
                          const char **out, unsigned max)
{
    mhc_response r;
    mapi_wr w;
    mapi_rd rd;
    const uint8_t *b;
    uint32_t ncol = 0, nrow = 0;
    uint8_t has = 0, flags;
    unsigned n = 0;

    mapi_wr_init(&w, p, 4096);
    mapi_wr_u32(&w, 0);
    put_stat_sort(&w, 0, 0, 0, lcid);
    mapi_wr_u32(&w, 0);
    mapi_wr_u32(&w, max);
    mapi_wr_u8(&w, 0xFF);
    mapi_wr_u32(&w, 1);
    mapi_wr_u32(&w, 0x3001001F);
    mapi_wr_u32(&w, 0);
    if ((b = call(c, "QueryRows", &w, &r, NULL))) {
        mapi_rd_init(&rd, b + 8, r.body_len - 8);
        mapi_rd_u8(&rd, &has);
        mapi_rd_skip(&rd, 36);
        mapi_rd_u8(&rd, &has);
        mapi_rd_u32(&rd, &ncol);
        mapi_rd_skip(&rd, 4 * ncol);
        mapi_rd_u32(&rd, &nrow);
        for (uint32_t i = 0; i < nrow && n < max && !rd.failed; i++) {
            mapi_rd_u8(&rd, &flags);
            mapi_rd_u8(&rd, &has);
            if (mapi_rd_str16(&rd, p, 256, &out[n]) == 0)
                n++;
        }
    }
    mhc_response_free(&r);
    return n;
}

static int index_of(const char **names, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

/* Display names beyond ASCII sort by the SortLocale's collation: "Ö" is
 * an O with an accent in German (0x407) but a letter after Z in Swedish
 * (0x41D); SeekEntries finds by the same order. */
static void test_sort_locale_icu(void)
{
    static const char *const orjan[] = {
        "new-mailbox", "-Name", "orjan", "-DisplayName", "\xC3\x96rjan Ek",
        "-PrimarySmtpAddress", "orjan@mapi.test", "-UserPrincipalName",
        "orjan@MAPI.TEST", NULL };
    static const char *const zach[] = {
        "new-mailbox", "-Name", "zach", "-DisplayName", "Zacharias Berg",
        "-PrimarySmtpAddress", "zach@mapi.test", "-UserPrincipalName",
        "zach@MAPI.TEST", NULL };
    const char *de[32], *sv[32];
    unsigned nde, nsv;
    int o_de, z_de, o_sv, z_sv, other_de;
    mhc_client *c;
    apr_pool_t *p;

    REQUIREF(harness_admin(&H, NULL, 0, orjan) == 0, "New-Mailbox orjan");
    REQUIREF(harness_admin(&H, NULL, 0, zach) == 0, "New-Mailbox zach");
    if ((c = bound()) == NULL)
        return;
    apr_pool_create(&p, NULL);
    nde = gal_names(c, p, 0x407, de, 32);
    nsv = gal_names(c, p, 0x41D, sv, 32);
    o_de = index_of(de, nde, "\xC3\x96rjan Ek");
    z_de = index_of(de, nde, "Zacharias Berg");
    other_de = index_of(de, nde, "Other User");
    o_sv = index_of(sv, nsv, "\xC3\x96rjan Ek");
    z_sv = index_of(sv, nsv, "Zacharias Berg");
    CHECKF(nde == nsv && o_de >= 0 && z_de >= 0 && o_de < z_de &&
           o_de < other_de, "German order: \xC3\x96rjan Ek at %d, Other User "
           "at %d, Zacharias Berg at %d (of %u)", o_de, other_de, z_de, nde);
    CHECKF(o_sv >= 0 && z_sv >= 0 && o_sv > z_sv && o_sv == (int)nsv - 1,
           "Swedish order: \xC3\x96rjan Ek at %d, Zacharias Berg at %d (of "
           "%u)", o_sv, z_sv, nsv);
    /* SeekEntries("P") under Swedish stops at Third Demo, not Örjan;
     * under German "\xC3\x96r" finds Örjan before Other. */
    {
        mhc_response r;
        mapi_wr w;
        const uint8_t *b;

        mapi_wr_init(&w, p, 4096);
        mapi_wr_u32(&w, 0);
        put_stat_sort(&w, 0, 0, 0, 0x407);
        mapi_wr_u8(&w, 0xFF);
        mapi_wr_u32(&w, 0x3001001F);
        mapi_wr_u8(&w, 0xFF);
        mapi_wr_str16(&w, "Or");
        mapi_wr_u8(&w, 0);
        mapi_wr_u8(&w, 0);
        mapi_wr_u32(&w, 0);
        if ((b = call(c, "SeekEntries", &w, &r, NULL)) && r.body_len >= 45)
            CHECKF(le32(b + 4) == 0 && le32(b + 9 + 8) ==
                   dn_to_mid(c, p, H_ORG_DN "/cn=Recipients/cn=orjan"),
                   "SeekEntries(\"Or\") under German: 0x%08X, CurrentRec %u "
                   "is not \xC3\x96rjan Ek", le32(b + 4), le32(b + 17));
        mhc_response_free(&r);
    }
    apr_pool_destroy(p);
    mhc_client_free(&c);
out:
    ;
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("address book endpoint", suite_init, suite_cleanup);
    CU_add_test(s, "Bind (R347 R349 R350 R1221 R332 R1320)",
                test_bind_R347_R349_R350_R1221);
    CU_add_test(s, "PING (R1128 R1460)", test_ping_R1128_R1460);
    CU_add_test(s, "Unbind destroys the context (R1438 R1291 R1255 R2233)",
                test_unbind_R1438_R1291_R1255_R2233);
    CU_add_test(s, "directory request types: recognised, context and "
                   "sequence checked (R96-R114 R149 R146 R151)",
                test_request_types_R96_to_R114);
    CU_add_test(s, "directory replies carry StatusCode 0 "
                   "(R2116-R2220, R1287 R525 R580 R620 ...)",
                test_status_code_zero_R2116_to_R2220);
    CU_add_test(s, "endpoints keep their contexts and types apart "
                   "(R1283 R141)", test_endpoints_apart_R1283_R141);
    CU_add_test(s, "NSPI context under another identity (R1225)",
                test_foreign_identity_R1225);
    CU_add_test(s, "DNToMId and CompareMIds: stable MIds, unknown DN 0",
                test_dn_to_mid_and_compare);
    CU_add_test(s, "QueryRows: GAL by display name, STAT, truncated body",
                test_query_rows_gal);
    CU_add_test(s, "ResolveNames: resolved, ambiguous, unresolved",
                test_resolve_names);
    CU_add_test(s, "GetAddressBookUrl and GetSpecialTable",
                test_urls_and_special_table);
    CU_add_test(s, "groups and contacts from mapi-admin resolve, with their "
                "display and object types", test_groups_and_contacts_resolve);
    CU_add_test(s, "every request type: a body cut short or too long is "
                "Invalid Request Body (R148)", test_malformed_bodies_R148);
    CU_add_test(s, "STAT errors of UpdateStat, QueryRows, ResortRestriction, "
                "CompareMIds, ResolveNames naming real objects",
                test_stat_errors_of_each_type);
    /* Last: it adds mailboxes that change the GAL order. */
    CU_add_test(s, "display name order under the SortLocale (ICU)",
                test_sort_locale_icu);
    return harness_run_tests();
}
