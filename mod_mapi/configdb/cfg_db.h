/*
 * cfg_db.h: the configuration database shared by mod_mapi and mapi-admin:
 * the organisation and its mailboxes (the directory the server maps
 * authenticated identities to).  Records live in the config database of
 * the shared environment under string keys:
 *
 *   "schema"            u32 schema version (MAPI_DB_SCHEMA_VERSION)
 *   "org"               the organisation
 *   "mbx/<smtp>"        a mailbox, by lower-case primary SMTP address
 *   "upn/<principal>"   index: lower-case Kerberos principal -> smtp
 *
 * Every change runs in one transaction with its index entries, so
 * concurrent writers never lose an update and a crash never leaves half a
 * record.  mod_mapi reads these on every request: a change made with
 * mapi-admin takes effect on the next request.
 *
 * Return convention: 0 found/done, CFG_NOT_FOUND, CFG_CONFLICT, or -1 on a
 * database failure with *error_r.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_CFG_DB_H
#define MAPI_CFG_DB_H

#include <stdint.h>
#include <apr_pools.h>
#include <apr_time.h>
#include "db/mapi_db.h"

#define CFG_NOT_FOUND   1
#define CFG_CONFLICT    2
#define CFG_BAD_SCHEMA  3

#define CFG_TRI_NULL   (-1)    /* $null: inherit from the organisation */

/* The administrative group every legacyExchangeDN of the organisation
 * lives under; clients only compare it, never parse it. */
#define CFG_ADMIN_GROUP "Exchange Administrative Group (FYDIBOHF23SPDLT)"

typedef struct cfg_org {
    const char *name;
    const char *domain;
    int mapi_http_enabled;          /* 1 or 0 */
    uint8_t guid[16];
    apr_time_t created, changed;
} cfg_org;

typedef struct cfg_mailbox {
    uint8_t guid[16];               /* mailbox GUID (Autodiscover, MailboxId) */
    const char *name;               /* alias */
    const char *display_name;
    const char *smtp;               /* primary SMTP address */
    const char *principal;          /* Kerberos principal name (UPN) */
    const char *legacy_dn;          /* legacyExchangeDN, the Connect UserDN */
    int mapi_http_enabled;          /* 1, 0 or CFG_TRI_NULL */
    int mapi_enabled;               /* 1 or 0 */
    apr_time_t created, changed;
} cfg_mailbox;

/* Checks the stored schema version; writes it on an empty database. */
int cfg_schema_check(mapi_db *db, apr_pool_t *pool, const char **error_r);

int cfg_org_get(mapi_db *db, apr_pool_t *pool, cfg_org **org_r,
                const char **error_r);
/* CFG_CONFLICT if an organisation exists already. */
int cfg_org_create(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                   const char **error_r);
int cfg_org_put(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                const char **error_r);

/* "/o=<org>/ou=<admin group>": the Connect DnPrefix. */
const char *cfg_org_dn_prefix(apr_pool_t *pool, const cfg_org *org);

int cfg_mailbox_by_smtp(mapi_db *db, apr_pool_t *pool, const char *smtp,
                        cfg_mailbox **mbx_r, const char **error_r);
int cfg_mailbox_by_principal(mapi_db *db, apr_pool_t *pool,
                             const char *principal, cfg_mailbox **mbx_r,
                             const char **error_r);
/* Fills guid, legacy_dn (when NULL), created and changed; CFG_CONFLICT when
 * the SMTP address or principal is taken, CFG_NOT_FOUND without an
 * organisation. */
int cfg_mailbox_create(mapi_db *db, apr_pool_t *pool, cfg_mailbox *mbx,
                       const char **error_r);
typedef int (*cfg_mailbox_fn)(const cfg_mailbox *mbx, void *baton);
int cfg_mailbox_foreach(mapi_db *db, apr_pool_t *pool, cfg_mailbox_fn fn,
                        void *baton, const char **error_r);

/* Formats a GUID as 8-4-4-4-12 lower-case hex (as Exchange shows it). */
const char *cfg_guid_str(apr_pool_t *pool, const uint8_t guid[16]);

/* Record codecs, exposed for tests and fuzzing. */
int cfg_mailbox_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                       cfg_mailbox *mbx);
int cfg_org_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                   cfg_org *org);

#endif
