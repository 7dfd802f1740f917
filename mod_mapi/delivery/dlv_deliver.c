/*
 * dlv_deliver.c: one message into one mailbox (see dlv.h).
 *
 * Order matters for "nothing lost": the message is parsed and filed in
 * one store transaction (store_message_save), and only a committed save
 * is reported as delivered.  Any database failure is transient: the MTA
 * keeps the message and tries again, and a retry after a commit whose
 * acknowledgement was lost gives a duplicate, never a loss.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <sysexits.h>
#include <apr_strings.h>
#include "dlv.h"
#include "configdb/cfg_db.h"
#include "mime/mime.h"
#include "store/store.h"
#include "wire/mapi_tags.h"

int dlv_exit_code(dlv_status st)
{
    switch (st) {
    case DLV_OK:         return EX_OK;
    case DLV_NO_MAILBOX: return EX_NOUSER;
    case DLV_TOO_BIG:    return EX_UNAVAILABLE;
    case DLV_REFUSED:    return EX_DATAERR;
    case DLV_TEMPFAIL:   return EX_TEMPFAIL;
    }
    return EX_SOFTWARE;
}

const char *dlv_lmtp_code(dlv_status st)
{
    switch (st) {
    case DLV_OK:         return "250 2.0.0";
    case DLV_NO_MAILBOX: return "550 5.1.1";
    case DLV_TOO_BIG:    return "552 5.3.4";
    case DLV_REFUSED:    return "554 5.6.0";
    case DLV_TEMPFAIL:   return "451 4.3.0";
    }
    return "451 4.3.0";
}

static dlv_status dlv_fail(dlv_result *res, dlv_status st, const char *text)
{
    res->status = st;
    res->text = text;
    return st;
}

/* The address inside <...>, without a "+detail" part when the full
 * address is unknown (Postfix's recipient_delimiter). */
static const char *dlv_bare_address(apr_pool_t *pool, const char *rcpt)
{
    const char *lt = strchr(rcpt, '<'), *gt;

    if (lt && (gt = strchr(lt, '>')) != NULL)
        return apr_pstrmemdup(pool, lt + 1, (apr_size_t)(gt - lt - 1));
    return rcpt;
}

static const char *dlv_without_detail(apr_pool_t *pool, const char *addr)
{
    const char *plus = strchr(addr, '+'), *at = strrchr(addr, '@');

    if (!plus || !at || plus > at)
        return NULL;
    return apr_pstrcat(pool, apr_pstrmemdup(pool, addr,
                                            (apr_size_t)(plus - addr)),
                       at, NULL);
}

/* The mailbox of rcpt: 0, CFG_NOT_FOUND, or -1 (database). */
static int dlv_find_mailbox(mapi_db *db, apr_pool_t *pool, const char *rcpt,
                            cfg_mailbox **mbx_r, const char **error_r)
{
    const char *addr = dlv_bare_address(pool, rcpt), *plain;
    int rc = cfg_mailbox_by_smtp(db, pool, addr, mbx_r, error_r);

    if (rc == CFG_NOT_FOUND && (plain = dlv_without_detail(pool, addr)))
        rc = cfg_mailbox_by_smtp(db, pool, plain, mbx_r, error_r);
    return rc;
}

/* The mailbox of rcpt, with the status and words the MTA gets. */
static dlv_status dlv_recipient(mapi_db *db, apr_pool_t *pool,
                                const char *rcpt, cfg_mailbox **mbx_r,
                                const char **text_r)
{
    const char *error = NULL;
    int rc = dlv_find_mailbox(db, pool, rcpt, mbx_r, &error);

    if (rc == 0) {
        *text_r = "recipient ok";
        return DLV_OK;
    }
    if (rc == CFG_NOT_FOUND) {
        *text_r = apr_psprintf(pool, "no mailbox here by the name %s",
                               dlv_bare_address(pool, rcpt));
        return DLV_NO_MAILBOX;
    }
    *text_r = apr_psprintf(pool, "mailbox lookup failed: %s",
                           error ? error : "database error");
    return DLV_TEMPFAIL;
}

dlv_status dlv_check_recipient(mapi_db *db, apr_pool_t *pool,
                               const char *rcpt, const char **text_r)
{
    cfg_mailbox *mbx;

    return dlv_recipient(db, pool, rcpt, &mbx, text_r);
}

static dlv_status dlv_store_status(dlv_result *res, apr_pool_t *pool,
                                   store_status st, const char *what,
                                   const char *error)
{
    if (st == STORE_TOO_BIG)
        return dlv_fail(res, DLV_TOO_BIG, "message too big for the mailbox");
    if (st == STORE_NOT_FOUND)
        return dlv_fail(res, DLV_NO_MAILBOX, apr_psprintf(pool, "%s: the "
                        "mailbox has no store", what));
    return dlv_fail(res, DLV_TEMPFAIL, apr_psprintf(pool, "%s: %s", what,
                    error ? error : store_status_str(st)));
}

static dlv_status dlv_save_in(mapi_db *db, apr_pool_t *pool,
                              const cfg_mailbox *mbx, store_message *m,
                              uint64_t fid, dlv_result *res)
{
    const char *error = NULL;
    store_status st;

    m->fid = fid;
    m->mid = 0;
    st = store_message_save(db, pool, mbx->guid, m, &error);
    return st == STORE_OK ? DLV_OK
                          : dlv_store_status(res, pool, st, "save", error);
}

/* The receive folder of the message's class ([MS-OXCSTOR] 3.2.5.2: the
 * longest matching class prefix, the Inbox for ""), that folder's rules
 * ([MS-OXORULE] 3.2.5.1), then the save where the rules said: moved,
 * copied, or (deleted) not at all. */
static dlv_status dlv_file(mapi_db *db, apr_pool_t *pool,
                           const cfg_mailbox *mbx, const dlv_request *req,
                           store_message *m, dlv_rules_plan *plan,
                           dlv_result *res)
{
    const rop_propval *cls = store_props_get(&m->props, PidTagMessageClass);
    const char *klass = cls ? cls->v.str : "IPM.Note", *matched, *error = NULL;
    store_status st;
    dlv_status ds;
    uint64_t fid;

    st = store_receive_folder_get(db, pool, mbx->guid, klass, &fid, &matched,
                                  &error);
    if (st != STORE_OK)
        return dlv_store_status(res, pool, st, "receive folder", error);
    if ((ds = dlv_rules_evaluate(db, pool, mbx, fid, req, m, plan))
        != DLV_OK)
        return dlv_fail(res, ds, "the folder's rules could not be read");
    for (int i = 0; i < plan->copies->nelts; i++) {
        store_message *c = store_message_dup(pool, m);

        if ((ds = dlv_save_in(db, pool, mbx, c,
                              APR_ARRAY_IDX(plan->copies, i, uint64_t), res))
            != DLV_OK)
            return ds;
    }
    if (plan->deleted) {
        res->fid = fid;
        res->mid = 0;
        return DLV_OK;
    }
    if ((ds = dlv_save_in(db, pool, mbx, m,
                          plan->move_fid ? plan->move_fid : fid, res))
        != DLV_OK)
        return ds;
    res->fid = m->fid;
    res->mid = m->mid;
    return DLV_OK;
}

/* [MS-OXCNOTIF] NewMail for the sessions that asked for it. */
static void dlv_raise_new_mail(mapi_db *db, apr_pool_t *pool,
                               const cfg_mailbox *mbx, const store_message *m)
{
    const rop_propval *cls = store_props_get(&m->props, PidTagMessageClass);
    const rop_propval *fl = store_props_get(&m->props, PidTagMessageFlags);
    store_event ev = { .type = STORE_EV_NEW_MAIL, .fid = m->fid,
                       .mid = m->mid, .parent_fid = m->fid,
                       .message_class = cls ? cls->v.str : "IPM.Note",
                       .message_flags = fl ? fl->v.l : 0 };

    store_raise(db, pool, mbx->guid, &ev);
}

static dlv_status dlv_import(apr_pool_t *pool, const dlv_request *req,
                             const cfg_mailbox *mbx, store_message **m_r,
                             dlv_result *res)
{
    mime_import_opts o = { .rcpt_smtp = mbx->smtp,
                           .rcpt_name = mbx->display_name,
                           .env_from = req->env_from };
    const char *error = NULL;
    store_message *m = store_message_new(pool, 0, 0);

    switch (mime_import(pool, req->data, req->len, &o, m, &error)) {
    case MIME_OK:
        *m_r = m;
        return DLV_OK;
    case MIME_TOO_BIG:
        return dlv_fail(res, DLV_TOO_BIG, error ? error : "message too big");
    case MIME_UNPARSABLE:
        return dlv_fail(res, DLV_REFUSED, error ? error
                        : "not an Internet message");
    case MIME_NO_MEMORY:
        break;
    }
    return dlv_fail(res, DLV_TEMPFAIL, error ? error : "out of memory");
}

dlv_status dlv_deliver(mapi_db *db, apr_pool_t *pool, const dlv_request *req,
                       dlv_result *res)
{
    cfg_mailbox *mbx = NULL;
    store_message *m = NULL;
    dlv_rules_plan plan;
    const char *text;
    dlv_status st;

    memset(res, 0, sizeof(*res));
    if (req->len > MIME_MAX_MESSAGE)
        return dlv_fail(res, DLV_TOO_BIG, apr_psprintf(pool, "message of %"
                        APR_SIZE_T_FMT " bytes is over the limit of %u",
                        req->len, MIME_MAX_MESSAGE));
    if ((st = dlv_recipient(db, pool, req->rcpt, &mbx, &text)) != DLV_OK)
        return dlv_fail(res, st, text);
    if ((st = dlv_import(pool, req, mbx, &m, res)) != DLV_OK)
        return st;
    if ((st = dlv_file(db, pool, mbx, req, m, &plan, res)) != DLV_OK)
        return st;
    if (res->mid)
        dlv_raise_new_mail(db, pool, mbx, m);
    dlv_rules_finish(&plan, m, res->fid, res->mid);
    res->status = DLV_OK;
    res->text = res->mid ? apr_psprintf(pool, "delivered to %s", mbx->smtp)
                         : apr_psprintf(pool, "delivered to %s and deleted "
                                        "by a rule", mbx->smtp);
    return DLV_OK;
}
