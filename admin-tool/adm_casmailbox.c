/*
 * adm_casmailbox.c: Get-/Set-CASMailbox, the per-mailbox MAPI settings:
 * MapiHttpEnabled ($true, $false, or $null to inherit the organisation's),
 * MAPIEnabled, MAPIBlockOutlookVersions, MAPIBlockOutlookNonCachedMode,
 * MAPIBlockOutlookExternalConnectivity.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <stdio.h>
#include <string.h>
#include <apr_strings.h>

static const char *const adm_cas_columns[] = {
    "Name", "PrimarySmtpAddress", "MAPIEnabled", "MapiHttpEnabled", NULL
};

static adm_obj *adm_cas_obj(apr_pool_t *pool, const cfg_org *org,
                            const cfg_mailbox *m)
{
    adm_obj *o = adm_obj_new(pool);

    adm_obj_str(o, "Identity", m->name);
    adm_obj_str(o, "Name", m->name);
    adm_obj_str(o, "PrimarySmtpAddress", m->smtp);
    adm_obj_bool(o, "MAPIEnabled", m->mapi_enabled);
    adm_obj_tri(o, "MapiHttpEnabled", m->mapi_http_enabled);
    adm_obj_str(o, "MAPIBlockOutlookVersions", m->mapi_block_versions);
    adm_obj_bool(o, "MAPIBlockOutlookNonCachedMode",
                 m->mapi_block_non_cached);
    adm_obj_bool(o, "MAPIBlockOutlookExternalConnectivity",
                 m->mapi_block_external);
    /* Not an Exchange property: what the server applies, after the
     * organisation's value is inherited (admin-notes truth table). */
    adm_obj_bool(o, "EffectiveMapiHttpEnabled",
                 cfg_effective_mapi_http(org, m));
    return o;
}

static const adm_param_def adm_get_cas_params[] = {
    { "Identity", ADM_P_POSITIONAL }, ADM_P_OUTPUT, { NULL, 0 }
};

int adm_cmd_get_casmailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-CASMailbox", *id, *error = NULL;
    adm_args a;
    apr_array_header_t *found, *objs;
    cfg_org *org = NULL;
    int rc = adm_args_parse(ctx, cmd, adm_get_cas_params, argc, argv, &a);

    if (rc != ADM_OK)
        return rc;
    id = adm_arg(&a, "Identity");
    if ((rc = adm_mailbox_find(ctx, cmd, id, &found)) != ADM_OK)
        return rc;
    if (found->nelts == 0 && id && !adm_has_wildcard(id))
        return adm_not_found(cmd, id);
    rc = cfg_org_get(ctx->db, ctx->pool, &org, &error);
    if (rc != 0 && rc != CFG_NOT_FOUND)
        return adm_cfg_error(cmd, rc, "organization", error);
    objs = apr_array_make(ctx->pool, found->nelts + 1, sizeof(adm_obj *));
    for (int i = 0; i < found->nelts; i++)
        APR_ARRAY_PUSH(objs, adm_obj *) =
            adm_cas_obj(ctx->pool, rc == 0 ? org : NULL,
                        APR_ARRAY_IDX(found, i, cfg_mailbox *));
    adm_emit(ctx, objs, adm_cas_columns);
    return ADM_OK;
}

static const adm_param_def adm_set_cas_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "MapiHttpEnabled", 0 },
    { "MAPIEnabled", 0 }, { "MAPIBlockOutlookVersions", 0 },
    { "MAPIBlockOutlookNonCachedMode", 0 },
    { "MAPIBlockOutlookExternalConnectivity", 0 }, ADM_P_SHOULD,
    { NULL, 0 }
};

/* -1: unchanged. */
typedef struct adm_cas_change {
    int http, mapi, non_cached, external;
    int set_versions;
    const char *versions;          /* NULL clears */
} adm_cas_change;

static int adm_cas_apply(cfg_mailbox *m, void *baton)
{
    const adm_cas_change *c = baton;

    if (c->http != -2)
        m->mapi_http_enabled = c->http;
    if (c->mapi != -1)
        m->mapi_enabled = c->mapi;
    if (c->non_cached != -1)
        m->mapi_block_non_cached = c->non_cached;
    if (c->external != -1)
        m->mapi_block_external = c->external;
    if (c->set_versions)
        m->mapi_block_versions = c->versions;
    return 0;
}

static int adm_cas_bool(const adm_args *a, const char *name, int *out)
{
    const char *v = adm_arg(a, name);

    *out = -1;
    return v ? adm_parse_bool(a, name, v, out) : ADM_OK;
}

static int adm_cas_parse(const adm_args *a, adm_cas_change *c)
{
    const char *http = adm_arg(a, "MapiHttpEnabled");
    const char *versions = adm_arg(a, "MAPIBlockOutlookVersions");
    int rc;

    memset(c, 0, sizeof(*c));
    c->http = -2;                  /* -2: unchanged (-1 is $null) */
    if ((http && (rc = adm_parse_tri(a, "MapiHttpEnabled", http, &c->http))
         != ADM_OK) ||
        (rc = adm_cas_bool(a, "MAPIEnabled", &c->mapi)) != ADM_OK ||
        (rc = adm_cas_bool(a, "MAPIBlockOutlookNonCachedMode",
                           &c->non_cached)) != ADM_OK ||
        (rc = adm_cas_bool(a, "MAPIBlockOutlookExternalConnectivity",
                           &c->external)) != ADM_OK)
        return rc;
    if (versions) {
        c->set_versions = 1;
        c->versions = adm_is_null(versions) ? NULL : versions;
        if (c->versions && !cfg_version_ranges_valid(c->versions))
            return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot "
                             "process argument for parameter "
                             "'MAPIBlockOutlookVersions': '%s' is not a list "
                             "of version ranges such as "
                             "\"-14.9.9;15.0.0-15.0.4568\" (a-b, -b, a-, or a "
                             "single version, separated by ';').",
                             versions);
    }
    return ADM_OK;
}

int adm_cmd_set_casmailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Set-CASMailbox", *error = NULL;
    adm_args a;
    adm_should should;
    adm_cas_change c;
    cfg_mailbox *m;
    int rc = adm_args_parse(ctx, cmd, adm_set_cas_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK ||
        (rc = adm_cas_parse(&a, &c)) != ADM_OK ||
        (rc = adm_mailbox_one(ctx, cmd, adm_arg(&a, "Identity"), &m))
        != ADM_OK)
        return rc;
    if (c.http == -2 && c.mapi == -1 && c.non_cached == -1 &&
        c.external == -1 && !c.set_versions) {
        adm_warning("The command completed successfully but no settings of "
                    "'%s' have been modified.", m->name);
        return ADM_OK;
    }
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Setting CAS "
                            "mailbox \"%s\" (%s).", m->name, m->smtp)))
        return ADM_OK;
    rc = cfg_mailbox_update(ctx->db, ctx->pool, m->smtp, adm_cas_apply, &c,
                            &error);
    return adm_cfg_error(cmd, rc, m->name, error);
}
