/*
 * perm_ops.h: the folder-permission side of the test client, shared by
 * test_permissions.c and test_ported_oxcperm.c: a session of one of the
 * instance's users logged on to a mailbox, PermissionData rows,
 * RopModifyPermissions and RopGetPermissionsTable, and the lookups the
 * tests make on the permissions table.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_TEST_PERM_OPS_H
#define MAPI_TEST_PERM_OPS_H

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

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
#define R_CREATE_SUBFOLDER   0x080u

typedef struct po_session {
    mhc_client *c;
    rc_session s;
    uint32_t logon_rv;
} po_session;

/* One PermissionData: AddRow by dn (NULL: an empty EntryID), ModifyRow /
 * RemoveRow by member id. */
typedef struct po_perm {
    uint8_t flags;
    const char *dn;
    uint64_t id;
    uint32_t rights;
    int no_rights;               /* leave PidTagMemberRights out */
} po_perm;

extern const uint32_t po_perm_cols[4];

int po_session_open(harness *h, po_session *x, int who, const char *essdn);
void po_session_close(po_session *x);
rc_prop po_ab_eid(apr_pool_t *pool, const char *dn);
uint32_t po_modify_perms(po_session *x, uint32_t folder, uint8_t flags,
                             const po_perm *p, uint16_t n);
uint32_t po_perms_table(po_session *x, uint32_t folder, uint8_t flags,
                            rc_rows_rsp *rows, int *which);
const rc_row *po_row_of(const rc_rows_rsp *rows, const char *dn);
const rc_row *po_row_of_id(const rc_rows_rsp *rows, uint64_t id);
uint64_t po_other_id(po_session *a, uint32_t folder);
uint32_t po_other_rights(po_session *a, uint32_t folder, uint8_t flags);
uint32_t po_create_msg(po_session *x, uint32_t folder, uint64_t fid,
                           const char *subject, uint64_t *mid);

#endif
