/*
 * store_search.c: search folders ([MS-OXCFOLD] 2.2.1.4, 3.2.5.4): their
 * criteria, kept in the meta db (see store.h, "search folders"), and the
 * messages they show, computed from the criteria whenever asked.
 *
 * Computing instead of keeping links means nothing has to follow
 * deliveries, saves, moves and deletions: a dynamic search is current in
 * every process the moment a change commits (R1095-R1097).  The price is
 * a scan of the scope per table ROP, which is what a contents table of a
 * plain folder costs too.
 *
 * Record: u8 version, u32 flags, u8 stopped, u8 has restriction,
 * restriction ([MS-OXCDATA] 2.12), u16 folder count, u64 folders,
 * u8 frozen, u32 mid count, u64 mids.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"
#include "store/store_table.h"

#include <string.h>
#include <apr_hash.h>

#define SEARCH_KEY_LEN   (STORE_GUID_LEN + 2 + 8)
#define SEARCH_VERSION   1
/* A static snapshot holds at most this many ids (a 1 MiB record). */
#define SEARCH_MIDS_MAX  (128u * 1024)

static void search_key(uint8_t k[SEARCH_KEY_LEN], const uint8_t *mbox,
                       uint64_t fid)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    k[STORE_GUID_LEN] = 'U';
    k[STORE_GUID_LEN + 1] = 's';
    store_be64(k + STORE_GUID_LEN + 2, fid);
}

static int search_encode(mapi_wr *wr, const store_search *s)
{
    mapi_wr_u8(wr, SEARCH_VERSION);
    mapi_wr_u32(wr, s->flags);
    mapi_wr_u8(wr, s->stopped);
    mapi_wr_u8(wr, s->restriction != NULL);
    if (s->restriction)
        rop_wr_restriction(wr, s->restriction);
    mapi_wr_u16(wr, s->n_folders);
    for (uint16_t i = 0; i < s->n_folders; i++)
        mapi_wr_u64(wr, s->folders[i]);
    mapi_wr_u8(wr, s->frozen);
    mapi_wr_u32(wr, s->frozen ? s->n_mids : 0);
    for (uint32_t i = 0; s->frozen && i < s->n_mids; i++)
        mapi_wr_u64(wr, s->mids[i]);
    return wr->failed ? -1 : 0;
}

static int search_decode(const uint8_t *data, size_t len, apr_pool_t *pool,
                         store_search *s)
{
    uint8_t version = 0, has_res = 0;
    mapi_rd rd;

    memset(s, 0, sizeof(*s));
    mapi_rd_init(&rd, data, len);
    mapi_rd_u8(&rd, &version);
    mapi_rd_u32(&rd, &s->flags);
    mapi_rd_u8(&rd, &s->stopped);
    if (mapi_rd_u8(&rd, &has_res) < 0 || version != SEARCH_VERSION)
        return EINVAL;
    if (has_res && rop_rd_restriction(&rd, pool, 0, &s->restriction) < 0)
        return EINVAL;
    if (mapi_rd_u16(&rd, &s->n_folders) < 0
        || rop_rd_count_ok(&rd, s->n_folders, 8) < 0)
        return EINVAL;
    s->folders = apr_pcalloc(pool, 8u * (s->n_folders + 1u));
    for (uint16_t i = 0; i < s->n_folders; i++)
        mapi_rd_u64(&rd, &s->folders[i]);
    mapi_rd_u8(&rd, &s->frozen);
    if (mapi_rd_u32(&rd, &s->n_mids) < 0
        || rop_rd_count_ok(&rd, s->n_mids, 8) < 0)
        return EINVAL;
    s->mids = apr_pcalloc(pool, 8u * (s->n_mids + 1u));
    for (uint32_t i = 0; i < s->n_mids; i++)
        mapi_rd_u64(&rd, &s->mids[i]);
    return rd.failed || mapi_rd_left(&rd) ? EINVAL : 0;
}

store_status store_search_get(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN],
                              uint64_t fid, store_search **s_r,
                              const char **error_r)
{
    uint8_t k[SEARCH_KEY_LEN];
    const uint8_t *data;
    size_t len;
    store_search *s = apr_pcalloc(pool, sizeof(*s));
    int ret;

    search_key(k, mbox, fid);
    ret = store_db_get(db->meta, NULL, k, sizeof(k), pool, &data, &len, 0);
    if (ret == 0)
        ret = search_decode(data, len, pool, s);
    if (ret != 0)
        return store_read_status(db, pool, ret, "search criteria", error_r);
    *s_r = s;
    return STORE_OK;
}

/* ------------------------------------------------------------ match -- */

/* The folders a search looks into: its scope, with RECURSIVE_SEARCH the
 * subtrees too, each once, in the order named (pre-order below). */
static store_status search_scope(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t *mbox, const store_search *s,
                                 apr_array_header_t **fids_r,
                                 const char **error_r)
{
    apr_array_header_t *fids = apr_array_make(pool, 16, sizeof(uint64_t));
    apr_hash_t *seen = apr_hash_make(pool);
    store_status st;

    for (uint16_t i = 0; i < s->n_folders; i++) {
        apr_array_header_t *subs = NULL;
        uint64_t *fid = &s->folders[i];

        if (apr_hash_get(seen, fid, sizeof(*fid)))
            continue;
        apr_hash_set(seen, fid, sizeof(*fid), "");
        APR_ARRAY_PUSH(fids, uint64_t) = *fid;
        if (!(s->flags & STORE_SEARCH_RECURSIVE))
            continue;
        st = store_folder_list(db, pool, mbox, *fid,
                               STORE_LIST_FOLDERS | STORE_LIST_DEEP, &subs,
                               error_r);
        if (st == STORE_NOT_FOUND)
            continue;            /* a scope folder deleted since */
        if (st != STORE_OK)
            return st;
        for (int j = 0; j < subs->nelts; j++) {
            uint64_t *sub = &APR_ARRAY_IDX(subs, j, uint64_t);

            if (apr_hash_get(seen, sub, sizeof(*sub)))
                continue;
            apr_hash_set(seen, sub, sizeof(*sub), "");
            APR_ARRAY_PUSH(fids, uint64_t) = *sub;
        }
    }
    *fids_r = fids;
    return STORE_OK;
}

/* A message's row, as a contents table of its own folder shows it. */
static store_status search_row(mapi_db *db, apr_pool_t *pool,
                               const uint8_t *mbox,
                               const store_mailbox_info *mi, uint64_t mid,
                               store_row **row_r, const char **error_r)
{
    store_message *m;
    store_row *row;
    store_status st = store_message_get_ex(db, pool, mbox, mid,
                                           STORE_GET_LARGE_AS_REF, &m,
                                           error_r);

    if (st != STORE_OK)
        return st;
    if (m->associated)
        return STORE_NOT_FOUND;
    row = apr_pcalloc(pool, sizeof(*row));
    store_props_init(&row->props, pool);
    row->id = mid;
    row->msg = m;
    store_message_all_props(pool, mbox, mi, m, &row->props);
    *row_r = row;
    return STORE_OK;
}

store_status store_search_match(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                const store_mailbox_info *mi,
                                const store_search *s,
                                apr_array_header_t **rows_r,
                                const char **error_r)
{
    apr_array_header_t *rows = apr_array_make(pool, 16, sizeof(store_row *));
    apr_array_header_t *fids, *mids;
    store_restrict_state rs;
    store_status st;

    *rows_r = rows;
    if ((st = search_scope(db, pool, mbox, s, &fids, error_r)) != STORE_OK)
        return st;
    /* One Count state for the whole search: a Count restriction limits
     * the search folder's rows, not each scope folder's. */
    store_restrict_state_init(&rs, pool);
    for (int i = 0; i < fids->nelts; i++) {
        st = store_folder_list(db, pool, mbox, APR_ARRAY_IDX(fids, i, uint64_t),
                               STORE_LIST_MESSAGES, &mids, error_r);
        if (st == STORE_NOT_FOUND)
            continue;
        if (st != STORE_OK)
            return st;
        for (int j = 0; j < mids->nelts; j++) {
            store_row *row;

            st = search_row(db, pool, mbox, mi, APR_ARRAY_IDX(mids, j,
                                                              uint64_t),
                            &row, error_r);
            if (st == STORE_NOT_FOUND)
                continue;        /* gone since the listing */
            if (st != STORE_OK)
                return st;
            if (store_restrict_match_st(s->restriction, row, &rs))
                APR_ARRAY_PUSH(rows, store_row *) = row;
        }
    }
    return STORE_OK;
}

/* A static search's rows: its snapshot's messages that still exist. */
static store_status search_frozen_rows(mapi_db *db, apr_pool_t *pool,
                                       const uint8_t *mbox,
                                       const store_mailbox_info *mi,
                                       const store_search *s,
                                       apr_array_header_t *rows,
                                       const char **error_r)
{
    for (uint32_t i = 0; i < s->n_mids; i++) {
        store_row *row;
        store_status st = search_row(db, pool, mbox, mi, s->mids[i], &row,
                                     error_r);

        if (st == STORE_NOT_FOUND)
            continue;
        if (st != STORE_OK)
            return st;
        APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    return STORE_OK;
}

store_status store_search_rows(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               const store_mailbox_info *mi, uint64_t fid,
                               apr_array_header_t **rows_r,
                               const char **error_r)
{
    store_search *s;
    store_status st = store_search_get(db, pool, mbox, fid, &s, error_r);

    if (st == STORE_NOT_FOUND) {
        *rows_r = apr_array_make(pool, 1, sizeof(store_row *));
        return STORE_OK;         /* no criteria yet: empty */
    }
    if (st != STORE_OK)
        return st;
    if (!s->frozen)
        return store_search_match(db, pool, mbox, mi, s, rows_r, error_r);
    *rows_r = apr_array_make(pool, (int)s->n_mids + 1, sizeof(store_row *));
    return search_frozen_rows(db, pool, mbox, mi, s, *rows_r, error_r);
}

int store_search_holds(mapi_db *db, apr_pool_t *pool,
                       const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                       uint64_t mid)
{
    store_mailbox_info *mi;
    apr_array_header_t *rows;

    if (store_mailbox_get(db, pool, mbox, &mi, NULL) != STORE_OK
        || store_search_rows(db, pool, mbox, mi, fid, &rows, NULL)
           != STORE_OK)
        return 0;
    for (int i = 0; i < rows->nelts; i++)
        if (APR_ARRAY_IDX(rows, i, store_row *)->id == mid)
            return 1;
    return 0;
}

uint32_t store_search_state(const store_search *s)
{
    uint32_t st = STORE_SEARCH_ST_COMPLETE;

    /* Evaluation is synchronous, so every search is complete; a dynamic
     * one that was not stopped goes on running (R785: Exchange reports
     * SEARCH_RUNNING for it while it keeps the folder current). */
    if (!s->stopped && !(s->flags & STORE_SEARCH_STATIC))
        st |= STORE_SEARCH_ST_RUNNING;
    if (s->flags & STORE_SEARCH_RECURSIVE)
        st |= STORE_SEARCH_ST_RECURSIVE;
    if (s->flags & STORE_SEARCH_STATIC)
        st |= STORE_SEARCH_ST_STATIC;
    /* No content index: every search is a scan (R783, R1215). */
    st |= STORE_SEARCH_ST_TWIR_TOTALLY;
    return st;
}

/* -------------------------------------------------------------- set -- */

typedef struct search_put {
    store_txn t;
    uint64_t fid;
    const store_search *s;
} search_put;

static int search_put_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    search_put *b = baton;
    uint8_t k[SEARCH_KEY_LEN];
    store_folder *f;
    mapi_wr wr;
    int ret = store_folder_read(db, txn, b->t.pool, b->t.mbox, b->fid, &f,
                                DB_RMW);

    if (ret != 0)
        return store_db_fail(&b->t, ret, "search folder");
    if (f->folder_type != STORE_FOLDER_SEARCH || f->deleted)
        return store_abort(&b->t, STORE_INVALID);
    mapi_wr_init(&wr, b->t.pool, STORE_RECORD_MAX);
    if (search_encode(&wr, b->s) < 0)
        return store_abort(&b->t, STORE_TOO_BIG);
    search_key(k, b->t.mbox, b->fid);
    ret = store_db_put(db->meta, txn, k, sizeof(k), wr.buf, wr.len);
    return ret ? store_db_fail(&b->t, ret, "search criteria") : 0;
}

/* Takes the snapshot of a static search: the ids matching now. */
static store_status search_freeze(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t *mbox, store_search *s,
                                  const char **error_r)
{
    store_mailbox_info *mi;
    apr_array_header_t *rows;
    store_status st = store_mailbox_get(db, pool, mbox, &mi, error_r);

    if (st == STORE_OK)
        st = store_search_match(db, pool, mbox, mi, s, &rows, error_r);
    if (st != STORE_OK)
        return st;
    if ((uint32_t)rows->nelts > SEARCH_MIDS_MAX)
        return STORE_TOO_BIG;
    s->frozen = 1;
    s->n_mids = (uint32_t)rows->nelts;
    s->mids = apr_pcalloc(pool, 8u * (s->n_mids + 1u));
    for (uint32_t i = 0; i < s->n_mids; i++)
        s->mids[i] = APR_ARRAY_IDX(rows, (int)i, store_row *)->id;
    return STORE_OK;
}

store_status store_search_set(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN],
                              uint64_t fid, store_search *s, int restart,
                              const char **error_r)
{
    search_put b = { { pool, mbox, STORE_OK, NULL }, fid, s };
    store_status st;

    if (s->n_folders == 0 || s->n_folders > STORE_SEARCH_FOLDERS_MAX)
        return STORE_INVALID;
    if (!(s->flags & STORE_SEARCH_STATIC)) {
        s->frozen = 0;           /* dynamic: computed at every look */
        s->n_mids = 0;
    } else if (restart || !s->frozen) {
        if ((st = search_freeze(db, pool, mbox, s, error_r)) != STORE_OK)
            return st;
    }
    st = store_run(db, search_put_txn, &b.t, "set search criteria", error_r);
    if (st == STORE_OK) {
        /* The population is complete when we answer ([MS-OXCNOTIF]
         * 2.2.1.4.1.2 SearchComplete). */
        store_event ev = { .type = STORE_EV_SEARCH_COMPLETE, .fid = fid };

        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* Inside a folder deletion: the criteria go with the folder. */
int store_search_drop_folder(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                             uint64_t fid)
{
    uint8_t k[SEARCH_KEY_LEN];

    search_key(k, mbox, fid);
    return store_db_del(db->meta, txn, k, sizeof(k));
}
