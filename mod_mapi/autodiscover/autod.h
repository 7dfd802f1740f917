/*
 * autod.h: Autodiscover for MAPI over HTTP clients.
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_AUTOD_H
#define MAPI_AUTOD_H

#include "httpd.h"
#include "db/mapi_db.h"
#include "configdb/cfg_db.h"

/* Handles POST /autodiscover/autodiscover.xml; returns an httpd status.
 * vdir: the MAPI virtual directory of the host the request reached (its
 * URLs go into the reply), or NULL when it has none. */
int autod_handle(request_rec *r, mapi_db *db, const cfg_vdir *vdir);

#endif
