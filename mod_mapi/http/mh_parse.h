/*
 * mh_parse.h: the bytes of a MAPI over HTTP request that the transport
 * reads, parsed without httpd: cookies, the endpoint of the path, the
 * Content-Type and Content-Length headers, ?MailboxId=, the version of
 * X-ClientApplication, and the request bodies of the mailbox endpoint
 * ([MS-OXCMAPIHTTP] 2.2.4).  mh_transport.c, mh_policy.c and mh_emsmdb.c
 * call these with what httpd hands them; the core archive carries them so
 * that tests/fuzz/fuzz_http.c and fuzz_emsmdb.c reach the same code.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_MH_PARSE_H
#define MAPI_MH_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "configdb/cfg_db.h"
#include "session/sess_context.h"
#include "wire/mapi_rd.h"

#define MH_CONTENT_TYPE          "application/mapi-http"

/* The value of cookie name in one Cookie header value ("a=b; c=d"),
 * unquoted, copied into p; NULL when that header does not carry it. */
const char *mh_cookie_find(apr_pool_t *p, const char *header,
                           const char *name);

/* The endpoint a path ends in (.../emsmdb or .../nspi, slash optional);
 * 0 for anything else.  *base_len_r: the length of the path without the
 * trailing slash (the cookies' Path= is that prefix plus "/"). */
sess_endpoint mh_parse_endpoint(const char *uri, size_t *base_len_r);

/* Whether a Content-Type header is application/mapi-http (parameters
 * allowed). */
int mh_is_mapi_content_type(const char *ct);

/* A Content-Length header: 0 with *n_r, -1 when not a decimal length. */
int mh_parse_content_length(const char *cl, apr_off_t *n_r);

/* The value of the MailboxId query parameter (name case-insensitive,
 * %-decoded as httpd's ap_unescape_url does); NULL when absent or empty,
 * "" when it does not decode (nobody's mailbox). */
const char *mh_query_mailbox_id(apr_pool_t *p, const char *args);

/* Whether id names mbx: "<mailbox guid>@<organisation domain>" (braces
 * around the GUID tolerated) or one of the mailbox's SMTP addresses. */
int mh_mailbox_id_is(apr_pool_t *p, const char *id, const cfg_org *org,
                     const cfg_mailbox *mbx);

/* "Outlook/16.0.5095.1000 ..." -> "16.0.5095.1000"; NULL without one. */
const char *mh_client_version(apr_pool_t *p, const char *app);

/* AuxiliaryBufferSize + AuxiliaryBuffer, which end every request body;
 * -1 when malformed or followed by anything. */
int mh_read_aux_tail(mapi_rd *rd);

/* Request bodies of the mailbox endpoint; 0, or -1 when malformed. */
typedef struct mh_connect_req {
    const char *user_dn;
    uint32_t flags, codepage, lcid_sort, lcid_string;
} mh_connect_req;
int mh_parse_connect(const uint8_t *body, size_t len, apr_pool_t *p,
                     mh_connect_req *req);

typedef struct mh_execute_req {
    uint32_t flags;
    const uint8_t *rop_buffer;   /* a view into the body */
    uint32_t rop_buffer_size;
    uint32_t max_rop_out;
} mh_execute_req;
int mh_parse_execute(const uint8_t *body, size_t len, mh_execute_req *req);

/* Disconnect: the auxiliary buffer only. */
int mh_parse_disconnect(const uint8_t *body, size_t len);
/* NotificationWait: Flags (reserved, ignored: R1368) and the auxiliary
 * buffer. */
int mh_parse_notification_wait(const uint8_t *body, size_t len);

#endif
