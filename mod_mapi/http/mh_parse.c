/*
 * mh_parse.c: what the transport reads from a request, as pure functions
 * of bytes (mh_parse.h).  No httpd here: the fuzzers link this file.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_parse.h"

#include <string.h>
#include <strings.h>
#include <apr_strings.h>

/* Scans one Cookie header value ([MS-OXCMAPIHTTP] 2.2.3.2.4: "name=value"
 * pairs separated by ";").  The first occurrence wins: a client sends the
 * context cookie first (protocol notes). */
const char *mh_cookie_find(apr_pool_t *pool, const char *header,
                           const char *name)
{
    size_t name_len = strlen(name);
    const char *p = header;

    while (*p) {
        const char *end = strchr(p, ';'), *eq;

        if (end == NULL)
            end = p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == name_len &&
            strncasecmp(p, name, name_len) == 0) {
            const char *v = eq + 1;
            size_t len = (size_t)(end - v);

            while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
                len--;
            if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
                v++;
                len -= 2;
            }
            return apr_pstrmemdup(pool, v, len);
        }
        p = *end ? end + 1 : end;
    }
    return NULL;
}

/* The endpoint is the last path segment, whatever the virtual directory's
 * own path. */
sess_endpoint mh_parse_endpoint(const char *uri, size_t *base_len_r)
{
    static const struct { const char *seg; sess_endpoint ep; } eps[] = {
        { "emsmdb", SESS_EP_EMSMDB }, { "nspi", SESS_EP_NSPI },
    };
    size_t len = strlen(uri);

    if (len && uri[len - 1] == '/')
        len--;
    for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
        size_t n = strlen(eps[i].seg);

        if (len > n && uri[len - n - 1] == '/' &&
            strncasecmp(uri + len - n, eps[i].seg, n) == 0) {
            *base_len_r = len;
            return eps[i].ep;
        }
    }
    return 0;
}

int mh_is_mapi_content_type(const char *ct)
{
    size_t n = strlen(MH_CONTENT_TYPE);

    return ct && strncasecmp(ct, MH_CONTENT_TYPE, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int mh_parse_content_length(const char *cl, apr_off_t *n_r)
{
    char *end;

    if (apr_strtoff(n_r, cl, &end, 10) != APR_SUCCESS || *end != '\0' ||
        *n_r < 0)
        return -1;
    return 0;
}

static int mh_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* %XX decoding in place with httpd's rules for a path: a bad escape, a
 * decoded NUL or a decoded '/' make the whole value unusable (-1). */
static int mh_unescape(char *s)
{
    char *out = s;

    for (; *s; s++) {
        if (*s == '%') {
            int hi = mh_hex(s[1]), lo = hi < 0 ? -1 : mh_hex(s[2]);
            int c;

            if (hi < 0 || lo < 0)
                return -1;
            c = hi << 4 | lo;
            if (c == 0 || c == '/')
                return -1;
            *out++ = (char)c;
            s += 2;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
    return 0;
}

const char *mh_query_mailbox_id(apr_pool_t *pool, const char *args)
{
    while (args && *args) {
        size_t len = strcspn(args, "&");
        const char *eq = memchr(args, '=', len);

        if (eq && (size_t)(eq - args) == 9 &&
            strncasecmp(args, "MailboxId", 9) == 0 && len > 10) {
            char *v = apr_pstrmemdup(pool, eq + 1, len - 10);

            return mh_unescape(v) == 0 ? v : "";
        }
        args += len;
        if (*args == '&')
            args++;
    }
    return NULL;
}

int mh_mailbox_id_is(apr_pool_t *p, const char *id, const cfg_org *org,
                     const cfg_mailbox *mbx)
{
    const char *at = strrchr(id, '@');
    const char *guid = cfg_guid_str(p, mbx->guid);
    const char *g = id;
    size_t glen;

    if (at == NULL)
        return 0;
    glen = (size_t)(at - id);
    if (glen == 38 && g[0] == '{' && g[37] == '}') {
        g++;
        glen = 36;
    }
    if (glen == strlen(guid) && strncasecmp(g, guid, glen) == 0 &&
        org && strcasecmp(at + 1, org->domain) == 0)
        return 1;
    if (strcasecmp(id, mbx->smtp) == 0)
        return 1;
    for (int i = 0; mbx->smtp_addresses && i < mbx->smtp_addresses->nelts;
         i++)
        if (strcasecmp(id, APR_ARRAY_IDX(mbx->smtp_addresses, i,
                                         const char *)) == 0)
            return 1;
    return 0;
}

const char *mh_client_version(apr_pool_t *p, const char *app)
{
    const char *slash = app ? strchr(app, '/') : NULL;

    if (slash == NULL || slash[1] == '\0')
        return NULL;
    return apr_pstrndup(p, slash + 1, strcspn(slash + 1, " ;\t"));
}

/* [MS-OXCRPC] R571: larger auxiliary input is refused. */
#define MH_AUX_MAX 0x1008

int mh_read_aux_tail(mapi_rd *rd)
{
    uint32_t aux_size;

    /* The auxiliary blocks are informational ([MS-OXCRPC] R1654): bounded
     * and skipped. */
    if (mapi_rd_u32(rd, &aux_size) != 0 || aux_size > MH_AUX_MAX ||
        mapi_rd_skip(rd, aux_size) != 0)
        return -1;
    return mapi_rd_left(rd) == 0 ? 0 : -1;
}

/* A UserDN is an X.500 DN; real ones are well under this. */
#define MH_USER_DN_MAX 1024

int mh_parse_connect(const uint8_t *body, size_t len, apr_pool_t *p,
                     mh_connect_req *req)
{
    mapi_rd rd;

    mapi_rd_init(&rd, body, len);
    if (mapi_rd_str8(&rd, p, MH_USER_DN_MAX, &req->user_dn) != 0)
        return -1;
    mapi_rd_u32(&rd, &req->flags);
    mapi_rd_u32(&rd, &req->codepage);
    mapi_rd_u32(&rd, &req->lcid_sort);
    mapi_rd_u32(&rd, &req->lcid_string);
    if (rd.failed)
        return -1;
    return mh_read_aux_tail(&rd);
}

int mh_parse_execute(const uint8_t *body, size_t len, mh_execute_req *req)
{
    mapi_rd rd;

    mapi_rd_init(&rd, body, len);
    mapi_rd_u32(&rd, &req->flags);
    mapi_rd_u32(&rd, &req->rop_buffer_size);
    if (rd.failed ||
        mapi_rd_view(&rd, req->rop_buffer_size, &req->rop_buffer) != 0 ||
        mapi_rd_u32(&rd, &req->max_rop_out) != 0)
        return -1;
    return mh_read_aux_tail(&rd);
}

int mh_parse_disconnect(const uint8_t *body, size_t len)
{
    mapi_rd rd;

    mapi_rd_init(&rd, body, len);
    return mh_read_aux_tail(&rd);
}

int mh_parse_notification_wait(const uint8_t *body, size_t len)
{
    mapi_rd rd;
    uint32_t flags;

    mapi_rd_init(&rd, body, len);
    if (mapi_rd_u32(&rd, &flags) != 0)
        return -1;
    return mh_read_aux_tail(&rd);
}
