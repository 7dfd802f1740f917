/*
 * store_replica.c: the REPLID <-> REPLGUID map of a mailbox ([MS-OXCSTOR]
 * 3.2.5.9, 3.2.5.10; [MS-OXCDATA] 2.2.1.1).
 *
 * Ids carry a 16-bit replica id; long-term ids carry the replica's GUID.
 * The mailbox's own replica is REPLID 1 (STORE_REPLID) with the GUID of
 * its info record.  A long-term id naming any other GUID gets a REPLID of
 * its own the first time it is seen (R950, R1246), so that ids of other
 * replicas (another store's messages, later synchronisation peers) can be
 * converted both ways and stay stable.
 *
 * Meta entries: mbox 'G' guid -> replid (u16 BE), mbox 'g' replid (BE) ->
 * guid, and mbox 'C' -> the next REPLID to hand out (u16 BE, from 2).
 * They share the mailbox prefix, so remove-mailbox deletes them.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <string.h>

#define STORE_REPLID_FIRST_FOREIGN 0x0002
#define STORE_REPLID_LAST          0xFFFE

static size_t store_rg_key(uint8_t *k, const uint8_t *mbox, uint8_t kind,
                           const uint8_t *rest, size_t n)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    k[STORE_GUID_LEN] = kind;
    if (n)
        memcpy(k + STORE_GUID_LEN + 1, rest, n);
    return STORE_GUID_LEN + 1 + n;
}

typedef struct store_rmap {
    store_txn t;
    const uint8_t *guid;
    int create;
    uint16_t replid;
} store_rmap;

/* The next free REPLID, advanced under the counter's write lock so that
 * two sessions meeting the same new GUID agree on one. */
static int store_replid_take(mapi_db *db, DB_TXN *txn, store_rmap *b)
{
    uint8_t k[STORE_GUID_LEN + 1], v[2];
    const uint8_t *data;
    size_t len, kl = store_rg_key(k, b->t.mbox, 'C', NULL, 0);
    int ret = store_db_get(db->meta, txn, k, kl, b->t.pool, &data, &len,
                           DB_RMW);
    uint16_t next = STORE_REPLID_FIRST_FOREIGN;

    if (ret == 0 && len == 2)
        next = (uint16_t)(data[0] << 8 | data[1]);
    else if (ret != DB_NOTFOUND)
        return ret ? ret : EINVAL;
    if (next > STORE_REPLID_LAST)
        return ENOSPC;
    b->replid = next++;
    v[0] = (uint8_t)(next >> 8);
    v[1] = (uint8_t)next;
    return store_db_put(db->meta, txn, k, kl, v, 2);
}

static int store_replid_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    store_rmap *b = baton;
    uint8_t gk[STORE_GUID_LEN + 1 + 16], rk[STORE_GUID_LEN + 3], v[2];
    const uint8_t *data;
    size_t len, gl = store_rg_key(gk, b->t.mbox, 'G', b->guid, 16), rl;
    int ret = store_db_get(db->meta, txn, gk, gl, b->t.pool, &data, &len,
                           b->create ? DB_RMW : 0);

    if (ret == 0 && len == 2) {
        b->replid = (uint16_t)(data[0] << 8 | data[1]);
        return 0;
    }
    if (ret != DB_NOTFOUND)
        return store_db_fail(&b->t, ret ? ret : EINVAL, "map replica");
    if (!b->create)
        return store_abort(&b->t, STORE_NOT_FOUND);
    if ((ret = store_replid_take(db, txn, b)) == ENOSPC)
        return store_abort(&b->t, STORE_TOO_BIG);
    v[0] = (uint8_t)(b->replid >> 8);
    v[1] = (uint8_t)b->replid;
    rl = store_rg_key(rk, b->t.mbox, 'g', v, 2);
    if (ret == 0)
        ret = store_db_put(db->meta, txn, gk, gl, v, 2);
    if (ret == 0)
        ret = store_db_put(db->meta, txn, rk, rl, b->guid, 16);
    return ret ? store_db_fail(&b->t, ret, "map replica") : 0;
}

store_status store_replid_from_guid(mapi_db *db, apr_pool_t *pool,
                                    const store_mailbox_info *mi,
                                    const uint8_t guid[16], int create,
                                    uint16_t *replid_r, const char **error_r)
{
    store_rmap b = { { .pool = pool, .mbox = mi->mailbox_guid }, guid,
                     create, 0 };
    store_status st;

    if (memcmp(guid, mi->replica_guid, STORE_GUID_LEN) == 0) {
        *replid_r = STORE_REPLID;
        return STORE_OK;
    }
    st = store_run(db, store_replid_txn, &b.t, "map replica", error_r);
    if (st == STORE_OK)
        *replid_r = b.replid;
    return st;
}

store_status store_guid_from_replid(mapi_db *db, apr_pool_t *pool,
                                    const store_mailbox_info *mi,
                                    uint16_t replid, uint8_t guid_r[16],
                                    const char **error_r)
{
    uint8_t rk[STORE_GUID_LEN + 3], v[2] = { (uint8_t)(replid >> 8),
                                             (uint8_t)replid };
    const uint8_t *data;
    size_t len, rl;
    int ret;

    if (replid == STORE_REPLID) {
        memcpy(guid_r, mi->replica_guid, STORE_GUID_LEN);
        return STORE_OK;
    }
    rl = store_rg_key(rk, mi->mailbox_guid, 'g', v, 2);
    ret = store_db_get(db->meta, NULL, rk, rl, pool, &data, &len, 0);
    if (ret == DB_NOTFOUND || (ret == 0 && len != 16))
        return STORE_NOT_FOUND;
    if (ret != 0) {
        if (error_r)
            *error_r = db_strerror(ret);
        return STORE_DB_ERROR;
    }
    memcpy(guid_r, data, 16);
    return STORE_OK;
}

store_status store_ltid_from_id_db(mapi_db *db, apr_pool_t *pool,
                                   const store_mailbox_info *mi, uint64_t id,
                                   rop_long_term_id *ltid_r,
                                   const char **error_r)
{
    store_status st = store_guid_from_replid(db, pool, mi, STORE_ID_REPLID(id),
                                             ltid_r->database_guid, error_r);

    if (st != STORE_OK)
        return st;
    store_counter_bytes(store_id_counter(id), ltid_r->global_counter);
    ltid_r->pad = 0;
    return STORE_OK;
}

store_status store_id_from_ltid_db(mapi_db *db, apr_pool_t *pool,
                                   const store_mailbox_info *mi,
                                   const rop_long_term_id *ltid,
                                   uint64_t *id_r, const char **error_r)
{
    uint16_t replid;
    store_status st = store_replid_from_guid(db, pool, mi,
                                             ltid->database_guid, 1, &replid,
                                             error_r);

    if (st == STORE_OK)
        *id_r = store_id_make(replid, store_counter_from(ltid->global_counter));
    return st;
}
