/*
 * bench_dbsize.c: how many bytes the databases of a mod_mapi environment
 * take, for the load generator's idle-session figure.
 *
 *   bench_dbsize DATADIR
 *
 * Joins the environment as mapi-admin does (as its owner), forces a
 * checkpoint so that every page of the shared cache is in its file, and
 * prints "name bytes records" per database file and a "total" line.  A
 * database file grows by whole pages; the figure per session is the
 * difference of two runs divided by the sessions made in between.
 * Transaction logs (log.*) and the cache regions (__db.*) are not counted:
 * logs are removed by checkpoints, regions have a fixed size.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "db/mapi_db.h"

static long long file_size(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Keys in db (a fast count: no walk). */
static long long records(DB *db)
{
    DB_BTREE_STAT *bs = NULL;
    long long n = -1;

    if (db && db->stat(db, NULL, &bs, DB_FAST_STAT) == 0 && bs) {
        n = (long long)bs->bt_nkeys;
        free(bs);
    }
    return n;
}

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    mapi_db *db;
    const char *error = NULL;
    struct stat st;
    long long total = 0;
    int ret;

    if (argc != 2) {
        fprintf(stderr, "usage: bench_dbsize DATADIR\n");
        return 2;
    }
    if (geteuid() == 0 && stat(argv[1], &st) == 0 && st.st_uid != 0 &&
        (setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0)) {
        perror("bench_dbsize: setuid");
        return 1;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (mapi_db_open(pool, argv[1], 0, &db, &error) != 0) {
        fprintf(stderr, "bench_dbsize: %s\n", error ? error : "open failed");
        return 1;
    }
    if ((ret = db->env->txn_checkpoint(db->env, 0, 0, DB_FORCE)) != 0) {
        fprintf(stderr, "bench_dbsize: checkpoint: %s\n", db_strerror(ret));
        return 1;
    }
    {
        const struct { const char *file; DB *db; } f[] = {
            { "sessions.db", db->sessions }, { "objects.db", db->objects },
            { "waits.db", db->waits }, { "events.db", db->events },
            { "config.db", db->config }, { "store-folders.db", db->folders },
            { "store-messages.db", db->messages },
            { "store-contents.db", db->contents },
            { "store-meta.db", db->meta }, { "store-blobs.db", db->blobs },
        };
        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
            long long sz = file_size(argv[1], f[i].file);
            if (sz < 0)
                continue;
            printf("%s %lld %lld\n", f[i].file, sz, records(f[i].db));
            total += sz;
        }
    }
    printf("total %lld\n", total);
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    return 0;
}
