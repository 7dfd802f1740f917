/*
 * test_ported_oxcperm.c: the scenarios of Microsoft's MS-OXCPERM test
 * suite (Interop-TestSuites, ExchangeMAPI/Source/MS-OXCPERM: S01
 * RetrieveFolderPermissions, S02 ModifyFolderPermissions, S03
 * NegativeOrErrorValidation), ported black-box under their case names
 * and written anew here, with the instance's two users: demo (the
 * suite's administrator, owner of the folders) grants, other (User1)
 * logs on to demo's mailbox with demo's ESSDN and tries what each right
 * allows.  Every case of the suite is here; test_permissions.c has the
 * project's own walks.  Requirement ids are [MS-OXCPERM]'s.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"
#include "perm_ops.h"

static harness H;

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* Opens demo's subfolder name of the IPM subtree (the Calendar, say). */
static uint64_t ipm_folder(po_session *a, const char *name)
{
    uint32_t ipm, table, n;
    const uint32_t cols[] = { RC_TAG_FOLDER_ID, RC_TAG_DISPLAY_NAME };
    rc_rows_rsp rows;
    const rc_row *r;

    if (rc_open_folder(&a->s, a->s.lo.fids[RC_FID_IPM_SUBTREE], &ipm) != 0
        || rc_get_hierarchy_table(&a->s, ipm, 0, &table, &n) != 0
        || rc_query_table(&a->s, table, cols, 2, 100, &rows) != 0
        || !(r = rc_rows_find_str(&rows, RC_TAG_DISPLAY_NAME, name)))
        return 0;
    return rc_row_u64(r, RC_TAG_FOLDER_ID, 0);
}

/* ------------------------------------------------- ported scenarios -- */

/* MS-OXCPERM S01_TC01: free/busy rights on the Calendar come back with
 * IncludeFreeBusy (R19) and are not reported without it (R3001). */
static void MSOXCPERM_S01_TC01_GetFolderPermissionsList(void)
{
    po_session a;
    uint64_t cal_fid;
    uint32_t cal;
    po_perm p = { ADD_ROW, H_OTHER_DN, 0, R_FB_SIMPLE | R_FB_DETAILED, 0 };

    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    cal_fid = ipm_folder(&a, "Calendar");
    CHECKF(cal_fid && rc_open_folder(&a.s, cal_fid, &cal) == 0, "Calendar");
    if (!cal_fid)
        goto out;
    CHECKF(po_modify_perms(&a, cal, INCLUDE_FREEBUSY, &p, 1) == 0,
           "R40: free/busy set with IncludeFreeBusy");
    CHECKF(po_other_rights(&a, cal, INCLUDE_FREEBUSY)
           == (R_FB_SIMPLE | R_FB_DETAILED), "R19 R2014");
    CHECKF(po_other_rights(&a, cal, 0) == 0, "R3001: not without the flag");
    /* R40: without the flag a change leaves free/busy alone. */
    p = (po_perm){ MODIFY_ROW, NULL, po_other_id(&a, cal), R_FOLDER_VISIBLE, 0 };
    CHECKF(po_modify_perms(&a, cal, 0, &p, 1) == 0
           && po_other_rights(&a, cal, INCLUDE_FREEBUSY)
              == (R_FOLDER_VISIBLE | R_FB_SIMPLE | R_FB_DETAILED),
           "R40: free/busy kept");
    p = (po_perm){ REMOVE_ROW, NULL, po_other_id(&a, cal), 0, 0 };
    CHECKF(po_modify_perms(&a, cal, INCLUDE_FREEBUSY, &p, 1) == 0, "remove");
out:
    po_session_close(&a);
}

/* MS-OXCPERM S02_TC01: ReplaceRows adds (R45) and keeps Default
 * (R1197); RemoveRow removes (R186, R1188); AddRow adds (R47, R51). */
static void MSOXCPERM_S02_TC01_ReplaceFolderPermissions(void)
{
    po_session a;
    uint32_t inbox;
    rc_rows_rsp rows;
    po_perm dflt = { MODIFY_ROW, NULL, MEMBER_DEFAULT, R_FOLDER_VISIBLE, 0 };
    po_perm p = { ADD_ROW, H_OTHER_DN, 0, R_CREATE, 0 };

    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(po_modify_perms(&a, inbox, 0, &dflt, 1) == 0, "Default set");
    CHECKF(po_modify_perms(&a, inbox, REPLACE_ROWS | INCLUDE_FREEBUSY, &p, 1)
           == 0, "ReplaceRows");
    CHECKF(po_other_rights(&a, inbox, 0) == R_CREATE, "R45");
    CHECKF(po_perms_table(&a, inbox, 0, &rows, NULL) == 0
           && po_row_of_id(&rows, MEMBER_DEFAULT)
           && rc_row_u32(po_row_of_id(&rows, MEMBER_DEFAULT), TAG_MEMBER_RIGHTS,
                         0) == R_FOLDER_VISIBLE, "R1197: Default kept");
    p = (po_perm){ REMOVE_ROW, NULL, po_other_id(&a, inbox), 0, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0
           && po_other_id(&a, inbox) == 0, "R186 R1188");
    p = (po_perm){ ADD_ROW, H_OTHER_DN, 0, R_CREATE, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0
           && po_other_rights(&a, inbox, 0) == R_CREATE, "R47 R51");
    p = (po_perm){ REMOVE_ROW, NULL, po_other_id(&a, inbox), 0, 0 };
    dflt = (po_perm){ REMOVE_ROW, NULL, MEMBER_DEFAULT, 0, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0
           && po_modify_perms(&a, inbox, 0, &dflt, 1) == 0, "cleanup");
out:
    po_session_close(&a);
}

/* MS-OXCPERM S03_TC01: a flag the spec does not define is not set
 * (R1093). */
static void MSOXCPERM_S03_TC01_SetUnexpectedPermissionFlags(void)
{
    po_session a;
    uint32_t inbox, rights, rv;
    po_perm p = { ADD_ROW, H_OTHER_DN, 0, 0x00100000u, 0 };

    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    rv = po_modify_perms(&a, inbox, 0, &p, 1);
    rights = po_other_rights(&a, inbox, INCLUDE_FREEBUSY);
    CHECKF(rv != 0 || rights == 0, "R1093: rv 0x%08X, rights 0x%08X", rv,
           rights);
    p = (po_perm){ REMOVE_ROW, NULL, po_other_id(&a, inbox), 0, 0 };
    po_modify_perms(&a, inbox, 0, &p, 1);
out:
    po_session_close(&a);
}

/* MS-OXCPERM S03_TC02: PidTagSecurityDescriptorAsXml is not opened as a
 * stream (R152, R183; 0x80040102 as the suite expects). */
static void MSOXCPERM_S03_TC02_RetrieveFolderPermissionNotImplementedError(
    void)
{
    po_session a;
    uint32_t inbox, size = 0;
    rc_buf b;
    rc_exec e;
    rc_head h;

    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    rc_buf_init(&b, a.s.pool);
    rc_buf_handle(&b, 0, inbox);
    rc_buf_handles_min(&b, 2);
    rc_req_open_stream(&b, a.s.logon_id, 0, 1, TAG_SD_AS_XML, 0);
    CHECKF(rc_execute(a.c, &b, a.s.pool, &e) == 0
           && rc_rsp_open_stream(&e.resp, &h, &size) == 0
           && h.rv == EC_NOT_SUPPORTED, "R152 R183: got 0x%08X", h.rv);
    rc_exec_free(&e);
out:
    po_session_close(&a);
}

/* MS-OXCPERM S03_TC03: without FolderVisible the table opens but
 * RopQueryRows answers AccessDenied (R2007). */
static void MSOXCPERM_S03_TC03_VerifyRopQueryRowsErrorCodeAccessDenied(void)
{
    po_session a, b;
    uint32_t inbox, f;
    rc_rows_rsp rows;
    int which = -1;
    po_perm p = { ADD_ROW, H_OTHER_DN, 0, R_FOLDER_OWNER | R_FOLDER_VISIBLE, 0 };
    uint64_t id;

    memset(&b, 0, sizeof(b));
    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "FolderOwner");
    id = po_other_id(&a, inbox);
    CHECKF(po_session_open(&H, &b, 1, H_DEMO_DN) == 0 && b.logon_rv == 0,
           "other logs on");
    if (!b.c || b.logon_rv)
        goto clean;
    CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_INBOX], &f) == 0,
           "opens the Inbox");
    /* R115002: a FolderOwner modifies the list, its own entry too. */
    p = (po_perm){ MODIFY_ROW, NULL, id, R_FOLDER_OWNER, 0 };
    CHECKF(po_modify_perms(&b, f, 0, &p, 1) == 0, "R182: owner modifies");
    CHECKF(po_perms_table(&b, f, 0, &rows, &which) == EC_ACCESS_DENIED
           && which == 2, "R2007: at RopQueryRows (step %d)", which);
clean:
    p = (po_perm){ REMOVE_ROW, NULL, id, 0, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "cleanup");
out:
    po_session_close(&b);
    po_session_close(&a);
}

/* ------------------------------------------------ S02 right by right -- */

/* What the two cases below try: demo's folder fid, demo's messages and
 * other's own ones in it, and other's session on demo's mailbox. */
typedef struct rights_fx {
    po_session a, b;
    uint32_t af;                 /* demo's handle of the folder */
    uint64_t fid, id;            /* the folder, other's member id */
    uint64_t demo_mid[3], own_mid[3];
    int demo_used, own_used, sub;
} rights_fx;

/* other's edit of message mid: RopOpenMessage read/write,
 * RopSetProperties, RopSaveChangesMessage; 0 when all succeeded. */
static uint32_t try_edit(rights_fx *x, uint32_t fh, uint64_t mid)
{
    rc_prop v = rc_pv_str(RC_TAG_SUBJECT, "edited by other");
    uint32_t msg = RC_NO_HANDLE, rv;
    uint16_t np = 0;
    rc_buf bb;
    rc_exec e;
    rc_head h;
    uint8_t idx;
    uint64_t out;

    if ((rv = rc_open_message(&x->b.s, fh, x->fid, mid, 1, &msg)) != 0)
        return rv;
    rv = rc_set_props(&x->b.s, msg, &v, 1, &np, NULL);
    if (rv == 0 && np)
        rv = EC_ACCESS_DENIED;
    if (rv == 0) {
        rc_buf_init(&bb, x->b.s.pool);
        rc_buf_handle(&bb, 0, msg);
        rc_req_save_changes_message(&bb, x->b.s.logon_id, 0, 0, 0x01);
        rv = RC_ERR_CLIENT;
        if (rc_execute(x->b.c, &bb, x->b.s.pool, &e) == 0) {
            if (rc_rsp_save_changes_message(&e.resp, &h, &idx, &out) == 0)
                rv = h.rv;
            else if (rc_rsp_generic(&e.resp, RC_ROP_SAVE_CHANGES_MESSAGE,
                                    &h) == 0)
                rv = h.rv;
            rc_exec_free(&e);
        }
    }
    rc_release(&x->b.s, msg);
    return rv;
}

static uint32_t try_delete(rights_fx *x, uint32_t fh, uint64_t mid)
{
    uint8_t partial = 0;
    uint32_t rv = rc_delete_msgs(&x->b.s, fh, 0, &mid, 1, &partial);

    return rv == 0 && partial ? EC_ACCESS_DENIED : rv;
}

/* other tries what right allows on the folder ([MS-OXCPERM] 2.2.7): 0
 * when the server let it. */
static uint32_t try_right(rights_fx *x, uint32_t right)
{
    uint32_t fh = RC_NO_HANDLE, sub = RC_NO_HANDLE, rv;
    const uint32_t subj[] = { RC_TAG_SUBJECT };
    uint64_t mid, sfid;
    rc_rows_rsp rows;
    rc_row row;
    po_perm p = { MODIFY_ROW, NULL, MEMBER_DEFAULT, 0, 0 };

    if ((rv = rc_open_folder(&x->b.s, x->fid, &fh)) != 0)
        return rv;               /* FolderVisible off */
    switch (right) {
    case R_CREATE:
        rv = po_create_msg(&x->b, fh, x->fid, "created by other", &mid);
        break;
    case R_READ_ANY:
        rv = rc_open_message_props(&x->b.s, fh, x->fid, x->demo_mid[0], subj,
                                   1, NULL, &row);
        break;
    case R_EDIT_OWNED:
        rv = try_edit(x, fh, x->own_mid[0]);
        break;
    case R_EDIT_ANY:
        rv = try_edit(x, fh, x->demo_mid[0]);
        break;
    case R_DELETE_OWNED:
        rv = try_delete(x, fh, x->own_mid[x->own_used + 1]);
        if (rv == 0)
            x->own_used++;
        break;
    case R_DELETE_ANY:
        rv = try_delete(x, fh, x->demo_mid[x->demo_used + 1]);
        if (rv == 0)
            x->demo_used++;
        break;
    case R_CREATE_SUBFOLDER:
        rv = rc_create_folder(&x->b.s, fh, apr_psprintf(x->b.s.pool,
                              "sub%d", ++x->sub), NULL, 0, &sfid, &sub);
        if (sub != RC_NO_HANDLE)
            rc_release(&x->b.s, sub);
        break;
    case R_FOLDER_OWNER:
        rv = po_modify_perms(&x->b, fh, 0, &p, 1);
        break;
    case R_FOLDER_VISIBLE:
        rv = po_perms_table(&x->b, fh, 0, &rows, NULL);
        break;
    default:
        rv = RC_ERR_CLIENT;
    }
    rc_release(&x->b.s, fh);
    return rv;
}

/* demo's folder "name" under its Inbox with three messages of demo and
 * three of other's (granted Create to write them), other's session on
 * demo's mailbox, other's entry with Create | FolderVisible. */
static int rights_setup(rights_fx *x, const char *name)
{
    uint32_t inbox = RC_NO_HANDLE, fh = RC_NO_HANDLE;
    po_perm p = { ADD_ROW, H_OTHER_DN, 0, R_CREATE | R_FOLDER_VISIBLE, 0 };

    memset(x, 0, sizeof(*x));
    x->af = RC_NO_HANDLE;
    if (po_session_open(&H, &x->a, 0, NULL) != 0 || x->a.logon_rv
        || rc_open_folder(&x->a.s, x->a.s.lo.fids[RC_FID_INBOX], &inbox)
        || rc_create_folder(&x->a.s, inbox, name, NULL, 1, &x->fid, &x->af))
        return -1;
    for (int i = 0; i < 3; i++)
        if (po_create_msg(&x->a, x->af, x->fid, "by demo", &x->demo_mid[i]))
            return -1;
    if (po_modify_perms(&x->a, x->af, 0, &p, 1) != 0
        || (x->id = po_other_id(&x->a, x->af)) == 0)
        return -1;
    if (po_session_open(&H, &x->b, 1, H_DEMO_DN) != 0 || x->b.logon_rv
        || rc_open_folder(&x->b.s, x->fid, &fh) != 0)
        return -1;
    for (int i = 0; i < 3; i++)
        if (po_create_msg(&x->b, fh, x->fid, "by other", &x->own_mid[i]))
            return -1;
    rc_release(&x->b.s, fh);
    return 0;
}

static void rights_teardown(rights_fx *x)
{
    po_perm p = { REMOVE_ROW, NULL, x->id, 0, 0 };
    po_perm d = { REMOVE_ROW, NULL, MEMBER_DEFAULT, 0, 0 };

    if (x->a.c && x->af != RC_NO_HANDLE) {
        po_modify_perms(&x->a, x->af, 0, &p, 1);
        po_modify_perms(&x->a, x->af, 0, &d, 1);
    }
    po_session_close(&x->b);
    po_session_close(&x->a);
}

/* The right, the rights it needs beside it to be tried at all (the
 * suite's "necessary right flags"): FolderVisible to reach the folder,
 * and for EditAny ReadAny, since a message is read before it is
 * edited. */
static const struct right_case {
    uint32_t right, needs;
    const char *name, *on, *off;
} right_cases[] = {
    { R_CREATE, R_FOLDER_VISIBLE, "Create", "R140", "R141" },
    { R_READ_ANY, R_FOLDER_VISIBLE, "ReadAny", "R143", "R144" },
    { R_EDIT_OWNED, R_FOLDER_VISIBLE, "EditOwned", "R131", "R132" },
    { R_DELETE_OWNED, R_FOLDER_VISIBLE, "DeleteOwned", "R127", "R128" },
    { R_EDIT_ANY, R_FOLDER_VISIBLE | R_READ_ANY, "EditAny", "R124", "R125" },
    { R_DELETE_ANY, R_FOLDER_VISIBLE, "DeleteAny", "R121", "R122" },
    { R_CREATE_SUBFOLDER, R_FOLDER_VISIBLE, "CreateSubFolder", "R118",
      "R119" },
    { R_FOLDER_OWNER, R_FOLDER_VISIBLE, "FolderOwner", "R115", "R116" },
    { R_FOLDER_VISIBLE, R_READ_ANY, "FolderVisible", "R103 R1120",
      "R2007" },
};

/* MSOXCPERM_S02_TC02_VerifyFolderPermissions: right by right, demo sets
 * other's entry to the right (and the rights it needs beside it) with
 * ModifyRow, reads it back
 * (R1187, R2014), and other can do what it allows; then demo takes it
 * away again and other cannot. */
static void MSOXCPERM_S02_TC02_VerifyFolderPermissions(void)
{
    rights_fx x;
    rc_rows_rsp rows;

    REQUIREF(rights_setup(&x, "PermS02TC02") == 0, "setup: %.200s / %.200s",
             x.a.s.error, x.b.s.error);
    for (size_t i = 0; i < sizeof(right_cases) / sizeof(right_cases[0]);
         i++) {
        const struct right_case *c = &right_cases[i];
        uint32_t with = c->right | c->needs, without = c->needs;
        po_perm p = { MODIFY_ROW, NULL, x.id, with, 0 };
        uint32_t rv;

        CHECKF(po_modify_perms(&x.a, x.af, 0, &p, 1) == 0
               && po_perms_table(&x.a, x.af, 0, &rows, NULL) == 0
               && po_row_of_id(&rows, x.id)
               && rc_row_u32(po_row_of_id(&rows, x.id), TAG_MEMBER_RIGHTS, 0)
                  == with, "R1187 R2014: %s set and read back", c->name);
        rv = try_right(&x, c->right);
        CHECKF(rv == 0, "%s: with %s other may: 0x%08X", c->on, c->name, rv);
        p.rights = without;
        CHECKF(po_modify_perms(&x.a, x.af, 0, &p, 1) == 0
               && po_other_rights(&x.a, x.af, 0) == without,
               "R1187: %s taken away", c->name);
        rv = try_right(&x, c->right);
        CHECKF(rv != 0, "%s: without %s other may not: 0x%08X", c->off,
               c->name, rv);
    }
out:
    rights_teardown(&x);
}

/* MSOXCPERM_S02_TC03_CheckDefaultPermissionUsedForCredentialUser: once
 * other's entry is removed (R186), other is not in the list and gets
 * Default's rights (R176, R2016): each right Default has is allowed and
 * FolderOwner, which it has not, is refused. */
static void MSOXCPERM_S02_TC03_CheckDefaultPermissionUsedForCredentialUser(void)
{
    rights_fx x;
    const uint32_t dflt = R_READ_ANY | R_CREATE | R_EDIT_OWNED
                          | R_DELETE_OWNED | R_EDIT_ANY | R_DELETE_ANY
                          | R_CREATE_SUBFOLDER | R_FOLDER_VISIBLE;
    po_perm d = { MODIFY_ROW, NULL, MEMBER_DEFAULT, dflt, 0 };
    po_perm rm;
    rc_rows_rsp rows;

    REQUIREF(rights_setup(&x, "PermS02TC03") == 0, "setup: %.200s / %.200s",
             x.a.s.error, x.b.s.error);
    rm = (po_perm){ REMOVE_ROW, NULL, x.id, 0, 0 };
    CHECKF(po_modify_perms(&x.a, x.af, 0, &rm, 1) == 0
           && po_other_id(&x.a, x.af) == 0, "R186: other's entry removed");
    CHECKF(po_modify_perms(&x.a, x.af, INCLUDE_FREEBUSY, &d, 1) == 0
           && po_perms_table(&x.a, x.af, 0, &rows, NULL) == 0
           && po_row_of_id(&rows, MEMBER_DEFAULT)
           && rc_row_u32(po_row_of_id(&rows, MEMBER_DEFAULT), TAG_MEMBER_RIGHTS,
                         0) == dflt, "R1187: Default's rights set");
    for (size_t i = 0; i < sizeof(right_cases) / sizeof(right_cases[0]);
         i++) {
        const struct right_case *c = &right_cases[i];
        uint32_t rv = try_right(&x, c->right);

        if (dflt & c->right)
            CHECKF(rv == 0, "R176 R2016: Default's %s applies: 0x%08X",
                   c->name, rv);
        else
            CHECKF(rv != 0, "R176 R2016: Default has no %s: 0x%08X",
                   c->name, rv);
    }
    x.id = 0;
out:
    rights_teardown(&x);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ported MS-OXCPERM", suite_init, suite_cleanup);
#define ADD(fn) CU_add_test(s, #fn, fn)
    ADD(MSOXCPERM_S01_TC01_GetFolderPermissionsList);
    ADD(MSOXCPERM_S02_TC01_ReplaceFolderPermissions);
    ADD(MSOXCPERM_S02_TC02_VerifyFolderPermissions);
    ADD(MSOXCPERM_S02_TC03_CheckDefaultPermissionUsedForCredentialUser);
    ADD(MSOXCPERM_S03_TC01_SetUnexpectedPermissionFlags);
    ADD(MSOXCPERM_S03_TC02_RetrieveFolderPermissionNotImplementedError);
    ADD(MSOXCPERM_S03_TC03_VerifyRopQueryRowsErrorCodeAccessDenied);
#undef ADD
    return harness_run_tests();
}
