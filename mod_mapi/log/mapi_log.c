/*
 * mapi_log.c: the protocol logs, one per service, in the spirit of
 * Exchange's MAPI Client Access and MAPI Address Book Service logs, plus
 * Autodiscover: a row per request with the fields of
 * mapi_logfile_fields.  The files themselves (one write() per row, the
 * preamble, rollover by hour and size, pruning) are log/mapi_logfile.c.
 *
 * A MAPI request that reached mh_handle is logged by mapi_log_request when
 * its reply is complete (after a NotificationWait, when the wait ends).
 * Everything else under the endpoints and Autodiscover (401s of the
 * authentication modules, Autodiscover replies) gets its row from the
 * log_transaction hook, with what the request record knows.
 *
 * Never logged: passwords, tickets, cookie values (a hash stands in for
 * the session cookie), the Authorization header.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mod_mapi.h"
#include "http/mh_http.h"
#include "log/mapi_logfile.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_atomic.h"

#include <stdlib.h>
#include <unistd.h>
#include <openssl/evp.h>

APLOG_USE_MODULE(mapi);

enum { MAPI_LOG_EMSMDB, MAPI_LOG_NSPI, MAPI_LOG_AUTOD };

static const mapi_logfile_service mapi_log_services[] = {
    { "MapiClientAccess", "MAPI Client Access" },
    { "MapiAddressBook", "MAPI Address Book Service" },
    { "Autodiscover", "Autodiscover" },
};

static mapi_logfile_conf mapi_log_conf;
static apr_uint32_t mapi_log_seq;

#define MAPI_LOG_NOTE_DONE "mapi-logged"

enum {
    F_DATE, F_REQID, F_CLIENT_REQID, F_CLIENT_INFO, F_TYPE, F_HTTP,
    F_RESPONSE_CODE, F_STATUS_CODE, F_ELAPSED, F_USER, F_AUTH, F_MAILBOX,
    F_IP, F_SOFTWARE, F_VERSION, F_COOKIE, F_ROPS, F_IN, F_OUT, F_ERRORS,
    F_COUNT
};

void mapi_log_child_init(apr_pool_t *pchild, server_rec *s,
                         const mh_server_conf *conf)
{
    mapi_log_conf.dir = conf->log_dir ? apr_pstrdup(pchild, conf->log_dir)
                                      : NULL;
    mapi_log_conf.max_file = conf->log_max_file >= 0
                             ? conf->log_max_file : MAPI_LOGFILE_DEFAULT_SIZE;
    mapi_log_conf.max_age = conf->log_max_age >= 0
                            ? conf->log_max_age : MAPI_LOGFILE_DEFAULT_AGE;
    mapi_log_conf.max_dir = conf->log_max_dir >= 0
                            ? conf->log_max_dir : MAPI_LOGFILE_DEFAULT_DIR;
}

/* r->log_id exists only when some log format asks for it; the protocol
 * log needs an id on every row, unique across processes. */
static const char *mapi_log_request_id(request_rec *r)
{
    const char *id = apr_table_get(r->notes, "mapi-log-id");

    if (id)
        return id;
    if (r->log_id)
        return r->log_id;
    id = apr_psprintf(r->pool, "%lx-%x", (long)getpid(),
                      apr_atomic_inc32(&mapi_log_seq));
    apr_table_setn(r->notes, "mapi-log-id", id);
    return id;
}

/* First 16 hex digits of SHA-256: enough to correlate rows of a session,
 * useless for replaying it. */
static const char *mapi_log_cookie_hash(apr_pool_t *p, const char *cookie)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char *hex;

    if (cookie == NULL || !EVP_Digest(cookie, strlen(cookie), md, &len,
                                      EVP_sha256(), NULL))
        return NULL;
    hex = apr_palloc(p, 17);
    for (int i = 0; i < 8; i++)
        apr_snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return hex;
}

/* RopIds as Exchange logs them: hex ids separated by spaces. */
static const char *mapi_log_rop_ids(struct mh_request *mr)
{
    char *out, *o;

    if (mr->n_rop_ids == 0)
        return NULL;
    o = out = apr_palloc(mr->r->pool, mr->n_rop_ids * 3 + 1);
    for (unsigned i = 0; i < mr->n_rop_ids; i++)
        o += apr_snprintf(o, 4, i ? " %02X" : "%02X", mr->rop_ids[i]);
    *o = '\0';
    return out;
}

/* "Outlook/16.0.17928.20114" -> "Outlook", "16.0.17928.20114". */
static void mapi_log_software(apr_pool_t *p, const char *app,
                              const char **v)
{
    const char *slash = app ? strchr(app, '/') : NULL;

    v[F_SOFTWARE] = slash ? apr_pstrndup(p, app, (apr_size_t)(slash - app))
                          : app;
    v[F_VERSION] = slash ? apr_pstrndup(p, slash + 1, strcspn(slash + 1, " "))
                         : NULL;
}

/* What every row takes from the request record. */
static void mapi_log_common(request_rec *r, apr_time_t start, const char **v)
{
    apr_pool_t *p = r->pool;
    apr_time_exp_t t;
    char date[40];
    apr_size_t n;

    apr_time_exp_gmt(&t, apr_time_now());
    apr_strftime(date, &n, sizeof(date), "%Y-%m-%dT%H:%M:%S", &t);
    v[F_DATE] = apr_psprintf(p, "%s.%03dZ", date, t.tm_usec / 1000);
    v[F_REQID] = mapi_log_request_id(r);
    v[F_CLIENT_REQID] = apr_table_get(r->headers_in, "X-RequestId");
    v[F_CLIENT_INFO] = apr_table_get(r->headers_in, "X-ClientInfo");
    v[F_TYPE] = apr_table_get(r->headers_in, "X-RequestType");
    v[F_HTTP] = apr_itoa(p, r->status);
    v[F_ELAPSED] = apr_psprintf(p, "%" APR_INT64_T_FMT,
        (apr_int64_t)apr_time_as_msec(apr_time_now() - start));
    v[F_USER] = r->user;
    v[F_AUTH] = r->ap_auth_type;
    v[F_IP] = r->useragent_ip;
    mapi_log_software(p, apr_table_get(r->headers_in, "X-ClientApplication"),
                      v);
    v[F_IN] = apr_table_get(r->headers_in, "Content-Length");
    v[F_OUT] = apr_off_t_toa(p, r->bytes_sent);
    v[F_MAILBOX] = apr_table_get(r->notes, MAPI_NOTE_LOG_MAILBOX);
    v[F_ERRORS] = apr_table_get(r->notes, MAPI_NOTE_LOG_ERROR);
}

static void mapi_log_write(request_rec *r, int service, const char **v)
{
    const char *error = NULL, *row;
    apr_size_t len;
    int code = v[F_RESPONSE_CODE] ? atoi(v[F_RESPONSE_CODE]) : -1;

    /* server-status counts exactly what the log records. */
    mapi_stats_count(service, v[F_TYPE], r->status, code,
                     r->status != HTTP_OK || code > 0 ||
                     (v[F_STATUS_CODE] && strcmp(v[F_STATUS_CODE],
                                                 "0x00000000")) ||
                     (service == MAPI_LOG_AUTOD && v[F_ERRORS]));
    row = mapi_logfile_row(r->pool, v, &len);
    apr_table_setn(r->notes, MAPI_LOG_NOTE_DONE, "1");
    if (mapi_logfile_append(r->pool, &mapi_log_conf,
                            &mapi_log_services[service], apr_time_now(), row,
                            len, &error) != 0)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      MAPILOGNO(1040) "protocol log: %s", error);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, MAPILOGNO(1068)
                  "request %s: %s %s HTTP %s X-ResponseCode %s%s%s",
                  v[F_REQID], mapi_log_services[service].subdir,
                  v[F_TYPE] ? v[F_TYPE] : "-", v[F_HTTP],
                  v[F_RESPONSE_CODE] ? v[F_RESPONSE_CODE] : "-",
                  v[F_ERRORS] ? ": " : "", v[F_ERRORS] ? v[F_ERRORS] : "");
}

void mapi_log_request(struct mh_request *mr)
{
    request_rec *r = mr->r;
    apr_pool_t *p = r->pool;
    const char *v[F_COUNT] = { NULL };

    if (mapi_log_conf.dir == NULL || mr->endpoint == 0)
        return;
    mapi_log_common(r, mr->start, v);
    v[F_TYPE] = mr->request_type;
    v[F_RESPONSE_CODE] = apr_itoa(p, mr->response_code);
    if (mr->has_status_code)
        v[F_STATUS_CODE] = apr_psprintf(p, "0x%08X", mr->status_code);
    v[F_MAILBOX] = mr->sess ? mr->sess->mailbox
                            : mr->mbx ? mr->mbx->smtp : NULL;
    v[F_COOKIE] = mapi_log_cookie_hash(p, mr->ctx_cookie);
    v[F_ROPS] = mapi_log_rop_ids(mr);
    v[F_IN] = apr_psprintf(p, "%" APR_SIZE_T_FMT, mr->body_len);
    v[F_OUT] = apr_psprintf(p, "%" APR_SIZE_T_FMT, mr->bytes_out);
    v[F_ERRORS] = mr->response_code != 0 || mr->has_status_code == 0
                  ? mr->detail : NULL;
    mapi_log_write(r, mr->endpoint == SESS_EP_NSPI ? MAPI_LOG_NSPI
                                                   : MAPI_LOG_EMSMDB, v);
}

/* Which log a URI belongs to, or -1: the endpoints are the last path
 * segment (as mh_transport.c finds them), Autodiscover its own path. */
static int mapi_log_service_of(const char *uri)
{
    apr_size_t len = uri ? strlen(uri) : 0;

    if (len > 14 && strncasecmp(uri, "/autodiscover/", 14) == 0)
        return MAPI_LOG_AUTOD;
    if (len && uri[len - 1] == '/')
        len--;
    if (len >= 7 && strncasecmp(uri + len - 7, "/emsmdb", 7) == 0)
        return MAPI_LOG_EMSMDB;
    if (len >= 5 && strncasecmp(uri + len - 5, "/nspi", 5) == 0)
        return MAPI_LOG_NSPI;
    return -1;
}

int mapi_log_transaction(request_rec *r)
{
    const char *v[F_COUNT] = { NULL };
    request_rec *last = r;
    int service;

    if (mapi_log_conf.dir == NULL)
        return DECLINED;
    /* An internal redirect (an error document) logs as the last one. */
    while (last->next)
        last = last->next;
    if (apr_table_get(last->notes, MAPI_LOG_NOTE_DONE) ||
        apr_table_get(r->notes, MAPI_LOG_NOTE_DONE) ||
        (service = mapi_log_service_of(r->uri)) < 0)
        return DECLINED;
    mapi_log_common(last, r->request_time, v);
    v[F_CLIENT_REQID] = apr_table_get(r->headers_in, "X-RequestId");
    if (service == MAPI_LOG_AUTOD) {
        v[F_TYPE] = "Autodiscover";
        v[F_MAILBOX] = apr_table_get(r->notes, MAPI_NOTE_LOG_MAILBOX);
    } else {
        v[F_RESPONSE_CODE] = apr_table_get(last->headers_out,
                                           "X-ResponseCode");
    }
    if (last->status == HTTP_UNAUTHORIZED && v[F_ERRORS] == NULL)
        v[F_ERRORS] = r->user ? "credentials refused"
                              : "not authenticated";
    mapi_log_write(last, service, v);
    return OK;
}
