/*
 * rop_message.c: message and attachment ROPs ([MS-OXCROPS] 2.2.6).
 * Attachments live here too: they are opened on, and owned by, messages.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_logon.h"
#include "rop_folder.h"
#include "rop_message.h"

static int rop_parse_open_message(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_open_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u16(rd, &r->code_page_id);
    mapi_rd_u64(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->open_mode_flags);
    mapi_rd_u64(rd, &r->message_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_create_message(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_create_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u16(rd, &r->code_page_id);
    mapi_rd_u64(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->associated_flag);
    return rd->failed ? -1 : 0;
}

static int rop_parse_save_changes(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_save_changes_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_resp_in(rd, call);
    mapi_rd_u8(rd, &r->save_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_remove_all_recipients(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_remove_all_recipients_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->reserved);
    return rd->failed ? -1 : 0;
}

/* ModifyRecipientRow: RowId, RecipientType, RecipientRowSize, then a
 * RecipientRow that must fill RecipientRowSize exactly. */
static int rop_rd_modify_recipient_row(mapi_rd *rd, apr_pool_t *pool,
                                       const rop_tag_array *columns,
                                       rop_modify_recipient_row *m)
{
    uint16_t size;
    mapi_rd sub;

    mapi_rd_u32(rd, &m->row_id);
    mapi_rd_u8(rd, &m->recipient_type);
    if (mapi_rd_u16(rd, &size) < 0 || rd->failed
        || mapi_rd_sub(rd, size, &sub) < 0)
        return -1;
    m->has_row = size != 0;
    if (m->has_row && (rop_rd_recipient_row(&sub, pool, columns, &m->row) < 0
                       || mapi_rd_left(&sub) != 0)) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

static int rop_parse_modify_recipients(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_modify_recipients_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t i;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0
        || rop_rd_tag_array(rd, pool, &r->columns) < 0
        || mapi_rd_u16(rd, &r->row_count) < 0
        || rop_rd_count_ok(rd, r->row_count, 7) < 0)
        return -1;
    r->rows = apr_pcalloc(pool, (size_t)r->row_count * sizeof(*r->rows) + 1);
    for (i = 0; i < r->row_count && !rd->failed; i++)
        rop_rd_modify_recipient_row(rd, pool, &r->columns, &r->rows[i]);
    return rd->failed ? -1 : 0;
}

static int rop_parse_read_recipients(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_read_recipients_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->row_id);
    mapi_rd_u16(rd, &r->reserved);
    return rd->failed ? -1 : 0;
}

static int rop_parse_reload_cached_info(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_reload_cached_info_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->reserved);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_message_status(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_set_message_status_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->message_id);
    mapi_rd_u32(rd, &r->message_status_flags);
    mapi_rd_u32(rd, &r->message_status_mask);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_message_status(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_message_status_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->message_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_read_flags(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_set_read_flags_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->read_flags);
    if (rd->failed)
        return -1;
    return rop_rd_u64_array(rd, pool, &r->message_id_count, &r->message_ids);
}

/* ClientData is sent only on a logon made without the Private flag
 * (MS-OXCROPS R2094, R2095); an unknown logon counts as private. */
static int rop_parse_set_message_read_flag(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_set_message_read_flag_req *r = apr_pcalloc(pool, sizeof(*r));
    int flags;

    call->req = r;
    rop_rd_hdr_resp_in(rd, call);
    if (mapi_rd_u8(rd, &r->read_flags) < 0 || rd->failed)
        return -1;
    flags = call->ctx ? rop_ctx_logon_flags(call->ctx, call->logon_id) : -1;
    r->has_client_data = flags >= 0 && !(flags & ROP_LOGON_PRIVATE);
    if (r->has_client_data)
        return mapi_rd_bytes(rd, r->client_data, sizeof(r->client_data));
    return 0;
}

static int rop_parse_open_attachment(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_open_attachment_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->open_attachment_flags);
    mapi_rd_u32(rd, &r->attachment_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_delete_attachment(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_delete_attachment_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->attachment_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_open_embedded_message(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_open_embedded_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u16(rd, &r->code_page_id);
    mapi_rd_u8(rd, &r->open_mode_flags);
    return rd->failed ? -1 : 0;
}

const rop_def rop_message_defs[] = {
    { ROP_ID_OPEN_MESSAGE, ROP_F_OUT_HANDLE, "RopOpenMessage",
      rop_parse_open_message, NULL, 0 },
    { ROP_ID_CREATE_MESSAGE, ROP_F_OUT_HANDLE, "RopCreateMessage",
      rop_parse_create_message, NULL, 0 },
    { ROP_ID_SAVE_CHANGES_MESSAGE, ROP_F_RESP_HANDLE, "RopSaveChangesMessage",
      rop_parse_save_changes, NULL, 0 },
    { ROP_ID_REMOVE_ALL_RECIPIENTS, 0, "RopRemoveAllRecipients",
      rop_parse_remove_all_recipients, NULL, 0 },
    { ROP_ID_MODIFY_RECIPIENTS, 0, "RopModifyRecipients",
      rop_parse_modify_recipients, NULL, 0 },
    { ROP_ID_READ_RECIPIENTS, 0, "RopReadRecipients",
      rop_parse_read_recipients, NULL, 0 },
    { ROP_ID_RELOAD_CACHED_INFORMATION, 0, "RopReloadCachedInformation",
      rop_parse_reload_cached_info, NULL, 0 },
    { ROP_ID_SET_MESSAGE_STATUS, 0, "RopSetMessageStatus",
      rop_parse_set_message_status, NULL, 0 },
    { ROP_ID_GET_MESSAGE_STATUS, 0, "RopGetMessageStatus",
      rop_parse_get_message_status, NULL, 0 },
    { ROP_ID_SET_READ_FLAGS, 0, "RopSetReadFlags",
      rop_parse_set_read_flags, NULL, 1 /* PartialCompletion */ },
    { ROP_ID_SET_MESSAGE_READ_FLAG, ROP_F_RESP_HANDLE, "RopSetMessageReadFlag",
      rop_parse_set_message_read_flag, NULL, 0 },
    { ROP_ID_GET_ATTACHMENT_TABLE, ROP_F_OUT_HANDLE, "RopGetAttachmentTable",
      rop_parse_table_flags, NULL, 0 },
    { ROP_ID_OPEN_ATTACHMENT, ROP_F_OUT_HANDLE, "RopOpenAttachment",
      rop_parse_open_attachment, NULL, 0 },
    { ROP_ID_CREATE_ATTACHMENT, ROP_F_OUT_HANDLE, "RopCreateAttachment",
      rop_parse_hdr_in_out_only, NULL, 0 },
    { ROP_ID_DELETE_ATTACHMENT, 0, "RopDeleteAttachment",
      rop_parse_delete_attachment, NULL, 0 },
    { ROP_ID_SAVE_CHANGES_ATTACHMENT, ROP_F_RESP_HANDLE,
      "RopSaveChangesAttachment", rop_parse_save_changes, NULL, 0 },
    { ROP_ID_OPEN_EMBEDDED_MESSAGE, ROP_F_OUT_HANDLE, "RopOpenEmbeddedMessage",
      rop_parse_open_embedded_message, NULL, 0 },
    { ROP_ID_GET_VALID_ATTACHMENTS, 0, "RopGetValidAttachments",
      rop_parse_hdr_only, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
