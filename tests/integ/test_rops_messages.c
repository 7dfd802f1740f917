/*
 * test_rops_messages.c: message ROPs end to end through httpd: a message
 * with typed properties, recipients and a 100 KiB attachment written
 * through a stream, read back byte for byte by another session; the
 * contents table (columns, sort, restriction, paging, position, seek,
 * bookmarks, find); the property ROPs on messages and named properties;
 * moving, copying, deleting, read flags; and the refusals (read-only
 * message, a message of another folder, another user's mailbox).
 *
 * Every test works in folders of its own name under the Inbox.
 *
 * Requirement ids: [MS-OXCMSG] unless marked otherwise
 * (/work/shared/specs/).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* Property tags of the round trip beyond rop_wire.h's.  0x6000-0x65FF is
 * the user-defined range ([MS-OXPROPS] 1.3.3), so the server has no
 * business computing them. */
#define TAG_MV_STRINGS   0x6001101Fu   /* PtypMultipleString */
#define TAG_BLOB         0x60020102u   /* PtypBinary */
#define TAG_WHEN         0x60030040u   /* PtypTime */
#define TAG_FLAG         0x6004000Bu   /* PtypBoolean */
#define TAG_ATTACH_SIZE  0x0E200003u   /* PidTagAttachSize */
#define TAG_SMTP_ADDRESS 0x39FE001Fu   /* PidTagSmtpAddress */
#define TAG_RECIP_DISPLAY_NAME 0x5FF6001Fu   /* PidTagRecipientDisplayName */
#define MSGFLAG_READ     0x00000001u   /* mfRead */

#define PAYLOAD_LEN  (100 * 1024)
#define WRITE_CHUNK  8192
#define READ_CHUNK   16000

/* ------------------------------------------------------------ fixture -- */

/* rc_fx (rop_client.h) is the session; a folder of the test's own under
 * its Inbox: */
static uint32_t mkfolder(rc_fx *f, const char *name, uint64_t *fid,
                         uint32_t *h)
{
    uint32_t rv = rc_create_folder(&f->s, f->inbox, name, NULL, 0, fid, h);

    CHECKF(rv == 0, "setup: RopCreateFolder '%s': 0x%08X (%s)", name, rv,
           f->s.error);
    return rv;
}

/* A saved message with subject and body in folder fid (handle folder). */
static uint32_t mkmessage(rc_fx *f, uint32_t folder, uint64_t fid,
                          const char *subject, const char *body,
                          uint64_t *mid)
{
    rc_prop v[3] = { rc_pv_str(RC_TAG_SUBJECT, subject),
                     rc_pv_str(RC_TAG_BODY, body ? body : subject),
                     rc_pv_str(RC_TAG_MESSAGE_CLASS, "IPM.Note") };
    uint32_t rv = rc_create_message(&f->s, folder, fid, v, 3, mid);

    CHECKF(rv == 0, "setup: message '%s': 0x%08X (%s)", subject, rv,
           f->s.error);
    return rv;
}

static const char *str_or(const char *s)
{
    return s ? s : "(absent)";
}

static int str_is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

static uint32_t msg_flags(rc_fx *f, uint64_t fid, uint64_t mid)
{
    static const uint32_t tags[] = { RC_TAG_MESSAGE_FLAGS };
    rc_row row;

    if (rc_open_message_props(&f->s, f->s.logon, fid, mid, tags, 1, NULL,
                              &row) != 0)
        return 0xFFFFFFFFu;
    return rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0xFFFFFFFFu);
}

static long contents_count(rc_fx *f, uint32_t folder)
{
    uint32_t table, count;

    if (rc_get_contents_table(&f->s, folder, 0, &table, &count) != 0)
        return -1;
    rc_release(&f->s, table);
    return count;
}

/* The subjects of folder's messages in table order (up to 64); count or
 * -1. */
static int subjects(rc_fx *f, uint32_t folder, const char **out, int max)
{
    static const uint32_t cols[] = { RC_TAG_SUBJECT, RC_TAG_MID };
    uint32_t table, count;
    rc_rows_rsp rows;
    int n = 0;

    if (rc_get_contents_table(&f->s, folder, 0, &table, &count) != 0)
        return -1;
    if (rc_query_table(&f->s, table, cols, 2, 64, &rows) != 0)
        return -1;
    for (uint16_t i = 0; i < rows.count && n < max; i++)
        out[n++] = rc_row_str(&rows.rows[i], RC_TAG_SUBJECT);
    rc_release(&f->s, table);
    return n;
}

static int has_subject(const char **list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (str_is(list[i], s))
            return 1;
    return 0;
}

/* -------------------------------------------- the message round trip -- */

static uint8_t payload[PAYLOAD_LEN];

/* Bytes no compressor flattens and any shift would show. */
static void payload_fill(void)
{
    uint32_t x = 0x2545F491u;

    for (size_t i = 0; i < PAYLOAD_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        payload[i] = (uint8_t)(x ^ (i >> 8));
    }
}

static const char *const mv_strings[] = { "alpha", "beta", "gamma delta" };
static const uint8_t blob[] = { 0x00, 0x01, 0xFE, 0xFF, 0x7F, 0x80, 0x00 };
#define WHEN_UNIX 1700000000

static void roundtrip_props(rc_prop *v)
{
    v[0] = rc_pv_str(RC_TAG_SUBJECT, "rt subject \xC3\xA9t\xC3\xA9");
    v[1] = rc_pv_str(RC_TAG_BODY, "The body of the round trip.\r\n");
    v[2] = rc_pv_str(RC_TAG_MESSAGE_CLASS, "IPM.Note");
    v[3] = rc_pv_mv_str(TAG_MV_STRINGS, (const char **)mv_strings, 3);
    v[4] = rc_pv_bin(TAG_BLOB, blob, sizeof(blob));
    v[5] = rc_pv_i64(TAG_WHEN, rc_filetime_from_unix(WHEN_UNIX));
    v[6] = rc_pv_bool(TAG_FLAG, 1);
}
#define N_RT_PROPS 7

static const uint32_t recip_cols[] = { TAG_SMTP_ADDRESS,
                                       TAG_RECIP_DISPLAY_NAME };

/* Two recipients: a To and a Cc, SMTP, Unicode strings. */
static void roundtrip_recipients(apr_pool_t *p, rc_recipient *r)
{
    static const char *const email[2] = { "first@example.test",
                                          "second@example.test" };
    static const char *const name[2] = { "First Recipient",
                                         "Second Recipient" };

    memset(r, 0, 2 * sizeof(*r));
    for (int i = 0; i < 2; i++) {
        r[i].row_id = (uint32_t)i;
        r[i].recipient_type = (uint8_t)(i + 1);
        r[i].flags = RC_RECIP_SMTP | RC_RECIP_U;
        r[i].email = email[i];
        r[i].display_name = name[i];
        r[i].props.n = 2;
        r[i].props.props = apr_pcalloc(p, 2 * sizeof(rc_prop));
        r[i].props.props[0] = rc_pv_str(TAG_SMTP_ADDRESS, email[i]);
        r[i].props.props[1] = rc_pv_str(TAG_RECIP_DISPLAY_NAME, name[i]);
    }
}

/* Execute 1 of the build: message, properties, recipients, attachment,
 * its stream.  Handles of the message, attachment, stream; 0 or -1. */
static int rt_create(rc_fx *f, uint32_t *msg, uint32_t *att, uint32_t *strm)
{
    rc_prop v[N_RT_PROPS];
    rc_prop av[2] = { rc_pv_i32(RC_TAG_ATTACH_METHOD, 1),
                      rc_pv_str(RC_TAG_ATTACH_LONG_FILENAME, "data.bin") };
    rc_recipient rr[2];
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t has_mid;
    uint64_t tmid;
    uint16_t np;
    rc_problem *pp;
    uint32_t attach_id = 0xFFFFFFFF, size = 0xFFFFFFFF;
    int rc = -1;

    roundtrip_props(v);
    roundtrip_recipients(f->s.pool, rr);
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->inbox);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, f->s.lo.fids[RC_FID_INBOX],
                          0);
    rc_req_set_props(&b, 0, 1, v, N_RT_PROPS);
    rc_req_modify_recipients(&b, 0, 1, recip_cols, 2, rr, 2, NULL);
    rc_req_create_attachment(&b, 0, 1, 2);
    rc_req_set_props(&b, 0, 2, av, 2);
    rc_req_open_stream(&b, 0, 2, 3, RC_TAG_ATTACH_DATA_BIN, 2);
    if (rc_fx_run(f, &b, &x, "build Execute 1") != 0)
        return -1;
    if (rc_rsp_create_message(&x.resp, &h, &has_mid, &tmid) || h.rv) {
        CHECKF(0, "RopCreateMessage: 0x%08X (%s)", h.rv,
               rc_resp_error(&x.resp));
    } else if (rc_rsp_problems(&x.resp, RC_ROP_SET_PROPS, &h, &np, &pp) ||
               h.rv || np) {
        CHECKF(0, "[MS-OXCPRPT] RopSetProperties of the 7 typed values: "
               "0x%08X, %u problems (first tag 0x%08X error 0x%08X) %s",
               h.rv, np, np ? pp[0].tag : 0, np ? pp[0].error : 0,
               rc_resp_error(&x.resp));
    } else if (rc_rsp_generic(&x.resp, RC_ROP_MODIFY_RECIPIENTS, &h) ||
               h.rv) {
        CHECKF(0, "RopModifyRecipients of two rows: 0x%08X (%s)", h.rv,
               rc_resp_error(&x.resp));
    } else if (rc_rsp_create_attachment(&x.resp, &h, &attach_id) || h.rv) {
        CHECKF(0, "RopCreateAttachment: 0x%08X (%s)", h.rv,
               rc_resp_error(&x.resp));
    } else if (rc_rsp_problems(&x.resp, RC_ROP_SET_PROPS, &h, &np, &pp) ||
               h.rv || np) {
        CHECKF(0, "RopSetProperties on the attachment: 0x%08X, %u problems",
               h.rv, np);
    } else if (rc_rsp_open_stream(&x.resp, &h, &size) || h.rv) {
        CHECKF(0, "[MS-OXCPRPT] RopOpenStream(PidTagAttachDataBinary, "
               "Create): 0x%08X (%s)", h.rv, rc_resp_error(&x.resp));
    } else {
        CHECKF(size == 0, "[MS-OXCPRPT] R27601: StreamSize %u of a new "
               "stream", size);
        *msg = rc_resp_handle(&x.resp, 1);
        *att = rc_resp_handle(&x.resp, 2);
        *strm = rc_resp_handle(&x.resp, 3);
        rc = 0;
    }
    rc_exec_free(&x);
    return rc;
}

/* The payload through RopWriteStream, three ROPs per Execute. */
static int rt_write(rc_fx *f, uint32_t strm)
{
    size_t off = 0;

    while (off < PAYLOAD_LEN) {
        rc_buf b;
        rc_exec x;
        size_t sent[3];
        int k = 0, ok = 1;

        rc_buf_init(&b, f->s.pool);
        rc_buf_handle(&b, 0, strm);
        for (; k < 3 && off < PAYLOAD_LEN; k++) {
            size_t n = PAYLOAD_LEN - off < WRITE_CHUNK ? PAYLOAD_LEN - off
                                                       : WRITE_CHUNK;
            rc_req_write_stream(&b, 0, 0, payload + off, (uint16_t)n);
            sent[k] = n;
            off += n;
        }
        if (rc_fx_run(f, &b, &x, "RopWriteStream") != 0)
            return -1;
        for (int i = 0; i < k && ok; i++) {
            rc_head h;
            uint16_t w = 0;
            ok = rc_rsp_write_stream(&x.resp, &h, &w) == 0 && h.rv == 0 &&
                 w == sent[i];
            CHECKF(ok, "[MS-OXCPRPT] RopWriteStream of %zu bytes (up to "
                   "offset %zu): 0x%08X, WrittenSize %u (%s)", sent[i], off,
                   h.rv, w, rc_resp_error(&x.resp));
        }
        rc_exec_free(&x);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Commit, save the attachment and the message: the message id. */
static int rt_save(rc_fx *f, uint32_t msg, uint32_t att, uint32_t strm,
                   uint64_t *mid)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t idx;
    int rc = -1;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->inbox);
    rc_buf_handle(&b, 1, msg);
    rc_buf_handle(&b, 2, att);
    rc_buf_handle(&b, 3, strm);
    rc_req_commit_stream(&b, 0, 3);
    rc_req_release(&b, 0, 3);
    rc_req_save_changes_attachment(&b, 0, 1, 2, 0x02);
    rc_req_release(&b, 0, 2);
    rc_req_save_changes_message(&b, 0, 0, 1, 0x02);
    rc_req_release(&b, 0, 1);
    if (rc_fx_run(f, &b, &x, "save Execute") != 0)
        return -1;
    if (rc_rsp_generic(&x.resp, RC_ROP_COMMIT_STREAM, &h) || h.rv)
        CHECKF(0, "[MS-OXCPRPT] RopCommitStream: 0x%08X (%s)", h.rv,
               rc_resp_error(&x.resp));
    else if (rc_rsp_save_changes_attachment(&x.resp, &h) || h.rv)
        CHECKF(0, "RopSaveChangesAttachment: 0x%08X (%s)", h.rv,
               rc_resp_error(&x.resp));
    else if (rc_rsp_save_changes_message(&x.resp, &h, &idx, mid) || h.rv)
        CHECKF(0, "RopSaveChangesMessage: 0x%08X (%s)", h.rv,
               rc_resp_error(&x.resp));
    else
        rc = 0;
    CHECKF(rc != 0 || rc_resp_left(&x.resp) == 0, "%zu bytes after the save "
           "responses (RopRelease has none)", rc_resp_left(&x.resp));
    rc_exec_free(&x);
    return rc;
}

/* The typed values read back equal what was set. */
static void rt_check_props(const rc_row *row)
{
    const rc_prop *p;

    CHECKF(str_is(rc_row_str(row, RC_TAG_SUBJECT),
                  "rt subject \xC3\xA9t\xC3\xA9"),
           "PidTagSubject '%s'", str_or(rc_row_str(row, RC_TAG_SUBJECT)));
    CHECKF(str_is(rc_row_str(row, RC_TAG_BODY),
                  "The body of the round trip.\r\n"),
           "PidTagBody '%s'", str_or(rc_row_str(row, RC_TAG_BODY)));
    CHECKF(str_is(rc_row_str(row, RC_TAG_MESSAGE_CLASS), "IPM.Note"),
           "PidTagMessageClass '%s'",
           str_or(rc_row_str(row, RC_TAG_MESSAGE_CLASS)));
    p = rc_row_find(row, TAG_MV_STRINGS);
    CHECKF(p && p->type == RC_PT_MV_UNICODE && p->v.mv.count == 3 &&
           str_is(p->v.mv.str[0], "alpha") && str_is(p->v.mv.str[1], "beta")
           && str_is(p->v.mv.str[2], "gamma delta"),
           "PtypMultipleString 0x%08X not read back (type 0x%04X, %u "
           "values)", TAG_MV_STRINGS, p ? p->type : 0,
           p ? p->v.mv.count : 0);
    p = rc_row_find(row, TAG_BLOB);
    CHECKF(p && p->type == RC_PT_BINARY && p->v.bin.len == sizeof(blob) &&
           memcmp(p->v.bin.data, blob, sizeof(blob)) == 0,
           "PtypBinary 0x%08X not read back (%zu bytes)", TAG_BLOB,
           p ? p->v.bin.len : 0);
    p = rc_row_find(row, TAG_WHEN);
    CHECKF(p && p->type == RC_PT_SYSTIME &&
           p->v.u64 == rc_filetime_from_unix(WHEN_UNIX),
           "PtypTime 0x%08X: 0x%016llX, set 0x%016llX", TAG_WHEN,
           p ? (unsigned long long)p->v.u64 : 0ull,
           (unsigned long long)rc_filetime_from_unix(WHEN_UNIX));
    p = rc_row_find(row, TAG_FLAG);
    CHECKF(p && p->type == RC_PT_BOOLEAN && p->v.b == 1,
           "PtypBoolean 0x%08X not read back as 1", TAG_FLAG);
}

static void rt_check_recipients(const rc_recipient *r, unsigned n,
                                const char *what)
{
    static const char *const email[2] = { "first@example.test",
                                          "second@example.test" };

    CHECKF(n == 2, "%s: %u recipient rows, 2 were set", what, n);
    for (unsigned i = 0; i < n && i < 2; i++) {
        CHECKF(r[i].recipient_type == i + 1, "%s: row %u RecipientType %u",
               what, i, r[i].recipient_type);
        CHECKF(str_is(r[i].email, email[i]) ||
               str_is(rc_row_str(&r[i].props, TAG_SMTP_ADDRESS), email[i]),
               "%s: row %u address '%s', expected %s", what, i,
               str_or(r[i].email), email[i]);
    }
}

/* The attachment data through RopReadStream, one ROP per Execute;
 * returns the bytes read (into buf) or -1. */
static long rt_read_stream(rc_fx *f, uint32_t strm, uint8_t *buf, size_t cap)
{
    size_t got = 0;

    for (int guard = 0; guard < 64; guard++) {
        rc_buf b;
        rc_exec x;
        rc_head h;
        rc_bin d;

        rc_buf_init(&b, f->s.pool);
        rc_buf_handle(&b, 0, strm);
        rc_req_read_stream(&b, 0, 0, READ_CHUNK, 0);
        if (rc_fx_run(f, &b, &x, "RopReadStream") != 0)
            return -1;
        if (rc_rsp_read_stream(&x.resp, &h, &d) != 0 || h.rv != 0) {
            CHECKF(0, "[MS-OXCPRPT] RopReadStream at %zu: 0x%08X (%s)", got,
                   h.rv, rc_resp_error(&x.resp));
            rc_exec_free(&x);
            return -1;
        }
        if (d.len && got + d.len <= cap)
            memcpy(buf + got, d.data, d.len);
        got += d.len;
        rc_exec_free(&x);
        if (d.len < READ_CHUNK)
            break;
    }
    return (long)got;
}

/* The whole message read back over a second Connect: properties,
 * recipients (RopOpenMessage rows and RopReadRecipients), attachment
 * table, attachment data. */
static void rt_verify(uint64_t mid)
{
    static const uint32_t tags[] = { RC_TAG_SUBJECT, RC_TAG_BODY,
                                     RC_TAG_MESSAGE_CLASS, TAG_MV_STRINGS,
                                     TAG_BLOB, TAG_WHEN, TAG_FLAG };
    static const uint32_t acols[] = { RC_TAG_ATTACH_NUM,
                                      RC_TAG_ATTACH_LONG_FILENAME,
                                      RC_TAG_ATTACH_METHOD };
    rc_fx g;
    rc_buf b;
    rc_exec x = { 0 };
    rc_message_rsp m;
    rc_head h;
    rc_row row;
    rc_rows_rsp arows;
    uint8_t nr = 0, st;
    rc_recipient *rr;
    uint32_t size = 0, attach_num, strm;
    uint8_t *back = NULL;
    long got;

    if (rc_fx_open(&g, &H) != 0)
        goto out;
    rc_buf_init(&b, g.s.pool);
    rc_buf_handle(&b, 0, g.inbox);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, g.s.lo.fids[RC_FID_INBOX], 0,
                        mid);
    rc_req_get_props_specific(&b, 0, 1, 0, 1, tags, 7);
    rc_req_read_recipients(&b, 0, 1, 0);
    rc_req_get_attachment_table(&b, 0, 1, 2, 0);
    rc_req_set_columns(&b, 0, 2, 0, acols, 3);
    rc_req_query_rows(&b, 0, 2, 0, 1, 10);
    REQUIREF(rc_fx_run(&g, &b, &x, "read Execute") == 0, "transport");
    REQUIREF(rc_rsp_open_message(&x.resp, &m) == 0 && m.h.rv == 0,
             "R333: RopOpenMessage of 0x%016llX in a new session: 0x%08X "
             "(%s)", (unsigned long long)mid, m.h.rv,
             rc_resp_error(&x.resp));
    CHECKF(str_is(m.normalized_subject, "rt subject \xC3\xA9t\xC3\xA9"),
           "RopOpenMessage NormalizedSubject '%s'",
           str_or(m.normalized_subject));
    CHECKF(m.recipient_count == 2, "RopOpenMessage RecipientCount %u",
           m.recipient_count);
    rt_check_recipients(m.rows, m.nrows, "RopOpenMessage RecipientRows");
    REQUIREF(rc_rsp_get_props_specific(&x.resp, tags, 7, &h, &row) == 0 &&
             h.rv == 0, "RopGetPropertiesSpecific: 0x%08X (%s)", h.rv,
             rc_resp_error(&x.resp));
    rt_check_props(&row);
    REQUIREF(rc_rsp_read_recipients(&x.resp, m.cols, m.ncols, &h, &nr, &rr)
                 == 0, "RopReadRecipients: %s", rc_resp_error(&x.resp));
    CHECKF(h.rv == 0, "RopReadRecipients: 0x%08X", h.rv);
    if (h.rv == 0)
        rt_check_recipients(rr, nr, "RopReadRecipients");
    /* No RowCount here, unlike the folder tables ([MS-OXCROPS] R2314). */
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_GET_ATTACHMENT_TABLE, &h) == 0
             && h.rv == 0, "[MS-OXCROPS] R2308-R2318: RopGetAttachmentTable: "
             "0x%08X (%s)", h.rv, rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &h, &st) == 0
             && h.rv == 0, "RopSetColumns (attachment table): 0x%08X (%s)",
             h.rv, rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_query_rows(&x.resp, acols, 3, &arows) == 0 &&
             arows.h.rv == 0, "RopQueryRows (attachments): 0x%08X (%s)",
             arows.h.rv, rc_resp_error(&x.resp));
    REQUIREF(arows.count == 1, "attachment table: %u rows, expected 1",
             arows.count);
    CHECKF(str_is(rc_row_str(&arows.rows[0], RC_TAG_ATTACH_LONG_FILENAME),
                  "data.bin") &&
           rc_row_u32(&arows.rows[0], RC_TAG_ATTACH_METHOD, 0) == 1,
           "attachment row: file name '%s', method %u",
           str_or(rc_row_str(&arows.rows[0], RC_TAG_ATTACH_LONG_FILENAME)),
           rc_row_u32(&arows.rows[0], RC_TAG_ATTACH_METHOD, 0));
    attach_num = rc_row_u32(&arows.rows[0], RC_TAG_ATTACH_NUM, 0);
    {
        uint32_t msg = rc_resp_handle(&x.resp, 1);
        rc_exec y;
        rc_buf_init(&b, g.s.pool);
        rc_buf_handle(&b, 0, msg);
        rc_req_open_attachment(&b, 0, 0, 1, 0, attach_num);
        rc_req_open_stream(&b, 0, 1, 2, RC_TAG_ATTACH_DATA_BIN, 0);
        REQUIREF(rc_fx_run(&g, &b, &y, "RopOpenAttachment") == 0, "transport");
        CHECKF(rc_rsp_generic(&y.resp, RC_ROP_OPEN_ATTACHMENT, &h) == 0 &&
               h.rv == 0, "R440: RopOpenAttachment %u: 0x%08X (%s)",
               attach_num, h.rv, rc_resp_error(&y.resp));
        CHECKF(rc_rsp_open_stream(&y.resp, &h, &size) == 0 && h.rv == 0,
               "[MS-OXCPRPT] RopOpenStream (read-only): 0x%08X (%s)", h.rv,
               rc_resp_error(&y.resp));
        strm = rc_resp_handle(&y.resp, 2);
        rc_exec_free(&y);
    }
    CHECKF(size == PAYLOAD_LEN, "[MS-OXCPRPT] R27601: StreamSize %u, %u "
           "bytes were written", size, PAYLOAD_LEN);
    REQUIREF(h.rv == 0 && strm != RC_NO_HANDLE, "no stream to read");
    back = calloc(1, PAYLOAD_LEN + READ_CHUNK);
    got = rt_read_stream(&g, strm, back, PAYLOAD_LEN + READ_CHUNK);
    CHECKF(got == PAYLOAD_LEN, "[MS-OXCPRPT] R296: RopReadStream gave %ld "
           "bytes in all, %u were written", got, PAYLOAD_LEN);
    if (got == PAYLOAD_LEN) {
        size_t i = 0;
        while (i < PAYLOAD_LEN && back[i] == payload[i])
            i++;
        /* The arguments are evaluated even when the check holds: no
         * payload[PAYLOAD_LEN] (UBSan). */
        CHECKF(i == PAYLOAD_LEN, "attachment data differs at byte %zu "
               "(0x%02X, written 0x%02X)", i,
               i < PAYLOAD_LEN ? back[i] : 0, i < PAYLOAD_LEN ? payload[i] : 0);
    }
out:
    free(back);
    rc_exec_free(&x);
    rc_fx_close(&g);
}

static void test_message_round_trip_R333_OXCPRPT_R27601_R296(void)
{
    rc_fx f;
    uint32_t msg = RC_NO_HANDLE, att = RC_NO_HANDLE, strm = RC_NO_HANDLE;
    uint64_t mid = 0;

    payload_fill();
    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(rt_create(&f, &msg, &att, &strm) == 0, "building the message");
    REQUIREF(rt_write(&f, strm) == 0, "writing the attachment data");
    REQUIREF(rt_save(&f, msg, att, strm, &mid) == 0, "saving");
    REQUIREF(mid != 0, "RopSaveChangesMessage gave MessageId 0");
    rc_fx_close(&f);
    rt_verify(mid);
out:
    rc_fx_close(&f);
}

/* ------------------------------------------------- the contents table -- */

static const char *const tbl_subjects[] = {
    "tbl-05", "tbl-02", "tbl-07", "other-1", "tbl-01", "tbl-06", "tbl-03",
    "other-2", "tbl-04"
};
#define N_TBL 9
#define N_MATCH 7

/* SetColumns, SortTable (subject ascending), Restrict (subject contains
 * "tbl-"), then QueryRows in pages of 3 and QueryPosition. */
static void test_contents_sort_restrict_page_OXCTABL_R117_R136_R138(void)
{
    static const uint32_t cols[] = { RC_TAG_SUBJECT, RC_TAG_MID };
    rc_fx f;
    uint64_t fid, mid;
    uint32_t h, table, count;
    rc_buf b, rb;
    rc_exec x = { 0 };
    rc_head hd;
    rc_sort so = { RC_TAG_SUBJECT, 0 };
    rc_prop pv = rc_pv_str(RC_TAG_SUBJECT, "tbl-");
    uint8_t st;
    uint32_t num = 0, den = 0;
    int seen = 0;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-table", &fid, &h) == 0, "setup");
    for (int i = 0; i < N_TBL; i++)
        REQUIREF(mkmessage(&f, h, fid, tbl_subjects[i], NULL, &mid) == 0,
                 "setup");
    REQUIREF(rc_get_contents_table(&f.s, h, 0, &table, &count) == 0,
             "RopGetContentsTable: %s", f.s.error);
    CHECKF(count == N_TBL, "RopGetContentsTable: RowCount %u, %d messages",
           count, N_TBL);
    rc_buf_init(&rb, f.s.pool);
    rc_restr_content(&rb, RC_FL_SUBSTRING | RC_FL_IGNORECASE, RC_TAG_SUBJECT,
                     &pv);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_set_columns(&b, 0, 0, 0, cols, 2);
    rc_req_sort_table(&b, 0, 0, 0, &so, 1, 0, 0);
    rc_req_restrict(&b, 0, 0, 0, rb.wr.buf, (uint16_t)rb.wr.len);
    for (int p = 0; p < 3; p++)
        rc_req_query_rows(&b, 0, 0, 0, 1, 3);
    rc_req_query_position(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "table Execute") == 0, "transport");
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &hd, &st) == 0
             && hd.rv == 0, "[MS-OXCTABL] RopSetColumns: 0x%08X", hd.rv);
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SORT_TABLE, &hd, &st) == 0
             && hd.rv == 0, "[MS-OXCTABL] RopSortTable: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_RESTRICT, &hd, &st) == 0
             && hd.rv == 0, "[MS-OXCTABL] RopRestrict: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    for (int p = 0; p < 3; p++) {
        rc_rows_rsp rows;
        uint16_t want = p < 2 ? 3 : N_MATCH - 6;
        REQUIREF(rc_rsp_query_rows(&x.resp, cols, 2, &rows) == 0 &&
                 rows.h.rv == 0, "[MS-OXCTABL] RopQueryRows page %d: 0x%08X "
                 "(%s)", p, rows.h.rv, rc_resp_error(&x.resp));
        CHECKF(rows.count == want, "[MS-OXCTABL] R108/R117: page %d has %u "
               "rows, expected %u", p, rows.count, want);
        for (uint16_t i = 0; i < rows.count; i++, seen++) {
            char exp[16];
            snprintf(exp, sizeof(exp), "tbl-%02d", seen + 1);
            CHECKF(str_is(rc_row_str(&rows.rows[i], RC_TAG_SUBJECT), exp),
                   "[MS-OXCTABL] R117/sort: row %d is '%s', expected %s",
                   seen, str_or(rc_row_str(&rows.rows[i], RC_TAG_SUBJECT)),
                   exp);
        }
    }
    CHECKF(seen == N_MATCH, "[MS-OXCTABL] R117: %d rows through the "
           "restriction, %d match", seen, N_MATCH);
    REQUIREF(rc_rsp_query_position(&x.resp, &hd, &num, &den) == 0 &&
             hd.rv == 0, "[MS-OXCTABL] RopQueryPosition: 0x%08X", hd.rv);
    CHECKF(num == N_MATCH && den == N_MATCH, "[MS-OXCTABL] R136/R138: "
           "QueryPosition %u/%u at the end of %d rows", num, den, N_MATCH);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* The same table: SeekRow, CreateBookmark / SeekRowBookmark /
 * FreeBookmark, FindRow, all over the sorted and restricted view. */
static void test_contents_seek_bookmark_find_OXCTABL_R150_R153_R522(void)
{
    static const uint32_t cols[] = { RC_TAG_SUBJECT, RC_TAG_MID };
    rc_fx f;
    uint64_t fid, mid;
    uint32_t h, table, count, num = 0, den = 0;
    rc_buf b, rb, fb;
    rc_exec x = { 0 };
    rc_head hd;
    rc_sort so = { RC_TAG_SUBJECT, 0 };
    rc_prop pv = rc_pv_str(RC_TAG_SUBJECT, "tbl-");
    rc_prop fv = rc_pv_str(RC_TAG_SUBJECT, "tbl-05");
    rc_rows_rsp rows;
    uint8_t st, less = 0xFF, gone = 0xFF;
    int32_t sought = -1;
    rc_bin bm = { NULL, 0 };
    rc_find_row_rsp fr;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-seek", &fid, &h) == 0, "setup");
    for (int i = 0; i < N_TBL; i++)
        REQUIREF(mkmessage(&f, h, fid, tbl_subjects[i], NULL, &mid) == 0,
                 "setup");
    REQUIREF(rc_get_contents_table(&f.s, h, 0, &table, &count) == 0,
             "RopGetContentsTable: %s", f.s.error);
    rc_buf_init(&rb, f.s.pool);
    rc_restr_content(&rb, RC_FL_SUBSTRING, RC_TAG_SUBJECT, &pv);
    /* Execute 1: the view, SeekRow to row 2, read it, bookmark row 3. */
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_set_columns(&b, 0, 0, 0, cols, 2);
    rc_req_sort_table(&b, 0, 0, 0, &so, 1, 0, 0);
    rc_req_restrict(&b, 0, 0, 0, rb.wr.buf, (uint16_t)rb.wr.len);
    rc_req_seek_row(&b, 0, 0, 0, 2, 1);
    rc_req_query_rows(&b, 0, 0, 0, 1, 1);
    rc_req_create_bookmark(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "seek Execute") == 0, "transport");
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &hd, &st) == 0
             && hd.rv == 0 &&
             rc_rsp_table_status(&x.resp, RC_ROP_SORT_TABLE, &hd, &st) == 0
             && hd.rv == 0 &&
             rc_rsp_table_status(&x.resp, RC_ROP_RESTRICT, &hd, &st) == 0
             && hd.rv == 0, "the view: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_seek_row(&x.resp, &hd, &less, &sought) == 0 &&
             hd.rv == 0, "[MS-OXCTABL] RopSeekRow: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    CHECKF(less == 0 && sought == 2, "[MS-OXCTABL] R150/R153: SeekRow(+2) "
           "HasSoughtLess %u RowsSought %d", less, sought);
    REQUIREF(rc_rsp_query_rows(&x.resp, cols, 2, &rows) == 0 &&
             rows.h.rv == 0 && rows.count == 1, "RopQueryRows after seek: "
             "0x%08X, %u rows", rows.h.rv, rows.count);
    CHECKF(str_is(rc_row_str(&rows.rows[0], RC_TAG_SUBJECT), "tbl-03"),
           "[MS-OXCTABL] R150: row after SeekRow(BEGINNING, 2) is '%s', "
           "expected tbl-03", str_or(rc_row_str(&rows.rows[0],
                                                RC_TAG_SUBJECT)));
    REQUIREF(rc_rsp_create_bookmark(&x.resp, &hd, &bm) == 0 && hd.rv == 0,
             "[MS-OXCTABL] R522: RopCreateBookmark: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    CHECKF(bm.len > 0, "[MS-OXCTABL] R211/R213: empty bookmark");
    bm.data = apr_pmemdup(f.s.pool, bm.data, bm.len);
    rc_exec_free(&x);

    /* Execute 2: away to the end, back by the bookmark, read; free it. */
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_seek_row(&b, 0, 0, 2, 0, 0);
    rc_req_seek_row_bookmark(&b, 0, 0, &bm, 0, 1);
    rc_req_query_rows(&b, 0, 0, 0, 1, 1);
    rc_req_free_bookmark(&b, 0, 0, &bm);
    REQUIREF(rc_fx_run(&f, &b, &x, "bookmark Execute") == 0, "transport");
    REQUIREF(rc_rsp_seek_row(&x.resp, &hd, &less, &sought) == 0 &&
             hd.rv == 0, "RopSeekRow(END): 0x%08X", hd.rv);
    REQUIREF(rc_rsp_seek_row_bookmark(&x.resp, &hd, &gone, &less, &sought)
                 == 0 && hd.rv == 0,
             "[MS-OXCTABL] RopSeekRowBookmark: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    CHECKF(gone == 0, "[MS-OXCTABL] R181: RowNoLongerVisible %u for a row "
           "that is still there", gone);
    REQUIREF(rc_rsp_query_rows(&x.resp, cols, 2, &rows) == 0 &&
             rows.h.rv == 0 && rows.count == 1, "RopQueryRows at the "
             "bookmark: 0x%08X, %u rows", rows.h.rv, rows.count);
    CHECKF(str_is(rc_row_str(&rows.rows[0], RC_TAG_SUBJECT), "tbl-04"),
           "[MS-OXCTABL] R522: the bookmark (made after reading tbl-03) "
           "leads to '%s', expected tbl-04",
           str_or(rc_row_str(&rows.rows[0], RC_TAG_SUBJECT)));
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_FREE_BOOKMARK, &hd) == 0,
             "RopFreeBookmark: %s", rc_resp_error(&x.resp));
    CHECKF(hd.rv == 0, "[MS-OXCTABL] RopFreeBookmark: 0x%08X", hd.rv);
    rc_exec_free(&x);

    /* Execute 3: FindRow of tbl-05 from the beginning, then the position. */
    rc_buf_init(&fb, f.s.pool);
    rc_restr_property(&fb, RC_RELOP_EQ, RC_TAG_SUBJECT, &fv);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_find_row(&b, 0, 0, 0, fb.wr.buf, (uint16_t)fb.wr.len, 0, NULL);
    rc_req_query_position(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "find Execute") == 0, "transport");
    REQUIREF(rc_rsp_find_row(&x.resp, cols, 2, &fr) == 0 && fr.h.rv == 0,
             "[MS-OXCTABL] RopFindRow: 0x%08X (%s)", fr.h.rv,
             rc_resp_error(&x.resp));
    CHECKF(fr.has_row && str_is(rc_row_str(&fr.row, RC_TAG_SUBJECT),
                                "tbl-05"),
           "[MS-OXCTABL] R225: FindRow(subject == tbl-05) gave HasRowData "
           "%u '%s'", fr.has_row, str_or(rc_row_str(&fr.row,
                                                    RC_TAG_SUBJECT)));
    REQUIREF(rc_rsp_query_position(&x.resp, &hd, &num, &den) == 0 &&
             hd.rv == 0, "RopQueryPosition: 0x%08X", hd.rv);
    CHECKF(num == 4 && den == N_MATCH, "[MS-OXCTABL] R136/R138: position "
           "%u/%u after FindRow of the 5th row, expected 4/%d", num, den,
           N_MATCH);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* -------------------------------------------------- property ROPs -- */

/* RopGetPropertiesAll / RopGetPropertiesList see what was set;
 * RopDeleteProperties removes PidTagBody, and after the save it stays
 * removed. */
static void test_props_all_list_delete_OXCPRPT_R93_R10001_R121(void)
{
    static const uint32_t body_tag[] = { RC_TAG_BODY };
    static const uint32_t check[] = { RC_TAG_SUBJECT, RC_TAG_BODY };
    rc_fx f;
    uint64_t fid, mid, mid2;
    uint32_t h;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    uint16_t nv = 0, nt = 0, np = 0;
    rc_prop *vals;
    uint32_t *tags;
    rc_problem *pp;
    rc_row row;
    uint8_t idx;
    int has_subject = 0, has_body = 0, lists_subject = 0, lists_body = 0;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-props", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "props subject", "props body", &mid) == 0,
             "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, 1, mid);
    rc_req_get_props_all(&b, 0, 1, 0, 1);
    rc_req_get_props_list(&b, 0, 1);
    rc_req_delete_props(&b, 0, 1, body_tag, 1);
    rc_req_get_props_specific(&b, 0, 1, 0, 1, check, 2);
    rc_req_save_changes_message(&b, 0, 0, 1, 0x02);
    rc_req_release(&b, 0, 1);
    REQUIREF(rc_fx_run(&f, &b, &x, "props Execute") == 0, "transport");
    REQUIREF(rc_rsp_open_message(&x.resp, &(rc_message_rsp){ 0 }) == 0,
             "RopOpenMessage: %s", rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_get_props_all(&x.resp, &hd, &nv, &vals) == 0 &&
             hd.rv == 0, "[MS-OXCPRPT] RopGetPropertiesAll: 0x%08X (%s)",
             hd.rv, rc_resp_error(&x.resp));
    for (uint16_t i = 0; i < nv; i++) {
        has_subject |= vals[i].tag == RC_TAG_SUBJECT &&
                       str_is(vals[i].v.str, "props subject");
        has_body |= vals[i].tag == RC_TAG_BODY &&
                    str_is(vals[i].v.str, "props body");
    }
    CHECKF(has_subject && has_body, "[MS-OXCPRPT] R93: GetPropertiesAll "
           "(%u values) lacks subject (%d) or body (%d)", nv, has_subject,
           has_body);
    REQUIREF(rc_rsp_get_props_list(&x.resp, &hd, &nt, &tags) == 0 &&
             hd.rv == 0, "[MS-OXCPRPT] RopGetPropertiesList: 0x%08X (%s)",
             hd.rv, rc_resp_error(&x.resp));
    for (uint16_t i = 0; i < nt; i++) {
        lists_subject |= RC_PROP_ID(tags[i]) == RC_PROP_ID(RC_TAG_SUBJECT);
        lists_body |= RC_PROP_ID(tags[i]) == RC_PROP_ID(RC_TAG_BODY);
    }
    CHECKF(lists_subject && lists_body, "[MS-OXCPRPT] R10001: "
           "GetPropertiesList (%u tags) lacks subject or body", nt);
    REQUIREF(rc_rsp_problems(&x.resp, RC_ROP_DELETE_PROPS, &hd, &np, &pp)
                 == 0 && hd.rv == 0,
             "[MS-OXCPRPT] RopDeleteProperties: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    CHECKF(np == 0, "[MS-OXCPRPT] R121: %u problems deleting PidTagBody",
           np);
    REQUIREF(rc_rsp_get_props_specific(&x.resp, check, 2, &hd, &row) == 0,
             "RopGetPropertiesSpecific: %s", rc_resp_error(&x.resp));
    CHECKF(rc_row_str(&row, RC_TAG_BODY) == NULL &&
           str_is(rc_row_str(&row, RC_TAG_SUBJECT), "props subject"),
           "[MS-OXCPRPT] R83604: on the same handle PidTagBody is '%s' after "
           "RopDeleteProperties", str_or(rc_row_str(&row, RC_TAG_BODY)));
    REQUIREF(rc_rsp_save_changes_message(&x.resp, &hd, &idx, &mid2) == 0 &&
             hd.rv == 0, "RopSaveChangesMessage: 0x%08X", hd.rv);
    rc_exec_free(&x);
    REQUIREF(rc_open_message_props(&f.s, h, fid, mid, check, 2, NULL, &row)
                 == 0, "reopen: %s", f.s.error);
    CHECKF(rc_row_str(&row, RC_TAG_BODY) == NULL, "[MS-OXCPRPT] R835: "
           "PidTagBody '%s' is back after the save",
           str_or(rc_row_str(&row, RC_TAG_BODY)));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* One RopGetPropertyIdsFromNames (create) of names on the logon. */
static int ids_from_names(rc_fx *f, const rc_propname *names, uint16_t n,
                          uint16_t *ids)
{
    rc_buf b;
    rc_exec x;
    rc_head hd;
    uint16_t cnt = 0, *got;
    int rc = -1;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->s.logon);
    rc_req_get_ids_from_names(&b, 0, 0, 0x02, names, n);
    if (rc_fx_run(f, &b, &x, "RopGetPropertyIdsFromNames") != 0)
        return -1;
    if (rc_rsp_get_ids_from_names(&x.resp, &hd, &cnt, &got) == 0 &&
        hd.rv == 0 && cnt == n) {
        memcpy(ids, got, n * sizeof(uint16_t));
        rc = 0;
    }
    CHECKF(rc == 0, "[MS-OXCPRPT] R216: RopGetPropertyIdsFromNames: 0x%08X, "
           "%u ids for %u names (%s)", hd.rv, cnt, n,
           rc_resp_error(&x.resp));
    rc_exec_free(&x);
    return rc;
}

/* Named properties: created once, the same ids the second time, and the
 * names come back from the ids. */
static void test_named_props_OXCPRPT_R216_R222_R238(void)
{
    /* PS_PUBLIC_STRINGS {00020329-0000-0000-C000-000000000046} and
     * PSETID_Common {00062008-0000-0000-C000-000000000046}, wire order. */
    static const uint8_t ps_public[16] = { 0x29, 0x03, 0x02, 0x00, 0, 0, 0,
                                           0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46 };
    static const uint8_t ps_common[16] = { 0x08, 0x20, 0x06, 0x00, 0, 0, 0,
                                           0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46 };
    rc_propname names[2];
    uint16_t ids1[2] = { 0 }, ids2[2] = { 0 }, n = 0;
    rc_propname *back;
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    memset(names, 0, sizeof(names));
    names[0].kind = 1;
    memcpy(names[0].guid, ps_public, 16);
    names[0].name = "mod_mapi-integ-named";
    names[1].kind = 0;
    memcpy(names[1].guid, ps_common, 16);
    names[1].lid = 0x8FA3;
    REQUIREF(ids_from_names(&f, names, 2, ids1) == 0, "first mapping");
    CHECKF(ids1[0] >= 0x8000 && ids1[1] >= 0x8000 && ids1[0] != ids1[1],
           "[MS-OXCPRPT] R238/R220: ids 0x%04X 0x%04X", ids1[0], ids1[1]);
    REQUIREF(ids_from_names(&f, names, 2, ids2) == 0, "second mapping");
    CHECKF(ids1[0] == ids2[0] && ids1[1] == ids2[1], "[MS-OXCPRPT] R222: "
           "the second mapping gave 0x%04X 0x%04X, the first 0x%04X 0x%04X",
           ids2[0], ids2[1], ids1[0], ids1[1]);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_get_names_from_ids(&b, 0, 0, ids1, 2);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopGetNamesFromPropertyIds") == 0,
             "transport");
    REQUIREF(rc_rsp_get_names_from_ids(&x.resp, &hd, &n, &back) == 0 &&
             hd.rv == 0 && n == 2,
             "[MS-OXCPRPT] R230: RopGetNamesFromPropertyIds: 0x%08X, %u "
             "names (%s)", hd.rv, n, rc_resp_error(&x.resp));
    CHECKF(back[0].kind == 1 && memcmp(back[0].guid, ps_public, 16) == 0 &&
           str_is(back[0].name, "mod_mapi-integ-named"),
           "[MS-OXCPRPT] R230: id 0x%04X maps to kind %u '%s'", ids1[0],
           back[0].kind, str_or(back[0].name));
    CHECKF(back[1].kind == 0 && memcmp(back[1].guid, ps_common, 16) == 0 &&
           back[1].lid == 0x8FA3, "[MS-OXCPRPT] R230: id 0x%04X maps to "
           "kind %u LID 0x%X", ids1[1], back[1].kind, back[1].lid);
    /* A fresh session sees the same mapping (it is the mailbox's). */
    {
        rc_fx g;
        uint16_t ids3[2] = { 0 };
        if (rc_fx_open(&g, &H) == 0 && ids_from_names(&g, names, 2, ids3) == 0)
            CHECKF(ids3[0] == ids1[0] && ids3[1] == ids1[1],
                   "[MS-OXCPRPT] R222: another session maps the names to "
                   "0x%04X 0x%04X", ids3[0], ids3[1]);
        rc_fx_close(&g);
    }
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* ------------------------------------------ move, copy, delete, flags -- */

static uint64_t drafts_fid(rc_fx *f)
{
    static const uint32_t cols[] = { RC_TAG_DISPLAY_NAME, RC_TAG_FOLDER_ID };
    uint32_t ipm, table, count;
    rc_rows_rsp rows;
    const rc_row *r;
    uint64_t fid = 0;

    if (rc_open_folder(&f->s, f->s.lo.fids[RC_FID_IPM_SUBTREE], &ipm) != 0)
        return 0;
    if (rc_get_hierarchy_table(&f->s, ipm, 0, &table, &count) == 0 &&
        rc_query_table(&f->s, table, cols, 2, 100, &rows) == 0 &&
        (r = rc_rows_find_str(&rows, RC_TAG_DISPLAY_NAME, "Drafts")))
        fid = rc_row_u64(r, RC_TAG_FOLDER_ID, 0);
    return fid;
}

static uint32_t move_copy(rc_fx *f, uint32_t src, uint32_t dst, uint64_t mid,
                          int copy, uint8_t *partial)
{
    rc_buf b;
    rc_exec x;
    rc_head hd;
    uint32_t dest_idx, rv = RC_ERR_CLIENT;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, src);
    rc_buf_handle(&b, 1, dst);
    rc_req_move_copy_messages(&b, 0, 0, 1, &mid, 1, 0, copy);
    if (rc_fx_run(f, &b, &x, "RopMoveCopyMessages") != 0)
        return rv;
    if (rc_rsp_move_copy(&x.resp, RC_ROP_MOVE_COPY_MESSAGES, &hd, &dest_idx,
                         partial) == 0)
        rv = hd.rv;
    else
        CHECKF(0, "RopMoveCopyMessages response: %s",
               rc_resp_error(&x.resp));
    rc_exec_free(&x);
    return rv;
}

/* RopMoveCopyMessages to Drafts: a copy leaves the source, a move does
 * not. */
static void test_move_copy_messages_OXCFOLD_R144_R159_R160(void)
{
    rc_fx f;
    uint64_t fid, dfid, m1, m2;
    uint32_t h, drafts, rv;
    uint8_t partial = 0xFF;
    const char *subj[64];
    int n;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF((dfid = drafts_fid(&f)) != 0, "setup: no Drafts");
    REQUIREF(rc_open_folder(&f.s, dfid, &drafts) == 0, "setup: open Drafts");
    REQUIREF(mkfolder(&f, "msg-movecopy", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "mc-copied", NULL, &m1) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "mc-moved", NULL, &m2) == 0, "setup");
    rv = move_copy(&f, h, drafts, m1, 1, &partial);
    CHECKF(rv == 0 && partial == 0, "[MS-OXCFOLD] R159/R163: copy gave "
           "0x%08X, PartialCompletion %u", rv, partial);
    rv = move_copy(&f, h, drafts, m2, 0, &partial);
    CHECKF(rv == 0 && partial == 0, "[MS-OXCFOLD] R160/R163: move gave "
           "0x%08X, PartialCompletion %u", rv, partial);
    n = subjects(&f, h, subj, 64);
    CHECKF(n == 1 && has_subject(subj, n, "mc-copied"),
           "[MS-OXCFOLD] R144: the source has %d messages after a copy and a "
           "move, expected only mc-copied", n);
    n = subjects(&f, drafts, subj, 64);
    CHECKF(has_subject(subj, n, "mc-copied") &&
           has_subject(subj, n, "mc-moved"),
           "[MS-OXCFOLD] R144: Drafts (%d messages) lacks the copy or the "
           "moved message", n);
    {
        static const uint32_t t[] = { RC_TAG_SUBJECT };
        rc_row row;
        rv = rc_open_message_props(&f.s, h, fid, m2, t, 1, NULL, &row);
        CHECKF(rv == RC_EC_NOT_FOUND, "R333: the moved message still opens "
               "in its old folder (0x%08X)", rv);
    }
out:
    rc_fx_close(&f);
}

/* RopSetMessageReadFlag and RopSetReadFlags change mfRead in
 * PidTagMessageFlags. */
static void test_read_flags_R818_R822_R846_OXCROPS_R2075(void)
{
    rc_fx f;
    uint64_t fid, m[2];
    uint32_t h, fl;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    uint8_t changed, lid, partial = 0xFF;
    const uint8_t *cd;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-read", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "read-1", NULL, &m[0]) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "read-2", NULL, &m[1]) == 0, "setup");
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: rfClearReadFlag; pass 1: rfDefault (sets mfRead). */
        uint8_t flags = pass == 0 ? 0x04 : 0x00;
        rc_buf_init(&b, f.s.pool);
        rc_buf_handle(&b, 0, h);
        rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, 1, m[0]);
        rc_req_set_message_read_flag(&b, 0, 0, 1, flags, NULL);
        rc_req_release(&b, 0, 1);
        REQUIREF(rc_fx_run(&f, &b, &x, "RopSetMessageReadFlag") == 0, "transport");
        REQUIREF(rc_rsp_open_message(&x.resp, &(rc_message_rsp){ 0 }) == 0,
                 "RopOpenMessage: %s", rc_resp_error(&x.resp));
        REQUIREF(rc_rsp_set_message_read_flag(&x.resp, &hd, &changed, &lid,
                                              &cd) == 0 && hd.rv == 0,
                 "RopSetMessageReadFlag(0x%02X): 0x%08X (%s)", flags, hd.rv,
                 rc_resp_error(&x.resp));
        CHECKF(rc_resp_left(&x.resp) == 0, "R849/R852: %zu bytes after "
               "RopSetMessageReadFlag (ReadStatusChanged %u, private "
               "mailbox)", rc_resp_left(&x.resp), changed);
        rc_exec_free(&x);
        fl = msg_flags(&f, fid, m[0]);
        CHECKF(fl != 0xFFFFFFFFu && (pass == 0 ? !(fl & MSGFLAG_READ)
                                                : (fl & MSGFLAG_READ)),
               "R822/R818: PidTagMessageFlags 0x%08X after "
               "RopSetMessageReadFlag(0x%02X)", fl, flags);
    }
    for (int pass = 0; pass < 2; pass++) {
        uint8_t flags = pass == 0 ? 0x04 : 0x00;
        rc_buf_init(&b, f.s.pool);
        rc_buf_handle(&b, 0, h);
        rc_req_set_read_flags(&b, 0, 0, 0, flags, m, 2);
        REQUIREF(rc_fx_run(&f, &b, &x, "RopSetReadFlags") == 0, "transport");
        REQUIREF(rc_rsp_partial(&x.resp, RC_ROP_SET_READ_FLAGS, &hd,
                                &partial) == 0,
                 "RopSetReadFlags response: %s", rc_resp_error(&x.resp));
        CHECKF(hd.rv == 0 && partial == 0, "[MS-OXCROPS] R2075: "
               "RopSetReadFlags(0x%02X) gave 0x%08X PartialCompletion %u",
               flags, hd.rv, partial);
        rc_exec_free(&x);
        for (int i = 0; i < 2; i++) {
            fl = msg_flags(&f, fid, m[i]);
            CHECKF(fl != 0xFFFFFFFFu && (pass == 0 ? !(fl & MSGFLAG_READ)
                                                    : (fl & MSGFLAG_READ)),
                   "R822/R818: message %d PidTagMessageFlags 0x%08X after "
                   "RopSetReadFlags(0x%02X)", i, fl, flags);
        }
    }
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopDeleteMessages of two of three messages. */
static void test_delete_messages_OXCFOLD_R282_R991(void)
{
    static const uint32_t t[] = { RC_TAG_SUBJECT };
    rc_fx f;
    uint64_t fid, m[3];
    uint32_t h, rv;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    uint8_t partial = 0xFF;
    rc_row row;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-delete", &fid, &h) == 0, "setup");
    for (int i = 0; i < 3; i++)
        REQUIREF(mkmessage(&f, h, fid, "delete me", NULL, &m[i]) == 0,
                 "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_delete_messages(&b, 0, 0, 0, 0, 0, m, 2);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopDeleteMessages") == 0, "transport");
    REQUIREF(rc_rsp_partial(&x.resp, RC_ROP_DELETE_MESSAGES, &hd, &partial)
                 == 0, "RopDeleteMessages response: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv == 0 && partial == 0, "[MS-OXCFOLD] R282/R991: "
           "RopDeleteMessages gave 0x%08X PartialCompletion %u", hd.rv,
           partial);
    CHECKF(contents_count(&f, h) == 1, "RopDeleteMessages: %ld messages "
           "left of 3 after deleting 2", contents_count(&f, h));
    rv = rc_open_message_props(&f.s, h, fid, m[0], t, 1, NULL, &row);
    CHECKF(rv == RC_EC_NOT_FOUND, "R333/R335: a deleted message opens "
           "(0x%08X)", rv);
    rv = rc_open_message_props(&f.s, h, fid, m[2], t, 1, NULL, &row);
    CHECKF(rv == 0, "the message not deleted does not open (0x%08X)", rv);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* A message opened read-only: RopSetProperties + RopSaveChangesMessage
 * do not change it.  The brief of this server asks for ecAccessDenied;
 * [MS-OXCMSG] R1699 names ecError for the save (Exchange 2016 returns
 * success, R3020, but then nothing is persisted either). */
static void test_read_only_refuses_save_R661_R1699(void)
{
    static const uint32_t t[] = { RC_TAG_SUBJECT };
    rc_fx f;
    uint64_t fid, mid, mid2;
    uint32_t h;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hs, hv;
    uint16_t np;
    rc_problem *pp;
    uint8_t idx;
    rc_prop v = rc_pv_str(RC_TAG_SUBJECT, "changed read-only");
    rc_row row;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-readonly", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "original", NULL, &mid) == 0, "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, 0, mid);
    rc_req_set_props(&b, 0, 1, &v, 1);
    rc_req_save_changes_message(&b, 0, 0, 1, 0x02);
    REQUIREF(rc_fx_run(&f, &b, &x, "read-only Execute") == 0, "transport");
    REQUIREF(rc_rsp_open_message(&x.resp, &(rc_message_rsp){ 0 }) == 0,
             "RopOpenMessage: %s", rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_problems(&x.resp, RC_ROP_SET_PROPS, &hs, &np, &pp) == 0,
             "RopSetProperties response: %s", rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_save_changes_message(&x.resp, &hv, &idx, &mid2) == 0,
             "RopSaveChangesMessage response: %s", rc_resp_error(&x.resp));
    printf("\n    (read-only: RopSetProperties 0x%08X, "
           "RopSaveChangesMessage 0x%08X)", hs.rv, hv.rv);
    CHECKF(hs.rv == RC_EC_ACCESS_DENIED || hv.rv == RC_EC_ACCESS_DENIED,
           "R661: on a read-only message RopSetProperties gave 0x%08X and "
           "RopSaveChangesMessage 0x%08X; expected ecAccessDenied "
           "0x80070005 from one of them", hs.rv, hv.rv);
    rc_exec_free(&x);
    REQUIREF(rc_open_message_props(&f.s, h, fid, mid, t, 1, NULL, &row) == 0,
             "reopen: %s", f.s.error);
    CHECKF(str_is(rc_row_str(&row, RC_TAG_SUBJECT), "original"),
           "R661/R1699: a message opened read-only was changed: subject "
           "'%s'", str_or(rc_row_str(&row, RC_TAG_SUBJECT)));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopOpenMessage with the FolderId of another folder than the message's. */
static void test_open_message_other_folder_R333_R1477(void)
{
    static const uint32_t t[] = { RC_TAG_SUBJECT };
    rc_fx f;
    uint64_t fa, fb, mid;
    uint32_t ha, hb, rv;
    rc_row row;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-here", &fa, &ha) == 0, "setup");
    REQUIREF(mkfolder(&f, "msg-there", &fb, &hb) == 0, "setup");
    REQUIREF(mkmessage(&f, ha, fa, "lives here", NULL, &mid) == 0, "setup");
    rv = rc_open_message_props(&f.s, hb, fb, mid, t, 1, NULL, &row);
    CHECKF(rv == RC_EC_NOT_FOUND, "R333: RopOpenMessage of 0x%016llX with "
           "the FolderId of another folder gave 0x%08X, expected ecNotFound",
           (unsigned long long)mid, rv);
    rv = rc_open_message_props(&f.s, f.inbox, f.s.lo.fids[RC_FID_INBOX],
                               mid, t, 1, NULL, &row);
    CHECKF(rv == RC_EC_NOT_FOUND, "R333: RopOpenMessage of it through the "
           "Inbox gave 0x%08X, expected ecNotFound", rv);
    rv = rc_open_message_props(&f.s, ha, fa, mid, t, 1, NULL, &row);
    CHECKF(rv == 0, "the message does not open in its own folder (0x%08X)",
           rv);
out:
    rc_fx_close(&f);
}

/* RopLogon with the other user's ESSDN is refused, both ways round; after
 * it the refused LogonId serves nothing. */
static void test_logon_other_mailbox_OXCSTOR_R3905_R1346(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_logon_rsp lo;
    rc_head hd;
    uint64_t fid;
    const char *cls;
    mhc_client *o = NULL;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_req_logon(&b, 1, 1, RC_LOGON_PRIVATE, RC_OPEN_DEFAULT_PRIVATE,
                 H_OTHER_DN);
    rc_req_get_receive_folder(&b, 1, 1, "IPM.Note");
    REQUIREF(rc_fx_run(&f, &b, &x, "RopLogon (other)") == 0, "transport");
    REQUIREF(rc_rsp_logon(&x.resp, &lo) == 0, "RopLogon response: %s",
             rc_resp_error(&x.resp));
    CHECKF(lo.h.rv != 0, "[MS-OXCSTOR] R3905: demo logged on to %s",
           H_OTHER_DN);
    CHECKF(lo.h.rv == 0 || lo.h.rv == RC_EC_LOGIN_PERM ||
           lo.h.rv == RC_EC_PROFILE_NOT_CONFIGURED,
           "[MS-OXCSTOR] R1346: refused with 0x%08X", lo.h.rv);
    REQUIREF(rc_rsp_get_receive_folder(&x.resp, &hd, &fid, &cls) == 0,
             "the ROP after the refused logon: %s", rc_resp_error(&x.resp));
    CHECKF(hd.rv != 0, "a ROP on the refused logon's handle gave the "
           "Receive folder 0x%016llX of another mailbox",
           (unsigned long long)fid);
    rc_exec_free(&x);

    /* other, connected as itself, to demo's mailbox. */
    o = harness_client(&H, 1, MHC_AUTH_BASIC);
    REQUIREF(mhc_connect(o, H_OTHER_DN, NULL, NULL) == 0,
             "setup: Connect of other");
    rc_buf_init(&b, f.s.pool);
    rc_req_logon(&b, 0, 0, RC_LOGON_PRIVATE, RC_OPEN_DEFAULT_PRIVATE,
                 H_DEMO_DN);
    REQUIREF(rc_execute(o, &b, f.s.pool, &x) == 0, "RopLogon of other: %s",
             x.error);
    REQUIREF(rc_rsp_logon(&x.resp, &lo) == 0, "RopLogon response: %s",
             rc_resp_error(&x.resp));
    CHECKF(lo.h.rv != 0, "[MS-OXCSTOR] R3905: other logged on to %s",
           H_DEMO_DN);
out:
    rc_exec_free(&x);
    mhc_client_free(&o);
    rc_fx_close(&f);
}

/* ------------------------------------------------------- streams -- */

#define EC_STREAM_SEEK_ERROR    0x80030019u   /* StreamSeekError */
#define EC_STREAM_ACCESS_DENIED 0x80030005u   /* StreamAccessDenied */
#define EC_INVALID_BOOKMARK     0x80040405u   /* ecInvalidBookmark */

/* UTF-16LE of an ASCII string, without the NUL. */
static size_t utf16(const char *s, uint8_t *out)
{
    size_t n = 0;

    for (; *s; s++) {
        out[n++] = (uint8_t)*s;
        out[n++] = 0;
    }
    return n;
}

/* A stream on PidTagBody: prepopulated with the value, read from the seek
 * pointer, seeks (and the error before the start), size changes, a write
 * past the end that zero-fills; a read-only stream refuses writes; a
 * property that does not exist cannot be opened without Create; and
 * nothing of it is kept when the message is not saved. */
static void test_stream_semantics_OXCPRPT_R547_R555_R581_R583_R584_R57705(void)
{
    static const uint32_t body_tag[] = { RC_TAG_BODY };
    rc_fx f;
    uint64_t fid, mid;
    uint32_t h, size = 0, msg, strm;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd, hseek, hsz, hw;
    rc_bin d;
    uint64_t pos = 0, pos_bad = 0, pos_end = 0;
    uint16_t w = 0;
    uint8_t want[64], xy[8];
    size_t wn, xyn;
    rc_row row;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-stream", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "stream subject", "Hello stream", &mid)
                 == 0, "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, 1, mid);
    rc_req_open_stream(&b, 0, 1, 2, RC_TAG_BODY, 1);
    rc_req_read_stream(&b, 0, 2, 4, 0);
    rc_req_seek_stream(&b, 0, 2, 1, 0);
    rc_req_seek_stream(&b, 0, 2, 0, -2);
    rc_req_set_stream_size(&b, 0, 2, 8);
    rc_req_get_stream_size(&b, 0, 2);
    REQUIREF(rc_fx_run(&f, &b, &x, "stream Execute 1") == 0, "transport");
    REQUIREF(rc_rsp_open_message(&x.resp, &(rc_message_rsp){ 0 }) == 0,
             "RopOpenMessage: %s", rc_resp_error(&x.resp));
    REQUIREF(rc_rsp_open_stream(&x.resp, &hd, &size) == 0 && hd.rv == 0,
             "RopOpenStream(PidTagBody, ReadWrite): 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    CHECKF(size == 24, "[MS-OXCPRPT] R547/R27601: StreamSize %u for the body "
           "'Hello stream' (24 bytes of UTF-16)", size);
    REQUIREF(rc_rsp_read_stream(&x.resp, &hd, &d) == 0 && hd.rv == 0,
             "RopReadStream: 0x%08X (%s)", hd.rv, rc_resp_error(&x.resp));
    wn = utf16("He", want);
    CHECKF(d.len == wn && memcmp(d.data, want, wn) == 0,
           "[MS-OXCPRPT] R547/R555/R55206: the first 4 bytes of the stream "
           "(%zu read) are not 'He' in UTF-16", d.len);
    REQUIREF(rc_rsp_seek_stream(&x.resp, &hseek, &pos) == 0,
             "RopSeekStream: %s", rc_resp_error(&x.resp));
    CHECKF(hseek.rv == 0 && pos == 4, "[MS-OXCPRPT] R556/R581: seek pointer "
           "%llu after reading 4 bytes (0x%08X)", (unsigned long long)pos,
           hseek.rv);
    REQUIREF(rc_rsp_seek_stream(&x.resp, &hseek, &pos_bad) == 0,
             "RopSeekStream(-2): %s", rc_resp_error(&x.resp));
    CHECKF(hseek.rv == EC_STREAM_SEEK_ERROR, "[MS-OXCPRPT] R584: a seek to "
           "offset -2 gave 0x%08X, expected StreamSeekError 0x80030019",
           hseek.rv);
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_SET_STREAM_SIZE, &hsz) == 0,
             "RopSetStreamSize: %s", rc_resp_error(&x.resp));
    CHECKF(hsz.rv == 0, "[MS-OXCPRPT] R57705: RopSetStreamSize(8) gave "
           "0x%08X", hsz.rv);
    REQUIREF(rc_rsp_get_stream_size(&x.resp, &hd, &size) == 0 && hd.rv == 0,
             "RopGetStreamSize: 0x%08X (%s)", hd.rv, rc_resp_error(&x.resp));
    CHECKF(size == 8, "[MS-OXCPRPT] R575/R57707: StreamSize %u after "
           "RopSetStreamSize(8)", size);
    msg = rc_resp_handle(&x.resp, 1);
    strm = rc_resp_handle(&x.resp, 2);
    rc_exec_free(&x);

    /* Execute 2: 4 past the end, write "XY", read it all from the start. */
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, strm);
    xyn = utf16("XY", xy);
    rc_req_seek_stream(&b, 0, 0, 2, 4);
    rc_req_write_stream(&b, 0, 0, xy, (uint16_t)xyn);
    rc_req_get_stream_size(&b, 0, 0);
    rc_req_seek_stream(&b, 0, 0, 0, 0);
    rc_req_read_stream(&b, 0, 0, 100, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "stream Execute 2") == 0, "transport");
    REQUIREF(rc_rsp_seek_stream(&x.resp, &hd, &pos_end) == 0 && hd.rv == 0,
             "RopSeekStream(END, 4): 0x%08X", hd.rv);
    CHECKF(pos_end == 12, "[MS-OXCPRPT] R581: NewPosition %llu for END + 4 "
           "of an 8-byte stream", (unsigned long long)pos_end);
    REQUIREF(rc_rsp_write_stream(&x.resp, &hw, &w) == 0 && hw.rv == 0,
             "RopWriteStream: 0x%08X (%s)", hw.rv, rc_resp_error(&x.resp));
    CHECKF(w == xyn, "[MS-OXCPRPT] R560: WrittenSize %u of %zu", w, xyn);
    REQUIREF(rc_rsp_get_stream_size(&x.resp, &hd, &size) == 0 && hd.rv == 0,
             "RopGetStreamSize: 0x%08X", hd.rv);
    CHECKF(size == 16, "[MS-OXCPRPT] R583/R575: StreamSize %u after writing "
           "4 bytes at offset 12", size);
    REQUIREF(rc_rsp_seek_stream(&x.resp, &hd, &pos) == 0 && hd.rv == 0,
             "RopSeekStream(BEGINNING): 0x%08X", hd.rv);
    REQUIREF(rc_rsp_read_stream(&x.resp, &hd, &d) == 0 && hd.rv == 0,
             "RopReadStream: 0x%08X", hd.rv);
    wn = utf16("Hell", want);
    memset(want + wn, 0, 4);
    memcpy(want + wn + 4, xy, xyn);
    wn += 4 + xyn;
    CHECKF(d.len == wn && memcmp(d.data, want, wn) == 0,
           "[MS-OXCPRPT] R57707/R583: the stream (%zu bytes) is not 'Hell', "
           "four zero bytes, 'XY'", d.len);
    rc_exec_free(&x);

    /* Execute 3: a read-only stream on the subject refuses a write; a
     * property the message lacks needs Create. */
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, msg);
    rc_req_open_stream(&b, 0, 0, 1, RC_TAG_SUBJECT, 0);
    rc_req_write_stream(&b, 0, 1, xy, (uint16_t)xyn);
    rc_req_open_stream(&b, 0, 0, 2, 0x6077001F, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "stream Execute 3") == 0, "transport");
    REQUIREF(rc_rsp_open_stream(&x.resp, &hd, &size) == 0 && hd.rv == 0,
             "RopOpenStream(PidTagSubject, ReadOnly): 0x%08X", hd.rv);
    REQUIREF(rc_rsp_write_stream(&x.resp, &hw, &w) == 0,
             "RopWriteStream response: %s", rc_resp_error(&x.resp));
    CHECKF(hw.rv == EC_STREAM_ACCESS_DENIED && w == 0, "[MS-OXCPRPT] "
           "R900/R901: RopWriteStream on a read-only stream gave 0x%08X "
           "(WrittenSize %u), expected StreamAccessDenied 0x80030005",
           hw.rv, w);
    REQUIREF(rc_rsp_open_stream(&x.resp, &hd, &size) == 0,
             "RopOpenStream response: %s", rc_resp_error(&x.resp));
    CHECKF(hd.rv == RC_EC_NOT_FOUND, "[MS-OXCPRPT] R549: RopOpenStream "
           "(ReadOnly) of a property the message lacks gave 0x%08X, "
           "expected ecNotFound", hd.rv);
    rc_exec_free(&x);

    /* Nothing was saved: the body is what it was (R56402, R56403). */
    rc_release(&f.s, strm);
    rc_release(&f.s, msg);
    REQUIREF(rc_open_message_props(&f.s, h, fid, mid, body_tag, 1, NULL,
                                   &row) == 0, "reopen: %s", f.s.error);
    CHECKF(str_is(rc_row_str(&row, RC_TAG_BODY), "Hello stream"),
           "[MS-OXCPRPT] R56402/R56403: the body is '%s' although the "
           "message was never saved", str_or(rc_row_str(&row, RC_TAG_BODY)));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* Objects that do not exist: an attachment number, a recipient row, a
 * released handle, a freed bookmark, a name never registered. */
static void test_missing_objects_R440_R1055_R403_OXCTABL_R2481_OXCPRPT_R220(void)
{
    static const uint32_t cols[] = { RC_TAG_SUBJECT };
    rc_fx f;
    uint64_t fid, mid, mid2;
    uint32_t h, msg, table, count;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    rc_message_rsp m;
    uint8_t nr, st, gone, less;
    rc_recipient *rr;
    rc_bin bm = { NULL, 0 };
    int32_t sought;
    uint16_t n = 0, *ids;
    rc_propname nm;
    rc_recipient one[2];   /* roundtrip_recipients() fills two */

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-missing", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "no recipients", NULL, &mid) == 0,
             "setup");
    REQUIREF(mkmessage(&f, h, fid, "one recipient", NULL, &mid2) == 0,
             "setup");
    /* A recipient on the second message. */
    memset(one, 0, sizeof(one));
    roundtrip_recipients(f.s.pool, one);   /* only the first is sent */
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, 1, mid2);
    rc_req_modify_recipients(&b, 0, 1, recip_cols, 2, one, 1, NULL);
    rc_req_save_changes_message(&b, 0, 0, 1, 0x02);
    rc_req_release(&b, 0, 1);
    REQUIREF(rc_fx_run(&f, &b, &x, "recipient setup") == 0, "transport");
    rc_exec_free(&x);

    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, 0, mid);
    rc_req_open_attachment(&b, 0, 1, 2, 0, 7);
    rc_req_read_recipients(&b, 0, 1, 0);
    rc_req_open_message(&b, 0, 0, 3, 0x0FFF, fid, 0, mid2);
    rc_req_read_recipients(&b, 0, 3, 100);
    REQUIREF(rc_fx_run(&f, &b, &x, "missing Execute") == 0, "transport");
    REQUIREF(rc_rsp_open_message(&x.resp, &m) == 0 && m.h.rv == 0,
             "RopOpenMessage: 0x%08X", m.h.rv);
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_OPEN_ATTACHMENT, &hd) == 0,
             "RopOpenAttachment response: %s", rc_resp_error(&x.resp));
    CHECKF(hd.rv == RC_EC_NOT_FOUND, "R440: RopOpenAttachment of attachment "
           "7 of a message without attachments gave 0x%08X, expected "
           "ecNotFound", hd.rv);
    REQUIREF(rc_rsp_read_recipients(&x.resp, m.cols, m.ncols, &hd, &nr, &rr)
                 == 0, "RopReadRecipients response: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv == RC_EC_NOT_FOUND, "R403: RopReadRecipients on a message "
           "without recipients gave 0x%08X (%u rows), expected ecNotFound",
           hd.rv, nr);
    REQUIREF(rc_rsp_open_message(&x.resp, &m) == 0 && m.h.rv == 0,
             "RopOpenMessage (second): 0x%08X", m.h.rv);
    CHECKF(m.recipient_count == 1, "setup: %u recipients", m.recipient_count);
    REQUIREF(rc_rsp_read_recipients(&x.resp, m.cols, m.ncols, &hd, &nr, &rr)
                 == 0, "RopReadRecipients response: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv == RC_EC_NOT_FOUND, "R1055: RopReadRecipients from RowId "
           "100 of a one-recipient message gave 0x%08X (%u rows), expected "
           "ecNotFound", hd.rv, nr);
    msg = rc_resp_handle(&x.resp, 1);
    rc_exec_free(&x);

    /* A released handle is no object any more. */
    REQUIREF(rc_release(&f.s, msg) == 0, "RopRelease: %s", f.s.error);
    {
        rc_row row;
        uint32_t rv = rc_get_props(&f.s, msg, cols, 1, &row);
        CHECKF(rv == RC_EC_NULL_OBJECT, "[MS-OXCROPS] R4568/R457302: "
               "RopGetPropertiesSpecific on a released handle gave 0x%08X, "
               "expected ecNullObject 0x4B9", rv);
    }

    /* A freed bookmark. */
    REQUIREF(rc_get_contents_table(&f.s, h, 0, &table, &count) == 0,
             "RopGetContentsTable: %s", f.s.error);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_set_columns(&b, 0, 0, 0, cols, 1);
    rc_req_create_bookmark(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "bookmark") == 0, "transport");
    REQUIREF(rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &hd, &st) == 0
             && hd.rv == 0 && rc_rsp_create_bookmark(&x.resp, &hd, &bm) == 0
             && hd.rv == 0, "RopCreateBookmark: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    bm.data = apr_pmemdup(f.s.pool, bm.data, bm.len);
    rc_exec_free(&x);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_free_bookmark(&b, 0, 0, &bm);
    rc_req_seek_row_bookmark(&b, 0, 0, &bm, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "freed bookmark") == 0, "transport");
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_FREE_BOOKMARK, &hd) == 0 &&
             hd.rv == 0, "RopFreeBookmark: 0x%08X", hd.rv);
    REQUIREF(rc_rsp_seek_row_bookmark(&x.resp, &hd, &gone, &less, &sought)
                 == 0, "RopSeekRowBookmark response: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv == EC_INVALID_BOOKMARK, "[MS-OXCTABL] R2481: "
           "RopSeekRowBookmark with a freed bookmark gave 0x%08X, expected "
           "ecInvalidBookmark 0x80040405", hd.rv);
    rc_exec_free(&x);

    /* A name never registered, without MAPI_CREATE. */
    memset(&nm, 0, sizeof(nm));
    nm.kind = 1;
    memset(nm.guid, 0x5A, 16);
    nm.name = "never-registered-name";
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_get_ids_from_names(&b, 0, 0, 0x00, &nm, 1);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopGetPropertyIdsFromNames") == 0,
             "transport");
    REQUIREF(rc_rsp_get_ids_from_names_warn(&x.resp, &hd, &n, &ids) == 0,
             "RopGetPropertyIdsFromNames response: %s",
             rc_resp_error(&x.resp));
    printf("\n    (unknown name without MAPI_CREATE: ReturnValue 0x%08X)",
           hd.rv);
    CHECKF(hd.rv == 0 || hd.rv == RC_EC_WARN_WITH_ERRORS,
           "[MS-OXCPRPT] R220: an unknown name without MAPI_CREATE failed "
           "the ROP (0x%08X) instead of mapping to 0", hd.rv);
    CHECKF(rc_resp_left(&x.resp) == 0, "%zu bytes after the response",
           rc_resp_left(&x.resp));
    CHECKF(n == 1 && ids[0] == 0, "[MS-OXCPRPT] R220/R226: an unknown name "
           "without MAPI_CREATE mapped to %u ids, first 0x%04X; expected "
           "0x0000 (ReturnValue 0x%08X)", n, n ? ids[0] : 0, hd.rv);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* A message created but never saved, and a change to an open message
 * released without a save, leave the folder as it was ([MS-OXCPRPT]
 * R56403: values persist on RopSaveChangesMessage). */
static void test_unsaved_changes_dropped_OXCPRPT_R56403(void)
{
    static const uint32_t t[] = { RC_TAG_SUBJECT };
    rc_fx f;
    uint64_t fid, mid;
    uint32_t h;
    rc_buf b;
    rc_exec x = { 0 };
    rc_prop v = rc_pv_str(RC_TAG_SUBJECT, "never saved");
    rc_row row;
    const char *subj[8];
    int n;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "msg-unsaved", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "saved once", NULL, &mid) == 0, "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, fid, 0);
    rc_req_set_props(&b, 0, 1, &v, 1);
    rc_req_release(&b, 0, 1);
    rc_req_open_message(&b, 0, 0, 2, 0x0FFF, fid, 1, mid);
    rc_req_set_props(&b, 0, 2, &v, 1);
    rc_req_release(&b, 0, 2);
    REQUIREF(rc_fx_run(&f, &b, &x, "unsaved Execute") == 0, "transport");
    rc_exec_free(&x);
    n = subjects(&f, h, subj, 8);
    CHECKF(n == 1 && str_is(subj[0], "saved once"), "[MS-OXCPRPT] R56403: "
           "the folder has %d messages (first '%s') after an unsaved "
           "RopCreateMessage", n, n > 0 ? str_or(subj[0]) : "-");
    REQUIREF(rc_open_message_props(&f.s, h, fid, mid, t, 1, NULL, &row) == 0,
             "reopen: %s", f.s.error);
    CHECKF(str_is(rc_row_str(&row, RC_TAG_SUBJECT), "saved once"),
           "[MS-OXCPRPT] R56403: subject '%s' after a change released "
           "without a save", str_or(rc_row_str(&row, RC_TAG_SUBJECT)));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* A body over the store's inline limit (16 KiB of UTF-8: 7000 x U+20AC,
 * 21000 bytes, 14000 on the wire) is kept as a blob: the contents row
 * answers ecNotEnoughMemory for it ([MS-OXCPRPT] R2052) and its small
 * columns as usual, while RopGetPropertiesSpecific on the opened message
 * gives the whole body. */
static void test_large_body_row_OXCPRPT_R2052(void)
{
    static const uint32_t cols[] = { RC_TAG_SUBJECT, RC_TAG_BODY, RC_TAG_MID };
    static const uint32_t tags[] = { RC_TAG_BODY, RC_TAG_MESSAGE_SIZE };
    size_t n = 7000;
    char *body = calloc(1, n * 3 + 1);
    uint32_t h = 0, table, count;
    uint64_t fid = 0, mid = 0;
    rc_rows_rsp rows;
    const rc_prop *p;
    rc_row row;
    rc_fx f = { 0 };

    for (size_t i = 0; i < n; i++)
        memcpy(body + 3 * i, "\xE2\x82\xAC", 3);
    body[n * 3] = '\0';
    REQUIREF(rc_fx_open(&f, &H) == 0, "setup");
    REQUIREF(mkfolder(&f, "large body", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "large", body, &mid) == 0, "setup");
    REQUIREF(rc_get_contents_table(&f.s, h, 0, &table, &count) == 0 &&
             rc_query_table(&f.s, table, cols, 3, 8, &rows) == 0 &&
             rows.count == 1, "contents table: %s", f.s.error);
    CHECKF(str_is(rc_row_str(&rows.rows[0], RC_TAG_SUBJECT), "large") &&
           rc_row_u64(&rows.rows[0], RC_TAG_MID, 0) == mid,
           "small columns of the row: subject '%s'",
           str_or(rc_row_str(&rows.rows[0], RC_TAG_SUBJECT)));
    p = rc_row_find(&rows.rows[0], RC_TAG_BODY);
    CHECKF(rows.rows[0].flagged && p && p->type == RC_PT_ERROR &&
           p->v.u32 == 0x8007000Eu, "[MS-OXCPRPT] R2052: the large body "
           "column: flagged %u, type 0x%04X, value 0x%08X",
           rows.rows[0].flagged, p ? p->type : 0, p ? p->v.u32 : 0);
    rc_release(&f.s, table);
    REQUIREF(rc_open_message_props(&f.s, h, fid, mid, tags, 2, NULL, &row)
             == 0, "open: %s", f.s.error);
    /* RopGetPropertiesSpecific caps values at its own limit (R2052
     * again); PidTagMessageSize counts the blob. */
    p = rc_row_find(&row, RC_TAG_BODY);
    CHECKF(str_is(rc_row_str(&row, RC_TAG_BODY), body) ||
           (p && p->type == RC_PT_ERROR && p->v.u32 == 0x8007000Eu),
           "the opened message's body: neither the saved one nor "
           "ecNotEnoughMemory");
    CHECKF(rc_row_u32(&row, RC_TAG_MESSAGE_SIZE, 0) >= n * 3,
           "PidTagMessageSize %u of a message with a %zu-byte body",
           rc_row_u32(&row, RC_TAG_MESSAGE_SIZE, 0), n * 3);
out:
    free(body);
    rc_fx_close(&f);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ROPs: messages", suite_init, suite_cleanup);
    CU_add_test(s, "message with typed properties, recipients and a 100 KiB "
                   "attachment, read back by another session (R333 "
                   "[MS-OXCPRPT] R27601 R296)",
                test_message_round_trip_R333_OXCPRPT_R27601_R296);
    CU_add_test(s, "a large body: ecNotEnoughMemory in the contents row, "
                   "whole in the message ([MS-OXCPRPT] R2052)",
                test_large_body_row_OXCPRPT_R2052);
    CU_add_test(s, "contents table: columns, sort, restriction, pages, "
                   "position ([MS-OXCTABL] R117 R136 R138)",
                test_contents_sort_restrict_page_OXCTABL_R117_R136_R138);
    CU_add_test(s, "contents table: seek, bookmarks, find ([MS-OXCTABL] "
                   "R150 R153 R522)",
                test_contents_seek_bookmark_find_OXCTABL_R150_R153_R522);
    CU_add_test(s, "RopGetPropertiesAll/List, RopDeleteProperties "
                   "([MS-OXCPRPT] R93 R10001 R121)",
                test_props_all_list_delete_OXCPRPT_R93_R10001_R121);
    CU_add_test(s, "named properties: same id twice, names back "
                   "([MS-OXCPRPT] R216 R222 R238)",
                test_named_props_OXCPRPT_R216_R222_R238);
    CU_add_test(s, "RopMoveCopyMessages to Drafts ([MS-OXCFOLD] R144 R159 "
                   "R160)", test_move_copy_messages_OXCFOLD_R144_R159_R160);
    CU_add_test(s, "RopSetMessageReadFlag, RopSetReadFlags (R818 R822 R846 "
                   "[MS-OXCROPS] R2075)",
                test_read_flags_R818_R822_R846_OXCROPS_R2075);
    CU_add_test(s, "RopDeleteMessages ([MS-OXCFOLD] R282 R991)",
                test_delete_messages_OXCFOLD_R282_R991);
    CU_add_test(s, "read-only message refuses the save (R661 R1699)",
                test_read_only_refuses_save_R661_R1699);
    CU_add_test(s, "RopOpenMessage through another folder: ecNotFound "
                   "(R333 R1477)", test_open_message_other_folder_R333_R1477);
    CU_add_test(s, "RopLogon to the other user's mailbox is refused "
                   "([MS-OXCSTOR] R3905 R1346)",
                test_logon_other_mailbox_OXCSTOR_R3905_R1346);
    CU_add_test(s, "streams: prepopulated, seek, size, zero fill, "
                   "read-only, not saved ([MS-OXCPRPT] R547 R555 R581 R583 "
                   "R584 R57705)",
                test_stream_semantics_OXCPRPT_R547_R555_R581_R583_R584_R57705);
    CU_add_test(s, "objects that do not exist (R440 R1055 R403 [MS-OXCTABL] "
                   "R2481 [MS-OXCPRPT] R220)",
                test_missing_objects_R440_R1055_R403_OXCTABL_R2481_OXCPRPT_R220);
    CU_add_test(s, "unsaved changes are dropped ([MS-OXCPRPT] R56403)",
                test_unsaved_changes_dropped_OXCPRPT_R56403);
    return harness_run_tests();
}
