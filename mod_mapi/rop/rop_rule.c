/*
 * rop_rule.c: rule ROPs ([MS-OXCROPS] 2.2.11).  Rule conditions and
 * actions arrive as PtypRestriction and PtypRuleAction property values and
 * are parsed by rop_types.c.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_folder.h"
#include "rop_rule.h"

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

const rop_def rop_rule_defs[] = {
    { ROP_ID_MODIFY_RULES, 0, "RopModifyRules",
      rop_parse_modify_rules, NULL, 0 },
    { ROP_ID_GET_RULES_TABLE, ROP_F_OUT_HANDLE, "RopGetRulesTable",
      rop_parse_table_flags, NULL, 0 },
    { ROP_ID_UPDATE_DEFERRED_ACTION_MESSAGES, 0,
      "RopUpdateDeferredActionMessages",
      rop_parse_update_deferred_action, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
