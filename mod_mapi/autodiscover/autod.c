/*
 * autod.c: POX Autodiscover ([MS-OXDSCLI]) for the authenticated user:
 * POST /autodiscover/autodiscover.xml with an <EMailAddress>; the reply
 * names the user (DisplayName, LegacyDN, AutoDiscoverSMTPAddress) and,
 * where MAPI over HTTP is in effect and the client says it speaks it
 * (X-MapiHttpCapability above 0), the mapiHttp protocol element with the
 * MailStore and AddressBook URLs.
 *
 * URLs are built from the host and port the request reached, so that a
 * server on any port points clients at itself.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "autod.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"
#include "apr_xml.h"
#include "mod_mapi.h"
#include "configdb/cfg_db.h"

APLOG_USE_MODULE(mapi);

#define AUTOD_BODY_MAX   (64 * 1024)
#define AUTOD_NS_RESP    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
#define AUTOD_NS_OUTLOOK "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"

static int autod_read_body(request_rec *r, char **buf_r, apr_size_t *len_r)
{
    apr_size_t cap = 4096, len = 0;
    char *buf;

    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK)
        return -1;
    buf = apr_palloc(r->pool, cap + 1);
    for (;;) {
        long n;
        if (len == cap) {
            char *nbuf;
            if (cap >= AUTOD_BODY_MAX)
                return -1;
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

/* Depth-first search for the first element with this local name. */
static const apr_xml_elem *autod_find(const apr_xml_elem *e, const char *name)
{
    for (; e; e = e->next) {
        const apr_xml_elem *hit;
        if (strcmp(e->name, name) == 0)
            return e;
        if ((hit = autod_find(e->first_child, name)) != NULL)
            return hit;
    }
    return NULL;
}

static const char *autod_text(apr_pool_t *p, const apr_xml_elem *e)
{
    const char *s = NULL;
    apr_size_t len;

    if (e == NULL || e->first_cdata.first == NULL)
        return NULL;
    apr_xml_to_text(p, e, APR_XML_X2T_INNER, NULL, NULL, &s, &len);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return apr_pstrndup(p, s, strcspn(s, " \t\r\n"));
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
    const char *v = apr_table_get(r->headers_in, "X-MapiHttpCapability");
    char *end;
    long n;

    if (v == NULL)
        return 0;
    n = strtol(v, &end, 10);
    return *v && *end == '\0' && n > 0;
}

static const char *autod_base_url(request_rec *r)
{
    const char *host = r->hostname ? r->hostname : r->server->server_hostname;
    apr_port_t port = ap_get_server_port(r);
    const char *scheme = ap_http_scheme(r);
    int dflt = port == (strcmp(scheme, "https") == 0 ? 443 : 80);

    return dflt ? apr_psprintf(r->pool, "%s://%s", scheme, host)
                : apr_psprintf(r->pool, "%s://%s:%u", scheme, host, port);
}

static const char *autod_protocol(request_rec *r, const cfg_org *org,
                                  const cfg_mailbox *m)
{
    const char *base = autod_base_url(r);
    const char *id = apr_psprintf(r->pool, "%s@%s",
                                  cfg_guid_str(r->pool, m->guid),
                                  org->domain);

    return apr_psprintf(r->pool,
        "      <Protocol Type=\"mapiHttp\" Version=\"1\">\r\n"
        "        <MailStore>\r\n"
        "          <InternalUrl>%s/mapi/emsmdb/?MailboxId=%s</InternalUrl>\r\n"
        "          <ExternalUrl>%s/mapi/emsmdb/?MailboxId=%s</ExternalUrl>\r\n"
        "        </MailStore>\r\n"
        "        <AddressBook>\r\n"
        "          <InternalUrl>%s/mapi/nspi/?MailboxId=%s</InternalUrl>\r\n"
        "          <ExternalUrl>%s/mapi/nspi/?MailboxId=%s</ExternalUrl>\r\n"
        "        </AddressBook>\r\n"
        "      </Protocol>\r\n",
        base, id, base, id, base, id, base, id);
}

static int autod_reply(request_rec *r, const cfg_org *org,
                       const cfg_mailbox *m)
{
    int mapihttp = m->mapi_http_enabled == CFG_TRI_NULL
                   ? org->mapi_http_enabled : m->mapi_http_enabled;
    const char *proto = mapihttp && m->mapi_enabled &&
                        autod_mapihttp_capable(r)
                        ? autod_protocol(r, org, m) : "";

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
        ap_escape_html(r->pool, m->smtp), cfg_guid_str(r->pool, org->guid),
        proto));
}

int autod_handle(request_rec *r, mapi_db *db)
{
    apr_xml_parser *parser;
    apr_xml_doc *doc = NULL;
    const char *email, *error = NULL;
    cfg_mailbox *m;
    cfg_org *org;
    char *body;
    apr_size_t len;
    int rc;

    if (r->method_number != M_POST)
        return HTTP_METHOD_NOT_ALLOWED;
    if (r->user == NULL)
        return HTTP_UNAUTHORIZED;
    if (db == NULL)
        return HTTP_SERVICE_UNAVAILABLE;
    if (autod_read_body(r, &body, &len) != 0)
        return autod_error(r, "600", "Invalid Request");
    parser = apr_xml_parser_create(r->pool);
    if (apr_xml_parser_feed(parser, body, len) != APR_SUCCESS ||
        apr_xml_parser_done(parser, &doc) != APR_SUCCESS || doc == NULL)
        return autod_error(r, "600", "Invalid Request");
    email = autod_text(r->pool, autod_find(doc->root, "EMailAddress"));
    if (email == NULL || *email == '\0')
        return autod_error(r, "600", "Invalid Request");
    rc = cfg_org_get(db, r->pool, &org, &error);
    if (rc == 0)
        rc = cfg_mailbox_by_smtp(db, r->pool, email, &m, &error);
    if (rc == -1) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      MAPILOGNO(1060) "configuration: %s", error);
        return HTTP_SERVICE_UNAVAILABLE;
    }
    /* Someone else's address gets the same answer as an unknown one:
     * Autodiscover must not tell which addresses exist. */
    if (rc != 0 || m->principal == NULL ||
        strcasecmp(m->principal, r->user) != 0)
        return autod_error(r, "500", "The e-mail address cannot be found.");
    return autod_reply(r, org, m);
}
