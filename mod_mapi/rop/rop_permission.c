/*
 * rop_permission.c: permission ROPs ([MS-OXCROPS] 2.2.10, [MS-OXCPERM])
 * and the rights checks of the other handlers (rop_permission.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <strings.h>
#include "rop_ids.h"
#include "rop_folder.h"
#include "rop_permission.h"
#include "store/store_table.h"
#include "wire/mapi_tags.h"

static int rop_parse_modify_permissions(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_modify_permissions_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t i;

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->modify_flags);
    if (mapi_rd_u16(rd, &r->modify_count) < 0
        || rop_rd_count_ok(rd, r->modify_count, 3) < 0)
        return -1;
    r->permissions = apr_pcalloc(pool, (size_t)r->modify_count
                                       * sizeof(*r->permissions) + 1);
    for (i = 0; i < r->modify_count && !rd->failed; i++)
        rop_rd_row_data(rd, pool, &r->permissions[i]);
    return rd->failed ? -1 : 0;
}

/* ==== rights ============================================================ */

uint32_t rop_perm_rights(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                         uint32_t *rights_r)
{
    const cfg_mailbox *me = rop_ctx_mailbox(ctx);
    const char *error = NULL;

    if (rop_ctx_is_own(ctx, mbox)) {
        *rights_r = STORE_RIGHTS_OWNER;
        return 0;
    }
    if (!me) {
        *rights_r = 0;
        return 0;
    }
    if (store_perm_rights(rop_ctx_db(ctx), rop_ctx_pool(ctx), mbox, fid,
                          me->guid, rights_r, &error) != STORE_OK) {
        rop_ctx_note_error(ctx, error);
        return ecError;
    }
    return 0;
}

uint32_t rop_perm_need(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                       uint32_t need)
{
    uint32_t rights, ec;

    if (rop_ctx_is_own(ctx, mbox))
        return 0;
    if ((ec = rop_perm_rights(ctx, mbox, fid, &rights)) != 0)
        return ec;
    return (rights & need) == need ? 0 : ecAccessDenied;
}

uint32_t rop_perm_message(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                          const store_message *m, unsigned what)
{
    const cfg_mailbox *me = rop_ctx_mailbox(ctx);
    uint32_t rights, ec;
    int owned;

    if (rop_ctx_is_own(ctx, mbox))
        return 0;
    if ((ec = rop_perm_rights(ctx, mbox, fid, &rights)) != 0)
        return ec;
    owned = me && m && store_message_created_by(rop_ctx_pool(ctx), m,
                                                me->legacy_dn);
    return store_perm_allows(rights, owned, what) ? 0 : ecAccessDenied;
}

void rop_perm_set_creator(rop_ctx *ctx, store_message *m)
{
    const cfg_mailbox *me = rop_ctx_mailbox(ctx);
    rop_bin eid;

    if (!me || !me->legacy_dn
        || store_props_get(&m->props, PidTagCreatorEntryId))
        return;
    store_ab_entry_id(m->props.pool, me->legacy_dn, &eid);
    store_props_set_bin(&m->props, PidTagCreatorEntryId, eid.data, eid.len);
}

/* ==== RopGetPermissionsTable =========================================== */

static uint32_t perm_store_ec(rop_ctx *ctx, store_status st,
                              const char *error)
{
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    return store_status_ec(st);
}

/* PidTagMemberName (R1079-R1081) and PidTagEntryId (R1070: empty for
 * the two reserved members) of one entry. */
static void perm_row_member(rop_ctx *ctx, const store_perm_entry *e,
                            store_props *p)
{
    const cfg_mailbox *m = NULL;
    rop_bin eid = { 0, NULL };

    if (e->member_id == STORE_MEMBER_DEFAULT) {
        store_props_set_str(p, PidTagMemberName, "");
    } else if (e->member_id == STORE_MEMBER_ANONYMOUS) {
        store_props_set_str(p, PidTagMemberName, "Anonymous");
    } else {
        m = rop_ctx_mailbox_of(ctx, e->member);
        /* A member whose mailbox was removed keeps its entry, unnamed. */
        store_props_set_str(p, PidTagMemberName,
                            m && m->display_name ? m->display_name
                            : (m ? m->smtp : "Unknown"));
        if (m && m->legacy_dn)
            store_ab_entry_id(p->pool, m->legacy_dn, &eid);
    }
    store_props_set_bin(p, PidTagEntryId, eid.data, eid.len);
}

uint32_t rop_perm_table_rows(rop_ctx *ctx, const rop_object *tbl,
                             apr_array_header_t *rows)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    apr_array_header_t *entries;
    const char *error = NULL;
    uint32_t mask = STORE_RIGHTS_VALID, ec;
    store_status st;

    /* R177, R2007: the list is shown to those who see the folder. */
    if ((ec = rop_perm_need(ctx, tbl->mbox, tbl->fid,
                            STORE_RIGHT_FOLDER_VISIBLE)) != 0)
        return ec;
    st = store_perm_list(rop_ctx_db(ctx), pool, tbl->mbox, tbl->fid,
                         &entries, &error);
    if (st != STORE_OK)
        return perm_store_ec(ctx, st, error);
    /* R19, R3001: free/busy bits only with IncludeFreeBusy. */
    if (!(tbl->table_flags & ROP_PERM_INCLUDE_FREEBUSY))
        mask &= ~STORE_RIGHTS_FREEBUSY;
    for (int i = 0; i < entries->nelts; i++) {
        const store_perm_entry *e = &APR_ARRAY_IDX(entries, i,
                                                   store_perm_entry);
        store_row *row = apr_pcalloc(pool, sizeof(*row));

        store_props_init(&row->props, pool);
        row->id = (uint64_t)i + 1;   /* 0 is no row for bookmarks */
        store_props_set_u64(&row->props, PidTagMemberId, e->member_id);
        store_props_set_u32(&row->props, PidTagMemberRights,
                            e->rights & mask);
        perm_row_member(ctx, e, &row->props);
        store_props_set_u64(&row->props, PidTagInstID, row->id);
        store_props_set_u32(&row->props, PidTagInstanceNum, 0);
        store_props_set_u32(&row->props, PidTagRowType, 1 /* leaf */);
        APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    return 0;
}

/* No RowCount in the response ([MS-OXCROPS] 2.2.10.2.2).  The rights are
 * looked at when rows are read (R2007), not here. */
static int rop_handle_get_permissions_table(rop_ctx *ctx, rop_call *call,
                                            mapi_wr *out)
{
    const rop_table_flags_req *r = call->req;
    rop_object *folder, *tbl;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_FOLDER), &folder);
    /* R1012: IncludeFreeBusy is the one flag. */
    if (ec == 0 && (r->table_flags & ~ROP_PERM_INCLUDE_FREEBUSY))
        ec = ecInvalidParam;
    if (ec != 0)
        return rop_write_error_response(out, call, ec);
    tbl = rop_obj_new(ctx, folder, ROP_OBJ_TABLE);
    tbl->fid = folder->fid;
    tbl->table_kind = ROP_TABLE_PERMISSIONS;
    tbl->table_flags = r->table_flags;
    if ((ec = rop_obj_create(ctx, tbl, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->out_handle_index);
}

/* ==== RopModifyPermissions ============================================= */

static const rop_propval *perm_value(const rop_row_data *d, uint32_t tag)
{
    for (uint16_t i = 0; i < d->props.count; i++)
        if (d->props.vals[i].tag == tag)
            return &d->props.vals[i];
    return NULL;
}

/* The member an AddRow names by its address book EntryID (R51): a
 * mailbox of the organisation by its DN.  An empty EntryID is Default's
 * (R1070), so an add of it sets Default. */
static uint32_t perm_add_member(rop_ctx *ctx, const rop_propval *eid,
                                store_perm_change *c)
{
    const char *dn, *error = NULL;
    cfg_mailbox *m = NULL;
    int rc;

    if (eid->v.bin.len == 0) {
        c->op = STORE_PERM_MODIFY;
        c->member_id = STORE_MEMBER_DEFAULT;
        return 0;
    }
    dn = store_ab_entry_id_dn(rop_ctx_pool(ctx), eid->v.bin.data,
                              eid->v.bin.len);
    if (!dn)
        return ecInvalidParam;
    rc = cfg_mailbox_by_legacy_dn(rop_ctx_db(ctx), rop_ctx_pool(ctx), dn, &m,
                                  &error);
    if (rc < 0) {
        rop_ctx_note_error(ctx, error);
        return ecError;
    }
    if (rc > 0 || !m)
        return ecNotFound;
    memcpy(c->member, m->guid, STORE_GUID_LEN);
    return 0;
}

/* One PermissionData into a change: AddRow names the member by
 * PidTagEntryId (R159), ModifyRow by PidTagMemberId with the rights
 * (R167), RemoveRow by PidTagMemberId alone (R171); with ReplaceRows
 * only AddRow is valid (R46, R1185). */
static uint32_t perm_change_of(rop_ctx *ctx, const rop_row_data *d,
                               uint8_t modify_flags, store_perm_change *c)
{
    const rop_propval *id = perm_value(d, PidTagMemberId);
    const rop_propval *rights = perm_value(d, PidTagMemberRights);
    const rop_propval *eid = perm_value(d, PidTagEntryId);

    memset(c, 0, sizeof(*c));
    c->op = d->flags;
    c->rights = rights ? rights->v.l : 0;
    /* R40: the free/busy bits change only with IncludeFreeBusy. */
    if (!(modify_flags & ROP_PERM_INCLUDE_FREEBUSY))
        c->keep_mask = STORE_RIGHTS_FREEBUSY;
    if ((modify_flags & ROP_PERM_REPLACE_ROWS) && d->flags != STORE_PERM_ADD)
        return ecInvalidParam;
    switch (d->flags) {
    case STORE_PERM_ADD:
        if (!eid || !rights)
            return ecInvalidParam;
        return perm_add_member(ctx, eid, c);
    case STORE_PERM_MODIFY:
        if (!id || !rights)
            return ecInvalidParam;
        c->member_id = id->v.d;
        return 0;
    case STORE_PERM_REMOVE:
        if (!id)
            return ecInvalidParam;
        c->member_id = id->v.d;
        return 0;
    default:
        return ecInvalidParam;    /* R1046 */
    }
}

static int rop_handle_modify_permissions(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_modify_permissions_req *r = call->req;
    store_perm_change *changes;
    const char *error = NULL;
    rop_object *folder;
    store_status st;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_FOLDER), &folder);
    /* R180, R181: only a folder owner changes the list. */
    if (ec == 0)
        ec = rop_perm_need(ctx, folder->mbox, folder->fid,
                           STORE_RIGHT_FOLDER_OWNER);
    /* R43: ReplaceRows and IncludeFreeBusy are the only flags. */
    if (ec == 0 && (r->modify_flags & ~(ROP_PERM_REPLACE_ROWS
                                        | ROP_PERM_INCLUDE_FREEBUSY)))
        ec = ecInvalidParam;
    if (ec != 0)
        return rop_write_error_response(out, call, ec);
    changes = apr_pcalloc(rop_ctx_pool(ctx),
                          sizeof(*changes) * (r->modify_count + 1u));
    for (uint16_t i = 0; i < r->modify_count; i++)
        if ((ec = perm_change_of(ctx, &r->permissions[i], r->modify_flags,
                                 &changes[i])) != 0)
            return rop_write_error_response(out, call, ec);
    st = store_perm_modify(rop_ctx_db(ctx), rop_ctx_pool(ctx), folder->mbox,
                           folder->fid,
                           (r->modify_flags & ROP_PERM_REPLACE_ROWS) != 0,
                           changes, r->modify_count, &error);
    if (st != STORE_OK)
        return rop_write_error_response(out, call,
                                        perm_store_ec(ctx, st, error));
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

const rop_def rop_permission_defs[] = {
    { ROP_ID_MODIFY_PERMISSIONS, 0, "RopModifyPermissions",
      rop_parse_modify_permissions, rop_handle_modify_permissions, 0 },
    { ROP_ID_GET_PERMISSIONS_TABLE, ROP_F_OUT_HANDLE, "RopGetPermissionsTable",
      rop_parse_table_flags, rop_handle_get_permissions_table, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
