/*
 * mh_nspi.c: the address book endpoint's request types ([MS-OXCMAPIHTTP]
 * 2.2.5).  Bind, Unbind and PING manage the session context here; the
 * directory request types go to the nspi layer (nspi/nspi.h), which reads
 * their bodies and writes their responses.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_log.h"
#include "mod_mapi.h"
#include "wire/mapi_rd.h"
#include "nspi/nspi.h"

APLOG_USE_MODULE(mapi);

#define NSPI_EC_SUCCESS        0x00000000u
#define NSPI_EC_LOGON_FAILED   0x80040111u
#define NSPI_EC_NOT_SUPPORTED  0x80040102u
#define NSPI_CODEPAGE_UNICODE  1200u
#define NSPI_STAT_SIZE         36

/* "Has" fields are one byte, 0xFF or 0x00 ([MS-OXCMAPIHTTP] 2.2.5). */
static int nspi_read_has(mapi_rd *rd, uint8_t *has_r)
{
    if (mapi_rd_u8(rd, has_r) != 0 || (*has_r != 0 && *has_r != 0xFF))
        return -1;
    return 0;
}

/* Bind: Flags, HasState, [STAT], AuxiliaryBufferSize, AuxiliaryBuffer.
 * Reply: StatusCode, ErrorCode, ServerGuid, AuxiliaryBufferSize. */
static int nspi_bind(mh_request *mr)
{
    uint8_t reply[28] = { 0 }, has_state;
    uint32_t flags, codepage = 1252;
    cfg_mailbox *mbx;
    cfg_org *org;
    mapi_rd rd;
    mapi_wr wr;
    int rc;

    mapi_rd_init(&rd, mr->body, mr->body_len);
    if (mapi_rd_u32(&rd, &flags) != 0 || nspi_read_has(&rd, &has_state) != 0 ||
        (has_state && (mapi_rd_skip(&rd, 24) != 0 ||
                       mapi_rd_u32(&rd, &codepage) != 0 ||
                       mapi_rd_skip(&rd, NSPI_STAT_SIZE - 28) != 0)) ||
        mh_read_aux_tail(&rd) != 0) {
        mr->detail = "malformed Bind body";
        return MH_INVALID_REQUEST_BODY;
    }
    /* A session's strings are 8-bit in its code page: CP_WINUNICODE and
     * code pages the server cannot convert to are refused ([MS-OXNSPI]
     * R680, R696), and no context is made. */
    if (codepage == NSPI_CP_UNICODE || !nspi_codepage_known(codepage)) {
        mapi_wr_init_fixed(&wr, reply, sizeof(reply));
        mapi_wr_u32(&wr, 0);
        mapi_wr_u32(&wr, NSPI_E_INVALID_CODEPAGE);
        mapi_wr_zero(&wr, 16);
        mapi_wr_u32(&wr, 0);
        mr->detail = "Bind with a code page not served";
        return mh_respond_body(mr, wr.buf, wr.len);
    }
    rc = mh_context_mailbox(mr, &org, &mbx);
    /* MAPIEnabled $false and a blocked client version fail the server's
     * checks: LogonFailed ([MS-OXNSPI] R687, R953). */
    if (rc == 0 &&
        (mr->verdict == MH_DENY_MAPI || mr->verdict == MH_DENY_VERSION)) {
        mr->detail = mr->verdict == MH_DENY_MAPI
                     ? "MAPIEnabled is off for the mailbox"
                     : "client version blocked (MAPIBlockOutlookVersions)";
        rc = 1;
    }
    /* A session limit is one of the server's checks of R687 and R1670
     * (concurrent connections): LogonFailed too. */
    if (rc == 0 &&
        (rc = mh_context_open(mr, mbx,
                              apr_pcalloc(mr->r->pool, sizeof(sess_context))))
        != MH_SUCCESS && rc != MH_LIMIT)
        return rc;
    mapi_wr_init_fixed(&wr, reply, sizeof(reply));
    mapi_wr_u32(&wr, 0);                                  /* StatusCode */
    mapi_wr_u32(&wr, rc ? NSPI_EC_LOGON_FAILED : NSPI_EC_SUCCESS);
    if (rc)
        mapi_wr_zero(&wr, 16);
    else
        mapi_wr_bytes(&wr, org->guid, 16);                /* ServerGuid */
    mapi_wr_u32(&wr, 0);                                  /* AuxSize */
    return mh_respond_body(mr, wr.buf, wr.len);
}

/* Unbind: Reserved, AuxiliaryBufferSize, AuxiliaryBuffer. */
static int nspi_unbind(mh_request *mr)
{
    uint8_t reply[12] = { 0 };
    uint32_t reserved;
    mapi_rd rd;
    int rc;

    mapi_rd_init(&rd, mr->body, mr->body_len);
    if (mapi_rd_u32(&rd, &reserved) != 0 || mh_read_aux_tail(&rd) != 0) {
        mr->detail = "malformed Unbind body";
        return MH_INVALID_REQUEST_BODY;
    }
    if ((rc = mh_context_close(mr)) != MH_SUCCESS)
        return rc;
    return mh_respond_body(mr, reply, sizeof(reply));
}

/* The largest NSPI response body: a GAL page of NSPI_MAX_ROWS rows. */
#define NSPI_REPLY_MAX NSPI_MAX_REPLY

/* The virtual directory URL the endpoints are reached under, as
 * Autodiscover gives it: InternalUrl, else ExternalUrl. */
static const char *nspi_vdir_url(mh_request *mr)
{
    const cfg_vdir *v = mh_vdir_of(mr->r);

    if (v == NULL)
        return NULL;
    return v->internal_url ? v->internal_url : v->external_url;
}

/* A directory request type: the nspi layer parses the body and writes the
 * whole response body. */
static int nspi_directory(mh_request *mr)
{
    nspi_ctx ctx = { 0 };
    mapi_wr wr;
    int rc;

    ctx.pool = mr->r->pool;
    ctx.db = mr->db;
    ctx.org = mr->org;
    ctx.self = mr->mbx;
    ctx.vdir_url = nspi_vdir_url(mr);
    ctx.max_rows = (unsigned)mr->conf->max_nspi_rows;
    if (ctx.org == NULL) {
        const char *error = NULL;
        if (cfg_org_get(mr->db, mr->r->pool, (cfg_org **)&ctx.org,
                        &error) != 0) {
            mr->detail = error ? error : "no organisation";
            return MH_UNKNOWN_FAILURE;
        }
    }
    mapi_wr_init(&wr, mr->r->pool, NSPI_REPLY_MAX);
    rc = nspi_call(&ctx, mr->type->name, mr->body, mr->body_len, &wr);
    if (ctx.rows_limited)
        mh_limit_hit(mr, "MapiMaxNspiRows", mr->conf->max_nspi_rows,
                     "row count cut");
    if (rc == NSPI_BODY_BAD) {
        mr->detail = ctx.error;
        return MH_INVALID_REQUEST_BODY;
    }
    if (rc != NSPI_BODY_OK) {
        mr->detail = ctx.error ? ctx.error : "address book failure";
        return MH_UNKNOWN_FAILURE;
    }
    return mh_respond_body(mr, wr.buf, wr.len);
}

#define NSPI_CALL (MH_RT_CONTEXT | MH_RT_EXCLUSIVE | MH_RT_SEQUENCED)

const mh_reqtype mh_nspi_types[] = {
    { "Bind", MH_RT_CREATES, nspi_bind, NULL },
    { "Unbind", MH_RT_CONTEXT | MH_RT_EXCLUSIVE | MH_RT_ENDS, nspi_unbind,
      NULL },
    { "PING", MH_RT_CONTEXT | MH_RT_NO_BODY, mh_context_ping, NULL },
    { "CompareMIds", NSPI_CALL, nspi_directory, NULL },
    { "DNToMId", NSPI_CALL, nspi_directory, NULL },
    { "GetMatches", NSPI_CALL, nspi_directory, NULL },
    { "GetPropList", NSPI_CALL, nspi_directory, NULL },
    { "GetProps", NSPI_CALL, nspi_directory, NULL },
    { "GetSpecialTable", NSPI_CALL, nspi_directory, NULL },
    { "GetTemplateInfo", NSPI_CALL, nspi_directory, NULL },
    { "ModLinkAtt", NSPI_CALL, nspi_directory, NULL },
    { "ModProps", NSPI_CALL, nspi_directory, NULL },
    { "QueryColumns", NSPI_CALL, nspi_directory, NULL },
    { "QueryRows", NSPI_CALL, nspi_directory, NULL },
    { "ResolveNames", NSPI_CALL, nspi_directory, NULL },
    { "ResortRestriction", NSPI_CALL, nspi_directory, NULL },
    { "SeekEntries", NSPI_CALL, nspi_directory, NULL },
    { "UpdateStat", NSPI_CALL, nspi_directory, NULL },
    { "GetMailboxUrl", NSPI_CALL, nspi_directory, NULL },
    { "GetAddressBookUrl", NSPI_CALL, nspi_directory, NULL },
    { NULL, 0, NULL, NULL }
};
