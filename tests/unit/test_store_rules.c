/*
 * test_rules.c: rules in the store (store_rule.c) and their evaluation at
 * delivery (dlv_rules.c), against a real environment in a temporary
 * directory.  Requirement ids are [MS-OXORULE]'s.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <apr_strings.h>
#include "unit_env.h"
#include "delivery/dlv.h"
#include "store/store.h"
#include "wire/mapi_tags.h"

static char dir[] = "/tmp/mapi-unit-rules-XXXXXX";
static apr_pool_t *pool;
static mapi_db *db;
static const uint8_t mbox[16] = { 0x52, 0x55, 0x4C, 0x45, 1, 2, 3, 4,
                                  5, 6, 7, 8, 9, 10, 11, 12 };
static store_mailbox_info *mi;
static cfg_mailbox mbx;

static int suite_init(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!(db = unit_env_open(pool, dir)))
        return -1;
    if (store_mailbox_create(db, pool, mbox, "Rules", NULL) != STORE_OK
        || store_mailbox_get(db, pool, mbox, &mi, NULL) != STORE_OK)
        return -1;
    memcpy(mbx.guid, mbox, 16);
    mbx.smtp = "rules@mapi.test";
    mbx.display_name = "Rules";
    return 0;
}

static int suite_clean(void)
{
    mapi_db_close(&db);
    unit_env_remove(dir);
    return 0;
}

/* ---- building rules ---------------------------------------------------- */

static rop_restriction *subject_contains(const char *s)
{
    rop_restriction *r = apr_pcalloc(pool, sizeof(*r));

    r->type = ROP_RES_CONTENT;
    r->u.content.fuzzy_low = 0x0001;     /* FL_SUBSTRING */
    r->u.content.fuzzy_high = 0x0001;    /* FL_IGNORECASE */
    r->u.content.tag = PidTagSubject;
    r->u.content.val.tag = PidTagSubject;
    r->u.content.val.v.str = s;
    return r;
}

static rop_action_block block(uint8_t type, uint32_t flavor,
                              const void *data, uint32_t len)
{
    rop_action_block b = { type, flavor, 0, { len, data } };

    return b;
}

/* OP_MOVE / OP_COPY data with a ServerEid of fid. */
static rop_action_block move_copy(uint8_t type, uint64_t fid)
{
    uint8_t *d = apr_pcalloc(pool, 1 + 2 + 2 + 21);
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, d, 26);
    mapi_wr_u8(&wr, 1);          /* FolderInThisStore */
    mapi_wr_u16(&wr, 0);         /* StoreEIDSize */
    mapi_wr_u16(&wr, 21);
    mapi_wr_u8(&wr, 1);          /* Ours */
    mapi_wr_u64(&wr, fid);
    mapi_wr_u64(&wr, 0);
    mapi_wr_u32(&wr, 0);
    return block(type, 0, d, (uint32_t)wr.len);
}

static void props_rule(store_props *p, uint32_t seq, uint32_t state,
                       const char *name, rop_restriction *cond,
                       rop_action_block *blocks, uint16_t n)
{
    rop_rule_actions *a = apr_pcalloc(pool, sizeof(*a));
    rop_propval v;

    store_props_init(p, pool);
    store_props_set_u32(p, PidTagRuleSequence, seq);
    store_props_set_u32(p, PidTagRuleState, state);
    store_props_set_str(p, PidTagRuleName, name);
    store_props_set_str(p, PidTagRuleProvider, "RuleOrganizer");
    a->count = n;
    a->blocks = blocks;
    memset(&v, 0, sizeof(v));
    v.tag = PidTagRuleCondition;
    v.v.res = cond;
    store_props_set(p, &v);
    v.tag = PidTagRuleActions;
    v.v.actions = a;
    store_props_set(p, &v);
}

static uint64_t add_rule(uint64_t fid, uint32_t seq, uint32_t state,
                         const char *name, rop_restriction *cond,
                         rop_action_block *blocks, uint16_t n)
{
    store_props p;
    store_rule_change c = { STORE_RULE_ADD, 0, &p };
    uint64_t id = 0;

    props_rule(&p, seq, state, name, cond, blocks, n);
    CU_ASSERT_EQUAL(store_rule_modify(db, pool, mbox, fid, 0, &c, 1, &id,
                                      NULL), STORE_OK);
    return id;
}

static void clear_rules(uint64_t fid)
{
    CU_ASSERT_EQUAL(store_rule_modify(db, pool, mbox, fid, 1, NULL, 0, NULL,
                                      NULL), STORE_OK);
}

static store_message *mail(const char *subject)
{
    store_message *m = store_message_new(pool, 0, 0);

    store_props_set_str(&m->props, PidTagMessageClass, "IPM.Note");
    store_props_set_str(&m->props, PidTagSubject, subject);
    store_props_set_u32(&m->props, PidTagMessageFlags, 0);
    return m;
}

static const char raw[] = "From: a@example.org\r\nTo: rules@mapi.test\r\n"
                          "Subject: x\r\n\r\nbody\r\n";

static void evaluate(store_message *m, dlv_rules_plan *plan)
{
    static dlv_request req = { "rules@mapi.test", "a@example.org",
                               (const uint8_t *)raw, sizeof(raw) - 1, NULL };

    CU_ASSERT_EQUAL(dlv_rules_evaluate(db, pool, &mbx,
                                       mi->folder_ids[STORE_FOLDER_INBOX],
                                       &req, m, plan), DLV_OK);
}

static unsigned count_in(uint64_t fid)
{
    apr_array_header_t *ids;

    CU_ASSERT_EQUAL(store_folder_list(db, pool, mbox, fid,
                                      STORE_LIST_MESSAGES, &ids, NULL),
                    STORE_OK);
    return (unsigned)ids->nelts;
}

/* ---- storage ------------------------------------------------------------ */

/* R597, R598: ids assigned and unique; R57: listed in sequence order;
 * ROW_MODIFY, ROW_REMOVE, unknown ids NOT_FOUND; ST_ERROR stays the
 * server's (R66); PidTagHasRules (R605, R606); the folder takes its
 * rules with it. */
static void test_storage(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX], sub = 0, a, b;
    rop_action_block del = block(ROP_OP_DELETE, 0, NULL, 0);
    apr_array_header_t *rules;
    store_folder *f;
    store_props all, mod;
    store_rule_change c;

    CU_ASSERT_EQUAL_FATAL(store_folder_create(db, pool, mbox, inbox, 1,
                                              "store", NULL, &sub, NULL),
                          STORE_OK);
    CU_ASSERT_FALSE(store_rule_any(db, pool, mbox, sub));
    a = add_rule(sub, 20, STORE_ST_ENABLED, "second", subject_contains("x"),
                 &del, 1);
    b = add_rule(sub, 10, STORE_ST_ENABLED, "first", subject_contains("y"),
                 &del, 1);
    CU_ASSERT(a != 0 && b != 0 && a != b);
    CU_ASSERT_EQUAL(store_rule_list(db, pool, mbox, sub, &rules, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL_FATAL(rules->nelts, 2);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(rules, 0, store_rule *)->id, b);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(rules, 1, store_rule *)->id, a);
    /* Condition and actions come back parsed. */
    CU_ASSERT_PTR_NOT_NULL(store_props_get(
        &APR_ARRAY_IDX(rules, 0, store_rule *)->props, PidTagRuleCondition));
    CU_ASSERT_EQUAL(store_props_get(&APR_ARRAY_IDX(rules, 0, store_rule *)
                                    ->props, PidTagRuleActions)
                    ->v.actions->blocks[0].type, ROP_OP_DELETE);

    CU_ASSERT_EQUAL(store_folder_get(db, pool, mbox, sub, &f, NULL), STORE_OK);
    store_props_init(&all, pool);
    CU_ASSERT_EQUAL(store_folder_all_props(db, pool, mbox, f, &all, NULL),
                    STORE_OK);
    CU_ASSERT(store_props_get(&all, PidTagHasRules)
              && store_props_get(&all, PidTagHasRules)->v.b);

    store_props_init(&mod, pool);
    store_props_set_u32(&mod, PidTagRuleSequence, 30);
    store_props_set_u32(&mod, PidTagRuleState,
                        STORE_ST_ENABLED | STORE_ST_ERROR);
    c.op = STORE_RULE_MODIFY;
    c.id = b;
    c.props = &mod;
    CU_ASSERT_EQUAL(store_rule_modify(db, pool, mbox, sub, 0, &c, 1, NULL,
                                      NULL), STORE_OK);
    CU_ASSERT_EQUAL(store_rule_list(db, pool, mbox, sub, &rules, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(rules, 1, store_rule *)->id, b);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(rules, 1, store_rule *)->state,
                    STORE_ST_ENABLED);

    c.id = 0x123456789ull;
    CU_ASSERT_EQUAL(store_rule_modify(db, pool, mbox, sub, 0, &c, 1, NULL,
                                      NULL), STORE_NOT_FOUND);
    c.op = STORE_RULE_REMOVE;
    CU_ASSERT_EQUAL(store_rule_modify(db, pool, mbox, sub, 0, &c, 1, NULL,
                                      NULL), STORE_NOT_FOUND);
    c.id = a;
    CU_ASSERT_EQUAL(store_rule_modify(db, pool, mbox, sub, 0, &c, 1, NULL,
                                      NULL), STORE_OK);
    CU_ASSERT_EQUAL(store_rule_list(db, pool, mbox, sub, &rules, NULL),
                    STORE_OK);
    CU_ASSERT_EQUAL(rules->nelts, 1);

    CU_ASSERT_EQUAL(store_folder_delete(db, pool, mbox, sub,
                                        STORE_DEL_MESSAGES | STORE_DEL_FOLDERS
                                        | STORE_DEL_HARD, NULL), STORE_OK);
    CU_ASSERT_FALSE(store_rule_any(db, pool, mbox, sub));
}

/* ---- evaluation ---------------------------------------------------------- */

/* A condition that does not match does nothing; one that matches moves;
 * R57 order; ST_EXIT_LEVEL stops (R857); disabled rules are skipped
 * (R63). */
static void test_match_move_exit_level(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX], list = 0, other = 0;
    rop_action_block mv, cp, rd = block(ROP_OP_MARK_AS_READ, 0, NULL, 0);
    dlv_rules_plan plan;
    store_message *m;

    store_folder_create(db, pool, mbox, inbox, 1, "list", NULL, &list, NULL);
    store_folder_create(db, pool, mbox, inbox, 1, "other", NULL, &other,
                        NULL);
    mv = move_copy(ROP_OP_MOVE, list);
    cp = move_copy(ROP_OP_COPY, other);
    add_rule(inbox, 1, STORE_ST_ENABLED | STORE_ST_EXIT_LEVEL, "lists",
             subject_contains("[list]"), &mv, 1);
    add_rule(inbox, 2, STORE_ST_ENABLED, "copy all", subject_contains(""),
             &cp, 1);
    add_rule(inbox, 3, 0, "disabled read", subject_contains(""), &rd, 1);

    evaluate(m = mail("hello"), &plan);
    CU_ASSERT_EQUAL(plan.n_matched, 1);          /* only "copy all" */
    CU_ASSERT_EQUAL(plan.move_fid, 0);
    CU_ASSERT_EQUAL_FATAL(plan.copies->nelts, 1);
    CU_ASSERT_EQUAL(APR_ARRAY_IDX(plan.copies, 0, uint64_t), other);
    CU_ASSERT_EQUAL(store_props_get(&m->props, PidTagMessageFlags)->v.l, 0);

    evaluate(mail("[list] news"), &plan);
    CU_ASSERT_EQUAL(plan.n_matched, 1);          /* exit level */
    CU_ASSERT_EQUAL(plan.move_fid, list);
    CU_ASSERT_EQUAL(plan.copies->nelts, 0);
    clear_rules(inbox);
}

/* OP_MARK_AS_READ, OP_TAG, OP_DELETE change the message; dlv_deliver's
 * filing then follows the plan (a copy saved, the original not). */
static void test_read_tag_delete(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX], keep = 0;
    uint8_t tagdata[8];
    rop_action_block acts[3];
    dlv_rules_plan plan;
    store_message *m;
    mapi_wr wr;

    mapi_wr_init_fixed(&wr, tagdata, sizeof(tagdata));
    mapi_wr_u32(&wr, 0x00170003u);               /* PidTagImportance */
    mapi_wr_u32(&wr, 2);
    acts[0] = block(ROP_OP_MARK_AS_READ, 0, NULL, 0);
    acts[1] = block(ROP_OP_TAG, 0, tagdata, 8);
    add_rule(inbox, 1, STORE_ST_ENABLED, "read+tag", subject_contains("mark"),
             acts, 2);
    evaluate(m = mail("mark me"), &plan);
    CU_ASSERT(store_props_get(&m->props, PidTagMessageFlags)->v.l
              & MSGFLAG_READ);
    CU_ASSERT(store_props_get(&m->props, 0x00170003u)
              && store_props_get(&m->props, 0x00170003u)->v.l == 2);
    CU_ASSERT_FALSE(plan.deleted);
    clear_rules(inbox);

    store_folder_create(db, pool, mbox, inbox, 1, "kept", NULL, &keep, NULL);
    acts[0] = move_copy(ROP_OP_COPY, keep);
    acts[1] = block(ROP_OP_DELETE, 0, NULL, 0);
    add_rule(inbox, 1, STORE_ST_ENABLED, "copy+delete",
             subject_contains("spam"), acts, 2);
    evaluate(mail("spam spam"), &plan);
    CU_ASSERT(plan.deleted);
    CU_ASSERT_EQUAL(plan.copies->nelts, 1);
    clear_rules(inbox);
}

/* A move to a folder that is gone and an action the store cannot parse
 * become a DEM (R809-R812) and set ST_ERROR (R813), once (R581);
 * OP_DEFER_ACTION becomes a DAM (R808) in the Deferred Action folder. */
static void test_dam_dem(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    uint64_t daf = mi->folder_ids[STORE_FOLDER_DEFERRED_ACTION];
    static const uint8_t opaque[] = { 0xDE, 0xAD };
    rop_action_block bad = move_copy(ROP_OP_MOVE, 0x0001000000AB0001ull);
    rop_action_block defer = block(ROP_OP_DEFER_ACTION, 0, opaque, 2);
    apr_array_header_t *ids, *rules;
    dlv_rules_plan plan;
    store_message *m, *dm;
    unsigned before = count_in(daf);
    int dams = 0, dems = 0;

    add_rule(inbox, 1, STORE_ST_ENABLED, "broken", subject_contains("z"),
             &bad, 1);
    add_rule(inbox, 2, STORE_ST_ENABLED, "client", subject_contains("z"),
             &defer, 1);
    evaluate(m = mail("zzz"), &plan);
    CU_ASSERT_EQUAL(plan.errors->nelts, 1);
    CU_ASSERT_EQUAL(plan.deferred->nelts, 1);
    m->fid = inbox;
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, NULL), STORE_OK);
    dlv_rules_finish(&plan, m, inbox, m->mid);
    CU_ASSERT_EQUAL(plan.n_dams, 1);
    CU_ASSERT_EQUAL(plan.n_dems, 1);
    CU_ASSERT_EQUAL(count_in(daf), before + 2);
    store_folder_list(db, pool, mbox, daf, STORE_LIST_MESSAGES, &ids, NULL);
    for (int i = 0; i < ids->nelts; i++) {
        const rop_propval *cls;

        store_message_get(db, pool, mbox, APR_ARRAY_IDX(ids, i, uint64_t),
                          &dm, NULL);
        cls = store_props_get(&dm->props, PidTagMessageClass);
        if (cls && !strcmp(cls->v.str,
                           "IPC.Microsoft Exchange 4.0.Deferred Action")) {
            dams++;
            CU_ASSERT_PTR_NOT_NULL(store_props_get(&dm->props, 0x66460102u));
            CU_ASSERT_PTR_NOT_NULL(store_props_get(&dm->props, 0x66450102u));
        }
        if (cls && !strcmp(cls->v.str,
                           "IPC.Microsoft Exchange 4.0.Deferred Error")) {
            dems++;
            CU_ASSERT_EQUAL(store_props_get(&dm->props, 0x66480003u)->v.l,
                            DLV_RULE_ERR_NO_FOLDER);
        }
    }
    CU_ASSERT_EQUAL(dams, 1);
    CU_ASSERT_EQUAL(dems, 1);
    store_rule_list(db, pool, mbox, inbox, &rules, NULL);
    CU_ASSERT(APR_ARRAY_IDX(rules, 0, store_rule *)->state & STORE_ST_ERROR);
    /* The same error again: no second DEM (R581). */
    evaluate(m = mail("zzz 2"), &plan);
    dlv_rules_finish(&plan, m, inbox, 0);
    CU_ASSERT_EQUAL(plan.n_dems, 0);
    clear_rules(inbox);
}

/* The OOF history answers each sender once. */
static void test_oof_history(void)
{
    int seen = -1;

    CU_ASSERT_EQUAL(store_rule_oof_note(db, pool, mbox, 7, 9, "A@x.org",
                                        &seen, NULL), STORE_OK);
    CU_ASSERT_EQUAL(seen, 0);
    CU_ASSERT_EQUAL(store_rule_oof_note(db, pool, mbox, 7, 9, "a@X.org",
                                        &seen, NULL), STORE_OK);
    CU_ASSERT_EQUAL(seen, 1);
}

/* RopUpdateDeferredActionMessages' store side (R618-R620): the DAM that
 * names the server id gets the client's id and PidTagDamBackPatched;
 * DEMs and other ids are left alone. */
static void test_dam_backpatch(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    uint64_t daf = mi->folder_ids[STORE_FOLDER_DEFERRED_ACTION];
    static const uint8_t opaque[] = { 0xBE, 0xEF };
    static const uint8_t client[] = { 'c', 'l', 'i', 'e', 'n', 't' };
    rop_action_block defer = block(ROP_OP_DEFER_ACTION, 0, opaque, 2);
    rop_bin sid, cid = { sizeof(client), client }, none = { 3, client };
    const rop_propval *v, *hd;
    apr_array_header_t *ids;
    dlv_rules_plan plan;
    store_message *m, *dm, *dam = NULL;
    unsigned n = 9;

    store_folder_empty(db, pool, mbox, daf, 0, 0, NULL);
    add_rule(inbox, 1, STORE_ST_ENABLED, "bp", subject_contains("bp"),
             &defer, 1);
    evaluate(m = mail("bp now"), &plan);
    hd = store_props_get(&m->props, PidTagHasDeferredActionMessages);
    CU_ASSERT(hd && hd->v.b);                        /* R564 */
    m->fid = inbox;
    CU_ASSERT_EQUAL(store_message_save(db, pool, mbox, m, NULL), STORE_OK);
    dlv_rules_finish(&plan, m, inbox, m->mid);
    CU_ASSERT_EQUAL(plan.n_dams, 1);
    store_folder_list(db, pool, mbox, daf, STORE_LIST_MESSAGES, &ids, NULL);
    for (int i = 0; i < ids->nelts; i++) {
        store_message_get(db, pool, mbox, APR_ARRAY_IDX(ids, i, uint64_t),
                          &dm, NULL);
        v = store_props_get(&dm->props, PidTagMessageClass);
        if (v && !strcmp(v->v.str, STORE_DAM_CLASS))
            dam = dm;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(dam);
    v = store_props_get(&dam->props,
                        PidTagDeferredActionMessageOriginalEntryId);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);                 /* R372 */
    CU_ASSERT_EQUAL(v->v.bin.len, 21);
    sid = v->v.bin;
    CU_ASSERT_EQUAL(store_dam_backpatch(db, pool, mbox, &none, &cid, &n,
                                        NULL), STORE_OK);
    CU_ASSERT_EQUAL(n, 0);                           /* R617 */
    CU_ASSERT_EQUAL(store_dam_backpatch(db, pool, mbox, &sid, &cid, &n,
                                        NULL), STORE_OK);
    CU_ASSERT_EQUAL(n, 1);
    store_message_get(db, pool, mbox, dam->mid, &dm, NULL);
    v = store_props_get(&dm->props, PidTagDamBackPatched);
    CU_ASSERT(v && v->v.b);                          /* R620 */
    v = store_props_get(&dm->props, PidTagDamOriginalEntryId);
    CU_ASSERT(v && v->v.bin.len == sizeof(client)
              && !memcmp(v->v.bin.data, client, sizeof(client)));
    clear_rules(inbox);
}

/* Leaving the Out of Office state clears the reply history (R585). */
static void test_oof_state(void)
{
    const rop_propval *v;
    int seen = -1;

    CU_ASSERT_EQUAL(store_mailbox_set_oof(db, pool, mbox, 1, NULL), STORE_OK);
    store_mailbox_get(db, pool, mbox, &mi, NULL);
    v = store_props_get(&mi->props, PidTagOutOfOfficeState);
    CU_ASSERT(v && v->v.b);
    store_rule_oof_note(db, pool, mbox, 7, 10, "b@x.org", &seen, NULL);
    store_rule_oof_note(db, pool, mbox, 7, 10, "b@x.org", &seen, NULL);
    CU_ASSERT_EQUAL(seen, 1);
    CU_ASSERT_EQUAL(store_mailbox_set_oof(db, pool, mbox, 0, NULL), STORE_OK);
    store_rule_oof_note(db, pool, mbox, 7, 10, "b@x.org", &seen, NULL);
    CU_ASSERT_EQUAL(seen, 0);
    store_mailbox_get(db, pool, mbox, &mi, NULL);
}

/* Extended rules (dlv_xrules.c): a well-formed one runs (its 32-bit
 * ActionBlock of OP_MARK_AS_READ); ones whose bytes are cut, have a
 * wrong RuleVersion or trailing bytes are no rules and change nothing. */
static void test_extended_rules(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    /* NoOfNamedProps 0; Exist(PidTagSubject). */
    static const uint8_t cond[] = { 0, 0, 0x08, 0x1F, 0x00, 0x37, 0x00 };
    /* NoOfNamedProps 0, RuleVersion 1, one action OP_MARK_AS_READ. */
    static const uint8_t acts[] = { 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
                                    9, 0, 0, 0, 0x0B, 0, 0, 0, 0, 0, 0, 0,
                                    0 };
    uint8_t bad[sizeof(acts) + 1];
    const struct { const uint8_t *a; size_t alen; int runs; } cases[] = {
        { acts, sizeof(acts), 1 },
        { acts, sizeof(acts) - 1, 0 },         /* cut */
        { bad, sizeof(acts), 0 },              /* RuleVersion 2 */
        { bad + 0, sizeof(bad), 0 },           /* trailing byte */
    };
    dlv_rules_plan plan;
    store_message *m;
    const rop_propval *fl;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        store_message *x = store_message_new(pool, inbox, 1);

        memcpy(bad, acts, sizeof(acts));
        bad[sizeof(acts)] = 0;
        if (i == 2)
            bad[2] = 2;
        store_props_set_str(&x->props, PidTagMessageClass,
                            "IPM.ExtendedRule.Message");
        store_props_set_u32(&x->props, 0x65E90003u, STORE_ST_ENABLED);
        store_props_set_bin(&x->props, 0x0E9A0102u, cond, sizeof(cond));
        store_props_set_bin(&x->props, 0x0E990102u, cases[i].a,
                            (uint32_t)cases[i].alen);
        CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, x, NULL),
                              STORE_OK);
        evaluate(m = mail("extended"), &plan);
        fl = store_props_get(&m->props, PidTagMessageFlags);
        CU_ASSERT_EQUAL(plan.n_matched, (unsigned)cases[i].runs);
        CU_ASSERT_EQUAL(fl && (fl->v.l & MSGFLAG_READ), cases[i].runs);
        store_message_delete(db, pool, mbox, x->mid, NULL);
    }
}

/* An extended rule whose move fails: a DEM naming the FAI message, then
 * ST_ERROR in its PidTagRuleMessageState and no second DEM (R813, R581). */
static void test_extended_rule_error(void)
{
    uint64_t inbox = mi->folder_ids[STORE_FOLDER_INBOX];
    static const uint8_t cond[] = { 0, 0, 0x08, 0x1F, 0x00, 0x37, 0x00 };
    uint8_t feid[46], acts[2 + 4 + 4 + 4 + 9 + 4 + 1 + 4 + 46];
    store_message *x = store_message_new(pool, inbox, 1), *m;
    const rop_propval *st;
    dlv_rules_plan plan;
    mapi_wr w;

    store_folder_entry_id(mi, 0x0001000000FEDC01ull, feid);
    mapi_wr_init_fixed(&w, acts, sizeof(acts));
    mapi_wr_u16(&w, 0);                  /* no named properties */
    mapi_wr_u32(&w, 1);                  /* RuleVersion */
    mapi_wr_u32(&w, 1);                  /* NoOfActions */
    mapi_wr_u32(&w, 9 + 4 + 1 + 4 + 46); /* ActionLength */
    mapi_wr_u8(&w, ROP_OP_MOVE);
    mapi_wr_u32(&w, 0);
    mapi_wr_u32(&w, 0);
    mapi_wr_u32(&w, 1);                  /* StoreEID */
    mapi_wr_u8(&w, 0);
    mapi_wr_u32(&w, 46);                 /* FolderEID: no such folder */
    mapi_wr_bytes(&w, feid, 46);
    CU_ASSERT_FATAL(!w.failed && w.len == sizeof(acts));
    store_props_set_str(&x->props, PidTagMessageClass,
                        "IPM.ExtendedRule.Message");
    store_props_set_u32(&x->props, 0x65E90003u, STORE_ST_ENABLED);
    store_props_set_bin(&x->props, 0x0E9A0102u, cond, sizeof(cond));
    store_props_set_bin(&x->props, 0x0E990102u, acts, sizeof(acts));
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, x, NULL),
                          STORE_OK);
    evaluate(m = mail("xerr"), &plan);
    CU_ASSERT_EQUAL(plan.errors->nelts, 1);
    dlv_rules_finish(&plan, m, inbox, 0);
    CU_ASSERT_EQUAL(plan.n_dems, 1);
    store_message_get(db, pool, mbox, x->mid, &m, NULL);
    st = store_props_get(&m->props, 0x65E90003u);
    CU_ASSERT(st && (st->v.l & STORE_ST_ERROR));
    evaluate(m = mail("xerr 2"), &plan);
    dlv_rules_finish(&plan, m, inbox, 0);
    CU_ASSERT_EQUAL(plan.n_dems, 0);
    store_message_delete(db, pool, mbox, x->mid, NULL);
}

/* ActionData is parsed strictly: trailing bytes, a bad ServerEid, a
 * flavor on a type that has none are refused. */
static void test_action_parse(void)
{
    static const uint8_t extra[] = { 0 };
    rop_action_block b = move_copy(ROP_OP_MOVE, 5);
    rop_action_data d;

    CU_ASSERT_EQUAL(rop_action_parse(pool, &b, &d), 0);
    CU_ASSERT_EQUAL(d.fid, 5);
    b.data.len--;
    CU_ASSERT_EQUAL(rop_action_parse(pool, &b, &d), -1);
    b = block(ROP_OP_DELETE, 0, extra, 1);
    CU_ASSERT_EQUAL(rop_action_parse(pool, &b, &d), -1);
    b = block(ROP_OP_DELETE, 4, NULL, 0);
    CU_ASSERT_EQUAL(rop_action_parse(pool, &b, &d), -1);
    b = block(0x42, 0, NULL, 0);
    CU_ASSERT_EQUAL(rop_action_parse(pool, &b, &d), -1);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("rules", suite_init, suite_clean);
    CU_add_test(s, "storage (R57 R597 R598 R605 R606)", test_storage);
    CU_add_test(s, "match, move, exit level (R57 R63 R857)",
                test_match_move_exit_level);
    CU_add_test(s, "mark as read, tag, copy and delete",
                test_read_tag_delete);
    CU_add_test(s, "DAM and DEM (R808-R813 R581)", test_dam_dem);
    CU_add_test(s, "OOF history", test_oof_history);
    CU_add_test(s, "DAM back-patch (R618-R620)", test_dam_backpatch);
    CU_add_test(s, "Out of Office state (R585)", test_oof_state);
    CU_add_test(s, "extended rules", test_extended_rules);
    CU_add_test(s, "extended rule in error (R813 R581)",
                test_extended_rule_error);
    CU_add_test(s, "ActionData parsing", test_action_parse);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    {
        unsigned failed = CU_get_number_of_failures();

        CU_cleanup_registry();
        return failed ? 1 : 0;
    }
}
