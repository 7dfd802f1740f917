/*
 * cfg_util.c: the configuration rules that need no database, shared by
 * mod_mapi and mapi-admin so that both read values the same way: URL
 * normalisation, MAPIBlockOutlookVersions ranges, authentication method
 * names.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfg_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

/* ---------------------------------------------------------------- URLs -- */

static int cfg_dns_name_ok(const char *h, size_t n)
{
    size_t label = 0;

    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];

        if (c == '.') {
            /* No empty label; a trailing dot is not accepted either. */
            if (label == 0 || h[i - 1] == '-' || i + 1 == n)
                return 0;
            label = 0;
            continue;
        }
        if (!isalnum(c) && c != '-')
            return 0;
        if (c == '-' && label == 0)
            return 0;
        if (++label > 63)
            return 0;
    }
    return h[n - 1] != '-';
}

static int cfg_ipv6_ok(const char *h, size_t n)
{
    int colons = 0;

    if (n < 2 || n > 45)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == ':')
            colons++;
        else if (!isxdigit((unsigned char)h[i]) && h[i] != '.')
            return 0;
    }
    return colons >= 2;
}

/* Splits "host[:port]" (host possibly "[v6]"); -1 on a bad form. */
static int cfg_authority(const char *a, size_t n, const char **host_r,
                         size_t *hlen_r, long *port_r)
{
    const char *colon = NULL;

    *port_r = -1;
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);

        if (close == NULL || !cfg_ipv6_ok(a + 1, (size_t)(close - a - 1)))
            return -1;
        *host_r = a;
        *hlen_r = (size_t)(close - a + 1);
        if (close + 1 < a + n && close[1] != ':')
            return -1;
        colon = close + 1 < a + n ? close + 1 : NULL;
    } else {
        colon = memchr(a, ':', n);
        *host_r = a;
        *hlen_r = colon ? (size_t)(colon - a) : n;
        if (!cfg_dns_name_ok(a, *hlen_r))
            return -1;
    }
    if (colon != NULL) {
        size_t plen = (size_t)(a + n - colon - 1);
        long port = 0;

        if (plen == 0 || plen > 5)
            return -1;
        for (size_t i = 1; i <= plen; i++) {
            if (!isdigit((unsigned char)colon[i]))
                return -1;
            port = port * 10 + (colon[i] - '0');
        }
        if (port < 1 || port > 65535)
            return -1;
        *port_r = port;
    }
    return 0;
}

const char *cfg_url_normalise(apr_pool_t *pool, const char *url,
                              const char **error_r)
{
    const char *sep, *auth, *end, *host;
    size_t hlen;
    long port, def_port;

    if (url == NULL || (sep = strstr(url, "://")) == NULL) {
        *error_r = "it is not an absolute URL (https://host/mapi)";
        return NULL;
    }
    if ((size_t)(sep - url) == 5 && strncasecmp(url, "https", 5) == 0)
        def_port = 443;
    else if ((size_t)(sep - url) == 4 && strncasecmp(url, "http", 4) == 0)
        def_port = 80;
    else {
        *error_r = "the scheme must be https (or http, which is written as "
                   "https)";
        return NULL;
    }
    auth = sep + 3;
    end = auth + strcspn(auth, "/?#");
    if (memchr(auth, '@', (size_t)(end - auth)) != NULL) {
        *error_r = "a URL with user information is not accepted";
        return NULL;
    }
    if (strpbrk(end, "?#") != NULL || strpbrk(url, " \t\r\n") != NULL) {
        *error_r = "a URL with a query, a fragment or white space is not "
                   "accepted";
        return NULL;
    }
    if (cfg_authority(auth, (size_t)(end - auth), &host, &hlen, &port) != 0) {
        *error_r = "the host name or the port is not valid";
        return NULL;
    }
    /* TLS is enforced; a port is kept unless it is the default of the
     * scheme written (http://host:80 and https://host:443 mean the
     * default https port). */
    if (port == def_port)
        port = -1;
    return apr_psprintf(pool, "https://%s%s/mapi",
                        cfg_lower(pool, apr_pstrmemdup(pool, host, hlen)),
                        port > 0 ? apr_psprintf(pool, ":%ld", port) : "");
}

int cfg_url_host_port(apr_pool_t *pool, const char *url, const char **host_r,
                      unsigned *port_r)
{
    const char *auth, *end, *host;
    size_t hlen;
    long port;

    if (url == NULL || strncasecmp(url, "https://", 8) != 0)
        return -1;
    auth = url + 8;
    end = auth + strcspn(auth, "/?#");
    if (cfg_authority(auth, (size_t)(end - auth), &host, &hlen, &port) != 0)
        return -1;
    if (host[0] == '[') {
        host++;
        hlen -= 2;
    }
    *host_r = apr_pstrmemdup(pool, host, hlen);
    *port_r = port > 0 ? (unsigned)port : 443;
    return 0;
}

/* ----------------------------------------------------- version ranges -- */

#define CFG_VERSION_PARTS 4

typedef struct cfg_version {
    unsigned long part[CFG_VERSION_PARTS];
} cfg_version;

/* Parses "16.0.5095.1000" from s (n bytes): 1 to 4 numeric parts, the
 * missing ones 0; -1 on anything else. */
static int cfg_version_parse(const char *s, size_t n, cfg_version *v)
{
    size_t i = 0;
    int parts = 0;

    memset(v, 0, sizeof(*v));
    while (i < n) {
        size_t digits = 0;
        unsigned long x = 0;

        if (parts == CFG_VERSION_PARTS)
            return -1;
        while (i < n && isdigit((unsigned char)s[i])) {
            if (++digits > 9)
                return -1;
            x = x * 10 + (unsigned long)(s[i++] - '0');
        }
        if (digits == 0)
            return -1;
        v->part[parts++] = x;
        if (i < n && (s[i] != '.' || i + 1 == n))
            return -1;
        i += i < n;
    }
    return parts > 0 ? 0 : -1;
}

static int cfg_version_cmp(const cfg_version *a, const cfg_version *b)
{
    for (int i = 0; i < CFG_VERSION_PARTS; i++)
        if (a->part[i] != b->part[i])
            return a->part[i] < b->part[i] ? -1 : 1;
    return 0;
}

static void cfg_trim(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* One range "a-b", "-b", "a-" or "a" (n bytes): 1 when v is inside it
 * (v NULL: only parse), 0 when not, -1 when it does not parse. */
static int cfg_range_match(const char *r, size_t n, const cfg_version *v)
{
    const char *dash = memchr(r, '-', n), *a = r, *b;
    size_t an, bn;
    cfg_version lo, hi;
    int has_lo, has_hi;

    if (dash == NULL) {
        if (cfg_version_parse(r, n, &lo) != 0)
            return -1;
        return v != NULL && cfg_version_cmp(v, &lo) == 0;
    }
    if (memchr(dash + 1, '-', (size_t)(r + n - dash - 1)) != NULL)
        return -1;
    an = (size_t)(dash - r);
    b = dash + 1;
    bn = (size_t)(r + n - b);
    cfg_trim(&a, &an);
    cfg_trim(&b, &bn);
    has_lo = an > 0;
    has_hi = bn > 0;
    if ((!has_lo && !has_hi) ||
        (has_lo && cfg_version_parse(a, an, &lo) != 0) ||
        (has_hi && cfg_version_parse(b, bn, &hi) != 0))
        return -1;
    if (has_lo && has_hi && cfg_version_cmp(&lo, &hi) > 0)
        return -1;
    if (v == NULL)
        return 0;
    return (!has_lo || cfg_version_cmp(v, &lo) >= 0) &&
           (!has_hi || cfg_version_cmp(v, &hi) <= 0);
}

/* Walks every ';'-separated range: 1 when one holds v, 0 when none does,
 * -1 when one does not parse (all are parsed, so a bad list is always
 * reported whatever the version). */
static int cfg_ranges_walk(const char *ranges, const cfg_version *v)
{
    const char *p = ranges;
    int hit = 0;

    if (ranges == NULL)
        return 0;
    for (;;) {
        size_t n = strcspn(p, ";");
        const char *r = p;
        size_t rn = n;
        int m;

        cfg_trim(&r, &rn);
        if (rn > 0) {
            if ((m = cfg_range_match(r, rn, v)) < 0)
                return -1;
            hit |= m;
        }
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    return hit;
}

int cfg_version_ranges_valid(const char *ranges)
{
    return cfg_ranges_walk(ranges, NULL) >= 0;
}

/* The version is the digits and dots at the start of what follows the
 * last '/' ("Outlook/16.0.5095.1000" works as well as "16.0.5095.1000");
 * a client whose version cannot be read is not blocked. */
int cfg_version_blocked(const char *ranges, const char *version)
{
    cfg_version v;
    const char *slash;
    size_t n;

    if (!cfg_version_ranges_valid(ranges))
        return -1;
    if (version == NULL)
        return 0;
    if ((slash = strrchr(version, '/')) != NULL)
        version = slash + 1;
    n = strspn(version, "0123456789.");
    if (cfg_version_parse(version, n, &v) != 0)
        return 0;
    return cfg_ranges_walk(ranges, &v);
}

/* ------------------------------------------------------------- names -- */

/* The Exchange display order, Basic first. */
static const struct {
    unsigned bit;
    const char *name;
} cfg_auth_names[] = {
    { CFG_AUTH_BASIC, "Basic" }, { CFG_AUTH_NTLM, "Ntlm" },
    { CFG_AUTH_OAUTH, "OAuth" }, { CFG_AUTH_NEGOTIATE, "Negotiate" },
};

const char *cfg_auth_str(apr_pool_t *pool, unsigned methods)
{
    const char *out = "";

    for (size_t i = 0; i < sizeof(cfg_auth_names) / sizeof(*cfg_auth_names);
         i++)
        if (methods & cfg_auth_names[i].bit)
            out = apr_pstrcat(pool, out, *out ? ", " : "",
                              cfg_auth_names[i].name, NULL);
    return out;
}

unsigned cfg_auth_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(cfg_auth_names) / sizeof(*cfg_auth_names);
         i++)
        if (name && strcasecmp(name, cfg_auth_names[i].name) == 0)
            return cfg_auth_names[i].bit;
    return 0;
}

const char *cfg_ep_token_str(cfg_ep_token t)
{
    switch (t) {
    case CFG_EPTC_ALLOW:
        return "Allow";
    case CFG_EPTC_REQUIRE:
        return "Require";
    default:
        return "None";
    }
}
