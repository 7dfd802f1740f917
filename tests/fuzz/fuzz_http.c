/*
 * fuzz_http.c: libFuzzer target for what mod_mapi reads from a request's
 * headers and URL (mod_mapi/http/mh_parse.c and the parsers it leads
 * to): Cookie headers and the session ids in MapiContext/MapiSequence,
 * the endpoint of the path, Content-Type and Content-Length, ?MailboxId=,
 * the version in X-ClientApplication against MAPIBlockOutlookVersions,
 * and the protocol log row that X-RequestId, X-ClientInfo and
 * X-ClientApplication end up in.  The first byte picks the parser; the
 * rest is the header value (NUL-terminated, as httpd hands it over).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "http/mh_parse.h"
#include "log/mapi_logfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;

static void fz_check(int cond)
{
    if (!cond)
        abort();
}

static void fz_cookie(apr_pool_t *p, const char *s)
{
    static const char *const names[] = { "MapiContext", "MapiSequence",
                                         "X" };
    uint8_t id[SESS_ID_LEN];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = mh_cookie_find(p, s, names[i]);

        if (v) {
            fz_check(strlen(v) <= strlen(s));
            (void)sess_id_parse(v, id);
        }
    }
}

static void fz_path(const char *s)
{
    size_t len = 0;
    sess_endpoint ep = mh_parse_endpoint(s, &len);

    fz_check(ep == 0 || ep == SESS_EP_EMSMDB || ep == SESS_EP_NSPI);
    if (ep)
        fz_check(len <= strlen(s));
}

static void fz_headers(const char *s)
{
    apr_off_t n;

    (void)mh_is_mapi_content_type(s);
    if (mh_parse_content_length(s, &n) == 0)
        fz_check(n >= 0);
}

static void fz_mailbox_id(apr_pool_t *p, const char *s)
{
    static cfg_org org = { .domain = "mapi.test" };
    static cfg_mailbox mbx = { .guid = { 0x12, 0x34 },
                               .smtp = "demo@mapi.test" };
    const char *id = mh_query_mailbox_id(p, s);

    if (id) {
        fz_check(strlen(id) <= strlen(s));
        (void)mh_mailbox_id_is(p, id, &org, &mbx);
    }
}

/* "ranges\napp": a MAPIBlockOutlookVersions value and X-ClientApplication. */
static void fz_version(apr_pool_t *p, const char *s)
{
    const char *nl = strchr(s, '\n');
    const char *ranges = nl ? apr_pstrmemdup(p, s, (size_t)(nl - s))
                            : "-14.9.9;15.0.0-15.0.4568;16.0.1";
    const char *app = nl ? nl + 1 : s;
    const char *v = mh_client_version(p, app);
    int valid = cfg_version_ranges_valid(ranges);

    if (v) {
        int b = cfg_version_blocked(ranges, v);
        fz_check(b >= -1 && b <= 1);
        fz_check(!valid || b != -1);
    }
}

/* Values separated by '\n' fill the row's fields in turn. */
static void fz_log_row(apr_pool_t *p, const char *s)
{
    const char **v = apr_pcalloc(p, mapi_logfile_n_fields * sizeof(*v));
    const char *row;
    apr_size_t len;
    unsigned i = 0;

    for (const char *q = s; i < mapi_logfile_n_fields; i++) {
        const char *nl = strchr(q, '\n');
        v[i] = nl ? apr_pstrmemdup(p, q, (size_t)(nl - q)) : q;
        if (!nl)
            break;
        q = nl + 1;
    }
    row = mapi_logfile_row(p, v, &len);
    fz_check(len <= MAPI_LOGFILE_ROW_MAX && len >= 2 && strlen(row) == len);
    /* One row, one line. */
    fz_check(row[len - 2] == '\r' && row[len - 1] == '\n');
    fz_check(memchr(row, '\n', len - 1) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *s;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 1)
        return 0;
    /* An exact-size copy, NUL-terminated: a header value as httpd gives
     * it (an inner NUL ends it there, as it would in httpd). */
    s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    apr_pool_create(&p, root);
    switch (data[0] % 6) {
    case 0:  fz_cookie(p, s); break;
    case 1:  fz_path(s); break;
    case 2:  fz_headers(s); break;
    case 3:  fz_mailbox_id(p, s); break;
    case 4:  fz_version(p, s); break;
    default: fz_log_row(p, s); break;
    }
    apr_pool_destroy(p);
    free(s);
    return 0;
}
