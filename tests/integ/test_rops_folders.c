/*
 * test_rops_folders.c: folder ROPs end to end through httpd, errors
 * included: RopCreateFolder (name clash, OpenExisting), RopOpenFolder of
 * an unknown id, the hierarchy table, folder properties, RopMoveFolder,
 * RopCopyFolder, RopDeleteFolder, RopEmptyFolder, the Receive folder
 * ROPs, LongTermIDs, RopGetStoreState, RopGetAddressTypes, and what the
 * server does with bad handles and a truncated request.
 *
 * Every test works in folders of its own name under the Inbox, so that
 * the tests do not depend on each other's leftovers.
 *
 * Requirement ids: [MS-OXCFOLD] unless marked otherwise
 * (/work/shared/specs/).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>

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

/* ------------------------------------------------------------ fixture -- */

/* rc_fx (rop_client.h): a connected demo client, logged on, with the
 * Inbox open. */

/* A folder named name under parent (a handle); 0 or the ReturnValue. */
static uint32_t mkfolder(rc_fx *f, uint32_t parent, const char *name,
                         uint64_t *fid, uint32_t *h)
{
    uint32_t rv = rc_create_folder(&f->s, parent, name, NULL, 0, fid, h);

    CHECKF(rv == 0, "setup: RopCreateFolder '%s': 0x%08X (%s)", name, rv,
           f->s.error);
    return rv;
}

/* A message with subject in folder (handle, fid); 0 or the ReturnValue. */
static uint32_t mkmessage(rc_fx *f, uint32_t folder, uint64_t fid,
                          const char *subject)
{
    rc_prop v[2] = { rc_pv_str(RC_TAG_SUBJECT, subject),
                     rc_pv_str(RC_TAG_MESSAGE_CLASS, "IPM.Note") };
    uint64_t mid;
    uint32_t rv = rc_create_message(&f->s, folder, fid, v, 2, &mid);

    CHECKF(rv == 0, "setup: message '%s': 0x%08X (%s)", subject, rv,
           f->s.error);
    return rv;
}

/* The hierarchy rows of folder (DisplayName, Comment, FolderId,
 * ContentCount); 0 or the ReturnValue. */
static const uint32_t hier_cols[] = { RC_TAG_DISPLAY_NAME, RC_TAG_COMMENT,
                                      RC_TAG_FOLDER_ID,
                                      RC_TAG_CONTENT_COUNT };

static uint32_t hierarchy(rc_fx *f, uint32_t folder, rc_rows_rsp *rows)
{
    uint32_t table, count, rv;

    memset(rows, 0, sizeof(*rows));
    rv = rc_get_hierarchy_table(&f->s, folder, 0, &table, &count);
    if (rv == 0)
        rv = rc_query_table(&f->s, table, hier_cols, 4, 500, rows);
    if (rv == 0)
        rc_release(&f->s, table);
    CHECKF(rv == 0, "hierarchy table: 0x%08X (%s)", rv, f->s.error);
    return rv;
}

/* The FolderId of the child named name of folder, or 0. */
static uint64_t child_fid(rc_fx *f, uint32_t folder, const char *name)
{
    rc_rows_rsp rows;
    const rc_row *r;

    if (hierarchy(f, folder, &rows) != 0)
        return 0;
    r = rc_rows_find_str(&rows, RC_TAG_DISPLAY_NAME, name);
    return r ? rc_row_u64(r, RC_TAG_FOLDER_ID, 0) : 0;
}

/* Drafts is no FolderId of the logon response: found by name under the
 * IPM subtree. */
static uint64_t drafts_fid(rc_fx *f)
{
    uint32_t ipm;
    uint64_t fid = 0;

    if (rc_open_folder(&f->s, f->s.lo.fids[RC_FID_IPM_SUBTREE], &ipm) != 0)
        return 0;
    fid = child_fid(f, ipm, "Drafts");
    rc_release(&f->s, ipm);
    return fid;
}

/* The number of rows of folder's contents table, or -1. */
static long contents_count(rc_fx *f, uint32_t folder)
{
    uint32_t table, count;

    if (rc_get_contents_table(&f->s, folder, 0, &table, &count) != 0)
        return -1;
    rc_release(&f->s, table);
    return count;
}

/* ---------------------------------------------------------- the tests -- */

/* A new folder; the same name again is ecDuplicateName; with OpenExisting
 * the existing folder is opened (same FolderId). */
static void test_create_folder_duplicate_R481_R482_R491_R59(void)
{
    rc_fx f;
    uint64_t fid = 0, fid2 = 0;
    uint32_t h, h2, rv;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-create", &fid, &h) == 0, "setup");
    CHECKF(fid != 0 && (fid & 0xFFFF) == f.s.lo.repl_id,
           "R59: FolderId 0x%016llX of the new folder is not of ReplId %u",
           (unsigned long long)fid, f.s.lo.repl_id);
    rv = rc_create_folder(&f.s, f.inbox, "fold-create", NULL, 0, &fid2, &h2);
    CHECKF(rv == RC_EC_DUPLICATE_NAME, "R481/R491: RopCreateFolder of an "
           "existing name without OpenExisting gave 0x%08X, expected "
           "ecDuplicateName 0x80040604", rv);
    rv = rc_create_folder(&f.s, f.inbox, "fold-create", NULL, 1, &fid2, &h2);
    CHECKF(rv == 0, "R482: RopCreateFolder with OpenExisting of an existing "
           "name gave 0x%08X (%s)", rv, f.s.error);
    CHECKF(rv != 0 || fid2 == fid, "R482/R59: OpenExisting gave FolderId "
           "0x%016llX, the folder is 0x%016llX", (unsigned long long)fid2,
           (unsigned long long)fid);
    /* Exactly one folder of that name (R480, R1065). */
    {
        rc_rows_rsp rows;
        int n = 0;
        if (hierarchy(&f, f.inbox, &rows) == 0)
            for (uint16_t i = 0; i < rows.count; i++) {
                const char *nm = rc_row_str(&rows.rows[i],
                                            RC_TAG_DISPLAY_NAME);
                n += nm && strcmp(nm, "fold-create") == 0;
            }
        CHECKF(n == 1, "R480/R1065: %d sibling folders named fold-create",
               n);
    }
out:
    rc_fx_close(&f);
}

/* The IsExistingFolder byte of RopCreateFolder with OpenExisting on a
 * name that exists, in a private mailbox.  R1197 says the server always
 * sets it to zero in a private mailbox (R1196: it applies to public
 * folders only); the response must also be laid out by it (R926: HasRules
 * present only when it is TRUE). */
static void test_create_folder_is_existing_private_R1197_R926(void)
{
    rc_fx f;
    uint64_t fid = 0;
    uint32_t h;
    rc_buf b;
    rc_exec x = { 0 };
    rc_folder_rsp o;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-existing", &fid, &h) == 0,
             "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.inbox);
    rc_req_create_folder(&b, 0, 0, 1, 1, 1, 1, "fold-existing", "");
    REQUIREF(rc_fx_run(&f, &b, &x, "RopCreateFolder") == 0, "transport");
    REQUIREF(rc_rsp_create_folder(&x.resp, &o) == 0,
             "R926: RopCreateFolder response does not parse: %s",
             rc_resp_error(&x.resp));
    REQUIREF(o.h.rv == 0, "R482: ReturnValue 0x%08X", o.h.rv);
    CHECKF(o.fid == fid, "R482: FolderId 0x%016llX, expected 0x%016llX",
           (unsigned long long)o.fid, (unsigned long long)fid);
    CHECKF(rc_resp_left(&x.resp) == 0, "R926/R931: %zu bytes after the "
           "response", rc_resp_left(&x.resp));
    CHECKF(o.is_existing == 0, "R1197: IsExistingFolder %u for an existing "
           "folder in a private mailbox; the server always sets it to zero "
           "there", o.is_existing);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopOpenFolder of a FolderId no folder has. */
static void test_open_folder_unknown_R466_R468_R469(void)
{
    rc_fx f;
    uint32_t h, rv;
    /* Our ReplId, a GlobalCounter far past anything allocated. */
    uint64_t fid;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    fid = (uint64_t)f.s.lo.repl_id | ((uint64_t)0x0000EFCDAB897766ull << 16);
    rv = rc_open_folder(&f.s, fid, &h);
    CHECKF(rv == RC_EC_NOT_FOUND, "R468/R469: RopOpenFolder of unknown "
           "FolderId 0x%016llX gave 0x%08X, expected ecNotFound 0x8004010F",
           (unsigned long long)fid, rv);
    /* The session goes on. */
    rv = rc_open_folder(&f.s, f.s.lo.fids[RC_FID_INBOX], &h);
    CHECKF(rv == 0, "RopOpenFolder of the Inbox after it: 0x%08X", rv);
out:
    rc_fx_close(&f);
}

/* The hierarchy table of the Inbox lists the new folder with the name and
 * comment it was created with. */
static void test_hierarchy_shows_new_folder_R477_R478(void)
{
    rc_fx f;
    uint64_t fid;
    uint32_t h, rv, table, count = 0;
    rc_rows_rsp rows;
    const rc_row *r;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rv = rc_create_folder(&f.s, f.inbox, "fold-hier", "the comment", 0,
                          &fid, &h);
    REQUIREF(rv == 0, "RopCreateFolder: 0x%08X (%s)", rv, f.s.error);
    rv = rc_get_hierarchy_table(&f.s, f.inbox, 0, &table, &count);
    REQUIREF(rv == 0, "RopGetHierarchyTable: 0x%08X (%s)", rv, f.s.error);
    rv = rc_query_table(&f.s, table, hier_cols, 4, 500, &rows);
    REQUIREF(rv == 0, "RopSetColumns + RopQueryRows: 0x%08X (%s)", rv,
             f.s.error);
    CHECKF(rows.count == count, "[MS-OXCTABL]: %u rows, RowCount %u",
           rows.count, count);
    r = rc_rows_find_str(&rows, RC_TAG_DISPLAY_NAME, "fold-hier");
    REQUIREF(r != NULL, "R477: fold-hier not among %u hierarchy rows",
             rows.count);
    CHECKF(rc_row_u64(r, RC_TAG_FOLDER_ID, 0) == fid,
           "R59: PidTagFolderId 0x%016llX, RopCreateFolder said 0x%016llX",
           (unsigned long long)rc_row_u64(r, RC_TAG_FOLDER_ID, 0),
           (unsigned long long)fid);
    CHECKF(rc_row_str(r, RC_TAG_COMMENT) &&
           strcmp(rc_row_str(r, RC_TAG_COMMENT), "the comment") == 0,
           "R478: PidTagComment '%s', expected 'the comment'",
           rc_row_str(r, RC_TAG_COMMENT) ? rc_row_str(r, RC_TAG_COMMENT)
                                         : "(absent)");
out:
    rc_fx_close(&f);
}

/* RopSetProperties renames a folder; RopGetPropertiesSpecific and the
 * hierarchy table both see the new name ([MS-OXCPRPT]). */
static void test_folder_set_get_props_OXCPRPT(void)
{
    static const uint32_t tags[] = { RC_TAG_DISPLAY_NAME, RC_TAG_COMMENT,
                                     RC_TAG_FOLDER_ID };
    rc_fx f;
    uint64_t fid;
    uint32_t h, rv;
    uint16_t np = 0;
    rc_problem *p;
    rc_row row;
    rc_prop v[2];

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-rename", &fid, &h) == 0, "setup");
    v[0] = rc_pv_str(RC_TAG_DISPLAY_NAME, "fold-renamed");
    v[1] = rc_pv_str(RC_TAG_COMMENT, "renamed by the test");
    rv = rc_set_props(&f.s, h, v, 2, &np, &p);
    REQUIREF(rv == 0, "[MS-OXCPRPT] R2206: RopSetProperties on a folder: "
             "0x%08X (%s)", rv, f.s.error);
    CHECKF(np == 0, "[MS-OXCPRPT]: %u PropertyProblems (first 0x%08X)", np,
           np ? p[0].tag : 0);
    rv = rc_get_props(&f.s, h, tags, 3, &row);
    REQUIREF(rv == 0, "RopGetPropertiesSpecific: 0x%08X (%s)", rv,
             f.s.error);
    CHECKF(rc_row_str(&row, RC_TAG_DISPLAY_NAME) &&
           strcmp(rc_row_str(&row, RC_TAG_DISPLAY_NAME), "fold-renamed") == 0,
           "[MS-OXCPRPT]: PidTagDisplayName '%s' after the rename",
           rc_row_str(&row, RC_TAG_DISPLAY_NAME)
               ? rc_row_str(&row, RC_TAG_DISPLAY_NAME) : "(absent)");
    CHECKF(rc_row_str(&row, RC_TAG_COMMENT) &&
           strcmp(rc_row_str(&row, RC_TAG_COMMENT), "renamed by the test")
               == 0, "[MS-OXCPRPT]: PidTagComment not read back");
    CHECKF(rc_row_u64(&row, RC_TAG_FOLDER_ID, 0) == fid,
           "PidTagFolderId 0x%016llX, expected 0x%016llX",
           (unsigned long long)rc_row_u64(&row, RC_TAG_FOLDER_ID, 0),
           (unsigned long long)fid);
    CHECKF(child_fid(&f, f.inbox, "fold-renamed") == fid &&
           child_fid(&f, f.inbox, "fold-rename") == 0,
           "the Inbox hierarchy table does not show the rename");
out:
    rc_fx_close(&f);
}

/* RopMoveFolder of an Inbox subfolder to Drafts under a new name. */
static void test_move_folder_R190_R2190(void)
{
    rc_fx f;
    uint64_t fid, dfid, moved;
    uint32_t h, drafts, rv, dest_idx;
    uint8_t partial = 0xFF;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF((dfid = drafts_fid(&f)) != 0, "setup: no Drafts folder");
    REQUIREF(rc_open_folder(&f.s, dfid, &drafts) == 0, "setup: open Drafts");
    REQUIREF(mkfolder(&f, f.inbox, "fold-move", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "in the moved folder") == 0, "setup");
    rc_release(&f.s, h);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.inbox);
    rc_buf_handle(&b, 1, drafts);
    rc_req_move_folder(&b, 0, 0, 1, 0, 1, fid, "fold-moved");
    REQUIREF(rc_fx_run(&f, &b, &x, "RopMoveFolder") == 0, "transport");
    REQUIREF(rc_rsp_move_copy(&x.resp, RC_ROP_MOVE_FOLDER, &hd, &dest_idx,
                              &partial) == 0,
             "RopMoveFolder response: %s", rc_resp_error(&x.resp));
    REQUIREF(hd.rv == 0, "RopMoveFolder: ReturnValue 0x%08X", hd.rv);
    CHECKF(partial == 0, "R190/R2190: PartialCompletion %u for a move that "
           "succeeded", partial);
    CHECKF(child_fid(&f, f.inbox, "fold-move") == 0,
           "RopMoveFolder: fold-move is still under the Inbox");
    moved = child_fid(&f, drafts, "fold-moved");
    REQUIREF(moved != 0, "RopMoveFolder: no fold-moved under Drafts");
    rv = rc_open_folder(&f.s, moved, &h);
    CHECKF(rv == 0 && contents_count(&f, h) == 1,
           "RopMoveFolder: the moved folder (0x%08X) lost its message", rv);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopCopyFolder (recursive) of an Inbox subfolder to Drafts: both exist
 * afterwards, the copy with the message and subfolder. */
static void test_copy_folder_R219_R2714(void)
{
    rc_fx f;
    uint64_t fid, dfid, sub, copied;
    uint32_t h, hs, drafts, rv, dest_idx;
    uint8_t partial = 0xFF;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF((dfid = drafts_fid(&f)) != 0, "setup: no Drafts folder");
    REQUIREF(rc_open_folder(&f.s, dfid, &drafts) == 0, "setup: open Drafts");
    REQUIREF(mkfolder(&f, f.inbox, "fold-copy", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "in the copied folder") == 0, "setup");
    REQUIREF(mkfolder(&f, h, "fold-copy-sub", &sub, &hs) == 0, "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.inbox);
    rc_buf_handle(&b, 1, drafts);
    rc_req_copy_folder(&b, 0, 0, 1, 0, 1, 1, fid, "fold-copied");
    REQUIREF(rc_fx_run(&f, &b, &x, "RopCopyFolder") == 0, "transport");
    REQUIREF(rc_rsp_move_copy(&x.resp, RC_ROP_COPY_FOLDER, &hd, &dest_idx,
                              &partial) == 0,
             "RopCopyFolder response: %s", rc_resp_error(&x.resp));
    REQUIREF(hd.rv == 0, "RopCopyFolder: ReturnValue 0x%08X", hd.rv);
    CHECKF(partial == 0, "R219/R2714: PartialCompletion %u", partial);
    CHECKF(child_fid(&f, f.inbox, "fold-copy") == fid,
           "RopCopyFolder: the source left the Inbox");
    copied = child_fid(&f, drafts, "fold-copied");
    REQUIREF(copied != 0, "RopCopyFolder: no fold-copied under Drafts");
    CHECKF(copied != fid, "RopCopyFolder: the copy has the source's "
           "FolderId 0x%016llX", (unsigned long long)fid);
    rv = rc_open_folder(&f.s, copied, &hs);
    REQUIREF(rv == 0, "RopOpenFolder of the copy: 0x%08X", rv);
    CHECKF(contents_count(&f, hs) == 1, "RopCopyFolder: the copy has %ld "
           "messages, expected 1", contents_count(&f, hs));
    CHECKF(child_fid(&f, hs, "fold-copy-sub") != 0,
           "RopCopyFolder (WantRecursive): the copy lacks the subfolder");
    CHECKF(contents_count(&f, h) == 1, "RopCopyFolder: the source lost "
           "its message");
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* One RopDeleteFolder of fid from the folder parent: 0 or the transport
 * failure; rv and partial set. */
static int delete_folder(rc_fx *f, uint32_t parent, uint64_t fid,
                         uint8_t flags, uint32_t *rv, uint8_t *partial)
{
    rc_buf b;
    rc_exec x;
    rc_head hd;
    int rc = -1;

    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, parent);
    rc_req_delete_folder(&b, 0, 0, flags, fid);
    if (rc_fx_run(f, &b, &x, "RopDeleteFolder") == 0) {
        rc = rc_rsp_partial(&x.resp, RC_ROP_DELETE_FOLDER, &hd, partial);
        CHECKF(rc == 0, "RopDeleteFolder response: %s",
               rc_resp_error(&x.resp));
        CHECKF(rc != 0 || rc_resp_left(&x.resp) == 0,
               "RopDeleteFolder: %zu bytes after the response",
               rc_resp_left(&x.resp));
        *rv = hd.rv;
    }
    rc_exec_free(&x);
    return rc;
}

/* A folder with a message and a subfolder: without flags nothing is
 * deleted and PartialCompletion says so; with DEL_MESSAGES|DEL_FOLDERS it
 * goes, and can no longer be opened. */
static void test_delete_folder_R371_R816_R817_R1079_R762_R763(void)
{
    rc_fx f;
    uint64_t fid, sub;
    uint32_t h, hs, rv = 1;
    uint8_t partial = 0;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-delete", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "keeps the folder") == 0, "setup");
    REQUIREF(mkfolder(&f, h, "fold-delete-sub", &sub, &hs) == 0, "setup");
    rc_release(&f.s, hs);
    rc_release(&f.s, h);
    REQUIREF(delete_folder(&f, f.inbox, fid, 0x00, &rv, &partial) == 0,
             "RopDeleteFolder");
    CHECKF(rv == 0, "R816/R1080: RopDeleteFolder of a non-empty folder "
           "without flags gave 0x%08X, expected 0", rv);
    CHECKF(partial != 0, "R817/R1081: PartialCompletion 0 although the "
           "folder was not deleted");
    rv = rc_open_folder(&f.s, fid, &h);
    CHECKF(rv == 0, "R371/R1079: the folder is gone after RopDeleteFolder "
           "without DEL_MESSAGES (0x%08X)", rv);
    CHECKF(rv != 0 || contents_count(&f, h) == 1,
           "R371: its message is gone");
    CHECKF(child_fid(&f, f.inbox, "fold-delete") == fid,
           "R371: fold-delete left the Inbox hierarchy");
    REQUIREF(delete_folder(&f, f.inbox, fid, 0x05, &rv, &partial) == 0,
             "RopDeleteFolder");
    CHECKF(rv == 0 && partial == 0, "R762/R763/R97: RopDeleteFolder with "
           "DEL_MESSAGES|DEL_FOLDERS gave 0x%08X, PartialCompletion %u",
           rv, partial);
    CHECKF(child_fid(&f, f.inbox, "fold-delete") == 0,
           "R762: fold-delete still in the Inbox hierarchy table");
    rv = rc_open_folder(&f.s, fid, &h);
    CHECKF(rv == RC_EC_NOT_FOUND, "R469/R471: RopOpenFolder of the deleted "
           "folder gave 0x%08X, expected ecNotFound", rv);
    rv = rc_open_folder(&f.s, sub, &h);
    CHECKF(rv == RC_EC_NOT_FOUND, "R763: RopOpenFolder of the deleted "
           "subfolder gave 0x%08X, expected ecNotFound", rv);
out:
    rc_fx_close(&f);
}

/* The Inbox cannot be deleted: RopDeleteFolder fails or reports partial
 * completion, and the Inbox is still there ([MS-OXCSTOR] R767: the
 * special folders are what the logon hands out). */
static void test_delete_special_folder_refused_R503_R1083(void)
{
    rc_fx f;
    uint32_t ipm, h, rv = 0;
    uint8_t partial = 0;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(rc_open_folder(&f.s, f.s.lo.fids[RC_FID_IPM_SUBTREE], &ipm)
                 == 0, "setup: open the IPM subtree");
    REQUIREF(delete_folder(&f, ipm, f.s.lo.fids[RC_FID_INBOX], 0x05, &rv,
                           &partial) == 0, "RopDeleteFolder");
    printf("\n    (delete of the Inbox: 0x%08X, PartialCompletion %u)", rv,
           partial);
    CHECKF(rv != 0 || partial != 0, "R503/R1083: RopDeleteFolder of the "
           "Inbox with DEL_MESSAGES|DEL_FOLDERS succeeded");
    CHECKF(rv == 0 || rv == RC_EC_ACCESS_DENIED ||
           rv == RC_EC_NOT_SUPPORTED, "R1083: RopDeleteFolder of the Inbox "
           "gave 0x%08X, none of the codes R1083 lists for it", rv);
    rv = rc_open_folder(&f.s, f.s.lo.fids[RC_FID_INBOX], &h);
    CHECKF(rv == 0, "the Inbox cannot be opened after the refused delete "
           "(0x%08X)", rv);
    rv = rc_open_folder(&f.s, f.s.lo.fids[RC_FID_ROOT], &h);
    if (rv == 0) {
        rv = 0;
        delete_folder(&f, h, f.s.lo.fids[RC_FID_IPM_SUBTREE], 0x05, &rv,
                      &partial);
        CHECKF(rv != 0 || partial != 0, "R503: RopDeleteFolder of the IPM "
               "subtree succeeded");
    }
out:
    rc_fx_close(&f);
}

/* RopEmptyFolder removes the messages and subfolders, not the folder. */
static void test_empty_folder_R243_R979(void)
{
    rc_fx f;
    uint64_t fid, sub;
    uint32_t h, hs, rv;
    uint8_t partial = 0xFF;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    rc_rows_rsp rows;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-empty", &fid, &h) == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "empty me 1") == 0, "setup");
    REQUIREF(mkmessage(&f, h, fid, "empty me 2") == 0, "setup");
    REQUIREF(mkfolder(&f, h, "fold-empty-sub", &sub, &hs) == 0, "setup");
    rc_release(&f.s, hs);
    REQUIREF(contents_count(&f, h) == 2, "setup: %ld messages",
             contents_count(&f, h));
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, h);
    rc_req_empty_folder(&b, 0, 0, 0, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopEmptyFolder") == 0, "transport");
    REQUIREF(rc_rsp_partial(&x.resp, RC_ROP_EMPTY_FOLDER, &hd, &partial)
                 == 0, "RopEmptyFolder response: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv == 0 && partial == 0, "R243/R979: RopEmptyFolder gave "
           "0x%08X, PartialCompletion %u", hd.rv, partial);
    CHECKF(contents_count(&f, h) == 0, "RopEmptyFolder: %ld messages left",
           contents_count(&f, h));
    CHECKF(hierarchy(&f, h, &rows) == 0 && rows.count == 0,
           "RopEmptyFolder: %u subfolders left", rows.count);
    rv = rc_open_folder(&f.s, fid, &hs);
    CHECKF(rv == 0, "RopEmptyFolder removed the folder itself (0x%08X)", rv);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* One RopGetReceiveFolder: 0 or RC_ERR_CLIENT (recorded); *rv set. */
static int get_receive(rc_fx *f, const char *cls, uint32_t *rv, uint64_t *fid,
                       const char **explicit_class)
{
    rc_buf b;
    rc_exec x;
    rc_head hd;
    int rc = -1;

    *fid = 0;
    *explicit_class = NULL;
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, f->s.logon);
    rc_req_get_receive_folder(&b, 0, 0, cls);
    if (rc_fx_run(f, &b, &x, "RopGetReceiveFolder") == 0) {
        rc = rc_rsp_get_receive_folder(&x.resp, &hd, fid, explicit_class);
        CHECKF(rc == 0, "RopGetReceiveFolder('%s') response: %s", cls,
               rc_resp_error(&x.resp));
        *rv = hd.rv;
    }
    rc_exec_free(&x);
    return rc;
}

/* IPM.Note is delivered to the Inbox. */
static void test_get_receive_folder_inbox_OXCSTOR_R196_R208_R210(void)
{
    rc_fx f;
    uint32_t rv = 1;
    uint64_t fid;
    const char *cls;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(get_receive(&f, "IPM.Note", &rv, &fid, &cls) == 0, "transport");
    REQUIREF(rv == 0, "[MS-OXCSTOR] R196: RopGetReceiveFolder(IPM.Note) "
             "gave 0x%08X", rv);
    CHECKF(fid == f.s.lo.fids[RC_FID_INBOX], "[MS-OXCSTOR] R196/R208: "
           "IPM.Note goes to 0x%016llX, the Inbox is 0x%016llX",
           (unsigned long long)fid,
           (unsigned long long)f.s.lo.fids[RC_FID_INBOX]);
    CHECKF(cls && (strcasecmp(cls, "IPM") == 0 ||
                   strcasecmp(cls, "IPM.Note") == 0 || cls[0] == 0),
           "[MS-OXCSTOR] R197/R210: ExplicitMessageClass '%s' for IPM.Note",
           cls ? cls : "(null)");
out:
    rc_fx_close(&f);
}

/* RopSetReceiveFolder of a class to a folder of ours; RopGetReceiveFolder
 * of that class and of a subclass finds it, RopGetReceiveFolderTable
 * lists it. */
static void test_set_receive_folder_OXCSTOR_R247_R250_R296_R303(void)
{
    rc_fx f;
    uint64_t fid, got;
    uint32_t h, rv = 1, n = 0;
    const char *cls;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    rc_row *rows;
    int found = 0;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-receive", &fid, &h) == 0, "setup");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_set_receive_folder(&b, 0, 0, fid, "IPM.Note.FoldTest");
    REQUIREF(rc_fx_run(&f, &b, &x, "RopSetReceiveFolder") == 0, "transport");
    REQUIREF(rc_rsp_generic(&x.resp, RC_ROP_SET_RECEIVE_FOLDER, &hd) == 0,
             "RopSetReceiveFolder response: %s", rc_resp_error(&x.resp));
    REQUIREF(hd.rv == 0, "[MS-OXCSTOR] R250: RopSetReceiveFolder gave "
             "0x%08X", hd.rv);
    rc_exec_free(&x);
    REQUIREF(get_receive(&f, "IPM.Note.FoldTest", &rv, &got, &cls) == 0,
             "transport");
    CHECKF(rv == 0 && got == fid && cls &&
           strcasecmp(cls, "IPM.Note.FoldTest") == 0,
           "[MS-OXCSTOR] R208/R210: GetReceiveFolder(IPM.Note.FoldTest) gave "
           "0x%08X, 0x%016llX '%s'; expected 0x%016llX", rv,
           (unsigned long long)got, cls ? cls : "", (unsigned long long)fid);
    REQUIREF(get_receive(&f, "IPM.Note.FoldTest.Sub", &rv, &got, &cls) == 0,
             "transport");
    CHECKF(rv == 0 && got == fid && cls &&
           strcasecmp(cls, "IPM.Note.FoldTest") == 0,
           "[MS-OXCSTOR] R197/R250: the subclass IPM.Note.FoldTest.Sub went "
           "to 0x%016llX '%s'", (unsigned long long)got, cls ? cls : "");
    REQUIREF(get_receive(&f, "IPM.Note", &rv, &got, &cls) == 0, "transport");
    CHECKF(rv == 0 && got == f.s.lo.fids[RC_FID_INBOX],
           "[MS-OXCSTOR] R250: IPM.Note moved away from the Inbox");
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_get_receive_folder_table(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopGetReceiveFolderTable") == 0, "transport");
    REQUIREF(rc_rsp_get_receive_folder_table(&x.resp, &hd, &n, &rows) == 0,
             "[MS-OXCSTOR] R296: RopGetReceiveFolderTable response: %s",
             rc_resp_error(&x.resp));
    REQUIREF(hd.rv == 0, "RopGetReceiveFolderTable: 0x%08X", hd.rv);
    for (uint32_t i = 0; i < n; i++) {
        const char *c8 = rc_row_str(&rows[i], RC_TAG_MESSAGE_CLASS8);
        if (c8 && strcasecmp(c8, "IPM.Note.FoldTest") == 0) {
            found = 1;
            CHECKF(rc_row_u64(&rows[i], RC_TAG_FOLDER_ID, 0) == fid,
                   "[MS-OXCSTOR] R303: the row of IPM.Note.FoldTest has "
                   "FolderId 0x%016llX",
                   (unsigned long long)rc_row_u64(&rows[i], RC_TAG_FOLDER_ID,
                                                  0));
        }
    }
    CHECKF(found, "[MS-OXCSTOR] R296/R59795: IPM.Note.FoldTest not among "
           "the %u rows of the Receive folder table", n);
    CHECKF(rc_resp_left(&x.resp) == 0, "RopGetReceiveFolderTable: %zu bytes "
           "after the rows", rc_resp_left(&x.resp));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopLongTermIdFromId then RopIdFromLongTermId gives the id back, for a
 * special folder and for a new one. */
static void test_long_term_id_round_trip_OXCSTOR_R442_R458(void)
{
    rc_fx f;
    uint64_t ids[2], fid;
    uint32_t h;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-ltid", &fid, &h) == 0, "setup");
    ids[0] = f.s.lo.fids[RC_FID_INBOX];
    ids[1] = fid;
    for (int i = 0; i < 2; i++) {
        rc_buf b;
        rc_exec x;
        rc_head hd;
        rc_ltid lt;
        uint64_t back = 0;

        rc_buf_init(&b, f.s.pool);
        rc_buf_handle(&b, 0, f.s.logon);
        rc_req_long_term_id_from_id(&b, 0, 0, ids[i]);
        if (rc_fx_run(&f, &b, &x, "RopLongTermIdFromId") != 0)
            break;
        CHECKF(rc_rsp_long_term_id_from_id(&x.resp, &hd, &lt) == 0 &&
               hd.rv == 0, "[MS-OXCSTOR] R442: RopLongTermIdFromId of "
               "0x%016llX gave 0x%08X (%s)", (unsigned long long)ids[i],
               hd.rv, rc_resp_error(&x.resp));
        CHECKF(memcmp(lt.guid, f.s.lo.repl_guid, 16) == 0,
               "[MS-OXCSTOR] R59718: the LongTermID's DatabaseGuid is not "
               "the ReplGuid of the logon");
        CHECKF(memcmp(lt.counter, (const uint8_t *)&ids[i] + 2, 6) == 0,
               "[MS-OXCSTOR] R59718: GlobalCounter differs from the id's");
        rc_exec_free(&x);
        rc_buf_init(&b, f.s.pool);
        rc_buf_handle(&b, 0, f.s.logon);
        rc_req_id_from_long_term_id(&b, 0, 0, &lt);
        if (rc_fx_run(&f, &b, &x, "RopIdFromLongTermId") != 0)
            break;
        CHECKF(rc_rsp_id_from_long_term_id(&x.resp, &hd, &back) == 0 &&
               hd.rv == 0 && back == ids[i], "[MS-OXCSTOR] R458/R459: "
               "RopIdFromLongTermId gave 0x%08X, 0x%016llX; expected "
               "0x%016llX", hd.rv, (unsigned long long)back,
               (unsigned long long)ids[i]);
        rc_exec_free(&x);
    }
out:
    rc_fx_close(&f);
}

/* RopGetStoreState: success, and no bit but STORE_HAS_SEARCHES. */
static void test_get_store_state_OXCSTOR_R334_R339(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    uint32_t state = 0xFFFFFFFF;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_get_store_state(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopGetStoreState") == 0, "transport");
    REQUIREF(rc_rsp_get_store_state(&x.resp, &hd, &state) == 0,
             "RopGetStoreState response: %s", rc_resp_error(&x.resp));
    CHECKF(hd.rv == 0, "[MS-OXCSTOR] R339: RopGetStoreState gave 0x%08X",
           hd.rv);
    CHECKF((state & ~0x01000000u) == 0, "[MS-OXCSTOR] R334: StoreState "
           "0x%08X has bits other than STORE_HAS_SEARCHES", state);
    CHECKF(rc_resp_left(&x.resp) == 0, "%zu bytes after the response",
           rc_resp_left(&x.resp));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* RopGetAddressTypes: the count and size fields describe the strings. */
static void test_get_address_types_OXCROPS_R2410_R2416(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    uint16_t n = 0;
    const char **types;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_get_address_types(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopGetAddressTypes") == 0, "transport");
    REQUIREF(rc_rsp_get_address_types(&x.resp, &hd, &n, &types) == 0,
             "[MS-OXCROPS] R2410-R2416: RopGetAddressTypes response: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv == 0, "[MS-OXCROPS] R2409: ReturnValue 0x%08X", hd.rv);
    CHECKF(hd.hindex == 0, "[MS-OXCROPS] R2405: InputHandleIndex %u",
           hd.hindex);
    CHECKF(hd.rv != 0 || n >= 1, "RopGetAddressTypes: no address type");
    for (uint16_t i = 0; hd.rv == 0 && i < n; i++)
        CHECKF(types[i][0] != 0, "[MS-OXCROPS] R2414: address type %u is "
               "empty", i);
    CHECKF(rc_resp_left(&x.resp) == 0, "%zu bytes after the response",
           rc_resp_left(&x.resp));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* A handle index whose slot holds 0xFFFFFFFF: ecNullObject, and the ROPs
 * after it run. */
static void test_null_handle_OXCROPS_R4712_R471201_R457302(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_folder_rsp o;
    rc_head hd;
    uint32_t state;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_buf_handle(&b, 1, RC_NO_HANDLE);
    rc_buf_handle(&b, 2, RC_NO_HANDLE);
    rc_req_open_folder(&b, 0, 1, 2, f.s.lo.fids[RC_FID_INBOX], 0);
    rc_req_get_store_state(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "RopOpenFolder on 0xFFFFFFFF") == 0,
             "transport");
    REQUIREF(rc_rsp_open_folder(&x.resp, &o) == 0, "RopOpenFolder "
             "response: %s", rc_resp_error(&x.resp));
    CHECKF(o.h.rv == RC_EC_NULL_OBJECT, "[MS-OXCROPS] R4712/R471201: "
           "RopOpenFolder with an input slot of 0xFFFFFFFF gave 0x%08X, "
           "expected ecNullObject 0x000004B9", o.h.rv);
    REQUIREF(rc_rsp_get_store_state(&x.resp, &hd, &state) == 0,
             "the ROP after the failed one: %s", rc_resp_error(&x.resp));
    CHECKF(hd.rv == 0, "RopGetStoreState after the failed ROP: 0x%08X",
           hd.rv);
    CHECKF(rc_resp_left(&x.resp) == 0, "%zu stray bytes",
           rc_resp_left(&x.resp));
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* Folder ROPs given the logon handle instead of a folder: each fails with
 * its failure response (no more bytes than the head), and the next ROP of
 * the same Execute still gets a good response.  R495: RopCreateFolder on
 * an object that is not a folder is ecNotSupported. */
static void test_folder_rop_on_logon_R495_R509(void)
{
    static const uint8_t rops[] = { RC_ROP_CREATE_FOLDER,
                                    RC_ROP_GET_CONTENTS_TABLE,
                                    RC_ROP_DELETE_FOLDER,
                                    RC_ROP_EMPTY_FOLDER };
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_head hd;
    uint32_t state, rows;
    uint8_t partial;
    rc_folder_rsp o;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_create_folder(&b, 0, 0, 1, 1, 1, 0, "fold-on-logon", "");
    rc_req_get_contents_table(&b, 0, 0, 1, 0);
    rc_req_delete_folder(&b, 0, 0, 0x05, f.s.lo.fids[RC_FID_INBOX]);
    rc_req_empty_folder(&b, 0, 0, 0, 0, 0);
    rc_req_get_store_state(&b, 0, 0);
    REQUIREF(rc_fx_run(&f, &b, &x, "folder ROPs on the logon") == 0, "transport");
    REQUIREF(rc_rsp_create_folder(&x.resp, &o) == 0, "RopCreateFolder on "
             "the logon: %s", rc_resp_error(&x.resp));
    CHECKF(o.h.rv == RC_EC_NOT_SUPPORTED, "R495: RopCreateFolder on the "
           "logon object gave 0x%08X, expected ecNotSupported 0x80040102",
           o.h.rv);
    REQUIREF(rc_rsp_get_table(&x.resp, RC_ROP_GET_CONTENTS_TABLE, &hd,
                              &rows) == 0,
             "RopGetContentsTable on the logon: %s", rc_resp_error(&x.resp));
    CHECKF(hd.rv != 0, "RopGetContentsTable on the logon object succeeded");
    REQUIREF(rc_rsp_partial(&x.resp, RC_ROP_DELETE_FOLDER, &hd, &partial)
                 == 0, "RopDeleteFolder on the logon: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv == RC_EC_NOT_SUPPORTED, "R509/R510: RopDeleteFolder on "
           "the logon object gave 0x%08X, expected ecNotSupported", hd.rv);
    REQUIREF(rc_rsp_partial(&x.resp, RC_ROP_EMPTY_FOLDER, &hd, &partial)
                 == 0, "RopEmptyFolder on the logon: %s",
             rc_resp_error(&x.resp));
    CHECKF(hd.rv != 0, "RopEmptyFolder on the logon object succeeded");
    REQUIREF(rc_rsp_get_store_state(&x.resp, &hd, &state) == 0 &&
             hd.rv == 0, "the ROP after them: 0x%08X (%s)", hd.rv,
             rc_resp_error(&x.resp));
    CHECKF(rc_resp_left(&x.resp) == 0, "%zu stray bytes after %zu ROPs",
           rc_resp_left(&x.resp), sizeof(rops) + 1);
    {
        uint32_t h;
        CHECKF(rc_open_folder(&f.s, f.s.lo.fids[RC_FID_INBOX], &h) == 0,
               "the Inbox is gone after RopDeleteFolder on the logon");
    }
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* A RopOpenFolder request cut inside its FolderId: the Execute fails with
 * ecRpcFormat in ErrorCode; the session context survives it. */
static void test_truncated_request_OXCROPS_R4551(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    uint32_t h, rv;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.s.logon);
    rc_req_open_folder(&b, 0, 0, 1, f.s.lo.fids[RC_FID_INBOX], 0);
    REQUIREF(b.wr.len > 8, "setup: request of %zu bytes", b.wr.len);
    b.wr.len = 8;                    /* RopId..OutputHandleIndex + 4 */
    rc_execute(f.c, &b, f.s.pool, &x);
    CHECKF(x.rc == 0, "R4551: X-ResponseCode %d for a truncated ROP (the "
           "failure belongs in ErrorCode)", x.rc);
    CHECKF(x.ex.parsed == MHC_PARSE_SUCCESS && x.ex.error_code ==
           RC_EC_RPC_FORMAT, "R4551: truncated RopOpenFolder gave "
           "StatusCode 0x%X ErrorCode 0x%08X, expected ecRpcFormat "
           "0x000004B6 (%s)", x.ex.status, x.ex.error_code, x.error);
    rc_exec_free(&x);
    /* A cut RopLogon too (one ROP without an input handle). */
    rc_buf_init(&b, f.s.pool);
    rc_req_logon(&b, 1, 0, RC_LOGON_PRIVATE, RC_OPEN_DEFAULT_PRIVATE,
                 H_DEMO_DN);
    b.wr.len -= 20;
    rc_execute(f.c, &b, f.s.pool, &x);
    CHECKF(x.rc == 0 && x.ex.error_code == RC_EC_RPC_FORMAT,
           "R4551: truncated RopLogon gave X-ResponseCode %d ErrorCode "
           "0x%08X", x.rc, x.ex.error_code);
    rc_exec_free(&x);
    rv = rc_open_folder(&f.s, f.s.lo.fids[RC_FID_INBOX], &h);
    CHECKF(rv == 0, "the session after the refused Executes: 0x%08X (%s)",
           rv, f.s.error);
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* Sends one folder-to-folder ROP built by build() with slot 0 = src and
 * slot 1 = dst; its ReturnValue and PartialCompletion, or RC_ERR_CLIENT. */
static uint32_t move_or_copy(rc_fx *f, int copy, uint32_t src, uint32_t dst,
                             uint64_t fid, const char *name, uint8_t *partial)
{
    rc_buf b;
    rc_exec x;
    rc_head hd;
    uint32_t dest_idx, rv = RC_ERR_CLIENT;

    *partial = 0;
    rc_buf_init(&b, f->s.pool);
    rc_buf_handle(&b, 0, src);
    rc_buf_handle(&b, 1, dst);
    if (copy)
        rc_req_copy_folder(&b, 0, 0, 1, 0, 1, 1, fid, name);
    else
        rc_req_move_folder(&b, 0, 0, 1, 0, 1, fid, name);
    if (rc_fx_run(f, &b, &x, copy ? "RopCopyFolder" : "RopMoveFolder") != 0)
        return rv;
    if (rc_rsp_move_copy(&x.resp, copy ? RC_ROP_COPY_FOLDER
                                       : RC_ROP_MOVE_FOLDER,
                         &hd, &dest_idx, partial) == 0)
        rv = hd.rv;
    else
        CHECKF(0, "%s response: %s", copy ? "RopCopyFolder" : "RopMoveFolder",
               rc_resp_error(&x.resp));
    CHECKF(rv == RC_ERR_CLIENT || rc_resp_left(&x.resp) == 0,
           "%zu bytes after the response", rc_resp_left(&x.resp));
    rc_exec_free(&x);
    return rv;
}

/* How many children of folder are named name. */
static int children_named(rc_fx *f, uint32_t folder, const char *name)
{
    rc_rows_rsp rows;
    int n = 0;

    if (hierarchy(f, folder, &rows) != 0)
        return -1;
    for (uint16_t i = 0; i < rows.count; i++)
        n += rc_row_str(&rows.rows[i], RC_TAG_DISPLAY_NAME) &&
             strcmp(rc_row_str(&rows.rows[i], RC_TAG_DISPLAY_NAME), name)
                 == 0;
    return n;
}

/* Invalid requests to the folder ROPs: bad FolderType, an undefined
 * DeleteFolderFlags bit, unknown FolderIds for move and copy, a
 * destination that is no folder. */
static void test_folder_invalid_requests_R486_R1234_R599_R611_R601(void)
{
    rc_fx f;
    rc_buf b;
    rc_exec x = { 0 };
    rc_folder_rsp o;
    uint64_t fid, bogus;
    uint32_t h, rv = 0;
    uint8_t partial;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-invalid", &fid, &h) == 0, "setup");
    bogus = (uint64_t)f.s.lo.repl_id | ((uint64_t)0x0000EEDDCCBBAA99ull << 16);
    rc_buf_init(&b, f.s.pool);
    rc_buf_handle(&b, 0, f.inbox);
    rc_req_create_folder(&b, 0, 0, 1, 3, 1, 0, "fold-badtype", "");
    REQUIREF(rc_fx_run(&f, &b, &x, "RopCreateFolder") == 0, "transport");
    REQUIREF(rc_rsp_create_folder(&x.resp, &o) == 0, "response: %s",
             rc_resp_error(&x.resp));
    CHECKF(o.h.rv == RC_EC_INVALID_PARAM, "R486/R487: RopCreateFolder with "
           "FolderType 3 gave 0x%08X, expected ecInvalidParam 0x80070057",
           o.h.rv);
    rc_exec_free(&x);
    REQUIREF(delete_folder(&f, f.inbox, fid, 0x02, &rv, &partial) == 0,
             "RopDeleteFolder");
    CHECKF(rv == RC_EC_INVALID_PARAM, "R1234 (SHOULD): RopDeleteFolder with "
           "the undefined DeleteFolderFlags bit 0x02 gave 0x%08X, expected "
           "ecInvalidParam", rv);
    CHECKF(child_fid(&f, f.inbox, "fold-invalid") == fid,
           "R1234: the folder went with an invalid DeleteFolderFlags");
    /* A folder of its own for the rest: the one above may be gone. */
    REQUIREF(mkfolder(&f, f.inbox, "fold-invalid-2", &fid, &h) == 0,
             "setup");
    rv = move_or_copy(&f, 0, f.inbox, f.inbox, bogus, "x", &partial);
    CHECKF(rv == RC_EC_NOT_FOUND, "R599/R600: RopMoveFolder of unknown "
           "FolderId gave 0x%08X, expected ecNotFound", rv);
    rv = move_or_copy(&f, 1, f.inbox, f.inbox, bogus, "x", &partial);
    CHECKF(rv == RC_EC_NOT_FOUND, "R611/R612: RopCopyFolder of unknown "
           "FolderId gave 0x%08X, expected ecNotFound", rv);
    rv = move_or_copy(&f, 0, f.inbox, f.s.logon, fid, "x", &partial);
    CHECKF(rv == RC_EC_NOT_SUPPORTED, "R601/R602: RopMoveFolder to the "
           "logon object gave 0x%08X, expected ecNotSupported", rv);
    rv = move_or_copy(&f, 1, f.inbox, f.s.logon, fid, "x", &partial);
    CHECKF(rv == RC_EC_NOT_SUPPORTED, "R613/R614: RopCopyFolder to the "
           "logon object gave 0x%08X, expected ecNotSupported", rv);
    CHECKF(child_fid(&f, f.inbox, "fold-invalid-2") == fid,
           "the folder moved in a refused RopMoveFolder");
out:
    rc_exec_free(&x);
    rc_fx_close(&f);
}

/* Moves that would break the tree: a folder into its own subfolder, and
 * onto a name its new siblings already use (R480, R1065: sibling names
 * are unique).  Each is refused (error or PartialCompletion) and changes
 * nothing. */
static void test_move_folder_loops_and_clashes_R480_R1065_R1114(void)
{
    rc_fx f;
    uint64_t a, sub, b_fid, clash;
    uint32_t ha, hs, hb, hc, rv;
    uint8_t partial;
    rc_prop v;
    uint16_t np = 0;
    rc_problem *pp;

    if (rc_fx_open(&f, &H) != 0)
        goto out;
    REQUIREF(mkfolder(&f, f.inbox, "fold-loop", &a, &ha) == 0, "setup");
    REQUIREF(mkfolder(&f, ha, "fold-loop-sub", &sub, &hs) == 0, "setup");
    rv = move_or_copy(&f, 0, f.inbox, hs, a, "fold-loop", &partial);
    CHECKF(rv != 0 || partial != 0, "RopMoveFolder of a folder into its own "
           "subfolder succeeded");
    CHECKF(child_fid(&f, f.inbox, "fold-loop") == a &&
           child_fid(&f, ha, "fold-loop-sub") == sub,
           "the tree changed after moving a folder into its own subfolder");
    rv = move_or_copy(&f, 1, f.inbox, hs, a, "fold-loop-copy", &partial);
    CHECKF(rv != 0 || partial != 0 ||
           child_fid(&f, hs, "fold-loop-copy") != 0,
           "RopCopyFolder (recursive) of a folder into its own subfolder: "
           "0x%08X and no copy", rv);
    /* Name clashes among the new siblings. */
    REQUIREF(mkfolder(&f, f.inbox, "fold-clash-b", &b_fid, &hb) == 0,
             "setup");
    REQUIREF(mkfolder(&f, hb, "fold-clash", &clash, &hc) == 0, "setup");
    rv = move_or_copy(&f, 0, f.inbox, hb, a, "fold-clash", &partial);
    CHECKF(children_named(&f, hb, "fold-clash") == 1, "R480/R1065: "
           "RopMoveFolder onto a taken name (0x%08X, partial %u) left %d "
           "siblings named fold-clash", rv, partial,
           children_named(&f, hb, "fold-clash"));
    CHECKF(rv != 0 || partial != 0, "R1114: RopMoveFolder onto a taken name "
           "reported success");
    rv = move_or_copy(&f, 1, f.inbox, hb, b_fid == 0 ? a : a, "fold-clash",
                      &partial);
    CHECKF(children_named(&f, hb, "fold-clash") == 1, "R480/R1065: "
           "RopCopyFolder onto a taken name (0x%08X, partial %u) left %d "
           "siblings named fold-clash", rv, partial,
           children_named(&f, hb, "fold-clash"));
    /* And a rename onto a sibling's name. */
    v = rc_pv_str(RC_TAG_DISPLAY_NAME, "fold-clash-b");
    rv = rc_set_props(&f.s, ha, &v, 1, &np, &pp);
    CHECKF(children_named(&f, f.inbox, "fold-clash-b") == 1, "R480/R1065: "
           "renaming a folder to its sibling's name (0x%08X, %u problems) "
           "left %d siblings named fold-clash-b", rv, np,
           children_named(&f, f.inbox, "fold-clash-b"));
    CHECKF(rv != 0 || np != 0, "R1065: RopSetProperties renaming a folder "
           "to its sibling's name reported success");
out:
    rc_fx_close(&f);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("ROPs: folders", suite_init, suite_cleanup);
    CU_add_test(s, "RopCreateFolder, ecDuplicateName, OpenExisting "
                   "(R481 R482 R491 R59)",
                test_create_folder_duplicate_R481_R482_R491_R59);
    CU_add_test(s, "IsExistingFolder is 0 in a private mailbox "
                   "(R1197 R926)",
                test_create_folder_is_existing_private_R1197_R926);
    CU_add_test(s, "RopOpenFolder of an unknown id: ecNotFound "
                   "(R466 R468 R469)", test_open_folder_unknown_R466_R468_R469);
    CU_add_test(s, "hierarchy table shows the new folder (R477 R478)",
                test_hierarchy_shows_new_folder_R477_R478);
    CU_add_test(s, "folder rename by RopSetProperties ([MS-OXCPRPT])",
                test_folder_set_get_props_OXCPRPT);
    CU_add_test(s, "RopMoveFolder to Drafts (R190 R2190)",
                test_move_folder_R190_R2190);
    CU_add_test(s, "RopCopyFolder to Drafts (R219 R2714)",
                test_copy_folder_R219_R2714);
    CU_add_test(s, "RopDeleteFolder: partial without flags, gone with "
                   "DEL_MESSAGES|DEL_FOLDERS (R371 R816 R817 R1079 R762 "
                   "R763)",
                test_delete_folder_R371_R816_R817_R1079_R762_R763);
    CU_add_test(s, "deleting a special folder is refused (R503 R1083)",
                test_delete_special_folder_refused_R503_R1083);
    CU_add_test(s, "RopEmptyFolder (R243 R979)", test_empty_folder_R243_R979);
    CU_add_test(s, "RopGetReceiveFolder(IPM.Note) is the Inbox "
                   "([MS-OXCSTOR] R196 R208 R210)",
                test_get_receive_folder_inbox_OXCSTOR_R196_R208_R210);
    CU_add_test(s, "RopSetReceiveFolder + RopGetReceiveFolderTable "
                   "([MS-OXCSTOR] R247 R250 R296 R303)",
                test_set_receive_folder_OXCSTOR_R247_R250_R296_R303);
    CU_add_test(s, "RopLongTermIdFromId / RopIdFromLongTermId round trip "
                   "([MS-OXCSTOR] R442 R458)",
                test_long_term_id_round_trip_OXCSTOR_R442_R458);
    CU_add_test(s, "RopGetStoreState ([MS-OXCSTOR] R334 R339)",
                test_get_store_state_OXCSTOR_R334_R339);
    CU_add_test(s, "RopGetAddressTypes ([MS-OXCROPS] R2410-R2416)",
                test_get_address_types_OXCROPS_R2410_R2416);
    CU_add_test(s, "handle slot 0xFFFFFFFF: ecNullObject ([MS-OXCROPS] "
                   "R4712 R471201 R457302)",
                test_null_handle_OXCROPS_R4712_R471201_R457302);
    CU_add_test(s, "folder ROPs on the logon handle fail cleanly "
                   "(R495 R509)", test_folder_rop_on_logon_R495_R509);
    CU_add_test(s, "truncated ROP request: ecRpcFormat ([MS-OXCROPS] "
                   "R4551)", test_truncated_request_OXCROPS_R4551);
    CU_add_test(s, "invalid folder requests (R486 R1234 R599 R611 R601)",
                test_folder_invalid_requests_R486_R1234_R599_R611_R601);
    CU_add_test(s, "moves that would loop or clash are refused (R480 R1065 "
                   "R1114)",
                test_move_folder_loops_and_clashes_R480_R1065_R1114);
    return harness_run_tests();
}
