/*
 * store_rule.c: server-side rules of a folder ([MS-OXORULE] 2.2.1.3.1),
 * kept in the meta db of the shared environment (see store.h, "rules").
 *
 * Keys: mbox 'U' 'r' fid (BE) rule id (BE) -> the rule's property bag;
 * mbox 'U' 'o' fid rule id lower(sender) -> "" (OOF history).  Big-endian
 * ids keep one folder's rules, and one rule's history, under one prefix,
 * so that listing is a prefix scan and deleting a folder or a rule is
 * one too.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

#define RULE_KEY_FOLDER_LEN  (STORE_GUID_LEN + 2 + 8)
#define RULE_KEY_LEN         (RULE_KEY_FOLDER_LEN + 8)
#define RULE_SENDER_MAX      320

static size_t rule_key(uint8_t *k, const uint8_t *mbox, uint8_t kind,
                       uint64_t fid, uint64_t rule_id, int with_rule)
{
    memcpy(k, mbox, STORE_GUID_LEN);
    k[STORE_GUID_LEN] = 'U';
    k[STORE_GUID_LEN + 1] = kind;
    store_be64(k + STORE_GUID_LEN + 2, fid);
    if (!with_rule)
        return RULE_KEY_FOLDER_LEN;
    store_be64(k + RULE_KEY_FOLDER_LEN, rule_id);
    return RULE_KEY_LEN;
}

static store_txn rule_txn(apr_pool_t *pool, const uint8_t *mbox)
{
    store_txn t = { pool, mbox, STORE_OK, NULL };

    return t;
}

static int rule_decode(const uint8_t *data, size_t len, apr_pool_t *pool,
                       uint64_t id, store_rule *r)
{
    const rop_propval *v;
    mapi_rd rd;

    mapi_rd_init(&rd, data, len);
    r->id = id;
    if (store_props_decode(&rd, pool, &r->props) < 0 || mapi_rd_left(&rd))
        return EINVAL;
    v = store_props_get(&r->props, PidTagRuleSequence);
    r->sequence = v ? v->v.l : 0;
    v = store_props_get(&r->props, PidTagRuleState);
    r->state = v ? v->v.l : 0;
    return 0;
}

static int rule_write(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                      const uint8_t *mbox, uint64_t fid, const store_rule *r,
                      size_t *len_r)
{
    uint8_t k[RULE_KEY_LEN];
    mapi_wr wr;

    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    if (store_props_encode(&wr, &r->props) < 0 || wr.failed)
        return EINVAL;
    if (len_r)
        *len_r = wr.len;
    rule_key(k, mbox, 'r', fid, r->id, 1);
    return store_db_put(db->meta, txn, k, sizeof(k), wr.buf, wr.len);
}

/* Every rule of the folder in key (id) order, with the bytes they take. */
static int rule_read_all(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                         const uint8_t *mbox, uint64_t fid,
                         apr_array_header_t **rules_r, size_t *bytes_r)
{
    uint8_t prefix[RULE_KEY_FOLDER_LEN];
    apr_array_header_t *keys;
    int ret;

    rule_key(prefix, mbox, 'r', fid, 0, 0);
    *rules_r = apr_array_make(pool, 8, sizeof(store_rule *));
    if (bytes_r)
        *bytes_r = 0;
    if ((ret = store_db_keys(db->meta, txn, prefix, sizeof(prefix), pool,
                             &keys)) != 0)
        return ret;
    for (int i = 0; i < keys->nelts; i++) {
        const rop_bin *key = &APR_ARRAY_IDX(keys, i, rop_bin);
        store_rule *r = apr_pcalloc(pool, sizeof(*r));
        const uint8_t *data;
        size_t len;

        if (key->len != RULE_KEY_LEN)
            continue;
        ret = store_db_get(db->meta, txn, key->data, key->len, pool, &data,
                           &len, txn ? DB_RMW : 0);
        if (ret == DB_NOTFOUND)
            continue;
        store_props_init(&r->props, pool);
        if (ret == 0)
            ret = rule_decode(data, len, pool,
                              store_rd_be64(key->data + RULE_KEY_FOLDER_LEN),
                              r);
        if (ret != 0)
            return ret;
        if (bytes_r)
            *bytes_r += len;
        APR_ARRAY_PUSH(*rules_r, store_rule *) = r;
    }
    return 0;
}

static int rule_cmp(const void *a, const void *b)
{
    const store_rule *x = *(store_rule *const *)a;
    const store_rule *y = *(store_rule *const *)b;

    if (x->sequence != y->sequence)
        return x->sequence < y->sequence ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

store_status store_rule_list(mapi_db *db, apr_pool_t *pool,
                             const uint8_t mbox[STORE_GUID_LEN], uint64_t fid,
                             apr_array_header_t **rules_r,
                             const char **error_r)
{
    int ret = rule_read_all(db, NULL, pool, mbox, fid, rules_r, NULL);

    if (ret != 0)
        return store_read_status(db, pool, ret, "rules", error_r);
    qsort((*rules_r)->elts, (size_t)(*rules_r)->nelts, sizeof(store_rule *),
          rule_cmp);
    return STORE_OK;
}

int store_rule_any(mapi_db *db, apr_pool_t *pool,
                   const uint8_t mbox[STORE_GUID_LEN], uint64_t fid)
{
    uint8_t prefix[RULE_KEY_FOLDER_LEN];
    apr_array_header_t *keys;

    rule_key(prefix, mbox, 'r', fid, 0, 0);
    return store_db_keys(db->meta, NULL, prefix, sizeof(prefix), pool,
                         &keys) == 0 && keys->nelts > 0;
}

/* Removes every key under prefix. */
static int rule_delete_prefix(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                              const uint8_t *prefix, size_t plen)
{
    apr_array_header_t *keys;
    int ret = store_db_keys(db->meta, txn, prefix, plen, pool, &keys);

    for (int i = 0; ret == 0 && i < keys->nelts; i++) {
        const rop_bin *k = &APR_ARRAY_IDX(keys, i, rop_bin);

        ret = store_db_del(db->meta, txn, k->data, k->len);
    }
    return ret;
}

static int rule_remove(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                       const uint8_t *mbox, uint64_t fid, uint64_t id)
{
    uint8_t k[RULE_KEY_LEN];
    int ret;

    rule_key(k, mbox, 'r', fid, id, 1);
    if ((ret = store_db_del(db->meta, txn, k, sizeof(k))) != 0)
        return ret;
    rule_key(k, mbox, 'o', fid, id, 1);
    return rule_delete_prefix(db, txn, pool, k, sizeof(k));
}

int store_rule_drop_folder(mapi_db *db, DB_TXN *txn, apr_pool_t *pool,
                           const uint8_t *mbox, uint64_t fid)
{
    uint8_t k[RULE_KEY_FOLDER_LEN];
    int ret;

    rule_key(k, mbox, 'r', fid, 0, 0);
    if ((ret = rule_delete_prefix(db, txn, pool, k, sizeof(k))) != 0)
        return ret;
    rule_key(k, mbox, 'o', fid, 0, 0);
    return rule_delete_prefix(db, txn, pool, k, sizeof(k));
}

/* ---------------------------------------------------------- modify -- */

typedef struct rule_mod {
    store_txn t;
    uint64_t fid;
    int replace;
    const store_rule_change *changes;
    unsigned n;
    uint64_t *new_ids;
} rule_mod;

static store_rule *rule_find(apr_array_header_t *rules, uint64_t id,
                             int *index_r)
{
    for (int i = 0; i < rules->nelts; i++) {
        store_rule *r = APR_ARRAY_IDX(rules, i, store_rule *);

        if (r && r->id == id) {
            if (index_r)
                *index_r = i;
            return r;
        }
    }
    return NULL;
}

/* The client's values onto r: every property but the id, which is the
 * server's (R597), and ST_ERROR / ST_RULE_PARSE_ERROR, which only the
 * server sets (R66, R77): they keep the stored value. */
static void rule_apply_props(store_rule *r, const store_props *set)
{
    uint32_t server_bits = STORE_ST_ERROR | STORE_ST_RULE_PARSE_ERROR;
    uint32_t old_state = r->state;
    const rop_propval *v;

    for (unsigned i = 0; set && i < set->count; i++)
        if (ROP_PROP_ID(set->vals[i].tag) != ROP_PROP_ID(PidTagRuleId))
            store_props_set(&r->props, &set->vals[i]);
    if ((v = store_props_get(&r->props, PidTagRuleState)) != NULL)
        store_props_set_u32(&r->props, PidTagRuleState,
                            (v->v.l & ~server_bits) | (old_state & server_bits));
    store_props_set_u64(&r->props, PidTagRuleId, r->id);
    v = store_props_get(&r->props, PidTagRuleSequence);
    r->sequence = v ? v->v.l : 0;
    v = store_props_get(&r->props, PidTagRuleState);
    r->state = v ? v->v.l : 0;
}

static int rule_mod_one(mapi_db *db, DB_TXN *txn, rule_mod *b,
                        store_mailbox_info *mi, apr_array_header_t *rules,
                        unsigned i)
{
    const store_rule_change *c = &b->changes[i];
    apr_pool_t *pool = b->t.pool;
    store_rule *r;
    int at = -1, ret;

    switch (c->op) {
    case STORE_RULE_ADD:
        r = apr_pcalloc(pool, sizeof(*r));
        store_props_init(&r->props, pool);
        if ((ret = store_info_alloc(db, txn, pool, mi, 1, &r->id)) != 0)
            return ret;
        r->id = store_id_make(STORE_REPLID, r->id);
        rule_apply_props(r, c->props);
        if (b->new_ids)
            b->new_ids[i] = r->id;
        APR_ARRAY_PUSH(rules, store_rule *) = r;
        return 0;
    case STORE_RULE_MODIFY:
        if (!(r = rule_find(rules, c->id, NULL)))
            return store_abort(&b->t, STORE_NOT_FOUND);
        rule_apply_props(r, c->props);
        return 0;
    case STORE_RULE_REMOVE:
        if (!rule_find(rules, c->id, &at))
            return store_abort(&b->t, STORE_NOT_FOUND);
        APR_ARRAY_IDX(rules, at, store_rule *) = NULL;
        return rule_remove(db, txn, pool, b->t.mbox, b->fid, c->id);
    default:
        return store_abort(&b->t, STORE_INVALID);
    }
}

static int rule_modify_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    rule_mod *b = baton;
    apr_pool_t *pool = b->t.pool;
    apr_array_header_t *rules;
    store_mailbox_info mi;
    store_folder *f;
    size_t bytes = 0, len;
    unsigned count = 0;
    int ret = store_info_read(db, txn, pool, b->t.mbox, &mi, DB_RMW);

    if (ret == 0)
        ret = store_folder_read(db, txn, pool, b->t.mbox, b->fid, &f, 0);
    if (ret == 0 && f->deleted)
        ret = DB_NOTFOUND;
    if (ret == 0 && b->replace)
        ret = store_rule_drop_folder(db, txn, pool, b->t.mbox, b->fid);
    if (ret == 0)
        ret = rule_read_all(db, txn, pool, b->t.mbox, b->fid, &rules, NULL);
    for (unsigned i = 0; ret == 0 && i < b->n; i++)
        ret = rule_mod_one(db, txn, b, &mi, rules, i);
    for (int i = 0; ret == 0 && i < rules->nelts; i++) {
        store_rule *r = APR_ARRAY_IDX(rules, i, store_rule *);

        if (!r)
            continue;
        count++;
        ret = rule_write(db, txn, pool, b->t.mbox, b->fid, r, &len);
        bytes += len;
    }
    if (ret == MAPI_DB_ABORT)
        return ret;
    if (ret == 0 && (count > STORE_RULES_MAX || bytes > STORE_RULES_BYTES_MAX))
        return store_abort(&b->t, STORE_TOO_BIG);
    return ret ? store_db_fail(&b->t, ret, "modify rules") : 0;
}

store_status store_rule_modify(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               uint64_t fid, int replace,
                               const store_rule_change *changes, unsigned n,
                               uint64_t *new_ids, const char **error_r)
{
    rule_mod b = { rule_txn(pool, mbox), fid, replace, changes, n, new_ids };
    store_status st = store_run(db, rule_modify_txn, &b.t, "modify rules",
                                error_r);

    if (st == STORE_OK) {
        /* PidTagHasRules is a folder property: its tables change. */
        store_event ev = { .type = STORE_EV_OBJ_MODIFIED, .fid = fid };
        store_raise(db, pool, mbox, &ev);
    }
    return st;
}

/* ------------------------------------------------------ rule state -- */

typedef struct rule_state {
    store_txn t;
    uint64_t fid, id;
    uint32_t set, clear;
} rule_state;

static int rule_state_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    rule_state *b = baton;
    uint8_t k[RULE_KEY_LEN];
    const uint8_t *data;
    size_t len;
    store_rule r;
    int ret;

    rule_key(k, b->t.mbox, 'r', b->fid, b->id, 1);
    memset(&r, 0, sizeof(r));
    store_props_init(&r.props, b->t.pool);
    ret = store_db_get(db->meta, txn, k, sizeof(k), b->t.pool, &data, &len,
                       DB_RMW);
    if (ret == 0)
        ret = rule_decode(data, len, b->t.pool, b->id, &r);
    if (ret == 0) {
        store_props_set_u32(&r.props, PidTagRuleState,
                            (r.state | b->set) & ~b->clear);
        ret = rule_write(db, txn, b->t.pool, b->t.mbox, b->fid, &r, NULL);
    }
    return ret ? store_db_fail(&b->t, ret, "rule state") : 0;
}

store_status store_rule_set_state(mapi_db *db, apr_pool_t *pool,
                                  const uint8_t mbox[STORE_GUID_LEN],
                                  uint64_t fid, uint64_t rule_id,
                                  uint32_t set, uint32_t clear,
                                  const char **error_r)
{
    rule_state b = { rule_txn(pool, mbox), fid, rule_id, set, clear };

    return store_run(db, rule_state_txn, &b.t, "rule state", error_r);
}

/* ------------------------------------------------------ OOF history -- */

typedef struct rule_oof {
    store_txn t;
    uint64_t fid, id;
    const char *sender;
    int seen;
} rule_oof;

static int rule_oof_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    rule_oof *b = baton;
    size_t n = strlen(b->sender);
    uint8_t *k = apr_palloc(b->t.pool, RULE_KEY_LEN + n);
    const uint8_t *data;
    size_t len;
    int ret;

    rule_key(k, b->t.mbox, 'o', b->fid, b->id, 1);
    for (size_t i = 0; i < n; i++)
        k[RULE_KEY_LEN + i] = (uint8_t)tolower((unsigned char)b->sender[i]);
    ret = store_db_get(db->meta, txn, k, RULE_KEY_LEN + n, b->t.pool, &data,
                       &len, DB_RMW);
    if (ret == 0) {
        b->seen = 1;
        return 0;
    }
    if (ret == DB_NOTFOUND)
        ret = store_db_put(db->meta, txn, k, RULE_KEY_LEN + n, "", 0);
    return ret ? store_db_fail(&b->t, ret, "OOF history") : 0;
}

store_status store_rule_oof_note(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 uint64_t fid, uint64_t rule_id,
                                 const char *sender, int *seen_r,
                                 const char **error_r)
{
    rule_oof b = { rule_txn(pool, mbox), fid, rule_id, sender, 0 };
    store_status st;

    if (!sender || !*sender || strlen(sender) > RULE_SENDER_MAX)
        return STORE_INVALID;
    st = store_run(db, rule_oof_txn, &b.t, "OOF history", error_r);
    *seen_r = b.seen;
    return st;
}

/* --------------------------------------------------- DAM back-patch -- */

static int dam_names(const store_message *m, const rop_bin *eid)
{
    static const uint32_t tags[] = {
        PidTagDeferredActionMessageOriginalEntryId, PidTagDamOriginalEntryId,
    };
    const rop_propval *cls = store_props_get(&m->props, PidTagMessageClass);

    if (!cls || !cls->v.str || strcmp(cls->v.str, STORE_DAM_CLASS) != 0)
        return 0;                /* a DEM, or something a client put here */
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        const rop_propval *v = store_props_get(&m->props, tags[i]);

        if (v && v->v.bin.len == eid->len
            && (eid->len == 0 || memcmp(v->v.bin.data, eid->data,
                                        eid->len) == 0))
            return 1;
    }
    return 0;
}

/* Each DAM is its own save (with its change number and event): a DAM
 * patched before a failure stays patched, and the client's retry of the
 * ROP finds the rest. */
store_status store_dam_backpatch(mapi_db *db, apr_pool_t *pool,
                                 const uint8_t mbox[STORE_GUID_LEN],
                                 const rop_bin *server_eid,
                                 const rop_bin *client_eid, unsigned *n_r,
                                 const char **error_r)
{
    apr_array_header_t *mids;
    store_mailbox_info *mi;
    store_status st;
    int ret;

    *n_r = 0;
    if ((st = store_mailbox_get(db, pool, mbox, &mi, error_r)) != STORE_OK)
        return st;
    ret = store_children(db, NULL, pool, mbox,
                         mi->folder_ids[STORE_FOLDER_DEFERRED_ACTION],
                         STORE_KIND_MESSAGE, &mids);
    if (ret != 0)
        return store_read_status(db, pool, ret, "deferred action folder",
                                 error_r);
    for (int i = 0; i < mids->nelts; i++) {
        store_message *m;

        st = store_message_get(db, pool, mbox, APR_ARRAY_IDX(mids, i,
                               uint64_t), &m, error_r);
        if (st == STORE_NOT_FOUND)
            continue;            /* deleted meanwhile by the client */
        if (st != STORE_OK)
            return st;
        if (!dam_names(m, server_eid))
            continue;
        store_props_set_bin(&m->props, PidTagDeferredActionMessageOriginalEntryId,
                            client_eid->data, client_eid->len);
        store_props_set_bin(&m->props, PidTagDamOriginalEntryId,
                            client_eid->data, client_eid->len);
        store_props_set_bool(&m->props, PidTagDamBackPatched, 1);
        if ((st = store_message_save(db, pool, mbox, m, error_r)) != STORE_OK)
            return st;
        (*n_r)++;
    }
    return STORE_OK;
}

/* ----------------------------------------------- Out of Office state -- */

typedef struct rule_oof_state {
    store_txn t;
    int oof;
} rule_oof_state;

/* Leaving the state clears every rule's history (R585), so that the next
 * absence answers each sender again. */
static int rule_oof_state_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    rule_oof_state *b = baton;
    store_mailbox_info mi;
    const rop_propval *v;
    uint8_t prefix[STORE_GUID_LEN + 2];
    int was, ret = store_info_read(db, txn, b->t.pool, b->t.mbox, &mi,
                                   DB_RMW);

    if (ret != 0)
        return store_db_fail(&b->t, ret, "Out of Office state");
    v = store_props_get(&mi.props, PidTagOutOfOfficeState);
    was = v && v->v.b;
    store_props_set_bool(&mi.props, PidTagOutOfOfficeState, b->oof);
    ret = store_info_write(db, txn, b->t.pool, &mi);
    if (ret == 0 && was && !b->oof) {
        memcpy(prefix, b->t.mbox, STORE_GUID_LEN);
        prefix[STORE_GUID_LEN] = 'U';
        prefix[STORE_GUID_LEN + 1] = 'o';
        ret = rule_delete_prefix(db, txn, b->t.pool, prefix, sizeof(prefix));
    }
    return ret ? store_db_fail(&b->t, ret, "Out of Office state") : 0;
}

store_status store_mailbox_set_oof(mapi_db *db, apr_pool_t *pool,
                                   const uint8_t mbox[STORE_GUID_LEN],
                                   int oof, const char **error_r)
{
    rule_oof_state b = { rule_txn(pool, mbox), oof != 0 };

    return store_run(db, rule_oof_state_txn, &b.t, "Out of Office state",
                     error_r);
}
