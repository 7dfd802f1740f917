/*
 * checks.h: protocol checks several integration programs share.  Each
 * records CUnit assertions whose messages name the requirement
 * ([MS-OXCMAPIHTTP] Rnnn) and the value seen; `what` prefixes them to tell
 * the calls apart.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CHECKS_H
#define CHECKS_H

#include "harness.h"

/* Headers every reply carries ([MS-OXCMAPIHTTP] 2.2.2.2, 2.2.3.3):
 * HTTP 200 (R47, R48), X-RequestType echoed (R44), X-RequestId echoed
 * (R2040), X-ClientInfo echoed when c sent one (R156), X-ResponseCode
 * numeric (R132), X-ServerApplication "Exchange/15.xx.xxxx.xxx" (R164,
 * R165), X-PendingPeriod (R1242) and X-ExpirationInfo (R167) in ms,
 * Content-Type by outcome (R2037, R2038). */
/* omitted: the MHC_OMIT_* flags the request was sent with (a header not
 * sent is not expected back); request_type NULL: none sent. */
void check_common_headers(const char *what, const mhc_client *c,
                          const mhc_response *r, const char *request_type,
                          unsigned omitted);

/* A protocol failure: HTTP 200 (R47, R49), X-ResponseCode == code (R54),
 * text/html (R2038), a diagnostic body (R56) that names no identity. */
void check_failure(const char *what, const mhc_client *c,
                   const mhc_response *r, const char *request_type,
                   unsigned omitted, int code);

/* A success reply's stream: chunked (R1300, R76), PROCESSING first (R1238,
 * R1131), only PENDING between (R1135), DONE last (R1244), then
 * X-ResponseCode 0 (R2226), X-ElapsedTime in ms (R168, R169), X-StartTime
 * (R170, R171), a blank line and the body (R2231). */
void check_success_stream(const char *what, const mhc_response *r);

/* The value of a cookie as a 32-hex-digit string, else 0. */
int is_hex32(const char *s);

/* Parses a decimal header value; -1 when absent or not a number. */
long header_long(const char *v);

/* u32 at b[off], little-endian. */
uint32_t le32(const uint8_t *b);
uint16_t le16(const uint8_t *b);

#endif
