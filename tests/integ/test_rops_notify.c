/*
 * test_rops_notify.c: notifications end to end through httpd.  Session A
 * registers for object events on its Inbox (RopRegisterNotification) and
 * parks a NotificationWait; session B, on another connection and so
 * possibly another httpd child, saves a message into that Inbox.  A's
 * wait must return EventPending 1 within a second, and A's next Execute
 * must carry a RopNotify for the new message after its ROP responses.
 *
 * Requirement ids: [MS-OXCNOTIF] unless marked [MS-OXCROPS] or
 * [MS-OXCMAPIHTTP] (/work/shared/specs/).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

#define NOTIFY_OBJ_CREATED   0x0004
#define NOTIFY_OBJ_MODIFIED  0x0010
#define NOTIFY_MESSAGE_FLAG  0x8000   /* NotificationFlags: a message event */
#define ROP_ID_NOTIFY        0x2A
#define ROP_ID_PENDING       0x6E

static int suite_init(void)
{
    /* A short wait limit, so that the unwoken case ends quickly. */
    static const char *const env[] = { "MAPI_MAX_NOTIFICATION_WAIT=4", NULL };

    return harness_start(&H, env) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static double now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

typedef struct session {
    mhc_client *c;
    rc_session s;
} session;

static int session_open(session *x)
{
    memset(x, 0, sizeof(*x));
    x->c = harness_connect_demo(harness_client(&H, 0, MHC_AUTH_BASIC));
    if (!x->c)
        return -1;
    rc_session_init(&x->s, x->c);
    if (rc_logon(&x->s, NULL, 0) != 0) {
        CHECKF(0, "setup: RopLogon: %s", x->s.error);
        return -1;
    }
    return 0;
}

static void session_close(session *x)
{
    if (x->c)
        rc_session_free(&x->s);
    mhc_client_free(&x->c);
}

/* RopRegisterNotification on the logon for the Inbox: the subscription's
 * handle, or RC_NO_HANDLE. */
static uint32_t subscribe_inbox(session *a, uint8_t types)
{
    uint32_t handle = RC_NO_HANDLE;
    rc_head h;
    rc_buf b;
    rc_exec x;

    rc_buf_init(&b, a->s.pool);
    rc_buf_handle(&b, 0, a->s.logon);
    rc_buf_handles_min(&b, 2);
    rc_req_register_notification(&b, a->s.logon_id, 0, 1, types, 0,
                                 a->s.lo.fids[RC_FID_INBOX], 0);
    if (rc_execute(a->c, &b, a->s.pool, &x) != 0 || !x.ok) {
        CHECKF(0, "RopRegisterNotification Execute failed: %s",
               x.error ? x.error : "?");
        rc_exec_free(&x);
        return handle;
    }
    CHECKF(rc_rsp_generic(&x.resp, 0x29, &h) == 0 && h.rv == 0,
           "[MS-OXCROPS] R4349: RopRegisterNotification ReturnValue 0x%08X",
           h.rv);
    if (h.rv == 0 && x.n_handles > 1)
        handle = x.handles[1];
    rc_exec_free(&x);
    return handle;
}

typedef struct waiter {
    mhc_client *c;
    int rc;
    mhc_nwait_rsp nw;
    double done_ms;
} waiter;

static void *wait_thread(void *arg)
{
    waiter *w = arg;
    mhc_response r;

    w->rc = mhc_notification_wait(w->c, NULL, &r, &w->nw);
    w->done_ms = now_ms();
    mhc_response_free(&r);
    return NULL;
}

/* One RopNotify ([MS-OXCROPS] 2.2.14.2): handle, logon id, then the
 * NotificationData header up to the ids ([MS-OXCNOTIF] 2.2.1.4.1.2). */
typedef struct notify_rsp {
    uint32_t handle;
    uint8_t logon_id;
    uint16_t flags;
    uint64_t fid, mid;
} notify_rsp;

/* Skips RopGetStoreState's response, then finds the first RopNotify. */
static int read_notify(rc_resp *r, notify_rsp *n)
{
    rc_head h;
    uint32_t state;
    uint8_t id;

    if (rc_rsp_get_store_state(r, &h, &state) != 0 || h.rv != 0)
        return -1;
    while (rc_resp_left(r) > 0) {
        if (rc_get_u8(r, &id) != 0)
            return -1;
        if (id == ROP_ID_PENDING)
            return -1;
        if (id != ROP_ID_NOTIFY)
            return -1;
        rc_get_u32(r, &n->handle);
        rc_get_u8(r, &n->logon_id);
        rc_get_u16(r, &n->flags);
        rc_get_u64(r, &n->fid);
        if (n->flags & NOTIFY_MESSAGE_FLAG)
            rc_get_u64(r, &n->mid);
        return 0;
    }
    return -1;
}

/* B's save wakes A's parked wait (R1258 of [MS-OXCMAPIHTTP]: the wait
 * completes when an event is pending), within one second, and A's next
 * Execute reports the new message in the Inbox (R98 R99 R100: ObjectCreated
 * with the message flag, FolderId and MessageId). */
static void test_save_in_other_session_wakes_and_notifies(void)
{
    session a, b;
    waiter w;
    pthread_t t;
    rc_prop subj = rc_pv_str(0x0037001F, "notify me");
    uint64_t mid = 0;
    double saved_ms;
    notify_rsp n;
    uint32_t sub;
    rc_buf buf;
    rc_exec x;

    if (session_open(&a) != 0 || session_open(&b) != 0)
        goto out;
    sub = subscribe_inbox(&a, NOTIFY_OBJ_CREATED | NOTIFY_OBJ_MODIFIED);
    if (sub == RC_NO_HANDLE)
        goto out;
    memset(&w, 0, sizeof(w));
    w.c = a.c;
    pthread_create(&t, NULL, wait_thread, &w);
    usleep(500 * 1000);          /* let the wait park */
    CHECKF(rc_create_message(&b.s, b.s.logon, b.s.lo.fids[RC_FID_INBOX],
                             &subj, 1, &mid) == 0,
           "B: create message in the Inbox: %s", b.s.error);
    saved_ms = now_ms();
    pthread_join(t, NULL);
    CHECKF(w.rc == 0 && w.nw.event_pending == 1,
           "[MS-OXCMAPIHTTP] R1371: wait rc %d EventPending %u", w.rc,
           w.nw.event_pending);
    CHECKF(w.done_ms - saved_ms < 1000.0,
           "the wait returned %.0f ms after the save (limit 1000)",
           w.done_ms - saved_ms);

    rc_buf_init(&buf, a.s.pool);
    rc_buf_handle(&buf, 0, a.s.logon);
    rc_req_get_store_state(&buf, a.s.logon_id, 0);
    if (rc_execute(a.c, &buf, a.s.pool, &x) != 0 || !x.ok) {
        CHECKF(0, "A: Execute after the wait failed");
        rc_exec_free(&x);
        goto out;
    }
    memset(&n, 0, sizeof(n));
    CHECKF(read_notify(&x.resp, &n) == 0,
           "[MS-OXCROPS] R4360: no RopNotify after the ROP responses");
    CHECKF(n.handle == sub, "RopNotify NotificationHandle 0x%08X, "
           "subscription 0x%08X", n.handle, sub);
    CHECKF(n.logon_id == a.s.logon_id, "RopNotify LogonId %u", n.logon_id);
    CHECKF((n.flags & 0x0FFF) == NOTIFY_OBJ_CREATED
           && (n.flags & NOTIFY_MESSAGE_FLAG),
           "R98 R99: NotificationFlags 0x%04X, want ObjectCreated|message",
           n.flags);
    CHECKF(n.fid == a.s.lo.fids[RC_FID_INBOX], "R100: FolderId 0x%016llX",
           (unsigned long long)n.fid);
    CHECKF(n.mid == mid, "MessageId 0x%016llX, saved 0x%016llX",
           (unsigned long long)n.mid, (unsigned long long)mid);
    rc_exec_free(&x);
out:
    session_close(&a);
    session_close(&b);
}

/* A session that did not subscribe is not woken: its wait runs to the
 * limit (the harness sets a short MapiMaxNotificationWait) with
 * EventPending 0. */
static void test_unsubscribed_session_not_woken(void)
{
    session a, b;
    waiter w;
    pthread_t t;
    rc_prop subj = rc_pv_str(0x0037001F, "nobody listens");
    uint64_t mid = 0;

    if (session_open(&a) != 0 || session_open(&b) != 0)
        goto out;
    memset(&w, 0, sizeof(w));
    w.c = a.c;
    pthread_create(&t, NULL, wait_thread, &w);
    usleep(300 * 1000);
    CHECKF(rc_create_message(&b.s, b.s.logon, b.s.lo.fids[RC_FID_INBOX],
                             &subj, 1, &mid) == 0,
           "B: create message: %s", b.s.error);
    pthread_join(t, NULL);
    CHECKF(w.rc == 0 && w.nw.event_pending == 0,
           "an unsubscribed session was woken: rc %d EventPending %u", w.rc,
           w.nw.event_pending);
out:
    session_close(&a);
    session_close(&b);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ROPs: notifications across sessions", suite_init,
                     suite_cleanup);
    CU_add_test(s, "a save in another session wakes the wait within 1 s "
                "and RopNotify follows (R98 R99 R100, MS-OXCROPS R4360)",
                test_save_in_other_session_wakes_and_notifies);
    CU_add_test(s, "an unsubscribed session is not woken",
                test_unsubscribed_session_not_woken);
    return harness_run_tests();
}
