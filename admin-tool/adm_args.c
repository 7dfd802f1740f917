/*
 * adm_args.c: cmdlet-style parameters: "-Name value", names matched
 * case-insensitively and by unambiguous prefix, switches as "-WhatIf" or
 * "-Confirm:$false", a value joined with a colon allowed for any
 * parameter, one positional parameter (-Identity) per command.  Also the
 * value parsers and the error output every command uses.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

/* ------------------------------------------------------------ errors -- */

static const char *adm_category(int status)
{
    switch (status) {
    case ADM_ERR_INVALID_ARGUMENT: return "InvalidArgument";
    case ADM_ERR_NOT_FOUND:        return "ObjectNotFound";
    case ADM_ERR_AMBIGUOUS:        return "InvalidOperation (ambiguous)";
    case ADM_ERR_CONFLICT:         return "ResourceExists";
    case ADM_ERR_DATABASE:         return "ResourceUnavailable";
    case ADM_ERR_CERTIFICATE:      return "SecurityError";
    default:                       return "NotSpecified";
    }
}

int adm_error(int status, const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s : ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n    + CategoryInfo : %s (exit status %d)\n",
            adm_category(status), status);
    return status;
}

void adm_warning(const char *fmt, ...)
{
    va_list ap;

    fputs("WARNING: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int adm_not_found(const char *cmd, const char *id)
{
    return adm_error(ADM_ERR_NOT_FOUND, cmd, "The operation couldn't be "
                     "performed because object '%s' couldn't be found.", id);
}

int adm_cfg_error(const char *cmd, int rc, const char *id, const char *error)
{
    switch (rc) {
    case 0:
        return ADM_OK;
    case CFG_NOT_FOUND:
        return adm_not_found(cmd, id);
    case CFG_CONFLICT:
        return adm_error(ADM_ERR_CONFLICT, cmd, "The object '%s' could not "
                         "be written: %s.", id,
                         error ? error : "it already exists");
    default:
        return adm_error(ADM_ERR_DATABASE, cmd, "%s",
                         error ? error : "the database failed");
    }
}

/* -------------------------------------------------------- parameters -- */

/* Finds the definition a (possibly abbreviated) name means: an exact
 * match wins, else the only one it is a prefix of. */
static int adm_find_param(const char *cmd, const adm_param_def *defs,
                          const char *name, size_t len, int *idx_r)
{
    int found = -1, matches = 0;
    char list[512] = "";

    for (int i = 0; defs[i].name; i++) {
        if (strlen(defs[i].name) == len &&
            strncasecmp(defs[i].name, name, len) == 0) {
            *idx_r = i;
            return ADM_OK;
        }
        if (len > 0 && strncasecmp(defs[i].name, name, len) == 0) {
            found = i;
            matches++;
            if (strlen(list) + strlen(defs[i].name) + 3 < sizeof(list)) {
                strcat(list, " -");
                strcat(list, defs[i].name);
            }
        }
    }
    if (matches == 1) {
        *idx_r = found;
        return ADM_OK;
    }
    if (matches > 1)
        return adm_error(ADM_ERR_AMBIGUOUS, cmd, "Parameter cannot be "
                         "processed because the parameter name '%.*s' is "
                         "ambiguous. Possible matches include:%s.", (int)len,
                         name, list);
    return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "A parameter cannot be "
                     "found that matches parameter name '%.*s'.", (int)len,
                     name);
}

/* "-Name" where Name looks like a parameter name (not "-14.9.9", which is
 * a value: a version range up to 14.9.9). */
static int adm_looks_like_param(const char *a)
{
    return a[0] == '-' && isalpha((unsigned char)a[1]);
}

static int adm_bind(const char *cmd, adm_args *out, int idx,
                    const char *value)
{
    if (out->values[idx] != NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot bind "
                         "parameter because parameter '%s' is specified more "
                         "than once.", out->defs[idx].name);
    out->values[idx] = value;
    return ADM_OK;
}

static int adm_positional(const char *cmd, adm_args *out, const char *word)
{
    for (int i = 0; out->defs[i].name; i++)
        if ((out->defs[i].flags & ADM_P_POSITIONAL) &&
            out->values[i] == NULL) {
            out->values[i] = word;
            return ADM_OK;
        }
    return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "A positional parameter "
                     "cannot be found that accepts argument '%s'.", word);
}

/* One "-Name[:value]" at argv[*i]; consumes its value. */
static int adm_one_param(const char *cmd, adm_args *out, int argc,
                         char **argv, int *i)
{
    const char *a = argv[*i], *colon = strchr(a + 1, ':');
    size_t len = colon ? (size_t)(colon - a - 1) : strlen(a + 1);
    int idx = 0, rc = adm_find_param(cmd, out->defs, a + 1, len, &idx);

    if (rc != ADM_OK)
        return rc;
    if (colon)
        return adm_bind(cmd, out, idx, colon + 1);
    if (out->defs[idx].flags & ADM_P_SWITCH)
        return adm_bind(cmd, out, idx, "$true");
    if (*i + 1 < argc && !adm_looks_like_param(argv[*i + 1]))
        return adm_bind(cmd, out, idx, argv[++*i]);
    return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Missing an argument for "
                     "parameter '%s'. Specify a value and try again (in a "
                     "POSIX shell, quote $true, $false and $null: "
                     "'$false').", out->defs[idx].name);
}

int adm_args_parse(adm_ctx *ctx, const char *cmd, const adm_param_def *defs,
                   int argc, char **argv, adm_args *out)
{
    int list = 0, json = 0, rc;

    memset(out, 0, sizeof(*out));
    out->cmd = cmd;
    out->defs = defs;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];

        if (adm_looks_like_param(a))
            rc = adm_one_param(cmd, out, argc, argv, &i);
        else
            rc = adm_positional(cmd, out, a);
        if (rc != ADM_OK)
            return rc;
    }
    if (adm_switch(out, "List", &list) < 0 ||
        adm_switch(out, "Json", &json) < 0)
        return ADM_ERR_INVALID_ARGUMENT;
    if (list && json)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "-List and -Json "
                         "cannot be used together.");
    ctx->format = json ? ADM_FMT_JSON : list ? ADM_FMT_LIST : ADM_FMT_TABLE;
    return ADM_OK;
}

const char *adm_arg(const adm_args *a, const char *name)
{
    for (int i = 0; a->defs[i].name; i++)
        if (strcasecmp(a->defs[i].name, name) == 0)
            return a->values[i];
    return NULL;
}

int adm_switch(const adm_args *a, const char *name, int *on_r)
{
    const char *v = adm_arg(a, name);

    *on_r = 0;
    if (v == NULL)
        return 0;
    return adm_parse_bool(a, name, v, on_r) == ADM_OK ? 0 : -1;
}

/* ------------------------------------------------------------ values -- */

int adm_is_null(const char *v)
{
    return v != NULL && (strcasecmp(v, "$null") == 0 || *v == '\0');
}

int adm_parse_bool(const adm_args *a, const char *name, const char *v,
                   int *out)
{
    static const char *const yes[] = { "$true", "true", "1", NULL };
    static const char *const no[] = { "$false", "false", "0", NULL };

    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return ADM_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return ADM_OK;
        }
    }
    return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                     "argument transformation on parameter '%s'. Cannot "
                     "convert value \"%s\" to type \"System.Boolean\": use "
                     "$true or $false (quoted in a POSIX shell: '$true').",
                     name, v);
}

int adm_parse_tri(const adm_args *a, const char *name, const char *v,
                  int *out)
{
    if (strcasecmp(v, "$null") == 0 || strcasecmp(v, "null") == 0) {
        *out = CFG_TRI_NULL;
        return ADM_OK;
    }
    if (*v == '\0')
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter '%s': the value is empty "
                         "(in a POSIX shell, quote $true, $false and $null: "
                         "'$null').", name);
    return adm_parse_bool(a, name, v, out);
}

apr_array_header_t *adm_parse_list(apr_pool_t *pool, const char *v)
{
    apr_array_header_t *out = apr_array_make(pool, 4, sizeof(const char *));
    char *copy, *tok, *last = NULL;

    if (v == NULL || adm_is_null(v))
        return out;
    copy = apr_pstrdup(pool, v);
    for (tok = apr_strtok(copy, ",", &last); tok;
         tok = apr_strtok(NULL, ",", &last)) {
        char *end = tok + strlen(tok);

        while (isspace((unsigned char)*tok))
            tok++;
        while (end > tok && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (*tok)
            APR_ARRAY_PUSH(out, const char *) = tok;
    }
    return out;
}

int adm_has_wildcard(const char *s)
{
    return s != NULL && strpbrk(s, "*?[") != NULL;
}
