/*
 * store_event.c: the hook through which the store tells the notification
 * layer what changed.  The store raises events only after the change
 * committed, so a listener never sees a change that was rolled back.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "store.h"

/* Installed once at start-up, before threads serve requests. */
static store_event_fn store_event_hook;

void store_set_event_hook(store_event_fn fn)
{
    store_event_hook = fn;
}

void store_raise(mapi_db *db, apr_pool_t *pool,
                 const uint8_t mbox[STORE_GUID_LEN], const store_event *ev)
{
    if (store_event_hook != NULL && ev != NULL)
        store_event_hook(db, pool, mbox, ev);
}
