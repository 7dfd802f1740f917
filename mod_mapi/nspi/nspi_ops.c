/*
 * nspi_ops.c: the address book request types over the directory view
 * ([MS-OXCMAPIHTTP] 2.2.5.3 - 2.2.5.19 body layouts, [MS-OXNSPI] 3.1.4.1
 * behaviour).  Each reads its whole body first (a malformed one is
 * NSPI_BODY_BAD: Invalid Request Body), then answers with its success
 * body; the outcome is in ErrorCode, optional parts absent on an error.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

#include "nspi/nspi_codec.h"

typedef int (*nspi_op_fn)(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr);

static int dir_ready(nspi_ctx *ctx)
{
    if (ctx->dir)
        return 0;
    if (nspi_dir_get(ctx->db, ctx->pool, ctx->org, &ctx->dir,
                     &ctx->error) != 0)
        return NSPI_FAILED;
    return 0;
}

/* NSPI_OK when strings can be given in the STAT's code page (Unicode or
 * one iconv knows), else InvalidCodepage ([MS-OXNSPI] R736, R877, R982:
 * GetProps and QueryRows fail alike). */
static uint32_t stat_codepage(const nspi_stat *st)
{
    return st->codepage == NSPI_CP_UNICODE ||
           nspi_codepage_known(st->codepage) ? NSPI_OK
                                             : NSPI_E_INVALID_CODEPAGE;
}

/* The view in the display name order of the STAT's SortLocale. */
static int dir_sorted(nspi_ctx *ctx, const nspi_stat *st)
{
    int rc = dir_ready(ctx);

    if (rc == 0)
        nspi_dir_sort(ctx->dir, st->sort_locale);
    return rc;
}

/* The columns [MS-OXNSPI] 3.1.4.1.8 uses when a client sends none. */
static const uint32_t default_cols[] = {
    NSPI_TAG_AB_CONTAINER_ID, NSPI_TAG_OBJECT_TYPE, NSPI_TAG_DISPLAY_TYPE,
    (NSPI_TAG_DISPLAY_NAME & 0xFFFF0000u) | NSPI_PT_STRING8,
    (NSPI_TAG_PRIMARY_PHONE & 0xFFFF0000u) | NSPI_PT_STRING8,
    (NSPI_TAG_DEPARTMENT & 0xFFFF0000u) | NSPI_PT_STRING8,
    (NSPI_TAG_OFFICE & 0xFFFF0000u) | NSPI_PT_STRING8
};
#define N_DEFAULT_COLS (sizeof(default_cols) / sizeof(default_cols[0]))

/* HasColumnsAndRows, Columns (LargePropertyTagArray), RowCount, RowData:
 * the PropertyRowSet of QueryRows, SeekEntries, GetMatches, ResolveNames. */
static void wr_rowset(nspi_ctx *ctx, mapi_wr *wr, const nspi_obj **objs,
                      unsigned n, const uint32_t *cols, unsigned n_cols,
                      uint32_t flags, uint32_t codepage)
{
    mapi_wr_u8(wr, 0xFF);
    mapi_wr_u32(wr, n_cols);
    for (unsigned i = 0; i < n_cols; i++)
        mapi_wr_u32(wr, cols[i]);
    mapi_wr_u32(wr, n);
    for (unsigned i = 0; i < n; i++)
        nspi_wr_row(wr, ctx->dir, objs[i], cols, n_cols, flags, codepage,
                    ctx->pool);
}

/* ---- UpdateStat: Reserved, HasState, State, DeltaRequested. */
static int op_update_stat(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, ec;
    int has_state, want_delta, rc;
    int32_t moved = 0;
    unsigned pos;
    nspi_stat st;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_bool(rd, &want_delta) || nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_sorted(ctx, &st)) != 0)
        return rc;
    if ((ec = nspi_stat_check(&st)) == NSPI_OK &&
        (ec = nspi_stat_seek(ctx->dir, &st, &pos, &moved)) == NSPI_OK)
        nspi_stat_set(ctx->dir, &st, pos);
    nspi_wr_head(wr, ec);
    nspi_wr_opt_stat(wr, ec == NSPI_OK ? &st : NULL);
    mapi_wr_u8(wr, ec == NSPI_OK && want_delta ? 0xFF : 0x00);
    if (ec == NSPI_OK && want_delta)
        mapi_wr_u32(wr, (uint32_t)moved);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* The rows one call may return (MapiMaxNspiRows): a larger count is cut
 * to it and noted for the log.  QueryRows and SeekEntries then answer
 * fewer rows (the client pages on from the STAT), GetMatches
 * TableTooBig when more objects match (3.1.4.1.10). */
static uint32_t nspi_cap_rows(nspi_ctx *ctx, uint32_t n)
{
    uint32_t max = ctx->max_rows && ctx->max_rows < NSPI_MAX_ROWS
                   ? ctx->max_rows : NSPI_MAX_ROWS;

    if (n <= max)
        return n;
    ctx->rows_limited = 1;
    return max;
}

/* ---- QueryRows: Flags, HasState, State, ExplicitTableCount,
 * ExplicitTable, RowCount, HasColumns, Columns. */
static int op_query_rows(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t flags, n_explicit, row_count, n_cols, *explicit, *cols, ec;
    int has_state, has_cols, rc;
    const nspi_obj **objs;
    unsigned pos, n = 0;
    nspi_stat st;

    if (mapi_rd_u32(rd, &flags) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_u32_array(rd, ctx->pool, NSPI_MAX_ROWS, &explicit,
                          &n_explicit) ||
        mapi_rd_u32(rd, &row_count) ||
        nspi_rd_opt_tags(rd, ctx->pool, &has_cols, &cols, &n_cols) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_sorted(ctx, &st)) != 0)
        return rc;
    if (!has_cols) {
        cols = (uint32_t *)default_cols;
        n_cols = N_DEFAULT_COLS;
    }
    row_count = nspi_cap_rows(ctx, row_count);
    ec = n_explicit ? NSPI_OK : nspi_stat_check(&st);
    if (ec == NSPI_OK)
        ec = stat_codepage(&st);
    if (ec == NSPI_OK && n_explicit == 0)
        ec = nspi_stat_seek(ctx->dir, &st, &pos, NULL);
    if (ec != NSPI_OK) {
        nspi_wr_head(wr, ec);
        mapi_wr_u8(wr, 0);
        mapi_wr_u8(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    objs = apr_pcalloc(ctx->pool, (n_explicit + row_count + 1) *
                                  sizeof(*objs));
    if (n_explicit) {
        /* An explicit table: its rows, the STAT as it was (3.1.4.1.8);
         * an MId that names nothing gives no row. */
        for (uint32_t i = 0; i < n_explicit; i++)
            if ((objs[n] = nspi_dir_by_mid(ctx->dir, explicit[i], NULL)))
                n++;
    } else {
        for (; n < row_count && pos + n < ctx->dir->n; n++)
            objs[n] = ctx->dir->rows[pos + n];
        nspi_stat_set(ctx->dir, &st, pos + n);
    }
    nspi_wr_head(wr, NSPI_OK);
    nspi_wr_opt_stat(wr, &st);
    wr_rowset(ctx, wr, objs, n, cols, n_cols, flags, st.codepage);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- SeekEntries: Reserved, HasState, State, HasTarget, Target,
 * HasExplicitTable, ExplicitTable, HasColumns, Columns. */
static int op_seek_entries(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, n_explicit, n_cols, *explicit, *cols, ec = NSPI_OK;
    int has_state, has_target = 0, has_explicit, has_cols, rc;
    nspi_val target = { 0 };
    const nspi_obj **objs, *o;
    unsigned n_table, pos = 0, n = 0;
    nspi_stat st;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_has(rd, &has_target))
        return NSPI_BODY_BAD;
    if (has_target && nspi_rd_tagged(rd, ctx->pool, st.codepage, &target))
        return NSPI_BODY_BAD;
    if (nspi_rd_opt_mids(rd, ctx->pool, &has_explicit, &explicit,
                         &n_explicit) ||
        nspi_rd_opt_tags(rd, ctx->pool, &has_cols, &cols, &n_cols) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_sorted(ctx, &st)) != 0)
        return rc;
    /* Only display name order can be sought in, by a display name of
     * either string type: GeneralFailure otherwise ([MS-OXNSPI] 3.1.4.1.9
     * constraints 9 and 10, R1039 R1043). */
    if (st.sort_type != NSPI_SORT_DISPLAYNAME)
        ec = NSPI_E_GENERAL_FAILURE;
    else if (!has_target || NSPI_ID(target.tag) !=
             NSPI_ID(NSPI_TAG_DISPLAY_NAME) || target.s == NULL ||
             (NSPI_TYPE(target.tag) != NSPI_PT_UNICODE &&
              NSPI_TYPE(target.tag) != NSPI_PT_STRING8))
        ec = NSPI_E_GENERAL_FAILURE;
    else if (st.container_id != 0 && !has_explicit)
        ec = NSPI_E_INVALID_BOOKMARK;
    else
        ec = stat_codepage(&st);
    n_table = has_explicit ? n_explicit : ctx->dir->n;
    objs = apr_pcalloc(ctx->pool, (n_table + 1) * sizeof(*objs));
    for (unsigned i = 0; ec == NSPI_OK && i < n_table; i++) {
        o = has_explicit ? nspi_dir_by_mid(ctx->dir, explicit[i], NULL)
                         : ctx->dir->rows[i];
        if (o)
            objs[n++] = o;
    }
    while (ec == NSPI_OK && pos < n &&
           nspi_dir_name_cmp(ctx->dir, objs[pos]->display_name,
                             target.s) < 0)
        pos++;
    if (ec == NSPI_OK && pos == n)
        ec = NSPI_E_NOT_FOUND;
    if (ec != NSPI_OK) {
        nspi_wr_head(wr, ec);
        mapi_wr_u8(wr, 0);
        mapi_wr_u8(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    st.cur_rec = objs[pos]->mid;
    st.num_pos = pos;
    st.total_recs = n;
    st.delta = 0;
    nspi_wr_head(wr, NSPI_OK);
    nspi_wr_opt_stat(wr, &st);
    if (has_cols) {
        /* Rows from the object found to the end of the table. */
        unsigned rows = nspi_cap_rows(ctx, n - pos);
        wr_rowset(ctx, wr, objs + pos, rows, cols, n_cols, 0, st.codepage);
    } else {
        mapi_wr_u8(wr, 0);
    }
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* The answer of GetMatches: the Explicit Table (MIds) and its rows, or
 * an error with every optional part absent. */
static int wr_matches(nspi_ctx *ctx, mapi_wr *wr, nspi_stat *st,
                      uint32_t ec, const nspi_obj **objs, unsigned n,
                      uint32_t row_count, int has_cols, const uint32_t *cols,
                      uint32_t n_cols)
{
    uint32_t *out_mids;

    /* More matches than the client takes: TableTooBig (3.1.4.1.10). */
    if (ec == NSPI_OK && n > row_count)
        ec = NSPI_E_TABLE_TOO_BIG;
    if (ec != NSPI_OK) {
        nspi_wr_head(wr, ec);
        mapi_wr_u8(wr, 0);
        mapi_wr_u8(wr, 0);
        mapi_wr_u8(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    out_mids = apr_palloc(ctx->pool, (n + 1) * sizeof(*out_mids));
    for (unsigned i = 0; i < n; i++)
        out_mids[i] = objs[i]->mid;
    st->cur_rec = NSPI_MID_BEGINNING_OF_TABLE;
    st->num_pos = 0;
    st->total_recs = n;
    st->delta = 0;
    nspi_wr_head(wr, NSPI_OK);
    nspi_wr_opt_stat(wr, st);
    nspi_wr_opt_u32s(wr, out_mids, n, 1);
    if (has_cols)
        wr_rowset(ctx, wr, objs, n, cols, n_cols, 0, st->codepage);
    else
        mapi_wr_u8(wr, 0);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* Without a filter, GetMatches reads a link property of the object
 * CurrentRec names, the property tag given in ContainerID ([MS-OXNSPI]
 * 3.1.4.1.10 constraints 9-13): group members, the groups an object is
 * a member of, a user's manager and direct reports.  Only membership can
 * be modified (ModLinkAtt), which SortTypeDisplayName_W asks for. */
static uint32_t link_values(const nspi_dir *dir, const nspi_stat *st,
                            int has_name, const nspi_obj ***objs_r,
                            unsigned *n_r)
{
    const nspi_obj *o = nspi_dir_by_mid(dir, st->cur_rec, NULL);
    const apr_array_header_t *a = NULL;
    int writable = 0;

    *n_r = 0;
    if (o == NULL)
        return NSPI_E_GENERAL_FAILURE;
    if (has_name)
        return NSPI_E_NOT_SUPPORTED;   /* no named properties here */
    switch (st->container_id) {
    case NSPI_TAG_AB_MEMBER:
        a = o->members;
        writable = o->kind == NSPI_KIND_DISTLIST;
        break;
    case NSPI_TAG_AB_IS_MEMBER_OF:
        a = o->member_of;
        break;
    case NSPI_TAG_AB_REPORTS:
        a = o->reports;
        break;
    case NSPI_TAG_AB_MANAGER:
        *objs_r = (const nspi_obj **)&o->manager;
        *n_r = o->manager != NULL;
        break;
    default:
        return NSPI_E_NOT_SUPPORTED;
    }
    if (st->sort_type == NSPI_SORT_DISPLAYNAME_W && !writable)
        return NSPI_E_NOT_SUPPORTED;
    if (a != NULL) {
        *objs_r = (const nspi_obj **)a->elts;
        *n_r = (unsigned)a->nelts;
    }
    return NSPI_OK;
}

/* ---- GetMatches: Reserved, HasState, State, HasMinimalIds, MinimalIds,
 * InterfaceOptionFlags, HasFilter, Filter, HasPropertyName,
 * PropertyNameGuid, PropertyNameId, RowCount, HasColumns, Columns. */
static int op_get_matches(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, n_mids, *mids, options, row_count, n_cols, *cols;
    uint32_t ec = NSPI_OK;
    int has_state, has_mids, has_filter, has_name, has_cols, rc;
    const nspi_obj **objs = NULL;
    const char *why = NULL;
    nspi_res res = { 0 };
    unsigned n = 0, n_scan;
    nspi_stat st;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_opt_mids(rd, ctx->pool, &has_mids, &mids, &n_mids) ||
        mapi_rd_u32(rd, &options) || nspi_rd_has(rd, &has_filter))
        return NSPI_BODY_BAD;
    if (has_filter && nspi_res_read(rd, ctx->pool, st.codepage, &res, &why)) {
        ctx->error = why;
        return NSPI_BODY_BAD;
    }
    if (nspi_rd_has(rd, &has_name) ||
        (has_name && mapi_rd_skip(rd, 16 + 4)) ||
        mapi_rd_u32(rd, &row_count) ||
        nspi_rd_opt_tags(rd, ctx->pool, &has_cols, &cols, &n_cols) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_sorted(ctx, &st)) != 0)
        return rc;
    row_count = nspi_cap_rows(ctx, row_count);
    if (!has_filter) {
        ec = link_values(ctx->dir, &st, has_name, &objs, &n);
        return wr_matches(ctx, wr, &st, ec, objs, n, row_count, has_cols,
                          cols, n_cols);
    }
    if (has_name)
        ec = NSPI_E_NOT_SUPPORTED;
    else if (st.sort_type != NSPI_SORT_DISPLAYNAME &&
             st.sort_type != NSPI_SORT_DISPLAYNAME_W &&
             st.sort_type != NSPI_SORT_DISPLAYNAME_RO)
        ec = NSPI_E_INVALID_PARAM;
    else if (st.container_id != 0)
        ec = NSPI_E_INVALID_BOOKMARK;
    else
        ec = stat_codepage(&st);
    n_scan = has_mids ? n_mids : ctx->dir->n;
    objs = apr_pcalloc(ctx->pool, (n_scan + 1) * sizeof(*objs));
    for (unsigned i = 0; ec == NSPI_OK && i < n_scan; i++) {
        const nspi_obj *o = has_mids ? nspi_dir_by_mid(ctx->dir, mids[i], NULL)
                                     : ctx->dir->rows[i];
        int m = o ? nspi_res_match(ctx->dir, o, &res, ctx->pool) : 0;
        if (m < 0)
            ec = NSPI_E_TOO_COMPLEX;
        else if (m)
            objs[n++] = o;
    }
    return wr_matches(ctx, wr, &st, ec, objs, n, row_count, has_cols, cols,
                      n_cols);
}

/* ---- ResortRestriction: Reserved, HasState, State, HasMinimalIds,
 * MinimalIds: the MIds in the order of the STAT's sort. */
static int mid_pos_cmp(const void *a, const void *b)
{
    const unsigned *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int op_resort(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, n_mids, *mids, ec, *out;
    int has_state, has_mids, rc;
    unsigned (*pairs)[2], n = 0;
    nspi_stat st;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_opt_mids(rd, ctx->pool, &has_mids, &mids, &n_mids) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_sorted(ctx, &st)) != 0)
        return rc;
    ec = nspi_stat_check(&st);
    if (ec != NSPI_OK) {
        nspi_wr_head(wr, ec);
        mapi_wr_u8(wr, 0);
        mapi_wr_u8(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    pairs = apr_palloc(ctx->pool, (n_mids + 1) * sizeof(*pairs));
    for (uint32_t i = 0; i < n_mids; i++) {
        unsigned pos;
        /* MIds that name nothing are dropped (3.1.4.1.11). */
        if (nspi_dir_by_mid(ctx->dir, mids[i], &pos)) {
            pairs[n][0] = pos;
            pairs[n++][1] = mids[i];
        }
    }
    qsort(pairs, n, sizeof(*pairs), mid_pos_cmp);
    out = apr_palloc(ctx->pool, (n + 1) * sizeof(*out));
    st.num_pos = 0;
    for (unsigned i = 0; i < n; i++) {
        out[i] = pairs[i][1];
        if (out[i] == st.cur_rec)
            st.num_pos = i;
    }
    st.total_recs = n;
    nspi_wr_head(wr, NSPI_OK);
    nspi_wr_opt_stat(wr, &st);
    nspi_wr_opt_u32s(wr, out, n, 1);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- DNToMId: Reserved, HasNames, Names (StringArray_r). */
static int op_dn_to_mid(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, n = 0, *mids;
    const char **names = NULL;
    int has_names, rc;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_has(rd, &has_names) ||
        (has_names && nspi_rd_strings(rd, ctx->pool, 0, &names, &n)) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_ready(ctx)) != 0)
        return rc;
    mids = apr_palloc(ctx->pool, (n + 1) * sizeof(*mids));
    for (uint32_t i = 0; i < n; i++) {
        const nspi_obj *o = nspi_dir_by_dn(ctx->dir, names[i]);
        mids[i] = o ? o->mid : 0;       /* unknown DN: MId 0 */
    }
    nspi_wr_head(wr, NSPI_OK);
    nspi_wr_opt_u32s(wr, mids, n, has_names);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- CompareMIds: Reserved, HasState, State, MinimalId1, MinimalId2. */
static int op_compare_mids(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, m1, m2, ec;
    unsigned p1 = 0, p2 = 0;
    int has_state, rc;
    nspi_stat st;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        mapi_rd_u32(rd, &m1) || mapi_rd_u32(rd, &m2) || nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_sorted(ctx, &st)) != 0)
        return rc;
    ec = nspi_stat_check(&st);
    if (ec == NSPI_OK && (!nspi_dir_by_mid(ctx->dir, m1, &p1) ||
                          !nspi_dir_by_mid(ctx->dir, m2, &p2)))
        ec = NSPI_E_NOT_FOUND;
    nspi_wr_head(wr, ec);
    mapi_wr_u32(wr, ec ? 0 : (uint32_t)(p1 < p2 ? -1 : p1 > p2));
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

static int wants_string8(uint32_t codepage)
{
    return codepage != NSPI_CP_UNICODE;
}

/* ---- GetPropList: Flags, MinimalId, CodePage. */
static int op_get_prop_list(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t flags, mid, codepage;
    const uint32_t *tags = NULL;
    const nspi_obj *o;
    unsigned n = 0;
    int rc;

    if (mapi_rd_u32(rd, &flags) || mapi_rd_u32(rd, &mid) ||
        mapi_rd_u32(rd, &codepage) || nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_ready(ctx)) != 0)
        return rc;
    if ((o = nspi_dir_by_mid(ctx->dir, mid, NULL)) == NULL) {
        nspi_wr_head(wr, NSPI_E_INVALID_PARAM);
        mapi_wr_u8(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    /* String properties always as PtypString8, whatever the code page
     * ([MS-OXNSPI] 3.1.4.1.6 constraint 4, R852). */
    tags = nspi_prop_list(ctx->pool, o, 1, &n);
    nspi_wr_head(wr, NSPI_OK);
    nspi_wr_opt_u32s(wr, tags, n, 1);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- GetProps: Flags, HasState, State, HasPropertyTags, PropertyTags:
 * the properties of the object CurrentRec names. */
static int op_get_props(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t flags, n_tags, *tags, ec = NSPI_OK;
    int has_state, has_tags, rc;
    const nspi_obj *o;
    nspi_stat st;
    unsigned n;

    if (mapi_rd_u32(rd, &flags) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_opt_tags(rd, ctx->pool, &has_tags, &tags, &n_tags) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_ready(ctx)) != 0)
        return rc;
    o = nspi_dir_by_mid(ctx->dir, st.cur_rec, NULL);
    if (stat_codepage(&st) != NSPI_OK) {
        nspi_wr_head(wr, NSPI_E_INVALID_CODEPAGE);
        mapi_wr_u32(wr, st.codepage);
        mapi_wr_u8(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    if (o == NULL) {
        /* An object that cannot be located (MID_CURRENT, MID_END_OF_TABLE,
         * an unknown MId) has no values for any property: ErrorsReturned
         * with every column PtypErrorCode (R907, R910, R1985). */
        if (!has_tags) {
            tags = (uint32_t *)default_cols;
            n_tags = N_DEFAULT_COLS;
        }
        nspi_wr_head(wr, NSPI_W_ERRORS_RETURNED);
        mapi_wr_u32(wr, st.codepage);
        mapi_wr_u8(wr, 0xFF);
        nspi_wr_error_row(wr, tags, n_tags, NSPI_E_NOT_FOUND);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    if (!has_tags) {
        tags = (uint32_t *)nspi_prop_list(ctx->pool, o,
                                          wants_string8(st.codepage), &n);
        n_tags = n;
    }
    /* A column without a value makes the call ErrorsReturned (a warning:
     * the row still comes, with those columns flagged). */
    for (uint32_t i = 0; i < n_tags; i++) {
        nspi_val v;
        nspi_prop_get(ctx->dir, o, tags[i], flags, ctx->pool, &v);
        if (v.err != NSPI_OK)
            ec = NSPI_W_ERRORS_RETURNED;
    }
    nspi_wr_head(wr, ec);
    mapi_wr_u32(wr, st.codepage);
    mapi_wr_u8(wr, 0xFF);
    nspi_wr_row(wr, ctx->dir, o, tags, n_tags, flags, st.codepage, ctx->pool);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- QueryColumns: Reserved, MapiFlags. */
static int op_query_columns(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, flags;
    const uint32_t *tags;
    unsigned n;

    if (mapi_rd_u32(rd, &reserved) || mapi_rd_u32(rd, &flags) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    /* Every column the directory has. */
    tags = nspi_prop_list(ctx->pool, NULL, (flags & NSPI_QC_UNICODE) == 0,
                          &n);
    nspi_wr_head(wr, NSPI_OK);
    nspi_wr_opt_u32s(wr, tags, n, 1);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- ResolveNames: Reserved, HasState, State, HasPropertyTags,
 * PropertyTags, HasNames, Names (WStringArray_r). */
static int op_resolve_names(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, n_tags, *tags, n_names = 0, *mids, ec;
    int has_state, has_tags, has_names, rc;
    const char **names = NULL;
    const nspi_obj **objs;
    unsigned n_rows = 0;
    nspi_stat st;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_opt_tags(rd, ctx->pool, &has_tags, &tags, &n_tags) ||
        nspi_rd_has(rd, &has_names) ||
        (has_names && nspi_rd_strings(rd, ctx->pool, 1, &names, &n_names)) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_sorted(ctx, &st)) != 0)
        return rc;
    ec = nspi_stat_check(&st);
    if (ec == NSPI_OK)
        ec = stat_codepage(&st);
    if (ec != NSPI_OK) {
        nspi_wr_head(wr, ec);
        mapi_wr_u32(wr, st.codepage);
        mapi_wr_u8(wr, 0);
        mapi_wr_u8(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    if (!has_tags) {
        tags = (uint32_t *)default_cols;
        n_tags = N_DEFAULT_COLS;
    }
    mids = apr_palloc(ctx->pool, (n_names + 1) * sizeof(*mids));
    objs = apr_pcalloc(ctx->pool, (n_names + 1) * sizeof(*objs));
    for (uint32_t i = 0; i < n_names; i++) {
        mids[i] = nspi_anr(ctx->dir, names[i]);
        /* Rows only for the names that resolved to one object. */
        if (mids[i] >= NSPI_MID_FIRST)
            objs[n_rows++] = nspi_dir_by_mid(ctx->dir, mids[i], NULL);
    }
    nspi_wr_head(wr, NSPI_OK);
    mapi_wr_u32(wr, st.codepage);
    nspi_wr_opt_u32s(wr, mids, n_names, 1);
    wr_rowset(ctx, wr, objs, n_rows, tags, n_tags, 0, st.codepage);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- GetSpecialTable: Flags, HasState, State, HasVersion, Version: the
 * address book hierarchy table, which holds the GAL. */
#define NSPI_HIERARCHY_VERSION 1u
#define AB_RECIPIENTS   0x00000001u
#define AB_UNMODIFIABLE 0x00000008u

static void wr_tagged_u32(mapi_wr *wr, uint32_t tag, uint32_t v)
{
    mapi_wr_u32(wr, tag);
    if (NSPI_TYPE(tag) == NSPI_PT_BOOLEAN)
        mapi_wr_u8(wr, v ? 1 : 0);
    else
        mapi_wr_u32(wr, v);
}

static void wr_gal_row(nspi_ctx *ctx, mapi_wr *wr, int unicode,
                       uint32_t codepage)
{
    nspi_val name = { .s = "" }, eid = { 0 };
    nspi_obj gal = { .legacy_dn = "/" };
    uint32_t name_tag = (NSPI_TAG_DISPLAY_NAME & 0xFFFF0000u) |
                        (unicode ? NSPI_PT_UNICODE : NSPI_PT_STRING8);

    nspi_entryid(ctx->pool, ctx->dir, &gal, 0, &eid.bin, &eid.bin_len);
    /* The permanent EntryID of the GAL has display type DT_CONTAINER. */
    ((uint8_t *)eid.bin)[24] = NSPI_DT_CONTAINER & 0xFF;
    ((uint8_t *)eid.bin)[25] = (NSPI_DT_CONTAINER >> 8) & 0xFF;
    mapi_wr_u32(wr, 6);                                 /* PropertyValueCount */
    mapi_wr_u32(wr, NSPI_TAG_ENTRYID);
    nspi_wr_value(wr, NSPI_PT_BINARY, &eid, codepage);
    wr_tagged_u32(wr, NSPI_TAG_CONTAINER_FLAGS,
                  AB_RECIPIENTS | AB_UNMODIFIABLE);
    wr_tagged_u32(wr, NSPI_TAG_DEPTH, 0);
    wr_tagged_u32(wr, NSPI_TAG_AB_CONTAINER_ID, 0);    /* the GAL is 0 */
    mapi_wr_u32(wr, name_tag);                          /* "" for the GAL */
    nspi_wr_value(wr, NSPI_TYPE(name_tag), &name, codepage);
    wr_tagged_u32(wr, NSPI_TAG_AB_IS_MASTER, 0);
}

static int op_get_special_table(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t flags, version = 0;
    int has_state, has_version, rc;
    nspi_stat st;

    if (mapi_rd_u32(rd, &flags) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_has(rd, &has_version) ||
        (has_version && mapi_rd_u32(rd, &version)) || nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_ready(ctx)) != 0)
        return rc;
    /* The address creation table of the STAT's TemplateLocale (R756):
     * the one-off SMTP template; NspiUnicodeStrings is ignored (R741). */
    if (flags & NSPI_ST_ADDRESS_TEMPLATES) {
        nspi_wr_head(wr, NSPI_OK);
        mapi_wr_u32(wr, st.codepage);
        mapi_wr_u8(wr, 0xFF);
        mapi_wr_u32(wr, NSPI_HIERARCHY_VERSION);
        mapi_wr_u8(wr, 0xFF);                           /* HasRows */
        nspi_tmpl_wr_creation_table(wr, ctx->pool, ctx->dir,
                                    st.template_locale,
                                    st.codepage == NSPI_CP_UNICODE ? 1252
                                                                   : st.codepage);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    if (stat_codepage(&st) != NSPI_OK) {
        /* R736: no rows on an error. */
        nspi_wr_head(wr, NSPI_E_INVALID_CODEPAGE);
        mapi_wr_u32(wr, st.codepage);
        mapi_wr_u8(wr, 0);                              /* HasVersion */
        mapi_wr_u8(wr, 0);                              /* HasRows */
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    nspi_wr_head(wr, NSPI_OK);
    mapi_wr_u32(wr, st.codepage);
    mapi_wr_u8(wr, 0xFF);
    mapi_wr_u32(wr, NSPI_HIERARCHY_VERSION);
    mapi_wr_u8(wr, 0xFF);                               /* HasRows */
    mapi_wr_u32(wr, 1);                                 /* RowsCount */
    wr_gal_row(ctx, wr, (flags & NSPI_ST_UNICODE) != 0, st.codepage);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* ---- GetMailboxUrl: Flags, ServerDn; GetAddressBookUrl: Flags, UserDn.
 * The URLs Autodiscover hands out: <vdir>/<endpoint>/?MailboxId=<guid>@<domain>. */
static int wr_url(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr,
                  const char *endpoint, int by_user_dn)
{
    const uint8_t *guid = ctx->self ? ctx->self->guid : NULL;
    uint32_t flags;
    const char *dn, *url;
    int rc;

    if (mapi_rd_u32(rd, &flags) ||
        mapi_rd_str16(rd, ctx->pool, NSPI_MAX_STR, &dn) || nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if (by_user_dn) {
        const nspi_obj *o;
        if ((rc = dir_ready(ctx)) != 0)
            return rc;
        if ((o = nspi_dir_by_dn(ctx->dir, dn)) != NULL)
            guid = o->guid;
    }
    if (ctx->vdir_url == NULL || guid == NULL) {
        nspi_wr_head(wr, NSPI_E_NOT_FOUND);
        mapi_wr_u16(wr, 0);
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    url = apr_psprintf(ctx->pool, "%s/%s/?MailboxId=%s@%s", ctx->vdir_url,
                       endpoint, cfg_guid_str(ctx->pool, guid),
                       ctx->org->domain);
    nspi_wr_head(wr, NSPI_OK);
    mapi_wr_str16(wr, url);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

static int op_get_mailbox_url(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    return wr_url(ctx, rd, wr, "emsmdb", 0);
}

static int op_get_ab_url(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    return wr_url(ctx, rd, wr, "nspi", 1);
}

/* ---- GetTemplateInfo: Flags, DisplayType, HasTemplateDn, TemplateDn,
 * CodePage, LocaleId.  The row holds PidTagTemplateData for TI_TEMPLATE
 * and PidTagScriptData for TI_SCRIPT (R302, R303), in that order; other
 * flags are ignored (R1447, R694). */
static int op_get_template_info(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t flags, display_type, codepage, locale, ec;
    const char *dn = NULL;
    nspi_tmpl t;
    nspi_val v = { 0 };
    int has_dn, rc;

    if (mapi_rd_u32(rd, &flags) || mapi_rd_u32(rd, &display_type) ||
        nspi_rd_has(rd, &has_dn) ||
        (has_dn && mapi_rd_str8(rd, ctx->pool, NSPI_MAX_STR, &dn)) ||
        mapi_rd_u32(rd, &codepage) || mapi_rd_u32(rd, &locale) ||
        nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_ready(ctx)) != 0)
        return rc;
    ec = nspi_tmpl_get(ctx->pool, ctx->dir, display_type, dn, codepage,
                       locale, &t);
    nspi_wr_head(wr, ec);
    mapi_wr_u32(wr, codepage);
    if (ec != NSPI_OK) {
        mapi_wr_u8(wr, 0);                              /* HasRow */
        nspi_wr_tail(wr);
        return NSPI_BODY_OK;
    }
    mapi_wr_u8(wr, 0xFF);
    mapi_wr_u32(wr, ((flags & NSPI_TI_TEMPLATE) != 0) +
                    ((flags & NSPI_TI_SCRIPT) != 0));
    if (flags & NSPI_TI_TEMPLATE) {
        v.bin = t.data;
        v.bin_len = t.len;
        mapi_wr_u32(wr, NSPI_TAG_TEMPLATE_DATA);
        nspi_wr_value(wr, NSPI_PT_BINARY, &v, codepage);
    }
    if (flags & NSPI_TI_SCRIPT) {
        v.bin = t.script;
        v.bin_len = t.script_len;
        mapi_wr_u32(wr, NSPI_TAG_SCRIPT_DATA);
        nspi_wr_value(wr, NSPI_PT_BINARY, &v, codepage);
    }
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

static int is_cert_tag(uint32_t tag)
{
    return NSPI_ID(tag) == NSPI_ID(NSPI_TAG_USER_X509) ||
           NSPI_ID(tag) == NSPI_ID(NSPI_TAG_AB_X509);
}

typedef struct cert_edit {
    int clear_user, clear_ab;
    apr_array_header_t *user, *ab;      /* NULL: unchanged */
} cert_edit;

static int cert_apply(cfg_mailbox *m, void *baton)
{
    const cert_edit *e = baton;

    if (e->clear_user)
        m->attrs.user_certs = NULL;
    if (e->clear_ab)
        m->attrs.ab_certs = NULL;
    if (e->user)
        m->attrs.user_certs = e->user;
    if (e->ab)
        m->attrs.ab_certs = e->ab;
    return 0;
}

/* What ModProps may change: only the caller's own certificates. */
static uint32_t mod_props_check(nspi_ctx *ctx, const nspi_obj *o,
                                const uint32_t *tags, uint32_t n_tags,
                                const nspi_val *vals, uint32_t n_vals)
{
    if (o == NULL)
        return NSPI_E_INVALID_PARAM;             /* constraint 6 */
    if (o->kind != NSPI_KIND_MAILUSER)
        return NSPI_E_INVALID_OBJECT;            /* constraint 7 */
    if (ctx->self == NULL || memcmp(ctx->self->guid, o->guid, 16) != 0)
        return NSPI_E_ACCESS_DENIED;
    for (uint32_t i = 0; i < n_tags; i++)
        if (!is_cert_tag(tags[i]))
            return NSPI_E_ACCESS_DENIED;
    for (uint32_t i = 0; i < n_vals; i++) {
        if (!is_cert_tag(vals[i].tag) ||
            NSPI_TYPE(vals[i].tag) != (NSPI_PT_MV | NSPI_PT_BINARY) ||
            (vals[i].mvb && vals[i].mvb->nelts > CFG_CERTS_MAX))
            return NSPI_E_ACCESS_DENIED;
        for (int j = 0; vals[i].mvb && j < vals[i].mvb->nelts; j++)
            if (APR_ARRAY_IDX(vals[i].mvb, j, cfg_blob).len > CFG_CERT_MAX)
                return NSPI_E_ACCESS_DENIED;
    }
    return ctx->db ? NSPI_OK : NSPI_E_GENERAL_FAILURE;
}

/* ---- ModProps: Reserved, HasState, State, HasPropertyTags, PropertyTags
 * (to remove), HasPropertyValues, PropertyValues (AddressBookPropValueList:
 * u32 count, tagged values). */
static int op_mod_props(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t reserved, n_tags, *tags, n_vals = 0, ec;
    int has_state, has_tags, has_vals, rc;
    nspi_val *vals = NULL;
    cert_edit e = { 0 };
    const char *error = NULL;
    nspi_stat st;

    if (mapi_rd_u32(rd, &reserved) || nspi_rd_opt_stat(rd, &has_state, &st) ||
        nspi_rd_opt_tags(rd, ctx->pool, &has_tags, &tags, &n_tags) ||
        nspi_rd_has(rd, &has_vals))
        return NSPI_BODY_BAD;
    if (has_vals) {
        /* Each value takes at least its 4-byte tag. */
        if (mapi_rd_u32(rd, &n_vals) || n_vals > NSPI_MAX_TAGS ||
            mapi_rd_left(rd) / 4 < n_vals)
            return NSPI_BODY_BAD;
        vals = apr_pcalloc(ctx->pool, (n_vals + 1) * sizeof(*vals));
        for (uint32_t i = 0; i < n_vals; i++)
            if (nspi_rd_tagged(rd, ctx->pool, st.codepage, &vals[i]))
                return NSPI_BODY_BAD;
    }
    if (nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_ready(ctx)) != 0)
        return rc;
    ec = !has_tags ? NSPI_E_INVALID_PARAM       /* constraint 5 */
                   : mod_props_check(ctx, nspi_dir_by_mid(ctx->dir,
                                     st.cur_rec, NULL), tags, n_tags,
                                     vals, n_vals);
    for (uint32_t i = 0; ec == NSPI_OK && i < n_tags; i++) {
        int user = NSPI_ID(tags[i]) == NSPI_ID(NSPI_TAG_USER_X509);
        e.clear_user |= user;
        e.clear_ab |= !user;
    }
    for (uint32_t i = 0; ec == NSPI_OK && i < n_vals; i++) {
        apr_array_header_t *v = vals[i].err ? NULL : vals[i].mvb;
        if (NSPI_ID(vals[i].tag) == NSPI_ID(NSPI_TAG_USER_X509))
            e.clear_user = 1, e.user = v;
        else
            e.clear_ab = 1, e.ab = v;
    }
    if (ec == NSPI_OK &&
        cfg_mailbox_update(ctx->db, ctx->pool, ctx->self->smtp, cert_apply,
                           &e, &error) != 0) {
        ctx->error = error;
        ec = NSPI_E_GENERAL_FAILURE;
    }
    nspi_wr_head(wr, ec);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

/* The object an EntryID names: ephemeral (type 0x87, our server GUID,
 * an MId) or permanent (type 0, a DN). */
static const nspi_obj *obj_of_entryid(const nspi_dir *dir, apr_pool_t *pool,
                                      const uint8_t *b, size_t n)
{
    if (n >= 32 && b[0] == 0x87 && memcmp(b + 4, dir->server_guid, 16) == 0)
        return nspi_dir_by_mid(dir, (uint32_t)b[28] | (uint32_t)b[29] << 8 |
                               (uint32_t)b[30] << 16 | (uint32_t)b[31] << 24,
                               NULL);
    if (n > 28 && b[0] == 0x00)
        return nspi_dir_by_dn(dir, apr_pstrmemdup(pool, (const char *)b + 28,
                                                  strnlen((const char *)b + 28,
                                                          n - 28)));
    return NULL;
}

typedef struct link_edit {
    int remove;
    apr_array_header_t *dns;
} link_edit;

static int link_apply(cfg_group *g, void *baton)
{
    const link_edit *e = baton;
    apr_array_header_t *out = apr_array_make(g->members->pool,
                                             g->members->nelts + e->dns->nelts,
                                             sizeof(const char *));

    for (int i = 0; i < g->members->nelts; i++) {
        const char *m = APR_ARRAY_IDX(g->members, i, const char *);
        int drop = 0;
        for (int j = 0; e->remove && j < e->dns->nelts; j++)
            drop |= strcasecmp(m, APR_ARRAY_IDX(e->dns, j, const char *)) == 0;
        if (!drop)
            APR_ARRAY_PUSH(out, const char *) = m;
    }
    for (int j = 0; !e->remove && j < e->dns->nelts; j++)
        APR_ARRAY_PUSH(out, const char *) = APR_ARRAY_IDX(e->dns, j,
                                                          const char *);
    g->members = out;       /* duplicates are dropped on write */
    return 0;
}

/* Who may change a group's members over the address book: the mailbox
 * recorded as its owner (New-DistributionGroup -ManagedBy); nobody else
 * (administrators use mapi-admin).  Manager links and delegates are not
 * changed over the address book at all. */
static int is_link_tag(uint32_t tag)
{
    uint16_t id = NSPI_ID(tag);

    return id == NSPI_ID(NSPI_TAG_AB_MEMBER) ||
           id == NSPI_ID(NSPI_TAG_AB_PUBLIC_DELEGATES) ||
           id == NSPI_ID(NSPI_TAG_AB_MANAGER) ||
           id == NSPI_ID(NSPI_TAG_AB_REPORTS) ||
           id == NSPI_ID(NSPI_TAG_AB_IS_MEMBER_OF);
}

/* In the order of [MS-OXNSPI] 3.1.4.1.15: a property that is no link
 * the directory knows is NotFound (constraint 3, R1326), an object it
 * cannot locate InvalidParameter (constraint 4, R1328). */
static uint32_t mod_link_check(nspi_ctx *ctx, const nspi_obj *o,
                               uint32_t tag)
{
    if (!is_link_tag(tag))
        return NSPI_E_NOT_FOUND;
    if (o == NULL)
        return NSPI_E_INVALID_PARAM;
    if (NSPI_ID(tag) == NSPI_ID(NSPI_TAG_AB_PUBLIC_DELEGATES))
        return NSPI_E_ACCESS_DENIED;
    if (NSPI_ID(tag) != NSPI_ID(NSPI_TAG_AB_MEMBER))
        return NSPI_E_NOT_SUPPORTED;
    if (o->kind != NSPI_KIND_DISTLIST)
        return NSPI_E_ACCESS_DENIED;         /* R1647: display type */
    if (ctx->self == NULL || o->managed_by == NULL ||
        strcasecmp(ctx->self->legacy_dn, o->managed_by) != 0)
        return NSPI_E_ACCESS_DENIED;
    return ctx->db ? NSPI_OK : NSPI_E_GENERAL_FAILURE;
}

/* ---- ModLinkAtt: Flags, PropertyTag, MinimalId, HasEntryIds,
 * EntryIdCount, EntryIds (each a u32 size and the EntryID). */
static int op_mod_link_att(nspi_ctx *ctx, mapi_rd *rd, mapi_wr *wr)
{
    uint32_t flags, tag, mid, n = 0, ec;
    int has_eids, rc;
    const uint8_t **eids = NULL;
    uint32_t *lens = NULL;
    link_edit e = { 0 };
    const char *error = NULL;

    if (mapi_rd_u32(rd, &flags) || mapi_rd_u32(rd, &tag) ||
        mapi_rd_u32(rd, &mid) || nspi_rd_has(rd, &has_eids))
        return NSPI_BODY_BAD;
    if (has_eids && (mapi_rd_u32(rd, &n) || n > NSPI_MAX_ROWS ||
                     mapi_rd_left(rd) / 4 < n))
        return NSPI_BODY_BAD;
    eids = apr_pcalloc(ctx->pool, (n + 1) * sizeof(*eids));
    lens = apr_pcalloc(ctx->pool, (n + 1) * sizeof(*lens));
    for (uint32_t i = 0; i < n; i++)
        if (mapi_rd_u32(rd, &lens[i]) || lens[i] > NSPI_MAX_BIN ||
            mapi_rd_view(rd, lens[i], &eids[i]))
            return NSPI_BODY_BAD;
    if (nspi_rd_end(rd))
        return NSPI_BODY_BAD;
    if ((rc = dir_ready(ctx)) != 0)
        return rc;
    ec = mod_link_check(ctx, nspi_dir_by_mid(ctx->dir, mid, NULL), tag);
    e.remove = (flags & 0x1) != 0;                      /* fDelete */
    e.dns = apr_array_make(ctx->pool, (int)n + 1, sizeof(const char *));
    for (uint32_t i = 0; ec == NSPI_OK && i < n; i++) {
        const nspi_obj *m = obj_of_entryid(ctx->dir, ctx->pool, eids[i],
                                           lens[i]);
        if (m == NULL)
            ec = NSPI_E_NOT_FOUND;
        else
            APR_ARRAY_PUSH(e.dns, const char *) = m->legacy_dn;
    }
    if (ec == NSPI_OK) {
        const nspi_obj *g = nspi_dir_by_mid(ctx->dir, mid, NULL);
        rc = cfg_group_update(ctx->db, ctx->pool, g->alias, link_apply, &e,
                              &error);
        /* A member that would make a loop cannot be applied. */
        ec = rc == 0 ? NSPI_OK : rc == CFG_REFUSED ? NSPI_E_ACCESS_DENIED
           : rc == CFG_NOT_FOUND ? NSPI_E_NOT_FOUND : NSPI_E_GENERAL_FAILURE;
        if (rc != 0)
            ctx->error = error;
    }
    nspi_wr_head(wr, ec);
    nspi_wr_tail(wr);
    return NSPI_BODY_OK;
}

static const struct {
    const char *name;
    nspi_op_fn fn;
} ops[] = {
    { "GetTemplateInfo", op_get_template_info },
    { "ModProps", op_mod_props },
    { "ModLinkAtt", op_mod_link_att },
    { "UpdateStat", op_update_stat },
    { "QueryRows", op_query_rows },
    { "SeekEntries", op_seek_entries },
    { "GetMatches", op_get_matches },
    { "ResortRestriction", op_resort },
    { "DNToMId", op_dn_to_mid },
    { "CompareMIds", op_compare_mids },
    { "GetPropList", op_get_prop_list },
    { "GetProps", op_get_props },
    { "QueryColumns", op_query_columns },
    { "ResolveNames", op_resolve_names },
    { "GetSpecialTable", op_get_special_table },
    { "GetMailboxUrl", op_get_mailbox_url },
    { "GetAddressBookUrl", op_get_ab_url },
};

int nspi_call(nspi_ctx *ctx, const char *name, const uint8_t *body,
              size_t len, mapi_wr *wr)
{
    mapi_rd rd;

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcasecmp(ops[i].name, name) != 0)
            continue;
        mapi_rd_init(&rd, body, len);
        int rc = ops[i].fn(ctx, &rd, wr);
        if (rc == NSPI_BODY_OK && wr->failed) {
            ctx->error = "address book response too large";
            return NSPI_FAILED;
        }
        if (rc == NSPI_BODY_BAD && ctx->error == NULL)
            ctx->error = apr_psprintf(ctx->pool, "malformed %s body", name);
        return rc;
    }
    return 1;
}
