/*
 * rop_logon.c: logon and store ROPs ([MS-OXCROPS] 2.2.3).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <apr_strings.h>
#include "rop_ids.h"
#include "rop_logon.h"

/* RopLogon has no InputHandleIndex: LogonId, OutputHandleIndex (R24, R30).
 * Essdn is EssdnSize bytes including its NUL (R41). */
static int rop_parse_logon(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_logon_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t essdn_size;
    mapi_rd sub;

    call->req = r;
    mapi_rd_u8(rd, &call->logon_id);
    mapi_rd_u8(rd, &call->out_handle_index);
    mapi_rd_u8(rd, &r->logon_flags);
    mapi_rd_u32(rd, &r->open_flags);
    mapi_rd_u32(rd, &r->store_state);
    if (mapi_rd_u16(rd, &essdn_size) < 0 || mapi_rd_sub(rd, essdn_size, &sub) < 0)
        return -1;
    if (essdn_size > 0
        && (mapi_rd_str8(&sub, pool, essdn_size - 1, &r->essdn) < 0
            || mapi_rd_left(&sub) != 0))
        return -1;
    /* Later requests of this buffer were encoded for this logon's type. */
    if (call->ctx)
        rop_ctx_set_logon_flags(call->ctx, call->logon_id, r->logon_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_receive_folder(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_message_class_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_str(rd, pool, 0, &r->message_class);
}

static int rop_parse_set_receive_folder(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_set_receive_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u64(rd, &r->folder_id) < 0 || rd->failed)
        return -1;
    return rop_rd_str(rd, pool, 0, &r->message_class);
}

static int rop_parse_id(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_id_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_ltid(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_ltid_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    return rop_rd_long_term_id(rd, &r->ltid);
}

static int rop_parse_get_per_user_ltids(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_per_user_ltids_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_bytes(rd, r->database_guid, 16);
    return rd->failed ? -1 : 0;
}

static int rop_parse_read_per_user_info(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_read_per_user_info_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    rop_rd_long_term_id(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->reserved);
    mapi_rd_u32(rd, &r->data_offset);
    mapi_rd_u16(rd, &r->max_data_size);
    return rd->failed ? -1 : 0;
}

/* An unknown logon is taken as private, the usual mailbox logon. */
static int rop_logon_is_private(const rop_call *call)
{
    int flags = call->ctx ? rop_ctx_logon_flags(call->ctx, call->logon_id) : -1;

    return flags < 0 || (flags & ROP_LOGON_PRIVATE);
}

/* ReplGuid is present only on the first chunk (DataOffset 0) of a private
 * mailbox logon (MS-OXCROPS R521-R523). */
static int rop_parse_write_per_user_info(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_write_per_user_info_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    rop_rd_long_term_id(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->has_finished);
    mapi_rd_u32(rd, &r->data_offset);
    if (rd->failed || rop_rd_bin16(rd, &r->data) < 0)
        return -1;
    r->has_repl_guid = r->data_offset == 0 && rop_logon_is_private(call);
    if (r->has_repl_guid)
        mapi_rd_bytes(rd, r->repl_guid, 16);
    return rd->failed ? -1 : 0;
}

const rop_def rop_logon_defs[] = {
    { ROP_ID_LOGON, ROP_F_OUT_HANDLE | ROP_F_NO_INPUT, "RopLogon",
      rop_parse_logon, NULL, 0 },
    { ROP_ID_GET_RECEIVE_FOLDER, 0, "RopGetReceiveFolder",
      rop_parse_get_receive_folder, NULL, 0 },
    { ROP_ID_SET_RECEIVE_FOLDER, 0, "RopSetReceiveFolder",
      rop_parse_set_receive_folder, NULL, 0 },
    { ROP_ID_GET_RECEIVE_FOLDER_TABLE, 0, "RopGetReceiveFolderTable",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_GET_STORE_STATE, 0, "RopGetStoreState",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_GET_OWNING_SERVERS, 0, "RopGetOwningServers",
      rop_parse_id, NULL, 0 },
    { ROP_ID_PUBLIC_FOLDER_IS_GHOSTED, 0, "RopPublicFolderIsGhosted",
      rop_parse_id, NULL, 0 },
    { ROP_ID_LONG_TERM_ID_FROM_ID, 0, "RopLongTermIdFromId",
      rop_parse_id, NULL, 0 },
    { ROP_ID_ID_FROM_LONG_TERM_ID, 0, "RopIdFromLongTermId",
      rop_parse_ltid, NULL, 0 },
    { ROP_ID_GET_PER_USER_LONG_TERM_IDS, 0, "RopGetPerUserLongTermIds",
      rop_parse_get_per_user_ltids, NULL, 0 },
    { ROP_ID_GET_PER_USER_GUID, 0, "RopGetPerUserGuid",
      rop_parse_ltid, NULL, 0 },
    { ROP_ID_READ_PER_USER_INFORMATION, 0, "RopReadPerUserInformation",
      rop_parse_read_per_user_info, NULL, 0 },
    { ROP_ID_WRITE_PER_USER_INFORMATION, 0, "RopWritePerUserInformation",
      rop_parse_write_per_user_info, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
