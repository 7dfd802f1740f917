/*
 * store.h: the mailbox store.  Folders, messages, recipients, attachments
 * and named properties of every mailbox, kept in the shared Berkeley DB
 * environment (mapi_db: folders, messages, contents, meta), transactional,
 * so that any httpd process serves any session and a crash loses nothing
 * that was committed.
 *
 * Identity.  A mailbox is named by its 16-byte GUID (cfg_mailbox.guid);
 * every key starts with it.  Folder and message ids follow [MS-OXCDATA]
 * 2.2.1.1/2.2.1.2: a u64 whose low 16 bits (first two bytes on the wire)
 * are the replica id (STORE_REPLID, 1, the mailbox's own replica) and whose
 * remaining 6 bytes are the global counter, big-endian.  The mailbox's
 * replica GUID and its next global counter live in its meta record; ids
 * and change numbers come from the same counter.
 *
 * Properties.  A store_props bag is an array of rop_propval (the
 * [MS-OXCDATA] value of every PtypXxx type, multi-valued included), kept
 * in tag order.  In a record it is encoded in the store's own form (the
 * wire form counts binaries in 16 bits, too few for attachment data): a
 * u32 count, then per value its tag and a body in which every string,
 * binary and multi-value count is a u32; decoded with the bounded reader.
 *
 * Change tracking.  Every create or change of a folder or message takes a
 * new change number and sets PidTagChangeNumber, PidTagChangeKey,
 * PidTagPredecessorChangeList and (at creation) PidTagSourceKey, so that
 * incremental synchronisation (issue 4's successors) needs no migration.
 *
 * Errors: functions return a store_status; *error_r (may be NULL) gets
 * the context of a database failure.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_STORE_H
#define MAPI_STORE_H

#include <stdint.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_hash.h>
#include "db/mapi_db.h"
#include "rop/rop_types.h"

#define STORE_REPLID          0x0001
#define STORE_GUID_LEN        16

/* A store id ([MS-OXCDATA] 2.2.1.1): replid u16 | counter (6 bytes BE). */
#define STORE_ID_REPLID(id)   ((uint16_t)((id) & 0xFFFF))
uint64_t store_id_make(uint16_t replid, uint64_t counter);
uint64_t store_id_counter(uint64_t id);

typedef enum store_status {
    STORE_OK = 0,
    STORE_NOT_FOUND,          /* ecNotFound 0x8004010F */
    STORE_EXISTS,             /* ecDuplicateName 0x80040604 */
    STORE_INVALID,            /* ecInvalidParam 0x80070057 */
    STORE_NOT_EMPTY,          /* ecFolderHasChildren / ecFolderHasContents */
    STORE_DENIED,             /* ecAccessDenied 0x80070005 */
    STORE_TOO_BIG,            /* a record over STORE_RECORD_MAX, a message
                                 over STORE_MESSAGE_MAX */
    STORE_DB_ERROR,           /* ecError 0x80004005 */
    STORE_BUSY                /* a lock held by a stuck process was not
                                 granted in time: ecServerBusy 0x00000480,
                                 the client retries later */
} store_status;

/* A failure of the database rather than a verdict on the request: the
 * ROP logs it with its context. */
static inline int store_st_is_db(store_status st)
{
    return st == STORE_DB_ERROR || st == STORE_BUSY;
}

const char *store_status_str(store_status st);
/* The [MS-OXCDATA] 2.4 error code that a ROP returns for st. */
uint32_t store_status_ec(store_status st);

/* [MS-OXCDATA] PtypTime: a FILETIME, 100 ns ticks since 1601-01-01, of
 * an apr_time_t (microseconds since 1970) and of now. */
uint64_t store_filetime(apr_time_t t);
uint64_t store_filetime_now(void);

/* A record larger than this is refused (STORE_TOO_BIG): 16 MiB. */
#define STORE_RECORD_MAX      (16u * 1024 * 1024)
/* A message with everything it holds (large values in blobs included) is
 * refused over this (STORE_TOO_BIG): 150 MiB, Exchange Online's largest
 * message. */
#define STORE_MESSAGE_MAX     (150u * 1024 * 1024)

/* ------------------------------------------------------------ props -- */

typedef struct store_props {
    unsigned count, cap;
    rop_propval *vals;        /* sorted by tag, one entry per property id */
    apr_pool_t *pool;         /* values are copied into this pool */
} store_props;

void store_props_init(store_props *p, apr_pool_t *pool);
/* The value with this property id; a type of PT_UNSPECIFIED in tag
 * matches any type, otherwise the type must match too.  NULL if absent. */
const rop_propval *store_props_get(const store_props *p, uint32_t tag);
/* Deep copy of v into the bag's pool; replaces any value of the same id. */
void store_props_set(store_props *p, const rop_propval *v);
/* Convenience setters. */
void store_props_set_u32(store_props *p, uint32_t tag, uint32_t v);
void store_props_set_u64(store_props *p, uint32_t tag, uint64_t v);
void store_props_set_bool(store_props *p, uint32_t tag, int v);
void store_props_set_str(store_props *p, uint32_t tag, const char *s);
void store_props_set_bin(store_props *p, uint32_t tag, const void *data,
                         uint32_t len);
/* Removes the property with this id (any type); 1 if it was there. */
int store_props_del(store_props *p, uint32_t tag);
void store_props_copy(store_props *dst, const store_props *src);
/* Deep copy of one value into pool. */
void store_propval_copy(apr_pool_t *pool, rop_propval *dst,
                        const rop_propval *src);

/* Record codec (see above).  Decoded strings and binaries are copies in
 * pool, never views into the record. */
int store_props_encode(mapi_wr *wr, const store_props *p);
int store_props_decode(mapi_rd *rd, apr_pool_t *pool, store_props *p);

/* -------------------------------------------------------------- blobs -- */

struct store_message;

/* Large values.  A PtypBinary, PtypString or PtypString8 value of a saved
 * message (its own properties, its recipients' and attachments', embedded
 * messages recursively) longer than STORE_INLINE_MAX bytes is kept out of
 * the message record, in store-blobs.db, as chunks of STORE_BLOB_CHUNK
 * bytes under the key owner (16 bytes) | blob id (u64 BE) | chunk index
 * (u32 BE).  The owner of a mailbox's blobs is the mailbox GUID; blob ids
 * come from a per-owner counter in the meta db (owner | "blob"), taken in
 * the transaction that writes the chunks.  Blobs are immutable: a changed
 * value is a new blob and the old one is freed in the same transaction.
 *
 * The record keeps a reference in place of the value: a property of the
 * store's private type STORE_PT_BLOBREF (never on the wire: not a
 * [MS-OXCDATA] 2.11.1 type) whose v.bin holds the encoded store_blob_ref.
 * store_message_get resolves every reference to the full value, so its
 * callers never see one; store_message_get_ex with STORE_GET_LARGE_AS_REF
 * leaves them in place (a contents table row then costs the record, not
 * the attachments), and store_blob_read reads a range of one.
 *
 * Ownership.  A message owns the blobs its record references; nothing is
 * shared.  A save keeps a reference only if the stored version it replaces
 * owned that blob; any other reference (to another message's blob, another
 * mailbox's or a session's) is copied into a new blob of the mailbox.
 * Delete, hard delete, folder empty/delete free the blobs with the
 * record; copy and move copy them; store_mailbox_delete frees all. */

/* 16 KiB: a ROP response buffer is at most 32 KiB, so a value over half
 * of it cannot travel in RopGetPropertiesSpecific beside anything else and
 * clients read it with RopOpenStream anyway; below it, the common bodies
 * stay in the record where tables, restrictions and sorts see them. */
#define STORE_INLINE_MAX      (16u * 1024)
/* 32 KiB: one RopReadStream/RopWriteStream buffer's worth, so a stream
 * ROP touches one or two chunks, and well inside a BDB overflow page run. */
#define STORE_BLOB_CHUNK      (32u * 1024)
#define STORE_PT_BLOBREF      0x0FB0
#define STORE_BLOB_REF_LEN    (STORE_GUID_LEN + 8 + 8 + 2)
#define STORE_BLOB_KEY_LEN    (STORE_GUID_LEN + 8 + 4)

typedef struct store_blob_ref {
    uint8_t owner[STORE_GUID_LEN];  /* mailbox GUID, or session id */
    uint64_t id;                    /* blob id under owner */
    uint64_t size;                  /* bytes of the value (no NUL) */
    uint16_t type;                  /* the value's PtypXxx */
} store_blob_ref;

/* 1 and *ref_r if v is a reference (STORE_PT_BLOBREF), else 0. */
int store_blob_ref_get(const rop_propval *v, store_blob_ref *ref_r);
/* A reference property with id prop_id, in pool. */
void store_blob_ref_make(apr_pool_t *pool, uint16_t prop_id,
                         const store_blob_ref *ref, rop_propval *out);
/* The tag the referenced value has (its id and its real type). */
uint32_t store_blob_ref_tag(const rop_propval *v);

/* Reads len bytes (fewer at the end) from offset of a referenced value
 * into pool (*data_r, *len_r).  Offsets past the end read 0 bytes.
 * NOT_FOUND if the blob is gone (its message was deleted meanwhile). */
store_status store_blob_read(mapi_db *db, apr_pool_t *pool,
                             const store_blob_ref *ref, uint64_t offset,
                             size_t len, const uint8_t **data_r,
                             size_t *len_r, const char **error_r);
/* The whole referenced value as a property of its real type (strings
 * NUL-terminated), in pool. */
store_status store_blob_resolve(mapi_db *db, apr_pool_t *pool,
                                const rop_propval *ref_val, rop_propval *out,
                                const char **error_r);

/* Inside a transaction (for the session layer's stream blobs and the
 * store's own use): a new blob id of owner; writes data as a new blob;
 * writes one chunk; copies a blob to a new id of another owner; frees a
 * blob.  Return 0 or a BDB error. */
int store_blob_alloc_id(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                        uint64_t *id_r);
int store_blob_write(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                     uint64_t id, const void *data, uint64_t size);
int store_blob_put_chunk(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                         uint64_t id, uint32_t chunk, const void *data,
                         size_t len);
int store_blob_copy(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const store_blob_ref *src, const uint8_t *to_owner,
                    store_blob_ref *dst_r);
int store_blob_free(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *owner, uint64_t id);
/* Frees every blob of owner (a mailbox or a session). */
int store_blob_free_owner(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                          const uint8_t *owner);

/* Mutable blobs: a session's stream content (rop_stream.c).  Unlike a
 * value blob, a chunk may be missing or shorter than its place in the
 * value; its owner gives the missing bytes their meaning.  Reads chunk i
 * of (owner, id) into buf (STORE_BLOB_CHUNK bytes), *len_r its stored
 * length: 0 or DB_NOTFOUND. */
int store_blob_get_raw(mapi_db *db, DB_TXN *txn, const uint8_t *owner,
                       uint64_t id, uint32_t chunk, uint8_t *buf,
                       size_t *len_r);
/* Chunk i of a value blob (exact length checked) into buf: 0,
 * DB_NOTFOUND, EINVAL. */
int store_blob_ref_chunk(mapi_db *db, DB_TXN *txn, const store_blob_ref *ref,
                         uint32_t chunk, uint8_t *buf);
/* Deletes the chunks from first on of (owner, id). */
int store_blob_trim(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *owner, uint64_t id, uint32_t first);
/* The distinct blob ids owner has chunks under (uint64_t elements), one
 * cursor step per blob, not per chunk. */
int store_blob_list_ids(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *owner, apr_array_header_t **ids_r);
/* Adds to ids (8-byte big-endian keys) the blob ids of owner that m (or
 * one bag) references. */
void store_blob_refs_message(apr_pool_t *pool, const uint8_t *owner,
                             const struct store_message *m,
                             apr_hash_t *ids);
void store_blob_refs_props(apr_pool_t *pool, const uint8_t *owner,
                           const store_props *bag, apr_hash_t *ids);

/* ------------------------------------------------------------ mailbox -- */

/* The special folders of a mailbox, in the order RopLogon's private
 * mailbox response lists its 13 FolderIds ([MS-OXCSTOR] 2.2.1.1.3), then
 * the other folders Exchange creates. */
typedef enum store_special {
    STORE_FOLDER_ROOT = 0,        /* Root (mailbox root) */
    STORE_FOLDER_DEFERRED_ACTION, /* Deferred Action */
    STORE_FOLDER_SPOOLER_QUEUE,   /* Spooler Queue */
    STORE_FOLDER_IPM_SUBTREE,     /* Top of Information Store */
    STORE_FOLDER_INBOX,
    STORE_FOLDER_OUTBOX,
    STORE_FOLDER_SENT_ITEMS,
    STORE_FOLDER_DELETED_ITEMS,
    STORE_FOLDER_COMMON_VIEWS,
    STORE_FOLDER_SCHEDULE,
    STORE_FOLDER_FINDER,          /* Search (Finder) */
    STORE_FOLDER_VIEWS,           /* Views */
    STORE_FOLDER_SHORTCUTS,       /* Shortcuts */
    STORE_FOLDER_DRAFTS,
    STORE_FOLDER_CALENDAR,
    STORE_FOLDER_CONTACTS,
    STORE_FOLDER_TASKS,
    STORE_FOLDER_NOTES,
    STORE_FOLDER_JOURNAL,
    STORE_FOLDER_JUNK,            /* Junk E-mail */
    STORE_FOLDER_SYNC_ISSUES,     /* Sync Issues */
    STORE_FOLDER_CONFLICTS,       /* Sync Issues/Conflicts */
    STORE_FOLDER_LOCAL_FAILURES,  /* Sync Issues/Local Failures */
    STORE_FOLDER_SERVER_FAILURES, /* Sync Issues/Server Failures */
    STORE_FOLDER_FREEBUSY,        /* Freebusy Data */
    STORE_FOLDER_COUNT
} store_special;

typedef struct store_mailbox_info {
    uint8_t mailbox_guid[STORE_GUID_LEN];
    uint8_t replica_guid[STORE_GUID_LEN];   /* PidTagReplicaGuid ... */
    uint8_t per_user_guid[STORE_GUID_LEN];
    uint64_t folder_ids[STORE_FOLDER_COUNT]; /* by store_special */
    uint64_t next_counter;                   /* next global counter */
    uint16_t next_named_id;                  /* next named prop id */
    apr_time_t created;
    store_props props;                       /* store object properties */
} store_mailbox_info;

/* Creates the mailbox's store: meta record, replica GUID, the standard
 * folder tree with display names, container classes and the IPM folders'
 * entry ids on the root and Inbox (PidTagIpmAppointmentEntryId, ...), and
 * the default receive folders (IPM, "" and IPC -> Inbox/root).  EXISTS if
 * already there.  display_name names the root's "Mailbox - X". */
store_status store_mailbox_create(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  const char *display_name,
                                  const char **error_r);
/* Deletes every folder, message, index and meta record of the mailbox. */
store_status store_mailbox_delete(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  const char **error_r);
store_status store_mailbox_get(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               store_mailbox_info **info_r,
                               const char **error_r);
/* Reserves n consecutive global counter values; *first_r is the first. */
store_status store_alloc_ids(mapi_db *db, DB_TXN *txn,
                             const uint8_t mbox[STORE_GUID_LEN], unsigned n,
                             uint64_t *first_r);

/* LongTermId <-> id: the replica GUID of our replica (replid 1). */
store_status store_ltid_from_id(const store_mailbox_info *mi, uint64_t id,
                                rop_long_term_id *ltid_r);
store_status store_id_from_ltid(const store_mailbox_info *mi,
                                const rop_long_term_id *ltid,
                                uint64_t *id_r);
/* The same over every replica the mailbox knows (store_replica.c): a
 * REPLID other than 1 maps to the GUID recorded for it (NOT_FOUND when
 * none), and a GUID seen for the first time gets a new REPLID
 * ([MS-OXCSTOR] R950, R1246). */
store_status store_replid_from_guid(mapi_db *db, apr_pool_t *pool,
                                    const store_mailbox_info *mi,
                                    const uint8_t guid[16], int create,
                                    uint16_t *replid_r, const char **error_r);
store_status store_guid_from_replid(mapi_db *db, apr_pool_t *pool,
                                    const store_mailbox_info *mi,
                                    uint16_t replid, uint8_t guid_r[16],
                                    const char **error_r);
store_status store_ltid_from_id_db(mapi_db *db, apr_pool_t *pool,
                                   const store_mailbox_info *mi, uint64_t id,
                                   rop_long_term_id *ltid_r,
                                   const char **error_r);
store_status store_id_from_ltid_db(mapi_db *db, apr_pool_t *pool,
                                   const store_mailbox_info *mi,
                                   const rop_long_term_id *ltid,
                                   uint64_t *id_r, const char **error_r);

/* Receive folders ([MS-OXCSTOR] 3.2.5.2): the longest matching class
 * prefix wins; "" is the default.  *class_r is the explicit class. */
store_status store_receive_folder_get(mapi_db *db, apr_pool_t *pool,
                                      const uint8_t mbox[STORE_GUID_LEN],
                                      const char *message_class,
                                      uint64_t *fid_r, const char **class_r,
                                      const char **error_r);
/* fid 0 removes the entry. */
store_status store_receive_folder_set(mapi_db *db, apr_pool_t *pool,
                                      const uint8_t mbox[STORE_GUID_LEN],
                                      const char *message_class, uint64_t fid,
                                      const char **error_r);
typedef struct store_receive_entry {
    uint64_t fid;
    const char *message_class;
    apr_time_t changed;
} store_receive_entry;
store_status store_receive_folder_list(mapi_db *db, apr_pool_t *pool,
                                       const uint8_t mbox[STORE_GUID_LEN],
                                       apr_array_header_t **entries_r,
                                       const char **error_r);

/* ------------------------------------------------------------ folders -- */

#define STORE_FOLDER_GENERIC  1   /* FolderType of RopCreateFolder */
#define STORE_FOLDER_SEARCH   2

typedef struct store_folder {
    uint64_t fid;
    uint64_t parent_fid;          /* 0 for the root */
    uint8_t folder_type;          /* STORE_FOLDER_GENERIC / _SEARCH */
    uint8_t deleted;              /* soft-deleted (kept for sync) */
    store_props props;            /* PidTagDisplayName, PidTagComment, ... */
} store_folder;

store_status store_folder_get(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                              store_folder **f_r, const char **error_r);
/* The same, soft-deleted folders (f->deleted) included: RopOpenFolder's
 * OpenSoftDeleted and RopDeleteFolder's hard delete of a tombstone. */
store_status store_folder_get_any(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t fid, store_folder **f_r,
                                  const char **error_r);
/* Creates a folder under parent.  A sibling with the same display name
 * (case-insensitive) gives EXISTS and *fid_r names it (RopCreateFolder's
 * OpenExisting).  Sets PidTagFolderId, PidTagParentFolderId,
 * PidTagFolderType, PidTagCreationTime, PidTagLastModificationTime and
 * the change-tracking properties. */
store_status store_folder_create(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint64_t parent_fid, uint8_t folder_type,
                                 const char *display_name,
                                 const char *comment, uint64_t *fid_r,
                                 const char **error_r);
/* Sets and deletes properties of a folder (one transaction); a rename
 * onto a sibling's name gives EXISTS.  Computed properties (ids, counts,
 * PidTagSubfolders, ...) are ignored when set. */
store_status store_folder_set_props(mapi_db *db, apr_pool_t *pool,
                                    const uint8_t mbox[STORE_GUID_LEN],
                                    uint64_t fid, const store_props *set,
                                    const uint32_t *del_tags, unsigned n_del,
                                    const char **error_r);
/* Deletes a folder.  Without STORE_DEL_MESSAGES a folder with messages is
 * NOT_EMPTY, without STORE_DEL_FOLDERS one with subfolders is NOT_EMPTY;
 * special folders are DENIED.  Without STORE_DEL_HARD the folder stays as
 * a tombstone (its content goes); a tombstone is removed by a hard
 * delete and is NOT_FOUND to a soft one. */
#define STORE_DEL_MESSAGES   0x01
#define STORE_DEL_FOLDERS    0x04
#define STORE_DEL_HARD       0x10
store_status store_folder_delete(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint64_t fid, unsigned flags,
                                 const char **error_r);
/* Moves fid under new_parent, renaming it to new_name (NULL: keep). */
store_status store_folder_move(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, uint64_t new_parent,
                               const char *new_name, const char **error_r);
/* Copies fid (its messages; with recursive its subfolders too) under
 * new_parent as new_name; *new_fid_r names the copy. */
store_status store_folder_copy(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, uint64_t new_parent,
                               const char *new_name, int recursive,
                               uint64_t *new_fid_r, const char **error_r);
/* Deletes the folder's messages (normal; with associated also FAI) and,
 * with STORE_DEL_FOLDERS, its subfolders.  Special folders are kept. */
store_status store_folder_empty(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                uint64_t fid, unsigned flags, int associated,
                                const char **error_r);

/* Children of a folder, in id order: subfolders (STORE_LIST_FOLDERS, depth
 * 1 or, with STORE_LIST_DEEP, the whole subtree in pre-order), messages
 * (STORE_LIST_MESSAGES) or associated messages (STORE_LIST_ASSOCIATED).
 * Deleted folders are not listed. */
#define STORE_LIST_FOLDERS     0x01
#define STORE_LIST_MESSAGES    0x02
#define STORE_LIST_ASSOCIATED  0x04
#define STORE_LIST_DEEP        0x08
store_status store_folder_list(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, unsigned what,
                               apr_array_header_t **ids_r /* uint64_t */,
                               const char **error_r);

/* A page of a folder's messages (associated ones with associated) by
 * PidTagMessageDeliveryTime descending, missing times last, equal times in
 * id order: the mids after the first skip, at most want of them, from the
 * delivery-time index; *skipped_r is how many were skipped (fewer than
 * skip when the folder is shorter), *more_r whether messages follow.
 * STORE_INVALID when the mailbox predates the index (sort the rows). */
store_status store_sorted_page(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, int associated, uint32_t skip,
                               uint32_t want, apr_array_header_t **mids_r,
                               uint32_t *skipped_r, int *more_r,
                               const char **error_r);

/* A folder's message counts (or its associated ones'), kept up to date
 * with every message write; STORE_INVALID when the mailbox predates them
 * (count the messages). */
typedef struct store_folder_counts {
    uint32_t messages, unread;
    uint64_t size;                /* sum of PidTagMessageSize */
} store_folder_counts;
store_status store_folder_counts_get(mapi_db *db, apr_pool_t *pool,
                                     const uint8_t mbox[STORE_GUID_LEN],
                                     uint64_t fid, int associated,
                                     store_folder_counts *c,
                                     const char **error_r);

/* The properties a folder has, computed ones included: PidTagFolderId,
 * PidTagParentFolderId, PidTagContentCount, PidTagContentUnreadCount,
 * PidTagAssociatedContentCount, PidTagFolderChildCount, PidTagSubfolders,
 * PidTagEntryId, PidTagParentEntryId, PidTagRecordKey, PidTagInstanceKey,
 * PidTagMessageSize, PidTagAccess, PidTagRights, PidTagObjectType. */
store_status store_folder_all_props(mapi_db *db, apr_pool_t *pool,
                                    const uint8_t mbox[STORE_GUID_LEN],
                                    const store_folder *f, store_props *out,
                                    const char **error_r);

/* ------------------------------------------------------------ messages -- */

typedef struct store_recipient {
    uint32_t row_id;              /* PidTagRowid */
    store_props props;            /* PidTagRecipientType, PidTagDisplayName,
                                     PidTagEmailAddress, PidTagAddressType,
                                     PidTagSmtpAddress, PidTagEntryId, ... */
} store_recipient;

typedef struct store_message store_message;

typedef struct store_attachment {
    uint32_t attach_num;          /* PidTagAttachNumber */
    store_props props;            /* PidTagAttachMethod, PidTagAttachDataBinary,
                                     PidTagAttachLongFilename, ... */
    store_message *embedded;      /* PidTagAttachMethod 5, else NULL */
} store_attachment;

struct store_message {
    uint64_t mid;                 /* 0 while an embedded message */
    uint64_t fid;
    uint8_t associated;           /* FAI */
    store_props props;
    apr_array_header_t *recipients;   /* store_recipient */
    apr_array_header_t *attachments;  /* store_attachment */
    uint32_t next_attach_num;
};

/* An empty message in pool, for RopCreateMessage's working copy. */
store_message *store_message_new(apr_pool_t *pool, uint64_t fid,
                                 int associated);
store_message *store_message_dup(apr_pool_t *pool, const store_message *m);

/* Record codec (the stored record and a session object's working copy). */
int store_message_encode(mapi_wr *wr, const store_message *m);
int store_message_decode(mapi_rd *rd, apr_pool_t *pool, store_message **m_r);

/* The message with its large values resolved (see "blobs"). */
store_status store_message_get(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t mid, store_message **m_r,
                               const char **error_r);
/* With STORE_GET_LARGE_AS_REF large values stay references (read them
 * with store_blob_read); flags 0 is store_message_get. */
#define STORE_GET_LARGE_AS_REF 0x01
store_status store_message_get_ex(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t mid, unsigned flags,
                                  store_message **m_r, const char **error_r);
/* Resolves every reference of m in place (m's pool). */
store_status store_message_resolve(mapi_db *db, apr_pool_t *pool,
                                   store_message *m, const char **error_r);
/* Saves a message: m->mid 0 allocates an id (written back); sets the
 * change-tracking properties, PidTagMid, PidTagMessageSize,
 * PidTagLastModificationTime (and at creation PidTagCreationTime,
 * PidTagSourceKey), keeps the folder's contents index and raises the
 * object created/modified events (store_events).  The folder must exist. */
store_status store_message_save(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                store_message *m, const char **error_r);
store_status store_message_delete(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t mid, const char **error_r);
/* Moves or copies a message to another folder; *new_mid_r names the
 * moved/copied message (a move keeps no id: [MS-OXCFOLD] gives it a new
 * one). */
store_status store_message_move(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                uint64_t mid, uint64_t dest_fid, int copy,
                                uint64_t *new_mid_r, const char **error_r);
/* Sets PidTagMessageFlags bits (mfRead and friends) without a new change
 * number for read state, as [MS-OXCMSG] 3.2.5.8 allows. */
store_status store_message_set_flags(mapi_db *db, apr_pool_t *pool,
                                     const uint8_t mbox[STORE_GUID_LEN],
                                     uint64_t mid, uint32_t set,
                                     uint32_t clear, uint32_t *new_flags_r,
                                     const char **error_r);
/* Sets the PidTagMessageStatus bits under mask to flags, alone: no new
 * change number, change key or modification time ([MS-OXCMSG] R1501).
 * *old_r gets the status before. */
store_status store_message_set_status(mapi_db *db, apr_pool_t *pool,
                                      const uint8_t mbox[STORE_GUID_LEN],
                                      uint64_t mid, uint32_t mask,
                                      uint32_t flags, uint32_t *old_r,
                                      const char **error_r);

/* The properties of a message, computed ones included: PidTagMid,
 * PidTagFolderId, PidTagEntryId, PidTagParentEntryId, PidTagRecordKey,
 * PidTagInstanceKey, PidTagMessageSize, PidTagHasAttachments (in
 * PidTagMessageFlags), PidTagAccess, PidTagAccessLevel, PidTagObjectType,
 * PidTagStoreSupportMask, PidTagDisplayTo/Cc/Bcc from recipients. */
void store_message_all_props(apr_pool_t *pool, const uint8_t mbox[16],
                             const store_mailbox_info *mi,
                             const store_message *m, store_props *out);

/* Entry ids ([MS-OXCDATA] 2.2.4): folder and message entry ids of a
 * private mailbox, built from the mailbox GUID (provider uid) and the
 * replica GUID + global counters. */
void store_folder_entry_id(const store_mailbox_info *mi, uint64_t fid,
                           uint8_t out[46]);
void store_message_entry_id(const store_mailbox_info *mi, uint64_t fid,
                            uint64_t mid, uint8_t out[70]);
/* Parses either; returns 0 with the ids (mid 0 for a folder) or -1. */
int store_entry_id_parse(const store_mailbox_info *mi, const uint8_t *data,
                         size_t len, uint64_t *fid_r, uint64_t *mid_r);

/* ---------------------------------------------------- named properties -- */

/* Named property ids are from 0x8000 up, per mailbox ([MS-OXCPRPT]
 * 3.2.5.8).  With create, an unknown name gets the next free id; without,
 * an unknown name gives id 0. */
store_status store_named_to_id(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               const rop_property_name *name, int create,
                               uint16_t *id_r, const char **error_r);
/* NOT_FOUND for an id with no name. */
store_status store_named_from_id(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint16_t id, rop_property_name *name_r,
                                 const char **error_r);
/* Every named property of the mailbox, optionally only one GUID's;
 * parallel arrays of uint16_t ids and rop_property_name. */
store_status store_named_list(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN],
                              const uint8_t *guid /* NULL: all */,
                              apr_array_header_t **ids_r,
                              apr_array_header_t **names_r,
                              const char **error_r);

/* -------------------------------------------------------------- rules -- */

/* Server-side rules ([MS-OXORULE] 2.2.1.3.1), per folder, in the meta db
 * of the shared environment under mbox 'U' 'r' fid (BE) rule id (BE); the
 * record is the rule's property bag in the store's codec, which keeps
 * PidTagRuleCondition as a parsed restriction and PidTagRuleActions as
 * its ActionBlocks with each ActionData as the client's bytes (decoded
 * with the ROP parsers when read: rop_rd_restriction, the RuleAction
 * parser).  Rule ids come from the mailbox's global counter, so they are
 * unique in the folder (R598) and never reused.  Deleting the folder
 * deletes its rules; deleting the mailbox deletes everything under mbox.
 * OOF reply history (ST_KEEP_OOF_HIST) lives beside the rule, under mbox
 * 'U' 'o' fid rule id sender, and goes with it. */

#ifndef PidTagRuleId
#define PidTagRuleId              0x66740014u
#endif
#ifndef PidTagRuleIds
#define PidTagRuleIds             0x66750102u
#endif
#ifndef PidTagRuleSequence
#define PidTagRuleSequence        0x66760003u
#endif
#ifndef PidTagRuleState
#define PidTagRuleState           0x66770003u
#endif
#ifndef PidTagRuleUserFlags
#define PidTagRuleUserFlags       0x66780003u
#endif
#ifndef PidTagRuleCondition
#define PidTagRuleCondition       0x667900FDu
#endif
#ifndef PidTagRuleActions
#define PidTagRuleActions         0x668000FEu
#endif
#ifndef PidTagRuleProvider
#define PidTagRuleProvider        0x6681001Fu
#endif
#ifndef PidTagRuleName
#define PidTagRuleName            0x6682001Fu
#endif
#ifndef PidTagRuleLevel
#define PidTagRuleLevel           0x66830003u
#endif
#ifndef PidTagRuleProviderData
#define PidTagRuleProviderData    0x66840102u
#endif
#ifndef PidTagHasRules
#define PidTagHasRules            0x663A000Bu
#endif

/* PidTagRuleState ([MS-OXORULE] 2.2.1.3.1.3). */
#define STORE_ST_ENABLED          0x00000001u
#define STORE_ST_ERROR            0x00000002u
#define STORE_ST_ONLY_WHEN_OOF    0x00000004u
#define STORE_ST_KEEP_OOF_HIST    0x00000008u
#define STORE_ST_EXIT_LEVEL       0x00000010u
#define STORE_ST_SKIP_IF_SCL_SAFE 0x00000020u
#define STORE_ST_RULE_PARSE_ERROR 0x00000040u

/* R814: at most this many rules in a folder, and this many bytes of
 * them; more is ecNotEnoughMemory (R815). */
#define STORE_RULES_MAX           256
#define STORE_RULES_BYTES_MAX     (512u * 1024)

typedef struct store_rule {
    uint64_t id;                  /* PidTagRuleId */
    uint32_t sequence;            /* PidTagRuleSequence (0 if absent) */
    uint32_t state;               /* PidTagRuleState */
    store_props props;            /* every property, PidTagRuleId included */
    uint8_t extended;             /* an extended rule: id is its FAI
                                     message (delivery/dlv_xrules.c) */
} store_rule;

/* RuleDataFlags ([MS-OXORULE] 2.2.1.3). */
#define STORE_RULE_ADD            0x01
#define STORE_RULE_MODIFY         0x02
#define STORE_RULE_REMOVE         0x04

typedef struct store_rule_change {
    uint8_t op;                   /* STORE_RULE_ADD / _MODIFY / _REMOVE */
    uint64_t id;                  /* modify, remove: the rule */
    const store_props *props;     /* add, modify: the values to set */
} store_rule_change;

/* The folder's rules (store_rule *), in PidTagRuleSequence order, ties by
 * rule id (creation order: R58 leaves it to the server). */
store_status store_rule_list(mapi_db *db, apr_pool_t *pool,
                             const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                             apr_array_header_t **rules_r,
                             const char **error_r);
/* Applies changes in one transaction, all or nothing: with replace, the
 * folder's rules are removed first (ModifyRulesFlag ROW_REPLACE).  Added
 * rules get a new PidTagRuleId (R597), written to new_ids[i] for change
 * i (may be NULL).  NOT_FOUND: a modify/remove names no rule of the
 * folder, or the folder is gone; TOO_BIG: over STORE_RULES_MAX or
 * STORE_RULES_BYTES_MAX (R815). */
store_status store_rule_modify(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, int replace,
                               const store_rule_change *changes, unsigned n,
                               uint64_t *new_ids, const char **error_r);
/* Sets and clears PidTagRuleState bits of one rule (ST_ERROR after a
 * DEM, R813), alone. */
store_status store_rule_set_state(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t fid, uint64_t rule_id,
                                  uint32_t set, uint32_t clear,
                                  const char **error_r);
/* Records that rule replied to sender (case-insensitive); *seen_r is 1
 * when it already had (the OOF "once per sender" history). */
store_status store_rule_oof_note(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint64_t fid, uint64_t rule_id,
                                 const char *sender, int *seen_r,
                                 const char **error_r);
/* The mailbox enters (oof 1) or leaves the Out of Office state
 * (PidTagOutOfOfficeState, which turns ST_ONLY_WHEN_OOF rules on,
 * [MS-OXORULE] 3.2.4.2); leaving clears the OOF reply history (R585). */
store_status store_mailbox_set_oof(mapi_db *db, apr_pool_t *pool,
                                   const uint8_t mbox[STORE_GUID_LEN],
                                   int oof, const char **error_r);
/* Whether the folder has rules (PidTagHasRules, R604-R606). */
int store_rule_any(mapi_db *db, apr_pool_t *pool,
                   const uint8_t mbox[STORE_GUID_LEN], uint64_t fid);

/* Deferred Action Messages ([MS-OXORULE] 2.2.6). */
#ifndef PidTagDamOriginalEntryId
#define PidTagDamOriginalEntryId   0x66460102u
#endif
#ifndef PidTagDamBackPatched
#define PidTagDamBackPatched       0x6647000Bu
#endif
#ifndef PidTagDeferredActionMessageOriginalEntryId
#define PidTagDeferredActionMessageOriginalEntryId 0x674100FBu
#endif
#ifndef PidTagHasDeferredActionMessages
#define PidTagHasDeferredActionMessages 0x3FEA000Bu
#endif
#define STORE_DAM_CLASS "IPC.Microsoft Exchange 4.0.Deferred Action"

/* RopUpdateDeferredActionMessages ([MS-OXORULE] 3.2.5.4): every DAM of
 * the mailbox's Deferred Action folder whose
 * PidTagDeferredActionMessageOriginalEntryId (R618) or
 * PidTagDamOriginalEntryId (the delivered message's entry id, which is
 * what a client that moved the message holds) is server_eid gets
 * client_eid in both (R619, R136) and PidTagDamBackPatched TRUE (R620).
 * *n_r: how many were changed (none is no error, R617). */
store_status store_dam_backpatch(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 const rop_bin *server_eid,
                                 const rop_bin *client_eid, unsigned *n_r,
                                 const char **error_r);

/* ----------------------------------------------------- search folders -- */

/* Search folders ([MS-OXCFOLD] 2.2.1.4, 3.2.5.4): a folder of type
 * STORE_FOLDER_SEARCH holds no messages of its own; its criteria (the
 * restriction, the scope folders, the flags of the last
 * RopSetSearchCriteria) are a record in the meta db under
 * mbox 'U' 's' fid (BE), and its contents are computed from them when a
 * table or a count asks (store_search_rows, store_table.h), so that a
 * dynamic search follows every change of the scope at once, in every
 * process.  A static search (STATIC_SEARCH) keeps the message ids that
 * matched when it was (re)started instead, and lists those still there.
 * Deleting the folder deletes its criteria. */

/* SearchFlags of RopSetSearchCriteria ([MS-OXCFOLD] 2.2.1.4.1). */
#define STORE_SEARCH_STOP              0x00000001u
#define STORE_SEARCH_RESTART           0x00000002u
#define STORE_SEARCH_RECURSIVE         0x00000004u
#define STORE_SEARCH_SHALLOW           0x00000008u
#define STORE_SEARCH_CONTENT_INDEXED   0x00010000u
#define STORE_SEARCH_NON_CI            0x00020000u
#define STORE_SEARCH_STATIC            0x00040000u
#define STORE_SEARCH_SET_VALID         0x0007000Fu
/* SearchFlags of RopGetSearchCriteria ([MS-OXCFOLD] 2.2.1.5.2). */
#define STORE_SEARCH_ST_RUNNING        0x00000001u
#define STORE_SEARCH_ST_REBUILD        0x00000002u
#define STORE_SEARCH_ST_RECURSIVE      0x00000004u
#define STORE_SEARCH_ST_COMPLETE       0x00001000u
#define STORE_SEARCH_ST_STATIC         0x00010000u
#define STORE_SEARCH_ST_CI_TOTALLY     0x01000000u
#define STORE_SEARCH_ST_TWIR_TOTALLY   0x08000000u
/* Scope folders one search may name. */
#define STORE_SEARCH_FOLDERS_MAX       512

typedef struct store_search {
    uint32_t flags;               /* RECURSIVE, STATIC, CONTENT_INDEXED /
                                     NON_CI as last set (defaults applied) */
    uint8_t stopped;              /* the last request had STOP_SEARCH */
    rop_restriction *restriction; /* NULL: every message matches */
    uint16_t n_folders;
    uint64_t *folders;            /* the scope, as the client named it */
    uint8_t frozen;               /* static: mids are the contents */
    uint32_t n_mids;
    uint64_t *mids;
} store_search;

/* The folder's criteria; NOT_FOUND before the first RopSetSearchCriteria. */
store_status store_search_get(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN],
                              uint64_t fid, store_search **s_r,
                              const char **error_r);
/* Stores s as the folder's criteria.  A static search that is restarted
 * (or has no snapshot yet) takes its snapshot of matching ids now.
 * INVALID: not a search folder, or too many scope folders. */
store_status store_search_set(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN],
                              uint64_t fid, store_search *s, int restart,
                              const char **error_r);
/* The SearchFlags RopGetSearchCriteria reports for s. */
uint32_t store_search_state(const store_search *s);
/* Whether mid is one of the search folder's messages now. */
int store_search_holds(mapi_db *db, apr_pool_t *pool,
                       const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                       uint64_t mid);

/* -------------------------------------------------------- permissions -- */

/* Folder permissions ([MS-OXCPERM] 2.2.7), per folder, in the meta db of
 * the shared environment under mbox 'U' 'p' fid (BE) member id (BE); the
 * record is the rights (u32) and the member's mailbox GUID.  Member ids
 * come from the mailbox's global counter; Default (0) and Anonymous
 * (all ones) are the reserved ones (R189, R190), listed always, stored
 * only once given rights.  Deleting the folder deletes its list; deleting
 * the mailbox deletes everything under mbox.  The mailbox's owner is in
 * no list: they have every right on every folder of their mailbox. */
#define STORE_RIGHT_READ_ANY          0x00000001u
#define STORE_RIGHT_CREATE            0x00000002u
#define STORE_RIGHT_EDIT_OWNED        0x00000008u
#define STORE_RIGHT_DELETE_OWNED      0x00000010u
#define STORE_RIGHT_EDIT_ANY          0x00000020u
#define STORE_RIGHT_DELETE_ANY        0x00000040u
#define STORE_RIGHT_CREATE_SUBFOLDER  0x00000080u
#define STORE_RIGHT_FOLDER_OWNER      0x00000100u
#define STORE_RIGHT_FOLDER_CONTACT    0x00000200u
#define STORE_RIGHT_FOLDER_VISIBLE    0x00000400u
#define STORE_RIGHT_FREEBUSY_SIMPLE   0x00000800u
#define STORE_RIGHT_FREEBUSY_DETAILED 0x00001000u
/* R1093: no other bit is ever stored. */
#define STORE_RIGHTS_VALID            0x00001FFBu
#define STORE_RIGHTS_FREEBUSY         (STORE_RIGHT_FREEBUSY_SIMPLE | \
                                       STORE_RIGHT_FREEBUSY_DETAILED)
/* Every right but free/busy, which only means something to others (the
 * owner's PidTagRights, 0x7FB). */
#define STORE_RIGHTS_OWNER            (STORE_RIGHTS_VALID & \
                                       ~STORE_RIGHTS_FREEBUSY)
/* Rights that open a folder's mailbox to another user (RopLogon): any
 * but the free/busy ones, which are read through the Availability
 * service, not a logon. */
#define STORE_RIGHTS_LOGON            STORE_RIGHTS_OWNER
#define STORE_MEMBER_DEFAULT          0x0000000000000000ull
#define STORE_MEMBER_ANONYMOUS        0xFFFFFFFFFFFFFFFFull

typedef struct store_perm_entry {
    uint64_t member_id;           /* PidTagMemberId */
    uint8_t member[STORE_GUID_LEN];   /* the member's mailbox GUID; zero
                                         for Default and Anonymous */
    uint32_t rights;              /* PidTagMemberRights */
} store_perm_entry;

#define STORE_PERM_ADD            0x01   /* PermissionDataFlags AddRow */
#define STORE_PERM_MODIFY         0x02   /* ModifyRow */
#define STORE_PERM_REMOVE         0x04   /* RemoveRow */

typedef struct store_perm_change {
    uint8_t op;                   /* STORE_PERM_* */
    uint64_t member_id;           /* modify, remove */
    uint8_t member[STORE_GUID_LEN];   /* add */
    uint32_t rights;              /* add, modify */
    uint32_t keep_mask;           /* bits that keep their stored value
                                     (free/busy without IncludeFreeBusy) */
} store_perm_change;

/* The folder's list (store_perm_entry): Default, the members in id
 * order, Anonymous.  NOT_FOUND without the folder. */
store_status store_perm_list(mapi_db *db, apr_pool_t *pool,
                             const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                             apr_array_header_t **entries_r,
                             const char **error_r);
/* Applies changes in one transaction, all or nothing.  With replace every
 * entry but Default's goes first (R1197).  An add of a member already
 * listed sets its rights; a modify or remove of a member not listed is
 * ignored (R1175); removing Default or Anonymous resets it to None.
 * NOT_FOUND without the folder. */
store_status store_perm_modify(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, int replace,
                               const store_perm_change *changes, unsigned n,
                               const char **error_r);
/* The rights of user (a mailbox GUID) from a list: their entry, else
 * Default's ([MS-OXCPERM] R175, R176). */
uint32_t store_perm_effective(const apr_array_header_t *entries,
                              const uint8_t user[STORE_GUID_LEN]);
/* The rights of user on folder fid of mbox: STORE_RIGHTS_OWNER on their
 * own mailbox. */
store_status store_perm_rights(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid,
                               const uint8_t user[STORE_GUID_LEN],
                               uint32_t *rights_r, const char **error_r);
/* *any_r: whether user holds one of the rights of mask on some folder of
 * mbox (1 on their own mailbox). */
store_status store_perm_any(mapi_db *db, apr_pool_t *pool,
                            const uint8_t mbox[STORE_GUID_LEN],
                            const uint8_t user[STORE_GUID_LEN], uint32_t mask,
                            int *any_r, const char **error_r);
/* Whether rights allow reading, changing or deleting a message; owned:
 * the user created it (R121-R144's "owned" rules). */
#define STORE_PERM_READ           1
#define STORE_PERM_EDIT           2
#define STORE_PERM_DELETE         3
int store_perm_allows(uint32_t rights, int owned, unsigned what);

/* Address book EntryIDs ([MS-OXNSPI] 2.3.9.3 PermanentEntryID) of a
 * legacyExchangeDN: what names a member (PidTagEntryId) and a message's
 * creator (PidTagCreatorEntryId, set when a client first saves it). */
void store_ab_entry_id(apr_pool_t *pool, const char *dn, rop_bin *out);
/* The DN of a PermanentEntryID, or NULL. */
const char *store_ab_entry_id_dn(apr_pool_t *pool, const uint8_t *data,
                                 size_t len);
/* Whether m's PidTagCreatorEntryId names dn (case-insensitive). */
int store_message_created_by(apr_pool_t *pool, const store_message *m,
                             const char *dn);

/* ------------------------------------------------------------ events -- */

/* What changed, for notifications ([MS-OXCNOTIF] 2.2.1.4.1.2). */
#define STORE_EV_NEW_MAIL        0x0002
#define STORE_EV_OBJ_CREATED     0x0004
#define STORE_EV_OBJ_DELETED     0x0008
#define STORE_EV_OBJ_MODIFIED    0x0010
#define STORE_EV_OBJ_MOVED       0x0020
#define STORE_EV_OBJ_COPIED      0x0040
#define STORE_EV_SEARCH_COMPLETE 0x0080
#define STORE_EV_TABLE_MODIFIED  0x0100

typedef struct store_event {
    uint16_t type;                /* one STORE_EV_* */
    uint64_t fid, mid;            /* mid 0: a folder event */
    uint64_t old_fid, old_mid;    /* moved/copied: where it was */
    uint64_t parent_fid;          /* folder events: the parent */
    const char *message_class;    /* new mail */
    uint32_t message_flags;       /* new mail */
} store_event;

/* Called for every event the store raises, after the transaction that
 * made the change committed.  The notification layer installs it;
 * NULL (the default) drops events. */
typedef void (*store_event_fn)(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               const store_event *ev);
void store_set_event_hook(store_event_fn fn);
void store_raise(mapi_db *db, apr_pool_t *pool,
                 const uint8_t mbox[STORE_GUID_LEN], const store_event *ev);

#endif
