/*
 * rop_values.c: writers for the [MS-OXCDATA] structures that rop_types.c
 * parses (PropertyValue of every type, TaggedPropertyValue, Restriction,
 * PropertyName, LongTermId), and deep copies of parsed restrictions.
 *
 * Each writer emits exactly what the matching parser reads, so a value
 * written here and parsed there comes back equal.  Errors are sticky in
 * wr->failed, so a writer can issue several writes and check once.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include "rop_types.h"

static int rop_wr_fail(mapi_wr *wr)
{
    wr->failed = 1;
    return -1;
}

/* ---- property values ------------------------------------------------ */

/* Strings are UTF-8 in memory; a NULL string goes out as an empty one so
 * that a missing value can never crash a response. */
static int rop_wr_string(mapi_wr *wr, int unicode, const char *s)
{
    if (!s)
        s = "";
    return unicode ? mapi_wr_str16(wr, s) : mapi_wr_str8(wr, s);
}

/* Binary and ServerId carry a 16-bit count in ROP buffers. */
static int rop_wr_bin16(mapi_wr *wr, const rop_bin *b)
{
    if (b->len > 0xFFFF || (b->len && !b->data))
        return rop_wr_fail(wr);
    if (mapi_wr_u16(wr, (uint16_t)b->len) < 0)
        return -1;
    return mapi_wr_bytes(wr, b->data, b->len);
}

static int rop_wr_guid(mapi_wr *wr, const uint8_t *guid)
{
    if (!guid)
        return mapi_wr_zero(wr, 16);
    return mapi_wr_bytes(wr, guid, 16);
}

/* [MS-OXORULE] 2.2.5: ActionLength counts type, flavor, flags and data. */
static int rop_wr_rule_actions(mapi_wr *wr, const rop_rule_actions *a)
{
    uint16_t i;

    if (!a)
        return mapi_wr_u16(wr, 0);
    mapi_wr_u16(wr, a->count);
    for (i = 0; i < a->count && !wr->failed; i++) {
        const rop_action_block *b = &a->blocks[i];

        if (b->data.len > 0xFFFF - 9 || (b->data.len && !b->data.data))
            return rop_wr_fail(wr);
        mapi_wr_u16(wr, (uint16_t)(b->data.len + 9));
        mapi_wr_u8(wr, b->type);
        mapi_wr_u32(wr, b->flavor);
        mapi_wr_u32(wr, b->flags);
        mapi_wr_bytes(wr, b->data.data, b->data.len);
    }
    return wr->failed ? -1 : 0;
}

static int rop_wr_mv_elem(mapi_wr *wr, uint16_t base, const rop_propval *pv,
                          uint32_t i)
{
    switch (base) {
    case ROP_PT_I2:      return mapi_wr_u16(wr, pv->v.mv.v.i2[i]);
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:   return mapi_wr_u32(wr, pv->v.mv.v.l[i]);
    case ROP_PT_DOUBLE:
    case ROP_PT_CURRENCY:
    case ROP_PT_APPTIME:
    case ROP_PT_I8:
    case ROP_PT_SYSTIME: return mapi_wr_u64(wr, pv->v.mv.v.d[i]);
    case ROP_PT_CLSID:   return rop_wr_guid(wr, pv->v.mv.v.guid[i]);
    case ROP_PT_STRING8: return rop_wr_string(wr, 0, pv->v.mv.v.str[i]);
    case ROP_PT_UNICODE: return rop_wr_string(wr, 1, pv->v.mv.v.str[i]);
    case ROP_PT_BINARY:  return rop_wr_bin16(wr, &pv->v.mv.v.bin[i]);
    default:             return rop_wr_fail(wr);
    }
}

/* Multi-valued: a 32-bit count ([MS-OXCDATA] 2.11.1.1), then the values. */
static int rop_wr_mv(mapi_wr *wr, uint16_t base, const rop_propval *pv)
{
    uint32_t i;

    if (pv->v.mv.count && !pv->v.mv.v.l)
        return rop_wr_fail(wr);
    if (mapi_wr_u32(wr, pv->v.mv.count) < 0)
        return -1;
    for (i = 0; i < pv->v.mv.count; i++)
        if (rop_wr_mv_elem(wr, base, pv, i) < 0)
            return rop_wr_fail(wr);
    return 0;
}

static int rop_wr_scalar(mapi_wr *wr, uint16_t type, const rop_propval *pv)
{
    switch (type) {
    case ROP_PT_NULL:         return 0;
    case ROP_PT_BOOLEAN:      return mapi_wr_u8(wr, pv->v.b);
    case ROP_PT_I2:           return mapi_wr_u16(wr, pv->v.i2);
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
    case ROP_PT_ERROR:        return mapi_wr_u32(wr, pv->v.l);
    case ROP_PT_DOUBLE:
    case ROP_PT_CURRENCY:
    case ROP_PT_APPTIME:
    case ROP_PT_I8:
    case ROP_PT_SYSTIME:      return mapi_wr_u64(wr, pv->v.d);
    case ROP_PT_STRING8:      return rop_wr_string(wr, 0, pv->v.str);
    case ROP_PT_UNICODE:      return rop_wr_string(wr, 1, pv->v.str);
    case ROP_PT_CLSID:        return rop_wr_guid(wr, pv->v.guid);
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:       return rop_wr_bin16(wr, &pv->v.bin);
    case ROP_PT_SRESTRICTION:
        if (!pv->v.res)
            return rop_wr_fail(wr);
        return rop_wr_restriction(wr, pv->v.res);
    case ROP_PT_ACTIONS:      return rop_wr_rule_actions(wr, pv->v.actions);
    default:
        /* The parser accepts no other type, so writing one would produce
         * bytes nobody can read back. */
        return rop_wr_fail(wr);
    }
}

int rop_wr_propval(mapi_wr *wr, uint16_t type, const rop_propval *pv)
{
    const uint16_t mvi = ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE;

    if (wr->failed)
        return -1;
    /* A multi-value-instance column holds one value of the base type. */
    if ((type & mvi) == mvi)
        type &= (uint16_t)~mvi;
    if (type & ROP_PT_MV_INSTANCE)
        return rop_wr_fail(wr);
    if (type & ROP_PT_MV_FLAG)
        return rop_wr_mv(wr, type & (uint16_t)~ROP_PT_MV_FLAG, pv);
    return rop_wr_scalar(wr, type, pv) < 0 ? rop_wr_fail(wr) : 0;
}

int rop_wr_tagged_propval(mapi_wr *wr, const rop_propval *pv)
{
    size_t start = wr->len;

    if (mapi_wr_u32(wr, pv->tag) < 0)
        return -1;
    if (rop_wr_propval(wr, ROP_PROP_TYPE(pv->tag), pv) < 0) {
        /* Never leave a tag without its value: the caller may truncate
         * and go on, and a dangling tag would desynchronise the reader. */
        wr->len = start;
        return -1;
    }
    return 0;
}

/* ---- restrictions --------------------------------------------------- */

static int rop_wr_res_comment(mapi_wr *wr, const rop_restriction *r)
{
    uint8_t i;

    mapi_wr_u8(wr, r->u.comment.count);
    for (i = 0; i < r->u.comment.count && !wr->failed; i++)
        rop_wr_tagged_propval(wr, &r->u.comment.vals[i]);
    mapi_wr_u8(wr, r->u.comment.sub ? 1 : 0);
    if (r->u.comment.sub && !wr->failed)
        rop_wr_restriction(wr, r->u.comment.sub);
    return wr->failed ? -1 : 0;
}

static int rop_wr_res_body(mapi_wr *wr, const rop_restriction *r)
{
    uint16_t i;

    switch (r->type) {
    case ROP_RES_AND:
    case ROP_RES_OR:
        mapi_wr_u16(wr, r->u.andor.count);
        for (i = 0; i < r->u.andor.count && !wr->failed; i++)
            rop_wr_restriction(wr, &r->u.andor.subs[i]);
        return wr->failed ? -1 : 0;
    case ROP_RES_NOT:
        return r->u.not_sub ? rop_wr_restriction(wr, r->u.not_sub)
                            : rop_wr_fail(wr);
    case ROP_RES_CONTENT:
        mapi_wr_u16(wr, r->u.content.fuzzy_low);
        mapi_wr_u16(wr, r->u.content.fuzzy_high);
        mapi_wr_u32(wr, r->u.content.tag);
        return rop_wr_tagged_propval(wr, &r->u.content.val);
    case ROP_RES_PROPERTY:
        mapi_wr_u8(wr, r->u.property.relop);
        mapi_wr_u32(wr, r->u.property.tag);
        return rop_wr_tagged_propval(wr, &r->u.property.val);
    case ROP_RES_COMPARE_PROPS:
        mapi_wr_u8(wr, r->u.compare.relop);
        mapi_wr_u32(wr, r->u.compare.tag1);
        return mapi_wr_u32(wr, r->u.compare.tag2);
    case ROP_RES_BITMASK:
        mapi_wr_u8(wr, r->u.bitmask.relop);
        mapi_wr_u32(wr, r->u.bitmask.tag);
        return mapi_wr_u32(wr, r->u.bitmask.mask);
    case ROP_RES_SIZE:
        mapi_wr_u8(wr, r->u.size.relop);
        mapi_wr_u32(wr, r->u.size.tag);
        return mapi_wr_u32(wr, r->u.size.size);
    case ROP_RES_EXIST:
        return mapi_wr_u32(wr, r->u.exist.tag);
    case ROP_RES_SUBOBJECT:
        mapi_wr_u32(wr, r->u.subobject.subobject);
        return r->u.subobject.sub ? rop_wr_restriction(wr, r->u.subobject.sub)
                                  : rop_wr_fail(wr);
    case ROP_RES_COMMENT:
        return rop_wr_res_comment(wr, r);
    case ROP_RES_COUNT:
        mapi_wr_u32(wr, r->u.count.count);
        return r->u.count.sub ? rop_wr_restriction(wr, r->u.count.sub)
                              : rop_wr_fail(wr);
    default:
        return rop_wr_fail(wr);
    }
}

int rop_wr_restriction(mapi_wr *wr, const rop_restriction *r)
{
    if (wr->failed || !r || mapi_wr_u8(wr, r->type) < 0)
        return rop_wr_fail(wr);
    if (rop_wr_res_body(wr, r) < 0 || wr->failed)
        return rop_wr_fail(wr);
    return 0;
}

/* ---- names and ids -------------------------------------------------- */

int rop_wr_property_name(mapi_wr *wr, const rop_property_name *pn)
{
    size_t off;

    if (mapi_wr_u8(wr, pn->kind) < 0 || rop_wr_guid(wr, pn->guid) < 0)
        return -1;
    switch (pn->kind) {
    case ROP_MNID_ID:
        return mapi_wr_u32(wr, pn->lid);
    case ROP_MNID_STRING:
        /* NameSize (u8) counts the UTF-16 name and its NUL; it is only
         * known after conversion, so reserve it and patch it. */
        off = mapi_wr_reserve(wr, 1);
        if (off == (size_t)-1 || rop_wr_string(wr, 1, pn->name) < 0)
            return -1;
        if (wr->len - off - 1 > 0xFF)
            return rop_wr_fail(wr);
        wr->buf[off] = (uint8_t)(wr->len - off - 1);
        return 0;
    case ROP_MNID_NONE:
        return 0;
    default:
        return rop_wr_fail(wr);
    }
}

int rop_wr_long_term_id(mapi_wr *wr, const rop_long_term_id *ltid)
{
    mapi_wr_bytes(wr, ltid->database_guid, 16);
    mapi_wr_bytes(wr, ltid->global_counter, 6);
    mapi_wr_u16(wr, ltid->pad);
    return wr->failed ? -1 : 0;
}

/* ---- deep copies ---------------------------------------------------- */

/* An empty array is a view of the byte past its size field, which may be
 * past the end of the request: nothing of it is read. */
static const uint8_t *rop_dup_bytes(apr_pool_t *pool, const uint8_t *p,
                                    size_t n)
{
    if (p == NULL)
        return NULL;
    return n ? apr_pmemdup(pool, p, n) : apr_pcalloc(pool, 1);
}

static void rop_bin_dup(apr_pool_t *pool, rop_bin *dst, const rop_bin *src)
{
    dst->len = src->len;
    dst->data = rop_dup_bytes(pool, src->data, src->len);
}

static rop_rule_actions *rop_actions_dup(apr_pool_t *pool,
                                         const rop_rule_actions *a)
{
    rop_rule_actions *c;
    uint16_t i;

    if (!a)
        return NULL;
    c = apr_pcalloc(pool, sizeof(*c));
    c->count = a->count;
    c->blocks = apr_pcalloc(pool, (size_t)a->count * sizeof(*c->blocks) + 1);
    for (i = 0; i < a->count; i++) {
        c->blocks[i] = a->blocks[i];
        rop_bin_dup(pool, &c->blocks[i].data, &a->blocks[i].data);
    }
    return c;
}

/* Copies the element array of a multi-valued value; the union member
 * used depends on the base type. */
static void rop_mv_dup(apr_pool_t *pool, uint16_t base, rop_propval *dst,
                       const rop_propval *src)
{
    uint32_t i, n = src->v.mv.count;

    if (!src->v.mv.v.l)
        return;
    switch (base) {
    case ROP_PT_I2:
        dst->v.mv.v.i2 = (uint16_t *)rop_dup_bytes(pool,
                             (const uint8_t *)src->v.mv.v.i2, (size_t)n * 2);
        break;
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
        dst->v.mv.v.l = (uint32_t *)rop_dup_bytes(pool,
                            (const uint8_t *)src->v.mv.v.l, (size_t)n * 4);
        break;
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        dst->v.mv.v.str = apr_pcalloc(pool, (size_t)n * sizeof(char *) + 1);
        for (i = 0; i < n; i++)
            dst->v.mv.v.str[i] = src->v.mv.v.str[i]
                                 ? apr_pstrdup(pool, src->v.mv.v.str[i]) : NULL;
        break;
    case ROP_PT_BINARY:
        dst->v.mv.v.bin = apr_pcalloc(pool, (size_t)n * sizeof(rop_bin) + 1);
        for (i = 0; i < n; i++)
            rop_bin_dup(pool, &dst->v.mv.v.bin[i], &src->v.mv.v.bin[i]);
        break;
    case ROP_PT_CLSID:
        dst->v.mv.v.guid = apr_pcalloc(pool, (size_t)n * sizeof(uint8_t *) + 1);
        for (i = 0; i < n; i++)
            dst->v.mv.v.guid[i] = rop_dup_bytes(pool, src->v.mv.v.guid[i], 16);
        break;
    default:              /* every 8-byte type */
        dst->v.mv.v.d = (uint64_t *)rop_dup_bytes(pool,
                            (const uint8_t *)src->v.mv.v.d, (size_t)n * 8);
        break;
    }
}

static void rop_propval_dup_into(apr_pool_t *pool, rop_propval *dst,
                                 const rop_propval *src)
{
    const uint16_t mvi = ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE;
    uint16_t type = ROP_PROP_TYPE(src->tag);

    *dst = *src;
    /* As rop_rd_propval reads it: one value of the base type. */
    if ((type & mvi) == mvi)
        type &= (uint16_t)~mvi;
    if (type & ROP_PT_MV_FLAG) {
        rop_mv_dup(pool, type & (uint16_t)~ROP_PT_MV_FLAG, dst, src);
        return;
    }
    switch (type) {
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        dst->v.str = src->v.str ? apr_pstrdup(pool, src->v.str) : NULL;
        break;
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:
        rop_bin_dup(pool, &dst->v.bin, &src->v.bin);
        break;
    case ROP_PT_CLSID:
        dst->v.guid = rop_dup_bytes(pool, src->v.guid, 16);
        break;
    case ROP_PT_SRESTRICTION:
        dst->v.res = rop_restriction_dup(pool, src->v.res);
        break;
    case ROP_PT_ACTIONS:
        dst->v.actions = rop_actions_dup(pool, src->v.actions);
        break;
    default:
        break;
    }
}

static void rop_res_dup_into(apr_pool_t *pool, rop_restriction *dst,
                             const rop_restriction *src);

static rop_restriction *rop_res_dup_array(apr_pool_t *pool,
                                          const rop_restriction *subs,
                                          uint16_t count)
{
    rop_restriction *c = apr_pcalloc(pool, (size_t)count * sizeof(*c) + 1);
    uint16_t i;

    for (i = 0; subs && i < count; i++)
        rop_res_dup_into(pool, &c[i], &subs[i]);
    return c;
}

static void rop_res_dup_comment(apr_pool_t *pool, rop_restriction *dst,
                                const rop_restriction *src)
{
    uint8_t i, n = src->u.comment.count;

    dst->u.comment.vals = apr_pcalloc(pool, (size_t)n * sizeof(rop_propval)
                                            + 1);
    for (i = 0; src->u.comment.vals && i < n; i++)
        rop_propval_dup_into(pool, &dst->u.comment.vals[i],
                             &src->u.comment.vals[i]);
    dst->u.comment.sub = rop_restriction_dup(pool, src->u.comment.sub);
}

static void rop_res_dup_into(apr_pool_t *pool, rop_restriction *dst,
                             const rop_restriction *src)
{
    *dst = *src;
    switch (src->type) {
    case ROP_RES_AND:
    case ROP_RES_OR:
        dst->u.andor.subs = rop_res_dup_array(pool, src->u.andor.subs,
                                              src->u.andor.count);
        break;
    case ROP_RES_NOT:
        dst->u.not_sub = rop_restriction_dup(pool, src->u.not_sub);
        break;
    case ROP_RES_CONTENT:
        rop_propval_dup_into(pool, &dst->u.content.val, &src->u.content.val);
        break;
    case ROP_RES_PROPERTY:
        rop_propval_dup_into(pool, &dst->u.property.val,
                             &src->u.property.val);
        break;
    case ROP_RES_SUBOBJECT:
        dst->u.subobject.sub = rop_restriction_dup(pool, src->u.subobject.sub);
        break;
    case ROP_RES_COMMENT:
        rop_res_dup_comment(pool, dst, src);
        break;
    case ROP_RES_COUNT:
        dst->u.count.sub = rop_restriction_dup(pool, src->u.count.sub);
        break;
    default:                /* the rest hold no pointers */
        break;
    }
}

rop_restriction *rop_restriction_dup(apr_pool_t *pool,
                                     const rop_restriction *r)
{
    rop_restriction *c;

    if (!r)
        return NULL;
    c = apr_pcalloc(pool, sizeof(*c));
    rop_res_dup_into(pool, c, r);
    return c;
}
