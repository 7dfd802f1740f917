/*
 * rop_object.c: typed server objects over the session object table.
 * See rop_object.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include "rop_object.h"
#include "wire/mapi_tags.h"
#include "rop_permission.h"

/* 2: streams keep their content in blobs, not in the record. */
#define ROP_OBJ_VERSION 2

/* ---- codec ------------------------------------------------------------ */

static void obj_wr_attachment(mapi_wr *wr, const store_attachment *att)
{
    mapi_wr_u32(wr, att->attach_num);
    store_props_encode(wr, &att->props);
    mapi_wr_u8(wr, att->embedded != NULL);
    if (att->embedded)
        store_message_encode(wr, att->embedded);
}

static int obj_rd_attachment(mapi_rd *rd, apr_pool_t *pool,
                             store_attachment **att_r)
{
    store_attachment *att = apr_pcalloc(pool, sizeof(*att));
    uint8_t has_embedded = 0;

    mapi_rd_u32(rd, &att->attach_num);
    if (rd->failed || store_props_decode(rd, pool, &att->props) < 0
        || mapi_rd_u8(rd, &has_embedded) < 0)
        return -1;
    if (has_embedded && store_message_decode(rd, pool, &att->embedded) < 0)
        return -1;
    *att_r = att;
    return 0;
}

static void obj_wr_table(mapi_wr *wr, const rop_object *o)
{
    unsigned i;

    mapi_wr_u8(wr, (uint8_t)o->table_kind);
    mapi_wr_u8(wr, o->table_flags);
    mapi_wr_u16(wr, o->columns.count);
    for (i = 0; i < o->columns.count; i++)
        mapi_wr_u32(wr, o->columns.tags[i]);
    mapi_wr_u16(wr, o->n_sorts);
    for (i = 0; i < o->n_sorts; i++) {
        mapi_wr_u16(wr, o->sorts[i].prop_type);
        mapi_wr_u16(wr, o->sorts[i].prop_id);
        mapi_wr_u8(wr, o->sorts[i].order);
    }
    mapi_wr_u8(wr, o->restriction != NULL);
    if (o->restriction)
        rop_wr_restriction(wr, o->restriction);
    mapi_wr_u32(wr, o->position);
    mapi_wr_u16(wr, o->n_bookmarks);
    for (i = 0; i < o->n_bookmarks; i++) {
        mapi_wr_u32(wr, o->bookmarks[i].id);
        mapi_wr_u64(wr, o->bookmarks[i].row_id);
        mapi_wr_u32(wr, o->bookmarks[i].position);
    }
    mapi_wr_u32(wr, o->next_bookmark);
    /* A trailer only categorized tables carry, so that records written
     * before categories existed still decode. */
    if (o->n_categories == 0)
        return;
    mapi_wr_u16(wr, o->n_categories);
    mapi_wr_u16(wr, o->n_expanded);
    mapi_wr_u16(wr, o->n_toggled);
    for (i = 0; i < o->n_toggled; i++)
        mapi_wr_u64(wr, o->toggled[i]);
}

static int obj_rd_categories(mapi_rd *rd, apr_pool_t *pool, rop_object *o)
{
    unsigned i;

    if (mapi_rd_left(rd) == 0)
        return 0;
    mapi_rd_u16(rd, &o->n_categories);
    mapi_rd_u16(rd, &o->n_expanded);
    if (mapi_rd_u16(rd, &o->n_toggled) < 0
        || rop_rd_count_ok(rd, o->n_toggled, 8) < 0)
        return -1;
    o->toggled = apr_pcalloc(pool, sizeof(uint64_t) * (o->n_toggled + 1u));
    for (i = 0; i < o->n_toggled; i++)
        mapi_rd_u64(rd, &o->toggled[i]);
    return rd->failed ? -1 : 0;
}

static int obj_rd_categories(mapi_rd *rd, apr_pool_t *pool, rop_object *o);

static int obj_rd_table(mapi_rd *rd, apr_pool_t *pool, rop_object *o)
{
    uint8_t kind, has_res;
    unsigned i;

    mapi_rd_u8(rd, &kind);
    mapi_rd_u8(rd, &o->table_flags);
    o->table_kind = kind;
    if (rop_rd_tag_array(rd, pool, &o->columns) < 0
        || mapi_rd_u16(rd, &o->n_sorts) < 0
        || rop_rd_sort_orders(rd, pool, o->n_sorts, &o->sorts) < 0
        || mapi_rd_u8(rd, &has_res) < 0)
        return -1;
    if (has_res && rop_rd_restriction(rd, pool, 0, &o->restriction) < 0)
        return -1;
    mapi_rd_u32(rd, &o->position);
    if (mapi_rd_u16(rd, &o->n_bookmarks) < 0
        || rop_rd_count_ok(rd, o->n_bookmarks, 16) < 0)
        return -1;
    o->bookmarks = apr_pcalloc(pool, sizeof(rop_bookmark) * (o->n_bookmarks + 1u));
    for (i = 0; i < o->n_bookmarks; i++) {
        mapi_rd_u32(rd, &o->bookmarks[i].id);
        mapi_rd_u64(rd, &o->bookmarks[i].row_id);
        mapi_rd_u32(rd, &o->bookmarks[i].position);
    }
    mapi_rd_u32(rd, &o->next_bookmark);
    return rd->failed ? -1 : obj_rd_categories(rd, pool, o);
}

static void obj_wr_body(mapi_wr *wr, const rop_object *o)
{
    mapi_wr_u8(wr, ROP_OBJ_VERSION);
    mapi_wr_u8(wr, o->logon_id);
    mapi_wr_bytes(wr, o->mbox, STORE_GUID_LEN);
    switch (o->type) {
    case ROP_OBJ_LOGON:
        mapi_wr_u8(wr, o->logon_flags);
        mapi_wr_u32(wr, o->open_flags);
        break;
    case ROP_OBJ_FOLDER:
        mapi_wr_u64(wr, o->fid);
        break;
    case ROP_OBJ_MESSAGE:
        mapi_wr_u64(wr, o->fid);
        mapi_wr_u64(wr, o->mid);
        mapi_wr_u32(wr, o->msg_flags);
        mapi_wr_u16(wr, o->code_page);
        store_message_encode(wr, o->msg);
        break;
    case ROP_OBJ_ATTACHMENT:
        mapi_wr_u32(wr, o->attach_num);
        mapi_wr_u32(wr, o->att_flags);
        obj_wr_attachment(wr, o->att);
        break;
    case ROP_OBJ_TABLE:
        mapi_wr_u64(wr, o->fid);
        obj_wr_table(wr, o);
        break;
    case ROP_OBJ_STREAM:
        mapi_wr_u32(wr, o->prop_tag);
        mapi_wr_u8(wr, o->stream_mode);
        mapi_wr_u8(wr, o->stream_dirty);
        mapi_wr_u32(wr, o->stream_pos);
        mapi_wr_u32(wr, o->stream_size);
        mapi_wr_u64(wr, o->stream_blob);
        mapi_wr_u8(wr, o->stream_has_base);
        mapi_wr_bytes(wr, o->stream_base.owner, STORE_GUID_LEN);
        mapi_wr_u64(wr, o->stream_base.id);
        mapi_wr_u64(wr, o->stream_base.size);
        mapi_wr_u16(wr, o->stream_base.type);
        mapi_wr_u32(wr, o->stream_base_len);
        break;
    case ROP_OBJ_NOTIFY:
        mapi_wr_u16(wr, o->ev_mask);
        mapi_wr_u8(wr, o->ev_whole_store);
        mapi_wr_u64(wr, o->ev_fid);
        mapi_wr_u64(wr, o->ev_mid);
        break;
    }
}

int rop_object_encode(const rop_object *obj, apr_pool_t *pool,
                      uint8_t **buf_r, size_t *len_r)
{
    mapi_wr wr;

    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    obj_wr_body(&wr, obj);
    if (wr.failed)
        return -1;
    *buf_r = wr.buf;
    *len_r = wr.len;
    return 0;
}

static int obj_rd_stream(mapi_rd *rd, apr_pool_t *pool, rop_object *o)
{
    (void)pool;
    mapi_rd_u32(rd, &o->prop_tag);
    mapi_rd_u8(rd, &o->stream_mode);
    mapi_rd_u8(rd, &o->stream_dirty);
    mapi_rd_u32(rd, &o->stream_pos);
    mapi_rd_u32(rd, &o->stream_size);
    mapi_rd_u64(rd, &o->stream_blob);
    mapi_rd_u8(rd, &o->stream_has_base);
    mapi_rd_bytes(rd, o->stream_base.owner, STORE_GUID_LEN);
    mapi_rd_u64(rd, &o->stream_base.id);
    mapi_rd_u64(rd, &o->stream_base.size);
    mapi_rd_u16(rd, &o->stream_base.type);
    mapi_rd_u32(rd, &o->stream_base_len);
    if (rd->failed || o->stream_base_len > o->stream_size
        || (o->stream_has_base && o->stream_base_len > o->stream_base.size))
        return -1;
    return 0;
}

static int obj_rd_typed(mapi_rd *rd, apr_pool_t *pool, rop_object *o)
{
    switch (o->type) {
    case ROP_OBJ_LOGON:
        mapi_rd_u8(rd, &o->logon_flags);
        return mapi_rd_u32(rd, &o->open_flags);
    case ROP_OBJ_FOLDER:
        return mapi_rd_u64(rd, &o->fid);
    case ROP_OBJ_MESSAGE:
        mapi_rd_u64(rd, &o->fid);
        mapi_rd_u64(rd, &o->mid);
        mapi_rd_u32(rd, &o->msg_flags);
        mapi_rd_u16(rd, &o->code_page);
        return rd->failed ? -1 : store_message_decode(rd, pool, &o->msg);
    case ROP_OBJ_ATTACHMENT:
        mapi_rd_u32(rd, &o->attach_num);
        mapi_rd_u32(rd, &o->att_flags);
        return rd->failed ? -1 : obj_rd_attachment(rd, pool, &o->att);
    case ROP_OBJ_TABLE:
        return mapi_rd_u64(rd, &o->fid) < 0 ? -1 : obj_rd_table(rd, pool, o);
    case ROP_OBJ_STREAM:
        return obj_rd_stream(rd, pool, o);
    case ROP_OBJ_NOTIFY:
        mapi_rd_u16(rd, &o->ev_mask);
        mapi_rd_u8(rd, &o->ev_whole_store);
        mapi_rd_u64(rd, &o->ev_fid);
        return mapi_rd_u64(rd, &o->ev_mid);
    }
    return -1;
}

/* The body starts with the version byte, then the logon id. */
int rop_object_peek_logon_id(const sess_object *so)
{
    if (so->len < 2 || so->data[0] != ROP_OBJ_VERSION)
        return -1;
    return so->data[1];
}

/* obj->type must be set by the caller (it is in the envelope). */
int rop_object_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                      rop_object *obj)
{
    mapi_rd rd;
    uint8_t version;

    mapi_rd_init(&rd, buf, len);
    if (mapi_rd_u8(&rd, &version) < 0 || version != ROP_OBJ_VERSION)
        return -1;
    mapi_rd_u8(&rd, &obj->logon_id);
    mapi_rd_bytes(&rd, obj->mbox, STORE_GUID_LEN);
    if (rd.failed || obj_rd_typed(&rd, pool, obj) < 0 || rd.failed)
        return -1;
    return mapi_rd_left(&rd) == 0 ? 0 : -1;
}

/* ---- handles ---------------------------------------------------------- */

uint32_t rop_obj_load_handle(rop_ctx *ctx, uint32_t handle,
                             rop_object **obj_r)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const char *error = NULL;
    sess_object so;
    rop_object *o;
    int rc;

    if (handle == SESS_OBJ_NONE || handle == 0)
        return ecNullObject;
    rc = sess_obj_get(rop_ctx_db(ctx), pool, rop_ctx_sid(ctx), handle, &so,
                      &error);
    if (rc < 0) {
        rop_ctx_note_error(ctx, error);
        return ecError;
    }
    if (rc > 0)
        return ecNullObject;
    o = apr_pcalloc(pool, sizeof(*o));
    o->handle = handle;
    o->parent = so.parent;
    o->type = so.type;
    if (rop_object_decode(so.data, so.len, pool, o) < 0) {
        rop_ctx_note_error(ctx, apr_psprintf(pool,
                           "object %u of the session is unreadable", handle));
        return ecError;
    }
    *obj_r = o;
    return 0;
}

uint32_t rop_obj_load(rop_ctx *ctx, uint8_t index, uint32_t type_mask,
                      rop_object **obj_r)
{
    uint32_t handle, ec;
    rop_object *o;

    if (rop_ctx_handle(ctx, index, &handle) < 0)
        return ecNullObject;
    ec = rop_obj_load_handle(ctx, handle, &o);
    if (ec != 0)
        return ec;
    if (!(type_mask & ROP_OBJ_MASK(o->type)))
        return ecNotSupported;
    *obj_r = o;
    return 0;
}

uint32_t rop_obj_save(rop_ctx *ctx, const rop_object *obj)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const char *error = NULL;
    uint8_t *buf;
    size_t len;
    int rc;

    if (rop_object_encode(obj, pool, &buf, &len) < 0)
        return ecTooBig;
    rc = sess_obj_put(rop_ctx_db(ctx), pool, rop_ctx_sid(ctx), obj->handle,
                      buf, len, &error);
    if (rc < 0) {
        rop_ctx_note_error(ctx, error);
        return ecError;
    }
    return rc > 0 ? ecNullObject : 0;
}

uint32_t rop_obj_create(rop_ctx *ctx, rop_object *obj, uint8_t out_index)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const char *error = NULL;
    uint8_t *buf;
    size_t len;
    int rc;

    if (rop_object_encode(obj, pool, &buf, &len) < 0)
        return ecTooBig;
    rc = sess_obj_create_max(rop_ctx_db(ctx), pool, rop_ctx_sid(ctx),
                             obj->parent, (uint8_t)obj->type, buf, len,
                             rop_ctx_max_objects(ctx), &obj->handle, &error);
    /* A limit, not a failure: the transport logs it once per Execute. */
    if (rc == -2) {
        rop_ctx_note_limit(ctx, ROP_LIMIT_OBJECTS);
        return ecMaxObjsExceeded;
    }
    if (rc < 0) {
        rop_ctx_note_error(ctx, error);
        return ecInsufficientResources;
    }
    rop_ctx_set_handle(ctx, out_index, obj->handle);
    return 0;
}

void rop_obj_release(rop_ctx *ctx, uint32_t handle)
{
    const char *error = NULL;

    if (sess_obj_release(rop_ctx_db(ctx), rop_ctx_pool(ctx), rop_ctx_sid(ctx),
                         handle, &error) < 0)
        rop_ctx_note_error(ctx, error);
    else
        rop_obj_blob_gc(ctx);
}

/* ---- session blobs ---------------------------------------------------- */

/* The session blob ids obj references, into ids (8-byte BE keys). */
static void obj_blob_refs(apr_pool_t *pool, const uint8_t *owner,
                          const rop_object *o, apr_hash_t *ids)
{
    uint8_t *k;

    switch (o->type) {
    case ROP_OBJ_MESSAGE:
        if (o->msg)
            store_blob_refs_message(pool, owner, o->msg, ids);
        break;
    case ROP_OBJ_ATTACHMENT:
        if (!o->att)
            break;
        store_blob_refs_props(pool, owner, &o->att->props, ids);
        if (o->att->embedded)
            store_blob_refs_message(pool, owner, o->att->embedded, ids);
        break;
    case ROP_OBJ_STREAM:
        if (o->stream_blob) {
            k = apr_palloc(pool, 8);
            for (int i = 0; i < 8; i++)
                k[i] = (uint8_t)(o->stream_blob >> (56 - 8 * i));
            apr_hash_set(ids, k, 8, k);
        }
        if (o->stream_has_base
            && memcmp(o->stream_base.owner, owner, STORE_GUID_LEN) == 0) {
            k = apr_palloc(pool, 8);
            for (int i = 0; i < 8; i++)
                k[i] = (uint8_t)(o->stream_base.id >> (56 - 8 * i));
            apr_hash_set(ids, k, 8, k);
        }
        break;
    default:
        break;
    }
}

typedef struct obj_gc_baton {
    const uint8_t *owner;
    apr_pool_t *pool;
    apr_array_header_t *doomed;   /* uint64_t */
} obj_gc_baton;

static int obj_gc_txn(mapi_db *db, DB_TXN *txn, void *baton)
{
    obj_gc_baton *b = baton;
    int ret = 0;

    for (int i = 0; ret == 0 && i < b->doomed->nelts; i++)
        ret = store_blob_free(db, txn, b->pool, b->owner,
                              APR_ARRAY_IDX(b->doomed, i, uint64_t));
    return ret;
}

/* The objects of a session are only touched by that session's Executes,
 * which the transport runs one at a time, so nothing can reference a blob
 * between the scan and the free. */
uint32_t rop_obj_blob_gc(rop_ctx *ctx)
{
    apr_pool_t *pool;
    apr_array_header_t *blobs, *objs;
    apr_hash_t *live;
    uint8_t owner[STORE_GUID_LEN];
    const char *error = NULL;
    obj_gc_baton b;
    uint32_t ec = 0;

    if (apr_pool_create(&pool, rop_ctx_pool(ctx)) != APR_SUCCESS)
        return ecError;
    sess_blob_owner(rop_ctx_sid(ctx), owner);
    if (store_blob_list_ids(rop_ctx_db(ctx), NULL, pool, owner, &blobs) != 0
        || (blobs->nelts > 0
            && sess_obj_list(rop_ctx_db(ctx), pool, rop_ctx_sid(ctx), &objs,
                             &error) < 0)) {
        rop_ctx_note_error(ctx, error ? error : "session blobs unreadable");
        apr_pool_destroy(pool);
        return ecError;
    }
    live = apr_hash_make(pool);
    for (int i = 0; blobs->nelts > 0 && i < objs->nelts; i++) {
        const sess_object *so = &APR_ARRAY_IDX(objs, i, sess_object);
        rop_object o;

        memset(&o, 0, sizeof(o));
        o.type = so->type;
        if (rop_object_decode(so->data, so->len, pool, &o) == 0)
            obj_blob_refs(pool, owner, &o, live);
    }
    b.owner = owner;
    b.pool = pool;
    b.doomed = apr_array_make(pool, 4, sizeof(uint64_t));
    for (int i = 0; i < blobs->nelts; i++) {
        uint64_t id = APR_ARRAY_IDX(blobs, i, uint64_t);
        uint8_t k[8];

        for (int j = 0; j < 8; j++)
            k[j] = (uint8_t)(id >> (56 - 8 * j));
        if (!apr_hash_get(live, k, 8))
            APR_ARRAY_PUSH(b.doomed, uint64_t) = id;
    }
    if (b.doomed->nelts > 0
        && mapi_db_txn_run(rop_ctx_db(ctx), MAPI_DB_TXN_NOSYNC, obj_gc_txn,
                           &b, pool, &error) != 0) {
        rop_ctx_note_error(ctx, error);
        ec = ecError;
    }
    apr_pool_destroy(pool);
    return ec;
}

/* Upper bound of a value's wire size in a property row. */
static size_t obj_ref_wire_size(const store_blob_ref *r)
{
    if (r->type == ROP_PT_UNICODE)
        return 2 * (size_t)r->size + 2;
    return (size_t)r->size + (r->type == ROP_PT_BINARY ? 2 : 1);
}

uint32_t rop_obj_resolve_refs(rop_ctx *ctx, store_props *props, size_t limit)
{
    const char *error = NULL;

    for (unsigned i = 0; i < props->count; i++) {
        rop_propval *v = &props->vals[i], full;
        store_blob_ref r;
        store_status st;

        if (!store_blob_ref_get(v, &r))
            continue;
        if (obj_ref_wire_size(&r) > limit) {
            v->tag = ((v->tag) & 0xFFFF0000u) | ROP_PT_ERROR;
            v->v.l = ecNotEnoughMemory;
            continue;
        }
        st = store_blob_resolve(rop_ctx_db(ctx), props->pool, v, &full,
                                &error);
        if (st != STORE_OK) {
            if (store_st_is_db(st))
                rop_ctx_note_error(ctx, error);
            return store_status_ec(st);
        }
        *v = full;               /* same id: the bag stays sorted */
    }
    return 0;
}

uint32_t rop_obj_logon(rop_ctx *ctx, const rop_object *obj,
                       rop_object **logon_r)
{
    rop_object *o = (rop_object *)obj;
    uint32_t ec;
    int depth;

    /* Objects nest a few levels (logon, folder, message, attachment,
     * embedded message, stream); the bound stops a corrupt cycle. */
    for (depth = 0; o->type != ROP_OBJ_LOGON; depth++) {
        if (depth > 32)
            return ecError;
        if ((ec = rop_obj_load_handle(ctx, o->parent, &o)) != 0)
            return ec;
    }
    *logon_r = o;
    return 0;
}

rop_object *rop_obj_new(rop_ctx *ctx, const rop_object *parent,
                        rop_obj_type type)
{
    rop_object *o = apr_pcalloc(rop_ctx_pool(ctx), sizeof(*o));

    o->type = type;
    o->parent = parent ? parent->handle : SESS_OBJ_NONE;
    if (parent) {
        o->logon_id = parent->logon_id;
        memcpy(o->mbox, parent->mbox, STORE_GUID_LEN);
    }
    return o;
}

/* ---- properties ------------------------------------------------------- */

static void obj_logon_props(rop_ctx *ctx, const store_mailbox_info *mi,
                            store_props *out)
{
    /* The mailbox's owner: another user's for a delegate's logon. */
    const cfg_mailbox *mbx = rop_ctx_mailbox_of(ctx, mi->mailbox_guid);
    uint8_t eid[46];

    store_props_copy(out, &mi->props);
    store_props_set_u32(out, PidTagObjectType, MAPI_STORE);
    store_props_set_bin(out, PidTagRecordKey, mi->mailbox_guid, 16);
    store_props_set_bin(out, PidTagStoreRecordKey, mi->mailbox_guid, 16);
    store_props_set_bin(out, PidTagMappingSignature, mi->mailbox_guid, 16);
    store_props_set_u32(out, PidTagStoreState, 0);
    /* STORE_ENTRYID_UNIQUE | STORE_ATTACH_OK | STORE_CATEGORIZE_OK |
     * STORE_CREATE_OK | STORE_MODIFY_OK | STORE_MV_PROPS_OK |
     * STORE_OLE_OK | STORE_RESTRICTION_OK | STORE_SORT_OK |
     * STORE_SUBMIT_OK | STORE_UNICODE_OK | STORE_HTML_OK. */
    store_props_set_u32(out, PidTagStoreSupportMask, 0x00050BFDu | 0x00040000u);
    if (mbx) {
        store_props_set_str(out, PidTagMailboxOwnerName, mbx->display_name);
        if (!store_props_get(out, PidTagDisplayName))
            store_props_set_str(out, PidTagDisplayName, apr_pstrcat(
                out->pool, "Mailbox - ", mbx->display_name, NULL));
    }
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_IPM_SUBTREE], eid);
    store_props_set_bin(out, PidTagIpmSubtreeEntryId, eid, sizeof(eid));
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_OUTBOX], eid);
    store_props_set_bin(out, PidTagIpmOutboxEntryId, eid, sizeof(eid));
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_DELETED_ITEMS], eid);
    store_props_set_bin(out, PidTagIpmWastebasketEntryId, eid, sizeof(eid));
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_SENT_ITEMS], eid);
    store_props_set_bin(out, PidTagIpmSentMailEntryId, eid, sizeof(eid));
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_VIEWS], eid);
    store_props_set_bin(out, PidTagViewsEntryId, eid, sizeof(eid));
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_COMMON_VIEWS], eid);
    store_props_set_bin(out, PidTagCommonViewsEntryId, eid, sizeof(eid));
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_FINDER], eid);
    store_props_set_bin(out, PidTagFinderEntryId, eid, sizeof(eid));
}

static void obj_attachment_props(const rop_object *obj, store_props *out)
{
    const store_attachment *att = obj->att;
    const rop_propval *data;
    uint32_t size = 0;
    uint8_t key[8];

    store_props_copy(out, &att->props);
    store_props_set_u32(out, PidTagAttachNumber, att->attach_num);
    store_props_set_u32(out, PidTagObjectType, MAPI_ATTACH);
    if ((data = store_props_get(&att->props,
                                PidTagAttachDataBinary & 0xFFFF0000u))) {
        store_blob_ref r;

        /* A large value may be a reference (see "blobs" in store.h). */
        if (store_blob_ref_get(data, &r))
            size = (uint32_t)r.size;
        else if (ROP_PROP_TYPE(data->tag) == ROP_PT_BINARY)
            size = data->v.bin.len;
    }
    store_props_set_u32(out, PidTagAttachSize, size + 64);
    memcpy(key, &obj->handle, 4);
    memcpy(key + 4, &att->attach_num, 4);
    store_props_set_bin(out, PidTagRecordKey, key, sizeof(key));
    if (!store_props_get(out, PidTagAttachMethod))
        store_props_set_u32(out, PidTagAttachMethod, 0);
    if (!store_props_get(out, PidTagRenderingPosition))
        store_props_set_u32(out, PidTagRenderingPosition, 0xFFFFFFFFu);
}

/* PidTagRights ([MS-OXCFOLD] 2.2.2.2.2.8, [MS-OXCPERM] R1116): the
 * user's own rights on the folder, which the store, knowing no user,
 * gives as the owner's. */
static uint32_t obj_folder_rights(rop_ctx *ctx, const rop_object *obj,
                                  store_props *out)
{
    uint32_t rights, ec;

    if (rop_ctx_is_own(ctx, obj->mbox))
        return 0;
    if ((ec = rop_perm_rights(ctx, obj->mbox, obj->fid, &rights)) != 0)
        return ec;
    store_props_set_u32(out, PidTagRights, rights);
    return 0;
}

uint32_t rop_obj_get_props(rop_ctx *ctx, rop_object *obj, store_props *out)
{
    const store_mailbox_info *mi = rop_ctx_mailbox_info_of(ctx, obj->mbox);
    const char *error = NULL;
    store_folder *f;
    store_status st;

    if (!mi)
        return ecError;
    switch (obj->type) {
    case ROP_OBJ_LOGON:
        obj_logon_props(ctx, mi, out);
        return 0;
    case ROP_OBJ_FOLDER:
        st = store_folder_get(rop_ctx_db(ctx), out->pool, obj->mbox, obj->fid,
                              &f, &error);
        if (st == STORE_OK)
            st = store_folder_all_props(rop_ctx_db(ctx), out->pool, obj->mbox,
                                        f, out, &error);
        if (store_st_is_db(st))
            rop_ctx_note_error(ctx, error);
        return st == STORE_OK ? obj_folder_rights(ctx, obj, out)
                              : store_status_ec(st);
    case ROP_OBJ_MESSAGE:
        store_message_all_props(out->pool, obj->mbox, mi, obj->msg, out);
        if (obj->msg_flags & ROP_MSG_EMBEDDED) {
            store_props_del(out, PidTagMid);
            store_props_del(out, PidTagEntryId);
        }
        return 0;
    case ROP_OBJ_ATTACHMENT:
        obj_attachment_props(obj, out);
        return 0;
    default:
        return ecNotSupported;
    }
}

/* Properties the store computes: setting them is refused per property
 * ([MS-OXCPRPT] 3.2.5.4: "read-only" gives ecAccessDenied). */
static int obj_prop_computed(uint32_t tag)
{
    static const uint16_t ids[] = {
        0x6748 /* FolderId */, 0x6749 /* ParentFolderId */, 0x674A /* Mid */,
        0x0FFF /* EntryId */, 0x0E09 /* ParentEntryId */, 0x0FF9 /* RecordKey */,
        0x0FF6 /* InstanceKey */, 0x0FFE /* ObjectType */, 0x0FF4 /* Access */,
        0x0FF7 /* AccessLevel */, 0x6639 /* Rights */, 0x3602 /* ContentCount */,
        0x3603 /* ContentUnreadCount */, 0x3617 /* AssociatedContentCount */,
        0x6638 /* FolderChildCount */, 0x360A /* Subfolders */,
        0x0E08 /* MessageSize */, 0x0E21 /* AttachNumber */,
        0x67A4 /* ChangeNumber */, 0x0E1B /* HasAttachments */,
        0x0E20 /* AttachSize */, 0x340D /* StoreSupportMask */,
        0x3FF9 /* CreatorEntryId: decides EditOwned/DeleteOwned */,
    };
    uint16_t id = ROP_PROP_ID(tag);

    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static void obj_problem(apr_array_header_t *problems, uint16_t index,
                        uint32_t tag, uint32_t ec)
{
    rop_prop_problem *p = &APR_ARRAY_PUSH(problems, rop_prop_problem);

    p->index = index;
    p->tag = tag;
    p->ec = ec;
}

/* The bag that a set or delete changes in place, or NULL for a folder
 * (written through the store) and unsupported objects. */
static store_props *obj_bag(rop_object *obj)
{
    if (obj->type == ROP_OBJ_MESSAGE)
        return &obj->msg->props;
    if (obj->type == ROP_OBJ_ATTACHMENT)
        return &obj->att->props;
    return NULL;
}

static uint32_t obj_folder_write(rop_ctx *ctx, rop_object *obj,
                                 const store_props *set, const uint32_t *del,
                                 unsigned n_del)
{
    const char *error = NULL;
    store_status st;

    st = store_folder_set_props(rop_ctx_db(ctx), rop_ctx_pool(ctx), obj->mbox,
                                obj->fid, set, del, n_del, &error);
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    return st == STORE_OK ? 0 : store_status_ec(st);
}

/* Messages are writable as opened (rop_message.c checked the rights);
 * a folder's own properties need FolderOwner (R115, R116001). */
static uint32_t obj_writable(rop_ctx *ctx, const rop_object *obj)
{
    if (obj->type == ROP_OBJ_FOLDER)
        return rop_perm_need(ctx, obj->mbox, obj->fid,
                             STORE_RIGHT_FOLDER_OWNER);
    if (obj->type == ROP_OBJ_MESSAGE && !(obj->msg_flags & ROP_MSG_WRITE))
        return ecAccessDenied;
    if (obj->type == ROP_OBJ_ATTACHMENT && !(obj->att_flags & ROP_MSG_WRITE))
        return ecAccessDenied;
    if (obj->type == ROP_OBJ_LOGON)
        return ecNotSupported;
    return 0;
}

/* A Logon's one writable property: PidTagOutOfOfficeState, with which
 * a client enters and leaves the Out of Office state that turns on the
 * ST_ONLY_WHEN_OOF rules ([MS-OXORULE] 3.2.4.2); the owner's (another
 * user needs FolderOwner on the root).  Any other property is a problem
 * ecAccessDenied: the store object's properties are the server's. */
static uint32_t obj_logon_set_props(rop_ctx *ctx, rop_object *obj,
                                    const rop_propval_array *vals,
                                    apr_array_header_t *problems)
{
    store_mailbox_info *mi;
    const char *error = NULL;
    store_status st;
    uint32_t ec;
    int oof = -1;

    st = store_mailbox_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), obj->mbox,
                           &mi, &error);
    if (st == STORE_OK
        && (ec = rop_perm_need(ctx, obj->mbox,
                               mi->folder_ids[STORE_FOLDER_ROOT],
                               STORE_RIGHT_FOLDER_OWNER)) != 0)
        return ec;
    for (uint16_t i = 0; st == STORE_OK && i < vals->count; i++) {
        if (vals->vals[i].tag == PidTagOutOfOfficeState)
            oof = vals->vals[i].v.b != 0;
        else
            obj_problem(problems, i, vals->vals[i].tag, ecAccessDenied);
    }
    if (st == STORE_OK && oof >= 0)
        st = store_mailbox_set_oof(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                   obj->mbox, oof, &error);
    if (st == STORE_DB_ERROR)
        rop_ctx_note_error(ctx, error);
    return st == STORE_OK ? 0 : store_status_ec(st);
}

uint32_t rop_obj_set_props(rop_ctx *ctx, rop_object *obj,
                           const rop_propval_array *vals,
                           apr_array_header_t *problems)
{
    store_props folder_set, *bag = obj_bag(obj);
    uint32_t ec;
    uint16_t i;

    if (obj->type == ROP_OBJ_LOGON)
        return obj_logon_set_props(ctx, obj, vals, problems);
    if ((ec = obj_writable(ctx, obj)) != 0)
        return ec;
    store_props_init(&folder_set, rop_ctx_pool(ctx));
    for (i = 0; i < vals->count; i++) {
        const rop_propval *v = &vals->vals[i];
        uint16_t type = ROP_PROP_TYPE(v->tag);

        if (obj_prop_computed(v->tag))
            obj_problem(problems, i, v->tag, ecAccessDenied);
        else if (type == ROP_PT_ERROR || type == ROP_PT_UNSPECIFIED
                 || type == ROP_PT_OBJECT)
            obj_problem(problems, i, v->tag, ecInvalidParam);
        else
            store_props_set(bag ? bag : &folder_set, v);
    }
    if (!bag)
        return folder_set.count ? obj_folder_write(ctx, obj, &folder_set,
                                                   NULL, 0) : 0;
    if (obj->type == ROP_OBJ_MESSAGE)
        obj->msg_flags |= ROP_MSG_DIRTY;
    else
        obj->att_flags |= ROP_MSG_DIRTY;
    return 0;
}

uint32_t rop_obj_delete_props(rop_ctx *ctx, rop_object *obj,
                              const rop_tag_array *tags,
                              apr_array_header_t *problems)
{
    store_props *bag = obj_bag(obj);
    uint32_t ec = obj_writable(ctx, obj), *del;
    unsigned n_del = 0;
    uint16_t i;

    if (ec)
        return ec;
    del = apr_pcalloc(rop_ctx_pool(ctx), sizeof(uint32_t) * (tags->count + 1u));
    for (i = 0; i < tags->count; i++) {
        if (obj_prop_computed(tags->tags[i]))
            obj_problem(problems, i, tags->tags[i], ecAccessDenied);
        else if (bag)
            store_props_del(bag, tags->tags[i]);
        else
            del[n_del++] = tags->tags[i];
    }
    if (!bag) {
        store_props none;

        store_props_init(&none, rop_ctx_pool(ctx));
        return n_del ? obj_folder_write(ctx, obj, &none, del, n_del) : 0;
    }
    if (obj->type == ROP_OBJ_MESSAGE)
        obj->msg_flags |= ROP_MSG_DIRTY;
    else
        obj->att_flags |= ROP_MSG_DIRTY;
    return 0;
}

int rop_wr_problems(mapi_wr *out, const apr_array_header_t *problems)
{
    int i;

    mapi_wr_u16(out, (uint16_t)problems->nelts);
    for (i = 0; i < problems->nelts; i++) {
        const rop_prop_problem *p = &APR_ARRAY_IDX(problems, i,
                                                   rop_prop_problem);
        mapi_wr_u16(out, p->index);
        mapi_wr_u32(out, p->tag);
        mapi_wr_u32(out, p->ec);
    }
    return out->failed ? -1 : 0;
}

int rop_wr_ok_header(mapi_wr *out, const rop_call *call, uint8_t index)
{
    mapi_wr_u8(out, call->rop_id);
    mapi_wr_u8(out, index);
    return mapi_wr_u32(out, 0);
}
