/*
 * fuzz_rpcext.c: libFuzzer target for RPC_HEADER_EXT chain decoding
 * ([MS-OXCRPC] 2.2.2.1, 3.1.4.1.1).
 *
 * The input is decoded as an rgbIn chain (at most 96 blocks, R969) and
 * again with a small block limit.  A chain that decodes must obey the
 * rules the decoder promises: 1..max blocks, each at most 32 KiB (R726),
 * only the last one flagged Last.  Its blocks are then re-encoded with the
 * same Compressed/XorMagic wishes and decoded again, and the payloads must
 * come back identical.  Any broken promise aborts.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Imod_mapi \
 *   $(apr-1-config --cflags --cppflags --includes) tests/fuzz/fuzz_rpcext.c \
 *   mod_mapi/wire/[a-z]*.c $(apr-1-config --link-ld --libs)
 * Run:   ./a.out -max_len=300000 tests/fuzz/corpus/rpcext
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "wire/rpcext.h"

static apr_pool_t *fz_root;

static void fz_check(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_check(apr_initialize() == APR_SUCCESS);
    fz_check(apr_pool_create(&fz_root, NULL) == APR_SUCCESS);
    return 0;
}

static void fz_check_blocks(const rpcext_block *b, size_t n, size_t max)
{
    size_t i;

    fz_check(n >= 1 && n <= max);
    for (i = 0; i < n; i++) {
        fz_check(b[i].size <= RPCEXT_MAX_PAYLOAD);
        fz_check(b[i].payload != NULL);
        fz_check(!!(b[i].flags & RPCEXT_LAST) == (i == n - 1));
    }
}

/* Re-encodes the decoded blocks and decodes the result again. */
static void fz_reencode(const rpcext_block *b, size_t n, apr_pool_t *pool)
{
    rpcext_block *b2;
    size_t i, n2;
    mapi_wr wr;

    mapi_wr_init(&wr, pool, n * (RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD));
    for (i = 0; i < n; i++)
        fz_check(rpcext_encode_block(&wr, b[i].payload, b[i].size,
                                     b[i].flags, i == n - 1) == 0);
    fz_check(!wr.failed);
    fz_check(rpcext_decode_chain(wr.buf, wr.len, pool, n, &b2, &n2)
             == RPCEXT_OK);
    fz_check(n2 == n);
    for (i = 0; i < n; i++) {
        fz_check(b2[i].size == b[i].size);
        fz_check(b[i].size == 0
                 || memcmp(b2[i].payload, b[i].payload, b[i].size) == 0);
        /* XorMagic is kept as asked; Compressed only if it paid off. */
        fz_check((b2[i].flags & RPCEXT_XORMAGIC)
                 == (b[i].flags & RPCEXT_XORMAGIC));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool;
    rpcext_block *blocks;
    size_t n, small = size ? data[0] % 4 : 0;
    rpcext_err e;

    fz_check(apr_pool_create(&pool, fz_root) == APR_SUCCESS);
    e = rpcext_decode_chain(data, size, pool, RPCEXT_MAX_BLOCKS, &blocks, &n);
    fz_check(rpcext_err_str(e) != NULL);
    if (e == RPCEXT_OK) {
        fz_check_blocks(blocks, n, RPCEXT_MAX_BLOCKS);
        fz_reencode(blocks, n, pool);
    }
    e = rpcext_decode_chain(data, size, pool, small, &blocks, &n);
    if (e == RPCEXT_OK)
        fz_check_blocks(blocks, n, small);
    apr_pool_destroy(pool);
    return 0;
}
