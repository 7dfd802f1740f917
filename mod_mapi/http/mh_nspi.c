/*
 * mh_nspi.c: the address book endpoint's request types ([MS-OXCMAPIHTTP]
 * 2.2.5).  Bind, Unbind and PING manage the session context here; the
 * directory operations answer with the request type's failure response
 * body (StatusCode ecNotSupported) until the address book serves them.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_log.h"
#include "mod_mapi.h"
#include "configdb/cfg_db.h"
#include "wire/mapi_rd.h"

APLOG_USE_MODULE(mapi);

#define NSPI_EC_SUCCESS        0x00000000u
#define NSPI_EC_LOGON_FAILED   0x80040111u
#define NSPI_EC_NOT_SUPPORTED  0x80040102u
#define NSPI_STAT_SIZE         36
#define NSPI_AUX_MAX           0x1008

static int nspi_read_aux(mapi_rd *rd)
{
    uint32_t aux_size;

    if (mapi_rd_u32(rd, &aux_size) != 0 || aux_size > NSPI_AUX_MAX ||
        mapi_rd_skip(rd, aux_size) != 0)
        return -1;
    return mapi_rd_left(rd) == 0 ? 0 : -1;
}

/* "Has" fields are one byte, 0xFF or 0x00 ([MS-OXCMAPIHTTP] 2.2.5). */
static int nspi_read_has(mapi_rd *rd, uint8_t *has_r)
{
    if (mapi_rd_u8(rd, has_r) != 0 || (*has_r != 0 && *has_r != 0xFF))
        return -1;
    return 0;
}

/* Bind: Flags, HasState, [STAT], AuxiliaryBufferSize, AuxiliaryBuffer. */
static int nspi_bind(mh_request *mr)
{
    request_rec *r = mr->r;
    uint8_t reply[28] = { 0 }, has_state;
    uint32_t flags;
    cfg_mailbox *mbx;
    cfg_org *org;
    sess_context *ctx;
    const char *error = NULL;
    mapi_rd rd;
    mapi_wr wr;
    int rc;

    mapi_rd_init(&rd, mr->body, mr->body_len);
    if (mapi_rd_u32(&rd, &flags) != 0 || nspi_read_has(&rd, &has_state) != 0 ||
        (has_state && mapi_rd_skip(&rd, NSPI_STAT_SIZE) != 0) ||
        nspi_read_aux(&rd) != 0) {
        mr->detail = "malformed Bind body";
        return MH_INVALID_REQUEST_BODY;
    }
    mapi_wr_init_fixed(&wr, reply, sizeof(reply));
    rc = cfg_org_get(mr->db, r->pool, &org, &error);
    if (rc == 0)
        rc = cfg_mailbox_by_principal(mr->db, r->pool, r->user, &mbx, &error);
    if (rc == -1) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      MAPILOGNO(1020) "configuration: %s", error);
        return MH_UNKNOWN_FAILURE;
    }
    if (rc != 0) {
        mr->detail = "no mailbox for the authenticated identity";
        mapi_wr_u32(&wr, 0);
        mapi_wr_u32(&wr, NSPI_EC_LOGON_FAILED);
        mapi_wr_zero(&wr, 16);
        mapi_wr_u32(&wr, 0);
        return mh_respond_body(mr, wr.buf, wr.len);
    }
    ctx = apr_pcalloc(r->pool, sizeof(*ctx));
    ctx->endpoint = SESS_EP_NSPI;
    ctx->idle_timeout = (uint32_t)mr->conf->idle_timeout;
    ctx->identity = r->user;
    ctx->auth_type = r->ap_auth_type;
    ctx->mailbox = mbx->smtp;
    ctx->client_app = mr->client_app;
    ctx->client_ip = r->useragent_ip;
    if (sess_create(mr->db, r->pool, ctx,
                    mr->has_ctx_cookie ? mr->ctx_id : NULL, &error)
        != SESS_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      MAPILOGNO(1021) "session store: %s", error);
        return MH_UNKNOWN_FAILURE;
    }
    mr->sess = ctx;
    mr->send_seq_cookie = 1;
    mapi_wr_u32(&wr, 0);                      /* StatusCode */
    mapi_wr_u32(&wr, NSPI_EC_SUCCESS);        /* ErrorCode */
    mapi_wr_bytes(&wr, org->guid, 16);        /* ServerGuid */
    mapi_wr_u32(&wr, 0);                      /* AuxiliaryBufferSize */
    return mh_respond_body(mr, wr.buf, wr.len);
}

/* Unbind: Reserved, AuxiliaryBufferSize, AuxiliaryBuffer. */
static int nspi_unbind(mh_request *mr)
{
    uint8_t reply[12] = { 0 };
    uint32_t reserved;
    const char *error = NULL;
    mapi_rd rd;

    mapi_rd_init(&rd, mr->body, mr->body_len);
    if (mapi_rd_u32(&rd, &reserved) != 0 || nspi_read_aux(&rd) != 0) {
        mr->detail = "malformed Unbind body";
        return MH_INVALID_REQUEST_BODY;
    }
    if (sess_destroy(mr->db, mr->r->pool, mr->sess->id, &error)
        == SESS_DB_ERROR) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, mr->r,
                      MAPILOGNO(1022) "session store: %s", error);
        return MH_UNKNOWN_FAILURE;
    }
    return mh_respond_body(mr, reply, sizeof(reply));
}

static int nspi_ping(mh_request *mr)
{
    const char *error = NULL;

    if (sess_end(mr->db, mr->r->pool, mr->sess, apr_time_now(), &error)
        == SESS_DB_ERROR)
        return MH_UNKNOWN_FAILURE;
    return mh_respond_body(mr, NULL, 0);
}

/* The failure response body every NSPI request type shares: StatusCode
 * (non-zero), AuxiliaryBufferSize, AuxiliaryBuffer. */
static int nspi_not_supported(mh_request *mr)
{
    uint8_t reply[8];
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, reply, sizeof(reply));
    mapi_wr_u32(&wr, NSPI_EC_NOT_SUPPORTED);
    mapi_wr_u32(&wr, 0);
    mr->detail = "address book operation not available";
    return mh_respond_body(mr, wr.buf, wr.len);
}

#define NSPI_CALL (MH_RT_CONTEXT | MH_RT_EXCLUSIVE | MH_RT_SEQUENCED)

const mh_reqtype mh_nspi_types[] = {
    { "Bind", MH_RT_CREATES, nspi_bind },
    { "Unbind", MH_RT_CONTEXT | MH_RT_EXCLUSIVE, nspi_unbind },
    { "PING", MH_RT_CONTEXT | MH_RT_NO_BODY, nspi_ping },
    { "CompareMIds", NSPI_CALL, nspi_not_supported },
    { "DNToMId", NSPI_CALL, nspi_not_supported },
    { "GetMatches", NSPI_CALL, nspi_not_supported },
    { "GetPropList", NSPI_CALL, nspi_not_supported },
    { "GetProps", NSPI_CALL, nspi_not_supported },
    { "GetSpecialTable", NSPI_CALL, nspi_not_supported },
    { "GetTemplateInfo", NSPI_CALL, nspi_not_supported },
    { "ModLinkAtt", NSPI_CALL, nspi_not_supported },
    { "ModProps", NSPI_CALL, nspi_not_supported },
    { "QueryColumns", NSPI_CALL, nspi_not_supported },
    { "QueryRows", NSPI_CALL, nspi_not_supported },
    { "ResolveNames", NSPI_CALL, nspi_not_supported },
    { "ResortRestriction", NSPI_CALL, nspi_not_supported },
    { "SeekEntries", NSPI_CALL, nspi_not_supported },
    { "UpdateStat", NSPI_CALL, nspi_not_supported },
    { "GetMailboxUrl", NSPI_CALL, nspi_not_supported },
    { "GetAddressBookUrl", NSPI_CALL, nspi_not_supported },
    { NULL, 0, NULL }
};
