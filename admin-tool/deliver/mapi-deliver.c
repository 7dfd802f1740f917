/*
 * mapi-deliver: local delivery into mod_mapi mailboxes, for an MTA.
 *
 *   mapi-deliver [-DataDir DIR] [-f SENDER] RECIPIENT   < message
 *       one message on standard input; the exit status is sysexits(3):
 *       0 delivered, 67 no such mailbox, 65 not a message, 69 too big,
 *       75 temporary failure (the MTA keeps the message and retries).
 *   mapi-deliver [-DataDir DIR] -lmtp
 *       one LMTP session on standard input and output (inetd, spawn(8)).
 *   mapi-deliver [-DataDir DIR] -lmtp -listen HOST:PORT|unix:PATH
 *                [-pidfile FILE]
 *       an LMTP listener for Postfix's lmtp: transport; a thread per
 *       connection, SIGTERM stops accepting and waits for the sessions.
 *
 * DIR defaults to $MAPI_ADMIN_DB, then /var/lib/mapi.  Run as root, the
 * program takes the identity of DIR's owner, as mapi-admin does, so that
 * the files it writes stay the server's.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "db/mapi_db.h"
#include "delivery/dlv.h"
#include "mime/mime.h"
#include "rop/rop_notify.h"
#include "store/store.h"
#include "submit/submit.h"

#define DEFAULT_DB  "/var/lib/mapi"

typedef struct opts {
    const char *data_dir;
    const char *sender;
    const char *rcpt;
    const char *listen;
    const char *pidfile;
    const char *sendmail;    /* for rules that forward, redirect, reply */
    int lmtp;
} opts;

static void usage(void)
{
    fprintf(stderr,
            "usage: mapi-deliver [-DataDir DIR] [-f SENDER] RECIPIENT "
            "< message\n"
            "       (both forms also take -sendmail \"COMMAND ARGS\": how "
            "rules send mail)\n"
            "       mapi-deliver [-DataDir DIR] -lmtp [-listen HOST:PORT|"
            "unix:PATH [-pidfile FILE]]\n");
}

static int parse_args(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;

        if ((!strcasecmp(a, "-DataDir") || !strcmp(a, "--data-dir")) && more)
            o->data_dir = argv[++i];
        else if (!strncasecmp(a, "-DataDir:", 9))
            o->data_dir = a + 9;
        else if (!strcmp(a, "-f") && more)
            o->sender = argv[++i];
        else if (!strcasecmp(a, "-lmtp"))
            o->lmtp = 1;
        else if (!strcasecmp(a, "-listen") && more)
            o->listen = argv[++i];
        else if (!strcasecmp(a, "-pidfile") && more)
            o->pidfile = argv[++i];
        else if (!strcasecmp(a, "-sendmail") && more)
            o->sendmail = argv[++i];
        else if (a[0] != '-' && !o->rcpt)
            o->rcpt = a;
        else
            return -1;
    }
    if (o->lmtp ? o->rcpt != NULL : o->rcpt == NULL || o->listen != NULL)
        return -1;
    return 0;
}

/* ---- environment ------------------------------------------------------ */

static int become_owner(const char *dir)
{
    struct stat st;

    if (geteuid() != 0 || stat(dir, &st) != 0 || st.st_uid == 0)
        return 0;
    if (setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0)
        return -1;
    return 0;
}

/* EX_TEMPFAIL when the store cannot be reached: the MTA tries again. */
static int open_store(apr_pool_t *pool, const char *dir, mapi_db **db_r)
{
    const char *error = NULL;
    struct stat st;

    if (stat(dir, &st) != 0) {
        fprintf(stderr, "mapi-deliver: data directory %s: %s\n", dir,
                strerror(errno));
        return EX_TEMPFAIL;
    }
    if (become_owner(dir) != 0) {
        fprintf(stderr, "mapi-deliver: cannot take the identity of the "
                "owner of %s: %s\n", dir, strerror(errno));
        return EX_TEMPFAIL;
    }
    if (mapi_db_open(pool, dir, 0, db_r, &error) != 0) {
        fprintf(stderr, "mapi-deliver: %s\n", error ? error : "open failed");
        return EX_TEMPFAIL;
    }
    return EX_OK;
}

/* ---- one message on stdin --------------------------------------------- */

/* Reads stdin up to one byte past the limit, so that an over-long message
 * is refused without being held whole. */
static apr_status_t free_buffer(void *data)
{
    free(data);
    return APR_SUCCESS;
}

static int read_stdin(apr_pool_t *pool, uint8_t **data_r, size_t *len_r)
{
    size_t cap = 65536, len = 0, limit = (size_t)MIME_MAX_MESSAGE + 1;
    uint8_t *data = malloc(cap);

    while (data) {
        ssize_t r;

        if (len == cap) {
            uint8_t *bigger = cap >= limit ? NULL : realloc(data, cap * 2);

            if (!bigger)
                break;
            data = bigger;
            cap *= 2;
        }
        r = read(0, data + len, (cap < limit ? cap : limit) - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(data);
            return -1;
        }
        if (r == 0 || (len += (size_t)r) >= limit)
            break;
    }
    if (!data)
        return -1;
    /* The pool frees it: a message of 64 MiB is not copied again. */
    apr_pool_cleanup_register(pool, data, free_buffer, apr_pool_cleanup_null);
    *data_r = data;
    *len_r = len;
    return 0;
}

static int deliver_stdin(apr_pool_t *pool, mapi_db *db, const opts *o)
{
    dlv_request req = { .rcpt = o->rcpt, .env_from = o->sender };
    dlv_result res;
    uint8_t *data;

    if (read_stdin(pool, &data, &req.len) != 0) {
        fprintf(stderr, "mapi-deliver: reading the message: %s\n",
                strerror(errno));
        return EX_TEMPFAIL;
    }
    req.data = data;
    dlv_deliver(db, pool, &req, &res);
    if (res.status != DLV_OK)
        fprintf(stderr, "mapi-deliver: <%s>: %s %s\n", o->rcpt,
                dlv_lmtp_code(res.status) + 4, res.text ? res.text : "");
    return dlv_exit_code(res.status);
}

/* ---- the LMTP listener ------------------------------------------------ */

static volatile sig_atomic_t stopping;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_cond = PTHREAD_COND_INITIALIZER;
static int live_sessions;

typedef struct session_arg {
    mapi_db *db;
    int fd;
    const char *hostname;
} session_arg;

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static void *session_thread(void *baton)
{
    session_arg *a = baton;
    apr_pool_t *pool;

    apr_pool_create(&pool, NULL);
    dlv_lmtp_serve(a->db, pool, a->fd, a->fd, a->hostname);
    apr_pool_destroy(pool);
    close(a->fd);
    free(a);
    pthread_mutex_lock(&live_lock);
    live_sessions--;
    pthread_cond_broadcast(&live_cond);
    pthread_mutex_unlock(&live_lock);
    return NULL;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0
        || listen(fd, 64) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int listen_inet(apr_pool_t *pool, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE }, *ai = NULL;
    char *host;
    int fd = -1, one = 1;

    if (!colon) {
        errno = EINVAL;
        return -1;
    }
    host = apr_pstrmemdup(pool, spec, (apr_size_t)(colon - spec));
    if (getaddrinfo(*host ? host : NULL, colon + 1, &hints, &ai) != 0) {
        errno = EINVAL;
        return -1;
    }
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
                               sizeof(one)) != 0
                    || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0
                    || listen(fd, 64) != 0)) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fprintf(f, "%ld\n", (long)getpid());
    return fclose(f);
}

static void install_stop_handlers(void)
{
    struct sigaction sa = { .sa_handler = on_stop };

    /* No SA_RESTART: accept() must return so that the loop sees it. */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Bound before the store is opened, because opening it gives up root:
 * port 24 and a pid file under /run need it. */
static int open_listener(apr_pool_t *pool, const opts *o)
{
    int lfd = !strncmp(o->listen, "unix:", 5) ? listen_unix(o->listen + 5)
                                              : listen_inet(pool, o->listen);

    if (lfd < 0) {
        fprintf(stderr, "mapi-deliver: listen on %s: %s\n", o->listen,
                strerror(errno));
        return -1;
    }
    if (o->pidfile && write_pidfile(o->pidfile) != 0)
        fprintf(stderr, "mapi-deliver: pid file %s: %s\n", o->pidfile,
                strerror(errno));
    return lfd;
}

static int serve_listener(mapi_db *db, const opts *o, int lfd,
                          const char *hostname)
{
    install_stop_handlers();
    while (!stopping) {
        int fd = accept(lfd, NULL, NULL);
        session_arg *a;
        pthread_t t;

        if (fd < 0)
            continue;                  /* EINTR on a stop, or a transient */
        a = malloc(sizeof(*a));
        if (!a) {
            close(fd);
            continue;
        }
        *a = (session_arg){ db, fd, hostname };
        pthread_mutex_lock(&live_lock);
        live_sessions++;
        pthread_mutex_unlock(&live_lock);
        if (pthread_create(&t, NULL, session_thread, a) != 0) {
            close(fd);
            free(a);
            pthread_mutex_lock(&live_lock);
            live_sessions--;
            pthread_mutex_unlock(&live_lock);
            continue;
        }
        pthread_detach(t);
    }
    close(lfd);
    /* Sessions in a transaction finish it: nothing is cut half-way. */
    pthread_mutex_lock(&live_lock);
    while (live_sessions > 0)
        pthread_cond_wait(&live_cond, &live_lock);
    pthread_mutex_unlock(&live_lock);
    if (o->pidfile)
        unlink(o->pidfile);
    return EX_OK;
}

int main(int argc, char **argv)
{
    opts o = { 0 };
    static submit_cfg scfg;
    apr_pool_t *pool;
    mapi_db *db = NULL;
    char hostname[256] = "localhost";
    int rc, lfd = -1;

    o.data_dir = getenv("MAPI_ADMIN_DB");
    if (parse_args(argc, argv, &o) != 0) {
        usage();
        return EX_USAGE;
    }
    if (!o.data_dir || !*o.data_dir)
        o.data_dir = DEFAULT_DB;
    apr_initialize();
    apr_pool_create(&pool, NULL);
    mime_init();
    /* Delivery wakes the recipient's NotificationWait (rop_notify.h). */
    store_set_event_hook(rop_notify_event_hook);
    /* Every delivery of this process, LMTP included, sends rule mail
     * through this command. */
    if (o.sendmail) {
        scfg.sendmail = o.sendmail;
        dlv_set_default_submit(&scfg);
    }
    gethostname(hostname, sizeof(hostname) - 1);
    if (o.listen && (lfd = open_listener(pool, &o)) < 0)
        rc = EX_OSERR;
    else if ((rc = open_store(pool, o.data_dir, &db)) == EX_OK) {
        if (!o.lmtp)
            rc = deliver_stdin(pool, db, &o);
        else if (!o.listen)
            rc = dlv_lmtp_serve(db, pool, 0, 1, hostname) == 0 ? EX_OK
                                                             : EX_IOERR;
        else
            rc = serve_listener(db, &o, lfd, hostname);
        mapi_db_close(&db);
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
