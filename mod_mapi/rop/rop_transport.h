/*
 * rop_transport.h: message submission, spooler and transport ROP
 * requests ([MS-OXCROPS] 2.2.7).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_TRANSPORT_H
#define MAPI_ROP_TRANSPORT_H

#include "rop_types.h"

typedef struct rop_submit_message_req {
    uint8_t submit_flags;
} rop_submit_message_req;

typedef struct rop_abort_submit_req {
    uint64_t folder_id;
    uint64_t message_id;
} rop_abort_submit_req;

typedef struct rop_spooler_lock_message_req {
    uint64_t message_id;
    uint8_t lock_state;
} rop_spooler_lock_message_req;

typedef struct rop_transport_new_mail_req {
    uint64_t message_id;
    uint64_t folder_id;
    const char *message_class;
    uint32_t message_flags;
} rop_transport_new_mail_req;

extern const rop_def rop_transport_defs[];

#endif
