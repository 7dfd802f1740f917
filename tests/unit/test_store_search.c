/*
 * test_store_search.c: search folder criteria and matching
 * (store_search.c, [MS-OXCFOLD] 3.2.5.4) and the grouping of categorized
 * tables (store_category.c, [MS-OXCTABL]), against a real environment in
 * a temporary directory.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "store/store.h"
#include "store/store_table.h"
#include "wire/mapi_tags.h"

static char dir[] = "/tmp/mapi-unit-search-XXXXXX";
static apr_pool_t *pool;
static mapi_db *db;
static const uint8_t mbox[16] = { 0x53, 0x45, 0x41, 0x52, 1, 2, 3, 4,
                                  5, 6, 7, 8, 9, 10, 11, 12 };
static store_mailbox_info *mi;

static int suite_init(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!(db = unit_env_open(pool, dir)))
        return -1;
    if (store_mailbox_create(db, pool, mbox, "Search", NULL) != STORE_OK
        || store_mailbox_get(db, pool, mbox, &mi, NULL) != STORE_OK)
        return -1;
    return 0;
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    unit_env_remove(dir);
    return 0;
}

static uint64_t put_msg(uint64_t fid, const char *subject, const char *cls,
                        int read)
{
    store_message *m = store_message_new(pool, fid, 0);

    store_props_set_str(&m->props, PidTagSubject, subject);
    store_props_set_str(&m->props, PidTagMessageClass, cls);
    store_props_set_u32(&m->props, PidTagMessageFlags,
                        read ? MSGFLAG_READ : 0);
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, m, NULL),
                          STORE_OK);
    return m->mid;
}

/* Unread: Bitmask BMR_EQZ on PidTagMessageFlags & mfRead. */
static rop_restriction *unread(void)
{
    rop_restriction *r = apr_pcalloc(pool, sizeof(*r));

    r->type = ROP_RES_BITMASK;
    r->u.bitmask.relop = STORE_BMR_EQZ;
    r->u.bitmask.tag = PidTagMessageFlags;
    r->u.bitmask.mask = MSGFLAG_READ;
    return r;
}

static int rows_has(apr_array_header_t *rows, uint64_t mid, uint64_t fid)
{
    for (int i = 0; i < rows->nelts; i++) {
        store_row *row = APR_ARRAY_IDX(rows, i, store_row *);
        const rop_propval *f = store_props_get(&row->props, PidTagFolderId);

        if (row->id == mid)
            return f && f->v.d == fid;
    }
    return 0;
}

static uint32_t folder_u32(uint64_t fid, uint32_t tag)
{
    store_folder *f;
    store_props p;
    const rop_propval *v;

    store_props_init(&p, pool);
    if (store_folder_get(db, pool, mbox, fid, &f, NULL) != STORE_OK
        || store_folder_all_props(db, pool, mbox, f, &p, NULL) != STORE_OK
        || !(v = store_props_get(&p, tag)))
        return 0xFFFFFFFFu;
    return v->v.l;
}

/* Criteria round trip, recursive matching with each row's own folder
 * (R1172), following a new message and a read flag (R1095-R1097), counts
 * of the search folder, and a static snapshot (R1084, R1093). */
static void test_search(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    uint64_t finder = mi->folder_ids[STORE_FOLDER_FINDER];
    uint64_t sub = 0, sf = 0, sf2 = 0, a, b, c, d;
    store_search s = { 0 }, *got;
    apr_array_header_t *rows;

    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, inbox,
                          STORE_FOLDER_GENERIC, "sub", NULL, &sub, NULL),
                          STORE_OK);
    a = put_msg(inbox, "a", "IPM.Note", 0);
    b = put_msg(inbox, "b", "IPM.Note", 1);
    c = put_msg(sub, "c", "IPM.Note", 0);
    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, finder,
                          STORE_FOLDER_SEARCH, "unread", NULL, &sf, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL(store_search_get(db, pool, mbox, sf, &got, NULL),
                    STORE_NOT_FOUND);
    /* A generic folder takes no criteria. */
    s.n_folders = 1;
    s.folders = &inbox;
    s.restriction = unread();
    s.flags = STORE_SEARCH_RECURSIVE;
    CU_ASSERT_EQUAL(store_search_set(db, pool, mbox, sub, &s, 1, NULL),
                    STORE_INVALID);
    CU_ASSERT_EQUAL_FATAL(store_search_set(db, pool, mbox, sf, &s, 1, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_search_get(db, pool, mbox, sf, &got, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL(got->n_folders, 1);
    CU_ASSERT_EQUAL(got->folders[0], inbox);
    CU_ASSERT_PTR_NOT_NULL(got->restriction);
    CU_ASSERT(store_search_state(got) & STORE_SEARCH_ST_RECURSIVE);
    CU_ASSERT(store_search_state(got) & STORE_SEARCH_ST_RUNNING);

    CU_ASSERT_EQUAL(store_search_rows(db, pool, mbox, mi, sf, &rows, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(rows->nelts, 2);
    CU_ASSERT(rows_has(rows, a, inbox));
    CU_ASSERT(rows_has(rows, c, sub));
    CU_ASSERT_EQUAL(folder_u32(sf, PidTagContentCount), 2);
    CU_ASSERT_EQUAL(folder_u32(sf, PidTagContentUnreadCount), 2);

    /* New mail matches at once; a message read leaves. */
    d = put_msg(sub, "d", "IPM.Note", 0);
    CU_ASSERT_EQUAL(store_message_set_flags(db, pool, mbox, a, MSGFLAG_READ,
                                            0, NULL, NULL), STORE_OK);
    store_search_rows(db, pool, mbox, mi, sf, &rows, NULL);
    CU_ASSERT_EQUAL(rows->nelts, 2);
    CU_ASSERT(rows_has(rows, c, sub) && rows_has(rows, d, sub));
    CU_ASSERT(!rows_has(rows, a, inbox) && !rows_has(rows, b, inbox));
    CU_ASSERT(store_search_holds(db, pool, mbox, sf, d));
    CU_ASSERT(!store_search_holds(db, pool, mbox, sf, a));

    /* Shallow: only the Inbox itself. */
    s.flags = 0;
    store_search_set(db, pool, mbox, sf, &s, 1, NULL);
    store_search_rows(db, pool, mbox, mi, sf, &rows, NULL);
    CU_ASSERT_EQUAL(rows->nelts, 0);

    /* Static: the snapshot does not take new mail. */
    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, finder,
                          STORE_FOLDER_SEARCH, "static", NULL, &sf2, NULL),
                          STORE_OK);
    s.folders = &sub;
    s.flags = STORE_SEARCH_STATIC;
    CU_ASSERT_EQUAL(store_search_set(db, pool, mbox, sf2, &s, 1, NULL),
                    STORE_OK);
    put_msg(sub, "e", "IPM.Note", 0);
    store_search_rows(db, pool, mbox, mi, sf2, &rows, NULL);
    CU_ASSERT_EQUAL(rows->nelts, 2);
    store_search_get(db, pool, mbox, sf2, &got, NULL);
    CU_ASSERT(store_search_state(got) & STORE_SEARCH_ST_STATIC);
    CU_ASSERT(!(store_search_state(got) & STORE_SEARCH_ST_RUNNING));
    /* A restart takes a new snapshot (R551). */
    store_search_set(db, pool, mbox, sf2, got, 1, NULL);
    store_search_rows(db, pool, mbox, mi, sf2, &rows, NULL);
    CU_ASSERT_EQUAL(rows->nelts, 3);

    /* Deleting the search folder deletes its criteria, not the mail
     * (R416, R417). */
    CU_ASSERT_EQUAL(store_folder_delete(db, pool, mbox, sf2, STORE_DEL_HARD,
                                        NULL), STORE_OK);
    CU_ASSERT_EQUAL(store_search_get(db, pool, mbox, sf2, &got, NULL),
                    STORE_NOT_FOUND);
    CU_ASSERT_EQUAL(folder_u32(sub, PidTagContentCount), 3);
}

/* ---- categories ---------------------------------------------------- */

static store_row *leaf(uint64_t id, const char *cls, const char *subject,
                       int read)
{
    store_row *r = apr_pcalloc(pool, sizeof(*r));

    store_props_init(&r->props, pool);
    r->id = id;
    store_props_set_str(&r->props, PidTagMessageClass, cls);
    store_props_set_str(&r->props, PidTagSubject, subject);
    store_props_set_u32(&r->props, PidTagMessageFlags,
                        read ? MSGFLAG_READ : 0);
    return r;
}

static uint32_t u32_of(const store_row *r, uint32_t tag)
{
    const rop_propval *v = store_props_get(&r->props, tag);

    return v ? v->v.l : 0xFFFFFFFFu;
}

static apr_array_header_t *five_leaves(void)
{
    apr_array_header_t *rows = apr_array_make(pool, 5, sizeof(store_row *));

    APR_ARRAY_PUSH(rows, store_row *) = leaf(0x101, "IPM.Note", "n2", 0);
    APR_ARRAY_PUSH(rows, store_row *) = leaf(0x201, "IPM.Task", "t1", 1);
    APR_ARRAY_PUSH(rows, store_row *) = leaf(0x301, "ipm.note", "n1", 1);
    APR_ARRAY_PUSH(rows, store_row *) = leaf(0x401, "IPM.Note", "n3", 0);
    APR_ARRAY_PUSH(rows, store_row *) = leaf(0x501, "IPM.Task", "t2", 0);
    return rows;
}

/* One level by class, then subject: headers with counts (R66, R67), ids
 * stable across groupings, collapse by toggling. */
static void test_categories(void)
{
    static const rop_sort_order by_class_subject[] = {
        { ROP_PT_UNICODE, PidTagMessageClass >> 16, 0 },
        { ROP_PT_UNICODE, PidTagSubject >> 16, 0 },
    };
    store_category_view v = { 1, 1, by_class_subject, 2, NULL, 0 };
    store_category_result res, again;
    store_row *h0, *h1;
    uint64_t id;

    store_rows_categorize(pool, five_leaves(), &v, &res);
    CU_ASSERT_EQUAL_FATAL(res.visible->nelts, 7);
    CU_ASSERT_EQUAL(apr_hash_count(res.headers), 2);
    h0 = APR_ARRAY_IDX(res.visible, 0, store_row *);
    CU_ASSERT_EQUAL(u32_of(h0, PidTagRowType), STORE_ROW_EXPANDED_CATEGORY);
    CU_ASSERT_EQUAL(u32_of(h0, PidTagDepth), 0);
    CU_ASSERT_EQUAL(u32_of(h0, PidTagContentCount), 3);   /* case folded */
    CU_ASSERT_EQUAL(u32_of(h0, PidTagContentUnreadCount), 2);
    CU_ASSERT_EQUAL(h0->id & 0xFFFF, 0);
    CU_ASSERT_EQUAL(u32_of(APR_ARRAY_IDX(res.visible, 1, store_row *),
                           PidTagDepth), 1);
    CU_ASSERT_EQUAL(u32_of(APR_ARRAY_IDX(res.visible, 1, store_row *),
                           PidTagRowType), STORE_ROW_LEAF);
    h1 = APR_ARRAY_IDX(res.visible, 4, store_row *);
    CU_ASSERT_EQUAL(u32_of(h1, PidTagContentCount), 2);
    CU_ASSERT_EQUAL(u32_of(h1, PidTagContentUnreadCount), 1);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(res.visible, 5, store_row *)->id, 0x201);

    /* Collapse the first: its leaves disappear, the id stays. */
    id = h0->id;
    v.toggled = &id;
    v.n_toggled = 1;
    store_rows_categorize(pool, five_leaves(), &v, &again);
    CU_ASSERT_EQUAL(again.visible->nelts, 4);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(again.visible, 0, store_row *)->id, id);
    CU_ASSERT(!store_category_expanded(APR_ARRAY_IDX(again.visible, 0,
                                                     store_row *)));
    /* ExpandedCount 0: everything starts collapsed, the toggle opens. */
    v.expanded = 0;
    store_rows_categorize(pool, five_leaves(), &v, &again);
    CU_ASSERT_EQUAL(again.visible->nelts, 5);
    v.n_toggled = 0;
    store_rows_categorize(pool, five_leaves(), &v, &again);
    CU_ASSERT_EQUAL(again.visible->nelts, 2);
    /* Two levels: class, then subject headers under each. */
    v.categories = 2;
    v.expanded = 2;
    store_rows_categorize(pool, five_leaves(), &v, &again);
    CU_ASSERT_EQUAL(again.visible->nelts, 2 + 5 + 5);
    CU_ASSERT_EQUAL(apr_hash_count(again.headers), 7);
    CU_ASSERT_EQUAL(u32_of(APR_ARRAY_IDX(again.visible, 2, store_row *),
                           PidTagDepth), 2);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("search folders and categories", suite_init,
                     suite_clean);
    CU_add_test(s, "search criteria and matching (R1095 R1096 R1172 R1084 "
                "R551 R416)", test_search);
    CU_add_test(s, "category grouping (R66 R67 R433)", test_categories);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    {
        unsigned failed = CU_get_number_of_failures();

        CU_cleanup_registry();
        return failed ? 1 : 0;
    }
}
