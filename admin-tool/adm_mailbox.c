/*
 * adm_mailbox.c: the organisation and mailbox commands.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "configdb/cfg_db.h"

static const adm_param_def adm_org_params[] = {
    { "Name", 0 }, { "Domain", 0 }, { "MapiHttpEnabled", 0 }, { NULL, 0 }
};

static int adm_bool(const char *v, int *out)
{
    if (strcasecmp(v, "$true") == 0 || strcasecmp(v, "true") == 0) {
        *out = 1;
        return 0;
    }
    if (strcasecmp(v, "$false") == 0 || strcasecmp(v, "false") == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

int adm_cmd_new_organization(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "New-Organization", *error = NULL;
    adm_args a;
    cfg_org org = { 0 };
    const char *enabled;
    int rc = adm_args_parse(cmd, adm_org_params, argc, argv, &a);

    if (rc != ADM_OK)
        return rc;
    org.name = adm_arg(&a, "Name");
    org.domain = adm_arg(&a, "Domain");
    if (org.name == NULL || org.domain == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "-Name and -Domain "
                         "are required.");
    org.mapi_http_enabled = 1;   /* a new organisation starts enabled */
    enabled = adm_arg(&a, "MapiHttpEnabled");
    if (enabled && adm_bool(enabled, &org.mapi_http_enabled) != 0)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process "
                         "argument '%s' for -MapiHttpEnabled: expected "
                         "$true or $false.", enabled);
    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    rc = cfg_org_create(ctx->db, ctx->pool, &org, &error);
    if (rc == CFG_CONFLICT)
        return adm_error(ADM_ERR_CONFLICT, cmd, "The organization already "
                         "exists.");
    if (rc != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    printf("%-20s %-20s %s\n%-20s %-20s %s\n%-20s %-20s %s\n", "Name",
           "Domain", "MapiHttpEnabled", "----", "------", "---------------",
           org.name, org.domain, org.mapi_http_enabled ? "True" : "False");
    return ADM_OK;
}

int adm_cmd_get_organization(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-OrganizationConfig", *error = NULL;
    static const adm_param_def none[] = { { NULL, 0 } };
    adm_args a;
    cfg_org *org;
    int rc = adm_args_parse(cmd, none, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    rc = cfg_org_get(ctx->db, ctx->pool, &org, &error);
    if (rc == CFG_NOT_FOUND)
        return adm_error(ADM_ERR_NOT_FOUND, cmd, "No organization exists; "
                         "create one with new-organization.");
    if (rc != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    printf("Name            : %s\nDomain          : %s\n"
           "MapiHttpEnabled : %s\nGuid            : %s\n", org->name,
           org->domain, org->mapi_http_enabled ? "True" : "False",
           cfg_guid_str(ctx->pool, org->guid));
    return ADM_OK;
}

static const adm_param_def adm_new_mbx_params[] = {
    { "Name", 0 }, { "DisplayName", 0 }, { "PrimarySmtpAddress", 0 },
    { "UserPrincipalName", 0 }, { NULL, 0 }
};

int adm_cmd_new_mailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "New-Mailbox", *error = NULL;
    adm_args a;
    cfg_mailbox m = { 0 };
    int rc = adm_args_parse(cmd, adm_new_mbx_params, argc, argv, &a);

    if (rc != ADM_OK)
        return rc;
    m.name = adm_arg(&a, "Name");
    m.smtp = adm_arg(&a, "PrimarySmtpAddress");
    m.principal = adm_arg(&a, "UserPrincipalName");
    m.display_name = adm_arg(&a, "DisplayName");
    if (m.name == NULL || m.smtp == NULL || m.principal == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "-Name, "
                         "-PrimarySmtpAddress and -UserPrincipalName are "
                         "required.");
    if (strchr(m.smtp, '@') == NULL || strchr(m.principal, '@') == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "'%s' is not a valid "
                         "address: an address has the form user@domain.",
                         strchr(m.smtp, '@') ? m.principal : m.smtp);
    if (m.display_name == NULL)
        m.display_name = m.name;
    m.mapi_http_enabled = CFG_TRI_NULL;
    m.mapi_enabled = 1;
    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    rc = cfg_mailbox_create(ctx->db, ctx->pool, &m, &error);
    if (rc == CFG_CONFLICT)
        return adm_error(ADM_ERR_CONFLICT, cmd, "The address '%s' or the "
                         "principal '%s' is already in use.", m.smtp,
                         m.principal);
    if (rc == CFG_NOT_FOUND)
        return adm_error(ADM_ERR_NOT_FOUND, cmd, "No organization exists; "
                         "create one with new-organization.");
    if (rc != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    printf("%-12s %-24s %-30s %s\n", "Name", "DisplayName",
           "PrimarySmtpAddress", "Guid");
    printf("%-12s %-24s %-30s %s\n", m.name, m.display_name, m.smtp,
           cfg_guid_str(ctx->pool, m.guid));
    return ADM_OK;
}

static int adm_print_mailbox(const cfg_mailbox *m, void *baton)
{
    apr_pool_t *p = baton;

    printf("%-12s %-24s %-30s %-24s %s\n", m->name, m->display_name, m->smtp,
           m->principal, cfg_guid_str(p, m->guid));
    return 0;
}

int adm_cmd_get_mailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-Mailbox", *error = NULL;
    static const adm_param_def params[] = { { "Identity", 0 }, { NULL, 0 } };
    adm_args a;
    cfg_mailbox *m;
    const char *id;
    int rc = adm_args_parse(cmd, params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    printf("%-12s %-24s %-30s %-24s %s\n", "Name", "DisplayName",
           "PrimarySmtpAddress", "UserPrincipalName", "Guid");
    id = adm_arg(&a, "Identity");
    if (id == NULL)
        rc = cfg_mailbox_foreach(ctx->db, ctx->pool, adm_print_mailbox,
                                 ctx->pool, &error);
    else if ((rc = cfg_mailbox_by_smtp(ctx->db, ctx->pool, id, &m, &error))
             == 0 || (rc == CFG_NOT_FOUND &&
                      (rc = cfg_mailbox_by_principal(ctx->db, ctx->pool, id,
                                                     &m, &error)) == 0))
        adm_print_mailbox(m, ctx->pool);
    if (rc == CFG_NOT_FOUND)
        return adm_error(ADM_ERR_NOT_FOUND, cmd, "The operation couldn't be "
                         "performed because object '%s' couldn't be found.",
                         id);
    return rc == 0 ? ADM_OK : adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
}
