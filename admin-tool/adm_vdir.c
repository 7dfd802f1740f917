/*
 * adm_vdir.c: New-, Get-, Set-, Remove-MapiVirtualDirectory.
 *
 * Identity: "Server\mapi (Web Site)", "mapi (Web Site)" (any server),
 * "Server\mapi" (the Default Web Site), the GUID, or a wildcard pattern
 * matched against the whole identity ("mail1\mapi*", "*").  Get lists
 * every match; Set and Remove need exactly one (several are ambiguous).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <apr_strings.h>

#define ADM_VDIR_NAME    "mapi"
#define ADM_VDIR_SITE    "Default Web Site"

/* Exchange's ExtendedProtectionFlags values. */
static const char *const adm_ep_flag_names[] = {
    "None", "Proxy", "NoServiceNameCheck", "AllowDotlessSpn",
    "ProxyCoHosting", NULL
};

/* Verdicts of the edit callback (beyond the CFG_* codes). */
#define ADM_EDIT_NO_URL      100
#define ADM_EDIT_NO_METHODS  101

static const char *const adm_vdir_columns[] = {
    "Server", "Name", "InternalUrl", "ExternalUrl", NULL
};

/* --------------------------------------------------------- identity -- */

/* The short host name: -Server's default, as Exchange uses the local
 * server. */
const char *adm_local_server(apr_pool_t *pool)
{
    char host[256] = "";
    char *dot;

    if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
        return "localhost";
    if ((dot = strchr(host, '.')) != NULL)
        *dot = '\0';
    /* Lower case, as mod_mapi's MapiServerName default. */
    for (char *p = host; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return apr_pstrdup(pool, host);
}

static const char *adm_vdir_name(apr_pool_t *pool, const cfg_vdir *v)
{
    return apr_psprintf(pool, "%s (%s)", v->name, v->website);
}

/* Splits a literal identity into server (NULL: any), name, web site. */
static void adm_vdir_parse_id(apr_pool_t *pool, const char *id,
                              const char **server_r, const char **name_r,
                              const char **site_r)
{
    const char *bs = strchr(id, '\\'), *rest = bs ? bs + 1 : id;
    const char *open = strchr(rest, '(');
    size_t nlen = open ? (size_t)(open - rest) : strlen(rest);

    *server_r = bs ? apr_pstrmemdup(pool, id, (size_t)(bs - id)) : NULL;
    while (nlen > 0 && rest[nlen - 1] == ' ')
        nlen--;
    *name_r = apr_pstrmemdup(pool, rest, nlen);
    *site_r = ADM_VDIR_SITE;
    if (open) {
        const char *close = strrchr(open, ')');
        size_t slen = close && close > open ? (size_t)(close - open - 1)
                                            : strlen(open + 1);
        *site_r = apr_pstrmemdup(pool, open + 1, slen);
    }
}

static int adm_vdir_matches(apr_pool_t *pool, const cfg_vdir *v,
                            const char *id)
{
    const char *server, *name, *site;

    if (strcasecmp(id, cfg_guid_str(pool, v->guid)) == 0)
        return 1;
    /* A pattern matches the whole identity, or without a backslash the
     * "mapi (Web Site)" part alone ("mapi*" as well as "mail1*"). */
    if (adm_has_wildcard(id))
        return fnmatch(id, cfg_vdir_identity(pool, v),
                       FNM_NOESCAPE | FNM_CASEFOLD) == 0 ||
               (strchr(id, '\\') == NULL &&
                fnmatch(id, adm_vdir_name(pool, v),
                        FNM_NOESCAPE | FNM_CASEFOLD) == 0);
    adm_vdir_parse_id(pool, id, &server, &name, &site);
    return (server == NULL || strcasecmp(server, v->server) == 0) &&
           strcasecmp(name, v->name) == 0 &&
           strcasecmp(site, v->website) == 0;
}

typedef struct adm_vdir_sel {
    apr_pool_t *pool;
    const char *identity;      /* NULL: any */
    const char *server;        /* -Server pattern, NULL: any */
    apr_array_header_t *found; /* cfg_vdir * */
} adm_vdir_sel;

static int adm_vdir_collect(const cfg_vdir *v, void *baton)
{
    adm_vdir_sel *f = baton;

    if (f->identity && !adm_vdir_matches(f->pool, v, f->identity))
        return 0;
    if (f->server && fnmatch(f->server, v->server,
                             FNM_NOESCAPE | FNM_CASEFOLD) != 0)
        return 0;
    APR_ARRAY_PUSH(f->found, cfg_vdir *) =
        apr_pmemdup(f->pool, v, sizeof(*v));
    return 0;
}

int adm_vdir_find(adm_ctx *ctx, const char *cmd, const char *id,
                             const char *server, apr_array_header_t **found_r)
{
    adm_vdir_sel f = { ctx->pool, id, server,
                        apr_array_make(ctx->pool, 4, sizeof(cfg_vdir *)) };
    const char *error = NULL;
    int rc = adm_open_db(ctx, cmd);

    if (rc != ADM_OK)
        return rc;
    if (cfg_vdir_foreach(ctx->db, ctx->pool, adm_vdir_collect, &f,
                         &error) != 0)
        return adm_cfg_error(cmd, -1, id, error);
    *found_r = f.found;
    return ADM_OK;
}

/* Exactly one directory for Set and Remove. */
static int adm_vdir_one(adm_ctx *ctx, const char *cmd, const char *id,
                        cfg_vdir **v_r)
{
    apr_array_header_t *found;
    const char *names = "";
    int rc = adm_vdir_find(ctx, cmd, id, NULL, &found);

    if (rc != ADM_OK)
        return rc;
    if (found->nelts == 0)
        return adm_not_found(cmd, id);
    if (found->nelts > 1) {
        for (int i = 0; i < found->nelts; i++)
            names = apr_pstrcat(ctx->pool, names, i ? ", " : "",
                                cfg_vdir_identity(ctx->pool,
                                    APR_ARRAY_IDX(found, i, cfg_vdir *)),
                                NULL);
        return adm_error(ADM_ERR_AMBIGUOUS, cmd, "The operation couldn't be "
                         "performed because '%s' matches multiple entries: "
                         "%s.", id, names);
    }
    *v_r = APR_ARRAY_IDX(found, 0, cfg_vdir *);
    return ADM_OK;
}

/* ----------------------------------------------------------- output -- */

static apr_array_header_t *adm_auth_list(apr_pool_t *pool, unsigned bits)
{
    return adm_parse_list(pool, cfg_auth_str(pool, bits));
}

static adm_obj *adm_vdir_obj(apr_pool_t *pool, const cfg_vdir *v)
{
    adm_obj *o = adm_obj_new(pool);

    adm_obj_str(o, "Identity", cfg_vdir_identity(pool, v));
    adm_obj_str(o, "Name", adm_vdir_name(pool, v));
    adm_obj_str(o, "Server", v->server);
    adm_obj_str(o, "InternalUrl", v->internal_url);
    adm_obj_str(o, "ExternalUrl", v->external_url);
    adm_obj_list(o, "IISAuthenticationMethods", adm_auth_list(pool,
                                                              v->iis_auth));
    adm_obj_list(o, "InternalAuthenticationMethods",
                 adm_auth_list(pool, v->internal_auth));
    adm_obj_list(o, "ExternalAuthenticationMethods",
                 adm_auth_list(pool, v->external_auth));
    adm_obj_str(o, "ExtendedProtectionTokenChecking",
                cfg_ep_token_str(v->ep_token_checking));
    adm_obj_list(o, "ExtendedProtectionFlags", v->ep_flags);
    adm_obj_list(o, "ExtendedProtectionSPNList", v->ep_spns);
    adm_obj_time(o, "WhenCreated", v->created);
    adm_obj_time(o, "WhenChanged", v->changed);
    adm_obj_str(o, "Guid", cfg_guid_str(pool, v->guid));
    return o;
}

static void adm_vdir_emit(adm_ctx *ctx, apr_array_header_t *vdirs)
{
    apr_array_header_t *objs = apr_array_make(ctx->pool, vdirs->nelts + 1,
                                              sizeof(adm_obj *));

    for (int i = 0; i < vdirs->nelts; i++)
        APR_ARRAY_PUSH(objs, adm_obj *) =
            adm_vdir_obj(ctx->pool, APR_ARRAY_IDX(vdirs, i, cfg_vdir *));
    adm_emit(ctx, objs, adm_vdir_columns);
}

/* ------------------------------------------------------- properties -- */

/* What a New or Set asks to change; NULL/-1 fields are left alone. */
typedef struct adm_vdir_change {
    int set_internal, set_external;
    const char *internal_url, *external_url;   /* normalised, or NULL */
    int set_auth;
    unsigned auth;
    int set_token;
    cfg_ep_token token;
    apr_array_header_t *flags, *spns;           /* NULL: unchanged */
    int any;                                    /* something to change */
} adm_vdir_change;

static int adm_url_param(adm_ctx *ctx, const adm_args *a, const char *name,
                         int *set_r, const char **url_r)
{
    const char *v = adm_arg(a, name), *error = NULL;

    if (v == NULL)
        return ADM_OK;
    *set_r = 1;
    if (adm_is_null(v)) {
        *url_r = NULL;
        return ADM_OK;
    }
    if ((*url_r = cfg_url_normalise(ctx->pool, v, &error)) == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter '%s': '%s' is not a valid "
                         "URL: %s.", name, v, error);
    return ADM_OK;
}

static int adm_auth_param(const adm_args *a, apr_pool_t *pool,
                          adm_vdir_change *c)
{
    const char *v = adm_arg(a, "IISAuthenticationMethods");
    apr_array_header_t *names;

    if (v == NULL)
        return ADM_OK;
    names = adm_parse_list(pool, v);
    if (names->nelts == 0)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'IISAuthenticationMethods': "
                         "at least one method is required (Basic, Ntlm, "
                         "Negotiate, OAuth).");
    c->set_auth = 1;
    c->auth = 0;
    for (int i = 0; i < names->nelts; i++) {
        const char *n = APR_ARRAY_IDX(names, i, const char *);
        unsigned bit = cfg_auth_parse(n);

        if (bit == 0)
            return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot "
                             "process argument for parameter "
                             "'IISAuthenticationMethods': '%s' is not a "
                             "valid authentication method. Valid values: "
                             "Basic, Ntlm, Negotiate, OAuth.", n);
        c->auth |= bit;
    }
    return ADM_OK;
}

static int adm_token_param(const adm_args *a, adm_vdir_change *c)
{
    static const char *const names[] = { "None", "Allow", "Require" };
    const char *v = adm_arg(a, "ExtendedProtectionTokenChecking");

    if (v == NULL)
        return ADM_OK;
    for (int i = 0; i < 3; i++)
        if (strcasecmp(v, names[i]) == 0) {
            c->set_token = 1;
            c->token = (cfg_ep_token)i;
            return ADM_OK;
        }
    return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                     "argument for parameter "
                     "'ExtendedProtectionTokenChecking': '%s' is not one of "
                     "None, Allow, Require.", v);
}

static int adm_flags_param(const adm_args *a, apr_pool_t *pool,
                           adm_vdir_change *c)
{
    const char *v = adm_arg(a, "ExtendedProtectionFlags");
    apr_array_header_t *in;

    if (v == NULL)
        return ADM_OK;
    in = adm_parse_list(pool, v);
    c->flags = apr_array_make(pool, 4, sizeof(const char *));
    for (int i = 0; i < in->nelts; i++) {
        const char *n = APR_ARRAY_IDX(in, i, const char *);
        int k = 0;

        while (adm_ep_flag_names[k] && strcasecmp(n, adm_ep_flag_names[k]))
            k++;
        if (adm_ep_flag_names[k] == NULL)
            return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot "
                             "process argument for parameter "
                             "'ExtendedProtectionFlags': '%s' is not one of "
                             "None, Proxy, NoServiceNameCheck, "
                             "AllowDotlessSpn, ProxyCoHosting.", n);
        /* "None" is the empty set. */
        if (k > 0)
            APR_ARRAY_PUSH(c->flags, const char *) = adm_ep_flag_names[k];
    }
    return ADM_OK;
}

/* SPNs are "service/host[:port]"; at most CFG_ARRAY_MAX. */
static int adm_spn_param(const adm_args *a, apr_pool_t *pool,
                         adm_vdir_change *c)
{
    const char *v = adm_arg(a, "ExtendedProtectionSPNList");

    if (v == NULL)
        return ADM_OK;
    c->spns = adm_parse_list(pool, v);
    if (c->spns->nelts > CFG_ARRAY_MAX)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'ExtendedProtectionSPNList':"
                         " at most %d SPNs.", CFG_ARRAY_MAX);
    for (int i = 0; i < c->spns->nelts; i++) {
        const char *s = APR_ARRAY_IDX(c->spns, i, const char *);
        const char *slash = strchr(s, '/');

        if (slash == NULL || slash == s || slash[1] == '\0' ||
            strpbrk(s, " \t") != NULL)
            return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot "
                             "process argument for parameter "
                             "'ExtendedProtectionSPNList': '%s' is not a "
                             "service principal name (e.g. "
                             "HTTP/mail.contoso.com).", s);
    }
    return ADM_OK;
}

static int adm_vdir_change_parse(adm_ctx *ctx, const adm_args *a,
                                 adm_vdir_change *c)
{
    int rc;

    memset(c, 0, sizeof(*c));
    if ((rc = adm_url_param(ctx, a, "InternalUrl", &c->set_internal,
                            &c->internal_url)) != ADM_OK ||
        (rc = adm_url_param(ctx, a, "ExternalUrl", &c->set_external,
                            &c->external_url)) != ADM_OK ||
        (rc = adm_auth_param(a, ctx->pool, c)) != ADM_OK ||
        (rc = adm_token_param(a, c)) != ADM_OK ||
        (rc = adm_flags_param(a, ctx->pool, c)) != ADM_OK ||
        (rc = adm_spn_param(a, ctx->pool, c)) != ADM_OK)
        return rc;
    c->any = c->set_internal || c->set_external || c->set_auth ||
             c->set_token || c->flags || c->spns;
    return ADM_OK;
}

/* Applies a change and checks the rules that hold after it: a URL is
 * left, and methods exist with it.  Also the edit callback of Set. */
static int adm_vdir_apply(cfg_vdir *v, void *baton)
{
    const adm_vdir_change *c = baton;

    if (c->set_internal)
        v->internal_url = c->internal_url;
    if (c->set_external)
        v->external_url = c->external_url;
    if (c->set_auth)
        v->iis_auth = c->auth;
    if (c->set_token)
        v->ep_token_checking = c->token;
    if (c->flags)
        v->ep_flags = c->flags;
    if (c->spns)
        v->ep_spns = c->spns;
    if (v->internal_url == NULL && v->external_url == NULL)
        return ADM_EDIT_NO_URL;
    if (v->iis_auth == 0)
        return ADM_EDIT_NO_METHODS;
    return 0;
}

static int adm_vdir_rule_error(const char *cmd, int verdict)
{
    if (verdict == ADM_EDIT_NO_URL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "At least one of "
                         "InternalUrl and ExternalUrl must be set.");
    return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "IISAuthenticationMethods"
                     " must be specified together with the first URL (one or "
                     "more of Basic, Ntlm, Negotiate, OAuth).");
}

/* --------------------------------------------------------- commands -- */

static const adm_param_def adm_new_vdir_params[] = {
    { "Server", 0 }, { "WebSiteName", 0 }, { "InternalUrl", 0 },
    { "ExternalUrl", 0 }, { "IISAuthenticationMethods", 0 },
    { "ExtendedProtectionTokenChecking", 0 },
    { "ExtendedProtectionFlags", 0 }, { "ExtendedProtectionSPNList", 0 },
    { "CertificateFile", 0 }, ADM_P_SHOULD, ADM_P_OUTPUT, { NULL, 0 }
};

static int adm_vdir_names_ok(const adm_args *a, const char *server,
                             const char *site)
{
    if (*server == '\0' || strpbrk(server, "\\()*?[ ") != NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'Server': '%s' is not a "
                         "server name.", server);
    if (*site == '\0' || strpbrk(site, "\\()*?[") != NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'WebSiteName': '%s' is not "
                         "a web site name.", site);
    return ADM_OK;
}

int adm_cmd_new_vdir(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "New-MapiVirtualDirectory", *error = NULL;
    adm_args a;
    adm_should should;
    adm_vdir_change c;
    cfg_vdir v = { 0 }, *existing;
    apr_array_header_t *out;
    int rc = adm_args_parse(ctx, cmd, adm_new_vdir_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK ||
        (rc = adm_vdir_change_parse(ctx, &a, &c)) != ADM_OK)
        return rc;
    v.server = adm_arg(&a, "Server") ? adm_arg(&a, "Server")
                                     : adm_local_server(ctx->pool);
    v.name = ADM_VDIR_NAME;
    v.website = adm_arg(&a, "WebSiteName") ? adm_arg(&a, "WebSiteName")
                                           : ADM_VDIR_SITE;
    if ((rc = adm_vdir_names_ok(&a, v.server, v.website)) != ADM_OK)
        return rc;
    if ((rc = adm_vdir_apply(&v, &c)) != 0)
        return adm_vdir_rule_error(cmd, rc);
    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    rc = cfg_vdir_get(ctx->db, ctx->pool, v.server, v.website, &existing,
                      &error);
    if (rc == 0)
        return adm_error(ADM_ERR_CONFLICT, cmd, "A MAPI virtual directory "
                         "already exists on server '%s' in web site '%s': "
                         "'%s'. There is one per server and web site.",
                         v.server, v.website,
                         cfg_vdir_identity(ctx->pool, existing));
    if (rc != CFG_NOT_FOUND)
        return adm_cfg_error(cmd, rc, v.server, error);
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Creating MAPI "
                            "virtual directory \"%s\".",
                            cfg_vdir_identity(ctx->pool, &v))))
        return ADM_OK;
    rc = cfg_vdir_create(ctx->db, ctx->pool, &v, &error);
    if (rc == CFG_CONFLICT)
        return adm_error(ADM_ERR_CONFLICT, cmd, "A MAPI virtual directory "
                         "already exists on server '%s' in web site '%s'.",
                         v.server, v.website);
    if (rc != 0)
        return adm_cfg_error(cmd, rc, cfg_vdir_identity(ctx->pool, &v),
                             error);
    out = apr_array_make(ctx->pool, 1, sizeof(cfg_vdir *));
    APR_ARRAY_PUSH(out, cfg_vdir *) = &v;
    adm_vdir_emit(ctx, out);
    adm_cert_warn(ctx->pool, &v, adm_arg(&a, "CertificateFile"));
    return ADM_OK;
}

static const adm_param_def adm_get_vdir_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "Server", 0 }, ADM_P_OUTPUT,
    { NULL, 0 }
};

int adm_cmd_get_vdir(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-MapiVirtualDirectory", *id, *server;
    adm_args a;
    apr_array_header_t *found;
    int rc = adm_args_parse(ctx, cmd, adm_get_vdir_params, argc, argv, &a);

    if (rc != ADM_OK)
        return rc;
    id = adm_arg(&a, "Identity");
    server = adm_arg(&a, "Server");
    if (id && server)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Parameter set "
                         "cannot be resolved using the specified named "
                         "parameters: -Identity and -Server cannot be used "
                         "together.");
    if ((rc = adm_vdir_find(ctx, cmd, id, server, &found)) != ADM_OK)
        return rc;
    /* A literal identity that names nothing is an error; a pattern or a
     * server that matches nothing lists nothing. */
    if (found->nelts == 0 && id && !adm_has_wildcard(id))
        return adm_not_found(cmd, id);
    adm_vdir_emit(ctx, found);
    return ADM_OK;
}

static const adm_param_def adm_set_vdir_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "InternalUrl", 0 },
    { "ExternalUrl", 0 }, { "IISAuthenticationMethods", 0 },
    { "ExtendedProtectionTokenChecking", 0 },
    { "ExtendedProtectionFlags", 0 }, { "ExtendedProtectionSPNList", 0 },
    { "CertificateFile", 0 }, ADM_P_SHOULD, { NULL, 0 }
};

static int adm_need_identity(const adm_args *a)
{
    if (adm_arg(a, "Identity") == NULL || *adm_arg(a, "Identity") == '\0')
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "command because of one or more missing mandatory "
                         "parameters: Identity.");
    return ADM_OK;
}

int adm_cmd_set_vdir(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Set-MapiVirtualDirectory", *error = NULL, *ident;
    adm_args a;
    adm_should should;
    adm_vdir_change c;
    cfg_vdir *v, preview;
    int rc = adm_args_parse(ctx, cmd, adm_set_vdir_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_need_identity(&a)) != ADM_OK ||
        (rc = adm_should_init(&should, &a, 0)) != ADM_OK ||
        (rc = adm_vdir_change_parse(ctx, &a, &c)) != ADM_OK ||
        (rc = adm_vdir_one(ctx, cmd, adm_arg(&a, "Identity"), &v)) != ADM_OK)
        return rc;
    ident = cfg_vdir_identity(ctx->pool, v);
    if (!c.any) {
        adm_warning("The command completed successfully but no settings of "
                    "'%s' have been modified.", ident);
        return ADM_OK;
    }
    /* The rules are checked before asking, and again in the transaction
     * against the record as it is then. */
    preview = *v;
    if ((rc = adm_vdir_apply(&preview, &c)) != 0)
        return adm_vdir_rule_error(cmd, rc);
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Setting MAPI "
                            "virtual directory \"%s\".", ident)))
        return ADM_OK;
    rc = cfg_vdir_update(ctx->db, ctx->pool, v->server, v->website,
                         adm_vdir_apply, &c, &error);
    if (rc == ADM_EDIT_NO_URL || rc == ADM_EDIT_NO_METHODS)
        return adm_vdir_rule_error(cmd, rc);
    if (rc != 0)
        return adm_cfg_error(cmd, rc, ident, error);
    if (c.set_internal || c.set_external)
        adm_cert_warn(ctx->pool, &preview, adm_arg(&a, "CertificateFile"));
    return ADM_OK;
}

static const adm_param_def adm_remove_vdir_params[] = {
    { "Identity", ADM_P_POSITIONAL }, ADM_P_SHOULD, { NULL, 0 }
};

int adm_cmd_remove_vdir(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Remove-MapiVirtualDirectory", *error = NULL, *ident;
    adm_args a;
    adm_should should;
    cfg_vdir *v;
    int rc = adm_args_parse(ctx, cmd, adm_remove_vdir_params, argc, argv, &a);

    /* High impact: asks unless -Confirm:$false. */
    if (rc != ADM_OK || (rc = adm_need_identity(&a)) != ADM_OK ||
        (rc = adm_should_init(&should, &a, 1)) != ADM_OK ||
        (rc = adm_vdir_one(ctx, cmd, adm_arg(&a, "Identity"), &v)) != ADM_OK)
        return rc;
    ident = cfg_vdir_identity(ctx->pool, v);
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Removing MAPI "
                            "virtual directory \"%s\".", ident)))
        return ADM_OK;
    rc = cfg_vdir_delete(ctx->db, ctx->pool, v->server, v->website, &error);
    return adm_cfg_error(cmd, rc, ident, error);
}
