/*
 * adm_args.c: cmdlet-style parameters: "-Name value", names matched
 * case-insensitively and by unambiguous prefix, switches as "-WhatIf" or
 * "-Confirm:$false", values joined with a colon allowed for any parameter.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int adm_error(int status, const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s : ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

static int adm_find_param(const char *cmd, const adm_param_def *defs,
                          const char *name, size_t len, int *idx_r)
{
    int found = -1, matches = 0;

    for (int i = 0; defs[i].name; i++) {
        if (strlen(defs[i].name) == len &&
            strncasecmp(defs[i].name, name, len) == 0) {
            *idx_r = i;
            return ADM_OK;
        }
        if (strncasecmp(defs[i].name, name, len) == 0) {
            found = i;
            matches++;
        }
    }
    if (matches == 1) {
        *idx_r = found;
        return ADM_OK;
    }
    if (matches > 1)
        return adm_error(ADM_ERR_AMBIGUOUS, cmd, "Parameter cannot be "
                         "processed because the parameter name '%.*s' is "
                         "ambiguous.", (int)len, name);
    return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "A parameter cannot be "
                     "found that matches parameter name '%.*s'.", (int)len,
                     name);
}

int adm_args_parse(const char *cmd, const adm_param_def *defs, int argc,
                   char **argv, adm_args *out)
{
    memset(out, 0, sizeof(*out));
    out->defs = defs;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *colon;
        size_t len;
        int idx = 0, rc;

        if (a[0] != '-' || a[1] == '\0')
            return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "A positional "
                             "parameter cannot be found that accepts "
                             "argument '%s'.", a);
        colon = strchr(a + 1, ':');
        len = colon ? (size_t)(colon - a - 1) : strlen(a + 1);
        if ((rc = adm_find_param(cmd, defs, a + 1, len, &idx)) != ADM_OK)
            return rc;
        if (colon)
            out->values[idx] = colon + 1;
        else if (defs[idx].is_switch)
            out->values[idx] = "$true";
        else if (i + 1 < argc)
            out->values[idx] = argv[++i];
        else
            return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Missing an "
                             "argument for parameter '%s'.", defs[idx].name);
    }
    return ADM_OK;
}

const char *adm_arg(const adm_args *a, const char *name)
{
    for (int i = 0; a->defs[i].name; i++)
        if (strcasecmp(a->defs[i].name, name) == 0)
            return a->values[i];
    return NULL;
}
