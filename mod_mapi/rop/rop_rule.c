/*
 * rop_rule.c: rule ROPs ([MS-OXCROPS] 2.2.11).  Rule conditions and
 * actions arrive as PtypRestriction and PtypRuleAction property values and
 * are parsed by rop_types.c.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include "rop_ids.h"
#include "rop_folder.h"
#include "rop_object.h"
#include "rop_permission.h"
#include "rop_rule.h"
#include "rop_table.h"
#include "store/store.h"
#include "wire/mapi_tags.h"

/* ---- ActionData ([MS-OXORULE] 2.2.5.1.2, standard rules) ------------- */

/* ServerEid ([MS-OXORULE] 2.2.5.1.2.1.1): Ours (1), FolderId (8),
 * MessageId (8), Instance (4). */
#define ROP_SERVER_EID_LEN 21

static int rop_action_move_copy(mapi_rd *rd, rop_action_data *o)
{
    mapi_rd eid;

    if (mapi_rd_u8(rd, &o->in_this_store) < 0 || o->in_this_store > 1
        || rop_rd_bin16(rd, &o->store_eid) < 0
        || rop_rd_bin16(rd, &o->folder_eid) < 0)
        return -1;
    if (!o->in_this_store)
        return 0;
    mapi_rd_init(&eid, o->folder_eid.data, o->folder_eid.len);
    {
        uint8_t ours = 0;

        if (o->folder_eid.len != ROP_SERVER_EID_LEN
            || mapi_rd_u8(&eid, &ours) < 0 || ours != 1
            || mapi_rd_u64(&eid, &o->fid) < 0)
            return -1;
    }
    return 0;
}

/* RecipientCount (u16), then per RecipientBlock: Reserved (0x01),
 * NoOfProperties (u16), TaggedPropertyValues. */
static int rop_action_recipients(mapi_rd *rd, apr_pool_t *pool,
                                 rop_action_data *o)
{
    if (mapi_rd_u16(rd, &o->n_recipients) < 0 || o->n_recipients == 0
        || rop_rd_count_ok(rd, o->n_recipients, 3) < 0)
        return -1;
    o->recipients = apr_pcalloc(pool, sizeof(*o->recipients)
                                      * (o->n_recipients + 1u));
    for (uint16_t i = 0; i < o->n_recipients; i++) {
        uint8_t reserved;

        if (mapi_rd_u8(rd, &reserved) < 0 || reserved != 0x01
            || rop_rd_tagged_propvals(rd, pool, &o->recipients[i]) < 0
            || o->recipients[i].count == 0)
            return -1;
    }
    return 0;
}

static int rop_action_body(mapi_rd *rd, apr_pool_t *pool, rop_action_data *o)
{
    switch (o->type) {
    case ROP_OP_MOVE:
    case ROP_OP_COPY:
        return rop_action_move_copy(rd, o);
    case ROP_OP_REPLY:
    case ROP_OP_OOF_REPLY:
        if (o->flavor & ~(ROP_RPLY_DO_NOT_SEND | ROP_RPLY_STOCK_TEXT))
            return -1;
    {
        rop_bin guid;

        mapi_rd_u64(rd, &o->template_fid);
        mapi_rd_u64(rd, &o->template_mid);
        if (rop_rd_bin_n(rd, 16, &guid) < 0)
            return -1;
        o->template_guid = guid.data;
        return 0;
    }
    case ROP_OP_DEFER_ACTION:
        return rop_rd_bin_n(rd, mapi_rd_left(rd), &o->defer);
    case ROP_OP_BOUNCE:
        return mapi_rd_u32(rd, &o->bounce_code);
    case ROP_OP_FORWARD:
    case ROP_OP_DELEGATE:
        if (o->flavor & ~(ROP_FWD_PRESERVE_SENDER | ROP_FWD_DO_NOT_MUNGE_MSG
                          | ROP_FWD_AS_ATTACHMENT | ROP_FWD_AS_SMS_ALERT))
            return -1;
        return rop_action_recipients(rd, pool, o);
    case ROP_OP_TAG:
        return rop_rd_tagged_propval(rd, pool, 0, &o->tag);
    case ROP_OP_DELETE:
    case ROP_OP_MARK_AS_READ:
        return 0;                /* no ActionData */
    default:
        return -1;
    }
}

int rop_action_parse(apr_pool_t *pool, const rop_action_block *b,
                     rop_action_data *out)
{
    mapi_rd rd;

    memset(out, 0, sizeof(*out));
    out->type = b->type;
    out->flavor = b->flavor;
    /* Only OP_FORWARD and OP_REPLY have flavors ([MS-OXORULE]
     * 2.2.5.1: "MUST be 0 for all other values of ActionType"). */
    if (b->flavor && b->type != ROP_OP_FORWARD && b->type != ROP_OP_REPLY
        && b->type != ROP_OP_OOF_REPLY && b->type != ROP_OP_DELEGATE)
        return -1;
    mapi_rd_init(&rd, b->data.data, b->data.len);
    if (rop_action_body(&rd, pool, out) < 0 || rd.failed)
        return -1;
    /* The data must be exactly what the type says. */
    return mapi_rd_left(&rd) ? -1 : 0;
}

int rop_actions_check(apr_pool_t *pool, const rop_rule_actions *a,
                      unsigned *bad_r)
{
    rop_action_data d;

    if (!a || a->count == 0)
        return -1;
    for (uint16_t i = 0; i < a->count; i++)
        if (rop_action_parse(pool, &a->blocks[i], &d) < 0) {
            if (bad_r)
                *bad_r = i;
            return -1;
        }
    return 0;
}

static int rop_parse_modify_rules(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_modify_rules_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t i;

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->modify_rules_flags);
    /* A RuleData is at least its flags byte and a u16 count. */
    if (mapi_rd_u16(rd, &r->rules_count) < 0
        || rop_rd_count_ok(rd, r->rules_count, 3) < 0)
        return -1;
    r->rules = apr_pcalloc(pool, (size_t)r->rules_count * sizeof(*r->rules) + 1);
    for (i = 0; i < r->rules_count && !rd->failed; i++)
        rop_rd_row_data(rd, pool, &r->rules[i]);
    return rd->failed ? -1 : 0;
}

static int rop_parse_update_deferred_action(mapi_rd *rd, apr_pool_t *pool,
                                            rop_call *call)
{
    rop_update_deferred_action_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0
        || rop_rd_bin16(rd, &r->server_entry_id) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->client_entry_id);
}


/* ---- RopModifyRules ([MS-OXORULE] 3.2.5.2) --------------------------- */

/* The type each property of a standard rule has (2.2.1.3.1); strings may
 * come as PtypString8 too and are kept as PtypString. */
static int rule_prop_ok(const rop_propval *v)
{
    static const uint32_t tags[] = {
        PidTagRuleId, PidTagRuleSequence, PidTagRuleState, PidTagRuleName,
        PidTagRuleProvider, PidTagRuleUserFlags, PidTagRuleLevel,
        PidTagRuleProviderData, PidTagRuleCondition, PidTagRuleActions,
    };

    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (ROP_PROP_ID(tags[i]) != ROP_PROP_ID(v->tag))
            continue;
        if (v->tag == tags[i])
            return 1;
        return ROP_PROP_TYPE(tags[i]) == ROP_PT_UNICODE
            && ROP_PROP_TYPE(v->tag) == ROP_PT_STRING8;
    }
    return 0;                    /* R39: only a standard rule's properties */
}

/* One RuleData into a store change; 0 or the error code for it. */
static uint32_t rule_change_of(apr_pool_t *pool, const rop_row_data *rd,
                               store_rule_change *c)
{
    store_props *props = apr_pcalloc(pool, sizeof(*props));
    const rop_propval *id = NULL;

    store_props_init(props, pool);
    /* R934: exactly one of ROW_ADD, ROW_MODIFY, ROW_REMOVE; R36: at least
     * one property. */
    if ((rd->flags != STORE_RULE_ADD && rd->flags != STORE_RULE_MODIFY
         && rd->flags != STORE_RULE_REMOVE) || rd->props.count == 0)
        return ecInvalidParam;
    for (uint16_t i = 0; i < rd->props.count; i++) {
        rop_propval v = rd->props.vals[i];

        if (!rule_prop_ok(&v))
            return ecInvalidParam;
        if (v.tag == PidTagRuleActions
            && rop_actions_check(pool, v.v.actions, NULL) < 0)
            return ecInvalidParam;
        if (ROP_PROP_TYPE(v.tag) == ROP_PT_STRING8)
            v.tag = (v.tag & 0xFFFF0000u) | ROP_PT_UNICODE;
        if (ROP_PROP_ID(v.tag) == ROP_PROP_ID(PidTagRuleId))
            id = &rd->props.vals[i];
        else
            store_props_set(props, &v);
    }
    c->op = rd->flags;
    c->props = props;
    /* R53: no id on an add; R54: one on a modify or remove. */
    if (c->op == STORE_RULE_ADD) {
        if (id)
            return ecInvalidParam;
        /* A rule does nothing without a condition and actions, and the
         * order is part of what the client says (2.2.1.3.1.2). */
        if (!store_props_get(props, PidTagRuleCondition)
            || !store_props_get(props, PidTagRuleActions)
            || !store_props_get(props, PidTagRuleSequence))
            return ecInvalidParam;
        return 0;
    }
    if (!id)
        return ecInvalidParam;
    c->id = id->v.d;
    return 0;
}

static int rop_handle_modify_rules(rop_ctx *ctx, rop_call *call,
                                   mapi_wr *out)
{
    const rop_modify_rules_req *r = call->req;
    apr_pool_t *pool = rop_ctx_pool(ctx);
    store_rule_change *changes;
    rop_object *folder;
    const char *error = NULL;
    store_status st;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_FOLDER), &folder);
    /* A folder's rules are a folder property: FolderOwner's. */
    if (ec == 0)
        ec = rop_perm_need(ctx, folder->mbox, folder->fid,
                           STORE_RIGHT_FOLDER_OWNER);
    if (ec != 0)
        return rop_write_error_response(out, call, ec);
    /* R822: the x bits of ModifyRulesFlag. */
    if (r->modify_rules_flags & ~ROP_MODIFY_RULES_REPLACE)
        return rop_write_error_response(out, call, ecInvalidParam);
    changes = apr_pcalloc(pool, sizeof(*changes) * (r->rules_count + 1u));
    for (uint16_t i = 0; i < r->rules_count; i++) {
        ec = rule_change_of(pool, &r->rules[i], &changes[i]);
        /* R670: replacing takes ROW_ADD only. */
        if (ec == 0 && (r->modify_rules_flags & ROP_MODIFY_RULES_REPLACE)
            && changes[i].op != STORE_RULE_ADD)
            ec = ecInvalidParam;
        if (ec != 0)
            return rop_write_error_response(out, call, ec);
    }
    st = store_rule_modify(rop_ctx_db(ctx), pool, folder->mbox, folder->fid,
                           (r->modify_rules_flags & ROP_MODIFY_RULES_REPLACE)
                           != 0, changes, r->rules_count, NULL, &error);
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    if (st == STORE_TOO_BIG)
        return rop_write_error_response(out, call, ecNotEnoughMemory);
    if (st != STORE_OK)
        return rop_write_error_response(out, call, store_status_ec(st));
    rop_wr_ok_header(out, call, call->in_handle_index);
    return out->failed ? -1 : 0;
}

/* ---- RopUpdateDeferredActionMessages ([MS-OXORULE] 3.2.5.4) -------- */

/* The client moved a message that has DAMs to another store and tells
 * the server its new entry id: the DAMs that named it name the copy and
 * are marked back-patched.  The DAMs are the mailbox owner's to change,
 * so another user needs EditAny on the Deferred Action folder. */
static int rop_handle_update_deferred_action(rop_ctx *ctx, rop_call *call,
                                             mapi_wr *out)
{
    const rop_update_deferred_action_req *r = call->req;
    apr_pool_t *pool = rop_ctx_pool(ctx);
    store_mailbox_info *mi;
    rop_object *logon;
    const char *error = NULL;
    store_status st;
    unsigned n = 0;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_LOGON), &logon);
    if (ec != 0)
        return rop_write_error_response(out, call, ec);
    /* R614: an entry id of neither side is not a request to match. */
    if (r->server_entry_id.len == 0 || r->client_entry_id.len == 0)
        return rop_write_error_response(out, call, ecInvalidParam);
    st = store_mailbox_get(rop_ctx_db(ctx), pool, logon->mbox, &mi, &error);
    if (st == STORE_OK)
        ec = rop_perm_need(ctx, logon->mbox,
                           mi->folder_ids[STORE_FOLDER_DEFERRED_ACTION],
                           STORE_RIGHT_EDIT_ANY);
    if (st == STORE_OK && ec == 0)
        st = store_dam_backpatch(rop_ctx_db(ctx), pool, logon->mbox,
                                 &r->server_entry_id, &r->client_entry_id,
                                 &n, &error);
    if (st == STORE_DB_ERROR)
        rop_ctx_note_error(ctx, error);
    if (st != STORE_OK)
        return rop_write_error_response(out, call, store_status_ec(st));
    if (ec != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return out->failed ? -1 : 0;
}

const rop_def rop_rule_defs[] = {
    { ROP_ID_MODIFY_RULES, 0, "RopModifyRules",
      rop_parse_modify_rules, rop_handle_modify_rules, 0 },
    { ROP_ID_GET_RULES_TABLE, ROP_F_OUT_HANDLE, "RopGetRulesTable",
      rop_parse_table_flags, rop_handle_get_rules_table, 0 },
    { ROP_ID_UPDATE_DEFERRED_ACTION_MESSAGES, 0,
      "RopUpdateDeferredActionMessages",
      rop_parse_update_deferred_action, rop_handle_update_deferred_action, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
