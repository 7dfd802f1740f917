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

static harness H;

#define ROP_GET_PERMISSIONS_TABLE  0x3E
#define ROP_MODIFY_PERMISSIONS     0x40
#define TAG_MEMBER_ID        0x66710014u
#define TAG_MEMBER_NAME      0x6672001Fu
#define TAG_MEMBER_RIGHTS    0x66730003u
#define TAG_SD_AS_XML        0x0E6A001Fu
#define ADD_ROW              0x01
#define MODIFY_ROW           0x02
#define REMOVE_ROW           0x04
#define REPLACE_ROWS         0x01
#define INCLUDE_FREEBUSY     0x02
#define R_READ_ANY           0x001u
#define R_CREATE             0x002u
#define R_EDIT_OWNED         0x008u
#define R_DELETE_OWNED       0x010u
#define R_EDIT_ANY           0x020u
#define R_DELETE_ANY         0x040u
#define R_FOLDER_OWNER       0x100u
#define R_FOLDER_VISIBLE     0x400u
#define R_FB_SIMPLE          0x800u
#define R_FB_DETAILED        0x1000u
#define REVIEWER   (R_READ_ANY | R_FOLDER_VISIBLE)
#define AUTHOR     (REVIEWER | R_CREATE | R_EDIT_OWNED | R_DELETE_OWNED)
#define EDITOR     (AUTHOR | R_EDIT_ANY | R_DELETE_ANY)
#define EC_ACCESS_DENIED     0x80070005u
#define EC_NOT_FOUND         0x8004010Fu
#define EC_INVALID_PARAM     0x80070057u
#define EC_NOT_SUPPORTED     0x80040102u
#define EC_LOGIN_PERM        0x000003F2u
#define LOGON_OWNER_RIGHT    0x02
#define MEMBER_DEFAULT       0x0000000000000000ull
#define MEMBER_ANONYMOUS     0xFFFFFFFFFFFFFFFFull

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* ----------------------------------------------------------- client -- */

typedef struct session {
    mhc_client *c;
    rc_session s;
    uint32_t logon_rv;
} session;

/* who 0 demo, 1 other, logged on to the mailbox of essdn (NULL: their
 * own); the logon's ReturnValue in x->logon_rv, 0 when connected. */
static int session_open(session *x, int who, const char *essdn)
{
    mhc_connect_rsp cr;

    memset(x, 0, sizeof(*x));
    if (!(x->c = harness_client(&H, who, MHC_AUTH_BASIC)))
        return -1;
    if (who == 0 ? harness_connect_demo(x->c) == NULL
                 : mhc_connect(x->c, H_OTHER_DN, NULL, &cr) != 0)
        return -1;
    rc_session_init(&x->s, x->c);
    x->logon_rv = rc_logon(&x->s, essdn ? essdn : who ? H_OTHER_DN : NULL, 0);
    return 0;
}

static void session_close(session *x)
{
    if (x->c)
        rc_session_free(&x->s);
    mhc_client_free(&x->c);
}

/* The member's address book EntryID ([MS-OXNSPI] 2.3.9.3). */
static rc_prop ab_eid(apr_pool_t *pool, const char *dn)
{
    static const uint8_t uid[16] = { 0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42,
                                     0x10, 0x1A, 0xB4, 0xB9, 0x08, 0x00,
                                     0x2B, 0x2F, 0xE1, 0x82 };
    size_t n = strlen(dn) + 1;
    uint8_t *b = apr_pcalloc(pool, 28 + n);

    memcpy(b + 4, uid, 16);
    b[20] = 1;
    memcpy(b + 28, dn, n);
    return rc_pv_bin(RC_TAG_ENTRY_ID, b, 28 + n);
}

/* One PermissionData: AddRow by dn (NULL: an empty EntryID), ModifyRow /
 * RemoveRow by member id. */
typedef struct perm {
    uint8_t flags;
    const char *dn;
    uint64_t id;
    uint32_t rights;
    int no_rights;               /* leave PidTagMemberRights out */
} perm;

static void perm_data(rc_buf *b, apr_pool_t *pool, const perm *p)
{
    rc_prop v[2];
    uint16_t n = 0;

    if (p->flags == ADD_ROW)
        v[n++] = p->dn ? ab_eid(pool, p->dn) : rc_pv_bin(RC_TAG_ENTRY_ID, "", 0);
    else
        v[n++] = rc_pv_i64(TAG_MEMBER_ID, p->id);
    if (p->flags != REMOVE_ROW && !p->no_rights)
        v[n++] = rc_pv_i32(TAG_MEMBER_RIGHTS, p->rights);
    rc_u8(b, p->flags);
    rc_u16(b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_tagged(b, &v[i]);
}

/* RopModifyPermissions on folder: its ReturnValue. */
static uint32_t modify_perms(session *x, uint32_t folder, uint8_t flags,
                             const perm *p, uint16_t n)
{
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, x->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_MODIFY_PERMISSIONS);
    rc_u8(&b, x->s.logon_id);
    rc_u8(&b, 0);
    rc_u8(&b, flags);
    rc_u16(&b, n);
    for (uint16_t i = 0; i < n; i++)
        perm_data(&b, x->s.pool, &p[i]);
    b.n_rops++;
    if (rc_execute(x->c, &b, x->s.pool, &e) != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, ROP_MODIFY_PERMISSIONS, &h) == 0)
        rv = h.rv;
    rc_exec_free(&e);
    return rv;
}

static const uint32_t perm_cols[] = { TAG_MEMBER_ID, TAG_MEMBER_NAME,
                                      TAG_MEMBER_RIGHTS, RC_TAG_ENTRY_ID };

/* RopGetPermissionsTable + RopSetColumns + RopQueryRows in one Execute:
 * the ReturnValue of the first failing ROP (*which: 0, 1 or 2). */
static uint32_t perms_table(session *x, uint32_t folder, uint8_t flags,
                            rc_rows_rsp *rows, int *which)
{
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint8_t st;
    uint32_t rv = RC_ERR_CLIENT;
    int w = 0;

    rc_buf_init(&b, x->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_GET_PERMISSIONS_TABLE);
    rc_u8(&b, x->s.logon_id);
    rc_u8(&b, 0);
    rc_u8(&b, 1);
    rc_u8(&b, flags);
    b.n_rops++;
    rc_buf_handles_min(&b, 2);
    rc_req_set_columns(&b, x->s.logon_id, 1, 0, perm_cols, 4);
    rc_req_query_rows(&b, x->s.logon_id, 1, 0, 1, 100);
    if (rc_execute(x->c, &b, x->s.pool, &e) != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, ROP_GET_PERMISSIONS_TABLE, &h) != 0)
        goto out;
    if ((rv = h.rv) != 0)
        goto out;
    w = 1;
    rv = RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, RC_ROP_SET_COLUMNS, &h) != 0)
        goto out;
    if ((rv = h.rv) != 0)
        goto out;
    rc_get_u8(&e.resp, &st);
    w = 2;
    rv = RC_ERR_CLIENT;
    if (rc_rsp_query_rows(&e.resp, perm_cols, 4, rows) == 0)
        rv = rows->h.rv;
out:
    if (which)
        *which = w;
    rc_exec_free(&e);
    return rv;
}

/* The row of the member whose EntryID names dn, or NULL. */
static const rc_row *row_of(const rc_rows_rsp *rows, const char *dn)
{
    for (unsigned i = 0; i < rows->count; i++) {
        const rc_prop *eid = rc_row_find(&rows->rows[i], RC_TAG_ENTRY_ID);

        if (eid && eid->v.bin.len == 28 + strlen(dn) + 1
            && strcasecmp((const char *)eid->v.bin.data + 28, dn) == 0)
            return &rows->rows[i];
    }
    return NULL;
}

static const rc_row *row_of_id(const rc_rows_rsp *rows, uint64_t id)
{
    for (unsigned i = 0; i < rows->count; i++)
        if (rc_row_u64(&rows->rows[i], TAG_MEMBER_ID, 1) == id)
            return &rows->rows[i];
    return NULL;
}

/* other's member id on demo's folder (0 when not listed). */
static uint64_t other_id(session *a, uint32_t folder)
{
    rc_rows_rsp rows;
    const rc_row *r;

    if (perms_table(a, folder, 0, &rows, NULL) != 0)
        return 0;
    r = row_of(&rows, H_OTHER_DN);
    return r ? rc_row_u64(r, TAG_MEMBER_ID, 0) : 0;
}

static uint32_t other_rights(session *a, uint32_t folder, uint8_t flags)
{
    rc_rows_rsp rows;
    const rc_row *r;

    if (perms_table(a, folder, flags, &rows, NULL) != 0)
        return 0xFFFFFFFFu;
    r = row_of(&rows, H_OTHER_DN);
    return r ? rc_row_u32(r, TAG_MEMBER_RIGHTS, 0xFFFFFFFFu) : 0xFFFFFFFFu;
}

static uint32_t create_msg(session *x, uint32_t folder, uint64_t fid,
                           const char *subject, uint64_t *mid)
{
    rc_prop v = rc_pv_str(RC_TAG_SUBJECT, subject);

    return rc_create_message(&x->s, folder, fid, &v, 1, mid);
}

/* ------------------------------------------------------------ tests -- */

/* The walk of the brief: Reviewer reads, Editor writes, RemoveRow shuts
 * the mailbox again. */
static void test_reviewer_editor_remove(void)
{
    session a, b, c;
    uint32_t inbox, b_inbox, f, msg;
    uint64_t mid1 = 0, mid2 = 0, mid3 = 0, id;
    uint8_t partial = 0;
    rc_rows_rsp rows;
    rc_row row;
    const uint32_t subj[] = { RC_TAG_SUBJECT };
    const uint32_t ccols[] = { RC_TAG_SUBJECT };
    perm p = { ADD_ROW, H_OTHER_DN, 0, REVIEWER, 0 };
    rc_prop name = rc_pv_str(RC_TAG_DISPLAY_NAME, "Renamed");
    uint32_t table, n;

    memset(&b, 0, sizeof(b));
    memset(&c, 0, sizeof(c));
    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "demo opens its Inbox");
    CHECKF(create_msg(&a, inbox, a.s.lo.fids[RC_FID_INBOX], "Shared hello",
                      &mid1) == 0, "demo writes a message");
    /* Nothing granted: another user's mailbox stays shut ([MS-OXCSTOR]
     * R1346). */
    CHECKF(session_open(&b, 1, H_DEMO_DN) == 0
           && b.logon_rv == EC_LOGIN_PERM,
           "no rights: ecLoginPerm, got 0x%08X", b.logon_rv);
    session_close(&b);

    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0,
           "R47 R51: demo grants other Reviewer on its Inbox");
    CHECKF(other_rights(&a, inbox, 0) == REVIEWER, "the entry reads back");

    CHECKF(session_open(&b, 1, H_DEMO_DN) == 0 && b.logon_rv == 0,
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
    CHECKF(create_msg(&b, b_inbox, b.s.lo.fids[RC_FID_INBOX], "Intruder",
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
    CHECKF(modify_perms(&b, b_inbox, 0, &p, 1) == EC_ACCESS_DENIED,
           "R181: only a FolderOwner modifies");
    CHECKF(perms_table(&b, b_inbox, 0, &rows, NULL) == 0
           && row_of(&rows, H_OTHER_DN), "R103: FolderVisible lists");
    CHECKF(rc_open_message_props(&a.s, inbox, a.s.lo.fids[RC_FID_INBOX],
                                 mid1, subj, 1, NULL, &row) == 0,
           "demo's message is still there");

    /* Editor: other creates, changes and deletes. */
    id = other_id(&a, inbox);
    CHECKF(id != 0 && id != MEMBER_ANONYMOUS, "R74: a member id");
    p = (perm){ MODIFY_ROW, NULL, id, EDITOR, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "R1187: Editor");
    CHECKF(create_msg(&b, b_inbox, b.s.lo.fids[RC_FID_INBOX], "From other",
                      &mid2) == 0, "R140: Create");
    CHECKF(rc_open_message(&b.s, b_inbox, b.s.lo.fids[RC_FID_INBOX], mid1, 1,
                           &msg) == 0, "R124: EditAny opens read/write");
    CHECKF(rc_delete_msgs(&b.s, b_inbox, 0, &mid2, 1, &partial) == 0
           && partial == 0, "R121: DeleteAny");

    /* Author: its own messages only (R127, R122, R131, R125). */
    p = (perm){ MODIFY_ROW, NULL, id, AUTHOR, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "Author");
    CHECKF(create_msg(&b, b_inbox, b.s.lo.fids[RC_FID_INBOX], "Own one",
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
    p = (perm){ REMOVE_ROW, NULL, id, 0, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "R186: RemoveRow");
    CHECKF(other_id(&a, inbox) == 0, "R1188: the entry is gone");
    CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_INBOX], &f)
           == EC_ACCESS_DENIED, "an open logon loses the folder at once");
    CHECKF(session_open(&c, 1, H_DEMO_DN) == 0
           && c.logon_rv == EC_LOGIN_PERM,
           "the next logon is refused, got 0x%08X", c.logon_rv);
out:
    session_close(&c);
    session_close(&b);
    session_close(&a);
}

/* R1070, R1079, R1080, R189, R190: the rows; the error codes. */
static void test_table_and_errors(void)
{
    session a;
    uint32_t inbox;
    rc_rows_rsp rows;
    const rc_row *r;
    const rc_prop *eid;
    int which = -1;
    perm p = { ADD_ROW, H_OTHER_DN, 0, REVIEWER, 0 };

    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "grant");
    CHECKF(perms_table(&a, inbox, 0, &rows, NULL) == 0 && rows.count == 3,
           "R155: Default, other, Anonymous: %u rows", rows.count);
    r = row_of_id(&rows, MEMBER_DEFAULT);
    CHECKF(r && rc_row_str(r, TAG_MEMBER_NAME)
           && !strcmp(rc_row_str(r, TAG_MEMBER_NAME), ""),
           "R190 R1080: Default, named \"\"");
    eid = r ? rc_row_find(r, RC_TAG_ENTRY_ID) : NULL;
    CHECKF(eid && eid->v.bin.len == 0, "R1070: no EntryID for Default");
    r = row_of_id(&rows, MEMBER_ANONYMOUS);
    CHECKF(r && rc_row_str(r, TAG_MEMBER_NAME)
           && !strcmp(rc_row_str(r, TAG_MEMBER_NAME), "Anonymous"),
           "R189 R1079: Anonymous");
    r = row_of(&rows, H_OTHER_DN);
    CHECKF(r && rc_row_u32(r, TAG_MEMBER_RIGHTS, 0) == REVIEWER
           && rc_row_str(r, TAG_MEMBER_NAME)
           && *rc_row_str(r, TAG_MEMBER_NAME), "R1081: other, named");

    CHECKF(perms_table(&a, inbox, 0x01, &rows, &which) == EC_INVALID_PARAM
           && which == 0, "R1012: an undefined TableFlags bit");
    CHECKF(modify_perms(&a, inbox, 0x04, &p, 1) == EC_INVALID_PARAM,
           "R43: an undefined ModifyFlags bit");
    p = (perm){ 0x08, NULL, 1, 0, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == EC_INVALID_PARAM,
           "R1046: an undefined PermissionDataFlags value");
    p = (perm){ ADD_ROW, H_OTHER_DN, 0, 0, 1 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == EC_INVALID_PARAM,
           "R159: AddRow without PidTagMemberRights");
    p = (perm){ ADD_ROW, H_ORG_DN "/cn=Recipients/cn=nobody", 0, REVIEWER,
                0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == EC_NOT_FOUND,
           "AddRow of a DN no mailbox has");
    p = (perm){ MODIFY_ROW, NULL, 1, REVIEWER, 0 };
    CHECKF(modify_perms(&a, inbox, REPLACE_ROWS, &p, 1) == EC_INVALID_PARAM,
           "R46 R1185: ReplaceRows takes AddRow only");
    p = (perm){ MODIFY_ROW, NULL, 0x0777777777ull, EDITOR, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0
           && other_rights(&a, inbox, 0) == REVIEWER,
           "R1175: an unknown member is ignored");
    p = (perm){ REMOVE_ROW, NULL, other_id(&a, inbox), 0, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "cleanup");
out:
    session_close(&a);
}

/* Default's rights apply to every user not listed (R176). */
static void test_default_member(void)
{
    session a, b;
    uint32_t inbox, f;
    perm p = { MODIFY_ROW, NULL, MEMBER_DEFAULT, R_FOLDER_VISIBLE, 0 };
    uint32_t table, n;

    memset(&b, 0, sizeof(b));
    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "Default: FolderVisible");
    CHECKF(session_open(&b, 1, H_DEMO_DN) == 0 && b.logon_rv == 0,
           "R176: Default's right opens the mailbox, got 0x%08X",
           b.logon_rv);
    if (b.c && b.logon_rv == 0) {
        CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_INBOX], &f) == 0,
               "and the Inbox");
        CHECKF(rc_get_contents_table(&b.s, f, 0, &table, &n)
               == EC_ACCESS_DENIED, "R144: but no contents without ReadAny");
    }
    p = (perm){ REMOVE_ROW, NULL, MEMBER_DEFAULT, 0, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "Default back to None");
out:
    session_close(&b);
    session_close(&a);
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
