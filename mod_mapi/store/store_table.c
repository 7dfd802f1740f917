/*
 * store_table.c: what a table does to rows: restriction evaluation
 * ([MS-OXCDATA] 2.12), ordering (2.13), value comparison and PropertyRow
 * encoding (2.8.1).
 *
 * Nothing here allocates while matching or encoding (a restriction is
 * evaluated once per row of a table, so it must be cheap); strings are
 * compared through a small iterator that folds case and drops accents on
 * the fly instead of building normalised copies.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

#include "store/store_table.h"
#include "wire/mapi_tags.h"

#define MV_BITS  (ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE)

/* ------------------------------------------------------------ types -- */

static uint16_t base_type(uint16_t type)
{
    return type & (uint16_t)~MV_BITS;
}

static int is_mv(uint16_t type)
{
    return (type & ROP_PT_MV_FLAG) != 0;
}

static int is_string(uint16_t base)
{
    return base == ROP_PT_UNICODE || base == ROP_PT_STRING8;
}

/* String and String8 hold the same UTF-8 in memory, so they compare as
 * one family. */
static int same_base(uint16_t a, uint16_t b)
{
    a = base_type(a);
    b = base_type(b);
    return a == b || (is_string(a) && is_string(b));
}

/* Number of values of pv (1 for a single-valued one). */
static uint32_t pv_count(const rop_propval *pv)
{
    return is_mv(ROP_PROP_TYPE(pv->tag)) ? pv->v.mv.count : 1;
}

/* Value i of pv, read as type, as a single value of the base type (no
 * copy: pointers still refer to pv's memory). */
static void pv_elem_as(uint16_t type, const rop_propval *pv, uint32_t i,
                       rop_propval *out)
{
    uint16_t base = base_type(type);

    if (!is_mv(type)) {
        *out = *pv;
        return;
    }
    memset(out, 0, sizeof(*out));
    out->tag = (pv->tag & 0xFFFF0000u) | base;
    switch (base) {
    case ROP_PT_I2:      out->v.i2 = pv->v.mv.v.i2[i]; break;
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:   out->v.l = pv->v.mv.v.l[i]; break;
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE: out->v.str = pv->v.mv.v.str[i]; break;
    case ROP_PT_BINARY:  out->v.bin = pv->v.mv.v.bin[i]; break;
    case ROP_PT_CLSID:   out->v.guid = pv->v.mv.v.guid[i]; break;
    default:             out->v.d = pv->v.mv.v.d[i]; break;
    }
}

static void pv_elem(const rop_propval *pv, uint32_t i, rop_propval *out)
{
    pv_elem_as(ROP_PROP_TYPE(pv->tag), pv, i, out);
}

/* ----------------------------------------------------------- strings -- */

/* Decodes one code point; a byte that does not start valid UTF-8 stands
 * for itself (Latin-1), which is what a String8 from an 8-bit client most
 * likely means. */
static uint32_t utf8_next(const unsigned char **sp)
{
    const unsigned char *s = *sp;
    uint32_t c = s[0];
    unsigned n, i;

    if (c < 0x80 || c < 0xC2 || c > 0xF4) {
        *sp = s + 1;
        return c;
    }
    n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    c &= 0x3F >> (n - 1);
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *sp = s + 1;
            return s[0];
        }
        c = c << 6 | (s[i] & 0x3F);
    }
    *sp = s + n;
    return c;
}

/* Lower case for the scripts mail in Western and Eastern Europe uses:
 * ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic. */
static uint32_t fold_case(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 0x20;
    if (c < 0xC0)
        return c;
    if (c <= 0xDE && c != 0xD7)
        return c + 0x20;
    if (c >= 0x100 && c <= 0x137)
        return c | 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c + 1 : c;
    if (c >= 0x14A && c <= 0x177)
        return c | 1;
    if (c == 0x178)
        return 0xFF;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 0x20;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    return c;
}

/* Latin-1 letters without their accents; '.' keeps the letter. */
static const char latin1_base[] =
    "AAAAAA.CEEEEIIIIDNOOOOO.OUUUUY.."
    "aaaaaa.ceeeeiiiidnooooo.ouuuuy.y";

static uint32_t strip_accent(uint32_t c)
{
    if (c >= 0xC0 && c <= 0xFF && latin1_base[c - 0xC0] != '.')
        return (unsigned char)latin1_base[c - 0xC0];
    return c;
}

#define CMP_CASE     0x1
#define CMP_NONSPACE 0x2

/* Next comparable code point of s under flags, 0 at the end. */
static uint32_t str_next(const unsigned char **sp, unsigned flags)
{
    uint32_t c;

    for (;;) {
        if (!**sp)
            return 0;
        c = utf8_next(sp);
        /* Combining diacritical marks are the nonspacing characters. */
        if ((flags & CMP_NONSPACE) && c >= 0x300 && c <= 0x36F)
            continue;
        if (flags & CMP_NONSPACE)
            c = strip_accent(c);
        return (flags & CMP_CASE) ? fold_case(c) : c;
    }
}

/* 1 when pat is a prefix of s (whole: equal to s) under flags. */
static int str_starts(const char *s, const char *pat, unsigned flags,
                      int whole)
{
    const unsigned char *a = (const unsigned char *)s;
    const unsigned char *b = (const unsigned char *)pat;
    uint32_t ca, cb;

    for (;;) {
        cb = str_next(&b, flags);
        ca = str_next(&a, flags);
        if (cb == 0)
            return !whole || ca == 0;
        if (ca != cb)
            return 0;
    }
}

static int str_contains(const char *s, const char *pat, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;

    for (;;) {
        if (str_starts((const char *)p, pat, flags, 0))
            return 1;
        if (!*p)
            return 0;
        utf8_next(&p);
    }
}

static unsigned fuzzy_flags(uint16_t high)
{
    unsigned f = 0;

    if (high & (STORE_FL_IGNORECASE | STORE_FL_LOOSE))
        f |= CMP_CASE;
    if (high & (STORE_FL_IGNORENONSPACE | STORE_FL_LOOSE))
        f |= CMP_NONSPACE;
    return f;
}

/* The sort and equality order of strings: ASCII folded, bytes otherwise. */
static int str_cmp_ascii(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)(a ? a : "");
    const unsigned char *y = (const unsigned char *)(b ? b : "");
    int cx, cy;

    for (;; x++, y++) {
        cx = (*x >= 'A' && *x <= 'Z') ? *x + 0x20 : *x;
        cy = (*y >= 'A' && *y <= 'Z') ? *y + 0x20 : *y;
        if (cx != cy || cx == 0)
            return cx - cy;
    }
}

/* ---------------------------------------------------------- compare -- */

#define CMP3(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

static int bin_cmp(const rop_bin *a, const rop_bin *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;

    return c ? c : CMP3(a->len, b->len);
}

static float bits_float(uint32_t l)
{
    float f;

    memcpy(&f, &l, sizeof(f));
    return f;
}

static double bits_double(uint64_t d)
{
    double v;

    memcpy(&v, &d, sizeof(v));
    return v;
}

static int scalar_cmp(uint16_t base, const rop_propval *a,
                      const rop_propval *b)
{
    switch (base) {
    case ROP_PT_BOOLEAN:  return CMP3(a->v.b != 0, b->v.b != 0);
    case ROP_PT_I2:       return CMP3((int16_t)a->v.i2, (int16_t)b->v.i2);
    case ROP_PT_LONG:     return CMP3((int32_t)a->v.l, (int32_t)b->v.l);
    case ROP_PT_ERROR:    return CMP3(a->v.l, b->v.l);
    case ROP_PT_FLOAT:
        return CMP3(bits_float(a->v.l), bits_float(b->v.l));
    case ROP_PT_DOUBLE:
    case ROP_PT_APPTIME:
        return CMP3(bits_double(a->v.d), bits_double(b->v.d));
    case ROP_PT_CURRENCY:
    case ROP_PT_I8:       return CMP3((int64_t)a->v.d, (int64_t)b->v.d);
    case ROP_PT_SYSTIME:  return CMP3(a->v.d, b->v.d);
    case ROP_PT_STRING8:
    case ROP_PT_UNICODE:  return str_cmp_ascii(a->v.str, b->v.str);
    case ROP_PT_CLSID:
        if (!a->v.guid || !b->v.guid)
            return CMP3(a->v.guid != NULL, b->v.guid != NULL);
        return memcmp(a->v.guid, b->v.guid, 16);
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:   return bin_cmp(&a->v.bin, &b->v.bin);
    default:              return 0;    /* Null and uncomparable types */
    }
}

int store_propval_cmp(uint16_t type, const rop_propval *a,
                      const rop_propval *b)
{
    uint16_t base = base_type(type);
    rop_propval ea, eb;
    uint32_t i, na, nb;
    int c;

    if (!is_mv(type))
        return scalar_cmp(base, a, b);
    /* Multi-values order element by element, then by length. */
    na = a->v.mv.count;
    nb = b->v.mv.count;
    for (i = 0; i < na && i < nb; i++) {
        pv_elem_as(type, a, i, &ea);
        pv_elem_as(type, b, i, &eb);
        c = scalar_cmp(base, &ea, &eb);
        if (c)
            return c;
    }
    return CMP3(na, nb);
}

static int relop_holds(uint8_t relop, int c)
{
    switch (relop) {
    case STORE_RELOP_LT: return c < 0;
    case STORE_RELOP_LE: return c <= 0;
    case STORE_RELOP_GT: return c > 0;
    case STORE_RELOP_GE: return c >= 0;
    case STORE_RELOP_EQ: return c == 0;
    case STORE_RELOP_NE: return c != 0;
    default:             return 0;
    }
}

/* ------------------------------------------------------- row values -- */

/* The row's value for tag when its type is compatible (same base type,
 * String and String8 alike); NULL otherwise. */
static const rop_propval *row_value(const store_row *row, uint32_t tag)
{
    const rop_propval *v = store_props_get(&row->props,
                                           tag & 0xFFFF0000u);

    if (!v || !same_base(ROP_PROP_TYPE(v->tag), ROP_PROP_TYPE(tag)))
        return NULL;
    return v;
}

/* ------------------------------------------------------ restrictions -- */

static int match(const rop_restriction *r, const store_row *row,
                 store_restrict_state *st);

static int content_one(const rop_restriction *r, const rop_propval *v,
                       const rop_propval *pat)
{
    uint16_t low = r->u.content.fuzzy_low, base = base_type(ROP_PROP_TYPE(
                                                             v->tag));
    unsigned f = fuzzy_flags(r->u.content.fuzzy_high);

    if (is_string(base)) {
        const char *s = v->v.str ? v->v.str : "";
        const char *p = pat->v.str ? pat->v.str : "";

        if (low == STORE_FL_SUBSTRING)
            return str_contains(s, p, f);
        return str_starts(s, p, f, low == STORE_FL_FULLSTRING);
    }
    if (base == ROP_PT_BINARY) {
        const rop_bin *s = &v->v.bin, *p = &pat->v.bin;

        if (low == STORE_FL_FULLSTRING)
            return bin_cmp(s, p) == 0;
        if (p->len > s->len)
            return 0;
        if (low == STORE_FL_PREFIX)
            return p->len == 0 || memcmp(s->data, p->data, p->len) == 0;
        return p->len == 0 || memmem(s->data, s->len, p->data, p->len);
    }
    return 0;
}

/* Content ([MS-OXCDATA] 2.12.4): strings and binaries, any value of a
 * multi-valued property. */
static int match_content(const rop_restriction *r, const store_row *row)
{
    const rop_propval *v = row_value(row, r->u.content.tag);
    const rop_propval *pat = &r->u.content.val;
    uint16_t pbase = base_type(ROP_PROP_TYPE(pat->tag));
    rop_propval e, pe;
    uint32_t i;

    if (!v || is_mv(ROP_PROP_TYPE(pat->tag)) || !same_base(pbase,
                                                 ROP_PROP_TYPE(v->tag)))
        return 0;
    if (r->u.content.fuzzy_low > STORE_FL_PREFIX)
        return 0;
    pv_elem(pat, 0, &pe);
    for (i = 0; i < pv_count(v); i++) {
        pv_elem(v, i, &e);
        if (content_one(r, &e, &pe))
            return 1;
    }
    return 0;
}

static int relop_values(uint8_t relop, const rop_propval *a,
                        const rop_propval *b)
{
    uint16_t ta = ROP_PROP_TYPE(a->tag);

    if (relop == STORE_RELOP_RE)         /* treated as a substring */
        return is_string(base_type(ta)) && !is_mv(ta)
               && str_contains(a->v.str ? a->v.str : "",
                               b->v.str ? b->v.str : "", CMP_CASE);
    return relop_holds(relop, store_propval_cmp(ta, a, b));
}

/* Compares a row value with another value: whole multi-values with each
 * other, or each value of a multi-valued one with a single value. */
static int relop_match(uint8_t relop, const rop_propval *v,
                       const rop_propval *w)
{
    int mv = is_mv(ROP_PROP_TYPE(v->tag)), wmv = is_mv(ROP_PROP_TYPE(w->tag));
    rop_propval e;
    uint32_t i;

    if (relop == STORE_RELOP_MEMBER_OF_DL)
        return 0;
    if (mv == wmv)
        return relop_values(relop, v, w);
    if (!mv)
        return 0;
    for (i = 0; i < v->v.mv.count; i++) {
        pv_elem(v, i, &e);
        if (relop_values(relop, &e, w))
            return 1;
    }
    return 0;
}

static int match_property(const rop_restriction *r, const store_row *row)
{
    const rop_propval *v = row_value(row, r->u.property.tag);
    const rop_propval *w = &r->u.property.val;

    if (!v || !same_base(ROP_PROP_TYPE(v->tag), ROP_PROP_TYPE(w->tag)))
        return 0;
    return relop_match(r->u.property.relop, v, w);
}

static int match_compare(const rop_restriction *r, const store_row *row)
{
    const rop_propval *a = row_value(row, r->u.compare.tag1);
    const rop_propval *b = row_value(row, r->u.compare.tag2);

    if (!a || !b || !same_base(ROP_PROP_TYPE(a->tag), ROP_PROP_TYPE(b->tag)))
        return 0;
    return relop_match(r->u.compare.relop, a, b);
}

static int match_bitmask(const rop_restriction *r, const store_row *row)
{
    const rop_propval *v = store_props_get(&row->props,
                                           r->u.bitmask.tag & 0xFFFF0000u);
    uint32_t bits;

    if (!v)
        return 0;
    switch (ROP_PROP_TYPE(v->tag)) {
    case ROP_PT_LONG:    bits = v->v.l; break;
    case ROP_PT_I2:      bits = v->v.i2; break;
    case ROP_PT_BOOLEAN: bits = v->v.b; break;
    default:             return 0;
    }
    if (r->u.bitmask.relop == STORE_BMR_EQZ)
        return (bits & r->u.bitmask.mask) == 0;
    if (r->u.bitmask.relop == STORE_BMR_NEZ)
        return (bits & r->u.bitmask.mask) != 0;
    return 0;
}

/* UTF-16 bytes of a UTF-8 string, terminator excluded. */
static uint64_t utf16_size(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    uint64_t n = 0;

    while (*p)
        n += utf8_next(&p) >= 0x10000 ? 4 : 2;
    return n;
}

/* The size a Size restriction measures: the value's bytes in its wire
 * form, without counts or terminators. */
static uint64_t scalar_size(uint16_t base, const rop_propval *v)
{
    switch (base) {
    case ROP_PT_BOOLEAN: return 1;
    case ROP_PT_I2:      return 2;
    case ROP_PT_LONG:
    case ROP_PT_FLOAT:
    case ROP_PT_ERROR:   return 4;
    case ROP_PT_CLSID:   return 16;
    case ROP_PT_UNICODE: return utf16_size(v->v.str);
    case ROP_PT_STRING8: return v->v.str ? strlen(v->v.str) : 0;
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:  return v->v.bin.len;
    case ROP_PT_NULL:    return 0;
    default:             return 8;
    }
}

static uint64_t value_size(const rop_propval *v)
{
    uint16_t base = base_type(ROP_PROP_TYPE(v->tag));
    uint64_t n = 0;
    rop_propval e;
    uint32_t i;

    for (i = 0; i < pv_count(v); i++) {
        pv_elem(v, i, &e);
        n += scalar_size(base, &e);
    }
    return n;
}

static int match_size(const rop_restriction *r, const store_row *row)
{
    const rop_propval *v = store_props_get(&row->props,
                                           r->u.size.tag & 0xFFFF0000u);
    uint64_t n;

    if (!v)
        return 0;
    n = value_size(v);
    return relop_holds(r->u.size.relop, CMP3(n, (uint64_t)r->u.size.size));
}

/* SubObject ([MS-OXCDATA] 2.12.10): true when any recipient (or
 * attachment) of the message satisfies the sub-restriction. */
static int match_subobject(const rop_restriction *r, const store_row *row,
                           store_restrict_state *st)
{
    const apr_array_header_t *subs;
    store_row sub;
    int i, is_recip;

    if (!row->msg)
        return 0;
    if (r->u.subobject.subobject == PidTagMessageRecipients)
        is_recip = 1;
    else if (r->u.subobject.subobject == PidTagMessageAttachments)
        is_recip = 0;
    else
        return 0;
    subs = is_recip ? row->msg->recipients : row->msg->attachments;
    for (i = 0; subs && i < subs->nelts; i++) {
        memset(&sub, 0, sizeof(sub));
        if (is_recip) {
            const store_recipient *rc = &APR_ARRAY_IDX(subs, i,
                                                       store_recipient);
            sub.props = rc->props;
            sub.id = rc->row_id;
        } else {
            const store_attachment *at = &APR_ARRAY_IDX(subs, i,
                                                        store_attachment);
            sub.props = at->props;
            sub.id = at->attach_num;
        }
        if (match(r->u.subobject.sub, &sub, st))
            return 1;
    }
    return 0;
}

/* Count ([MS-OXCDATA] 2.12.12): at most count rows get through. */
static int match_count(const rop_restriction *r, const store_row *row,
                       store_restrict_state *st)
{
    uint32_t *used;

    if (r->u.count.count == 0 || !match(r->u.count.sub, row, st))
        return 0;
    if (!st)
        return 1;
    used = apr_hash_get(st->used, &r, sizeof(r));
    if (!used) {
        const rop_restriction **key = apr_pmemdup(st->pool, &r, sizeof(r));

        used = apr_pcalloc(st->pool, sizeof(*used));
        apr_hash_set(st->used, key, sizeof(r), used);
    }
    if (*used >= r->u.count.count)
        return 0;
    (*used)++;
    return 1;
}

static int match_andor(const rop_restriction *r, const store_row *row,
                       store_restrict_state *st)
{
    int is_and = r->type == ROP_RES_AND;
    uint16_t i;

    for (i = 0; i < r->u.andor.count; i++)
        if (match(&r->u.andor.subs[i], row, st) != is_and)
            return !is_and;
    return is_and;
}

static int match(const rop_restriction *r, const store_row *row,
                 store_restrict_state *st)
{
    if (!r)
        return 1;
    switch (r->type) {
    case ROP_RES_AND:
    case ROP_RES_OR:            return match_andor(r, row, st);
    case ROP_RES_NOT:           return !match(r->u.not_sub, row, st);
    case ROP_RES_CONTENT:       return match_content(r, row);
    case ROP_RES_PROPERTY:      return match_property(r, row);
    case ROP_RES_COMPARE_PROPS: return match_compare(r, row);
    case ROP_RES_BITMASK:       return match_bitmask(r, row);
    case ROP_RES_SIZE:          return match_size(r, row);
    case ROP_RES_EXIST:
        return store_props_get(&row->props,
                               r->u.exist.tag & 0xFFFF0000u) != NULL;
    case ROP_RES_SUBOBJECT:     return match_subobject(r, row, st);
    case ROP_RES_COMMENT:
        return r->u.comment.sub ? match(r->u.comment.sub, row, st) : 1;
    case ROP_RES_COUNT:         return match_count(r, row, st);
    default:                    return 0;
    }
}

int store_restrict_match(const rop_restriction *r, const store_row *row)
{
    return match(r, row, NULL);
}

void store_restrict_state_init(store_restrict_state *st, apr_pool_t *pool)
{
    st->pool = pool;
    st->used = apr_hash_make(pool);
}

int store_restrict_match_st(const rop_restriction *r, const store_row *row,
                            store_restrict_state *st)
{
    return match(r, row, st);
}

apr_array_header_t *store_rows_restrict(const apr_array_header_t *rows,
                                        const rop_restriction *r,
                                        apr_pool_t *pool)
{
    apr_array_header_t *out = apr_array_make(pool, rows->nelts + 1,
                                             sizeof(store_row *));
    store_restrict_state st;
    int i;

    store_restrict_state_init(&st, pool);
    for (i = 0; i < rows->nelts; i++) {
        store_row *row = APR_ARRAY_IDX(rows, i, store_row *);

        if (match(r, row, &st))
            APR_ARRAY_PUSH(out, store_row *) = row;
    }
    return out;
}

/* -------------------------------------------------------------- sort -- */

/* The value a sort order looks at, or NULL (missing sorts first). */
static const rop_propval *sort_value(const store_row *row,
                                     const rop_sort_order *o,
                                     rop_propval *tmp)
{
    uint16_t want = o->prop_type;
    const rop_propval *v = store_props_get(&row->props,
                                           (uint32_t)o->prop_id << 16);
    uint16_t have;

    if (!v || !same_base(ROP_PROP_TYPE(v->tag), want))
        return NULL;
    have = ROP_PROP_TYPE(v->tag);
    if ((want & MV_BITS) == MV_BITS && is_mv(have)) {
        if (v->v.mv.count == 0)
            return NULL;
        pv_elem(v, row->instance < v->v.mv.count ? row->instance : 0, tmp);
        return tmp;
    }
    if ((want & MV_BITS) == MV_BITS)
        return is_mv(have) ? NULL : v;
    return is_mv(want) == is_mv(have) ? v : NULL;
}

const rop_propval *store_row_sort_value(const store_row *row,
                                        const rop_sort_order *o,
                                        rop_propval *tmp)
{
    return sort_value(row, o, tmp);
}

static int row_cmp(const store_row *a, const store_row *b,
                   const rop_sort_order *orders, unsigned n)
{
    const rop_propval *va, *vb;
    rop_propval ta, tb;
    unsigned i;
    int c;

    for (i = 0; i < n; i++) {
        va = sort_value(a, &orders[i], &ta);
        vb = sort_value(b, &orders[i], &tb);
        if (!va || !vb)
            c = CMP3(va != NULL, vb != NULL);
        else
            c = store_propval_cmp(ROP_PROP_TYPE(va->tag), va, vb);
        if (c)
            return orders[i].order == 1 ? -c : c;
    }
    return 0;
}

/* A merge sort: stable by construction, O(n log n) on any input. */
static void merge_sort(store_row **v, store_row **tmp, size_t n,
                       const rop_sort_order *orders, unsigned n_orders)
{
    size_t mid = n / 2, i = 0, j = mid, k = 0;

    if (n < 2)
        return;
    merge_sort(v, tmp, mid, orders, n_orders);
    merge_sort(v + mid, tmp, n - mid, orders, n_orders);
    while (i < mid && j < n)
        tmp[k++] = row_cmp(v[j], v[i], orders, n_orders) < 0 ? v[j++]
                                                              : v[i++];
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

void store_rows_sort(apr_array_header_t *rows, const rop_sort_order *orders,
                     unsigned n_orders)
{
    store_row **tmp;
    size_t n = (size_t)rows->nelts;

    if (n < 2 || n_orders == 0)
        return;
    tmp = malloc(n * sizeof(*tmp));
    if (!tmp) {
        /* No scratch space: an insertion sort is stable too. */
        store_row **v = (store_row **)rows->elts;
        size_t i, j;

        for (i = 1; i < n; i++)
            for (j = i; j > 0 && row_cmp(v[j], v[j - 1], orders,
                                         n_orders) < 0; j--) {
                store_row *t = v[j];
                v[j] = v[j - 1];
                v[j - 1] = t;
            }
        return;
    }
    merge_sort((store_row **)rows->elts, tmp, n, orders, n_orders);
    free(tmp);
}

/* ------------------------------------------------------------- rows -- */

/* Whether s is valid UTF-8: mapi_wr_str16 refuses anything else, and
 * its failure could not be told apart from a full writer. */
static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    while (*p) {
        unsigned n, i;
        uint32_t c = *p;

        if (c < 0x80) {
            p++;
            continue;
        }
        if (c < 0xC2 || c > 0xF4)
            return 0;
        n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        c &= 0x3F >> (n - 1);
        for (i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            c = c << 6 | (p[i] & 0x3F);
        }
        if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000)
            || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
            return 0;
        p += n;
    }
    return 1;
}

/* Whether one value of base type can be written by rop_wr_propval. */
static int elem_writable(uint16_t base, const rop_propval *e)
{
    switch (base) {
    case ROP_PT_UNICODE:
        return utf8_valid(e->v.str);
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:
        return e->v.bin.len <= 0xFFFF;
    case ROP_PT_NULL: case ROP_PT_BOOLEAN: case ROP_PT_I2:
    case ROP_PT_LONG: case ROP_PT_FLOAT: case ROP_PT_ERROR:
    case ROP_PT_DOUBLE: case ROP_PT_CURRENCY: case ROP_PT_APPTIME:
    case ROP_PT_I8: case ROP_PT_SYSTIME: case ROP_PT_STRING8:
    case ROP_PT_CLSID:
        return 1;
    case ROP_PT_SRESTRICTION:
        return e->v.res != NULL;
    case ROP_PT_ACTIONS:
        return 1;
    default:
        return 0;              /* Object, Unspecified, unknown */
    }
}

static int value_writable(uint16_t type, const rop_propval *v)
{
    uint16_t base = base_type(type);
    rop_propval e;
    uint32_t i;

    /* Types with no multi-valued form on the wire. */
    if (is_mv(type) && (base == ROP_PT_SRESTRICTION
                        || base == ROP_PT_ACTIONS || base == ROP_PT_NULL
                        || base == ROP_PT_BOOLEAN || base == ROP_PT_ERROR
                        || base == ROP_PT_SVREID))
        return 0;
    for (i = 0; i < pv_count(v); i++) {
        pv_elem(v, i, &e);
        if (!elem_writable(base, &e))
            return 0;
    }
    return 1;
}

/* What a column gets: a value (in *out, typed as written) or an error
 * code. */
typedef struct col_cell {
    int ok;
    uint32_t error;
    rop_propval val;
} col_cell;

static void col_resolve(const store_props *props, uint32_t col,
                        col_cell *cell)
{
    uint16_t want = ROP_PROP_TYPE(col), have;
    const rop_propval *v = store_props_get(props, col & 0xFFFF0000u);

    cell->ok = 0;
    cell->error = ecNotFound;
    if (!v)
        return;
    if (store_blob_ref_get(v, NULL)) {
        /* A large value left in its blob (STORE_GET_LARGE_AS_REF): too
         * large for a row, read with RopOpenStream ([MS-OXCPRPT] R2052). */
        cell->error = ecNotEnoughMemory;
        return;
    }
    have = ROP_PROP_TYPE(v->tag);
    if (have == ROP_PT_ERROR && want != ROP_PT_ERROR) {
        cell->error = v->v.l;          /* a stored error is reported */
        return;
    }
    if (want == ROP_PT_UNSPECIFIED) {
        cell->val = *v;
    } else if ((want & MV_BITS) == MV_BITS) {
        if (!same_base(have, want) || (is_mv(have) && !v->v.mv.count))
            return;
        pv_elem(v, 0, &cell->val);
        cell->val.tag = (col & 0xFFFF0000u) | base_type(want);
    } else {
        if (!same_base(have, want) || is_mv(have) != is_mv(want))
            return;
        cell->val = *v;
        cell->val.tag = col;           /* String <-> String8 */
    }
    if (!value_writable(ROP_PROP_TYPE(cell->val.tag), &cell->val)) {
        /* Too large or not encodable: what Exchange answers for a value
         * a table cannot carry. */
        cell->error = ecNotEnoughMemory;
        return;
    }
    cell->ok = 1;
}

static int write_cell(mapi_wr *wr, uint32_t col, const col_cell *cell,
                      int flagged)
{
    uint16_t type = ROP_PROP_TYPE(cell->val.tag);

    if (!cell->ok) {
        mapi_wr_u8(wr, 0x0A);
        return mapi_wr_u32(wr, cell->error);
    }
    if (flagged)
        mapi_wr_u8(wr, 0x00);
    if (ROP_PROP_TYPE(col) == ROP_PT_UNSPECIFIED)
        mapi_wr_u16(wr, type);          /* TypedPropertyValue */
    return rop_wr_propval(wr, ROP_PROP_TYPE(col) == ROP_PT_UNSPECIFIED
                          ? type : ROP_PROP_TYPE(col), &cell->val);
}

int store_wr_property_row(mapi_wr *wr, const rop_tag_array *columns,
                          const store_props *row)
{
    col_cell cell;
    int flagged = 0;
    uint16_t i;

    /* Two passes instead of a cell array: the first only decides the
     * row's form, so encoding needs no memory of its own. */
    for (i = 0; i < columns->count && !flagged; i++) {
        col_resolve(row, columns->tags[i], &cell);
        flagged = !cell.ok;
    }
    mapi_wr_u8(wr, flagged ? ROP_ROW_FLAGGED : ROP_ROW_STANDARD);
    for (i = 0; i < columns->count && !wr->failed; i++) {
        col_resolve(row, columns->tags[i], &cell);
        write_cell(wr, columns->tags[i], &cell, flagged);
    }
    return wr->failed ? -1 : 0;
}

/* ------------------------------------------------------ typed lookup -- */

const rop_propval *store_props_get_as(const store_props *p, apr_pool_t *pool,
                                      uint32_t tag)
{
    uint16_t want = ROP_PROP_TYPE(tag), have;
    const rop_propval *v = store_props_get(p, tag & 0xFFFF0000u);
    rop_propval *c;

    if (!v || want == ROP_PT_UNSPECIFIED)
        return v;
    have = ROP_PROP_TYPE(v->tag);
    if (have == want)
        return v;
    if (!is_string(base_type(have)) || !is_string(base_type(want))
        || is_mv(have) != is_mv(want))
        return NULL;
    /* Both string types hold UTF-8 here; only the tag changes.  The
     * strings stay the bag's. */
    c = apr_pmemdup(pool, v, sizeof(*v));
    c->tag = tag;
    return c;
}
