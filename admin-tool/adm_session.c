/*
 * adm_session.c: Get-MapiSession and Remove-MapiSession: the live session
 * contexts of both endpoints, from the environment the server keeps them
 * in, and ending one (its client's next request gets X-ResponseCode 10,
 * Context Not Found, and Outlook connects again).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <string.h>
#include <strings.h>
#include <apr_fnmatch.h>
#include <apr_strings.h>
#include "session/sess_context.h"

static const adm_param_def adm_get_session_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "User", 0 }, ADM_P_OUTPUT,
    { NULL, 0 }
};

static const adm_param_def adm_remove_session_params[] = {
    { "Identity", ADM_P_POSITIONAL }, ADM_P_SHOULD, { NULL, 0 }
};

static const char *const adm_session_columns[] = {
    "Identity", "User", "Endpoint", "ClientApplication", "ClientAddress",
    "LastSeen", NULL
};

static const char *adm_session_endpoint(sess_endpoint ep)
{
    return ep == SESS_EP_EMSMDB ? "emsmdb" : ep == SESS_EP_NSPI ? "nspi"
                                                                : "unknown";
}

static adm_obj *adm_session_obj(apr_pool_t *p, const sess_context *c,
                                apr_time_t now)
{
    adm_obj *o = adm_obj_new(p);
    apr_int64_t left = sess_expiration_ms(c, now);

    adm_obj_str(o, "Identity", sess_id_hex(p, c->id));
    adm_obj_str(o, "User", c->identity);
    adm_obj_str(o, "Mailbox", c->mailbox);
    adm_obj_str(o, "Endpoint", adm_session_endpoint(c->endpoint));
    adm_obj_str(o, "AuthenticationType", c->auth_type);
    adm_obj_str(o, "ClientApplication", c->client_app);
    adm_obj_str(o, "ClientAddress", c->client_ip);
    adm_obj_time(o, "Created", c->created);
    adm_obj_time(o, "LastSeen", c->last_seen);
    adm_obj_time(o, "Expires", now + apr_time_from_msec(left > 0 ? left : 0));
    adm_obj_str(o, "Requests", apr_psprintf(p, "%" APR_UINT64_T_FMT,
                                            (apr_uint64_t)c->requests));
    adm_obj_bool(o, "Busy", c->busy_pid != 0);
    return o;
}

/* The sessions an identity (hex id, a unique prefix of one, or NULL for
 * all) and a user (principal or mailbox, wildcards allowed) select. */
static int adm_session_find(adm_ctx *ctx, const char *cmd, const char *id,
                            const char *user, apr_array_header_t **out_r)
{
    apr_array_header_t *all, *out;
    const char *error = NULL;
    int rc = adm_open_db(ctx, cmd);

    if (rc != ADM_OK)
        return rc;
    if (sess_list(ctx->db, ctx->pool, apr_time_now(), &all, &error) != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    out = apr_array_make(ctx->pool, all->nelts + 1, sizeof(sess_context *));
    for (int i = 0; i < all->nelts; i++) {
        sess_context *c = APR_ARRAY_IDX(all, i, sess_context *);
        const char *hex = sess_id_hex(ctx->pool, c->id);
        if (id && strncasecmp(hex, id, strlen(id)) != 0)
            continue;
        if (user && apr_fnmatch(user, c->identity ? c->identity : "",
                                APR_FNM_CASE_BLIND) != APR_SUCCESS &&
            apr_fnmatch(user, c->mailbox ? c->mailbox : "",
                        APR_FNM_CASE_BLIND) != APR_SUCCESS)
            continue;
        APR_ARRAY_PUSH(out, sess_context *) = c;
    }
    *out_r = out;
    return ADM_OK;
}

int adm_cmd_get_session(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-MapiSession", *id;
    apr_array_header_t *found, *objs;
    apr_time_t now = apr_time_now();
    adm_args a;
    int rc = adm_args_parse(ctx, cmd, adm_get_session_params, argc, argv,
                            &a);

    if (rc != ADM_OK)
        return rc;
    id = adm_arg(&a, "Identity");
    rc = adm_session_find(ctx, cmd, id, adm_arg(&a, "User"), &found);
    if (rc != ADM_OK)
        return rc;
    if (id && found->nelts == 0)
        return adm_not_found(cmd, id);
    objs = apr_array_make(ctx->pool, found->nelts + 1, sizeof(adm_obj *));
    for (int i = 0; i < found->nelts; i++)
        APR_ARRAY_PUSH(objs, adm_obj *) = adm_session_obj(ctx->pool,
            APR_ARRAY_IDX(found, i, sess_context *), now);
    adm_emit(ctx, objs, adm_session_columns);
    return ADM_OK;
}

int adm_cmd_remove_session(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Remove-MapiSession", *id, *error = NULL;
    apr_array_header_t *found;
    adm_should should;
    sess_context *c;
    adm_args a;
    int rc = adm_args_parse(ctx, cmd, adm_remove_session_params, argc, argv,
                            &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 1)) != ADM_OK)
        return rc;
    if ((id = adm_arg(&a, "Identity")) == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process "
                         "command because of one or more missing mandatory "
                         "parameters: Identity.");
    if ((rc = adm_session_find(ctx, cmd, id, NULL, &found)) != ADM_OK)
        return rc;
    if (found->nelts == 0)
        return adm_not_found(cmd, id);
    if (found->nelts > 1)
        return adm_error(ADM_ERR_AMBIGUOUS, cmd, "The identity '%s' matches "
                         "%d sessions; give more of it.", id, found->nelts);
    c = APR_ARRAY_IDX(found, 0, sess_context *);
    if (!adm_should_process(&should, apr_psprintf(ctx->pool,
            "Ending MAPI session \"%s\" of %s (%s)",
            sess_id_hex(ctx->pool, c->id), c->identity,
            adm_session_endpoint(c->endpoint))))
        return ADM_OK;
    if (sess_destroy(ctx->db, ctx->pool, c->id, &error) == SESS_DB_ERROR)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    return ADM_OK;
}
