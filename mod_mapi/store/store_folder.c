/*
 * store_folder.c: folders: records, the contents index of their children,
 * create, change, delete, move, copy, empty, listing and the computed
 * properties.
 *
 * Counts are not kept in the folder record: they are computed from the
 * contents index when asked, so that a message save never has to write
 * (and lock) its folder, which keeps concurrent saves into one folder
 * from serialising on it.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"
#include "store/store_table.h"

#include <string.h>
#include <strings.h>
#include <apr_strings.h>

/* PidTagAccess bits ([MS-OXCPRPT] 2.2.1.1). */
#define STORE_ACCESS_ALL      0x3Fu
#define STORE_ACCESS_DELETE   0x04u

/* -------------------------------------------------------------- codec -- */

int store_folder_encode(mapi_wr *wr, const store_folder *f)
{
    mapi_wr_u8(wr, STORE_RECORD_VERSION);
    mapi_wr_u64(wr, f->fid);
    mapi_wr_u64(wr, f->parent_fid);
    mapi_wr_u8(wr, f->folder_type);
    mapi_wr_u8(wr, f->deleted);
    if (store_props_encode(wr, &f->props) != 0)
        return -1;
    return wr->failed ? -1 : 0;
}

int store_folder_decode(const uint8_t *data, size_t len, apr_pool_t *pool,
                        store_folder *f)
{
    mapi_rd rd;
    uint8_t version = 0;

    memset(f, 0, sizeof(*f));
    mapi_rd_init(&rd, data, len);
    if (mapi_rd_u8(&rd, &version) != 0 || version != STORE_RECORD_VERSION)
        return -1;
    mapi_rd_u64(&rd, &f->fid);
    mapi_rd_u64(&rd, &f->parent_fid);
    mapi_rd_u8(&rd, &f->folder_type);
    mapi_rd_u8(&rd, &f->deleted);
    if (rd.failed || f->deleted > 1 ||
        store_props_decode(&rd, pool, &f->props) != 0 ||
        mapi_rd_left(&rd) != 0)
        return -1;
    return 0;
}

int store_folder_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                      const uint8_t *mbox, uint64_t fid, store_folder **f_r,
                      u_int32_t flags)
{
    uint8_t k[STORE_KEY_ID_LEN];
    const uint8_t *data;
    size_t len;
    store_folder *f = apr_pcalloc(pool, sizeof(*f));
    int ret;

    store_key_id(k, mbox, fid);
    ret = store_db_get(db->folders, txn, k, sizeof(k), pool, &data, &len,
                       flags);
    if (ret != 0)
        return ret;
    if (store_folder_decode(data, len, pool, f) != 0)
        return EINVAL;
    *f_r = f;
    return 0;
}

int store_folder_write(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                       const uint8_t *mbox, const store_folder *f)
{
    uint8_t k[STORE_KEY_ID_LEN];
    mapi_wr wr;

    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    if (store_folder_encode(&wr, f) != 0)
        return EFBIG;
    store_key_id(k, mbox, f->fid);
    return store_db_put(db->folders, txn, k, sizeof(k), wr.buf, wr.len);
}

/* A live folder: deleted ones are tombstones kept for synchronisation. */
static int store_folder_live(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                             const uint8_t *mbox, uint64_t fid,
                             store_folder **f_r, u_int32_t flags)
{
    int ret = store_folder_read(db, txn, pool, mbox, fid, f_r, flags);

    return ret == 0 && (*f_r)->deleted ? DB_NOTFOUND : ret;
}

static int store_index_put(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                           uint64_t parent, uint8_t kind, uint64_t id)
{
    uint8_t k[STORE_KEY_CHILD_LEN];

    store_key_child(k, mbox, parent, kind, id);
    return store_db_put(db->contents, txn, k, sizeof(k), "", 0);
}

static int store_index_del(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                           uint64_t parent, uint8_t kind, uint64_t id)
{
    uint8_t k[STORE_KEY_CHILD_LEN];

    store_key_child(k, mbox, parent, kind, id);
    return store_db_del(db->contents, txn, k, sizeof(k));
}

int store_children(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                   const uint8_t *mbox, uint64_t parent, uint8_t kind,
                   apr_array_header_t **ids_r)
{
    uint8_t prefix[STORE_KEY_CHILD_LEN];
    apr_array_header_t *keys, *ids;
    int ret;

    store_key_child(prefix, mbox, parent, kind, 0);
    ret = store_db_keys(db->contents, txn, prefix, STORE_KEY_CHILD_LEN - 8,
                        pool, &keys);
    if (ret != 0)
        return ret;
    ids = apr_array_make(pool, keys->nelts ? keys->nelts : 1,
                         sizeof(uint64_t));
    for (int i = 0; i < keys->nelts; i++) {
        const rop_bin *b = &APR_ARRAY_IDX(keys, i, rop_bin);

        if (b->len != STORE_KEY_CHILD_LEN)
            return EINVAL;
        APR_ARRAY_PUSH(ids, uint64_t) =
            store_rd_be64(b->data + STORE_KEY_CHILD_LEN - 8);
    }
    *ids_r = ids;
    return 0;
}

/* ------------------------------------------------------------ helpers -- */

static const char *store_folder_name(const store_folder *f)
{
    const rop_propval *v = store_props_get(&f->props, PidTagDisplayName);

    return v && v->v.str ? v->v.str : "";
}

/* The sibling under parent named name (other than self): DB_KEYEXIST with
 * *fid_r, 0 when the name is free.  Names compare without ASCII case. */
static int store_sibling_named(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               const uint8_t *mbox, uint64_t parent,
                               const char *name, uint64_t self,
                               uint64_t *fid_r)
{
    apr_array_header_t *ids;
    int ret = store_children(db, txn, pool, mbox, parent, STORE_KIND_FOLDER,
                             &ids);

    for (int i = 0; ret == 0 && i < ids->nelts; i++) {
        uint64_t id = APR_ARRAY_IDX(ids, i, uint64_t);
        store_folder *f;

        if (id == self)
            continue;
        ret = store_folder_live(db, txn, pool, mbox, id, &f, 0);
        if (ret == DB_NOTFOUND) {
            ret = 0;
            continue;
        }
        if (ret == 0 && strcasecmp(store_folder_name(f), name) == 0) {
            *fid_r = id;
            return DB_KEYEXIST;
        }
    }
    return ret;
}

static int store_is_special(const store_mailbox_info *mi, uint64_t fid)
{
    for (int i = 0; i < STORE_FOLDER_COUNT; i++)
        if (mi->folder_ids[i] == fid)
            return 1;
    return 0;
}

/* Sets the properties every change of a folder updates. */
static int store_folder_touch(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                              store_mailbox_info *mi, store_folder *f)
{
    uint64_t cn;
    int ret = store_info_alloc(db, txn, pool, mi, 1, &cn);

    if (ret != 0)
        return ret;
    store_stamp_change(&f->props, mi, store_id_make(STORE_REPLID, cn));
    store_props_set_u64(&f->props, PidTagLastModificationTime,
                        store_filetime_now());
    return 0;
}

int store_folder_make(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                      store_mailbox_info *mi, uint64_t parent,
                      uint8_t folder_type, const char *display_name,
                      const char *comment, uint64_t *fid_r)
{
    const uint8_t *mbox = mi->mailbox_guid;
    store_folder *f = apr_pcalloc(pool, sizeof(*f)), *pf;
    uint64_t counter, now = store_filetime_now();
    int ret;

    if (parent != 0) {
        ret = store_folder_live(db, txn, pool, mbox, parent, &pf, 0);
        if (ret == 0)
            ret = store_sibling_named(db, txn, pool, mbox, parent,
                                      display_name, 0, fid_r);
        if (ret != 0)
            return ret;
    }
    ret = store_info_alloc(db, txn, pool, mi, 1, &counter);
    if (ret != 0)
        return ret;
    f->fid = store_id_make(STORE_REPLID, counter);
    f->parent_fid = parent;
    f->folder_type = folder_type;
    store_props_init(&f->props, pool);
    store_props_set_str(&f->props, PidTagDisplayName, display_name);
    if (comment != NULL)
        store_props_set_str(&f->props, PidTagComment, comment);
    store_props_set_u32(&f->props, PidTagFolderType, folder_type);
    store_props_set_u64(&f->props, PidTagCreationTime, now);
    store_set_source_key(&f->props, PidTagSourceKey, mi, f->fid);
    if (parent != 0)
        store_set_source_key(&f->props, PidTagParentSourceKey, mi, parent);
    ret = store_folder_touch(db, txn, pool, mi, f);
    if (ret == 0)
        ret = store_folder_write(db, txn, pool, mbox, f);
    if (ret == 0 && parent != 0)
        ret = store_index_put(db, txn, mbox, parent, STORE_KIND_FOLDER,
                              f->fid);
    if (ret == 0)
        *fid_r = f->fid;
    return ret;
}

static store_txn store_txn_of(apr_pool_t *pool, const uint8_t *mbox)
{
    store_txn t = { .pool = pool, .mbox = mbox };

    return t;
}

/* ---------------------------------------------------------------- get -- */

store_status store_folder_get(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                              store_folder **f_r, const char **error_r)
{
    int ret = store_folder_live(db, NULL, pool, mbox, fid, f_r, 0);

    return store_read_status(db, pool, ret, apr_psprintf(pool,
                             "folder %016llx", (unsigned long long)fid),
                             error_r);
}

/* Soft-deleted folders stay as tombstones ([MS-OXCFOLD] R814): reachable
 * only when the client asks for them (OpenSoftDeleted, R22003), and then
 * hard-deleted for good. */
store_status store_folder_get_any(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t fid, store_folder **f_r,
                                  const char **error_r)
{
    int ret = store_folder_read(db, NULL, pool, mbox, fid, f_r, 0);

    return store_read_status(db, pool, ret, apr_psprintf(pool,
                             "folder %016llx", (unsigned long long)fid),
                             error_r);
}

/* ------------------------------------------------------------- create -- */

typedef struct store_fcreate {
    store_txn t;
    uint64_t parent;
    uint8_t type;
    const char *name, *comment;
    uint64_t fid;
} store_fcreate;

static int store_folder_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_fcreate *b = baton;
    store_mailbox_info mi;
    int ret = store_info_read(db, txn, b->t.pool, b->t.mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_folder_make(db, txn, b->t.pool, &mi, b->parent, b->type,
                                b->name, b->comment, &b->fid);
    return ret ? store_db_fail(&b->t, ret, "create folder") : 0;
}

store_status store_folder_create(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint64_t parent_fid, uint8_t folder_type,
                                 const char *display_name,
                                 const char *comment, uint64_t *fid_r,
                                 const char **error_r)
{
    store_fcreate b = { store_txn_of(pool, mbox), parent_fid, folder_type,
                        display_name, comment, 0 };
    store_status st;

    if (display_name == NULL || *display_name == '\0' || parent_fid == 0 ||
        (folder_type != STORE_FOLDER_GENERIC &&
         folder_type != STORE_FOLDER_SEARCH))
        return STORE_INVALID;
    st = store_run(db, store_folder_create_txn, &b.t, "create folder",
                   error_r);
    if (st == STORE_OK || st == STORE_EXISTS)
        *fid_r = b.fid;
    if (st == STORE_OK) {
        store_event ev = { .type = STORE_EV_OBJ_CREATED, .fid = b.fid,
                           .parent_fid = parent_fid };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* ---------------------------------------------------------- set props -- */

static int store_folder_computed(uint32_t tag)
{
    static const uint32_t computed[] = {
        PidTagFolderId, PidTagParentFolderId, PidTagContentCount,
        PidTagContentUnreadCount, PidTagAssociatedContentCount,
        PidTagFolderChildCount, PidTagSubfolders, PidTagEntryId,
        PidTagParentEntryId, PidTagRecordKey, PidTagInstanceKey,
        PidTagMessageSize, PidTagAccess, PidTagRights, PidTagObjectType,
        PidTagChangeNumber, PidTagSourceKey, PidTagParentSourceKey,
        PidTagFolderType, PidTagCreationTime, PidTagHasRules,
    };

    for (size_t i = 0; i < sizeof(computed) / sizeof(computed[0]); i++)
        if (ROP_PROP_ID(computed[i]) == ROP_PROP_ID(tag))
            return 1;
    return 0;
}

typedef struct store_fset {
    store_txn t;
    uint64_t fid;
    const store_props *set;
    const uint32_t *del;
    unsigned n_del;
} store_fset;

static int store_folder_set_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_fset *b = baton;
    apr_pool_t *pool = b->t.pool;
    store_mailbox_info mi;
    store_folder *f;
    const rop_propval *name;
    uint64_t other;
    int ret = store_info_read(db, txn, pool, b->t.mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_folder_live(db, txn, pool, b->t.mbox, b->fid, &f, DB_RMW);
    if (ret != 0)
        return store_db_fail(&b->t, ret, "set folder properties");
    for (unsigned i = 0; b->set && i < b->set->count; i++)
        if (!store_folder_computed(b->set->vals[i].tag))
            store_props_set(&f->props, &b->set->vals[i]);
    for (unsigned i = 0; i < b->n_del; i++)
        if (!store_folder_computed(b->del[i]) &&
            ROP_PROP_ID(b->del[i]) != ROP_PROP_ID(PidTagDisplayName))
            store_props_del(&f->props, b->del[i]);
    name = store_props_get(&f->props, PidTagDisplayName);
    if (name == NULL || ROP_PROP_TYPE(name->tag) != ROP_PT_UNICODE ||
        name->v.str == NULL || *name->v.str == '\0')
        return store_abort(&b->t, STORE_INVALID);
    if (f->parent_fid != 0)
        ret = store_sibling_named(db, txn, pool, b->t.mbox, f->parent_fid,
                                  name->v.str, f->fid, &other);
    if (ret == 0)
        ret = store_folder_touch(db, txn, pool, &mi, f);
    if (ret == 0)
        ret = store_folder_write(db, txn, pool, b->t.mbox, f);
    return ret ? store_db_fail(&b->t, ret, "set folder properties") : 0;
}

store_status store_folder_set_props(mapi_db *db, apr_pool_t *pool,
                                    const uint8_t mbox[STORE_GUID_LEN],
                                    uint64_t fid, const store_props *set,
                                    const uint32_t *del_tags, unsigned n_del,
                                    const char **error_r)
{
    store_fset b = { store_txn_of(pool, mbox), fid, set, del_tags, n_del };
    store_status st = store_run(db, store_folder_set_txn, &b.t,
                                "set folder properties", error_r);

    if (st == STORE_OK) {
        store_event ev = { .type = STORE_EV_OBJ_MODIFIED, .fid = fid };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* ------------------------------------------------------------- delete -- */

/* Removes every message of kind in fid. */
static int store_delete_messages(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                                 const uint8_t *mbox, uint64_t fid,
                                 uint8_t kind)
{
    apr_array_header_t *ids;
    int ret = store_children(db, txn, pool, mbox, fid, kind, &ids);

    for (int i = 0; ret == 0 && i < ids->nelts; i++) {
        store_message *m;

        ret = store_message_read(db, txn, pool, mbox,
                                 APR_ARRAY_IDX(ids, i, uint64_t), &m, DB_RMW);
        if (ret == 0)
            ret = store_message_remove(db, txn, pool, mbox, m);
        else if (ret == DB_NOTFOUND)
            ret = store_child_forget(db, txn, pool, mbox, fid, kind,
                                     APR_ARRAY_IDX(ids, i, uint64_t));
    }
    return ret;
}

/* Deletes f with all it holds; hard removes the record, otherwise a
 * tombstone stays for synchronisation. */
static int store_folder_remove(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               const uint8_t *mbox, store_folder *f, int hard)
{
    apr_array_header_t *subs;
    int ret = store_delete_messages(db, txn, pool, mbox, f->fid,
                                    STORE_KIND_MESSAGE);

    if (ret == 0)
        ret = store_delete_messages(db, txn, pool, mbox, f->fid,
                                    STORE_KIND_ASSOC);
    if (ret == 0)
        ret = store_children(db, txn, pool, mbox, f->fid, STORE_KIND_FOLDER,
                             &subs);
    for (int i = 0; ret == 0 && i < subs->nelts; i++) {
        store_folder *sub;

        ret = store_folder_read(db, txn, pool, mbox,
                                APR_ARRAY_IDX(subs, i, uint64_t), &sub,
                                DB_RMW);
        if (ret == 0)
            ret = store_folder_remove(db, txn, pool, mbox, sub, hard);
    }
    if (ret == 0 && f->parent_fid != 0)
        ret = store_index_del(db, txn, mbox, f->parent_fid,
                              STORE_KIND_FOLDER, f->fid);
    /* A folder's rules go with it, tombstone or not: nothing delivers
     * into a deleted folder. */
    if (ret == 0)
        ret = store_rule_drop_folder(db, txn, pool, mbox, f->fid);
    if (ret == 0 && f->folder_type == STORE_FOLDER_SEARCH)
        ret = store_search_drop_folder(db, txn, mbox, f->fid);
    /* So do its permissions: a folder made later under the same name is
     * a new folder and shares nothing. */
    if (ret == 0)
        ret = store_perm_drop_folder(db, txn, pool, mbox, f->fid);
    if (ret != 0)
        return ret;
    if (hard) {
        uint8_t k[STORE_KEY_ID_LEN];

        store_key_id(k, mbox, f->fid);
        return store_db_del(db->folders, txn, k, sizeof(k));
    }
    f->deleted = 1;
    store_props_set_u64(&f->props, PidTagDeletedOn, store_filetime_now());
    return store_folder_write(db, txn, pool, mbox, f);
}

static int store_has(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                     const uint8_t *mbox, uint64_t fid, uint8_t kind,
                     int *has_r)
{
    apr_array_header_t *ids;
    int ret = store_children(db, txn, pool, mbox, fid, kind, &ids);

    if (ret == 0)
        *has_r = ids->nelts > 0;
    return ret;
}

typedef struct store_fdel {
    store_txn t;
    uint64_t fid, parent;
    unsigned flags;
} store_fdel;

static int store_folder_delete_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_fdel *b = baton;
    apr_pool_t *pool = b->t.pool;
    store_mailbox_info mi;
    store_folder *f;
    int msgs = 0, assoc = 0, subs = 0;
    int ret = store_info_read(db, txn, pool, b->t.mbox, &mi, 0);

    if (ret == 0)
        ret = store_folder_read(db, txn, pool, b->t.mbox, b->fid, &f, DB_RMW);
    if (ret == 0 && store_is_special(&mi, b->fid))
        return store_abort(&b->t, STORE_DENIED);
    /* A tombstone goes only by a hard delete (R764); it holds nothing. */
    if (ret == 0 && f->deleted) {
        uint8_t k[STORE_KEY_ID_LEN];

        if (!(b->flags & STORE_DEL_HARD))
            return store_abort(&b->t, STORE_NOT_FOUND);
        b->parent = f->parent_fid;
        store_key_id(k, b->t.mbox, f->fid);
        ret = store_db_del(db->folders, txn, k, sizeof(k));
        return ret ? store_db_fail(&b->t, ret, "delete folder") : 0;
    }
    if (ret == 0)
        ret = store_has(db, txn, pool, b->t.mbox, b->fid, STORE_KIND_MESSAGE,
                        &msgs);
    if (ret == 0)
        ret = store_has(db, txn, pool, b->t.mbox, b->fid, STORE_KIND_ASSOC,
                        &assoc);
    if (ret == 0)
        ret = store_has(db, txn, pool, b->t.mbox, b->fid, STORE_KIND_FOLDER,
                        &subs);
    if (ret != 0)
        return store_db_fail(&b->t, ret, "delete folder");
    if (((msgs || assoc) && !(b->flags & STORE_DEL_MESSAGES)) ||
        (subs && !(b->flags & STORE_DEL_FOLDERS)))
        return store_abort(&b->t, STORE_NOT_EMPTY);
    b->parent = f->parent_fid;
    ret = store_folder_remove(db, txn, pool, b->t.mbox, f,
                              (b->flags & STORE_DEL_HARD) != 0);
    return ret ? store_db_fail(&b->t, ret, "delete folder") : 0;
}

store_status store_folder_delete(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint64_t fid, unsigned flags,
                                 const char **error_r)
{
    store_fdel b = { store_txn_of(pool, mbox), fid, 0, flags };
    store_status st = store_run(db, store_folder_delete_txn, &b.t,
                                "delete folder", error_r);

    if (st == STORE_OK) {
        store_event ev = { .type = STORE_EV_OBJ_DELETED, .fid = fid,
                           .parent_fid = b.parent };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* --------------------------------------------------------------- move -- */

/* 1 when fid is anc or below it. */
static int store_in_subtree(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                            const uint8_t *mbox, uint64_t fid, uint64_t anc,
                            int *in_r)
{
    /* Bounded: a corrupt parent chain with a cycle must not loop. */
    for (int depth = 0; fid != 0 && depth < 1024; depth++) {
        store_folder *f;
        int ret;

        if (fid == anc) {
            *in_r = 1;
            return 0;
        }
        ret = store_folder_read(db, txn, pool, mbox, fid, &f, 0);
        if (ret != 0)
            return ret;
        fid = f->parent_fid;
    }
    *in_r = 0;
    return 0;
}

typedef struct store_fmove {
    store_txn t;
    uint64_t fid, dest, old_parent;
    const char *name;
} store_fmove;

static int store_folder_move_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_fmove *b = baton;
    apr_pool_t *pool = b->t.pool;
    const uint8_t *mbox = b->t.mbox;
    store_mailbox_info mi;
    store_folder *f, *dest;
    uint64_t other;
    int in = 0;
    int ret = store_info_read(db, txn, pool, mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_folder_live(db, txn, pool, mbox, b->fid, &f, DB_RMW);
    if (ret == 0)
        ret = store_folder_live(db, txn, pool, mbox, b->dest, &dest, 0);
    if (ret == 0)
        ret = store_in_subtree(db, txn, pool, mbox, b->dest, b->fid, &in);
    if (ret != 0)
        return store_db_fail(&b->t, ret, "move folder");
    if (store_is_special(&mi, b->fid))
        return store_abort(&b->t, STORE_DENIED);
    if (in)
        return store_abort(&b->t, STORE_INVALID);
    if (b->name != NULL)
        store_props_set_str(&f->props, PidTagDisplayName, b->name);
    ret = store_sibling_named(db, txn, pool, mbox, b->dest,
                              store_folder_name(f), b->fid, &other);
    b->old_parent = f->parent_fid;
    if (ret == 0)
        ret = store_index_del(db, txn, mbox, f->parent_fid,
                              STORE_KIND_FOLDER, f->fid);
    if (ret == 0)
        ret = store_index_put(db, txn, mbox, b->dest, STORE_KIND_FOLDER,
                              f->fid);
    f->parent_fid = b->dest;
    store_set_source_key(&f->props, PidTagParentSourceKey, &mi, b->dest);
    if (ret == 0)
        ret = store_folder_touch(db, txn, pool, &mi, f);
    if (ret == 0)
        ret = store_folder_write(db, txn, pool, mbox, f);
    return ret ? store_db_fail(&b->t, ret, "move folder") : 0;
}

store_status store_folder_move(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, uint64_t new_parent,
                               const char *new_name, const char **error_r)
{
    store_fmove b = { store_txn_of(pool, mbox), fid, new_parent, 0,
                      new_name };
    store_status st;

    if (new_name != NULL && *new_name == '\0')
        return STORE_INVALID;
    st = store_run(db, store_folder_move_txn, &b.t, "move folder", error_r);
    if (st == STORE_OK) {
        store_event ev = { .type = STORE_EV_OBJ_MOVED, .fid = fid,
                           .parent_fid = new_parent, .old_fid = fid };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* --------------------------------------------------------------- copy -- */

static int store_folder_clone(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                              store_mailbox_info *mi, const store_folder *src,
                              uint64_t dest, const char *name, int recursive,
                              uint64_t *new_r);

static int store_copy_messages(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                               store_mailbox_info *mi, uint64_t from,
                               uint64_t to, uint8_t kind)
{
    apr_array_header_t *ids;
    int ret = store_children(db, txn, pool, mi->mailbox_guid, from, kind,
                             &ids);

    for (int i = 0; ret == 0 && i < ids->nelts; i++) {
        store_message *m;
        uint64_t nmid;

        ret = store_message_read(db, txn, pool, mi->mailbox_guid,
                                 APR_ARRAY_IDX(ids, i, uint64_t), &m, 0);
        if (ret == 0)
            ret = store_message_clone(db, txn, pool, mi->mailbox_guid, mi,
                                      m, to, &nmid);
    }
    return ret;
}

static int store_folder_clone(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                              store_mailbox_info *mi, const store_folder *src,
                              uint64_t dest, const char *name, int recursive,
                              uint64_t *new_r)
{
    const uint8_t *mbox = mi->mailbox_guid;
    store_folder *copy;
    apr_array_header_t *subs;
    int ret = store_folder_make(db, txn, pool, mi, dest, src->folder_type,
                                name, NULL, new_r);

    if (ret == 0)
        ret = store_folder_read(db, txn, pool, mbox, *new_r, &copy, DB_RMW);
    if (ret != 0)
        return ret;
    for (unsigned i = 0; i < src->props.count; i++)
        if (!store_folder_computed(src->props.vals[i].tag) &&
            ROP_PROP_ID(src->props.vals[i].tag) !=
                ROP_PROP_ID(PidTagDisplayName) &&
            ROP_PROP_ID(src->props.vals[i].tag) !=
                ROP_PROP_ID(PidTagChangeKey) &&
            ROP_PROP_ID(src->props.vals[i].tag) !=
                ROP_PROP_ID(PidTagPredecessorChangeList))
            store_props_set(&copy->props, &src->props.vals[i]);
    ret = store_folder_write(db, txn, pool, mbox, copy);
    if (ret == 0)
        ret = store_copy_messages(db, txn, pool, mi, src->fid, *new_r,
                                  STORE_KIND_MESSAGE);
    if (ret == 0)
        ret = store_copy_messages(db, txn, pool, mi, src->fid, *new_r,
                                  STORE_KIND_ASSOC);
    if (ret != 0 || !recursive)
        return ret;
    ret = store_children(db, txn, pool, mbox, src->fid, STORE_KIND_FOLDER,
                         &subs);
    for (int i = 0; ret == 0 && i < subs->nelts; i++) {
        store_folder *sub;
        uint64_t nsub;

        ret = store_folder_live(db, txn, pool, mbox,
                                APR_ARRAY_IDX(subs, i, uint64_t), &sub, 0);
        if (ret == 0)
            ret = store_folder_clone(db, txn, pool, mi, sub, *new_r,
                                     store_folder_name(sub), 1, &nsub);
    }
    return ret;
}

typedef struct store_fcopy {
    store_txn t;
    uint64_t fid, dest;
    const char *name;
    int recursive;
    uint64_t new_fid;
} store_fcopy;

static int store_folder_copy_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_fcopy *b = baton;
    apr_pool_t *pool = b->t.pool;
    store_mailbox_info mi;
    store_folder *f;
    int in = 0;
    int ret = store_info_read(db, txn, pool, b->t.mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_folder_live(db, txn, pool, b->t.mbox, b->fid, &f, 0);
    if (ret == 0)
        ret = store_in_subtree(db, txn, pool, b->t.mbox, b->dest, b->fid,
                               &in);
    if (ret != 0)
        return store_db_fail(&b->t, ret, "copy folder");
    /* A recursive copy into its own subtree would copy itself forever. */
    if (in && b->recursive)
        return store_abort(&b->t, STORE_INVALID);
    ret = store_folder_clone(db, txn, pool, &mi, f, b->dest,
                             b->name ? b->name : store_folder_name(f),
                             b->recursive, &b->new_fid);
    if (ret == DB_KEYEXIST)
        return store_abort(&b->t, STORE_EXISTS);
    return ret ? store_db_fail(&b->t, ret, "copy folder") : 0;
}

store_status store_folder_copy(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, uint64_t new_parent,
                               const char *new_name, int recursive,
                               uint64_t *new_fid_r, const char **error_r)
{
    store_fcopy b = { store_txn_of(pool, mbox), fid, new_parent, new_name,
                      recursive, 0 };
    store_status st;

    if (new_name != NULL && *new_name == '\0')
        return STORE_INVALID;
    st = store_run(db, store_folder_copy_txn, &b.t, "copy folder", error_r);
    if (st == STORE_OK) {
        store_event ev = { .type = STORE_EV_OBJ_COPIED, .fid = b.new_fid,
                           .parent_fid = new_parent, .old_fid = fid };
        *new_fid_r = b.new_fid;
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* -------------------------------------------------------------- empty -- */

typedef struct store_fempty {
    store_txn t;
    uint64_t fid;
    unsigned flags;
    int associated;
} store_fempty;

static int store_folder_empty_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_fempty *b = baton;
    apr_pool_t *pool = b->t.pool;
    const uint8_t *mbox = b->t.mbox;
    store_mailbox_info mi;
    store_folder *f;
    apr_array_header_t *subs = NULL;
    int ret = store_info_read(db, txn, pool, mbox, &mi, 0);

    if (ret == 0)
        ret = store_folder_live(db, txn, pool, mbox, b->fid, &f, 0);
    if (ret == 0)
        ret = store_delete_messages(db, txn, pool, mbox, b->fid,
                                    STORE_KIND_MESSAGE);
    if (ret == 0 && b->associated)
        ret = store_delete_messages(db, txn, pool, mbox, b->fid,
                                    STORE_KIND_ASSOC);
    if (ret == 0 && (b->flags & STORE_DEL_FOLDERS))
        ret = store_children(db, txn, pool, mbox, b->fid, STORE_KIND_FOLDER,
                             &subs);
    for (int i = 0; ret == 0 && subs && i < subs->nelts; i++) {
        uint64_t sid = APR_ARRAY_IDX(subs, i, uint64_t);
        store_folder *sub;

        if (store_is_special(&mi, sid))
            continue;
        ret = store_folder_read(db, txn, pool, mbox, sid, &sub, DB_RMW);
        if (ret == 0)
            ret = store_folder_remove(db, txn, pool, mbox, sub,
                                      (b->flags & STORE_DEL_HARD) != 0);
    }
    return ret ? store_db_fail(&b->t, ret, "empty folder") : 0;
}

store_status store_folder_empty(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                uint64_t fid, unsigned flags, int associated,
                                const char **error_r)
{
    store_fempty b = { store_txn_of(pool, mbox), fid, flags, associated };
    store_status st = store_run(db, store_folder_empty_txn, &b.t,
                                "empty folder", error_r);

    if (st == STORE_OK) {
        store_event ev = { .type = STORE_EV_TABLE_MODIFIED, .fid = fid };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* --------------------------------------------------------------- list -- */

static int store_list_deep(mapi_db *db, apr_pool_t *pool, const uint8_t *mbox,
                           uint64_t fid, int deep, int depth,
                           apr_array_header_t *out)
{
    apr_array_header_t *subs;
    int ret = store_children(db, NULL, pool, mbox, fid, STORE_KIND_FOLDER,
                             &subs);

    if (depth > 1024)
        return EINVAL;
    for (int i = 0; ret == 0 && i < subs->nelts; i++) {
        uint64_t sid = APR_ARRAY_IDX(subs, i, uint64_t);

        APR_ARRAY_PUSH(out, uint64_t) = sid;
        if (deep)
            ret = store_list_deep(db, pool, mbox, sid, 1, depth + 1, out);
    }
    return ret;
}

static int store_list_append(mapi_db *db, apr_pool_t *pool,
                             const uint8_t *mbox, uint64_t fid, uint8_t kind,
                             apr_array_header_t *out)
{
    apr_array_header_t *ids;
    int ret = store_children(db, NULL, pool, mbox, fid, kind, &ids);

    if (ret == 0)
        apr_array_cat(out, ids);
    return ret;
}

store_status store_folder_list(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, unsigned what,
                               apr_array_header_t **ids_r,
                               const char **error_r)
{
    apr_array_header_t *out = apr_array_make(pool, 16, sizeof(uint64_t));
    store_folder *f;
    int ret = store_folder_live(db, NULL, pool, mbox, fid, &f, 0);

    if (ret == 0 && (what & STORE_LIST_FOLDERS))
        ret = store_list_deep(db, pool, mbox, fid,
                              (what & STORE_LIST_DEEP) != 0, 0, out);
    if (ret == 0 && (what & STORE_LIST_MESSAGES))
        ret = store_list_append(db, pool, mbox, fid, STORE_KIND_MESSAGE, out);
    if (ret == 0 && (what & STORE_LIST_ASSOCIATED))
        ret = store_list_append(db, pool, mbox, fid, STORE_KIND_ASSOC, out);
    if (ret == DB_NOTFOUND)
        return STORE_NOT_FOUND;
    if (ret != 0) {
        if (error_r)
            *error_r = mapi_db_strerror(pool, db, "list folder", ret);
        return STORE_DB_ERROR;
    }
    *ids_r = out;
    return STORE_OK;
}

/* ---------------------------------------------------------- all props -- */

typedef struct store_counts {
    uint32_t content, unread, assoc, children;
    uint64_t size;
} store_counts;

static int store_count_messages(mapi_db *db, apr_pool_t *pool,
                                const uint8_t *mbox, uint64_t fid,
                                uint8_t kind, store_counts *c)
{
    apr_array_header_t *ids;
    int ret = store_children(db, NULL, pool, mbox, fid, kind, &ids);

    for (int i = 0; ret == 0 && i < ids->nelts; i++) {
        store_message *m;
        const rop_propval *v;

        ret = store_message_read(db, NULL, pool, mbox,
                                 APR_ARRAY_IDX(ids, i, uint64_t), &m, 0);
        if (ret == DB_NOTFOUND) {
            ret = 0;    /* deleted between the scan and the read */
            continue;
        }
        if (ret != 0)
            break;
        if (kind == STORE_KIND_ASSOC) {
            c->assoc++;
            continue;
        }
        c->content++;
        v = store_props_get(&m->props, PidTagMessageFlags);
        if (v == NULL || !(v->v.l & MSGFLAG_READ))
            c->unread++;
        v = store_props_get(&m->props, PidTagMessageSize);
        if (v != NULL)
            c->size += v->v.l;
    }
    return ret;
}

/* A search folder counts the messages it shows (its own index is
 * empty): [MS-OXCFOLD] PidTagContentCount, PidTagContentUnreadCount. */
/* The counts kept with the messages (store_sortidx.c): 0, 1 when the
 * mailbox has none, -1 on a database error (*error_r set). */
static int store_kept_counts(mapi_db *db, apr_pool_t *pool,
                             const uint8_t *mbox, uint64_t fid,
                             store_counts *c, const char **error_r)
{
    store_folder_counts m, a;
    store_status st = store_folder_counts_get(db, pool, mbox, fid, 0, &m,
                                              error_r);

    if (st == STORE_OK)
        st = store_folder_counts_get(db, pool, mbox, fid, 1, &a, error_r);
    if (st == STORE_INVALID)
        return 1;
    if (st != STORE_OK)
        return -1;
    c->content = m.messages;
    c->unread = m.unread;
    c->size = m.size;
    c->assoc = a.messages;
    return 0;
}

static store_status store_search_counts(mapi_db *db, apr_pool_t *pool,
                                        const uint8_t *mbox,
                                        const store_mailbox_info *mi,
                                        uint64_t fid, store_counts *c,
                                        const char **error_r)
{
    apr_array_header_t *rows;
    store_status st = store_search_rows(db, pool, mbox, mi, fid, &rows,
                                        error_r);

    if (st != STORE_OK)
        return st;
    c->content = c->unread = 0;
    c->size = 0;
    for (int i = 0; i < rows->nelts; i++) {
        const store_row *row = APR_ARRAY_IDX(rows, i, store_row *);
        const rop_propval *v = store_props_get(&row->props,
                                               PidTagMessageFlags);

        c->content++;
        if (v == NULL || !(v->v.l & MSGFLAG_READ))
            c->unread++;
    }
    return STORE_OK;
}

store_status store_folder_all_props(mapi_db *db, apr_pool_t *pool,
                                    const uint8_t mbox[STORE_GUID_LEN],
                                    const store_folder *f, store_props *out,
                                    const char **error_r)
{
    store_mailbox_info *mi;
    store_counts c = { 0 };
    apr_array_header_t *subs;
    uint8_t eid[46], peid[46], ikey[8];
    store_status st = store_mailbox_get(db, pool, mbox, &mi, error_r);
    int ret;

    if (st != STORE_OK)
        return st;
    ret = store_kept_counts(db, pool, mbox, f->fid, &c, error_r);
    if (ret < 0)
        return STORE_DB_ERROR;
    if (ret == 1) {
        /* A mailbox from before the kept counts: read every message. */
        ret = store_count_messages(db, pool, mbox, f->fid,
                                   STORE_KIND_MESSAGE, &c);
        if (ret == 0)
            ret = store_count_messages(db, pool, mbox, f->fid,
                                       STORE_KIND_ASSOC, &c);
    }
    if (ret == 0)
        ret = store_children(db, NULL, pool, mbox, f->fid, STORE_KIND_FOLDER,
                             &subs);
    if (ret != 0) {
        if (error_r)
            *error_r = mapi_db_strerror(pool, db, "count folder", ret);
        return STORE_DB_ERROR;
    }
    if (f->folder_type == STORE_FOLDER_SEARCH
        && (st = store_search_counts(db, pool, mbox, mi, f->fid, &c,
                                     error_r)) != STORE_OK)
        return st;
    store_props_copy(out, &f->props);
    store_props_set_u64(out, PidTagFolderId, f->fid);
    store_props_set_u64(out, PidTagParentFolderId, f->parent_fid);
    store_props_set_u32(out, PidTagContentCount, c.content);
    store_props_set_u32(out, PidTagContentUnreadCount, c.unread);
    store_props_set_u32(out, PidTagAssociatedContentCount, c.assoc);
    store_props_set_u32(out, PidTagFolderChildCount, (uint32_t)subs->nelts);
    store_props_set_bool(out, PidTagSubfolders, subs->nelts > 0);
    store_props_set_bool(out, PidTagHasRules,
                         store_rule_any(db, pool, mbox, f->fid));
    store_folder_entry_id(mi, f->fid, eid);
    store_props_set_bin(out, PidTagEntryId, eid, sizeof(eid));
    if (f->parent_fid != 0) {
        store_folder_entry_id(mi, f->parent_fid, peid);
        store_props_set_bin(out, PidTagParentEntryId, peid, sizeof(peid));
    }
    store_props_set_bin(out, PidTagRecordKey, eid, sizeof(eid));
    for (int i = 0; i < 8; i++)
        ikey[i] = (uint8_t)(f->fid >> (8 * i));
    store_props_set_bin(out, PidTagInstanceKey, ikey, sizeof(ikey));
    store_props_set_u32(out, PidTagMessageSize,
                        c.size > UINT32_MAX ? UINT32_MAX : (uint32_t)c.size);
    store_props_set_u64(out, PidTagMessageSizeExtended, c.size);
    store_props_set_u32(out, PidTagAccess, store_is_special(mi, f->fid)
                        ? STORE_ACCESS_ALL & ~STORE_ACCESS_DELETE
                        : STORE_ACCESS_ALL);
    store_props_set_u32(out, PidTagRights, STORE_RIGHTS_OWNER);
    store_props_set_u32(out, PidTagObjectType, MAPI_FOLDER);
    return STORE_OK;
}
