/*
 * autod.c: POX Autodiscover ([MS-OXDSCLI]) for the authenticated user:
 * POST /autodiscover/autodiscover.xml with an <EMailAddress>; the reply
 * names the user (DisplayName, LegacyDN, AutoDiscoverSMTPAddress) and the
 * transport the client is to use, read live from the configuration:
 *
 *   MAPI over HTTP in effect (effective MapiHttpEnabled, admin-notes.md
 *   truth table; MAPIEnabled) and the client capable (X-MapiHttpCapability
 *   an integer above 0; anything else counts as absent) and the host has
 *   a MAPI virtual directory: <Protocol Type="mapiHttp" Version="1"> with
 *   MailStore and AddressBook URLs built from the directory's InternalUrl
 *   and ExternalUrl and "?MailboxId=<mailbox guid>@<domain>".
 *
 *   Otherwise the other transport, RPC over HTTP (Outlook Anywhere): the
 *   EXCH protocol element (the mailbox server, for inside the network) and
 *   the EXPR element (the proxy for outside), and no mapiHttp element.
 *
 * MAPIBlockOutlookExternalConnectivity leaves out what is for outside:
 * the ExternalUrls, the EXPR element.  The standard error reply answers an
 * unknown address and somebody else's alike (Autodiscover must not tell
 * which addresses exist), and a body that is not a well-formed request
 * (600).  Bodies are bounded, DTDs refused (no entity expansion), and the
 * document is walked along a fixed path, never recursively.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "autod.h"
#include "autod_request.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"
#include "mod_mapi.h"

APLOG_USE_MODULE(mapi);

#define AUTOD_NS_RESP    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
#define AUTOD_NS_OUTLOOK "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
/* ServerVersion of the EXCH element: 0111, major (6 bits), minor (6
 * bits), 1, build (15 bits): 15.2.1544, the version X-ServerApplication
 * names. */
#define AUTOD_SERVER_VERSION "73C28608"

/* 0, HTTP_REQUEST_ENTITY_TOO_LARGE (a declared or actual body over the
 * limit, refused before or while reading), or -1 when unreadable. */
static int autod_read_body(request_rec *r, char **buf_r, apr_size_t *len_r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_size_t cap = 4096, len = 0;
    char *buf;

    if (cl) {
        apr_off_t declared;
        char *end;
        if (apr_strtoff(&declared, cl, &end, 10) != APR_SUCCESS ||
            *end != '\0' || declared < 0)
            return -1;
        if (declared > AUTOD_BODY_MAX)
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK)
        return -1;
    buf = apr_palloc(r->pool, cap + 1);
    for (;;) {
        long n;
        if (len == cap) {
            char *nbuf;
            if (cap >= AUTOD_BODY_MAX)
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            nbuf = apr_palloc(r->pool, cap * 2 + 1);
            memcpy(nbuf, buf, len);
            buf = nbuf;
            cap *= 2;
        }
        n = ap_get_client_block(r, buf + len, cap - len);
        if (n == 0)
            break;
        if (n < 0)
            return -1;
        len += (apr_size_t)n;
    }
    buf[len] = '\0';
    *buf_r = buf;
    *len_r = len;
    return 0;
}

/* The <EMailAddress> of <Autodiscover><Request>, or NULL when the body is
 * not such a document (autod_request.c). */
static const char *autod_parse(request_rec *r, const char *body,
                               apr_size_t len)
{
    return autod_parse_request(r->pool, body, len);
}

static int autod_send(request_rec *r, const char *xml)
{
    ap_set_content_type(r, "text/xml; charset=utf-8");
    ap_set_content_length(r, (apr_off_t)strlen(xml));
    apr_table_setn(r->headers_out, "Cache-Control", "private");
    ap_rwrite(xml, (int)strlen(xml), r);
    return OK;
}

/* The standard error reply ([MS-OXDSCLI] 2.2.4.1.1.1): HTTP 200. */
static int autod_error(request_rec *r, const char *code, const char *msg)
{
    char date[APR_RFC822_DATE_LEN];

    apr_table_setn(r->notes, MAPI_NOTE_LOG_ERROR,
                   apr_pstrcat(r->pool, code, " ", msg, NULL));
    apr_rfc822_date(date, apr_time_now());
    return autod_send(r, apr_psprintf(r->pool,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
        "<Autodiscover xmlns=\"" AUTOD_NS_RESP "\">\r\n"
        "  <Response>\r\n"
        "    <Error Time=\"%s\" Id=\"%u\">\r\n"
        "      <ErrorCode>%s</ErrorCode>\r\n"
        "      <Message>%s</Message>\r\n"
        "      <DebugData />\r\n"
        "    </Error>\r\n"
        "  </Response>\r\n"
        "</Autodiscover>\r\n", date, (unsigned)getpid(), code, msg));
}

/* X-MapiHttpCapability: an integer above 0, else absent. */
static int autod_mapihttp_capable(request_rec *r)
{
    return autod_mapihttp_capable_value(
        apr_table_get(r->headers_in, "X-MapiHttpCapability"));
}

/* What the reply is built from. */
typedef struct autod_ctx {
    request_rec *r;
    const cfg_org *org;
    const cfg_mailbox *m;
    const cfg_vdir *vdir;        /* NULL: the host has none */
    const char *mailbox_id;      /* "<guid>@<domain>" */
    int external;                /* external access not blocked */
} autod_ctx;

/* <InternalUrl> and/or <ExternalUrl> of one endpoint. */
static const char *autod_urls(const autod_ctx *a, const char *endpoint)
{
    apr_pool_t *p = a->r->pool;
    const char *in = a->vdir->internal_url, *ex = a->vdir->external_url;
    const char *s = "";

    if (in)
        s = apr_psprintf(p, "          <InternalUrl>%s/%s/?MailboxId=%s"
                         "</InternalUrl>\r\n", ap_escape_html(p, in),
                         endpoint, a->mailbox_id);
    if (ex && a->external)
        s = apr_psprintf(p, "%s          <ExternalUrl>%s/%s/?MailboxId=%s"
                         "</ExternalUrl>\r\n", s, ap_escape_html(p, ex),
                         endpoint, a->mailbox_id);
    return s;
}

static const char *autod_mapihttp(const autod_ctx *a)
{
    return apr_psprintf(a->r->pool,
        "      <Protocol Type=\"mapiHttp\" Version=\"1\">\r\n"
        "        <MailStore>\r\n%s"
        "        </MailStore>\r\n"
        "        <AddressBook>\r\n%s"
        "        </AddressBook>\r\n"
        "      </Protocol>\r\n",
        autod_urls(a, "emsmdb"), autod_urls(a, "nspi"));
}

/* The host of a vdir URL, or else of the request. */
static const char *autod_host(const autod_ctx *a, const char *url)
{
    const char *host = NULL;
    unsigned port;

    if (url && cfg_url_host_port(a->r->pool, url, &host, &port) == 0 && host)
        return host;
    return a->r->hostname ? a->r->hostname
                          : a->r->server->server_hostname;
}

/* Outlook Anywhere's AuthPackage from the methods the vdir allows. */
static const char *autod_auth_package(const autod_ctx *a)
{
    unsigned m = a->vdir ? a->vdir->iis_auth : CFG_AUTH_NEGOTIATE;

    if (m & CFG_AUTH_NEGOTIATE)
        return "Negotiate";
    if (m & CFG_AUTH_NTLM)
        return "Ntlm";
    return "Basic";
}

/* RPC over HTTP: EXCH (inside: the mailbox server, named by the mailbox
 * GUID as Exchange 2013 and later do) and EXPR (outside: the proxy host of
 * the ExternalUrl), the latter only where external access is allowed and
 * the vdir has an ExternalUrl (any host when there is no vdir). */
static const char *autod_rpc_http(const autod_ctx *a)
{
    apr_pool_t *p = a->r->pool;
    const char *server_dn = apr_psprintf(p, "%s/cn=Configuration/cn=Servers"
                                         "/cn=%s",
                                         cfg_org_dn_prefix(p, a->org),
                                         a->mailbox_id);
    const char *s = apr_psprintf(p,
        "      <Protocol>\r\n"
        "        <Type>EXCH</Type>\r\n"
        "        <Server>%s</Server>\r\n"
        "        <ServerDN>%s</ServerDN>\r\n"
        "        <ServerVersion>" AUTOD_SERVER_VERSION "</ServerVersion>\r\n"
        "        <MdbDN>%s/cn=Microsoft Private MDB</MdbDN>\r\n"
        "        <PublicFolderServer>%s</PublicFolderServer>\r\n"
        "        <AuthPackage>%s</AuthPackage>\r\n"
        "        <ServerExclusiveConnect>Off</ServerExclusiveConnect>\r\n"
        "      </Protocol>\r\n",
        a->mailbox_id, ap_escape_html(p, server_dn),
        ap_escape_html(p, server_dn),
        ap_escape_html(p, autod_host(a, a->vdir ? a->vdir->internal_url
                                                : NULL)),
        autod_auth_package(a));

    if (!a->external || (a->vdir && a->vdir->external_url == NULL))
        return s;
    return apr_psprintf(p, "%s"
        "      <Protocol>\r\n"
        "        <Type>EXPR</Type>\r\n"
        "        <Server>%s</Server>\r\n"
        "        <SSL>On</SSL>\r\n"
        "        <AuthPackage>%s</AuthPackage>\r\n"
        "        <ServerExclusiveConnect>On</ServerExclusiveConnect>\r\n"
        "        <CertPrincipalName>None</CertPrincipalName>\r\n"
        "      </Protocol>\r\n",
        s, ap_escape_html(p, autod_host(a, a->vdir ? a->vdir->external_url
                                                   : NULL)),
        autod_auth_package(a));
}

/* Whether the mapiHttp element goes out (the truth table of
 * admin-notes.md, X-MapiHttpCapability, a vdir with a URL left to give). */
static int autod_use_mapihttp(const autod_ctx *a)
{
    if (!cfg_effective_mapi_http(a->org, a->m) || !a->m->mapi_enabled ||
        !autod_mapihttp_capable(a->r) || a->vdir == NULL)
        return 0;
    return a->vdir->internal_url != NULL ||
           (a->external && a->vdir->external_url != NULL);
}

static int autod_reply(autod_ctx *a)
{
    request_rec *r = a->r;
    const cfg_mailbox *m = a->m;

    a->mailbox_id = apr_psprintf(r->pool, "%s@%s",
                                 cfg_guid_str(r->pool, m->guid),
                                 ap_escape_html(r->pool, a->org->domain));
    a->external = !m->mapi_block_external;
    return autod_send(r, apr_psprintf(r->pool,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
        "<Autodiscover xmlns=\"" AUTOD_NS_RESP "\">\r\n"
        "  <Response xmlns=\"" AUTOD_NS_OUTLOOK "\">\r\n"
        "    <User>\r\n"
        "      <DisplayName>%s</DisplayName>\r\n"
        "      <LegacyDN>%s</LegacyDN>\r\n"
        "      <AutoDiscoverSMTPAddress>%s</AutoDiscoverSMTPAddress>\r\n"
        "      <DeploymentId>%s</DeploymentId>\r\n"
        "    </User>\r\n"
        "    <Account>\r\n"
        "      <AccountType>email</AccountType>\r\n"
        "      <Action>settings</Action>\r\n"
        "      <MicrosoftOnline>False</MicrosoftOnline>\r\n"
        "%s"
        "    </Account>\r\n"
        "  </Response>\r\n"
        "</Autodiscover>\r\n",
        ap_escape_html(r->pool, m->display_name),
        ap_escape_html(r->pool, m->legacy_dn),
        ap_escape_html(r->pool, m->smtp), cfg_guid_str(r->pool, a->org->guid),
        autod_use_mapihttp(a) ? autod_mapihttp(a) : autod_rpc_http(a)));
}

/* The mailbox the address names, when it is the caller's own: 0, 1 when
 * unknown or someone else's, -1 on a database failure (logged). */
static int autod_own_mailbox(request_rec *r, mapi_db *db, const char *email,
                             cfg_org **org_r, cfg_mailbox **m_r)
{
    const char *error = NULL;
    cfg_mailbox *mine = NULL;
    int rc = cfg_org_get(db, r->pool, org_r, &error);

    if (rc == 0)
        rc = cfg_mailbox_by_smtp(db, r->pool, email, m_r, &error);
    if (rc == 0)
        rc = cfg_mailbox_by_principal(db, r->pool, r->user, &mine, &error);
    if (rc == -1) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      MAPILOGNO(1060) "configuration: %s", error);
        return -1;
    }
    if (rc != 0 || memcmp(mine->guid, (*m_r)->guid, 16) != 0)
        return 1;
    return 0;
}

int autod_handle(request_rec *r, mapi_db *db, const cfg_vdir *vdir)
{
    autod_ctx a = { .r = r, .vdir = vdir };
    const char *email;
    cfg_mailbox *m = NULL;
    cfg_org *org = NULL;
    char *body = NULL;
    apr_size_t len = 0;
    int rc;

    if (r->method_number != M_POST)
        return HTTP_METHOD_NOT_ALLOWED;
    if (r->user == NULL)
        return HTTP_UNAUTHORIZED;
    if (db == NULL)
        return HTTP_SERVICE_UNAVAILABLE;
    rc = autod_read_body(r, &body, &len);
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE)
        return rc;
    if (rc != 0 || (email = autod_parse(r, body, len)) == NULL ||
        *email == '\0')
        return autod_error(r, "600", "Invalid Request");
    /* The protocol log's MailboxId (log/mapi_log.c). */
    apr_table_setn(r->notes, MAPI_NOTE_LOG_MAILBOX, email);
    rc = autod_own_mailbox(r, db, email, &org, &m);
    if (rc < 0)
        return HTTP_SERVICE_UNAVAILABLE;
    if (rc > 0)
        return autod_error(r, "500", "The e-mail address cannot be found.");
    a.org = org;
    a.m = m;
    return autod_reply(&a);
}
