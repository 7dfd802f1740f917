/*
 * unit_env.h: a fresh Berkeley DB environment in a temporary directory for
 * unit tests of the layers that store things.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_UNIT_ENV_H
#define MAPI_UNIT_ENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include "db/mapi_db.h"

static inline mapi_db *unit_env_open(apr_pool_t *pool, char *dir_template)
{
    const char *error = NULL;
    mapi_db *db = NULL;

    if (mkdtemp(dir_template) == NULL)
        return NULL;
    if (mapi_db_recover(pool, dir_template, &error) != 0 ||
        mapi_db_open(pool, dir_template, 0, &db, &error) != 0) {
        fprintf(stderr, "unit env: %s\n", error);
        return NULL;
    }
    return db;
}

static inline void unit_env_remove(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "unit env: could not remove %s\n", dir);
}

#endif
