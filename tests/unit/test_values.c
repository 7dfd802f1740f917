/*
 * test_values.c: unit tests for the value writers (rop/rop_values.c) and
 * the table row logic (store/store_table.c).  Every writer is checked by
 * a round trip through the parser in rop_types.c.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_strings.h>
#include "rop/rop_types.h"
#include "store/store.h"
#include "store/store_table.h"
#include "wire/mapi_tags.h"

static apr_pool_t *pool;

static const uint8_t guid_a[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
                                    9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t guid_b[16] = { 0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5,
                                    0x96, 0x87, 0x78, 0x69, 0x5A, 0x4B,
                                    0x3C, 0x2D, 0x1E, 0x0F };
static const uint8_t bytes_a[5] = { 0x00, 0xFF, 0x10, 0x7F, 0x80 };

#define TAG(id, type) (((uint32_t)(id) << 16) | (type))

/* ---- deep equality of two values of the same tag --------------------- */

static int bin_eq(const rop_bin *a, const rop_bin *b)
{
    return a->len == b->len && (a->len == 0
                                || memcmp(a->data, b->data, a->len) == 0);
}

static int res_bytes_eq(const rop_restriction *a, const rop_restriction *b);

static int mv_eq(uint16_t base, const rop_propval *a, const rop_propval *b)
{
    uint32_t i, n = a->v.mv.count;

    if (n != b->v.mv.count)
        return 0;
    for (i = 0; i < n; i++) {
        switch (base) {
        case ROP_PT_I2:
            if (a->v.mv.v.i2[i] != b->v.mv.v.i2[i]) return 0;
            break;
        case ROP_PT_LONG: case ROP_PT_FLOAT:
            if (a->v.mv.v.l[i] != b->v.mv.v.l[i]) return 0;
            break;
        case ROP_PT_STRING8: case ROP_PT_UNICODE:
            if (strcmp(a->v.mv.v.str[i], b->v.mv.v.str[i])) return 0;
            break;
        case ROP_PT_BINARY:
            if (!bin_eq(&a->v.mv.v.bin[i], &b->v.mv.v.bin[i])) return 0;
            break;
        case ROP_PT_CLSID:
            if (memcmp(a->v.mv.v.guid[i], b->v.mv.v.guid[i], 16)) return 0;
            break;
        default:
            if (a->v.mv.v.d[i] != b->v.mv.v.d[i]) return 0;
            break;
        }
    }
    return 1;
}

static int actions_eq(const rop_rule_actions *a, const rop_rule_actions *b)
{
    uint16_t i;

    if (a->count != b->count)
        return 0;
    for (i = 0; i < a->count; i++)
        if (a->blocks[i].type != b->blocks[i].type
            || a->blocks[i].flavor != b->blocks[i].flavor
            || a->blocks[i].flags != b->blocks[i].flags
            || !bin_eq(&a->blocks[i].data, &b->blocks[i].data))
            return 0;
    return 1;
}

static int val_eq(const rop_propval *a, const rop_propval *b)
{
    uint16_t t = ROP_PROP_TYPE(a->tag);

    if (a->tag != b->tag)
        return 0;
    if (t & ROP_PT_MV_FLAG)
        return mv_eq(t & ~ROP_PT_MV_FLAG, a, b);
    switch (t) {
    case ROP_PT_NULL:     return 1;
    case ROP_PT_BOOLEAN:  return a->v.b == b->v.b;
    case ROP_PT_I2:       return a->v.i2 == b->v.i2;
    case ROP_PT_LONG: case ROP_PT_FLOAT: case ROP_PT_ERROR:
        return a->v.l == b->v.l;
    case ROP_PT_STRING8: case ROP_PT_UNICODE:
        return strcmp(a->v.str, b->v.str) == 0;
    case ROP_PT_CLSID:    return memcmp(a->v.guid, b->v.guid, 16) == 0;
    case ROP_PT_BINARY: case ROP_PT_SVREID:
        return bin_eq(&a->v.bin, &b->v.bin);
    case ROP_PT_SRESTRICTION: return res_bytes_eq(a->v.res, b->v.res);
    case ROP_PT_ACTIONS:  return actions_eq(a->v.actions, b->v.actions);
    default:              return a->v.d == b->v.d;
    }
}

/* Two restrictions are equal when they encode to the same bytes (the
 * encoding of every field is checked separately by the round trips). */
static int res_bytes_eq(const rop_restriction *a, const rop_restriction *b)
{
    mapi_wr wa, wb;

    mapi_wr_init(&wa, pool, 65536);
    mapi_wr_init(&wb, pool, 65536);
    if (rop_wr_restriction(&wa, a) < 0 || rop_wr_restriction(&wb, b) < 0)
        return 0;
    return wa.len == wb.len && memcmp(wa.buf, wb.buf, wa.len) == 0;
}

/* Writes pv tagged, parses it back: 1 when equal and fully consumed. */
static int roundtrip_val(const rop_propval *pv)
{
    mapi_wr wr;
    mapi_rd rd;
    rop_propval back;

    memset(&back, 0, sizeof(back));
    mapi_wr_init(&wr, pool, 1 << 20);
    if (rop_wr_tagged_propval(&wr, pv) < 0)
        return 0;
    mapi_rd_init(&rd, wr.buf, wr.len);
    if (rop_rd_tagged_propval(&rd, pool, 0, &back) < 0 || mapi_rd_left(&rd))
        return 0;
    return val_eq(pv, &back);
}

/* ---- part 1: property values ----------------------------------------- */

static void test_scalar_roundtrip(void)
{
    rop_propval v;
    static const char *strs[] = { "", "hello", "Gr\xC3\xBC\xC3\x9F\x65",
                                  "\xF0\x9F\x98\x80 emoji" };
    unsigned i;

    memset(&v, 0, sizeof(v));
    v.tag = TAG(0x6001, ROP_PT_NULL);
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6002, ROP_PT_BOOLEAN); v.v.b = 1;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6003, ROP_PT_I2); v.v.i2 = 0xBEEF;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6004, ROP_PT_LONG); v.v.l = 0xDEADBEEF;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6005, ROP_PT_FLOAT); v.v.l = 0x3F800000;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6006, ROP_PT_ERROR); v.v.l = ecNotFound;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6007, ROP_PT_DOUBLE); v.v.d = 0x400921FB54442D18ull;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6008, ROP_PT_CURRENCY); v.v.d = 123456789;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6009, ROP_PT_APPTIME); v.v.d = 0x40E5000000000000ull;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x600A, ROP_PT_I8); v.v.d = 0x0102030405060708ull;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x600B, ROP_PT_SYSTIME); v.v.d = 0x01D0000000000000ull;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x600C, ROP_PT_CLSID); v.v.guid = guid_a;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x600D, ROP_PT_BINARY);
    v.v.bin.len = sizeof(bytes_a); v.v.bin.data = bytes_a;
    CU_ASSERT(roundtrip_val(&v));
    v.v.bin.len = 0; v.v.bin.data = NULL;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x600E, ROP_PT_SVREID);
    v.v.bin.len = sizeof(bytes_a); v.v.bin.data = bytes_a;
    CU_ASSERT(roundtrip_val(&v));
    for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        v.tag = TAG(0x600F, ROP_PT_UNICODE); v.v.str = strs[i];
        CU_ASSERT(roundtrip_val(&v));
        v.tag = TAG(0x6010, ROP_PT_STRING8);
        CU_ASSERT(roundtrip_val(&v));
    }
}

static void test_string_encodings(void)
{
    rop_propval v;
    mapi_wr wr;
    static const uint8_t u16[] = { 0x1F, 0x00, 0x37, 0x00,   /* tag */
                                   'A', 0, 0xFC, 0, 0, 0 };  /* "Aü" NUL */
    static const uint8_t s8[] = { 0x1E, 0x00, 0x37, 0x00, 'A', 'b', 0 };

    memset(&v, 0, sizeof(v));
    v.tag = PidTagSubject;
    v.v.str = "A\xC3\xBC";
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_tagged_propval(&wr, &v), 0);
    CU_ASSERT_EQUAL(wr.len, sizeof(u16));
    CU_ASSERT(memcmp(wr.buf, u16, sizeof(u16)) == 0);

    v.tag = TAG(0x0037, ROP_PT_STRING8);
    v.v.str = "Ab";
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_tagged_propval(&wr, &v), 0);
    CU_ASSERT_EQUAL(wr.len, sizeof(s8));
    CU_ASSERT(memcmp(wr.buf, s8, sizeof(s8)) == 0);

    /* Invalid UTF-8 cannot become UTF-16. */
    v.tag = PidTagSubject;
    v.v.str = "\xC3";
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_tagged_propval(&wr, &v), -1);
    CU_ASSERT(wr.failed);
}

static void test_binary_limits(void)
{
    rop_propval v;
    mapi_wr wr;
    uint8_t *big = apr_pcalloc(pool, 0x10000);
    uint8_t buf[8];

    memset(&v, 0, sizeof(v));
    v.tag = TAG(0x6011, ROP_PT_BINARY);
    v.v.bin.data = big;
    v.v.bin.len = 0xFFFF;
    CU_ASSERT(roundtrip_val(&v));
    v.v.bin.len = 0x10000;
    mapi_wr_init(&wr, pool, 0x20000);
    CU_ASSERT_EQUAL(rop_wr_propval(&wr, ROP_PT_BINARY, &v), -1);
    CU_ASSERT(wr.failed);

    /* A full writer fails and says so. */
    v.v.bin.len = 16;
    mapi_wr_init_fixed(&wr, buf, sizeof(buf));
    CU_ASSERT_EQUAL(rop_wr_propval(&wr, ROP_PT_BINARY, &v), -1);
    CU_ASSERT(wr.failed);

    /* Types without a transmittable value are refused. */
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_propval(&wr, ROP_PT_OBJECT, &v), -1);
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_propval(&wr, ROP_PT_UNSPECIFIED, &v), -1);
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_propval(&wr, ROP_PT_MV_FLAG | ROP_PT_BOOLEAN, &v),
                    -1);
}

static void test_multivalued_roundtrip(void)
{
    rop_propval v;
    uint16_t i2[] = { 1, 0xFFFF, 7 };
    uint32_t l[] = { 0, 0x80000000u, 42 };
    uint64_t d[] = { 1, 0xFFFFFFFFFFFFFFFFull };
    const char *str[] = { "one", "", "dr\xC3\xA9i" };
    const char *str8[] = { "alpha", "beta" };
    rop_bin bin[] = { { 5, bytes_a }, { 0, NULL }, { 2, bytes_a + 3 } };
    const uint8_t *guid[] = { guid_a, guid_b };
    static const uint16_t d_types[] = { ROP_PT_DOUBLE, ROP_PT_CURRENCY,
                                        ROP_PT_APPTIME, ROP_PT_I8,
                                        ROP_PT_SYSTIME };
    unsigned k;

    memset(&v, 0, sizeof(v));
    v.tag = TAG(0x6100, ROP_PT_MV_FLAG | ROP_PT_I2);
    v.v.mv.count = 3; v.v.mv.v.i2 = i2;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6101, ROP_PT_MV_FLAG | ROP_PT_LONG);
    v.v.mv.count = 3; v.v.mv.v.l = l;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6102, ROP_PT_MV_FLAG | ROP_PT_FLOAT);
    CU_ASSERT(roundtrip_val(&v));
    for (k = 0; k < sizeof(d_types) / sizeof(d_types[0]); k++) {
        v.tag = TAG(0x6103 + k, ROP_PT_MV_FLAG | d_types[k]);
        v.v.mv.count = 2; v.v.mv.v.d = d;
        CU_ASSERT(roundtrip_val(&v));
    }
    v.tag = TAG(0x6110, ROP_PT_MV_FLAG | ROP_PT_UNICODE);
    v.v.mv.count = 3; v.v.mv.v.str = str;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6111, ROP_PT_MV_FLAG | ROP_PT_STRING8);
    v.v.mv.count = 2; v.v.mv.v.str = str8;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6112, ROP_PT_MV_FLAG | ROP_PT_BINARY);
    v.v.mv.count = 3; v.v.mv.v.bin = bin;
    CU_ASSERT(roundtrip_val(&v));
    v.tag = TAG(0x6113, ROP_PT_MV_FLAG | ROP_PT_CLSID);
    v.v.mv.count = 2; v.v.mv.v.guid = guid;
    CU_ASSERT(roundtrip_val(&v));
    /* An empty multi-value is a zero count. */
    v.tag = TAG(0x6114, ROP_PT_MV_FLAG | ROP_PT_LONG);
    v.v.mv.count = 0; v.v.mv.v.l = NULL;
    CU_ASSERT(roundtrip_val(&v));
}

static void test_mv_instance_value(void)
{
    rop_propval v, back;
    mapi_wr wr;
    mapi_rd rd;
    const uint16_t type = ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE | ROP_PT_UNICODE;

    memset(&v, 0, sizeof(v));
    memset(&back, 0, sizeof(back));
    v.v.str = "one instance";
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_propval(&wr, type, &v), 0);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(rop_rd_propval(&rd, pool, type, 0, &back), 0);
    CU_ASSERT_STRING_EQUAL(back.v.str, "one instance");
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
}

static void test_actions_roundtrip(void)
{
    rop_action_block blocks[2] = {
        { 0x01, 0, 0, { 5, bytes_a } },
        { 0x05, 0x1234, 0x2, { 0, NULL } },
    };
    rop_rule_actions acts = { 2, blocks };
    rop_propval v;

    memset(&v, 0, sizeof(v));
    v.tag = TAG(0x6680, ROP_PT_ACTIONS);
    v.v.actions = &acts;
    CU_ASSERT(roundtrip_val(&v));
}

/* ---- part 1: restrictions -------------------------------------------- */

static rop_restriction *res_new(uint8_t type)
{
    rop_restriction *r = apr_pcalloc(pool, sizeof(*r));

    r->type = type;
    return r;
}

static rop_restriction *res_exist(uint32_t tag)
{
    rop_restriction *r = res_new(ROP_RES_EXIST);

    r->u.exist.tag = tag;
    return r;
}

static rop_restriction *res_prop_str(uint8_t relop, uint32_t tag,
                                     const char *s)
{
    rop_restriction *r = res_new(ROP_RES_PROPERTY);

    r->u.property.relop = relop;
    r->u.property.tag = tag;
    r->u.property.val.tag = tag;
    r->u.property.val.v.str = s;
    return r;
}

static rop_restriction *res_prop_u32(uint8_t relop, uint32_t tag, uint32_t v)
{
    rop_restriction *r = res_new(ROP_RES_PROPERTY);

    r->u.property.relop = relop;
    r->u.property.tag = tag;
    r->u.property.val.tag = tag;
    r->u.property.val.v.l = v;
    return r;
}

static rop_restriction *res_content(uint16_t low, uint16_t high,
                                    uint32_t tag, const char *s)
{
    rop_restriction *r = res_new(ROP_RES_CONTENT);

    r->u.content.fuzzy_low = low;
    r->u.content.fuzzy_high = high;
    r->u.content.tag = tag;
    r->u.content.val.tag = tag;
    r->u.content.val.v.str = s;
    return r;
}

static rop_restriction *res_andor(uint8_t type, unsigned n,
                                  rop_restriction **subs)
{
    rop_restriction *r = res_new(type);
    unsigned i;

    r->u.andor.count = (uint16_t)n;
    r->u.andor.subs = apr_pcalloc(pool, n * sizeof(rop_restriction) + 1);
    for (i = 0; i < n; i++)
        r->u.andor.subs[i] = *subs[i];
    return r;
}

static rop_restriction *res_not(rop_restriction *sub)
{
    rop_restriction *r = res_new(ROP_RES_NOT);

    r->u.not_sub = sub;
    return r;
}

static rop_restriction *res_compare(uint8_t relop, uint32_t t1, uint32_t t2)
{
    rop_restriction *r = res_new(ROP_RES_COMPARE_PROPS);

    r->u.compare.relop = relop;
    r->u.compare.tag1 = t1;
    r->u.compare.tag2 = t2;
    return r;
}

static rop_restriction *res_bitmask(uint8_t relop, uint32_t tag,
                                    uint32_t mask)
{
    rop_restriction *r = res_new(ROP_RES_BITMASK);

    r->u.bitmask.relop = relop;
    r->u.bitmask.tag = tag;
    r->u.bitmask.mask = mask;
    return r;
}

static rop_restriction *res_size(uint8_t relop, uint32_t tag, uint32_t size)
{
    rop_restriction *r = res_new(ROP_RES_SIZE);

    r->u.size.relop = relop;
    r->u.size.tag = tag;
    r->u.size.size = size;
    return r;
}

static rop_restriction *res_subobject(uint32_t which, rop_restriction *sub)
{
    rop_restriction *r = res_new(ROP_RES_SUBOBJECT);

    r->u.subobject.subobject = which;
    r->u.subobject.sub = sub;
    return r;
}

static rop_restriction *res_count(uint32_t n, rop_restriction *sub)
{
    rop_restriction *r = res_new(ROP_RES_COUNT);

    r->u.count.count = n;
    r->u.count.sub = sub;
    return r;
}

static rop_restriction *res_comment(rop_restriction *sub)
{
    rop_restriction *r = res_new(ROP_RES_COMMENT);

    r->u.comment.count = 2;
    r->u.comment.vals = apr_pcalloc(pool, 2 * sizeof(rop_propval));
    r->u.comment.vals[0].tag = TAG(0x6707, ROP_PT_UNICODE);
    r->u.comment.vals[0].v.str = "why";
    r->u.comment.vals[1].tag = TAG(0x6708, ROP_PT_LONG);
    r->u.comment.vals[1].v.l = 99;
    r->u.comment.sub = sub;
    return r;
}

/* One restriction of every type, nested so that every container type
 * holds another. */
static rop_restriction *res_every_type(void)
{
    rop_restriction *leaf[12], *inner;
    rop_propval *rv;

    leaf[0] = res_content(1, 1, PidTagSubject, "Hello");
    leaf[1] = res_prop_u32(4, TAG(0x0E08, ROP_PT_LONG), 100);
    leaf[2] = res_compare(2, TAG(0x0E08, ROP_PT_LONG),
                          TAG(0x0E09, ROP_PT_LONG));
    leaf[3] = res_bitmask(1, TAG(0x0E07, ROP_PT_LONG), 0x1);
    leaf[4] = res_size(0, PidTagSubject, 20);
    leaf[5] = res_exist(TAG(0x0037, ROP_PT_UNSPECIFIED));
    leaf[6] = res_not(res_exist(TAG(0x1000, ROP_PT_UNICODE)));
    leaf[7] = res_subobject(0x0E12000D,
                            res_prop_str(4, TAG(0x3001, ROP_PT_UNICODE),
                                         "Bob"));
    leaf[8] = res_comment(res_exist(TAG(0x0E1B, ROP_PT_BOOLEAN)));
    leaf[9] = res_comment(NULL);
    leaf[10] = res_count(3, res_exist(TAG(0x0E1B, ROP_PT_BOOLEAN)));
    /* A restriction-typed value inside a Property restriction. */
    leaf[11] = res_new(ROP_RES_PROPERTY);
    leaf[11]->u.property.relop = 4;
    leaf[11]->u.property.tag = TAG(0x6602, ROP_PT_SRESTRICTION);
    rv = &leaf[11]->u.property.val;
    rv->tag = TAG(0x6602, ROP_PT_SRESTRICTION);
    rv->v.res = res_exist(TAG(0x0001, ROP_PT_LONG));
    inner = res_andor(ROP_RES_OR, 6, leaf + 6);
    leaf[6] = inner;
    return res_andor(ROP_RES_AND, 7, leaf);
}

/* Write, parse, write again: the bytes must agree and the parse must
 * consume them exactly. */
static int roundtrip_res(const rop_restriction *r, rop_restriction **back_r)
{
    mapi_wr w1, w2;
    mapi_rd rd;
    rop_restriction *back;

    mapi_wr_init(&w1, pool, 65536);
    mapi_wr_init(&w2, pool, 65536);
    if (rop_wr_restriction(&w1, r) < 0)
        return 0;
    mapi_rd_init(&rd, w1.buf, w1.len);
    if (rop_rd_restriction(&rd, pool, 0, &back) < 0 || mapi_rd_left(&rd))
        return 0;
    if (rop_wr_restriction(&w2, back) < 0)
        return 0;
    if (back_r)
        *back_r = back;
    return w1.len == w2.len && memcmp(w1.buf, w2.buf, w1.len) == 0;
}

static void test_restriction_each_type(void)
{
    static const uint8_t exist_bytes[] = { 0x08, 0x03, 0x00, 0x01, 0x0E };
    rop_restriction *r, *back = NULL;
    mapi_wr wr;

    CU_ASSERT(roundtrip_res(res_andor(ROP_RES_AND, 0, NULL), NULL));
    CU_ASSERT(roundtrip_res(res_andor(ROP_RES_OR, 0, NULL), NULL));
    CU_ASSERT(roundtrip_res(res_not(res_exist(1)), &back));
    CU_ASSERT(back && back->type == ROP_RES_NOT
              && back->u.not_sub->u.exist.tag == 1);
    CU_ASSERT(roundtrip_res(res_content(2, 5, PidTagSubject, "x"),
                            &back));
    CU_ASSERT(back && back->u.content.fuzzy_low == 2
              && back->u.content.fuzzy_high == 5
              && strcmp(back->u.content.val.v.str, "x") == 0);
    CU_ASSERT(roundtrip_res(res_prop_u32(3, TAG(1, ROP_PT_LONG), 7), &back));
    CU_ASSERT(back && back->u.property.relop == 3
              && back->u.property.val.v.l == 7);
    CU_ASSERT(roundtrip_res(res_compare(5, 1, 2), &back));
    CU_ASSERT(back && back->u.compare.tag2 == 2);
    CU_ASSERT(roundtrip_res(res_bitmask(0, 3, 0xF0), &back));
    CU_ASSERT(back && back->u.bitmask.mask == 0xF0);
    CU_ASSERT(roundtrip_res(res_size(1, 4, 10), &back));
    CU_ASSERT(back && back->u.size.size == 10);
    CU_ASSERT(roundtrip_res(res_subobject(0x0E13000D, res_exist(5)), &back));
    CU_ASSERT(back && back->u.subobject.subobject == 0x0E13000D);
    CU_ASSERT(roundtrip_res(res_comment(NULL), &back));
    CU_ASSERT(back && back->u.comment.count == 2
              && back->u.comment.sub == NULL);
    CU_ASSERT(roundtrip_res(res_comment(res_exist(9)), &back));
    CU_ASSERT(back && back->u.comment.sub
              && back->u.comment.sub->u.exist.tag == 9);
    CU_ASSERT(roundtrip_res(res_count(4, res_exist(6)), &back));
    CU_ASSERT(back && back->u.count.count == 4);

    /* The exact bytes of a simple one ([MS-OXCDATA] 2.12.9). */
    mapi_wr_init(&wr, pool, 64);
    CU_ASSERT_EQUAL(rop_wr_restriction(&wr, res_exist(0x0E010003)), 0);
    CU_ASSERT_EQUAL(wr.len, sizeof(exist_bytes));
    CU_ASSERT(memcmp(wr.buf, exist_bytes, sizeof(exist_bytes)) == 0);

    /* An unknown type and a missing sub-restriction are refused. */
    r = res_new(0x0C);
    mapi_wr_init(&wr, pool, 64);
    CU_ASSERT_EQUAL(rop_wr_restriction(&wr, r), -1);
    mapi_wr_init(&wr, pool, 64);
    CU_ASSERT_EQUAL(rop_wr_restriction(&wr, res_new(ROP_RES_NOT)), -1);
}

static void test_restriction_nested(void)
{
    rop_restriction *r = res_every_type(), *back = NULL;
    mapi_wr wr;
    mapi_rd rd;
    rop_restriction *sized;

    CU_ASSERT(roundtrip_res(r, &back));
    CU_ASSERT(back && back->type == ROP_RES_AND
              && back->u.andor.count == 7
              && back->u.andor.subs[6].type == ROP_RES_OR
              && back->u.andor.subs[6].u.andor.count == 6);

    /* The sized form ([MS-OXCTABL] RopRestrict) reads it back too. */
    mapi_wr_init(&wr, pool, 65536);
    mapi_wr_u16(&wr, 0);
    CU_ASSERT_EQUAL(rop_wr_restriction(&wr, r), 0);
    mapi_wr_put_u16_at(&wr, 0, (uint16_t)(wr.len - 2));
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(rop_rd_restriction_sized(&rd, pool, &sized), 0);
    CU_ASSERT(sized != NULL && res_bytes_eq(sized, r));
}

static void test_restriction_dup(void)
{
    apr_pool_t *sub;
    rop_restriction *r, *copy;
    mapi_wr w1, w2;
    mapi_rd rd;

    /* Parse into a short-lived pool, copy out, then destroy the source:
     * the copy must stand alone. */
    mapi_wr_init(&w1, pool, 65536);
    CU_ASSERT_EQUAL(rop_wr_restriction(&w1, res_every_type()), 0);
    apr_pool_create(&sub, pool);
    {
        uint8_t *bytes = apr_pmemdup(sub, w1.buf, w1.len);

        mapi_rd_init(&rd, bytes, w1.len);
        CU_ASSERT_EQUAL(rop_rd_restriction(&rd, sub, 0, &r), 0);
        copy = rop_restriction_dup(pool, r);
        memset(bytes, 0xAA, w1.len);
    }
    apr_pool_destroy(sub);
    mapi_wr_init(&w2, pool, 65536);
    CU_ASSERT_EQUAL(rop_wr_restriction(&w2, copy), 0);
    CU_ASSERT_EQUAL(w1.len, w2.len);
    CU_ASSERT(memcmp(w1.buf, w2.buf, w1.len) == 0);
    CU_ASSERT_PTR_NULL(rop_restriction_dup(pool, NULL));
}

/* ---- part 1: names and ids ------------------------------------------- */

/* Found by tests/fuzz/fuzz_propval (corpus regress_bool_not_01): a
 * Boolean byte other than 0 or 1 was kept, written into the store's
 * record, and the record then refused to decode. */
static void test_boolean_not_01(void)
{
    static const uint8_t in[] = { 0x0B, 0x00, 0x40, 0x3A, 0x62 };
    store_props bag, back;
    rop_propval pv;
    mapi_rd rd;
    mapi_wr wr;

    mapi_rd_init(&rd, in, sizeof(in));
    CU_ASSERT_EQUAL_FATAL(rop_rd_tagged_propval(&rd, pool, 0, &pv), 0);
    CU_ASSERT_EQUAL(pv.v.b, 1);
    store_props_init(&bag, pool);
    store_props_set(&bag, &pv);
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL_FATAL(store_props_encode(&wr, &bag), 0);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(store_props_decode(&rd, pool, &back), 0);
    CU_ASSERT_EQUAL(back.count, 1);
}

/* Found by tests/fuzz/fuzz_restriction (corpus regress_empty_svreid_dup):
 * an empty ServerId at the very end of the request is a view past the
 * buffer, and the deep copy read one byte of it. */
static void test_restriction_dup_empty_bin(void)
{
    static const uint8_t bytes[] = { 0x04, 0x02, 0x03, 0x00, 0x08, 0x01,
                                     0xFB, 0x00, 0x08, 0x00, 0x00, 0x00 };
    uint8_t *in = malloc(sizeof(bytes));     /* exact size, for ASan */
    rop_restriction *r = NULL, *c;
    mapi_rd rd;

    memcpy(in, bytes, sizeof(bytes));
    mapi_rd_init(&rd, in, sizeof(bytes));
    CU_ASSERT_EQUAL_FATAL(rop_rd_restriction(&rd, pool, 0, &r), 0);
    c = rop_restriction_dup(pool, r);
    free(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->u.property.val.v.bin.len, 0);
    CU_ASSERT_PTR_NOT_NULL(c->u.property.val.v.bin.data);
}

/* Found by tests/fuzz/fuzz_restriction and fuzz_propval (corpus
 * regress_mvi_*): a value under a multi-value-instance tag (MV|MVI) is
 * one value of the base type, but kept its tag, and the deep copy and
 * the store took it for a multi-valued one. */
static void test_mvi_tagged_value(void)
{
    /* Content restriction on 0x3102 (MV|MVI|Binary): FL_SUBSTRING,
     * PropertyTag, TaggedValue with the same tag, a 2-byte Binary. */
    static const uint8_t in[] = { 0x03, 0x01, 0x00, 0x00, 0x00,
                                  0x02, 0x31, 0x37, 0x00,
                                  0x02, 0x31, 0x37, 0x00, 0x02, 0x00,
                                  0xAB, 0xCD };
    rop_restriction *r = NULL, *c;
    store_props bag, back;
    mapi_rd rd;
    mapi_wr wr;

    mapi_rd_init(&rd, in, sizeof(in));
    CU_ASSERT_EQUAL_FATAL(rop_rd_restriction(&rd, pool, 0, &r), 0);
    CU_ASSERT_EQUAL(ROP_PROP_TYPE(r->u.content.val.tag), ROP_PT_BINARY);
    CU_ASSERT_EQUAL(r->u.content.val.v.bin.len, 2);
    c = rop_restriction_dup(pool, r);
    CU_ASSERT_EQUAL_FATAL(c->u.content.val.v.bin.len, 2);
    CU_ASSERT_EQUAL(c->u.content.val.v.bin.data[1], 0xCD);
    store_props_init(&bag, pool);
    store_props_set(&bag, &r->u.content.val);
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL_FATAL(store_props_encode(&wr, &bag), 0);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(store_props_decode(&rd, pool, &back), 0);
}

static void test_property_name_roundtrip(void)
{
    rop_property_name pn, back;
    mapi_wr wr;
    mapi_rd rd;

    memset(&pn, 0, sizeof(pn));
    pn.kind = ROP_MNID_ID;
    pn.guid = guid_a;
    pn.lid = 0x8501;
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_property_name(&wr, &pn), 0);
    CU_ASSERT_EQUAL(wr.len, 1 + 16 + 4);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(rop_rd_property_name(&rd, pool, &back), 0);
    CU_ASSERT_EQUAL(back.kind, ROP_MNID_ID);
    CU_ASSERT_EQUAL(back.lid, 0x8501);
    CU_ASSERT(memcmp(back.guid, guid_a, 16) == 0);

    pn.kind = ROP_MNID_STRING;
    pn.guid = guid_b;
    pn.name = "Keywords\xC3\xA9";
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_property_name(&wr, &pn), 0);
    /* NameSize: 9 characters and the NUL, two bytes each. */
    CU_ASSERT_EQUAL(wr.buf[17], 20);
    CU_ASSERT_EQUAL(wr.len, 1 + 16 + 1 + 20);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(rop_rd_property_name(&rd, pool, &back), 0);
    CU_ASSERT_EQUAL(back.kind, ROP_MNID_STRING);
    CU_ASSERT_STRING_EQUAL(back.name, "Keywords\xC3\xA9");
    CU_ASSERT(memcmp(back.guid, guid_b, 16) == 0);
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);

    pn.kind = ROP_MNID_NONE;
    mapi_wr_init(&wr, pool, 256);
    CU_ASSERT_EQUAL(rop_wr_property_name(&wr, &pn), 0);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(rop_rd_property_name(&rd, pool, &back), 0);
    CU_ASSERT_EQUAL(back.kind, ROP_MNID_NONE);
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);

    /* A name too long for the u8 NameSize is refused. */
    pn.kind = ROP_MNID_STRING;
    pn.name = apr_pstrcat(pool, "0123456789012345678901234567890123456789",
                          "0123456789012345678901234567890123456789",
                          "0123456789012345678901234567890123456789",
                          "0123456789", NULL);
    mapi_wr_init(&wr, pool, 1024);
    CU_ASSERT_EQUAL(rop_wr_property_name(&wr, &pn), -1);
    pn.kind = 7;
    mapi_wr_init(&wr, pool, 1024);
    CU_ASSERT_EQUAL(rop_wr_property_name(&wr, &pn), -1);
}

static void test_long_term_id_roundtrip(void)
{
    rop_long_term_id l, back;
    mapi_wr wr;
    mapi_rd rd;

    memcpy(l.database_guid, guid_a, 16);
    memcpy(l.global_counter, "\x00\x00\x01\x02\x03\x04", 6);
    l.pad = 0;
    mapi_wr_init(&wr, pool, 64);
    CU_ASSERT_EQUAL(rop_wr_long_term_id(&wr, &l), 0);
    CU_ASSERT_EQUAL(wr.len, 24);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(rop_rd_long_term_id(&rd, &back), 0);
    CU_ASSERT(memcmp(&l.database_guid, back.database_guid, 16) == 0);
    CU_ASSERT(memcmp(&l.global_counter, back.global_counter, 6) == 0);
    CU_ASSERT_EQUAL(back.pad, 0);
}

/* ---- part 2: store_table ---------------------------------------------- */

#define TAG_KEYWORDS   TAG(0x8001, ROP_PT_MV_FLAG | ROP_PT_UNICODE)
#define TAG_NUMS       TAG(0x8002, ROP_PT_MV_FLAG | ROP_PT_LONG)
#define TAG_BLOB       TAG(0x8003, ROP_PT_BINARY)
#define TAG_CLASS8     TAG(0x001A, ROP_PT_STRING8)
#define TAG_SIZE       PidTagMessageSize
#define TAG_IMPORTANCE PidTagImportance
#define TAG_ERRPROP    TAG(0x8004, ROP_PT_ERROR)

static const char *keywords[] = { "red", "Blue" };
static uint32_t nums[] = { 5, 10, 15 };

static void set_val(store_props *p, uint32_t tag, const rop_propval *src)
{
    rop_propval v = *src;

    v.tag = tag;
    store_props_set(p, &v);
}

static store_row *sample_row(void)
{
    store_row *row = apr_pcalloc(pool, sizeof(*row));
    rop_propval v;

    store_props_init(&row->props, pool);
    store_props_set_str(&row->props, PidTagSubject, "Hello World");
    store_props_set_str(&row->props, PidTagBody,
                        "Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e");
    memset(&v, 0, sizeof(v));
    v.v.str = "IPM.Note";
    set_val(&row->props, TAG_CLASS8, &v);
    store_props_set_u32(&row->props, PidTagMessageFlags, 0x11);
    store_props_set_u32(&row->props, TAG_SIZE, 2000);
    store_props_set_u32(&row->props, TAG_IMPORTANCE, 1);
    memset(&v, 0, sizeof(v));
    v.v.mv.count = 2;
    v.v.mv.v.str = keywords;
    set_val(&row->props, TAG_KEYWORDS, &v);
    memset(&v, 0, sizeof(v));
    v.v.mv.count = 3;
    v.v.mv.v.l = nums;
    set_val(&row->props, TAG_NUMS, &v);
    store_props_set_bin(&row->props, TAG_BLOB, bytes_a, sizeof(bytes_a));
    return row;
}

static int m(const rop_restriction *r, const store_row *row)
{
    return store_restrict_match(r, row);
}

static void test_propval_cmp(void)
{
    rop_propval a, b;
    rop_bin ba = { 2, bytes_a }, bb = { 3, bytes_a };
    uint32_t la[] = { 1, 2 }, lb[] = { 1, 3 }, lc[] = { 1, 2, 0 };
    float f1 = -1.5f, f2 = 2.0f;
    double d1 = -10.0, d2 = 0.5;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.v.i2 = 0xFFFF; b.v.i2 = 1;                 /* -1 < 1 */
    CU_ASSERT(store_propval_cmp(ROP_PT_I2, &a, &b) < 0);
    a.v.l = 0x80000000u; b.v.l = 7;              /* INT_MIN < 7 */
    CU_ASSERT(store_propval_cmp(ROP_PT_LONG, &a, &b) < 0);
    CU_ASSERT(store_propval_cmp(ROP_PT_LONG, &b, &b) == 0);
    memcpy(&a.v.l, &f1, 4); memcpy(&b.v.l, &f2, 4);
    CU_ASSERT(store_propval_cmp(ROP_PT_FLOAT, &a, &b) < 0);
    memcpy(&a.v.d, &d1, 8); memcpy(&b.v.d, &d2, 8);
    CU_ASSERT(store_propval_cmp(ROP_PT_DOUBLE, &a, &b) < 0);
    CU_ASSERT(store_propval_cmp(ROP_PT_APPTIME, &b, &a) > 0);
    a.v.d = (uint64_t)-5; b.v.d = 3;
    CU_ASSERT(store_propval_cmp(ROP_PT_I8, &a, &b) < 0);
    CU_ASSERT(store_propval_cmp(ROP_PT_CURRENCY, &a, &b) < 0);
    CU_ASSERT(store_propval_cmp(ROP_PT_SYSTIME, &a, &b) > 0);   /* unsigned */
    a.v.b = 2; b.v.b = 1;
    CU_ASSERT(store_propval_cmp(ROP_PT_BOOLEAN, &a, &b) == 0);
    a.v.str = "hello"; b.v.str = "HELLO";
    CU_ASSERT(store_propval_cmp(ROP_PT_UNICODE, &a, &b) == 0);
    b.v.str = "Help";
    CU_ASSERT(store_propval_cmp(ROP_PT_STRING8, &a, &b) < 0);
    a.v.bin = ba; b.v.bin = bb;
    CU_ASSERT(store_propval_cmp(ROP_PT_BINARY, &a, &b) < 0);
    CU_ASSERT(store_propval_cmp(ROP_PT_BINARY, &b, &b) == 0);
    a.v.guid = guid_a; b.v.guid = guid_b;
    CU_ASSERT(store_propval_cmp(ROP_PT_CLSID, &a, &b) < 0);
    a.v.mv.count = 2; a.v.mv.v.l = la;
    b.v.mv.count = 2; b.v.mv.v.l = lb;
    CU_ASSERT(store_propval_cmp(ROP_PT_MV_FLAG | ROP_PT_LONG, &a, &b) < 0);
    b.v.mv.count = 3; b.v.mv.v.l = lc;
    CU_ASSERT(store_propval_cmp(ROP_PT_MV_FLAG | ROP_PT_LONG, &a, &b) < 0);
    b.v.mv.count = 2;
    CU_ASSERT(store_propval_cmp(ROP_PT_MV_FLAG | ROP_PT_LONG, &a, &b) == 0);
}

static void test_match_content(void)
{
    store_row *row = sample_row();
    rop_restriction *r;

    CU_ASSERT(m(res_content(0, 0, PidTagSubject, "Hello World"), row));
    CU_ASSERT_FALSE(m(res_content(0, 0, PidTagSubject, "hello world"), row));
    CU_ASSERT(m(res_content(0, 1, PidTagSubject, "hello world"), row));
    CU_ASSERT_FALSE(m(res_content(0, 1, PidTagSubject, "hello"), row));
    CU_ASSERT(m(res_content(1, 0, PidTagSubject, "lo Wo"), row));
    CU_ASSERT_FALSE(m(res_content(1, 0, PidTagSubject, "lo wo"), row));
    CU_ASSERT(m(res_content(1, 1, PidTagSubject, "LO WO"), row));
    CU_ASSERT(m(res_content(1, 0, PidTagSubject, ""), row));
    CU_ASSERT(m(res_content(2, 0, PidTagSubject, "Hell"), row));
    CU_ASSERT_FALSE(m(res_content(2, 0, PidTagSubject, "World"), row));
    CU_ASSERT(m(res_content(2, 4, PidTagSubject, "hELL"), row));   /* loose */
    /* Accents: ignored only with FL_IGNORENONSPACE or FL_LOOSE. */
    CU_ASSERT_FALSE(m(res_content(1, 0, PidTagBody, "creme"), row));
    CU_ASSERT(m(res_content(1, 2, PidTagBody, "Creme brulee"), row));
    CU_ASSERT(m(res_content(1, 4, PidTagBody, "CREME"), row));
    CU_ASSERT(m(res_content(1, 1, PidTagBody, "CR\xC3\x88ME"), row));
    /* String8 restriction on a String property and vice versa. */
    CU_ASSERT(m(res_content(1, 1, TAG(0x0037, ROP_PT_STRING8), "world"),
                row));
    CU_ASSERT(m(res_content(2, 0, TAG(0x001A, ROP_PT_UNICODE), "IPM."),
                row));
    /* Any value of a multi-valued property. */
    r = res_content(0, 1, TAG_KEYWORDS, "blue");
    r->u.content.val.tag = TAG(0x8001, ROP_PT_UNICODE);
    CU_ASSERT(m(r, row));
    r->u.content.val.v.str = "green";
    CU_ASSERT_FALSE(m(r, row));
    /* Binary content. */
    r = res_new(ROP_RES_CONTENT);
    r->u.content.fuzzy_low = 1;
    r->u.content.tag = TAG_BLOB;
    r->u.content.val.tag = TAG_BLOB;
    r->u.content.val.v.bin.len = 2;
    r->u.content.val.v.bin.data = bytes_a + 2;
    CU_ASSERT(m(r, row));
    r->u.content.fuzzy_low = 2;
    CU_ASSERT_FALSE(m(r, row));
    r->u.content.val.v.bin.data = bytes_a;
    CU_ASSERT(m(r, row));
    r->u.content.fuzzy_low = 0;
    CU_ASSERT_FALSE(m(r, row));
    /* Missing property, wrong type. */
    CU_ASSERT_FALSE(m(res_content(1, 1, PidTagComment, ""), row));
    r = res_content(1, 1, PidTagSubject, "x");
    r->u.content.val.tag = TAG(0x0037, ROP_PT_LONG);
    CU_ASSERT_FALSE(m(r, row));
}

static void test_match_property(void)
{
    store_row *row = sample_row();
    const uint32_t t = TAG_SIZE;
    rop_restriction *r;

    CU_ASSERT(m(res_prop_u32(0, t, 2001), row));
    CU_ASSERT_FALSE(m(res_prop_u32(0, t, 2000), row));
    CU_ASSERT(m(res_prop_u32(1, t, 2000), row));
    CU_ASSERT_FALSE(m(res_prop_u32(1, t, 1999), row));
    CU_ASSERT(m(res_prop_u32(2, t, 1999), row));
    CU_ASSERT_FALSE(m(res_prop_u32(2, t, 2000), row));
    CU_ASSERT(m(res_prop_u32(3, t, 2000), row));
    CU_ASSERT_FALSE(m(res_prop_u32(3, t, 2001), row));
    CU_ASSERT(m(res_prop_u32(4, t, 2000), row));
    CU_ASSERT_FALSE(m(res_prop_u32(4, t, 2001), row));
    CU_ASSERT(m(res_prop_u32(5, t, 2001), row));
    CU_ASSERT_FALSE(m(res_prop_u32(5, t, 2000), row));
    CU_ASSERT_FALSE(m(res_prop_u32(0x64, t, 2000), row));   /* DL */
    CU_ASSERT_FALSE(m(res_prop_u32(0x33, t, 2000), row));   /* unknown */
    /* Missing property: even NE is false. */
    CU_ASSERT_FALSE(m(res_prop_u32(5, PidTagRowid, 1), row));
    CU_ASSERT_FALSE(m(res_prop_u32(4, PidTagRowid, 1), row));
    /* Strings: case-insensitive; RE as substring. */
    CU_ASSERT(m(res_prop_str(4, PidTagSubject, "HELLO WORLD"), row));
    CU_ASSERT(m(res_prop_str(0, PidTagSubject, "Zebra"), row));
    CU_ASSERT(m(res_prop_str(6, PidTagSubject, "o w"), row));
    CU_ASSERT_FALSE(m(res_prop_str(6, PidTagSubject, "xyz"), row));
    CU_ASSERT(m(res_prop_str(4, TAG_CLASS8, "ipm.note"), row));
    /* Multi-valued: any value with a single value, whole with whole. */
    r = res_prop_u32(4, TAG(0x8002, ROP_PT_LONG), 10);
    CU_ASSERT(m(r, row));
    r->u.property.val.v.l = 11;
    CU_ASSERT_FALSE(m(r, row));
    r->u.property.relop = 2;                    /* some value > 11 */
    CU_ASSERT(m(r, row));
    r = res_new(ROP_RES_PROPERTY);
    r->u.property.relop = 4;
    r->u.property.tag = TAG_NUMS;
    r->u.property.val.tag = TAG_NUMS;
    r->u.property.val.v.mv.count = 3;
    r->u.property.val.v.mv.v.l = nums;
    CU_ASSERT(m(r, row));
    r->u.property.val.v.mv.count = 2;
    CU_ASSERT_FALSE(m(r, row));
    /* A type that does not match the property's is false. */
    r = res_prop_u32(4, TAG(0x0037, ROP_PT_LONG), 0);
    CU_ASSERT_FALSE(m(r, row));
}

static void test_match_other_types(void)
{
    store_row *row = sample_row();
    rop_restriction *subs[3];

    /* CompareProperties. */
    CU_ASSERT(m(res_compare(2, TAG_SIZE, TAG_IMPORTANCE), row));
    CU_ASSERT_FALSE(m(res_compare(4, TAG_SIZE, TAG_IMPORTANCE), row));
    CU_ASSERT(m(res_compare(5, TAG_SIZE, TAG_IMPORTANCE), row));
    CU_ASSERT(m(res_compare(4, TAG_SIZE, TAG_SIZE), row));
    CU_ASSERT_FALSE(m(res_compare(4, TAG_SIZE, PidTagRowid), row));
    CU_ASSERT_FALSE(m(res_compare(4, TAG_SIZE, PidTagSubject), row));
    /* Bitmask. */
    CU_ASSERT(m(res_bitmask(1, PidTagMessageFlags, 0x01), row));
    CU_ASSERT_FALSE(m(res_bitmask(0, PidTagMessageFlags, 0x01), row));
    CU_ASSERT(m(res_bitmask(0, PidTagMessageFlags, 0x02), row));
    CU_ASSERT_FALSE(m(res_bitmask(1, PidTagMessageFlags, 0x02), row));
    CU_ASSERT_FALSE(m(res_bitmask(0, PidTagRowid, 0x02), row));
    /* Size: "Hello World" is 22 bytes of UTF-16. */
    CU_ASSERT(m(res_size(4, PidTagSubject, 22), row));
    CU_ASSERT(m(res_size(0, PidTagSubject, 23), row));
    CU_ASSERT_FALSE(m(res_size(2, PidTagSubject, 22), row));
    CU_ASSERT(m(res_size(4, TAG_SIZE, 4), row));
    CU_ASSERT(m(res_size(4, TAG_BLOB, 5), row));
    CU_ASSERT(m(res_size(4, TAG_NUMS, 12), row));
    CU_ASSERT(m(res_size(4, TAG_CLASS8, 8), row));
    CU_ASSERT_FALSE(m(res_size(3, PidTagRowid, 0), row));
    /* Exist: by id, any type. */
    CU_ASSERT(m(res_exist(PidTagSubject), row));
    CU_ASSERT(m(res_exist(TAG(0x0037, ROP_PT_UNSPECIFIED)), row));
    CU_ASSERT_FALSE(m(res_exist(PidTagRowid), row));
    CU_ASSERT(m(res_not(res_exist(PidTagRowid)), row));
    /* And / Or / Not. */
    subs[0] = res_exist(PidTagSubject);
    subs[1] = res_exist(PidTagRowid);
    subs[2] = res_bitmask(1, PidTagMessageFlags, 0x10);
    CU_ASSERT_FALSE(m(res_andor(ROP_RES_AND, 3, subs), row));
    CU_ASSERT(m(res_andor(ROP_RES_OR, 3, subs), row));
    CU_ASSERT(m(res_andor(ROP_RES_AND, 1, subs), row));
    CU_ASSERT_FALSE(m(res_andor(ROP_RES_OR, 1, subs + 1), row));
    CU_ASSERT(m(res_andor(ROP_RES_AND, 0, NULL), row));
    CU_ASSERT_FALSE(m(res_andor(ROP_RES_OR, 0, NULL), row));
    CU_ASSERT(m(res_not(res_andor(ROP_RES_AND, 3, subs)), row));
    /* Comment: its sub-restriction, or true. */
    CU_ASSERT(m(res_comment(NULL), row));
    CU_ASSERT(m(res_comment(res_exist(PidTagSubject)), row));
    CU_ASSERT_FALSE(m(res_comment(res_exist(PidTagRowid)), row));
    /* NULL matches everything; an unknown type nothing. */
    CU_ASSERT(m(NULL, row));
    CU_ASSERT_FALSE(m(res_new(0x0C), row));
    /* The whole tree of every type evaluates without trouble. */
    CU_ASSERT_FALSE(m(res_every_type(), row));
}

static void test_match_subobject(void)
{
    store_row *row = sample_row();
    store_message *msg = apr_pcalloc(pool, sizeof(*msg));
    store_recipient *rc;
    store_attachment *at;
    rop_restriction *to_bob, *pdf;

    msg->recipients = apr_array_make(pool, 2, sizeof(store_recipient));
    msg->attachments = apr_array_make(pool, 1, sizeof(store_attachment));
    store_props_init(&msg->props, pool);
    rc = apr_array_push(msg->recipients);
    memset(rc, 0, sizeof(*rc));
    store_props_init(&rc->props, pool);
    store_props_set_str(&rc->props, PidTagDisplayName, "Alice");
    store_props_set_u32(&rc->props, PidTagRecipientType, 1);
    rc = apr_array_push(msg->recipients);
    memset(rc, 0, sizeof(*rc));
    store_props_init(&rc->props, pool);
    store_props_set_str(&rc->props, PidTagDisplayName, "Bob");
    store_props_set_u32(&rc->props, PidTagRecipientType, 2);
    at = apr_array_push(msg->attachments);
    memset(at, 0, sizeof(*at));
    store_props_init(&at->props, pool);
    store_props_set_str(&at->props, PidTagAttachLongFilename, "report.pdf");

    to_bob = res_subobject(PidTagMessageRecipients,
                           res_prop_str(4, PidTagDisplayName, "bob"));
    pdf = res_subobject(PidTagMessageAttachments,
                        res_content(1, 1, PidTagAttachLongFilename, ".PDF"));
    /* Without the message there is nothing to look at. */
    CU_ASSERT_FALSE(m(to_bob, row));
    row->msg = msg;
    CU_ASSERT(m(to_bob, row));
    CU_ASSERT(m(pdf, row));
    CU_ASSERT_FALSE(m(res_subobject(PidTagMessageRecipients,
                                    res_prop_str(4, PidTagDisplayName,
                                                 "Carol")), row));
    /* Sub-restrictions see the sub-object, not the message. */
    CU_ASSERT_FALSE(m(res_subobject(PidTagMessageAttachments,
                                    res_exist(PidTagSubject)), row));
    CU_ASSERT(m(res_subobject(PidTagMessageRecipients,
                              res_andor(ROP_RES_AND, 0, NULL)), row));
    CU_ASSERT_FALSE(m(res_subobject(PidTagSubject, res_exist(1)), row));
    apr_array_clear(msg->attachments);
    CU_ASSERT_FALSE(m(pdf, row));
}

static void test_match_count(void)
{
    apr_array_header_t *rows = apr_array_make(pool, 5, sizeof(store_row *));
    apr_array_header_t *out;
    rop_restriction *r;
    int i;

    for (i = 0; i < 5; i++) {
        store_row *row = sample_row();

        store_props_set_u32(&row->props, PidTagImportance, (uint32_t)i % 2);
        row->id = (uint64_t)i;
        APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    /* Stateless: count > 0 passes matching rows, count 0 none. */
    r = res_count(2, res_prop_u32(4, PidTagImportance, 0));
    CU_ASSERT(m(r, APR_ARRAY_IDX(rows, 0, store_row *)));
    CU_ASSERT_FALSE(m(r, APR_ARRAY_IDX(rows, 1, store_row *)));
    CU_ASSERT_FALSE(m(res_count(0, res_exist(PidTagSubject)),
                      APR_ARRAY_IDX(rows, 0, store_row *)));
    /* Over a table: at most two of the three matching rows. */
    out = store_rows_restrict(rows, r, pool);
    CU_ASSERT_EQUAL_FATAL(out->nelts, 2);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(out, 0, store_row *)->id, 0);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(out, 1, store_row *)->id, 2);
    out = store_rows_restrict(rows, res_count(10, res_exist(PidTagSubject)),
                              pool);
    CU_ASSERT_EQUAL(out->nelts, 5);
    out = store_rows_restrict(rows, NULL, pool);
    CU_ASSERT_EQUAL(out->nelts, 5);
}

static store_row *sort_row(uint64_t id, const char *subject, int imp)
{
    store_row *row = apr_pcalloc(pool, sizeof(*row));

    store_props_init(&row->props, pool);
    if (subject)
        store_props_set_str(&row->props, PidTagSubject, subject);
    if (imp >= 0)
        store_props_set_u32(&row->props, PidTagImportance, (uint32_t)imp);
    row->id = id;
    return row;
}

static void check_order(apr_array_header_t *rows, const uint64_t *want)
{
    int i;

    for (i = 0; i < rows->nelts; i++)
        CU_ASSERT_EQUAL(APR_ARRAY_IDX(rows, i, store_row *)->id, want[i]);
}

static void test_sort(void)
{
    apr_array_header_t *rows = apr_array_make(pool, 8, sizeof(store_row *));
    rop_sort_order by_subject[] = { { ROP_PT_UNICODE, 0x0037, 0 } };
    rop_sort_order by_imp_desc_subject[] = { { ROP_PT_LONG, 0x0017, 1 },
                                             { ROP_PT_UNICODE, 0x0037, 0 } };
    rop_sort_order by_imp[] = { { ROP_PT_LONG, 0x0017, 0 } };
    static const uint64_t w1[] = { 6, 2, 1, 4, 3, 5 };
    static const uint64_t w2[] = { 2, 3, 5, 1, 4, 6 };
    static const uint64_t w3[] = { 6, 1, 4, 2, 3, 5 };
    static const uint64_t w4[] = { 5, 3, 1, 4, 2, 6 };

    APR_ARRAY_PUSH(rows, store_row *) = sort_row(1, "beta", 1);
    APR_ARRAY_PUSH(rows, store_row *) = sort_row(2, "Alpha", 2);
    APR_ARRAY_PUSH(rows, store_row *) = sort_row(3, "gamma", 2);
    APR_ARRAY_PUSH(rows, store_row *) = sort_row(4, "BETA", 1);
    APR_ARRAY_PUSH(rows, store_row *) = sort_row(5, "zeta", 2);
    APR_ARRAY_PUSH(rows, store_row *) = sort_row(6, NULL, -1);

    /* Case-insensitive, ties stable, missing first. */
    store_rows_sort(rows, by_subject, 1);
    check_order(rows, w1);
    /* Two keys, the first descending: missing goes last then. */
    store_rows_sort(rows, by_imp_desc_subject, 2);
    check_order(rows, w2);
    /* Ties keep the current order. */
    store_rows_sort(rows, by_imp, 1);
    check_order(rows, w3);
    /* Descending subject: missing last. */
    by_subject[0].order = 1;
    store_rows_sort(rows, by_subject, 1);
    check_order(rows, w4);
    /* No orders: unchanged. */
    store_rows_sort(rows, NULL, 0);
    check_order(rows, w4);
}

static void test_sort_large_stable(void)
{
    apr_array_header_t *rows = apr_array_make(pool, 1000, sizeof(store_row *));
    rop_sort_order o[] = { { ROP_PT_LONG, 0x0017, 0 } };
    int i, ok = 1;

    for (i = 0; i < 1000; i++)
        APR_ARRAY_PUSH(rows, store_row *) = sort_row((uint64_t)i, NULL,
                                                     (i * 7919) % 10);
    store_rows_sort(rows, o, 1);
    for (i = 1; i < 1000; i++) {
        store_row *a = APR_ARRAY_IDX(rows, i - 1, store_row *);
        store_row *b = APR_ARRAY_IDX(rows, i, store_row *);
        uint32_t ia = store_props_get(&a->props, PidTagImportance)->v.l;
        uint32_t ib = store_props_get(&b->props, PidTagImportance)->v.l;

        if (ia > ib || (ia == ib && a->id > b->id))
            ok = 0;
    }
    CU_ASSERT(ok);
}

static void test_sort_mv_instance(void)
{
    apr_array_header_t *rows = apr_array_make(pool, 3, sizeof(store_row *));
    rop_sort_order o[] = { { ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE
                             | ROP_PT_UNICODE, 0x8001, 0 } };
    store_row *r;
    int i;

    /* Row 1 and 2 are two instances of the same multi-value; row 3 holds
     * its instance value alone. */
    for (i = 0; i < 2; i++) {
        r = sample_row();
        r->id = (uint64_t)i + 1;
        r->instance = (uint32_t)i;
        APR_ARRAY_PUSH(rows, store_row *) = r;
    }
    r = sort_row(3, NULL, -1);
    store_props_set_str(&r->props, TAG(0x8001, ROP_PT_UNICODE), "apple");
    APR_ARRAY_PUSH(rows, store_row *) = r;
    store_rows_sort(rows, o, 1);
    /* Instance 0 is "red", instance 1 "Blue": apple < Blue < red. */
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(rows, 0, store_row *)->id, 3);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(rows, 1, store_row *)->id, 2);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(rows, 2, store_row *)->id, 1);
}

/* Writes a row over columns and parses it back. */
static int row_roundtrip(const rop_tag_array *cols, const store_props *p,
                         rop_property_row *back)
{
    mapi_wr wr;
    mapi_rd rd;

    mapi_wr_init(&wr, pool, 1 << 20);
    if (store_wr_property_row(&wr, cols, p) < 0)
        return -1;
    mapi_rd_init(&rd, wr.buf, wr.len);
    if (rop_rd_property_row(&rd, pool, cols, cols->count, back) < 0
        || mapi_rd_left(&rd))
        return -1;
    return 0;
}

static void test_property_row(void)
{
    store_row *row = sample_row();
    uint32_t t1[] = { PidTagSubject, TAG_SIZE, TAG_KEYWORDS, TAG_BLOB };
    uint32_t t2[] = { PidTagSubject, PidTagRowid, TAG_SIZE };
    uint32_t t3[] = { TAG(0x0037, ROP_PT_STRING8),
                      TAG(0x001A, ROP_PT_UNICODE),
                      TAG(0x0E08, ROP_PT_UNSPECIFIED),
                      TAG(0x8001, ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE
                                  | ROP_PT_UNICODE) };
    uint32_t t4[] = { TAG(0x0037, ROP_PT_LONG), TAG_ERRPROP,
                      TAG(0x8004, ROP_PT_LONG), TAG(0x1234, ROP_PT_UNSPECIFIED) };
    rop_tag_array c1 = { 4, t1 }, c2 = { 3, t2 }, c3 = { 4, t3 },
                  c4 = { 4, t4 }, c0 = { 0, NULL };
    rop_property_row back;
    rop_propval ev;
    mapi_wr wr;
    uint8_t buf[4];

    /* Every column has a value: a StandardPropertyRow. */
    CU_ASSERT_EQUAL_FATAL(row_roundtrip(&c1, &row->props, &back), 0);
    CU_ASSERT_EQUAL(back.flag, ROP_ROW_STANDARD);
    CU_ASSERT_STRING_EQUAL(back.vals[0].v.str, "Hello World");
    CU_ASSERT_EQUAL(back.vals[1].v.l, 2000);
    CU_ASSERT_EQUAL(back.vals[2].v.mv.count, 2);
    CU_ASSERT_STRING_EQUAL(back.vals[2].v.mv.v.str[1], "Blue");
    CU_ASSERT_EQUAL(back.vals[3].v.bin.len, sizeof(bytes_a));

    /* A missing one: FlaggedPropertyRow with ecNotFound. */
    CU_ASSERT_EQUAL_FATAL(row_roundtrip(&c2, &row->props, &back), 0);
    CU_ASSERT_EQUAL(back.flag, ROP_ROW_FLAGGED);
    CU_ASSERT_EQUAL(back.val_flags[0], 0x00);
    CU_ASSERT_STRING_EQUAL(back.vals[0].v.str, "Hello World");
    CU_ASSERT_EQUAL(back.val_flags[1], 0x0A);
    CU_ASSERT_EQUAL(back.vals[1].v.l, ecNotFound);
    CU_ASSERT_EQUAL(back.val_flags[2], 0x00);
    CU_ASSERT_EQUAL(back.vals[2].v.l, 2000);

    /* String8 <-> String conversion, a PtypUnspecified column (its value
     * typed), and a multi-value-instance column. */
    CU_ASSERT_EQUAL_FATAL(row_roundtrip(&c3, &row->props, &back), 0);
    CU_ASSERT_EQUAL(back.flag, ROP_ROW_STANDARD);
    CU_ASSERT_STRING_EQUAL(back.vals[0].v.str, "Hello World");
    CU_ASSERT_STRING_EQUAL(back.vals[1].v.str, "IPM.Note");
    CU_ASSERT_EQUAL(back.vals[2].tag, TAG_SIZE);
    CU_ASSERT_EQUAL(back.vals[2].v.l, 2000);
    CU_ASSERT_STRING_EQUAL(back.vals[3].v.str, "red");

    /* Wrong type, a stored error value, missing with PtypUnspecified. */
    memset(&ev, 0, sizeof(ev));
    ev.tag = TAG_ERRPROP;
    ev.v.l = ecNotEnoughMemory;
    store_props_set(&row->props, &ev);
    CU_ASSERT_EQUAL_FATAL(row_roundtrip(&c4, &row->props, &back), 0);
    CU_ASSERT_EQUAL(back.flag, ROP_ROW_FLAGGED);
    CU_ASSERT_EQUAL(back.val_flags[0], 0x0A);
    CU_ASSERT_EQUAL(back.vals[0].v.l, ecNotFound);
    CU_ASSERT_EQUAL(back.val_flags[1], 0x00);     /* asked as ErrorCode */
    CU_ASSERT_EQUAL(back.vals[1].v.l, ecNotEnoughMemory);
    CU_ASSERT_EQUAL(back.val_flags[2], 0x0A);
    CU_ASSERT_EQUAL(back.vals[2].v.l, ecNotEnoughMemory);
    CU_ASSERT_EQUAL(back.val_flags[3], 0x0A);
    CU_ASSERT_EQUAL(back.vals[3].v.l, ecNotFound);

    /* A binary too large for the u16 count: an error cell. */
    {
        uint8_t *big = apr_pcalloc(pool, 70000);
        uint32_t t5[] = { TAG_BLOB };
        rop_tag_array c5 = { 1, t5 };

        store_props_set_bin(&row->props, TAG_BLOB, big, 70000);
        CU_ASSERT_EQUAL_FATAL(row_roundtrip(&c5, &row->props, &back), 0);
        CU_ASSERT_EQUAL(back.flag, ROP_ROW_FLAGGED);
        CU_ASSERT_EQUAL(back.val_flags[0], 0x0A);
        CU_ASSERT_EQUAL(back.vals[0].v.l, ecNotEnoughMemory);
    }

    /* No columns: just the flag.  A full writer: -1. */
    CU_ASSERT_EQUAL(row_roundtrip(&c0, &row->props, &back), 0);
    mapi_wr_init_fixed(&wr, buf, sizeof(buf));
    CU_ASSERT_EQUAL(store_wr_property_row(&wr, &c1, &row->props), -1);
    CU_ASSERT(wr.failed);
}

static void test_props_get_as(void)
{
    store_row *row = sample_row();
    const rop_propval *v;
    rop_propval mv;
    const char *s8[] = { "x", "y" };

    v = store_props_get_as(&row->props, pool, PidTagSubject);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->tag, PidTagSubject);
    v = store_props_get_as(&row->props, pool, TAG(0x0037, ROP_PT_STRING8));
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->tag, TAG(0x0037, ROP_PT_STRING8));
    CU_ASSERT_STRING_EQUAL(v->v.str, "Hello World");
    /* The bag is untouched. */
    CU_ASSERT_EQUAL(store_props_get(&row->props, TAG(0x0037, 0))->tag,
                    PidTagSubject);
    v = store_props_get_as(&row->props, pool, TAG(0x001A, ROP_PT_UNICODE));
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->tag, TAG(0x001A, ROP_PT_UNICODE));
    CU_ASSERT_STRING_EQUAL(v->v.str, "IPM.Note");
    v = store_props_get_as(&row->props, pool, TAG(0x0037, ROP_PT_UNSPECIFIED));
    CU_ASSERT(v && v->tag == PidTagSubject);
    CU_ASSERT_PTR_NULL(store_props_get_as(&row->props, pool,
                                          TAG(0x0037, ROP_PT_LONG)));
    CU_ASSERT_PTR_NULL(store_props_get_as(&row->props, pool, PidTagRowid));
    /* Multi-valued strings convert too; single <-> multi does not. */
    memset(&mv, 0, sizeof(mv));
    mv.tag = TAG(0x8005, ROP_PT_MV_FLAG | ROP_PT_STRING8);
    mv.v.mv.count = 2;
    mv.v.mv.v.str = s8;
    store_props_set(&row->props, &mv);
    v = store_props_get_as(&row->props, pool,
                           TAG(0x8005, ROP_PT_MV_FLAG | ROP_PT_UNICODE));
    CU_ASSERT(v && v->v.mv.count == 2
              && strcmp(v->v.mv.v.str[1], "y") == 0);
    CU_ASSERT_PTR_NULL(store_props_get_as(&row->props, pool,
                                          TAG(0x8005, ROP_PT_UNICODE)));
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("values", NULL, NULL);
    CU_add_test(s, "scalar values round trip", test_scalar_roundtrip);
    CU_add_test(s, "String UTF-16LE and String8 bytes", test_string_encodings);
    CU_add_test(s, "binary u16 count limit", test_binary_limits);
    CU_add_test(s, "multi-valued round trip", test_multivalued_roundtrip);
    CU_add_test(s, "MV instance column value", test_mv_instance_value);
    CU_add_test(s, "rule actions round trip", test_actions_roundtrip);
    CU_add_test(s, "every restriction type", test_restriction_each_type);
    CU_add_test(s, "nested restriction of every type",
                test_restriction_nested);
    CU_add_test(s, "restriction deep copy", test_restriction_dup);
    CU_add_test(s, "restriction deep copy of an empty ServerId",
                test_restriction_dup_empty_bin);
    CU_add_test(s, "Boolean byte other than 0 or 1", test_boolean_not_01);
    CU_add_test(s, "multi-value-instance tagged value", test_mvi_tagged_value);
    CU_add_test(s, "PropertyName round trip", test_property_name_roundtrip);
    CU_add_test(s, "LongTermId round trip", test_long_term_id_roundtrip);
    s = CU_add_suite("store_table", NULL, NULL);
    CU_add_test(s, "value comparison", test_propval_cmp);
    CU_add_test(s, "Content restriction", test_match_content);
    CU_add_test(s, "Property restriction, every RelOp", test_match_property);
    CU_add_test(s, "Compare, Bitmask, Size, Exist, And/Or/Not, Comment",
                test_match_other_types);
    CU_add_test(s, "SubObject over recipients and attachments",
                test_match_subobject);
    CU_add_test(s, "Count restriction", test_match_count);
    CU_add_test(s, "stable multi-key sort", test_sort);
    CU_add_test(s, "sort of 1000 rows stays stable", test_sort_large_stable);
    CU_add_test(s, "sort by MV instance", test_sort_mv_instance);
    CU_add_test(s, "PropertyRow standard and flagged", test_property_row);
    CU_add_test(s, "store_props_get_as conversion", test_props_get_as);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    apr_pool_destroy(pool);
    apr_terminate();
    return failures ? 1 : 0;
}
