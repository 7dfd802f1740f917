/*
 * rop_rule.h: rule ROP requests ([MS-OXCROPS] 2.2.11, [MS-OXORULE]) and
 * the ActionData of each ActionType ([MS-OXORULE] 2.2.5.1.2), parsed the
 * same way for RopModifyRules (validation) and for delivery (dlv_rules.c).
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

/* ModifyRulesFlag ([MS-OXORULE] 2.2.1.1). */
#define ROP_MODIFY_RULES_REPLACE  0x01
/* RopGetRulesTable TableFlags ([MS-OXORULE] 2.2.2.1). */
#define ROP_RULES_TABLE_UNICODE   0x40

/* ActionType ([MS-OXORULE] 2.2.5.1.1). */
#define ROP_OP_MOVE          0x01
#define ROP_OP_COPY          0x02
#define ROP_OP_REPLY         0x03
#define ROP_OP_OOF_REPLY     0x04
#define ROP_OP_DEFER_ACTION  0x05
#define ROP_OP_BOUNCE        0x06
#define ROP_OP_FORWARD       0x07
#define ROP_OP_DELEGATE      0x08
#define ROP_OP_TAG           0x09
#define ROP_OP_DELETE        0x0A
#define ROP_OP_MARK_AS_READ  0x0B

/* ActionFlavor of OP_FORWARD / OP_REPLY. */
#define ROP_FWD_PRESERVE_SENDER   0x00000001u
#define ROP_FWD_DO_NOT_MUNGE_MSG  0x00000002u
#define ROP_FWD_AS_ATTACHMENT     0x00000004u
#define ROP_FWD_AS_SMS_ALERT      0x00000008u
#define ROP_FWD_REDIRECT          ROP_FWD_DO_NOT_MUNGE_MSG
#define ROP_RPLY_DO_NOT_SEND      0x00000001u
#define ROP_RPLY_STOCK_TEXT       0x00000002u

/* One action's data, by type.  Views into the block's bytes. */
typedef struct rop_action_data {
    uint8_t type;
    uint32_t flavor;
    /* OP_MOVE / OP_COPY: FolderInThisStore, StoreEID, FolderEID; when the
     * folder is in this store, FolderEID is a ServerEid ([MS-OXORULE]
     * 2.2.5.1.2.1.1) and fid is its FolderId, else fid is 0. */
    uint8_t in_this_store;
    rop_bin store_eid, folder_eid;
    uint64_t fid;
    /* OP_REPLY / OP_OOF_REPLY. */
    uint64_t template_fid, template_mid;
    const uint8_t *template_guid;          /* 16 bytes */
    /* OP_FORWARD / OP_DELEGATE: the RecipientBlocks' properties. */
    uint16_t n_recipients;
    rop_propval_array *recipients;
    /* OP_TAG. */
    rop_propval tag;
    /* OP_BOUNCE. */
    uint32_t bounce_code;
    /* OP_DEFER_ACTION: opaque to the server. */
    rop_bin defer;
} rop_action_data;

/* Parses one ActionBlock's ActionData for its ActionType; 0, or -1 when
 * it is malformed or the type or flavor is unknown. */
int rop_action_parse(apr_pool_t *pool, const rop_action_block *b,
                     rop_action_data *out);
/* Every block of a RuleAction; 0 or -1 (with *bad_r the block index). */
int rop_actions_check(apr_pool_t *pool, const rop_rule_actions *a,
                      unsigned *bad_r);

extern const rop_def rop_rule_defs[];

#endif
