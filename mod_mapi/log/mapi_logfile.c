/*
 * mapi_logfile.c: protocol log files (see mapi_logfile.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "log/mapi_logfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <apr_strings.h>
#include <apr_tables.h>

const char *const mapi_logfile_fields[] = {
    "DateTime", "RequestId", "ClientRequestId", "ClientInfo", "RequestType",
    "HttpStatus", "ResponseCode", "StatusCode", "ElapsedTime",
    "AuthenticatedUser", "AuthenticationType", "MailboxId", "ClientIp",
    "ClientSoftware", "ClientSoftwareVersion", "SessionCookie", "RopIds",
    "RequestBytes", "ResponseBytes", "GenericErrors",
};
const unsigned mapi_logfile_n_fields =
    sizeof(mapi_logfile_fields) / sizeof(mapi_logfile_fields[0]);

/* ------------------------------------------------------------- rows -- */

/* One value, cut to cap bytes, quoted when it holds a separator, a quote
 * or a line break (line breaks become spaces: one row, one line). */
static void mapi_logfile_csv(apr_pool_t *p, apr_array_header_t *out,
                             const char *v, apr_size_t cap)
{
    apr_size_t n = v ? strlen(v) : 0;
    int quote;

    if (n > cap)
        v = apr_pstrcat(p, apr_pstrndup(p, v, cap > 3 ? cap - 3 : 0), "...",
                        NULL), n = strlen(v);
    quote = v && strpbrk(v, ",\"\r\n") != NULL;
    if (quote)
        APR_ARRAY_PUSH(out, char) = '"';
    for (apr_size_t i = 0; i < n; i++) {
        char ch = v[i];
        if (ch == '\r' || ch == '\n' || (unsigned char)ch < 0x20)
            ch = ' ';
        if (ch == '"')
            APR_ARRAY_PUSH(out, char) = '"';
        APR_ARRAY_PUSH(out, char) = ch;
    }
    if (quote)
        APR_ARRAY_PUSH(out, char) = '"';
}

const char *mapi_logfile_row(apr_pool_t *p, const char *const *values,
                             apr_size_t *len_r)
{
    apr_array_header_t *out = apr_array_make(p, 512, 1);

    /* Halve the cap per value until the row fits. */
    for (apr_size_t cap = MAPI_LOGFILE_ROW_MAX; ; cap /= 2) {
        out->nelts = 0;
        for (unsigned i = 0; i < mapi_logfile_n_fields; i++) {
            if (i)
                APR_ARRAY_PUSH(out, char) = ',';
            mapi_logfile_csv(p, out, values[i], cap);
        }
        APR_ARRAY_PUSH(out, char) = '\r';
        APR_ARRAY_PUSH(out, char) = '\n';
        if ((apr_size_t)out->nelts <= MAPI_LOGFILE_ROW_MAX || cap < 8)
            break;
    }
    *len_r = (apr_size_t)out->nelts;
    APR_ARRAY_PUSH(out, char) = '\0';
    return out->elts;
}

/* ------------------------------------------------------------ files -- */

static const char *mapi_logfile_header(apr_pool_t *p,
                                       const mapi_logfile_service *svc,
                                       apr_time_t now)
{
    time_t secs = (time_t)apr_time_sec(now);
    char date[64];
    struct tm tm;
    const char *fields = mapi_logfile_fields[0];

    gmtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    for (unsigned i = 1; i < mapi_logfile_n_fields; i++)
        fields = apr_pstrcat(p, fields, ",", mapi_logfile_fields[i], NULL);
    return apr_psprintf(p, "#Software: mod_mapi\r\n#Version: 15.02.1544.004"
                        "\r\n#Log-type: %s Logs\r\n#Date: %s\r\n#Fields: %s"
                        "\r\n", svc->log_type, date, fields);
}

/* Makes path complete with its preamble; 1 when this call made it, 0
 * when someone else had, -1 on error. */
static int mapi_logfile_create(apr_pool_t *p, const char *path,
                               const char *head)
{
    const char *tmp = apr_psprintf(p, "%s.%ld.%lx.tmp", path, (long)getpid(),
                                   (unsigned long)(apr_uintptr_t)&tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    int made;

    if (fd < 0)
        return -1;
    if (write(fd, head, strlen(head)) != (ssize_t)strlen(head)) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    made = link(tmp, path) == 0;
    if (!made && errno != EEXIST) {
        unlink(tmp);
        return -1;
    }
    unlink(tmp);
    return made;
}

static const char *mapi_logfile_path(apr_pool_t *p, const char *dir,
                                     const char *stamp, unsigned n)
{
    return apr_psprintf(p, "%s/MapiHttp_%s-%u.LOG", dir, stamp, n);
}

/* The highest N of the hour in the directory (1 when there is none).
 * Not "the first gap": pruning removes the lowest numbers. */
static unsigned mapi_logfile_scan(const char *dir, const char *stamp)
{
    char prefix[32];
    size_t pl = (size_t)snprintf(prefix, sizeof(prefix), "MapiHttp_%s-",
                                 stamp);
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned n = 1;

    while (d && (e = readdir(d)) != NULL) {
        char *end;
        unsigned long v;
        if (strncmp(e->d_name, prefix, pl) != 0)
            continue;
        v = strtoul(e->d_name + pl, &end, 10);
        if (strcmp(end, ".LOG") == 0 && v > n && v < 1000000)
            n = (unsigned)v;
    }
    if (d)
        closedir(d);
    return n;
}

/* Where this process last wrote, per directory, so that the directory is
 * read once an hour, not once a row. */
#define MAPI_LOGFILE_CACHE 8
static struct {
    char dir[512], stamp[16];
    unsigned n;
} mapi_logfile_cache[MAPI_LOGFILE_CACHE];
static pthread_mutex_t mapi_logfile_mutex = PTHREAD_MUTEX_INITIALIZER;

static unsigned mapi_logfile_current(const char *dir, const char *stamp)
{
    unsigned n = 0;
    int i;

    pthread_mutex_lock(&mapi_logfile_mutex);
    for (i = 0; i < MAPI_LOGFILE_CACHE && mapi_logfile_cache[i].dir[0]; i++)
        if (strcmp(mapi_logfile_cache[i].dir, dir) == 0)
            break;
    if (i < MAPI_LOGFILE_CACHE &&
        strcmp(mapi_logfile_cache[i].stamp, stamp) == 0)
        n = mapi_logfile_cache[i].n;
    pthread_mutex_unlock(&mapi_logfile_mutex);
    return n ? n : mapi_logfile_scan(dir, stamp);
}

static void mapi_logfile_remember(const char *dir, const char *stamp,
                                  unsigned n)
{
    int i;

    pthread_mutex_lock(&mapi_logfile_mutex);
    for (i = 0; i < MAPI_LOGFILE_CACHE - 1 && mapi_logfile_cache[i].dir[0];
         i++)
        if (strcmp(mapi_logfile_cache[i].dir, dir) == 0)
            break;
    snprintf(mapi_logfile_cache[i].dir, sizeof(mapi_logfile_cache[i].dir),
             "%s", dir);
    snprintf(mapi_logfile_cache[i].stamp,
             sizeof(mapi_logfile_cache[i].stamp), "%s", stamp);
    mapi_logfile_cache[i].n = n;
    pthread_mutex_unlock(&mapi_logfile_mutex);
}

int mapi_logfile_append(apr_pool_t *p, const mapi_logfile_conf *c,
                        const mapi_logfile_service *svc, apr_time_t now,
                        const char *row, apr_size_t len,
                        const char **error_r)
{
    const char *dir = apr_pstrcat(p, c->dir, "/", svc->subdir, NULL);
    const char *head = mapi_logfile_header(p, svc, now);
    time_t secs = (time_t)apr_time_sec(now);
    char stamp[16];
    struct tm tm;
    unsigned n;
    int made_one = 0;

    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d%H", &tm);
    mkdir(c->dir, 0750);
    mkdir(dir, 0750);
    n = mapi_logfile_current(dir, stamp);
    for (int tries = 0; tries < 64; tries++) {
        const char *path = mapi_logfile_path(p, dir, stamp, n);
        struct stat st;
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC), made;
        ssize_t w;

        if (fd < 0 && errno == ENOENT) {
            if ((made = mapi_logfile_create(p, path, head)) < 0)
                break;
            made_one |= made;
            fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        }
        if (fd < 0)
            break;
        /* Full: the next number (a file holding only its preamble
         * takes the row whatever its size). */
        if (c->max_file > 0 && fstat(fd, &st) == 0 &&
            st.st_size > (off_t)strlen(head) &&
            st.st_size + (off_t)len > c->max_file) {
            close(fd);
            n++;
            continue;
        }
        w = write(fd, row, len);
        close(fd);
        mapi_logfile_remember(dir, stamp, n);
        if (w != (ssize_t)len) {
            *error_r = apr_psprintf(p, "cannot write %s: %s", path,
                                    strerror(errno));
            return -1;
        }
        if (made_one)
            mapi_logfile_prune(p, c, svc, now);
        return 0;
    }
    *error_r = apr_psprintf(p, "cannot open the protocol log in %s: %s", dir,
                            strerror(errno));
    return -1;
}

/* --------------------------------------------------------- pruning -- */

typedef struct mapi_logfile_old {
    const char *path;
    apr_time_t mtime;
    apr_off_t size;
} mapi_logfile_old;

/* Oldest first: by modification time, then by name, whose hour and
 * number (compared as a number: -10 comes after -9) order the files of
 * one second. */
static int mapi_logfile_by_age(const void *a, const void *b)
{
    const mapi_logfile_old *x = a, *y = b;
    const char *nx = strrchr(x->path, '/'), *ny = strrchr(y->path, '/');
    int c = (x->mtime > y->mtime) - (x->mtime < y->mtime);
    unsigned long ix, iy;

    if (c)
        return c;
    if ((c = strncmp(nx, ny, 20)) != 0)   /* "/MapiHttp_YYYYMMDDHH" */
        return c;
    ix = strtoul(nx + 21, NULL, 10);
    iy = strtoul(ny + 21, NULL, 10);
    return (ix > iy) - (ix < iy);
}

int mapi_logfile_prune(apr_pool_t *p, const mapi_logfile_conf *c,
                       const mapi_logfile_service *svc, apr_time_t now)
{
    const char *dir = apr_pstrcat(p, c->dir, "/", svc->subdir, NULL);
    apr_array_header_t *files = apr_array_make(p, 16,
                                               sizeof(mapi_logfile_old));
    DIR *d = opendir(dir);
    struct dirent *e;
    apr_off_t total = 0;
    int removed = 0, i;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        mapi_logfile_old *f;
        struct stat st;
        size_t l = strlen(e->d_name);
        const char *path;

        if (strncmp(e->d_name, "MapiHttp_", 9) || l < 13 ||
            strcmp(e->d_name + l - 4, ".LOG"))
            continue;
        path = apr_pstrcat(p, dir, "/", e->d_name, NULL);
        if (stat(path, &st) != 0)
            continue;
        if (c->max_age > 0 &&
            now - apr_time_from_sec(st.st_mtime) > c->max_age) {
            removed += unlink(path) == 0;
            continue;
        }
        f = &APR_ARRAY_PUSH(files, mapi_logfile_old);
        f->path = path;
        f->mtime = apr_time_from_sec(st.st_mtime);
        f->size = st.st_size;
        total += st.st_size;
    }
    closedir(d);
    if (c->max_dir <= 0 || total <= c->max_dir)
        return removed;
    qsort(files->elts, (size_t)files->nelts, sizeof(mapi_logfile_old),
          mapi_logfile_by_age);
    for (i = 0; i + 1 < files->nelts && total > c->max_dir; i++) {
        mapi_logfile_old *f = &APR_ARRAY_IDX(files, i, mapi_logfile_old);
        if (unlink(f->path) == 0) {
            removed++;
            total -= f->size;
        }
    }
    return removed;
}
