/*
 * test_rop_table.c: the table ROPs (mod_mapi/rop/rop_table.c) run through
 * rop_execute over a real environment: a provisioned mailbox, messages in
 * its Inbox, table objects in the session's object table.  Every Execute
 * gets a fresh rop_ctx, as separate HTTP requests would, so that a table's
 * cursor, sort, restriction and bookmarks are seen to survive between
 * them.  Requirement ids: /work/shared/specs/MS-OXCTABL.md and
 * MS-OXCROPS.md.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "rop/rop.h"
#include "rop/rop_ids.h"
#include "rop/rop_object.h"
#include "rop/rop_table.h"
#include "store/store.h"
#include "session/sess_context.h"
#include "wire/mapi_tags.h"

static apr_pool_t *pool;
static mapi_db *db;
static char dir[] = "/tmp/mapi-unit-table-XXXXXX";
static uint8_t guid[16], sid[SESS_ID_LEN];
static cfg_mailbox mbx;
static store_mailbox_info *mi;
static uint32_t h_logon, h_ipm, h_inbox;
static uint64_t mids[5];

/* Subjects and delivery times of the Inbox messages: four match
 * "REPORT" case-insensitively, in delivery order alpha, gamma, delta,
 * epsilon. */
static const char *const subjects[5] = {
    "alpha report", "beta", "gamma Report", "delta report", "epsilon REPORT",
};
static const uint64_t delivered[5] = { 100, 200, 300, 400, 500 };

/* ---- set-up ------------------------------------------------------------ */

static uint32_t make_object(rop_object *o)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);

    rop_ctx_set_env(ctx, db, sid, &mbx, "/o=Test");
    if (rop_obj_create(ctx, o, 0) != 0)
        return 0;
    return o->handle;
}

static uint32_t make_folder(uint64_t fid)
{
    rop_object *o = apr_pcalloc(pool, sizeof(*o));

    o->type = ROP_OBJ_FOLDER;
    o->parent = h_logon;
    memcpy(o->mbox, guid, 16);
    o->fid = fid;
    return make_object(o);
}

static uint64_t save_message(uint64_t fid, const char *subject, uint64_t when)
{
    store_message *m = store_message_new(pool, fid, 0);
    const char *error = NULL;

    store_props_set_str(&m->props, PidTagSubject, subject);
    store_props_set_str(&m->props, PidTagMessageClass, "IPM.Note");
    store_props_set_u64(&m->props, PidTagMessageDeliveryTime, when);
    if (store_message_save(db, pool, guid, m, &error) != STORE_OK) {
        fprintf(stderr, "save: %s\n", error ? error : "?");
        return 0;
    }
    return m->mid;
}

static int suite_init(void)
{
    const char *error = NULL;
    rop_object *logon;
    int i;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!(db = unit_env_open(pool, dir)) || sess_random(guid) < 0
        || sess_random(sid) < 0)
        return -1;
    if (store_mailbox_create(db, pool, guid, "Table Tester", &error)
        != STORE_OK
        || store_mailbox_get(db, pool, guid, &mi, &error) != STORE_OK) {
        fprintf(stderr, "mailbox: %s\n", error ? error : "?");
        return -1;
    }
    memcpy(mbx.guid, guid, 16);
    mbx.name = "tester";
    mbx.display_name = "Table Tester";
    mbx.smtp = "tester@mapi.test";
    mbx.legacy_dn = "/o=Test/cn=Recipients/cn=tester";
    logon = apr_pcalloc(pool, sizeof(*logon));
    logon->type = ROP_OBJ_LOGON;
    logon->parent = SESS_OBJ_NONE;
    logon->logon_flags = 0x01;
    memcpy(logon->mbox, guid, 16);
    if (!(h_logon = make_object(logon)))
        return -1;
    h_ipm = make_folder(mi->folder_ids[STORE_FOLDER_IPM_SUBTREE]);
    h_inbox = make_folder(mi->folder_ids[STORE_FOLDER_INBOX]);
    for (i = 0; i < 5; i++)
        if (!(mids[i] = save_message(mi->folder_ids[STORE_FOLDER_INBOX],
                                     subjects[i], delivered[i])))
            return -1;
    return h_ipm && h_inbox ? 0 : -1;
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    unit_env_remove(dir);
    return 0;
}

/* ---- one Execute ------------------------------------------------------- */

typedef struct exec_out {
    mapi_rd rd;                  /* over the ROP responses */
    uint32_t handles[8];
    rop_result res;
} exec_out;

/* Runs the requests in req against handle table h (updated from the
 * response) with a fresh context.  Returns 0 or -1. */
static int execute_max(uint32_t h[8], const mapi_wr *req, size_t max_out,
                       exec_out *x)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);
    mapi_wr in;
    mapi_rd rd;
    uint16_t rop_size;
    int i;

    rop_ctx_set_env(ctx, db, sid, &mbx, "/o=Test");
    mapi_wr_init(&in, pool, 0x10000);
    mapi_wr_u16(&in, (uint16_t)(2 + req->len));
    mapi_wr_bytes(&in, req->buf, req->len);
    for (i = 0; i < 8; i++)
        mapi_wr_u32(&in, h[i]);
    if (rop_execute(ctx, in.buf, in.len, max_out, pool, &x->res) != ROP_OK)
        return -1;
    mapi_rd_init(&rd, x->res.out, x->res.out_len);
    if (mapi_rd_u16(&rd, &rop_size) < 0 || rop_size < 2)
        return -1;
    mapi_rd_init(&x->rd, x->res.out + 2, rop_size - 2u);
    mapi_rd_skip(&rd, rop_size - 2u);
    for (i = 0; i < 8; i++)
        mapi_rd_u32(&rd, &h[i]);
    memcpy(x->handles, h, sizeof(x->handles));
    return rd.failed ? -1 : 0;
}

static int execute(uint32_t h[8], const mapi_wr *req, exec_out *x)
{
    return execute_max(h, req, 0x8000, x);
}

static mapi_wr *request(void)
{
    mapi_wr *wr = apr_pcalloc(pool, sizeof(*wr));

    mapi_wr_init(wr, pool, 0x8000);
    return wr;
}

/* ---- request builders -------------------------------------------------- */

static void rq_hdr(mapi_wr *w, uint8_t rop, uint8_t in)
{
    mapi_wr_u8(w, rop);
    mapi_wr_u8(w, 0);            /* LogonId */
    mapi_wr_u8(w, in);
}

static void rq_open_table(mapi_wr *w, uint8_t rop, uint8_t in, uint8_t out,
                          uint8_t flags)
{
    rq_hdr(w, rop, in);
    mapi_wr_u8(w, out);
    mapi_wr_u8(w, flags);
}

static void rq_set_columns(mapi_wr *w, uint8_t in, const uint32_t *tags,
                           uint16_t n)
{
    uint16_t i;

    rq_hdr(w, ROP_ID_SET_COLUMNS, in);
    mapi_wr_u8(w, 0);
    mapi_wr_u16(w, n);
    for (i = 0; i < n; i++)
        mapi_wr_u32(w, tags[i]);
}

static void rq_sort(mapi_wr *w, uint8_t in, uint32_t tag, uint8_t order,
                    uint16_t categories)
{
    rq_hdr(w, ROP_ID_SORT_TABLE, in);
    mapi_wr_u8(w, 0);
    mapi_wr_u16(w, 1);           /* SortOrderCount */
    mapi_wr_u16(w, categories);
    mapi_wr_u16(w, categories);  /* ExpandedCount */
    mapi_wr_u16(w, ROP_PROP_TYPE(tag));
    mapi_wr_u16(w, ROP_PROP_ID(tag));
    mapi_wr_u8(w, order);
}

/* ContentRestriction ([MS-OXCDATA] 2.12.4): FL_SUBSTRING | FL_IGNORECASE
 * on PidTagSubject. */
static void wr_content_res(mapi_wr *w, const char *text)
{
    mapi_wr_u8(w, ROP_RES_CONTENT);
    mapi_wr_u16(w, 0x0001);      /* FuzzyLevelLow: FL_SUBSTRING */
    mapi_wr_u16(w, 0x0001);      /* FuzzyLevelHigh: FL_IGNORECASE */
    mapi_wr_u32(w, PidTagSubject);
    mapi_wr_u32(w, PidTagSubject);
    mapi_wr_str16(w, text);
}

/* PropertyRestriction RELOP_EQ on PidTagSubject. */
static void wr_equal_res(mapi_wr *w, const char *text)
{
    mapi_wr_u8(w, ROP_RES_PROPERTY);
    mapi_wr_u8(w, 0x04);         /* RELOP_EQ */
    mapi_wr_u32(w, PidTagSubject);
    mapi_wr_u32(w, PidTagSubject);
    mapi_wr_str16(w, text);
}

/* RestrictionDataSize then the restriction written by fn. */
static void wr_sized_res(mapi_wr *w, void (*fn)(mapi_wr *, const char *),
                         const char *text)
{
    size_t at = mapi_wr_reserve(w, 2);

    if (fn)
        fn(w, text);
    mapi_wr_put_u16_at(w, at, (uint16_t)(w->len - at - 2));
}

static void rq_restrict(mapi_wr *w, uint8_t in, const char *text)
{
    rq_hdr(w, ROP_ID_RESTRICT, in);
    mapi_wr_u8(w, 0);
    wr_sized_res(w, text ? wr_content_res : NULL, text);
}

static void rq_query_rows(mapi_wr *w, uint8_t in, uint8_t flags,
                          uint8_t forward, uint16_t count)
{
    rq_hdr(w, ROP_ID_QUERY_ROWS, in);
    mapi_wr_u8(w, flags);
    mapi_wr_u8(w, forward);
    mapi_wr_u16(w, count);
}

static void rq_seek_row(mapi_wr *w, uint8_t in, uint8_t origin, int32_t n)
{
    rq_hdr(w, ROP_ID_SEEK_ROW, in);
    mapi_wr_u8(w, origin);
    mapi_wr_u32(w, (uint32_t)n);
    mapi_wr_u8(w, 1);
}

static void rq_seek_bookmark(mapi_wr *w, uint8_t in, uint32_t bm, int32_t n)
{
    rq_hdr(w, ROP_ID_SEEK_ROW_BOOKMARK, in);
    mapi_wr_u16(w, 4);
    mapi_wr_u32(w, bm);
    mapi_wr_u32(w, (uint32_t)n);
    mapi_wr_u8(w, 1);
}

static void rq_free_bookmark(mapi_wr *w, uint8_t in, uint32_t bm)
{
    rq_hdr(w, ROP_ID_FREE_BOOKMARK, in);
    mapi_wr_u16(w, 4);
    mapi_wr_u32(w, bm);
}

static void rq_find_row(mapi_wr *w, uint8_t in, uint8_t flags,
                        void (*fn)(mapi_wr *, const char *),
                        const char *text, uint8_t origin, uint32_t bm)
{
    rq_hdr(w, ROP_ID_FIND_ROW, in);
    mapi_wr_u8(w, flags);
    wr_sized_res(w, fn, text);
    mapi_wr_u8(w, origin);
    if (origin == ROP_BOOKMARK_CUSTOM) {
        mapi_wr_u16(w, 4);
        mapi_wr_u32(w, bm);
    } else {
        mapi_wr_u16(w, 0);
    }
}

/* ---- response readers -------------------------------------------------- */

/* RopId, index, ReturnValue; returns the ReturnValue (0xFFFFFFFF when the
 * header is not the expected one). */
static uint32_t rs_hdr(mapi_rd *rd, uint8_t rop, uint8_t index)
{
    uint8_t id = 0, ix = 0;
    uint32_t ec = 0;

    mapi_rd_u8(rd, &id);
    mapi_rd_u8(rd, &ix);
    mapi_rd_u32(rd, &ec);
    if (rd->failed || id != rop || ix != index)
        return 0xFFFFFFFFu;
    return ec;
}

static uint8_t rs_u8(mapi_rd *rd)
{
    uint8_t v = 0xEE;

    mapi_rd_u8(rd, &v);
    return v;
}

static uint16_t rs_u16(mapi_rd *rd)
{
    uint16_t v = 0xEEEE;

    mapi_rd_u16(rd, &v);
    return v;
}

static uint32_t rs_u32(mapi_rd *rd)
{
    uint32_t v = 0xEEEEEEEEu;

    mapi_rd_u32(rd, &v);
    return v;
}

static uint64_t rs_u64(mapi_rd *rd)
{
    uint64_t v = 0;

    mapi_rd_u64(rd, &v);
    return v;
}

/* One PropertyRow over (Subject, DeliveryTime, Mid), all present: a
 * StandardPropertyRow (flag 0). */
typedef struct msg_row {
    const char *subject;
    uint64_t delivered, mid;
} msg_row;

static int rs_msg_row(mapi_rd *rd, msg_row *r)
{
    if (rs_u8(rd) != ROP_ROW_STANDARD
        || mapi_rd_str16(rd, pool, 1024, &r->subject) < 0)
        return -1;
    r->delivered = rs_u64(rd);
    r->mid = rs_u64(rd);
    return rd->failed ? -1 : 0;
}

static const uint32_t msg_cols[] = {
    PidTagSubject, PidTagMessageDeliveryTime, PidTagMid,
};

/* Opens an Inbox contents table at handle index 1, with msg_cols, sorted
 * by delivery time descending and restricted to "report" subjects; the
 * RowCount of RopGetContentsTable is checked against the five messages
 * (R1034, R1035). */
static void open_report_view(uint32_t h[8])
{
    mapi_wr *w = request();
    exec_out x;

    memset(h, 0xFF, sizeof(uint32_t) * 8);
    h[0] = h_inbox;
    rq_open_table(w, ROP_ID_GET_CONTENTS_TABLE, 0, 1, ROP_TBL_CT_USE_UNICODE);
    rq_set_columns(w, 1, msg_cols, 3);
    rq_sort(w, 1, PidTagMessageDeliveryTime, 1, 0);
    rq_restrict(w, 1, "REPORT");
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_CONTENTS_TABLE, 1), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 5);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_TBLSTAT_COMPLETE);       /* R55 */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SORT_TABLE, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_TBLSTAT_COMPLETE);       /* R84 */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_RESTRICT, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_TBLSTAT_COMPLETE);       /* R94 */
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
    CU_ASSERT_NOT_EQUAL(h[1], 0xFFFFFFFFu);
}

/* The table's position (Numerator) and size (Denominator). */
static void query_position(uint32_t h[8], uint32_t *num, uint32_t *den)
{
    mapi_wr *w = request();
    exec_out x;

    rq_hdr(w, ROP_ID_QUERY_POSITION, 1);
    *num = *den = 0xDEAD;
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL_FATAL(rs_hdr(&x.rd, ROP_ID_QUERY_POSITION, 1), 0);
    *num = rs_u32(&x.rd);
    *den = rs_u32(&x.rd);
}

/* Expected order of the report view: the report messages by delivery
 * time descending: epsilon, delta, gamma, alpha. */
static const int report_order[4] = { 4, 3, 2, 0 };

/* ---- the delivery-time index ------------------------------------------ */

/* ExistRestriction on PidTagMid: true for every row, but a restriction,
 * so the table takes the full path (build, restrict, sort). */
static void wr_exist_mid(mapi_wr *w, const char *unused)
{
    (void)unused;
    mapi_wr_u8(w, ROP_RES_EXIST);
    mapi_wr_u32(w, PidTagMid);
}

/* Every row of a contents table of the folder sorted by delivery time
 * descending, read page rows at a time: the mids in order into out (at
 * most max); with_res adds wr_exist_mid.  Returns the number of rows, -1
 * on error; *ends_r counts reads that said ROP_BOOKMARK_END. */
static int read_by_delivery(uint32_t folder, int with_res, uint16_t page,
                            uint64_t *out, int max, int *ends_r)
{
    static const uint32_t cols[] = { PidTagMid };
    uint32_t h[8];
    mapi_wr *w = request();
    exec_out x;
    int n = 0, guard;

    memset(h, 0xFF, sizeof(h));
    h[0] = folder;
    *ends_r = 0;
    rq_open_table(w, ROP_ID_GET_CONTENTS_TABLE, 0, 1, ROP_TBL_CT_USE_UNICODE);
    rq_set_columns(w, 1, cols, 1);
    rq_sort(w, 1, PidTagMessageDeliveryTime, 1, 0);
    if (with_res) {
        rq_hdr(w, ROP_ID_RESTRICT, 1);
        mapi_wr_u8(w, 0);
        wr_sized_res(w, wr_exist_mid, NULL);
    }
    if (execute(h, w, &x) != 0)
        return -1;
    for (guard = 0; guard < 100; guard++) {
        uint16_t count, i;
        uint8_t origin;

        w = request();
        rq_query_rows(w, 1, 0, 1, page);
        if (execute(h, w, &x) != 0
            || rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1) != 0)
            return -1;
        origin = rs_u8(&x.rd);
        count = rs_u16(&x.rd);
        for (i = 0; i < count; i++) {
            if (rs_u8(&x.rd) != ROP_ROW_STANDARD || n == max)
                return -1;
            out[n++] = rs_u64(&x.rd);
        }
        if (x.rd.failed || mapi_rd_left(&x.rd) != 0)
            return -1;
        if (guard == 0) {
            uint32_t num, den;

            query_position(h, &num, &den);
            if (num != count || den != 10)
                return -1;      /* R136, R138: the test folder has 10 */
        }
        /* Once at the last rows, once more with none (R467). */
        if (origin == ROP_BOOKMARK_END && ++*ends_r == 2)
            break;
    }
    return n;
}

static uint64_t save_in(uint64_t fid, int has_time, uint64_t when)
{
    store_message *m = store_message_new(pool, fid, 0);
    const char *error = NULL;

    store_props_set_str(&m->props, PidTagSubject, "indexed");
    if (has_time)
        store_props_set_u64(&m->props, PidTagMessageDeliveryTime, when);
    return store_message_save(db, pool, guid, m, &error) == STORE_OK
           ? m->mid : 0;
}

/* The indexed page (a sort by delivery time alone) returns what the full
 * path returns, row for row and END for END, with equal times, missing
 * times, a rewritten time, a move out and a delete; and the index is what
 * served it (store_sorted_page agrees). */
static void test_delivery_index(void)
{
    uint64_t fid = 0, other = 0, moved = 0, m[12], fast[32], slow[32];
    static const uint16_t sizes[] = { 1, 3, 50 };
    const char *error = NULL;
    int nf = 0, ns, ef, es, i, more = 0;
    uint32_t folder, skipped = 0;
    apr_array_header_t *ids;
    store_message *msg;

    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, guid,
                              mi->folder_ids[STORE_FOLDER_IPM_SUBTREE],
                              STORE_FOLDER_GENERIC, "indexed", NULL, &fid,
                              &error), STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, guid,
                              mi->folder_ids[STORE_FOLDER_IPM_SUBTREE],
                              STORE_FOLDER_GENERIC, "elsewhere", NULL,
                              &other, &error), STORE_OK);
    /* Times 1000, 1000, 900, 900, 800, (none), ...: pairs of equal times
     * and two messages without one. */
    for (i = 0; i < 12; i++) {
        m[i] = save_in(fid, i % 6 != 5, 1000 - 100 * (uint64_t)(i / 2));
        CU_ASSERT_FATAL(m[i] != 0);
    }
    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, guid, m[7], &msg,
                                            &error), STORE_OK);
    store_props_set_u64(&msg->props, PidTagMessageDeliveryTime, 5000);
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, guid, msg, &error),
                          STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_message_move(db, pool, guid, m[2], other, 0,
                                             &moved, &error), STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_message_delete(db, pool, guid, m[9], &error),
                          STORE_OK);
    folder = make_folder(fid);
    for (i = 0; i < 3; i++) {
        nf = read_by_delivery(folder, 0, sizes[i], fast, 32, &ef);
        ns = read_by_delivery(folder, 1, sizes[i], slow, 32, &es);
        CU_ASSERT_EQUAL(nf, 10);
        CU_ASSERT_EQUAL(ns, 10);
        CU_ASSERT_EQUAL(ef, es);
        CU_ASSERT_TRUE(nf == ns && nf > 0
                       && memcmp(fast, slow, sizeof(uint64_t) * nf) == 0);
    }
    CU_ASSERT_FATAL(nf == 10);
    CU_ASSERT_EQUAL(fast[0], m[7]);                  /* time 5000 first */
    CU_ASSERT_EQUAL(fast[1], m[0]);                  /* equal: id order */
    CU_ASSERT_EQUAL(fast[2], m[1]);
    CU_ASSERT_EQUAL(fast[8], m[5]);                  /* no time: last */
    CU_ASSERT_EQUAL(fast[9], m[11]);
    CU_ASSERT_EQUAL(store_sorted_page(db, pool, guid, fid, 0, 2, 32, &ids,
                                      &skipped, &more, &error), STORE_OK);
    CU_ASSERT_EQUAL(skipped, 2);
    CU_ASSERT_EQUAL(more, 0);
    CU_ASSERT_TRUE(ids->nelts == 8
                   && memcmp(ids->elts, fast + 2, 8 * sizeof(uint64_t)) == 0);
    CU_ASSERT_EQUAL(store_sorted_page(db, pool, guid, fid, 0, 0, 3, &ids,
                                      &skipped, &more, &error), STORE_OK);
    CU_ASSERT_EQUAL(more, 1);
    /* The kept counts agree with the rows: 10 messages, the sizes of
     * those rows, one fewer unread after one is read. */
    {
        store_folder_counts c;
        uint64_t size = 0;
        uint32_t old = 0;

        for (i = 0; i < nf; i++) {
            const rop_propval *v;

            CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, guid, fast[i],
                                                    &msg, &error), STORE_OK);
            v = store_props_get(&msg->props, PidTagMessageSize);
            size += v ? v->v.l : 0;
        }
        CU_ASSERT_EQUAL(store_message_set_flags(db, pool, guid, fast[3],
                                                MSGFLAG_READ, 0, &old,
                                                &error), STORE_OK);
        CU_ASSERT_EQUAL(store_folder_counts_get(db, pool, guid, fid, 0, &c,
                                                &error), STORE_OK);
        CU_ASSERT_EQUAL(c.messages, 10);
        CU_ASSERT_EQUAL(c.unread, 9);
        CU_ASSERT(size > 0);
        CU_ASSERT_EQUAL(c.size, size);
        CU_ASSERT_EQUAL(store_folder_counts_get(db, pool, guid, other, 0, &c,
                                                &error), STORE_OK);
        CU_ASSERT_EQUAL(c.messages, 1);
    }
    /* The moved message is in the other folder's index, alone. */
    CU_ASSERT_EQUAL(store_sorted_page(db, pool, guid, other, 0, 0, 32, &ids,
                                      &skipped, &more, &error), STORE_OK);
    CU_ASSERT_TRUE(ids->nelts == 1
                   && APR_ARRAY_IDX(ids, 0, uint64_t) == moved);
}

/* ---- hierarchy tables -------------------------------------------------- */

static int is_listed(apr_array_header_t *ids, uint64_t fid)
{
    int i;

    for (i = 0; i < ids->nelts; i++)
        if (APR_ARRAY_IDX(ids, i, uint64_t) == fid)
            return 1;
    return 0;
}

/* R1001, R1002: RowCount is the number of subfolders; R801/R802 depth;
 * rows in the column order of RopSetColumns (R116, [MS-OXCDATA] R65). */
static void test_hierarchy_ipm_subtree(void)
{
    static const uint32_t cols[] = { PidTagDisplayName, PidTagFolderId };
    static const store_special expect[] = {
        STORE_FOLDER_INBOX, STORE_FOLDER_OUTBOX, STORE_FOLDER_SENT_ITEMS,
        STORE_FOLDER_DELETED_ITEMS, STORE_FOLDER_DRAFTS,
        STORE_FOLDER_CALENDAR, STORE_FOLDER_CONTACTS,
    };
    apr_array_header_t *ids;
    const char *error = NULL;
    uint32_t h[8], count, i;
    mapi_wr *w = request();
    exec_out x;
    int seen_inbox = 0;

    CU_ASSERT_EQUAL_FATAL(store_folder_list(db, pool, guid,
        mi->folder_ids[STORE_FOLDER_IPM_SUBTREE], STORE_LIST_FOLDERS, &ids,
        &error), STORE_OK);
    for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        CU_ASSERT(is_listed(ids, mi->folder_ids[expect[i]]));
    memset(h, 0xFF, sizeof(h));
    h[0] = h_ipm;
    rq_open_table(w, ROP_ID_GET_HIERARCHY_TABLE, 0, 1,
                  ROP_TBL_HIER_USE_UNICODE);
    rq_set_columns(w, 1, cols, 2);
    rq_query_rows(w, 1, 0, 1, 100);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_HIERARCHY_TABLE, 1), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), (uint32_t)ids->nelts);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_BOOKMARK_END);           /* R725 */
    count = rs_u16(&x.rd);
    CU_ASSERT_EQUAL(count, (uint32_t)ids->nelts);              /* R118 */
    for (i = 0; i < count && !x.rd.failed; i++) {
        const char *name = NULL;
        uint64_t fid;

        CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_ROW_STANDARD);       /* R73 */
        CU_ASSERT_EQUAL(mapi_rd_str16(&x.rd, pool, 512, &name), 0);
        fid = rs_u64(&x.rd);
        /* No sort order: the store's order (R120 leaves it open). */
        CU_ASSERT_EQUAL(fid, APR_ARRAY_IDX(ids, (int)i, uint64_t));
        if (fid == mi->folder_ids[STORE_FOLDER_INBOX]) {
            CU_ASSERT_STRING_EQUAL(name, "Inbox");
            seen_inbox = 1;
        }
    }
    CU_ASSERT(seen_inbox);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
}

/* [MS-OXCFOLD] R801: Depth lists the whole subtree, with PidTagDepth. */
static void test_hierarchy_deep(void)
{
    static const uint32_t cols[] = { PidTagFolderId, PidTagDepth };
    apr_array_header_t *ids, *top;
    const char *error = NULL;
    uint32_t h[8], count, i;
    mapi_wr *w = request();
    exec_out x;

    store_folder_list(db, pool, guid, mi->folder_ids[STORE_FOLDER_ROOT],
                      STORE_LIST_FOLDERS | STORE_LIST_DEEP, &ids, &error);
    store_folder_list(db, pool, guid, mi->folder_ids[STORE_FOLDER_ROOT],
                      STORE_LIST_FOLDERS, &top, &error);
    CU_ASSERT_FATAL(ids != NULL && top != NULL);
    CU_ASSERT(ids->nelts > top->nelts);
    memset(h, 0xFF, sizeof(h));
    h[0] = make_folder(mi->folder_ids[STORE_FOLDER_ROOT]);
    rq_open_table(w, ROP_ID_GET_HIERARCHY_TABLE, 0, 1, ROP_TBL_HIER_DEPTH);
    rq_set_columns(w, 1, cols, 2);
    rq_query_rows(w, 1, 0, 1, 1000);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_HIERARCHY_TABLE, 1), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), (uint32_t)ids->nelts);
    rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1);
    rs_u8(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    rs_u8(&x.rd);
    count = rs_u16(&x.rd);
    CU_ASSERT_EQUAL(count, (uint32_t)ids->nelts);
    for (i = 0; i < count && !x.rd.failed; i++) {
        uint64_t fid;
        uint32_t depth;

        CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_ROW_STANDARD);
        fid = rs_u64(&x.rd);
        depth = rs_u32(&x.rd);
        if (fid == mi->folder_ids[STORE_FOLDER_IPM_SUBTREE])
            CU_ASSERT_EQUAL(depth, 1);
        if (fid == mi->folder_ids[STORE_FOLDER_INBOX])
            CU_ASSERT_EQUAL(depth, 2);
        CU_ASSERT_EQUAL(depth > 1, !is_listed(top, fid));
    }
}

/* [MS-OXCFOLD] R314, R330: undefined TableFlags bits. */
static void test_open_bad_flags(void)
{
    mapi_wr *w = request();
    uint32_t h[8];
    exec_out x;

    memset(h, 0xFF, sizeof(h));
    h[0] = h_inbox;
    rq_open_table(w, ROP_ID_GET_HIERARCHY_TABLE, 0, 1, 0x01);
    rq_open_table(w, ROP_ID_GET_CONTENTS_TABLE, 0, 2, 0x01);
    rq_open_table(w, ROP_ID_GET_CONTENTS_TABLE, 3, 2, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_HIERARCHY_TABLE, 1),
                    ecNotSupported);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_CONTENTS_TABLE, 2),
                    ecInvalidParam);
    /* An empty slot is no folder. */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_CONTENTS_TABLE, 2),
                    ecNullObject);
    CU_ASSERT_EQUAL(h[1], 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(h[2], 0xFFFFFFFFu);
}

/* ---- contents tables: sort, restrict, paging --------------------------- */

/* R95, R117, R119, R462, R463, R470, R725, R726: two pages of two rows
 * in separate Executes, sorted by delivery time descending and
 * restricted to "report"; then an empty read at the end. */
static void test_contents_paging(void)
{
    uint32_t h[8], num, den;
    mapi_wr *w;
    exec_out x;
    msg_row row;
    int page, i;

    open_report_view(h);
    for (page = 0; page < 2; page++) {
        w = request();
        rq_query_rows(w, 1, 0, 1, 2);
        CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
        CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
        CU_ASSERT_EQUAL(rs_u8(&x.rd), page == 0 ? ROP_BOOKMARK_CURRENT
                                                : ROP_BOOKMARK_END);
        CU_ASSERT_EQUAL_FATAL(rs_u16(&x.rd), 2);                /* R111 */
        for (i = 0; i < 2; i++) {
            int k = report_order[page * 2 + i];

            CU_ASSERT_EQUAL_FATAL(rs_msg_row(&x.rd, &row), 0);
            CU_ASSERT_STRING_EQUAL(row.subject, subjects[k]);
            CU_ASSERT_EQUAL(row.delivered, delivered[k]);
            CU_ASSERT_EQUAL(row.mid, mids[k]);
        }
        CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
        query_position(h, &num, &den);
        CU_ASSERT_EQUAL(num, (uint32_t)(page + 1) * 2);         /* R136 */
        CU_ASSERT_EQUAL(den, 4);                                /* R138 */
    }
    w = request();
    rq_query_rows(w, 1, 0, 1, 2);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_BOOKMARK_END);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 0);                          /* R467 */
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
}

/* R470: NoAdvance keeps the cursor; R469: a backward read returns the
 * rows before the cursor, in table order; R784: at the beginning. */
static void test_query_rows_no_advance_and_backward(void)
{
    uint32_t h[8], num, den;
    mapi_wr *w = request();
    exec_out x;
    msg_row row;

    open_report_view(h);
    rq_query_rows(w, 1, ROP_QUERY_ROWS_NO_ADVANCE, 1, 3);
    rq_seek_row(w, 1, ROP_BOOKMARK_END, 0);
    rq_query_rows(w, 1, 0, 0, 2);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_BOOKMARK_CURRENT);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 3);
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[4]);
    rs_msg_row(&x.rd, &row);
    rs_msg_row(&x.rd, &row);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1), 0);
    rs_u8(&x.rd);
    rs_u32(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_BOOKMARK_CURRENT);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 2);
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[2]);           /* gamma, then alpha */
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[0]);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 2);

    w = request();
    rq_query_rows(w, 1, 0, 0, 5);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_BOOKMARK_BEGINNING);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 2);
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[4]);
}

/* R464, R465: as many whole rows as fit; R466, R478: not even one row is
 * RopBufferTooSmall. */
static void test_query_rows_fits_output(void)
{
    uint32_t h[8], num, den;
    size_t one_row;
    mapi_wr *w = request();
    exec_out x;
    msg_row row;

    open_report_view(h);
    /* RopSize, header, Origin, RowCount, then rows of 1 + subject +
     * 8 + 8 bytes; "epsilon REPORT" is 15 UTF-16 units. */
    one_row = 1 + 30 + 8 + 8;
    rq_query_rows(w, 1, 0, 1, 4);
    CU_ASSERT_EQUAL_FATAL(execute_max(h, w, 2 + 9 + one_row + 10 + 32, &x),
                          0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_BOOKMARK_CURRENT);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 1);
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[4]);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 1);

    w = request();
    rq_query_rows(w, 1, 0, 1, 4);
    CU_ASSERT_EQUAL_FATAL(execute_max(h, w, 2 + 9 + 10 + 32, &x), 0);
    CU_ASSERT_EQUAL(x.res.stop, ROP_STOP_BUFFER_TOO_SMALL);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_ID_BUFFER_TOO_SMALL);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 1);                    /* nothing was read */
}

/* R428, R476: no columns yet is ecNullObject; R436 & co.: a table ROP on
 * a folder is ecNotSupported. */
static void test_query_rows_needs_columns(void)
{
    mapi_wr *w = request();
    uint32_t h[8];
    exec_out x;

    memset(h, 0xFF, sizeof(h));
    h[0] = h_inbox;
    rq_open_table(w, ROP_ID_GET_CONTENTS_TABLE, 0, 1, 0);
    rq_query_rows(w, 1, 0, 1, 10);
    rq_find_row(w, 1, 0, wr_equal_res, "beta", ROP_BOOKMARK_BEGINNING, 0);
    rq_query_rows(w, 0, 0, 1, 10);
    rq_hdr(w, ROP_ID_QUERY_POSITION, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_CONTENTS_TABLE, 1), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 5);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), ecNullObject);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FIND_ROW, 1), ecNullObject);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 0), ecNotSupported);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_POSITION, 0), ecNotSupported);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
}

/* R435: PtypUnspecified / PtypErrorCode columns; R49: at least one. */
static void test_set_columns_invalid(void)
{
    static const uint32_t bad1[] = { PidTagSubject, 0x00370000u };
    static const uint32_t bad2[] = { 0x0037000Au };
    uint32_t h[8];
    mapi_wr *w;
    exec_out x;

    open_report_view(h);
    w = request();
    rq_set_columns(w, 1, bad1, 2);
    rq_set_columns(w, 1, bad2, 1);
    rq_set_columns(w, 1, bad2, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1), ecInvalidParam);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1), ecInvalidParam);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1), ecInvalidParam);
}

/* A categorized sort of a contents table is accepted (R61, R66; the
 * grouping is test_store_search's and test_search_views'); sorting a
 * hierarchy table is ecNotSupported (R339, R450). */
static void test_sort_unsupported(void)
{
    uint32_t h[8];
    mapi_wr *w;
    exec_out x;

    open_report_view(h);
    h[2] = h_ipm;
    w = request();
    rq_sort(w, 1, PidTagSubject, 0, 1);
    rq_open_table(w, ROP_ID_GET_HIERARCHY_TABLE, 2, 3, 0);
    rq_sort(w, 3, PidTagDisplayName, 0, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SORT_TABLE, 1), 0);
    rs_u8(&x.rd);                                  /* TableStatus */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_HIERARCHY_TABLE, 3), 0);
    rs_u32(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SORT_TABLE, 3), ecNotSupported);
}

/* ---- seeking ----------------------------------------------------------- */

/* R150, R152-R161, R497: moves and their counts. */
static void test_seek_row(void)
{
    uint32_t h[8], num, den;
    mapi_wr *w = request();
    exec_out x;

    open_report_view(h);
    rq_seek_row(w, 1, ROP_BOOKMARK_BEGINNING, 1);
    rq_seek_row(w, 1, ROP_BOOKMARK_CURRENT, 10);
    rq_seek_row(w, 1, ROP_BOOKMARK_END, -1);
    rq_seek_row(w, 1, ROP_BOOKMARK_CURRENT, -5);
    rq_seek_row(w, 1, 7, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 1);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 1);                           /* R154 */
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 3);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), (uint32_t)-1);               /* R160 */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 1);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), (uint32_t)-3);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1), ecInvalidParam);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 0);
    CU_ASSERT_EQUAL(den, 4);
}

/* R203, R204, R514-R516. */
static void test_seek_row_fractional(void)
{
    uint32_t h[8], num, den;
    mapi_wr *w;
    exec_out x;

    open_report_view(h);
    w = request();
    rq_hdr(w, ROP_ID_SEEK_ROW_FRACTIONAL, 1);
    mapi_wr_u32(w, 1);
    mapi_wr_u32(w, 2);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_FRACTIONAL, 1), 0);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 2);
    w = request();
    rq_hdr(w, ROP_ID_SEEK_ROW_FRACTIONAL, 1);
    mapi_wr_u32(w, 9);
    mapi_wr_u32(w, 3);
    rq_hdr(w, ROP_ID_SEEK_ROW_FRACTIONAL, 1);
    mapi_wr_u32(w, 1);
    mapi_wr_u32(w, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_FRACTIONAL, 1), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_FRACTIONAL, 1),
                    ecInvalidParam);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 4);
}

/* ---- bookmarks --------------------------------------------------------- */

static uint32_t create_bookmark(mapi_rd *rd)
{
    CU_ASSERT_EQUAL(rs_hdr(rd, ROP_ID_CREATE_BOOKMARK, 1), 0);
    CU_ASSERT_EQUAL(rs_u16(rd), 4);                             /* R211 */
    return rs_u32(rd);
}

/* R208, R522, R503, R504, R545, R2481, R5521, R511. */
static void test_bookmarks(void)
{
    uint32_t h[8], num, den, bm;
    mapi_wr *w = request();
    exec_out x;

    open_report_view(h);
    rq_seek_row(w, 1, ROP_BOOKMARK_BEGINNING, 1);
    rq_hdr(w, ROP_ID_CREATE_BOOKMARK, 1);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1);
    rs_u8(&x.rd);
    rs_u32(&x.rd);
    bm = create_bookmark(&x.rd);

    /* A later Execute: seek elsewhere, then back to the bookmark + 1. */
    w = request();
    rq_seek_row(w, 1, ROP_BOOKMARK_END, 0);
    rq_seek_bookmark(w, 1, bm, 1);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1);
    rs_u8(&x.rd);
    rs_u32(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_BOOKMARK, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 0);                           /* R183 */
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 1);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 2);

    w = request();
    rq_free_bookmark(w, 1, bm);
    rq_free_bookmark(w, 1, bm);
    rq_seek_bookmark(w, 1, bm, 0);
    rq_seek_bookmark(w, 1, 0xABCDEF, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FREE_BOOKMARK, 1), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FREE_BOOKMARK, 1),
                    ecInvalidBookmark);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_BOOKMARK, 1),
                    ecInvalidBookmark);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_BOOKMARK, 1),
                    ecInvalidBookmark);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
}

/* R439, R453, R864, R865, R904, R906: sort and restrict invalidate the
 * bookmarks and rewind the cursor. */
static void test_bookmarks_invalidated(void)
{
    uint32_t h[8], num, den, bm1, bm2;
    mapi_wr *w = request();
    exec_out x;

    open_report_view(h);
    rq_seek_row(w, 1, ROP_BOOKMARK_BEGINNING, 2);
    rq_hdr(w, ROP_ID_CREATE_BOOKMARK, 1);
    rq_sort(w, 1, PidTagMessageDeliveryTime, 0, 0);
    rq_hdr(w, ROP_ID_QUERY_POSITION, 1);
    rq_seek_bookmark(w, 1, 1, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1);
    rs_u8(&x.rd);
    rs_u32(&x.rd);
    bm1 = create_bookmark(&x.rd);
    CU_ASSERT_EQUAL(bm1, 1);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SORT_TABLE, 1), 0);
    rs_u8(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_POSITION, 1), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 0);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 4);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_BOOKMARK, 1),
                    ecInvalidBookmark);

    w = request();
    rq_hdr(w, ROP_ID_CREATE_BOOKMARK, 1);
    rq_restrict(w, 1, NULL);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    bm2 = create_bookmark(&x.rd);
    CU_ASSERT_NOT_EQUAL(bm2, bm1);              /* never reused */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_RESTRICT, 1), 0);
    w = request();
    rq_seek_bookmark(w, 1, bm2, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_BOOKMARK, 1),
                    ecInvalidBookmark);
    /* The restriction is gone: five rows (R454). */
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(den, 5);
}

/* R182, R184, R506: the bookmarked row leaves the table. */
static void test_bookmark_row_gone(void)
{
    const char *error = NULL;
    uint32_t h[8], num, den, bm;
    uint64_t mid;
    mapi_wr *w = request();
    exec_out x;
    msg_row row;

    open_report_view(h);
    /* Rows are recomputed at every ROP: the new message is in the view at
     * once, between epsilon and delta. */
    mid = save_message(mi->folder_ids[STORE_FOLDER_INBOX], "zeta report",
                       450);
    rq_seek_row(w, 1, ROP_BOOKMARK_BEGINNING, 1);
    rq_hdr(w, ROP_ID_CREATE_BOOKMARK, 1);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1);
    rs_u8(&x.rd);
    rs_u32(&x.rd);
    bm = create_bookmark(&x.rd);
    CU_ASSERT_EQUAL_FATAL(store_message_delete(db, pool, guid, mid, &error),
                          STORE_OK);
    w = request();
    rq_seek_bookmark(w, 1, bm, 0);
    rq_query_rows(w, 1, ROP_QUERY_ROWS_NO_ADVANCE, 1, 1);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_BOOKMARK, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 1);
    rs_u8(&x.rd);
    rs_u32(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    rs_u8(&x.rd);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 1);
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[3]);          /* the next row: delta */
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 1);
    CU_ASSERT_EQUAL(den, 4);
}

/* ---- RopFindRow -------------------------------------------------------- */

/* R223, R534, R536, R225, R226, R241, R242-R246. */
static void test_find_row(void)
{
    uint32_t h[8], num, den, bm;
    mapi_wr *w = request();
    exec_out x;
    msg_row row;

    open_report_view(h);
    rq_find_row(w, 1, 0, wr_equal_res, "gamma Report",
                ROP_BOOKMARK_BEGINNING, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FIND_ROW, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 0);           /* RowNoLongerVisible */
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 1);           /* HasRowData */
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[2]);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 2);

    /* Backward from the end; then forward from a bookmark on alpha. */
    w = request();
    rq_find_row(w, 1, ROP_FIND_ROW_BACKWARD, wr_content_res, "report",
                ROP_BOOKMARK_END, 0);
    rq_hdr(w, ROP_ID_CREATE_BOOKMARK, 1);
    rq_find_row(w, 1, 0, wr_equal_res, "epsilon REPORT",
                ROP_BOOKMARK_CURRENT, 0);
    rq_find_row(w, 1, 0, wr_equal_res, "beta", ROP_BOOKMARK_BEGINNING, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FIND_ROW, 1), 0);
    rs_u8(&x.rd);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 1);
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[0]);
    bm = create_bookmark(&x.rd);
    /* epsilon is before the cursor: not found forward (R544001). */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FIND_ROW, 1), ecNotFound);
    /* beta is restricted out of the table (R452). */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FIND_ROW, 1), ecNotFound);

    w = request();
    rq_find_row(w, 1, ROP_FIND_ROW_BACKWARD, wr_content_res, "report",
                ROP_BOOKMARK_CUSTOM, bm);
    rq_find_row(w, 1, 0, wr_content_res, "report", ROP_BOOKMARK_CUSTOM,
                bm + 100);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FIND_ROW, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), 1);
    CU_ASSERT_EQUAL(rs_msg_row(&x.rd, &row), 0);
    CU_ASSERT_EQUAL(row.mid, mids[2]);          /* the row before alpha */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_FIND_ROW, 1), ecInvalidBookmark);
}

/* ---- the rest ---------------------------------------------------------- */

/* R553-R562: reset drops columns, sort, restriction, bookmarks. */
static void test_reset_table(void)
{
    uint32_t h[8], num, den;
    mapi_wr *w = request();
    exec_out x;

    open_report_view(h);
    rq_seek_row(w, 1, ROP_BOOKMARK_BEGINNING, 2);
    rq_hdr(w, ROP_ID_CREATE_BOOKMARK, 1);
    rq_hdr(w, ROP_ID_RESET_TABLE, 1);
    rq_query_rows(w, 1, 0, 1, 1);
    rq_seek_bookmark(w, 1, 1, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    rs_hdr(&x.rd, ROP_ID_SEEK_ROW, 1);
    rs_u8(&x.rd);
    rs_u32(&x.rd);
    create_bookmark(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_RESET_TABLE, 1), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), ecNullObject);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SEEK_ROW_BOOKMARK, 1), ecNullObject);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
    query_position(h, &num, &den);
    CU_ASSERT_EQUAL(num, 0);                    /* R561 */
    CU_ASSERT_EQUAL(den, 5);                    /* R556 */
}

/* R485 (abort), R131/R132 (status), R216/R217/R530 (all columns). */
static void test_abort_status_columns_all(void)
{
    uint32_t h[8], count, i, tag, prev = 0;
    int subject = 0, mid = 0, inst = 0;
    mapi_wr *w = request();
    exec_out x;

    open_report_view(h);
    rq_hdr(w, ROP_ID_ABORT, 1);
    rq_hdr(w, ROP_ID_GET_STATUS, 1);
    rq_hdr(w, ROP_ID_QUERY_COLUMNS_ALL, 1);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_ABORT, 1), ecUnableToAbort);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_STATUS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_TBLSTAT_COMPLETE);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_COLUMNS_ALL, 1), 0);
    count = rs_u16(&x.rd);
    CU_ASSERT(count >= 4);
    for (i = 0; i < count && !x.rd.failed; i++) {
        tag = rs_u32(&x.rd);
        CU_ASSERT(i == 0 || tag > prev);        /* no duplicates */
        prev = tag;
        subject |= tag == PidTagSubject;
        mid |= tag == PidTagMid;
        inst |= tag == PidTagInstID;
    }
    CU_ASSERT(subject && mid && inst);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
}

/* [MS-OXCROPS] 2.2.6.17: the attachment table of a message object's
 * working copy; its response has no RowCount. */
static void test_attachment_table(void)
{
    static const uint32_t cols[] = {
        PidTagAttachNumber, PidTagAttachLongFilename, PidTagAttachMethod,
        PidTagRenderingPosition,
    };
    rop_object *o = apr_pcalloc(pool, sizeof(*o));
    store_attachment *att;
    const char *name = NULL;
    uint32_t h[8];
    mapi_wr *w = request();
    exec_out x;
    int i;

    o->type = ROP_OBJ_MESSAGE;
    o->parent = h_inbox;
    memcpy(o->mbox, guid, 16);
    o->fid = mi->folder_ids[STORE_FOLDER_INBOX];
    o->msg_flags = ROP_MSG_NEW | ROP_MSG_WRITE;
    o->msg = store_message_new(pool, o->fid, 0);
    if (!o->msg->attachments)
        o->msg->attachments = apr_array_make(pool, 2,
                                             sizeof(store_attachment));
    for (i = 0; i < 2; i++) {
        att = &APR_ARRAY_PUSH(o->msg->attachments, store_attachment);
        memset(att, 0, sizeof(*att));
        att->attach_num = (uint32_t)i;
        store_props_init(&att->props, pool);
        store_props_set_u32(&att->props, PidTagAttachMethod, ATTACH_BY_VALUE);
        store_props_set_str(&att->props, PidTagAttachLongFilename,
                            i ? "two.txt" : "one.txt");
        store_props_set_bin(&att->props, PidTagAttachDataBinary, "abc", 3);
    }
    o->msg->next_attach_num = 2;
    memset(h, 0xFF, sizeof(h));
    h[0] = make_object(o);
    CU_ASSERT_FATAL(h[0] != 0);
    h[2] = h_inbox;
    rq_open_table(w, ROP_ID_GET_ATTACHMENT_TABLE, 0, 1, ROP_TBL_ATT_UNICODE);
    rq_set_columns(w, 1, cols, 4);
    rq_query_rows(w, 1, 0, 1, 10);
    rq_open_table(w, ROP_ID_GET_ATTACHMENT_TABLE, 2, 3, 0);
    rq_open_table(w, ROP_ID_GET_HIERARCHY_TABLE, 0, 3, 0);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_ATTACHMENT_TABLE, 1), 0);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1), 0);
    rs_u8(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_BOOKMARK_END);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 2);
    for (i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_ROW_STANDARD);
        CU_ASSERT_EQUAL(rs_u32(&x.rd), (uint32_t)i);
        CU_ASSERT_EQUAL(mapi_rd_str16(&x.rd, pool, 256, &name), 0);
        CU_ASSERT_STRING_EQUAL(name ? name : "", i ? "two.txt" : "one.txt");
        CU_ASSERT_EQUAL(rs_u32(&x.rd), ATTACH_BY_VALUE);
        CU_ASSERT_EQUAL(rs_u32(&x.rd), 0xFFFFFFFFu);
    }
    /* [MS-OXCMSG] R1526: a folder is no message. */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_ATTACHMENT_TABLE, 3),
                    ecNullObject);
    /* A hierarchy table of a message: not a folder. */
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_GET_HIERARCHY_TABLE, 3),
                    ecNotSupported);
    CU_ASSERT_EQUAL(mapi_rd_left(&x.rd), 0);
}

/* R121, R122: long values are cut to 510 bytes. */
static void test_long_values_truncated(void)
{
    static const uint32_t cols[] = { PidTagSubject };
    char big[700];
    const char *got = NULL;
    uint32_t h[8];
    mapi_wr *w = request();
    exec_out x;
    uint64_t fid = mi->folder_ids[STORE_FOLDER_DRAFTS];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    CU_ASSERT_FATAL(save_message(fid, big, 1) != 0);
    memset(h, 0xFF, sizeof(h));
    h[0] = make_folder(fid);
    rq_open_table(w, ROP_ID_GET_CONTENTS_TABLE, 0, 1, 0);
    rq_set_columns(w, 1, cols, 1);
    rq_query_rows(w, 1, 0, 1, 1);
    CU_ASSERT_EQUAL_FATAL(execute(h, w, &x), 0);
    rs_hdr(&x.rd, ROP_ID_GET_CONTENTS_TABLE, 1);
    CU_ASSERT_EQUAL(rs_u32(&x.rd), 1);
    rs_hdr(&x.rd, ROP_ID_SET_COLUMNS, 1);
    rs_u8(&x.rd);
    CU_ASSERT_EQUAL(rs_hdr(&x.rd, ROP_ID_QUERY_ROWS, 1), 0);
    rs_u8(&x.rd);
    CU_ASSERT_EQUAL(rs_u16(&x.rd), 1);
    CU_ASSERT_EQUAL(rs_u8(&x.rd), ROP_ROW_STANDARD);
    CU_ASSERT_EQUAL(mapi_rd_str16(&x.rd, pool, 1024, &got), 0);
    CU_ASSERT_EQUAL(got ? strlen(got) : 0, 255);
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("rop_table", suite_init, suite_clean);
    CU_add_test(s, "R1001 hierarchy table of the IPM subtree",
                test_hierarchy_ipm_subtree);
    CU_add_test(s, "OXCFOLD R801 deep hierarchy with PidTagDepth",
                test_hierarchy_deep);
    CU_add_test(s, "OXCFOLD R314 R330 bad TableFlags", test_open_bad_flags);
    CU_add_test(s, "R119 R462 sorted restricted pages across Executes",
                test_contents_paging);
    CU_add_test(s, "R469 R470 NoAdvance and backward reads",
                test_query_rows_no_advance_and_backward);
    CU_add_test(s, "R464 R466 rows that fit, else BufferTooSmall",
                test_query_rows_fits_output);
    CU_add_test(s, "R476 R826 columns first; non-tables refused",
                test_query_rows_needs_columns);
    CU_add_test(s, "R435 invalid columns", test_set_columns_invalid);
    CU_add_test(s, "R61 categorized sort; R450 hierarchy sorts unsupported",
                test_sort_unsupported);
    CU_add_test(s, "R497 RopSeekRow", test_seek_row);
    CU_add_test(s, "R514 RopSeekRowFractional", test_seek_row_fractional);
    CU_add_test(s, "R522 R5521 bookmarks", test_bookmarks);
    CU_add_test(s, "R439 R453 sort/restrict invalidate bookmarks",
                test_bookmarks_invalidated);
    CU_add_test(s, "R506 bookmark on a deleted row", test_bookmark_row_gone);
    CU_add_test(s, "R534 R536 RopFindRow", test_find_row);
    CU_add_test(s, "R553 R561 RopResetTable", test_reset_table);
    CU_add_test(s, "R485 R131 R530 abort, status, all columns",
                test_abort_status_columns_all);
    CU_add_test(s, "attachment table of a working copy",
                test_attachment_table);
    CU_add_test(s, "R122 long values truncated", test_long_values_truncated);
    CU_add_test(s, "delivery-time index agrees with the full sort",
                test_delivery_index);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
