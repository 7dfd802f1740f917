/*
 * sess_notify.h: pending events of a session and the wake-up of its
 * NotificationWait, across processes.
 *
 * Posting an event (any process: an httpd child saving a message, the
 * delivery agent, a test tool) is two steps: count the event in the shared
 * environment, then look up which process holds the session's
 * NotificationWait and send that process a datagram naming the session on
 * its wake socket (a Unix datagram socket in <datadir>/wake/).  The waiting
 * process re-reads the count, so a lost or early datagram costs nothing but
 * latency: the count in the database is the truth.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_SESS_NOTIFY_H
#define MAPI_SESS_NOTIFY_H

#include <stdint.h>
#include <apr_pools.h>
#include "db/mapi_db.h"
#include "session/sess_context.h"

/* Counts one event for the session and wakes its NotificationWait.
 * Returns 0, or -1 with *error_r (the event is then not recorded). */
int sess_event_post(mapi_db *db, apr_pool_t *pool,
                    const uint8_t id[SESS_ID_LEN], const char **error_r);

/* Reads the number of events not yet collected (0 when none). */
int sess_event_pending(mapi_db *db, DB_TXN *txn,
                       const uint8_t id[SESS_ID_LEN], uint32_t *count_r);

/* Collects (reads and zeroes) the pending events of a session. */
int sess_event_take(mapi_db *db, apr_pool_t *pool,
                    const uint8_t id[SESS_ID_LEN], uint32_t *count_r,
                    const char **error_r);

/* Deletes the pending count (within a caller's transaction); returns 0 or
 * a BDB error (DB_NOTFOUND when there was none). */
int sess_events_clear(mapi_db *db, DB_TXN *txn,
                      const uint8_t id[SESS_ID_LEN]);

/* Records that this process (its wake socket path) holds the session's
 * NotificationWait; the newest registration wins. */
int sess_wait_register(mapi_db *db, apr_pool_t *pool,
                       const uint8_t id[SESS_ID_LEN], const char *sock_path,
                       const char **error_r);
/* The same for a session of identity, refused (-1 with *over_r set,
 * nothing registered) when identity already holds max waits in live
 * processes other than this session's own; max 0: no limit. */
int sess_wait_register_user(mapi_db *db, apr_pool_t *pool,
                            const uint8_t id[SESS_ID_LEN],
                            const char *sock_path, const char *identity,
                            unsigned max, int *over_r, const char **error_r);
/* Drops the registration if it still names sock_path. */
int sess_wait_unregister(mapi_db *db, apr_pool_t *pool,
                         const uint8_t id[SESS_ID_LEN], const char *sock_path,
                         const char **error_r);

/* The directory of wake sockets under the environment home. */
const char *sess_wake_dir(apr_pool_t *pool, mapi_db *db);

#endif
