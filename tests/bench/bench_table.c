/*
 * bench_table.c: server time of the ROP path Outlook takes to show a big
 * folder: RopSetColumns + RopSortTable (PidTagMessageDeliveryTime
 * descending) + RopQueryRows 50, in one Execute through rop_execute, on a
 * contents table of a folder of N messages (default 100,000) saved through
 * the store API in a real Berkeley DB environment.
 *
 * Usage: bench_table [messages] [iterations] [dir]
 * Prints "key value" lines: fill rate, then median and p99 of the indexed
 * path (the one the target is about) and, for comparison, of the full path
 * (the same view with a restriction that keeps every row, which builds and
 * sorts every row as every table ROP did before the index).
 *
 * The fill runs with DB_TXN_NOSYNC on this process's environment handle
 * (one fsync per saved message would make filling 100,000 take minutes and
 * is not what is measured); the reads are not affected by it.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "unit/unit_env.h"
#include "rop/rop.h"
#include "rop/rop_ids.h"
#include "rop/rop_object.h"
#include "rop/rop_table.h"
#include "rop/rop_types.h"
#include "store/store.h"
#include "session/sess_context.h"
#include "wire/mapi_tags.h"

static apr_pool_t *pool;
static mapi_db *db;
static uint8_t guid[16], sid[SESS_ID_LEN];
static cfg_mailbox mbx;

static double bt_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bt_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static uint32_t bt_object(rop_object *o)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);

    rop_ctx_set_env(ctx, db, sid, &mbx, "/o=Bench");
    return rop_obj_create(ctx, o, 0) == 0 ? o->handle : 0;
}

/* One Execute of req against the handle table h; 0 or -1. */
static int bt_execute(apr_pool_t *p, uint32_t h[8], const mapi_wr *req,
                      rop_result *res)
{
    rop_ctx *ctx = rop_ctx_create(p, NULL);
    mapi_wr in;
    int i;

    rop_ctx_set_env(ctx, db, sid, &mbx, "/o=Bench");
    mapi_wr_init(&in, p, 0x10000);
    mapi_wr_u16(&in, (uint16_t)(2 + req->len));
    mapi_wr_bytes(&in, req->buf, req->len);
    for (i = 0; i < 8; i++)
        mapi_wr_u32(&in, h[i]);
    return rop_execute(ctx, in.buf, in.len, 0x8000, p, res) == ROP_OK
           ? 0 : -1;
}

static void bt_hdr(mapi_wr *w, uint8_t rop, uint8_t in)
{
    mapi_wr_u8(w, rop);
    mapi_wr_u8(w, 0);
    mapi_wr_u8(w, in);
}

/* The columns Outlook's message list asks for, roughly. */
static const uint32_t bt_cols[] = {
    PidTagMid, PidTagSubject, PidTagMessageDeliveryTime, PidTagMessageFlags,
    PidTagMessageSize, PidTagMessageClass, PidTagSenderName,
    PidTagInstanceKey,
};
#define BT_NCOLS (sizeof(bt_cols) / sizeof(bt_cols[0]))

/* SetColumns + SortTable (+ an always-true Exist restriction with full)
 * + QueryRows 50 on table index 1. */
static void bt_view_request(mapi_wr *w, int full)
{
    size_t i, at;

    bt_hdr(w, ROP_ID_SET_COLUMNS, 1);
    mapi_wr_u8(w, 0);
    mapi_wr_u16(w, BT_NCOLS);
    for (i = 0; i < BT_NCOLS; i++)
        mapi_wr_u32(w, bt_cols[i]);
    bt_hdr(w, ROP_ID_SORT_TABLE, 1);
    mapi_wr_u8(w, 0);
    mapi_wr_u16(w, 1);
    mapi_wr_u16(w, 0);
    mapi_wr_u16(w, 0);
    mapi_wr_u16(w, ROP_PROP_TYPE(PidTagMessageDeliveryTime));
    mapi_wr_u16(w, ROP_PROP_ID(PidTagMessageDeliveryTime));
    mapi_wr_u8(w, 1);
    if (full) {
        bt_hdr(w, ROP_ID_RESTRICT, 1);
        mapi_wr_u8(w, 0);
        at = mapi_wr_reserve(w, 2);
        mapi_wr_u8(w, ROP_RES_EXIST);
        mapi_wr_u32(w, PidTagMid);
        mapi_wr_put_u16_at(w, at, (uint16_t)(w->len - at - 2));
    }
    bt_hdr(w, ROP_ID_QUERY_ROWS, 1);
    mapi_wr_u8(w, 0);
    mapi_wr_u8(w, 1);
    mapi_wr_u16(w, 50);
}

/* Rows in the QueryRows response (the last ROP of the answer), or -1. */
static int bt_rows_returned(const rop_result *res, int full)
{
    mapi_rd rd;
    uint16_t size, count;
    uint8_t id, ix, st, origin;
    uint32_t ec;
    int k, nrops = full ? 3 : 2;

    mapi_rd_init(&rd, res->out, res->out_len);
    mapi_rd_u16(&rd, &size);
    for (k = 0; k < nrops; k++) {      /* SetColumns, Sort (, Restrict) */
        mapi_rd_u8(&rd, &id);
        mapi_rd_u8(&rd, &ix);
        mapi_rd_u32(&rd, &ec);
        mapi_rd_u8(&rd, &st);
        if (rd.failed || ec != 0)
            return -1;
    }
    mapi_rd_u8(&rd, &id);
    mapi_rd_u8(&rd, &ix);
    mapi_rd_u32(&rd, &ec);
    mapi_rd_u8(&rd, &origin);
    mapi_rd_u16(&rd, &count);
    return rd.failed || id != ROP_ID_QUERY_ROWS || ec != 0 ? -1 : count;
}

static int bt_fill(uint64_t fid, unsigned n)
{
    static const char *const words[] = {
        "status", "report", "meeting", "budget", "review", "lunch",
        "invoice", "schedule", "project", "notes" };
    uint64_t when = 0x01DA000000000000ull;
    apr_pool_t *p;
    unsigned i;

    apr_pool_create(&p, pool);
    for (i = 0; i < n; i++) {
        store_message *m = store_message_new(p, fid, 0);
        const char *error = NULL;

        /* Mostly in order, some out of order, some equal times. */
        when += (i % 7 == 3) ? 0 : 600000000ull + (uint64_t)(rand() % 1000);
        store_props_set_str(&m->props, PidTagSubject,
                            apr_psprintf(p, "%s %s %u", words[i % 10],
                                         words[(i / 10) % 10], i));
        store_props_set_str(&m->props, PidTagMessageClass, "IPM.Note");
        store_props_set_str(&m->props, PidTagSenderName, "Alice Martin");
        store_props_set_u32(&m->props, PidTagMessageFlags, i % 3 ? 1 : 0);
        store_props_set_u64(&m->props, PidTagMessageDeliveryTime,
                            (i % 11 == 5) ? when - 3600000000000ull : when);
        if (store_message_save(db, p, guid, m, &error) != STORE_OK) {
            fprintf(stderr, "save %u: %s\n", i, error ? error : "?");
            return -1;
        }
        if (i % 1000 == 999)
            apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    return 0;
}

/* Runs iters Executes of the view; median and p99 in ms into m/p99. */
static int bt_time(uint32_t h[8], int full, int iters, double *med,
                   double *p99)
{
    double *t = calloc((size_t)iters, sizeof(double));
    apr_pool_t *p;
    int i;

    apr_pool_create(&p, pool);
    for (i = 0; i < iters; i++) {
        mapi_wr w;
        rop_result res;
        double t0;

        mapi_wr_init(&w, p, 0x1000);
        bt_view_request(&w, full);
        t0 = bt_now();
        if (bt_execute(p, h, &w, &res) != 0
            || bt_rows_returned(&res, full) != 50) {
            fprintf(stderr, "view execute failed (full=%d)\n", full);
            return -1;
        }
        t[i] = (bt_now() - t0) * 1000;
        apr_pool_clear(p);
    }
    qsort(t, (size_t)iters, sizeof(double), bt_cmp);
    *med = t[iters / 2];
    *p99 = t[(iters * 99) / 100 < iters ? (iters * 99) / 100 : iters - 1];
    free(t);
    apr_pool_destroy(p);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
    int iters = argc > 2 ? atoi(argv[2]) : 200;
    static char tmpl[] = "/tmp/mapi-bench-table-XXXXXX";
    char *dir = tmpl;
    store_mailbox_info *mi;
    const char *error = NULL;
    rop_object *logon, *folder;
    uint32_t h[8];
    uint64_t fid = 0;
    double t0, fill, med, p99, fmed = 0, fp99 = 0;
    mapi_wr w;
    rop_result res;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (argc > 3)
        dir = apr_pstrcat(pool, argv[3], "/mapi-bench-table-XXXXXX", NULL);
    if (!(db = unit_env_open(pool, dir)) || sess_random(guid) < 0
        || sess_random(sid) < 0)
        return 1;
    db->env->set_flags(db->env, DB_TXN_NOSYNC, 1);
    if (store_mailbox_create(db, pool, guid, "Bench", &error) != STORE_OK
        || store_mailbox_get(db, pool, guid, &mi, &error) != STORE_OK
        || store_folder_create(db, pool, guid,
                               mi->folder_ids[STORE_FOLDER_IPM_SUBTREE],
                               STORE_FOLDER_GENERIC, "Big", NULL, &fid,
                               &error) != STORE_OK) {
        fprintf(stderr, "mailbox: %s\n", error ? error : "?");
        return 1;
    }
    memcpy(mbx.guid, guid, 16);
    mbx.name = "bench";
    mbx.display_name = "Bench";
    mbx.smtp = "bench@mapi.test";
    mbx.legacy_dn = "/o=Bench/cn=Recipients/cn=bench";
    logon = apr_pcalloc(pool, sizeof(*logon));
    logon->type = ROP_OBJ_LOGON;
    logon->parent = SESS_OBJ_NONE;
    logon->logon_flags = 0x01;
    memcpy(logon->mbox, guid, 16);
    folder = apr_pcalloc(pool, sizeof(*folder));
    folder->type = ROP_OBJ_FOLDER;
    if (!(folder->parent = bt_object(logon)))
        return 1;
    memcpy(folder->mbox, guid, 16);
    folder->fid = fid;
    t0 = bt_now();
    if (bt_fill(fid, n) != 0)
        return 1;
    fill = bt_now() - t0;
    db->env->set_flags(db->env, DB_TXN_NOSYNC, 0);
    memset(h, 0xFF, sizeof(h));
    if (!(h[0] = bt_object(folder)))
        return 1;
    /* The table, opened once (its RowCount reads the whole folder). */
    mapi_wr_init(&w, pool, 64);
    bt_hdr(&w, ROP_ID_GET_CONTENTS_TABLE, 0);
    mapi_wr_u8(&w, 1);
    mapi_wr_u8(&w, ROP_TBL_CT_USE_UNICODE);
    t0 = bt_now();
    if (bt_execute(pool, h, &w, &res) != 0)
        return 1;
    printf("table_open_ms %.2f\n", (bt_now() - t0) * 1000);
    {
        mapi_rd rd;
        uint16_t size;
        int i;

        mapi_rd_init(&rd, res.out, res.out_len);
        mapi_rd_u16(&rd, &size);
        mapi_rd_skip(&rd, size - 2u);
        for (i = 0; i < 8; i++)
            mapi_rd_u32(&rd, &h[i]);
    }
    printf("messages %u\nfill_per_s %.0f\n", n, n / fill);
    if (bt_time(h, 0, iters, &med, &p99) != 0)
        return 1;
    printf("indexed_median_ms %.3f\nindexed_p99_ms %.3f\n", med, p99);
    if (getenv("BENCH_TABLE_FULL_ITERS")
        && bt_time(h, 1, atoi(getenv("BENCH_TABLE_FULL_ITERS")), &fmed,
                   &fp99) == 0)
        printf("full_median_ms %.1f\nfull_p99_ms %.1f\n", fmed, fp99);
    mapi_db_close(&db);
    unit_env_remove(dir);
    return 0;
}
