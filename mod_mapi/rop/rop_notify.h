/*
 * rop_notify.h: notifications ([MS-OXCNOTIF], [MS-OXCROPS] 2.2.14):
 * RopRegisterNotification, the store event hook that turns committed
 * changes into queued notifications for subscribed sessions and their
 * open tables (in any process), and the delivery of the queue as RopNotify
 * and RopPending responses at the end of an Execute.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_NOTIFY_H
#define MAPI_ROP_NOTIFY_H

#include "rop_types.h"
#include "store/store.h"

#define ROP_NOTIFY_EXTENDED 0x0400   /* NotificationTypes Extended flag */

typedef struct rop_register_notification_req {
    uint16_t notification_types;
    uint8_t reserved;            /* only with the Extended flag */
    uint8_t want_whole_store;
    uint64_t folder_id;          /* only when want_whole_store is 0 */
    uint64_t message_id;
} rop_register_notification_req;

extern const rop_def rop_notify_defs[];

/* NotificationFlags ([MS-OXCNOTIF] 2.2.1.4.1.2). */
#define ROP_NOTIF_TYPE_MASK      0x0FFF
#define ROP_NOTIF_FLAG_TOTAL     0x1000   /* T: TotalMessageCount present */
#define ROP_NOTIF_FLAG_UNREAD    0x2000   /* U: UnreadMessageCount present */
#define ROP_NOTIF_FLAG_SEARCH    0x4000   /* S: in a search folder */
#define ROP_NOTIF_FLAG_MESSAGE   0x8000   /* M: about a message */
#define ROP_TABLE_CHANGED        0x0001   /* TableEventType: reload */

/* The counts of a folder ObjectModified notification (flags T and U). */
typedef struct rop_notify_counts {
    int valid;
    uint32_t total, unread;
} rop_notify_counts;

/* Writes the NotificationData of a store event.  counts may be NULL. */
int rop_notify_encode(mapi_wr *wr, const store_event *ev,
                      const rop_notify_counts *counts);
/* Writes a TableModified TableChanged NotificationData; message says the
 * table lists messages (a contents table). */
int rop_notify_encode_table_changed(mapi_wr *wr, int message);

/* The store event hook (store_set_event_hook): queues a notification for
 * every live subscription of the mailbox in scope of the event, and a
 * TableChanged for the affected open tables of the subscribed sessions,
 * then wakes those sessions.  Stale subscriptions are deleted. */
void rop_notify_event_hook(mapi_db *db, apr_pool_t *pool,
                           const uint8_t mbox[STORE_GUID_LEN],
                           const store_event *ev);

/* Called by rop_execute after the ROP responses: appends RopNotify
 * responses for the session's queued notifications while they fit into
 * resp, then RopPending when some remain ([MS-OXCROPS] R452201).  Does
 * nothing without a db environment or when the walk stopped early
 * (RopBufferTooSmall, or a request the transport fails the call for). */
void rop_notify_deliver(rop_ctx *ctx, mapi_wr *resp, const rop_result *res);

#endif
