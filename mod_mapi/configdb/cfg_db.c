/*
 * cfg_db.c: the schema, shared record helpers and the organisation record.
 * Mailboxes are in cfg_mailbox.c, virtual directories in cfg_vdir.c, the
 * pure functions (URLs, version ranges, names) in cfg_util.c.  See
 * cfg_db.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfg_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/rand.h>

/* ------------------------------------------------------------ helpers -- */

char *cfg_lower(apr_pool_t *pool, const char *s)
{
    char *d = apr_pstrdup(pool, s ? s : "");

    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

const char *cfg_guid_str(apr_pool_t *pool, const uint8_t g[16])
{
    /* Data1..Data3 are little-endian in the 16-byte form ([MS-DTYP]). */
    return apr_psprintf(pool,
        "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
        g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
        g[10], g[11], g[12], g[13], g[14], g[15]);
}

int cfg_new_guid(uint8_t g[16])
{
    if (RAND_bytes(g, 16) != 1)
        return -1;
    g[7] = (uint8_t)((g[7] & 0x0f) | 0x40);   /* version 4, Data3 high */
    g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    return 0;
}

static void cfg_key(DBT *key, const char *k)
{
    memset(key, 0, sizeof(*key));
    key->data = (void *)k;
    key->size = (u_int32_t)strlen(k);
}

/* Reads a record into pool memory; 0, DB_NOTFOUND or a BDB error. */
int cfg_get(mapi_db *db, DB_TXN *txn, const char *k, apr_pool_t *pool,
            const uint8_t **data_r, size_t *len_r, u_int32_t flags)
{
    DBT key, val = { 0 };
    int ret;

    cfg_key(&key, k);
    val.flags = DB_DBT_MALLOC;
    ret = db->config->get(db->config, txn, &key, &val, flags);
    if (ret != 0)
        return ret;
    *data_r = apr_pmemdup(pool, val.data, val.size ? val.size : 1);
    *len_r = val.size;
    free(val.data);
    return 0;
}

/* ---- the directory generation: "dirgen" (u64 LE) counts the changes
 * of the records the address book is built from (organisation, mailboxes,
 * groups, contacts), bumped in the transaction of the change, so a reader
 * holding a view of generation G knows it is current while "dirgen" is
 * still G. */
#define CFG_DIRGEN_KEY "dirgen"

static int cfg_is_dir_record(const char *k)
{
    return strncmp(k, "mbx/", 4) == 0 || strncmp(k, "grp/", 4) == 0 ||
           strncmp(k, "con/", 4) == 0 || strcmp(k, "org") == 0;
}

static int cfg_dirgen_read(mapi_db *db, DB_TXN *txn, uint64_t *gen_r,
                           u_int32_t flags)
{
    DBT key, val = { 0 };
    uint8_t b[8];
    int ret;

    cfg_key(&key, CFG_DIRGEN_KEY);
    val.data = b;
    val.ulen = sizeof(b);
    val.flags = DB_DBT_USERMEM;
    *gen_r = 0;
    ret = db->config->get(db->config, txn, &key, &val, flags);
    if (ret == DB_NOTFOUND)
        return 0;
    if (ret != 0)
        return ret;
    if (val.size != 8)
        return EINVAL;
    for (int i = 7; i >= 0; i--)
        *gen_r = *gen_r << 8 | b[i];
    return 0;
}

static int cfg_dirgen_bump(mapi_db *db, DB_TXN *txn)
{
    DBT key, val = { 0 };
    uint8_t b[8];
    uint64_t gen;
    int ret;

    if ((ret = cfg_dirgen_read(db, txn, &gen, txn ? DB_RMW : 0)) != 0)
        return ret;
    gen++;
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(gen >> (8 * i));
    cfg_key(&key, CFG_DIRGEN_KEY);
    val.data = b;
    val.size = sizeof(b);
    return db->config->put(db->config, txn, &key, &val, 0);
}

int cfg_dir_generation(mapi_db *db, uint64_t *gen_r)
{
    return cfg_dirgen_read(db, NULL, gen_r, 0) == 0 ? 0 : -1;
}

int cfg_put(mapi_db *db, DB_TXN *txn, const char *k, const void *data,
            size_t len, u_int32_t flags)
{
    DBT key, val = { 0 };
    int ret;

    cfg_key(&key, k);
    val.data = (void *)data;
    val.size = (u_int32_t)len;
    ret = db->config->put(db->config, txn, &key, &val, flags);
    if (ret == 0 && cfg_is_dir_record(k))
        ret = cfg_dirgen_bump(db, txn);
    return ret;
}

/* Deleting what is not there is not an error: index entries of a record
 * written by an older, interrupted tool may be missing. */
int cfg_del(mapi_db *db, DB_TXN *txn, const char *k)
{
    DBT key;
    int ret;

    cfg_key(&key, k);
    ret = db->config->del(db->config, txn, &key, 0);
    if (ret == 0 && cfg_is_dir_record(k))
        ret = cfg_dirgen_bump(db, txn);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int cfg_abort(cfg_txn_state *st, int verdict, const char *error)
{
    st->verdict = verdict;
    st->error = error;
    return MAPI_DB_ABORT;
}

int cfg_run(mapi_db *db, mapi_db_txn_fn body, void *baton,
            cfg_txn_state *st, const char **error_r)
{
    int ret = mapi_db_txn_run(db, 0, body, baton, st->pool, error_r);

    if (ret != MAPI_DB_ABORT)
        return ret;
    /* A conflict carries its detail too (which address is taken). */
    if (st->error != NULL)
        *error_r = st->error;
    return st->verdict;
}

void cfg_wr_ostr(mapi_wr *wr, const char *s)
{
    mapi_wr_u8(wr, s != NULL);
    if (s != NULL)
        mapi_wr_lstr(wr, s, CFG_STR_MAX);
}

void cfg_rd_ostr(mapi_rd *rd, apr_pool_t *pool, const char **s_r)
{
    uint8_t present = 0;

    *s_r = NULL;
    if (mapi_rd_u8(rd, &present) != 0)
        return;
    if (present > 1)
        rd->failed = 1;
    else if (present)
        mapi_rd_lstr(rd, pool, CFG_STR_MAX, s_r);
}

void cfg_wr_strs(mapi_wr *wr, const apr_array_header_t *a)
{
    int n = a ? a->nelts : 0;

    if (n > CFG_ARRAY_MAX) {
        wr->failed = 1;
        return;
    }
    mapi_wr_u16(wr, (uint16_t)n);
    for (int i = 0; i < n; i++)
        mapi_wr_lstr(wr, APR_ARRAY_IDX(a, i, const char *), CFG_STR_MAX);
}

void cfg_rd_strs(mapi_rd *rd, apr_pool_t *pool, apr_array_header_t **a_r)
{
    uint16_t n = 0;

    *a_r = apr_array_make(pool, 1, sizeof(const char *));
    if (mapi_rd_u16(rd, &n) != 0)
        return;
    if (n > CFG_ARRAY_MAX) {
        rd->failed = 1;
        return;
    }
    for (uint16_t i = 0; i < n && !rd->failed; i++) {
        const char *s = NULL;

        if (mapi_rd_lstr(rd, pool, CFG_STR_MAX, &s) == 0)
            APR_ARRAY_PUSH(*a_r, const char *) = s;
    }
}

void cfg_wr_strs_max(mapi_wr *wr, const apr_array_header_t *a, int max)
{
    int n = a ? a->nelts : 0;

    if (n > max || n > UINT16_MAX) {
        wr->failed = 1;
        return;
    }
    mapi_wr_u16(wr, (uint16_t)n);
    for (int i = 0; i < n; i++)
        mapi_wr_lstr(wr, APR_ARRAY_IDX(a, i, const char *), CFG_STR_MAX);
}

void cfg_rd_strs_max(mapi_rd *rd, apr_pool_t *pool, int max,
                     apr_array_header_t **a_r)
{
    uint16_t n = 0;

    *a_r = apr_array_make(pool, 1, sizeof(const char *));
    if (mapi_rd_u16(rd, &n) != 0)
        return;
    if (n > max) {
        rd->failed = 1;
        return;
    }
    for (uint16_t i = 0; i < n && !rd->failed; i++) {
        const char *s = NULL;

        if (mapi_rd_lstr(rd, pool, CFG_STR_MAX, &s) == 0)
            APR_ARRAY_PUSH(*a_r, const char *) = s;
    }
}

void cfg_wr_blob(mapi_wr *wr, const cfg_blob *b, size_t max)
{
    size_t n = b && b->data ? b->len : 0;

    if (n > max) {
        wr->failed = 1;
        return;
    }
    mapi_wr_u32(wr, (uint32_t)n);
    if (n)
        mapi_wr_bytes(wr, b->data, n);
}

void cfg_rd_blob(mapi_rd *rd, apr_pool_t *pool, size_t max, cfg_blob *b)
{
    uint32_t n = 0;
    const uint8_t *p = NULL;

    b->data = NULL;
    b->len = 0;
    if (mapi_rd_u32(rd, &n) != 0)
        return;
    /* The length is checked before anything is taken from it. */
    if (n > max || mapi_rd_view(rd, n, &p) != 0) {
        rd->failed = 1;
        return;
    }
    if (n) {
        b->data = apr_pmemdup(pool, p, n);
        b->len = n;
    }
}

void cfg_wr_blobs(mapi_wr *wr, const apr_array_header_t *a, int max,
                  size_t each)
{
    int n = a ? a->nelts : 0;

    if (n > max) {
        wr->failed = 1;
        return;
    }
    mapi_wr_u16(wr, (uint16_t)n);
    for (int i = 0; i < n; i++)
        cfg_wr_blob(wr, &APR_ARRAY_IDX(a, i, cfg_blob), each);
}

void cfg_rd_blobs(mapi_rd *rd, apr_pool_t *pool, int max, size_t each,
                  apr_array_header_t **a_r)
{
    uint16_t n = 0;

    *a_r = apr_array_make(pool, 1, sizeof(cfg_blob));
    if (mapi_rd_u16(rd, &n) != 0)
        return;
    if (n > max) {
        rd->failed = 1;
        return;
    }
    for (uint16_t i = 0; i < n && !rd->failed; i++) {
        cfg_blob b;

        cfg_rd_blob(rd, pool, each, &b);
        if (!rd->failed)
            APR_ARRAY_PUSH(*a_r, cfg_blob) = b;
    }
}

int cfg_index_add(mapi_db *db, DB_TXN *txn, cfg_txn_state *st,
                  const char *prefix, const char *value, const char *target,
                  const char *what)
{
    const char *k = apr_pstrcat(st->pool, prefix, cfg_lower(st->pool, value),
                                NULL);
    int ret = cfg_put(db, txn, k, target, strlen(target), DB_NOOVERWRITE);

    if (ret == DB_KEYEXIST)
        return cfg_abort(st, CFG_CONFLICT,
                         apr_psprintf(st->pool, "the %s '%s' is already in "
                                      "use", what, value));
    return ret;
}

int cfg_index_get(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                  const char *prefix, const char *value,
                  const char **target_r, u_int32_t flags)
{
    const char *k = apr_pstrcat(pool, prefix, cfg_lower(pool, value), NULL);
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, k, pool, &data, &len, flags);

    if (ret == 0)
        *target_r = apr_pstrmemdup(pool, (const char *)data, len);
    return ret;
}

int cfg_scan(mapi_db *db, const char *prefix, cfg_scan_fn fn, void *baton,
             apr_pool_t *pool, const char *what, const char **error_r)
{
    size_t plen = strlen(prefix);
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    int ret = db->config->cursor(db->config, NULL, &cur, 0);

    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, what, ret);
        return -1;
    }
    key.data = (void *)prefix;
    key.size = (u_int32_t)plen;
    for (ret = cur->get(cur, &key, &val, DB_SET_RANGE); ret == 0;
         ret = cur->get(cur, &key, &val, DB_NEXT)) {
        if (key.size < plen || memcmp(key.data, prefix, plen) != 0)
            break;
        if (fn(val.data, val.size, baton) != 0)
            break;
    }
    cur->close(cur);
    if (ret != 0 && ret != DB_NOTFOUND) {
        *error_r = mapi_db_strerror(pool, db, what, ret);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- schema -- */

typedef struct cfg_schema_baton {
    uint32_t found;
} cfg_schema_baton;

static int cfg_schema_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_schema_baton *b = baton;
    uint8_t buf[4] = { MAPI_DB_SCHEMA_VERSION, 0, 0, 0 };
    DBT key, val = { 0 };
    int ret;

    cfg_key(&key, "schema");
    val.data = buf;
    val.ulen = sizeof(buf);
    val.flags = DB_DBT_USERMEM;
    ret = db->config->get(db->config, txn, &key, &val, DB_RMW);
    if (ret == DB_NOTFOUND) {
        b->found = MAPI_DB_SCHEMA_VERSION;
        return cfg_put(db, txn, "schema", buf, sizeof(buf), 0);
    }
    if (ret != 0)
        return ret;
    if (val.size != sizeof(buf)) {
        b->found = 0;
        return 0;
    }
    b->found = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
               (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
    /* Version 2 lacks only what version 3 adds (directory attributes,
     * groups, contacts): its mailbox records are still read, so the
     * upgrade is writing the new number. */
    if (b->found == 2) {
        uint8_t now[4] = { MAPI_DB_SCHEMA_VERSION, 0, 0, 0 };

        b->found = MAPI_DB_SCHEMA_VERSION;
        return cfg_put(db, txn, "schema", now, sizeof(now), 0);
    }
    return 0;
}

int cfg_schema_check(mapi_db *db, apr_pool_t *pool, const char **error_r)
{
    cfg_schema_baton b = { 0 };

    if (mapi_db_txn_run(db, 0, cfg_schema_txn, &b, pool, error_r) != 0)
        return -1;
    if (b.found != MAPI_DB_SCHEMA_VERSION) {
        /* Only version 2 is upgraded (cfg_schema_txn); older or newer
         * layouts are refused: the administrator recreates the data
         * directory. */
        *error_r = apr_psprintf(pool, "configuration database in %s has "
                                "schema version %u; this build reads only "
                                "version %u (there is no migration: move the "
                                "data directory away and provision it again)",
                                db->home, b.found, MAPI_DB_SCHEMA_VERSION);
        return CFG_BAD_SCHEMA;
    }
    return 0;
}

/* ---------------------------------------------------------------- org -- */

static int cfg_org_encode(const cfg_org *org, mapi_wr *wr)
{
    mapi_wr_u8(wr, CFG_RECORD_VERSION);
    mapi_wr_lstr(wr, org->name, CFG_STR_MAX);
    mapi_wr_lstr(wr, org->domain, CFG_STR_MAX);
    mapi_wr_u8(wr, (uint8_t)(org->mapi_http_enabled ? 1 : 0));
    mapi_wr_bytes(wr, org->guid, 16);
    mapi_wr_u64(wr, (uint64_t)org->created);
    mapi_wr_u64(wr, (uint64_t)org->changed);
    return wr->failed ? -1 : 0;
}

int cfg_org_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                   cfg_org *org)
{
    mapi_rd rd;
    uint8_t version = 0, enabled = 0;
    uint64_t created = 0, changed = 0;

    memset(org, 0, sizeof(*org));
    mapi_rd_init(&rd, buf, len);
    if (mapi_rd_u8(&rd, &version) != 0 || version != CFG_RECORD_VERSION)
        return -1;
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &org->name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &org->domain);
    mapi_rd_u8(&rd, &enabled);
    mapi_rd_bytes(&rd, org->guid, 16);
    mapi_rd_u64(&rd, &created);
    mapi_rd_u64(&rd, &changed);
    if (rd.failed || mapi_rd_left(&rd) != 0 || enabled > 1)
        return -1;
    org->mapi_http_enabled = enabled;
    org->created = (apr_time_t)created;
    org->changed = (apr_time_t)changed;
    return 0;
}

/* 0, DB_NOTFOUND, EINVAL for an undecodable record, or a BDB error. */
int cfg_org_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool, cfg_org *org,
                 u_int32_t flags)
{
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, "org", pool, &data, &len, flags);

    if (ret != 0)
        return ret;
    return cfg_org_decode(data, len, pool, org) == 0 ? 0 : EINVAL;
}

int cfg_org_get(mapi_db *db, apr_pool_t *pool, cfg_org **org_r,
                const char **error_r)
{
    cfg_org *org = apr_pcalloc(pool, sizeof(*org));
    int ret = cfg_org_read(db, NULL, pool, org, 0);

    if (ret == DB_NOTFOUND)
        return CFG_NOT_FOUND;
    if (ret == EINVAL) {
        *error_r = apr_psprintf(pool, "configuration database in %s: the "
                                "organisation record is malformed", db->home);
        return -1;
    }
    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, "read organisation", ret);
        return -1;
    }
    *org_r = org;
    return 0;
}

typedef struct cfg_org_baton {
    cfg_txn_state st;
    cfg_org *org;
    int create;
    cfg_org_edit_fn edit;       /* update: applied to the stored record */
    void *edit_baton;
} cfg_org_baton;

static int cfg_org_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_org_baton *b = baton;
    mapi_wr wr;
    cfg_org cur;
    int ret = cfg_org_read(db, txn, b->st.pool, &cur, DB_RMW);

    if (ret != 0 && ret != DB_NOTFOUND && ret != EINVAL)
        return ret;
    if (b->create && ret != DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_CONFLICT, NULL);
    if (!b->create && ret == DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_NOT_FOUND, NULL);
    if (b->edit != NULL) {
        if (ret == EINVAL)
            return cfg_abort(&b->st, -1, "the organisation record is "
                             "malformed");
        *b->org = cur;
        if ((ret = b->edit(b->org, b->edit_baton)) != 0)
            return cfg_abort(&b->st, ret, NULL);
        ret = 0;
    }
    b->org->changed = apr_time_now();
    if (b->create)
        b->org->created = b->org->changed;
    else if (ret == 0) {
        /* The identity of the organisation never changes. */
        memcpy(b->org->guid, cur.guid, 16);
        b->org->created = cur.created;
    }
    mapi_wr_init(&wr, b->st.pool, CFG_RECORD_MAX);
    if (cfg_org_encode(b->org, &wr) != 0)
        return cfg_abort(&b->st, -1, "organisation name or domain too long");
    return cfg_put(db, txn, "org", wr.buf, wr.len, 0);
}

static int cfg_org_write(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                         int create, const char **error_r)
{
    cfg_org_baton b = { { pool, 0, NULL }, org, create, NULL, NULL };

    return cfg_run(db, cfg_org_txn, &b, &b.st, error_r);
}

int cfg_org_update(mapi_db *db, apr_pool_t *pool, cfg_org_edit_fn fn,
                   void *baton, const char **error_r)
{
    cfg_org org;
    cfg_org_baton b = { { pool, 0, NULL }, &org, 0, fn, baton };

    return cfg_run(db, cfg_org_txn, &b, &b.st, error_r);
}

int cfg_org_create(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                   const char **error_r)
{
    if (cfg_new_guid(org->guid) != 0) {
        *error_r = "the random number generator failed";
        return -1;
    }
    return cfg_org_write(db, pool, org, 1, error_r);
}

int cfg_org_put(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                const char **error_r)
{
    return cfg_org_write(db, pool, org, 0, error_r);
}

const char *cfg_org_dn_prefix(apr_pool_t *pool, const cfg_org *org)
{
    return apr_psprintf(pool, "/o=%s/ou=%s", org->name, CFG_ADMIN_GROUP);
}

int cfg_effective_mapi_http(const cfg_org *org, const cfg_mailbox *mbx)
{
    if (mbx != NULL && mbx->mapi_http_enabled != CFG_TRI_NULL)
        return mbx->mapi_http_enabled ? 1 : 0;
    return org != NULL && org->mapi_http_enabled ? 1 : 0;
}
