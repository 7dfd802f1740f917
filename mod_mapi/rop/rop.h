/*
 * rop.h: the ROP engine ([MS-OXCROPS]): walks the ROP requests of one
 * decoded rgbIn payload, dispatches each to its family's handler, and builds
 * the rgbOut payload (RopSize, ROP responses, server object handle table).
 *
 * Each ROP family lives in its own file (rop_logon.c, rop_folder.c,
 * rop_table.c, ...) and exports a table of rop_def rows; rop_engine.c joins
 * them into one lookup by RopId.  A row with no handler answers with the
 * ROP's error response carrying ecNotSupported, never a broken buffer.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_H
#define MAPI_ROP_H

#include <stdint.h>
#include <apr_pools.h>
#include "../wire/mapi_rd.h"

/* [MS-OXCDATA] 2.4 error codes used by the engine. */
#define ROP_EC_SUCCESS          0x00000000u
#define ROP_EC_NOT_SUPPORTED    0x80040102u   /* ecNotSupported */
#define ROP_EC_NULL_OBJECT      0x000004B9u   /* ecNullObject */
#define ROP_EC_RPC_FORMAT       0x000004B6u   /* ecRpcFormat */
#define ROP_EC_BUFFER_TOO_SMALL 0x0000047Du   /* ecBufferTooSmall */
#define ROP_EC_DST_NULL_OBJECT  0x00000503u   /* ecDstNullObject */

#define ROP_MAX_HANDLES         0x1000   /* handle table entries we accept */

typedef struct rop_ctx rop_ctx;          /* per-Execute state, opaque */
typedef struct rop_def rop_def;

/* One parsed ROP request.  The family parser fills the common fields and
 * its own typed request (req) from pool memory. */
typedef struct rop_call {
    const rop_def *def;
    uint8_t rop_id;
    uint8_t logon_id;
    uint8_t in_handle_index;    /* InputHandleIndex (or the only index) */
    uint8_t out_handle_index;   /* OutputHandleIndex where the ROP has one */
    void *req;                  /* family-specific parsed request, or NULL */
    /* Added for the engine skeleton: */
    uint8_t dest_handle_index;  /* DestHandleIndex (ROP_F_DEST_HANDLE ROPs) */
    uint8_t resp_handle_index;  /* ResponseHandleIndex (ROP_F_RESP_HANDLE) */
    rop_ctx *ctx;               /* set by the engine before parse; parsers
                                   may consult it (RopWritePerUserInformation
                                   depends on the logon's Private flag) */
} rop_call;

/* Parses the request body after the RopId byte.  Returns 0, or -1 when the
 * request is truncated or malformed (the engine then stops processing the
 * buffer, as Exchange does with a malformed ROP). */
typedef int (*rop_parse_fn)(mapi_rd *rd, apr_pool_t *pool, rop_call *call);

/* Executes a parsed ROP and writes its complete response (RopId included)
 * to out.  Returns 0, or -1 when the response does not fit (the engine
 * rolls out back and answers RopBufferTooSmall). */
typedef int (*rop_handler_fn)(rop_ctx *ctx, rop_call *call, mapi_wr *out);

#define ROP_F_OUT_HANDLE   0x01   /* error response names OutputHandleIndex */
#define ROP_F_NO_RESPONSE  0x02   /* RopRelease: no response at all */
#define ROP_F_SERVER_ONLY  0x04   /* RopNotify, RopPending, RopBackoff,
                                     RopBufferTooSmall: never in a request */
#define ROP_F_DEST_HANDLE  0x08   /* has SourceHandleIndex/DestHandleIndex;
                                     in_handle_index holds the source */
#define ROP_F_RESP_HANDLE  0x10   /* response names ResponseHandleIndex
                                     (RopSaveChangesMessage & co.) */
#define ROP_F_NO_INPUT     0x20   /* no InputHandleIndex (RopLogon) */

struct rop_def {
    uint8_t id;
    uint8_t flags;
    const char *name;          /* "RopGetContentsTable" */
    rop_parse_fn parse;
    rop_handler_fn handler;    /* NULL: not implemented yet */
    /* Bytes of zeroed fields that follow ReturnValue in this ROP's failure
     * response (PartialCompletion, WrittenSize, the FastTransfer status
     * block, ...); 0 for the plain RopId/index/ReturnValue form. */
    uint8_t err_tail;
};

/* Why rop_execute stopped before the end of the RopsList. */
typedef enum rop_stop {
    ROP_STOP_NONE = 0,         /* every request was walked */
    ROP_STOP_UNKNOWN_ID,       /* reserved RopId ([MS-OXCROPS] R18) */
    ROP_STOP_SERVER_ONLY,      /* RopNotify/RopPending/RopBackoff/0xFF */
    ROP_STOP_MALFORMED,        /* request truncated or invalid (R4551) */
    ROP_STOP_BUFFER_TOO_SMALL, /* RopBufferTooSmall answered the rest */
    ROP_STOP_NO_ROOM,          /* not even RopBufferTooSmall fitted */
} rop_stop;

/* Result of one rgbIn payload. */
typedef struct rop_result {
    const uint8_t *out;        /* RopSize + responses + handle table */
    size_t out_len;
    unsigned rops_in;          /* ROP requests parsed */
    unsigned rops_done;        /* ROP responses written */
    uint8_t rop_ids[256];      /* ids in order, for the protocol log */
    unsigned n_rop_ids;
    rop_stop stop;             /* why processing ended (ROP_STOP_NONE) */
    uint8_t stop_rop_id;       /* RopId of the request that stopped it */
} rop_result;

typedef enum rop_status {
    ROP_OK = 0,
    ROP_ERR_FORMAT,            /* RopSize or handle table inconsistent */
    ROP_ERR_TOO_SMALL,         /* max_out cannot hold even an empty output,
                                  or the first response and RopBufferTooSmall
                                  both fail to fit: fail the Execute with
                                  ecBufferTooSmall ([MS-OXCROPS] R4546) */
    ROP_ERR_TOO_MANY_ROPS,     /* more requests than rop_ctx_set_limits
                                  allows: none was run */
} rop_status;

/* Processes one decoded rgbIn payload (RopSize u16, ROP requests, handle
 * table).  max_out bounds the output payload (min of 32 KiB and what is left
 * of MaxRopOut).  On ROP_ERR_FORMAT nothing is produced. */
rop_status rop_execute(rop_ctx *ctx, const uint8_t *in, size_t in_len,
                       size_t max_out, apr_pool_t *pool, rop_result *res);

/* Writes the failure response of call's ROP carrying ec: RopId, the index
 * its responses name (OutputHandleIndex, ResponseHandleIndex or
 * InputHandleIndex/SourceHandleIndex), ReturnValue, DestHandleIndex (u32)
 * when ec is ecDstNullObject, then def->err_tail zero bytes.  Handlers use
 * it for their own failures.  Returns -1 when it does not fit. */
int rop_write_error_response(mapi_wr *out, const rop_call *call, uint32_t ec);

/* Looks up a ROP by id; NULL when no such ROP exists. */
const rop_def *rop_lookup(uint8_t id);
/* The ROP's name ("RopLogon"), "RopReserved" for an unassigned id. */
const char *rop_name(uint8_t id);

/* Called between ROPs so that the transport can send its PENDING
 * keep-alive while a long Execute runs. */
typedef void (*rop_progress_fn)(void *baton);
void rop_ctx_set_progress(rop_ctx *ctx, rop_progress_fn fn, void *baton);

/* Abuse limits of one Execute (MapiMaxRopsPerRequest,
 * MapiMaxObjectsPerSession, MapiMaxRestrictionDepth); 0 keeps a limit at
 * its compile-time ceiling.  A buffer of more than max_rops requests is
 * refused whole (ROP_ERR_TOO_MANY_ROPS) before any runs; the other two
 * fail only the ROP that passes them, and are reported afterwards by
 * rop_ctx_limit_hits so that the transport logs them once. */
void rop_ctx_set_limits(rop_ctx *ctx, unsigned max_rops, unsigned max_objects,
                        unsigned max_res_depth);
unsigned rop_ctx_max_objects(const rop_ctx *ctx);
#define ROP_LIMIT_OBJECTS    0x01
#define ROP_LIMIT_RES_DEPTH  0x02
unsigned rop_ctx_limit_hits(const rop_ctx *ctx);
void rop_ctx_note_limit(rop_ctx *ctx, unsigned which);

/* Creates the per-Execute context.  session may be NULL in unit tests. */
rop_ctx *rop_ctx_create(apr_pool_t *pool, void *session);
void *rop_ctx_session(const rop_ctx *ctx);

/* The server object handle table of the Execute being processed (valid
 * inside rop_execute, i.e. for handlers).  Both return -1 on an index
 * outside the table. */
int rop_ctx_handle(const rop_ctx *ctx, uint8_t index, uint32_t *handle_r);
int rop_ctx_set_handle(rop_ctx *ctx, uint8_t index, uint32_t handle);

/* LogonFlags of each logon id, needed to parse requests whose layout
 * depends on the logon (RopWritePerUserInformation's ReplGuid).  The
 * session layer seeds it from its logon map; the RopLogon parser records
 * the flags a client asks for, because that is what the client encoded
 * the following requests of the same buffer against.  -1: unknown. */
void rop_ctx_set_logon_flags(rop_ctx *ctx, uint8_t logon_id, uint8_t flags);
int rop_ctx_logon_flags(const rop_ctx *ctx, uint8_t logon_id);

/* After rop_execute: the last request of a complete walk and the bytes of
 * its response (RopId first).  -1 when the walk stopped early or parsed
 * nothing.  Valid until the next rop_execute on ctx. */
int rop_ctx_last_call(const rop_ctx *ctx, const rop_call **call_r,
                      const uint8_t **resp_r, size_t *resp_len_r);
/* The handle table as the last rop_execute left it. */
unsigned rop_ctx_handles(const rop_ctx *ctx, const uint32_t **handles_r);
/* On: rop_execute adds no RopNotify/RopPending (a packed payload). */
void rop_ctx_set_packing(rop_ctx *ctx, int on);

/* ---- extended buffer packing ([MS-OXCRPC] 3.1.4.2.1.2.2) --------------
 *
 * When the client sets Chain and the last ROP of its request was
 * RopQueryRows with EnablePackedBuffers (0x02) or RopReadStream, the
 * server may add further payloads to rgbOut, each built "as if the client
 * sent another request with only" that ROP (R963), for what the client
 * still wants (R972, R973, R1280), each in its own RPC_HEADER_EXT (R965).
 * The packer builds those requests and runs them; the transport encodes
 * the payloads and decides, from the room left, when to stop (R967-R969).
 */
typedef struct rop_packer rop_packer;

/* A packer for what follows the rop_execute just done on ctx, or NULL
 * when its last ROP does not pack (another ROP, a failure, NoAdvance, no
 * EnablePackedBuffers, nothing left to read). */
rop_packer *rop_packer_start(rop_ctx *ctx, apr_pool_t *pool);
/* The RopId being packed (RopQueryRows or RopReadStream). */
uint8_t rop_packer_rop_id(const rop_packer *pk);
/* Runs the next packed request with at most max_out bytes of payload.
 * Returns 0 with *more holding the payload, or -1 when there is no more
 * to add (the end of the table or stream, what was asked for is sent, or
 * not one row or byte fits). */
int rop_packer_next(rop_packer *pk, size_t max_out, rop_result *more);

#endif
