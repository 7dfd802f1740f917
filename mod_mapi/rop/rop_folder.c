/*
 * rop_folder.c: folder ROPs ([MS-OXCROPS] 2.2.4).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_folder.h"

/* Failure responses of the ROPs that may partly complete carry a
 * PartialCompletion byte after ReturnValue. */
#define ROP_TAIL_PARTIAL 1

static int rop_parse_open_folder(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_open_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u64(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->open_mode_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_create_folder(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_create_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->folder_type);
    mapi_rd_u8(rd, &r->use_unicode);
    mapi_rd_u8(rd, &r->open_existing);
    mapi_rd_u8(rd, &r->reserved);
    if (rd->failed
        || rop_rd_str(rd, pool, r->use_unicode, &r->display_name) < 0)
        return -1;
    return rop_rd_str(rd, pool, r->use_unicode, &r->comment);
}

static int rop_parse_delete_folder(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_delete_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->delete_folder_flags);
    mapi_rd_u64(rd, &r->folder_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_search_criteria(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_set_search_criteria_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0
        || rop_rd_restriction_sized(rd, pool, &r->restriction) < 0
        || rop_rd_u64_array(rd, pool, &r->folder_id_count, &r->folder_ids) < 0)
        return -1;
    return mapi_rd_u32(rd, &r->search_flags);
}

static int rop_parse_get_search_criteria(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_get_search_criteria_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->use_unicode);
    mapi_rd_u8(rd, &r->include_restriction);
    mapi_rd_u8(rd, &r->include_folders);
    return rd->failed ? -1 : 0;
}

static int rop_parse_move_copy_messages(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_move_copy_messages_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_src_dst(rd, call) < 0
        || rop_rd_u64_array(rd, pool, &r->message_id_count,
                            &r->message_ids) < 0)
        return -1;
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_copy);
    return rd->failed ? -1 : 0;
}

static int rop_parse_move_folder(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_move_copy_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->use_unicode);
    if (mapi_rd_u64(rd, &r->folder_id) < 0 || rd->failed)
        return -1;
    return rop_rd_str(rd, pool, r->use_unicode, &r->new_folder_name);
}

static int rop_parse_copy_folder(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_move_copy_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_recursive);
    mapi_rd_u8(rd, &r->use_unicode);
    if (mapi_rd_u64(rd, &r->folder_id) < 0 || rd->failed)
        return -1;
    return rop_rd_str(rd, pool, r->use_unicode, &r->new_folder_name);
}

static int rop_parse_empty_folder(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_empty_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_delete_associated);
    return rd->failed ? -1 : 0;
}

static int rop_parse_delete_messages(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_delete_messages_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->notify_non_read);
    if (rd->failed)
        return -1;
    return rop_rd_u64_array(rd, pool, &r->message_id_count, &r->message_ids);
}

int rop_parse_table_flags(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_table_flags_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->table_flags);
    return rd->failed ? -1 : 0;
}

const rop_def rop_folder_defs[] = {
    { ROP_ID_OPEN_FOLDER, ROP_F_OUT_HANDLE, "RopOpenFolder",
      rop_parse_open_folder, NULL, 0 },
    { ROP_ID_CREATE_FOLDER, ROP_F_OUT_HANDLE, "RopCreateFolder",
      rop_parse_create_folder, NULL, 0 },
    { ROP_ID_DELETE_FOLDER, 0, "RopDeleteFolder",
      rop_parse_delete_folder, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_SET_SEARCH_CRITERIA, 0, "RopSetSearchCriteria",
      rop_parse_set_search_criteria, NULL, 0 },
    { ROP_ID_GET_SEARCH_CRITERIA, 0, "RopGetSearchCriteria",
      rop_parse_get_search_criteria, NULL, 0 },
    { ROP_ID_MOVE_COPY_MESSAGES, ROP_F_DEST_HANDLE, "RopMoveCopyMessages",
      rop_parse_move_copy_messages, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_MOVE_FOLDER, ROP_F_DEST_HANDLE, "RopMoveFolder",
      rop_parse_move_folder, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_COPY_FOLDER, ROP_F_DEST_HANDLE, "RopCopyFolder",
      rop_parse_copy_folder, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_EMPTY_FOLDER, 0, "RopEmptyFolder",
      rop_parse_empty_folder, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_HARD_DELETE_MESSAGES_AND_SUBFOLDERS, 0,
      "RopHardDeleteMessagesAndSubfolders",
      rop_parse_empty_folder, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_DELETE_MESSAGES, 0, "RopDeleteMessages",
      rop_parse_delete_messages, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_HARD_DELETE_MESSAGES, 0, "RopHardDeleteMessages",
      rop_parse_delete_messages, NULL, ROP_TAIL_PARTIAL },
    { ROP_ID_GET_HIERARCHY_TABLE, ROP_F_OUT_HANDLE, "RopGetHierarchyTable",
      rop_parse_table_flags, NULL, 0 },
    { ROP_ID_GET_CONTENTS_TABLE, ROP_F_OUT_HANDLE, "RopGetContentsTable",
      rop_parse_table_flags, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
