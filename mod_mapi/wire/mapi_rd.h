/*
 * mapi_rd.h: the one bounded reader and writer for untrusted bytes.
 *
 * Every byte that arrives from a client (request bodies, RPC_HEADER_EXT
 * chains, ROP buffers, auxiliary blocks, NSPI structures) is read through a
 * mapi_rd; nothing else indexes request memory.  A reader is a p/end pair.
 * Every read checks the remaining length first, in the overflow-safe form
 * (end - p < n), and on a short input returns -1 WITHOUT moving p, and
 * marks the reader failed so a caller can do several reads and check once.
 *
 * Return convention for every mapi_rd_* function: 0 = value read, -1 = input
 * too short or malformed (reader left unchanged, rd->failed set).
 *
 * mapi_wr is the matching writer over a caller-supplied fixed buffer or a
 * growable one from an APR pool, with a hard maximum: a write that would pass
 * the maximum fails with -1 and sets wr->failed (it never reallocates past
 * max).  That is how the 32 KiB ROP payload and MaxRopOut are enforced.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_RD_H
#define MAPI_RD_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef struct mapi_rd {
    const uint8_t *p;     /* next unread byte */
    const uint8_t *end;   /* one past the last byte */
    int failed;           /* sticky: some read ran short or was malformed */
} mapi_rd;

void mapi_rd_init(mapi_rd *rd, const void *data, size_t len);
size_t mapi_rd_left(const mapi_rd *rd);

int mapi_rd_u8(mapi_rd *rd, uint8_t *v_r);
int mapi_rd_u16(mapi_rd *rd, uint16_t *v_r);
int mapi_rd_u32(mapi_rd *rd, uint32_t *v_r);
int mapi_rd_u64(mapi_rd *rd, uint64_t *v_r);
/* Copies n bytes out. */
int mapi_rd_bytes(mapi_rd *rd, void *dst, size_t n);
/* Points *data_r at the next n bytes and consumes them (no copy). */
int mapi_rd_view(mapi_rd *rd, size_t n, const uint8_t **data_r);
int mapi_rd_skip(mapi_rd *rd, size_t n);
/* Splits off the next n bytes as a sub-reader and consumes them. */
int mapi_rd_sub(mapi_rd *rd, size_t n, mapi_rd *sub_r);
/* NUL-terminated 8-bit string of at most max bytes (NUL excluded); the
 * result is a pool copy.  -1 if no NUL is found within max+1 bytes. */
int mapi_rd_str8(mapi_rd *rd, apr_pool_t *pool, size_t max, const char **s_r);
/* NUL-terminated UTF-16LE string of at most max code units; converted to a
 * UTF-8 pool copy.  -1 on a missing terminator or an unpaired surrogate. */
int mapi_rd_str16(mapi_rd *rd, apr_pool_t *pool, size_t max, const char **s_r);
/* A u16 length then that many bytes: the string form of the project's own
 * records (sessions, configuration).  The result is a NUL-terminated pool
 * copy; -1 when the length exceeds max or the bytes are not there. */
int mapi_rd_lstr(mapi_rd *rd, apr_pool_t *pool, size_t max, const char **s_r);

typedef struct mapi_wr {
    uint8_t *buf;
    size_t len;          /* bytes written so far */
    size_t cap;          /* bytes allocated */
    size_t max;          /* hard limit; writes past it fail */
    apr_pool_t *pool;    /* NULL: fixed caller buffer, never grows */
    int failed;          /* sticky: some write did not fit */
} mapi_wr;

/* Growable writer allocating from pool, never larger than max bytes. */
void mapi_wr_init(mapi_wr *wr, apr_pool_t *pool, size_t max);
/* Fixed writer over a caller buffer of cap bytes. */
void mapi_wr_init_fixed(mapi_wr *wr, void *buf, size_t cap);
size_t mapi_wr_room(const mapi_wr *wr);

int mapi_wr_u8(mapi_wr *wr, uint8_t v);
int mapi_wr_u16(mapi_wr *wr, uint16_t v);
int mapi_wr_u32(mapi_wr *wr, uint32_t v);
int mapi_wr_u64(mapi_wr *wr, uint64_t v);
int mapi_wr_bytes(mapi_wr *wr, const void *src, size_t n);
int mapi_wr_zero(mapi_wr *wr, size_t n);
/* Writes s and its NUL. */
int mapi_wr_str8(mapi_wr *wr, const char *s);
/* Converts UTF-8 s to UTF-16LE and writes it with a 2-byte NUL; -1 on
 * invalid UTF-8. */
int mapi_wr_str16(mapi_wr *wr, const char *s);
/* Writes strlen(s) as u16 then the bytes (NULL writes an empty string);
 * -1 and failed set when the string is longer than max. */
int mapi_wr_lstr(mapi_wr *wr, const char *s, size_t max);
/* Reserves n bytes to be filled later (e.g. a size field); returns the
 * offset of the reservation, or (size_t)-1 when it does not fit. */
size_t mapi_wr_reserve(mapi_wr *wr, size_t n);
/* Patches a little-endian u16/u32 at an offset already written. */
void mapi_wr_put_u16_at(mapi_wr *wr, size_t off, uint16_t v);
void mapi_wr_put_u32_at(mapi_wr *wr, size_t off, uint32_t v);
/* Drops everything written after len (used to roll back a partial ROP
 * response that did not fit) and clears failed, so the caller can go on
 * writing, e.g. an error response.  len above wr->len does nothing. */
void mapi_wr_truncate(mapi_wr *wr, size_t len);

#endif
