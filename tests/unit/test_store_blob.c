/*
 * test_store_blob.c: large values of messages kept as blobs in
 * store-blobs.db: round trips byte for byte (a 5 MiB attachment, a
 * 100 KiB body, an embedded message's value), references without the
 * bytes, range reads across chunk boundaries, the inline threshold, copy
 * and move, delete, hard folder delete and mailbox removal freeing every
 * chunk, folder empty too, and a message over STORE_MESSAGE_MAX refused.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <string.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "store/store.h"
#include "wire/mapi_tags.h"

static apr_pool_t *pool;
static mapi_db *db;
static char dir[] = "/tmp/mapi-unit-blob-XXXXXX";
static const uint8_t mbox[16] = { 0xB1, 0x0B, 0x33, 0x44, 1, 2, 3, 4,
                                  5, 6, 7, 8, 9, 10, 11, 12 };
static store_mailbox_info *mi;

static int suite_init(void)
{
    const char *error = NULL;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    db = unit_env_open(pool, dir);
    if (db == NULL ||
        store_mailbox_create(db, pool, mbox, "Blob", &error) != STORE_OK ||
        store_mailbox_get(db, pool, mbox, &mi, &error) != STORE_OK)
        return -1;
    return 0;
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    apr_pool_destroy(pool);
    unit_env_remove(dir);
    return 0;
}

/* A deterministic pseudo-random pattern (xorshift), so that a chunk put
 * in the wrong place or order cannot compare equal. */
static uint8_t *pattern(size_t n, uint32_t seed)
{
    uint8_t *p = apr_palloc(pool, n + 1);
    uint32_t x = seed | 1;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    return p;
}

/* Printable text of n bytes (a body). */
static char *text(size_t n, uint32_t seed)
{
    char *s = (char *)pattern(n, seed);

    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + (uint8_t)s[i] % 26);
    s[n] = '\0';
    return s;
}

/* Chunks of this mailbox in store-blobs.db, counted with a cursor. */
static int count_chunks(void)
{
    DBC *cur;
    DBT k = { 0 }, v = { 0 };
    int n = 0;

    db->blobs->cursor(db->blobs, NULL, &cur, 0);
    v.flags = DB_DBT_PARTIAL;
    while (cur->get(cur, &k, &v, DB_NEXT) == 0)
        if (k.size == STORE_BLOB_KEY_LEN && memcmp(k.data, mbox, 16) == 0)
            n++;
    cur->close(cur);
    return n;
}

static uint32_t chunks_of(size_t n)
{
    return (uint32_t)((n + STORE_BLOB_CHUNK - 1) / STORE_BLOB_CHUNK);
}

static store_attachment *add_attachment(store_message *m, const void *data,
                                        size_t len)
{
    store_attachment *at = apr_array_push(m->attachments);

    memset(at, 0, sizeof(*at));
    at->attach_num = m->next_attach_num++;
    store_props_init(&at->props, pool);
    store_props_set_u32(&at->props, PidTagAttachMethod, ATTACH_BY_VALUE);
    store_props_set_str(&at->props, PidTagAttachLongFilename, "big.bin");
    store_props_set_bin(&at->props, PidTagAttachDataBinary, data,
                        (uint32_t)len);
    return at;
}

static const store_props *att_props(const store_message *m, int i)
{
    return &APR_ARRAY_IDX(m->attachments, i, store_attachment).props;
}

#define ATT_SIZE  (5u * 1024 * 1024)
#define BODY_SIZE (100u * 1024)

static uint64_t saved_mid;
static uint8_t *att_data;
static char *body;

static void test_round_trip(void)
{
    const char *error = NULL;
    store_message *m = store_message_new(pool, mi->folder_ids[
                                         STORE_FOLDER_INBOX], 0), *got;
    const rop_propval *v;
    int before = count_chunks();

    att_data = pattern(ATT_SIZE, 7);
    body = text(BODY_SIZE, 11);
    store_props_set_str(&m->props, PidTagSubject, "large");
    store_props_set_str(&m->props, PidTagBody, body);
    add_attachment(m, att_data, ATT_SIZE);
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, m, &error),
                          STORE_OK);
    saved_mid = m->mid;
    /* The caller's working copy keeps its values, not references. */
    v = store_props_get(&m->props, PidTagBody);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(strlen(v->v.str), BODY_SIZE);
    CU_ASSERT_EQUAL(count_chunks() - before,
                    (int)(chunks_of(ATT_SIZE) + chunks_of(BODY_SIZE)));

    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, saved_mid, &got,
                                            &error), STORE_OK);
    v = store_props_get(&got->props, PidTagBody);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v->v.str, body);
    v = store_props_get(att_props(got, 0), PidTagAttachDataBinary);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(v->v.bin.len, ATT_SIZE);
    CU_ASSERT(memcmp(v->v.bin.data, att_data, ATT_SIZE) == 0);
    CU_ASSERT_STRING_EQUAL(store_props_get(att_props(got, 0),
                           PidTagAttachLongFilename)->v.str, "big.bin");
    /* PidTagMessageSize counts the blobs. */
    v = store_props_get(&got->props, PidTagMessageSize);
    CU_ASSERT(v && v->v.l > ATT_SIZE + BODY_SIZE);
}

static void test_refs_and_ranges(void)
{
    const char *error = NULL;
    store_message *m;
    const rop_propval *v;
    store_blob_ref ref;
    const uint8_t *data;
    size_t len;
    static const uint64_t offs[] = { 0, STORE_BLOB_CHUNK - 10,
                                     3 * STORE_BLOB_CHUNK - 1,
                                     ATT_SIZE - 100 };
    static const size_t lens[] = { 1, 20, 2 * STORE_BLOB_CHUNK + 2, 100 };

    CU_ASSERT_EQUAL_FATAL(store_message_get_ex(db, pool, mbox, saved_mid,
                          STORE_GET_LARGE_AS_REF, &m, &error), STORE_OK);
    /* Not there under its real type: a caller must ask for the bytes. */
    CU_ASSERT_PTR_NULL(store_props_get(att_props(m, 0),
                                       PidTagAttachDataBinary));
    v = store_props_get(att_props(m, 0), PidTagAttachDataBinary &
                        0xFFFF0000u);
    CU_ASSERT_FATAL(store_blob_ref_get(v, &ref));
    CU_ASSERT_EQUAL(store_blob_ref_tag(v), PidTagAttachDataBinary);
    CU_ASSERT_EQUAL(ref.size, ATT_SIZE);
    CU_ASSERT_EQUAL(ref.type, ROP_PT_BINARY);
    CU_ASSERT(memcmp(ref.owner, mbox, 16) == 0);
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(store_blob_read(db, pool, &ref, offs[i],
                              lens[i], &data, &len, &error), STORE_OK);
        CU_ASSERT_EQUAL(len, lens[i]);
        CU_ASSERT(memcmp(data, att_data + offs[i], len) == 0);
    }
    /* Cut at the end; nothing past it. */
    CU_ASSERT_EQUAL(store_blob_read(db, pool, &ref, ATT_SIZE - 5, 100, &data,
                                    &len, &error), STORE_OK);
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT(memcmp(data, att_data + ATT_SIZE - 5, 5) == 0);
    CU_ASSERT_EQUAL(store_blob_read(db, pool, &ref, ATT_SIZE + 1, 10, &data,
                                    &len, &error), STORE_OK);
    CU_ASSERT_EQUAL(len, 0);
    /* The body is a reference too; resolving gives the string. */
    v = store_props_get(&m->props, PidTagBody & 0xFFFF0000u);
    CU_ASSERT_FATAL(store_blob_ref_get(v, &ref));
    CU_ASSERT_EQUAL(ref.type, ROP_PT_UNICODE);
    {
        rop_propval full;

        CU_ASSERT_EQUAL_FATAL(store_blob_resolve(db, pool, v, &full,
                                                 &error), STORE_OK);
        CU_ASSERT_EQUAL(full.tag, PidTagBody);
        CU_ASSERT_STRING_EQUAL(full.v.str, body);
    }
    /* Small values stay inline. */
    CU_ASSERT_STRING_EQUAL(store_props_get(&m->props, PidTagSubject)->v.str,
                           "large");
}

static void test_threshold(void)
{
    const char *error = NULL;
    store_message *m = store_message_new(pool, mi->folder_ids[
                                         STORE_FOLDER_INBOX], 0), *got;
    uint8_t *at = pattern(STORE_INLINE_MAX, 3);
    uint8_t *over = pattern(STORE_INLINE_MAX + 1, 5);
    int before = count_chunks();
    const rop_propval *v;

    add_attachment(m, at, STORE_INLINE_MAX);
    add_attachment(m, over, STORE_INLINE_MAX + 1);
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, m, &error),
                          STORE_OK);
    CU_ASSERT_EQUAL(count_chunks() - before, 1);
    CU_ASSERT_EQUAL_FATAL(store_message_get_ex(db, pool, mbox, m->mid,
                          STORE_GET_LARGE_AS_REF, &got, &error), STORE_OK);
    v = store_props_get(att_props(got, 0), PidTagAttachDataBinary);
    CU_ASSERT(v && v->v.bin.len == STORE_INLINE_MAX &&
              memcmp(v->v.bin.data, at, STORE_INLINE_MAX) == 0);
    CU_ASSERT(store_blob_ref_get(store_props_get(att_props(got, 1),
              PidTagAttachDataBinary & 0xFFFF0000u), NULL));
    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, m->mid, &got,
                                            &error), STORE_OK);
    v = store_props_get(att_props(got, 1), PidTagAttachDataBinary);
    CU_ASSERT(v && v->v.bin.len == STORE_INLINE_MAX + 1 &&
              memcmp(v->v.bin.data, over, STORE_INLINE_MAX + 1) == 0);
    /* A later save that changes only the subject keeps the blob; one
     * that drops the attachment frees it. */
    store_props_set_str(&got->props, PidTagSubject, "again");
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, got, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(count_chunks() - before, 1);
    apr_array_pop(got->attachments);
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, got, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(count_chunks() - before, 0);
    CU_ASSERT_EQUAL(store_message_delete(db, pool, mbox, m->mid, &error),
                    STORE_OK);
}

static void test_embedded(void)
{
    const char *error = NULL;
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    store_message *m = store_message_new(pool, inbox, 0), *got;
    store_message *emb = store_message_new(pool, 0, 0);
    store_attachment *at = apr_array_push(m->attachments);
    uint8_t *inner = pattern(200 * 1024, 13);
    int before = count_chunks();
    const rop_propval *v;

    add_attachment(emb, inner, 200 * 1024);
    memset(at, 0, sizeof(*at));
    store_props_init(&at->props, pool);
    store_props_set_u32(&at->props, PidTagAttachMethod, ATTACH_EMBEDDED_MSG);
    at->embedded = emb;
    m->next_attach_num = 1;
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, m, &error),
                          STORE_OK);
    CU_ASSERT_EQUAL(count_chunks() - before, (int)chunks_of(200 * 1024));
    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, m->mid, &got,
                                            &error), STORE_OK);
    v = store_props_get(att_props(APR_ARRAY_IDX(got->attachments, 0,
                        store_attachment).embedded, 0),
                        PidTagAttachDataBinary);
    CU_ASSERT(v && v->v.bin.len == 200 * 1024 &&
              memcmp(v->v.bin.data, inner, 200 * 1024) == 0);
    CU_ASSERT_EQUAL(store_message_delete(db, pool, mbox, m->mid, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(count_chunks(), before);
}

static void test_copy_move_delete(void)
{
    const char *error = NULL;
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    uint64_t fid, copy_mid, moved_mid;
    int one = (int)(chunks_of(ATT_SIZE) + chunks_of(BODY_SIZE));
    int before = count_chunks();
    store_message *got;
    const rop_propval *v;

    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, inbox,
                          STORE_FOLDER_GENERIC, "Blobs", NULL, &fid, &error),
                          STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_message_move(db, pool, mbox, saved_mid, fid,
                          1, &copy_mid, &error), STORE_OK);
    CU_ASSERT_EQUAL(count_chunks() - before, one);   /* its own copy */
    CU_ASSERT_EQUAL(store_message_delete(db, pool, mbox, saved_mid, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(count_chunks(), before);
    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, copy_mid, &got,
                                            &error), STORE_OK);
    v = store_props_get(att_props(got, 0), PidTagAttachDataBinary);
    CU_ASSERT(v && v->v.bin.len == ATT_SIZE &&
              memcmp(v->v.bin.data, att_data, ATT_SIZE) == 0);
    CU_ASSERT_STRING_EQUAL(store_props_get(&got->props, PidTagBody)->v.str,
                           body);

    /* A move frees what the source held: the count stays. */
    CU_ASSERT_EQUAL_FATAL(store_message_move(db, pool, mbox, copy_mid, inbox,
                          0, &moved_mid, &error), STORE_OK);
    CU_ASSERT_EQUAL(count_chunks(), before);
    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, moved_mid, &got,
                                            &error), STORE_OK);
    v = store_props_get(att_props(got, 0), PidTagAttachDataBinary);
    CU_ASSERT(v && v->v.bin.len == ATT_SIZE &&
              memcmp(v->v.bin.data, att_data, ATT_SIZE) == 0);

    /* A value saved into another message from a reference is copied, not
     * shared: deleting the first leaves the second readable. */
    {
        store_message *src, *dst = store_message_new(pool, fid, 0);
        const rop_propval *ref;
        uint64_t dst_mid;

        CU_ASSERT_EQUAL_FATAL(store_message_get_ex(db, pool, mbox, moved_mid,
                              STORE_GET_LARGE_AS_REF, &src, &error),
                              STORE_OK);
        ref = store_props_get(&src->props, PidTagBody & 0xFFFF0000u);
        CU_ASSERT_FATAL(store_blob_ref_get(ref, NULL));
        store_props_set(&dst->props, ref);
        CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, dst,
                                                 &error), STORE_OK);
        dst_mid = dst->mid;
        CU_ASSERT_EQUAL(count_chunks() - before, (int)chunks_of(BODY_SIZE));
        CU_ASSERT_EQUAL(store_message_delete(db, pool, mbox, moved_mid,
                                             &error), STORE_OK);
        CU_ASSERT_EQUAL(count_chunks() - before,
                        (int)chunks_of(BODY_SIZE) - one);
        CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, dst_mid,
                                                &got, &error), STORE_OK);
        CU_ASSERT_STRING_EQUAL(store_props_get(&got->props,
                               PidTagBody)->v.str, body);
    }

    /* A hard folder delete frees its messages' blobs. */
    CU_ASSERT_EQUAL(store_folder_delete(db, pool, mbox, fid,
                    STORE_DEL_MESSAGES | STORE_DEL_FOLDERS | STORE_DEL_HARD,
                    &error), STORE_OK);
    CU_ASSERT_EQUAL(count_chunks(), before - one);
}

static void test_empty_folder(void)
{
    const char *error = NULL;
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX], fid;
    int before = count_chunks();

    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, inbox,
                          STORE_FOLDER_GENERIC, "Empty me", NULL, &fid,
                          &error), STORE_OK);
    for (int i = 0; i < 3; i++) {
        store_message *m = store_message_new(pool, fid, i == 2);

        add_attachment(m, pattern(70000, 20 + i), 70000);
        CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, &error),
                        STORE_OK);
    }
    CU_ASSERT_EQUAL(count_chunks() - before, 3 * (int)chunks_of(70000));
    CU_ASSERT_EQUAL(store_folder_empty(db, pool, mbox, fid, 0, 1, &error),
                    STORE_OK);
    CU_ASSERT_EQUAL(count_chunks(), before);
}

static void test_too_big(void)
{
    const char *error = NULL;
    store_message *m = store_message_new(pool, mi->folder_ids[
                                         STORE_FOLDER_INBOX], 0);
    store_blob_ref ref = { .id = 12345, .size = 100u * 1024 * 1024,
                           .type = ROP_PT_BINARY };
    int before = count_chunks();
    rop_propval v;

    /* Two 100 MiB values (references, so that the test needs no 200 MiB
     * of memory): together over STORE_MESSAGE_MAX, refused before
     * anything is written. */
    memcpy(ref.owner, mbox, 16);
    store_blob_ref_make(pool, 0x7001, &ref, &v);
    store_props_set(&m->props, &v);
    store_blob_ref_make(pool, 0x7002, &ref, &v);
    store_props_set(&m->props, &v);
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, &error),
                    STORE_TOO_BIG);
    CU_ASSERT_EQUAL(count_chunks(), before);
    /* A reference to a blob that is not there is not saved either. */
    store_props_del(&m->props, MAPI_TAG(0x7002, 0));
    CU_ASSERT_NOT_EQUAL(store_message_save(db, pool, mbox, m, &error),
                        STORE_OK);
    CU_ASSERT_EQUAL(count_chunks(), before);
}

static void test_mailbox_remove(void)
{
    const char *error = NULL;
    store_message *m = store_message_new(pool, mi->folder_ids[
                                         STORE_FOLDER_INBOX], 0);

    add_attachment(m, pattern(300000, 99), 300000);
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, &error), STORE_OK);
    CU_ASSERT(count_chunks() > 0);
    CU_ASSERT_EQUAL(store_mailbox_delete(db, pool, mbox, &error), STORE_OK);
    CU_ASSERT_EQUAL(count_chunks(), 0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("store blobs", suite_init, suite_clean);
    CU_add_test(s, "5 MiB attachment and 100 KiB body", test_round_trip);
    CU_add_test(s, "references and range reads", test_refs_and_ranges);
    CU_add_test(s, "threshold and resave", test_threshold);
    CU_add_test(s, "embedded message", test_embedded);
    CU_add_test(s, "copy, move, delete", test_copy_move_delete);
    CU_add_test(s, "empty folder", test_empty_folder);
    CU_add_test(s, "over STORE_MESSAGE_MAX", test_too_big);
    CU_add_test(s, "remove mailbox", test_mailbox_remove);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
