/*
 * cfg_db.h: the configuration database shared by mod_mapi and mapi-admin:
 * the organisation and its mailboxes (the directory the server maps
 * authenticated identities to).  Records live in the config database of
 * the shared environment under string keys:
 *
 *   "schema"            u32 schema version (MAPI_DB_SCHEMA_VERSION)
 *   "org"               the organisation
 *   "mbx/<smtp>"        a mailbox, by lower-case primary SMTP address
 *   "smtp/<address>"    index: any lower-case SMTP address -> primary
 *   "upn/<principal>"   index: lower-case Kerberos principal -> primary
 *   "dn/<legacyDN>"     index: lower-case legacyExchangeDN -> primary
 *   "vdir/<server>\\<site>"  a virtual directory, lower-case key
 *   "grp/<alias>"       a distribution group, by lower-case alias
 *   "con/<alias>"       a mail contact, by lower-case alias
 *
 * Groups and contacts share the "smtp/" and "dn/" indexes with mailboxes
 * (an address or a legacyExchangeDN names one recipient of any kind);
 * their entries hold "grp:<alias>" or "con:<alias>" instead of a primary
 * SMTP address, which never contains ':'.
 *
 * Every change runs in one transaction with its index entries, so
 * concurrent writers never lose an update and a crash never leaves half a
 * record.  mod_mapi reads these on every request: a change made with
 * mapi-admin takes effect on the next request.
 *
 * Return convention: 0 found/done, CFG_NOT_FOUND, CFG_CONFLICT, or -1 on a
 * database failure (or a record that cannot be written: too many values, a
 * string too long) with *error_r.  With CFG_CONFLICT, *error_r names what
 * is taken when the caller passed an error_r.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_CFG_DB_H
#define MAPI_CFG_DB_H

#include <stdint.h>
#include <apr_pools.h>
#include <apr_time.h>
#include <apr_tables.h>
#include "db/mapi_db.h"

#define CFG_NOT_FOUND   1
#define CFG_CONFLICT    2
#define CFG_BAD_SCHEMA  3

#define CFG_TRI_NULL   (-1)    /* $null: inherit from the organisation */

/* Multi-valued properties (SMTP addresses, principals, extended-protection
 * flags and SPNs) hold at most this many values; longer lists are refused
 * on write and on decode. */
#define CFG_ARRAY_MAX  64

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

/* Bounds of the directory data. */
#define CFG_PHOTO_MAX     (100 * 1024)  /* thumbnail photo (JPEG) bytes */
#define CFG_MEMBERS_MAX   1024          /* members of one group */
#define CFG_CERTS_MAX     16            /* certificates of one property */
#define CFG_CERT_MAX      (16 * 1024)   /* bytes of one certificate */
#define CFG_NEST_MAX      64            /* group nesting the loop check walks */

typedef struct cfg_blob {
    const uint8_t *data;
    size_t len;
} cfg_blob;

/* Directory attributes of a mailbox (Set-User in Exchange); NULL = not
 * set.  The manager is a mailbox, kept by its legacyExchangeDN (which
 * never changes after creation). */
typedef struct cfg_dir_attrs {
    const char *given_name, *surname, *initials, *title, *department;
    const char *company, *office, *business_phone, *mobile_phone;
    const char *home_phone, *street, *city, *postal_code, *country;
    const char *manager_dn;
    cfg_blob photo;                 /* JPEG, at most CFG_PHOTO_MAX */
    /* PidTagUserX509Certificate, PidTagAddressBookX509Certificate: what
     * the user publishes of themselves (NSPI ModProps); cfg_blob. */
    apr_array_header_t *user_certs, *ab_certs;
} cfg_dir_attrs;

typedef struct cfg_mailbox {
    uint8_t guid[16];               /* mailbox GUID (Autodiscover, MailboxId) */
    const char *name;               /* alias */
    const char *display_name;
    const char *smtp;               /* primary SMTP address */
    apr_array_header_t *smtp_addresses;  /* every SMTP address, primary
                                            first (const char *); NULL = just
                                            smtp */
    const char *principal;          /* primary Kerberos principal (UPN) */
    apr_array_header_t *principals; /* every principal name that maps here,
                                       primary first; NULL = just principal */
    const char *legacy_dn;          /* legacyExchangeDN, the Connect UserDN */
    /* Per-mailbox CAS settings (Set-CASMailbox). */
    int mapi_http_enabled;          /* 1, 0 or CFG_TRI_NULL (inherit) */
    int mapi_enabled;               /* MAPIEnabled: 1 or 0 */
    const char *mapi_block_versions;    /* MAPIBlockOutlookVersions or NULL */
    int mapi_block_non_cached;      /* MAPIBlockOutlookNonCachedMode */
    int mapi_block_external;        /* MAPIBlockOutlookExternalConnectivity */
    cfg_dir_attrs attrs;            /* directory attributes (schema 3) */
    apr_time_t created, changed;
} cfg_mailbox;

/* A distribution group (New-DistributionGroup).  Members are recipients
 * of any kind named by their legacyExchangeDN; a group never contains
 * itself, directly or through other groups. */
typedef struct cfg_group {
    uint8_t guid[16];
    const char *name;               /* alias, the key */
    const char *display_name;
    const char *smtp;               /* primary SMTP address */
    apr_array_header_t *smtp_addresses;  /* primary first */
    const char *legacy_dn;
    const char *managed_by;         /* DN of the owning mailbox, or NULL */
    apr_array_header_t *members;    /* member DNs (const char *) */
    apr_time_t created, changed;
} cfg_group;

/* A mail contact (New-MailContact): someone outside the organisation. */
typedef struct cfg_contact {
    uint8_t guid[16];
    const char *name;               /* alias, the key */
    const char *display_name;
    const char *external_smtp;      /* ExternalEmailAddress */
    const char *legacy_dn;
    apr_time_t created, changed;
} cfg_contact;

/* What a legacyExchangeDN or an SMTP address names. */
typedef enum cfg_kind {
    CFG_KIND_NONE = 0, CFG_KIND_MAILBOX, CFG_KIND_GROUP, CFG_KIND_CONTACT
} cfg_kind;

/* IISAuthenticationMethods of a virtual directory. */
#define CFG_AUTH_BASIC      0x01
#define CFG_AUTH_NTLM       0x02
#define CFG_AUTH_NEGOTIATE  0x04
#define CFG_AUTH_OAUTH      0x08

typedef enum cfg_ep_token {
    CFG_EPTC_NONE = 0, CFG_EPTC_ALLOW, CFG_EPTC_REQUIRE
} cfg_ep_token;

/* A MAPI virtual directory (New-MapiVirtualDirectory): one per server and
 * web site, Identity "Server\mapi (Web Site)". */
typedef struct cfg_vdir {
    uint8_t guid[16];
    const char *server;             /* e.g. "mail1" */
    const char *name;               /* always "mapi" */
    const char *website;            /* e.g. "Default Web Site" */
    const char *internal_url;       /* normalised https://host[:port]/mapi */
    const char *external_url;       /* or NULL */
    unsigned iis_auth;              /* CFG_AUTH_* */
    unsigned internal_auth;         /* read-only, follow iis_auth */
    unsigned external_auth;
    cfg_ep_token ep_token_checking; /* ExtendedProtectionTokenChecking */
    apr_array_header_t *ep_flags;   /* ExtendedProtectionFlags (char *) */
    apr_array_header_t *ep_spns;    /* ExtendedProtectionSPNList (char *) */
    apr_time_t created, changed;
} cfg_vdir;

/* Checks the stored schema version; writes it on an empty database. */
int cfg_schema_check(mapi_db *db, apr_pool_t *pool, const char **error_r);

/* The directory generation: changes with every write of the organisation,
 * a mailbox, a group or a contact (the address book's cache key).  0 or
 * -1. */
int cfg_dir_generation(mapi_db *db, uint64_t *gen_r);
int cfg_org_get(mapi_db *db, apr_pool_t *pool, cfg_org **org_r,
                const char **error_r);
/* CFG_CONFLICT if an organisation exists already. */
int cfg_org_create(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                   const char **error_r);
int cfg_org_put(mapi_db *db, apr_pool_t *pool, cfg_org *org,
                const char **error_r);

/* Read-modify-write of the organisation (see cfg_mailbox_update). */
typedef int (*cfg_org_edit_fn)(cfg_org *org, void *baton);
int cfg_org_update(mapi_db *db, apr_pool_t *pool, cfg_org_edit_fn fn,
                   void *baton, const char **error_r);

/* "/o=<org>/ou=<admin group>": the Connect DnPrefix. */
const char *cfg_org_dn_prefix(apr_pool_t *pool, const cfg_org *org);

int cfg_mailbox_by_smtp(mapi_db *db, apr_pool_t *pool, const char *smtp,
                        cfg_mailbox **mbx_r, const char **error_r);
int cfg_mailbox_by_principal(mapi_db *db, apr_pool_t *pool,
                             const char *principal, cfg_mailbox **mbx_r,
                             const char **error_r);
/* By legacyExchangeDN (the Connect UserDN), compared without case. */
int cfg_mailbox_by_legacy_dn(mapi_db *db, apr_pool_t *pool,
                             const char *legacy_dn, cfg_mailbox **mbx_r,
                             const char **error_r);
/* Fills guid, legacy_dn (when NULL), created and changed; CFG_CONFLICT when
 * the SMTP address or principal is taken, CFG_NOT_FOUND without an
 * organisation; the legacyExchangeDN must be unique too (two mailboxes
 * named alike are a conflict). */
int cfg_mailbox_create(mapi_db *db, apr_pool_t *pool, cfg_mailbox *mbx,
                       const char **error_r);
typedef int (*cfg_mailbox_fn)(const cfg_mailbox *mbx, void *baton);
int cfg_mailbox_foreach(mapi_db *db, apr_pool_t *pool, cfg_mailbox_fn fn,
                        void *baton, const char **error_r);
/* Rewrites a mailbox found by its (old) primary SMTP address, keeping the
 * address and principal indexes in step in the same transaction;
 * CFG_CONFLICT when a new address or principal belongs to another mailbox,
 * CFG_NOT_FOUND when it is gone. */
int cfg_mailbox_put(mapi_db *db, apr_pool_t *pool, const char *old_smtp,
                    cfg_mailbox *mbx, const char **error_r);
/* Read-modify-write in one transaction, so that two writers changing the
 * same record never lose an update: reads the mailbox any of its addresses
 * names, calls fn on it and writes the result back with its indexes.  fn
 * returns 0 to write, or any other value to write nothing; that value is
 * returned (use values other than -1 and the CFG_* codes).  fn may run
 * more than once (deadlock retries) and must only depend on the record
 * and its baton. */
typedef int (*cfg_mailbox_edit_fn)(cfg_mailbox *mbx, void *baton);
int cfg_mailbox_update(mapi_db *db, apr_pool_t *pool, const char *smtp,
                       cfg_mailbox_edit_fn fn, void *baton,
                       const char **error_r);
/* Deletes a mailbox and its index entries. */
int cfg_mailbox_delete(mapi_db *db, apr_pool_t *pool, const char *smtp,
                       const char **error_r);

/* The MapiHttpEnabled in effect: the mailbox's value if set, else the
 * organisation's (admin-notes.md truth table). */
int cfg_effective_mapi_http(const cfg_org *org, const cfg_mailbox *mbx);
/* Whether a client version ("16.0.5095.1000", from X-ClientApplication
 * "Outlook/16.0.5095.1000") falls in MAPIBlockOutlookVersions
 * ("-14.9.9;15.0.0-15.0.4568"; "-X" means up to X).  1 blocked, 0 not,
 * -1 when the ranges do not parse (callers validate on input). */
int cfg_version_blocked(const char *ranges, const char *version);

/* Virtual directories. */
const char *cfg_vdir_identity(apr_pool_t *pool, const cfg_vdir *v);
int cfg_vdir_get(mapi_db *db, apr_pool_t *pool, const char *server,
                 const char *website, cfg_vdir **v_r, const char **error_r);
/* CFG_CONFLICT when the server and web site already have one. */
int cfg_vdir_create(mapi_db *db, apr_pool_t *pool, cfg_vdir *v,
                    const char **error_r);
int cfg_vdir_put(mapi_db *db, apr_pool_t *pool, cfg_vdir *v,
                 const char **error_r);
int cfg_vdir_delete(mapi_db *db, apr_pool_t *pool, const char *server,
                    const char *website, const char **error_r);
/* Read-modify-write of one directory (see cfg_mailbox_update); the server
 * and web site of the record are its key and cannot be changed by fn. */
typedef int (*cfg_vdir_edit_fn)(cfg_vdir *v, void *baton);
int cfg_vdir_update(mapi_db *db, apr_pool_t *pool, const char *server,
                    const char *website, cfg_vdir_edit_fn fn, void *baton,
                    const char **error_r);
typedef int (*cfg_vdir_fn)(const cfg_vdir *v, void *baton);
int cfg_vdir_foreach(mapi_db *db, apr_pool_t *pool, cfg_vdir_fn fn,
                     void *baton, const char **error_r);

/* Normalises a virtual directory URL to "https://host[:port]/mapi": the
 * scheme must be http or https (written https: MAPI over HTTP needs TLS),
 * the host is lower-cased (a DNS name, an IPv4 address or a bracketed IPv6
 * address), an explicit port other than the scheme's default is kept, any
 * path is replaced by /mapi.  NULL with *error_r on anything that is not
 * such a URL (user info, query, fragment, bad port). */
const char *cfg_url_normalise(apr_pool_t *pool, const char *url,
                              const char **error_r);
/* The host of a normalised URL (no brackets for IPv6) and its port (443
 * when none is written). */
int cfg_url_host_port(apr_pool_t *pool, const char *url, const char **host_r,
                      unsigned *port_r);

/* 1 when MAPIBlockOutlookVersions ranges parse (NULL and "" do), else 0. */
int cfg_version_ranges_valid(const char *ranges);

/* IISAuthenticationMethods in their canonical order, "Basic, Ntlm, OAuth,
 * Negotiate" (the Exchange display order, Basic first when present); ""
 * for none.  cfg_auth_parse takes one method name, case-insensitive, and
 * returns its CFG_AUTH_* bit or 0. */
const char *cfg_auth_str(apr_pool_t *pool, unsigned methods);
unsigned cfg_auth_parse(const char *name);
const char *cfg_ep_token_str(cfg_ep_token t);

/* Formats a GUID as 8-4-4-4-12 lower-case hex (as Exchange shows it). */
const char *cfg_guid_str(apr_pool_t *pool, const uint8_t guid[16]);

/* ---- directory recipients (cfg_dir.c) */

/* The recipient a legacyExchangeDN (prefix "dn/") or an SMTP address
 * ("smtp/") names: its kind and key (primary SMTP address of a mailbox,
 * alias of a group or contact).  0 or CFG_NOT_FOUND or -1. */
int cfg_recipient_by(mapi_db *db, apr_pool_t *pool, const char *prefix,
                     const char *value, cfg_kind *kind_r, const char **key_r,
                     const char **error_r);

/* Fills guid, legacy_dn (when NULL), created and changed.  Every member
 * must name a recipient (CFG_NOT_FOUND, *error_r names it) and no member
 * may lead back to the group (CFG_REFUSED); CFG_CONFLICT when the alias,
 * an address or the DN is taken. */
#define CFG_REFUSED 4
int cfg_group_create(mapi_db *db, apr_pool_t *pool, cfg_group *g,
                     const char **error_r);
int cfg_group_get(mapi_db *db, apr_pool_t *pool, const char *name,
                  cfg_group **g_r, const char **error_r);
typedef int (*cfg_group_fn)(const cfg_group *g, void *baton);
int cfg_group_foreach(mapi_db *db, apr_pool_t *pool, cfg_group_fn fn,
                      void *baton, const char **error_r);
/* Read-modify-write as cfg_mailbox_update, with the member checks of
 * create; the alias may change (the record moves). */
typedef int (*cfg_group_edit_fn)(cfg_group *g, void *baton);
int cfg_group_update(mapi_db *db, apr_pool_t *pool, const char *name,
                     cfg_group_edit_fn fn, void *baton, const char **error_r);
int cfg_group_delete(mapi_db *db, apr_pool_t *pool, const char *name,
                     const char **error_r);

int cfg_contact_create(mapi_db *db, apr_pool_t *pool, cfg_contact *c,
                       const char **error_r);
int cfg_contact_get(mapi_db *db, apr_pool_t *pool, const char *name,
                    cfg_contact **c_r, const char **error_r);
typedef int (*cfg_contact_fn)(const cfg_contact *c, void *baton);
int cfg_contact_foreach(mapi_db *db, apr_pool_t *pool, cfg_contact_fn fn,
                        void *baton, const char **error_r);
int cfg_contact_delete(mapi_db *db, apr_pool_t *pool, const char *name,
                       const char **error_r);

/* Record codecs, exposed for tests and fuzzing. */
int cfg_group_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                     cfg_group *g);
int cfg_contact_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                       cfg_contact *c);
int cfg_mailbox_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                       cfg_mailbox *mbx);
int cfg_org_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                   cfg_org *org);
int cfg_vdir_decode(const uint8_t *buf, size_t len, apr_pool_t *pool,
                    cfg_vdir *v);

#endif
