/*
 * rop_message.c: message and attachment ROPs ([MS-OXCROPS] 2.2.6).
 * Attachments live here too: they are opened on, and owned by, messages.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_time.h>
#include "rop_ids.h"
#include "rop_logon.h"
#include "rop_folder.h"
#include "rop_table.h"
#include "rop_message.h"
#include "rop_object.h"
#include "rop_permission.h"
#include "store/store.h"
#include "store/store_table.h"
#include "session/sess_context.h"
#include "wire/mapi_tags.h"

static int rop_parse_open_message(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_open_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u16(rd, &r->code_page_id);
    mapi_rd_u64(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->open_mode_flags);
    mapi_rd_u64(rd, &r->message_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_create_message(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_create_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u16(rd, &r->code_page_id);
    mapi_rd_u64(rd, &r->folder_id);
    mapi_rd_u8(rd, &r->associated_flag);
    return rd->failed ? -1 : 0;
}

static int rop_parse_save_changes(mapi_rd *rd, apr_pool_t *pool,
                                  rop_call *call)
{
    rop_save_changes_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_resp_in(rd, call);
    mapi_rd_u8(rd, &r->save_flags);
    return rd->failed ? -1 : 0;
}

static int rop_parse_remove_all_recipients(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_remove_all_recipients_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->reserved);
    return rd->failed ? -1 : 0;
}

/* ModifyRecipientRow: RowId, RecipientType, RecipientRowSize, then a
 * RecipientRow that must fill RecipientRowSize exactly. */
static int rop_rd_modify_recipient_row(mapi_rd *rd, apr_pool_t *pool,
                                       const rop_tag_array *columns,
                                       rop_modify_recipient_row *m)
{
    uint16_t size;
    mapi_rd sub;

    mapi_rd_u32(rd, &m->row_id);
    mapi_rd_u8(rd, &m->recipient_type);
    if (mapi_rd_u16(rd, &size) < 0 || rd->failed
        || mapi_rd_sub(rd, size, &sub) < 0)
        return -1;
    m->has_row = size != 0;
    if (m->has_row && (rop_rd_recipient_row(&sub, pool, columns, &m->row) < 0
                       || mapi_rd_left(&sub) != 0)) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

static int rop_parse_modify_recipients(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_modify_recipients_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t i;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0
        || rop_rd_tag_array(rd, pool, &r->columns) < 0
        || mapi_rd_u16(rd, &r->row_count) < 0
        || rop_rd_count_ok(rd, r->row_count, 7) < 0)
        return -1;
    r->rows = apr_pcalloc(pool, (size_t)r->row_count * sizeof(*r->rows) + 1);
    for (i = 0; i < r->row_count && !rd->failed; i++)
        rop_rd_modify_recipient_row(rd, pool, &r->columns, &r->rows[i]);
    return rd->failed ? -1 : 0;
}

static int rop_parse_read_recipients(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_read_recipients_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->row_id);
    mapi_rd_u16(rd, &r->reserved);
    return rd->failed ? -1 : 0;
}

static int rop_parse_reload_cached_info(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_reload_cached_info_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->reserved);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_message_status(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_set_message_status_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->message_id);
    mapi_rd_u32(rd, &r->message_status_flags);
    mapi_rd_u32(rd, &r->message_status_mask);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_message_status(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_message_status_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u64(rd, &r->message_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_set_read_flags(mapi_rd *rd, apr_pool_t *pool,
                                    rop_call *call)
{
    rop_set_read_flags_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->read_flags);
    if (rd->failed)
        return -1;
    return rop_rd_u64_array(rd, pool, &r->message_id_count, &r->message_ids);
}

/* ClientData is sent only on a logon made without the Private flag
 * (MS-OXCROPS R2094, R2095); an unknown logon counts as private. */
static int rop_parse_set_message_read_flag(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_set_message_read_flag_req *r = apr_pcalloc(pool, sizeof(*r));
    int flags;

    call->req = r;
    rop_rd_hdr_resp_in(rd, call);
    if (mapi_rd_u8(rd, &r->read_flags) < 0 || rd->failed)
        return -1;
    flags = call->ctx ? rop_ctx_logon_flags(call->ctx, call->logon_id) : -1;
    r->has_client_data = flags >= 0 && !(flags & ROP_LOGON_PRIVATE);
    if (r->has_client_data)
        return mapi_rd_bytes(rd, r->client_data, sizeof(r->client_data));
    return 0;
}

static int rop_parse_open_attachment(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_open_attachment_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u8(rd, &r->open_attachment_flags);
    mapi_rd_u32(rd, &r->attachment_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_delete_attachment(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_delete_attachment_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u32(rd, &r->attachment_id);
    return rd->failed ? -1 : 0;
}

static int rop_parse_open_embedded_message(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_open_embedded_message_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    mapi_rd_u16(rd, &r->code_page_id);
    mapi_rd_u8(rd, &r->open_mode_flags);
    return rd->failed ? -1 : 0;
}

/* ==== handlers ========================================================= */

/* OpenModeFlags ([MS-OXCMSG] 2.2.3.1.1, 2.2.3.16.1) and
 * OpenAttachmentFlags (2.2.3.12.1): the low two bits. */
#define MSG_MODE_MASK         0x03
#define MSG_MODE_READ_ONLY    0x00
#define MSG_MODE_READ_WRITE   0x01
#define MSG_MODE_CREATE       0x02
#define MSG_MODE_BEST_ACCESS  0x03

/* ReadFlags of RopSetReadFlags / RopSetMessageReadFlag (2.2.3.10.1). */
#define MSG_RF_CLEAR_READ          0x04
#define MSG_RF_RECEIPT_ONLY        0x10
#define MSG_RF_CLEAR_NOTIFY_READ   0x20
#define MSG_RF_CLEAR_NOTIFY_UNREAD 0x40

#define MSG_DEFAULT_LOCALE    0x0409
#define MSG_DEFAULT_CODEPAGE  1252
/* Attachments one message may carry (ecMaxAttachmentExceeded, R1060). */
#define MSG_MAX_ATTACHMENTS   1024
/* An OpenRecipientRow list counts its rows in one byte. */
#define MSG_MAX_ROWS          255

/* TypedString StringType values ([MS-OXCDATA] 2.11.7). */
#define MSG_TS_NONE           0x00
#define MSG_TS_EMPTY          0x01
#define MSG_TS_UNICODE        0x04

#define MSG_CONTAINER_MASK (ROP_OBJ_MASK(ROP_OBJ_FOLDER) | \
                            ROP_OBJ_MASK(ROP_OBJ_LOGON))

/* ---- small helpers ---------------------------------------------------- */

static void msg_set_time(store_props *p, uint32_t tag, uint64_t ft)
{
    rop_propval v;

    memset(&v, 0, sizeof(v));
    v.tag = tag;
    v.v.d = ft;
    store_props_set(p, &v);
}

static uint32_t msg_prop_u32(const store_props *p, uint32_t tag, uint32_t dflt)
{
    const rop_propval *v = store_props_get(p, tag);

    return v ? v->v.l : dflt;
}

/* A string property of either string type, found by id. */
static const char *msg_prop_str(const store_props *p, uint32_t tag)
{
    const rop_propval *v = store_props_get(p, tag & 0xFFFF0000u);
    uint16_t type = v ? ROP_PROP_TYPE(v->tag) : 0;

    return type == ROP_PT_UNICODE || type == ROP_PT_STRING8 ? v->v.str : NULL;
}

/* Store calls answer their status as the ROP's error code; database
 * failures are logged with their context. */
static uint32_t msg_store_ec(rop_ctx *ctx, store_status st, const char *error)
{
    if (store_st_is_db(st))
        rop_ctx_note_error(ctx, error);
    return st == STORE_OK ? 0 : store_status_ec(st);
}

/* A store message of folder fid; ecNotFound also when it lives in another
 * folder, so a client cannot reach a message through the wrong folder.
 * Large values stay references (see "blobs" in store.h): a working copy
 * is re-encoded on every ROP, and a 20 MiB attachment must not be;
 * RopGetProperties* resolve what fits, streams read the blob in place. */
static uint32_t msg_fetch(rop_ctx *ctx, const uint8_t *mbox, uint64_t fid,
                          uint64_t mid, store_message **m_r)
{
    const char *error = NULL;
    store_status st;

    st = store_message_get_ex(rop_ctx_db(ctx), rop_ctx_pool(ctx), mbox, mid,
                              STORE_GET_LARGE_AS_REF, m_r, &error);
    if (st != STORE_OK)
        return msg_store_ec(ctx, st, error);
    return (*m_r)->fid == fid ? 0 : ecNotFound;
}

static void msg_arrays(apr_pool_t *pool, store_message *m)
{
    if (!m->recipients)
        m->recipients = apr_array_make(pool, 4, sizeof(store_recipient));
    if (!m->attachments)
        m->attachments = apr_array_make(pool, 2, sizeof(store_attachment));
}

/* The message object at the call's input index, opened for writing. */
static uint32_t msg_load_writable(rop_ctx *ctx, const rop_call *call,
                                  rop_object **obj_r)
{
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_MESSAGE), obj_r);

    if (ec == 0 && !((*obj_r)->msg_flags & ROP_MSG_WRITE))
        return ecAccessDenied;
    if (ec == 0)
        msg_arrays(rop_ctx_pool(ctx), (*obj_r)->msg);
    return ec;
}

static uint32_t msg_load(rop_ctx *ctx, const rop_call *call,
                         rop_object **obj_r)
{
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_MESSAGE), obj_r);

    if (ec == 0)
        msg_arrays(rop_ctx_pool(ctx), (*obj_r)->msg);
    return ec;
}

/* Marks the working copy changed and writes the object back. */
static uint32_t msg_touch(rop_ctx *ctx, rop_object *obj)
{
    obj->msg_flags |= ROP_MSG_DIRTY;
    return rop_obj_save(ctx, obj);
}

/* Initial properties of a new message ([MS-OXCMSG] 3.2.5.2 R340-R365).
 * Display lists, PidTagHasAttachments, PidTagAccess and the size are
 * computed from the message by the store, so they are not stored. */
static void msg_init_props(store_message *m, int associated, uint16_t cpid)
{
    store_props *p = &m->props;
    uint64_t now = store_filetime_now();
    uint8_t key[SESS_ID_LEN];

    store_props_set_str(p, PidTagMessageClass, "IPM.Note");
    store_props_set_u32(p, PidTagImportance, 1);
    store_props_set_u32(p, PidTagSensitivity, 0);
    store_props_set_u32(p, PidTagMessageFlags, MSGFLAG_READ | MSGFLAG_UNSENT
                        | (associated ? MSGFLAG_ASSOCIATED : 0));
    msg_set_time(p, PidTagCreationTime, now);
    msg_set_time(p, PidTagLastModificationTime, now);
    if (sess_random(key) == 0)
        store_props_set_bin(p, PidTagSearchKey, key, sizeof(key));
    store_props_set_u32(p, PidTagMessageLocaleId, MSG_DEFAULT_LOCALE);
    store_props_set_u32(p, PidTagLocaleId, MSG_DEFAULT_LOCALE);
    store_props_set_bool(p, PidTagHasNamedProperties, 0);
    /* 0x0FFF asks for the logon's code page: we have no other one. */
    store_props_set_u32(p, PidTagMessageCodepage,
                        cpid && cpid != 0x0FFF ? cpid : MSG_DEFAULT_CODEPAGE);
}

/* ---- recipients ------------------------------------------------------- */

/* Properties a RecipientRow carries in its own fields rather than in
 * its property columns ([MS-OXCDATA] 2.8.3.2). */
static const uint32_t msg_recip_fixed[] = {
    PidTagRowid, PidTagRecipientType, PidTagDisplayName, PidTagEmailAddress,
    PidTagAddressType, PidTagTransmittableDisplayName,
    PidTagAddressBookDisplayNamePrintable,
};

/* The columns every row offers, in this order, so that a client that
 * keeps the columns of RopOpenMessage reads RopReadRecipients right;
 * any other property a recipient has follows, in tag order. */
static const uint32_t msg_recip_base[] = {
    PidTagSmtpAddress, PidTagDisplayType, PidTagEntryId, PidTagSearchKey,
    PidTagRecipientFlags, PidTagRecipientTrackStatus, PidTagRecipientOrder,
    PidTagRecipientDisplayName, PidTagRecipientEntryId, PidTagSendRichInfo,
};

#define MSG_N(a) (sizeof(a) / sizeof((a)[0]))

static int msg_tag_in(const uint32_t *tags, size_t n, uint32_t tag)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (ROP_PROP_ID(tags[i]) == ROP_PROP_ID(tag))
            return 1;
    return 0;
}

static int msg_tag_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static void msg_recip_extra(const store_props *p, uint32_t *tags, size_t *n)
{
    unsigned i;

    for (i = 0; i < p->count; i++) {
        uint32_t tag = p->vals[i].tag;
        uint16_t type = ROP_PROP_TYPE(tag);

        if (type == ROP_PT_ERROR || type == ROP_PT_UNSPECIFIED
            || msg_tag_in(msg_recip_fixed, MSG_N(msg_recip_fixed), tag)
            || msg_tag_in(tags, *n, tag))
            continue;
        tags[(*n)++] = tag;
    }
}

static void msg_recip_columns(apr_pool_t *pool, const store_message *m,
                              rop_tag_array *cols)
{
    size_t cap = MSG_N(msg_recip_base), n = MSG_N(msg_recip_base);
    uint32_t *tags;
    int i;

    for (i = 0; i < m->recipients->nelts; i++)
        cap += APR_ARRAY_IDX(m->recipients, i, store_recipient).props.count;
    tags = apr_palloc(pool, sizeof(uint32_t) * cap);
    memcpy(tags, msg_recip_base, sizeof(msg_recip_base));
    for (i = 0; i < m->recipients->nelts; i++)
        msg_recip_extra(&APR_ARRAY_IDX(m->recipients, i,
                                       store_recipient).props, tags, &n);
    if (n > 0xFFFF)
        n = 0xFFFF;               /* ColumnCount is a u16 */
    qsort(tags + MSG_N(msg_recip_base), n - MSG_N(msg_recip_base),
          sizeof(uint32_t), msg_tag_cmp);
    cols->count = (uint16_t)n;
    cols->tags = tags;
}

/* An Exchange (EX) address goes out as the X500DN recipient type, any
 * other as NoType with its AddressType. */
static int msg_recip_x500(const store_props *p, const char **dn_r)
{
    const char *type = msg_prop_str(p, PidTagAddressType);

    *dn_r = msg_prop_str(p, PidTagEmailAddress);
    return type && *dn_r && strcasecmp(type, "EX") == 0;
}

static int msg_wr_opt_str16(mapi_wr *w, const char *s)
{
    return s ? mapi_wr_str16(w, s) : 0;
}

/* RecipientRow ([MS-OXCDATA] 2.8.3.2); strings in UTF-16 (flag U). */
static int msg_wr_recipient_row(mapi_wr *w, const store_props *p,
                                const rop_tag_array *cols)
{
    const char *dn, *atype = msg_prop_str(p, PidTagAddressType);
    const char *email = msg_prop_str(p, PidTagEmailAddress);
    const char *name = msg_prop_str(p, PidTagDisplayName);
    const char *simple = msg_prop_str(p, PidTagAddressBookDisplayNamePrintable);
    const char *trans = msg_prop_str(p, PidTagTransmittableDisplayName);
    int x500 = msg_recip_x500(p, &dn);
    uint16_t flags = ROP_RECIP_U;

    if (x500)
        email = NULL;
    flags |= x500 ? ROP_RECIP_X500DN : (atype ? ROP_RECIP_O : 0);
    flags |= (email ? ROP_RECIP_E : 0) | (name ? ROP_RECIP_D : 0)
             | (simple ? ROP_RECIP_I : 0) | (trans ? ROP_RECIP_T : 0);
    mapi_wr_u16(w, flags);
    if (x500) {
        mapi_wr_u8(w, 0);          /* AddressPrefixUsed: the whole DN */
        mapi_wr_u8(w, (uint8_t)msg_prop_u32(p, PidTagDisplayType, 0));
        mapi_wr_str8(w, dn);
    } else if (atype) {
        mapi_wr_str8(w, atype);
    }
    msg_wr_opt_str16(w, email);
    msg_wr_opt_str16(w, name);
    msg_wr_opt_str16(w, simple);
    msg_wr_opt_str16(w, trans);
    mapi_wr_u16(w, cols->count);
    if (w->failed)
        return -1;
    return store_wr_property_row(w, cols, p);
}

/* OpenRecipientRow / ReadRecipientRow after its RowId: RecipientType,
 * CodePageId, Reserved, RecipientRowSize, RecipientRow. */
static int msg_wr_recip_entry(mapi_wr *w, const store_recipient *r,
                              const rop_tag_array *cols, uint16_t cpid)
{
    size_t size_at, start;

    mapi_wr_u8(w, (uint8_t)msg_prop_u32(&r->props, PidTagRecipientType, 1));
    mapi_wr_u16(w, cpid);
    mapi_wr_u16(w, 0);
    size_at = mapi_wr_reserve(w, 2);
    if (size_at == (size_t)-1 || w->failed)
        return -1;
    start = w->len;
    if (msg_wr_recipient_row(w, &r->props, cols) < 0 || w->failed
        || w->len - start > 0xFFFF)
        return -1;
    mapi_wr_put_u16_at(w, size_at, (uint16_t)(w->len - start));
    return 0;
}

/* Writes recipient rows from index first on, as many as fit in w (a row
 * that does not fit is rolled back; the client reads the rest with
 * RopReadRecipients).  Returns how many were written. */
static unsigned msg_wr_recip_rows(mapi_wr *w, const store_message *m,
                                  int first, const rop_tag_array *cols,
                                  uint16_t cpid, int with_row_id)
{
    unsigned n = 0;
    int i;

    for (i = first; i < m->recipients->nelts && n < MSG_MAX_ROWS; i++) {
        const store_recipient *r = &APR_ARRAY_IDX(m->recipients, i,
                                                  store_recipient);
        size_t mark = w->len;

        if (with_row_id)
            mapi_wr_u32(w, r->row_id);
        if (w->failed || msg_wr_recip_entry(w, r, cols, cpid) < 0) {
            mapi_wr_truncate(w, mark);
            break;
        }
        n++;
    }
    return n;
}

static int msg_find_recipient(const store_message *m, uint32_t row_id)
{
    int i;

    for (i = 0; i < m->recipients->nelts; i++)
        if (APR_ARRAY_IDX(m->recipients, i, store_recipient).row_id == row_id)
            return i;
    return -1;
}

static void msg_array_remove(apr_array_header_t *a, int i)
{
    memmove(a->elts + (size_t)i * a->elt_size,
            a->elts + (size_t)(i + 1) * a->elt_size,
            (size_t)(a->nelts - i - 1) * a->elt_size);
    a->nelts--;
}

/* Puts r into the recipients, replacing the row with its RowId, kept in
 * RowId order. */
static void msg_put_recipient(store_message *m, const store_recipient *r)
{
    apr_array_header_t *a = m->recipients;
    store_recipient *slot, t;
    int i = msg_find_recipient(m, r->row_id);

    if (i >= 0) {
        APR_ARRAY_IDX(a, i, store_recipient) = *r;
        return;
    }
    APR_ARRAY_PUSH(a, store_recipient) = *r;
    for (i = a->nelts - 1; i > 0; i--) {
        slot = &APR_ARRAY_IDX(a, i, store_recipient);
        if (slot[-1].row_id < slot->row_id)
            break;
        t = slot[-1];
        slot[-1] = *slot;
        *slot = t;
    }
}

static void msg_set_opt_str(store_props *p, uint32_t tag, const char *s)
{
    if (s)
        store_props_set_str(p, tag, s);
}

/* The fields of a RecipientRow as recipient properties. */
static void msg_recip_fields(const rop_recipient_row *row, store_props *p)
{
    unsigned type = row->flags & ROP_RECIP_TYPE_MASK;

    if (type == ROP_RECIP_X500DN) {
        store_props_set_str(p, PidTagAddressType, "EX");
        msg_set_opt_str(p, PidTagEmailAddress, row->x500dn);
        store_props_set_u32(p, PidTagDisplayType, row->display_type);
    } else if (type == ROP_RECIP_PDL1 || type == ROP_RECIP_PDL2) {
        store_props_set_str(p, PidTagAddressType, "MAPIPDL");
        store_props_set_bin(p, PidTagEntryId, row->entry_id.data,
                            row->entry_id.len);
        store_props_set_bin(p, PidTagSearchKey, row->search_key.data,
                            row->search_key.len);
    } else {
        msg_set_opt_str(p, PidTagAddressType, row->address_type);
    }
    msg_set_opt_str(p, PidTagEmailAddress, row->email_address);
    msg_set_opt_str(p, PidTagDisplayName, row->display_name);
    msg_set_opt_str(p, PidTagAddressBookDisplayNamePrintable,
                    row->simple_display_name);
    /* S: the transmittable name is the display name. */
    msg_set_opt_str(p, PidTagTransmittableDisplayName,
                    row->transmittable_display_name ? row->transmittable_display_name
                    : (row->flags & ROP_RECIP_S) ? row->display_name : NULL);
}

/* A ModifyRecipientRow as a recipient: every property is replaced
 * ([MS-OXCMSG] 3.2.5.5 R390). */
static void msg_recip_from_row(apr_pool_t *pool,
                               const rop_modify_recipient_row *m,
                               store_recipient *r)
{
    const rop_property_row *pr = &m->row.props;
    uint16_t i;

    memset(r, 0, sizeof(*r));
    r->row_id = m->row_id;
    store_props_init(&r->props, pool);
    store_props_set_u32(&r->props, PidTagRowid, m->row_id);
    store_props_set_u32(&r->props, PidTagRecipientType, m->recipient_type);
    msg_recip_fields(&m->row, &r->props);
    for (i = 0; i < pr->count; i++) {
        uint16_t type = ROP_PROP_TYPE(pr->vals[i].tag);

        if ((pr->val_flags && pr->val_flags[i] != 0)
            || type == ROP_PT_ERROR || type == ROP_PT_UNSPECIFIED)
            continue;
        store_props_set(&r->props, &pr->vals[i]);
    }
}

/* ---- the message summary of RopOpenMessage & co. --------------------- */

static int msg_wr_typed_string(mapi_wr *w, const char *s)
{
    if (!s)
        return mapi_wr_u8(w, MSG_TS_NONE);
    if (!*s)
        return mapi_wr_u8(w, MSG_TS_EMPTY);
    mapi_wr_u8(w, MSG_TS_UNICODE);
    return mapi_wr_str16(w, s);
}

/* PidTagNormalizedSubject, or the subject without its prefix when only
 * PidTagSubject was set. */
static const char *msg_normalized_subject(const store_props *p)
{
    const char *ns = msg_prop_str(p, PidTagNormalizedSubject);
    const char *subject = msg_prop_str(p, PidTagSubject);
    const char *prefix = msg_prop_str(p, PidTagSubjectPrefix);
    size_t n = prefix ? strlen(prefix) : 0;

    if (ns || !subject)
        return ns;
    return n && strncmp(subject, prefix, n) == 0 ? subject + n : subject;
}

static int msg_has_named_props(const store_message *m)
{
    unsigned i;

    for (i = 0; i < m->props.count; i++)
        if (ROP_PROP_ID(m->props.vals[i].tag) >= 0x8000)
            return 1;
    return 0;
}

static uint16_t msg_code_page(const rop_object *obj)
{
    return obj->code_page && obj->code_page != 0x0FFF ? obj->code_page
                                                      : MSG_DEFAULT_CODEPAGE;
}

/* HasNamedProperties, SubjectPrefix, NormalizedSubject, RecipientCount,
 * ColumnCount, RecipientColumns, RowCount, RecipientRows
 * ([MS-OXCROPS] 2.2.6.1.2).  -1 when not even the fixed part fits. */
static int msg_wr_summary(mapi_wr *w, apr_pool_t *pool, const rop_object *obj)
{
    const store_message *m = obj->msg;
    rop_tag_array cols;
    size_t count_at;
    uint16_t i;

    msg_recip_columns(pool, m, &cols);
    mapi_wr_u8(w, (uint8_t)msg_has_named_props(m));
    msg_wr_typed_string(w, msg_prop_str(&m->props, PidTagSubjectPrefix));
    msg_wr_typed_string(w, msg_normalized_subject(&m->props));
    mapi_wr_u16(w, (uint16_t)m->recipients->nelts);
    mapi_wr_u16(w, cols.count);
    for (i = 0; i < cols.count; i++)
        mapi_wr_u32(w, cols.tags[i]);
    count_at = mapi_wr_reserve(w, 1);
    if (w->failed || count_at == (size_t)-1)
        return -1;
    w->buf[count_at] = (uint8_t)msg_wr_recip_rows(w, m, 0, &cols,
                                                  msg_code_page(obj), 0);
    return 0;
}

/* Builds a response in a scratch writer with the room out has left, so
 * that the handler can create its object only once it knows the answer
 * fits (no object is left behind by a response that did not). */
static void msg_scratch(mapi_wr *tmp, const mapi_wr *out, apr_pool_t *pool)
{
    mapi_wr_init(tmp, pool, mapi_wr_room(out));
}

/* Takes back an object just created when the step after it failed, so
 * that an error response leaves nothing behind: the object goes and the
 * output slot gets its old handle again. */
static void msg_undo_create(rop_ctx *ctx, const rop_object *obj,
                            uint8_t index, uint32_t old_handle)
{
    rop_obj_release(ctx, obj->handle);
    rop_ctx_set_handle(ctx, index, old_handle);
}

/* Creates obj at the call's output index, then copies the prepared
 * response. */
static int msg_create_and_answer(rop_ctx *ctx, rop_call *call, mapi_wr *out,
                                 rop_object *obj, const mapi_wr *tmp)
{
    uint32_t ec = rop_obj_create(ctx, obj, call->out_handle_index);

    if (ec)
        return rop_write_error_response(out, call, ec);
    return mapi_wr_bytes(out, tmp->buf, tmp->len);
}

/* ---- RopOpenMessage, RopCreateMessage, RopSaveChangesMessage --------- */

/* The access an open gets.  Reading needs ReadAny or one's own message
 * (R143, R144); ReadWrite and Create need EditAny or EditOwned on one's
 * own (R124-R132), else ecAccessDenied; BestAccess falls back to read
 * only.  In one's own mailbox every mode but ReadOnly writes. */
static uint32_t msg_open_access(rop_ctx *ctx, const uint8_t *mbox,
                                const store_message *m, uint8_t mode,
                                int *write_r)
{
    uint32_t ec = rop_perm_message(ctx, mbox, m->fid, m, STORE_PERM_READ);

    *write_r = 0;
    if (ec != 0 || !(mode & MSG_MODE_MASK))
        return ec;
    ec = rop_perm_message(ctx, mbox, m->fid, m, STORE_PERM_EDIT);
    if (ec == ecAccessDenied && (mode & MSG_MODE_MASK) == MSG_MODE_BEST_ACCESS)
        return 0;
    *write_r = ec == 0;
    return ec;
}

static int rop_h_open_message(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_open_message_req *r = call->req;
    apr_pool_t *pool = rop_ctx_pool(ctx);
    rop_object *parent, *obj;
    store_message *m = NULL;
    int write = 0;
    mapi_wr tmp;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index, MSG_CONTAINER_MASK, &parent);
    if (ec == 0)
        ec = msg_fetch(ctx, parent->mbox, r->folder_id, r->message_id, &m);
    if (ec == 0)
        ec = msg_open_access(ctx, parent->mbox, m, r->open_mode_flags,
                             &write);
    if (ec)
        return rop_write_error_response(out, call, ec);
    msg_arrays(pool, m);
    obj = rop_obj_new(ctx, parent, ROP_OBJ_MESSAGE);
    obj->fid = m->fid;
    obj->mid = m->mid;
    obj->msg = m;
    obj->code_page = r->code_page_id;
    if (write)
        obj->msg_flags |= ROP_MSG_WRITE;
    msg_scratch(&tmp, out, pool);
    rop_wr_ok_header(&tmp, call, call->out_handle_index);
    if (msg_wr_summary(&tmp, pool, obj) < 0)
        return -1;
    return msg_create_and_answer(ctx, call, out, obj, &tmp);
}

static uint32_t msg_folder_exists(rop_ctx *ctx, const uint8_t *mbox,
                                  uint64_t fid)
{
    const char *error = NULL;
    store_folder *f;

    return msg_store_ec(ctx, store_folder_get(rop_ctx_db(ctx),
                        rop_ctx_pool(ctx), mbox, fid, &f, &error), error);
}

/* [MS-OXCROPS] 2.2.6.2.2: HasMessageId 0, the id comes with the save
 * ([MS-OXCMSG] R339: nothing is committed before it). */
static int rop_h_create_message(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_create_message_req *r = call->req;
    apr_pool_t *pool = rop_ctx_pool(ctx);
    rop_object *parent, *obj;
    uint32_t ec;

    ec = rop_obj_load(ctx, call->in_handle_index, MSG_CONTAINER_MASK, &parent);
    if (ec == 0)
        ec = msg_folder_exists(ctx, parent->mbox, r->folder_id);
    if (ec == 0)                                          /* R140, R141 */
        ec = rop_perm_need(ctx, parent->mbox, r->folder_id,
                           STORE_RIGHT_CREATE);
    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 7)
        return -1;
    obj = rop_obj_new(ctx, parent, ROP_OBJ_MESSAGE);
    obj->fid = r->folder_id;
    obj->code_page = r->code_page_id;
    obj->msg_flags = ROP_MSG_NEW | ROP_MSG_WRITE | ROP_MSG_DIRTY;
    obj->msg = store_message_new(pool, r->folder_id, r->associated_flag != 0);
    msg_arrays(pool, obj->msg);
    msg_init_props(obj->msg, r->associated_flag != 0, r->code_page_id);
    if ((ec = rop_obj_create(ctx, obj, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->out_handle_index);
    return mapi_wr_u8(out, 0);
}

/* Makes the attachment an embedded-message one (PidTagAttachMethod 5). */
static uint32_t msg_mark_embedded(rop_ctx *ctx, rop_object *att)
{
    store_props_set_u32(&att->att->props, PidTagAttachMethod,
                        ATTACH_EMBEDDED_MSG);
    att->att_flags |= ROP_MSG_DIRTY;
    return rop_obj_save(ctx, att);
}

/* An embedded message is saved into its attachment's working copy; it
 * reaches the store with the attachment and the outer message. */
static uint32_t msg_save_embedded(rop_ctx *ctx, rop_object *obj)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    rop_object *att;
    uint32_t ec = rop_obj_load_handle(ctx, obj->parent, &att);

    if (ec)
        return ec;
    if (att->type != ROP_OBJ_ATTACHMENT)
        return ecError;
    att->att->embedded = store_message_dup(pool, obj->msg);
    return msg_mark_embedded(ctx, att);
}

uint32_t rop_msg_commit(rop_ctx *ctx, rop_object *obj)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    store_message *m = store_message_dup(pool, obj->msg);
    const char *error = NULL;
    store_status st;
    uint32_t ec;

    m->fid = obj->fid;
    m->mid = obj->mid;
    /* [MS-OXCMSG] R1890: the server sets PidTagLocalCommitTime when it
     * processes RopSaveChangesMessage. */
    msg_set_time(&m->props, PidTagLocalCommitTime, store_filetime_now());
    /* Who created it decides EditOwned and DeleteOwned later. */
    if (obj->msg_flags & ROP_MSG_NEW)
        rop_perm_set_creator(ctx, m);
    st = store_message_save(rop_ctx_db(ctx), pool, obj->mbox, m, &error);
    if (st != STORE_OK)
        return msg_store_ec(ctx, st, error);
    obj->msg = m;
    obj->mid = m->mid;
    /* The working copy now holds mailbox references: the session blobs
     * the save copied are freed unless another object still holds them. */
    if ((ec = rop_obj_save(ctx, obj)) != 0)
        return ec;
    return rop_obj_blob_gc(ctx);
}

/* SaveFlags are not looked at: every combination commits, and
 * KeepOpenReadOnly keeps write access as Exchange does ([MS-OXCMSG]
 * R2192); the working copy stays open either way. */
static int rop_h_save_changes_message(rop_ctx *ctx, rop_call *call,
                                      mapi_wr *out)
{
    rop_object *obj;
    uint32_t ec = msg_load_writable(ctx, call, &obj);

    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 15)
        return -1;
    ec = (obj->msg_flags & ROP_MSG_EMBEDDED) ? msg_save_embedded(ctx, obj)
                                             : rop_msg_commit(ctx, obj);
    if (ec == 0) {
        obj->msg_flags &= ~(uint32_t)(ROP_MSG_NEW | ROP_MSG_DIRTY);
        ec = rop_obj_save(ctx, obj);
    }
    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->resp_handle_index);
    mapi_wr_u8(out, call->in_handle_index);
    return mapi_wr_u64(out, obj->mid);
}

/* ---- recipients ROPs -------------------------------------------------- */

static int rop_h_remove_all_recipients(rop_ctx *ctx, rop_call *call,
                                       mapi_wr *out)
{
    rop_object *obj;
    uint32_t ec = msg_load_writable(ctx, call, &obj);

    if (ec == 0 && mapi_wr_room(out) < 6)
        return -1;
    if (ec == 0) {
        obj->msg->recipients->nelts = 0;
        ec = msg_touch(ctx, obj);
    }
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

static int rop_h_modify_recipients(rop_ctx *ctx, rop_call *call,
                                   mapi_wr *out)
{
    const rop_modify_recipients_req *r = call->req;
    apr_pool_t *pool = rop_ctx_pool(ctx);
    rop_object *obj;
    uint32_t ec = msg_load_writable(ctx, call, &obj);
    uint16_t i;

    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 6)
        return -1;
    for (i = 0; i < r->row_count; i++) {
        const rop_modify_recipient_row *row = &r->rows[i];
        store_recipient rec;
        int at = msg_find_recipient(obj->msg, row->row_id);

        if (!row->has_row) {
            if (at >= 0)
                msg_array_remove(obj->msg->recipients, at);
            continue;
        }
        msg_recip_from_row(pool, row, &rec);
        msg_put_recipient(obj->msg, &rec);
    }
    if ((ec = msg_touch(ctx, obj)) != 0)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

/* [MS-OXCMSG] 3.2.5.6: from RowId (0: the first) on, as many rows as fit;
 * no recipients or an unknown RowId is ecNotFound (R403, R1055). */
static int rop_h_read_recipients(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_read_recipients_req *r = call->req;
    rop_object *obj;
    rop_tag_array cols;
    size_t count_at;
    unsigned n;
    int first = -1;
    uint32_t ec = msg_load(ctx, call, &obj);

    if (ec == 0) {
        first = r->row_id == 0 ? 0 : msg_find_recipient(obj->msg, r->row_id);
        if (obj->msg->recipients->nelts == 0 || first < 0)
            ec = ecNotFound;
    }
    if (ec)
        return rop_write_error_response(out, call, ec);
    msg_recip_columns(rop_ctx_pool(ctx), obj->msg, &cols);
    rop_wr_ok_header(out, call, call->in_handle_index);
    count_at = mapi_wr_reserve(out, 1);
    if (out->failed || count_at == (size_t)-1)
        return -1;
    n = msg_wr_recip_rows(out, obj->msg, first, &cols, msg_code_page(obj), 1);
    if (n == 0)
        return -1;      /* not one row fits: RopBufferTooSmall (R1056) */
    out->buf[count_at] = (uint8_t)n;
    return 0;
}

static int rop_h_reload_cached_info(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    rop_object *obj;
    uint32_t ec = msg_load(ctx, call, &obj);

    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return msg_wr_summary(out, rop_ctx_pool(ctx), obj);
}

/* ---- status and read flags -------------------------------------------- */

/* The message mid of the folder at the call's input index ([MS-OXCMSG]
 * R421: the message need not be open). */
static uint32_t msg_in_folder(rop_ctx *ctx, const rop_call *call,
                              uint64_t mid, rop_object **folder_r,
                              store_message **m_r)
{
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_FOLDER), folder_r);

    return ec ? ec : msg_fetch(ctx, (*folder_r)->mbox, (*folder_r)->fid, mid,
                               m_r);
}

static int rop_h_get_message_status(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_get_message_status_req *r = call->req;
    rop_object *folder;
    store_message *m;
    uint32_t ec = msg_in_folder(ctx, call, r->message_id, &folder, &m);

    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u32(out, msg_prop_u32(&m->props, PidTagMessageStatus, 0));
}

/* [MS-OXCMSG] 3.2.5.8: the bits under the mask take the new values,
 * committed at once and alone (R1501: no new change key or modification
 * time); the response carries the status before. */
static int rop_h_set_message_status(rop_ctx *ctx, rop_call *call,
                                    mapi_wr *out)
{
    const rop_set_message_status_req *r = call->req;
    const char *error = NULL;
    rop_object *folder;
    store_message *m;
    uint32_t old = 0;
    uint32_t ec = msg_in_folder(ctx, call, r->message_id, &folder, &m);

    if (ec == 0 && mapi_wr_room(out) < 10)
        return -1;
    if (ec == 0)
        ec = msg_store_ec(ctx, store_message_set_status(rop_ctx_db(ctx),
                          rop_ctx_pool(ctx), folder->mbox, m->mid,
                          r->message_status_mask, r->message_status_flags,
                          &old, &error), error);
    if (ec)
        return rop_write_error_response(out, call, ec);
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u32(out, old);
}

/* The PidTagMessageFlags bits ReadFlags set and clear (2.2.3.10.1):
 * rfGenerateReceiptOnly changes nothing, rfClearReadFlag clears mfRead,
 * the notify flags clear their bit, anything else marks it read. */
static void msg_read_flags_change(uint8_t rf, uint32_t *set_r,
                                  uint32_t *clear_r)
{
    *set_r = *clear_r = 0;
    if (rf & MSG_RF_RECEIPT_ONLY)
        return;
    if (rf & MSG_RF_CLEAR_NOTIFY_READ)
        *clear_r |= MSGFLAG_NOTIFYREAD;
    if (rf & MSG_RF_CLEAR_NOTIFY_UNREAD)
        *clear_r |= MSGFLAG_NOTIFYUNREAD;
    if (rf & MSG_RF_CLEAR_READ)
        *clear_r |= MSGFLAG_READ;
    else if (!*clear_r)
        *set_r = MSGFLAG_READ | MSGFLAG_EVERREAD;
}

/* 0 when the message of the folder took the change, else an ec. */
static uint32_t msg_apply_read(rop_ctx *ctx, const rop_object *folder,
                               uint64_t mid, uint32_t set, uint32_t clear)
{
    const char *error = NULL;
    store_message *m;
    uint32_t flags, ec = msg_fetch(ctx, folder->mbox, folder->fid, mid, &m);

    if (ec || (set == 0 && clear == 0))
        return ec;
    return msg_store_ec(ctx, store_message_set_flags(rop_ctx_db(ctx),
                        rop_ctx_pool(ctx), folder->mbox, mid, set, clear,
                        &flags, &error), error);
}

/* Messages that cannot be changed make PartialCompletion nonzero
 * ([MS-OXCMSG] R1514); the others are changed all the same. */
static int rop_h_set_read_flags(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_set_read_flags_req *r = call->req;
    rop_object *folder;
    uint32_t set, clear, ec;
    uint8_t partial = 0;
    uint16_t i;

    ec = rop_obj_load(ctx, call->in_handle_index,
                      ROP_OBJ_MASK(ROP_OBJ_FOLDER), &folder);
    if (ec == 0)          /* a reader marks what they read (R143) */
        ec = rop_perm_need(ctx, folder->mbox, folder->fid,
                           STORE_RIGHT_READ_ANY);
    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 7)
        return -1;
    msg_read_flags_change(r->read_flags, &set, &clear);
    for (i = 0; i < r->message_id_count; i++)
        if (msg_apply_read(ctx, folder, r->message_ids[i], set, clear) != 0)
            partial = 1;
    rop_wr_ok_header(out, call, call->in_handle_index);
    return mapi_wr_u8(out, partial);
}

/* Read state is committed at once on a saved message ([MS-OXCMSG]
 * R1710) and kept in the working copy without making it dirty. */
static uint32_t msg_set_read_state(rop_ctx *ctx, rop_object *obj,
                                   uint32_t set, uint32_t clear)
{
    const char *error = NULL;
    uint32_t flags = msg_prop_u32(&obj->msg->props, PidTagMessageFlags, 0);
    uint32_t now = (flags | set) & ~clear;
    store_status st;

    store_props_set_u32(&obj->msg->props, PidTagMessageFlags, now);
    if (obj->mid && !(obj->msg_flags & (ROP_MSG_EMBEDDED | ROP_MSG_NEW))) {
        st = store_message_set_flags(rop_ctx_db(ctx), rop_ctx_pool(ctx),
                                     obj->mbox, obj->mid, set, clear, &now,
                                     &error);
        if (st != STORE_OK)
            return msg_store_ec(ctx, st, error);
    }
    return rop_obj_save(ctx, obj);
}

/* ReadStatusChanged is nonzero only in public folder mode ([MS-OXCMSG]
 * R921, R1841), and only then LogonId and ClientData follow. */
static int rop_h_set_message_read_flag(rop_ctx *ctx, rop_call *call,
                                       mapi_wr *out)
{
    const rop_set_message_read_flag_req *r = call->req;
    rop_object *obj;
    uint32_t set, clear, before;
    uint8_t changed;
    uint32_t ec = msg_load(ctx, call, &obj);

    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 32)
        return -1;
    msg_read_flags_change(r->read_flags, &set, &clear);
    before = msg_prop_u32(&obj->msg->props, PidTagMessageFlags, 0);
    changed = ((before | set) & ~clear) != before;
    if (changed && (ec = msg_set_read_state(ctx, obj, set, clear)) != 0)
        return rop_write_error_response(out, call, ec);
    changed = changed && r->has_client_data;
    rop_wr_ok_header(out, call, call->resp_handle_index);
    mapi_wr_u8(out, changed);
    if (changed) {
        mapi_wr_u8(out, call->logon_id);
        mapi_wr_bytes(out, r->client_data, sizeof(r->client_data));
    }
    return out->failed ? -1 : 0;
}

/* ---- attachments ------------------------------------------------------ */

static int msg_find_attachment(const store_message *m, uint32_t num)
{
    int i;

    for (i = 0; i < m->attachments->nelts; i++)
        if (APR_ARRAY_IDX(m->attachments, i, store_attachment).attach_num
            == num)
            return i;
    return -1;
}

/* Puts att into the message, replacing the one with its number. */
static void msg_put_attachment(store_message *m, const store_attachment *att)
{
    int i = msg_find_attachment(m, att->attach_num);

    if (i >= 0)
        APR_ARRAY_IDX(m->attachments, i, store_attachment) = *att;
    else
        APR_ARRAY_PUSH(m->attachments, store_attachment) = *att;
    if (att->attach_num >= m->next_attach_num)
        m->next_attach_num = att->attach_num + 1;
}

/* Write access an attachment gets from OpenAttachmentFlags: ReadWrite
 * needs a writable message (ecAccessDenied, R442), BestAccess takes
 * what the message has. */
static uint32_t msg_att_access(const rop_object *msg, uint8_t flags,
                               uint32_t *att_flags_r)
{
    uint8_t mode = flags & MSG_MODE_MASK;
    int msg_write = (msg->msg_flags & ROP_MSG_WRITE) != 0;

    *att_flags_r = 0;
    if (mode == MSG_MODE_READ_WRITE && !msg_write)
        return ecAccessDenied;
    if (mode != MSG_MODE_READ_ONLY && msg_write)
        *att_flags_r = ROP_MSG_WRITE;
    return 0;
}

static int rop_h_open_attachment(rop_ctx *ctx, rop_call *call, mapi_wr *out)
{
    const rop_open_attachment_req *r = call->req;
    rop_object *msg, *obj;
    uint32_t att_flags = 0;
    int at = -1;
    uint32_t ec = msg_load(ctx, call, &msg);

    if (ec == 0 && (at = msg_find_attachment(msg->msg, r->attachment_id)) < 0)
        ec = ecNotFound;
    if (ec == 0)
        ec = msg_att_access(msg, r->open_attachment_flags, &att_flags);
    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 6)
        return -1;
    obj = rop_obj_new(ctx, msg, ROP_OBJ_ATTACHMENT);
    obj->attach_num = r->attachment_id;
    obj->att_flags = att_flags;
    obj->att = &APR_ARRAY_IDX(msg->msg->attachments, at, store_attachment);
    if ((ec = rop_obj_create(ctx, obj, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->out_handle_index);
}

/* A new attachment's initial properties ([MS-OXCMSG] 3.2.5.13 R447);
 * PidTagAttachNumber and PidTagAttachSize are computed. */
static store_attachment *msg_new_attachment(apr_pool_t *pool, uint32_t num)
{
    store_attachment *att = apr_pcalloc(pool, sizeof(*att));
    uint64_t now = store_filetime_now();

    att->attach_num = num;
    store_props_init(&att->props, pool);
    store_props_set_u32(&att->props, PidTagAccessLevel, 1);
    store_props_set_u32(&att->props, PidTagRenderingPosition, 0xFFFFFFFFu);
    msg_set_time(&att->props, PidTagCreationTime, now);
    msg_set_time(&att->props, PidTagLastModificationTime, now);
    return att;
}

/* The number is taken from the message object at once, so that two
 * attachments created before either is saved get different numbers. */
static int rop_h_create_attachment(rop_ctx *ctx, rop_call *call,
                                   mapi_wr *out)
{
    rop_object *msg, *obj;
    uint32_t num, old = SESS_OBJ_NONE;
    uint32_t ec = msg_load_writable(ctx, call, &msg);

    if (ec == 0 && msg->msg->attachments->nelts >= MSG_MAX_ATTACHMENTS)
        ec = ecMaxAttachmentExceeded;
    if (ec)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 10)
        return -1;
    num = msg->msg->next_attach_num++;
    obj = rop_obj_new(ctx, msg, ROP_OBJ_ATTACHMENT);
    obj->attach_num = num;
    obj->att_flags = ROP_MSG_NEW | ROP_MSG_WRITE | ROP_MSG_DIRTY;
    obj->att = msg_new_attachment(rop_ctx_pool(ctx), num);
    rop_ctx_handle(ctx, call->out_handle_index, &old);
    if ((ec = rop_obj_create(ctx, obj, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    if ((ec = rop_obj_save(ctx, msg)) != 0) {
        msg_undo_create(ctx, obj, call->out_handle_index, old);
        return rop_write_error_response(out, call, ec);
    }
    rop_wr_ok_header(out, call, call->out_handle_index);
    return mapi_wr_u32(out, num);
}

/* Removed from the working copy; gone from the store with the next
 * RopSaveChangesMessage ([MS-OXCMSG] R1523). */
static int rop_h_delete_attachment(rop_ctx *ctx, rop_call *call,
                                   mapi_wr *out)
{
    const rop_delete_attachment_req *r = call->req;
    rop_object *msg;
    int at = -1;
    uint32_t ec = msg_load_writable(ctx, call, &msg);

    if (ec == 0 && (at = msg_find_attachment(msg->msg, r->attachment_id)) < 0)
        ec = ecNotFound;
    if (ec == 0 && mapi_wr_room(out) < 6)
        return -1;
    if (ec == 0) {
        msg_array_remove(msg->msg->attachments, at);
        ec = msg_touch(ctx, msg);
    }
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->in_handle_index);
}

/* The parent message object of an attachment object, writable. */
static uint32_t msg_att_parent(rop_ctx *ctx, const rop_object *att,
                               rop_object **msg_r)
{
    uint32_t ec = rop_obj_load_handle(ctx, att->parent, msg_r);

    if (ec)
        return ec;
    if ((*msg_r)->type != ROP_OBJ_MESSAGE)
        return ecError;
    msg_arrays(rop_ctx_pool(ctx), (*msg_r)->msg);
    return ((*msg_r)->msg_flags & ROP_MSG_WRITE) ? 0 : ecAccessDenied;
}

/* [MS-OXCMSG] 3.2.5.14: the attachment goes into the message's working
 * copy; the store sees it when the message is saved (R1062). */
static int rop_h_save_changes_attachment(rop_ctx *ctx, rop_call *call,
                                         mapi_wr *out)
{
    rop_object *att, *msg;
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_ATTACHMENT), &att);

    if (ec == 0 && !(att->att_flags & ROP_MSG_WRITE))
        ec = ecAccessDenied;
    if (ec == 0)
        ec = msg_att_parent(ctx, att, &msg);
    if (ec == 0 && mapi_wr_room(out) < 6)
        return -1;
    if (ec == 0) {
        msg_put_attachment(msg->msg, att->att);
        ec = msg_touch(ctx, msg);
    }
    if (ec == 0) {
        att->att_flags &= ~(uint32_t)(ROP_MSG_NEW | ROP_MSG_DIRTY);
        ec = rop_obj_save(ctx, att);
    }
    if (ec)
        return rop_write_error_response(out, call, ec);
    return rop_wr_ok_header(out, call, call->resp_handle_index);
}

/* The embedded message an OpenEmbeddedMessage asks for: the attachment's,
 * or with Create a new one ([MS-OXCMSG] 3.2.5.16).  *created_r tells
 * which. */
static uint32_t msg_embedded_for(rop_ctx *ctx, const rop_object *att,
                                 const rop_open_embedded_message_req *r,
                                 store_message **m_r, int *created_r)
{
    apr_pool_t *pool = rop_ctx_pool(ctx);
    uint8_t mode = r->open_mode_flags & MSG_MODE_MASK;
    int writable = (att->att_flags & ROP_MSG_WRITE) != 0;

    *created_r = 0;
    if ((mode == MSG_MODE_READ_WRITE || mode == MSG_MODE_CREATE) && !writable)
        return ecAccessDenied;
    if (att->att->embedded) {
        *m_r = store_message_dup(pool, att->att->embedded);
    } else if (mode == MSG_MODE_CREATE) {
        *m_r = store_message_new(pool, 0, 0);
        msg_arrays(pool, *m_r);
        msg_init_props(*m_r, 0, r->code_page_id);
        *created_r = 1;
    } else {
        return ecNotFound;
    }
    msg_arrays(pool, *m_r);
    return 0;
}

/* An embedded message is writable when asked for (any mode but
 * ReadOnly) and its attachment is. */
static uint32_t msg_embedded_flags(const rop_object *att, uint8_t mode,
                                   int created)
{
    uint32_t f = ROP_MSG_EMBEDDED;

    if ((att->att_flags & ROP_MSG_WRITE) && (mode & MSG_MODE_MASK))
        f |= ROP_MSG_WRITE;
    return created ? f | ROP_MSG_NEW | ROP_MSG_DIRTY : f;
}

/* Response per [MS-OXCROPS] 2.2.6.16.2: Reserved, MessageId, then the
 * summary of RopOpenMessage.  A created message makes the attachment an
 * embedded-message attachment (PidTagAttachMethod 5) at once; the message
 * itself reaches the attachment with its RopSaveChangesMessage (R481). */
static int rop_h_open_embedded_message(rop_ctx *ctx, rop_call *call,
                                       mapi_wr *out)
{
    const rop_open_embedded_message_req *r = call->req;
    apr_pool_t *pool = rop_ctx_pool(ctx);
    rop_object *att, *obj;
    store_message *m = NULL;
    mapi_wr tmp;
    int created = 0;
    uint32_t old = SESS_OBJ_NONE;
    uint32_t ec = rop_obj_load(ctx, call->in_handle_index,
                               ROP_OBJ_MASK(ROP_OBJ_ATTACHMENT), &att);

    if (ec == 0)
        ec = msg_embedded_for(ctx, att, r, &m, &created);
    if (ec)
        return rop_write_error_response(out, call, ec);
    obj = rop_obj_new(ctx, att, ROP_OBJ_MESSAGE);
    obj->fid = m->fid;
    obj->mid = m->mid;
    obj->msg = m;
    obj->code_page = r->code_page_id;
    obj->msg_flags = msg_embedded_flags(att, r->open_mode_flags, created);
    msg_scratch(&tmp, out, pool);
    rop_wr_ok_header(&tmp, call, call->out_handle_index);
    mapi_wr_u8(&tmp, 0);
    mapi_wr_u64(&tmp, obj->mid);
    if (tmp.failed || msg_wr_summary(&tmp, pool, obj) < 0)
        return -1;
    rop_ctx_handle(ctx, call->out_handle_index, &old);
    if ((ec = rop_obj_create(ctx, obj, call->out_handle_index)) == 0
        && created && (ec = msg_mark_embedded(ctx, att)) != 0)
        msg_undo_create(ctx, obj, call->out_handle_index, old);
    if (ec)
        return rop_write_error_response(out, call, ec);
    return mapi_wr_bytes(out, tmp.buf, tmp.len);
}

/* AttachmentIdCount, AttachmentIdArray: the attachments of the working
 * copy, which holds the saved ones ([MS-OXCROPS] 2.2.6.18.2). */
static int rop_h_get_valid_attachments(rop_ctx *ctx, rop_call *call,
                                       mapi_wr *out)
{
    rop_object *obj;
    apr_array_header_t *a;
    int i;
    uint32_t ec = msg_load(ctx, call, &obj);

    if (ec)
        return rop_write_error_response(out, call, ec);
    a = obj->msg->attachments;
    rop_wr_ok_header(out, call, call->in_handle_index);
    mapi_wr_u16(out, (uint16_t)a->nelts);
    for (i = 0; i < a->nelts; i++)
        mapi_wr_u32(out, APR_ARRAY_IDX(a, i, store_attachment).attach_num);
    return out->failed ? -1 : 0;
}

const rop_def rop_message_defs[] = {
    { ROP_ID_OPEN_MESSAGE, ROP_F_OUT_HANDLE, "RopOpenMessage",
      rop_parse_open_message, rop_h_open_message, 0 },
    { ROP_ID_CREATE_MESSAGE, ROP_F_OUT_HANDLE, "RopCreateMessage",
      rop_parse_create_message, rop_h_create_message, 0 },
    { ROP_ID_SAVE_CHANGES_MESSAGE, ROP_F_RESP_HANDLE, "RopSaveChangesMessage",
      rop_parse_save_changes, rop_h_save_changes_message, 0 },
    { ROP_ID_REMOVE_ALL_RECIPIENTS, 0, "RopRemoveAllRecipients",
      rop_parse_remove_all_recipients, rop_h_remove_all_recipients, 0 },
    { ROP_ID_MODIFY_RECIPIENTS, 0, "RopModifyRecipients",
      rop_parse_modify_recipients, rop_h_modify_recipients, 0 },
    { ROP_ID_READ_RECIPIENTS, 0, "RopReadRecipients",
      rop_parse_read_recipients, rop_h_read_recipients, 0 },
    { ROP_ID_RELOAD_CACHED_INFORMATION, 0, "RopReloadCachedInformation",
      rop_parse_reload_cached_info, rop_h_reload_cached_info, 0 },
    { ROP_ID_SET_MESSAGE_STATUS, 0, "RopSetMessageStatus",
      rop_parse_set_message_status, rop_h_set_message_status, 0 },
    { ROP_ID_GET_MESSAGE_STATUS, 0, "RopGetMessageStatus",
      rop_parse_get_message_status, rop_h_get_message_status, 0 },
    { ROP_ID_SET_READ_FLAGS, 0, "RopSetReadFlags",
      rop_parse_set_read_flags, rop_h_set_read_flags, 1 /* PartialCompletion */ },
    { ROP_ID_SET_MESSAGE_READ_FLAG, ROP_F_RESP_HANDLE, "RopSetMessageReadFlag",
      rop_parse_set_message_read_flag, rop_h_set_message_read_flag, 0 },
    { ROP_ID_GET_ATTACHMENT_TABLE, ROP_F_OUT_HANDLE, "RopGetAttachmentTable",
      rop_parse_table_flags, rop_handle_get_attachment_table, 0 },
    { ROP_ID_OPEN_ATTACHMENT, ROP_F_OUT_HANDLE, "RopOpenAttachment",
      rop_parse_open_attachment, rop_h_open_attachment, 0 },
    { ROP_ID_CREATE_ATTACHMENT, ROP_F_OUT_HANDLE, "RopCreateAttachment",
      rop_parse_hdr_in_out_only, rop_h_create_attachment, 0 },
    { ROP_ID_DELETE_ATTACHMENT, 0, "RopDeleteAttachment",
      rop_parse_delete_attachment, rop_h_delete_attachment, 0 },
    { ROP_ID_SAVE_CHANGES_ATTACHMENT, ROP_F_RESP_HANDLE,
      "RopSaveChangesAttachment", rop_parse_save_changes,
      rop_h_save_changes_attachment, 0 },
    { ROP_ID_OPEN_EMBEDDED_MESSAGE, ROP_F_OUT_HANDLE, "RopOpenEmbeddedMessage",
      rop_parse_open_embedded_message, rop_h_open_embedded_message, 0 },
    { ROP_ID_GET_VALID_ATTACHMENTS, 0, "RopGetValidAttachments",
      rop_parse_hdr_only, rop_h_get_valid_attachments, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
