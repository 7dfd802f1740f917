/*
 * rop_folder.h: folder ROP requests ([MS-OXCROPS] 2.2.4).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_FOLDER_H
#define MAPI_ROP_FOLDER_H

#include "rop_types.h"

typedef struct rop_open_folder_req {
    uint64_t folder_id;
    uint8_t open_mode_flags;
} rop_open_folder_req;

typedef struct rop_create_folder_req {
    uint8_t folder_type;
    uint8_t use_unicode;
    uint8_t open_existing;
    uint8_t reserved;
    const char *display_name;
    const char *comment;
} rop_create_folder_req;

typedef struct rop_delete_folder_req {
    uint8_t delete_folder_flags;
    uint64_t folder_id;
} rop_delete_folder_req;

typedef struct rop_set_search_criteria_req {
    rop_restriction *restriction;   /* NULL: RestrictionDataSize 0 */
    uint16_t folder_id_count;
    uint64_t *folder_ids;
    uint32_t search_flags;
} rop_set_search_criteria_req;

typedef struct rop_get_search_criteria_req {
    uint8_t use_unicode;
    uint8_t include_restriction;
    uint8_t include_folders;
} rop_get_search_criteria_req;

typedef struct rop_move_copy_messages_req {
    uint16_t message_id_count;
    uint64_t *message_ids;
    uint8_t want_asynchronous;
    uint8_t want_copy;
} rop_move_copy_messages_req;

/* RopMoveFolder (want_recursive unused) and RopCopyFolder. */
typedef struct rop_move_copy_folder_req {
    uint8_t want_asynchronous;
    uint8_t want_recursive;
    uint8_t use_unicode;
    uint64_t folder_id;
    const char *new_folder_name;
} rop_move_copy_folder_req;

/* RopEmptyFolder, RopHardDeleteMessagesAndSubfolders. */
typedef struct rop_empty_folder_req {
    uint8_t want_asynchronous;
    uint8_t want_delete_associated;
} rop_empty_folder_req;

/* RopDeleteMessages, RopHardDeleteMessages. */
typedef struct rop_delete_messages_req {
    uint8_t want_asynchronous;
    uint8_t notify_non_read;
    uint16_t message_id_count;
    uint64_t *message_ids;
} rop_delete_messages_req;

/* RopGetHierarchyTable, RopGetContentsTable (and the attachment,
 * permissions and rules tables in their families). */
typedef struct rop_table_flags_req {
    uint8_t table_flags;
} rop_table_flags_req;

int rop_parse_table_flags(mapi_rd *rd, apr_pool_t *pool, rop_call *call);

extern const rop_def rop_folder_defs[];

#endif
