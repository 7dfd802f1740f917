/*
 * rop_stream.c: stream ROPs ([MS-OXCROPS] 2.2.9).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_stream.h"

/* Failure responses that still carry counters after ReturnValue. */
#define ROP_TAIL_READ      2    /* RopReadStream: DataSize 0 */
#define ROP_TAIL_WRITE     2    /* WrittenSize u16 */
#define ROP_TAIL_WRITE_EX  4    /* RopWriteStreamExtended: WrittenSize u32 */
#define ROP_TAIL_COPY      16   /* ReadByteCount, WrittenByteCount */

static int rop_parse_open_stream(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_open_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u32(rd, &r->property_tag);
    mapi_rd_u8(rd, &r->open_mode_flags);
    return rd->failed ? -1 : 0;
}

/* MaximumByteCount is present only when ByteCount is 0xBABE (R3213). */
static int rop_parse_read_stream(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_read_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u16(rd, &r->byte_count) < 0 || rd->failed)
        return -1;
    if (r->byte_count == ROP_READ_STREAM_USE_MAX)
        return mapi_rd_u32(rd, &r->maximum_byte_count);
    return 0;
}

static int rop_parse_write_stream(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_write_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->data);
}

static int rop_parse_set_stream_size(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_set_stream_size_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->stream_size);
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_stream(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_seek_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->origin);
    mapi_rd_u64(rd, &r->offset);
    return rd->failed ? -1 : 0;
}

static int rop_parse_copy_to_stream(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_copy_to_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u64(rd, &r->byte_count);
    return rd->failed ? -1 : 0;
}

static int rop_parse_region_stream(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_region_stream_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->region_offset);
    mapi_rd_u64(rd, &r->region_size);
    mapi_rd_u32(rd, &r->lock_flags);
    return rd->failed ? -1 : 0;
}

const rop_def rop_stream_defs[] = {
    { ROP_ID_OPEN_STREAM, ROP_F_OUT_HANDLE, "RopOpenStream",
      rop_parse_open_stream, NULL, 0 },
    { ROP_ID_READ_STREAM, 0, "RopReadStream",
      rop_parse_read_stream, NULL, ROP_TAIL_READ },
    { ROP_ID_WRITE_STREAM, 0, "RopWriteStream",
      rop_parse_write_stream, NULL, ROP_TAIL_WRITE },
    { ROP_ID_WRITE_STREAM_EXTENDED, 0, "RopWriteStreamExtended",
      rop_parse_write_stream, NULL, ROP_TAIL_WRITE_EX },
    { ROP_ID_COMMIT_STREAM, 0, "RopCommitStream",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_GET_STREAM_SIZE, 0, "RopGetStreamSize",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_SET_STREAM_SIZE, 0, "RopSetStreamSize",
      rop_parse_set_stream_size, NULL, 0 },
    { ROP_ID_SEEK_STREAM, 0, "RopSeekStream",
      rop_parse_seek_stream, NULL, 0 },
    { ROP_ID_COPY_TO_STREAM, ROP_F_DEST_HANDLE, "RopCopyToStream",
      rop_parse_copy_to_stream, NULL, ROP_TAIL_COPY },
    { ROP_ID_LOCK_REGION_STREAM, 0, "RopLockRegionStream",
      rop_parse_region_stream, NULL, 0 },
    { ROP_ID_UNLOCK_REGION_STREAM, 0, "RopUnlockRegionStream",
      rop_parse_region_stream, NULL, 0 },
    { ROP_ID_WRITE_AND_COMMIT_STREAM, 0, "RopWriteAndCommitStream",
      rop_parse_write_stream, NULL, ROP_TAIL_WRITE },
    { ROP_ID_CLONE_STREAM, ROP_F_OUT_HANDLE, "RopCloneStream",
      rop_parse_hdr_in_out_only, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
