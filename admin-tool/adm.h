/*
 * adm.h: mapi-admin, the cmdlet-style administration tool.  Each command
 * is a row in adm_main.c's table; parameters are parsed by adm_args.c in
 * the cmdlet way (-Name value, case-insensitive, unambiguous prefixes,
 * -Switch:$false).
 *
 * Exit statuses, one per error category.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ADM_H
#define MAPI_ADM_H

#include <apr_pools.h>
#include "db/mapi_db.h"

enum adm_exit {
    ADM_OK = 0,
    ADM_ERR_INVALID_ARGUMENT = 2,
    ADM_ERR_NOT_FOUND = 3,
    ADM_ERR_AMBIGUOUS = 4,
    ADM_ERR_CONFLICT = 5,
    ADM_ERR_DATABASE = 6,
};

#define ADM_MAX_PARAMS 32

typedef struct adm_param_def {
    const char *name;          /* canonical, e.g. "PrimarySmtpAddress" */
    int is_switch;             /* takes no value (or :$true/:$false) */
} adm_param_def;

typedef struct adm_args {
    const adm_param_def *defs;
    const char *values[ADM_MAX_PARAMS];   /* by def index; NULL if absent */
} adm_args;

typedef struct adm_ctx {
    apr_pool_t *pool;
    const char *data_dir;
    mapi_db *db;               /* opened on first use */
} adm_ctx;

/* Parses argv against defs; prints a cmdlet-style error and returns an
 * exit status on failure. */
int adm_args_parse(const char *cmd, const adm_param_def *defs, int argc,
                   char **argv, adm_args *out);
const char *adm_arg(const adm_args *a, const char *name);
/* Prints "<cmd> : <message>" on stderr and returns status. */
int adm_error(int status, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int adm_open_db(adm_ctx *ctx, const char *cmd);

int adm_cmd_new_organization(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_organization(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_new_mailbox(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_mailbox(adm_ctx *ctx, int argc, char **argv);

#endif
