/*
 * cfg_vdir.c: MAPI virtual directory records, one per server and web site
 * under "vdir/<server>\<web site>" (lower case).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfg_internal.h"

#include <errno.h>
#include <string.h>
#include <apr_strings.h>

#define CFG_VDIR_NAME     "mapi"
#define CFG_VDIR_WEBSITE  "Default Web Site"
#define CFG_AUTH_ALL      (CFG_AUTH_BASIC | CFG_AUTH_NTLM | \
                           CFG_AUTH_NEGOTIATE | CFG_AUTH_OAUTH)

const char *cfg_vdir_identity(apr_pool_t *pool, const cfg_vdir *v)
{
    return apr_psprintf(pool, "%s\\%s (%s)", v->server,
                        v->name ? v->name : CFG_VDIR_NAME,
                        v->website ? v->website : CFG_VDIR_WEBSITE);
}

static const char *cfg_vdir_key(apr_pool_t *pool, const char *server,
                                const char *website)
{
    return apr_pstrcat(pool, "vdir/", cfg_lower(pool, server), "\\",
                       cfg_lower(pool, website ? website : CFG_VDIR_WEBSITE),
                       NULL);
}

/* ------------------------------------------------------------- codec -- */

static int cfg_vdir_encode(const cfg_vdir *v, mapi_wr *wr)
{
    mapi_wr_u8(wr, CFG_RECORD_VERSION);
    mapi_wr_bytes(wr, v->guid, 16);
    mapi_wr_lstr(wr, v->server, CFG_STR_MAX);
    mapi_wr_lstr(wr, v->name, CFG_STR_MAX);
    mapi_wr_lstr(wr, v->website, CFG_STR_MAX);
    cfg_wr_ostr(wr, v->internal_url);
    cfg_wr_ostr(wr, v->external_url);
    mapi_wr_u8(wr, (uint8_t)v->iis_auth);
    mapi_wr_u8(wr, (uint8_t)v->internal_auth);
    mapi_wr_u8(wr, (uint8_t)v->external_auth);
    mapi_wr_u8(wr, (uint8_t)v->ep_token_checking);
    cfg_wr_strs(wr, v->ep_flags);
    cfg_wr_strs(wr, v->ep_spns);
    mapi_wr_u64(wr, (uint64_t)v->created);
    mapi_wr_u64(wr, (uint64_t)v->changed);
    return wr->failed ? -1 : 0;
}

int cfg_vdir_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                    cfg_vdir *v)
{
    mapi_rd rd;
    uint8_t version = 0, iis = 0, in = 0, ex = 0, token = 0;
    uint64_t created = 0, changed = 0;

    memset(v, 0, sizeof(*v));
    mapi_rd_init(&rd, buf, len);
    if (mapi_rd_u8(&rd, &version) != 0 || version != CFG_RECORD_VERSION)
        return -1;
    mapi_rd_bytes(&rd, v->guid, 16);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &v->server);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &v->name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &v->website);
    cfg_rd_ostr(&rd, pool, &v->internal_url);
    cfg_rd_ostr(&rd, pool, &v->external_url);
    mapi_rd_u8(&rd, &iis);
    mapi_rd_u8(&rd, &in);
    mapi_rd_u8(&rd, &ex);
    mapi_rd_u8(&rd, &token);
    cfg_rd_strs(&rd, pool, &v->ep_flags);
    cfg_rd_strs(&rd, pool, &v->ep_spns);
    mapi_rd_u64(&rd, &created);
    mapi_rd_u64(&rd, &changed);
    if (rd.failed || mapi_rd_left(&rd) != 0 || (iis & ~CFG_AUTH_ALL) ||
        (in & ~CFG_AUTH_ALL) || (ex & ~CFG_AUTH_ALL) ||
        token > CFG_EPTC_REQUIRE || *v->server == '\0' ||
        *v->website == '\0')
        return -1;
    v->iis_auth = iis;
    v->internal_auth = in;
    v->external_auth = ex;
    v->ep_token_checking = (cfg_ep_token)token;
    v->created = (apr_time_t)created;
    v->changed = (apr_time_t)changed;
    return 0;
}

/* Fills the defaults and the read-only fields; -1 with *error_r when the
 * directory cannot be stored. */
static int cfg_vdir_normalise(cfg_vdir *v, const char **error_r)
{
    if (v->server == NULL || *v->server == '\0') {
        *error_r = "a virtual directory needs a server name";
        return -1;
    }
    if (v->internal_url == NULL && v->external_url == NULL) {
        *error_r = "a virtual directory needs an InternalUrl or an "
                   "ExternalUrl";
        return -1;
    }
    if (v->name == NULL || *v->name == '\0')
        v->name = CFG_VDIR_NAME;
    if (v->website == NULL || *v->website == '\0')
        v->website = CFG_VDIR_WEBSITE;
    if ((v->iis_auth & ~CFG_AUTH_ALL) ||
        (unsigned)v->ep_token_checking > CFG_EPTC_REQUIRE) {
        *error_r = "unknown authentication method or token checking value";
        return -1;
    }
    /* Internal/ExternalAuthenticationMethods are read-only and follow
     * IISAuthenticationMethods, as in Exchange. */
    v->internal_auth = v->external_auth = v->iis_auth;
    return 0;
}

/* -------------------------------------------------------------- reads -- */

static int cfg_vdir_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                         const char *server, const char *website, cfg_vdir *v,
                         u_int32_t flags)
{
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, cfg_vdir_key(pool, server, website), pool,
                      &data, &len, flags);

    if (ret != 0)
        return ret;
    return cfg_vdir_decode(data, len, pool, v) == 0 ? 0 : EINVAL;
}

int cfg_vdir_get(mapi_db *db, apr_pool_t *pool, const char *server,
                 const char *website, cfg_vdir **v_r, const char **error_r)
{
    cfg_vdir *v = apr_pcalloc(pool, sizeof(*v));
    int ret = cfg_vdir_read(db, NULL, pool, server ? server : "", website, v,
                            0);

    if (ret == DB_NOTFOUND)
        return CFG_NOT_FOUND;
    if (ret == EINVAL) {
        *error_r = apr_psprintf(pool, "configuration database in %s: the "
                                "virtual directory record is malformed",
                                db->home);
        return -1;
    }
    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, "read virtual directory", ret);
        return -1;
    }
    *v_r = v;
    return 0;
}

typedef struct cfg_vdir_scan {
    apr_pool_t *pool;
    cfg_vdir_fn fn;
    void *baton;
} cfg_vdir_scan;

static int cfg_vdir_scan_one(const void *data, size_t len, void *baton)
{
    cfg_vdir_scan *s = baton;
    cfg_vdir v;

    if (cfg_vdir_decode(data, len, s->pool, &v) != 0)
        return 0;
    return s->fn(&v, s->baton);
}

int cfg_vdir_foreach(mapi_db *db, apr_pool_t *pool, cfg_vdir_fn fn,
                     void *baton, const char **error_r)
{
    cfg_vdir_scan s = { pool, fn, baton };

    return cfg_scan(db, "vdir/", cfg_vdir_scan_one, &s, pool,
                    "list virtual directories", error_r);
}

/* ------------------------------------------------------------- writes -- */

typedef struct cfg_vdir_baton {
    cfg_txn_state st;
    cfg_vdir *v;
    int create;
    const char *server, *website;   /* delete, update */
    cfg_vdir_edit_fn edit;          /* update */
    void *edit_baton;
} cfg_vdir_baton;

static int cfg_vdir_write_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_vdir_baton *b = baton;
    cfg_vdir old, *v = b->v;
    mapi_wr wr;
    int ret = 0;

    if (!b->create) {
        ret = cfg_vdir_read(db, txn, b->st.pool, v->server, v->website, &old,
                            DB_RMW);
        if (ret == DB_NOTFOUND)
            return cfg_abort(&b->st, CFG_NOT_FOUND, NULL);
        if (ret != 0 && ret != EINVAL)
            return ret;
        if (ret == 0) {
            memcpy(v->guid, old.guid, 16);
            v->created = old.created;
        }
    }
    mapi_wr_init(&wr, b->st.pool, CFG_RECORD_MAX);
    if (cfg_vdir_encode(v, &wr) != 0)
        return cfg_abort(&b->st, -1, apr_psprintf(b->st.pool, "a virtual "
                         "directory value is too long, or a list has more "
                         "than %d values", CFG_ARRAY_MAX));
    ret = cfg_put(db, txn, cfg_vdir_key(b->st.pool, v->server, v->website),
                  wr.buf, wr.len, b->create ? DB_NOOVERWRITE : 0);
    if (ret == DB_KEYEXIST)
        return cfg_abort(&b->st, CFG_CONFLICT,
                         apr_psprintf(b->st.pool, "the server '%s' already "
                                      "has a MAPI virtual directory in the "
                                      "web site '%s'", v->server,
                                      v->website));
    return ret;
}

static int cfg_vdir_write(mapi_db *db, apr_pool_t *pool, cfg_vdir *v,
                          int create, const char **error_r)
{
    cfg_vdir_baton b = { { pool, 0, NULL }, v, create, NULL, NULL, NULL, NULL };

    if (cfg_vdir_normalise(v, error_r) != 0)
        return -1;
    v->changed = apr_time_now();
    if (create) {
        v->created = v->changed;
        if (cfg_new_guid(v->guid) != 0) {
            *error_r = "the random number generator failed";
            return -1;
        }
    }
    return cfg_run(db, cfg_vdir_write_txn, &b, &b.st, error_r);
}

int cfg_vdir_create(mapi_db *db, apr_pool_t *pool, cfg_vdir *v,
                    const char **error_r)
{
    return cfg_vdir_write(db, pool, v, 1, error_r);
}

int cfg_vdir_put(mapi_db *db, apr_pool_t *pool, cfg_vdir *v,
                 const char **error_r)
{
    return cfg_vdir_write(db, pool, v, 0, error_r);
}

static int cfg_vdir_update_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_vdir_baton *b = baton;
    cfg_vdir old, *v = apr_pcalloc(b->st.pool, sizeof(*v));
    const char *error = NULL;
    int ret = cfg_vdir_read(db, txn, b->st.pool, b->server, b->website, &old,
                            DB_RMW);

    if (ret == DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_NOT_FOUND, NULL);
    if (ret == EINVAL)
        return cfg_abort(&b->st, -1, "the virtual directory record is "
                         "malformed");
    if (ret != 0)
        return ret;
    *v = old;
    if ((ret = b->edit(v, b->edit_baton)) != 0)
        return cfg_abort(&b->st, ret, NULL);
    /* The key fields and the identity stay. */
    v->server = old.server;
    v->website = old.website;
    memcpy(v->guid, old.guid, 16);
    v->created = old.created;
    v->changed = apr_time_now();
    if (cfg_vdir_normalise(v, &error) != 0)
        return cfg_abort(&b->st, -1, error);
    b->v = v;
    return cfg_vdir_write_txn(db, txn, b);
}

int cfg_vdir_update(mapi_db *db, apr_pool_t *pool, const char *server,
                    const char *website, cfg_vdir_edit_fn fn, void *baton,
                    const char **error_r)
{
    cfg_vdir_baton b = { { pool, 0, NULL }, NULL, 0, server ? server : "",
                         website, fn, baton };

    return cfg_run(db, cfg_vdir_update_txn, &b, &b.st, error_r);
}

static int cfg_vdir_delete_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_vdir_baton *b = baton;
    DBT key = { 0 };
    const char *k = cfg_vdir_key(b->st.pool, b->server, b->website);
    int ret;

    key.data = (void *)k;
    key.size = (u_int32_t)strlen(k);
    ret = db->config->del(db->config, txn, &key, 0);
    if (ret == DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_NOT_FOUND, NULL);
    return ret;
}

int cfg_vdir_delete(mapi_db *db, apr_pool_t *pool, const char *server,
                    const char *website, const char **error_r)
{
    cfg_vdir_baton b = { { pool, 0, NULL }, NULL, 0, server ? server : "",
                         website, NULL, NULL };

    return cfg_run(db, cfg_vdir_delete_txn, &b, &b.st, error_r);
}
