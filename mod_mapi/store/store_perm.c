/*
 * store_perm.c: folder permissions ([MS-OXCPERM] 2.2.7), kept in the meta
 * db of the shared environment (see store.h, "permissions"), and the
 * address book EntryIDs that name members and message creators.
 *
 * Keys: mbox 'U' 'p' fid (BE) member id (BE) -> rights (u32 LE) | member
 * mailbox GUID (16).  One folder's list is one prefix, so listing and
 * dropping it with the folder are prefix scans; the whole mailbox's lists
 * are the prefix mbox 'U' 'p', which RopLogon to another mailbox scans.
 * Default (id 0) sorts first; its record is absent while its rights are
 * None.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <string.h>
#include <strings.h>
#include <apr_strings.h>

#define PERM_KEY_ALL_LEN     (STORE_GUID_LEN + 2)
#define PERM_KEY_FOLDER_LEN  (PERM_KEY_ALL_LEN + 8)
#define PERM_KEY_LEN         (PERM_KEY_FOLDER_LEN + 8)
#define PERM_REC_LEN         (4 + STORE_GUID_LEN)
/* An entry removed earlier in the same modification. */
#define PERM_REMOVED         (UINT64_MAX - 1)

static void perm_key_all(uint8_t k[PERM_KEY_ALL_LEN], const uint8_t *mbox)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    k[STORE_GUID_LEN] = 'U';
    k[STORE_GUID_LEN + 1] = 'p';
}

static size_t perm_key(uint8_t *k, const uint8_t *mbox, uint64_t fid,
                       uint64_t member_id, int with_member)
{
    perm_key_all(k, mbox);
    store_be64(k + PERM_KEY_ALL_LEN, fid);
    if (!with_member)
        return PERM_KEY_FOLDER_LEN;
    store_be64(k + PERM_KEY_FOLDER_LEN, member_id);
    return PERM_KEY_LEN;
}

static int perm_decode(const uint8_t *data, size_t len, store_perm_entry *e)
{
    if (len != PERM_REC_LEN)
        return EINVAL;
    e->rights = (uint32_t)data[0] | (uint32_t)data[1] << 8
                | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
    memcpy(e->member, data + 4, STORE_GUID_LEN);
    return 0;
}

static int perm_write(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                      uint64_t fid, const store_perm_entry *e)
{
    uint8_t k[PERM_KEY_LEN], rec[PERM_REC_LEN];

    perm_key(k, mbox, fid, e->member_id, 1);
    rec[0] = (uint8_t)e->rights;
    rec[1] = (uint8_t)(e->rights >> 8);
    rec[2] = (uint8_t)(e->rights >> 16);
    rec[3] = (uint8_t)(e->rights >> 24);
    memcpy(rec + 4, e->member, STORE_GUID_LEN);
    return store_db_put(db->meta, txn, k, sizeof(k), rec, sizeof(rec));
}

/* Every stored entry under prefix (one folder or the whole mailbox), in
 * key order; *fids_r (may be NULL) gets each entry's folder. */
static int perm_read(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                     const uint8_t *prefix, size_t plen,
                     apr_array_header_t **entries_r,
                     apr_array_header_t **fids_r)
{
    apr_array_header_t *keys;
    int ret;

    *entries_r = apr_array_make(pool, 8, sizeof(store_perm_entry));
    if (fids_r)
        *fids_r = apr_array_make(pool, 8, sizeof(uint64_t));
    if ((ret = store_db_keys(db->meta, txn, prefix, plen, pool, &keys)) != 0)
        return ret;
    for (int i = 0; i < keys->nelts; i++) {
        const rop_bin *key = &APR_ARRAY_IDX(keys, i, rop_bin);
        store_perm_entry e;
        const uint8_t *data;
        size_t len;

        if (key->len != PERM_KEY_LEN)
            continue;
        ret = store_db_get(db->meta, txn, key->data, key->len, pool, &data,
                           &len, txn ? DB_RMW : 0);
        if (ret == DB_NOTFOUND)
            continue;
        if (ret == 0)
            ret = perm_decode(data, len, &e);
        if (ret != 0)
            return ret;
        e.member_id = store_rd_be64(key->data + PERM_KEY_FOLDER_LEN);
        APR_ARRAY_PUSH(*entries_r, store_perm_entry) = e;
        if (fids_r)
            APR_ARRAY_PUSH(*fids_r, uint64_t) =
                store_rd_be64(key->data + PERM_KEY_ALL_LEN);
    }
    return 0;
}

static int perm_is_special(uint64_t id)
{
    return id == STORE_MEMBER_DEFAULT || id == STORE_MEMBER_ANONYMOUS;
}

/* The list as a client sees it: Default first, then the members, then
 * Anonymous, the two special entries always there ([MS-OXCPERM] R189,
 * R190) with rights None while nothing is stored for them. */
static apr_array_header_t *perm_complete(apr_pool_t *pool,
                                         const apr_array_header_t *stored)
{
    apr_array_header_t *out = apr_array_make(pool, stored->nelts + 2,
                                             sizeof(store_perm_entry));
    store_perm_entry dflt = { STORE_MEMBER_DEFAULT, {0}, 0 };
    store_perm_entry anon = { STORE_MEMBER_ANONYMOUS, {0}, 0 };

    for (int i = 0; i < stored->nelts; i++) {
        const store_perm_entry *e = &APR_ARRAY_IDX(stored, i,
                                                   store_perm_entry);
        if (e->member_id == STORE_MEMBER_DEFAULT)
            dflt.rights = e->rights;
        else if (e->member_id == STORE_MEMBER_ANONYMOUS)
            anon.rights = e->rights;
    }
    APR_ARRAY_PUSH(out, store_perm_entry) = dflt;
    for (int i = 0; i < stored->nelts; i++) {
        const store_perm_entry *e = &APR_ARRAY_IDX(stored, i,
                                                   store_perm_entry);
        if (!perm_is_special(e->member_id))
            APR_ARRAY_PUSH(out, store_perm_entry) = *e;
    }
    APR_ARRAY_PUSH(out, store_perm_entry) = anon;
    return out;
}

store_status store_perm_list(mapi_db *db, apr_pool_t *pool,
                             const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                             apr_array_header_t **entries_r,
                             const char **error_r)
{
    uint8_t prefix[PERM_KEY_FOLDER_LEN];
    apr_array_header_t *stored;
    store_folder *f;
    int ret;

    ret = store_folder_read(db, NULL, pool, mbox, fid, &f, 0);
    if (ret == 0 && f->deleted)
        ret = DB_NOTFOUND;
    perm_key(prefix, mbox, fid, 0, 0);
    if (ret == 0)
        ret = perm_read(db, NULL, pool, prefix, sizeof(prefix), &stored,
                        NULL);
    if (ret != 0)
        return store_read_status(db, pool, ret, "permissions", error_r);
    *entries_r = perm_complete(pool, stored);
    return STORE_OK;
}

int store_perm_drop_folder(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                           const uint8_t *mbox, uint64_t fid)
{
    uint8_t prefix[PERM_KEY_FOLDER_LEN];
    apr_array_header_t *keys;
    int ret;

    perm_key(prefix, mbox, fid, 0, 0);
    ret = store_db_keys(db->meta, txn, prefix, sizeof(prefix), pool, &keys);
    for (int i = 0; ret == 0 && i < keys->nelts; i++) {
        const rop_bin *k = &APR_ARRAY_IDX(keys, i, rop_bin);

        ret = store_db_del(db->meta, txn, k->data, k->len);
    }
    return ret;
}

/* ---------------------------------------------------------- modify -- */

typedef struct perm_mod {
    store_txn t;
    uint64_t fid;
    int replace;
    const store_perm_change *changes;
    unsigned n;
} perm_mod;

static store_perm_entry *perm_find_id(apr_array_header_t *list, uint64_t id)
{
    for (int i = 0; i < list->nelts; i++) {
        store_perm_entry *e = &APR_ARRAY_IDX(list, i, store_perm_entry);

        if (e->member_id == id)
            return e;
    }
    return NULL;
}

static store_perm_entry *perm_find_member(apr_array_header_t *list,
                                          const uint8_t *member)
{
    for (int i = 0; i < list->nelts; i++) {
        store_perm_entry *e = &APR_ARRAY_IDX(list, i, store_perm_entry);

        if (!perm_is_special(e->member_id) && e->member_id != PERM_REMOVED
            && memcmp(e->member, member, STORE_GUID_LEN) == 0)
            return e;
    }
    return NULL;
}

/* The rights a change leaves: the client's valid bits (R1093: no other
 * flag is ever set), with the bits of keep_mask taken from old. */
static uint32_t perm_new_rights(const store_perm_change *c, uint32_t old)
{
    uint32_t keep = c->keep_mask & STORE_RIGHTS_VALID;

    return ((c->rights & STORE_RIGHTS_VALID) & ~keep) | (old & keep);
}

static int perm_remove(mapi_db *db, DB_TXN *txn, const uint8_t *mbox,
                       uint64_t fid, store_perm_entry *e)
{
    uint8_t k[PERM_KEY_LEN];

    perm_key(k, mbox, fid, e->member_id, 1);
    e->member_id = PERM_REMOVED;     /* no longer found */
    return store_db_del(db->meta, txn, k, sizeof(k));
}

static int perm_add(mapi_db *db, DB_TXN *txn, perm_mod *b,
                    store_mailbox_info *mi, apr_array_header_t *list,
                    const store_perm_change *c)
{
    store_perm_entry e, *old = perm_find_member(list, c->member);
    int ret;

    /* A member already listed is not listed twice: the add sets its
     * rights. */
    if (old) {
        old->rights = perm_new_rights(c, old->rights);
        return perm_write(db, txn, b->t.mbox, b->fid, old);
    }
    memset(&e, 0, sizeof(e));
    if ((ret = store_info_alloc(db, txn, b->t.pool, mi, 1, &e.member_id)))
        return ret;
    e.member_id = store_id_make(STORE_REPLID, e.member_id);
    memcpy(e.member, c->member, STORE_GUID_LEN);
    e.rights = perm_new_rights(c, 0);
    APR_ARRAY_PUSH(list, store_perm_entry) = e;
    return perm_write(db, txn, b->t.mbox, b->fid, &e);
}

static int perm_mod_one(mapi_db *db, DB_TXN *txn, perm_mod *b,
                        store_mailbox_info *mi, apr_array_header_t *list,
                        const store_perm_change *c)
{
    store_perm_entry *e, special;

    switch (c->op) {
    case STORE_PERM_ADD:
        return perm_add(db, txn, b, mi, list, c);
    case STORE_PERM_MODIFY:
        e = perm_find_id(list, c->member_id);
        if (!e && perm_is_special(c->member_id)) {
            /* Default and Anonymous exist without a record. */
            memset(&special, 0, sizeof(special));
            special.member_id = c->member_id;
            APR_ARRAY_PUSH(list, store_perm_entry) = special;
            e = &APR_ARRAY_IDX(list, list->nelts - 1, store_perm_entry);
        }
        if (!e)
            return 0;            /* R1175: an unknown member is ignored */
        e->rights = perm_new_rights(c, e->rights);
        return perm_write(db, txn, b->t.mbox, b->fid, e);
    case STORE_PERM_REMOVE:
        /* R1175 again; removing Default or Anonymous resets it to None. */
        e = perm_find_id(list, c->member_id);
        return e ? perm_remove(db, txn, b->t.mbox, b->fid, e) : 0;
    default:
        return store_abort(&b->t, STORE_INVALID);
    }
}

/* R1197: ReplaceRows removes every entry but Default's. */
static int perm_replace(mapi_db *db, DB_TXN *txn, perm_mod *b,
                        apr_array_header_t *list)
{
    int ret = 0;

    for (int i = 0; ret == 0 && i < list->nelts; i++) {
        store_perm_entry *e = &APR_ARRAY_IDX(list, i, store_perm_entry);

        if (e->member_id != STORE_MEMBER_DEFAULT)
            ret = perm_remove(db, txn, b->t.mbox, b->fid, e);
    }
    return ret;
}

static int perm_modify_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    perm_mod *b = baton;
    uint8_t prefix[PERM_KEY_FOLDER_LEN];
    apr_array_header_t *list = NULL;
    store_mailbox_info mi;
    store_folder *f;
    int ret = store_info_read(db, txn, b->t.pool, b->t.mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_folder_read(db, txn, b->t.pool, b->t.mbox, b->fid, &f, 0);
    if (ret == 0 && f->deleted)
        ret = DB_NOTFOUND;
    perm_key(prefix, b->t.mbox, b->fid, 0, 0);
    if (ret == 0)
        ret = perm_read(db, txn, b->t.pool, prefix, sizeof(prefix), &list,
                        NULL);
    if (ret == 0 && b->replace)
        ret = perm_replace(db, txn, b, list);
    for (unsigned i = 0; ret == 0 && i < b->n; i++)
        ret = perm_mod_one(db, txn, b, &mi, list, &b->changes[i]);
    if (ret == MAPI_DB_ABORT)
        return ret;
    return ret ? store_db_fail(&b->t, ret, "modify permissions") : 0;
}

store_status store_perm_modify(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, int replace,
                               const store_perm_change *changes, unsigned n,
                               const char **error_r)
{
    perm_mod b = { { pool, mbox, STORE_OK, NULL }, fid, replace, changes, n };

    return store_run(db, perm_modify_txn, &b.t, "modify permissions",
                     error_r);
}

/* ------------------------------------------------------ evaluation -- */

/* [MS-OXCPERM] 3.2.4.1: the user's own entry (R175), else Default's
 * (R176); Anonymous is never used, every user is authenticated (R2010). */
uint32_t store_perm_effective(const apr_array_header_t *entries,
                              const uint8_t user[STORE_GUID_LEN])
{
    uint32_t dflt = 0;

    for (int i = 0; i < entries->nelts; i++) {
        const store_perm_entry *e = &APR_ARRAY_IDX(entries, i,
                                                   store_perm_entry);
        if (e->member_id == STORE_MEMBER_DEFAULT)
            dflt = e->rights;
        else if (!perm_is_special(e->member_id)
                 && memcmp(e->member, user, STORE_GUID_LEN) == 0)
            return e->rights;
    }
    return dflt;
}

store_status store_perm_rights(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid,
                               const uint8_t user[STORE_GUID_LEN],
                               uint32_t *rights_r, const char **error_r)
{
    uint8_t prefix[PERM_KEY_FOLDER_LEN];
    apr_array_header_t *stored;
    int ret;

    if (memcmp(mbox, user, STORE_GUID_LEN) == 0) {
        *rights_r = STORE_RIGHTS_OWNER;
        return STORE_OK;
    }
    perm_key(prefix, mbox, fid, 0, 0);
    ret = perm_read(db, NULL, pool, prefix, sizeof(prefix), &stored, NULL);
    if (ret != 0)
        return store_read_status(db, pool, ret, "permissions", error_r);
    *rights_r = store_perm_effective(stored, user);
    return STORE_OK;
}

/* Whether one folder's entries (entries[from, to)) give user one of the
 * bits of mask. */
static int perm_folder_grants(const apr_array_header_t *all, int from, int to,
                              const uint8_t *user, uint32_t mask)
{
    apr_array_header_t one;

    one = *all;
    one.elts = all->elts + (size_t)from * sizeof(store_perm_entry);
    one.nelts = to - from;
    return (store_perm_effective(&one, user) & mask) != 0;
}

store_status store_perm_any(mapi_db *db, apr_pool_t *pool,
                            const uint8_t mbox[STORE_GUID_LEN],
                            const uint8_t user[STORE_GUID_LEN], uint32_t mask,
                            int *any_r, const char **error_r)
{
    uint8_t prefix[PERM_KEY_ALL_LEN];
    apr_array_header_t *stored, *fids;
    int ret, start = 0;

    *any_r = memcmp(mbox, user, STORE_GUID_LEN) == 0;
    if (*any_r)
        return STORE_OK;
    perm_key_all(prefix, mbox);
    ret = perm_read(db, NULL, pool, prefix, sizeof(prefix), &stored, &fids);
    if (ret != 0)
        return store_read_status(db, pool, ret, "permissions", error_r);
    for (int i = 1; i <= stored->nelts && !*any_r; i++) {
        if (i < stored->nelts && APR_ARRAY_IDX(fids, i, uint64_t)
                                 == APR_ARRAY_IDX(fids, start, uint64_t))
            continue;
        *any_r = perm_folder_grants(stored, start, i, user, mask);
        start = i;
    }
    return STORE_OK;
}

int store_perm_allows(uint32_t rights, int owned, unsigned what)
{
    switch (what) {
    case STORE_PERM_READ:          /* R143, R144 */
        return (rights & STORE_RIGHT_READ_ANY) || owned;
    case STORE_PERM_EDIT:          /* R124, R125, R131, R132 */
        return (rights & STORE_RIGHT_EDIT_ANY)
               || (owned && (rights & STORE_RIGHT_EDIT_OWNED));
    case STORE_PERM_DELETE:        /* R121, R122, R127, R128 */
        return (rights & STORE_RIGHT_DELETE_ANY)
               || (owned && (rights & STORE_RIGHT_DELETE_OWNED));
    default:
        return 0;
    }
}

/* ------------------------------------------------ address book ids -- */

/* [MS-OXNSPI] 2.3.9.3 PermanentEntryID: ID type 0, three reserved bytes,
 * the NSPI provider UID, R4 = 1, DisplayType, the DN and its NUL. */
static const uint8_t perm_nspi_uid[16] = {
    0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
    0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82
};
#define PERM_AB_HEADER  28

void store_ab_entry_id(apr_pool_t *pool, const char *dn, rop_bin *out)
{
    size_t n = strlen(dn) + 1;
    uint8_t *b = apr_pcalloc(pool, PERM_AB_HEADER + n);

    memcpy(b + 4, perm_nspi_uid, sizeof(perm_nspi_uid));
    b[20] = 1;                    /* R4: 0x00000001 */
    /* DisplayType DT_MAILUSER: 0 (bytes 24-27 stay zero). */
    memcpy(b + PERM_AB_HEADER, dn, n);
    out->data = b;
    out->len = (uint32_t)(PERM_AB_HEADER + n);
}

const char *store_ab_entry_id_dn(apr_pool_t *pool, const uint8_t *data,
                                 size_t len)
{
    size_t n;

    if (!data || len <= PERM_AB_HEADER || data[0] != 0
        || memcmp(data + 4, perm_nspi_uid, sizeof(perm_nspi_uid)) != 0)
        return NULL;
    n = len - PERM_AB_HEADER;
    if (data[len - 1] != '\0' || memchr(data + PERM_AB_HEADER, 0, n) !=
                                 data + len - 1)
        return NULL;
    return apr_pstrmemdup(pool, (const char *)data + PERM_AB_HEADER, n - 1);
}

int store_message_created_by(apr_pool_t *pool, const store_message *m,
                             const char *dn)
{
    const rop_propval *v = store_props_get(&m->props, PidTagCreatorEntryId);
    const char *who;

    if (!v || !dn || ROP_PROP_TYPE(v->tag) != ROP_PT_BINARY)
        return 0;
    who = store_ab_entry_id_dn(pool, v->v.bin.data, v->v.bin.len);
    return who && strcasecmp(who, dn) == 0;
}
