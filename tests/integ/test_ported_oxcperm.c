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
#define R_CREATE_SUBFOLDER   0x080u
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

/* Opens demo's subfolder name of the IPM subtree (the Calendar, say). */
static uint64_t ipm_folder(session *a, const char *name)
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
    session a;
    uint64_t cal_fid;
    uint32_t cal;
    perm p = { ADD_ROW, H_OTHER_DN, 0, R_FB_SIMPLE | R_FB_DETAILED, 0 };

    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    cal_fid = ipm_folder(&a, "Calendar");
    CHECKF(cal_fid && rc_open_folder(&a.s, cal_fid, &cal) == 0, "Calendar");
    if (!cal_fid)
        goto out;
    CHECKF(modify_perms(&a, cal, INCLUDE_FREEBUSY, &p, 1) == 0,
           "R40: free/busy set with IncludeFreeBusy");
    CHECKF(other_rights(&a, cal, INCLUDE_FREEBUSY)
           == (R_FB_SIMPLE | R_FB_DETAILED), "R19 R2014");
    CHECKF(other_rights(&a, cal, 0) == 0, "R3001: not without the flag");
    /* R40: without the flag a change leaves free/busy alone. */
    p = (perm){ MODIFY_ROW, NULL, other_id(&a, cal), R_FOLDER_VISIBLE, 0 };
    CHECKF(modify_perms(&a, cal, 0, &p, 1) == 0
           && other_rights(&a, cal, INCLUDE_FREEBUSY)
              == (R_FOLDER_VISIBLE | R_FB_SIMPLE | R_FB_DETAILED),
           "R40: free/busy kept");
    p = (perm){ REMOVE_ROW, NULL, other_id(&a, cal), 0, 0 };
    CHECKF(modify_perms(&a, cal, INCLUDE_FREEBUSY, &p, 1) == 0, "remove");
out:
    session_close(&a);
}

/* MS-OXCPERM S02_TC01: ReplaceRows adds (R45) and keeps Default
 * (R1197); RemoveRow removes (R186, R1188); AddRow adds (R47, R51). */
static void MSOXCPERM_S02_TC01_ReplaceFolderPermissions(void)
{
    session a;
    uint32_t inbox;
    rc_rows_rsp rows;
    perm dflt = { MODIFY_ROW, NULL, MEMBER_DEFAULT, R_FOLDER_VISIBLE, 0 };
    perm p = { ADD_ROW, H_OTHER_DN, 0, R_CREATE, 0 };

    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(modify_perms(&a, inbox, 0, &dflt, 1) == 0, "Default set");
    CHECKF(modify_perms(&a, inbox, REPLACE_ROWS | INCLUDE_FREEBUSY, &p, 1)
           == 0, "ReplaceRows");
    CHECKF(other_rights(&a, inbox, 0) == R_CREATE, "R45");
    CHECKF(perms_table(&a, inbox, 0, &rows, NULL) == 0
           && row_of_id(&rows, MEMBER_DEFAULT)
           && rc_row_u32(row_of_id(&rows, MEMBER_DEFAULT), TAG_MEMBER_RIGHTS,
                         0) == R_FOLDER_VISIBLE, "R1197: Default kept");
    p = (perm){ REMOVE_ROW, NULL, other_id(&a, inbox), 0, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0
           && other_id(&a, inbox) == 0, "R186 R1188");
    p = (perm){ ADD_ROW, H_OTHER_DN, 0, R_CREATE, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0
           && other_rights(&a, inbox, 0) == R_CREATE, "R47 R51");
    p = (perm){ REMOVE_ROW, NULL, other_id(&a, inbox), 0, 0 };
    dflt = (perm){ REMOVE_ROW, NULL, MEMBER_DEFAULT, 0, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0
           && modify_perms(&a, inbox, 0, &dflt, 1) == 0, "cleanup");
out:
    session_close(&a);
}

/* MS-OXCPERM S03_TC01: a flag the spec does not define is not set
 * (R1093). */
static void MSOXCPERM_S03_TC01_SetUnexpectedPermissionFlags(void)
{
    session a;
    uint32_t inbox, rights, rv;
    perm p = { ADD_ROW, H_OTHER_DN, 0, 0x00100000u, 0 };

    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    rv = modify_perms(&a, inbox, 0, &p, 1);
    rights = other_rights(&a, inbox, INCLUDE_FREEBUSY);
    CHECKF(rv != 0 || rights == 0, "R1093: rv 0x%08X, rights 0x%08X", rv,
           rights);
    p = (perm){ REMOVE_ROW, NULL, other_id(&a, inbox), 0, 0 };
    modify_perms(&a, inbox, 0, &p, 1);
out:
    session_close(&a);
}

/* MS-OXCPERM S03_TC02: PidTagSecurityDescriptorAsXml is not opened as a
 * stream (R152, R183; 0x80040102 as the suite expects). */
static void MSOXCPERM_S03_TC02_RetrieveFolderPermissionNotImplementedError(
    void)
{
    session a;
    uint32_t inbox, size = 0;
    rc_buf b;
    rc_exec e;
    rc_head h;

    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
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
    session_close(&a);
}

/* MS-OXCPERM S03_TC03: without FolderVisible the table opens but
 * RopQueryRows answers AccessDenied (R2007). */
static void MSOXCPERM_S03_TC03_VerifyRopQueryRowsErrorCodeAccessDenied(void)
{
    session a, b;
    uint32_t inbox, f;
    rc_rows_rsp rows;
    int which = -1;
    perm p = { ADD_ROW, H_OTHER_DN, 0, R_FOLDER_OWNER | R_FOLDER_VISIBLE, 0 };
    uint64_t id;

    memset(&b, 0, sizeof(b));
    CHECKF(session_open(&a, 0, NULL) == 0 && a.logon_rv == 0, "demo logon");
    if (!a.c || a.logon_rv)
        goto out;
    CHECKF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
           "Inbox");
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "FolderOwner");
    id = other_id(&a, inbox);
    CHECKF(session_open(&b, 1, H_DEMO_DN) == 0 && b.logon_rv == 0,
           "other logs on");
    if (!b.c || b.logon_rv)
        goto clean;
    CHECKF(rc_open_folder(&b.s, b.s.lo.fids[RC_FID_INBOX], &f) == 0,
           "opens the Inbox");
    /* R115002: a FolderOwner modifies the list, its own entry too. */
    p = (perm){ MODIFY_ROW, NULL, id, R_FOLDER_OWNER, 0 };
    CHECKF(modify_perms(&b, f, 0, &p, 1) == 0, "R182: owner modifies");
    CHECKF(perms_table(&b, f, 0, &rows, &which) == EC_ACCESS_DENIED
           && which == 2, "R2007: at RopQueryRows (step %d)", which);
clean:
    p = (perm){ REMOVE_ROW, NULL, id, 0, 0 };
    CHECKF(modify_perms(&a, inbox, 0, &p, 1) == 0, "cleanup");
out:
    session_close(&b);
    session_close(&a);
}

/* ------------------------------------------------ S02 right by right -- */

/* What the two cases below try: demo's folder fid, demo's messages and
 * other's own ones in it, and other's session on demo's mailbox. */
typedef struct rights_fx {
    session a, b;
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
    perm p = { MODIFY_ROW, NULL, MEMBER_DEFAULT, 0, 0 };

    if ((rv = rc_open_folder(&x->b.s, x->fid, &fh)) != 0)
        return rv;               /* FolderVisible off */
    switch (right) {
    case R_CREATE:
        rv = create_msg(&x->b, fh, x->fid, "created by other", &mid);
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
        rv = modify_perms(&x->b, fh, 0, &p, 1);
        break;
    case R_FOLDER_VISIBLE:
        rv = perms_table(&x->b, fh, 0, &rows, NULL);
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
    perm p = { ADD_ROW, H_OTHER_DN, 0, R_CREATE | R_FOLDER_VISIBLE, 0 };

    memset(x, 0, sizeof(*x));
    x->af = RC_NO_HANDLE;
    if (session_open(&x->a, 0, NULL) != 0 || x->a.logon_rv
        || rc_open_folder(&x->a.s, x->a.s.lo.fids[RC_FID_INBOX], &inbox)
        || rc_create_folder(&x->a.s, inbox, name, NULL, 1, &x->fid, &x->af))
        return -1;
    for (int i = 0; i < 3; i++)
        if (create_msg(&x->a, x->af, x->fid, "by demo", &x->demo_mid[i]))
            return -1;
    if (modify_perms(&x->a, x->af, 0, &p, 1) != 0
        || (x->id = other_id(&x->a, x->af)) == 0)
        return -1;
    if (session_open(&x->b, 1, H_DEMO_DN) != 0 || x->b.logon_rv
        || rc_open_folder(&x->b.s, x->fid, &fh) != 0)
        return -1;
    for (int i = 0; i < 3; i++)
        if (create_msg(&x->b, fh, x->fid, "by other", &x->own_mid[i]))
            return -1;
    rc_release(&x->b.s, fh);
    return 0;
}

static void rights_teardown(rights_fx *x)
{
    perm p = { REMOVE_ROW, NULL, x->id, 0, 0 };
    perm d = { REMOVE_ROW, NULL, MEMBER_DEFAULT, 0, 0 };

    if (x->a.c && x->af != RC_NO_HANDLE) {
        modify_perms(&x->a, x->af, 0, &p, 1);
        modify_perms(&x->a, x->af, 0, &d, 1);
    }
    session_close(&x->b);
    session_close(&x->a);
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
        perm p = { MODIFY_ROW, NULL, x.id, with, 0 };
        uint32_t rv;

        CHECKF(modify_perms(&x.a, x.af, 0, &p, 1) == 0
               && perms_table(&x.a, x.af, 0, &rows, NULL) == 0
               && row_of_id(&rows, x.id)
               && rc_row_u32(row_of_id(&rows, x.id), TAG_MEMBER_RIGHTS, 0)
                  == with, "R1187 R2014: %s set and read back", c->name);
        rv = try_right(&x, c->right);
        CHECKF(rv == 0, "%s: with %s other may: 0x%08X", c->on, c->name, rv);
        p.rights = without;
        CHECKF(modify_perms(&x.a, x.af, 0, &p, 1) == 0
               && other_rights(&x.a, x.af, 0) == without,
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
    perm d = { MODIFY_ROW, NULL, MEMBER_DEFAULT, dflt, 0 };
    perm rm;
    rc_rows_rsp rows;

    REQUIREF(rights_setup(&x, "PermS02TC03") == 0, "setup: %.200s / %.200s",
             x.a.s.error, x.b.s.error);
    rm = (perm){ REMOVE_ROW, NULL, x.id, 0, 0 };
    CHECKF(modify_perms(&x.a, x.af, 0, &rm, 1) == 0
           && other_id(&x.a, x.af) == 0, "R186: other's entry removed");
    CHECKF(modify_perms(&x.a, x.af, INCLUDE_FREEBUSY, &d, 1) == 0
           && perms_table(&x.a, x.af, 0, &rows, NULL) == 0
           && row_of_id(&rows, MEMBER_DEFAULT)
           && rc_row_u32(row_of_id(&rows, MEMBER_DEFAULT), TAG_MEMBER_RIGHTS,
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
