/*
 * rop_engine.c: walks the ROP requests of one rgbIn payload ([MS-OXCROPS]
 * 2.2.1), dispatches each through the family tables and builds rgbOut.
 *
 * Input:  RopSize (u16, counts itself and the RopsList), RopsList, then the
 *         server object handle table (u32 each) up to the end (R6-R11,
 *         R4673, R4675).
 * Output: RopSize (u16, counts itself and the responses), the responses in
 *         request order (R4550), then the handle table, same order and size
 *         as the input (R4565).
 *
 * Why a bad request stops the walk instead of failing everything: ROP
 * requests carry no length, so after an unknown RopId (reserved, R16-R18)
 * or a request that does not parse there is no way to find the next one.
 * The responses already produced describe work that has been done (opened
 * objects whose handles are now in the table), so they are returned rather
 * than dropped; rop_result.stop tells the caller what happened, and the
 * caller may still fail the Execute with ecRpcFormat (R4551, R180001).
 * Server-only ids (RopNotify, RopPending, RopBackoff, RopBufferTooSmall)
 * are treated the same way: a client never sends them.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <string.h>
#include <apr_strings.h>
#include "rop_ids.h"
#include "rop_logon.h"
#include "rop_folder.h"
#include "rop_table.h"
#include "rop_property.h"
#include "rop_stream.h"
#include "rop_message.h"
#include "rop_notify.h"
#include "rop_transport.h"
#include "rop_rule.h"
#include "rop_permission.h"
#include "rop_ics.h"
#include "rop_misc.h"
#include "rop_object.h"
#include "wire/mapi_tags.h"

/* Largest payload one RPC_HEADER_EXT block holds; what RopBufferTooSmall
 * asks for when the size of the response that did not fit is unknown. */
#define ROP_MAX_PAYLOAD 0x8000u

struct rop_ctx {
    apr_pool_t *pool;
    void *session;
    uint32_t *handles;          /* this Execute's handle table */
    unsigned n_handles;
    int16_t logon_flags[256];   /* -1: logon unknown */
    rop_progress_fn progress;   /* called between ROPs (keep-alives) */
    void *progress_baton;
    /* Environment of the handlers (rop_object.h); db NULL: none. */
    mapi_db *db;
    const uint8_t *sid;
    const cfg_mailbox *mbx;
    const char *dn_prefix;
    store_mailbox_info *mi;     /* loaded on first use */
    apr_hash_t *other_mi;       /* other logons' mailboxes, by GUID */
    apr_hash_t *directory;      /* every mailbox by GUID (cfg_mailbox) */
    const char *last_error;
    /* The last request of the walk and its response, for extended buffer
     * packing (rop_pack.c); valid when last_valid. */
    rop_call last_call;
    const uint8_t *last_resp;
    size_t last_resp_len;
    int last_valid;
    int packing;                /* a packed payload: no RopNotify in it */
    const struct submit_cfg *submit;    /* how RopSubmitMessage sends */
    unsigned max_rops, max_objects, max_res_depth;   /* 0: ceiling */
    unsigned limit_hits;        /* ROP_LIMIT_* bits */
    /* A ROP of this buffer waited out the lock timeout behind a stuck
     * holder: the rest answer ecServerBusy at once instead of each
     * waiting its own 5 s for the same locks (the client retries). */
    int busy;
};

/* ---- lookup ----------------------------------------------------------- */

static const rop_def *const rop_families[] = {
    rop_logon_defs, rop_folder_defs, rop_table_defs, rop_property_defs,
    rop_stream_defs, rop_message_defs, rop_notify_defs, rop_transport_defs,
    rop_rule_defs, rop_permission_defs, rop_ics_defs, rop_misc_defs,
};

static const rop_def *rop_by_id[256];
static pthread_once_t rop_by_id_once = PTHREAD_ONCE_INIT;

/* Built once: the family tables are constant, so every thread sees the
 * same result.  The first row for an id wins. */
static void rop_build_lookup(void)
{
    size_t f;
    const rop_def *d;

    for (f = 0; f < sizeof(rop_families) / sizeof(rop_families[0]); f++)
        for (d = rop_families[f]; d->name; d++)
            if (!rop_by_id[d->id])
                rop_by_id[d->id] = d;
}

const rop_def *rop_lookup(uint8_t id)
{
    pthread_once(&rop_by_id_once, rop_build_lookup);
    return rop_by_id[id];
}

const char *rop_name(uint8_t id)
{
    const rop_def *d = rop_lookup(id);

    return d ? d->name : "RopReserved";
}

/* ---- context ---------------------------------------------------------- */

rop_ctx *rop_ctx_create(apr_pool_t *pool, void *session)
{
    rop_ctx *ctx = apr_pcalloc(pool, sizeof(*ctx));

    ctx->pool = pool;
    ctx->session = session;
    memset(ctx->logon_flags, 0xFF, sizeof(ctx->logon_flags));
    return ctx;
}

void rop_ctx_set_progress(rop_ctx *ctx, rop_progress_fn fn, void *baton)
{
    ctx->progress = fn;
    ctx->progress_baton = baton;
}

void rop_ctx_set_limits(rop_ctx *ctx, unsigned max_rops, unsigned max_objects,
                        unsigned max_res_depth)
{
    ctx->max_rops = max_rops;
    ctx->max_objects = max_objects;
    ctx->max_res_depth = max_res_depth;
}

unsigned rop_ctx_max_objects(const rop_ctx *ctx) { return ctx->max_objects; }
unsigned rop_ctx_limit_hits(const rop_ctx *ctx) { return ctx->limit_hits; }
void rop_ctx_note_limit(rop_ctx *ctx, unsigned which)
{
    ctx->limit_hits |= which;
}

int rop_ctx_restriction_too_deep(rop_ctx *ctx, const rop_restriction *res)
{
    if (ctx->max_res_depth == 0 || res == NULL ||
        rop_restriction_depth(res) <= ctx->max_res_depth)
        return 0;
    ctx->limit_hits |= ROP_LIMIT_RES_DEPTH;
    return 1;
}

void *rop_ctx_session(const rop_ctx *ctx)
{
    return ctx->session;
}

int rop_ctx_handle(const rop_ctx *ctx, uint8_t index, uint32_t *handle_r)
{
    if (index >= ctx->n_handles)
        return -1;
    *handle_r = ctx->handles[index];
    return 0;
}

int rop_ctx_set_handle(rop_ctx *ctx, uint8_t index, uint32_t handle)
{
    if (index >= ctx->n_handles)
        return -1;
    ctx->handles[index] = handle;
    return 0;
}

void rop_ctx_set_env(rop_ctx *ctx, mapi_db *db, const uint8_t *sid,
                     const cfg_mailbox *mbx, const char *dn_prefix)
{
    ctx->db = db;
    ctx->sid = sid;
    ctx->mbx = mbx;
    ctx->dn_prefix = dn_prefix;
}

mapi_db *rop_ctx_db(const rop_ctx *ctx) { return ctx->db; }
const uint8_t *rop_ctx_sid(const rop_ctx *ctx) { return ctx->sid; }
const cfg_mailbox *rop_ctx_mailbox(const rop_ctx *ctx) { return ctx->mbx; }
const char *rop_ctx_dn_prefix(const rop_ctx *ctx) { return ctx->dn_prefix; }
apr_pool_t *rop_ctx_pool(const rop_ctx *ctx) { return ctx->pool; }

void rop_ctx_set_submit(rop_ctx *ctx, const struct submit_cfg *cfg)
{
    ctx->submit = cfg;
}

const struct submit_cfg *rop_ctx_submit(const rop_ctx *ctx)
{
    return ctx->submit;
}
const char *rop_ctx_last_error(const rop_ctx *ctx) { return ctx->last_error; }

int rop_ctx_last_call(const rop_ctx *ctx, const rop_call **call_r,
                      const uint8_t **resp_r, size_t *resp_len_r)
{
    if (!ctx->last_valid)
        return -1;
    *call_r = &ctx->last_call;
    *resp_r = ctx->last_resp;
    *resp_len_r = ctx->last_resp_len;
    return 0;
}

void rop_ctx_set_packing(rop_ctx *ctx, int on) { ctx->packing = on; }

unsigned rop_ctx_handles(const rop_ctx *ctx, const uint32_t **handles_r)
{
    *handles_r = ctx->handles;
    return ctx->n_handles;
}

void rop_ctx_note_error(rop_ctx *ctx, const char *error)
{
    if (error && !ctx->last_error)
        ctx->last_error = apr_pstrdup(ctx->pool, error);
}

const store_mailbox_info *rop_ctx_mailbox_info(rop_ctx *ctx)
{
    const char *error = NULL;

    if (!ctx->mi && ctx->db && ctx->mbx
        && store_mailbox_get(ctx->db, ctx->pool, ctx->mbx->guid, &ctx->mi,
                             &error) != STORE_OK) {
        rop_ctx_note_error(ctx, error ? error : "mailbox has no store");
        ctx->mi = NULL;
    }
    return ctx->mi;
}

const store_mailbox_info *rop_ctx_mailbox_info_of(rop_ctx *ctx,
                                                  const uint8_t *mbox)
{
    const store_mailbox_info *own = rop_ctx_mailbox_info(ctx);
    store_mailbox_info *mi;
    const char *error = NULL;

    if (own && memcmp(own->mailbox_guid, mbox, STORE_GUID_LEN) == 0)
        return own;
    if (!ctx->db)
        return NULL;
    if (!ctx->other_mi)
        ctx->other_mi = apr_hash_make(ctx->pool);
    if ((mi = apr_hash_get(ctx->other_mi, mbox, STORE_GUID_LEN)))
        return mi;
    if (store_mailbox_get(ctx->db, ctx->pool, mbox, &mi, &error)
        != STORE_OK) {
        rop_ctx_note_error(ctx, error ? error : "mailbox has no store");
        return NULL;
    }
    apr_hash_set(ctx->other_mi, mi->mailbox_guid, STORE_GUID_LEN, mi);
    return mi;
}

static int rop_ctx_directory_add(const cfg_mailbox *m, void *baton)
{
    apr_hash_t *h = baton;
    cfg_mailbox *copy = apr_pmemdup(apr_hash_pool_get(h), m, sizeof(*m));

    apr_hash_set(h, copy->guid, sizeof(copy->guid), copy);
    return 0;
}

const cfg_mailbox *rop_ctx_mailbox_of(rop_ctx *ctx, const uint8_t *mbox)
{
    const char *error = NULL;

    if (ctx->mbx && memcmp(ctx->mbx->guid, mbox, 16) == 0)
        return ctx->mbx;
    if (!ctx->db)
        return NULL;
    if (!ctx->directory) {
        ctx->directory = apr_hash_make(ctx->pool);
        if (cfg_mailbox_foreach(ctx->db, ctx->pool, rop_ctx_directory_add,
                                ctx->directory, &error) != 0)
            rop_ctx_note_error(ctx, error);
    }
    return apr_hash_get(ctx->directory, mbox, 16);
}

int rop_ctx_is_own(const rop_ctx *ctx, const uint8_t *mbox)
{
    return ctx->mbx && memcmp(ctx->mbx->guid, mbox, 16) == 0;
}

void rop_ctx_set_logon_flags(rop_ctx *ctx, uint8_t logon_id, uint8_t flags)
{
    ctx->logon_flags[logon_id] = flags;
}

int rop_ctx_logon_flags(const rop_ctx *ctx, uint8_t logon_id)
{
    return ctx->logon_flags[logon_id];
}

/* ---- responses -------------------------------------------------------- */

/* The index a response names: OutputHandleIndex for ROPs that create an
 * object, ResponseHandleIndex where the ROP has one, else the input
 * (or source) index. */
static uint8_t rop_response_index(const rop_call *call)
{
    if (call->def->flags & ROP_F_OUT_HANDLE)
        return call->out_handle_index;
    if (call->def->flags & ROP_F_RESP_HANDLE)
        return call->resp_handle_index;
    return call->in_handle_index;
}

static size_t rop_error_size(const rop_call *call, uint32_t ec)
{
    return 6 + (ec == ROP_EC_DST_NULL_OBJECT ? 4 : 0) + call->def->err_tail;
}

int rop_write_error_response(mapi_wr *out, const rop_call *call, uint32_t ec)
{
    if (mapi_wr_room(out) < rop_error_size(call, ec))
        return -1;
    if (mapi_wr_u8(out, call->rop_id) < 0
        || mapi_wr_u8(out, rop_response_index(call)) < 0
        || mapi_wr_u32(out, ec) < 0)
        return -1;
    /* Null destination failure form: DestHandleIndex as a u32. */
    if (ec == ROP_EC_DST_NULL_OBJECT
        && mapi_wr_u32(out, call->dest_handle_index) < 0)
        return -1;
    return mapi_wr_zero(out, call->def->err_tail);
}

/* R4712: an index outside the handle table fails the ROP with
 * ecNullObject (ecDstNullObject for the destination of a copy/move). */
static uint32_t rop_check_indexes(const rop_ctx *ctx, const rop_call *call)
{
    unsigned n = ctx->n_handles, f = call->def->flags;

    if (!(f & ROP_F_NO_INPUT) && call->in_handle_index >= n)
        return ROP_EC_NULL_OBJECT;
    if ((f & ROP_F_OUT_HANDLE) && call->out_handle_index >= n)
        return ROP_EC_NULL_OBJECT;
    if ((f & ROP_F_RESP_HANDLE) && call->resp_handle_index >= n)
        return ROP_EC_NULL_OBJECT;
    if ((f & ROP_F_DEST_HANDLE) && call->dest_handle_index >= n)
        return ROP_EC_DST_NULL_OBJECT;
    return ROP_EC_SUCCESS;
}

/* RopRelease: run the handler if any, but never answer (R4571-R4573). */
static void rop_dispatch_release(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    size_t mark = out->len;

    if (call->def->handler && ctx->db
        && rop_check_indexes(ctx, call) == ROP_EC_SUCCESS)
        call->def->handler(ctx, call, out);
    mapi_wr_truncate(out, mark);
    out->failed = 0;
}

/* Runs one parsed request.  Returns 0, or -1 when its response did not fit;
 * *need_r is then the size of that response when the engine knows it
 * (0 when a handler wrote it). */
static int rop_dispatch(rop_ctx *ctx, rop_call *call, mapi_wr *out,
                        size_t *need_r)
{
    uint32_t ec;

    *need_r = 0;
    if (call->def->flags & ROP_F_NO_RESPONSE) {
        rop_dispatch_release(ctx, call, out);
        return 0;
    }
    ec = rop_check_indexes(ctx, call);
    if (ec == ROP_EC_SUCCESS && ctx->busy)
        ec = ecServerBusy;
    if (ec == ROP_EC_SUCCESS && call->def->handler && ctx->db)
        return call->def->handler(ctx, call, out);
    if (ec == ROP_EC_SUCCESS)
        ec = ROP_EC_NOT_SUPPORTED;   /* no handler yet */
    *need_r = rop_error_size(call, ec);
    return rop_write_error_response(out, call, ec);
}

/* [MS-OXCROPS] 2.2.15.1: RopId 0xFF, SizeNeeded, then the request bytes
 * not executed (R4445-R4447), as the last response (R4517). */
static int rop_write_buffer_too_small(mapi_wr *out, size_t need,
                                      const uint8_t *rest, size_t rest_len)
{
    if (need > 0xFFFF)
        need = 0xFFFF;
    if (mapi_wr_room(out) < 3 + rest_len)
        return -1;
    if (mapi_wr_u8(out, ROP_ID_BUFFER_TOO_SMALL) < 0
        || mapi_wr_u16(out, (uint16_t)need) < 0)
        return -1;
    return mapi_wr_bytes(out, rest, rest_len);
}

/* ---- the walk --------------------------------------------------------- */

typedef struct rop_walk {
    rop_ctx *ctx;
    apr_pool_t *pool;
    mapi_rd rd;                 /* over the RopsList */
    mapi_wr resp;               /* responses only */
    rop_result *res;
    size_t last_mark;           /* where the last response starts */
    size_t last_len;
} rop_walk;

static void rop_stop_at(rop_walk *w, rop_stop why, uint8_t id)
{
    w->res->stop = why;
    w->res->stop_rop_id = id;
}

/* The response of the request starting at start did not fit: roll it
 * back and hand the rest of the RopsList back to the client (R4545,
 * R454502). */
static void rop_out_of_room(rop_walk *w, size_t mark, size_t need,
                            const uint8_t *start, uint8_t id)
{
    size_t rest = (size_t)(w->rd.end - start);

    mapi_wr_truncate(&w->resp, mark);
    w->resp.failed = 0;
    need = need ? 2 + need + 4 * (size_t)w->ctx->n_handles : ROP_MAX_PAYLOAD;
    if (rop_write_buffer_too_small(&w->resp, need, start, rest) == 0) {
        rop_stop_at(w, ROP_STOP_BUFFER_TOO_SMALL, id);
        return;
    }
    mapi_wr_truncate(&w->resp, mark);
    w->resp.failed = 0;
    rop_stop_at(w, ROP_STOP_NO_ROOM, id);
}

static void rop_note_id(rop_result *res, uint8_t id)
{
    if (res->n_rop_ids < sizeof(res->rop_ids))
        res->rop_ids[res->n_rop_ids++] = id;
}

/* The ReturnValue of the response written at mark (RopId, handle index,
 * ReturnValue: the layout every response starts with), or 0 when there
 * is none. */
static uint32_t rop_response_rv(const mapi_wr *resp, size_t mark)
{
    mapi_rd rd;
    uint32_t rv = 0;

    if (resp->len < mark + 6)
        return 0;
    mapi_rd_init(&rd, resp->buf + mark + 2, 4);
    mapi_rd_u32(&rd, &rv);
    return rd.failed ? 0 : rv;
}

/* Walks one request.  Returns 0 to go on, -1 to stop. */
static int rop_walk_one(rop_walk *w)
{
    const uint8_t *start = w->rd.p;
    rop_call call;
    size_t mark, need;
    uint8_t id;

    mapi_rd_u8(&w->rd, &id);
    rop_note_id(w->res, id);
    memset(&call, 0, sizeof(call));
    call.def = rop_lookup(id);
    if (!call.def || (call.def->flags & ROP_F_SERVER_ONLY)) {
        rop_stop_at(w, call.def ? ROP_STOP_SERVER_ONLY : ROP_STOP_UNKNOWN_ID, id);
        return -1;
    }
    call.rop_id = id;
    call.ctx = w->ctx;
    if (!call.def->parse || call.def->parse(&w->rd, w->pool, &call) < 0
        || w->rd.failed) {
        rop_stop_at(w, ROP_STOP_MALFORMED, id);
        return -1;
    }
    w->res->rops_in++;
    mark = w->resp.len;
    if (rop_dispatch(w->ctx, &call, &w->resp, &need) < 0) {
        rop_out_of_room(w, mark, need, start, id);
        return -1;
    }
    if (w->resp.len > mark)
        w->res->rops_done++;
    if (rop_response_rv(&w->resp, mark) == ecServerBusy)
        w->ctx->busy = 1;
    w->ctx->last_call = call;
    w->last_mark = mark;
    w->last_len = w->resp.len - mark;
    return 0;
}

/* Whether the RopsList holds more than max requests: parses them without
 * running any (ROP requests carry no length).  A request that does not
 * parse ends the count; the real walk then stops at it the same way. */
static int rop_too_many(rop_ctx *ctx, const uint8_t *list, size_t len,
                        unsigned max, apr_pool_t *pool)
{
    apr_pool_t *scratch;
    unsigned n = 0;
    mapi_rd rd;

    if (len <= max)
        return 0;               /* every request takes at least one byte */
    apr_pool_create(&scratch, pool);
    mapi_rd_init(&rd, list, len);
    while (mapi_rd_left(&rd) > 0 && n <= max) {
        rop_call call;
        uint8_t id;

        memset(&call, 0, sizeof(call));
        mapi_rd_u8(&rd, &id);
        call.def = rop_lookup(id);
        call.rop_id = id;
        call.ctx = ctx;
        if (!call.def || (call.def->flags & ROP_F_SERVER_ONLY) ||
            !call.def->parse || call.def->parse(&rd, scratch, &call) < 0 ||
            rd.failed)
            break;
        n++;
    }
    apr_pool_destroy(scratch);
    return n > max;
}

/* RopSize, then the handle table ([MS-OXCROPS] 2.2.1).  Returns the
 * RopSize, or 0 when the framing is inconsistent. */
static uint16_t rop_read_framing(rop_ctx *ctx, const uint8_t *in,
                                 size_t in_len, apr_pool_t *pool)
{
    mapi_rd rd;
    uint16_t rop_size;
    size_t table_len, i;

    mapi_rd_init(&rd, in, in_len);
    if (mapi_rd_u16(&rd, &rop_size) < 0 || rop_size < 2 || rop_size > in_len)
        return 0;
    table_len = in_len - rop_size;
    if (table_len % 4 != 0 || table_len / 4 > ROP_MAX_HANDLES)
        return 0;
    ctx->n_handles = (unsigned)(table_len / 4);
    ctx->handles = apr_pcalloc(pool, table_len + sizeof(uint32_t));
    mapi_rd_skip(&rd, rop_size - 2u);
    for (i = 0; i < ctx->n_handles; i++)
        mapi_rd_u32(&rd, &ctx->handles[i]);
    return rd.failed ? 0 : rop_size;
}

/* RopSize (itself + responses), responses, handle table. */
static rop_status rop_build_output(rop_walk *w, size_t max_out)
{
    mapi_wr out;
    unsigned i;

    mapi_wr_init(&out, w->pool, max_out);
    mapi_wr_u16(&out, (uint16_t)(2 + w->resp.len));
    if (w->resp.len)
        mapi_wr_bytes(&out, w->resp.buf, w->resp.len);
    for (i = 0; i < w->ctx->n_handles; i++)
        mapi_wr_u32(&out, w->ctx->handles[i]);
    if (out.failed)
        return ROP_ERR_TOO_SMALL;
    w->res->out = out.buf;
    w->res->out_len = out.len;
    return ROP_OK;
}

rop_status rop_execute(rop_ctx *ctx, const uint8_t *in, size_t in_len,
                       size_t max_out, apr_pool_t *pool, rop_result *res)
{
    rop_walk w;
    uint16_t rop_size;
    size_t fixed, room;

    memset(res, 0, sizeof(*res));
    ctx->last_valid = 0;
    if (!in || (rop_size = rop_read_framing(ctx, in, in_len, pool)) == 0)
        return ROP_ERR_FORMAT;
    fixed = 2 + 4 * (size_t)ctx->n_handles;
    if (max_out < fixed)
        return ROP_ERR_TOO_SMALL;
    if (ctx->max_rops &&
        rop_too_many(ctx, in + 2, rop_size - 2u, ctx->max_rops, pool))
        return ROP_ERR_TOO_MANY_ROPS;
    /* Responses get what the RopSize field and the table leave, and never
     * more than a u16 RopSize can count. */
    room = max_out - fixed;
    if (room > 0xFFFFu - 2)
        room = 0xFFFFu - 2;
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    w.pool = pool;
    w.res = res;
    mapi_rd_init(&w.rd, in + 2, rop_size - 2u);
    mapi_wr_init(&w.resp, pool, room);
    while (mapi_rd_left(&w.rd) > 0 && rop_walk_one(&w) == 0) {
        if (ctx->progress)
            ctx->progress(ctx->progress_baton);
    }
    /* R4546: not even RopBufferTooSmall fitted and nothing was answered. */
    if (res->stop == ROP_STOP_NO_ROOM && w.resp.len == 0)
        return ROP_ERR_TOO_SMALL;
    /* R452201: queued RopNotify/RopPending go after every ROP response;
     * a packed payload holds only its one response (R963). */
    if (!ctx->packing)
        rop_notify_deliver(ctx, &w.resp, res);
    if (res->stop == ROP_STOP_NONE && res->rops_in > 0) {
        /* No response at all (a lone RopRelease) leaves buf NULL. */
        ctx->last_resp = w.resp.buf ? w.resp.buf + w.last_mark : NULL;
        ctx->last_resp_len = w.last_len;
        ctx->last_valid = 1;
    }
    return rop_build_output(&w, max_out);
}
