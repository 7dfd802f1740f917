/*
 * dlv_lmtp.c: the LMTP server side ([RFC 2033]) of local delivery.
 *
 * LMTP rather than SMTP because it answers DATA once per recipient: the
 * MTA learns which mailboxes took the message and retries only the
 * others.  The session is an explicit state machine (GREETED -> LHLO ->
 * MAIL -> RCPT -> DATA) over a small buffered line reader; every state
 * refuses what does not belong to it with 503 instead of guessing.
 *
 * Limits: a command line of LMTP_MAX_LINE bytes, MIME_MAX_MESSAGE bytes
 * of message (what is over is read and thrown away, then refused with
 * 552 for each recipient, so the stream stays in step), LMTP_MAX_RCPT
 * recipients per transaction.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "dlv.h"
#include "mime/mime.h"

#define LMTP_MAX_LINE   4096
#define LMTP_MAX_RCPT   1000
#define LMTP_BUF        65536

typedef enum lmtp_state {
    LMTP_GREETED,        /* waiting for LHLO */
    LMTP_READY,          /* LHLO done, no transaction */
    LMTP_MAIL,           /* MAIL FROM accepted */
    LMTP_RCPT,           /* at least one recipient accepted */
} lmtp_state;

typedef struct lmtp_conn {
    mapi_db *db;
    apr_pool_t *pool;        /* the session */
    apr_pool_t *tpool;       /* the transaction: cleared by RSET/DATA */
    int in_fd, out_fd;
    const char *hostname;
    lmtp_state state;
    char buf[LMTP_BUF];      /* read buffer */
    size_t head, tail;
    int eof;
    const char *env_from;
    apr_array_header_t *rcpts;   /* const char *, accepted ones */
} lmtp_conn;

/* ---- I/O ---------------------------------------------------------------- */

static int lmtp_write(lmtp_conn *c, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(c->out_fd, s, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static int lmtp_reply(lmtp_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int lmtp_reply(lmtp_conn *c, const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = apr_pvsprintf(c->tpool, fmt, ap);
    va_end(ap);
    line = apr_pstrcat(c->tpool, line, "\r\n", NULL);
    return lmtp_write(c, line, strlen(line));
}

static int lmtp_fill(lmtp_conn *c)
{
    ssize_t r;

    if (c->head > 0) {
        memmove(c->buf, c->buf + c->head, c->tail - c->head);
        c->tail -= c->head;
        c->head = 0;
    }
    if (c->tail == sizeof(c->buf))
        return 0;                           /* full: the caller splits */
    do
        r = read(c->in_fd, c->buf + c->tail, sizeof(c->buf) - c->tail);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        c->eof = 1;
        return -1;
    }
    c->tail += (size_t)r;
    return 0;
}

/* The next line, LF included, as a view into the buffer valid until the
 * next call; a line longer than the buffer comes in pieces (*whole_r 0).
 * Returns its length, or -1 at the end of input. */
static ssize_t lmtp_line(lmtp_conn *c, const char **line_r, int *whole_r)
{
    for (;;) {
        char *nl = memchr(c->buf + c->head, '\n', c->tail - c->head);
        size_t n;

        if (nl || (c->tail - c->head == sizeof(c->buf))) {
            n = nl ? (size_t)(nl - (c->buf + c->head)) + 1 : sizeof(c->buf);
            *line_r = c->buf + c->head;
            *whole_r = nl != NULL;
            c->head += n;
            return (ssize_t)n;
        }
        if (c->eof || lmtp_fill(c) != 0)
            return -1;
    }
}

/* ---- commands ----------------------------------------------------------- */

/* The address of "FROM:<a> ..." / "TO:<a> ...": the text between the
 * brackets (may be empty), or NULL when malformed. */
static const char *lmtp_path(apr_pool_t *pool, const char *arg,
                             const char **params_r)
{
    const char *lt, *gt;

    while (*arg == ' ')
        arg++;
    if (*arg != '<' || (gt = strchr(arg, '>')) == NULL)
        return NULL;
    lt = arg;
    *params_r = gt + 1;
    return apr_pstrmemdup(pool, lt + 1, (apr_size_t)(gt - lt - 1));
}

static void lmtp_reset(lmtp_conn *c)
{
    apr_pool_clear(c->tpool);
    c->env_from = NULL;
    c->rcpts = apr_array_make(c->tpool, 4, sizeof(const char *));
    if (c->state != LMTP_GREETED)
        c->state = LMTP_READY;
}

static int lmtp_lhlo(lmtp_conn *c, const char *arg)
{
    if (*arg == '\0')
        return lmtp_reply(c, "501 5.5.4 LHLO needs a host name");
    c->state = LMTP_READY;
    lmtp_reset(c);
    return lmtp_reply(c, "250-%s\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES"
                      "\r\n250-8BITMIME\r\n250 SIZE %u", c->hostname,
                      MIME_MAX_MESSAGE);
}

/* SIZE=n among the MAIL parameters ([RFC 1870]); 0 when absent. */
static apr_uint64_t lmtp_size_param(const char *params)
{
    const char *p = params;

    while ((p = strcasestr(p, "SIZE=")) != NULL) {
        if (p == params || p[-1] == ' ')
            return apr_strtoi64(p + 5, NULL, 10);
        p += 5;
    }
    return 0;
}

static int lmtp_mail(lmtp_conn *c, const char *arg)
{
    const char *params = "", *from;

    if (c->state == LMTP_GREETED)
        return lmtp_reply(c, "503 5.5.1 LHLO first");
    if (c->state != LMTP_READY)
        return lmtp_reply(c, "503 5.5.1 MAIL already given");
    if (strncasecmp(arg, "FROM:", 5) != 0
        || (from = lmtp_path(c->tpool, arg + 5, &params)) == NULL)
        return lmtp_reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
    if (lmtp_size_param(params) > MIME_MAX_MESSAGE)
        return lmtp_reply(c, "552 5.3.4 Message size exceeds the limit of %u",
                          MIME_MAX_MESSAGE);
    c->env_from = from;
    c->state = LMTP_MAIL;
    return lmtp_reply(c, "250 2.1.0 Sender ok");
}

static int lmtp_rcpt(lmtp_conn *c, const char *arg)
{
    const char *params, *to, *text;
    dlv_status st;

    if (c->state != LMTP_MAIL && c->state != LMTP_RCPT)
        return lmtp_reply(c, "503 5.5.1 MAIL first");
    if (strncasecmp(arg, "TO:", 3) != 0
        || (to = lmtp_path(c->tpool, arg + 3, &params)) == NULL || !*to)
        return lmtp_reply(c, "501 5.5.4 Syntax: RCPT TO:<address>");
    if (c->rcpts->nelts >= LMTP_MAX_RCPT)
        return lmtp_reply(c, "452 4.5.3 Too many recipients");
    st = dlv_check_recipient(c->db, c->tpool, to, &text);
    if (st != DLV_OK)
        return lmtp_reply(c, "%s %s", dlv_lmtp_code(st), text);
    APR_ARRAY_PUSH(c->rcpts, const char *) = to;
    c->state = LMTP_RCPT;
    return lmtp_reply(c, "250 2.1.5 Recipient ok");
}

/* Reads the message up to the lone ".", undoing dot-stuffing
 * ([RFC 5321] 4.5.2).  *over_r: more than the limit came (and was
 * dropped).  Returns 0, or -1 when the input ended first. */
static int lmtp_read_data(lmtp_conn *c, char **data_r, size_t *len_r,
                          int *over_r)
{
    size_t cap = 65536, len = 0;
    char *data = apr_palloc(c->tpool, cap);
    int at_line_start = 1;

    *over_r = 0;
    for (;;) {
        const char *line;
        int whole;
        ssize_t n = lmtp_line(c, &line, &whole);

        if (n < 0)
            return -1;
        if (at_line_start && line[0] == '.') {
            if ((n == 2 && line[1] == '\n')
                || (n == 3 && line[1] == '\r' && line[2] == '\n'))
                break;
            line++, n--;
        }
        at_line_start = whole;
        if (*over_r || len + (size_t)n > MIME_MAX_MESSAGE) {
            *over_r = 1;
            continue;
        }
        if (len + (size_t)n > cap) {
            char *bigger;

            while (cap < len + (size_t)n)
                cap *= 2;
            bigger = apr_palloc(c->tpool, cap);
            memcpy(bigger, data, len);
            data = bigger;
        }
        memcpy(data + len, line, (size_t)n);
        len += (size_t)n;
    }
    *data_r = data;
    *len_r = len;
    return 0;
}

/* One reply per accepted recipient, in RCPT order ([RFC 2033] 4.2). */
static int lmtp_data(lmtp_conn *c)
{
    char *data;
    size_t len;
    int over, rc = 0;

    if (c->state == LMTP_MAIL)
        return lmtp_reply(c, "503 5.5.1 No valid recipients");
    if (c->state != LMTP_RCPT)
        return lmtp_reply(c, "503 5.5.1 MAIL and RCPT first");
    if (lmtp_reply(c, "354 End data with <CR><LF>.<CR><LF>") != 0)
        return -1;
    if (lmtp_read_data(c, &data, &len, &over) != 0)
        return -1;
    for (int i = 0; i < c->rcpts->nelts && rc == 0; i++) {
        const char *to = APR_ARRAY_IDX(c->rcpts, i, const char *);
        dlv_request req = { .rcpt = to, .env_from = c->env_from,
                            .data = (const uint8_t *)data, .len = len };
        dlv_result res;
        apr_pool_t *p;

        if (over) {
            rc = lmtp_reply(c, "552 5.3.4 <%s> message size exceeds the "
                            "limit of %u", to, MIME_MAX_MESSAGE);
            continue;
        }
        apr_pool_create(&p, c->tpool);
        dlv_deliver(c->db, p, &req, &res);
        rc = lmtp_reply(c, "%s <%s> %s", dlv_lmtp_code(res.status), to,
                        res.text ? res.text : "");
        apr_pool_destroy(p);
    }
    lmtp_reset(c);
    return rc;
}

/* Runs one command line (CRLF stripped).  Returns 1 after QUIT, 0 to go
 * on, -1 when the peer is gone. */
static int lmtp_command(lmtp_conn *c, char *line)
{
    char *arg = line;

    while (*arg && *arg != ' ')
        arg++;
    if (*arg)
        *arg++ = '\0';
    if (strcasecmp(line, "LHLO") == 0)
        return lmtp_lhlo(c, arg);
    if (strcasecmp(line, "MAIL") == 0)
        return lmtp_mail(c, arg);
    if (strcasecmp(line, "RCPT") == 0)
        return lmtp_rcpt(c, arg);
    if (strcasecmp(line, "DATA") == 0)
        return lmtp_data(c);
    if (strcasecmp(line, "RSET") == 0) {
        lmtp_reset(c);
        return lmtp_reply(c, "250 2.0.0 Reset");
    }
    if (strcasecmp(line, "NOOP") == 0)
        return lmtp_reply(c, "250 2.0.0 OK");
    if (strcasecmp(line, "VRFY") == 0)
        return lmtp_reply(c, "252 2.5.0 Cannot verify; send the mail");
    if (strcasecmp(line, "QUIT") == 0) {
        lmtp_reply(c, "221 2.0.0 %s closing", c->hostname);
        return 1;
    }
    if (strcasecmp(line, "HELO") == 0 || strcasecmp(line, "EHLO") == 0)
        return lmtp_reply(c, "500 5.5.1 This is LMTP: use LHLO");
    return lmtp_reply(c, "500 5.5.2 Unknown command");
}

/* A command line, CRLF or LF stripped; an over-long one is swallowed to
 * its end and answered 500. */
static int lmtp_next_command(lmtp_conn *c, char **line_r)
{
    const char *line;
    int whole;
    ssize_t n = lmtp_line(c, &line, &whole);

    if (n < 0)
        return -1;
    if (!whole || n > LMTP_MAX_LINE) {
        while (!whole && (n = lmtp_line(c, &line, &whole)) >= 0)
            ;
        *line_r = NULL;
        return n < 0 ? -1 : 0;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    *line_r = apr_pstrmemdup(c->tpool, line, (apr_size_t)n);
    return 0;
}

int dlv_lmtp_serve(mapi_db *db, apr_pool_t *pool, int in_fd, int out_fd,
                   const char *hostname)
{
    lmtp_conn *c = apr_pcalloc(pool, sizeof(*c));
    int rc = 0;

    c->db = db;
    c->pool = pool;
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->hostname = hostname;
    c->state = LMTP_GREETED;
    apr_pool_create(&c->tpool, pool);
    lmtp_reset(c);
    if (lmtp_reply(c, "220 %s LMTP mod_mapi ready", hostname) != 0)
        return -1;
    while (rc == 0) {
        char *line;

        if (lmtp_next_command(c, &line) != 0)
            return -1;
        rc = line ? lmtp_command(c, line)
                  : lmtp_reply(c, "500 5.5.2 Line too long");
    }
    return rc == 1 ? 0 : -1;
}
