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

/* The value of the MailboxId query parameter (mh_query_mailbox_id);
 * NULL when absent or empty, "" (nobody's mailbox) when it does not
 * decode. */
static const char *mh_mailbox_id(request_rec *r)
{
    return mh_query_mailbox_id(r->pool, r->args);
}

/* mh_mailbox_id_is and mh_client_version are in mh_parse.c. */

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
