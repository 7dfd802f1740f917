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
/* One row in the protocol log of the request's service (log/mapi_log.c). */
void mapi_log_request(struct mh_request *mr);
/* Opens the protocol log directory; called once per child. */
void mapi_log_child_init(apr_pool_t *pchild, server_rec *s,
                         const char *log_dir);

#endif
