/*
 * rop_wire.c: ROP request builders and response readers of the test
 * client; see rop_wire.h.  Layouts: [MS-OXCROPS] 2.2 and the structures of
 * [MS-OXCDATA] (PropertyRow 2.8.1, RecipientRow 2.8.3, PropertyValue
 * 2.11.2, Restriction 2.12).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "rop_wire.h"

/* A RopsList may not pass 32 KiB with its RopSize ([MS-OXCRPC] 3.1.4.2.1). */
#define RC_ROPS_MAX (0x8000 - 2)
/* Longest string the reader accepts, in bytes or code units. */
#define RC_STR_MAX  0x10000

/* ------------------------------------------------------------ values -- */

rc_prop rc_pv_i32(uint32_t tag, uint32_t v)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.u32 = v;
    return p;
}

rc_prop rc_pv_bool(uint32_t tag, int v)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.b = v ? 1 : 0;
    return p;
}

rc_prop rc_pv_i64(uint32_t tag, uint64_t v)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.u64 = v;
    return p;
}

rc_prop rc_pv_str(uint32_t tag, const char *s)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.str = s;
    return p;
}

rc_prop rc_pv_bin(uint32_t tag, const void *data, size_t len)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.bin.data = data;
    p.v.bin.len = len;
    return p;
}

rc_prop rc_pv_mv_str(uint32_t tag, const char **s, uint32_t n)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.mv.count = n;
    p.v.mv.str = s;
    return p;
}

rc_prop rc_pv_mv_bin(uint32_t tag, const rc_bin *b, uint32_t n)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.mv.count = n;
    p.v.mv.bin = (rc_bin *)b;
    return p;
}

rc_prop rc_pv_mv_i32(uint32_t tag, const uint32_t *v, uint32_t n)
{
    rc_prop p = { .tag = tag, .type = RC_PROP_TYPE(tag) };

    p.v.mv.count = n;
    p.v.mv.u32 = (uint32_t *)v;
    return p;
}

/* Seconds between 1601-01-01 and 1970-01-01. */
#define RC_EPOCH_DIFF 11644473600LL

uint64_t rc_filetime_from_unix(int64_t secs)
{
    return (uint64_t)(secs + RC_EPOCH_DIFF) * 10000000ULL;
}

int64_t rc_filetime_to_unix(uint64_t ft)
{
    return (int64_t)(ft / 10000000ULL) - RC_EPOCH_DIFF;
}

const rc_prop *rc_row_find(const rc_row *row, uint32_t tag)
{
    const rc_prop *by_id = NULL;

    for (size_t i = 0; row && i < row->n; i++) {
        if (row->props[i].tag == tag)
            return &row->props[i];
        if (by_id == NULL && RC_PROP_ID(row->props[i].tag) == RC_PROP_ID(tag))
            by_id = &row->props[i];
    }
    return by_id;
}

/* The value of tag when it is present and of that exact type. */
static const rc_prop *rc_row_typed(const rc_row *row, uint32_t tag)
{
    const rc_prop *p = rc_row_find(row, tag);

    if (p == NULL || p->flag != 0 || p->type != RC_PROP_TYPE(tag))
        return NULL;
    return p;
}

const char *rc_row_str(const rc_row *row, uint32_t tag)
{
    const rc_prop *p = rc_row_typed(row, tag);

    return p ? p->v.str : NULL;
}

uint32_t rc_row_u32(const rc_row *row, uint32_t tag, uint32_t dflt)
{
    const rc_prop *p = rc_row_typed(row, tag);

    if (p == NULL)
        return dflt;
    return p->type == RC_PT_BOOLEAN ? p->v.b : p->v.u32;
}

uint64_t rc_row_u64(const rc_row *row, uint32_t tag, uint64_t dflt)
{
    const rc_prop *p = rc_row_typed(row, tag);

    return p ? p->v.u64 : dflt;
}

/* ----------------------------------------------------------- builder -- */

void rc_buf_init(rc_buf *b, apr_pool_t *pool)
{
    memset(b, 0, sizeof(*b));
    b->pool = pool;
    mapi_wr_init(&b->wr, pool, RC_ROPS_MAX);
    for (size_t i = 0; i < RC_MAX_HANDLES; i++)
        b->handles[i] = RC_NO_HANDLE;
    b->n_handles = 1;
}

int rc_buf_failed(const rc_buf *b)
{
    return b->failed || b->wr.failed;
}

void rc_buf_handle(rc_buf *b, unsigned idx, uint32_t handle)
{
    if (idx >= RC_MAX_HANDLES) {
        b->failed = 1;
        return;
    }
    b->handles[idx] = handle;
    if (idx + 1 > b->n_handles)
        b->n_handles = idx + 1;
}

void rc_buf_handles_min(rc_buf *b, unsigned n)
{
    if (n > RC_MAX_HANDLES)
        b->failed = 1;
    else if (n > b->n_handles)
        b->n_handles = n;
}

void rc_u8(rc_buf *b, uint8_t v)   { mapi_wr_u8(&b->wr, v); }
void rc_u16(rc_buf *b, uint16_t v) { mapi_wr_u16(&b->wr, v); }
void rc_u32(rc_buf *b, uint32_t v) { mapi_wr_u32(&b->wr, v); }
void rc_u64(rc_buf *b, uint64_t v) { mapi_wr_u64(&b->wr, v); }

void rc_bytes(rc_buf *b, const void *data, size_t n)
{
    if (n)
        mapi_wr_bytes(&b->wr, data, n);
}

void rc_str8(rc_buf *b, const char *s)
{
    mapi_wr_str8(&b->wr, s ? s : "");
}

void rc_str16(rc_buf *b, const char *s)
{
    if (mapi_wr_str16(&b->wr, s ? s : "") != 0)
        b->failed = 1;
}

void rc_tags(rc_buf *b, const uint32_t *tags, size_t n)
{
    rc_u16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        rc_u32(b, tags[i]);
}

/* Binary-like values carry a 16-bit count in ROP buffers. */
static void rc_bin_wr(rc_buf *b, const rc_bin *v)
{
    if (v->len > 0xFFFF) {
        b->failed = 1;
        return;
    }
    rc_u16(b, (uint16_t)v->len);
    rc_bytes(b, v->data, v->len);
}

/* Multi-valued: a 32-bit count, then the single values
 * ([MS-OXCDATA] 2.11.1.1). */
static void rc_mv_wr(rc_buf *b, uint16_t base, const rc_prop *v)
{
    uint32_t n = v->v.mv.count;

    rc_u32(b, n);
    for (uint32_t i = 0; i < n && !rc_buf_failed(b); i++) {
        rc_prop one = { .type = base };
        switch (base) {
        case RC_PT_I2:      one.v.i16 = v->v.mv.i16[i]; break;
        case RC_PT_LONG: case RC_PT_FLOAT: one.v.u32 = v->v.mv.u32[i]; break;
        case RC_PT_DOUBLE: case RC_PT_CURRENCY: case RC_PT_APPTIME:
        case RC_PT_I8: case RC_PT_SYSTIME: one.v.u64 = v->v.mv.u64[i]; break;
        case RC_PT_STRING8: case RC_PT_UNICODE: one.v.str = v->v.mv.str[i];
            break;
        default:            one.v.bin = v->v.mv.bin[i]; break;
        }
        rc_value(b, base, &one);
    }
}

void rc_value(rc_buf *b, uint16_t type, const rc_prop *v)
{
    if (type & RC_PT_MV) {
        rc_mv_wr(b, (uint16_t)(type & ~(RC_PT_MV | RC_PT_MV_INSTANCE)), v);
        return;
    }
    switch (type) {
    case RC_PT_NULL: case RC_PT_UNSPECIFIED: break;
    case RC_PT_I2:       rc_u16(b, v->v.i16); break;
    case RC_PT_LONG: case RC_PT_FLOAT: case RC_PT_ERROR: rc_u32(b, v->v.u32);
        break;
    case RC_PT_BOOLEAN:  rc_u8(b, v->v.b); break;
    case RC_PT_DOUBLE: case RC_PT_CURRENCY: case RC_PT_APPTIME:
    case RC_PT_I8: case RC_PT_SYSTIME: rc_u64(b, v->v.u64); break;
    case RC_PT_STRING8:  rc_str8(b, v->v.str); break;
    case RC_PT_UNICODE:  rc_str16(b, v->v.str); break;
    case RC_PT_CLSID:
        if (v->v.bin.len != 16)
            b->failed = 1;
        else
            rc_bytes(b, v->v.bin.data, 16);
        break;
    case RC_PT_BINARY: case RC_PT_SVREID: case RC_PT_OBJECT:
        rc_bin_wr(b, &v->v.bin);
        break;
    default:
        b->failed = 1;       /* a type the client cannot encode */
    }
}

void rc_tagged(rc_buf *b, const rc_prop *v)
{
    rc_u32(b, v->tag);
    rc_value(b, RC_PROP_TYPE(v->tag), v);
}

void rc_std_row(rc_buf *b, const rc_prop *vals, size_t n)
{
    rc_u8(b, 0x00);
    for (size_t i = 0; i < n; i++)
        rc_value(b, RC_PROP_TYPE(vals[i].tag), &vals[i]);
}

void rc_propname_wr(rc_buf *b, const rc_propname *n)
{
    rc_u8(b, n->kind);
    rc_bytes(b, n->guid, 16);
    if (n->kind == 0x00) {
        rc_u32(b, n->lid);
    } else if (n->kind == 0x01) {
        /* NameSize counts the UTF-16LE bytes and the NUL. */
        size_t at = mapi_wr_reserve(&b->wr, 1);
        size_t start = b->wr.len;
        rc_str16(b, n->name);
        if (at != (size_t)-1 && !rc_buf_failed(b)) {
            size_t sz = b->wr.len - start;
            if (sz > 0xFF)
                b->failed = 1;
            else
                b->wr.buf[at] = (uint8_t)sz;
        }
    }
}

/* A string of a RecipientRow: UTF-16LE when U is set. */
static void rc_recip_str(rc_buf *b, uint16_t flags, const char *s)
{
    if (flags & RC_RECIP_U)
        rc_str16(b, s);
    else
        rc_str8(b, s);
}

static uint16_t rc_recip_flags(const rc_recipient *r)
{
    uint16_t f = r->flags & (RC_RECIP_TYPE_MASK | RC_RECIP_S | RC_RECIP_U
                             | RC_RECIP_N | RC_RECIP_R);

    if (r->email)
        f |= RC_RECIP_E;
    if (r->display_name)
        f |= RC_RECIP_D;
    if (r->transmittable_display_name)
        f |= RC_RECIP_T;
    if (r->simple_display_name)
        f |= RC_RECIP_I;
    if ((f & RC_RECIP_TYPE_MASK) == 0 && r->address_type)
        f |= RC_RECIP_O;
    return f;
}

void rc_recipient_row(rc_buf *b, const rc_recipient *r)
{
    uint16_t f = rc_recip_flags(r), type = f & RC_RECIP_TYPE_MASK;

    rc_u16(b, f);
    if (type == RC_RECIP_X500DN) {
        rc_u8(b, r->addr_prefix_used);
        rc_u8(b, r->display_type);
        rc_str8(b, r->x500dn);
    } else if (type == 0x6 || type == 0x7) {
        rc_bin_wr(b, &r->entry_id);
        rc_bin_wr(b, &r->search_key);
    }
    if (f & RC_RECIP_O)
        rc_str8(b, r->address_type);
    if (f & RC_RECIP_E)
        rc_recip_str(b, f, r->email);
    if (f & RC_RECIP_D)
        rc_recip_str(b, f, r->display_name);
    if (f & RC_RECIP_I)
        rc_recip_str(b, f, r->simple_display_name);
    if (f & RC_RECIP_T)
        rc_recip_str(b, f, r->transmittable_display_name);
    rc_u16(b, (uint16_t)r->props.n);
    rc_std_row(b, r->props.props, r->props.n);
}

/* ------------------------------------------------------ restrictions -- */

void rc_restr_and_or(rc_buf *b, int is_or, uint16_t n_children)
{
    rc_u8(b, is_or ? 0x01 : 0x00);
    rc_u16(b, n_children);
}

void rc_restr_not(rc_buf *b)
{
    rc_u8(b, 0x02);
}

void rc_restr_content(rc_buf *b, uint32_t fuzzy, uint32_t tag,
                      const rc_prop *v)
{
    rc_u8(b, 0x03);
    rc_u32(b, fuzzy);
    rc_u32(b, tag);
    rc_tagged(b, v);
}

void rc_restr_property(rc_buf *b, uint8_t relop, uint32_t tag,
                       const rc_prop *v)
{
    rc_u8(b, 0x04);
    rc_u8(b, relop);
    rc_u32(b, tag);
    rc_tagged(b, v);
}

void rc_restr_exist(rc_buf *b, uint32_t tag)
{
    rc_u8(b, 0x08);
    rc_u32(b, tag);
}

void rc_restr_bitmask(rc_buf *b, int bmr_nez, uint32_t tag, uint32_t mask)
{
    rc_u8(b, 0x06);
    rc_u8(b, bmr_nez ? 0x01 : 0x00);
    rc_u32(b, tag);
    rc_u32(b, mask);
}

/* ---------------------------------------------------------- requests -- */

/* RopId, LogonId and the first handle index: the start of nearly every
 * request buffer. */
static void rc_start(rc_buf *b, uint8_t rop, uint8_t lid, uint8_t idx)
{
    rc_u8(b, rop);
    rc_u8(b, lid);
    rc_u8(b, idx);
    b->n_rops++;
    rc_buf_handles_min(b, (unsigned)idx + 1);
}

/* The same with an output (or second) handle index. */
static void rc_start2(rc_buf *b, uint8_t rop, uint8_t lid, uint8_t in,
                      uint8_t out)
{
    rc_start(b, rop, lid, in);
    rc_u8(b, out);
    rc_buf_handles_min(b, (unsigned)out + 1);
}

void rc_req_logon(rc_buf *b, uint8_t lid, uint8_t out, uint8_t logon_flags,
                  uint32_t open_flags, const char *essdn)
{
    size_t n = essdn && *essdn ? strlen(essdn) + 1 : 0;

    rc_start(b, RC_ROP_LOGON, lid, out);
    rc_u8(b, logon_flags);
    rc_u32(b, open_flags);
    rc_u32(b, 0);                    /* StoreState: R4679 */
    rc_u16(b, (uint16_t)n);          /* EssdnSize counts the NUL: R41 */
    rc_bytes(b, essdn, n);
}

void rc_req_release(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_RELEASE, lid, in);
}

void rc_req_get_receive_folder(rc_buf *b, uint8_t lid, uint8_t in,
                               const char *message_class)
{
    rc_start(b, RC_ROP_GET_RECEIVE_FOLDER, lid, in);
    rc_str8(b, message_class);
}

void rc_req_get_receive_folder_table(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_GET_RECEIVE_FOLDER_TABLE, lid, in);
}

void rc_req_get_store_state(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_GET_STORE_STATE, lid, in);
}

void rc_req_long_term_id_from_id(rc_buf *b, uint8_t lid, uint8_t in,
                                 uint64_t id)
{
    rc_start(b, RC_ROP_LONG_TERM_ID_FROM_ID, lid, in);
    rc_u64(b, id);
}

static void rc_ltid_wr(rc_buf *b, const rc_ltid *l)
{
    rc_bytes(b, l->guid, 16);
    rc_bytes(b, l->counter, 6);
    rc_u16(b, l->pad);
}

void rc_req_id_from_long_term_id(rc_buf *b, uint8_t lid, uint8_t in,
                                 const rc_ltid *ltid)
{
    rc_start(b, RC_ROP_ID_FROM_LONG_TERM_ID, lid, in);
    rc_ltid_wr(b, ltid);
}

void rc_req_get_per_user_ltids(rc_buf *b, uint8_t lid, uint8_t in,
                               const uint8_t guid[16])
{
    rc_start(b, RC_ROP_GET_PER_USER_LTIDS, lid, in);
    rc_bytes(b, guid, 16);
}

void rc_req_get_per_user_guid(rc_buf *b, uint8_t lid, uint8_t in,
                              const rc_ltid *ltid)
{
    rc_start(b, RC_ROP_GET_PER_USER_GUID, lid, in);
    rc_ltid_wr(b, ltid);
}

void rc_req_get_owning_servers(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t fid)
{
    rc_start(b, RC_ROP_GET_OWNING_SERVERS, lid, in);
    rc_u64(b, fid);
}

void rc_req_open_folder(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                        uint64_t fid, uint8_t open_mode)
{
    rc_start2(b, RC_ROP_OPEN_FOLDER, lid, in, out);
    rc_u64(b, fid);
    rc_u8(b, open_mode);
}

/* A string in the form UseUnicodeStrings selects. */
static void rc_ustr(rc_buf *b, int unicode, const char *s)
{
    if (unicode)
        rc_str16(b, s);
    else
        rc_str8(b, s);
}

void rc_req_create_folder(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                          uint8_t folder_type, int unicode, int open_existing,
                          const char *name, const char *comment)
{
    rc_start2(b, RC_ROP_CREATE_FOLDER, lid, in, out);
    rc_u8(b, folder_type);
    rc_u8(b, unicode ? 1 : 0);
    rc_u8(b, open_existing ? 1 : 0);
    rc_u8(b, 0);                     /* Reserved */
    rc_ustr(b, unicode, name);
    rc_ustr(b, unicode, comment);
}

void rc_req_delete_folder(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                          uint64_t fid)
{
    rc_start(b, RC_ROP_DELETE_FOLDER, lid, in);
    rc_u8(b, flags);
    rc_u64(b, fid);
}

void rc_req_move_folder(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                        int async, int unicode, uint64_t fid,
                        const char *new_name)
{
    rc_start2(b, RC_ROP_MOVE_FOLDER, lid, src, dst);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, unicode ? 1 : 0);
    rc_u64(b, fid);
    rc_ustr(b, unicode, new_name);
}

void rc_req_copy_folder(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                        int async, int recursive, int unicode, uint64_t fid,
                        const char *new_name)
{
    rc_start2(b, RC_ROP_COPY_FOLDER, lid, src, dst);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, recursive ? 1 : 0);
    rc_u8(b, unicode ? 1 : 0);
    rc_u64(b, fid);
    rc_ustr(b, unicode, new_name);
}

void rc_req_empty_folder(rc_buf *b, uint8_t lid, uint8_t in, int hard,
                         int async, int want_delete_associated)
{
    rc_start(b, hard ? RC_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS
                     : RC_ROP_EMPTY_FOLDER, lid, in);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, want_delete_associated ? 1 : 0);
}

static void rc_mids(rc_buf *b, const uint64_t *mids, uint16_t n)
{
    rc_u16(b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_u64(b, mids[i]);
}

void rc_req_delete_messages(rc_buf *b, uint8_t lid, uint8_t in, int hard,
                            int async, int notify_non_read,
                            const uint64_t *mids, uint16_t n)
{
    rc_start(b, hard ? RC_ROP_HARD_DELETE_MESSAGES : RC_ROP_DELETE_MESSAGES,
             lid, in);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, notify_non_read ? 1 : 0);
    rc_mids(b, mids, n);
}

void rc_req_move_copy_messages(rc_buf *b, uint8_t lid, uint8_t src,
                               uint8_t dst, const uint64_t *mids, uint16_t n,
                               int async, int copy)
{
    rc_start2(b, RC_ROP_MOVE_COPY_MESSAGES, lid, src, dst);
    rc_mids(b, mids, n);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, copy ? 1 : 0);
}

void rc_req_get_hierarchy_table(rc_buf *b, uint8_t lid, uint8_t in,
                                uint8_t out, uint8_t table_flags)
{
    rc_start2(b, RC_ROP_GET_HIERARCHY_TABLE, lid, in, out);
    rc_u8(b, table_flags);
}

void rc_req_get_contents_table(rc_buf *b, uint8_t lid, uint8_t in,
                               uint8_t out, uint8_t table_flags)
{
    rc_start2(b, RC_ROP_GET_CONTENTS_TABLE, lid, in, out);
    rc_u8(b, table_flags);
}

void rc_req_get_attachment_table(rc_buf *b, uint8_t lid, uint8_t in,
                                 uint8_t out, uint8_t table_flags)
{
    rc_start2(b, RC_ROP_GET_ATTACHMENT_TABLE, lid, in, out);
    rc_u8(b, table_flags);
}

void rc_req_set_columns(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                        const uint32_t *tags, uint16_t n)
{
    rc_start(b, RC_ROP_SET_COLUMNS, lid, in);
    rc_u8(b, flags);
    rc_tags(b, tags, n);
}

void rc_req_sort_table(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                       const rc_sort *orders, uint16_t n,
                       uint16_t categorized, uint16_t expanded)
{
    rc_start(b, RC_ROP_SORT_TABLE, lid, in);
    rc_u8(b, flags);
    rc_u16(b, n);
    rc_u16(b, categorized);
    rc_u16(b, expanded);
    for (uint16_t i = 0; i < n; i++) {   /* PropertyType, PropertyId, Order */
        rc_u16(b, RC_PROP_TYPE(orders[i].tag));
        rc_u16(b, RC_PROP_ID(orders[i].tag));
        rc_u8(b, orders[i].order);
    }
}

void rc_req_restrict(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                     const uint8_t *restr, uint16_t restr_len)
{
    rc_start(b, RC_ROP_RESTRICT, lid, in);
    rc_u8(b, flags);
    rc_u16(b, restr_len);
    rc_bytes(b, restr, restr_len);
}

void rc_req_query_rows(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                       int forward, uint16_t count)
{
    rc_start(b, RC_ROP_QUERY_ROWS, lid, in);
    rc_u8(b, flags);
    rc_u8(b, forward ? 1 : 0);
    rc_u16(b, count);
}

void rc_req_query_position(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_QUERY_POSITION, lid, in);
}

void rc_req_seek_row(rc_buf *b, uint8_t lid, uint8_t in, uint8_t origin,
                     int32_t count, int want_moved)
{
    rc_start(b, RC_ROP_SEEK_ROW, lid, in);
    rc_u8(b, origin);
    rc_u32(b, (uint32_t)count);
    rc_u8(b, want_moved ? 1 : 0);
}

void rc_req_create_bookmark(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_CREATE_BOOKMARK, lid, in);
}

void rc_req_seek_row_bookmark(rc_buf *b, uint8_t lid, uint8_t in,
                              const rc_bin *bookmark, int32_t count,
                              int want_moved)
{
    rc_start(b, RC_ROP_SEEK_ROW_BOOKMARK, lid, in);
    rc_bin_wr(b, bookmark);
    rc_u32(b, (uint32_t)count);
    rc_u8(b, want_moved ? 1 : 0);
}

void rc_req_free_bookmark(rc_buf *b, uint8_t lid, uint8_t in,
                          const rc_bin *bookmark)
{
    rc_start(b, RC_ROP_FREE_BOOKMARK, lid, in);
    rc_bin_wr(b, bookmark);
}

void rc_req_query_columns_all(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_QUERY_COLUMNS_ALL, lid, in);
}

void rc_req_find_row(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                     const uint8_t *restr, uint16_t restr_len,
                     uint8_t origin, const rc_bin *bookmark)
{
    rc_bin none = { NULL, 0 };

    rc_start(b, RC_ROP_FIND_ROW, lid, in);
    rc_u8(b, flags);
    rc_u16(b, restr_len);
    rc_bytes(b, restr, restr_len);
    rc_u8(b, origin);
    rc_bin_wr(b, bookmark ? bookmark : &none);
}

void rc_req_reset_table(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_RESET_TABLE, lid, in);
}

void rc_req_get_props_specific(rc_buf *b, uint8_t lid, uint8_t in,
                               uint16_t size_limit, int want_unicode,
                               const uint32_t *tags, uint16_t n)
{
    rc_start(b, RC_ROP_GET_PROPS_SPECIFIC, lid, in);
    rc_u16(b, size_limit);
    rc_u16(b, want_unicode ? 1 : 0);
    rc_tags(b, tags, n);
}

void rc_req_get_props_all(rc_buf *b, uint8_t lid, uint8_t in,
                          uint16_t size_limit, int want_unicode)
{
    rc_start(b, RC_ROP_GET_PROPS_ALL, lid, in);
    rc_u16(b, size_limit);
    rc_u16(b, want_unicode ? 1 : 0);
}

void rc_req_get_props_list(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_GET_PROPS_LIST, lid, in);
}

void rc_req_set_props(rc_buf *b, uint8_t lid, uint8_t in,
                      const rc_prop *vals, uint16_t n)
{
    size_t at, start;

    rc_start(b, RC_ROP_SET_PROPS, lid, in);
    /* PropertyValueSize counts PropertyValueCount and PropertyValues. */
    at = mapi_wr_reserve(&b->wr, 2);
    start = b->wr.len;
    rc_u16(b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_tagged(b, &vals[i]);
    if (at != (size_t)-1 && !rc_buf_failed(b))
        mapi_wr_put_u16_at(&b->wr, at, (uint16_t)(b->wr.len - start));
}

void rc_req_delete_props(rc_buf *b, uint8_t lid, uint8_t in,
                         const uint32_t *tags, uint16_t n)
{
    rc_start(b, RC_ROP_DELETE_PROPS, lid, in);
    rc_tags(b, tags, n);
}

void rc_req_get_ids_from_names(rc_buf *b, uint8_t lid, uint8_t in,
                               uint8_t flags, const rc_propname *names,
                               uint16_t n)
{
    rc_start(b, RC_ROP_GET_IDS_FROM_NAMES, lid, in);
    rc_u8(b, flags);
    rc_u16(b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_propname_wr(b, &names[i]);
}

void rc_req_get_names_from_ids(rc_buf *b, uint8_t lid, uint8_t in,
                               const uint16_t *ids, uint16_t n)
{
    rc_start(b, RC_ROP_GET_NAMES_FROM_IDS, lid, in);
    rc_u16(b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_u16(b, ids[i]);
}

void rc_req_open_message(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                         uint16_t code_page, uint64_t fid, uint8_t open_mode,
                         uint64_t mid)
{
    rc_start2(b, RC_ROP_OPEN_MESSAGE, lid, in, out);
    rc_u16(b, code_page);
    rc_u64(b, fid);
    rc_u8(b, open_mode);
    rc_u64(b, mid);
}

void rc_req_create_message(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                           uint16_t code_page, uint64_t fid, int associated)
{
    rc_start2(b, RC_ROP_CREATE_MESSAGE, lid, in, out);
    rc_u16(b, code_page);
    rc_u64(b, fid);
    rc_u8(b, associated ? 1 : 0);
}

void rc_req_save_changes_message(rc_buf *b, uint8_t lid, uint8_t resp_idx,
                                 uint8_t in, uint8_t save_flags)
{
    rc_start2(b, RC_ROP_SAVE_CHANGES_MESSAGE, lid, resp_idx, in);
    rc_u8(b, save_flags);
}

/* One ModifyRecipientRow: RowId, RecipientType, RecipientRowSize and the
 * RecipientRow (none for a deletion). */
static void rc_modify_row(rc_buf *b, const rc_recipient *r, int del)
{
    size_t at, start;

    rc_u32(b, r->row_id);
    rc_u8(b, r->recipient_type);
    at = mapi_wr_reserve(&b->wr, 2);
    start = b->wr.len;
    if (!del)
        rc_recipient_row(b, r);
    if (at != (size_t)-1 && !rc_buf_failed(b))
        mapi_wr_put_u16_at(&b->wr, at, (uint16_t)(b->wr.len - start));
}

void rc_req_modify_recipients(rc_buf *b, uint8_t lid, uint8_t in,
                              const uint32_t *cols, uint16_t ncols,
                              const rc_recipient *rows, uint16_t nrows,
                              const int *delete_rows)
{
    rc_start(b, RC_ROP_MODIFY_RECIPIENTS, lid, in);
    rc_tags(b, cols, ncols);
    rc_u16(b, nrows);
    for (uint16_t i = 0; i < nrows; i++)
        rc_modify_row(b, &rows[i], delete_rows && delete_rows[i]);
}

void rc_req_read_recipients(rc_buf *b, uint8_t lid, uint8_t in,
                            uint32_t row_id)
{
    rc_start(b, RC_ROP_READ_RECIPIENTS, lid, in);
    rc_u32(b, row_id);
    rc_u16(b, 0);                    /* Reserved */
}

void rc_req_remove_all_recipients(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_REMOVE_ALL_RECIPIENTS, lid, in);
    rc_u32(b, 0);                    /* Reserved */
}

void rc_req_set_message_read_flag(rc_buf *b, uint8_t lid, uint8_t resp_idx,
                                  uint8_t in, uint8_t read_flags,
                                  const uint8_t *client_data)
{
    rc_start2(b, RC_ROP_SET_MESSAGE_READ_FLAG, lid, resp_idx, in);
    rc_u8(b, read_flags);
    if (client_data)
        rc_bytes(b, client_data, 24);
}

void rc_req_create_attachment(rc_buf *b, uint8_t lid, uint8_t in,
                              uint8_t out)
{
    rc_start2(b, RC_ROP_CREATE_ATTACHMENT, lid, in, out);
}

void rc_req_open_attachment(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                            uint8_t flags, uint32_t attach_id)
{
    rc_start2(b, RC_ROP_OPEN_ATTACHMENT, lid, in, out);
    rc_u8(b, flags);
    rc_u32(b, attach_id);
}

void rc_req_save_changes_attachment(rc_buf *b, uint8_t lid, uint8_t resp_idx,
                                    uint8_t in, uint8_t save_flags)
{
    rc_start2(b, RC_ROP_SAVE_CHANGES_ATTACHMENT, lid, resp_idx, in);
    rc_u8(b, save_flags);
}

void rc_req_delete_attachment(rc_buf *b, uint8_t lid, uint8_t in,
                              uint32_t attach_id)
{
    rc_start(b, RC_ROP_DELETE_ATTACHMENT, lid, in);
    rc_u32(b, attach_id);
}

void rc_req_open_embedded_message(rc_buf *b, uint8_t lid, uint8_t in,
                                  uint8_t out, uint16_t code_page,
                                  uint8_t open_mode)
{
    rc_start2(b, RC_ROP_OPEN_EMBEDDED_MESSAGE, lid, in, out);
    rc_u16(b, code_page);
    rc_u8(b, open_mode);
}

void rc_req_open_stream(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                        uint32_t tag, uint8_t open_mode)
{
    rc_start2(b, RC_ROP_OPEN_STREAM, lid, in, out);
    rc_u32(b, tag);
    rc_u8(b, open_mode);
}

void rc_req_read_stream(rc_buf *b, uint8_t lid, uint8_t in,
                        uint16_t byte_count, uint32_t max_byte_count)
{
    rc_start(b, RC_ROP_READ_STREAM, lid, in);
    rc_u16(b, byte_count);
    if (byte_count == 0xBABE)
        rc_u32(b, max_byte_count);
}

void rc_req_write_stream(rc_buf *b, uint8_t lid, uint8_t in,
                         const void *data, uint16_t len)
{
    rc_start(b, RC_ROP_WRITE_STREAM, lid, in);
    rc_u16(b, len);
    rc_bytes(b, data, len);
}

void rc_req_commit_stream(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_COMMIT_STREAM, lid, in);
}

void rc_req_get_stream_size(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_GET_STREAM_SIZE, lid, in);
}

void rc_req_set_stream_size(rc_buf *b, uint8_t lid, uint8_t in,
                            uint64_t size)
{
    rc_start(b, RC_ROP_SET_STREAM_SIZE, lid, in);
    rc_u64(b, size);
}

void rc_req_seek_stream(rc_buf *b, uint8_t lid, uint8_t in, uint8_t origin,
                        int64_t offset)
{
    rc_start(b, RC_ROP_SEEK_STREAM, lid, in);
    rc_u8(b, origin);
    rc_u64(b, (uint64_t)offset);
}

void rc_req_register_notification(rc_buf *b, uint8_t lid, uint8_t in,
                                  uint8_t out, uint8_t types,
                                  int whole_store, uint64_t fid,
                                  uint64_t mid)
{
    rc_start2(b, RC_ROP_REGISTER_NOTIFICATION, lid, in, out);
    rc_u8(b, types);
    rc_u8(b, 0);                     /* Reserved */
    rc_u8(b, whole_store ? 1 : 0);
    if (!whole_store) {
        rc_u64(b, fid);
        rc_u64(b, mid);
    }
}

/* The three requests below came after the first version of this file;
 * their layouts are those of [MS-OXCSTOR] 2.2.1.2 and [MS-OXCROPS]
 * 2.2.6.10, 2.2.7.3. */
void rc_req_set_receive_folder(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t fid, const char *message_class)
{
    rc_start(b, RC_ROP_SET_RECEIVE_FOLDER, lid, in);
    rc_u64(b, fid);
    rc_str8(b, message_class);
}

void rc_req_set_read_flags(rc_buf *b, uint8_t lid, uint8_t in, int async,
                           uint8_t read_flags, const uint64_t *mids,
                           uint16_t n)
{
    rc_start(b, RC_ROP_SET_READ_FLAGS, lid, in);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, read_flags);
    rc_u16(b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_u64(b, mids[i]);
}

void rc_req_get_address_types(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_GET_ADDRESS_TYPES, lid, in);
}

/* ------------------------------------------------------------ reader -- */

void rc_resp_init(rc_resp *r, apr_pool_t *pool, const uint8_t *rops,
                  size_t len, const uint32_t *handles, size_t n_handles)
{
    memset(r, 0, sizeof(*r));
    r->pool = pool;
    mapi_rd_init(&r->rd, rops, len);
    r->handles = handles;
    r->n_handles = n_handles;
}

const char *rc_resp_error(const rc_resp *r)
{
    return r->error[0] ? r->error : "no error";
}

size_t rc_resp_left(const rc_resp *r)
{
    return mapi_rd_left(&r->rd);
}

int rc_resp_peek(const rc_resp *r)
{
    return mapi_rd_left(&r->rd) ? r->rd.p[0] : -1;
}

uint32_t rc_resp_handle(const rc_resp *r, unsigned idx)
{
    return idx < r->n_handles ? r->handles[idx] : RC_NO_HANDLE;
}

/* Fails the cursor with a message (the first one is kept). */
static int rc_fail(rc_resp *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int rc_fail(rc_resp *r, const char *fmt, ...)
{
    va_list ap;

    if (!r->failed) {
        size_t off = (size_t)(r->rd.end - r->rd.p);
        int k = snprintf(r->error, sizeof(r->error), "response %u, %zu bytes "
                         "left: ", r->index, off);
        va_start(ap, fmt);
        if (k > 0 && (size_t)k < sizeof(r->error))
            vsnprintf(r->error + k, sizeof(r->error) - (size_t)k, fmt, ap);
        va_end(ap);
    }
    r->failed = 1;
    return -1;
}

/* Checks a read: a short read fails the cursor. */
static int rc_ok(rc_resp *r, int rv, const char *what)
{
    if (rv != 0 || r->failed)
        return r->failed ? -1 : rc_fail(r, "%s: short or malformed", what);
    return 0;
}

int rc_get_u8(rc_resp *r, uint8_t *v)
{
    return rc_ok(r, mapi_rd_u8(&r->rd, v), "u8");
}

int rc_get_u16(rc_resp *r, uint16_t *v)
{
    return rc_ok(r, mapi_rd_u16(&r->rd, v), "u16");
}

int rc_get_u32(rc_resp *r, uint32_t *v)
{
    return rc_ok(r, mapi_rd_u32(&r->rd, v), "u32");
}

int rc_get_u64(rc_resp *r, uint64_t *v)
{
    return rc_ok(r, mapi_rd_u64(&r->rd, v), "u64");
}

int rc_get_bytes(rc_resp *r, size_t n, const uint8_t **v)
{
    return rc_ok(r, mapi_rd_view(&r->rd, n, v), "bytes");
}

int rc_get_str8(rc_resp *r, const char **v)
{
    return rc_ok(r, mapi_rd_str8(&r->rd, r->pool, RC_STR_MAX, v), "string8");
}

int rc_get_str16(rc_resp *r, const char **v)
{
    return rc_ok(r, mapi_rd_str16(&r->rd, r->pool, RC_STR_MAX, v),
                 "UTF-16 string");
}

int rc_get_tags(rc_resp *r, uint16_t *n, uint32_t **tags)
{
    if (rc_get_u16(r, n) != 0)
        return -1;
    *tags = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(uint32_t));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_get_u32(r, &(*tags)[i]) != 0)
            return -1;
    return 0;
}

static int rc_get_bin(rc_resp *r, rc_bin *v)
{
    uint16_t n;

    if (rc_get_u16(r, &n) != 0 || rc_get_bytes(r, n, &v->data) != 0)
        return -1;
    v->len = n;
    return 0;
}

/* An MV count the remaining bytes cannot possibly hold is malformed; this
 * keeps allocations bounded by the response size. */
static int rc_get_mv(rc_resp *r, uint16_t base, rc_prop *v)
{
    uint32_t n;

    if (rc_get_u32(r, &n) != 0)
        return -1;
    if (n > rc_resp_left(r))
        return rc_fail(r, "MV count %u past the end", n);
    v->v.mv.count = n;
    v->v.mv.i16 = apr_pcalloc(r->pool, (size_t)n * 2 + 2);
    v->v.mv.u32 = apr_pcalloc(r->pool, (size_t)n * 4 + 4);
    v->v.mv.u64 = apr_pcalloc(r->pool, (size_t)n * 8 + 8);
    v->v.mv.str = apr_pcalloc(r->pool, (size_t)n * sizeof(char *) + 8);
    v->v.mv.bin = apr_pcalloc(r->pool, (size_t)n * sizeof(rc_bin) + 8);
    for (uint32_t i = 0; i < n; i++) {
        rc_prop one;
        if (rc_get_value(r, base, &one) != 0)
            return -1;
        v->v.mv.i16[i] = one.v.i16;
        v->v.mv.u32[i] = one.v.u32;
        v->v.mv.u64[i] = one.v.u64;
        if (base == RC_PT_STRING8 || base == RC_PT_UNICODE)
            v->v.mv.str[i] = one.v.str;
        else if (base == RC_PT_BINARY || base == RC_PT_CLSID)
            v->v.mv.bin[i] = one.v.bin;
    }
    return 0;
}

/* A PtypRuleAction value ([MS-OXORULE] 2.2.5, standard rules) as its
 * bytes: NoOfActions, then each ActionBlock by its ActionLength. */
static int rc_get_rule_actions(rc_resp *r, rc_bin *out)
{
    const uint8_t *start, *p;
    uint16_t n;
    size_t total = 2;

    if (rc_get_bytes(r, 2, &start) != 0)
        return -1;
    n = (uint16_t)(start[0] | start[1] << 8);
    for (uint16_t i = 0; i < n; i++) {
        uint16_t len;

        if (rc_get_bytes(r, 2, &p) != 0)
            return -1;
        len = (uint16_t)(p[0] | p[1] << 8);
        if (rc_get_bytes(r, len, &p) != 0)
            return -1;
        total += 2u + len;
    }
    out->data = start;
    out->len = total;
    return 0;
}

int rc_get_value(rc_resp *r, uint16_t type, rc_prop *v)
{
    uint32_t tag = v->tag;

    memset(v, 0, sizeof(*v));
    v->tag = tag;
    v->type = type;
    if ((type & RC_PT_MV) && !(type & RC_PT_MV_INSTANCE))
        return rc_get_mv(r, (uint16_t)(type & ~RC_PT_MV), v);
    /* A table column with MV instance carries one value of the base type. */
    switch (type & ~(RC_PT_MV | RC_PT_MV_INSTANCE)) {
    case RC_PT_NULL:     return 0;
    case RC_PT_I2:       return rc_get_u16(r, &v->v.i16);
    case RC_PT_LONG: case RC_PT_FLOAT: case RC_PT_ERROR:
        return rc_get_u32(r, &v->v.u32);
    case RC_PT_BOOLEAN:  return rc_get_u8(r, &v->v.b);
    case RC_PT_DOUBLE: case RC_PT_CURRENCY: case RC_PT_APPTIME:
    case RC_PT_I8: case RC_PT_SYSTIME:
        return rc_get_u64(r, &v->v.u64);
    case RC_PT_STRING8:  return rc_get_str8(r, &v->v.str);
    case RC_PT_UNICODE:  return rc_get_str16(r, &v->v.str);
    case RC_PT_CLSID:
        v->v.bin.len = 16;
        return rc_get_bytes(r, 16, &v->v.bin.data);
    case RC_PT_BINARY: case RC_PT_SVREID: case RC_PT_OBJECT:
        return rc_get_bin(r, &v->v.bin);
    case RC_PT_ACTIONS:
        return rc_get_rule_actions(r, &v->v.bin);
    default:
        return rc_fail(r, "property type 0x%04X cannot be decoded", type);
    }
}

int rc_get_tagged(rc_resp *r, rc_prop *v)
{
    uint32_t tag;

    if (rc_get_u32(r, &tag) != 0)
        return -1;
    v->tag = tag;
    return rc_get_value(r, RC_PROP_TYPE(tag), v);
}

/* A column of type PtypUnspecified carries a TypedPropertyValue
 * ([MS-OXCDATA] 2.11.3). */
static int rc_get_col_value(rc_resp *r, uint32_t col, rc_prop *v)
{
    uint16_t type = RC_PROP_TYPE(col);

    v->tag = col;
    if (type == RC_PT_UNSPECIFIED && rc_get_u16(r, &type) != 0)
        return -1;
    return rc_get_value(r, type, v);
}

/* One FlaggedPropertyValue: Flag, then the value (0x00), nothing (0x01)
 * or a PtypErrorCode (0x0A) ([MS-OXCDATA] 2.11.5). */
static int rc_get_flagged(rc_resp *r, uint32_t col, rc_prop *v)
{
    uint8_t flag;
    int rv;

    if (rc_get_u8(r, &flag) != 0)
        return -1;
    if (flag == 0x00) {
        rv = rc_get_col_value(r, col, v);
    } else if (flag == 0x01) {
        memset(v, 0, sizeof(*v));
        v->tag = col;
        v->type = RC_PROP_TYPE(col);
        rv = 0;
    } else if (flag == 0x0A) {
        v->tag = col;
        rv = rc_get_value(r, RC_PT_ERROR, v);
    } else {
        return rc_fail(r, "FlaggedPropertyValue flag 0x%02X", flag);
    }
    v->flag = flag;
    return rv;
}

int rc_get_row(rc_resp *r, const uint32_t *cols, size_t ncols, rc_row *row)
{
    uint8_t flag;

    memset(row, 0, sizeof(*row));
    if (rc_get_u8(r, &flag) != 0)
        return -1;
    if (flag != 0x00 && flag != 0x01)
        return rc_fail(r, "PropertyRow flag 0x%02X", flag);
    row->flagged = flag;
    row->n = ncols;
    row->props = apr_pcalloc(r->pool, (ncols + 1) * sizeof(rc_prop));
    for (size_t i = 0; i < ncols; i++) {
        int rv = flag ? rc_get_flagged(r, cols[i], &row->props[i])
                      : rc_get_col_value(r, cols[i], &row->props[i]);
        if (rv != 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------- ROP responses -- */

int rc_rsp_head(rc_resp *r, int rop_id, rc_head *h)
{
    memset(h, 0, sizeof(*h));
    if (r->failed)
        return -1;
    if (rc_resp_left(r) == 0)
        return rc_fail(r, "no response left (expected RopId 0x%02X)",
                       (unsigned)rop_id & 0xFF);
    if (rc_get_u8(r, &h->rop_id) != 0)
        return -1;
    if (h->rop_id == RC_ROP_BUFFER_TOO_SMALL)
        return rc_fail(r, "RopBufferTooSmall instead of RopId 0x%02X",
                       (unsigned)rop_id & 0xFF);
    if (rop_id >= 0 && h->rop_id != rop_id)
        return rc_fail(r, "RopId 0x%02X, expected 0x%02X", h->rop_id,
                       (unsigned)rop_id);
    if (rc_get_u8(r, &h->hindex) != 0 || rc_get_u32(r, &h->rv) != 0)
        return -1;
    r->index++;
    return 0;
}

int rc_rsp_generic(rc_resp *r, int rop_id, rc_head *h)
{
    return rc_rsp_head(r, rop_id, h);
}

/* The head; 1 when the ROP failed (its failure form is the head alone). */
static int rc_head_ok(rc_resp *r, int rop_id, rc_head *h)
{
    if (rc_rsp_head(r, rop_id, h) != 0)
        return -1;
    return h->rv != 0 ? 1 : 0;
}

/* Maps rc_head_ok() to a parser's result: stop (0) or malformed (-1). */
#define RC_HEAD(r, id, h)                                  \
    do {                                                   \
        int rc_h_ = rc_head_ok((r), (id), (h));            \
        if (rc_h_ != 0)                                    \
            return rc_h_ < 0 ? -1 : 0;                     \
    } while (0)

static int rc_guid(rc_resp *r, uint8_t out[16])
{
    const uint8_t *g;

    if (rc_get_bytes(r, 16, &g) != 0)
        return -1;
    memcpy(out, g, 16);
    return 0;
}

static int rc_logon_time_rd(rc_resp *r, rc_logon_time *t)
{
    rc_get_u8(r, &t->sec);
    rc_get_u8(r, &t->min);
    rc_get_u8(r, &t->hour);
    rc_get_u8(r, &t->wday);
    rc_get_u8(r, &t->day);
    rc_get_u8(r, &t->month);
    return rc_get_u16(r, &t->year);
}

/* LogonFlags, 13 FolderIds, ResponseFlags, MailboxGuid, ReplId, ReplGuid,
 * LogonTime, GwartTime, StoreState ([MS-OXCROPS] R51-R74). */
static int rc_logon_private(rc_resp *r, rc_logon_rsp *o)
{
    for (int i = 0; i < RC_FID_COUNT; i++)
        rc_get_u64(r, &o->fids[i]);
    rc_get_u8(r, &o->response_flags);
    rc_guid(r, o->mailbox_guid);
    rc_get_u16(r, &o->repl_id);
    rc_guid(r, o->repl_guid);
    rc_logon_time_rd(r, &o->logon_time);
    rc_get_u64(r, &o->gwart_time);
    return rc_get_u32(r, &o->store_state);
}

/* LogonFlags, 13 FolderIds, ReplId, ReplGuid, PerUserGuid. */
static int rc_logon_public(rc_resp *r, rc_logon_rsp *o)
{
    for (int i = 0; i < RC_FID_COUNT; i++)
        rc_get_u64(r, &o->fids[i]);
    rc_get_u16(r, &o->repl_id);
    rc_guid(r, o->repl_guid);
    return rc_guid(r, o->per_user_guid);
}

/* LogonFlags, ServerNameSize, ServerName (ASCII with its NUL). */
static int rc_logon_redirect(rc_resp *r, rc_logon_rsp *o)
{
    uint8_t n;
    const uint8_t *s;

    if (rc_get_u8(r, &n) != 0 || rc_get_bytes(r, n, &s) != 0)
        return -1;
    if (n == 0 || s[n - 1] != 0)
        return rc_fail(r, "RopLogon redirect: ServerName not NUL-ended");
    o->server_name = apr_pstrmemdup(r->pool, (const char *)s, n - 1u);
    return 0;
}

int rc_rsp_logon(rc_resp *r, rc_logon_rsp *o)
{
    memset(o, 0, sizeof(*o));
    if (rc_rsp_head(r, RC_ROP_LOGON, &o->h) != 0)
        return -1;
    /* The one failure with a body: the redirect (ecWrongServer). */
    if (o->h.rv != 0 && o->h.rv != RC_EC_WRONG_SERVER)
        return 0;
    if (rc_get_u8(r, &o->logon_flags) != 0)
        return -1;
    if (o->h.rv == RC_EC_WRONG_SERVER) {
        o->form = RC_LOGON_FORM_REDIRECT;
        return rc_logon_redirect(r, o);
    }
    o->form = (o->logon_flags & RC_LOGON_PRIVATE) ? RC_LOGON_FORM_PRIVATE
                                                  : RC_LOGON_FORM_PUBLIC;
    return o->form == RC_LOGON_FORM_PRIVATE ? rc_logon_private(r, o)
                                            : rc_logon_public(r, o);
}

int rc_rsp_get_receive_folder(rc_resp *r, rc_head *h, uint64_t *fid,
                              const char **explicit_class)
{
    RC_HEAD(r, RC_ROP_GET_RECEIVE_FOLDER, h);
    rc_get_u64(r, fid);
    return rc_get_str8(r, explicit_class);
}

int rc_rsp_get_receive_folder_table(rc_resp *r, rc_head *h, uint32_t *n,
                                    rc_row **rows)
{
    static const uint32_t cols[] = { RC_TAG_FOLDER_ID, RC_TAG_MESSAGE_CLASS8,
                                     RC_TAG_LAST_MODIFICATION };

    *n = 0;
    *rows = NULL;
    RC_HEAD(r, RC_ROP_GET_RECEIVE_FOLDER_TABLE, h);
    if (rc_get_u32(r, n) != 0)
        return -1;
    if (*n > rc_resp_left(r))
        return rc_fail(r, "RowCount %u past the end", *n);
    *rows = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(rc_row));
    for (uint32_t i = 0; i < *n; i++)
        if (rc_get_row(r, cols, 3, &(*rows)[i]) != 0)
            return -1;
    return 0;
}

int rc_rsp_get_store_state(rc_resp *r, rc_head *h, uint32_t *state)
{
    RC_HEAD(r, RC_ROP_GET_STORE_STATE, h);
    return rc_get_u32(r, state);
}

static int rc_ltid_rd(rc_resp *r, rc_ltid *l)
{
    const uint8_t *c;

    rc_guid(r, l->guid);
    if (rc_get_bytes(r, 6, &c) != 0)
        return -1;
    memcpy(l->counter, c, 6);
    return rc_get_u16(r, &l->pad);
}

int rc_rsp_long_term_id_from_id(rc_resp *r, rc_head *h, rc_ltid *ltid)
{
    RC_HEAD(r, RC_ROP_LONG_TERM_ID_FROM_ID, h);
    return rc_ltid_rd(r, ltid);
}

int rc_rsp_id_from_long_term_id(rc_resp *r, rc_head *h, uint64_t *id)
{
    RC_HEAD(r, RC_ROP_ID_FROM_LONG_TERM_ID, h);
    return rc_get_u64(r, id);
}

int rc_rsp_get_per_user_ltids(rc_resp *r, rc_head *h, uint16_t *n,
                              rc_ltid **ltids)
{
    *n = 0;
    RC_HEAD(r, RC_ROP_GET_PER_USER_LTIDS, h);
    if (rc_get_u16(r, n) != 0)
        return -1;
    *ltids = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(rc_ltid));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_ltid_rd(r, &(*ltids)[i]) != 0)
            return -1;
    return 0;
}

int rc_rsp_get_per_user_guid(rc_resp *r, rc_head *h, uint8_t guid[16])
{
    RC_HEAD(r, RC_ROP_GET_PER_USER_GUID, h);
    return rc_guid(r, guid);
}

/* ServerCount, CheapServerCount, Servers (NUL-ended ASCII). */
static int rc_servers_rd(rc_resp *r, rc_servers *s)
{
    if (rc_get_u16(r, &s->count) != 0 || rc_get_u16(r, &s->cheap) != 0)
        return -1;
    s->names = apr_pcalloc(r->pool, ((size_t)s->count + 1) * sizeof(char *));
    for (uint16_t i = 0; i < s->count; i++)
        if (rc_get_str8(r, &s->names[i]) != 0)
            return -1;
    return 0;
}

int rc_rsp_get_owning_servers(rc_resp *r, rc_head *h, rc_servers *s)
{
    memset(s, 0, sizeof(*s));
    RC_HEAD(r, RC_ROP_GET_OWNING_SERVERS, h);
    return rc_servers_rd(r, s);
}

/* HasRules, IsGhosted and, when ghosted, the server list. */
static int rc_folder_tail(rc_resp *r, rc_folder_rsp *o)
{
    if (rc_get_u8(r, &o->has_rules) != 0 || rc_get_u8(r, &o->is_ghosted) != 0)
        return -1;
    return o->is_ghosted ? rc_servers_rd(r, &o->servers) : 0;
}

int rc_rsp_open_folder(rc_resp *r, rc_folder_rsp *o)
{
    memset(o, 0, sizeof(*o));
    RC_HEAD(r, RC_ROP_OPEN_FOLDER, &o->h);
    return rc_folder_tail(r, o);
}

int rc_rsp_create_folder(rc_resp *r, rc_folder_rsp *o)
{
    memset(o, 0, sizeof(*o));
    RC_HEAD(r, RC_ROP_CREATE_FOLDER, &o->h);
    if (rc_get_u64(r, &o->fid) != 0 || rc_get_u8(r, &o->is_existing) != 0)
        return -1;
    return o->is_existing ? rc_folder_tail(r, o) : 0;
}

/* These ROPs have one response buffer: PartialCompletion follows the
 * ReturnValue whatever it is. */
int rc_rsp_partial(rc_resp *r, int rop_id, rc_head *h, uint8_t *partial)
{
    if (rc_rsp_head(r, rop_id, h) != 0)
        return -1;
    return rc_get_u8(r, partial);
}

int rc_rsp_move_copy(rc_resp *r, int rop_id, rc_head *h, uint32_t *dest_idx,
                     uint8_t *partial)
{
    *dest_idx = 0;
    if (rc_rsp_head(r, rop_id, h) != 0)
        return -1;
    if (h->rv == RC_EC_DST_NULL_OBJECT && rc_get_u32(r, dest_idx) != 0)
        return -1;
    return rc_get_u8(r, partial);
}

int rc_rsp_get_table(rc_resp *r, int rop_id, rc_head *h, uint32_t *rows)
{
    *rows = 0;
    RC_HEAD(r, rop_id, h);
    return rc_get_u32(r, rows);
}

int rc_rsp_table_status(rc_resp *r, int rop_id, rc_head *h, uint8_t *status)
{
    *status = 0;
    RC_HEAD(r, rop_id, h);
    return rc_get_u8(r, status);
}

/* count PropertyRows over cols. */
static int rc_rows_rd(rc_resp *r, const uint32_t *cols, size_t ncols,
                      size_t count, rc_row **rows)
{
    if (count > rc_resp_left(r))
        return rc_fail(r, "RowCount %zu past the end", count);
    *rows = apr_pcalloc(r->pool, (count + 1) * sizeof(rc_row));
    for (size_t i = 0; i < count; i++)
        if (rc_get_row(r, cols, ncols, &(*rows)[i]) != 0)
            return -1;
    return 0;
}

int rc_rsp_query_rows(rc_resp *r, const uint32_t *cols, size_t ncols,
                      rc_rows_rsp *o)
{
    memset(o, 0, sizeof(*o));
    RC_HEAD(r, RC_ROP_QUERY_ROWS, &o->h);
    if (rc_get_u8(r, &o->origin) != 0 || rc_get_u16(r, &o->count) != 0)
        return -1;
    return rc_rows_rd(r, cols, ncols, o->count, &o->rows);
}

int rc_rsp_query_position(rc_resp *r, rc_head *h, uint32_t *num,
                          uint32_t *den)
{
    RC_HEAD(r, RC_ROP_QUERY_POSITION, h);
    rc_get_u32(r, num);
    return rc_get_u32(r, den);
}

int rc_rsp_seek_row(rc_resp *r, rc_head *h, uint8_t *sought_less,
                    int32_t *sought)
{
    uint32_t v = 0;

    RC_HEAD(r, RC_ROP_SEEK_ROW, h);
    rc_get_u8(r, sought_less);
    if (rc_get_u32(r, &v) != 0)
        return -1;
    *sought = (int32_t)v;
    return 0;
}

int rc_rsp_create_bookmark(rc_resp *r, rc_head *h, rc_bin *bookmark)
{
    memset(bookmark, 0, sizeof(*bookmark));
    RC_HEAD(r, RC_ROP_CREATE_BOOKMARK, h);
    return rc_get_bin(r, bookmark);
}

int rc_rsp_seek_row_bookmark(rc_resp *r, rc_head *h, uint8_t *not_visible,
                             uint8_t *sought_less, int32_t *sought)
{
    uint32_t v = 0;

    RC_HEAD(r, RC_ROP_SEEK_ROW_BOOKMARK, h);
    rc_get_u8(r, not_visible);
    rc_get_u8(r, sought_less);
    if (rc_get_u32(r, &v) != 0)
        return -1;
    *sought = (int32_t)v;
    return 0;
}

int rc_rsp_query_columns_all(rc_resp *r, rc_head *h, uint16_t *n,
                             uint32_t **tags)
{
    *n = 0;
    RC_HEAD(r, RC_ROP_QUERY_COLUMNS_ALL, h);
    return rc_get_tags(r, n, tags);
}

int rc_rsp_find_row(rc_resp *r, const uint32_t *cols, size_t ncols,
                    rc_find_row_rsp *o)
{
    memset(o, 0, sizeof(*o));
    RC_HEAD(r, RC_ROP_FIND_ROW, &o->h);
    if (rc_get_u8(r, &o->no_longer_visible) != 0 ||
        rc_get_u8(r, &o->has_row) != 0)
        return -1;
    return o->has_row ? rc_get_row(r, cols, ncols, &o->row) : 0;
}

int rc_rsp_get_props_specific(rc_resp *r, const uint32_t *tags, size_t n,
                              rc_head *h, rc_row *row)
{
    memset(row, 0, sizeof(*row));
    RC_HEAD(r, RC_ROP_GET_PROPS_SPECIFIC, h);
    return rc_get_row(r, tags, n, row);
}

int rc_rsp_get_props_all(rc_resp *r, rc_head *h, uint16_t *n,
                         rc_prop **vals)
{
    *n = 0;
    RC_HEAD(r, RC_ROP_GET_PROPS_ALL, h);
    if (rc_get_u16(r, n) != 0)
        return -1;
    if (*n > rc_resp_left(r))
        return rc_fail(r, "PropertyValueCount %u past the end", *n);
    *vals = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(rc_prop));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_get_tagged(r, &(*vals)[i]) != 0)
            return -1;
    return 0;
}

int rc_rsp_get_props_list(rc_resp *r, rc_head *h, uint16_t *n,
                          uint32_t **tags)
{
    *n = 0;
    RC_HEAD(r, RC_ROP_GET_PROPS_LIST, h);
    return rc_get_tags(r, n, tags);
}

int rc_rsp_problems(rc_resp *r, int rop_id, rc_head *h, uint16_t *n,
                    rc_problem **p)
{
    *n = 0;
    RC_HEAD(r, rop_id, h);
    if (rc_get_u16(r, n) != 0)
        return -1;
    *p = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(rc_problem));
    for (uint16_t i = 0; i < *n; i++) {
        rc_get_u16(r, &(*p)[i].index);
        rc_get_u32(r, &(*p)[i].tag);
        if (rc_get_u32(r, &(*p)[i].error) != 0)
            return -1;
    }
    return 0;
}

int rc_rsp_get_ids_from_names(rc_resp *r, rc_head *h, uint16_t *n,
                              uint16_t **ids)
{
    *n = 0;
    RC_HEAD(r, RC_ROP_GET_IDS_FROM_NAMES, h);
    if (rc_get_u16(r, n) != 0)
        return -1;
    *ids = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(uint16_t));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_get_u16(r, &(*ids)[i]) != 0)
            return -1;
    return 0;
}

/* A PropertyName: Kind, then (unless 0xFF) the GUID and LID or name. */
static int rc_propname_rd(rc_resp *r, rc_propname *pn)
{
    uint8_t size;
    const uint8_t *s;
    mapi_rd sub;

    memset(pn, 0, sizeof(*pn));
    if (rc_get_u8(r, &pn->kind) != 0)
        return -1;
    if (pn->kind == 0xFF)
        return 0;
    if (rc_guid(r, pn->guid) != 0)
        return -1;
    if (pn->kind == 0x00)
        return rc_get_u32(r, &pn->lid);
    if (pn->kind != 0x01)
        return rc_fail(r, "PropertyName Kind 0x%02X", pn->kind);
    if (rc_get_u8(r, &size) != 0 || rc_get_bytes(r, size, &s) != 0)
        return -1;
    mapi_rd_init(&sub, s, size);
    if (mapi_rd_str16(&sub, r->pool, size, &pn->name) != 0 ||
        mapi_rd_left(&sub) != 0)
        return rc_fail(r, "PropertyName: Name does not fill NameSize %u",
                       size);
    return 0;
}

int rc_rsp_get_names_from_ids(rc_resp *r, rc_head *h, uint16_t *n,
                              rc_propname **names)
{
    *n = 0;
    RC_HEAD(r, RC_ROP_GET_NAMES_FROM_IDS, h);
    if (rc_get_u16(r, n) != 0)
        return -1;
    *names = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(rc_propname));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_propname_rd(r, &(*names)[i]) != 0)
            return -1;
    return 0;
}

/* A RecipientRow string: UTF-16LE when U is set. */
static int rc_recip_str_rd(rc_resp *r, uint16_t flags, const char **s)
{
    return (flags & RC_RECIP_U) ? rc_get_str16(r, s) : rc_get_str8(r, s);
}

int rc_get_recipient_row(rc_resp *r, const uint32_t *cols, size_t ncols,
                         rc_recipient *rr)
{
    uint16_t f, type, count;

    if (rc_get_u16(r, &rr->flags) != 0)
        return -1;
    f = rr->flags;
    type = f & RC_RECIP_TYPE_MASK;
    if (type == RC_RECIP_X500DN) {
        rc_get_u8(r, &rr->addr_prefix_used);
        rc_get_u8(r, &rr->display_type);
        rc_get_str8(r, &rr->x500dn);
    } else if (type == 0x6 || type == 0x7) {
        rc_get_bin(r, &rr->entry_id);
        rc_get_bin(r, &rr->search_key);
    }
    if ((f & RC_RECIP_O) && type == 0)
        rc_get_str8(r, &rr->address_type);
    if (f & RC_RECIP_E)
        rc_recip_str_rd(r, f, &rr->email);
    if (f & RC_RECIP_D)
        rc_recip_str_rd(r, f, &rr->display_name);
    if (f & RC_RECIP_I)
        rc_recip_str_rd(r, f, &rr->simple_display_name);
    if (f & RC_RECIP_T)
        rc_recip_str_rd(r, f, &rr->transmittable_display_name);
    if (rc_get_u16(r, &count) != 0)
        return -1;
    if (count > ncols)
        return rc_fail(r, "RecipientColumnCount %u > %zu columns", count,
                       ncols);
    return rc_get_row(r, cols, count, &rr->props);
}

/* RecipientRowSize then exactly that many bytes of RecipientRow. */
static int rc_sized_recipient(rc_resp *r, const uint32_t *cols, size_t ncols,
                              rc_recipient *rr)
{
    uint16_t size;
    const uint8_t *start;

    if (rc_get_u16(r, &size) != 0)
        return -1;
    start = r->rd.p;
    if (rc_resp_left(r) < size)
        return rc_fail(r, "RecipientRowSize %u past the end", size);
    if (rc_get_recipient_row(r, cols, ncols, rr) != 0)
        return -1;
    if ((size_t)(r->rd.p - start) != size)
        return rc_fail(r, "RecipientRow of %zu bytes, RecipientRowSize %u",
                       (size_t)(r->rd.p - start), size);
    return 0;
}

/* TypedString ([MS-OXCROPS] 2.2.6.1.2, SubjectPrefix/NormalizedSubject):
 * 0 absent, 1 empty, 2 8-bit, 3 reduced Unicode (8-bit), 4 UTF-16LE. */
static int rc_typed_string(rc_resp *r, const char **s)
{
    uint8_t t;

    *s = NULL;
    if (rc_get_u8(r, &t) != 0)
        return -1;
    switch (t) {
    case 0x00: return 0;
    case 0x01: *s = ""; return 0;
    case 0x02: case 0x03: return rc_get_str8(r, s);
    case 0x04: return rc_get_str16(r, s);
    default:   return rc_fail(r, "TypedString StringType 0x%02X", t);
    }
}

/* HasNamedProperties to the end of RopOpenMessage / RopOpenEmbeddedMessage:
 * SubjectPrefix, NormalizedSubject, RecipientCount, ColumnCount,
 * RecipientColumns, RowCount, RecipientRows (OpenRecipientRow). */
static int rc_message_tail(rc_resp *r, rc_message_rsp *o)
{
    rc_get_u8(r, &o->has_named_props);
    rc_typed_string(r, &o->subject_prefix);
    rc_typed_string(r, &o->normalized_subject);
    rc_get_u16(r, &o->recipient_count);
    if (rc_get_tags(r, &o->ncols, &o->cols) != 0 ||
        rc_get_u8(r, &o->nrows) != 0)
        return -1;
    o->rows = apr_pcalloc(r->pool, ((size_t)o->nrows + 1) * sizeof(*o->rows));
    for (uint8_t i = 0; i < o->nrows; i++) {
        rc_recipient *rr = &o->rows[i];
        uint16_t reserved;
        rc_get_u8(r, &rr->recipient_type);
        rc_get_u16(r, &rr->code_page);
        rc_get_u16(r, &reserved);
        if (rc_sized_recipient(r, o->cols, o->ncols, rr) != 0)
            return -1;
    }
    return 0;
}

int rc_rsp_open_message(rc_resp *r, rc_message_rsp *o)
{
    memset(o, 0, sizeof(*o));
    RC_HEAD(r, RC_ROP_OPEN_MESSAGE, &o->h);
    return rc_message_tail(r, o);
}

int rc_rsp_open_embedded_message(rc_resp *r, rc_message_rsp *o)
{
    uint8_t reserved;

    memset(o, 0, sizeof(*o));
    RC_HEAD(r, RC_ROP_OPEN_EMBEDDED_MESSAGE, &o->h);
    rc_get_u8(r, &reserved);
    if (rc_get_u64(r, &o->mid) != 0)
        return -1;
    return rc_message_tail(r, o);
}

int rc_rsp_create_message(rc_resp *r, rc_head *h, uint8_t *has_mid,
                          uint64_t *mid)
{
    *has_mid = 0;
    *mid = 0;
    RC_HEAD(r, RC_ROP_CREATE_MESSAGE, h);
    if (rc_get_u8(r, has_mid) != 0)
        return -1;
    return *has_mid ? rc_get_u64(r, mid) : 0;
}

int rc_rsp_save_changes_message(rc_resp *r, rc_head *h, uint8_t *in_idx,
                                uint64_t *mid)
{
    *in_idx = 0;
    *mid = 0;
    RC_HEAD(r, RC_ROP_SAVE_CHANGES_MESSAGE, h);
    rc_get_u8(r, in_idx);
    return rc_get_u64(r, mid);
}

int rc_rsp_read_recipients(rc_resp *r, const uint32_t *cols, size_t ncols,
                           rc_head *h, uint8_t *n, rc_recipient **rows)
{
    *n = 0;
    *rows = NULL;
    RC_HEAD(r, RC_ROP_READ_RECIPIENTS, h);
    if (rc_get_u8(r, n) != 0)
        return -1;
    *rows = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(rc_recipient));
    for (uint8_t i = 0; i < *n; i++) {
        rc_recipient *rr = &(*rows)[i];
        uint16_t reserved;
        rc_get_u32(r, &rr->row_id);
        rc_get_u8(r, &rr->recipient_type);
        rc_get_u16(r, &rr->code_page);
        rc_get_u16(r, &reserved);
        if (rc_sized_recipient(r, cols, ncols, rr) != 0)
            return -1;
    }
    return 0;
}

int rc_rsp_set_message_read_flag(rc_resp *r, rc_head *h, uint8_t *changed,
                                 uint8_t *logon_id, const uint8_t **client)
{
    *changed = 0;
    *client = NULL;
    RC_HEAD(r, RC_ROP_SET_MESSAGE_READ_FLAG, h);
    if (rc_get_u8(r, changed) != 0)
        return -1;
    if (*changed == 0)               /* R2110, R2114 */
        return 0;
    rc_get_u8(r, logon_id);
    return rc_get_bytes(r, 24, client);
}

int rc_rsp_create_attachment(rc_resp *r, rc_head *h, uint32_t *attach_id)
{
    RC_HEAD(r, RC_ROP_CREATE_ATTACHMENT, h);
    return rc_get_u32(r, attach_id);
}

int rc_rsp_open_stream(rc_resp *r, rc_head *h, uint32_t *size)
{
    RC_HEAD(r, RC_ROP_OPEN_STREAM, h);
    return rc_get_u32(r, size);
}

/* One response buffer: DataSize and Data whatever the ReturnValue. */
int rc_rsp_read_stream(rc_resp *r, rc_head *h, rc_bin *data)
{
    memset(data, 0, sizeof(*data));
    if (rc_rsp_head(r, RC_ROP_READ_STREAM, h) != 0)
        return -1;
    return rc_get_bin(r, data);
}

/* One response buffer: WrittenSize whatever the ReturnValue. */
int rc_rsp_write_stream(rc_resp *r, rc_head *h, uint16_t *written)
{
    if (rc_rsp_head(r, RC_ROP_WRITE_STREAM, h) != 0)
        return -1;
    return rc_get_u16(r, written);
}

int rc_rsp_get_stream_size(rc_resp *r, rc_head *h, uint32_t *size)
{
    RC_HEAD(r, RC_ROP_GET_STREAM_SIZE, h);
    return rc_get_u32(r, size);
}

int rc_rsp_seek_stream(rc_resp *r, rc_head *h, uint64_t *pos)
{
    RC_HEAD(r, RC_ROP_SEEK_STREAM, h);
    return rc_get_u64(r, pos);
}

/* The strings are read one by one and must use up AddressTypeSize exactly
 * (R2415, R2416): a size that disagrees with the strings is malformed. */
int rc_rsp_get_address_types(rc_resp *r, rc_head *h, uint16_t *n,
                             const char ***types)
{
    uint16_t size;
    size_t start;

    *n = 0;
    *types = NULL;
    RC_HEAD(r, RC_ROP_GET_ADDRESS_TYPES, h);
    if (rc_get_u16(r, n) != 0 || rc_get_u16(r, &size) != 0)
        return -1;
    if (rc_resp_left(r) < size)
        return rc_fail(r, "AddressTypeSize %u, %zu bytes left", size,
                       rc_resp_left(r));
    start = rc_resp_left(r);
    *types = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(char *));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_get_str8(r, &(*types)[i]) != 0)
            return -1;
    if (start - rc_resp_left(r) != size)
        return rc_fail(r, "AddressTypes: %u strings take %zu bytes, "
                       "AddressTypeSize %u", *n, start - rc_resp_left(r),
                       size);
    return 0;
}

/* A server that could not map every name may say so with
 * ecWarnWithErrors and still send the ids (0 for those not mapped,
 * [MS-OXCPRPT] R220): read them then too. */
int rc_rsp_get_ids_from_names_warn(rc_resp *r, rc_head *h, uint16_t *n,
                                   uint16_t **ids)
{
    *n = 0;
    *ids = NULL;
    if (rc_rsp_head(r, RC_ROP_GET_IDS_FROM_NAMES, h) != 0)
        return -1;
    if (h->rv != 0 && h->rv != RC_EC_WARN_WITH_ERRORS)
        return 0;
    if (rc_get_u16(r, n) != 0)
        return -1;
    *ids = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(uint16_t));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_get_u16(r, &(*ids)[i]) != 0)
            return -1;
    return 0;
}


/* ------------------------------------- table ROPs of the ported tests -- */

void rc_req_get_status(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_GET_STATUS, lid, in);
}

void rc_req_abort(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_ABORT, lid, in);
}

void rc_req_seek_row_fractional(rc_buf *b, uint8_t lid, uint8_t in,
                                uint32_t numerator, uint32_t denominator)
{
    rc_start(b, RC_ROP_SEEK_ROW_FRACTIONAL, lid, in);
    rc_u32(b, numerator);
    rc_u32(b, denominator);
}

void rc_req_expand_row(rc_buf *b, uint8_t lid, uint8_t in,
                       uint16_t max_rows, uint64_t category_id)
{
    rc_start(b, RC_ROP_EXPAND_ROW, lid, in);
    rc_u16(b, max_rows);
    rc_u64(b, category_id);
}

void rc_req_collapse_row(rc_buf *b, uint8_t lid, uint8_t in,
                         uint64_t category_id)
{
    rc_start(b, RC_ROP_COLLAPSE_ROW, lid, in);
    rc_u64(b, category_id);
}

void rc_req_get_collapse_state(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t row_id, uint32_t instance)
{
    rc_start(b, RC_ROP_GET_COLLAPSE_STATE, lid, in);
    rc_u64(b, row_id);
    rc_u32(b, instance);
}

void rc_req_set_collapse_state(rc_buf *b, uint8_t lid, uint8_t in,
                               const rc_bin *state)
{
    rc_start(b, RC_ROP_SET_COLLAPSE_STATE, lid, in);
    rc_u16(b, (uint16_t)state->len);
    rc_bytes(b, state->data, state->len);
}

/* ------------------------------------- ported-suite additions -- */

void rc_req_copy_properties(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                            int async, uint8_t copy_flags,
                            const uint32_t *tags, uint16_t n)
{
    rc_start2(b, RC_ROP_COPY_PROPERTIES, lid, src, dst);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, copy_flags);
    rc_tags(b, tags, n);
}

void rc_req_copy_to(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                    int async, int want_sub_objects, uint8_t copy_flags,
                    const uint32_t *excluded, uint16_t n)
{
    rc_start2(b, RC_ROP_COPY_TO, lid, src, dst);
    rc_u8(b, async ? 1 : 0);
    rc_u8(b, want_sub_objects ? 1 : 0);
    rc_u8(b, copy_flags);
    rc_tags(b, excluded, n);
}

int rc_rsp_copy_props(rc_resp *r, int rop_id, rc_head *h,
                      uint32_t *dest_idx, uint16_t *n, rc_problem **p)
{
    *dest_idx = 0;
    *n = 0;
    *p = NULL;
    if (rc_rsp_head(r, rop_id, h) != 0)
        return -1;
    if (h->rv == RC_EC_DST_NULL_OBJECT)
        return rc_get_u32(r, dest_idx);
    if (h->rv != 0)
        return 0;
    if (rc_get_u16(r, n) != 0)
        return -1;
    *p = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(rc_problem));
    for (uint16_t i = 0; i < *n; i++) {
        rc_get_u16(r, &(*p)[i].index);
        rc_get_u32(r, &(*p)[i].tag);
        if (rc_get_u32(r, &(*p)[i].error) != 0)
            return -1;
    }
    return 0;
}

void rc_req_reload_cached_information(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_RELOAD_CACHED_INFORMATION, lid, in);
    rc_u16(b, 0);                /* Reserved */
}

int rc_rsp_reload_cached_information(rc_resp *r, rc_message_rsp *o)
{
    memset(o, 0, sizeof(*o));
    RC_HEAD(r, RC_ROP_RELOAD_CACHED_INFORMATION, &o->h);
    return rc_message_tail(r, o);
}

/* ------------------------------------- per-user information, message
 * status, RopNotify (ported MS-OXCSTOR / MS-OXCMSG / MS-OXCROPS) -- */

void rc_req_read_per_user_info(rc_buf *b, uint8_t lid, uint8_t in,
                               const rc_ltid *folder, uint8_t reserved,
                               uint32_t offset, uint16_t max_size)
{
    rc_start(b, RC_ROP_READ_PER_USER_INFORMATION, lid, in);
    rc_ltid_wr(b, folder);
    rc_u8(b, reserved);
    rc_u32(b, offset);
    rc_u16(b, max_size);
}

int rc_rsp_read_per_user_info(rc_resp *r, rc_head *h, uint8_t *finished,
                              rc_bin *data)
{
    uint16_t n = 0;
    const uint8_t *p = NULL;

    *finished = 0;
    data->data = NULL;
    data->len = 0;
    RC_HEAD(r, RC_ROP_READ_PER_USER_INFORMATION, h);
    if (rc_get_u8(r, finished) != 0 || rc_get_u16(r, &n) != 0
        || rc_get_bytes(r, n, &p) != 0)
        return -1;
    data->data = p;
    data->len = n;
    return 0;
}

void rc_req_write_per_user_info(rc_buf *b, uint8_t lid, uint8_t in,
                                const rc_ltid *folder, int finished,
                                uint32_t offset, const void *data,
                                uint16_t len, const uint8_t *repl_guid)
{
    rc_start(b, RC_ROP_WRITE_PER_USER_INFORMATION, lid, in);
    rc_ltid_wr(b, folder);
    rc_u8(b, finished ? 1 : 0);
    rc_u32(b, offset);
    rc_u16(b, len);
    rc_bytes(b, data, len);
    if (repl_guid)
        rc_bytes(b, repl_guid, 16);
}

void rc_req_set_message_status(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t mid, uint32_t status, uint32_t mask)
{
    rc_start(b, RC_ROP_SET_MESSAGE_STATUS, lid, in);
    rc_u64(b, mid);
    rc_u32(b, status);
    rc_u32(b, mask);
}

void rc_req_get_message_status(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t mid)
{
    rc_start(b, RC_ROP_GET_MESSAGE_STATUS, lid, in);
    rc_u64(b, mid);
}

int rc_rsp_message_status(rc_resp *r, int rop_id, rc_head *h,
                          uint32_t *status)
{
    *status = 0;
    RC_HEAD(r, rop_id, h);
    return rc_get_u32(r, status);
}

void rc_req_get_valid_attachments(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, RC_ROP_GET_VALID_ATTACHMENTS, lid, in);
}

int rc_rsp_get_valid_attachments(rc_resp *r, rc_head *h, uint16_t *n,
                                 uint32_t **ids)
{
    *n = 0;
    *ids = NULL;
    RC_HEAD(r, RC_ROP_GET_VALID_ATTACHMENTS, h);
    if (rc_get_u16(r, n) != 0)
        return -1;
    *ids = apr_pcalloc(r->pool, ((size_t)*n + 1) * sizeof(uint32_t));
    for (uint16_t i = 0; i < *n; i++)
        if (rc_get_u32(r, &(*ids)[i]) != 0)
            return -1;
    return 0;
}

int rc_rsp_notify_head(rc_resp *r, rc_notify *n)
{
    uint8_t id;

    memset(n, 0, sizeof(*n));
    if (rc_get_u8(r, &id) != 0)
        return -1;
    if (id != RC_ROP_NOTIFY) {
        r->failed = 1;
        snprintf(r->error, sizeof(r->error), "RopId 0x%02X where a "
                 "RopNotify was expected", id);
        return -1;
    }
    if (rc_get_u32(r, &n->handle) != 0 || rc_get_u8(r, &n->logon_id) != 0
        || rc_get_u16(r, &n->flags) != 0)
        return -1;
    /* NewMail and the object events (0x02..0x40) carry the ids. */
    if ((n->flags & 0x00FE) && rc_get_u64(r, &n->fid) != 0)
        return -1;
    if ((n->flags & 0x00FE) && (n->flags & 0x8000) &&
        rc_get_u64(r, &n->mid) != 0)
        return -1;
    return 0;
}

int rc_rsp_notify(rc_resp *r, rc_notify *n)
{
    uint16_t tc = 0;
    uint32_t tag;
    uint64_t parent;
    int folder;

    if (rc_rsp_notify_head(r, n) != 0)
        return -1;
    folder = !(n->flags & 0x8000);
    if ((n->flags & 0x0FFF & ~0x001C) != 0 || (n->flags & 0x4000)) {
        r->failed = 1;
        snprintf(r->error, sizeof(r->error), "RopNotify flags 0x%04X not "
                 "decoded by the test client", n->flags);
        return -1;
    }
    /* ParentFolderId: a folder created or deleted (R179). */
    if (folder && (n->flags & 0x000C) && rc_get_u64(r, &parent) != 0)
        return -1;
    if (n->flags & 0x0014) {     /* created, modified: TagCount (R195) */
        if (rc_get_u16(r, &tc) != 0)
            return -1;
        for (uint16_t i = 0; tc != 0xFFFF && i < tc; i++)
            if (rc_get_u32(r, &tag) != 0)
                return -1;
    }
    if ((n->flags & 0x1000) && rc_get_u32(r, &tag) != 0)
        return -1;               /* TotalMessageCount */
    if ((n->flags & 0x2000) && rc_get_u32(r, &tag) != 0)
        return -1;               /* UnreadMessageCount */
    return 0;
}

/* ------------------------------------- submission and transport ROPs -- */

void rc_req_submit_message(rc_buf *b, uint8_t lid, uint8_t in,
                           uint8_t submit_flags)
{
    rc_start(b, 0x32, lid, in);
    rc_u8(b, submit_flags);
}

void rc_req_abort_submit(rc_buf *b, uint8_t lid, uint8_t in, uint64_t fid,
                         uint64_t mid)
{
    rc_start(b, 0x34, lid, in);
    rc_u64(b, fid);
    rc_u64(b, mid);
}

void rc_req_get_transport_folder(rc_buf *b, uint8_t lid, uint8_t in)
{
    rc_start(b, 0x6D, lid, in);
}

int rc_rsp_get_transport_folder(rc_resp *r, rc_head *h, uint64_t *fid)
{
    *fid = 0;
    RC_HEAD(r, 0x6D, h);
    return rc_get_u64(r, fid);
}
