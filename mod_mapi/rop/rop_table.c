/*
 * rop_table.c: table ROPs ([MS-OXCROPS] 2.2.5, behaviour [MS-OXCTABL]) and
 * the ROPs that open hierarchy, contents and attachment tables.
 *
 * A table object (ROP_OBJ_TABLE, rop_object.h) keeps only the view: its
 * kind and flags, columns, sort orders, restriction, cursor position and
 * bookmarks (each naming the id of the row it stands on).  The rows are
 * recomputed from the store at every ROP by tbl_rows(), so whichever httpd
 * process serves the session's next Execute sees the same table, and a
 * table always reflects the folder's current contents.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "rop_ids.h"
#include "rop_table.h"
#include "rop_folder.h"
#include "rop_object.h"
#include "rop_rule.h"
#include "rop_permission.h"
#include "store/store_table.h"
#include "wire/mapi_tags.h"

static int rop_parse_set_columns(mapi_rd *rd, apr_pool_t *pool,
                                 rop_call *call)
{
    rop_set_columns_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->set_columns_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->columns);
}

static int rop_parse_sort_table(mapi_rd *rd, apr_pool_t *pool,
                                rop_call *call)
{
    rop_sort_table_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->sort_table_flags);
    mapi_rd_u16(rd, &r->sort_order_count);
    mapi_rd_u16(rd, &r->category_count);
    mapi_rd_u16(rd, &r->expanded_count);
    if (rd->failed)
        return -1;
    return rop_rd_sort_orders(rd, pool, r->sort_order_count, &r->sort_orders);
}

static int rop_parse_restrict(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_restrict_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->restrict_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_restriction_sized(rd, pool, &r->restriction);
}

static int rop_parse_query_rows(mapi_rd *rd, apr_pool_t *pool,
                                rop_call *call)
{
    rop_query_rows_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->query_rows_flags);
    mapi_rd_u8(rd, &r->forward_read);
    mapi_rd_u16(rd, &r->row_count);
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_row(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_seek_row_req *r = apr_pcalloc(pool, sizeof(*r));
    uint32_t n = 0;

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->origin);
    mapi_rd_u32(rd, &n);
    mapi_rd_u8(rd, &r->want_row_moved_count);
    r->row_count = (int32_t)n;
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_row_bookmark(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_seek_row_bookmark_req *r = apr_pcalloc(pool, sizeof(*r));
    uint32_t n = 0;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0 || rop_rd_bin16(rd, &r->bookmark) < 0)
        return -1;
    mapi_rd_u32(rd, &n);
    mapi_rd_u8(rd, &r->want_row_moved_count);
    r->row_count = (int32_t)n;
    return rd->failed ? -1 : 0;
}

static int rop_parse_seek_row_fractional(mapi_rd *rd, apr_pool_t *pool,
                                         rop_call *call)
{
    rop_seek_row_fractional_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->numerator);
    mapi_rd_u32(rd, &r->denominator);
    return rd->failed ? -1 : 0;
}

static int rop_parse_find_row(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_find_row_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    if (mapi_rd_u8(rd, &r->find_row_flags) < 0 || rd->failed
        || rop_rd_restriction_sized(rd, pool, &r->restriction) < 0
        || mapi_rd_u8(rd, &r->origin) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->bookmark);
}

static int rop_parse_free_bookmark(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_bookmark_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->bookmark);
}

static int rop_parse_expand_row(mapi_rd *rd, apr_pool_t *pool,
                                rop_call *call)
{
    rop_expand_row_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->max_row_count);
    mapi_rd_u64(rd, &r->category_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_collapse_row(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_collapse_row_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->category_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_collapse_state(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_collapse_state_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->row_id);
    mapi_rd_u32(rd, &r->row_instance_number);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_collapse_state(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_set_collapse_state_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_bin16(rd, &r->collapse_state);
}

/* ==== table machinery =================================================== */

/* [MS-OXCTABL] R121/R122: no value in a row is larger than this. */
#define TBL_VALUE_MAX      510
/* Bookmarks one table keeps; a client that never frees them gets
 * ecInsufficientResources rather than an ever-growing object record. */
#define TBL_MAX_BOOKMARKS  256

static uint32_t tbl_store_ec(rop_ctx *ctx, store_status st, const char *error)
{
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    return store_status_ec(st);
}

/* The store info of the table's mailbox: the session's own one is cached
 * by the context, another (a delegate logon) is read. */
static uint32_t tbl_mailbox_info(rop_ctx *ctx, const uint8_t *mbox,
                                 const store_mailbox_info **mi_r)
{
    const store_mailbox_info *mi = rop_ctx_mailbox_info(ctx);
    store_mailbox_info *other;
    const char *error = NULL;
    store_status st;

    if (mi && memcmp(mi->mailbox_guid, mbox, STORE_GUID_LEN) == 0) {
        *mi_r = mi;
        return 0;
    }
    st = store_mailbox_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), mbox, &other,
                           &error);
    if (st != STORE_OK)
        return tbl_store_ec(ctx, st, error);
    *mi_r = other;
    return 0;
}

static store_row *tbl_row_new(apr_pool_t *pool, uint64_t id)
{
    store_row *row = apr_pcalloc(pool, sizeof(*row));

    store_props_init(&row->props, pool);
    row->id = id;
    return row;
}

/* The columns every data row of a hierarchy or contents table has
 * ([MS-OXCTABL] 2.2.1.1-2.2.1.3): one instance per row, leaf rows. */
static void tbl_leaf_props(store_row *row)
{
    store_props_set_u64(&row->props, PidTagInstID, row->id);
    store_props_set_u32(&row->props, PidTagInstanceNum, 0);
    store_props_set_u32(&row->props, PidTagRowType, ROP_TBL_LEAF_ROW);
}

/* Depth of a folder below the table's folder: its parent's depth plus
 * one.  The deep list is in pre-order, so a parent is always seen first. */
static uint32_t tbl_folder_depth(apr_hash_t *depths, const rop_object *tbl,
                                 const store_folder *f)
{
    uint32_t *parent, *mine;
    uint64_t *key;

    parent = f->parent_fid == tbl->fid ? NULL
        : apr_hash_get(depths, &f->parent_fid, sizeof(uint64_t));
    mine = apr_palloc(apr_hash_pool_get(depths), sizeof(*mine));
    *mine = parent ? *parent + 1 : 1;
    key = apr_palloc(apr_hash_pool_get(depths), sizeof(*key));
    *key = f->fid;
    apr_hash_set(depths, key, sizeof(*key), mine);
    return *mine;
}

/* Hierarchy rows: the subfolders (the whole subtree with Depth). */
static uint32_t tbl_folder_rows(rop_ctx *ctx, const rop_object *tbl,
                                apr_array_header_t *rows)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    int deep = (tbl->table_flags & ROP_TBL_HIER_DEPTH) != 0;
    apr_hash_t *depths = apr_hash_make(pool);
    apr_array_header_t *ids;
    const char *error = NULL;
    store_status st;
    int i;

    /* The store lists no soft-deleted folders, so a SoftDeletes table
     * ([MS-OXCFOLD] R806) is empty. */
    if (tbl->table_flags & ROP_TBL_HIER_SOFT_DELETES)
        return 0;
    st = store_folder_list(rop_ctx_db(ctx), pool, tbl->mbox, tbl->fid,
                           STORE_LIST_FOLDERS | (deep ? STORE_LIST_DEEP : 0),
                           &ids, &error);
    if (st != STORE_OK)
        return tbl_store_ec(ctx, st, error);
    for (i = 0; i < ids->nelts; i++) {
        store_folder *f;
        store_row *row;

        st = store_folder_get(rop_ctx_db(ctx), pool, tbl->mbox,
                              APR_ARRAY_IDX(ids, i, uint64_t), &f, &error);
        if (st == STORE_NOT_FOUND)
            continue;            /* deleted since it was listed */
        if (st != STORE_OK)
            return tbl_store_ec(ctx, st, error);
        /* R103: another user's folders show where they are visible. */
        if (rop_perm_need(ctx, tbl->mbox, f->fid,
                          STORE_RIGHT_FOLDER_VISIBLE) != 0)
            continue;
        row = tbl_row_new(pool, f->fid);
        st = store_folder_all_props(rop_ctx_db(ctx), pool, tbl->mbox, f,
                                    &row->props, &error);
        if (st != STORE_OK)
            return tbl_store_ec(ctx, st, error);
        tbl_leaf_props(row);
        if (deep)
            store_props_set_u32(&row->props, PidTagDepth,
                                tbl_folder_depth(depths, tbl, f));
        APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    return 0;
}

/* Whether the table's folder is a search folder (its rows come from its
 * criteria, not from its own index). */
static int tbl_is_search_folder(rop_ctx *ctx, const rop_object *tbl)
{
    store_folder *f;

    return store_folder_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), tbl->mbox,
                            tbl->fid, &f, NULL) == STORE_OK
           && f->folder_type == STORE_FOLDER_SEARCH;
}

/* A search folder's rows ([MS-OXCFOLD] R414, R1172): the matching
 * messages of its scope, each with its own folder's ids.  It has no
 * associated messages. */
static uint32_t tbl_search_rows(rop_ctx *ctx, const rop_object *tbl,
                                const store_mailbox_info *mi,
                                apr_array_header_t *rows)
{
    apr_array_header_t *found;
    const char *error = NULL;
    store_status st;

    if (tbl->table_flags & ROP_TBL_CT_ASSOCIATED)
        return 0;
    st = store_search_rows(rop_ctx_db(ctx), rop_ctx_pool(ctx), tbl->mbox, mi,
                           tbl->fid, &found, &error);
    if (st != STORE_OK)
        return tbl_store_ec(ctx, st, error);
    for (int i = 0; i < found->nelts; i++) {
        store_row *row = APR_ARRAY_IDX(found, i, store_row *);

        tbl_leaf_props(row);
        store_props_set_u32(&row->props, PidTagDepth, 0);
        APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    return 0;
}

/* Contents rows: the normal or the associated (FAI) messages. */
/* One message's row; *row_r is NULL when the message is gone. */
static uint32_t tbl_message_row(rop_ctx *ctx, const rop_object *tbl,
                                const store_mailbox_info *mi, uint64_t mid,
                                store_row **row_r)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const char *error = NULL;
    store_message *m;
    store_row *row;
    store_status st;

    *row_r = NULL;
    /* Large values stay in their blobs: a row must not cost the
     * attachments' bytes (the cells answer ecNotEnoughMemory). */
    st = store_message_get_ex(rop_ctx_db(ctx), pool, tbl->mbox, mid,
                              STORE_GET_LARGE_AS_REF, &m, &error);
    if (st == STORE_NOT_FOUND)
        return 0;
    if (st != STORE_OK)
        return tbl_store_ec(ctx, st, error);
    row = tbl_row_new(pool, mid);
    row->msg = m;
    store_message_all_props(pool, tbl->mbox, mi, m, &row->props);
    tbl_leaf_props(row);
    /* Not categorized: every row is in no category ([MS-OXCTABL] R19). */
    store_props_set_u32(&row->props, PidTagDepth, 0);
    *row_r = row;
    return 0;
}

static uint32_t tbl_message_rows(rop_ctx *ctx, const rop_object *tbl,
                                 apr_array_header_t *rows)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const store_mailbox_info *mi = NULL;
    apr_array_header_t *ids;
    const char *error = NULL;
    store_status st;
    uint32_t ec;
    int i;

    if (tbl->table_flags & ROP_TBL_CT_SOFT_DELETES)
        return 0;                /* no soft-deleted messages either */
    if ((ec = tbl_mailbox_info(ctx, tbl->mbox, &mi)) != 0)
        return ec;
    if (tbl_is_search_folder(ctx, tbl))
        return tbl_search_rows(ctx, tbl, mi, rows);
    st = store_folder_list(rop_ctx_db(ctx), pool, tbl->mbox, tbl->fid,
                           (tbl->table_flags & ROP_TBL_CT_ASSOCIATED)
                           ? STORE_LIST_ASSOCIATED : STORE_LIST_MESSAGES,
                           &ids, &error);
    if (st != STORE_OK)
        return tbl_store_ec(ctx, st, error);
    for (i = 0; i < ids->nelts; i++) {
        store_row *row;

        if ((ec = tbl_message_row(ctx, tbl, mi, APR_ARRAY_IDX(ids, i,
                                                              uint64_t),
                                  &row)) != 0)
            return ec;
        if (row)
            APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    return 0;
}

/* One attachment's row: the properties an attachment object opened on it
 * would have (rop_obj_get_props, so that table and object agree), with a
 * PidTagInstanceKey unique in the table. */
static uint32_t tbl_attachment_row(rop_ctx *ctx, const rop_object *msg,
                                   store_attachment *att,
                                   apr_array_header_t *rows)
{
    store_row *row = tbl_row_new(rop_ctx_pool(ctx), att->attach_num);
    rop_object *view = rop_obj_new(ctx, msg, ROP_OBJ_ATTACHMENT);
    uint8_t key[4];
    uint32_t ec;

    view->attach_num = att->attach_num;
    view->att = att;
    if ((ec = rop_obj_get_props(ctx, view, &row->props)) != 0)
        return ec;
    /* The content is read through RopOpenAttach/RopOpenStream; in a row
     * it would be cut to 510 bytes anyway. */
    store_props_del(&row->props, PidTagAttachDataBinary);
    key[0] = (uint8_t)att->attach_num;
    key[1] = (uint8_t)(att->attach_num >> 8);
    key[2] = (uint8_t)(att->attach_num >> 16);
    key[3] = (uint8_t)(att->attach_num >> 24);
    store_props_set_bin(&row->props, PidTagInstanceKey, key, sizeof(key));
    APR_ARRAY_PUSH(rows, store_row *) = row;
    return 0;
}

/* Attachment rows: the parent message object's working copy, so that
 * attachments created but not yet saved are listed ([MS-OXCMSG] 3.2.5.3). */
static uint32_t tbl_attachment_rows(rop_ctx *ctx, const rop_object *tbl,
                                    apr_array_header_t *rows)
{
    rop_object *msg;
    uint32_t ec;
    int i;

    if ((ec = rop_obj_load_handle(ctx, tbl->parent, &msg)) != 0)
        return ec;
    if (msg->type != ROP_OBJ_MESSAGE || !msg->msg)
        return ecNullObject;
    if (!msg->msg->attachments)
        return 0;
    for (i = 0; i < msg->msg->attachments->nelts; i++) {
        ec = tbl_attachment_row(ctx, msg, &APR_ARRAY_IDX(
                 msg->msg->attachments, i, store_attachment), rows);
        if (ec != 0)
            return ec;
    }
    return 0;
}

/* Rules rows ([MS-OXORULE] 2.2.2): the folder's rules in evaluation
 * order, each with its properties (PidTagRuleCondition and
 * PidTagRuleActions written as PtypRestriction and PtypRuleAction). */
static uint32_t tbl_rule_rows(rop_ctx *ctx, const rop_object *tbl,
                              apr_array_header_t *rows)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    apr_array_header_t *rules;
    const char *error = NULL;
    store_status st;

    st = store_rule_list(rop_ctx_db(ctx), pool, tbl->mbox, tbl->fid, &rules,
                         &error);
    if (st != STORE_OK)
        return tbl_store_ec(ctx, st, error);
    for (int i = 0; i < rules->nelts; i++) {
        const store_rule *r = APR_ARRAY_IDX(rules, i, store_rule *);
        store_row *row = tbl_row_new(pool, r->id);

        store_props_copy(&row->props, &r->props);
        tbl_leaf_props(row);
        APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    return 0;
}

/* The table's rows (store_row *): with view set, restricted and sorted as
 * the table object says; without, every row in store order (what
 * RopQueryColumnsAll looks at).  Returns 0 or an error code. */
static uint32_t tbl_rows_ex(rop_ctx *ctx, const rop_object *tbl, int view,
                            apr_array_header_t **rows_r,
                            apr_hash_t **headers_r);

static uint32_t tbl_rows(rop_ctx *ctx, const rop_object *tbl, int view,
                         apr_array_header_t **rows_r)
{
    return tbl_rows_ex(ctx, tbl, view, rows_r, NULL);
}

/* The visible rows of a categorized view (leaves under collapsed
 * categories are not rows of the table: [MS-OXCTABL] 3.2.5.x count only
 * what QueryRows would return). */
static apr_array_header_t *tbl_categorize(rop_ctx *ctx, const rop_object *tbl,
                                          apr_array_header_t *leaves,
                                          apr_hash_t **headers_r)
{
    store_category_view v = { tbl->n_categories, tbl->n_expanded, tbl->sorts,
                              tbl->n_sorts, tbl->toggled, tbl->n_toggled };
    store_category_result res;

    store_rows_categorize(rop_ctx_pool(ctx), leaves, &v, &res);
    if (headers_r)
        *headers_r = res.headers;
    return res.visible;
}

static uint32_t tbl_rows_ex(rop_ctx *ctx, const rop_object *tbl, int view,
                            apr_array_header_t **rows_r,
                            apr_hash_t **headers_r)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    apr_array_header_t *all = apr_array_make(pool, 16, sizeof(store_row *));
    apr_array_header_t *kept;
    uint32_t ec;

    switch (tbl->table_kind) {
    case ROP_TABLE_HIERARCHY:   ec = tbl_folder_rows(ctx, tbl, all); break;
    case ROP_TABLE_CONTENTS:    ec = tbl_message_rows(ctx, tbl, all); break;
    case ROP_TABLE_ATTACHMENTS: ec = tbl_attachment_rows(ctx, tbl, all); break;
    case ROP_TABLE_RULES:       ec = tbl_rule_rows(ctx, tbl, all); break;
    case ROP_TABLE_PERMISSIONS: ec = rop_perm_table_rows(ctx, tbl, all); break;
    default:                    ec = ecNotSupported; break;
    }
    if (ec != 0)
        return ec;
    if (!view) {
        *rows_r = all;
        return 0;
    }
    /* Restricted in store order, before sorting, so that a Count
     * restriction lets through the same rows whatever the sort. */
    kept = tbl->restriction ? store_rows_restrict(all, tbl->restriction, pool)
                            : all;
    if (headers_r)
        *headers_r = apr_hash_make(pool);
    if (tbl->n_categories && tbl->table_kind == ROP_TABLE_CONTENTS) {
        *rows_r = tbl_categorize(ctx, tbl, kept, headers_r);
        return 0;
    }
    if (tbl->n_sorts)
        store_rows_sort(kept, tbl->sorts, tbl->n_sorts);
    *rows_r = kept;
    return 0;
}

static store_row *tbl_row_at(apr_array_header_t *rows, uint32_t i)
{
    return APR_ARRAY_IDX(rows, (int)i, store_row *);
}

/* The cursor, clamped: rows may have left the table since it was set. */
static uint32_t tbl_cursor(const rop_object *tbl, apr_array_header_t *rows)
{
    uint32_t n = (uint32_t)rows->nelts;

    return tbl->position < n ? tbl->position : n;
}

/* Cuts a UTF-8 string to at most max UTF-16 code units, on a character
 * boundary (a 4-byte sequence is a surrogate pair: two units). */
static const char *tbl_clip_str(apr_pool_t *pool, const char *s, size_t max)
{
    size_t units = 0, i = 0, len = strlen(s);

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t seq = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        size_t u = seq == 4 ? 2 : 1;

        if (units + u > max)
            return apr_pstrndup(pool, s, i);
        units += u;
        i += seq;
    }
    return s;
}

/* [MS-OXCTABL] R121/R122: values over 510 bytes are truncated. */
static void tbl_clip_row(store_row *row)
{
    unsigned i;

    for (i = 0; i < row->props.count; i++) {
        rop_propval *v = &row->props.vals[i];

        switch (ROP_PROP_TYPE(v->tag)) {
        case ROP_PT_BINARY:
            if (v->v.bin.len > TBL_VALUE_MAX)
                v->v.bin.len = TBL_VALUE_MAX;
            break;
        case ROP_PT_UNICODE:
        case ROP_PT_STRING8:
            if (v->v.str)
                v->v.str = tbl_clip_str(row->props.pool, v->v.str,
                                        TBL_VALUE_MAX / 2);
            break;
        default:
            break;
        }
    }
}

static int tbl_wr_row(mapi_wr *out, const rop_object *tbl, store_row *row)
{
    tbl_clip_row(row);
    return store_wr_property_row(out, &tbl->columns, &row->props);
}

/* How many of want rows, read from start in direction dir (+1, -1), fit
 * in room bytes as PropertyRows: whole rows only ([MS-OXCTABL] R465). */
static uint32_t tbl_rows_fitting(apr_pool_t *pool, const rop_object *tbl,
                                 apr_array_header_t *rows, uint32_t start,
                                 int dir, uint32_t want, size_t room)
{
    size_t used = 0;
    uint32_t k;

    for (k = 0; k < want; k++) {
        uint32_t i = dir > 0 ? start + k : start - 1 - k;
        mapi_wr scratch;

        mapi_wr_init(&scratch, pool, room - used);
        if (tbl_wr_row(&scratch, tbl, tbl_row_at(rows, i)) < 0)
            break;
        used += scratch.len;
    }
    return k;
}

/* ---- bookmarks ---------------------------------------------------------- */

/* The bookmark a client sent (4 bytes: our id), or NULL. */
static rop_bookmark *tbl_bookmark_find(rop_object *tbl, const rop_bin *bm)
{
    uint32_t id;
    mapi_rd rd;
    uint16_t i;

    mapi_rd_init(&rd, bm->data, bm->len);
    if (bm->len != 4 || mapi_rd_u32(&rd, &id) < 0)
        return NULL;
    for (i = 0; i < tbl->n_bookmarks; i++)
        if (tbl->bookmarks[i].id == id)
            return &tbl->bookmarks[i];
    return NULL;
}

/* Where a bookmark stands now.  Its row may have left the table (deleted,
 * no longer matching): then *gone_r is 1 and the index is where the row
 * was, i.e. the next row ([MS-OXCTABL] R184, R240). */
static uint32_t tbl_bookmark_index(const rop_bookmark *b,
                                   apr_array_header_t *rows, int *gone_r)
{
    uint32_t n = (uint32_t)rows->nelts, i;

    *gone_r = 0;
    if (b->row_id == 0)
        return n;                /* made at the end of the table */
    for (i = 0; i < n; i++)
        if (tbl_row_at(rows, i)->id == b->row_id)
            return i;
    *gone_r = 1;
    return b->position < n ? b->position : n;
}

/* Sort, restrict and reset invalidate every bookmark and move the cursor
 * to the beginning ([MS-OXCTABL] R439, R453, R561, R562). */
static void tbl_rewind(rop_object *tbl)
{
    tbl->position = 0;
    tbl->n_bookmarks = 0;
}

/* ---- common handler steps ----------------------------------------------- */

#define TBL_KIND(k)          (1u << (k))
#define TBL_ANY_KIND         0xFFFFFFFFu
#define TBL_BROWSE_KINDS     (TBL_KIND(ROP_TABLE_HIERARCHY) | \
                              TBL_KIND(ROP_TABLE_CONTENTS) | \
                              TBL_KIND(ROP_TABLE_RULES))
/* Tables that sort: contents, and rules ([MS-OXORULE] R121 gives them
 * the table operations of [MS-OXCTABL]). */
#define TBL_SORT_KINDS       (TBL_KIND(ROP_TABLE_CONTENTS) | \
                              TBL_KIND(ROP_TABLE_RULES))

/* Loads the call's table object, of one of the kinds in kinds (others
 * are ecNotSupported, as every "not a contents table" clause of
 * [MS-OXCTABL] 3.2.5 says). */
static uint32_t tbl_load(rop_ctx *ctx, const rop_call *call, uint32_t kinds,
                         rop_object **tbl_r)
{
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_TABLE), tbl_r);

    if (ec == 0 && !(kinds & TBL_KIND((*tbl_r)->table_kind)))
        ec = ecNotSupported;
    return ec;
}

static int tbl_fail(mapi_wr *out, const rop_call *call, uint32_t ec)
{
    return rop_write_error_response(out, call, ec);
}

/* Saves the table, then answers the header and, when status is >= 0,
 * the TableStatus byte. */
static int tbl_save_and_answer(rop_ctx *ctx, const rop_call *call,
                               mapi_wr *out, const rop_object *tbl,
                               int status)
{
    uint32_t ec = rop_obj_save(ctx, tbl);

    if (ec != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    if (status >= 0)
        mapi_wr_u8(out, (uint8_t)status);
    return out->failed ? -1 : 0;
}

/* ---- opening tables ----------------------------------------------------- */

/* Creates the table object and answers; with_count adds RowCount (u32),
 * the rows the new table has (no restriction yet). */
/* RowCount of a new contents table of a normal folder from the counts
 * the store keeps; 0 when they cannot serve (search folder, soft deletes,
 * an older mailbox) and the rows must be counted. */
static int tbl_kept_count(rop_ctx *ctx, const rop_object *tbl, uint32_t *n_r)
{
    store_folder_counts c;
    store_folder *f;

    if (tbl->table_kind != ROP_TABLE_CONTENTS
        || (tbl->table_flags & ROP_TBL_CT_SOFT_DELETES)
        || store_folder_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), tbl->mbox,
                            tbl->fid, &f, NULL) != STORE_OK
        || f->folder_type == STORE_FOLDER_SEARCH
        || store_folder_counts_get(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                   tbl->mbox, tbl->fid,
                                   (tbl->table_flags & ROP_TBL_CT_ASSOCIATED)
                                   != 0, &c, NULL) != STORE_OK)
        return 0;
    *n_r = c.messages;
    return 1;
}

static int tbl_open(rop_ctx *ctx, rop_call *call, mapi_wr *out,
                    rop_object *tbl, int with_count)
{
    apr_array_header_t *rows;
    uint32_t ec, n = 0;

    if (!tbl_kept_count(ctx, tbl, &n)) {
        if ((ec = tbl_rows(ctx, tbl, 0, &rows)) != 0)
            return tbl_fail(out, call, ec);
        n = (uint32_t)rows->nelts;
    }
    if ((ec = rop_obj_create(ctx, tbl, call->out_handle_index)) != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->out_handle_index);
    if (with_count)
        mapi_wr_u32(out, n);
    return out->failed ? -1 : 0;
}

static int tbl_open_folder_table(rop_ctx *ctx, rop_call *call, mapi_wr *out,
                                 rop_table_kind kind, uint8_t valid,
                                 uint32_t bad_flags_ec)
{
    const rop_table_flags_req *r = call->req;
    rop_object *folder, *tbl;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_FOLDER), &folder);
    if (ec == 0 && (r->table_flags & ~valid))
        ec = bad_flags_ec;
    /* Contents need ReadAny (R143), the hierarchy FolderVisible (R103). */
    if (ec == 0)
        ec = rop_perm_need(ctx, folder->mbox, folder->fid,
                           kind == ROP_TABLE_CONTENTS ? STORE_RIGHT_READ_ANY
                           : STORE_RIGHT_FOLDER_VISIBLE);
    if (ec != 0)
        return tbl_fail(out, call, ec);
    tbl = rop_obj_new(ctx, folder, ROP_OBJ_TABLE);
    tbl->fid = folder->fid;
    tbl->table_kind = kind;
    tbl->table_flags = r->table_flags;
    return tbl_open(ctx, call, out, tbl, 1);
}

/* [MS-OXCROPS] 2.2.4.13; an undefined TableFlags bit is ecNotSupported
 * ([MS-OXCFOLD] R314). */
int rop_handle_get_hierarchy_table(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    return tbl_open_folder_table(ctx, call, out, ROP_TABLE_HIERARCHY,
                                 ROP_TBL_HIER_VALID, ecNotSupported);
}

/* [MS-OXCROPS] 2.2.4.14; an undefined TableFlags bit is ecInvalidParam
 * ([MS-OXCFOLD] R330). */
int rop_handle_get_contents_table(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    return tbl_open_folder_table(ctx, call, out, ROP_TABLE_CONTENTS,
                                 ROP_TBL_CT_VALID, ecInvalidParam);
}

/* [MS-OXCROPS] 2.2.6.17: the response carries no RowCount.  Anything but
 * a message is ecNullObject ([MS-OXCMSG] R1526). */
int rop_handle_get_attachment_table(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_table_flags_req *r = call->req;
    rop_object *msg, *tbl;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_MESSAGE), &msg);
    if (ec == ecNotSupported)
        ec = ecNullObject;
    if (ec != 0)
        return tbl_fail(out, call, ec);
    tbl = rop_obj_new(ctx, msg, ROP_OBJ_TABLE);
    tbl->fid = msg->fid;
    tbl->table_kind = ROP_TABLE_ATTACHMENTS;
    tbl->table_flags = r->table_flags;
    return tbl_open(ctx, call, out, tbl, 0);
}

/* [MS-OXORULE] 2.2.2: the response carries no RowCount; an x bit of
 * TableFlags is ecNotSupported (R920, R827). */
int rop_handle_get_rules_table(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_table_flags_req *r = call->req;
    rop_object *folder, *tbl;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_FOLDER), &folder);
    if (ec == 0 && (r->table_flags & ~ROP_RULES_TABLE_UNICODE))
        ec = ecNotSupported;
    if (ec == 0)          /* rules are FolderOwner's, like the ACL */
        ec = rop_perm_need(ctx, folder->mbox, folder->fid,
                           STORE_RIGHT_FOLDER_OWNER);
    if (ec != 0)
        return tbl_fail(out, call, ec);
    tbl = rop_obj_new(ctx, folder, ROP_OBJ_TABLE);
    tbl->fid = folder->fid;
    tbl->table_kind = ROP_TABLE_RULES;
    tbl->table_flags = r->table_flags;
    return tbl_open(ctx, call, out, tbl, 0);
}

/* ---- RopSetColumns, RopSortTable, RopRestrict, RopResetTable ------------ */

/* A column type a row can have a value of ([MS-OXCTABL] R435: not
 * PtypUnspecified, PtypErrorCode or an unknown type). */
static int tbl_column_type_ok(uint16_t type)
{
    static const uint16_t single[] = {
        ROP_PT_I2, ROP_PT_LONG, ROP_PT_FLOAT, ROP_PT_DOUBLE, ROP_PT_CURRENCY,
        ROP_PT_APPTIME, ROP_PT_BOOLEAN, ROP_PT_OBJECT, ROP_PT_I8,
        ROP_PT_STRING8, ROP_PT_UNICODE, ROP_PT_SYSTIME, ROP_PT_CLSID,
        ROP_PT_SVREID, ROP_PT_SRESTRICTION, ROP_PT_ACTIONS, ROP_PT_BINARY,
    };
    int mv = (type & ROP_PT_MV_FLAG) != 0;
    uint16_t base = type & (uint16_t)~(ROP_PT_MV_FLAG | ROP_PT_MV_INSTANCE);
    size_t i;

    if ((type & ROP_PT_MV_INSTANCE) && !mv)
        return 0;
    if (mv && (base == ROP_PT_BOOLEAN || base == ROP_PT_OBJECT
               || base == ROP_PT_SVREID || base == ROP_PT_SRESTRICTION
               || base == ROP_PT_ACTIONS))
        return 0;
    for (i = 0; i < sizeof(single) / sizeof(single[0]); i++)
        if (single[i] == base)
            return 1;
    return 0;
}

static int tbl_handle_set_columns(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_set_columns_req *r = call->req;
    rop_object *tbl;
    uint32_t ec;
    uint16_t i;

    if ((ec = tbl_load(ctx, call, TBL_ANY_KIND, &tbl)) != 0)
        return tbl_fail(out, call, ec);
    if (r->columns.count == 0)
        return tbl_fail(out, call, ecInvalidParam);     /* R49, R51 */
    for (i = 0; i < r->columns.count; i++)
        if (!tbl_column_type_ok(ROP_PROP_TYPE(r->columns.tags[i])))
            return tbl_fail(out, call, ecInvalidParam); /* R435 */
    tbl->columns.count = r->columns.count;
    tbl->columns.tags = apr_pmemdup(rop_ctx_pool(ctx), r->columns.tags,
                                    sizeof(uint32_t) * r->columns.count);
    return tbl_save_and_answer(ctx, call, out, tbl, ROP_TBLSTAT_COMPLETE);
}

/* A categorized sort: contents tables only (rules tables do not group);
 * CategoryCount at most SortOrderCount (R63), ExpandedCount at most
 * CategoryCount, at most one multi-valued category column (R75). */
static uint32_t tbl_check_categories(const rop_object *tbl,
                                     const rop_sort_table_req *r)
{
    unsigned mv = 0;

    if (tbl->table_kind != ROP_TABLE_CONTENTS)
        return ecNotSupported;
    if (r->category_count > r->sort_order_count
        || r->expanded_count > r->category_count)
        return ecInvalidParam;
    for (uint16_t i = 0; i < r->category_count; i++)
        if (r->sort_orders[i].prop_type & ROP_PT_MV_FLAG)
            mv++;
    return mv > 1 ? ecInvalidParam : 0;
}

static int tbl_handle_sort_table(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_sort_table_req *r = call->req;
    rop_object *tbl;
    uint32_t ec;
    uint16_t i;

    if ((ec = tbl_load(ctx, call, TBL_SORT_KINDS, &tbl)) != 0)
        return tbl_fail(out, call, ec);                 /* R450 */
    if (r->category_count > 0
        && (ec = tbl_check_categories(tbl, r)) != 0)
        return tbl_fail(out, call, ec);
    for (i = 0; i < r->sort_order_count; i++)
        if (r->sort_orders[i].order > 1)    /* MaximumCategory needs one */
            return tbl_fail(out, call, ecInvalidParam);
    tbl->n_sorts = r->sort_order_count;
    tbl->sorts = r->sort_order_count
        ? apr_pmemdup(rop_ctx_pool(ctx), r->sort_orders,
                      sizeof(rop_sort_order) * r->sort_order_count)
        : NULL;
    /* A new sort is a new view: every category starts as ExpandedCount
     * says (R66, R67). */
    tbl->n_categories = r->category_count;
    tbl->n_expanded = r->expanded_count;
    tbl->n_toggled = 0;
    tbl->toggled = NULL;
    tbl_rewind(tbl);
    return tbl_save_and_answer(ctx, call, out, tbl, ROP_TBLSTAT_COMPLETE);
}

static int tbl_handle_restrict(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_restrict_req *r = call->req;
    rop_object *tbl;
    uint32_t ec;

    if ((ec = tbl_load(ctx, call, TBL_BROWSE_KINDS, &tbl)) != 0)
        return tbl_fail(out, call, ec);                 /* R461 */
    if (rop_ctx_restriction_too_deep(ctx, r->restriction))
        return tbl_fail(out, call, ecTooComplex);       /* MapiMaxRestrictionDepth */
    /* A deep copy: the parsed tree points into the request buffer. */
    tbl->restriction = r->restriction
        ? rop_restriction_dup(rop_ctx_pool(ctx), r->restriction) : NULL;
    tbl_rewind(tbl);
    return tbl_save_and_answer(ctx, call, out, tbl, ROP_TBLSTAT_COMPLETE);
}

static int tbl_handle_reset_table(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *tbl;
    uint32_t ec;

    if ((ec = tbl_load(ctx, call, TBL_KIND(ROP_TABLE_CONTENTS), &tbl)) != 0)
        return tbl_fail(out, call, ec);                 /* R566 */
    tbl->columns.count = 0;                             /* R553-R557 */
    tbl->columns.tags = NULL;
    tbl->n_sorts = 0;
    tbl->sorts = NULL;
    tbl->restriction = NULL;
    tbl->n_categories = tbl->n_expanded = tbl->n_toggled = 0;
    tbl->toggled = NULL;
    tbl_rewind(tbl);
    return tbl_save_and_answer(ctx, call, out, tbl, -1);
}

/* ---- RopQueryRows ------------------------------------------------------- */

typedef struct tbl_read {
    uint32_t first;          /* index of the first row returned */
    uint32_t count;          /* rows returned */
    uint32_t cursor;         /* the cursor after the read */
    uint8_t origin;          /* Origin of the response */
} tbl_read;

/* Decides which rows a read returns.  Forward: from the cursor on.
 * Backward: the rows just before the cursor, returned in table order,
 * the cursor moving to the first of them ([MS-OXCTABL] R469). */
static void tbl_plan_read(apr_pool_t *pool, const rop_object *tbl,
                          apr_array_header_t *rows, int forward,
                          uint16_t row_count, size_t room, tbl_read *rd)
{
    uint32_t n = (uint32_t)rows->nelts, pos = tbl_cursor(tbl, rows);
    uint32_t avail = forward ? n - pos : pos;
    uint32_t want = row_count < avail ? row_count : avail;

    rd->count = tbl_rows_fitting(pool, tbl, rows, pos, forward ? 1 : -1,
                                 want, room);
    if (forward) {
        rd->first = pos;
        rd->cursor = pos + rd->count;
        /* R725, R726: the end once nothing is left to read. */
        rd->origin = rd->cursor >= n ? ROP_BOOKMARK_END : ROP_BOOKMARK_CURRENT;
    } else {
        rd->first = pos - rd->count;
        rd->cursor = rd->first;
        /* R784 (SHOULD): the beginning once nothing is left before. */
        rd->origin = rd->cursor == 0 ? ROP_BOOKMARK_BEGINNING
                                     : ROP_BOOKMARK_CURRENT;
    }
}

/* Origin u8, RowCount u16, RowData. */
#define TBL_QUERY_ROWS_FIXED  (6 + 1 + 2)

/* A forward read of a contents table sorted by PidTagMessageDeliveryTime
 * descending alone, without restriction or categories (the view Outlook
 * opens a folder with) reads its page from the store's delivery-time
 * index instead of building and sorting every row of the folder.  The
 * index orders ties and missing times as store_rows_sort does, so the
 * rows are the ones the full path would return. */
static int tbl_indexed(const rop_object *tbl, int forward)
{
    return forward && tbl->table_kind == ROP_TABLE_CONTENTS
           && !(tbl->table_flags & ROP_TBL_CT_SOFT_DELETES)
           && tbl->restriction == NULL && tbl->n_categories == 0
           && tbl->n_sorts == 1 && tbl->sorts[0].order == 1
           && ((uint32_t)tbl->sorts[0].prop_id << 16
               | tbl->sorts[0].prop_type) == PidTagMessageDeliveryTime;
}

/* The rows of the page from the cursor on, at most want, as rows[0..]
 * with rd planned as tbl_plan_read would; *done_r is 0 when the index
 * cannot serve the table (an older mailbox, a search folder, a message
 * gone between index and record) and the full path must run. */
static uint32_t tbl_indexed_page(rop_ctx *ctx, const rop_object *tbl,
                                 uint16_t want, size_t room,
                                 apr_array_header_t **rows_r, tbl_read *rd,
                                 int *done_r)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    const store_mailbox_info *mi = NULL;
    apr_array_header_t *mids, *rows;
    const char *error = NULL;
    uint32_t ec, skipped;
    store_folder *f;
    store_status st;
    int more, i;

    *done_r = 0;
    if ((ec = tbl_mailbox_info(ctx, tbl->mbox, &mi)) != 0)
        return ec;
    if (store_folder_get(rop_ctx_db(ctx), pool, tbl->mbox, tbl->fid, &f,
                         NULL) != STORE_OK
        || f->folder_type == STORE_FOLDER_SEARCH)
        return 0;
    st = store_sorted_page(rop_ctx_db(ctx), pool, tbl->mbox, tbl->fid,
                           (tbl->table_flags & ROP_TBL_CT_ASSOCIATED) != 0,
                           tbl->position, want, &mids, &skipped, &more,
                           &error);
    if (st == STORE_INVALID)
        return 0;
    if (st != STORE_OK)
        return tbl_store_ec(ctx, st, error);
    rows = apr_array_make(pool, mids->nelts ? mids->nelts : 1,
                          sizeof(store_row *));
    for (i = 0; i < mids->nelts; i++) {
        store_row *row;

        if ((ec = tbl_message_row(ctx, tbl, mi,
                                  APR_ARRAY_IDX(mids, i, uint64_t),
                                  &row)) != 0)
            return ec;
        if (row == NULL)
            return 0;
        APR_ARRAY_PUSH(rows, store_row *) = row;
    }
    rd->count = tbl_rows_fitting(pool, tbl, rows, 0, 1,
                                 (uint32_t)rows->nelts, room);
    rd->first = 0;
    /* skipped < position: the cursor was past the end (tbl_cursor). */
    rd->cursor = skipped + rd->count;
    rd->origin = rd->count == (uint32_t)rows->nelts && !more
                 ? ROP_BOOKMARK_END : ROP_BOOKMARK_CURRENT;
    *rows_r = rows;
    *done_r = 1;
    return 0;
}

static int tbl_handle_query_rows(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_query_rows_req *r = call->req;
    apr_array_header_t *rows;
    rop_object *tbl;
    tbl_read rd;
    uint32_t ec, i;
    int indexed = 0;

    if ((ec = tbl_load(ctx, call, TBL_ANY_KIND, &tbl)) != 0)
        return tbl_fail(out, call, ec);
    if (tbl->columns.count == 0)
        return tbl_fail(out, call, ecNullObject);       /* R428, R476 */
    if (tbl_indexed(tbl, r->forward_read != 0)
        && mapi_wr_room(out) >= TBL_QUERY_ROWS_FIXED
        && (ec = tbl_indexed_page(ctx, tbl, r->row_count,
                                  mapi_wr_room(out) - TBL_QUERY_ROWS_FIXED,
                                  &rows, &rd, &indexed)) != 0)
        return tbl_fail(out, call, ec);
    if (!indexed) {
        if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
            return tbl_fail(out, call, ec);
        if (mapi_wr_room(out) < TBL_QUERY_ROWS_FIXED)
            return -1;
        tbl_plan_read(rop_ctx_pool(ctx), tbl, rows, r->forward_read != 0,
                      r->row_count, mapi_wr_room(out) - TBL_QUERY_ROWS_FIXED,
                      &rd);
    }
    /* R466: with rows to send, at least one, or ecBufferTooSmall. */
    if (rd.count == 0 && r->row_count > 0
        && (indexed ? rows->nelts > 0
            : r->forward_read ? tbl_cursor(tbl, rows) < (uint32_t)rows->nelts
                              : tbl_cursor(tbl, rows) > 0))
        return -1;
    if (!(r->query_rows_flags & ROP_QUERY_ROWS_NO_ADVANCE)
        && rd.cursor != tbl->position) {
        tbl->position = rd.cursor;
        if ((ec = rop_obj_save(ctx, tbl)) != 0)
            return tbl_fail(out, call, ec);
    }
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u8(out, rd.origin);
    mapi_wr_u16(out, (uint16_t)rd.count);
    for (i = 0; i < rd.count; i++)
        tbl_wr_row(out, tbl, tbl_row_at(rows, rd.first + i));
    return out->failed ? -1 : 0;
}

/* ---- RopAbort, RopGetStatus, RopQueryPosition --------------------------- */

static int tbl_handle_abort(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *tbl;
    uint32_t ec = tbl_load(ctx, call, TBL_BROWSE_KINDS, &tbl);

    /* Nothing runs asynchronously here, so there is nothing to abort
     * ([MS-OXCTABL] R485); other tables are ecNotSupported (R486). */
    return tbl_fail(out, call, ec ? ec : ecUnableToAbort);
}

static int tbl_handle_get_status(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    rop_object *tbl;
    uint32_t ec = tbl_load(ctx, call, TBL_ANY_KIND, &tbl);

    if (ec != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u8(out, ROP_TBLSTAT_COMPLETE);
    return out->failed ? -1 : 0;
}

static int tbl_handle_query_position(rop_ctx *ctx, rop_call *call,
                                     mapi_wr *out)
{
    apr_array_header_t *rows;
    rop_object *tbl;
    uint32_t ec, n;

    if ((ec = tbl_load(ctx, call, TBL_ANY_KIND, &tbl)) != 0)
        return tbl_fail(out, call, ec);
    /* Without a restriction or categories, a contents table has as many
     * rows as the folder has messages, whatever the sort. */
    if (tbl->restriction == NULL && tbl->n_categories == 0
        && tbl_kept_count(ctx, tbl, &n)) {
        rop_wr_ok_header(out, call, call->in_handle_index);
        mapi_wr_u32(out, tbl->position < n ? tbl->position : n);
        mapi_wr_u32(out, n);
        return out->failed ? -1 : 0;
    }
    if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u32(out, tbl_cursor(tbl, rows));            /* R136 */
    mapi_wr_u32(out, (uint32_t)rows->nelts);            /* R138, R139 */
    return out->failed ? -1 : 0;
}

/* ---- seeking ------------------------------------------------------------ */

/* Moves from base by count rows, stopping at either end of n rows.
 * Returns the rows actually moved (signed) and sets *cursor_r. */
static int32_t tbl_move(uint32_t base, int32_t count, uint32_t n,
                        uint32_t *cursor_r)
{
    int64_t target = (int64_t)base + count;

    if (target < 0)
        target = 0;
    if (target > (int64_t)n)
        target = n;
    *cursor_r = (uint32_t)target;
    return (int32_t)(target - (int64_t)base);
}

/* HasSoughtLess and RowsSought of a move ([MS-OXCTABL] R153-R161). */
static void tbl_wr_sought(mapi_wr *out, int32_t asked, int32_t moved)
{
    int64_t a = asked < 0 ? -(int64_t)asked : asked;
    int64_t m = moved < 0 ? -(int64_t)moved : moved;

    mapi_wr_u8(out, m < a);
    mapi_wr_u32(out, (uint32_t)moved);
}

static int tbl_handle_seek_row(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_seek_row_req *r = call->req;
    apr_array_header_t *rows;
    rop_object *tbl;
    uint32_t ec, base, n;
    int32_t moved;

    if ((ec = tbl_load(ctx, call, TBL_ANY_KIND, &tbl)) != 0)
        return tbl_fail(out, call, ec);
    if (r->origin > ROP_BOOKMARK_END)
        return tbl_fail(out, call, ecInvalidParam);     /* R144 */
    if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    n = (uint32_t)rows->nelts;
    base = r->origin == ROP_BOOKMARK_BEGINNING ? 0
         : r->origin == ROP_BOOKMARK_END ? n : tbl_cursor(tbl, rows);
    moved = tbl_move(base, r->row_count, n, &tbl->position);
    if ((ec = rop_obj_save(ctx, tbl)) != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    tbl_wr_sought(out, r->row_count, moved);
    return out->failed ? -1 : 0;
}

static int tbl_handle_seek_row_bookmark(rop_ctx *ctx, rop_call *call,
                                        mapi_wr *out)
{
    const rop_seek_row_bookmark_req *r = call->req;
    apr_array_header_t *rows;
    const rop_bookmark *b;
    rop_object *tbl;
    uint32_t ec, base;
    int32_t moved;
    int gone;

    if ((ec = tbl_load(ctx, call, TBL_BROWSE_KINDS, &tbl)) != 0)
        return tbl_fail(out, call, ec);                 /* R512 */
    if (tbl->columns.count == 0)
        return tbl_fail(out, call, ecNullObject);       /* R8266 */
    if (!(b = tbl_bookmark_find(tbl, &r->bookmark)))
        return tbl_fail(out, call, ecInvalidBookmark);  /* R511 */
    if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    base = tbl_bookmark_index(b, rows, &gone);
    moved = tbl_move(base, r->row_count, (uint32_t)rows->nelts,
                     &tbl->position);
    if ((ec = rop_obj_save(ctx, tbl)) != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u8(out, (uint8_t)gone);                     /* R181-R183 */
    tbl_wr_sought(out, r->row_count, moved);
    return out->failed ? -1 : 0;
}

static int tbl_handle_seek_row_fractional(rop_ctx *ctx, rop_call *call,
                                          mapi_wr *out)
{
    const rop_seek_row_fractional_req *r = call->req;
    apr_array_header_t *rows;
    rop_object *tbl;
    uint32_t ec, n;

    if ((ec = tbl_load(ctx, call, TBL_ANY_KIND, &tbl)) != 0)
        return tbl_fail(out, call, ec);
    if (r->denominator == 0)
        return tbl_fail(out, call, ecInvalidParam);     /* R206 */
    if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    n = (uint32_t)rows->nelts;
    /* R514-R516: 0 is the beginning, >= 1 the end, else the nearest row. */
    if (r->numerator >= r->denominator)
        tbl->position = n;
    else
        tbl->position = (uint32_t)(((uint64_t)r->numerator * n
                                    + r->denominator / 2) / r->denominator);
    return tbl_save_and_answer(ctx, call, out, tbl, -1);
}

/* ---- RopCreateBookmark, RopFreeBookmark --------------------------------- */

static int tbl_handle_create_bookmark(rop_ctx *ctx, rop_call *call,
                                      mapi_wr *out)
{
    apr_array_header_t *rows;
    rop_bookmark *b, *grown;
    rop_object *tbl;
    uint32_t ec, pos;

    if ((ec = tbl_load(ctx, call, TBL_BROWSE_KINDS, &tbl)) != 0)
        return tbl_fail(out, call, ec);                 /* R529 */
    if (tbl->n_bookmarks >= TBL_MAX_BOOKMARKS)
        return tbl_fail(out, call, ecInsufficientResources);
    if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    grown = apr_pcalloc(rop_ctx_pool(ctx),
                        sizeof(rop_bookmark) * (tbl->n_bookmarks + 1u));
    if (tbl->n_bookmarks)
        memcpy(grown, tbl->bookmarks,
               sizeof(rop_bookmark) * tbl->n_bookmarks);
    b = &grown[tbl->n_bookmarks];
    pos = tbl_cursor(tbl, rows);
    /* Ids start at 1 and are never reused within the table. */
    b->id = ++tbl->next_bookmark;
    b->row_id = pos < (uint32_t)rows->nelts ? tbl_row_at(rows, pos)->id : 0;
    b->position = pos;
    tbl->bookmarks = grown;
    tbl->n_bookmarks++;
    if ((ec = rop_obj_save(ctx, tbl)) != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, 4);                                /* R211, R212 */
    mapi_wr_u32(out, b->id);
    return out->failed ? -1 : 0;
}

static int tbl_handle_free_bookmark(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_bookmark_req *r = call->req;
    rop_bookmark *b;
    rop_object *tbl;
    uint32_t ec;
    size_t at;

    if ((ec = tbl_load(ctx, call, TBL_BROWSE_KINDS, &tbl)) != 0)
        return tbl_fail(out, call, ec);                 /* R551 */
    if (tbl->columns.count == 0)
        return tbl_fail(out, call, ecNullObject);       /* R8264 */
    if (!(b = tbl_bookmark_find(tbl, &r->bookmark)))
        return tbl_fail(out, call, ecInvalidBookmark);  /* R5521 */
    at = (size_t)(b - tbl->bookmarks);
    memmove(b, b + 1, sizeof(*b) * (tbl->n_bookmarks - at - 1));
    tbl->n_bookmarks--;
    return tbl_save_and_answer(ctx, call, out, tbl, -1);
}

/* ---- RopQueryColumnsAll ------------------------------------------------- */

static int tbl_tag_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Every tag any row of the table has, in tag order (R217, R530). */
static int tbl_handle_query_columns_all(rop_ctx *ctx, rop_call *call,
                                        mapi_wr *out)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    apr_hash_t *seen = apr_hash_make(pool);
    apr_array_header_t *rows, *tags = apr_array_make(pool, 32,
                                                     sizeof(uint32_t));
    rop_object *tbl;
    uint32_t ec;
    int i;
    unsigned j;

    if ((ec = tbl_load(ctx, call, TBL_ANY_KIND, &tbl)) != 0
        || (ec = tbl_rows(ctx, tbl, 0, &rows)) != 0)
        return tbl_fail(out, call, ec);
    for (i = 0; i < rows->nelts && tags->nelts < 0xFFFF; i++) {
        const store_props *p = &tbl_row_at(rows, (uint32_t)i)->props;

        for (j = 0; j < p->count && tags->nelts < 0xFFFF; j++) {
            if (apr_hash_get(seen, &p->vals[j].tag, sizeof(uint32_t)))
                continue;
            apr_hash_set(seen, &p->vals[j].tag, sizeof(uint32_t), "");
            APR_ARRAY_PUSH(tags, uint32_t) = p->vals[j].tag;
        }
    }
    qsort(tags->elts, (size_t)tags->nelts, sizeof(uint32_t), tbl_tag_cmp);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, (uint16_t)tags->nelts);
    for (i = 0; i < tags->nelts; i++)
        mapi_wr_u32(out, APR_ARRAY_IDX(tags, i, uint32_t));
    return out->failed ? -1 : 0;
}

/* ---- RopFindRow --------------------------------------------------------- */

/* Where a find starts, from Origin (and Bookmark for BOOKMARK_CUSTOM).
 * Returns 0 or an error code. */
static uint32_t tbl_find_start(rop_object *tbl, const rop_find_row_req *r,
                               apr_array_header_t *rows, uint32_t *start_r,
                               int *gone_r)
{
    const rop_bookmark *b;

    *gone_r = 0;
    switch (r->origin) {
    case ROP_BOOKMARK_BEGINNING:
        *start_r = 0;
        return 0;
    case ROP_BOOKMARK_CURRENT:
        *start_r = tbl_cursor(tbl, rows);
        return 0;
    case ROP_BOOKMARK_END:
        *start_r = (uint32_t)rows->nelts;
        return 0;
    case ROP_BOOKMARK_CUSTOM:
        if (!(b = tbl_bookmark_find(tbl, &r->bookmark)))
            return ecInvalidBookmark;                   /* R537, R868 */
        *start_r = tbl_bookmark_index(b, rows, gone_r);
        return 0;
    }
    return ecInvalidParam;
}

/* Index of the first matching row from start (forward), or before start
 * (backward: the row at start is not considered, R241); -1 if none. */
static int64_t tbl_find(const rop_restriction *res, apr_array_header_t *rows,
                        uint32_t start, int backward)
{
    int64_t i;

    if (backward) {
        for (i = (int64_t)start - 1; i >= 0; i--)
            if (store_restrict_match(res, tbl_row_at(rows, (uint32_t)i)))
                return i;
        return -1;
    }
    for (i = start; i < rows->nelts; i++)
        if (store_restrict_match(res, tbl_row_at(rows, (uint32_t)i)))
            return i;
    return -1;
}

/* RowNoLongerVisible u8, HasRowData u8 after the header. */
#define TBL_FIND_ROW_FIXED  (6 + 1 + 1)

static int tbl_handle_find_row(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_find_row_req *r = call->req;
    apr_array_header_t *rows;
    rop_object *tbl;
    uint32_t ec, start;
    int64_t found;
    uint32_t has_row;
    int gone;

    if ((ec = tbl_load(ctx, call, TBL_BROWSE_KINDS, &tbl)) != 0)
        return tbl_fail(out, call, ec);                 /* R544 */
    if (rop_ctx_restriction_too_deep(ctx, r->restriction))
        return tbl_fail(out, call, ecTooComplex);       /* MapiMaxRestrictionDepth */
    if (tbl->columns.count == 0)
        return tbl_fail(out, call, ecNullObject);       /* R826, R827 */
    if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0
        || (ec = tbl_find_start(tbl, r, rows, &start, &gone)) != 0)
        return tbl_fail(out, call, ec);
    found = tbl_find(r->restriction, rows, start,
                     (r->find_row_flags & ROP_FIND_ROW_BACKWARD) != 0);
    if (found < 0)
        return tbl_fail(out, call, ecNotFound);         /* R536 */
    tbl->position = (uint32_t)found;                    /* R534 */
    if ((ec = rop_obj_save(ctx, tbl)) != 0)
        return tbl_fail(out, call, ec);
    if (mapi_wr_room(out) < TBL_FIND_ROW_FIXED)
        return -1;
    /* The row is sent when it fits (R534); otherwise HasRowData is 0. */
    has_row = tbl_rows_fitting(rop_ctx_pool(ctx), tbl, rows, (uint32_t)found,
                               1, 1, mapi_wr_room(out) - TBL_FIND_ROW_FIXED);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u8(out, (uint8_t)gone);                     /* R237-R239 */
    mapi_wr_u8(out, (uint8_t)has_row);                  /* R242-R246 */
    if (has_row)
        tbl_wr_row(out, tbl, tbl_row_at(rows, (uint32_t)found));
    return out->failed ? -1 : 0;
}

/* ---- categories: RopExpandRow, RopCollapseRow, Get/SetCollapseState ----- */

#define TBL_EC_NOT_EXPANDED   0x000004F7u   /* [MS-OXCTABL] R577 */
#define TBL_EC_NOT_COLLAPSED  0x000004F8u   /* R571 */
/* Categories one table remembers as toggled: a collapse state stays
 * well inside a 64 KiB CollapseState. */
#define TBL_MAX_TOGGLED       4096
#define TBL_STATE_MAGIC       0x53435442u   /* "BTCS" */

/* Loads a contents table that has columns (R8261-R8267: ecNullObject
 * before RopSetColumns; R572 & co.: ecNotSupported on other tables). */
static uint32_t tbl_load_categorized(rop_ctx *ctx, const rop_call *call,
                                     rop_object **tbl_r)
{
    uint32_t ec = tbl_load(ctx, call, TBL_KIND(ROP_TABLE_CONTENTS), tbl_r);

    if (ec == 0 && (*tbl_r)->columns.count == 0)
        ec = ecNullObject;
    return ec;
}

/* Flips the state of category id (kept as "differs from the default"). */
static uint32_t tbl_toggle(rop_ctx *ctx, rop_object *tbl, uint64_t id)
{
    uint64_t *grown;

    for (uint16_t i = 0; i < tbl->n_toggled; i++) {
        if (tbl->toggled[i] != id)
            continue;
        tbl->toggled[i] = tbl->toggled[--tbl->n_toggled];
        return 0;
    }
    if (tbl->n_toggled >= TBL_MAX_TOGGLED)
        return ecInsufficientResources;
    grown = apr_pcalloc(rop_ctx_pool(ctx),
                        sizeof(uint64_t) * (tbl->n_toggled + 1u));
    if (tbl->n_toggled)
        memcpy(grown, tbl->toggled, sizeof(uint64_t) * tbl->n_toggled);
    grown[tbl->n_toggled++] = id;
    tbl->toggled = grown;
    return 0;
}

/* Index of the row with this id among rows, or -1. */
static int64_t tbl_index_of(apr_array_header_t *rows, uint64_t id)
{
    for (int i = 0; i < rows->nelts; i++)
        if (tbl_row_at(rows, (uint32_t)i)->id == id)
            return i;
    return -1;
}

/* Rows shown below the header at index at: those after it that are
 * deeper than it. */
static uint32_t tbl_under(apr_array_header_t *rows, int64_t at)
{
    uint32_t depth, n = 0;

    if (at < 0)
        return 0;
    depth = store_row_depth(tbl_row_at(rows, (uint32_t)at));
    for (int64_t i = at + 1; i < rows->nelts; i++, n++)
        if (store_row_depth(tbl_row_at(rows, (uint32_t)i)) <= depth)
            break;
    return n;
}

/* Finds category id: 0 with its header, or ecNotFound (R570, R576). */
static uint32_t tbl_category(rop_ctx *ctx, const rop_object *tbl,
                             uint64_t id, store_row **header_r)
{
    apr_array_header_t *rows;
    apr_hash_t *headers;
    uint32_t ec = tbl_rows_ex(ctx, tbl, 1, &rows, &headers);

    if (ec != 0)
        return ec;
    *header_r = apr_hash_get(headers, &id, sizeof(id));
    return *header_r ? 0 : ecNotFound;
}

/* ExpandedRowCount u32, RowCount u16. */
#define TBL_EXPAND_FIXED  (6 + 4 + 2)

static int tbl_handle_expand_row(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_expand_row_req *r = call->req;
    apr_array_header_t *rows;
    store_row *header;
    rop_object *tbl;
    uint32_t ec, under, want, fit;
    int64_t at;

    if ((ec = tbl_load_categorized(ctx, call, &tbl)) != 0
        || (ec = tbl_category(ctx, tbl, r->category_id, &header)) != 0)
        return tbl_fail(out, call, ec);
    if (store_category_expanded(header))
        return tbl_fail(out, call, TBL_EC_NOT_COLLAPSED);
    if ((ec = tbl_toggle(ctx, tbl, r->category_id)) != 0
        || (ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    at = tbl_index_of(rows, r->category_id);
    under = tbl_under(rows, at);
    /* The cursor stays on its row: rows appearing above it push it. */
    if (at >= 0 && (uint32_t)at < tbl->position)
        tbl->position += under;
    if ((ec = rop_obj_save(ctx, tbl)) != 0)
        return tbl_fail(out, call, ec);
    if (mapi_wr_room(out) < TBL_EXPAND_FIXED)
        return -1;
    want = under < r->max_row_count ? under : r->max_row_count;  /* R280 */
    fit = want ? tbl_rows_fitting(rop_ctx_pool(ctx), tbl, rows,
                                  (uint32_t)at + 1, 1, want,
                                  mapi_wr_room(out) - TBL_EXPAND_FIXED) : 0;
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u32(out, under);                             /* R278 */
    mapi_wr_u16(out, (uint16_t)fit);                     /* R279, R281 */
    for (uint32_t i = 0; i < fit; i++)
        tbl_wr_row(out, tbl, tbl_row_at(rows, (uint32_t)at + 1 + i));
    return out->failed ? -1 : 0;
}

static int tbl_handle_collapse_row(rop_ctx *ctx, rop_call *call,
                                   mapi_wr *out)
{
    const rop_collapse_row_req *r = call->req;
    apr_array_header_t *rows;
    store_row *header;
    rop_object *tbl;
    uint32_t ec, under;
    int64_t at;

    if ((ec = tbl_load_categorized(ctx, call, &tbl)) != 0
        || (ec = tbl_category(ctx, tbl, r->category_id, &header)) != 0)
        return tbl_fail(out, call, ec);
    if (!store_category_expanded(header))
        return tbl_fail(out, call, TBL_EC_NOT_EXPANDED);
    if ((ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    at = tbl_index_of(rows, r->category_id);
    under = tbl_under(rows, at);
    /* The cursor keeps its row, or goes to the row after the category
     * when its row is folded away. */
    if (at >= 0 && tbl->position > (uint32_t)at) {
        if (tbl->position <= (uint32_t)at + under)
            tbl->position = (uint32_t)at + 1;
        else
            tbl->position -= under;
    }
    if ((ec = tbl_toggle(ctx, tbl, r->category_id)) != 0
        || (ec = rop_obj_save(ctx, tbl)) != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u32(out, under);                             /* R287 */
    return out->failed ? -1 : 0;
}

/* What a collapse state must match to be applied (R308: the same sort):
 * a hash of the category count, ExpandedCount and sort orders. */
static uint32_t tbl_view_hash(const rop_object *tbl)
{
    uint32_t h = 2166136261u;

    h = (h ^ tbl->n_categories) * 16777619u;
    h = (h ^ tbl->n_expanded) * 16777619u;
    for (uint16_t i = 0; i < tbl->n_sorts; i++) {
        h = (h ^ tbl->sorts[i].prop_id) * 16777619u;
        h = (h ^ tbl->sorts[i].prop_type) * 16777619u;
        h = (h ^ tbl->sorts[i].order) * 16777619u;
    }
    return h;
}

/* CollapseState (opaque to the client, R289): magic u32, view hash u32,
 * toggled count u16 and ids u64, then the row to stand on: RowId u64,
 * RowInstanceNumber u32. */
static int tbl_handle_get_collapse_state(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_get_collapse_state_req *r = call->req;
    size_t size;
    rop_object *tbl;
    uint32_t ec;

    if ((ec = tbl_load_categorized(ctx, call, &tbl)) != 0)
        return tbl_fail(out, call, ec);
    size = 4 + 4 + 2 + 8u * tbl->n_toggled + 8 + 4;
    if (mapi_wr_room(out) < 6 + 2 + size)
        return -1;
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, (uint16_t)size);                    /* R294 */
    mapi_wr_u32(out, TBL_STATE_MAGIC);
    mapi_wr_u32(out, tbl_view_hash(tbl));
    mapi_wr_u16(out, tbl->n_toggled);
    for (uint16_t i = 0; i < tbl->n_toggled; i++)
        mapi_wr_u64(out, tbl->toggled[i]);
    mapi_wr_u64(out, r->row_id);                         /* R581 */
    mapi_wr_u32(out, r->row_instance_number);
    return out->failed ? -1 : 0;
}

/* Decodes a CollapseState into tbl's toggled set; *row_id_r the row it
 * was taken at.  ecInvalidParam when it is not ours or not of this
 * view (R308). */
static uint32_t tbl_read_collapse_state(rop_ctx *ctx, rop_object *tbl,
                                        const rop_bin *state,
                                        uint64_t *row_id_r)
{
    uint32_t magic = 0, hash = 0, inst = 0;
    uint16_t n = 0;
    uint64_t *ids;
    mapi_rd rd;

    mapi_rd_init(&rd, state->data, state->len);
    mapi_rd_u32(&rd, &magic);
    mapi_rd_u32(&rd, &hash);
    if (mapi_rd_u16(&rd, &n) < 0 || magic != TBL_STATE_MAGIC
        || hash != tbl_view_hash(tbl) || n > TBL_MAX_TOGGLED
        || mapi_rd_left(&rd) != 8u * n + 12)
        return ecInvalidParam;
    ids = apr_pcalloc(rop_ctx_pool(ctx), sizeof(uint64_t) * (n + 1u));
    for (uint16_t i = 0; i < n; i++)
        mapi_rd_u64(&rd, &ids[i]);
    mapi_rd_u64(&rd, row_id_r);
    mapi_rd_u32(&rd, &inst);
    if (rd.failed)
        return ecInvalidParam;
    tbl->toggled = ids;
    tbl->n_toggled = n;
    return 0;
}

static int tbl_handle_set_collapse_state(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    const rop_set_collapse_state_req *r = call->req;
    apr_array_header_t *rows;
    rop_bookmark *b, *grown;
    rop_object *tbl;
    uint64_t row_id = 0;
    uint32_t ec;
    int64_t at;

    if ((ec = tbl_load_categorized(ctx, call, &tbl)) != 0)
        return tbl_fail(out, call, ec);
    if (tbl->n_bookmarks >= TBL_MAX_BOOKMARKS)
        return tbl_fail(out, call, ecInsufficientResources);
    if ((ec = tbl_read_collapse_state(ctx, tbl, &r->collapse_state,
                                      &row_id)) != 0
        || (ec = tbl_rows(ctx, tbl, 1, &rows)) != 0)
        return tbl_fail(out, call, ec);
    at = tbl_index_of(rows, row_id);
    /* R587: the cursor goes to the row; R305: the bookmark names it (a
     * row no longer shown gives a bookmark that answers "gone", R309). */
    tbl->position = at >= 0 ? (uint32_t)at : 0;
    grown = apr_pcalloc(rop_ctx_pool(ctx),
                        sizeof(rop_bookmark) * (tbl->n_bookmarks + 1u));
    if (tbl->n_bookmarks)
        memcpy(grown, tbl->bookmarks,
               sizeof(rop_bookmark) * tbl->n_bookmarks);
    b = &grown[tbl->n_bookmarks];
    b->id = ++tbl->next_bookmark;
    b->row_id = row_id;
    b->position = tbl->position;
    tbl->bookmarks = grown;
    tbl->n_bookmarks++;
    if ((ec = rop_obj_save(ctx, tbl)) != 0)
        return tbl_fail(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, 4);                                 /* R314 */
    mapi_wr_u32(out, b->id);                             /* R315 */
    return out->failed ? -1 : 0;
}

const rop_def rop_table_defs[] = {
    { ROP_ID_SET_COLUMNS, 0, "RopSetColumns", rop_parse_set_columns,
      tbl_handle_set_columns, 0 },
    { ROP_ID_SORT_TABLE, 0, "RopSortTable", rop_parse_sort_table,
      tbl_handle_sort_table, 0 },
    { ROP_ID_RESTRICT, 0, "RopRestrict", rop_parse_restrict,
      tbl_handle_restrict, 0 },
    { ROP_ID_QUERY_ROWS, 0, "RopQueryRows", rop_parse_query_rows,
      tbl_handle_query_rows, 0 },
    { ROP_ID_ABORT, 0, "RopAbort", rop_parse_hdr_only,
      tbl_handle_abort, 0 },
    { ROP_ID_GET_STATUS, 0, "RopGetStatus", rop_parse_hdr_only,
      tbl_handle_get_status, 0 },
    { ROP_ID_QUERY_POSITION, 0, "RopQueryPosition",
      rop_parse_hdr_only, tbl_handle_query_position, 0 },
    { ROP_ID_SEEK_ROW, 0, "RopSeekRow", rop_parse_seek_row,
      tbl_handle_seek_row, 0 },
    { ROP_ID_SEEK_ROW_BOOKMARK, 0, "RopSeekRowBookmark",
      rop_parse_seek_row_bookmark, tbl_handle_seek_row_bookmark, 0 },
    { ROP_ID_SEEK_ROW_FRACTIONAL, 0, "RopSeekRowFractional",
      rop_parse_seek_row_fractional, tbl_handle_seek_row_fractional, 0 },
    { ROP_ID_CREATE_BOOKMARK, 0, "RopCreateBookmark",
      rop_parse_hdr_only, tbl_handle_create_bookmark, 0 },
    { ROP_ID_QUERY_COLUMNS_ALL, 0, "RopQueryColumnsAll",
      rop_parse_hdr_only, tbl_handle_query_columns_all, 0 },
    { ROP_ID_FIND_ROW, 0, "RopFindRow", rop_parse_find_row,
      tbl_handle_find_row, 0 },
    { ROP_ID_FREE_BOOKMARK, 0, "RopFreeBookmark",
      rop_parse_free_bookmark, tbl_handle_free_bookmark, 0 },
    { ROP_ID_RESET_TABLE, 0, "RopResetTable", rop_parse_hdr_only,
      tbl_handle_reset_table, 0 },
    { ROP_ID_EXPAND_ROW, 0, "RopExpandRow", rop_parse_expand_row,
      tbl_handle_expand_row, 0 },
    { ROP_ID_COLLAPSE_ROW, 0, "RopCollapseRow",
      rop_parse_collapse_row, tbl_handle_collapse_row, 0 },
    { ROP_ID_GET_COLLAPSE_STATE, 0, "RopGetCollapseState",
      rop_parse_get_collapse_state, tbl_handle_get_collapse_state, 0 },
    { ROP_ID_SET_COLLAPSE_STATE, 0, "RopSetCollapseState",
      rop_parse_set_collapse_state, tbl_handle_set_collapse_state, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
