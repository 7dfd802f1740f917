/*
 * store_mailbox.c: provisioning a mailbox's store (the folder tree that
 * Exchange creates, the special folder entry ids Outlook looks for, the
 * default receive folders), reading its info record, receive folders, and
 * deleting a mailbox's store.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <ctype.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/rand.h>

/* One folder of the standard tree: its parent and its class (NULL: none;
 * Outlook treats a folder without a class under the IPM subtree as mail,
 * but expects IPF.Note explicitly on the mail folders). */
typedef struct store_tree_entry {
    store_special which, parent;
    const char *name, *container_class;
} store_tree_entry;

/* In creation order: parents before children. */
static const store_tree_entry store_tree[] = {
    { STORE_FOLDER_DEFERRED_ACTION, STORE_FOLDER_ROOT, "Deferred Action", NULL },
    { STORE_FOLDER_SPOOLER_QUEUE, STORE_FOLDER_ROOT, "Spooler Queue", NULL },
    { STORE_FOLDER_IPM_SUBTREE, STORE_FOLDER_ROOT, "Top of Information Store",
      NULL },
    { STORE_FOLDER_INBOX, STORE_FOLDER_IPM_SUBTREE, "Inbox", "IPF.Note" },
    { STORE_FOLDER_OUTBOX, STORE_FOLDER_IPM_SUBTREE, "Outbox", "IPF.Note" },
    { STORE_FOLDER_SENT_ITEMS, STORE_FOLDER_IPM_SUBTREE, "Sent Items",
      "IPF.Note" },
    { STORE_FOLDER_DELETED_ITEMS, STORE_FOLDER_IPM_SUBTREE, "Deleted Items",
      "IPF.Note" },
    { STORE_FOLDER_COMMON_VIEWS, STORE_FOLDER_ROOT, "Common Views", NULL },
    { STORE_FOLDER_SCHEDULE, STORE_FOLDER_ROOT, "Schedule", NULL },
    { STORE_FOLDER_FINDER, STORE_FOLDER_ROOT, "Finder", NULL },
    { STORE_FOLDER_VIEWS, STORE_FOLDER_ROOT, "Views", NULL },
    { STORE_FOLDER_SHORTCUTS, STORE_FOLDER_ROOT, "Shortcuts", NULL },
    { STORE_FOLDER_DRAFTS, STORE_FOLDER_IPM_SUBTREE, "Drafts", "IPF.Note" },
    { STORE_FOLDER_CALENDAR, STORE_FOLDER_IPM_SUBTREE, "Calendar",
      "IPF.Appointment" },
    { STORE_FOLDER_CONTACTS, STORE_FOLDER_IPM_SUBTREE, "Contacts",
      "IPF.Contact" },
    { STORE_FOLDER_TASKS, STORE_FOLDER_IPM_SUBTREE, "Tasks", "IPF.Task" },
    { STORE_FOLDER_NOTES, STORE_FOLDER_IPM_SUBTREE, "Notes", "IPF.StickyNote" },
    { STORE_FOLDER_JOURNAL, STORE_FOLDER_IPM_SUBTREE, "Journal",
      "IPF.Journal" },
    { STORE_FOLDER_JUNK, STORE_FOLDER_IPM_SUBTREE, "Junk E-mail", "IPF.Note" },
    { STORE_FOLDER_SYNC_ISSUES, STORE_FOLDER_IPM_SUBTREE, "Sync Issues",
      "IPF.Note" },
    { STORE_FOLDER_CONFLICTS, STORE_FOLDER_SYNC_ISSUES, "Conflicts",
      "IPF.Note" },
    { STORE_FOLDER_LOCAL_FAILURES, STORE_FOLDER_SYNC_ISSUES, "Local Failures",
      "IPF.Note" },
    { STORE_FOLDER_SERVER_FAILURES, STORE_FOLDER_SYNC_ISSUES,
      "Server Failures", "IPF.Note" },
    { STORE_FOLDER_FREEBUSY, STORE_FOLDER_ROOT, "Freebusy Data", NULL },
};

/* ------------------------------------------------------ receive folders -- */

static size_t store_rf_key(uint8_t *out, size_t cap, const uint8_t *mbox,
                           const char *cls)
{
    size_t n = strlen(cls);

    if (STORE_GUID_LEN + 1 + n > cap)
        return 0;
    memcpy(out, mbox, STORE_GUID_LEN);
    out[STORE_GUID_LEN] = 'R';
    for (size_t i = 0; i < n; i++)
        out[STORE_GUID_LEN + 1 + i] = (uint8_t)tolower((unsigned char)cls[i]);
    return STORE_GUID_LEN + 1 + n;
}

static int store_rf_put(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                        const char *cls, uint64_t fid)
{
    uint8_t k[STORE_GUID_LEN + 1 + 256], v[16];
    size_t klen = store_rf_key(k, sizeof(k), mbox, cls);
    mapi_wr wr;

    if (klen == 0)
        return EINVAL;
    if (fid == 0)
        return store_db_del(db->meta, txn, k, klen);
    mapi_wr_init_fixed(&wr, v, sizeof(v));
    mapi_wr_u64(&wr, fid);
    mapi_wr_u64(&wr, (uint64_t)apr_time_now());
    return store_db_put(db->meta, txn, k, klen, v, sizeof(v));
}

/* ------------------------------------------------------------- create -- */

static void store_set_eid(store_props *p, uint32_t tag,
                          const store_mailbox_info *mi, store_special s)
{
    uint8_t eid[46];

    store_folder_entry_id(mi, mi->folder_ids[s], eid);
    store_props_set_bin(p, tag, eid, sizeof(eid));
}

/* The entry ids Outlook reads from the root and the Inbox to find the
 * special folders ([MS-OXOSFLD] 2.2). */
static void store_set_ipm_eids(store_props *p, const store_mailbox_info *mi)
{
    static const store_special ren[] = {
        STORE_FOLDER_CONFLICTS, STORE_FOLDER_SYNC_ISSUES,
        STORE_FOLDER_LOCAL_FAILURES, STORE_FOLDER_SERVER_FAILURES,
        STORE_FOLDER_JUNK,
    };
    rop_bin bins[5];
    rop_propval mv = { .tag = PidTagAdditionalRenEntryIds };

    store_set_eid(p, PidTagIpmAppointmentEntryId, mi, STORE_FOLDER_CALENDAR);
    store_set_eid(p, PidTagIpmContactEntryId, mi, STORE_FOLDER_CONTACTS);
    store_set_eid(p, PidTagIpmJournalEntryId, mi, STORE_FOLDER_JOURNAL);
    store_set_eid(p, PidTagIpmNoteEntryId, mi, STORE_FOLDER_NOTES);
    store_set_eid(p, PidTagIpmTaskEntryId, mi, STORE_FOLDER_TASKS);
    store_set_eid(p, PidTagIpmDraftsEntryId, mi, STORE_FOLDER_DRAFTS);
    for (int i = 0; i < 5; i++) {
        uint8_t *eid = apr_palloc(p->pool, 46);

        store_folder_entry_id(mi, mi->folder_ids[ren[i]], eid);
        bins[i].len = 46;
        bins[i].data = eid;
    }
    mv.v.mv.count = 5;
    mv.v.mv.v.bin = bins;
    store_props_set(p, &mv);
}

static int store_patch_folder(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                              const store_mailbox_info *mi, store_special s,
                              const char *cls, int ipm_eids)
{
    store_folder *f;
    int ret = store_folder_read(db, txn, pool, mi->mailbox_guid,
                                mi->folder_ids[s], &f, DB_RMW);

    if (ret != 0)
        return ret;
    if (cls != NULL)
        store_props_set_str(&f->props, PidTagContainerClass, cls);
    if (ipm_eids)
        store_set_ipm_eids(&f->props, mi);
    return store_folder_write(db, txn, pool, mi->mailbox_guid, f);
}

static void store_set_store_props(store_mailbox_info *mi, const char *name)
{
    store_props *p = &mi->props;

    store_props_set_str(p, PidTagDisplayName, name);
    store_props_set_u32(p, PidTagObjectType, MAPI_STORE);
    store_props_set_u32(p, PidTagStoreState, 0);
    store_props_set_bin(p, PidTagStoreRecordKey, mi->mailbox_guid,
                        STORE_GUID_LEN);
    store_set_eid(p, PidTagIpmSubtreeEntryId, mi, STORE_FOLDER_IPM_SUBTREE);
    store_set_eid(p, PidTagIpmOutboxEntryId, mi, STORE_FOLDER_OUTBOX);
    store_set_eid(p, PidTagIpmWastebasketEntryId, mi,
                  STORE_FOLDER_DELETED_ITEMS);
    store_set_eid(p, PidTagIpmSentMailEntryId, mi, STORE_FOLDER_SENT_ITEMS);
    store_set_eid(p, PidTagViewsEntryId, mi, STORE_FOLDER_VIEWS);
    store_set_eid(p, PidTagCommonViewsEntryId, mi, STORE_FOLDER_COMMON_VIEWS);
    store_set_eid(p, PidTagFinderEntryId, mi, STORE_FOLDER_FINDER);
}

typedef struct store_mcreate {
    store_txn t;
    const char *name;
    uint8_t replica[STORE_GUID_LEN], per_user[STORE_GUID_LEN];
} store_mcreate;

static int store_tree_make(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                           store_mailbox_info *mi, const char *root_name)
{
    int ret = store_folder_make(db, txn, pool, mi, 0, STORE_FOLDER_GENERIC,
                                root_name, NULL,
                                &mi->folder_ids[STORE_FOLDER_ROOT]);

    for (size_t i = 0; ret == 0 && i < sizeof(store_tree) /
                                        sizeof(store_tree[0]); i++) {
        const store_tree_entry *e = &store_tree[i];

        ret = store_folder_make(db, txn, pool, mi, mi->folder_ids[e->parent],
                                STORE_FOLDER_GENERIC, e->name, NULL,
                                &mi->folder_ids[e->which]);
    }
    for (size_t i = 0; ret == 0 && i < sizeof(store_tree) /
                                        sizeof(store_tree[0]); i++)
        if (store_tree[i].container_class != NULL)
            ret = store_patch_folder(db, txn, pool, mi, store_tree[i].which,
                                     store_tree[i].container_class, 0);
    if (ret == 0)
        ret = store_patch_folder(db, txn, pool, mi, STORE_FOLDER_ROOT, NULL, 1);
    if (ret == 0)
        ret = store_patch_folder(db, txn, pool, mi, STORE_FOLDER_INBOX, NULL,
                                 1);
    return ret;
}

static int store_mailbox_create_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_mcreate *b = baton;
    apr_pool_t *pool = b->t.pool;
    store_mailbox_info mi;
    int ret = store_info_read(db, txn, pool, b->t.mbox, &mi, DB_RMW);

    if (ret == 0)
        return store_abort(&b->t, STORE_EXISTS);
    if (ret != DB_NOTFOUND)
        return store_db_fail(&b->t, ret, "create mailbox");
    memset(&mi, 0, sizeof(mi));
    memcpy(mi.mailbox_guid, b->t.mbox, STORE_GUID_LEN);
    memcpy(mi.replica_guid, b->replica, STORE_GUID_LEN);
    memcpy(mi.per_user_guid, b->per_user, STORE_GUID_LEN);
    mi.next_counter = 1;
    mi.next_named_id = 0x8000;
    mi.created = apr_time_now();
    store_props_init(&mi.props, pool);
    /* Marked before any message exists: its index is complete. */
    ret = store_sortidx_mark(db, txn, b->t.mbox);
    if (ret == 0)
        ret = store_tree_make(db, txn, pool, &mi, b->name);
    if (ret == 0) {
        store_set_store_props(&mi, b->name);
        ret = store_info_write(db, txn, pool, &mi);
    }
    if (ret == 0)
        ret = store_rf_put(db, txn, b->t.mbox, "",
                           mi.folder_ids[STORE_FOLDER_INBOX]);
    if (ret == 0)
        ret = store_rf_put(db, txn, b->t.mbox, "IPM",
                           mi.folder_ids[STORE_FOLDER_INBOX]);
    /* [MS-OXCSTOR] R782: "Report.IPM" goes to the Inbox too. */
    if (ret == 0)
        ret = store_rf_put(db, txn, b->t.mbox, "Report.IPM",
                           mi.folder_ids[STORE_FOLDER_INBOX]);
    if (ret == 0)
        ret = store_rf_put(db, txn, b->t.mbox, "IPC",
                           mi.folder_ids[STORE_FOLDER_ROOT]);
    return ret ? store_db_fail(&b->t, ret, "create mailbox") : 0;
}

static int store_new_guid(uint8_t g[STORE_GUID_LEN])
{
    if (RAND_bytes(g, STORE_GUID_LEN) != 1)
        return -1;
    g[7] = (uint8_t)((g[7] & 0x0f) | 0x40);   /* version 4 */
    g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    return 0;
}

store_status store_mailbox_create(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  const char *display_name,
                                  const char **error_r)
{
    store_mcreate b = { .t = { .pool = pool, .mbox = mbox },
                        .name = apr_psprintf(pool, "Mailbox - %s",
                                             display_name ? display_name
                                                          : "") };

    if (store_new_guid(b.replica) != 0 || store_new_guid(b.per_user) != 0) {
        if (error_r)
            *error_r = "mailbox store: the random number generator failed";
        return STORE_DB_ERROR;
    }
    return store_run(db, store_mailbox_create_txn, &b.t, "create mailbox",
                     error_r);
}

/* ---------------------------------------------------------------- get -- */

store_status store_mailbox_get(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               store_mailbox_info **info_r,
                               const char **error_r)
{
    store_mailbox_info *mi = apr_pcalloc(pool, sizeof(*mi));
    store_status st = store_read_status(db, pool,
                                        store_info_read(db, NULL, pool, mbox,
                                                        mi, 0),
                                        "mailbox info", error_r);

    if (st == STORE_OK)
        *info_r = mi;
    return st;
}

/* ------------------------------------------------------------- delete -- */

static int store_delete_prefix(DB *d, DB_TXN *txn, apr_pool_t *pool,
                               const uint8_t *mbox)
{
    apr_array_header_t *keys;
    int ret = store_db_keys(d, txn, mbox, STORE_GUID_LEN, pool, &keys);

    for (int i = 0; ret == 0 && i < keys->nelts; i++) {
        const rop_bin *k = &APR_ARRAY_IDX(keys, i, rop_bin);

        ret = store_db_del(d, txn, k->data, k->len);
    }
    return ret;
}

static int store_mailbox_delete_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_txn *t = baton;
    store_mailbox_info mi;
    int ret = store_info_read(db, txn, t->pool, t->mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_delete_prefix(db->contents, txn, t->pool, t->mbox);
    if (ret == 0)
        ret = store_delete_prefix(db->messages, txn, t->pool, t->mbox);
    if (ret == 0)
        ret = store_delete_prefix(db->folders, txn, t->pool, t->mbox);
    if (ret == 0)
        ret = store_blob_free_owner(db, txn, t->pool, t->mbox);
    if (ret == 0)
        ret = store_delete_prefix(db->meta, txn, t->pool, t->mbox);
    return ret ? store_db_fail(t, ret, "delete mailbox") : 0;
}

store_status store_mailbox_delete(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  const char **error_r)
{
    store_txn t = { .pool = pool, .mbox = mbox };

    return store_run(db, store_mailbox_delete_txn, &t, "delete mailbox",
                     error_r);
}

/* ---------------------------------------------------- receive folders -- */

static int store_rf_decode(const uint8_t *data, size_t len,
                           store_receive_entry *e)
{
    mapi_rd rd;
    uint64_t changed = 0;

    mapi_rd_init(&rd, data, len);
    mapi_rd_u64(&rd, &e->fid);
    mapi_rd_u64(&rd, &changed);
    e->changed = (apr_time_t)changed;
    return rd.failed || mapi_rd_left(&rd) ? -1 : 0;
}

store_status store_receive_folder_get(mapi_db *db, apr_pool_t *pool,
                                      const uint8_t mbox[STORE_GUID_LEN],
                                      const char *message_class,
                                      uint64_t *fid_r, const char **class_r,
                                      const char **error_r)
{
    const char *cls = message_class ? message_class : "";
    size_t n = strlen(cls);

    /* Longest prefix first: "IPM.Note.X", "IPM.Note", "IPM", "". */
    for (;;) {
        uint8_t k[STORE_GUID_LEN + 1 + 256];
        size_t klen = store_rf_key(k, sizeof(k), mbox,
                                   apr_pstrmemdup(pool, cls, n));
        const uint8_t *data;
        size_t len;
        store_receive_entry e;
        int ret = klen ? store_db_get(db->meta, NULL, k, klen, pool, &data,
                                      &len, 0) : DB_NOTFOUND;

        if (ret == 0 && store_rf_decode(data, len, &e) == 0) {
            *fid_r = e.fid;
            if (class_r)
                *class_r = apr_pstrmemdup(pool, cls, n);
            return STORE_OK;
        }
        if (ret != 0 && ret != DB_NOTFOUND) {
            if (error_r)
                *error_r = mapi_db_strerror(pool, db, "receive folder", ret);
            return STORE_DB_ERROR;
        }
        if (n == 0)
            return STORE_NOT_FOUND;
        while (n > 0 && cls[n - 1] != '.')
            n--;
        if (n > 0)
            n--;    /* drop the dot too */
    }
}

typedef struct store_rfset {
    store_txn t;
    const char *cls;
    uint64_t fid;
} store_rfset;

static int store_rf_set_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_rfset *b = baton;
    store_folder *f;
    int ret = 0;

    if (b->fid != 0) {
        ret = store_folder_read(db, txn, b->t.pool, b->t.mbox, b->fid, &f, 0);
        if (ret == 0 && f->deleted)
            ret = DB_NOTFOUND;
    }
    if (ret == 0)
        ret = store_rf_put(db, txn, b->t.mbox, b->cls, b->fid);
    return ret ? store_db_fail(&b->t, ret, "set receive folder") : 0;
}

store_status store_receive_folder_set(mapi_db *db, apr_pool_t *pool,
                                      const uint8_t mbox[STORE_GUID_LEN],
                                      const char *message_class, uint64_t fid,
                                      const char **error_r)
{
    store_rfset b = { { .pool = pool, .mbox = mbox },
                      message_class ? message_class : "", fid };

    if (strlen(b.cls) > 255)
        return STORE_INVALID;
    return store_run(db, store_rf_set_txn, &b.t, "set receive folder",
                     error_r);
}

store_status store_receive_folder_list(mapi_db *db, apr_pool_t *pool,
                                       const uint8_t mbox[STORE_GUID_LEN],
                                       apr_array_header_t **entries_r,
                                       const char **error_r)
{
    uint8_t prefix[STORE_GUID_LEN + 1];
    apr_array_header_t *keys, *out;
    int ret;

    memcpy(prefix, mbox, STORE_GUID_LEN);
    prefix[STORE_GUID_LEN] = 'R';
    ret = store_db_keys(db->meta, NULL, prefix, sizeof(prefix), pool, &keys);
    out = apr_array_make(pool, 4, sizeof(store_receive_entry));
    for (int i = 0; ret == 0 && keys && i < keys->nelts; i++) {
        const rop_bin *k = &APR_ARRAY_IDX(keys, i, rop_bin);
        const uint8_t *data;
        size_t len;
        store_receive_entry e;

        ret = store_db_get(db->meta, NULL, k->data, k->len, pool, &data,
                           &len, 0);
        if (ret == DB_NOTFOUND) {
            ret = 0;
            continue;
        }
        if (ret == 0 && store_rf_decode(data, len, &e) != 0)
            ret = EINVAL;
        if (ret == 0) {
            e.message_class = apr_pstrmemdup(pool,
                (const char *)k->data + sizeof(prefix),
                k->len - sizeof(prefix));
            APR_ARRAY_PUSH(out, store_receive_entry) = e;
        }
    }
    if (ret != 0) {
        if (error_r)
            *error_r = mapi_db_strerror(pool, db, "list receive folders",
                                        ret);
        return STORE_DB_ERROR;
    }
    *entries_r = out;
    return STORE_OK;
}
