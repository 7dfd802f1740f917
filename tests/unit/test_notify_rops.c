/*
 * test_notify_rops.c: notifications end to end in a real environment:
 * RopRegisterNotification through rop_execute, events raised by the store
 * hook (in this process and in another one), the queue in the shared
 * environment, and RopNotify / RopPending at the end of the next Execute
 * ([MS-OXCNOTIF], [MS-OXCROPS] 2.2.14).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <sys/wait.h>
#include <unistd.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "rop/rop.h"
#include "rop/rop_ids.h"
#include "rop/rop_notify.h"
#include "rop/rop_object.h"
#include "rop/rop_table.h"
#include "session/sess_context.h"
#include "session/sess_notify.h"
#include "session/sess_objects.h"
#include "session/sess_queue.h"
#include "store/store.h"

static apr_pool_t *pool;
static mapi_db *db;
static char dir[] = "/tmp/mapi-unit-notify-XXXXXX";
static cfg_mailbox mbx;
static store_mailbox_info *mi;

#define INBOX   (mi->folder_ids[STORE_FOLDER_INBOX])
#define IPM     (mi->folder_ids[STORE_FOLDER_IPM_SUBTREE])
#define OUTBOX  (mi->folder_ids[STORE_FOLDER_OUTBOX])

static int suite_init(void)
{
    const char *error = NULL;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    db = unit_env_open(pool, dir);
    if (!db)
        return -1;
    memset(&mbx, 0, sizeof(mbx));
    for (int i = 0; i < 16; i++)
        mbx.guid[i] = (uint8_t)(0xA0 + i);
    mbx.name = "demo";
    mbx.display_name = "Demo User";
    mbx.smtp = "demo@mapi.test";
    if (store_mailbox_create(db, pool, mbx.guid, "Demo User", &error)
        != STORE_OK
        || store_mailbox_get(db, pool, mbx.guid, &mi, &error) != STORE_OK) {
        fprintf(stderr, "mailbox: %s\n", error ? error : "?");
        return -1;
    }
    store_set_event_hook(rop_notify_event_hook);
    return 0;
}

static int suite_clean(void)
{
    store_set_event_hook(NULL);
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    unit_env_remove(dir);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct client {
    uint8_t sid[SESS_ID_LEN];
    uint32_t logon;              /* logon object handle */
} client;

static void new_client(client *c)
{
    rop_ctx *ctx;
    rop_object *l;

    CU_ASSERT_EQUAL_FATAL(sess_random(c->sid), 0);
    ctx = rop_ctx_create(pool, NULL);
    rop_ctx_set_env(ctx, db, c->sid, &mbx, "/o=test");
    l = rop_obj_new(ctx, NULL, ROP_OBJ_LOGON);
    l->logon_id = 0;
    l->logon_flags = 0x01;       /* Private */
    memcpy(l->mbox, mbx.guid, 16);
    CU_ASSERT_EQUAL_FATAL(rop_obj_create(ctx, l, 0), 0);
    c->logon = l->handle;
}

typedef struct exec_out {
    rop_status st;
    const uint8_t *resp;         /* the responses (after RopSize) */
    size_t len;
    uint32_t handles[8];
    unsigned n_handles;
} exec_out;

/* One Execute: RopSize, rops, handle table; splits the output. */
static void exec_rops(const client *c, const uint8_t *rops, size_t rops_len,
                      const uint32_t *handles, unsigned n, size_t max_out,
                      exec_out *o)
{
    uint8_t in[512];
    mapi_wr wr;
    rop_ctx *ctx = rop_ctx_create(pool, NULL);
    rop_result res;
    uint16_t rop_size;

    rop_ctx_set_env(ctx, db, c->sid, &mbx, "/o=test");
    mapi_wr_init_fixed(&wr, in, sizeof(in));
    mapi_wr_u16(&wr, (uint16_t)(2 + rops_len));
    mapi_wr_bytes(&wr, rops, rops_len);
    for (unsigned i = 0; i < n; i++)
        mapi_wr_u32(&wr, handles[i]);
    CU_ASSERT_FATAL(!wr.failed);
    memset(o, 0, sizeof(*o));
    o->st = rop_execute(ctx, in, wr.len, max_out, pool, &res);
    if (o->st != ROP_OK)
        return;
    rop_size = (uint16_t)(res.out[0] | res.out[1] << 8);
    CU_ASSERT_FATAL(rop_size >= 2 && rop_size <= res.out_len);
    o->resp = res.out + 2;
    o->len = rop_size - 2u;
    o->n_handles = (unsigned)((res.out_len - rop_size) / 4);
    CU_ASSERT_EQUAL(o->n_handles, n);
    for (unsigned i = 0; i < o->n_handles && i < 8; i++) {
        const uint8_t *p = res.out + rop_size + 4 * i;
        o->handles[i] = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
    }
}

static void exec_empty(const client *c, size_t max_out, exec_out *o)
{
    exec_rops(c, NULL, 0, NULL, 0, max_out, o);
}

/* RopRegisterNotification through rop_execute; returns the handle. */
static uint32_t subscribe(const client *c, uint16_t types, int whole,
                          uint64_t fid, uint64_t mid)
{
    uint8_t rops[32];
    uint32_t handles[2] = { c->logon, SESS_OBJ_NONE };
    mapi_wr wr;
    exec_out o;
    static const uint8_t ok[] = { 0x29, 0x01, 0, 0, 0, 0 };

    mapi_wr_init_fixed(&wr, rops, sizeof(rops));
    mapi_wr_u8(&wr, ROP_ID_REGISTER_NOTIFICATION);
    mapi_wr_u8(&wr, 0);          /* LogonId */
    mapi_wr_u8(&wr, 0);          /* InputHandleIndex */
    mapi_wr_u8(&wr, 1);          /* OutputHandleIndex */
    mapi_wr_u16(&wr, types);
    if (types & ROP_NOTIFY_EXTENDED)
        mapi_wr_u8(&wr, 0);      /* Reserved (R20005) */
    mapi_wr_u8(&wr, (uint8_t)whole);
    if (!whole) {
        mapi_wr_u64(&wr, fid);
        mapi_wr_u64(&wr, mid);
    }
    exec_rops(c, rops, wr.len, handles, 2, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.st, ROP_OK);
    /* R4348-R4353: RopId 0x29, OutputHandleIndex, ReturnValue 0. */
    CU_ASSERT_FATAL(o.len >= sizeof(ok));
    CU_ASSERT(memcmp(o.resp, ok, sizeof(ok)) == 0);
    CU_ASSERT_NOT_EQUAL(o.handles[1], SESS_OBJ_NONE);
    return o.handles[1];
}

static void raise_ev(uint16_t type, uint64_t fid, uint64_t mid)
{
    store_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ev.fid = fid;
    ev.mid = mid;
    ev.parent_fid = mid ? 0 : IPM;
    rop_notify_event_hook(db, pool, mbx.guid, &ev);
}

static uint32_t pending(const client *c)
{
    uint32_t n = 99;

    CU_ASSERT_EQUAL(sess_event_pending(db, NULL, c->sid, &n), 0);
    return n;
}

/* One RopNotify response in an output. */
typedef struct note {
    uint32_t handle;
    uint8_t logon_id;
    const uint8_t *data;         /* NotificationData ... to the end */
    size_t len;                  /* bytes left in the output */
} note;

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Expected NotificationData, built field by field. */
typedef struct expect {
    uint8_t buf[128];
    mapi_wr wr;
} expect;

static mapi_wr *expect_init(expect *e)
{
    mapi_wr_init_fixed(&e->wr, e->buf, sizeof(e->buf));
    return &e->wr;
}

/* Checks that the output at *off is RopNotify(handle, data == e) and
 * moves past it. */
static void check_notify(const exec_out *o, size_t *off, uint32_t handle,
                         const expect *e)
{
    const uint8_t *p = o->resp + *off;

    CU_ASSERT_FATAL(*off + 6 + e->wr.len <= o->len);
    CU_ASSERT_EQUAL(p[0], ROP_ID_NOTIFY);                    /* R4425 */
    CU_ASSERT_EQUAL(p[1] | p[2] << 8 | p[3] << 16 | (uint32_t)p[4] << 24,
                    handle);                                  /* R4426 */
    CU_ASSERT_EQUAL(p[5], 0);                                 /* R4428 */
    CU_ASSERT(memcmp(p + 6, e->buf, e->wr.len) == 0);
    *off += 6 + e->wr.len;
}

/* ---- RopRegisterNotification ---------------------------------------- */

static void test_register(void)
{
    client c;
    apr_array_header_t *subs;
    const char *error = NULL;
    sess_object so;
    rop_object obj;
    uint32_t h;
    int before;

    new_client(&c);
    CU_ASSERT_EQUAL(sess_sub_list(db, pool, mbx.guid, &subs, &error), 0);
    before = subs->nelts;
    /* R20005: Reserved present with the Extended flag. */
    h = subscribe(&c, 0x0004 | 0x0010 | ROP_NOTIFY_EXTENDED, 0, INBOX, 0);
    /* R35, R287: a Notification Subscription object behind the handle. */
    CU_ASSERT_EQUAL_FATAL(sess_obj_get(db, pool, c.sid, h, &so, &error), 0);
    CU_ASSERT_EQUAL(so.type, ROP_OBJ_NOTIFY);
    CU_ASSERT_EQUAL(so.parent, c.logon);
    memset(&obj, 0, sizeof(obj));
    obj.type = ROP_OBJ_NOTIFY;
    CU_ASSERT_EQUAL(rop_object_decode(so.data, so.len, pool, &obj), 0);
    /* R289: the request's fields are saved. */
    CU_ASSERT_EQUAL(obj.ev_mask, 0x0014);
    CU_ASSERT_EQUAL(obj.ev_whole_store, 0);
    CU_ASSERT_EQUAL(obj.ev_fid, INBOX);
    /* The shared index names it. */
    CU_ASSERT_EQUAL(sess_sub_list(db, pool, mbx.guid, &subs, &error), 0);
    CU_ASSERT_EQUAL(subs->nelts, before + 1);
    /* R291: several subscriptions per session. */
    CU_ASSERT_NOT_EQUAL(subscribe(&c, 0x0002, 1, 0, 0), h);
}

static void test_register_needs_logon(void)
{
    client c;
    uint8_t rops[] = { 0x29, 0, 0, 1, 0x04, 0x00, 0x01 };
    uint32_t handles[2];
    exec_out o;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x0004, 1, 0, 0);
    /* Input is the subscription, not a logon: wrong object type. */
    handles[0] = h;
    handles[1] = SESS_OBJ_NONE;
    exec_rops(&c, rops, sizeof(rops), handles, 2, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.st, ROP_OK);
    CU_ASSERT_FATAL(o.len >= 6);
    CU_ASSERT_EQUAL(o.resp[0], 0x29);
    CU_ASSERT_EQUAL(o.resp[1], 1);                   /* R4350 */
    CU_ASSERT_NOT_EQUAL(le16(o.resp + 2) | (uint32_t)le16(o.resp + 4) << 16,
                        0);
}

/* ---- NotificationData layouts --------------------------------------- */

static void test_object_created_message(void)
{
    client c;
    exec_out o;
    expect e;
    mapi_wr *w;
    size_t off = 0;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x0004, 1, 0, 0);
    CU_ASSERT_EQUAL(pending(&c), 0);
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x1234000000000001ull);
    /* The session's NotificationWait is woken (sess_event_post). */
    CU_ASSERT_EQUAL(pending(&c), 1);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.st, ROP_OK);
    w = expect_init(&e);
    mapi_wr_u16(w, 0x8004);      /* R104, R121/R122: M flag, a message */
    mapi_wr_u64(w, INBOX);       /* R170, R171 FolderId */
    mapi_wr_u64(w, 0x1234000000000001ull);  /* R175 MessageId */
    /* R179: no ParentFolderId for a message outside search folders. */
    mapi_wr_u16(w, 0);           /* R195 TagCount */
    /* R21502, R22102, R22602: no NewMail fields. */
    check_notify(&o, &off, h, &e);
    CU_ASSERT_EQUAL(off, o.len); /* R452202: nothing left, no RopPending */
    /* Delivered once: the next Execute is empty, the count collected. */
    CU_ASSERT_EQUAL(pending(&c), 0);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL(o.len, 0);
}

static void test_new_mail(void)
{
    client c;
    exec_out o;
    expect e;
    mapi_wr *w;
    store_event ev;
    size_t off = 0;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x0002, 1, 0, 0);
    memset(&ev, 0, sizeof(ev));
    ev.type = STORE_EV_NEW_MAIL;
    ev.fid = INBOX;
    ev.mid = 0x77;
    ev.message_flags = 0x00000002;   /* mfUnmodified */
    ev.message_class = "IPM.Note.Test";
    rop_notify_event_hook(db, pool, mbx.guid, &ev);
    exec_empty(&c, 0x8000, &o);
    w = expect_init(&e);
    mapi_wr_u16(w, 0x8002);      /* R103 */
    mapi_wr_u64(w, INBOX);       /* R17103 */
    mapi_wr_u64(w, 0x77);        /* R17501 */
    /* R17905, R18303, R18703, R19103, R19503: nothing else before... */
    mapi_wr_u32(w, 0x00000002);  /* R214, R21501 MessageFlags */
    mapi_wr_u8(w, 0);            /* R219, R22101 UnicodeFlag: ASCII */
    mapi_wr_str8(w, "IPM.Note.Test");   /* R223, R225, R22601 */
    check_notify(&o, &off, h, &e);
    CU_ASSERT_EQUAL(off, o.len);
}

/* Every type in one Execute, in the order raised. */
static void test_layouts(void)
{
    client c;
    exec_out o;
    expect e;
    mapi_wr *w;
    store_event ev;
    size_t off = 0;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x01FE, 1, 0, 0);
    raise_ev(STORE_EV_OBJ_CREATED, 0x501, 0);       /* a folder */
    raise_ev(STORE_EV_OBJ_DELETED, INBOX, 0x99);    /* a message */
    raise_ev(STORE_EV_OBJ_DELETED, 0x501, 0);       /* a folder */
    raise_ev(STORE_EV_OBJ_MODIFIED, INBOX, 0x98);   /* a message */
    memset(&ev, 0, sizeof(ev));
    ev.type = STORE_EV_OBJ_MOVED;                    /* a message */
    ev.fid = OUTBOX;
    ev.mid = 0x200;
    ev.old_fid = INBOX;
    ev.old_mid = 0x100;
    rop_notify_event_hook(db, pool, mbx.guid, &ev);
    memset(&ev, 0, sizeof(ev));
    ev.type = STORE_EV_OBJ_COPIED;                   /* a folder */
    ev.fid = 0x601;
    ev.parent_fid = OUTBOX;
    ev.old_fid = 0x600;          /* the source, as store_folder_copy */
    rop_notify_event_hook(db, pool, mbx.guid, &ev);
    raise_ev(STORE_EV_SEARCH_COMPLETE, 0x701, 0);
    raise_ev(STORE_EV_TABLE_MODIFIED, 0x701, 0);
    CU_ASSERT_EQUAL(pending(&c), 8);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.st, ROP_OK);

    w = expect_init(&e);         /* folder created: R104, R179 */
    mapi_wr_u16(w, 0x0004);
    mapi_wr_u64(w, 0x501);
    mapi_wr_u64(w, IPM);         /* ParentFolderId */
    mapi_wr_u16(w, 0);           /* R19501 TagCount */
    check_notify(&o, &off, h, &e);

    w = expect_init(&e);         /* message deleted: R105, R17902 */
    mapi_wr_u16(w, 0x8008);
    mapi_wr_u64(w, INBOX);
    mapi_wr_u64(w, 0x99);
    check_notify(&o, &off, h, &e);

    w = expect_init(&e);         /* folder deleted: R179 */
    mapi_wr_u16(w, 0x0008);
    mapi_wr_u64(w, 0x501);
    mapi_wr_u64(w, IPM);
    check_notify(&o, &off, h, &e);

    w = expect_init(&e);         /* message modified: R106, R197 */
    mapi_wr_u16(w, 0x8010);
    mapi_wr_u64(w, INBOX);
    mapi_wr_u64(w, 0x98);
    mapi_wr_u16(w, 0);           /* R19502 TagCount; R20702, R21102 */
    check_notify(&o, &off, h, &e);

    w = expect_init(&e);         /* message moved: R107, R18301, R18701 */
    mapi_wr_u16(w, 0x8020);
    mapi_wr_u64(w, OUTBOX);
    mapi_wr_u64(w, 0x200);
    mapi_wr_u64(w, INBOX);       /* OldFolderId */
    mapi_wr_u64(w, 0x100);       /* OldMessageId */
    check_notify(&o, &off, h, &e);

    w = expect_init(&e);         /* folder copied: R108, R17904, R19102 */
    mapi_wr_u16(w, 0x0040);
    mapi_wr_u64(w, 0x601);
    mapi_wr_u64(w, OUTBOX);      /* ParentFolderId */
    mapi_wr_u64(w, 0x600);       /* OldFolderId */
    mapi_wr_u64(w, 0);           /* OldParentFolderId: store has none */
    check_notify(&o, &off, h, &e);

    w = expect_init(&e);         /* search complete: R109, R171 */
    mapi_wr_u16(w, 0x0080);
    mapi_wr_u64(w, 0x701);
    check_notify(&o, &off, h, &e);

    w = expect_init(&e);         /* table modified: R110, R124, R128 */
    mapi_wr_u16(w, 0x0100);
    mapi_wr_u16(w, 0x0001);      /* R14204 ...: no row fields */
    check_notify(&o, &off, h, &e);
    CU_ASSERT_EQUAL(off, o.len);
}

/* Folder ObjectModified carries the folder's counts (R114, R117, R207,
 * R211) when the store can tell them. */
static void test_folder_modified_counts(void)
{
    client c;
    exec_out o;
    uint16_t flags;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x0010, 1, 0, 0);
    raise_ev(STORE_EV_OBJ_MODIFIED, INBOX, 0);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_FATAL(o.len >= 6 + 12);
    CU_ASSERT_EQUAL(o.resp[0], ROP_ID_NOTIFY);
    CU_ASSERT_EQUAL(o.resp[1] | o.resp[2] << 8, h & 0xFFFF);
    flags = le16(o.resp + 6);
    CU_ASSERT_EQUAL(flags & 0x0FFF, 0x0010);
    CU_ASSERT_EQUAL(flags & 0xC000, 0);          /* a folder: no S, M */
    CU_ASSERT_EQUAL(le64(o.resp + 8), INBOX);
    CU_ASSERT_EQUAL(le16(o.resp + 16), 0);       /* TagCount */
    if (flags & 0x3000) {
        CU_ASSERT_EQUAL(flags & 0x3000, 0x3000);
        CU_ASSERT_EQUAL(o.len, 6 + 12 + 8u);
    } else {
        CU_ASSERT_EQUAL(o.len, 6 + 12u);
    }
}

/* ---- who gets what --------------------------------------------------- */

static void test_scope_and_mask(void)
{
    client c;
    exec_out o;
    uint32_t hf, hm, hn;

    new_client(&c);
    hf = subscribe(&c, 0x0004, 0, INBOX, 0);     /* the Inbox */
    hm = subscribe(&c, 0x0010, 0, INBOX, 0x4242); /* one message */
    hn = subscribe(&c, 0x0002, 1, 0, 0);         /* NewMail only */
    raise_ev(STORE_EV_OBJ_CREATED, OUTBOX, 0x4241); /* out of scope */
    raise_ev(STORE_EV_OBJ_MODIFIED, INBOX, 0x4241); /* other message */
    CU_ASSERT_EQUAL(pending(&c), 0);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL(o.len, 0);
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x4242);  /* hf (R42) */
    raise_ev(STORE_EV_OBJ_MODIFIED, INBOX, 0x4242); /* hm (R44) */
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.len, 2 * (6 + 20u));
    CU_ASSERT_EQUAL(o.resp[1] | o.resp[2] << 8, hf & 0xFFFF);
    CU_ASSERT_EQUAL(o.resp[26 + 1] | o.resp[26 + 2] << 8, hm & 0xFFFF);
    (void)hn;
}

static void test_two_sessions_and_bystander(void)
{
    client a, b, idle;
    exec_out o;
    uint32_t ha, hb;

    new_client(&a);
    new_client(&b);
    new_client(&idle);           /* logged on, never subscribed */
    ha = subscribe(&a, 0x0004, 1, 0, 0);
    hb = subscribe(&b, 0x0004, 1, 0, 0);
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x31);
    CU_ASSERT_EQUAL(pending(&a), 1);
    CU_ASSERT_EQUAL(pending(&b), 1);
    CU_ASSERT_EQUAL(pending(&idle), 0);
    exec_empty(&a, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.len, 26);
    CU_ASSERT_EQUAL(o.resp[1] | o.resp[2] << 8, ha & 0xFFFF);
    exec_empty(&b, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.len, 26);
    CU_ASSERT_EQUAL(o.resp[1] | o.resp[2] << 8, hb & 0xFFFF);
    exec_empty(&idle, 0x8000, &o);
    CU_ASSERT_EQUAL(o.len, 0);
}

static void test_released_subscription(void)
{
    client c;
    rop_ctx *ctx = rop_ctx_create(pool, NULL);
    apr_array_header_t *subs;
    const char *error = NULL;
    exec_out o;
    uint32_t h, h2;
    int i, found = 0;

    new_client(&c);
    rop_ctx_set_env(ctx, db, c.sid, &mbx, "/o=test");
    h = subscribe(&c, 0x0004, 1, 0, 0);
    rop_obj_release(ctx, h);     /* R409 */
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x41);
    CU_ASSERT_EQUAL(pending(&c), 0);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL(o.len, 0);
    /* The event found it stale and deleted it from the index. */
    CU_ASSERT_EQUAL(sess_sub_list(db, pool, mbx.guid, &subs, &error), 0);
    for (i = 0; i < subs->nelts; i++) {
        const sess_sub *s = &APR_ARRAY_IDX(subs, i, sess_sub);
        found |= memcmp(s->sid, c.sid, 16) == 0 && s->handle == h;
    }
    CU_ASSERT_FALSE(found);
    /* Released after the event but before the Execute: not sent. */
    h2 = subscribe(&c, 0x0004, 1, 0, 0);
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x42);
    rop_obj_release(ctx, h2);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL(o.len, 0);
}

/* R334, R349, R4437: what does not fit waits, announced by RopPending;
 * the queue keeps the newest SESS_QUEUE_MAX. */
static void test_overflow_and_pending(void)
{
    client c;
    exec_out o;
    const char *error = NULL;
    uint32_t count, dropped, h, got = 0;
    uint64_t first_mid = 0;
    int rounds = 0, saw_pending = 0;

    new_client(&c);
    h = subscribe(&c, 0x0004, 1, 0, 0);
    for (uint64_t m = 1; m <= SESS_QUEUE_MAX + 5; m++)
        raise_ev(STORE_EV_OBJ_CREATED, INBOX, m);
    CU_ASSERT_EQUAL(sess_queue_stat(db, pool, c.sid, &count, &dropped,
                                    &error), 0);
    CU_ASSERT_EQUAL(count, SESS_QUEUE_MAX);
    CU_ASSERT_EQUAL(dropped, 5);
    do {
        size_t off = 0;

        exec_empty(&c, 1000, &o);
        CU_ASSERT_EQUAL_FATAL(o.st, ROP_OK);
        saw_pending = 0;
        while (off < o.len) {
            if (o.resp[off] == ROP_ID_PENDING) {
                /* R452201: last; SessionIndex 0. */
                CU_ASSERT_EQUAL(off + 3, o.len);
                CU_ASSERT_EQUAL(le16(o.resp + off + 1), 0);
                saw_pending = 1;
                break;
            }
            CU_ASSERT_EQUAL_FATAL(o.resp[off], ROP_ID_NOTIFY);
            CU_ASSERT_EQUAL(o.resp[off + 1] | o.resp[off + 2] << 8,
                            h & 0xFFFF);
            if (!first_mid)
                first_mid = le64(o.resp + off + 6 + 10);
            off += 26;
            got++;
        }
        CU_ASSERT(o.len <= 1000 - 2);
    } while (saw_pending && ++rounds < 100);
    CU_ASSERT_EQUAL(got, SESS_QUEUE_MAX);
    CU_ASSERT_EQUAL(first_mid, 6);   /* the oldest five were dropped */
    CU_ASSERT(rounds > 1);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL(o.len, 0);
}

/* RopNotify follows the ROP responses of the Execute (R452201). */
static void test_after_rop_responses(void)
{
    client c;
    uint8_t rops[32];
    uint32_t handles[2];
    mapi_wr wr;
    exec_out o;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x0004, 1, 0, 0);
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x51);
    /* Another RopRegisterNotification, then the queued notification. */
    mapi_wr_init_fixed(&wr, rops, sizeof(rops));
    mapi_wr_u8(&wr, 0x29);
    mapi_wr_u8(&wr, 0);
    mapi_wr_u8(&wr, 0);
    mapi_wr_u8(&wr, 1);
    mapi_wr_u16(&wr, 0x0008);
    mapi_wr_u8(&wr, 1);
    handles[0] = c.logon;
    handles[1] = SESS_OBJ_NONE;
    exec_rops(&c, rops, wr.len, handles, 2, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.len, 6 + 26u);
    CU_ASSERT_EQUAL(o.resp[0], 0x29);
    CU_ASSERT_EQUAL(o.resp[6], ROP_ID_NOTIFY);
    CU_ASSERT_EQUAL(o.resp[7] | o.resp[8] << 8, h & 0xFFFF);
}

/* An Execute the transport fails (R4551) or that ends in RopBufferTooSmall
 * (R4517) takes nothing from the queue. */
static void test_kept_when_walk_stops(void)
{
    client c;
    static const uint8_t server_only[] = { ROP_ID_NOTIFY };
    exec_out o;
    uint32_t count = 0, dropped = 0;
    const char *error = NULL;

    new_client(&c);
    subscribe(&c, 0x0004, 1, 0, 0);
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x55);
    exec_rops(&c, server_only, sizeof(server_only), NULL, 0, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.st, ROP_OK);
    CU_ASSERT_EQUAL(o.len, 0);
    CU_ASSERT_EQUAL(sess_queue_stat(db, pool, c.sid, &count, &dropped,
                                    &error), 0);
    CU_ASSERT_EQUAL(count, 1);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL(o.len, 26);
}

/* Without an environment (the parser tests) nothing is delivered. */
static void test_no_env(void)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);
    static const uint8_t in[] = { 0x02, 0x00 };
    rop_result res;

    CU_ASSERT_EQUAL(rop_execute(ctx, in, sizeof(in), 0x8000, pool, &res),
                    ROP_OK);
    CU_ASSERT_EQUAL(res.out_len, 2);
}

/* ---- tables ---------------------------------------------------------- */

static uint32_t open_table(const client *c, rop_table_kind kind,
                           uint64_t fid, uint8_t flags)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);
    rop_object logon, *t;

    rop_ctx_set_env(ctx, db, c->sid, &mbx, "/o=test");
    memset(&logon, 0, sizeof(logon));
    logon.handle = c->logon;
    memcpy(logon.mbox, mbx.guid, 16);
    t = rop_obj_new(ctx, &logon, ROP_OBJ_TABLE);
    t->table_kind = kind;
    t->table_flags = flags;
    t->fid = fid;
    CU_ASSERT_EQUAL_FATAL(rop_obj_create(ctx, t, 0), 0);
    return t->handle;
}

static void test_table_changed(void)
{
    client c;
    exec_out o;
    uint32_t contents, quiet, hier, outbox;
    static const uint8_t contents_changed[] = { 0x00, 0x81, 0x01, 0x00 };
    static const uint8_t hier_changed[] = { 0x00, 0x01, 0x01, 0x00 };

    new_client(&c);
    subscribe(&c, 0x0002, 1, 0, 0);      /* NewMail only */
    contents = open_table(&c, ROP_TABLE_CONTENTS, INBOX, 0);
    quiet = open_table(&c, ROP_TABLE_CONTENTS, INBOX,
                       ROP_TBL_CT_NO_NOTIFICATIONS);   /* R373, R375 */
    outbox = open_table(&c, ROP_TABLE_CONTENTS, OUTBOX, 0);
    hier = open_table(&c, ROP_TABLE_HIERARCHY, IPM, 0);
    /* Two saves in the Inbox: one reload (coalesced). */
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x61);
    raise_ev(STORE_EV_OBJ_MODIFIED, INBOX, 0x61);
    CU_ASSERT_EQUAL(pending(&c), 1);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.len, 6 + 4u);
    CU_ASSERT_EQUAL(o.resp[0], ROP_ID_NOTIFY);
    CU_ASSERT_EQUAL(o.resp[1] | o.resp[2] << 8, contents & 0xFFFF); /* R97 */
    CU_ASSERT(memcmp(o.resp + 6, contents_changed, 4) == 0);      /* R128 */
    /* A folder created under the IPM subtree: its hierarchy table. */
    raise_ev(STORE_EV_OBJ_CREATED, 0x801, 0);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.len, 6 + 4u);
    CU_ASSERT_EQUAL(o.resp[1] | o.resp[2] << 8, hier & 0xFFFF);
    CU_ASSERT(memcmp(o.resp + 6, hier_changed, 4) == 0);
    (void)quiet;
    (void)outbox;
}

/* ---- other processes, the store, the session's end ------------------- */

static void test_event_in_other_process(void)
{
    client c;
    exec_out o;
    pid_t pid;
    int status = 0;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x0008, 1, 0, 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        apr_pool_t *p;
        mapi_db *d = NULL;
        const char *error = NULL;
        store_event ev = { .type = STORE_EV_OBJ_DELETED, .fid = 0x901,
                           .mid = 0x902 };

        apr_pool_create(&p, NULL);
        if (mapi_db_open(p, dir, 0, &d, &error) != 0)
            _exit(2);
        rop_notify_event_hook(d, p, mbx.guid, &ev);
        mapi_db_close(&d);
        _exit(0);
    }
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
    CU_ASSERT_EQUAL(pending(&c), 1);
    exec_empty(&c, 0x8000, &o);
    CU_ASSERT_EQUAL_FATAL(o.len, 6 + 18u);
    CU_ASSERT_EQUAL(o.resp[1] | o.resp[2] << 8, h & 0xFFFF);
    CU_ASSERT_EQUAL(le16(o.resp + 6), 0x8008);
    CU_ASSERT_EQUAL(le64(o.resp + 8), 0x901);
    CU_ASSERT_EQUAL(le64(o.resp + 16), 0x902);
}

/* The store raises the events itself (store_message_save). */
static void test_store_message_save(void)
{
    client c;
    exec_out o;
    const char *error = NULL;
    store_message *m;
    size_t off = 0;
    int created = 0;
    uint32_t h;

    new_client(&c);
    h = subscribe(&c, 0x0004 | 0x0010, 0, INBOX, 0);
    m = store_message_new(pool, INBOX, 0);
    store_props_set_str(&m->props, 0x001A001Fu /* PidTagMessageClass */,
                        "IPM.Note");
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbx.guid, m, &error),
                          STORE_OK);
    CU_ASSERT(pending(&c) >= 1);
    exec_empty(&c, 0x8000, &o);
    while (off + 6 + 18 <= o.len && o.resp[off] == ROP_ID_NOTIFY) {
        uint16_t flags = le16(o.resp + off + 6);

        CU_ASSERT_EQUAL(o.resp[off + 1] | o.resp[off + 2] << 8, h & 0xFFFF);
        if (flags == 0x8004 && le64(o.resp + off + 8) == INBOX
            && le64(o.resp + off + 16) == m->mid)
            created = 1;
        off += 6 + 2 + 8 + ((flags & 0x8000) ? 8 : 0)
               + ((flags & 0x0FFF) == 0x0004 || (flags & 0x0FFF) == 0x0010
                  ? 2 : 0) + ((flags & 0x3000) ? 8 : 0);
    }
    CU_ASSERT_TRUE(created);
}

static void test_cleared_with_session(void)
{
    sess_context *s = apr_pcalloc(pool, sizeof(*s));
    const char *error = NULL;
    apr_array_header_t *subs;
    rop_ctx *ctx;
    rop_object *l;
    client c;
    uint32_t count = 1, dropped = 1;
    int i, mine = 0;

    s->endpoint = SESS_EP_EMSMDB;
    s->identity = "demo@MAPI.TEST";
    s->auth_type = "Basic";
    s->mailbox = "demo@mapi.test";
    s->idle_timeout = 900;
    CU_ASSERT_EQUAL_FATAL(sess_create(db, pool, s, NULL, &error), SESS_OK);
    memcpy(c.sid, s->id, SESS_ID_LEN);
    ctx = rop_ctx_create(pool, NULL);
    rop_ctx_set_env(ctx, db, c.sid, &mbx, "/o=test");
    l = rop_obj_new(ctx, NULL, ROP_OBJ_LOGON);
    memcpy(l->mbox, mbx.guid, 16);
    CU_ASSERT_EQUAL_FATAL(rop_obj_create(ctx, l, 0), 0);
    c.logon = l->handle;
    subscribe(&c, 0x0004, 1, 0, 0);
    raise_ev(STORE_EV_OBJ_CREATED, INBOX, 0x71);
    CU_ASSERT_EQUAL(sess_queue_stat(db, pool, c.sid, &count, &dropped,
                                    &error), 0);
    CU_ASSERT_EQUAL(count, 1);
    CU_ASSERT_EQUAL(sess_destroy(db, pool, c.sid, &error), SESS_OK);
    CU_ASSERT_EQUAL(sess_queue_stat(db, pool, c.sid, &count, &dropped,
                                    &error), 0);
    CU_ASSERT_EQUAL(count, 0);
    CU_ASSERT_EQUAL(sess_sub_list(db, pool, mbx.guid, &subs, &error), 0);
    for (i = 0; i < subs->nelts; i++)
        mine |= memcmp(APR_ARRAY_IDX(subs, i, sess_sub).sid, c.sid, 16) == 0;
    CU_ASSERT_FALSE(mine);
}

/* Nobody subscribed to a mailbox: the hook does nothing. */
static void test_no_subscribers(void)
{
    uint8_t other[16];
    store_event ev = { .type = STORE_EV_OBJ_CREATED, .fid = 1, .mid = 2 };
    apr_array_header_t *subs;
    const char *error = NULL;

    memset(other, 0x5A, sizeof(other));
    rop_notify_event_hook(db, pool, other, &ev);
    CU_ASSERT_EQUAL(sess_sub_list(db, pool, other, &subs, &error), 0);
    CU_ASSERT_EQUAL(subs->nelts, 0);
}

int main(void)
{
    CU_pSuite s;
    int failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("notify", suite_init, suite_clean);
    CU_add_test(s, "RopRegisterNotification creates and indexes (R287-R291)",
                test_register);
    CU_add_test(s, "RopRegisterNotification needs a logon",
                test_register_needs_logon);
    CU_add_test(s, "ObjectCreated of a message, woken and delivered once",
                test_object_created_message);
    CU_add_test(s, "NewMail layout (R214-R226)", test_new_mail);
    CU_add_test(s, "NotificationData layouts of every type (R98-R203)",
                test_layouts);
    CU_add_test(s, "folder ObjectModified counts (R114, R117)",
                test_folder_modified_counts);
    CU_add_test(s, "scope and NotificationTypes (R41-R53)",
                test_scope_and_mask);
    CU_add_test(s, "two sessions on one mailbox, a bystander gets nothing",
                test_two_sessions_and_bystander);
    CU_add_test(s, "released subscription gets nothing",
                test_released_subscription);
    CU_add_test(s, "overflow drops the oldest, RopPending (R334, R349)",
                test_overflow_and_pending);
    CU_add_test(s, "RopNotify after the ROP responses (R452201)",
                test_after_rop_responses);
    CU_add_test(s, "queue kept when the walk stops (R4517, R4551)",
                test_kept_when_walk_stops);
    CU_add_test(s, "no environment, no delivery", test_no_env);
    CU_add_test(s, "TableModified TableChanged for open tables (R128, R373)",
                test_table_changed);
    CU_add_test(s, "event raised in another process",
                test_event_in_other_process);
    CU_add_test(s, "store_message_save raises ObjectCreated",
                test_store_message_save);
    CU_add_test(s, "queue and subscriptions go with the session",
                test_cleared_with_session);
    CU_add_test(s, "no subscribers: nothing happens", test_no_subscribers);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
