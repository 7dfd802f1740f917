/*
 * adm_cert.c: does the TLS certificate of a virtual directory's URL cover
 * its host name, and is it within its validity period?
 *
 * "The certificate the site uses" is the one the server presents: we
 * connect to the URL's host and port with OpenSSL, send the host as SNI
 * (so a server with several certificates picks the one clients get), and
 * read the peer certificate without verifying its chain (a self-signed
 * certificate is the administrator's business; the name and the dates are
 * what break clients).  When the server cannot be reached, a PEM file can
 * be checked instead (-CertificateFile).  DNS names match the
 * subjectAltName (a single leftmost wildcard label, no partial wildcards),
 * or the subject CN when there is no DNS name; IP addresses match IP
 * entries only.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define ADM_CERT_TIMEOUT_MS 5000

/* ------------------------------------------------------- connecting -- */

static int adm_cert_wait(int fd, short events, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = events };

    return poll(&p, 1, timeout_ms) == 1 ? 0 : -1;
}

/* A connected TCP socket to host:port (every address tried in turn), or
 * -1 with *error_r. */
static int adm_cert_connect(apr_pool_t *pool, const char *host,
                            unsigned port, int timeout_ms,
                            const char **error_r)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
    char service[8];
    int rc, fd = -1, err = 0;

    snprintf(service, sizeof(service), "%u", port);
    if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
        *error_r = apr_psprintf(pool, "cannot resolve %s: %s", host,
                                gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        socklen_t len = sizeof(err);

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        err = 0;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            err = errno;
            if (err == EINPROGRESS) {
                if (adm_cert_wait(fd, POLLOUT, timeout_ms) != 0)
                    err = ETIMEDOUT;
                else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
                    err = errno;
            }
        }
        if (err != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        *error_r = apr_psprintf(pool, "cannot connect to %s port %u: %s",
                                host, port, strerror(err ? err : EIO));
    return fd;
}

static int adm_is_ip(const char *host)
{
    unsigned char buf[16];

    return inet_pton(AF_INET, host, buf) == 1 ||
           inet_pton(AF_INET6, host, buf) == 1;
}

/* The handshake on a non-blocking socket, bounded by timeout_ms. */
static int adm_cert_handshake(SSL *ssl, int fd, int timeout_ms)
{
    for (;;) {
        int rc = SSL_connect(ssl), e;

        if (rc == 1)
            return 0;
        e = SSL_get_error(ssl, rc);
        if (e == SSL_ERROR_WANT_READ) {
            if (adm_cert_wait(fd, POLLIN, timeout_ms) != 0)
                return -1;
        } else if (e == SSL_ERROR_WANT_WRITE) {
            if (adm_cert_wait(fd, POLLOUT, timeout_ms) != 0)
                return -1;
        } else {
            return -1;
        }
    }
}

static X509 *adm_cert_fetch(apr_pool_t *pool, const char *host, unsigned port,
                            int timeout_ms, const char **error_r)
{
    int fd = adm_cert_connect(pool, host, port, timeout_ms, error_r);
    SSL_CTX *sctx;
    SSL *ssl = NULL;
    X509 *cert = NULL;

    if (fd < 0)
        return NULL;
    sctx = SSL_CTX_new(TLS_client_method());
    if (sctx)
        ssl = SSL_new(sctx);
    if (ssl && SSL_set_fd(ssl, fd) == 1 &&
        (adm_is_ip(host) || SSL_set_tlsext_host_name(ssl, host) == 1) &&
        adm_cert_handshake(ssl, fd, timeout_ms) == 0) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        cert = SSL_get1_peer_certificate(ssl);
#else
        cert = SSL_get_peer_certificate(ssl);
#endif
        SSL_shutdown(ssl);
    }
    if (cert == NULL) {
        unsigned long e = ERR_get_error();

        *error_r = apr_psprintf(pool, "no TLS certificate from %s port %u%s%s",
                                host, port, e ? ": " : "",
                                e ? ERR_reason_error_string(e) : "");
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(sctx);
    close(fd);
    return cert;
}

static X509 *adm_cert_load(apr_pool_t *pool, const char *file,
                           const char **error_r)
{
    FILE *f = fopen(file, "r");
    X509 *cert;

    if (f == NULL) {
        *error_r = apr_psprintf(pool, "cannot open %s: %s", file,
                                strerror(errno));
        return NULL;
    }
    cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (cert == NULL)
        *error_r = apr_psprintf(pool, "%s holds no PEM certificate", file);
    ERR_clear_error();
    return cert;
}

/* -------------------------------------------------------- inspecting -- */

static const char *adm_cert_subject(apr_pool_t *pool, X509 *cert)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;
    const char *s;

    if (b == NULL)
        return "";
    X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    n = BIO_get_mem_data(b, &data);
    s = apr_pstrmemdup(pool, data ? data : "", n > 0 ? (size_t)n : 0);
    BIO_free(b);
    return s;
}

static apr_array_header_t *adm_cert_names(apr_pool_t *pool, X509 *cert)
{
    apr_array_header_t *out = apr_array_make(pool, 4, sizeof(const char *));
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name,
                                            NULL, NULL);

    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char ip[INET6_ADDRSTRLEN] = "";

        if (g->type == GEN_DNS)
            APR_ARRAY_PUSH(out, const char *) = apr_psprintf(pool, "DNS:%.*s",
                ASN1_STRING_length(g->d.dNSName),
                (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        else if (g->type == GEN_IPADD) {
            int len = ASN1_STRING_length(g->d.iPAddress);
            const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);

            if (len == 4 || len == 16)
                inet_ntop(len == 4 ? AF_INET : AF_INET6, d, ip, sizeof(ip));
            APR_ARRAY_PUSH(out, const char *) = apr_pstrcat(pool, "IP:", ip,
                                                            NULL);
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

static apr_time_t adm_asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return apr_time_from_sec(timegm(&tm));
}

static int adm_cert_covers(X509 *cert, const char *host)
{
    if (adm_is_ip(host))
        return X509_check_ip_asc(cert, host, 0) == 1;
    return X509_check_host(cert, host, strlen(host),
                           X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
}

static void adm_cert_verdict(apr_pool_t *pool, X509 *cert,
                             adm_cert_report *r)
{
    const char *names;

    r->subject = adm_cert_subject(pool, cert);
    r->names = adm_cert_names(pool, cert);
    r->not_before = adm_asn1_time(X509_get0_notBefore(cert));
    r->not_after = adm_asn1_time(X509_get0_notAfter(cert));
    r->covers_host = adm_cert_covers(cert, r->host);
    r->in_validity = X509_cmp_current_time(X509_get0_notBefore(cert)) < 0 &&
                     X509_cmp_current_time(X509_get0_notAfter(cert)) > 0;
    names = "";
    for (int i = 0; i < r->names->nelts; i++)
        names = apr_pstrcat(pool, names, i ? ", " : "",
                            APR_ARRAY_IDX(r->names, i, const char *), NULL);
    if (!r->covers_host) {
        r->result = "HostMismatch";
        r->error = apr_psprintf(pool, "the certificate (subject %s, names "
                                "{%s}) does not cover the host name '%s'",
                                r->subject, names, r->host);
    } else if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
        r->result = "Expired";
        r->error = "the certificate has expired";
    } else if (!r->in_validity) {
        r->result = "NotYetValid";
        r->error = "the certificate is not yet valid";
    } else {
        r->result = "Valid";
    }
}

void adm_cert_check(apr_pool_t *pool, const char *url, const char *cert_file,
                    int timeout_ms, adm_cert_report *r)
{
    const char *error = NULL;
    X509 *cert;

    memset(r, 0, sizeof(*r));
    r->url = url;
    r->names = apr_array_make(pool, 1, sizeof(const char *));
    r->source = cert_file ? cert_file : "server";
    if (cfg_url_host_port(pool, url, &r->host, &r->port) != 0) {
        r->host = "";
        r->result = "Unreachable";
        r->error = "the URL has no host";
        return;
    }
    cert = cert_file ? adm_cert_load(pool, cert_file, &error)
                     : adm_cert_fetch(pool, r->host, r->port, timeout_ms,
                                      &error);
    if (cert == NULL) {
        r->result = cert_file ? "Unreadable" : "Unreachable";
        r->error = error;
        return;
    }
    adm_cert_verdict(pool, cert, r);
    X509_free(cert);
}

void adm_cert_warn(apr_pool_t *pool, const cfg_vdir *v, const char *cert_file)
{
    const char *urls[2] = { v->internal_url, v->external_url };

    for (int i = 0; i < 2; i++) {
        adm_cert_report r;

        if (urls[i] == NULL || (i == 1 && urls[0] &&
                                strcmp(urls[0], urls[1]) == 0))
            continue;
        adm_cert_check(pool, urls[i], cert_file, ADM_CERT_TIMEOUT_MS, &r);
        if (strcmp(r.result, "Valid") == 0)
            continue;
        if (strcmp(r.result, "Unreachable") == 0 ||
            strcmp(r.result, "Unreadable") == 0)
            adm_warning("The certificate for %s could not be checked: %s. "
                        "Check it later with test-certificate.", urls[i],
                        r.error);
        else
            adm_warning("The certificate for %s is not usable (%s): %s. "
                        "Clients will refuse the connection.", urls[i],
                        r.result, r.error);
    }
}

/* ----------------------------------------------------------- command -- */

static const char *const adm_cert_columns[] = {
    "Url", "Host", "Result", NULL
};

static adm_obj *adm_cert_obj(apr_pool_t *pool, const char *identity,
                             const adm_cert_report *r)
{
    adm_obj *o = adm_obj_new(pool);

    adm_obj_str(o, "Identity", identity);
    adm_obj_str(o, "Url", r->url);
    adm_obj_str(o, "Host", r->host);
    adm_obj_str(o, "Port", apr_psprintf(pool, "%u", r->port));
    adm_obj_str(o, "CertificateSource", r->source);
    adm_obj_str(o, "Subject", r->subject);
    adm_obj_list(o, "SubjectAlternativeNames", r->names);
    adm_obj_time(o, "NotBefore", r->not_before);
    adm_obj_time(o, "NotAfter", r->not_after);
    adm_obj_str(o, "Result", r->result);
    adm_obj_str(o, "Error", r->error);
    return o;
}

static const adm_param_def adm_test_cert_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "Url", 0 }, { "CertificateFile", 0 },
    { "TimeoutSeconds", 0 }, ADM_P_OUTPUT, { NULL, 0 }
};

typedef struct adm_cert_run {
    adm_ctx *ctx;
    const char *cert_file;
    int timeout_ms;
    apr_array_header_t *objs;
    int failed;
} adm_cert_run;

static void adm_cert_one(adm_cert_run *run, const char *identity,
                         const char *url)
{
    adm_cert_report r;

    adm_cert_check(run->ctx->pool, url, run->cert_file, run->timeout_ms, &r);
    if (strcmp(r.result, "Valid") != 0)
        run->failed = 1;
    APR_ARRAY_PUSH(run->objs, adm_obj *) = adm_cert_obj(run->ctx->pool,
                                                        identity, &r);
}

static int adm_cert_timeout(const adm_args *a, int *ms_r)
{
    const char *v = adm_arg(a, "TimeoutSeconds");
    char *end = NULL;
    long s;

    *ms_r = ADM_CERT_TIMEOUT_MS;
    if (v == NULL)
        return ADM_OK;
    s = strtol(v, &end, 10);
    if (end == v || *end != '\0' || s < 1 || s > 300)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'TimeoutSeconds': '%s' is "
                         "not a number of seconds from 1 to 300.", v);
    *ms_r = (int)s * 1000;
    return ADM_OK;
}

int adm_cmd_test_certificate(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Test-MapiCertificate", *id, *url, *error = NULL;
    adm_args a;
    adm_cert_run run = { ctx, NULL, 0, NULL, 0 };
    apr_array_header_t *found;
    int rc = adm_args_parse(ctx, cmd, adm_test_cert_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_cert_timeout(&a, &run.timeout_ms)) != ADM_OK)
        return rc;
    id = adm_arg(&a, "Identity");
    url = adm_arg(&a, "Url");
    run.cert_file = adm_arg(&a, "CertificateFile");
    run.objs = apr_array_make(ctx->pool, 4, sizeof(adm_obj *));
    if (id && url)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Parameter set "
                         "cannot be resolved using the specified named "
                         "parameters: -Identity and -Url cannot be used "
                         "together.");
    if (url) {
        const char *n = cfg_url_normalise(ctx->pool, url, &error);

        if (n == NULL)
            return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process "
                             "argument for parameter 'Url': '%s' is not a "
                             "valid URL: %s.", url, error);
        adm_cert_one(&run, NULL, n);
    } else {
        if ((rc = adm_vdir_find(ctx, cmd, id, NULL, &found)) != ADM_OK)
            return rc;
        if (found->nelts == 0 && id && !adm_has_wildcard(id))
            return adm_not_found(cmd, id);
        for (int i = 0; i < found->nelts; i++) {
            const cfg_vdir *v = APR_ARRAY_IDX(found, i, cfg_vdir *);
            const char *ident = cfg_vdir_identity(ctx->pool, v);

            if (v->internal_url)
                adm_cert_one(&run, ident, v->internal_url);
            if (v->external_url && (!v->internal_url ||
                strcmp(v->external_url, v->internal_url) != 0))
                adm_cert_one(&run, ident, v->external_url);
        }
    }
    adm_emit(ctx, run.objs, adm_cert_columns);
    if (run.failed)
        return adm_error(ADM_ERR_CERTIFICATE, cmd, "At least one URL is not "
                         "covered by a valid certificate (see Result and "
                         "Error%s).", ctx->format == ADM_FMT_TABLE
                         ? "; -List shows the details" : "");
    return ADM_OK;
}
