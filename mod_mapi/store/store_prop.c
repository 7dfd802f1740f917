/*
 * store_prop.c: the property bag of folders, messages, recipients,
 * attachments and the store object, and its record codec.
 *
 * A bag is kept sorted by property id with one value per id, so that a
 * lookup is a binary search and an encoded record is canonical (the same
 * bag always encodes to the same bytes).  Values are deep copies in the
 * bag's pool: callers hand in values that point into request buffers that
 * die with the request.
 *
 * Record form (little-endian): u32 count, then per value u32 tag and a
 * body.  Scalars have their natural width; strings, binaries and
 * multi-value counts are u32-counted (the wire form's 16-bit binary counts
 * are too small for attachment data); a restriction is u32-counted wire
 * form; rule actions are a u32 count of blocks.  The decoder trusts
 * nothing: every count is checked against the bytes left before anything
 * is allocated, tags must be strictly increasing by id, and types must be
 * ones the encoder writes.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store_internal.h"

#include <string.h>
#include <apr_strings.h>

#define STORE_PROPS_MIN_CAP 8

void store_props_init(store_props *p, apr_pool_t *pool)
{
    p->count = 0;
    p->cap = 0;
    p->vals = NULL;
    p->pool = pool;
}

/* Index of the value with this id, or -(insertion point) - 1. */
static long store_props_find(const store_props *p, uint16_t id)
{
    long lo = 0, hi = (long)p->count - 1;

    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        uint16_t mid_id = ROP_PROP_ID(p->vals[mid].tag);

        if (mid_id == id)
            return mid;
        if (mid_id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -lo - 1;
}

const rop_propval *store_props_get(const store_props *p, uint32_t tag)
{
    long i;

    if (p == NULL || p->count == 0)
        return NULL;
    i = store_props_find(p, ROP_PROP_ID(tag));
    if (i < 0)
        return NULL;
    if (ROP_PROP_TYPE(tag) != ROP_PT_UNSPECIFIED &&
        ROP_PROP_TYPE(tag) != ROP_PROP_TYPE(p->vals[i].tag))
        return NULL;
    return &p->vals[i];
}

static void store_props_grow(store_props *p)
{
    unsigned cap = p->cap ? p->cap * 2 : STORE_PROPS_MIN_CAP;
    rop_propval *vals = apr_palloc(p->pool, cap * sizeof(*vals));

    if (p->count)
        memcpy(vals, p->vals, p->count * sizeof(*vals));
    p->vals = vals;
    p->cap = cap;
}

static const char *store_strdup(apr_pool_t *pool, const char *s)
{
    return apr_pstrdup(pool, s ? s : "");
}

static rop_bin store_bindup(apr_pool_t *pool, const rop_bin *b)
{
    rop_bin out = { b->len, NULL };

    /* Always a valid pointer, even for an empty value, so that callers
     * can memcpy from it without a special case. */
    out.data = apr_pmemdup(pool, b->len && b->data ? b->data : (const void *)"",
                           b->len ? b->len : 1);
    if (b->data == NULL)
        out.len = 0;
    return out;
}

static const uint8_t *store_guiddup(apr_pool_t *pool, const uint8_t *g)
{
    return g ? apr_pmemdup(pool, g, 16) : apr_pcalloc(pool, 16);
}

static rop_rule_actions *store_actions_dup(apr_pool_t *pool,
                                           const rop_rule_actions *a)
{
    rop_rule_actions *out = apr_pcalloc(pool, sizeof(*out));

    if (a == NULL)
        return out;
    out->count = a->count;
    out->blocks = apr_pcalloc(pool, (a->count ? a->count : 1) *
                                    sizeof(*out->blocks));
    for (unsigned i = 0; i < a->count; i++) {
        out->blocks[i] = a->blocks[i];
        out->blocks[i].data = store_bindup(pool, &a->blocks[i].data);
    }
    return out;
}

/* Element size of a fixed-width multi-valued type; 0 for the others. */
static size_t store_mv_width(uint16_t base)
{
    switch (base) {
    case ROP_PT_I2:
        return 2;
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
        return 4;
    case ROP_PT_DOUBLE:
    case ROP_PT_CURRENCY:
    case ROP_PT_APPTIME:
    case ROP_PT_I8:
    case ROP_PT_SYSTIME:
        return 8;
    default:
        return 0;
    }
}

static void store_mv_copy(apr_pool_t *pool, rop_propval *dst,
                          const rop_propval *src)
{
    uint16_t base = ROP_PROP_TYPE(src->tag) & ~ROP_PT_MV_FLAG;
    uint32_t n = src->v.mv.count;
    size_t w = store_mv_width(base);

    dst->v.mv.count = n;
    if (w) {
        /* The union members share one pointer; any of them copies. */
        dst->v.mv.v.l = apr_pmemdup(pool, n && src->v.mv.v.l ?
                                    (const void *)src->v.mv.v.l : "",
                                    n ? n * w : 1);
        if (src->v.mv.v.l == NULL)
            dst->v.mv.count = 0;
        return;
    }
    switch (base) {
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        dst->v.mv.v.str = apr_pcalloc(pool, (n ? n : 1) * sizeof(char *));
        for (uint32_t i = 0; i < n; i++)
            dst->v.mv.v.str[i] = store_strdup(pool, src->v.mv.v.str[i]);
        break;
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:
        dst->v.mv.v.bin = apr_pcalloc(pool, (n ? n : 1) * sizeof(rop_bin));
        for (uint32_t i = 0; i < n; i++)
            dst->v.mv.v.bin[i] = store_bindup(pool, &src->v.mv.v.bin[i]);
        break;
    case ROP_PT_CLSID:
        dst->v.mv.v.guid = apr_pcalloc(pool, (n ? n : 1) * sizeof(uint8_t *));
        for (uint32_t i = 0; i < n; i++)
            dst->v.mv.v.guid[i] = store_guiddup(pool, src->v.mv.v.guid[i]);
        break;
    default:
        dst->v.mv.count = 0;
        dst->v.mv.v.l = NULL;
        break;
    }
}

void store_propval_copy(apr_pool_t *pool, rop_propval *dst,
                        const rop_propval *src)
{
    uint16_t type = ROP_PROP_TYPE(src->tag);

    *dst = *src;
    if (type & ROP_PT_MV_FLAG) {
        store_mv_copy(pool, dst, src);
        return;
    }
    switch (type) {
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        dst->v.str = store_strdup(pool, src->v.str);
        break;
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:
    case STORE_PT_BLOBREF:
        dst->v.bin = store_bindup(pool, &src->v.bin);
        break;
    case ROP_PT_CLSID:
        dst->v.guid = store_guiddup(pool, src->v.guid);
        break;
    case ROP_PT_SRESTRICTION:
        dst->v.res = src->v.res ? rop_restriction_dup(pool, src->v.res)
                                : NULL;
        break;
    case ROP_PT_ACTIONS:
        dst->v.actions = store_actions_dup(pool, src->v.actions);
        break;
    default:
        break;    /* scalars: the struct copy was the copy */
    }
}

/* Puts a value that already lives in the bag's pool. */
static void store_props_put(store_props *p, const rop_propval *v)
{
    long i = store_props_find(p, ROP_PROP_ID(v->tag));

    if (i >= 0) {
        p->vals[i] = *v;
        return;
    }
    i = -i - 1;
    if (p->count == p->cap)
        store_props_grow(p);
    memmove(&p->vals[i + 1], &p->vals[i],
            (p->count - (unsigned)i) * sizeof(*p->vals));
    p->vals[i] = *v;
    p->count++;
}

void store_props_set(store_props *p, const rop_propval *v)
{
    rop_propval copy;

    store_propval_copy(p->pool, &copy, v);
    store_props_put(p, &copy);
}

void store_props_set_u32(store_props *p, uint32_t tag, uint32_t v)
{
    rop_propval pv = { .tag = tag };

    pv.v.l = v;
    store_props_put(p, &pv);
}

void store_props_set_u64(store_props *p, uint32_t tag, uint64_t v)
{
    rop_propval pv = { .tag = tag };

    pv.v.d = v;
    store_props_put(p, &pv);
}

void store_props_set_bool(store_props *p, uint32_t tag, int v)
{
    rop_propval pv = { .tag = tag };

    pv.v.b = v ? 1 : 0;
    store_props_put(p, &pv);
}

void store_props_set_str(store_props *p, uint32_t tag, const char *s)
{
    rop_propval pv = { .tag = tag };

    pv.v.str = s;
    store_props_set(p, &pv);
}

void store_props_set_bin(store_props *p, uint32_t tag, const void *data,
                         uint32_t len)
{
    rop_propval pv = { .tag = tag };

    pv.v.bin.len = len;
    pv.v.bin.data = data;
    store_props_set(p, &pv);
}

int store_props_del(store_props *p, uint32_t tag)
{
    long i;

    if (p->count == 0)
        return 0;
    i = store_props_find(p, ROP_PROP_ID(tag));
    if (i < 0)
        return 0;
    memmove(&p->vals[i], &p->vals[i + 1],
            (p->count - (unsigned)i - 1) * sizeof(*p->vals));
    p->count--;
    return 1;
}

void store_props_copy(store_props *dst, const store_props *src)
{
    for (unsigned i = 0; src && i < src->count; i++)
        store_props_set(dst, &src->vals[i]);
}

/* -------------------------------------------------------------- encode -- */

static void store_wr_str(mapi_wr *wr, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n > UINT32_MAX) {
        wr->failed = 1;
        return;
    }
    mapi_wr_u32(wr, (uint32_t)n);
    mapi_wr_bytes(wr, s ? s : "", n);
}

static void store_wr_bin(mapi_wr *wr, const rop_bin *b)
{
    mapi_wr_u32(wr, b->data ? b->len : 0);
    if (b->data && b->len)
        mapi_wr_bytes(wr, b->data, b->len);
}

static void store_wr_guid(mapi_wr *wr, const uint8_t *g)
{
    if (g)
        mapi_wr_bytes(wr, g, 16);
    else
        mapi_wr_zero(wr, 16);
}

static void store_wr_scalar(mapi_wr *wr, size_t w, const void *elems,
                            uint32_t i)
{
    if (w == 2)
        mapi_wr_u16(wr, ((const uint16_t *)elems)[i]);
    else if (w == 4)
        mapi_wr_u32(wr, ((const uint32_t *)elems)[i]);
    else
        mapi_wr_u64(wr, ((const uint64_t *)elems)[i]);
}

static int store_wr_mv(mapi_wr *wr, const rop_propval *v)
{
    uint16_t base = ROP_PROP_TYPE(v->tag) & ~ROP_PT_MV_FLAG;
    uint32_t n = v->v.mv.count;
    size_t w = store_mv_width(base);

    mapi_wr_u32(wr, n);
    for (uint32_t i = 0; i < n; i++) {
        if (w)
            store_wr_scalar(wr, w, v->v.mv.v.l, i);
        else if (base == ROP_PT_STRING8 || base == ROP_PT_UNICODE)
            store_wr_str(wr, v->v.mv.v.str[i]);
        else if (base == ROP_PT_BINARY || base == ROP_PT_SVREID)
            store_wr_bin(wr, &v->v.mv.v.bin[i]);
        else if (base == ROP_PT_CLSID)
            store_wr_guid(wr, v->v.mv.v.guid[i]);
        else
            return -1;
    }
    return 0;
}

static int store_wr_restriction(mapi_wr *wr, const rop_restriction *r)
{
    size_t off = mapi_wr_reserve(wr, 4);
    size_t start = wr->len;

    if (off == (size_t)-1)
        return -1;
    if (r != NULL && rop_wr_restriction(wr, r) != 0)
        return -1;
    mapi_wr_put_u32_at(wr, off, (uint32_t)(wr->len - start));
    return 0;
}

static void store_wr_actions(mapi_wr *wr, const rop_rule_actions *a)
{
    uint32_t n = a ? a->count : 0;

    mapi_wr_u32(wr, n);
    for (uint32_t i = 0; i < n; i++) {
        mapi_wr_u8(wr, a->blocks[i].type);
        mapi_wr_u32(wr, a->blocks[i].flavor);
        mapi_wr_u32(wr, a->blocks[i].flags);
        store_wr_bin(wr, &a->blocks[i].data);
    }
}

static int store_wr_value(mapi_wr *wr, const rop_propval *v)
{
    uint16_t type = ROP_PROP_TYPE(v->tag);

    if (type & ROP_PT_MV_FLAG)
        return store_wr_mv(wr, v);
    switch (type) {
    case ROP_PT_UNSPECIFIED:
    case ROP_PT_NULL:
        return 0;
    case ROP_PT_BOOLEAN:
        return mapi_wr_u8(wr, v->v.b);
    case ROP_PT_I2:
        return mapi_wr_u16(wr, v->v.i2);
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
    case ROP_PT_ERROR:
    case ROP_PT_OBJECT:
        return mapi_wr_u32(wr, v->v.l);
    case ROP_PT_DOUBLE:
    case ROP_PT_CURRENCY:
    case ROP_PT_APPTIME:
    case ROP_PT_I8:
    case ROP_PT_SYSTIME:
        return mapi_wr_u64(wr, v->v.d);
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        store_wr_str(wr, v->v.str);
        return 0;
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:
    case STORE_PT_BLOBREF:    /* a large value's reference (store.h) */
        store_wr_bin(wr, &v->v.bin);
        return 0;
    case ROP_PT_CLSID:
        store_wr_guid(wr, v->v.guid);
        return 0;
    case ROP_PT_SRESTRICTION:
        return store_wr_restriction(wr, v->v.res);
    case ROP_PT_ACTIONS:
        store_wr_actions(wr, v->v.actions);
        return 0;
    default:
        return -1;
    }
}

int store_props_encode(mapi_wr *wr, const store_props *p)
{
    unsigned n = p ? p->count : 0;

    mapi_wr_u32(wr, n);
    for (unsigned i = 0; i < n; i++) {
        mapi_wr_u32(wr, p->vals[i].tag);
        if (store_wr_value(wr, &p->vals[i]) != 0)
            wr->failed = 1;
        if (wr->failed)
            return -1;
    }
    return wr->failed ? -1 : 0;
}

/* -------------------------------------------------------------- decode -- */

/* A u32 count that must fit in what is left at min bytes per element. */
static int store_rd_count(mapi_rd *rd, size_t min, uint32_t *n_r)
{
    uint32_t n;

    if (mapi_rd_u32(rd, &n) != 0)
        return -1;
    if (min && (uint64_t)n * min > mapi_rd_left(rd)) {
        rd->failed = 1;
        return -1;
    }
    *n_r = n;
    return 0;
}

static int store_rd_str(mapi_rd *rd, apr_pool_t *pool, const char **s_r)
{
    uint32_t n;
    const uint8_t *data;
    char *s;

    if (store_rd_count(rd, 1, &n) != 0 || mapi_rd_view(rd, n, &data) != 0)
        return -1;
    s = apr_palloc(pool, (size_t)n + 1);
    memcpy(s, data, n);
    s[n] = '\0';
    *s_r = s;
    return 0;
}

static int store_rd_bin(mapi_rd *rd, apr_pool_t *pool, rop_bin *b)
{
    uint32_t n;
    const uint8_t *data;

    if (store_rd_count(rd, 1, &n) != 0 || mapi_rd_view(rd, n, &data) != 0)
        return -1;
    b->len = n;
    b->data = apr_pmemdup(pool, n ? (const void *)data : "", n ? n : 1);
    return 0;
}

static int store_rd_guid(mapi_rd *rd, apr_pool_t *pool, const uint8_t **g_r)
{
    uint8_t *g = apr_palloc(pool, 16);

    if (mapi_rd_bytes(rd, g, 16) != 0)
        return -1;
    *g_r = g;
    return 0;
}

static int store_rd_fixed_mv(mapi_rd *rd, apr_pool_t *pool, size_t w,
                             uint32_t n, rop_propval *v)
{
    void *elems = apr_palloc(pool, n ? n * w : 1);

    for (uint32_t i = 0; i < n; i++) {
        int r;

        if (w == 2)
            r = mapi_rd_u16(rd, &((uint16_t *)elems)[i]);
        else if (w == 4)
            r = mapi_rd_u32(rd, &((uint32_t *)elems)[i]);
        else
            r = mapi_rd_u64(rd, &((uint64_t *)elems)[i]);
        if (r != 0)
            return -1;
    }
    v->v.mv.v.l = elems;
    return 0;
}

static int store_rd_mv(mapi_rd *rd, apr_pool_t *pool, rop_propval *v)
{
    uint16_t base = ROP_PROP_TYPE(v->tag) & ~ROP_PT_MV_FLAG;
    size_t w = store_mv_width(base);
    int is_str = base == ROP_PT_STRING8 || base == ROP_PT_UNICODE;
    int is_bin = base == ROP_PT_BINARY || base == ROP_PT_SVREID;
    uint32_t n;

    if (!w && !is_str && !is_bin && base != ROP_PT_CLSID)
        return -1;
    if (store_rd_count(rd, w ? w : is_str || is_bin ? 4 : 16, &n) != 0)
        return -1;
    v->v.mv.count = n;
    if (w)
        return store_rd_fixed_mv(rd, pool, w, n, v);
    if (is_str) {
        v->v.mv.v.str = apr_pcalloc(pool, (n ? n : 1) * sizeof(char *));
        for (uint32_t i = 0; i < n; i++)
            if (store_rd_str(rd, pool, &v->v.mv.v.str[i]) != 0)
                return -1;
    } else if (is_bin) {
        v->v.mv.v.bin = apr_pcalloc(pool, (n ? n : 1) * sizeof(rop_bin));
        for (uint32_t i = 0; i < n; i++)
            if (store_rd_bin(rd, pool, &v->v.mv.v.bin[i]) != 0)
                return -1;
    } else {
        v->v.mv.v.guid = apr_pcalloc(pool, (n ? n : 1) * sizeof(uint8_t *));
        for (uint32_t i = 0; i < n; i++)
            if (store_rd_guid(rd, pool, &v->v.mv.v.guid[i]) != 0)
                return -1;
    }
    return 0;
}

/* The restriction is parsed from a pool copy of its bytes, so that the
 * views the ROP parser makes point into the pool, not into the record. */
static int store_rd_restriction(mapi_rd *rd, apr_pool_t *pool,
                                rop_restriction **res_r)
{
    uint32_t n;
    const uint8_t *data;
    mapi_rd sub;

    if (store_rd_count(rd, 1, &n) != 0 || mapi_rd_view(rd, n, &data) != 0)
        return -1;
    *res_r = NULL;
    if (n == 0)
        return 0;
    mapi_rd_init(&sub, apr_pmemdup(pool, data, n), n);
    if (rop_rd_restriction(&sub, pool, 0, res_r) != 0 ||
        mapi_rd_left(&sub) != 0)
        return -1;
    return 0;
}

static int store_rd_actions(mapi_rd *rd, apr_pool_t *pool,
                            rop_rule_actions **a_r)
{
    rop_rule_actions *a = apr_pcalloc(pool, sizeof(*a));
    uint32_t n;

    /* A block is at least type, flavor, flags and a data count. */
    if (store_rd_count(rd, 13, &n) != 0 || n > UINT16_MAX)
        return -1;
    a->count = (uint16_t)n;
    a->blocks = apr_pcalloc(pool, (n ? n : 1) * sizeof(*a->blocks));
    for (uint32_t i = 0; i < n; i++) {
        rop_action_block *b = &a->blocks[i];

        if (mapi_rd_u8(rd, &b->type) != 0 ||
            mapi_rd_u32(rd, &b->flavor) != 0 ||
            mapi_rd_u32(rd, &b->flags) != 0 ||
            store_rd_bin(rd, pool, &b->data) != 0)
            return -1;
    }
    *a_r = a;
    return 0;
}

static int store_rd_value(mapi_rd *rd, apr_pool_t *pool, rop_propval *v)
{
    uint16_t type = ROP_PROP_TYPE(v->tag);

    if (type & ROP_PT_MV_FLAG)
        return (type & ROP_PT_MV_INSTANCE) ? -1 : store_rd_mv(rd, pool, v);
    switch (type) {
    case ROP_PT_UNSPECIFIED:
    case ROP_PT_NULL:
        return 0;
    case ROP_PT_BOOLEAN:
        if (mapi_rd_u8(rd, &v->v.b) != 0 || v->v.b > 1)
            return -1;
        return 0;
    case ROP_PT_I2:
        return mapi_rd_u16(rd, &v->v.i2);
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
    case ROP_PT_ERROR:
    case ROP_PT_OBJECT:
        return mapi_rd_u32(rd, &v->v.l);
    case ROP_PT_DOUBLE:
    case ROP_PT_CURRENCY:
    case ROP_PT_APPTIME:
    case ROP_PT_I8:
    case ROP_PT_SYSTIME:
        return mapi_rd_u64(rd, &v->v.d);
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        return store_rd_str(rd, pool, &v->v.str);
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:
        return store_rd_bin(rd, pool, &v->v.bin);
    case STORE_PT_BLOBREF:
        return store_rd_bin(rd, pool, &v->v.bin) == 0 &&
               store_blob_ref_valid(v) ? 0 : -1;
    case ROP_PT_CLSID:
        return store_rd_guid(rd, pool, &v->v.guid);
    case ROP_PT_SRESTRICTION:
        return store_rd_restriction(rd, pool, &v->v.res);
    case ROP_PT_ACTIONS:
        return store_rd_actions(rd, pool, &v->v.actions);
    default:
        return -1;
    }
}

int store_props_decode(mapi_rd *rd, apr_pool_t *pool, store_props *p)
{
    uint32_t n;
    int prev_id = -1;

    store_props_init(p, pool);
    /* Every value has at least its 4-byte tag. */
    if (store_rd_count(rd, 4, &n) != 0 || n > 0xFFFF)
        return -1;
    if (n == 0)
        return 0;
    p->vals = apr_pcalloc(pool, n * sizeof(*p->vals));
    p->cap = n;
    for (uint32_t i = 0; i < n; i++) {
        rop_propval *v = &p->vals[i];

        if (mapi_rd_u32(rd, &v->tag) != 0 ||
            (int)ROP_PROP_ID(v->tag) <= prev_id ||
            store_rd_value(rd, pool, v) != 0) {
            rd->failed = 1;
            store_props_init(p, pool);
            return -1;
        }
        prev_id = ROP_PROP_ID(v->tag);
        p->count++;
    }
    return 0;
}
