/*
 * bench_session.c: the storage an idle session costs in the shared
 * environment: the bytes (keys and values) of every record that names its
 * session id, in the sessions, waits, events, objects and meta databases
 * (context record, object table, subscriptions, queue), after the state an
 * Outlook-like client leaves open: a logon, the Inbox and the IPM subtree,
 * a contents table of the Inbox with 8 columns and a sort, a hierarchy
 * table with 4 columns, and two notification subscriptions.
 *
 * Usage: bench_session [dir]; prints "key value" lines.  Page overhead of
 * the B-trees is not counted (it depends on what else shares the pages).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "unit/unit_env.h"
#include "rop/rop.h"
#include "rop/rop_ids.h"
#include "rop/rop_object.h"
#include "rop/rop_table.h"
#include "store/store.h"
#include "session/sess_context.h"
#include "wire/mapi_tags.h"

static apr_pool_t *pool;
static mapi_db *db;
static uint8_t guid[16];
static cfg_mailbox mbx;
static sess_context sc;

static uint32_t bs_object(rop_object *o)
{
    rop_ctx *ctx = rop_ctx_create(pool, NULL);

    rop_ctx_set_env(ctx, db, sc.id, &mbx, "/o=Bench");
    return rop_obj_create(ctx, o, 0) == 0 ? o->handle : 0;
}

static void bs_hdr(mapi_wr *w, uint8_t rop, uint8_t in)
{
    mapi_wr_u8(w, rop);
    mapi_wr_u8(w, 0);
    mapi_wr_u8(w, in);
}

static void bs_columns(mapi_wr *w, uint8_t in, const uint32_t *tags,
                       uint16_t n)
{
    bs_hdr(w, ROP_ID_SET_COLUMNS, in);
    mapi_wr_u8(w, 0);
    mapi_wr_u16(w, n);
    for (uint16_t i = 0; i < n; i++)
        mapi_wr_u32(w, tags[i]);
}

/* Bytes of the records of d whose key holds the session id. */
static int bs_count(DB *d, size_t *bytes, unsigned *records)
{
    DBC *cur;
    DBT k, v;
    int ret = d->cursor(d, NULL, &cur, 0);

    if (ret != 0)
        return ret;
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    while ((ret = cur->get(cur, &k, &v, DB_NEXT)) == 0) {
        if (k.size >= SESS_ID_LEN
            && memmem(k.data, k.size, sc.id, SESS_ID_LEN) != NULL) {
            *bytes += k.size + v.size;
            (*records)++;
        }
    }
    cur->close(cur);
    return ret == DB_NOTFOUND ? 0 : ret;
}

int main(int argc, char **argv)
{
    static const uint32_t ccols[] = {
        PidTagMid, PidTagSubject, PidTagMessageDeliveryTime,
        PidTagMessageFlags, PidTagMessageSize, PidTagMessageClass,
        PidTagSenderName, PidTagInstanceKey };
    static const uint32_t hcols[] = {
        PidTagFolderId, PidTagDisplayName, PidTagContentCount,
        PidTagContentUnreadCount };
    char *dir;
    store_mailbox_info *mi;
    const char *error = NULL;
    rop_object *o;
    uint32_t h[8], h_logon;
    rop_ctx *ctx;
    rop_result res;
    mapi_wr w, in;
    size_t bytes = 0, sbytes = 0;
    unsigned records = 0, srec = 0;
    DB *dbs[5];
    static const char *const names[5] = { "sessions", "waits", "events",
                                          "objects", "meta" };
    unsigned objects = 0;
    int i;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    dir = apr_pstrcat(pool, argc > 1 ? argv[1] : "/tmp",
                      "/mapi-bench-session-XXXXXX", NULL);
    if (!(db = unit_env_open(pool, dir)) || sess_random(guid) < 0)
        return 1;
    if (store_mailbox_create(db, pool, guid, "Bench User", &error)
        != STORE_OK
        || store_mailbox_get(db, pool, guid, &mi, &error) != STORE_OK) {
        fprintf(stderr, "mailbox: %s\n", error ? error : "?");
        return 1;
    }
    memcpy(mbx.guid, guid, 16);
    mbx.name = "bench";
    mbx.display_name = "Bench User";
    mbx.smtp = "bench.user@mapi.test";
    mbx.legacy_dn = "/o=Bench/ou=Exchange Administrative Group "
                    "(FYDIBOHF23SPDLT)/cn=Recipients/cn=bench.user";
    sc.endpoint = SESS_EP_EMSMDB;
    sc.idle_timeout = 900;
    sc.codepage = 1252;
    sc.lcid_sort = sc.lcid_string = 1033;
    sc.identity = "bench.user@MAPI.TEST";
    sc.auth_type = "Negotiate";
    sc.mailbox = mbx.smtp;
    sc.user_dn = mbx.legacy_dn;
    sc.client_app = "Outlook/16.0.17928.20114 (MAPI over HTTP)";
    sc.client_ip = "192.0.2.17";
    if (sess_create(db, pool, &sc, NULL, &error) != SESS_OK) {
        fprintf(stderr, "session: %s\n", error ? error : "?");
        return 1;
    }
    o = apr_pcalloc(pool, sizeof(*o));
    o->type = ROP_OBJ_LOGON;
    o->parent = SESS_OBJ_NONE;
    o->logon_flags = 0x01;
    memcpy(o->mbox, guid, 16);
    if (!(h_logon = bs_object(o)))
        return 1;
    memset(h, 0xFF, sizeof(h));
    h[0] = h_logon;
    for (i = 0; i < 2; i++) {
        o = apr_pcalloc(pool, sizeof(*o));
        o->type = ROP_OBJ_FOLDER;
        o->parent = h_logon;
        memcpy(o->mbox, guid, 16);
        o->fid = mi->folder_ids[i ? STORE_FOLDER_IPM_SUBTREE
                                  : STORE_FOLDER_INBOX];
        if (!(h[1 + i] = bs_object(o)))
            return 1;
    }
    /* Contents table of the Inbox (3), hierarchy table of the IPM
     * subtree (4), subscriptions on the store (5) and the Inbox (6). */
    mapi_wr_init(&w, pool, 0x1000);
    bs_hdr(&w, ROP_ID_GET_CONTENTS_TABLE, 1);
    mapi_wr_u8(&w, 3);
    mapi_wr_u8(&w, ROP_TBL_CT_USE_UNICODE);
    bs_columns(&w, 3, ccols, 8);
    bs_hdr(&w, ROP_ID_SORT_TABLE, 3);
    mapi_wr_u8(&w, 0);
    mapi_wr_u16(&w, 1);
    mapi_wr_u16(&w, 0);
    mapi_wr_u16(&w, 0);
    mapi_wr_u16(&w, ROP_PROP_TYPE(PidTagMessageDeliveryTime));
    mapi_wr_u16(&w, ROP_PROP_ID(PidTagMessageDeliveryTime));
    mapi_wr_u8(&w, 1);
    bs_hdr(&w, ROP_ID_GET_HIERARCHY_TABLE, 2);
    mapi_wr_u8(&w, 4);
    mapi_wr_u8(&w, 0);
    bs_columns(&w, 4, hcols, 4);
    bs_hdr(&w, ROP_ID_REGISTER_NOTIFICATION, 0);
    mapi_wr_u8(&w, 5);
    mapi_wr_u16(&w, 0x0002 | 0x0004 | 0x0008 | 0x0010 | 0x0020);
    mapi_wr_u8(&w, 1);                       /* WantWholeStore */
    bs_hdr(&w, ROP_ID_REGISTER_NOTIFICATION, 0);
    mapi_wr_u8(&w, 6);
    mapi_wr_u16(&w, 0x0100);                 /* TableModified */
    mapi_wr_u8(&w, 0);
    mapi_wr_u64(&w, mi->folder_ids[STORE_FOLDER_INBOX]);
    mapi_wr_u64(&w, 0);
    ctx = rop_ctx_create(pool, NULL);
    rop_ctx_set_env(ctx, db, sc.id, &mbx, "/o=Bench");
    mapi_wr_init(&in, pool, 0x2000);
    mapi_wr_u16(&in, (uint16_t)(2 + w.len));
    mapi_wr_bytes(&in, w.buf, w.len);
    for (i = 0; i < 8; i++)
        mapi_wr_u32(&in, h[i]);
    if (rop_execute(ctx, in.buf, in.len, 0x8000, pool, &res) != ROP_OK) {
        fprintf(stderr, "execute failed\n");
        return 1;
    }
    dbs[0] = db->sessions;
    dbs[1] = db->waits;
    dbs[2] = db->events;
    dbs[3] = db->objects;
    dbs[4] = db->meta;
    for (i = 0; i < 5; i++) {
        size_t b = 0;
        unsigned r = 0;

        if (bs_count(dbs[i], &b, &r) != 0)
            return 1;
        printf("%s_records %u\n%s_bytes %zu\n", names[i], r, names[i], b);
        if (i == 3)
            objects = r;
        if (i == 0) {
            sbytes = b;
            srec = r;
        } else {
            bytes += b;
            records += r;
        }
    }
    /* Logon, two folders, two tables, two subscriptions: fewer object
     * records means a ROP above failed and the figure would flatter. */
    if (objects < 7) {
        fprintf(stderr, "only %u object records\n", objects);
        return 1;
    }
    printf("session_record_bytes %zu\nobject_and_queue_bytes %zu\n"
           "session_records %u\nsession_total_bytes %zu\n", sbytes, bytes,
           srec + records, sbytes + bytes);
    mapi_db_close(&db);
    unit_env_remove(dir);
    return 0;
}
