/*
 * rop_ics.h: fast transfer and incremental change synchronization ROP
 * requests ([MS-OXCROPS] 2.2.12, 2.2.13; [MS-OXCFXICS]).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_ICS_H
#define MAPI_ROP_ICS_H

#include "rop_types.h"

#define ROP_FX_BUFFER_USE_MAX 0xBABE   /* BufferSize: see MaximumBufferSize */

typedef struct rop_fx_dest_configure_req {
    uint8_t source_operation;
    uint8_t copy_flags;
} rop_fx_dest_configure_req;

/* RopFastTransferDestinationPutBuffer(Extended). */
typedef struct rop_fx_put_buffer_req {
    rop_bin transfer_data;
} rop_fx_put_buffer_req;

typedef struct rop_fx_get_buffer_req {
    uint16_t buffer_size;
    uint16_t maximum_buffer_size;   /* only when buffer_size is 0xBABE */
} rop_fx_get_buffer_req;

typedef struct rop_fx_copy_folder_req {
    uint8_t copy_flags;
    uint8_t send_options;
} rop_fx_copy_folder_req;

typedef struct rop_fx_copy_messages_req {
    uint16_t message_id_count;
    uint64_t *message_ids;
    uint8_t copy_flags;
    uint8_t send_options;
} rop_fx_copy_messages_req;

/* RopFastTransferSourceCopyTo (32-bit CopyFlags) and
 * RopFastTransferSourceCopyProperties (8-bit CopyFlags). */
typedef struct rop_fx_copy_props_req {
    uint8_t level;
    uint32_t copy_flags;
    uint8_t send_options;
    rop_tag_array tags;
} rop_fx_copy_props_req;

typedef struct rop_tell_version_req {
    uint16_t version[3];
} rop_tell_version_req;

typedef struct rop_sync_configure_req {
    uint8_t synchronization_type;
    uint8_t send_options;
    uint16_t synchronization_flags;
    rop_restriction *restriction;
    uint32_t synchronization_extra_flags;
    rop_tag_array tags;
} rop_sync_configure_req;

typedef struct rop_sync_import_message_change_req {
    uint8_t import_flag;
    rop_propval_array values;
} rop_sync_import_message_change_req;

typedef struct rop_message_read_state {
    rop_bin message_id;
    uint8_t mark_as_read;
} rop_message_read_state;

typedef struct rop_sync_import_read_state_req {
    uint16_t count;
    rop_message_read_state *states;
} rop_sync_import_read_state_req;

typedef struct rop_sync_import_hierarchy_change_req {
    rop_propval_array hierarchy_values;
    rop_propval_array property_values;
} rop_sync_import_hierarchy_change_req;

typedef struct rop_sync_import_deletes_req {
    uint8_t import_delete_flags;
    rop_propval_array values;
} rop_sync_import_deletes_req;

typedef struct rop_sync_import_message_move_req {
    rop_bin source_folder_id;
    rop_bin source_message_id;
    rop_bin predecessor_change_list;
    rop_bin destination_message_id;
    rop_bin change_number;
} rop_sync_import_message_move_req;

typedef struct rop_sync_open_collector_req {
    uint8_t is_contents_collector;
} rop_sync_open_collector_req;

typedef struct rop_sync_upload_begin_req {
    uint32_t state_property;
    uint32_t transfer_buffer_size;
} rop_sync_upload_begin_req;

typedef struct rop_sync_upload_continue_req {
    rop_bin stream_data;
} rop_sync_upload_continue_req;

typedef struct rop_ltid_range {
    rop_long_term_id min;
    rop_long_term_id max;
} rop_ltid_range;

typedef struct rop_set_local_replica_midset_deleted_req {
    uint32_t range_count;
    rop_ltid_range *ranges;
} rop_set_local_replica_midset_deleted_req;

typedef struct rop_get_local_replica_ids_req {
    uint32_t id_count;
} rop_get_local_replica_ids_req;

extern const rop_def rop_ics_defs[];

#endif
