/*
 * fuzz_rop.c: libFuzzer target for the ROP engine.  The first two input
 * bytes choose max_out (so RopBufferTooSmall and the too-small paths are
 * reached); the rest is one decoded rgbIn payload.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined -Imod_mapi and the
 * APR flags, linking every .c file of mod_mapi/rop and mod_mapi/wire and
 * $(apr-1-config --link-ld --libs); seeds are in tests/fuzz/corpus/rop.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "rop/rop.h"

static apr_pool_t *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool;
    rop_result res;
    rop_status st;
    size_t max_out;
    uint8_t *in;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 2)
        return 0;
    max_out = (size_t)(data[0] | data[1] << 8);
    if (max_out == 0xFFFF)
        max_out = 0x8000;
    /* An exact-size heap copy so ASan sees any overread. */
    in = malloc(size - 2 ? size - 2 : 1);
    memcpy(in, data + 2, size - 2);
    apr_pool_create(&pool, root);
    st = rop_execute(rop_ctx_create(pool, NULL), in, size - 2, max_out, pool,
                     &res);
    if (st == ROP_OK) {
        /* The output must respect the bound and describe itself. */
        if (res.out_len > max_out || res.out_len < 2
            || (size_t)(res.out[0] | res.out[1] << 8) > res.out_len)
            abort();
    }
    apr_pool_destroy(pool);
    free(in);
    return 0;
}
