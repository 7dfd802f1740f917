/*
 * loadgen.c: the project's load generator for mod_mapi (issue 9).
 *
 * Many MAPI/HTTP sessions at once on one libcurl multi handle driven by
 * epoll (curl_multi_socket_action: only sockets with activity cost time,
 * so 10,000 parked NotificationWaits do not slow the Executes beside
 * them).  Each session has its own cookie jar (an mhc_client used for its
 * settings and jar only) and runs a small state machine: Connect, an
 * Execute with RopLogon (+ RopRegisterNotification NewMail), then what
 * its role asks.  Bodies are built and parsed by tests/integ/mh_client.c
 * and rop_wire.c; the transfers are mhc_request_begin/_end on easy
 * handles of the multi.
 *
 * Scenarios (first argument):
 *   xput   Execute throughput of a small request (RopGetPropertiesSpecific
 *          on the logon) against a static file of the same response size
 *          behind the same TLS and authentication, in alternating phases.
 *   waits  N sessions each holding a NotificationWait; threads and memory
 *          of httpd sampled; deliveries over LMTP to sampled mailboxes
 *          (wake latency), side clients running Executes (latency).
 *   idle   N sessions connected and logged on, then left idle: storage
 *          (bench_dbsize) and memory per session.
 *   soak   mixed load (saves, table reads, message reads, NSPI, waits,
 *          deliveries) for a duration; errors, message counts and httpd
 *          memory every 10 s into a CSV.
 * Results are markdown table rows "| figure | target | measured | verdict |"
 * on stdout; progress and details on stderr.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <apr_strings.h>

#include "integ/mh_client.h"
#include "integ/rop_wire.h"

#define LG_NOTIFY_NEW_MAIL 0x02
#define LG_MAX_ROP_OUT     0x10008u
#define LG_ORG_DN "/o=MAPI Test/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="

/* ------------------------------------------------------------ options -- */

static struct {
    const char *scenario;
    const char *url, *ca, *users_file, *pidfile, *static_dir, *csv;
    const char *lmtp;              /* HOST:PORT of mapi-deliver -lmtp -listen */
    int sessions, exec_clients, conns, ramp_parallel;
    double seconds, deliver_rate, exec_interval_ms;
    int deliveries;
    int negotiate;                 /* Execute/static clients: Negotiate as
                                      the ticket cache's user (demo) */
} O = {
    .sessions = 100, .exec_clients = 4, .conns = 8, .ramp_parallel = 48,
    .seconds = 20, .deliver_rate = 5, .exec_interval_ms = 50,
    .deliveries = 200,
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* -------------------------------------------------------------- stats -- */

typedef struct lg_stat {
    double *v;
    size_t n, cap;
} lg_stat;

static void st_add(lg_stat *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof(double));
        if (s->v == NULL)
            die("out of memory");
    }
    s->v[s->n++] = x;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Percentile q (0..100) by nearest rank; NAN when empty. */
static double st_pct(lg_stat *s, double q)
{
    size_t k;

    if (s->n == 0)
        return NAN;
    qsort(s->v, s->n, sizeof(double), dbl_cmp);
    k = (size_t)ceil(q / 100.0 * (double)s->n);
    return s->v[k ? k - 1 : 0];
}

/* Errors by kind: what a client would call a protocol error. */
static struct {
    unsigned long transport, http_status, response_code[32], framing,
                  body, rop, total;
    char last[256];
} E;

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err(const char *fmt, ...)
{
    va_list ap;

    E.total++;
    va_start(ap, fmt);
    vsnprintf(E.last, sizeof(E.last), fmt, ap);
    va_end(ap);
    if (E.total <= 20)
        note("error: %s", E.last);
}

/* ------------------------------------------------------------ mailboxes -- */

typedef struct lg_user {
    char principal[64], password[64], smtp[64], essdn[160], name[32];
    /* Deliveries (written by the delivery thread under lg_mu). */
    double delivered_ms;          /* when the last delivery was handed over */
    unsigned long deliver_seq, delivered, saved;
    unsigned long inbox_at_start, drafts_at_start;
    int counted;
} lg_user;

static lg_user *U;
static int n_users;
static pthread_mutex_t lg_mu = PTHREAD_MUTEX_INITIALIZER;

/* users file: "principal password smtp name" per line (run.sh writes it). */
static void load_users(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int cap = 0;

    if (f == NULL)
        die("cannot open %s: %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        lg_user *u;

        if (n_users == cap) {
            cap = cap ? cap * 2 : 256;
            U = realloc(U, (size_t)cap * sizeof(*U));
        }
        u = memset(&U[n_users], 0, sizeof(*U));
        if (sscanf(line, "%63s %63s %63s %31s", u->principal, u->password,
                   u->smtp, u->name) != 4)
            continue;
        snprintf(u->essdn, sizeof(u->essdn), LG_ORG_DN "%s", u->name);
        n_users++;
    }
    fclose(f);
    if (n_users == 0)
        die("no users in %s", path);
}

/* --------------------------------------------------------- event loop -- */

static CURLM *M;
static CURLSH *SH;
static int EP = -1;
static long curl_timeout_ms = -1;
static int stopping;

static int sock_cb(CURL *e, curl_socket_t s, int what, void *up, void *sp)
{
    struct epoll_event ev = { 0 };

    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(EP, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0)
              | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    ev.data.fd = s;
    if (epoll_ctl(EP, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
        epoll_ctl(EP, EPOLL_CTL_ADD, s, &ev);
    return 0;
}

static int timer_cb(CURLM *m, long ms, void *up)
{
    curl_timeout_ms = ms;
    return 0;
}

/* Small buffers: 10,000 idle TLS connections on the client side. */
static CURLcode ssl_ctx_cb(CURL *c, void *ctx, void *arg)
{
    SSL_CTX_set_mode((SSL_CTX *)ctx, SSL_MODE_RELEASE_BUFFERS);
    return CURLE_OK;
}

static void loop_init(int max_conns)
{
    M = curl_multi_init();
    SH = curl_share_init();
    curl_share_setopt(SH, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_multi_setopt(M, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(M, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(M, CURLMOPT_MAXCONNECTS, (long)max_conns);
    EP = epoll_create1(EPOLL_CLOEXEC);
}

/* ---------------------------------------------------------- timers -- */
/* A binary heap of (due, session): think times, stagger, phase ends. */

struct lg_sess;
typedef struct lg_timer { double due; struct lg_sess *s; } lg_timer;
static lg_timer *TH;
static size_t th_n, th_cap;

static void th_push(double due, struct lg_sess *s)
{
    size_t i;

    if (th_n == th_cap) {
        th_cap = th_cap ? th_cap * 2 : 1024;
        TH = realloc(TH, th_cap * sizeof(*TH));
    }
    i = th_n++;
    while (i > 0 && TH[(i - 1) / 2].due > due) {
        TH[i] = TH[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    TH[i].due = due;
    TH[i].s = s;
}

static lg_timer th_pop(void)
{
    lg_timer top = TH[0], last = TH[--th_n];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= th_n)
            break;
        if (c + 1 < th_n && TH[c + 1].due < TH[c].due)
            c++;
        if (TH[c].due >= last.due)
            break;
        TH[i] = TH[c];
        i = c;
    }
    if (th_n)
        TH[i] = last;
    return top;
}

/* ------------------------------------------------------------ sessions -- */

enum lg_role { R_WAITER, R_EXEC, R_STATIC, R_IDLE, R_SOAK };
enum lg_state { S_CONNECT, S_LOGON, S_READY, S_EXEC, S_STATIC, S_WAIT,
                S_DRAIN, S_NSPI_BIND, S_NSPI, S_SAVE, S_READ_TABLE,
                S_READ_MSG, S_COUNT, S_DONE };

typedef struct lg_sess {
    int idx;
    enum lg_role role;
    enum lg_state state;
    lg_user *u;
    mhc_client *c;
    CURL *easy;
    mhc_endpoint ep;
    mhc_response resp;
    mhc_opts opts;
    apr_pool_t *pool;             /* request bodies; cleared per request */
    int busy;                     /* a request is on the wire */
    double t0;
    uint32_t logon;
    uint64_t inbox, drafts;
    int parked;                   /* PROCESSING of the wait arrived */
    unsigned long seq_at_wait;    /* U->deliver_seq when the wait began */
    int nspi_bound;
    uint64_t last_mid;            /* a message seen in the Inbox */
    unsigned long n_ok;
    int counting;                 /* S_COUNT: 0 inbox, 1 drafts */
    int retired;                  /* the scenario is done with it */
    int need_drain;               /* a wait said EventPending */
    uint64_t table_fid;           /* folder of the table read in flight */
} lg_sess;

static lg_sess *S;
static int n_sess;

/* Scenario state the completion handlers look at. */
static struct {
    int measuring;                /* latencies are recorded */
    int ready;                    /* sessions past logon (and registered) */
    int parked;                   /* waits with PROCESSING seen */
    int logon_failed;
    int counted;                  /* mailboxes whose folders were counted */
    unsigned long execs, statics, waits_done, wakes, nspi, saves, reads;
    double bytes_exec, bytes_static;
    size_t exec_rsp_size;         /* raw size of one Execute reply */
    lg_stat lat_exec, lat_static, lat_wake, lat_soak;
    double soak_exec_interval_ms;
    int soak_go;                  /* start counts done: operations may run */
} G;

static void sess_request(lg_sess *s, mhc_endpoint ep, const char *type,
                         mhc_buf body, long timeout_ms);
static void sess_next(lg_sess *s);

static lg_user neg_user = { .principal = "(ticket cache)", .smtp = "demo@mapi.test",
                             .name = "demo", .essdn = LG_ORG_DN "demo" };

static lg_sess *sess_new(int idx, enum lg_role role, lg_user *u)
{
    lg_sess *s = &S[idx];
    int neg = O.negotiate && (role == R_EXEC || role == R_STATIC);

    memset(s, 0, sizeof(*s));
    s->idx = idx;
    s->role = role;
    s->u = neg ? &neg_user : u;
    s->c = mhc_client_new(O.url, neg ? MHC_AUTH_NEGOTIATE : MHC_AUTH_BASIC,
                          u->principal, u->password, O.ca);
    snprintf(s->c->client_info, sizeof(s->c->client_info), "loadgen-%d", idx);
    snprintf(s->c->client_app, sizeof(s->c->client_app),
             "Outlook/16.0.10337.20000 (loadgen)");
    s->easy = curl_easy_init();
    apr_pool_create(&s->pool, NULL);
    s->logon = RC_NO_HANDLE;
    s->state = role == R_STATIC ? S_STATIC : S_CONNECT;
    return s;
}

static void on_tag(void *arg, const char *tag, double at_ms)
{
    lg_sess *s = arg;

    if (s->state == S_WAIT && !s->parked && strcmp(tag, "PROCESSING") == 0) {
        s->parked = 1;
        G.parked++;
    }
}

static void sess_request(lg_sess *s, mhc_endpoint ep, const char *type,
                         mhc_buf body, long timeout_ms)
{
    memset(&s->opts, 0, sizeof(s->opts));
    s->opts.timeout_ms = timeout_ms;
    s->opts.on_tag = on_tag;
    s->opts.tag_arg = s;
    if (s->state == S_STATIC) {
        s->opts.verb = "GET";
        s->opts.path = "/bench-static/exec-size";
        s->opts.flags = MHC_OMIT_REQUEST_TYPE | MHC_OMIT_CONTENT_TYPE;
    }
    s->ep = ep;
    mhc_request_begin(s->c, s->easy, ep, type, body.data, body.len,
                      &s->opts, &s->resp);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    curl_easy_setopt(s->easy, CURLOPT_SHARE, SH);
    curl_easy_setopt(s->easy, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
    curl_easy_setopt(s->easy, CURLOPT_BUFFERSIZE, 8192L);
    curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, 60000L);
    /* httpd closes a connection idle for KeepAliveTimeout (5 s here): a
     * client that knows it does not send on one it may be closing. */
    curl_easy_setopt(s->easy, CURLOPT_MAXAGE_CONN, 4L);
    s->busy = 1;
    s->t0 = mhc_now_ms();
    curl_multi_add_handle(M, s->easy);
}

/* Execute of the ROPs in b (compressed and obfuscated like Outlook's). */
static void sess_execute(lg_sess *s, rc_buf *b)
{
    mhc_buf rb;
    mhc_execute_req req = { .max_rop_out = LG_MAX_ROP_OUT };

    if (rc_buf_failed(b) ||
        mhc_build_rop_buffer(s->pool, b->wr.buf, b->wr.len, b->handles,
                             b->n_handles, RPCEXT_COMPRESSED | RPCEXT_XORMAGIC,
                             &rb) != 0)
        die("ROP request does not fit");
    req.rop_buffer = rb.data;
    req.rop_buffer_size = (uint32_t)rb.len;
    sess_request(s, MHC_EMSMDB, "Execute", mhc_build_execute(s->pool, &req),
                 30000);
}

/* Checks the HTTP and MAPI/HTTP layers of a finished request: 0 when a
 * complete success reply came. */
static int check_reply(lg_sess *s, int rc, const char *what)
{
    mhc_response *r = &s->resp;

    if (rc == -2) {
        E.transport++;
        err("%s (session %d): transport: %s", what, s->idx, r->error);
        return -1;
    }
    if (r->http_status != 200) {
        E.http_status++;
        err("%s (session %d): HTTP %ld", what, s->idx, r->http_status);
        return -1;
    }
    if (s->state == S_STATIC)
        return 0;
    if (rc != 0) {
        E.response_code[rc >= 0 && rc < 32 ? rc : 31]++;
        err("%s (session %d): X-ResponseCode %d", what, s->idx, rc);
        return -1;
    }
    if (!r->complete || r->frame_error) {
        E.framing++;
        err("%s (session %d): framing (complete %d, error %d)", what,
            s->idx, r->complete, r->frame_error);
        return -1;
    }
    return 0;
}

/* The ROP responses of an Execute reply, or -1 (counted). */
static int exec_cursor(lg_sess *s, rc_resp *cur)
{
    mhc_execute_rsp ex;

    if (mhc_parse_execute(s->resp.pool, s->resp.body, s->resp.body_len,
                          &ex) != MHC_PARSE_SUCCESS || ex.status != 0 ||
        ex.error_code != 0 || (ex.rop_buffer_size && !ex.out.ok)) {
        E.body++;
        err("Execute (session %d): body status 0x%X error 0x%X", s->idx,
            ex.status, ex.error_code);
        return -1;
    }
    rc_resp_init(cur, s->resp.pool, ex.out.rops, ex.out.rops_len,
                 ex.out.handles, ex.out.n_handles);
    return 0;
}

static void rop_failed(lg_sess *s, const char *what, const rc_resp *cur,
                       uint32_t rv)
{
    E.rop++;
    err("%s (session %d): ReturnValue 0x%08X %s", what, s->idx, rv,
        cur->failed ? rc_resp_error(cur) : "");
}

/* ---------------------------------------------------------- requests -- */

static const uint32_t small_tags[] = { 0x3001001Fu /* PidTagDisplayName */,
                                       0x0E080003u /* PidTagMessageSize */,
                                       0x66330003u };

static void req_connect(lg_sess *s)
{
    mhc_connect_req req;

    mhc_connect_req_init(&req, s->u->essdn);
    sess_request(s, MHC_EMSMDB, "Connect", mhc_build_connect(s->pool, &req),
                 60000);
}

static void req_logon(lg_sess *s)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_req_logon(&b, 0, 0, RC_LOGON_PRIVATE, RC_OPEN_DEFAULT_PRIVATE,
                 s->u->essdn);
    if (s->role == R_WAITER || s->role == R_SOAK) {
        rc_buf_handles_min(&b, 2);
        rc_req_register_notification(&b, 0, 0, 1, LG_NOTIFY_NEW_MAIL, 1, 0, 0);
    }
    sess_execute(s, &b);
}

static void req_small_exec(lg_sess *s)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, s->logon);
    rc_req_get_props_specific(&b, 0, 0, 0, 1, small_tags, 3);
    sess_execute(s, &b);
}

static void req_wait(lg_sess *s)
{
    s->parked = 0;
    pthread_mutex_lock(&lg_mu);
    s->seq_at_wait = s->u->deliver_seq;
    pthread_mutex_unlock(&lg_mu);
    sess_request(s, MHC_EMSMDB, "NotificationWait",
                 mhc_build_notification_wait(s->pool, 0, NULL, 0), 3700000);
}

/* RopGetStoreState: collects the RopNotify a woken wait announced. */
static void req_drain(lg_sess *s)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, s->logon);
    rc_req_get_store_state(&b, 0, 0);
    sess_execute(s, &b);
}

static const uint32_t table_cols[] = { 0x674A0014u /* PidTagMid */,
                                       0x0037001Fu /* PidTagSubject */,
                                       0x0E060040u /* PidTagMessageDeliveryTime */,
                                       0x0E080003u };

/* RopOpenFolder + RopGetContentsTable + RopSetColumns + RopQueryRows +
 * RopRelease of the folder: what a client does to show a folder. */
static void req_read_table(lg_sess *s, uint64_t fid, uint16_t rows)
{
    rc_buf b;

    s->table_fid = fid;
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, s->logon);
    rc_buf_handles_min(&b, 3);
    rc_req_open_folder(&b, 0, 0, 1, fid, 0);
    rc_req_get_contents_table(&b, 0, 1, 2, 0);
    rc_req_set_columns(&b, 0, 2, 0, table_cols, 4);
    rc_req_query_rows(&b, 0, 2, 0, 1, rows);
    rc_req_release(&b, 0, 2);
    rc_req_release(&b, 0, 1);
    sess_execute(s, &b);
}

static const uint32_t msg_tags[] = { 0x0037001Fu, 0x1000001Fu /* Body */,
                                     0x0C1A001Fu /* SenderName */,
                                     0x0E080003u };

static void req_read_msg(lg_sess *s)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, s->logon);
    rc_buf_handles_min(&b, 2);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, s->inbox, 0, s->last_mid);
    rc_req_get_props_specific(&b, 0, 1, 0, 1, msg_tags, 4);
    rc_req_release(&b, 0, 1);
    sess_execute(s, &b);
}

/* RopCreateMessage in Drafts, RopSetProperties, RopSaveChangesMessage,
 * RopRelease: a message saved by the client. */
static void req_save(lg_sess *s)
{
    rc_buf b;
    rc_prop v[3];
    char subj[96];

    snprintf(subj, sizeof(subj), "loadgen draft %d.%lu", s->idx, s->n_ok);
    v[0] = rc_pv_str(0x0037001Fu, subj);
    v[1] = rc_pv_str(0x1000001Fu, "A draft written by the load generator, "
                     "a few lines long, as a client saves it.\r\n");
    v[2] = rc_pv_str(0x001A001Fu, "IPM.Note");
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, s->logon);
    rc_buf_handles_min(&b, 2);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, s->drafts, 0);
    rc_req_set_props(&b, 0, 1, v, 3);
    rc_req_save_changes_message(&b, 0, 1, 1, 0x02);
    rc_req_release(&b, 0, 1);
    sess_execute(s, &b);
}

/* NSPI: Bind, then lookups (DNToMId of a mailbox, ResolveNames). */
static void put_stat(mapi_wr *w, uint32_t cp)
{
    uint8_t st[MHC_STAT_SIZE];
    mapi_wr sw;

    mhc_stat_default(st);
    mapi_wr_init_fixed(&sw, st + 24, 4);
    mapi_wr_u32(&sw, cp);
    mapi_wr_u8(w, 0xFF);
    mapi_wr_bytes(w, st, sizeof(st));
}

static void req_nspi(lg_sess *s)
{
    mapi_wr w;
    mhc_buf body;
    lg_user *other = &U[rand() % n_users];

    if (!s->nspi_bound) {
        uint8_t st[MHC_STAT_SIZE];

        mhc_stat_default(st);
        s->state = S_NSPI_BIND;
        sess_request(s, MHC_NSPI, "Bind",
                     mhc_build_bind(s->pool, 0, st, NULL, 0), 30000);
        return;
    }
    mapi_wr_init(&w, s->pool, 1024);
    if (rand() % 2) {
        mapi_wr_u32(&w, 0);
        mapi_wr_u8(&w, 0xFF);
        mapi_wr_u32(&w, 1);
        mapi_wr_str8(&w, other->essdn);
        mapi_wr_u32(&w, 0);
        body.data = w.buf;
        body.len = w.len;
        sess_request(s, MHC_NSPI, "DNToMId", body, 30000);
    } else {
        mapi_wr_u32(&w, 0);
        put_stat(&w, 1200);
        mapi_wr_u8(&w, 0);
        mapi_wr_u8(&w, 0xFF);
        mapi_wr_u32(&w, 1);
        mapi_wr_str16(&w, other->smtp);
        mapi_wr_u32(&w, 0);
        body.data = w.buf;
        body.len = w.len;
        sess_request(s, MHC_NSPI, "ResolveNames", body, 30000);
    }
}

/* ------------------------------------------------------ completions -- */

static void done_connect(lg_sess *s, int rc)
{
    mhc_connect_rsp cr;

    if (check_reply(s, rc, "Connect") != 0)
        goto retry;
    if (mhc_parse_connect(s->resp.pool, s->resp.body, s->resp.body_len,
                          &cr) != MHC_PARSE_SUCCESS || cr.status != 0 ||
        cr.error_code != 0) {
        E.body++;
        err("Connect (session %d): body status 0x%X error 0x%X", s->idx,
            cr.status, cr.error_code);
        goto retry;
    }
    s->state = S_LOGON;
    return;
retry:
    s->state = S_CONNECT;
    th_push(mhc_now_ms() + 1000, s);   /* a client retries after a pause */
}

static void done_logon(lg_sess *s, int rc)
{
    rc_resp cur;
    rc_logon_rsp lo;
    rc_head h;

    if (check_reply(s, rc, "Execute(Logon)") != 0 || exec_cursor(s, &cur) != 0)
        goto fail;
    if (rc_rsp_logon(&cur, &lo) != 0 || lo.h.rv != 0 ||
        lo.form != RC_LOGON_FORM_PRIVATE) {
        rop_failed(s, "RopLogon", &cur, lo.h.rv);
        goto fail;
    }
    s->logon = rc_resp_handle(&cur, 0);
    s->inbox = lo.fids[RC_FID_INBOX];
    /* Drafts is not among the logon's folders: the IPM subtree's
     * sibling ids are private; the Outbox stands in as "drafts" (a folder
     * the client writes to and the MTA never does). */
    s->drafts = lo.fids[RC_FID_OUTBOX];
    if (s->role == R_WAITER || s->role == R_SOAK) {
        if (rc_rsp_generic(&cur, RC_ROP_REGISTER_NOTIFICATION, &h) != 0 ||
            h.rv != 0) {
            rop_failed(s, "RopRegisterNotification", &cur, h.rv);
            goto fail;
        }
    }
    G.ready++;
    s->state = S_READY;
    return;
fail:
    G.logon_failed++;
    s->state = S_CONNECT;
    th_push(mhc_now_ms() + 1000, s);
}

static void done_exec(lg_sess *s, int rc)
{
    rc_resp cur;
    rc_head h;
    rc_row row;
    double lat = mhc_now_ms() - s->t0;

    if (check_reply(s, rc, "Execute(GetPropertiesSpecific)") != 0 ||
        exec_cursor(s, &cur) != 0)
        return;
    if (rc_rsp_get_props_specific(&cur, small_tags, 3, &h, &row) != 0 ||
        h.rv != 0) {
        rop_failed(s, "RopGetPropertiesSpecific", &cur, h.rv);
        return;
    }
    if (G.exec_rsp_size == 0)
        G.exec_rsp_size = s->resp.raw_len;
    if (G.measuring) {
        G.execs++;
        G.bytes_exec += (double)s->resp.raw_len;
        st_add(&G.lat_exec, lat);
    }
}

static void done_wait(lg_sess *s, int rc)
{
    mhc_nwait_rsp nw;
    double now = mhc_now_ms();
    unsigned long seq;
    double at;

    if (s->parked) {
        G.parked--;
        s->parked = 0;
    }
    if (check_reply(s, rc, "NotificationWait") != 0)
        return;
    if (mhc_parse_notification_wait(s->resp.body, s->resp.body_len, &nw) !=
        MHC_PARSE_SUCCESS || nw.status != 0 || nw.error_code != 0) {
        E.body++;
        err("NotificationWait (session %d): body", s->idx);
        return;
    }
    G.waits_done++;
    if (!nw.event_pending)
        return;
    pthread_mutex_lock(&lg_mu);
    seq = s->u->deliver_seq;
    at = s->u->delivered_ms;
    pthread_mutex_unlock(&lg_mu);
    if (seq > s->seq_at_wait && at > 0) {
        G.wakes++;
        if (G.measuring || O.scenario[0] == 's')
            st_add(&G.lat_wake, now - at);
    }
    s->need_drain = 1;
}

static void done_nspi(lg_sess *s, int rc, int bind)
{
    if (check_reply(s, rc, bind ? "NSPI Bind" : "NSPI lookup") != 0) {
        s->nspi_bound = 0;
        return;
    }
    if (s->resp.body_len < 8 || s->resp.body[0] | s->resp.body[1] |
        s->resp.body[2] | s->resp.body[3]) {
        E.body++;
        err("NSPI (session %d): StatusCode not 0", s->idx);
        return;
    }
    if (bind)
        s->nspi_bound = 1;
    else
        G.nspi++;
}

static void done_save(lg_sess *s, int rc)
{
    rc_resp cur;
    rc_head h;
    uint8_t has_mid, idx;
    uint64_t mid;
    uint16_t np;
    rc_problem *pp;

    if (check_reply(s, rc, "Execute(save)") != 0 || exec_cursor(s, &cur) != 0)
        return;
    if (rc_rsp_create_message(&cur, &h, &has_mid, &mid) != 0 || h.rv != 0) {
        rop_failed(s, "RopCreateMessage", &cur, h.rv);
        return;
    }
    if (rc_rsp_problems(&cur, RC_ROP_SET_PROPS, &h, &np, &pp) != 0 ||
        h.rv != 0 || np != 0) {
        rop_failed(s, "RopSetProperties", &cur, h.rv);
        return;
    }
    if (rc_rsp_save_changes_message(&cur, &h, &idx, &mid) != 0 || h.rv != 0) {
        rop_failed(s, "RopSaveChangesMessage", &cur, h.rv);
        return;
    }
    pthread_mutex_lock(&lg_mu);
    s->u->saved++;
    pthread_mutex_unlock(&lg_mu);
    G.saves++;
}

/* RopOpenFolder, RopGetContentsTable (RowCount), RopSetColumns,
 * RopQueryRows; the row count for S_COUNT. */
static long done_table(lg_sess *s, int rc)
{
    rc_resp cur;
    rc_folder_rsp fo;
    rc_head h;
    uint32_t count;
    uint8_t st;
    rc_rows_rsp rows;

    if (check_reply(s, rc, "Execute(table)") != 0 || exec_cursor(s, &cur) != 0)
        return -1;
    if (rc_rsp_open_folder(&cur, &fo) != 0 || fo.h.rv != 0) {
        rop_failed(s, "RopOpenFolder", &cur, fo.h.rv);
        return -1;
    }
    if (rc_rsp_get_table(&cur, RC_ROP_GET_CONTENTS_TABLE, &h, &count) != 0 ||
        h.rv != 0) {
        rop_failed(s, "RopGetContentsTable", &cur, h.rv);
        return -1;
    }
    if (rc_rsp_table_status(&cur, RC_ROP_SET_COLUMNS, &h, &st) != 0 ||
        h.rv != 0) {
        rop_failed(s, "RopSetColumns", &cur, h.rv);
        return -1;
    }
    if (rc_rsp_query_rows(&cur, table_cols, 4, &rows) != 0 || rows.h.rv != 0) {
        rop_failed(s, "RopQueryRows", &cur, rows.h.rv);
        return -1;
    }
    if (rows.count > 0 && s->table_fid == s->inbox)
        s->last_mid = rc_row_u64(&rows.rows[rand() % rows.count],
                                 table_cols[0], 0);
    G.reads++;
    return (long)count;
}

static void done_read_msg(lg_sess *s, int rc)
{
    rc_resp cur;
    rc_message_rsp mo;
    rc_head h;
    rc_row row;

    if (check_reply(s, rc, "Execute(read)") != 0 || exec_cursor(s, &cur) != 0)
        return;
    if (rc_rsp_open_message(&cur, &mo) != 0 || mo.h.rv != 0) {
        rop_failed(s, "RopOpenMessage", &cur, mo.h.rv);
        return;
    }
    if (rc_rsp_get_props_specific(&cur, msg_tags, 4, &h, &row) != 0 ||
        h.rv != 0) {
        rop_failed(s, "RopGetPropertiesSpecific(message)", &cur, h.rv);
        return;
    }
    G.reads++;
}

static void done_static(lg_sess *s, int rc)
{
    if (check_reply(s, rc, "static GET") != 0)
        return;
    if (G.measuring) {
        G.statics++;
        G.bytes_static += (double)s->resp.raw_len;
        st_add(&G.lat_static, mhc_now_ms() - s->t0);
    }
}

/* A request ended: account for it, then choose the next step. */
static void sess_done(lg_sess *s, CURLcode cc)
{
    int rc;

    curl_multi_remove_handle(M, s->easy);
    s->busy = 0;
    rc = mhc_request_end(s->c, s->ep, &s->resp, (int)cc);
    switch (s->state) {
    case S_CONNECT:    done_connect(s, rc); break;
    case S_LOGON:      done_logon(s, rc); break;
    case S_EXEC:       done_exec(s, rc); break;
    case S_STATIC:     done_static(s, rc); break;
    case S_WAIT:       done_wait(s, rc); break;
    case S_DRAIN:
        if (check_reply(s, rc, "Execute(drain)") == 0) {
            rc_resp cur;
            rc_head h;
            uint32_t st;
            if (exec_cursor(s, &cur) == 0 &&
                (rc_rsp_get_store_state(&cur, &h, &st) != 0 || h.rv != 0))
                rop_failed(s, "RopGetStoreState", &cur, h.rv);
        }
        break;
    case S_NSPI_BIND:  done_nspi(s, rc, 1); break;
    case S_NSPI:       done_nspi(s, rc, 0); break;
    case S_SAVE:       done_save(s, rc); break;
    case S_READ_TABLE: done_table(s, rc); break;
    case S_READ_MSG:   done_read_msg(s, rc); break;
    case S_COUNT: {
        long n = done_table(s, rc);
        if (n >= 0) {
            if (s->counting == 0)
                s->u->inbox_at_start = (unsigned long)n;
            else
                s->u->drafts_at_start = (unsigned long)n;
        }
        if (++s->counting == 2)
            G.counted++;
        break;
    }
    default: break;
    }
    s->n_ok++;
    mhc_response_free(&s->resp);
    apr_pool_clear(s->pool);
    sess_next(s);
}

/* ------------------------------------------------------- what next -- */

/* Ramp control: at most O.ramp_parallel sessions in Connect/Logon. */
static int in_ramp;
static int ramp_next;             /* next session index not yet started */

static void soak_step(lg_sess *s)
{
    int r = rand() % 100;

    if (r < 25) {
        s->state = S_SAVE;
        req_save(s);
    } else if (r < 50) {
        s->state = S_READ_TABLE;
        req_read_table(s, s->inbox, 20);
    } else if (r < 65 && s->last_mid) {
        s->state = S_READ_MSG;
        req_read_msg(s);
    } else if (r < 80) {
        s->state = S_NSPI;
        req_nspi(s);
    } else if (r < 90) {
        s->state = S_EXEC;
        req_small_exec(s);
    } else {
        s->state = S_WAIT;
        req_wait(s);
    }
}

static void sess_next(lg_sess *s)
{
    double now = mhc_now_ms();

    if (s->retired || (stopping && s->state != S_COUNT)) {
        s->state = S_DONE;
        return;
    }
    switch (s->state) {
    case S_CONNECT:
        return;                   /* retried by the timer done_connect set */
    case S_LOGON:
        req_logon(s);
        return;
    case S_READY:
        in_ramp--;
        switch (s->role) {
        case R_WAITER:
            s->state = S_WAIT;
            req_wait(s);
            return;
        case R_EXEC:
            if (O.scenario[0] == 'x') {
                s->state = S_DONE;      /* the phases start it */
                return;
            }
            s->state = S_EXEC;
            th_push(now + (rand() % 100), s);
            return;
        case R_SOAK:
            s->state = S_COUNT;
            s->counting = 0;
            if (s->u->counted) {
                s->state = S_READ_TABLE;
                th_push(now + rand() % 1000, s);
                return;
            }
            s->u->counted = 1;
            req_read_table(s, s->inbox, 1);
            return;
        default:
            s->state = S_DONE;    /* idle: holds its session, sends nothing */
            return;
        }
    case S_EXEC:
        if (s->role == R_SOAK) {
            th_push(now + G.soak_exec_interval_ms * (0.5 + drand48()), s);
            s->state = S_READ_TABLE;
            return;
        }
        if (O.scenario[0] == 'x')
            req_small_exec(s);            /* back to back */
        else
            th_push(now + O.exec_interval_ms, s);
        return;
    case S_STATIC:
        sess_request(s, MHC_EMSMDB, NULL, (mhc_buf){ NULL, 0 }, 30000);
        return;
    case S_WAIT:
        if (s->need_drain) {
            s->state = S_DRAIN;
            req_drain(s);
            return;
        }
        if (s->role == R_SOAK) {
            if (G.measuring || 1)
                s->state = S_READ_TABLE;
            th_push(now + G.soak_exec_interval_ms * drand48(), s);
            return;
        }
        req_wait(s);
        return;
    case S_DRAIN:
        s->need_drain = 0;
        if (s->role == R_SOAK) {
            s->state = S_READ_TABLE;
            th_push(now + G.soak_exec_interval_ms * drand48(), s);
            return;
        }
        s->state = S_WAIT;
        req_wait(s);
        return;
    case S_COUNT:
        if (s->counting == 1) {
            req_read_table(s, s->drafts, 1);
            return;
        }
        s->state = S_READ_TABLE;
        if (stopping) {
            s->state = S_DONE;
            return;
        }
        th_push(now + rand() % 1000, s);
        return;
    case S_NSPI_BIND:
        s->state = S_NSPI;
        req_nspi(s);
        return;
    case S_SAVE: case S_READ_TABLE: case S_READ_MSG: case S_NSPI:
        s->state = S_READ_TABLE;
        th_push(now + G.soak_exec_interval_ms * (0.5 + drand48()), s);
        return;
    default:
        return;
    }
}

/* A timer of s is due. */
static void sess_timer(lg_sess *s)
{
    if (s->busy || stopping || s->retired)
        return;
    switch (s->state) {
    case S_CONNECT:
        req_connect(s);
        break;
    case S_EXEC:
        req_small_exec(s);
        break;
    case S_READ_TABLE:
        if (s->role == R_SOAK && !G.soak_go)  /* until every count is in; */
            th_push(mhc_now_ms() + 200 +      /* then not all at once */
                    G.soak_exec_interval_ms * drand48(), s);
        else if (s->role == R_SOAK)
            soak_step(s);
        else
            req_read_table(s, s->inbox, 20);
        break;
    default:
        break;
    }
}

/* Starts sessions while fewer than O.ramp_parallel are connecting. */
static void ramp(int upto)
{
    while (ramp_next < upto && in_ramp < O.ramp_parallel) {
        lg_sess *s = &S[ramp_next++];

        in_ramp++;
        if (s->state == S_STATIC) {
            in_ramp--;
            sess_next(s);
        } else {
            req_connect(s);
        }
    }
}

/* Runs the loop until ms_until (absolute) or cond() is true. */
static void run_until(double until, int (*cond)(void), int ramp_upto)
{
    struct epoll_event evs[512];
    int running;

    for (;;) {
        double now = mhc_now_ms();
        long wait_ms;
        int n;
        CURLMsg *msg;
        int left;

        ramp(ramp_upto);
        while (th_n && TH[0].due <= now) {
            lg_timer t = th_pop();
            sess_timer(t.s);
        }
        if (now >= until || (cond && cond()))
            return;
        wait_ms = (long)(until - now);
        if (wait_ms > 200)
            wait_ms = 200;
        if (th_n && TH[0].due - now < wait_ms)
            wait_ms = (long)(TH[0].due - now);
        if (curl_timeout_ms >= 0 && curl_timeout_ms < wait_ms)
            wait_ms = curl_timeout_ms;
        if (wait_ms < 0)
            wait_ms = 0;
        n = epoll_wait(EP, evs, 512, (int)wait_ms);
        if (n <= 0) {
            curl_timeout_ms = -1;
            curl_multi_socket_action(M, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        for (int i = 0; i < n; i++) {
            int f = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0)
                  | (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0)
                  | (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(M, evs[i].data.fd, f, &running);
        }
        while ((msg = curl_multi_info_read(M, &left))) {
            lg_sess *s;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            sess_done(s, msg->data.result);
        }
    }
}

/* ------------------------------------------------ httpd processes -- */

typedef struct lg_procs {
    int n;
    long threads;
    double rss_kb, pss_kb, anon_kb;   /* anon: the processes' own memory
                                         (heap), not the shared cache */
    pid_t pid[64];
    double prss[64];
} lg_procs;

static long read_status_kb(pid_t pid, const char *file, const char *key)
{
    char path[64], line[256];
    FILE *f;
    long v = -1;
    size_t kl = strlen(key);

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, kl) == 0) {
            v = strtol(line + kl, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* The httpd parent (pid file) and its children. */
static void sample_httpd(lg_procs *p)
{
    FILE *f = O.pidfile ? fopen(O.pidfile, "r") : NULL;
    int parent = 0;
    DIR *d;
    struct dirent *de;

    memset(p, 0, sizeof(*p));
    if (f == NULL)
        return;
    if (fscanf(f, "%d", &parent) != 1)
        parent = 0;
    fclose(f);
    if (parent <= 0 || (d = opendir("/proc")) == NULL)
        return;
    while ((de = readdir(d))) {
        pid_t pid = (pid_t)atoi(de->d_name);
        long ppid, rss, pss, thr, anon;

        if (pid <= 0)
            continue;
        ppid = read_status_kb(pid, "status", "PPid:");
        if (pid != parent && ppid != parent)
            continue;
        rss = read_status_kb(pid, "status", "VmRSS:");
        thr = read_status_kb(pid, "status", "Threads:");
        anon = read_status_kb(pid, "status", "RssAnon:");
        pss = read_status_kb(pid, "smaps_rollup", "Pss:");
        if (p->n < 64) {
            p->pid[p->n] = pid;
            p->prss[p->n] = (double)rss;
        }
        p->n++;
        p->threads += thr > 0 ? thr : 0;
        p->rss_kb += rss > 0 ? (double)rss : 0;
        p->pss_kb += pss > 0 ? (double)pss : 0;
        p->anon_kb += anon > 0 ? (double)anon : 0;
    }
    closedir(d);
}

/* server-status?auto (Require local): the figure named key, or -1. */
static long server_status(const char *key)
{
    static char buf[65536];
    static size_t len;
    static double at;
    const char *p;
    size_t kl = strlen(key);

    if (mhc_now_ms() - at > 500) {
        mhc_client *c = mhc_client_new(O.url, MHC_AUTH_NONE, NULL, NULL, O.ca);
        mhc_response r;
        mhc_opts o = { .verb = "GET", .path = "/server-status?auto",
                       .flags = MHC_OMIT_REQUEST_TYPE | MHC_OMIT_CONTENT_TYPE };

        len = 0;
        if (mhc_request(c, MHC_EMSMDB, NULL, NULL, 0, &o, &r) != -2 &&
            r.http_status == 200) {
            len = r.raw_len < sizeof(buf) - 1 ? r.raw_len : sizeof(buf) - 1;
            memcpy(buf, r.raw, len);
        }
        buf[len] = 0;
        mhc_response_free(&r);
        mhc_client_free(&c);
        at = mhc_now_ms();
    }
    for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, key, kl) == 0 && p[kl] == ':')
            return strtol(p + kl + 1, NULL, 10);
    return -1;
}

/* -------------------------------------------------- delivery thread -- */

typedef struct lmtp_conn {
    int fd;
    char buf[4096];
    size_t len;
} lmtp_conn;

/* The last line of the next reply; its code. */
static int lmtp_reply(lmtp_conn *l)
{
    for (;;) {
        char *start = l->buf, *nl;
        while ((nl = memchr(start, '\n', l->len - (size_t)(start - l->buf)))) {
            /* "250-..." continues, "250 ..." (or a short line) ends */
            int last = nl - start < 4 || start[3] != '-';
            int code = atoi(start);
            start = nl + 1;
            if (last) {
                size_t rest = l->len - (size_t)(start - l->buf);
                memmove(l->buf, start, rest);
                l->len = rest;
                return code;
            }
        }
        {
            size_t rest = l->len - (size_t)(start - l->buf);
            memmove(l->buf, start, rest);
            l->len = rest;
        }
        ssize_t r = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len - 1);
        if (r <= 0)
            return -1;
        l->len += (size_t)r;
    }
}

static int lmtp_cmd(lmtp_conn *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int lmtp_cmd(lmtp_conn *l, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (write(l->fd, line, (size_t)n) != n)
        return -1;
    return lmtp_reply(l);
}

static int lmtp_open(lmtp_conn *l)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    char host[64];
    int port;

    memset(l, 0, sizeof(*l));
    if (sscanf(O.lmtp, "%63[^:]:%d", host, &port) != 2)
        die("bad --lmtp %s", O.lmtp);
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &sa.sin_addr);
    l->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(l->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return -1;
    if (lmtp_reply(l) != 220 || lmtp_cmd(l, "LHLO loadgen\r\n") != 250)
        return -1;
    return 0;
}

static struct {
    volatile int run;
    double rate;                  /* per second */
    int only_waiting;             /* pick mailboxes with parked waits */
    unsigned long sent, failed;
} D;

/* One message to u: 0 when the agent said 250. */
static int deliver_one(lmtp_conn *l, lg_user *u, unsigned long n)
{
    char msg[1024];
    int len;
    double t;

    len = snprintf(msg, sizeof(msg),
                   "From: Load Generator <loadgen@mapi.test>\r\n"
                   "To: <%s>\r\nSubject: loadgen delivery %lu\r\n"
                   "Message-ID: <lg-%lu-%ld@mapi.test>\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
                   "A delivered message of the load generator.\r\n",
                   u->smtp, n, n, (long)getpid());
    if (lmtp_cmd(l, "MAIL FROM:<loadgen@mapi.test>\r\n") != 250 ||
        lmtp_cmd(l, "RCPT TO:<%s>\r\n", u->smtp) != 250 ||
        lmtp_cmd(l, "DATA\r\n") != 354)
        return -1;
    if (write(l->fd, msg, (size_t)len) != len)
        return -1;
    /* The message is handed over with the final dot: wake latency counts
     * from here (it includes the delivery's own work). */
    t = mhc_now_ms();
    pthread_mutex_lock(&lg_mu);
    u->delivered_ms = t;
    u->deliver_seq++;
    pthread_mutex_unlock(&lg_mu);
    if (lmtp_cmd(l, ".\r\n") != 250)
        return -1;
    pthread_mutex_lock(&lg_mu);
    u->delivered++;
    pthread_mutex_unlock(&lg_mu);
    return 0;
}

static void *deliver_main(void *arg)
{
    lmtp_conn l;
    unsigned long n = 0;
    int next = 0;

    if (lmtp_open(&l) != 0) {
        note("cannot reach the LMTP agent at %s", O.lmtp);
        D.failed++;
        return NULL;
    }
    while (D.run) {
        /* Each delivery to the next mailbox in turn: a mailbox's sessions
         * are woken by one message at a time. */
        lg_user *u = &U[next];
        next = (next + 7919) % n_users;
        if (deliver_one(&l, u, n++) != 0) {
            D.failed++;
            close(l.fd);
            if (lmtp_open(&l) != 0)
                break;
        } else {
            D.sent++;
        }
        usleep((useconds_t)(1e6 / D.rate));
    }
    lmtp_cmd(&l, "QUIT\r\n");
    close(l.fd);
    return NULL;
}

/* ------------------------------------------------------- output -- */

static void row(const char *figure, const char *target, const char *measured,
                const char *verdict)
{
    printf("| %s | %s | %s | %s |\n", figure, target, measured, verdict);
    fflush(stdout);
}

static const char *verdict(int ok) { return ok ? "pass" : "FAIL"; }

/* Protocol errors are what the server answered wrongly; transport
 * failures (a connection the server closed, a timeout) are shown beside
 * them and fail the row too, so that an overloaded run is never a pass. */
static void errors_row(const char *what)
{
    char m[512];
    unsigned long proto = E.total - E.transport;

    snprintf(m, sizeof(m), "%lu (HTTP %lu, X-ResponseCode %lu, framing %lu, "
             "body %lu, ROP %lu); transport failures %lu", proto,
             E.http_status, proto - E.http_status - E.framing - E.body - E.rop,
             E.framing, E.body, E.rop, E.transport);
    row(what, "0", m, E.total == 0 ? "pass"
                      : proto == 0 ? "FAIL (transport only)" : "FAIL");
    if (E.total)
        note("last error: %s", E.last);
}

/* ---------------------------------------------------------- scenarios -- */

static int all_ready(void) { return G.ready + G.logon_failed >= ramp_next && ramp_next >= n_sess; }

static void make_sessions(int n, enum lg_role role, int first_user)
{
    S = calloc((size_t)n, sizeof(*S));
    n_sess = n;
    for (int i = 0; i < n; i++)
        sess_new(i, role, &U[(first_user + i) % n_users]);
}

static int xput_half;
static int half_ready(void) { return G.ready + G.logon_failed >= xput_half; }

/* (a) Execute vs a static file of the same size, alternating phases. */
static void scen_xput(void)
{
    char path[600], m[256], t[128];
    FILE *f;
    double phase = O.seconds / 4, rexec, rstatic;
    int half = O.conns;

    loop_init(4 * O.conns + 16);
    S = calloc((size_t)(2 * half), sizeof(*S));
    n_sess = 2 * half;
    for (int i = 0; i < half; i++)
        sess_new(i, R_EXEC, &U[i % n_users]);
    xput_half = half;
    run_until(mhc_now_ms() + 60000, half_ready, half);
    if (G.ready < half)
        die("only %d of %d sessions logged on", G.ready, half);
    /* One Execute tells the reply size the static file must have. */
    stopping = 1;
    for (int tries = 0; tries < 3 && G.exec_rsp_size == 0; tries++) {
        S[0].state = S_EXEC;
        req_small_exec(&S[0]);
        while (S[0].busy)
            run_until(mhc_now_ms() + 50, NULL, half);
    }
    if (G.exec_rsp_size == 0)
        die("the probing Execute failed: %s", E.last);
    /* The probe's errors (if any) are not the measurement's. */
    memset(&E, 0, sizeof(E));
    snprintf(path, sizeof(path), "%s/exec-size", O.static_dir);
    if ((f = fopen(path, "w")) == NULL)
        die("cannot write %s", path);
    for (size_t i = 0; i < G.exec_rsp_size; i++)
        fputc('x', f);
    fclose(f);
    chmod(path, 0644);
    note("Execute reply: %zu bytes; static file of the same size", G.exec_rsp_size);
    for (int i = half; i < 2 * half; i++)
        sess_new(i, R_STATIC, &U[i % n_users]);

    /* exec, static, exec, static: the shared machine's noise hits both. */
    double t_exec = 0, t_static = 0;
    for (int ph = 0; ph < 4; ph++) {
        int is_exec = ph % 2 == 0;
        double t0;
        G.measuring = 1;
        stopping = 0;
        t0 = mhc_now_ms();
        for (int i = 0; i < half; i++) {
            lg_sess *s = &S[is_exec ? i : half + i];
            if (is_exec) { s->state = S_EXEC; req_small_exec(s); }
            else { s->state = S_STATIC; sess_next(s); }
        }
        run_until(t0 + phase * 1000, NULL, 0);
        stopping = 1;
        G.measuring = 0;
        if (is_exec) t_exec += (mhc_now_ms() - t0) / 1000;
        else t_static += (mhc_now_ms() - t0) / 1000;
        /* drain what is in flight */
        for (int k = 0; k < 100; k++) {
            int busy = 0;
            for (int i = 0; i < n_sess; i++) busy += S[i].busy;
            if (!busy) break;
            run_until(mhc_now_ms() + 50, NULL, 0);
        }
        for (int i = 0; i < n_sess; i++)
            S[i].state = S[i].role == R_STATIC ? S_STATIC : S_EXEC;
    }
    rexec = (double)G.execs / t_exec;
    rstatic = (double)G.statics / t_static;
    snprintf(m, sizeof(m), "%.0f/s vs static %.0f/s: **%.2f** (p50 %.1f/%.1f ms, "
             "p99 %.1f/%.1f ms; %d connections, %zu-byte replies)",
             rexec, rstatic, rexec / rstatic, st_pct(&G.lat_exec, 50),
             st_pct(&G.lat_static, 50), st_pct(&G.lat_exec, 99),
             st_pct(&G.lat_static, 99), half, G.exec_rsp_size);
    snprintf(t, sizeof(t), ">= 0.8 of static");
    row(O.negotiate ? "Execute throughput (RopGetPropertiesSpecific) / static file, same TLS + Negotiate (Kerberos)"
                    : "Execute throughput (RopGetPropertiesSpecific) / static file, same TLS + Basic",
        t, m, verdict(rexec / rstatic >= 0.8));
    errors_row("xput: protocol errors");
}

static int all_parked(void)
{
    return ramp_next >= n_sess && in_ramp == 0 &&
           G.parked + G.logon_failed >= n_sess - O.exec_clients;
}

/* (b) N waits held; threads, memory; wake latency; Execute latency. */
static void scen_waits(void)
{
    int nw = O.sessions, ne = O.exec_clients;
    lg_procs p0, p1;
    pthread_t th;
    char m[512];
    double t0, ramp_s;
    long workers_busy, workers_idle, nwaits;
    struct rlimit rl;

    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)(nw + ne + 256))
        die("ulimit -n %lu is too small for %d sessions",
            (unsigned long)rl.rlim_cur, nw);
    sample_httpd(&p0);
    loop_init(nw + 4 * ne + 64);
    S = calloc((size_t)(nw + ne), sizeof(*S));
    n_sess = nw + ne;
    /* Exec clients first (index 0..ne-1), on users of their own. */
    for (int i = 0; i < ne; i++)
        sess_new(i, R_EXEC, &U[i % n_users]);
    for (int i = 0; i < nw; i++)
        sess_new(ne + i, R_WAITER, &U[i % n_users]);
    t0 = mhc_now_ms();
    note("ramping %d waiting sessions (%d connecting at once)", nw,
         O.ramp_parallel);
    {
        double last = 0;
        int last_parked = -1;
        double stall_since = mhc_now_ms();
        while (!all_parked()) {
            run_until(mhc_now_ms() + 1000, all_parked, n_sess);
            if (mhc_now_ms() - last > 10000) {
                note("%.0f s: %d started, %d ready, %d waits parked, %lu errors",
                     (mhc_now_ms() - t0) / 1000, ramp_next, G.ready, G.parked,
                     E.total);
                last = mhc_now_ms();
            }
            if (G.parked != last_parked) {
                last_parked = G.parked;
                stall_since = mhc_now_ms();
            } else if (mhc_now_ms() - stall_since > 60000) {
                note("no progress for 60 s: stopping the ramp at %d waits", G.parked);
                break;
            }
        }
    }
    ramp_s = (mhc_now_ms() - t0) / 1000;
    /* Let the exec clients settle, then sample the server while all wait. */
    run_until(mhc_now_ms() + 3000, NULL, n_sess);
    sample_httpd(&p1);
    workers_busy = server_status("BusyWorkers");
    workers_idle = server_status("IdleWorkers");
    nwaits = server_status("MapiNotificationWaits");
    note("%d waits parked after %.0f s; httpd: %d processes, %ld threads, "
         "RSS %.0f MiB, PSS %.0f MiB; workers busy %ld idle %ld; "
         "server counts %ld waits", G.parked, ramp_s, p1.n, p1.threads,
         p1.rss_kb / 1024, p1.pss_kb / 1024, workers_busy, workers_idle, nwaits);
    snprintf(m, sizeof(m), "%d of %d (ramp %.0f s; server-status: %ld waits)",
             G.parked, nw, ramp_s, nwaits);
    row("sessions holding a pending NotificationWait at once", ">= 10000",
        m, verdict(G.parked >= 10000));
    snprintf(m, sizeof(m), "%ld worker threads (busy %ld + idle %ld); %ld "
             "threads in all %d httpd processes", workers_busy + workers_idle,
             workers_busy, workers_idle, p1.threads, p1.n);
    row("httpd worker threads while they wait", "<= 64", m,
        verdict(workers_busy + workers_idle <= 64 && workers_busy >= 0));
    snprintf(m, sizeof(m), "RSS sum %.0f MiB (PSS sum %.0f MiB, private %.0f "
             "MiB; before the sessions %.0f / %.0f / %.0f MiB)",
             p1.rss_kb / 1024, p1.pss_kb / 1024, p1.anon_kb / 1024,
             p0.rss_kb / 1024, p0.pss_kb / 1024, p0.anon_kb / 1024);
    row("resident memory of all httpd processes while they wait", "<= 1024 MiB",
        m, verdict(p1.rss_kb <= 1024.0 * 1024));

    /* Measurement: deliveries wake sampled sessions; Executes beside. */
    G.measuring = 1;
    G.execs = 0;
    G.lat_exec.n = 0;
    D.run = 1;
    D.rate = O.deliver_rate;
    if (O.lmtp)
        pthread_create(&th, NULL, deliver_main, NULL);
    run_until(mhc_now_ms() + O.seconds * 1000, NULL, n_sess);
    D.run = 0;
    if (O.lmtp)
        pthread_join(th, NULL);
    run_until(mhc_now_ms() + 2000, NULL, n_sess);
    G.measuring = 0;
    snprintf(m, sizeof(m), "p99 %.0f ms, p50 %.0f ms, max %.0f ms (%lu wakes "
             "by %lu deliveries, %lu failed)", st_pct(&G.lat_wake, 99),
             st_pct(&G.lat_wake, 50), st_pct(&G.lat_wake, 100),
             (unsigned long)G.lat_wake.n, D.sent, D.failed);
    row("delivery to wake of the waiting session (all sessions waiting)",
        "p99 <= 1000 ms", m,
        verdict(G.lat_wake.n > 0 && st_pct(&G.lat_wake, 99) <= 1000));
    snprintf(m, sizeof(m), "p99 %.1f ms, p50 %.1f ms (%lu Executes by %d "
             "clients, one each %.0f ms)", st_pct(&G.lat_exec, 99),
             st_pct(&G.lat_exec, 50), G.execs, ne, O.exec_interval_ms);
    row(O.negotiate ? "other clients' Execute latency meanwhile (Negotiate)"
                    : "other clients' Execute latency meanwhile (Basic)", "p99 < 20 ms", m,
        verdict(G.execs > 0 && st_pct(&G.lat_exec, 99) < 20));
    errors_row("waits: protocol errors");
}

/* (c) idle sessions: memory here; storage by bench_dbsize in run.sh. */
static void scen_idle(void)
{
    lg_procs p0, p1;
    char m[256];
    int n = O.sessions;

    sample_httpd(&p0);
    loop_init(64);
    make_sessions(n, R_IDLE, 0);
    run_until(mhc_now_ms() + 600000, all_ready, n);
    /* Connections close or idle out; the sessions stay in the database. */
    run_until(mhc_now_ms() + 7000, NULL, n);
    sample_httpd(&p1);
    note("idle sessions: %d", G.ready);
    snprintf(m, sizeof(m), "private (RssAnon) %+.2f KiB, RSS %+.1f KiB, PSS "
             "%+.1f KiB per session (%d sessions; httpd RSS %.0f -> %.0f MiB, "
             "private %.0f -> %.0f MiB)",
             (p1.anon_kb - p0.anon_kb) / G.ready,
             (p1.rss_kb - p0.rss_kb) / G.ready, (p1.pss_kb - p0.pss_kb) / G.ready,
             G.ready, p0.rss_kb / 1024, p1.rss_kb / 1024, p0.anon_kb / 1024,
             p1.anon_kb / 1024);
    row("memory of an idle session in the httpd processes (private memory; "
        "RSS/PSS include the shared database cache pages touched)",
        "0 (no growth)", m, verdict((p1.anon_kb - p0.anon_kb) / G.ready < 1.0));
    errors_row("idle: protocol errors");
}

/* (d) soak: mixed load; counts; memory every 10 s. */
static void scen_soak(void)
{
    int n = O.sessions;
    pthread_t th;
    FILE *csv = NULL;
    double t0, next_sample;
    lg_procs p;
    char m[512];
    /* RSS of each pid at the half and at the end. */
    pid_t pids[64];
    double mid[64], last[64], amid[64], alast[64];   /* RSS, RssAnon */
    int npids = 0, mid_done = 0;
    unsigned long lost = 0, extra = 0, delivered = 0, saved = 0;

    G.soak_exec_interval_ms = O.exec_interval_ms;
    loop_init(2 * n + 64);
    make_sessions(n, R_SOAK, 0);
    note("soak: %d sessions over %d mailboxes for %.0f s", n, n_users, O.seconds);
    run_until(mhc_now_ms() + 120000, all_ready, n);
    /* The first session of each mailbox counts its folders first. */
    {
        int want = n < n_users ? n : n_users;
        for (int k = 0; k < 1200 && G.counted < want; k++)
            run_until(mhc_now_ms() + 50, NULL, n);
        if (G.counted < want)
            note("only %d of %d mailboxes counted at the start", G.counted, want);
    }
    G.soak_go = 1;
    if (O.csv && (csv = fopen(O.csv, "w")))
        fprintf(csv, "seconds,pid,rss_kib,pss_kib,private_kib\n");
    D.run = 1;
    D.rate = O.deliver_rate;
    if (O.lmtp)
        pthread_create(&th, NULL, deliver_main, NULL);
    G.measuring = 1;
    t0 = mhc_now_ms();
    next_sample = t0;
    while (mhc_now_ms() - t0 < O.seconds * 1000) {
        double el;
        run_until(mhc_now_ms() + 1000, NULL, n);
        if (mhc_now_ms() < next_sample)
            continue;
        next_sample += 10000;
        el = (mhc_now_ms() - t0) / 1000;
        sample_httpd(&p);
        for (int i = 0; i < p.n && i < 64; i++) {
            int k;
            long pss = read_status_kb(p.pid[i], "smaps_rollup", "Pss:");
            double anon = (double)read_status_kb(p.pid[i], "status", "RssAnon:");
            for (k = 0; k < npids && pids[k] != p.pid[i]; k++)
                ;
            if (k == npids && npids < 64) {
                pids[npids] = p.pid[i];
                mid[npids] = p.prss[i];
                amid[npids] = anon;
                npids++;
            }
            if (k < 64) {
                if (!mid_done && el >= O.seconds / 2) {
                    mid[k] = p.prss[i];
                    amid[k] = anon;
                }
                last[k] = p.prss[i];
                alast[k] = anon;
            }
            if (csv)
                fprintf(csv, "%.0f,%d,%.0f,%ld,%.0f\n", el, (int)p.pid[i],
                        p.prss[i], pss, anon);
        }
        if (el >= O.seconds / 2)
            mid_done = 1;
        if (csv)
            fflush(csv);
        note("%.0f s: saves %lu, reads %lu, nspi %lu, waits %lu, wakes %lu, "
             "deliveries %lu, errors %lu; httpd RSS %.0f MiB", el, G.saves,
             G.reads, G.nspi, G.waits_done, G.wakes, D.sent, E.total,
             p.rss_kb / 1024);
    }
    D.run = 0;
    if (O.lmtp)
        pthread_join(th, NULL);
    stopping = 1;
    {
        int busy = 1;
        for (int k = 0; k < 400 && busy; k++) {
            busy = 0;
            run_until(mhc_now_ms() + 50, NULL, n);
            for (int i = 0; i < n; i++)
                busy += S[i].busy && S[i].state != S_WAIT;
        }
    }
    if (csv)
        fclose(csv);
    /* Count: every mailbox's Inbox and Outbox against what went in.  A
     * fresh session per mailbox (the soak sessions may be in waits). */
    stopping = 0;
    {
        lg_sess *cs;
        int nc = n_users;
        lg_sess *old = S;
        int old_n = n_sess;
        for (int i = 0; i < old_n; i++)
            old[i].retired = 1;
        S = calloc((size_t)nc, sizeof(*S));
        n_sess = nc;
        ramp_next = 0;
        in_ramp = 0;
        G.ready = 0;
        G.logon_failed = 0;
        for (int i = 0; i < nc; i++) {
            cs = sess_new(i, R_IDLE, &U[i]);
            (void)cs;
        }
        run_until(mhc_now_ms() + 120000, all_ready, nc);
        for (int i = 0; i < nc; i++) {
            S[i].role = R_SOAK;
            S[i].state = S_COUNT;
            S[i].counting = 0;
            S[i].u->inbox_at_start += 0;
            req_read_table(&S[i], S[i].inbox, 1);
        }
        /* S_COUNT writes the counts into *_at_start: keep the start ones. */
        unsigned long *ib = calloc((size_t)nc, sizeof(long)), *db = calloc((size_t)nc, sizeof(long));
        for (int i = 0; i < nc; i++) {
            ib[i] = U[i].inbox_at_start;
            db[i] = U[i].drafts_at_start;
        }
        stopping = 1;     /* S_COUNT sessions go on; others stop */
        for (int k = 0; k < 600; k++) {
            int left = 0;
            run_until(mhc_now_ms() + 50, NULL, nc);
            for (int i = 0; i < nc; i++)
                left += S[i].state == S_COUNT && S[i].counting < 2;
            if (!left)
                break;
        }
        for (int i = 0; i < nc; i++) {
            unsigned long want_in = ib[i] + U[i].delivered;
            unsigned long want_dr = db[i] + U[i].saved;
            delivered += U[i].delivered;
            saved += U[i].saved;
            if (U[i].inbox_at_start < want_in)
                lost += want_in - U[i].inbox_at_start;
            else
                extra += U[i].inbox_at_start - want_in;
            if (U[i].drafts_at_start < want_dr)
                lost += want_dr - U[i].drafts_at_start;
            else
                extra += U[i].drafts_at_start - want_dr;
        }
        free(ib);
        free(db);
        (void)old;
        (void)old_n;
    }
    errors_row("soak: protocol errors");
    snprintf(m, sizeof(m), "%lu lost, %lu unexpected (%lu saved, %lu "
             "delivered, counted in every Inbox and Outbox)", lost, extra,
             saved, delivered);
    row("soak: lost messages", "0", m, verdict(lost == 0 && extra == 0 &&
                                                saved + delivered > 0));
    {
        /* Private memory decides: RSS also counts the shared database
         * cache pages a process touches as the store grows. */
        double worst = 0, worst_rss = 0;
        int worst_pid = 0;
        for (int k = 0; k < npids; k++) {
            double g = alast[k] - amid[k];
            if (g > worst) {
                worst = g;
                worst_pid = pids[k];
            }
            if (last[k] - mid[k] > worst_rss)
                worst_rss = last[k] - mid[k];
        }
        snprintf(m, sizeof(m), "largest private (RssAnon) growth over the "
                 "second half %.0f KiB (pid %d), largest RSS growth %.0f KiB; "
                 "%d processes sampled every 10 s, %s", worst, worst_pid,
                 worst_rss, npids, O.csv ? O.csv : "no CSV");
        row("soak: httpd memory flat (private memory growth over the second half)",
            "<= 2048 KiB per process", m, verdict(worst <= 2048));
    }
    snprintf(m, sizeof(m), "%lu saves, %lu reads, %lu NSPI lookups, %lu "
             "waits (%lu woken by delivery; wake p99 %.0f ms)", G.saves,
             G.reads, G.nspi, G.waits_done, G.wakes, st_pct(&G.lat_wake, 99));
    row("soak: operations", "-", m, "-");
}

/* -------------------------------------------------------------- main -- */

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen xput|waits|idle|soak --url URL --ca PEM --users FILE\n"
            "       [--pidfile httpd.pid] [--static-dir DIR] [--lmtp HOST:PORT]\n"
            "       [--sessions N] [--exec-clients N] [--conns N] [--seconds S]\n"
            "       [--deliver-rate R] [--exec-interval MS] [--ramp N] [--csv FILE]\n"
            "       [--negotiate]  (Execute and static clients: Negotiate from KRB5CCNAME)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "url", 1, 0, 'u' }, { "ca", 1, 0, 'c' }, { "users", 1, 0, 'U' },
        { "pidfile", 1, 0, 'p' }, { "static-dir", 1, 0, 'd' },
        { "lmtp", 1, 0, 'l' }, { "sessions", 1, 0, 'n' },
        { "exec-clients", 1, 0, 'e' }, { "conns", 1, 0, 'k' },
        { "seconds", 1, 0, 's' }, { "deliver-rate", 1, 0, 'r' },
        { "exec-interval", 1, 0, 'i' }, { "ramp", 1, 0, 'R' },
        { "csv", 1, 0, 'C' }, { "negotiate", 0, 0, 'N' }, { 0, 0, 0, 0 } };
    int ch;

    if (argc < 2)
        usage();
    O.scenario = argv[1];
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'u': O.url = optarg; break;
        case 'c': O.ca = optarg; break;
        case 'U': O.users_file = optarg; break;
        case 'p': O.pidfile = optarg; break;
        case 'd': O.static_dir = optarg; break;
        case 'l': O.lmtp = optarg; break;
        case 'n': O.sessions = atoi(optarg); break;
        case 'e': O.exec_clients = atoi(optarg); break;
        case 'k': O.conns = atoi(optarg); break;
        case 's': O.seconds = atof(optarg); break;
        case 'r': O.deliver_rate = atof(optarg); break;
        case 'i': O.exec_interval_ms = atof(optarg); break;
        case 'R': O.ramp_parallel = atoi(optarg); break;
        case 'C': O.csv = optarg; break;
        case 'N': O.negotiate = 1; break;
        default: usage();
        }
    }
    if (!O.url || !O.users_file)
        usage();
    signal(SIGPIPE, SIG_IGN);
    srand48(1);
    srand(1);
    mhc_global_init();
    load_users(O.users_file);
    if (strcmp(O.scenario, "xput") == 0) {
        if (!O.static_dir)
            die("xput needs --static-dir");
        scen_xput();
    } else if (strcmp(O.scenario, "waits") == 0) {
        scen_waits();
    } else if (strcmp(O.scenario, "idle") == 0) {
        scen_idle();
    } else if (strcmp(O.scenario, "soak") == 0) {
        scen_soak();
    } else {
        usage();
    }
    return 0;
}
