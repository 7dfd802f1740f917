/*
 * mh_wait.c: NotificationWait without a worker thread ([MS-OXCMAPIHTTP]
 * 3.2.5.5).
 *
 * The handler sends the headers and PROCESSING, parks the request here and
 * returns SUSPENDED: the event MPM then holds the connection with no
 * thread.  Each child process runs one waiter thread of its own that owns
 * every parked wait of that process.  It sleeps in an APR pollset on
 *   - a Unix datagram socket, <datadir>/wake/<pid>.sock, on which any
 *     process that posts an event for a session sends that session's id
 *     (sess_notify.c), and
 *   - the pollset's own wake-up pipe, rung when a new wait is parked,
 * with a timeout up to the earliest due time in a binary heap of waits
 * (next PENDING keep-alive or end of the wait).  The MPM's timed callbacks
 * are not used: on a quiet server they only run when other traffic wakes
 * the listener (platform-notes.md).
 *
 * Ending a wait: the final meta-tags and body are written from the waiter
 * thread (nobody else touches a suspended connection; invoke_mtx orders us
 * after the handler), the request is finalised and logged, and the
 * connection is closed.  httpd 2.4 exports no call that hands a suspended
 * connection back to the MPM, so the waiter closes it itself and destroys
 * the connection pool, which runs the MPM's own cleanups (connection count,
 * socket).  Replies therefore carry "Connection: close"; clients open a new
 * connection for the next request anyway.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mh_http.h"

#include "http_connection.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_hash.h"
#include "apr_poll.h"
#include "apr_portable.h"
#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "apr_thread_mutex.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mod_mapi.h"
#include "session/sess_notify.h"

APLOG_USE_MODULE(mapi);

#define MH_WAIT_TICK        apr_time_from_sec(1)   /* stop/maintenance check */
#define MH_WAIT_FAILCHK     apr_time_from_sec(5)
#define MH_WAIT_SWEEP       apr_time_from_sec(60)
#define MH_WAIT_RCVBUF      (1024 * 1024)
#define MH_WAIT_POLL_BATCH  1024    /* events taken per poll, not a limit */

typedef struct mh_wait {
    mh_request *mr;
    uint8_t id[SESS_ID_LEN];
    apr_time_t deadline;          /* EventPending=0 at this time */
    apr_time_t next_pending;      /* next PENDING keep-alive */
    size_t heap_idx;
    apr_pollfd_t pfd;             /* the client connection, for hang-ups */
    int polled;                   /* pfd is in the pollset */
    struct mh_wait *next_new;     /* link in the parked-but-not-adopted list */
} mh_wait;

struct mh_waiter {
    apr_pool_t *pool;
    server_rec *s;
    mapi_db *db;
    const mh_server_conf *conf;
    apr_pollset_t *pollset;
    apr_socket_t *sock;
    int fd;
    const char *sock_path;
    apr_thread_t *thread;
    apr_thread_mutex_t *mtx;      /* guards fresh and stop */
    mh_wait *fresh;               /* parked by handlers, not yet adopted */
    int stop;
    /* Owned by the waiter thread alone: */
    mh_wait **heap;
    size_t n, cap;
    apr_hash_t *by_id;            /* session id -> newest wait */
    apr_time_t next_failchk, next_sweep;
    int asked_restart;            /* restart asked of the parent once */
};

static mh_waiter *mh_the_waiter;

mh_waiter *mh_waiter_get(void)
{
    return mh_the_waiter;
}


/* --------------------------------------------------------------- heap -- */

static apr_time_t mh_wait_due(const mh_wait *wt)
{
    return wt->next_pending < wt->deadline ? wt->next_pending : wt->deadline;
}

static void mh_heap_swap(mh_waiter *w, size_t a, size_t b)
{
    mh_wait *t = w->heap[a];

    w->heap[a] = w->heap[b];
    w->heap[b] = t;
    w->heap[a]->heap_idx = a;
    w->heap[b]->heap_idx = b;
}

static void mh_heap_up(mh_waiter *w, size_t i)
{
    while (i > 0 && mh_wait_due(w->heap[(i - 1) / 2]) > mh_wait_due(w->heap[i])) {
        mh_heap_swap(w, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void mh_heap_down(mh_waiter *w, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < w->n && mh_wait_due(w->heap[l]) < mh_wait_due(w->heap[m]))
            m = l;
        if (r < w->n && mh_wait_due(w->heap[r]) < mh_wait_due(w->heap[m]))
            m = r;
        if (m == i)
            return;
        mh_heap_swap(w, i, m);
        i = m;
    }
}

static void mh_heap_push(mh_waiter *w, mh_wait *wt)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        mh_wait **nheap = realloc(w->heap, ncap * sizeof(*nheap));
        if (nheap == NULL)
            abort();   /* out of memory in a long-lived thread: nothing sane */
        w->heap = nheap;
        w->cap = ncap;
    }
    wt->heap_idx = w->n;
    w->heap[w->n++] = wt;
    mh_heap_up(w, wt->heap_idx);
}

static void mh_heap_remove(mh_waiter *w, mh_wait *wt)
{
    size_t i = wt->heap_idx;

    w->n--;
    if (i != w->n) {
        mh_heap_swap(w, i, w->n);
        mh_heap_down(w, i);
        mh_heap_up(w, i);
    }
}

/* ---------------------------------------------------------- completion -- */

/* httpd 2.4 cannot resume a suspended connection: close it and let the
 * connection pool's cleanups (the MPM's among them) run. */
static void mh_wait_release_connection(conn_rec *c)
{
    apr_socket_t *csd = ap_get_conn_socket(c);

    ap_start_lingering_close(c);
    if (csd)
        apr_socket_close(csd);
    apr_pool_destroy(c->pool);
}

static void mh_wait_finish(mh_waiter *w, mh_wait *wt, uint32_t event_pending)
{
    mh_request *mr = wt->mr;
    request_rec *r = mr->r;
    conn_rec *c = r->connection;
    const char *error = NULL;
    uint8_t body[16] = { 0 };   /* StatusCode, ErrorCode, EventPending, Aux */

    mh_heap_remove(w, wt);
    if (wt->polled)
        apr_pollset_remove(w->pollset, &wt->pfd);
    if (apr_hash_get(w->by_id, wt->id, SESS_ID_LEN) == wt)
        apr_hash_set(w->by_id, wt->id, SESS_ID_LEN, NULL);
    if (sess_wait_unregister(w->db, r->pool, wt->id, w->sock_path, &error)
        != 0)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      MAPILOGNO(1030) "wait registry: %s", error);
    /* The context stays alive for the whole wait and its idle timer
     * restarts when it ends ([MS-OXCMAPIHTTP] R1260). */
    if (sess_end(w->db, r->pool, mr->sess, apr_time_now(), &error)
        == SESS_DB_ERROR)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      MAPILOGNO(1031) "session store: %s", error);
    body[8] = (uint8_t)event_pending;
    apr_thread_mutex_lock(r->invoke_mtx);
    mh_stream_finish(mr, MH_SUCCESS, body, sizeof(body));
    mapi_log_request(mr);
    apr_thread_mutex_unlock(r->invoke_mtx);
    ap_finalize_request_protocol(r);
    ap_process_request_after_handler(r);   /* frees r */
    mh_wait_release_connection(c);
}

static void mh_wait_keepalive(mh_waiter *w, mh_wait *wt, apr_time_t now)
{
    request_rec *r = wt->mr->r;
    apr_status_t rv;

    apr_thread_mutex_lock(r->invoke_mtx);
    rv = mh_stream_pending(wt->mr);
    apr_thread_mutex_unlock(r->invoke_mtx);
    if (rv != APR_SUCCESS || r->connection->aborted) {
        /* The client left: end the wait now rather than at its deadline. */
        mh_wait_finish(w, wt, 0);
        return;
    }
    wt->next_pending = now + apr_time_from_msec(w->conf->pending_period);
    mh_heap_down(w, wt->heap_idx);
}

/* An event counted in the database ends the wait with EventPending=1.
 * The count is the truth; the datagram is only a nudge. */
static int mh_wait_event_pending(mh_waiter *w, mh_wait *wt)
{
    uint32_t n = 0;

    if (sess_event_pending(w->db, NULL, wt->id, &n) != 0)
        return 0;
    return n > 0;
}

/* --------------------------------------------------------- the thread -- */

/* Watching the client's socket frees a connection whose client went away
 * at once, instead of at the next keep-alive: a suspended connection still
 * counts against the process's connection limit. */
static void mh_wait_watch(mh_waiter *w, mh_wait *wt)
{
    apr_socket_t *csd = ap_get_conn_socket(wt->mr->r->connection);

    if (csd == NULL)
        return;
    wt->pfd.p = wt->mr->r->pool;
    wt->pfd.desc_type = APR_POLL_SOCKET;
    wt->pfd.reqevents = APR_POLLIN;
    wt->pfd.desc.s = csd;
    wt->pfd.client_data = wt;
    wt->polled = apr_pollset_add(w->pollset, &wt->pfd) == APR_SUCCESS;
}

/* The client's socket became readable: end of stream means the client
 * left.  A client that sends during a wait is not hung up on; it just is
 * no longer watched. */
static void mh_wait_client_event(mh_waiter *w, mh_wait *wt)
{
    apr_os_sock_t fd;
    char c;
    ssize_t n;

    if (apr_os_sock_get(&fd, wt->pfd.desc.s) != APR_SUCCESS)
        return;
    n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        wt->mr->r->connection->aborted = 1;
        mh_wait_finish(w, wt, 0);
    }
    else if (n > 0) {
        apr_pollset_remove(w->pollset, &wt->pfd);
        wt->polled = 0;
    }
}

static void mh_waiter_adopt(mh_waiter *w)
{
    mh_wait *list;

    apr_thread_mutex_lock(w->mtx);
    list = w->fresh;
    w->fresh = NULL;
    apr_thread_mutex_unlock(w->mtx);
    while (list) {
        mh_wait *wt = list;
        list = wt->next_new;
        mh_heap_push(w, wt);
        /* Unset first: apr_hash keeps the first key pointer of an entry,
         * and that key lives in an older wait's request pool. */
        apr_hash_set(w->by_id, wt->id, SESS_ID_LEN, NULL);
        apr_hash_set(w->by_id, wt->id, SESS_ID_LEN, wt);
        mh_wait_watch(w, wt);
        /* An event posted before the datagram could find this wait in
         * by_id is caught here: registration came first (park). */
        if (mh_wait_event_pending(w, wt))
            mh_wait_finish(w, wt, 1);
    }
}

static void mh_waiter_read_socket(mh_waiter *w)
{
    uint8_t id[SESS_ID_LEN + 1];
    ssize_t n;

    while ((n = recv(w->fd, id, sizeof(id), MSG_DONTWAIT)) >= 0) {
        mh_wait *wt;
        if (n != SESS_ID_LEN)
            continue;
        wt = apr_hash_get(w->by_id, id, SESS_ID_LEN);
        if (wt && mh_wait_event_pending(w, wt))
            mh_wait_finish(w, wt, 1);
    }
}

static void mh_waiter_run_due(mh_waiter *w, apr_time_t now)
{
    while (w->n > 0 && mh_wait_due(w->heap[0]) <= now) {
        mh_wait *wt = w->heap[0];
        if (wt->deadline <= now)
            mh_wait_finish(w, wt, mh_wait_event_pending(w, wt));
        else
            mh_wait_keepalive(w, wt, now);
    }
}

/* Housekeeping every child shares: clear what dead processes left in the
 * environment, drop idle contexts, trim the log. */
static void mh_waiter_maintain(mh_waiter *w, apr_time_t now)
{
    apr_pool_t *p;
    const char *error = NULL;
    unsigned n = 0;

    if (now < w->next_failchk)
        return;
    apr_pool_create(&p, w->pool);
    w->next_failchk = now + MH_WAIT_FAILCHK;
    switch (mapi_db_failchk(w->db, &error)) {
    case 0:
        break;
    case MAPI_DB_NEEDS_RECOVERY:
        /* A process died inside the environment's shared memory.  Only
         * recovery with every process out helps: a restart (asked of the
         * parent, mapi_db_request_recovery) stops all children, and post_config recovers before new
         * ones start.  Sessions and data are on disk and survive it. */
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, w->s, MAPILOGNO(1032)
                     "%s; restarting httpd to run recovery", error);
        if (!w->asked_restart) {
            w->asked_restart = 1;
            mapi_db_request_recovery(w->db->home);
        }
        break;
    default:
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, w->s, MAPILOGNO(1039) "%s",
                     error);
    }
    if (now >= w->next_sweep) {
        w->next_sweep = now + MH_WAIT_SWEEP;
        if (sess_sweep(w->db, p, now, &n, &error) != 0)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, w->s,
                         MAPILOGNO(1033) "session sweep: %s", error);
        else if (n)
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, w->s,
                         MAPILOGNO(1034) "expired %u idle contexts", n);
        if (mapi_db_checkpoint(w->db, &error) != 0)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, w->s,
                         MAPILOGNO(1035) "%s", error);
    }
    apr_pool_destroy(p);
}

/* A stopping child ends every wait at once with EventPending=0: the
 * client re-issues it to a live process instead of waiting minutes for a
 * process that is going away. */
static void mh_waiter_drain(mh_waiter *w)
{
    mh_waiter_adopt(w);
    while (w->n > 0)
        mh_wait_finish(w, w->heap[0], 0);
}

static void *APR_THREAD_FUNC mh_waiter_main(apr_thread_t *t, void *data)
{
    mh_waiter *w = data;

    for (;;) {
        apr_time_t now = apr_time_now(), timeout = MH_WAIT_TICK;
        const apr_pollfd_t *out;
        apr_int32_t nout;
        int stop, wake = 0;

        apr_thread_mutex_lock(w->mtx);
        stop = w->stop;
        apr_thread_mutex_unlock(w->mtx);
        if (stop || mh_process_stopping()) {
            mh_waiter_drain(w);
            if (stop)
                break;
        }
        mh_waiter_adopt(w);
        mh_waiter_run_due(w, now);
        mh_waiter_maintain(w, now);
        if (w->n > 0) {
            apr_time_t due = mh_wait_due(w->heap[0]) - apr_time_now();
            if (due < timeout)
                timeout = due > 0 ? due : 0;
        }
        if (apr_pollset_poll(w->pollset, timeout, &nout, &out)
            != APR_SUCCESS)
            continue;
        /* Client hang-ups first: reading datagrams may end a wait whose
         * socket event is still in this batch, and its memory with it. */
        for (apr_int32_t i = 0; i < nout; i++) {
            if (out[i].client_data == NULL)
                wake = 1;
            else
                mh_wait_client_event(w, out[i].client_data);
        }
        if (wake)
            mh_waiter_read_socket(w);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* ------------------------------------------------------------- set-up -- */

static int mh_waiter_bind(mh_waiter *w)
{
    struct sockaddr_un sa;
    const char *dir = sess_wake_dir(w->pool, w->db);
    int rcvbuf = MH_WAIT_RCVBUF;

    mkdir(dir, 0770);
    w->sock_path = apr_psprintf(w->pool, "%s/%ld.sock", dir, (long)getpid());
    if (strlen(w->sock_path) >= sizeof(sa.sun_path))
        return -1;
    unlink(w->sock_path);    /* a dead process of the same pid left it */
    w->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (w->fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, w->sock_path);
    if (bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return -1;
    /* mapi-admin and the delivery agent post events too. */
    chmod(w->sock_path, 0660);
    setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    return apr_os_sock_put(&w->sock, &w->fd, w->pool) == APR_SUCCESS ? 0 : -1;
}

static apr_status_t mh_waiter_cleanup(void *data)
{
    mh_waiter *w = data;
    apr_status_t rv;

    apr_thread_mutex_lock(w->mtx);
    w->stop = 1;
    apr_thread_mutex_unlock(w->mtx);
    apr_pollset_wakeup(w->pollset);
    apr_thread_join(&rv, w->thread);
    unlink(w->sock_path);
    free(w->heap);
    mh_the_waiter = NULL;
    return APR_SUCCESS;
}

int mh_waiter_start(apr_pool_t *pchild, server_rec *s, mapi_db *db,
                    const mh_server_conf *conf, mh_waiter **w_r)
{
    mh_waiter *w = apr_pcalloc(pchild, sizeof(*w));
    apr_pollfd_t pfd = { 0 };
    apr_status_t rv;

    w->pool = pchild;
    w->s = s;
    w->db = db;
    w->conf = conf;
    w->by_id = apr_hash_make(pchild);
    w->next_failchk = apr_time_now();
    w->next_sweep = apr_time_now() + MH_WAIT_SWEEP;
    if (mh_waiter_bind(w) != 0) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, errno, s,
                     MAPILOGNO(1036) "cannot bind wake socket %s",
                     w->sock_path ? w->sock_path : "?");
        return -1;
    }
    rv = apr_pollset_create(&w->pollset, MH_WAIT_POLL_BATCH, pchild,
                            APR_POLLSET_WAKEABLE);
    if (rv == APR_SUCCESS) {
        pfd.p = pchild;
        pfd.desc_type = APR_POLL_SOCKET;
        pfd.reqevents = APR_POLLIN;
        pfd.desc.s = w->sock;
        rv = apr_pollset_add(w->pollset, &pfd);
    }
    if (rv == APR_SUCCESS)
        rv = apr_thread_mutex_create(&w->mtx, APR_THREAD_MUTEX_DEFAULT,
                                     pchild);
    if (rv == APR_SUCCESS)
        rv = apr_thread_create(&w->thread, NULL, mh_waiter_main, w, pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     MAPILOGNO(1037) "cannot start the NotificationWait "
                     "thread");
        return -1;
    }
    apr_pool_cleanup_register(pchild, w, mh_waiter_cleanup,
                              apr_pool_cleanup_null);
    mh_the_waiter = w;
    *w_r = w;
    return 0;
}

/* ------------------------------------------------------------ parking -- */

/* [MS-OXCRPC] R1343: the ErrorCode of a wait refused as one too many. */
#define MH_EC_REJECTED 0x000007EEu

int mh_waiter_park(mh_waiter *w, mh_request *mr)
{
    request_rec *r = mr->r;
    mh_wait *wt = apr_pcalloc(r->pool, sizeof(*wt));
    apr_time_t now = apr_time_now();
    const char *error = NULL;
    uint8_t body[16] = { 0 };
    uint32_t n = 0;
    int over = 0;

    memcpy(wt->id, mr->sess->id, SESS_ID_LEN);
    wt->mr = mr;
    wt->deadline = now + apr_time_from_sec(mr->conf->max_wait);
    wt->next_pending = now + apr_time_from_msec(mr->conf->pending_period);
    /* Register before looking at the count: an event posted in between
     * then finds the registration and sends its datagram. */
    if (w == NULL ||
        sess_wait_register_user(mr->db, r->pool, wt->id, w->sock_path,
                                r->user, (unsigned)mr->conf->max_waits_user,
                                &over, &error)
        != 0 || sess_event_pending(mr->db, NULL, wt->id, &n) != 0 || n > 0 ||
        mh_process_stopping()) {
        if (over) {
            /* One wait too many for the user: answered at once with the
             * error a second outstanding wait gets ([MS-OXCMAPIHTTP]
             * R1370, [MS-OXCRPC] R1343: ecRejected). */
            mh_limit_hit(mr, "MapiMaxNotificationWaitsPerUser",
                         mr->conf->max_waits_user, "wait refused");
            body[4] = (uint8_t)MH_EC_REJECTED;
            body[5] = (uint8_t)(MH_EC_REJECTED >> 8);
            mh_stream_finish(mr, MH_SUCCESS, body, sizeof(body));
            return MH_DONE;
        }
        if (error)
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                          MAPILOGNO(1038) "wait registry: %s", error);
        body[8] = n > 0;
        if (w)
            sess_wait_unregister(mr->db, r->pool, wt->id, w->sock_path,
                                 &error);
        mh_stream_finish(mr, MH_SUCCESS, body, sizeof(body));
        return MH_DONE;
    }
    apr_thread_mutex_lock(w->mtx);
    wt->next_new = w->fresh;
    w->fresh = wt;
    apr_thread_mutex_unlock(w->mtx);
    apr_pollset_wakeup(w->pollset);
    return MH_SUSPENDED;
}
