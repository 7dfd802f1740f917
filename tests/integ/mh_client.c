/*
 * mh_client.c: the MAPI over HTTP client of mh_client.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_client.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_xml.h>
#include <curl/curl.h>

#include "wire/lz77.h"
#include "wire/mapi_rd.h"
#include "wire/rpcext.h"

#define MHC_DEFAULT_TIMEOUT_MS  30000
#define MHC_CONNECT_TIMEOUT_MS  5000
#define MHC_MAX_ROP_OUT         0x10008u   /* what Outlook sends */
#define MHC_STR_MAX             4096       /* DnPrefix, DisplayName */
#define MHC_CLIENT_APP          "Outlook/16.0.17928.20114"

/* Framing states of a response being received. */
enum { ST_UNDECIDED = 0, ST_TAGS, ST_TRAILER, ST_BODY, ST_UNFRAMED };

static const char *const mhc_paths[MHC_ENDPOINTS] = {
    "/mapi/emsmdb/", "/mapi/nspi/"
};

const char *mhc_endpoint_path(mhc_endpoint ep)
{
    return ep < MHC_ENDPOINTS ? mhc_paths[ep] : "/mapi/";
}

int mhc_global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
        return -1;
    if (apr_initialize() != APR_SUCCESS)
        return -1;
    atexit(apr_terminate);
    return 0;
}

double mhc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* An upper-case GUID string from 16 random bytes. */
static void mhc_guid(char out[40])
{
    uint8_t b[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
        /* Not security relevant: unique enough for request ids. */
        for (size_t i = 0; i < sizeof(b); i++)
            b[i] = (uint8_t)(rand() ^ (int)(mhc_now_ms() * 1000) ^ (int)i);
    }
    if (fd >= 0)
        close(fd);
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);   /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);   /* variant */
    snprintf(out, 40,
             "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
             "%02X%02X%02X%02X%02X%02X",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
             b[10], b[11], b[12], b[13], b[14], b[15]);
}

static char *mhc_strdup0(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* ------------------------------------------------------------ client -- */

mhc_client *mhc_client_new(const char *base_url, mhc_auth auth,
                           const char *user, const char *password,
                           const char *ca_file)
{
    mhc_client *c = calloc(1, sizeof(*c));
    char guid[40];
    size_t n;

    if (c == NULL)
        return NULL;
    c->base_url = strdup(base_url);
    n = strlen(c->base_url);
    while (n > 0 && c->base_url[n - 1] == '/')
        c->base_url[--n] = '\0';
    c->auth = auth;
    c->user = mhc_strdup0(user);
    c->password = mhc_strdup0(password);
    c->ca_file = mhc_strdup0(ca_file);
    mhc_guid(c->request_guid);
    mhc_guid(guid);
    snprintf(c->client_info, sizeof(c->client_info), "{%s}:1", guid);
    snprintf(c->client_app, sizeof(c->client_app), "%s", MHC_CLIENT_APP);
    c->timeout_ms = MHC_DEFAULT_TIMEOUT_MS;
    return c;
}

mhc_client *mhc_client_clone(const mhc_client *c)
{
    mhc_client *d = mhc_client_new(c->base_url, c->auth, c->user,
                                   c->password, c->ca_file);

    if (d == NULL)
        return NULL;
    d->mailbox_id = mhc_strdup0(c->mailbox_id);
    memcpy(d->client_info, c->client_info, sizeof(d->client_info));
    memcpy(d->client_app, c->client_app, sizeof(d->client_app));
    memcpy(d->jar, c->jar, sizeof(d->jar));
    d->timeout_ms = c->timeout_ms;
    d->fresh_connections = c->fresh_connections;
    d->verbose = c->verbose;
    return d;
}

void mhc_client_free(mhc_client **cp)
{
    mhc_client *c = *cp;

    if (c == NULL)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->base_url);
    free(c->user);
    free(c->password);
    free(c->ca_file);
    free(c->mailbox_id);
    free(c);
    *cp = NULL;
}

/* ------------------------------------------------------------ cookies -- */

const char *mhc_cookie_get(const mhc_client *c, mhc_endpoint ep,
                           const char *name)
{
    const mhc_jar *j = &c->jar[ep];

    for (int i = 0; i < j->n; i++)
        if (strcmp(j->c[i].name, name) == 0)
            return j->c[i].value;
    return NULL;
}

void mhc_cookie_set(mhc_client *c, mhc_endpoint ep, const char *name,
                    const char *value)
{
    mhc_jar *j = &c->jar[ep];
    int i;

    for (i = 0; i < j->n; i++)
        if (strcmp(j->c[i].name, name) == 0)
            break;
    if (value == NULL) {
        if (i < j->n) {
            memmove(&j->c[i], &j->c[i + 1],
                    (size_t)(j->n - i - 1) * sizeof(j->c[0]));
            j->n--;
        }
        return;
    }
    if (i == j->n) {
        if (j->n == MHC_MAX_COOKIES)
            return;
        j->n++;
        snprintf(j->c[i].name, sizeof(j->c[i].name), "%s", name);
    }
    snprintf(j->c[i].value, sizeof(j->c[i].value), "%s", value);
}

void mhc_cookies_clear(mhc_client *c, mhc_endpoint ep)
{
    c->jar[ep].n = 0;
}

const char *mhc_cookie_header(const mhc_client *c, mhc_endpoint ep,
                              char *buf, size_t cap)
{
    const mhc_jar *j = &c->jar[ep];
    size_t len = 0;

    if (cap == 0)
        return buf;
    buf[0] = '\0';
    for (int i = 0; i < j->n && len < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s=%s", i ? "; " : "",
                         j->c[i].name, j->c[i].value);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return buf;
}

static void mhc_trim(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static void mhc_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

int mhc_parse_set_cookie(const char *header, mhc_set_cookie *sc)
{
    const char *p = header, *semi, *eq;
    int first = 1;

    memset(sc, 0, sizeof(*sc));
    sc->max_age = -1;
    while (*p) {
        const char *k, *v = "";
        size_t kn, vn = 0;

        semi = strchr(p, ';');
        if (semi == NULL)
            semi = p + strlen(p);
        eq = memchr(p, '=', (size_t)(semi - p));
        k = p;
        kn = (size_t)((eq ? eq : semi) - p);
        if (eq) {
            v = eq + 1;
            vn = (size_t)(semi - v);
        }
        mhc_trim(&k, &kn);
        mhc_trim(&v, &vn);
        if (first) {
            if (eq == NULL || kn == 0)
                return -1;
            mhc_copy(sc->name, sizeof(sc->name), k, kn);
            mhc_copy(sc->value, sizeof(sc->value), v, vn);
            first = 0;
        } else if (kn == 4 && strncasecmp(k, "path", 4) == 0) {
            mhc_copy(sc->path, sizeof(sc->path), v, vn);
        } else if (kn == 6 && strncasecmp(k, "secure", 6) == 0) {
            sc->secure = 1;
        } else if (kn == 8 && strncasecmp(k, "httponly", 8) == 0) {
            sc->http_only = 1;
        } else if (kn == 7 && strncasecmp(k, "max-age", 7) == 0) {
            sc->max_age = atoi(v);
        }
        p = *semi ? semi + 1 : semi;
    }
    return first ? -1 : 0;
}

int mhc_find_set_cookie(const mhc_response *r, const char *name,
                        mhc_set_cookie *sc)
{
    const char *h;

    for (size_t i = 0; (h = mhc_header_nth(r, "Set-Cookie", i)) != NULL; i++)
        if (mhc_parse_set_cookie(h, sc) == 0 && strcmp(sc->name, name) == 0)
            return 0;
    return -1;
}

/* The jar a Set-Cookie belongs to: the endpoint its Path names, else the
 * endpoint the request went to. */
static mhc_endpoint mhc_cookie_endpoint(const mhc_set_cookie *sc,
                                        mhc_endpoint ep)
{
    size_t n = strlen(sc->path);

    for (int e = 0; e < MHC_ENDPOINTS; e++) {
        const char *seg = e == MHC_EMSMDB ? "/emsmdb" : "/nspi";
        size_t sn = strlen(seg), m = n;
        if (m && sc->path[m - 1] == '/')
            m--;
        if (m >= sn && strncasecmp(sc->path + m - sn, seg, sn) == 0)
            return (mhc_endpoint)e;
    }
    return ep;
}

static void mhc_update_jar(mhc_client *c, mhc_endpoint ep,
                           const mhc_response *r)
{
    const char *h;
    mhc_set_cookie sc;

    for (size_t i = 0; (h = mhc_header_nth(r, "Set-Cookie", i)) != NULL; i++) {
        if (mhc_parse_set_cookie(h, &sc) != 0)
            continue;
        mhc_cookie_set(c, mhc_cookie_endpoint(&sc, ep), sc.name,
                       sc.max_age == 0 || sc.value[0] == '\0' ? NULL
                                                              : sc.value);
    }
}

/* ----------------------------------------------------------- response -- */

static void mhc_add_header(apr_pool_t *p, mhc_header **arr, size_t *n,
                           const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len), *k = line, *v;
    size_t kn, vn;
    mhc_header *na;

    if (colon == NULL)
        return;
    kn = (size_t)(colon - line);
    v = colon + 1;
    vn = len - kn - 1;
    mhc_trim(&k, &kn);
    mhc_trim(&v, &vn);
    /* Grow by doubling in the pool; the old array is left to the pool. */
    if ((*n & (*n - 1)) == 0) {
        na = apr_palloc(p, (*n ? *n * 2 : 8) * sizeof(*na));
        if (*n)
            memcpy(na, *arr, *n * sizeof(*na));
        *arr = na;
    }
    (*arr)[*n].name = apr_pstrmemdup(p, k, kn);
    (*arr)[*n].value = apr_pstrmemdup(p, v, vn);
    (*n)++;
}

static const char *mhc_find(const mhc_header *arr, size_t n,
                            const char *name, size_t idx)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(arr[i].name, name) == 0 && idx-- == 0)
            return arr[i].value;
    return NULL;
}

const char *mhc_header_get(const mhc_response *r, const char *name)
{
    return mhc_find(r->headers, r->n_headers, name, 0);
}

const char *mhc_header_nth(const mhc_response *r, const char *name,
                           size_t idx)
{
    return mhc_find(r->headers, r->n_headers, name, idx);
}

size_t mhc_header_count(const mhc_response *r, const char *name)
{
    size_t k = 0;

    for (size_t i = 0; i < r->n_headers; i++)
        k += strcasecmp(r->headers[i].name, name) == 0;
    return k;
}

const char *mhc_trailer_get(const mhc_response *r, const char *name)
{
    return mhc_find(r->trailer, r->n_trailer, name, 0);
}

size_t mhc_tag_count(const mhc_response *r, const char *name)
{
    size_t k = 0;

    for (size_t i = 0; i < r->n_tags; i++)
        k += strcmp(r->tags[i].name, name) == 0;
    return k;
}

/* A new HTTP response starts (after a 401 of Negotiate, say): forget what
 * the previous one brought. */
static void mhc_response_restart(mhc_response *r)
{
    r->n_headers = 0;
    r->raw_len = 0;
    r->pos_ = r->body_off_ = 0;
    r->state_ = ST_UNDECIDED;
    r->framed = r->frame_error = r->complete = 0;
    r->n_tags = 0;
    r->n_trailer = 0;
}

static void mhc_add_tag(mhc_response *r, const char *line, size_t len)
{
    const mhc_opts *o = r->opts_;
    mhc_tag *t;

    if (r->n_tags == r->tags_cap_) {
        size_t ncap = r->tags_cap_ ? r->tags_cap_ * 2 : 16;
        mhc_tag *nt = apr_palloc(r->pool, ncap * sizeof(*nt));
        if (r->n_tags)
            memcpy(nt, r->tags, r->n_tags * sizeof(*nt));
        r->tags = nt;
        r->tags_cap_ = ncap;
    }
    t = &r->tags[r->n_tags++];
    mhc_copy(t->name, sizeof(t->name), line, len);
    t->at_ms = mhc_now_ms() - r->t0_;
    if (strcmp(t->name, "PROCESSING") != 0 && strcmp(t->name, "PENDING") != 0
        && strcmp(t->name, "DONE") != 0)
        r->frame_error = 1;
    if (o && o->on_tag)
        o->on_tag(o->tag_arg, t->name, t->at_ms);
}

/* Consumes the complete lines that have arrived: meta-tags until DONE,
 * then additional headers until the blank line. */
static void mhc_frame_advance(mhc_response *r)
{
    while (r->state_ == ST_TAGS || r->state_ == ST_TRAILER) {
        const char *start = (const char *)r->raw + r->pos_;
        const char *nl = memchr(start, '\n', r->raw_len - r->pos_);
        size_t len;

        if (nl == NULL)
            return;
        len = (size_t)(nl - start);
        r->pos_ += len + 1;
        if (len > 0 && start[len - 1] == '\r')
            len--;
        else
            r->frame_error = 1;
        if (r->state_ == ST_TAGS) {
            mhc_add_tag(r, start, len);
            if (len == 4 && memcmp(start, "DONE", 4) == 0)
                r->state_ = ST_TRAILER;
        } else if (len == 0) {
            r->state_ = ST_BODY;
            r->body_off_ = r->pos_;
            r->complete = 1;
        } else {
            mhc_add_header(r->pool, &r->trailer, &r->n_trailer, start, len);
        }
    }
}

static size_t mhc_header_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    mhc_response *r = arg;
    size_t len = size * nitems, n = len;

    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        const char *sp = memchr(buf, ' ', n);
        mhc_response_restart(r);
        r->http_status = sp ? strtol(sp + 1, NULL, 10) : 0;
        return len;
    }
    if (n == 0) {
        r->headers_ms = mhc_now_ms() - r->t0_;
        return len;
    }
    mhc_add_header(r->pool, &r->headers, &r->n_headers, buf, n);
    return len;
}

static size_t mhc_write_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    mhc_response *r = arg;
    size_t len = size * nitems;

    if (r->raw_len + len + 1 > r->cap_) {
        size_t ncap = r->cap_ ? r->cap_ : 4096;
        uint8_t *nraw;
        while (ncap < r->raw_len + len + 1)
            ncap *= 2;
        nraw = realloc(r->raw, ncap);
        if (nraw == NULL)
            return 0;                /* curl aborts the transfer */
        r->raw = nraw;
        r->cap_ = ncap;
    }
    memcpy(r->raw + r->raw_len, buf, len);
    r->raw_len += len;
    r->raw[r->raw_len] = '\0';       /* lets tests treat HTML as a string */
    if (r->state_ == ST_UNDECIDED) {
        const char *ct = mhc_header_get(r, "Content-Type");
        r->framed = ct && strncasecmp(ct, "application/mapi-http", 21) == 0;
        r->state_ = r->framed ? ST_TAGS : ST_UNFRAMED;
    }
    mhc_frame_advance(r);
    return len;
}

/* Chunked uploads read the body through this. */
typedef struct mhc_upload {
    const uint8_t *data;
    size_t len, off;
} mhc_upload;

static size_t mhc_read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    mhc_upload *u = arg;
    size_t n = size * nitems;

    if (n > u->len - u->off)
        n = u->len - u->off;
    memcpy(buf, u->data + u->off, n);
    u->off += n;
    return n;
}

static int mhc_seek_cb(void *arg, curl_off_t offset, int origin)
{
    mhc_upload *u = arg;

    if (origin != SEEK_SET || offset < 0 || (size_t)offset > u->len)
        return CURL_SEEKFUNC_CANTSEEK;
    u->off = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

static struct curl_slist *mhc_add(struct curl_slist *l, apr_pool_t *p,
                                  const char *name, const char *value)
{
    return curl_slist_append(l, apr_pstrcat(p, name, ": ", value, NULL));
}

static void mhc_finish(mhc_response *r)
{
    const char *rc = NULL;

    if (r->framed) {
        if (r->complete) {
            r->body = r->raw + r->body_off_;
            r->body_len = r->raw_len - r->body_off_;
        }
        rc = mhc_trailer_get(r, "X-ResponseCode");
    } else {
        r->body = r->raw;
        r->body_len = r->raw_len;
    }
    if (rc == NULL)
        rc = mhc_header_get(r, "X-ResponseCode");
    r->response_code = -1;
    if (rc && *rc) {
        char *end;
        long v = strtol(rc, &end, 10);
        if (*end == '\0' && v >= 0 && v < 1000)
            r->response_code = (int)v;
    }
}

/* Sets up easy handle h for one request (see mh_client.h). */
int mhc_request_begin(mhc_client *c, void *easy, mhc_endpoint ep,
                      const char *request_type, const void *body, size_t len,
                      const mhc_opts *opts, mhc_response *resp)
{
    static const mhc_opts no_opts;
    const mhc_opts *o = opts ? opts : &no_opts;
    struct curl_slist *hl = NULL;
    mhc_upload *up;
    apr_pool_t *p;
    const char *path, *url, *verb = o->verb ? o->verb : "POST";
    char cookies[2048];
    CURL *h = easy;

    memset(resp, 0, sizeof(*resp));
    resp->response_code = -1;
    apr_pool_create(&resp->pool, NULL);
    p = resp->pool;
    if (h == NULL) {
        resp->curl_code = CURLE_FAILED_INIT;
        snprintf(resp->error, sizeof(resp->error), "curl_easy_init failed");
        return -2;
    }
    /* Reset forgets the options but keeps the connection cache. */
    curl_easy_reset(h);

    path = o->path ? o->path : mhc_endpoint_path(ep);
    url = apr_pstrcat(p, c->base_url, path, NULL);
    if (c->mailbox_id && strchr(path, '?') == NULL)
        url = apr_pstrcat(p, url, "?MailboxId=", c->mailbox_id, NULL);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     o->timeout_ms ? o->timeout_ms : c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)MHC_CONNECT_TIMEOUT_MS);
    if (c->verbose)
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    if (c->fresh_connections || (o->flags & MHC_FRESH_CONNECTION)) {
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    }
    if (c->ca_file) {
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    switch (c->auth) {
    case MHC_AUTH_BASIC:
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user ? c->user : "");
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
        break;
    case MHC_AUTH_NEGOTIATE:
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_NEGOTIATE);
        curl_easy_setopt(h, CURLOPT_USERPWD, ":");
        break;
    default:
        break;
    }

    /* Headers ([MS-OXCMAPIHTTP] 2.2.2.1). */
    if (o->flags & MHC_OMIT_CONTENT_TYPE)
        hl = curl_slist_append(hl, "Content-Type:");
    else
        hl = mhc_add(hl, p, "Content-Type",
                     o->content_type ? o->content_type
                                     : "application/mapi-http");
    if (request_type && !(o->flags & MHC_OMIT_REQUEST_TYPE))
        hl = mhc_add(hl, p, "X-RequestType", request_type);
    snprintf(c->last_request_id, sizeof(c->last_request_id), "%s:%lu",
             c->request_guid, ++c->request_counter);
    if (!(o->flags & MHC_OMIT_REQUEST_ID))
        hl = mhc_add(hl, p, "X-RequestId", c->last_request_id);
    if (!(o->flags & MHC_OMIT_CLIENT_INFO) && c->client_info[0])
        hl = mhc_add(hl, p, "X-ClientInfo", c->client_info);
    if (!(o->flags & MHC_OMIT_CLIENT_APP) && c->client_app[0])
        hl = mhc_add(hl, p, "X-ClientApplication", c->client_app);
    hl = curl_slist_append(hl, "Expect:");   /* no 100-continue round */
    if (o->cookie) {
        if (o->cookie[0])
            hl = mhc_add(hl, p, "Cookie", o->cookie);
    } else if (!(o->flags & MHC_OMIT_COOKIES)) {
        mhc_cookie_header(c, ep, cookies, sizeof(cookies));
        if (cookies[0])
            hl = mhc_add(hl, p, "Cookie", cookies);
    }
    for (const char *const *x = o->headers; x && *x; x++)
        hl = curl_slist_append(hl, *x);

    if (strcmp(verb, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        if (o->flags & MHC_CHUNKED_UPLOAD) {
            up = apr_pcalloc(p, sizeof(*up));
            up->data = body;
            up->len = len;
            hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
            curl_easy_setopt(h, CURLOPT_READFUNCTION, mhc_read_cb);
            curl_easy_setopt(h, CURLOPT_READDATA, up);
            curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, mhc_seek_cb);
            curl_easy_setopt(h, CURLOPT_SEEKDATA, up);
        } else {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)len);
        }
        if (strcmp(verb, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, verb);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, mhc_header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, mhc_write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, resp->error);

    resp->easy_ = h;
    resp->hl_ = hl;
    resp->flags_ = o->flags;
    resp->opts_ = (void *)o;
    resp->t0_ = mhc_now_ms();
    return 0;
}

int mhc_request_end(mhc_client *c, mhc_endpoint ep, mhc_response *resp,
                    int curl_code)
{
    CURL *h = resp->easy_;

    resp->total_ms = mhc_now_ms() - resp->t0_;
    resp->opts_ = NULL;
    if (h) {
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    }
    curl_slist_free_all(resp->hl_);
    resp->hl_ = NULL;
    resp->easy_ = NULL;

    resp->curl_code = curl_code;
    if (curl_code != CURLE_OK && resp->error[0] == '\0')
        snprintf(resp->error, sizeof(resp->error), "%s",
                 curl_easy_strerror((CURLcode)curl_code));
    mhc_finish(resp);
    if (!(resp->flags_ & MHC_NO_JAR_UPDATE) && resp->http_status)
        mhc_update_jar(c, ep, resp);
    return curl_code == CURLE_OK ? resp->response_code : -2;
}

int mhc_request(mhc_client *c, mhc_endpoint ep, const char *request_type,
                const void *body, size_t len, const mhc_opts *opts,
                mhc_response *resp)
{
    int rc;

    if (c->curl == NULL)
        c->curl = curl_easy_init();
    rc = mhc_request_begin(c, c->curl, ep, request_type, body, len, opts,
                           resp);
    if (rc != 0)
        return rc;
    return mhc_request_end(c, ep, resp, (int)curl_easy_perform(c->curl));
}

void mhc_response_free(mhc_response *resp)
{
    if (resp == NULL)
        return;
    free(resp->raw);
    if (resp->pool)
        apr_pool_destroy(resp->pool);
    memset(resp, 0, sizeof(*resp));
}

/* ------------------------------------------------------------ bodies -- */

static mhc_buf mhc_wr_buf(const mapi_wr *wr)
{
    mhc_buf b = { wr->failed ? NULL : wr->buf, wr->failed ? 0 : wr->len };
    return b;
}

/* AuxiliaryBufferSize and the auxiliary buffer, which must end the body.
 * -1 when the declared size does not match what is left. */
static int mhc_rd_aux(mapi_rd *rd, uint32_t *size_r, const uint8_t **aux_r)
{
    if (mapi_rd_u32(rd, size_r) != 0 || mapi_rd_view(rd, *size_r, aux_r) != 0)
        return -1;
    return mapi_rd_left(rd) == 0 ? 0 : -1;
}

int mhc_parse_failure(const uint8_t *b, size_t n, mhc_failure_rsp *r)
{
    mapi_rd rd;

    memset(r, 0, sizeof(*r));
    mapi_rd_init(&rd, b, n);
    if (mapi_rd_u32(&rd, &r->status) != 0 ||
        mhc_rd_aux(&rd, &r->aux_size, &r->aux) != 0 || r->status == 0)
        return MHC_PARSE_MALFORMED;
    return MHC_PARSE_FAILURE;
}

/* A body whose StatusCode is not 0: the failure layout or nothing. */
static int mhc_parse_as_failure(const uint8_t *b, size_t n, uint32_t *status,
                                uint32_t *aux_size, const uint8_t **aux)
{
    mhc_failure_rsp f;
    int rc = mhc_parse_failure(b, n, &f);

    *status = f.status;
    *aux_size = f.aux_size;
    *aux = f.aux;
    return rc;
}

/* Every reply body starts with StatusCode, and a non-zero one makes it the
 * request type's failure body.  Returns MHC_PARSE_READ_ON when the success
 * body goes on in rd, else the verdict on the whole body. */
#define MHC_PARSE_READ_ON 2

static int mhc_parse_head(mapi_rd *rd, const uint8_t *b, size_t n,
                          uint32_t *status, uint32_t *aux_size,
                          const uint8_t **aux)
{
    mapi_rd_init(rd, b, n);
    if (mapi_rd_u32(rd, status) != 0)
        return MHC_PARSE_MALFORMED;
    if (*status != 0)
        return mhc_parse_as_failure(b, n, status, aux_size, aux);
    return MHC_PARSE_READ_ON;
}

int mhc_parse_status(const uint8_t *b, size_t n, mhc_status_rsp *r)
{
    mapi_rd rd;
    int v;

    memset(r, 0, sizeof(*r));
    v = mhc_parse_head(&rd, b, n, &r->status, &r->aux_size, &r->aux);
    if (v != MHC_PARSE_READ_ON)
        return v;
    if (mapi_rd_u32(&rd, &r->error_code) != 0 ||
        mhc_rd_aux(&rd, &r->aux_size, &r->aux) != 0)
        return MHC_PARSE_MALFORMED;
    return MHC_PARSE_SUCCESS;
}

void mhc_connect_req_init(mhc_connect_req *req, const char *user_dn)
{
    memset(req, 0, sizeof(*req));
    req->user_dn = user_dn;
    req->codepage = 1252;
    req->lcid_sort = 1033;
    req->lcid_string = 1033;
}

mhc_buf mhc_build_connect(apr_pool_t *p, const mhc_connect_req *req)
{
    mapi_wr wr;

    mapi_wr_init(&wr, p, 1u << 20);
    mapi_wr_str8(&wr, req->user_dn ? req->user_dn : "");
    mapi_wr_u32(&wr, req->flags);
    mapi_wr_u32(&wr, req->codepage);
    mapi_wr_u32(&wr, req->lcid_sort);
    mapi_wr_u32(&wr, req->lcid_string);
    mapi_wr_u32(&wr, req->aux_len);
    mapi_wr_bytes(&wr, req->aux, req->aux_len);
    return mhc_wr_buf(&wr);
}

int mhc_parse_connect(apr_pool_t *p, const uint8_t *b, size_t n,
                      mhc_connect_rsp *r)
{
    mapi_rd rd;
    int v;

    memset(r, 0, sizeof(*r));
    v = mhc_parse_head(&rd, b, n, &r->status, &r->aux_size, &r->aux);
    if (v != MHC_PARSE_READ_ON)
        return r->parsed = v;
    mapi_rd_u32(&rd, &r->error_code);
    mapi_rd_u32(&rd, &r->polls_max);
    mapi_rd_u32(&rd, &r->retry_count);
    mapi_rd_u32(&rd, &r->retry_delay);
    if (rd.failed ||
        mapi_rd_str8(&rd, p, MHC_STR_MAX, &r->dn_prefix) != 0 ||
        mapi_rd_str16(&rd, p, MHC_STR_MAX, &r->display_name) != 0 ||
        mhc_rd_aux(&rd, &r->aux_size, &r->aux) != 0)
        return r->parsed = MHC_PARSE_MALFORMED;
    return r->parsed = MHC_PARSE_SUCCESS;
}

mhc_buf mhc_build_execute(apr_pool_t *p, const mhc_execute_req *req)
{
    mapi_wr wr;

    mapi_wr_init(&wr, p, 16u << 20);
    mapi_wr_u32(&wr, req->flags);
    mapi_wr_u32(&wr, req->rop_buffer_size);
    mapi_wr_bytes(&wr, req->rop_buffer, req->rop_buffer_size);
    mapi_wr_u32(&wr, req->max_rop_out);
    mapi_wr_u32(&wr, req->aux_len);
    mapi_wr_bytes(&wr, req->aux, req->aux_len);
    return mhc_wr_buf(&wr);
}

int mhc_build_rop_buffer(apr_pool_t *p, const uint8_t *rops, size_t rops_len,
                         const uint32_t *handles, size_t n_handles,
                         uint16_t ext_flags, mhc_buf *out)
{
    mapi_wr payload, wr;

    out->data = NULL;
    out->len = 0;
    if (rops_len > RPCEXT_MAX_PAYLOAD - 2)
        return -1;
    mapi_wr_init(&payload, p, RPCEXT_MAX_PAYLOAD);
    mapi_wr_u16(&payload, (uint16_t)(2 + rops_len));
    mapi_wr_bytes(&payload, rops, rops_len);
    for (size_t i = 0; i < n_handles; i++)
        mapi_wr_u32(&payload, handles[i]);
    if (payload.failed)
        return -1;
    mapi_wr_init(&wr, p,
                 RPCEXT_HEADER_SIZE + LZ77_WORST_CASE(RPCEXT_MAX_PAYLOAD));
    if (rpcext_encode_block(&wr, payload.buf, payload.len,
                            ext_flags & (RPCEXT_COMPRESSED | RPCEXT_XORMAGIC),
                            1) != 0)
        return -1;
    *out = mhc_wr_buf(&wr);
    return 0;
}

int mhc_decode_rop_buffer(apr_pool_t *p, const uint8_t *b, size_t n,
                          mhc_rop_out *out)
{
    rpcext_block *blocks = NULL;
    size_t nb = 0, tail;
    rpcext_err err;

    memset(out, 0, sizeof(*out));
    if (n >= 4)
        out->first_flags = (uint16_t)(b[2] | (b[3] << 8));
    err = rpcext_decode_chain(b, n, p, RPCEXT_MAX_BLOCKS, &blocks, &nb);
    out->rpcext_error = (int)err;
    if (err != RPCEXT_OK || nb == 0)
        return -1;
    out->n_blocks = nb;
    out->blocks = blocks;
    {
        uint16_t *bf = apr_palloc(p, nb * sizeof(uint16_t));
        uint16_t *bw = apr_palloc(p, nb * sizeof(uint16_t));
        size_t off = 0;

        /* The chain decoded, so every header is in place. */
        for (size_t i = 0; i < nb; i++) {
            bf[i] = (uint16_t)(b[off + 2] | (b[off + 3] << 8));
            bw[i] = (uint16_t)(b[off + 4] | (b[off + 5] << 8));
            off += RPCEXT_HEADER_SIZE + bw[i];
        }
        out->block_flags = bf;
        out->block_wire = bw;
    }
    out->payload = blocks[0].payload;
    out->payload_len = blocks[0].size;
    if (out->payload_len < 2)
        return -1;
    out->rop_size = (uint16_t)(out->payload[0] | (out->payload[1] << 8));
    if (out->rop_size < 2 || out->rop_size > out->payload_len)
        return -1;
    out->rops = out->payload + 2;
    out->rops_len = out->rop_size - 2u;
    tail = out->payload_len - out->rop_size;
    if (tail % 4 != 0)
        return -1;
    out->n_handles = tail / 4;
    out->handles = apr_palloc(p, (out->n_handles + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < out->n_handles; i++) {
        const uint8_t *h = out->payload + out->rop_size + 4 * i;
        out->handles[i] = (uint32_t)h[0] | ((uint32_t)h[1] << 8) |
                          ((uint32_t)h[2] << 16) | ((uint32_t)h[3] << 24);
    }
    out->ok = 1;
    return 0;
}

int mhc_parse_execute(apr_pool_t *p, const uint8_t *b, size_t n,
                      mhc_execute_rsp *r)
{
    mapi_rd rd;
    int v;

    memset(r, 0, sizeof(*r));
    v = mhc_parse_head(&rd, b, n, &r->status, &r->aux_size, &r->aux);
    if (v != MHC_PARSE_READ_ON)
        return r->parsed = v;
    mapi_rd_u32(&rd, &r->error_code);
    mapi_rd_u32(&rd, &r->flags);
    mapi_rd_u32(&rd, &r->rop_buffer_size);
    if (rd.failed ||
        mapi_rd_view(&rd, r->rop_buffer_size, &r->rop_buffer) != 0 ||
        mhc_rd_aux(&rd, &r->aux_size, &r->aux) != 0)
        return r->parsed = MHC_PARSE_MALFORMED;
    if (r->rop_buffer_size)
        mhc_decode_rop_buffer(p, r->rop_buffer, r->rop_buffer_size, &r->out);
    return r->parsed = MHC_PARSE_SUCCESS;
}

mhc_buf mhc_build_disconnect(apr_pool_t *p, const uint8_t *aux,
                             uint32_t aux_len)
{
    mapi_wr wr;

    mapi_wr_init(&wr, p, 1u << 20);
    mapi_wr_u32(&wr, aux_len);
    mapi_wr_bytes(&wr, aux, aux_len);
    return mhc_wr_buf(&wr);
}

mhc_buf mhc_build_notification_wait(apr_pool_t *p, uint32_t flags,
                                    const uint8_t *aux, uint32_t aux_len)
{
    mapi_wr wr;

    mapi_wr_init(&wr, p, 1u << 20);
    mapi_wr_u32(&wr, flags);
    mapi_wr_u32(&wr, aux_len);
    mapi_wr_bytes(&wr, aux, aux_len);
    return mhc_wr_buf(&wr);
}

int mhc_parse_notification_wait(const uint8_t *b, size_t n, mhc_nwait_rsp *r)
{
    mapi_rd rd;
    int v;

    memset(r, 0, sizeof(*r));
    v = mhc_parse_head(&rd, b, n, &r->status, &r->aux_size, &r->aux);
    if (v != MHC_PARSE_READ_ON)
        return r->parsed = v;
    mapi_rd_u32(&rd, &r->error_code);
    mapi_rd_u32(&rd, &r->event_pending);
    if (rd.failed || mhc_rd_aux(&rd, &r->aux_size, &r->aux) != 0)
        return r->parsed = MHC_PARSE_MALFORMED;
    return r->parsed = MHC_PARSE_SUCCESS;
}

mhc_buf mhc_build_bind(apr_pool_t *p, uint32_t flags, const uint8_t *state,
                       const uint8_t *aux, uint32_t aux_len)
{
    mapi_wr wr;

    mapi_wr_init(&wr, p, 1u << 20);
    mapi_wr_u32(&wr, flags);
    mapi_wr_u8(&wr, state ? 0xFF : 0x00);
    if (state)
        mapi_wr_bytes(&wr, state, MHC_STAT_SIZE);
    mapi_wr_u32(&wr, aux_len);
    mapi_wr_bytes(&wr, aux, aux_len);
    return mhc_wr_buf(&wr);
}

int mhc_parse_bind(const uint8_t *b, size_t n, mhc_bind_rsp *r)
{
    mapi_rd rd;
    int v;

    memset(r, 0, sizeof(*r));
    v = mhc_parse_head(&rd, b, n, &r->status, &r->aux_size, &r->aux);
    if (v != MHC_PARSE_READ_ON)
        return r->parsed = v;
    if (mapi_rd_u32(&rd, &r->error_code) != 0 ||
        mapi_rd_bytes(&rd, r->server_guid, 16) != 0 ||
        mhc_rd_aux(&rd, &r->aux_size, &r->aux) != 0)
        return r->parsed = MHC_PARSE_MALFORMED;
    return r->parsed = MHC_PARSE_SUCCESS;
}

mhc_buf mhc_build_unbind(apr_pool_t *p, uint32_t reserved,
                         const uint8_t *aux, uint32_t aux_len)
{
    mapi_wr wr;

    mapi_wr_init(&wr, p, 1u << 20);
    mapi_wr_u32(&wr, reserved);
    mapi_wr_u32(&wr, aux_len);
    mapi_wr_bytes(&wr, aux, aux_len);
    return mhc_wr_buf(&wr);
}

void mhc_stat_default(uint8_t stat[MHC_STAT_SIZE])
{
    /* SortType, ContainerID, CurrentRec, Delta, NumPos, TotalRecs,
     * CodePage, TemplateLocale, SortLocale. */
    const uint32_t v[9] = { 0, 0, 0, 0, 0, 0, 1252, 1033, 1033 };

    for (int i = 0; i < 9; i++)
        for (int k = 0; k < 4; k++)
            stat[4 * i + k] = (uint8_t)(v[i] >> (8 * k));
}

/* ------------------------------------------------ one-call operations -- */

/* Sends body, parses a code-0 reply with parse(), frees the reply when
 * the caller did not want it. */
typedef void (*mhc_parse_fn)(apr_pool_t *p, const mhc_response *r, void *rsp);

static int mhc_call(mhc_client *c, mhc_endpoint ep, const char *type,
                    mhc_buf body, const mhc_opts *opts, mhc_response *resp,
                    mhc_parse_fn parse, void *rsp)
{
    mhc_response local;
    mhc_response *r = resp ? resp : &local;
    int rc = mhc_request(c, ep, type, body.data, body.len, opts, r);

    if (rc == 0 && parse && rsp)
        parse(r->pool, r, rsp);
    if (resp == NULL)
        mhc_response_free(&local);
    return rc;
}

static void mhc_pconnect(apr_pool_t *p, const mhc_response *r, void *rsp)
{
    mhc_parse_connect(p, r->body, r->body_len, rsp);
}

static void mhc_pexecute(apr_pool_t *p, const mhc_response *r, void *rsp)
{
    mhc_parse_execute(p, r->body, r->body_len, rsp);
}

static void mhc_pstatus(apr_pool_t *p, const mhc_response *r, void *rsp)
{
    (void)p;
    mhc_parse_status(r->body, r->body_len, rsp);
}

static void mhc_pnwait(apr_pool_t *p, const mhc_response *r, void *rsp)
{
    (void)p;
    mhc_parse_notification_wait(r->body, r->body_len, rsp);
}

static void mhc_pbind(apr_pool_t *p, const mhc_response *r, void *rsp)
{
    (void)p;
    mhc_parse_bind(r->body, r->body_len, rsp);
}

int mhc_autodiscover_raw(mhc_client *c, const char *path, const void *body,
                         size_t len, const char *capability,
                         mhc_response *resp)
{
    char cap[96];
    const char *headers[2] = { NULL, NULL };
    mhc_opts o = {
        .flags = MHC_OMIT_REQUEST_TYPE | MHC_OMIT_REQUEST_ID |
                 MHC_OMIT_CLIENT_INFO | MHC_OMIT_COOKIES | MHC_NO_JAR_UPDATE,
        .path = path ? path : "/autodiscover/autodiscover.xml",
        .content_type = "text/xml; charset=utf-8",
        .headers = headers,
    };
    int rc;

    if (capability) {
        snprintf(cap, sizeof(cap), "X-MapiHttpCapability: %s", capability);
        headers[0] = cap;
    }
    rc = mhc_request(c, MHC_EMSMDB, NULL, body, len, &o, resp);
    /* The reply is XML, never framed: raw is the text (NUL-ended). */
    if (rc == -2)
        return -2;
    {
        /* raw is malloc'd (mhc_response_free frees it): one more byte. */
        uint8_t *t = realloc(resp->raw, resp->raw_len + 1);
        if (t) {
            t[resp->raw_len] = 0;
            resp->raw = t;
        }
    }
    return (int)resp->http_status;
}

int mhc_autodiscover(mhc_client *c, const char *email, const char *capability,
                     mhc_response *resp)
{
    char body[1024];
    int n = snprintf(body, sizeof(body),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/"
        "autodiscover/outlook/requestschema/2006\">\r\n"
        "  <Request>\r\n"
        "    <EMailAddress>%s</EMailAddress>\r\n"
        "    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/"
        "autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>"
        "\r\n"
        "  </Request>\r\n"
        "</Autodiscover>\r\n", email);

    return mhc_autodiscover_raw(c, NULL, body, (size_t)n, capability, resp);
}

static const apr_xml_elem *mhc_xchild(const apr_xml_elem *e,
                                      const char *name)
{
    for (e = e ? e->first_child : NULL; e; e = e->next)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

static const char *mhc_xtext(apr_pool_t *p, const apr_xml_elem *e)
{
    const char *s = NULL;

    if (e == NULL)
        return NULL;
    for (const apr_text *t = e->first_cdata.first; t; t = t->next)
        s = s ? apr_pstrcat(p, s, t->text, NULL) : t->text;
    return s ? s : "";
}

static const char *mhc_xattr(const apr_xml_elem *e, const char *name)
{
    for (const apr_xml_attr *a = e->attr; a; a = a->next)
        if (strcmp(a->name, name) == 0)
            return a->value;
    return NULL;
}

static void mhc_autod_protocol(apr_pool_t *p, const apr_xml_elem *pr,
                               mhc_autod_rsp *out)
{
    const char *type = mhc_xattr(pr, "Type");
    const apr_xml_elem *ms, *ab;

    if (type && strcmp(type, "mapiHttp") == 0) {
        out->n_mapihttp++;
        out->mapihttp_version = mhc_xattr(pr, "Version");
        ms = mhc_xchild(pr, "MailStore");
        ab = mhc_xchild(pr, "AddressBook");
        out->ms_internal = mhc_xtext(p, mhc_xchild(ms, "InternalUrl"));
        out->ms_external = mhc_xtext(p, mhc_xchild(ms, "ExternalUrl"));
        out->ab_internal = mhc_xtext(p, mhc_xchild(ab, "InternalUrl"));
        out->ab_external = mhc_xtext(p, mhc_xchild(ab, "ExternalUrl"));
        return;
    }
    type = mhc_xtext(p, mhc_xchild(pr, "Type"));
    if (type && strcmp(type, "EXCH") == 0) {
        out->n_exch++;
        out->exch_server = mhc_xtext(p, mhc_xchild(pr, "Server"));
    } else if (type && strcmp(type, "EXPR") == 0) {
        out->n_expr++;
        out->expr_server = mhc_xtext(p, mhc_xchild(pr, "Server"));
    }
}

int mhc_parse_autodiscover(apr_pool_t *p, const char *xml, size_t len,
                           mhc_autod_rsp *out)
{
    apr_xml_parser *parser = apr_xml_parser_create(p);
    apr_xml_doc *doc = NULL;
    const apr_xml_elem *resp, *user, *acct;

    memset(out, 0, sizeof(*out));
    if (apr_xml_parser_feed(parser, xml, len) != APR_SUCCESS ||
        apr_xml_parser_done(parser, &doc) != APR_SUCCESS || doc == NULL ||
        doc->root == NULL || strcmp(doc->root->name, "Autodiscover") != 0 ||
        (resp = mhc_xchild(doc->root, "Response")) == NULL)
        return -1;
    out->wellformed = 1;
    out->error_code = mhc_xtext(p, mhc_xchild(mhc_xchild(resp, "Error"),
                                              "ErrorCode"));
    user = mhc_xchild(resp, "User");
    out->display_name = mhc_xtext(p, mhc_xchild(user, "DisplayName"));
    out->legacy_dn = mhc_xtext(p, mhc_xchild(user, "LegacyDN"));
    out->smtp = mhc_xtext(p, mhc_xchild(user, "AutoDiscoverSMTPAddress"));
    acct = mhc_xchild(resp, "Account");
    for (const apr_xml_elem *e = acct ? acct->first_child : NULL; e;
         e = e->next)
        if (strcmp(e->name, "Protocol") == 0)
            mhc_autod_protocol(p, e, out);
    return 0;
}

int mhc_connect(mhc_client *c, const char *user_dn, mhc_response *resp,
                mhc_connect_rsp *rsp)
{
    apr_pool_t *p;
    mhc_connect_req req;
    int rc;

    if (rsp)
        memset(rsp, 0, sizeof(*rsp)), rsp->parsed = MHC_PARSE_MALFORMED;
    apr_pool_create(&p, NULL);
    mhc_connect_req_init(&req, user_dn);
    rc = mhc_call(c, MHC_EMSMDB, "Connect", mhc_build_connect(p, &req), NULL,
                  resp, mhc_pconnect, rsp);
    apr_pool_destroy(p);
    return rc;
}

int mhc_execute(mhc_client *c, uint32_t exec_flags, const uint8_t *rops,
                size_t rops_len, const uint32_t *handles, size_t n_handles,
                mhc_response *resp, mhc_execute_rsp *rsp)
{
    return mhc_execute_max(c, exec_flags, MHC_MAX_ROP_OUT, rops, rops_len,
                           handles, n_handles, resp, rsp);
}

int mhc_execute_max(mhc_client *c, uint32_t exec_flags, uint32_t max_rop_out,
                    const uint8_t *rops, size_t rops_len,
                    const uint32_t *handles, size_t n_handles,
                    mhc_response *resp, mhc_execute_rsp *rsp)
{
    apr_pool_t *p;
    mhc_execute_req req = { .flags = exec_flags,
                            .max_rop_out = max_rop_out };
    mhc_buf rb = { NULL, 0 };
    uint16_t ext = 0;
    int rc;

    if (rsp)
        memset(rsp, 0, sizeof(*rsp)), rsp->parsed = MHC_PARSE_MALFORMED;
    apr_pool_create(&p, NULL);
    if (!(exec_flags & MHC_EXEC_NO_COMPRESSION))
        ext |= RPCEXT_COMPRESSED;
    if (!(exec_flags & MHC_EXEC_NO_XOR_MAGIC))
        ext |= RPCEXT_XORMAGIC;
    if (rops && mhc_build_rop_buffer(p, rops, rops_len, handles, n_handles,
                                     ext, &rb) != 0) {
        apr_pool_destroy(p);
        return -2;
    }
    req.rop_buffer = rb.data;
    req.rop_buffer_size = (uint32_t)rb.len;
    rc = mhc_call(c, MHC_EMSMDB, "Execute", mhc_build_execute(p, &req), NULL,
                  resp, mhc_pexecute, rsp);
    apr_pool_destroy(p);
    return rc;
}

int mhc_disconnect(mhc_client *c, mhc_response *resp, mhc_status_rsp *rsp)
{
    apr_pool_t *p;
    int rc;

    if (rsp)
        memset(rsp, 0, sizeof(*rsp));
    apr_pool_create(&p, NULL);
    rc = mhc_call(c, MHC_EMSMDB, "Disconnect",
                  mhc_build_disconnect(p, NULL, 0), NULL, resp, mhc_pstatus,
                  rsp);
    apr_pool_destroy(p);
    return rc;
}

int mhc_ping(mhc_client *c, mhc_endpoint ep, mhc_response *resp)
{
    mhc_buf none = { NULL, 0 };

    return mhc_call(c, ep, "PING", none, NULL, resp, NULL, NULL);
}

int mhc_notification_wait(mhc_client *c, const mhc_opts *opts,
                          mhc_response *resp, mhc_nwait_rsp *rsp)
{
    apr_pool_t *p;
    int rc;

    if (rsp)
        memset(rsp, 0, sizeof(*rsp)), rsp->parsed = MHC_PARSE_MALFORMED;
    apr_pool_create(&p, NULL);
    rc = mhc_call(c, MHC_EMSMDB, "NotificationWait",
                  mhc_build_notification_wait(p, 0, NULL, 0), opts, resp,
                  mhc_pnwait, rsp);
    apr_pool_destroy(p);
    return rc;
}

int mhc_bind(mhc_client *c, mhc_response *resp, mhc_bind_rsp *rsp)
{
    apr_pool_t *p;
    int rc;

    if (rsp)
        memset(rsp, 0, sizeof(*rsp)), rsp->parsed = MHC_PARSE_MALFORMED;
    apr_pool_create(&p, NULL);
    rc = mhc_call(c, MHC_NSPI, "Bind", mhc_build_bind(p, 0, NULL, NULL, 0),
                  NULL, resp, mhc_pbind, rsp);
    apr_pool_destroy(p);
    return rc;
}

int mhc_unbind(mhc_client *c, mhc_response *resp, mhc_status_rsp *rsp)
{
    apr_pool_t *p;
    int rc;

    if (rsp)
        memset(rsp, 0, sizeof(*rsp));
    apr_pool_create(&p, NULL);
    rc = mhc_call(c, MHC_NSPI, "Unbind", mhc_build_unbind(p, 0, NULL, 0),
                  NULL, resp, mhc_pstatus, rsp);
    apr_pool_destroy(p);
    return rc;
}

/* ------------------------------------------- a request on its own thread -- */

enum { BG_PROCESSING, BG_PENDING, BG_DONE, BG_OTHER, BG_TAGS };

struct mhc_bg {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    mhc_client *c;
    mhc_endpoint ep;
    char *type;
    uint8_t *body;
    size_t len;
    mhc_opts opts;
    mhc_tag_fn user_fn;
    void *user_arg;
    size_t seen[BG_TAGS];
    int done, rc;
    mhc_response resp;
};

static int mhc_bg_index(const char *tag)
{
    if (strcmp(tag, "PROCESSING") == 0)
        return BG_PROCESSING;
    if (strcmp(tag, "PENDING") == 0)
        return BG_PENDING;
    if (strcmp(tag, "DONE") == 0)
        return BG_DONE;
    return BG_OTHER;
}

static void mhc_bg_on_tag(void *arg, const char *tag, double at_ms)
{
    mhc_bg *bg = arg;

    pthread_mutex_lock(&bg->mu);
    bg->seen[mhc_bg_index(tag)]++;
    pthread_cond_broadcast(&bg->cv);
    pthread_mutex_unlock(&bg->mu);
    if (bg->user_fn)
        bg->user_fn(bg->user_arg, tag, at_ms);
}

static void *mhc_bg_main(void *arg)
{
    mhc_bg *bg = arg;
    int rc = mhc_request(bg->c, bg->ep, bg->type, bg->body, bg->len,
                         &bg->opts, &bg->resp);

    pthread_mutex_lock(&bg->mu);
    bg->rc = rc;
    bg->done = 1;
    pthread_cond_broadcast(&bg->cv);
    pthread_mutex_unlock(&bg->mu);
    return NULL;
}

mhc_bg *mhc_bg_start(mhc_client *c, mhc_endpoint ep, const char *type,
                     const void *body, size_t len, const mhc_opts *opts)
{
    mhc_bg *bg = calloc(1, sizeof(*bg));

    if (bg == NULL)
        return NULL;
    pthread_mutex_init(&bg->mu, NULL);
    pthread_cond_init(&bg->cv, NULL);
    bg->c = c;
    bg->ep = ep;
    bg->type = mhc_strdup0(type);
    bg->len = len;
    bg->body = malloc(len ? len : 1);
    if (len)
        memcpy(bg->body, body, len);
    if (opts)
        bg->opts = *opts;
    bg->user_fn = bg->opts.on_tag;
    bg->user_arg = bg->opts.tag_arg;
    bg->opts.on_tag = mhc_bg_on_tag;
    bg->opts.tag_arg = bg;
    if (pthread_create(&bg->thread, NULL, mhc_bg_main, bg) != 0) {
        free(bg->body);
        free(bg->type);
        free(bg);
        return NULL;
    }
    return bg;
}

int mhc_bg_wait_tag(mhc_bg *bg, const char *tag, size_t count,
                    long timeout_ms)
{
    struct timespec until;
    int idx = mhc_bg_index(tag), rc = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&bg->mu);
    while (bg->seen[idx] < count && !bg->done && rc == 0)
        rc = pthread_cond_timedwait(&bg->cv, &bg->mu, &until);
    rc = bg->seen[idx] >= count ? 0 : -1;
    pthread_mutex_unlock(&bg->mu);
    return rc;
}

int mhc_bg_done(mhc_bg *bg)
{
    int d;

    pthread_mutex_lock(&bg->mu);
    d = bg->done;
    pthread_mutex_unlock(&bg->mu);
    return d;
}

int mhc_bg_join(mhc_bg *bg, mhc_response *resp)
{
    int rc;

    pthread_join(bg->thread, NULL);
    rc = bg->rc;
    if (resp)
        *resp = bg->resp;
    else
        mhc_response_free(&bg->resp);
    pthread_mutex_destroy(&bg->mu);
    pthread_cond_destroy(&bg->cv);
    free(bg->body);
    free(bg->type);
    free(bg);
    return rc;
}
