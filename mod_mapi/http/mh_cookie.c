/*
 * mh_cookie.c: reading our cookies from the request's Cookie headers
 * ([MS-OXCMAPIHTTP] 2.2.3.2.4: "name=value" pairs separated by ";").
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "apr_strings.h"

typedef struct mh_cookie_find {
    const char *name;
    apr_size_t name_len;
    const char *value;
    apr_pool_t *pool;
} mh_cookie_find;

/* Scans one Cookie header value.  The first occurrence wins: a client
 * sends the context cookie first ([MS-OXCMAPIHTTP] protocol notes). */
static int mh_cookie_scan(void *baton, const char *key, const char *header)
{
    mh_cookie_find *f = baton;
    const char *p = header;

    (void)key;
    while (*p && f->value == NULL) {
        const char *end = strchr(p, ';'), *eq;
        apr_size_t len;

        if (end == NULL)
            end = p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        eq = memchr(p, '=', (apr_size_t)(end - p));
        if (eq && (apr_size_t)(eq - p) == f->name_len &&
            strncasecmp(p, f->name, f->name_len) == 0) {
            const char *v = eq + 1;
            len = (apr_size_t)(end - v);
            while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
                len--;
            if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
                v++;
                len -= 2;
            }
            f->value = apr_pstrmemdup(f->pool, v, len);
        }
        p = *end ? end + 1 : end;
    }
    return f->value == NULL;
}

const char *mh_cookie_get(request_rec *r, const char *name)
{
    mh_cookie_find f = { name, strlen(name), NULL, r->pool };

    apr_table_do(mh_cookie_scan, &f, r->headers_in, "Cookie", NULL);
    return f.value;
}
