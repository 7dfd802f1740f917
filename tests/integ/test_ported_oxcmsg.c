/*
 * test_ported_oxcmsg.c: scenarios of Microsoft's published MS-OXCMSG
 * protocol test suite (OfficeDev/Interop-TestSuites,
 * ExchangeMAPI/Source/MS-OXCMSG/TestSuite), rewritten as our own black-box
 * tests through the ROP test client.  Each CUnit test carries the name of
 * the case it ports and checks the expectations that case captures, with
 * the requirement ids of /work/shared/specs/MS-OXCMSG.md.
 *
 * Version-specific expectations (ptfconfig SHOULDMAY switches) follow the
 * specification's normative statement; each such choice is noted at the
 * check.
 *
 * Skipped cases (one line each):
 * - S01_TC01 checks R339/R687/R700 in the Inbox; ported in a folder of
 *   its own so that other tests' messages do not move the counts.
 * - S01_TC06.. (RopCreateMessage without permissions, public folders,
 *   ecObjectModified between two sessions): need another user's folder
 *   permissions or public folders.
 * - S03 (RopSetReadFlags, RopSetMessageReadFlag): not ported this round
 *   (time); test_rops_messages covers read flags under its own names.
 * - S04 (message object properties set by transport: PidTagMessageFlags
 *   after RopSubmitMessage, PidTagLastModifierName...): need
 *   RopSubmitMessage (a later issue) or product-specific behaviour.
 * - S05 (RopOpenMessage on public folders, other users' mailboxes with
 *   permissions): public folders / permissions.
 * - S07_TC02.. (RowSize, recipient properties from the address book,
 *   RopModifyRecipients with RecipientProperties resolved against the
 *   GAL): need address-book resolution we do not have.
 * - S08, S09 (attachments, embedded messages): not ported this round
 *   (time); covered in part by test_rops_messages.  rop_wire has the
 *   RopGetValidAttachments builder/parser ready for them.
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

/* Tags beyond rop_wire.h's ([MS-OXPROPS]). */
#define TAG_SENSITIVITY      0x00360003u
#define TAG_DISPLAY_BCC      0x0E02001Fu
#define TAG_DISPLAY_CC       0x0E03001Fu
#define TAG_DISPLAY_TO       0x0E04001Fu
#define TAG_HAS_ATTACHMENTS  0x0E1B000Bu
#define TAG_ACCESS           0x0FF40003u
#define TAG_ACCESS_LEVEL     0x0FF70003u
#define TAG_SEARCH_KEY       0x300B0102u
#define TAG_HAS_NAMED_PROPS  0x664A000Bu
#define TAG_LOCAL_COMMIT     0x67090040u
#define TAG_SMTP_ADDRESS     0x39FE001Fu
#define TAG_RECIP_DISPLAY_NAME 0x5FF6001Fu

#define MSGFLAG_READ   0x00000001u
#define MSGFLAG_UNSENT 0x00000008u
#define MSGFLAG_FAI    0x00000040u

#define SAVE_KEEP_RO   0x01
#define SAVE_KEEP_RW   0x02
#define SAVE_FORCE     0x04

/* ------------------------------------------------------------ helpers -- */

static uint32_t mkfolder(rc_fx *f, const char *name, uint64_t *fid,
                         uint32_t *h)
{
    uint32_t rv = rc_create_folder(&f->s, f->inbox, name, NULL, 0, fid, h);

    CHECKF(rv == 0, "setup: RopCreateFolder '%s': 0x%08X (%s)", name, rv,
           f->s.error);
    return rv;
}

static long contents_count(rc_fx *f, uint32_t folder, uint8_t flags)
{
    uint32_t table, count;

    if (rc_get_contents_table(&f->s, folder, flags, &table, &count) != 0)
        return -1;
    rc_release(&f->s, table);
    return count;
}

/* RopCreateMessage from the logon in fid: the new message's handle (not
 * saved) and the response's HasMessageId.  0, or the ReturnValue. */
static uint32_t create_open(rc_fx *f, uint64_t fid, int associated,
                            uint32_t *msg, uint8_t *has_mid)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    uint64_t mid = 0;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->s.logon);
    rc_req_create_message(&b, 0, 0, 1, 0x0FFF, fid, associated);
    if (rc_fx_run(f, &b, &x, "RopCreateMessage") != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_create_message(&x.resp, &h, has_mid, &mid) != 0)
        h.rv = RC_ERR_CLIENT;
    *msg = rc_resp_handle(&x.resp, 1);
    rc_exec_free(&x);
    return h.rv;
}

/* RopSaveChangesMessage of msg with save_flags: ReturnValue, mid. */
static uint32_t save(rc_fx *f, uint32_t msg, uint8_t save_flags,
                     uint64_t *mid)
{
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h = { 0 };
    uint8_t idx;
    uint64_t m = 0;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, msg);
    rc_req_save_changes_message(&b, 0, 0, 0, save_flags);
    if (rc_fx_run(f, &b, &x, "RopSaveChangesMessage") != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_save_changes_message(&x.resp, &h, &idx, &m) != 0)
        h.rv = RC_ERR_CLIENT;
    rc_exec_free(&x);
    if (mid)
        *mid = m;
    return h.rv;
}

/* RopOpenMessage (open_mode) of fid/mid from the logon: the handle and
 * the response. */
static uint32_t open_msg(rc_fx *f, uint64_t fid, uint64_t mid,
                         uint8_t open_mode, uint32_t *msg, rc_message_rsp *o)
{
    rc_buf b;
    rc_exec x = { 0 };

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->s.logon);
    rc_req_open_message(&b, 0, 0, 1, 0x0FFF, fid, open_mode, mid);
    if (rc_fx_run(f, &b, &x, "RopOpenMessage") != 0)
        return RC_ERR_CLIENT;
    if (rc_rsp_open_message(&x.resp, o) != 0)
        o->h.rv = RC_ERR_CLIENT;
    *msg = rc_resp_handle(&x.resp, 1);
    rc_exec_free(&x);
    return o->h.rv;
}

static const char *str_or(const char *s)
{
    return s ? s : "(absent)";
}

static int str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* ------------------------------------------------------------- S01 -- */

/* The new message is not in the contents table before its save, is after
 * it, and is reachable by the MID of the save response through the
 * table's PidTagMid column. */
static void MSOXCMSG_S01_TC01_RopCreateMessageAndRopSaveChangesMessage(void)
{
    static const uint32_t cols[] = { RC_TAG_MID };
    rc_fx f;
    uint64_t fid, mid = 0;
    uint32_t folder, msg = 0, table, count, opened = 0;
    uint8_t has_mid = 0xFF;
    long before, unsaved, after;
    rc_rows_rsp rows;
    rc_message_rsp om;
    int found = 0;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-s01-tc01", &fid, &folder) == 0, "setup");
    before = contents_count(&f, folder, 0);
    REQUIREF(create_open(&f, fid, 0, &msg, &has_mid) == 0,
             "R687: RopCreateMessage failed (%s)", f.s.error);
    CHECKF(has_mid == 0, "R991: HasMessageId %u in the RopCreateMessage "
           "response, expected 0x00 (last byte)", has_mid);
    unsaved = contents_count(&f, folder, 0);
    CHECKF(unsaved == before, "R339: %ld rows before RopSaveChangesMessage, "
           "%ld before RopCreateMessage: the new message was committed "
           "early", unsaved, before);
    REQUIREF(save(&f, msg, SAVE_FORCE, &mid) == 0, "R700: "
             "RopSaveChangesMessage(ForceSave) failed");
    CHECKF(mid != 0, "R728/R372: MessageId 0 in the save response");
    after = contents_count(&f, folder, 0);
    CHECKF(after == before + 1, "R687/R700: %ld rows after the save, %ld "
           "before", after, before);
    REQUIREF(rc_get_contents_table(&f.s, folder, 0, &table, &count) == 0,
             "RopGetContentsTable: %s", f.s.error);
    REQUIREF(rc_query_table(&f.s, table, cols, 1, 0x1000, &rows) == 0,
             "RopSetColumns(PidTagMid) + RopQueryRows: %s", f.s.error);
    for (uint16_t i = 0; i < rows.count; i++)
        found |= rc_row_u64(&rows.rows[i], RC_TAG_MID, 0) == mid;
    CHECKF(found, "R251: MID 0x%016llX of the save response is not in the "
           "table's PidTagMid column", (unsigned long long)mid);
    rc_release(&f.s, table);
    CHECKF(open_msg(&f, fid, mid, 0, &opened, &om) == 0, "R647/R251: "
           "RopOpenMessage of the saved MID gave 0x%08X", om.h.rv);
out:
    rc_fx_close(&f);
}

/* AssociatedFlag nonzero makes an FAI message (mfFAI); two SaveFlags
 * values outside 0x01/0x02/0x04 get the same answer. */
static void MSOXCMSG_S01_TC02_CreateFAIMessage(void)
{
    static const uint32_t tags[] = { RC_TAG_MESSAGE_FLAGS };
    rc_fx f;
    uint64_t fid, mid = 0, mid5 = 0, mid6 = 0;
    uint32_t folder, msg = 0, rv5, rv6, flags;
    uint8_t has_mid;
    rc_row row;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-s01-tc02", &fid, &folder) == 0, "setup");
    REQUIREF(create_open(&f, fid, 1, &msg, &has_mid) == 0,
             "RopCreateMessage(AssociatedFlag 1) failed");
    REQUIREF(save(&f, msg, SAVE_FORCE, &mid) == 0,
             "RopSaveChangesMessage(ForceSave) of the FAI message failed");
    REQUIREF(rc_open_message_props(&f.s, f.s.logon, fid, mid, tags, 1, NULL,
                                   &row) == 0,
             "RopOpenMessage + RopGetPropertiesSpecific of the FAI message: "
             "%s", f.s.error);
    flags = rc_row_u32(&row, RC_TAG_MESSAGE_FLAGS, 0);
    CHECKF(flags & MSGFLAG_FAI, "R988/R527: PidTagMessageFlags 0x%08X "
           "lacks mfFAI (0x40) for AssociatedFlag 1", flags);
    CHECKF(contents_count(&f, folder, 0x02) == 1, "R988: the associated "
           "contents table does not hold the FAI message");
    rv5 = save(&f, msg, 0x05, &mid5);
    rv6 = save(&f, msg, 0x06, &mid6);
    CHECKF(rv5 == rv6 && mid5 == mid6, "R1907: SaveFlags 0x05 gave 0x%08X "
           "(MID 0x%016llX), 0x06 gave 0x%08X (MID 0x%016llX): not the "
           "same", rv5, (unsigned long long)mid5, rv6,
           (unsigned long long)mid6);
out:
    rc_fx_close(&f);
}

/* What RopCreateMessage initialises before the first save, and
 * PidTagLocalCommitTime set by the save. */
static void MSOXCMSG_S01_TC03_PropertiesInRopCreateMessageInitialization(void)
{
    static const uint32_t tags[] = {
        RC_TAG_IMPORTANCE, RC_TAG_MESSAGE_CLASS, TAG_SENSITIVITY,
        TAG_DISPLAY_BCC, TAG_DISPLAY_CC, TAG_DISPLAY_TO, TAG_HAS_ATTACHMENTS,
        TAG_ACCESS, TAG_ACCESS_LEVEL, RC_TAG_CREATION_TIME, TAG_SEARCH_KEY,
        TAG_HAS_NAMED_PROPS, RC_TAG_MESSAGE_FLAGS, TAG_LOCAL_COMMIT
    };
    enum { NT = sizeof(tags) / sizeof(tags[0]) };
    rc_fx f;
    uint64_t fid;
    uint32_t folder, msg = 0, flags;
    uint8_t has_mid;
    rc_row r;
    const rc_prop *p, *commit_before;
    uint64_t commit0 = 0;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-s01-tc03", &fid, &folder) == 0, "setup");
    REQUIREF(create_open(&f, fid, 0, &msg, &has_mid) == 0,
             "RopCreateMessage failed");
    REQUIREF(rc_get_props(&f.s, msg, tags, NT, &r) == 0,
             "RopGetPropertiesSpecific on the new message: %s", f.s.error);
    flags = rc_row_u32(&r, RC_TAG_MESSAGE_FLAGS, 0);
    CHECKF(!(flags & MSGFLAG_FAI), "R987: PidTagMessageFlags 0x%08X has "
           "mfFAI for AssociatedFlag 0", flags);
    CHECKF(rc_row_u32(&r, RC_TAG_IMPORTANCE, 99) == 1, "R341/R73: "
           "PidTagImportance %u, expected 1",
           rc_row_u32(&r, RC_TAG_IMPORTANCE, 99));
    CHECKF(str_eq(rc_row_str(&r, RC_TAG_MESSAGE_CLASS), "IPM.Note"),
           "R342: PidTagMessageClass '%s', expected IPM.Note",
           str_or(rc_row_str(&r, RC_TAG_MESSAGE_CLASS)));
    CHECKF(rc_row_u32(&r, TAG_SENSITIVITY, 99) == 0, "R343/R84: "
           "PidTagSensitivity %u, expected 0",
           rc_row_u32(&r, TAG_SENSITIVITY, 99));
    CHECKF(str_eq(rc_row_str(&r, TAG_DISPLAY_BCC), ""), "R344: "
           "PidTagDisplayBcc '%s', expected \"\"",
           str_or(rc_row_str(&r, TAG_DISPLAY_BCC)));
    CHECKF(str_eq(rc_row_str(&r, TAG_DISPLAY_CC), ""), "R345: "
           "PidTagDisplayCc '%s', expected \"\"",
           str_or(rc_row_str(&r, TAG_DISPLAY_CC)));
    CHECKF(str_eq(rc_row_str(&r, TAG_DISPLAY_TO), ""), "R346: "
           "PidTagDisplayTo '%s', expected \"\"",
           str_or(rc_row_str(&r, TAG_DISPLAY_TO)));
    p = rc_row_find(&r, TAG_HAS_ATTACHMENTS);
    CHECKF(p && p->type == RC_PT_BOOLEAN && p->v.b == 0, "R349: "
           "PidTagHasAttachments absent or not 0x00");
    /* PidTagAccess (R353): MSOXCMSG_S01_TC03_PidTagAccessInitialization. */
    CHECKF(rc_row_u32(&r, TAG_ACCESS_LEVEL, 99) == 1, "R354: "
           "PidTagAccessLevel %u, expected 1",
           rc_row_u32(&r, TAG_ACCESS_LEVEL, 99));
    p = rc_row_find(&r, RC_TAG_CREATION_TIME);
    CHECKF(p && p->type == RC_PT_SYSTIME && p->v.u64 != 0, "R2034: "
           "PidTagCreationTime not initialised");
    p = rc_row_find(&r, TAG_SEARCH_KEY);
    CHECKF(p && p->type == RC_PT_BINARY && p->v.bin.len > 0, "R358: "
           "PidTagSearchKey not generated");
    p = rc_row_find(&r, TAG_HAS_NAMED_PROPS);
    CHECKF(p && p->type == RC_PT_BOOLEAN && p->v.b == 0, "R364: "
           "PidTagHasNamedProperties absent or not 0x00");
    CHECKF((flags & 0x9) == 0x9, "R347/R510/R512: PidTagMessageFlags "
           "0x%08X, expected mfRead | mfUnsent (0x9)", flags);
    commit_before = rc_row_find(&r, TAG_LOCAL_COMMIT);
    if (commit_before && commit_before->type == RC_PT_SYSTIME)
        commit0 = commit_before->v.u64;
    harness_sleep_ms(20);
    REQUIREF(save(&f, msg, SAVE_FORCE, NULL) == 0,
             "RopSaveChangesMessage(ForceSave) failed");
    REQUIREF(rc_get_props(&f.s, msg, tags, NT, &r) == 0,
             "RopGetPropertiesSpecific after the save: %s", f.s.error);
    p = rc_row_find(&r, TAG_LOCAL_COMMIT);
    CHECKF(p && p->type == RC_PT_SYSTIME && p->v.u64 != commit0, "R1890: "
           "PidTagLocalCommitTime not set by RopSaveChangesMessage (%s)",
           p && p->type == RC_PT_SYSTIME ? "unchanged" : "absent");
out:
    rc_fx_close(&f);
}

/* ----------------------------------------- S02: message status -- */

#define TAG_MESSAGE_STATUS   0x0E170003u
#define TAG_CHANGE_KEY       0x65E20102u
#define MS_IN_CONFLICT       0x00000800u
#define MS_REMOTE_DOWNLOAD   0x00001000u
#define MS_REMOTE_DELETE     0x00002000u
#define MS_MASK3 (MS_IN_CONFLICT | MS_REMOTE_DOWNLOAD | MS_REMOTE_DELETE)

/* RopSetMessageStatus (set) or RopGetMessageStatus of mid on the folder
 * handle (RC_NO_HANDLE: no object); *flags gets MessageStatusFlags (the
 * old status for a set, R784). */
static uint32_t msg_status(rc_fx *f, uint32_t folder, int set, uint64_t mid,
                           uint32_t status, uint32_t mask, uint32_t *flags)
{
    rc_buf b;
    rc_exec x;
    rc_head h;
    uint32_t rv = RC_ERR_CLIENT;
    int rop = set ? RC_ROP_SET_MESSAGE_STATUS : RC_ROP_GET_MESSAGE_STATUS;

    *flags = 0xFFFFFFFFu;
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, folder);
    if (set)
        rc_req_set_message_status(&b, f->s.logon_id, 0, mid, status, mask);
    else
        rc_req_get_message_status(&b, f->s.logon_id, 0, mid);
    if (rc_fx_run(f, &b, &x, set ? "RopSetMessageStatus"
                                 : "RopGetMessageStatus") != 0)
        return rv;
    if (rc_rsp_message_status(&x.resp, rop, &h, flags) == 0)
        rv = h.rv;
    rc_exec_free(&x);
    return rv;
}

static void MSOXCMSG_S02_TC01_SetAndGetMessageStatus(void)
{
    static const uint32_t tags[] = { TAG_MESSAGE_STATUS, TAG_CHANGE_KEY,
                                     RC_TAG_LAST_MODIFICATION };
    static const uint32_t steps[] = { MS_REMOTE_DOWNLOAD, MS_IN_CONFLICT,
                                      MS_REMOTE_DELETE };
    rc_fx f;
    rc_row before, after;
    rc_prop subj = rc_pv_str(RC_TAG_SUBJECT, "S02_TC01");
    uint64_t fid, mid = 0;
    uint32_t rv, old, got, prev = 0;

    if (rc_fx_open(&f, &H) != 0)
        return;
    fid = f.s.lo.fids[RC_FID_INBOX];
    rv = rc_create_message(&f.s, f.s.logon, fid, &subj, 1, &mid);
    REQUIREF(rv == 0, "RopCreateMessage/SaveChanges: 0x%08X (%s)", rv,
             f.s.error);
    rv = rc_open_message_props(&f.s, f.s.logon, fid, mid, tags, 3, NULL,
                               &before);
    REQUIREF(rv == 0, "RopOpenMessage/GetProperties: 0x%08X", rv);
    for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
        rv = msg_status(&f, f.inbox, 1, mid, steps[i], MS_MASK3, &old);
        CHECKF(rv == 0, "R773 R549: RopSetMessageStatus(0x%04X, mask "
               "0x%04X) on the Inbox, message not open: 0x%08X", steps[i],
               MS_MASK3, rv);
        CHECKF(i == 0 || old == prev, "R784: RopSetMessageStatus returned "
               "0x%08X, the status before was 0x%08X", old, prev);
        rv = msg_status(&f, f.inbox, 0, mid, 0, 0, &got);
        CHECKF(rv == 0 && got == (steps[i] & MS_MASK3), "R786 R421 R416 "
               "R1500 R2028 R2029 R2030: RopGetMessageStatus: 0x%08X, "
               "flags 0x%08X, expected 0x%08X", rv, got, steps[i]);
        prev = got;
    }
    rv = rc_open_message_props(&f.s, f.s.logon, fid, mid, tags, 3, NULL,
                               &after);
    REQUIREF(rv == 0, "RopOpenMessage/GetProperties: 0x%08X", rv);
    CHECKF(rc_row_u32(&after, TAG_MESSAGE_STATUS, 0) == MS_REMOTE_DELETE,
           "R773 R1501: PidTagMessageStatus 0x%08X, expected the status "
           "set", rc_row_u32(&after, TAG_MESSAGE_STATUS, 0));
    /* R1501's PidTagChangeKey / PidTagLastModificationTime:
     * MSOXCMSG_S02_TC01_MessageStatusKeepsChangeKey. */
    (void)before;
out:
    rc_fx_close(&f);
}

/* The input handle is no Folder object (no object at all). */
static void MSOXCMSG_S02_TC02_ErrorCodeOfMessageStatus(void)
{
    rc_fx f;
    rc_prop subj = rc_pv_str(RC_TAG_SUBJECT, "S02_TC02");
    uint64_t mid = 0;
    uint32_t rv, flags;

    if (rc_fx_open(&f, &H) != 0)
        return;
    rv = rc_create_message(&f.s, f.s.logon, f.s.lo.fids[RC_FID_INBOX], &subj,
                           1, &mid);
    REQUIREF(rv == 0, "RopCreateMessage/SaveChanges: 0x%08X (%s)", rv,
             f.s.error);
    rv = msg_status(&f, RC_NO_HANDLE, 1, mid, MS_REMOTE_DOWNLOAD,
                    MS_REMOTE_DOWNLOAD, &flags);
    CHECKF(rv == RC_EC_NULL_OBJECT, "R1505: RopSetMessageStatus on an "
           "invalid handle: 0x%08X, expected ecNullObject", rv);
    rv = msg_status(&f, RC_NO_HANDLE, 0, mid, 0, 0, &flags);
    CHECKF(rv == RC_EC_NULL_OBJECT, "R1507: RopGetMessageStatus on an "
           "invalid handle: 0x%08X, expected ecNullObject", rv);
out:
    rc_fx_close(&f);
}

/* ------------------------------------- once divergences, now fixed -- */

/* PidTagAccess of a new message.  SHOULDMAY R1914/R1915 (7 on Exchange
 * 2013, 3 on 2007/2010): we follow the normative R353, 0x00000003. */
static void MSOXCMSG_S01_TC03_PidTagAccessInitialization(void)
{
    static const uint32_t tags[] = { TAG_ACCESS };
    rc_fx f;
    uint64_t fid;
    uint32_t folder, msg = 0;
    uint8_t has_mid;
    rc_row r;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-div-access", &fid, &folder) == 0, "setup");
    REQUIREF(create_open(&f, fid, 0, &msg, &has_mid) == 0,
             "RopCreateMessage failed");
    REQUIREF(rc_get_props(&f.s, msg, tags, 1, &r) == 0,
             "RopGetPropertiesSpecific: %s", f.s.error);
    CHECKF(rc_row_u32(&r, TAG_ACCESS, 99) == 3, "R353: PidTagAccess 0x%X, "
           "expected 0x00000003", rc_row_u32(&r, TAG_ACCESS, 99));
out:
    rc_fx_close(&f);
}

/* SaveFlags 0x0F: the published suite expects ecNotSupported (its R1052,
 * which is not among the statements of /work/shared/specs); we follow
 * R1906 there: flags other than 0x01/0x02/0x04 are ignored, so the save
 * goes through. */
static void MSOXCMSG_S01_TC04_RopSaveChangesMessageWithInvalidSaveFlags(void)
{
    rc_fx f;
    uint64_t fid;
    uint32_t folder, msg = 0, rv;
    uint8_t has_mid;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-s01-tc04", &fid, &folder) == 0, "setup");
    REQUIREF(create_open(&f, fid, 0, &msg, &has_mid) == 0,
             "RopCreateMessage failed");
    rv = save(&f, msg, 0x0F, NULL);
    CHECKF(rv == 0, "R1906: RopSaveChangesMessage with SaveFlags 0x0F gave "
           "0x%08X, expected the undefined bit ignored", rv);
    CHECKF(contents_count(&f, folder, 0) == 1, "R1906: the save did not "
           "commit the message");
out:
    rc_fx_close(&f);
}

/* A read-only property set by the client (PidTagHasAttachments, R15) is
 * not persisted.  SHOULDMAY: R1112 (Exchange 2007: the save succeeds) and
 * R1644/R1869 (2010 and later: the save fails with GeneralFailure) are
 * product behaviours; we follow the normative R1125 (the server can
 * return Success but does not persist the change) and accept either
 * answer of the save, but not the value being kept. */
static void MSOXCMSG_S01_TC05_SaveReadOnlyPropertiesOfMessage(void)
{
    static const uint32_t tags[] = { TAG_HAS_ATTACHMENTS };
    rc_fx f;
    uint64_t fid, mid = 0;
    uint32_t folder, msg = 0, rv;
    uint8_t has_mid;
    rc_prop v = rc_pv_bool(TAG_HAS_ATTACHMENTS, 1);
    uint16_t np = 0;
    rc_problem *pr = NULL;
    rc_row r;
    const rc_prop *p;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-s01-tc05", &fid, &folder) == 0, "setup");
    REQUIREF(create_open(&f, fid, 0, &msg, &has_mid) == 0,
             "RopCreateMessage failed");
    REQUIREF(save(&f, msg, SAVE_FORCE, &mid) == 0, "first save failed");
    rv = rc_set_props(&f.s, msg, &v, 1, &np, &pr);
    CHECKF(rv == 0, "R1125: RopSetProperties(PidTagHasAttachments) gave "
           "0x%08X", rv);
    rv = save(&f, msg, SAVE_KEEP_RW, NULL);
    CHECKF(rv == 0 || rv == RC_EC_ERROR, "R1125/R1869: the save after "
           "setting PidTagHasAttachments gave 0x%08X, expected success or "
           "GeneralFailure", rv);
    REQUIREF(rc_open_message_props(&f.s, f.s.logon, fid, mid, tags, 1, NULL,
                                   &r) == 0, "reopen: %s", f.s.error);
    p = rc_row_find(&r, TAG_HAS_ATTACHMENTS);
    CHECKF(p == NULL || p->type != RC_PT_BOOLEAN || p->v.b == 0,
           "R15/R1125: PidTagHasAttachments set by the client was persisted "
           "on a message without attachments");
out:
    rc_fx_close(&f);
}

/* ------------------------------------------------------------- S06 -- */

static int same_header(const rc_message_rsp *a, const rc_message_rsp *b)
{
    if (a->has_named_props != b->has_named_props ||
        !str_eq(a->subject_prefix, b->subject_prefix) ||
        !str_eq(a->normalized_subject, b->normalized_subject) ||
        a->recipient_count != b->recipient_count || a->ncols != b->ncols ||
        a->nrows != b->nrows)
        return 0;
    for (uint16_t i = 0; i < a->ncols; i++)
        if (a->cols[i] != b->cols[i])
            return 0;
    for (uint8_t i = 0; i < a->nrows; i++)
        if (a->rows[i].recipient_type != b->rows[i].recipient_type ||
            !str_eq(a->rows[i].email, b->rows[i].email) ||
            !str_eq(a->rows[i].display_name, b->rows[i].display_name))
            return 0;
    return 1;
}

/* RopReloadCachedInformation answers what RopOpenMessage answered. */
static void MSOXCMSG_S06_TC01_RopReloadCachedInformation(void)
{
    rc_fx f;
    uint64_t fid, mid = 0;
    uint32_t folder, msg = 0, opened = 0;
    uint8_t has_mid;
    rc_message_rsp om, rl;
    rc_prop v = rc_pv_str(RC_TAG_SUBJECT, "reload subject");
    rc_buf b;
    rc_exec x = { 0 };

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-s06-tc01", &fid, &folder) == 0, "setup");
    REQUIREF(create_open(&f, fid, 0, &msg, &has_mid) == 0,
             "RopCreateMessage failed");
    REQUIREF(rc_set_props(&f.s, msg, &v, 1, NULL, NULL) == 0,
             "RopSetProperties(subject): %s", f.s.error);
    REQUIREF(save(&f, msg, SAVE_FORCE, &mid) == 0, "save failed");
    rc_release(&f.s, msg);
    REQUIREF(open_msg(&f, fid, mid, 1, &opened, &om) == 0,
             "RopOpenMessage(ReadWrite): 0x%08X", om.h.rv);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, opened);
    rc_req_reload_cached_information(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopReloadCachedInformation") == 0,
             "transport");
    REQUIREF(rc_rsp_reload_cached_information(&x.resp, &rl) == 0,
             "RopReloadCachedInformation response: %s",
             rc_resp_error(&x.resp));
    CHECKF(rl.h.rv == 0, "R279: RopReloadCachedInformation gave 0x%08X",
           rl.h.rv);
    CHECKF(same_header(&om, &rl), "R766: RopReloadCachedInformation "
           "(subject '%s', %u recipients, %u columns) differs from "
           "RopOpenMessage ('%s', %u, %u)", str_or(rl.normalized_subject),
           rl.recipient_count, rl.ncols, str_or(om.normalized_subject),
           om.recipient_count, om.ncols);
    rc_exec_free(&x);
out:
    rc_fx_close(&f);
}

/* An InputHandleIndex whose handle is no Message object: ecNullObject. */
static void MSOXCMSG_S06_TC02_RopReloadCachedInformationFailure(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, 0xFFFFFFFFu);   /* no object behind it */
    rc_req_reload_cached_information(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopReloadCachedInformation") == 0,
             "transport");
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_RELOAD_CACHED_INFORMATION, &h)
                 == 0, "response: %s", rc_resp_error(&x.resp));
    CHECKF(h.rv == RC_EC_NULL_OBJECT, "R1498: RopReloadCachedInformation "
           "on an invalid handle gave 0x%08X, expected ecNullObject "
           "0x000004B9", h.rv);
    rc_exec_free(&x);
out:
    rc_fx_close(&f);
}

/* ------------------------------------------------------------- S07 -- */

static const uint32_t recip_cols[] = { TAG_SMTP_ADDRESS,
                                       TAG_RECIP_DISPLAY_NAME };

static void one_recipient(apr_pool_t *p, rc_recipient *r)
{
    memset(r, 0, sizeof(*r));
    r->row_id = 0;
    r->recipient_type = 1;
    r->flags = RC_RECIP_SMTP | RC_RECIP_U;
    r->email = "ported@example.test";
    r->display_name = "Ported Recipient";
    r->props.n = 2;
    r->props.props = apr_pcalloc(p, 2 * sizeof(rc_prop));
    r->props.props[0] = rc_pv_str(TAG_SMTP_ADDRESS, r->email);
    r->props.props[1] = rc_pv_str(TAG_RECIP_DISPLAY_NAME, r->display_name);
}

/* RopRemoveAllRecipients succeeds on a message without recipients; after
 * a recipient was saved, RemoveAll on a reopened handle hides it from
 * that handle at once. */
static void MSOXCMSG_S07_TC01_RopModifyRemoveRecipientSuccessfully(void)
{
    rc_fx f;
    uint64_t fid, mid = 0;
    uint32_t folder, msg = 0, opened = 0;
    uint8_t has_mid, n = 0;
    rc_message_rsp om;
    rc_recipient r, *rows = NULL;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head h, hm, hr;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, "ported-s07-tc01", &fid, &folder) == 0, "setup");
    REQUIREF(create_open(&f, fid, 0, &msg, &has_mid) == 0,
             "RopCreateMessage failed");
    REQUIREF(save(&f, msg, SAVE_FORCE, &mid) == 0, "save failed");
    REQUIREF(open_msg(&f, fid, mid, 1, &opened, &om) == 0,
             "RopOpenMessage(ReadWrite): 0x%08X", om.h.rv);
    one_recipient(f.s.pool, &r);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, opened);
    rc_req_remove_all_recipients(&b, 0, 0);
    rc_req_modify_recipients(&b, 0, 0, recip_cols, 2, &r, 1, NULL);
    rc_req_save_changes_message(&b, 0, 0, 0, SAVE_FORCE);
    REQUIREF(rc_fx_run(&f, &b, &x, "RemoveAll + Modify + Save") == 0,
             "transport");
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_REMOVE_ALL_RECIPIENTS, &h) == 0,
             "RopRemoveAllRecipients: %s", rc_resp_error(&x.resp));
    CHECKF(h.rv == 0, "R1491: RopRemoveAllRecipients on a message without "
           "recipients gave 0x%08X", h.rv);
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_MODIFY_RECIPIENTS, &hm) == 0 &&
             hm.rv == 0, "RopModifyRecipients: 0x%08X (%s)", hm.rv,
             rc_resp_error(&x.resp));
    rc_exec_free(&x);
    rc_release(&f.s, opened);

    REQUIREF(open_msg(&f, fid, mid, 1, &opened, &om) == 0,
             "reopen: 0x%08X", om.h.rv);
    REQUIREF(om.recipient_count == 1, "setup: %u recipients saved, "
             "expected 1", om.recipient_count);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, opened);
    rc_req_remove_all_recipients(&b, 0, 0);
    rc_req_read_recipients(&b, 0, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RemoveAll + ReadRecipients") == 0,
             "transport");
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_REMOVE_ALL_RECIPIENTS, &h) == 0
             && h.rv == 0, "RopRemoveAllRecipients: 0x%08X", h.rv);
    REQUIREF(rc_rsp_read_recipients(&x.resp, om.cols, om.ncols, &hr, &n,
                                    &rows) == 0,
             "RopReadRecipients: %s", rc_resp_error(&x.resp));
    CHECKF(hr.rv != 0 || n == 0, "R381: RopReadRecipients on the same "
           "handle still returned %u row(s) after RopRemoveAllRecipients",
           n);
    rc_exec_free(&x);
out:
    rc_fx_close(&f);
}

/* S02_TC01, R1501: RopSetMessageStatus changes PidTagMessageStatus only,
 * not PidTagChangeKey nor PidTagLastModificationTime.  rop_message.c
 * commits it through store_message_save(), which stamps a new change and
 * modification time (store_message.c has no status-only write). */
static void MSOXCMSG_S02_TC01_MessageStatusKeepsChangeKey(void)
{
    static const uint32_t tags[] = { TAG_CHANGE_KEY,
                                     RC_TAG_LAST_MODIFICATION };
    rc_fx f;
    rc_row before, after;
    rc_prop subj = rc_pv_str(RC_TAG_SUBJECT, "S02_TC01 R1501");
    const rc_prop *ck0, *ck1;
    uint64_t fid, mid = 0;
    uint32_t rv, old;

    if (rc_fx_open(&f, &H) != 0)
        return;
    fid = f.s.lo.fids[RC_FID_INBOX];
    rv = rc_create_message(&f.s, f.s.logon, fid, &subj, 1, &mid);
    REQUIREF(rv == 0, "RopCreateMessage/SaveChanges: 0x%08X", rv);
    rv = rc_open_message_props(&f.s, f.s.logon, fid, mid, tags, 2, NULL,
                               &before);
    REQUIREF(rv == 0, "RopOpenMessage/GetProperties: 0x%08X", rv);
    rv = msg_status(&f, f.inbox, 1, mid, MS_REMOTE_DOWNLOAD, MS_MASK3, &old);
    REQUIREF(rv == 0, "RopSetMessageStatus: 0x%08X", rv);
    rv = rc_open_message_props(&f.s, f.s.logon, fid, mid, tags, 2, NULL,
                               &after);
    REQUIREF(rv == 0, "RopOpenMessage/GetProperties: 0x%08X", rv);
    ck0 = rc_row_find(&before, TAG_CHANGE_KEY);
    ck1 = rc_row_find(&after, TAG_CHANGE_KEY);
    CHECKF(ck0 && ck1 && ck0->type == RC_PT_BINARY
           && ck1->type == RC_PT_BINARY && ck0->v.bin.len == ck1->v.bin.len
           && memcmp(ck0->v.bin.data, ck1->v.bin.data, ck0->v.bin.len) == 0,
           "R1501: PidTagChangeKey changed with RopSetMessageStatus");
    CHECKF(rc_row_u64(&before, RC_TAG_LAST_MODIFICATION, 0)
           == rc_row_u64(&after, RC_TAG_LAST_MODIFICATION, 1),
           "R1501: PidTagLastModificationTime changed with "
           "RopSetMessageStatus");
out:
    rc_fx_close(&f);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ported MS-OXCMSG", suite_init, suite_cleanup);
#define ADD(fn) CU_add_test(s, #fn, fn)
    ADD(MSOXCMSG_S01_TC01_RopCreateMessageAndRopSaveChangesMessage);
    ADD(MSOXCMSG_S01_TC02_CreateFAIMessage);
    ADD(MSOXCMSG_S01_TC03_PropertiesInRopCreateMessageInitialization);
    ADD(MSOXCMSG_S01_TC05_SaveReadOnlyPropertiesOfMessage);
    ADD(MSOXCMSG_S02_TC01_SetAndGetMessageStatus);
    ADD(MSOXCMSG_S02_TC02_ErrorCodeOfMessageStatus);
    ADD(MSOXCMSG_S06_TC01_RopReloadCachedInformation);
    ADD(MSOXCMSG_S06_TC02_RopReloadCachedInformationFailure);
    ADD(MSOXCMSG_S07_TC01_RopModifyRemoveRecipientSuccessfully);
    ADD(MSOXCMSG_S01_TC03_PidTagAccessInitialization);
    ADD(MSOXCMSG_S01_TC04_RopSaveChangesMessageWithInvalidSaveFlags);
    ADD(MSOXCMSG_S02_TC01_MessageStatusKeepsChangeKey);
#undef ADD
    return harness_run_tests();
}
