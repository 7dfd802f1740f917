/*
 * fuzz_propval.c: libFuzzer target for property values as ROP requests
 * carry them ([MS-OXCDATA] 2.11): TaggedPropertyValue lists (RopSetProperties,
 * RopModifyRecipients, rule and permission data), PropertyRow over a
 * column set (RopModifyRecipients, RopSetColumns + rows), RecipientRow,
 * PropertyName (RopGetPropertyIdsFromNames), SortOrder and LongTermId.
 * The first byte picks the structure; the rest is the request bytes.
 *
 * Values that parse go where the server puts them: into a property bag
 * (store_props), through the store's record codec, and back out as a
 * PropertyRow; a tagged value list must write, parse again and write the
 * same bytes.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
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

/* The values into a bag, through the record codec, out as a row. */
static void fz_bag(apr_pool_t *p, const rop_propval *v, unsigned n,
                   const rop_tag_array *cols)
{
    store_props bag, back;
    mapi_wr wr;
    mapi_rd rd;

    store_props_init(&bag, p);
    for (unsigned i = 0; i < n; i++)
        store_props_set(&bag, &v[i]);
    mapi_wr_init(&wr, p, STORE_RECORD_MAX);
    if (store_props_encode(&wr, &bag) == 0) {
        mapi_rd_init(&rd, wr.buf, wr.len);
        fz_check(store_props_decode(&rd, p, &back) == 0);
        fz_check(back.count == bag.count);
    }
    if (cols) {
        mapi_wr_init(&wr, p, 0x8000);
        (void)store_wr_property_row(&wr, cols, &bag);
    }
}

static void fz_tagged(apr_pool_t *p, mapi_rd *rd)
{
    rop_propval_array a;
    mapi_wr w1, w2;
    mapi_rd rd2;
    rop_propval pv;

    if (rop_rd_tagged_propvals(rd, p, &a) != 0)
        return;
    for (uint16_t i = 0; i < a.count; i++) {
        mapi_wr_init(&w1, p, 1 << 20);
        if (rop_wr_tagged_propval(&w1, &a.vals[i]) != 0)
            continue;
        mapi_rd_init(&rd2, w1.buf, w1.len);
        fz_check(rop_rd_tagged_propval(&rd2, p, 0, &pv) == 0);
        fz_check(mapi_rd_left(&rd2) == 0);
        mapi_wr_init(&w2, p, 1 << 20);
        fz_check(rop_wr_tagged_propval(&w2, &pv) == 0);
        fz_check(w1.len == w2.len && memcmp(w1.buf, w2.buf, w1.len) == 0);
    }
    fz_bag(p, a.vals, a.count, NULL);
}

/* The values of a row the server keeps (rop_message.c msg_recip_row):
 * not the flagged ones (no value, an error) nor errors and untyped. */
static void fz_row_bag(apr_pool_t *p, const rop_property_row *row,
                       const rop_tag_array *cols)
{
    rop_propval *keep = apr_pcalloc(p, (row->count + 1) * sizeof(*keep));
    unsigned n = 0;

    for (uint16_t i = 0; i < row->count; i++) {
        uint16_t type = ROP_PROP_TYPE(row->vals[i].tag);

        if ((row->val_flags && row->val_flags[i] != 0)
            || type == ROP_PT_ERROR || type == ROP_PT_UNSPECIFIED)
            continue;
        keep[n++] = row->vals[i];
    }
    fz_bag(p, keep, n, cols);
}

/* A PropertyTagArray (the columns), then a row over them. */
static void fz_row(apr_pool_t *p, mapi_rd *rd, int recipient)
{
    rop_tag_array cols;
    rop_property_row row;
    rop_recipient_row rr;

    if (rop_rd_tag_array(rd, p, &cols) != 0)
        return;
    if (recipient) {
        if (rop_rd_recipient_row(rd, p, &cols, &rr) == 0)
            fz_row_bag(p, &rr.props, &cols);
        return;
    }
    if (rop_rd_property_row(rd, p, &cols, cols.count, &row) == 0)
        fz_row_bag(p, &row, &cols);
}

static void fz_name(apr_pool_t *p, mapi_rd *rd)
{
    rop_property_name pn;
    mapi_wr wr;

    if (rop_rd_property_name(rd, p, &pn) == 0) {
        mapi_wr_init(&wr, p, 1 << 16);
        (void)rop_wr_property_name(&wr, &pn);
    }
}

static void fz_misc(apr_pool_t *p, mapi_rd *rd)
{
    rop_sort_order *orders;
    rop_long_term_id ltid;
    rop_row_data rdata;
    uint16_t n;

    if (mapi_rd_u16(rd, &n) == 0 && rop_rd_sort_orders(rd, p, n, &orders) == 0)
        fz_check(n == 0 || orders != NULL);
    if (rop_rd_long_term_id(rd, &ltid) == 0) {
        mapi_wr wr;
        mapi_wr_init(&wr, p, 64);
        fz_check(rop_wr_long_term_id(&wr, &ltid) == 0 && wr.len == 24);
    }
    if (rop_rd_row_data(rd, p, &rdata) == 0)
        fz_bag(p, rdata.props.vals, rdata.props.count, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    uint8_t *in;
    mapi_rd rd;

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
    switch (data[0] % 5) {
    case 0:  fz_tagged(p, &rd); break;
    case 1:  fz_row(p, &rd, 0); break;
    case 2:  fz_row(p, &rd, 1); break;
    case 3:  fz_name(p, &rd); break;
    default: fz_misc(p, &rd); break;
    }
    apr_pool_destroy(p);
    free(in);
    return 0;
}
