/*
 * crash_ops.c: see crash_ops.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crash_ops.h"

/* ------------------------------------------- which child served it -- */

static long server_port(const harness *h)
{
    const char *p = strrchr(h->url, ':');

    return p ? strtol(p + 1, NULL, 10) : -1;
}

/* The socket inode of the server end of the connection whose client port
 * is lport, from /proc/net/tcp{,6}; 0 when none. */
static unsigned long conn_inode(const harness *h, long lport)
{
    static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
    long sport = server_port(h);

    for (int k = 0; k < 2; k++) {
        FILE *f = fopen(files[k], "r");
        char line[512];

        if (f == NULL)
            continue;
        while (fgets(line, sizeof(line), f)) {
            char loc[64], rem[64];
            unsigned long inode;
            const char *lp, *rp;
            if (sscanf(line, " %*d: %63s %63s %*x %*s %*s %*s %*d %*d %lu",
                       loc, rem, &inode) != 3)
                continue;
            lp = strrchr(loc, ':');
            rp = strrchr(rem, ':');
            if (lp && rp && strtol(lp + 1, NULL, 16) == sport &&
                strtol(rp + 1, NULL, 16) == lport && inode != 0) {
                fclose(f);
                return inode;
            }
        }
        fclose(f);
    }
    return 0;
}

static int pid_has_socket(pid_t pid, unsigned long inode)
{
    char dir[64], want[64];
    DIR *d;
    struct dirent *e;
    int found = 0;

    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    snprintf(want, sizeof(want), "socket:[%lu]", inode);
    if ((d = opendir(dir)) == NULL)
        return 0;
    while (!found && (e = readdir(d)) != NULL) {
        char path[320], link[64];
        ssize_t n;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        n = readlink(path, link, sizeof(link) - 1);
        if (n > 0) {
            link[n] = 0;
            found = strcmp(link, want) == 0;
        }
    }
    closedir(d);
    return found;
}

pid_t crash_served_by(const harness *h, const mhc_client *c)
{
    long lport = 0;
    unsigned long inode;
    pid_t kids[64];
    int n;

    if (c->curl == NULL ||
        curl_easy_getinfo((CURL *)c->curl, CURLINFO_LOCAL_PORT, &lport) !=
            CURLE_OK || lport <= 0)
        return -1;
    if ((inode = conn_inode(h, lport)) == 0)
        return -1;
    n = harness_httpd_children(h, kids, 64);
    for (int i = 0; i < n; i++)
        if (pid_has_socket(kids[i], inode))
            return kids[i];
    return -1;
}

/* ------------------------------------------------------ retries -- */

int crash_execute_retried(mhc_client *c, rc_buf *b, apr_pool_t *p,
                          rc_exec *x, double ms)
{
    double deadline = mhc_now_ms() + ms;

    for (;;) {
        int rc = rc_execute(c, b, p, x);
        if (rc == 0 || (x->rc != -2 && x->http.http_status < 500 &&
                        x->rc != MHC_RC_ENDPOINT_SHUTTING_DOWN) ||
            mhc_now_ms() > deadline)
            return rc;
        rc_exec_free(x);
        harness_sleep_ms(200);
    }
}

/* ---------------------------------------------- kill and start -- */

int crash_kill_all_httpd(const harness *h)
{
    pid_t parent = harness_httpd_pid(h), kids[64];
    int n = harness_httpd_children(h, kids, 64);

    if (parent <= 0)
        return 0;
    kill(parent, SIGKILL);
    for (int i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    for (int t = 0; t < 50; t++) {
        int alive = kill(parent, 0) == 0;
        for (int i = 0; i < n; i++)
            alive |= kill(kids[i], 0) == 0;
        if (!alive)
            break;
        harness_sleep_ms(100);
    }
    return n + 1;
}

/* instance.sh refuses to start while the instance's KDC still runs. */
int crash_cold_start_httpd(const harness *h)
{
    char conf[300], krb[320], kt[320], rund[320], lockd[320], logd[320],
         pidf[320], rcache[320], log[320], pre[600], asan[400], ubsan[400];
    const char *argv[] = {
        "/usr/bin/env", "-i",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG=C", krb, kt, rcache, "KRB5CCNAME=MEMORY:httpd", rund, lockd,
        logd, pidf, "APACHE_RUN_USER=www-data", "APACHE_RUN_GROUP=www-data",
        "/usr/sbin/apache2", "-f", conf, "-k", "start", NULL, NULL, NULL, NULL
    };
    const char *lib = getenv("MAPI_ASAN_LIB");

    /* The sanitizer pass (make sanitize-integ): what instance.sh gives
     * httpd (sanitizer_env), before the command. */
    if (lib && *lib && getenv("MAPI_SANITIZE") &&
        strcmp(getenv("MAPI_SANITIZE"), "1") == 0) {
        size_t n = sizeof(argv) / sizeof(argv[0]) - 4, at = 14;
        snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", lib);
        snprintf(asan, sizeof(asan), "ASAN_OPTIONS=halt_on_error=1:"
                 "detect_leaks=0:use_sigaltstack=0:log_path=%s/sanitizer/asan",
                 h->dir);
        snprintf(ubsan, sizeof(ubsan), "UBSAN_OPTIONS=halt_on_error=1:"
                 "print_stacktrace=1:log_path=%s/sanitizer/ubsan", h->dir);
        memmove(&argv[at + 3], &argv[at], (n - at + 1) * sizeof(argv[0]));
        argv[at] = pre;
        argv[at + 1] = asan;
        argv[at + 2] = ubsan;
    }

    snprintf(conf, sizeof(conf), "%s/httpd.conf", h->dir);
    snprintf(krb, sizeof(krb), "KRB5_CONFIG=%s/krb5.conf", h->dir);
    snprintf(kt, sizeof(kt), "KRB5_KTNAME=FILE:%s/http.keytab", h->dir);
    snprintf(rcache, sizeof(rcache), "KRB5RCACHEDIR=%s/run", h->dir);
    snprintf(rund, sizeof(rund), "APACHE_RUN_DIR=%s/run", h->dir);
    snprintf(lockd, sizeof(lockd), "APACHE_LOCK_DIR=%s/run", h->dir);
    snprintf(logd, sizeof(logd), "APACHE_LOG_DIR=%s/logs", h->dir);
    snprintf(pidf, sizeof(pidf), "APACHE_PID_FILE=%s/run/httpd.pid", h->dir);
    snprintf(log, sizeof(log), "%s/logs/httpd-start.log", h->dir);
    return harness_run(argv, log);
}

mhc_client *crash_connect_retried(const harness *h, double ms)
{
    double deadline = mhc_now_ms() + ms;

    for (;;) {
        mhc_client *c = harness_client(h, 0, MHC_AUTH_BASIC);
        mhc_response r;
        int rc = mhc_connect(c, H_DEMO_DN, &r, NULL);
        long http = r.http_status;
        mhc_response_free(&r);
        if (rc == 0)
            return c;
        mhc_client_free(&c);
        if (mhc_now_ms() > deadline) {
            CHECKF(0, "R1200: no Connect within %.0f s of the start "
                   "(last X-ResponseCode %d, HTTP %ld)", ms / 1000, rc, http);
            return NULL;
        }
        harness_sleep_ms(250);
    }
}
