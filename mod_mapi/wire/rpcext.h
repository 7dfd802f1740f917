/*
 * rpcext.h: RPC_HEADER_EXT extended buffers ([MS-OXCRPC] 2.2.2.1,
 * 3.1.4.2.1): chains of (8-byte header + payload) blocks, each payload at
 * most 32 KiB once uncompressed, obfuscated with XOR 0xA5 and/or LZ77
 * compressed, the last block flagged Last.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_RPCEXT_H
#define MAPI_RPCEXT_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "mapi_rd.h"

#define RPCEXT_HEADER_SIZE     8
#define RPCEXT_VERSION         0x0000
#define RPCEXT_COMPRESSED      0x0001
#define RPCEXT_XORMAGIC        0x0002
#define RPCEXT_LAST            0x0004
#define RPCEXT_MAX_PAYLOAD     0x8000   /* 32 KiB, [MS-OXCRPC] R726 */
#define RPCEXT_MAX_BLOCKS      96       /* [MS-OXCRPC] R969 */
#define RPCEXT_XOR_BYTE        0xA5

/* One decoded block: payload is plain (XOR undone, decompressed), in pool
 * memory. */
typedef struct rpcext_block {
    uint16_t flags;          /* as received */
    const uint8_t *payload;
    size_t size;
} rpcext_block;

typedef enum rpcext_err {
    RPCEXT_OK = 0,
    RPCEXT_ERR_TRUNCATED,     /* header or payload shorter than declared */
    RPCEXT_ERR_VERSION,       /* Version field is not 0 */
    RPCEXT_ERR_FLAGS,         /* unknown flag bits */
    RPCEXT_ERR_SIZE,          /* SizeActual above 32 KiB, or Size/SizeActual
                                 inconsistent for an uncompressed block */
    RPCEXT_ERR_DECOMPRESS,    /* LZ77 stream malformed or length mismatch */
    RPCEXT_ERR_NO_LAST,       /* data ended before a block flagged Last */
    RPCEXT_ERR_TRAILING,      /* bytes after the Last block */
    RPCEXT_ERR_TOO_MANY,      /* more than max_blocks blocks */
    RPCEXT_ERR_TOO_LARGE      /* LZ77 output over max_inflated */
} rpcext_err;

const char *rpcext_err_str(rpcext_err e);

/* Decodes a whole chain.  blocks_r receives a pool array of *n_r blocks.
 * max_blocks bounds the chain (RPCEXT_MAX_BLOCKS for rgbIn).  The Last block
 * must end the input exactly. */
rpcext_err rpcext_decode_chain(const uint8_t *in, size_t in_len,
                               apr_pool_t *pool, size_t max_blocks,
                               rpcext_block **blocks_r, size_t *n_r);

/* The same, refusing (RPCEXT_ERR_TOO_LARGE) a chain whose compressed
 * blocks declare more than max_inflated bytes of LZ77 output in all
 * (0: no limit), before decompressing the block that passes it. */
rpcext_err rpcext_decode_chain_max(const uint8_t *in, size_t in_len,
                                   apr_pool_t *pool, size_t max_blocks,
                                   size_t max_inflated,
                                   rpcext_block **blocks_r, size_t *n_r);

/* Appends one encoded block (header + payload) to out.  want_flags:
 * RPCEXT_COMPRESSED and/or RPCEXT_XORMAGIC as the client allows; compression
 * is used only when it makes the payload smaller.  last adds RPCEXT_LAST.
 * size must be <= 32 KiB.  Returns 0, or -1 when it does not fit in out
 * (out is then left as it was). */
int rpcext_encode_block(mapi_wr *out, const uint8_t *payload, size_t size,
                        uint16_t want_flags, int last);

void rpcext_xor(uint8_t *data, size_t len);

/* Clears the Last flag of the block whose header starts at hdr_off in out
 * (a block that turned out not to be the last of a packed rgbOut). */
void rpcext_clear_last(mapi_wr *out, size_t hdr_off);

#endif
