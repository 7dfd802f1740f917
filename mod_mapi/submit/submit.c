/*
 * submit.c: sending a submitted message (see submit.h).
 *
 * Order, so that nothing is lost: the message stays where the client put
 * it until every copy has been handed over (local delivery committed, or
 * the sendmail command exited 0); only then is it moved or deleted.  A
 * crash in between leaves it in the Outbox, still marked submitted, and
 * at worst a recipient gets it twice when the client sends again.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <apr_time.h>
#include "submit.h"
#include "delivery/dlv.h"
#include "mime/mime.h"
#include "wire/mapi_rd.h"
#include "wire/mapi_tags.h"

#define PidTagDeleteAfterSubmit   0x0E01000Bu
#define PidTagSentMailEntryId     0x0E0A0102u
#define PidTagSentMailSvrEID      0x674000FBu
#define PidTagReportText          0x1001001Fu
#define PidTagOriginalSubject     0x0049001Fu

typedef struct submit_rcpt {
    const char *smtp;            /* NULL: no SMTP address found */
    const char *name;
    int local;
    const char *failure;         /* NULL: handed over */
} submit_rcpt;

typedef struct submit_job {
    mapi_db *db;
    apr_pool_t *pool;
    const cfg_mailbox *mbx;
    const submit_cfg *cfg;
    store_message *m;
    apr_array_header_t *rcpts;   /* submit_rcpt */
    const uint8_t *mime;
    size_t mime_len;
    const char *env_from;        /* envelope sender */
} submit_job;

static const char *submit_str(const store_props *p, uint32_t tag)
{
    const rop_propval *v = store_props_get(p, tag);

    return v && v->v.str && *v->v.str ? v->v.str : NULL;
}

/* ---- recipients --------------------------------------------------------- */

/* The SMTP address of a recipient row: PidTagSmtpAddress, an SMTP
 * PidTagEmailAddress, or the mailbox an EX address (legacyExchangeDN)
 * names on this server. */
static const char *submit_rcpt_smtp(submit_job *j, const store_props *p)
{
    const char *smtp = submit_str(p, PidTagSmtpAddress);
    const char *type = submit_str(p, PidTagAddressType);
    const char *addr = submit_str(p, PidTagEmailAddress);
    cfg_mailbox *mbx;

    if (smtp)
        return smtp;
    if (addr && (!type || !strcasecmp(type, "SMTP")) && strchr(addr, '@'))
        return addr;
    if (addr && type && !strcasecmp(type, "EX")
        && cfg_mailbox_by_legacy_dn(j->db, j->pool, addr, &mbx, NULL) == 0)
        return mbx->smtp;
    return NULL;
}

static void submit_collect(submit_job *j)
{
    apr_array_header_t *rs = j->m->recipients;

    j->rcpts = apr_array_make(j->pool, rs ? rs->nelts : 1,
                              sizeof(submit_rcpt));
    for (int i = 0; rs && i < rs->nelts; i++) {
        const store_recipient *r = &APR_ARRAY_IDX(rs, i, store_recipient);
        submit_rcpt *sr = apr_array_push(j->rcpts);
        cfg_mailbox *local;

        memset(sr, 0, sizeof(*sr));
        sr->smtp = submit_rcpt_smtp(j, &r->props);
        sr->name = submit_str(&r->props, PidTagDisplayName);
        if (!sr->smtp) {
            sr->failure = "the recipient has no e-mail address";
            continue;
        }
        sr->local = cfg_mailbox_by_smtp(j->db, j->pool, sr->smtp, &local,
                                        NULL) == 0;
    }
}

/* ---- hand-off ----------------------------------------------------------- */

static void submit_deliver_local(submit_job *j)
{
    for (int i = 0; i < j->rcpts->nelts; i++) {
        submit_rcpt *r = &APR_ARRAY_IDX(j->rcpts, i, submit_rcpt);
        dlv_request req = { .rcpt = r->smtp, .env_from = j->env_from,
                            .data = j->mime, .len = j->mime_len };
        dlv_result res;
        apr_pool_t *p;

        if (!r->local || r->failure)
            continue;
        apr_pool_create(&p, j->pool);
        if (dlv_deliver(j->db, p, &req, &res) != DLV_OK)
            r->failure = apr_pstrdup(j->pool, res.text ? res.text
                                              : "local delivery failed");
        apr_pool_destroy(p);
    }
}

/* The command's argv: its words, then -i -f SENDER -- RCPT... */
static const char **submit_argv(submit_job *j, int n_remote)
{
    const char *cmd = j->cfg && j->cfg->sendmail ? j->cfg->sendmail
                                                 : SUBMIT_DEFAULT_SENDMAIL;
    char **words = NULL;
    const char **argv;
    int n = 0, k = 0;

    apr_tokenize_to_argv(cmd, &words, j->pool);
    while (words && words[n])
        n++;
    argv = apr_pcalloc(j->pool, sizeof(char *) * (size_t)(n + 5 + n_remote));
    for (int i = 0; i < n; i++)
        argv[k++] = words[i];
    argv[k++] = "-i";
    argv[k++] = "-f";
    argv[k++] = j->env_from && *j->env_from ? j->env_from : "<>";
    argv[k++] = "--";
    for (int i = 0; i < j->rcpts->nelts; i++) {
        submit_rcpt *r = &APR_ARRAY_IDX(j->rcpts, i, submit_rcpt);

        if (!r->local && !r->failure)
            argv[k++] = r->smtp;
    }
    return argv;
}

/* Writes the message to the command and waits for it, killing it after
 * the timeout.  NULL when it exited 0, else why not. */
static const char *submit_run(submit_job *j, const char **argv)
{
    int timeout = j->cfg && j->cfg->timeout > 0 ? j->cfg->timeout
                                                : SUBMIT_DEFAULT_TIMEOUT;
    apr_procattr_t *attr;
    apr_proc_t proc;
    apr_size_t n;
    apr_exit_why_e why;
    int code = 0;
    apr_status_t rv;
    apr_time_t deadline = apr_time_now() + apr_time_from_sec(timeout);

    if (apr_procattr_create(&attr, j->pool) != APR_SUCCESS
        || apr_procattr_io_set(attr, APR_FULL_BLOCK, APR_NO_PIPE,
                               APR_NO_PIPE) != APR_SUCCESS
        || apr_procattr_cmdtype_set(attr, APR_PROGRAM) != APR_SUCCESS)
        return "cannot prepare the sendmail command";
    if ((rv = apr_proc_create(&proc, argv[0], argv, NULL, attr, j->pool))
        != APR_SUCCESS) {
        char buf[120];

        return apr_psprintf(j->pool, "cannot run %s: %s", argv[0],
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    n = j->mime_len;
    rv = apr_file_write_full(proc.in, j->mime, n, &n);
    apr_file_close(proc.in);
    for (;;) {
        apr_status_t w = apr_proc_wait(&proc, &code, &why, APR_NOWAIT);

        if (w == APR_CHILD_DONE)
            break;
        if (apr_time_now() > deadline) {
            apr_proc_kill(&proc, SIGKILL);
            apr_proc_wait(&proc, &code, &why, APR_WAIT);
            return apr_psprintf(j->pool, "%s did not finish within %d s",
                                argv[0], timeout);
        }
        apr_sleep(apr_time_from_msec(20));
    }
    if (why != APR_PROC_EXIT)
        return apr_psprintf(j->pool, "%s was killed by signal %d", argv[0],
                            code);
    if (code != 0)
        return apr_psprintf(j->pool, "%s exited with status %d%s", argv[0],
                            code, code == 75 ? " (temporary failure)" : "");
    return rv == APR_SUCCESS ? NULL
                             : apr_psprintf(j->pool, "writing to %s failed",
                                            argv[0]);
}

static void submit_send_remote(submit_job *j, submit_result *res)
{
    const char *why;
    int n = 0;

    for (int i = 0; i < j->rcpts->nelts; i++) {
        submit_rcpt *r = &APR_ARRAY_IDX(j->rcpts, i, submit_rcpt);

        n += !r->local && !r->failure;
    }
    if (n == 0)
        return;
    why = submit_run(j, submit_argv(j, n));
    for (int i = 0; i < j->rcpts->nelts; i++) {
        submit_rcpt *r = &APR_ARRAY_IDX(j->rcpts, i, submit_rcpt);

        if (!r->local && !r->failure) {
            r->failure = why;
            res->n_remote += why == NULL;
        }
    }
}

/* ---- afterwards --------------------------------------------------------- */

/* The folder the message goes to once sent ([MS-OXOMSG] 2.2.3.10:
 * PidTagSentMailSvrEID, a PtypServerId of ours: 0x01, FID, MID,
 * instance), then PidTagSentMailEntryId, then Sent Items. */
static uint64_t submit_sent_folder(submit_job *j, const store_mailbox_info *mi)
{
    const rop_propval *v = store_props_get(&j->m->props, PidTagSentMailSvrEID);
    uint64_t fid = 0, mid = 0;

    if (v && v->v.bin.len >= 9 && v->v.bin.data[0] == 0x01) {
        mapi_rd rd;

        mapi_rd_init(&rd, v->v.bin.data + 1, v->v.bin.len - 1);
        if (mapi_rd_u64(&rd, &fid) == 0 && fid != 0)
            return fid;
    }
    v = store_props_get(&j->m->props, PidTagSentMailEntryId);
    if (v && store_entry_id_parse(mi, v->v.bin.data, v->v.bin.len, &fid,
                                  &mid) == 0 && fid != 0 && mid == 0)
        return fid;
    return mi->folder_ids[STORE_FOLDER_SENT_ITEMS];
}

/* Sent: not unsent, not submitted, read, stamped; then deleted or moved
 * ([MS-OXOMSG] 3.2.4.1, [MS-OXCMSG] R513). */
static store_status submit_finish(submit_job *j, const store_mailbox_info *mi,
                                  submit_result *res, const char **error_r)
{
    const rop_propval *fl = store_props_get(&j->m->props, PidTagMessageFlags);
    const rop_propval *del = store_props_get(&j->m->props,
                                             PidTagDeleteAfterSubmit);
    uint32_t flags = fl ? fl->v.l : 0;
    uint64_t dest, now = store_filetime_now(), new_mid;
    store_status st;

    flags &= ~(MSGFLAG_UNSENT | MSGFLAG_SUBMIT);
    store_props_set_u32(&j->m->props, PidTagMessageFlags,
                        flags | MSGFLAG_READ);
    store_props_set_u64(&j->m->props, PidTagClientSubmitTime, now);
    store_props_set_u64(&j->m->props, PidTagMessageDeliveryTime, now);
    if ((st = store_message_save(j->db, j->pool, j->mbx->guid, j->m,
                                 error_r)) != STORE_OK)
        return st;
    res->fid = j->m->fid;
    res->mid = j->m->mid;
    if (del && del->v.b) {
        res->mid = 0;
        return store_message_delete(j->db, j->pool, j->mbx->guid, j->m->mid,
                                    error_r);
    }
    dest = submit_sent_folder(j, mi);
    if (dest == j->m->fid)
        return STORE_OK;
    st = store_message_move(j->db, j->pool, j->mbx->guid, j->m->mid, dest, 0,
                            &new_mid, error_r);
    if (st == STORE_OK) {
        res->fid = dest;
        res->mid = new_mid;
    }
    return st;
}

/* Nobody got it: the message stays, no longer marked submitted, so the
 * client may send it again. */
static store_status submit_unmark(submit_job *j, submit_result *res,
                                  const char **error_r)
{
    res->fid = j->m->fid;
    res->mid = j->m->mid;
    return store_message_set_flags(j->db, j->pool, j->mbx->guid, j->m->mid,
                                   0, MSGFLAG_SUBMIT, NULL, error_r);
}

/* A REPORT.IPM.Note.NDR in the sender's Inbox listing who did not get
 * the message and why. */
static void submit_ndr(submit_job *j, submit_result *res)
{
    const char *subject = submit_str(&j->m->props, PidTagSubject);
    const char *text = "Your message did not reach these recipients:\r\n\r\n";
    store_message *ndr = store_message_new(j->pool, 0, 0);
    store_recipient me = { .row_id = 0 };
    uint64_t fid, now = store_filetime_now();
    const char *klass;
    store_event ev = { .type = STORE_EV_NEW_MAIL };

    for (int i = 0; i < j->rcpts->nelts; i++) {
        submit_rcpt *r = &APR_ARRAY_IDX(j->rcpts, i, submit_rcpt);

        if (!r->failure)
            continue;
        res->n_failed++;
        res->failure = r->failure;
        text = apr_psprintf(j->pool, "%s  %s%s%s%s: %s\r\n", text,
                            r->name ? r->name : "", r->name ? " <" : "",
                            r->smtp ? r->smtp : "(no address)",
                            r->name ? ">" : "", r->failure);
    }
    if (res->n_failed == 0)
        return;
    store_props_set_str(&ndr->props, PidTagMessageClass,
                        "REPORT.IPM.Note.NDR");
    store_props_set_str(&ndr->props, PidTagSubject,
                        apr_pstrcat(j->pool, "Undeliverable: ",
                                    subject ? subject : "", NULL));
    store_props_set_str(&ndr->props, PidTagOriginalSubject,
                        subject ? subject : "");
    store_props_set_str(&ndr->props, PidTagBody, text);
    store_props_set_str(&ndr->props, PidTagReportText, text);
    store_props_set_str(&ndr->props, PidTagSenderName, "Mail Delivery System");
    store_props_set_u32(&ndr->props, PidTagMessageFlags, 0);
    store_props_set_u64(&ndr->props, PidTagMessageDeliveryTime, now);
    store_props_set_u64(&ndr->props, PidTagClientSubmitTime, now);
    store_props_init(&me.props, j->pool);
    store_props_set_u32(&me.props, PidTagRecipientType, 1);
    store_props_set_str(&me.props, PidTagDisplayName,
                        j->mbx->display_name ? j->mbx->display_name
                                             : j->mbx->smtp);
    store_props_set_str(&me.props, PidTagSmtpAddress, j->mbx->smtp);
    store_props_set_str(&me.props, PidTagAddressType, "SMTP");
    store_props_set_str(&me.props, PidTagEmailAddress, j->mbx->smtp);
    APR_ARRAY_PUSH(ndr->recipients, store_recipient) = me;
    if (store_receive_folder_get(j->db, j->pool, j->mbx->guid,
                                 "REPORT.IPM.Note.NDR", &fid, &klass, NULL)
        != STORE_OK)
        return;
    ndr->fid = fid;
    if (store_message_save(j->db, j->pool, j->mbx->guid, ndr, NULL)
        != STORE_OK)
        return;
    ev.fid = ev.parent_fid = fid;
    ev.mid = ndr->mid;
    ev.message_class = "REPORT.IPM.Note.NDR";
    store_raise(j->db, j->pool, j->mbx->guid, &ev);
}

store_status submit_message(mapi_db *db, apr_pool_t *pool,
                            const cfg_mailbox *mbx, uint64_t mid,
                            const submit_cfg *cfg, submit_result *res,
                            const char **error_r)
{
    submit_job j = { .db = db, .pool = pool, .mbx = mbx, .cfg = cfg,
                     .env_from = mbx->smtp };
    store_mailbox_info *mi;
    uint8_t *mime = NULL;
    store_status st;
    const char *why = NULL;
    int delivered = 0;

    memset(res, 0, sizeof(*res));
    if ((st = store_mailbox_get(db, pool, mbx->guid, &mi, error_r))
        != STORE_OK
        || (st = store_message_get(db, pool, mbx->guid, mid, &j.m, error_r))
           != STORE_OK)
        return st;
    if (!j.m->recipients || j.m->recipients->nelts == 0)
        return STORE_INVALID;
    submit_collect(&j);
    if (mime_export(pool, j.m, mbx->smtp, mbx->display_name, &mime,
                    &j.mime_len, &why) != MIME_OK) {
        for (int i = 0; i < j.rcpts->nelts; i++)
            APR_ARRAY_IDX(j.rcpts, i, submit_rcpt).failure =
                apr_pstrcat(pool, "the message could not be written as "
                            "Internet mail: ", why ? why : "", NULL);
    }
    j.mime = mime;
    if (j.mime_len) {
        submit_deliver_local(&j);
        submit_send_remote(&j, res);
    }
    for (int i = 0; i < j.rcpts->nelts; i++) {
        submit_rcpt *r = &APR_ARRAY_IDX(j.rcpts, i, submit_rcpt);

        delivered += r->failure == NULL;
        res->n_local += r->local && r->failure == NULL;
    }
    submit_ndr(&j, res);
    return delivered ? submit_finish(&j, mi, res, error_r)
                     : submit_unmark(&j, res, error_r);
}

unsigned submit_send_mime(mapi_db *db, apr_pool_t *pool, const char *env_from,
                          const char *const *rcpts, unsigned n,
                          const uint8_t *mime, size_t len,
                          const submit_cfg *cfg, const char ***failures_r)
{
    submit_job j = { .db = db, .pool = pool, .cfg = cfg, .mime = mime,
                     .mime_len = len, .env_from = env_from };
    submit_result res;
    const char **fail = apr_pcalloc(pool, sizeof(char *) * (n + 1));
    unsigned ok = 0;

    memset(&res, 0, sizeof(res));
    j.rcpts = apr_array_make(pool, (int)n + 1, sizeof(submit_rcpt));
    for (unsigned i = 0; i < n; i++) {
        submit_rcpt *r = apr_array_push(j.rcpts);
        cfg_mailbox *local;

        memset(r, 0, sizeof(*r));
        r->smtp = rcpts[i];
        r->local = cfg_mailbox_by_smtp(db, pool, rcpts[i], &local, NULL) == 0;
    }
    submit_deliver_local(&j);
    submit_send_remote(&j, &res);
    for (unsigned i = 0; i < n; i++) {
        fail[i] = APR_ARRAY_IDX(j.rcpts, (int)i, submit_rcpt).failure;
        ok += fail[i] == NULL;
    }
    if (failures_r)
        *failures_r = fail;
    return ok;
}
