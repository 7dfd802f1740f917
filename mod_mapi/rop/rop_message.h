/*
 * rop_message.h: message and attachment ROP requests ([MS-OXCROPS] 2.2.6).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_MESSAGE_H
#define MAPI_ROP_MESSAGE_H

#include "rop_types.h"

typedef struct rop_open_message_req {
    uint16_t code_page_id;
    uint64_t folder_id;
    uint8_t open_mode_flags;
    uint64_t message_id;
} rop_open_message_req;

typedef struct rop_create_message_req {
    uint16_t code_page_id;
    uint64_t folder_id;
    uint8_t associated_flag;
} rop_create_message_req;

/* RopSaveChangesMessage, RopSaveChangesAttachment. */
typedef struct rop_save_changes_req {
    uint8_t save_flags;
} rop_save_changes_req;

typedef struct rop_remove_all_recipients_req {
    uint32_t reserved;
} rop_remove_all_recipients_req;

typedef struct rop_modify_recipient_row {
    uint32_t row_id;
    uint8_t recipient_type;
    int has_row;                 /* RecipientRowSize 0: delete the row */
    rop_recipient_row row;
} rop_modify_recipient_row;

typedef struct rop_modify_recipients_req {
    rop_tag_array columns;
    uint16_t row_count;
    rop_modify_recipient_row *rows;
} rop_modify_recipients_req;

typedef struct rop_read_recipients_req {
    uint32_t row_id;
    uint16_t reserved;
} rop_read_recipients_req;

typedef struct rop_reload_cached_info_req {
    uint16_t reserved;
} rop_reload_cached_info_req;

typedef struct rop_set_message_status_req {
    uint64_t message_id;
    uint32_t message_status_flags;
    uint32_t message_status_mask;
} rop_set_message_status_req;

typedef struct rop_get_message_status_req {
    uint64_t message_id;
} rop_get_message_status_req;

typedef struct rop_set_read_flags_req {
    uint8_t want_asynchronous;
    uint8_t read_flags;
    uint16_t message_id_count;
    uint64_t *message_ids;
} rop_set_read_flags_req;

typedef struct rop_set_message_read_flag_req {
    uint8_t read_flags;
    int has_client_data;         /* public folder logons only */
    uint8_t client_data[24];
} rop_set_message_read_flag_req;

typedef struct rop_open_attachment_req {
    uint8_t open_attachment_flags;
    uint32_t attachment_id;
} rop_open_attachment_req;

typedef struct rop_delete_attachment_req {
    uint32_t attachment_id;
} rop_delete_attachment_req;

typedef struct rop_open_embedded_message_req {
    uint16_t code_page_id;
    uint8_t open_mode_flags;
} rop_open_embedded_message_req;

extern const rop_def rop_message_defs[];

struct rop_ctx;
struct rop_object;
/* Saves a (non-embedded) message object's working copy to the store, as
 * RopSaveChangesMessage does, and points the object at the saved
 * message.  0 or the ROP error code.  RopSubmitMessage uses it too. */
uint32_t rop_msg_commit(struct rop_ctx *ctx, struct rop_object *obj);

#endif
