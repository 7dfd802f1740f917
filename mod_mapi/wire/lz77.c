/*
 * lz77.c: the [MS-OXCRPC] section 3.1.4.1.1.2 LZ77 + DIRECT2 codec.
 *
 * Stream layout, as the decoder sees it:
 *   - a 32-bit little-endian bitmask, consumed most significant bit first
 *     (R885, R886); when its 32 bits are used, the next 4 bytes are the next
 *     bitmask (R891);
 *   - bit 0: one literal byte follows (R887);
 *   - bit 1: a little-endian u16 token follows: offset-1 in the high 13
 *     bits (R901, so the window is 8192 bytes, R1252), length-3 in the low 3
 *     bits (R907-R909).  A length field of 7 means "10 or more": the next
 *     length nibble comes from a shared byte, whose low nibble serves the
 *     first such match and whose high nibble the second (R913-R920).  A
 *     nibble of 15 adds a byte (R921, R925); a byte of 255 adds a u16 that
 *     holds the whole length minus 3 and replaces the sum (R930-R934); a
 *     u16 of 0 is followed by a u32 holding the length minus 3 instead
 *     (the same escape taken one step further, as in [MS-XCA] plain LZ77,
 *     which is the same format);
 *   - bit 1 with no input left is the end marker (R1873), which gets a
 *     fresh bitmask if the current one is used up (R1877).
 *
 * The decoder is written for speed with every read and write bounds
 * checked; it may write up to 32 bytes of scratch beyond the current output
 * position, but never at or past dst + dst_cap.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lz77.h"

#if defined(__GNUC__) || defined(__clang__)
#define LZ77_LIKELY(x)   __builtin_expect(!!(x), 1)
#define LZ77_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LZ77_LIKELY(x)   (x)
#define LZ77_UNLIKELY(x) (x)
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ \
    && (defined(__GNUC__) || defined(__clang__))
#define LZ77_FAST_LE 1
#endif

#define LZ77_WINDOW     8192u     /* 13-bit offsets, R902 */
#define LZ77_MIN_MATCH  3u
#define LZ77_LONG_BASE  10u       /* first length needing the nibble */

/* ------------------------------------------------------------- helpers */

static inline uint32_t lz77_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
           | (uint32_t)p[3] << 24;
}

static inline unsigned lz77_get16(const uint8_t *p)
{
    return p[0] | (unsigned)p[1] << 8;
}

static inline void lz77_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void lz77_put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Leading zero bits of a non-zero word. */
static inline unsigned lz77_clz32(uint32_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_clz(v);
#else
    unsigned n = 0;

    while (!(v & 0x80000000u)) {
        v <<= 1;
        n++;
    }
    return n;
#endif
}

/* ---------------------------------------------------------- decompress */

/* Reads the extension of a length field of 7 (R913-R934).  *pend is 0x10
 * plus the high nibble of the last shared byte while that nibble is still
 * unused, else 0.  Returns the full match length, or 0 on a truncated or
 * invalid extension. */
static size_t lz77_long_len(const uint8_t **ipp, const uint8_t *iend,
                            unsigned *pend)
{
    const uint8_t *ip = *ipp;
    unsigned p = *pend, fresh = !(p & 0x10), byte = 0, fm;
    uint64_t len;

    if (LZ77_LIKELY(ip != iend))
        byte = *ip;
    else if (fresh)
        return 0;
    /* A new shared byte (its low nibble) and the pending one (its high
     * nibble) alternate, which a branch predicts badly (a fifth of all
     * mispredictions on ROP rows), so the choice is made with a mask. */
    fm = 0u - fresh;
    len = ((byte & fm) | (p & ~fm)) & 0x0Fu;
    *pend = (0x10u | byte >> 4) & fm;
    ip += fresh;
    if (len == 15) {
        if (ip == iend)
            return 0;
        len = *ip++;
        if (len == 255) {
            if (iend - ip < 2)
                return 0;
            len = lz77_get16(ip);
            ip += 2;
            if (len == 0) {
                if (iend - ip < 4)
                    return 0;
                len = lz77_get32(ip);
                ip += 4;
            }
            /* The u16/u32 holds the whole length minus 3 (R932, R933); a
             * value below 7 + 15 cannot come from a conforming encoder. */
            if (len < 22)
                return 0;
            len -= 22;
        }
        len += 15;
    }
    len += LZ77_LONG_BASE;
    if (len > SIZE_MAX)
        return 0;
    *ipp = ip;
    return (size_t)len;
}

/* Copies an overlapping match whose offset is 2..7 when there are at least
 * len + 8 bytes of room: 8 bytes one by one, then 8-byte blocks from a
 * distance that is a multiple of the period and at least 8. */
static inline void lz77_copy_short_period(uint8_t *op, size_t off, size_t len)
{
    const uint8_t *m = op - off;
    uint8_t *end = op + len;
    size_t i, period = off * ((8 + off - 1) / off);

    for (i = 0; i < 8; i++)
        op[i] = m[i];
    op += 8;
    m = op - period;
    while (op < end) {
        memcpy(op, m, 8);
        op += 8;
        m += 8;
    }
}

/* Copies len bytes from off bytes back; the caller has checked that the
 * source is inside the output and that len bytes of room remain.  Block
 * copies may run up to 31 bytes past op + len, only when room allows.
 * With off >= 16 each 16-byte block reads only bytes already written
 * (by an earlier block at the latest), so the copies are in order. */
static inline void lz77_copy_match(uint8_t *op, size_t off, size_t len,
                                   const uint8_t *oend)
{
    const uint8_t *m = op - off;
    size_t slack = (size_t)(oend - op) - len;
    uint8_t *end = op + len;

    if (LZ77_LIKELY(off >= 16 && slack >= 32)) {
        /* Most matches are up to 32 bytes: two blocks and no loop, whose
         * exit branch was the most mispredicted one of the decoder. */
        memcpy(op, m, 16);
        memcpy(op + 16, m + 16, 16);
        if (LZ77_LIKELY(len <= 32))
            return;
        op += 32;
        m += 32;
        do {
            memcpy(op, m, 16);
            op += 16;
            m += 16;
        } while (op < end);
    } else if (off >= 16 && slack >= 16) {
        do {
            memcpy(op, m, 16);
            op += 16;
            m += 16;
        } while (op < end);
    } else if (off == 1) {
        memset(op, *m, len);
    } else if (off >= 8 && slack >= 8) {
        do {
            memcpy(op, m, 8);
            op += 8;
            m += 8;
        } while (op < end);
    } else if (off >= len) {
        memcpy(op, m, len);
    } else if (slack >= 8 && len >= 8) {
        lz77_copy_short_period(op, off, len);
    } else {
        while (op < end)
            *op++ = *m++;
    }
}

/* Copies a run of n <= 32 literals, in one 32-byte block when both buffers
 * have that much left. */
static inline void lz77_copy_lits(uint8_t *op, const uint8_t *ip, size_t n,
                                  const uint8_t *iend, const uint8_t *oend)
{
    if (LZ77_LIKELY(iend - ip >= 32 && oend - op >= 32))
        memcpy(op, ip, 32);
    else
        memcpy(op, ip, n);
}

/* One loop for the whole stream.  A variant with a separate unchecked
 * loop for the middle of the buffers measured slower (about 1.5 against
 * 1.9 GB/s on ROP-like payloads): the checks here are cheap, well
 * predicted compares, and literal runs are already copied 32 at a time. */
int lz77_decompress(const uint8_t *src, size_t src_len,
                    uint8_t *dst, size_t dst_cap, size_t *out_len_r)
{
    const uint8_t *ip = src, *iend;
    uint8_t *op = dst, *oend;
    uint32_t flags = 0;
    unsigned nbits = 0, run, tok, pend = 0;
    size_t off, len;

    if (!src || src_len < 4)
        return -1;                   /* not even one bitmask: no end marker */
    iend = src + src_len;
    oend = dst ? dst + dst_cap : dst;
    for (;;) {
        if (nbits == 0) {
            if (iend - ip < 4)
                return -1;           /* ran out before the end marker */
            flags = lz77_get32(ip);
            ip += 4;
            nbits = 32;
        }
        if (!(flags & 0x80000000u)) {
            /* A run of 0 bits: that many literals at once. */
            run = flags ? lz77_clz32(flags) : 32;
            if (run > nbits)
                run = nbits;
            if ((size_t)(iend - ip) < run || (size_t)(oend - op) < run)
                return -1;
            lz77_copy_lits(op, ip, run, iend, oend);
            op += run;
            ip += run;
            nbits -= run;
            flags = run < 32 ? flags << run : 0;
            continue;
        }
        flags <<= 1;
        nbits--;
        if (ip == iend)
            break;                   /* the end marker (R1873) */
        if (iend - ip < 2)
            return -1;
        tok = lz77_get16(ip);
        ip += 2;
        off = (tok >> 3) + 1;
        len = (tok & 7) + LZ77_MIN_MATCH;
        if (len == LZ77_LONG_BASE
            && (len = lz77_long_len(&ip, iend, &pend)) == 0)
            return -1;
        if (LZ77_UNLIKELY((size_t)(op - dst) < off
                          || (size_t)(oend - op) < len))
            return -1;
        lz77_copy_match(op, off, len, oend);
        op += len;
    }
    *out_len_r = (size_t)(op - dst);
    return 0;
}

/* ------------------------------------------------------------ compress */

/* Output side of the compressor: the bitmask being filled, where it goes,
 * and the shared length byte whose high nibble is still free. */
typedef struct lz77_enc {
    uint8_t *op, *oend;
    uint8_t *mask_at;
    uint32_t mask;
    unsigned bits;
    uint8_t *nib;
} lz77_enc;

/* Appends one bitmask bit, first storing a full bitmask and reserving the
 * next one (R891). */
static inline int lz77_enc_bit(lz77_enc *e, uint32_t bit)
{
    if (e->bits == 32) {
        lz77_put32(e->mask_at, e->mask);
        if (e->oend - e->op < 4)
            return -1;
        e->mask_at = e->op;
        e->op += 4;
        e->mask = 0;
        e->bits = 0;
    }
    e->mask = e->mask << 1 | bit;
    e->bits++;
    return 0;
}

static inline int lz77_enc_literal(lz77_enc *e, uint8_t c)
{
    if (lz77_enc_bit(e, 0) < 0 || e->op == e->oend)
        return -1;
    *e->op++ = c;
    return 0;
}

/* Bytes that follow the token for a match of len >= 10, not counting a
 * new shared nibble byte. */
static size_t lz77_ext_size(size_t len)
{
    size_t v = len - LZ77_LONG_BASE;

    if (v < 15)
        return 0;
    if (v - 15 < 255)
        return 1;
    return len - LZ77_MIN_MATCH <= 0xFFFF ? 3 : 7;
}

/* Writes the length extension of a match of len >= 10 (R913-R934). */
static void lz77_enc_ext(lz77_enc *e, size_t len)
{
    size_t v = len - LZ77_LONG_BASE;
    unsigned nibble = v < 15 ? (unsigned)v : 15;

    if (e->nib) {
        *e->nib |= (uint8_t)(nibble << 4);
        e->nib = NULL;
    } else {
        e->nib = e->op;
        *e->op++ = (uint8_t)nibble;
    }
    if (v < 15)
        return;
    if (v - 15 < 255) {
        *e->op++ = (uint8_t)(v - 15);
        return;
    }
    *e->op++ = 255;
    if (len - LZ77_MIN_MATCH <= 0xFFFF) {
        lz77_put16(e->op, (unsigned)(len - LZ77_MIN_MATCH));
        e->op += 2;
    } else {
        lz77_put16(e->op, 0);
        lz77_put32(e->op + 2, (uint32_t)(len - LZ77_MIN_MATCH));
        e->op += 6;
    }
}

static int lz77_enc_match(lz77_enc *e, size_t off, size_t len)
{
    size_t need = 2;
    unsigned code = len >= LZ77_LONG_BASE ? 7 : (unsigned)(len - 3);

    if (len >= LZ77_LONG_BASE)
        need += (e->nib ? 0 : 1) + lz77_ext_size(len);
    if (lz77_enc_bit(e, 1) < 0 || (size_t)(e->oend - e->op) < need)
        return -1;
    lz77_put16(e->op, (unsigned)((off - 1) << 3 | code));
    e->op += 2;
    if (len >= LZ77_LONG_BASE)
        lz77_enc_ext(e, len);
    return 0;
}

/* Sets the end marker (R1873, R1877) and fills the rest of the last
 * bitmask with 1 bits, which a decoder never looks at. */
static int lz77_enc_finish(lz77_enc *e)
{
    unsigned left;

    if (lz77_enc_bit(e, 1) < 0)
        return -1;
    left = 32 - e->bits;
    if (left)
        e->mask = e->mask << left | ((1u << left) - 1);
    lz77_put32(e->mask_at, e->mask);
    return 0;
}

/* Match finder: two hash chains, one over 3-byte prefixes (every possible
 * match) and one over 8-byte prefixes.  Once the search has a match of 8
 * or more, any longer one shares those 8 bytes, so the rest of the search
 * walks the much shorter 8-byte chain and still finds the longest match.
 *
 * The tables live in a per-thread workspace that is never cleared: a head
 * holds a stamp, base + position, where every call takes a base more than
 * a window past the last stamp of the call before.  A stamp left over from
 * an earlier call (or a zero from the first allocation) is then more than a
 * window away from every current position, which the walk already treats
 * as the end of the chain.  That replaces a calloc and a clear of the
 * tables per call (7 % of the time on 32 KiB payloads).
 * prev[pos % window] is the stamp of the previous position with the same
 * hash (stored as is, no distance or range check, to keep the insertion
 * that runs for every input byte short); the walk stops at the first stamp
 * more than a window back.  prev[pos % window] is written when pos is
 * inserted, before any chain can lead to it, and is only overwritten by
 * the position a window later, which is inserted after every search that
 * could still reach pos, so it needs no clearing either. */
/* The 3-byte chain gets 4 times more buckets than the window has
 * positions: a colliding candidate costs a step and a badly predicted
 * compare, and on incompressible data (attachments) that halved the speed
 * with 2^13 buckets.  Since the tables are not cleared per call, the size
 * costs only memory (224 KiB per thread in all). */
#define LZ77_HBITS 13                       /* 8-byte chain */
#define LZ77_HSIZE (1u << LZ77_HBITS)
#define LZ77_H3BITS 15                      /* 3-byte chain */
#define LZ77_H3SIZE (1u << LZ77_H3BITS)

typedef struct lz77_ws {
    uint32_t head3[LZ77_H3SIZE], head8[LZ77_HSIZE];
    uint32_t prev3[LZ77_WINDOW], prev8[LZ77_WINDOW];
    uint32_t next_base;         /* 0: never used, tables all zero */
} lz77_ws;

/* The search is exhaustive inside the window, which makes the parse the
 * reference one (R847: the longest match at each position), as long as a
 * budget of chain steps for the whole input lasts.  Real payloads use a
 * small part of it; data built to make chains long (a tiny alphabet) can
 * exhaust it, and then positions get fewer steps each, which bounds the
 * time per byte whatever the input. */
typedef struct lz77_mf {
    const uint8_t *src;
    size_t n;
    lz77_ws *ws;
    uint32_t base;              /* stamp of position 0 */
    size_t ins;                 /* next position to insert */
    size_t end3, end8;          /* positions below these have 3 / 8 bytes */
    size_t budget;              /* chain steps left for the whole input */
    size_t limit;               /* chain steps allowed per position now */
    size_t next_check;          /* position at which limit is recomputed */
} lz77_mf;

#define LZ77_KEY2           8   /* prefix length of the second chain */
#define LZ77_STEPS_PER_BYTE 32  /* chain steps per input byte, on average */
#define LZ77_SPREAD         8   /* only match starts and literals search */
#define LZ77_SHALLOW        32  /* steps per position when the budget is low */
#define LZ77_NICE           1024 /* stop searching at a match this long */

/* ----------------------------------------------- per-thread workspace */

static pthread_key_t lz77_key;
static pthread_once_t lz77_once = PTHREAD_ONCE_INIT;
static int lz77_key_ok;

static void lz77_key_init(void)
{
    lz77_key_ok = pthread_key_create(&lz77_key, free) == 0;
}

/* This thread's workspace, made on first use and freed when the thread
 * ends (the destructor is libc's free, so it stays valid even if this
 * module is unloaded first).  When thread-specific data is unavailable, a
 * private one the caller frees (*owned set).  NULL when out of memory. */
static lz77_ws *lz77_workspace(int *owned)
{
    lz77_ws *ws;

    *owned = 0;
    if (pthread_once(&lz77_once, lz77_key_init) == 0 && lz77_key_ok) {
        ws = pthread_getspecific(lz77_key);
        if (ws)
            return ws;
        ws = calloc(1, sizeof(*ws));
        if (ws && pthread_setspecific(lz77_key, ws) == 0)
            return ws;
        free(ws);
    }
    *owned = 1;
    return calloc(1, sizeof(*ws));
}

/* Takes the stamp base for an input of n bytes (see lz77_ws).  When the
 * stamps would wrap, the heads are cleared once and numbering restarts. */
static uint32_t lz77_ws_begin(lz77_ws *ws, size_t n)
{
    uint64_t base = ws->next_base;

    if (base == 0 || base + n + LZ77_WINDOW + 1 > UINT32_MAX) {
        if (base != 0) {
            memset(ws->head3, 0, sizeof(ws->head3));
            memset(ws->head8, 0, sizeof(ws->head8));
        }
        base = LZ77_WINDOW + 1;
    }
    ws->next_base = (uint32_t)(base + n + LZ77_WINDOW + 1);
    return (uint32_t)base;
}

/* ------------------------------------------------------------ hashing */

static inline unsigned lz77_hash3v(uint32_t v)
{
    return (v * 2654435761u) >> (32 - LZ77_H3BITS);
}

static inline unsigned lz77_hash3(const uint8_t *p)
{
    return lz77_hash3v(p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16);
}

/* The 8 bytes at p as one word, and the 3-byte hash from it: one load
 * serves both chains.  Byte order only changes the 8-byte hash. */
static inline uint64_t lz77_load8(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

static inline unsigned lz77_hash3w(uint64_t v, const uint8_t *p)
{
#ifdef LZ77_FAST_LE
    (void)p;
    return lz77_hash3v((uint32_t)v & 0xFFFFFFu);
#else
    (void)v;
    return lz77_hash3(p);
#endif
}

static inline unsigned lz77_hash8(uint64_t v)
{
    return (unsigned)((v * 0x9E3779B97F4A7C15ull) >> (64 - LZ77_HBITS));
}

/* Links position pos (stamp st) at the head of chain h. */
static inline void lz77_link(uint32_t *head, uint32_t *prev, unsigned h,
                             uint32_t st, size_t pos)
{
    prev[pos & (LZ77_WINDOW - 1)] = head[h];
    head[h] = st;
}

/* Inserts every position below upto that has 3 bytes from it on (and into
 * the second chain, those with 8).  This runs for every input byte, so it
 * is one load and two links per position, no other branches. */
static inline void lz77_insert_upto(lz77_mf *mf, size_t upto)
{
    lz77_ws *ws = mf->ws;
    const uint8_t *src = mf->src;
    size_t i = mf->ins, u8 = upto < mf->end8 ? upto : mf->end8;

    for (; i < u8; i++) {
        uint64_t v = lz77_load8(src + i);
        uint32_t st = mf->base + (uint32_t)i;

        lz77_link(ws->head3, ws->prev3, lz77_hash3w(v, src + i), st, i);
        lz77_link(ws->head8, ws->prev8, lz77_hash8(v), st, i);
    }
    if (upto > mf->end3)
        upto = mf->end3;
    for (; i < upto; i++)
        lz77_link(ws->head3, ws->prev3, lz77_hash3(src + i),
                  mf->base + (uint32_t)i, i);
    mf->ins = i;
}

/* ----------------------------------------------------------- searching */

/* Length of the common prefix of a and b, b < bend, a < b. */
static inline size_t lz77_common(const uint8_t *a, const uint8_t *b,
                                 const uint8_t *bend)
{
    const uint8_t *start = b;

#ifdef LZ77_FAST_LE
    while (bend - b >= 8) {
        uint64_t x = lz77_load8(a), y = lz77_load8(b);

        if (x != y)
            return (size_t)(b - start)
                   + ((unsigned)__builtin_ctzll(x ^ y) >> 3);
        a += 8;
        b += 8;
    }
#endif
    while (b < bend && *a == *b) {
        a++;
        b++;
    }
    return (size_t)(b - start);
}

/* Chain steps allowed at pos: the budget left per byte left, times a
 * factor (only match starts and literals search, not every byte), at least
 * LZ77_SHALLOW, at most the whole window.  Recomputed every 64 bytes to
 * keep the division out of the inner loop. */
static inline size_t lz77_limit(lz77_mf *mf, size_t pos)
{
    size_t l;

    if (pos >= mf->next_check) {
        l = mf->budget / (mf->n - pos) * LZ77_SPREAD;
        mf->limit = l < LZ77_SHALLOW ? LZ77_SHALLOW
                  : l > LZ77_WINDOW ? LZ77_WINDOW : l;
        mf->next_check = pos + 64;
    }
    return mf->limit;
}

/* One search in progress. */
typedef struct lz77_search {
    size_t pos, best, off, maxlen, steps, limit, reach;
} lz77_search;

/* Walks the chain whose head is head[h], keeping the longest match in s;
 * stops at the window edge (or the start of the input), the step limit, a
 * match of `enough` bytes, or one that cannot be beaten (LZ77_NICE or the
 * rest of the input). */
static inline void lz77_walk(const lz77_mf *mf, const uint32_t *head,
                             const uint32_t *prev, unsigned h,
                             lz77_search *s, size_t enough)
{
    const uint8_t *src = mf->src, *cur = src + s->pos, *end = src + mf->n;
    uint32_t st = mf->base + (uint32_t)s->pos;
    size_t dist = st - head[h], next, cand;

    while (dist <= s->reach && s->steps < s->limit) {
        cand = s->pos - dist;
        /* The byte just past the best length decides whether this
         * candidate can beat it; checking it first skips most. */
        if (src[cand + s->best] == cur[s->best]) {
            size_t l = lz77_common(src + cand, cur, end);

            if (l > s->best) {
                s->best = l;
                s->off = dist;
                if (l >= enough || l >= LZ77_NICE || l == s->maxlen)
                    break;
            }
        }
        /* Stamps decrease along a chain; the 32-bit difference would be
         * huge (and end the walk) for anything else.  A link longer than
         * the window ends the walk without counting a step, as the budget
         * has always been counted. */
        next = st - prev[cand & (LZ77_WINDOW - 1)];
        if (next - dist > LZ77_WINDOW)
            break;
        s->steps++;
        dist = next;
    }
}

/* Longest match for pos (all earlier positions inserted, pos not yet, at
 * least 3 bytes left); returns its length (0 if under 3) and sets *off_r.
 * Then inserts pos itself, reusing the hashes (it must not be a candidate
 * for its own search).  best starts at 2 so that only matches of 3 or
 * more count. */
static size_t lz77_find_insert(lz77_mf *mf, size_t pos, size_t *off_r)
{
    lz77_ws *ws = mf->ws;
    const uint8_t *cur = mf->src + pos;
    lz77_search s;
    int two = pos < mf->end8;
    uint64_t v = two ? lz77_load8(cur) : 0;
    unsigned h3 = two ? lz77_hash3w(v, cur) : lz77_hash3(cur);
    unsigned h8 = lz77_hash8(v);
    uint32_t st = mf->base + (uint32_t)pos;

    s.pos = pos;
    s.best = LZ77_MIN_MATCH - 1;
    s.off = 0;
    s.maxlen = mf->n - pos;
    s.steps = 0;
    s.limit = lz77_limit(mf, pos);
    s.reach = pos < LZ77_WINDOW ? pos : LZ77_WINDOW;
    lz77_walk(mf, ws->head3, ws->prev3, h3, &s, two ? LZ77_KEY2 : SIZE_MAX);
    if (two && s.best >= LZ77_KEY2 && s.best < LZ77_NICE
        && s.best < s.maxlen)
        lz77_walk(mf, ws->head8, ws->prev8, h8, &s, SIZE_MAX);
    mf->budget -= s.steps < mf->budget ? s.steps : mf->budget;
    lz77_link(ws->head3, ws->prev3, h3, st, pos);
    if (two)
        lz77_link(ws->head8, ws->prev8, h8, st, pos);
    mf->ins = pos + 1;
    *off_r = s.off;
    return s.best >= LZ77_MIN_MATCH ? s.best : 0;   /* below 3: no match */
}

/* Greedy parse (R846-R852): the longest match at the coding position, or
 * a literal when there is none of 3 bytes or more.  The positions a match
 * covered are inserted before the next search. */
static int lz77_parse(lz77_mf *mf, lz77_enc *e)
{
    const uint8_t *src = mf->src;
    size_t pos = 0, n = mf->n, len, off = 0;

    while (pos < n) {
        len = 0;
        if (pos < mf->end3) {
            if (mf->ins < pos)
                lz77_insert_upto(mf, pos);
            len = lz77_find_insert(mf, pos, &off);
        }
        if (!len) {
            if (lz77_enc_literal(e, src[pos]) < 0)
                return -1;
            pos++;
            continue;
        }
        if (lz77_enc_match(e, off, len) < 0)
            return -1;
        pos += len;
    }
    return 0;
}

int lz77_compress(const uint8_t *src, size_t src_len,
                  uint8_t *dst, size_t dst_cap, size_t *out_len_r)
{
    lz77_enc e;
    lz77_mf mf;
    int owned, rv;

    /* Stamps are uint32_t; payloads are 32 KiB at most. */
    if (dst_cap < 4 || src_len > 0x7FFFFFFFu || (!src && src_len))
        return -1;
    mf.ws = lz77_workspace(&owned);
    if (!mf.ws)
        return -1;
    mf.src = src;
    mf.n = src_len;
    mf.base = lz77_ws_begin(mf.ws, src_len);
    mf.ins = 0;
    mf.end3 = src_len >= 3 ? src_len - 2 : 0;
    mf.end8 = src_len >= LZ77_KEY2 ? src_len - (LZ77_KEY2 - 1) : 0;
    mf.budget = src_len * LZ77_STEPS_PER_BYTE + LZ77_WINDOW;
    mf.limit = LZ77_SHALLOW;
    mf.next_check = 0;
    e.op = dst + 4;
    e.oend = dst + dst_cap;
    e.mask_at = dst;
    e.mask = 0;
    e.bits = 0;
    e.nib = NULL;
    rv = lz77_parse(&mf, &e);
    if (owned)
        free(mf.ws);
    if (rv < 0 || lz77_enc_finish(&e) < 0)
        return -1;
    *out_len_r = (size_t)(e.op - dst);
    return 0;
}
