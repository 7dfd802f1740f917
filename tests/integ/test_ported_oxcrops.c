/*
 * test_ported_oxcrops.c: the table scenarios of Microsoft's published
 * MS-OXCROPS test suite (OfficeDev/Interop-TestSuites, ExchangeMAPI/Source/
 * MS-OXCROPS/TestSuite/S03_TableROPs.cs), rewritten black-box against our
 * server through the ROP test client.  The originals check response
 * layouts: each table ROP once on a table (success form) and once on an
 * object that is not a table, the Logon (failure form: RopId, handle
 * index, non-zero ReturnValue and nothing more, [MS-OXCROPS] 2.2.5).
 * Where the original only asks for "not 0", we check the code
 * [MS-OXCTABL] gives for "not of type table".
 *
 * Version switches followed: R60401 (RopGetStatus supported, Exchange 2007)
 * is followed since the spec's RopGetStatus MUST be supported for all
 * tables ([MS-OXCTABL] R488); R60201 (RopAbort after an asynchronous
 * SetColumns succeeds, Exchange 2007) is not: we run TBL_ASYNC
 * synchronously, so RopAbort answers ecUnableToAbort ([MS-OXCTABL] R485).
 *
 * Skipped cases (one line each):
 *   S03_TC01 step 7's categorized RopSortTable (CategoryCount > 0): sort
 *     with categories is a later issue; a plain sort is sent instead.
 *   S03_TC03 and later (ExpandRow/CollapseRow/collapse state, tables of
 *     rules and permissions): categorized views, rules and permissions
 *     are later issues; the ecNotSupported answers are checked in
 *     test_ported_oxctabl (S04).
 *   S01 logon, S02 folder, S04 message, S06 property, S07 stream, S12
 *     notification: not ported in this pass (time); covered in part by
 *     test_rops_logon/folders/messages/notify.
 *   S05 transport, S08 permission, S09 rule, S10 FastTransfer, S11 ICS:
 *     out of scope (not implemented: ecNotSupported).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

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

/* The sample columns of the original (a contents table's usual ones). */
static const uint32_t cols[] = { RC_TAG_SUBJECT, RC_TAG_MID,
                                 RC_TAG_MESSAGE_CLASS, RC_TAG_FOLDER_ID };
#define N_COLS 4

/* The fixture of TC01/TC02: a subfolder of the Inbox with one saved
 * message, and its contents table. */
typedef struct crops {
    rc_fx f;
    uint64_t fid;
    uint32_t folder, table;
} crops;

static int crops_open(crops *c, const char *name, int with_message)
{
    rc_prop v = rc_pv_str(RC_TAG_SUBJECT, name);
    uint32_t rv, n;
    uint64_t mid;

    memset(c, 0, sizeof(*c));
    if (rc_fx_open(&c->f, &H) != 0)
        return -1;
    rv = rc_create_folder(&c->f.s, c->f.inbox, name, name, 1, &c->fid,
                          &c->folder);
    if (rv == 0 && with_message)
        rv = rc_create_message(&c->f.s, c->folder, c->fid, &v, 1, &mid);
    if (rv == 0)
        rv = rc_get_contents_table(&c->f.s, c->folder, 0, &c->table, &n);
    CHECKF(rv == 0, "setup %s: 0x%08X (%s)", name, rv, c->f.s.error);
    return rv == 0 ? 0 : -1;
}

static void crops_close(crops *c)
{
    rc_fx_close(&c->f);
}

/* One ROP built by add() over handle slot 0 = obj, answered with the
 * failure form: head only, non-zero ReturnValue, want when want != 0. */
typedef void (*rop_add_fn)(rc_buf *b);

static void expect_failure_on(crops *c, uint32_t obj, int rop, rop_add_fn add,
                              uint32_t want, const char *what)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd = { 0 };

    rc_buf_init(&b, c->f.s.pool);
    rc_buf_handle(&b, 0, obj);
    add(&b);
    if (rc_fx_run(&c->f, &b, &x, what) != 0)
        return;
    CHECKF(rc_rsp_generic(&x.resp, rop, &hd) == 0 && hd.rv != 0
           && hd.hindex == 0, "%s: failure response expected: RopId "
           "0x%02X, ReturnValue 0x%08X, InputHandleIndex %u (%s)", what,
           (unsigned)rop, hd.rv, hd.hindex, rc_resp_error(&x.resp));
    CHECKF(want == 0 || hd.rv == want, "%s: ReturnValue 0x%08X, expected "
           "0x%08X", what, hd.rv, want);
    CHECKF(rc_resp_left(&x.resp) == 0, "%s: %zu bytes after the failure "
           "response ([MS-OXCROPS] 2.2.5: failure form is the head alone)",
           what, rc_resp_left(&x.resp));
    rc_exec_free(&x);
}

static void add_set_columns(rc_buf *b)
{
    rc_req_set_columns(b, 0, 0, 0, cols, N_COLS);
}

static void add_query_rows(rc_buf *b)
{
    rc_req_query_rows(b, 0, 0, 0, 1, 0x32);
}

static void add_sort_table(rc_buf *b)
{
    static const rc_sort so = { RC_TAG_SUBJECT, 0 };

    rc_req_sort_table(b, 0, 0, 0, &so, 1, 0, 0);
}

static void add_restrict(rc_buf *b)
{
    rc_req_restrict(b, 0, 0, 0, NULL, 0);
}

static void add_query_position(rc_buf *b)
{
    rc_req_query_position(b, 0, 0);
}

static void add_reset_table(rc_buf *b)
{
    rc_req_reset_table(b, 0, 0);
}

static void add_get_status(rc_buf *b)
{
    rc_req_get_status(b, 0, 0);
}

static void add_abort(rc_buf *b)
{
    rc_req_abort(b, 0, 0);
}

/* Step 3, 5, 7, 9, 11, 13, 15, 17: the success forms in one Execute. */
static int tc01_success(crops *c)
{
    static const rc_sort so = { RC_TAG_SUBJECT, 0 };
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd = { 0 };
    rc_rows_rsp rows;
    uint8_t st;
    uint32_t num, den, *tags;
    uint16_t n;
    int ok = 0;

    rc_buf_init(&b, c->f.s.pool);
    rc_buf_handle(&b, 0, c->table);
    rc_req_set_columns(&b, 0, 0, 0, cols, N_COLS);
    rc_req_query_rows(&b, 0, 0, 0, 1, 0x32);
    rc_req_sort_table(&b, 0, 0, 0, &so, 1, 0, 0);
    rc_req_restrict(&b, 0, 0, 0, NULL, 0);
    rc_req_query_position(&b, 0, 0);
    rc_req_query_columns_all(&b, 0, 0);
    rc_req_reset_table(&b, 0, 0);
    rc_req_get_status(&b, 0, 0);
    REQUIREF(rc_fx_run(&c->f, &b, &x, "TC01 Execute") == 0, "transport");
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &hd, &st) == 0
             && hd.rv == 0, "RopSetColumns success: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_query_rows(&x.resp, cols, N_COLS, &rows) == 0
             && rows.h.rv == 0 && rows.count == 1, "RopQueryRows success: "
             "0x%08X, %u rows (one message) (%s)", rows.h.rv, rows.count,
             rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SORT_TABLE, &hd, &st) == 0
             && hd.rv == 0, "RopSortTable success: 0x%08X", hd.rv);
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_RESTRICT, &hd, &st) == 0
             && hd.rv == 0, "RopRestrict success: 0x%08X", hd.rv);
    REQUIREF(rc_rsp_query_position(&x.resp, &hd, &num, &den) == 0
             && hd.rv == 0 && den == 1, "RopQueryPosition success: 0x%08X "
             "%u/%u", hd.rv, num, den);
    REQUIREF(rc_rsp_query_columns_all(&x.resp, &hd, &n, &tags) == 0
             && hd.rv == 0 && n > 0, "RopQueryColumnsAll success: 0x%08X "
             "%u tags", hd.rv, n);
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_RESET_TABLE, &hd) == 0
             && hd.rv == 0, "RopResetTable success: 0x%08X", hd.rv);
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_GET_STATUS, &hd, &st) == 0
             && hd.rv == 0 && st == RC_TBLSTAT_COMPLETE, "R60401 / "
             "[MS-OXCTABL] R488: RopGetStatus success: 0x%08X status %u",
             hd.rv, st);
    CHECKF(rc_resp_left(&x.resp) == 0, "%zu bytes after the last response",
           rc_resp_left(&x.resp));
    ok = 1;
out:
    rc_exec_free(&x);
    return ok ? 0 : -1;
}

/* Step 14: RopQueryColumnsAll whose InputHandleIndex names an empty slot
 * of the handle table (0xFFFFFFFF): a failure form. */
static void tc01_bad_index(crops *c)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd = { 0 };

    rc_buf_init(&b, c->f.s.pool);
    rc_buf_handle(&b, 0, c->table);
    rc_buf_handles_min(&b, 2);
    rc_req_query_columns_all(&b, 0, 1);
    if (rc_fx_run(&c->f, &b, &x, "QueryColumnsAll Execute") != 0)
        return;
    CHECKF(rc_rsp_generic(&x.resp, RC_ROP_QUERY_COLUMNS_ALL, &hd) == 0
           && hd.rv != 0 && hd.hindex == 1, "RopQueryColumnsAll on an empty "
           "handle slot: ReturnValue 0x%08X index %u (%s)", hd.rv, hd.hindex,
           rc_resp_error(&x.resp));
    CHECKF(hd.rv == RC_EC_NULL_OBJECT, "[MS-OXCROPS] 3.2.5.1: no object "
           "behind the handle: 0x%08X, expected ecNullObject", hd.rv);
    rc_exec_free(&x);
}

/* MSOXCROPS_S03_TC01_TestTableROPsNoDependency: every table ROP's success
 * form on a contents table, its failure form on the Logon. */
static void MSOXCROPS_S03_TC01_TestTableROPsNoDependency(void)
{
    static const struct {
        int rop;
        rop_add_fn add;
        uint32_t want;
        const char *what;
    } fails[] = {
        { RC_ROP_SET_COLUMNS, add_set_columns, RC_EC_NOT_SUPPORTED,
          "step 4: RopSetColumns on the Logon ([MS-OXCTABL] R436)" },
        { RC_ROP_QUERY_ROWS, add_query_rows, RC_EC_NOT_SUPPORTED,
          "step 6: RopQueryRows on the Logon ([MS-OXCTABL] R477)" },
        { RC_ROP_SORT_TABLE, add_sort_table, RC_EC_NOT_SUPPORTED,
          "step 8: RopSortTable on the Logon ([MS-OXCTABL] R450)" },
        { RC_ROP_RESTRICT, add_restrict, RC_EC_NOT_SUPPORTED,
          "step 10: RopRestrict on the Logon ([MS-OXCTABL] R461)" },
        { RC_ROP_QUERY_POSITION, add_query_position, RC_EC_NOT_SUPPORTED,
          "step 12: RopQueryPosition on the Logon ([MS-OXCTABL] R495)" },
        { RC_ROP_RESET_TABLE, add_reset_table, RC_EC_NOT_SUPPORTED,
          "step 16: RopResetTable on the Logon ([MS-OXCTABL] R566)" },
        { RC_ROP_GET_STATUS, add_get_status, RC_EC_NOT_SUPPORTED,
          "step 17: RopGetStatus on the Logon ([MS-OXCTABL] R490)" },
    };
    crops c;

    if (crops_open(&c, "pcrops-tc01", 1) != 0)
        goto out;
    if (tc01_success(&c) != 0)
        goto out;
    for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++)
        expect_failure_on(&c, c.f.s.logon, fails[i].rop, fails[i].add,
                          fails[i].want, fails[i].what);
    tc01_bad_index(&c);
out:
    crops_close(&c);
}

/* MSOXCROPS_S03_TC02_TestRopAbort: RopAbort on a contents table with
 * nothing running fails; after an asynchronous RopSetColumns in the same
 * buffer it still has nothing to abort (we honour TBL_ASYNC
 * synchronously: [MS-OXCTABL] R485, not Exchange 2007's R60201). */
static void MSOXCROPS_S03_TC02_TestRopAbort(void)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd = { 0 };
    uint8_t st = 0xFF;
    crops c;

    if (crops_open(&c, "pcrops-tc02", 0) != 0)
        goto out;
    expect_failure_on(&c, c.table, RC_ROP_ABORT, add_abort,
                      RC_EC_UNABLE_TO_ABORT, "step 4: RopAbort with nothing "
                      "to abort ([MS-OXCTABL] R485)");
    rc_buf_init(&b, c.f.s.pool);
    rc_buf_handle(&b, 0, c.table);
    rc_req_set_columns(&b, 0, 0, RC_TBL_ASYNC, cols, N_COLS);
    rc_req_abort(&b, 0, 0);
    REQUIREF(rc_fx_run(&c.f, &b, &x, "SetColumns+Abort Execute") == 0,
             "transport");
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &hd, &st) == 0
             && hd.rv == 0 && st == RC_TBLSTAT_COMPLETE, "asynchronous "
             "RopSetColumns: 0x%08X TableStatus %u ([MS-OXCTABL] R770)",
             hd.rv, st);
    CHECKF(rc_rsp_generic(&x.resp, RC_ROP_ABORT, &hd) == 0
           && hd.rv == RC_EC_UNABLE_TO_ABORT, "RopAbort after a completed "
           "SetColumns: 0x%08X, expected ecUnableToAbort ([MS-OXCTABL] "
           "R402 R485)", hd.rv);
    expect_failure_on(&c, c.f.s.logon, RC_ROP_ABORT, add_abort,
                      RC_EC_NOT_SUPPORTED, "RopAbort on the Logon "
                      "([MS-OXCTABL] R486)");
out:
    rc_exec_free(&x);
    crops_close(&c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ported: MS-OXCROPS tables", suite_init, suite_cleanup);
    CU_add_test(s, "MSOXCROPS_S03_TC01_TestTableROPsNoDependency "
                   "([MS-OXCTABL] R436 R450 R461 R477 R488 R490 R495 R566)",
                MSOXCROPS_S03_TC01_TestTableROPsNoDependency);
    CU_add_test(s, "MSOXCROPS_S03_TC02_TestRopAbort ([MS-OXCTABL] R402 "
                   "R485 R486)", MSOXCROPS_S03_TC02_TestRopAbort);
    return harness_run_tests();
}
