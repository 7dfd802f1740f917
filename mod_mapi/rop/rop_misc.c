/*
 * rop_misc.c: RopRelease, RopGetAddressTypes, RopOptionsData, and the rows
 * for the server-only RopBackoff and RopBufferTooSmall.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_misc.h"

/* [MS-OXCROPS] 2.2.7.9.1.  The Reserved byte after InputHandleIndex is
 * in the published layout (its requirement id, R2557, is the gap between
 * R2556 and R2558 in the statements). */
static int rop_parse_options_data(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_options_data_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->reserved) < 0 || rd->failed
        || rop_rd_str(rd, pool, 0, &r->address_type) < 0)
        return -1;
    return mapi_rd_u8(rd, &r->want_win32);
}

const rop_def rop_misc_defs[] = {
    /* No response at all, even on error (R4571-R4573). */
    { ROP_ID_RELEASE, ROP_F_NO_RESPONSE, "RopRelease",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_GET_ADDRESS_TYPES, 0, "RopGetAddressTypes",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_OPTIONS_DATA, 0, "RopOptionsData",
      rop_parse_options_data, NULL, 0 },
    { ROP_ID_BACKOFF, ROP_F_SERVER_ONLY, "RopBackoff", NULL, NULL, 0 },
    { ROP_ID_BUFFER_TOO_SMALL, ROP_F_SERVER_ONLY, "RopBufferTooSmall",
      NULL, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
