/*
 * fuzz_nspi.c: libFuzzer target over the address book request body
 * parsers (mod_mapi/nspi/): the first byte picks the request type, the
 * rest is its body, run against a small in-memory directory.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "nspi/nspi.h"

static apr_pool_t *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {
    "UpdateStat", "QueryRows", "SeekEntries", "GetMatches",
    "ResortRestriction", "DNToMId", "CompareMIds", "GetPropList",
    "GetProps", "QueryColumns", "ResolveNames", "GetSpecialTable",
    "GetMailboxUrl", "GetAddressBookUrl"
};

static nspi_obj *mk(apr_pool_t *p, uint32_t mid, const char *name,
                    const char *alias)
{
    nspi_obj *o = apr_pcalloc(p, sizeof(*o));

    o->mid = mid;
    o->display_name = name;
    o->alias = alias;
    o->smtp = apr_pstrcat(p, alias, "@mapi.test", NULL);
    o->legacy_dn = apr_pstrcat(p, "/o=T/ou=G/cn=Recipients/cn=", alias, NULL);
    o->smtp_all = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(o->smtp_all, const char *) = o->smtp;
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t guid[16] = { 1 };
    static cfg_org org = { .name = "T", .domain = "mapi.test" };
    static cfg_mailbox self = { .guid = { 2 } };
    apr_pool_t *p;
    nspi_ctx ctx = { 0 };
    mapi_wr wr;

    if (root == NULL) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 1)
        return 0;
    apr_pool_create(&p, root);
    ctx.pool = p;
    ctx.org = &org;
    ctx.self = &self;
    ctx.vdir_url = "https://mail.mapi.test/mapi";
    ctx.dir = nspi_dir_new(p, guid, "/o=T/ou=G");
    nspi_dir_add(ctx.dir, mk(p, 20, "Demo User", "demo"));
    nspi_dir_add(ctx.dir, mk(p, 21, "Other User", "other"));
    nspi_dir_add(ctx.dir, mk(p, 22, "Third Demo", "third"));
    mapi_wr_init(&wr, p, NSPI_MAX_REPLY);
    nspi_call(&ctx, types[data[0] % (sizeof(types) / sizeof(types[0]))],
              data + 1, size - 1, &wr);
    apr_pool_destroy(p);
    return 0;
}
