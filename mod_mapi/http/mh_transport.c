/*
 * mh_transport.c: one MAPI over HTTP request from arrival to the request
 * type's handler.  The checks run in the order a client can act on:
 * endpoint (3), verb (2), identity (8), request type (7, 5), headers (7,
 * 4), shutdown (18), the mailbox's settings and MailboxId (11, 16:
 * mh_policy.c), body size (9), cookies (13, 6), context (10, 15).  The
 * virtual directory (404) and the authentication method (401) were
 * checked before the handler (mh_vdir.c).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_mpm.h"
#include "apr_strings.h"
#include "mod_mapi.h"

APLOG_USE_MODULE(mapi);

int mh_process_stopping(void)
{
    int state = AP_MPMQ_RUNNING;

    ap_mpm_query(AP_MPMQ_MPM_STATE, &state);
    return state == AP_MPMQ_STOPPING;
}

/* The endpoint is the last path segment: .../emsmdb/ or .../nspi/, with or
 * without the slash (mh_parse_endpoint).  Returns 0 for anything else. */
static sess_endpoint mh_endpoint(request_rec *r, const char **cookie_path_r)
{
    size_t len = 0;
    sess_endpoint ep = mh_parse_endpoint(r->uri, &len);

    if (ep)
        *cookie_path_r = apr_pstrcat(r->pool,
                                     apr_pstrmemdup(r->pool, r->uri, len),
                                     "/", NULL);
    return ep;
}

/* Real clients vary the case (BIND, Ping): compare case-insensitively. */
static const mh_reqtype *mh_find_type(sess_endpoint ep, const char *name)
{
    const mh_reqtype *t = ep == SESS_EP_EMSMDB ? mh_emsmdb_types
                                               : mh_nspi_types;

    for (; t->name; t++)
        if (strcasecmp(t->name, name) == 0)
            return t;
    return NULL;
}

static int mh_body_too_large(mh_request *mr, apr_off_t max)
{
    mh_limit_hit(mr, "MapiMaxRequestBody", (long)max,
                 "chunked body refused while reading");
    return mh_respond_error(mr, MH_TOO_LARGE, HTTP_OK, "body over the limit");
}

/* Reads the whole body, refusing more than max bytes: a declared length
 * over the limit is refused before a byte is read. */
static int mh_read_body(mh_request *mr)
{
    request_rec *r = mr->r;
    apr_off_t max = mr->conf->max_body;
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    char *buf;
    apr_size_t cap, len = 0;
    int rc;

    if (cl) {
        apr_off_t declared;
        if (mh_parse_content_length(cl, &declared) != 0)
            return mh_respond_error(mr, MH_INVALID_HEADER, HTTP_OK,
                                    "bad Content-Length");
        if (declared > max) {
            mh_limit_hit(mr, "MapiMaxRequestBody", (long)max,
                         "declared body refused before reading");
            return mh_respond_error(mr, MH_TOO_LARGE, HTTP_OK,
                                    "declared body over the limit");
        }
    }
    rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
    if (rc != OK)
        return mh_respond_error(mr, MH_INVALID_REQUEST_BODY, HTTP_OK,
                                "unreadable body");
    /* Grow from a small start: the declared length only bounds, never
     * sizes, an allocation. */
    cap = 8192;
    buf = apr_palloc(r->pool, cap);
    for (;;) {
        long n;
        if (len == cap) {
            apr_size_t ncap = cap * 2;
            char *nbuf;
            if ((apr_off_t)cap >= max + 1)
                return mh_body_too_large(mr, max);
            nbuf = apr_palloc(r->pool, ncap);
            memcpy(nbuf, buf, len);
            buf = nbuf;
            cap = ncap;
        }
        n = ap_get_client_block(r, buf + len, cap - len);
        if (n == 0)
            break;
        if (n < 0)
            return mh_respond_error(mr, MH_INVALID_REQUEST_BODY, HTTP_OK,
                                    "body read failed");
        len += (apr_size_t)n;
        if ((apr_off_t)len > max)
            return mh_body_too_large(mr, max);
    }
    mr->body = (const uint8_t *)buf;
    mr->body_len = len;
    return OK;
}

/* Context and sequence cookies: 13 when a needed one is absent, 6 when the
 * context cookie is not one of ours in shape, 15 for a misshapen sequence.
 * A Connect or Bind may carry old cookies (reconnect); a malformed one is
 * then simply ignored. */
static int mh_read_cookies(mh_request *mr)
{
    unsigned f = mr->type->flags;

    mr->ctx_cookie = mh_cookie_get(mr->r, MH_COOKIE_CONTEXT);
    mr->seq_cookie = mh_cookie_get(mr->r, MH_COOKIE_SEQUENCE);
    mr->has_ctx_cookie = mr->ctx_cookie &&
                         sess_id_parse(mr->ctx_cookie, mr->ctx_id) == 0;
    mr->has_seq_cookie = mr->seq_cookie &&
                         sess_id_parse(mr->seq_cookie, mr->seq) == 0;
    if (!(f & MH_RT_CONTEXT))
        return OK;
    if (mr->ctx_cookie == NULL)
        return mh_respond_error(mr, MH_MISSING_COOKIE, HTTP_OK,
                                "no context cookie");
    if (!mr->has_ctx_cookie)
        return mh_respond_error(mr, MH_INVALID_CONTEXT_COOKIE, HTTP_OK,
                                "malformed context cookie");
    if (f & MH_RT_SEQUENCED) {
        if (mr->seq_cookie == NULL)
            return mh_respond_error(mr, MH_MISSING_COOKIE, HTTP_OK,
                                    "no sequence cookie");
        if (!mr->has_seq_cookie)
            return mh_respond_error(mr, MH_INVALID_SEQUENCE, HTTP_OK,
                                    "malformed sequence cookie");
    }
    return OK;
}

static int mh_sess_code(sess_status st)
{
    switch (st) {
    case SESS_OK:            return MH_SUCCESS;
    case SESS_NOT_FOUND:
    case SESS_EXPIRED:
    case SESS_FOREIGN:       return MH_CONTEXT_NOT_FOUND;
    case SESS_BAD_SEQUENCE:
    case SESS_BUSY:          return MH_INVALID_SEQUENCE;
    default:                 return MH_UNKNOWN_FAILURE;
    }
}

static int mh_load_context(mh_request *mr)
{
    unsigned f = mr->type->flags;
    sess_check chk = {
        .id = mr->ctx_id, .endpoint = mr->endpoint,
        .identity = mr->r->user, .seq = mr->has_seq_cookie ? mr->seq : NULL,
        .now = apr_time_now(),
    };
    const char *error = NULL;
    sess_status st;

    if (f & MH_RT_EXCLUSIVE)
        chk.flags |= SESS_EXCLUSIVE;
    if (f & MH_RT_SEQUENCED)
        chk.flags |= SESS_CHECK_SEQ | SESS_ROTATE;
    st = sess_begin(mr->db, mr->r->pool, &chk, &mr->sess, &error);
    if (st == SESS_OK) {
        mr->send_seq_cookie = (f & MH_RT_SEQUENCED) != 0;
        return OK;
    }
    mr->sess = NULL;
    if (st == SESS_DB_ERROR)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, mr->r,
                      MAPILOGNO(1001) "session store: %s", error);
    return mh_respond_error(mr, mh_sess_code(st),
                            st == SESS_DB_ERROR ? HTTP_INTERNAL_SERVER_ERROR
                                                : HTTP_OK,
                            sess_status_str(st));
}

static void mh_end_context(mh_request *mr)
{
    const char *error = NULL;

    if (mr->sess == NULL || !(mr->type->flags & MH_RT_EXCLUSIVE))
        return;
    if (sess_end(mr->db, mr->r->pool, mr->sess, apr_time_now(), &error)
        == SESS_DB_ERROR)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, mr->r,
                      MAPILOGNO(1002) "session store: %s", error);
}

/* Read first, so that every reply, early failures included, echoes them
 * ([MS-OXCMAPIHTTP] R44, R2040, R156). */
static void mh_read_headers(mh_request *mr)
{
    apr_table_t *h = mr->r->headers_in;

    mr->request_type = apr_table_get(h, "X-RequestType");
    mr->request_id = apr_table_get(h, "X-RequestId");
    mr->client_info = apr_table_get(h, "X-ClientInfo");
    mr->client_app = apr_table_get(h, "X-ClientApplication");
}

static int mh_check_headers(mh_request *mr)
{
    request_rec *r = mr->r;

    if (mr->request_type == NULL || *mr->request_type == '\0')
        return mh_respond_error(mr, MH_MISSING_HEADER, HTTP_OK,
                                "no X-RequestType");
    mr->type = mh_find_type(mr->endpoint, mr->request_type);
    if (mr->type == NULL)
        return mh_respond_error(mr, MH_INVALID_REQUEST_TYPE, HTTP_OK,
                                "unknown X-RequestType");
    if (mr->request_id == NULL || *mr->request_id == '\0')
        return mh_respond_error(mr, MH_MISSING_HEADER, HTTP_OK,
                                "no X-RequestId");
    if (!(mr->type->flags & MH_RT_NO_BODY) &&
        !mh_is_mapi_content_type(apr_table_get(r->headers_in,
                                               "Content-Type")))
        return mh_respond_error(mr, MH_INVALID_HEADER, HTTP_OK,
                                "Content-Type is not application/mapi-http");
    return OK;
}

/* Everything up to the handler; returns OK to go on, MH_DONE when a
 * failure reply has been sent. */
static int mh_admit(mh_request *mr)
{
    request_rec *r = mr->r;
    int rc;

    if (mr->db == NULL)
        return mh_respond_error(mr, MH_UNKNOWN_FAILURE,
                                HTTP_SERVICE_UNAVAILABLE,
                                "store not available");
    if (mr->endpoint == 0)
        return mh_respond_error(mr, MH_INVALID_PATH, HTTP_OK,
                                "not an endpoint");
    if (r->method_number != M_POST)
        return mh_respond_error(mr, MH_INVALID_VERB, HTTP_OK, "not POST");
    if (r->user == NULL || *r->user == '\0')
        return mh_respond_error(mr, MH_ANONYMOUS_NOT_ALLOWED,
                                HTTP_UNAUTHORIZED, "anonymous");
    if ((rc = mh_check_headers(mr)) != OK)
        return rc;
    if (mh_process_stopping())
        return mh_respond_error(mr, MH_ENDPOINT_SHUTTING_DOWN, HTTP_OK,
                                "process stopping");
    if ((rc = mh_policy_check(mr)) != OK)
        return rc;
    if ((rc = mh_read_body(mr)) != OK)
        return rc;
    if ((rc = mh_read_cookies(mr)) != OK)
        return rc;
    if (mr->type->flags & MH_RT_CONTEXT)
        return mh_load_context(mr);
    return OK;
}

int mh_handle(request_rec *r, const mh_server_conf *conf, mapi_db *db)
{
    mh_request *mr = apr_pcalloc(r->pool, sizeof(*mr));
    int rc;

    mr->r = r;
    mr->conf = conf;
    mr->db = db;
    mr->start = r->request_time ? r->request_time : apr_time_now();
    mr->endpoint = mh_endpoint(r, &mr->cookie_path);
    mh_read_headers(mr);
    rc = mh_admit(mr);
    if (rc == OK) {
        rc = mr->type->handler(mr);
        if (rc != MH_DONE && rc != MH_SUSPENDED)
            rc = mr->streaming
                 ? (mh_stream_finish(mr, rc, NULL, 0), MH_DONE)
                 : mh_respond_error(mr, rc, HTTP_OK, mr->detail);
        if (rc != MH_SUSPENDED)
            mh_end_context(mr);
    }
    if (rc == MH_SUSPENDED)
        return SUSPENDED;    /* the waiter logs it when the wait ends */
    mapi_log_request(mr);
    return OK;
}
