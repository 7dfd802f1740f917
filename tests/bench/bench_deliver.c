/*
 * bench_deliver.c: small messages per second delivered into one mailbox
 * through the delivery layer (dlv_deliver: mailbox lookup, MIME import,
 * receive folder, rules, save with its commit, new-mail event), in a real
 * Berkeley DB environment with the durability the server has: every
 * acknowledged delivery is committed with fsync.
 *
 * Usage: bench_deliver [messages] [threads] [dir]
 * threads deliver concurrently (as an MTA's parallel LMTP connections
 * do), each message its own transaction; prints "key value" lines.  dir (default /tmp) should be on the disk the
 * store would live on: the commit's fsync is most of the cost.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "unit/unit_env.h"
#include "configdb/cfg_db.h"
#include "delivery/dlv.h"
#include "store/store.h"

static double bd_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A small message as an MTA hands it over: a few headers, one text
 * part of about 1 KiB. */
static const char *bd_message(apr_pool_t *p, unsigned i)
{
    return apr_psprintf(p,
        "Return-Path: <alice@example.org>\r\n"
        "Received: from mx.example.org by mail.mapi.test; "
        "Mon, 1 Dec 2026 10:00:00 +0000\r\n"
        "From: Alice Martin <alice@example.org>\r\n"
        "To: Bench User <bench@mapi.test>\r\n"
        "Subject: weekly status report %u\r\n"
        "Date: Mon, 1 Dec 2026 10:00:00 +0000\r\n"
        "Message-ID: <bench-%u@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Hello,\r\n\r\nthe numbers for this week are in the attached "
        "sheet; the short version is that everything is on track and the "
        "migration of the remaining servers is planned for next week.\r\n"
        "Please review the action items before Thursday's meeting and send "
        "your comments to the team list.  The budget review moves to the "
        "week after, the customer asked for more time.\r\n\r\n"
        "Item 1: server migration, on schedule.\r\n"
        "Item 2: quarterly report draft, in review.\r\n"
        "Item 3: invoice backlog, cleared.\r\n"
        "Item 4: calendar clean-up, pending.\r\n\r\n"
        "Thanks,\r\nAlice (message %u)\r\n", i, i, i);
}

typedef struct bd_worker {
    mapi_db *db;
    unsigned first, count;
    int failed;
} bd_worker;

static void *bd_run(void *arg)
{
    bd_worker *w = arg;
    apr_pool_t *p;
    unsigned i;

    apr_pool_create(&p, NULL);
    for (i = w->first; i < w->first + w->count; i++) {
        const char *msg = bd_message(p, i);
        dlv_request req = { .rcpt = "bench@mapi.test",
                            .env_from = "alice@example.org",
                            .data = (const uint8_t *)msg,
                            .len = strlen(msg) };
        dlv_result res;

        if (dlv_deliver(w->db, p, &req, &res) != DLV_OK) {
            fprintf(stderr, "delivery %u: %s\n", i, res.text);
            w->failed = 1;
            break;
        }
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 2000, i;
    unsigned nt = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    bd_worker w[64];
    pthread_t th[64];
    apr_pool_t *pool;
    mapi_db *db;
    const char *error = NULL;
    cfg_org org = { .name = "Bench", .domain = "mapi.test",
                    .mapi_http_enabled = 1 };
    cfg_mailbox mbx = { .name = "bench", .display_name = "Bench User",
                        .smtp = "bench@mapi.test",
                        .principal = "bench@MAPI.TEST",
                        .mapi_http_enabled = CFG_TRI_NULL,
                        .mapi_enabled = 1 };
    double t0, t;
    char *dir;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (nt < 1 || nt > 64)
        nt = 1;
    dir = apr_pstrcat(pool, argc > 3 ? argv[3] : "/tmp",
                      "/mapi-bench-deliver-XXXXXX", NULL);
    if (!(db = unit_env_open(pool, dir)))
        return 1;
    if (cfg_schema_check(db, pool, &error) != 0
        || cfg_org_create(db, pool, &org, &error) != 0
        || cfg_mailbox_create(db, pool, &mbx, &error) != 0
        || store_mailbox_create(db, pool, mbx.guid, mbx.display_name,
                                &error) != STORE_OK) {
        fprintf(stderr, "set-up: %s\n", error ? error : "?");
        return 1;
    }
    t0 = bd_now();
    for (i = 0; i < nt; i++) {
        w[i].db = db;
        w[i].first = n / nt * i;
        w[i].count = i + 1 < nt ? n / nt : n - n / nt * i;
        w[i].failed = 0;
        if (pthread_create(&th[i], NULL, bd_run, &w[i]) != 0)
            return 1;
    }
    for (i = 0; i < nt; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failed)
            return 1;
    }
    t = bd_now() - t0;
    printf("messages %u\nthreads %u\ndeliver_per_s %.0f\n", n, nt, n / t);
    mapi_db_close(&db);
    unit_env_remove(dir);
    return 0;
}
