/*
 * rop_table.c: table ROPs ([MS-OXCROPS] 2.2.5).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_table.h"

static int rop_parse_set_columns(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_set_columns_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->set_columns_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->columns);
}

static int rop_parse_sort_table(mapi_rd *rd, apr_pool_t *pool,
                                rop_call *call)
{
    rop_sort_table_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->sort_table_flags);
    mapi_rd_u16(rd, &r->sort_order_count);
    mapi_rd_u16(rd, &r->category_count);
    mapi_rd_u16(rd, &r->expanded_count);
    if (rd->failed)
        return -1;
    return rop_rd_sort_orders(rd, pool, r->sort_order_count, &r->sort_orders);
}

static int rop_parse_restrict(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_restrict_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->restrict_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_restriction_sized(rd, pool, &r->restriction);
}

static int rop_parse_query_rows(mapi_rd *rd, apr_pool_t *pool,
                                rop_call *call)
{
    rop_query_rows_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->query_rows_flags);
    mapi_rd_u8(rd, &r->forward_read);
    mapi_rd_u16(rd, &r->row_count);
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_row(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_seek_row_req *r = apr_pcalloc(pool, sizeof(*r));
    uint32_t n = 0;

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->origin);
    mapi_rd_u32(rd, &n);
    mapi_rd_u8(rd, &r->want_row_moved_count);
    r->row_count = (int32_t)n;
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_row_bookmark(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_seek_row_bookmark_req *r = apr_pcalloc(pool, sizeof(*r));
    uint32_t n = 0;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0 || rop_rd_bin16(rd, &r->bookmark) < 0)
        return -1;
    mapi_rd_u32(rd, &n);
    mapi_rd_u8(rd, &r->want_row_moved_count);
    r->row_count = (int32_t)n;
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_row_fractional(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_seek_row_fractional_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->numerator);
    mapi_rd_u32(rd, &r->denominator);
    return rd->failed ? -1 : 0;
}

static int rop_parse_find_row(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_find_row_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->find_row_flags) < 0 || rd->failed
        || rop_rd_restriction_sized(rd, pool, &r->restriction) < 0
        || mapi_rd_u8(rd, &r->origin) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->bookmark);
}

static int rop_parse_free_bookmark(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_bookmark_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->bookmark);
}

static int rop_parse_expand_row(mapi_rd *rd, apr_pool_t *pool,
                                rop_call *call)
{
    rop_expand_row_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->max_row_count);
    mapi_rd_u64(rd, &r->category_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_collapse_row(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_collapse_row_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->category_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_collapse_state(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_collapse_state_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->row_id);
    mapi_rd_u32(rd, &r->row_instance_number);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_collapse_state(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_set_collapse_state_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->collapse_state);
}

const rop_def rop_table_defs[] = {
    { ROP_ID_SET_COLUMNS, 0, "RopSetColumns", rop_parse_set_columns, NULL, 0 },
    { ROP_ID_SORT_TABLE, 0, "RopSortTable", rop_parse_sort_table, NULL, 0 },
    { ROP_ID_RESTRICT, 0, "RopRestrict", rop_parse_restrict, NULL, 0 },
    { ROP_ID_QUERY_ROWS, 0, "RopQueryRows", rop_parse_query_rows, NULL, 0 },
    { ROP_ID_ABORT, 0, "RopAbort", rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_GET_STATUS, 0, "RopGetStatus", rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_QUERY_POSITION, 0, "RopQueryPosition",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_SEEK_ROW, 0, "RopSeekRow", rop_parse_seek_row, NULL, 0 },
    { ROP_ID_SEEK_ROW_BOOKMARK, 0, "RopSeekRowBookmark",
      rop_parse_seek_row_bookmark, NULL, 0 },
    { ROP_ID_SEEK_ROW_FRACTIONAL, 0, "RopSeekRowFractional",
      rop_parse_seek_row_fractional, NULL, 0 },
    { ROP_ID_CREATE_BOOKMARK, 0, "RopCreateBookmark",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_QUERY_COLUMNS_ALL, 0, "RopQueryColumnsAll",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_FIND_ROW, 0, "RopFindRow", rop_parse_find_row, NULL, 0 },
    { ROP_ID_FREE_BOOKMARK, 0, "RopFreeBookmark",
      rop_parse_free_bookmark, NULL, 0 },
    { ROP_ID_RESET_TABLE, 0, "RopResetTable", rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_EXPAND_ROW, 0, "RopExpandRow", rop_parse_expand_row, NULL, 0 },
    { ROP_ID_COLLAPSE_ROW, 0, "RopCollapseRow",
      rop_parse_collapse_row, NULL, 0 },
    { ROP_ID_GET_COLLAPSE_STATE, 0, "RopGetCollapseState",
      rop_parse_get_collapse_state, NULL, 0 },
    { ROP_ID_SET_COLLAPSE_STATE, 0, "RopSetCollapseState",
      rop_parse_set_collapse_state, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
