/*
 * adm_probe.c: Test-OutlookConnectivity, the probes Exchange's managed
 * availability runs against MAPI over HTTP, as a client would see them.
 *
 *   OutlookMapiHttpSelfTestProbe  both endpoints answer an authenticated
 *       PING, and refuse an anonymous request with 401 and the methods
 *       they offer;
 *   OutlookMapiHttpDeepTestProbe  Autodiscover for the mailbox, then
 *       Connect, Execute (RopLogon to the private mailbox, RopOpenFolder
 *       of the Inbox), address book Bind and ResolveNames of the mailbox's
 *       address, Disconnect, Unbind.
 *
 * The target is the MAPI virtual directory of -RunFromServerId (default:
 * this server), with -Hostname in place of its URL's host.  The request
 * bodies are built, and the replies read, with the project's own wire code
 * (mapi_wr/mapi_rd, rpcext), never with test code.  The first step that
 * fails ends the probe; Error names that step and why.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <unistd.h>
#include <apr_strings.h>
#include <apr_xml.h>
#include "wire/mapi_rd.h"
#include "wire/rpcext.h"
#include "wire/mapi_tags.h"
#include "rop/rop_ids.h"

#define ADM_SELF_PROBE  "OutlookMapiHttpSelfTestProbe"
#define ADM_DEEP_PROBE  "OutlookMapiHttpDeepTestProbe"
#define ADM_MONITOR     "OutlookMapiHttp.Protocol\\"

#define ADM_FID_INBOX_INDEX 4          /* [MS-OXCSTOR] 2.2.1.1.3 */
#define ADM_OPEN_PRIVATE    0x01000C04u /* UsePerMDBReplid, NoMail,
                                           TakeOwnership, HomeLogon */
#define ADM_MAX_ROP_OUT     0x10008u
#define ADM_NSPI_MID_FIRST  16u        /* 0: unresolved, 1: ambiguous */

static const adm_param_def adm_probe_params[] = {
    { "ProbeIdentity", ADM_P_POSITIONAL }, { "RunFromServerId", 0 },
    { "MailboxId", 0 }, { "Credential", 0 }, { "Hostname", 0 },
    { "TimeOutSeconds", 0 }, { "TrustAnySSLCertificate", ADM_P_SWITCH },
    { "CAFile", 0 }, ADM_P_OUTPUT, { NULL, 0 }
};

static const char *const adm_probe_columns[] = {
    "MonitorIdentity", "StartTime", "EndTime", "Result", "Error",
    "Exception", NULL
};

typedef struct adm_probe {
    adm_ctx *ctx;
    apr_pool_t *pool;
    const char *cmd;
    adm_http_opts hopts;
    adm_http *http;
    const char *server;        /* -RunFromServerId */
    const char *hostname;      /* -Hostname or NULL */
    const char *identity;      /* -MailboxId, or the caller's */
    const char *vdir_url;      /* https://host[:port]/mapi, rehosted */
    cfg_mailbox *mbx;
    const char *emsmdb_url, *nspi_url;
    const char *offered;       /* methods an anonymous request was offered */
    apr_array_header_t *steps; /* "Step: Succeeded (12 ms)" */
    const char *step;          /* the step running */
    apr_time_t step_start;
    const char *error, *exception;
} adm_probe;

/* ------------------------------------------------------------ steps -- */

static void adm_probe_begin(adm_probe *pr, const char *step)
{
    pr->step = step;
    pr->step_start = apr_time_now();
}

static void adm_probe_record(adm_probe *pr, const char *outcome)
{
    APR_ARRAY_PUSH(pr->steps, const char *) = apr_psprintf(pr->pool,
        "%s: %s (%" APR_INT64_T_FMT " ms)", pr->step, outcome,
        (apr_int64_t)apr_time_as_msec(apr_time_now() - pr->step_start));
}

static int adm_probe_ok(adm_probe *pr)
{
    adm_probe_record(pr, "Succeeded");
    return 0;
}

/* Ends the probe: Error is "<step>: <why>", Exception the kind. */
static int adm_probe_fail(adm_probe *pr, const char *kind, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));
static int adm_probe_fail(adm_probe *pr, const char *kind, const char *fmt,
                          ...)
{
    va_list ap;
    const char *why;

    va_start(ap, fmt);
    why = apr_pvsprintf(pr->pool, fmt, ap);
    va_end(ap);
    adm_probe_record(pr, "Failed");
    pr->error = apr_psprintf(pr->pool, "%s failed: %s", pr->step, why);
    pr->exception = kind;
    return -1;
}

/* --------------------------------------------------------- Kerberos -- */

static const char *adm_ticket_cache;   /* the caller's, for messages */

static const char *adm_gss_status(apr_pool_t *p, OM_uint32 major,
                                  OM_uint32 minor)
{
    const char *s = NULL;
    struct { OM_uint32 code; int type; } parts[] = {
        { major, GSS_C_GSS_CODE }, { minor, GSS_C_MECH_CODE } };

    for (int i = 0; i < 2; i++) {
        OM_uint32 ctx = 0, min;
        gss_buffer_desc b;
        if (parts[i].code == 0)
            continue;
        do {
            if (gss_display_status(&min, parts[i].code, parts[i].type,
                                   GSS_C_NO_OID, &ctx, &b) != GSS_S_COMPLETE)
                break;
            s = s ? apr_psprintf(p, "%s; %.*s", s, (int)b.length,
                                 (char *)b.value)
                  : apr_psprintf(p, "%.*s", (int)b.length, (char *)b.value);
            gss_release_buffer(&min, &b);
        } while (ctx != 0);
    }
    return s ? s : "unknown GSS-API error";
}

/* libcurl says nothing when Negotiate yields no token (it just sends no
 * credentials and gets a 401); asking GSS-API for the service ticket
 * ourselves gives the reason: no ticket, expired, KDC unreachable.  Also
 * gives the caller's principal, the default mailbox to test. */
static int adm_probe_kerberos(adm_probe *pr, const char *host,
                              const char **client_r)
{
    const char *svc = apr_pstrcat(pr->pool, "HTTP@", host, NULL);
    gss_buffer_desc nb = { strlen(svc), (void *)svc }, out = { 0, NULL };
    gss_name_t target = GSS_C_NO_NAME, me = GSS_C_NO_NAME;
    gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
    OM_uint32 major, minor, min2;
    int rc = 0;

    adm_probe_begin(pr, "Kerberos");
    major = gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE, &target);
    if (major == GSS_S_COMPLETE)
        major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &gctx,
                                     target, (gss_OID)gss_mech_krb5, 0, 0,
                                     GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
                                     NULL, &out, NULL, NULL);
    if (GSS_ERROR(major)) {
        const char *cc = adm_ticket_cache ? adm_ticket_cache
                                          : getenv("KRB5CCNAME");
        rc = adm_probe_fail(pr, "KerberosError", "no Kerberos service ticket "
                            "for %s from the ticket cache %s: %s. Run kinit, "
                            "check that the KDC is reachable, or give "
                            "-Credential user:password (Basic).", svc,
                            cc ? cc : "(default)",
                            adm_gss_status(pr->pool, major, minor));
    } else if (gss_inquire_context(&minor, gctx, &me, NULL, NULL, NULL, NULL,
                                   NULL, NULL) == GSS_S_COMPLETE) {
        gss_buffer_desc dn;
        if (gss_display_name(&minor, me, &dn, NULL) == GSS_S_COMPLETE) {
            *client_r = apr_pstrmemdup(pr->pool, dn.value, dn.length);
            gss_release_buffer(&min2, &dn);
        }
        adm_probe_ok(pr);
    }
    gss_release_buffer(&min2, &out);
    if (gctx != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&min2, &gctx, GSS_C_NO_BUFFER);
    gss_release_name(&min2, &target);
    gss_release_name(&min2, &me);
    return rc;
}

/* A root caller becomes the owner of the database before opening it
 * (adm_open_db), and then can no longer read its own ticket cache, which
 * only root may read.  So the tickets move first into a cache in this
 * process's memory, where GSS-API and libcurl find them through
 * KRB5CCNAME.  Nothing to do without a cache: the Kerberos step then
 * says that there is no ticket. */
/* The context and the memory cache live as long as the process; kept
 * here so that they stay reachable (LeakSanitizer). */
static krb5_context adm_probe_krb5;
static krb5_ccache adm_probe_cc;

static void adm_probe_hold_ticket(apr_pool_t *pool)
{
    krb5_context k = NULL;
    krb5_ccache from = NULL, to = NULL;
    krb5_principal me = NULL;
    const char *name;

    if (geteuid() != 0 || krb5_init_context(&k) != 0)
        return;
    adm_ticket_cache = getenv("KRB5CCNAME");
    if (krb5_cc_default(k, &from) == 0 &&
        krb5_cc_get_principal(k, from, &me) == 0 &&
        krb5_cc_new_unique(k, "MEMORY", NULL, &to) == 0 &&
        krb5_cc_initialize(k, to, me) == 0 &&
        krb5_cc_copy_creds(k, from, to) == 0 &&
        (name = krb5_cc_get_name(k, to)) != NULL) {
        setenv("KRB5CCNAME", apr_pstrcat(pool, "MEMORY:", name, NULL), 1);
        adm_probe_cc = to;       /* stays for the process's lifetime */
        to = NULL;
    }
    if (to)
        krb5_cc_destroy(k, to);
    if (me)
        krb5_free_principal(k, me);
    if (from)
        krb5_cc_close(k, from);
    /* The context stays too: a MEMORY cache lives in the library. */
    adm_probe_krb5 = k;
}

/* ------------------------------------------------------------ target -- */

/* url with its host replaced (the port and path stay). */
static const char *adm_probe_rehost(apr_pool_t *p, const char *url,
                                    const char *host)
{
    const char *h = strstr(url, "://"), *rest;

    if (host == NULL || h == NULL)
        return url;
    h += 3;
    rest = h + strcspn(h, ":/?");
    return apr_pstrcat(p, apr_pstrndup(p, url, (size_t)(h - url)), host,
                       rest, NULL);
}

static const char *adm_probe_host(apr_pool_t *p, const char *url)
{
    const char *h = strstr(url, "://");

    h = h ? h + 3 : url;
    return apr_pstrndup(p, h, strcspn(h, ":/?"));
}

/* The virtual directory of the server, from the configuration database
 * the server itself reads. */
static int adm_probe_target(adm_probe *pr)
{
    apr_array_header_t *found;
    const cfg_vdir *v;
    const char *url;

    adm_probe_begin(pr, "Configuration");
    if (adm_open_db(pr->ctx, pr->cmd) != ADM_OK)
        return adm_probe_fail(pr, "ConfigurationError", "the configuration "
                              "database %s cannot be opened.",
                              pr->ctx->data_dir);
    if (adm_vdir_find(pr->ctx, pr->cmd, NULL, pr->server, &found) != ADM_OK
        || found->nelts == 0)
        return adm_probe_fail(pr, "ConfigurationError", "server '%s' has no "
                              "MAPI virtual directory (it was removed, or "
                              "never created: New-MapiVirtualDirectory "
                              "-Server %s).", pr->server, pr->server);
    v = APR_ARRAY_IDX(found, 0, cfg_vdir *);
    url = v->internal_url ? v->internal_url : v->external_url;
    if (url == NULL)
        return adm_probe_fail(pr, "ConfigurationError", "the MAPI virtual "
                              "directory '%s' has no URL.",
                              cfg_vdir_identity(pr->pool, v));
    pr->vdir_url = adm_probe_rehost(pr->pool, url, pr->hostname);
    pr->emsmdb_url = apr_pstrcat(pr->pool, pr->vdir_url, "/emsmdb/", NULL);
    pr->nspi_url = apr_pstrcat(pr->pool, pr->vdir_url, "/nspi/", NULL);
    return adm_probe_ok(pr);
}

static int adm_probe_mailbox(adm_probe *pr)
{
    apr_array_header_t *found;

    adm_probe_begin(pr, "Mailbox");
    if (pr->identity == NULL)
        return adm_probe_fail(pr, "ConfigurationError", "no mailbox to test: "
                              "give -MailboxId.");
    if (adm_mailbox_find(pr->ctx, pr->cmd, pr->identity, &found) != ADM_OK)
        return adm_probe_fail(pr, "ConfigurationError", "mailbox '%s' "
                              "cannot be looked up.", pr->identity);
    if (found->nelts != 1)
        return adm_probe_fail(pr, "ConfigurationError", found->nelts
                              ? "'%s' names several mailboxes."
                              : "no mailbox '%s' exists.", pr->identity);
    pr->mbx = APR_ARRAY_IDX(found, 0, cfg_mailbox *);
    return adm_probe_ok(pr);
}

/* ------------------------------------------------------------- HTTP -- */

/* An exchange and its HTTP-level outcome: 0 when a 200 came whose
 * X-ResponseCode is 0 (or absent when allow_no_code). */
static int adm_probe_post(adm_probe *pr, const char *url, const char *type,
                          const void *body, size_t len, adm_http_rsp *r)
{
    int code;

    if (adm_http_post(pr->http, url, type, type ? "application/mapi-http"
                      : "text/xml; charset=utf-8", body, len, 0, r) != 0)
        return adm_probe_fail(pr, strncmp(r->error, "DNS", 3) == 0
                              ? "DnsError" : strstr(r->error, "mismatch")
                              ? "CertificateNameMismatch"
                              : strncmp(r->error, "TLS", 3) == 0
                              ? "TlsError" : "ConnectionError", "%s",
                              r->error);
    if (r->status == 401)
        return adm_probe_fail(pr, "Unauthorized", "HTTP 401 Unauthorized: "
                              "the server refused the %s credentials; it "
                              "offers %s.", pr->hopts.user ? "Basic"
                              : "Negotiate (Kerberos)",
                              r->www_auth ? r->www_auth : "no method");
    if (r->status == 404)
        return adm_probe_fail(pr, "NotFound", "HTTP 404: nothing serves %s "
                              "(is the MAPI virtual directory of server "
                              "'%s' still there? Get-MapiVirtualDirectory).",
                              url, pr->server);
    if (r->status != 200)
        return adm_probe_fail(pr, "HttpError", "HTTP %ld from %s.",
                              r->status, url);
    code = r->response_code;
    if (type && code < 0)
        return adm_probe_fail(pr, "ProtocolError", "the reply carries no "
                              "X-ResponseCode.");
    if (type && code != 0)
        return adm_probe_fail(pr, "ResponseCode", "X-ResponseCode %d (%s).",
                              code, adm_http_code_name(code));
    if (type && !r->framed)
        return adm_probe_fail(pr, "ProtocolError", "the reply is not a "
                              "complete MAPI over HTTP response.");
    return 0;
}

/* ------------------------------------------------------------- ROPs -- */

static const char *adm_ec_name(uint32_t ec)
{
    static const struct { uint32_t ec; const char *name; } t[] = {
        { ecError, "ecError" }, { ecNotSupported, "ecNotSupported" },
        { ecInvalidObject, "ecInvalidObject" }, { ecNotFound, "ecNotFound" },
        { ecLoginFailure, "ecLoginFailure" },
        { ecInsufficientResources, "ecInsufficientResources" },
        { ecAccessDenied, "ecAccessDenied" },
        { ecNotEnoughMemory, "ecNotEnoughMemory" },
        { ecInvalidParam, "ecInvalidParam" }, { ecNullObject, "ecNullObject" },
        { ecUnknownUser, "ecUnknownUser" }, { ecLoginPerm, "ecLoginPerm" },
        { ecWrongServer, "ecWrongServer" },
        { ecNotImplemented, "ecNotImplemented" },
        { ecTooBig, "ecTooBig" }, { ecNotInitialized, "ecNotInitialized" },
        { 0x000004B6u, "ecRpcFormat" }, { 0x80040115u, "ecNetworkError" },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].ec == ec)
            return t[i].name;
    return "unknown error";
}

/* StatusCode first: a failure body is StatusCode, AuxSize, aux. */
static int adm_probe_status(adm_probe *pr, mapi_rd *rd, const adm_http_rsp *r)
{
    uint32_t status = 0, ec = 0;

    mapi_rd_init(rd, r->body, r->body_len);
    if (mapi_rd_u32(rd, &status) != 0)
        return adm_probe_fail(pr, "ProtocolError", "empty response body.");
    if (status != 0)
        return adm_probe_fail(pr, "ProtocolError", "StatusCode 0x%08X.",
                              status);
    if (mapi_rd_u32(rd, &ec) != 0)
        return adm_probe_fail(pr, "ProtocolError", "short response body.");
    if (ec != 0)
        return adm_probe_fail(pr, "MapiError", "ErrorCode 0x%08X (%s).", ec,
                              adm_ec_name(ec));
    return 0;
}

/* Execute of one ROP request buffer over the given handle table; the
 * plain ROP responses and the returned handle table. */
static int adm_probe_execute(adm_probe *pr, const mapi_wr *rops,
                             const uint32_t *handles, size_t n_handles,
                             mapi_rd *out, uint32_t *handles_out)
{
    mapi_wr payload, buf, body;
    adm_http_rsp r;
    mapi_rd rd;
    uint32_t flags, size, hsz;
    const uint8_t *rgb;
    rpcext_block *blocks;
    size_t nb;
    uint16_t rop_size;

    mapi_wr_init(&payload, pr->pool, RPCEXT_MAX_PAYLOAD);
    mapi_wr_u16(&payload, (uint16_t)(2 + rops->len));
    mapi_wr_bytes(&payload, rops->buf, rops->len);
    for (size_t i = 0; i < n_handles; i++)
        mapi_wr_u32(&payload, handles[i]);
    mapi_wr_init(&buf, pr->pool, RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD);
    mapi_wr_init(&body, pr->pool, 2 * RPCEXT_MAX_PAYLOAD);
    if (payload.failed ||
        rpcext_encode_block(&buf, payload.buf, payload.len, 0, 1) != 0)
        return adm_probe_fail(pr, "InternalError", "ROP buffer too large.");
    mapi_wr_u32(&body, 0x00000003u);        /* NoCompression, NoXorMagic */
    mapi_wr_u32(&body, (uint32_t)buf.len);
    mapi_wr_bytes(&body, buf.buf, buf.len);
    mapi_wr_u32(&body, ADM_MAX_ROP_OUT);
    mapi_wr_u32(&body, 0);                  /* AuxiliaryBufferSize */
    if (adm_probe_post(pr, pr->emsmdb_url, "Execute", body.buf, body.len,
                       &r) != 0 || adm_probe_status(pr, &rd, &r) != 0)
        return -1;
    if (mapi_rd_u32(&rd, &flags) || mapi_rd_u32(&rd, &size) ||
        mapi_rd_view(&rd, size, &rgb) ||
        rpcext_decode_chain(rgb, size, pr->pool, RPCEXT_MAX_BLOCKS, &blocks,
                            &nb) != RPCEXT_OK || nb == 0)
        return adm_probe_fail(pr, "ProtocolError", "the RopBuffer of the "
                              "Execute response does not decode.");
    mapi_rd_init(out, blocks[0].payload, blocks[0].size);
    if (mapi_rd_u16(out, &rop_size) || rop_size < 2 ||
        rop_size > blocks[0].size)
        return adm_probe_fail(pr, "ProtocolError", "bad RopSize.");
    hsz = (uint32_t)(blocks[0].size - rop_size);
    for (uint32_t i = 0; i < hsz / 4 && i < 2; i++) {
        const uint8_t *h = blocks[0].payload + rop_size + 4 * i;
        handles_out[i] = (uint32_t)h[0] | ((uint32_t)h[1] << 8) |
                         ((uint32_t)h[2] << 16) | ((uint32_t)h[3] << 24);
    }
    out->end = blocks[0].payload + rop_size;
    return 0;
}

/* RopId, handle index, ReturnValue: every ROP response starts so. */
static int adm_probe_rop_head(adm_probe *pr, mapi_rd *rd, uint8_t want,
                              const char *name)
{
    uint8_t id = 0, idx;
    uint32_t rv = 0;

    if (mapi_rd_u8(rd, &id) || mapi_rd_u8(rd, &idx) || mapi_rd_u32(rd, &rv))
        return adm_probe_fail(pr, "ProtocolError", "no %s response.", name);
    if (id != want)
        return adm_probe_fail(pr, "ProtocolError", "%s answered by RopId "
                              "0x%02X.", name, id);
    if (rv != 0)
        return adm_probe_fail(pr, "RopError", "%s returned 0x%08X (%s).",
                              name, rv, adm_ec_name(rv));
    return 0;
}

/* ---------------------------------------------------- the self test -- */

static int adm_probe_ping(adm_probe *pr, const char *step, const char *url)
{
    adm_http_rsp r;

    adm_probe_begin(pr, step);
    if (adm_probe_post(pr, url, "PING", NULL, 0, &r) != 0)
        return -1;
    return adm_probe_ok(pr);
}

/* An anonymous request must be refused with 401 naming the methods. */
static int adm_probe_anonymous(adm_probe *pr, const char *step,
                               const char *url)
{
    adm_http_rsp r;

    adm_probe_begin(pr, step);
    if (adm_http_post(pr->http, url, "PING", "application/mapi-http", NULL,
                      0, 1, &r) != 0)
        return adm_probe_fail(pr, "ConnectionError", "%s", r.error);
    if (r.status != 401)
        return adm_probe_fail(pr, "SecurityError", "an anonymous request "
                              "got HTTP %ld instead of 401.", r.status);
    if (r.www_auth == NULL)
        return adm_probe_fail(pr, "SecurityError", "the 401 offers no "
                              "authentication method (no "
                              "WWW-Authenticate).");
    pr->offered = r.www_auth;
    return adm_probe_ok(pr);
}

static int adm_probe_connect(adm_probe *pr);
static int adm_probe_bind(adm_probe *pr);
static int adm_probe_close(adm_probe *pr);

/* PING needs a session context on both endpoints: Connect and Bind make
 * them, Disconnect and Unbind end them. */
static int adm_probe_self(adm_probe *pr)
{
    if (adm_probe_mailbox(pr) != 0 || adm_probe_connect(pr) != 0 ||
        adm_probe_ping(pr, "Ping (emsmdb)", pr->emsmdb_url) != 0 ||
        adm_probe_bind(pr) != 0 ||
        adm_probe_ping(pr, "Ping (nspi)", pr->nspi_url) != 0 ||
        adm_probe_anonymous(pr, "Anonymous (emsmdb)", pr->emsmdb_url) != 0 ||
        adm_probe_anonymous(pr, "Anonymous (nspi)", pr->nspi_url) != 0)
        return -1;
    return adm_probe_close(pr);
}

/* ---------------------------------------------------- Autodiscover -- */

static const apr_xml_elem *adm_xchild(const apr_xml_elem *e, const char *n)
{
    for (e = e ? e->first_child : NULL; e; e = e->next)
        if (strcmp(e->name, n) == 0)
            return e;
    return NULL;
}

static const char *adm_xtext(apr_pool_t *p, const apr_xml_elem *e)
{
    const char *s = NULL;

    for (const apr_text *t = e ? e->first_cdata.first : NULL; t; t = t->next)
        s = s ? apr_pstrcat(p, s, t->text, NULL) : t->text;
    return s;
}

/* Why Autodiscover would not hand out MAPI over HTTP, from the settings
 * the server reads. */
static const char *adm_probe_why_no_mapihttp(adm_probe *pr)
{
    cfg_org *org = NULL;
    const char *error = NULL;

    if (!pr->mbx->mapi_enabled)
        return "MAPIEnabled is $false for the mailbox (Set-CASMailbox "
               "-MAPIEnabled)";
    if (cfg_org_get(pr->ctx->db, pr->pool, &org, &error) == 0 &&
        !cfg_effective_mapi_http(org, pr->mbx))
        return pr->mbx->mapi_http_enabled == 0
               ? "MapiHttpEnabled is $false for the mailbox (Set-CASMailbox "
                 "-MapiHttpEnabled)"
               : "MapiHttpEnabled is $false for the organisation "
                 "(Set-OrganizationConfig -MapiHttpEnabled)";
    return "the server offered no MAPI over HTTP URL";
}

static int adm_probe_autodiscover(adm_probe *pr)
{
    const char *url = apr_pstrcat(pr->pool, apr_pstrndup(pr->pool,
        pr->vdir_url, strlen(pr->vdir_url) - 5),
        "/autodiscover/autodiscover.xml", NULL);
    const char *body = apr_psprintf(pr->pool,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Autodiscover xmlns=\""
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/"
        "requestschema/2006\"><Request><EMailAddress>%s</EMailAddress>"
        "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/"
        "autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>"
        "</Request></Autodiscover>\r\n", pr->mbx->smtp);
    apr_xml_parser *xp;
    apr_xml_doc *doc = NULL;
    const apr_xml_elem *resp, *acct, *err;
    adm_http_rsp r;

    adm_probe_begin(pr, "Autodiscover");
    if (adm_probe_post(pr, url, NULL, body, strlen(body), &r) != 0)
        return -1;
    xp = apr_xml_parser_create(pr->pool);
    if (apr_xml_parser_feed(xp, (const char *)r.body, r.body_len) ||
        apr_xml_parser_done(xp, &doc) || doc == NULL ||
        (resp = adm_xchild(doc->root, "Response")) == NULL)
        return adm_probe_fail(pr, "AutodiscoverError", "the reply of %s is "
                              "not an Autodiscover response.", url);
    if ((err = adm_xchild(resp, "Error")) != NULL)
        return adm_probe_fail(pr, "AutodiscoverError", "error %s: %s.",
            adm_xtext(pr->pool, adm_xchild(err, "ErrorCode")),
            adm_xtext(pr->pool, adm_xchild(err, "Message")));
    acct = adm_xchild(resp, "Account");
    for (const apr_xml_elem *e = acct ? acct->first_child : NULL; e;
         e = e->next) {
        const apr_xml_elem *ms, *ab;
        const char *ms_url, *ab_url;
        const apr_xml_attr *at = e->attr;
        while (at && strcmp(at->name, "Type") != 0)
            at = at->next;
        if (strcmp(e->name, "Protocol") || at == NULL ||
            strcmp(at->value, "mapiHttp"))
            continue;
        ms = adm_xchild(e, "MailStore");
        ab = adm_xchild(e, "AddressBook");
        ms_url = adm_xtext(pr->pool, adm_xchild(ms, "InternalUrl"));
        ab_url = adm_xtext(pr->pool, adm_xchild(ab, "InternalUrl"));
        if (ms_url == NULL)
            ms_url = adm_xtext(pr->pool, adm_xchild(ms, "ExternalUrl"));
        if (ab_url == NULL)
            ab_url = adm_xtext(pr->pool, adm_xchild(ab, "ExternalUrl"));
        if (ms_url == NULL || ab_url == NULL)
            break;
        pr->emsmdb_url = adm_probe_rehost(pr->pool, ms_url, pr->hostname);
        pr->nspi_url = adm_probe_rehost(pr->pool, ab_url, pr->hostname);
        return adm_probe_ok(pr);
    }
    return adm_probe_fail(pr, "MapiHttpDisabled", "Autodiscover offered no "
                          "MAPI over HTTP for %s: %s.", pr->mbx->smtp,
                          adm_probe_why_no_mapihttp(pr));
}

/* ------------------------------------------------------ the deep test -- */

static int adm_probe_connect(adm_probe *pr)
{
    mapi_wr wr;
    mapi_rd rd;
    adm_http_rsp r;

    adm_probe_begin(pr, "Connect");
    mapi_wr_init(&wr, pr->pool, 4096);
    mapi_wr_str8(&wr, pr->mbx->legacy_dn);
    mapi_wr_u32(&wr, 0);                    /* Flags */
    mapi_wr_u32(&wr, 1252);                 /* DefaultCodePage */
    mapi_wr_u32(&wr, 1033);                 /* LcidSort */
    mapi_wr_u32(&wr, 1033);                 /* LcidString */
    mapi_wr_u32(&wr, 0);                    /* AuxiliaryBufferSize */
    if (adm_probe_post(pr, pr->emsmdb_url, "Connect", wr.buf, wr.len, &r)
        || adm_probe_status(pr, &rd, &r))
        return -1;
    return adm_probe_ok(pr);
}

static int adm_probe_logon(adm_probe *pr, uint32_t *logon_h, uint64_t *inbox)
{
    size_t n = strlen(pr->mbx->legacy_dn) + 1;
    uint32_t in[1] = { 0xFFFFFFFFu }, out[2] = { 0, 0 };
    uint8_t flags;
    mapi_wr rops;
    mapi_rd rd;

    adm_probe_begin(pr, "Execute (RopLogon)");
    mapi_wr_init(&rops, pr->pool, 4096);
    mapi_wr_u8(&rops, ROP_ID_LOGON);
    mapi_wr_u8(&rops, 0);                   /* LogonId */
    mapi_wr_u8(&rops, 0);                   /* OutputHandleIndex */
    mapi_wr_u8(&rops, 0x01);                /* LogonFlags: Private */
    mapi_wr_u32(&rops, ADM_OPEN_PRIVATE);
    mapi_wr_u32(&rops, 0);                  /* StoreState */
    mapi_wr_u16(&rops, (uint16_t)n);        /* EssdnSize, with the NUL */
    mapi_wr_bytes(&rops, pr->mbx->legacy_dn, n);
    if (adm_probe_execute(pr, &rops, in, 1, &rd, out) != 0 ||
        adm_probe_rop_head(pr, &rd, ROP_ID_LOGON, "RopLogon") != 0)
        return -1;
    if (mapi_rd_u8(&rd, &flags) ||
        mapi_rd_skip(&rd, 8 * ADM_FID_INBOX_INDEX) ||
        mapi_rd_u64(&rd, inbox))
        return adm_probe_fail(pr, "ProtocolError", "short RopLogon "
                              "response.");
    *logon_h = out[0];
    return adm_probe_ok(pr);
}

static int adm_probe_open_inbox(adm_probe *pr, uint32_t logon_h,
                                uint64_t inbox)
{
    uint32_t in[2] = { logon_h, 0xFFFFFFFFu }, out[2];
    mapi_wr rops;
    mapi_rd rd;

    adm_probe_begin(pr, "Execute (RopOpenFolder Inbox)");
    mapi_wr_init(&rops, pr->pool, 64);
    mapi_wr_u8(&rops, ROP_ID_OPEN_FOLDER);
    mapi_wr_u8(&rops, 0);                   /* LogonId */
    mapi_wr_u8(&rops, 0);                   /* InputHandleIndex */
    mapi_wr_u8(&rops, 1);                   /* OutputHandleIndex */
    mapi_wr_u64(&rops, inbox);
    mapi_wr_u8(&rops, 0);                   /* OpenModeFlags: read */
    if (adm_probe_execute(pr, &rops, in, 2, &rd, out) != 0 ||
        adm_probe_rop_head(pr, &rd, ROP_ID_OPEN_FOLDER, "RopOpenFolder") != 0)
        return -1;
    return adm_probe_ok(pr);
}

/* StatusCode, ErrorCode, aux: Disconnect and Unbind. */
static int adm_probe_end(adm_probe *pr, const char *step, const char *url,
                         const char *type, const mapi_wr *body)
{
    adm_http_rsp r;
    mapi_rd rd;

    adm_probe_begin(pr, step);
    if (adm_probe_post(pr, url, type, body->buf, body->len, &r) ||
        adm_probe_status(pr, &rd, &r))
        return -1;
    return adm_probe_ok(pr);
}

/* STAT ([MS-OXNSPI] 2.3.7): display-name order, the GAL, at the start. */
static void adm_wr_stat(mapi_wr *wr)
{
    mapi_wr_u32(wr, 0);                     /* SortType */
    mapi_wr_u32(wr, 0);                     /* ContainerID */
    mapi_wr_u32(wr, 0);                     /* CurrentRec */
    mapi_wr_u32(wr, 0);                     /* Delta */
    mapi_wr_u32(wr, 0);                     /* NumPos */
    mapi_wr_u32(wr, 0);                     /* TotalRecs */
    mapi_wr_u32(wr, 1252);                  /* CodePage */
    mapi_wr_u32(wr, 1033);                  /* TemplateLocale */
    mapi_wr_u32(wr, 1033);                  /* SortLocale */
}

static int adm_probe_bind(adm_probe *pr)
{
    mapi_wr wr;

    mapi_wr_init(&wr, pr->pool, 256);
    mapi_wr_u32(&wr, 0);                    /* Flags */
    mapi_wr_u8(&wr, 0xFF);                  /* HasState: true is 0xFF */
    adm_wr_stat(&wr);
    mapi_wr_u32(&wr, 0);
    return adm_probe_end(pr, "Bind", pr->nspi_url, "Bind", &wr);
}

static int adm_probe_resolve(adm_probe *pr)
{
    uint32_t cp, count, mid;
    uint8_t has;
    adm_http_rsp r;
    mapi_wr wr;
    mapi_rd rd;

    adm_probe_begin(pr, "ResolveNames");
    mapi_wr_init(&wr, pr->pool, 4096);
    mapi_wr_u32(&wr, 0);                    /* Reserved */
    mapi_wr_u8(&wr, 0xFF);                  /* HasState: true is 0xFF */
    adm_wr_stat(&wr);
    mapi_wr_u8(&wr, 0);                     /* HasPropertyTags: default */
    mapi_wr_u8(&wr, 0xFF);                  /* HasNames */
    mapi_wr_u32(&wr, 1);
    mapi_wr_str16(&wr, pr->mbx->smtp);
    mapi_wr_u32(&wr, 0);
    if (adm_probe_post(pr, pr->nspi_url, "ResolveNames", wr.buf, wr.len,
                       &r) || adm_probe_status(pr, &rd, &r))
        return -1;
    if (mapi_rd_u32(&rd, &cp) || mapi_rd_u8(&rd, &has) || !has ||
        mapi_rd_u32(&rd, &count) || count != 1 || mapi_rd_u32(&rd, &mid))
        return adm_probe_fail(pr, "ProtocolError", "no MIds in the "
                              "ResolveNames response.");
    if (mid < ADM_NSPI_MID_FIRST)
        return adm_probe_fail(pr, "NspiError", "'%s' %s in the address "
                              "book.", pr->mbx->smtp, mid == 1
                              ? "is ambiguous" : "did not resolve");
    return adm_probe_ok(pr);
}

static int adm_probe_deep(adm_probe *pr)
{
    uint32_t logon_h = 0;
    uint64_t inbox = 0;

    if (adm_probe_mailbox(pr) != 0 || adm_probe_autodiscover(pr) != 0 ||
        adm_probe_connect(pr) != 0 ||
        adm_probe_logon(pr, &logon_h, &inbox) != 0 ||
        adm_probe_open_inbox(pr, logon_h, inbox) != 0 ||
        adm_probe_bind(pr) != 0 || adm_probe_resolve(pr) != 0)
        return -1;
    return adm_probe_close(pr);
}

static int adm_probe_close(adm_probe *pr)
{
    mapi_wr wr;

    mapi_wr_init(&wr, pr->pool, 16);
    mapi_wr_u32(&wr, 0);                    /* AuxiliaryBufferSize */
    if (adm_probe_end(pr, "Disconnect", pr->emsmdb_url, "Disconnect", &wr))
        return -1;
    mapi_wr_init(&wr, pr->pool, 16);
    mapi_wr_u32(&wr, 0);                    /* Reserved */
    mapi_wr_u32(&wr, 0);
    return adm_probe_end(pr, "Unbind", pr->nspi_url, "Unbind", &wr);
}

/* ------------------------------------------------------------ driver -- */

/* The caller's principal, for the default mailbox: "user@REALM" of
 * -Credential or of the ticket. */
static int adm_probe_run(adm_probe *pr, int deep)
{
    const char *client = NULL;

    if (adm_probe_target(pr) != 0)
        return -1;
    if (pr->hopts.user == NULL &&
        adm_probe_kerberos(pr, adm_probe_host(pr->pool, pr->vdir_url),
                           &client) != 0)
        return -1;
    if (pr->identity == NULL)
        pr->identity = pr->hopts.user ? pr->hopts.user : client;
    pr->http = adm_http_new(pr->pool, &pr->hopts);
    if (pr->http == NULL)
        return adm_probe_fail(pr, "InternalError", "libcurl did not "
                              "start.");
    return deep ? adm_probe_deep(pr) : adm_probe_self(pr);
}

static adm_obj *adm_probe_one(adm_probe *proto, const char *probe, int deep,
                              int *failed)
{
    adm_probe pr = *proto;
    adm_obj *o = adm_obj_new(pr.pool);
    apr_time_t start = apr_time_now();
    int rc;

    pr.steps = apr_array_make(pr.pool, 12, sizeof(const char *));
    rc = adm_probe_run(&pr, deep);
    adm_http_free(pr.http);
    adm_obj_str(o, "MonitorIdentity", apr_pstrcat(pr.pool, ADM_MONITOR,
                                                  probe, NULL));
    adm_obj_time(o, "StartTime", start);
    adm_obj_time(o, "EndTime", apr_time_now());
    adm_obj_str(o, "Result", rc == 0 ? "Succeeded" : "Failed");
    adm_obj_str(o, "Error", pr.error);
    adm_obj_str(o, "Exception", pr.exception);
    adm_obj_str(o, "Server", pr.server);
    adm_obj_str(o, "TargetUrl", pr.vdir_url);
    adm_obj_str(o, "MailboxId", pr.mbx ? pr.mbx->smtp : pr.identity);
    adm_obj_str(o, "AuthenticationMethod", pr.hopts.user ? "Basic"
                                                         : "Negotiate");
    adm_obj_str(o, "OfferedAuthenticationMethods", pr.offered);
    adm_obj_str(o, "Latency", apr_psprintf(pr.pool, "%" APR_INT64_T_FMT,
        (apr_int64_t)apr_time_as_msec(apr_time_now() - start)));
    adm_obj_list(o, "Steps", pr.steps);
    if (rc != 0)
        *failed = 1;
    return o;
}

static int adm_probe_args(adm_ctx *ctx, const adm_args *a, adm_probe *pr)
{
    const char *cred = adm_arg(a, "Credential");
    const char *t = adm_arg(a, "TimeOutSeconds");
    int trust = 0;

    pr->server = adm_arg(a, "RunFromServerId");
    if (pr->server == NULL)
        pr->server = adm_local_server(ctx->pool);
    pr->hostname = adm_arg(a, "Hostname");
    pr->identity = adm_arg(a, "MailboxId");
    pr->hopts.ca_file = adm_arg(a, "CAFile");
    pr->hopts.timeout_ms = 30000;
    if (t) {
        char *end;
        long v = strtol(t, &end, 10);
        if (*end || v < 1 || v > 3600)
            return adm_error(ADM_ERR_INVALID_ARGUMENT, pr->cmd, "Cannot "
                             "validate argument on parameter "
                             "'TimeOutSeconds': '%s' is not a number of "
                             "seconds from 1 to 3600.", t);
        pr->hopts.timeout_ms = v * 1000;
    }
    if (adm_switch(a, "TrustAnySSLCertificate", &trust) != 0)
        return ADM_ERR_INVALID_ARGUMENT;
    pr->hopts.trust_any = trust;
    if (cred) {
        const char *colon = strchr(cred, ':');
        if (colon == NULL || colon == cred)
            return adm_error(ADM_ERR_INVALID_ARGUMENT, pr->cmd, "Cannot "
                             "process argument for parameter 'Credential': "
                             "expected user:password.");
        pr->hopts.user = apr_pstrndup(ctx->pool, cred, (size_t)(colon - cred));
        pr->hopts.password = colon + 1;
    }
    return ADM_OK;
}

int adm_cmd_test_connectivity(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Test-OutlookConnectivity", *probe;
    adm_probe pr = { .ctx = ctx, .pool = ctx->pool, .cmd = cmd };
    apr_array_header_t *objs = apr_array_make(ctx->pool, 2,
                                              sizeof(adm_obj *));
    adm_args a;
    int failed = 0, self = 1, deep = 1;
    int rc = adm_args_parse(ctx, cmd, adm_probe_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_probe_args(ctx, &a, &pr)) != ADM_OK)
        return rc;
    if (pr.hopts.user == NULL)
        adm_probe_hold_ticket(ctx->pool);
    probe = adm_arg(&a, "ProbeIdentity");
    if (probe) {
        /* "OutlookMapiHttp.Protocol\X" works as well as "X". */
        const char *bs = strrchr(probe, '\\');
        probe = bs ? bs + 1 : probe;
        self = strcasecmp(probe, ADM_SELF_PROBE) == 0;
        deep = strcasecmp(probe, ADM_DEEP_PROBE) == 0;
        if (!self && !deep)
            return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot validate "
                             "argument on parameter 'ProbeIdentity': '%s' is "
                             "not %s or %s.", probe, ADM_SELF_PROBE,
                             ADM_DEEP_PROBE);
    }
    if (self)
        APR_ARRAY_PUSH(objs, adm_obj *) =
            adm_probe_one(&pr, ADM_SELF_PROBE, 0, &failed);
    if (deep)
        APR_ARRAY_PUSH(objs, adm_obj *) =
            adm_probe_one(&pr, ADM_DEEP_PROBE, 1, &failed);
    adm_emit(ctx, objs, adm_probe_columns);
    if (failed)
        return adm_error(ADM_ERR_PROBE, cmd, "The probe failed (see Error%s).",
                         ctx->format == ADM_FMT_TABLE
                         ? "; -List shows every step" : "");
    return ADM_OK;
}
