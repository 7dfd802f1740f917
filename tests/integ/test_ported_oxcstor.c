/*
 * test_ported_oxcstor.c: the private-mailbox logon scenario of Microsoft's
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
 *  - S01 TC02 onwards (receive folders, LongTermIds, per-user ROPs,
 *    RopGetOwningServers, RopGetStoreState) and S03 (read/unread sync):
 *    not ported in this session's time; test_rops_folders and
 *    test_rops_logon cover parts of them under their own names.
 *  - S02_PublicFoldersLogon: public folders are a later issue.
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
    return harness_run_tests();
}
