/*
 * mh_policy.c: whether the caller's mailbox may use MAPI over HTTP, read
 * live on every request (Set-CASMailbox, Set-OrganizationConfig take
 * effect on the next request), and whether the request's ?MailboxId=
 * names the caller's own mailbox.
 *
 * The answers, in the order they are decided (admin-notes.md: MAPIEnabled
 * $false blocks everything and the other settings are then ignored):
 *
 *   ?MailboxId= of another mailbox      X-ResponseCode 11 No Privilege
 *       ([MS-OXCMAPIHTTP] R147: no privileges to the session context the
 *       URL asks for); every request type.  An absent MailboxId is
 *       accepted (clients configured by hand).
 *   MAPIEnabled $false                  Connect: ErrorCode ecProtocolDisabled
 *       0x7D8 ([MS-OXCRPC] R615, R617: the user may only use other means);
 *       Bind: ErrorCode LogonFailed ([MS-OXNSPI] R687, R953: the server's
 *       checks failed); any other request of an existing context:
 *       X-ResponseCode 16 Endpoint Disabled ([MS-OXCMAPIHTTP] R152).
 *   effective MapiHttpEnabled $false    X-ResponseCode 16 Endpoint Disabled
 *       (R152) on every request type, existing contexts included: MAPI
 *       over HTTP is off for this mailbox, the client falls back to the
 *       transport Autodiscover hands it.
 *   X-ClientApplication version in MAPIBlockOutlookVersions
 *                                       Connect: ErrorCode
 *       ecClientVerDisallowed 0x4DF ([MS-OXCRPC] R595); Bind: LogonFailed
 *       (R687).  Checked when a context is made only: the version is the
 *       client's own statement, made at logon.
 *
 * Disconnect and Unbind are always let through: they only end a context.
 * A refused existing context is left as it is (it expires on its idle
 * timer), so re-enabling the mailbox lets the client go on.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_log.h"
#include "apr_strings.h"
#include "mod_mapi.h"

APLOG_USE_MODULE(mapi);

/* The organisation and the caller's mailbox; 0 (mr->mbx NULL when the
 * identity has none), -1 on a database failure (logged). */
static int mh_policy_lookup(mh_request *mr)
{
    request_rec *r = mr->r;
    const char *error = NULL;
    int rc = cfg_org_get(mr->db, r->pool, &mr->org, &error);

    if (rc != 0)
        mr->org = NULL;
    else
        rc = cfg_mailbox_by_principal(mr->db, r->pool, r->user, &mr->mbx,
                                      &error);
    if (rc != 0)
        mr->mbx = NULL;
    if (rc == -1) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAPILOGNO(1065)
                      "configuration: %s", error);
        return -1;
    }
    return 0;
}

/* The value of the MailboxId query parameter (name case-insensitive,
 * %-decoded); NULL when absent or empty. */
static const char *mh_mailbox_id(request_rec *r)
{
    const char *args = r->args;

    while (args && *args) {
        size_t len = strcspn(args, "&");
        const char *eq = memchr(args, '=', len);
        if (eq && (size_t)(eq - args) == 9 &&
            strncasecmp(args, "MailboxId", 9) == 0 && len > 10) {
            char *v = apr_pstrmemdup(r->pool, eq + 1, len - 10);
            /* A value that does not decode is nobody's mailbox. */
            return ap_unescape_url(v) == OK ? v : "";
        }
        args += len;
        if (*args == '&')
            args++;
    }
    return NULL;
}

/* Whether id names mbx: "<mailbox guid>@<organisation domain>" (what
 * Autodiscover hands out; braces around the GUID tolerated) or one of the
 * mailbox's SMTP addresses. */
static int mh_mailbox_id_is(apr_pool_t *p, const char *id,
                            const cfg_org *org, const cfg_mailbox *mbx)
{
    const char *at = strrchr(id, '@');
    const char *guid = cfg_guid_str(p, mbx->guid);
    const char *g = id;
    size_t glen;

    if (at == NULL)
        return 0;
    glen = (size_t)(at - id);
    if (glen == 38 && g[0] == '{' && g[37] == '}') {
        g++;
        glen = 36;
    }
    if (glen == strlen(guid) && strncasecmp(g, guid, glen) == 0 &&
        org && strcasecmp(at + 1, org->domain) == 0)
        return 1;
    if (strcasecmp(id, mbx->smtp) == 0)
        return 1;
    for (int i = 0; mbx->smtp_addresses && i < mbx->smtp_addresses->nelts;
         i++)
        if (strcasecmp(id, APR_ARRAY_IDX(mbx->smtp_addresses, i,
                                         const char *)) == 0)
            return 1;
    return 0;
}

/* "Outlook/16.0.5095.1000" -> "16.0.5095.1000"; NULL without a version. */
static const char *mh_client_version(apr_pool_t *p, const char *app)
{
    const char *slash = app ? strchr(app, '/') : NULL;

    if (slash == NULL || slash[1] == '\0')
        return NULL;
    return apr_pstrndup(p, slash + 1, strcspn(slash + 1, " ;\t"));
}

static int mh_version_blocked(mh_request *mr)
{
    const char *ranges = mr->mbx->mapi_block_versions;
    const char *v;
    int b;

    if (ranges == NULL || *ranges == '\0')
        return 0;
    v = mh_client_version(mr->r->pool, mr->client_app);
    if (v == NULL)
        return 0;
    b = cfg_version_blocked(ranges, v);
    if (b < 0)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, mr->r, MAPILOGNO(1066)
                      "MAPIBlockOutlookVersions of %s does not parse: "
                      "not applied", mr->mbx->smtp);
    return b == 1;
}

static mh_verdict mh_policy_decide(mh_request *mr)
{
    const char *id = mh_mailbox_id(mr->r);

    if (id && !mh_mailbox_id_is(mr->r->pool, id, mr->org, mr->mbx))
        return MH_DENY_FOREIGN_MAILBOX;
    if (!mr->mbx->mapi_enabled)
        return MH_DENY_MAPI;
    if (mr->org && !cfg_effective_mapi_http(mr->org, mr->mbx))
        return MH_DENY_MAPI_HTTP;
    if ((mr->type->flags & MH_RT_CREATES) && mh_version_blocked(mr))
        return MH_DENY_VERSION;
    return MH_ALLOW;
}

int mh_policy_check(mh_request *mr)
{
    unsigned f = mr->type->flags;

    if (mh_policy_lookup(mr) != 0)
        return mh_respond_error(mr, MH_UNKNOWN_FAILURE,
                                HTTP_INTERNAL_SERVER_ERROR,
                                "configuration not available");
    /* No mailbox: Connect and Bind say so in their bodies; a context
     * request meets the context's identity check. */
    if (mr->mbx == NULL)
        return OK;
    mr->verdict = mh_policy_decide(mr);
    switch (mr->verdict) {
    case MH_DENY_FOREIGN_MAILBOX:
        return mh_respond_error(mr, MH_NO_PRIVILEGE, HTTP_OK,
                                "MailboxId names another mailbox");
    case MH_DENY_MAPI_HTTP:
        if (f & MH_RT_ENDS)
            return OK;
        return mh_respond_error(mr, MH_ENDPOINT_DISABLED, HTTP_OK,
                                "MapiHttpEnabled is off for the mailbox");
    case MH_DENY_MAPI:
        if (f & (MH_RT_CREATES | MH_RT_ENDS))
            return OK;
        return mh_respond_error(mr, MH_ENDPOINT_DISABLED, HTTP_OK,
                                "MAPIEnabled is off for the mailbox");
    default:
        return OK;
    }
}
