/*
 * test_store_perm.c: folder permissions in the store (store_perm.c) and
 * their evaluation, against a real environment in a temporary directory.
 * Requirement ids are [MS-OXCPERM]'s.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "store/store.h"
#include "wire/mapi_tags.h"

static char dir[] = "/tmp/mapi-unit-perm-XXXXXX";
static apr_pool_t *pool;
static mapi_db *db;
static const uint8_t owner[16] = { 0x50, 0x45, 0x52, 0x4D, 1, 2, 3, 4,
                                   5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t alice[16] = { 0xA1, 0x1C, 0xE0, 0, 1, 2, 3, 4,
                                   5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t bob[16] = { 0xB0, 0xB0, 0, 0, 1, 2, 3, 4,
                                 5, 6, 7, 8, 9, 10, 11, 12 };
static store_mailbox_info *mi;

static int suite_init(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!(db = unit_env_open(pool, dir)))
        return -1;
    if (store_mailbox_create(db, pool, owner, "Perm", NULL) != STORE_OK
        || store_mailbox_get(db, pool, owner, &mi, NULL) != STORE_OK)
        return -1;
    return 0;
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    unit_env_remove(dir);
    return 0;
}

static uint64_t inbox(void)
{
    return mi->folder_ids[STORE_FOLDER_INBOX];
}

static store_perm_change add(const uint8_t *who, uint32_t rights)
{
    store_perm_change c = { STORE_PERM_ADD, 0, {0}, rights, 0 };

    memcpy(c.member, who, 16);
    return c;
}

static store_perm_change by_id(uint8_t op, uint64_t id, uint32_t rights)
{
    store_perm_change c = { op, id, {0}, rights, 0 };

    return c;
}

static const store_perm_entry *find(const apr_array_header_t *l,
                                    const uint8_t *who)
{
    for (int i = 0; i < l->nelts; i++) {
        const store_perm_entry *e = &APR_ARRAY_IDX(l, i, store_perm_entry);

        if (e->member_id != STORE_MEMBER_DEFAULT
            && e->member_id != STORE_MEMBER_ANONYMOUS
            && memcmp(e->member, who, 16) == 0)
            return e;
    }
    return NULL;
}

static uint32_t rights_of(uint64_t fid, const uint8_t *who)
{
    uint32_t r = 0xDEADBEEF;

    CU_ASSERT_EQUAL_FATAL(store_perm_rights(db, pool, owner, fid, who, &r,
                                            NULL), STORE_OK);
    return r;
}

/* R189, R190: Default first and Anonymous last, there before any grant;
 * an add lists the member with a server-made id (R74); R1093: bits the
 * spec does not define are never stored. */
static void test_list_and_add(void)
{
    apr_array_header_t *l;
    store_perm_change c[2] = { add(alice, STORE_RIGHT_READ_ANY
                                          | STORE_RIGHT_FOLDER_VISIBLE
                                          | 0x00100000u),
                               add(bob, STORE_RIGHT_CREATE) };
    const store_perm_entry *a, *b;

    CU_ASSERT_EQUAL_FATAL(store_perm_list(db, pool, owner, inbox(), &l, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL(l->nelts, 2);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(l, 0, store_perm_entry).member_id,
                    STORE_MEMBER_DEFAULT);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(l, 1, store_perm_entry).member_id,
                    STORE_MEMBER_ANONYMOUS);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, inbox(), 0, c, 2, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_perm_list(db, pool, owner, inbox(), &l, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL(l->nelts, 4);
    a = find(l, alice);
    b = find(l, bob);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_NOT_EQUAL(a->member_id, b->member_id);
    CU_ASSERT_NOT_EQUAL(a->member_id, STORE_MEMBER_DEFAULT);
    CU_ASSERT_EQUAL(a->rights, STORE_RIGHT_READ_ANY
                               | STORE_RIGHT_FOLDER_VISIBLE);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(l, 3, store_perm_entry).member_id,
                    STORE_MEMBER_ANONYMOUS);
    /* Adding alice again does not list her twice. */
    c[0] = add(alice, STORE_RIGHT_READ_ANY | STORE_RIGHT_FOLDER_VISIBLE
                      | STORE_RIGHT_CREATE);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, inbox(), 0, c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_perm_list(db, pool, owner, inbox(), &l, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL(l->nelts, 4);
    CU_ASSERT_EQUAL(find(l, alice)->rights, STORE_RIGHT_READ_ANY
                    | STORE_RIGHT_FOLDER_VISIBLE | STORE_RIGHT_CREATE);
}

/* R175, R176: a member's own entry, else Default's; the owner has every
 * right; R1187 modify, R1175 unknown ids ignored, R1188 remove. */
static void test_evaluate_modify_remove(void)
{
    uint64_t drafts = mi->folder_ids[STORE_FOLDER_DRAFTS];
    apr_array_header_t *l;
    store_perm_change c[3];
    const store_perm_entry *b;
    const uint8_t nobody[16] = { 0x0B };

    CU_ASSERT_EQUAL(rights_of(inbox(), owner), STORE_RIGHTS_OWNER);
    CU_ASSERT_EQUAL(rights_of(drafts, owner), STORE_RIGHTS_OWNER);
    CU_ASSERT_EQUAL(rights_of(inbox(), bob), STORE_RIGHT_CREATE);
    CU_ASSERT_EQUAL(rights_of(inbox(), nobody), 0);
    CU_ASSERT_EQUAL(rights_of(drafts, alice), 0);
    /* Default gives everyone not listed FolderVisible. */
    c[0] = by_id(STORE_PERM_MODIFY, STORE_MEMBER_DEFAULT,
                 STORE_RIGHT_FOLDER_VISIBLE);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, inbox(), 0, c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(rights_of(inbox(), nobody), STORE_RIGHT_FOLDER_VISIBLE);
    CU_ASSERT_EQUAL(rights_of(inbox(), bob), STORE_RIGHT_CREATE);
    CU_ASSERT_EQUAL_FATAL(store_perm_list(db, pool, owner, inbox(), &l, NULL),
                          STORE_OK);
    b = find(l, bob);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    c[0] = by_id(STORE_PERM_MODIFY, b->member_id,
                 STORE_RIGHT_EDIT_OWNED | STORE_RIGHT_FOLDER_VISIBLE);
    c[1] = by_id(STORE_PERM_MODIFY, 0x0123456789ull, STORE_RIGHT_READ_ANY);
    c[2] = by_id(STORE_PERM_REMOVE, 0x0987654321ull, 0);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, inbox(), 0, c, 3, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(rights_of(inbox(), bob),
                    STORE_RIGHT_EDIT_OWNED | STORE_RIGHT_FOLDER_VISIBLE);
    c[0] = by_id(STORE_PERM_REMOVE, b->member_id, 0);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, inbox(), 0, c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(rights_of(inbox(), bob), STORE_RIGHT_FOLDER_VISIBLE);
    CU_ASSERT_EQUAL_FATAL(store_perm_list(db, pool, owner, inbox(), &l, NULL),
                          STORE_OK);
    CU_ASSERT_PTR_NULL(find(l, bob));
}

/* keep_mask: without IncludeFreeBusy the free/busy bits keep their
 * stored value (R40, R1182). */
static void test_keep_free_busy(void)
{
    uint64_t cal = mi->folder_ids[STORE_FOLDER_CALENDAR];
    store_perm_change c = add(alice, STORE_RIGHT_READ_ANY
                                     | STORE_RIGHTS_FREEBUSY);

    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, cal, 0, &c, 1, NULL),
                    STORE_OK);
    c = add(alice, STORE_RIGHT_FOLDER_VISIBLE);
    c.keep_mask = STORE_RIGHTS_FREEBUSY;
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, cal, 0, &c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(rights_of(cal, alice), STORE_RIGHT_FOLDER_VISIBLE
                                           | STORE_RIGHTS_FREEBUSY);
}

/* R1197: ReplaceRows keeps Default and replaces the rest; a failed
 * change (an unknown op) leaves everything as it was. */
static void test_replace_and_atomic(void)
{
    uint64_t fid = mi->folder_ids[STORE_FOLDER_INBOX];
    apr_array_header_t *l;
    store_perm_change c[2] = { add(bob, STORE_RIGHT_READ_ANY),
                               by_id(0x40, 1, 0) };

    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, fid, 1, c, 2, NULL),
                    STORE_INVALID);
    CU_ASSERT_NOT_EQUAL(rights_of(fid, alice), 0);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, fid, 1, c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_perm_list(db, pool, owner, fid, &l, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL(l->nelts, 3);
    CU_ASSERT_PTR_NULL(find(l, alice));
    CU_ASSERT_PTR_NOT_NULL(find(l, bob));
    /* Default kept: alice, now unlisted, gets its FolderVisible. */
    CU_ASSERT_EQUAL(rights_of(fid, alice), STORE_RIGHT_FOLDER_VISIBLE);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, 0x7777000000000001ull,
                                      0, c, 1, NULL), STORE_NOT_FOUND);
}

/* RopLogon's test: any right but free/busy on some folder. */
static void test_any(void)
{
    const uint8_t carol[16] = { 0xCA };
    uint64_t cal = mi->folder_ids[STORE_FOLDER_CALENDAR];
    uint64_t inb = inbox();
    store_perm_change c;
    int any = -1;

    /* Inbox Default is FolderVisible: everyone may log on. */
    CU_ASSERT_EQUAL(store_perm_any(db, pool, owner, carol, STORE_RIGHTS_LOGON,
                                   &any, NULL), STORE_OK);
    CU_ASSERT_EQUAL(any, 1);
    c = by_id(STORE_PERM_REMOVE, STORE_MEMBER_DEFAULT, 0);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, inb, 0, &c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(store_perm_any(db, pool, owner, carol, STORE_RIGHTS_LOGON,
                                   &any, NULL), STORE_OK);
    CU_ASSERT_EQUAL(any, 0);
    /* Free/busy alone opens nothing. */
    c = add(carol, STORE_RIGHT_FREEBUSY_SIMPLE);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, cal, 0, &c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(store_perm_any(db, pool, owner, carol, STORE_RIGHTS_LOGON,
                                   &any, NULL), STORE_OK);
    CU_ASSERT_EQUAL(any, 0);
    CU_ASSERT_EQUAL(store_perm_any(db, pool, owner, alice, STORE_RIGHTS_LOGON,
                                   &any, NULL), STORE_OK);
    CU_ASSERT_EQUAL(any, 1);       /* FolderVisible on the Calendar */
    CU_ASSERT_EQUAL(store_perm_any(db, pool, owner, owner, STORE_RIGHTS_LOGON,
                                   &any, NULL), STORE_OK);
    CU_ASSERT_EQUAL(any, 1);
}

/* R121-R144: the owned rules. */
static void test_allows(void)
{
    uint32_t reviewer = STORE_RIGHT_READ_ANY | STORE_RIGHT_FOLDER_VISIBLE;
    uint32_t author = reviewer | STORE_RIGHT_CREATE | STORE_RIGHT_EDIT_OWNED
                      | STORE_RIGHT_DELETE_OWNED;
    uint32_t editor = author | STORE_RIGHT_EDIT_ANY | STORE_RIGHT_DELETE_ANY;

    CU_ASSERT_TRUE(store_perm_allows(reviewer, 0, STORE_PERM_READ));
    CU_ASSERT_FALSE(store_perm_allows(0, 0, STORE_PERM_READ));     /* R144 */
    CU_ASSERT_TRUE(store_perm_allows(0, 1, STORE_PERM_READ));
    CU_ASSERT_FALSE(store_perm_allows(reviewer, 1, STORE_PERM_EDIT));
    CU_ASSERT_FALSE(store_perm_allows(reviewer, 0, STORE_PERM_DELETE));
    CU_ASSERT_TRUE(store_perm_allows(author, 1, STORE_PERM_EDIT));   /* R131 */
    CU_ASSERT_FALSE(store_perm_allows(author, 0, STORE_PERM_EDIT));  /* R125 */
    CU_ASSERT_TRUE(store_perm_allows(author, 1, STORE_PERM_DELETE)); /* R127 */
    CU_ASSERT_FALSE(store_perm_allows(author, 0, STORE_PERM_DELETE));/* R122 */
    CU_ASSERT_TRUE(store_perm_allows(editor, 0, STORE_PERM_EDIT));   /* R124 */
    CU_ASSERT_TRUE(store_perm_allows(editor, 0, STORE_PERM_DELETE)); /* R121 */
    CU_ASSERT_FALSE(store_perm_allows(STORE_RIGHT_EDIT_ANY, 0, 99));
}

/* The creator: a PermanentEntryID of the DN, read back; a message names
 * its creator through PidTagCreatorEntryId. */
static void test_creator(void)
{
    const char *dn = "/o=Org/ou=Exchange Administrative Group "
                     "(FYDIBOHF23SPDLT)/cn=Recipients/cn=alice";
    store_message *m = store_message_new(pool, inbox(), 0);
    rop_bin eid;

    store_ab_entry_id(pool, dn, &eid);
    CU_ASSERT_EQUAL(eid.len, 28 + strlen(dn) + 1);
    CU_ASSERT_EQUAL(eid.data[0], 0);
    CU_ASSERT_EQUAL(eid.data[4], 0xDC);
    CU_ASSERT_STRING_EQUAL(store_ab_entry_id_dn(pool, eid.data, eid.len), dn);
    CU_ASSERT_PTR_NULL(store_ab_entry_id_dn(pool, eid.data, 20));
    CU_ASSERT_PTR_NULL(store_ab_entry_id_dn(pool, eid.data, eid.len - 1));
    CU_ASSERT_FALSE(store_message_created_by(pool, m, dn));
    store_props_set_bin(&m->props, PidTagCreatorEntryId, eid.data, eid.len);
    CU_ASSERT_TRUE(store_message_created_by(pool, m, dn));
    CU_ASSERT_TRUE(store_message_created_by(pool, m,
                   apr_pstrcat(pool, "/O=ORG", dn + 6, NULL)));
    CU_ASSERT_FALSE(store_message_created_by(pool, m, "/o=Org/cn=bob"));
}

/* Deleting a folder deletes its list; a mailbox's deletion everything. */
static void test_drop(void)
{
    apr_array_header_t *l;
    store_perm_change c = add(alice, STORE_RIGHT_READ_ANY);
    uint64_t fid = 0;
    uint32_t r;

    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, owner, inbox(),
                          STORE_FOLDER_GENERIC, "Shared", NULL, &fid, NULL),
                          STORE_OK);
    CU_ASSERT_EQUAL(store_perm_modify(db, pool, owner, fid, 0, &c, 1, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(rights_of(fid, alice), STORE_RIGHT_READ_ANY);
    CU_ASSERT_EQUAL(store_folder_delete(db, pool, owner, fid, STORE_DEL_HARD,
                                        NULL), STORE_OK);
    CU_ASSERT_EQUAL(store_perm_list(db, pool, owner, fid, &l, NULL),
                    STORE_NOT_FOUND);
    CU_ASSERT_EQUAL(store_perm_rights(db, pool, owner, fid, alice, &r, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_EQUAL(store_mailbox_delete(db, pool, owner, NULL), STORE_OK);
    CU_ASSERT_EQUAL(store_perm_rights(db, pool, owner,
                                      mi->folder_ids[STORE_FOLDER_CALENDAR],
                                      alice, &r, NULL), STORE_OK);
    CU_ASSERT_EQUAL(r, 0);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("permissions", suite_init, suite_clean);
    CU_add_test(s, "list and add (R74 R189 R190 R1093)", test_list_and_add);
    CU_add_test(s, "evaluate, modify, remove (R175 R176 R1175 R1187 R1188)",
                test_evaluate_modify_remove);
    CU_add_test(s, "free/busy kept without IncludeFreeBusy (R40)",
                test_keep_free_busy);
    CU_add_test(s, "ReplaceRows and atomicity (R1197)",
                test_replace_and_atomic);
    CU_add_test(s, "rights that open a mailbox", test_any);
    CU_add_test(s, "owned-message rules (R121-R144)", test_allows);
    CU_add_test(s, "creator EntryID", test_creator);
    CU_add_test(s, "dropped with folder and mailbox", test_drop);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    {
        unsigned failed = CU_get_number_of_failures();

        CU_cleanup_registry();
        return failed ? 1 : 0;
    }
}
