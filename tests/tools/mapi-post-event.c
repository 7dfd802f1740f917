/*
 * mapi-post-event: posts one event for a session, as the store will when a
 * message arrives; used by the integration tests of NotificationWait.
 *   mapi-post-event DATADIR SESSION-ID-HEX
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <apr_general.h>
#include "db/mapi_db.h"
#include "session/sess_notify.h"

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    mapi_db *db;
    uint8_t id[SESS_ID_LEN];
    const char *error = NULL;

    if (argc != 3 || sess_id_parse(argv[2], id) != 0) {
        fprintf(stderr, "usage: mapi-post-event DATADIR SESSION-ID-HEX\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (mapi_db_open(pool, argv[1], 0, &db, &error) != 0 ||
        sess_event_post(db, pool, id, &error) != 0) {
        fprintf(stderr, "mapi-post-event: %s\n", error);
        return 1;
    }
    mapi_db_close(&db);
    apr_terminate();
    return 0;
}
