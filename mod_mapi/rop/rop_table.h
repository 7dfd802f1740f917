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

extern const rop_def rop_table_defs[];

#endif
