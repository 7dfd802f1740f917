/*
 * fuzz_rop_store.c: libFuzzer target for the ROP handlers over a real
 * store.  One Berkeley DB environment in a temporary directory holds a
 * provisioned mailbox; every input is one rgbIn payload run against it
 * with a logon object in handle slot 0, so the handlers (not only the
 * parsers, as in fuzz_rop) see hostile requests: unknown ids, wrong
 * object types, huge counts, released handles.  The store accumulates
 * what earlier inputs created, which is what a long-lived session does.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "db/mapi_db.h"
#include "rop/rop_object.h"
#include "session/sess_context.h"
#include "session/sess_objects.h"
#include "store/store.h"

static apr_pool_t *root;
static mapi_db *db;
static cfg_mailbox mbx;
static uint8_t sid[SESS_ID_LEN];
static char dir[] = "/tmp/fuzz-rop-store-XXXXXX";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_cleanup(void)
{
    char cmd[64];

    /* Close the environment before LeakSanitizer's check at exit: Berkeley
     * DB's handles are otherwise reachable only through its shared region,
     * which LSan does not scan, and show as a leak of the last input. */
    if (root) {
        apr_pool_destroy(root);
        root = NULL;
        db = NULL;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return;
}

static int fuzz_setup(void)
{
    const char *error = NULL;

    apr_initialize();
    apr_pool_create(&root, NULL);
    if (!mkdtemp(dir) || mapi_db_recover(root, dir, &error) != 0
        || mapi_db_open(root, dir, 0, &db, &error) != 0)
        return -1;
    atexit(fuzz_cleanup);
    memset(&mbx, 0, sizeof(mbx));
    memset(mbx.guid, 0x5A, sizeof(mbx.guid));
    mbx.display_name = "Fuzz";
    mbx.smtp = "fuzz@example.test";
    mbx.legacy_dn = "/o=Fuzz/cn=Recipients/cn=fuzz";
    memset(sid, 0x11, sizeof(sid));
    return store_mailbox_create(db, root, mbx.guid, "Fuzz", &error)
           == STORE_OK ? 0 : -1;
}

/* A fresh logon object per input, so that slot 0 always names one. */
static uint32_t fuzz_logon(apr_pool_t *pool)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);
    rop_object *logon;

    rop_ctx_set_env(ctx, db, sid, &mbx, "/o=Fuzz");
    logon = rop_obj_new(ctx, NULL, ROP_OBJ_LOGON);
    memcpy(logon->mbox, mbx.guid, 16);
    logon->logon_flags = 0x01;
    return rop_obj_create(ctx, logon, 0) == 0 ? logon->handle : 0;
}

static int fuzz_clear(mapi_db *d, DB_TXN *txn, void *baton)
{
    (void)baton;
    return sess_objs_clear(d, txn, sid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool;
    rop_result res;
    rop_ctx *ctx;
    uint32_t logon;
    const char *error = NULL;
    uint8_t *in;
    size_t i;

    if (!db && fuzz_setup() != 0)
        abort();
    if (size < 2 || size > 0x8000)
        return 0;
    apr_pool_create(&pool, root);
    logon = fuzz_logon(pool);
    /* The input's handle table: slot 0 (the first four bytes after the
     * RopsList, if the input has them) becomes the logon. */
    in = malloc(size);
    memcpy(in, data, size);
    i = (size_t)(in[0] | in[1] << 8);
    if (i >= 2 && i + 4 <= size)
        memcpy(in + i, &logon, 4);
    ctx = rop_ctx_create(pool, NULL);
    rop_ctx_set_env(ctx, db, sid, &mbx, "/o=Fuzz");
    if (rop_execute(ctx, in, size, 0x8000, pool, &res) == ROP_OK
        && res.out_len > 0x8000)
        abort();
    /* Keep the session's object table from filling up across inputs. */
    mapi_db_txn_run(db, MAPI_DB_TXN_NOSYNC, fuzz_clear, NULL, pool, &error);
    apr_pool_destroy(pool);
    free(in);
    return 0;
}
