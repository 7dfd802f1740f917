/*
 * mh_cookie.c: reading our cookies from the request's Cookie headers
 * ([MS-OXCMAPIHTTP] 2.2.3.2.4); the scan of one header value is
 * mh_cookie_find (mh_parse.c).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

typedef struct mh_cookie_search {
    const char *name;
    const char *value;
    apr_pool_t *pool;
} mh_cookie_search;

/* One Cookie header; the first header that carries the name wins. */
static int mh_cookie_scan(void *baton, const char *key, const char *header)
{
    mh_cookie_search *f = baton;

    (void)key;
    f->value = mh_cookie_find(f->pool, header, f->name);
    return f->value == NULL;
}

const char *mh_cookie_get(request_rec *r, const char *name)
{
    mh_cookie_search f = { name, NULL, r->pool };

    apr_table_do(mh_cookie_scan, &f, r->headers_in, "Cookie", NULL);
    return f.value;
}
