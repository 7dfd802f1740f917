/*
 * test_submit.c: sending mail, end to end.  The demo user writes a
 * message in the Outbox and submits it (RopSubmitMessage) over MAPI over
 * HTTP; the instance's MapiSendmailCommand is capture-sendmail.sh, which
 * files what it is given as the MTA would receive it.  Checked: the
 * sendmail command gets valid MIME (parsed here with GMime) with the
 * envelope on its command line and no Bcc header; the local recipient
 * finds it in the Inbox; the sender finds it in Sent Items, sent and
 * read; PidTagDeleteAfterSubmit deletes it; a hand-off that fails leaves
 * it in the Outbox and puts an NDR in the sender's Inbox; no recipients
 * is ecNoRecipients; the other transport ROPs answer as documented in
 * rop_transport.c.
 *
 * Requirement ids: [MS-OXCMSG] unless marked.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>
#include <CUnit/CUnit.h>
#include <gmime/gmime.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"
#include "spool.h"

static harness H;
static char spool[] = "/tmp/mapi-integ-sendmail-XXXXXX";

#define TAG_SMTP_ADDRESS        0x39FE001Fu
#define TAG_RECIP_DISPLAY_NAME  0x5FF6001Fu
#define TAG_DELETE_AFTER_SUBMIT 0x0E01000Bu
#define ROP_SUBMIT_MESSAGE      0x32
#define ROP_ABORT_SUBMIT        0x34
#define ROP_GET_TRANSPORT_FOLDER 0x6D
#define EC_NO_RECIPIENTS        0x80040607u
#define EC_NOT_IN_QUEUE         0x80040601u
#define MSGFLAG_READ            0x01
#define MSGFLAG_SUBMIT          0x04
#define MSGFLAG_UNSENT          0x08

static int suite_init(void)
{
    char env[600];
    const char *envv[2] = { env, NULL };

    char cmd[500];

    if (spool_create(spool) != 0)
        return -1;
    spool_command(spool, cmd, sizeof(cmd));
    snprintf(env, sizeof(env), "MAPI_SENDMAIL=%s", cmd);
    g_mime_init();
    return harness_start(&H, envv) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    spool_remove(spool);
    return harness_stop(&H);
}

/* ---------------------------------------------------------- client -- */

typedef struct session {
    mhc_client *c;
    rc_session s;
} session;

static int session_open(session *x, int who)
{
    mhc_connect_rsp cr;

    memset(x, 0, sizeof(*x));
    if (!(x->c = harness_client(&H, who, MHC_AUTH_BASIC)))
        return -1;
    if (who == 0 ? harness_connect_demo(x->c) == NULL
                 : mhc_connect(x->c, H_OTHER_DN, NULL, &cr) != 0) {
        CHECKF(0, "setup: Connect");
        return -1;
    }
    rc_session_init(&x->s, x->c);
    if (rc_logon(&x->s, who ? H_OTHER_DN : NULL, 0) != 0) {
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

typedef struct rcpt {
    uint8_t type;                /* 1 To, 2 Cc, 3 Bcc */
    const char *smtp, *name;
} rcpt;

static const uint32_t recip_cols[] = { TAG_SMTP_ADDRESS,
                                       TAG_RECIP_DISPLAY_NAME };

/* RopCreateMessage in the Outbox, its properties and recipients, saved,
 * then RopSubmitMessage, in one Execute.  The ReturnValue of the submit
 * (or of the first ROP that failed), RC_ERR_CLIENT on transport trouble;
 * *mid_r the saved message's id. */
static uint32_t submit(session *x, const char *subject, const rcpt *rs,
                       int n, int delete_after, uint64_t *mid_r)
{
    rc_prop v[4] = { rc_pv_str(RC_TAG_SUBJECT, subject),
                     rc_pv_str(RC_TAG_MESSAGE_CLASS, "IPM.Note"),
                     rc_pv_str(RC_TAG_BODY, "Sent through mod_mapi.\r\n"),
                     rc_pv_bool(TAG_DELETE_AFTER_SUBMIT, 1) };
    rc_recipient rr[4];
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint8_t has_mid, idx;
    uint64_t tmid = 0;
    uint32_t rv = RC_ERR_CLIENT;
    uint16_t np;
    rc_problem *pp;

    memset(rr, 0, sizeof(rr));
    for (int i = 0; i < n; i++) {
        rr[i].row_id = (uint32_t)i;
        rr[i].recipient_type = rs[i].type;
        rr[i].flags = RC_RECIP_SMTP | RC_RECIP_U;
        rr[i].email = rs[i].smtp;
        rr[i].display_name = rs[i].name;
        rr[i].props.n = 2;
        rr[i].props.props = apr_pcalloc(x->s.pool, 2 * sizeof(rc_prop));
        rr[i].props.props[0] = rc_pv_str(TAG_SMTP_ADDRESS, rs[i].smtp);
        rr[i].props.props[1] = rc_pv_str(TAG_RECIP_DISPLAY_NAME, rs[i].name);
    }
    rc_buf_init(&b, x->s.pool);
    rc_buf_handle(&b, 0, x->s.logon);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, x->s.lo.fids[RC_FID_OUTBOX],
                          0);
    rc_req_set_props(&b, 0, 1, v, delete_after ? 4 : 3);
    if (n)
        rc_req_modify_recipients(&b, 0, 1, recip_cols, 2, rr, (uint16_t)n,
                                 NULL);
    rc_req_save_changes_message(&b, 0, 1, 1, 0x02);
    rc_req_submit_message(&b, 0, 1, 0);
    if (rc_execute(x->c, &b, x->s.pool, &e) != 0) {
        CHECKF(0, "Execute: %s", e.error);
        return RC_ERR_CLIENT;
    }
    if (rc_rsp_create_message(&e.resp, &h, &has_mid, &tmid) || h.rv
        || rc_rsp_problems(&e.resp, RC_ROP_SET_PROPS, &h, &np, &pp) || h.rv
        || (n && (rc_rsp_generic(&e.resp, RC_ROP_MODIFY_RECIPIENTS, &h)
                  || h.rv))
        || rc_rsp_save_changes_message(&e.resp, &h, &idx, mid_r) || h.rv) {
        CHECKF(0, "building the message: 0x%08X (%s)", h.rv,
               rc_resp_error(&e.resp));
    } else if (rc_rsp_generic(&e.resp, ROP_SUBMIT_MESSAGE, &h) == 0) {
        rv = h.rv;
    }
    rc_exec_free(&e);
    return rv;
}

static const uint32_t row_cols[] = { RC_TAG_MID, RC_TAG_SUBJECT,
                                     RC_TAG_MESSAGE_FLAGS,
                                     RC_TAG_MESSAGE_CLASS };

/* The row of folder fid whose subject is subject (copied to *row_r), or
 * NULL. */
static int folder_find(session *x, uint64_t fid, const char *subject,
                       rc_row *row_r)
{
    uint32_t folder = RC_NO_HANDLE, table = RC_NO_HANDLE, n = 0;
    rc_rows_rsp rows;
    const rc_row *row = NULL;

    if (rc_open_folder(&x->s, fid, &folder) != 0
        || rc_get_contents_table(&x->s, folder, 0, &table, &n) != 0
        || rc_query_table(&x->s, table, row_cols, 4, 500, &rows) != 0) {
        CHECKF(0, "contents table: %s", x->s.error);
        return 0;
    }
    row = rc_rows_find_str(&rows, RC_TAG_SUBJECT, subject);
    if (row && row_r)
        *row_r = *row;
    rc_release(&x->s, table);
    rc_release(&x->s, folder);
    return row != NULL;
}

/* ----------------------------------------------------------- tests -- */

/* The message reaches the sendmail command as valid MIME with the
 * envelope on its command line (remote recipients, Bcc included, but no
 * Bcc header), the local recipient's Inbox, and the sender's Sent Items,
 * where it is no longer unsent or submitted (R513) and is read. */
static void test_submit_sends_and_files_in_sent_items(void)
{
    static const rcpt rs[] = {
        { 1, "other@mapi.test", "Other User" },
        { 1, "carol@example.org", "Carol Remote" },
        { 3, "hidden@example.org", "Hidden Bcc" },
    };
    spool_msg m[2] = { { 0 } };
    const char *args, *eml;
    session a = { 0 }, o = { 0 };
    GMimeStream *st = NULL;
    GMimeParser *parser = NULL;
    GMimeMessage *msg = NULL;
    uint64_t mid = 0;
    uint32_t rv, flags;
    rc_row row;

    spool_clear(spool);
    REQUIREF(session_open(&a, 0) == 0, "no session");
    rv = submit(&a, "sent through mod_mapi", rs, 3, 0, &mid);
    REQUIREF(rv == 0, "[MS-OXCROPS] R2348: RopSubmitMessage 0x%08X", rv);
    REQUIREF(spool_read(spool, m, 2) == 1, "the sendmail command did "
             "not get exactly one message in %s", spool);
    args = m[0].args;
    CHECKF(args && strstr(args, "-f\ndemo@mapi.test\n--\n")
           && strstr(args, "carol@example.org\n")
           && strstr(args, "hidden@example.org\n")
           && !strstr(args, "other@mapi.test"),
           "sendmail arguments: '%s'", args ? args : "(none)");
    eml = m[0].eml;
    REQUIREF(eml != NULL, "no message in %s", spool);
    st = g_mime_stream_mem_new_with_buffer(eml, strlen(eml));
    parser = g_mime_parser_new_with_stream(st);
    msg = g_mime_parser_construct_message(parser, NULL);
    REQUIREF(msg != NULL, "the handed-off message is not MIME GMime parses");
    CHECKF(g_mime_message_get_subject(msg)
           && !strcmp(g_mime_message_get_subject(msg),
                      "sent through mod_mapi"), "Subject '%s'",
           g_mime_message_get_subject(msg));
    CHECKF(strstr(eml, "demo@mapi.test") && strstr(eml, "carol@example.org")
           && strstr(eml, "other@mapi.test"), "From/To headers missing");
    CHECKF(!strstr(eml, "hidden@example.org"), "the Bcc recipient is in the "
           "message's header");
    CHECKF(g_mime_object_get_header((GMimeObject *)msg, "Message-ID") != NULL,
           "no Message-ID");
    CHECKF(strstr(eml, "Sent through mod_mapi.") != NULL, "no body");
    REQUIREF(session_open(&o, 1) == 0, "no session for other");
    CHECKF(folder_find(&o, o.s.lo.fids[RC_FID_INBOX], "sent through mod_mapi",
                       &row), "the local recipient's Inbox lacks the message");
    CHECKF(!folder_find(&a, a.s.lo.fids[RC_FID_OUTBOX],
                        "sent through mod_mapi", NULL),
           "the sent message is still in the Outbox");
    CHECKF(folder_find(&a, a.s.lo.fids[RC_FID_SENT_ITEMS],
                       "sent through mod_mapi", &row),
           "the sent message is not in Sent Items");
    flags = rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0xFFFFFFFF);
    CHECKF(!(flags & (MSGFLAG_UNSENT | MSGFLAG_SUBMIT)) && (flags & MSGFLAG_READ),
           "R513 R520: PidTagMessageFlags 0x%08X in Sent Items", flags);
out:
    if (msg)
        g_object_unref(msg);
    if (parser)
        g_object_unref(parser);
    if (st)
        g_object_unref(st);
    spool_msgs_free(m, 2);
    session_close(&a);
    session_close(&o);
}

/* A refused hand-off: the message stays in the Outbox, not marked
 * submitted, and an NDR naming the recipient arrives in the Inbox. */
static void test_failed_handoff_leaves_outbox_and_ndr(void)
{
    static const rcpt rs[] = { { 1, "dave@example.org", "Dave Remote" } };
    char path[600];
    session a = { 0 };
    uint64_t mid = 0;
    uint32_t rv, flags;
    rc_row row;
    FILE *f;

    spool_clear(spool);
    snprintf(path, sizeof(path), "%s/fail", spool);
    f = fopen(path, "w");
    REQUIREF(f != NULL, "cannot write %s", path);
    fputs("75\n", f);
    fclose(f);
    chmod(path, 0644);
    REQUIREF(session_open(&a, 0) == 0, "no session");
    rv = submit(&a, "refused by the MTA", rs, 1, 0, &mid);
    CHECKF(rv == 0, "RopSubmitMessage 0x%08X: the failure belongs in an NDR",
           rv);
    CHECKF(folder_find(&a, a.s.lo.fids[RC_FID_OUTBOX], "refused by the MTA",
                       &row), "the message left the Outbox");
    flags = rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0);
    CHECKF(!(flags & MSGFLAG_SUBMIT), "still marked submitted: 0x%08X",
           flags);
    CHECKF(folder_find(&a, a.s.lo.fids[RC_FID_INBOX],
                       "Undeliverable: refused by the MTA", &row),
           "no NDR in the Inbox");
    CHECKF(rc_row_str(&row, RC_TAG_MESSAGE_CLASS)
           && !strcmp(rc_row_str(&row, RC_TAG_MESSAGE_CLASS),
                      "REPORT.IPM.Note.NDR"), "NDR class '%s'",
           rc_row_str(&row, RC_TAG_MESSAGE_CLASS));
out:
    unlink(path);
    session_close(&a);
}

/* PidTagDeleteAfterSubmit: gone from the Outbox and not in Sent Items
 * ([MS-OXOMSG] 2.2.3.8); no recipients: ecNoRecipients, nothing sent. */
static void test_delete_after_submit_and_no_recipients(void)
{
    static const rcpt rs[] = { { 1, "erin@example.org", "Erin" } };
    spool_msg m[2] = { { 0 } };
    int n;
    session a = { 0 };
    uint64_t mid = 0;
    uint32_t rv;

    spool_clear(spool);
    REQUIREF(session_open(&a, 0) == 0, "no session");
    rv = submit(&a, "delete after submit", rs, 1, 1, &mid);
    CHECKF(rv == 0, "RopSubmitMessage 0x%08X", rv);
    n = spool_read(spool, m, 2);
    spool_msgs_free(m, n < 2 ? n : 2);
    CHECKF(n == 1, "not handed off");
    CHECKF(!folder_find(&a, a.s.lo.fids[RC_FID_OUTBOX], "delete after submit",
                        NULL)
           && !folder_find(&a, a.s.lo.fids[RC_FID_SENT_ITEMS],
                           "delete after submit", NULL),
           "[MS-OXOMSG] PidTagDeleteAfterSubmit: the message was kept");
    spool_clear(spool);
    rv = submit(&a, "nobody to send to", NULL, 0, 0, &mid);
    CHECKF(rv == EC_NO_RECIPIENTS, "RopSubmitMessage without recipients: "
           "0x%08X, expected ecNoRecipients", rv);
    n = spool_read(spool, m, 2);
    spool_msgs_free(m, n < 2 ? n : 2);
    CHECKF(n == 0, "a message without recipients was handed off");
out:
    session_close(&a);
}

/* RopGetTransportFolder names the Outbox; RopAbortSubmit of a message
 * already sent is ecNotInQueue, of an unknown one ecNotFound. */
static void test_transport_folder_and_abort_submit(void)
{
    static const rcpt rs[] = { { 1, "frank@example.org", "Frank" } };
    session a = { 0 };
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint64_t mid = 0, fid = 0;
    rc_row row;

    spool_clear(spool);
    REQUIREF(session_open(&a, 0) == 0, "no session");
    rc_buf_init(&b, a.s.pool);
    rc_buf_handle(&b, 0, a.s.logon);
    rc_req_get_transport_folder(&b, 0, 0);
    rc_req_abort_submit(&b, 0, 0, a.s.lo.fids[RC_FID_OUTBOX], 0x7FFFFF0001ull);
    REQUIREF(rc_execute(a.c, &b, a.s.pool, &e) == 0, "Execute: %s", e.error);
    CHECKF(rc_rsp_get_transport_folder(&e.resp, &h, &fid) == 0 && h.rv == 0
           && fid == a.s.lo.fids[RC_FID_OUTBOX], "[MS-OXCROPS] R2522: "
           "RopGetTransportFolder 0x%08X, FolderId %016llX", h.rv,
           (unsigned long long)fid);
    CHECKF(rc_rsp_generic(&e.resp, ROP_ABORT_SUBMIT, &h) == 0
           && h.rv == 0x8004010Fu, "RopAbortSubmit of an unknown message: "
           "0x%08X, expected ecNotFound", h.rv);
    rc_exec_free(&e);
    REQUIREF(submit(&a, "already gone", rs, 1, 0, &mid) == 0, "submit");
    REQUIREF(folder_find(&a, a.s.lo.fids[RC_FID_SENT_ITEMS], "already gone",
                         &row), "not in Sent Items");
    rc_buf_init(&b, a.s.pool);
    rc_buf_handle(&b, 0, a.s.logon);
    rc_req_abort_submit(&b, 0, 0, a.s.lo.fids[RC_FID_SENT_ITEMS],
                        rc_row_u64(&row, RC_TAG_MID, 0));
    REQUIREF(rc_execute(a.c, &b, a.s.pool, &e) == 0, "Execute: %s", e.error);
    CHECKF(rc_rsp_generic(&e.resp, ROP_ABORT_SUBMIT, &h) == 0
           && h.rv == EC_NOT_IN_QUEUE, "RopAbortSubmit of a sent message: "
           "0x%08X, expected ecNotInQueue", h.rv);
    rc_exec_free(&e);
out:
    session_close(&a);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("submission: RopSubmitMessage to sendmail and Sent "
                     "Items", suite_init, suite_cleanup);
    CU_add_test(s, "submitted mail reaches sendmail as MIME, the local "
                "recipient, and Sent Items (R513 R520)",
                test_submit_sends_and_files_in_sent_items);
    CU_add_test(s, "a failed hand-off stays in the Outbox with an NDR",
                test_failed_handoff_leaves_outbox_and_ndr);
    CU_add_test(s, "PidTagDeleteAfterSubmit; no recipients is "
                "ecNoRecipients", test_delete_after_submit_and_no_recipients);
    CU_add_test(s, "RopGetTransportFolder, RopAbortSubmit",
                test_transport_folder_and_abort_submit);
    return harness_run_tests();
}
