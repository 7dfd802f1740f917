/*
 * rop_object.h: the typed server objects behind handles ([MS-OXCROPS]
 * 1.3.1): logons, folders, messages, attachments, tables, streams and
 * notification subscriptions.  Their records live in the session's object
 * table in the shared environment (session/sess_objects.h); this file
 * gives them a type and a codec and gives handlers one way to load, save
 * and create them by handle index.
 *
 * A message or attachment object holds its working copy: changes made
 * through the handle (RopSetProperties, RopModifyRecipients, attachments)
 * are kept in the object until RopSaveChangesMessage (or
 * RopSaveChangesAttachment, into the parent message's copy) writes them,
 * the transacted behaviour of [MS-OXCMSG] 3.2.5.3.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_OBJECT_H
#define MAPI_ROP_OBJECT_H

#include "rop.h"
#include "rop_types.h"
#include "store/store.h"
#include "configdb/cfg_db.h"
#include "session/sess_objects.h"

typedef enum rop_obj_type {
    ROP_OBJ_LOGON = 1,
    ROP_OBJ_FOLDER = 2,
    ROP_OBJ_MESSAGE = 3,
    ROP_OBJ_ATTACHMENT = 4,
    ROP_OBJ_TABLE = 5,
    ROP_OBJ_STREAM = 6,
    ROP_OBJ_NOTIFY = 7,
} rop_obj_type;

#define ROP_OBJ_MASK(t)     (1u << (t))
#define ROP_OBJ_ANY         0xFFFFFFFFu
/* Objects that carry properties (RopGetPropertiesSpecific & co.). */
#define ROP_OBJ_PROP_MASK   (ROP_OBJ_MASK(ROP_OBJ_LOGON) | \
                             ROP_OBJ_MASK(ROP_OBJ_FOLDER) | \
                             ROP_OBJ_MASK(ROP_OBJ_MESSAGE) | \
                             ROP_OBJ_MASK(ROP_OBJ_ATTACHMENT))

/* Table kinds. */
typedef enum rop_table_kind {
    ROP_TABLE_HIERARCHY = 1,
    ROP_TABLE_CONTENTS = 2,
    ROP_TABLE_ATTACHMENTS = 3,
    ROP_TABLE_RECIPIENTS = 4,
    ROP_TABLE_RULES = 5,          /* RopGetRulesTable: a folder's rules */
    ROP_TABLE_PERMISSIONS = 6,    /* RopGetPermissionsTable */
} rop_table_kind;

typedef struct rop_bookmark {
    uint32_t id;                 /* what the client holds (4 bytes) */
    uint64_t row_id;             /* the row it stands on, 0: end */
    uint32_t position;           /* where that row was */
} rop_bookmark;

/* Message object flags. */
#define ROP_MSG_NEW        0x01  /* never saved */
#define ROP_MSG_DIRTY      0x02  /* changed since the last save */
#define ROP_MSG_WRITE      0x04  /* opened read/write */
#define ROP_MSG_EMBEDDED   0x08  /* an attachment's embedded message */

typedef struct rop_object {
    uint32_t handle;
    uint32_t parent;             /* SESS_OBJ_NONE for a logon */
    rop_obj_type type;
    uint8_t logon_id;
    uint8_t mbox[STORE_GUID_LEN];

    /* ROP_OBJ_LOGON */
    uint8_t logon_flags;
    uint32_t open_flags;

    /* ROP_OBJ_FOLDER, and the folder of messages and tables */
    uint64_t fid;

    /* ROP_OBJ_MESSAGE */
    uint64_t mid;
    uint32_t msg_flags;          /* ROP_MSG_* */
    uint16_t code_page;
    store_message *msg;          /* working copy */

    /* ROP_OBJ_ATTACHMENT: the parent is the message object */
    uint32_t attach_num;
    uint32_t att_flags;          /* ROP_MSG_NEW / _DIRTY / _WRITE */
    store_attachment *att;       /* working copy */

    /* ROP_OBJ_TABLE: the parent is a folder or a message */
    rop_table_kind table_kind;
    uint8_t table_flags;
    rop_tag_array columns;       /* count 0: SetColumns not yet called */
    uint16_t n_sorts;
    rop_sort_order *sorts;
    rop_restriction *restriction;   /* NULL: none */
    uint32_t position;           /* cursor: index of the next row */
    uint16_t n_bookmarks;
    rop_bookmark *bookmarks;
    uint32_t next_bookmark;
    /* Categories (RopSortTable CategoryCount > 0, store_table.h): the
     * category ids whose expanded state differs from ExpandedCount's. */
    uint16_t n_categories;
    uint16_t n_expanded;
    uint16_t n_toggled;
    uint64_t *toggled;

    /* ROP_OBJ_STREAM: the parent is the object whose property it is.
     * The content is not in the record (see rop_stream.c): the bytes
     * [0, stream_base_len) not overwritten come from stream_base (an
     * immutable value blob), the chunks written since are those of blob
     * stream_blob of the session's blob owner (sess_blob_owner). */
    uint32_t prop_tag;
    uint8_t stream_mode;         /* OpenModeFlags of RopOpenStream */
    uint8_t stream_dirty;
    uint32_t stream_pos;
    uint32_t stream_size;
    uint64_t stream_blob;        /* 0: nothing written yet */
    uint8_t stream_has_base;
    store_blob_ref stream_base;
    uint32_t stream_base_len;    /* <= stream_size */

    /* ROP_OBJ_NOTIFY */
    uint16_t ev_mask;            /* NotificationTypes */
    uint8_t ev_whole_store;
    uint64_t ev_fid, ev_mid;
} rop_object;

/* The logon id of a stored object without decoding its body (a logon's
 * replacement scans every object of the session); -1 if unreadable. */
int rop_object_peek_logon_id(const sess_object *so);

/* Codec of the object body (everything after handle/parent/type). */
int rop_object_encode(const rop_object *obj, apr_pool_t *pool,
                      uint8_t **buf_r, size_t *len_r);
int rop_object_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                      rop_object *obj);

/* ---- per-Execute environment ---------------------------------------- */

/* What handlers need besides the request: the database, the session
 * (its id keys the object table) and the session's own mailbox.  Set by
 * the transport before rop_execute.  Without it (the parser tests) the
 * engine runs no handler and every ROP answers ecNotSupported. */
void rop_ctx_set_env(rop_ctx *ctx, mapi_db *db, const uint8_t *sid,
                     const cfg_mailbox *mbx, const char *dn_prefix);
mapi_db *rop_ctx_db(const rop_ctx *ctx);
const uint8_t *rop_ctx_sid(const rop_ctx *ctx);
const cfg_mailbox *rop_ctx_mailbox(const rop_ctx *ctx);
const char *rop_ctx_dn_prefix(const rop_ctx *ctx);
apr_pool_t *rop_ctx_pool(const rop_ctx *ctx);
/* How RopSubmitMessage hands mail over (submit.h); NULL: the defaults. */
struct submit_cfg;
void rop_ctx_set_submit(rop_ctx *ctx, const struct submit_cfg *cfg);
const struct submit_cfg *rop_ctx_submit(const rop_ctx *ctx);
/* The store info of the session's mailbox, loaded once per Execute. */
const store_mailbox_info *rop_ctx_mailbox_info(rop_ctx *ctx);
/* The store info of any mailbox (another logon's: a delegate's view),
 * cached for the Execute; NULL (error noted) when it has no store. */
const store_mailbox_info *rop_ctx_mailbox_info_of(rop_ctx *ctx,
                                                  const uint8_t *mbox);
/* The configuration of the mailbox with this GUID (its owner's name and
 * DN), NULL if none; every mailbox is read once per Execute. */
const cfg_mailbox *rop_ctx_mailbox_of(rop_ctx *ctx, const uint8_t *mbox);
/* Whether mbox is the session's own mailbox (its user owns it: every
 * right, no permission list consulted). */
int rop_ctx_is_own(const rop_ctx *ctx, const uint8_t *mbox);
/* Logs a database failure with its context (handlers then answer ecError). */
void rop_ctx_note_error(rop_ctx *ctx, const char *error);
const char *rop_ctx_last_error(const rop_ctx *ctx);

/* ---- handles --------------------------------------------------------- */

/* Loads the object at the call's handle index (index), checking its
 * type against type_mask.  Returns 0 with *obj_r, or the ROP error
 * code: ecNullObject for an empty slot or a released handle,
 * ecNotSupported for the wrong object type ([MS-OXCROPS] 3.2.5.x),
 * ecError on a database failure. */
uint32_t rop_obj_load(rop_ctx *ctx, uint8_t index, uint32_t type_mask,
                      rop_object **obj_r);
/* Loads by handle value (a parent, say). */
uint32_t rop_obj_load_handle(rop_ctx *ctx, uint32_t handle,
                             rop_object **obj_r);
/* Writes the object back.  Returns 0 or ecError. */
uint32_t rop_obj_save(rop_ctx *ctx, const rop_object *obj);
/* Stores a new object (obj->parent and obj->type set) and puts its handle
 * into the handle table at out_index.  Returns 0 or an error code
 * (ecInsufficientResources when the session holds too many objects). */
uint32_t rop_obj_create(rop_ctx *ctx, rop_object *obj, uint8_t out_index);
/* Releases the object (and its descendants), then frees the session
 * blobs no object references any more (rop_obj_blob_gc). */
void rop_obj_release(rop_ctx *ctx, uint32_t handle);
/* Session blobs live while an object of the session references them: a
 * stream its content and base, a working copy its committed large
 * values.  Frees every other blob of the session's owner.  Cheap when the
 * session has none (one cursor step); otherwise it decodes every object
 * of the session.  Returns 0 or ecError. */
uint32_t rop_obj_blob_gc(rop_ctx *ctx);
/* Replaces, in props (an object's properties from rop_obj_get_props),
 * every large-value reference by its value when the value's wire size is
 * at most limit, else by PtypError ecNotEnoughMemory ([MS-OXCPRPT]
 * R2052).  Returns 0 or an ec (ecNotFound: the blob is gone). */
uint32_t rop_obj_resolve_refs(rop_ctx *ctx, store_props *props,
                              size_t limit);
/* The logon object an object belongs to (walking parents). */
uint32_t rop_obj_logon(rop_ctx *ctx, const rop_object *obj,
                       rop_object **logon_r);
/* A new object of type under parent, filled with the parent's logon id
 * and mailbox. */
rop_object *rop_obj_new(rop_ctx *ctx, const rop_object *parent,
                        rop_obj_type type);

/* ---- properties of objects ------------------------------------------ */

/* Every property the object has (computed ones included): the store
 * object's, a folder's (store_folder_all_props), a message's working copy
 * (store_message_all_props), an attachment's.  Returns 0 or an ec. */
uint32_t rop_obj_get_props(rop_ctx *ctx, rop_object *obj, store_props *out);
/* Sets (and deletes) properties on an object: folders are written at
 * once; messages and attachments change their working copy (saved by the
 * caller with rop_obj_save); the store object keeps them in its meta
 * record.  Per-property problems go into problems (uint32 pairs index,
 * tag, ec as rop_prop_problem).  Returns 0 or an ec for the whole call. */
typedef struct rop_prop_problem {
    uint16_t index;
    uint32_t tag;
    uint32_t ec;
} rop_prop_problem;
uint32_t rop_obj_set_props(rop_ctx *ctx, rop_object *obj,
                           const rop_propval_array *vals,
                           apr_array_header_t *problems);
uint32_t rop_obj_delete_props(rop_ctx *ctx, rop_object *obj,
                              const rop_tag_array *tags,
                              apr_array_header_t *problems);
/* Writes a PropertyProblem array (u16 count, then index u16, tag u32,
 * error u32 each). */
int rop_wr_problems(mapi_wr *out, const apr_array_header_t *problems);

/* Common response helper: RopId, index, ReturnValue 0. */
int rop_wr_ok_header(mapi_wr *out, const rop_call *call, uint8_t index);

#endif
