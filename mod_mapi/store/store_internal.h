/*
 * store_internal.h: helpers shared by the store's files (keys, record
 * access, the mailbox info record, change tracking).  Not part of the
 * contract with the ROP layer; see store.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_STORE_INTERNAL_H
#define MAPI_STORE_INTERNAL_H

#include "store.h"
#include "wire/mapi_tags.h"

/* Layout version of the store's records. */
#define STORE_RECORD_VERSION 1
/* Embedded messages nest; deeper records are refused so that a corrupt
 * or hostile record cannot exhaust the stack. */
#define STORE_EMBED_DEPTH    8

#define STORE_KEY_ID_LEN     (STORE_GUID_LEN + 8)
#define STORE_KEY_CHILD_LEN  (STORE_GUID_LEN + 8 + 1 + 8)
#define STORE_KIND_FOLDER    'F'
#define STORE_KIND_MESSAGE   'M'
#define STORE_KIND_ASSOC     'A'
#define STORE_XID_LEN        22

/* A transaction body's verdict and its pool. */
typedef struct store_txn {
    apr_pool_t *pool;
    const uint8_t *mbox;
    store_status st;
    const char *error;
} store_txn;

/* Ends a body with a verdict: returns MAPI_DB_ABORT. */
int store_abort(store_txn *t, store_status st);
/* A GLOBCNT ([MS-OXCDATA] 2.2.1.1): 6 bytes, big-endian. */
void store_counter_bytes(uint64_t counter, uint8_t out[6]);
uint64_t store_counter_from(const uint8_t in[6]);
/* Runs body; maps the outcome onto a store_status (and *error_r). */
store_status store_run(mapi_db *db, mapi_db_txn_fn body, store_txn *t,
                       const char *what, const char **error_r);

void store_be64(uint8_t out[8], uint64_t v);
uint64_t store_rd_be64(const uint8_t in[8]);
void store_key_id(uint8_t out[STORE_KEY_ID_LEN], const uint8_t *mbox,
                  uint64_t id);
void store_key_child(uint8_t out[STORE_KEY_CHILD_LEN], const uint8_t *mbox,
                     uint64_t parent, uint8_t kind, uint64_t id);

/* Record access: 0, DB_NOTFOUND, EINVAL (over STORE_RECORD_MAX) or a BDB
 * error.  The data is a pool copy. */
int store_db_get(DB *d, DB_TXN *txn, const void *k, size_t klen,
                 apr_pool_t *pool, const uint8_t **data_r, size_t *len_r,
                 u_int32_t flags);
int store_db_put(DB *d, DB_TXN *txn, const void *k, size_t klen,
                 const void *data, size_t len);
/* Deletes; a missing key is not an error. */
int store_db_del(DB *d, DB_TXN *txn, const void *k, size_t klen);
/* Maps a BDB return of a body onto the verdict (DB_NOTFOUND/EINVAL) or
 * passes it on to be retried or reported. */
int store_db_fail(store_txn *t, int ret, const char *what);
/* The status of a read made outside a transaction (the get functions):
 * NOT_FOUND, or DB_ERROR with *error_r (may be NULL) naming what was read
 * (its record malformed when ret is EINVAL). */
store_status store_read_status(mapi_db *db, apr_pool_t *pool, int ret,
                               const char *what, const char **error_r);

/* Every key of d starting with prefix, in key order, into an array of
 * rop_bin (pool copies). */
int store_db_keys(DB *d, DB_TXN *txn, const void *prefix, size_t plen,
                  apr_pool_t *pool, apr_array_header_t **keys_r);

/* The mailbox info record. */
int store_info_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *mbox, store_mailbox_info *mi,
                    u_int32_t flags);
int store_info_write(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                     const store_mailbox_info *mi);
int store_info_decode(const uint8_t *data, size_t len, apr_pool_t *pool,
                      store_mailbox_info *mi);
/* Allocates n counters from the info record mi (already read with
 * DB_RMW) and writes it back. */
int store_info_alloc(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                     store_mailbox_info *mi, unsigned n, uint64_t *first_r);


/* XID of a counter: replica guid + 6 counter bytes (22 bytes). */
void store_xid(const store_mailbox_info *mi, uint64_t counter,
               uint8_t out[STORE_XID_LEN]);
/* Stamps a change: PidTagChangeNumber, PidTagChangeKey and the merged
 * PidTagPredecessorChangeList for change number cn (an id). */
void store_stamp_change(store_props *p, const store_mailbox_info *mi,
                        uint64_t cn);
/* Merges two PCLs keeping the highest change per GUID; the result is in
 * pool, sorted by GUID.  -1 on a malformed list. */
int store_pcl_merge(apr_pool_t *pool, const rop_bin *a, const rop_bin *b,
                    rop_bin *out);
void store_set_source_key(store_props *p, uint32_t tag,
                          const store_mailbox_info *mi, uint64_t id);

/* Folder records. */
int store_folder_encode(mapi_wr *wr, const store_folder *f);
int store_folder_decode(const uint8_t *data, size_t len, apr_pool_t *pool,
                        store_folder *f);
int store_folder_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                      const uint8_t *mbox, uint64_t fid, store_folder **f_r,
                      u_int32_t flags);
int store_folder_write(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                       const uint8_t *mbox, const store_folder *f);
/* Creates a folder in txn (mi read with DB_RMW): 0, DB_KEYEXIST when a
 * sibling has the name (*fid_r names it), DB_NOTFOUND without the parent,
 * or a BDB error. */
int store_folder_make(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                      store_mailbox_info *mi, uint64_t parent,
                      uint8_t folder_type, const char *display_name,
                      const char *comment, uint64_t *fid_r);
/* The delivery-time index of messages (store_sortidx.c): the 9-byte
 * sort key of a message (present flag, PidTagMessageDeliveryTime BE), its
 * index entry, and the marker that a mailbox's index is complete (set at
 * creation; older mailboxes have none). */
#define STORE_SORTKEY_LEN 9
void store_sortkey(const store_message *m, uint8_t sk[STORE_SORTKEY_LEN]);
int store_sortidx_put(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                      uint64_t fid, uint8_t child_kind, uint64_t mid,
                      const uint8_t sk[STORE_SORTKEY_LEN]);
int store_sortidx_del(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                      uint64_t fid, uint8_t child_kind, uint64_t mid,
                      const uint8_t sk[STORE_SORTKEY_LEN]);
int store_sortidx_mark(mapi_db *db, DB_TXN *txn, const uint8_t *mbox);
/* What a message's children entry holds: its sort key, whether it is
 * unread, its PidTagMessageSize (u32 BE); and the folder counts kept from
 * the difference of two (old_cd NULL: a new message; new_cd NULL: gone). */
#define STORE_CHILD_DATA_LEN (STORE_SORTKEY_LEN + 1 + 4)
void store_child_data(const store_message *m,
                      uint8_t cd[STORE_CHILD_DATA_LEN]);
int store_counts_update(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *mbox, uint64_t fid, uint8_t child_kind,
                        const uint8_t *old_cd, const uint8_t *new_cd);
/* Drops the children entry of a message whose record is gone, with its
 * index entry and its share of the counts. */
int store_child_forget(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                       const uint8_t *mbox, uint64_t fid, uint8_t child_kind,
                       uint64_t mid);
/* Children ids of kind under parent (contents index). */
int store_children(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                   const uint8_t *mbox, uint64_t parent, uint8_t kind,
                   apr_array_header_t **ids_r);

/* Message records inside a transaction. */
int store_message_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                       const uint8_t *mbox, uint64_t mid,
                       store_message **m_r, u_int32_t flags);
int store_message_write(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *mbox, const store_message *m);
/* Removes a message record and its index entry. */
int store_message_remove(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                         const uint8_t *mbox, const store_message *m);
/* Copies message mid into dest_fid with a new id and change; *new_r the
 * copy.  The caller holds mi (read with DB_RMW). */
int store_message_clone(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        const uint8_t *mbox, store_mailbox_info *mi,
                        const store_message *src, uint64_t dest_fid,
                        uint64_t *new_mid_r);

/* Rules (store_rule.c): removes the folder's rules and their OOF
 * history, with the folder. */
/* Deletes a search folder's criteria (store_search.c). */
int store_search_drop_folder(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                             uint64_t fid);
int store_rule_drop_folder(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                           const uint8_t *mbox, uint64_t fid);

/* Permissions (store_perm.c): removes the folder's permissions list,
 * with the folder. */
int store_perm_drop_folder(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                           const uint8_t *mbox, uint64_t fid);

/* Large values (store_blob.c).  Before m is written over prev (NULL: a
 * new message): moves m's large inline values into new blobs of mbox,
 * keeps references to blobs prev owned, copies any other reference into
 * a new blob, and frees what prev owned that m no longer holds.  EFBIG
 * when the message would exceed STORE_MESSAGE_MAX. */
int store_blob_sync(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                    const uint8_t *mbox, store_message *m,
                    const store_message *prev);
/* Frees the blobs of mbox that m references (m is being removed). */
int store_blob_free_message(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                            const uint8_t *mbox, const store_message *m);
/* Replaces every reference in m by its value (in pool). */
int store_blob_resolve_message(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               store_message *m);
/* Sum of the sizes of the values m references. */
uint64_t store_blob_bytes(const store_message *m);
/* A well-formed reference (the record decoder's check). */
int store_blob_ref_valid(const rop_propval *v);

#endif
