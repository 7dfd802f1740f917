/*
 * rop_stream.h: stream ROP requests ([MS-OXCROPS] 2.2.9).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_STREAM_H
#define MAPI_ROP_STREAM_H

#include "rop_types.h"

#define ROP_READ_STREAM_USE_MAX 0xBABE   /* ByteCount: see MaximumByteCount */

/* Largest stream: the store's largest message (STORE_MESSAGE_MAX, 150
 * MiB), since a stream's content lives in blobs, not in its object record
 * (rop_stream.c).  Larger writes give ecTooBig, larger sizes
 * ecStreamSizeError, seeks past it ecStreamSeekError. */
#define ROP_STREAM_MAX (150u * 1024 * 1024)

typedef struct rop_open_stream_req {
    uint32_t property_tag;
    uint8_t open_mode_flags;
} rop_open_stream_req;

typedef struct rop_read_stream_req {
    uint16_t byte_count;
    uint32_t maximum_byte_count;   /* only when byte_count is 0xBABE */
} rop_read_stream_req;

/* RopWriteStream, RopWriteStreamExtended, RopWriteAndCommitStream. */
typedef struct rop_write_stream_req {
    rop_bin data;
} rop_write_stream_req;

typedef struct rop_set_stream_size_req {
    uint64_t stream_size;
} rop_set_stream_size_req;

typedef struct rop_seek_stream_req {
    uint8_t origin;
    uint64_t offset;   /* signed on the wire; kept raw */
} rop_seek_stream_req;

typedef struct rop_copy_to_stream_req {
    uint64_t byte_count;
} rop_copy_to_stream_req;

/* RopLockRegionStream, RopUnlockRegionStream. */
typedef struct rop_region_stream_req {
    uint64_t region_offset;
    uint64_t region_size;
    uint32_t lock_flags;
} rop_region_stream_req;

extern const rop_def rop_stream_defs[];

#endif
