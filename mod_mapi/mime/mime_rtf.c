/*
 * mime_rtf.c: compressed RTF ([MS-OXRTFCP]), the form PidTagRtfCompressed
 * holds.  A 16-byte header (COMPSIZE, RAWSIZE, COMPTYPE, CRC) and then
 * either the raw bytes ("MELA") or an LZ77 variant ("LZFu") over a
 * 4096-byte ring dictionary pre-loaded with a fixed RTF prologue: runs of
 * one control byte (bits LSB first: 0 literal, 1 reference) and eight
 * items; a reference is 12 bits of dictionary offset and 4 bits of length
 * minus 2, big-endian; a reference to the write position ends the data.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <string.h>
#include "mime/mime.h"

#define RTF_HEADER     16
#define RTF_DICT       4096
#define RTF_MAX_MATCH  17            /* 4 bits + 2 */
#define RTF_LZFU       0x75465A4Cu
#define RTF_MELA       0x414C454Du
/* Candidates the compressor tries per position: bounds the work on
 * pathological input (long runs of one byte) at some loss of ratio. */
#define RTF_MAX_CHAIN  256

/* [MS-OXRTFCP] 2.1.2.1: the dictionary's initial contents (207 bytes). */
static const char rtf_prebuf[] =
    "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}"
    "{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor "
    "MS Sans SerifSymbolArialTimes New RomanCourier"
    "{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    "\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";
#define RTF_PREBUF_LEN (sizeof(rtf_prebuf) - 1)

static uint32_t rtf_crc_table[256];

/* [MS-OXRTFCP] 2.1.3.2: the reflected CRC-32 (polynomial 0xEDB88320),
 * started at 0 and without the final inversion zlib's crc32 applies. */
static void rtf_crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        rtf_crc_table[i] = c;
    }
}

static uint32_t rtf_crc(const uint8_t *p, size_t n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    uint32_t crc = 0;

    pthread_once(&once, rtf_crc_init);
    for (size_t i = 0; i < n; i++)
        crc = rtf_crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

static uint32_t rtf_get32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void rtf_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ------------------------------------------------------- compression -- */

typedef struct rtf_enc {
    uint8_t dict[RTF_DICT];
    uint64_t total;                 /* bytes ever written to dict */
    int32_t head[1 << 16];          /* first 2 bytes -> newest abs pos */
    int32_t prev[RTF_DICT];         /* abs pos -> older pos, same bytes */
} rtf_enc;

static unsigned rtf_key(uint8_t a, uint8_t b)
{
    return (unsigned)a << 8 | b;
}

/* Positions enter the chains once the byte after them is known. */
static void rtf_put(rtf_enc *e, uint8_t c)
{
    e->dict[e->total % RTF_DICT] = c;
    e->total++;
    if (e->total >= 2) {
        uint64_t p = e->total - 2;
        unsigned h = rtf_key(e->dict[p % RTF_DICT],
                             e->dict[(p + 1) % RTF_DICT]);

        e->prev[p % RTF_DICT] = e->head[h];
        e->head[h] = (int32_t)p;
    }
}

/* The byte k of a match starting at absolute dictionary position p while
 * the input continues at in: a match may run into the bytes it is itself
 * writing (the decoder copies byte by byte). */
static uint8_t rtf_match_byte(const rtf_enc *e, uint64_t p, const uint8_t *in,
                              size_t k)
{
    uint64_t d = e->total - p;

    return k < d ? e->dict[(p + k) % RTF_DICT] : in[k - d];
}

/* Longest match for in[0..n) among the dictionary's positions; returns
 * its length (0 if under 2) and *off_r its ring offset.  Of equally long
 * matches the oldest wins, which reproduces the spec's examples (its
 * search runs from the start of the dictionary). */
static size_t rtf_longest(const rtf_enc *e, const uint8_t *in, size_t n,
                          unsigned *off_r)
{
    size_t best = 0, max = n < RTF_MAX_MATCH ? n : RTF_MAX_MATCH;
    int32_t p;
    unsigned chain = 0;

    if (max < 2)
        return 0;
    p = e->head[rtf_key(in[0], in[1])];
    while (p >= 0 && chain++ < RTF_MAX_CHAIN) {
        uint64_t ap = (uint64_t)p;
        size_t k = 0;

        /* Older than the ring holds (or the write position itself, the
         * end marker): every later entry is older still. */
        if (e->total - ap >= RTF_DICT)
            break;
        while (k < max && rtf_match_byte(e, ap, in, k) == in[k])
            k++;
        /* The chain runs newest to oldest: >= keeps the oldest. */
        if (k >= best) {
            best = k;
            *off_r = (unsigned)(ap % RTF_DICT);
        }
        p = e->prev[ap % RTF_DICT];
    }
    return best >= 2 ? best : 0;
}

int mime_rtf_compress(apr_pool_t *pool, const uint8_t *rtf, size_t len,
                      uint8_t **out_r, size_t *out_len_r)
{
    /* Worst case: every byte a literal, one control byte per 8 items, the
     * end marker and its control byte. */
    size_t cap = RTF_HEADER + len + len / 8 + 4, o = RTF_HEADER, i = 0;
    rtf_enc *e;
    uint8_t *out;
    size_t ctl_at;
    unsigned bit = 0;

    if (len > 0xFFFFFFFFu - 64)
        return -1;
    e = apr_palloc(pool, sizeof(*e));
    out = apr_palloc(pool, cap);
    memset(e->head, 0xFF, sizeof(e->head));
    memset(e->dict, 0, sizeof(e->dict));
    e->total = 0;
    for (size_t k = 0; k < RTF_PREBUF_LEN; k++)
        rtf_put(e, (uint8_t)rtf_prebuf[k]);
    ctl_at = o++;
    out[ctl_at] = 0;
    for (;;) {
        unsigned off = 0;
        size_t m;

        if (bit == 8) {
            ctl_at = o++;
            out[ctl_at] = 0;
            bit = 0;
        }
        if (i == len) {
            /* The end marker: a reference to the write position. */
            unsigned wp = (unsigned)(e->total % RTF_DICT);

            out[ctl_at] |= (uint8_t)(1u << bit);
            out[o++] = (uint8_t)(wp >> 4);
            out[o++] = (uint8_t)((wp & 0xF) << 4);
            break;
        }
        m = rtf_longest(e, rtf + i, len - i, &off);
        if (m) {
            unsigned tok = off << 4 | (unsigned)(m - 2);

            out[ctl_at] |= (uint8_t)(1u << bit);
            out[o++] = (uint8_t)(tok >> 8);
            out[o++] = (uint8_t)tok;
            for (size_t k = 0; k < m; k++)
                rtf_put(e, rtf[i + k]);
            i += m;
        } else {
            out[o++] = rtf[i];
            rtf_put(e, rtf[i++]);
        }
        bit++;
    }
    rtf_put32(out, (uint32_t)(o - 4));
    rtf_put32(out + 4, (uint32_t)len);
    rtf_put32(out + 8, RTF_LZFU);
    rtf_put32(out + 12, rtf_crc(out + RTF_HEADER, o - RTF_HEADER));
    *out_r = out;
    *out_len_r = o;
    return 0;
}

/* ----------------------------------------------------- decompression -- */

/* Decodes the LZFu items of in[0..n) into out (at most cap bytes).
 * Returns the length, or -1 when the output would exceed cap.  Running
 * out of input before the end marker is tolerated (writers pad the last
 * run differently); the caller checks RAWSIZE. */
static long rtf_lzfu(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    uint8_t dict[RTF_DICT];
    unsigned wp = RTF_PREBUF_LEN;
    size_t i = 0, o = 0;

    memset(dict, 0, sizeof(dict));
    memcpy(dict, rtf_prebuf, RTF_PREBUF_LEN);
    while (i < n) {
        uint8_t ctl = in[i++];

        for (unsigned bit = 0; bit < 8 && i < n; bit++) {
            if (!(ctl & (1u << bit))) {
                if (o >= cap)
                    return -1;
                out[o++] = dict[wp] = in[i++];
                wp = (wp + 1) % RTF_DICT;
                continue;
            }
            if (n - i < 2)
                return (long)o;
            unsigned tok = (unsigned)in[i] << 8 | in[i + 1];
            unsigned off = tok >> 4, cnt = (tok & 0xF) + 2;

            i += 2;
            if (off == wp)
                return (long)o;
            if (cap - o < cnt)
                return -1;
            for (unsigned k = 0; k < cnt; k++) {
                uint8_t c = dict[(off + k) % RTF_DICT];

                out[o++] = dict[wp] = c;
                wp = (wp + 1) % RTF_DICT;
            }
        }
    }
    return (long)o;
}

int mime_rtf_decompress(apr_pool_t *pool, const uint8_t *in, size_t len,
                        size_t max_out, uint8_t **out_r, size_t *out_len_r)
{
    uint32_t compsize, rawsize, type;
    const uint8_t *body;
    size_t body_len;
    uint8_t *out;
    long got;

    if (len < RTF_HEADER)
        return -1;
    compsize = rtf_get32(in);
    rawsize = rtf_get32(in + 4);
    type = rtf_get32(in + 8);
    /* COMPSIZE counts the 12 header bytes after itself. */
    if (compsize < 12 || compsize > len - 4 || rawsize > max_out)
        return -1;
    body = in + RTF_HEADER;
    body_len = compsize - 12;
    out = apr_palloc(pool, rawsize + 1);
    if (type == RTF_MELA) {
        if (rawsize > body_len)
            return -1;
        memcpy(out, body, rawsize);
    } else if (type == RTF_LZFU) {
        if (rtf_crc(body, body_len) != rtf_get32(in + 12))
            return -1;
        got = rtf_lzfu(body, body_len, out, rawsize);
        /* The decoded length must be what the header promised: anything
         * else is a damaged stream, not an RTF body. */
        if (got < 0 || (size_t)got != rawsize)
            return -1;
    } else {
        return -1;
    }
    out[rawsize] = 0;
    *out_r = out;
    *out_len_r = rawsize;
    return 0;
}
