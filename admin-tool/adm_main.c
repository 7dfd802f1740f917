/*
 * adm_main.c: mapi-admin entry point: global options, the database, and
 * the command table (short names with the cmdlet names as aliases).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_general.h>
#include "configdb/cfg_db.h"

typedef struct adm_command {
    const char *name;
    const char *cmdlet;
    int (*run)(adm_ctx *ctx, int argc, char **argv);
    const char *help;
} adm_command;

static const adm_command adm_commands[] = {
    { "new-organization", "New-Organization", adm_cmd_new_organization,
      "-Name NAME -Domain DOMAIN [-MapiHttpEnabled $true|$false]" },
    { "get-orgconfig", "Get-OrganizationConfig", adm_cmd_get_organization,
      "" },
    { "new-mailbox", "New-Mailbox", adm_cmd_new_mailbox,
      "-Name ALIAS -PrimarySmtpAddress ADDR -UserPrincipalName PRINCIPAL "
      "[-DisplayName NAME]" },
    { "get-mailbox", "Get-Mailbox", adm_cmd_get_mailbox, "[-Identity ID]" },
    { NULL, NULL, NULL, NULL }
};

static void adm_usage(FILE *f)
{
    fprintf(f, "usage: mapi-admin [-DataDir DIR] COMMAND [PARAMETERS]\n"
               "The database is DIR, else $MAPI_ADMIN_DB, else "
               "/var/lib/mapi.\n\ncommands:\n");
    for (const adm_command *c = adm_commands; c->name; c++)
        fprintf(f, "  %-18s (%s) %s\n", c->name, c->cmdlet, c->help);
}

/* The environment belongs to the user httpd serves as; files the tool
 * creates (log files, databases) must stay theirs, so a root caller takes
 * the owner's identity before touching anything. */
static int adm_become_owner(const char *dir)
{
    struct stat st;

    if (geteuid() != 0 || stat(dir, &st) != 0 || st.st_uid == 0)
        return 0;
    if (setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0)
        return -1;
    return 0;
}

int adm_open_db(adm_ctx *ctx, const char *cmd)
{
    const char *error = NULL;
    int rc;

    if (ctx->db)
        return ADM_OK;
    if (adm_become_owner(ctx->data_dir) != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "cannot take the identity of "
                         "the owner of %s: %s", ctx->data_dir,
                         strerror(errno));
    if (mapi_db_open(ctx->pool, ctx->data_dir, MAPI_DB_CREATE, &ctx->db,
                     &error) != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    rc = cfg_schema_check(ctx->db, ctx->pool, &error);
    if (rc != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    return ADM_OK;
}

int main(int argc, char **argv)
{
    adm_ctx ctx = { 0 };
    int i = 1, rc;

    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&ctx.pool, NULL);
    ctx.data_dir = getenv("MAPI_ADMIN_DB");
    if (i + 1 < argc && strcasecmp(argv[i], "-DataDir") == 0) {
        ctx.data_dir = argv[i + 1];
        i += 2;
    }
    if (ctx.data_dir == NULL)
        ctx.data_dir = "/var/lib/mapi";
    if (i >= argc || strcmp(argv[i], "--help") == 0 ||
        strcmp(argv[i], "-h") == 0) {
        adm_usage(i >= argc ? stderr : stdout);
        return i >= argc ? ADM_ERR_INVALID_ARGUMENT : ADM_OK;
    }
    for (const adm_command *c = adm_commands; c->name; c++) {
        if (strcasecmp(argv[i], c->name) != 0 &&
            strcasecmp(argv[i], c->cmdlet) != 0)
            continue;
        if (i + 1 < argc && strcmp(argv[i + 1], "--help") == 0) {
            printf("usage: mapi-admin %s %s\n", c->name, c->help);
            return ADM_OK;
        }
        rc = c->run(&ctx, argc - i - 1, argv + i + 1);
        mapi_db_close(&ctx.db);
        return rc;
    }
    fprintf(stderr, "mapi-admin : The term '%s' is not recognized as a "
            "command. Run mapi-admin --help for the list.\n", argv[i]);
    return ADM_ERR_INVALID_ARGUMENT;
}
