/*
 * mh_http.h: the MAPI over HTTP transport ([MS-OXCMAPIHTTP] 2.2): request
 * types, headers, X-ResponseCode, the PROCESSING/PENDING/DONE framing and
 * the cookies that carry session contexts.
 *
 * A request goes through mh_handle (mh_transport.c): endpoint, verb,
 * identity, headers, body and cookies are checked, the session context is
 * loaded, and the request type's handler (mh_emsmdb.c, mh_nspi.c) runs.
 * Until a handler starts the response stream, any failure is answered as a
 * plain text/html reply with its X-ResponseCode; once streaming, the code
 * after DONE is authoritative.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_MH_HTTP_H
#define MAPI_MH_HTTP_H

#include "httpd.h"
#include "http_config.h"
#include "util_filter.h"
#include "db/mapi_db.h"
#include "session/sess_context.h"
#include "configdb/cfg_db.h"
#include "wire/mapi_rd.h"
#include "mh_parse.h"

/* X-ResponseCode values, numbered exactly as [MS-OXCMAPIHTTP] 2.2.3.3.3. */
typedef enum mh_code {
    MH_SUCCESS = 0,
    MH_UNKNOWN_FAILURE = 1,
    MH_INVALID_VERB = 2,
    MH_INVALID_PATH = 3,
    MH_INVALID_HEADER = 4,
    MH_INVALID_REQUEST_TYPE = 5,
    MH_INVALID_CONTEXT_COOKIE = 6,
    MH_MISSING_HEADER = 7,
    MH_ANONYMOUS_NOT_ALLOWED = 8,
    MH_TOO_LARGE = 9,
    MH_CONTEXT_NOT_FOUND = 10,
    MH_NO_PRIVILEGE = 11,
    MH_INVALID_REQUEST_BODY = 12,
    MH_MISSING_COOKIE = 13,
    MH_RESERVED = 14,
    MH_INVALID_SEQUENCE = 15,
    MH_ENDPOINT_DISABLED = 16,
    MH_INVALID_RESPONSE = 17,
    MH_ENDPOINT_SHUTTING_DOWN = 18,
    MH_CODE_MAX = 18,
    /* Not wire values: handler outcomes. */
    MH_DONE = 1000,          /* the handler answered completely */
    MH_SUSPENDED = 1001,     /* the handler suspended the request */
    MH_LIMIT = 1002          /* mh_context_open: a session limit refused
                                it (logged); the endpoint answers */
} mh_code;


/* Server configuration (directives in mod_mapi.c). */
typedef struct mh_server_conf {
    const char *data_dir;        /* MapiDataDir */
    const char *log_dir;         /* MapiLogDir */
    apr_off_t log_max_file;      /* MapiLogMaxFileSize, bytes */
    apr_interval_time_t log_max_age;  /* MapiLogMaxAge */
    apr_off_t log_max_dir;       /* MapiLogMaxDirectorySize, bytes */
                                 /* (-1: unset, the default applies) */
    int idle_timeout;            /* MapiSessionIdleTimeout, seconds */
    int pending_period;          /* MapiPendingPeriod, milliseconds */
    int max_wait;                /* MapiMaxNotificationWait, seconds */
    apr_off_t max_body;          /* MapiMaxRequestBody, bytes */
    /* Abuse limits (issue 8; conf.d/mapi.conf documents each): */
    int max_decompressed;        /* MapiMaxDecompressedSize, bytes */
    int max_rops;                /* MapiMaxRopsPerRequest */
    int max_objects;             /* MapiMaxObjectsPerSession */
    int max_sessions_user;       /* MapiMaxSessionsPerUser */
    int max_sessions;            /* MapiMaxSessions */
    int max_res_depth;           /* MapiMaxRestrictionDepth */
    int max_nspi_rows;           /* MapiMaxNspiRows */
    int max_waits_user;          /* MapiMaxNotificationWaitsPerUser */
    int require_tls;             /* MapiRequireTLS (1: plain HTTP gets 403) */
    /* Which virtual directory this (virtual) host serves: the key of its
     * record "Server\mapi (WebSite)" (mh_vdir.c). */
    const char *server_name;     /* MapiServerName, default: short host name */
    const char *website;         /* MapiWebSite */
    /* How RopSubmitMessage hands mail to the MTA (submit.h). */
    struct submit_cfg *submit;   /* MapiSendmailCommand, MapiSendmailTimeout */
} mh_server_conf;

#define MH_DEFAULT_DATA_DIR      "/var/lib/mapi"
#define MH_DEFAULT_LOG_DIR       "/var/log/apache2/mapi"
#define MH_DEFAULT_IDLE_TIMEOUT  900
#define MH_DEFAULT_PENDING       15000
#define MH_DEFAULT_MAX_WAIT      300
#define MH_DEFAULT_MAX_BODY      (4 * 1024 * 1024)
#define MH_DEFAULT_WEBSITE       "Default Web Site"
#define MH_DEFAULT_MAX_DECOMPRESSED  (1024 * 1024)
#define MH_DEFAULT_MAX_ROPS          512
#define MH_DEFAULT_MAX_OBJECTS       4096   /* = SESS_OBJ_MAX, the ceiling */
#define MH_DEFAULT_MAX_SESSIONS_USER 32     /* Exchange's per-user default */
#define MH_DEFAULT_MAX_SESSIONS      10000  /* what the environment is sized for */
#define MH_DEFAULT_MAX_RES_DEPTH     32
#define MH_DEFAULT_MAX_NSPI_ROWS     4096   /* = NSPI_MAX_ROWS, the ceiling */
#define MH_DEFAULT_MAX_WAITS_USER    16

/* What X-ServerApplication says: the Exchange version whose behaviour the
 * server follows ([MS-OXCMAPIHTTP] R165 fixes the format). */
#define MH_SERVER_APPLICATION    "Exchange/15.02.1544.004"

#define MH_COOKIE_CONTEXT        "MapiContext"
#define MH_COOKIE_SEQUENCE       "MapiSequence"

typedef struct mh_request mh_request;
typedef int (*mh_handler_fn)(mh_request *mr);

/* Request type flags. */
#define MH_RT_CREATES     0x01   /* Connect, Bind: creates a context */
#define MH_RT_CONTEXT     0x02   /* needs an existing context */
#define MH_RT_EXCLUSIVE   0x04   /* one at a time in its context */
#define MH_RT_SEQUENCED   0x08   /* checks and rotates the sequence cookie */
#define MH_RT_NO_BODY     0x10   /* PING: no request body expected */
#define MH_RT_ENDS        0x20   /* Disconnect, Unbind: ends the context */

typedef struct mh_reqtype {
    const char *name;            /* as [MS-OXCMAPIHTTP] 2.2.3.3.1 spells it */
    unsigned flags;
    mh_handler_fn handler;
    const char *arg;             /* the handler's own datum, or NULL */
} mh_reqtype;

/* Per-request state. */
struct mh_request {
    request_rec *r;
    const mh_server_conf *conf;
    mapi_db *db;
    sess_endpoint endpoint;
    const mh_reqtype *type;
    const char *request_type;    /* X-RequestType as sent */
    const char *request_id;      /* X-RequestId */
    const char *client_info;     /* X-ClientInfo */
    const char *client_app;      /* X-ClientApplication */
    const char *cookie_path;     /* Path= of our cookies */
    apr_time_t start;
    const uint8_t *body;
    apr_size_t body_len;
    int has_ctx_cookie, has_seq_cookie;
    const char *ctx_cookie, *seq_cookie;   /* raw values */
    uint8_t ctx_id[SESS_ID_LEN], seq[SESS_ID_LEN];
    sess_context *sess;          /* loaded or created context */
    int send_seq_cookie;         /* include MapiSequence in Set-Cookie */
    int streaming;               /* headers and PROCESSING are out */
    apr_time_t last_tag;         /* when the last meta-tag was flushed */
    int response_code;           /* final X-ResponseCode */
    const char *detail;          /* diagnostic for logs, never identity */
    const uint8_t *rop_ids;      /* ROPs of an Execute, for the log */
    unsigned n_rop_ids;
    /* For the protocol log: */
    int has_status_code;         /* a response body went out */
    uint32_t status_code;        /* its StatusCode (first 4 bytes) */
    apr_size_t bytes_out;        /* bytes of the reply's body (framing
                                    included) */
    /* The caller's organisation and mailbox (mh_policy.c), looked up once
     * per request; NULL when the identity has no mailbox. */
    cfg_org *org;
    cfg_mailbox *mbx;
    int verdict;                 /* mh_verdict of the policy check */
};

/* Endpoint tables (mh_emsmdb.c, mh_nspi.c), terminated by name NULL. */
extern const mh_reqtype mh_emsmdb_types[];
extern const mh_reqtype mh_nspi_types[];

/* mh_transport.c */
int mh_handle(request_rec *r, const mh_server_conf *conf, mapi_db *db);
/* Whether httpd is stopping this process (graceful or not). */
int mh_process_stopping(void);

/* mh_response.c: a failure before streaming (text/html, Content-Length). */
int mh_respond_error(mh_request *mr, int code, int http_status,
                     const char *detail);
/* Sends the common headers and flushes PROCESSING (chunked). */
apr_status_t mh_stream_begin(mh_request *mr);
/* Flushes PENDING if the pending period has passed since the last
 * meta-tag; handlers call it between units of work. */
apr_status_t mh_stream_keepalive(mh_request *mr);
apr_status_t mh_stream_pending(mh_request *mr);
/* DONE, X-ResponseCode, X-ElapsedTime, X-StartTime, blank line, body. */
apr_status_t mh_stream_finish(mh_request *mr, int code, const void *body,
                              apr_size_t len);
/* A complete short success reply: begin + finish in one. */
int mh_respond_body(mh_request *mr, const void *body, apr_size_t len);

/* mh_context.c: what both endpoints do with contexts. */
/* mh_read_aux_tail (the auxiliary buffer every body ends with) is in
 * mh_parse.h. */
/* The organisation and the caller's mailbox (as mh_policy_check found
 * them): 0, or 1 when the identity has no mailbox (detail set). */
int mh_context_mailbox(mh_request *mr, cfg_org **org_r, cfg_mailbox **mbx_r);
/* Creates the request's context for mbx (ctx carries the endpoint's own
 * fields); replaces the one old cookies name.  MH_SUCCESS, MH_LIMIT when
 * MapiMaxSessionsPerUser or MapiMaxSessions refused it, or a code. */
int mh_context_open(mh_request *mr, const cfg_mailbox *mbx,
                    sess_context *ctx);
/* Destroys the request's context (Disconnect, Unbind). */
int mh_context_close(mh_request *mr);
/* The PING request type of both endpoints. */
int mh_context_ping(mh_request *mr);

/* mh_vdir.c: the virtual directory a request reaches and the
 * authentication methods it allows (IISAuthenticationMethods).  Hook
 * bodies, registered by mod_mapi.c: */
/* header_parser: finds the vdir of the host's MapiServerName and
 * MapiWebSite for requests to the mapi and mapi-autodiscover handlers;
 * 404 for /mapi/ without one, 401 for credentials of a method it does not
 * allow (before they are checked). */
int mh_vdir_header_parser(request_rec *r, const mh_server_conf *conf,
                          mapi_db *db);
/* fixups: 401 when the method that authenticated is not allowed. */
int mh_vdir_fixups(request_rec *r);
/* insert_error_filter: a 401 of /mapi/ offers only the allowed methods. */
void mh_vdir_insert_error(request_rec *r);
/* The vdir found for r by mh_vdir_header_parser, or NULL. */
const cfg_vdir *mh_vdir_of(request_rec *r);

/* mh_limits.c: one error-log line (numbered id, the limit's directive,
 * its value, the authenticated user, what was asked) when a request hits
 * an abuse limit.  Never a cookie, password or path. */
void mh_limit_hit(mh_request *mr, const char *directive, long limit,
                  const char *what);
/* Whether the request came over TLS (mod_ssl). */
int mh_is_tls(request_rec *r);

/* mh_policy.c: whether the caller's mailbox may use MAPI over HTTP. */
typedef enum mh_verdict {
    MH_ALLOW = 0,
    MH_DENY_MAPI,           /* MAPIEnabled $false */
    MH_DENY_MAPI_HTTP,      /* effective MapiHttpEnabled $false */
    MH_DENY_VERSION,        /* X-ClientApplication in MAPIBlockOutlookVersions */
    MH_DENY_FOREIGN_MAILBOX /* ?MailboxId= names another mailbox */
} mh_verdict;
/* Looks up mr->org and mr->mbx and decides mr->verdict; answers the
 * refusals that are transport-level (X-ResponseCode 11, 16) itself and
 * returns MH_DONE then; OK otherwise (Connect and Bind answer
 * MH_DENY_MAPI and MH_DENY_VERSION in their bodies). */
int mh_policy_check(mh_request *mr);

/* mh_cookie.c */
/* Finds cookie name in the request's Cookie headers; NULL if absent. */
const char *mh_cookie_get(request_rec *r, const char *name);

/* mh_wait.c: NotificationWait without a worker thread. */
typedef struct mh_waiter mh_waiter;
int mh_waiter_start(apr_pool_t *pchild, server_rec *s, mapi_db *db,
                    const mh_server_conf *conf, mh_waiter **w_r);
/* Suspends mr (headers and PROCESSING already sent) until an event is
 * pending for its session or max_wait passes.  Returns MH_SUSPENDED, or a
 * completed MH_DONE when the wait could not be parked. */
int mh_waiter_park(mh_waiter *w, mh_request *mr);
mh_waiter *mh_waiter_get(void);

#endif
