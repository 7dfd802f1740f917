/*
 * mh_client.h: a small MAPI over HTTP client ([MS-OXCMAPIHTTP]) for the
 * integration tests, the ROP test client and the load generator.
 *
 * A client (mhc_client) holds one server's base URL, the credentials
 * (Basic, Negotiate or none), a cookie jar per endpoint and one libcurl
 * handle (so successive requests reuse the TLS connection unless
 * fresh_connections is set).  mhc_request() sends one request and fills an
 * mhc_response: HTTP status, headers, raw body and the parsed framing
 * (meta-tags in order with their arrival times, the additional headers
 * after DONE, the binary response body).  Every Set-Cookie of a reply
 * updates the jar of the endpoint its Path names.
 *
 * The builders and parsers of the request and response bodies use the
 * project's own reader/writer and RPC_HEADER_EXT codec (libmapicore.a):
 * mapi_rd.h, rpcext.h, lz77.h.
 *
 * Threads: a client is used by one thread at a time; mhc_client_clone()
 * gives another thread its own copy (same settings and cookies, its own
 * connection).  Call mhc_global_init() once before any thread starts.
 *
 * Memory: a response owns an APR pool (resp->pool); the parsers allocate
 * from the pool they are given, usually resp->pool, so parsed values live
 * until mhc_response_free().
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MH_CLIENT_H
#define MH_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "wire/rpcext.h"

/* ------------------------------------------------------------ basics -- */

typedef enum mhc_endpoint {
    MHC_EMSMDB = 0,          /* /mapi/emsmdb/: mailbox server endpoint */
    MHC_NSPI = 1,            /* /mapi/nspi/: address book server endpoint */
    MHC_ENDPOINTS
} mhc_endpoint;

/* The endpoint's path on the server ("/mapi/emsmdb/"). */
const char *mhc_endpoint_path(mhc_endpoint ep);

typedef enum mhc_auth {
    MHC_AUTH_NONE = 0,       /* anonymous */
    MHC_AUTH_BASIC,          /* user + password, sent at once */
    MHC_AUTH_NEGOTIATE       /* SPNEGO/Kerberos from the ticket cache that
                                KRB5CCNAME names */
} mhc_auth;

/* X-ResponseCode values ([MS-OXCMAPIHTTP] 2.2.3.3.3). */
enum {
    MHC_RC_SUCCESS = 0, MHC_RC_UNKNOWN_FAILURE = 1, MHC_RC_INVALID_VERB = 2,
    MHC_RC_INVALID_PATH = 3, MHC_RC_INVALID_HEADER = 4,
    MHC_RC_INVALID_REQUEST_TYPE = 5, MHC_RC_INVALID_CONTEXT_COOKIE = 6,
    MHC_RC_MISSING_HEADER = 7, MHC_RC_ANONYMOUS_NOT_ALLOWED = 8,
    MHC_RC_TOO_LARGE = 9, MHC_RC_CONTEXT_NOT_FOUND = 10,
    MHC_RC_NO_PRIVILEGE = 11, MHC_RC_INVALID_REQUEST_BODY = 12,
    MHC_RC_MISSING_COOKIE = 13, MHC_RC_INVALID_SEQUENCE = 15,
    MHC_RC_ENDPOINT_DISABLED = 16, MHC_RC_INVALID_RESPONSE = 17,
    MHC_RC_ENDPOINT_SHUTTING_DOWN = 18
};

/* Cookie names the server uses (the protocol leaves them to the server;
 * the jar itself is name-agnostic). */
#define MHC_COOKIE_CONTEXT   "MapiContext"
#define MHC_COOKIE_SEQUENCE  "MapiSequence"

/* Once per process, before any thread: libcurl and APR. */
int mhc_global_init(void);

/* Monotonic clock, milliseconds. */
double mhc_now_ms(void);

/* ------------------------------------------------------------ client -- */

#define MHC_MAX_COOKIES 8

typedef struct mhc_cookie {
    char name[64];
    char value[256];
} mhc_cookie;

typedef struct mhc_jar {
    mhc_cookie c[MHC_MAX_COOKIES];   /* in the order first set */
    int n;
} mhc_jar;

typedef struct mhc_client {
    char *base_url;              /* "https://127.0.0.1:8443", no slash */
    mhc_auth auth;
    char *user, *password;       /* Basic */
    char *ca_file;               /* PEM to verify the server; NULL: no
                                    verification */
    char *mailbox_id;            /* ?MailboxId= on every URL when set */
    char request_guid[40];       /* GUID part of X-RequestId */
    unsigned long request_counter;   /* counter part, rises per request */
    char last_request_id[64];    /* X-RequestId of the last request sent */
    char client_info[64];        /* X-ClientInfo */
    char client_app[64];         /* X-ClientApplication */
    mhc_jar jar[MHC_ENDPOINTS];
    long timeout_ms;             /* whole request; default 30000 */
    int fresh_connections;       /* a new connection for every request */
    int verbose;                 /* libcurl's trace to stderr */
    void *curl;                  /* CURL *, created on first use */
} mhc_client;

/* user/password: Basic credentials (ignored for NONE and NEGOTIATE). */
mhc_client *mhc_client_new(const char *base_url, mhc_auth auth,
                           const char *user, const char *password,
                           const char *ca_file);
/* Same settings and cookies, a new X-RequestId GUID, its own connection. */
mhc_client *mhc_client_clone(const mhc_client *c);
void mhc_client_free(mhc_client **c);

/* Cookie jar.  get: NULL when absent.  set: value NULL deletes. */
const char *mhc_cookie_get(const mhc_client *c, mhc_endpoint ep,
                           const char *name);
void mhc_cookie_set(mhc_client *c, mhc_endpoint ep, const char *name,
                    const char *value);
void mhc_cookies_clear(mhc_client *c, mhc_endpoint ep);
/* "name=value; name2=value2" as the next request would send it ("" when
 * empty); into buf of size cap, truncated. */
const char *mhc_cookie_header(const mhc_client *c, mhc_endpoint ep,
                              char *buf, size_t cap);

/* ---------------------------------------------------------- requests -- */

typedef struct mhc_header {
    char *name;
    char *value;
} mhc_header;

/* One meta-tag line of the response stream and when it arrived
 * (milliseconds after the request started). */
typedef struct mhc_tag {
    char name[24];               /* "PROCESSING", "PENDING", "DONE", or the
                                    start of an unexpected line */
    double at_ms;
} mhc_tag;

typedef struct mhc_response {
    apr_pool_t *pool;            /* everything below, and parser output */
    int curl_code;               /* CURLcode: 0 = a complete HTTP exchange */
    char error[256];             /* libcurl's message when curl_code != 0 */
    long http_status;            /* of the final response (after any 401
                                    round of Negotiate) */
    mhc_header *headers;         /* of the final response, in order */
    size_t n_headers;
    uint8_t *raw;                /* entity body as received (de-chunked) */
    size_t raw_len;

    /* Framing ([MS-OXCMAPIHTTP] 2.2.2.2, 2.2.7): parsed when the reply's
     * Content-Type is application/mapi-http. */
    int framed;
    int frame_error;             /* a line before DONE that is no meta-tag,
                                    or a line not ended by CRLF */
    int complete;                /* DONE, additional headers and the blank
                                    line were all seen */
    mhc_tag *tags;
    size_t n_tags;
    mhc_header *trailer;         /* additional headers after DONE */
    size_t n_trailer;
    const uint8_t *body;         /* binary response body (after the blank
                                    line); for unframed replies the raw body */
    size_t body_len;

    /* X-ResponseCode: the additional header after DONE when present (it
     * overrides), else the HTTP header; -1 when neither exists. */
    int response_code;
    double headers_ms;           /* when the response headers were in */
    double total_ms;             /* when the request ended */

    /* private: incremental framing state */
    size_t cap_, pos_, body_off_, tags_cap_;
    int state_;
    double t0_;
    void *opts_;
    void *easy_, *hl_;           /* CURL * and header list of begin..end */
    unsigned flags_;
} mhc_response;

typedef void (*mhc_tag_fn)(void *arg, const char *tag, double at_ms);

/* mhc_opts.flags */
#define MHC_OMIT_REQUEST_TYPE  0x0001   /* no X-RequestType */
#define MHC_OMIT_REQUEST_ID    0x0002   /* no X-RequestId */
#define MHC_OMIT_CONTENT_TYPE  0x0004   /* no Content-Type at all */
#define MHC_OMIT_CLIENT_INFO   0x0008   /* no X-ClientInfo */
#define MHC_OMIT_CLIENT_APP    0x0010   /* no X-ClientApplication */
#define MHC_OMIT_COOKIES       0x0020   /* no Cookie header */
#define MHC_NO_JAR_UPDATE      0x0040   /* leave the jar as it is */
#define MHC_CHUNKED_UPLOAD     0x0080   /* body with Transfer-Encoding:
                                           chunked, no Content-Length */
#define MHC_FRESH_CONNECTION   0x0100   /* new connection for this one */

typedef struct mhc_opts {
    unsigned flags;
    const char *verb;            /* NULL: POST */
    const char *path;            /* NULL: the endpoint's path */
    const char *content_type;    /* NULL: application/mapi-http */
    const char *cookie;          /* non-NULL: exactly this Cookie header
                                    instead of the jar's ("" sends none) */
    const char *const *headers;  /* extra "Name: value" lines, NULL-ended */
    long timeout_ms;             /* 0: the client's */
    mhc_tag_fn on_tag;           /* called as each meta-tag arrives */
    void *tag_arg;
} mhc_opts;

/* Sends one request to endpoint ep (or opts->path) and reads the whole
 * reply into resp (initialised here; free with mhc_response_free()).
 * Returns resp->response_code (>= -1) when an HTTP reply came, or -2 when
 * the exchange failed (connection, TLS, timeout: resp->curl_code). */
int mhc_request(mhc_client *c, mhc_endpoint ep, const char *request_type,
                const void *body, size_t len, const mhc_opts *opts,
                mhc_response *resp);
void mhc_response_free(mhc_response *resp);

/* mhc_request() in two halves, for many requests at once on a libcurl
 * multi handle (the load generator, tests/bench/): begin sets up easy
 * handle easy (a CURL *; options reset first, connection cache kept) and
 * initialises resp; the caller then performs it (curl_multi_add_handle,
 * may add options of its own) and calls end with the transfer's CURLcode,
 * which parses the framing, updates the jar, frees what begin held and
 * returns what mhc_request() returns.  body, opts and what opts points to
 * must outlive the request; resp must not move in between. */
int mhc_request_begin(mhc_client *c, void *easy, mhc_endpoint ep,
                      const char *request_type, const void *body, size_t len,
                      const mhc_opts *opts, mhc_response *resp);
int mhc_request_end(mhc_client *c, mhc_endpoint ep, mhc_response *resp,
                    int curl_code);

/* Headers, case-insensitive.  get: the first; nth: the idx-th (0-based)
 * of that name; NULL when absent. */
const char *mhc_header_get(const mhc_response *r, const char *name);
const char *mhc_header_nth(const mhc_response *r, const char *name,
                           size_t idx);
size_t mhc_header_count(const mhc_response *r, const char *name);
const char *mhc_trailer_get(const mhc_response *r, const char *name);
size_t mhc_tag_count(const mhc_response *r, const char *name);

/* One Set-Cookie value split up. */
typedef struct mhc_set_cookie {
    char name[64];
    char value[256];
    char path[128];              /* "" when absent */
    int secure, http_only;
    int max_age;                 /* -1 when absent */
} mhc_set_cookie;
int mhc_parse_set_cookie(const char *header, mhc_set_cookie *sc);
/* The Set-Cookie of the reply that sets cookie name, parsed; -1 if none. */
int mhc_find_set_cookie(const mhc_response *r, const char *name,
                        mhc_set_cookie *sc);

/* ------------------------------------------------ bodies: generic bits -- */

typedef struct mhc_buf {
    const uint8_t *data;
    size_t len;
} mhc_buf;

/* Parse results of every mhc_parse_* function: */
#define MHC_PARSE_SUCCESS   0    /* a success response body, exactly */
#define MHC_PARSE_FAILURE   1    /* a failure response body: StatusCode
                                    (non-zero), AuxiliaryBufferSize, aux */
#define MHC_PARSE_MALFORMED (-1) /* neither: short, trailing bytes, sizes
                                    that do not add up */

/* Failure response body of any request type ([MS-OXCMAPIHTTP] 2.2.4.x.3,
 * 2.2.5.x.3): StatusCode, AuxiliaryBufferSize, AuxiliaryBuffer. */
typedef struct mhc_failure_rsp {
    uint32_t status;
    uint32_t aux_size;
    const uint8_t *aux;
} mhc_failure_rsp;
int mhc_parse_failure(const uint8_t *b, size_t n, mhc_failure_rsp *r);

/* StatusCode, ErrorCode, AuxiliaryBufferSize, AuxiliaryBuffer: the success
 * reply of Disconnect and Unbind. */
typedef struct mhc_status_rsp {
    uint32_t status, error_code;
    uint32_t aux_size;
    const uint8_t *aux;
} mhc_status_rsp;
int mhc_parse_status(const uint8_t *b, size_t n, mhc_status_rsp *r);

/* ----------------------------------------------------- EMSMDB bodies -- */

/* Connect ([MS-OXCMAPIHTTP] 2.2.4.1) */
typedef struct mhc_connect_req {
    const char *user_dn;
    uint32_t flags, codepage, lcid_sort, lcid_string;
    const uint8_t *aux;
    uint32_t aux_len;
} mhc_connect_req;
/* user_dn, flags 0, code page 1252, LCIDs 1033, no aux. */
void mhc_connect_req_init(mhc_connect_req *req, const char *user_dn);
mhc_buf mhc_build_connect(apr_pool_t *p, const mhc_connect_req *req);

typedef struct mhc_connect_rsp {
    int parsed;                  /* MHC_PARSE_* */
    uint32_t status, error_code, polls_max, retry_count, retry_delay;
    const char *dn_prefix;
    const char *display_name;    /* UTF-8 */
    uint32_t aux_size;
    const uint8_t *aux;
} mhc_connect_rsp;
int mhc_parse_connect(apr_pool_t *p, const uint8_t *b, size_t n,
                      mhc_connect_rsp *r);

/* Execute ([MS-OXCMAPIHTTP] 2.2.4.2) */
#define MHC_EXEC_NO_COMPRESSION 0x00000001u
#define MHC_EXEC_NO_XOR_MAGIC   0x00000002u
#define MHC_EXEC_CHAIN          0x00000004u

typedef struct mhc_execute_req {
    uint32_t flags;
    const uint8_t *rop_buffer;
    uint32_t rop_buffer_size;
    uint32_t max_rop_out;
    const uint8_t *aux;
    uint32_t aux_len;
} mhc_execute_req;
mhc_buf mhc_build_execute(apr_pool_t *p, const mhc_execute_req *req);

/* A RopBuffer ([MS-OXCRPC] 3.1.4.2.1): one RPC_HEADER_EXT block flagged
 * Last whose payload is RopSize (2 + rops_len), the ROP requests and the
 * server object handle table.  ext_flags: RPCEXT_COMPRESSED and/or
 * RPCEXT_XORMAGIC (compression only where it makes the payload smaller).
 * Returns 0, or -1 when the payload passes 32 KiB. */
int mhc_build_rop_buffer(apr_pool_t *p, const uint8_t *rops, size_t rops_len,
                         const uint32_t *handles, size_t n_handles,
                         uint16_t ext_flags, mhc_buf *out);

/* A decoded rgbOut. */
typedef struct mhc_rop_out {
    int ok;                      /* decoded and RopSize/handle table fit */
    int rpcext_error;            /* rpcext_err when the chain did not decode */
    uint16_t first_flags;        /* RPC_HEADER_EXT.Flags of the first block */
    size_t n_blocks;
    const uint8_t *payload;      /* first block's payload, plain */
    size_t payload_len;
    uint16_t rop_size;
    const uint8_t *rops;         /* ROP responses */
    size_t rops_len;
    uint32_t *handles;           /* server object handle table */
    size_t n_handles;
    const rpcext_block *blocks;  /* every block, plain (packed rgbOut) */
    const uint16_t *block_flags; /* RPC_HEADER_EXT.Flags of each block */
    const uint16_t *block_wire;  /* RPC_HEADER_EXT.Size of each block */
} mhc_rop_out;
int mhc_decode_rop_buffer(apr_pool_t *p, const uint8_t *b, size_t n,
                          mhc_rop_out *out);

typedef struct mhc_execute_rsp {
    int parsed;                  /* MHC_PARSE_* */
    uint32_t status, error_code, flags;
    const uint8_t *rop_buffer;
    uint32_t rop_buffer_size;
    uint32_t aux_size;
    const uint8_t *aux;
    mhc_rop_out out;             /* decoded RopBuffer (when non-empty) */
} mhc_execute_rsp;
int mhc_parse_execute(apr_pool_t *p, const uint8_t *b, size_t n,
                      mhc_execute_rsp *r);

/* Disconnect ([MS-OXCMAPIHTTP] 2.2.4.3): AuxiliaryBufferSize, aux. */
mhc_buf mhc_build_disconnect(apr_pool_t *p, const uint8_t *aux,
                             uint32_t aux_len);

/* NotificationWait ([MS-OXCMAPIHTTP] 2.2.4.4): Flags, AuxSize, aux. */
mhc_buf mhc_build_notification_wait(apr_pool_t *p, uint32_t flags,
                                    const uint8_t *aux, uint32_t aux_len);
typedef struct mhc_nwait_rsp {
    int parsed;
    uint32_t status, error_code, event_pending;
    uint32_t aux_size;
    const uint8_t *aux;
} mhc_nwait_rsp;
int mhc_parse_notification_wait(const uint8_t *b, size_t n,
                                mhc_nwait_rsp *r);

/* ------------------------------------------------------- NSPI bodies -- */

#define MHC_STAT_SIZE 36

/* Bind ([MS-OXCMAPIHTTP] 2.2.5.1): Flags, HasState, [STAT], AuxSize, aux.
 * state NULL: HasState 0x00. */
mhc_buf mhc_build_bind(apr_pool_t *p, uint32_t flags, const uint8_t *state,
                       const uint8_t *aux, uint32_t aux_len);
typedef struct mhc_bind_rsp {
    int parsed;
    uint32_t status, error_code;
    uint8_t server_guid[16];
    uint32_t aux_size;
    const uint8_t *aux;
} mhc_bind_rsp;
int mhc_parse_bind(const uint8_t *b, size_t n, mhc_bind_rsp *r);

/* Unbind ([MS-OXCMAPIHTTP] 2.2.5.2): Reserved, AuxSize, aux. */
mhc_buf mhc_build_unbind(apr_pool_t *p, uint32_t reserved,
                         const uint8_t *aux, uint32_t aux_len);

/* A STAT ([MS-OXNSPI] 2.3.7) with CodePage 1252, locales 1033. */
void mhc_stat_default(uint8_t stat[MHC_STAT_SIZE]);

/* ------------------------------------------------ one-call operations -- */
/* Each sends the request with the client's cookies and default headers,
 * parses the reply body into *rsp (may be NULL) when X-ResponseCode is 0,
 * and returns what mhc_request() returns.  resp may be NULL: the reply is
 * then freed inside. */

int mhc_connect(mhc_client *c, const char *user_dn, mhc_response *resp,
                mhc_connect_rsp *rsp);
/* Execute of the given ROP requests and handle table in one block with
 * RopBuffer flags matching exec_flags (XOR unless NoXorMagic), MaxRopOut
 * 0x10008. */
int mhc_execute(mhc_client *c, uint32_t exec_flags, const uint8_t *rops,
                size_t rops_len, const uint32_t *handles, size_t n_handles,
                mhc_response *resp, mhc_execute_rsp *rsp);
/* The same with the client's MaxRopOut (mhc_execute sends 0x10008). */
int mhc_execute_max(mhc_client *c, uint32_t exec_flags, uint32_t max_rop_out,
                    const uint8_t *rops, size_t rops_len,
                    const uint32_t *handles, size_t n_handles,
                    mhc_response *resp, mhc_execute_rsp *rsp);
int mhc_disconnect(mhc_client *c, mhc_response *resp, mhc_status_rsp *rsp);
int mhc_ping(mhc_client *c, mhc_endpoint ep, mhc_response *resp);
int mhc_notification_wait(mhc_client *c, const mhc_opts *opts,
                          mhc_response *resp, mhc_nwait_rsp *rsp);
int mhc_bind(mhc_client *c, mhc_response *resp, mhc_bind_rsp *rsp);
int mhc_unbind(mhc_client *c, mhc_response *resp, mhc_status_rsp *rsp);

/* ------------------------------------------------------ Autodiscover -- */

/* POX Autodiscover ([MS-OXDSCLI]): POST <base>/autodiscover/autodiscover.xml
 * with the Outlook request for email (text/xml), X-MapiHttpCapability:
 * capability unless NULL.  resp must be freed; the reply XML is resp->raw
 * (NUL-ended).  Returns the HTTP status, or -2 when the exchange failed. */
int mhc_autodiscover(mhc_client *c, const char *email, const char *capability,
                     mhc_response *resp);
/* The same with a body of the caller's (path NULL: the lower-case one). */
int mhc_autodiscover_raw(mhc_client *c, const char *path, const void *body,
                         size_t len, const char *capability,
                         mhc_response *resp);

/* A POX Autodiscover reply, parsed (apr_xml: a reply that does not parse
 * is not well-formed).  Strings live in the pool given; NULL when absent. */
typedef struct mhc_autod_rsp {
    int wellformed;              /* parsed, root Autodiscover/Response */
    const char *error_code;      /* Response/Error/ErrorCode, or NULL */
    const char *display_name, *legacy_dn, *smtp;     /* User */
    int n_mapihttp;              /* Protocol Type="mapiHttp" elements */
    const char *mapihttp_version;
    const char *ms_internal, *ms_external;   /* MailStore URLs */
    const char *ab_internal, *ab_external;   /* AddressBook URLs */
    int n_exch, n_expr;          /* Protocol elements with <Type>EXCH/EXPR */
    const char *exch_server, *expr_server;
} mhc_autod_rsp;
int mhc_parse_autodiscover(apr_pool_t *p, const char *xml, size_t len,
                           mhc_autod_rsp *out);

/* ------------------------------------------- a request on its own thread -- */

/* Runs one mhc_request() on a new thread, e.g. a NotificationWait that is
 * to stay open while the caller does other things.  The client c belongs
 * to that thread until mhc_bg_join(); body and the opts structure are
 * copied (strings opts points to must outlive the request). */
typedef struct mhc_bg mhc_bg;
mhc_bg *mhc_bg_start(mhc_client *c, mhc_endpoint ep, const char *type,
                     const void *body, size_t len, const mhc_opts *opts);
/* Waits until meta-tag tag has arrived count times: 0, or -1 when the
 * request ended first or timeout_ms passed. */
int mhc_bg_wait_tag(mhc_bg *bg, const char *tag, size_t count,
                    long timeout_ms);
/* Whether the request has ended. */
int mhc_bg_done(mhc_bg *bg);
/* Joins the thread, moves the reply into *resp (may be NULL: freed) and
 * returns what mhc_request() returned; frees bg. */
int mhc_bg_join(mhc_bg *bg, mhc_response *resp);

#endif
