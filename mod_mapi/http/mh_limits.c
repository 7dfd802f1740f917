/*
 * mh_limits.c: what the abuse limits have in common at the transport: the
 * error-log line a hit leaves, and whether a request came over TLS.
 *
 * A hit is logged once, at warning level, with the directive's name and
 * value and the authenticated user, so that an administrator sees who ran
 * into which limit; never a cookie, a password or a path (the request's
 * own detail string names only what was asked).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_log.h"
#include "http_ssl.h"
#include "apr_strings.h"
#include "mod_mapi.h"

APLOG_USE_MODULE(mapi);

void mh_limit_hit(mh_request *mr, const char *directive, long limit,
                  const char *what)
{
    request_rec *r = mr->r;

    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MAPILOGNO(1201)
                  "limit %s (%ld) reached by %s on %s: %s", directive, limit,
                  r->user ? r->user : "-",
                  mr->type ? mr->type->name : "-",
                  what ? what : "refused");
    if (mr->detail == NULL)
        mr->detail = apr_psprintf(r->pool, "%s reached", directive);
}

int mh_is_tls(request_rec *r)
{
    return ap_ssl_conn_is_ssl(r->connection);
}
