/*
 * rop_transport.c: submission, spooler and transport ROPs ([MS-OXCROPS]
 * 2.2.7).  RopGetAddressTypes and RopOptionsData are in rop_misc.c.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_transport.h"

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

const rop_def rop_transport_defs[] = {
    { ROP_ID_SUBMIT_MESSAGE, 0, "RopSubmitMessage",
      rop_parse_submit_message, NULL, 0 },
    { ROP_ID_ABORT_SUBMIT, 0, "RopAbortSubmit",
      rop_parse_abort_submit, NULL, 0 },
    { ROP_ID_SET_SPOOLER, 0, "RopSetSpooler", rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_SPOOLER_LOCK_MESSAGE, 0, "RopSpoolerLockMessage",
      rop_parse_spooler_lock_message, NULL, 0 },
    { ROP_ID_TRANSPORT_SEND, 0, "RopTransportSend",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_TRANSPORT_NEW_MAIL, 0, "RopTransportNewMail",
      rop_parse_transport_new_mail, NULL, 0 },
    { ROP_ID_GET_TRANSPORT_FOLDER, 0, "RopGetTransportFolder",
      rop_parse_hdr_only, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
