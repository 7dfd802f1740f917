/*
 * mh_vdir.c: the MAPI virtual directory a request reaches, read live from
 * the configuration database on every request, and the authentication
 * methods it allows (IISAuthenticationMethods, admin-notes.md).
 *
 * A virtual host says which server and web site it is (MapiServerName,
 * MapiWebSite); it serves /mapi/ while the record "Server\mapi (WebSite)"
 * exists.  Three hooks enforce it, so that a change made with mapi-admin
 * shows on the next request:
 *
 *   header_parser  (before authentication) finds the vdir: without one,
 *                  /mapi/ is 404, as IIS answers for a removed
 *                  application; credentials of a method the vdir does not
 *                  allow get 401 before any password is checked, so a
 *                  disabled method cannot even be used to try passwords.
 *   fixups         (after authentication) 401 when the method that
 *                  authenticated (r->ap_auth_type, which mod_auth_gssapi
 *                  sets to "Negotiate" or "Basic") is not allowed: covers
 *                  connection-bound and session-cached authentication.
 *   insert_error_filter  a 401 of /mapi/ offers only the allowed methods:
 *                  mod_auth_gssapi's own challenges are filtered, and
 *                  when none is left (the refusal was ours) the allowed
 *                  ones are written.
 *
 * The authentication phase runs before httpd knows the request's handler
 * (SetHandler is applied in type_checker), so the header_parser evaluates
 * the SetHandler expression the way core does.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_expr.h"
#include "apr_strings.h"
#include "mod_mapi.h"

APLOG_USE_MODULE(mapi);

/* What the header_parser found, kept for the later hooks and handlers. */
typedef struct mh_vdir_note {
    int is_mapi;                 /* handler "mapi" (else Autodiscover) */
    cfg_vdir *vdir;              /* NULL: none, or not looked up */
} mh_vdir_note;

static mh_vdir_note *mh_note(request_rec *r)
{
    return ap_get_module_config(r->request_config, &mapi_module);
}

const cfg_vdir *mh_vdir_of(request_rec *r)
{
    mh_vdir_note *n = mh_note(r);

    return n ? n->vdir : NULL;
}

/* The handler the request will get: r->handler when set already, else the
 * value of the location's SetHandler expression (what core's type_checker
 * will set). */
static const char *mh_request_handler(request_rec *r)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);
    const char *err = NULL, *h;

    if (r->handler)
        return r->handler;
    if (d == NULL || d->expr_handler == NULL)
        return NULL;
    h = ap_expr_str_exec(r, d->expr_handler, &err);
    return err ? NULL : h;
}

/* Authentication scheme names (as in Authorization, WWW-Authenticate and
 * r->ap_auth_type) and the IISAuthenticationMethods bit each belongs to;
 * also the order IIS offers its challenges in. */
static const struct { const char *scheme; unsigned bit; } mh_schemes[] = {
    { "Negotiate", CFG_AUTH_NEGOTIATE },
    { "NTLM", CFG_AUTH_NTLM },
    { "Bearer", CFG_AUTH_OAUTH },
    { "Basic", CFG_AUTH_BASIC },
};
#define MH_N_SCHEMES (sizeof(mh_schemes) / sizeof(mh_schemes[0]))

/* The bit of the scheme that starts s ("Negotiate YII..."), 0 if none. */
static unsigned mh_scheme_bit(const char *s)
{
    size_t n;

    if (s == NULL)
        return 0;
    while (*s == ' ' || *s == '\t')
        s++;
    n = strcspn(s, " \t,");
    for (size_t i = 0; i < MH_N_SCHEMES; i++)
        if (strlen(mh_schemes[i].scheme) == n &&
            strncasecmp(s, mh_schemes[i].scheme, n) == 0)
            return mh_schemes[i].bit;
    return 0;
}

static int mh_vdir_lookup(request_rec *r, const mh_server_conf *conf,
                          mapi_db *db, cfg_vdir **v_r)
{
    const char *error = NULL;
    int rc = cfg_vdir_get(db, r->pool, conf->server_name, conf->website,
                          v_r, &error);

    if (rc == -1)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MAPILOGNO(1061)
                      "configuration: %s", error);
    return rc;
}

int mh_vdir_header_parser(request_rec *r, const mh_server_conf *conf,
                          mapi_db *db)
{
    const char *h = mh_request_handler(r);
    const char *authz;
    mh_vdir_note *note;
    cfg_vdir *v = NULL;
    int rc;

    if (h == NULL ||
        (strcmp(h, "mapi") != 0 && strcmp(h, "mapi-autodiscover") != 0))
        return DECLINED;
    note = apr_pcalloc(r->pool, sizeof(*note));
    note->is_mapi = strcmp(h, "mapi") == 0;
    ap_set_module_config(r->request_config, &mapi_module, note);
    /* Credentials and cookies must not cross the network in clear: a
     * plain request is refused before authentication reads them. */
    if (conf->require_tls && !mh_is_tls(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAPILOGNO(1200)
                      "request without TLS (MapiRequireTLS On): 403");
        return HTTP_FORBIDDEN;
    }
    /* Without the environment the handler answers 503 itself. */
    if (db == NULL)
        return DECLINED;
    rc = mh_vdir_lookup(r, conf, db, &v);
    if (rc == -1)
        return note->is_mapi ? HTTP_SERVICE_UNAVAILABLE : DECLINED;
    if (rc != 0) {
        if (!note->is_mapi)
            return DECLINED;     /* Autodiscover leaves mapiHttp out */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAPILOGNO(1062)
                      "no MAPI virtual directory %s\\mapi (%s): 404",
                      conf->server_name, conf->website);
        return HTTP_NOT_FOUND;
    }
    note->vdir = v;
    authz = apr_table_get(r->headers_in, "Authorization");
    if (note->is_mapi && authz && !(mh_scheme_bit(authz) & v->iis_auth)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAPILOGNO(1063)
                      "authentication method not in "
                      "IISAuthenticationMethods (%s): 401",
                      cfg_auth_str(r->pool, v->iis_auth));
        return HTTP_UNAUTHORIZED;
    }
    return DECLINED;
}

int mh_vdir_fixups(request_rec *r)
{
    mh_vdir_note *note = mh_note(r);

    if (note == NULL || !note->is_mapi || note->vdir == NULL ||
        r->user == NULL)
        return DECLINED;
    if (mh_scheme_bit(r->ap_auth_type) & note->vdir->iis_auth)
        return DECLINED;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MAPILOGNO(1064)
                  "authenticated by %s, not in IISAuthenticationMethods "
                  "(%s): 401", r->ap_auth_type ? r->ap_auth_type : "(none)",
                  cfg_auth_str(r->pool, note->vdir->iis_auth));
    return HTTP_UNAUTHORIZED;
}

/* Removes the WWW-Authenticate values of t whose scheme is not allowed;
 * returns how many are left. */
static int mh_filter_challenges(apr_pool_t *p, apr_table_t *t,
                                unsigned allowed)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    apr_array_header_t *keep = apr_array_make(p, 4, sizeof(const char *));

    for (int i = 0; i < a->nelts; i++)
        if (e[i].key && strcasecmp(e[i].key, "WWW-Authenticate") == 0 &&
            (mh_scheme_bit(e[i].val) & allowed))
            APR_ARRAY_PUSH(keep, const char *) = e[i].val;
    apr_table_unset(t, "WWW-Authenticate");
    for (int i = 0; i < keep->nelts; i++)
        apr_table_addn(t, "WWW-Authenticate",
                       APR_ARRAY_IDX(keep, i, const char *));
    return keep->nelts;
}

void mh_vdir_insert_error(request_rec *r)
{
    mh_vdir_note *note = mh_note(r);
    unsigned allowed;
    int left;

    if (note == NULL || !note->is_mapi || note->vdir == NULL ||
        r->status != HTTP_UNAUTHORIZED)
        return;
    allowed = note->vdir->iis_auth;
    /* ap_send_error_response runs this hook before it keeps only
     * err_headers_out (moved to headers_out): challenges belong there;
     * both are filtered in case another httpd orders it otherwise. */
    left = mh_filter_challenges(r->pool, r->headers_out, allowed) +
           mh_filter_challenges(r->pool, r->err_headers_out, allowed);
    if (left)
        return;
    for (size_t i = 0; i < MH_N_SCHEMES; i++) {
        const char *c = mh_schemes[i].scheme;
        if (!(allowed & mh_schemes[i].bit))
            continue;
        if (mh_schemes[i].bit == CFG_AUTH_BASIC)
            c = apr_psprintf(r->pool, "Basic realm=\"%s\"",
                             ap_auth_name(r) ? ap_auth_name(r) : "MAPI");
        apr_table_addn(r->err_headers_out, "WWW-Authenticate", c);
    }
}
