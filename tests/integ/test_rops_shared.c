/*
 * test_rops_shared.c: the architecture checks of the ROP layer.
 *
 * (a) A session's open objects (the server object handle table and what
 *     each handle stands for: a folder, a contents table with its
 *     columns and cursor, an open message) are one set, whichever httpd
 *     child serves an Execute: objects opened in an Execute served by one
 *     child are used in the next Execute, sent over a new connection and
 *     served by another child (checked: the child holding the connection
 *     is found in /proc), and after `apachectl -k graceful`, whose new
 *     generation of children has never seen the session.
 * (b) kill -9 of every httpd process (the parent first, so that nothing
 *     is respawned) while several clients save messages, then a cold
 *     start: every save that was acknowledged (ReturnValue 0) is there
 *     with its subject and body, the contents table holds them (and at
 *     most the saves that were in flight), and the server works.
 *
 * Requirement ids: [MS-OXCROPS] (handles persist across Execute calls of a
 * session: R4537, R4554, R4557: the Server Object Map of the logon),
 * [MS-OXCMAPIHTTP] R1200 (context across restarts), [MS-OXCMSG] R719 (a
 * save that succeeded is kept).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <curl/curl.h>

#include "crash_ops.h"
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

/* ------------------------------------------------------------ helpers -- */

/* The next client of the session: same cookies, a connection of its own.
 * The previous one is freed; s->c follows. */
static mhc_client *next_client(rc_session *s, mhc_client *cur)
{
    mhc_client *n = mhc_client_clone(cur);

    mhc_client_free(&cur);
    s->c = n;
    return n;
}

static int str_is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

/* ------------------------------------------------ (a) shared objects -- */

#define N_SHARED_MSG 5
#define N_ROUNDS     12

static const uint32_t sh_cols[] = { RC_TAG_SUBJECT, RC_TAG_MID };

/* The rows of a QueryRows after SeekRow(BEGINNING): the five subjects
 * sa-1..sa-5 in some order, each once. */
static int rows_ok(const rc_rows_rsp *rows)
{
    unsigned seen = 0;

    if (rows->count != N_SHARED_MSG)
        return 0;
    for (uint16_t i = 0; i < rows->count; i++) {
        const char *s = rc_row_str(&rows->rows[i], RC_TAG_SUBJECT);
        int k;
        if (s == NULL || sscanf(s, "sa-%d", &k) != 1 || k < 1 ||
            k > N_SHARED_MSG)
            return 0;
        seen |= 1u << k;
    }
    return seen == ((1u << (N_SHARED_MSG + 1)) - 2);
}

typedef struct shared_state {
    rc_session s;
    mhc_client *c;
    uint64_t fid, mids[N_SHARED_MSG];
    uint32_t folder, table;
    uint32_t msg;            /* message opened in the previous round */
    int msg_k;               /* which one */
} shared_state;

/* One round over a new connection: the table read from the start with
 * the columns set in Execute 1, the message opened by the previous
 * round read, a new message opened and kept.  0 or -1 (recorded). */
static int shared_round(shared_state *st, int round, pid_t *pid)
{
    static const uint32_t subj[] = { RC_TAG_SUBJECT };
    rc_buf b;
    rc_exec x;
    rc_head hd;
    rc_rows_rsp rows;
    rc_message_rsp m;
    rc_row row;
    uint8_t less;
    int32_t sought;
    int k = round % N_SHARED_MSG, ok = 0;
    char want[16];

    rc_buf_init(&b, st->s.pool);
    rc_buf_handle(&b, 0, st->table);
    rc_buf_handle(&b, 1, st->folder);
    rc_buf_handle(&b, 2, st->msg);
    rc_req_seek_row(&b, 0, 0, 0, 0, 0);
    rc_req_query_rows(&b, 0, 0, 0, 1, 20);
    rc_req_open_message(&b, 0, 1, 3, 0x0FFF, st->fid, 0, st->mids[k]);
    if (st->msg != RC_NO_HANDLE)
        rc_req_get_props_specific(&b, 0, 2, 0, 1, subj, 1);
    if (crash_execute_retried(st->c, &b, st->s.pool, &x, 10000) != 0) {
        CHECKF(0, "round %d: %s", round, x.error);
        return -1;
    }
    *pid = crash_served_by(&H, st->c);
    snprintf(want, sizeof(want), "sa-%d", st->msg_k + 1);
    if (rc_rsp_seek_row(&x.resp, &hd, &less, &sought) != 0 || hd.rv != 0)
        CHECKF(0, "R4554: round %d (pid %d): RopSeekRow on the table of "
               "Execute 1: 0x%08X (%s)", round, (int)*pid, hd.rv,
               rc_resp_error(&x.resp));
    else if (rc_rsp_query_rows(&x.resp, sh_cols, 2, &rows) != 0 ||
             rows.h.rv != 0 || !rows_ok(&rows))
        CHECKF(0, "R4554: round %d (pid %d): RopQueryRows on the table of "
               "Execute 1 gave 0x%08X, %u rows (%s); expected sa-1..sa-%d "
               "in the columns set there", round, (int)*pid, rows.h.rv,
               rows.count, rc_resp_error(&x.resp), N_SHARED_MSG);
    else if (rc_rsp_open_message(&x.resp, &m) != 0 || m.h.rv != 0)
        CHECKF(0, "R4554: round %d (pid %d): RopOpenMessage on the folder "
               "handle: 0x%08X (%s)", round, (int)*pid, m.h.rv,
               rc_resp_error(&x.resp));
    else if (st->msg != RC_NO_HANDLE &&
             (rc_rsp_get_props_specific(&x.resp, subj, 1, &hd, &row) != 0 ||
              hd.rv != 0 || !str_is(rc_row_str(&row, RC_TAG_SUBJECT), want)))
        CHECKF(0, "R4554: round %d (pid %d): the message opened in the "
               "previous round gave 0x%08X subject '%s', expected %s (%s)",
               round, (int)*pid, hd.rv,
               rc_row_str(&row, RC_TAG_SUBJECT) ? rc_row_str(&row,
                                                              RC_TAG_SUBJECT)
                                                : "(absent)",
               want, rc_resp_error(&x.resp));
    else
        ok = 1;
    if (ok) {
        if (st->msg != RC_NO_HANDLE) {
            rc_buf rb;
            rc_exec rx;
            rc_buf_init(&rb, st->s.pool);
            rc_buf_handle(&rb, 0, st->msg);
            rc_req_release(&rb, 0, 0);
            rc_execute(st->c, &rb, st->s.pool, &rx);
            rc_exec_free(&rx);
        }
        st->msg = rc_resp_handle(&x.resp, 3);
        st->msg_k = k;
    }
    rc_exec_free(&x);
    return ok ? 0 : -1;
}

/* Execute 1: the folder's contents table and its columns. */
static int shared_setup(shared_state *st)
{
    rc_buf b;
    rc_exec x;
    rc_head hd;
    uint32_t rows = 0, rv;
    uint8_t status;
    int ok = 0;

    rv = rc_logon(&st->s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
    {
        uint32_t inbox;
        rv = rc_open_folder(&st->s, st->s.lo.fids[RC_FID_INBOX], &inbox);
        if (rv == 0)
            rv = rc_create_folder(&st->s, inbox, "shared-objects", NULL, 0,
                                  &st->fid, &st->folder);
    }
    for (int i = 0; rv == 0 && i < N_SHARED_MSG; i++) {
        char subj[16];
        rc_prop v;
        snprintf(subj, sizeof(subj), "sa-%d", i + 1);
        v = rc_pv_str(RC_TAG_SUBJECT, subj);
        rv = rc_create_message(&st->s, st->folder, st->fid, &v, 1,
                               &st->mids[i]);
    }
    CHECKF(rv == 0, "setup: 0x%08X (%s)", rv, st->s.error);
    if (rv != 0)
        return -1;
    rc_buf_init(&b, st->s.pool);
    rc_buf_handle(&b, 0, st->folder);
    rc_req_get_contents_table(&b, 0, 0, 1, 0);
    rc_req_set_columns(&b, 0, 1, 0, sh_cols, 2);
    if (rc_execute(st->c, &b, st->s.pool, &x) != 0) {
        CHECKF(0, "Execute 1: %s", x.error);
        return -1;
    }
    if (rc_rsp_get_table(&x.resp, RC_ROP_GET_CONTENTS_TABLE, &hd, &rows)
            == 0 && hd.rv == 0 &&
        rc_rsp_table_status(&x.resp, RC_ROP_SET_COLUMNS, &hd, &status) == 0
            && hd.rv == 0) {
        st->table = rc_resp_handle(&x.resp, 1);
        ok = st->table != RC_NO_HANDLE;
    }
    CHECKF(ok, "Execute 1: contents table + SetColumns: 0x%08X (%s)", hd.rv,
           rc_resp_error(&x.resp));
    rc_exec_free(&x);
    return ok ? 0 : -1;
}

static void test_objects_across_children_and_graceful_R4554_R4557_R1200(void)
{
    shared_state st;
    pid_t before[N_ROUNDS + 1], pid, prev;
    int crossed = 0, distinct = 0, ok = 1;

    memset(&st, 0, sizeof(st));
    st.msg = RC_NO_HANDLE;
    st.c = harness_connect_demo(harness_client(&H, 0, MHC_AUTH_BASIC));
    if (st.c == NULL)
        return;
    rc_session_init(&st.s, st.c);
    REQUIREF(shared_setup(&st) == 0, "setup");
    prev = crash_served_by(&H, st.c);
    before[0] = prev;
    for (int r = 0; r < N_ROUNDS && ok; r++) {
        st.c = next_client(&st.s, st.c);
        ok = shared_round(&st, r, &pid) == 0;
        before[r + 1] = pid;
        crossed += pid > 0 && prev > 0 && pid != prev;
        prev = pid;
    }
    for (int i = 0; i <= N_ROUNDS; i++) {
        int seen = 0;
        for (int k = 0; k < i; k++)
            seen |= before[k] == before[i];
        distinct += !seen && before[i] > 0;
    }
    printf("\n    (%d rounds: %d distinct children, %d switches)", N_ROUNDS,
           distinct, crossed);
    REQUIREF(ok, "the rounds stopped early");
    CHECKF(crossed > 0, "no two consecutive Executes were served by "
           "different children (%d distinct children seen); the check of "
           "shared objects is not conclusive", distinct);

    /* A new generation of children. */
    REQUIREF(harness_signal(&H, "graceful", NULL) == 0,
             "instance.sh graceful failed");
    for (int r = 0; r < 3; r++) {
        st.c = next_client(&st.s, st.c);
        REQUIREF(shared_round(&st, N_ROUNDS + r, &pid) == 0,
                 "R1200/R4554: round %d after graceful", r);
        for (int i = 0; i <= N_ROUNDS; i++)
            CHECKF(pid <= 0 || pid != before[i], "after graceful the "
                   "Execute was served by pid %d, a child of before",
                   (int)pid);
    }
out:
    rc_session_free(&st.s);
    mhc_client_free(&st.c);
}

/* --------------------------------------- (b) kill -9 during saves -- */

#define N_WRITERS  4
#define MAX_SAVES  4000

typedef struct writer {
    pthread_t th;
    int id;
    mhc_client *c;
    rc_session s;
    uint32_t folder;
    uint64_t fid;
    volatile int *stop;
    /* acknowledged saves: the sequence number and the MessageId */
    int n_acked;
    int seq[MAX_SAVES];
    uint64_t mid[MAX_SAVES];
    int failures;
} writer;

static void burst_subject(char *buf, size_t cap, int w, int i)
{
    snprintf(buf, cap, "burst-%d-%05d", w, i);
}

/* A body long enough to span pages of the store, different per save. */
static void burst_body(char *buf, size_t cap, int w, int i)
{
    size_t n = 0;

    while (n + 40 < cap && n < 1500)
        n += (size_t)snprintf(buf + n, cap - n, "writer %d save %05d; ", w,
                              i);
}

static void *writer_main(void *arg)
{
    writer *wr = arg;
    char subj[40], body[1600];

    for (int i = 0; !*wr->stop && wr->n_acked < MAX_SAVES; i++) {
        rc_prop v[3];
        uint64_t mid = 0;
        uint32_t rv;
        burst_subject(subj, sizeof(subj), wr->id, i);
        burst_body(body, sizeof(body), wr->id, i);
        v[0] = rc_pv_str(RC_TAG_SUBJECT, subj);
        v[1] = rc_pv_str(RC_TAG_BODY, body);
        v[2] = rc_pv_str(RC_TAG_MESSAGE_CLASS, "IPM.Note");
        rv = rc_create_message(&wr->s, wr->folder, wr->fid, v, 3, &mid);
        if (rv == 0 && mid != 0) {
            wr->seq[wr->n_acked] = i;
            wr->mid[wr->n_acked] = mid;
            wr->n_acked++;
        } else {
            /* The server is gone: nothing more will be acknowledged. */
            wr->failures++;
            break;
        }
    }
    return NULL;
}

static int total_acked(const writer *w)
{
    int n = 0;

    for (int i = 0; i < N_WRITERS; i++)
        n += w[i].n_acked;
    return n;
}

/* Messages verified per Execute: each reply carries a body of about 3 KB
 * (UTF-16), and the whole must stay within one 32 KiB RopBuffer. */
#define VERIFY_BATCH 6

/* Every acknowledged save of w, opened and compared, VERIFY_BATCH per
 * Execute;
 * returns how many were missing or wrong. */
static int verify_writer(rc_session *s, uint32_t folder, uint64_t fid,
                         const writer *w)
{
    static const uint32_t tags[] = { RC_TAG_SUBJECT, RC_TAG_BODY };
    int bad = 0;

    for (int i = 0; i < w->n_acked; i += VERIFY_BATCH) {
        int n = w->n_acked - i < VERIFY_BATCH ? w->n_acked - i
                                              : VERIFY_BATCH;
        rc_buf b;
        rc_exec x;

        rc_buf_init(&b, s->pool);
        rc_buf_handle(&b, 0, folder);
        for (int k = 0; k < n; k++) {
            rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, 0, w->mid[i + k]);
            rc_req_get_props_specific(&b, 0, 1, 0, 1, tags, 2);
            rc_req_release(&b, 0, 1);
        }
        if (rc_execute(s->c, &b, s->pool, &x) != 0) {
            CHECKF(0, "verify Execute: %s", x.error);
            return bad + n;
        }
        for (int k = 0; k < n; k++) {
            char subj[40], body[1600];
            rc_message_rsp m;
            rc_head hd;
            rc_row row;
            int ok;
            burst_subject(subj, sizeof(subj), w->id, w->seq[i + k]);
            burst_body(body, sizeof(body), w->id, w->seq[i + k]);
            if (rc_rsp_open_message(&x.resp, &m) != 0) {
                CHECKF(0, "verify: %s", rc_resp_error(&x.resp));
                rc_exec_free(&x);
                return bad + n - k;
            }
            ok = m.h.rv == 0;
            if (ok) {
                ok = rc_rsp_get_props_specific(&x.resp, tags, 2, &hd, &row)
                         == 0 && hd.rv == 0 &&
                     str_is(rc_row_str(&row, RC_TAG_SUBJECT), subj) &&
                     str_is(rc_row_str(&row, RC_TAG_BODY), body);
            }
            if (!ok && bad < 5)
                CHECKF(0, "[MS-OXCMSG] R719: acknowledged save %s (mid "
                       "0x%016llX) after kill -9: RopOpenMessage 0x%08X, "
                       "subject '%s'", subj,
                       (unsigned long long)w->mid[i + k], m.h.rv,
                       m.h.rv == 0 && rc_row_str(&row, RC_TAG_SUBJECT)
                           ? rc_row_str(&row, RC_TAG_SUBJECT) : "-");
            bad += !ok;
        }
        rc_exec_free(&x);
    }
    return bad;
}

static writer writers[N_WRITERS];

static void test_kill9_during_saves_R719_R1200(void)
{
    volatile int stop = 0;
    mhc_client *setup_c = NULL, *c = NULL;
    rc_session s0, s;
    uint64_t fid = 0;
    uint32_t inbox, folder, rv, table, count = 0;
    int started = 0, acked, bad = 0;
    double t0;

    memset(writers, 0, sizeof(writers));
    setup_c = harness_connect_demo(harness_client(&H, 0, MHC_AUTH_BASIC));
    if (setup_c == NULL)
        return;
    rc_session_init(&s0, setup_c);
    rv = rc_logon(&s0, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
    if (rv == 0)
        rv = rc_open_folder(&s0, s0.lo.fids[RC_FID_INBOX], &inbox);
    if (rv == 0)
        rv = rc_create_folder(&s0, inbox, "shared-burst", NULL, 0, &fid,
                              &folder);
    REQUIREF(rv == 0, "setup: 0x%08X (%s)", rv, s0.error);
    /* Sessions are made here: CUnit's assertions are not thread-safe. */
    for (int i = 0; i < N_WRITERS; i++) {
        writer *w = &writers[i];
        w->id = i;
        w->stop = &stop;
        w->fid = fid;
        w->c = harness_connect_demo(harness_client(&H, 0, MHC_AUTH_BASIC));
        REQUIREF(w->c != NULL, "writer %d: Connect", i);
        rc_session_init(&w->s, w->c);
        rv = rc_logon(&w->s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
        if (rv == 0)
            rv = rc_open_folder(&w->s, fid, &w->folder);
        REQUIREF(rv == 0, "writer %d: logon/open 0x%08X (%s)", i, rv,
                 w->s.error);
    }
    for (; started < N_WRITERS; started++)
        REQUIREF(pthread_create(&writers[started].th, NULL, writer_main,
                                &writers[started]) == 0, "pthread_create");
    /* Kill once the burst is well under way. */
    t0 = mhc_now_ms();
    while (total_acked(writers) < 200 && mhc_now_ms() - t0 < 8000)
        harness_sleep_ms(20);
    REQUIREF(crash_kill_all_httpd(&H) > 0, "no httpd to kill");
    printf("\n    (killed httpd after %d acknowledged saves)",
           total_acked(writers));
    harness_sleep_ms(300);
    stop = 1;
    for (int i = 0; i < started; i++)
        pthread_join(writers[i].th, NULL);
    started = 0;
    acked = total_acked(writers);
    CHECKF(acked >= 50, "only %d saves acknowledged before the kill", acked);

    REQUIREF(crash_cold_start_httpd(&H) == 0, "cold start of httpd failed (see "
             "%s/logs/httpd-start.log)", H.dir);
    REQUIREF((c = crash_connect_retried(&H, 15000)) != NULL, "no server after the start");
    rc_session_init(&s, c);
    rv = rc_logon(&s, H_DEMO_DN, RC_OPEN_DEFAULT_PRIVATE);
    REQUIREF(rv == 0, "R1200: RopLogon after the cold start: 0x%08X (%s)",
             rv, s.error);
    rv = rc_open_folder(&s, fid, &folder);
    REQUIREF(rv == 0, "R1200: the burst folder after the cold start: "
             "0x%08X (%s)", rv, s.error);
    rv = rc_get_contents_table(&s, folder, 0, &table, &count);
    REQUIREF(rv == 0, "RopGetContentsTable: 0x%08X (%s)", rv, s.error);
    CHECKF((int)count >= acked && (int)count <= acked + N_WRITERS,
           "[MS-OXCMSG] R719: %u messages in the folder, %d saves were "
           "acknowledged and at most %d more in flight", count, acked,
           N_WRITERS);
    for (int i = 0; i < N_WRITERS; i++)
        bad += verify_writer(&s, folder, fid, &writers[i]);
    CHECKF(bad == 0, "[MS-OXCMSG] R719: %d of %d acknowledged saves are "
           "missing or damaged after kill -9", bad, acked);
    /* And the server works as before. */
    {
        static const uint32_t tags[] = { RC_TAG_SUBJECT };
        rc_prop v = rc_pv_str(RC_TAG_SUBJECT, "after the cold start");
        uint64_t mid;
        rc_row row;
        rv = rc_create_message(&s, folder, fid, &v, 1, &mid);
        CHECKF(rv == 0, "a save after the cold start: 0x%08X (%s)", rv,
               s.error);
        rv = rv ? rv : rc_open_message_props(&s, folder, fid, mid, tags, 1,
                                             NULL, &row);
        CHECKF(rv == 0 && str_is(rc_row_str(&row, RC_TAG_SUBJECT),
                                 "after the cold start"),
               "reading it back: 0x%08X", rv);
    }
    rc_session_free(&s);
out:
    stop = 1;
    for (int i = 0; i < started; i++)
        pthread_join(writers[i].th, NULL);
    for (int i = 0; i < N_WRITERS; i++) {
        if (writers[i].c)
            rc_session_free(&writers[i].s);
        mhc_client_free(&writers[i].c);
    }
    rc_session_free(&s0);
    mhc_client_free(&setup_c);
    mhc_client_free(&c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ROPs: shared session objects, kill -9", suite_init,
                     suite_cleanup);
    CU_add_test(s, "open objects shared by the children and across graceful "
                   "([MS-OXCROPS] R4554 R4557, [MS-OXCMAPIHTTP] R1200)",
                test_objects_across_children_and_graceful_R4554_R4557_R1200);
    CU_add_test(s, "kill -9 during concurrent saves keeps every "
                   "acknowledged save ([MS-OXCMSG] R719, [MS-OXCMAPIHTTP] "
                   "R1200)", test_kill9_during_saves_R719_R1200);
    return harness_run_tests();
}
