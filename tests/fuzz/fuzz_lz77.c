/*
 * fuzz_lz77.c: libFuzzer target for the [MS-OXCRPC] LZ77 codec.
 *
 * Each input is used three ways:
 *   1. as a compressed stream, decompressed into a heap buffer of exactly
 *      the capacity named by its first two bytes (so that AddressSanitizer
 *      catches any write past dst_cap) and into a 32 KiB buffer, as
 *      rpcext does;
 *   2. as plain data: compress, check the size bound, decompress into an
 *      exact buffer and compare; compressing into exactly the compressed
 *      size must work and one byte less must fail;
 *   3. what a successful decompression produced (its first 4 KiB) is
 *      round-tripped too.
 * Any mismatch aborts, which libFuzzer reports as a crash.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Imod_mapi \
 *   $(apr-1-config --cflags --cppflags --includes) tests/fuzz/fuzz_lz77.c \
 *   mod_mapi/wire/[a-z]*.c $(apr-1-config --link-ld --libs)
 * Run:   ./a.out -max_len=70000 tests/fuzz/corpus/lz77
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/lz77.h"

#define FZ_MAX_PLAIN 65536

static void fz_check(int cond)
{
    if (!cond)
        abort();
}

/* Decompresses into a heap buffer of exactly cap bytes; returns the buffer
 * (NULL on failure) and the output length. */
static uint8_t *fz_decompress(const uint8_t *z, size_t zlen, size_t cap,
                              size_t *len_r)
{
    uint8_t *out = malloc(cap ? cap : 1);

    fz_check(out != NULL);
    if (lz77_decompress(z, zlen, out, cap, len_r) < 0) {
        free(out);
        return NULL;
    }
    fz_check(*len_r <= cap);
    return out;
}

/* tight: also check compressing into exactly the compressed size (must
 * work) and one byte less (must fail); it costs two more compressions. */
static void fz_round_trip(const uint8_t *plain, size_t n, int tight)
{
    size_t cap = LZ77_WORST_CASE(n), zlen = 0, zlen2 = 0, len = 0;
    uint8_t *z, *z2, *out;

    if (n > FZ_MAX_PLAIN)
        return;
    z = malloc(cap);
    fz_check(z != NULL);
    fz_check(lz77_compress(plain, n, z, cap, &zlen) == 0);
    /* Never larger than sending every byte as a literal. */
    fz_check(zlen <= n + 4 * (n / 32 + 1));
    out = fz_decompress(z, zlen, n, &len);
    fz_check(out != NULL && len == n && (n == 0 || memcmp(out, plain, n) == 0));
    free(out);
    if (!tight) {
        free(z);
        return;
    }
    z2 = malloc(zlen);
    fz_check(z2 != NULL);
    fz_check(lz77_compress(plain, n, z2, zlen, &zlen2) == 0 && zlen2 == zlen);
    fz_check(memcmp(z, z2, zlen) == 0);
    fz_check(lz77_compress(plain, n, z2, zlen - 1, &zlen2) == -1);
    free(z2);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len = 0, cap;
    uint8_t *out;

    if (size >= 2) {
        cap = data[0] | (size_t)data[1] << 8;
        out = fz_decompress(data + 2, size - 2, cap, &len);
        free(out);
    }
    out = fz_decompress(data, size, 32768, &len);
    fz_round_trip(data, size, 1);
    if (out) {
        /* A short stream can expand to 32 KiB; its head is enough to test
         * and keeps the compressor from dominating the run time. */
        fz_round_trip(out, len < 4096 ? len : 4096, 0);
        free(out);
    }
    return 0;
}
