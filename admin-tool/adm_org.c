/*
 * adm_org.c: New-Organization (creates the organisation on a fresh
 * database) and Get-/Set-OrganizationConfig -MapiHttpEnabled.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <stdio.h>
#include <string.h>
#include <apr_strings.h>

static const char *const adm_org_columns[] = {
    "Name", "Domain", "MapiHttpEnabled", NULL
};

static void adm_org_emit(adm_ctx *ctx, const cfg_org *org)
{
    apr_array_header_t *objs = apr_array_make(ctx->pool, 1,
                                              sizeof(adm_obj *));
    adm_obj *o = adm_obj_new(ctx->pool);

    adm_obj_str(o, "Name", org->name);
    adm_obj_str(o, "Domain", org->domain);
    adm_obj_bool(o, "MapiHttpEnabled", org->mapi_http_enabled);
    adm_obj_str(o, "LegacyExchangeDNPrefix", cfg_org_dn_prefix(ctx->pool,
                                                               org));
    adm_obj_str(o, "Guid", cfg_guid_str(ctx->pool, org->guid));
    adm_obj_time(o, "WhenCreated", org->created);
    adm_obj_time(o, "WhenChanged", org->changed);
    APR_ARRAY_PUSH(objs, adm_obj *) = o;
    adm_emit(ctx, objs, adm_org_columns);
}

static int adm_no_org(const char *cmd)
{
    return adm_error(ADM_ERR_NOT_FOUND, cmd, "The operation couldn't be "
                     "performed because object 'organization' couldn't be "
                     "found. Create it with new-organization.");
}

static const adm_param_def adm_new_org_params[] = {
    { "Name", 0 }, { "Domain", 0 }, { "MapiHttpEnabled", 0 }, ADM_P_SHOULD,
    ADM_P_OUTPUT, { NULL, 0 }
};

int adm_cmd_new_organization(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "New-Organization", *error = NULL, *enabled;
    adm_args a;
    adm_should should;
    cfg_org org = { 0 };
    int rc = adm_args_parse(ctx, cmd, adm_new_org_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK)
        return rc;
    org.name = adm_arg(&a, "Name");
    org.domain = adm_arg(&a, "Domain");
    if (org.name == NULL || org.domain == NULL || !*org.name ||
        !*org.domain)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process "
                         "command because of one or more missing mandatory "
                         "parameters: Name, Domain.");
    if (strchr(org.name, '/') != NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process "
                         "argument for parameter 'Name': '%s' contains '/', "
                         "which legacyExchangeDN values cannot hold.",
                         org.name);
    org.mapi_http_enabled = 1;   /* a new organisation starts enabled */
    enabled = adm_arg(&a, "MapiHttpEnabled");
    if (enabled && adm_parse_bool(&a, "MapiHttpEnabled", enabled,
                                  &org.mapi_http_enabled) != ADM_OK)
        return ADM_ERR_INVALID_ARGUMENT;
    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Creating "
                            "organization \"%s\".", org.name)))
        return ADM_OK;
    rc = cfg_org_create(ctx->db, ctx->pool, &org, &error);
    if (rc == CFG_CONFLICT)
        return adm_error(ADM_ERR_CONFLICT, cmd, "The organization already "
                         "exists; change it with set-orgconfig.");
    if (rc != 0)
        return adm_cfg_error(cmd, rc, org.name, error);
    adm_org_emit(ctx, &org);
    return ADM_OK;
}

static const adm_param_def adm_get_org_params[] = {
    ADM_P_OUTPUT, { NULL, 0 }
};

int adm_cmd_get_orgconfig(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-OrganizationConfig", *error = NULL;
    adm_args a;
    cfg_org *org;
    int rc = adm_args_parse(ctx, cmd, adm_get_org_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    rc = cfg_org_get(ctx->db, ctx->pool, &org, &error);
    if (rc == CFG_NOT_FOUND)
        return adm_no_org(cmd);
    if (rc != 0)
        return adm_cfg_error(cmd, rc, "organization", error);
    adm_org_emit(ctx, org);
    return ADM_OK;
}

static const adm_param_def adm_set_org_params[] = {
    { "MapiHttpEnabled", 0 }, ADM_P_SHOULD, { NULL, 0 }
};

static int adm_org_set_http(cfg_org *org, void *baton)
{
    org->mapi_http_enabled = *(int *)baton;
    return 0;
}

int adm_cmd_set_orgconfig(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Set-OrganizationConfig", *error = NULL, *v;
    adm_args a;
    adm_should should;
    cfg_org *org;
    int enabled = 0;
    int rc = adm_args_parse(ctx, cmd, adm_set_org_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK)
        return rc;
    v = adm_arg(&a, "MapiHttpEnabled");
    /* The organisation has no $null: it is what mailboxes inherit. */
    if (v && adm_parse_bool(&a, "MapiHttpEnabled", v, &enabled) != ADM_OK)
        return ADM_ERR_INVALID_ARGUMENT;
    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    rc = cfg_org_get(ctx->db, ctx->pool, &org, &error);
    if (rc == CFG_NOT_FOUND)
        return adm_no_org(cmd);
    if (rc != 0)
        return adm_cfg_error(cmd, rc, "organization", error);
    if (v == NULL) {
        adm_warning("The command completed successfully but no settings of "
                    "'%s' have been modified.", org->name);
        return ADM_OK;
    }
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Setting "
                            "organization configuration \"%s\".",
                            org->name)))
        return ADM_OK;
    rc = cfg_org_update(ctx->db, ctx->pool, adm_org_set_http, &enabled,
                        &error);
    if (rc == CFG_NOT_FOUND)
        return adm_no_org(cmd);
    return adm_cfg_error(cmd, rc, org->name, error);
}
