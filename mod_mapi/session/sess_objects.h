/*
 * sess_objects.h: the server objects a session holds open ([MS-OXCROPS]
 * 1.3.1 "Server object handle table"), kept in the shared environment
 * (mapi_db.objects) so that any httpd process can serve the session's
 * next Execute and open tables keep their columns, sort order,
 * restriction and cursor.
 *
 * An object is an opaque record (its layout belongs to the ROP engine,
 * rop/rop_object.h) filed under (session id, handle).  Handles are u32
 * values that the client echoes in its handle table; they are allocated
 * from a per-session counter and never reused within a session, so a
 * stale handle names nothing.  Every object but a logon has a parent;
 * releasing an object releases its descendants ([MS-OXCROPS] 2.2.2.1).
 *
 * Keys: session id (16) + handle (u32 big-endian, so a session's objects
 * are contiguous); handle 0 holds the session's counter.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_SESS_OBJECTS_H
#define MAPI_SESS_OBJECTS_H

#include <stdint.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "db/mapi_db.h"
#include "session/sess_context.h"

#define SESS_OBJ_NONE          0xFFFFFFFFu   /* handle of no object */
/* Objects one session may hold at once (issue 8 makes it configurable). */
#define SESS_OBJ_MAX           4096

typedef struct sess_object {
    uint32_t handle;
    uint32_t parent;           /* SESS_OBJ_NONE for a logon */
    uint8_t type;              /* rop_object type, opaque here */
    const uint8_t *data;       /* record body */
    size_t len;
} sess_object;

/* Stores a new object and returns its handle.  -1 (with *error_r) when
 * the session holds SESS_OBJ_MAX objects already or the database fails. */
int sess_obj_create(mapi_db *db, apr_pool_t *pool,
                    const uint8_t sid[SESS_ID_LEN], uint32_t parent,
                    uint8_t type, const void *data, size_t len,
                    uint32_t *handle_r, const char **error_r);

/* The same with its own ceiling (MapiMaxObjectsPerSession; 0 or above
 * SESS_OBJ_MAX: SESS_OBJ_MAX).  Returns 0, -2 when the session holds max
 * objects already (nothing stored), -1 on other failures. */
int sess_obj_create_max(mapi_db *db, apr_pool_t *pool,
                        const uint8_t sid[SESS_ID_LEN], uint32_t parent,
                        uint8_t type, const void *data, size_t len,
                        unsigned max, uint32_t *handle_r,
                        const char **error_r);

/* Loads an object; returns 0, 1 when there is no such object, -1 on a
 * database error. */
int sess_obj_get(mapi_db *db, apr_pool_t *pool,
                 const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                 sess_object *obj_r, const char **error_r);

/* Replaces an object's body (type and parent are kept).  1: no such. */
int sess_obj_put(mapi_db *db, apr_pool_t *pool,
                 const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                 const void *data, size_t len, const char **error_r);

/* Releases an object and every descendant.  1: no such object. */
int sess_obj_release(mapi_db *db, apr_pool_t *pool,
                     const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                     const char **error_r);

/* Handles of the direct children of an object, in creation order
 * (uint32_t elements).  1 (and an empty array): no such object. */
int sess_obj_children(mapi_db *db, apr_pool_t *pool,
                      const uint8_t sid[SESS_ID_LEN], uint32_t handle,
                      apr_array_header_t **handles_r, const char **error_r);

/* Every object of the session, in creation order (sess_object elements);
 * used to find the objects a notification concerns. */
int sess_obj_list(mapi_db *db, apr_pool_t *pool,
                  const uint8_t sid[SESS_ID_LEN],
                  apr_array_header_t **objs_r, const char **error_r);

/* The owner under which the session's objects keep blobs in
 * store-blobs.db (stream content, committed large values; see "blobs" in
 * store/store.h): the session id XOR a fixed mask, so it is as unique as
 * the id and is no mailbox GUID nor the id itself (which clients see in
 * cookies). */
void sess_blob_owner(const uint8_t sid[SESS_ID_LEN],
                     uint8_t owner[SESS_ID_LEN]);

/* Deletes every object of a session (Disconnect, expiry) and every blob
 * its objects held, inside the caller's transaction; returns 0 or a BDB
 * error. */
int sess_objs_clear(mapi_db *db, DB_TXN *txn, const uint8_t sid[SESS_ID_LEN]);

/* Record codec of the object envelope (type, parent, body), exposed for
 * tests and fuzzing. */
int sess_obj_encode(const sess_object *obj, apr_pool_t *pool,
                    uint8_t **buf_r, size_t *len_r);
int sess_obj_decode(const uint8_t *buf, size_t len, sess_object *obj);

#endif
