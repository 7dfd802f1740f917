/*
 * nspi_dir.c: the directory view the address book serves, and the
 * Minimal Entry IDs of its objects ([MS-OXNSPI] 2.2.9.1, 3.1.4.1).
 *
 * An MId must name the same object for every process and every call of a
 * session, so it is not a position or a per-process counter: each object
 * GUID gets one, stored in the config database of the shared environment
 * ("nspi/mid/<guid hex>" -> u32) and handed out from "nspi/next-mid" in
 * the transaction that stores it.  MIds are never reused.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <db.h>
#include <unicode/ucol.h>
#include <unicode/uloc.h>

#include "nspi/nspi.h"

#define NSPI_MID_KEY_NEXT "nspi/next-mid"

static const char *mid_key(apr_pool_t *pool, const uint8_t guid[16])
{
    char hex[33];

    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", guid[i]);
    return apr_pstrcat(pool, "nspi/mid/", hex, NULL);
}

static int db_get_u32(DB *d, DB_TXN *txn, const char *k, uint32_t *v_r,
                      u_int32_t flags)
{
    DBT key = { 0 }, val = { 0 };
    uint8_t b[4];
    int ret;

    key.data = (void *)k;
    key.size = (u_int32_t)strlen(k);
    val.data = b;
    val.ulen = sizeof(b);
    val.flags = DB_DBT_USERMEM;
    if ((ret = d->get(d, txn, &key, &val, flags)) != 0)
        return ret;
    if (val.size != 4)
        return EINVAL;
    *v_r = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
    return 0;
}

static int db_put_u32(DB *d, DB_TXN *txn, const char *k, uint32_t v)
{
    DBT key = { 0 }, val = { 0 };
    uint8_t b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };

    key.data = (void *)k;
    key.size = (u_int32_t)strlen(k);
    val.data = b;
    val.size = 4;
    return d->put(d, txn, &key, &val, 0);
}

typedef struct mid_txn {
    const char *key;
    uint32_t mid;
} mid_txn;

/* Reads the GUID's MId, or takes the next one (read-modify-write under
 * the write locks of both records, so two processes never hand out the
 * same MId). */
static int mid_assign_body(mapi_db *db, DB_TXN *txn, void *baton)
{
    mid_txn *t = baton;
    uint32_t next;
    int ret;

    ret = db_get_u32(db->config, txn, t->key, &t->mid, DB_RMW);
    if (ret != DB_NOTFOUND)
        return ret;
    ret = db_get_u32(db->config, txn, NSPI_MID_KEY_NEXT, &next, DB_RMW);
    if (ret == DB_NOTFOUND)
        next = NSPI_MID_FIRST;
    else if (ret != 0)
        return ret;
    if (next < NSPI_MID_FIRST || next == UINT32_MAX)
        return EINVAL;
    t->mid = next;
    if ((ret = db_put_u32(db->config, txn, t->key, next)) != 0)
        return ret;
    return db_put_u32(db->config, txn, NSPI_MID_KEY_NEXT, next + 1);
}

int nspi_mid_for_guid(mapi_db *db, apr_pool_t *pool, const uint8_t guid[16],
                      uint32_t *mid_r, const char **error_r)
{
    mid_txn t = { mid_key(pool, guid), 0 };

    /* The common case reads without a transaction. */
    if (db_get_u32(db->config, NULL, t.key, mid_r, 0) == 0)
        return 0;
    if (mapi_db_txn_run(db, 0, mid_assign_body, &t, pool, error_r) != 0) {
        if (error_r && *error_r == NULL)
            *error_r = "assigning an address book MId failed";
        return -1;
    }
    *mid_r = t.mid;
    return 0;
}

int nspi_name_cmp(const char *a, const char *b)
{
    int c = strcasecmp(a ? a : "", b ? b : "");

    return c < 0 ? -1 : c > 0;
}

static int obj_order(const void *x, const void *y)
{
    const nspi_obj *a = *(nspi_obj *const *)x, *b = *(nspi_obj *const *)y;
    int c = nspi_name_cmp(a->display_name, b->display_name);

    if (c)
        return c;
    return a->mid < b->mid ? -1 : a->mid > b->mid;
}

/* ---- display name order under a SortLocale (ICU collation) */

static apr_status_t collator_close(void *c)
{
    ucol_close(c);
    return APR_SUCCESS;
}

/* The collator of an LCID ([MS-LCID] -> ICU locale), comparing at
 * secondary strength: accents count, case does not (the GAL is case
 * blind).  An LCID ICU does not map gets the root collation. */
static UCollator *collator_for(apr_pool_t *pool, uint32_t lcid)
{
    char loc[ULOC_FULLNAME_CAPACITY] = "";
    UErrorCode err = U_ZERO_ERROR;
    UCollator *c;

    if (uloc_getLocaleForLCID(lcid, loc, sizeof(loc), &err) <= 0 ||
        U_FAILURE(err))
        loc[0] = '\0';
    err = U_ZERO_ERROR;
    c = ucol_open(loc, &err);
    if (U_FAILURE(err) || c == NULL)
        return NULL;
    ucol_setStrength(c, UCOL_SECONDARY);
    apr_pool_cleanup_register(pool, c, collator_close,
                              apr_pool_cleanup_null);
    return c;
}

int nspi_dir_name_cmp(const nspi_dir *dir, const char *a, const char *b)
{
    UErrorCode err = U_ZERO_ERROR;
    UCollationResult r;

    if (dir->collator == NULL)
        return nspi_name_cmp(a, b);
    r = ucol_strcollUTF8(dir->collator, a ? a : "", -1, b ? b : "", -1,
                         &err);
    if (U_FAILURE(err))
        return nspi_name_cmp(a, b);
    return r == UCOL_LESS ? -1 : r == UCOL_GREATER;
}

/* qsort has no baton: the collator of the sort in progress.  A view is
 * sorted by one thread (its request's). */
static __thread const nspi_dir *sorting;

static int obj_order_locale(const void *x, const void *y)
{
    const nspi_obj *a = *(nspi_obj *const *)x, *b = *(nspi_obj *const *)y;
    int c = nspi_dir_name_cmp(sorting, a->display_name, b->display_name);

    if (c)
        return c;
    return a->mid < b->mid ? -1 : a->mid > b->mid;
}

/* The cache keeps the orders it has computed (nspi_dir_get below). */
static int cache_sorted_get(nspi_dir *dir, uint32_t sort_locale);
static void cache_sorted_put(const nspi_dir *dir, uint32_t sort_locale);

void nspi_dir_sort(nspi_dir *dir, uint32_t sort_locale)
{
    if (dir->collator != NULL && dir->sort_locale == sort_locale)
        return;
    dir->collator = collator_for(dir->pool, sort_locale);
    dir->sort_locale = sort_locale;
    if (dir->collator == NULL)
        return;                    /* ICU failed: the byte order stays */
    if (cache_sorted_get(dir, sort_locale))
        return;
    sorting = dir;
    qsort(dir->rows, dir->n, sizeof(*dir->rows), obj_order_locale);
    sorting = NULL;
    cache_sorted_put(dir, sort_locale);
}

nspi_dir *nspi_dir_new(apr_pool_t *pool, const uint8_t server_guid[16],
                       const char *org_dn)
{
    nspi_dir *d = apr_pcalloc(pool, sizeof(*d));

    d->pool = pool;
    memcpy(d->server_guid, server_guid, 16);
    d->org_dn = org_dn;
    return d;
}

void nspi_dir_add(nspi_dir *dir, nspi_obj *obj)
{
    nspi_obj **rows = apr_palloc(dir->pool, (dir->n + 1) * sizeof(*rows));

    if (dir->n)
        memcpy(rows, dir->rows, dir->n * sizeof(*rows));
    rows[dir->n++] = obj;
    dir->rows = rows;
    qsort(dir->rows, dir->n, sizeof(*rows), obj_order);
}

nspi_obj *nspi_obj_from_mailbox(apr_pool_t *pool, const cfg_mailbox *m)
{
    nspi_obj *o = apr_pcalloc(pool, sizeof(*o));

    o->kind = NSPI_KIND_MAILUSER;
    memcpy(o->guid, m->guid, 16);
    o->display_name = apr_pstrdup(pool, m->display_name ? m->display_name
                                                        : m->name);
    o->alias = apr_pstrdup(pool, m->name);
    o->legacy_dn = apr_pstrdup(pool, m->legacy_dn);
    o->smtp = apr_pstrdup(pool, m->smtp);
    o->smtp_all = apr_array_make(pool, 2, sizeof(const char *));
    if (m->smtp_addresses && m->smtp_addresses->nelts > 0) {
        for (int i = 0; i < m->smtp_addresses->nelts; i++)
            APR_ARRAY_PUSH(o->smtp_all, const char *) = apr_pstrdup(pool,
                APR_ARRAY_IDX(m->smtp_addresses, i, const char *));
    } else if (m->smtp) {
        APR_ARRAY_PUSH(o->smtp_all, const char *) = o->smtp;
    }
    /* The record lives in the same pool as the view. */
    o->attrs = m->attrs;
    return o;
}

nspi_obj *nspi_obj_from_group(apr_pool_t *pool, const cfg_group *g)
{
    nspi_obj *o = apr_pcalloc(pool, sizeof(*o));

    o->kind = NSPI_KIND_DISTLIST;
    memcpy(o->guid, g->guid, 16);
    o->display_name = apr_pstrdup(pool, g->display_name ? g->display_name
                                                        : g->name);
    o->alias = apr_pstrdup(pool, g->name);
    o->legacy_dn = apr_pstrdup(pool, g->legacy_dn);
    o->smtp = apr_pstrdup(pool, g->smtp);
    o->smtp_all = g->smtp_addresses ? apr_array_copy(pool, g->smtp_addresses)
                                    : apr_array_make(pool, 1,
                                                     sizeof(const char *));
    if (o->smtp_all->nelts == 0 && o->smtp)
        APR_ARRAY_PUSH(o->smtp_all, const char *) = o->smtp;
    o->managed_by = g->managed_by ? apr_pstrdup(pool, g->managed_by) : NULL;
    o->member_dns = g->members ? apr_array_copy(pool, g->members)
                               : apr_array_make(pool, 1,
                                                sizeof(const char *));
    return o;
}

nspi_obj *nspi_obj_from_contact(apr_pool_t *pool, const cfg_contact *c)
{
    nspi_obj *o = apr_pcalloc(pool, sizeof(*o));

    o->kind = NSPI_KIND_CONTACT;
    memcpy(o->guid, c->guid, 16);
    o->display_name = apr_pstrdup(pool, c->display_name ? c->display_name
                                                        : c->name);
    o->alias = apr_pstrdup(pool, c->name);
    o->legacy_dn = apr_pstrdup(pool, c->legacy_dn);
    /* A contact's SMTP address is where mail to it goes. */
    o->smtp = apr_pstrdup(pool, c->external_smtp);
    o->target = o->smtp;
    o->smtp_all = apr_array_make(pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(o->smtp_all, const char *) = o->smtp;
    return o;
}

static void push_obj(apr_pool_t *pool, apr_array_header_t **a,
                     const nspi_obj *o)
{
    if (*a == NULL)
        *a = apr_array_make(pool, 4, sizeof(const nspi_obj *));
    APR_ARRAY_PUSH(*a, const nspi_obj *) = o;
}

void nspi_dir_link(nspi_dir *dir)
{
    for (unsigned i = 0; i < dir->n; i++) {
        nspi_obj *o = dir->rows[i];

        o->members = o->member_of = o->reports = NULL;
        o->manager = NULL;
    }
    /* Views are small (the organisation's recipients): a DN lookup per
     * link keeps this simple. */
    for (unsigned i = 0; i < dir->n; i++) {
        nspi_obj *o = dir->rows[i];
        nspi_obj *m;

        if (o->kind == NSPI_KIND_MAILUSER && o->attrs.manager_dn &&
            (m = (nspi_obj *)nspi_dir_by_dn(dir, o->attrs.manager_dn)) &&
            m != o && m->kind == NSPI_KIND_MAILUSER) {
            o->manager = m;
            push_obj(dir->pool, &m->reports, o);
        }
        for (int j = 0; o->member_dns && j < o->member_dns->nelts; j++) {
            m = (nspi_obj *)nspi_dir_by_dn(dir,
                    APR_ARRAY_IDX(o->member_dns, j, const char *));
            if (m == NULL || m == o)
                continue;       /* a member removed since: left out */
            push_obj(dir->pool, &o->members, m);
            push_obj(dir->pool, &m->member_of, o);
        }
    }
}

typedef struct load_baton {
    mapi_db *db;
    apr_pool_t *pool;
    apr_array_header_t *objs;
    const char *error;
} load_baton;

static int load_one(const cfg_mailbox *m, void *baton)
{
    load_baton *b = baton;
    /* MIds are looked up after the scan: assigning one writes the config
     * database, which the scan's cursor holds read locks on. */
    APR_ARRAY_PUSH(b->objs, nspi_obj *) = nspi_obj_from_mailbox(b->pool, m);
    return 0;
}

static int load_group(const cfg_group *g, void *baton)
{
    load_baton *b = baton;

    APR_ARRAY_PUSH(b->objs, nspi_obj *) = nspi_obj_from_group(b->pool, g);
    return 0;
}

static int load_contact(const cfg_contact *c, void *baton)
{
    load_baton *b = baton;

    APR_ARRAY_PUSH(b->objs, nspi_obj *) = nspi_obj_from_contact(b->pool, c);
    return 0;
}

int nspi_dir_load(mapi_db *db, apr_pool_t *pool, const cfg_org *org,
                  nspi_dir **dir_r, const char **error_r)
{
    load_baton b = { db, pool, apr_array_make(pool, 16, sizeof(nspi_obj *)),
                     NULL };
    nspi_dir *d = nspi_dir_new(pool, org->guid, cfg_org_dn_prefix(pool, org));

    if (cfg_mailbox_foreach(db, pool, load_one, &b, error_r) != 0 ||
        cfg_group_foreach(db, pool, load_group, &b, error_r) != 0 ||
        cfg_contact_foreach(db, pool, load_contact, &b, error_r) != 0)
        return -1;
    for (int i = 0; i < b.objs->nelts; i++) {
        nspi_obj *o = APR_ARRAY_IDX(b.objs, i, nspi_obj *);
        if (nspi_mid_for_guid(db, pool, o->guid, &o->mid, error_r) != 0)
            return -1;
    }
    d->n = (unsigned)b.objs->nelts;
    d->rows = (nspi_obj **)b.objs->elts;
    qsort(d->rows, d->n, sizeof(*d->rows), obj_order);
    nspi_dir_link(d);
    *dir_r = d;
    return 0;
}

/* ---- the per-process cache of the view
 *
 * Loading scans every mailbox, group and contact of the configuration;
 * the view changes only when one of them does, which the configuration's
 * directory generation ("dirgen", bumped in the writing transaction)
 * tells.  So each process keeps the view of the newest generation it saw;
 * a request gets a shallow copy (its own row array and collation, the
 * objects shared read-only) and holds a reference on the entry until its
 * pool goes, so a newer generation can replace the entry under it. */

#define CACHE_SORTS 4               /* orders kept per view (locales) */

typedef struct dir_cache {
    apr_pool_t *pool;             /* the view's own (unmanaged) pool */
    nspi_dir *dir;
    mapi_db *db;
    uint8_t org_guid[16];
    uint64_t gen;
    unsigned refs;
    /* Row orders already sorted under a SortLocale (the view's objects
     * never change, so an order stays right for the entry's life). */
    struct { uint32_t lcid; nspi_obj **rows; } sorts[CACHE_SORTS];
    unsigned n_sorts;
} dir_cache;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static dir_cache *cache;           /* the newest entry, or NULL */

static int cache_sorted_get(nspi_dir *dir, uint32_t sort_locale)
{
    dir_cache *e = dir->cached;
    int found = 0;

    if (e == NULL)
        return 0;
    pthread_mutex_lock(&cache_mu);
    for (unsigned i = 0; i < e->n_sorts && !found; i++)
        if (e->sorts[i].lcid == sort_locale) {
            memcpy(dir->rows, e->sorts[i].rows, dir->n * sizeof(*dir->rows));
            found = 1;
        }
    pthread_mutex_unlock(&cache_mu);
    return found;
}

static void cache_sorted_put(const nspi_dir *dir, uint32_t sort_locale)
{
    dir_cache *e = dir->cached;

    if (e == NULL)
        return;
    /* The entry's pool is only touched under the lock. */
    pthread_mutex_lock(&cache_mu);
    if (e->n_sorts < CACHE_SORTS && dir->n == e->dir->n) {
        e->sorts[e->n_sorts].lcid = sort_locale;
        e->sorts[e->n_sorts].rows = apr_pmemdup(e->pool, dir->rows,
            (dir->n ? dir->n : 1) * sizeof(*dir->rows));
        e->n_sorts++;
    }
    pthread_mutex_unlock(&cache_mu);
}

static void cache_unref_locked(dir_cache *e)
{
    if (--e->refs == 0 && e != cache)
        apr_pool_destroy(e->pool);      /* e lives in its pool */
}

static apr_status_t cache_release(void *baton)
{
    pthread_mutex_lock(&cache_mu);
    cache_unref_locked(baton);
    pthread_mutex_unlock(&cache_mu);
    return APR_SUCCESS;
}

/* A request's copy of entry e's view (e referenced for pool's life). */
static nspi_dir *cache_copy(apr_pool_t *pool, dir_cache *e)
{
    nspi_dir *d = apr_pmemdup(pool, e->dir, sizeof(*d));

    d->pool = pool;
    d->rows = apr_pmemdup(pool, e->dir->rows,
                          (e->dir->n ? e->dir->n : 1) * sizeof(*d->rows));
    d->collator = NULL;
    d->sort_locale = 0;
    d->cached = e;
    apr_pool_cleanup_register(pool, e, cache_release, apr_pool_cleanup_null);
    return d;
}

static int cache_fits(const dir_cache *e, mapi_db *db, const cfg_org *org,
                      uint64_t gen)
{
    return e && e->db == db && e->gen == gen &&
           memcmp(e->org_guid, org->guid, 16) == 0;
}

int nspi_dir_get(mapi_db *db, apr_pool_t *pool, const cfg_org *org,
                 nspi_dir **dir_r, const char **error_r)
{
    dir_cache *e;
    apr_pool_t *ep;
    uint64_t gen;

    /* The generation first: a change after it only costs a reload. */
    if (cfg_dir_generation(db, &gen) != 0)
        return nspi_dir_load(db, pool, org, dir_r, error_r);
    pthread_mutex_lock(&cache_mu);
    if (cache_fits(cache, db, org, gen)) {
        e = cache;
        e->refs++;
        pthread_mutex_unlock(&cache_mu);
        *dir_r = cache_copy(pool, e);
        return 0;
    }
    pthread_mutex_unlock(&cache_mu);
    if (apr_pool_create_unmanaged(&ep) != APR_SUCCESS)
        return nspi_dir_load(db, pool, org, dir_r, error_r);
    e = apr_pcalloc(ep, sizeof(*e));
    e->pool = ep;
    e->db = db;
    e->gen = gen;
    memcpy(e->org_guid, org->guid, 16);
    if (nspi_dir_load(db, ep, org, &e->dir, error_r) != 0) {
        if (error_r && *error_r)
            *error_r = apr_pstrdup(pool, *error_r);
        apr_pool_destroy(ep);
        return -1;
    }
    pthread_mutex_lock(&cache_mu);
    e->refs = 1;                       /* the request's */
    if (cache == NULL || cache->db != db || cache->gen <= gen) {
        dir_cache *old = cache;
        cache = e;
        e->refs++;                     /* the cache's own */
        if (old && --old->refs == 0)
            apr_pool_destroy(old->pool);
    }
    pthread_mutex_unlock(&cache_mu);
    *dir_r = cache_copy(pool, e);
    return 0;
}

const nspi_obj *nspi_dir_by_mid(const nspi_dir *dir, uint32_t mid,
                                unsigned *pos_r)
{
    for (unsigned i = 0; i < dir->n; i++)
        if (dir->rows[i]->mid == mid) {
            if (pos_r)
                *pos_r = i;
            return dir->rows[i];
        }
    return NULL;
}

const nspi_obj *nspi_dir_by_dn(const nspi_dir *dir, const char *dn)
{
    for (unsigned i = 0; i < dir->n; i++)
        if (dir->rows[i]->legacy_dn && dn &&
            strcasecmp(dir->rows[i]->legacy_dn, dn) == 0)
            return dir->rows[i];
    return NULL;
}
