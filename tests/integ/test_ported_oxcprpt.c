/*
 * test_ported_oxcprpt.c: scenarios of Microsoft's published MS-OXCPRPT
 * protocol test suite (OfficeDev/Interop-TestSuites,
 * ExchangeMAPI/Source/MS-OXCPRPT/TestSuite), rewritten as our own
 * black-box tests through the ROP test client.  That suite is generated
 * from a model (Spec Explorer): each case is a path of adapter calls
 * (GetObject, RopSetPropertiesMethod, ...) with expected outputs
 * ("isModifiedValueReturned", "isChangedInDB", ...).  Each CUnit test here
 * carries the generated case's name, plays the same path against our
 * server and checks the same outputs, with the requirement ids of
 * /work/shared/specs/MS-OXCPRPT.md the case checkpoints.
 *
 * "isChangedInDB" is observed from a second session: what another client
 * reads is what is in the store.
 *
 * Skipped cases (one line each):
 * - S01 (GetPropertiesSpecific/All/List, GetNamesFromIDs, QueryNamedProps,
 *   Unicode): not ported this round (time); test_rops_messages covers
 *   GetPropertiesAll/List and named properties.
 * - S02_SetPropertyData_TestSuite2.. (folder and logon objects, the
 *   NoReplicate variants): not ported this round (time).
 * - S03, S04 (streams: seek, lock/unlock, CopyToStream, CloneStream,
 *   error tables): RopLockRegionStream/CloneStream are not implemented and
 *   rop_stream.c is being reworked; test_rops_messages covers the basics.
 * - S05_RopCopyPropertiesFailSynchronously, S05_RopCopyTo*: not ported
 *   this round (time).
 * - S05_RopCopyToForPublicFolder: public folders.
 * - S06_CommonObjectProperties: not ported this round (time).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <apr_strings.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

static harness H;

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* A user-defined property ([MS-OXPROPS] 1.3.3, 0x6000-0x65FF). */
#define TAG_USER_STR  0x6010001Fu

static const char *str_or(const char *s)
{
    return s ? s : "(absent)";
}

static int str_is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

/* The value of tag in row is gone: absent, or an error in its place. */
static int prop_gone(const rc_row *row, uint32_t tag)
{
    const rc_prop *p = rc_row_find(row, tag);

    return p == NULL || p->type == RC_PT_ERROR;
}

/* -------------------------------------------------- objects to operate -- */

/* A saved message in fid with one saved attachment whose long file name
 * is name: its MID and the attachment number. */
static uint32_t mk_message_with_attachment(rc_fx *f, uint64_t fid,
                                           const char *name, uint64_t *mid,
                                           uint32_t *attach_id)
{
    rc_prop mv[2] = { rc_pv_str(RC_TAG_SUBJECT, "prpt attachment"),
                      rc_pv_str(TAG_USER_STR, "message value") };
    rc_prop av = rc_pv_str(RC_TAG_ATTACH_LONG_FILENAME, name);
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h;
    uint8_t has_mid, idx;
    uint16_t np;
    rc_problem *pr;
    uint32_t rv = RC_ERR_CLIENT;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->s.logon);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, fid, 0);
    rc_req_set_props(&b, 0, 1, mv, 2);
    rc_req_create_attachment(&b, 0, 1, 2);
    rc_req_set_props(&b, 0, 2, &av, 1);
    rc_req_save_changes_attachment(&b, 0, 2, 2, 0x02);
    rc_req_save_changes_message(&b, 0, 1, 1, 0x02);
    if (rc_fx_run(f, &b, &x, "message with attachment") != 0)
        return rv;
    if (rc_rsp_create_message(&x.resp, &h, &has_mid, mid) != 0 || h.rv ||
        rc_rsp_problems(&x.resp, RC_ROP_SET_PROPS, &h, &np, &pr) != 0 ||
        h.rv ||
        rc_rsp_create_attachment(&x.resp, &h, attach_id) != 0 || h.rv ||
        rc_rsp_problems(&x.resp, RC_ROP_SET_PROPS, &h, &np, &pr) != 0 ||
        h.rv || rc_rsp_save_changes_attachment(&x.resp, &h) != 0 || h.rv ||
        rc_rsp_save_changes_message(&x.resp, &h, &idx, mid) != 0 || h.rv)
        CHECKF(0, "setup: message with attachment: 0x%08X (%s)", h.rv,
               rc_resp_error(&x.resp));
    else
        rv = 0;
    rc_exec_free(&x);
    return rv;
}

/* RopOpenMessage (open_mode) + RopOpenAttachment (same mode): the
 * message's and the attachment's handles. */
static uint32_t open_attachment(rc_fx *f, uint64_t fid, uint64_t mid,
                                uint32_t attach_id, uint8_t mode,
                                uint32_t *msg, uint32_t *att)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_message_rsp om;
    rc_head h = { 0 };

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->s.logon);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, mode, mid);
    rc_req_open_attachment(&b, 0, 1, 2, mode, attach_id);
    if (rc_fx_run(f, &b, &x, "open message + attachment") != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_open_message(&x.resp, &om) != 0 || om.h.rv != 0 ||
        rc_rsp_generic(&x.resp, RC_ROP_OPEN_ATTACHMENT, &h) != 0) {
        CHECKF(0, "open message + attachment: 0x%08X 0x%08X (%s)", om.h.rv,
               h.rv, rc_resp_error(&x.resp));
        h.rv = RC_ERR_CLIENT;
    }
    *msg = rc_resp_handle(&x.resp, 1);
    *att = rc_resp_handle(&x.resp, 2);
    rc_exec_free(&x);
    return h.rv;
}

/* What a second session reads of tag on the saved attachment. */
static const char *stored_attachment_str(rc_fx *g, uint64_t fid,
                                         uint64_t mid, uint32_t attach_id,
                                         uint32_t tag)
{
    uint32_t msg, att;
    rc_row row;
    const char *v = NULL;

    if (open_attachment(g, fid, mid, attach_id, 0, &msg, &att) != 0)
        return NULL;
    if (rc_get_props(&g->s, att, &tag, 1, &row) == 0)
        v = rc_row_str(&row, tag);
    rc_release(&g->s, att);
    rc_release(&g->s, msg);
    return v;
}

static const char *stored_message_str(rc_fx *g, uint64_t fid, uint64_t mid,
                                      uint32_t tag)
{
    rc_row row;

    if (rc_open_message_props(&g->s, g->s.logon, fid, mid, &tag, 1, NULL,
                              &row) != 0)
        return NULL;
    return rc_row_str(&row, tag);
}

/* RopDeleteProperties of one tag on obj: 1 when it succeeded without
 * problems. */
static int delete_prop(rc_fx *f, uint32_t obj, uint32_t tag)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    uint16_t np = 0;
    rc_problem *pr;
    int ok;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, obj);
    rc_req_delete_props(&b, 0, 0, &tag, 1);
    if (rc_fx_run(f, &b, &x, "RopDeleteProperties") != 0)
        return 0;
    ok = rc_rsp_problems(&x.resp, RC_ROP_DELETE_PROPS, &h, &np, &pr) == 0 &&
         h.rv == 0 && np == 0;
    rc_exec_free(&x);
    return ok;
}

/* ---------------------------------------------------------------- S02 -- */

/* GetObject(Attachment), RopSetPropertiesMethod -> isModifiedValueReturned
 * true, isChangedInDB false; RopDeletePropertiesMethod ->
 * isNoValidValueReturnedForDeletedProperties true, isChangedInDB false. */
static void MSOXCPRPT_S02_SetPropertyData_TestSuite(void)
{
    static const uint32_t tag = RC_TAG_ATTACH_LONG_FILENAME;
    rc_fx f, g;
    uint64_t fid, mid = 0;
    uint32_t folder, attach_id = 0, msg, att;
    rc_prop v = rc_pv_str(tag, "changed.txt");
    rc_row row;
    const char *stored;

    memset(&g, 0, sizeof(g));
    if (rc_fx_open(&f, &H) != 0 || rc_fx_open(&g, &H) != 0)
        goto out;
    REQUIREF(rc_create_folder(&f.s, f.inbox, "prpt-s02-att", NULL, 0, &fid,
                              &folder) == 0, "setup: folder (%s)",
             f.s.error);
    REQUIREF(mk_message_with_attachment(&f, fid, "original.txt", &mid,
                                        &attach_id) == 0, "setup");
    REQUIREF(open_attachment(&f, fid, mid, attach_id, 1, &msg, &att) == 0,
             "RopOpenAttachment(ReadWrite)");
    CHECKF(rc_set_props(&f.s, att, &v, 1, NULL, NULL) == 0, "R101/R475: "
           "RopSetProperties on the attachment: %s", f.s.error);
    REQUIREF(rc_get_props(&f.s, att, &tag, 1, &row) == 0,
             "RopGetPropertiesSpecific: %s", f.s.error);
    CHECKF(str_is(rc_row_str(&row, tag), "changed.txt"), "R479/R477: the "
           "same attachment handle reads '%s', expected the value just set",
           str_or(rc_row_str(&row, tag)));
    stored = stored_attachment_str(&g, fid, mid, attach_id, tag);
    CHECKF(str_is(stored, "original.txt"), "isChangedInDB false: another "
           "session reads '%s' before "
           "RopSaveChangesAttachment", str_or(stored));

    CHECKF(delete_prop(&f, att, tag), "R113/R486: "
           "RopDeleteProperties on the attachment failed");
    REQUIREF(rc_get_props(&f.s, att, &tag, 1, &row) == 0,
             "RopGetPropertiesSpecific after delete: %s", f.s.error);
    CHECKF(prop_gone(&row, tag), "R485/R490: the attachment handle still "
           "returns '%s' after RopDeleteProperties",
           str_or(rc_row_str(&row, tag)));
    stored = stored_attachment_str(&g, fid, mid, attach_id, tag);
    CHECKF(str_is(stored, "original.txt"), "isChangedInDB false: another "
           "session reads '%s' after the unsaved delete", str_or(stored));
out:
    rc_fx_close(&g);
    rc_fx_close(&f);
}

/* GetObject(Message), RopSetPropertiesMethod -> isModifiedValueReturned
 * true, isChangedInDB false; RopDeletePropertiesMethod -> no valid value
 * on the handle, isChangedInDB false. */
static void MSOXCPRPT_S02_SetPropertyData_TestSuite1(void)
{
    static const uint32_t tag = TAG_USER_STR;
    rc_fx f, g;
    uint64_t fid, mid = 0;
    uint32_t folder, attach_id = 0, msg, att;
    rc_prop v = rc_pv_str(tag, "changed value");
    rc_row row;
    const char *stored;

    memset(&g, 0, sizeof(g));
    if (rc_fx_open(&f, &H) != 0 || rc_fx_open(&g, &H) != 0)
        goto out;
    REQUIREF(rc_create_folder(&f.s, f.inbox, "prpt-s02-msg", NULL, 0, &fid,
                              &folder) == 0, "setup: folder (%s)",
             f.s.error);
    REQUIREF(mk_message_with_attachment(&f, fid, "a.txt", &mid,
                                        &attach_id) == 0, "setup");
    REQUIREF(open_attachment(&f, fid, mid, attach_id, 1, &msg, &att) == 0,
             "RopOpenMessage(ReadWrite)");
    CHECKF(rc_set_props(&f.s, msg, &v, 1, NULL, NULL) == 0, "R101/R475: "
           "RopSetProperties on the message: %s", f.s.error);
    REQUIREF(rc_get_props(&f.s, msg, &tag, 1, &row) == 0,
             "RopGetPropertiesSpecific: %s", f.s.error);
    CHECKF(str_is(rc_row_str(&row, tag), "changed value"), "R476/R477: the "
           "same message handle reads '%s', expected the value just set",
           str_or(rc_row_str(&row, tag)));
    stored = stored_message_str(&g, fid, mid, tag);
    CHECKF(str_is(stored, "message value"), "isChangedInDB false: another "
           "session reads '%s' before RopSaveChangesMessage",
           str_or(stored));

    CHECKF(delete_prop(&f, msg, tag), "R113/R486: RopDeleteProperties on "
           "the message failed");
    REQUIREF(rc_get_props(&f.s, msg, &tag, 1, &row) == 0,
             "RopGetPropertiesSpecific after delete: %s", f.s.error);
    CHECKF(prop_gone(&row, tag), "R485: the message handle still returns "
           "'%s' after RopDeleteProperties", str_or(rc_row_str(&row, tag)));
    stored = stored_message_str(&g, fid, mid, tag);
    CHECKF(str_is(stored, "message value"), "isChangedInDB false: another "
           "session reads '%s' after the unsaved delete", str_or(stored));
out:
    rc_fx_close(&g);
    rc_fx_close(&f);
}

/* ---------------------------------------------------------------- S05 -- */

/* GetObject(Folder, First), GetObject(Folder, Second),
 * RopCopyPropertiesMethod(CopyFlags None, WantAsynchronous 0, both have
 * the property) -> isPropertiesDeleted false, isChangedInDB true,
 * isOverwriteDestination true, isReturnedRopProgress false, no error
 * (checkpoints R15204, R503). */
static void MSOXCPRPT_S05_RopCopyPropertiesSuccessSynchronously_TestSuite(void)
{
    static const uint32_t tag = TAG_USER_STR;
    rc_fx f, g;
    uint64_t fid1, fid2;
    uint32_t src, dst, gdst, dest_idx;
    rc_prop v1 = rc_pv_str(tag, "first folder"),
            v2 = rc_pv_str(tag, "second folder");
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h;
    uint16_t np = 0;
    rc_problem *pr;
    rc_row row;

    memset(&g, 0, sizeof(g));
    if (rc_fx_open(&f, &H) != 0 || rc_fx_open(&g, &H) != 0)
        goto out;
    REQUIREF(rc_create_folder(&f.s, f.inbox, "prpt-s05-first", NULL, 0,
                              &fid1, &src) == 0 &&
             rc_create_folder(&f.s, f.inbox, "prpt-s05-second", NULL, 0,
                              &fid2, &dst) == 0, "setup: folders (%s)",
             f.s.error);
    REQUIREF(rc_set_props(&f.s, src, &v1, 1, NULL, NULL) == 0 &&
             rc_set_props(&f.s, dst, &v2, 1, NULL, NULL) == 0,
             "setup: RopSetProperties on the folders: %s", f.s.error);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, src);
    rc_buf_handle(&b, 1, dst);
    rc_req_copy_properties(&b, 0, 0, 1, 0, 0, &tag, 1);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopCopyProperties") == 0, "transport");
    CHECKF(rc_resp_peek(&x.resp) == RC_ROP_COPY_PROPERTIES, "R15204: the "
           "first response is RopId 0x%02X, not RopCopyProperties (a "
           "RopProgress means it ran asynchronously)",
           rc_resp_peek(&x.resp));
    REQUIREF(rc_rsp_copy_props(&x.resp, RC_ROP_COPY_PROPERTIES, &h,
                               &dest_idx, &np, &pr) == 0,
             "RopCopyProperties response: %s", rc_resp_error(&x.resp));
    CHECKF(h.rv == 0 && np == 0, "RopCopyProperties(Folder -> Folder) gave "
           "0x%08X with %u problems", h.rv, np);
    rc_exec_free(&x);
    REQUIREF(rc_get_props(&f.s, src, &tag, 1, &row) == 0,
             "RopGetPropertiesSpecific(source): %s", f.s.error);
    CHECKF(str_is(rc_row_str(&row, tag), "first folder"),
           "isPropertiesDeleted false: the source holds '%s' after a copy "
           "without Move", str_or(rc_row_str(&row, tag)));
    REQUIREF(rc_open_folder(&g.s, fid2, &gdst) == 0,
             "second session: RopOpenFolder: %s", g.s.error);
    REQUIREF(rc_get_props(&g.s, gdst, &tag, 1, &row) == 0,
             "second session: RopGetPropertiesSpecific: %s", g.s.error);
    CHECKF(str_is(rc_row_str(&row, tag), "first folder"), "R503 "
           "(isChangedInDB, isOverwriteDestination): another session reads "
           "'%s' on the destination folder, expected the source's value",
           str_or(rc_row_str(&row, tag)));
out:
    rc_fx_close(&g);
    rc_fx_close(&f);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ported MS-OXCPRPT", suite_init, suite_cleanup);
#define ADD(fn) CU_add_test(s, #fn, fn)
    ADD(MSOXCPRPT_S02_SetPropertyData_TestSuite);
    ADD(MSOXCPRPT_S02_SetPropertyData_TestSuite1);
    ADD(MSOXCPRPT_S05_RopCopyPropertiesSuccessSynchronously_TestSuite);
#undef ADD
    return harness_run_tests();
}
