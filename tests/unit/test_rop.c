/*
 * test_rop.c: unit tests for the ROP engine skeleton (mod_mapi/rop).
 * Requirement ids refer to /work/shared/specs/MS-OXCROPS.md.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "rop/rop.h"
#include "rop/rop_ids.h"
#include "rop/rop_types.h"
#include "rop/rop_logon.h"
#include "rop/rop_folder.h"
#include "rop/rop_table.h"
#include "rop/rop_message.h"
#include "rop/rop_property.h"

static apr_pool_t *pool;

/* ---- hex helper: "00 0a Z8" = 00 0A and eight zero bytes ------------- */

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

/* ---- every client ROP: a minimal valid request body (after RopId) ---- */

typedef struct rop_case {
    uint8_t id;
    const char *body;
} rop_case;

#define MSGROW "01 00 1F 00 01 30 01 00 00 00 00 00 01 0D 00 " \
               "10 02 41 00 00 00 01 00 00 42 00 00 00"
#define RULE "01 00 01 02 00 FD 00 79 66 08 03 00 01 0E " \
             "FE 00 80 66 01 00 09 00 0A 00 00 00 00 00 00 00 00"

static const rop_case rop_cases[] = {
    { ROP_ID_RELEASE, "00 00" },
    { ROP_ID_OPEN_FOLDER, "00 00 01 Z8 00" },
    { ROP_ID_OPEN_MESSAGE, "00 00 01 00 00 Z8 00 Z8" },
    { ROP_ID_GET_HIERARCHY_TABLE, "00 00 01 00" },
    { ROP_ID_GET_CONTENTS_TABLE, "00 00 01 00" },
    { ROP_ID_CREATE_MESSAGE, "00 00 01 00 00 Z8 00" },
    { ROP_ID_GET_PROPERTIES_SPECIFIC, "00 00 00 00 00 00 01 00 03 00 01 0E" },
    { ROP_ID_GET_PROPERTIES_ALL, "00 00 00 00 00 00" },
    { ROP_ID_GET_PROPERTIES_LIST, "00 00" },
    { ROP_ID_SET_PROPERTIES, "00 00 0A 00 01 00 03 00 01 0E 05 00 00 00" },
    { ROP_ID_DELETE_PROPERTIES, "00 00 01 00 03 00 01 0E" },
    { ROP_ID_SAVE_CHANGES_MESSAGE, "00 01 00 00" },
    { ROP_ID_REMOVE_ALL_RECIPIENTS, "00 00 00 00 00 00" },
    { ROP_ID_MODIFY_RECIPIENTS, "00 00 " MSGROW },
    { ROP_ID_READ_RECIPIENTS, "00 00 00 00 00 00 00 00" },
    { ROP_ID_RELOAD_CACHED_INFORMATION, "00 00 00 00" },
    { ROP_ID_SET_MESSAGE_READ_FLAG, "00 01 00 00" },
    { ROP_ID_SET_COLUMNS, "00 00 00 01 00 03 00 01 0E" },
    { ROP_ID_SORT_TABLE, "00 00 00 01 00 00 00 00 00 03 00 01 0E 00" },
    { ROP_ID_RESTRICT, "00 00 00 05 00 08 03 00 01 0E" },
    { ROP_ID_QUERY_ROWS, "00 00 00 01 0A 00" },
    { ROP_ID_GET_STATUS, "00 00" },
    { ROP_ID_QUERY_POSITION, "00 00" },
    { ROP_ID_SEEK_ROW, "00 00 00 05 00 00 00 00" },
    { ROP_ID_SEEK_ROW_BOOKMARK, "00 00 01 00 AA 00 00 00 00 00" },
    { ROP_ID_SEEK_ROW_FRACTIONAL, "00 00 01 00 00 00 02 00 00 00" },
    { ROP_ID_CREATE_BOOKMARK, "00 00" },
    { ROP_ID_CREATE_FOLDER, "00 00 01 01 00 00 00 41 00 00" },
    { ROP_ID_DELETE_FOLDER, "00 00 00 Z8" },
    { ROP_ID_DELETE_MESSAGES, "00 00 00 00 01 00 Z8" },
    { ROP_ID_GET_MESSAGE_STATUS, "00 00 Z8" },
    { ROP_ID_SET_MESSAGE_STATUS, "00 00 Z8 Z4 Z4" },
    { ROP_ID_GET_ATTACHMENT_TABLE, "00 00 01 00" },
    { ROP_ID_OPEN_ATTACHMENT, "00 00 01 00 00 00 00 00" },
    { ROP_ID_CREATE_ATTACHMENT, "00 00 01" },
    { ROP_ID_DELETE_ATTACHMENT, "00 00 00 00 00 00" },
    { ROP_ID_SAVE_CHANGES_ATTACHMENT, "00 01 00 00" },
    { ROP_ID_SET_RECEIVE_FOLDER, "00 00 Z8 49 50 4D 00" },
    { ROP_ID_GET_RECEIVE_FOLDER, "00 00 49 50 4D 00" },
    { ROP_ID_REGISTER_NOTIFICATION, "00 00 01 02 00 01" },
    { ROP_ID_OPEN_STREAM, "00 00 01 02 01 00 37 00" },
    { ROP_ID_READ_STREAM, "00 00 00 10" },
    { ROP_ID_WRITE_STREAM, "00 00 02 00 AA BB" },
    { ROP_ID_SEEK_STREAM, "00 00 00 Z8" },
    { ROP_ID_SET_STREAM_SIZE, "00 00 Z8" },
    { ROP_ID_SET_SEARCH_CRITERIA, "00 00 05 00 08 03 00 01 0E 01 00 Z8 Z4" },
    { ROP_ID_GET_SEARCH_CRITERIA, "00 00 00 01 01" },
    { ROP_ID_SUBMIT_MESSAGE, "00 00 00" },
    { ROP_ID_MOVE_COPY_MESSAGES, "00 00 01 01 00 Z8 00 00" },
    { ROP_ID_ABORT_SUBMIT, "00 00 Z8 Z8" },
    { ROP_ID_MOVE_FOLDER, "00 00 01 00 00 Z8 41 00" },
    { ROP_ID_COPY_FOLDER, "00 00 01 00 00 00 Z8 41 00" },
    { ROP_ID_QUERY_COLUMNS_ALL, "00 00" },
    { ROP_ID_ABORT, "00 00" },
    { ROP_ID_COPY_TO, "00 00 01 00 00 00 00 00" },
    { ROP_ID_COPY_TO_STREAM, "00 00 01 Z8" },
    { ROP_ID_CLONE_STREAM, "00 00 01" },
    { ROP_ID_GET_PERMISSIONS_TABLE, "00 00 01 00" },
    { ROP_ID_GET_RULES_TABLE, "00 00 01 00" },
    { ROP_ID_MODIFY_PERMISSIONS, "00 00 00 01 00 01 01 00 14 00 71 66 Z8" },
    { ROP_ID_MODIFY_RULES, "00 00 00 " RULE },
    { ROP_ID_GET_OWNING_SERVERS, "00 00 Z8" },
    { ROP_ID_LONG_TERM_ID_FROM_ID, "00 00 Z8" },
    { ROP_ID_ID_FROM_LONG_TERM_ID, "00 00 Z24" },
    { ROP_ID_PUBLIC_FOLDER_IS_GHOSTED, "00 00 Z8" },
    { ROP_ID_OPEN_EMBEDDED_MESSAGE, "00 00 01 00 00 00" },
    { ROP_ID_SET_SPOOLER, "00 00" },
    { ROP_ID_SPOOLER_LOCK_MESSAGE, "00 00 Z8 00" },
    { ROP_ID_GET_ADDRESS_TYPES, "00 00" },
    { ROP_ID_TRANSPORT_SEND, "00 00" },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_MESSAGES, "00 00 01 01 00 Z8 00 00" },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_FOLDER, "00 00 01 00 00" },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_TO, "00 00 01 00 Z4 00 00 00" },
    { ROP_ID_FAST_TRANSFER_SOURCE_GET_BUFFER, "00 00 00 10" },
    { ROP_ID_FIND_ROW, "00 00 00 05 00 08 03 00 01 0E 00 00 00" },
    { ROP_ID_PROGRESS, "00 00 00" },
    { ROP_ID_TRANSPORT_NEW_MAIL, "00 00 Z8 Z8 49 50 4D 00 Z4" },
    { ROP_ID_GET_VALID_ATTACHMENTS, "00 00" },
    { ROP_ID_FAST_TRANSFER_DESTINATION_CONFIGURE, "00 00 01 00 00" },
    { ROP_ID_FAST_TRANSFER_DESTINATION_PUT_BUFFER, "00 00 01 00 AA" },
    { ROP_ID_GET_NAMES_FROM_PROPERTY_IDS, "00 00 01 00 01 80" },
    { ROP_ID_GET_PROPERTY_IDS_FROM_NAMES,
      "00 00 00 02 00 00 Z16 01 00 00 00 01 Z16 04 41 00 00 00" },
    { ROP_ID_UPDATE_DEFERRED_ACTION_MESSAGES, "00 00 01 00 AA 01 00 BB" },
    { ROP_ID_EMPTY_FOLDER, "00 00 00 00" },
    { ROP_ID_EXPAND_ROW, "00 00 00 00 Z8" },
    { ROP_ID_COLLAPSE_ROW, "00 00 Z8" },
    { ROP_ID_LOCK_REGION_STREAM, "00 00 Z8 Z8 Z4" },
    { ROP_ID_UNLOCK_REGION_STREAM, "00 00 Z8 Z8 Z4" },
    { ROP_ID_COMMIT_STREAM, "00 00" },
    { ROP_ID_GET_STREAM_SIZE, "00 00" },
    { ROP_ID_QUERY_NAMED_PROPERTIES, "00 00 00 01 Z16" },
    { ROP_ID_GET_PER_USER_LONG_TERM_IDS, "00 00 Z16" },
    { ROP_ID_GET_PER_USER_GUID, "00 00 Z24" },
    { ROP_ID_READ_PER_USER_INFORMATION, "00 00 Z24 00 Z4 00 10" },
    /* DataOffset 0 on a (default) private logon: ReplGuid follows. */
    { ROP_ID_WRITE_PER_USER_INFORMATION, "00 00 Z24 01 Z4 01 00 AA Z16" },
    { ROP_ID_SET_READ_FLAGS, "00 00 00 00 01 00 Z8" },
    { ROP_ID_COPY_PROPERTIES, "00 00 01 00 00 00 00" },
    { ROP_ID_GET_RECEIVE_FOLDER_TABLE, "00 00" },
    { ROP_ID_FAST_TRANSFER_SOURCE_COPY_PROPERTIES, "00 00 01 00 00 00 00 00" },
    { ROP_ID_GET_COLLAPSE_STATE, "00 00 Z8 Z4" },
    { ROP_ID_SET_COLLAPSE_STATE, "00 00 01 00 AA" },
    { ROP_ID_GET_TRANSPORT_FOLDER, "00 00" },
    { ROP_ID_OPTIONS_DATA, "00 00 01 45 58 00 00" },
    { ROP_ID_SYNCHRONIZATION_CONFIGURE, "00 00 01 01 00 00 00 00 00 Z4 00 00" },
    { ROP_ID_SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE,
      "00 00 01 00 01 00 03 00 01 0E 00 00 00 00" },
    { ROP_ID_SYNCHRONIZATION_IMPORT_HIERARCHY_CHANGE,
      "00 00 01 00 0B 00 01 10 01 00 00" },
    { ROP_ID_SYNCHRONIZATION_IMPORT_DELETES,
      "00 00 00 01 00 02 11 00 10 01 00 00 00 02 00 AA BB" },
    { ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN, "00 00 Z4 Z4" },
    { ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE,
      "00 00 02 00 00 00 AA BB" },
    { ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_END, "00 00" },
    { ROP_ID_SYNCHRONIZATION_IMPORT_MESSAGE_MOVE,
      "00 00 01 00 00 00 AA 01 00 00 00 AA 01 00 00 00 AA 01 00 00 00 AA "
      "01 00 00 00 AA" },
    { ROP_ID_SET_PROPERTIES_NO_REPLICATE,
      "00 00 0A 00 01 00 03 00 01 0E 05 00 00 00" },
    { ROP_ID_DELETE_PROPERTIES_NO_REPLICATE, "00 00 01 00 03 00 01 0E" },
    { ROP_ID_GET_STORE_STATE, "00 00" },
    { ROP_ID_SYNCHRONIZATION_OPEN_COLLECTOR, "00 00 01 01" },
    { ROP_ID_GET_LOCAL_REPLICA_IDS, "00 00 01 00 00 00" },
    { ROP_ID_SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES,
      "00 00 04 00 01 00 AA 01" },
    { ROP_ID_RESET_TABLE, "00 00" },
    { ROP_ID_SYNCHRONIZATION_GET_TRANSFER_STATE, "00 00 01" },
    { ROP_ID_TELL_VERSION, "00 00 01 00 02 00 03 00" },
    { ROP_ID_FREE_BOOKMARK, "00 00 01 00 AA" },
    { ROP_ID_WRITE_AND_COMMIT_STREAM, "00 00 01 00 AA" },
    { ROP_ID_HARD_DELETE_MESSAGES, "00 00 00 00 01 00 Z8" },
    { ROP_ID_HARD_DELETE_MESSAGES_AND_SUBFOLDERS, "00 00 00 00" },
    { ROP_ID_SET_LOCAL_REPLICA_MIDSET_DELETED, "00 00 34 00 01 00 00 00 Z48" },
    { ROP_ID_FAST_TRANSFER_DESTINATION_PUT_BUFFER_EXTENDED, "00 00 01 00 AA" },
    { ROP_ID_WRITE_STREAM_EXTENDED, "00 00 01 00 AA" },
    { ROP_ID_LOGON, "00 00 01 Z4 Z4 02 00 41 00" },
};
#define N_CASES (sizeof(rop_cases) / sizeof(rop_cases[0]))

static const rop_case *find_case(uint8_t id)
{
    size_t i;

    for (i = 0; i < N_CASES; i++)
        if (rop_cases[i].id == id)
            return &rop_cases[i];
    return NULL;
}

static int parse_body(uint8_t id, const uint8_t *b, size_t n, rop_call *call,
                      size_t *left_r)
{
    const rop_def *def = rop_lookup(id);
    mapi_rd rd;
    int rc;

    memset(call, 0, sizeof(*call));
    call->def = def;
    call->rop_id = id;
    call->ctx = rop_ctx_create(pool, NULL);
    mapi_rd_init(&rd, b, n);
    rc = def->parse(&rd, pool, call);
    if (left_r)
        *left_r = mapi_rd_left(&rd);
    return rc < 0 || rd.failed ? -1 : 0;
}

/* R14, R16: every assigned RopId is known, reserved ones are not, and
 * every client ROP has a test case. */
static void test_ids_covered(void)
{
    unsigned id, known = 0, server_only = 0;

    for (id = 0; id < 256; id++) {
        const rop_def *d = rop_lookup((uint8_t)id);
        if (!d) {
            CU_ASSERT_STRING_EQUAL(rop_name((uint8_t)id), "RopReserved");
            continue;
        }
        known++;
        CU_ASSERT_EQUAL(d->id, id);
        CU_ASSERT_PTR_NOT_NULL(d->name);
        if (d->flags & ROP_F_SERVER_ONLY) {
            server_only++;
            continue;
        }
        CU_ASSERT_PTR_NOT_NULL(d->parse);
        if (!find_case((uint8_t)id))
            fprintf(stderr, "no test case for %s\n", d->name);
        CU_ASSERT_PTR_NOT_NULL(find_case((uint8_t)id));
    }
    CU_ASSERT_EQUAL(known, ROP_ID_COUNT);
    CU_ASSERT_EQUAL(server_only, 4);
    CU_ASSERT_EQUAL(N_CASES, ROP_ID_COUNT - 4);
    CU_ASSERT_STRING_EQUAL(rop_name(ROP_ID_LOGON), "RopLogon");
    CU_ASSERT_PTR_NULL(rop_lookup(0x28));   /* reserved */
}

/* Every minimal request parses and consumes exactly its bytes. */
static void test_minimal_requests_parse(void)
{
    size_t i, n, left;
    uint8_t b[256];
    rop_call call;

    for (i = 0; i < N_CASES; i++) {
        n = hex(rop_cases[i].body, b, sizeof(b));
        if (parse_body(rop_cases[i].id, b, n, &call, &left) < 0 || left)
            fprintf(stderr, "%s: minimal request rejected (left %zu)\n",
                    rop_name(rop_cases[i].id), left);
        CU_ASSERT_EQUAL(parse_body(rop_cases[i].id, b, n, &call, &left), 0);
        CU_ASSERT_EQUAL(left, 0);
    }
}

/* Every strict prefix of every minimal request is rejected cleanly. */
static void test_truncated_requests_fail(void)
{
    size_t i, n, k;
    uint8_t b[256];
    rop_call call;

    for (i = 0; i < N_CASES; i++) {
        n = hex(rop_cases[i].body, b, sizeof(b));
        for (k = 0; k < n; k++) {
            /* A heap copy of exactly k bytes so ASan catches overreads. */
            uint8_t *t = malloc(k ? k : 1);
            memcpy(t, b, k);
            if (parse_body(rop_cases[i].id, t, k, &call, NULL) == 0)
                fprintf(stderr, "%s: prefix of %zu accepted\n",
                        rop_name(rop_cases[i].id), k);
            CU_ASSERT_EQUAL(parse_body(rop_cases[i].id, t, k, &call, NULL), -1);
            free(t);
        }
    }
}

/* The parsers fill their request structs. */
static void test_parsers_fill_structs(void)
{
    uint8_t b[256];
    size_t n;
    rop_call call;
    rop_open_folder_req *of;
    rop_restrict_req *rr;
    rop_modify_recipients_req *mr;
    rop_logon_req *lg;
    rop_get_propids_from_names_req *gn;

    n = hex("07 02 03 EF CD AB 89 67 45 23 01 05", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_OPEN_FOLDER, b, n, &call, NULL), 0);
    of = call.req;
    CU_ASSERT_EQUAL(call.logon_id, 7);
    CU_ASSERT_EQUAL(call.in_handle_index, 2);
    CU_ASSERT_EQUAL(call.out_handle_index, 3);
    CU_ASSERT_EQUAL(of->folder_id, 0x0123456789ABCDEFull);
    CU_ASSERT_EQUAL(of->open_mode_flags, 5);

    n = hex(find_case(ROP_ID_RESTRICT)->body, b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), 0);
    rr = call.req;
    CU_ASSERT_EQUAL(rr->restriction->type, ROP_RES_EXIST);
    CU_ASSERT_EQUAL(rr->restriction->u.exist.tag, 0x0E010003u);

    n = hex(find_case(ROP_ID_MODIFY_RECIPIENTS)->body, b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_MODIFY_RECIPIENTS, b, n, &call, NULL), 0);
    mr = call.req;
    CU_ASSERT_EQUAL(mr->row_count, 1);
    CU_ASSERT_STRING_EQUAL(mr->rows[0].row.display_name, "A");
    CU_ASSERT_EQUAL(mr->rows[0].row.props.count, 1);
    CU_ASSERT_STRING_EQUAL(mr->rows[0].row.props.vals[0].v.str, "B");

    n = hex(find_case(ROP_ID_LOGON)->body, b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_LOGON, b, n, &call, NULL), 0);
    lg = call.req;
    CU_ASSERT_STRING_EQUAL(lg->essdn, "A");
    CU_ASSERT_EQUAL(lg->logon_flags, 1);
    CU_ASSERT_EQUAL(rop_ctx_logon_flags(call.ctx, 0), 1);

    n = hex(find_case(ROP_ID_GET_PROPERTY_IDS_FROM_NAMES)->body, b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_GET_PROPERTY_IDS_FROM_NAMES, b, n,
                               &call, NULL), 0);
    gn = call.req;
    CU_ASSERT_EQUAL(gn->count, 2);
    CU_ASSERT_EQUAL(gn->names[0].lid, 1);
    CU_ASSERT_STRING_EQUAL(gn->names[1].name, "A");
}

/* Every PtypXxx value, single and multi-valued, in RopSetProperties. */
static void test_all_property_types(void)
{
    static const char *vals[] = {
        "01 00 01 00",                         /* Null */
        "02 00 01 00 07 00",                   /* Integer16 */
        "03 00 01 00 Z4", "04 00 01 00 Z4", "0A 00 01 00 Z4",
        "05 00 01 00 Z8", "06 00 01 00 Z8", "07 00 01 00 Z8",
        "14 00 01 00 Z8", "40 00 01 00 Z8",
        "0B 00 01 00 01",                      /* Boolean: 1 byte */
        "1E 00 01 00 61 62 00",                /* String8 */
        "1F 00 01 00 61 00 00 00",             /* String */
        "48 00 01 00 Z16",                     /* Guid */
        "02 01 01 00 02 00 AA BB",             /* Binary */
        "FB 00 01 00 01 00 AA",                /* ServerId */
        "FD 00 01 00 02 08 03 00 01 0E",       /* Restriction */
        "FE 00 01 00 01 00 0A 00 01 Z4 Z4 AA", /* RuleAction */
        "02 10 01 00 02 00 00 00 01 00 02 00",
        "03 10 01 00 01 00 00 00 Z4", "04 10 01 00 01 00 00 00 Z4",
        "05 10 01 00 01 00 00 00 Z8", "06 10 01 00 01 00 00 00 Z8",
        "07 10 01 00 01 00 00 00 Z8", "14 10 01 00 01 00 00 00 Z8",
        "40 10 01 00 01 00 00 00 Z8", "48 10 01 00 01 00 00 00 Z16",
        "1E 10 01 00 02 00 00 00 61 00 00",
        "1F 10 01 00 01 00 00 00 61 00 00 00",
        "02 11 01 00 02 00 00 00 01 00 AA 00 00",
    };
    uint8_t b[256], v[128];
    size_t i, n, vn;
    rop_call call;
    rop_set_props_req *sp;

    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        vn = hex(vals[i], v, sizeof(v));
        n = hex("00 00", b, sizeof(b));
        b[n++] = (uint8_t)(vn + 2);
        b[n++] = 0;
        b[n++] = 1;
        b[n++] = 0;
        memcpy(b + n, v, vn);
        n += vn;
        if (parse_body(ROP_ID_SET_PROPERTIES, b, n, &call, NULL) < 0)
            fprintf(stderr, "property value %s rejected\n", vals[i]);
        CU_ASSERT_EQUAL(parse_body(ROP_ID_SET_PROPERTIES, b, n, &call, NULL), 0);
    }
    sp = call.req;
    CU_ASSERT_EQUAL(sp->values.vals[0].v.mv.count, 2);
    CU_ASSERT_EQUAL(sp->values.vals[0].v.mv.v.bin[0].len, 1);
    /* PtypObject and unknown types cannot appear in a request. */
    n = hex("00 00 08 00 01 00 0D 00 01 00 Z4", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_SET_PROPERTIES, b, n, &call, NULL), -1);
    /* PropertyValueSize must match the values exactly. */
    n = hex("00 00 0B 00 01 00 03 00 01 0E 05 00 00 00 00", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_SET_PROPERTIES, b, n, &call, NULL), -1);
}

/* Every restriction type, nested. */
static void test_all_restriction_types(void)
{
    /* Or( Not(Content), Property, Compare, Bitmask, Size, SubObject(Exist),
     *     Comment(1 value, Exist), Count(Exist) ) */
    const char *res =
        "01 08 00"
        "02 03 00 00 01 00 1F 00 37 00 1F 00 37 00 61 00 00 00"
        "04 04 03 00 01 0E 03 00 01 0E 05 00 00 00"
        "05 04 03 00 01 0E 03 00 02 0E"
        "06 00 03 00 01 0E FF 00 00 00"
        "07 02 03 00 01 0E 10 00 00 00"
        "09 0D 00 12 0E 08 03 00 01 0E"
        "0A 01 03 00 01 0E 05 00 00 00 01 08 03 00 01 0E"
        "0B 05 00 00 00 08 03 00 01 0E";
    uint8_t r[256], b[300];
    size_t rn, n;
    rop_call call;
    rop_restrict_req *rr;

    rn = hex(res, r, sizeof(r));
    n = hex("00 00 00", b, sizeof(b));
    b[n++] = (uint8_t)rn;
    b[n++] = 0;
    memcpy(b + n, r, rn);
    n += rn;
    CU_ASSERT_EQUAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), 0);
    rr = call.req;
    CU_ASSERT_EQUAL(rr->restriction->type, ROP_RES_OR);
    CU_ASSERT_EQUAL(rr->restriction->u.andor.count, 8);
    CU_ASSERT_EQUAL(rr->restriction->u.andor.subs[7].type, ROP_RES_COUNT);
    /* Unknown restriction type. */
    n = hex("00 00 00 01 00 0C", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), -1);
    /* RestrictionDataSize larger than the restriction. */
    n = hex("00 00 00 06 00 08 03 00 01 0E 00", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), -1);
}

/* A Not chain depth deep around an Exist restriction, in RopRestrict. */
static size_t deep_restrict(uint8_t *b, unsigned depth)
{
    size_t n = 0, rn = depth + 5;
    unsigned i;

    b[n++] = 0; b[n++] = 0; b[n++] = 0;
    b[n++] = (uint8_t)rn; b[n++] = (uint8_t)(rn >> 8);
    for (i = 0; i < depth; i++)
        b[n++] = ROP_RES_NOT;
    n += hex("08 03 00 01 0E", b + n, 5);
    return n;
}

static void test_deep_restriction_rejected(void)
{
    uint8_t b[2048];
    size_t n;
    rop_call call;

    n = deep_restrict(b, ROP_MAX_RESTRICTION_DEPTH - 1);
    CU_ASSERT_EQUAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), 0);
    n = deep_restrict(b, ROP_MAX_RESTRICTION_DEPTH);
    CU_ASSERT_EQUAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), -1);
    n = deep_restrict(b, 1500);
    CU_ASSERT_EQUAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), -1);
}

/* MapiMaxRestrictionDepth: the parsed tree's depth, and the Execute's
 * limit on it (the ROP then answers ecTooComplex). */
static void test_restriction_depth_limit(void)
{
    uint8_t b[256];
    size_t n;
    rop_call call;
    rop_restrict_req *rr;
    rop_ctx *ctx = rop_ctx_create(pool, NULL);

    n = deep_restrict(b, 4);               /* Not x4 + Exist: depth 5 */
    CU_ASSERT_EQUAL_FATAL(parse_body(ROP_ID_RESTRICT, b, n, &call, NULL), 0);
    rr = call.req;
    CU_ASSERT_EQUAL(rop_restriction_depth(rr->restriction), 5);
    CU_ASSERT_EQUAL(rop_ctx_restriction_too_deep(ctx, rr->restriction), 0);
    rop_ctx_set_limits(ctx, 0, 0, 5);
    CU_ASSERT_EQUAL(rop_ctx_restriction_too_deep(ctx, rr->restriction), 0);
    CU_ASSERT_EQUAL(rop_ctx_limit_hits(ctx), 0);
    rop_ctx_set_limits(ctx, 0, 0, 4);
    CU_ASSERT_EQUAL(rop_ctx_restriction_too_deep(ctx, rr->restriction), 1);
    CU_ASSERT_EQUAL(rop_ctx_limit_hits(ctx), ROP_LIMIT_RES_DEPTH);
}

/* Declared counts far beyond the bytes present are refused before any
 * allocation (ASan/valgrind would flag a multi-GB request). */
static void test_huge_counts_rejected(void)
{
    static const struct { uint8_t id; const char *body; } bad[] = {
        { ROP_ID_SET_COLUMNS, "00 00 00 FF FF 03 00 01 0E" },
        { ROP_ID_DELETE_MESSAGES, "00 00 00 00 FF FF Z8" },
        { ROP_ID_SORT_TABLE, "00 00 00 FF FF 00 00 00 00 03 00 01 0E 00" },
        { ROP_ID_GET_NAMES_FROM_PROPERTY_IDS, "00 00 FF FF 01 80" },
        { ROP_ID_GET_PROPERTY_IDS_FROM_NAMES, "00 00 00 FF FF 00 Z16 Z4" },
        { ROP_ID_SET_PROPERTIES, "00 00 0C 00 01 00 03 10 01 00 FF FF FF FF Z4" },
        { ROP_ID_SET_PROPERTIES, "00 00 0C 00 01 00 1F 10 01 00 FF FF FF FF Z4" },
        { ROP_ID_SET_PROPERTIES, "00 00 08 00 01 00 02 01 01 00 FF FF" },
        { ROP_ID_RESTRICT, "00 00 00 03 00 00 FF FF" },
        { ROP_ID_MODIFY_RECIPIENTS, "00 00 00 00 FF FF Z4" },
        { ROP_ID_MODIFY_RULES, "00 00 00 FF FF 01 00 00" },
        { ROP_ID_MODIFY_PERMISSIONS, "00 00 00 FF FF 01 00 00" },
        { ROP_ID_SET_LOCAL_REPLICA_MIDSET_DELETED, "00 00 04 00 FF FF FF FF" },
        { ROP_ID_SYNCHRONIZATION_IMPORT_MESSAGE_MOVE, "00 00 FF FF FF FF AA" },
        { ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE,
          "00 00 FF FF FF FF AA" },
        { ROP_ID_WRITE_STREAM, "00 00 FF FF AA" },
        { ROP_ID_LOGON, "00 00 01 Z4 Z4 FF FF 41 00" },
    };
    uint8_t b[256];
    size_t i, n;
    rop_call call;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = hex(bad[i].body, b, sizeof(b));
        CU_ASSERT_EQUAL(parse_body(bad[i].id, b, n, &call, NULL), -1);
    }
}

/* Conditional fields: RopReadStream MaximumByteCount (R3213, R3214),
 * RopRegisterNotification FolderId/MessageId (R4341, R4657) and Reserved
 * (R20005), RopWritePerUserInformation ReplGuid (R521-R523),
 * RopSetMessageReadFlag ClientData (R2094, R2095). */
static void test_conditional_fields(void)
{
    uint8_t b[128];
    size_t n, left;
    rop_call call;
    rop_ctx *ctx = rop_ctx_create(pool, NULL);
    const rop_def *def;
    mapi_rd rd;

    n = hex("00 00 BE BA 00 00 01 00", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_READ_STREAM, b, n, &call, &left), 0);
    CU_ASSERT_EQUAL(left, 0);
    n = hex("00 00 01 02 00 00 Z8 Z8", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_REGISTER_NOTIFICATION, b, n, &call,
                               &left), 0);
    CU_ASSERT_EQUAL(left, 0);
    n = hex("00 00 01 02 04 00 01", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_REGISTER_NOTIFICATION, b, n, &call,
                               &left), 0);
    CU_ASSERT_EQUAL(left, 0);
    /* Non-zero DataOffset: no ReplGuid. */
    n = hex("00 00 Z24 01 01 00 00 00 01 00 AA", b, sizeof(b));
    CU_ASSERT_EQUAL(parse_body(ROP_ID_WRITE_PER_USER_INFORMATION, b, n, &call,
                               &left), 0);
    CU_ASSERT_EQUAL(left, 0);

    /* Public logon (flags 0): no ReplGuid, but ClientData. */
    rop_ctx_set_logon_flags(ctx, 0, 0);
    def = rop_lookup(ROP_ID_WRITE_PER_USER_INFORMATION);
    n = hex("00 00 Z24 01 Z4 01 00 AA", b, sizeof(b));
    memset(&call, 0, sizeof(call));
    call.ctx = ctx;
    mapi_rd_init(&rd, b, n);
    CU_ASSERT_EQUAL(def->parse(&rd, pool, &call), 0);
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
    def = rop_lookup(ROP_ID_SET_MESSAGE_READ_FLAG);
    n = hex("00 01 00 00 Z24", b, sizeof(b));
    memset(&call, 0, sizeof(call));
    call.ctx = ctx;
    mapi_rd_init(&rd, b, n);
    CU_ASSERT_EQUAL(def->parse(&rd, pool, &call), 0);
    CU_ASSERT_EQUAL(mapi_rd_left(&rd), 0);
}

/* ---- engine ------------------------------------------------------- */

/* Builds RopSize + requests + handles. */
static size_t build_in(uint8_t *b, const char *rops, unsigned nhandles)
{
    size_t n = hex(rops, b + 2, 4000) + 2;
    unsigned i;

    b[0] = (uint8_t)n;
    b[1] = (uint8_t)(n >> 8);
    for (i = 0; i < nhandles; i++) {
        b[n++] = (uint8_t)(0x10 + i); b[n++] = 0; b[n++] = 0; b[n++] = 0;
    }
    return n;
}

static rop_status run(const uint8_t *in, size_t n, size_t max_out,
                      rop_result *res)
{
    return rop_execute(rop_ctx_create(pool, NULL), in, n, max_out, pool, res);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* R4550, R4565, R4571: one error response per ROP with the right index;
 * RopRelease answers nothing; the handle table comes back unchanged. */
static void test_multi_rop_buffer(void)
{
    uint8_t in[256];
    const uint8_t *o;
    rop_result res;
    size_t n;

    n = build_in(in, "02 00 00 01 Z8 00"      /* OpenFolder 0 -> 1 */
                     "05 00 01 02 00"         /* GetContentsTable 1 -> 2 */
                     "01 00 02"               /* Release 2 */
                     "15 00 02 00 01 0A 00"   /* QueryRows on 2 */
                     "0C 00 01 02 00"         /* SaveChangesMessage resp 1 */
                     "1E 00 02 00 00 00 00",  /* DeleteMessages: +Partial */
                 3);
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.rops_in, 6);
    CU_ASSERT_EQUAL(res.rops_done, 5);
    CU_ASSERT_EQUAL(res.n_rop_ids, 6);
    CU_ASSERT_EQUAL(res.rop_ids[2], ROP_ID_RELEASE);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_NONE);
    o = res.out;
    CU_ASSERT_EQUAL(res.out_len, 2 + 4 * 6 + 7 + 12);
    CU_ASSERT_EQUAL(get16(o), 2 + 4 * 6 + 7);
    CU_ASSERT_EQUAL(o[2], 0x02);  CU_ASSERT_EQUAL(o[3], 1);
    CU_ASSERT_EQUAL(get32(o + 4), ROP_EC_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(o[8], 0x05);  CU_ASSERT_EQUAL(o[9], 2);
    CU_ASSERT_EQUAL(o[14], 0x15); CU_ASSERT_EQUAL(o[15], 2);
    CU_ASSERT_EQUAL(o[20], 0x0C); CU_ASSERT_EQUAL(o[21], 1);
    CU_ASSERT_EQUAL(o[26], 0x1E); CU_ASSERT_EQUAL(o[27], 2);
    CU_ASSERT_EQUAL(get32(o + 28), ROP_EC_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(o[32], 0);    /* PartialCompletion */
    CU_ASSERT_EQUAL(get32(o + 33), 0x10);
    CU_ASSERT_EQUAL(get32(o + 41), 0x12);
}

/* MapiMaxRopsPerRequest: a longer RopsList is refused before any ROP
 * runs; at the limit it is walked as usual. */
static void test_rops_per_request_limit(void)
{
    uint8_t in[64];
    rop_result res;
    rop_ctx *ctx;
    size_t n = build_in(in, "01 00 00 01 00 00 01 00 00", 1);

    ctx = rop_ctx_create(pool, NULL);
    rop_ctx_set_limits(ctx, 2, 0, 0);
    CU_ASSERT_EQUAL(rop_execute(ctx, in, n, 4096, pool, &res),
                    ROP_ERR_TOO_MANY_ROPS);
    CU_ASSERT_EQUAL(res.rops_in, 0);
    ctx = rop_ctx_create(pool, NULL);
    rop_ctx_set_limits(ctx, 3, 0, 0);
    CU_ASSERT_EQUAL(rop_execute(ctx, in, n, 4096, pool, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.rops_in, 3);
}

/* R4571, R4572: RopRelease alone produces an empty RopsList. */
static void test_release_no_response(void)
{
    uint8_t in[64];
    rop_result res;
    size_t n = build_in(in, "01 00 00 01 00 05", 1);

    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.rops_in, 2);
    CU_ASSERT_EQUAL(res.rops_done, 0);
    CU_ASSERT_EQUAL(res.out_len, 2 + 4);
    CU_ASSERT_EQUAL(get16(res.out), 2);
}

/* R7, R4673, R4675: RopSize bounds and the handle table size. */
static void test_framing_rejected(void)
{
    uint8_t in[64];
    rop_result res;
    size_t n = build_in(in, "01 00 00", 1);

    CU_ASSERT_EQUAL(run(in, 1, 4096, &res), ROP_ERR_FORMAT);
    CU_ASSERT_EQUAL(run(NULL, 0, 4096, &res), ROP_ERR_FORMAT);
    in[0] = 1; in[1] = 0;                     /* RopSize < 2 */
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_ERR_FORMAT);
    in[0] = (uint8_t)(n + 1);                 /* RopSize > payload */
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_ERR_FORMAT);
    in[0] = 5;
    CU_ASSERT_EQUAL(run(in, n - 1, 4096, &res), ROP_ERR_FORMAT);  /* odd */
    CU_ASSERT_EQUAL(run(in, n - 2, 4096, &res), ROP_ERR_FORMAT);
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.out_len, 2 + 4);
    /* RopSize 2: no ROPs at all is fine. */
    in[0] = 2;
    CU_ASSERT_EQUAL(run(in, 2, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.out_len, 2);
}

static void test_too_many_handles(void)
{
    size_t n = 2 + 4 * (ROP_MAX_HANDLES + 1);
    uint8_t *in = calloc(1, n);
    rop_result res;

    in[0] = 2;
    CU_ASSERT_EQUAL(run(in, n, 1 << 20, &res), ROP_ERR_FORMAT);
    CU_ASSERT_EQUAL(run(in, n - 4, 1 << 20, &res), ROP_OK);
    free(in);
}

/* 2.2.15.1, R4517, R4545, R454502: a response that does not fit is
 * replaced by RopBufferTooSmall carrying the unprocessed requests. */
static void test_buffer_too_small(void)
{
    uint8_t in[64];
    rop_result res;
    /* RopQueryPosition (6-byte answer), then RopCopyToStream whose 22-byte
     * failure response is larger than its 12-byte request. */
    size_t n = build_in(in, "17 00 00" "3A 00 00 00 Z8", 1);

    /* Room for RopSize, the first response, RopBufferTooSmall (3 + 12),
     * the table, but not for the 22-byte response. */
    CU_ASSERT_EQUAL(run(in, n, 2 + 6 + 15 + 4, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_BUFFER_TOO_SMALL);
    CU_ASSERT_EQUAL(res.stop_rop_id, 0x3A);
    CU_ASSERT_EQUAL(res.out_len, 2 + 6 + 15 + 4);
    CU_ASSERT_EQUAL(res.out[2], 0x17);
    CU_ASSERT_EQUAL(res.out[8], 0xFF);
    CU_ASSERT_EQUAL(get16(res.out + 9), 2 + 22 + 4);   /* SizeNeeded */
    CU_ASSERT_EQUAL(memcmp(res.out + 11, in + 5, 12), 0);
    CU_ASSERT_EQUAL(get32(res.out + 23), 0x10);
    /* With one byte more of room the response itself fits. */
    CU_ASSERT_EQUAL(run(in, n, 2 + 6 + 22 + 4, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_NONE);
    CU_ASSERT_EQUAL(res.out[8], 0x3A);

    /* Not even RopBufferTooSmall fits after the first response. */
    CU_ASSERT_EQUAL(run(in, n, 2 + 6 + 4 + 14, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_NO_ROOM);
    CU_ASSERT_EQUAL(res.rops_done, 1);
    CU_ASSERT_EQUAL(res.out_len, 2 + 6 + 4);

    /* R4546: nothing fits at all. */
    CU_ASSERT_EQUAL(run(in, n, 2 + 4 + 3, &res), ROP_ERR_TOO_SMALL);
    CU_ASSERT_EQUAL(run(in, n, 3, &res), ROP_ERR_TOO_SMALL);
}

/* R16-R18, R4551: unknown, server-only or malformed requests stop the walk;
 * earlier responses are kept. */
static void test_stop_conditions(void)
{
    uint8_t in[64];
    rop_result res;
    size_t n;

    n = build_in(in, "17 00 00" "28 00 00" "17 00 00", 1);
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_UNKNOWN_ID);
    CU_ASSERT_EQUAL(res.stop_rop_id, 0x28);
    CU_ASSERT_EQUAL(res.rops_done, 1);
    CU_ASSERT_EQUAL(res.out_len, 2 + 6 + 4);

    n = build_in(in, "17 00 00" "2A 00 00", 1);
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_SERVER_ONLY);
    n = build_in(in, "17 00 00" "FF 00 00", 1);
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_SERVER_ONLY);

    n = build_in(in, "17 00 00" "12 00 00 00 05 00", 1);   /* short SetColumns */
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_MALFORMED);
    CU_ASSERT_EQUAL(res.rops_in, 1);
    CU_ASSERT_EQUAL(res.rops_done, 1);
}

/* R4712: an index outside the handle table fails the ROP with ecNullObject;
 * a bad destination index uses the null destination form. */
static void test_bad_handle_index(void)
{
    uint8_t in[64];
    rop_result res;
    size_t n;

    n = build_in(in, "17 00 05" "02 00 00 07 Z8 00" "33 00 00 09 00 00 00 00", 2);
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.rops_done, 3);
    CU_ASSERT_EQUAL(res.out[2], 0x17); CU_ASSERT_EQUAL(res.out[3], 5);
    CU_ASSERT_EQUAL(get32(res.out + 4), ROP_EC_NULL_OBJECT);
    CU_ASSERT_EQUAL(res.out[8], 0x02); CU_ASSERT_EQUAL(res.out[9], 7);
    CU_ASSERT_EQUAL(get32(res.out + 10), ROP_EC_NULL_OBJECT);
    CU_ASSERT_EQUAL(res.out[14], 0x33); CU_ASSERT_EQUAL(res.out[15], 0);
    CU_ASSERT_EQUAL(get32(res.out + 16), ROP_EC_DST_NULL_OBJECT);
    CU_ASSERT_EQUAL(get32(res.out + 20), 9);
    CU_ASSERT_EQUAL(res.out[24], 0);   /* PartialCompletion */
    CU_ASSERT_EQUAL(get16(res.out), 2 + 6 + 6 + 11);
}

/* The logon flags a RopLogon asks for decide the layout of later requests
 * in the same buffer (R521: ReplGuid only on private logons). */
static void test_logon_flags_carry(void)
{
    uint8_t in[128];
    rop_result res;
    size_t n;

    n = build_in(in, "FE 03 00 00 Z4 Z4 00 00"            /* public logon 3 */
                     "64 03 00 Z24 01 Z4 01 00 AA"        /* no ReplGuid */
                     "17 03 00", 1);
    CU_ASSERT_EQUAL(run(in, n, 4096, &res), ROP_OK);
    CU_ASSERT_EQUAL(res.stop, ROP_STOP_NONE);
    CU_ASSERT_EQUAL(res.rops_done, 3);
    CU_ASSERT_EQUAL(res.out[2], 0xFE);
    CU_ASSERT_EQUAL(res.out[3], 0);    /* OutputHandleIndex */
}

/* Every minimal request, run through rop_execute, gets exactly one error
 * response (RopRelease none). */
static void test_every_rop_answers(void)
{
    uint8_t in[512];
    size_t i, n, body;
    rop_result res;

    for (i = 0; i < N_CASES; i++) {
        in[2] = rop_cases[i].id;
        body = hex(rop_cases[i].body, in + 3, sizeof(in) - 3);
        n = 3 + body;
        in[0] = (uint8_t)n;
        in[1] = 0;
        memset(in + n, 0, 8);
        CU_ASSERT_EQUAL(run(in, n + 8, 4096, &res), ROP_OK);
        CU_ASSERT_EQUAL(res.stop, ROP_STOP_NONE);
        CU_ASSERT_EQUAL(res.rops_in, 1);
        if (rop_cases[i].id == ROP_ID_RELEASE) {
            CU_ASSERT_EQUAL(res.out_len, 2 + 8);
            continue;
        }
        CU_ASSERT_EQUAL(res.rops_done, 1);
        CU_ASSERT_EQUAL(res.out[2], rop_cases[i].id);
        CU_ASSERT_EQUAL(get32(res.out + 4), ROP_EC_NOT_SUPPORTED);
        CU_ASSERT_EQUAL(get16(res.out),
                        2 + 6 + rop_lookup(rop_cases[i].id)->err_tail);
    }
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("rop", NULL, NULL);
    CU_add_test(s, "MS-OXCROPS R14 R16 every RopId known", test_ids_covered);
    CU_add_test(s, "minimal request of every ROP parses exactly",
                test_minimal_requests_parse);
    CU_add_test(s, "truncated requests fail cleanly",
                test_truncated_requests_fail);
    CU_add_test(s, "parsers fill request structs", test_parsers_fill_structs);
    CU_add_test(s, "every property type", test_all_property_types);
    CU_add_test(s, "every restriction type", test_all_restriction_types);
    CU_add_test(s, "deep restriction rejected",
                test_deep_restriction_rejected);
    CU_add_test(s, "huge declared counts rejected", test_huge_counts_rejected);
    CU_add_test(s, "MapiMaxRestrictionDepth", test_restriction_depth_limit);
    CU_add_test(s, "MapiMaxRopsPerRequest", test_rops_per_request_limit);
    CU_add_test(s, "MS-OXCROPS R3213 R4341 R20005 R521 R2094 conditional "
                "fields", test_conditional_fields);
    CU_add_test(s, "MS-OXCROPS R4550 R4565 multi-ROP buffer",
                test_multi_rop_buffer);
    CU_add_test(s, "MS-OXCROPS R4571 RopRelease no response",
                test_release_no_response);
    CU_add_test(s, "MS-OXCROPS R7 R4675 framing", test_framing_rejected);
    CU_add_test(s, "handle table limit", test_too_many_handles);
    CU_add_test(s, "MS-OXCROPS R4445 R4517 RopBufferTooSmall",
                test_buffer_too_small);
    CU_add_test(s, "MS-OXCROPS R18 R4551 stop conditions",
                test_stop_conditions);
    CU_add_test(s, "MS-OXCROPS R4712 bad handle index", test_bad_handle_index);
    CU_add_test(s, "MS-OXCROPS R521 logon flags carry",
                test_logon_flags_carry);
    CU_add_test(s, "every ROP answers ecNotSupported", test_every_rop_answers);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    apr_pool_destroy(pool);
    apr_terminate();
    return failures ? 1 : 0;
}
