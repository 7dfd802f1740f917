/*
 * nspi_res.c: restrictions over directory objects (GetMatches,
 * [MS-OXNSPI] 3.1.4.1.10) and ambiguous name resolution (ResolveNames,
 * 3.1.4.1.17).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

#include "nspi/nspi.h"

#define FL_FULLSTRING 0x0u
#define FL_SUBSTRING  0x1u
#define FL_PREFIX     0x2u
#define RELOP_LT 0
#define RELOP_LE 1
#define RELOP_GT 2
#define RELOP_GE 3
#define RELOP_EQ 4
#define RELOP_NE 5
#define BMR_EQZ  0
#define BMR_NEZ  1

typedef struct res_reader {
    apr_pool_t *pool;
    uint32_t codepage;
    unsigned nodes;
    const char *why;
} res_reader;

static int res_one(mapi_rd *rd, res_reader *rr, unsigned depth,
                   nspi_res *res);

static int res_children(mapi_rd *rd, res_reader *rr, unsigned depth,
                        nspi_res *res)
{
    uint32_t n;

    if (mapi_rd_u32(rd, &n) != 0)
        return -1;
    /* Each child takes at least one byte: a count beyond what is left or
     * beyond the node limit is refused before anything is allocated. */
    if (n > NSPI_MAX_RES_NODES || n > mapi_rd_left(rd)) {
        rr->why = "restriction has too many children";
        return -1;
    }
    res->n = n;
    res->sub = apr_pcalloc(rr->pool, (n ? n : 1) * sizeof(*res->sub));
    for (uint32_t i = 0; i < n; i++)
        if (res_one(rd, rr, depth + 1, &res->sub[i]) != 0)
            return -1;
    return 0;
}

static int res_tagged(mapi_rd *rd, res_reader *rr, nspi_val *v)
{
    if (mapi_rd_u32(rd, &v->tag) != 0)
        return -1;
    return nspi_rd_value(rd, rr->pool, NSPI_TYPE(v->tag), 0, rr->codepage, v);
}

static int res_one(mapi_rd *rd, res_reader *rr, unsigned depth,
                   nspi_res *res)
{
    if (depth > NSPI_MAX_RES_DEPTH) {
        rr->why = "restriction nested too deep";
        return -1;
    }
    if (++rr->nodes > NSPI_MAX_RES_NODES) {
        rr->why = "restriction has too many nodes";
        return -1;
    }
    if (mapi_rd_u8(rd, &res->type) != 0)
        return -1;
    switch (res->type) {
    case NSPI_RES_AND:
    case NSPI_RES_OR:
        return res_children(rd, rr, depth, res);
    case NSPI_RES_NOT:
        res->n = 1;
        res->sub = apr_pcalloc(rr->pool, sizeof(*res->sub));
        return res_one(rd, rr, depth + 1, res->sub);
    case NSPI_RES_CONTENT:
        if (mapi_rd_u32(rd, &res->fuzzy) != 0 ||
            mapi_rd_u32(rd, &res->tag) != 0)
            return -1;
        return res_tagged(rd, rr, &res->val);
    case NSPI_RES_PROPERTY:
        if (mapi_rd_u8(rd, &res->relop) != 0 ||
            mapi_rd_u32(rd, &res->tag) != 0)
            return -1;
        return res_tagged(rd, rr, &res->val);
    case NSPI_RES_BITMASK:
        if (mapi_rd_u8(rd, &res->relop) != 0 ||
            mapi_rd_u32(rd, &res->tag) != 0 ||
            mapi_rd_u32(rd, &res->mask) != 0)
            return -1;
        return 0;
    case NSPI_RES_EXIST:
        return mapi_rd_u32(rd, &res->tag);
    }
    rr->why = "restriction type not understood";
    return -1;
}

int nspi_res_read(mapi_rd *rd, apr_pool_t *pool, uint32_t codepage,
                  nspi_res *res, const char **why_r)
{
    res_reader rr = { pool, codepage, 0, "restriction truncated" };
    int rc = res_one(rd, &rr, 1, res);

    if (rc != 0 && why_r)
        *why_r = rr.why;
    return rc;
}

/* ---- evaluation */

static int str_content(const char *have, const char *want, uint32_t fuzzy)
{
    size_t hl = strlen(have), wl = strlen(want);

    /* Directory comparisons ignore case, as Exchange's do. */
    switch (fuzzy & 0xFFFFu) {
    case FL_FULLSTRING:
        return strcasecmp(have, want) == 0;
    case FL_PREFIX:
        return hl >= wl && strncasecmp(have, want, wl) == 0;
    case FL_SUBSTRING:
        for (size_t i = 0; i + wl <= hl; i++)
            if (strncasecmp(have + i, want, wl) == 0)
                return 1;
        return 0;
    }
    return 0;
}

static int relop_ok(int c, uint8_t relop)
{
    switch (relop) {
    case RELOP_LT: return c < 0;
    case RELOP_LE: return c <= 0;
    case RELOP_GT: return c > 0;
    case RELOP_GE: return c >= 0;
    case RELOP_EQ: return c == 0;
    case RELOP_NE: return c != 0;
    }
    return -1;
}

static int bin_cmp(const nspi_val *a, const nspi_val *b)
{
    size_t n = a->bin_len < b->bin_len ? a->bin_len : b->bin_len;
    int c = n ? memcmp(a->bin, b->bin, n) : 0;

    if (c)
        return c;
    return a->bin_len < b->bin_len ? -1 : a->bin_len > b->bin_len;
}

static int is_str(uint16_t t)
{
    t &= ~NSPI_PT_MV;
    return t == NSPI_PT_UNICODE || t == NSPI_PT_STRING8;
}

/* Compares (relop) or searches (content, relop 0xFF) one value. */
static int val_match(const nspi_val *have, const nspi_res *res)
{
    uint16_t ht = NSPI_TYPE(have->tag) & ~NSPI_PT_MV;
    uint16_t wt = NSPI_TYPE(res->val.tag) & ~NSPI_PT_MV;
    int content = res->type == NSPI_RES_CONTENT;

    if (is_str(ht) && is_str(wt)) {
        const char *w = res->val.s ? res->val.s : "";
        if (have->mv) {
            for (int i = 0; i < have->mv->nelts; i++) {
                const char *s = APR_ARRAY_IDX(have->mv, i, const char *);
                if (content ? str_content(s, w, res->fuzzy)
                            : relop_ok(strcasecmp(s, w), res->relop) == 1)
                    return 1;
            }
            return 0;
        }
        return content ? str_content(have->s, w, res->fuzzy)
                       : relop_ok(strcasecmp(have->s, w), res->relop);
    }
    if (ht == NSPI_PT_BINARY && wt == NSPI_PT_BINARY) {
        if (content)
            return (res->fuzzy & 0xFFFFu) == FL_PREFIX
                   ? have->bin_len >= res->val.bin_len &&
                     memcmp(have->bin, res->val.bin, res->val.bin_len) == 0
                   : bin_cmp(have, &res->val) == 0;
        return relop_ok(bin_cmp(have, &res->val), res->relop);
    }
    if ((ht == NSPI_PT_LONG || ht == NSPI_PT_BOOLEAN) && ht == wt && !content)
        return relop_ok(have->l < res->val.l ? -1 : have->l > res->val.l,
                        res->relop);
    return content ? -1 : 0;
}

int nspi_res_match(const nspi_dir *dir, const nspi_obj *obj,
                   const nspi_res *res, apr_pool_t *pool)
{
    nspi_val v;
    int r;

    switch (res->type) {
    case NSPI_RES_AND:
    case NSPI_RES_OR:
        for (unsigned i = 0; i < res->n; i++) {
            if ((r = nspi_res_match(dir, obj, &res->sub[i], pool)) < 0)
                return r;
            if (r != (res->type == NSPI_RES_AND))
                return r;
        }
        return res->type == NSPI_RES_AND;
    case NSPI_RES_NOT:
        r = nspi_res_match(dir, obj, res->sub, pool);
        return r < 0 ? r : !r;
    case NSPI_RES_EXIST:
        nspi_prop_get(dir, obj, NSPI_TAG(NSPI_ID(res->tag), 0), 0, pool, &v);
        return v.err == NSPI_OK;
    case NSPI_RES_BITMASK:
        nspi_prop_get(dir, obj, NSPI_TAG(NSPI_ID(res->tag), 0), 0, pool, &v);
        if (v.err != NSPI_OK || NSPI_TYPE(v.tag) != NSPI_PT_LONG)
            return 0;
        return res->relop == BMR_EQZ ? (v.l & res->mask) == 0
                                     : (v.l & res->mask) != 0;
    case NSPI_RES_CONTENT:
    case NSPI_RES_PROPERTY:
        /* The property of the restriction, whatever string width it is
         * named with; a single value matches a multi-valued property when
         * any of its values does (proxy address lookups). */
        nspi_prop_get(dir, obj, NSPI_TAG(NSPI_ID(res->tag), 0), 0, pool, &v);
        if (v.err != NSPI_OK)
            return res->type == NSPI_RES_PROPERTY &&
                   res->relop == RELOP_NE;
        return val_match(&v, res);
    }
    return -1;
}

/* ---- ambiguous name resolution */

static int word_prefix(const char *s, const char *name, size_t nl)
{
    for (const char *p = s; p && *p; ) {
        if (strncasecmp(p, name, nl) == 0)
            return 1;
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return 0;
}

/* 2: exact match of a whole attribute, 1: prefix match, 0: none. */
static int anr_score(const nspi_obj *o, const char *name)
{
    size_t nl = strlen(name);
    const char *attrs[] = { o->display_name, o->alias,
                            o->attrs.given_name, o->attrs.surname };
    int best = 0;

    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (!attrs[i])
            continue;
        if (strcasecmp(attrs[i], name) == 0)
            return 2;
        if (word_prefix(attrs[i], name, nl))
            best = 1;
    }
    for (int i = 0; o->smtp_all && i < o->smtp_all->nelts; i++) {
        const char *s = APR_ARRAY_IDX(o->smtp_all, i, const char *);
        if (strcasecmp(s, name) == 0)
            return 2;
        if (strncasecmp(s, name, nl) == 0)
            best = 1;
    }
    if (o->legacy_dn && strcasecmp(o->legacy_dn, name) == 0)
        return 2;
    return best;
}

uint32_t nspi_anr(const nspi_dir *dir, const char *name)
{
    unsigned n_exact = 0, n_prefix = 0;
    uint32_t exact = 0, prefix = 0;

    /* "SMTP:a@b" and "=a@b" (Outlook's exact-match prefix) name an
     * address; leading blanks do not count. */
    while (*name == ' ')
        name++;
    if (strncasecmp(name, "SMTP:", 5) == 0)
        name += 5;
    else if (*name == '=')
        name++;
    if (*name == '\0')
        return NSPI_MID_UNRESOLVED;
    for (unsigned i = 0; i < dir->n; i++) {
        int s = anr_score(dir->rows[i], name);
        if (s == 2 && n_exact++ == 0)
            exact = dir->rows[i]->mid;
        if (s >= 1 && n_prefix++ == 0)
            prefix = dir->rows[i]->mid;
    }
    /* An exact match resolves even where other names start alike. */
    if (n_exact == 1)
        return exact;
    if (n_exact > 1 || n_prefix > 1)
        return NSPI_MID_AMBIGUOUS;
    return n_prefix == 1 ? prefix : NSPI_MID_UNRESOLVED;
}
