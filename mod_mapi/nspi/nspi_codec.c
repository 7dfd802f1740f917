/*
 * nspi_codec.c: the pieces request and response bodies are made of
 * ([MS-OXCMAPIHTTP] 2.2.1, 2.2.5): Has* bytes, optional STATs, MId arrays,
 * LargePropertyTagArrays, string arrays and property values.  Every count
 * is checked against its NSPI_MAX_* limit and against the bytes left
 * before anything is allocated from it.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>

#include "nspi/nspi_codec.h"

int nspi_rd_has(mapi_rd *rd, int *has_r)
{
    uint8_t b;

    /* Has* fields are 0x00 or 0xFF; anything else is a broken body. */
    if (mapi_rd_u8(rd, &b) != 0 || (b != 0 && b != 0xFF))
        return -1;
    *has_r = b != 0;
    return 0;
}

int nspi_rd_bool(mapi_rd *rd, int *v_r)
{
    uint8_t b;

    if (mapi_rd_u8(rd, &b) != 0)
        return -1;
    *v_r = b != 0;
    return 0;
}

int nspi_rd_opt_stat(mapi_rd *rd, int *has_r, nspi_stat *st)
{
    if (nspi_rd_has(rd, has_r) != 0)
        return -1;
    if (!*has_r) {
        nspi_stat_default(st);
        return 0;
    }
    return nspi_stat_read(rd, st);
}

/* A u32 count of elem-byte items, bounded by max and by what is left. */
static int rd_count(mapi_rd *rd, size_t elem, uint32_t max, uint32_t *n_r)
{
    if (mapi_rd_u32(rd, n_r) != 0 || *n_r > max ||
        (size_t)*n_r * elem > mapi_rd_left(rd)) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

int nspi_rd_u32_array(mapi_rd *rd, apr_pool_t *pool, uint32_t max,
                      uint32_t **a_r, uint32_t *n_r)
{
    if (rd_count(rd, 4, max, n_r) != 0)
        return -1;
    *a_r = apr_palloc(pool, (*n_r ? *n_r : 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < *n_r; i++)
        mapi_rd_u32(rd, &(*a_r)[i]);
    return rd->failed ? -1 : 0;
}

int nspi_rd_opt_mids(mapi_rd *rd, apr_pool_t *pool, int *has_r,
                     uint32_t **a_r, uint32_t *n_r)
{
    *n_r = 0;
    *a_r = NULL;
    if (nspi_rd_has(rd, has_r) != 0)
        return -1;
    return *has_r ? nspi_rd_u32_array(rd, pool, NSPI_MAX_ROWS, a_r, n_r) : 0;
}

int nspi_rd_opt_tags(mapi_rd *rd, apr_pool_t *pool, int *has_r,
                     uint32_t **a_r, uint32_t *n_r)
{
    *n_r = 0;
    *a_r = NULL;
    if (nspi_rd_has(rd, has_r) != 0)
        return -1;
    return *has_r ? nspi_rd_u32_array(rd, pool, NSPI_MAX_TAGS, a_r, n_r) : 0;
}

int nspi_rd_strings(mapi_rd *rd, apr_pool_t *pool, int wide,
                    const char ***a_r, uint32_t *n_r)
{
    /* Each string takes at least its terminator. */
    if (rd_count(rd, wide ? 2 : 1, NSPI_MAX_NAMES, n_r) != 0)
        return -1;
    *a_r = apr_pcalloc(pool, (*n_r ? *n_r : 1) * sizeof(char *));
    for (uint32_t i = 0; i < *n_r; i++) {
        int rc = wide ? mapi_rd_str16(rd, pool, NSPI_MAX_STR, &(*a_r)[i])
                      : mapi_rd_str8(rd, pool, NSPI_MAX_STR, &(*a_r)[i]);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int nspi_rd_value(mapi_rd *rd, apr_pool_t *pool, uint16_t type, int abk,
                  uint32_t codepage, nspi_val *v)
{
    uint16_t base = type & ~NSPI_PT_MV;
    uint32_t n;
    int has = 1;

    v->err = NSPI_OK;
    if (abk && ((type & NSPI_PT_MV) || base == NSPI_PT_STRING8 ||
                base == NSPI_PT_UNICODE || base == NSPI_PT_BINARY)) {
        if (nspi_rd_has(rd, &has) != 0)
            return -1;
        if (!has) {
            v->err = NSPI_E_NOT_FOUND;
            return 0;
        }
    }
    if (type == (NSPI_PT_MV | NSPI_PT_BINARY)) {
        /* Certificates (ModProps): each value a u32 length and bytes. */
        if (rd_count(rd, 4, NSPI_MAX_MV, &n))
            return -1;
        v->mvb = apr_array_make(pool, (int)(n ? n : 1), sizeof(cfg_blob));
        for (uint32_t i = 0; i < n; i++) {
            nspi_val e = { 0 };
            if (nspi_rd_value(rd, pool, NSPI_PT_BINARY, 0, codepage, &e) != 0)
                return -1;
            APR_ARRAY_PUSH(v->mvb, cfg_blob) =
                (cfg_blob){ e.bin, e.bin_len };
        }
        return 0;
    }
    if (type & NSPI_PT_MV) {
        if (base != NSPI_PT_STRING8 && base != NSPI_PT_UNICODE)
            return -1;
        if (rd_count(rd, base == NSPI_PT_UNICODE ? 2 : 1, NSPI_MAX_MV, &n))
            return -1;
        v->mv = apr_array_make(pool, (int)(n ? n : 1), sizeof(const char *));
        for (uint32_t i = 0; i < n; i++) {
            nspi_val e = { 0 };
            if (nspi_rd_value(rd, pool, base, 0, codepage, &e) != 0)
                return -1;
            APR_ARRAY_PUSH(v->mv, const char *) = e.s;
        }
        return 0;
    }
    switch (base) {
    case NSPI_PT_SHORT: {
        uint16_t s;
        if (mapi_rd_u16(rd, &s) != 0)
            return -1;
        v->l = s;
        return 0;
    }
    case NSPI_PT_LONG:
    case NSPI_PT_ERROR:
        return mapi_rd_u32(rd, &v->l);
    case NSPI_PT_BOOLEAN: {
        uint8_t b;
        if (mapi_rd_u8(rd, &b) != 0)
            return -1;
        v->l = b != 0;
        return 0;
    }
    case NSPI_PT_I8:
    case NSPI_PT_SYSTIME:
        return mapi_rd_skip(rd, 8);
    case NSPI_PT_CLSID:
        return mapi_rd_view(rd, 16, &v->bin) == 0 ? (v->bin_len = 16, 0) : -1;
    case NSPI_PT_UNICODE:
        return mapi_rd_str16(rd, pool, NSPI_MAX_STR, &v->s);
    case NSPI_PT_STRING8:
        if (mapi_rd_str8(rd, pool, NSPI_MAX_STR, &v->s) != 0)
            return -1;
        v->s = nspi_from_codepage(pool, v->s, codepage);
        return 0;
    case NSPI_PT_BINARY:
        if (mapi_rd_u32(rd, &n) != 0 || n > NSPI_MAX_BIN ||
            mapi_rd_view(rd, n, &v->bin) != 0) {
            rd->failed = 1;
            return -1;
        }
        v->bin_len = n;
        return 0;
    }
    return -1;
}

int nspi_rd_tagged(mapi_rd *rd, apr_pool_t *pool, uint32_t codepage,
                   nspi_val *v)
{
    uint16_t type, id;

    if (mapi_rd_u16(rd, &type) != 0 || mapi_rd_u16(rd, &id) != 0)
        return -1;
    v->tag = NSPI_TAG(id, type);
    return nspi_rd_value(rd, pool, type, 1, codepage, v);
}

int nspi_rd_end(mapi_rd *rd)
{
    uint32_t aux;

    /* AuxiliaryBufferSize and exactly that many bytes end every body. */
    if (mapi_rd_u32(rd, &aux) != 0 || mapi_rd_skip(rd, aux) != 0 ||
        mapi_rd_left(rd) != 0)
        return -1;
    return 0;
}

void nspi_wr_head(mapi_wr *wr, uint32_t ec)
{
    mapi_wr_u32(wr, 0);              /* StatusCode: MUST be 0 */
    mapi_wr_u32(wr, ec);             /* ErrorCode */
}

void nspi_wr_tail(mapi_wr *wr)
{
    mapi_wr_u32(wr, 0);              /* AuxiliaryBufferSize */
}

void nspi_wr_opt_stat(mapi_wr *wr, const nspi_stat *st)
{
    mapi_wr_u8(wr, st ? 0xFF : 0x00);
    if (st)
        nspi_stat_write(wr, st);
}

void nspi_wr_opt_u32s(mapi_wr *wr, const uint32_t *a, uint32_t n, int has)
{
    mapi_wr_u8(wr, has ? 0xFF : 0x00);
    if (!has)
        return;
    mapi_wr_u32(wr, n);
    for (uint32_t i = 0; i < n; i++)
        mapi_wr_u32(wr, a[i]);
}
