/*
 * rop_permission.h: permission ROPs ([MS-OXCROPS] 2.2.10, [MS-OXCPERM])
 * and the rights checks every folder and message handler makes.
 *
 * Rights.  In the session's own mailbox its user has every right and no
 * list is read.  In another user's mailbox (a logon granted by some right
 * on one of its folders, rop_logon.c) the user's rights on a folder are
 * their entry of the folder's list, else Default's (store_perm_rights).
 * What each operation needs is said where it is checked; a denial is
 * ecAccessDenied.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_PERMISSION_H
#define MAPI_ROP_PERMISSION_H

#include "rop_types.h"
#include "rop_object.h"

typedef struct rop_modify_permissions_req {
    uint8_t modify_flags;
    uint16_t modify_count;
    rop_row_data *permissions;  /* PermissionData: flags + values */
} rop_modify_permissions_req;

/* ModifyFlags and TableFlags ([MS-OXCPERM] 2.2.1.1, 2.2.2.1). */
#define ROP_PERM_REPLACE_ROWS       0x01
#define ROP_PERM_INCLUDE_FREEBUSY   0x02

extern const rop_def rop_permission_defs[];

/* The session user's rights on folder fid of mbox into *rights_r.
 * Returns 0 or ecError (noted). */
uint32_t rop_perm_rights(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                         uint32_t *rights_r);
/* 0 when the user holds every right of need on the folder, else
 * ecAccessDenied (or ecError). */
uint32_t rop_perm_need(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                       uint32_t need);
/* 0 when the user may read, change or delete (STORE_PERM_*) message m of
 * folder fid: the *Any rights, or the *Owned ones for a message they
 * created; else ecAccessDenied. */
uint32_t rop_perm_message(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                          const store_message *m, unsigned what);
/* Marks m as created by the session's user (PidTagCreatorEntryId, their
 * address book EntryID) unless it says so already. */
void rop_perm_set_creator(rop_ctx *ctx, store_message *m);
/* The rows of a permissions table (store_row *): PidTagMemberId,
 * PidTagMemberName, PidTagMemberRights, PidTagEntryId per entry.
 * ecAccessDenied without FolderVisible (R2007). */
uint32_t rop_perm_table_rows(rop_ctx *ctx, const rop_object *tbl,
                             apr_array_header_t *rows);

#endif
