/*
 * lz77.h: the [MS-OXCRPC] section 3.1.4.1.1.2 LZ77 + DIRECT2 codec used in
 * RPC_HEADER_EXT payloads.
 *
 * Output format: 32-bit little-endian bitmasks, read most significant bit
 * first; a 0 bit is a literal byte, a 1 bit a 2-byte match token
 * ((offset-1) << 3 | min(len-3, 7)), longer lengths continued in a shared
 * nibble, then a byte, then a u16 (and a u32 where the u16 is 0).  After the
 * last element the next bit is 1 (end marker), allocating a fresh bitmask if
 * the current one is full.
 *
 * Both functions write into a caller buffer of dst_cap bytes and never
 * read or write outside src[0..src_len) / dst[0..dst_cap).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_LZ77_H
#define MAPI_LZ77_H

#include <stddef.h>
#include <stdint.h>

/* Decompresses src into dst.  Returns 0 and sets *out_len_r, or -1 when the
 * input is malformed (offset before the start of output, truncated token,
 * missing end marker) or the output would exceed dst_cap.  Bytes of dst
 * past *out_len_r (and all of dst on failure) may hold scratch: block
 * copies run a little ahead, always inside dst_cap. */
int lz77_decompress(const uint8_t *src, size_t src_len,
                    uint8_t *dst, size_t dst_cap, size_t *out_len_r);

/* Compresses src into dst.  Returns 0 and sets *out_len_r, or -1 when the
 * compressed form does not fit in dst_cap or memory is short (callers then
 * send the payload uncompressed).  The worst case is src_len + src_len/32*4
 * + 8 bytes.  Thread-safe; each calling thread keeps 224 KiB of match
 * tables from its first call until it exits. */
int lz77_compress(const uint8_t *src, size_t src_len,
                  uint8_t *dst, size_t dst_cap, size_t *out_len_r);

#define LZ77_WORST_CASE(n) ((n) + ((n) / 32 + 2) * 4 + 8)

#endif
