/*
 * test_ported_oxcrops.c: the table, logon (S01) and notification (S12)
 * scenarios of Microsoft's published
 * MS-OXCROPS test suite (OfficeDev/Interop-TestSuites, ExchangeMAPI/Source/
 * MS-OXCROPS/TestSuite/S03_TableROPs.cs, S01_LogonROPs.cs,
 * S12_NotificationROPs.cs), rewritten black-box against our
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
 * Known divergences: the suite "known-divergences" is registered only
 * when MAPI_INTEG_DIVERGENCES is set (it starts its own instance).
 *
 * Skipped cases (one line each):
 *   S03_TC01 step 7's categorized RopSortTable (CategoryCount > 0): sort
 *     with categories is a later issue; a plain sort is sent instead.
 *   S03_TC03 and later (ExpandRow/CollapseRow/collapse state, tables of
 *     rules and permissions): categorized views, rules and permissions
 *     are later issues; the ecNotSupported answers are checked in
 *     test_ported_oxctabl (S04).
 *   S01_TC02 (redirect), TC04 (GetOwningServers), TC05
 *     (PublicFolderIsGhosted), TC08 (GetPerUserGuid), TC03 steps 6-8:
 *     need public folders or a second server.
 *   S01_TC09's write half and its read past the data: known-divergences
 *     (RopWritePerUserInformation answers ecNotFound on the private logon).
 *   S01_TC10 step 2 (unparsable request): test_rops_folders R4551.
 *   S12_TC01's RopBufferTooSmall step: test_rops_packing; S12_TC02
 *     (pcbOut 0x40000 over RPC): Exchange 2010 RPC only.
 *   S02 folder, S04 message, S06 property, S03_TC03..: not ported in this
 *     pass (time); covered in part by test_rops_folders/messages and
 *     test_ported_oxctabl.  S07 stream: streams are being reworked.
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

/* ---------------------------------------------------------------- S01 -- */

/* One ROP on the logon in slot 0 (slot 1 left empty for the invalid-index
 * steps): 0 after rc_fx_run, the exec in x. */
static int run_on_logon(rc_fx *f, rc_buf *b, rc_exec *x, const char *what)
{
    rc_buf_handle(b, 0, f->s.logon);
    rc_buf_handles_min(b, 2);
    return rc_fx_run(f, b, x, what);
}

/* The LongTermID of fid (RopLongTermIdFromId on the logon), or -1. */
static int ltid_of(rc_fx *f, uint64_t fid, rc_ltid *lt)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int ok;

    rc_buf_init(&b, f->s.pool);
    rc_req_long_term_id_from_id(&b, 0, 0, fid);
    if (run_on_logon(f, &b, &x, "RopLongTermIdFromId") != 0)
        return -1;
    ok = rc_rsp_long_term_id_from_id(&x.resp, &h, lt) == 0 && h.rv == 0;
    CHECKF(ok, "RopLongTermIdFromId(0x%016llX) success: 0x%08X (%s)",
           (unsigned long long)fid, h.rv, rc_resp_error(&x.resp));
    rc_exec_free(&x);
    return ok ? 0 : -1;
}

/* The built ROP with InputHandleIndex 1, an empty slot: the failure form
 * with ecNullObject ([MS-OXCROPS] R4712, R471201). */
static void expect_null_object(rc_fx *f, rc_buf *b, int rop,
                               const char *what)
{
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;

    if (run_on_logon(f, b, &x, what) != 0)
        return;
    parsed = rc_rsp_generic(&x.resp, rop, &h) == 0;
    CHECKF(parsed && h.hindex == 1 && h.rv == RC_EC_NULL_OBJECT, "%s: R471201: RopId 0x%02X index %u "
           "ReturnValue 0x%08X, expected ecNullObject 0x000004B9 (%s)",
           what, (unsigned)rop, h.hindex, h.rv, rc_resp_error(&x.resp));
    CHECKF(rc_resp_left(&x.resp) == 0, "%s: %zu bytes after the failure "
           "response", what, rc_resp_left(&x.resp));
    rc_exec_free(&x);
}

/* MSOXCROPS_S01_TC01_TestLogonFailed: RopLogon with a user DN nobody has:
 * the failure form, ReturnValue neither 0 nor ecWrongServer. */
static void MSOXCROPS_S01_TC01_TestLogonFailed(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_req_logon(&b, 1, 0, RC_LOGON_PRIVATE, RC_OPEN_USE_PER_MDB_REPLID,
                 H_ORG_DN "/cn=Recipients/cn=nobody-here");
    REQUIREF(rc_fx_run(&f, &b, &x, "RopLogon(wrong DN)") == 0, "transport");
    parsed = rc_rsp_generic(&x.resp, RC_ROP_LOGON, &h) == 0;
    CHECKF(parsed && h.rv != 0 && h.rv != RC_EC_WRONG_SERVER && h.hindex == 0, "RopLogon failure "
           "response ([MS-OXCROPS] 2.2.3.1.4): ReturnValue 0x%08X index %u "
           "(%s)", h.rv, h.hindex, rc_resp_error(&x.resp));
    CHECKF(rc_resp_left(&x.resp) == 0, "%zu bytes after RopLogon's failure "
           "response (RopId, OutputHandleIndex, ReturnValue only)",
           rc_resp_left(&x.resp));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopGetReceiveFolder("IPM.Note") on the logon: its FolderId, checked to
 * be one of the logon's folders ("MUST be a folder within the user's
 * mailbox"); 0 when it failed. */
static uint64_t receive_folder(rc_fx *f, const char *step)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;
    uint64_t fid = 0;
    const char *cls = NULL;
    int known = 0;

    rc_buf_init(&b, f->s.pool);
    rc_req_get_receive_folder(&b, 0, 0, "IPM.Note");
    if (run_on_logon(f, &b, &x, step) != 0)
        return 0;
    parsed = rc_rsp_get_receive_folder(&x.resp, &h, &fid, &cls) == 0;
    CHECKF(parsed && h.rv == 0, "%s: RopGetReceiveFolder success: 0x%08X (%s)", step,
           h.rv, rc_resp_error(&x.resp));
    for (int i = 0; i < RC_FID_COUNT; i++)
        known |= f->s.lo.fids[i] == fid;
    CHECKF(known, "%s: receive folder 0x%016llX is none of the logon's "
           "FolderIds", step, (unsigned long long)fid);
    rc_exec_free(&x);
    return fid;
}

static uint32_t set_receive_folder(rc_fx *f, uint64_t fid)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };

    rc_buf_init(&b, f->s.pool);
    rc_req_set_receive_folder(&b, 0, 0, fid, "IPM.Note");
    if (run_on_logon(f, &b, &x, "RopSetReceiveFolder") != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&x.resp, RC_ROP_SET_RECEIVE_FOLDER, &h) != 0)
        h.rv = RC_ERR_CLIENT;
    rc_exec_free(&x);
    return h.rv;
}

/* MSOXCROPS_S01_TC03_TestRopReceiveFolder: RopGetStoreState,
 * RopGetReceiveFolder, RopSetReceiveFolder to another of the logon's
 * folders, RopGetReceiveFolder again, RopGetReceiveFolderTable: success
 * forms.  (The public-folder steps 6-8 need public folders.) */
static void MSOXCROPS_S01_TC03_TestRopReceiveFolder(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;
    uint32_t state = 0, n = 0, rv;
    uint64_t old_fid, new_fid;
    rc_row *rows;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_req_get_store_state(&b, 0, 0);
    REQUIREF(run_on_logon(&f, &b, &x, "RopGetStoreState") == 0, "transport");
    parsed = rc_rsp_get_store_state(&x.resp, &h, &state) == 0;
    CHECKF(parsed && h.rv == 0,
           "step 1: R312601: RopGetStoreState success: 0x%08X (%s)", h.rv,
           rc_resp_error(&x.resp));
    rc_exec_free(&x);
    old_fid = receive_folder(&f, "step 2");
    REQUIREF(old_fid != 0, "step 2 failed");
    /* The original takes the FolderId after the old one in the list; the
     * Inbox's neighbour is the Outbox. */
    new_fid = old_fid == f.s.lo.fids[RC_FID_INBOX] ?
              f.s.lo.fids[RC_FID_INBOX + 1] : f.s.lo.fids[RC_FID_INBOX];
    rv = set_receive_folder(&f, new_fid);
    CHECKF(rv == 0, "step 3: RopSetReceiveFolder(IPM.Note -> 0x%016llX): "
           "0x%08X", (unsigned long long)new_fid, rv);
    receive_folder(&f, "step 4");
    rc_buf_init(&b, f.s.pool);
    rc_req_get_receive_folder_table(&b, 0, 0);
    REQUIREF(run_on_logon(&f, &b, &x, "RopGetReceiveFolderTable") == 0,
             "transport");
    parsed = rc_rsp_get_receive_folder_table(&x.resp, &h, &n, &rows) == 0;
    CHECKF(parsed && h.rv == 0 && n >= 1, "step 5: RopGetReceiveFolderTable success: "
           "0x%08X, %u rows (%s)", h.rv, n, rc_resp_error(&x.resp));
    rc_exec_free(&x);
    if (rv == 0)                     /* leave the mailbox as it was */
        CHECKF(set_receive_folder(&f, old_fid) == 0, "cleanup: "
               "RopSetReceiveFolder back");
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* MSOXCROPS_S01_TC06_TestRopIdFromLongTermId: a new folder's id to a
 * LongTermID and back; RopIdFromLongTermId on an empty handle slot fails
 * with ecNullObject (R471201). */
static void MSOXCROPS_S01_TC06_TestRopIdFromLongTermId(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;
    rc_ltid lt;
    uint64_t fid, back = 0;
    uint32_t folder;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(rc_create_folder(&f.s, f.inbox, "pcrops-s01-tc06", NULL, 1,
                              &fid, &folder) == 0, "setup: folder (%s)",
             f.s.error);
    REQUIREF(ltid_of(&f, fid, &lt) == 0, "step 1");
    rc_buf_init(&b, f.s.pool);
    rc_req_id_from_long_term_id(&b, 0, 0, &lt);
    REQUIREF(run_on_logon(&f, &b, &x, "RopIdFromLongTermId") == 0,
             "transport");
    parsed = rc_rsp_id_from_long_term_id(&x.resp, &h, &back) == 0;
    CHECKF(parsed && h.rv == 0 && back == fid, "step 2: RopIdFromLongTermId success: "
           "0x%08X, id 0x%016llX, expected 0x%016llX", h.rv,
           (unsigned long long)back, (unsigned long long)fid);
    rc_exec_free(&x);
    rc_buf_init(&b, f.s.pool);
    rc_req_id_from_long_term_id(&b, 0, 1, &lt);
    expect_null_object(&f, &b, RC_ROP_ID_FROM_LONG_TERM_ID,
                       "step 3: RopIdFromLongTermId on slot 1");
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* MSOXCROPS_S01_TC07_TestRopGetPerUserLongTermIds: RopLongTermIdFromId of
 * the Root folder, its failure form on an empty slot, then
 * RopGetPerUserLongTermIds for the LongTermID's database GUID. */
static void MSOXCROPS_S01_TC07_TestRopGetPerUserLongTermIds(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;
    rc_ltid lt, *ids;
    uint16_t n = 0xFFFF;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(ltid_of(&f, f.s.lo.fids[RC_FID_ROOT], &lt) == 0, "step 1");
    rc_buf_init(&b, f.s.pool);
    rc_req_long_term_id_from_id(&b, 0, 1, f.s.lo.fids[RC_FID_ROOT]);
    expect_null_object(&f, &b, RC_ROP_LONG_TERM_ID_FROM_ID,
                       "step 2: RopLongTermIdFromId on slot 1");
    rc_buf_init(&b, f.s.pool);
    rc_req_get_per_user_ltids(&b, 0, 0, lt.guid);
    REQUIREF(run_on_logon(&f, &b, &x, "RopGetPerUserLongTermIds") == 0,
             "transport");
    parsed = rc_rsp_get_per_user_ltids(&x.resp, &h, &n, &ids) == 0;
    CHECKF(parsed && h.rv == 0, "step 3: RopGetPerUserLongTermIds success: 0x%08X "
           "(%s)", h.rv, rc_resp_error(&x.resp));
    CHECKF(rc_resp_left(&x.resp) == 0, "step 3: %zu bytes after "
           "LongTermIdCount %u LongTermIds", rc_resp_left(&x.resp), n);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopReadPerUserInformation of lt with reserved: success form, its data. */
static int read_per_user(rc_fx *f, const rc_ltid *lt, uint8_t reserved,
                         rc_head *h, uint8_t *finished, rc_bin *data)
{
    rc_buf b;
    rc_exec x = { 0 };
    int ok;

    rc_buf_init(&b, f->s.pool);
    rc_req_read_per_user_info(&b, 0, 0, lt, reserved, 0, 30);
    if (run_on_logon(f, &b, &x, "RopReadPerUserInformation") != 0)
        return -1;
    ok = rc_rsp_read_per_user_info(&x.resp, h, finished, data) == 0;
    CHECKF(ok && rc_resp_left(&x.resp) == 0, "RopReadPerUserInformation "
           "response layout (%s)", rc_resp_error(&x.resp));
    rc_exec_free(&x);
    return ok ? 0 : -1;
}

/* MSOXCROPS_S01_TC09_TestRopWriteAndReadPerUserInformation, the read half
 * (the write half is in known-divergences): RopReadPerUserInformation of
 * the Inbox's LongTermID succeeds and answers the same whatever Reserved
 * holds (R474, [MS-OXCSTOR] R527). */
static void MSOXCROPS_S01_TC09_TestRopReadPerUserInformation(void)
{
    rc_fx f;
    rc_ltid lt;
    rc_head h1 = { 0 }, h2 = { 0 };
    uint8_t fin1 = 0, fin2 = 0;
    rc_bin d1, d2;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(ltid_of(&f, f.s.lo.fids[RC_FID_INBOX], &lt) == 0, "step 1");
    REQUIREF(read_per_user(&f, &lt, 0, &h1, &fin1, &d1) == 0, "step 3");
    CHECKF(h1.rv == 0, "step 3: RopReadPerUserInformation success: 0x%08X",
           h1.rv);
    CHECKF(d1.len <= 30, "MaxDataSize 30, DataSize %zu", d1.len);
    REQUIREF(read_per_user(&f, &lt, 0x5A, &h2, &fin2, &d2) == 0, "R474");
    CHECKF(h2.rv == h1.rv && fin2 == fin1 && d2.len == d1.len &&
           (d1.len == 0 || memcmp(d1.data, d2.data, d1.len) == 0),
           "R474 / [MS-OXCSTOR] R527: Reserved 0x5A changed the reply "
           "(0x%08X %u %zu vs 0x%08X %u %zu)", h2.rv, fin2, d2.len, h1.rv,
           fin1, d1.len);
out:
    rc_fx_close(&f);
}

/* One Execute of a reserved RopId (a RopOpenFolder's bytes after it):
 * the RPC fails ([MS-OXCROPS] R213), the context stays usable. */
static void reserved_rop(rc_fx *f, uint8_t rop)
{
    rc_buf b;
    rc_exec x = { 0 };

    rc_buf_init(&b, f->s.pool);
    rc_req_open_folder(&b, 0, 0, 1, f->s.lo.fids[RC_FID_INBOX], 0);
    b.wr.buf[0] = rop;
    rc_buf_handle(&b, 0, f->s.logon);
    rc_buf_handles_min(&b, 2);
    rc_execute(f->c, &b, f->s.pool, &x);
    CHECKF(x.rc == 0 && x.ex.parsed == MHC_PARSE_SUCCESS &&
           x.ex.error_code != 0, "R213: reserved RopId 0x%02X: "
           "X-ResponseCode %d ErrorCode 0x%08X, expected the Execute to "
           "fail in ErrorCode", rop, x.rc, x.ex.error_code);
    rc_exec_free(&x);
}

/* MSOXCROPS_S01_TC10_TestRPCError, step 1: every reserved RopId. */
static void MSOXCROPS_S01_TC10_TestRPCError(void)
{
    static const uint8_t low[] = { 0x00, 0x28, 0x3C, 0x3D, 0x62, 0x65,
                                   0x6A, 0x71, 0x7C, 0x7D, 0x85, 0x87,
                                   0x8A, 0x8B, 0x8C, 0x8D, 0x8E };
    rc_fx f;
    uint32_t h;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    for (size_t i = 0; i < sizeof(low); i++)
        reserved_rop(&f, low[i]);
    for (unsigned id = 0x94; id <= 0xFD; id++)   /* 0xF9 is RopBackoff */
        if (id != RC_ROP_BACKOFF)
            reserved_rop(&f, (uint8_t)id);
    CHECKF(rc_open_folder(&f.s, f.s.lo.fids[RC_FID_INBOX], &h) == 0,
           "the session after the refused Executes: %s", f.s.error);
out:
    rc_fx_close(&f);
}

/* ---------------------------------------------------------------- S12 -- */

#define NOTIF_NEW_MAIL        0x02
#define NOTIF_OBJECT_CREATED  0x04
#define NOTIF_SEARCH_COMPLETE 0x80
#define NOTIF_MESSAGE         0x8000

/* RopRegisterNotification(types, WantWholeStore) on the logon: the
 * subscription's handle, or RC_NO_HANDLE. */
static uint32_t register_whole_store(rc_fx *f, uint8_t types)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;
    uint32_t sub = RC_NO_HANDLE;

    rc_buf_init(&b, f->s.pool);
    rc_req_register_notification(&b, 0, 0, 1, types, 1, 0, 0);
    if (run_on_logon(f, &b, &x, "RopRegisterNotification") != 0)
        return sub;
    parsed = rc_rsp_generic(&x.resp, RC_ROP_REGISTER_NOTIFICATION, &h) == 0;
    CHECKF(parsed && h.rv == 0 && h.hindex == 1, "step 1: RopRegisterNotification"
           "(NotificationTypes 0x%02X) success: 0x%08X index %u (%s)",
           types, h.rv, h.hindex, rc_resp_error(&x.resp));
    if (h.rv == 0)
        sub = rc_resp_handle(&x.resp, 1);
    rc_exec_free(&x);
    return sub;
}

/* An Execute of RopGetStoreState alone in f's session: what follows its
 * response is what the server queued for the session. */
static int poll_session(rc_fx *f, rc_exec *x)
{
    rc_buf b;
    rc_head h = { 0 };
    uint32_t st;

    rc_buf_init(&b, f->s.pool);
    rc_req_get_store_state(&b, 0, 0);
    if (run_on_logon(f, &b, x, "RopGetStoreState") != 0)
        return -1;
    REQUIREF(rc_rsp_get_store_state(&x->resp, &h, &st) == 0 && h.rv == 0,
             "RopGetStoreState: 0x%08X (%s)", h.rv, rc_resp_error(&x->resp));
    return 0;
out:
    return -1;
}

/* MSOXCROPS_S12_TC01_TestRopPending: RopRegisterNotification succeeds for
 * each NotificationType 0x02..0x80 on the whole store; a message saved in
 * the Inbox by a second session reaches the first as RopNotify after the
 * responses of its next Execute ([MS-OXCROPS] 2.2.14.2), with no
 * RopPending when every queued RopNotify fits (R4693031, Exchange 2010
 * and later; R469303 is Exchange 2007's); the queue is then empty.  (The
 * original's RopBufferTooSmall step with 254 RopGetPropertiesAll is
 * covered by test_rops_packing; over MAPI/HTTP it makes 20 messages.) */
static void MSOXCROPS_S12_TC01_TestRopPending(void)
{
    rc_fx f, g;
    rc_exec x = { 0 };
    rc_notify n;
    rc_prop subj = rc_pv_str(RC_TAG_SUBJECT, "pcrops-s12");
    uint32_t created = RC_NO_HANDLE;
    uint64_t mid = 0;
    int found = 0, pending = 0, other = 0;

    memset(&g, 0, sizeof(g));
    if (rc_fx_open(&f, &H) != 0 || rc_fx_open(&g, &H) != 0)
        goto out;
    for (unsigned t = NOTIF_NEW_MAIL; t <= NOTIF_SEARCH_COMPLETE; t <<= 1) {
        uint32_t sub = register_whole_store(&f, (uint8_t)t);

        if (t == NOTIF_OBJECT_CREATED)
            created = sub;
    }
    REQUIREF(created != RC_NO_HANDLE, "no ObjectCreated subscription");
    REQUIREF(rc_create_message(&g.s, g.s.logon, g.s.lo.fids[RC_FID_INBOX],
                               &subj, 1, &mid) == 0, "second session: save "
             "a message (%s)", g.s.error);
    REQUIREF(poll_session(&f, &x) == 0, "poll");
    while (rc_resp_left(&x.resp) > 0 && !x.resp.failed) {
        int id = rc_resp_peek(&x.resp);

        if (id == RC_ROP_PENDING) {
            pending = 1;
            break;
        }
        if (rc_rsp_notify(&x.resp, &n) != 0)
            break;
        if (n.handle == created && (n.flags & 0x0FFF) ==
            NOTIF_OBJECT_CREATED && (n.flags & NOTIF_MESSAGE) &&
            n.fid == f.s.lo.fids[RC_FID_INBOX] && n.mid == mid)
            found = 1;
        else if (n.handle == created)
            other = 1;
    }
    CHECKF(!x.resp.failed, "RopNotify layout ([MS-OXCNOTIF] R98): %s",
           rc_resp_error(&x.resp));
    CHECKF(found, "[MS-OXCROPS] 2.2.14.2: no RopNotify ObjectCreated on "
           "handle 0x%08X for message 0x%016llX in the Inbox after the "
           "responses (other notifications on it: %d)", created,
           (unsigned long long)mid, other);
    CHECKF(!pending, "R4693031: RopPending although every queued RopNotify "
           "was in the buffer");
    rc_exec_free(&x);
    REQUIREF(poll_session(&f, &x) == 0, "poll again");
    CHECKF(rc_resp_left(&x.resp) == 0, "the queue was delivered: %zu bytes "
           "after RopGetStoreState in the next Execute",
           rc_resp_left(&x.resp));
out:
    rc_exec_free(&x);
    rc_fx_close(&g);
    rc_fx_close(&f);
}

/* ------------------------------------------------ known divergences -- */
/* Run only with MAPI_INTEG_DIVERGENCES=1: the server answers otherwise
 * than the original expects; each is reported, not yet decided/fixed. */

/* MSOXCROPS_S01_TC09_TestRopWriteAndReadPerUserInformation, the write
 * half: RopWritePerUserInformation of the Inbox's LongTermID on the
 * private logon (HasFinished 0, DataOffset 0, 24 bytes, ReplGuid of the
 * logon) is expected to succeed ([MS-OXCSTOR] R569: on a private mailbox
 * logon the data is saved); we answer ecNotFound (no per-user store).
 * Then a read at a DataOffset past the data is expected to fail. */
static void MSOXCROPS_S01_TC09_TestRopWriteAndReadPerUserInformation(void)
{
    static const uint8_t data[24] = { 0xd8, 0x44, 0xae, 0x73, 0xf9, 0x61,
                                      0x5d, 0x4f, 0xb3, 0xc6, 0x9a, 0x7c,
                                      0x31, 0xfe, 0xc1, 0x23, 0x06, 0, 0, 0,
                                      0x78, 0x2b, 0x33, 0 };
    rc_fx f;
    rc_ltid lt;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    int parsed;
    uint8_t fin;
    rc_bin d;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(ltid_of(&f, f.s.lo.fids[RC_FID_INBOX], &lt) == 0, "step 1");
    rc_buf_init(&b, f.s.pool);
    rc_req_write_per_user_info(&b, 0, 0, &lt, 0, 0, data, sizeof(data),
                               f.s.lo.repl_guid);
    REQUIREF(run_on_logon(&f, &b, &x, "RopWritePerUserInformation") == 0,
             "transport");
    parsed = rc_rsp_generic(&x.resp, RC_ROP_WRITE_PER_USER_INFORMATION,
                            &h) == 0;
    CHECKF(parsed && h.rv == 0, "step 2: [MS-OXCSTOR] R569: "
           "RopWritePerUserInformation on the private logon: 0x%08X, "
           "expected success", h.rv);
    rc_exec_free(&x);
    rc_buf_init(&b, f.s.pool);
    rc_req_read_per_user_info(&b, 0, 0, &lt, 0, 31, 30);
    REQUIREF(run_on_logon(&f, &b, &x, "RopReadPerUserInformation") == 0,
             "transport");
    parsed = rc_rsp_read_per_user_info(&x.resp, &h, &fin, &d) == 0;
    CHECKF(parsed && h.rv != 0, "step 4: RopReadPerUserInformation at DataOffset 31 "
           "of 24 bytes: 0x%08X, expected a failure", h.rv);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
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
    s = CU_add_suite("ported: MS-OXCROPS logon and notification", suite_init,
                     suite_cleanup);
    CU_add_test(s, "MSOXCROPS_S01_TC01_TestLogonFailed ([MS-OXCROPS] "
                   "2.2.3.1.4)", MSOXCROPS_S01_TC01_TestLogonFailed);
    CU_add_test(s, "MSOXCROPS_S01_TC03_TestRopReceiveFolder (R312601)",
                MSOXCROPS_S01_TC03_TestRopReceiveFolder);
    CU_add_test(s, "MSOXCROPS_S01_TC06_TestRopIdFromLongTermId (R4712 "
                   "R471201)", MSOXCROPS_S01_TC06_TestRopIdFromLongTermId);
    CU_add_test(s, "MSOXCROPS_S01_TC07_TestRopGetPerUserLongTermIds "
                   "(R471201)", MSOXCROPS_S01_TC07_TestRopGetPerUserLongTermIds);
    CU_add_test(s, "MSOXCROPS_S01_TC09_TestRopWriteAndReadPerUserInformation"
                   " read half (R474)",
                MSOXCROPS_S01_TC09_TestRopReadPerUserInformation);
    CU_add_test(s, "MSOXCROPS_S01_TC10_TestRPCError step 1 (R213)",
                MSOXCROPS_S01_TC10_TestRPCError);
    CU_add_test(s, "MSOXCROPS_S12_TC01_TestRopPending ([MS-OXCROPS] "
                   "2.2.14.2 R4693031)", MSOXCROPS_S12_TC01_TestRopPending);
    if (getenv("MAPI_INTEG_DIVERGENCES")) {
        s = CU_add_suite("known-divergences", suite_init, suite_cleanup);
        CU_add_test(s, "MSOXCROPS_S01_TC09_TestRopWriteAndReadPerUser"
                       "Information write half ([MS-OXCSTOR] R569)",
                    MSOXCROPS_S01_TC09_TestRopWriteAndReadPerUserInformation);
    }
    return harness_run_tests();
}
