/*
 * test_rops_packing.c: extended buffer packing ([MS-OXCRPC]
 * 3.1.4.2.1.2.2) end to end through httpd.  With the Chain flag, a last
 * RopQueryRows with EnablePackedBuffers or a last RopReadStream is
 * answered in several RPC_HEADER_EXT payloads, each reading like the
 * answer to a request with only that ROP; without Chain, without
 * EnablePackedBuffers, or once what was asked for is sent, there is one.
 *
 * Requirement ids: [MS-OXCRPC] unless marked otherwise
 * (/work/shared/specs/).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

#define N_ROWS        400            /* about 150 KB of rows */
#define STREAM_LEN    200000u
#define WRITE_CHUNK   10000u
#define MAX_OUT_BIG   0x40000u       /* room for several payloads */
#define MAX_OUT_OL    0x10008u       /* what Outlook sends */
#define QR_PACKED     0x02           /* MS-OXCTABL EnablePackedBuffers */
#define QR_NO_ADVANCE 0x01
#define TAG_BIN_PROP  0x10130102u    /* PidTagHtml, a binary property */

static uint64_t rows_fid;             /* the folder of N_ROWS messages */

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* ------------------------------------------------------------ helpers -- */

/* One Execute with the client's flags and MaxRopOut; 0 when the call
 * succeeded and the RopBuffer decoded. */
static int pk_exec(rc_fx *f, rc_buf *b, uint32_t flags, uint32_t max_out,
                   mhc_response *http, mhc_execute_rsp *ex)
{
    int rc = mhc_execute_max(f->c, flags, max_out, b->wr.buf, b->wr.len,
                             b->handles, b->n_handles, http, ex);

    CHECKF(rc == 0 && ex->parsed == MHC_PARSE_SUCCESS && ex->error_code == 0
           && ex->out.ok, "Execute: X-ResponseCode %d, ErrorCode 0x%08X, "
           "RopBuffer %s", rc, ex->error_code, ex->out.ok ? "ok" : "bad");
    if (rc != 0 || !ex->out.ok)
        return -1;
    /* R972: never more than the client made room for. */
    CHECKF(ex->rop_buffer_size <= max_out, "RopBufferSize %u over MaxRopOut "
           "%u", ex->rop_buffer_size, max_out);
    return 0;
}

/* A cursor over payload i of the response: RopSize, the responses, the
 * handle table.  -1 when the payload is not a ROP output buffer. */
static int pk_payload(const mhc_execute_rsp *ex, size_t i, apr_pool_t *p,
                      rc_resp *r, size_t *n_handles)
{
    const rpcext_block *blk = &ex->out.blocks[i];
    uint16_t rop_size;
    uint32_t *handles;
    size_t n, k;

    if (blk->size < 2)
        return -1;
    rop_size = (uint16_t)(blk->payload[0] | blk->payload[1] << 8);
    if (rop_size < 2 || rop_size > blk->size
        || (blk->size - rop_size) % 4 != 0)
        return -1;
    n = (blk->size - rop_size) / 4;
    handles = apr_pcalloc(p, (n + 1) * sizeof(uint32_t));
    for (k = 0; k < n; k++) {
        const uint8_t *h = blk->payload + rop_size + 4 * k;
        handles[k] = (uint32_t)h[0] | (uint32_t)h[1] << 8
                     | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    }
    rc_resp_init(r, p, blk->payload + 2, rop_size - 2u, handles, n);
    *n_handles = n;
    return 0;
}

/* R965: Last on the final block only. */
static void pk_check_last_flags(const mhc_execute_rsp *ex)
{
    for (size_t i = 0; i < ex->out.n_blocks; i++) {
        int last = (ex->out.block_flags[i] & RPCEXT_LAST) != 0;

        CHECKF(last == (i + 1 == ex->out.n_blocks), "R965: block %zu of %zu "
               "has Last %d", i, ex->out.n_blocks, last);
    }
}

/* R968: each payload after the first was added with at least min_room
 * bytes of MaxRopOut left; and when packing ended early (more_wanted),
 * less than min_room was left or 96 payloads were reached (R969). */
static void pk_check_room(const mhc_execute_rsp *ex, uint32_t max_out,
                          size_t min_room, int more_wanted)
{
    size_t used = 0;

    for (size_t i = 0; i < ex->out.n_blocks; i++) {
        if (i > 0)
            CHECKF(max_out - used >= min_room, "R968: payload %zu added with "
                   "%zu bytes left", i, max_out - used);
        used += RPCEXT_HEADER_SIZE + ex->out.block_wire[i];
    }
    if (more_wanted)
        CHECKF(max_out - used < min_room || ex->out.n_blocks == 96,
               "R967: packing stopped with %zu bytes left after %zu payloads",
               max_out - used, ex->out.n_blocks);
}

static const uint32_t row_cols[2] = { RC_TAG_MID, RC_TAG_SUBJECT };

/* The rows of every payload: each payload holds one RopQueryRows
 * response naming the request's InputHandleIndex over a handle table of
 * the request's size (R963).  Subjects are counted into seen[]. */
static unsigned pk_collect_rows(const mhc_execute_rsp *ex, apr_pool_t *p,
                                size_t n_req_handles, unsigned char *seen,
                                uint8_t *last_origin)
{
    unsigned total = 0;

    for (size_t i = 0; i < ex->out.n_blocks; i++) {
        rc_resp r;
        rc_rows_rsp rows;
        size_t nh = 0;

        if (pk_payload(ex, i, p, &r, &nh) != 0) {
            CHECKF(0, "R965: payload %zu is not a ROP output buffer", i);
            return total;
        }
        CHECKF(nh == n_req_handles, "R963: payload %zu has %zu handles, the "
               "request %zu", i, nh, n_req_handles);
        if (rc_rsp_query_rows(&r, row_cols, 2, &rows) != 0 || rows.h.rv) {
            CHECKF(0, "R963: payload %zu: RopQueryRows 0x%08X (%s)", i,
                   rows.h.rv, rc_resp_error(&r));
            return total;
        }
        CHECKF(rc_resp_left(&r) == 0, "R963: payload %zu holds more than its "
               "RopQueryRows response (%zu bytes left)", i, rc_resp_left(&r));
        CHECKF(i == 0 || rows.count > 0, "payload %zu carries no row", i);
        for (unsigned k = 0; k < rows.count; k++) {
            const char *subj = rc_row_str(&rows.rows[k], RC_TAG_SUBJECT);
            int n = subj ? atoi(subj + 11) : -1;   /* "packed row NNN" */

            if (n >= 0 && n < N_ROWS)
                seen[n]++;
        }
        total += rows.count;
        *last_origin = rows.origin;
    }
    return total;
}

/* The folder of N_ROWS messages under the Inbox, made once. */
static int pk_make_rows_folder(rc_fx *f)
{
    char subject[200];
    uint32_t folder = RC_NO_HANDLE;
    uint64_t mid;

    if (rows_fid)
        return 0;
    if (rc_create_folder(&f->s, f->inbox, "packing rows", NULL, 0, &rows_fid,
                         &folder) != 0) {
        CHECKF(0, "setup: RopCreateFolder: %s", f->s.error);
        return -1;
    }
    for (int i = 0; i < N_ROWS; i++) {
        rc_prop v;

        snprintf(subject, sizeof(subject), "packed row %03d %0150d", i, 0);
        v = rc_pv_str(RC_TAG_SUBJECT, subject);
        if (rc_create_message(&f->s, folder, rows_fid, &v, 1, &mid) != 0) {
            CHECKF(0, "setup: message %d: %s", i, f->s.error);
            return -1;
        }
    }
    rc_release(&f->s, folder);
    return 0;
}

/* A contents table of the rows folder with the columns set: the table
 * handle, or RC_NO_HANDLE. */
static uint32_t pk_open_table(rc_fx *f)
{
    uint32_t folder = RC_NO_HANDLE, table = RC_NO_HANDLE, n = 0;
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t status;

    if (pk_make_rows_folder(f) != 0
        || rc_open_folder(&f->s, rows_fid, &folder) != 0
        || rc_get_contents_table(&f->s, folder, 0, &table, &n) != 0) {
        CHECKF(0, "setup: contents table: %s", f->s.error);
        return RC_NO_HANDLE;
    }
    CHECKF(n == N_ROWS, "setup: %u rows, not %d", n, N_ROWS);
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_set_columns(&b, 0, 0, 0, row_cols, 2);
    if (rc_fx_run(f, &b, &x, "RopSetColumns") != 0)
        return RC_NO_HANDLE;
    if (rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &h, &status) || h.rv) {
        CHECKF(0, "RopSetColumns: 0x%08X", h.rv);
        table = RC_NO_HANDLE;
    }
    rc_exec_free(&x);
    return table;
}

/* RopSeekRow to the beginning of table. */
static void pk_rewind(rc_fx *f, uint32_t table)
{
    rc_buf b;
    rc_exec x;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, table);
    rc_req_seek_row(&b, 0, 0, 0, 0, 0);
    if (rc_fx_run(f, &b, &x, "RopSeekRow") == 0)
        rc_exec_free(&x);
}

/* RopQueryRows on table (slot 1 of a two-slot table, so that the index
 * is not 0) with the given flags. */
static int pk_query(rc_fx *f, uint32_t table, uint8_t qflags, uint16_t count,
                    uint32_t exec_flags, uint32_t max_out,
                    mhc_response *http, mhc_execute_rsp *ex)
{
    rc_buf b;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->inbox);
    rc_buf_handle(&b, 1, table);
    rc_req_query_rows(&b, 0, 1, qflags, 1, count);
    return pk_exec(f, &b, exec_flags, max_out, http, ex);
}

/* --------------------------------------------------------------- rows -- */

static void test_query_rows_packed_R959_R962_R963_R965_R969(void)
{
    rc_fx f;
    mhc_response http = { 0 };
    mhc_execute_rsp ex;
    unsigned char seen[N_ROWS];
    uint32_t table;
    uint8_t origin = 0xFF;
    unsigned total;

    if (rc_fx_open(&f, &H) != 0)
        return;
    REQUIREF((table = pk_open_table(&f)) != RC_NO_HANDLE, "no table");
    REQUIREF(pk_query(&f, table, QR_PACKED, N_ROWS, MHC_EXEC_CHAIN,
                      MAX_OUT_BIG, &http, &ex) == 0, "packed QueryRows");
    CHECKF(ex.out.n_blocks > 1 && ex.out.n_blocks <= 96, "R962, R969: %zu "
           "payloads for %d rows of about 350 bytes", ex.out.n_blocks,
           N_ROWS);
    pk_check_last_flags(&ex);
    pk_check_room(&ex, MAX_OUT_BIG, 0x8000, 0);
    memset(seen, 0, sizeof(seen));
    total = pk_collect_rows(&ex, http.pool, 2, seen, &origin);
    CHECKF(total == N_ROWS, "R962: %u rows over the payloads, not %d", total,
           N_ROWS);
    for (int i = 0; i < N_ROWS; i++)
        CHECKF(seen[i] == 1, "R970: row %d seen %u times", i, seen[i]);
    CHECKF(origin == 2, "MS-OXCTABL R725: the last payload's Origin %u, not "
           "BOOKMARK_END", origin);
    mhc_response_free(&http);
out:
    rc_fx_close(&f);
}

/* R973: the row count shrinks with what was sent, and the cursor is where
 * the client's own requests would have left it (R970). */
static void test_query_rows_packed_stops_at_row_count_R970_R973(void)
{
    rc_fx f;
    mhc_response http = { 0 };
    mhc_execute_rsp ex;
    unsigned char seen[N_ROWS], next[N_ROWS];
    uint32_t table;
    uint8_t origin;
    unsigned total;

    if (rc_fx_open(&f, &H) != 0)
        return;
    REQUIREF((table = pk_open_table(&f)) != RC_NO_HANDLE, "no table");
    REQUIREF(pk_query(&f, table, QR_PACKED, 150, MHC_EXEC_CHAIN, MAX_OUT_BIG,
                      &http, &ex) == 0, "packed QueryRows of 150");
    memset(seen, 0, sizeof(seen));
    total = pk_collect_rows(&ex, http.pool, 2, seen, &origin);
    CHECKF(total == 150, "R973: %u rows for a RowCount of 150 over %zu "
           "payloads", total, ex.out.n_blocks);
    CHECKF(ex.out.n_blocks > 1, "R962: 150 rows of ~350 bytes in %zu payload",
           ex.out.n_blocks);
    mhc_response_free(&http);
    REQUIREF(pk_query(&f, table, 0, 10, 0, MAX_OUT_BIG, &http, &ex) == 0,
             "the next QueryRows");
    memset(next, 0, sizeof(next));
    total = pk_collect_rows(&ex, http.pool, 2, next, &origin);
    CHECKF(total == 10, "the next 10 rows: %u", total);
    for (int i = 0; i < N_ROWS; i++)
        CHECKF(!(seen[i] && next[i]), "R970: row %d sent twice", i);
    mhc_response_free(&http);
out:
    rc_fx_close(&f);
}

/* Packing needs both Chain and EnablePackedBuffers (MS-OXCTABL R100,
 * R892; R959), and never repeats rows under NoAdvance. */
static void test_query_rows_not_packed_without_both_flags_R959_OXCTABL_R100(void)
{
    static const struct {
        uint8_t qflags;
        uint32_t exec_flags;
        const char *what;
    } cases[] = {
        { QR_PACKED, 0, "EnablePackedBuffers without Chain" },
        { 0, MHC_EXEC_CHAIN, "Chain without EnablePackedBuffers" },
        { QR_PACKED | QR_NO_ADVANCE, MHC_EXEC_CHAIN, "NoAdvance" },
    };
    rc_fx f;
    uint32_t table;

    if (rc_fx_open(&f, &H) != 0)
        return;
    REQUIREF((table = pk_open_table(&f)) != RC_NO_HANDLE, "no table");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mhc_response http = { 0 };
        mhc_execute_rsp ex;
        unsigned char seen[N_ROWS];
        uint8_t origin;
        unsigned total;

        if (pk_query(&f, table, cases[i].qflags, N_ROWS, cases[i].exec_flags,
                     MAX_OUT_BIG, &http, &ex) != 0)
            continue;
        CHECKF(ex.out.n_blocks == 1, "R959: %s: %zu payloads", cases[i].what,
               ex.out.n_blocks);
        memset(seen, 0, sizeof(seen));
        total = pk_collect_rows(&ex, http.pool, 2, seen, &origin);
        CHECKF(total > 0 && total < N_ROWS, "%s: %u rows in one 32 KiB "
               "payload (R961)", cases[i].what, total);
        mhc_response_free(&http);
        pk_rewind(&f, table);
    }
out:
    rc_fx_close(&f);
}

/* Outlook's MaxRopOut and plain payloads: what fits, decoded either way,
 * and never past MaxRopOut (R967, R968). */
static void test_query_rows_packed_plain_and_outlook_max_R966_R968(void)
{
    static const uint32_t flags[2] = {
        MHC_EXEC_CHAIN, MHC_EXEC_CHAIN | MHC_EXEC_NO_COMPRESSION
                        | MHC_EXEC_NO_XOR_MAGIC };
    rc_fx f;
    uint32_t table;

    if (rc_fx_open(&f, &H) != 0)
        return;
    REQUIREF((table = pk_open_table(&f)) != RC_NO_HANDLE, "no table");
    for (int i = 0; i < 2; i++) {
        mhc_response http = { 0 };
        mhc_execute_rsp ex;
        unsigned char seen[N_ROWS];
        uint8_t origin;
        unsigned total;

        pk_rewind(&f, table);
        if (pk_query(&f, table, QR_PACKED, N_ROWS, flags[i], MAX_OUT_OL,
                     &http, &ex) != 0)
            continue;
        pk_check_last_flags(&ex);
        memset(seen, 0, sizeof(seen));
        total = pk_collect_rows(&ex, http.pool, 2, seen, &origin);
        CHECKF(total > 0 && total <= N_ROWS, "flags 0x%X: %u rows", flags[i],
               total);
        pk_check_room(&ex, MAX_OUT_OL, 0x8000, total < N_ROWS);
        mhc_response_free(&http);
    }
out:
    rc_fx_close(&f);
}

/* ------------------------------------------------------------- stream -- */

static uint8_t *stream_pattern(apr_pool_t *p)
{
    uint8_t *d = apr_palloc(p, STREAM_LEN);
    uint32_t x = 2463534242u;

    for (size_t i = 0; i < STREAM_LEN; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;   /* xorshift32 */
        d[i] = (uint8_t)x;
    }
    return d;
}

/* A new message with a STREAM_LEN binary stream written and the seek
 * pointer back at 0: the stream handle (the message stays open in the
 * session), or RC_NO_HANDLE. */
static uint32_t pk_open_stream(rc_fx *f, const uint8_t *data)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint8_t has_mid;
    uint64_t tmid, pos;
    uint32_t size, strm = RC_NO_HANDLE;
    size_t off = 0;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->inbox);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, f->s.lo.fids[RC_FID_INBOX], 0);
    rc_req_open_stream(&b, 0, 1, 2, TAG_BIN_PROP, 2);
    if (rc_fx_run(f, &b, &x, "create a message and a stream") != 0)
        return RC_NO_HANDLE;
    if (rc_rsp_create_message(&x.resp, &h, &has_mid, &tmid) == 0 && !h.rv
        && rc_rsp_open_stream(&x.resp, &h, &size) == 0 && !h.rv)
        strm = rc_resp_handle(&x.resp, 2);
    CHECKF(strm != RC_NO_HANDLE, "setup: stream: 0x%08X (%s)", h.rv,
           rc_resp_error(&x.resp));
    rc_exec_free(&x);
    while (strm != RC_NO_HANDLE && off < STREAM_LEN) {
        rc_buf_init(&b, f->s.pool);
        rc_buf_handle(&b, 0, strm);
        for (int k = 0; k < 3 && off < STREAM_LEN; k++, off += WRITE_CHUNK)
            rc_req_write_stream(&b, 0, 0, data + off, WRITE_CHUNK);
        if (rc_fx_run(f, &b, &x, "RopWriteStream") != 0)
            return RC_NO_HANDLE;
        rc_exec_free(&x);
    }
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, strm);
    rc_req_seek_stream(&b, 0, 0, 0, 0);
    if (rc_fx_run(f, &b, &x, "RopSeekStream") != 0)
        return RC_NO_HANDLE;
    if (rc_rsp_seek_stream(&x.resp, &h, &pos) != 0 || h.rv || pos != 0)
        strm = RC_NO_HANDLE;
    rc_exec_free(&x);
    return strm;
}

/* The bytes of every payload's RopReadStream, appended to got. */
static size_t pk_collect_bytes(const mhc_execute_rsp *ex, apr_pool_t *p,
                               uint8_t *got, size_t cap)
{
    size_t total = 0;

    for (size_t i = 0; i < ex->out.n_blocks; i++) {
        rc_resp r;
        rc_head h;
        rc_bin d;
        size_t nh;

        if (pk_payload(ex, i, p, &r, &nh) != 0
            || rc_rsp_read_stream(&r, &h, &d) != 0 || h.rv) {
            CHECKF(0, "R963: payload %zu is not a RopReadStream response "
                   "(%s)", i, rc_resp_error(&r));
            return total;
        }
        CHECKF(nh == 1 && rc_resp_left(&r) == 0, "R963: payload %zu: %zu "
               "handles, %zu bytes after the response", i, nh,
               rc_resp_left(&r));
        CHECKF(i == 0 || d.len > 0, "payload %zu carries no byte", i);
        if (total + d.len > cap)
            return total + d.len;
        memcpy(got + total, d.data, d.len);
        total += d.len;
    }
    return total;
}

static int pk_read(rc_fx *f, uint32_t strm, uint16_t count, uint32_t max,
                   uint32_t max_out, mhc_response *http, mhc_execute_rsp *ex)
{
    rc_buf b;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, strm);
    rc_req_read_stream(&b, 0, 0, count, max);
    return pk_exec(f, &b, MHC_EXEC_CHAIN, max_out, http, ex);
}

static void test_read_stream_packed_R960_R962_R968_R1280(void)
{
    rc_fx f;
    mhc_response http = { 0 };
    mhc_execute_rsp ex;
    uint8_t *data, *got;
    uint32_t strm;
    size_t n;

    if (rc_fx_open(&f, &H) != 0)
        return;
    data = stream_pattern(f.s.pool);
    got = apr_palloc(f.s.pool, STREAM_LEN + 0x10000);
    REQUIREF((strm = pk_open_stream(&f, data)) != RC_NO_HANDLE, "no stream");
    /* MaximumByteCount of the whole stream: several payloads (R962), all
     * of it, nothing past what was asked (R972, R1280). */
    REQUIREF(pk_read(&f, strm, 0xBABE, STREAM_LEN, MAX_OUT_BIG, &http,
                     &ex) == 0, "ReadStream of %u bytes", STREAM_LEN);
    CHECKF(ex.out.n_blocks > 1, "R960, R962: %zu payload for %u bytes",
           ex.out.n_blocks, STREAM_LEN);
    pk_check_last_flags(&ex);
    pk_check_room(&ex, MAX_OUT_BIG, 0x2000, 0);
    n = pk_collect_bytes(&ex, http.pool, got, STREAM_LEN + 0x10000);
    CHECKF(n == STREAM_LEN, "R1280: %zu bytes over %zu payloads, not %u", n,
           ex.out.n_blocks, STREAM_LEN);
    CHECKF(n == STREAM_LEN && memcmp(got, data, STREAM_LEN) == 0,
           "R970: the packed bytes differ from what was written");
    mhc_response_free(&http);
    /* The seek pointer moved over everything sent (R970): nothing left. */
    REQUIREF(pk_read(&f, strm, 100, 0, MAX_OUT_BIG, &http, &ex) == 0,
             "ReadStream at the end");
    n = pk_collect_bytes(&ex, http.pool, got, STREAM_LEN);
    CHECKF(n == 0 && ex.out.n_blocks == 1, "R970: %zu bytes in %zu payloads "
           "after the end", n, ex.out.n_blocks);
    mhc_response_free(&http);
out:
    rc_fx_close(&f);
}

/* A ByteCount of 40000 packs exactly 40000 bytes (R1280), and a MaxRopOut
 * that leaves under 8 KiB after the first payload packs nothing (R968). */
static void test_read_stream_packed_byte_count_and_room_R968_R1280(void)
{
    rc_fx f;
    mhc_response http = { 0 };
    mhc_execute_rsp ex;
    uint8_t *data, *got;
    uint32_t strm;
    size_t n;

    if (rc_fx_open(&f, &H) != 0)
        return;
    data = stream_pattern(f.s.pool);
    got = apr_palloc(f.s.pool, STREAM_LEN + 0x10000);
    REQUIREF((strm = pk_open_stream(&f, data)) != RC_NO_HANDLE, "no stream");
    REQUIREF(pk_read(&f, strm, 40000, 0, MAX_OUT_BIG, &http, &ex) == 0,
             "ReadStream of 40000");
    n = pk_collect_bytes(&ex, http.pool, got, STREAM_LEN + 0x10000);
    CHECKF(n == 40000 && memcmp(got, data, n) == 0, "R1280: %zu bytes in "
           "%zu payloads for a ByteCount of 40000", n, ex.out.n_blocks);
    CHECKF(ex.out.n_blocks == 2, "R962: %zu payloads", ex.out.n_blocks);
    mhc_response_free(&http);
    /* Incompressible bytes fill the first payload; 8 KiB - 1 more of
     * MaxRopOut is not room for another (R968). */
    REQUIREF(pk_read(&f, strm, 0xBABE, 100000, 0x8008 + 0x1FFF, &http,
                     &ex) == 0, "ReadStream in a small MaxRopOut");
    n = pk_collect_bytes(&ex, http.pool, got, STREAM_LEN + 0x10000);
    CHECKF(ex.out.n_blocks == 1 && n > 0
           && memcmp(got, data + 40000, n) == 0, "R968: %zu payloads, %zu "
           "bytes", ex.out.n_blocks, n);
    pk_check_room(&ex, 0x8008 + 0x1FFF, 0x2000, 1);
    mhc_response_free(&http);
out:
    rc_fx_close(&f);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ROPs: extended buffer packing", suite_init,
                     suite_cleanup);
    CU_add_test(s, "RopQueryRows with Chain and EnablePackedBuffers answers "
                "in several payloads (R959 R962 R963 R965 R969)",
                test_query_rows_packed_R959_R962_R963_R965_R969);
    CU_add_test(s, "packing stops at RowCount and leaves the cursor right "
                "(R970 R973)",
                test_query_rows_packed_stops_at_row_count_R970_R973);
    CU_add_test(s, "no packing without Chain, without EnablePackedBuffers, "
                "or with NoAdvance (R959, MS-OXCTABL R100)",
                test_query_rows_not_packed_without_both_flags_R959_OXCTABL_R100);
    CU_add_test(s, "packed rows in Outlook's MaxRopOut, compressed and plain "
                "(R966 R968)",
                test_query_rows_packed_plain_and_outlook_max_R966_R968);
    CU_add_test(s, "RopReadStream packs the whole stream, byte for byte "
                "(R960 R962 R968 R1280)",
                test_read_stream_packed_R960_R962_R968_R1280);
    CU_add_test(s, "RopReadStream packing keeps ByteCount and the 8 KiB room "
                "rule (R968 R1280)",
                test_read_stream_packed_byte_count_and_room_R968_R1280);
    return harness_run_tests();
}
