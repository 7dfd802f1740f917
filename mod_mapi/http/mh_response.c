/*
 * mh_response.c: response headers and the meta-tag framing of
 * [MS-OXCMAPIHTTP] 2.2.2.2 and 2.2.7.
 *
 * A streamed response is: common headers (X-ResponseCode 0), then in the
 * body "PROCESSING\r\n" flushed at once, "PENDING\r\n" every pending
 * period while work goes on, "DONE\r\n", additional headers (X-ResponseCode,
 * X-ElapsedTime in milliseconds, X-StartTime), a blank line, and the binary
 * response body.  httpd applies chunked transfer coding because no
 * Content-Length is set and every meta-tag is flushed.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_protocol.h"
#include "http_log.h"
#include "apr_strings.h"
#include "util_cookies.h"

APLOG_USE_MODULE(mapi);

/* The name [MS-OXCMAPIHTTP] 2.2.3.3.3 gives an X-ResponseCode. */
static const char *mh_code_str(int code)
{
    static const char *const names[] = {
        "Success", "Unknown Failure", "Invalid Verb", "Invalid Path",
        "Invalid Header", "Invalid Request Type", "Invalid Context Cookie",
        "Missing Header", "Anonymous Not Allowed", "Too Large",
        "Context Not Found", "No Privilege", "Invalid Request Body",
        "Missing Cookie", "Reserved", "Invalid Sequence",
        "Endpoint Disabled", "Invalid Response", "Endpoint Shutting Down",
    };
    return code >= 0 && code <= MH_CODE_MAX ? names[code] : "Unknown";
}

static apr_int64_t mh_expiration_ms(mh_request *mr)
{
    if (mr->sess)
        return sess_expiration_ms(mr->sess, apr_time_now());
    return (apr_int64_t)mr->conf->idle_timeout * 1000;
}

/* Set-Cookie for the context, and the sequence when send_seq_cookie. */
static void mh_set_cookies(mh_request *mr)
{
    request_rec *r = mr->r;
    const char *attrs;

    if (mr->sess == NULL)
        return;
    /* Secure only under TLS, or a test over plain HTTP could never send
     * the cookie back; HttpOnly always. */
    attrs = apr_psprintf(r->pool, "path=%s;%s HttpOnly", mr->cookie_path,
                         ap_http_scheme(r)[4] == 's' ? " secure;" : "");
    apr_table_add(r->err_headers_out, "Set-Cookie",
                  apr_psprintf(r->pool, "%s=%s; %s", MH_COOKIE_CONTEXT,
                               sess_id_hex(r->pool, mr->sess->id), attrs));
    if (mr->send_seq_cookie)
        apr_table_add(r->err_headers_out, "Set-Cookie",
                      apr_psprintf(r->pool, "%s=%s; %s", MH_COOKIE_SEQUENCE,
                                   sess_id_hex(r->pool, mr->sess->seq),
                                   attrs));
}

/* Headers every reply carries ([MS-OXCMAPIHTTP] 2.2.2.2, 2.2.3.3). */
static void mh_common_headers(mh_request *mr, int code)
{
    request_rec *r = mr->r;
    apr_table_t *h = r->err_headers_out;

    if (mr->request_type)
        apr_table_setn(h, "X-RequestType", mr->request_type);
    if (mr->request_id)
        apr_table_setn(h, "X-RequestId", mr->request_id);
    if (mr->client_info)
        apr_table_setn(h, "X-ClientInfo", mr->client_info);
    apr_table_setn(h, "X-ResponseCode", apr_itoa(r->pool, code));
    apr_table_setn(h, "X-ServerApplication", MH_SERVER_APPLICATION);
    apr_table_setn(h, "X-PendingPeriod",
                   apr_itoa(r->pool, mr->conf->pending_period));
    apr_table_setn(h, "X-ExpirationInfo",
                   apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
                                mh_expiration_ms(mr)));
    apr_table_setn(h, "Cache-Control", "private");
    /* A compressing filter would hold back the keep-alives. */
    apr_table_setn(r->subprocess_env, "no-gzip", "1");
    mh_set_cookies(mr);
}

static apr_status_t mh_write(mh_request *mr, const void *data,
                             apr_size_t len, int flush)
{
    request_rec *r = mr->r;
    conn_rec *c = r->connection;
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, c->bucket_alloc);
    apr_status_t rv;

    if (len)
        apr_brigade_write(bb, NULL, NULL, data, len);
    mr->bytes_out += len;
    if (flush)
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
    rv = ap_pass_brigade(r->output_filters, bb);
    apr_brigade_cleanup(bb);
    return rv;
}

int mh_respond_error(mh_request *mr, int code, int http_status,
                     const char *detail)
{
    request_rec *r = mr->r;
    const char *name = mh_code_str(code);
    const char *body;

    mr->response_code = code;
    mr->detail = detail;
    mh_common_headers(mr, code);
    if (http_status == HTTP_UNAUTHORIZED)
        ap_note_auth_failure(r);
    r->status = http_status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    /* The body names the failure, never the user, the mailbox or a path
     * ([MS-OXCMAPIHTTP] R56: diagnostic information). */
    body = apr_psprintf(r->pool,
                        "<html><head><title>%s</title></head><body>"
                        "<h1>%s</h1><p>X-ResponseCode: %d</p></body></html>\n",
                        name, name, code);
    ap_set_content_length(r, (apr_off_t)strlen(body));
    mh_write(mr, body, strlen(body), 0);
    return MH_DONE;
}

apr_status_t mh_stream_begin(mh_request *mr)
{
    request_rec *r = mr->r;

    mh_common_headers(mr, MH_SUCCESS);
    r->status = HTTP_OK;
    ap_set_content_type(r, MH_CONTENT_TYPE);
    mr->streaming = 1;
    mr->last_tag = apr_time_now();
    return mh_write(mr, "PROCESSING\r\n", 12, 1);
}

apr_status_t mh_stream_pending(mh_request *mr)
{
    mr->last_tag = apr_time_now();
    return mh_write(mr, "PENDING\r\n", 9, 1);
}

apr_status_t mh_stream_keepalive(mh_request *mr)
{
    apr_time_t period = apr_time_from_msec(mr->conf->pending_period);

    if (!mr->streaming || apr_time_now() - mr->last_tag < period)
        return APR_SUCCESS;
    return mh_stream_pending(mr);
}

apr_status_t mh_stream_finish(mh_request *mr, int code, const void *body,
                              apr_size_t len)
{
    request_rec *r = mr->r;
    char date[APR_RFC822_DATE_LEN];
    apr_time_t elapsed = apr_time_now() - mr->start;
    const char *trailer;
    apr_status_t rv;

    mr->response_code = code;
    if (body && len >= 4) {
        const uint8_t *b = body;
        mr->has_status_code = 1;
        mr->status_code = (uint32_t)b[0] | ((uint32_t)b[1] << 8) |
                          ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    }
    apr_rfc822_date(date, mr->start);
    trailer = apr_psprintf(r->pool,
                           "DONE\r\nX-ResponseCode: %d\r\n"
                           "X-ElapsedTime: %" APR_INT64_T_FMT "\r\n"
                           "X-StartTime: %s\r\n\r\n",
                           code, (apr_int64_t)apr_time_as_msec(elapsed),
                           date);
    rv = mh_write(mr, trailer, strlen(trailer), 0);
    if (rv == APR_SUCCESS)
        rv = mh_write(mr, body, len, 1);
    return rv;
}

int mh_respond_body(mh_request *mr, const void *body, apr_size_t len)
{
    apr_status_t rv = mh_stream_begin(mr);

    if (rv == APR_SUCCESS)
        mh_stream_finish(mr, MH_SUCCESS, body, len);
    return MH_DONE;
}
