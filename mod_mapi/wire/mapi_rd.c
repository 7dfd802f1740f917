/*
 * mapi_rd.c: the bounded reader and writer for untrusted bytes.
 *
 * Every length check is written as (end - p < n) or (max - len < n) so that
 * no sum can wrap around.  A read that fails leaves the reader exactly where
 * it was and sets the sticky failed flag; a write that fails leaves the
 * writer's contents unchanged and sets its failed flag.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>

#include "mapi_rd.h"

/* ---------------------------------------------------------------- reader */

void mapi_rd_init(mapi_rd *rd, const void *data, size_t len)
{
    /* NULL + 0 is undefined behaviour in C, so an empty reader over NULL
     * gets p == end == NULL explicitly. */
    rd->p = data;
    rd->end = data ? rd->p + len : rd->p;
    rd->failed = 0;
}

size_t mapi_rd_left(const mapi_rd *rd)
{
    return (size_t)(rd->end - rd->p);
}

/* 0 when n more bytes are there; otherwise marks the reader failed. */
static int mapi_rd_need(mapi_rd *rd, size_t n)
{
    if ((size_t)(rd->end - rd->p) < n) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

int mapi_rd_u8(mapi_rd *rd, uint8_t *v_r)
{
    if (mapi_rd_need(rd, 1) < 0)
        return -1;
    *v_r = rd->p[0];
    rd->p += 1;
    return 0;
}

int mapi_rd_u16(mapi_rd *rd, uint16_t *v_r)
{
    if (mapi_rd_need(rd, 2) < 0)
        return -1;
    *v_r = (uint16_t)(rd->p[0] | (unsigned)rd->p[1] << 8);
    rd->p += 2;
    return 0;
}

int mapi_rd_u32(mapi_rd *rd, uint32_t *v_r)
{
    const uint8_t *p = rd->p;

    if (mapi_rd_need(rd, 4) < 0)
        return -1;
    *v_r = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
           | (uint32_t)p[3] << 24;
    rd->p += 4;
    return 0;
}

int mapi_rd_u64(mapi_rd *rd, uint64_t *v_r)
{
    const uint8_t *p = rd->p;
    uint64_t v = 0;
    int i;

    if (mapi_rd_need(rd, 8) < 0)
        return -1;
    for (i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    *v_r = v;
    rd->p += 8;
    return 0;
}

int mapi_rd_bytes(mapi_rd *rd, void *dst, size_t n)
{
    if (mapi_rd_need(rd, n) < 0)
        return -1;
    if (n)                       /* memcpy(NULL, .., 0) is undefined */
        memcpy(dst, rd->p, n);
    rd->p += n;
    return 0;
}

int mapi_rd_view(mapi_rd *rd, size_t n, const uint8_t **data_r)
{
    if (mapi_rd_need(rd, n) < 0)
        return -1;
    *data_r = rd->p;
    rd->p += n;
    return 0;
}

int mapi_rd_skip(mapi_rd *rd, size_t n)
{
    if (mapi_rd_need(rd, n) < 0)
        return -1;
    rd->p += n;
    return 0;
}

int mapi_rd_sub(mapi_rd *rd, size_t n, mapi_rd *sub_r)
{
    if (mapi_rd_need(rd, n) < 0)
        return -1;
    sub_r->p = rd->p;
    sub_r->end = rd->p + n;
    sub_r->failed = 0;
    rd->p += n;
    return 0;
}

/* How many bytes of the input a terminator search may look at: max
 * characters plus the terminator, but never more than what is left.  Written
 * so that max + 1 cannot wrap. */
static size_t mapi_rd_scan_limit(size_t left, size_t max_units, size_t unit)
{
    size_t units = left / unit;

    return (max_units < units ? max_units + 1 : units) * unit;
}

int mapi_rd_str8(mapi_rd *rd, apr_pool_t *pool, size_t max, const char **s_r)
{
    size_t lim = mapi_rd_scan_limit(mapi_rd_left(rd), max, 1);
    const uint8_t *nul = lim ? memchr(rd->p, 0, lim) : NULL;
    size_t n;

    if (!nul) {
        rd->failed = 1;
        return -1;
    }
    n = (size_t)(nul - rd->p);
    *s_r = apr_pstrmemdup(pool, (const char *)rd->p, n);
    rd->p += n + 1;
    return 0;
}

/* Appends code point cp (already validated, no surrogates) as UTF-8. */
static char *mapi_rd_put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

static unsigned mapi_rd_unit(const uint8_t *p, size_t i)
{
    return p[2 * i] | (unsigned)p[2 * i + 1] << 8;
}

/* Converts n UTF-16LE units at p to UTF-8 in out (room for 3 bytes per
 * unit plus NUL).  -1 on an unpaired surrogate. */
static int mapi_rd_utf16_to_utf8(const uint8_t *p, size_t n, char *out)
{
    size_t i;
    uint32_t cp;

    for (i = 0; i < n; i++) {
        cp = mapi_rd_unit(p, i);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return -1;                        /* low half with no high */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo = i + 1 < n ? mapi_rd_unit(p, i + 1) : 0;

            if (lo < 0xDC00 || lo > 0xDFFF)
                return -1;                    /* high half with no low */
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i++;
        }
        out = mapi_rd_put_utf8(out, cp);
    }
    *out = '\0';
    return 0;
}

int mapi_rd_str16(mapi_rd *rd, apr_pool_t *pool, size_t max, const char **s_r)
{
    size_t lim = mapi_rd_scan_limit(mapi_rd_left(rd), max, 2) / 2;
    size_t n;
    char *s;

    for (n = 0; n < lim && mapi_rd_unit(rd->p, n) != 0; n++)
        ;
    if (n == lim) {
        rd->failed = 1;
        return -1;
    }
    /* A BMP unit needs at most 3 UTF-8 bytes; a surrogate pair (2 units)
     * needs 4, so 3 per unit always suffices.  n < left/2 keeps this
     * multiplication far from overflow. */
    s = apr_palloc(pool, n * 3 + 1);
    if (!s || mapi_rd_utf16_to_utf8(rd->p, n, s) < 0) {
        rd->failed = 1;
        return -1;
    }
    *s_r = s;
    rd->p += 2 * (n + 1);
    return 0;
}

/* ---------------------------------------------------------------- writer */

void mapi_wr_init(mapi_wr *wr, apr_pool_t *pool, size_t max)
{
    wr->buf = NULL;
    wr->len = 0;
    wr->cap = 0;
    wr->max = max;
    wr->pool = pool;
    wr->failed = 0;
}

void mapi_wr_init_fixed(mapi_wr *wr, void *buf, size_t cap)
{
    wr->buf = buf;
    wr->len = 0;
    wr->cap = cap;
    wr->max = cap;
    wr->pool = NULL;
    wr->failed = 0;
}

size_t mapi_wr_room(const mapi_wr *wr)
{
    return wr->max - wr->len;
}

/* Picks the next capacity: doubling from 256, capped at max, at least
 * len + n (the caller has checked len + n <= max). */
static size_t mapi_wr_next_cap(const mapi_wr *wr, size_t n)
{
    size_t cap = wr->cap ? wr->cap : 256;

    while (cap - wr->len < n) {
        if (cap > wr->max / 2)
            return wr->max;
        cap *= 2;
    }
    return cap < wr->max ? cap : wr->max;
}

/* Makes room for n more bytes.  Pool buffers are never freed one by one,
 * so the old buffer stays in the pool; doubling bounds that waste to the
 * size of the final buffer. */
static int mapi_wr_grow(mapi_wr *wr, size_t n)
{
    size_t cap;
    uint8_t *nb;

    if (wr->max - wr->len < n) {
        wr->failed = 1;
        return -1;
    }
    if (wr->cap - wr->len >= n)
        return 0;
    if (!wr->pool) {                       /* fixed buffer: cap == max */
        wr->failed = 1;
        return -1;
    }
    cap = mapi_wr_next_cap(wr, n);
    nb = apr_palloc(wr->pool, cap);
    if (!nb) {
        wr->failed = 1;
        return -1;
    }
    if (wr->len)
        memcpy(nb, wr->buf, wr->len);
    wr->buf = nb;
    wr->cap = cap;
    return 0;
}

int mapi_wr_bytes(mapi_wr *wr, const void *src, size_t n)
{
    if (mapi_wr_grow(wr, n) < 0)
        return -1;
    if (n)
        memcpy(wr->buf + wr->len, src, n);
    wr->len += n;
    return 0;
}

int mapi_wr_zero(mapi_wr *wr, size_t n)
{
    if (mapi_wr_grow(wr, n) < 0)
        return -1;
    if (n)
        memset(wr->buf + wr->len, 0, n);
    wr->len += n;
    return 0;
}

static void mapi_wr_le(uint8_t *o, uint64_t v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        o[i] = (uint8_t)(v >> (8 * i));
}

static int mapi_wr_int(mapi_wr *wr, uint64_t v, size_t n)
{
    if (mapi_wr_grow(wr, n) < 0)
        return -1;
    mapi_wr_le(wr->buf + wr->len, v, n);
    wr->len += n;
    return 0;
}

int mapi_wr_u8(mapi_wr *wr, uint8_t v)
{
    return mapi_wr_int(wr, v, 1);
}

int mapi_wr_u16(mapi_wr *wr, uint16_t v)
{
    return mapi_wr_int(wr, v, 2);
}

int mapi_wr_u32(mapi_wr *wr, uint32_t v)
{
    return mapi_wr_int(wr, v, 4);
}

int mapi_wr_u64(mapi_wr *wr, uint64_t v)
{
    return mapi_wr_int(wr, v, 8);
}

int mapi_wr_str8(mapi_wr *wr, const char *s)
{
    return mapi_wr_bytes(wr, s, strlen(s) + 1);
}

/* Decodes one UTF-8 sequence at s.  Returns its length in bytes and the
 * code point in *cp, or 0 when the sequence is invalid: truncated, bad
 * continuation byte, overlong, a surrogate, or above U+10FFFF. */
static size_t mapi_wr_utf8_next(const uint8_t *s, uint32_t *cp)
{
    static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t n, i;
    uint32_t c = s[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, c &= 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, c &= 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, c &= 0x07;
    else
        return 0;
    /* The string is NUL-terminated and NUL is not a continuation byte, so
     * this loop stops at the terminator without reading past it. */
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min_cp[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* Counts the UTF-16 units s needs; -1 on invalid UTF-8. */
static int mapi_wr_utf16_units(const char *s, size_t *units_r)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t units = 0, k;
    uint32_t cp;

    while (*p) {
        k = mapi_wr_utf8_next(p, &cp);
        if (k == 0)
            return -1;
        units += cp >= 0x10000 ? 2 : 1;
        p += k;
    }
    *units_r = units;
    return 0;
}

static uint8_t *mapi_wr_put_unit(uint8_t *o, uint32_t u)
{
    o[0] = (uint8_t)u;
    o[1] = (uint8_t)(u >> 8);
    return o + 2;
}

int mapi_wr_str16(mapi_wr *wr, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t units;
    uint32_t cp;
    uint8_t *o;

    /* Validate and size first, so that a bad string writes nothing. */
    if (mapi_wr_utf16_units(s, &units) < 0) {
        wr->failed = 1;
        return -1;
    }
    if (units > (SIZE_MAX - 2) / 2 || mapi_wr_grow(wr, 2 * units + 2) < 0) {
        wr->failed = 1;
        return -1;
    }
    o = wr->buf + wr->len;
    while (*p) {
        p += mapi_wr_utf8_next(p, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            o = mapi_wr_put_unit(o, 0xD800 | cp >> 10);
            o = mapi_wr_put_unit(o, 0xDC00 | (cp & 0x3FF));
        } else {
            o = mapi_wr_put_unit(o, cp);
        }
    }
    mapi_wr_put_unit(o, 0);
    wr->len += 2 * units + 2;
    return 0;
}

size_t mapi_wr_reserve(mapi_wr *wr, size_t n)
{
    size_t off = wr->len;

    /* Zero-filled so that a reservation the caller forgets to patch never
     * leaks stale pool memory onto the wire. */
    if (mapi_wr_zero(wr, n) < 0)
        return (size_t)-1;
    return off;
}

/* Patches n bytes at off; an offset outside what was written is a caller
 * bug, reported through the failed flag rather than by writing anywhere. */
static void mapi_wr_put_at(mapi_wr *wr, size_t off, uint64_t v, size_t n)
{
    if (off > wr->len || wr->len - off < n) {
        wr->failed = 1;
        return;
    }
    mapi_wr_le(wr->buf + off, v, n);
}

void mapi_wr_put_u16_at(mapi_wr *wr, size_t off, uint16_t v)
{
    mapi_wr_put_at(wr, off, v, 2);
}

void mapi_wr_put_u32_at(mapi_wr *wr, size_t off, uint32_t v)
{
    mapi_wr_put_at(wr, off, v, 4);
}

/* Rolling back to an earlier length also clears failed: the point of the
 * rollback is to drop the partial write that did not fit and carry on from a
 * consistent state (e.g. write an error response instead). */
void mapi_wr_truncate(mapi_wr *wr, size_t len)
{
    if (len <= wr->len) {
        wr->len = len;
        wr->failed = 0;
    }
}

/* ---------------------------------------------- length-prefixed strings -- */

int mapi_rd_lstr(mapi_rd *rd, apr_pool_t *pool, size_t max, const char **s_r)
{
    mapi_rd save = *rd;
    uint16_t n;
    const uint8_t *p;

    if (mapi_rd_u16(rd, &n) != 0)
        return -1;
    if (n > max || mapi_rd_view(rd, n, &p) != 0) {
        *rd = save;
        rd->failed = 1;
        return -1;
    }
    *s_r = apr_pstrmemdup(pool, (const char *)p, n);
    return 0;
}

int mapi_wr_lstr(mapi_wr *wr, const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;

    if (n > max || n > UINT16_MAX) {
        wr->failed = 1;
        return -1;
    }
    if (mapi_wr_u16(wr, (uint16_t)n) != 0)
        return -1;
    return mapi_wr_bytes(wr, s ? s : "", n);
}
