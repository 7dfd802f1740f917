/*
 * rop_types.c: parsers for the structures shared by many ROP requests
 * ([MS-OXCDATA] 2.6, 2.8, 2.9, 2.11, 2.12, 2.13; [MS-OXORULE] 2.2.5).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <apr_strings.h>
#include "rop_types.h"

/* ---- request header ------------------------------------------------- */

int rop_rd_hdr_in(mapi_rd *rd, rop_call *call)
{
    mapi_rd_u8(rd, &call->logon_id);
    mapi_rd_u8(rd, &call->in_handle_index);
    return rd->failed ? -1 : 0;
}

int rop_rd_hdr_in_out(mapi_rd *rd, rop_call *call)
{
    mapi_rd_u8(rd, &call->logon_id);
    mapi_rd_u8(rd, &call->in_handle_index);
    mapi_rd_u8(rd, &call->out_handle_index);
    return rd->failed ? -1 : 0;
}

int rop_rd_hdr_src_dst(mapi_rd *rd, rop_call *call)
{
    mapi_rd_u8(rd, &call->logon_id);
    mapi_rd_u8(rd, &call->in_handle_index);
    mapi_rd_u8(rd, &call->dest_handle_index);
    return rd->failed ? -1 : 0;
}

int rop_rd_hdr_resp_in(mapi_rd *rd, rop_call *call)
{
    mapi_rd_u8(rd, &call->logon_id);
    mapi_rd_u8(rd, &call->resp_handle_index);
    mapi_rd_u8(rd, &call->in_handle_index);
    return rd->failed ? -1 : 0;
}

int rop_parse_hdr_only(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    (void)pool;
    return rop_rd_hdr_in(rd, call);
}

int rop_parse_hdr_in_out_only(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    (void)pool;
    return rop_rd_hdr_in_out(rd, call);
}

/* ---- counted primitives --------------------------------------------- */

int rop_rd_count_ok(mapi_rd *rd, uint64_t count, size_t min_size)
{
    if (rd->failed)
        return -1;
    if (min_size == 0)
        min_size = 1;
    /* count <= 2^32 and min_size is small, so the product cannot wrap. */
    if (count * min_size > mapi_rd_left(rd)) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

int rop_rd_bin_n(mapi_rd *rd, size_t n, rop_bin *bin_r)
{
    bin_r->len = (uint32_t)n;
    bin_r->data = NULL;
    return mapi_rd_view(rd, n, &bin_r->data);
}

int rop_rd_bin16(mapi_rd *rd, rop_bin *bin_r)
{
    uint16_t n;

    if (mapi_rd_u16(rd, &n) < 0)
        return -1;
    return rop_rd_bin_n(rd, n, bin_r);
}

int rop_rd_bin32(mapi_rd *rd, rop_bin *bin_r)
{
    uint32_t n;

    if (mapi_rd_u32(rd, &n) < 0)
        return -1;
    return rop_rd_bin_n(rd, n, bin_r);
}

int rop_rd_str(mapi_rd *rd, apr_pool_t *pool, int unicode, const char **s_r)
{
    size_t left = mapi_rd_left(rd);

    *s_r = NULL;
    if (unicode)
        return mapi_rd_str16(rd, pool, left / 2, s_r);
    return mapi_rd_str8(rd, pool, left, s_r);
}

int rop_rd_u64_array(mapi_rd *rd, apr_pool_t *pool, uint16_t *count_r,
                     uint64_t **ids_r)
{
    uint16_t i;

    *ids_r = NULL;
    if (mapi_rd_u16(rd, count_r) < 0 || rop_rd_count_ok(rd, *count_r, 8) < 0)
        return -1;
    *ids_r = apr_pcalloc(pool, (size_t)*count_r * sizeof(uint64_t) + 1);
    for (i = 0; i < *count_r; i++)
        mapi_rd_u64(rd, &(*ids_r)[i]);
    return rd->failed ? -1 : 0;
}

int rop_rd_long_term_id(mapi_rd *rd, rop_long_term_id *ltid)
{
    mapi_rd_bytes(rd, ltid->database_guid, 16);
    mapi_rd_bytes(rd, ltid->global_counter, 6);
    mapi_rd_u16(rd, &ltid->pad);
    return rd->failed ? -1 : 0;
}

int rop_rd_tag_array(mapi_rd *rd, apr_pool_t *pool, rop_tag_array *a)
{
    uint16_t i;

    a->tags = NULL;
    if (mapi_rd_u16(rd, &a->count) < 0 || rop_rd_count_ok(rd, a->count, 4) < 0)
        return -1;
    a->tags = apr_pcalloc(pool, (size_t)a->count * sizeof(uint32_t) + 1);
    for (i = 0; i < a->count; i++)
        mapi_rd_u32(rd, &a->tags[i]);
    return rd->failed ? -1 : 0;
}

int rop_rd_propid_array(mapi_rd *rd, apr_pool_t *pool, uint16_t *count_r,
                        uint16_t **ids_r)
{
    uint16_t i;

    *ids_r = NULL;
    if (mapi_rd_u16(rd, count_r) < 0 || rop_rd_count_ok(rd, *count_r, 2) < 0)
        return -1;
    *ids_r = apr_pcalloc(pool, (size_t)*count_r * sizeof(uint16_t) + 1);
    for (i = 0; i < *count_r; i++)
        mapi_rd_u16(rd, &(*ids_r)[i]);
    return rd->failed ? -1 : 0;
}

/* ---- property values ------------------------------------------------ */

static int rop_fail(mapi_rd *rd)
{
    rd->failed = 1;
    return -1;
}

static int rop_rd_rule_actions(mapi_rd *rd, apr_pool_t *pool,
                               rop_rule_actions **act_r);

/* Smallest wire size of one element of a multi-valued type, 0 if the
 * type is not a valid PtypMultipleXxx. */
static size_t rop_mv_elem_min(uint16_t base)
{
    switch (base) {
    case ROP_PT_I2:       return 2;
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:    return 4;
    case ROP_PT_DOUBLE:
    case ROP_PT_CURRENCY:
    case ROP_PT_APPTIME:
    case ROP_PT_I8:
    case ROP_PT_SYSTIME:  return 8;
    case ROP_PT_CLSID:    return 16;
    case ROP_PT_STRING8:  return 1;
    case ROP_PT_UNICODE:
    case ROP_PT_BINARY:   return 2;
    default:              return 0;
    }
}

/* Multi-valued: a 32-bit value count in ROP buffers ([MS-OXCDATA]
 * 2.11.1.1), then the values. */
static int rop_rd_mv(mapi_rd *rd, apr_pool_t *pool, uint16_t base,
                     rop_propval *pv)
{
    size_t min = rop_mv_elem_min(base);
    uint32_t i, n;

    if (min == 0 || mapi_rd_u32(rd, &n) < 0 || rop_rd_count_ok(rd, n, min) < 0)
        return rop_fail(rd);
    pv->v.mv.count = n;
    switch (min) {
    case 2:
        if (base == ROP_PT_I2) {
            pv->v.mv.v.i2 = apr_pcalloc(pool, (size_t)n * 2 + 1);
            for (i = 0; i < n; i++)
                mapi_rd_u16(rd, &pv->v.mv.v.i2[i]);
        } else if (base == ROP_PT_BINARY) {
            pv->v.mv.v.bin = apr_pcalloc(pool, (size_t)n * sizeof(rop_bin) + 1);
            for (i = 0; i < n && !rd->failed; i++)
                rop_rd_bin16(rd, &pv->v.mv.v.bin[i]);
        } else {
            pv->v.mv.v.str = apr_pcalloc(pool, (size_t)n * sizeof(char *) + 1);
            for (i = 0; i < n && !rd->failed; i++)
                rop_rd_str(rd, pool, 1, &pv->v.mv.v.str[i]);
        }
        break;
    case 1:
        pv->v.mv.v.str = apr_pcalloc(pool, (size_t)n * sizeof(char *) + 1);
        for (i = 0; i < n && !rd->failed; i++)
            rop_rd_str(rd, pool, 0, &pv->v.mv.v.str[i]);
        break;
    case 4:
        pv->v.mv.v.l = apr_pcalloc(pool, (size_t)n * 4 + 1);
        for (i = 0; i < n; i++)
            mapi_rd_u32(rd, &pv->v.mv.v.l[i]);
        break;
    case 8:
        pv->v.mv.v.d = apr_pcalloc(pool, (size_t)n * 8 + 1);
        for (i = 0; i < n; i++)
            mapi_rd_u64(rd, &pv->v.mv.v.d[i]);
        break;
    default: /* 16: GUIDs */
        pv->v.mv.v.guid = apr_pcalloc(pool, (size_t)n * sizeof(uint8_t *) + 1);
        for (i = 0; i < n; i++)
            mapi_rd_view(rd, 16, &pv->v.mv.v.guid[i]);
        break;
    }
    return rd->failed ? -1 : 0;
}

static int rop_rd_scalar(mapi_rd *rd, apr_pool_t *pool, uint16_t type,
                         unsigned depth, rop_propval *pv)
{
    switch (type) {
    case ROP_PT_NULL:         return 0;
    case ROP_PT_BOOLEAN:
        /* [MS-OXCDATA] 2.11.1 restricts it to 1 or 0; another byte counts
         * as TRUE, and is kept as 1, so that what a client sets reads
         * back from the store's records (which hold 0 or 1 only). */
        if (mapi_rd_u8(rd, &pv->v.b) < 0)
            return -1;
        pv->v.b = pv->v.b != 0;
        return 0;
    case ROP_PT_I2:           return mapi_rd_u16(rd, &pv->v.i2);
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
    case ROP_PT_ERROR:        return mapi_rd_u32(rd, &pv->v.l);
    case ROP_PT_DOUBLE:
    case ROP_PT_CURRENCY:
    case ROP_PT_APPTIME:
    case ROP_PT_I8:
    case ROP_PT_SYSTIME:      return mapi_rd_u64(rd, &pv->v.d);
    case ROP_PT_STRING8:      return rop_rd_str(rd, pool, 0, &pv->v.str);
    case ROP_PT_UNICODE:      return rop_rd_str(rd, pool, 1, &pv->v.str);
    case ROP_PT_CLSID:        return mapi_rd_view(rd, 16, &pv->v.guid);
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:       return rop_rd_bin16(rd, &pv->v.bin);
    case ROP_PT_SRESTRICTION: return rop_rd_restriction(rd, pool, depth,
                                                        &pv->v.res);
    case ROP_PT_ACTIONS:      return rop_rd_rule_actions(rd, pool,
                                                         &pv->v.actions);
    default:
        /* PtypUnspecified, PtypObject and unknown types carry no
         * transmittable value in a request. */
        return rop_fail(rd);
    }
}

int rop_rd_propval(mapi_rd *rd, apr_pool_t *pool, uint16_t type,
                   unsigned depth, rop_propval *pv)
{
    /* A multi-value-instance column (MV|MVI) holds one value of the base
     * type. */
    if ((type & (ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE))
        == (ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE))
        type &= (uint16_t)~(ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE);
    if (type & ROP_PT_MV_INSTANCE)
        return rop_fail(rd);
    if (type & ROP_PT_MV_FLAG)
        return rop_rd_mv(rd, pool, type & (uint16_t)~ROP_PT_MV_FLAG, pv);
    return rop_rd_scalar(rd, pool, type, depth, pv) < 0 ? rop_fail(rd) : 0;
}

/* A multi-value-instance type (MV|MVI) holds one value of its base type:
 * the value read under such a tag is tagged with the base type, so that
 * nothing after the parser takes it for a multi-valued one (the store,
 * the copies and the writers look at the MV bit alone; fuzz_restriction
 * found a deep copy reading a Binary as an array of them). */
static uint32_t rop_single_tag(uint32_t tag)
{
    const uint32_t mvi = ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE;

    return (tag & mvi) == mvi ? tag & ~mvi : tag;
}

int rop_rd_tagged_propval(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                          rop_propval *pv)
{
    if (mapi_rd_u32(rd, &pv->tag) < 0)
        return -1;
    if (rop_rd_propval(rd, pool, ROP_PROP_TYPE(pv->tag), depth, pv) < 0)
        return -1;
    pv->tag = rop_single_tag(pv->tag);
    return 0;
}

int rop_rd_tagged_propvals_n(mapi_rd *rd, apr_pool_t *pool, uint16_t count,
                             rop_propval_array *a)
{
    uint16_t i;

    a->count = count;
    a->vals = NULL;
    if (rop_rd_count_ok(rd, count, 4) < 0)
        return -1;
    a->vals = apr_pcalloc(pool, (size_t)count * sizeof(rop_propval) + 1);
    for (i = 0; i < count && !rd->failed; i++)
        rop_rd_tagged_propval(rd, pool, 0, &a->vals[i]);
    return rd->failed ? -1 : 0;
}

int rop_rd_tagged_propvals(mapi_rd *rd, apr_pool_t *pool,
                           rop_propval_array *a)
{
    uint16_t n;

    a->count = 0;
    a->vals = NULL;
    if (mapi_rd_u16(rd, &n) < 0)
        return -1;
    return rop_rd_tagged_propvals_n(rd, pool, n, a);
}

/* ---- rule actions ([MS-OXORULE] 2.2.5, standard rules) -------------- */

static int rop_rd_action_block(mapi_rd *rd, rop_action_block *b)
{
    uint16_t len;
    mapi_rd blk;

    /* ActionLength counts the fields after it: type, flavor, flags and
     * at least an empty ActionData. */
    if (mapi_rd_u16(rd, &len) < 0 || len < 9 || mapi_rd_sub(rd, len, &blk) < 0)
        return rop_fail(rd);
    mapi_rd_u8(&blk, &b->type);
    mapi_rd_u32(&blk, &b->flavor);
    mapi_rd_u32(&blk, &b->flags);
    rop_rd_bin_n(&blk, mapi_rd_left(&blk), &b->data);
    return blk.failed ? rop_fail(rd) : 0;
}

static int rop_rd_rule_actions(mapi_rd *rd, apr_pool_t *pool,
                               rop_rule_actions **act_r)
{
    rop_rule_actions *a = apr_pcalloc(pool, sizeof(*a));
    uint16_t i;

    *act_r = a;
    if (mapi_rd_u16(rd, &a->count) < 0 || rop_rd_count_ok(rd, a->count, 11) < 0)
        return -1;
    a->blocks = apr_pcalloc(pool, (size_t)a->count * sizeof(*a->blocks) + 1);
    for (i = 0; i < a->count && !rd->failed; i++)
        rop_rd_action_block(rd, &a->blocks[i]);
    return rd->failed ? -1 : 0;
}

/* ---- restrictions ([MS-OXCDATA] 2.12, 16-bit counts) ---------------- */

static int rop_rd_res_into(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                           rop_restriction *r);

static int rop_rd_res_andor(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                            rop_restriction *r)
{
    uint16_t i;

    /* The smallest restriction (an empty And/Or) is 3 bytes. */
    if (mapi_rd_u16(rd, &r->u.andor.count) < 0
        || rop_rd_count_ok(rd, r->u.andor.count, 3) < 0)
        return -1;
    r->u.andor.subs = apr_pcalloc(pool, (size_t)r->u.andor.count
                                        * sizeof(rop_restriction) + 1);
    for (i = 0; i < r->u.andor.count && !rd->failed; i++)
        rop_rd_res_into(rd, pool, depth + 1, &r->u.andor.subs[i]);
    return rd->failed ? -1 : 0;
}

static int rop_rd_res_comment(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                              rop_restriction *r)
{
    uint8_t i, present;

    if (mapi_rd_u8(rd, &r->u.comment.count) < 0
        || rop_rd_count_ok(rd, r->u.comment.count, 4) < 0)
        return -1;
    r->u.comment.vals = apr_pcalloc(pool, (size_t)r->u.comment.count
                                          * sizeof(rop_propval) + 1);
    for (i = 0; i < r->u.comment.count && !rd->failed; i++)
        rop_rd_tagged_propval(rd, pool, depth + 1, &r->u.comment.vals[i]);
    if (mapi_rd_u8(rd, &present) < 0)
        return -1;
    if (present)
        return rop_rd_restriction(rd, pool, depth + 1, &r->u.comment.sub);
    return 0;
}

static int rop_rd_res_body(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                           rop_restriction *r)
{
    switch (r->type) {
    case ROP_RES_AND:
    case ROP_RES_OR:
        return rop_rd_res_andor(rd, pool, depth, r);
    case ROP_RES_NOT:
        return rop_rd_restriction(rd, pool, depth + 1, &r->u.not_sub);
    case ROP_RES_CONTENT:
        mapi_rd_u16(rd, &r->u.content.fuzzy_low);
        mapi_rd_u16(rd, &r->u.content.fuzzy_high);
        mapi_rd_u32(rd, &r->u.content.tag);
        return rd->failed ? -1 : rop_rd_tagged_propval(rd, pool, depth + 1,
                                                       &r->u.content.val);
    case ROP_RES_PROPERTY:
        mapi_rd_u8(rd, &r->u.property.relop);
        mapi_rd_u32(rd, &r->u.property.tag);
        return rd->failed ? -1 : rop_rd_tagged_propval(rd, pool, depth + 1,
                                                       &r->u.property.val);
    case ROP_RES_COMPARE_PROPS:
        mapi_rd_u8(rd, &r->u.compare.relop);
        mapi_rd_u32(rd, &r->u.compare.tag1);
        return mapi_rd_u32(rd, &r->u.compare.tag2);
    case ROP_RES_BITMASK:
        mapi_rd_u8(rd, &r->u.bitmask.relop);
        mapi_rd_u32(rd, &r->u.bitmask.tag);
        return mapi_rd_u32(rd, &r->u.bitmask.mask);
    case ROP_RES_SIZE:
        mapi_rd_u8(rd, &r->u.size.relop);
        mapi_rd_u32(rd, &r->u.size.tag);
        return mapi_rd_u32(rd, &r->u.size.size);
    case ROP_RES_EXIST:
        return mapi_rd_u32(rd, &r->u.exist.tag);
    case ROP_RES_SUBOBJECT:
        if (mapi_rd_u32(rd, &r->u.subobject.subobject) < 0)
            return -1;
        return rop_rd_restriction(rd, pool, depth + 1, &r->u.subobject.sub);
    case ROP_RES_COMMENT:
        return rop_rd_res_comment(rd, pool, depth, r);
    case ROP_RES_COUNT:
        if (mapi_rd_u32(rd, &r->u.count.count) < 0)
            return -1;
        return rop_rd_restriction(rd, pool, depth + 1, &r->u.count.sub);
    default:
        return rop_fail(rd);
    }
}

static int rop_rd_res_into(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                           rop_restriction *r)
{
    if (depth >= ROP_MAX_RESTRICTION_DEPTH)
        return rop_fail(rd);
    if (mapi_rd_u8(rd, &r->type) < 0)
        return -1;
    if (rop_rd_res_body(rd, pool, depth, r) < 0 || rd->failed)
        return rop_fail(rd);
    return 0;
}

static unsigned rop_val_depth(const rop_propval *v)
{
    if (ROP_PROP_TYPE(v->tag) == ROP_PT_SRESTRICTION && v->v.res)
        return rop_restriction_depth(v->v.res);
    return 0;
}

#define ROP_MAX2(a, b) ((a) > (b) ? (a) : (b))

/* Recursion is bounded: the parser refused anything deeper than
 * ROP_MAX_RESTRICTION_DEPTH. */
unsigned rop_restriction_depth(const rop_restriction *r)
{
    unsigned d = 0, i;

    switch (r->type) {
    case ROP_RES_AND:
    case ROP_RES_OR:
        for (i = 0; i < r->u.andor.count; i++)
            d = ROP_MAX2(d, rop_restriction_depth(&r->u.andor.subs[i]));
        break;
    case ROP_RES_NOT:
        d = r->u.not_sub ? rop_restriction_depth(r->u.not_sub) : 0;
        break;
    case ROP_RES_CONTENT:
        d = rop_val_depth(&r->u.content.val);
        break;
    case ROP_RES_PROPERTY:
        d = rop_val_depth(&r->u.property.val);
        break;
    case ROP_RES_SUBOBJECT:
        d = r->u.subobject.sub ? rop_restriction_depth(r->u.subobject.sub) : 0;
        break;
    case ROP_RES_COMMENT:
        for (i = 0; i < r->u.comment.count; i++)
            d = ROP_MAX2(d, rop_val_depth(&r->u.comment.vals[i]));
        if (r->u.comment.sub)
            d = ROP_MAX2(d, rop_restriction_depth(r->u.comment.sub));
        break;
    case ROP_RES_COUNT:
        d = r->u.count.sub ? rop_restriction_depth(r->u.count.sub) : 0;
        break;
    }
    return d + 1;
}

int rop_rd_restriction(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                       rop_restriction **res_r)
{
    *res_r = apr_pcalloc(pool, sizeof(rop_restriction));
    return rop_rd_res_into(rd, pool, depth, *res_r);
}

int rop_rd_restriction_sized(mapi_rd *rd, apr_pool_t *pool,
                             rop_restriction **res_r)
{
    uint16_t size;
    mapi_rd sub;

    *res_r = NULL;
    if (mapi_rd_u16(rd, &size) < 0 || mapi_rd_sub(rd, size, &sub) < 0)
        return -1;
    if (size == 0)
        return 0;
    /* The restriction must fill RestrictionDataSize exactly. */
    if (rop_rd_restriction(&sub, pool, 0, res_r) < 0 || mapi_rd_left(&sub))
        return rop_fail(rd);
    return 0;
}

/* ---- sort orders, names, rows --------------------------------------- */

int rop_rd_sort_orders(mapi_rd *rd, apr_pool_t *pool, uint16_t count,
                       rop_sort_order **orders_r)
{
    uint16_t i;

    *orders_r = NULL;
    if (rop_rd_count_ok(rd, count, 5) < 0)
        return -1;
    *orders_r = apr_pcalloc(pool, (size_t)count * sizeof(rop_sort_order) + 1);
    for (i = 0; i < count; i++) {
        mapi_rd_u16(rd, &(*orders_r)[i].prop_type);
        mapi_rd_u16(rd, &(*orders_r)[i].prop_id);
        mapi_rd_u8(rd, &(*orders_r)[i].order);
    }
    return rd->failed ? -1 : 0;
}

int rop_rd_property_name(mapi_rd *rd, apr_pool_t *pool,
                         rop_property_name *pn)
{
    uint8_t size;
    mapi_rd sub;

    pn->name = NULL;
    if (mapi_rd_u8(rd, &pn->kind) < 0 || mapi_rd_view(rd, 16, &pn->guid) < 0)
        return -1;
    switch (pn->kind) {
    case ROP_MNID_ID:
        return mapi_rd_u32(rd, &pn->lid);
    case ROP_MNID_STRING:
        /* NameSize counts the UTF-16 name and its terminating NUL. */
        if (mapi_rd_u8(rd, &size) < 0 || mapi_rd_sub(rd, size, &sub) < 0)
            return -1;
        if (mapi_rd_str16(&sub, pool, size / 2, &pn->name) < 0
            || mapi_rd_left(&sub))
            return rop_fail(rd);
        return 0;
    case ROP_MNID_NONE:
        return 0;
    default:
        return rop_fail(rd);
    }
}

/* One column value of a PropertyRow: a PtypUnspecified column carries its
 * own type first ([MS-OXCDATA] 2.11.3 TypedPropertyValue). */
static int rop_rd_row_value(mapi_rd *rd, apr_pool_t *pool, uint32_t col,
                            rop_propval *pv)
{
    uint16_t type = ROP_PROP_TYPE(col);

    if (type == ROP_PT_UNSPECIFIED && mapi_rd_u16(rd, &type) < 0)
        return -1;
    pv->tag = (col & 0xFFFF0000u) | type;
    if (rop_rd_propval(rd, pool, type, 0, pv) < 0)
        return -1;
    pv->tag = rop_single_tag(pv->tag);
    return 0;
}

static int rop_rd_flagged_value(mapi_rd *rd, apr_pool_t *pool, uint32_t col,
                                uint8_t *flag, rop_propval *pv)
{
    if (mapi_rd_u8(rd, flag) < 0)
        return -1;
    switch (*flag) {
    case 0x00:
        return rop_rd_row_value(rd, pool, col, pv);
    case 0x01:              /* no value */
        pv->tag = col;
        return 0;
    case 0x0A:              /* error: a PtypErrorCode in place of the value */
        pv->tag = (col & 0xFFFF0000u) | ROP_PT_ERROR;
        return mapi_rd_u32(rd, &pv->v.l);
    default:
        return rop_fail(rd);
    }
}

int rop_rd_property_row(mapi_rd *rd, apr_pool_t *pool,
                        const rop_tag_array *columns, uint16_t ncols,
                        rop_property_row *row)
{
    uint16_t i;

    if (ncols > columns->count || mapi_rd_u8(rd, &row->flag) < 0)
        return rop_fail(rd);
    if (row->flag != ROP_ROW_STANDARD && row->flag != ROP_ROW_FLAGGED)
        return rop_fail(rd);
    row->count = ncols;
    row->vals = apr_pcalloc(pool, (size_t)ncols * sizeof(rop_propval) + 1);
    row->val_flags = apr_pcalloc(pool, (size_t)ncols + 1);
    for (i = 0; i < ncols && !rd->failed; i++) {
        if (row->flag == ROP_ROW_FLAGGED)
            rop_rd_flagged_value(rd, pool, columns->tags[i],
                                 &row->val_flags[i], &row->vals[i]);
        else
            rop_rd_row_value(rd, pool, columns->tags[i], &row->vals[i]);
    }
    return rd->failed ? -1 : 0;
}

/* The optional fields selected by the recipient Type bits. */
static int rop_rd_recip_typed(mapi_rd *rd, apr_pool_t *pool,
                              rop_recipient_row *row)
{
    unsigned type = row->flags & ROP_RECIP_TYPE_MASK;

    if (type == ROP_RECIP_X500DN) {
        mapi_rd_u8(rd, &row->address_prefix_used);
        mapi_rd_u8(rd, &row->display_type);
        if (rd->failed)
            return -1;
        return rop_rd_str(rd, pool, 0, &row->x500dn);
    }
    if (type == ROP_RECIP_PDL1 || type == ROP_RECIP_PDL2) {
        rop_rd_bin16(rd, &row->entry_id);
        rop_rd_bin16(rd, &row->search_key);
        return rd->failed ? -1 : 0;
    }
    if (type == 0 && (row->flags & ROP_RECIP_O))
        return rop_rd_str(rd, pool, 0, &row->address_type);
    return 0;
}

static int rop_rd_opt_str(mapi_rd *rd, apr_pool_t *pool, int present,
                          int unicode, const char **s_r)
{
    if (!present || rd->failed)
        return rd->failed ? -1 : 0;
    return rop_rd_str(rd, pool, unicode, s_r);
}

int rop_rd_recipient_row(mapi_rd *rd, apr_pool_t *pool,
                         const rop_tag_array *columns,
                         rop_recipient_row *row)
{
    uint16_t f, ncols;
    int u;

    if (mapi_rd_u16(rd, &row->flags) < 0 || rop_rd_recip_typed(rd, pool, row) < 0)
        return -1;
    f = row->flags;
    u = (f & ROP_RECIP_U) != 0;
    rop_rd_opt_str(rd, pool, f & ROP_RECIP_E, u, &row->email_address);
    rop_rd_opt_str(rd, pool, f & ROP_RECIP_D, u, &row->display_name);
    rop_rd_opt_str(rd, pool, f & ROP_RECIP_I, u, &row->simple_display_name);
    rop_rd_opt_str(rd, pool, f & ROP_RECIP_T, u,
                   &row->transmittable_display_name);
    if (rd->failed || mapi_rd_u16(rd, &ncols) < 0)
        return -1;
    return rop_rd_property_row(rd, pool, columns, ncols, &row->props);
}

int rop_rd_row_data(mapi_rd *rd, apr_pool_t *pool, rop_row_data *rdata)
{
    if (mapi_rd_u8(rd, &rdata->flags) < 0)
        return -1;
    return rop_rd_tagged_propvals(rd, pool, &rdata->props);
}
