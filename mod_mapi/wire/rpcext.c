/*
 * rpcext.c: RPC_HEADER_EXT chains ([MS-OXCRPC] 2.2.2.1, 3.1.4.1.1,
 * 3.1.4.2.1): decoding a received chain into plain payloads, and encoding
 * one block for a reply.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>

#include "lz77.h"
#include "rpcext.h"

#define RPCEXT_KNOWN_FLAGS (RPCEXT_COMPRESSED | RPCEXT_XORMAGIC | RPCEXT_LAST)

const char *rpcext_err_str(rpcext_err e)
{
    static const char *const str[] = {
        [RPCEXT_OK] = "ok",
        [RPCEXT_ERR_TRUNCATED] = "header or payload truncated",
        [RPCEXT_ERR_VERSION] = "RPC_HEADER_EXT version is not 0",
        [RPCEXT_ERR_FLAGS] = "unknown RPC_HEADER_EXT flags",
        [RPCEXT_ERR_SIZE] = "bad Size/SizeActual",
        [RPCEXT_ERR_DECOMPRESS] = "LZ77 payload malformed",
        [RPCEXT_ERR_NO_LAST] = "no block flagged Last",
        [RPCEXT_ERR_TRAILING] = "data after the Last block",
        [RPCEXT_ERR_TOO_MANY] = "too many RPC_HEADER_EXT blocks",
        [RPCEXT_ERR_TOO_LARGE] = "decompressed payloads over the limit",
    };

    if ((unsigned)e >= sizeof(str) / sizeof(str[0]) || !str[e])
        return "unknown rpcext error";
    return str[e];
}

void rpcext_xor(uint8_t *data, size_t len)
{
    size_t i;

    /* R956: every byte XOR 0xA5; a plain loop vectorises well. */
    for (i = 0; i < len; i++)
        data[i] ^= RPCEXT_XOR_BYTE;
}

typedef struct rpcext_hdr {
    uint16_t version, flags, size, size_actual;
} rpcext_hdr;

/* Reads and checks one header (R33, R35, R38/R46, R726). */
static rpcext_err rpcext_read_hdr(mapi_rd *rd, rpcext_hdr *h)
{
    mapi_rd_u16(rd, &h->version);
    mapi_rd_u16(rd, &h->flags);
    mapi_rd_u16(rd, &h->size);
    mapi_rd_u16(rd, &h->size_actual);
    if (rd->failed)
        return RPCEXT_ERR_TRUNCATED;
    if (h->version != RPCEXT_VERSION)
        return RPCEXT_ERR_VERSION;
    if (h->flags & ~RPCEXT_KNOWN_FLAGS)
        return RPCEXT_ERR_FLAGS;
    if (h->size_actual > RPCEXT_MAX_PAYLOAD)
        return RPCEXT_ERR_SIZE;
    if (!(h->flags & RPCEXT_COMPRESSED) && h->size != h->size_actual)
        return RPCEXT_ERR_SIZE;
    return RPCEXT_OK;
}

/* apr_palloc of 0 bytes is legal but returns a pointer into the next
 * allocation; ask for at least one byte so every payload is distinct. */
static uint8_t *rpcext_alloc(apr_pool_t *pool, size_t n)
{
    return apr_palloc(pool, n ? n : 1);
}

/* Turns one received payload into plain bytes in pool memory: XOR is
 * undone first, then the result decompressed (R4842, R4860). */
static rpcext_err rpcext_plain(const rpcext_hdr *h, const uint8_t *data,
                               apr_pool_t *pool, rpcext_block *b)
{
    uint8_t *copy = rpcext_alloc(pool, h->size), *out;
    size_t out_len;

    if (h->size)
        memcpy(copy, data, h->size);
    if (h->flags & RPCEXT_XORMAGIC)
        rpcext_xor(copy, h->size);
    b->flags = h->flags;
    b->payload = copy;
    b->size = h->size;
    if (!(h->flags & RPCEXT_COMPRESSED))
        return RPCEXT_OK;
    /* The output buffer is exactly SizeActual bytes, so a stream that
     * expands further fails inside lz77_decompress. */
    out = rpcext_alloc(pool, h->size_actual);
    if (lz77_decompress(copy, h->size, out, h->size_actual, &out_len) < 0
        || out_len != h->size_actual)
        return RPCEXT_ERR_DECOMPRESS;
    b->payload = out;
    b->size = out_len;
    return RPCEXT_OK;
}

rpcext_err rpcext_decode_chain(const uint8_t *in, size_t in_len,
                               apr_pool_t *pool, size_t max_blocks,
                               rpcext_block **blocks_r, size_t *n_r)
{
    return rpcext_decode_chain_max(in, in_len, pool, max_blocks, 0, blocks_r,
                                   n_r);
}

rpcext_err rpcext_decode_chain_max(const uint8_t *in, size_t in_len,
                                   apr_pool_t *pool, size_t max_blocks,
                                   size_t max_inflated,
                                   rpcext_block **blocks_r, size_t *n_r)
{
    size_t inflated = 0;
    mapi_rd rd;
    rpcext_hdr h;
    rpcext_block *blocks;
    const uint8_t *data;
    size_t n = 0, cap;
    rpcext_err err;

    mapi_rd_init(&rd, in, in_len);
    /* Every block takes at least a header, which bounds the array. */
    cap = in_len / RPCEXT_HEADER_SIZE;
    cap = cap < max_blocks ? cap : max_blocks;
    blocks = apr_palloc(pool, (cap ? cap : 1) * sizeof(*blocks));
    for (;;) {
        if (mapi_rd_left(&rd) == 0)
            return RPCEXT_ERR_NO_LAST;
        if (n == max_blocks)
            return RPCEXT_ERR_TOO_MANY;
        err = rpcext_read_hdr(&rd, &h);
        if (err != RPCEXT_OK)
            return err;
        if (mapi_rd_view(&rd, h.size, &data) < 0)
            return RPCEXT_ERR_TRUNCATED;
        /* Decided on the declared SizeActual, before any output is
         * allocated or written. */
        if (h.flags & RPCEXT_COMPRESSED) {
            inflated += h.size_actual;
            if (max_inflated && inflated > max_inflated)
                return RPCEXT_ERR_TOO_LARGE;
        }
        err = rpcext_plain(&h, data, pool, &blocks[n]);
        if (err != RPCEXT_OK)
            return err;
        n++;
        if (h.flags & RPCEXT_LAST)
            break;
    }
    if (mapi_rd_left(&rd) != 0)
        return RPCEXT_ERR_TRAILING;
    *blocks_r = blocks;
    *n_r = n;
    return RPCEXT_OK;
}

/* Tries to compress payload straight into out after the header at hdr_off;
 * succeeds only when the result is smaller (R1479: no point otherwise).
 * Returns the compressed size, or 0 to send the payload as it is. */
static size_t rpcext_try_compress(mapi_wr *out, size_t hdr_off,
                                  const uint8_t *payload, size_t size)
{
    size_t room = mapi_wr_room(out) - RPCEXT_HEADER_SIZE;
    size_t cap = size - 1 < room ? size - 1 : room;
    size_t clen;

    if (mapi_wr_reserve(out, RPCEXT_HEADER_SIZE + cap) == (size_t)-1)
        return 0;
    if (lz77_compress(payload, size, out->buf + hdr_off + RPCEXT_HEADER_SIZE,
                      cap, &clen) < 0 || clen >= size)
        return 0;
    return clen;
}

/* Writes the plain payload after a header-sized gap at hdr_off. */
static int rpcext_put_plain(mapi_wr *out, size_t hdr_off,
                            const uint8_t *payload, size_t size)
{
    if (mapi_wr_reserve(out, RPCEXT_HEADER_SIZE + size) == (size_t)-1)
        return -1;
    if (size)
        memcpy(out->buf + hdr_off + RPCEXT_HEADER_SIZE, payload, size);
    return 0;
}

/* Fills in the header at hdr_off (R32-R46). */
static void rpcext_put_hdr(mapi_wr *out, size_t hdr_off, uint16_t flags,
                           size_t wire_size, size_t actual_size)
{
    mapi_wr_put_u16_at(out, hdr_off, RPCEXT_VERSION);
    mapi_wr_put_u16_at(out, hdr_off + 2, flags);
    mapi_wr_put_u16_at(out, hdr_off + 4, (uint16_t)wire_size);
    mapi_wr_put_u16_at(out, hdr_off + 6, (uint16_t)actual_size);
}

void rpcext_clear_last(mapi_wr *out, size_t hdr_off)
{
    uint16_t flags;

    if (hdr_off + RPCEXT_HEADER_SIZE > out->len)
        return;
    flags = (uint16_t)(out->buf[hdr_off + 2] | out->buf[hdr_off + 3] << 8);
    mapi_wr_put_u16_at(out, hdr_off + 2, flags & (uint16_t)~RPCEXT_LAST);
}

int rpcext_encode_block(mapi_wr *out, const uint8_t *payload, size_t size,
                        uint16_t want_flags, int last)
{
    size_t hdr_off = out->len, clen = 0, body;
    int failed = out->failed;
    uint16_t flags = want_flags & (RPCEXT_COMPRESSED | RPCEXT_XORMAGIC);

    if (size > RPCEXT_MAX_PAYLOAD || mapi_wr_room(out) < RPCEXT_HEADER_SIZE) {
        out->failed = 1;
        return -1;
    }
    if ((flags & RPCEXT_COMPRESSED) && size > 0)
        clen = rpcext_try_compress(out, hdr_off, payload, size);
    if (clen) {
        /* Keep the header gap and the compressed bytes already in place. */
        mapi_wr_truncate(out, hdr_off + RPCEXT_HEADER_SIZE + clen);
    } else {
        flags &= (uint16_t)~RPCEXT_COMPRESSED;
        mapi_wr_truncate(out, hdr_off);
        out->failed = failed;
        if (rpcext_put_plain(out, hdr_off, payload, size) < 0)
            return -1;               /* len is back at hdr_off, failed set */
    }
    /* mapi_wr_truncate clears failed; put back what the caller had. */
    out->failed = failed;
    body = clen ? clen : size;
    if (flags & RPCEXT_XORMAGIC)                /* compress, then XOR: R4845 */
        rpcext_xor(out->buf + hdr_off + RPCEXT_HEADER_SIZE, body);
    rpcext_put_hdr(out, hdr_off, flags | (last ? RPCEXT_LAST : 0), body, size);
    return 0;
}
