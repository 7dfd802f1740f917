/*
 * rop_client.c: rc_execute() over mh_client's Execute and the session
 * helpers of rop_client.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "rop_client.h"
#include "harness.h"

/* ------------------------------------------------------------ Execute -- */

static int rc_exec_fail(rc_exec *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int rc_exec_fail(rc_exec *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(x->error, sizeof(x->error), fmt, ap);
    va_end(ap);
    x->ok = 0;
    return -1;
}

/* Copies the decoded RopsList and handle table into x->pool so that parse
 * results (binary values point into the bytes) outlive nothing they use. */
static void rc_exec_take(rc_exec *x)
{
    const mhc_rop_out *o = &x->ex.out;

    x->rops_len = o->rops_len;
    x->rops = apr_pmemdup(x->pool, o->rops, o->rops_len + 1);
    x->n_handles = o->n_handles;
    x->handles = apr_pcalloc(x->pool, (o->n_handles + 1) * sizeof(uint32_t));
    if (o->n_handles)
        memcpy(x->handles, o->handles, o->n_handles * sizeof(uint32_t));
    rc_resp_init(&x->resp, x->pool, x->rops, x->rops_len, x->handles,
                 x->n_handles);
}

int rc_execute_ex(mhc_client *c, rc_buf *b, uint32_t exec_flags,
                  apr_pool_t *pool, rc_exec *x)
{
    memset(x, 0, sizeof(*x));
    if (rc_buf_failed(b)) {
        /* An empty cursor, so that parsers fail instead of crashing. */
        rc_resp_init(&x->resp, b->pool, NULL, 0, NULL, 0);
        return rc_exec_fail(x, "request buffer overflowed or malformed");
    }
    x->rc = mhc_execute(c, exec_flags, b->wr.buf, b->wr.len, b->handles,
                        b->n_handles, &x->http, &x->ex);
    x->pool = pool ? pool : x->http.pool;
    rc_resp_init(&x->resp, x->pool, NULL, 0, NULL, 0);
    if (x->rc != 0)
        return rc_exec_fail(x, "Execute: X-ResponseCode %d%s%s", x->rc,
                            x->http.error[0] ? ", " : "", x->http.error);
    if (x->ex.parsed != MHC_PARSE_SUCCESS)
        return rc_exec_fail(x, "Execute: response body %s (StatusCode 0x%X)",
                            x->ex.parsed == MHC_PARSE_FAILURE ? "is a failure"
                                                              : "malformed",
                            x->ex.status);
    if (x->ex.error_code != 0)
        return rc_exec_fail(x, "Execute: ErrorCode 0x%08X", x->ex.error_code);
    if (!x->ex.out.ok)
        return rc_exec_fail(x, "Execute: RopBuffer of %u bytes did not decode "
                            "(rpcext error %d)", x->ex.rop_buffer_size,
                            x->ex.out.rpcext_error);
    rc_exec_take(x);
    x->ok = 1;
    return 0;
}

int rc_execute(mhc_client *c, rc_buf *b, apr_pool_t *pool, rc_exec *x)
{
    return rc_execute_ex(c, b, 0, pool, x);
}

void rc_exec_free(rc_exec *x)
{
    if (x->http.pool)
        mhc_response_free(&x->http);
    memset(x, 0, sizeof(*x));
}

/* ------------------------------------------------------------ session -- */

void rc_session_init(rc_session *s, mhc_client *c)
{
    memset(s, 0, sizeof(*s));
    s->c = c;
    s->logon = RC_NO_HANDLE;
    apr_pool_create(&s->pool, NULL);
}

void rc_session_free(rc_session *s)
{
    if (s->pool)
        apr_pool_destroy(s->pool);
    s->pool = NULL;
}

static uint32_t rc_sfail(rc_session *s, uint32_t rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static uint32_t rc_sfail(rc_session *s, uint32_t rv, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s->error, sizeof(s->error), fmt, ap);
    va_end(ap);
    return rv ? rv : RC_ERR_CLIENT;
}

/* Sends b; on a transport failure records it.  0 or RC_ERR_CLIENT. */
static uint32_t rc_send(rc_session *s, rc_buf *b, rc_exec *x, const char *what)
{
    s->error[0] = 0;
    if (rc_execute(s->c, b, s->pool, x) != 0)
        return rc_sfail(s, RC_ERR_CLIENT, "%s: %s", what, x->error);
    return 0;
}

/* The outcome of one parsed ROP response: RC_ERR_CLIENT when it did not
 * parse, else its ReturnValue (with a message when non-zero). */
static uint32_t rc_outcome(rc_session *s, rc_exec *x, int parsed,
                           const rc_head *h, const char *what)
{
    if (parsed != 0)
        return rc_sfail(s, RC_ERR_CLIENT, "%s: %s", what,
                        rc_resp_error(&x->resp));
    if (h->rv != 0)
        return rc_sfail(s, h->rv, "%s: ReturnValue 0x%08X", what, h->rv);
    return 0;
}

/* The handle the server put in slot idx; RC_ERR_CLIENT when none. */
static uint32_t rc_out_handle(rc_session *s, rc_exec *x, unsigned idx,
                              uint32_t *out, const char *what)
{
    *out = rc_resp_handle(&x->resp, idx);
    if (*out == RC_NO_HANDLE)
        return rc_sfail(s, RC_ERR_CLIENT, "%s: no handle in slot %u of the "
                        "returned table (%zu slots)", what, idx,
                        x->n_handles);
    return 0;
}

uint32_t rc_logon(rc_session *s, const char *essdn, uint32_t open_flags)
{
    rc_buf b;
    rc_exec x;
    uint32_t rv;

    rc_buf_init(&b, s->pool);
    rc_req_logon(&b, s->logon_id, 0, RC_LOGON_PRIVATE, open_flags, essdn);
    if ((rv = rc_send(s, &b, &x, "RopLogon")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_logon(&x.resp, &s->lo), &s->lo.h,
                        "RopLogon");
    if (rv == 0 && s->lo.form != RC_LOGON_FORM_PRIVATE)
        rv = rc_sfail(s, RC_ERR_CLIENT, "RopLogon: not a private mailbox "
                      "response (LogonFlags 0x%02X)", s->lo.logon_flags);
    if (rv == 0)
        rv = rc_out_handle(s, &x, 0, &s->logon, "RopLogon");
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_release(rc_session *s, uint32_t handle)
{
    rc_buf b;
    rc_exec x;
    uint32_t rv;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, handle);
    rc_req_release(&b, s->logon_id, 0);
    if ((rv = rc_send(s, &b, &x, "RopRelease")) == 0 &&
        rc_resp_left(&x.resp) != 0)
        rv = rc_sfail(s, RC_ERR_CLIENT, "RopRelease: %zu response bytes, "
                      "expected none", rc_resp_left(&x.resp));
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_open_folder(rc_session *s, uint64_t fid, uint32_t *folder)
{
    rc_buf b;
    rc_exec x;
    rc_folder_rsp o;
    uint32_t rv;

    *folder = RC_NO_HANDLE;
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, s->logon);
    rc_req_open_folder(&b, s->logon_id, 0, 1, fid, 0);
    if ((rv = rc_send(s, &b, &x, "RopOpenFolder")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_open_folder(&x.resp, &o), &o.h,
                        "RopOpenFolder");
    if (rv == 0)
        rv = rc_out_handle(s, &x, 1, folder, "RopOpenFolder");
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_create_folder(rc_session *s, uint32_t parent, const char *name,
                          const char *comment, int open_existing,
                          uint64_t *fid, uint32_t *folder)
{
    rc_buf b;
    rc_exec x;
    rc_folder_rsp o;
    uint32_t rv;

    *folder = RC_NO_HANDLE;
    *fid = 0;
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, parent);
    rc_req_create_folder(&b, s->logon_id, 0, 1, 1, 1, open_existing, name,
                         comment ? comment : "");
    if ((rv = rc_send(s, &b, &x, "RopCreateFolder")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_create_folder(&x.resp, &o), &o.h,
                        "RopCreateFolder");
    if (rv == 0) {
        *fid = o.fid;
        rv = rc_out_handle(s, &x, 1, folder, "RopCreateFolder");
    }
    rc_exec_free(&x);
    return rv;
}

static uint32_t rc_get_table(rc_session *s, uint8_t rop, uint32_t folder,
                             uint8_t flags, uint32_t *table,
                             uint32_t *row_count, const char *what)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv, rows = 0;

    *table = RC_NO_HANDLE;
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, folder);
    if (rop == RC_ROP_GET_HIERARCHY_TABLE)
        rc_req_get_hierarchy_table(&b, s->logon_id, 0, 1, flags);
    else
        rc_req_get_contents_table(&b, s->logon_id, 0, 1, flags);
    if ((rv = rc_send(s, &b, &x, what)) == 0)
        rv = rc_outcome(s, &x, rc_rsp_get_table(&x.resp, rop, &h, &rows), &h,
                        what);
    if (rv == 0)
        rv = rc_out_handle(s, &x, 1, table, what);
    if (row_count)
        *row_count = rows;
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_get_hierarchy_table(rc_session *s, uint32_t folder,
                                uint8_t flags, uint32_t *table,
                                uint32_t *row_count)
{
    return rc_get_table(s, RC_ROP_GET_HIERARCHY_TABLE, folder, flags, table,
                        row_count, "RopGetHierarchyTable");
}

uint32_t rc_get_contents_table(rc_session *s, uint32_t folder,
                               uint8_t flags, uint32_t *table,
                               uint32_t *row_count)
{
    return rc_get_table(s, RC_ROP_GET_CONTENTS_TABLE, folder, flags, table,
                        row_count, "RopGetContentsTable");
}

uint32_t rc_query_table(rc_session *s, uint32_t table, const uint32_t *cols,
                        uint16_t ncols, uint16_t max_rows, rc_rows_rsp *out)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t status;
    uint32_t rv;

    memset(out, 0, sizeof(*out));
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, table);
    rc_req_set_columns(&b, s->logon_id, 0, 0, cols, ncols);
    rc_req_query_rows(&b, s->logon_id, 0, 0, 1, max_rows);
    if ((rv = rc_send(s, &b, &x, "RopSetColumns+RopQueryRows")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_table_status(&x.resp,
                                                   RC_ROP_SET_COLUMNS, &h,
                                                   &status),
                        &h, "RopSetColumns");
    if (rv == 0)
        rv = rc_outcome(s, &x, rc_rsp_query_rows(&x.resp, cols, ncols, out),
                        &out->h, "RopQueryRows");
    rc_exec_free(&x);
    return rv;
}

const rc_row *rc_rows_find_str(const rc_rows_rsp *rows, uint32_t tag,
                               const char *value)
{
    for (uint16_t i = 0; rows && i < rows->count; i++) {
        const char *v = rc_row_str(&rows->rows[i], tag);
        if (v && strcmp(v, value) == 0)
            return &rows->rows[i];
    }
    return NULL;
}

uint32_t rc_get_props(rc_session *s, uint32_t obj, const uint32_t *tags,
                      uint16_t n, rc_row *row)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv;

    memset(row, 0, sizeof(*row));
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, obj);
    rc_req_get_props_specific(&b, s->logon_id, 0, 0, 1, tags, n);
    if ((rv = rc_send(s, &b, &x, "RopGetPropertiesSpecific")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_get_props_specific(&x.resp, tags, n, &h,
                                                         row),
                        &h, "RopGetPropertiesSpecific");
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_set_props(rc_session *s, uint32_t obj, const rc_prop *vals,
                      uint16_t n, uint16_t *n_problems,
                      rc_problem **problems)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint16_t np = 0;
    rc_problem *p = NULL;
    uint32_t rv;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, obj);
    rc_req_set_props(&b, s->logon_id, 0, vals, n);
    if ((rv = rc_send(s, &b, &x, "RopSetProperties")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_problems(&x.resp, RC_ROP_SET_PROPS, &h,
                                               &np, &p),
                        &h, "RopSetProperties");
    if (n_problems)
        *n_problems = np;
    if (problems)
        *problems = p;
    rc_exec_free(&x);
    return rv;
}

/* Reads the SetProperties and SaveChangesMessage responses of
 * rc_create_message after its CreateMessage. */
static uint32_t rc_create_tail(rc_session *s, rc_exec *x, uint64_t *mid)
{
    rc_head h;
    uint16_t np;
    rc_problem *p;
    uint8_t idx;
    uint32_t rv;

    rv = rc_outcome(s, x, rc_rsp_problems(&x->resp, RC_ROP_SET_PROPS, &h,
                                          &np, &p),
                    &h, "RopSetProperties");
    if (rv == 0 && np != 0)
        rv = rc_sfail(s, RC_ERR_CLIENT, "RopSetProperties: %u problems, "
                      "first tag 0x%08X error 0x%08X", np, p[0].tag,
                      p[0].error);
    if (rv == 0)
        rv = rc_outcome(s, x, rc_rsp_save_changes_message(&x->resp, &h, &idx,
                                                          mid),
                        &h, "RopSaveChangesMessage");
    return rv;
}

uint32_t rc_create_message(rc_session *s, uint32_t in, uint64_t fid,
                           const rc_prop *vals, uint16_t n, uint64_t *mid)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t has_mid;
    uint64_t tmp_mid;
    uint32_t rv;

    *mid = 0;
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, in);
    rc_req_create_message(&b, s->logon_id, 0, 1, 0x0FFF, fid, 0);
    rc_req_set_props(&b, s->logon_id, 1, vals, n);
    rc_req_save_changes_message(&b, s->logon_id, 1, 1, 0x02);
    rc_req_release(&b, s->logon_id, 1);
    if ((rv = rc_send(s, &b, &x, "RopCreateMessage")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_create_message(&x.resp, &h, &has_mid,
                                                     &tmp_mid),
                        &h, "RopCreateMessage");
    if (rv == 0)
        rv = rc_create_tail(s, &x, mid);
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_open_message_props(rc_session *s, uint32_t in, uint64_t fid,
                               uint64_t mid, const uint32_t *tags,
                               uint16_t n, rc_message_rsp *msg, rc_row *row)
{
    rc_buf b;
    rc_exec x;
    rc_message_rsp local;
    rc_message_rsp *m = msg ? msg : &local;
    rc_head h;
    uint32_t rv;

    memset(row, 0, sizeof(*row));
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, in);
    rc_req_open_message(&b, s->logon_id, 0, 1, 0x0FFF, fid, 0, mid);
    rc_req_get_props_specific(&b, s->logon_id, 1, 0, 1, tags, n);
    rc_req_release(&b, s->logon_id, 1);
    if ((rv = rc_send(s, &b, &x, "RopOpenMessage")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_open_message(&x.resp, m), &m->h,
                        "RopOpenMessage");
    if (rv == 0)
        rv = rc_outcome(s, &x, rc_rsp_get_props_specific(&x.resp, tags, n, &h,
                                                         row),
                        &h, "RopGetPropertiesSpecific");
    rc_exec_free(&x);
    return rv;
}

/* ---------------------------------------------------------- fixture -- */

int rc_fx_open(rc_fx *f, const harness *h)
{
    uint32_t rv;

    memset(f, 0, sizeof(*f));
    f->c = harness_connect_demo(harness_client(h, 0, MHC_AUTH_BASIC));
    if (f->c == NULL)
        return -1;
    rc_session_init(&f->s, f->c);
    rv = rc_logon(&f->s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
    if (rv == 0)
        rv = rc_open_folder(&f->s, f->s.lo.fids[RC_FID_INBOX], &f->inbox);
    CHECKF(rv == 0, "setup: RopLogon + RopOpenFolder(Inbox): 0x%08X (%s)",
           rv, f->s.error);
    return rv == 0 ? 0 : -1;
}

void rc_fx_close(rc_fx *f)
{
    if (f->c)
        rc_session_free(&f->s);
    mhc_client_free(&f->c);
}

int rc_fx_run(rc_fx *f, rc_buf *b, rc_exec *x, const char *what)
{
    if (rc_execute(f->c, b, f->s.pool, x) == 0)
        return 0;
    CHECKF(0, "%s: %s", what, x->error);
    return -1;
}

/* ------------------------------------- folder and message ROPs (ported
 * Microsoft test scenarios) -- */

uint32_t rc_open_folder_ex(rc_session *s, uint32_t in, uint64_t fid,
                           uint8_t open_mode, rc_folder_rsp *op,
                           uint32_t *folder)
{
    rc_buf b;
    rc_exec x;
    rc_folder_rsp local;
    rc_folder_rsp *o = op ? op : &local;
    uint32_t rv;

    *folder = RC_NO_HANDLE;
    memset(o, 0, sizeof(*o));
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, in);
    rc_req_open_folder(&b, s->logon_id, 0, 1, fid, open_mode);
    if ((rv = rc_send(s, &b, &x, "RopOpenFolder")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_open_folder(&x.resp, o), &o->h,
                        "RopOpenFolder");
    if (rv == 0)
        rv = rc_out_handle(s, &x, 1, folder, "RopOpenFolder");
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_create_folder_ex(rc_session *s, uint32_t parent,
                             uint8_t folder_type, int unicode,
                             int open_existing, const char *name,
                             const char *comment, rc_folder_rsp *o,
                             uint32_t *folder)
{
    rc_buf b;
    rc_exec x;
    rc_folder_rsp local;
    rc_folder_rsp *r = o ? o : &local;
    uint32_t rv;

    *folder = RC_NO_HANDLE;
    memset(r, 0, sizeof(*r));
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, parent);
    rc_req_create_folder(&b, s->logon_id, 0, 1, folder_type, unicode,
                         open_existing, name, comment ? comment : "");
    if ((rv = rc_send(s, &b, &x, "RopCreateFolder")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_create_folder(&x.resp, r), &r->h,
                        "RopCreateFolder");
    if (rv == 0)
        rv = rc_out_handle(s, &x, 1, folder, "RopCreateFolder");
    rc_exec_free(&x);
    return rv;
}

/* Sends b (one ROP ending in PartialCompletion) and reads it. */
static uint32_t rc_partial_rop(rc_session *s, rc_buf *b, int rop_id,
                               uint8_t *partial, const char *what)
{
    rc_exec x;
    rc_head h;
    uint32_t rv;

    *partial = 0;
    if ((rv = rc_send(s, b, &x, what)) == 0)
        rv = rc_outcome(s, &x, rc_rsp_partial(&x.resp, rop_id, &h, partial),
                        &h, what);
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_delete_folder(rc_session *s, uint32_t parent, uint8_t flags,
                          uint64_t fid, uint8_t *partial)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, parent);
    rc_req_delete_folder(&b, s->logon_id, 0, flags, fid);
    return rc_partial_rop(s, &b, RC_ROP_DELETE_FOLDER, partial,
                          "RopDeleteFolder");
}

uint32_t rc_empty_folder(rc_session *s, uint32_t folder, int hard,
                         int want_delete_associated, uint8_t *partial)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, folder);
    rc_req_empty_folder(&b, s->logon_id, 0, hard, 0, want_delete_associated);
    return rc_partial_rop(s, &b, hard ? RC_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS
                                      : RC_ROP_EMPTY_FOLDER,
                          partial, hard ? "RopHardDeleteMessagesAndSubfolders"
                                        : "RopEmptyFolder");
}

uint32_t rc_delete_msgs(rc_session *s, uint32_t folder, int hard,
                        const uint64_t *mids, uint16_t n, uint8_t *partial)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, folder);
    rc_req_delete_messages(&b, s->logon_id, 0, hard, 0, 0, mids, n);
    return rc_partial_rop(s, &b, hard ? RC_ROP_HARD_DELETE_MESSAGES
                                      : RC_ROP_DELETE_MESSAGES,
                          partial, hard ? "RopHardDeleteMessages"
                                        : "RopDeleteMessages");
}

/* Sends b (a two-handle move or copy) and reads its response. */
static uint32_t rc_move_copy_rop(rc_session *s, rc_buf *b, int rop_id,
                                 uint8_t *partial, const char *what)
{
    rc_exec x;
    rc_head h;
    uint32_t dest_idx, rv;

    *partial = 0;
    if ((rv = rc_send(s, b, &x, what)) == 0)
        rv = rc_outcome(s, &x, rc_rsp_move_copy(&x.resp, rop_id, &h,
                                                &dest_idx, partial),
                        &h, what);
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_move_copy_folder(rc_session *s, int copy, uint32_t src,
                             uint32_t dst, int recursive, int unicode,
                             uint64_t fid, const char *new_name,
                             uint8_t *partial)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, src);
    rc_buf_handle(&b, 1, dst);
    if (copy)
        rc_req_copy_folder(&b, s->logon_id, 0, 1, 0, recursive, unicode, fid,
                           new_name);
    else
        rc_req_move_folder(&b, s->logon_id, 0, 1, 0, unicode, fid, new_name);
    return rc_move_copy_rop(s, &b, copy ? RC_ROP_COPY_FOLDER
                                        : RC_ROP_MOVE_FOLDER,
                            partial, copy ? "RopCopyFolder"
                                          : "RopMoveFolder");
}

uint32_t rc_move_copy_msgs(rc_session *s, int copy, uint32_t src,
                           uint32_t dst, const uint64_t *mids, uint16_t n,
                           uint8_t *partial)
{
    rc_buf b;

    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, src);
    rc_buf_handle(&b, 1, dst);
    rc_req_move_copy_messages(&b, s->logon_id, 0, 1, mids, n, 0, copy);
    return rc_move_copy_rop(s, &b, RC_ROP_MOVE_COPY_MESSAGES, partial,
                            "RopMoveCopyMessages");
}

uint32_t rc_create_message_ex(rc_session *s, uint32_t in, uint64_t fid,
                              int associated, const rc_prop *vals,
                              uint16_t n, uint64_t *mid)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t has_mid;
    uint64_t tmp_mid;
    uint32_t rv;

    *mid = 0;
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, in);
    rc_req_create_message(&b, s->logon_id, 0, 1, 0x0FFF, fid, associated);
    rc_req_set_props(&b, s->logon_id, 1, vals, n);
    rc_req_save_changes_message(&b, s->logon_id, 1, 1, 0x02);
    rc_req_release(&b, s->logon_id, 1);
    if ((rv = rc_send(s, &b, &x, "RopCreateMessage")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_create_message(&x.resp, &h, &has_mid,
                                                     &tmp_mid),
                        &h, "RopCreateMessage");
    if (rv == 0)
        rv = rc_create_tail(s, &x, mid);
    rc_exec_free(&x);
    return rv;
}

uint32_t rc_open_message(rc_session *s, uint32_t in, uint64_t fid,
                         uint64_t mid, uint8_t open_mode, uint32_t *msg)
{
    rc_buf b;
    rc_exec x;
    rc_message_rsp m;
    uint32_t rv;

    *msg = RC_NO_HANDLE;
    rc_buf_init(&b, s->pool);
    rc_buf_handle(&b, 0, in);
    rc_req_open_message(&b, s->logon_id, 0, 1, 0x0FFF, fid, open_mode, mid);
    if ((rv = rc_send(s, &b, &x, "RopOpenMessage")) == 0)
        rv = rc_outcome(s, &x, rc_rsp_open_message(&x.resp, &m), &m.h,
                        "RopOpenMessage");
    if (rv == 0)
        rv = rc_out_handle(s, &x, 1, msg, "RopOpenMessage");
    rc_exec_free(&x);
    return rv;
}
