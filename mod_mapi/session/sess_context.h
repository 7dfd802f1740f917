/*
 * sess_context.h: MAPI over HTTP session contexts ([MS-OXCMAPIHTTP] 3.1.5,
 * 3.2.5).  A context is a record in the shared Berkeley DB environment,
 * never process memory: any httpd child serves any request of any session,
 * and a graceful restart or a crashed child loses none.
 *
 * A context is created by Connect (mailbox endpoint) or Bind (address book
 * endpoint), identified by a 128-bit id from the OpenSSL CSPRNG (the
 * context cookie), and carries a 128-bit sequence value (the sequence
 * cookie) that rotates on every sequenced request.  It is bound to the
 * authenticated identity and to its endpoint.  At most one request runs in
 * it at a time (NotificationWait and PING excepted); the record says which
 * process runs it, so that a child killed mid-request does not leave the
 * context busy forever.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_SESS_CONTEXT_H
#define MAPI_SESS_CONTEXT_H

#include <stdint.h>
#include <apr_pools.h>
#include <apr_time.h>
#include "db/mapi_db.h"

#define SESS_ID_LEN        16
#define SESS_ID_HEX_LEN    (2 * SESS_ID_LEN)
#define SESS_STR_MAX       2048     /* any string kept in a record */
/* A request that has run this long is presumed lost (its process hung or
 * was replaced) and no longer blocks its context. */
#define SESS_BUSY_MAX      apr_time_from_sec(15 * 60)

typedef enum sess_endpoint {
    SESS_EP_EMSMDB = 1,          /* /mapi/emsmdb/ */
    SESS_EP_NSPI = 2             /* /mapi/nspi/ */
} sess_endpoint;

typedef enum sess_status {
    SESS_OK = 0,
    SESS_NOT_FOUND,              /* no such context: X-ResponseCode 10 */
    SESS_EXPIRED,                /* idle too long, now deleted: 10 */
    SESS_FOREIGN,                /* other identity or endpoint: 10 */
    SESS_BAD_SEQUENCE,           /* stale or missing sequence: 15 */
    SESS_BUSY,                   /* another request is running: 15 */
    SESS_DB_ERROR,               /* database failure: 1 */
    SESS_LIMIT_USER,             /* the identity holds its maximum */
    SESS_LIMIT_TOTAL             /* the server holds its maximum */
} sess_status;

const char *sess_status_str(sess_status st);

typedef struct sess_context {
    uint8_t id[SESS_ID_LEN];
    uint8_t seq[SESS_ID_LEN];
    sess_endpoint endpoint;
    apr_time_t created;
    apr_time_t last_seen;        /* end of the last request */
    uint32_t idle_timeout;       /* seconds, fixed at creation */
    uint32_t busy_pid;           /* process running a request, or 0 */
    apr_time_t busy_since;
    int busy_owned;              /* not stored: this request set busy */
    uint64_t requests;           /* requests served in this context */
    uint32_t codepage, lcid_sort, lcid_string;   /* from Connect */
    const char *identity;        /* authenticated user (r->user) */
    const char *auth_type;       /* Negotiate, Basic, ... */
    const char *mailbox;         /* mailbox key (primary SMTP address) */
    const char *user_dn;         /* UserDN of Connect */
    const char *client_app;      /* X-ClientApplication at creation */
    const char *client_ip;
} sess_context;

/* Flags of sess_begin. */
#define SESS_EXCLUSIVE  0x01     /* one-at-a-time request: mark busy */
#define SESS_ROTATE     0x02     /* issue a new sequence value */
#define SESS_CHECK_SEQ  0x04     /* the sequence value must match */

typedef struct sess_check {
    const uint8_t *id;
    sess_endpoint endpoint;
    const char *identity;
    const uint8_t *seq;          /* client's sequence value, NULL if none */
    unsigned flags;
    apr_time_t now;
} sess_check;

/* Hex codec of ids and sequence values: exactly 32 hex digits. */
int sess_id_parse(const char *hex, uint8_t id_r[SESS_ID_LEN]);
const char *sess_id_hex(apr_pool_t *pool, const uint8_t id[SESS_ID_LEN]);
int sess_random(uint8_t out[SESS_ID_LEN]);

/* Stores a new context.  The caller fills everything but id, seq, created,
 * last_seen and busy; replace_id (may be NULL) names an older context of
 * the same identity and endpoint to destroy in the same transaction
 * (reconnect, [MS-OXCMAPIHTTP] R1277). */
sess_status sess_create(mapi_db *db, apr_pool_t *pool, sess_context *ctx,
                        const uint8_t *replace_id, const char **error_r);

/* sess_create, refused (SESS_LIMIT_USER, SESS_LIMIT_TOTAL, nothing
 * changed) when the identity already holds max_user live contexts (both
 * endpoints) or the environment max_total; 0 means no limit.  The count
 * runs in the creating transaction, so concurrent Connects in any
 * processes never pass a limit together; an expired context does not
 * count, and the one replaced is gone before counting. */
sess_status sess_create_limited(mapi_db *db, apr_pool_t *pool,
                                sess_context *ctx, const uint8_t *replace_id,
                                unsigned max_user, unsigned max_total,
                                const char **error_r);

/* Loads a context for a request and validates it: it exists, has not idled
 * out (an expired one is deleted), belongs to the identity and endpoint,
 * and, per flags, has the right sequence value, is not busy (then marks it
 * busy for this process) and gets a new sequence value.  All in one
 * transaction. */
sess_status sess_begin(mapi_db *db, apr_pool_t *pool, const sess_check *chk,
                       sess_context **ctx_r, const char **error_r);

/* Ends a request begun with SESS_EXCLUSIVE (clears busy if this process
 * still owns it) or refreshes the idle timer of any request. */
sess_status sess_end(mapi_db *db, apr_pool_t *pool, sess_context *ctx,
                     apr_time_t now, const char **error_r);

/* Deletes a context and its pending events.  NOT_FOUND if already gone. */
sess_status sess_destroy(mapi_db *db, apr_pool_t *pool,
                         const uint8_t id[SESS_ID_LEN], const char **error_r);

/* Milliseconds until the context expires if nothing else happens. */
apr_int64_t sess_expiration_ms(const sess_context *ctx, apr_time_t now);

/* Deletes every context idle past its timeout; *n_r counts them. */
int sess_sweep(mapi_db *db, apr_pool_t *pool, apr_time_t now, unsigned *n_r,
               const char **error_r);

/* Record codec, exposed for tests and fuzzing. */
int sess_encode(const sess_context *ctx, uint8_t *buf, size_t cap,
                size_t *len_r);
int sess_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                sess_context *ctx);

/* Every live (not expired) context, (sess_context *) in pool, for
 * Get-MapiSession and server-status.  0, or -1 with *error_r. */
#include <apr_tables.h>
int sess_list(mapi_db *db, apr_pool_t *pool, apr_time_t now,
              apr_array_header_t **list_r, const char **error_r);
/* How many NotificationWaits are registered (held open) right now. */
int sess_count_waits(mapi_db *db, apr_pool_t *pool, unsigned *n_r,
                     const char **error_r);

#endif
