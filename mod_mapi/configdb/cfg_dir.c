/*
 * cfg_dir.c: the directory's other recipients: distribution groups
 * ("grp/<alias>") and mail contacts ("con/<alias>").  They share the
 * "smtp/" and "dn/" indexes with mailboxes, so that an address or a
 * legacyExchangeDN names exactly one recipient whatever its kind; the
 * entries hold "grp:<alias>" or "con:<alias>".
 *
 * Group members are recipient DNs.  Each write checks, in the same
 * transaction, that every member exists and that no member leads back to
 * the group (a loop would make expansion endless for every client).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfg_internal.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <apr_hash.h>
#include <apr_strings.h>

/* ------------------------------------------------------------ lookup -- */

static cfg_kind cfg_target_kind(const char *target, const char **key_r)
{
    if (strncmp(target, "grp:", 4) == 0) {
        *key_r = target + 4;
        return CFG_KIND_GROUP;
    }
    if (strncmp(target, "con:", 4) == 0) {
        *key_r = target + 4;
        return CFG_KIND_CONTACT;
    }
    *key_r = target;
    return CFG_KIND_MAILBOX;
}

int cfg_recipient_by(mapi_db *db, apr_pool_t *pool, const char *prefix,
                     const char *value, cfg_kind *kind_r, const char **key_r,
                     const char **error_r)
{
    const char *target = NULL;
    int ret;

    *kind_r = CFG_KIND_NONE;
    if (value == NULL)
        return CFG_NOT_FOUND;
    ret = cfg_index_get(db, NULL, pool, prefix, value, &target, 0);
    if (ret == DB_NOTFOUND)
        return CFG_NOT_FOUND;
    if (ret != 0) {
        *error_r = mapi_db_strerror(pool, db, "read recipient index", ret);
        return -1;
    }
    *kind_r = cfg_target_kind(target, key_r);
    return 0;
}

/* ------------------------------------------------------------- codec -- */

static int cfg_group_encode(const cfg_group *g, mapi_wr *wr)
{
    mapi_wr_u8(wr, CFG_DIR_RECORD_VERSION);
    mapi_wr_bytes(wr, g->guid, 16);
    mapi_wr_lstr(wr, g->name, CFG_STR_MAX);
    mapi_wr_lstr(wr, g->display_name, CFG_STR_MAX);
    mapi_wr_lstr(wr, g->smtp, CFG_STR_MAX);
    cfg_wr_strs(wr, g->smtp_addresses);
    mapi_wr_lstr(wr, g->legacy_dn, CFG_STR_MAX);
    cfg_wr_ostr(wr, g->managed_by);
    cfg_wr_strs_max(wr, g->members, CFG_MEMBERS_MAX);
    mapi_wr_u64(wr, (uint64_t)g->created);
    mapi_wr_u64(wr, (uint64_t)g->changed);
    return wr->failed ? -1 : 0;
}

int cfg_group_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                     cfg_group *g)
{
    mapi_rd rd;
    uint8_t version = 0;
    uint64_t created = 0, changed = 0;

    memset(g, 0, sizeof(*g));
    mapi_rd_init(&rd, buf, len);
    if (mapi_rd_u8(&rd, &version) != 0 || version != CFG_DIR_RECORD_VERSION)
        return -1;
    mapi_rd_bytes(&rd, g->guid, 16);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &g->name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &g->display_name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &g->smtp);
    cfg_rd_strs(&rd, pool, &g->smtp_addresses);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &g->legacy_dn);
    cfg_rd_ostr(&rd, pool, &g->managed_by);
    cfg_rd_strs_max(&rd, pool, CFG_MEMBERS_MAX, &g->members);
    mapi_rd_u64(&rd, &created);
    mapi_rd_u64(&rd, &changed);
    if (rd.failed || mapi_rd_left(&rd) != 0 || *g->name == '\0' ||
        *g->smtp == '\0')
        return -1;
    g->created = (apr_time_t)created;
    g->changed = (apr_time_t)changed;
    return 0;
}

static int cfg_contact_encode(const cfg_contact *c, mapi_wr *wr)
{
    mapi_wr_u8(wr, CFG_DIR_RECORD_VERSION);
    mapi_wr_bytes(wr, c->guid, 16);
    mapi_wr_lstr(wr, c->name, CFG_STR_MAX);
    mapi_wr_lstr(wr, c->display_name, CFG_STR_MAX);
    mapi_wr_lstr(wr, c->external_smtp, CFG_STR_MAX);
    mapi_wr_lstr(wr, c->legacy_dn, CFG_STR_MAX);
    mapi_wr_u64(wr, (uint64_t)c->created);
    mapi_wr_u64(wr, (uint64_t)c->changed);
    return wr->failed ? -1 : 0;
}

int cfg_contact_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                       cfg_contact *c)
{
    mapi_rd rd;
    uint8_t version = 0;
    uint64_t created = 0, changed = 0;

    memset(c, 0, sizeof(*c));
    mapi_rd_init(&rd, buf, len);
    if (mapi_rd_u8(&rd, &version) != 0 || version != CFG_DIR_RECORD_VERSION)
        return -1;
    mapi_rd_bytes(&rd, c->guid, 16);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &c->name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &c->display_name);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &c->external_smtp);
    mapi_rd_lstr(&rd, pool, CFG_STR_MAX, &c->legacy_dn);
    mapi_rd_u64(&rd, &created);
    mapi_rd_u64(&rd, &changed);
    if (rd.failed || mapi_rd_left(&rd) != 0 || *c->name == '\0' ||
        *c->external_smtp == '\0')
        return -1;
    c->created = (apr_time_t)created;
    c->changed = (apr_time_t)changed;
    return 0;
}

/* ------------------------------------------------------------ common -- */

static const char *cfg_key_of(apr_pool_t *pool, const char *prefix,
                              const char *name)
{
    return apr_pstrcat(pool, prefix, cfg_lower(pool, name), NULL);
}

/* Reads a record of either kind: 0, DB_NOTFOUND, EINVAL or a BDB error. */
static int cfg_group_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                          const char *name, cfg_group *g, u_int32_t flags)
{
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, cfg_key_of(pool, "grp/", name), pool, &data,
                      &len, flags);

    if (ret != 0)
        return ret;
    return cfg_group_decode(data, len, pool, g) == 0 ? 0 : EINVAL;
}

static int cfg_contact_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                            const char *name, cfg_contact *c, u_int32_t flags)
{
    const uint8_t *data;
    size_t len;
    int ret = cfg_get(db, txn, cfg_key_of(pool, "con/", name), pool, &data,
                      &len, flags);

    if (ret != 0)
        return ret;
    return cfg_contact_decode(data, len, pool, c) == 0 ? 0 : EINVAL;
}

static int cfg_read_result(mapi_db *db, apr_pool_t *pool, int ret,
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

/* The organisation's DN prefix, for a default legacyExchangeDN. */
static int cfg_default_dn(mapi_db *db, DB_TXN *txn, cfg_txn_state *st,
                          const char *name, const char **dn_r)
{
    cfg_org org;
    int ret = cfg_org_read(db, txn, st->pool, &org, 0);

    if (ret == DB_NOTFOUND)
        return cfg_abort(st, CFG_NOT_FOUND, "no organization exists");
    if (ret == EINVAL)
        return cfg_abort(st, -1, "the organisation record is malformed");
    if (ret != 0)
        return ret;
    if (*dn_r == NULL)
        *dn_r = apr_psprintf(st->pool, "%s/cn=Recipients/cn=%s",
                             cfg_org_dn_prefix(st->pool, &org), name);
    return 0;
}

/* ------------------------------------------------------------ groups -- */

typedef struct cfg_grp_baton {
    cfg_txn_state st;
    cfg_group *g;
    const char *old_name;
    cfg_group_edit_fn edit;
    void *edit_baton;
} cfg_grp_baton;

static apr_array_header_t *cfg_dedup(apr_pool_t *pool, const char *first,
                                     const apr_array_header_t *more)
{
    apr_array_header_t *out = apr_array_make(pool, 4, sizeof(const char *));

    if (first && *first)
        APR_ARRAY_PUSH(out, const char *) = first;
    for (int i = 0; more && i < more->nelts; i++) {
        const char *s = APR_ARRAY_IDX(more, i, const char *);
        int dup = s == NULL || *s == '\0';

        for (int j = 0; !dup && j < out->nelts; j++)
            dup = strcasecmp(APR_ARRAY_IDX(out, j, const char *), s) == 0;
        if (!dup)
            APR_ARRAY_PUSH(out, const char *) = s;
    }
    return out;
}

static int cfg_group_normalise(apr_pool_t *pool, cfg_group *g,
                               const char **error_r)
{
    if (g->name == NULL || *g->name == '\0' || g->smtp == NULL ||
        *g->smtp == '\0') {
        *error_r = "a distribution group needs a name and a primary SMTP "
                   "address";
        return -1;
    }
    if (g->display_name == NULL || *g->display_name == '\0')
        g->display_name = g->name;
    g->smtp_addresses = cfg_dedup(pool, g->smtp, g->smtp_addresses);
    g->members = cfg_dedup(pool, NULL, g->members);
    if (g->smtp_addresses->nelts > CFG_ARRAY_MAX ||
        g->members->nelts > CFG_MEMBERS_MAX) {
        *error_r = apr_psprintf(pool, "a distribution group has at most %d "
                                "SMTP addresses and %d members",
                                CFG_ARRAY_MAX, CFG_MEMBERS_MAX);
        return -1;
    }
    return 0;
}

/* Walks the members of g and of every group below it: a member that is
 * missing is CFG_NOT_FOUND, one that leads back to g CFG_REFUSED. */
static int cfg_group_check_members(mapi_db *db, DB_TXN *txn, cfg_grp_baton *b)
{
    apr_pool_t *pool = b->st.pool;
    apr_hash_t *seen = apr_hash_make(pool);
    apr_array_header_t *todo = apr_array_make(pool, 8, sizeof(const char *));
    const char *self = cfg_lower(pool, b->g->legacy_dn);
    int direct = b->g->members->nelts, walked = 0;

    for (int i = 0; i < direct; i++)
        APR_ARRAY_PUSH(todo, const char *) =
            APR_ARRAY_IDX(b->g->members, i, const char *);
    for (int i = 0; i < todo->nelts; i++) {
        const char *dn = APR_ARRAY_IDX(todo, i, const char *), *target, *key;
        const char *ldn = cfg_lower(pool, dn);
        cfg_group sub;
        int ret;

        if (strcmp(ldn, self) == 0)
            return cfg_abort(&b->st, CFG_REFUSED, apr_psprintf(pool,
                             "'%s' would become a member of itself%s",
                             b->g->name, i < direct ? "" :
                             " through another group"));
        if (apr_hash_get(seen, ldn, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(seen, ldn, APR_HASH_KEY_STRING, "");
        ret = cfg_index_get(db, txn, pool, "dn/", dn, &target, 0);
        if (ret == DB_NOTFOUND && i < direct)
            return cfg_abort(&b->st, CFG_NOT_FOUND, apr_psprintf(pool,
                             "the member '%s' couldn't be found", dn));
        if (ret == DB_NOTFOUND)
            continue;       /* a stale member below: not this write's */
        if (ret != 0)
            return ret;
        if (cfg_target_kind(target, &key) != CFG_KIND_GROUP)
            continue;
        if (++walked > CFG_NEST_MAX * CFG_NEST_MAX)
            return cfg_abort(&b->st, CFG_REFUSED, "the groups are nested "
                             "too deeply");
        ret = cfg_group_read(db, txn, pool, key, &sub, 0);
        if (ret == DB_NOTFOUND || ret == EINVAL)
            continue;
        if (ret != 0)
            return ret;
        for (int j = 0; j < sub.members->nelts; j++)
            APR_ARRAY_PUSH(todo, const char *) =
                APR_ARRAY_IDX(sub.members, j, const char *);
    }
    return 0;
}

/* The record and its index entries, none of which may exist yet. */
static int cfg_group_write(mapi_db *db, DB_TXN *txn, cfg_grp_baton *b)
{
    cfg_group *g = b->g;
    const char *target = apr_pstrcat(b->st.pool, "grp:",
                                      cfg_lower(b->st.pool, g->name), NULL);
    mapi_wr wr;
    int ret;

    if ((ret = cfg_group_check_members(db, txn, b)) != 0)
        return ret;
    mapi_wr_init(&wr, b->st.pool, CFG_RECORD_MAX);
    if (cfg_group_encode(g, &wr) != 0)
        return cfg_abort(&b->st, -1, "a distribution group value is too "
                         "long");
    ret = cfg_put(db, txn, cfg_key_of(b->st.pool, "grp/", g->name), wr.buf,
                  wr.len, DB_NOOVERWRITE);
    if (ret == DB_KEYEXIST)
        return cfg_abort(&b->st, CFG_CONFLICT, apr_psprintf(b->st.pool,
                         "the name '%s' is already in use", g->name));
    for (int i = 0; ret == 0 && i < g->smtp_addresses->nelts; i++)
        ret = cfg_index_add(db, txn, &b->st, "smtp/",
                            APR_ARRAY_IDX(g->smtp_addresses, i, const char *),
                            target, "SMTP address");
    if (ret == 0)
        ret = cfg_index_add(db, txn, &b->st, "dn/", g->legacy_dn, target,
                            "legacyExchangeDN (the name)");
    return ret;
}

static int cfg_group_unlink(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                            const cfg_group *g)
{
    int ret = cfg_del(db, txn, cfg_key_of(pool, "grp/", g->name));

    for (int i = 0; ret == 0 && i < g->smtp_addresses->nelts; i++)
        ret = cfg_del(db, txn, cfg_key_of(pool, "smtp/",
                      APR_ARRAY_IDX(g->smtp_addresses, i, const char *)));
    if (ret == 0 && g->legacy_dn && *g->legacy_dn)
        ret = cfg_del(db, txn, cfg_key_of(pool, "dn/", g->legacy_dn));
    return ret;
}

static int cfg_group_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_grp_baton *b = baton;
    int ret = cfg_default_dn(db, txn, &b->st, b->g->name, &b->g->legacy_dn);

    return ret != 0 ? ret : cfg_group_write(db, txn, b);
}

int cfg_group_create(mapi_db *db, apr_pool_t *pool, cfg_group *g,
                     const char **error_r)
{
    cfg_grp_baton b = { { pool, 0, NULL }, g, NULL, NULL, NULL };

    if (cfg_group_normalise(pool, g, error_r) != 0)
        return -1;
    if (cfg_new_guid(g->guid) != 0) {
        *error_r = "the random number generator failed";
        return -1;
    }
    g->created = g->changed = apr_time_now();
    return cfg_run(db, cfg_group_create_txn, &b, &b.st, error_r);
}

int cfg_group_get(mapi_db *db, apr_pool_t *pool, const char *name,
                  cfg_group **g_r, const char **error_r)
{
    cfg_group *g = apr_pcalloc(pool, sizeof(*g));
    int ret = name ? cfg_group_read(db, NULL, pool, name, g, 0)
                   : DB_NOTFOUND;

    if (ret == 0)
        *g_r = g;
    return cfg_read_result(db, pool, ret, "read distribution group",
                           error_r);
}

static int cfg_group_load(mapi_db *db, DB_TXN *txn, cfg_grp_baton *b,
                          cfg_group *old)
{
    int ret = cfg_group_read(db, txn, b->st.pool, b->old_name, old, DB_RMW);

    if (ret == DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_NOT_FOUND, NULL);
    if (ret == EINVAL)
        return cfg_abort(&b->st, -1, "the distribution group record is "
                         "malformed");
    return ret;
}

static int cfg_group_update_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_grp_baton *b = baton;
    cfg_group old, *g = apr_pcalloc(b->st.pool, sizeof(*g));
    const char *error = NULL;
    int ret = cfg_group_load(db, txn, b, &old);

    if (ret != 0)
        return ret;
    *g = old;
    if ((ret = b->edit(g, b->edit_baton)) != 0)
        return cfg_abort(&b->st, ret, NULL);
    if (cfg_group_normalise(b->st.pool, g, &error) != 0)
        return cfg_abort(&b->st, -1, error);
    /* Identity and history stay with the group. */
    memcpy(g->guid, old.guid, 16);
    g->legacy_dn = old.legacy_dn;
    g->created = old.created;
    g->changed = apr_time_now();
    if ((ret = cfg_group_unlink(db, txn, b->st.pool, &old)) != 0)
        return ret;
    b->g = g;
    return cfg_group_write(db, txn, b);
}

int cfg_group_update(mapi_db *db, apr_pool_t *pool, const char *name,
                     cfg_group_edit_fn fn, void *baton, const char **error_r)
{
    cfg_grp_baton b = { { pool, 0, NULL }, NULL, name, fn, baton };

    return cfg_run(db, cfg_group_update_txn, &b, &b.st, error_r);
}

static int cfg_group_delete_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_grp_baton *b = baton;
    cfg_group old;
    int ret = cfg_group_load(db, txn, b, &old);

    return ret != 0 ? ret : cfg_group_unlink(db, txn, b->st.pool, &old);
}

int cfg_group_delete(mapi_db *db, apr_pool_t *pool, const char *name,
                     const char **error_r)
{
    cfg_grp_baton b = { { pool, 0, NULL }, NULL, name, NULL, NULL };

    return cfg_run(db, cfg_group_delete_txn, &b, &b.st, error_r);
}

typedef struct cfg_dir_scan {
    apr_pool_t *pool;
    void *fn;
    void *baton;
} cfg_dir_scan;

static int cfg_group_scan_one(const void *data, size_t len, void *baton)
{
    cfg_dir_scan *s = baton;
    cfg_group g;

    /* A malformed record is skipped: listing shows what can be shown. */
    if (cfg_group_decode(data, len, s->pool, &g) != 0)
        return 0;
    return ((cfg_group_fn)s->fn)(&g, s->baton);
}

int cfg_group_foreach(mapi_db *db, apr_pool_t *pool, cfg_group_fn fn,
                      void *baton, const char **error_r)
{
    cfg_dir_scan s = { pool, (void *)fn, baton };

    return cfg_scan(db, "grp/", cfg_group_scan_one, &s, pool,
                    "list distribution groups", error_r);
}

/* ---------------------------------------------------------- contacts -- */

typedef struct cfg_con_baton {
    cfg_txn_state st;
    cfg_contact *c;
    const char *name;
} cfg_con_baton;

static int cfg_contact_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_con_baton *b = baton;
    cfg_contact *c = b->c;
    const char *target = apr_pstrcat(b->st.pool, "con:",
                                     cfg_lower(b->st.pool, c->name), NULL);
    mapi_wr wr;
    int ret = cfg_default_dn(db, txn, &b->st, c->name, &c->legacy_dn);

    if (ret != 0)
        return ret;
    mapi_wr_init(&wr, b->st.pool, CFG_RECORD_MAX);
    if (cfg_contact_encode(c, &wr) != 0)
        return cfg_abort(&b->st, -1, "a mail contact value is too long");
    ret = cfg_put(db, txn, cfg_key_of(b->st.pool, "con/", c->name), wr.buf,
                  wr.len, DB_NOOVERWRITE);
    if (ret == DB_KEYEXIST)
        return cfg_abort(&b->st, CFG_CONFLICT, apr_psprintf(b->st.pool,
                         "the name '%s' is already in use", c->name));
    /* The external address is indexed too: mail to it must not also
     * name a mailbox or a group of the organisation. */
    if (ret == 0)
        ret = cfg_index_add(db, txn, &b->st, "smtp/", c->external_smtp,
                            target, "SMTP address");
    if (ret == 0)
        ret = cfg_index_add(db, txn, &b->st, "dn/", c->legacy_dn, target,
                            "legacyExchangeDN (the name)");
    return ret;
}

int cfg_contact_create(mapi_db *db, apr_pool_t *pool, cfg_contact *c,
                       const char **error_r)
{
    cfg_con_baton b = { { pool, 0, NULL }, c, NULL };

    if (c->name == NULL || *c->name == '\0' || c->external_smtp == NULL ||
        *c->external_smtp == '\0') {
        *error_r = "a mail contact needs a name and an external address";
        return -1;
    }
    if (c->display_name == NULL || *c->display_name == '\0')
        c->display_name = c->name;
    if (cfg_new_guid(c->guid) != 0) {
        *error_r = "the random number generator failed";
        return -1;
    }
    c->created = c->changed = apr_time_now();
    return cfg_run(db, cfg_contact_create_txn, &b, &b.st, error_r);
}

int cfg_contact_get(mapi_db *db, apr_pool_t *pool, const char *name,
                    cfg_contact **c_r, const char **error_r)
{
    cfg_contact *c = apr_pcalloc(pool, sizeof(*c));
    int ret = name ? cfg_contact_read(db, NULL, pool, name, c, 0)
                   : DB_NOTFOUND;

    if (ret == 0)
        *c_r = c;
    return cfg_read_result(db, pool, ret, "read mail contact", error_r);
}

static int cfg_contact_delete_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    cfg_con_baton *b = baton;
    apr_pool_t *pool = b->st.pool;
    cfg_contact old;
    int ret = cfg_contact_read(db, txn, pool, b->name, &old, DB_RMW);

    if (ret == DB_NOTFOUND)
        return cfg_abort(&b->st, CFG_NOT_FOUND, NULL);
    if (ret == EINVAL)
        return cfg_abort(&b->st, -1, "the mail contact record is malformed");
    if (ret == 0)
        ret = cfg_del(db, txn, cfg_key_of(pool, "con/", old.name));
    if (ret == 0)
        ret = cfg_del(db, txn, cfg_key_of(pool, "smtp/", old.external_smtp));
    if (ret == 0 && *old.legacy_dn)
        ret = cfg_del(db, txn, cfg_key_of(pool, "dn/", old.legacy_dn));
    return ret;
}

int cfg_contact_delete(mapi_db *db, apr_pool_t *pool, const char *name,
                       const char **error_r)
{
    cfg_con_baton b = { { pool, 0, NULL }, NULL, name };

    return cfg_run(db, cfg_contact_delete_txn, &b, &b.st, error_r);
}

static int cfg_contact_scan_one(const void *data, size_t len, void *baton)
{
    cfg_dir_scan *s = baton;
    cfg_contact c;

    if (cfg_contact_decode(data, len, s->pool, &c) != 0)
        return 0;
    return ((cfg_contact_fn)s->fn)(&c, s->baton);
}

int cfg_contact_foreach(mapi_db *db, apr_pool_t *pool, cfg_contact_fn fn,
                        void *baton, const char **error_r)
{
    cfg_dir_scan s = { pool, (void *)fn, baton };

    return cfg_scan(db, "con/", cfg_contact_scan_one, &s, pool,
                    "list mail contacts", error_r);
}
