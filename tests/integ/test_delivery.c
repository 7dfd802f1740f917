/*
 * test_delivery.c: mail from the MTA into the mailbox, end to end.
 * build/mapi-deliver is run as an MTA runs it (message on standard
 * input, recipient as argument; and as an LMTP server, on a pipe and on a
 * loopback port), against the instance's data directory while httpd
 * serves it; what arrived is then read back over MAPI over HTTP as a
 * client would: the Inbox's contents table, the message's properties,
 * its recipients and its attachment, and the NewMail notification that
 * woke a parked NotificationWait.
 *
 * Exit statuses are sysexits(3): 0, 67 EX_NOUSER, 69 EX_UNAVAILABLE,
 * 75 EX_TEMPFAIL.  Requirement ids: [MS-OXCNOTIF] unless marked.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_strings.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

#define TAG_SENDER_NAME      0x0C1A001Fu
#define TAG_SENDER_EMAIL     0x0C1F001Fu
#define TAG_MESSAGE_ID       0x1035001Fu
#define TAG_DISPLAY_TO       0x0E04001Fu
#define TAG_ATTACH_SIZE      0x0E200003u
#define NOTIFY_NEW_MAIL      0x0002
#define ROP_ID_NOTIFY        0x2A

static int suite_init(void)
{
    static const char *const env[] = { "MAPI_MAX_NOTIFICATION_WAIT=6", NULL };

    return harness_start(&H, env) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static double now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

/* ------------------------------------------------------- the program -- */

static int deliver_to(const char *rcpt, const char *msg, char *out,
                      size_t cap)
{
    const char *args[] = { "-f", "sender@example.org", rcpt, NULL };

    return harness_deliver(&H, args, msg, strlen(msg), out, cap);
}

/* ------------------------------------------------------- the client -- */

typedef struct session {
    mhc_client *c;
    rc_session s;
} session;

static int session_open(session *x, int who)
{
    mhc_connect_rsp cr;
    int rc;

    memset(x, 0, sizeof(*x));
    x->c = harness_client(&H, who, MHC_AUTH_BASIC);
    if (!x->c)
        return -1;
    if (who == 0) {
        if (!harness_connect_demo(x->c)) {
            x->c = NULL;
            return -1;
        }
    } else if ((rc = mhc_connect(x->c, H_OTHER_DN, NULL, &cr)) != 0) {
        CHECKF(0, "setup: Connect of other: %d", rc);
        return -1;
    }
    rc_session_init(&x->s, x->c);
    if (rc_logon(&x->s, who == 0 ? NULL : H_OTHER_DN, 0) != 0) {
        CHECKF(0, "setup: RopLogon: %s", x->s.error);
        return -1;
    }
    return 0;
}

static void session_close(session *x)
{
    if (x->c)
        rc_session_free(&x->s);
    mhc_client_free(&x->c);
}

static const uint32_t row_cols[] = { RC_TAG_MID, RC_TAG_SUBJECT,
                                     RC_TAG_MESSAGE_CLASS,
                                     RC_TAG_MESSAGE_FLAGS };

/* The Inbox row whose subject is subject: its message id, or 0. */
static uint64_t inbox_find(session *x, const char *subject, rc_row *row_r)
{
    uint32_t inbox = RC_NO_HANDLE, table = RC_NO_HANDLE, n = 0;
    rc_rows_rsp rows;
    const rc_row *row;
    uint64_t mid = 0;

    if (rc_open_folder(&x->s, x->s.lo.fids[RC_FID_INBOX], &inbox) != 0
        || rc_get_contents_table(&x->s, inbox, 0, &table, &n) != 0
        || rc_query_table(&x->s, table, row_cols, 4, 500, &rows) != 0) {
        CHECKF(0, "the Inbox's contents table: %s", x->s.error);
        return 0;
    }
    if ((row = rc_rows_find_str(&rows, RC_TAG_SUBJECT, subject)) != NULL) {
        mid = rc_row_u64(row, RC_TAG_MID, 0);
        if (row_r)
            *row_r = *row;
    }
    rc_release(&x->s, table);
    rc_release(&x->s, inbox);
    return mid;
}

/* --------------------------------------------------------- messages -- */

static const char plain_msg[] =
    "Return-Path: <sender@example.org>\r\n"
    "From: Alice Example <alice@example.org>\r\n"
    "To: Demo User <demo@mapi.test>, Bob <bob@example.org>\r\n"
    "Subject: delivered by pipe\r\n"
    "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
    "Message-ID: <pipe-1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello from the MTA.\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream; name=\"notes.bin\"\r\n"
    "Content-Disposition: attachment; filename=\"notes.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n"
    "--b1--\r\n";

/* A message with this subject (and a Message-ID derived from it). */
static char *simple_msg(apr_pool_t *p, const char *subject, const char *to)
{
    return apr_psprintf(p, "From: Alice <alice@example.org>\r\n"
                        "To: %s\r\nSubject: %s\r\n"
                        "Message-ID: <%s@example.org>\r\n"
                        "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\n"
                        "Body of %s.\r\n", to, subject, subject, subject);
}

/* ------------------------------------------------------------- tests -- */

/* The piped message lands in the Inbox with its header fields, body,
 * recipients and attachment, unread; a second session reads it. */
static void test_pipe_delivery_reaches_the_inbox(void)
{
    static const uint32_t tags[] = { RC_TAG_SUBJECT, RC_TAG_BODY,
                                     TAG_SENDER_NAME, TAG_SENDER_EMAIL,
                                     TAG_MESSAGE_ID, TAG_DISPLAY_TO,
                                     RC_TAG_MESSAGE_FLAGS };
    static const uint32_t att_tags[] = { RC_TAG_ATTACH_LONG_FILENAME,
                                         RC_TAG_ATTACH_DATA_BIN };
    static const uint8_t want[32] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
        19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 };
    char out[2048];
    session x = { 0 };
    rc_row row, att;
    rc_message_rsp msg;
    rc_buf b;
    rc_exec e;
    rc_head h;
    const rc_prop *p;
    const char *body;
    uint64_t mid;
    int rc;

    rc = deliver_to("demo@mapi.test", plain_msg, out, sizeof(out));
    REQUIREF(rc == 0, "mapi-deliver exit %d: %.160s", rc, out);
    REQUIREF(session_open(&x, 0) == 0, "no session");
    mid = inbox_find(&x, "delivered by pipe", &row);
    REQUIREF(mid != 0, "the delivered message is not in the Inbox");
    CHECKF(!(rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0) & 0x01),
           "[MS-OXCMSG] a delivered message is unread: flags 0x%X",
           rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0));
    CHECKF(rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0) & 0x10,
           "mfHasAttach missing: flags 0x%X",
           rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0));
    REQUIREF(rc_open_message_props(&x.s, x.s.logon,
                                   x.s.lo.fids[RC_FID_INBOX], mid, tags, 7,
                                   &msg, &row) == 0,
             "RopOpenMessage: %s", x.s.error);
    body = rc_row_str(&row, RC_TAG_BODY);
    CHECKF(body && strstr(body, "Hello from the MTA."), "PidTagBody '%s'",
           body ? body : "(none)");
    CHECKF(rc_row_str(&row, TAG_SENDER_NAME)
           && !strcmp(rc_row_str(&row, TAG_SENDER_NAME), "Alice Example"),
           "PidTagSenderName '%s'", rc_row_str(&row, TAG_SENDER_NAME));
    CHECKF(rc_row_str(&row, TAG_MESSAGE_ID)
           && strstr(rc_row_str(&row, TAG_MESSAGE_ID), "pipe-1@example.org"),
           "PidTagInternetMessageId '%s'", rc_row_str(&row, TAG_MESSAGE_ID));
    CHECKF(msg.recipient_count == 2, "[MS-OXCMSG] RopOpenMessage "
           "RecipientCount %u, expected the 2 of To:", msg.recipient_count);
    /* The attachment's bytes, decoded from base64. */
    rc_buf_init(&b, x.s.pool);
    rc_buf_handle(&b, 0, x.s.logon);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, x.s.lo.fids[RC_FID_INBOX], 0,
                        mid);
    rc_req_open_attachment(&b, 0, 1, 2, 0, 0);
    rc_req_get_props_specific(&b, 0, 2, 0, 1, att_tags, 2);
    REQUIREF(rc_execute(x.c, &b, x.s.pool, &e) == 0, "open attachment: %s",
             e.error);
    rc_rsp_open_message(&e.resp, &msg);
    CHECKF(rc_rsp_generic(&e.resp, 0x22, &h) == 0 && h.rv == 0,
           "RopOpenAttachment 0: 0x%08X", h.rv);
    if (h.rv == 0 && rc_rsp_get_props_specific(&e.resp, att_tags, 2, &h,
                                               &att) == 0) {
        CHECKF(rc_row_str(&att, RC_TAG_ATTACH_LONG_FILENAME)
               && !strcmp(rc_row_str(&att, RC_TAG_ATTACH_LONG_FILENAME),
                          "notes.bin"), "PidTagAttachLongFilename '%s'",
               rc_row_str(&att, RC_TAG_ATTACH_LONG_FILENAME));
        p = rc_row_find(&att, RC_TAG_ATTACH_DATA_BIN);
        CHECKF(p && p->v.bin.len == 32 && !memcmp(p->v.bin.data, want, 32),
               "PidTagAttachDataBinary: %zu bytes, not the 32 sent",
               p ? (size_t)p->v.bin.len : 0);
    }
    rc_exec_free(&e);
out:
    session_close(&x);
}

/* sysexits for the MTA: an unknown mailbox bounces (67, 5.1.1), a
 * subaddress reaches its mailbox, an over-size message is refused (69)
 * before it is read whole, and garbage never crashes the program. */
static void test_pipe_exit_statuses(void)
{
    apr_pool_t *p;
    char out[2048], *big;
    const size_t big_len = 65u * 1024 * 1024;
    session x = { 0 };
    int rc;

    apr_pool_create(&p, NULL);
    rc = deliver_to("nobody@mapi.test", simple_msg(p, "to nobody",
                    "nobody@mapi.test"), out, sizeof(out));
    CHECKF(rc == 67, "unknown recipient: exit %d (%.160s), expected 67 "
           "EX_NOUSER", rc, out);
    CHECKF(strstr(out, "5.1.1") != NULL, "no 5.1.1 in '%.160s'", out);
    rc = deliver_to("demo+lists@mapi.test", simple_msg(p, "subaddressed",
                    "demo+lists@mapi.test"), out, sizeof(out));
    CHECKF(rc == 0, "demo+lists@: exit %d (%.160s)", rc, out);
    big = malloc(big_len);
    if (big) {
        const char *args[] = { "demo@mapi.test", NULL };
        double t0 = now_ms();

        memset(big, 'x', big_len);
        memcpy(big, "Subject: big\r\n\r\n", 16);
        rc = harness_deliver(&H, args, big, big_len, out, sizeof(out));
        CHECKF(rc == 69, "a 65 MiB message: exit %d (%.160s), expected 69 "
               "EX_UNAVAILABLE", rc, out);
        printf("\n    (65 MiB refused in %.0f ms)\n", now_ms() - t0);
        free(big);
    }
    {
        static const uint8_t junk[] = { 0x00, 0xFF, 0x01, 0x80, 0x0A, 0x0D,
                                        0x3A, 0x3A, 0x00, 0x0A };
        const char *args[] = { "demo@mapi.test", NULL };

        rc = harness_deliver(&H, args, junk, sizeof(junk), out, sizeof(out));
        CHECKF(rc == 0 || rc == 65, "binary junk: exit %d (%.160s): a crash or "
               "an unexpected status", rc, out);
    }
    REQUIREF(session_open(&x, 0) == 0, "no session");
    CHECKF(inbox_find(&x, "subaddressed", NULL) != 0,
           "the subaddressed message is not in the Inbox");
    CHECKF(inbox_find(&x, "big", NULL) == 0, "the refused message is there");
out:
    session_close(&x);
    apr_pool_destroy(p);
}

typedef struct waiter {
    mhc_client *c;
    int rc;
    mhc_nwait_rsp nw;
    double done_ms;
} waiter;

static void *wait_thread(void *arg)
{
    waiter *w = arg;
    mhc_response r;

    w->rc = mhc_notification_wait(w->c, NULL, &r, &w->nw);
    w->done_ms = now_ms();
    mhc_response_free(&r);
    return NULL;
}

/* R3, R12 (NewMail on the folder subscribed to), [MS-OXCMAPIHTTP] R1371:
 * delivery by another process wakes the parked wait within a second, and
 * the next Execute carries RopNotify NewMail with the message's ids and
 * class. */
static void test_delivery_wakes_notification_wait_with_new_mail(void)
{
    apr_pool_t *p;
    session a = { 0 };
    waiter w = { 0 };
    pthread_t t;
    rc_buf b;
    rc_exec x;
    rc_head h;
    char out[1024];
    uint32_t sub = RC_NO_HANDLE, state, handle;
    uint8_t lid, id;
    uint16_t flags;
    uint64_t fid = 0, mid = 0, got_mid;
    double sent_ms;
    int rc;

    apr_pool_create(&p, NULL);
    REQUIREF(session_open(&a, 0) == 0, "no session");
    rc_buf_init(&b, a.s.pool);
    rc_buf_handle(&b, 0, a.s.logon);
    rc_buf_handles_min(&b, 2);
    rc_req_register_notification(&b, a.s.logon_id, 0, 1, NOTIFY_NEW_MAIL, 0,
                                 a.s.lo.fids[RC_FID_INBOX], 0);
    REQUIREF(rc_execute(a.c, &b, a.s.pool, &x) == 0, "register: %s",
             x.error);
    if (rc_rsp_generic(&x.resp, 0x29, &h) == 0 && h.rv == 0)
        sub = x.handles[1];
    rc_exec_free(&x);
    REQUIREF(sub != RC_NO_HANDLE, "RopRegisterNotification(NewMail): 0x%08X",
             h.rv);
    w.c = a.c;
    pthread_create(&t, NULL, wait_thread, &w);
    usleep(500 * 1000);
    rc = deliver_to("demo@mapi.test", simple_msg(p, "wake up",
                    "demo@mapi.test"), out, sizeof(out));
    sent_ms = now_ms();
    pthread_join(t, NULL);
    CHECKF(rc == 0, "mapi-deliver exit %d: %.160s", rc, out);
    CHECKF(w.rc == 0 && w.nw.event_pending == 1, "[MS-OXCMAPIHTTP] R1371: "
           "wait rc %d EventPending %u", w.rc, w.nw.event_pending);
    CHECKF(w.done_ms - sent_ms < 1000.0, "the wait returned %.0f ms after "
           "delivery (limit 1000)", w.done_ms - sent_ms);
    rc_buf_init(&b, a.s.pool);
    rc_buf_handle(&b, 0, a.s.logon);
    rc_req_get_store_state(&b, a.s.logon_id, 0);
    REQUIREF(rc_execute(a.c, &b, a.s.pool, &x) == 0, "Execute: %s", x.error);
    rc = rc_rsp_get_store_state(&x.resp, &h, &state) == 0
         && rc_get_u8(&x.resp, &id) == 0 && id == ROP_ID_NOTIFY
         && rc_get_u32(&x.resp, &handle) == 0 && rc_get_u8(&x.resp, &lid) == 0
         && rc_get_u16(&x.resp, &flags) == 0 && rc_get_u64(&x.resp, &fid) == 0
         && rc_get_u64(&x.resp, &got_mid) == 0;
    CHECKF(rc, "[MS-OXCROPS] R4360: no RopNotify after RopGetStoreState "
           "(%s)", rc_resp_error(&x.resp));
    if (rc) {
        CHECKF(handle == sub, "R4362: NotificationHandle 0x%08X, the "
               "subscription is 0x%08X", handle, sub);
        CHECKF((flags & 0x0FFF) == NOTIFY_NEW_MAIL, "R1: NotificationType "
               "0x%04X, expected NewMail", flags);
        CHECKF(fid == a.s.lo.fids[RC_FID_INBOX], "R208: FolderId %016llX "
               "is not the Inbox", (unsigned long long)fid);
        mid = inbox_find(&a, "wake up", NULL);
        CHECKF(mid != 0 && got_mid == mid, "R209: MessageId %016llX, the "
               "delivered message is %016llX", (unsigned long long)got_mid,
               (unsigned long long)mid);
    }
    rc_exec_free(&x);
out:
    session_close(&a);
    apr_pool_destroy(p);
}

/* ------------------------------------------------------------- LMTP -- */

typedef struct lmtp {
    int fd;
    char buf[8192];
    size_t len;
} lmtp;

/* The next complete reply (its last line "NNN text"), or NULL. */
static const char *lmtp_reply(lmtp *l)
{
    static char reply[4096];

    for (;;) {
        char *start = l->buf, *nl;

        while ((nl = memchr(start, '\n', l->len - (size_t)(start - l->buf)))) {
            if (nl - start >= 4 && start[3] == ' ') {
                size_t n = (size_t)(nl + 1 - l->buf);

                memcpy(reply, l->buf, n < sizeof(reply) ? n : sizeof(reply) - 1);
                reply[n < sizeof(reply) ? n : sizeof(reply) - 1] = '\0';
                memmove(l->buf, l->buf + n, l->len - n);
                l->len -= n;
                return reply;
            }
            start = nl + 1;
        }
        ssize_t r = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len - 1);

        if (r <= 0)
            return NULL;
        l->len += (size_t)r;
    }
}

static int lmtp_send(lmtp *l, const char *s)
{
    return write(l->fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

static int expect(lmtp *l, const char *code, const char *what)
{
    const char *r = lmtp_reply(l);

    CHECKF(r && !strncmp(r, code, strlen(code)), "[RFC 2033] %.160s: '%.160s', "
           "expected %s", what, r ? r : "(closed)", code);
    return r && !strncmp(r, code, strlen(code)) ? 0 : -1;
}

/* One transaction, pipelined: demo and other accepted, nobody refused at
 * RCPT, one DATA reply per accepted recipient ([RFC 2033] 4.2); a
 * dot-stuffed line arrives unstuffed.  Returns 0 when every reply was the
 * expected one. */
static int lmtp_transaction(lmtp *l, const char *subject)
{
    char msg[1024];
    int bad = 0;

    bad |= expect(l, "220", "greeting");
    bad |= lmtp_send(l, "LHLO client.example.org\r\n");
    bad |= expect(l, "250", "LHLO");
    bad |= lmtp_send(l, "MAIL FROM:<alice@example.org> SIZE=400\r\n"
                     "RCPT TO:<demo@mapi.test>\r\n"
                     "RCPT TO:<nobody@mapi.test>\r\n"
                     "RCPT TO:<other@mapi.test>\r\n"
                     "DATA\r\n");
    bad |= expect(l, "250", "MAIL FROM");
    bad |= expect(l, "250", "RCPT demo");
    bad |= expect(l, "550", "RCPT nobody (5.1.1)");
    bad |= expect(l, "250", "RCPT other");
    bad |= expect(l, "354", "DATA");
    snprintf(msg, sizeof(msg), "From: Alice <alice@example.org>\r\n"
             "To: demo@mapi.test, other@mapi.test\r\nSubject: %s\r\n\r\n"
             "..leading dot\r\nlast line\r\n.\r\n", subject);
    bad |= lmtp_send(l, msg);
    bad |= expect(l, "250", "DATA reply for demo");
    bad |= expect(l, "250", "DATA reply for other");
    bad |= lmtp_send(l, "QUIT\r\n");
    bad |= expect(l, "221", "QUIT");
    return bad ? -1 : 0;
}

/* The message of lmtp_transaction reached both mailboxes, unstuffed. */
static void lmtp_check_arrival(const char *subject)
{
    static const uint32_t tags[] = { RC_TAG_BODY };
    for (int who = 0; who < 2; who++) {
        session x = { 0 };
        rc_row row;
        uint64_t mid;
        const char *body;

        if (session_open(&x, who) != 0)
            continue;
        mid = inbox_find(&x, subject, NULL);
        CHECKF(mid != 0, "'%s' is not in the Inbox of %s", subject,
               who ? "other" : "demo");
        if (mid && rc_open_message_props(&x.s, x.s.logon,
                                         x.s.lo.fids[RC_FID_INBOX], mid,
                                         tags, 1, NULL, &row) == 0) {
            body = rc_row_str(&row, RC_TAG_BODY);
            CHECKF(body && strstr(body, ".leading dot")
                   && !strstr(body, "..leading"), "[RFC 5321] 4.5.2: "
                   "body '%s' not unstuffed", body ? body : "(none)");
        }
        session_close(&x);
    }
}

/* `mapi-deliver -lmtp` on a socket pair, as inetd or spawn(8) run it. */
static void test_lmtp_on_standard_input(void)
{
    int sv[2], status = 0;
    lmtp l = { 0 };
    pid_t pid;

    REQUIREF(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
    if ((pid = fork()) == 0) {
        dup2(sv[1], 0);
        dup2(sv[1], 1);
        close(sv[0]);
        execl(harness_deliver_path(), harness_deliver_path(), "-DataDir", H.admin_db,
              "-lmtp", (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    l.fd = sv[0];
    CHECKF(lmtp_transaction(&l, "lmtp on stdin") == 0, "the LMTP session");
    close(sv[0]);
    CHECKF(waitpid(pid, &status, 0) == pid && WIFEXITED(status)
           && WEXITSTATUS(status) == 0, "mapi-deliver -lmtp exit status %d",
           status);
    lmtp_check_arrival("lmtp on stdin");
out:
    ;
}

/* Commands out of order get 503, unknown ones and SMTP's greetings 500,
 * an over-long line 500, and the session goes on ([RFC 2033] 4.1). */
static void test_lmtp_protocol_errors(void)
{
    int sv[2], status = 0;
    lmtp l = { 0 };
    char longline[6000];
    pid_t pid;

    REQUIREF(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
    if ((pid = fork()) == 0) {
        dup2(sv[1], 0);
        dup2(sv[1], 1);
        close(sv[0]);
        execl(harness_deliver_path(), harness_deliver_path(), "-DataDir", H.admin_db,
              "-lmtp", (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    l.fd = sv[0];
    expect(&l, "220", "greeting");
    lmtp_send(&l, "MAIL FROM:<a@example.org>\r\n");
    expect(&l, "503", "MAIL before LHLO");
    lmtp_send(&l, "EHLO x\r\n");
    expect(&l, "500", "EHLO on LMTP");
    lmtp_send(&l, "LHLO x\r\n");
    expect(&l, "250", "LHLO");
    lmtp_send(&l, "RCPT TO:<demo@mapi.test>\r\n");
    expect(&l, "503", "RCPT before MAIL");
    lmtp_send(&l, "MAIL FROM:<a@example.org> SIZE=999999999\r\n");
    expect(&l, "552", "MAIL with SIZE over the limit");
    lmtp_send(&l, "MAIL FROM:<a@example.org>\r\n");
    expect(&l, "250", "MAIL");
    lmtp_send(&l, "DATA\r\n");
    expect(&l, "503", "DATA without a recipient");
    lmtp_send(&l, "RCPT TO:demo@mapi.test\r\n");
    expect(&l, "501", "RCPT without brackets");
    memset(longline, 'A', sizeof(longline));
    memcpy(longline + sizeof(longline) - 3, "\r\n", 3);
    lmtp_send(&l, longline);
    expect(&l, "500", "an over-long line");
    lmtp_send(&l, "FROB\r\n");
    expect(&l, "500", "an unknown command");
    lmtp_send(&l, "RSET\r\nNOOP\r\nQUIT\r\n");
    expect(&l, "250", "RSET");
    expect(&l, "250", "NOOP");
    expect(&l, "221", "QUIT");
    close(sv[0]);
    CHECKF(waitpid(pid, &status, 0) == pid && WIFEXITED(status)
           && WEXITSTATUS(status) == 0, "exit status %d", status);
out:
    ;
}

/* The listener on a loopback port, as Postfix's lmtp:inet:... reaches it;
 * SIGTERM stops it cleanly and it removes its pid file. */
static void test_lmtp_listener(void)
{
    char addr[64], pidfile[400];
    struct sockaddr_in sa = { .sin_family = AF_INET };
    lmtp l = { 0 };
    int port = harness_free_port(), status = 0, fd = -1;
    pid_t pid;

    REQUIREF(port > 0, "no free port");
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    /* The listener gives up root for the store's owner; it removes its
     * pid file as that user, so the file lives in a directory it may
     * write. */
    snprintf(pidfile, sizeof(pidfile), "%s/lmtp-run", H.dir);
    mkdir(pidfile, 0777);
    chmod(pidfile, 0777);
    snprintf(pidfile, sizeof(pidfile), "%s/lmtp-run/lmtp.pid", H.dir);
    if ((pid = fork()) == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, 0);
        execl(harness_deliver_path(), harness_deliver_path(), "-DataDir", H.admin_db,
              "-lmtp", "-listen", addr, "-pidfile", pidfile, (char *)NULL);
        _exit(127);
    }
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    for (int i = 0; i < 100 && fd < 0; i++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
            close(fd);
            fd = -1;
            harness_sleep_ms(50);
        }
    }
    CHECKF(fd >= 0, "the listener never accepted on %s", addr);
    if (fd >= 0) {
        l.fd = fd;
        CHECKF(lmtp_transaction(&l, "lmtp on a port") == 0, "the session");
        close(fd);
    }
    CHECKF(access(pidfile, F_OK) == 0, "no pid file %s", pidfile);
    kill(pid, SIGTERM);
    CHECKF(waitpid(pid, &status, 0) == pid && WIFEXITED(status)
           && WEXITSTATUS(status) == 0, "after SIGTERM: status %d", status);
    CHECKF(access(pidfile, F_OK) != 0, "the pid file is left behind");
    if (fd >= 0)
        lmtp_check_arrival("lmtp on a port");
out:
    ;
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("delivery: mapi-deliver into the mailbox", suite_init,
                     suite_cleanup);
    CU_add_test(s, "a piped message reaches the Inbox with its fields, body, "
                "recipients and attachment",
                test_pipe_delivery_reaches_the_inbox);
    CU_add_test(s, "exit statuses: 67 unknown, subaddress delivered, 69 too "
                "big, junk survives", test_pipe_exit_statuses);
    CU_add_test(s, "delivery wakes a parked NotificationWait within 1 s and "
                "RopNotify NewMail follows (R1371, R4360)",
                test_delivery_wakes_notification_wait_with_new_mail);
    CU_add_test(s, "LMTP on standard input: per-recipient replies, "
                "dot-unstuffing (RFC 2033)", test_lmtp_on_standard_input);
    CU_add_test(s, "LMTP protocol errors: 503, 500, 501, 552 and the session "
                "goes on", test_lmtp_protocol_errors);
    CU_add_test(s, "LMTP listener on a loopback port, SIGTERM, pid file",
                test_lmtp_listener);
    return harness_run_tests();
}
