/*
 * harness.c: the private server of harness.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <curl/curl.h>

#define H_MAX_INSTANCES 4

static char h_repo[PATH_MAX];
static char h_prog[64] = "test";          /* program name, for /tmp names */
static char h_instance_sh[PATH_MAX + 32];
/* Instances to stop at exit or on a signal; the argv strings are ready
 * beforehand so the signal handler only forks and execs. */
static char h_active[H_MAX_INSTANCES][256];
static int h_any_failure;

const char *harness_repo(void)
{
    return h_repo;
}

void harness_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int h_is_repo(const char *dir)
{
    char p[PATH_MAX + 32];

    snprintf(p, sizeof(p), "%s/build/instance.sh", dir);
    return access(p, X_OK) == 0;
}

/* argv[0] is build/tests/test_x (or build/asan/tests/test_x): the
 * repository is two or three levels up.  Otherwise the current directory
 * or one of its parents. */
static void h_find_repo(const char *argv0)
{
    char buf[PATH_MAX];

    if (argv0 && realpath(argv0, buf)) {
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr(buf, '/');
            if (slash == NULL || slash == buf)
                break;
            *slash = '\0';
            if (h_is_repo(buf)) {
                snprintf(h_repo, sizeof(h_repo), "%s", buf);
                return;
            }
        }
    }
    if (getcwd(buf, sizeof(buf))) {
        for (;;) {
            char *slash;
            if (h_is_repo(buf)) {
                snprintf(h_repo, sizeof(h_repo), "%s", buf);
                return;
            }
            slash = strrchr(buf, '/');
            if (slash == NULL || slash == buf)
                break;
            *slash = '\0';
        }
    }
    fprintf(stderr, "harness: cannot find the repository (build/instance.sh)"
                    " from %s or the current directory\n",
            argv0 ? argv0 : "?");
    exit(2);
}

/* Runs instance.sh stop DIR, silently; async-signal-safe. */
static void h_stop_dir(const char *dir)
{
    pid_t pid = fork();

    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl("/bin/bash", "bash", h_instance_sh, "stop", dir, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
}

static void h_stop_all(void)
{
    for (int i = 0; i < H_MAX_INSTANCES; i++)
        if (h_active[i][0]) {
            h_stop_dir(h_active[i]);
            h_active[i][0] = '\0';
        }
}

static void h_on_signal(int sig)
{
    h_stop_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

void harness_init(int argc, char **argv)
{
    struct sigaction sa;

    setvbuf(stdout, NULL, _IOLBF, 0);
    h_find_repo(argc > 0 ? argv[0] : NULL);
    if (argc > 0 && argv[0]) {
        const char *b = strrchr(argv[0], '/');
        size_t n = 0;
        for (b = b ? b + 1 : argv[0]; *b && n + 1 < sizeof(h_prog); b++)
            if (isalnum((unsigned char)*b) || *b == '_' || *b == '-')
                h_prog[n++] = *b;
        h_prog[n] = '\0';
    }
    snprintf(h_instance_sh, sizeof(h_instance_sh), "%s/build/instance.sh",
             h_repo);
    if (mhc_global_init() != 0) {
        fprintf(stderr, "harness: libcurl/APR initialisation failed\n");
        exit(2);
    }
    atexit(h_stop_all);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = h_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A sanitizer stopping the program (abort_on_error, make
     * sanitize-integ) must not leave its servers running. */
    sigaction(SIGABRT, &sa, NULL);
    /* A server that drops a connection must not kill the test. */
    signal(SIGPIPE, SIG_IGN);
}

int harness_run(const char *const *argv, const char *log_path)
{
    pid_t pid = fork();
    int st;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (log_path) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        if (chdir(h_repo) != 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* instance.sh how DIR with env overrides; its output goes to DIR.log
 * and is shown when it fails. */
static int h_instance(harness *h, const char *how, const char *const *env)
{
    static const char *const knobs[] = {
        "MAPI_PORT", "MAPI_SESSION_IDLE_TIMEOUT", "MAPI_PENDING_PERIOD",
        "MAPI_MAX_NOTIFICATION_WAIT", "MAPI_MAX_REQUEST_BODY", "MAPI_RUN_DIR",
        NULL
    };
    char log[300], line[512];
    pid_t pid;
    int st, rc;
    FILE *f;

    snprintf(log, sizeof(log), "%s.log", h->dir);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        /* Only what this instance asks for; nothing from the caller's
         * environment (a stray MAPI_PORT, say). */
        for (int i = 0; knobs[i]; i++)
            unsetenv(knobs[i]);
        if (strcmp(how, "start") == 0)
            setenv("MAPI_PORT", "auto", 1);
        for (const char *const *e = env; e && *e; e++)
            putenv(strdup(*e));
        if (chdir(h_repo) != 0)
            _exit(127);
        execl("/bin/bash", "bash", h_instance_sh, how, h->dir, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (rc != 0) {
        fprintf(stderr, "harness: instance.sh %s %s failed (%d):\n", how,
                h->dir, rc);
        if ((f = fopen(log, "r")) != NULL) {
            while (fgets(line, sizeof(line), f))
                fprintf(stderr, "  %s", line);
            fclose(f);
        }
    }
    return rc == 0 ? 0 : -1;
}

/* demo.env lines are NAME='value' with ' written as '\''. */
static int h_env_value(const char *line, const char *name, char *out,
                       size_t cap)
{
    size_t n = strlen(name), o = 0;
    const char *p;

    if (strncmp(line, name, n) != 0 || line[n] != '=')
        return -1;
    p = line + n + 1;
    while (*p && *p != '\n' && o + 1 < cap) {
        if (*p == '\'') {
            p++;
            while (*p && *p != '\'' && o + 1 < cap)
                out[o++] = *p++;
            if (*p == '\'')
                p++;
        } else if (*p == '\\' && p[1]) {
            out[o++] = p[1];
            p += 2;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return 0;
}

static int h_read_env(harness *h)
{
    struct { const char *name; char *dst; size_t cap; } vars[] = {
        { "MAPI_DEMO_URL", h->url, sizeof(h->url) },
        { "MAPI_DEMO_PRINCIPAL", h->demo_principal, sizeof(h->demo_principal) },
        { "MAPI_DEMO_PASSWORD", h->demo_password, sizeof(h->demo_password) },
        { "MAPI_OTHER_PRINCIPAL", h->other_principal,
          sizeof(h->other_principal) },
        { "MAPI_OTHER_PASSWORD", h->other_password, sizeof(h->other_password) },
        { "KRB5_CONFIG", h->krb5_config, sizeof(h->krb5_config) },
        { "MAPI_USER_KEYTAB", h->user_keytab, sizeof(h->user_keytab) },
        { "MAPI_OTHER_KEYTAB", h->other_keytab, sizeof(h->other_keytab) },
        { "MAPI_ADMIN_DB", h->admin_db, sizeof(h->admin_db) },
        { "MAPI_HTTPD_PID_FILE", h->pid_file, sizeof(h->pid_file) },
        { "MAPI_ERROR_LOG", h->error_log, sizeof(h->error_log) },
        { "MAPI_LOG_DIR", h->log_dir, sizeof(h->log_dir) },
        { "MAPI_CA_CERT", h->ca_cert, sizeof(h->ca_cert) },
        /* optional (below): */
        { "MAPI_SERVER_NAME", h->server_name, sizeof(h->server_name) },
    };
    const size_t n_required = sizeof(vars) / sizeof(vars[0]) - 1;
    char path[300], line[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/demo.env", h->dir);
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr, "harness: cannot read %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f))
        for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
            h_env_value(line, vars[i].name, vars[i].dst, vars[i].cap);
    fclose(f);
    for (size_t i = 0; i < n_required; i++)
        if (vars[i].dst[0] == '\0') {
            fprintf(stderr, "harness: %s lacks %s\n", path, vars[i].name);
            return -1;
        }
    /* Negotiate (libkrb5 inside libcurl) reads the private realm's
     * configuration from the environment. */
    setenv("KRB5_CONFIG", h->krb5_config, 1);
    return 0;
}

static int h_pid_alive(const char *pid_file)
{
    FILE *f = fopen(pid_file, "r");
    long pid = 0;

    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Directories this program kept after earlier failed runs: removed when
 * nothing of them runs any more and they are a few minutes old, so that
 * failing runs do not pile up (the newest one is what one looks at). */
static void h_sweep_stale(void)
{
    char prefix[96];
    DIR *d = opendir("/tmp");
    struct dirent *e;
    size_t n;

    if (d == NULL)
        return;
    n = (size_t)snprintf(prefix, sizeof(prefix), "mapi-integ-%s-", h_prog);
    while ((e = readdir(d)) != NULL) {
        char dir[300], f[400], log[310];
        struct stat st;
        if (strncmp(e->d_name, prefix, n) != 0 ||
            strlen(e->d_name) != n + 6)          /* the mkdtemp suffix */
            continue;
        snprintf(dir, sizeof(dir), "/tmp/%s", e->d_name);
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
            time(NULL) - st.st_mtime < 300)
            continue;
        snprintf(f, sizeof(f), "%s/run/httpd.pid", dir);
        if (h_pid_alive(f))
            continue;
        snprintf(f, sizeof(f), "%s/run/krb5kdc.pid", dir);
        if (h_pid_alive(f))
            continue;
        snprintf(log, sizeof(log), "%s.log", dir);
        {
            const char *rm[] = { "/bin/rm", "-rf", dir, log, NULL };
            harness_run(rm, NULL);
        }
    }
    closedir(d);
}

int harness_start(harness *h, const char *const *env)
{
    char tmpl[128];
    int slot = -1;

    h_sweep_stale();
    snprintf(tmpl, sizeof(tmpl), "/tmp/mapi-integ-%s-XXXXXX", h_prog);
    memset(h, 0, sizeof(*h));
    if (geteuid() != 0) {
        fprintf(stderr, "harness: the integration tests run httpd as "
                        "www-data and need root (instance.sh start)\n");
        return -1;
    }
    if (mkdtemp(tmpl) == NULL) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    /* httpd's children (www-data) must reach the directory. */
    chmod(tmpl, 0755);
    snprintf(h->dir, sizeof(h->dir), "%s", tmpl);
    for (int i = 0; i < H_MAX_INSTANCES; i++)
        if (h_active[i][0] == '\0') {
            slot = i;
            snprintf(h_active[i], sizeof(h_active[i]), "%s", h->dir);
            break;
        }
    if (h_instance(h, "start", env) != 0 || h_read_env(h) != 0) {
        h_stop_dir(h->dir);
        if (slot >= 0)
            h_active[slot][0] = '\0';
        return -1;
    }
    h->running = 1;
    printf("harness: instance %s at %s\n", h->dir, h->url);
    return 0;
}

int harness_signal(harness *h, const char *how, const char *const *env)
{
    return h_instance(h, how, env);
}

const char *harness_build(void)
{
    static char dir[PATH_MAX + 16];
    const char *env = getenv("MAPI_BUILD_DIR");

    if (env && *env)
        return env;
    snprintf(dir, sizeof(dir), "%s/build", h_repo);
    return dir;
}

/* Whether a valgrind log reports errors ("ERROR SUMMARY: 0 errors" is
 * clean; definite leaks count as errors, see instance.sh). */
static int h_valgrind_dirty(const char *path)
{
    char line[512];
    int dirty = 0;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "ERROR SUMMARY: ") && !strstr(line, "SUMMARY: 0 "))
            dirty = 1;
    fclose(f);
    return dirty;
}

/* Sanitizer reports of httpd (DIR/sanitizer/asan.PID, ubsan.PID) and
 * valgrind logs with errors (DIR/valgrind/vg.PID): printed; their number
 * is returned.  A program whose server wrote one fails. */
static int h_server_reports(const char *dir)
{
    static const char *const sub[] = { "sanitizer", "valgrind" };
    int found = 0;

    for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
        char path[PATH_MAX], line[1024];
        struct dirent *e;
        DIR *d;

        snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
        if ((d = opendir(path)) == NULL)
            continue;
        while ((e = readdir(d)) != NULL) {
            FILE *f;

            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s/%s", dir, sub[i], e->d_name);
            if (i == 1 && !h_valgrind_dirty(path))
                continue;
            found++;
            fprintf(stderr, "harness: server report %s:\n", path);
            if ((f = fopen(path, "r")) != NULL) {
                for (int n = 0; n < 80 && fgets(line, sizeof(line), f); n++)
                    fprintf(stderr, "  %s", line);
                fclose(f);
            }
        }
        closedir(d);
    }
    return found;
}

int harness_stop(harness *h)
{
    char log[300];
    int reports;

    if (h->dir[0] == '\0')
        return 0;
    h_stop_dir(h->dir);
    reports = h_server_reports(h->dir);
    if (reports)
        h_any_failure = 1;
    for (int i = 0; i < H_MAX_INSTANCES; i++)
        if (strcmp(h_active[i], h->dir) == 0)
            h_active[i][0] = '\0';
    h->running = 0;
    snprintf(log, sizeof(log), "%s.log", h->dir);
    if (CU_get_number_of_failures() > 0 || h_any_failure ||
        (getenv("MAPI_INTEG_KEEP") && strcmp(getenv("MAPI_INTEG_KEEP"), "1") == 0)) {
        printf("\nharness: kept %s (logs in %s/logs)\n", h->dir, h->dir);
    } else {
        const char *rm[] = { "/bin/rm", "-rf", h->dir, log, NULL };
        harness_run(rm, NULL);
    }
    return reports ? -1 : 0;
}

pid_t harness_httpd_pid(const harness *h)
{
    FILE *f = fopen(h->pid_file, "r");
    long pid = -1;

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = -1;
    fclose(f);
    return (pid_t)pid;
}

int harness_httpd_children(const harness *h, pid_t *out, int max)
{
    pid_t parent = harness_httpd_pid(h);
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    if (d == NULL || parent <= 0) {
        if (d)
            closedir(d);
        return 0;
    }
    while ((e = readdir(d)) != NULL && n < max) {
        char path[300], buf[512], *rp;
        long ppid;
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(buf, sizeof(buf), f) == NULL) {
            fclose(f);
            continue;
        }
        fclose(f);
        /* pid (comm) state ppid ...: comm may hold spaces; skip to ')'. */
        rp = strrchr(buf, ')');
        if (rp && sscanf(rp + 1, " %*c %ld", &ppid) == 1 && ppid == parent)
            out[n++] = (pid_t)atol(e->d_name);
    }
    closedir(d);
    return n;
}

int harness_kill_children(const harness *h)
{
    pid_t kids[64];
    int n = harness_httpd_children(h, kids, 64);

    for (int i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    return n;
}

int harness_post_event(const harness *h, const char *session_hex)
{
    char tool[PATH_MAX + 64];
    const char *argv[] = { tool, h->admin_db, session_hex, NULL };
    char log[300];


    snprintf(tool, sizeof(tool), "%s/tests/mapi-post-event", harness_build());
    snprintf(log, sizeof(log), "%s.log", h->dir);
    return harness_run(argv, log);
}

int harness_admin(const harness *h, char *out, size_t cap,
                  const char *const *args)
{
    char tool[PATH_MAX + 64], log[300], tmp[320];
    const char *argv[40];
    size_t n = 0;
    int rc;

    snprintf(tool, sizeof(tool), "%s/mapi-admin", harness_build());
    argv[n++] = tool;
    argv[n++] = "-DataDir";
    argv[n++] = h->admin_db;
    for (; args && *args && n + 1 < sizeof(argv) / sizeof(argv[0]); args++)
        argv[n++] = *args;
    argv[n] = NULL;
    snprintf(log, sizeof(log), "%s.log", h->dir);
    if (out == NULL)
        return harness_run(argv, log);
    snprintf(tmp, sizeof(tmp), "%s.admin-out", h->dir);
    unlink(tmp);
    rc = harness_run(argv, tmp);
    {
        FILE *f = fopen(tmp, "r");
        size_t got = f ? fread(out, 1, cap ? cap - 1 : 0, f) : 0;
        if (cap)
            out[got] = '\0';
        if (f)
            fclose(f);
    }
    unlink(tmp);
    return rc;
}

const char *harness_vdir_identity(const harness *h)
{
    static char id[200];

    snprintf(id, sizeof(id), "%s\\mapi (Default Web Site)", h->server_name);
    return id;
}

int harness_kinit(const harness *h, const char *principal, const char *keytab,
                  const char *ccache)
{
    char cc[320], log[300];
    const char *argv[] = { "/usr/bin/kinit", "-k", "-t", keytab, principal,
                           NULL };
    int rc;

    snprintf(cc, sizeof(cc), "FILE:%s", ccache);
    snprintf(log, sizeof(log), "%s.log", h->dir);
    setenv("KRB5_CONFIG", h->krb5_config, 1);
    setenv("KRB5CCNAME", cc, 1);
    if (access(argv[0], X_OK) != 0)
        argv[0] = "/bin/kinit";
    rc = harness_run(argv, log);
    return rc;
}

int harness_kdc_stop(const harness *h)
{
    char path[320];
    FILE *f;
    long pid = -1;

    snprintf(path, sizeof(path), "%s/run/krb5kdc.pid", h->dir);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = -1;
    fclose(f);
    if (pid <= 1 || kill((pid_t)pid, SIGTERM) != 0)
        return -1;
    /* krb5kdc takes a moment to act on SIGTERM. */
    for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
        harness_sleep_ms(100);
    return kill((pid_t)pid, 0) == 0 ? -1 : 0;
}

typedef struct h_body {
    char *data;
    size_t len;
} h_body;

static size_t h_body_cb(char *buf, size_t size, size_t n, void *arg)
{
    h_body *b = arg;
    char *nd = realloc(b->data, b->len + size * n + 1);

    if (nd == NULL)
        return 0;
    b->data = nd;
    memcpy(b->data + b->len, buf, size * n);
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}

char *harness_get(const harness *h, const char *path, long *status_r)
{
    CURL *c = curl_easy_init();
    h_body b = { NULL, 0 };
    char url[512];
    CURLcode cc;

    if (c == NULL)
        return NULL;
    snprintf(url, sizeof(url), "%s%s", h->url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_cert);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, h_body_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    cc = curl_easy_perform(c);
    if (status_r)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status_r);
    curl_easy_cleanup(c);
    if (cc != CURLE_OK) {
        free(b.data);
        return NULL;
    }
    if (b.data == NULL)
        b.data = strdup("");
    return b.data;
}

mhc_client *harness_client(const harness *h, int who, mhc_auth auth)
{
    return mhc_client_new(h->url, auth,
                          who ? h->other_principal : h->demo_principal,
                          who ? h->other_password : h->demo_password,
                          h->ca_cert);
}

mhc_client *harness_connect_demo(mhc_client *c)
{
    int rc = c ? mhc_connect(c, H_DEMO_DN, NULL, NULL) : -1;

    CHECKF(rc == 0, "setup: Connect gave X-ResponseCode %d", rc);
    if (rc != 0)
        mhc_client_free(&c);
    return c;
}

int harness_run_tests(void)
{
    unsigned failed, suites_failed;

    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    printf("\n");
    failed = CU_get_number_of_tests_failed() + CU_get_number_of_failures();
    suites_failed = CU_get_number_of_suites_failed();
    h_any_failure = failed || suites_failed;
    CU_cleanup_registry();
    return (failed || suites_failed) ? 1 : 0;
}

/* ----------------------------------------------------- mail delivery -- */

const char *harness_deliver_path(void)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/mapi-deliver", harness_build());
    return path;
}

/* Runs mapi-deliver with args (after -DataDir), input on its stdin; its
 * output (stdout and stderr) into out.  Returns the exit status, or -1
 * when it did not exit normally (a crash counts as a failure here). */
int harness_deliver(const harness *h, const char *const *args,
                    const void *input, size_t len, char *out, size_t cap)
{
    const char *argv[16];
    int in[2], outp[2], status = 0, n = 0;
    size_t got = 0;
    pid_t pid;

    argv[n++] = harness_deliver_path();
    argv[n++] = "-DataDir";
    argv[n++] = h->admin_db;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    if (pipe(in) != 0 || pipe(outp) != 0)
        return -1;
    if ((pid = fork()) == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        dup2(outp[1], 2);
        close(in[1]);
        close(outp[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    signal(SIGPIPE, SIG_IGN);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(in[1], (const char *)input + off, len - off);

        if (w <= 0)
            break;                  /* it stopped reading: its answer says */
        off += (size_t)w;
    }
    close(in[1]);
    for (;;) {
        ssize_t r = read(outp[0], out + got, got + 1 < cap ? cap - got - 1 : 0);
        char sink[4096];

        if (r == 0 && got + 1 >= cap)
            r = read(outp[0], sink, sizeof(sink));
        if (r <= 0)
            break;
        if (got + 1 < cap)
            got += (size_t)r;
    }
    out[got] = '\0';
    close(outp[0]);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

int harness_free_port(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0
        && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}
