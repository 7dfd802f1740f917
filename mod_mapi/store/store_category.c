/*
 * store_category.c: categorized tables ([MS-OXCTABL] "group by" views):
 * header rows over the distinct values of the category columns, nested,
 * with their counts and expanded/collapsed state (see store_table.h).
 *
 * Everything is derived from the leaf rows and the view, nothing is
 * kept: a category's id is a hash of its level and values, so the id a
 * client got from one ROP names the same category in the next one, in
 * any process, and survives rows arriving and leaving.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "store/store_table.h"
#include "wire/mapi_tags.h"

#define MV_BITS   (ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE)
#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* ------------------------------------------------------------- hash -- */

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const uint8_t *p = data;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

/* Hashes what makes two values one category: strings fold ASCII case,
 * as the sort compares them (store_propval_cmp). */
static uint64_t value_hash(uint64_t h, const rop_propval *v)
{
    uint16_t base;
    uint8_t c;

    if (!v)
        return fnv(h, "\xFF", 1);
    base = ROP_PROP_TYPE(v->tag) & (uint16_t)~MV_BITS;
    switch (base) {
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:
        for (const char *s = v->v.str ? v->v.str : ""; *s; s++) {
            c = (uint8_t)(*s >= 'A' && *s <= 'Z' ? *s + 0x20 : *s);
            h = fnv(h, &c, 1);
        }
        return fnv(h, "", 1);
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:
        return fnv(h, v->v.bin.data, v->v.bin.len);
    case ROP_PT_CLSID:
        return v->v.guid ? fnv(h, v->v.guid, 16) : h;
    case ROP_PT_BOOLEAN:
        c = v->v.b != 0;
        return fnv(h, &c, 1);
    case ROP_PT_I2:
        return fnv(h, &v->v.i2, sizeof(v->v.i2));
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
    case ROP_PT_ERROR:
        return fnv(h, &v->v.l, sizeof(v->v.l));
    default:
        return fnv(h, &v->v.d, sizeof(v->v.d));
    }
}

/* The id of the category at level under parent with value v.  Low 16
 * bits zero: never a message id (store.h: replid there). */
static uint64_t category_id(uint64_t parent, uint16_t level,
                            const rop_propval *v)
{
    uint64_t h = fnv(FNV_BASIS, &parent, sizeof(parent));

    h = fnv(h, &level, sizeof(level));
    h = value_hash(h, v) & ~0xFFFFull;
    return h ? h : 0x10000ull;
}

/* ------------------------------------------------------------- rows -- */

uint32_t store_row_depth(const store_row *row)
{
    const rop_propval *v = store_props_get(&row->props, PidTagDepth);

    return v ? v->v.l : 0;
}

int store_category_expanded(const store_row *header)
{
    const rop_propval *v = store_props_get(&header->props, PidTagRowType);

    return v && v->v.l == STORE_ROW_EXPANDED_CATEGORY;
}

/* Value i of a multi-value as a single value of its base type. */
static void mv_elem(const rop_propval *mv, uint32_t i, rop_propval *out)
{
    uint16_t base = ROP_PROP_TYPE(mv->tag) & (uint16_t)~MV_BITS;

    memset(out, 0, sizeof(*out));
    out->tag = (mv->tag & 0xFFFF0000u) | base;
    switch (base) {
    case ROP_PT_I2:      out->v.i2 = mv->v.mv.v.i2[i]; break;
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:   out->v.l = mv->v.mv.v.l[i]; break;
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE: out->v.str = mv->v.mv.v.str[i]; break;
    case ROP_PT_BINARY:  out->v.bin = mv->v.mv.v.bin[i]; break;
    case ROP_PT_CLSID:   out->v.guid = mv->v.mv.v.guid[i]; break;
    default:             out->v.d = mv->v.mv.v.d[i]; break;
    }
}

/* The MV|MVI category column, if any (R75: at most one). */
static const rop_sort_order *mvi_order(const store_category_view *v)
{
    for (unsigned i = 0; i < v->categories && i < v->n_sorts; i++)
        if ((v->sorts[i].prop_type & MV_BITS) == MV_BITS)
            return &v->sorts[i];
    return NULL;
}

/* One leaf per value of the MVI column ([MS-OXCTABL] R433, R448): the
 * instance's bag holds that value alone, PidTagInstanceNum counts from
 * 1.  A row without values stays one row. */
static apr_array_header_t *expand_mvi(apr_pool_t *pool,
                                      apr_array_header_t *leaves,
                                      const store_category_view *v)
{
    const rop_sort_order *o = mvi_order(v);
    apr_array_header_t *out;

    if (!o)
        return leaves;
    out = apr_array_make(pool, leaves->nelts * 2 + 1, sizeof(store_row *));
    for (int i = 0; i < leaves->nelts; i++) {
        store_row *row = APR_ARRAY_IDX(leaves, i, store_row *);
        const rop_propval *mv = store_props_get(&row->props,
                                                (uint32_t)o->prop_id << 16);

        if (!mv || !(ROP_PROP_TYPE(mv->tag) & ROP_PT_MV_FLAG)
            || mv->v.mv.count < 2) {
            APR_ARRAY_PUSH(out, store_row *) = row;
            continue;
        }
        for (uint32_t k = 0; k < mv->v.mv.count; k++) {
            store_row *inst = apr_pmemdup(pool, row, sizeof(*row));
            rop_propval one;

            store_props_init(&inst->props, pool);
            store_props_copy(&inst->props, &row->props);
            mv_elem(mv, k, &one);
            store_props_set(&inst->props, &one);
            inst->instance = k + 1;
            store_props_set_u32(&inst->props, PidTagInstanceNum, k + 1);
            APR_ARRAY_PUSH(out, store_row *) = inst;
        }
    }
    return out;
}

typedef struct cat_walk {
    apr_pool_t *pool;
    const store_category_view *v;
    store_row **rows;
    apr_hash_t *toggled;
    store_category_result *out;
} cat_walk;

static const rop_propval *cat_value(const cat_walk *w, const store_row *row,
                                    uint16_t level, rop_propval *tmp)
{
    return store_row_sort_value(row, &w->v->sorts[level], tmp);
}

static int cat_same(const cat_walk *w, const store_row *a,
                    const store_row *b, uint16_t level)
{
    rop_propval ta, tb;
    const rop_propval *va = cat_value(w, a, level, &ta);
    const rop_propval *vb = cat_value(w, b, level, &tb);

    if (!va || !vb)
        return !va && !vb;
    return store_propval_cmp(ROP_PROP_TYPE(va->tag), va, vb) == 0;
}

/* The header of rows [lo, hi) at level: the category values down to its
 * level, its counts, its id and state. */
static store_row *cat_header(cat_walk *w, size_t lo, size_t hi,
                             uint16_t level, uint64_t id)
{
    store_row *h = apr_pcalloc(w->pool, sizeof(*h));
    uint32_t unread = 0;
    int expanded;
    uint8_t key[8];

    store_props_init(&h->props, w->pool);
    h->id = id;
    for (uint16_t l = 0; l <= level; l++) {
        rop_propval tmp, one;
        const rop_propval *v = cat_value(w, w->rows[lo], l, &tmp);

        if (!v)
            continue;
        one = *v;
        store_props_set(&h->props, &one);
    }
    for (size_t i = lo; i < hi; i++) {
        const rop_propval *f = store_props_get(&w->rows[i]->props,
                                               PidTagMessageFlags);
        if (!f || !(f->v.l & MSGFLAG_READ))
            unread++;
    }
    expanded = (level < w->v->expanded)
               != (apr_hash_get(w->toggled, &id, sizeof(id)) != NULL);
    store_props_set_u64(&h->props, PidTagInstID, id);
    store_props_set_u32(&h->props, PidTagInstanceNum, 0);
    store_props_set_u32(&h->props, PidTagRowType,
                        expanded ? STORE_ROW_EXPANDED_CATEGORY
                                 : STORE_ROW_COLLAPSED_CATEGORY);
    store_props_set_u32(&h->props, PidTagDepth, level);
    store_props_set_u32(&h->props, PidTagContentCount, (uint32_t)(hi - lo));
    store_props_set_u32(&h->props, PidTagContentUnreadCount, unread);
    for (int i = 0; i < 8; i++)
        key[i] = (uint8_t)(id >> (8 * i));
    store_props_set_bin(&h->props, PidTagInstanceKey, key, sizeof(key));
    return h;
}

static void cat_walk_level(cat_walk *w, size_t lo, size_t hi,
                           uint16_t level, uint64_t parent, int shown)
{
    if (level == w->v->categories) {
        for (size_t i = lo; i < hi; i++) {
            store_props_set_u32(&w->rows[i]->props, PidTagDepth, level);
            store_props_set_u32(&w->rows[i]->props, PidTagRowType,
                                STORE_ROW_LEAF);
            if (shown)
                APR_ARRAY_PUSH(w->out->visible, store_row *) = w->rows[i];
        }
        return;
    }
    for (size_t i = lo, j; i < hi; i = j) {
        rop_propval tmp;
        uint64_t id, *key;
        store_row *h;

        for (j = i + 1; j < hi && cat_same(w, w->rows[i], w->rows[j], level);
             j++)
            ;
        id = category_id(parent, level, cat_value(w, w->rows[i], level, &tmp));
        h = cat_header(w, i, j, level, id);
        key = apr_pmemdup(w->pool, &id, sizeof(id));
        apr_hash_set(w->out->headers, key, sizeof(*key), h);
        if (shown)
            APR_ARRAY_PUSH(w->out->visible, store_row *) = h;
        cat_walk_level(w, i, j, level + 1, id,
                       shown && store_category_expanded(h));
    }
}

void store_rows_categorize(apr_pool_t *pool, apr_array_header_t *leaves,
                           const store_category_view *v,
                           store_category_result *out)
{
    apr_array_header_t *rows = expand_mvi(pool, leaves, v);
    cat_walk w = { pool, v, NULL, apr_hash_make(pool), out };

    for (unsigned i = 0; i < v->n_toggled; i++)
        apr_hash_set(w.toggled, &v->toggled[i], sizeof(uint64_t), "");
    store_rows_sort(rows, v->sorts, v->n_sorts);
    w.rows = (store_row **)rows->elts;
    out->visible = apr_array_make(pool, rows->nelts + 8, sizeof(store_row *));
    out->headers = apr_hash_make(pool);
    cat_walk_level(&w, 0, (size_t)rows->nelts, 0, 0, 1);
}
