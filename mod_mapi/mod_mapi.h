/*
 * mod_mapi.h: what the module's layers share: the module record, log
 * message ids and the protocol log entry point.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MOD_MAPI_H
#define MOD_MAPI_H

#include "httpd.h"
#include "http_config.h"

extern module AP_MODULE_DECLARE_DATA mapi_module;

/* Every log message carries a unique id "MAPInnnnn:", allocated from
 * mod_mapi/log/next-number; tests/unit/test_logno.sh fails on a duplicate. */
#define MAPILOGNO(n) "MAPI" #n ": "

struct mh_request;
struct mh_server_conf;
/* One row in the protocol log of the request's service (log/mapi_log.c). */
void mapi_log_request(struct mh_request *mr);
/* log_transaction hook: a row for the MAPI and Autodiscover requests that
 * mapi_log_request did not log (refused before the handler, 401s,
 * Autodiscover). */
int mapi_log_transaction(request_rec *r);
/* Takes the protocol log settings (MapiLog*); called once per child. */
void mapi_log_child_init(apr_pool_t *pchild, server_rec *s,
                         const struct mh_server_conf *conf);
/* Notes a handler leaves for the protocol log row of r. */
#define MAPI_NOTE_LOG_MAILBOX "mapi-log-mailbox"
#define MAPI_NOTE_LOG_ERROR   "mapi-log-error"

/* server-status figures (log/mapi_stats.c): shared memory made by the
 * parent (post_config), counted by mapi_log's rows, shown by the status
 * hook.  service: 0 emsmdb, 1 nspi, 2 Autodiscover. */
int mapi_stats_init(apr_pool_t *pconf, server_rec *s);
void mapi_stats_count(int service, const char *type, int http_status,
                      int response_code, int failed);
struct mapi_db;
int mapi_stats_status(request_rec *r, int flags, struct mapi_db *db);

#endif
