/*
 * mod_mapi.c: the module record, its directives and the hooks that wire
 * the layers together.  Layers:
 *   http/          MAPI over HTTP transport, framing, NotificationWait
 *   session/       session contexts and events in the shared environment
 *   rop/           the ROP engine, one file per ROP family
 *   wire/          the bounded reader/writer, RPC_HEADER_EXT, LZ77
 *   configdb/      organisation and mailboxes (shared with mapi-admin)
 *   db/            the Berkeley DB environment
 *   log/           protocol logs
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mod_mapi.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_mpm.h"
#include "mpm_common.h"
#include "scoreboard.h"
#include "unixd.h"
#include "apr_strings.h"
#include "mod_status.h"
#include "submit/submit.h"
#include "apr_network_io.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/mh_http.h"
#include "configdb/cfg_db.h"
#include "autodiscover/autod.h"
#include "rop/rop_notify.h"
#include "rop/rop_types.h"
#include "session/sess_objects.h"
#include "nspi/nspi.h"

/* Per-process state of a child: the environment handle and the waiter. */
static mapi_db *mapi_child_db;

/* ---------------------------------------------------------- directives -- */

#define MAPI_UNSET (-1)

static void *mapi_create_server_config(apr_pool_t *p, server_rec *s)
{
    mh_server_conf *c = apr_pcalloc(p, sizeof(*c));

    c->idle_timeout = MAPI_UNSET;
    c->pending_period = MAPI_UNSET;
    c->max_wait = MAPI_UNSET;
    c->max_body = MAPI_UNSET;
    c->max_decompressed = c->max_rops = c->max_objects = MAPI_UNSET;
    c->max_sessions_user = c->max_sessions = c->max_res_depth = MAPI_UNSET;
    c->max_nspi_rows = c->max_waits_user = c->require_tls = MAPI_UNSET;
    c->log_max_file = c->log_max_age = c->log_max_dir = -1;
    return c;
}

#define MAPI_MERGE(f) (add->f != MAPI_UNSET ? add->f : base->f)

static void *mapi_merge_server_config(apr_pool_t *p, void *basev, void *addv)
{
    mh_server_conf *base = basev, *add = addv;
    mh_server_conf *c = apr_pcalloc(p, sizeof(*c));

    c->data_dir = add->data_dir ? add->data_dir : base->data_dir;
    c->log_dir = add->log_dir ? add->log_dir : base->log_dir;
    c->idle_timeout = MAPI_MERGE(idle_timeout);
    c->pending_period = MAPI_MERGE(pending_period);
    c->max_wait = MAPI_MERGE(max_wait);
    c->max_body = MAPI_MERGE(max_body);
    c->max_decompressed = MAPI_MERGE(max_decompressed);
    c->max_rops = MAPI_MERGE(max_rops);
    c->max_objects = MAPI_MERGE(max_objects);
    c->max_sessions_user = MAPI_MERGE(max_sessions_user);
    c->max_sessions = MAPI_MERGE(max_sessions);
    c->max_res_depth = MAPI_MERGE(max_res_depth);
    c->max_nspi_rows = MAPI_MERGE(max_nspi_rows);
    c->max_waits_user = MAPI_MERGE(max_waits_user);
    c->require_tls = MAPI_MERGE(require_tls);
    c->server_name = add->server_name ? add->server_name : base->server_name;
    c->website = add->website ? add->website : base->website;
    c->submit = add->submit ? add->submit : base->submit;
    return c;
}

static mh_server_conf *mapi_conf(server_rec *s)
{
    return ap_get_module_config(s->module_config, &mapi_module);
}

/* The machine's short host name, lower-case: the Server of the virtual
 * directory a host serves unless MapiServerName says otherwise (Exchange
 * names servers by their NetBIOS-style short name). */
static const char *mapi_short_hostname(apr_pool_t *p)
{
    char name[APRMAXHOSTLEN + 1];

    if (apr_gethostname(name, sizeof(name), p) != APR_SUCCESS)
        return "localhost";
    name[strcspn(name, ".")] = '\0';
    ap_str_tolower(name);
    return apr_pstrdup(p, name);
}

/* Fills defaults where nothing was configured. */
static void mapi_conf_defaults(apr_pool_t *p, mh_server_conf *c)
{
    if (c->server_name == NULL)
        c->server_name = mapi_short_hostname(p);
    if (c->website == NULL)
        c->website = MH_DEFAULT_WEBSITE;
    if (c->data_dir == NULL)
        c->data_dir = MH_DEFAULT_DATA_DIR;
    if (c->log_dir == NULL)
        c->log_dir = MH_DEFAULT_LOG_DIR;
    if (c->idle_timeout == MAPI_UNSET)
        c->idle_timeout = MH_DEFAULT_IDLE_TIMEOUT;
    if (c->pending_period == MAPI_UNSET)
        c->pending_period = MH_DEFAULT_PENDING;
    if (c->max_wait == MAPI_UNSET)
        c->max_wait = MH_DEFAULT_MAX_WAIT;
    if (c->max_body == MAPI_UNSET)
        c->max_body = MH_DEFAULT_MAX_BODY;
    if (c->submit == NULL)
        c->submit = apr_pcalloc(p, sizeof(*c->submit));
#define MAPI_DEFAULT(f, v) if (c->f == MAPI_UNSET) c->f = (v)
    MAPI_DEFAULT(max_decompressed, MH_DEFAULT_MAX_DECOMPRESSED);
    MAPI_DEFAULT(max_rops, MH_DEFAULT_MAX_ROPS);
    MAPI_DEFAULT(max_objects, MH_DEFAULT_MAX_OBJECTS);
    MAPI_DEFAULT(max_sessions_user, MH_DEFAULT_MAX_SESSIONS_USER);
    MAPI_DEFAULT(max_sessions, MH_DEFAULT_MAX_SESSIONS);
    MAPI_DEFAULT(max_res_depth, MH_DEFAULT_MAX_RES_DEPTH);
    MAPI_DEFAULT(max_nspi_rows, MH_DEFAULT_MAX_NSPI_ROWS);
    MAPI_DEFAULT(max_waits_user, MH_DEFAULT_MAX_WAITS_USER);
    MAPI_DEFAULT(require_tls, 1);
#undef MAPI_DEFAULT
}

static const char *mapi_set_int(cmd_parms *cmd, int *slot, const char *arg,
                                long lo, long hi)
{
    char *end;
    long v = strtol(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || v < lo || v > hi)
        return apr_psprintf(cmd->pool, "%s must be a whole number from %ld "
                            "to %ld", cmd->cmd->name, lo, hi);
    *slot = (int)v;
    return NULL;
}

static const char *mapi_set_idle(cmd_parms *cmd, void *d, const char *arg)
{
    return mapi_set_int(cmd, &mapi_conf(cmd->server)->idle_timeout, arg,
                        10, 86400);
}

static const char *mapi_set_pending(cmd_parms *cmd, void *d, const char *arg)
{
    return mapi_set_int(cmd, &mapi_conf(cmd->server)->pending_period, arg,
                        100, 600000);
}

static const char *mapi_set_max_wait(cmd_parms *cmd, void *d, const char *arg)
{
    return mapi_set_int(cmd, &mapi_conf(cmd->server)->max_wait, arg, 1, 3600);
}

static const char *mapi_set_max_body(cmd_parms *cmd, void *d, const char *arg)
{
    int v = 0;
    const char *err = mapi_set_int(cmd, &v, arg, 1024, 1024 * 1024 * 1024);

    if (err == NULL)
        mapi_conf(cmd->server)->max_body = v;
    return err;
}

/* The abuse limits: one setter, the slot and bounds in the table row's
 * cmd_data (offset into mh_server_conf). */
typedef struct mapi_limit_def {
    const char *name;
    size_t offset;
    long lo, hi;
} mapi_limit_def;

static const mapi_limit_def mapi_limits[] = {
    /* One RPC_HEADER_EXT block holds 32 KiB; rgbIn has at most 96. */
    { "MapiMaxDecompressedSize", APR_OFFSETOF(mh_server_conf,
      max_decompressed), 1024, 96 * 0x8000 },
    { "MapiMaxRopsPerRequest", APR_OFFSETOF(mh_server_conf, max_rops),
      1, 0x8000 },
    { "MapiMaxObjectsPerSession", APR_OFFSETOF(mh_server_conf, max_objects),
      16, SESS_OBJ_MAX },
    { "MapiMaxSessionsPerUser", APR_OFFSETOF(mh_server_conf,
      max_sessions_user), 1, 100000 },
    { "MapiMaxSessions", APR_OFFSETOF(mh_server_conf, max_sessions),
      1, 1000000 },
    { "MapiMaxRestrictionDepth", APR_OFFSETOF(mh_server_conf,
      max_res_depth), 1, ROP_MAX_RESTRICTION_DEPTH },
    { "MapiMaxNspiRows", APR_OFFSETOF(mh_server_conf, max_nspi_rows),
      1, NSPI_MAX_ROWS },
    { "MapiMaxNotificationWaitsPerUser", APR_OFFSETOF(mh_server_conf,
      max_waits_user), 1, 100000 },
};

static const char *mapi_set_limit(cmd_parms *cmd, void *d, const char *arg)
{
    const mapi_limit_def *def = cmd->info;

    return mapi_set_int(cmd, (int *)((char *)mapi_conf(cmd->server) +
                                     def->offset), arg, def->lo, def->hi);
}

/* i: the row of mapi_limits above (its name must match). */
#define MAPI_LIMIT_CMD(name, i, help) \
    AP_INIT_TAKE1(name, mapi_set_limit, (void *)&mapi_limits[i], RSRC_CONF, \
                  help)

static const char *mapi_set_require_tls(cmd_parms *cmd, void *d, int on)
{
    mapi_conf(cmd->server)->require_tls = on;
    return NULL;
}

static const char *mapi_set_path(cmd_parms *cmd, const char **slot,
                                 const char *arg)
{
    *slot = ap_server_root_relative(cmd->pool, arg);
    return *slot ? NULL : apr_psprintf(cmd->pool, "%s: invalid path %s",
                                       cmd->cmd->name, arg);
}

static const char *mapi_set_data_dir(cmd_parms *cmd, void *d, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    return err ? err : mapi_set_path(cmd, &mapi_conf(cmd->server)->data_dir,
                                     arg);
}

static const char *mapi_set_log_dir(cmd_parms *cmd, void *d, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    return err ? err : mapi_set_path(cmd, &mapi_conf(cmd->server)->log_dir,
                                     arg);
}

/* "10M", "512K", "1G" or bytes. */
static const char *mapi_set_size(cmd_parms *cmd, apr_off_t *slot,
                                 const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);
    int shift = 0;

    if (err)
        return err;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    }
    if (*arg == '\0' || *end != '\0' || v < 0 || v > (APR_INT64_C(1) << 40))
        return apr_psprintf(cmd->pool, "%s: '%s' is not a size (bytes, or "
                            "with K, M or G)", cmd->cmd->name, arg);
    *slot = (apr_off_t)(v << shift);
    return NULL;
}

static const char *mapi_set_log_max_file(cmd_parms *cmd, void *d,
                                         const char *arg)
{
    return mapi_set_size(cmd, &mapi_conf(cmd->server)->log_max_file, arg);
}

static const char *mapi_set_log_max_dir(cmd_parms *cmd, void *d,
                                        const char *arg)
{
    return mapi_set_size(cmd, &mapi_conf(cmd->server)->log_max_dir, arg);
}

/* "30d", "12h", "90m", "3600s" or seconds; 0 keeps files forever. */
static const char *mapi_set_log_max_age(cmd_parms *cmd, void *d,
                                        const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10), unit = 1;

    if (err)
        return err;
    switch (*end) {
    case 's': end++; break;
    case 'm': unit = 60; end++; break;
    case 'h': unit = 3600; end++; break;
    case 'd': unit = 86400; end++; break;
    }
    if (*arg == '\0' || *end != '\0' || v < 0 || v > 3650 * 86400)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a duration (seconds, "
                            "or with s, m, h or d)", cmd->cmd->name, arg);
    mapi_conf(cmd->server)->log_max_age = apr_time_from_sec(v * unit);
    return NULL;
}

/* A virtual directory key part: printable, no backslash (the Identity
 * separator), bounded like the database's strings. */
static const char *mapi_set_vdir_part(cmd_parms *cmd, const char **slot,
                                      const char *arg)
{
    if (*arg == '\0' || strlen(arg) > 255 || strchr(arg, '\\'))
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid name",
                            cmd->cmd->name, arg);
    for (const char *c = arg; *c; c++)
        if ((unsigned char)*c < 0x20)
            return apr_psprintf(cmd->pool, "%s: control character in name",
                                cmd->cmd->name);
    *slot = arg;
    return NULL;
}

static const char *mapi_set_server_name(cmd_parms *cmd, void *d,
                                        const char *arg)
{
    return mapi_set_vdir_part(cmd, &mapi_conf(cmd->server)->server_name,
                              arg);
}

static const char *mapi_set_website(cmd_parms *cmd, void *d, const char *arg)
{
    return mapi_set_vdir_part(cmd, &mapi_conf(cmd->server)->website, arg);
}

static submit_cfg *mapi_submit_conf(cmd_parms *cmd)
{
    mh_server_conf *c = mapi_conf(cmd->server);

    if (c->submit == NULL)
        c->submit = apr_pcalloc(cmd->pool, sizeof(*c->submit));
    return c->submit;
}

/* The program must be an absolute path: httpd's children have no useful
 * PATH, and a relative name would run whatever is found first. */
static const char *mapi_set_sendmail(cmd_parms *cmd, void *d, const char *arg)
{
    if (arg[0] != '/')
        return apr_psprintf(cmd->pool, "%s: '%s' must start with an absolute "
                            "path", cmd->cmd->name, arg);
    mapi_submit_conf(cmd)->sendmail = arg;
    return NULL;
}

static const char *mapi_set_sendmail_timeout(cmd_parms *cmd, void *d,
                                             const char *arg)
{
    return mapi_set_int(cmd, &mapi_submit_conf(cmd)->timeout, arg, 1, 3600);
}

static const command_rec mapi_cmds[] = {
    AP_INIT_TAKE1("MapiDataDir", mapi_set_data_dir, NULL, RSRC_CONF,
                  "Berkeley DB environment shared by all processes "
                  "(default " MH_DEFAULT_DATA_DIR ")"),
    AP_INIT_TAKE1("MapiLogDir", mapi_set_log_dir, NULL, RSRC_CONF,
                  "directory of the protocol logs "
                  "(default " MH_DEFAULT_LOG_DIR ")"),
    AP_INIT_TAKE1("MapiLogMaxFileSize", mapi_set_log_max_file, NULL,
                  RSRC_CONF, "size at which a protocol log file rolls over "
                  "(default 10M)"),
    AP_INIT_TAKE1("MapiLogMaxDirectorySize", mapi_set_log_max_dir, NULL,
                  RSRC_CONF, "total size of a service's protocol logs above "
                  "which the oldest are removed (default 1G; 0: no limit)"),
    AP_INIT_TAKE1("MapiLogMaxAge", mapi_set_log_max_age, NULL, RSRC_CONF,
                  "age after which protocol log files are removed (default "
                  "30d; 0: never)"),
    AP_INIT_TAKE1("MapiSessionIdleTimeout", mapi_set_idle, NULL, RSRC_CONF,
                  "seconds a session context lives without requests "
                  "(default 900)"),
    AP_INIT_TAKE1("MapiPendingPeriod", mapi_set_pending, NULL, RSRC_CONF,
                  "milliseconds between PENDING keep-alives (default 15000)"),
    AP_INIT_TAKE1("MapiMaxNotificationWait", mapi_set_max_wait, NULL,
                  RSRC_CONF, "longest NotificationWait in seconds "
                  "(default 300)"),
    AP_INIT_TAKE1("MapiMaxRequestBody", mapi_set_max_body, NULL, RSRC_CONF,
                  "largest request body in bytes (default 4194304)"),
    MAPI_LIMIT_CMD("MapiMaxDecompressedSize", 0, "largest decompressed "
                   "ROP input of one Execute in bytes (default 1048576)"),
    MAPI_LIMIT_CMD("MapiMaxRopsPerRequest", 1, "ROP requests in one "
                   "Execute (default 512)"),
    MAPI_LIMIT_CMD("MapiMaxObjectsPerSession", 2, "server objects one "
                   "session holds open (default 4096)"),
    MAPI_LIMIT_CMD("MapiMaxSessionsPerUser", 3, "session contexts of one "
                   "user, both endpoints (default 32)"),
    MAPI_LIMIT_CMD("MapiMaxSessions", 4, "session contexts in all "
                   "(default 10000)"),
    MAPI_LIMIT_CMD("MapiMaxRestrictionDepth", 5, "nesting of a ROP "
                   "restriction (default 32)"),
    MAPI_LIMIT_CMD("MapiMaxNspiRows", 6, "rows of one NSPI QueryRows, "
                   "SeekEntries or GetMatches (default 4096)"),
    MAPI_LIMIT_CMD("MapiMaxNotificationWaitsPerUser", 7, "NotificationWaits "
                   "one user holds at once (default 16)"),
    AP_INIT_FLAG("MapiRequireTLS", mapi_set_require_tls, NULL, RSRC_CONF,
                 "refuse /mapi/ and Autodiscover requests not made over TLS "
                 "with 403 (default On)"),
    AP_INIT_TAKE1("MapiServerName", mapi_set_server_name, NULL, RSRC_CONF,
                  "server whose MAPI virtual directory this host serves "
                  "(default: the short host name)"),
    AP_INIT_TAKE1("MapiSendmailCommand", mapi_set_sendmail, NULL, RSRC_CONF,
                  "sendmail-compatible command for submitted mail, run as "
                  "COMMAND -i -f SENDER -- RECIPIENT... (default "
                  SUBMIT_DEFAULT_SENDMAIL ")"),
    AP_INIT_TAKE1("MapiSendmailTimeout", mapi_set_sendmail_timeout, NULL,
                  RSRC_CONF, "seconds the sendmail command may take "
                  "(default 60)"),
    AP_INIT_TAKE1("MapiWebSite", mapi_set_website, NULL, RSRC_CONF,
                  "web site of that virtual directory "
                  "(default \"" MH_DEFAULT_WEBSITE "\")"),
    { NULL }
};

/* ----------------------------------------------------------- start-up -- */

/* Whether a child of an earlier generation may still have the environment
 * open (graceful restart): then recovery must not run. */
static int mapi_old_children_alive(void)
{
    int limit = 0;

    if (ap_scoreboard_image == NULL)
        return 0;
    ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit);
    for (int i = 0; i < limit; i++) {
        pid_t pid = ap_scoreboard_image->parent[i].pid;
        if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM))
            return 1;
    }
    return 0;
}

/* Recovery runs in a process of its own under the children's user, so
 * that every file of the environment belongs to the user that serves. */
static int mapi_recover(apr_pool_t *p, server_rec *s, const char *home)
{
    pid_t pid = fork();
    int status = 0;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        const char *error = NULL;
        mkdir(home, 0770);
        if (geteuid() == 0 &&
            (chown(home, ap_unixd_config.user_id,
                   ap_unixd_config.group_id) != 0 ||
             setgid(ap_unixd_config.group_id) != 0 ||
             setuid(ap_unixd_config.user_id) != 0))
            _exit(2);
        if (mapi_db_recover(p, home, &error) != 0) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                         MAPILOGNO(1050) "%s", error);
            _exit(1);
        }
        _exit(0);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int mapi_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    mh_server_conf *main = mapi_conf(s);
    const char *key = "mapi_post_config";
    void *done = NULL;
    int async = 0;

    for (server_rec *v = s; v; v = v->next)
        mapi_conf_defaults(pconf, mapi_conf(v));
    /* Before the children fork, so that all share the counters. */
    mapi_stats_init(pconf, s);
    if (main->idle_timeout <= main->max_wait) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MAPILOGNO(1051)
                     "MapiSessionIdleTimeout (%d s) must be longer than "
                     "MapiMaxNotificationWait (%d s)", main->idle_timeout,
                     main->max_wait);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* httpd runs post_config twice at start-up; work only the second time. */
    apr_pool_userdata_get(&done, key, s->process->pool);
    if (done == NULL) {
        apr_pool_userdata_set((void *)1, key, apr_pool_cleanup_null,
                              s->process->pool);
        return OK;
    }
    ap_mpm_query(AP_MPMQ_IS_ASYNC, &async);
    if (!async)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MAPILOGNO(1052)
                     "the MPM is not asynchronous: NotificationWait needs "
                     "the event MPM");
    if (mapi_old_children_alive())
        return OK;
    {
        apr_time_t t0 = apr_time_now();
        if (mapi_recover(ptemp, s, main->data_dir) != 0) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MAPILOGNO(1053)
                         "cannot recover the environment in %s",
                         main->data_dir);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        mapi_db_recovery_requested(main->data_dir);   /* done now */
        /* Said on every cold start and restart: after a crash this line
         * is the administrator's proof that recovery ran.  It names the
         * directive, not the path: lines a client's traffic can make
         * appear carry no server paths (test_security). */
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, MAPILOGNO(1085)
                     "Berkeley DB recovery of the MapiDataDir environment "
                     "done in %" APR_TIME_T_FMT " ms",
                     apr_time_as_msec(apr_time_now() - t0));
    }
    return OK;
}

/* In the parent, about once a second (the MPM's maintenance loop): a
 * child that found the environment needing recovery left a mark; the
 * restart stops every child and post_config recovers. */
static int mapi_monitor(apr_pool_t *p, server_rec *s)
{
    for (server_rec *v = s; v; v = v->next) {
        mh_server_conf *conf = mapi_conf(v);
        if (conf->data_dir && mapi_db_recovery_requested(conf->data_dir)) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MAPILOGNO(1087)
                         "a child found the environment in %s needing "
                         "recovery: restarting httpd", conf->data_dir);
            kill(getpid(), SIGHUP);
            break;
        }
    }
    return DECLINED;
}

/* Children run as the serving user by now (the event MPM drops privileges
 * before child_init). */
static void mapi_child_init(apr_pool_t *pchild, server_rec *s)
{
    mh_server_conf *conf = mapi_conf(s);
    const char *error = NULL;
    mh_waiter *w;
    int rc;

    mapi_log_child_init(pchild, s, conf);
    /* Store changes made in this child notify subscribed sessions. */
    store_set_event_hook(rop_notify_event_hook);
    rc = mapi_db_open(pchild, conf->data_dir, MAPI_DB_DETECT, &mapi_child_db,
                      &error);
    if (rc != 0) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MAPILOGNO(1054) "%s",
                     error);
        mapi_child_db = NULL;
        /* The children that saw a process die inside the environment may
         * all be gone (crashed together): a child that cannot open is
         * then the one left to ask for the restart that recovers. */
        if (rc == MAPI_DB_NEEDS_RECOVERY) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MAPILOGNO(1086)
                         "restarting httpd to run recovery");
            mapi_db_request_recovery(conf->data_dir);
        }
        return;
    }
    if (cfg_schema_check(mapi_child_db, pchild, &error) != 0)
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MAPILOGNO(1055) "%s",
                     error);
    if (mh_waiter_start(pchild, s, mapi_child_db, conf, &w) != 0)
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MAPILOGNO(1056)
                     "NotificationWait will answer at once");
}

/* ------------------------------------------------------------ handler -- */

static int mapi_handler(request_rec *r)
{
    if (r->handler == NULL)
        return DECLINED;
    if (strcmp(r->handler, "mapi") == 0)
        return mh_handle(r, mapi_conf(r->server), mapi_child_db);
    if (strcmp(r->handler, "mapi-autodiscover") == 0)
        return autod_handle(r, mapi_child_db, mh_vdir_of(r));
    return DECLINED;
}

/* The virtual directory checks run in the request phases around
 * authentication (http/mh_vdir.c says why). */
static int mapi_header_parser(request_rec *r)
{
    return mh_vdir_header_parser(r, mapi_conf(r->server), mapi_child_db);
}

/* The MAPI section of server-status (log/mapi_stats.c). */
static int mapi_status_hook(request_rec *r, int flags)
{
    return mapi_stats_status(r, flags, mapi_child_db);
}

static void mapi_register_hooks(apr_pool_t *p)
{
    APR_OPTIONAL_HOOK(ap, status_hook, mapi_status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
    ap_hook_post_config(mapi_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(mapi_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_monitor(mapi_monitor, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_header_parser(mapi_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(mh_vdir_fixups, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_insert_error_filter(mh_vdir_insert_error, NULL, NULL,
                                APR_HOOK_MIDDLE);
    ap_hook_handler(mapi_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(mapi_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(mapi) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    mapi_create_server_config,
    mapi_merge_server_config,
    mapi_cmds,
    mapi_register_hooks,
    AP_MODULE_FLAG_NONE
};
