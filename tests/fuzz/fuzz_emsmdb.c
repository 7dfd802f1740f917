/*
 * fuzz_emsmdb.c: libFuzzer target for the request bodies of the mailbox
 * endpoint ([MS-OXCMAPIHTTP] 2.2.4): Connect, Disconnect,
 * NotificationWait, and Execute's outer body followed, as mh_emsmdb.c
 * does, by its RPC_HEADER_EXT chain and the ROPs of the first block (no
 * session: the parsers, not the handlers).  The first byte picks the
 * request type; the rest is the body, in an exact-size heap copy so that
 * ASan sees any overread.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "http/mh_parse.h"
#include "rop/rop.h"
#include "wire/rpcext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;

static void fz_check(int cond)
{
    if (!cond)
        abort();
}

static void fz_connect(apr_pool_t *p, const uint8_t *b, size_t n)
{
    mh_connect_req req;

    if (mh_parse_connect(b, n, p, &req) == 0)
        fz_check(req.user_dn != NULL && strlen(req.user_dn) < n);
}

/* What emsmdb_execute and emsmdb_execute_rops do with the body. */
static void fz_execute(apr_pool_t *p, const uint8_t *b, size_t n)
{
    mh_execute_req req;
    rpcext_block *blocks = NULL;
    size_t n_blocks = 0, max_out;
    rop_result res;

    if (mh_parse_execute(b, n, &req) != 0)
        return;
    fz_check(req.rop_buffer_size <= n);
    if (req.rop_buffer_size == 0 ||
        rpcext_decode_chain(req.rop_buffer, req.rop_buffer_size, p,
                            RPCEXT_MAX_BLOCKS, &blocks, &n_blocks)
        != RPCEXT_OK || n_blocks != 1)
        return;
    max_out = req.max_rop_out;
    if (max_out > RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD)
        max_out = RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD;
    if (max_out < RPCEXT_HEADER_SIZE + 2)
        return;
    if (rop_execute(rop_ctx_create(p, NULL), blocks[0].payload,
                    blocks[0].size, max_out - RPCEXT_HEADER_SIZE, p, &res)
        == ROP_OK)
        fz_check(res.out_len <= max_out - RPCEXT_HEADER_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    uint8_t *b;
    size_t n;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 1)
        return 0;
    n = size - 1;
    b = malloc(n ? n : 1);
    memcpy(b, data + 1, n);
    apr_pool_create(&p, root);
    switch (data[0] % 4) {
    case 0:  fz_connect(p, b, n); break;
    case 1:  fz_execute(p, b, n); break;
    case 2:  (void)mh_parse_disconnect(b, n); break;
    default: (void)mh_parse_notification_wait(b, n); break;
    }
    apr_pool_destroy(p);
    free(b);
    return 0;
}
