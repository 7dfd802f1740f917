/*
 * rop_logon.c: logon and store ROPs ([MS-OXCROPS] 2.2.3).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <apr_strings.h>
#include "rop_ids.h"
#include "rop_logon.h"
#include "rop_object.h"
#include "wire/mapi_tags.h"
#include <string.h>
#include <strings.h>
#include <apr_time.h>

/* RopLogon has no InputHandleIndex: LogonId, OutputHandleIndex (R24, R30).
 * Essdn is EssdnSize bytes including its NUL (R41). */
static int rop_parse_logon(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_logon_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t essdn_size;
    mapi_rd sub;

    call->req = r;
    mapi_rd_u8(rd, &call->logon_id);
    mapi_rd_u8(rd, &call->out_handle_index);
    mapi_rd_u8(rd, &r->logon_flags);
    mapi_rd_u32(rd, &r->open_flags);
    mapi_rd_u32(rd, &r->store_state);
    if (mapi_rd_u16(rd, &essdn_size) < 0 || mapi_rd_sub(rd, essdn_size, &sub) < 0)
        return -1;
    if (essdn_size > 0
        && (mapi_rd_str8(&sub, pool, essdn_size - 1, &r->essdn) < 0
            || mapi_rd_left(&sub) != 0))
        return -1;
    /* Later requests of this buffer were encoded for this logon's type. */
    if (call->ctx)
        rop_ctx_set_logon_flags(call->ctx, call->logon_id, r->logon_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_receive_folder(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_message_class_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_str(rd, pool, 0, &r->message_class);
}

static int rop_parse_set_receive_folder(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_set_receive_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u64(rd, &r->folder_id) < 0 || rd->failed)
        return -1;
    return rop_rd_str(rd, pool, 0, &r->message_class);
}

static int rop_parse_id(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_id_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_ltid(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_ltid_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    return rop_rd_long_term_id(rd, &r->ltid);
}

static int rop_parse_get_per_user_ltids(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_per_user_ltids_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_bytes(rd, r->database_guid, 16);
    return rd->failed ? -1 : 0;
}

static int rop_parse_read_per_user_info(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_read_per_user_info_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    rop_rd_long_term_id(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->reserved);
    mapi_rd_u32(rd, &r->data_offset);
    mapi_rd_u16(rd, &r->max_data_size);
    return rd->failed ? -1 : 0;
}

/* An unknown logon is taken as private, the usual mailbox logon. */
static int rop_logon_is_private(const rop_call *call)
{
    int flags = call->ctx ? rop_ctx_logon_flags(call->ctx, call->logon_id) : -1;

    return flags < 0 || (flags & ROP_LOGON_PRIVATE);
}

/* ReplGuid is present only on the first chunk (DataOffset 0) of a private
 * mailbox logon (MS-OXCROPS R521-R523). */
static int rop_parse_write_per_user_info(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_write_per_user_info_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    rop_rd_long_term_id(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->has_finished);
    mapi_rd_u32(rd, &r->data_offset);
    if (rd->failed || rop_rd_bin16(rd, &r->data) < 0)
        return -1;
    r->has_repl_guid = r->data_offset == 0 && rop_logon_is_private(call);
    if (r->has_repl_guid)
        mapi_rd_bytes(rd, r->repl_guid, 16);
    return rd->failed ? -1 : 0;
}

/* ==== handlers ========================================================= */

#define ROP_LOGON_RESP_RESERVED   0x01   /* MUST be set ([MS-OXCROPS] R67) */
#define ROP_LOGON_RESP_OWNER      0x02   /* OwnerRight */
#define ROP_LOGON_RESP_SEND_AS    0x04   /* SendAsRight */
#define ROP_LOGON_PRIVATE_FOLDERS 13     /* FolderIds of a private logon */

/* LogonTime ([MS-OXCROPS] 2.2.3.1.3): the server's time, UTC. */
static void logon_wr_time(mapi_wr *out, apr_time_t now)
{
    apr_time_exp_t t;

    apr_time_exp_gmt(&t, now);
    mapi_wr_u8(out, (uint8_t)t.tm_sec);
    mapi_wr_u8(out, (uint8_t)t.tm_min);
    mapi_wr_u8(out, (uint8_t)t.tm_hour);
    mapi_wr_u8(out, (uint8_t)t.tm_wday);
    mapi_wr_u8(out, (uint8_t)t.tm_mday);
    mapi_wr_u8(out, (uint8_t)(t.tm_mon + 1));
    mapi_wr_u16(out, (uint16_t)(t.tm_year + 1900));
}

/* Which mailbox the Essdn names (its GUID into target).  An unknown DN is
 * ecUnknownUser (R788).  Another user's mailbox opens when its owner gave
 * the user some right other than free/busy on one of its folders
 * (store_perm_any): that is what makes a shared folder reachable, and
 * [MS-OXCPERM] gives FolderVisible on the root or IPM subtree no special
 * meaning, Outlook opening a shared Inbox or Calendar directly by id
 * (RopGetReceiveFolder, RopOpenFolder) without seeing the tree above.
 * Without any such right the answer is ecLoginPerm, as Exchange gives
 * (R1346, R3136). */
static uint32_t logon_check_essdn(rop_ctx *ctx, const char *essdn,
                                  uint8_t target[16])
{
    const cfg_mailbox *own = rop_ctx_mailbox(ctx);
    cfg_mailbox *m = NULL;
    const char *error = NULL;
    int rc, any = 0;

    memcpy(target, own->guid, 16);
    if (!essdn || !*essdn || strcasecmp(essdn, own->legacy_dn) == 0)
        return 0;
    rc = cfg_mailbox_by_legacy_dn(rop_ctx_db(ctx), rop_ctx_pool(ctx), essdn,
                                  &m, &error);
    if (rc < 0) {
        rop_ctx_note_error(ctx, error);
        return ecLoginFailure;
    }
    if (rc > 0 || !m)
        return ecUnknownUser;
    memcpy(target, m->guid, 16);
    if (memcmp(m->guid, own->guid, 16) == 0)
        return 0;
    if (store_perm_any(rop_ctx_db(ctx), rop_ctx_pool(ctx), m->guid,
                       own->guid, STORE_RIGHTS_LOGON, &any, &error)
        != STORE_OK) {
        rop_ctx_note_error(ctx, error);
        return ecLoginFailure;
    }
    return any ? 0 : ecLoginPerm;
}

/* R28/R29: a logon id already in use is released and replaced. */
static void logon_release_same_id(rop_ctx *ctx, uint8_t logon_id)
{
    apr_array_header_t *objs = NULL;
    const char *error = NULL;
    int i;

    if (sess_obj_list(rop_ctx_db(ctx), rop_ctx_pool(ctx), rop_ctx_sid(ctx),
                      &objs, &error) < 0) {
        rop_ctx_note_error(ctx, error);
        return;
    }
    for (i = 0; i < objs->nelts; i++) {
        const sess_object *so = &APR_ARRAY_IDX(objs, i, sess_object);

        if (so->type == ROP_OBJ_LOGON
            && rop_object_peek_logon_id(so) == logon_id)
            rop_obj_release(ctx, so->handle);
    }
}

/* OwnerRight and SendAsRight (R124-R127) only in one's own mailbox: a
 * user granted folders of another is a delegate without send-as. */
static int logon_wr_private(mapi_wr *out, const rop_call *call,
                            const rop_logon_req *r,
                            const store_mailbox_info *mi, int own)
{
    int i;

    rop_wr_ok_header(out, call, call->out_handle_index);
    mapi_wr_u8(out, r->logon_flags);
    for (i = 0; i < ROP_LOGON_PRIVATE_FOLDERS; i++)
        mapi_wr_u64(out, mi->folder_ids[i]);
    mapi_wr_u8(out, ROP_LOGON_RESP_RESERVED
                    | (own ? ROP_LOGON_RESP_OWNER | ROP_LOGON_RESP_SEND_AS
                           : 0));
    mapi_wr_bytes(out, mi->mailbox_guid, 16);
    mapi_wr_u16(out, STORE_REPLID);
    mapi_wr_bytes(out, mi->replica_guid, 16);
    logon_wr_time(out, apr_time_now());
    mapi_wr_u64(out, 0);          /* GwartTime: no address book changes */
    return mapi_wr_u32(out, 0);   /* StoreState */
}

static int rop_handle_logon(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_logon_req *r = call->req;
    const store_mailbox_info *mi;
    rop_object *logon;
    uint8_t target[16];
    uint32_t ec;

    /* No public folder container here (R835, R59753). */
    if (!(r->logon_flags & ROP_LOGON_PRIVATE))
        return rop_write_error_response(out, call, ecLoginFailure);
    if ((ec = logon_check_essdn(ctx, r->essdn, target)) != 0)
        return rop_write_error_response(out, call, ec);
    if (!(mi = rop_ctx_mailbox_info_of(ctx, target)))   /* R59746 */
        return rop_write_error_response(out, call, ecUnknownUser);
    if (mapi_wr_room(out) < 160)
        return -1;
    logon_release_same_id(ctx, call->logon_id);
    logon = rop_obj_new(ctx, NULL, ROP_OBJ_LOGON);
    logon->logon_id = call->logon_id;
    memcpy(logon->mbox, mi->mailbox_guid, 16);
    logon->logon_flags = r->logon_flags;
    logon->open_flags = r->open_flags;
    if ((ec = rop_obj_create(ctx, logon, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    return logon_wr_private(out, call, r, mi, rop_ctx_is_own(ctx, target));
}

/* The logon object behind the input handle (every ROP of this family
 * is issued against a logon). */
static uint32_t logon_input(rop_ctx *ctx, const rop_call *call,
                            rop_object **logon_r)
{
    return rop_obj_load(ctx, call->in_handle_index,
                        ROP_OBJ_MASK(ROP_OBJ_LOGON), logon_r);
}

static uint32_t logon_store_ec(rop_ctx *ctx, store_status st,
                               const char *error)
{
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    return store_status_ec(st);
}

static int rop_handle_get_receive_folder(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_message_class_req *r = call->req;
    const char *cls = NULL, *error = NULL;
    rop_object *logon;
    uint64_t fid = 0;
    store_status st;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    st = store_receive_folder_get(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                  logon->mbox, r->message_class, &fid, &cls,
                                  &error);
    if (st != STORE_OK)
        return rop_write_error_response(out, call,
                                        logon_store_ec(ctx, st, error));
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u64(out, fid);
    return mapi_wr_str8(out, cls ? cls : "");
}

/* [MS-OXCSTOR] 3.2.5.3: the Receive folder of "IPM" and "Report.IPM"
 * cannot be changed at all, whatever the FolderId (R272, R859); an empty
 * class with FolderId 0 is ecError (R860, R277); an IPC class cannot be
 * given a receive folder. */
static uint32_t logon_check_receive_class(const char *cls, uint64_t fid)
{
    size_t i;

    if (!cls || strlen(cls) > 255)
        return ecInvalidParam;
    for (i = 0; cls[i]; i++)
        if ((unsigned char)cls[i] < 0x20 || (unsigned char)cls[i] > 0x7E)
            return ecInvalidParam;
    if (cls[0] == '.' || (i > 0 && cls[i - 1] == '.') || strstr(cls, ".."))
        return ecInvalidParam;
    if (strcasecmp(cls, "IPM") == 0 || strcasecmp(cls, "Report.IPM") == 0)
        return ecAccessDenied;
    if (fid == 0 && !*cls)
        return ecError;
    if (strncasecmp(cls, "IPC", 3) == 0 && (cls[3] == '\0' || cls[3] == '.'))
        return ecAccessDenied;
    return 0;
}

static int rop_handle_set_receive_folder(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_set_receive_folder_req *r = call->req;
    const char *error = NULL;
    rop_object *logon;
    store_folder *f;
    store_status st;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0
        || (ec = logon_check_receive_class(r->message_class, r->folder_id)))
        return rop_write_error_response(out, call, ec);
    /* Where another user's mail arrives is theirs to say. */
    if (!rop_ctx_is_own(ctx, logon->mbox))
        return rop_write_error_response(out, call, ecAccessDenied);
    if (r->folder_id != 0) {
        st = store_folder_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), logon->mbox,
                              r->folder_id, &f, &error);
        if (st != STORE_OK)
            return rop_write_error_response(out, call,
                                            logon_store_ec(ctx, st, error));
    }
    st = store_receive_folder_set(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                  logon->mbox, r->message_class, r->folder_id,
                                  &error);
    if (st != STORE_OK)
        return rop_write_error_response(out, call,
                                        logon_store_ec(ctx, st, error));
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

/* RowCount, then rows of PidTagFolderId, PidTagMessageClass (String8),
 * PidTagLastModificationTime ([MS-OXCROPS] 2.2.3.4.2). */
static int rop_handle_get_receive_folder_table(rop_ctx *ctx, rop_call *call,
                                               mapi_wr *out)
{
    apr_array_header_t *entries = NULL;
    const char *error = NULL;
    rop_object *logon;
    store_status st;
    uint32_t ec;
    int i;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    st = store_receive_folder_list(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                   logon->mbox, &entries, &error);
    if (st != STORE_OK)
        return rop_write_error_response(out, call,
                                        logon_store_ec(ctx, st, error));
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u32(out, (uint32_t)entries->nelts);
    for (i = 0; i < entries->nelts; i++) {
        const store_receive_entry *e = &APR_ARRAY_IDX(entries, i,
                                                      store_receive_entry);
        mapi_wr_u8(out, ROP_ROW_STANDARD);
        mapi_wr_u64(out, e->fid);
        mapi_wr_str8(out, e->message_class);
        mapi_wr_u64(out, store_filetime(e->changed));
    }
    return out->failed ? -1 : 0;
}

static int rop_handle_get_store_state(rop_ctx *ctx, rop_call *call,
                                      mapi_wr *out)
{
    rop_object *logon;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u32(out, 0);   /* no search folders being built */
}

/* R892: a private mailbox may answer; its one "server" is the mailbox's
 * own, named by the organisation's DN prefix. */
static int rop_handle_get_owning_servers(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_id_req *r = call->req;
    const char *error = NULL;
    rop_object *logon;
    store_folder *f;
    store_status st;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    st = store_folder_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), logon->mbox,
                          r->id, &f, &error);
    if (st != STORE_OK)
        return rop_write_error_response(out, call,
                                        logon_store_ec(ctx, st, error));
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, 1);          /* OwningServersCount */
    mapi_wr_u16(out, 1);          /* CheapServersCount */
    return mapi_wr_str8(out, rop_ctx_dn_prefix(ctx));
}

static int rop_handle_public_folder_is_ghosted(rop_ctx *ctx, rop_call *call,
                                               mapi_wr *out)
{
    rop_object *logon;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u8(out, 0);    /* IsGhosted: private folders never are */
}

static int rop_handle_long_term_id_from_id(rop_ctx *ctx, rop_call *call,
                                           mapi_wr *out)
{
    const rop_id_req *r = call->req;
    const store_mailbox_info *mi;
    rop_long_term_id ltid;
    rop_object *logon;
    const char *error = NULL;
    store_status st;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    if (!(mi = rop_ctx_mailbox_info_of(ctx, logon->mbox)))
        return rop_write_error_response(out, call, ecError);
    /* Another replica's id converts through the REPLID map (R950). */
    st = store_ltid_from_id_db(rop_ctx_db(ctx), rop_ctx_pool(ctx), mi, r->id,
                               &ltid, &error);
    if (st != STORE_OK) {
        if (error)
            rop_ctx_note_error(ctx, error);
        return rop_write_error_response(out, call, store_status_ec(st));
    }
    rop_wr_ok_header(out, call, call->in_handle_index);
    return rop_wr_long_term_id(out, &ltid);
}

static int rop_handle_id_from_long_term_id(rop_ctx *ctx, rop_call *call,
                                           mapi_wr *out)
{
    const rop_ltid_req *r = call->req;
    const store_mailbox_info *mi;
    rop_object *logon;
    uint64_t id;
    const char *error = NULL;
    store_status st;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    if (!(mi = rop_ctx_mailbox_info_of(ctx, logon->mbox)))
        return rop_write_error_response(out, call, ecError);
    /* A REPLGUID seen for the first time gets a REPLID (R950, R1246). */
    st = store_id_from_ltid_db(rop_ctx_db(ctx), rop_ctx_pool(ctx), mi,
                               &r->ltid, &id, &error);
    if (st != STORE_OK) {
        if (error)
            rop_ctx_note_error(ctx, error);
        return rop_write_error_response(out, call, store_status_ec(st));
    }
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u64(out, id);
}

/* Per-user data describes public folders' read state cached in the
 * private mailbox ([MS-OXCSTOR] 3.2.5.12-3.2.5.15).  This server hosts no
 * public folders, so the table is empty: no LTIDs, no GUIDs, no data. */
static int rop_handle_get_per_user_ltids(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    rop_object *logon;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    if (!(logon->logon_flags & ROP_LOGON_PRIVATE))   /* R59770 */
        return rop_write_error_response(out, call, ecNotSupported);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u16(out, 0);   /* LongTermIdCount */
}

static int rop_handle_get_per_user_guid(rop_ctx *ctx, rop_call *call,
                                        mapi_wr *out)
{
    rop_object *logon;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    if (!(logon->logon_flags & ROP_LOGON_PRIVATE))   /* R961 */
        return rop_write_error_response(out, call, ecNotSupported);
    /* R963: no row for a folder of no public store. */
    return rop_write_error_response(out, call, ecNotFound);
}

static int rop_handle_read_per_user_info(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    rop_object *logon;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u8(out, 1);           /* HasFinished */
    return mapi_wr_u16(out, 0);   /* DataSize */
}

/* Nothing to write to: the public folder named has no replica here. */
static int rop_handle_write_per_user_info(rop_ctx *ctx, rop_call *call,
                                          mapi_wr *out)
{
    rop_object *logon;
    uint32_t ec;

    if ((ec = logon_input(ctx, call, &logon)) != 0)
        return rop_write_error_response(out, call, ec);
    return rop_write_error_response(out, call, ecNotFound);
}

const rop_def rop_logon_defs[] = {
    { ROP_ID_LOGON, ROP_F_OUT_HANDLE | ROP_F_NO_INPUT, "RopLogon",
      rop_parse_logon, rop_handle_logon, 0 },
    { ROP_ID_GET_RECEIVE_FOLDER, 0, "RopGetReceiveFolder",
      rop_parse_get_receive_folder, rop_handle_get_receive_folder, 0 },
    { ROP_ID_SET_RECEIVE_FOLDER, 0, "RopSetReceiveFolder",
      rop_parse_set_receive_folder, rop_handle_set_receive_folder, 0 },
    { ROP_ID_GET_RECEIVE_FOLDER_TABLE, 0, "RopGetReceiveFolderTable",
      rop_parse_hdr_only, rop_handle_get_receive_folder_table, 0 },
    { ROP_ID_GET_STORE_STATE, 0, "RopGetStoreState",
      rop_parse_hdr_only, rop_handle_get_store_state, 0 },
    { ROP_ID_GET_OWNING_SERVERS, 0, "RopGetOwningServers",
      rop_parse_id, rop_handle_get_owning_servers, 0 },
    { ROP_ID_PUBLIC_FOLDER_IS_GHOSTED, 0, "RopPublicFolderIsGhosted",
      rop_parse_id, rop_handle_public_folder_is_ghosted, 0 },
    { ROP_ID_LONG_TERM_ID_FROM_ID, 0, "RopLongTermIdFromId",
      rop_parse_id, rop_handle_long_term_id_from_id, 0 },
    { ROP_ID_ID_FROM_LONG_TERM_ID, 0, "RopIdFromLongTermId",
      rop_parse_ltid, rop_handle_id_from_long_term_id, 0 },
    { ROP_ID_GET_PER_USER_LONG_TERM_IDS, 0, "RopGetPerUserLongTermIds",
      rop_parse_get_per_user_ltids, rop_handle_get_per_user_ltids, 0 },
    { ROP_ID_GET_PER_USER_GUID, 0, "RopGetPerUserGuid",
      rop_parse_ltid, rop_handle_get_per_user_guid, 0 },
    { ROP_ID_READ_PER_USER_INFORMATION, 0, "RopReadPerUserInformation",
      rop_parse_read_per_user_info, rop_handle_read_per_user_info, 0 },
    { ROP_ID_WRITE_PER_USER_INFORMATION, 0, "RopWritePerUserInformation",
      rop_parse_write_per_user_info, rop_handle_write_per_user_info, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
