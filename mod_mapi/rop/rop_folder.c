/*
 * rop_folder.c: folder ROPs ([MS-OXCROPS] 2.2.4).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include "rop_ids.h"
#include "rop_folder.h"
#include "rop_object.h"
#include "rop_permission.h"
#include "rop_table.h"
#include "wire/mapi_tags.h"

/* Failure responses of the ROPs that may partly complete carry a
 * PartialCompletion byte after ReturnValue. */
#define ROP_TAIL_PARTIAL 1

static int rop_parse_open_folder(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_open_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u64(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->open_mode_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_create_folder(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_create_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->folder_type);
    mapi_rd_u8(rd, &r->use_unicode);
    mapi_rd_u8(rd, &r->open_existing);
    mapi_rd_u8(rd, &r->reserved);
    if (rd->failed
        || rop_rd_str(rd, pool, r->use_unicode, &r->display_name) < 0)
        return -1;
    return rop_rd_str(rd, pool, r->use_unicode, &r->comment);
}

static int rop_parse_delete_folder(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_delete_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->delete_folder_flags);
    mapi_rd_u64(rd, &r->folder_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_search_criteria(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_set_search_criteria_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0
        || rop_rd_restriction_sized(rd, pool, &r->restriction) < 0
        || rop_rd_u64_array(rd, pool, &r->folder_id_count, &r->folder_ids) < 0)
        return -1;
    return mapi_rd_u32(rd, &r->search_flags);
}

static int rop_parse_get_search_criteria(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_get_search_criteria_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->use_unicode);
    mapi_rd_u8(rd, &r->include_restriction);
    mapi_rd_u8(rd, &r->include_folders);
    return rd->failed ? -1 : 0;
}

static int rop_parse_move_copy_messages(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_move_copy_messages_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_src_dst(rd, call) < 0
        || rop_rd_u64_array(rd, pool, &r->message_id_count,
                            &r->message_ids) < 0)
        return -1;
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_copy);
    return rd->failed ? -1 : 0;
}

static int rop_parse_move_folder(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_move_copy_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->use_unicode);
    if (mapi_rd_u64(rd, &r->folder_id) < 0 || rd->failed)
        return -1;
    return rop_rd_str(rd, pool, r->use_unicode, &r->new_folder_name);
}

static int rop_parse_copy_folder(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_move_copy_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_recursive);
    mapi_rd_u8(rd, &r->use_unicode);
    if (mapi_rd_u64(rd, &r->folder_id) < 0 || rd->failed)
        return -1;
    return rop_rd_str(rd, pool, r->use_unicode, &r->new_folder_name);
}

static int rop_parse_empty_folder(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_empty_folder_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_delete_associated);
    return rd->failed ? -1 : 0;
}

static int rop_parse_delete_messages(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_delete_messages_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->notify_non_read);
    if (rd->failed)
        return -1;
    return rop_rd_u64_array(rd, pool, &r->message_id_count, &r->message_ids);
}

int rop_parse_table_flags(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_table_flags_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->table_flags);
    return rd->failed ? -1 : 0;
}

/* ==== handlers ========================================================= */

#define FOLDER_OPEN_SOFT_DELETED   0x04   /* OpenModeFlags */
#define FOLDER_DEL_MESSAGES        0x01   /* DeleteFolderFlags */
#define FOLDER_DEL_FOLDERS         0x04
#define FOLDER_DEL_HARD            0x10

#define FOLDER_MASK   ROP_OBJ_MASK(ROP_OBJ_FOLDER)
#define CONTAINER_MASK (ROP_OBJ_MASK(ROP_OBJ_FOLDER) | \
                        ROP_OBJ_MASK(ROP_OBJ_LOGON))

static uint32_t folder_ec(rop_ctx *ctx, store_status st, const char *error)
{
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    return store_status_ec(st);
}

/* Live or soft-deleted (OpenSoftDeleted, hard delete of a tombstone). */
static uint32_t folder_get_any(rop_ctx *ctx, const uint8_t *mbox,
                               uint64_t fid, store_folder **f_r)
{
    const char *error = NULL;
    store_status st = store_folder_get_any(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                           mbox, fid, f_r, &error);

    return st == STORE_OK ? 0 : folder_ec(ctx, st, error);
}

static uint32_t folder_get(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                           store_folder **f_r)
{
    const char *error = NULL;
    store_status st = store_folder_get(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                       mbox, fid, f_r, &error);

    return st == STORE_OK ? 0 : folder_ec(ctx, st, error);
}

/* HasRules and IsGhosted ([MS-OXCROPS] 2.2.4.1.2): private folders are
 * never ghosted; rules arrive with issue 5. */
static void folder_wr_open_tail(mapi_wr *out)
{
    mapi_wr_u8(out, 0);
    mapi_wr_u8(out, 0);
}

/* ---- search folders ([MS-OXCFOLD] 3.2.5.4, 3.2.5.5) ---------------------- */

#define FOLDER_EC_NOT_SEARCH_FOLDER    0x00000461u   /* R569 */
#define FOLDER_EC_SEARCH_FOLDER        0x00000460u   /* R1245 */
#define FOLDER_EC_SCOPE_VIOLATION      0x00000490u   /* R1243 */

/* The search folder behind the call's handle: ecNotSearchFolder for a
 * generic folder (R570, R580); non-folders fail the type check with
 * ecNotSupported (R574, R582). */
static uint32_t folder_load_search(rop_ctx *ctx, const rop_call *call,
                                   rop_object **obj_r)
{
    store_folder *f;
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index, FOLDER_MASK,
                               obj_r);

    if (ec == 0)
        ec = folder_get(ctx, (*obj_r)->mbox, (*obj_r)->fid, &f);
    if (ec == 0 && f->folder_type != STORE_FOLDER_SEARCH)
        ec = FOLDER_EC_NOT_SEARCH_FOLDER;
    return ec;
}

/* R765, R769, R771, R773, R1204, R1207: the exclusive pairs; R116 (SHOULD,
 * R116001): undefined bits. */
static uint32_t folder_search_flags_ok(uint32_t f)
{
    if ((f & ~STORE_SEARCH_SET_VALID)
        || (f & (STORE_SEARCH_STOP | STORE_SEARCH_RESTART))
           == (STORE_SEARCH_STOP | STORE_SEARCH_RESTART)
        || (f & (STORE_SEARCH_RECURSIVE | STORE_SEARCH_SHALLOW))
           == (STORE_SEARCH_RECURSIVE | STORE_SEARCH_SHALLOW)
        || (f & (STORE_SEARCH_CONTENT_INDEXED | STORE_SEARCH_NON_CI))
           == (STORE_SEARCH_CONTENT_INDEXED | STORE_SEARCH_NON_CI))
        return ecInvalidParam;
    return 0;
}

/* The scope: every folder must exist, and not be the search folder
 * itself (R1233, R1242 SHOULD, R124201). */
static uint32_t folder_search_scope_ok(rop_ctx *ctx, const rop_object *sf,
                                       const uint64_t *fids, uint16_t n)
{
    store_folder *f;
    uint32_t ec;

    for (uint16_t i = 0; i < n; i++) {
        if (fids[i] == sf->fid)
            return FOLDER_EC_SCOPE_VIOLATION;
        if ((ec = folder_get(ctx, sf->mbox, fids[i], &f)) != 0)
            return ec;
    }
    return n > STORE_SEARCH_FOLDERS_MAX ? ecTooComplex : 0;
}

/* Builds the criteria to store from the request and the previous ones:
 * no FIDs reuse the previous scope (R1241) and are ecNotInitialized the
 * first time (R110, R1240); no restriction reuses the previous one
 * (R105); missing flags take the defaults, RESTART and SHALLOW (R1198,
 * R1200, R1239). */
static uint32_t folder_search_build(rop_ctx *ctx,
                                    const rop_set_search_criteria_req *r,
                                    const store_search *prev,
                                    store_search *s, int *restart_r)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    uint32_t f = r->search_flags;

    memset(s, 0, sizeof(*s));
    if (r->folder_id_count) {
        s->n_folders = r->folder_id_count;
        s->folders = apr_pmemdup(pool, r->folder_ids,
                                 sizeof(uint64_t) * r->folder_id_count);
    } else if (prev) {
        s->n_folders = prev->n_folders;
        s->folders = prev->folders;
    } else {
        return ecNotInitialized;
    }
    if (r->restriction)
        s->restriction = rop_restriction_dup(pool, r->restriction);
    else if (prev)
        s->restriction = prev->restriction;
    s->flags = f & (STORE_SEARCH_RECURSIVE | STORE_SEARCH_STATIC
                    | STORE_SEARCH_CONTENT_INDEXED | STORE_SEARCH_NON_CI);
    s->stopped = (f & STORE_SEARCH_STOP) != 0;
    *restart_r = !s->stopped;
    /* A stop leaves a static snapshot as it was (R543, R1098). */
    if (prev && s->stopped && prev->frozen) {
        s->frozen = 1;
        s->n_mids = prev->n_mids;
        s->mids = prev->mids;
    }
    return 0;
}

static int rop_handle_set_search_criteria(rop_ctx *ctx, rop_call *call,
                                          mapi_wr *out)
{
    const rop_set_search_criteria_req *r = call->req;
    store_search *prev = NULL, s;
    const char *error = NULL;
    rop_object *sf;
    store_status st;
    int restart = 1;
    uint32_t ec;

    if ((ec = folder_load_search(ctx, call, &sf)) != 0
        || (ec = folder_search_flags_ok(r->search_flags)) != 0
        || (ec = folder_search_scope_ok(ctx, sf, r->folder_ids,
                                        r->folder_id_count)) != 0)
        return rop_write_error_response(out, call, ec);
    /* R572: a restriction too complex for the server. */
    if (rop_ctx_restriction_too_deep(ctx, r->restriction))
        return rop_write_error_response(out, call, ecTooComplex);
    st = store_search_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), sf->mbox,
                          sf->fid, &prev, &error);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return rop_write_error_response(out, call, folder_ec(ctx, st, error));
    if ((ec = folder_search_build(ctx, r, st == STORE_OK ? prev : NULL, &s,
                                  &restart)) != 0)
        return rop_write_error_response(out, call, ec);
    st = store_search_set(rop_ctx_db(ctx), rop_ctx_pool(ctx), sf->mbox,
                          sf->fid, &s, restart, &error);
    if (st != STORE_OK)
        return rop_write_error_response(out, call, folder_ec(ctx, st, error));
    rop_wr_ok_header(out, call, call->in_handle_index);
    return out->failed ? -1 : 0;
}

/* The restriction as the client asked its strings (UseUnicode, R715):
 * PtypString and PtypString8 carry the same UTF-8 here, so only the
 * tags change. */
static void folder_restriction_strings(rop_restriction *r, int unicode);

static void folder_propval_strings(rop_propval *v, int unicode)
{
    uint16_t t = ROP_PROP_TYPE(v->tag);
    uint16_t want = unicode ? ROP_PT_UNICODE : ROP_PT_STRING8;

    if ((t & (uint16_t)~ROP_PT_MV_FLAG) == ROP_PT_UNICODE
        || (t & (uint16_t)~ROP_PT_MV_FLAG) == ROP_PT_STRING8)
        v->tag = (v->tag & 0xFFFF0000u) | (t & ROP_PT_MV_FLAG) | want;
}

static void folder_restriction_strings(rop_restriction *r, int unicode)
{
    if (!r)
        return;
    switch (r->type) {
    case ROP_RES_AND:
    case ROP_RES_OR:
        for (uint16_t i = 0; i < r->u.andor.count; i++)
            folder_restriction_strings(&r->u.andor.subs[i], unicode);
        break;
    case ROP_RES_NOT:
        folder_restriction_strings(r->u.not_sub, unicode);
        break;
    case ROP_RES_CONTENT:
        folder_propval_strings(&r->u.content.val, unicode);
        r->u.content.tag = r->u.content.val.tag;
        break;
    case ROP_RES_PROPERTY:
        folder_propval_strings(&r->u.property.val, unicode);
        r->u.property.tag = r->u.property.val.tag;
        break;
    case ROP_RES_SUBOBJECT:
        folder_restriction_strings(r->u.subobject.sub, unicode);
        break;
    case ROP_RES_COMMENT:
        folder_restriction_strings(r->u.comment.sub, unicode);
        break;
    case ROP_RES_COUNT:
        folder_restriction_strings(r->u.count.sub, unicode);
        break;
    default:
        break;
    }
}

/* RestrictionDataSize u16, RestrictionData, LogonId u8, FolderIdCount u16,
 * FolderIds, SearchFlags u32 ([MS-OXCROPS] 2.2.4.5.2). */
static int rop_handle_get_search_criteria(rop_ctx *ctx, rop_call *call,
                                          mapi_wr *out)
{
    const rop_get_search_criteria_req *r = call->req;
    const char *error = NULL;
    store_search *s;
    rop_object *sf;
    store_status st;
    mapi_wr res;
    uint32_t ec;

    if ((ec = folder_load_search(ctx, call, &sf)) != 0)
        return rop_write_error_response(out, call, ec);
    st = store_search_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), sf->mbox,
                          sf->fid, &s, &error);
    if (st == STORE_NOT_FOUND) {
        s = apr_pcalloc(rop_ctx_pool(ctx), sizeof(*s));
        s->stopped = 1;          /* never started: nothing to report */
    } else if (st != STORE_OK) {
        return rop_write_error_response(out, call, folder_ec(ctx, st, error));
    }
    mapi_wr_init(&res, rop_ctx_pool(ctx), 0xFFFF);
    if (r->include_restriction && s->restriction) {       /* R1103, R136 */
        folder_restriction_strings(s->restriction, r->use_unicode);
        rop_wr_restriction(&res, s->restriction);
    }
    if (res.failed)
        return rop_write_error_response(out, call, ecTooComplex);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, (uint16_t)res.len);
    mapi_wr_bytes(out, res.buf, res.len);
    mapi_wr_u8(out, call->logon_id);                      /* R735 */
    if (!r->include_folders) {                            /* R1104, R139 */
        mapi_wr_u16(out, 0);
    } else {
        mapi_wr_u16(out, s->n_folders);
        for (uint16_t i = 0; i < s->n_folders; i++)
            mapi_wr_u64(out, s->folders[i]);
    }
    mapi_wr_u32(out, st == STORE_OK ? store_search_state(s) : 0);
    return out->failed ? -1 : 0;
}

/* Whether folder object f holds message m: its own, or one a search
 * folder shows (R1216: a search folder is a valid source). */
static int folder_holds(rop_ctx *ctx, const rop_object *f,
                        const store_message *m)
{
    store_folder *sf;

    if (m->fid == f->fid)
        return 1;
    return folder_get(ctx, f->mbox, f->fid, &sf) == 0
           && sf->folder_type == STORE_FOLDER_SEARCH
           && store_search_holds(rop_ctx_db(ctx), rop_ctx_pool(ctx), f->mbox,
                                 f->fid, m->mid);
}

/* R121801, R121802: a search folder is never a destination
 * (ecSearchFolder, R1246). */
static uint32_t folder_dest_not_search(rop_ctx *ctx, const rop_object *dst)
{
    store_folder *f;
    uint32_t ec = folder_get(ctx, dst->mbox, dst->fid, &f);

    if (ec == 0 && f->folder_type == STORE_FOLDER_SEARCH)
        ec = FOLDER_EC_SEARCH_FOLDER;
    return ec;
}

/* [MS-OXCFOLD] 3.2.5.1: any folder of the logon's mailbox can be opened
 * from the logon or from any folder object. */
static int rop_handle_open_folder(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_open_folder_req *r = call->req;
    rop_object *in, *obj;
    store_folder *f;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index, CONTAINER_MASK, &in))
        || (ec = (r->open_mode_flags & FOLDER_OPEN_SOFT_DELETED)   /* R22003 */
                 ? folder_get_any(ctx, in->mbox, r->folder_id, &f)
                 : folder_get(ctx, in->mbox, r->folder_id, &f))
        || (ec = rop_perm_need(ctx, in->mbox, f->fid,       /* R1120 */
                               STORE_RIGHT_FOLDER_VISIBLE)))
        return rop_write_error_response(out, call, ec);
    if (f->deleted && !(r->open_mode_flags & FOLDER_OPEN_SOFT_DELETED))
        return rop_write_error_response(out, call, ecNotFound);
    if (mapi_wr_room(out) < 8)
        return -1;
    obj = rop_obj_new(ctx, in, ROP_OBJ_FOLDER);
    obj->fid = f->fid;
    if ((ec = rop_obj_create(ctx, obj, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->out_handle_index);
    folder_wr_open_tail(out);
    return out->failed ? -1 : 0;
}

static int rop_handle_create_folder(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_create_folder_req *r = call->req;
    const char *error = NULL;
    rop_object *parent, *obj;
    uint64_t fid = 0;
    store_status st;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index, FOLDER_MASK, &parent))
        || (ec = rop_perm_need(ctx, parent->mbox, parent->fid,    /* R119 */
                               STORE_RIGHT_CREATE_SUBFOLDER)))
        return rop_write_error_response(out, call, ec);
    if ((r->folder_type != STORE_FOLDER_GENERIC
         && r->folder_type != STORE_FOLDER_SEARCH)
        || !r->display_name || !*r->display_name)
        return rop_write_error_response(out, call, ecInvalidParam);
    if (mapi_wr_room(out) < 20)
        return -1;
    st = store_folder_create(rop_ctx_db(ctx), rop_ctx_pool(ctx), parent->mbox,
                             parent->fid, r->folder_type, r->display_name,
                             r->comment, &fid, &error);
    /* R: OpenExisting turns a name clash into opening that folder. */
    if (st == STORE_EXISTS && !r->open_existing)
        return rop_write_error_response(out, call, ecDuplicateName);
    if (st != STORE_OK && st != STORE_EXISTS)
        return rop_write_error_response(out, call, folder_ec(ctx, st, error));
    obj = rop_obj_new(ctx, parent, ROP_OBJ_FOLDER);
    obj->fid = fid;
    if ((ec = rop_obj_create(ctx, obj, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->out_handle_index);
    mapi_wr_u64(out, fid);
    /* [MS-OXCFOLD] R1197: IsExistingFolder is always zero in a private
     * mailbox, even when OpenExisting found the folder; so HasRules and
     * IsGhosted (present only when it is nonzero, R926) never follow. */
    return mapi_wr_u8(out, 0);
}

/* Success or failure of the ROPs whose response ends in
 * PartialCompletion. */
static int folder_wr_partial(mapi_wr *out, const rop_call *call,
                             uint8_t index, uint32_t ec, int partial)
{
    mapi_wr_u8(out, call->rop_id);
    mapi_wr_u8(out, index);
    mapi_wr_u32(out, ec);
    return mapi_wr_u8(out, partial ? 1 : 0);
}

static unsigned folder_store_flags(uint8_t wire)
{
    return ((wire & FOLDER_DEL_MESSAGES) ? STORE_DEL_MESSAGES : 0)
           | ((wire & FOLDER_DEL_FOLDERS) ? STORE_DEL_FOLDERS : 0)
           | ((wire & FOLDER_DEL_HARD) ? STORE_DEL_HARD : 0);
}

static int rop_handle_delete_folder(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_delete_folder_req *r = call->req;
    const char *error = NULL;
    rop_object *parent;
    store_folder *f;
    store_status st;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index, FOLDER_MASK, &parent))
        || (ec = (r->delete_folder_flags & FOLDER_DEL_HARD)      /* R764 */
                 ? folder_get_any(ctx, parent->mbox, r->folder_id, &f)
                 : folder_get(ctx, parent->mbox, r->folder_id, &f))
        || (ec = rop_perm_need(ctx, parent->mbox, f->fid,
                               STORE_RIGHT_FOLDER_OWNER)))
        return rop_write_error_response(out, call, ec);
    /* [MS-OXCFOLD] R1234: undefined DeleteFolderFlags bits are refused. */
    if (r->delete_folder_flags & ~(FOLDER_DEL_MESSAGES | FOLDER_DEL_FOLDERS
                                   | FOLDER_DEL_HARD))
        return rop_write_error_response(out, call, ecInvalidParam);
    /* [MS-OXCFOLD] 3.2.5.3: the folder is a subfolder of the input one. */
    if (f->parent_fid != parent->fid)
        return rop_write_error_response(out, call, ecNotFound);
    st = store_folder_delete(rop_ctx_db(ctx), rop_ctx_pool(ctx), parent->mbox,
                             r->folder_id,
                             folder_store_flags(r->delete_folder_flags),
                             &error);
    /* A folder that still has content is not deleted: success with
     * PartialCompletion, as Exchange answers ([MS-OXCFOLD] 3.2.5.3). */
    if (st == STORE_NOT_EMPTY)
        return folder_wr_partial(out, call, call->in_handle_index, 0, 1);
    if (st != STORE_OK)
        return rop_write_error_response(out, call, folder_ec(ctx, st, error));
    return folder_wr_partial(out, call, call->in_handle_index, 0, 0);
}

/* The destination folder of a move or copy; ecDstNullObject when its
 * handle names nothing. */
static uint32_t folder_dest(rop_ctx *ctx, const rop_call *call,
                            rop_object **dst_r)
{
    uint32_t ec = rop_obj_load(ctx, call->dest_handle_index, FOLDER_MASK,
                               dst_r);

    return ec == ecNullObject ? ROP_EC_DST_NULL_OBJECT : ec;
}

/* Both folders of one mailbox: the store moves within a mailbox, and a
 * move between another user's mailbox and one's own is a copy the
 * client makes (read, create, delete). */
static uint32_t folder_same_store(const rop_object *src, const rop_object *dst)
{
    return memcmp(src->mbox, dst->mbox, STORE_GUID_LEN) ? ecNotSupported : 0;
}

static int rop_handle_move_copy_messages(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_move_copy_messages_req *r = call->req;
    const char *error = NULL;
    rop_object *src, *dst;
    store_message *m;
    uint64_t new_mid;
    int partial = 0;
    uint16_t i;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index, FOLDER_MASK, &src))
        || (ec = folder_dest(ctx, call, &dst))
        || (ec = folder_dest_not_search(ctx, dst))
        || (ec = folder_same_store(src, dst))
        || (ec = rop_perm_need(ctx, dst->mbox, dst->fid,
                               STORE_RIGHT_CREATE)))
        return rop_write_error_response(out, call, ec);
    for (i = 0; i < r->message_id_count; i++) {
        if (store_message_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), src->mbox,
                              r->message_ids[i], &m, &error) != STORE_OK
            || !folder_holds(ctx, src, m)
            /* Rights are the message's own folder's (a search folder
             * lists messages of other folders). */
            || rop_perm_message(ctx, src->mbox, m->fid, m, r->want_copy
                                ? STORE_PERM_READ : STORE_PERM_DELETE)
            || store_message_move(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                  src->mbox, r->message_ids[i], dst->fid,
                                  r->want_copy, &new_mid, &error) != STORE_OK)
            partial = 1;
    }
    return folder_wr_partial(out, call, call->in_handle_index, 0, partial);
}

static int folder_move_copy(rop_ctx *ctx, rop_call *call, mapi_wr *out,
                            int copy)
{
    const rop_move_copy_folder_req *r = call->req;
    const char *error = NULL;
    rop_object *src, *dst;
    store_folder *f;
    store_status st;
    uint64_t new_fid;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index, FOLDER_MASK, &src))
        || (ec = folder_dest(ctx, call, &dst))
        || (ec = folder_same_store(src, dst))
        || (ec = folder_get(ctx, src->mbox, r->folder_id, &f))
        || (ec = rop_perm_need(ctx, dst->mbox, dst->fid,
                               STORE_RIGHT_CREATE_SUBFOLDER))
        || (ec = rop_perm_need(ctx, src->mbox, f->fid, copy
                               ? STORE_RIGHT_READ_ANY
                               : STORE_RIGHT_FOLDER_OWNER)))
        return rop_write_error_response(out, call, ec);
    if (f->parent_fid != src->fid)
        return rop_write_error_response(out, call, ecNotFound);
    if (copy)
        st = store_folder_copy(rop_ctx_db(ctx), rop_ctx_pool(ctx), src->mbox,
                               r->folder_id, dst->fid, r->new_folder_name,
                               r->want_recursive, &new_fid, &error);
    else
        st = store_folder_move(rop_ctx_db(ctx), rop_ctx_pool(ctx), src->mbox,
                               r->folder_id, dst->fid, r->new_folder_name,
                               &error);
    if (st == STORE_EXISTS)
        return rop_write_error_response(out, call, ecDuplicateName);
    if (st != STORE_OK)
        return rop_write_error_response(out, call, folder_ec(ctx, st, error));
    return folder_wr_partial(out, call, call->in_handle_index, 0, 0);
}

static int rop_handle_move_folder(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    return folder_move_copy(ctx, call, out, 0);
}

static int rop_handle_copy_folder(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    return folder_move_copy(ctx, call, out, 1);
}

/* [MS-OXCFOLD] 3.2.5.9: RopEmptyFolder on the Root folder (R1248) or on
 * a search folder (R1249) SHOULD be ecNotSupported. */
static uint32_t folder_empty_allowed(rop_ctx *ctx, const rop_object *obj)
{
    store_folder *f;
    uint32_t ec = folder_get(ctx, obj->mbox, obj->fid, &f);

    if (ec != 0)
        return ec;
    if (f->parent_fid == 0 || f->folder_type == STORE_FOLDER_SEARCH)
        return ecNotSupported;
    return 0;
}

static int folder_empty(rop_ctx *ctx, rop_call *call, mapi_wr *out,
                        unsigned hard)
{
    const rop_empty_folder_req *r = call->req;
    const char *error = NULL;
    rop_object *f;
    store_status st;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index, FOLDER_MASK, &f))
        || (ec = rop_perm_need(ctx, f->mbox, f->fid,
                               STORE_RIGHT_DELETE_ANY))
        || (!hard && (ec = folder_empty_allowed(ctx, f))))
        return rop_write_error_response(out, call, ec);
    st = store_folder_empty(rop_ctx_db(ctx), rop_ctx_pool(ctx), f->mbox,
                            f->fid, STORE_DEL_MESSAGES | STORE_DEL_FOLDERS
                            | hard, r->want_delete_associated, &error);
    if (st != STORE_OK && st != STORE_NOT_EMPTY)
        return rop_write_error_response(out, call, folder_ec(ctx, st, error));
    return folder_wr_partial(out, call, call->in_handle_index, 0,
                             st == STORE_NOT_EMPTY);
}

static int rop_handle_empty_folder(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    return folder_empty(ctx, call, out, 0);
}

static int rop_handle_hard_delete_messages_and_subfolders(rop_ctx *ctx,
                                                          rop_call *call,
                                                          mapi_wr *out)
{
    return folder_empty(ctx, call, out, STORE_DEL_HARD);
}

/* Messages not in the folder are skipped and reported through
 * PartialCompletion ([MS-OXCFOLD] 3.2.5.11). */
static int rop_handle_delete_messages(rop_ctx *ctx, rop_call *call,
                                      mapi_wr *out)
{
    const rop_delete_messages_req *r = call->req;
    const char *error = NULL;
    rop_object *f;
    store_message *m;
    int partial = 0;
    uint16_t i, denied = 0;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index, FOLDER_MASK, &f)))
        return rop_write_error_response(out, call, ec);
    for (i = 0; i < r->message_id_count; i++) {
        if (store_message_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), f->mbox,
                              r->message_ids[i], &m, &error) != STORE_OK
            || !folder_holds(ctx, f, m)
            || (rop_perm_message(ctx, f->mbox, m->fid, m, STORE_PERM_DELETE)
                && ++denied)
            || store_message_delete(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                    f->mbox, r->message_ids[i], &error)
               != STORE_OK)
            partial = 1;
    }
    /* R122, R128: nothing deleted for want of rights is a denial; some
     * deleted, some not, a partial completion. */
    if (denied && denied == r->message_id_count)
        return rop_write_error_response(out, call, ecAccessDenied);
    return folder_wr_partial(out, call, call->in_handle_index, 0, partial);
}

const rop_def rop_folder_defs[] = {
    { ROP_ID_OPEN_FOLDER, ROP_F_OUT_HANDLE, "RopOpenFolder",
      rop_parse_open_folder, rop_handle_open_folder, 0 },
    { ROP_ID_CREATE_FOLDER, ROP_F_OUT_HANDLE, "RopCreateFolder",
      rop_parse_create_folder, rop_handle_create_folder, 0 },
    { ROP_ID_DELETE_FOLDER, 0, "RopDeleteFolder",
      rop_parse_delete_folder, rop_handle_delete_folder, ROP_TAIL_PARTIAL },
    { ROP_ID_SET_SEARCH_CRITERIA, 0, "RopSetSearchCriteria",
      rop_parse_set_search_criteria, rop_handle_set_search_criteria, 0 },
    { ROP_ID_GET_SEARCH_CRITERIA, 0, "RopGetSearchCriteria",
      rop_parse_get_search_criteria, rop_handle_get_search_criteria, 0 },
    { ROP_ID_MOVE_COPY_MESSAGES, ROP_F_DEST_HANDLE, "RopMoveCopyMessages",
      rop_parse_move_copy_messages, rop_handle_move_copy_messages, ROP_TAIL_PARTIAL },
    { ROP_ID_MOVE_FOLDER, ROP_F_DEST_HANDLE, "RopMoveFolder",
      rop_parse_move_folder, rop_handle_move_folder, ROP_TAIL_PARTIAL },
    { ROP_ID_COPY_FOLDER, ROP_F_DEST_HANDLE, "RopCopyFolder",
      rop_parse_copy_folder, rop_handle_copy_folder, ROP_TAIL_PARTIAL },
    { ROP_ID_EMPTY_FOLDER, 0, "RopEmptyFolder",
      rop_parse_empty_folder, rop_handle_empty_folder, ROP_TAIL_PARTIAL },
    { ROP_ID_HARD_DELETE_MESSAGES_AND_SUBFOLDERS, 0,
      "RopHardDeleteMessagesAndSubfolders",
      rop_parse_empty_folder, rop_handle_hard_delete_messages_and_subfolders, ROP_TAIL_PARTIAL },
    { ROP_ID_DELETE_MESSAGES, 0, "RopDeleteMessages",
      rop_parse_delete_messages, rop_handle_delete_messages, ROP_TAIL_PARTIAL },
    { ROP_ID_HARD_DELETE_MESSAGES, 0, "RopHardDeleteMessages",
      rop_parse_delete_messages, rop_handle_delete_messages, ROP_TAIL_PARTIAL },
    { ROP_ID_GET_HIERARCHY_TABLE, ROP_F_OUT_HANDLE, "RopGetHierarchyTable",
      rop_parse_table_flags, rop_handle_get_hierarchy_table, 0 },
    { ROP_ID_GET_CONTENTS_TABLE, ROP_F_OUT_HANDLE, "RopGetContentsTable",
      rop_parse_table_flags, rop_handle_get_contents_table, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
