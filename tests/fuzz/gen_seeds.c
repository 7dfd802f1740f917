/*
 * gen_seeds.c: writes the seed corpora of the fuzz targets whose inputs
 * are binary encodings (tests/fuzz/corpus/{config,restriction,propval,
 * emsmdb}/) from valid structures made with the code's own writers:
 * configuration records as mapi-admin stores them, restrictions and
 * property values as rop_wr_* encodes them, EMSMDB bodies as a client
 * sends them.  Not built by `make`; run by hand when a format changes:
 *
 *   cc -D_GNU_SOURCE $(apr-1-config --cflags --cppflags --includes) \
 *      $(pkg-config --cflags gmime-3.0) -Imod_mapi -o /tmp/gen_seeds \
 *      tests/fuzz/gen_seeds.c build/libmapicore.a -ldb-5.3 -lssl -lcrypto \
 *      $(apr-1-config --link-ld --libs) -laprutil-1 -lpthread \
 *      $(pkg-config --libs gmime-3.0) && /tmp/gen_seeds tests/fuzz/corpus
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "configdb/cfg_db.h"
#include "configdb/cfg_internal.h"
#include "rop/rop_types.h"
#include "wire/rpcext.h"

static const char *out_dir;
static apr_pool_t *pool;

static void seed(const char *target, const char *name, uint8_t sel,
                 const void *data, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", out_dir, target);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
    if ((f = fopen(path, "wb")) == NULL) {
        perror(path);
        exit(1);
    }
    fputc(sel, f);
    fwrite(data, 1, len, f);
    fclose(f);
}

/* ---------------------------------------------------------- config -- */

typedef struct scan_baton { const char *name; uint8_t sel; int n; } scan_baton;

static int scan_one(const void *data, size_t len, void *baton)
{
    scan_baton *b = baton;
    char name[64];

    snprintf(name, sizeof(name), "%s%d", b->name, b->n++);
    seed("config", name, b->sel, data, len);
    return 0;
}

static void config_seeds(void)
{
    char dir[] = "/tmp/gen-seeds-XXXXXX", cmd[64];
    const char *error = NULL;
    mapi_db *db;
    cfg_org org = { .name = "Seed Org", .domain = "mapi.test",
                    .mapi_http_enabled = 1 };
    cfg_mailbox m = { .name = "demo", .display_name = "Demo User",
                      .smtp = "demo@mapi.test", .principal = "demo@MAPI.TEST",
                      .mapi_http_enabled = 0, .mapi_enabled = 1,
                      .mapi_block_versions = "-14.9.9;15.0.0-15.0.4568" };
    cfg_vdir v = { .server = "mail1", .name = "mapi",
                   .website = "Default Web Site",
                   .internal_url = "https://mail1.mapi.test/mapi",
                   .external_url = "https://mail.mapi.test:8443/mapi",
                   .iis_auth = CFG_AUTH_NEGOTIATE | CFG_AUTH_BASIC,
                   .ep_token_checking = CFG_EPTC_ALLOW };
    cfg_group g = { .name = "staff", .display_name = "Staff",
                    .smtp = "staff@mapi.test" };
    cfg_contact c = { .name = "ext", .display_name = "Outside",
                      .external_smtp = "someone@example.org" };
    struct { const char *prefix, *name; uint8_t sel; } kinds[] = {
        { "org", "org", 0 }, { "mbx/", "mailbox", 1 }, { "vdir/", "vdir", 2 },
        { "grp/", "group", 3 }, { "con/", "contact", 4 },
    };

    if (!mkdtemp(dir) || mapi_db_recover(pool, dir, &error) != 0 ||
        mapi_db_open(pool, dir, 0, &db, &error) != 0 ||
        cfg_org_create(db, pool, &org, &error) != 0 ||
        cfg_mailbox_create(db, pool, &m, &error) != 0 ||
        cfg_vdir_create(db, pool, &v, &error) != 0) {
        fprintf(stderr, "config: %s\n", error ? error : "?");
        exit(1);
    }
    m.attrs.title = "Tester";
    m.attrs.city = "Paris";
    g.members = apr_array_make(pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(g.members, const char *) = m.legacy_dn;
    if (cfg_mailbox_put(db, pool, m.smtp, &m, &error) != 0 ||
        cfg_group_create(db, pool, &g, &error) != 0 ||
        cfg_contact_create(db, pool, &c, &error) != 0) {
        fprintf(stderr, "config: %s\n", error ? error : "?");
        exit(1);
    }
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        scan_baton b = { kinds[i].name, kinds[i].sel, 0 };
        cfg_scan(db, kinds[i].prefix, scan_one, &b, pool, kinds[i].name,
                 &error);
    }
    mapi_db_close(&db);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* ----------------------------------------------- restriction, props -- */

static rop_propval pv_str(uint32_t tag, const char *s)
{
    rop_propval v = { .tag = tag };
    v.v.str = s;
    return v;
}

static rop_propval pv_long(uint32_t tag, uint32_t l)
{
    rop_propval v = { .tag = tag };
    v.v.l = l;
    return v;
}

static void wr_seed(const char *target, const char *name, uint8_t sel,
                    mapi_wr *wr)
{
    if (wr->failed) {
        fprintf(stderr, "%s/%s: writer failed\n", target, name);
        exit(1);
    }
    seed(target, name, sel, wr->buf, wr->len);
}

static void restriction_seeds(void)
{
    rop_restriction subs[3], and_r, not_r, cnt, sub;
    rop_propval row[3] = {
        pv_str(0x0037001F, "Hello world"),          /* PidTagSubject */
        pv_long(0x0E070003, 0x01),                  /* PidTagMessageFlags */
        pv_long(0x0E080003, 1234),                  /* PidTagMessageSize */
    };
    mapi_wr wr;

    memset(subs, 0, sizeof(subs));
    subs[0].type = ROP_RES_CONTENT;
    subs[0].u.content.fuzzy_low = 0x0001;           /* FL_SUBSTRING */
    subs[0].u.content.fuzzy_high = 0x0001;          /* FL_IGNORECASE */
    subs[0].u.content.tag = 0x0037001F;
    subs[0].u.content.val = pv_str(0x0037001F, "hello");
    subs[1].type = ROP_RES_BITMASK;
    subs[1].u.bitmask.relop = 1;                    /* BMR_NEZ */
    subs[1].u.bitmask.tag = 0x0E070003;
    subs[1].u.bitmask.mask = 1;
    subs[2].type = ROP_RES_PROPERTY;
    subs[2].u.property.relop = 2;                   /* RELOP_GT */
    subs[2].u.property.tag = 0x0E080003;
    subs[2].u.property.val = pv_long(0x0E080003, 100);
    memset(&and_r, 0, sizeof(and_r));
    and_r.type = ROP_RES_AND;
    and_r.u.andor.count = 3;
    and_r.u.andor.subs = subs;
    memset(&not_r, 0, sizeof(not_r));
    not_r.type = ROP_RES_NOT;
    not_r.u.not_sub = &and_r;
    memset(&cnt, 0, sizeof(cnt));
    cnt.type = ROP_RES_COUNT;
    cnt.u.count.count = 2;
    cnt.u.count.sub = &subs[0];
    memset(&sub, 0, sizeof(sub));
    sub.type = ROP_RES_SUBOBJECT;
    sub.u.subobject.subobject = 0x0E12000D;         /* recipients */
    sub.u.subobject.sub = &subs[2];

    struct { const char *name; rop_restriction *r; } rs[] = {
        { "and_content_bitmask_property", &and_r }, { "not_and", &not_r },
        { "count", &cnt }, { "subobject", &sub },
    };
    for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
        mapi_wr_init(&wr, pool, 4096);
        rop_wr_restriction(&wr, rs[i].r);
        mapi_wr_u16(&wr, 3);                        /* the row */
        for (int k = 0; k < 3; k++)
            rop_wr_tagged_propval(&wr, &row[k]);
        wr_seed("restriction", rs[i].name, 0, &wr);
    }
    /* The sized form (RopRestrict's RestrictionDataSize). */
    {
        mapi_wr inner;
        mapi_wr_init(&inner, pool, 4096);
        rop_wr_restriction(&inner, &and_r);
        mapi_wr_init(&wr, pool, 4096);
        mapi_wr_u16(&wr, (uint16_t)inner.len);
        mapi_wr_bytes(&wr, inner.buf, inner.len);
        wr_seed("restriction", "sized_and", 1, &wr);
    }

    /* propval: tagged list (0), property row over columns (1), recipient
     * row (2), property name (3), sort orders + LTID + row data (4). */
    mapi_wr_init(&wr, pool, 4096);
    mapi_wr_u16(&wr, 3);
    for (int k = 0; k < 3; k++)
        rop_wr_tagged_propval(&wr, &row[k]);
    wr_seed("propval", "tagged3", 0, &wr);
    mapi_wr_init(&wr, pool, 4096);
    mapi_wr_u16(&wr, 3);                            /* columns */
    for (int k = 0; k < 3; k++)
        mapi_wr_u32(&wr, row[k].tag);
    mapi_wr_u8(&wr, ROP_ROW_STANDARD);
    for (int k = 0; k < 3; k++)
        rop_wr_propval(&wr, ROP_PROP_TYPE(row[k].tag), &row[k]);
    wr_seed("propval", "row_standard", 1, &wr);
    mapi_wr_init(&wr, pool, 4096);
    mapi_wr_u16(&wr, 1);
    mapi_wr_u32(&wr, 0x3A40000B);                   /* PidTagSendRichInfo */
    /* RecipientFlags: SMTP type (3) | D | U, then DisplayName (UTF-16),
     * RecipientColumnCount, the row. */
    mapi_wr_u16(&wr, 0x0003 | ROP_RECIP_D | ROP_RECIP_U | ROP_RECIP_E);
    mapi_wr_str16(&wr, "bob@example.org");
    mapi_wr_str16(&wr, "Bob");
    mapi_wr_u16(&wr, 1);
    mapi_wr_u8(&wr, ROP_ROW_STANDARD);
    mapi_wr_u8(&wr, 1);
    wr_seed("propval", "recipient_row", 2, &wr);
    {
        static const uint8_t ps_public[16] = { 0x29, 0x03, 0x02, 0x00, 0, 0,
                                               0, 0, 0xC0, 0, 0, 0, 0, 0, 0,
                                               0x46 };
        rop_property_name pn = { .kind = ROP_MNID_STRING, .guid = ps_public,
                                 .name = "Keywords" };
        mapi_wr_init(&wr, pool, 4096);
        rop_wr_property_name(&wr, &pn);
        wr_seed("propval", "name_string", 3, &wr);
        pn.kind = ROP_MNID_ID;
        pn.lid = 0x8501;
        mapi_wr_init(&wr, pool, 4096);
        rop_wr_property_name(&wr, &pn);
        wr_seed("propval", "name_id", 3, &wr);
    }
    mapi_wr_init(&wr, pool, 4096);
    mapi_wr_u16(&wr, 1);                            /* one sort order */
    mapi_wr_u16(&wr, 0x001F);
    mapi_wr_u16(&wr, 0x0037);
    mapi_wr_u8(&wr, 0);
    for (int k = 0; k < 24; k++)                    /* LongTermId */
        mapi_wr_u8(&wr, (uint8_t)k);
    mapi_wr_u8(&wr, 0x01);                          /* RuleData: add */
    mapi_wr_u16(&wr, 2);
    rop_wr_tagged_propval(&wr, &row[0]);
    rop_wr_tagged_propval(&wr, &row[1]);
    wr_seed("propval", "sort_ltid_rowdata", 4, &wr);
}

/* ---------------------------------------------------------- emsmdb -- */

static void emsmdb_seeds(void)
{
    /* RopGetReceiveFolder on a logon handle: RopId 0x27, LogonId,
     * InputHandleIndex, MessageClass "" ; handle table 1 entry. */
    static const uint8_t rops[] = { 0x07, 0x00, 0x27, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00, 0x00 };
    mapi_wr wr, chain;

    mapi_wr_init(&wr, pool, 4096);
    mapi_wr_str8(&wr, "/o=Seed Org/ou=Exchange Administrative Group "
                      "(FYDIBOHF23SPDLT)/cn=Recipients/cn=demo");
    mapi_wr_u32(&wr, 0);                            /* Flags */
    mapi_wr_u32(&wr, 1252);                         /* DefaultCodePage */
    mapi_wr_u32(&wr, 1033);
    mapi_wr_u32(&wr, 1033);
    mapi_wr_u32(&wr, 0);                            /* AuxiliaryBufferSize */
    wr_seed("emsmdb", "connect", 0, &wr);
    for (int xor = 0; xor < 2; xor++) {
        mapi_wr_init(&chain, pool, 4096);
        rpcext_encode_block(&chain, rops, sizeof(rops),
                            xor ? RPCEXT_XORMAGIC | RPCEXT_COMPRESSED : 0, 1);
        mapi_wr_init(&wr, pool, 4096);
        mapi_wr_u32(&wr, xor ? 0 : 3);              /* Flags */
        mapi_wr_u32(&wr, (uint32_t)chain.len);
        mapi_wr_bytes(&wr, chain.buf, chain.len);
        mapi_wr_u32(&wr, 0x8008);                   /* MaxRopOut */
        mapi_wr_u32(&wr, 0);
        wr_seed("emsmdb", xor ? "execute_xor" : "execute_plain", 1, &wr);
    }
    mapi_wr_init(&wr, pool, 64);
    mapi_wr_u32(&wr, 0);
    wr_seed("emsmdb", "disconnect", 2, &wr);
    mapi_wr_init(&wr, pool, 64);
    mapi_wr_u32(&wr, 0);
    mapi_wr_u32(&wr, 4);
    mapi_wr_u32(&wr, 0x00010004);                   /* an aux block */
    wr_seed("emsmdb", "notification_wait_aux", 3, &wr);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_seeds CORPUS_DIR\n");
        return 2;
    }
    out_dir = argv[1];
    apr_initialize();
    apr_pool_create(&pool, NULL);
    config_seeds();
    restriction_seeds();
    emsmdb_seeds();
    return 0;
}
