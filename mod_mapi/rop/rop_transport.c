/*
 * rop_transport.c: submission, spooler and transport ROPs ([MS-OXCROPS]
 * 2.2.7).  RopGetAddressTypes and RopOptionsData are in rop_misc.c.
 *
 * The server is its own transport: RopSubmitMessage saves the message
 * and sends it before answering (submit.h), so there is no queue a
 * client spooler would work from.  RopSetSpooler and RopSpoolerLockMessage
 * therefore succeed without effect, RopAbortSubmit finds nothing left to
 * abort (ecNotInQueue) unless a crash left a message marked submitted,
 * and RopTransportSend sends like RopSubmitMessage.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_time.h>
#include "rop_ids.h"
#include "rop_transport.h"
#include "rop_message.h"
#include "rop_object.h"
#include "submit/submit.h"
#include "wire/mapi_tags.h"

#define ecNoRecipients   0x80040607u   /* MAPI_E_NO_RECIPIENTS */
#define ecNotInQueue     0x80040601u   /* MAPI_E_NOT_IN_QUEUE */

static int rop_parse_submit_message(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_submit_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->submit_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_abort_submit(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_abort_submit_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->folder_id);
    mapi_rd_u64(rd, &r->message_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_spooler_lock_message(mapi_rd *rd, apr_pool_t *pool,
                                          rop_call *call)
{
    rop_spooler_lock_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->message_id);
    mapi_rd_u8(rd, &r->lock_state);
    return rd->failed ? -1 : 0;
}

static int rop_parse_transport_new_mail(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_transport_new_mail_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->message_id);
    mapi_rd_u64(rd, &r->folder_id);
    if (rd->failed || rop_rd_str(rd, pool, 0, &r->message_class) < 0)
        return -1;
    return mapi_rd_u32(rd, &r->message_flags);
}

/* ---- RopSubmitMessage, RopTransportSend -------------------------------- */

/* The message object of the call, writable and not embedded. */
static uint32_t xport_message(rop_ctx *ctx, const rop_call *call,
                              rop_object **obj_r)
{
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_MESSAGE), obj_r);

    if (ec)
        return ec;
    if ((*obj_r)->msg_flags & ROP_MSG_EMBEDDED)
        return ecNotSupported;      /* an attachment is not sent alone */
    if (!((*obj_r)->msg_flags & ROP_MSG_WRITE))
        return ecAccessDenied;
    /* Folder rights give no right to send as or on behalf of another
     * mailbox's owner: mail leaves only from one's own mailbox. */
    if (!rop_ctx_is_own(ctx, (*obj_r)->mbox))
        return ecAccessDenied;
    return 0;
}

/* Marks the working copy submitted and unsent ([MS-OXCMSG] R520), saves
 * it, and sends it (submit.h).  The object stays open read-only on the
 * message wherever it went. */
static uint32_t xport_send(rop_ctx *ctx, rop_object *obj)
{
    const rop_propval *fl;
    submit_result res;
    const char *error = NULL;
    store_status st;
    uint32_t ec;

    if (!obj->msg->recipients || obj->msg->recipients->nelts == 0)
        return ecNoRecipients;
    fl = store_props_get(&obj->msg->props, PidTagMessageFlags);
    store_props_set_u32(&obj->msg->props, PidTagMessageFlags,
                        (fl ? fl->v.l : 0) | MSGFLAG_SUBMIT | MSGFLAG_UNSENT);
    if ((ec = rop_msg_commit(ctx, obj)) != 0)
        return ec;
    st = submit_message(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                        rop_ctx_mailbox(ctx), obj->mid, rop_ctx_submit(ctx),
                        &res, &error);
    if (st == STORE_INVALID)
        return ecNoRecipients;
    if (st != STORE_OK) {
        rop_ctx_note_error(ctx, error);
        return store_status_ec(st);
    }
    obj->fid = res.fid;
    obj->mid = res.mid;
    obj->msg_flags &= ~(uint32_t)(ROP_MSG_WRITE | ROP_MSG_DIRTY | ROP_MSG_NEW);
    return rop_obj_save(ctx, obj);
}

static int rop_h_submit_message(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *obj;
    uint32_t ec = xport_message(ctx, call, &obj);

    if (ec == 0 && mapi_wr_room(out) < 6)
        return -1;
    if (ec == 0)
        ec = xport_send(ctx, obj);
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

/* NoPropertiesReturned 1 and no values: the message keeps its own. */
static int rop_h_transport_send(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *obj;
    uint32_t ec = xport_message(ctx, call, &obj);

    if (ec == 0 && mapi_wr_room(out) < 9)
        return -1;
    if (ec == 0)
        ec = xport_send(ctx, obj);
    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u8(out, 1);
    return mapi_wr_u16(out, 0);
}

/* ---- the other transport ROPs ------------------------------------------- */

/* The logon of the call, of the session's own mailbox: the spooler and
 * transport folder of another user's mailbox are theirs. */
static uint32_t xport_logon(rop_ctx *ctx, const rop_call *call)
{
    rop_object *logon;
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_LOGON), &logon);

    if (ec == 0 && !rop_ctx_is_own(ctx, logon->mbox))
        ec = ecAccessDenied;
    return ec;
}

/* Only a message a crash left marked submitted is still "in the queue";
 * anything else was sent when it was submitted. */
static int rop_h_abort_submit(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_abort_submit_req *r = call->req;
    const cfg_mailbox *mbx = rop_ctx_mailbox(ctx);
    const char *error = NULL;
    const rop_propval *fl;
    store_message *m;
    store_status st;
    uint32_t ec = xport_logon(ctx, call);

    if (ec == 0) {
        st = store_message_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), mbx->guid,
                               r->message_id, &m, &error);
        if (st != STORE_OK || m->fid != r->folder_id)
            ec = st == STORE_OK || st == STORE_NOT_FOUND ? ecNotFound
                                                         : store_status_ec(st);
    }
    if (ec == 0) {
        fl = store_props_get(&m->props, PidTagMessageFlags);
        if (!fl || !(fl->v.l & MSGFLAG_SUBMIT))
            ec = ecNotInQueue;
    }
    if (ec == 0)
        ec = store_status_ec(store_message_set_flags(rop_ctx_db(ctx),
                             rop_ctx_pool(ctx), mbx->guid, r->message_id, 0,
                             MSGFLAG_SUBMIT, NULL, &error));
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

static int rop_h_set_spooler(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    uint32_t ec = xport_logon(ctx, call);

    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

static int rop_h_spooler_lock_message(rop_ctx *ctx, rop_call *call,
                                      mapi_wr *out)
{
    const rop_spooler_lock_message_req *r = call->req;
    store_message *m;
    uint32_t ec = xport_logon(ctx, call);

    if (ec == 0 && r->lock_state > 2)
        ec = ecInvalidParam;        /* lstLock, lstUnlock, lstFinished */
    if (ec == 0 && store_message_get(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                     rop_ctx_mailbox(ctx)->guid,
                                     r->message_id, &m, NULL) != STORE_OK)
        ec = ecNotFound;
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

/* The folder a client-side transport works from: the Outbox, where
 * submitted messages wait while they are sent. */
static int rop_h_get_transport_folder(rop_ctx *ctx, rop_call *call,
                                      mapi_wr *out)
{
    const store_mailbox_info *mi = rop_ctx_mailbox_info(ctx);
    uint32_t ec = xport_logon(ctx, call);

    if (ec == 0 && !mi)
        ec = ecError;
    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u64(out, mi->folder_ids[STORE_FOLDER_OUTBOX]);
}

/* A client-side transport placed new mail: tell the sessions that
 * watch for it ([MS-OXCNOTIF] NewMail). */
static int rop_h_transport_new_mail(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_transport_new_mail_req *r = call->req;
    const cfg_mailbox *mbx = rop_ctx_mailbox(ctx);
    store_message *m;
    store_event ev = { .type = STORE_EV_NEW_MAIL };
    uint32_t ec = xport_logon(ctx, call);

    if (ec == 0 && (store_message_get(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                      mbx->guid, r->message_id, &m, NULL)
                    != STORE_OK || m->fid != r->folder_id))
        ec = ecNotFound;
    if (ec)
        return rop_write_error_response(out, call, ec);
    ev.fid = ev.parent_fid = r->folder_id;
    ev.mid = r->message_id;
    ev.message_class = r->message_class;
    ev.message_flags = r->message_flags;
    store_raise(rop_ctx_db(ctx), rop_ctx_pool(ctx), mbx->guid, &ev);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

const rop_def rop_transport_defs[] = {
    { ROP_ID_SUBMIT_MESSAGE, 0, "RopSubmitMessage",
      rop_parse_submit_message, rop_h_submit_message, 0 },
    { ROP_ID_ABORT_SUBMIT, 0, "RopAbortSubmit",
      rop_parse_abort_submit, rop_h_abort_submit, 0 },
    { ROP_ID_SET_SPOOLER, 0, "RopSetSpooler", rop_parse_hdr_only,
      rop_h_set_spooler, 0 },
    { ROP_ID_SPOOLER_LOCK_MESSAGE, 0, "RopSpoolerLockMessage",
      rop_parse_spooler_lock_message, rop_h_spooler_lock_message, 0 },
    { ROP_ID_TRANSPORT_SEND, 0, "RopTransportSend",
      rop_parse_hdr_only, rop_h_transport_send, 0 },
    { ROP_ID_TRANSPORT_NEW_MAIL, 0, "RopTransportNewMail",
      rop_parse_transport_new_mail, rop_h_transport_new_mail, 0 },
    { ROP_ID_GET_TRANSPORT_FOLDER, 0, "RopGetTransportFolder",
      rop_parse_hdr_only, rop_h_get_transport_folder, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
