/*
 * rop_notify.c: notification ROPs ([MS-OXCROPS] 2.2.14).  RopNotify and
 * RopPending exist only as responses (R4422, R4432).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_notify.h"

/* Reserved is present only with the Extended flag (R20005, R20005001);
 * FolderId and MessageId only when WantWholeStore is zero (R4341, R4657). */
static int rop_parse_register_notification(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_register_notification_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    if (mapi_rd_u16(rd, &r->notification_types) < 0 || rd->failed)
        return -1;
    if (r->notification_types & ROP_NOTIFY_EXTENDED)
        mapi_rd_u8(rd, &r->reserved);
    if (mapi_rd_u8(rd, &r->want_whole_store) < 0 || rd->failed)
        return -1;
    if (!r->want_whole_store) {
        mapi_rd_u64(rd, &r->folder_id);
        mapi_rd_u64(rd, &r->message_id);
    }
    return rd->failed ? -1 : 0;
}

const rop_def rop_notify_defs[] = {
    { ROP_ID_REGISTER_NOTIFICATION, ROP_F_OUT_HANDLE,
      "RopRegisterNotification", rop_parse_register_notification, NULL, 0 },
    { ROP_ID_NOTIFY, ROP_F_SERVER_ONLY, "RopNotify", NULL, NULL, 0 },
    { ROP_ID_PENDING, ROP_F_SERVER_ONLY, "RopPending", NULL, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
