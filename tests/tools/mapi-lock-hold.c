/*
 * mapi-lock-hold: a process that holds write locks in the environment and
 * then does nothing, for the tests of dead and stuck lock holders
 * (tests/integ/test_crash.c).
 *
 *   mapi-lock-hold DATADIR SMTP-ADDRESS   the mailbox's store records
 *   mapi-lock-hold DATADIR -config        every configuration record
 *
 * It opens the environment as mapi-admin does (a root caller becomes the
 * directory's owner first), begins a transaction, reads every record of
 * the target with DB_RMW (a write lock on each page holding one), prints
 * "locked N" on stdout and waits.  The transaction is never committed:
 * killed with -9 it leaves its locks to failchk; SIGTERM aborts it and
 * exits 0; stopped with SIGSTOP it is the stuck holder.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_general.h>

#include "configdb/cfg_db.h"
#include "db/mapi_db.h"

static volatile sig_atomic_t lh_stop;

static void lh_on_term(int sig)
{
    (void)sig;
    lh_stop = 1;
}

/* As mapi-admin: files created under the environment stay the owner's. */
static int lh_become_owner(const char *dir)
{
    struct stat st;

    if (geteuid() != 0 || stat(dir, &st) != 0 || st.st_uid == 0)
        return 0;
    return setgid(st.st_gid) == 0 && setuid(st.st_uid) == 0 ? 0 : -1;
}

/* Reads with DB_RMW every record of d whose key starts with prefix (all
 * records when plen is 0); how many, or -1. */
static long lh_lock_range(DB *d, DB_TXN *txn, const void *prefix,
                          size_t plen)
{
    DBC *cur;
    DBT key = { 0 }, val = { 0 };
    long n = 0;
    int ret;
    uint8_t start[64];

    if (d->cursor(d, txn, &cur, 0) != 0)
        return -1;
    memcpy(start, prefix, plen);
    key.data = start;
    key.size = (u_int32_t)plen;
    key.flags = DB_DBT_MALLOC;
    val.flags = DB_DBT_PARTIAL;    /* the lock, not the value */
    ret = cur->get(cur, &key, &val, (plen ? DB_SET_RANGE : DB_FIRST) | DB_RMW);
    while (ret == 0) {
        if (plen && (key.size < plen || memcmp(key.data, prefix, plen) != 0))
            break;
        n++;
        ret = cur->get(cur, &key, &val, DB_NEXT | DB_RMW);
        if (ret == 0 && plen && memcmp(key.data, prefix, plen) != 0)
            ret = DB_NOTFOUND;
    }
    cur->close(cur);
    return ret == 0 || ret == DB_NOTFOUND ? n : -1;
}

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    mapi_db *db;
    cfg_mailbox *mbx = NULL;
    const char *error = NULL;
    DB_TXN *txn = NULL;
    long n = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: mapi-lock-hold DATADIR SMTP-ADDRESS|-config\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (lh_become_owner(argv[1]) != 0) {
        perror("mapi-lock-hold: setuid");
        return 1;
    }
    if (mapi_db_open(pool, argv[1], 0, &db, &error) != 0) {
        fprintf(stderr, "mapi-lock-hold: %s\n", error);
        return 1;
    }
    if (strcmp(argv[2], "-config") != 0 &&
        cfg_mailbox_by_smtp(db, pool, argv[2], &mbx, &error) != 0) {
        fprintf(stderr, "mapi-lock-hold: mailbox %s: %s\n", argv[2],
                error ? error : "not found");
        return 1;
    }
    if (db->env->txn_begin(db->env, NULL, &txn, 0) != 0) {
        fprintf(stderr, "mapi-lock-hold: txn_begin failed\n");
        return 1;
    }
    if (mbx == NULL) {
        n = lh_lock_range(db->config, txn, "", 0);
    } else {
        DB *all[] = { db->folders, db->messages, db->contents, db->meta };
        for (size_t i = 0; i < 4 && n >= 0; i++) {
            long k = lh_lock_range(all[i], txn, mbx->guid, 16);
            n = k < 0 ? -1 : n + k;
        }
    }
    if (n < 0) {
        fprintf(stderr, "mapi-lock-hold: could not lock the records\n");
        txn->abort(txn);
        return 1;
    }
    signal(SIGTERM, lh_on_term);
    printf("locked %ld\n", n);
    fflush(stdout);
    while (!lh_stop)
        pause();
    txn->abort(txn);
    mapi_db_close(&db);
    apr_terminate();
    return 0;
}
