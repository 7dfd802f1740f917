/*
 * cfg_internal.h: helpers shared by the configdb files (records, keys,
 * string arrays).  Not part of the contract with mod_mapi; see cfg_db.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_CFG_INTERNAL_H
#define MAPI_CFG_INTERNAL_H

#include "cfg_db.h"
#include "wire/mapi_rd.h"

/* Layout version of every record, bumped with MAPI_DB_SCHEMA_VERSION. */
#define CFG_RECORD_VERSION 2
/* Mailbox records of schema 3 carry the directory attributes; version 2
 * mailbox records (no attributes) are still read. */
#define CFG_MBX_RECORD_VERSION 3
/* Group and contact records (new in schema 3). */
#define CFG_DIR_RECORD_VERSION 3
#define CFG_STR_MAX        2048
/* Records are written whole; the largest (a mailbox with 64 addresses and
 * 64 principals of CFG_STR_MAX bytes) stays well below this. */
#define CFG_RECORD_MAX     (1024 * 1024)

/* A transaction body's verdicts besides CFG_*: the message in the baton. */
typedef struct cfg_txn_state {
    apr_pool_t *pool;
    int verdict;            /* CFG_NOT_FOUND, CFG_CONFLICT or -1 */
    const char *error;      /* with verdict -1 */
} cfg_txn_state;

char *cfg_lower(apr_pool_t *pool, const char *s);
int cfg_new_guid(uint8_t g[16]);
int cfg_get(mapi_db *db, DB_TXN *txn, const char *k, apr_pool_t *pool,
            const uint8_t **data_r, size_t *len_r, u_int32_t flags);
int cfg_put(mapi_db *db, DB_TXN *txn, const char *k, const void *data,
            size_t len, u_int32_t flags);
int cfg_del(mapi_db *db, DB_TXN *txn, const char *k);
/* Ends a transaction body with a verdict: returns MAPI_DB_ABORT. */
int cfg_abort(cfg_txn_state *st, int verdict, const char *error);
/* Runs body in a transaction and maps its outcome onto the cfg_db.h
 * return convention. */
int cfg_run(mapi_db *db, mapi_db_txn_fn body, void *baton,
            cfg_txn_state *st, const char **error_r);

/* The organisation record: 0, DB_NOTFOUND, EINVAL (malformed) or a BDB
 * error. */
int cfg_org_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool, cfg_org *org,
                 u_int32_t flags);

/* Optional strings: a presence byte, then the string. */
void cfg_wr_ostr(mapi_wr *wr, const char *s);
void cfg_rd_ostr(mapi_rd *rd, apr_pool_t *pool, const char **s_r);
/* String arrays: a u16 count (at most CFG_ARRAY_MAX) then the strings. */
void cfg_wr_strs(mapi_wr *wr, const apr_array_header_t *a);
void cfg_rd_strs(mapi_rd *rd, apr_pool_t *pool, apr_array_header_t **a_r);

/* A string array of at most max values (group members). */
void cfg_wr_strs_max(mapi_wr *wr, const apr_array_header_t *a, int max);
void cfg_rd_strs_max(mapi_rd *rd, apr_pool_t *pool, int max,
                     apr_array_header_t **a_r);
/* Byte strings: a u32 length (at most max) then the bytes. */
void cfg_wr_blob(mapi_wr *wr, const cfg_blob *b, size_t max);
void cfg_rd_blob(mapi_rd *rd, apr_pool_t *pool, size_t max, cfg_blob *b);
/* Arrays of cfg_blob: a u16 count (at most max) then the blobs. */
void cfg_wr_blobs(mapi_wr *wr, const apr_array_header_t *a, int max,
                  size_t each);
void cfg_rd_blobs(mapi_rd *rd, apr_pool_t *pool, int max, size_t each,
                  apr_array_header_t **a_r);

/* Index entries shared by every kind of recipient: prefix ("smtp/",
 * "dn/"), the value, what the entry holds.  cfg_index_add ends the
 * transaction with a conflict naming the value when it is taken. */
int cfg_index_add(mapi_db *db, DB_TXN *txn, cfg_txn_state *st,
                  const char *prefix, const char *value, const char *target,
                  const char *what);
int cfg_index_get(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                  const char *prefix, const char *value,
                  const char **target_r, u_int32_t flags);

/* Iterates the records whose key starts with prefix (no transaction:
 * each record is read whole and consistent on its own). */
typedef int (*cfg_scan_fn)(const void *data, size_t len, void *baton);
int cfg_scan(mapi_db *db, const char *prefix, cfg_scan_fn fn, void *baton,
             apr_pool_t *pool, const char *what, const char **error_r);

#endif
