/*
 * rop_table.h: table ROP requests ([MS-OXCROPS] 2.2.5).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_TABLE_H
#define MAPI_ROP_TABLE_H

#include "rop_types.h"

typedef struct rop_set_columns_req {
    uint8_t set_columns_flags;
    rop_tag_array columns;
} rop_set_columns_req;

typedef struct rop_sort_table_req {
    uint8_t sort_table_flags;
    uint16_t sort_order_count;
    uint16_t category_count;
    uint16_t expanded_count;
    rop_sort_order *sort_orders;
} rop_sort_table_req;

typedef struct rop_restrict_req {
    uint8_t restrict_flags;
    rop_restriction *restriction;   /* NULL: remove the restriction */
} rop_restrict_req;

typedef struct rop_query_rows_req {
    uint8_t query_rows_flags;
    uint8_t forward_read;
    uint16_t row_count;
} rop_query_rows_req;

typedef struct rop_seek_row_req {
    uint8_t origin;
    int32_t row_count;
    uint8_t want_row_moved_count;
} rop_seek_row_req;

typedef struct rop_seek_row_bookmark_req {
    rop_bin bookmark;
    int32_t row_count;
    uint8_t want_row_moved_count;
} rop_seek_row_bookmark_req;

typedef struct rop_seek_row_fractional_req {
    uint32_t numerator;
    uint32_t denominator;
} rop_seek_row_fractional_req;

typedef struct rop_find_row_req {
    uint8_t find_row_flags;
    rop_restriction *restriction;
    uint8_t origin;
    rop_bin bookmark;
} rop_find_row_req;

typedef struct rop_bookmark_req {        /* RopFreeBookmark */
    rop_bin bookmark;
} rop_bookmark_req;

typedef struct rop_expand_row_req {
    uint16_t max_row_count;
    uint64_t category_id;
} rop_expand_row_req;

typedef struct rop_collapse_row_req {
    uint64_t category_id;
} rop_collapse_row_req;

typedef struct rop_get_collapse_state_req {
    uint64_t row_id;
    uint32_t row_instance_number;
} rop_get_collapse_state_req;

typedef struct rop_set_collapse_state_req {
    rop_bin collapse_state;
} rop_set_collapse_state_req;

/* TableFlags of RopGetHierarchyTable ([MS-OXCFOLD] 2.2.1.13.1). */
#define ROP_TBL_HIER_DEPTH            0x04
#define ROP_TBL_HIER_DEFERRED_ERRORS  0x08
#define ROP_TBL_HIER_NO_NOTIFICATIONS 0x10
#define ROP_TBL_HIER_SOFT_DELETES     0x20
#define ROP_TBL_HIER_USE_UNICODE      0x40
#define ROP_TBL_HIER_SUPPRESS_NOTIFY  0x80
#define ROP_TBL_HIER_VALID            0xFC
/* TableFlags of RopGetContentsTable ([MS-OXCFOLD] 2.2.1.14.1). */
#define ROP_TBL_CT_ASSOCIATED         0x02
#define ROP_TBL_CT_DEFERRED_ERRORS    0x08
#define ROP_TBL_CT_NO_NOTIFICATIONS   0x10
#define ROP_TBL_CT_SOFT_DELETES       0x20
#define ROP_TBL_CT_USE_UNICODE        0x40
#define ROP_TBL_CT_CONVERSATION       0x80
#define ROP_TBL_CT_VALID              0xFA
/* TableFlags of RopGetAttachmentTable ([MS-OXCMSG] 2.2.3.17.1). */
#define ROP_TBL_ATT_UNICODE           0x40

/* Predefined bookmarks ([MS-OXCTABL] 2.2.2.1.1) and the custom one. */
#define ROP_BOOKMARK_BEGINNING        0x00
#define ROP_BOOKMARK_CURRENT          0x01
#define ROP_BOOKMARK_END              0x02
#define ROP_BOOKMARK_CUSTOM           0x03

/* TableStatus ([MS-OXCTABL] 2.2.2.1.3): every table operation here is
 * synchronous, so the status is always complete. */
#define ROP_TBLSTAT_COMPLETE          0x00

/* QueryRowsFlags, FindRowFlags. */
#define ROP_QUERY_ROWS_NO_ADVANCE     0x01
#define ROP_QUERY_ROWS_PACKED         0x02
#define ROP_FIND_ROW_BACKWARD         0x01

/* PidTagRowType of a data row ([MS-OXCTABL] 2.2.1.3). */
#define ROP_TBL_LEAF_ROW              0x00000001u

extern const rop_def rop_table_defs[];

/* The ROPs that open a table live in their own families' tables
 * (rop_folder.c, rop_message.c) but are handled here, with the table
 * machinery: they create a ROP_OBJ_TABLE under the input object. */
int rop_handle_get_hierarchy_table(rop_ctx *ctx, rop_call *call, mapi_wr *out);
int rop_handle_get_contents_table(rop_ctx *ctx, rop_call *call, mapi_wr *out);
int rop_handle_get_attachment_table(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out);
/* RopGetRulesTable ([MS-OXORULE] 2.2.2, rop_rule.c's family): one row
 * per rule of the folder, with the rule's properties. */
int rop_handle_get_rules_table(rop_ctx *ctx, rop_call *call, mapi_wr *out);

#endif
