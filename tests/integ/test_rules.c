/*
 * test_rules.c: server-side rules over MAPI over HTTP, end to end.  A
 * client creates rules with RopModifyRules on the Inbox, lists them with
 * RopGetRulesTable + RopQueryRows, then mail is delivered with
 * build/mapi-deliver (as test_delivery.c runs it) and the folders are
 * read back: moved, marked read, deleted, forwarded to the other mailbox.
 * Error cases answer the spec's codes.  The ported scenarios of
 * Microsoft's MS-OXORULE suite are in test_ported_oxorule.c.
 * Requirement ids are [MS-OXORULE]'s.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_strings.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

#define ROP_MODIFY_RULES     0x41
#define ROP_GET_RULES_TABLE  0x3F
#define TAG_RULE_ID          0x66740014u
#define TAG_RULE_SEQUENCE    0x66760003u
#define TAG_RULE_STATE       0x66770003u
#define TAG_RULE_USER_FLAGS  0x66780003u
#define TAG_RULE_CONDITION   0x667900FDu
#define TAG_RULE_ACTIONS     0x668000FEu
#define TAG_RULE_PROVIDER    0x6681001Fu
#define TAG_RULE_NAME        0x6682001Fu
#define TAG_RULE_PROV_DATA   0x66840102u
#define TAG_HAS_RULES        0x663A000Bu
#define TAG_SMTP_ADDRESS     0x39FE001Fu
#define ST_ENABLED           0x01
#define ST_EXIT_LEVEL        0x10
#define OP_MOVE              0x01
#define OP_FORWARD           0x07
#define OP_DELETE            0x0A
#define OP_MARK_AS_READ      0x0B
#define EC_NOT_FOUND         0x8004010Fu
#define EC_INVALID_PARAM     0x80070057u
#define EC_NOT_SUPPORTED     0x80040102u

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* ------------------------------------------------------- the program -- */

static int deliver(const char *rcpt, const char *subject)
{
    const char *args[] = { "-f", "sender@example.org", rcpt, NULL };
    char msg[512], out[2048];

    snprintf(msg, sizeof(msg), "From: Sender <sender@example.org>\r\n"
             "To: %s\r\nSubject: %s\r\nMessage-ID: <%s.%d@example.org>\r\n"
             "\r\nHello.\r\n", rcpt, subject, subject, (int)getpid());
    return harness_deliver(&H, args, msg, strlen(msg), out, sizeof(out));
}

/* ----------------------------------------------------------- client -- */

typedef struct session {
    mhc_client *c;
    rc_session s;
} session;

static int session_open(session *x, int who)
{
    mhc_connect_rsp cr;

    memset(x, 0, sizeof(*x));
    if (!(x->c = harness_client(&H, who, MHC_AUTH_BASIC)))
        return -1;
    if (who == 0 ? harness_connect_demo(x->c) == NULL
                 : mhc_connect(x->c, H_OTHER_DN, NULL, &cr) != 0)
        return -1;
    rc_session_init(&x->s, x->c);
    return rc_logon(&x->s, who ? H_OTHER_DN : NULL, 0) == 0 ? 0 : -1;
}

static void session_close(session *x)
{
    if (x->c)
        rc_session_free(&x->s);
    mhc_client_free(&x->c);
}

/* One rule to add: a substring condition on the subject, one action. */
typedef struct rule {
    const char *name, *subject;
    uint32_t seq, state;
    uint8_t type;
    uint64_t fid;                /* OP_MOVE */
    const char *fwd;             /* OP_FORWARD */
} rule;

/* ActionData of the action ([MS-OXORULE] 2.2.5.1.2). */
static void action_data(rc_buf *d, const rule *r)
{
    rc_prop smtp;

    switch (r->type) {
    case OP_MOVE:                /* FolderInThisStore, ServerEid */
        rc_u8(d, 1);
        rc_u16(d, 0);
        rc_u16(d, 21);
        rc_u8(d, 1);
        rc_u64(d, r->fid);
        rc_u64(d, 0);
        rc_u32(d, 0);
        break;
    case OP_FORWARD:             /* one RecipientBlock */
        smtp = rc_pv_str(TAG_SMTP_ADDRESS, r->fwd);
        rc_u16(d, 1);
        rc_u8(d, 1);
        rc_u16(d, 1);
        rc_tagged(d, &smtp);
        break;
    default:
        break;
    }
}

/* RuleData: ROW_ADD with sequence, state, name, provider, user flags,
 * provider data, condition, actions (or flags/rule_id/just the id). */
static void rule_data(rc_buf *b, apr_pool_t *pool, uint8_t flags,
                      uint64_t id, const rule *r)
{
    rc_buf d;
    rc_prop v[6];
    uint16_t n = 0;

    rc_u8(b, flags);
    if (!r) {                    /* remove: the id alone */
        rc_prop pid = rc_pv_i64(TAG_RULE_ID, id);

        rc_u16(b, 1);
        rc_tagged(b, &pid);
        return;
    }
    if (id)
        v[n++] = rc_pv_i64(TAG_RULE_ID, id);
    v[n++] = rc_pv_i32(TAG_RULE_SEQUENCE, r->seq);
    v[n++] = rc_pv_i32(TAG_RULE_STATE, r->state);
    v[n++] = rc_pv_str(TAG_RULE_NAME, r->name);
    v[n++] = rc_pv_str(TAG_RULE_PROVIDER, "RuleOrganizer");
    v[n++] = rc_pv_bin(TAG_RULE_PROV_DATA, "PD", 2);
    rc_u16(b, (uint16_t)(n + 2));
    for (uint16_t i = 0; i < n; i++)
        rc_tagged(b, &v[i]);
    /* PidTagRuleCondition: Content, FL_SUBSTRING | FL_IGNORECASE. */
    rc_u32(b, TAG_RULE_CONDITION);
    {
        rc_prop subj = rc_pv_str(RC_TAG_SUBJECT, r->subject);

        rc_restr_content(b, 0x00010001u, RC_TAG_SUBJECT, &subj);
    }
    /* PidTagRuleActions: one ActionBlock. */
    rc_buf_init(&d, pool);
    action_data(&d, r);
    rc_u32(b, TAG_RULE_ACTIONS);
    rc_u16(b, 1);
    rc_u16(b, (uint16_t)(9 + d.wr.len));
    rc_u8(b, r->type);
    rc_u32(b, 0);
    rc_u32(b, 0);
    rc_bytes(b, d.wr.buf, d.wr.len);
}

/* RopOpenFolder of fid then RopModifyRules with n RuleData from build;
 * the ReturnValue of RopModifyRules. */
typedef void (*build_fn)(rc_buf *b, apr_pool_t *pool, void *baton);

static uint32_t modify_rules(session *x, uint32_t folder, uint8_t flags,
                             uint16_t count, build_fn build, void *baton)
{
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, x->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_MODIFY_RULES);
    rc_u8(&b, 0);
    rc_u8(&b, 0);
    rc_u8(&b, flags);
    rc_u16(&b, count);
    build(&b, x->s.pool, baton);
    b.n_rops++;
    if (rc_execute(x->c, &b, x->s.pool, &e) != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, ROP_MODIFY_RULES, &h) == 0)
        rv = h.rv;
    rc_exec_free(&e);
    return rv;
}

typedef struct adds {
    const rule *rules;
    unsigned n;
} adds;

static void build_adds(rc_buf *b, apr_pool_t *pool, void *baton)
{
    const adds *a = baton;

    for (unsigned i = 0; i < a->n; i++)
        rule_data(b, pool, 0x01, 0, &a->rules[i]);
}

typedef struct one {
    uint8_t flags;
    uint64_t id;
    const rule *r;
} one;

static void build_one(rc_buf *b, apr_pool_t *pool, void *baton)
{
    const one *o = baton;

    rule_data(b, pool, o->flags, o->id, o->r);
}

static const uint32_t rule_cols[] = { TAG_RULE_ID, TAG_RULE_NAME,
                                      TAG_RULE_SEQUENCE, TAG_RULE_PROV_DATA,
                                      TAG_RULE_STATE };

/* RopGetRulesTable (flags) + RopSetColumns + RopQueryRows in one Execute:
 * the ReturnValue of the first failing ROP, rows in *rows. */
static uint32_t rules_table(session *x, uint32_t folder, uint8_t flags,
                            rc_rows_rsp *rows)
{
    rc_buf b;
    rc_exec e;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, x->s.pool);
    rc_buf_handle(&b, 0, folder);
    rc_u8(&b, ROP_GET_RULES_TABLE);
    rc_u8(&b, 0);
    rc_u8(&b, 0);
    rc_u8(&b, 1);
    rc_u8(&b, flags);
    b.n_rops++;
    rc_buf_handles_min(&b, 2);
    rc_req_set_columns(&b, 0, 1, 0, rule_cols, 5);
    rc_req_query_rows(&b, 0, 1, 0, 1, 100);
    if (rc_execute(x->c, &b, x->s.pool, &e) != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, ROP_GET_RULES_TABLE, &h) != 0)
        goto out;
    if ((rv = h.rv) != 0)
        goto out;
    rv = RC_ERR_CLIENT;
    if (rc_rsp_generic(&e.resp, RC_ROP_SET_COLUMNS, &h) != 0 || h.rv)
        goto out;
    {
        uint8_t st;

        rc_get_u8(&e.resp, &st);
    }
    if (rc_rsp_query_rows(&e.resp, rule_cols, 5, rows) == 0)
        rv = rows->h.rv;
out:
    rc_exec_free(&e);
    return rv;
}

static const uint32_t msg_cols[] = { RC_TAG_SUBJECT, RC_TAG_MESSAGE_FLAGS };

/* The row of folder fid whose subject is subject, copied, or 0. */
static int find_msg(session *x, uint64_t fid, const char *subject,
                    rc_row *row_r)
{
    uint32_t folder = RC_NO_HANDLE, table = RC_NO_HANDLE, n = 0;
    rc_rows_rsp rows;
    const rc_row *row = NULL;

    if (rc_open_folder(&x->s, fid, &folder) != 0
        || rc_get_contents_table(&x->s, folder, 0, &table, &n) != 0
        || rc_query_table(&x->s, table, msg_cols, 2, 500, &rows) != 0)
        return 0;
    row = rc_rows_find_str(&rows, RC_TAG_SUBJECT, subject);
    if (row && row_r)
        *row_r = *row;
    rc_release(&x->s, table);
    rc_release(&x->s, folder);
    return row != NULL;
}

/* ----------------------------------------------------------- tests -- */

/* Rules created over RopModifyRules sort mail at delivery: "[list]" to a
 * subfolder (and ST_EXIT_LEVEL stops the rest), mark read, delete,
 * forward to the other mailbox (R596, R599, R122, R123, R597). */
static void test_rules_apply_at_delivery(void)
{
    session a, o;
    uint32_t inbox = RC_NO_HANDLE, sub = RC_NO_HANDLE;
    uint64_t list_fid = 0, inbox_fid;
    rc_rows_rsp rows;
    rc_row row;
    rule rs[4] = {
        { "lists", "[list]", 1, ST_ENABLED | ST_EXIT_LEVEL, OP_MOVE, 0, NULL },
        { "read", "readme", 2, ST_ENABLED, OP_MARK_AS_READ, 0, NULL },
        { "drop", "junkmail", 3, ST_ENABLED, OP_DELETE, 0, NULL },
        { "fwd", "fwdme", 4, ST_ENABLED, OP_FORWARD, 0, "other@mapi.test" },
    };
    adds ad = { rs, 4 };

    REQUIREF(session_open(&a, 0) == 0, "demo logon");
    REQUIREF(session_open(&o, 1) == 0, "other logon");
    inbox_fid = a.s.lo.fids[RC_FID_INBOX];
    REQUIREF(rc_open_folder(&a.s, inbox_fid, &inbox) == 0, "open Inbox: %s",
             a.s.error);
    REQUIREF(rc_create_folder(&a.s, inbox, "Lists", NULL, 1, &list_fid,
                              &sub) == 0, "create folder: %s", a.s.error);
    rs[0].fid = list_fid;
    CHECKF(modify_rules(&a, inbox, 0x01, 4, build_adds, &ad) == 0,
           "RopModifyRules ROW_REPLACE with 4 ROW_ADD");
    CHECKF(rules_table(&a, inbox, 0x40, &rows) == 0 && rows.count == 4,
           "RopGetRulesTable: %u rows, expected 4", rows.count);
    for (unsigned i = 0; i < rows.count && i < 4; i++) {
        CHECKF(rc_row_u64(&rows.rows[i], TAG_RULE_ID, 0) != 0,
               "R597: rule %u has an id", i);
        CHECKF(rc_row_str(&rows.rows[i], TAG_RULE_NAME)
               && !strcmp(rc_row_str(&rows.rows[i], TAG_RULE_NAME),
                          rs[i].name), "R57: row %u is rule %s", i,
               rs[i].name);
    }

    CHECKF(deliver("demo@mapi.test", "[list] weekly readme") == 0,
           "deliver [list]");
    CHECKF(deliver("demo@mapi.test", "please readme") == 0, "deliver readme");
    CHECKF(deliver("demo@mapi.test", "junkmail offer") == 0, "deliver junk");
    CHECKF(deliver("demo@mapi.test", "fwdme now") == 0, "deliver fwdme");

    CHECKF(find_msg(&a, list_fid, "[list] weekly readme", &row),
           "OP_MOVE: the [list] mail is in Lists");
    CHECKF(find_msg(&a, list_fid, "[list] weekly readme", &row)
           && !(rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0) & 1),
           "ST_EXIT_LEVEL: the mark-read rule did not run after it");
    CHECKF(!find_msg(&a, inbox_fid, "[list] weekly readme", NULL),
           "OP_MOVE: not in the Inbox");
    CHECKF(find_msg(&a, inbox_fid, "please readme", &row)
           && (rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0) & 1),
           "OP_MARK_AS_READ: filed read");
    CHECKF(!find_msg(&a, inbox_fid, "junkmail offer", NULL),
           "OP_DELETE: not filed");
    CHECKF(find_msg(&a, inbox_fid, "fwdme now", NULL),
           "OP_FORWARD: the original stays");
    CHECKF(find_msg(&o, o.s.lo.fids[RC_FID_INBOX], "FW: fwdme now", NULL),
           "OP_FORWARD: other@mapi.test has FW: fwdme now");
    /* Clean up for the other cases. */
    {
        adds none = { NULL, 0 };
        uint32_t rv = modify_rules(&a, inbox, 0x01, 0, build_adds, &none);

        CHECKF(rv == 0, "ROW_REPLACE with nothing removes every rule: "
               "0x%08X", rv);
    }
    CHECKF(rules_table(&a, inbox, 0, &rows) == 0 && rows.count == 0,
           "no rules left: %u", rows.count);
    session_close(&o);
out:
    session_close(&a);
}

/* Unknown rule ids are ecNotFound; bad flags, a RuleData with two
 * RuleDataFlags, an id on an add, a malformed action are ecInvalidParam
 * (R594, R822); RopGetRulesTable's x bits are ecNotSupported (R920). */
static void test_rules_errors(void)
{
    session a;
    uint32_t inbox = RC_NO_HANDLE;
    rc_rows_rsp rows;
    rule r = { "r", "x", 1, ST_ENABLED, OP_DELETE, 0, NULL };
    rule badmove = { "m", "x", 1, ST_ENABLED, OP_MOVE, 0, NULL };
    one mod = { 0x02, 0x0001000000FFFF01ull, &r };
    one rem = { 0x04, 0x0001000000FFFF01ull, NULL };
    one two = { 0x03, 0, &r };
    one withid = { 0x01, 77, &r };
    one ok = { 0x01, 0, &badmove };
    uint32_t rv;

    REQUIREF(session_open(&a, 0) == 0, "demo logon");
    REQUIREF(rc_open_folder(&a.s, a.s.lo.fids[RC_FID_INBOX], &inbox) == 0,
             "open Inbox");
    rv = modify_rules(&a, inbox, 0, 1, build_one, &mod);
    CHECKF(rv == EC_NOT_FOUND, "ROW_MODIFY of an unknown id: 0x%08X", rv);
    rv = modify_rules(&a, inbox, 0, 1, build_one, &rem);
    CHECKF(rv == EC_NOT_FOUND, "ROW_REMOVE of an unknown id: 0x%08X", rv);
    rv = modify_rules(&a, inbox, 0x02, 1, build_one, &withid);
    CHECKF(rv == EC_INVALID_PARAM, "R822 x bit of ModifyRulesFlag: 0x%08X",
           rv);
    rv = modify_rules(&a, inbox, 0, 1, build_one, &two);
    CHECKF(rv == EC_INVALID_PARAM, "RuleDataFlags 0x03: 0x%08X", rv);
    rv = modify_rules(&a, inbox, 0, 1, build_one, &withid);
    CHECKF(rv == EC_INVALID_PARAM, "R53 id on ROW_ADD: 0x%08X", rv);
    /* A move to folder 0 in a ServerEid is still well formed; the same
     * with a cut ActionBlock is not. */
    rv = modify_rules(&a, inbox, 0, 1, build_one, &ok);
    CHECKF(rv == 0, "well-formed move: 0x%08X", rv);
    rv = rules_table(&a, inbox, 0x01, &rows);
    CHECKF(rv == EC_NOT_SUPPORTED, "R920 TableFlags x bit: 0x%08X", rv);
    CHECKF(rules_table(&a, inbox, 0, &rows) == 0 && rows.count == 1,
           "the server is still there and has the one rule");
    {
        adds none = { NULL, 0 };

        modify_rules(&a, inbox, 0x01, 0, build_adds, &none);
    }
out:
    session_close(&a);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("rules: RopModifyRules, RopGetRulesTable, delivery",
                     suite_init, suite_cleanup);
    CU_add_test(s, "rules move, mark read, delete and forward at delivery",
                test_rules_apply_at_delivery);
    CU_add_test(s, "error cases (R594 R822 R920)", test_rules_errors);
    return harness_run_tests();
}
