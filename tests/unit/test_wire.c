/*
 * test_wire.c: unit tests for the wire codec layer: the bounded reader and
 * writer (mapi_rd.c), the [MS-OXCRPC] LZ77 + DIRECT2 codec (lz77.c) and
 * RPC_HEADER_EXT chains (rpcext.c).  Requirement ids (R...) are those of
 * shared/specs/MS-OXCRPC.md.
 *
 * Run: build/tests/test_wire   (exit status 1 if any assertion failed)
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <CUnit/Basic.h>

#include "wire/lz77.h"
#include "wire/mapi_rd.h"
#include "wire/rpcext.h"

static apr_pool_t *tw_pool;

#define TW_N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ utilities */

static uint64_t tw_seed;

/* xorshift64*: a fixed seed keeps every run identical. */
static uint32_t tw_rand(void)
{
    tw_seed ^= tw_seed >> 12;
    tw_seed ^= tw_seed << 25;
    tw_seed ^= tw_seed >> 27;
    return (uint32_t)((tw_seed * 2685821657736338717ull) >> 32);
}

static int tw_suite_init(void)
{
    return apr_pool_create(&tw_pool, NULL) == APR_SUCCESS ? 0 : -1;
}

static int tw_suite_clean(void)
{
    apr_pool_destroy(tw_pool);
    return 0;
}

/* ================================================================ reader */

/* Every integer width, with every short length: a short read returns -1,
 * leaves p alone and sets failed; a full read decodes little-endian (R1). */
static int tw_read_width(mapi_rd *rd, size_t width, uint64_t *v)
{
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    int rv;

    switch (width) {
    case 1: rv = mapi_rd_u8(rd, &v8); *v = v8; return rv;
    case 2: rv = mapi_rd_u16(rd, &v16); *v = v16; return rv;
    case 4: rv = mapi_rd_u32(rd, &v32); *v = v32; return rv;
    default: return mapi_rd_u64(rd, v);
    }
}

static void test_rd_integers(void)
{
    static const uint8_t in[9] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                   0x07, 0x88, 0xFF };
    static const struct { size_t width; uint64_t want; } cases[] = {
        { 1, 0x01 },
        { 2, 0x0201 },
        { 4, 0x04030201 },
        { 8, 0x8807060504030201ull },
    };
    size_t i, len;

    for (i = 0; i < TW_N(cases); i++) {
        for (len = 0; len <= cases[i].width; len++) {
            mapi_rd rd;
            uint64_t v = 0xDEAD;
            int rv;

            mapi_rd_init(&rd, in, len);
            rv = tw_read_width(&rd, cases[i].width, &v);
            if (len < cases[i].width) {
                CU_ASSERT_EQUAL(rv, -1);
                CU_ASSERT_PTR_EQUAL(rd.p, in);
                CU_ASSERT_EQUAL(mapi_rd_left(&rd), len);
                CU_ASSERT_TRUE(rd.failed);
            } else {
                CU_ASSERT_EQUAL(rv, 0);
                CU_ASSERT_EQUAL(v, cases[i].want);
                CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
                CU_ASSERT_FALSE(rd.failed);
            }
        }
    }
}

static void test_rd_sticky_failed(void)
{
    static const uint8_t in[3] = { 1, 2, 3 };
    mapi_rd rd;
    uint32_t v32;
    uint16_t v16;

    mapi_rd_init(&rd, in, sizeof(in));
    CU_ASSERT_EQUAL(mapi_rd_u32(&rd, &v32), -1);
    CU_ASSERT_EQUAL(mapi_rd_u16(&rd, &v16), 0);     /* later reads work */
    CU_ASSERT_EQUAL(v16, 0x0201);
    CU_ASSERT_TRUE(rd.failed);                      /* but failed stays */
    mapi_rd_init(&rd, NULL, 0);
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
    CU_ASSERT_EQUAL(mapi_rd_u16(&rd, &v16), -1);
}

static void test_rd_bytes_view_skip_sub(void)
{
    static const uint8_t in[6] = { 'a', 'b', 'c', 'd', 'e', 'f' };
    uint8_t out[8];
    const uint8_t *v;
    mapi_rd rd, sub;
    uint8_t b;

    mapi_rd_init(&rd, in, sizeof(in));
    CU_ASSERT_EQUAL(mapi_rd_bytes(&rd, out, 7), -1);
    CU_ASSERT_EQUAL(mapi_rd_view(&rd, 7, &v), -1);
    CU_ASSERT_EQUAL(mapi_rd_skip(&rd, 7), -1);
    CU_ASSERT_EQUAL(mapi_rd_sub(&rd, 7, &sub), -1);
    CU_ASSERT_EQUAL(mapi_rd_skip(&rd, SIZE_MAX), -1);
    CU_ASSERT_PTR_EQUAL(rd.p, in);
    CU_ASSERT_TRUE(rd.failed);
    rd.failed = 0;            /* so that the sub-reader check below means it */
    CU_ASSERT_EQUAL(mapi_rd_bytes(&rd, NULL, 0), 0);
    CU_ASSERT_EQUAL(mapi_rd_bytes(&rd, out, 2), 0);
    CU_ASSERT_EQUAL(memcmp(out, "ab", 2), 0);
    CU_ASSERT_EQUAL(mapi_rd_view(&rd, 1, &v), 0);
    CU_ASSERT_EQUAL(*v, 'c');
    CU_ASSERT_EQUAL(mapi_rd_skip(&rd, 1), 0);
    CU_ASSERT_EQUAL(mapi_rd_sub(&rd, 2, &sub), 0);
    CU_ASSERT_EQUAL(mapi_rd_left(&sub), 2);
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
    /* The sub-reader is bounded by its own length, not the parent's. */
    CU_ASSERT_EQUAL(mapi_rd_u8(&sub, &b), 0);
    CU_ASSERT_EQUAL(b, 'e');
    CU_ASSERT_EQUAL(mapi_rd_skip(&sub, 2), -1);
    CU_ASSERT_TRUE(sub.failed);
    CU_ASSERT_FALSE(rd.failed);
}

typedef struct tw_str_case {
    const char *name;
    const char *in;           /* input bytes */
    size_t in_len;
    size_t max;
    int rv;
    const char *want;         /* UTF-8 result when rv == 0 */
    size_t consumed;
} tw_str_case;

static void tw_check_str(const tw_str_case *c, int wide)
{
    mapi_rd rd;
    const char *s = NULL;
    int rv;

    mapi_rd_init(&rd, c->in, c->in_len);
    rv = wide ? mapi_rd_str16(&rd, tw_pool, c->max, &s)
              : mapi_rd_str8(&rd, tw_pool, c->max, &s);
    CU_ASSERT_EQUAL(rv, c->rv);
    if (rv != c->rv)
        fprintf(stderr, "\n  case %s: rv %d\n", c->name, rv);
    if (c->rv == 0 && rv == 0) {
        CU_ASSERT_STRING_EQUAL(s, c->want);
        CU_ASSERT_EQUAL(c->in_len - mapi_rd_left(&rd), c->consumed);
        CU_ASSERT_FALSE(rd.failed);
    } else if (c->rv != 0) {
        CU_ASSERT_EQUAL(mapi_rd_left(&rd), c->in_len);
        CU_ASSERT_TRUE(rd.failed);
    }
}

static void test_rd_str8(void)
{
    static const tw_str_case cases[] = {
        { "plain", "abc\0zz", 6, 10, 0, "abc", 4 },
        { "exactly max", "abc\0", 4, 3, 0, "abc", 4 },
        { "one over max", "abcd\0", 5, 3, -1, NULL, 0 },
        { "empty string", "\0", 1, 0, 0, "", 1 },
        { "max 0, non-empty", "a\0", 2, 0, -1, NULL, 0 },
        { "no terminator", "abc", 3, 10, -1, NULL, 0 },
        { "empty input", "", 0, 10, -1, NULL, 0 },
        { "huge max", "ab\0", 3, SIZE_MAX, 0, "ab", 3 },
        { "8-bit bytes kept", "\xe9t\xe9\0", 4, 8, 0, "\xe9t\xe9", 4 },
    };
    size_t i;

    for (i = 0; i < TW_N(cases); i++)
        tw_check_str(&cases[i], 0);
}

static void test_rd_str16(void)
{
    static const tw_str_case cases[] = {
        { "ascii", "h\0i\0\0\0", 6, 10, 0, "hi", 6 },
        { "empty", "\0\0", 2, 0, 0, "", 2 },
        { "latin1 e-acute", "\xe9\0\0\0", 4, 1, 0, "\xc3\xa9", 4 },
        { "euro sign", "\xac\x20\0\0", 4, 1, 0, "\xe2\x82\xac", 4 },
        { "U+FFFD", "\xfd\xff\0\0", 4, 1, 0, "\xef\xbf\xbd", 4 },
        { "pair U+1F600", "\x3d\xd8\x00\xde\0\0", 6, 2, 0,
          "\xf0\x9f\x98\x80", 6 },
        { "pair U+10FFFF", "\xff\xdb\xff\xdf\0\0", 6, 2, 0,
          "\xf4\x8f\xbf\xbf", 6 },
        { "pair U+10000", "\x00\xd8\x00\xdc\0\0", 6, 2, 0,
          "\xf0\x90\x80\x80", 6 },
        { "high then end", "\x3d\xd8\0\0", 4, 2, -1, NULL, 0 },
        { "high then ascii", "\x3d\xd8" "a\0\0\0", 6, 4, -1, NULL, 0 },
        { "high then high", "\x3d\xd8\x3d\xd8\0\0", 6, 4, -1, NULL, 0 },
        { "lone low", "\x00\xde\0\0", 4, 2, -1, NULL, 0 },
        { "low then high", "\x00\xde\x3d\xd8\0\0", 6, 4, -1, NULL, 0 },
        { "over max", "a\0b\0\0\0", 6, 1, -1, NULL, 0 },
        { "no terminator", "a\0b\0", 4, 10, -1, NULL, 0 },
        { "odd length", "a\0\0", 3, 10, -1, NULL, 0 },
        { "NUL high byte only", "\0\x01\0\0", 4, 4, 0, "\xc4\x80", 4 },
    };
    size_t i;

    for (i = 0; i < TW_N(cases); i++)
        tw_check_str(&cases[i], 1);
}

/* ================================================================ writer */

static void test_wr_integers(void)
{
    static const uint8_t want[] = { 0x11, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11,
                                    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02,
                                    0x01 };
    mapi_wr wr;

    mapi_wr_init(&wr, tw_pool, 64);
    CU_ASSERT_EQUAL(mapi_wr_u8(&wr, 0x11), 0);
    CU_ASSERT_EQUAL(mapi_wr_u16(&wr, 0x1122), 0);
    CU_ASSERT_EQUAL(mapi_wr_u32(&wr, 0x11223344), 0);
    CU_ASSERT_EQUAL(mapi_wr_u64(&wr, 0x0102030405060708ull), 0);
    CU_ASSERT_EQUAL(wr.len, sizeof(want));
    CU_ASSERT_EQUAL(memcmp(wr.buf, want, sizeof(want)), 0);
    CU_ASSERT_FALSE(wr.failed);
    CU_ASSERT_EQUAL(mapi_wr_room(&wr), 64 - sizeof(want));
}

/* Each width at each remaining room: a write that does not fit fails,
 * leaves len alone and sets failed. */
static void test_wr_max(void)
{
    static const size_t widths[] = { 1, 2, 4, 8 };
    size_t i, room;

    for (i = 0; i < TW_N(widths); i++) {
        for (room = 0; room <= widths[i]; room++) {
            uint8_t fixed[16];
            mapi_wr g, f;
            int rg, rf;

            mapi_wr_init(&g, tw_pool, 5 + room);
            mapi_wr_init_fixed(&f, fixed, 5 + room);
            mapi_wr_zero(&g, 5);
            mapi_wr_zero(&f, 5);
            switch (widths[i]) {
            case 1: rg = mapi_wr_u8(&g, 1); rf = mapi_wr_u8(&f, 1); break;
            case 2: rg = mapi_wr_u16(&g, 1); rf = mapi_wr_u16(&f, 1); break;
            case 4: rg = mapi_wr_u32(&g, 1); rf = mapi_wr_u32(&f, 1); break;
            default: rg = mapi_wr_u64(&g, 1); rf = mapi_wr_u64(&f, 1); break;
            }
            CU_ASSERT_EQUAL(rg, room < widths[i] ? -1 : 0);
            CU_ASSERT_EQUAL(rf, room < widths[i] ? -1 : 0);
            CU_ASSERT_EQUAL(g.len, room < widths[i] ? 5 : 5 + widths[i]);
            CU_ASSERT_EQUAL(f.len, room < widths[i] ? 5 : 5 + widths[i]);
            CU_ASSERT_EQUAL(g.failed, room < widths[i]);
            CU_ASSERT_EQUAL(f.failed, room < widths[i]);
            CU_ASSERT_TRUE(g.cap <= g.max);
        }
    }
}

static void test_wr_growth(void)
{
    mapi_wr wr;
    size_t i;
    int ok = 1;

    /* Byte by byte up to a max that is not a power of two: the buffer
     * doubles, ends exactly at max and never beyond. */
    mapi_wr_init(&wr, tw_pool, 100003);
    for (i = 0; i < 100003; i++) {
        ok &= mapi_wr_u8(&wr, (uint8_t)(i * 7)) == 0;
        ok &= wr.cap <= wr.max;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(wr.cap, 100003);
    CU_ASSERT_EQUAL(mapi_wr_u8(&wr, 0), -1);
    CU_ASSERT_EQUAL(wr.len, 100003);
    for (i = 0; i < 100003 && ok; i++)
        ok = wr.buf[i] == (uint8_t)(i * 7);
    CU_ASSERT_TRUE(ok);
    /* One big write jumps straight to the size it needs. */
    mapi_wr_init(&wr, tw_pool, 1 << 20);
    CU_ASSERT_EQUAL(mapi_wr_zero(&wr, 70000), 0);
    CU_ASSERT_TRUE(wr.cap >= 70000 && wr.cap <= 1 << 20);
    CU_ASSERT_EQUAL(mapi_wr_zero(&wr, SIZE_MAX), -1);
    CU_ASSERT_EQUAL(wr.len, 70000);
    /* A zero-max writer takes nothing but empty writes. */
    mapi_wr_init(&wr, tw_pool, 0);
    CU_ASSERT_EQUAL(mapi_wr_bytes(&wr, NULL, 0), 0);
    CU_ASSERT_EQUAL(mapi_wr_u8(&wr, 0), -1);
}

static void test_wr_strings(void)
{
    static const char *const good[] = {
        "", "hello", "\xc3\xa9t\xc3\xa9", "\xe2\x82\xac 5",
        "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf",
    };
    mapi_wr wr;
    mapi_rd rd;
    const char *s;
    size_t i;

    for (i = 0; i < TW_N(good); i++) {
        mapi_wr_init(&wr, tw_pool, 256);
        CU_ASSERT_EQUAL(mapi_wr_str16(&wr, good[i]), 0);
        mapi_rd_init(&rd, wr.buf, wr.len);
        CU_ASSERT_EQUAL(mapi_rd_str16(&rd, tw_pool, 100, &s), 0);
        CU_ASSERT_STRING_EQUAL(s, good[i]);
        CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
        mapi_wr_init(&wr, tw_pool, 256);
        CU_ASSERT_EQUAL(mapi_wr_str8(&wr, good[i]), 0);
        CU_ASSERT_EQUAL(wr.len, strlen(good[i]) + 1);
    }
    mapi_wr_init(&wr, tw_pool, 256);
    mapi_wr_str16(&wr, "\xf0\x9f\x98\x80");
    CU_ASSERT_EQUAL(wr.len, 6);
    CU_ASSERT_EQUAL(memcmp(wr.buf, "\x3d\xd8\x00\xde\0\0", 6), 0);
    /* Too long for max: nothing written. */
    mapi_wr_init(&wr, tw_pool, 5);
    CU_ASSERT_EQUAL(mapi_wr_str16(&wr, "abc"), -1);
    CU_ASSERT_EQUAL(mapi_wr_str8(&wr, "abcde"), -1);
    CU_ASSERT_EQUAL(wr.len, 0);
    CU_ASSERT_EQUAL(mapi_wr_str8(&wr, "abcd"), 0);
}

static void test_wr_bad_utf8(void)
{
    static const char *const bad[] = {
        "\x80",                 /* lone continuation byte */
        "a\xc3",                /* truncated 2-byte sequence */
        "\xe2\x82",             /* truncated 3-byte sequence */
        "\xc0\x80",             /* overlong NUL */
        "\xc1\xbf",             /* overlong */
        "\xe0\x80\x80",         /* overlong 3-byte */
        "\xf0\x80\x80\x80",     /* overlong 4-byte */
        "\xed\xa0\x80",         /* UTF-8 encoded surrogate D800 */
        "\xed\xbf\xbf",         /* UTF-8 encoded surrogate DFFF */
        "\xf4\x90\x80\x80",     /* above U+10FFFF */
        "\xf5\x80\x80\x80",     /* invalid lead byte */
        "\xff",
        "\xc3\x28",             /* bad continuation */
    };
    size_t i;

    for (i = 0; i < TW_N(bad); i++) {
        mapi_wr wr;

        mapi_wr_init(&wr, tw_pool, 64);
        mapi_wr_u8(&wr, 0x42);
        CU_ASSERT_EQUAL(mapi_wr_str16(&wr, bad[i]), -1);
        CU_ASSERT_EQUAL(wr.len, 1);
        CU_ASSERT_TRUE(wr.failed);
    }
}

static void test_wr_reserve_patch_truncate(void)
{
    uint8_t buf[12];
    mapi_wr wr;
    size_t off;

    memset(buf, 0xEE, sizeof(buf));
    mapi_wr_init_fixed(&wr, buf, sizeof(buf));
    mapi_wr_u8(&wr, 0x01);
    off = mapi_wr_reserve(&wr, 6);
    CU_ASSERT_EQUAL(off, 1);
    CU_ASSERT_EQUAL(memcmp(buf + 1, "\0\0\0\0\0\0", 6), 0);  /* zeroed */
    mapi_wr_put_u16_at(&wr, off, 0xBBAA);
    mapi_wr_put_u32_at(&wr, off + 2, 0x44332211);
    CU_ASSERT_EQUAL(memcmp(buf, "\x01\xaa\xbb\x11\x22\x33\x44", 7), 0);
    CU_ASSERT_FALSE(wr.failed);
    /* Patching past what was written is refused and flagged. */
    mapi_wr_put_u32_at(&wr, 4, 0xFFFFFFFF);
    CU_ASSERT_TRUE(wr.failed);
    CU_ASSERT_EQUAL(buf[7], 0xEE);
    mapi_wr_put_u16_at(&wr, SIZE_MAX, 1);
    CU_ASSERT_EQUAL(mapi_wr_reserve(&wr, 6), (size_t)-1);
    CU_ASSERT_EQUAL(wr.len, 7);
    /* Roll back to a mark: bytes after it go, failed is cleared. */
    mapi_wr_truncate(&wr, 3);
    CU_ASSERT_EQUAL(wr.len, 3);
    CU_ASSERT_FALSE(wr.failed);
    mapi_wr_truncate(&wr, 10);            /* past len: nothing happens */
    CU_ASSERT_EQUAL(wr.len, 3);
    CU_ASSERT_EQUAL(mapi_wr_reserve(&wr, 9), 3);
    CU_ASSERT_EQUAL(mapi_wr_room(&wr), 0);
}

/* =================================================================== XOR */

/* R956: every byte XOR 0xA5; applying it twice restores the data. */
static void test_xor(void)
{
    uint8_t b[300];
    size_t i;
    int ok = 1;

    for (i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)i;
    rpcext_xor(b, sizeof(b));
    for (i = 0; i < sizeof(b); i++)
        ok &= b[i] == (uint8_t)(i ^ 0xA5);
    CU_ASSERT_TRUE(ok);
    rpcext_xor(b, sizeof(b));
    for (i = 0; i < sizeof(b); i++)
        ok &= b[i] == (uint8_t)i;
    CU_ASSERT_TRUE(ok);
    rpcext_xor(NULL, 0);
}

/* ============================================================ LZ77 tools */

/* An independent DIRECT2 stream builder, written from the spec text, used
 * to hand-build streams and as the back end of the reference encoder. */
typedef struct tw_lzb {
    uint8_t *out;
    size_t len, cap;
    size_t mask_at;
    unsigned nbits;
    uint32_t mask;
    size_t nib_at;          /* SIZE_MAX: no shared byte with a free nibble */
} tw_lzb;

static void tw_lzb_init(tw_lzb *b, size_t cap)
{
    b->out = malloc(cap);
    b->cap = cap;
    b->len = 4;
    b->mask_at = 0;
    b->nbits = 0;
    b->mask = 0;
    b->nib_at = SIZE_MAX;
}

static void tw_lzb_byte(tw_lzb *b, uint8_t v)
{
    if (b->len < b->cap)
        b->out[b->len] = v;
    b->len++;
}

static void tw_lzb_put_mask(tw_lzb *b)
{
    size_t i;

    for (i = 0; i < 4; i++)
        b->out[b->mask_at + i] = (uint8_t)(b->mask >> (8 * i));
}

static void tw_lzb_bit(tw_lzb *b, unsigned bit)
{
    if (b->nbits == 32) {
        tw_lzb_put_mask(b);
        b->mask_at = b->len;
        b->len += 4;
        b->nbits = 0;
        b->mask = 0;
    }
    b->mask |= (uint32_t)bit << (31 - b->nbits);
    b->nbits++;
}

static void tw_lzb_lit(tw_lzb *b, uint8_t c)
{
    tw_lzb_bit(b, 0);
    tw_lzb_byte(b, c);
}

/* Match as R901-R951 describe it: 3 bits, then the shared nibble, then a
 * byte, then a u16 of length-3 (or u16 0 and a u32 when that is too big). */
static void tw_lzb_match(tw_lzb *b, size_t off, size_t len)
{
    size_t code = len - 3 < 7 ? len - 3 : 7, v;

    tw_lzb_bit(b, 1);
    tw_lzb_byte(b, (uint8_t)((off - 1) << 3 | code));
    tw_lzb_byte(b, (uint8_t)((off - 1) >> 5));
    if (code < 7)
        return;
    v = len - 10;
    if (b->nib_at == SIZE_MAX) {
        b->nib_at = b->len;
        tw_lzb_byte(b, (uint8_t)(v < 15 ? v : 15));
    } else {
        b->out[b->nib_at] |= (uint8_t)((v < 15 ? v : 15) << 4);
        b->nib_at = SIZE_MAX;
    }
    if (v < 15)
        return;
    if (v - 15 < 255) {
        tw_lzb_byte(b, (uint8_t)(v - 15));
        return;
    }
    tw_lzb_byte(b, 255);
    if (len - 3 <= 0xFFFF) {
        tw_lzb_byte(b, (uint8_t)(len - 3));
        tw_lzb_byte(b, (uint8_t)((len - 3) >> 8));
    } else {
        tw_lzb_byte(b, 0);
        tw_lzb_byte(b, 0);
        tw_lzb_byte(b, (uint8_t)(len - 3));
        tw_lzb_byte(b, (uint8_t)((len - 3) >> 8));
        tw_lzb_byte(b, (uint8_t)((len - 3) >> 16));
        tw_lzb_byte(b, (uint8_t)((len - 3) >> 24));
    }
}

/* End marker (R1873), in a fresh bitmask if need be (R1877).  The bits
 * after it are never read; ones = 1 sets them as lz77_compress does. */
static void tw_lzb_end_fill(tw_lzb *b, int ones)
{
    tw_lzb_bit(b, 1);
    if (ones && b->nbits < 32)
        b->mask |= (1u << (32 - b->nbits)) - 1;
    tw_lzb_put_mask(b);
}

static void tw_lzb_end(tw_lzb *b)
{
    tw_lzb_end_fill(b, 0);
}

/* The reference encoding R846-R857 describe: at every position the longest
 * match (3 bytes or more) anywhere in the 8192-byte window, else a literal.
 * Brute force over hash chains without a depth limit; slow but exact.
 * Returns the encoded size (the stream itself is discarded). */
static size_t tw_reference_size(const uint8_t *src, size_t n)
{
    enum { W = 8192, HB = 16 };
    int32_t *head = malloc(sizeof(int32_t) << HB), *prev = malloc(4 * (n + 1));
    tw_lzb b;
    size_t pos = 0, ins = 0, size;

    memset(head, 0xFF, sizeof(int32_t) << HB);
    tw_lzb_init(&b, LZ77_WORST_CASE(n));
    while (pos < n) {
        size_t best = 0, boff = 0;

        for (; ins < pos && ins + 3 <= n; ins++) {
            unsigned h = (src[ins] | src[ins + 1] << 8 | src[ins + 2] << 16)
                         * 2654435761u >> (32 - HB);

            prev[ins] = head[h];
            head[h] = (int32_t)ins;
        }
        if (pos + 3 <= n) {
            unsigned h = (src[pos] | src[pos + 1] << 8 | src[pos + 2] << 16)
                         * 2654435761u >> (32 - HB);
            int32_t c;

            for (c = head[h]; c >= 0 && pos - (size_t)c <= W; c = prev[c]) {
                size_t l = 0;

                while (pos + l < n && src[c + l] == src[pos + l])
                    l++;
                if (l > best) {
                    best = l;
                    boff = pos - (size_t)c;
                    if (pos + l == n)
                        break;
                }
            }
        }
        if (best >= 3) {
            tw_lzb_match(&b, boff, best);
            pos += best;
        } else {
            tw_lzb_lit(&b, src[pos++]);
        }
    }
    tw_lzb_end(&b);
    size = b.len;
    free(b.out);
    free(head);
    free(prev);
    return size;
}

/* Decompresses z into a buffer of exactly cap bytes (heap, so that the
 * sanitizers and valgrind see any write past it). */
static int tw_decompress(const uint8_t *z, size_t zlen, size_t cap,
                         uint8_t **out_r, size_t *len_r)
{
    uint8_t *out = malloc(cap ? cap : 1);
    int rv = lz77_decompress(z, zlen, out, cap, len_r);

    *out_r = out;
    return rv;
}

/* ========================================================== LZ77 answers */

/*
 * Known answers.  MS-OXCRPC.md carries no example byte streams, so these
 * were worked out by hand from the format (R885-R951, R1873, R1877):
 *
 * 1. The 26 letters a..z have no repeat: 26 literal (0) bits, then the end
 *    bit (1) at bit index 26 counted from the top.  The remaining 5 bits
 *    are not read; lz77_compress sets them to 1.  Bitmask
 *    0b00000000000000000000000000111111 = 0x0000003F, stored little-endian:
 *    3F 00 00 00, then the 26 letters.
 *
 * 2. "abc" repeated 100 times (300 bytes): literals a, b, c (bits 0 0 0),
 *    then one match at offset 3 covering the other 297 bytes (bit 1), then
 *    the end bit (1), rest 1s: bitmask 0b0001_1111..1 = 0x1FFFFFFF, stored
 *    FF FF FF 1F.  Token: (3-1) << 3 | 7 = 0x0017, stored 17 00.  Length
 *    297 >= 10: shared nibble 15 (new shared byte 0F), 297 - 25 = 272 >=
 *    255: byte FF, then u16 297 - 3 = 294 = 0x0126, stored 26 01 (R930-
 *    R934).
 *
 * 3. Empty input: only the end bit, in the first bitmask: FF FF FF FF.
 *
 * 4. 32 distinct bytes fill the first bitmask with literal bits, so the
 *    end bit needs a second bitmask (R1877): 00 00 00 00, the 32 bytes,
 *    FF FF FF FF.
 */
typedef struct tw_kat {
    const char *name;
    const uint8_t *plain;
    size_t plain_len;
    const uint8_t *z;
    size_t z_len;
} tw_kat;

static void test_lz77_known_answers(void)
{
    static const uint8_t alpha_z[] = {
        0x3F, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i',
        'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v',
        'w', 'x', 'y', 'z' };
    static const uint8_t abc_z[] = {
        0xFF, 0xFF, 0xFF, 0x1F, 'a', 'b', 'c', 0x17, 0x00, 0x0F, 0xFF, 0x26,
        0x01 };
    static const uint8_t empty_z[] = { 0xFF, 0xFF, 0xFF, 0xFF };
    uint8_t abc[300], d32[32], d32_z[40];
    size_t i;

    for (i = 0; i < 300; i++)
        abc[i] = (uint8_t)("abc"[i % 3]);
    memset(d32_z, 0, 4);
    for (i = 0; i < 32; i++)
        d32[i] = d32_z[4 + i] = (uint8_t)(0x40 + i);
    memset(d32_z + 36, 0xFF, 4);
    {
        const tw_kat kats[] = {
            { "a..z", (const uint8_t *)"abcdefghijklmnopqrstuvwxyz", 26,
              alpha_z, sizeof(alpha_z) },
            { "abc x 100", abc, sizeof(abc), abc_z, sizeof(abc_z) },
            { "empty", (const uint8_t *)"", 0, empty_z, sizeof(empty_z) },
            { "32 literals + end mask", d32, 32, d32_z, sizeof(d32_z) },
        };

        for (i = 0; i < TW_N(kats); i++) {
            uint8_t z[512], *out;
            size_t zlen = 0, len = 0;

            CU_ASSERT_EQUAL(lz77_compress(kats[i].plain, kats[i].plain_len,
                                          z, sizeof(z), &zlen), 0);
            CU_ASSERT_EQUAL(zlen, kats[i].z_len);
            CU_ASSERT_TRUE(zlen == kats[i].z_len
                           && memcmp(z, kats[i].z, zlen) == 0);
            if (zlen != kats[i].z_len || memcmp(z, kats[i].z, zlen) != 0)
                fprintf(stderr, "\n  KAT %s differs\n", kats[i].name);
            CU_ASSERT_EQUAL(tw_decompress(kats[i].z, kats[i].z_len,
                                          kats[i].plain_len, &out, &len), 0);
            CU_ASSERT_EQUAL(len, kats[i].plain_len);
            CU_ASSERT_TRUE(len == kats[i].plain_len
                           && memcmp(out, kats[i].plain, len) == 0);
            free(out);
        }
    }
}

/* The end marker is only the first 1 bit with no input left: bits after it
 * may be anything (R1873). */
static void test_lz77_end_bit_forms(void)
{
    static const struct { uint8_t z[6]; size_t len; size_t out; } cases[] = {
        { { 0x00, 0x00, 0x00, 0x80 }, 4, 0 },           /* end, rest 0 */
        { { 0xFF, 0xFF, 0xFF, 0xFF }, 4, 0 },           /* end, rest 1 */
        { { 0x00, 0x00, 0x00, 0x40, 'A' }, 5, 1 },      /* A, end */
        { { 0xFF, 0xFF, 0xFF, 0x7F, 'A' }, 5, 1 },      /* A, end, 1s */
        { { 0x00, 0x00, 0x00, 0x20, 'A', 'B' }, 6, 2 }, /* A B end */
    };
    size_t i, len;
    uint8_t *out;

    for (i = 0; i < TW_N(cases); i++) {
        CU_ASSERT_EQUAL(tw_decompress(cases[i].z, cases[i].len, 8, &out, &len),
                        0);
        CU_ASSERT_EQUAL(len, cases[i].out);
        free(out);
    }
}

/* Decoding every length tier (R907-R951): "A" then one match at offset 1
 * of length L gives L + 1 copies of 'A'.  Both the hand builder and the
 * compressor's own output are decoded. */
static void test_lz77_length_tiers(void)
{
    static const size_t lens[] = {
        3, 4, 8, 9,                  /* R908, R909: 3 bits only */
        10, 11, 23, 24,              /* R913, R922, R924: nibble */
        25, 26, 100, 278, 279,       /* R926, R939, R940: nibble + byte */
        280, 281, 1000, 32767,       /* R941-R946: + u16 */
        65538,                       /* largest u16: 0xFFFF + 3 (R934) */
        65539, 100000,               /* u16 0 then u32 */
    };
    size_t i, len;
    uint8_t *out, *want;

    for (i = 0; i < TW_N(lens); i++) {
        tw_lzb b;
        size_t L = lens[i], j;
        int ok = 1;

        tw_lzb_init(&b, 64);
        tw_lzb_lit(&b, 'A');
        tw_lzb_match(&b, 1, L);
        tw_lzb_end_fill(&b, 1);
        CU_ASSERT_EQUAL(tw_decompress(b.out, b.len, L + 1, &out, &len), 0);
        CU_ASSERT_EQUAL(len, L + 1);
        for (j = 0; j < len && ok; j++)
            ok = out[j] == 'A';
        CU_ASSERT_TRUE(ok);
        free(out);
        /* One byte less room: output overflow. */
        CU_ASSERT_EQUAL(tw_decompress(b.out, b.len, L, &out, &len), -1);
        free(out);
        /* The compressor produces exactly this stream. */
        want = malloc(L + 1);
        memset(want, 'A', L + 1);
        out = malloc(LZ77_WORST_CASE(L + 1));
        CU_ASSERT_EQUAL(lz77_compress(want, L + 1, out, LZ77_WORST_CASE(L + 1),
                                      &len), 0);
        CU_ASSERT_TRUE(len == b.len && memcmp(out, b.out, len) == 0);
        free(out);
        free(want);
        free(b.out);
    }
}

/* Spec examples of the length bytes themselves (R922-R945). */
static void test_lz77_length_bytes(void)
{
    static const struct {
        size_t len;
        uint8_t ext[4];      /* bytes after the 2-byte token */
        size_t ext_len;
    } cases[] = {
        { 24, { 0x0E }, 1 },                     /* R922, R924, R937 */
        { 25, { 0x0F, 0x00 }, 2 },               /* R926, R938 */
        { 26, { 0x0F, 0x01 }, 2 },               /* R939 */
        { 279, { 0x0F, 0xFE }, 2 },              /* R929, R940 */
        { 280, { 0x0F, 0xFF, 0x15, 0x01 }, 4 },  /* R941, R942: 0x0115 */
        { 281, { 0x0F, 0xFF, 0x16, 0x01 }, 4 },  /* R944, R945: 0x0116 */
    };
    size_t i;

    for (i = 0; i < TW_N(cases); i++) {
        tw_lzb b;

        tw_lzb_init(&b, 64);
        tw_lzb_lit(&b, 'A');
        tw_lzb_match(&b, 1, cases[i].len);
        tw_lzb_end(&b);
        /* mask(4) 'A'(1) token(2) then the extension */
        CU_ASSERT_EQUAL(b.len, 7 + cases[i].ext_len);
        CU_ASSERT_EQUAL(b.out[5], 0x07);
        CU_ASSERT_EQUAL(b.out[6], 0x00);
        CU_ASSERT_EQUAL(memcmp(b.out + 7, cases[i].ext, cases[i].ext_len), 0);
        free(b.out);
    }
}

/* The shared nibble (R915-R920): the first long match takes the low
 * nibble of a new byte, the second the high nibble of that same byte, the
 * third a new byte again.  Hand-built: "AB" then matches at offset 2 of
 * lengths 12, 20, 13: output is "AB" repeated.
 *   bitmask: 0 0 1 1 1 then end 1: 0x3C000000 -> bytes 00 00 00 3C
 *   'A' 'B'
 *   token (2-1)<<3|7 = 0x0F: 0F 00, shared byte: low nibble 12-10 = 2
 *   token 0F 00, no new byte: high nibble of the shared byte = 20-10 = 10,
 *     so the shared byte is 0xA2
 *   token 0F 00, new shared byte 13-10 = 3: 03 */
static void test_lz77_shared_nibble(void)
{
    static const uint8_t z[] = { 0x00, 0x00, 0x00, 0x3C, 'A', 'B', 0x0F,
                                 0x00, 0xA2, 0x0F, 0x00, 0x0F, 0x00, 0x03 };
    size_t len, j;
    uint8_t *out, plain[47], re[64];
    int ok = 1;

    CU_ASSERT_EQUAL(tw_decompress(z, sizeof(z), 47, &out, &len), 0);
    CU_ASSERT_EQUAL(len, 2 + 12 + 20 + 13);
    for (j = 0; j < len && ok; j++)
        ok = out[j] == (j % 2 ? 'B' : 'A');
    CU_ASSERT_TRUE(ok);
    free(out);
    /* The nibble rule in the builder gives the same bytes. */
    {
        tw_lzb b;

        tw_lzb_init(&b, 64);
        tw_lzb_lit(&b, 'A');
        tw_lzb_lit(&b, 'B');
        tw_lzb_match(&b, 2, 12);
        tw_lzb_match(&b, 2, 20);
        tw_lzb_match(&b, 2, 13);
        tw_lzb_end(&b);
        CU_ASSERT_TRUE(b.len == sizeof(z) && memcmp(b.out, z, b.len) == 0);
        free(b.out);
    }
    /* The compressor shares nibbles too: plain text with three long
     * repeats separated by literals round-trips. */
    for (j = 0; j < sizeof(plain); j++)
        plain[j] = (uint8_t)(j % 2 ? 'B' : 'A');
    CU_ASSERT_EQUAL(lz77_compress(plain, sizeof(plain), re, sizeof(re), &len),
                    0);
    CU_ASSERT_EQUAL(tw_decompress(re, len, sizeof(plain), &out, &len), 0);
    CU_ASSERT_TRUE(len == sizeof(plain) && memcmp(out, plain, len) == 0);
    free(out);
}

/* Offsets: 13 bits, 1..8192 (R901-R903, R1252). */
static void test_lz77_offsets(void)
{
    static const size_t offs[] = { 1, 2, 3, 7, 8, 15, 16, 17, 100, 8191,
                                   8192 };
    size_t i, j, len;

    for (i = 0; i < TW_N(offs); i++) {
        size_t off = offs[i], plen = off + 40;
        uint8_t *plain = malloc(plen), *out;
        tw_lzb b;
        int ok;

        tw_lzb_init(&b, LZ77_WORST_CASE(plen));
        for (j = 0; j < off; j++) {
            plain[j] = (uint8_t)(tw_rand() | 1);
            tw_lzb_lit(&b, plain[j]);
        }
        for (; j < plen; j++)
            plain[j] = plain[j - off];
        tw_lzb_match(&b, off, 40);
        tw_lzb_end(&b);
        CU_ASSERT_EQUAL(tw_decompress(b.out, b.len, plen, &out, &len), 0);
        ok = len == plen && memcmp(out, plain, plen) == 0;
        CU_ASSERT_TRUE(ok);
        free(out);
        free(b.out);
        free(plain);
    }
}

/* Malformed streams: every one returns -1. */
typedef struct tw_bad {
    const char *name;
    uint8_t z[16];
    size_t len;
    size_t cap;
} tw_bad;

static void test_lz77_malformed(void)
{
    static const tw_bad bad[] = {
        { "empty input", { 0 }, 0, 64 },
        { "partial bitmask", { 0x80, 0x00, 0x00 }, 3, 64 },
        /* missing end bit: a 0 bit with no literal byte left */
        { "literal bit, no byte", { 0x00, 0x00, 0x00, 0x00 }, 4, 64 },
        { "no end after literal", { 0x00, 0x00, 0x00, 0x00, 'A' }, 5, 64 },
        { "1 of 2 literals", { 0x00, 0x00, 0x00, 0x20, 'A' }, 5, 64 },
        /* offset before the start of the output */
        { "match at start", { 0x80, 0, 0, 0, 0x00, 0x00 }, 6, 64 },
        { "offset 2 after 1", { 0x40, 0, 0, 0, 'A', 0x08, 0x00 }, 7, 64 },
        { "offset 8192 after 1", { 0x40, 0, 0, 0, 'A', 0xF8, 0xFF }, 7, 64 },
        /* truncated metadata */
        { "half token", { 0x40, 0, 0, 0, 'A', 0x00 }, 6, 64 },
        { "no nibble byte", { 0x40, 0, 0, 0, 'A', 0x07, 0x00 }, 7, 64 },
        { "no byte after nibble 15",
          { 0x40, 0, 0, 0, 'A', 0x07, 0x00, 0x0F }, 8, 64 },
        { "no u16", { 0x40, 0, 0, 0, 'A', 0x07, 0x00, 0x0F, 0xFF }, 9, 64 },
        { "half u16",
          { 0x40, 0, 0, 0, 'A', 0x07, 0x00, 0x0F, 0xFF, 0x20 }, 10, 64 },
        { "no u32",
          { 0x40, 0, 0, 0, 'A', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00 }, 11, 64 },
        { "3/4 u32",
          { 0x40, 0, 0, 0, 'A', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00,
            0x00, 0x00, 0x01 }, 14, 1 << 20 },
        /* u16/u32 lengths below what the earlier fields already imply */
        { "u16 below 22",
          { 0x60, 0, 0, 0, 'A', 0x07, 0x00, 0x0F, 0xFF, 0x15, 0x00 }, 11,
          1000 },
        { "u32 zero",
          { 0x60, 0, 0, 0, 'A', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0, 0, 0,
            0 }, 15, 1000 },
        /* output overflow */
        { "literal past cap", { 0x00, 0, 0, 0x20, 'A', 'B' }, 6, 1 },
        { "match past cap", { 0x60, 0, 0, 0, 'A', 0x06, 0x00 }, 7, 9 },
        { "huge u32 length",
          { 0x60, 0, 0, 0, 'A', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0xFF,
            0xFF, 0xFF, 0xFF }, 15, 1 << 16 },
        { "zero cap", { 0x00, 0, 0, 0x40, 'A' }, 5, 0 },
    };
    size_t i, len;
    uint8_t *out;

    for (i = 0; i < TW_N(bad); i++) {
        int rv = tw_decompress(bad[i].z, bad[i].len, bad[i].cap, &out, &len);

        CU_ASSERT_EQUAL(rv, -1);
        if (rv != -1)
            fprintf(stderr, "\n  malformed case '%s' accepted\n", bad[i].name);
        free(out);
    }
    /* Missing end bit at a bitmask boundary (R1877): 32 literals and no
     * second bitmask. */
    {
        uint8_t z[36] = { 0 };

        memset(z + 4, 'x', 32);
        CU_ASSERT_EQUAL(tw_decompress(z, sizeof(z), 64, &out, &len), -1);
        free(out);
    }
    CU_ASSERT_EQUAL(lz77_decompress(NULL, 0, NULL, 0, &len), -1);
}

/* =========================================================== round trips */

enum { TW_RANDOM, TW_SMALL_ALPHABET, TW_RUN, TW_PERIODIC, TW_WORDS, TW_ROWS,
       TW_MIXED, TW_KINDS };

static const char *const tw_words[] = {
    "the ", "meeting ", "status ", "report ", "Subject: ", "Re: ", "please ",
    "\r\n", "attached ", "Outlook ", "calendar ", "and ", "of ",
};

/* Fills buf with test content of the given kind. */
static void tw_fill(uint8_t *buf, size_t n, int kind)
{
    size_t i = 0, p = 2 + tw_rand() % 30;
    uint8_t c = (uint8_t)tw_rand();

    switch (kind) {
    case TW_RANDOM:
        for (; i < n; i++)
            buf[i] = (uint8_t)tw_rand();
        break;
    case TW_SMALL_ALPHABET:
        for (; i < n; i++)
            buf[i] = (uint8_t)('a' + tw_rand() % 3);
        break;
    case TW_RUN:
        memset(buf, c, n);
        break;
    case TW_PERIODIC:
        for (; i < n; i++)
            buf[i] = i < p ? (uint8_t)tw_rand() : buf[i - p];
        break;
    case TW_WORDS:
        while (i < n) {
            const char *w = tw_words[tw_rand() % TW_N(tw_words)];

            for (; *w && i < n; w++) {
                buf[i++] = (uint8_t)*w;    /* UTF-16LE, as MAPI sends */
                if (i < n)
                    buf[i++] = 0;
            }
        }
        break;
    case TW_ROWS:
        /* Rows of fixed fields with a counter and some noise. */
        for (; i < n; i++)
            buf[i] = (i % 48 < 16) ? (uint8_t)(0x30 + i % 16)
                   : (i % 48 < 20) ? (uint8_t)(i / 48)
                   : (i % 48 < 22) ? (uint8_t)tw_rand()
                   : 0;
        break;
    default:
        /* Stretches of each kind, so matches and literals interleave. */
        while (i < n) {
            size_t k = 1 + tw_rand() % 600;

            if (k > n - i)
                k = n - i;
            tw_fill(buf + i, k, (int)(tw_rand() % TW_MIXED));
            i += k;
        }
        break;
    }
}

/* Compress, check the size bounds, decompress into an exact buffer; also
 * one byte less of room on each side must fail.  Returns the compressed
 * size, 0 on failure. */
static size_t tw_round_trip(const uint8_t *plain, size_t n)
{
    size_t cap = LZ77_WORST_CASE(n), zlen = 0, len = 0, zlen2 = 0;
    uint8_t *z = malloc(cap), *out = NULL;
    int ok;

    ok = lz77_compress(plain, n, z, cap, &zlen) == 0 && zlen <= cap;
    /* No larger than all-literal encoding: n + 4 per 32 elements + end. */
    ok = ok && zlen <= n + 4 * (n / 32 + 1);
    ok = ok && tw_decompress(z, zlen, n, &out, &len) == 0 && len == n
         && (n == 0 || memcmp(out, plain, n) == 0);
    free(out);
    out = NULL;
    if (ok && n > 0) {
        ok = tw_decompress(z, zlen, n - 1, &out, &len) == -1;
        free(out);
        out = NULL;
    }
    /* Exactly zlen bytes of room is enough; one less is not. */
    if (ok) {
        uint8_t *z2 = malloc(zlen);

        ok = lz77_compress(plain, n, z2, zlen, &zlen2) == 0 && zlen2 == zlen
             && memcmp(z, z2, zlen) == 0
             && lz77_compress(plain, n, z2, zlen - 1, &zlen2) == -1;
        free(z2);
    }
    /* Cutting the last byte off a stream breaks it (its end bit or the
     * last element goes), except where the cut lands on nothing. */
    if (ok && zlen > 4) {
        ok = tw_decompress(z, zlen - 1, n, &out, &len) == -1 || len < n;
        free(out);
    }
    free(z);
    return ok ? (zlen ? zlen : 1) : 0;
}

static void test_lz77_round_trip(void)
{
    static const size_t fixed[] = { 0, 1, 2, 3, 4, 5, 9, 10, 31, 32, 33, 63,
                                    64, 65, 255, 256, 4095, 4096, 8191, 8192,
                                    8193, 16384, 32767, 32768 };
    uint8_t *plain = malloc(32768);
    size_t i, n, cases = 0, fails = 0;
    int kind;

    tw_seed = 0x5EED0001;
    for (kind = 0; kind < TW_KINDS; kind++) {
        for (i = 0; i < TW_N(fixed) + 40; i++) {
            n = i < TW_N(fixed) ? fixed[i] : tw_rand() % 32769;
            tw_fill(plain, n, kind);
            cases++;
            if (!tw_round_trip(plain, n)) {
                fails++;
                fprintf(stderr, "\n  round trip failed: kind %d size %zu\n",
                        kind, n);
            }
        }
    }
    /* Every size 0..600 of mixed content. */
    for (n = 0; n <= 600; n++) {
        tw_fill(plain, n, TW_MIXED);
        cases++;
        fails += !tw_round_trip(plain, n);
    }
    CU_ASSERT_EQUAL(fails, 0);
    CU_ASSERT_TRUE(cases > 1000);
    free(plain);
}

/* The compressor's output against the reference encoding (R846-R857:
 * greedy, the longest match in the window at every position).  lz77.c
 * searches the whole window while a per-input budget of chain steps lasts,
 * so on ordinary content (random, runs, periodic, UTF-16 text) it must be
 * exactly as small.  Content made to have very long hash chains (a 3-letter
 * alphabet, rows of near-identical records, mixes containing those) may
 * run the budget down, which bounds compression time for any input; there
 * it may exceed the reference by at most 0.5%. */
static void test_lz77_vs_reference(void)
{
    static const size_t sizes[] = { 100, 1000, 5000, 32768 };
    uint8_t *plain = malloc(32768), *z = malloc(LZ77_WORST_CASE(32768));
    size_t i, zlen, ref, worse = 0;
    int kind;

    tw_seed = 0x5EED0002;
    for (kind = 0; kind < TW_KINDS; kind++) {
        int strict = kind == TW_RANDOM || kind == TW_RUN
                     || kind == TW_PERIODIC || kind == TW_WORDS;
        size_t ours_kind = 0, ref_kind = 0;

        for (i = 0; i < TW_N(sizes); i++) {
            tw_fill(plain, sizes[i], kind);
            ref = tw_reference_size(plain, sizes[i]);
            zlen = 0;
            CU_ASSERT_EQUAL(lz77_compress(plain, sizes[i], z,
                                          LZ77_WORST_CASE(32768), &zlen), 0);
            ours_kind += zlen;
            ref_kind += ref;
            if (strict && zlen > ref) {
                worse++;
                fprintf(stderr, "\n  kind %d size %zu: %zu > reference %zu\n",
                        kind, sizes[i], zlen, ref);
            }
        }
        CU_ASSERT_TRUE(ours_kind * 1000 <= ref_kind * 1005);
    }
    CU_ASSERT_EQUAL(worse, 0);
    free(plain);
    free(z);
}

/* Compresses plain into a fresh buffer; checks it round-trips and is no
 * larger than the reference encoding.  Returns the compressed size (0 on a
 * failure), the stream in *z_r when z_r is not NULL. */
static size_t tw_check_enc(const uint8_t *plain, size_t n, uint8_t **z_r)
{
    size_t cap = LZ77_WORST_CASE(n), zlen = 0, len = 0;
    uint8_t *z = malloc(cap), *out = NULL;
    int ok;

    ok = lz77_compress(plain, n, z, cap, &zlen) == 0
         && tw_decompress(z, zlen, n, &out, &len) == 0 && len == n
         && (n == 0 || memcmp(out, plain, n) == 0)
         && zlen <= tw_reference_size(plain, n);
    free(out);
    if (z_r && ok)
        *z_r = z;
    else
        free(z);
    return ok ? zlen : 0;
}

/* Matches right at the window edge (R902, R1252): a copy 8191 or 8192
 * bytes back is found, one 8193 back cannot be used. */
static void test_lz77_enc_window_edges(void)
{
    static const size_t dists[] = { 8191, 8192, 8193 };
    size_t i, j, L = 300, zlen;
    uint8_t *plain = malloc(8193 + L);

    tw_seed = 0x5EED0003;
    for (i = 0; i < TW_N(dists); i++) {
        size_t d = dists[i];

        for (j = 0; j < d; j++)
            plain[j] = (uint8_t)tw_rand();
        memcpy(plain + d, plain, L);
        zlen = tw_check_enc(plain, d + L, NULL);
        CU_ASSERT_TRUE(zlen > 0);
        /* In reach, the 300-byte copy is one match: a token, a nibble, a
         * byte, a u16 and maybe a bitmask, on top of the random prefix.
         * Out of reach it is 300 literals. */
        if (d <= 8192)
            CU_ASSERT_TRUE(zlen <= tw_reference_size(plain, d) + 10);
        if (d > 8192)
            CU_ASSERT_TRUE(zlen >= tw_reference_size(plain, d) + L);
    }
    free(plain);
}

/* Runs of every length tier, up to past the u16 limit (65538), alone and
 * between random bytes, and long matches in a row so that the shared
 * nibble (R915-R920) pairs up across tiers. */
static void test_lz77_enc_runs_and_nibbles(void)
{
    static const size_t runs[] = { 3, 9, 10, 24, 25, 279, 280, 8192, 8193,
                                   65538, 65539, 70000 };
    size_t i, j, n, L;
    uint8_t *plain = malloc(80000);
    int ok = 1;

    tw_seed = 0x5EED0004;
    for (i = 0; i < TW_N(runs); i++) {
        for (j = 0; j < 50; j++)
            plain[j] = (uint8_t)tw_rand();
        memset(plain + 50, 0, runs[i]);
        for (j = 0; j < 50; j++)
            plain[50 + runs[i] + j] = (uint8_t)tw_rand();
        ok &= tw_check_enc(plain, runs[i] + 100, NULL) > 0;
        ok &= tw_check_enc(plain + 50, runs[i], NULL) > 0;
    }
    /* Fresh random blocks, each followed by a literal and its own repeat:
     * lengths 10..40 and around 279/280 give long matches in sequence. */
    n = 0;
    for (L = 10; L <= 300 && n + 2 * L + 1 <= 80000; L += L < 40 ? 1 : 9) {
        for (j = 0; j < L; j++)
            plain[n + j] = (uint8_t)tw_rand();
        plain[n + L] = (uint8_t)tw_rand();
        memcpy(plain + n + L + 1, plain + n, L);
        n += 2 * L + 1;
    }
    ok &= tw_check_enc(plain, n, NULL) > 0;
    CU_ASSERT_TRUE(ok);
    free(plain);
}

/* The compressor keeps match tables per thread across calls (stamped, never
 * cleared).  Output must not depend on what was compressed before, also
 * after the stamps wrap (about 2^32 / 8193 calls) and from two threads. */
typedef struct tw_lzthr {
    const uint8_t *plain;
    size_t n;
    const uint8_t *want;
    size_t want_len;
    int ok;
} tw_lzthr;

static int tw_same_output(const uint8_t *plain, size_t n, const uint8_t *want,
                          size_t want_len)
{
    uint8_t *z = malloc(LZ77_WORST_CASE(n));
    size_t zlen = 0;
    int ok = lz77_compress(plain, n, z, LZ77_WORST_CASE(n), &zlen) == 0
             && zlen == want_len && memcmp(z, want, zlen) == 0;

    free(z);
    return ok;
}

static void *tw_lz_thread(void *arg)
{
    tw_lzthr *t = arg;
    int i;

    t->ok = 1;
    for (i = 0; i < 40; i++)
        t->ok &= tw_same_output(t->plain, t->n, t->want, t->want_len);
    return NULL;
}

static void test_lz77_enc_workspace(void)
{
    enum { NX = 5000, NY = 32768 };
    uint8_t *x = malloc(NX), *y = malloc(NY), *zx = NULL, *zy = NULL, dummy[8];
    size_t zxl, zyl, i, dl;
    int ok = 1;
    pthread_t th[2];
    tw_lzthr t[2];

    tw_seed = 0x5EED0005;
    tw_fill(x, NX, TW_MIXED);
    tw_fill(y, NY, TW_WORDS);
    zxl = tw_check_enc(x, NX, &zx);
    zyl = tw_check_enc(y, NY, &zy);
    CU_ASSERT_FATAL(zxl > 0 && zyl > 0);
    ok &= tw_same_output(x, NX, zx, zxl);
    ok &= tw_same_output(y, NY, zy, zyl);
    ok &= tw_same_output(x, NX, zx, zxl);
    /* Each empty call advances the stamps by a window and a byte, so this
     * wraps them once; x is checked along the way. */
    for (i = 0; i < 530000 && ok; i++) {
        ok &= lz77_compress(x, 0, dummy, sizeof(dummy), &dl) == 0;
        if (i % 8192 == 0 || (i > 524000 && i < 524400))
            ok &= tw_same_output(x, NX, zx, zxl);
    }
    ok &= tw_same_output(y, NY, zy, zyl);
    CU_ASSERT_TRUE(ok);
    t[0] = (tw_lzthr){ x, NX, zx, zxl, 0 };
    t[1] = (tw_lzthr){ y, NY, zy, zyl, 0 };
    for (i = 0; i < 2; i++)
        CU_ASSERT_FATAL(pthread_create(&th[i], NULL, tw_lz_thread, &t[i]) == 0);
    for (i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT_TRUE(t[0].ok && t[1].ok);
    free(zx);
    free(zy);
    free(x);
    free(y);
}

/* A stream from the independent builder (reference encoder's back end) for
 * random content decodes with lz77_decompress: checks the decoder against
 * an encoder other than lz77_compress. */
static void test_lz77_foreign_streams(void)
{
    size_t k, len;
    int ok = 1;

    tw_seed = 0x5EED0003;
    for (k = 0; k < 200 && ok; k++) {
        size_t n = 0, cap = 4096;
        uint8_t *plain = malloc(cap), *out;
        tw_lzb b;

        tw_lzb_init(&b, LZ77_WORST_CASE(cap) * 2);
        while (n < cap - 400) {
            if (n == 0 || tw_rand() % 3 == 0) {
                plain[n] = (uint8_t)tw_rand();
                tw_lzb_lit(&b, plain[n++]);
            } else {
                size_t off = 1 + tw_rand() % (n < 8192 ? n : 8192);
                size_t l = 3 + (tw_rand() % 4 ? tw_rand() % 20
                                              : tw_rand() % 350), j;

                for (j = 0; j < l; j++, n++)
                    plain[n] = plain[n - off];
                tw_lzb_match(&b, off, l);
            }
        }
        tw_lzb_end(&b);
        ok = tw_decompress(b.out, b.len, n, &out, &len) == 0 && len == n
             && memcmp(out, plain, n) == 0;
        free(out);
        free(b.out);
        free(plain);
    }
    CU_ASSERT_TRUE(ok);
}

/* ================================================================ rpcext */

static size_t tw_hdr(uint8_t *o, uint16_t ver, uint16_t flags, uint16_t size,
                     uint16_t actual)
{
    o[0] = (uint8_t)ver;
    o[1] = (uint8_t)(ver >> 8);
    o[2] = (uint8_t)flags;
    o[3] = (uint8_t)(flags >> 8);
    o[4] = (uint8_t)size;
    o[5] = (uint8_t)(size >> 8);
    o[6] = (uint8_t)actual;
    o[7] = (uint8_t)(actual >> 8);
    return 8;
}

static uint16_t tw_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* One plain block flagged Last (R737, R738, R40). */
static void test_rpcext_single_plain(void)
{
    uint8_t in[8 + 5];
    rpcext_block *blocks;
    size_t n;

    tw_hdr(in, 0, RPCEXT_LAST, 5, 5);
    memcpy(in + 8, "hello", 5);
    CU_ASSERT_EQUAL(rpcext_decode_chain(in, sizeof(in), tw_pool, 96, &blocks,
                                        &n), RPCEXT_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(blocks[0].size, 5);
    CU_ASSERT_EQUAL(memcmp(blocks[0].payload, "hello", 5), 0);
    CU_ASSERT_EQUAL(blocks[0].flags, RPCEXT_LAST);
    /* An empty payload is a valid block too. */
    tw_hdr(in, 0, RPCEXT_LAST, 0, 0);
    CU_ASSERT_EQUAL(rpcext_decode_chain(in, 8, tw_pool, 96, &blocks, &n),
                    RPCEXT_OK);
    CU_ASSERT_EQUAL(blocks[0].size, 0);
}

/* Encoded blocks with every flag combination, chained (R1649001, R965,
 * R966), decode back to the payloads: compress then XOR on the way out,
 * revert then decompress on the way in (R4841, R4842, R4845, R4846). */
static void test_rpcext_chain_round_trip(void)
{
    static const uint16_t want[] = { 0, RPCEXT_XORMAGIC, RPCEXT_COMPRESSED,
                                     RPCEXT_COMPRESSED | RPCEXT_XORMAGIC };
    uint8_t *payload[8];
    size_t size[8], i, n;
    rpcext_block *blocks;
    mapi_wr wr;

    tw_seed = 0x5EED0004;
    mapi_wr_init(&wr, tw_pool, 1 << 20);
    for (i = 0; i < 8; i++) {
        size[i] = i == 7 ? RPCEXT_MAX_PAYLOAD : tw_rand() % 5000;
        payload[i] = apr_palloc(tw_pool, size[i] + 1);
        tw_fill(payload[i], size[i], i % 2 ? TW_WORDS : TW_MIXED);
        CU_ASSERT_EQUAL(rpcext_encode_block(&wr, payload[i], size[i],
                                            want[i % 4], i == 7), 0);
    }
    CU_ASSERT_FALSE(wr.failed);
    CU_ASSERT_EQUAL(rpcext_decode_chain(wr.buf, wr.len, tw_pool, 96, &blocks,
                                        &n), RPCEXT_OK);
    CU_ASSERT_EQUAL(n, 8);
    for (i = 0; i < n && i < 8; i++) {
        CU_ASSERT_EQUAL(blocks[i].size, size[i]);
        CU_ASSERT_TRUE(blocks[i].size == size[i]
                       && memcmp(blocks[i].payload, payload[i], size[i]) == 0);
        CU_ASSERT_EQUAL(blocks[i].flags & RPCEXT_XORMAGIC,
                        want[i % 4] & RPCEXT_XORMAGIC);
        CU_ASSERT_EQUAL(!!(blocks[i].flags & RPCEXT_LAST), i == 7);
        /* Words compress, so a compressed block was asked for and used. */
        if (size[i] > 100 && (want[i % 4] & RPCEXT_COMPRESSED))
            CU_ASSERT_TRUE(blocks[i].flags & RPCEXT_COMPRESSED);
    }
}

/* The header written by rpcext_encode_block: Version 0 (R33), Size is the
 * bytes on the wire, SizeActual the plain size (R42-R46); compressed only
 * when smaller (R1479, R4794); XOR applies to the wire bytes (R956). */
static void test_rpcext_encode_header(void)
{
    uint8_t text[2000], rnd[600];
    const uint8_t *b;
    mapi_wr wr;
    size_t i;

    tw_seed = 0x5EED0005;
    tw_fill(text, sizeof(text), TW_WORDS);
    tw_fill(rnd, sizeof(rnd), TW_RANDOM);
    mapi_wr_init(&wr, tw_pool, 1 << 16);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, text, sizeof(text),
                                        RPCEXT_COMPRESSED | RPCEXT_XORMAGIC,
                                        1), 0);
    b = wr.buf;
    CU_ASSERT_EQUAL(tw_get16(b), 0);
    CU_ASSERT_EQUAL(tw_get16(b + 2),
                    RPCEXT_COMPRESSED | RPCEXT_XORMAGIC | RPCEXT_LAST);
    CU_ASSERT_TRUE(tw_get16(b + 4) < sizeof(text));
    CU_ASSERT_EQUAL(tw_get16(b + 6), sizeof(text));
    CU_ASSERT_EQUAL(wr.len, 8u + tw_get16(b + 4));
    {
        /* XOR undone by hand, the payload is a valid LZ77 stream. */
        size_t zl = tw_get16(b + 4), len;
        uint8_t *z = malloc(zl), *out;

        memcpy(z, b + 8, zl);
        rpcext_xor(z, zl);
        CU_ASSERT_EQUAL(tw_decompress(z, zl, sizeof(text), &out, &len), 0);
        CU_ASSERT_TRUE(len == sizeof(text)
                       && memcmp(out, text, len) == 0);
        free(out);
        free(z);
    }
    /* Random data does not compress: sent plain, flag cleared. */
    mapi_wr_init(&wr, tw_pool, 1 << 16);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, rnd, sizeof(rnd),
                                        RPCEXT_COMPRESSED | RPCEXT_XORMAGIC,
                                        0), 0);
    b = wr.buf;
    CU_ASSERT_EQUAL(tw_get16(b + 2), RPCEXT_XORMAGIC);
    CU_ASSERT_EQUAL(tw_get16(b + 4), sizeof(rnd));
    CU_ASSERT_EQUAL(tw_get16(b + 6), sizeof(rnd));
    for (i = 0; i < sizeof(rnd); i++)
        if (b[8 + i] != (rnd[i] ^ 0xA5))
            break;
    CU_ASSERT_EQUAL(i, sizeof(rnd));
    /* No flags asked for: plain bytes; stray bits in want_flags ignored. */
    mapi_wr_init(&wr, tw_pool, 1 << 16);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, text, 10, 0x8000 | RPCEXT_LAST,
                                        1), 0);
    CU_ASSERT_EQUAL(tw_get16(wr.buf + 2), RPCEXT_LAST);
    CU_ASSERT_EQUAL(memcmp(wr.buf + 8, text, 10), 0);
    /* Empty payload with compression asked: plain, Size 0. */
    mapi_wr_init(&wr, tw_pool, 64);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, NULL, 0, RPCEXT_COMPRESSED, 1),
                    0);
    CU_ASSERT_EQUAL(wr.len, 8);
    CU_ASSERT_EQUAL(tw_get16(wr.buf + 2), RPCEXT_LAST);
}

/* Output limits: a block that does not fit leaves out as it was and sets
 * failed; R726: payload above 32 KiB refused; a compressible payload fits
 * where its plain form would not. */
static void test_rpcext_encode_limits(void)
{
    uint8_t big[RPCEXT_MAX_PAYLOAD + 1], text[1000];
    mapi_wr wr;

    memset(big, 'z', sizeof(big));
    tw_fill(text, sizeof(text), TW_RUN);
    mapi_wr_init(&wr, tw_pool, 1 << 20);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, big, sizeof(big), 0, 1), -1);
    CU_ASSERT_EQUAL(wr.len, 0);
    mapi_wr_init(&wr, tw_pool, 100);
    mapi_wr_u32(&wr, 0xCAFEF00D);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, text, sizeof(text), 0, 1), -1);
    CU_ASSERT_EQUAL(wr.len, 4);
    CU_ASSERT_TRUE(wr.failed);
    /* Compressed, the same 1000 bytes take a few bytes. */
    mapi_wr_init(&wr, tw_pool, 100);
    mapi_wr_u32(&wr, 0xCAFEF00D);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, text, sizeof(text),
                                        RPCEXT_COMPRESSED, 1), 0);
    CU_ASSERT_FALSE(wr.failed);
    CU_ASSERT_TRUE(wr.len < 100);
    CU_ASSERT_EQUAL(tw_get16(wr.buf + 4 + 2),
                    RPCEXT_COMPRESSED | RPCEXT_LAST);
    /* Room for less than a header. */
    mapi_wr_init(&wr, tw_pool, 7);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, text, 0, 0, 1), -1);
    CU_ASSERT_EQUAL(wr.len, 0);
    /* An earlier failure is kept, not cleared, by a later encode. */
    mapi_wr_init(&wr, tw_pool, 100);
    wr.failed = 1;
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, text, 500, RPCEXT_COMPRESSED, 1),
                    0);
    CU_ASSERT_TRUE(wr.failed);
}

typedef struct tw_chain_case {
    const char *name;
    rpcext_err want;
    size_t max_blocks;
} tw_chain_case;

/* Builds the chain for each error case into buf; returns its length. */
static size_t tw_bad_chain(int which, uint8_t *buf)
{
    size_t o = 0, i;

    switch (which) {
    case 0:                           /* TRUNCATED: half a header */
        return tw_hdr(buf, 0, RPCEXT_LAST, 0, 0) - 3;
    case 1:                           /* TRUNCATED: payload short (R42) */
        o = tw_hdr(buf, 0, RPCEXT_LAST, 10, 10);
        return o + 9;
    case 2:                           /* VERSION (R33) */
        return tw_hdr(buf, 1, RPCEXT_LAST, 0, 0);
    case 3:                           /* FLAGS: unknown bit (R35) */
        return tw_hdr(buf, 0, RPCEXT_LAST | 0x0008, 0, 0);
    case 4:                           /* FLAGS: high bit */
        return tw_hdr(buf, 0, RPCEXT_LAST | 0x8000, 0, 0);
    case 5:                           /* SIZE: plain Size != SizeActual (R38,
                                         R46) */
        o = tw_hdr(buf, 0, RPCEXT_LAST, 4, 5);
        return o + 4;
    case 6:                           /* SIZE: over 32 KiB (R726) */
        o = tw_hdr(buf, 0, RPCEXT_LAST | RPCEXT_COMPRESSED, 4, 0x8001);
        memcpy(buf + o, "\xff\xff\xff\xff", 4);
        return o + 4;
    case 7:                           /* DECOMPRESS: malformed stream */
        o = tw_hdr(buf, 0, RPCEXT_LAST | RPCEXT_COMPRESSED, 4, 10);
        memcpy(buf + o, "\0\0\0\0", 4);
        return o + 4;
    case 8:                           /* DECOMPRESS: shorter than SizeActual */
        o = tw_hdr(buf, 0, RPCEXT_LAST | RPCEXT_COMPRESSED, 5, 2);
        memcpy(buf + o, "\0\0\0\x40" "A", 5);
        return o + 5;
    case 9:                           /* DECOMPRESS: longer than SizeActual */
        o = tw_hdr(buf, 0, RPCEXT_LAST | RPCEXT_COMPRESSED, 6, 1);
        memcpy(buf + o, "\0\0\0\x20" "AB", 6);
        return o + 6;
    case 10:                          /* NO_LAST: empty input */
        return 0;
    case 11:                          /* NO_LAST: blocks, none Last (R766) */
        o = tw_hdr(buf, 0, 0, 1, 1);
        buf[o++] = 'x';
        o += tw_hdr(buf + o, 0, RPCEXT_XORMAGIC, 0, 0);
        return o;
    case 12:                          /* TRAILING: bytes after Last */
        o = tw_hdr(buf, 0, RPCEXT_LAST, 0, 0);
        buf[o++] = 0;
        return o;
    case 13:                          /* TRAILING: a whole block after Last */
        o = tw_hdr(buf, 0, RPCEXT_LAST, 0, 0);
        return o + tw_hdr(buf + o, 0, RPCEXT_LAST, 0, 0);
    case 14:                          /* TOO_MANY: 97 blocks (R969) */
    default:
        for (i = 0; i < 97; i++)
            o += tw_hdr(buf + o, 0, i == 96 ? RPCEXT_LAST : 0, 0, 0);
        return o;
    }
}

static void test_rpcext_errors(void)
{
    static const tw_chain_case cases[] = {
        { "half header", RPCEXT_ERR_TRUNCATED, 96 },
        { "short payload", RPCEXT_ERR_TRUNCATED, 96 },
        { "version 1", RPCEXT_ERR_VERSION, 96 },
        { "flag 0x0008", RPCEXT_ERR_FLAGS, 96 },
        { "flag 0x8000", RPCEXT_ERR_FLAGS, 96 },
        { "plain size mismatch", RPCEXT_ERR_SIZE, 96 },
        { "SizeActual 0x8001", RPCEXT_ERR_SIZE, 96 },
        { "bad LZ77", RPCEXT_ERR_DECOMPRESS, 96 },
        { "LZ77 short", RPCEXT_ERR_DECOMPRESS, 96 },
        { "LZ77 long", RPCEXT_ERR_DECOMPRESS, 96 },
        { "empty", RPCEXT_ERR_NO_LAST, 96 },
        { "no Last", RPCEXT_ERR_NO_LAST, 96 },
        { "trailing byte", RPCEXT_ERR_TRAILING, 96 },
        { "trailing block", RPCEXT_ERR_TRAILING, 96 },
        { "97 blocks", RPCEXT_ERR_TOO_MANY, 96 },
    };
    static uint8_t buf[2048];
    rpcext_block *blocks = NULL;
    size_t i, n = 12345, len;

    for (i = 0; i < TW_N(cases); i++) {
        rpcext_err e;

        len = tw_bad_chain((int)i, buf);
        e = rpcext_decode_chain(buf, len, tw_pool, cases[i].max_blocks,
                                &blocks, &n);
        CU_ASSERT_EQUAL(e, cases[i].want);
        if (e != cases[i].want)
            fprintf(stderr, "\n  chain case '%s': got %s\n", cases[i].name,
                    rpcext_err_str(e));
    }
    CU_ASSERT_PTR_NULL(blocks);          /* outputs untouched on error */
    CU_ASSERT_EQUAL(n, 12345);
    /* 97 blocks pass with a limit of 97, 96 blocks with 96. */
    len = tw_bad_chain(14, buf);
    CU_ASSERT_EQUAL(rpcext_decode_chain(buf, len, tw_pool, 97, &blocks, &n),
                    RPCEXT_OK);
    CU_ASSERT_EQUAL(n, 97);
    CU_ASSERT_EQUAL(rpcext_decode_chain(buf + 8, len - 8, tw_pool, 96, &blocks,
                                        &n), RPCEXT_OK);
    CU_ASSERT_EQUAL(n, 96);
    CU_ASSERT_EQUAL(rpcext_decode_chain(buf, len, tw_pool, 0, &blocks, &n),
                    RPCEXT_ERR_TOO_MANY);
}

static void test_rpcext_err_str(void)
{
    int e;
    size_t j;
    const char *s[RPCEXT_ERR_TOO_MANY + 1];

    for (e = RPCEXT_OK; e <= RPCEXT_ERR_TOO_MANY; e++) {
        s[e] = rpcext_err_str((rpcext_err)e);
        CU_ASSERT_PTR_NOT_NULL(s[e]);
        for (j = 0; j < (size_t)e; j++)
            CU_ASSERT_STRING_NOT_EQUAL(s[j], s[e]);
    }
    CU_ASSERT_PTR_NOT_NULL(rpcext_err_str((rpcext_err)99));
    CU_ASSERT_PTR_NOT_NULL(rpcext_err_str((rpcext_err)-1));
}

/* ================================================================== main */

typedef struct tw_test {
    const char *name;
    CU_TestFunc fn;
} tw_test;

static const tw_test tw_reader_tests[] = {
    { "integers, every width and short length (R1)", test_rd_integers },
    { "failed flag is sticky", test_rd_sticky_failed },
    { "bytes/view/skip/sub bounds", test_rd_bytes_view_skip_sub },
    { "str8 bounds and bad input", test_rd_str8 },
    { "str16 UTF-16LE, surrogates, bounds", test_rd_str16 },
};

static const tw_test tw_writer_tests[] = {
    { "integers little-endian", test_wr_integers },
    { "max enforced, every width", test_wr_max },
    { "pool growth by doubling, never past max", test_wr_growth },
    { "str8/str16 round trips", test_wr_strings },
    { "str16 rejects invalid UTF-8", test_wr_bad_utf8 },
    { "reserve, patch, truncate", test_wr_reserve_patch_truncate },
};

static const tw_test tw_lz77_tests[] = {
    { "XOR 0xA5 (MS-OXCRPC R956)", test_xor },
    { "known answers (R885-R891, R1873, R1877)", test_lz77_known_answers },
    { "end bit forms (R1873)", test_lz77_end_bit_forms },
    { "every length tier (R907-R951)", test_lz77_length_tiers },
    { "length bytes of R922-R945", test_lz77_length_bytes },
    { "shared nibble (R915-R920)", test_lz77_shared_nibble },
    { "offsets 1..8192 (R901-R903, R1252)", test_lz77_offsets },
    { "malformed streams return -1", test_lz77_malformed },
    { "round trips, sizes 0..32768", test_lz77_round_trip },
    { "no larger than reference greedy (R847)", test_lz77_vs_reference },
    { "decodes an independent encoder", test_lz77_foreign_streams },
    { "compressor: window edges 8191/8192/8193", test_lz77_enc_window_edges },
    { "compressor: runs, tiers, nibble pairs", test_lz77_enc_runs_and_nibbles },
    { "compressor: tables reused, wrapped, threads", test_lz77_enc_workspace },
};

/* MapiMaxDecompressedSize: the declared LZ77 output of the whole chain,
 * refused before decompressing; plain blocks do not count. */
static void test_rpcext_inflated_limit(void)
{
    uint8_t *zeros = apr_pcalloc(tw_pool, 3000);
    rpcext_block *blocks;
    mapi_wr wr;
    size_t n;

    mapi_wr_init(&wr, tw_pool, 1 << 16);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, zeros, 3000, RPCEXT_COMPRESSED,
                                        0), 0);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, zeros, 3000, RPCEXT_COMPRESSED,
                                        1), 0);
    CU_ASSERT_TRUE(wr.buf[2] & RPCEXT_COMPRESSED);
    CU_ASSERT_EQUAL(rpcext_decode_chain_max(wr.buf, wr.len, tw_pool, 96, 6000,
                                            &blocks, &n), RPCEXT_OK);
    CU_ASSERT_EQUAL(rpcext_decode_chain_max(wr.buf, wr.len, tw_pool, 96, 5999,
                                            &blocks, &n),
                    RPCEXT_ERR_TOO_LARGE);
    CU_ASSERT_EQUAL(rpcext_decode_chain_max(wr.buf, wr.len, tw_pool, 96, 0,
                                            &blocks, &n), RPCEXT_OK);
    mapi_wr_init(&wr, tw_pool, 1 << 16);
    CU_ASSERT_EQUAL(rpcext_encode_block(&wr, zeros, 3000, 0, 1), 0);
    CU_ASSERT_EQUAL(rpcext_decode_chain_max(wr.buf, wr.len, tw_pool, 96, 100,
                                            &blocks, &n), RPCEXT_OK);
}

static const tw_test tw_rpcext_tests[] = {
    { "MapiMaxDecompressedSize", test_rpcext_inflated_limit },
    { "single plain block (R737, R738)", test_rpcext_single_plain },
    { "chain of all flag mixes (R4841, R4842, R965)",
      test_rpcext_chain_round_trip },
    { "encoded header fields (R33, R42-R46, R1479)",
      test_rpcext_encode_header },
    { "encode limits (R726)", test_rpcext_encode_limits },
    { "every decode error (R33, R35, R38, R726, R766, R969)",
      test_rpcext_errors },
    { "error strings", test_rpcext_err_str },
};

static int tw_add_suite(const char *name, const tw_test *t, size_t n)
{
    CU_pSuite s = CU_add_suite(name, tw_suite_init, tw_suite_clean);
    size_t i;

    if (!s)
        return -1;
    for (i = 0; i < n; i++)
        if (!CU_add_test(s, t[i].name, t[i].fn))
            return -1;
    return 0;
}

int main(void)
{
    unsigned failures;

    if (apr_initialize() != APR_SUCCESS || CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (tw_add_suite("mapi_rd reader", tw_reader_tests,
                     TW_N(tw_reader_tests)) < 0
        || tw_add_suite("mapi_wr writer", tw_writer_tests,
                        TW_N(tw_writer_tests)) < 0
        || tw_add_suite("lz77 [MS-OXCRPC] 3.1.4.1.1.2", tw_lz77_tests,
                        TW_N(tw_lz77_tests)) < 0
        || tw_add_suite("rpcext [MS-OXCRPC] 2.2.2.1", tw_rpcext_tests,
                        TW_N(tw_rpcext_tests)) < 0) {
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures()
               + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    apr_terminate();
    return failures ? 1 : 0;
}
