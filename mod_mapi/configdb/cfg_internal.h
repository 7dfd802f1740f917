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

/* Iterates the records whose key starts with prefix (no transaction:
 * each record is read whole and consistent on its own). */
typedef int (*cfg_scan_fn)(const void *data, size_t len, void *baton);
int cfg_scan(mapi_db *db, const char *prefix, cfg_scan_fn fn, void *baton,
             apr_pool_t *pool, const char *what, const char **error_r);

#endif
