/*
 * rop_permission.c: permission ROPs ([MS-OXCROPS] 2.2.10).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_folder.h"
#include "rop_permission.h"

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

const rop_def rop_permission_defs[] = {
    { ROP_ID_MODIFY_PERMISSIONS, 0, "RopModifyPermissions",
      rop_parse_modify_permissions, NULL, 0 },
    { ROP_ID_GET_PERMISSIONS_TABLE, ROP_F_OUT_HANDLE, "RopGetPermissionsTable",
      rop_parse_table_flags, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
