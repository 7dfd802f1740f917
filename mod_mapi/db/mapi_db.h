/*
 * mapi_db.h: the one Berkeley DB environment that every httpd child,
 * mapi-admin and the test tools open.  Sessions, NotificationWait
 * registrations, pending events and the configuration live here, so that
 * any process can serve any request and a crashed child loses nothing.
 *
 * Processes never run recovery while others may have the environment open:
 * recovery runs once, in a process of its own, when httpd starts with no
 * children of an older generation alive (mapi_db_recover).  Everyone else
 * opens without recovery and calls mapi_db_failchk() now and then, which
 * releases the locks and aborts the transactions of processes that died.
 *
 * Errors: functions return 0 or -1 and fill *error_r with a message naming
 * the environment and the operation (allocated from the pool given).
 *
 * This layer has no httpd dependency; mapi-admin links it.
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_DB_H
#define MAPI_DB_H

#include <db.h>
#include <apr_pools.h>

/* 3: directory attributes on mailboxes, groups and contacts (a version 2
 * database is upgraded in place: its records are still read). */
#define MAPI_DB_SCHEMA_VERSION 3

typedef struct mapi_db {
    DB_ENV *env;
    DB *sessions;     /* session id (16 bytes) -> encoded session record */
    DB *waits;        /* session id -> process holding its NotificationWait */
    DB *events;       /* session id -> count of events not yet collected */
    DB *config;       /* configuration records (see configdb/) */
    /* The mailbox store (see store/store.h). */
    DB *folders;      /* mailbox guid + fid -> folder record */
    DB *messages;     /* mailbox guid + mid -> message record */
    DB *contents;     /* mailbox guid + parent fid + kind + id -> "" */
    DB *meta;         /* per-mailbox counters, named properties, ... */
    DB *blobs;        /* owner + blob id + chunk -> chunk of a large value */
    /* Server objects that sessions hold open (see session/sess_objects.h). */
    DB *objects;      /* session id + handle -> object record */
    const char *home;
    apr_pool_t *pool;
    struct mapi_db_detector *detector;   /* MAPI_DB_DETECT's thread */
} mapi_db;

#define MAPI_DB_CREATE   0x01   /* create the environment if missing */
/* Run a thread that fails lock requests waiting longer than the lock
 * timeout (5 s) with MAPI_DB_BUSY: without one in some process, a request
 * behind a stopped or stuck lock holder would wait forever.  httpd's
 * children and mapi-admin open with it. */
#define MAPI_DB_DETECT   0x02

/* Opens (and with MAPI_DB_CREATE creates) the environment at home.  The
 * handle is closed by a cleanup on pool.  Thread-safe handles (DB_THREAD).
 * Returns 0, MAPI_DB_NEEDS_RECOVERY (below) when a dead process left the
 * environment needing recovery, or -1. */
int mapi_db_open(apr_pool_t *pool, const char *home, unsigned flags,
                 mapi_db **db_r, const char **error_r);
void mapi_db_close(mapi_db **db);

/* Runs normal recovery on home; the caller guarantees that no other process
 * has the environment open.  Creates it when missing. */
int mapi_db_recover(apr_pool_t *pool, const char *home, const char **error_r);

/* Releases what dead processes held.  Returns 0, MAPI_DB_NEEDS_RECOVERY
 * when a process died inside a shared region and only a full recovery
 * (every process out of the environment) helps, or -1 on another error. */
#define MAPI_DB_NEEDS_RECOVERY (-2)
int mapi_db_failchk(mapi_db *db, const char **error_r);

/* After MAPI_DB_NEEDS_RECOVERY a process asks httpd's parent for the
 * restart that recovers: it leaves a mark in home, which the parent's
 * monitor hook takes (mapi_db_recovery_requested: 1 when it was there,
 * and removes it).  0 or -1. */
int mapi_db_request_recovery(const char *home);
int mapi_db_recovery_requested(const char *home);

/* Checkpoints the log and removes log files no longer needed. */
int mapi_db_checkpoint(mapi_db *db, const char **error_r);

/* A transaction body: returns 0 to commit, MAPI_DB_ABORT to abort with its
 * verdict left in the baton, or a Berkeley DB error code.  Deadlocks are
 * retried by mapi_db_txn_run, so bodies must be repeatable. */
#define MAPI_DB_ABORT 0x40000000
typedef int (*mapi_db_txn_fn)(mapi_db *db, DB_TXN *txn, void *baton);

#define MAPI_DB_TXN_NOSYNC 0x01   /* no fsync at commit (session state) */

/* Runs fn in a transaction, retrying on deadlock.  Returns 0 (committed),
 * MAPI_DB_ABORT (the body asked to abort), MAPI_DB_BUSY when a lock was not
 * granted within the lock timeout (5 s; needs a MAPI_DB_DETECT process):
 * another process holds it and is stuck, a transient failure), or -1
 * on another database failure; *error_r set on both. */
#define MAPI_DB_BUSY (-3)
int mapi_db_txn_run(mapi_db *db, unsigned flags, mapi_db_txn_fn fn,
                    void *baton, apr_pool_t *pool, const char **error_r);

/* Error text for a BDB return code, prefixed with context. */
const char *mapi_db_strerror(apr_pool_t *pool, mapi_db *db, const char *what,
                             int ret);

#endif
