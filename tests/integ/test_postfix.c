/*
 * test_postfix.c: mail through a real MTA.  A private Postfix instance
 * (its own configuration, queue and log under the instance directory,
 * SMTP on a free loopback port) hands mail for mapi.test to
 * `mapi-deliver -lmtp -listen` over LMTP, as README's "Mail in and out"
 * sets it up; a client of the mailbox, parked in NotificationWait with a
 * NewMail subscription, must be woken and find the message in its Inbox.
 * A recipient the server does not know is refused at LMTP and bounced by
 * Postfix.
 *
 * Needs root and Debian's postfix package (build/install-deps.sh).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;
static char pf_dir[400];          /* the Postfix instance */
static int smtp_port, lmtp_port;
static pid_t lmtp_pid = -1;

#define NOTIFY_NEW_MAIL 0x0002

static int port_open(int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static int wait_port(int port, int ms)
{
    for (int i = 0; i < ms / 50; i++) {
        if (port_open(port))
            return 0;
        harness_sleep_ms(50);
    }
    return -1;
}

static int run_cmd(const char *fmt, const char *arg)
{
    char cmd[1200];

    snprintf(cmd, sizeof(cmd), fmt, arg, arg);
    return system(cmd);
}

/* main.cf: mapi.test is local, and every local recipient goes to the
 * LMTP listener, which decides who exists (local_recipient_maps empty). */
static int pf_write_config(void)
{
    char path[500];
    FILE *f;

    snprintf(path, sizeof(path), "%s/etc/main.cf", pf_dir);
    if (!(f = fopen(path, "w")))
        return -1;
    fprintf(f, "compatibility_level = 3.6\n"
            "queue_directory = %s/queue\n"
            "data_directory = %s/data\n"
            "mail_owner = postfix\nsetgid_group = postdrop\n"
            "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n"
            "myhostname = mx.mapi.test\nmydomain = mapi.test\n"
            "mydestination = mapi.test\nmynetworks = 127.0.0.0/8\n"
            "local_recipient_maps =\nalias_maps =\nalias_database =\n"
            "local_transport = lmtp:inet:127.0.0.1:%d\n"
            "maillog_file = %s/maillog\nmaillog_file_prefixes = %s\n"
            "smtputf8_enable = no\nbiff = no\n",
            pf_dir, pf_dir, lmtp_port, pf_dir, pf_dir);
    fclose(f);
    /* master.cf: Debian's, with smtpd on our port and not chrooted. */
    return run_cmd("sed 's/^smtp      inet  n       -       y       -       -"
                   "       smtpd/127.0.0.1:SMTPPORT inet n - n - - smtpd/' "
                   "/etc/postfix/master.cf > %s/etc/master.cf", pf_dir) == 0
           ? 0 : -1;
}

static int pf_start(void)
{
    char cmd[1600], port[16];
    struct passwd *pw = getpwnam("postfix");

    if (!pw)
        return -1;
    snprintf(pf_dir, sizeof(pf_dir), "%s/postfix", H.dir);
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/etc %s/queue %s/data", pf_dir,
             pf_dir, pf_dir);
    if (system(cmd) != 0 || pf_write_config() != 0)
        return -1;
    snprintf(port, sizeof(port), "%d", smtp_port);
    snprintf(cmd, sizeof(cmd), "sed -i 's/SMTPPORT/%s/' %s/etc/master.cf",
             port, pf_dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "%s/data", pf_dir);
    if (chown(cmd, pw->pw_uid, pw->pw_gid) != 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "postfix -c %s/etc set-permissions "
             ">/dev/null 2>&1; postfix -c %s/etc start >%s/start.log 2>&1",
             pf_dir, pf_dir, pf_dir);
    if (system(cmd) != 0)
        return -1;
    return wait_port(smtp_port, 10000);
}

static void pf_stop(void)
{
    if (pf_dir[0])
        run_cmd("postfix -c %s/etc stop >/dev/null 2>&1", pf_dir);
}

static int lmtp_start(void)
{
    char addr[64], bin[512];

    snprintf(addr, sizeof(addr), "127.0.0.1:%d", lmtp_port);
    snprintf(bin, sizeof(bin), "%s/mapi-deliver", harness_build());
    if ((lmtp_pid = fork()) == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, 0);
        execl(bin, bin, "-DataDir", H.admin_db, "-lmtp", "-listen", addr,
              (char *)NULL);
        _exit(127);
    }
    return lmtp_pid > 0 ? wait_port(lmtp_port, 5000) : -1;
}

static int suite_init(void)
{
    static const char *const env[] = { "MAPI_MAX_NOTIFICATION_WAIT=30",
                                       NULL };

    if (harness_start(&H, env) != 0)
        return -1;
    smtp_port = harness_free_port();
    lmtp_port = harness_free_port();
    while (lmtp_port == smtp_port)
        lmtp_port = harness_free_port();
    if (lmtp_start() != 0) {
        fprintf(stderr, "test_postfix: the LMTP listener did not start\n");
        return -1;
    }
    if (pf_start() != 0) {
        fprintf(stderr, "test_postfix: Postfix did not start (see %s)\n",
                pf_dir);
        return -1;
    }
    return 0;
}

static int suite_cleanup(void)
{
    int status;

    pf_stop();
    if (lmtp_pid > 0) {
        kill(lmtp_pid, SIGTERM);
        waitpid(lmtp_pid, &status, 0);
    }
    return harness_stop(&H);
}

/* ------------------------------------------------------------- SMTP -- */

typedef struct upload {
    const char *data;
    size_t len, off;
} upload;

static size_t smtp_read(char *buf, size_t size, size_t n, void *baton)
{
    upload *u = baton;
    size_t room = size * n, left = u->len - u->off;

    if (room > left)
        room = left;
    memcpy(buf, u->data + u->off, room);
    u->off += room;
    return room;
}

/* Sends msg from alice@example.org to rcpt through Postfix's smtpd; the
 * curl code (0 when the MTA took it). */
static int smtp_send(const char *rcpt, const char *msg)
{
    CURL *c = curl_easy_init();
    struct curl_slist *to = curl_slist_append(NULL, rcpt);
    char url[64];
    upload u = { msg, strlen(msg), 0 };
    CURLcode rc;

    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d/client.example.org",
             smtp_port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, "<alice@example.org>");
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    rc = curl_easy_perform(c);
    curl_slist_free_all(to);
    curl_easy_cleanup(c);
    return (int)rc;
}

/* ------------------------------------------------------------ client -- */

typedef struct waiter {
    mhc_client *c;
    int rc;
    mhc_nwait_rsp nw;
    struct timeval done;
} waiter;

static void *wait_thread(void *arg)
{
    waiter *w = arg;
    mhc_response r;

    w->rc = mhc_notification_wait(w->c, NULL, &r, &w->nw);
    gettimeofday(&w->done, NULL);
    mhc_response_free(&r);
    return NULL;
}

static const uint32_t cols[] = { RC_TAG_MID, RC_TAG_SUBJECT };

static int inbox_has(rc_session *s, const char *subject)
{
    uint32_t inbox = RC_NO_HANDLE, table = RC_NO_HANDLE, n = 0;
    rc_rows_rsp rows;
    int found = 0;

    if (rc_open_folder(s, s->lo.fids[RC_FID_INBOX], &inbox) == 0
        && rc_get_contents_table(s, inbox, 0, &table, &n) == 0
        && rc_query_table(s, table, cols, 2, 500, &rows) == 0)
        found = rc_rows_find_str(&rows, RC_TAG_SUBJECT, subject) != NULL;
    rc_release(s, table);
    rc_release(s, inbox);
    return found;
}

/* Whether the Postfix log says rcpt's message was bounced, within ms. */
static int maillog_bounced(const char *rcpt, int ms)
{
    char path[500], line[2048], needle[200];

    snprintf(path, sizeof(path), "%s/maillog", pf_dir);
    snprintf(needle, sizeof(needle), "to=<%s>", rcpt);
    for (int i = 0; i < ms / 100; i++) {
        FILE *f = fopen(path, "r");

        while (f && fgets(line, sizeof(line), f))
            if (strstr(line, needle) && strstr(line, "status=bounced")) {
                fclose(f);
                return 1;
            }
        if (f)
            fclose(f);
        harness_sleep_ms(100);
    }
    return 0;
}

/* ------------------------------------------------------------- tests -- */

static void test_mail_through_postfix_wakes_and_lands_in_inbox(void)
{
    static const char msg[] =
        "From: Alice <alice@example.org>\r\n"
        "To: Demo <demo@mapi.test>\r\n"
        "Subject: through Postfix\r\n"
        "Message-ID: <postfix-1@example.org>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "\r\nRelayed by a real MTA.\r\n";
    mhc_client *c = harness_connect_demo(harness_client(&H, 0,
                                                        MHC_AUTH_BASIC));
    rc_session s;
    waiter w = { 0 };
    pthread_t t;
    struct timeval sent;
    rc_buf b;
    rc_exec x;
    rc_head h;
    double ms;
    int rc;

    REQUIREF(c != NULL, "no client");
    rc_session_init(&s, c);
    REQUIREF(rc_logon(&s, NULL, 0) == 0, "RopLogon: %s", s.error);
    rc_buf_init(&b, s.pool);
    rc_buf_handle(&b, 0, s.logon);
    rc_buf_handles_min(&b, 2);
    rc_req_register_notification(&b, s.logon_id, 0, 1, NOTIFY_NEW_MAIL, 0,
                                 s.lo.fids[RC_FID_INBOX], 0);
    REQUIREF(rc_execute(c, &b, s.pool, &x) == 0
             && rc_rsp_generic(&x.resp, 0x29, &h) == 0 && h.rv == 0,
             "RopRegisterNotification(NewMail): 0x%08X", h.rv);
    rc_exec_free(&x);
    w.c = c;
    pthread_create(&t, NULL, wait_thread, &w);
    harness_sleep_ms(500);
    gettimeofday(&sent, NULL);
    rc = smtp_send("<demo@mapi.test>", msg);
    pthread_join(t, NULL);
    CHECKF(rc == 0, "SMTP to Postfix: curl code %d", rc);
    ms = (w.done.tv_sec - sent.tv_sec) * 1000.0
         + (w.done.tv_usec - sent.tv_usec) / 1000.0;
    CHECKF(w.rc == 0 && w.nw.event_pending == 1, "[MS-OXCMAPIHTTP] R1371: "
           "the wait ended with rc %d, EventPending %u", w.rc,
           w.nw.event_pending);
    printf("\n    (SMTP accept to NotificationWait wake-up: %.0f ms)\n", ms);
    CHECKF(inbox_has(&s, "through Postfix"), "the message relayed by "
           "Postfix is not in the Inbox");
out:
    if (c)
        rc_session_free(&s);
    mhc_client_free(&c);
}

/* Postfix takes it at SMTP (its recipients are unchecked), LMTP refuses
 * it with 550 5.1.1 and Postfix bounces it: no silent loss. */
static void test_unknown_recipient_bounced_by_postfix(void)
{
    static const char msg[] = "From: alice@example.org\r\n"
                              "To: nobody@mapi.test\r\n"
                              "Subject: to nobody\r\n\r\nhello\r\n";

    CHECKF(smtp_send("<nobody@mapi.test>", msg) == 0, "SMTP refused");
    CHECKF(maillog_bounced("nobody@mapi.test", 15000), "Postfix did not "
           "log the bounce of nobody@mapi.test (see %s/maillog)", pf_dir);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("delivery through Postfix and LMTP", suite_init,
                     suite_cleanup);
    CU_add_test(s, "mail through Postfix wakes the NotificationWait and "
                "lands in the Inbox",
                test_mail_through_postfix_wakes_and_lands_in_inbox);
    CU_add_test(s, "an unknown recipient is refused at LMTP and bounced",
                test_unknown_recipient_bounced_by_postfix);
    return harness_run_tests();
}
