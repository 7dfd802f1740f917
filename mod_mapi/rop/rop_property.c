/*
 * rop_property.c: property ROPs ([MS-OXCROPS] 2.2.8).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_property.h"
#include "rop_object.h"
#include "store/store_table.h"
#include "wire/mapi_tags.h"
#include <string.h>

static int rop_parse_get_propids_from_names(mapi_rd *rd, apr_pool_t *pool,
                                            rop_call *call)
{
    rop_get_propids_from_names_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t i;

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->flags);
    /* The smallest PropertyName (Kind 0xFF + GUID) is 17 bytes. */
    if (mapi_rd_u16(rd, &r->count) < 0 || rop_rd_count_ok(rd, r->count, 17) < 0)
        return -1;
    r->names = apr_pcalloc(pool, (size_t)r->count * sizeof(*r->names) + 1);
    for (i = 0; i < r->count && !rd->failed; i++)
        rop_rd_property_name(rd, pool, &r->names[i]);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_names_from_propids(mapi_rd *rd, apr_pool_t *pool,
                                            rop_call *call)
{
    rop_get_names_from_propids_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_propid_array(rd, pool, &r->count, &r->prop_ids);
}

static int rop_parse_get_props_specific(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_props_specific_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->property_size_limit);
    mapi_rd_u16(rd, &r->want_unicode);
    if (rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_get_props_all(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_get_props_all_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->property_size_limit);
    mapi_rd_u16(rd, &r->want_unicode);
    return rd->failed ? -1 : 0;
}

/* PropertyValueSize counts PropertyValueCount and PropertyValues; the
 * values must fill it exactly. */
static int rop_parse_set_props(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_set_props_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t size;
    mapi_rd sub;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0 || mapi_rd_u16(rd, &size) < 0
        || mapi_rd_sub(rd, size, &sub) < 0)
        return -1;
    if (rop_rd_tagged_propvals(&sub, pool, &r->values) < 0
        || mapi_rd_left(&sub) != 0) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

static int rop_parse_tags(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_tags_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_query_named_props(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_query_named_props_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->query_flags);
    if (mapi_rd_u8(rd, &r->has_guid) < 0 || rd->failed)
        return -1;
    if (r->has_guid)
        return mapi_rd_view(rd, 16, &r->property_guid);
    return 0;
}

static int rop_parse_copy_properties(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_copy_properties_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    if (mapi_rd_u8(rd, &r->copy_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_copy_to(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_copy_to_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_subobjects);
    if (mapi_rd_u8(rd, &r->copy_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->excluded_tags);
}

static int rop_parse_progress(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_progress_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_cancel);
    return rd->failed ? -1 : 0;
}

/* ==== handlers ========================================================= */

#define PROP_NAMES_CREATE   0x02      /* GetPropertyIdsFromNames Flags */
#define PROP_QUERY_NO_STRINGS 0x01    /* QueryNamedProperties QueryFlags */
#define PROP_QUERY_NO_IDS     0x02
#define PROP_COPY_MOVE        0x01    /* CopyFlags */
#define PROP_COPY_NO_OVERWRITE 0x02
/* Values longer than this go out as an error value in the "all" answers,
 * so that the client fetches them with RopOpenStream ([MS-OXCPRPT]
 * 3.2.5.2). */
#define PROP_DEFAULT_LIMIT  0x7000

/* PS_MAPI: names in this set are the tagged properties themselves. */
static const uint8_t prop_ps_mapi[16] = {
    0x28, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46
};

static uint32_t prop_input(rop_ctx *ctx, const rop_call *call,
                           rop_object **obj_r, store_props *props)
{
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index, ROP_OBJ_PROP_MASK,
                               obj_r);

    if (ec == 0 && props) {
        store_props_init(props, rop_ctx_pool(ctx));
        ec = rop_obj_get_props(ctx, *obj_r, props);
    }
    return ec;
}

/* Size of a value on the wire, to hold back what would not fit. */
static size_t prop_value_size(const rop_propval *v)
{
    switch (ROP_PROP_TYPE(v->tag)) {
    case ROP_PT_UNICODE: return 2 * strlen(v->v.str) + 2;
    case ROP_PT_STRING8: return strlen(v->v.str) + 1;
    case ROP_PT_BINARY:
    case ROP_PT_SVREID:  return 2 + v->v.bin.len;
    default:             return 8;
    }
}

/* Replaces values over limit with PtypError ecNotEnoughMemory (the
 * "too big, use a stream" answer of [MS-OXCPRPT] 3.2.5.1). */
static void prop_cap_values(store_props *props, size_t limit)
{
    unsigned i;

    for (i = 0; i < props->count; i++) {
        rop_propval *v = &props->vals[i];

        if (!(ROP_PROP_TYPE(v->tag) & ROP_PT_MV_FLAG)
            && prop_value_size(v) > limit) {
            v->tag = MAPI_TAG(ROP_PROP_ID(v->tag), ROP_PT_ERROR);
            v->v.l = ecNotEnoughMemory;
        }
    }
}

/* The properties of the call's object as a GetProperties response may
 * carry them.  Large values of a working copy are references: resolved
 * when they can travel in this response (the size limit and the room
 * left), else ecNotEnoughMemory, the answer for a value to read with
 * RopOpenStream ([MS-OXCPRPT] R2052); the same for any value over the
 * size limit. */
static uint32_t prop_load_for_reply(rop_ctx *ctx, rop_call *call,
                                    uint16_t size_limit, const mapi_wr *out,
                                    store_props *props)
{
    size_t limit = size_limit ? size_limit : PROP_DEFAULT_LIMIT;
    size_t room = limit > mapi_wr_room(out) ? mapi_wr_room(out) : limit;
    rop_object *obj;
    uint32_t ec;

    if ((ec = prop_input(ctx, call, &obj, props)) != 0
        || (ec = rop_obj_resolve_refs(ctx, props, room)) != 0)
        return ec;
    prop_cap_values(props, limit);
    return 0;
}

static int rop_handle_get_props_specific(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_get_props_specific_req *r = call->req;
    store_props props;
    size_t mark;
    uint32_t ec = prop_load_for_reply(ctx, call, r->property_size_limit, out,
                                      &props);

    if (ec)
        return rop_write_error_response(out, call, ec);
    mark = out->len;
    rop_wr_ok_header(out, call, call->in_handle_index);
    if (store_wr_property_row(out, &r->tags, &props) < 0) {
        mapi_wr_truncate(out, mark);
        return -1;
    }
    return 0;
}

static int prop_wr_tagged_list(mapi_wr *out, const store_props *props,
                               int unicode)
{
    unsigned i;

    mapi_wr_u16(out, (uint16_t)props->count);
    for (i = 0; i < props->count; i++) {
        rop_propval v = props->vals[i];

        if (!unicode && ROP_PROP_TYPE(v.tag) == ROP_PT_UNICODE)
            v.tag = MAPI_TAG(ROP_PROP_ID(v.tag), ROP_PT_STRING8);
        if (!unicode && ROP_PROP_TYPE(v.tag) == (ROP_PT_UNICODE | ROP_PT_MV_FLAG))
            v.tag = MAPI_TAG(ROP_PROP_ID(v.tag),
                             ROP_PT_STRING8 | ROP_PT_MV_FLAG);
        if (rop_wr_tagged_propval(out, &v) < 0)
            return -1;
    }
    return 0;
}

static int rop_handle_get_props_all(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_get_props_all_req *r = call->req;
    store_props props;
    uint32_t ec = prop_load_for_reply(ctx, call, r->property_size_limit, out,
                                      &props);

    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return prop_wr_tagged_list(out, &props, r->want_unicode != 0);
}

static int rop_handle_get_props_list(rop_ctx *ctx, rop_call *call,
                                     mapi_wr *out)
{
    store_props props;
    rop_object *obj;
    uint32_t ec;
    unsigned i;

    if ((ec = prop_input(ctx, call, &obj, &props)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, (uint16_t)props.count);
    for (i = 0; i < props.count; i++)     /* a reference's real type */
        mapi_wr_u32(out, store_blob_ref_tag(&props.vals[i]));
    return out->failed ? -1 : 0;
}

/* Messages and attachments change their working copy, which is kept in
 * the object; folders are written by rop_obj_set_props itself. */
static uint32_t prop_save_object(rop_ctx *ctx, rop_object *obj)
{
    if (obj->type == ROP_OBJ_MESSAGE || obj->type == ROP_OBJ_ATTACHMENT)
        return rop_obj_save(ctx, obj);
    return 0;
}

static int rop_handle_set_props(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_set_props_req *r = call->req;
    apr_array_header_t *problems;
    rop_object *obj;
    uint32_t ec;

    if ((ec = prop_input(ctx, call, &obj, NULL)) != 0)
        return rop_write_error_response(out, call, ec);
    problems = apr_array_make(rop_ctx_pool(ctx), 4, sizeof(rop_prop_problem));
    if ((ec = rop_obj_set_props(ctx, obj, &r->values, problems)) != 0
        || (ec = prop_save_object(ctx, obj)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return rop_wr_problems(out, problems);
}

static int rop_handle_delete_props(rop_ctx *ctx, rop_call *call,
                                   mapi_wr *out)
{
    const rop_tags_req *r = call->req;
    apr_array_header_t *problems;
    rop_object *obj;
    uint32_t ec;

    if ((ec = prop_input(ctx, call, &obj, NULL)) != 0)
        return rop_write_error_response(out, call, ec);
    problems = apr_array_make(rop_ctx_pool(ctx), 4, sizeof(rop_prop_problem));
    if ((ec = rop_obj_delete_props(ctx, obj, &r->tags, problems)) != 0
        || (ec = prop_save_object(ctx, obj)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return rop_wr_problems(out, problems);
}

/* One name to an id: PS_MAPI names are the tag ids themselves; others
 * come from the mailbox's map ([MS-OXCPRPT] 3.2.5.9). */
static store_status prop_name_to_id(rop_ctx *ctx, const uint8_t *mbox,
                                    const rop_property_name *n, int create,
                                    uint16_t *id_r)
{
    const char *error = NULL;
    store_status st;

    if (n->kind == ROP_MNID_ID && memcmp(n->guid, prop_ps_mapi, 16) == 0) {
        *id_r = n->lid < 0x8000 ? (uint16_t)n->lid : 0;
        return STORE_OK;
    }
    st = store_named_to_id(rop_ctx_db(ctx), rop_ctx_pool(ctx), mbox, n,
                           create, id_r, &error);
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    return st;
}

static int rop_handle_get_propids_from_names(rop_ctx *ctx, rop_call *call,
                                             mapi_wr *out)
{
    const rop_get_propids_from_names_req *r = call->req;
    int create = (r->flags & PROP_NAMES_CREATE) != 0, missing = 0;
    uint16_t i, *ids;
    rop_object *obj;
    uint32_t ec;

    if ((ec = prop_input(ctx, call, &obj, NULL)) != 0)
        return rop_write_error_response(out, call, ec);
    ids = apr_pcalloc(rop_ctx_pool(ctx), sizeof(uint16_t) * (r->count + 1u));
    for (i = 0; i < r->count; i++) {
        store_status st = prop_name_to_id(ctx, obj->mbox, &r->names[i],
                                          create, &ids[i]);
        if (store_st_is_db(st))
            return rop_write_error_response(out, call, ecError);
        if (st != STORE_OK || ids[i] == 0) {
            ids[i] = 0;
            missing = 1;
        }
    }
    /* Names that have no id give ecWarnWithErrors and id 0 (R). */
    mapi_wr_u8(out, call->rop_id);
    mapi_wr_u8(out, call->in_handle_index);
    mapi_wr_u32(out, missing ? ecWarnWithErrors : 0);
    mapi_wr_u16(out, r->count);
    for (i = 0; i < r->count; i++)
        mapi_wr_u16(out, ids[i]);
    return out->failed ? -1 : 0;
}

static void prop_id_to_name(rop_ctx *ctx, const uint8_t *mbox, uint16_t id,
                            rop_property_name *n)
{
    const char *error = NULL;

    memset(n, 0, sizeof(*n));
    if (id < 0x8000) {
        n->kind = ROP_MNID_ID;
        n->guid = prop_ps_mapi;
        n->lid = id;
        return;
    }
    if (store_named_from_id(rop_ctx_db(ctx), rop_ctx_pool(ctx), mbox, id, n,
                            &error) != STORE_OK) {
        memset(n, 0, sizeof(*n));
        n->kind = ROP_MNID_NONE;
        n->guid = prop_ps_mapi;
    }
}

static int rop_handle_get_names_from_propids(rop_ctx *ctx, rop_call *call,
                                             mapi_wr *out)
{
    const rop_get_names_from_propids_req *r = call->req;
    rop_property_name n;
    rop_object *obj;
    uint32_t ec;
    uint16_t i;

    if ((ec = prop_input(ctx, call, &obj, NULL)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, r->count);
    for (i = 0; i < r->count; i++) {
        prop_id_to_name(ctx, obj->mbox, r->prop_ids[i], &n);
        if (rop_wr_property_name(out, &n) < 0)
            return -1;
    }
    return 0;
}

static int prop_name_wanted(const rop_query_named_props_req *r,
                            const rop_property_name *n)
{
    if (r->has_guid && memcmp(n->guid, r->property_guid, 16) != 0)
        return 0;
    if ((r->query_flags & PROP_QUERY_NO_STRINGS) && n->kind == ROP_MNID_STRING)
        return 0;
    if ((r->query_flags & PROP_QUERY_NO_IDS) && n->kind == ROP_MNID_ID)
        return 0;
    return 1;
}

static int rop_handle_query_named_props(rop_ctx *ctx, rop_call *call,
                                        mapi_wr *out)
{
    const rop_query_named_props_req *r = call->req;
    apr_array_header_t *ids = NULL, *names = NULL;
    const char *error = NULL;
    rop_object *obj;
    uint16_t n = 0;
    uint32_t ec;
    int i;

    if ((ec = prop_input(ctx, call, &obj, NULL)) != 0)
        return rop_write_error_response(out, call, ec);
    if (store_named_list(rop_ctx_db(ctx), rop_ctx_pool(ctx), obj->mbox,
                         r->has_guid ? r->property_guid : NULL, &ids, &names,
                         &error) != STORE_OK) {
        rop_ctx_note_error(ctx, error);
        return rop_write_error_response(out, call, ecError);
    }
    for (i = 0; i < names->nelts; i++)
        n += prop_name_wanted(r, &APR_ARRAY_IDX(names, i, rop_property_name));
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, n);
    for (i = 0; i < ids->nelts; i++)
        if (prop_name_wanted(r, &APR_ARRAY_IDX(names, i, rop_property_name)))
            mapi_wr_u16(out, APR_ARRAY_IDX(ids, i, uint16_t));
    for (i = 0; i < names->nelts; i++) {
        const rop_property_name *pn = &APR_ARRAY_IDX(names, i,
                                                     rop_property_name);
        if (prop_name_wanted(r, pn) && rop_wr_property_name(out, pn) < 0)
            return -1;
    }
    return out->failed ? -1 : 0;
}

/* Source and destination of RopCopyProperties / RopCopyTo: objects of the
 * same type ([MS-OXCPRPT] 3.2.5.6: ecNotSupported otherwise). */
static uint32_t prop_copy_objects(rop_ctx *ctx, const rop_call *call,
                                  rop_object **src_r, rop_object **dst_r)
{
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index, ROP_OBJ_PROP_MASK,
                               src_r);

    if (ec)
        return ec;
    ec = rop_obj_load(ctx, call->dest_handle_index, ROP_OBJ_PROP_MASK, dst_r);
    if (ec == ecNullObject)
        return ROP_EC_DST_NULL_OBJECT;
    if (ec == 0 && (*src_r)->type != (*dst_r)->type)
        return ecNotSupported;
    if (ec == 0 && (*src_r)->type == ROP_OBJ_LOGON)
        return ecNotSupported;
    return ec;
}

static int prop_tag_listed(const rop_tag_array *tags, uint32_t tag)
{
    uint16_t i;

    for (i = 0; i < tags->count; i++)
        if (ROP_PROP_ID(tags->tags[i]) == ROP_PROP_ID(tag))
            return 1;
    return 0;
}

/* Copies the chosen properties (include: only those listed; otherwise
 * all but those listed) from src's values into dst. */
static uint32_t prop_copy_values(rop_ctx *ctx, rop_object *src,
                                 rop_object *dst, const rop_tag_array *tags,
                                 int include, uint8_t flags)
{
    apr_array_header_t *ignored;
    store_props from, have;
    rop_propval_array set;
    unsigned i;
    uint32_t ec;

    store_props_init(&from, rop_ctx_pool(ctx));
    store_props_init(&have, rop_ctx_pool(ctx));
    if ((ec = rop_obj_get_props(ctx, src, &from)) != 0
        || (ec = rop_obj_get_props(ctx, dst, &have)) != 0)
        return ec;
    /* References travel between working copies (the destination's save
     * copies the blob); a folder's record holds its values. */
    if (dst->type == ROP_OBJ_FOLDER
        && (ec = rop_obj_resolve_refs(ctx, &from, STORE_MESSAGE_MAX)) != 0)
        return ec;
    set.count = 0;
    set.vals = apr_pcalloc(rop_ctx_pool(ctx),
                           sizeof(rop_propval) * (from.count + 1u));
    for (i = 0; i < from.count; i++) {
        const rop_propval *v = &from.vals[i];

        if (prop_tag_listed(tags, v->tag) != include)
            continue;
        if ((flags & PROP_COPY_NO_OVERWRITE)
            && store_props_get(&have, MAPI_TAG(ROP_PROP_ID(v->tag), 0)))
            continue;
        set.vals[set.count++] = *v;
    }
    /* Computed properties of the source are refused per property by
     * rop_obj_set_props; a copy reports no problem for them. */
    ignored = apr_array_make(rop_ctx_pool(ctx), 4, sizeof(rop_prop_problem));
    ec = rop_obj_set_props(ctx, dst, &set, ignored);
    return ec ? ec : prop_save_object(ctx, dst);
}

/* RopCopyTo with WantSubObjects on messages: recipients and attachments
 * travel too. */
static void prop_copy_subobjects(rop_ctx *ctx, rop_object *src,
                                 rop_object *dst)
{
    store_message *copy;

    if (src->type != ROP_OBJ_MESSAGE)
        return;
    copy = store_message_dup(rop_ctx_pool(ctx), src->msg);
    dst->msg->recipients = copy->recipients;
    dst->msg->attachments = copy->attachments;
    dst->msg->next_attach_num = copy->next_attach_num;
    dst->msg_flags |= ROP_MSG_DIRTY;
}

static int prop_wr_copy_response(mapi_wr *out, const rop_call *call,
                                 const apr_array_header_t *problems)
{
    rop_wr_ok_header(out, call, call->in_handle_index);
    return rop_wr_problems(out, problems);
}

static int rop_handle_copy_properties(rop_ctx *ctx, rop_call *call,
                                      mapi_wr *out)
{
    const rop_copy_properties_req *r = call->req;
    apr_array_header_t *problems;
    rop_object *src, *dst;
    uint32_t ec;

    if ((ec = prop_copy_objects(ctx, call, &src, &dst)) != 0)
        return rop_write_error_response(out, call, ec);
    problems = apr_array_make(rop_ctx_pool(ctx), 4, sizeof(rop_prop_problem));
    if ((ec = prop_copy_values(ctx, src, dst, &r->tags, 1,
                               r->copy_flags)) != 0)
        return rop_write_error_response(out, call, ec);
    if ((r->copy_flags & PROP_COPY_MOVE)
        && rop_obj_delete_props(ctx, src, &r->tags, problems) == 0)
        prop_save_object(ctx, src);
    return prop_wr_copy_response(out, call, problems);
}

static int rop_handle_copy_to(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_copy_to_req *r = call->req;
    apr_array_header_t *problems;
    rop_object *src, *dst;
    uint32_t ec;

    if ((ec = prop_copy_objects(ctx, call, &src, &dst)) != 0)
        return rop_write_error_response(out, call, ec);
    problems = apr_array_make(rop_ctx_pool(ctx), 4, sizeof(rop_prop_problem));
    if (r->want_subobjects)
        prop_copy_subobjects(ctx, src, dst);
    if ((ec = prop_copy_values(ctx, src, dst, &r->excluded_tags, 0,
                               r->copy_flags)) != 0)
        return rop_write_error_response(out, call, ec);
    return prop_wr_copy_response(out, call, problems);
}

const rop_def rop_property_defs[] = {
    { ROP_ID_GET_PROPERTY_IDS_FROM_NAMES, 0, "RopGetPropertyIdsFromNames",
      rop_parse_get_propids_from_names, rop_handle_get_propids_from_names, 0 },
    { ROP_ID_GET_NAMES_FROM_PROPERTY_IDS, 0, "RopGetNamesFromPropertyIds",
      rop_parse_get_names_from_propids, rop_handle_get_names_from_propids, 0 },
    { ROP_ID_GET_PROPERTIES_SPECIFIC, 0, "RopGetPropertiesSpecific",
      rop_parse_get_props_specific, rop_handle_get_props_specific, 0 },
    { ROP_ID_GET_PROPERTIES_ALL, 0, "RopGetPropertiesAll",
      rop_parse_get_props_all, rop_handle_get_props_all, 0 },
    { ROP_ID_GET_PROPERTIES_LIST, 0, "RopGetPropertiesList",
      rop_parse_hdr_only, rop_handle_get_props_list, 0 },
    { ROP_ID_SET_PROPERTIES, 0, "RopSetProperties",
      rop_parse_set_props, rop_handle_set_props, 0 },
    { ROP_ID_SET_PROPERTIES_NO_REPLICATE, 0, "RopSetPropertiesNoReplicate",
      rop_parse_set_props, rop_handle_set_props, 0 },
    { ROP_ID_DELETE_PROPERTIES, 0, "RopDeleteProperties",
      rop_parse_tags, rop_handle_delete_props, 0 },
    { ROP_ID_DELETE_PROPERTIES_NO_REPLICATE, 0,
      "RopDeletePropertiesNoReplicate", rop_parse_tags, rop_handle_delete_props, 0 },
    { ROP_ID_QUERY_NAMED_PROPERTIES, 0, "RopQueryNamedProperties",
      rop_parse_query_named_props, rop_handle_query_named_props, 0 },
    { ROP_ID_COPY_PROPERTIES, ROP_F_DEST_HANDLE, "RopCopyProperties",
      rop_parse_copy_properties, rop_handle_copy_properties, 0 },
    { ROP_ID_COPY_TO, ROP_F_DEST_HANDLE, "RopCopyTo",
      rop_parse_copy_to, rop_handle_copy_to, 0 },
    { ROP_ID_PROGRESS, 0, "RopProgress", rop_parse_progress, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
