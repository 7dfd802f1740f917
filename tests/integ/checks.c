/*
 * checks.c: the shared protocol checks of checks.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "checks.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
           ((uint32_t)b[3] << 24);
}

uint16_t le16(const uint8_t *b)
{
    return (uint16_t)(b[0] | (b[1] << 8));
}

int is_hex32(const char *s)
{
    if (s == NULL || strlen(s) != 32)
        return 0;
    for (int i = 0; i < 32; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

long header_long(const char *v)
{
    char *end;
    long n;

    if (v == NULL || *v == '\0')
        return -1;
    n = strtol(v, &end, 10);
    return *end == '\0' && n >= 0 ? n : -1;
}

/* "Exchange/15.xx.xxxx.xxx" ([MS-OXCMAPIHTTP] R165). */
static int server_app_ok(const char *v)
{
    static const char shape[] = "Exchange/15.dd.dddd.ddd";

    if (v == NULL || strlen(v) != sizeof(shape) - 1)
        return 0;
    for (size_t i = 0; i < sizeof(shape) - 1; i++) {
        if (shape[i] == 'd' ? !isdigit((unsigned char)v[i]) : v[i] != shape[i])
            return 0;
    }
    return 1;
}

void check_common_headers(const char *what, const mhc_client *c,
                          const mhc_response *r, const char *request_type,
                          unsigned omitted)
{
    const char *v;
    int code;

    CHECKF(r->http_status == 200,
           "%s: R47/R48: HTTP status %ld, expected 200", what,
           r->http_status);
    v = mhc_header_get(r, "X-RequestType");
    if (request_type && !(omitted & MHC_OMIT_REQUEST_TYPE))
        CHECKF(v && strcmp(v, request_type) == 0,
               "%s: R44: X-RequestType '%s', expected '%s'", what,
               v ? v : "(none)", request_type);
    v = mhc_header_get(r, "X-RequestId");
    if (!(omitted & MHC_OMIT_REQUEST_ID))
        CHECKF(v && strcmp(v, c->last_request_id) == 0,
               "%s: R44/R2040: X-RequestId '%s', expected the request's '%s'",
               what, v ? v : "(none)", c->last_request_id);
    if (c->client_info[0] && !(omitted & MHC_OMIT_CLIENT_INFO)) {
        v = mhc_header_get(r, "X-ClientInfo");
        CHECKF(v && strcmp(v, c->client_info) == 0,
               "%s: R156: X-ClientInfo '%s', expected '%s'", what,
               v ? v : "(none)", c->client_info);
    }
    v = mhc_header_get(r, "X-ResponseCode");
    code = (int)header_long(v);
    CHECKF(code >= 0, "%s: R44/R132: X-ResponseCode header '%s' not numeric",
           what, v ? v : "(none)");
    v = mhc_header_get(r, "X-ServerApplication");
    CHECKF(server_app_ok(v),
           "%s: R164/R165: X-ServerApplication '%s' is not "
           "Exchange/15.xx.xxxx.xxx", what, v ? v : "(none)");
    v = mhc_header_get(r, "X-PendingPeriod");
    CHECKF(header_long(v) > 0,
           "%s: R1242/R157: X-PendingPeriod '%s' is not a positive number of "
           "ms", what, v ? v : "(none)");
    v = mhc_header_get(r, "X-ExpirationInfo");
    CHECKF(header_long(v) >= 0,
           "%s: R167: X-ExpirationInfo '%s' is not a number of ms", what,
           v ? v : "(none)");
    v = mhc_header_get(r, "Content-Type");
    if (r->response_code == 0)
        CHECKF(v && strncasecmp(v, "application/mapi-http", 21) == 0,
               "%s: R2037: Content-Type '%s' with X-ResponseCode 0", what,
               v ? v : "(none)");
    else
        CHECKF(v && strncasecmp(v, "text/html", 9) == 0,
               "%s: R2038: Content-Type '%s' with X-ResponseCode %d", what,
               v ? v : "(none)", r->response_code);
    CHECKF(mhc_header_get(r, "X-DeviceInfo") == NULL,
           "%s: R2050: the server sent X-DeviceInfo", what);
}

void check_failure(const char *what, const mhc_client *c,
                   const mhc_response *r, const char *request_type,
                   unsigned omitted, int code)
{
    const char *body = (const char *)r->raw;

    CHECKF(r->curl_code == 0, "%s: transport failure: %s", what, r->error);
    CHECKF(r->response_code == code,
           "%s: X-ResponseCode %d, expected %d (R%s)", what,
           r->response_code, code,
           code == 2 ? "138" : code == 3 ? "139" : code == 4 ? "140" :
           code == 5 ? "141" : code == 6 ? "142" : code == 7 ? "143" :
           code == 9 ? "145" : code == 10 ? "146" : code == 12 ? "148" :
           code == 13 ? "149" : code == 15 ? "151" : "54");
    check_common_headers(what, c, r, request_type, omitted);
    CHECKF(r->raw_len > 0, "%s: R56: empty body with X-ResponseCode %d",
           what, code);
    CHECKF(r->raw_len < 4096, "%s: R56: a %zu-byte diagnostic body", what,
           r->raw_len);
    /* No identity in it: neither the principal, its mailbox address nor
     * the user's display name. */
    if (body && c->user) {
        char local[128], smtp[160];
        const char *at = strchr(c->user, '@');
        size_t n = at ? (size_t)(at - c->user) : strlen(c->user);
        snprintf(local, sizeof(local), "%.*s", (int)n, c->user);
        snprintf(smtp, sizeof(smtp), "%s@mapi.test", local);
        CHECKF(strcasestr(body, c->user) == NULL &&
               strcasestr(body, smtp) == NULL &&
               strcasestr(body, strcmp(local, "demo") == 0 ? "Demo User"
                                                           : "Other User")
               == NULL,
               "%s: the failure body names the user (%s): %.300s", what,
               c->user, body);
    }
}

void check_success_stream(const char *what, const mhc_response *r)
{
    const char *te = mhc_header_get(r, "Transfer-Encoding");
    const char *v;
    long elapsed;
    time_t start;

    CHECKF(r->framed, "%s: R2037: reply not application/mapi-http", what);
    CHECKF(te && strcasecmp(te, "chunked") == 0,
           "%s: R1300/R76/R1173: Transfer-Encoding '%s', expected chunked",
           what, te ? te : "(none)");
    CHECKF(mhc_header_get(r, "Content-Length") == NULL,
           "%s: R62: Content-Length on a chunked reply", what);
    CHECKF(!r->frame_error, "%s: R1130: a line that is no meta-tag, or not "
                            "CRLF-ended, before DONE", what);
    CHECKF(r->n_tags >= 2 && strcmp(r->tags[0].name, "PROCESSING") == 0,
           "%s: R1238/R1131: first meta-tag '%s', expected PROCESSING", what,
           r->n_tags ? r->tags[0].name : "(none)");
    CHECKF(r->n_tags >= 2 &&
           strcmp(r->tags[r->n_tags - 1].name, "DONE") == 0,
           "%s: R1244: last meta-tag '%s', expected DONE", what,
           r->n_tags ? r->tags[r->n_tags - 1].name : "(none)");
    for (size_t i = 1; i + 1 < r->n_tags; i++)
        CHECKF(strcmp(r->tags[i].name, "PENDING") == 0,
               "%s: R1135: meta-tag %zu is '%s' between PROCESSING and DONE",
               what, i, r->tags[i].name);
    CHECKF(r->complete, "%s: R2231: no blank line after the additional "
                        "headers", what);
    v = mhc_trailer_get(r, "X-ResponseCode");
    CHECKF(v && strcmp(v, "0") == 0,
           "%s: R2226: X-ResponseCode after DONE '%s', expected 0", what,
           v ? v : "(none)");
    v = mhc_trailer_get(r, "X-ElapsedTime");
    elapsed = header_long(v);
    CHECKF(elapsed >= 0, "%s: R169/R168: X-ElapsedTime '%s' after DONE is "
                         "not a number", what, v ? v : "(none)");
    /* Milliseconds: never more than the client saw, plus clock slack. */
    CHECKF(elapsed <= (long)r->total_ms + 1000,
           "%s: R168: X-ElapsedTime %ld ms but the request took %.0f ms",
           what, elapsed, r->total_ms);
    v = mhc_trailer_get(r, "X-StartTime");
    start = v ? curl_getdate(v, NULL) : (time_t)-1;
    CHECKF(start != (time_t)-1,
           "%s: R171/R170: X-StartTime '%s' after DONE is not an HTTP date",
           what, v ? v : "(none)");
    if (start != (time_t)-1) {
        long skew = (long)(time(NULL) - start);
        CHECKF(skew >= -5 && skew <= 5 + (long)(r->total_ms / 1000),
               "%s: R170: X-StartTime '%s' is %ld s away from now", what, v,
               skew);
    }
}
