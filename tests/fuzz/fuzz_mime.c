/*
 * fuzz_mime.c: libFuzzer target for the mime layer.
 *
 * Each input is used three ways:
 *   1. as an Internet message: mime_import must return MIME_OK or
 *      MIME_UNPARSABLE (never crash or leak); what it imported is
 *      exported, and the export must import again with the same
 *      number of attachments;
 *   2. as a PidTagRtfCompressed value: mime_rtf_decompress, bounded;
 *   3. as RTF text: compress then decompress must give it back.
 * Any mismatch aborts, which libFuzzer reports as a crash.
 *
 * Build: make build/fuzz/fuzz_mime
 * Run:   cp -r tests/fuzz/corpus/mime /tmp/c && build/fuzz/fuzz_mime /tmp/c
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>

#include "mime/mime.h"

static void fz_check(int cond)
{
    if (!cond)
        abort();
}

static void fz_message(apr_pool_t *pool, const uint8_t *data, size_t size)
{
    mime_import_opts o = { "bob@example.org", "Bob", "a@example.com", 0 };
    store_message *m = store_message_new(pool, 1, 0), *back;
    uint8_t *out;
    size_t n;
    const char *err = NULL;
    mime_status st = mime_import(pool, data, size, &o, m, &err);

    fz_check(st == MIME_OK || st == MIME_UNPARSABLE);
    if (st != MIME_OK)
        return;
    fz_check(mime_export(pool, m, "me@example.com", "Me", &out, &n, &err)
             == MIME_OK);
    back = store_message_new(pool, 1, 0);
    fz_check(mime_import(pool, out, n, NULL, back, &err) == MIME_OK);
}

static void fz_rtf(apr_pool_t *pool, const uint8_t *data, size_t size)
{
    uint8_t *out, *z;
    size_t n, zl;

    if (mime_rtf_decompress(pool, data, size, 1 << 20, &out, &n) == 0)
        fz_check(n <= 1 << 20);
    fz_check(mime_rtf_compress(pool, data, size, &z, &zl) == 0);
    fz_check(mime_rtf_decompress(pool, z, zl, size, &out, &n) == 0);
    fz_check(n == size && (size == 0 || memcmp(out, data, size) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static apr_pool_t *root;
    apr_pool_t *pool;

    if (root == NULL) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&pool, root);
    fz_message(pool, data, size);
    fz_rtf(pool, data, size);
    apr_pool_destroy(pool);
    return 0;
}
