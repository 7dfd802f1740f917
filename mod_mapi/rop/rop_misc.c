/*
 * rop_misc.c: RopRelease, RopGetAddressTypes, RopOptionsData, and the rows
 * for the server-only RopBackoff and RopBufferTooSmall.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_misc.h"
#include "rop_object.h"
#include "wire/mapi_tags.h"
#include <string.h>

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

/* R4571-R4573: never answered; releasing an unknown handle is no error
 * the client could see. */
static int rop_handle_release(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    uint32_t handle;

    (void)out;
    if (rop_ctx_handle(ctx, call->in_handle_index, &handle) == 0
        && handle != SESS_OBJ_NONE && handle != 0)
        rop_obj_release(ctx, handle);
    return 0;
}

/* [MS-OXCROPS] 2.2.7.2.2: the address types recipients may carry. */
static int rop_handle_get_address_types(rop_ctx *ctx, rop_call *call,
                                        mapi_wr *out)
{
    static const char *const types[] = { "EX", "SMTP" };
    rop_object *logon;
    uint32_t ec;
    size_t i, size = 0;

    if ((ec = rop_obj_load(ctx, call->in_handle_index,
                           ROP_OBJ_MASK(ROP_OBJ_LOGON), &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    for (i = 0; i < 2; i++)
        size += strlen(types[i]) + 1;
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, 2);
    mapi_wr_u16(out, (uint16_t)size);
    for (i = 0; i < 2; i++)
        mapi_wr_str8(out, types[i]);
    return out->failed ? -1 : 0;
}

/* [MS-OXCROPS] 2.2.7.9.2: no address-type specific options or help
 * files are published (Outlook then uses its built-in templates). */
static int rop_handle_options_data(rop_ctx *ctx, rop_call *call,
                                   mapi_wr *out)
{
    rop_object *logon;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index,
                           ROP_OBJ_MASK(ROP_OBJ_LOGON), &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u8(out, 1);           /* Reserved */
    mapi_wr_u16(out, 0);          /* OptionsInfoSize */
    return mapi_wr_u16(out, 0);   /* HelpFileSize */
}

const rop_def rop_misc_defs[] = {
    /* No response at all, even on error (R4571-R4573). */
    { ROP_ID_RELEASE, ROP_F_NO_RESPONSE, "RopRelease",
      rop_parse_hdr_only, rop_handle_release, 0 },
    { ROP_ID_GET_ADDRESS_TYPES, 0, "RopGetAddressTypes",
      rop_parse_hdr_only, rop_handle_get_address_types, 0 },
    { ROP_ID_OPTIONS_DATA, 0, "RopOptionsData",
      rop_parse_options_data, rop_handle_options_data, 0 },
    { ROP_ID_BACKOFF, ROP_F_SERVER_ONLY, "RopBackoff", NULL, NULL, 0 },
    { ROP_ID_BUFFER_TOO_SMALL, ROP_F_SERVER_ONLY, "RopBufferTooSmall",
      NULL, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
