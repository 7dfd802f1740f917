/*
 * mh_context.c: what both endpoints do with session contexts: map the
 * authenticated identity to its mailbox, create a context (replacing the
 * one the client's old cookies name), destroy it, refresh it (PING).  The
 * auxiliary buffer every request body ends with is read by mh_parse.c.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_log.h"
#include "mod_mapi.h"
#include "apr_strings.h"

APLOG_USE_MODULE(mapi);

int mh_context_mailbox(mh_request *mr, cfg_org **org_r, cfg_mailbox **mbx_r)
{
    /* mh_policy_check looked both up for this request already. */
    if (mr->org == NULL || mr->mbx == NULL) {
        mr->detail = "no mailbox for the authenticated identity";
        return 1;
    }
    *org_r = mr->org;
    *mbx_r = mr->mbx;
    return 0;
}

int mh_context_open(mh_request *mr, const cfg_mailbox *mbx,
                    sess_context *ctx)
{
    request_rec *r = mr->r;
    const char *error = NULL;
    sess_status st;

    ctx->endpoint = mr->endpoint;
    ctx->idle_timeout = (uint32_t)mr->conf->idle_timeout;
    ctx->identity = r->user;
    ctx->auth_type = r->ap_auth_type;
    ctx->mailbox = mbx->smtp;
    /* A client may send any length; the record keeps a bounded prefix. */
    ctx->client_app = mr->client_app
                      ? apr_pstrndup(r->pool, mr->client_app, SESS_STR_MAX)
                      : NULL;
    ctx->client_ip = r->useragent_ip;
    /* Old cookies on a Connect or Bind name the context being replaced
     * ([MS-OXCMAPIHTTP] R1277); its sequence cookie is ignored (R1279). */
    st = sess_create_limited(mr->db, r->pool, ctx,
                             mr->has_ctx_cookie ? mr->ctx_id : NULL,
                             (unsigned)mr->conf->max_sessions_user,
                             (unsigned)mr->conf->max_sessions, &error);
    if (st == SESS_LIMIT_USER || st == SESS_LIMIT_TOTAL) {
        int user = st == SESS_LIMIT_USER;
        mh_limit_hit(mr, user ? "MapiMaxSessionsPerUser" : "MapiMaxSessions",
                     user ? mr->conf->max_sessions_user
                          : mr->conf->max_sessions,
                     "new session context refused");
        return MH_LIMIT;
    }
    if (st != SESS_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      MAPILOGNO(1011) "session store: %s", error);
        return MH_UNKNOWN_FAILURE;
    }
    mr->sess = ctx;
    mr->send_seq_cookie = 1;
    return MH_SUCCESS;
}

int mh_context_close(mh_request *mr)
{
    const char *error = NULL;

    if (sess_destroy(mr->db, mr->r->pool, mr->sess->id, &error)
        == SESS_DB_ERROR) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, mr->r,
                      MAPILOGNO(1013) "session store: %s", error);
        return MH_UNKNOWN_FAILURE;
    }
    return MH_SUCCESS;
}

/* PING refreshes the idle timer ([MS-OXCMAPIHTTP] R1248) and has no
 * response body (R1460); both endpoints share it. */
int mh_context_ping(mh_request *mr)
{
    const char *error = NULL;

    if (sess_end(mr->db, mr->r->pool, mr->sess, apr_time_now(), &error)
        == SESS_DB_ERROR)
        return MH_UNKNOWN_FAILURE;
    return mh_respond_body(mr, NULL, 0);
}
