/*
 * cfg_mailbox.c: mailbox records and their address and principal indexes.
 *
 * A mailbox is stored once under "mbx/<primary smtp>"; every SMTP address
 * (the primary included) has an entry "smtp/<address>" and every principal
 * an entry "upn/<principal>", both holding the lower-case primary address.
 * Records and index entries are written in one transaction with
 * DB_NOOVERWRITE, so a taken address is found under the same locks that
 * write it and a conflict leaves nothing behind.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfg_internal.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

/* ------------------------------------------------------------- values -- */

/* primary first, then every other value once (compared without case). */
static apr_array_header_t *cfg_unique(apr_pool_t *pool, const char *primary,
                                      const apr_array_header_t *more)
{
    apr_array_header_t *out = apr_array_make(pool, 4, sizeof(const char *));

    if (primary != NULL && *primary)
        APR_ARRAY_PUSH(out, const char *) = primary;
    for (int i = 0; more && i < more->nelts; i++) {
        const char *s = APR_ARRAY_IDX(more, i, const char *);
        int dup = (s == NULL || *s == '\0');

        for (int j = 0; !dup && j < out->nelts; j++)
            dup = strcasecmp(APR_ARRAY_IDX(out, j, const char *), s) == 0;
        if (!dup)
            APR_ARRAY_PUSH(out, const char *) = s;
    }
    return out;
}

/* Completes the address and principal lists; -1 with *error_r when the
 * mailbox cannot be stored. */
static int cfg_mailbox_normalise(apr_pool_t *pool, cfg_mailbox *m,
                                 const char **error_r)
{
    if (m->smtp == NULL || *m->smtp == '\0') {
        *error_r = "a mailbox needs a primary SMTP address";
        return -1;
    }
    m->smtp_addresses = cfg_unique(pool, m->smtp, m->smtp_addresses);
    m->principals = cfg_unique(pool, m->principal, m->principals);
    if (m->smtp_addresses->nelts > CFG_ARRAY_MAX ||
        m->principals->nelts > CFG_ARRAY_MAX) {
        *error_r = apr_psprintf(pool, "a mailbox has at most %d SMTP "
                                "addresses and %d principal names",
                                CFG_ARRAY_MAX, CFG_ARRAY_MAX);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- codec -- */

static uint8_t cfg_tri_byte(int v)
{
    return (uint8_t)(v == CFG_TRI_NULL ? 0xFF : v ? 1 : 0);
}

/* The directory attributes, in this order (schema 3). */
#define CFG_N_ATTR_STRS 15

static const char **cfg_attr_slot(cfg_dir_attrs *a, int i)
{
    const char **slots[CFG_N_ATTR_STRS] = {
        &a->given_name, &a->surname, &a->initials, &a->title,
        &a->department, &a->company, &a->office, &a->business_phone,
        &a->mobile_phone, &a->home_phone, &a->street, &a->city,
        &a->postal_code, &a->country, &a->manager_dn
    };
    return slots[i];
}

static void cfg_attrs_encode(const cfg_dir_attrs *a, mapi_wr *wr)
{
    cfg_dir_attrs copy = *a;

    for (int i = 0; i < CFG_N_ATTR_STRS; i++)
        cfg_wr_ostr(wr, *cfg_attr_slot(&copy, i));
    cfg_wr_blob(wr, &a->photo, CFG_PHOTO_MAX);
    cfg_wr_blobs(wr, a->user_certs, CFG_CERTS_MAX, CFG_CERT_MAX);
    cfg_wr_blobs(wr, a->ab_certs, CFG_CERTS_MAX, CFG_CERT_MAX);
}

static void cfg_attrs_decode(mapi_rd *rd, apr_pool_t *pool, cfg_dir_attrs *a)
{
    for (int i = 0; i < CFG_N_ATTR_STRS; i++)
        cfg_rd_ostr(rd, pool, cfg_attr_slot(a, i));
    cfg_rd_blob(rd, pool, CFG_PHOTO_MAX, &a->photo);
    cfg_rd_blobs(rd, pool, CFG_CERTS_MAX, CFG_CERT_MAX, &a->user_certs);
    cfg_rd_blobs(rd, pool, CFG_CERTS_MAX, CFG_CERT_MAX, &a->ab_certs);
}

static int cfg_mailbox_encode(const cfg_mailbox *m, mapi_wr *wr)
{
    mapi_wr_u8(wr, CFG_MBX_RECORD_VERSION);
    mapi_wr_bytes(wr, m->guid, 16);
    mapi_wr_lstr(wr, m->name, CFG_STR_MAX);
    mapi_wr_lstr(wr, m->display_name, CFG_STR_MAX);
    mapi_wr_lstr(wr, m->smtp, CFG_STR_MAX);
    cfg_wr_strs(wr, m->smtp_addresses);
    mapi_wr_lstr(wr, m->principal, CFG_STR_MAX);
    cfg_wr_strs(wr, m->principals);
    mapi_wr_lstr(wr, m->legacy_dn, CFG_STR_MAX);
    mapi_wr_u8(wr, cfg_tri_byte(m->mapi_http_enabled));
    mapi_wr_u8(wr, (uint8_t)(m->mapi_enabled ? 1 : 0));
    cfg_wr_ostr(wr, m->mapi_block_versions);
    mapi_wr_u8(wr, (uint8_t)(m->mapi_block_non_cached ? 1 : 0));
    mapi_wr_u8(wr, (uint8_t)(m->mapi_block_external ? 1 : 0));
    mapi_wr_u64(wr, (uint64_t)m->created);
    mapi_wr_u64(wr, (uint64_t)m->changed);
    cfg_attrs_encode(&m->attrs, wr);
    return wr->failed ? -1 : 0;
}

/* The stored lists start with the primary value (cfg_unique). */
static int cfg_list_consistent(const apr_array_header_t *a,
                               const char *primary)
{
    if (*primary == '\0')
        return a->nelts == 0;
    return a->nelts > 0 &&
           strcasecmp(APR_ARRAY_IDX(a, 0, const char *), primary) == 0;
}

int cfg_mailbox_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                       cfg_mailbox *m)
{
    mapi_rd rd;
    uint8_t version = 0, http = 0, mapi = 0, non_cached = 0, external = 0;
    uint64_t created = 0, changed = 0;

    memset(m, 0, sizeof(*m));
    mapi_rd_init(&rd, buf, len);
    /* Version 2 (before the directory attributes) is read as a mailbox
     * without any. */
    if (mapi_rd_u8(&rd, &version) != 0 ||
        (version != CFG_RECORD_VERSION && version != CFG_MBX_RECORD_VERSION))
        return -1;
    mapi_rd_bytes(&rd, m->guid, 16);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->display_name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->smtp);
    cfg_rd_strs(&rd, pool, &m->smtp_addresses);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->principal);
    cfg_rd_strs(&rd, pool, &m->principals);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &m->legacy_dn);
    mapi_rd_u8(&rd, &http);
    mapi_rd_u8(&rd, &mapi);
    cfg_rd_ostr(&rd, pool, &m->mapi_block_versions);
    mapi_rd_u8(&rd, &non_cached);
    mapi_rd_u8(&rd, &external);
    mapi_rd_u64(&rd, &created);
    mapi_rd_u64(&rd, &changed);
    if (version == CFG_MBX_RECORD_VERSION)
        cfg_attrs_decode(&rd, pool, &m->attrs);
    if (rd.failed || mapi_rd_left(&rd) != 0 ||
        (http > 1 && http != 0xFF) || mapi > 1 || non_cached > 1 ||
        external > 1 || *m->smtp == '\0' ||
        !cfg_list_consistent(m->smtp_addresses, m->smtp) ||
        !cfg_list_consistent(m->principals, m->principal))
        return -1;
    m->mapi_http_enabled = http == 0xFF ? CFG_TRI_NULL : http;
    m->mapi_enabled = mapi;
    m->mapi_block_non_cached = non_cached;
    m->mapi_block_external = external;
    m->created = (apr_time_t)created;
    m->changed = (apr_time_t)changed;
    return 0;
}

/* ------------------------------------------------------------- lookup -- */

static const char *cfg_mbx_key(apr_pool_t *pool, const char *smtp)
{
    return apr_pstrcat(pool, "mbx/", cfg_lower(pool, smtp), NULL);
}

/* Reads "mbx/<primary>": 0, DB_NOTFOUND, EINVAL or a BDB error. */
static int cfg_mailbox_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                            const char *primary, cfg_mailbox *m,
                            u_int32_t flags)
{
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, cfg_mbx_key(pool, primary), pool, &data,
                      &len, flags);

    if (ret != 0)
        return ret;
    return cfg_mailbox_decode(data, len, pool, m) == 0 ? 0 : EINVAL;
}

/* Follows an index entry ("smtp/..." or "upn/...") to the primary
 * address it names. */
static int cfg_index_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                          const char *prefix, const char *value,
                          const char **primary_r, u_int32_t flags)
{
    const char *k = apr_pstrcat(pool, prefix, cfg_lower(pool, value), NULL);
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, k, pool, &data, &len, flags);

    if (ret == 0)
        *primary_r = apr_pstrmemdup(pool, (const char *)data, len);
    return ret;
}

static int cfg_result(mapi_db *db, apr_pool_t *pool, int ret,
                      const char *what, const char **error_r)
{
    if (ret == DB_NOTFOUND)
        return CFG_NOT_FOUND;
    if (ret == EINVAL) {
        *error_r = apr_psprintf(pool, "configuration database in %s: %s: "
                                "the record is malformed", db->home, what);
        return -1;
    }
    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, what, ret);
        return -1;
    }
    return 0;
}

static int cfg_mailbox_via(mapi_db *db, apr_pool_t *pool, const char *prefix,
                           const char *value, cfg_mailbox **mbx_r,
                           const char **error_r)
{
    cfg_mailbox *m = apr_pcalloc(pool, sizeof(*m));
    const char *primary = NULL;
    int ret;

    if (value == NULL)
        return CFG_NOT_FOUND;
    ret = cfg_index_read(db, NULL, pool, prefix, value, &primary, 0);
    if (ret == 0)
        ret = cfg_mailbox_read(db, NULL, pool, primary, m, 0);
    if (ret == 0)
        *mbx_r = m;
    return cfg_result(db, pool, ret, "read mailbox", error_r);
}

/* Any of the mailbox's addresses finds it, not only the primary one. */
int cfg_mailbox_by_smtp(mapi_db *db, apr_pool_t *pool, const char *smtp,
                        cfg_mailbox **mbx_r, const char **error_r)
{
    return cfg_mailbox_via(db, pool, "smtp/", smtp, mbx_r, error_r);
}

int cfg_mailbox_by_principal(mapi_db *db, apr_pool_t *pool,
                             const char *principal, cfg_mailbox **mbx_r,
                             const char **error_r)
{
    return cfg_mailbox_via(db, pool, "upn/", principal, mbx_r, error_r);
}

int cfg_mailbox_by_legacy_dn(mapi_db *db, apr_pool_t *pool,
                             const char *legacy_dn, cfg_mailbox **mbx_r,
                             const char **error_r)
{
    return cfg_mailbox_via(db, pool, "dn/", legacy_dn, mbx_r, error_r);
}

typedef struct cfg_mbx_scan {
    apr_pool_t *pool;
    cfg_mailbox_fn fn;
    void *baton;
} cfg_mbx_scan;

static int cfg_mailbox_scan_one(const void *data, size_t len, void *baton)
{
    cfg_mbx_scan *s = baton;
    cfg_mailbox m;

    /* A malformed record is skipped: listing shows what can be shown. */
    if (cfg_mailbox_decode(data, len, s->pool, &m) != 0)
        return 0;
    return s->fn(&m, s->baton);
}

int cfg_mailbox_foreach(mapi_db *db, apr_pool_t *pool, cfg_mailbox_fn fn,
                        void *baton, const char **error_r)
{
    cfg_mbx_scan s = { pool, fn, baton };

    return cfg_scan(db, "mbx/", cfg_mailbox_scan_one, &s, pool,
                    "list mailboxes", error_r);
}

/* ------------------------------------------------------------ writing -- */

typedef struct cfg_mbx_baton {
    cfg_txn_state st;
    cfg_mailbox *mbx;
    const char *old_smtp;       /* put and delete: the mailbox to replace */
    cfg_mailbox_edit_fn edit;   /* update */
    void *edit_baton;
} cfg_mbx_baton;

/* Writes one index entry, or ends the transaction with a conflict naming
 * the taken value. */
static int cfg_index_put(mapi_db *db, DB_TXN *txn, cfg_mbx_baton *b,
                         const char *prefix, const char *value,
                         const char *primary, const char *what)
{
    const char *k = apr_pstrcat(b->st.pool, prefix,
                                cfg_lower(b->st.pool, value), NULL);
    int ret = cfg_put(db, txn, k, primary, strlen(primary), DB_NOOVERWRITE);

    if (ret == DB_KEYEXIST)
        return cfg_abort(&b->st, CFG_CONFLICT,
                         apr_psprintf(b->st.pool, "the %s '%s' is already "
                                      "in use", what, value));
    return ret;
}

/* The record and all its index entries, none of which may exist yet. */
static int cfg_mailbox_write(mapi_db *db, DB_TXN *txn, cfg_mbx_baton *b)
{
    cfg_mailbox *m = b->mbx;
    const char *primary = cfg_lower(b->st.pool, m->smtp);
    mapi_wr wr;
    int ret;

    mapi_wr_init(&wr, b->st.pool, CFG_RECORD_MAX);
    if (cfg_mailbox_encode(m, &wr) != 0)
        return cfg_abort(&b->st, -1, "a mailbox value is too long");
    ret = cfg_put(db, txn, cfg_mbx_key(b->st.pool, m->smtp), wr.buf, wr.len,
                  DB_NOOVERWRITE);
    if (ret == DB_KEYEXIST)
        return cfg_abort(&b->st, CFG_CONFLICT,
                         apr_psprintf(b->st.pool, "the SMTP address '%s' is "
                                      "already in use", m->smtp));
    for (int i = 0; ret == 0 && i < m->smtp_addresses->nelts; i++)
        ret = cfg_index_put(db, txn, b, "smtp/",
                            APR_ARRAY_IDX(m->smtp_addresses, i, const char *),
                            primary, "SMTP address");
    for (int i = 0; ret == 0 && i < m->principals->nelts; i++)
        ret = cfg_index_put(db, txn, b, "upn/",
                            APR_ARRAY_IDX(m->principals, i, const char *),
                            primary, "principal name");
    if (ret == 0 && m->legacy_dn != NULL && *m->legacy_dn)
        ret = cfg_index_put(db, txn, b, "dn/", m->legacy_dn, primary,
                            "legacyExchangeDN (the name)");
    return ret;
}

/* Removes the record and the index entries of m. */
static int cfg_mailbox_unlink(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                              const cfg_mailbox *m)
{
    int ret = cfg_del(db, txn, cfg_mbx_key(pool, m->smtp));

    for (int i = 0; ret == 0 && i < m->smtp_addresses->nelts; i++)
        ret = cfg_del(db, txn, apr_pstrcat(pool, "smtp/", cfg_lower(pool,
                      APR_ARRAY_IDX(m->smtp_addresses, i, const char *)),
                      NULL));
    for (int i = 0; ret == 0 && i < m->principals->nelts; i++)
        ret = cfg_del(db, txn, apr_pstrcat(pool, "upn/", cfg_lower(pool,
                      APR_ARRAY_IDX(m->principals, i, const char *)), NULL));
    if (ret == 0 && m->legacy_dn != NULL && *m->legacy_dn)
        ret = cfg_del(db, txn, apr_pstrcat(pool, "dn/",
                                           cfg_lower(pool, m->legacy_dn),
                                           NULL));
    return ret;
}

/* The mailbox any of its addresses names, read for update. */
static int cfg_mailbox_resolve(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               const char *smtp, cfg_mailbox *m)
{
    const char *primary = NULL;
    int ret;

    if (smtp == NULL)
        return DB_NOTFOUND;
    ret = cfg_index_read(db, txn, pool, "smtp/", smtp, &primary, DB_RMW);
    if (ret == 0)
        ret = cfg_mailbox_read(db, txn, pool, primary, m, DB_RMW);
    return ret;
}

static int cfg_mailbox_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_mbx_baton *b = baton;
    cfg_mailbox *m = b->mbx;
    cfg_org org;
    int ret = cfg_org_read(db, txn, b->st.pool, &org, 0);

    if (ret == DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_NOT_FOUND, "no organization exists");
    if (ret == EINVAL)
        return cfg_abort(&b->st, -1, "the organisation record is malformed");
    if (ret != 0)
        return ret;
    if (m->legacy_dn == NULL)
        m->legacy_dn = apr_psprintf(b->st.pool, "%s/cn=Recipients/cn=%s",
                                    cfg_org_dn_prefix(b->st.pool, &org),
                                    m->name);
    return cfg_mailbox_write(db, txn, b);
}

int cfg_mailbox_create(mapi_db *db, apr_pool_t *pool, cfg_mailbox *mbx,
                       const char **error_r)
{
    cfg_mbx_baton b = { { pool, 0, NULL }, mbx, NULL, NULL, NULL };

    if (cfg_mailbox_normalise(pool, mbx, error_r) != 0)
        return -1;
    if (cfg_new_guid(mbx->guid) != 0) {
        *error_r = "the random number generator failed";
        return -1;
    }
    mbx->created = mbx->changed = apr_time_now();
    return cfg_run(db, cfg_mailbox_create_txn, &b, &b.st, error_r);
}

/* The mailbox a change names (by its old address), read for update; a
 * missing or malformed one aborts the transaction with its verdict. */
static int cfg_mailbox_load(mapi_db *db, DB_TXN *txn, cfg_mbx_baton *b,
                            cfg_mailbox *old)
{
    int ret = cfg_mailbox_resolve(db, txn, b->st.pool, b->old_smtp, old);

    if (ret == DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_NOT_FOUND, NULL);
    if (ret == EINVAL)
        return cfg_abort(&b->st, -1, "the mailbox record is malformed");
    return ret;
}

static int cfg_mailbox_put_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_mbx_baton *b = baton;
    cfg_mailbox old, *m = b->mbx;
    int ret = cfg_mailbox_load(db, txn, b, &old);

    if (ret != 0)
        return ret;
    /* Identity and history stay with the mailbox whatever the caller
     * passes. */
    memcpy(m->guid, old.guid, 16);
    m->created = old.created;
    if (m->legacy_dn == NULL)
        m->legacy_dn = old.legacy_dn;
    if ((ret = cfg_mailbox_unlink(db, txn, b->st.pool, &old)) != 0)
        return ret;
    return cfg_mailbox_write(db, txn, b);
}

int cfg_mailbox_put(mapi_db *db, apr_pool_t *pool, const char *old_smtp,
                    cfg_mailbox *mbx, const char **error_r)
{
    cfg_mbx_baton b = { { pool, 0, NULL }, mbx, old_smtp, NULL, NULL };

    if (cfg_mailbox_normalise(pool, mbx, error_r) != 0)
        return -1;
    mbx->changed = apr_time_now();
    return cfg_run(db, cfg_mailbox_put_txn, &b, &b.st, error_r);
}

static int cfg_mailbox_update_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_mbx_baton *b = baton;
    cfg_mailbox old, *m = apr_pcalloc(b->st.pool, sizeof(*m));
    const char *error = NULL;
    int ret = cfg_mailbox_load(db, txn, b, &old);

    if (ret != 0)
        return ret;
    *m = old;
    if ((ret = b->edit(m, b->edit_baton)) != 0)
        return cfg_abort(&b->st, ret, NULL);
    if (cfg_mailbox_normalise(b->st.pool, m, &error) != 0)
        return cfg_abort(&b->st, -1, error);
    memcpy(m->guid, old.guid, 16);
    m->created = old.created;
    m->changed = apr_time_now();
    if ((ret = cfg_mailbox_unlink(db, txn, b->st.pool, &old)) != 0)
        return ret;
    b->mbx = m;
    return cfg_mailbox_write(db, txn, b);
}

int cfg_mailbox_update(mapi_db *db, apr_pool_t *pool, const char *smtp,
                       cfg_mailbox_edit_fn fn, void *baton,
                       const char **error_r)
{
    cfg_mbx_baton b = { { pool, 0, NULL }, NULL, smtp, fn, baton };

    return cfg_run(db, cfg_mailbox_update_txn, &b, &b.st, error_r);
}

static int cfg_mailbox_delete_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_mbx_baton *b = baton;
    cfg_mailbox old;
    int ret = cfg_mailbox_load(db, txn, b, &old);

    if (ret != 0)
        return ret;
    return cfg_mailbox_unlink(db, txn, b->st.pool, &old);
}

int cfg_mailbox_delete(mapi_db *db, apr_pool_t *pool, const char *smtp,
                       const char **error_r)
{
    cfg_mbx_baton b = { { pool, 0, NULL }, NULL, smtp, NULL, NULL };

    return cfg_run(db, cfg_mailbox_delete_txn, &b, &b.st, error_r);
}
