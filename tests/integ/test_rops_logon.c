/*
 * test_rops_logon.c: the first ROP-level tests, through the ROP test
 * client (rop_client.h): RopLogon to the demo mailbox and to a mailbox
 * that is not the caller's, RopOpenFolder on the Inbox, and the special
 * folders under the IPM subtree by RopGetHierarchyTable, RopSetColumns
 * and RopQueryRows.
 *
 * Requirement ids: [MS-OXCROPS] Rnnn unless marked [MS-OXCSTOR]
 * (/work/shared/specs/).
 *
 * Licensed under the Apache License, Version 2.0.
 */
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

static const char *const fid_names[RC_FID_COUNT] = {
    "Root", "Deferred Action", "Spooler Queue", "IPM Subtree", "Inbox",
    "Outbox", "Sent Items", "Deleted Items", "Common Views", "Schedule",
    "Search", "Views", "Shortcuts"
};

/* A connected demo client and a session on it; NULL after recording a
 * failure. */
static mhc_client *session_open(rc_session *s)
{
    mhc_client *c = harness_connect_demo(harness_client(&H, 0,
                                                        MHC_AUTH_BASIC));

    if (c)
        rc_session_init(s, c);
    return c;
}

static void session_close(rc_session *s, mhc_client **c)
{
    if (*c)
        rc_session_free(s);
    mhc_client_free(c);
}

static int guid_zero(const uint8_t g[16])
{
    for (int i = 0; i < 16; i++)
        if (g[i])
            return 0;
    return 1;
}

/* The 13 FolderIds: non-zero, distinct, of the logon's replica
 * ([MS-OXCDATA] 2.2.1.1: ReplicaId in the first two bytes). */
static void check_fids(const rc_logon_rsp *lo)
{
    for (int i = 0; i < RC_FID_COUNT; i++) {
        CHECKF(lo->fids[i] != 0, "R53/R54: FolderId %d (%s) is 0", i,
               fid_names[i]);
        CHECKF((lo->fids[i] & 0xFFFF) == lo->repl_id,
               "R53: FolderId %d (%s) 0x%016llX is not of ReplId %u", i,
               fid_names[i], (unsigned long long)lo->fids[i], lo->repl_id);
        for (int k = 0; k < i; k++)
            CHECKF(lo->fids[i] != lo->fids[k],
                   "R54: FolderIds %d (%s) and %d (%s) are both 0x%016llX",
                   k, fid_names[k], i, fid_names[i],
                   (unsigned long long)lo->fids[i]);
    }
}

/* RopLogon to the demo mailbox, by hand so that the raw response form is
 * checked too. */
static void test_logon_private_R43_R53_R57_R59_R4683(void)
{
    rc_session s;
    mhc_client *c = session_open(&s);
    rc_buf b;
    rc_exec x = { 0 };
    rc_logon_rsp lo;

    if (c == NULL)
        return;
    rc_buf_init(&b, s.pool);
    rc_req_logon(&b, 0, 0, RC_LOGON_PRIVATE, RC_OPEN_DEFAULT_PRIVATE,
                 H_DEMO_DN);
    REQUIREF(rc_execute(c, &b, s.pool, &x) == 0, "RopLogon: %s", x.error);
    REQUIREF(rc_rsp_logon(&x.resp, &lo) == 0, "RopLogon response: %s",
             rc_resp_error(&x.resp));
    REQUIREF(lo.h.rv == 0, "R50: RopLogon to %s gave ReturnValue 0x%08X",
             H_DEMO_DN, lo.h.rv);
    CHECKF(lo.h.hindex == 0, "R47: OutputHandleIndex %u, requested 0",
           lo.h.hindex);
    CHECKF(lo.form == RC_LOGON_FORM_PRIVATE && (lo.logon_flags & 0x01),
           "R51/R70: LogonFlags 0x%02X lack Private", lo.logon_flags);
    CHECKF(rc_resp_left(&x.resp) == 0,
           "R43-R74: %zu bytes after the private-mailbox response",
           rc_resp_left(&x.resp));
    CHECKF(rc_resp_handle(&x.resp, 0) != RC_NO_HANDLE,
           "R47: no Logon handle in slot 0 of the returned handle table");
    CHECKF(lo.repl_id == 1, "R59/R131 [MS-OXCSTOR]: ReplId %u, expected 1",
           lo.repl_id);
    CHECKF(!guid_zero(lo.mailbox_guid), "R57/R58: MailboxGuid is zero");
    CHECKF(!guid_zero(lo.repl_guid), "R61/R62: ReplGuid is zero");
    CHECKF(lo.store_state == 0, "R4683: StoreState 0x%08X, MUST be 0",
           lo.store_state);
    CHECKF(lo.logon_time.month >= 1 && lo.logon_time.month <= 12 &&
           lo.logon_time.day >= 1 && lo.logon_time.day <= 31 &&
           lo.logon_time.year >= 2000,
           "R63/R64: LogonTime %04u-%02u-%02u is no date",
           lo.logon_time.year, lo.logon_time.month, lo.logon_time.day);
    check_fids(&lo);
out:
    rc_exec_free(&x);
    session_close(&s, &c);
}

/* One RopLogon of the demo user to other's mailbox with open_flags; the
 * ReturnValue, or RC_ERR_CLIENT after recording why. */
static uint32_t logon_foreign(rc_session *s, uint32_t open_flags)
{
    rc_buf b;
    rc_exec x;
    rc_logon_rsp lo;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, s->pool);
    rc_req_logon(&b, 0, 0, RC_LOGON_PRIVATE, open_flags, H_OTHER_DN);
    if (rc_execute(s->c, &b, s->pool, &x) != 0) {
        CHECKF(0, "RopLogon to %s: %s", H_OTHER_DN, x.error);
    } else if (rc_rsp_logon(&x.resp, &lo) != 0) {
        CHECKF(0, "RopLogon response: %s", rc_resp_error(&x.resp));
    } else {
        rv = lo.h.rv;
        CHECKF(rv == 0 || rc_resp_left(&x.resp) == 0,
               "R128-R131: RopLogon failure response has %zu bytes after "
               "ReturnValue", rc_resp_left(&x.resp));
    }
    rc_exec_free(&x);
    return rv;
}

/* The demo user logging on to other's mailbox, of which it is not the
 * owner.  [MS-OXCSTOR] R3905 leaves the code to the implementation; <31>
 * (R1346) says Exchange returns ecLoginPerm (0x3F2, R189), which is what
 * this server models.  Asked as a delegate would (USE_ADMIN_PRIVILEGE, no
 * HOME_LOGON) the answer is ecLoginPerm; asked as a home logon it may
 * instead be ecProfileNotConfigured (R59748: a non-home store without
 * USE_ADMIN_PRIVILEGE, code R185).  Either way the session stays usable. */
static void test_logon_foreign_mailbox_R3905_R1346_R189_R59748(void)
{
    rc_session s;
    mhc_client *c = session_open(&s);
    uint32_t rv;

    if (c == NULL)
        return;
    rv = logon_foreign(&s, RC_OPEN_USE_ADMIN_PRIVILEGE
                               | RC_OPEN_USE_PER_MDB_REPLID);
    CHECKF(rv == RC_EC_LOGIN_PERM || rv == RC_ERR_CLIENT,
           "R3905/R1346 [MS-OXCSTOR]: RopLogon of demo to %s "
           "(USE_ADMIN_PRIVILEGE) gave 0x%08X, expected ecLoginPerm "
           "0x000003F2", H_OTHER_DN, rv);
    rv = logon_foreign(&s, RC_OPEN_DEFAULT_PRIVATE);
    CHECKF(rv == RC_EC_LOGIN_PERM || rv == RC_EC_PROFILE_NOT_CONFIGURED ||
           rv == RC_ERR_CLIENT,
           "R3905/R59748 [MS-OXCSTOR]: RopLogon of demo to %s (HOME_LOGON) "
           "gave 0x%08X, expected ecLoginPerm 0x3F2 or "
           "ecProfileNotConfigured 0x11C", H_OTHER_DN, rv);
    rv = rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
    CHECKF(rv == 0, "RopLogon to the own mailbox after the refused ones: "
           "0x%08X (%s)", rv, s.error);
    session_close(&s, &c);
}

/* RopOpenFolder of the Inbox FolderId the logon returned. */
static void test_open_inbox_R547_R551_R555(void)
{
    rc_session s;
    mhc_client *c = session_open(&s);
    rc_buf b;
    rc_exec x = { 0 };
    rc_folder_rsp o;
    uint32_t rv;

    if (c == NULL)
        return;
    rv = rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
    REQUIREF(rv == 0, "setup: RopLogon 0x%08X (%s)", rv, s.error);
    rc_buf_init(&b, s.pool);
    rc_buf_handle(&b, 0, s.logon);
    rc_req_open_folder(&b, 0, 0, 1, s.lo.fids[RC_FID_INBOX], 0);
    REQUIREF(rc_execute(c, &b, s.pool, &x) == 0, "RopOpenFolder: %s",
             x.error);
    REQUIREF(rc_rsp_open_folder(&x.resp, &o) == 0,
             "RopOpenFolder response: %s", rc_resp_error(&x.resp));
    REQUIREF(o.h.rv == 0, "R554: RopOpenFolder of the Inbox 0x%016llX gave "
             "0x%08X", (unsigned long long)s.lo.fids[RC_FID_INBOX], o.h.rv);
    CHECKF(o.h.hindex == 1, "R551: OutputHandleIndex %u, requested 1",
           o.h.hindex);
    CHECKF(o.is_ghosted == 0, "R557: a private mailbox folder is ghosted");
    CHECKF(rc_resp_left(&x.resp) == 0, "R555-R571: %zu bytes after the "
           "response", rc_resp_left(&x.resp));
    CHECKF(rc_resp_handle(&x.resp, 1) != RC_NO_HANDLE,
           "R551: no folder handle in slot 1");
out:
    rc_exec_free(&x);
    session_close(&s, &c);
}

static const char *const special_folders[] = {
    "Inbox", "Outbox", "Sent Items", "Deleted Items", "Drafts", "Calendar",
    "Contacts", "Tasks", "Notes", "Journal", "Junk E-mail"
};
#define N_SPECIAL (sizeof(special_folders) / sizeof(special_folders[0]))

/* The special folders under the IPM subtree, with the Inbox and friends
 * at the FolderIds RopLogon returned. */
static void check_special_rows(const rc_session *s, const rc_rows_rsp *rows)
{
    static const struct { const char *name; int fid; } by_logon[] = {
        { "Inbox", RC_FID_INBOX }, { "Outbox", RC_FID_OUTBOX },
        { "Sent Items", RC_FID_SENT_ITEMS },
        { "Deleted Items", RC_FID_DELETED_ITEMS },
    };

    for (size_t i = 0; i < N_SPECIAL; i++)
        CHECKF(rc_rows_find_str(rows, RC_TAG_DISPLAY_NAME,
                                special_folders[i]) != NULL,
               "RopQueryRows on the IPM subtree hierarchy: no folder "
               "'%s' among %u rows", special_folders[i], rows->count);
    for (size_t i = 0; i < sizeof(by_logon) / sizeof(by_logon[0]); i++) {
        const rc_row *r = rc_rows_find_str(rows, RC_TAG_DISPLAY_NAME,
                                           by_logon[i].name);
        uint64_t fid = r ? rc_row_u64(r, RC_TAG_FOLDER_ID, 0) : 0;
        CHECKF(r == NULL || fid == s->lo.fids[by_logon[i].fid],
               "PidTagFolderId of '%s' 0x%016llX, RopLogon said 0x%016llX",
               by_logon[i].name, (unsigned long long)fid,
               (unsigned long long)s->lo.fids[by_logon[i].fid]);
    }
}

static void test_ipm_subtree_hierarchy_R993_R997(void)
{
    static const uint32_t cols[] = { RC_TAG_DISPLAY_NAME, RC_TAG_FOLDER_ID };
    rc_session s;
    mhc_client *c = session_open(&s);
    uint32_t rv, folder, table, count = 0;
    rc_rows_rsp rows;

    if (c == NULL)
        return;
    rv = rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
    REQUIREF(rv == 0, "setup: RopLogon 0x%08X (%s)", rv, s.error);
    rv = rc_open_folder(&s, s.lo.fids[RC_FID_IPM_SUBTREE], &folder);
    REQUIREF(rv == 0, "RopOpenFolder of the IPM subtree: 0x%08X (%s)", rv,
             s.error);
    rv = rc_get_hierarchy_table(&s, folder, 0, &table, &count);
    REQUIREF(rv == 0, "RopGetHierarchyTable: 0x%08X (%s)", rv, s.error);
    CHECKF(count >= N_SPECIAL, "RopGetHierarchyTable: RowCount %u, expected "
           "at least %zu special folders", count, N_SPECIAL);
    rv = rc_query_table(&s, table, cols, 2, 100, &rows);
    REQUIREF(rv == 0, "RopSetColumns + RopQueryRows: 0x%08X (%s)", rv,
             s.error);
    CHECKF(rows.count == count, "RopQueryRows: %u rows, RopGetHierarchyTable "
           "said %u", rows.count, count);
    check_special_rows(&s, &rows);
    CHECKF(rc_release(&s, table) == 0, "RopRelease of the table: %s",
           s.error);
out:
    session_close(&s, &c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ROPs: logon and special folders", suite_init,
                     suite_cleanup);
    CU_add_test(s, "RopLogon to the demo mailbox "
                   "(R43 R53 R57 R59 R4683)",
                test_logon_private_R43_R53_R57_R59_R4683);
    CU_add_test(s, "RopLogon to another user's mailbox gives ecLoginPerm "
                   "([MS-OXCSTOR] R3905 R1346 R189 R59748)",
                test_logon_foreign_mailbox_R3905_R1346_R189_R59748);
    CU_add_test(s, "RopOpenFolder of the Inbox (R547 R551 R555)",
                test_open_inbox_R547_R551_R555);
    CU_add_test(s, "IPM subtree hierarchy lists the special folders "
                   "(R993 R997)", test_ipm_subtree_hierarchy_R993_R997);
    return harness_run_tests();
}
