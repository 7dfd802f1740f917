/*
 * store_named.c: named property ids of a mailbox ([MS-OXCPRPT] 3.2.5.8).
 *
 * Two meta entries per name: mbox "N" kind guid (lid BE | name) -> id, and
 * mbox "I" id (BE) -> kind guid (lid | name), so that both directions are
 * one lookup.  Ids come from the info record's next_named_id under its
 * write lock, so two sessions mapping the same new name agree on one id.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <string.h>
#include <apr_strings.h>

#define STORE_NAME_MAX   1024
#define STORE_NAMED_LAST 0xFFFE

static int store_name_key(mapi_wr *wr, const uint8_t *mbox,
                          const rop_property_name *n)
{
    mapi_wr_bytes(wr, mbox, STORE_GUID_LEN);
    mapi_wr_u8(wr, 'N');
    mapi_wr_u8(wr, n->kind);
    mapi_wr_bytes(wr, n->guid, 16);
    if (n->kind == ROP_MNID_ID) {
        uint8_t be[4] = { (uint8_t)(n->lid >> 24), (uint8_t)(n->lid >> 16),
                          (uint8_t)(n->lid >> 8), (uint8_t)n->lid };

        mapi_wr_bytes(wr, be, 4);
    } else {
        mapi_wr_bytes(wr, n->name, strlen(n->name));
    }
    return wr->failed ? -1 : 0;
}

static void store_id_key(uint8_t k[STORE_GUID_LEN + 3], const uint8_t *mbox,
                         uint16_t id)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    k[STORE_GUID_LEN] = 'I';
    k[STORE_GUID_LEN + 1] = (uint8_t)(id >> 8);
    k[STORE_GUID_LEN + 2] = (uint8_t)id;
}

static int store_name_valid(const rop_property_name *n)
{
    if (n == NULL || n->guid == NULL)
        return 0;
    if (n->kind == ROP_MNID_ID)
        return 1;
    return n->kind == ROP_MNID_STRING && n->name != NULL &&
           strlen(n->name) <= STORE_NAME_MAX;
}

typedef struct store_nmap {
    store_txn t;
    const rop_property_name *name;
    int create;
    uint16_t id;
} store_nmap;

static int store_named_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_nmap *b = baton;
    apr_pool_t *pool = b->t.pool;
    uint8_t kbuf[STORE_GUID_LEN + 2 + 16 + STORE_NAME_MAX + 4];
    uint8_t ik[STORE_GUID_LEN + 3], v[2];
    const uint8_t *data;
    size_t len;
    store_mailbox_info mi;
    mapi_wr wr;
    int ret;

    mapi_wr_init_fixed(&wr, kbuf, sizeof(kbuf));
    if (store_name_key(&wr, b->t.mbox, b->name) != 0)
        return store_abort(&b->t, STORE_INVALID);
    ret = store_db_get(db->meta, txn, kbuf, wr.len, pool, &data, &len,
                       b->create ? DB_RMW : 0);
    if (ret == 0 && len == 2) {
        b->id = (uint16_t)(data[0] << 8 | data[1]);
        return 0;
    }
    if (ret != DB_NOTFOUND)
        return store_db_fail(&b->t, ret ? ret : EINVAL, "map named property");
    if (!b->create) {
        b->id = 0;
        return 0;
    }
    ret = store_info_read(db, txn, pool, b->t.mbox, &mi, DB_RMW);
    if (ret != 0)
        return store_db_fail(&b->t, ret, "map named property");
    if (mi.next_named_id < 0x8000 || mi.next_named_id > STORE_NAMED_LAST)
        return store_abort(&b->t, STORE_TOO_BIG);
    b->id = mi.next_named_id++;
    v[0] = (uint8_t)(b->id >> 8);
    v[1] = (uint8_t)b->id;
    ret = store_info_write(db, txn, pool, &mi);
    if (ret == 0)
        ret = store_db_put(db->meta, txn, kbuf, wr.len, v, 2);
    store_id_key(ik, b->t.mbox, b->id);
    /* The reverse entry is the name key without the mailbox and 'N'. */
    if (ret == 0)
        ret = store_db_put(db->meta, txn, ik, sizeof(ik),
                           kbuf + STORE_GUID_LEN + 1,
                           wr.len - STORE_GUID_LEN - 1);
    return ret ? store_db_fail(&b->t, ret, "map named property") : 0;
}

store_status store_named_to_id(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               const rop_property_name *name, int create,
                               uint16_t *id_r, const char **error_r)
{
    store_nmap b = { { .pool = pool, .mbox = mbox }, name, create, 0 };
    store_status st;

    if (!store_name_valid(name))
        return STORE_INVALID;
    st = store_run(db, store_named_txn, &b.t, "map named property", error_r);
    if (st == STORE_OK)
        *id_r = b.id;
    return st;
}

static int store_name_decode(const uint8_t *data, size_t len,
                             apr_pool_t *pool, rop_property_name *n)
{
    mapi_rd rd;
    const uint8_t *g, *rest;

    memset(n, 0, sizeof(*n));
    mapi_rd_init(&rd, data, len);
    if (mapi_rd_u8(&rd, &n->kind) != 0 || mapi_rd_view(&rd, 16, &g) != 0)
        return -1;
    n->guid = apr_pmemdup(pool, g, 16);
    if (n->kind == ROP_MNID_ID) {
        if (mapi_rd_view(&rd, 4, &rest) != 0 || mapi_rd_left(&rd) != 0)
            return -1;
        n->lid = (uint32_t)rest[0] << 24 | (uint32_t)rest[1] << 16 |
                 (uint32_t)rest[2] << 8 | rest[3];
        return 0;
    }
    if (n->kind != ROP_MNID_STRING || mapi_rd_left(&rd) > STORE_NAME_MAX)
        return -1;
    len = mapi_rd_left(&rd);
    mapi_rd_view(&rd, len, &rest);
    n->name = apr_pstrmemdup(pool, (const char *)rest, len);
    return 0;
}

store_status store_named_from_id(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint16_t id, rop_property_name *name_r,
                                 const char **error_r)
{
    uint8_t ik[STORE_GUID_LEN + 3];
    const uint8_t *data;
    size_t len;
    int ret;

    store_id_key(ik, mbox, id);
    ret = store_db_get(db->meta, NULL, ik, sizeof(ik), pool, &data, &len, 0);
    if (ret == DB_NOTFOUND)
        return STORE_NOT_FOUND;
    if (ret == 0 && store_name_decode(data, len, pool, name_r) != 0)
        ret = EINVAL;
    if (ret != 0) {
        if (error_r)
            *error_r = mapi_db_strerror(pool, db, "named property", ret);
        return STORE_DB_ERROR;
    }
    return STORE_OK;
}

store_status store_named_list(mapi_db *db, apr_pool_t *pool,
                              const uint8_t mbox[STORE_GUID_LEN],
                              const uint8_t *guid,
                              apr_array_header_t **ids_r,
                              apr_array_header_t **names_r,
                              const char **error_r)
{
    uint8_t prefix[STORE_GUID_LEN + 1];
    apr_array_header_t *keys = NULL;
    apr_array_header_t *ids = apr_array_make(pool, 16, sizeof(uint16_t));
    apr_array_header_t *names = apr_array_make(pool, 16,
                                               sizeof(rop_property_name));
    int ret;

    memcpy(prefix, mbox, STORE_GUID_LEN);
    prefix[STORE_GUID_LEN] = 'I';
    ret = store_db_keys(db->meta, NULL, prefix, sizeof(prefix), pool, &keys);
    for (int i = 0; ret == 0 && i < keys->nelts; i++) {
        const rop_bin *k = &APR_ARRAY_IDX(keys, i, rop_bin);
        uint16_t id;
        rop_property_name n;
        store_status st;

        if (k->len != STORE_GUID_LEN + 3)
            continue;
        id = (uint16_t)(k->data[STORE_GUID_LEN + 1] << 8 |
                        k->data[STORE_GUID_LEN + 2]);
        st = store_named_from_id(db, pool, mbox, id, &n, error_r);
        if (st == STORE_NOT_FOUND)
            continue;
        if (st != STORE_OK)
            return st;
        if (guid != NULL && memcmp(guid, n.guid, 16) != 0)
            continue;
        APR_ARRAY_PUSH(ids, uint16_t) = id;
        APR_ARRAY_PUSH(names, rop_property_name) = n;
    }
    if (ret != 0) {
        if (error_r)
            *error_r = mapi_db_strerror(pool, db, "list named properties",
                                        ret);
        return STORE_DB_ERROR;
    }
    *ids_r = ids;
    *names_r = names;
    return STORE_OK;
}
