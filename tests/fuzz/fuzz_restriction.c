/*
 * fuzz_restriction.c: libFuzzer target for restrictions ([MS-OXCDATA]
 * 2.12) as ROP requests carry them (RopRestrict, RopFindRow,
 * RopSetSearchCriteria, rule conditions): rop_rd_restriction (or the
 * sized form when the first byte is odd), then what the server does with
 * one: writes it back (the store keeps rule conditions and search
 * criteria as bytes), copies it beyond the request buffer, and evaluates
 * it against a row whose properties are the TaggedPropertyValues that
 * follow the restriction in the input.
 *
 * What parses must write, parse again and write the same bytes.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "rop/rop_types.h"
#include "store/store.h"
#include "store/store_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;

static void fz_check(int cond)
{
    if (!cond)
        abort();
}

/* Write r, read it back, write again: the two encodings are equal. */
static void fz_roundtrip(apr_pool_t *p, const rop_restriction *r)
{
    rop_restriction *r2 = NULL;
    mapi_wr w1, w2;
    mapi_rd rd;

    mapi_wr_init(&w1, p, 1 << 20);
    if (rop_wr_restriction(&w1, r) != 0)
        return;                 /* larger than any request can be */
    mapi_rd_init(&rd, w1.buf, w1.len);
    fz_check(rop_rd_restriction(&rd, p, 0, &r2) == 0);
    fz_check(mapi_rd_left(&rd) == 0);
    mapi_wr_init(&w2, p, 1 << 20);
    fz_check(rop_wr_restriction(&w2, r2) == 0);
    fz_check(w1.len == w2.len && memcmp(w1.buf, w2.buf, w1.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rop_restriction *r = NULL, *copy;
    rop_propval_array vals = { 0, NULL };
    store_restrict_state st;
    store_row row;
    apr_pool_t *p;
    uint8_t *in;
    mapi_rd rd;
    int rc;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 1)
        return 0;
    in = malloc(size - 1 ? size - 1 : 1);
    memcpy(in, data + 1, size - 1);
    apr_pool_create(&p, root);
    mapi_rd_init(&rd, in, size - 1);
    rc = (data[0] & 1) ? rop_rd_restriction_sized(&rd, p, &r)
                       : rop_rd_restriction(&rd, p, 0, &r);
    if (rc == 0 && r) {
        fz_roundtrip(p, r);
        /* The rest of the input: the row's properties. */
        memset(&row, 0, sizeof(row));
        store_props_init(&row.props, p);
        if (rop_rd_tagged_propvals(&rd, p, &vals) == 0)
            for (uint16_t i = 0; i < vals.count; i++)
                store_props_set(&row.props, &vals.vals[i]);
        /* The copy must outlive the input buffer: evaluate it after the
         * buffer is gone, as a stored search criteria is. */
        copy = rop_restriction_dup(p, r);
        memset(in, 0xEE, size - 1);
        fz_check(store_restrict_match(copy, &row) >= 0);
        store_restrict_state_init(&st, p);
        fz_check(store_restrict_match_st(copy, &row, &st) >= 0);
    }
    apr_pool_destroy(p);
    free(in);
    return 0;
}
