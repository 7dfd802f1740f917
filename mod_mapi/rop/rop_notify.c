/*
 * rop_notify.c: notification ROPs ([MS-OXCROPS] 2.2.14), the store event
 * hook and the delivery of queued notifications.  RopNotify and RopPending
 * exist only as responses (R4422, R4432).
 *
 * Why notifications are queued as finished NotificationData bytes: the
 * event is known in full only where it happened (another process,
 * perhaps mapi-admin), while the response is written by whichever process
 * serves the session's next Execute.  Building the bytes at the event
 * keeps the queue free of store lookups at delivery and makes a queued
 * notification independent of later changes to the object.
 *
 * Folder events and store_event (as store_folder.c raises them): fid is
 * the folder, parent_fid its (new) parent; for a move or copy old_fid is
 * the folder it was (itself for a move, the source of a copy).  The
 * store does not report the old parent, so OldParentFolderId is 0 and
 * only the new parent's hierarchy tables reload.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include "rop_ids.h"
#include "rop_notify.h"
#include "rop_object.h"
#include "rop_permission.h"
#include "rop_table.h"
#include "session/sess_notify.h"
#include "session/sess_queue.h"
#include "wire/mapi_tags.h"

#define NOTIFY_RESP_OVERHEAD 6    /* RopId, NotificationHandle, LogonId */
#define PENDING_RESP_SIZE    3    /* RopId, SessionIndex */
#define NOTIFY_CLASS_MAX     255  /* message class characters we send */

/* ------------------------------------------------------------ parser -- */

/* Reserved is present only with the Extended flag (R20005, R20005001);
 * FolderId and MessageId only when WantWholeStore is zero (R4341, R4657). */
static int rop_parse_register_notification(mapi_rd *rd, apr_pool_t *pool,
                                           rop_call *call)
{
    rop_register_notification_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in_out(rd, call);
    if (mapi_rd_u16(rd, &r->notification_types) < 0 || rd->failed)
        return -1;
    if (r->notification_types & ROP_NOTIFY_EXTENDED)
        mapi_rd_u8(rd, &r->reserved);
    if (mapi_rd_u8(rd, &r->want_whole_store) < 0 || rd->failed)
        return -1;
    if (!r->want_whole_store) {
        mapi_rd_u64(rd, &r->folder_id);
        mapi_rd_u64(rd, &r->message_id);
    }
    return rd->failed ? -1 : 0;
}

/* ----------------------------------------------------------- handler -- */

static uint32_t notify_index_sub(rop_ctx *ctx, const rop_object *obj)
{
    const char *error = NULL;
    sess_sub sub;

    memset(&sub, 0, sizeof(sub));
    memcpy(sub.sid, rop_ctx_sid(ctx), SESS_ID_LEN);
    sub.handle = obj->handle;
    sub.logon_id = obj->logon_id;
    sub.mask = obj->ev_mask;
    sub.whole_store = obj->ev_whole_store;
    sub.fid = obj->ev_fid;
    sub.mid = obj->ev_mid;
    if (sess_sub_put(rop_ctx_db(ctx), rop_ctx_pool(ctx), obj->mbox, &sub,
                     &error) == 0)
        return 0;
    rop_ctx_note_error(ctx, error);
    return ecError;
}

/* In another user's mailbox events tell what happens to messages, so a
 * subscription needs ReadAny on its folder; a whole-store one would tell
 * about folders the user may not see, and is refused. */
static uint32_t notify_allowed(rop_ctx *ctx, const rop_object *logon,
                               const rop_register_notification_req *r)
{
    if (rop_ctx_is_own(ctx, logon->mbox))
        return 0;
    if (r->want_whole_store)
        return ecAccessDenied;
    return rop_perm_need(ctx, logon->mbox, r->folder_id,
                         STORE_RIGHT_READ_ANY);
}

/* R287, R289, R291: a new subscription object per request, saved with the
 * request's fields, several per session.  The subscription is on the
 * logon's mailbox (R4339: whole store or one folder/message of it). */
static int rop_handle_register_notification(rop_ctx *ctx, rop_call *call,
                                            mapi_wr *out)
{
    const rop_register_notification_req *r = call->req;
    rop_object *logon, *obj;
    uint32_t ec;

    if ((ec = rop_obj_load(ctx, call->in_handle_index,
                           ROP_OBJ_MASK(ROP_OBJ_LOGON), &logon)) != 0
        || (ec = notify_allowed(ctx, logon, r)) != 0)
        return rop_write_error_response(out, call, ec);
    if (mapi_wr_room(out) < 6)
        return -1;
    obj = rop_obj_new(ctx, logon, ROP_OBJ_NOTIFY);
    obj->ev_mask = r->notification_types & ~ROP_NOTIFY_EXTENDED;
    obj->ev_whole_store = r->want_whole_store != 0;
    if (!obj->ev_whole_store) {
        obj->ev_fid = r->folder_id;
        obj->ev_mid = r->message_id;
    }
    if ((ec = rop_obj_create(ctx, obj, call->out_handle_index)) != 0)
        return rop_write_error_response(out, call, ec);
    if ((ec = notify_index_sub(ctx, obj)) != 0) {
        /* A subscription no event can find must not look alive. */
        rop_obj_release(ctx, obj->handle);
        rop_ctx_set_handle(ctx, call->out_handle_index, SESS_OBJ_NONE);
        return rop_write_error_response(out, call, ec);
    }
    /* R4349-R4353: RopId, OutputHandleIndex, ReturnValue. */
    return rop_wr_ok_header(out, call, call->out_handle_index);
}

const rop_def rop_notify_defs[] = {
    { ROP_ID_REGISTER_NOTIFICATION, ROP_F_OUT_HANDLE,
      "RopRegisterNotification", rop_parse_register_notification,
      rop_handle_register_notification, 0 },
    { ROP_ID_NOTIFY, ROP_F_SERVER_ONLY, "RopNotify", NULL, NULL, 0 },
    { ROP_ID_PENDING, ROP_F_SERVER_ONLY, "RopPending", NULL, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};

/* -------------------------------------------------- NotificationData -- */

static int ev_is_move_copy(uint16_t type)
{
    return type == STORE_EV_OBJ_MOVED || type == STORE_EV_OBJ_COPIED;
}

/* R225: with UnicodeFlag FALSE the class is ASCII; message classes are
 * ASCII by definition, anything else becomes '?'. */
static int notify_wr_class(mapi_wr *wr, const char *cls)
{
    size_t i, n;

    if (!cls || !*cls)
        cls = "IPM.Note";
    n = strlen(cls);
    if (n > NOTIFY_CLASS_MAX)
        n = NOTIFY_CLASS_MAX;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)cls[i];
        mapi_wr_u8(wr, c >= 0x20 && c < 0x7F ? c : '?');
    }
    return mapi_wr_u8(wr, 0);
}

/* The Old* fields of a move or copy (R183, R187, R191). */
static void notify_wr_old(mapi_wr *wr, const store_event *ev, int msg)
{
    if (msg) {
        mapi_wr_u64(wr, ev->old_fid);            /* OldFolderId */
        mapi_wr_u64(wr, ev->old_mid);            /* OldMessageId */
        return;
    }
    mapi_wr_u64(wr, ev->old_fid ? ev->old_fid : ev->fid);   /* OldFolderId */
    mapi_wr_u64(wr, 0);          /* OldParentFolderId: not reported */
}

/* NewMail's tail: R215 MessageFlags, R221 UnicodeFlag, R226 MessageClass.
 * UnicodeFlag is FALSE: R220 asks for FALSE from cached-mode clients, and
 * MAPI over HTTP does not tell us the mode, so ASCII serves every client. */
static int notify_wr_new_mail(mapi_wr *wr, const store_event *ev)
{
    mapi_wr_u32(wr, ev->message_flags);
    mapi_wr_u8(wr, 0);
    return notify_wr_class(wr, ev->message_class);
}

int rop_notify_encode(mapi_wr *wr, const store_event *ev,
                      const rop_notify_counts *counts)
{
    uint16_t type = ev->type;
    int msg = ev->mid != 0 || type == STORE_EV_NEW_MAIL;
    uint16_t flags = type | (msg ? ROP_NOTIF_FLAG_MESSAGE : 0);

    if (type == STORE_EV_TABLE_MODIFIED)
        return rop_notify_encode_table_changed(wr, msg);
    /* R114, R117: T and U only on ObjectModified; we send them for
     * folders, whose counts are what changed. */
    if (type == STORE_EV_OBJ_MODIFIED && !msg && counts && counts->valid)
        flags |= ROP_NOTIF_FLAG_TOTAL | ROP_NOTIF_FLAG_UNREAD;
    mapi_wr_u16(wr, flags);
    mapi_wr_u64(wr, ev->fid);                    /* R171 FolderId */
    if (msg)
        mapi_wr_u64(wr, ev->mid);                /* R175 MessageId */
    /* R179: ParentFolderId for folders (S and M clear) on created,
     * deleted, moved and copied; we raise no search-folder events. */
    if (!msg && (type == STORE_EV_OBJ_CREATED || type == STORE_EV_OBJ_DELETED
                 || ev_is_move_copy(type)))
        mapi_wr_u64(wr, ev->parent_fid);
    if (ev_is_move_copy(type))
        notify_wr_old(wr, ev, msg);
    /* R195, R197: TagCount on created and modified, 0: no list. */
    if (type == STORE_EV_OBJ_CREATED || type == STORE_EV_OBJ_MODIFIED)
        mapi_wr_u16(wr, 0);
    if (flags & ROP_NOTIF_FLAG_TOTAL)
        mapi_wr_u32(wr, counts->total);          /* R207 */
    if (flags & ROP_NOTIF_FLAG_UNREAD)
        mapi_wr_u32(wr, counts->unread);         /* R211 */
    if (type == STORE_EV_NEW_MAIL)
        return notify_wr_new_mail(wr, ev);
    return wr->failed ? -1 : 0;
}

/* R124, R128: TableEventType TableChanged, and no row fields (R14204,
 * R14604, R15004, R15403, R15803, R16403, R16703). */
int rop_notify_encode_table_changed(mapi_wr *wr, int message)
{
    mapi_wr_u16(wr, STORE_EV_TABLE_MODIFIED
                    | (message ? ROP_NOTIF_FLAG_MESSAGE : 0));
    return mapi_wr_u16(wr, ROP_TABLE_CHANGED);
}

/* ------------------------------------------------------------- hook -- */

typedef struct notify_run {
    mapi_db *db;
    apr_pool_t *pool;
    const uint8_t *mbox;
    const store_event *ev;
    uint8_t *data;               /* the event's NotificationData, lazily */
    size_t len;
    int built;                   /* 1 built, -1 failed */
} notify_run;

static int id_eq(uint64_t a, uint64_t b)
{
    return a != 0 && a == b;
}

/* R41-R47, R40001, R52/R53: the type must be asked for, and the event
 * must be in scope: the whole store, the message itself, or the folder
 * (its messages and its subfolders). */
static int notify_in_scope(const sess_sub *s, const store_event *ev)
{
    int mc = ev_is_move_copy(ev->type);

    if (!(s->mask & ev->type))
        return 0;
    if (s->whole_store)
        return 1;
    if (s->mid)
        return id_eq(ev->mid, s->mid) || (mc && id_eq(ev->old_mid, s->mid));
    if (ev->mid)
        return id_eq(ev->fid, s->fid) || (mc && id_eq(ev->old_fid, s->fid));
    return id_eq(ev->fid, s->fid) || id_eq(ev->parent_fid, s->fid)
           || (mc && id_eq(ev->old_fid, s->fid));
}

/* Folder counts for a folder ObjectModified (flags T and U). */
static void notify_counts(notify_run *nr, rop_notify_counts *c)
{
    const rop_propval *total, *unread;
    const char *error = NULL;
    store_folder *f;
    store_props props;

    memset(c, 0, sizeof(*c));
    if (nr->ev->type != STORE_EV_OBJ_MODIFIED || nr->ev->mid != 0)
        return;
    store_props_init(&props, nr->pool);
    if (store_folder_get(nr->db, nr->pool, nr->mbox, nr->ev->fid, &f,
                         &error) != STORE_OK
        || store_folder_all_props(nr->db, nr->pool, nr->mbox, f, &props,
                                  &error) != STORE_OK)
        return;
    total = store_props_get(&props, PidTagContentCount);
    unread = store_props_get(&props, PidTagContentUnreadCount);
    if (!total || !unread)
        return;
    c->valid = 1;
    c->total = total->v.l;
    c->unread = unread->v.l;
}

static int notify_build(notify_run *nr)
{
    rop_notify_counts counts;
    mapi_wr wr;

    if (nr->built)
        return nr->built > 0 ? 0 : -1;
    notify_counts(nr, &counts);
    mapi_wr_init(&wr, nr->pool, SESS_NOTE_DATA_MAX);
    nr->built = rop_notify_encode(&wr, nr->ev, &counts) == 0 && !wr.failed
                ? 1 : -1;
    nr->data = wr.buf;
    nr->len = wr.len;
    return nr->built > 0 ? 0 : -1;
}

static int notify_push(notify_run *nr, const uint8_t *sid, uint32_t handle,
                       uint8_t logon_id, int coalesce, const uint8_t *data,
                       size_t len)
{
    sess_note n = { handle, logon_id, (uint8_t)coalesce, data, len };
    int queued = 0;

    /* A failed push loses one notification; the hook cannot fail the
     * change that already committed. */
    if (sess_queue_push(nr->db, nr->pool, sid, &n, &queued, NULL) != 0)
        return 0;
    return queued;
}

static const sess_object *notify_find_obj(const apr_array_header_t *objs,
                                          uint32_t handle)
{
    for (int i = 0; i < objs->nelts; i++) {
        const sess_object *o = &APR_ARRAY_IDX(objs, i, sess_object);
        if (o->handle == handle)
            return o;
    }
    return NULL;
}

/* Events that change the rows of a table; NewMail comes with its own
 * ObjectCreated, search and table events change no folder's rows. */
static int ev_changes_rows(uint16_t type)
{
    return type == STORE_EV_OBJ_CREATED || type == STORE_EV_OBJ_DELETED
           || type == STORE_EV_OBJ_MODIFIED || ev_is_move_copy(type);
}

/* Contents tables of the message's folder (old and new on a move), or
 * hierarchy tables of the folder's (new) parent, unless opened with
 * NoNotifications (or a hierarchy table's SuppressNotifications). */
static int notify_table_affected(const rop_object *t, const store_event *ev)
{
    int mc = ev_is_move_copy(ev->type);

    if (ev->mid) {
        return t->table_kind == ROP_TABLE_CONTENTS
               && !(t->table_flags & ROP_TBL_CT_NO_NOTIFICATIONS)
               && (id_eq(t->fid, ev->fid) || (mc && id_eq(t->fid, ev->old_fid)));
    }
    return t->table_kind == ROP_TABLE_HIERARCHY
           && !(t->table_flags & (ROP_TBL_HIER_NO_NOTIFICATIONS
                                  | ROP_TBL_HIER_SUPPRESS_NOTIFY))
           && id_eq(t->fid, ev->parent_fid);
}

/* Whether folder fid is in the scope of search s: one it names, or
 * below one when the search is recursive. */
static int notify_search_scope(notify_run *nr, const store_search *s,
                               uint64_t fid)
{
    for (int depth = 0; fid && depth < 64; depth++) {
        store_folder *f;

        for (uint16_t i = 0; i < s->n_folders; i++)
            if (id_eq(s->folders[i], fid))
                return 1;
        if (!(s->flags & STORE_SEARCH_RECURSIVE)
            || store_folder_get(nr->db, nr->pool, nr->mbox, fid, &f, NULL)
               != STORE_OK)
            return 0;
        fid = f->parent_fid;
    }
    return 0;
}

/* A contents table of a search folder, whose rows are other folders'
 * messages (store_search.c): a new message counts when it is one of its
 * rows now, a change, deletion or move when it happened in the search's
 * scope (the row may have come or gone; the client re-reads). */
static int notify_search_affected(notify_run *nr, const rop_object *t)
{
    const store_event *ev = nr->ev;
    store_search *s;

    if (!ev->mid || t->table_kind != ROP_TABLE_CONTENTS
        || (t->table_flags & ROP_TBL_CT_NO_NOTIFICATIONS)
        || store_search_get(nr->db, nr->pool, nr->mbox, t->fid, &s, NULL)
           != STORE_OK)
        return 0;
    if (ev->type == STORE_EV_OBJ_CREATED)
        return store_search_holds(nr->db, nr->pool, nr->mbox, t->fid,
                                  ev->mid);
    return notify_search_scope(nr, s, ev->fid)
           || (ev_is_move_copy(ev->type)
               && notify_search_scope(nr, s, ev->old_fid));
}

static int notify_tables(notify_run *nr, const uint8_t *sid,
                         const apr_array_header_t *objs)
{
    uint8_t buf[8];
    mapi_wr wr;
    int pushed = 0;

    if (!ev_changes_rows(nr->ev->type))
        return 0;
    for (int i = 0; i < objs->nelts; i++) {
        const sess_object *so = &APR_ARRAY_IDX(objs, i, sess_object);
        rop_object t;

        if (so->type != ROP_OBJ_TABLE)
            continue;
        memset(&t, 0, sizeof(t));
        t.type = ROP_OBJ_TABLE;
        if (rop_object_decode(so->data, so->len, nr->pool, &t) != 0
            || memcmp(t.mbox, nr->mbox, STORE_GUID_LEN) != 0
            || !(notify_table_affected(&t, nr->ev)
                 || notify_search_affected(nr, &t)))
            continue;
        mapi_wr_init_fixed(&wr, buf, sizeof(buf));
        rop_notify_encode_table_changed(&wr, nr->ev->mid != 0);
        pushed += notify_push(nr, sid, so->handle, t.logon_id, 1, buf, wr.len);
    }
    return pushed;
}

/* One session's subscriptions subs[0..n): live ones in scope get the
 * event, dead ones are deleted, then its tables; then it is woken. */
static void notify_session(notify_run *nr, const sess_sub *subs, int n)
{
    const uint8_t *sid = subs[0].sid;
    apr_array_header_t *objs;
    int pushed = 0, live = 0;

    if (sess_obj_list(nr->db, nr->pool, sid, &objs, NULL) != 0)
        return;
    for (int i = 0; i < n; i++) {
        const sess_object *o = notify_find_obj(objs, subs[i].handle);

        if (!o || o->type != ROP_OBJ_NOTIFY) {
            sess_sub_del(nr->db, nr->pool, nr->mbox, sid, subs[i].handle,
                         NULL);
            continue;
        }
        live++;
        if (notify_in_scope(&subs[i], nr->ev) && notify_build(nr) == 0)
            pushed += notify_push(nr, sid, subs[i].handle, subs[i].logon_id,
                                  0, nr->data, nr->len);
    }
    if (live)
        pushed += notify_tables(nr, sid, objs);
    if (pushed)
        sess_event_post(nr->db, nr->pool, sid, NULL);
}

void rop_notify_event_hook(mapi_db *db, apr_pool_t *pool,
                           const uint8_t mbox[STORE_GUID_LEN],
                           const store_event *ev)
{
    apr_array_header_t *subs;
    notify_run nr = { db, NULL, mbox, ev, NULL, 0, 0 };
    const sess_sub *all;
    int i, j;

    if (apr_pool_create(&nr.pool, pool) != APR_SUCCESS)
        return;
    /* The common case, nobody subscribed: this one range read. */
    if (sess_sub_list(db, nr.pool, mbox, &subs, NULL) == 0) {
        all = (const sess_sub *)subs->elts;
        for (i = 0; i < subs->nelts; i = j) {
            for (j = i + 1; j < subs->nelts
                 && memcmp(all[j].sid, all[i].sid, SESS_ID_LEN) == 0; j++)
                ;
            notify_session(&nr, all + i, j - i);
        }
    }
    apr_pool_destroy(nr.pool);
}

/* --------------------------------------------------------- delivery -- */

/* Handles already checked in this delivery: notifications name few
 * distinct handles (subscriptions and tables), so a full Execute of them
 * costs a few lookups, not one per notification. */
#define NOTIFY_LIVE_CACHE 16

typedef struct notify_live {
    uint32_t handle[NOTIFY_LIVE_CACHE];
    uint8_t live[NOTIFY_LIVE_CACHE];
    unsigned n;
} notify_live;

/* A handle released since its notification was queued is skipped: the
 * client would have to ignore it anyway (R450). */
static int notify_handle_live(rop_ctx *ctx, notify_live *cache,
                              uint32_t handle)
{
    sess_object so;
    unsigned i;
    int live;

    for (i = 0; i < cache->n; i++)
        if (cache->handle[i] == handle)
            return cache->live[i];
    live = sess_obj_get(rop_ctx_db(ctx), rop_ctx_pool(ctx), rop_ctx_sid(ctx),
                        handle, &so, NULL) == 0;
    if (cache->n < NOTIFY_LIVE_CACHE) {
        cache->handle[cache->n] = handle;
        cache->live[cache->n++] = (uint8_t)live;
    }
    return live;
}

/* [MS-OXCROPS] 2.2.14.2.1: RopId 0x2A, NotificationHandle, LogonId,
 * NotificationData. */
static void notify_wr_notify(mapi_wr *out, const sess_note *n)
{
    mapi_wr_u8(out, ROP_ID_NOTIFY);
    mapi_wr_u32(out, n->handle);
    mapi_wr_u8(out, n->logon_id);
    mapi_wr_bytes(out, n->data, n->len);
}

void rop_notify_deliver(rop_ctx *ctx, mapi_wr *resp, const rop_result *res)
{
    mapi_db *db = rop_ctx_db(ctx);
    const uint8_t *sid = rop_ctx_sid(ctx);
    apr_array_header_t *notes;
    const char *error = NULL;
    notify_live cache = { .n = 0 };
    uint32_t ignored;
    int more = 0;

    /* Only after a complete walk: RopBufferTooSmall must stay the last
     * response (R4517), and after an unparsable request the transport
     * fails the whole Execute (R4551), which would lose what was taken. */
    if (!db || !sid || res->stop != ROP_STOP_NONE
        || mapi_wr_room(resp) < PENDING_RESP_SIZE)
        return;
    /* Collect the wake count first: what is queued from here on wakes
     * the next NotificationWait, what was queued before is sent now. */
    if (sess_event_pending(db, NULL, sid, &ignored) == 0 && ignored > 0
        && sess_event_take(db, rop_ctx_pool(ctx), sid, &ignored,
                           &error) != 0)
        rop_ctx_note_error(ctx, error);
    /* R334, R347, R349: as many RopNotify as fit, leaving room for the
     * RopPending that says the rest waits. */
    if (sess_queue_take(db, rop_ctx_pool(ctx), sid,
                        mapi_wr_room(resp) - PENDING_RESP_SIZE,
                        NOTIFY_RESP_OVERHEAD, &notes, &more, NULL,
                        &error) != 0) {
        rop_ctx_note_error(ctx, error);
        return;
    }
    for (int i = 0; i < notes->nelts; i++) {
        const sess_note *n = &APR_ARRAY_IDX(notes, i, sess_note);
        if (notify_handle_live(ctx, &cache, n->handle))
            notify_wr_notify(resp, n);
    }
    /* R4437: SessionIndex 0, the only session of the context. */
    if (more) {
        mapi_wr_u8(resp, ROP_ID_PENDING);
        mapi_wr_u16(resp, 0);
    }
}
