/*
 * cfg_db.c: organisation and mailbox records.  See cfg_db.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfg_db.h"
#include "wire/mapi_rd.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/rand.h>

#define CFG_RECORD_VERSION 1
#define CFG_STR_MAX        2048
#define CFG_RECORD_MAX     (16 * CFG_STR_MAX)

/* ------------------------------------------------------------ helpers -- */

static char *cfg_lower(apr_pool_t *pool, const char *s)
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

static int cfg_new_guid(uint8_t g[16])
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
static int cfg_get(mapi_db *db, DB_TXN *txn, const char *k, apr_pool_t *pool,
                   const uint8_t **data_r, size_t *len_r, u_int32_t flags)
{
    DBT key, val = { 0 };
    int ret;

    cfg_key(&key, k);
    val.flags = DB_DBT_MALLOC;
    ret = db->config->get(db->config, txn, &key, &val, flags);
    if (ret != 0)
        return ret;
    *data_r = apr_pmemdup(pool, val.data, val.size);
    *len_r = val.size;
    free(val.data);
    return 0;
}

static int cfg_put(mapi_db *db, DB_TXN *txn, const char *k, const void *data,
                   size_t len, u_int32_t flags)
{
    DBT key, val = { 0 };

    cfg_key(&key, k);
    val.data = (void *)data;
    val.size = (u_int32_t)len;
    return db->config->put(db->config, txn, &key, &val, flags);
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
    b->found = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
               (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
    return 0;
}

int cfg_schema_check(mapi_db *db, apr_pool_t *pool, const char **error_r)
{
    cfg_schema_baton b = { 0 };

    if (mapi_db_txn_run(db, 0, cfg_schema_txn, &b, pool, error_r) != 0)
        return -1;
    if (b.found != MAPI_DB_SCHEMA_VERSION) {
        *error_r = apr_psprintf(pool, "configuration database %s has schema "
                                "version %u; this build reads version %u",
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

static int cfg_org_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                        cfg_org *org, u_int32_t flags)
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
    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, "read organisation", ret);
        return -1;
    }
    *org_r = org;
    return 0;
}

typedef struct cfg_org_baton {
    cfg_org *org;
    apr_pool_t *pool;
    int create;
    int verdict;
} cfg_org_baton;

static int cfg_org_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_org_baton *b = baton;
    uint8_t buf[CFG_RECORD_MAX];
    mapi_wr wr;
    cfg_org cur;
    int ret = cfg_org_read(db, txn, b->pool, &cur, DB_RMW);

    if (ret != 0 && ret != DB_NOTFOUND)
        return ret;
    if (b->create && ret == 0) {
        b->verdict = CFG_CONFLICT;
        return MAPI_DB_ABORT;
    }
    if (!b->create && ret == DB_NOTFOUND) {
        b->verdict = CFG_NOT_FOUND;
        return MAPI_DB_ABORT;
    }
    b->org->changed = apr_time_now();
    if (b->create)
        b->org->created = b->org->changed;
    mapi_wr_init_fixed(&wr, buf, sizeof(buf));
    if (cfg_org_encode(b->org, &wr) != 0)
        return EINVAL;
    return cfg_put(db, txn, "org", buf, wr.len, 0);
}

static int cfg_org_write(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                         int create, const char **error_r)
{
    cfg_org_baton b = { org, pool, create, 0 };
    int ret = mapi_db_txn_run(db, 0, cfg_org_txn, &b, pool, error_r);

    if (ret == MAPI_DB_ABORT)
        return b.verdict;
    return ret;
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

/* ------------------------------------------------------------ mailbox -- */

static int cfg_mailbox_encode(const cfg_mailbox *m, mapi_wr *wr)
{
    mapi_wr_u8(wr, CFG_RECORD_VERSION);
    mapi_wr_bytes(wr, m->guid, 16);
    mapi_wr_lstr(wr, m->name, CFG_STR_MAX);
    mapi_wr_lstr(wr, m->display_name, CFG_STR_MAX);
    mapi_wr_lstr(wr, m->smtp, CFG_STR_MAX);
    mapi_wr_lstr(wr, m->principal, CFG_STR_MAX);
    mapi_wr_lstr(wr, m->legacy_dn, CFG_STR_MAX);
    mapi_wr_u8(wr, (uint8_t)(m->mapi_http_enabled == CFG_TRI_NULL ? 0xFF
                             : m->mapi_http_enabled ? 1 : 0));
    mapi_wr_u8(wr, (uint8_t)(m->mapi_enabled ? 1 : 0));
    mapi_wr_u64(wr, (uint64_t)m->created);
    mapi_wr_u64(wr, (uint64_t)m->changed);
    return wr->failed ? -1 : 0;
}

int cfg_mailbox_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                       cfg_mailbox *m)
{
    mapi_rd rd;
    uint8_t version = 0, http = 0, mapi = 0;
    uint64_t created = 0, changed = 0;

    memset(m, 0, sizeof(*m));
    mapi_rd_init(&rd, buf, len);
    if (mapi_rd_u8(&rd, &version) != 0 || version != CFG_RECORD_VERSION)
        return -1;
    mapi_rd_bytes(&rd, m->guid, 16);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->display_name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->smtp);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->principal);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->legacy_dn);
    mapi_rd_u8(&rd, &http);
    mapi_rd_u8(&rd, &mapi);
    mapi_rd_u64(&rd, &created);
    mapi_rd_u64(&rd, &changed);
    if (rd.failed || mapi_rd_left(&rd) != 0 ||
        (http > 1 && http != 0xFF) || mapi > 1)
        return -1;
    m->mapi_http_enabled = http == 0xFF ? CFG_TRI_NULL : http;
    m->mapi_enabled = mapi;
    m->created = (apr_time_t)created;
    m->changed = (apr_time_t)changed;
    return 0;
}

static int cfg_mailbox_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                            const char *smtp, cfg_mailbox *m)
{
    const char *k = apr_pstrcat(pool, "mbx/", cfg_lower(pool, smtp), NULL);
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, k, pool, &data, &len, 0);

    if (ret != 0)
        return ret;
    return cfg_mailbox_decode(data, len, pool, m) == 0 ? 0 : EINVAL;
}

static int cfg_mailbox_result(mapi_db *db, apr_pool_t *pool, int ret,
                              const char *what, const char **error_r)
{
    if (ret == DB_NOTFOUND)
        return CFG_NOT_FOUND;
    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, what, ret);
        return -1;
    }
    return 0;
}

int cfg_mailbox_by_smtp(mapi_db *db, apr_pool_t *pool, const char *smtp,
                        cfg_mailbox **mbx_r, const char **error_r)
{
    cfg_mailbox *m = apr_pcalloc(pool, sizeof(*m));
    int ret = cfg_mailbox_read(db, NULL, pool, smtp, m);

    if (ret == 0)
        *mbx_r = m;
    return cfg_mailbox_result(db, pool, ret, "read mailbox", error_r);
}

int cfg_mailbox_by_principal(mapi_db *db, apr_pool_t *pool,
                             const char *principal, cfg_mailbox **mbx_r,
                             const char **error_r)
{
    const char *k = apr_pstrcat(pool, "upn/", cfg_lower(pool, principal),
                                NULL);
    const uint8_t *smtp;
    size_t len;
    int ret = cfg_get(db, NULL, k, pool, &smtp, &len, 0);

    if (ret == 0)
        return cfg_mailbox_by_smtp(db, pool,
                                   apr_pstrmemdup(pool, (const char *)smtp,
                                                  len),
                                   mbx_r, error_r);
    return cfg_mailbox_result(db, pool, ret, "read principal index",
                              error_r);
}

typedef struct cfg_mbx_baton {
    cfg_mailbox *mbx;
    apr_pool_t *pool;
    int verdict;
} cfg_mbx_baton;

static int cfg_mailbox_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_mbx_baton *b = baton;
    cfg_mailbox *m = b->mbx;
    const char *smtp = cfg_lower(b->pool, m->smtp);
    const char *mkey = apr_pstrcat(b->pool, "mbx/", smtp, NULL);
    const char *ukey = apr_pstrcat(b->pool, "upn/",
                                   cfg_lower(b->pool, m->principal), NULL);
    uint8_t buf[CFG_RECORD_MAX];
    mapi_wr wr;
    cfg_org org;
    int ret = cfg_org_read(db, txn, b->pool, &org, 0);

    if (ret == DB_NOTFOUND) {
        b->verdict = CFG_NOT_FOUND;
        return MAPI_DB_ABORT;
    }
    if (ret != 0)
        return ret;
    if (m->legacy_dn == NULL)
        m->legacy_dn = apr_psprintf(b->pool, "%s/cn=Recipients/cn=%s",
                                    cfg_org_dn_prefix(b->pool, &org),
                                    m->name);
    mapi_wr_init_fixed(&wr, buf, sizeof(buf));
    if (cfg_mailbox_encode(m, &wr) != 0)
        return EINVAL;
    /* DB_NOOVERWRITE turns a taken address or principal into
     * DB_KEYEXIST, checked and written under the same locks. */
    ret = cfg_put(db, txn, mkey, buf, wr.len, DB_NOOVERWRITE);
    if (ret == 0)
        ret = cfg_put(db, txn, ukey, smtp, strlen(smtp), DB_NOOVERWRITE);
    if (ret == DB_KEYEXIST) {
        b->verdict = CFG_CONFLICT;
        return MAPI_DB_ABORT;
    }
    return ret;
}

int cfg_mailbox_create(mapi_db *db, apr_pool_t *pool, cfg_mailbox *mbx,
                       const char **error_r)
{
    cfg_mbx_baton b = { mbx, pool, 0 };
    int ret;

    if (cfg_new_guid(mbx->guid) != 0) {
        *error_r = "the random number generator failed";
        return -1;
    }
    mbx->created = mbx->changed = apr_time_now();
    ret = mapi_db_txn_run(db, 0, cfg_mailbox_create_txn, &b, pool, error_r);
    return ret == MAPI_DB_ABORT ? b.verdict : ret;
}

int cfg_mailbox_foreach(mapi_db *db, apr_pool_t *pool, cfg_mailbox_fn fn,
                        void *baton, const char **error_r)
{
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    int ret = db->config->cursor(db->config, NULL, &cur, 0);

    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, "list mailboxes", ret);
        return -1;
    }
    key.data = "mbx/";
    key.size = 4;
    for (ret = cur->get(cur, &key, &val, DB_SET_RANGE); ret == 0;
         ret = cur->get(cur, &key, &val, DB_NEXT)) {
        cfg_mailbox m;

        if (key.size < 4 || memcmp(key.data, "mbx/", 4) != 0)
            break;
        if (cfg_mailbox_decode(val.data, val.size, pool, &m) != 0)
            continue;
        if (fn(&m, baton) != 0)
            break;
    }
    cur->close(cur);
    if (ret != 0 && ret != DB_NOTFOUND) {
        *error_r = mapi_db_strerror(pool, db, "list mailboxes", ret);
        return -1;
    }
    return 0;
}
