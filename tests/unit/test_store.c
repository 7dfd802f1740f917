/*
 * test_store.c: the mailbox store: the property codec (every type, big
 * binaries, malformed records), ids and entry ids, provisioning, folders,
 * messages, named properties, change tracking, mailbox deletion and
 * concurrent saves.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <pthread.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "store/store.h"
#include "wire/mapi_tags.h"

static apr_pool_t *pool;
static mapi_db *db;
static char dir[] = "/tmp/mapi-unit-store-XXXXXX";
static const uint8_t mbox[16] = { 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4,
                                  5, 6, 7, 8, 9, 10, 11, 12 };
static store_mailbox_info *mi;

static int suite_init(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    db = unit_env_open(pool, dir);
    return db ? 0 : -1;
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    unit_env_remove(dir);
    return 0;
}

/* ------------------------------------------------------------ codec -- */

static void fill_all_types(store_props *p, uint8_t *big, size_t big_len)
{
    static const uint8_t guid[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
    static uint32_t longs[] = { 1, 2, 0xFFFFFFFF };
    static uint16_t shorts[] = { 7, 8 };
    static uint64_t i8s[] = { 1ull << 40, 3 };
    static const char *strs[] = { "a", "", "\xc3\xa9t\xc3\xa9" };
    static const uint8_t *guids[] = { guid, guid };
    rop_bin bins[2] = { { 3, (const uint8_t *)"xyz" }, { 0, NULL } };
    rop_propval v = { 0 };

    store_props_set_u32(p, MAPI_TAG(0x6001, ROP_PT_LONG), 42);
    store_props_set_u32(p, MAPI_TAG(0x6002, ROP_PT_FLOAT), 0x3F800000);
    store_props_set_u32(p, MAPI_TAG(0x6003, ROP_PT_ERROR), ecNotFound);
    store_props_set_u64(p, MAPI_TAG(0x6004, ROP_PT_I8), 1ull << 60);
    store_props_set_u64(p, MAPI_TAG(0x6005, ROP_PT_DOUBLE), 0x400921FB54442D18ull);
    store_props_set_u64(p, MAPI_TAG(0x6006, ROP_PT_SYSTIME), 130000000000000000ull);
    store_props_set_u64(p, MAPI_TAG(0x6007, ROP_PT_CURRENCY), 5);
    store_props_set_u64(p, MAPI_TAG(0x6008, ROP_PT_APPTIME), 6);
    store_props_set_bool(p, MAPI_TAG(0x6009, ROP_PT_BOOLEAN), 1);
    v.tag = MAPI_TAG(0x600A, ROP_PT_I2);
    v.v.i2 = 0x1234;
    store_props_set(p, &v);
    store_props_set_str(p, MAPI_TAG(0x600B, ROP_PT_UNICODE), "h\xc3\xa9llo");
    store_props_set_str(p, MAPI_TAG(0x600C, ROP_PT_STRING8), "plain");
    store_props_set_bin(p, MAPI_TAG(0x600D, ROP_PT_BINARY), big,
                        (uint32_t)big_len);
    v.tag = MAPI_TAG(0x600E, ROP_PT_CLSID);
    v.v.guid = guid;
    store_props_set(p, &v);
    v.tag = MAPI_TAG(0x600F, ROP_PT_MV_FLAG | ROP_PT_LONG);
    v.v.mv.count = 3;
    v.v.mv.v.l = longs;
    store_props_set(p, &v);
    v.tag = MAPI_TAG(0x6010, ROP_PT_MV_FLAG | ROP_PT_I2);
    v.v.mv.count = 2;
    v.v.mv.v.i2 = shorts;
    store_props_set(p, &v);
    v.tag = MAPI_TAG(0x6011, ROP_PT_MV_FLAG | ROP_PT_I8);
    v.v.mv.count = 2;
    v.v.mv.v.d = i8s;
    store_props_set(p, &v);
    v.tag = MAPI_TAG(0x6012, ROP_PT_MV_FLAG | ROP_PT_UNICODE);
    v.v.mv.count = 3;
    v.v.mv.v.str = strs;
    store_props_set(p, &v);
    v.tag = MAPI_TAG(0x6013, ROP_PT_MV_FLAG | ROP_PT_BINARY);
    v.v.mv.count = 2;
    v.v.mv.v.bin = bins;
    store_props_set(p, &v);
    v.tag = MAPI_TAG(0x6014, ROP_PT_MV_FLAG | ROP_PT_CLSID);
    v.v.mv.count = 2;
    v.v.mv.v.guid = guids;
    store_props_set(p, &v);
    v.tag = MAPI_TAG(0x6015, ROP_PT_NULL);
    store_props_set(p, &v);
}

static void test_codec_round_trip(void)
{
    size_t big_len = 200 * 1024;
    uint8_t *big = malloc(big_len);
    store_props p, q;
    mapi_wr wr, wr2;
    mapi_rd rd;
    const rop_propval *v;

    for (size_t i = 0; i < big_len; i++)
        big[i] = (uint8_t)(i * 7);
    store_props_init(&p, pool);
    fill_all_types(&p, big, big_len);
    memset(big, 0, big_len);   /* the bag holds its own copy */
    CU_ASSERT_EQUAL(p.count, 21);
    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    CU_ASSERT_EQUAL_FATAL(store_props_encode(&wr, &p), 0);
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL_FATAL(store_props_decode(&rd, pool, &q), 0);
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
    CU_ASSERT_EQUAL(q.count, p.count);
    /* Canonical: the decoded bag encodes to the same bytes. */
    mapi_wr_init(&wr2, pool, STORE_RECORD_MAX);
    CU_ASSERT_EQUAL(store_props_encode(&wr2, &q), 0);
    CU_ASSERT_EQUAL(wr2.len, wr.len);
    CU_ASSERT(memcmp(wr.buf, wr2.buf, wr.len) == 0);
    v = store_props_get(&q, MAPI_TAG(0x600D, ROP_PT_BINARY));
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT_EQUAL(v->v.bin.len, big_len);
    CU_ASSERT_EQUAL(v->v.bin.data[1000], (uint8_t)(1000 * 7));
    CU_ASSERT((const uint8_t *)v->v.bin.data < wr.buf ||
              (const uint8_t *)v->v.bin.data >= wr.buf + wr.len);
    v = store_props_get(&q, MAPI_TAG(0x6012, ROP_PT_UNSPECIFIED));
    CU_ASSERT_FATAL(v != NULL);
    CU_ASSERT_EQUAL(v->v.mv.count, 3);
    CU_ASSERT_STRING_EQUAL(v->v.mv.v.str[2], "\xc3\xa9t\xc3\xa9");
    CU_ASSERT_PTR_NULL(store_props_get(&q, MAPI_TAG(0x6012, ROP_PT_LONG)));
    v = store_props_get(&q, MAPI_TAG(0x600F, ROP_PT_MV_FLAG | ROP_PT_LONG));
    CU_ASSERT(v && v->v.mv.v.l[2] == 0xFFFFFFFF);
    v = store_props_get(&q, MAPI_TAG(0x600A, ROP_PT_I2));
    CU_ASSERT(v && v->v.i2 == 0x1234);
    CU_ASSERT_EQUAL(store_props_del(&q, MAPI_TAG(0x600A, ROP_PT_LONG)), 1);
    CU_ASSERT_EQUAL(store_props_del(&q, MAPI_TAG(0x600A, ROP_PT_LONG)), 0);
    CU_ASSERT_PTR_NULL(store_props_get(&q, MAPI_TAG(0x600A, 0)));
    free(big);
}

static void test_codec_malformed(void)
{
    store_props p, q;
    mapi_wr wr;
    mapi_rd rd;
    uint8_t *buf;
    uint8_t garbage[64];
    uint8_t *big = calloc(1, 70000);

    store_props_init(&p, pool);
    fill_all_types(&p, big, 70000);
    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    CU_ASSERT_EQUAL_FATAL(store_props_encode(&wr, &p), 0);
    buf = wr.buf;
    /* Every truncation is refused. */
    for (size_t n = 0; n < wr.len; n += (n < 2000 ? 1 : 997)) {
        mapi_rd_init(&rd, buf, n);
        CU_ASSERT_EQUAL(store_props_decode(&rd, pool, &q), -1);
    }
    /* Random bytes never crash. */
    srand(7);
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < sizeof(garbage); i++)
            garbage[i] = (uint8_t)rand();
        garbage[0] = (uint8_t)(round % 5);
        garbage[1] = garbage[2] = garbage[3] = 0;
        mapi_rd_init(&rd, garbage, sizeof(garbage));
        (void)store_props_decode(&rd, pool, &q);
    }
    /* A huge count with no bytes behind it. */
    memset(garbage, 0xFF, 8);
    mapi_rd_init(&rd, garbage, 8);
    CU_ASSERT_EQUAL(store_props_decode(&rd, pool, &q), -1);
    free(big);
}

/* -------------------------------------------------------------- ids -- */

static void test_ids(void)
{
    uint64_t id = store_id_make(STORE_REPLID, 0x0102030405ull);
    uint8_t le[8];

    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(id >> (8 * i));
    CU_ASSERT_EQUAL(le[0], 0x01);
    CU_ASSERT_EQUAL(le[1], 0x00);
    CU_ASSERT_EQUAL(le[2], 0x00);
    CU_ASSERT_EQUAL(le[3], 0x01);
    CU_ASSERT_EQUAL(le[7], 0x05);
    CU_ASSERT_EQUAL(store_id_counter(id), 0x0102030405ull);
    CU_ASSERT_EQUAL(STORE_ID_REPLID(id), STORE_REPLID);
    CU_ASSERT_EQUAL(store_status_ec(STORE_EXISTS), ecDuplicateName);
}

/* ------------------------------------------------------ provisioning -- */

static void test_provision(void)
{
    const char *error = NULL;
    store_folder *f;
    apr_array_header_t *ids;
    uint8_t eid[46];
    uint64_t fid, mid, rf;
    const char *cls;
    rop_long_term_id ltid;
    const rop_propval *v;

    CU_ASSERT_EQUAL_FATAL(store_mailbox_create(db, pool, mbox, "Test",
                                               &error), STORE_OK);
    CU_ASSERT_EQUAL(store_mailbox_create(db, pool, mbox, "Test", &error),
                    STORE_EXISTS);
    CU_ASSERT_EQUAL_FATAL(store_mailbox_get(db, pool, mbox, &mi, &error),
                          STORE_OK);
    for (int i = 0; i < STORE_FOLDER_COUNT; i++) {
        CU_ASSERT_EQUAL(STORE_ID_REPLID(mi->folder_ids[i]), STORE_REPLID);
        CU_ASSERT(store_id_counter(mi->folder_ids[i]) > 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT_NOT_EQUAL(mi->folder_ids[i], mi->folder_ids[j]);
        CU_ASSERT_EQUAL(store_folder_get(db, pool, mbox, mi->folder_ids[i],
                                         &f, &error), STORE_OK);
    }
    CU_ASSERT_EQUAL_FATAL(store_folder_get(db, pool, mbox,
        mi->folder_ids[STORE_FOLDER_INBOX], &f, &error), STORE_OK);
    CU_ASSERT_EQUAL(f->parent_fid, mi->folder_ids[STORE_FOLDER_IPM_SUBTREE]);
    v = store_props_get(&f->props, PidTagContainerClass);
    CU_ASSERT(v && strcmp(v->v.str, "IPF.Note") == 0);
    CU_ASSERT_PTR_NOT_NULL(store_props_get(&f->props,
                                           PidTagIpmAppointmentEntryId));
    CU_ASSERT_EQUAL_FATAL(store_folder_get(db, pool, mbox,
        mi->folder_ids[STORE_FOLDER_CALENDAR], &f, &error), STORE_OK);
    v = store_props_get(&f->props, PidTagContainerClass);
    CU_ASSERT(v && strcmp(v->v.str, "IPF.Appointment") == 0);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox,
        mi->folder_ids[STORE_FOLDER_ROOT], STORE_LIST_FOLDERS |
        STORE_LIST_DEEP, &ids, &error), STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, STORE_FOLDER_COUNT - 1);
    /* Entry ids and LTIDs round trip. */
    store_folder_entry_id(mi, mi->folder_ids[STORE_FOLDER_INBOX], eid);
    CU_ASSERT_EQUAL(store_entry_id_parse(mi, eid, 46, &fid, &mid), 0);
    CU_ASSERT_EQUAL(fid, mi->folder_ids[STORE_FOLDER_INBOX]);
    CU_ASSERT_EQUAL(mid, 0);
    CU_ASSERT_EQUAL(eid[20], 0x01);
    CU_ASSERT_EQUAL(store_entry_id_parse(mi, eid, 45, &fid, &mid), -1);
    CU_ASSERT_EQUAL(store_ltid_from_id(mi, fid, &ltid), STORE_OK);
    CU_ASSERT_EQUAL(store_id_from_ltid(mi, &ltid, &mid), STORE_OK);
    CU_ASSERT_EQUAL(mid, fid);
    /* Receive folders. */
    CU_ASSERT_EQUAL(store_receive_folder_get(db, pool, mbox, "IPM.Note.X",
                                             &rf, &cls, &error), STORE_OK);
    CU_ASSERT_EQUAL(rf, mi->folder_ids[STORE_FOLDER_INBOX]);
    CU_ASSERT_STRING_EQUAL(cls, "IPM");
    CU_ASSERT_EQUAL(store_receive_folder_get(db, pool, mbox, "Other",
                                             &rf, &cls, &error), STORE_OK);
    CU_ASSERT_STRING_EQUAL(cls, "");
    CU_ASSERT_EQUAL(store_receive_folder_set(db, pool, mbox, "IPM.Note",
        mi->folder_ids[STORE_FOLDER_DRAFTS], &error), STORE_OK);
    CU_ASSERT_EQUAL(store_receive_folder_get(db, pool, mbox, "ipm.note.y",
                                             &rf, &cls, &error), STORE_OK);
    CU_ASSERT_EQUAL(rf, mi->folder_ids[STORE_FOLDER_DRAFTS]);
    CU_ASSERT_EQUAL(store_receive_folder_list(db, pool, mbox, &ids, &error),
                    STORE_OK);
    /* "", "IPM", "Report.IPM", "IPC" (MS-OXCSTOR R782) and IPM.Note. */
    CU_ASSERT_EQUAL(ids->nelts, 5);
}

/* ----------------------------------------------------------- folders -- */

static void test_folders(void)
{
    const char *error = NULL;
    uint64_t ipm = mi->folder_ids[STORE_FOLDER_IPM_SUBTREE], a, b, dup, c;
    uint64_t copy, cn1, cn2;
    store_folder *f;
    store_props set;
    apr_array_header_t *ids;
    const rop_propval *v;

    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, ipm,
        STORE_FOLDER_GENERIC, "Projects", "c", &a, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_create(db, pool, mbox, ipm,
        STORE_FOLDER_GENERIC, "PROJECTS", NULL, &dup, &error), STORE_EXISTS);
    CU_ASSERT_EQUAL(dup, a);
    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, a,
        STORE_FOLDER_GENERIC, "Sub", NULL, &b, &error), STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_folder_get(db, pool, mbox, a, &f, &error),
                          STORE_OK);
    CU_ASSERT_PTR_NOT_NULL(store_props_get(&f->props, PidTagSourceKey));
    CU_ASSERT_PTR_NOT_NULL(store_props_get(&f->props, PidTagChangeKey));
    cn1 = store_props_get(&f->props, PidTagChangeNumber)->v.d;
    /* Rename, and rename onto a sibling. */
    store_props_init(&set, pool);
    store_props_set_str(&set, PidTagDisplayName, "Projects 2");
    store_props_set_u32(&set, PidTagContentCount, 99);   /* ignored */
    CU_ASSERT_EQUAL(store_folder_set_props(db, pool, mbox, a, &set, NULL, 0,
                                           &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_get(db, pool, mbox, a, &f, &error), STORE_OK);
    CU_ASSERT_STRING_EQUAL(store_props_get(&f->props,
                                           PidTagDisplayName)->v.str,
                           "Projects 2");
    cn2 = store_props_get(&f->props, PidTagChangeNumber)->v.d;
    CU_ASSERT(store_id_counter(cn2) > store_id_counter(cn1));
    v = store_props_get(&f->props, PidTagPredecessorChangeList);
    CU_ASSERT(v && v->v.bin.len == 23 && v->v.bin.data[0] == 22);
    store_props_init(&set, pool);
    store_props_set_str(&set, PidTagDisplayName, "inbox");
    CU_ASSERT_EQUAL(store_folder_set_props(db, pool, mbox, a, &set, NULL, 0,
                                           &error), STORE_EXISTS);
    /* Moves. */
    CU_ASSERT_EQUAL(store_folder_move(db, pool, mbox, a, b, NULL, &error),
                    STORE_INVALID);
    CU_ASSERT_EQUAL(store_folder_move(db, pool, mbox,
        mi->folder_ids[STORE_FOLDER_INBOX], a, NULL, &error), STORE_DENIED);
    CU_ASSERT_EQUAL(store_folder_move(db, pool, mbox, b, ipm, "Moved",
                                      &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_get(db, pool, mbox, b, &f, &error), STORE_OK);
    CU_ASSERT_EQUAL(f->parent_fid, ipm);
    CU_ASSERT_EQUAL(store_folder_move(db, pool, mbox, b, a, NULL, &error),
                    STORE_OK);
    /* Copy with a message inside. */
    {
        store_message *m = store_message_new(pool, b, 0);

        store_props_set_str(&m->props, PidTagSubject, "in sub");
        CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, &error),
                        STORE_OK);
    }
    CU_ASSERT_EQUAL(store_folder_copy(db, pool, mbox, a, ipm, "Copy", 1,
                                      &copy, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_copy(db, pool, mbox, a, b, "Loop", 1,
                                      &c, &error), STORE_INVALID);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox, copy,
        STORE_LIST_FOLDERS, &ids, &error), STORE_OK);
    CU_ASSERT_EQUAL_FATAL(ids->nelts, 1);
    c = APR_ARRAY_IDX(ids, 0, uint64_t);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox, c, STORE_LIST_MESSAGES,
                                      &ids, &error), STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, 1);
    /* Deletes. */
    CU_ASSERT_EQUAL(store_folder_delete(db, pool, mbox,
        mi->folder_ids[STORE_FOLDER_INBOX], STORE_DEL_MESSAGES |
        STORE_DEL_FOLDERS, &error), STORE_DENIED);
    CU_ASSERT_EQUAL(store_folder_delete(db, pool, mbox, a, 0, &error),
                    STORE_NOT_EMPTY);
    /* The copy's subfolder holds a message of its own. */
    CU_ASSERT_EQUAL(store_folder_delete(db, pool, mbox, c, STORE_DEL_FOLDERS,
                                        &error), STORE_NOT_EMPTY);
    CU_ASSERT_EQUAL(store_folder_delete(db, pool, mbox, a, STORE_DEL_FOLDERS |
                                        STORE_DEL_MESSAGES, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_get(db, pool, mbox, a, &f, &error),
                    STORE_NOT_FOUND);
    CU_ASSERT_EQUAL(store_folder_get(db, pool, mbox, b, &f, &error),
                    STORE_NOT_FOUND);
    /* The name is free again. */
    CU_ASSERT_EQUAL(store_folder_create(db, pool, mbox, ipm,
        STORE_FOLDER_GENERIC, "Projects 2", NULL, &a, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_empty(db, pool, mbox, copy,
        STORE_DEL_FOLDERS, 0, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox, copy,
        STORE_LIST_FOLDERS, &ids, &error), STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, 0);
}

/* ---------------------------------------------------------- messages -- */

static void test_messages(void)
{
    const char *error = NULL;
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    uint64_t drafts = mi->folder_ids[STORE_FOLDER_DRAFTS], moved, copied;
    store_message *m = store_message_new(pool, inbox, 0), *got, *emb;
    store_recipient r = { 0 };
    store_attachment at = { 0 }, at2 = { 0 };
    store_folder *f;
    store_props all;
    uint32_t flags;
    size_t big_len = 100 * 1024;
    uint8_t *big = malloc(big_len);
    const rop_propval *v;
    apr_array_header_t *ids;
    uint64_t cn1;

    memset(big, 0xAB, big_len);
    store_props_set_str(&m->props, PidTagSubject, "Hello");
    store_props_set_str(&m->props, PidTagMessageClass, "IPM.Note");
    r.row_id = 0;
    store_props_init(&r.props, pool);
    store_props_set_u32(&r.props, PidTagRecipientType, 1);
    store_props_set_str(&r.props, PidTagDisplayName, "Bob");
    APR_ARRAY_PUSH(m->recipients, store_recipient) = r;
    at.attach_num = 0;
    store_props_init(&at.props, pool);
    store_props_set_u32(&at.props, PidTagAttachMethod, ATTACH_BY_VALUE);
    store_props_set_bin(&at.props, PidTagAttachDataBinary, big,
                        (uint32_t)big_len);
    APR_ARRAY_PUSH(m->attachments, store_attachment) = at;
    emb = store_message_new(pool, 0, 0);
    store_props_set_str(&emb->props, PidTagSubject, "Inner");
    at2.attach_num = 1;
    store_props_init(&at2.props, pool);
    store_props_set_u32(&at2.props, PidTagAttachMethod, ATTACH_EMBEDDED_MSG);
    at2.embedded = emb;
    APR_ARRAY_PUSH(m->attachments, store_attachment) = at2;
    m->next_attach_num = 2;
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, m, &error),
                          STORE_OK);
    CU_ASSERT(m->mid != 0);
    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, m->mid, &got,
                                            &error), STORE_OK);
    CU_ASSERT_STRING_EQUAL(store_props_get(&got->props, PidTagSubject)->v.str,
                           "Hello");
    CU_ASSERT_EQUAL(got->recipients->nelts, 1);
    CU_ASSERT_EQUAL_FATAL(got->attachments->nelts, 2);
    v = store_props_get(&APR_ARRAY_IDX(got->attachments, 0,
                                       store_attachment).props,
                        PidTagAttachDataBinary);
    CU_ASSERT(v && v->v.bin.len == big_len && v->v.bin.data[5] == 0xAB);
    emb = APR_ARRAY_IDX(got->attachments, 1, store_attachment).embedded;
    CU_ASSERT_FATAL(emb != NULL);
    CU_ASSERT_STRING_EQUAL(store_props_get(&emb->props, PidTagSubject)->v.str,
                           "Inner");
    v = store_props_get(&got->props, PidTagMessageFlags);
    CU_ASSERT(v && (v->v.l & MSGFLAG_HASATTACH));
    v = store_props_get(&got->props, PidTagMessageSize);
    CU_ASSERT(v && v->v.l > big_len);
    CU_ASSERT_PTR_NOT_NULL(store_props_get(&got->props, PidTagCreationTime));
    CU_ASSERT_PTR_NOT_NULL(store_props_get(&got->props, PidTagSourceKey));
    cn1 = store_props_get(&got->props, PidTagChangeNumber)->v.d;
    /* A second save: new change number, same source key. */
    store_props_set_str(&got->props, PidTagSubject, "Hello again");
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, got, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_message_get(db, pool, mbox, m->mid, &got, &error),
                    STORE_OK);
    CU_ASSERT(store_id_counter(store_props_get(&got->props,
              PidTagChangeNumber)->v.d) > store_id_counter(cn1));
    /* Computed properties. */
    store_props_init(&all, pool);
    store_message_all_props(pool, mbox, mi, got, &all);
    CU_ASSERT_STRING_EQUAL(store_props_get(&all, PidTagDisplayTo)->v.str,
                           "Bob");
    v = store_props_get(&all, PidTagEntryId);
    CU_ASSERT(v && v->v.bin.len == 70);
    {
        uint64_t fid, mid;

        CU_ASSERT_EQUAL(store_entry_id_parse(mi, v->v.bin.data, 70, &fid,
                                             &mid), 0);
        CU_ASSERT_EQUAL(fid, inbox);
        CU_ASSERT_EQUAL(mid, m->mid);
    }
    /* Folder counts. */
    CU_ASSERT_EQUAL(store_folder_get(db, pool, mbox, inbox, &f, &error),
                    STORE_OK);
    store_props_init(&all, pool);
    CU_ASSERT_EQUAL(store_folder_all_props(db, pool, mbox, f, &all, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(store_props_get(&all, PidTagContentCount)->v.l, 1);
    CU_ASSERT_EQUAL(store_props_get(&all, PidTagContentUnreadCount)->v.l, 1);
    /* Flags. */
    CU_ASSERT_EQUAL(store_message_set_flags(db, pool, mbox, m->mid,
        MSGFLAG_READ, 0, &flags, &error), STORE_OK);
    CU_ASSERT(flags & MSGFLAG_READ);
    store_props_init(&all, pool);
    store_folder_all_props(db, pool, mbox, f, &all, &error);
    CU_ASSERT_EQUAL(store_props_get(&all, PidTagContentUnreadCount)->v.l, 0);
    /* Copy, move, delete. */
    CU_ASSERT_EQUAL(store_message_move(db, pool, mbox, m->mid, drafts, 1,
                                       &copied, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_message_move(db, pool, mbox, m->mid, drafts, 0,
                                       &moved, &error), STORE_OK);
    CU_ASSERT_NOT_EQUAL(moved, m->mid);
    CU_ASSERT_EQUAL(store_message_get(db, pool, mbox, m->mid, &got, &error),
                    STORE_NOT_FOUND);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox, drafts,
        STORE_LIST_MESSAGES, &ids, &error), STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, 2);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox, inbox,
        STORE_LIST_MESSAGES, &ids, &error), STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, 0);
    CU_ASSERT_EQUAL(store_message_delete(db, pool, mbox, copied, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(store_message_delete(db, pool, mbox, copied, &error),
                    STORE_NOT_FOUND);
    /* An associated message is listed apart. */
    m = store_message_new(pool, drafts, 1);
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, &error), STORE_OK);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox, drafts,
        STORE_LIST_ASSOCIATED, &ids, &error), STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, 1);
    /* Saving into a missing folder. */
    m = store_message_new(pool, store_id_make(1, 0xFFFFFF), 0);
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, &error),
                    STORE_NOT_FOUND);
    free(big);
}

static void test_message_malformed(void)
{
    store_message *m = store_message_new(pool, 5, 0), *out;
    mapi_wr wr;
    mapi_rd rd;

    store_props_set_str(&m->props, PidTagSubject, "x");
    mapi_wr_init(&wr, pool, STORE_RECORD_MAX);
    CU_ASSERT_EQUAL_FATAL(store_message_encode(&wr, m), 0);
    for (size_t n = 0; n < wr.len; n++) {
        mapi_rd_init(&rd, wr.buf, n);
        CU_ASSERT_EQUAL(store_message_decode(&rd, pool, &out), -1);
    }
    mapi_rd_init(&rd, wr.buf, wr.len);
    CU_ASSERT_EQUAL(store_message_decode(&rd, pool, &out), 0);
}

/* ------------------------------------------------------------- named -- */

static void test_named(void)
{
    static const uint8_t g[16] = { 0x20, 0x03, 0x06, 0, 0, 0, 0, 0,
                                   0xC0, 0, 0, 0, 0, 0, 0, 0x46 };
    rop_property_name a = { ROP_MNID_ID, g, 0x8501, NULL };
    rop_property_name b = { ROP_MNID_STRING, g, 0, "Keywords" };
    rop_property_name got;
    const char *error = NULL;
    uint16_t ia, ia2, ib, none;
    apr_array_header_t *ids, *names;

    CU_ASSERT_EQUAL(store_named_to_id(db, pool, mbox, &a, 0, &none, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(none, 0);
    CU_ASSERT_EQUAL(store_named_to_id(db, pool, mbox, &a, 1, &ia, &error),
                    STORE_OK);
    CU_ASSERT(ia >= 0x8000);
    CU_ASSERT_EQUAL(store_named_to_id(db, pool, mbox, &a, 1, &ia2, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(ia, ia2);
    CU_ASSERT_EQUAL(store_named_to_id(db, pool, mbox, &b, 1, &ib, &error),
                    STORE_OK);
    CU_ASSERT_NOT_EQUAL(ia, ib);
    CU_ASSERT_EQUAL(store_named_from_id(db, pool, mbox, ib, &got, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(got.kind, ROP_MNID_STRING);
    CU_ASSERT_STRING_EQUAL(got.name, "Keywords");
    CU_ASSERT_EQUAL(store_named_from_id(db, pool, mbox, ia, &got, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(got.lid, 0x8501);
    CU_ASSERT_EQUAL(store_named_from_id(db, pool, mbox, 0x9999, &got,
                                        &error), STORE_NOT_FOUND);
    CU_ASSERT_EQUAL(store_named_list(db, pool, mbox, g, &ids, &names, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, 2);
}

/* ------------------------------------------------------- concurrency -- */

#define THREADS 4
#define SAVES   25

static void *saver(void *arg)
{
    apr_pool_t *p;
    const char *error = NULL;
    long failures = 0;

    apr_pool_create(&p, NULL);
    for (int i = 0; i < SAVES; i++) {
        store_message *m = store_message_new(p,
            mi->folder_ids[STORE_FOLDER_SENT_ITEMS], 0);

        store_props_set_u32(&m->props, PidTagImportance, (uint32_t)i);
        if (store_message_save(db, p, mbox, m, &error) != STORE_OK)
            failures++;
    }
    apr_pool_destroy(p);
    return (void *)failures;
}

static void test_concurrent_saves(void)
{
    pthread_t t[THREADS];
    apr_array_header_t *ids;
    const char *error = NULL;
    long failures = 0;

    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, saver, NULL);
    for (int i = 0; i < THREADS; i++) {
        void *r;

        pthread_join(t[i], &r);
        failures += (long)r;
    }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox,
        mi->folder_ids[STORE_FOLDER_SENT_ITEMS], STORE_LIST_MESSAGES, &ids,
        &error), STORE_OK);
    CU_ASSERT_EQUAL(ids->nelts, THREADS * SAVES);
    for (int i = 1; i < ids->nelts; i++)
        CU_ASSERT(APR_ARRAY_IDX(ids, i, uint64_t) !=
                  APR_ARRAY_IDX(ids, i - 1, uint64_t));
}

/* ------------------------------------------------------------ delete -- */

static int count_prefix(DB *d)
{
    DBC *cur;
    DBT k = { 0 }, v = { 0 };
    int n = 0;

    d->cursor(d, NULL, &cur, 0);
    while (cur->get(cur, &k, &v, DB_NEXT) == 0)
        if (k.size >= 16 && memcmp(k.data, mbox, 16) == 0)
            n++;
    cur->close(cur);
    return n;
}

/* [MS-OXCSTOR] R950, R1246: a new REPLGUID gets a REPLID, the same one
 * every time, and both directions agree; ours is REPLID 1. */
static void test_replicas(void)
{
    uint8_t g1[16], g2[16], back[16];
    const char *error = NULL;
    uint16_t r1, r1b, r2, own;
    rop_long_term_id lt, lt2;
    uint64_t id;

    memset(g1, 0xA1, sizeof(g1));
    memset(g2, 0xB2, sizeof(g2));
    CU_ASSERT_EQUAL(store_replid_from_guid(db, pool, mi, mi->replica_guid, 1,
                                           &own, &error), STORE_OK);
    CU_ASSERT_EQUAL(own, STORE_REPLID);
    CU_ASSERT_EQUAL(store_replid_from_guid(db, pool, mi, g1, 0, &r1, &error),
                    STORE_NOT_FOUND);
    CU_ASSERT_EQUAL(store_replid_from_guid(db, pool, mi, g1, 1, &r1, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(store_replid_from_guid(db, pool, mi, g1, 1, &r1b,
                                           &error), STORE_OK);
    CU_ASSERT_EQUAL(store_replid_from_guid(db, pool, mi, g2, 1, &r2, &error),
                    STORE_OK);
    CU_ASSERT(r1 >= 2 && r1 == r1b && r2 != r1 && r2 >= 2);
    CU_ASSERT_EQUAL(store_guid_from_replid(db, pool, mi, r2, back, &error),
                    STORE_OK);
    CU_ASSERT(memcmp(back, g2, 16) == 0);
    CU_ASSERT_EQUAL(store_guid_from_replid(db, pool, mi, 0x7777, back,
                                           &error), STORE_NOT_FOUND);
    memcpy(lt.database_guid, g1, 16);
    memset(lt.global_counter, 0, 6);
    lt.global_counter[5] = 0x42;
    lt.pad = 0;
    CU_ASSERT_EQUAL(store_id_from_ltid_db(db, pool, mi, &lt, &id, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(STORE_ID_REPLID(id), r1);
    CU_ASSERT_EQUAL(store_ltid_from_id_db(db, pool, mi, id, &lt2, &error),
                    STORE_OK);
    CU_ASSERT(memcmp(&lt2.database_guid, g1, 16) == 0
              && memcmp(lt2.global_counter, lt.global_counter, 6) == 0);
}

static void test_mailbox_delete(void)
{
    const char *error = NULL;
    store_mailbox_info *gone;

    CU_ASSERT(count_prefix(db->folders) > 0);
    CU_ASSERT_EQUAL(store_mailbox_delete(db, pool, mbox, &error), STORE_OK);
    CU_ASSERT_EQUAL(count_prefix(db->folders), 0);
    CU_ASSERT_EQUAL(count_prefix(db->messages), 0);
    CU_ASSERT_EQUAL(count_prefix(db->contents), 0);
    CU_ASSERT_EQUAL(count_prefix(db->meta), 0);
    CU_ASSERT_EQUAL(store_mailbox_get(db, pool, mbox, &gone, &error),
                    STORE_NOT_FOUND);
    CU_ASSERT_EQUAL(store_mailbox_delete(db, pool, mbox, &error),
                    STORE_NOT_FOUND);
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("store", suite_init, suite_clean);
    CU_add_test(s, "codec round trip", test_codec_round_trip);
    CU_add_test(s, "codec malformed", test_codec_malformed);
    CU_add_test(s, "ids", test_ids);
    CU_add_test(s, "provision", test_provision);
    CU_add_test(s, "folders", test_folders);
    CU_add_test(s, "messages", test_messages);
    CU_add_test(s, "message malformed", test_message_malformed);
    CU_add_test(s, "named properties", test_named);
    CU_add_test(s, "concurrent saves", test_concurrent_saves);
    CU_add_test(s, "replica ids", test_replicas);
    CU_add_test(s, "mailbox delete", test_mailbox_delete);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
