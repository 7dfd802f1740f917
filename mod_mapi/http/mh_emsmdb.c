/*
 * mh_emsmdb.c: the mailbox endpoint's request types ([MS-OXCMAPIHTTP]
 * 2.2.4): Connect, Execute, Disconnect, NotificationWait, PING.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_log.h"
#include "apr_strings.h"
#include "mod_mapi.h"
#include "rop/rop.h"
#include "rop/rop_ids.h"
#include "rop/rop_object.h"
#include "session/sess_notify.h"
#include "wire/mapi_rd.h"
#include "wire/rpcext.h"

APLOG_USE_MODULE(mapi);

/* [MS-OXCRPC] 3.1.4.1 return values used here. */
#define EC_SUCCESS          0x00000000u
#define EC_UNKNOWN_USER     0x000003EBu
#define EC_LOGIN_FAILURE    0x80040111u
#define EC_RPC_FORMAT       0x000004B6u
#define EC_BUFFER_TOO_SMALL 0x0000047Du
#define EC_CLIENT_VER_DISALLOWED 0x000004DFu   /* R595 */
#define EC_PROTOCOL_DISABLED     0x000007D8u   /* R615, R617 */
/* ecMaxObjsExceeded ([MS-OXCDATA] 2.4.2): what Exchange answers a Connect
 * of a user over the session limit (MapiExceptionSessionLimit,
 * ec=1246); R1478 leaves other failures implementation-specific. */
#define EC_MAX_OBJS_EXCEEDED     0x000004DEu

/* Connect reply figures (implementation-dependent per [MS-OXCRPC] R520,
 * R525, R528); the values Exchange hands out. */
#define EMSMDB_POLLS_MAX_MS     60000
#define EMSMDB_RETRY_COUNT      6
#define EMSMDB_RETRY_DELAY_MS   10000

static int emsmdb_bad_body(mh_request *mr, const char *what)
{
    mr->detail = what;
    return MH_INVALID_REQUEST_BODY;
}

/* ------------------------------------------------------------ Connect -- */

/* The body is parsed by mh_parse_connect (mh_parse.c). */

static int emsmdb_connect_reply(mh_request *mr, uint32_t ec,
                                const char *dn_prefix, const char *name)
{
    mapi_wr wr;

    mapi_wr_init(&wr, mr->r->pool, 64 * 1024);
    mapi_wr_u32(&wr, 0);                         /* StatusCode */
    mapi_wr_u32(&wr, ec);                        /* ErrorCode */
    mapi_wr_u32(&wr, ec ? 0 : EMSMDB_POLLS_MAX_MS);
    mapi_wr_u32(&wr, ec ? 0 : EMSMDB_RETRY_COUNT);
    mapi_wr_u32(&wr, ec ? 0 : EMSMDB_RETRY_DELAY_MS);
    mapi_wr_str8(&wr, dn_prefix ? dn_prefix : "");
    mapi_wr_str16(&wr, name ? name : "");
    mapi_wr_u32(&wr, 0);                         /* AuxiliaryBufferSize */
    if (wr.failed)
        return MH_UNKNOWN_FAILURE;
    return mh_respond_body(mr, wr.buf, wr.len);
}

/* The identity httpd authenticated decides the mailbox; the UserDN the
 * client names must be that mailbox's. */
static int emsmdb_connect(mh_request *mr)
{
    mh_connect_req req;
    cfg_mailbox *mbx;
    cfg_org *org;
    sess_context *ctx;
    int rc;

    if (mh_parse_connect(mr->body, mr->body_len, mr->r->pool, &req) != 0)
        return emsmdb_bad_body(mr, "malformed Connect body");
    rc = mh_context_mailbox(mr, &org, &mbx);
    if (rc < 0)
        return MH_UNKNOWN_FAILURE;
    if (rc > 0)
        return emsmdb_connect_reply(mr, EC_LOGIN_FAILURE, NULL, NULL);
    /* The refusals mh_policy.c leaves to Connect's body. */
    if (mr->verdict == MH_DENY_MAPI) {
        mr->detail = "MAPIEnabled is off for the mailbox";
        return emsmdb_connect_reply(mr, EC_PROTOCOL_DISABLED, NULL, NULL);
    }
    if (mr->verdict == MH_DENY_VERSION) {
        mr->detail = "client version blocked (MAPIBlockOutlookVersions)";
        return emsmdb_connect_reply(mr, EC_CLIENT_VER_DISALLOWED, NULL,
                                    NULL);
    }
    if (strcasecmp(req.user_dn, mbx->legacy_dn) != 0) {
        mr->detail = "UserDN is not the caller's mailbox";
        return emsmdb_connect_reply(mr, EC_UNKNOWN_USER, NULL, NULL);
    }
    ctx = apr_pcalloc(mr->r->pool, sizeof(*ctx));
    ctx->codepage = req.codepage;
    ctx->lcid_sort = req.lcid_sort;
    ctx->lcid_string = req.lcid_string;
    ctx->user_dn = req.user_dn;
    if ((rc = mh_context_open(mr, mbx, ctx)) == MH_LIMIT)
        return emsmdb_connect_reply(mr, EC_MAX_OBJS_EXCEEDED, NULL, NULL);
    if (rc != MH_SUCCESS)
        return rc;
    return emsmdb_connect_reply(mr, EC_SUCCESS,
                                cfg_org_dn_prefix(mr->r->pool, org),
                                mbx->display_name);
}

/* ------------------------------------------------------------ Execute -- */

#define EXEC_NO_COMPRESSION  0x00000001u
#define EXEC_NO_XOR_MAGIC    0x00000002u
#define EXEC_CHAIN           0x00000004u

/* The body is parsed by mh_parse_execute (mh_parse.c). */

static int emsmdb_execute_reply(mh_request *mr, uint32_t ec,
                                const uint8_t *rop_out, size_t rop_len)
{
    mapi_wr wr;

    mapi_wr_init(&wr, mr->r->pool, rop_len + 64);
    mapi_wr_u32(&wr, 0);                         /* StatusCode */
    mapi_wr_u32(&wr, ec);                        /* ErrorCode */
    mapi_wr_u32(&wr, 0);                         /* Flags, R1358 */
    mapi_wr_u32(&wr, (uint32_t)rop_len);         /* RopBufferSize */
    mapi_wr_bytes(&wr, rop_out, rop_len);
    mapi_wr_u32(&wr, 0);                         /* AuxiliaryBufferSize */
    if (wr.failed)
        return MH_UNKNOWN_FAILURE;
    mh_stream_finish(mr, MH_SUCCESS, wr.buf, wr.len);
    return MH_DONE;
}

/* A long Execute keeps the client's PENDING keep-alives coming
 * ([MS-OXCMAPIHTTP] R1239). */
static void emsmdb_progress(void *baton)
{
    mh_stream_keepalive(baton);
}

/* The Execute failure response body: StatusCode, AuxiliaryBufferSize. */
static int emsmdb_execute_failure(mh_request *mr, uint32_t status)
{
    uint8_t body[8] = { 0 };

    body[0] = (uint8_t)status;
    body[1] = (uint8_t)(status >> 8);
    body[2] = (uint8_t)(status >> 16);
    body[3] = (uint8_t)(status >> 24);
    mh_stream_finish(mr, MH_SUCCESS, body, sizeof(body));
    return MH_DONE;
}

/* Extended buffer packing ([MS-OXCRPC] R958-R973): while rgbOut has room,
 * further payloads of the last RopQueryRows or RopReadStream, each in its
 * own RPC_HEADER_EXT.  The room rules are R968 (stop below 32 KiB for
 * rows, 8 KiB for bytes) and R969 (at most 96 payloads). */
#define EXEC_PACK_ROOM_ROWS   0x8000u
#define EXEC_PACK_ROOM_BYTES  0x2000u

static void emsmdb_pack(mh_request *mr, rop_ctx *ctx, mapi_wr *out,
                        uint16_t want)
{
    rop_packer *pk = rop_packer_start(ctx, mr->r->pool);
    size_t min_room, room, prev = 0, hdr;
    unsigned blocks = 1;
    rop_result more;

    if (!pk)
        return;
    min_room = rop_packer_rop_id(pk) == ROP_ID_QUERY_ROWS
               ? EXEC_PACK_ROOM_ROWS : EXEC_PACK_ROOM_BYTES;
    while (blocks < RPCEXT_MAX_BLOCKS
           && (room = mapi_wr_room(out)) >= min_room
           && room > RPCEXT_HEADER_SIZE + 2) {
        room -= RPCEXT_HEADER_SIZE;
        if (room > RPCEXT_MAX_PAYLOAD)
            room = RPCEXT_MAX_PAYLOAD;          /* R964 */
        if (rop_packer_next(pk, room, &more) != 0)
            break;
        hdr = out->len;
        /* Cannot fail: the payload was bounded by the room left. */
        if (rpcext_encode_block(out, more.out, more.out_len, want, 1) != 0)
            break;
        rpcext_clear_last(out, prev);
        prev = hdr;
        blocks++;
    }
}

/* The limits ROP handlers ran into (objects, restriction depth): one log
 * line each per Execute; the ROPs answered for themselves. */
static void emsmdb_note_limits(mh_request *mr, const rop_ctx *ctx)
{
    unsigned hits = rop_ctx_limit_hits(ctx);

    if (hits & ROP_LIMIT_OBJECTS)
        mh_limit_hit(mr, "MapiMaxObjectsPerSession", mr->conf->max_objects,
                     "server object refused with ecMaxObjsExceeded");
    if (hits & ROP_LIMIT_RES_DEPTH)
        mh_limit_hit(mr, "MapiMaxRestrictionDepth", mr->conf->max_res_depth,
                     "restriction refused with ecTooComplex");
}

/* Runs the ROPs of the first extended buffer and encodes the answer as the
 * client's flags allow, packing more payloads after it when the client
 * set Chain.  Packed additional request buffers only follow a server
 * capability this server does not advertise. */
static int emsmdb_execute_rops(mh_request *mr, const mh_execute_req *req,
                               const rpcext_block *blocks, size_t n_blocks)
{
    apr_pool_t *pool = mr->r->pool;
    size_t max_out = req->max_rop_out, first;
    uint16_t want = 0;
    rop_result res;
    rop_ctx *ctx;
    mapi_wr out;

    if (n_blocks != 1)
        return emsmdb_execute_reply(mr, EC_RPC_FORMAT, NULL, 0);
    if (max_out > RPCEXT_MAX_BLOCKS * (RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD))
        max_out = RPCEXT_MAX_BLOCKS * (RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD);
    if (max_out < RPCEXT_HEADER_SIZE + 2)
        return emsmdb_execute_failure(mr, EC_BUFFER_TOO_SMALL);
    /* R961: the ROPs of the request answer in at most 32 KiB. */
    first = max_out;
    if (first > RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD)
        first = RPCEXT_HEADER_SIZE + RPCEXT_MAX_PAYLOAD;
    ctx = rop_ctx_create(pool, mr->sess);
    rop_ctx_set_progress(ctx, emsmdb_progress, mr);
    if (mr->mbx)
        rop_ctx_set_env(ctx, mr->db, mr->sess->id, mr->mbx,
                        mr->org ? cfg_org_dn_prefix(pool, mr->org) : "");
    rop_ctx_set_submit(ctx, mr->conf->submit);
    rop_ctx_set_limits(ctx, (unsigned)mr->conf->max_rops,
                       (unsigned)mr->conf->max_objects,
                       (unsigned)mr->conf->max_res_depth);
    switch (rop_execute(ctx, blocks[0].payload, blocks[0].size,
                        first - RPCEXT_HEADER_SIZE, pool, &res)) {
    case ROP_OK:
        break;
    case ROP_ERR_TOO_MANY_ROPS:      /* nothing ran; R1357, R698 */
        mh_limit_hit(mr, "MapiMaxRopsPerRequest", mr->conf->max_rops,
                     "ROP buffer refused");
        return emsmdb_execute_reply(mr, EC_RPC_FORMAT, NULL, 0);
    case ROP_ERR_TOO_SMALL:          /* [MS-OXCROPS] R4546 */
        return emsmdb_execute_failure(mr, EC_BUFFER_TOO_SMALL);
    default:                         /* [MS-OXCROPS] R4551 */
        return emsmdb_execute_reply(mr, EC_RPC_FORMAT, NULL, 0);
    }
    /* A request that cannot be parsed fails the whole call (R4551, and R18
     * for a reserved RopId), whatever came before it. */
    if (res.stop == ROP_STOP_UNKNOWN_ID || res.stop == ROP_STOP_SERVER_ONLY ||
        res.stop == ROP_STOP_MALFORMED) {
        mr->detail = apr_psprintf(pool, "unparsable ROP 0x%02x",
                                  res.stop_rop_id);
        return emsmdb_execute_reply(mr, EC_RPC_FORMAT, NULL, 0);
    }
    /* res lives on this stack frame; the log row is written after the
     * handler returned (valgrind-integ found it read there). */
    mr->rop_ids = apr_pmemdup(pool, res.rop_ids,
                              res.n_rop_ids ? res.n_rop_ids : 1);
    mr->n_rop_ids = res.n_rop_ids;
    if (!(req->flags & EXEC_NO_COMPRESSION))
        want |= RPCEXT_COMPRESSED;
    if (!(req->flags & EXEC_NO_XOR_MAGIC))
        want |= RPCEXT_XORMAGIC;
    mapi_wr_init(&out, pool, max_out);
    if (rpcext_encode_block(&out, res.out, res.out_len, want, 1) != 0)
        return emsmdb_execute_reply(mr, EC_BUFFER_TOO_SMALL, NULL, 0);
    if (req->flags & EXEC_CHAIN)
        emsmdb_pack(mr, ctx, &out, want);
    if (rop_ctx_last_error(ctx))
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, mr->r,
                      MAPILOGNO(1067) "store: %s", rop_ctx_last_error(ctx));
    emsmdb_note_limits(mr, ctx);
    return emsmdb_execute_reply(mr, EC_SUCCESS, out.buf, out.len);
}

static int emsmdb_execute(mh_request *mr)
{
    mh_execute_req req;
    rpcext_block *blocks = NULL;
    size_t n_blocks = 0;
    rpcext_err err;
    uint32_t taken;
    const char *error = NULL;
    int inflated_over = 0;

    if (mh_parse_execute(mr->body, mr->body_len, &req) != 0)
        return emsmdb_bad_body(mr, "malformed Execute body");
    if (req.rop_buffer_size) {
        err = rpcext_decode_chain_max(req.rop_buffer, req.rop_buffer_size,
                                      mr->r->pool, RPCEXT_MAX_BLOCKS,
                                      (size_t)mr->conf->max_decompressed,
                                      &blocks, &n_blocks);
        if (err == RPCEXT_ERR_TOO_LARGE)
            inflated_over = 1;
        else if (err != RPCEXT_OK)
            return emsmdb_bad_body(mr, rpcext_err_str(err));
    }
    if (mh_stream_begin(mr) != APR_SUCCESS)
        return MH_DONE;   /* the client left */
    /* The body is well-formed; what it asks is more than this server
     * takes: the call fails with ecRpcFormat, "the length was found to be
     * invalid" ([MS-OXCMAPIHTTP] R1357, [MS-OXCRPC] R698). */
    if (inflated_over) {
        mh_limit_hit(mr, "MapiMaxDecompressedSize",
                     mr->conf->max_decompressed, "LZ77 output refused");
        return emsmdb_execute_reply(mr, EC_RPC_FORMAT, NULL, 0);
    }
    /* Executing collects what a NotificationWait announced; the store
     * turns the events into RopNotify responses. */
    if (sess_event_take(mr->db, mr->r->pool, mr->sess->id, &taken, &error)
        != 0)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, mr->r,
                      MAPILOGNO(1012) "events: %s", error);
    if (n_blocks == 0)
        return emsmdb_execute_reply(mr, EC_SUCCESS, NULL, 0);
    return emsmdb_execute_rops(mr, &req, blocks, n_blocks);
}

/* --------------------------------------------------------- Disconnect -- */

static int emsmdb_disconnect(mh_request *mr)
{
    uint8_t body[12] = { 0 };   /* StatusCode, ErrorCode, AuxSize: zero */
    int rc;

    if (mh_parse_disconnect(mr->body, mr->body_len) != 0)
        return emsmdb_bad_body(mr, "malformed Disconnect body");
    if ((rc = mh_context_close(mr)) != MH_SUCCESS)
        return rc;
    return mh_respond_body(mr, body, sizeof(body));
}

/* --------------------------------------------------- NotificationWait -- */

static int emsmdb_notification_wait(mh_request *mr)
{
    /* Flags are reserved and ignored ([MS-OXCMAPIHTTP] R1368). */
    if (mh_parse_notification_wait(mr->body, mr->body_len) != 0)
        return emsmdb_bad_body(mr, "malformed NotificationWait body");
    /* A parked wait ends by closing its connection (mh_wait.c); the body
     * stays chunked as [MS-OXCMAPIHTTP] R1173 wants, which httpd would
     * otherwise drop for a closing connection. */
    mr->r->connection->keepalive = AP_CONN_CLOSE;
    mr->r->chunked = 1;
    if (mh_stream_begin(mr) != APR_SUCCESS)
        return MH_DONE;
    return mh_waiter_park(mh_waiter_get(), mr);
}

const mh_reqtype mh_emsmdb_types[] = {
    { "Connect", MH_RT_CREATES, emsmdb_connect, NULL },
    { "Execute", MH_RT_CONTEXT | MH_RT_EXCLUSIVE | MH_RT_SEQUENCED,
      emsmdb_execute, NULL },
    { "Disconnect", MH_RT_CONTEXT | MH_RT_EXCLUSIVE | MH_RT_ENDS,
      emsmdb_disconnect, NULL },
    { "NotificationWait", MH_RT_CONTEXT, emsmdb_notification_wait, NULL },
    { "PING", MH_RT_CONTEXT | MH_RT_NO_BODY, mh_context_ping, NULL },
    { NULL, 0, NULL, NULL }
};
