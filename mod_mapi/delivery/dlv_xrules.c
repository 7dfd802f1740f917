/*
 * dlv_xrules.c: extended rules at delivery ([MS-OXORULE] 2.2.4).  An
 * extended rule is an FAI message of class IPM.ExtendedRule.Message in
 * the folder; its condition and actions are binary properties that name
 * their named properties themselves (NamedPropertyInformation) and use
 * 32-bit counts and lengths and entry ids instead of ServerEids.  Each is
 * read into the shape of a standard rule (the store_rule dlv_rules.c
 * evaluates): named property ids mapped to this mailbox's, every action
 * rewritten in its standard-rule ActionData form.  A message that does
 * not parse is not a rule and is skipped; untrusted bytes are read only
 * through mapi_rd.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include "dlv.h"
#include "wire/mapi_tags.h"

#define PidTagExtendedRuleMessageActions   0x0E990102u
#define PidTagExtendedRuleMessageCondition 0x0E9A0102u
#define PidTagRuleMessageState             0x65E90003u
#define PidTagRuleMessageProvider          0x65EB001Fu
#define PidTagRuleMessageName              0x65EC001Fu
#define PidTagRuleMessageSequence          0x65F30003u
#define XRULE_CLASS "IPM.ExtendedRule.Message"
#define XRULE_ACTIONS_MAX 256
#define XRULE_RES_DEPTH   32

/* Named property ids of the rule to the mailbox's (R217, R938). */
typedef struct xr_map {
    uint16_t n;
    uint16_t *from, *to;
} xr_map;

/* NamedPropertyInformation (2.2.4.2). */
static int xr_names(mapi_rd *rd, apr_pool_t *pool, mapi_db *db,
                    const uint8_t *mbox, xr_map *m)
{
    uint32_t size;
    mapi_rd names;

    if (mapi_rd_u16(rd, &m->n) < 0)
        return -1;
    if (m->n == 0)
        return 0;                /* R697: just the count */
    if (rop_rd_count_ok(rd, m->n, 2) < 0)
        return -1;
    m->from = apr_pcalloc(pool, sizeof(uint16_t) * m->n);
    m->to = apr_pcalloc(pool, sizeof(uint16_t) * m->n);
    for (uint16_t i = 0; i < m->n; i++)
        if (mapi_rd_u16(rd, &m->from[i]) < 0 || m->from[i] < 0x8000)
            return -1;           /* R218 */
    if (mapi_rd_u32(rd, &size) < 0 || mapi_rd_sub(rd, size, &names) < 0)
        return -1;
    for (uint16_t i = 0; i < m->n; i++) {
        rop_property_name pn;

        if (rop_rd_property_name(&names, pool, &pn) < 0
            || store_named_to_id(db, pool, mbox, &pn, 1, &m->to[i], NULL)
               != STORE_OK)
            return -1;
    }
    return mapi_rd_left(&names) ? -1 : 0;
}

static uint32_t xr_tag(const xr_map *m, uint32_t tag)
{
    uint16_t id = (uint16_t)(tag >> 16);

    for (uint16_t i = 0; id >= 0x8000 && i < m->n; i++)
        if (m->from[i] == id)
            return ((uint32_t)m->to[i] << 16) | (tag & 0xFFFFu);
    return tag;
}

/* Every property tag of the restriction in the mailbox's ids. */
static int xr_remap(const xr_map *m, rop_restriction *r, unsigned depth)
{
    if (!r)
        return 0;
    if (depth > XRULE_RES_DEPTH)
        return -1;
    switch (r->type) {
    case ROP_RES_AND:
    case ROP_RES_OR:
        for (uint16_t i = 0; i < r->u.andor.count; i++)
            if (xr_remap(m, &r->u.andor.subs[i], depth + 1) < 0)
                return -1;
        return 0;
    case ROP_RES_NOT:
        return xr_remap(m, r->u.not_sub, depth + 1);
    case ROP_RES_CONTENT:
        r->u.content.tag = xr_tag(m, r->u.content.tag);
        r->u.content.val.tag = xr_tag(m, r->u.content.val.tag);
        return 0;
    case ROP_RES_PROPERTY:
        r->u.property.tag = xr_tag(m, r->u.property.tag);
        r->u.property.val.tag = xr_tag(m, r->u.property.val.tag);
        return 0;
    case ROP_RES_COMPARE_PROPS:
        r->u.compare.tag1 = xr_tag(m, r->u.compare.tag1);
        r->u.compare.tag2 = xr_tag(m, r->u.compare.tag2);
        return 0;
    case ROP_RES_BITMASK:
        r->u.bitmask.tag = xr_tag(m, r->u.bitmask.tag);
        return 0;
    case ROP_RES_SIZE:
        r->u.size.tag = xr_tag(m, r->u.size.tag);
        return 0;
    case ROP_RES_EXIST:
        r->u.exist.tag = xr_tag(m, r->u.exist.tag);
        return 0;
    case ROP_RES_SUBOBJECT:
        return xr_remap(m, r->u.subobject.sub, depth + 1);
    case ROP_RES_COMMENT:
        return xr_remap(m, r->u.comment.sub, depth + 1);
    case ROP_RES_COUNT:
        return xr_remap(m, r->u.count.sub, depth + 1);
    default:
        return -1;
    }
}

/* PidTagExtendedRuleMessageCondition (2.2.4.1.10): names, restriction. */
static rop_restriction *xr_condition(const rop_bin *v, apr_pool_t *pool,
                                     mapi_db *db, const uint8_t *mbox)
{
    rop_restriction *res = NULL;
    xr_map m = { 0 };
    mapi_rd rd;

    mapi_rd_init(&rd, v->data, v->len);
    if (xr_names(&rd, pool, db, mbox, &m) < 0
        || rop_rd_restriction(&rd, pool, 0, &res) < 0 || mapi_rd_left(&rd)
        || xr_remap(&m, res, 0) < 0)
        return NULL;
    return res;
}

/* The extended ActionData of one action (2.2.5.1.2) in its standard
 * form, into out. */
static int xr_action_data(mapi_rd *rd, const store_mailbox_info *mi,
                          const xr_map *m, apr_pool_t *pool, uint8_t type,
                          mapi_wr *out)
{
    uint32_t n, len;
    const uint8_t *eid, *guid;
    uint64_t fid = 0, mid = 0;
    rop_propval pv;

    switch (type) {
    case ROP_OP_MOVE:
    case ROP_OP_COPY:            /* R966: StoreEID, FolderEID (an entry id) */
        if (mapi_rd_u32(rd, &len) < 0 || mapi_rd_skip(rd, len) < 0
            || mapi_rd_u32(rd, &len) < 0 || len > 0xFFFF
            || mapi_rd_view(rd, len, &eid) < 0)
            return -1;
        mapi_wr_u8(out, 0);      /* FolderInThisStore 0: a FolderEID */
        mapi_wr_u16(out, 0);
        mapi_wr_u16(out, (uint16_t)len);
        return mapi_wr_bytes(out, eid, len);
    case ROP_OP_REPLY:
    case ROP_OP_OOF_REPLY:       /* R995: the template's Message EntryID */
        if (mapi_rd_u32(rd, &len) < 0 || mapi_rd_view(rd, len, &eid) < 0
            || mapi_rd_view(rd, 16, &guid) < 0
            || store_entry_id_parse(mi, eid, len, &fid, &mid) < 0 || !mid)
            return -1;
        mapi_wr_u64(out, fid);
        mapi_wr_u64(out, mid);
        return mapi_wr_bytes(out, guid, 16);
    case ROP_OP_FORWARD:
    case ROP_OP_DELEGATE:        /* 32-bit RecipientCount, NoOfProperties */
        if (mapi_rd_u32(rd, &n) < 0 || n == 0 || n > 0xFFFF
            || rop_rd_count_ok(rd, n, 5) < 0)
            return -1;
        mapi_wr_u16(out, (uint16_t)n);
        for (uint32_t i = 0; i < n; i++) {
            uint8_t reserved;
            uint32_t np;

            if (mapi_rd_u8(rd, &reserved) < 0 || mapi_rd_u32(rd, &np) < 0
                || np == 0 || np > 0xFFFF || rop_rd_count_ok(rd, np, 4) < 0)
                return -1;
            mapi_wr_u8(out, 0x01);
            mapi_wr_u16(out, (uint16_t)np);
            for (uint32_t k = 0; k < np; k++)
                if (rop_rd_tagged_propval(rd, pool, 0, &pv) < 0
                    || rop_wr_tagged_propval(out, &pv) < 0)
                    return -1;
        }
        return 0;
    case ROP_OP_TAG:
        if (rop_rd_tagged_propval(rd, pool, 0, &pv) < 0)
            return -1;
        pv.tag = xr_tag(m, pv.tag);
        return rop_wr_tagged_propval(out, &pv);
    default:                     /* the same bytes in both forms */
        len = (uint32_t)mapi_rd_left(rd);
        if (mapi_rd_view(rd, len, &eid) < 0)
            return -1;
        return mapi_wr_bytes(out, eid, len);
    }
}

/* PidTagExtendedRuleMessageActions (2.2.4.1.9): names, RuleVersion 1
 * (R208), a RuleAction with 32-bit NoOfActions and ActionLengths. */
static rop_rule_actions *xr_actions(const rop_bin *v, apr_pool_t *pool,
                                    mapi_db *db, const uint8_t *mbox,
                                    const store_mailbox_info *mi)
{
    rop_rule_actions *a = apr_pcalloc(pool, sizeof(*a));
    uint32_t version, n;
    xr_map m = { 0 };
    mapi_rd rd;

    mapi_rd_init(&rd, v->data, v->len);
    if (xr_names(&rd, pool, db, mbox, &m) < 0
        || mapi_rd_u32(&rd, &version) < 0 || version != 1
        || mapi_rd_u32(&rd, &n) < 0 || n == 0 || n > XRULE_ACTIONS_MAX
        || rop_rd_count_ok(&rd, n, 13) < 0)
        return NULL;
    a->blocks = apr_pcalloc(pool, sizeof(rop_action_block) * n);
    for (uint32_t i = 0; i < n; i++) {
        rop_action_block *b = &a->blocks[i];
        uint32_t len;
        mapi_rd data;
        mapi_wr out;

        if (mapi_rd_u32(&rd, &len) < 0 || len < 9
            || mapi_rd_sub(&rd, len, &data) < 0
            || mapi_rd_u8(&data, &b->type) < 0
            || mapi_rd_u32(&data, &b->flavor) < 0
            || mapi_rd_u32(&data, &b->flags) < 0)
            return NULL;
        mapi_wr_init(&out, pool, 0xFFFF - 9);
        if (xr_action_data(&data, mi, &m, pool, b->type, &out) < 0
            || mapi_rd_left(&data) || out.failed)
            return NULL;
        b->data.data = out.buf;
        b->data.len = (uint32_t)out.len;
        a->count++;
    }
    return mapi_rd_left(&rd) ? NULL : a;
}

static uint32_t xr_u32(const store_message *m, uint32_t tag)
{
    const rop_propval *v = store_props_get(&m->props, tag);

    return v ? v->v.l : 0;
}

/* One FAI message as a rule, or NULL when it is none. */
static store_rule *xr_rule(mapi_db *db, apr_pool_t *pool,
                           const uint8_t *mbox, const store_mailbox_info *mi,
                           const store_message *m)
{
    const rop_propval *cls = store_props_get(&m->props, PidTagMessageClass);
    const rop_propval *c = store_props_get(&m->props,
                                           PidTagExtendedRuleMessageCondition);
    const rop_propval *a = store_props_get(&m->props,
                                           PidTagExtendedRuleMessageActions);
    const rop_propval *prov = store_props_get(&m->props,
                                              PidTagRuleMessageProvider);
    const rop_propval *name = store_props_get(&m->props,
                                              PidTagRuleMessageName);
    store_rule *r;
    rop_propval v;

    if (!cls || !cls->v.str || strcasecmp(cls->v.str, XRULE_CLASS) != 0
        || !c || !a)
        return NULL;
    r = apr_pcalloc(pool, sizeof(*r));
    store_props_init(&r->props, pool);
    memset(&v, 0, sizeof(v));
    v.tag = PidTagRuleCondition;
    if (!(v.v.res = xr_condition(&c->v.bin, pool, db, mbox)))
        return NULL;
    store_props_set(&r->props, &v);
    v.tag = PidTagRuleActions;
    if (!(v.v.actions = xr_actions(&a->v.bin, pool, db, mbox, mi)))
        return NULL;
    store_props_set(&r->props, &v);
    r->id = m->mid;
    r->extended = 1;
    r->state = xr_u32(m, PidTagRuleMessageState);
    r->sequence = xr_u32(m, PidTagRuleMessageSequence);
    store_props_set_u64(&r->props, PidTagRuleId, r->id);
    store_props_set_u32(&r->props, PidTagRuleState, r->state);
    store_props_set_u32(&r->props, PidTagRuleSequence, r->sequence);
    store_props_set_str(&r->props, PidTagRuleProvider,
                        prov && prov->v.str ? prov->v.str : "");
    if (name && name->v.str)
        store_props_set_str(&r->props, PidTagRuleName, name->v.str);
    return r;
}

/* R813 for an extended rule: ST_ERROR in its PidTagRuleMessageState. */
void dlv_xrules_set_error(mapi_db *db, apr_pool_t *pool,
                          const uint8_t mbox[STORE_GUID_LEN], uint64_t mid)
{
    store_message *m;

    if (store_message_get(db, pool, mbox, mid, &m, NULL) != STORE_OK)
        return;
    store_props_set_u32(&m->props, PidTagRuleMessageState,
                        xr_u32(m, PidTagRuleMessageState) | STORE_ST_ERROR);
    store_message_save(db, pool, mbox, m, NULL);
}

int dlv_xrules_load(mapi_db *db, apr_pool_t *pool,
                    const uint8_t mbox[STORE_GUID_LEN],
                    const store_mailbox_info *mi, uint64_t fid,
                    apr_array_header_t *rules)
{
    apr_array_header_t *ids;
    int added = 0;

    if (store_folder_list(db, pool, mbox, fid, STORE_LIST_ASSOCIATED,
                          &ids, NULL) != STORE_OK)
        return -1;
    for (int i = 0; i < ids->nelts; i++) {
        store_message *m;
        store_rule *r;

        if (store_message_get(db, pool, mbox,
                              APR_ARRAY_IDX(ids, i, uint64_t), &m, NULL)
            != STORE_OK)
            continue;            /* deleted meanwhile */
        if ((r = xr_rule(db, pool, mbox, mi, m)) != NULL) {
            APR_ARRAY_PUSH(rules, store_rule *) = r;
            added++;
        }
    }
    return added;
}
