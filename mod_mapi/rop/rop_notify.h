/*
 * rop_notify.h: notification ROP requests ([MS-OXCROPS] 2.2.14).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_NOTIFY_H
#define MAPI_ROP_NOTIFY_H

#include "rop_types.h"

#define ROP_NOTIFY_EXTENDED 0x0400   /* NotificationTypes Extended flag */

typedef struct rop_register_notification_req {
    uint16_t notification_types;
    uint8_t reserved;            /* only with the Extended flag */
    uint8_t want_whole_store;
    uint64_t folder_id;          /* only when want_whole_store is 0 */
    uint64_t message_id;
} rop_register_notification_req;

extern const rop_def rop_notify_defs[];

#endif
