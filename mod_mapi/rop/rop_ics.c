/*
 * rop_ics.c: fast transfer ([MS-OXCROPS] 2.2.12) and incremental change
 * synchronization ([MS-OXCROPS] 2.2.13) ROPs.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_ics.h"

/* Failure responses that keep the transfer status block after
 * ReturnValue: TransferStatus, InProgressCount, TotalStepCount, Reserved,
 * then BufferUsedSize (put) or TransferBufferSize (get). */
#define ROP_TAIL_PUT      9
#define ROP_TAIL_PUT_EX   13   /* 32-bit InProgressCount, TotalStepCount */
#define ROP_TAIL_GET      9

static int rop_parse_fx_dest_configure(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_fx_dest_configure_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->source_operation);
    mapi_rd_u8(rd, &r->copy_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_fx_put_buffer(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_fx_put_buffer_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->transfer_data);
}

/* MaximumBufferSize is present only when BufferSize is 0xBABE (R3722). */
static int rop_parse_fx_get_buffer(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_fx_get_buffer_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u16(rd, &r->buffer_size) < 0 || rd->failed)
        return -1;
    if (r->buffer_size == ROP_FX_BUFFER_USE_MAX)
        return mapi_rd_u16(rd, &r->maximum_buffer_size);
    return 0;
}

static int rop_parse_fx_copy_folder(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_fx_copy_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->copy_flags);
    mapi_rd_u8(rd, &r->send_options);
    return rd->failed ? -1 : 0;
}

static int rop_parse_fx_copy_messages(mapi_rd *rd, apr_pool_t *pool,
                                      rop_call *call)
{
    rop_fx_copy_messages_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in_out(rd, call) < 0
        || rop_rd_u64_array(rd, pool, &r->message_id_count,
                            &r->message_ids) < 0)
        return -1;
    mapi_rd_u8(rd, &r->copy_flags);
    mapi_rd_u8(rd, &r->send_options);
    return rd->failed ? -1 : 0;
}

static int rop_parse_fx_copy_to(mapi_rd *rd, apr_pool_t *pool,
                                rop_call *call)
{
    rop_fx_copy_props_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->level);
    mapi_rd_u32(rd, &r->copy_flags);
    if (mapi_rd_u8(rd, &r->send_options) < 0 || rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_fx_copy_properties(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_fx_copy_props_req *r = apr_pcalloc(pool, sizeof(*r));
    uint8_t flags = 0;

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->level);
    mapi_rd_u8(rd, &flags);
    if (mapi_rd_u8(rd, &r->send_options) < 0 || rd->failed)
        return -1;
    r->copy_flags = flags;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_tell_version(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_tell_version_req *r = apr_pcalloc(pool, sizeof(*r));
    int i;

    call->req = r;
    rop_rd_hdr_in(rd, call);
    for (i = 0; i < 3; i++)
        mapi_rd_u16(rd, &r->version[i]);
    return rd->failed ? -1 : 0;
}

static int rop_parse_sync_configure(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_sync_configure_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->synchronization_type);
    mapi_rd_u8(rd, &r->send_options);
    mapi_rd_u16(rd, &r->synchronization_flags);
    if (rd->failed || rop_rd_restriction_sized(rd, pool, &r->restriction) < 0
        || mapi_rd_u32(rd, &r->synchronization_extra_flags) < 0)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_sync_import_message_change(mapi_rd *rd, apr_pool_t *pool,
                                                rop_call *call)
{
    rop_sync_import_message_change_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    if (mapi_rd_u8(rd, &r->import_flag) < 0 || rd->failed)
        return -1;
    return rop_rd_tagged_propvals(rd, pool, &r->values);
}

static int rop_rd_read_state(mapi_rd *rd, rop_message_read_state *st)
{
    if (rop_rd_bin16(rd, &st->message_id) < 0)
        return -1;
    return mapi_rd_u8(rd, &st->mark_as_read);
}

/* MessageReadStates is sized in bytes, not entries: count them on a copy
 * of the reader first so the array is allocated exactly. */
static int rop_parse_sync_import_read_state(mapi_rd *rd, apr_pool_t *pool,
                                            rop_call *call)
{
    rop_sync_import_read_state_req *r = apr_pcalloc(pool, sizeof(*r));
    rop_message_read_state st;
    uint16_t size, i;
    mapi_rd sub, scan;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0 || mapi_rd_u16(rd, &size) < 0
        || mapi_rd_sub(rd, size, &sub) < 0)
        return -1;
    for (scan = sub; mapi_rd_left(&scan) > 0; r->count++)
        if (rop_rd_read_state(&scan, &st) < 0) {
            rd->failed = 1;
            return -1;
        }
    r->states = apr_pcalloc(pool, (size_t)r->count * sizeof(*r->states) + 1);
    for (i = 0; i < r->count; i++)
        rop_rd_read_state(&sub, &r->states[i]);
    return 0;
}

static int rop_parse_sync_import_hierarchy_change(mapi_rd *rd,
                                                  apr_pool_t *pool,
                                                  rop_call *call)
{
    rop_sync_import_hierarchy_change_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0
        || rop_rd_tagged_propvals(rd, pool, &r->hierarchy_values) < 0)
        return -1;
    return rop_rd_tagged_propvals(rd, pool, &r->property_values);
}

static int rop_parse_sync_import_deletes(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_sync_import_deletes_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->import_delete_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_tagged_propvals(rd, pool, &r->values);
}

static int rop_parse_sync_import_message_move(mapi_rd *rd, apr_pool_t *pool,
                                              rop_call *call)
{
    rop_sync_import_message_move_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    rop_rd_bin32(rd, &r->source_folder_id);
    if (!rd->failed)
        rop_rd_bin32(rd, &r->source_message_id);
    if (!rd->failed)
        rop_rd_bin32(rd, &r->predecessor_change_list);
    if (!rd->failed)
        rop_rd_bin32(rd, &r->destination_message_id);
    if (!rd->failed)
        rop_rd_bin32(rd, &r->change_number);
    return rd->failed ? -1 : 0;
}

static int rop_parse_sync_open_collector(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_sync_open_collector_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->is_contents_collector);
    return rd->failed ? -1 : 0;
}

static int rop_parse_sync_upload_begin(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_sync_upload_begin_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->state_property);
    mapi_rd_u32(rd, &r->transfer_buffer_size);
    return rd->failed ? -1 : 0;
}

/* StreamDataSize is 4 bytes (R4221). */
static int rop_parse_sync_upload_continue(mapi_rd *rd, apr_pool_t *pool,
                                          rop_call *call)
{
    rop_sync_upload_continue_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin32(rd, &r->stream_data);
}

/* DataSize counts LongTermIdRangeCount and the ranges, which must fill it
 * exactly. */
static int rop_parse_set_local_replica_midset_deleted(mapi_rd *rd,
                                                      apr_pool_t *pool,
                                                      rop_call *call)
{
    rop_set_local_replica_midset_deleted_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t size;
    uint32_t i;
    mapi_rd sub;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0 || mapi_rd_u16(rd, &size) < 0
        || mapi_rd_sub(rd, size, &sub) < 0)
        return -1;
    if (mapi_rd_u32(&sub, &r->range_count) < 0
        || rop_rd_count_ok(&sub, r->range_count, 48) < 0) {
        rd->failed = 1;
        return -1;
    }
    r->ranges = apr_pcalloc(pool, (size_t)r->range_count * sizeof(*r->ranges) + 1);
    for (i = 0; i < r->range_count; i++) {
        rop_rd_long_term_id(&sub, &r->ranges[i].min);
        rop_rd_long_term_id(&sub, &r->ranges[i].max);
    }
    if (sub.failed || mapi_rd_left(&sub) != 0) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

static int rop_parse_get_local_replica_ids(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_get_local_replica_ids_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->id_count);
    return rd->failed ? -1 : 0;
}

const rop_def rop_ics_defs[] = {
    { ROP_ID_FAST_TRANSFER_DESTINATION_CONFIGURE, ROP_F_OUT_HANDLE,
      "RopFastTransferDestinationConfigure",
      rop_parse_fx_dest_configure, NULL, 0 },
    { ROP_ID_FAST_TRANSFER_DESTINATION_PUT_BUFFER, 0,
      "RopFastTransferDestinationPutBuffer",
      rop_parse_fx_put_buffer, NULL, ROP_TAIL_PUT },
    { ROP_ID_FAST_TRANSFER_DESTINATION_PUT_BUFFER_EXTENDED, 0,
      "RopFastTransferDestinationPutBufferExtended",
      rop_parse_fx_put_buffer, NULL, ROP_TAIL_PUT_EX },
    { ROP_ID_FAST_TRANSFER_SOURCE_GET_BUFFER, 0,
      "RopFastTransferSourceGetBuffer",
      rop_parse_fx_get_buffer, NULL, ROP_TAIL_GET },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_FOLDER, ROP_F_OUT_HANDLE,
      "RopFastTransferSourceCopyFolder", rop_parse_fx_copy_folder, NULL, 0 },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_MESSAGES, ROP_F_OUT_HANDLE,
      "RopFastTransferSourceCopyMessages",
      rop_parse_fx_copy_messages, NULL, 0 },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_TO, ROP_F_OUT_HANDLE,
      "RopFastTransferSourceCopyTo", rop_parse_fx_copy_to, NULL, 0 },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_PROPERTIES, ROP_F_OUT_HANDLE,
      "RopFastTransferSourceCopyProperties",
      rop_parse_fx_copy_properties, NULL, 0 },
    { ROP_ID_TELL_VERSION, 0, "RopTellVersion",
      rop_parse_tell_version, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_CONFIGURE, ROP_F_OUT_HANDLE,
      "RopSynchronizationConfigure", rop_parse_sync_configure, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE, ROP_F_OUT_HANDLE,
      "RopSynchronizationImportMessageChange",
      rop_parse_sync_import_message_change, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES, 0,
      "RopSynchronizationImportReadStateChanges",
      rop_parse_sync_import_read_state, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_IMPORT_HIERARCHY_CHANGE, 0,
      "RopSynchronizationImportHierarchyChange",
      rop_parse_sync_import_hierarchy_change, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_IMPORT_DELETES, 0,
      "RopSynchronizationImportDeletes",
      rop_parse_sync_import_deletes, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_IMPORT_MESSAGE_MOVE, 0,
      "RopSynchronizationImportMessageMove",
      rop_parse_sync_import_message_move, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_OPEN_COLLECTOR, ROP_F_OUT_HANDLE,
      "RopSynchronizationOpenCollector",
      rop_parse_sync_open_collector, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_GET_TRANSFER_STATE, ROP_F_OUT_HANDLE,
      "RopSynchronizationGetTransferState",
      rop_parse_hdr_in_out_only, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN, 0,
      "RopSynchronizationUploadStateStreamBegin",
      rop_parse_sync_upload_begin, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE, 0,
      "RopSynchronizationUploadStateStreamContinue",
      rop_parse_sync_upload_continue, NULL, 0 },
    { ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_END, 0,
      "RopSynchronizationUploadStateStreamEnd",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_SET_LOCAL_REPLICA_MIDSET_DELETED, 0,
      "RopSetLocalReplicaMidsetDeleted",
      rop_parse_set_local_replica_midset_deleted, NULL, 0 },
    { ROP_ID_GET_LOCAL_REPLICA_IDS, 0, "RopGetLocalReplicaIds",
      rop_parse_get_local_replica_ids, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
