/*
 * fuzz_records.c: libFuzzer target for the records the server reads back
 * from the shared environment: property bags, messages (the stored record
 * and a session object's working copy), server object envelopes and
 * bodies.  A record is written by the server itself, but a damaged
 * database must give an error, never a crash.  The first input byte
 * chooses the decoder; what decodes must encode again.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "store/store.h"
#include "rop/rop_object.h"
#include "session/sess_objects.h"

static apr_pool_t *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_props(const uint8_t *in, size_t len, apr_pool_t *pool)
{
    store_props p;
    mapi_rd rd;
    mapi_wr wr;

    mapi_rd_init(&rd, in, len);
    if (store_props_decode(&rd, pool, &p) == 0) {
        mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
        if (store_props_encode(&wr, &p) != 0)
            abort();
    }
}

static void fuzz_message(const uint8_t *in, size_t len, apr_pool_t *pool)
{
    store_message *m;
    mapi_rd rd;
    mapi_wr wr;

    mapi_rd_init(&rd, in, len);
    if (store_message_decode(&rd, pool, &m) == 0) {
        mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
        if (store_message_encode(&wr, m) != 0)
            abort();
    }
}

static void fuzz_object(const uint8_t *in, size_t len, apr_pool_t *pool,
                        uint8_t type)
{
    rop_object o;
    sess_object so;
    uint8_t *buf;
    size_t n;

    memset(&o, 0, sizeof(o));
    o.type = (rop_obj_type)(type % 7 + 1);
    if (rop_object_decode(in, len, pool, &o) == 0
        && rop_object_encode(&o, pool, &buf, &n) != 0)
        abort();
    (void)sess_obj_decode(in, len, &so);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool;
    uint8_t *in;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 1)
        return 0;
    in = malloc(size - 1 ? size - 1 : 1);   /* exact size: ASan sees overreads */
    memcpy(in, data + 1, size - 1);
    apr_pool_create(&pool, root);
    switch (data[0] % 3) {
    case 0:  fuzz_props(in, size - 1, pool); break;
    case 1:  fuzz_message(in, size - 1, pool); break;
    default: fuzz_object(in, size - 1, pool, data[0] / 3); break;
    }
    apr_pool_destroy(pool);
    free(in);
    return 0;
}
