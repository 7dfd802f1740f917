/*
 * rop_logon.h: logon and store ROP requests ([MS-OXCROPS] 2.2.3).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_LOGON_H
#define MAPI_ROP_LOGON_H

#include "rop_types.h"

#define ROP_LOGON_PRIVATE 0x01   /* LogonFlags Private ([MS-OXCSTOR]) */

typedef struct rop_logon_req {
    uint8_t logon_flags;
    uint32_t open_flags;
    uint32_t store_state;
    const char *essdn;           /* NULL when EssdnSize is 0 */
} rop_logon_req;

typedef struct rop_message_class_req {   /* RopGetReceiveFolder */
    const char *message_class;
} rop_message_class_req;

typedef struct rop_set_receive_folder_req {
    uint64_t folder_id;
    const char *message_class;
} rop_set_receive_folder_req;

/* RopGetOwningServers, RopPublicFolderIsGhosted (FolderId) and
 * RopLongTermIdFromId (ObjectId). */
typedef struct rop_id_req {
    uint64_t id;
} rop_id_req;

/* RopIdFromLongTermId, RopGetPerUserGuid. */
typedef struct rop_ltid_req {
    rop_long_term_id ltid;
} rop_ltid_req;

typedef struct rop_get_per_user_ltids_req {
    uint8_t database_guid[16];
} rop_get_per_user_ltids_req;

typedef struct rop_read_per_user_info_req {
    rop_long_term_id folder_id;
    uint8_t reserved;
    uint32_t data_offset;
    uint16_t max_data_size;
} rop_read_per_user_info_req;

typedef struct rop_write_per_user_info_req {
    rop_long_term_id folder_id;
    uint8_t has_finished;
    uint32_t data_offset;
    rop_bin data;
    int has_repl_guid;
    uint8_t repl_guid[16];
} rop_write_per_user_info_req;

extern const rop_def rop_logon_defs[];

#endif
