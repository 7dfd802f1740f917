/*
 * mapi_log.c: the protocol logs, one per service, in the spirit of
 * Exchange's MAPI Client Access and MAPI Address Book Service logs: CSV
 * with a W3C-style preamble, one row per request, a file per hour.
 *
 * Many httpd processes append at once.  Each row is one write() on a file
 * opened O_APPEND, which the kernel applies atomically for a local file,
 * so rows never interleave.  A new hour's file is made complete with its
 * preamble under a temporary name and link()ed into place, so no process
 * ever appends to a file without its header.
 *
 * Never logged: passwords, tickets, cookie values (a hash stands in for
 * the session cookie).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mod_mapi.h"
#include "http/mh_http.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

APLOG_USE_MODULE(mapi);

#define MAPI_LOG_ROW_MAX 4000   /* one write(); longer fields are cut */

static const char *mapi_log_dir;
static apr_uint32_t mapi_log_seq;

/* r->log_id exists only when some log format asks for it; the protocol
 * log needs an id on every row, unique across processes. */
static const char *mapi_log_request_id(request_rec *r)
{
    if (r->log_id)
        return r->log_id;
    return apr_psprintf(r->pool, "%lx-%x", (long)getpid(),
                        apr_atomic_inc32(&mapi_log_seq));
}

static const char *const mapi_log_fields =
    "DateTime,RequestId,ClientRequestId,ClientInfo,RequestType,HttpStatus,"
    "ResponseCode,ElapsedTime,AuthenticatedUser,AuthenticationType,"
    "MailboxId,ClientIp,ClientSoftware,SessionCookie,RopIds,RequestBytes,"
    "GenericErrors";

void mapi_log_child_init(apr_pool_t *pchild, server_rec *s,
                         const char *log_dir)
{
    mapi_log_dir = log_dir ? apr_pstrdup(pchild, log_dir) : NULL;
}

static const char *mapi_log_service(sess_endpoint ep)
{
    return ep == SESS_EP_NSPI ? "MapiAddressBook" : "MapiClientAccess";
}

/* Quotes a field when it holds a separator, a quote or a line break. */
static const char *mapi_log_csv(apr_pool_t *p, const char *v)
{
    apr_size_t n = 0;
    char *out, *o;

    if (v == NULL)
        return "";
    if (strpbrk(v, ",\"\r\n") == NULL)
        return v;
    for (const char *s = v; *s; s++)
        n += *s == '"' ? 2 : 1;
    o = out = apr_palloc(p, n + 3);
    *o++ = '"';
    for (const char *s = v; *s; s++) {
        if (*s == '\r' || *s == '\n') {
            *o++ = ' ';
            continue;
        }
        if (*s == '"')
            *o++ = '"';
        *o++ = *s;
    }
    *o++ = '"';
    *o = '\0';
    return out;
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
        return "";
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
        return "";
    o = out = apr_palloc(mr->r->pool, mr->n_rop_ids * 3 + 1);
    for (unsigned i = 0; i < mr->n_rop_ids; i++)
        o += apr_snprintf(o, 4, i ? " %02X" : "%02X", mr->rop_ids[i]);
    *o = '\0';
    return out;
}

static int mapi_log_create(apr_pool_t *p, const char *path)
{
    const char *tmp = apr_psprintf(p, "%s.%ld.tmp", path, (long)getpid());
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    const char *head;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

    if (fd < 0)
        return -1;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    head = apr_psprintf(p, "#Software: mod_mapi\r\n#Version: 1.0\r\n"
                        "#Log-type: MAPI over HTTP protocol log\r\n"
                        "#Date: %s\r\n#Fields: %s\r\n", date,
                        mapi_log_fields);
    if (write(fd, head, strlen(head)) < 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (link(tmp, path) != 0 && errno != EEXIST) {
        unlink(tmp);
        return -1;
    }
    unlink(tmp);
    return 0;
}

static int mapi_log_open(apr_pool_t *p, sess_endpoint ep)
{
    const char *dir = apr_pstrcat(p, mapi_log_dir, "/",
                                  mapi_log_service(ep), NULL);
    char stamp[16];
    time_t now = time(NULL);
    struct tm tm;
    const char *path;
    int fd;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d%H", &tm);
    path = apr_psprintf(p, "%s/MapiHttp_%s-1.LOG", dir, stamp);
    fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT)
        return fd;
    mkdir(mapi_log_dir, 0750);
    mkdir(dir, 0750);
    if (mapi_log_create(p, path) != 0)
        return -1;
    return open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
}

void mapi_log_request(struct mh_request *mr)
{
    request_rec *r = mr->r;
    apr_pool_t *p = r->pool;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    const char *row;
    apr_size_t len;
    int fd;

    if (mapi_log_dir == NULL || mr->endpoint == 0)
        return;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    row = apr_psprintf(p, "%s,%s,%s,%s,%s,%d,%d,%" APR_INT64_T_FMT ",%s,%s,"
                       "%s,%s,%s,%s,%s,%" APR_SIZE_T_FMT ",%s\r\n",
        date, mapi_log_csv(p, mapi_log_request_id(r)),
        mapi_log_csv(p, mr->request_id), mapi_log_csv(p, mr->client_info),
        mapi_log_csv(p, mr->request_type), r->status, mr->response_code,
        (apr_int64_t)apr_time_as_msec(apr_time_now() - mr->start),
        mapi_log_csv(p, r->user), mapi_log_csv(p, r->ap_auth_type),
        mapi_log_csv(p, mr->sess ? mr->sess->mailbox : NULL),
        mapi_log_csv(p, r->useragent_ip), mapi_log_csv(p, mr->client_app),
        mapi_log_cookie_hash(p, mr->ctx_cookie), mapi_log_rop_ids(mr),
        mr->body_len,
        mapi_log_csv(p, mr->detail));
    len = strlen(row);
    if (len > MAPI_LOG_ROW_MAX) {
        ((char *)row)[MAPI_LOG_ROW_MAX - 2] = '\r';
        ((char *)row)[MAPI_LOG_ROW_MAX - 1] = '\n';
        len = MAPI_LOG_ROW_MAX;
    }
    fd = mapi_log_open(p, mr->endpoint);
    if (fd < 0) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, errno, r,
                      MAPILOGNO(1040) "cannot open the protocol log in %s",
                      mapi_log_dir);
        return;
    }
    if (write(fd, row, len) < 0)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, errno, r,
                      MAPILOGNO(1041) "cannot write the protocol log");
    close(fd);
}
