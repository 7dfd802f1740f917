/*
 * fuzz_config.c: libFuzzer target for the configuration records the
 * module and mapi-admin read back from the shared database
 * (mod_mapi/configdb): organisation, mailbox, virtual directory,
 * distribution group and mail contact.  A record is written by
 * mapi-admin, but a damaged or hostile database must give an error,
 * never a crash; what decodes is then used as the server uses it (DN
 * prefix, GUID strings, the MapiHttpEnabled truth table,
 * MAPIBlockOutlookVersions, the vdir's identity and URLs, ?MailboxId=
 * matching).  The first byte picks the record type.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "configdb/cfg_db.h"
#include "http/mh_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;

static void fz_org(apr_pool_t *p, const uint8_t *b, size_t n)
{
    cfg_org org;

    memset(&org, 0, sizeof(org));
    if (cfg_org_decode(b, n, p, &org) != 0)
        return;
    (void)cfg_org_dn_prefix(p, &org);
    (void)cfg_guid_str(p, org.guid);
}

static void fz_mailbox(apr_pool_t *p, const uint8_t *b, size_t n)
{
    static cfg_org org = { .name = "Org", .domain = "mapi.test",
                           .mapi_http_enabled = 1 };
    cfg_mailbox m;

    memset(&m, 0, sizeof(m));
    if (cfg_mailbox_decode(b, n, p, &m) != 0)
        return;
    (void)cfg_effective_mapi_http(&org, &m);
    (void)cfg_version_blocked(m.mapi_block_versions, "Outlook/16.0.5095.1000");
    (void)mh_mailbox_id_is(p, "someone@mapi.test", &org, &m);
}

static void fz_vdir(apr_pool_t *p, const uint8_t *b, size_t n)
{
    const char *host;
    unsigned port;
    cfg_vdir v;

    memset(&v, 0, sizeof(v));
    if (cfg_vdir_decode(b, n, p, &v) != 0)
        return;
    (void)cfg_vdir_identity(p, &v);
    (void)cfg_auth_str(p, v.iis_auth);
    (void)cfg_ep_token_str(v.ep_token_checking);
    if (v.internal_url)
        (void)cfg_url_host_port(p, v.internal_url, &host, &port);
    if (v.external_url)
        (void)cfg_url_host_port(p, v.external_url, &host, &port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    cfg_group g;
    cfg_contact c;
    uint8_t *b;
    size_t n;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 1)
        return 0;
    n = size - 1;
    b = malloc(n ? n : 1);          /* exact size: ASan sees overreads */
    memcpy(b, data + 1, n);
    apr_pool_create(&p, root);
    switch (data[0] % 5) {
    case 0: fz_org(p, b, n); break;
    case 1: fz_mailbox(p, b, n); break;
    case 2: fz_vdir(p, b, n); break;
    case 3: memset(&g, 0, sizeof(g)); (void)cfg_group_decode(b, n, p, &g); break;
    default: memset(&c, 0, sizeof(c)); (void)cfg_contact_decode(b, n, p, &c); break;
    }
    apr_pool_destroy(p);
    free(b);
    return 0;
}
