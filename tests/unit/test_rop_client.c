/*
 * test_rop_client.c: unit tests of the ROP test client's wire layer
 * (tests/integ/rop_wire.c): request buffers built byte for byte and
 * hand-made response buffers parsed, with the layouts of [MS-OXCROPS] 2.2
 * and [MS-OXCDATA].  Requirement ids are [MS-OXCROPS] unless marked
 * (/work/shared/specs/MS-OXCROPS.md).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <apr_general.h>
#include <apr_pools.h>

#include "integ/rop_wire.h"

static apr_pool_t *pool;

/* "FE 00 Z8" = FE 00 and eight zero bytes; '"abc' = the ASCII bytes up
 * to the next space. */
static size_t hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    char *end;

    while (*s) {
        if (*s == ' ') {
            s++;
        } else if (*s == 'Z') {
            unsigned long z = strtoul(s + 1, &end, 10);
            for (; z > 0 && n < cap; z--)
                out[n++] = 0;
            s = end;
        } else if (*s == '"') {
            for (s++; *s && *s != ' ' && n < cap; s++)
                out[n++] = (uint8_t)*s;
        } else {
            unsigned v;
            if (sscanf(s, "%2x", &v) != 1 || n >= cap)
                abort();
            out[n++] = (uint8_t)v;
            s += 2;
        }
    }
    return n;
}

/* The request built so far equals the bytes of want. */
static int req_is(const rc_buf *b, const char *want)
{
    uint8_t w[1024];
    size_t n = hex(want, w, sizeof(w));

    if (b->wr.len != n || memcmp(b->wr.buf, w, n) != 0) {
        fprintf(stderr, "\n  built %zu bytes:", b->wr.len);
        for (size_t i = 0; i < b->wr.len; i++)
            fprintf(stderr, " %02X", b->wr.buf[i]);
        fprintf(stderr, "\n  want  %zu bytes\n", n);
        return 0;
    }
    return 1;
}

static uint8_t rbuf[2048];

/* A cursor over the bytes of hex string s (kept in rbuf). */
static void resp_of(rc_resp *r, const char *s)
{
    size_t n = hex(s, rbuf, sizeof(rbuf));

    rc_resp_init(r, pool, rbuf, n, NULL, 0);
}

/* ------------------------------------------------------------ builder -- */

/* R23 RopId 0xFE, R41 EssdnSize counts the NUL, R4679 StoreState 0. */
static void test_req_logon_R23_R41_R4679(void)
{
    rc_buf b;

    rc_buf_init(&b, pool);
    rc_req_logon(&b, 0, 0, RC_LOGON_PRIVATE, 0x01000000u, "/o=X");
    CU_ASSERT(req_is(&b, "FE 00 00 01 00 00 00 01 00 00 00 00 05 00 "
                         "\"/o=X 00"));
    CU_ASSERT(b.n_handles == 1 && b.handles[0] == RC_NO_HANDLE);
    CU_ASSERT(!rc_buf_failed(&b));
}

/* R11/R4674: the table is 32-bit slots; unset ones are 0xFFFFFFFF. */
static void test_handle_table_R11_R4674(void)
{
    rc_buf b;

    rc_buf_init(&b, pool);
    rc_buf_handle(&b, 2, 0x1234);
    CU_ASSERT(b.n_handles == 3);
    CU_ASSERT(b.handles[0] == RC_NO_HANDLE && b.handles[1] == RC_NO_HANDLE);
    CU_ASSERT(b.handles[2] == 0x1234);
    /* An output index past the table grows it (R31: index into it). */
    rc_req_open_folder(&b, 0, 0, 5, 1, 0);
    CU_ASSERT(b.n_handles == 6 && b.handles[5] == RC_NO_HANDLE);
    rc_buf_handle(&b, RC_MAX_HANDLES, 1);
    CU_ASSERT(rc_buf_failed(&b));
}

/* R4476 RopRelease 0x01: RopId, LogonId, InputHandleIndex; then a table
 * ROP pair as rc_query_table sends it. */
static void test_req_release_and_table_R4476(void)
{
    static const uint32_t cols[] = { RC_TAG_DISPLAY_NAME, RC_TAG_FOLDER_ID };
    rc_buf b;

    rc_buf_init(&b, pool);
    rc_req_release(&b, 0, 1);
    rc_req_set_columns(&b, 0, 0, 0, cols, 2);
    rc_req_query_rows(&b, 0, 0, 0, 1, 100);
    CU_ASSERT(req_is(&b, "01 00 01 "
                         "12 00 00 00 02 00 1F 00 01 30 14 00 48 67 "
                         "15 00 00 00 01 64 00"));
    CU_ASSERT(b.n_rops == 3);
}

/* R2797/R2802: PropertyValueSize counts PropertyValueCount and the
 * values; PtypBoolean is one byte, PtypBinary has a 16-bit count, MV
 * values a 32-bit one ([MS-OXCDATA] 2.11.1). */
static void test_req_set_props_R2797_R2802(void)
{
    static const uint8_t bin[] = { 0xAA, 0xBB };
    const char *strs[] = { "a", "b" };
    rc_prop v[5];
    rc_buf b;

    v[0] = rc_pv_i32(0x0E070003u, 7);
    v[1] = rc_pv_bool(0x0E1B000Bu, 1);
    v[2] = rc_pv_str(RC_TAG_SUBJECT, "Hi");
    v[3] = rc_pv_bin(0x00010102u, bin, 2);
    v[4] = rc_pv_mv_str(0x8001101Fu, strs, 2);
    rc_buf_init(&b, pool);
    rc_req_set_props(&b, 0, 1, v, 5);
    CU_ASSERT(req_is(&b, "0A 00 01 31 00 05 00 "
                         "03 00 07 0E 07 00 00 00 "
                         "0B 00 1B 0E 01 "
                         "1F 00 37 00 48 00 69 00 00 00 "
                         "02 01 01 00 02 00 AA BB "
                         "1F 10 01 80 02 00 00 00 61 00 00 00 62 00 00 00"));
}

/* [MS-OXCDATA] 2.8.3: RecipientFlags with the presence bits, the strings
 * in UTF-16 when U is set, RecipientColumnCount, a standard row. */
static void test_req_modify_recipients(void)
{
    static const uint32_t cols[] = { RC_TAG_RECIPIENT_TYPE };
    rc_prop pv = rc_pv_i32(RC_TAG_RECIPIENT_TYPE, 1);
    rc_recipient r;
    rc_buf b;

    memset(&r, 0, sizeof(r));
    r.row_id = 0;
    r.recipient_type = 1;
    r.flags = RC_RECIP_SMTP | RC_RECIP_U;
    r.email = "a@b";
    r.display_name = "A";
    r.props.n = 1;
    r.props.props = &pv;
    rc_buf_init(&b, pool);
    rc_req_modify_recipients(&b, 0, 0, cols, 1, &r, 1, NULL);
    /* flags 0x0203 | E 0x08 | D 0x10 = 0x021B */
    CU_ASSERT(req_is(&b, "0E 00 00 01 00 03 00 15 0C 01 00 "
                         "00 00 00 00 01 15 00 "
                         "1B 02 61 00 40 00 62 00 00 00 41 00 00 00 "
                         "01 00 00 01 00 00 00"));
}

/* [MS-OXCDATA] 2.12: RES_AND with a property and an exist restriction;
 * [MS-OXCPRPT]/[MS-OXCDATA] 2.6.1 PropertyName with NameSize. */
static void test_req_restriction_and_names(void)
{
    rc_prop v = rc_pv_i32(RC_TAG_FOLDER_TYPE, 1);
    rc_propname pn[2];
    rc_buf b;

    rc_buf_init(&b, pool);
    rc_restr_and_or(&b, 0, 2);
    rc_restr_property(&b, RC_RELOP_EQ, RC_TAG_FOLDER_TYPE, &v);
    rc_restr_exist(&b, RC_TAG_DISPLAY_NAME);
    CU_ASSERT(req_is(&b, "00 02 00 04 04 03 00 01 36 03 00 01 36 01 00 00 00"
                         " 08 1F 00 01 30"));
    memset(pn, 0, sizeof(pn));
    pn[0].kind = 0;
    pn[0].guid[0] = 0x11;
    pn[0].lid = 0x8501;
    pn[1].kind = 1;
    pn[1].name = "ab";
    rc_buf_init(&b, pool);
    rc_req_get_ids_from_names(&b, 0, 0, 0x02, pn, 2);
    CU_ASSERT(req_is(&b, "56 00 00 02 02 00 00 11 Z15 01 85 00 00 "
                         "01 Z16 06 61 00 62 00 00 00"));
}

/* ---------------------------------------------------- RopLogon forms -- */

#define FIDS "01 00 00 00 00 00 00 01 01 00 00 00 00 00 00 02 " \
             "01 00 00 00 00 00 00 03 01 00 00 00 00 00 00 04 " \
             "01 00 00 00 00 00 00 05 01 00 00 00 00 00 00 06 " \
             "01 00 00 00 00 00 00 07 01 00 00 00 00 00 00 08 " \
             "01 00 00 00 00 00 00 09 01 00 00 00 00 00 00 0A " \
             "01 00 00 00 00 00 00 0B 01 00 00 00 00 00 00 0C " \
             "01 00 00 00 00 00 00 0D "

/* R45 RopId 0xFE, R50 ReturnValue 0, R53 13 FolderIds, R57 MailboxGuid,
 * R59 ReplId, R61 ReplGuid, R63 LogonTime, R65 GwartTime, R74 StoreState. */
static void test_rsp_logon_private_R45_R50_R53_R57_R59_R63_R74(void)
{
    rc_resp r;
    rc_logon_rsp lo;

    resp_of(&r, "FE 00 00 00 00 00 01 " FIDS "02 "
                "A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF B0 "
                "01 00 C1 Z15 "
                "1E 2D 0C 02 01 0C EA 07 "
                "88 77 66 55 44 33 22 11 00 00 00 00");
    CU_ASSERT_FATAL(rc_rsp_logon(&r, &lo) == 0);
    CU_ASSERT(lo.h.rv == 0 && lo.form == RC_LOGON_FORM_PRIVATE);
    CU_ASSERT(lo.fids[RC_FID_ROOT] == 0x0100000000000001ULL);
    CU_ASSERT(lo.fids[RC_FID_INBOX] == 0x0500000000000001ULL);
    CU_ASSERT(lo.fids[RC_FID_SHORTCUTS] == 0x0D00000000000001ULL);
    CU_ASSERT(lo.response_flags == 0x02);
    CU_ASSERT(lo.mailbox_guid[0] == 0xA1 && lo.mailbox_guid[15] == 0xB0);
    CU_ASSERT(lo.repl_id == 1 && lo.repl_guid[0] == 0xC1);
    CU_ASSERT(lo.logon_time.sec == 30 && lo.logon_time.min == 45 &&
              lo.logon_time.hour == 12 && lo.logon_time.month == 12 &&
              lo.logon_time.year == 2026);
    CU_ASSERT(lo.gwart_time == 0x1122334455667788ULL);
    CU_ASSERT(lo.store_state == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* Public folders form: LogonFlags without Private, ReplId, ReplGuid,
 * PerUserGuid after the FolderIds. */
static void test_rsp_logon_public(void)
{
    rc_resp r;
    rc_logon_rsp lo;

    resp_of(&r, "FE 00 00 00 00 00 00 " FIDS "05 00 Z16 D1 Z15");
    CU_ASSERT_FATAL(rc_rsp_logon(&r, &lo) == 0);
    CU_ASSERT(lo.form == RC_LOGON_FORM_PUBLIC && lo.repl_id == 5);
    CU_ASSERT(lo.per_user_guid[0] == 0xD1 && rc_resp_left(&r) == 0);
}

/* R123-R126: the redirect carries ServerNameSize and ServerName with its
 * NUL; R128-R131: the failure form is RopId, index, ReturnValue. */
static void test_rsp_logon_redirect_and_failure_R123_R126_R128(void)
{
    rc_resp r;
    rc_logon_rsp lo;

    resp_of(&r, "FE 00 78 04 00 00 01 04 \"srv 00");
    CU_ASSERT_FATAL(rc_rsp_logon(&r, &lo) == 0);
    CU_ASSERT(lo.h.rv == RC_EC_WRONG_SERVER);
    CU_ASSERT(lo.form == RC_LOGON_FORM_REDIRECT);
    CU_ASSERT(lo.server_name && strcmp(lo.server_name, "srv") == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);

    resp_of(&r, "FE 00 F2 03 00 00 FE 00 EB 03 00 00");
    CU_ASSERT(rc_rsp_logon(&r, &lo) == 0 && lo.h.rv == RC_EC_LOGIN_PERM);
    CU_ASSERT(lo.form == RC_LOGON_FORM_ERROR && rc_resp_left(&r) == 6);
    CU_ASSERT(rc_rsp_logon(&r, &lo) == 0 && lo.h.rv == RC_EC_UNKNOWN_USER);

    /* A redirect whose ServerName is not NUL-ended is malformed. */
    resp_of(&r, "FE 00 78 04 00 00 01 03 \"srv");
    CU_ASSERT(rc_rsp_logon(&r, &lo) == -1);
}

/* R14: the RopId must be the one expected; RopBufferTooSmall (R4439)
 * fails the cursor, which stays failed. */
static void test_rsp_wrong_rop_R14_R4439(void)
{
    rc_resp r;
    rc_head h;
    uint32_t n;

    resp_of(&r, "02 01 00 00 00 00 00 00");
    CU_ASSERT(rc_rsp_get_table(&r, RC_ROP_GET_HIERARCHY_TABLE, &h, &n) == -1);
    CU_ASSERT(strstr(rc_resp_error(&r), "0x02") != NULL);
    CU_ASSERT(rc_rsp_open_folder(&r, &(rc_folder_rsp){ 0 }) == -1);

    resp_of(&r, "FF 10 00 00");
    CU_ASSERT(rc_rsp_generic(&r, RC_ROP_OPEN_FOLDER, &h) == -1);
    CU_ASSERT(strstr(rc_resp_error(&r), "BufferTooSmall") != NULL);

    /* The generic error response of any ROP: head only. */
    resp_of(&r, "07 01 0F 01 04 80");
    CU_ASSERT(rc_rsp_head(&r, -1, &h) == 0 && h.rop_id == 0x07 &&
              h.hindex == 1 && h.rv == RC_EC_NOT_FOUND);
}

/* ------------------------------------------------------ folder ROPs -- */

/* R555-R571: OpenFolder HasRules, IsGhosted, servers only when ghosted;
 * R619-R624: CreateFolder IsExistingFolder, then HasRules/IsGhosted only
 * for an existing one. */
static void test_rsp_folders_R555_R561_R619_R622(void)
{
    rc_resp r;
    rc_folder_rsp o;

    resp_of(&r, "02 01 00 00 00 00 01 00 "
                "02 01 00 00 00 00 00 01 02 00 01 00 \"a 00 \"b 00");
    CU_ASSERT(rc_rsp_open_folder(&r, &o) == 0 && o.has_rules == 1 &&
              o.is_ghosted == 0);
    CU_ASSERT(rc_rsp_open_folder(&r, &o) == 0 && o.is_ghosted == 1);
    CU_ASSERT(o.servers.count == 2 && o.servers.cheap == 1 &&
              strcmp(o.servers.names[1], "b") == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);

    resp_of(&r, "1C 01 00 00 00 00 01 00 00 00 00 00 00 09 00 "
                "1C 01 00 00 00 00 01 00 00 00 00 00 00 0A 01 00 00");
    CU_ASSERT(rc_rsp_create_folder(&r, &o) == 0 && o.is_existing == 0 &&
              o.fid == 0x0900000000000001ULL);
    CU_ASSERT(rc_rsp_create_folder(&r, &o) == 0 && o.is_existing == 1 &&
              o.has_rules == 0 && o.is_ghosted == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* One response buffer: PartialCompletion whatever the ReturnValue;
 * R833/R834 the null-destination form adds DestHandleIndex (u32). */
static void test_rsp_partial_and_null_dest_R833_R834(void)
{
    rc_resp r;
    rc_head h;
    uint8_t partial;
    uint32_t dest;

    resp_of(&r, "1D 00 05 00 07 80 01 "
                "35 00 03 05 00 00 02 00 00 00 00 "
                "33 00 00 00 00 00 00");
    CU_ASSERT(rc_rsp_partial(&r, RC_ROP_DELETE_FOLDER, &h, &partial) == 0 &&
              h.rv == RC_EC_ACCESS_DENIED && partial == 1);
    CU_ASSERT(rc_rsp_move_copy(&r, RC_ROP_MOVE_FOLDER, &h, &dest, &partial)
              == 0 && h.rv == RC_EC_DST_NULL_OBJECT && dest == 2 &&
              partial == 0);
    CU_ASSERT(rc_rsp_move_copy(&r, RC_ROP_MOVE_COPY_MESSAGES, &h, &dest,
                               &partial) == 0 && h.rv == 0 && dest == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* R158: GetReceiveFolder FolderId then ExplicitMessageClass; the receive
 * folder table's rows are over FolderId, MessageClass (String8) and
 * LastModificationTime ([MS-OXCSTOR] R301, R305). */
static void test_rsp_receive_folder_R158(void)
{
    rc_resp r;
    rc_head h;
    uint64_t fid;
    const char *cls;
    uint32_t n;
    rc_row *rows;

    resp_of(&r, "27 00 00 00 00 00 01 00 00 00 00 00 00 05 \"IPM 00 "
                "68 00 00 00 00 00 01 00 00 00 "
                "00 01 00 00 00 00 00 00 05 \"IPC 00 00 00 00 00 00 00 00 01");
    CU_ASSERT(rc_rsp_get_receive_folder(&r, &h, &fid, &cls) == 0 &&
              fid == 0x0500000000000001ULL && strcmp(cls, "IPM") == 0);
    CU_ASSERT(rc_rsp_get_receive_folder_table(&r, &h, &n, &rows) == 0 &&
              n == 1);
    CU_ASSERT(rc_row_u64(&rows[0], RC_TAG_FOLDER_ID, 0) ==
              0x0500000000000001ULL);
    CU_ASSERT(strcmp(rc_row_str(&rows[0], RC_TAG_MESSAGE_CLASS8), "IPC") == 0);
    CU_ASSERT(rc_row_u64(&rows[0], RC_TAG_LAST_MODIFICATION, 0) ==
              0x0100000000000000ULL);
}

/* LongTermIdFromId (24-byte LongTermID), IdFromLongTermId, GetStoreState,
 * GetPerUserLongTermIds, GetPerUserGuid, GetOwningServers. */
static void test_rsp_ids_and_store(void)
{
    rc_resp r;
    rc_head h;
    rc_ltid l, *ls;
    uint64_t id;
    uint32_t st;
    uint16_t n;
    uint8_t g[16];
    rc_servers sv;

    resp_of(&r, "43 00 00 00 00 00 E1 Z15 01 02 03 04 05 06 00 00 "
                "44 00 00 00 00 00 01 00 01 02 03 04 05 06 "
                "7B 00 00 00 00 00 00 00 00 00 "
                "60 00 00 00 00 00 01 00 F1 Z15 Z8 "
                "61 00 00 00 00 00 F2 Z15 "
                "42 00 00 00 00 00 01 00 01 00 \"s1 00");
    CU_ASSERT(rc_rsp_long_term_id_from_id(&r, &h, &l) == 0 &&
              l.guid[0] == 0xE1 && l.counter[5] == 0x06 && l.pad == 0);
    CU_ASSERT(rc_rsp_id_from_long_term_id(&r, &h, &id) == 0 &&
              id == 0x0605040302010001ULL);
    CU_ASSERT(rc_rsp_get_store_state(&r, &h, &st) == 0 && st == 0);
    CU_ASSERT(rc_rsp_get_per_user_ltids(&r, &h, &n, &ls) == 0 && n == 1 &&
              ls[0].guid[0] == 0xF1);
    CU_ASSERT(rc_rsp_get_per_user_guid(&r, &h, g) == 0 && g[0] == 0xF2);
    CU_ASSERT(rc_rsp_get_owning_servers(&r, &h, &sv) == 0 &&
              sv.count == 1 && strcmp(sv.names[0], "s1") == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* ------------------------------------------------------- table ROPs -- */

/* R1001 RowCount of the new table (4 bytes); R1071 TableStatus. */
static void test_rsp_table_status_R1001_R1071(void)
{
    rc_resp r;
    rc_head h;
    uint32_t n;
    uint8_t st;

    resp_of(&r, "04 01 00 00 00 00 0B 00 00 00 12 00 00 00 00 00 00 "
                "14 00 02 01 04 80");
    CU_ASSERT(rc_rsp_get_table(&r, RC_ROP_GET_HIERARCHY_TABLE, &h, &n) == 0
              && n == 11);
    CU_ASSERT(rc_rsp_table_status(&r, RC_ROP_SET_COLUMNS, &h, &st) == 0 &&
              st == 0);
    /* A failure is the head alone: no TableStatus read. */
    CU_ASSERT(rc_rsp_table_status(&r, RC_ROP_RESTRICT, &h, &st) == 0 &&
              h.rv == RC_EC_NOT_SUPPORTED);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* R1187-R1191: RowCount then PropertyRows over the columns set; the first
 * row standard, the second flagged ([MS-OXCDATA] 2.8.1.1, 2.8.1.2) with a
 * value, an error (0x0A) and an absent value (0x01). */
static void test_rsp_query_rows_R1187_R1189_R1191(void)
{
    static const uint32_t cols[] = { RC_TAG_DISPLAY_NAME, RC_TAG_FOLDER_ID,
                                     RC_TAG_CONTENT_COUNT };
    rc_resp r;
    rc_rows_rsp o;
    const rc_prop *p;

    resp_of(&r, "15 00 00 00 00 00 02 02 00 "
                "00 49 00 6E 00 00 00 01 00 00 00 00 00 00 05 07 00 00 00 "
                "01 00 4F 00 00 00 0A 0F 01 04 80 01");
    CU_ASSERT_FATAL(rc_rsp_query_rows(&r, cols, 3, &o) == 0);
    CU_ASSERT(o.origin == 2 && o.count == 2);
    CU_ASSERT(o.rows[0].flagged == 0);
    CU_ASSERT(strcmp(rc_row_str(&o.rows[0], RC_TAG_DISPLAY_NAME), "In") == 0);
    CU_ASSERT(rc_row_u64(&o.rows[0], RC_TAG_FOLDER_ID, 0) ==
              0x0500000000000001ULL);
    CU_ASSERT(rc_row_u32(&o.rows[0], RC_TAG_CONTENT_COUNT, 0) == 7);
    CU_ASSERT(o.rows[1].flagged == 1);
    CU_ASSERT(strcmp(rc_row_str(&o.rows[1], RC_TAG_DISPLAY_NAME), "O") == 0);
    p = rc_row_find(&o.rows[1], RC_TAG_FOLDER_ID);
    CU_ASSERT(p && p->flag == 0x0A && p->type == RC_PT_ERROR &&
              p->v.u32 == RC_EC_NOT_FOUND);
    CU_ASSERT(rc_row_u64(&o.rows[1], RC_TAG_FOLDER_ID, 99) == 99);
    p = rc_row_find(&o.rows[1], RC_TAG_CONTENT_COUNT);
    CU_ASSERT(p && p->flag == 0x01);
    CU_ASSERT(rc_resp_left(&r) == 0);

    /* A bad PropertyRow flag is malformed. */
    resp_of(&r, "15 00 00 00 00 00 00 01 00 02");
    CU_ASSERT(rc_rsp_query_rows(&r, cols, 3, &o) == -1);
}

/* QueryPosition, SeekRow, CreateBookmark, SeekRowBookmark,
 * QueryColumnsAll, FindRow, FreeBookmark/ResetTable (head only). */
static void test_rsp_table_navigation(void)
{
    static const uint32_t cols[] = { RC_TAG_FOLDER_ID };
    rc_resp r;
    rc_head h;
    uint32_t num, den, *tags;
    uint8_t less, gone;
    int32_t sought;
    rc_bin bm;
    uint16_t n;
    rc_find_row_rsp f;

    resp_of(&r, "17 00 00 00 00 00 01 00 00 00 03 00 00 00 "
                "18 00 00 00 00 00 01 FE FF FF FF "
                "1B 00 00 00 00 00 02 00 B1 B2 "
                "19 00 00 00 00 00 00 01 02 00 00 00 "
                "37 00 00 00 00 00 01 00 1F 00 01 30 "
                "4F 00 00 00 00 00 00 01 00 01 00 00 00 00 00 00 09 "
                "89 00 00 00 00 00 81 00 00 00 00 00");
    CU_ASSERT(rc_rsp_query_position(&r, &h, &num, &den) == 0 && num == 1 &&
              den == 3);
    CU_ASSERT(rc_rsp_seek_row(&r, &h, &less, &sought) == 0 && less == 1 &&
              sought == -2);
    CU_ASSERT(rc_rsp_create_bookmark(&r, &h, &bm) == 0 && bm.len == 2 &&
              bm.data[1] == 0xB2);
    CU_ASSERT(rc_rsp_seek_row_bookmark(&r, &h, &gone, &less, &sought) == 0
              && gone == 0 && less == 1 && sought == 2);
    CU_ASSERT(rc_rsp_query_columns_all(&r, &h, &n, &tags) == 0 && n == 1 &&
              tags[0] == RC_TAG_DISPLAY_NAME);
    CU_ASSERT(rc_rsp_find_row(&r, cols, 1, &f) == 0 && f.has_row == 1 &&
              rc_row_u64(&f.row, RC_TAG_FOLDER_ID, 0) ==
              0x0900000000000001ULL);
    CU_ASSERT(rc_rsp_generic(&r, RC_ROP_FREE_BOOKMARK, &h) == 0);
    CU_ASSERT(rc_rsp_generic(&r, RC_ROP_RESET_TABLE, &h) == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* --------------------------------------------------- property ROPs -- */

/* R2702/R2703: GetPropertiesSpecific's RowData is a PropertyRow over the
 * requested tags; a PtypUnspecified tag carries its type
 * ([MS-OXCDATA] 2.11.3). */
static void test_rsp_get_props_specific_R2702_R2703(void)
{
    static const uint32_t tags[] = { RC_TAG_SUBJECT, 0x0E070000u };
    rc_resp r;
    rc_head h;
    rc_row row;
    const rc_prop *p;

    resp_of(&r, "07 00 00 00 00 00 01 00 48 00 00 00 00 03 00 05 00 00 00");
    CU_ASSERT_FATAL(rc_rsp_get_props_specific(&r, tags, 2, &h, &row) == 0);
    CU_ASSERT(strcmp(rc_row_str(&row, RC_TAG_SUBJECT), "H") == 0);
    p = rc_row_find(&row, 0x0E070000u);
    CU_ASSERT(p && p->type == RC_PT_LONG && p->v.u32 == 5);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* R2737/R2739: GetPropertiesAll is TaggedPropertyValues; every type the
 * builder writes reads back (PtypInteger32, Boolean, Integer64, Time,
 * String, String8, Binary, MultipleString/Binary/Integer32). */
static void test_props_round_trip_R2737_R2739(void)
{
    static const uint8_t bin[] = { 1, 2, 3 };
    const char *strs[] = { "x", "\xC3\xA9" };
    rc_bin bins[2] = { { bin, 3 }, { bin, 0 } };
    uint32_t ints[3] = { 1, 2, 0xFFFFFFFF };
    rc_prop in[10], *out;
    rc_buf b;
    rc_resp r;
    rc_head h;
    uint16_t n;

    in[0] = rc_pv_i32(0x0E070003u, 0x11223344);
    in[1] = rc_pv_bool(0x0E1B000Bu, 1);
    in[2] = rc_pv_i64(0x0E080014u, 0x0102030405060708ULL);
    in[3] = rc_pv_i64(RC_TAG_CREATION_TIME, rc_filetime_from_unix(86400));
    in[4] = rc_pv_str(RC_TAG_SUBJECT, "S\xC3\xBC");
    in[5] = rc_pv_str(0x0037001Eu, "s8");
    in[6] = rc_pv_bin(RC_TAG_ENTRY_ID, bin, 3);
    in[7] = rc_pv_mv_str(0x8001101Fu, strs, 2);
    in[8] = rc_pv_mv_bin(0x80021102u, bins, 2);
    in[9] = rc_pv_mv_i32(0x80031003u, ints, 3);
    rc_buf_init(&b, pool);
    rc_u8(&b, RC_ROP_GET_PROPS_ALL);
    rc_u8(&b, 0);
    rc_u32(&b, 0);
    rc_u16(&b, 10);
    for (int i = 0; i < 10; i++)
        rc_tagged(&b, &in[i]);
    CU_ASSERT_FATAL(!rc_buf_failed(&b));
    rc_resp_init(&r, pool, b.wr.buf, b.wr.len, NULL, 0);
    CU_ASSERT_FATAL(rc_rsp_get_props_all(&r, &h, &n, &out) == 0 && n == 10);
    CU_ASSERT(out[0].v.u32 == 0x11223344 && out[1].v.b == 1);
    CU_ASSERT(out[2].v.u64 == 0x0102030405060708ULL);
    CU_ASSERT(rc_filetime_to_unix(out[3].v.u64) == 86400);
    CU_ASSERT(strcmp(out[4].v.str, "S\xC3\xBC") == 0);
    CU_ASSERT(strcmp(out[5].v.str, "s8") == 0);
    CU_ASSERT(out[6].v.bin.len == 3 && out[6].v.bin.data[2] == 3);
    CU_ASSERT(out[7].v.mv.count == 2 &&
              strcmp(out[7].v.mv.str[1], "\xC3\xA9") == 0);
    CU_ASSERT(out[8].v.mv.count == 2 && out[8].v.mv.bin[0].len == 3 &&
              out[8].v.mv.bin[1].len == 0);
    CU_ASSERT(out[9].v.mv.count == 3 && out[9].v.mv.u32[2] == 0xFFFFFFFF);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* R2814/R2816: PropertyProblemCount then PropertyProblems (Index, tag,
 * error); GetPropertiesList; GetPropertyIdsFromNames; R2659/R2660
 * GetNamesFromPropertyIds with Kind 0, 1 and 0xFF alone ([MS-OXCPRPT]
 * R523, R524: no other data for an unnamed id). */
static void test_rsp_problems_and_names_R2814_R2816_R2660(void)
{
    rc_resp r;
    rc_head h;
    uint16_t n, *ids;
    rc_problem *p;
    uint32_t *tags;
    rc_propname *pn;

    resp_of(&r, "0A 00 00 00 00 00 01 00 02 00 1F 00 37 00 05 00 07 80 "
                "09 00 00 00 00 00 01 00 03 00 07 0E "
                "56 00 00 00 00 00 02 00 01 80 02 80 "
                "55 00 00 00 00 00 03 00 "
                "00 Z16 01 85 00 00 "
                "01 Z16 04 61 00 00 00 "
                "FF");
    CU_ASSERT(rc_rsp_problems(&r, RC_ROP_SET_PROPS, &h, &n, &p) == 0 &&
              n == 1 && p[0].index == 2 && p[0].tag == RC_TAG_SUBJECT &&
              p[0].error == RC_EC_ACCESS_DENIED);
    CU_ASSERT(rc_rsp_get_props_list(&r, &h, &n, &tags) == 0 && n == 1 &&
              tags[0] == 0x0E070003u);
    CU_ASSERT(rc_rsp_get_ids_from_names(&r, &h, &n, &ids) == 0 && n == 2 &&
              ids[1] == 0x8002);
    CU_ASSERT_FATAL(rc_rsp_get_names_from_ids(&r, &h, &n, &pn) == 0 &&
                    n == 3);
    CU_ASSERT(pn[0].kind == 0 && pn[0].lid == 0x8501);
    CU_ASSERT(pn[1].kind == 1 && strcmp(pn[1].name, "a") == 0);
    CU_ASSERT(pn[2].kind == 0xFF);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* ---------------------------------------------------- message ROPs -- */

/* R1705 TypedString subject prefix, R1718-R1721 RecipientColumns,
 * RowCount and OpenRecipientRows (RecipientType, CodePageId, Reserved,
 * RecipientRowSize, RecipientRow of [MS-OXCDATA] 2.8.3). */
static void test_rsp_open_message_R1705_R1720_R1721(void)
{
    rc_resp r;
    rc_message_rsp m;
    const rc_recipient *rr;

    resp_of(&r, "03 01 00 00 00 00 00 "
                "00 04 48 00 69 00 00 00 "      /* no prefix; "Hi" */
                "01 00 01 00 03 00 15 0C 01 "  /* 1 recipient, column, row */
                "01 E4 04 00 00 11 00 "           /* To, cp 1252, size 17 */
                "1B 02 61 00 00 00 41 00 00 00 "  /* SMTP|E|D|U: "a", "A" */
                "01 00 00 01 00 00 00");          /* 1 column: type 1 */
    CU_ASSERT_FATAL(rc_rsp_open_message(&r, &m) == 0);
    CU_ASSERT(m.subject_prefix == NULL &&
              strcmp(m.normalized_subject, "Hi") == 0);
    CU_ASSERT(m.recipient_count == 1 && m.ncols == 1 && m.nrows == 1);
    rr = &m.rows[0];
    CU_ASSERT(rr->recipient_type == 1 && rr->code_page == 1252);
    CU_ASSERT((rr->flags & RC_RECIP_TYPE_MASK) == RC_RECIP_SMTP);
    CU_ASSERT(strcmp(rr->email, "a") == 0 &&
              strcmp(rr->display_name, "A") == 0);
    CU_ASSERT(rc_row_u32(&rr->props, RC_TAG_RECIPIENT_TYPE, 0) == 1);
    CU_ASSERT(rc_resp_left(&r) == 0);

    /* RecipientRowSize that does not match the row is malformed. */
    resp_of(&r, "03 01 00 00 00 00 00 00 00 01 00 00 00 01 "
                "01 E4 04 00 00 06 00 03 00 00 00 00 00");
    CU_ASSERT(rc_rsp_open_message(&r, &m) == -1);
}

/* R1773-R1777 CreateMessage HasMessageId/MessageId; R1818 SaveChanges
 * MessageId; ReadRecipients rows; SetMessageReadFlag R2109/R2110: LogonId
 * and ClientData only when ReadStatusChanged; OpenEmbeddedMessage. */
static void test_rsp_message_misc_R1773_R1777_R1818_R2109_R2110(void)
{
    static const uint32_t cols[] = { RC_TAG_RECIPIENT_TYPE };
    rc_resp r;
    rc_head h;
    uint8_t has, idx, n, changed, lid;
    uint64_t mid;
    rc_recipient *rows;
    const uint8_t *cd;
    rc_message_rsp m;

    resp_of(&r, "06 01 00 00 00 00 00 "
                "06 01 00 00 00 00 01 01 00 00 00 00 00 00 20 "
                "0C 01 00 00 00 00 01 01 00 00 00 00 00 00 20 "
                "0F 00 00 00 00 00 01 05 00 00 00 02 E4 04 00 00 "
                "05 00 03 00 00 00 00 "
                "11 01 00 00 00 00 00 "
                "11 01 00 00 00 00 01 03 C0 Z23 "
                "46 01 00 00 00 00 00 01 00 00 00 00 00 00 30 "
                "00 00 00 00 00 00 00 00");
    CU_ASSERT(rc_rsp_create_message(&r, &h, &has, &mid) == 0 && has == 0);
    CU_ASSERT(rc_rsp_create_message(&r, &h, &has, &mid) == 0 && has == 1 &&
              mid == 0x2000000000000001ULL);
    CU_ASSERT(rc_rsp_save_changes_message(&r, &h, &idx, &mid) == 0 &&
              idx == 1 && mid == 0x2000000000000001ULL);
    CU_ASSERT(rc_rsp_read_recipients(&r, cols, 1, &h, &n, &rows) == 0 &&
              n == 1 && rows[0].row_id == 5 && rows[0].recipient_type == 2 &&
              rows[0].props.n == 0);
    CU_ASSERT(rc_rsp_set_message_read_flag(&r, &h, &changed, &lid, &cd) == 0
              && changed == 0 && cd == NULL);
    CU_ASSERT(rc_rsp_set_message_read_flag(&r, &h, &changed, &lid, &cd) == 0
              && changed == 1 && lid == 3 && cd && cd[0] == 0xC0);
    CU_ASSERT(rc_rsp_open_embedded_message(&r, &m) == 0 &&
              m.mid == 0x3000000000000001ULL && m.nrows == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* Attachments and streams.  ReadStream (R3224) and WriteStream (R3255)
 * have one response buffer: DataSize/WrittenSize follow any ReturnValue. */
static void test_rsp_attach_stream_R3224_R3255(void)
{
    rc_resp r;
    rc_head h;
    uint32_t id, size;
    rc_bin data;
    uint16_t written;
    uint64_t pos;

    resp_of(&r, "23 01 00 00 00 00 02 00 00 00 "
                "25 00 00 00 00 00 "
                "2B 02 00 00 00 00 10 00 00 00 "
                "2C 02 00 00 00 00 03 00 61 62 63 "
                "2C 02 05 00 07 80 00 00 "
                "2D 02 05 00 07 80 00 00 "
                "5E 02 00 00 00 00 03 00 00 00 "
                "2E 02 00 00 00 00 02 00 00 00 00 00 00 00 "
                "5D 02 00 00 00 00");
    CU_ASSERT(rc_rsp_create_attachment(&r, &h, &id) == 0 && id == 2);
    CU_ASSERT(rc_rsp_save_changes_attachment(&r, &h) == 0);
    CU_ASSERT(rc_rsp_open_stream(&r, &h, &size) == 0 && size == 16);
    CU_ASSERT(rc_rsp_read_stream(&r, &h, &data) == 0 && data.len == 3 &&
              memcmp(data.data, "abc", 3) == 0);
    CU_ASSERT(rc_rsp_read_stream(&r, &h, &data) == 0 &&
              h.rv == RC_EC_ACCESS_DENIED && data.len == 0);
    CU_ASSERT(rc_rsp_write_stream(&r, &h, &written) == 0 && written == 0);
    CU_ASSERT(rc_rsp_get_stream_size(&r, &h, &size) == 0 && size == 3);
    CU_ASSERT(rc_rsp_seek_stream(&r, &h, &pos) == 0 && pos == 2);
    CU_ASSERT(rc_rsp_generic(&r, RC_ROP_COMMIT_STREAM, &h) == 0);
    CU_ASSERT(rc_resp_left(&r) == 0);
}

/* Every prefix of a valid response list is refused (-1), never read past
 * its end: the parsers are bounded by the bytes given. */
static void test_truncated_responses_fail(void)
{
    static const uint32_t cols[] = { RC_TAG_DISPLAY_NAME, RC_TAG_FOLDER_ID };
    uint8_t full[512];
    size_t n = hex("FE 00 00 00 00 00 01 " FIDS "02 Z16 01 00 Z16 Z8 Z8 "
                   "00 00 00 00 "
                   "15 00 00 00 00 00 02 01 00 "
                   "01 00 41 00 00 00 0A 0F 01 04 80", full, sizeof(full));

    for (size_t len = 0; len < n; len++) {
        uint8_t *copy = malloc(len + 1);
        rc_resp r;
        rc_logon_rsp lo;
        rc_rows_rsp q;
        int a, b;
        memcpy(copy, full, len);
        rc_resp_init(&r, pool, copy, len, NULL, 0);
        a = rc_rsp_logon(&r, &lo);
        b = rc_rsp_query_rows(&r, cols, 2, &q);
        CU_ASSERT(a == -1 || b == -1);
        free(copy);
    }
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("rop client wire layer", NULL, NULL);
    CU_add_test(s, "RopLogon request (R23 R41 R4679)",
                test_req_logon_R23_R41_R4679);
    CU_add_test(s, "handle table (R11 R4674)", test_handle_table_R11_R4674);
    CU_add_test(s, "RopRelease, SetColumns, QueryRows requests (R4476)",
                test_req_release_and_table_R4476);
    CU_add_test(s, "RopSetProperties request (R2797 R2802)",
                test_req_set_props_R2797_R2802);
    CU_add_test(s, "RopModifyRecipients request", test_req_modify_recipients);
    CU_add_test(s, "restrictions and PropertyNames",
                test_req_restriction_and_names);
    CU_add_test(s, "RopLogon private response (R45 R50 R53 R57 R59 R63 R74)",
                test_rsp_logon_private_R45_R50_R53_R57_R59_R63_R74);
    CU_add_test(s, "RopLogon public response", test_rsp_logon_public);
    CU_add_test(s, "RopLogon redirect and failure (R123 R126 R128)",
                test_rsp_logon_redirect_and_failure_R123_R126_R128);
    CU_add_test(s, "wrong RopId, RopBufferTooSmall (R14 R4439)",
                test_rsp_wrong_rop_R14_R4439);
    CU_add_test(s, "OpenFolder, CreateFolder (R555 R561 R619 R622)",
                test_rsp_folders_R555_R561_R619_R622);
    CU_add_test(s, "PartialCompletion, null destination (R833 R834)",
                test_rsp_partial_and_null_dest_R833_R834);
    CU_add_test(s, "receive folder (R158)", test_rsp_receive_folder_R158);
    CU_add_test(s, "ids and store state", test_rsp_ids_and_store);
    CU_add_test(s, "table RowCount and TableStatus (R1001 R1071)",
                test_rsp_table_status_R1001_R1071);
    CU_add_test(s, "QueryRows standard and flagged rows "
                   "(R1187 R1189 R1191)",
                test_rsp_query_rows_R1187_R1189_R1191);
    CU_add_test(s, "table navigation", test_rsp_table_navigation);
    CU_add_test(s, "GetPropertiesSpecific (R2702 R2703)",
                test_rsp_get_props_specific_R2702_R2703);
    CU_add_test(s, "property types round trip (R2737 R2739)",
                test_props_round_trip_R2737_R2739);
    CU_add_test(s, "problems and names (R2814 R2816 R2660)",
                test_rsp_problems_and_names_R2814_R2816_R2660);
    CU_add_test(s, "OpenMessage with recipients (R1705 R1720 R1721)",
                test_rsp_open_message_R1705_R1720_R1721);
    CU_add_test(s, "message ROPs (R1773 R1777 R1818 R2109 R2110)",
                test_rsp_message_misc_R1773_R1777_R1818_R2109_R2110);
    CU_add_test(s, "attachments and streams (R3224 R3255)",
                test_rsp_attach_stream_R3224_R3255);
    CU_add_test(s, "truncated responses fail", test_truncated_responses_fail);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    apr_pool_destroy(pool);
    apr_terminate();
    return failed ? 1 : 0;
}
