/*
 * rop_rule.h: rule ROP requests ([MS-OXCROPS] 2.2.11, [MS-OXORULE]).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_RULE_H
#define MAPI_ROP_RULE_H

#include "rop_types.h"

typedef struct rop_modify_rules_req {
    uint8_t modify_rules_flags;
    uint16_t rules_count;
    rop_row_data *rules;        /* RuleData: flags + TaggedPropertyValues */
} rop_modify_rules_req;

typedef struct rop_update_deferred_action_req {
    rop_bin server_entry_id;
    rop_bin client_entry_id;
} rop_update_deferred_action_req;

extern const rop_def rop_rule_defs[];

#endif
