/*
 * adm_http.c: the HTTPS client of Test-OutlookConnectivity (libcurl).
 *
 * One libcurl handle per probe, so the requests of a probe share a TLS
 * connection and an in-memory cookie engine (the server's MapiContext and
 * MapiSequence cookies carry their own Path=, so each endpoint gets its
 * own).  A reply is read whole; when it is application/mapi-http the
 * meta-tags, DONE and the additional headers are taken off and the binary
 * body remains.  Failures of the exchange itself are turned into the
 * sentence an administrator can act on: DNS, connect, TLS handshake,
 * certificate name or trust, timeout.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <apr_strings.h>

struct adm_http {
    apr_pool_t *pool;
    adm_http_opts o;
    CURL *curl;
    unsigned long counter;     /* X-RequestId counter part */
    char guid[40];
};

/* X-ResponseCode names ([MS-OXCMAPIHTTP] 2.2.3.3.3). */
const char *adm_http_code_name(int code)
{
    static const char *const names[] = {
        "Success", "Unknown Failure", "Invalid Verb", "Invalid Path",
        "Invalid Header", "Invalid Request Type", "Invalid Context Cookie",
        "Missing Header", "Anonymous Not Allowed", "Too Large",
        "Context Not Found", "No Privilege", "Invalid Request Body",
        "Missing Cookie", "Reserved", "Invalid Sequence",
        "Endpoint Disabled", "Invalid Response", "Endpoint Shutting Down",
    };

    if (code < 0 || code >= (int)(sizeof(names) / sizeof(names[0])))
        return "unknown code";
    return names[code];
}

adm_http *adm_http_new(apr_pool_t *pool, const adm_http_opts *o)
{
    adm_http *h = apr_pcalloc(pool, sizeof(*h));
    unsigned char rnd[16];

    h->pool = pool;
    h->o = *o;
    h->curl = curl_easy_init();
    if (h->curl == NULL)
        return NULL;
    if (apr_generate_random_bytes(rnd, sizeof(rnd)) != APR_SUCCESS)
        memset(rnd, 0x5a, sizeof(rnd));
    for (int i = 0, o2 = 0; i < 16; i++) {
        o2 += apr_snprintf(h->guid + o2, sizeof(h->guid) - o2, "%02X",
                           rnd[i]);
        if (i == 3 || i == 5 || i == 7 || i == 9)
            h->guid[o2++] = '-';
    }
    return h;
}

void adm_http_free(adm_http *h)
{
    if (h && h->curl) {
        curl_easy_cleanup(h->curl);
        h->curl = NULL;
    }
}

typedef struct adm_http_buf {
    apr_pool_t *pool;
    adm_http_rsp *r;
    char *data;
    size_t len, cap;
} adm_http_buf;

static size_t adm_http_header_cb(char *b, size_t size, size_t n, void *arg)
{
    adm_http_buf *buf = arg;
    adm_http_rsp *r = buf->r;
    size_t len = size * n, l = len;

    while (l && (b[l - 1] == '\r' || b[l - 1] == '\n'))
        l--;
    if (l >= 5 && strncmp(b, "HTTP/", 5) == 0) {
        /* A new reply (after a 401 round of Negotiate): start again. */
        r->www_auth = NULL;
        r->content_type = NULL;
        r->header_code = -1;
        return len;
    }
    if (l > 17 && strncasecmp(b, "WWW-Authenticate:", 17) == 0) {
        const char *v = apr_pstrmemdup(buf->pool, b + 17, l - 17);
        while (*v == ' ')
            v++;
        /* The method only: a Negotiate challenge's token says nothing. */
        v = apr_pstrndup(buf->pool, v, strcspn(v, " "));
        r->www_auth = r->www_auth ? apr_pstrcat(buf->pool, r->www_auth,
                                                ", ", v, NULL) : v;
    } else if (l > 13 && strncasecmp(b, "Content-Type:", 13) == 0) {
        const char *v = apr_pstrmemdup(buf->pool, b + 13, l - 13);
        while (*v == ' ')
            v++;
        r->content_type = v;
    } else if (l > 15 && strncasecmp(b, "X-ResponseCode:", 15) == 0) {
        r->header_code = atoi(apr_pstrmemdup(buf->pool, b + 15, l - 15));
    }
    return len;
}

static size_t adm_http_write_cb(char *b, size_t size, size_t n, void *arg)
{
    adm_http_buf *buf = arg;
    size_t len = size * n;

    if (buf->len + len + 1 > buf->cap) {
        size_t ncap = buf->cap ? buf->cap * 2 : 8192;
        char *nd;
        while (ncap < buf->len + len + 1)
            ncap *= 2;
        if (ncap > ADM_HTTP_MAX_REPLY)
            return 0;            /* aborts the transfer */
        nd = apr_palloc(buf->pool, ncap);
        if (buf->len)
            memcpy(nd, buf->data, buf->len);
        buf->data = nd;
        buf->cap = ncap;
    }
    memcpy(buf->data + buf->len, b, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return len;
}

/* PROCESSING/PENDING lines, DONE, additional headers, a blank line, the
 * body ([MS-OXCMAPIHTTP] 2.2.7).  The X-ResponseCode after DONE is the
 * one that counts. */
static void adm_http_unframe(apr_pool_t *pool, adm_http_rsp *r,
                             const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    int done = 0;

    r->body = (const uint8_t *)data;
    r->body_len = len;
    r->response_code = r->header_code;
    if (r->content_type == NULL ||
        strncasecmp(r->content_type, "application/mapi-http", 21) != 0)
        return;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l;
        if (nl == NULL)
            return;              /* incomplete: no body */
        l = (size_t)(nl - p);
        if (l && p[l - 1] == '\r')
            l--;
        if (!done) {
            done = l == 4 && memcmp(p, "DONE", 4) == 0;
        } else if (l == 0) {
            r->framed = 1;
            r->body = (const uint8_t *)nl + 1;
            r->body_len = (size_t)(end - (nl + 1));
            return;
        } else if (l > 15 && strncasecmp(p, "X-ResponseCode:", 15) == 0) {
            r->response_code = atoi(apr_pstrmemdup(pool, p + 15, l - 15));
        }
        p = nl + 1;
    }
}

/* The host of a URL, for messages. */
static const char *adm_http_host(apr_pool_t *pool, const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    return apr_pstrndup(pool, h, strcspn(h, ":/?"));
}

/* What went wrong with the exchange, in the administrator's terms. */
static const char *adm_http_why(adm_http *h, const char *url, CURLcode cc,
                                const char *err)
{
    apr_pool_t *p = h->pool;
    const char *host = adm_http_host(p, url);

    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return apr_psprintf(p, "DNS: the host name '%s' could not be "
                            "resolved (%s).", host, err);
    case CURLE_COULDNT_CONNECT:
        return apr_psprintf(p, "Connection: %s refused or did not answer "
                            "(%s).", host, err);
    case CURLE_OPERATION_TIMEDOUT:
        return apr_psprintf(p, "Timeout: no complete reply from %s within "
                            "%ld seconds (-TimeOutSeconds).", host,
                            h->o.timeout_ms / 1000);
    case CURLE_PEER_FAILED_VERIFICATION:
        if (strstr(err, "name") || strstr(err, "match")) {
            adm_cert_report cr;
            adm_cert_check(p, url, NULL, 5000, &cr);
            return apr_psprintf(p, "TLS: certificate name mismatch: the "
                                "server's certificate (%s) does not name "
                                "'%s'; it names %s.", cr.subject
                                ? cr.subject : "unreadable", host,
                                cr.names && cr.names->nelts
                                ? apr_array_pstrcat(p, cr.names, ',')
                                : "nothing else");
        }
        return apr_psprintf(p, "TLS: the server's certificate is not "
                            "trusted (%s); -TrustAnySSLCertificate skips "
                            "the check.", err);
    case CURLE_SSL_CONNECT_ERROR:
        return apr_psprintf(p, "TLS: the handshake with %s failed (%s).",
                            host, err);
    default:
        return apr_psprintf(p, "HTTP: the request to %s failed: %s.", url,
                            err);
    }
}

static struct curl_slist *adm_http_headers(adm_http *h,
                                           const char *request_type,
                                           const char *content_type)
{
    struct curl_slist *l = NULL;
    apr_pool_t *p = h->pool;

    l = curl_slist_append(l, apr_pstrcat(p, "Content-Type: ", content_type,
                                         NULL));
    if (request_type) {
        l = curl_slist_append(l, apr_pstrcat(p, "X-RequestType: ",
                                             request_type, NULL));
        l = curl_slist_append(l, apr_psprintf(p, "X-RequestId: %s:%lu",
                                              h->guid, ++h->counter));
        l = curl_slist_append(l, apr_psprintf(p, "X-ClientInfo: %s-%lu",
                                              h->guid, h->counter));
    }
    l = curl_slist_append(l, "X-ClientApplication: " ADM_PROBE_CLIENT_APP);
    l = curl_slist_append(l, "X-MapiHttpCapability: 1");
    l = curl_slist_append(l, "Expect:");
    return l;
}

static void adm_http_auth(adm_http *h, int anonymous)
{
    CURL *c = h->curl;

    if (anonymous)
        return;
    if (h->o.user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, h->o.user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, h->o.password ? h->o.password
                                                            : "");
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_NEGOTIATE);
        curl_easy_setopt(c, CURLOPT_USERPWD, ":");
    }
}

int adm_http_post(adm_http *h, const char *url, const char *request_type,
                  const char *content_type, const void *body, size_t len,
                  int anonymous, adm_http_rsp *r)
{
    adm_http_buf buf = { h->pool, r, NULL, 0, 0 };
    char err[CURL_ERROR_SIZE] = "";
    struct curl_slist *hl;
    CURL *c = h->curl;
    CURLcode cc;

    memset(r, 0, sizeof(*r));
    r->response_code = r->header_code = -1;
    /* Reset forgets the options, keeps connections and cookies. */
    curl_easy_reset(c);
    /* "" (re)starts the cookie engine without reading a file. */
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->o.timeout_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    if (h->o.trust_any) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (h->o.ca_file) {
        curl_easy_setopt(c, CURLOPT_CAINFO, h->o.ca_file);
    }
    adm_http_auth(h, anonymous);
    hl = adm_http_headers(h, request_type, content_type);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, adm_http_header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &buf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, adm_http_write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
    cc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hl);
    if (cc != CURLE_OK) {
        r->error = adm_http_why(h, url, cc, err[0] ? err
                                                   : curl_easy_strerror(cc));
        return -1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    adm_http_unframe(h->pool, r, buf.data ? buf.data : "", buf.len);
    return 0;
}
