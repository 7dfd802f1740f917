/*
 * spool.c: see spool.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "spool.h"

int spool_create(char *dir)
{
    /* httpd's children (www-data) run the command, the test runs as root. */
    return mkdtemp(dir) && chmod(dir, 0777) == 0 ? 0 : -1;
}

void spool_command(const char *dir, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/tests/integ/capture-sendmail.sh %s",
             harness_repo(), dir);
}

void spool_clear(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];

    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
}

void spool_remove(const char *dir)
{
    spool_clear(dir);
    if (rmdir(dir) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

char *spool_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = n < 0 ? NULL : calloc(1, (size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int spool_read(const char *dir, spool_msg *out, int max)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    int n = 0;

    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);

        if (l <= 4 || strcmp(e->d_name + l - 4, ".eml") != 0)
            continue;
        if (n < max) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            out[n].eml = spool_slurp(path);
            snprintf(path, sizeof(path), "%s/%.*s.args", dir, (int)(l - 4),
                     e->d_name);
            out[n].args = spool_slurp(path);
        }
        n++;
    }
    if (d)
        closedir(d);
    return n;
}

void spool_msgs_free(spool_msg *m, int n)
{
    for (int i = 0; i < n; i++) {
        free(m[i].eml);
        free(m[i].args);
        m[i].eml = m[i].args = NULL;
    }
}
