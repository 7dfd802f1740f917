/*
 * rop_pack.c: extended buffer packing ([MS-OXCRPC] 3.1.4.2.1.2.2).
 *
 * A client that reads a large table or stream would otherwise pay one
 * round trip per 32 KiB.  With the Chain flag, after a last RopQueryRows
 * (EnablePackedBuffers) or RopReadStream, the server runs that ROP again
 * for what is still wanted and puts each answer in a payload of its own
 * (R962-R965).  Each follow-up is a real request run through the engine
 * with the client's own handle table and indexes, so the table cursor and
 * the stream seek pointer move as if the client had sent it (R970), and
 * the response reads exactly like the answer to such a request.
 *
 * The packer knows how much the client asked for and how much it got
 * from the responses themselves, read with the bounded reader: RowCount
 * and Origin of RopQueryRows, DataSize of RopReadStream.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include "rop.h"
#include "rop_ids.h"
#include "rop_table.h"
#include "rop_stream.h"

struct rop_packer {
    rop_ctx *ctx;
    apr_pool_t *pool;
    uint8_t rop_id;
    uint8_t logon_id;
    uint8_t index;            /* InputHandleIndex of the client's request */
    uint8_t qr_flags;         /* RopQueryRows: QueryRowsFlags */
    uint8_t forward;          /* RopQueryRows: ForwardRead */
    uint32_t left;            /* rows or bytes the client still wants */
    uint32_t *handles;        /* the client's handle table, as it is now */
    unsigned n_handles;
    int done;
};

/* RopId, InputHandleIndex, ReturnValue: the head of both responses. */
static int pack_read_head(mapi_rd *rd, uint8_t rop_id)
{
    uint8_t id, index;
    uint32_t rv;

    mapi_rd_u8(rd, &id);
    mapi_rd_u8(rd, &index);
    mapi_rd_u32(rd, &rv);
    return rd->failed || id != rop_id || rv != ROP_EC_SUCCESS ? -1 : 0;
}

/* Takes one response into account.  Returns what it delivered (rows or
 * bytes); sets pk->done when nothing more may follow it. */
static uint32_t pack_account(rop_packer *pk, const uint8_t *resp, size_t len)
{
    mapi_rd rd;
    uint8_t origin = 0;
    uint16_t n = 0;

    if (resp == NULL) {             /* the ROP wrote no response */
        pk->done = 1;
        return 0;
    }
    mapi_rd_init(&rd, resp, len);
    if (pack_read_head(&rd, pk->rop_id) != 0) {
        pk->done = 1;
        return 0;
    }
    if (pk->rop_id == ROP_ID_QUERY_ROWS)
        mapi_rd_u8(&rd, &origin);
    if (mapi_rd_u16(&rd, &n) != 0) {
        pk->done = 1;
        return 0;
    }
    pk->left = n < pk->left ? pk->left - n : 0;
    /* R973, R1280: never more than the client asked for; and no further
     * request once the table has been read to its end. */
    if (n == 0 || pk->left == 0)
        pk->done = 1;
    if (pk->rop_id == ROP_ID_QUERY_ROWS
        && origin == (pk->forward ? ROP_BOOKMARK_END : ROP_BOOKMARK_BEGINNING))
        pk->done = 1;
    return n;
}

/* Which ROPs pack (R960) and under which flags (MS-OXCTABL R99, R100). */
static int pack_eligible(rop_packer *pk, const rop_call *call)
{
    if (call->rop_id == ROP_ID_QUERY_ROWS) {
        const rop_query_rows_req *r = call->req;

        if (!(r->query_rows_flags & ROP_QUERY_ROWS_PACKED)
            || (r->query_rows_flags & ROP_QUERY_ROWS_NO_ADVANCE))
            return 0;      /* NoAdvance would send the same rows again */
        pk->qr_flags = r->query_rows_flags;
        pk->forward = r->forward_read;
        pk->left = r->row_count;
        return 1;
    }
    if (call->rop_id == ROP_ID_READ_STREAM) {
        const rop_read_stream_req *r = call->req;

        pk->left = r->byte_count == ROP_READ_STREAM_USE_MAX
                   ? r->maximum_byte_count : r->byte_count;
        return 1;
    }
    return 0;
}

rop_packer *rop_packer_start(rop_ctx *ctx, apr_pool_t *pool)
{
    const rop_call *call;
    const uint8_t *resp;
    const uint32_t *handles;
    size_t len;
    rop_packer *pk;

    if (rop_ctx_last_call(ctx, &call, &resp, &len) != 0 || !call->req)
        return NULL;
    pk = apr_pcalloc(pool, sizeof(*pk));
    if (!pack_eligible(pk, call))
        return NULL;
    pk->ctx = ctx;
    pk->pool = pool;
    pk->rop_id = call->rop_id;
    pk->logon_id = call->logon_id;
    pk->index = call->in_handle_index;
    pack_account(pk, resp, len);
    if (pk->done)
        return NULL;
    pk->n_handles = rop_ctx_handles(ctx, &handles);
    pk->handles = apr_pmemdup(pool, handles,
                              sizeof(uint32_t) * (pk->n_handles + 1));
    return pk;
}

uint8_t rop_packer_rop_id(const rop_packer *pk)
{
    return pk->rop_id;
}

/* The request the client would have sent for the rest (R963): RopSize,
 * the one ROP, the client's handle table. */
static int pack_build_request(const rop_packer *pk, mapi_wr *wr)
{
    unsigned i;

    mapi_wr_init(wr, pk->pool, 64 + 4 * (size_t)pk->n_handles);
    mapi_wr_u16(wr, 0);                       /* RopSize, patched below */
    mapi_wr_u8(wr, pk->rop_id);
    mapi_wr_u8(wr, pk->logon_id);
    mapi_wr_u8(wr, pk->index);
    if (pk->rop_id == ROP_ID_QUERY_ROWS) {
        mapi_wr_u8(wr, pk->qr_flags);
        mapi_wr_u8(wr, pk->forward);
        mapi_wr_u16(wr, pk->left > 0xFFFF ? 0xFFFF : (uint16_t)pk->left);
    } else if (pk->left < ROP_READ_STREAM_USE_MAX) {
        mapi_wr_u16(wr, (uint16_t)pk->left);
    } else {
        mapi_wr_u16(wr, ROP_READ_STREAM_USE_MAX);
        mapi_wr_u32(wr, pk->left);
    }
    if (wr->failed)
        return -1;
    wr->buf[0] = (uint8_t)wr->len;
    wr->buf[1] = (uint8_t)(wr->len >> 8);
    for (i = 0; i < pk->n_handles; i++)
        mapi_wr_u32(wr, pk->handles[i]);
    return wr->failed ? -1 : 0;
}

int rop_packer_next(rop_packer *pk, size_t max_out, rop_result *more)
{
    const rop_call *call;
    const uint8_t *resp;
    size_t len;
    mapi_wr req;
    rop_status st;

    if (pk->done || pack_build_request(pk, &req) != 0)
        return -1;
    rop_ctx_set_packing(pk->ctx, 1);
    st = rop_execute(pk->ctx, req.buf, req.len, max_out, pk->pool, more);
    rop_ctx_set_packing(pk->ctx, 0);
    /* A follow-up that does not fit answers RopBufferTooSmall and has
     * changed nothing (the handlers roll back before answering -1). */
    if (st != ROP_OK || more->stop != ROP_STOP_NONE
        || rop_ctx_last_call(pk->ctx, &call, &resp, &len) != 0) {
        pk->done = 1;
        return -1;
    }
    if (pack_account(pk, resp, len) == 0) {
        pk->done = 1;
        return -1;         /* nothing new: the payload would be noise */
    }
    return 0;
}
