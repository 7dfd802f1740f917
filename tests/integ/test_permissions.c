/*
 * test_permissions.c: folder permissions over MAPI over HTTP, end to end,
 * with the instance's two users.  demo grants other rights on folders of
 * its mailbox with RopModifyPermissions; other logs on to demo's mailbox
 * (RopLogon with demo's ESSDN) and can do what the rights allow and
 * nothing else; RopGetPermissionsTable lists the entries; error cases
 * answer the spec's codes.  The ported scenarios of Microsoft's
 * MS-OXCPERM suite are in test_ported_oxcperm.c.  Requirement ids are
 * [MS-OXCPERM]'s unless said otherwise.
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

/* ------------------------------------------------------------ tests -- */

/* The walk of the brief: Reviewer reads, Editor writes, RemoveRow shuts
 * the mailbox again. */
static void test_reviewer_editor_remove(void)
{
    po_session a, b, c;
    uint32_t inbox, b_inbox, f, msg;
    uint64_t mid1 = 0, mid2 = 0, mid3 = 0, id;
    uint8_t partial = 0;
    rc_rows_rsp rows;
    rc_row row;
    const uint32_t subj[] = { RC_TAG_SUBJECT };
    const uint32_t ccols[] = { RC_TAG_SUBJECT };
    po_perm p = { ADD_ROW, H_OTHER_DN, 0, REVIEWER, 0 };
    rc_prop name = rc_pv_str(RC_TAG_DISPLAY_NAME, "Renamed");
    uint32_t table, n;

    memset(&b, 0, sizeof(b));
    memset(&c, 0, sizeof(c));
    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "demo opens its Inbox");
    CHECKF(po_create_msg(&a, inbox, a.s.lo.fids[RC_FID_INBOX], "Shared hello",
                      &mid1) == 0, "demo writes a message");
    /* Nothing granted: another user's mailbox stays shut ([MS-OXCSTOR]
     * R1346). */
    CHECKF(po_session_open(&H, &b, 1, H_DEMO_DN) == 0
           && b.logon_rv == EC_LOGIN_PERM,
           "no rights: ecLoginPerm, got 0x%08X", b.logon_rv);
    po_session_close(&b);

    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0,
           "R47 R51: demo grants other Reviewer on its Inbox");
    CHECKF(po_other_rights(&a, inbox, 0) == REVIEWER, "the entry reads back");

    CHECKF(po_session_open(&H, &b, 1, H_DEMO_DN) == 0 && b.logon_rv == 0,
           "a right on a folder opens the mailbox, got 0x%08X", b.logon_rv);
    if (!b.c || b.logon_rv)
        goto out;
    CHECKF(!(b.s.lo.response_flags & LOGON_OWNER_RIGHT),
           "[MS-OXCSTOR] R125: no OwnerRight for a delegate");
    CHECKF(memcmp(b.s.lo.mailbox_guid, a.s.lo.mailbox_guid, 16) == 0,
           "the logon is demo's mailbox");
    CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_INBOX], &b_inbox) == 0,
           "R1120: FolderVisible opens the Inbox");
    CHECKF(rc_get_contents_table(&b.s, b_inbox, 0, &table, &n) == 0
           && rc_query_table(&b.s, table, ccols, 1, 100, &rows) == 0
           && rc_rows_find_str(&rows, RC_TAG_SUBJECT, "Shared hello"),
           "R143: ReadAny lists demo's messages");
    CHECKF(rc_open_message_props(&b.s, b_inbox, b.s.lo.fids[RC_FID_INBOX],
                                 mid1, subj, 1, NULL, &row) == 0
           && rc_row_str(&row, RC_TAG_SUBJECT)
           && !strcmp(rc_row_str(&row, RC_TAG_SUBJECT), "Shared hello"),
           "R143: other reads demo's message");
    CHECKF(po_create_msg(&b, b_inbox, b.s.lo.fids[RC_FID_INBOX], "Intruder",
                      &mid2) == EC_ACCESS_DENIED, "R141: no Create");
    CHECKF(rc_delete_msgs(&b.s, b_inbox, 0, &mid1, 1, &partial)
           == EC_ACCESS_DENIED, "R122: no DeleteAny");
    CHECKF(rc_open_message(&b.s, b_inbox, b.s.lo.fids[RC_FID_INBOX], mid1, 1,
                           &msg) == EC_ACCESS_DENIED,
           "R125: no read/write open without EditAny");
    CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_SENT_ITEMS], &f)
           == EC_ACCESS_DENIED, "R1192: demo's other folders stay shut");
    CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_ROOT], &f)
           == EC_ACCESS_DENIED, "and its root");
    CHECKF(rc_set_props(&b.s, b_inbox, &name, 1, NULL, NULL)
           == EC_ACCESS_DENIED, "R116001: no folder properties");
    CHECKF(po_modify_perms(&b, b_inbox, 0, &p, 1) == EC_ACCESS_DENIED,
           "R181: only a FolderOwner modifies");
    CHECKF(po_perms_table(&b, b_inbox, 0, &rows, NULL) == 0
           && po_row_of(&rows, H_OTHER_DN), "R103: FolderVisible lists");
    CHECKF(rc_open_message_props(&a.s, inbox, a.s.lo.fids[RC_FID_INBOX],
                                 mid1, subj, 1, NULL, &row) == 0,
           "demo's message is still there");

    /* Editor: other creates, changes and deletes. */
    id = po_other_id(&a, inbox);
    CHECKF(id != 0 && id != MEMBER_ANONYMOUS, "R74: a member id");
    p = (po_perm){ MODIFY_ROW, NULL, id, EDITOR, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "R1187: Editor");
    CHECKF(po_create_msg(&b, b_inbox, b.s.lo.fids[RC_FID_INBOX], "From other",
                      &mid2) == 0, "R140: Create");
    CHECKF(rc_open_message(&b.s, b_inbox, b.s.lo.fids[RC_FID_INBOX], mid1, 1,
                           &msg) == 0, "R124: EditAny opens read/write");
    CHECKF(rc_delete_msgs(&b.s, b_inbox, 0, &mid2, 1, &partial) == 0
           && partial == 0, "R121: DeleteAny");

    /* Author: its own messages only (R127, R122, R131, R125). */
    p = (po_perm){ MODIFY_ROW, NULL, id, AUTHOR, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "Author");
    CHECKF(po_create_msg(&b, b_inbox, b.s.lo.fids[RC_FID_INBOX], "Own one",
                      &mid3) == 0, "Author creates");
    CHECKF(rc_open_message(&b.s, b_inbox, b.s.lo.fids[RC_FID_INBOX], mid3, 1,
                           &msg) == 0, "R131: EditOwned on its own");
    CHECKF(rc_open_message(&b.s, b_inbox, b.s.lo.fids[RC_FID_INBOX], mid1, 1,
                           &msg) == EC_ACCESS_DENIED, "R125: not demo's");
    CHECKF(rc_delete_msgs(&b.s, b_inbox, 0, &mid1, 1, &partial)
           == EC_ACCESS_DENIED, "R122: not demo's");
    CHECKF(rc_delete_msgs(&b.s, b_inbox, 0, &mid3, 1, &partial) == 0
           && partial == 0, "R127: DeleteOwned on its own");

    /* RemoveRow takes it away. */
    p = (po_perm){ REMOVE_ROW, NULL, id, 0, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "R186: RemoveRow");
    CHECKF(po_other_id(&a, inbox) == 0, "R1188: the entry is gone");
    CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_INBOX], &f)
           == EC_ACCESS_DENIED, "an open logon loses the folder at once");
    CHECKF(po_session_open(&H, &c, 1, H_DEMO_DN) == 0
           && c.logon_rv == EC_LOGIN_PERM,
           "the next logon is refused, got 0x%08X", c.logon_rv);
out:
    po_session_close(&c);
    po_session_close(&b);
    po_session_close(&a);
}

/* R1070, R1079, R1080, R189, R190: the rows; the error codes. */
static void test_table_and_errors(void)
{
    po_session a;
    uint32_t inbox;
    rc_rows_rsp rows;
    const rc_row *r;
    const rc_prop *eid;
    int which = -1;
    po_perm p = { ADD_ROW, H_OTHER_DN, 0, REVIEWER, 0 };

    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "grant");
    CHECKF(po_perms_table(&a, inbox, 0, &rows, NULL) == 0 && rows.count == 3,
           "R155: Default, other, Anonymous: %u rows", rows.count);
    r = po_row_of_id(&rows, MEMBER_DEFAULT);
    CHECKF(r && rc_row_str(r, TAG_MEMBER_NAME)
           && !strcmp(rc_row_str(r, TAG_MEMBER_NAME), ""),
           "R190 R1080: Default, named \"\"");
    eid = r ? rc_row_find(r, RC_TAG_ENTRY_ID) : NULL;
    CHECKF(eid && eid->v.bin.len == 0, "R1070: no EntryID for Default");
    r = po_row_of_id(&rows, MEMBER_ANONYMOUS);
    CHECKF(r && rc_row_str(r, TAG_MEMBER_NAME)
           && !strcmp(rc_row_str(r, TAG_MEMBER_NAME), "Anonymous"),
           "R189 R1079: Anonymous");
    r = po_row_of(&rows, H_OTHER_DN);
    CHECKF(r && rc_row_u32(r, TAG_MEMBER_RIGHTS, 0) == REVIEWER
           && rc_row_str(r, TAG_MEMBER_NAME)
           && *rc_row_str(r, TAG_MEMBER_NAME), "R1081: other, named");

    CHECKF(po_perms_table(&a, inbox, 0x01, &rows, &which) == EC_INVALID_PARAM
           && which == 0, "R1012: an undefined TableFlags bit");
    CHECKF(po_modify_perms(&a, inbox, 0x04, &p, 1) == EC_INVALID_PARAM,
           "R43: an undefined ModifyFlags bit");
    p = (po_perm){ 0x08, NULL, 1, 0, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == EC_INVALID_PARAM,
           "R1046: an undefined PermissionDataFlags value");
    p = (po_perm){ ADD_ROW, H_OTHER_DN, 0, 0, 1 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == EC_INVALID_PARAM,
           "R159: AddRow without PidTagMemberRights");
    p = (po_perm){ ADD_ROW, H_ORG_DN "/cn=Recipients/cn=nobody", 0, REVIEWER,
                0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == EC_NOT_FOUND,
           "AddRow of a DN no mailbox has");
    p = (po_perm){ MODIFY_ROW, NULL, 1, REVIEWER, 0 };
    CHECKF(po_modify_perms(&a, inbox, REPLACE_ROWS, &p, 1) == EC_INVALID_PARAM,
           "R46 R1185: ReplaceRows takes AddRow only");
    p = (po_perm){ MODIFY_ROW, NULL, 0x0777777777ull, EDITOR, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0
           && po_other_rights(&a, inbox, 0) == REVIEWER,
           "R1175: an unknown member is ignored");
    p = (po_perm){ REMOVE_ROW, NULL, po_other_id(&a, inbox), 0, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "cleanup");
out:
    po_session_close(&a);
}

/* Default's rights apply to every user not listed (R176). */
static void test_default_member(void)
{
    po_session a, b;
    uint32_t inbox, f;
    po_perm p = { MODIFY_ROW, NULL, MEMBER_DEFAULT, R_FOLDER_VISIBLE, 0 };
    uint32_t table, n;

    memset(&b, 0, sizeof(b));
    CHECKF(po_session_open(&H, &a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "Default: FolderVisible");
    CHECKF(po_session_open(&H, &b, 1, H_DEMO_DN) == 0 && b.logon_rv == 0,
           "R176: Default's right opens the mailbox, got 0x%08X",
           b.logon_rv);
    if (b.c && b.logon_rv == 0) {
        CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_INBOX], &f) == 0,
               "and the Inbox");
        CHECKF(rc_get_contents_table(&b.s, f, 0, &table, &n)
               == EC_ACCESS_DENIED, "R144: but no contents without ReadAny");
    }
    p = (po_perm){ REMOVE_ROW, NULL, MEMBER_DEFAULT, 0, 0 };
    CHECKF(po_modify_perms(&a, inbox, 0, &p, 1) == 0, "Default back to None");
out:
    po_session_close(&b);
    po_session_close(&a);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("permissions: RopModifyPermissions, "
                     "RopGetPermissionsTable, another user's mailbox",
                     suite_init, suite_cleanup);
    CU_add_test(s, "Reviewer reads, Editor and Author write, RemoveRow "
                "shuts (R121-R144 R186 R1120)", test_reviewer_editor_remove);
    CU_add_test(s, "table rows and error cases (R189 R190 R1070 R1175)",
                test_table_and_errors);
    CU_add_test(s, "Default member (R176)", test_default_member);
    return harness_run_tests();
}
