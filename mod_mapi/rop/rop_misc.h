/*
 * rop_misc.h: ROPs outside the other families: RopRelease,
 * RopGetAddressTypes, RopOptionsData and the server-only RopBackoff and
 * RopBufferTooSmall ([MS-OXCROPS] 2.2.7, 2.2.15).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_MISC_H
#define MAPI_ROP_MISC_H

#include "rop_types.h"

typedef struct rop_options_data_req {
    uint8_t reserved;
    const char *address_type;
    uint8_t want_win32;
} rop_options_data_req;

extern const rop_def rop_misc_defs[];

#endif
