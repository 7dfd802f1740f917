/*
 * sess_queue.h: notification subscriptions and queued notifications of
 * sessions, in the shared environment (mapi_db.meta), so that an event
 * raised by any process (an httpd child saving a message, mapi-admin, the
 * delivery agent) reaches a session whose Execute another process serves.
 *
 * Subscriptions are filed twice: under the mailbox, so that an event finds
 * every subscribed session with one cursor range read, and under the
 * session, so that destroying the session finds them without knowing its
 * mailboxes.  A subscription whose object was released stays in the index
 * until an event finds it stale (the notification layer checks the handle
 * and deletes it), because RopRelease belongs to the object table, not to
 * this layer.
 *
 * A queued notification is opaque here: the handle it is for, the logon
 * id and the bytes of the NotificationData ([MS-OXCNOTIF] 2.2.1.4.1.2),
 * built by the notification layer when the event happened.  A session
 * holds at most SESS_QUEUE_MAX; a new one then drops the oldest and the
 * queue remembers how many it dropped.  A "coalescing" notification (a
 * table's TableChanged: "reload") is not queued again while one for the
 * same handle is still waiting.
 *
 * Keys (meta db):
 *   mailbox guid (16) 'S' session id (16) handle (u32 BE)  -> subscription
 *   'Q' session id (16)                                     -> queue header
 *   'Q' session id 'I' sequence (u64 BE)                    -> notification
 *   'Q' session id 'C' handle (u32 BE)                      -> coalesce mark
 *   'Q' session id 'S' mailbox guid handle (u32 BE)         -> reverse index
 * Values are little-endian records read with the bounded reader.
 *
 * Functions return 0 or -1 with *error_r (may be NULL).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_SESS_QUEUE_H
#define MAPI_SESS_QUEUE_H

#include <stdint.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "db/mapi_db.h"
#include "session/sess_context.h"

#define SESS_MBOX_LEN        16
#define SESS_QUEUE_MAX       1000     /* notifications queued per session */
#define SESS_NOTE_DATA_MAX   4096     /* bytes of one NotificationData */

typedef struct sess_sub {
    uint8_t sid[SESS_ID_LEN];
    uint32_t handle;             /* the subscription object */
    uint8_t logon_id;
    uint16_t mask;               /* NotificationTypes */
    uint8_t whole_store;
    uint64_t fid, mid;           /* scope unless whole_store */
} sess_sub;

/* Files a subscription under the mailbox and the session. */
int sess_sub_put(mapi_db *db, apr_pool_t *pool,
                 const uint8_t mbox[SESS_MBOX_LEN], const sess_sub *sub,
                 const char **error_r);
/* Removes one (both entries); absent is fine. */
int sess_sub_del(mapi_db *db, apr_pool_t *pool,
                 const uint8_t mbox[SESS_MBOX_LEN],
                 const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                 const char **error_r);
/* Every subscription on the mailbox, grouped by session (key order);
 * sess_sub elements.  One cursor range read. */
int sess_sub_list(mapi_db *db, apr_pool_t *pool,
                  const uint8_t mbox[SESS_MBOX_LEN],
                  apr_array_header_t **subs_r, const char **error_r);

typedef struct sess_note {
    uint32_t handle;             /* NotificationHandle */
    uint8_t logon_id;
    uint8_t coalesce;            /* at most one waiting per handle */
    const uint8_t *data;         /* NotificationData */
    size_t len;                  /* at most SESS_NOTE_DATA_MAX */
} sess_note;

/* Appends a notification.  *queued_r (may be NULL) is 0 when a coalescing
 * one was already waiting for the handle. */
int sess_queue_push(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], const sess_note *note,
                    int *queued_r, const char **error_r);

/* Removes notifications from the head, oldest first, while the sum of
 * (len + overhead) stays within budget; sess_note elements in pool.
 * *more_r: some remain.  *dropped_r (may be NULL): how many overflow
 * dropped since the last take (then reset). */
int sess_queue_take(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], size_t budget,
                    size_t overhead, apr_array_header_t **notes_r,
                    int *more_r, uint32_t *dropped_r, const char **error_r);

/* Queued count and dropped count, for tests and the log. */
int sess_queue_stat(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], uint32_t *count_r,
                    uint32_t *dropped_r, const char **error_r);

/* Deletes the session's queue and subscriptions inside the caller's
 * transaction (Disconnect, expiry); returns 0 or a BDB error. */
int sess_queue_clear(mapi_db *db, DB_TXN *txn, const uint8_t sid[SESS_ID_LEN]);

#endif
