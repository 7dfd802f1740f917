/*
 * rop_permission.h: permission ROP requests ([MS-OXCROPS] 2.2.10,
 * [MS-OXCPERM]).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_PERMISSION_H
#define MAPI_ROP_PERMISSION_H

#include "rop_types.h"

typedef struct rop_modify_permissions_req {
    uint8_t modify_flags;
    uint16_t modify_count;
    rop_row_data *permissions;  /* PermissionData: flags + values */
} rop_modify_permissions_req;

extern const rop_def rop_permission_defs[];

#endif
