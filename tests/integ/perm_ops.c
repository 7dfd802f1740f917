/*
 * perm_ops.c: see perm_ops.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "perm_ops.h"

/* who 0 demo, 1 other, logged on to the mailbox of essdn (NULL: their
 * own); the logon's ReturnValue in x->logon_rv, 0 when connected. */
int po_session_open(harness *h, po_session *x, int who, const char *essdn)
{
    mhc_connect_rsp cr;

    memset(x, 0, sizeof(*x));
    if (!(x->c = harness_client(h, who, MHC_AUTH_BASIC)))
        return -1;
    if (who == 0 ? harness_connect_demo(x->c) == NULL
                 : mhc_connect(x->c, H_OTHER_DN, NULL, &cr) != 0)
        return -1;
    rc_session_init(&x->s, x->c);
    x->logon_rv = rc_logon(&x->s, essdn ? essdn : who ? H_OTHER_DN : NULL, 0);
    return 0;
}

void po_session_close(po_session *x)
{
    if (x->c)
        rc_session_free(&x->s);
    mhc_client_free(&x->c);
}

/* The member's address book EntryID ([MS-OXNSPI] 2.3.9.3). */
rc_prop po_ab_eid(apr_pool_t *pool, const char *dn)
{
    static const uint8_t uid[16] = { 0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42,
                                     0x10, 0x1A, 0xB4, 0xB9, 0x08, 0x00,
                                     0x2B, 0x2F, 0xE1, 0x82 };
    size_t n = strlen(dn) + 1;
    uint8_t *b = apr_pcalloc(pool, 28 + n);

    memcpy(b + 4, uid, 16);
    b[20] = 1;
    memcpy(b + 28, dn, n);
    return rc_pv_bin(RC_TAG_ENTRY_ID, b, 28 + n);
}


static void po_perm_data(rc_buf *b, apr_pool_t *pool, const po_perm *p)
{
    rc_prop v[2];
    uint16_t n = 0;

    if (p->flags == ADD_ROW)
        v[n++] = p->dn ? po_ab_eid(pool, p->dn) : rc_pv_bin(RC_TAG_ENTRY_ID, "", 0);
    else
        v[n++] = rc_pv_i64(TAG_MEMBER_ID, p->id);
    if (p->flags != REMOVE_ROW && !p->no_rights)
        v[n++] = rc_pv_i32(TAG_MEMBER_RIGHTS, p->rights);
    rc_u8(b, p->flags);
    rc_u16(b, n);
    for (uint16_t i = 0; i < n; i++)
        rc_tagged(b, &v[i]);
}

/* RopModifyPermissions on folder: its ReturnValue. */
uint32_t po_modify_perms(po_session *x, uint32_t folder, uint8_t flags,
                             const po_perm *p, uint16_t n)
{
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, x->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_MODIFY_PERMISSIONS);
    rc_u8(&b, x->s.logon_id);
    rc_u8(&b, 0);
    rc_u8(&b, flags);
    rc_u16(&b, n);
    for (uint16_t i = 0; i < n; i++)
        po_perm_data(&b, x->s.pool, &p[i]);
    b.n_rops++;
    if (rc_execute(x->c, &b, x->s.pool, &e) != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, ROP_MODIFY_PERMISSIONS, &h) == 0)
        rv = h.rv;
    rc_exec_free(&e);
    return rv;
}

const uint32_t po_perm_cols[4] = { TAG_MEMBER_ID, TAG_MEMBER_NAME,
                                      TAG_MEMBER_RIGHTS, RC_TAG_ENTRY_ID };

/* RopGetPermissionsTable + RopSetColumns + RopQueryRows in one Execute:
 * the ReturnValue of the first failing ROP (*which: 0, 1 or 2). */
uint32_t po_perms_table(po_session *x, uint32_t folder, uint8_t flags,
                            rc_rows_rsp *rows, int *which)
{
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint8_t st;
    uint32_t rv = RC_ERR_CLIENT;
    int w = 0;

    rc_buf_init(&b, x->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_GET_PERMISSIONS_TABLE);
    rc_u8(&b, x->s.logon_id);
    rc_u8(&b, 0);
    rc_u8(&b, 1);
    rc_u8(&b, flags);
    b.n_rops++;
    rc_buf_handles_min(&b, 2);
    rc_req_set_columns(&b, x->s.logon_id, 1, 0, po_perm_cols, 4);
    rc_req_query_rows(&b, x->s.logon_id, 1, 0, 1, 100);
    if (rc_execute(x->c, &b, x->s.pool, &e) != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, ROP_GET_PERMISSIONS_TABLE, &h) != 0)
        goto out;
    if ((rv = h.rv) != 0)
        goto out;
    w = 1;
    rv = RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, RC_ROP_SET_COLUMNS, &h) != 0)
        goto out;
    if ((rv = h.rv) != 0)
        goto out;
    rc_get_u8(&e.resp, &st);
    w = 2;
    rv = RC_ERR_CLIENT;
    if (rc_rsp_query_rows(&e.resp, po_perm_cols, 4, rows) == 0)
        rv = rows->h.rv;
out:
    if (which)
        *which = w;
    rc_exec_free(&e);
    return rv;
}

/* The row of the member whose EntryID names dn, or NULL. */
const rc_row *po_row_of(const rc_rows_rsp *rows, const char *dn)
{
    for (unsigned i = 0; i < rows->count; i++) {
        const rc_prop *eid = rc_row_find(&rows->rows[i], RC_TAG_ENTRY_ID);

        if (eid && eid->v.bin.len == 28 + strlen(dn) + 1
            && strcasecmp((const char *)eid->v.bin.data + 28, dn) == 0)
            return &rows->rows[i];
    }
    return NULL;
}

const rc_row *po_row_of_id(const rc_rows_rsp *rows, uint64_t id)
{
    for (unsigned i = 0; i < rows->count; i++)
        if (rc_row_u64(&rows->rows[i], TAG_MEMBER_ID, 1) == id)
            return &rows->rows[i];
    return NULL;
}

/* other's member id on demo's folder (0 when not listed). */
uint64_t po_other_id(po_session *a, uint32_t folder)
{
    rc_rows_rsp rows;
    const rc_row *r;

    if (po_perms_table(a, folder, 0, &rows, NULL) != 0)
        return 0;
    r = po_row_of(&rows, H_OTHER_DN);
    return r ? rc_row_u64(r, TAG_MEMBER_ID, 0) : 0;
}

uint32_t po_other_rights(po_session *a, uint32_t folder, uint8_t flags)
{
    rc_rows_rsp rows;
    const rc_row *r;

    if (po_perms_table(a, folder, flags, &rows, NULL) != 0)
        return 0xFFFFFFFFu;
    r = po_row_of(&rows, H_OTHER_DN);
    return r ? rc_row_u32(r, TAG_MEMBER_RIGHTS, 0xFFFFFFFFu) : 0xFFFFFFFFu;
}

uint32_t po_create_msg(po_session *x, uint32_t folder, uint64_t fid,
                           const char *subject, uint64_t *mid)
{
    rc_prop v = rc_pv_str(RC_TAG_SUBJECT, subject);

    return rc_create_message(&x->s, folder, fid, &v, 1, mid);
}
