/*
 * test_rop_message.c: the message, attachment and stream ROP handlers
 * (mod_mapi/rop/rop_message.c, rop_stream.c) run through rop_execute
 * against a real store in a fresh environment.  Requests are built by
 * hand, responses checked byte by byte.  Requirement ids refer to
 * /work/shared/specs/MS-OXCMSG.md, MS-OXCROPS.md and MS-OXCPRPT.md.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "rop/rop.h"
#include "rop/rop_ids.h"
#include "rop/rop_logon.h"
#include "rop/rop_object.h"
#include "rop/rop_stream.h"
#include "store/store.h"
#include "session/sess_context.h"
#include "session/sess_objects.h"
#include "wire/mapi_tags.h"
#include "unit_env.h"

static apr_pool_t *pool;
static mapi_db *db;
static char dir[] = "/tmp/mapi-unit-msg-XXXXXX";
static cfg_mailbox mbx;
static uint8_t sid[SESS_ID_LEN];
static uint64_t inbox, outbox;
static uint32_t h_logon, h_inbox;

#define NH      8
#define NONE    0xFFFFFFFFu
#define CPID    0x04E4
#define MAX_OUT 0x8000

/* ---- environment ------------------------------------------------------ */

static rop_ctx *new_ctx(void)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);

    rop_ctx_set_env(ctx, db, sid, &mbx, "/o=test/ou=mod_mapi");
    rop_ctx_set_logon_flags(ctx, 0, ROP_LOGON_PRIVATE);
    return ctx;
}

/* The logon and Inbox objects every test starts from, made directly:
 * rop_obj_create outside rop_execute stores the object and returns its
 * handle (there is no handle table to put it in). */
static uint32_t make_object(rop_object *o)
{
    rop_ctx *ctx = new_ctx();

    if (rop_obj_create(ctx, o, 0) != 0)
        return NONE;
    return o->handle;
}

static int make_logon_and_inbox(void)
{
    rop_ctx *ctx = new_ctx();
    rop_object *lo = rop_obj_new(ctx, NULL, ROP_OBJ_LOGON), *fo;

    memcpy(lo->mbox, mbx.guid, STORE_GUID_LEN);
    lo->logon_flags = ROP_LOGON_PRIVATE;
    if ((h_logon = make_object(lo)) == NONE)
        return -1;
    fo = rop_obj_new(ctx, lo, ROP_OBJ_FOLDER);
    fo->fid = inbox;
    return (h_inbox = make_object(fo)) == NONE ? -1 : 0;
}

static int suite_init(void)
{
    const char *error = NULL;
    store_mailbox_info *mi;
    int i;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!(db = unit_env_open(pool, dir)))
        return -1;
    for (i = 0; i < 16; i++)
        mbx.guid[i] = (uint8_t)(0xA0 + i);
    mbx.name = "tester";
    mbx.display_name = "Test User";
    mbx.smtp = "tester@example.com";
    mbx.legacy_dn = "/o=test/ou=mod_mapi/cn=Recipients/cn=tester";
    if (store_mailbox_create(db, pool, mbx.guid, mbx.display_name, &error)
        != STORE_OK
        || store_mailbox_get(db, pool, mbx.guid, &mi, &error) != STORE_OK) {
        fprintf(stderr, "mailbox: %s\n", error ? error : "?");
        return -1;
    }
    inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    outbox = mi->folder_ids[STORE_FOLDER_OUTBOX];
    if (sess_random(sid) != 0)
        return -1;
    return make_logon_and_inbox();
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    unit_env_remove(dir);
    return 0;
}

/* ---- one Execute -------------------------------------------------------- */

typedef struct tx {
    mapi_wr req;                  /* the RopsList */
    uint32_t h[NH];               /* handle table in, then out */
    const uint8_t *resp;          /* the responses */
    size_t len, off;
    rop_result res;
} tx;

static void tx_begin(tx *t)
{
    int i;

    memset(t, 0, sizeof(*t));
    mapi_wr_init(&t->req, pool, 0x8000);
    for (i = 0; i < NH; i++)
        t->h[i] = NONE;
    t->h[0] = h_logon;
    t->h[1] = h_inbox;
}

/* RopSize, RopsList, handle table; then splits the output the same way
 * and keeps the handle table it returns. */
static int tx_run_max(tx *t, size_t max_out)
{
    mapi_wr in;
    mapi_rd rd;
    uint16_t rop_size;
    int i;

    mapi_wr_init(&in, pool, 0x10000);
    mapi_wr_u16(&in, (uint16_t)(2 + t->req.len));
    mapi_wr_bytes(&in, t->req.buf, t->req.len);
    for (i = 0; i < NH; i++)
        mapi_wr_u32(&in, t->h[i]);
    if (rop_execute(new_ctx(), in.buf, in.len, max_out, pool, &t->res)
        != ROP_OK)
        return -1;
    mapi_rd_init(&rd, t->res.out, t->res.out_len);
    if (mapi_rd_u16(&rd, &rop_size) < 0 || rop_size < 2
        || mapi_rd_view(&rd, rop_size - 2u, &t->resp) < 0)
        return -1;
    t->len = rop_size - 2u;
    for (i = 0; i < NH; i++)
        mapi_rd_u32(&rd, &t->h[i]);
    return rd.failed || mapi_rd_left(&rd) ? -1 : 0;
}

static int tx_run(tx *t)
{
    return tx_run_max(t, MAX_OUT);
}

static void dump(const char *what, const uint8_t *p, size_t n)
{
    size_t i;

    fprintf(stderr, "\n%s (%zu):", what, n);
    for (i = 0; i < n && i < 256; i++)
        fprintf(stderr, " %02X", p[i]);
    fprintf(stderr, "\n");
}

/* The next response bytes are exactly those of want. */
static int tx_expect(tx *t, const mapi_wr *want)
{
    if (t->len - t->off < want->len
        || memcmp(t->resp + t->off, want->buf, want->len) != 0) {
        dump("expected", want->buf, want->len);
        dump("got", t->resp + t->off, t->len - t->off);
        return 0;
    }
    t->off += want->len;
    return 1;
}

static int tx_done(const tx *t)
{
    return t->off == t->len;
}

static const uint8_t *tx_take(tx *t, size_t n)
{
    const uint8_t *p = t->resp + t->off;

    if (t->len - t->off < n)
        return NULL;
    t->off += n;
    return p;
}

/* ---- expected responses ------------------------------------------------- */

static mapi_wr *want_new(void)
{
    mapi_wr *w = apr_pcalloc(pool, sizeof(*w));

    mapi_wr_init(w, pool, 0x8000);
    return w;
}

/* RopId, index, ReturnValue: the whole of most responses. */
static mapi_wr *want_hdr(uint8_t rop, uint8_t index, uint32_t ec)
{
    mapi_wr *w = want_new();

    mapi_wr_u8(w, rop);
    mapi_wr_u8(w, index);
    mapi_wr_u32(w, ec);
    return w;
}

#define EXPECT(t, w) CU_ASSERT_TRUE(tx_expect((t), (w)))

/* ---- requests ----------------------------------------------------------- */

static void r_hdr(tx *t, uint8_t rop, uint8_t in)
{
    mapi_wr_u8(&t->req, rop);
    mapi_wr_u8(&t->req, 0);                  /* LogonId */
    mapi_wr_u8(&t->req, in);
}

static void r_create_message(tx *t, uint8_t in, uint8_t out, uint64_t fid)
{
    r_hdr(t, ROP_ID_CREATE_MESSAGE, in);
    mapi_wr_u8(&t->req, out);
    mapi_wr_u16(&t->req, CPID);
    mapi_wr_u64(&t->req, fid);
    mapi_wr_u8(&t->req, 0);                  /* AssociatedFlag */
}

static void r_open_message(tx *t, uint8_t in, uint8_t out, uint64_t fid,
                           uint8_t mode, uint64_t mid)
{
    r_hdr(t, ROP_ID_OPEN_MESSAGE, in);
    mapi_wr_u8(&t->req, out);
    mapi_wr_u16(&t->req, CPID);
    mapi_wr_u64(&t->req, fid);
    mapi_wr_u8(&t->req, mode);
    mapi_wr_u64(&t->req, mid);
}

/* RopSetProperties with one PtypString value. */
static void r_set_string(tx *t, uint8_t in, uint32_t tag, const char *s)
{
    mapi_wr v;

    mapi_wr_init(&v, pool, 0x4000);
    mapi_wr_u32(&v, tag);
    mapi_wr_str16(&v, s);
    r_hdr(t, ROP_ID_SET_PROPERTIES, in);
    mapi_wr_u16(&t->req, (uint16_t)(v.len + 2));
    mapi_wr_u16(&t->req, 1);
    mapi_wr_bytes(&t->req, v.buf, v.len);
}

/* The RecipientRow this test sends and expects back for an SMTP
 * recipient: NoType with AddressType (O), E, D, Unicode. */
#define RECIP_FLAGS (ROP_RECIP_O | ROP_RECIP_E | ROP_RECIP_D | ROP_RECIP_U)

static void recip_fields(mapi_wr *w, const char *email, const char *name)
{
    mapi_wr_u16(w, RECIP_FLAGS);
    mapi_wr_str8(w, "SMTP");
    mapi_wr_str16(w, email);
    mapi_wr_str16(w, name);
}

static void r_modify_recipient(tx *t, uint8_t in, uint32_t row_id,
                               const char *email, const char *name)
{
    mapi_wr row;

    mapi_wr_init(&row, pool, 0x4000);
    recip_fields(&row, email, name);
    mapi_wr_u16(&row, 1);                    /* RecipientColumnCount */
    mapi_wr_u8(&row, ROP_ROW_STANDARD);
    mapi_wr_str16(&row, email);              /* PidTagSmtpAddress */
    r_hdr(t, ROP_ID_MODIFY_RECIPIENTS, in);
    mapi_wr_u16(&t->req, 1);
    mapi_wr_u32(&t->req, PidTagSmtpAddress);
    mapi_wr_u16(&t->req, 1);
    mapi_wr_u32(&t->req, row_id);
    mapi_wr_u8(&t->req, 1);                  /* To */
    mapi_wr_u16(&t->req, (uint16_t)row.len);
    mapi_wr_bytes(&t->req, row.buf, row.len);
}

static void r_delete_recipient(tx *t, uint8_t in, uint32_t row_id)
{
    r_hdr(t, ROP_ID_MODIFY_RECIPIENTS, in);
    mapi_wr_u16(&t->req, 0);
    mapi_wr_u16(&t->req, 1);
    mapi_wr_u32(&t->req, row_id);
    mapi_wr_u8(&t->req, 1);
    mapi_wr_u16(&t->req, 0);                 /* RecipientRowSize 0 */
}

static void r_in_out(tx *t, uint8_t rop, uint8_t in, uint8_t out)
{
    r_hdr(t, rop, in);
    mapi_wr_u8(&t->req, out);
}

static void r_save(tx *t, uint8_t rop, uint8_t resp, uint8_t in)
{
    mapi_wr_u8(&t->req, rop);
    mapi_wr_u8(&t->req, 0);
    mapi_wr_u8(&t->req, resp);
    mapi_wr_u8(&t->req, in);
    mapi_wr_u8(&t->req, 0x02);               /* KeepOpenReadWrite */
}

static void r_open_stream(tx *t, uint8_t in, uint8_t out, uint32_t tag,
                          uint8_t mode)
{
    r_in_out(t, ROP_ID_OPEN_STREAM, in, out);
    mapi_wr_u32(&t->req, tag);
    mapi_wr_u8(&t->req, mode);
}

static void r_write_stream(tx *t, uint8_t rop, uint8_t in, const void *data,
                           uint16_t n)
{
    r_hdr(t, rop, in);
    mapi_wr_u16(&t->req, n);
    mapi_wr_bytes(&t->req, data, n);
}

static void r_read_stream(tx *t, uint8_t in, uint16_t n)
{
    r_hdr(t, ROP_ID_READ_STREAM, in);
    mapi_wr_u16(&t->req, n);
}

static void r_seek(tx *t, uint8_t in, uint8_t origin, int64_t off)
{
    r_hdr(t, ROP_ID_SEEK_STREAM, in);
    mapi_wr_u8(&t->req, origin);
    mapi_wr_u64(&t->req, (uint64_t)off);
}

static void r_u32(tx *t, uint8_t rop, uint8_t in, uint32_t v)
{
    r_hdr(t, rop, in);
    mapi_wr_u32(&t->req, v);
}

static void r_read_recipients(tx *t, uint8_t in, uint32_t row_id)
{
    r_u32(t, ROP_ID_READ_RECIPIENTS, in, row_id);
    mapi_wr_u16(&t->req, 0);
}

static void r_open_attachment(tx *t, uint8_t in, uint8_t out, uint8_t flags,
                              uint32_t num)
{
    r_in_out(t, ROP_ID_OPEN_ATTACHMENT, in, out);
    mapi_wr_u8(&t->req, flags);
    mapi_wr_u32(&t->req, num);
}

static void r_open_embedded(tx *t, uint8_t in, uint8_t out, uint8_t mode)
{
    r_in_out(t, ROP_ID_OPEN_EMBEDDED_MESSAGE, in, out);
    mapi_wr_u16(&t->req, CPID);
    mapi_wr_u8(&t->req, mode);
}

/* ---- expected pieces ---------------------------------------------------- */

/* The recipient columns the server offers (rop_message.c), when the
 * recipients carry nothing beyond them. */
static const uint32_t base_cols[] = {
    PidTagSmtpAddress, PidTagDisplayType, PidTagEntryId, PidTagSearchKey,
    PidTagRecipientFlags, PidTagRecipientTrackStatus, PidTagRecipientOrder,
    PidTagRecipientDisplayName, PidTagRecipientEntryId, PidTagSendRichInfo,
};
#define N_BASE (sizeof(base_cols) / sizeof(base_cols[0]))

/* RecipientRow ([MS-OXCDATA] 2.8.3.2) of an SMTP recipient: only the SMTP
 * address column has a value, so it is a FlaggedPropertyRow. */
static void want_recipient_row(mapi_wr *w, const char *email,
                               const char *name)
{
    size_t i;

    recip_fields(w, email, name);
    mapi_wr_u16(w, N_BASE);
    mapi_wr_u8(w, ROP_ROW_FLAGGED);
    mapi_wr_u8(w, 0x00);
    mapi_wr_str16(w, email);
    for (i = 1; i < N_BASE; i++) {
        mapi_wr_u8(w, 0x0A);
        mapi_wr_u32(w, ecNotFound);
    }
}

/* OpenRecipientRow ([MS-OXCROPS] 2.2.6.1.2.1, R1724-R1735). */
static void want_open_row(mapi_wr *w, const char *email, const char *name)
{
    mapi_wr row;

    mapi_wr_init(&row, pool, 0x4000);
    want_recipient_row(&row, email, name);
    mapi_wr_u8(w, 1);                        /* RecipientType To */
    mapi_wr_u16(w, CPID);
    mapi_wr_u16(w, 0);                       /* Reserved (R1730) */
    mapi_wr_u16(w, (uint16_t)row.len);
    mapi_wr_bytes(w, row.buf, row.len);
}

/* The summary after ReturnValue of RopOpenMessage & co. for a message
 * with a subject (no prefix) and recipients as given. */
static void want_summary(mapi_wr *w, const char *subject, unsigned n,
                         const char **emails, const char **names)
{
    size_t i;

    mapi_wr_u8(w, 0);                        /* HasNamedProperties */
    mapi_wr_u8(w, 0x00);                     /* SubjectPrefix: none */
    if (subject) {
        mapi_wr_u8(w, 0x04);
        mapi_wr_str16(w, subject);
    } else {
        mapi_wr_u8(w, 0x00);
    }
    mapi_wr_u16(w, (uint16_t)n);
    mapi_wr_u16(w, N_BASE);
    for (i = 0; i < N_BASE; i++)
        mapi_wr_u32(w, base_cols[i]);
    mapi_wr_u8(w, (uint8_t)n);
    for (i = 0; i < n; i++)
        want_open_row(w, emails[i], names[i]);
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ---- a saved message to work on ----------------------------------------- */

static const uint8_t att_data[] = "attachment bytes";
#define ATT_LEN ((uint16_t)(sizeof(att_data) - 1))

/* Creates, fills and saves a message in the Inbox through the ROPs:
 * subject, one recipient, one attachment with data written through a
 * stream.  Checks every response and returns the MID (0 on failure). */
static uint64_t make_message(const char *subject)
{
    const uint8_t *mid;
    mapi_wr *w;
    tx t;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_set_string(&t, 2, PidTagSubject, subject);
    r_modify_recipient(&t, 2, 0, "bob@example.com", "Bob");
    r_in_out(&t, ROP_ID_CREATE_ATTACHMENT, 2, 3);
    r_open_stream(&t, 3, 4, PidTagAttachDataBinary, 0x02 /* Create */);
    r_write_stream(&t, ROP_ID_WRITE_STREAM, 4, att_data, ATT_LEN);
    r_hdr(&t, ROP_ID_COMMIT_STREAM, 4);
    r_save(&t, ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 3);
    r_save(&t, ROP_ID_SAVE_CHANGES_MESSAGE, 1, 2);
    if (tx_run(&t) < 0)
        return 0;
    /* R1773: HasMessageId 0, no MessageId before the save. */
    w = want_hdr(ROP_ID_CREATE_MESSAGE, 2, 0);
    mapi_wr_u8(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_SET_PROPERTIES, 2, 0);
    mapi_wr_u16(w, 0);                       /* PropertyProblemCount */
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 2, 0));
    w = want_hdr(ROP_ID_CREATE_ATTACHMENT, 3, 0);
    mapi_wr_u32(w, 0);                       /* AttachmentID */
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_OPEN_STREAM, 4, 0);
    mapi_wr_u32(w, 0);                       /* StreamSize */
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_WRITE_STREAM, 4, 0);
    mapi_wr_u16(w, ATT_LEN);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_COMMIT_STREAM, 4, 0));
    EXPECT(&t, want_hdr(ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 0));
    /* R1809-R1819: ResponseHandleIndex, InputHandleIndex, MessageId. */
    w = want_hdr(ROP_ID_SAVE_CHANGES_MESSAGE, 1, 0);
    mapi_wr_u8(w, 2);
    EXPECT(&t, w);
    mid = tx_take(&t, 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mid);
    CU_ASSERT(tx_done(&t));
    CU_ASSERT(get_u64(mid) != 0);
    return get_u64(mid);
}

/* ---- tests ------------------------------------------------------------- */

/* Create, fill, save; then open again and read everything back. */
static void test_create_save_reopen(void)
{
    const char *emails[] = { "bob@example.com" };
    const char *names[] = { "Bob" };
    uint64_t mid = make_message("Hello");
    mapi_wr *w;
    tx t;

    CU_ASSERT_FATAL(mid != 0);
    tx_begin(&t);
    r_open_message(&t, 1, 2, inbox, 0x00, mid);
    r_read_recipients(&t, 2, 0);
    r_hdr(&t, ROP_ID_GET_VALID_ATTACHMENTS, 2);
    r_open_attachment(&t, 2, 3, 0x00, 0);
    r_open_stream(&t, 3, 4, PidTagAttachDataBinary, 0x00);
    r_read_stream(&t, 4, 0x100);
    r_read_stream(&t, 4, 0x100);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    w = want_hdr(ROP_ID_OPEN_MESSAGE, 2, 0);
    want_summary(w, "Hello", 1, emails, names);
    EXPECT(&t, w);
    /* R1906-R1933: RowCount, then ReadRecipientRow with its RowId. */
    w = want_hdr(ROP_ID_READ_RECIPIENTS, 2, 0);
    mapi_wr_u8(w, 1);
    mapi_wr_u32(w, 0);
    want_open_row(w, emails[0], names[0]);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_GET_VALID_ATTACHMENTS, 2, 0);
    mapi_wr_u16(w, 1);
    mapi_wr_u32(w, 0);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_OPEN_ATTACHMENT, 3, 0));
    w = want_hdr(ROP_ID_OPEN_STREAM, 4, 0);
    mapi_wr_u32(w, ATT_LEN);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_READ_STREAM, 4, 0);
    mapi_wr_u16(w, ATT_LEN);
    mapi_wr_bytes(w, att_data, ATT_LEN);
    EXPECT(&t, w);
    /* [MS-OXCPRPT] R556: the pointer moved; nothing is left. */
    w = want_hdr(ROP_ID_READ_STREAM, 4, 0);
    mapi_wr_u16(w, 0);
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
}

/* [MS-OXCMSG] R339: nothing reaches the store before the save. */
static void test_R339_unsaved_message_not_in_store(void)
{
    const char *error = NULL;
    apr_array_header_t *before, *after;
    tx t;

    CU_ASSERT_FATAL(store_folder_list(db, pool, mbx.guid, inbox,
                    STORE_LIST_MESSAGES, &before, &error) == STORE_OK);
    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_set_string(&t, 2, PidTagSubject, "never saved");
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    CU_ASSERT_FATAL(store_folder_list(db, pool, mbx.guid, inbox,
                    STORE_LIST_MESSAGES, &after, &error) == STORE_OK);
    CU_ASSERT_EQUAL(after->nelts, before->nelts);
}

/* A message opened ReadOnly refuses every change. */
static void test_read_only_refuses_writes(void)
{
    uint64_t mid = make_message("read only");
    tx t;

    CU_ASSERT_FATAL(mid != 0);
    tx_begin(&t);
    r_open_message(&t, 1, 2, inbox, 0x00, mid);
    r_modify_recipient(&t, 2, 1, "eve@example.com", "Eve");
    r_u32(&t, ROP_ID_REMOVE_ALL_RECIPIENTS, 2, 0);
    r_in_out(&t, ROP_ID_CREATE_ATTACHMENT, 2, 3);
    r_u32(&t, ROP_ID_DELETE_ATTACHMENT, 2, 0);
    r_open_stream(&t, 2, 4, PidTagBody, 0x01);
    r_open_attachment(&t, 2, 3, 0x01, 0);    /* ReadWrite (R442) */
    r_save(&t, ROP_ID_SAVE_CHANGES_MESSAGE, 1, 2);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    t.off = 0;
    CU_ASSERT_EQUAL(t.resp[0], ROP_ID_OPEN_MESSAGE);
    t.off = t.len - 7 * 6;
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 2, ecAccessDenied));
    EXPECT(&t, want_hdr(ROP_ID_REMOVE_ALL_RECIPIENTS, 2, ecAccessDenied));
    EXPECT(&t, want_hdr(ROP_ID_CREATE_ATTACHMENT, 3, ecAccessDenied));
    EXPECT(&t, want_hdr(ROP_ID_DELETE_ATTACHMENT, 2, ecAccessDenied));
    EXPECT(&t, want_hdr(ROP_ID_OPEN_STREAM, 4, ecAccessDenied));
    EXPECT(&t, want_hdr(ROP_ID_OPEN_ATTACHMENT, 3, ecAccessDenied));
    EXPECT(&t, want_hdr(ROP_ID_SAVE_CHANGES_MESSAGE, 1, ecAccessDenied));
    CU_ASSERT(tx_done(&t));
    /* No handle was filled by the refused opens. */
    CU_ASSERT_EQUAL(t.h[3], NONE);
    CU_ASSERT_EQUAL(t.h[4], NONE);
}

/* [MS-OXCMSG] R1493, R1982, R1057: a slot with no object is
 * ecNullObject; [MS-OXCMSG] R467: the wrong object is ecNotSupported. */
static void test_R1982_bad_handle_and_wrong_type(void)
{
    tx t;

    tx_begin(&t);
    t.h[5] = 0x7FFFFFF0u;                    /* a handle nobody has */
    r_modify_recipient(&t, 6, 1, "x@example.com", "X");
    r_read_recipients(&t, 5, 0);
    r_u32(&t, ROP_ID_REMOVE_ALL_RECIPIENTS, 1, 0);  /* a folder */
    r_save(&t, ROP_ID_SAVE_CHANGES_ATTACHMENT, 1, 1);
    r_open_stream(&t, 0, 2, PidTagBody, 0x00);     /* the logon */
    r_read_stream(&t, 1, 10);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 6, ecNullObject));
    EXPECT(&t, want_hdr(ROP_ID_READ_RECIPIENTS, 5, ecNullObject));
    EXPECT(&t, want_hdr(ROP_ID_REMOVE_ALL_RECIPIENTS, 1, ecNotSupported));
    EXPECT(&t, want_hdr(ROP_ID_SAVE_CHANGES_ATTACHMENT, 1, ecNotSupported));
    EXPECT(&t, want_hdr(ROP_ID_OPEN_STREAM, 2, ecNotSupported));
    {
        mapi_wr *w = want_hdr(ROP_ID_READ_STREAM, 1, ecNotSupported);

        mapi_wr_u16(w, 0);                   /* DataSize 0 (R886) */
        EXPECT(&t, w);
    }
    CU_ASSERT(tx_done(&t));
}

/* An unknown message id, or a message opened through another folder,
 * is ecNotFound. */
static void test_open_message_not_found(void)
{
    uint64_t mid = make_message("elsewhere");
    rop_ctx *ctx = new_ctx();
    rop_object *fo = rop_obj_new(ctx, NULL, ROP_OBJ_FOLDER);
    tx t;

    CU_ASSERT_FATAL(mid != 0);
    memcpy(fo->mbox, mbx.guid, STORE_GUID_LEN);
    fo->parent = h_logon;
    fo->fid = outbox;
    tx_begin(&t);
    t.h[5] = make_object(fo);
    r_open_message(&t, 1, 2, inbox, 0x00, store_id_make(1, 0x7FFFFF));
    r_open_message(&t, 5, 2, outbox, 0x00, mid);
    r_open_message(&t, 1, 2, outbox, 0x00, mid);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    EXPECT(&t, want_hdr(ROP_ID_OPEN_MESSAGE, 2, ecNotFound));
    EXPECT(&t, want_hdr(ROP_ID_OPEN_MESSAGE, 2, ecNotFound));
    EXPECT(&t, want_hdr(ROP_ID_OPEN_MESSAGE, 2, ecNotFound));
    CU_ASSERT(tx_done(&t));
    CU_ASSERT_EQUAL(t.h[2], NONE);
}

/* [MS-OXCMSG] R389-R393: rows by RowId are added, replaced and deleted;
 * R403: no recipients is ecNotFound; R1055: nor an unknown RowId. */
static void test_R391_modify_recipients_by_row_id(void)
{
    const char *emails[] = { "carol@example.com", "dave@example.com" };
    const char *names[] = { "Carol", "Dave" };
    mapi_wr *w;
    tx t;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_read_recipients(&t, 2, 0);
    r_modify_recipient(&t, 2, 3, "x@example.com", "X");
    r_modify_recipient(&t, 2, 1, "carol@example.com", "Carol");
    r_modify_recipient(&t, 2, 3, "dave@example.com", "Dave");   /* replace */
    r_modify_recipient(&t, 2, 7, "gone@example.com", "Gone");
    r_delete_recipient(&t, 2, 7);
    r_read_recipients(&t, 2, 7);
    r_read_recipients(&t, 2, 3);
    r_hdr(&t, ROP_ID_RELOAD_CACHED_INFORMATION, 2);
    mapi_wr_u16(&t.req, 0);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    t.off = 7;                               /* past RopCreateMessage */
    EXPECT(&t, want_hdr(ROP_ID_READ_RECIPIENTS, 2, ecNotFound));
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 2, 0));
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 2, 0));
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 2, 0));
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 2, 0));
    EXPECT(&t, want_hdr(ROP_ID_MODIFY_RECIPIENTS, 2, 0));
    EXPECT(&t, want_hdr(ROP_ID_READ_RECIPIENTS, 2, ecNotFound));
    w = want_hdr(ROP_ID_READ_RECIPIENTS, 2, 0);
    mapi_wr_u8(w, 1);                        /* from RowId 3 on (R401) */
    mapi_wr_u32(w, 3);
    want_open_row(w, emails[1], names[1]);
    EXPECT(&t, w);
    /* R1956-R1983: the RopOpenMessage summary, RowId order. */
    w = want_hdr(ROP_ID_RELOAD_CACHED_INFORMATION, 2, 0);
    want_summary(w, NULL, 2, emails, names);
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
}

/* Streams on a string property hold UTF-16LE; size, seek, set size,
 * commit into the working copy ([MS-OXCPRPT] 3.2.5.11-3.2.5.18). */
static void test_string_stream(void)
{
    static const uint8_t hi16[] = { 'H', 0, 'i', 0 };
    static const uint8_t z4[] = { 'H', 0, 'i', 0, 0, 0, 0, 0 };
    mapi_wr *w;
    tx t;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_open_stream(&t, 2, 3, PidTagBody, 0x00);    /* R549: NotFound */
    r_open_stream(&t, 2, 3, PidTagBody, 0x01);
    r_write_stream(&t, ROP_ID_WRITE_STREAM, 3, hi16, 4);
    r_hdr(&t, ROP_ID_GET_STREAM_SIZE, 3);
    r_seek(&t, 3, 0, 0);
    r_read_stream(&t, 3, 2);
    r_hdr(&t, ROP_ID_SET_STREAM_SIZE, 3);
    mapi_wr_u64(&t.req, 8);                       /* R57706: zeros */
    r_seek(&t, 3, 2, -8);
    r_read_stream(&t, 3, 0x100);
    r_seek(&t, 3, 3, 0);                          /* R902 */
    r_seek(&t, 3, 1, -100);                       /* R584 */
    r_hdr(&t, ROP_ID_COMMIT_STREAM, 3);
    r_open_stream(&t, 2, 4, PidTagBody, 0x00);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    t.off = 7;
    EXPECT(&t, want_hdr(ROP_ID_OPEN_STREAM, 3, ecNotFound));
    w = want_hdr(ROP_ID_OPEN_STREAM, 3, 0);
    mapi_wr_u32(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_WRITE_STREAM, 3, 0);
    mapi_wr_u16(w, 4);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_GET_STREAM_SIZE, 3, 0);
    mapi_wr_u32(w, 4);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_SEEK_STREAM, 3, 0);
    mapi_wr_u64(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_READ_STREAM, 3, 0);       /* R55206: ByteCount */
    mapi_wr_u16(w, 2);
    mapi_wr_bytes(w, hi16, 2);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_SET_STREAM_SIZE, 3, 0));
    w = want_hdr(ROP_ID_SEEK_STREAM, 3, 0);
    mapi_wr_u64(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_READ_STREAM, 3, 0);
    mapi_wr_u16(w, 8);
    mapi_wr_bytes(w, z4, 8);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_SEEK_STREAM, 3, ecStreamInvalidParam));
    EXPECT(&t, want_hdr(ROP_ID_SEEK_STREAM, 3, ecStreamSeekError));
    EXPECT(&t, want_hdr(ROP_ID_COMMIT_STREAM, 3, 0));
    /* R571: the property now holds the string (up to its NUL). */
    w = want_hdr(ROP_ID_OPEN_STREAM, 4, 0);
    mapi_wr_u32(w, 4);
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
}

/* [MS-OXCPRPT] R900: a ReadOnly stream refuses writes; RopCopyToStream
 * copies between two streams and names a missing destination (R593). */
static void test_R900_stream_access_and_copy(void)
{
    static const uint8_t abc[] = { 'a', 'b', 'c', 'd' };
    mapi_wr *w;
    tx t;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_open_stream(&t, 2, 3, PidTagHtml, 0x02);
    r_write_stream(&t, ROP_ID_WRITE_STREAM_EXTENDED, 3, abc, 4);
    r_hdr(&t, ROP_ID_COMMIT_STREAM, 3);
    r_open_stream(&t, 2, 4, PidTagHtml, 0x00);
    r_write_stream(&t, ROP_ID_WRITE_STREAM, 4, abc, 4);
    r_open_stream(&t, 2, 5, PidTagRtfCompressed, 0x02);
    r_hdr(&t, ROP_ID_COPY_TO_STREAM, 4);
    mapi_wr_u8(&t.req, 5);
    mapi_wr_u64(&t.req, 3);
    r_hdr(&t, ROP_ID_COPY_TO_STREAM, 4);
    mapi_wr_u8(&t.req, 6);                        /* empty slot */
    mapi_wr_u64(&t.req, 3);
    r_seek(&t, 5, 0, 0);
    r_read_stream(&t, 5, 0x100);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    t.off = 7;
    w = want_hdr(ROP_ID_OPEN_STREAM, 3, 0);
    mapi_wr_u32(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_WRITE_STREAM_EXTENDED, 3, 0);
    mapi_wr_u32(w, 4);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_COMMIT_STREAM, 3, 0));
    w = want_hdr(ROP_ID_OPEN_STREAM, 4, 0);
    mapi_wr_u32(w, 4);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_WRITE_STREAM, 4, ecStreamAccessDenied);
    mapi_wr_u16(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_OPEN_STREAM, 5, 0);
    mapi_wr_u32(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_COPY_TO_STREAM, 4, 0);    /* R591, R592 */
    mapi_wr_u64(w, 3);
    mapi_wr_u64(w, 3);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_COPY_TO_STREAM, 4, ROP_EC_DST_NULL_OBJECT);
    mapi_wr_u32(w, 6);                            /* DestHandleIndex */
    mapi_wr_zero(w, 16);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_SEEK_STREAM, 5, 0);
    mapi_wr_u64(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_READ_STREAM, 5, 0);
    mapi_wr_u16(w, 3);
    mapi_wr_bytes(w, abc, 3);
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
}

/* [MS-OXCMSG] 3.2.5.16, R481: an embedded message is created on an
 * attachment, saved into it, and comes back with the outer message. */
static void test_R481_embedded_message(void)
{
    const uint8_t *mid;
    mapi_wr *w;
    tx t;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_in_out(&t, ROP_ID_CREATE_ATTACHMENT, 2, 3);
    r_open_embedded(&t, 3, 4, 0x00);              /* none yet */
    r_open_embedded(&t, 3, 4, 0x02);              /* Create */
    r_set_string(&t, 4, PidTagSubject, "inner");
    r_save(&t, ROP_ID_SAVE_CHANGES_MESSAGE, 4, 4);
    r_save(&t, ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 3);
    r_save(&t, ROP_ID_SAVE_CHANGES_MESSAGE, 1, 2);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    t.off = 7 + 10;
    EXPECT(&t, want_hdr(ROP_ID_OPEN_EMBEDDED_MESSAGE, 4, ecNotFound));
    /* R2248-R2279: Reserved, MessageId, then the summary. */
    w = want_hdr(ROP_ID_OPEN_EMBEDDED_MESSAGE, 4, 0);
    mapi_wr_u8(w, 0);
    mapi_wr_u64(w, 0);
    want_summary(w, NULL, 0, NULL, NULL);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_SET_PROPERTIES, 4, 0);
    mapi_wr_u16(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_SAVE_CHANGES_MESSAGE, 4, 0);
    mapi_wr_u8(w, 4);
    mapi_wr_u64(w, 0);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 0));
    w = want_hdr(ROP_ID_SAVE_CHANGES_MESSAGE, 1, 0);
    mapi_wr_u8(w, 2);
    EXPECT(&t, w);
    mid = tx_take(&t, 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mid);
    CU_ASSERT(tx_done(&t));

    tx_begin(&t);
    r_open_message(&t, 1, 2, inbox, 0x01, get_u64(mid));
    r_open_attachment(&t, 2, 3, 0x00, 0);
    r_open_embedded(&t, 3, 4, 0x00);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    w = want_hdr(ROP_ID_OPEN_MESSAGE, 2, 0);
    want_summary(w, NULL, 0, NULL, NULL);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_OPEN_ATTACHMENT, 3, 0));
    w = want_hdr(ROP_ID_OPEN_EMBEDDED_MESSAGE, 4, 0);
    mapi_wr_u8(w, 0);
    mapi_wr_u64(w, 0);
    want_summary(w, "inner", 0, NULL, NULL);
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
}

/* Attachments: numbers count up (R448), deletion (R1063, R1523). */
static void test_R1063_attachments(void)
{
    mapi_wr *w;
    tx t;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_in_out(&t, ROP_ID_CREATE_ATTACHMENT, 2, 3);
    r_save(&t, ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 3);
    r_in_out(&t, ROP_ID_CREATE_ATTACHMENT, 2, 4);
    r_save(&t, ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 4);
    r_u32(&t, ROP_ID_DELETE_ATTACHMENT, 2, 0);
    r_u32(&t, ROP_ID_DELETE_ATTACHMENT, 2, 0);
    r_hdr(&t, ROP_ID_GET_VALID_ATTACHMENTS, 2);
    r_open_attachment(&t, 2, 5, 0x00, 9);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    t.off = 7;
    w = want_hdr(ROP_ID_CREATE_ATTACHMENT, 3, 0);
    mapi_wr_u32(w, 0);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 0));
    w = want_hdr(ROP_ID_CREATE_ATTACHMENT, 4, 0);
    mapi_wr_u32(w, 1);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_SAVE_CHANGES_ATTACHMENT, 2, 0));
    EXPECT(&t, want_hdr(ROP_ID_DELETE_ATTACHMENT, 2, 0));
    EXPECT(&t, want_hdr(ROP_ID_DELETE_ATTACHMENT, 2, ecNotFound));
    w = want_hdr(ROP_ID_GET_VALID_ATTACHMENTS, 2, 0);
    mapi_wr_u16(w, 1);
    mapi_wr_u32(w, 1);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_OPEN_ATTACHMENT, 5, ecNotFound));  /* R440 */
    CU_ASSERT(tx_done(&t));
}

static uint32_t stored_flags(uint64_t mid, uint32_t tag)
{
    const char *error = NULL;
    const rop_propval *v;
    store_message *m;

    if (store_message_get(db, pool, mbx.guid, mid, &m, &error) != STORE_OK)
        return 0xDEADBEEFu;
    v = store_props_get(&m->props, tag);
    return v ? v->v.l : 0;
}

/* [MS-OXCMSG] R416, R1501: status bits under the mask, committed at once;
 * R822, R1514: read flags on messages by id, PartialCompletion for the
 * ones that are not there; R1841: ReadStatusChanged 0 on a private
 * logon. */
static void test_R416_status_and_read_flags(void)
{
    const char *emails[] = { "bob@example.com" };
    const char *names[] = { "Bob" };
    uint64_t mid = make_message("flags");
    mapi_wr *w;
    tx t;

    CU_ASSERT_FATAL(mid != 0);
    tx_begin(&t);
    r_hdr(&t, ROP_ID_SET_MESSAGE_STATUS, 1);
    mapi_wr_u64(&t.req, mid);
    mapi_wr_u32(&t.req, 0x00001000);
    mapi_wr_u32(&t.req, 0x00003000);
    r_hdr(&t, ROP_ID_GET_MESSAGE_STATUS, 1);
    mapi_wr_u64(&t.req, mid);
    r_hdr(&t, ROP_ID_SET_READ_FLAGS, 1);
    mapi_wr_u8(&t.req, 0);
    mapi_wr_u8(&t.req, 0x05);                /* rfClearReadFlag | rfSuppress */
    mapi_wr_u16(&t.req, 2);
    mapi_wr_u64(&t.req, mid);
    mapi_wr_u64(&t.req, store_id_make(1, 0x7FFFFE));
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    w = want_hdr(ROP_ID_SET_MESSAGE_STATUS, 1, 0);
    mapi_wr_u32(w, 0);                       /* the status before */
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_GET_MESSAGE_STATUS, 1, 0);
    mapi_wr_u32(w, 0x00001000);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_SET_READ_FLAGS, 1, 0);
    mapi_wr_u8(w, 1);                        /* PartialCompletion */
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
    CU_ASSERT_EQUAL(stored_flags(mid, PidTagMessageStatus), 0x00001000);
    CU_ASSERT_EQUAL(stored_flags(mid, PidTagMessageFlags) & MSGFLAG_READ, 0);

    tx_begin(&t);
    r_open_message(&t, 1, 2, inbox, 0x00, mid);
    mapi_wr_u8(&t.req, ROP_ID_SET_MESSAGE_READ_FLAG);
    mapi_wr_u8(&t.req, 0);
    mapi_wr_u8(&t.req, 1);                   /* ResponseHandleIndex */
    mapi_wr_u8(&t.req, 2);
    mapi_wr_u8(&t.req, 0x00);                /* rfDefault: read */
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    w = want_hdr(ROP_ID_OPEN_MESSAGE, 2, 0);
    want_summary(w, "flags", 1, emails, names);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_SET_MESSAGE_READ_FLAG, 1, 0);
    mapi_wr_u8(w, 0);
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
    CU_ASSERT_EQUAL(stored_flags(mid, PidTagMessageFlags) & MSGFLAG_READ,
                    MSGFLAG_READ);                 /* R1710: at once */
}

/* A response that does not fit leaves nothing behind: the engine
 * answers RopBufferTooSmall and no handle was filled. */
static void test_open_message_too_small_no_object(void)
{
    uint64_t mid = make_message("big enough");
    tx t;

    CU_ASSERT_FATAL(mid != 0);
    tx_begin(&t);
    r_open_message(&t, 1, 2, inbox, 0x00, mid);
    CU_ASSERT_FATAL(tx_run_max(&t, 2 + 4 * NH + 40) == 0);
    CU_ASSERT_EQUAL(t.res.stop, ROP_STOP_BUFFER_TOO_SMALL);
    CU_ASSERT(t.len > 0 && t.resp[0] == ROP_ID_BUFFER_TOO_SMALL);
    CU_ASSERT_EQUAL(t.h[2], NONE);
}

/* [MS-OXCROPS] 2.2.6.1.2: rows that do not fit are left out of
 * RopOpenMessage (RowCount < RecipientCount); the client reads the rest
 * with RopReadRecipients. */
static void test_open_message_rows_partial(void)
{
    static char emails[40][32], names[40][32];
    const uint8_t *mid;
    uint8_t row_count = 0;
    size_t summary;
    tx t;
    int i;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    for (i = 0; i < 40; i++) {
        snprintf(emails[i], sizeof(emails[i]), "user%02d@example.com", i);
        snprintf(names[i], sizeof(names[i]), "User %02d", i);
        r_modify_recipient(&t, 2, (uint32_t)i, emails[i], names[i]);
    }
    r_save(&t, ROP_ID_SAVE_CHANGES_MESSAGE, 1, 2);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    mid = t.resp + t.len - 8;

    tx_begin(&t);
    r_open_message(&t, 1, 2, inbox, 0x00, get_u64(mid));
    CU_ASSERT_FATAL(tx_run_max(&t, 2 + 4 * NH + 1200) == 0);
    CU_ASSERT_EQUAL_FATAL(t.res.stop, ROP_STOP_NONE);
    /* header, HasNamedProperties, two TypedStrings (none: no subject). */
    summary = 6 + 1 + 1 + 1;
    CU_ASSERT_EQUAL(t.resp[summary - 1], 0x00);    /* no subject at all */
    CU_ASSERT_EQUAL(t.resp[summary] | t.resp[summary + 1] << 8, 40);
    row_count = t.resp[summary + 4 + 4 * N_BASE];
    CU_ASSERT(row_count > 0 && row_count < 40);
    CU_ASSERT_EQUAL(t.h[2] != NONE, 1);
}

/* RopReadStream with 0xBABE reads up to MaximumByteCount ([MS-OXCPRPT]
 * R55205); RopCloneStream has its own seek pointer; region locks
 * succeed; RopWriteAndCommitStream writes through to a folder property;
 * the 16 MiB cap gives StreamSizeError and TooBig (R564). */
static void test_R55205_clone_locks_commit_caps(void)
{
    static const uint8_t xyz[] = { 'x', 'y', 'z' };
    mapi_wr *w;
    tx t;

    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_open_stream(&t, 2, 3, PidTagHtml, 0x02);
    r_write_stream(&t, ROP_ID_WRITE_STREAM, 3, xyz, 3);
    r_in_out(&t, ROP_ID_CLONE_STREAM, 3, 4);
    r_seek(&t, 4, 0, 1);
    r_hdr(&t, ROP_ID_READ_STREAM, 4);
    mapi_wr_u16(&t.req, 0xBABE);
    mapi_wr_u32(&t.req, 1);
    r_read_stream(&t, 3, 10);                     /* at its end */
    r_hdr(&t, ROP_ID_LOCK_REGION_STREAM, 3);
    mapi_wr_u64(&t.req, 0);
    mapi_wr_u64(&t.req, 3);
    mapi_wr_u32(&t.req, 1);
    r_hdr(&t, ROP_ID_UNLOCK_REGION_STREAM, 3);
    mapi_wr_u64(&t.req, 0);
    mapi_wr_u64(&t.req, 3);
    mapi_wr_u32(&t.req, 1);
    r_hdr(&t, ROP_ID_SET_STREAM_SIZE, 3);
    mapi_wr_u64(&t.req, ROP_STREAM_MAX + 1);
    r_seek(&t, 3, 0, ROP_STREAM_MAX + 1);          /* R584 */
    r_seek(&t, 3, 0, ROP_STREAM_MAX - 1);          /* R583: zeros */
    r_write_stream(&t, ROP_ID_WRITE_STREAM, 3, xyz, 3);
    r_open_stream(&t, 1, 5, PidTagComment, 0x01);  /* on the folder */
    r_write_stream(&t, ROP_ID_WRITE_AND_COMMIT_STREAM, 5, "C\0", 2);
    CU_ASSERT_FATAL(tx_run(&t) == 0);
    t.off = 7;
    w = want_hdr(ROP_ID_OPEN_STREAM, 3, 0);
    mapi_wr_u32(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_WRITE_STREAM, 3, 0);
    mapi_wr_u16(w, 3);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_CLONE_STREAM, 4, 0));
    w = want_hdr(ROP_ID_SEEK_STREAM, 4, 0);
    mapi_wr_u64(w, 1);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_READ_STREAM, 4, 0);
    mapi_wr_u16(w, 1);
    mapi_wr_u8(w, 'y');
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_READ_STREAM, 3, 0);
    mapi_wr_u16(w, 0);
    EXPECT(&t, w);
    EXPECT(&t, want_hdr(ROP_ID_LOCK_REGION_STREAM, 3, 0));
    EXPECT(&t, want_hdr(ROP_ID_UNLOCK_REGION_STREAM, 3, 0));
    EXPECT(&t, want_hdr(ROP_ID_SET_STREAM_SIZE, 3, ecStreamSizeError));
    EXPECT(&t, want_hdr(ROP_ID_SEEK_STREAM, 3, ecStreamSeekError));
    w = want_hdr(ROP_ID_SEEK_STREAM, 3, 0);
    mapi_wr_u64(w, ROP_STREAM_MAX - 1);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_WRITE_STREAM, 3, ecTooBig);
    mapi_wr_u16(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_OPEN_STREAM, 5, 0);
    mapi_wr_u32(w, 0);
    EXPECT(&t, w);
    w = want_hdr(ROP_ID_WRITE_AND_COMMIT_STREAM, 5, 0);
    mapi_wr_u16(w, 2);
    EXPECT(&t, w);
    CU_ASSERT(tx_done(&t));
}


/* ---- large values held as streams ---------------------------------------- */

#define BIG_LEN  (200u * 1024 + 123u)   /* 7 chunks, the last partial */
#define BIG_STEP 8000u

/* Keys of store-blobs.db under owner (16 bytes). */
static unsigned blob_keys(const uint8_t *owner)
{
    uint8_t kb[64];
    DBC *cur;
    DBT key, val;
    unsigned n = 0;
    int ret;

    if (db->blobs->cursor(db->blobs, NULL, &cur, 0) != 0)
        return 0xFFFFFFFFu;
    memcpy(kb, owner, STORE_GUID_LEN);
    memset(&key, 0, sizeof(key));
    key.data = kb;
    key.size = STORE_GUID_LEN;
    key.ulen = sizeof(kb);
    key.flags = DB_DBT_USERMEM;
    memset(&val, 0, sizeof(val));
    val.flags = DB_DBT_PARTIAL;
    for (ret = cur->get(cur, &key, &val, DB_SET_RANGE); ret == 0;
         ret = cur->get(cur, &key, &val, DB_NEXT)) {
        if (key.size < STORE_GUID_LEN || memcmp(kb, owner, STORE_GUID_LEN))
            break;
        n++;
    }
    cur->close(cur);
    return n;
}

static unsigned session_blob_keys(void)
{
    uint8_t owner[SESS_ID_LEN];

    sess_blob_owner(sid, owner);
    return blob_keys(owner);
}

static int clear_session_txn(mapi_db *d, DB_TXN *txn, void *baton)
{
    (void)baton;
    return sess_objs_clear(d, txn, sid);
}

static uint8_t big_byte(uint32_t i)
{
    uint32_t x = i * 2654435761u;

    return (uint8_t)(x >> 13 ^ x >> 24);
}

/* ReturnValue of the response at the cursor, which moves past len bytes. */
static uint32_t rv_take(tx *t, size_t len)
{
    const uint8_t *p = tx_take(t, len);

    return p ? (uint32_t)p[2] | (uint32_t)p[3] << 8 | (uint32_t)p[4] << 16
               | (uint32_t)p[5] << 24 : 0xFFFFFFFFu;
}

/* Writes BIG_LEN bytes through the stream at index 4, three per Execute. */
static void big_write(uint32_t *h)
{
    uint8_t *data = apr_palloc(pool, BIG_LEN);
    uint32_t off = 0;

    for (uint32_t i = 0; i < BIG_LEN; i++)
        data[i] = big_byte(i);
    while (off < BIG_LEN) {
        tx t;
        int k;

        tx_begin(&t);
        memcpy(t.h, h, sizeof(t.h));
        for (k = 0; k < 3 && off < BIG_LEN; k++) {
            uint32_t n = BIG_LEN - off < BIG_STEP ? BIG_LEN - off : BIG_STEP;

            r_write_stream(&t, ROP_ID_WRITE_STREAM, 4, data + off,
                           (uint16_t)n);
            off += n;
        }
        CU_ASSERT_EQUAL_FATAL(tx_run(&t), 0);
        for (int i = 0; i < k; i++)
            CU_ASSERT_EQUAL(rv_take(&t, 8), 0);
    }
}

/* [MS-OXCPRPT] R56403 R2052: a 200 KiB attachment written through a
 * stream lives in session blobs, then in the mailbox's; the session's
 * go with the objects that held them; a reopened message holds a
 * reference (GetPropertiesSpecific: ecNotEnoughMemory), its stream reads
 * the mailbox blob in place; a deleted message leaves no chunk. */
static void test_R2052_large_stream_blobs(void)
{
    uint64_t mid = 0;
    uint32_t h[NH];
    tx t;
    const uint8_t *p;

    CU_ASSERT_EQUAL(session_blob_keys(), 0);
    /* Message 2, attachment 3, stream 4 (Create). */
    tx_begin(&t);
    r_create_message(&t, 1, 2, inbox);
    r_in_out(&t, ROP_ID_CREATE_ATTACHMENT, 2, 3);
    r_open_stream(&t, 3, 4, PidTagAttachDataBinary, 0x02);
    CU_ASSERT_EQUAL_FATAL(tx_run(&t), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 7), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 10), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 10), 0);
    memcpy(h, t.h, sizeof(h));
    big_write(h);
    /* Seven own chunks, nothing in the object record. */
    CU_ASSERT_EQUAL(session_blob_keys(), 7);
    tx_begin(&t);
    memcpy(t.h, h, sizeof(t.h));
    r_hdr(&t, ROP_ID_COMMIT_STREAM, 4);
    r_save(&t, ROP_ID_SAVE_CHANGES_ATTACHMENT, 3, 3);
    CU_ASSERT_EQUAL_FATAL(tx_run(&t), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 6), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 6), 0);
    /* Committed: a frozen value blob, the own chunks gone. */
    CU_ASSERT_EQUAL(session_blob_keys(), 7);
    tx_begin(&t);
    memcpy(t.h, h, sizeof(t.h));
    r_save(&t, ROP_ID_SAVE_CHANGES_MESSAGE, 2, 2);
    CU_ASSERT_EQUAL_FATAL(tx_run(&t), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 6), 0);
    tx_take(&t, 1);
    if ((p = tx_take(&t, 8)))
        memcpy(&mid, p, 8);
    CU_ASSERT_EQUAL(blob_keys(mbx.guid), 7);
    /* The attachment and stream still reference the session blob. */
    CU_ASSERT_EQUAL(session_blob_keys(), 7);
    tx_begin(&t);
    memcpy(t.h, h, sizeof(t.h));
    r_hdr(&t, ROP_ID_RELEASE, 2);        /* message, attachment, stream */
    CU_ASSERT_EQUAL_FATAL(tx_run(&t), 0);
    CU_ASSERT_EQUAL(session_blob_keys(), 0);
    CU_ASSERT_EQUAL(blob_keys(mbx.guid), 7);

    /* Reopened: 2 message, 3 attachment, 4 stream (ReadOnly), 5 stream
     * (ReadWrite, written, never committed). */
    tx_begin(&t);
    r_open_message(&t, 1, 2, inbox, 0x01, mid);
    r_open_attachment(&t, 2, 3, 0x01, 0);
    r_hdr(&t, ROP_ID_GET_PROPERTIES_SPECIFIC, 3);
    mapi_wr_u16(&t.req, 0);
    mapi_wr_u16(&t.req, 0);
    mapi_wr_u16(&t.req, 1);
    mapi_wr_u32(&t.req, PidTagAttachDataBinary);
    r_open_stream(&t, 3, 4, PidTagAttachDataBinary, 0x00);
    r_seek(&t, 4, 0, 40000);
    r_read_stream(&t, 4, 100);
    CU_ASSERT_EQUAL_FATAL(tx_run(&t), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 6), 0);
    /* From the end: ReadStream 8 + 100, SeekStream 14, OpenStream 10,
     * and before them GetPropertiesSpecific: header, a flagged row with
     * the error flag 0x0A and ecNotEnoughMemory (R2052). */
    CU_ASSERT_TRUE_FATAL(t.len >= 144);
    t.off = t.len - 144;
    CU_ASSERT_EQUAL(t.resp[t.off], ROP_ID_GET_PROPERTIES_SPECIFIC);
    CU_ASSERT_EQUAL(rv_take(&t, 6), 0);
    p = tx_take(&t, 6);
    CU_ASSERT_TRUE_FATAL(p != NULL);
    CU_ASSERT_EQUAL(p[0], 0x01);
    CU_ASSERT_EQUAL(p[1], 0x0A);
    CU_ASSERT_EQUAL((uint32_t)p[2] | (uint32_t)p[3] << 8
                    | (uint32_t)p[4] << 16 | (uint32_t)p[5] << 24,
                    0x8007000Eu);
    CU_ASSERT_EQUAL(rv_take(&t, 10), 0);  /* OpenStream */
    CU_ASSERT_EQUAL(rv_take(&t, 14), 0);  /* SeekStream */
    CU_ASSERT_EQUAL(rv_take(&t, 8), 0);   /* ReadStream, 100 bytes */
    memcpy(h, t.h, sizeof(h));
    CU_ASSERT_EQUAL(session_blob_keys(), 0);      /* a lazy copy */
    {
        const uint8_t *q = t.resp + t.len - 100;
        int same = 1;

        for (uint32_t i = 0; i < 100; i++)
            same &= q[i] == big_byte(40000 + i);
        CU_ASSERT_TRUE(same);
    }
    tx_begin(&t);
    memcpy(t.h, h, sizeof(t.h));
    r_open_stream(&t, 3, 5, PidTagAttachDataBinary, 0x03);
    r_write_stream(&t, ROP_ID_WRITE_STREAM, 5, "xyz", 3);
    CU_ASSERT_EQUAL_FATAL(tx_run(&t), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 10), 0);
    CU_ASSERT_EQUAL(rv_take(&t, 8), 0);
    CU_ASSERT_EQUAL(session_blob_keys(), 1);      /* one chunk touched */
    /* The session goes (Disconnect, expiry): its blobs go with it. */
    {
        const char *error = NULL;

        CU_ASSERT_EQUAL(mapi_db_txn_run(db, 0, clear_session_txn, NULL, pool,
                                        &error), 0);
    }
    CU_ASSERT_EQUAL(session_blob_keys(), 0);
    CU_ASSERT_EQUAL(blob_keys(mbx.guid), 7);
    {
        const char *error = NULL;

        CU_ASSERT_EQUAL(store_message_delete(db, pool, mbx.guid, mid, &error),
                        STORE_OK);
    }
    CU_ASSERT_EQUAL(blob_keys(mbx.guid), 0);
    CU_ASSERT_EQUAL_FATAL(make_logon_and_inbox(), 0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("rop_message", suite_init, suite_clean);
    CU_add_test(s, "MS-OXCPRPT R2052 large stream in blobs, freed",
                test_R2052_large_stream_blobs);
    CU_add_test(s, "create, fill, save, reopen and read back",
                test_create_save_reopen);
    CU_add_test(s, "MS-OXCMSG R339 unsaved message not in store",
                test_R339_unsaved_message_not_in_store);
    CU_add_test(s, "read-only message refuses writes",
                test_read_only_refuses_writes);
    CU_add_test(s, "MS-OXCMSG R1982 R467 bad handle, wrong type",
                test_R1982_bad_handle_and_wrong_type);
    CU_add_test(s, "open message not found", test_open_message_not_found);
    CU_add_test(s, "MS-OXCMSG R389-R393 R403 R1055 recipients by RowId",
                test_R391_modify_recipients_by_row_id);
    CU_add_test(s, "MS-OXCPRPT R547-R584 string stream", test_string_stream);
    CU_add_test(s, "MS-OXCPRPT R900 R591 R593 access and copy",
                test_R900_stream_access_and_copy);
    CU_add_test(s, "MS-OXCMSG R481 embedded message",
                test_R481_embedded_message);
    CU_add_test(s, "MS-OXCMSG R448 R1063 R1523 attachments",
                test_R1063_attachments);
    CU_add_test(s, "MS-OXCMSG R416 R822 R1514 R1710 status and read flags",
                test_R416_status_and_read_flags);
    CU_add_test(s, "response too small leaves no object",
                test_open_message_too_small_no_object);
    CU_add_test(s, "MS-OXCROPS 2.2.6.1.2 rows that do not fit",
                test_open_message_rows_partial);
    CU_add_test(s, "MS-OXCPRPT R55205 R564 clone, locks, commit, caps",
                test_R55205_clone_locks_commit_caps);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
