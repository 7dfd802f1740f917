/*
 * dlv_rules.c: server-side rules at delivery ([MS-OXORULE] 3.2.5.1).
 *
 * Two steps around the save (dlv_deliver): dlv_rules_evaluate runs the
 * receive folder's rules against the message before it is filed, changes
 * what belongs to the message itself (mark as read, tag) and plans the
 * rest (where it is filed, copies, deletion, mail to send, deferred
 * actions); dlv_rules_finish, after the save committed, sends the
 * forwards, redirects and replies and writes the Deferred Action and
 * Deferred Error Messages, which need the saved message's entry id.
 * A failure there never undoes the delivery: it becomes a DEM.
 *
 * Local recipients of a forward are delivered in this process (submit.h),
 * which runs their rules in turn; dlv_rules_depth bounds that recursion
 * so that two mailboxes forwarding to each other cannot loop for ever.
 * It is per thread and per call chain, never state a client relies on.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <apr_base64.h>
#include <apr_date.h>
#include <apr_strings.h>
#include "dlv.h"
#include "mime/mime.h"
#include "rop/rop_rule.h"
#include "store/store_table.h"
#include "submit/submit.h"
#include "wire/mapi_tags.h"

#ifndef PidTagClientActions
#define PidTagClientActions        0x66450102u
#endif
#ifndef PidTagDamOriginalEntryId
#define PidTagDamOriginalEntryId   0x66460102u
#endif
#ifndef PidTagDamBackPatched
#define PidTagDamBackPatched       0x6647000Bu
#endif
#ifndef PidTagRuleError
#define PidTagRuleError            0x66480003u
#endif
#ifndef PidTagRuleActionType
#define PidTagRuleActionType       0x66490003u
#endif
#ifndef PidTagRuleActionNumber
#define PidTagRuleActionNumber     0x66500003u
#endif
#ifndef PidTagRuleFolderEntryId
#define PidTagRuleFolderEntryId    0x66510102u
#endif
#ifndef PidTagOofState
#define PidTagOofState             0x661D000Bu
#endif

#define DLV_RULES_MAX_DEPTH 3

static __thread int dlv_rules_depth;

static const submit_cfg *dlv_default_submit;

void dlv_set_default_submit(const submit_cfg *cfg)
{
    dlv_default_submit = cfg;
}

static const submit_cfg *dlv_submit_of(const dlv_request *req)
{
    return req->submit ? req->submit : dlv_default_submit;
}

/* ---------------------------------------------------------- planning -- */

static void plan_error(dlv_rules_plan *p, const store_rule *r, unsigned idx,
                       uint8_t type, uint32_t err)
{
    dlv_rule_act *a = apr_array_push(p->errors);

    memset(a, 0, sizeof(*a));
    a->rule = r;
    a->index = idx;
    a->d.type = type;
    a->error = err;
}

static void plan_later(dlv_rules_plan *p, apr_array_header_t *to,
                       const store_rule *r, unsigned idx,
                       const rop_action_data *d, const rop_action_block *b)
{
    dlv_rule_act *a = apr_array_push(to);

    memset(a, 0, sizeof(*a));
    a->rule = r;
    a->index = idx;
    a->d = *d;
    a->block = b;
}

/* The folder of a move/copy in this mailbox, or 0 (another store: only
 * the client can do it, so it is deferred). */
static uint64_t plan_dest(const dlv_rules_plan *p, const rop_action_data *d)
{
    uint64_t fid = 0, mid = 0;

    if (d->in_this_store)
        return d->fid;
    if (store_entry_id_parse(p->mi, d->folder_eid.data, d->folder_eid.len,
                             &fid, &mid) == 0 && mid == 0)
        return fid;
    return 0;
}

static void plan_move_copy(dlv_rules_plan *p, const store_rule *r,
                           unsigned idx, const rop_action_data *d,
                           const rop_action_block *b)
{
    uint64_t fid = plan_dest(p, d);
    store_folder *f;

    if (fid == 0) {
        plan_later(p, p->deferred, r, idx, d, b);
        return;
    }
    if (store_folder_get(p->db, p->pool, p->mbx->guid, fid, &f, NULL)
        != STORE_OK || f->deleted) {
        plan_error(p, r, idx, d->type, DLV_RULE_ERR_NO_FOLDER);
        return;
    }
    /* The first move decides where the message is filed; a later one
     * files a copy, so that no rule's destination is lost. */
    if (d->type == ROP_OP_MOVE && p->move_fid == 0)
        p->move_fid = fid;
    else
        APR_ARRAY_PUSH(p->copies, uint64_t) = fid;
}

static void plan_action(dlv_rules_plan *p, store_message *m,
                        const store_rule *r, unsigned idx,
                        const rop_action_block *b)
{
    rop_action_data d;
    const rop_propval *fl;

    if (rop_action_parse(p->pool, b, &d) < 0) {
        plan_error(p, r, idx, b->type, DLV_RULE_ERR_PARSING);
        return;
    }
    switch (d.type) {
    case ROP_OP_MOVE:
    case ROP_OP_COPY:
        plan_move_copy(p, r, idx, &d, b);
        break;
    case ROP_OP_DELETE:
        p->deleted = 1;
        break;
    case ROP_OP_MARK_AS_READ:
        fl = store_props_get(&m->props, PidTagMessageFlags);
        store_props_set_u32(&m->props, PidTagMessageFlags,
                            (fl ? fl->v.l : 0) | MSGFLAG_READ);
        break;
    case ROP_OP_TAG:
        store_props_set(&m->props, &d.tag);
        break;
    case ROP_OP_FORWARD:
    case ROP_OP_DELEGATE:
    case ROP_OP_REPLY:
    case ROP_OP_OOF_REPLY:
        plan_later(p, p->sends, r, idx, &d, b);
        break;
    case ROP_OP_BOUNCE:
        /* R546, R547 (as Exchange 2010 and later, R5462, R5472): the
         * sender is told why and the message is not filed. */
        p->deleted = 1;
        plan_later(p, p->sends, r, idx, &d, b);
        break;
    case ROP_OP_DEFER_ACTION:
    default:
        plan_later(p, p->deferred, r, idx, &d, b);
        break;
    }
}

/* PidTagRuleSequence order (R514), ties by id. */
static int rule_order(const void *a, const void *b)
{
    const store_rule *x = *(store_rule *const *)a;
    const store_rule *y = *(store_rule *const *)b;

    if (x->sequence != y->sequence)
        return x->sequence < y->sequence ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* R63, R67: enabled, or only-when-OOF while the mailbox is OOF. */
static int rule_runs(const store_rule *r, int oof)
{
    if (r->state & STORE_ST_ENABLED)
        return 1;
    return oof && (r->state & STORE_ST_ONLY_WHEN_OOF);
}

dlv_status dlv_rules_evaluate(mapi_db *db, apr_pool_t *pool,
                              const cfg_mailbox *mbx, uint64_t fid,
                              const dlv_request *req, store_message *m,
                              dlv_rules_plan *p)
{
    apr_array_header_t *rules;
    const rop_propval *oofv;
    store_mailbox_info *mi;
    store_row row;
    int oof, stopped = 0;

    memset(p, 0, sizeof(*p));
    p->db = db;
    p->pool = pool;
    p->mbx = mbx;
    p->req = req;
    p->rule_fid = fid;
    p->copies = apr_array_make(pool, 2, sizeof(uint64_t));
    p->sends = apr_array_make(pool, 2, sizeof(dlv_rule_act));
    p->deferred = apr_array_make(pool, 2, sizeof(dlv_rule_act));
    p->errors = apr_array_make(pool, 2, sizeof(dlv_rule_act));
    if (dlv_rules_depth >= DLV_RULES_MAX_DEPTH)
        return DLV_OK;           /* a forwarding loop: file it, no rules */
    if (store_mailbox_get(db, pool, mbx->guid, &mi, NULL) != STORE_OK
        || store_rule_list(db, pool, mbx->guid, fid, &rules, NULL)
           != STORE_OK)
        return DLV_TEMPFAIL;
    /* Extended rules run with the standard ones, in one sequence
     * (R160: only their listed properties count). */
    if (dlv_xrules_load(db, pool, mbx->guid, mi, fid, rules) > 0)
        qsort(rules->elts, (size_t)rules->nelts, sizeof(store_rule *),
              rule_order);
    p->mi = mi;
    oofv = store_props_get(&mi->props, PidTagOofState);
    oof = oofv && oofv->v.b;
    for (int i = 0; i < rules->nelts; i++) {
        const store_rule *r = APR_ARRAY_IDX(rules, i, store_rule *);
        const rop_propval *cond = store_props_get(&r->props,
                                                  PidTagRuleCondition);
        const rop_propval *act = store_props_get(&r->props,
                                                 PidTagRuleActions);

        if (!rule_runs(r, oof) || !cond || !act || !act->v.actions)
            continue;
        /* R560, R807: after an exit-level rule (R550: or a delete) only
         * Out of Office rules are still evaluated. */
        if (stopped && !(r->state & STORE_ST_ONLY_WHEN_OOF))
            continue;
        /* The row is rebuilt for every rule: an earlier rule's tag or
         * read flag is part of what a later condition sees. */
        memset(&row, 0, sizeof(row));
        store_props_init(&row.props, pool);
        store_message_all_props(pool, mbx->guid, mi, m, &row.props);
        row.msg = m;
        if (!store_restrict_match(cond->v.res, &row))
            continue;
        p->n_matched++;
        for (uint16_t k = 0; k < act->v.actions->count; k++)
            plan_action(p, m, r, k, &act->v.actions->blocks[k]);
        /* R857, R858: exit level ends evaluation, except for OOF rules. */
        if (((r->state & STORE_ST_EXIT_LEVEL) || p->deleted)
            && !(r->state & STORE_ST_ONLY_WHEN_OOF))
            stopped = 1;
    }
    /* R536, R564: the message says that a DAM is about it. */
    if (p->deferred->nelts > 0)
        store_props_set_bool(&m->props, PidTagHasDeferredActionMessages, 1);
    return DLV_OK;
}

/* --------------------------------------------------------- raw MIME -- */

/* The value of the first header name of the header block (unfolded
 * continuation lines are not needed for the tokens looked at here). */
static const char *mime_header(apr_pool_t *pool, const uint8_t *data,
                               size_t len, const char *name)
{
    size_t n = strlen(name), i = 0;

    while (i < len) {
        size_t e = i;

        while (e < len && data[e] != '\n')
            e++;
        if (e == i || (e == i + 1 && data[i] == '\r'))
            return NULL;         /* end of the header block */
        if (e - i > n && data[i + n] == ':'
            && strncasecmp((const char *)data + i, name, n) == 0) {
            size_t v = i + n + 1;

            while (v < e && (data[v] == ' ' || data[v] == '\t'))
                v++;
            while (e > v && (data[e - 1] == '\r' || data[e - 1] == ' '))
                e--;
            return apr_pstrmemdup(pool, (const char *)data + v, e - v);
        }
        i = e + 1;
    }
    return NULL;
}

/* X-Auto-Response-Suppress ([MS-OXCMAIL] 2.2.3.2.14), the header form of
 * PidTagAutoResponseSuppress: "All", or a list naming what the sender
 * does not want; a reply rule honours AutoReply (0x20, R526), an OOF
 * rule OOF (0x10, R533). */
static int suppressed(apr_pool_t *pool, const dlv_request *req,
                      uint8_t type)
{
    const char *want = type == ROP_OP_OOF_REPLY ? "OOF" : "AutoReply";
    const char *v = mime_header(pool, req->data, req->len,
                                "X-Auto-Response-Suppress");
    char *list, *tok, *last = NULL;

    if (!v)
        return 0;
    list = apr_pstrdup(pool, v);
    for (tok = apr_strtok(list, ", \t", &last); tok;
         tok = apr_strtok(NULL, ", \t", &last))
        if (!strcasecmp(tok, "All") || !strcasecmp(tok, want))
            return 1;
    return 0;
}

/* RFC 3834: never answer a bounce (empty envelope sender) or mail that
 * an automaton sent (Auto-Submitted other than "no"), nor list and bulk
 * mail, nor a sender who asked for none of this type. */
static int may_auto_reply(apr_pool_t *pool, const dlv_request *req,
                          uint8_t type)
{
    const char *as, *prec;

    if (suppressed(pool, req, type))
        return 0;
    if (!req->env_from || !*req->env_from || !strcmp(req->env_from, "<>"))
        return 0;
    as = mime_header(pool, req->data, req->len, "Auto-Submitted");
    if (as && strncasecmp(as, "no", 2) != 0)
        return 0;
    prec = mime_header(pool, req->data, req->len, "Precedence");
    if (prec && (!strncasecmp(prec, "bulk", 4) || !strncasecmp(prec, "junk", 4)
                 || !strncasecmp(prec, "list", 4)))
        return 0;
    return mime_header(pool, req->data, req->len, "List-Id") == NULL;
}

/* An RFC 2047 encoded word when s is not plain ASCII. */
static const char *mime_word(apr_pool_t *pool, const char *s)
{
    char *b64;
    int n = (int)strlen(s);

    for (int i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || s[i] == '\r' || s[i] == '\n')
            goto encode;
    return s;
encode:
    b64 = apr_palloc(pool, (apr_size_t)apr_base64_encode_len(n));
    apr_base64_encode(b64, s, n);
    return apr_pstrcat(pool, "=?UTF-8?B?", b64, "?=", NULL);
}

/* ----------------------------------------------------- recipients -- */

/* The SMTP address a RecipientBlock names: PidTagSmtpAddress, or
 * PidTagEmailAddress of address type SMTP. */
static const char *block_smtp(const rop_propval_array *blk)
{
    const char *email = NULL, *type = NULL;

    for (uint16_t i = 0; i < blk->count; i++) {
        const rop_propval *v = &blk->vals[i];
        uint16_t pt = ROP_PROP_TYPE(v->tag);

        if (pt != ROP_PT_UNICODE && pt != ROP_PT_STRING8)
            continue;
        if (ROP_PROP_ID(v->tag) == ROP_PROP_ID(PidTagSmtpAddress))
            return v->v.str;
        if (ROP_PROP_ID(v->tag) == ROP_PROP_ID(PidTagEmailAddress))
            email = v->v.str;
        if (ROP_PROP_ID(v->tag) == ROP_PROP_ID(PidTagAddressType))
            type = v->v.str;
    }
    if (email && strchr(email, '@') && (!type || !strcasecmp(type, "SMTP")))
        return email;
    return NULL;
}

static unsigned act_recipients(const rop_action_data *d, const char **out)
{
    unsigned n = 0;

    for (uint16_t i = 0; i < d->n_recipients; i++) {
        const char *a = block_smtp(&d->recipients[i]);

        if (a && *a)
            out[n++] = a;
    }
    return n;
}

/* ----------------------------------------------------------- sending -- */

static const char *subject_of(const store_message *m)
{
    const rop_propval *s = store_props_get(&m->props, PidTagSubject);

    return s && s->v.str ? s->v.str : "";
}

static const char *new_message_id(apr_pool_t *pool, const cfg_mailbox *mbx)
{
    const char *at = strchr(mbx->smtp, '@');

    return apr_psprintf(pool, "<rule.%" APR_UINT64_T_HEX_FMT ".%d@%s>",
                        (apr_uint64_t)apr_time_now(), (int)getpid(),
                        at ? at + 1 : "localhost");
}

/* A forward: "FW: subject" with the original attached as message/rfc822,
 * the message intact ([MS-OXORULE] 2.2.5.1.1, FWD_AS_ATTACHMENT is how
 * Exchange sends it to another system). */
static const char *forward_mime(apr_pool_t *pool, const cfg_mailbox *mbx,
                                const store_message *m, const char *const *to,
                                unsigned n, const dlv_request *req,
                                size_t *len_r)
{
    char date[APR_RFC822_DATE_LEN];
    const char *boundary = apr_psprintf(pool, "=_mapi_fw_%" APR_UINT64_T_HEX_FMT,
                                        (apr_uint64_t)apr_time_now());
    const char *rcpts = apr_pstrdup(pool, to[0]), *head, *tail;

    for (unsigned i = 1; i < n; i++)
        rcpts = apr_pstrcat(pool, rcpts, ", ", to[i], NULL);
    apr_rfc822_date(date, apr_time_now());
    head = apr_pstrcat(pool,
        "From: ", mime_word(pool, mbx->display_name ? mbx->display_name : ""),
        " <", mbx->smtp, ">\r\n",
        "To: ", rcpts, "\r\n",
        "Subject: ", mime_word(pool, apr_pstrcat(pool, "FW: ", subject_of(m),
                                                 NULL)), "\r\n",
        "Date: ", date, "\r\n",
        "Message-ID: ", new_message_id(pool, mbx), "\r\n",
        "Auto-Submitted: auto-forwarded\r\n",
        "MIME-Version: 1.0\r\n",
        "Content-Type: multipart/mixed; boundary=\"", boundary, "\"\r\n\r\n",
        "--", boundary, "\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n\r\n",
        "Forwarded by a rule of ", mbx->smtp, ".\r\n\r\n",
        "--", boundary, "\r\n",
        "Content-Type: message/rfc822\r\n",
        "Content-Disposition: attachment\r\n\r\n", NULL);
    tail = apr_pstrcat(pool, "\r\n--", boundary, "--\r\n", NULL);
    *len_r = strlen(head) + req->len + strlen(tail);
    {
        char *buf = apr_palloc(pool, *len_r + 1);
        size_t h = strlen(head);

        memcpy(buf, head, h);
        memcpy(buf + h, req->data, req->len);
        memcpy(buf + h + req->len, tail, strlen(tail) + 1);
        return buf;
    }
}

static uint32_t send_to(dlv_rules_plan *p, const char *env_from,
                        const char *const *to, unsigned n,
                        const void *mime, size_t len)
{
    unsigned got;

    dlv_rules_depth++;
    got = submit_send_mime(p->db, p->pool, env_from, to, n, mime, len,
                           dlv_submit_of(p->req), NULL);
    dlv_rules_depth--;
    return got == n ? 0 : DLV_RULE_ERR_DELIVERY;
}

static uint32_t do_forward(dlv_rules_plan *p, const store_message *m,
                           const dlv_rule_act *a)
{
    const char **to = apr_pcalloc(p->pool, sizeof(char *)
                                           * (a->d.n_recipients + 1u));
    unsigned n = act_recipients(&a->d, to);
    const char *from = p->mbx->smtp;
    const char *mime;
    size_t len;

    if (n == 0)
        return DLV_RULE_ERR_EXECUTION;
    if (a->d.flavor & ROP_FWD_PRESERVE_SENDER)
        from = p->req->env_from ? p->req->env_from : "";
    /* Redirect (and delegate): the original, unchanged, under its own
     * envelope sender. */
    if ((a->d.flavor & ROP_FWD_DO_NOT_MUNGE_MSG) || a->d.type == ROP_OP_DELEGATE)
        return send_to(p, p->req->env_from ? p->req->env_from : "", to, n,
                       p->req->data, p->req->len);
    mime = forward_mime(p->pool, p->mbx, m, to, n, p->req, &len);
    return send_to(p, from, to, n, mime, len);
}

/* The SMTP address of a recipient row (PidTagSmtpAddress, else an SMTP
 * PidTagEmailAddress). */
static const char *recipient_smtp(const store_recipient *rc)
{
    const rop_propval *v = store_props_get(&rc->props, PidTagSmtpAddress);
    const rop_propval *t = store_props_get(&rc->props, PidTagAddressType);
    const rop_propval *e = store_props_get(&rc->props, PidTagEmailAddress);

    if (v && v->v.str && *v->v.str)
        return v->v.str;
    if (e && e->v.str && strchr(e->v.str, '@')
        && (!t || !t->v.str || !strcasecmp(t->v.str, "SMTP")))
        return e->v.str;
    return NULL;
}

static uint32_t send_reply(dlv_rules_plan *p, store_message *reply,
                           const char *const *to, unsigned n);

/* OP_REPLY with ST_DO_NOT_SEND_TO_ORIGINATOR: the template as it is, to
 * the recipients it names (none: an error of the template). */
static uint32_t send_to_template(dlv_rules_plan *p, const store_message *m,
                                 const store_message *tpl)
{
    store_message *reply = store_message_dup(p->pool, tpl);
    const char **to;
    unsigned n = 0;

    if (!tpl->recipients || tpl->recipients->nelts == 0)
        return DLV_RULE_ERR_NO_TEMPLATE;
    to = apr_pcalloc(p->pool, sizeof(char *) * (size_t)tpl->recipients->nelts);
    for (int i = 0; i < tpl->recipients->nelts; i++) {
        const char *a = recipient_smtp(&APR_ARRAY_IDX(tpl->recipients, i,
                                                      store_recipient));
        if (a)
            to[n++] = a;
    }
    if (n == 0)
        return DLV_RULE_ERR_NO_TEMPLATE;
    reply->associated = 0;
    store_props_set_str(&reply->props, PidTagMessageClass, "IPM.Note");
    if (!store_props_get(&reply->props, PidTagSubject))
        store_props_set_str(&reply->props, PidTagSubject,
                            apr_pstrcat(p->pool, "RE: ", subject_of(m),
                                        NULL));
    return send_reply(p, reply, to, n);
}

/* The reply from the template (an FAI message of the rule's folder, named
 * by ReplyTemplateFID/MID), addressed to the envelope sender. */
static uint32_t do_reply(dlv_rules_plan *p, const store_message *m,
                         const dlv_rule_act *a)
{
    const char *sender = p->req->env_from, *error = NULL, *to[1];
    store_message *tpl, *reply;
    store_recipient *rc;
    int seen = 0;

    if (!may_auto_reply(p->pool, p->req, a->d.type))
        return 0;                /* nothing to do, and no error either */
    if (store_message_get(p->db, p->pool, p->mbx->guid, a->d.template_mid,
                          &tpl, &error) != STORE_OK
        || tpl->fid != a->d.template_fid)
        return DLV_RULE_ERR_NO_TEMPLATE;
    /* R288, R663: NS sends it to the template's recipients instead. */
    if (a->d.flavor & ROP_RPLY_DO_NOT_SEND)
        return send_to_template(p, m, tpl);
    /* An OOF reply goes once to each sender (ST_KEEP_OOF_HIST). */
    if (a->d.type == ROP_OP_OOF_REPLY
        && (store_rule_oof_note(p->db, p->pool, p->mbx->guid, p->rule_fid,
                                a->rule->id, sender, &seen, &error)
            != STORE_OK || seen))
        return 0;
    reply = store_message_dup(p->pool, tpl);
    reply->associated = 0;
    store_props_set_str(&reply->props, PidTagMessageClass, "IPM.Note");
    if (!store_props_get(&reply->props, PidTagSubject))
        store_props_set_str(&reply->props, PidTagSubject,
                            apr_pstrcat(p->pool, "RE: ", subject_of(m),
                                        NULL));
    reply->recipients = apr_array_make(p->pool, 1, sizeof(store_recipient));
    rc = apr_array_push(reply->recipients);
    memset(rc, 0, sizeof(*rc));
    store_props_init(&rc->props, p->pool);
    store_props_set_u32(&rc->props, PidTagRecipientType, 1);
    store_props_set_str(&rc->props, PidTagDisplayName, sender);
    store_props_set_str(&rc->props, PidTagEmailAddress, sender);
    store_props_set_str(&rc->props, PidTagAddressType, "SMTP");
    store_props_set_str(&rc->props, PidTagSmtpAddress, sender);
    to[0] = sender;
    return send_reply(p, reply, to, 1);
}

/* The reply as MIME, marked as an automatic response (RFC 3834 3.1.7) so
 * that the other side's automata do not answer it, sent with a null
 * envelope sender (3.3) so that a bounce of it does not come back to a
 * rule. */
static uint32_t send_reply(dlv_rules_plan *p, store_message *reply,
                           const char *const *to, unsigned n)
{
    static const char mark[] = "Auto-Submitted: auto-replied\r\n";
    const char *error = NULL;
    uint8_t *out, *buf;
    size_t len;

    if (mime_export(p->pool, reply, p->mbx->smtp, p->mbx->display_name, &out,
                    &len, &error) != MIME_OK)
        return DLV_RULE_ERR_EXECUTION;
    buf = apr_palloc(p->pool, sizeof(mark) - 1 + len);
    memcpy(buf, mark, sizeof(mark) - 1);
    memcpy(buf + sizeof(mark) - 1, out, len);
    return send_to(p, "", to, n, buf, sizeof(mark) - 1 + len);
}

/* The words of a BounceCode ([MS-OXORULE] 2.2.5.1.2.5, R341-R343). */
static const char *bounce_text(uint32_t code)
{
    switch (code) {
    case 0x0D: return "The message was rejected because it was too large.";
    case 0x1F: return "The message was rejected because it cannot be "
                      "displayed to the recipient.";
    default:   return "Delivery of the message was denied.";
    }
}

/* OP_BOUNCE: a non-delivery notice to the envelope sender with the
 * reason and the original attached; never to a bounce or an automaton
 * (RFC 3834), which would loop. */
static uint32_t do_bounce(dlv_rules_plan *p, const store_message *m,
                          const dlv_rule_act *a)
{
    char date[APR_RFC822_DATE_LEN];
    const char *boundary = apr_psprintf(p->pool, "=_mapi_nd_%"
                                        APR_UINT64_T_HEX_FMT,
                                        (apr_uint64_t)apr_time_now());
    const char *to[1], *head, *tail;
    size_t len, h;
    char *buf;

    if (!may_auto_reply(p->pool, p->req, ROP_OP_REPLY))
        return 0;
    to[0] = p->req->env_from;
    apr_rfc822_date(date, apr_time_now());
    head = apr_pstrcat(p->pool,
        "Auto-Submitted: auto-replied\r\n",
        "From: ", mime_word(p->pool, p->mbx->display_name
                                     ? p->mbx->display_name : ""),
        " <", p->mbx->smtp, ">\r\n",
        "To: ", to[0], "\r\n",
        "Subject: ", mime_word(p->pool, apr_pstrcat(p->pool,
                               "Undeliverable: ", subject_of(m), NULL)),
        "\r\n",
        "Date: ", date, "\r\n",
        "Message-ID: ", new_message_id(p->pool, p->mbx), "\r\n",
        "MIME-Version: 1.0\r\n",
        "Content-Type: multipart/mixed; boundary=\"", boundary, "\"\r\n\r\n",
        "--", boundary, "\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n\r\n",
        "Your message to ", p->mbx->smtp, " was not delivered.\r\n",
        bounce_text(a->d.bounce_code), "\r\n\r\n",
        "--", boundary, "\r\n",
        "Content-Type: message/rfc822\r\n",
        "Content-Disposition: attachment\r\n\r\n", NULL);
    tail = apr_pstrcat(p->pool, "\r\n--", boundary, "--\r\n", NULL);
    h = strlen(head);
    len = h + p->req->len + strlen(tail);
    buf = apr_palloc(p->pool, len + 1);
    memcpy(buf, head, h);
    memcpy(buf + h, p->req->data, p->req->len);
    memcpy(buf + h + p->req->len, tail, strlen(tail) + 1);
    return send_to(p, "", to, 1, buf, len);
}

/* ------------------------------------------------------ DAM and DEM -- */

static void dam_common(dlv_rules_plan *p, store_props *props,
                       const char *provider)
{
    uint8_t feid[46];

    store_props_set_str(props, PidTagRuleProvider, provider ? provider : "");
    store_folder_entry_id(p->mi, p->rule_fid, feid);
    store_props_set_bin(props, PidTagRuleFolderEntryId, feid, sizeof(feid));
    if (p->filed_mid) {
        uint8_t meid[70];

        store_message_entry_id(p->mi, p->filed_fid, p->filed_mid, meid);
        store_props_set_bin(props, PidTagDamOriginalEntryId, meid,
                            sizeof(meid));
    }
}

static const char *rule_provider(const store_rule *r)
{
    const rop_propval *v = store_props_get(&r->props, PidTagRuleProvider);

    return v && v->v.str ? v->v.str : "";
}

/* [MS-OXORULE] 2.2.7: a DEM in the Deferred Action folder, and ST_ERROR
 * on the rule so that the same error is reported once (R581, R813). */
static void write_dem(dlv_rules_plan *p, const dlv_rule_act *a)
{
    store_message *dem;

    if (a->rule->state & STORE_ST_ERROR)
        return;
    dem = store_message_new(p->pool,
                            p->mi->folder_ids[STORE_FOLDER_DEFERRED_ACTION], 0);
    store_props_set_str(&dem->props, PidTagMessageClass,
                        "IPC.Microsoft Exchange 4.0.Deferred Error");
    store_props_set_u32(&dem->props, PidTagRuleError, a->error);
    store_props_set_u32(&dem->props, PidTagRuleActionType, a->d.type);
    store_props_set_u32(&dem->props, PidTagRuleActionNumber, a->index);
    store_props_set_u64(&dem->props, PidTagRuleId, a->rule->id);
    dam_common(p, &dem->props, rule_provider(a->rule));
    if (store_message_save(p->db, p->pool, p->mbx->guid, dem, NULL)
        == STORE_OK) {
        p->n_dems++;
        if (a->rule->extended)
            dlv_xrules_set_error(p->db, p->pool, p->mbx->guid, a->rule->id);
        else
            store_rule_set_state(p->db, p->pool, p->mbx->guid, p->rule_fid,
                                 a->rule->id, STORE_ST_ERROR, 0, NULL);
    }
}

/* R371, R372, R427: a saved DAM gets its own server entry id
 * (PtypServerId: Ours 0x01, FolderId, MessageId, Instance 0), which a
 * client sends back as ServerEntryId of RopUpdateDeferredActionMessages. */
static store_status dam_name_itself(dlv_rules_plan *p, store_message *dam)
{
    mapi_wr w;

    mapi_wr_init(&w, p->pool, 21);
    mapi_wr_u8(&w, 1);
    mapi_wr_u64(&w, dam->fid);
    mapi_wr_u64(&w, dam->mid);
    mapi_wr_u32(&w, 0);
    if (w.failed)
        return STORE_INVALID;
    store_props_set_bin(&dam->props, PidTagDeferredActionMessageOriginalEntryId,
                        w.buf, (uint32_t)w.len);
    return store_message_save(p->db, p->pool, p->mbx->guid, dam, NULL);
}

/* [MS-OXORULE] 2.2.6: one DAM per rule provider (R571) with the deferred
 * actions (PidTagClientActions) and the ids of the rules they came from
 * (PidTagRuleIds). */
static void write_dams(dlv_rules_plan *p)
{
    for (int i = 0; i < p->deferred->nelts; i++) {
        const dlv_rule_act *a = &APR_ARRAY_IDX(p->deferred, i, dlv_rule_act);
        const char *prov = rule_provider(a->rule);
        rop_rule_actions *acts;
        store_message *dam;
        mapi_wr ids, buf;
        rop_propval v;
        uint64_t last = 0;
        int seen = 0;

        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(prov, rule_provider(APR_ARRAY_IDX(
                       p->deferred, j, dlv_rule_act).rule));
        if (seen)
            continue;            /* this provider's DAM is written */
        acts = apr_pcalloc(p->pool, sizeof(*acts));
        acts->blocks = apr_pcalloc(p->pool, sizeof(rop_action_block)
                                            * (size_t)p->deferred->nelts);
        mapi_wr_init(&ids, p->pool, 8u * (size_t)p->deferred->nelts);
        for (int j = i; j < p->deferred->nelts; j++) {
            const dlv_rule_act *b = &APR_ARRAY_IDX(p->deferred, j,
                                                   dlv_rule_act);

            if (strcmp(prov, rule_provider(b->rule)) != 0)
                continue;
            acts->blocks[acts->count++] = *b->block;
            /* R368: each contributing rule's id once. */
            if (b->rule->id != last)
                mapi_wr_u64(&ids, b->rule->id);
            last = b->rule->id;
        }
        dam = store_message_new(p->pool,
                        p->mi->folder_ids[STORE_FOLDER_DEFERRED_ACTION], 0);
        store_props_set_str(&dam->props, PidTagMessageClass, STORE_DAM_CLASS);
        store_props_set_bool(&dam->props, PidTagDamBackPatched, 0);
        /* R362, R364: PtypBinary holding a RuleAction structure. */
        memset(&v, 0, sizeof(v));
        v.v.actions = acts;
        mapi_wr_init(&buf, p->pool, STORE_RECORD_MAX);
        if (rop_wr_propval(&buf, ROP_PT_ACTIONS, &v) == 0 && !buf.failed)
            store_props_set_bin(&dam->props, PidTagClientActions, buf.buf,
                                (uint32_t)buf.len);
        store_props_set_bin(&dam->props, PidTagRuleIds, ids.buf,
                            (uint32_t)ids.len);
        dam_common(p, &dam->props, prov);
        if (store_message_save(p->db, p->pool, p->mbx->guid, dam, NULL)
            == STORE_OK && dam_name_itself(p, dam) == STORE_OK) {
            p->n_dams++;
        } else {
            /* R574: a DAM that cannot be written is itself an error. */
            dlv_rule_act e = *a;

            e.error = DLV_RULE_ERR_CREATE_DAM;
            write_dem(p, &e);
        }
    }
}

void dlv_rules_finish(dlv_rules_plan *p, const store_message *m,
                      uint64_t fid, uint64_t mid)
{
    if (!p->mi)
        return;                  /* rules did not run */
    p->filed_fid = fid;
    p->filed_mid = mid;
    for (int i = 0; i < p->sends->nelts; i++) {
        dlv_rule_act *a = &APR_ARRAY_IDX(p->sends, i, dlv_rule_act);

        if (a->d.type == ROP_OP_REPLY || a->d.type == ROP_OP_OOF_REPLY)
            a->error = do_reply(p, m, a);
        else if (a->d.type == ROP_OP_BOUNCE)
            a->error = do_bounce(p, m, a);
        else
            a->error = do_forward(p, m, a);
        if (a->error)
            APR_ARRAY_PUSH(p->errors, dlv_rule_act) = *a;
        else
            p->n_sent++;
    }
    write_dams(p);
    for (int i = 0; i < p->errors->nelts; i++)
        write_dem(p, &APR_ARRAY_IDX(p->errors, i, dlv_rule_act));
}
