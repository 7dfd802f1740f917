/*
 * test_search_views.c: search folders ([MS-OXCFOLD] 3.2.5.4, 3.2.5.5) and
 * grouped (categorized) contents tables ([MS-OXCTABL] 3.2.5) over MAPI
 * over HTTP, through the ROP test client against the real server.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

#define ROP_SET_SEARCH_CRITERIA  0x30
#define ROP_GET_SEARCH_CRITERIA  0x31
#define EC_NOT_SEARCH_FOLDER     0x00000461u
#define EC_SCOPE_VIOLATION       0x00000490u
#define EC_NOT_COLLAPSED         0x000004F8u
#define EC_NOT_EXPANDED          0x000004F7u
#define RECURSIVE_SEARCH         0x04
#define RESTART_SEARCH           0x02
#define STOP_SEARCH              0x01
#define SEARCH_RUNNING           0x01
#define SEARCH_RECURSIVE         0x04
#define TAG_INST_ID              0x674D0014u
#define TAG_INSTANCE_NUM         0x674E0003u
#define TAG_ROW_TYPE             0x0FF50003u
#define TAG_DEPTH                0x30050003u
#define TAG_PARENT_ENTRY_ID      0x0E090102u

/* RopSetSearchCriteria on folder: restriction bytes, scope, flags. */
static uint32_t set_criteria(rc_fx *f, uint32_t folder, const rc_buf *res,
                             const uint64_t *fids, uint16_t n, uint32_t flags)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_SET_SEARCH_CRITERIA);
    rc_u8(&b, f->s.logon_id);
    rc_u8(&b, 0);
    rc_u16(&b, res ? (uint16_t)res->wr.len : 0);
    if (res)
        rc_bytes(&b, res->wr.buf, res->wr.len);
    rc_u16(&b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_u64(&b, fids[i]);
    rc_u32(&b, flags);
    b.n_rops++;
    if (rc_fx_run(f, &b, &x, "RopSetSearchCriteria") == 0
        && rc_rsp_head(&x.resp, ROP_SET_SEARCH_CRITERIA, &h) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

typedef struct criteria {
    uint16_t res_len;
    uint16_t n_folders;
    uint64_t folders[8];
    uint32_t flags;
    uint8_t logon_id;
} criteria;

static uint32_t get_criteria(rc_fx *f, uint32_t folder, int with_res,
                             int with_folders, criteria *c)
{
    const uint8_t *skip;
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    memset(c, 0, sizeof(*c));
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_GET_SEARCH_CRITERIA);
    rc_u8(&b, f->s.logon_id);
    rc_u8(&b, 0);
    rc_u8(&b, 1);
    rc_u8(&b, (uint8_t)with_res);
    rc_u8(&b, (uint8_t)with_folders);
    b.n_rops++;
    if (rc_fx_run(f, &b, &x, "RopGetSearchCriteria") == 0
        && rc_rsp_head(&x.resp, ROP_GET_SEARCH_CRITERIA, &h) == 0) {
        rv = h.rv;
        if (rv == 0
            && (rc_get_u16(&x.resp, &c->res_len) < 0
                || rc_get_bytes(&x.resp, c->res_len, &skip) < 0
                || rc_get_u8(&x.resp, &c->logon_id) < 0
                || rc_get_u16(&x.resp, &c->n_folders) < 0))
            rv = RC_ERR_CLIENT;
        for (uint16_t i = 0; rv == 0 && i < c->n_folders; i++)
            if (i >= 8 || rc_get_u64(&x.resp, &c->folders[i]) < 0)
                rv = RC_ERR_CLIENT;
        if (rv == 0 && rc_get_u32(&x.resp, &c->flags) < 0)
            rv = RC_ERR_CLIENT;
    }
    rc_exec_free(&x);
    return rv;
}

static int mkmsg(rc_fx *f, uint64_t fid, const char *subject,
                 const char *cls, uint64_t *mid)
{
    /* Unread, as delivered mail is (a message a client creates starts
     * read, [MS-OXCMSG] 3.2.5.2). */
    rc_prop v[3] = { rc_pv_str(RC_TAG_SUBJECT, subject),
                     rc_pv_str(RC_TAG_MESSAGE_CLASS, cls),
                     rc_pv_i32(RC_TAG_MESSAGE_FLAGS, 0) };
    uint32_t rv = rc_create_message(&f->s, f->s.logon, fid, v, 3, mid);

    CHECKF(rv == 0, "setup: message %s: 0x%08X (%s)", subject, rv,
           f->s.error);
    return rv == 0 ? 0 : -1;
}

/* RopSetMessageReadFlag (mark read) on fid/mid. */
static uint32_t mark_read(rc_fx *f, uint64_t fid, uint64_t mid)
{
    uint32_t h, rv = rc_open_message(&f->s, f->s.logon, fid, mid, 1, &h);
    rc_buf b;
    rc_exec x;
    rc_head hd;

    if (rv != 0)
        return rv;
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_set_message_read_flag(&b, f->s.logon_id, 0, 0, 0x00, NULL);
    rv = RC_ERR_CLIENT;
    if (rc_fx_run(f, &b, &x, "RopSetMessageReadFlag") == 0
        && rc_rsp_head(&x.resp, RC_ROP_SET_MESSAGE_READ_FLAG, &hd) == 0)
        rv = hd.rv;
    rc_exec_free(&x);
    rc_release(&f->s, h);
    return rv;
}

static const uint32_t sf_cols[] = { RC_TAG_MID, RC_TAG_FOLDER_ID,
                                    RC_TAG_SUBJECT, TAG_PARENT_ENTRY_ID };

/* The search folder's rows (subjects and folder ids). */
static int sf_rows(rc_fx *f, uint32_t folder, rc_rows_rsp *rows)
{
    uint32_t t, n;

    if (rc_get_contents_table(&f->s, folder, 0, &t, &n) != 0)
        return -1;
    if (rc_query_table(&f->s, t, sf_cols, 4, 100, rows) != 0)
        return -1;
    rc_release(&f->s, t);
    return (int)rows->count;
}

static uint32_t folder_u32(rc_fx *f, uint32_t folder, uint32_t tag)
{
    rc_row row;

    if (rc_get_props(&f->s, folder, &tag, 1, &row) != 0)
        return 0xFFFFFFFFu;
    return rc_row_u32(&row, tag, 0xFFFFFFFFu);
}

/* An unread-mail search folder over a folder tree (recursive): rows,
 * counts, a message saved afterwards, a message marked read, the row's
 * real folder, opening and deleting through it, the criteria round trip
 * and the errors. */
static void test_unread_search_folder(void)
{
    uint64_t top_fid, sub_fid, sf_fid, gen_fid, m1, m2, m3, m4;
    uint32_t top, sub, sf, gen, finder, rv, h;
    rc_buf res;
    rc_rows_rsp rows;
    criteria c;
    const rc_row *r;
    uint8_t partial;
    rc_fx f;

    if (rc_fx_open(&f, &H) != 0)
        return;
    REQUIREF(rc_create_folder(&f.s, f.inbox, "sv-unread", NULL, 0, &top_fid,
                              &top) == 0, "setup: folder");
    REQUIREF(rc_create_folder(&f.s, top, "sv-sub", NULL, 0, &sub_fid,
                              &sub) == 0, "setup: subfolder");
    if (mkmsg(&f, top_fid, "one", "IPM.Note", &m1) || mkmsg(&f, sub_fid,
        "two", "IPM.Note", &m2) || mkmsg(&f, top_fid, "read", "IPM.Note",
        &m3))
        goto out;
    REQUIREF(mark_read(&f, top_fid, m3) == 0, "setup: mark read");
    /* Outlook puts its search folders under the Finder. */
    REQUIREF(rc_open_folder(&f.s, f.s.lo.fids[10], &finder) == 0,
             "open Finder");
    rv = rc_create_folder_ex(&f.s, finder, 2, 1, 0, "sv-unread-search", NULL,
                             NULL, &sf);
    REQUIREF(rv == 0, "R409: search folder: 0x%08X", rv);
    rv = get_criteria(&f, sf, 1, 1, &c);
    CHECKF(rv == 0 && c.flags == 0 && c.n_folders == 0,
           "criteria before any search: 0x%08X flags 0x%X", rv, c.flags);
    rc_buf_init(&res, f.s.pool);
    rc_restr_bitmask(&res, 0, RC_TAG_MESSAGE_FLAGS, 0x01);   /* unread */

    /* Errors. */
    CHECKF(set_criteria(&f, sf, &res, NULL, 0, RESTART_SEARCH)
           == RC_EC_NOT_INITIALIZED, "R1240: no FIDs first: ecNotInitialized");
    CHECKF(set_criteria(&f, sf, &res, &top_fid, 1,
                        RESTART_SEARCH | STOP_SEARCH) == RC_EC_INVALID_PARAM,
           "R765: STOP with RESTART: ecInvalidParam");
    CHECKF(set_criteria(&f, sf, &res, &top_fid, 1, 0x0C) ==
           RC_EC_INVALID_PARAM, "R771: RECURSIVE with SHALLOW");
    CHECKF(set_criteria(&f, sf, &res, &top_fid, 1, 0x100) ==
           RC_EC_INVALID_PARAM, "R116: undefined bit");
    REQUIREF(rc_get_props(&f.s, sf, (const uint32_t[]){ RC_TAG_FOLDER_ID },
                          1, &(rc_row){ 0 }) == 0, "search folder id");
    {
        rc_row row;
        uint32_t tag = RC_TAG_FOLDER_ID;

        rc_get_props(&f.s, sf, &tag, 1, &row);
        sf_fid = rc_row_u64(&row, tag, 0);
    }
    CHECKF(set_criteria(&f, sf, &res, &sf_fid, 1, RESTART_SEARCH)
           == EC_SCOPE_VIOLATION, "R1242: own scope: 0x490");
    rv = rc_create_folder(&f.s, top, "sv-generic", NULL, 0, &gen_fid, &gen);
    CHECKF(rv == 0 && set_criteria(&f, gen, &res, &top_fid, 1,
                                   RESTART_SEARCH) == EC_NOT_SEARCH_FOLDER,
           "R570: generic folder: ecNotSearchFolder");
    CHECKF(get_criteria(&f, gen, 1, 1, &c) == EC_NOT_SEARCH_FOLDER,
           "R580: GetSearchCriteria on a generic folder");
    CHECKF(set_criteria(&f, f.s.logon, &res, &top_fid, 1, RESTART_SEARCH)
           == RC_EC_NOT_SUPPORTED, "R574: not a folder: ecNotSupported");

    /* The search. */
    rv = set_criteria(&f, sf, &res, &top_fid, 1,
                      RESTART_SEARCH | RECURSIVE_SEARCH);
    REQUIREF(rv == 0, "R98: RopSetSearchCriteria: 0x%08X", rv);
    rv = get_criteria(&f, sf, 1, 1, &c);
    CHECKF(rv == 0 && c.res_len == res.wr.len && c.n_folders == 1
           && c.folders[0] == top_fid && (c.flags & SEARCH_RECURSIVE)
           && (c.flags & SEARCH_RUNNING) && c.logon_id == f.s.logon_id,
           "R1103 R1104 R789 R785: round trip: rv 0x%08X res %u folders %u "
           "flags 0x%X", rv, c.res_len, c.n_folders, c.flags);
    rv = get_criteria(&f, sf, 0, 0, &c);
    CHECKF(rv == 0 && c.res_len == 0 && c.n_folders == 0,
           "R136 R139: without restriction and folders");
    CHECKF(sf_rows(&f, sf, &rows) == 2, "R414: two unread, got %u",
           rows.count);
    r = rc_rows_find_str(&rows, RC_TAG_SUBJECT, "two");
    CHECKF(r && rc_row_u64(r, RC_TAG_FOLDER_ID, 0) == sub_fid,
           "R1172: the row carries its real folder");
    CHECKF(folder_u32(&f, sf, RC_TAG_CONTENT_COUNT) == 2
           && folder_u32(&f, sf, RC_TAG_CONTENT_UNREAD) == 2,
           "PidTagContentCount / ContentUnreadCount of the search folder");
    rv = rc_open_message(&f.s, f.s.logon, sub_fid, m2, 0, &h);
    CHECKF(rv == 0, "RopOpenMessage with the row's folder: 0x%08X", rv);
    if (rv == 0)
        rc_release(&f.s, h);

    /* Mail arriving and changing (R1095-R1097). */
    if (mkmsg(&f, sub_fid, "late", "IPM.Note", &m4) != 0)
        goto out;
    CHECKF(mark_read(&f, top_fid, m1) == 0, "mark read");
    CHECKF(sf_rows(&f, sf, &rows) == 2
           && rc_rows_find_str(&rows, RC_TAG_SUBJECT, "late")
           && !rc_rows_find_str(&rows, RC_TAG_SUBJECT, "one"),
           "R1096: new unread mail in, read mail out: %u rows", rows.count);

    /* Deleting through the search folder deletes the message. */
    rv = rc_delete_msgs(&f.s, sf, 0, &m4, 1, &partial);
    CHECKF(rv == 0 && partial == 0, "RopDeleteMessages on the search "
           "folder: 0x%08X partial %u", rv, partial);
    CHECKF(rc_open_message(&f.s, f.s.logon, sub_fid, m4, 0, &h) ==
           RC_EC_NOT_FOUND, "the real message is gone");
    CHECKF(sf_rows(&f, sf, &rows) == 1, "one row left: %u", rows.count);
    /* Moving into a search folder is refused (R121801, R1246). */
    rv = rc_move_copy_msgs(&f.s, 0, top, sf, &m2, 1, &partial);
    CHECKF(rv == 0x00000460u, "move into a search folder: 0x%08X", rv);
out:
    rc_fx_close(&f);
}

/* ---- grouped views ----------------------------------------------------- */

static const uint32_t cat_cols[] = { TAG_INST_ID, TAG_INSTANCE_NUM,
                                     TAG_ROW_TYPE, TAG_DEPTH,
                                     RC_TAG_MESSAGE_CLASS,
                                     RC_TAG_CONTENT_COUNT,
                                     RC_TAG_CONTENT_UNREAD, RC_TAG_SUBJECT };
#define N_CAT_COLS 8

/* A contents table of folder grouped by message class. */
static uint32_t grouped_table(rc_fx *f, uint32_t folder, uint16_t expanded,
                              uint32_t *t, rc_rows_rsp *rows)
{
    rc_sort s[2] = { { RC_TAG_MESSAGE_CLASS, 0 }, { RC_TAG_SUBJECT, 0 } };
    uint32_t n, rv = rc_get_contents_table(&f->s, folder, 0, t, &n);
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t status;

    if (rv != 0)
        return rv;
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, *t);
    rc_req_set_columns(&b, f->s.logon_id, 0, 0, cat_cols, N_CAT_COLS);
    rc_req_sort_table(&b, f->s.logon_id, 0, 0, s, 2, 1, expanded);
    rc_req_query_rows(&b, f->s.logon_id, 0, 0, 1, 100);
    rv = RC_ERR_CLIENT;
    if (rc_fx_run(f, &b, &x, "grouped table") == 0
        && rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &h, &status) == 0
        && rc_rsp_table_status(&x.resp, RC_ROP_SORT_TABLE, &h, &status) == 0)
        rv = h.rv;
    if (rv == 0 && rc_rsp_query_rows(&x.resp, cat_cols, N_CAT_COLS, rows) != 0)
        rv = RC_ERR_CLIENT;
    if (rv == 0)
        rv = rows->h.rv;
    return rv;
}

/* One ROP on table t whose response is head + u32 (+ rows for expand). */
static uint32_t table_rop(rc_fx *f, uint32_t t, int rop, uint64_t id,
                          uint32_t *count, uint16_t *nrows)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, t);
    if (rop == RC_ROP_EXPAND_ROW)
        rc_req_expand_row(&b, f->s.logon_id, 0, 10, id);
    else
        rc_req_collapse_row(&b, f->s.logon_id, 0, id);
    if (rc_fx_run(f, &b, &x, "expand/collapse") == 0
        && rc_rsp_head(&x.resp, rop, &h) == 0) {
        rv = h.rv;
        if (rv == 0 && rc_get_u32(&x.resp, count) < 0)
            rv = RC_ERR_CLIENT;
        if (rv == 0 && rop == RC_ROP_EXPAND_ROW
            && rc_get_u16(&x.resp, nrows) < 0)
            rv = RC_ERR_CLIENT;
    }
    rc_exec_free(&x);
    return rv;
}

/* The visible rows from the beginning (RopSeekRow, RopQueryRows). */
static uint32_t visible(rc_fx *f, uint32_t t, rc_rows_rsp *rows)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t less;
    int32_t sought;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, t);
    rc_req_seek_row(&b, f->s.logon_id, 0, 0, 0, 0);
    rc_req_query_rows(&b, f->s.logon_id, 0, 0, 1, 100);
    if (rc_fx_run(f, &b, &x, "seek and query") == 0
        && rc_rsp_seek_row(&x.resp, &h, &less, &sought) == 0 && h.rv == 0
        && rc_rsp_query_rows(&x.resp, cat_cols, N_CAT_COLS, rows) == 0)
        rv = rows->h.rv;
    return rv;
}

static void test_grouped_view(void)
{
    static const char *cls[] = { "IPM.Note", "IPM.Task", "IPM.Note",
                                 "IPM.Contact", "IPM.Note" };
    uint64_t fid, mid, note_id, contact_id;
    uint32_t folder, t, t2, rv, count;
    uint16_t nrows = 0;
    rc_rows_rsp rows;
    rc_bin state;
    rc_fx f;

    if (rc_fx_open(&f, &H) != 0)
        return;
    REQUIREF(rc_create_folder(&f.s, f.inbox, "sv-grouped", NULL, 0, &fid,
                              &folder) == 0, "setup: folder");
    for (int i = 0; i < 5; i++) {
        char subj[8] = { 'g', (char)('1' + i), 0 };

        if (mkmsg(&f, fid, subj, cls[i], &mid) != 0)
            goto out;
    }
    rv = grouped_table(&f, folder, 1, &t, &rows);
    REQUIREF(rv == 0, "RopSortTable with CategoryCount 1: 0x%08X", rv);
    /* Contact (1), Note (3), Task (1): 3 headers + 5 leaves, sorted. */
    CHECKF(rows.count == 8, "R66 R67: 8 rows expanded, got %u", rows.count);
    CHECKF(rc_row_u32(&rows.rows[0], TAG_ROW_TYPE, 0) == 3
           && rc_row_u32(&rows.rows[0], TAG_DEPTH, 9) == 0
           && rc_row_u32(&rows.rows[0], RC_TAG_CONTENT_COUNT, 0) == 1,
           "header row: TBL_EXPANDED_CATEGORY, depth 0, count 1");
    CHECKF(rc_row_u32(&rows.rows[1], TAG_ROW_TYPE, 0) == 1
           && rc_row_u32(&rows.rows[1], TAG_DEPTH, 9) == 1,
           "leaf row: TBL_LEAF_ROW at depth 1");
    CHECKF(rc_row_u32(&rows.rows[2], RC_TAG_CONTENT_COUNT, 0) == 3
           && rc_row_u32(&rows.rows[2], RC_TAG_CONTENT_UNREAD, 0) == 3,
           "Note header: 3 messages, 3 unread");
    contact_id = rc_row_u64(&rows.rows[0], TAG_INST_ID, 0);
    note_id = rc_row_u64(&rows.rows[2], TAG_INST_ID, 0);

    rv = table_rop(&f, t, RC_ROP_COLLAPSE_ROW, note_id, &count, NULL);
    CHECKF(rv == 0 && count == 3, "R573 R287: collapse Note: 0x%08X, %u",
           rv, count);
    rv = visible(&f, t, &rows);
    CHECKF(rv == 0 && rows.count == 5
           && rc_row_u32(&rows.rows[2], TAG_ROW_TYPE, 0) == 4,
           "5 rows with Note collapsed (TBL_COLLAPSED_CATEGORY): %u",
           rows.count);
    CHECKF(table_rop(&f, t, RC_ROP_COLLAPSE_ROW, note_id, &count, NULL)
           == EC_NOT_EXPANDED, "R577: collapsing twice: ecNotExpanded");
    CHECKF(table_rop(&f, t, RC_ROP_COLLAPSE_ROW, 0x123450000ull, &count,
                     NULL) == RC_EC_NOT_FOUND, "R576: unknown category");

    /* The collapse state to a new table (R304, R305, R307). */
    {
        rc_buf b;
        rc_exec x;
        rc_head h;
        const uint8_t *data;
        uint16_t len = 0;

        rc_buf_init(&b, f.s.pool);
        rc_buf_handle(&b, 0, t);
        rc_req_get_collapse_state(&b, f.s.logon_id, 0, contact_id, 0);
        rv = RC_ERR_CLIENT;
        if (rc_fx_run(&f, &b, &x, "GetCollapseState") == 0
            && rc_rsp_head(&x.resp, RC_ROP_GET_COLLAPSE_STATE, &h) == 0
            && (rv = h.rv) == 0
            && (rc_get_u16(&x.resp, &len) < 0
                || rc_get_bytes(&x.resp, len, &data) < 0))
            rv = RC_ERR_CLIENT;
        CHECKF(rv == 0 && len > 0, "R288 R579: RopGetCollapseState: 0x%08X",
               rv);
        if (rv == 0) {
            uint8_t *copy = apr_pmemdup(f.s.pool, data, len);

            state.data = copy;
            state.len = len;
        }
        rc_exec_free(&x);
        if (rv != 0)
            goto out;
        REQUIREF(grouped_table(&f, folder, 1, &t2, &rows) == 0
                 && rows.count == 8, "second table");
        rc_buf_init(&b, f.s.pool);
        rc_buf_handle(&b, 0, t2);
        rc_req_set_collapse_state(&b, f.s.logon_id, 0, &state);
        rv = RC_ERR_CLIENT;
        if (rc_fx_run(&f, &b, &x, "SetCollapseState") == 0
            && rc_rsp_head(&x.resp, RC_ROP_SET_COLLAPSE_STATE, &h) == 0
            && (rv = h.rv) == 0 && rc_get_u16(&x.resp, &len) < 0)
            rv = RC_ERR_CLIENT;
        CHECKF(rv == 0 && len == 4, "R304 R314: RopSetCollapseState: "
               "0x%08X, bookmark %u bytes", rv, len);
        rc_exec_free(&x);
        CHECKF(visible(&f, t2, &rows) == 0 && rows.count == 5,
               "R585: the new table has Note collapsed: %u rows", rows.count);
    }

    rv = table_rop(&f, t, RC_ROP_EXPAND_ROW, note_id, &count, &nrows);
    CHECKF(rv == 0 && count == 3 && nrows == 3,
           "R567 R278 R279: expand Note: 0x%08X, %u rows, %u sent", rv,
           count, nrows);
    CHECKF(table_rop(&f, t, RC_ROP_EXPAND_ROW, note_id, &count, &nrows)
           == EC_NOT_COLLAPSED, "R571: expanding twice: ecNotCollapsed");
    /* Mail arriving joins its group. */
    if (mkmsg(&f, fid, "g6", "IPM.Task", &mid) != 0)
        goto out;
    CHECKF(visible(&f, t, &rows) == 0 && rows.count == 9
           && rc_row_u32(&rows.rows[6], RC_TAG_CONTENT_COUNT, 0) == 2,
           "a new Task is counted under its header: %u rows", rows.count);
    /* ExpandedCount 0: only the headers. */
    REQUIREF(grouped_table(&f, folder, 0, &t2, &rows) == 0, "collapsed");
    CHECKF(rows.count == 3, "R64: ExpandedCount 0 shows 3 headers, got %u",
           rows.count);
out:
    rc_fx_close(&f);
}

/* ------------------------------------------- search table events -- */

/* mapi-deliver of one message with subject to demo. */
static int deliver_subject(const char *subject)
{
    const char *args[] = { "-f", "sender@example.org", "demo@mapi.test",
                           NULL };
    char msg[512], out[1024];

    snprintf(msg, sizeof(msg), "From: <sender@example.org>\r\n"
             "To: <demo@mapi.test>\r\nSubject: %s\r\n\r\nbody\r\n",
             subject);
    return harness_deliver(&H, args, msg, strlen(msg), out, sizeof(out));
}

/* An Execute of RopGetPropertiesSpecific on the Inbox: how many RopNotify
 * follow its response, and whether one is TableModified / TABLE_CHANGED
 * ([MS-OXCNOTIF] 2.2.1.4.1.2) for table. */
static int table_changes(rc_fx *f, uint32_t table, int *for_table)
{
    uint32_t tag = RC_TAG_FOLDER_ID;
    rc_buf b;
    rc_exec x;
    rc_head h;
    rc_row row;
    rc_notify n;
    uint16_t ev;
    int count = 0;

    *for_table = 0;
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->inbox);
    rc_req_get_props_specific(&b, f->s.logon_id, 0, 0, 1, &tag, 1);
    if (rc_fx_run(f, &b, &x, "RopGetPropertiesSpecific") != 0)
        return -1;
    if (rc_rsp_get_props_specific(&x.resp, &tag, 1, &h, &row) != 0) {
        rc_exec_free(&x);
        return -1;
    }
    /* Only table notifications are expected: each is its head and the
     * TableEventType, so they can be read one after the other. */
    while (rc_resp_peek(&x.resp) == RC_ROP_NOTIFY) {
        if (rc_rsp_notify_head(&x.resp, &n) != 0
            || (n.flags & 0x7FFF) != 0x0100
            || rc_get_u16(&x.resp, &ev) != 0) {
            count = -1;
            break;
        }
        count++;
        if (n.handle == table && ev == 0x0001)
            *for_table = 1;
    }
    rc_exec_free(&x);
    return count;
}

/* The contents table of a search folder hears of mail as it arrives
 * ([MS-OXCNOTIF] 3.1.4.2, [MS-OXCFOLD] R1095 for the rows): a delivered
 * message that matches the criteria gives TableChanged on that table,
 * one that does not gives nothing, and deleting the matching one in the
 * search's scope gives TableChanged again. */
static void test_search_table_notifications(void)
{
    uint32_t finder = RC_NO_HANDLE, sf = RC_NO_HANDLE, table, n, sub;
    uint32_t rv, tag;
    uint64_t inbox_fid, mid = 0;
    rc_buf res, b;
    rc_exec x;
    rc_head h;
    rc_prop subj = rc_pv_str(RC_TAG_SUBJECT, "sv-notify");
    rc_rows_rsp rows;
    const rc_row *r;
    uint8_t partial;
    int got, mine;
    rc_fx f;

    if (rc_fx_open(&f, &H) != 0)
        return;
    inbox_fid = f.s.lo.fids[RC_FID_INBOX];
    /* A subscription of the session (SearchComplete on the Inbox, which
     * delivery never raises), so that its tables are notified. */
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_buf_handles_min(&b, 2);
    rc_req_register_notification(&b, f.s.logon_id, 0, 1, 0x80, 0, inbox_fid,
                                 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopRegisterNotification") == 0
             && rc_rsp_generic(&x.resp, 0x29, &h) == 0 && h.rv == 0,
             "RopRegisterNotification");
    sub = x.n_handles > 1 ? x.handles[1] : RC_NO_HANDLE;
    rc_exec_free(&x);
    REQUIREF(rc_open_folder(&f.s, f.s.lo.fids[10], &finder) == 0, "Finder");
    rv = rc_create_folder_ex(&f.s, finder, 2, 1, 0, "sv-notify-search", NULL,
                             NULL, &sf);
    REQUIREF(rv == 0, "search folder: 0x%08X", rv);
    rc_buf_init(&res, f.s.pool);
    rc_restr_content(&res, 0x00010001u, RC_TAG_SUBJECT, &subj);
    REQUIREF(set_criteria(&f, sf, &res, &f.s.lo.fids[RC_FID_IPM_SUBTREE], 1,
                          RESTART_SEARCH | RECURSIVE_SEARCH) == 0,
             "RopSetSearchCriteria over the IPM subtree");
    REQUIREF(rc_get_contents_table(&f.s, sf, 0, &table, &n) == 0,
             "the search folder's contents table");
    got = table_changes(&f, table, &mine);  /* SetSearchCriteria's events */
    REQUIREF(deliver_subject("unrelated mail") == 0, "deliver");
    got = table_changes(&f, table, &mine);
    CHECKF(got == 0, "mail the criteria do not match: no notification, "
           "got %d", got);
    REQUIREF(deliver_subject("about sv-notify today") == 0, "deliver");
    got = table_changes(&f, table, &mine);
    CHECKF(got >= 1 && mine, "matching mail: TableChanged on the search "
           "table (%d notifications)", got);
    tag = RC_TAG_MID;
    REQUIREF(rc_query_table(&f.s, table, &tag, 1, 10, &rows) == 0
             && rows.count == 1, "and the row is there: %u", rows.count);
    r = &rows.rows[0];
    mid = rc_row_u64(r, RC_TAG_MID, 0);
    /* Another session deletes it (this session's own Execute would
     * carry the notification in its response). */
    {
        rc_fx g;

        REQUIREF(rc_fx_open(&g, &H) == 0, "second session");
        rv = rc_delete_msgs(&g.s, g.inbox, 1, &mid, 1, &partial);
        CHECKF(rv == 0, "delete it in the Inbox: 0x%08X", rv);
        rc_fx_close(&g);
    }
    got = table_changes(&f, table, &mine);
    CHECKF(got >= 1 && mine, "a deletion in the scope: TableChanged "
           "(%d notifications)", got);
    rc_release(&f.s, table);
    if (sub != RC_NO_HANDLE)
        rc_release(&f.s, sub);
out:
    rc_fx_close(&f);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("search folders and grouped views", suite_init,
                     suite_cleanup);
    CU_add_test(s, "unread search folder (R98 R409 R414 R785 R1095-R1097 "
                "R1172 R1240 R1242 R570)", test_unread_search_folder);
    CU_add_test(s, "grouped view (R64 R66 R67 R287 R304 R567 R571 R573 "
                "R576 R577 R585)", test_grouped_view);
    CU_add_test(s, "search folder table notifications as mail arrives",
                test_search_table_notifications);
    return harness_run_tests();
}
