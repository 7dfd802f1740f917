/*
 * test_ported_oxcstor.c: the private-mailbox scenarios of Microsoft's
 * published MS-OXCSTOR test suite (OfficeDev/Interop-TestSuites,
 * ExchangeMAPI/Source/MS-OXCSTOR/TestSuite/S01_PrivateMailboxLogon.cs),
 * re-expressed as our own black-box test through the ROP test client,
 * with the requirement ids of /work/shared/specs/MS-OXCSTOR.md.
 *
 * Skipped (one line each):
 *  - S01_TC01 OOF steps (R128 R129): setting PidTagOutOfOfficeState on the
 *    logon and waiting 5 s for it; not ported in this session.
 *  - S01_TC01 steps 7-8 as the original runs them need a second user with
 *    rights on the mailbox; what is in scope (another user's mailbox is
 *    refused, ecLoginPerm R189) is checked instead.
 *  - S01_TC02 (logons to a second user's mailbox on one session, R3145
 *    R133 R1204) and S01_TC11/TC12 parts: need a second user with rights
 *    or a second server.
 *  - S01_TC03-TC16: the public-folders logon steps (R279 R324 R482 R498
 *    R341 R856 R875), search folders of TC04 (STORE_HAS_SEARCHES set:
 *    R3228 R889, issue 5), public folders of TC05/TC07/TC08, and
 *    S01_TC09/TC10 (read-only / read-write logon properties): not ported
 *    (public folders are a later issue; TC09/TC10 for time).
 *  - S01_TC06 step 8 (RopLongTermIdFromId of 0): product behaviour only
 *    (R1337 vs R1355), no normative statement to follow.
 *  - S01_TC16 step 5 on: not ported this round (time).
 *  - S01_TC07 steps 5-8 (R964): a known divergence
 *    (MAPI_INTEG_DIVERGENCES=1): no per-user table of public folders.
 *  - S03 (read/unread sync through RopReadPerUserInformation /
 *    RopWritePerUserInformation) concerns public folders only; the
 *    private-mailbox per-user write is in the TC07 divergence.
 *  - S02_PublicFoldersLogon: public folders are a later issue.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

#define RESP_OWNER_RIGHT  0x02
#define RESP_SEND_AS      0x04

/* A fresh Connect of the demo user and a session on it (no logon). */
static mhc_client *session_open(rc_session *s)
{
    mhc_client *c = harness_connect_demo(harness_client(&H, 0,
                                                        MHC_AUTH_BASIC));

    if (c)
        rc_session_init(s, c);
    return c;
}

static void session_close(rc_session *s, mhc_client *c)
{
    if (c)
        rc_session_free(s);
    mhc_client_free(&c);
}

/* RopLongTermIdFromId of id on the logon; 0 or the ReturnValue. */
static uint32_t ltid_of(rc_session *s, uint64_t id, rc_ltid *lt)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, s->logon);
    rc_req_long_term_id_from_id(&b, s->logon_id, 0, id);
    if (rc_execute(s->c, &b, s->pool, &x) == 0
        && rc_rsp_long_term_id_from_id(&x.resp, &h, lt) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

/* The rights flags, the ReplId/REPLGUID pair and the special FIDs of a
 * private logon. */
static void check_private_logon(rc_session *s, const char *how)
{
    rc_ltid lt;
    uint32_t rv;
    int zero = -1;

    CHECKF(s->lo.response_flags & RESP_OWNER_RIGHT, "R124 R72 (%s): "
           "ResponseFlags 0x%02X lack OwnerRight", how, s->lo.response_flags);
    CHECKF(s->lo.response_flags & RESP_SEND_AS, "R126 R127 (%s): "
           "ResponseFlags 0x%02X lack SendAsRight", how,
           s->lo.response_flags);
    for (int i = 0; i < RC_FID_COUNT; i++)
        if (s->lo.fids[i] == 0 && zero < 0)
            zero = i;
    CHECKF(zero < 0, "R767 R821 (%s): FolderIds[%d] is 0", how, zero);
    /* The id of the replica itself: ReplId with a zero counter. */
    rv = ltid_of(s, s->lo.repl_id, &lt);
    CHECKF(rv == 0 && memcmp(lt.guid, s->lo.repl_guid, 16) == 0,
           "R131 (%s): RopLongTermIdFromId(ReplId %u): 0x%08X, or its "
           "DatabaseGuid is not the REPLGUID", how, s->lo.repl_id, rv);
}

static void s01_tc01_logon_to_private_mailbox(void)
{
    rc_session s;
    mhc_client *c = session_open(&s);
    rc_buf b;
    rc_exec x;
    rc_logon_rsp lo;
    uint32_t rv;

    if (c == NULL)
        return;
    rv = rc_logon(&s, H_DEMO_DN, RC_OPEN_USE_PER_MDB_REPLID);
    REQUIREF(rv == 0, "R165 R166 R56 R785: RopLogon (Private, "
             "USE_PER_MDB_REPLID_MAPPING): 0x%08X (%s)", rv, s.error);
    CHECKF(s.lo.form == RC_LOGON_FORM_PRIVATE, "R56 R785: a private "
           "mailbox response (form %d)", s.lo.form);
    check_private_logon(&s, "USE_PER_MDB_REPLID_MAPPING");
    session_close(&s, c);

    /* A new connection, NO_MAIL | USE_PER_MDB_REPLID | USE_ADMIN_PRIVILEGE
     * on the own mailbox. */
    c = session_open(&s);
    REQUIREF(c != NULL, "second Connect");
    rv = rc_logon(&s, H_DEMO_DN, RC_OPEN_NO_MAIL | RC_OPEN_USE_PER_MDB_REPLID
                                 | RC_OPEN_USE_ADMIN_PRIVILEGE);
    REQUIREF(rv == 0, "R72: RopLogon with USE_ADMIN_PRIVILEGE to the own "
             "mailbox: 0x%08X (%s)", rv, s.error);
    check_private_logon(&s, "NO_MAIL|USE_ADMIN_PRIVILEGE");

    /* The same user to another user's mailbox: refused. */
    rc_buf_init(&b, s.pool);
    rc_req_logon(&b, 0, 0, RC_LOGON_PRIVATE, RC_OPEN_USE_PER_MDB_REPLID,
                 H_OTHER_DN);
    REQUIREF(rc_execute(s.c, &b, s.pool, &x) == 0, "RopLogon to %s: %s",
             H_OTHER_DN, x.error);
    REQUIREF(rc_rsp_logon(&x.resp, &lo) == 0, "RopLogon response: %s",
             rc_resp_error(&x.resp));
    CHECKF(lo.h.rv == RC_EC_LOGIN_PERM, "R189 R1346: RopLogon to another "
           "user's mailbox: 0x%08X, expected ecLoginPerm", lo.h.rv);
    rc_exec_free(&x);
out:
    session_close(&s, c);
}

/* ------------------------------------------- ROPs on the logon -- */

#define STORE_HAS_SEARCHES 0x01000000u
#define TAG_LAST_MOD       0x30080040u
#define MY_CLASS           "My.Class"

/* b gets the logon in handle slot 0 (every ROP here takes it as input). */
static void logon_buf(rc_session *s, rc_buf *b)
{
    rc_buf_init(b, s->pool);
    rc_buf_handle(b, 0, s->logon);
}

/* rc_execute of b; RC_ERR_CLIENT when it does not reach the ROPs. */
static int run(rc_session *s, rc_buf *b, rc_exec *x)
{
    if (rc_execute(s->c, b, s->pool, x) == 0)
        return 0;
    snprintf(s->error, sizeof(s->error), "%s", x->error);
    rc_exec_free(x);
    return -1;
}

static uint32_t set_rf(rc_session *s, uint64_t fid, const char *cls)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    logon_buf(s, &b);
    rc_req_set_receive_folder(&b, s->logon_id, 0, fid, cls);
    if (run(s, &b, &x) != 0)
        return rv;
    if (rc_rsp_generic(&x.resp, RC_ROP_SET_RECEIVE_FOLDER, &h) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

/* RopGetReceiveFolder: *explicit_class is a copy in s's pool. */
static uint32_t get_rf(rc_session *s, const char *cls, uint64_t *fid,
                       const char **explicit_class)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    const char *e = NULL;
    uint32_t rv = RC_ERR_CLIENT;

    *fid = 0;
    *explicit_class = NULL;
    logon_buf(s, &b);
    rc_req_get_receive_folder(&b, s->logon_id, 0, cls);
    if (run(s, &b, &x) != 0)
        return rv;
    if (rc_rsp_get_receive_folder(&x.resp, &h, fid, &e) == 0) {
        rv = h.rv;
        *explicit_class = e ? apr_pstrdup(s->pool, e) : NULL;
    }
    rc_exec_free(&x);
    return rv;
}

/* RopGetReceiveFolderTable; rows decoded in s's pool (rc_execute was given
 * it), so they outlive the exchange. */
static uint32_t rf_table(rc_session *s, uint32_t *n, rc_row **rows)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    *n = 0;
    *rows = NULL;
    logon_buf(s, &b);
    rc_req_get_receive_folder_table(&b, s->logon_id, 0);
    if (run(s, &b, &x) != 0)
        return rv;
    if (rc_rsp_get_receive_folder_table(&x.resp, &h, n, rows) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

static uint32_t id_of(rc_session *s, const rc_ltid *lt, uint64_t *id)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    *id = 0;
    logon_buf(s, &b);
    rc_req_id_from_long_term_id(&b, s->logon_id, 0, lt);
    if (run(s, &b, &x) != 0)
        return rv;
    if (rc_rsp_id_from_long_term_id(&x.resp, &h, id) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

/* A session logged on to the demo mailbox with USE_PER_MDB_REPLID, as the
 * original cases' logonRequestForPrivateMailBox; NULL after REQUIREF-like
 * recording when it cannot be had. */
static mhc_client *logged_on(rc_session *s)
{
    mhc_client *c = session_open(s);
    uint32_t rv;

    CHECKF(c != NULL, "Connect of the demo user");
    if (c == NULL)
        return NULL;
    rv = rc_logon(s, H_DEMO_DN, RC_OPEN_USE_PER_MDB_REPLID);
    CHECKF(rv == 0, "RopLogon (Private, USE_PER_MDB_REPLID_MAPPING): "
           "0x%08X (%s)", rv, s->error);
    if (rv != 0) {
        session_close(s, c);
        return NULL;
    }
    return c;
}

/* The row of the Receive folder table for cls (case-insensitive), or
 * NULL. */
static const rc_row *rf_row(const rc_row *rows, uint32_t n, const char *cls)
{
    for (uint32_t i = 0; i < n; i++) {
        const char *c = rc_row_str(&rows[i], RC_TAG_MESSAGE_CLASS8);

        if (c && strcasecmp(c, cls) == 0)
            return &rows[i];
    }
    return NULL;
}

/* Step 9 of S01_TC03: the table after "My.Class" went to the IPM subtree
 * at set_at (Unix seconds). */
static void check_rf_table(rc_session *s, int64_t set_at)
{
    static const char *const initial[] = { "", "IPM", "REPORT.IPM", "IPC" };
    uint32_t n, rv;
    rc_row *rows;
    const rc_row *my;
    const char *cls;
    int64_t t;

    rv = rf_table(s, &n, &rows);
    REQUIREF(rv == 0, "R320 R287: RopGetReceiveFolderTable: 0x%08X (%s)",
             rv, s->error);
    for (uint32_t i = 0; i < n; i++)
        CHECKF(rows[i].n >= 3 && rc_row_find(&rows[i], RC_TAG_FOLDER_ID)
               && rc_row_find(&rows[i], TAG_LAST_MOD), "R868 R301: row %u "
               "lacks PidTagFolderId / PidTagMessageClass / "
               "PidTagLastModificationTime", i);
    for (size_t i = 0; i < sizeof(initial) / sizeof(*initial); i++)
        CHECKF(rf_row(rows, n, initial[i]) != NULL, "R782: the Receive "
               "folder table has no row for \"%s\"", initial[i]);
    my = rf_row(rows, n, MY_CLASS);
    REQUIREF(my != NULL, "R59754: no row for \"%s\" after "
             "RopSetReceiveFolder", MY_CLASS);
    cls = rc_row_str(my, RC_TAG_MESSAGE_CLASS8);
    CHECKF(strcmp(cls, MY_CLASS) == 0 || strcmp(cls, "MY.CLASS") == 0
           || strcmp(cls, "my.class") == 0, "R306 R866 R872 R880: "
           "PidTagMessageClass \"%s\" is neither as stored nor case-folded",
           cls);
    CHECKF(rc_row_u64(my, RC_TAG_FOLDER_ID, 0) == s->lo.fids[RC_FID_IPM_SUBTREE],
           "R870: the row's PidTagFolderId is not the folder set");
    t = rc_filetime_to_unix(rc_row_u64(my, TAG_LAST_MOD, 0));
    CHECKF(t >= set_at - 2 && t <= set_at + 2, "R314 R867: "
           "PidTagLastModificationTime %lld, set at %lld", (long long)t,
           (long long)set_at);
out:
    return;
}

static void s01_tc03_receive_folder_and_table(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    uint64_t fid, ipm_fid, ipm_lc_fid;
    const char *cls;
    uint32_t rv;
    int64_t set_at;

    if (c == NULL)
        return;
    /* Step 3-4: no row for the class, then the Inbox and "". */
    rv = set_rf(&s, 0, MY_CLASS);
    REQUIREF(rv == 0, "RopSetReceiveFolder(0, %s): 0x%08X", MY_CLASS, rv);
    rv = get_rf(&s, MY_CLASS, &fid, &cls);
    REQUIREF(rv == 0, "RopGetReceiveFolder(%s): 0x%08X", MY_CLASS, rv);
    CHECKF(cls && *cls == '\0', "R852: ExplicitMessageClass \"%s\", "
           "expected the empty string", cls ? cls : "(null)");
    CHECKF(fid == s.lo.fids[RC_FID_INBOX], "R1223: FolderId is not the "
           "Inbox's when nothing matches");

    /* Step 5-6: "My.Class" to the IPM subtree. */
    rv = set_rf(&s, s.lo.fids[RC_FID_IPM_SUBTREE], MY_CLASS);
    set_at = (int64_t)time(NULL);
    REQUIREF(rv == 0, "R59756 R59757: RopSetReceiveFolder(IPM subtree, "
             "%s): 0x%08X", MY_CLASS, rv);
    rv = get_rf(&s, MY_CLASS, &fid, &cls);
    REQUIREF(rv == 0, "R232 R233: RopGetReceiveFolder(%s): 0x%08X",
             MY_CLASS, rv);
    CHECKF(fid != 0 && cls && *cls, "R1224 R59754: no configured class "
           "and folder returned");
    CHECKF(cls && strcasecmp(cls, MY_CLASS) == 0, "R210 R847 R851: "
           "ExplicitMessageClass \"%s\", expected %s (any case)",
           cls ? cls : "(null)", MY_CLASS);
    CHECKF(fid == s.lo.fids[RC_FID_IPM_SUBTREE], "R1235 R208 R195 R196: "
           "FolderId is not the IPM subtree set");

    /* Step 7-8: "IPM" and "ipm" answer alike. */
    rv = get_rf(&s, "IPM", &ipm_fid, &cls);
    CHECKF(rv == 0, "RopGetReceiveFolder(IPM): 0x%08X", rv);
    rv |= get_rf(&s, "ipm", &ipm_lc_fid, &cls);
    CHECKF(rv == 0 && ipm_fid == ipm_lc_fid, "R201 R862 R1225: "
           "RopGetReceiveFolder of IPM and ipm differ (0x%08X)", rv);

    check_rf_table(&s, set_at);

    /* Step 10-11: FolderId 0 deletes the row. */
    rv = set_rf(&s, 0, MY_CLASS);
    REQUIREF(rv == 0, "RopSetReceiveFolder(0, %s): 0x%08X", MY_CLASS, rv);
    rv = get_rf(&s, MY_CLASS, &fid, &cls);
    REQUIREF(rv == 0, "RopGetReceiveFolder(%s): 0x%08X", MY_CLASS, rv);
    CHECKF(fid != s.lo.fids[RC_FID_IPM_SUBTREE], "R247: the Receive folder "
           "did not change");
    CHECKF(cls && *cls == '\0', "R864: the row for %s is still there "
           "(\"%s\")", MY_CLASS, cls ? cls : "(null)");
out:
    session_close(&s, c);
}

static uint32_t store_state(rc_session *s, uint32_t *state)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    logon_buf(s, &b);
    rc_req_get_store_state(&b, s->logon_id, 0);
    if (run(s, &b, &x) != 0)
        return rv;
    if (rc_rsp_get_store_state(&x.resp, &h, state) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

/* Without search folders (issue 5), the mailbox has no active search:
 * STORE_HAS_SEARCHES is clear and no other bit may be set. */
static void s01_tc04_get_store_state(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    uint32_t state = 0xFFFFFFFFu, rv;

    if (c == NULL)
        return;
    CHECKF((s.lo.store_state & ~STORE_HAS_SEARCHES) == 0, "R334 R891: "
           "RopLogon StoreState 0x%08X has bits other than "
           "STORE_HAS_SEARCHES", s.lo.store_state);
    rv = store_state(&s, &state);
    REQUIREF(rv == 0, "R3126 R339 R340 R331 R332: RopGetStoreState: 0x%08X",
             rv);
    CHECKF((state & ~STORE_HAS_SEARCHES) == 0, "R334 R891: StoreState "
           "0x%08X has bits other than STORE_HAS_SEARCHES", state);
    CHECKF((state & STORE_HAS_SEARCHES) == 0, "R4001 R889: "
           "STORE_HAS_SEARCHES set in a mailbox without search folders");
out:
    session_close(&s, c);
}

/* The LTID of id and back must give id (steps 3-5 and 9 of S01_TC06). */
static void check_ltid_round_trip(rc_session *s, uint64_t id, const char *what,
                                  rc_ltid *lt)
{
    rc_ltid again;
    uint64_t back = 0;
    uint32_t rv = ltid_of(s, id, lt);

    CHECKF(rv == 0, "R449 R450 R944 R1243: RopLongTermIdFromId(%s): 0x%08X",
           what, rv);
    rv = id_of(s, lt, &back);
    CHECKF(rv == 0 && back == id, "R466 R467 R1252 R454 R59718 R59724 "
           "R59799 R952: RopIdFromLongTermId(LTID of %s): 0x%08X, id "
           "0x%016llX, expected 0x%016llX", what, rv,
           (unsigned long long)back, (unsigned long long)id);
    rv = ltid_of(s, back, &again);
    CHECKF(rv == 0 && memcmp(again.guid, lt->guid, 16) == 0, "R947: the "
           "REPLID of %s maps to another REPLGUID the second time", what);
}

static void s01_tc06_long_term_id_round_trip(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    rc_ltid inbox, inbox2, msg;
    uint64_t mid = 0;
    uint32_t rv;
    rc_prop subj = rc_pv_str(RC_TAG_SUBJECT, "S01_TC06");

    if (c == NULL)
        return;
    check_ltid_round_trip(&s, s.lo.fids[RC_FID_INBOX], "the Inbox", &inbox);

    /* Step 9: a message's id. */
    rv = rc_create_message(&s, s.logon, s.lo.fids[RC_FID_INBOX], &subj, 1,
                           &mid);
    REQUIREF(rv == 0, "RopCreateMessage/SaveChanges in the Inbox: 0x%08X "
             "(%s)", rv, s.error);
    check_ltid_round_trip(&s, mid, "a message", &msg);
    session_close(&s, c);

    /* Steps 11-13: another connection maps the REPLID alike. */
    c = logged_on(&s);
    if (c == NULL)
        return;
    rv = ltid_of(&s, s.lo.fids[RC_FID_INBOX], &inbox2);
    CHECKF(rv == 0 && memcmp(inbox.guid, inbox2.guid, 16) == 0, "R1242 "
           "R1251: the Inbox's REPLGUID differs on a new connection "
           "(0x%08X)", rv);
out:
    session_close(&s, c);
}

/* Step 9 (the private mailbox part): an LTID that names no public folder
 * known to the mailbox's per-user table. */
static void s01_tc07_per_user_guid_not_found(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t guid[16];
    rc_ltid lt;

    if (c == NULL)
        return;
    memset(&lt, 0, sizeof(lt));
    memset(lt.guid, 0xFF, sizeof(lt.guid));
    lt.counter[0] = 0xFF;
    lt.counter[5] = 0x01;
    logon_buf(&s, &b);
    rc_req_get_per_user_guid(&b, s.logon_id, 0, &lt);
    REQUIREF(run(&s, &b, &x) == 0, "RopGetPerUserGuid: %s", s.error);
    h.rv = RC_ERR_CLIENT;
    rc_rsp_get_per_user_guid(&x.resp, &h, guid);
    CHECKF(h.rv == RC_EC_NOT_FOUND, "R500 R1135 R1254 R963: "
           "RopGetPerUserGuid of an unknown public folder: 0x%08X, "
           "expected ecNotFound", h.rv);
    rc_exec_free(&x);
out:
    session_close(&s, c);
}

/* The private-mailbox steps 5-11 (the public folders logon of steps 1-3
 * is a later issue). */
static void s01_tc13_set_receive_folder_error_codes(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    uint64_t ipm = 0;
    uint32_t rv;

    if (c == NULL)
        return;
    ipm = s.lo.fids[RC_FID_IPM_SUBTREE];
    rv = set_rf(&s, ipm, MY_CLASS);
    CHECKF(rv == 0, "R855: RopSetReceiveFolder(IPM subtree, %s) on the "
           "private logon: 0x%08X", MY_CLASS, rv);
    rv = set_rf(&s, s.lo.fids[RC_FID_SPOOLER_QUEUE], ".My.Class");
    CHECKF(rv == RC_EC_INVALID_PARAM, "R273 R274 R858 R845: "
           "RopSetReceiveFolder(\".My.Class\"): 0x%08X, expected "
           "ecInvalidParam", rv);
    rv = set_rf(&s, ipm, "Report.IPM");
    CHECKF(rv == RC_EC_ACCESS_DENIED, "R271 R272: RopSetReceiveFolder"
           "(IPM subtree, \"Report.IPM\"): 0x%08X, expected ecAccessDenied",
           rv);
    rv = set_rf(&s, ipm, "IPM");
    CHECKF(rv == RC_EC_ACCESS_DENIED, "R271 R272 R859: RopSetReceiveFolder"
           "(IPM subtree, \"IPM\"): 0x%08X, expected ecAccessDenied", rv);
    rv = set_rf(&s, 0, "");
    CHECKF(rv == RC_EC_ERROR, "R860 R275 R277: RopSetReceiveFolder(0, "
           "\"\"): 0x%08X, expected ecError 0x80004005", rv);
    /* Leave the mailbox as the other cases expect it. */
    set_rf(&s, 0, MY_CLASS);
    session_close(&s, c);
}

static void s01_tc14_get_receive_folder_table_private(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    uint32_t n, rv;
    rc_row *rows;

    if (c == NULL)
        return;
    rv = rf_table(&s, &n, &rows);
    CHECKF(rv == 0, "R874: RopGetReceiveFolderTable on the private logon: "
           "0x%08X", rv);
    session_close(&s, c);
}

static uint32_t per_user_ltids(rc_session *s, const uint8_t guid[16],
                               uint16_t *n)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    rc_ltid *l;
    uint32_t rv = RC_ERR_CLIENT;

    *n = 0xFFFF;
    logon_buf(s, &b);
    rc_req_get_per_user_ltids(&b, s->logon_id, 0, guid);
    if (run(s, &b, &x) != 0)
        return rv;
    if (rc_rsp_get_per_user_ltids(&x.resp, &h, n, &l) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

/* S01_TC15 steps 5-7, and S01_TC05 step 10 (a DatabaseGuid of no public
 * folder database): success with an empty list. */
static void s01_tc15_get_per_user_ltids_private(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    uint8_t zero[16] = { 0 };
    uint16_t n;
    uint32_t rv;

    if (c == NULL)
        return;
    rv = per_user_ltids(&s, zero, &n);
    CHECKF(rv == 0, "R59770 R469 R480 R481: RopGetPerUserLongTermIds on "
           "the private logon: 0x%08X", rv);
    CHECKF(rv != 0 || n == 0, "R956 R960 R473: %u LongTermIds for a "
           "DatabaseGuid of zeros, expected an empty list", n);
    session_close(&s, c);
}

/* Step 4: a LongTermId whose global counter is zero. */
static void s01_tc16_long_term_id_error_codes(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    rc_ltid lt;
    uint64_t id;
    uint32_t rv;

    if (c == NULL)
        return;
    rv = ltid_of(&s, s.lo.fids[RC_FID_INBOX], &lt);
    REQUIREF(rv == 0, "RopLongTermIdFromId(Inbox): 0x%08X", rv);
    memset(lt.counter, 0, sizeof(lt.counter));
    rv = id_of(&s, &lt, &id);
    CHECKF(rv == 0, "R948: RopIdFromLongTermId with a zero global counter: "
           "0x%08X, expected 0", rv);
out:
    session_close(&s, c);
}

/* ------------------------------------------------ known divergences -- */
/* Not run by default (MAPI_INTEG_DIVERGENCES=1 runs them). */

/* S01_TC06 steps 6-7: RopIdFromLongTermId of an unknown REPLGUID must add
 * a REPLID for it (R950, R1246), so that RopLongTermIdFromId of the id it
 * returns gives the same LongTermID back (once a divergence). */
static void s01_tc06_unknown_replguid(void)
{
    rc_session s;
    mhc_client *c = logged_on(&s);
    rc_ltid lt, back;
    uint64_t id = 0;
    uint32_t rv;

    if (c == NULL)
        return;
    rv = ltid_of(&s, s.lo.fids[RC_FID_INBOX], &lt);
    REQUIREF(rv == 0, "RopLongTermIdFromId(Inbox): 0x%08X", rv);
    lt.guid[0] ^= 0xFF;
    lt.counter[0] ^= 0xFF;
    rv = id_of(&s, &lt, &id);
    REQUIREF(rv == 0, "R950 R1246: RopIdFromLongTermId of an unknown "
             "REPLGUID: 0x%08X, expected a newly assigned REPLID", rv);
    rv = ltid_of(&s, id, &back);
    CHECKF(rv == 0 && memcmp(&back, &lt, 22) == 0, "R950 R1246: "
           "RopLongTermIdFromId(0x%016llX): 0x%08X or another LongTermID",
           (unsigned long long)id, rv);
out:
    session_close(&s, c);
}

/* S01_TC07 steps 5-8: per-user data written to the private mailbox for a
 * public folder is read back, and RopGetPerUserGuid then returns the
 * REPLGUID written (R964).  We answer RopWritePerUserInformation with
 * ecNotFound and keep no per-user table. */
static void s01_tc07_per_user_guid(void)
{
    static const uint8_t data[24] = {
        0xd8, 0x44, 0xae, 0x73, 0xf9, 0x61, 0x5d, 0x4f, 0xb3, 0xc6, 0x9a,
        0x7c, 0x31, 0xfe, 0xc1, 0x23, 0x06, 0x00, 0x00, 0x00, 0x78, 0x2b,
        0x33, 0x00 };
    rc_session s;
    mhc_client *c = logged_on(&s);
    rc_buf b;
    rc_exec x;
    rc_head hw, hr, hg;
    rc_ltid lt;
    rc_bin got;
    uint8_t fin, guid[16];

    if (c == NULL)
        return;
    memset(&lt, 0, sizeof(lt));
    memset(lt.guid, 0x5A, sizeof(lt.guid));   /* a public folder's LTID */
    lt.counter[5] = 0x03;
    logon_buf(&s, &b);
    rc_req_write_per_user_info(&b, s.logon_id, 0, &lt, 1, 0, data,
                               sizeof(data), s.lo.repl_guid);
    rc_req_read_per_user_info(&b, s.logon_id, 0, &lt, 0, 0, 0x30);
    rc_req_get_per_user_guid(&b, s.logon_id, 0, &lt);
    REQUIREF(run(&s, &b, &x) == 0, "per-user ROPs: %s", s.error);
    /* CHECKF formats before it tests: parse first. */
    hw.rv = hr.rv = hg.rv = RC_ERR_CLIENT;
    got.data = NULL;
    got.len = 0;
    rc_rsp_generic(&x.resp, RC_ROP_WRITE_PER_USER_INFORMATION, &hw);
    rc_rsp_read_per_user_info(&x.resp, &hr, &fin, &got);
    rc_rsp_get_per_user_guid(&x.resp, &hg, guid);
    CHECKF(hw.rv == 0, "RopWritePerUserInformation to the private "
           "mailbox: 0x%08X", hw.rv);
    CHECKF(hr.rv == 0 && got.len == sizeof(data)
           && memcmp(got.data, data, sizeof(data)) == 0, "RopReadPerUser"
           "Information: 0x%08X, %zu bytes, not the %zu written", hr.rv,
           got.len, sizeof(data));
    CHECKF(hg.rv == 0 && memcmp(guid, s.lo.repl_guid, 16) == 0, "R496 "
           "R497 R964: RopGetPerUserGuid: 0x%08X or not the REPLGUID "
           "written", hg.rv);
    rc_exec_free(&x);
out:
    session_close(&s, c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ported: MS-OXCSTOR", suite_init, suite_cleanup);
    CU_add_test(s, "MSOXCSTOR_S01_TC01_TestLogonToPrivateMailBox: R165 R56 "
                   "R124 R126 R131 R767 R72 R189",
                s01_tc01_logon_to_private_mailbox);
#define ADD(name, fn) CU_add_test(s, name, fn)
    ADD("MSOXCSTOR_S01_TC03_TestRopSetAndGetReceiveFolderAndFolderTable: "
        "R852 R1223 R1224 R1235 R847 R201 R862 R782 R306 R314 R870 R864",
        s01_tc03_receive_folder_and_table);
    ADD("MSOXCSTOR_S01_TC04_TestRopGetStoreState: R3126 R339 R334 R891",
        s01_tc04_get_store_state);
    ADD("MSOXCSTOR_S01_TC06_TestRopLongTermIdFromIdAndRopIdFromLongTermId: "
        "R449 R1252 R947 R59799 R59724 R1242 R1251",
        s01_tc06_long_term_id_round_trip);
    ADD("MSOXCSTOR_S01_TC07_TestRopGetPerUserGuid (step 9): R500 R1254",
        s01_tc07_per_user_guid_not_found);
    ADD("MSOXCSTOR_S01_TC13_TestRopSetReceiveFolderErrorCodes: R855 R273 "
        "R858 R271 R272 R859 R860", s01_tc13_set_receive_folder_error_codes);
    ADD("MSOXCSTOR_S01_TC14_TestRopGetReceiveFolderTableErrorCodes: R874",
        s01_tc14_get_receive_folder_table_private);
    ADD("MSOXCSTOR_S01_TC15_TestRopGetPerUserLongTermIdsErrorCodes: R59770 "
        "R469 R960 R473", s01_tc15_get_per_user_ltids_private);
    ADD("MSOXCSTOR_S01_TC16_TestRopLongTermIdFromIdErrorCodes (step 4): "
        "R948", s01_tc16_long_term_id_error_codes);
    ADD("MSOXCSTOR_S01_TC06 steps 6-7: R950 R1246",
        s01_tc06_unknown_replguid);
    if (getenv("MAPI_INTEG_DIVERGENCES")) {
        s = CU_add_suite("known-divergences", suite_init, suite_cleanup);
        ADD("MSOXCSTOR_S01_TC07_TestRopGetPerUserGuid (steps 5-8): R964",
            s01_tc07_per_user_guid);
    }
#undef ADD
    return harness_run_tests();
}
