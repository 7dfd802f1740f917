/*
 * test_rops_large.c: an Outlook user attaches a 20 MiB file.  The
 * attachment is written through RopOpenStream / RopWriteStream in 10,000
 * byte writes (three per Execute: the rgbIn block holds 32 KiB), committed,
 * saved with the attachment and the message; a second session reads it
 * back with RopReadStream under extended buffer packing (Chain, MaxRopOut
 * 0x40000: several payloads per Execute) and compares it byte for byte;
 * the attachment table row shows the data column as ecNotEnoughMemory;
 * once the message is deleted its chunks are gone, which the reader's
 * still open stream, reading the mailbox blob in place, sees as
 * ecNotFound.  The elapsed times and throughput are printed, not checked.
 *
 * Requirement ids: [MS-OXCPRPT], [MS-OXCMSG], [MS-OXCRPC] (packing)
 * (/work/shared/specs/).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

#define BIG_LEN      (20u * 1024 * 1024)
#define WRITE_CHUNK  10000u
#define MAX_OUT_BIG  0x40000u
#define TAG_ATTACH_SIZE 0x0E200003u
#define TAG_HTML     0x10130102u      /* PidTagHtml, binary */
#define HTML_LEN     20000u           /* over the 16 KiB inline limit */
#define EC_NOT_ENOUGH_MEMORY 0x8007000Eu
#define EC_NOT_FOUND 0x8004010Fu

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Deterministic pseudo-random bytes (xorshift32). */
static uint8_t *pattern(apr_pool_t *p)
{
    uint8_t *d = malloc(BIG_LEN);
    uint32_t x = 0x9E3779B9u;

    (void)p;
    for (size_t i = 0; d && i < BIG_LEN; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        d[i] = (uint8_t)(x >> 7);
    }
    return d;
}

static uint8_t html[HTML_LEN];

/* Message 1, attachment 2, stream 3 (Create) on its data, stream 4 on the
 * message's PidTagHtml with HTML_LEN bytes written: their handles. */
static int lg_create(rc_fx *f, uint32_t *h)
{
    rc_prop av[2] = { rc_pv_i32(RC_TAG_ATTACH_METHOD, 1),
                      rc_pv_str(RC_TAG_ATTACH_LONG_FILENAME, "big.bin") };
    rc_buf b;
    rc_exec x;
    rc_head hd;
    uint8_t has_mid;
    uint64_t tmid;
    uint32_t attach_id, size = 1;
    uint16_t np;
    rc_problem *pp;
    int rc = -1;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->inbox);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, f->s.lo.fids[RC_FID_INBOX], 0);
    rc_req_create_attachment(&b, 0, 1, 2);
    rc_req_set_props(&b, 0, 2, av, 2);
    rc_req_open_stream(&b, 0, 2, 3, RC_TAG_ATTACH_DATA_BIN, 2);
    rc_req_open_stream(&b, 0, 1, 4, TAG_HTML, 2);
    rc_req_write_stream(&b, 0, 4, html, 10000);
    rc_req_write_stream(&b, 0, 4, html + 10000, HTML_LEN - 10000);
    if (rc_fx_run(f, &b, &x, "create") != 0)
        return -1;
    if (rc_rsp_create_message(&x.resp, &hd, &has_mid, &tmid) || hd.rv
        || rc_rsp_create_attachment(&x.resp, &hd, &attach_id) || hd.rv
        || rc_rsp_problems(&x.resp, RC_ROP_SET_PROPS, &hd, &np, &pp) || hd.rv
        || rc_rsp_open_stream(&x.resp, &hd, &size) || hd.rv
        || rc_rsp_open_stream(&x.resp, &hd, &size) || hd.rv
        || rc_rsp_write_stream(&x.resp, &hd, &np) || hd.rv
        || rc_rsp_write_stream(&x.resp, &hd, &np) || hd.rv)
        CHECKF(0, "[MS-OXCPRPT] create message, attachment, streams: 0x%08X "
               "(%s)", hd.rv, rc_resp_error(&x.resp));
    else
        rc = 0;
    for (int i = 1; i <= 4; i++)
        h[i] = rc_resp_handle(&x.resp, (uint8_t)i);
    rc_exec_free(&x);
    return rc;
}

/* BIG_LEN bytes, three RopWriteStream per Execute. */
static int lg_write(rc_fx *f, uint32_t strm, const uint8_t *data)
{
    size_t off = 0;

    while (off < BIG_LEN) {
        rc_buf b;
        rc_exec x;
        size_t sent[3];
        int k = 0, ok = 1;

        rc_buf_init(&b, f->s.pool);
        rc_buf_handle(&b, 0, strm);
        for (; k < 3 && off < BIG_LEN; k++) {
            size_t n = BIG_LEN - off < WRITE_CHUNK ? BIG_LEN - off
                                                   : WRITE_CHUNK;

            rc_req_write_stream(&b, 0, 0, data + off, (uint16_t)n);
            sent[k] = n;
            off += n;
        }
        if (rc_fx_run(f, &b, &x, "RopWriteStream") != 0)
            return -1;
        for (int i = 0; i < k && ok; i++) {
            rc_head h;
            uint16_t w = 0;

            ok = rc_rsp_write_stream(&x.resp, &h, &w) == 0 && h.rv == 0
                 && w == sent[i];
            CHECKF(ok, "[MS-OXCPRPT] R560: RopWriteStream up to %zu: 0x%08X, "
                   "WrittenSize %u (%s)", off, h.rv, w,
                   rc_resp_error(&x.resp));
        }
        rc_exec_free(&x);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Commit (R56403), save the attachment and the message: the message id. */
static int lg_save(rc_fx *f, const uint32_t *h, uint64_t *mid)
{
    rc_buf b;
    rc_exec x;
    rc_head hd;
    uint8_t idx;
    int rc = -1;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->inbox);
    for (int i = 1; i <= 4; i++)
        rc_buf_handle(&b, (uint8_t)i, h[i]);
    rc_req_commit_stream(&b, 0, 4);
    rc_req_release(&b, 0, 4);
    rc_req_commit_stream(&b, 0, 3);
    rc_req_release(&b, 0, 3);
    rc_req_save_changes_attachment(&b, 0, 1, 2, 0x02);
    rc_req_release(&b, 0, 2);
    rc_req_save_changes_message(&b, 0, 0, 1, 0x02);
    rc_req_release(&b, 0, 1);
    if (rc_fx_run(f, &b, &x, "save") != 0)
        return -1;
    if (rc_rsp_generic(&x.resp, RC_ROP_COMMIT_STREAM, &hd) || hd.rv
        || rc_rsp_generic(&x.resp, RC_ROP_COMMIT_STREAM, &hd) || hd.rv)
        CHECKF(0, "[MS-OXCPRPT] RopCommitStream of 20 KB and 20 MiB: 0x%08X (%s)",
               hd.rv, rc_resp_error(&x.resp));
    else if (rc_rsp_save_changes_attachment(&x.resp, &hd) || hd.rv)
        CHECKF(0, "RopSaveChangesAttachment: 0x%08X (%s)", hd.rv,
               rc_resp_error(&x.resp));
    else if (rc_rsp_save_changes_message(&x.resp, &hd, &idx, mid) || hd.rv)
        CHECKF(0, "RopSaveChangesMessage with a 20 MiB attachment: 0x%08X "
               "(%s)", hd.rv, rc_resp_error(&x.resp));
    else
        rc = 0;
    rc_exec_free(&x);
    return rc;
}

/* The second session opens message 1, attachment 2 and its stream 3
 * (ReadOnly); GetPropertiesSpecific of the data is ecNotEnoughMemory
 * (R2052), and so is PidTagHtml in the message's contents-table row. */
static int lg_open(rc_fx *g, uint64_t mid, uint32_t *h)
{
    static const uint32_t ptags[2] = { RC_TAG_ATTACH_DATA_BIN,
                                       TAG_ATTACH_SIZE };
    static const uint32_t cols[2] = { RC_TAG_MID, TAG_HTML };
    rc_buf b;
    rc_exec x;
    rc_head hd;
    rc_message_rsp m;
    rc_rows_rsp rows;
    rc_row prow;
    uint32_t size = 0, nrows = 0;
    uint8_t status;
    int rc = -1;

    rc_buf_init(&b, g->s.pool);
    rc_buf_handle(&b, 0, g->inbox);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, g->s.lo.fids[RC_FID_INBOX], 0,
                        mid);
    rc_req_open_attachment(&b, 0, 1, 2, 0, 0);
    rc_req_get_props_specific(&b, 0, 2, 0, 1, ptags, 2);
    rc_req_open_stream(&b, 0, 2, 3, RC_TAG_ATTACH_DATA_BIN, 0);
    rc_req_get_contents_table(&b, 0, 0, 4, 0);
    rc_req_set_columns(&b, 0, 4, 0, cols, 2);
    rc_req_query_rows(&b, 0, 4, 0, 1, 100);
    if (rc_fx_run(g, &b, &x, "open in the second session") != 0)
        return -1;
    memset(&rows, 0, sizeof(rows));
    if (rc_rsp_open_message(&x.resp, &m) || m.h.rv
        || rc_rsp_generic(&x.resp, RC_ROP_OPEN_ATTACHMENT, &hd) || hd.rv
        || rc_rsp_get_props_specific(&x.resp, ptags, 2, &hd, &prow) || hd.rv
        || rc_rsp_open_stream(&x.resp, &hd, &size) || hd.rv) {
        CHECKF(0, "[MS-OXCPRPT] open message, attachment, stream: 0x%08X "
               "(%s)", hd.rv, rc_resp_error(&x.resp));
    } else if (rc_rsp_get_table(&x.resp, RC_ROP_GET_CONTENTS_TABLE, &hd,
                                &nrows) || hd.rv
               || rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &hd,
                                      &status) || hd.rv
               || rc_rsp_query_rows(&x.resp, cols, 2, &rows) || rows.h.rv) {
        CHECKF(0, "contents table: 0x%08X (%s)", hd.rv,
               rc_resp_error(&x.resp));
    } else {
        const rc_prop *d = rc_row_find(&prow, RC_TAG_ATTACH_DATA_BIN);
        const rc_prop *s = rc_row_find(&prow, TAG_ATTACH_SIZE);
        const rc_prop *html_col = NULL;

        CHECKF(size == BIG_LEN, "[MS-OXCPRPT] RopOpenStream: StreamSize %u, "
               "%u written", size, BIG_LEN);
        CHECKF(d && d->type == RC_PT_ERROR
               && d->v.u32 == EC_NOT_ENOUGH_MEMORY,
               "[MS-OXCPRPT] R2052: GetPropertiesSpecific of the 20 MiB data: "
               "type 0x%04X value 0x%08X, not ecNotEnoughMemory",
               d ? d->type : 0, d ? d->v.u32 : 0);
        CHECKF(s && s->v.u32 >= BIG_LEN, "PidTagAttachSize %u for %u bytes",
               s ? s->v.u32 : 0, BIG_LEN);
        for (uint16_t i = 0; i < rows.count; i++) {
            const rc_prop *pm = rc_row_find(&rows.rows[i], RC_TAG_MID);

            if (pm && pm->v.u64 == mid)
                html_col = rc_row_find(&rows.rows[i], TAG_HTML);
        }
        CHECKF(html_col && html_col->type == RC_PT_ERROR
               && html_col->v.u32 == EC_NOT_ENOUGH_MEMORY,
               "[MS-OXCPRPT] R2052: the contents row's %u-byte PidTagHtml is "
               "type 0x%04X value 0x%08X, not ecNotEnoughMemory", HTML_LEN,
               html_col ? html_col->type : 0, html_col ? html_col->v.u32 : 0);
        rc = size == BIG_LEN ? 0 : -1;
    }
    for (int i = 1; i <= 3; i++)
        h[i] = rc_resp_handle(&x.resp, (uint8_t)i);
    rc_exec_free(&x);
    return rc;
}

/* A cursor over payload i of the response (see test_rops_packing.c). */
static int lg_payload(const mhc_execute_rsp *ex, size_t i, apr_pool_t *p,
                      rc_resp *r)
{
    const rpcext_block *blk = &ex->out.blocks[i];
    uint16_t rop_size;
    uint32_t *handles;
    size_t n;

    if (blk->size < 2)
        return -1;
    rop_size = (uint16_t)(blk->payload[0] | blk->payload[1] << 8);
    if (rop_size < 2 || rop_size > blk->size
        || (blk->size - rop_size) % 4 != 0)
        return -1;
    n = (blk->size - rop_size) / 4;
    handles = apr_pcalloc(p, (n + 1) * sizeof(uint32_t));
    for (size_t k = 0; k < n; k++) {
        const uint8_t *h = blk->payload + rop_size + 4 * k;

        handles[k] = (uint32_t)h[0] | (uint32_t)h[1] << 8
                     | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    }
    rc_resp_init(r, p, blk->payload + 2, rop_size - 2u, handles, n);
    return 0;
}

/* One packed RopReadStream (0xBABE, the rest of the stream) appended to
 * got: the bytes it brought, -1 on failure; *rv_r the ReturnValue. */
static long lg_read_once(rc_fx *g, uint32_t strm, uint8_t *got, size_t have,
                         size_t *payloads, uint32_t *rv_r)
{
    mhc_response http = { 0 };
    mhc_execute_rsp ex;
    rc_buf b;
    long total = 0;
    int rc;

    *rv_r = 0;
    rc_buf_init(&b, g->s.pool);
    rc_buf_handle(&b, 0, strm);
    rc_req_read_stream(&b, 0, 0, 0xBABE, (uint32_t)(BIG_LEN - have));
    rc = mhc_execute_max(g->c, MHC_EXEC_CHAIN, MAX_OUT_BIG, b.wr.buf,
                         b.wr.len, b.handles, b.n_handles, &http, &ex);
    if (rc != 0 || ex.parsed != MHC_PARSE_SUCCESS || !ex.out.ok) {
        CHECKF(0, "Execute of RopReadStream: %d", rc);
        mhc_response_free(&http);
        return -1;
    }
    *payloads = ex.out.n_blocks;
    for (size_t i = 0; i < ex.out.n_blocks; i++) {
        rc_resp r;
        rc_head h;
        rc_bin d;

        if (lg_payload(&ex, i, http.pool, &r) != 0
            || rc_rsp_read_stream(&r, &h, &d) != 0) {
            CHECKF(0, "[MS-OXCRPC] R963: payload %zu is no RopReadStream", i);
            total = -1;
            break;
        }
        if ((*rv_r = h.rv) != 0)
            break;
        if (have + (size_t)total + d.len > BIG_LEN) {
            CHECKF(0, "R1280: more bytes than MaximumByteCount");
            total = -1;
            break;
        }
        memcpy(got + have + total, d.data, d.len);
        total += (long)d.len;
    }
    mhc_response_free(&http);
    return total;
}

static void test_attach_20_mib_R56403_R2052(void)
{
    rc_fx f, g;
    uint32_t hw[5], hr[4];
    uint64_t mid = 0;
    uint8_t *data = NULL, *got = NULL;
    size_t have = 0, payloads = 0, executes = 0, max_payloads = 0;
    double t0, t_write, t_read;
    uint32_t rv;

    if (rc_fx_open(&f, &H) != 0)
        return;
    if (rc_fx_open(&g, &H) != 0) {
        rc_fx_close(&f);
        return;
    }
    data = pattern(f.s.pool);
    for (uint32_t i = 0; i < HTML_LEN; i++)
        html[i] = (uint8_t)('a' + i % 26);
    got = malloc(BIG_LEN);
    REQUIREF(data && got, "out of memory");
    REQUIREF(lg_create(&f, hw) == 0, "no stream to write");
    t0 = now_s();
    REQUIREF(lg_write(&f, hw[3], data) == 0, "write loop");
    t_write = now_s() - t0;
    t0 = now_s();
    REQUIREF(lg_save(&f, hw, &mid) == 0, "save");
    printf("\n  write: %u bytes in %.2f s (%.1f MiB/s), %u Executes; commit "
           "and save %.2f s\n", BIG_LEN, t_write,
           BIG_LEN / 1048576.0 / t_write,
           (BIG_LEN + 3 * WRITE_CHUNK - 1) / (3 * WRITE_CHUNK),
           now_s() - t0);
    REQUIREF(lg_open(&g, mid, hr) == 0, "open in the second session");
    t0 = now_s();
    while (have < BIG_LEN && executes < 2000) {
        long n = lg_read_once(&g, hr[3], got, have, &payloads, &rv);

        executes++;
        if (n <= 0 || rv) {
            CHECKF(0, "[MS-OXCPRPT] RopReadStream at %zu: %ld bytes, 0x%08X",
                   have, n, rv);
            break;
        }
        have += (size_t)n;
        if (payloads > max_payloads)
            max_payloads = payloads;
    }
    t_read = now_s() - t0;
    printf("  read: %zu bytes in %.2f s (%.1f MiB/s), %zu Executes, up to "
           "%zu payloads each\n", have, t_read, have / 1048576.0 / t_read,
           executes, max_payloads);
    CHECKF(max_payloads > 1, "[MS-OXCRPC] R962: one payload per Execute");
    CHECKF(have == BIG_LEN && memcmp(got, data, BIG_LEN) == 0,
           "[MS-OXCPRPT] R56403: %zu bytes read back, %u written, or they "
           "differ", have, BIG_LEN);

    /* Deleted: its chunks go with it ([MS-OXCMSG] R1045 hard delete is
     * not needed: a private mailbox frees at once).  The reader's stream
     * reads the mailbox blob in place, so it now finds nothing. */
    {
        rc_buf b;
        rc_exec x;
        rc_head hd;
        uint8_t partial = 1;

        rc_buf_init(&b, f.s.pool);
        rc_buf_handle(&b, 0, f.inbox);
        rc_req_delete_messages(&b, 0, 0, 0, 0, 0, &mid, 1);
        REQUIREF(rc_fx_run(&f, &b, &x, "RopDeleteMessages") == 0, "delete");
        CHECKF(rc_rsp_partial(&x.resp, RC_ROP_DELETE_MESSAGES, &hd,
                              &partial) == 0 && hd.rv == 0 && partial == 0,
               "RopDeleteMessages: 0x%08X partial %u", hd.rv, partial);
        rc_exec_free(&x);

        rc_buf_init(&b, g.s.pool);
        rc_buf_handle(&b, 0, hr[3]);
        rc_req_seek_stream(&b, 0, 0, 0, 0);
        rc_req_read_stream(&b, 0, 0, 1000, 0);
        REQUIREF(rc_fx_run(&g, &b, &x, "read after delete") == 0, "read");
        {
            uint64_t pos;
            rc_bin d;

            rc_rsp_seek_stream(&x.resp, &hd, &pos);
            CHECKF(rc_rsp_read_stream(&x.resp, &hd, &d) == 0
                   && hd.rv == EC_NOT_FOUND,
                   "the deleted message's chunks still read: 0x%08X", hd.rv);
        }
        rc_exec_free(&x);
    }
out:
    free(data);
    free(got);
    rc_fx_close(&g);
    rc_fx_close(&f);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ROPs: a 20 MiB attachment through streams", suite_init,
                     suite_cleanup);
    CU_add_test(s, "write 20 MiB in 10 KB RopWriteStreams, read it back "
                "packed in a second session, table row ecNotEnoughMemory, "
                "chunks gone with the message (MS-OXCPRPT R56403 R2052)",
                test_attach_20_mib_R56403_R2052);
    return harness_run_tests();
}
