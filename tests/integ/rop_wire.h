/*
 * rop_wire.h: the ROP level of the test client, without any transport:
 * builds ROP request lists ([MS-OXCROPS] 2.2) and reads ROP response
 * lists into plain structs.  rop_client.h puts it on the wire through
 * mh_client's Execute.  Kept free of libcurl so that the unit tests
 * (tests/unit/test_rop_client.c) link it with libmapicore.a alone.
 *
 * Byte order is little-endian throughout ([MS-OXCROPS] R3).
 *
 * Memory: everything is allocated from the APR pool given to
 * rc_buf_init() / rc_resp_init(); nothing needs freeing on its own.
 *
 * Errors: builders never fail loudly; a write that does not fit (RopsList
 * past 32 KiB, bad UTF-8) makes the buffer failed (rc_buf_failed()), and
 * rc_execute() refuses to send it.  Response parsers return 0 when a
 * response of the expected ROP was read (look at h.rv: the failure forms
 * are parsed too) and -1 when the bytes do not fit the layout; the cursor
 * then keeps a message (rc_resp_error()) and stays failed.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef ROP_WIRE_H
#define ROP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

#include "wire/mapi_rd.h"

/* ----------------------------------------------------------- RopIds -- */
/* [MS-OXCROPS] 2.2.2 (R14: one byte). */
enum {
    RC_ROP_RELEASE = 0x01, RC_ROP_OPEN_FOLDER = 0x02,
    RC_ROP_OPEN_MESSAGE = 0x03, RC_ROP_GET_HIERARCHY_TABLE = 0x04,
    RC_ROP_GET_CONTENTS_TABLE = 0x05, RC_ROP_CREATE_MESSAGE = 0x06,
    RC_ROP_GET_PROPS_SPECIFIC = 0x07, RC_ROP_GET_PROPS_ALL = 0x08,
    RC_ROP_GET_PROPS_LIST = 0x09, RC_ROP_SET_PROPS = 0x0A,
    RC_ROP_DELETE_PROPS = 0x0B, RC_ROP_SAVE_CHANGES_MESSAGE = 0x0C,
    RC_ROP_REMOVE_ALL_RECIPIENTS = 0x0D, RC_ROP_MODIFY_RECIPIENTS = 0x0E,
    RC_ROP_READ_RECIPIENTS = 0x0F, RC_ROP_SET_MESSAGE_READ_FLAG = 0x11,
    RC_ROP_SET_COLUMNS = 0x12, RC_ROP_SORT_TABLE = 0x13,
    RC_ROP_RESTRICT = 0x14, RC_ROP_QUERY_ROWS = 0x15,
    RC_ROP_QUERY_POSITION = 0x17, RC_ROP_SEEK_ROW = 0x18,
    RC_ROP_SEEK_ROW_BOOKMARK = 0x19, RC_ROP_CREATE_BOOKMARK = 0x1B,
    RC_ROP_CREATE_FOLDER = 0x1C, RC_ROP_DELETE_FOLDER = 0x1D,
    RC_ROP_DELETE_MESSAGES = 0x1E, RC_ROP_GET_ATTACHMENT_TABLE = 0x21,
    RC_ROP_OPEN_ATTACHMENT = 0x22, RC_ROP_CREATE_ATTACHMENT = 0x23,
    RC_ROP_DELETE_ATTACHMENT = 0x24, RC_ROP_SAVE_CHANGES_ATTACHMENT = 0x25,
    RC_ROP_GET_RECEIVE_FOLDER = 0x27, RC_ROP_REGISTER_NOTIFICATION = 0x29,
    RC_ROP_NOTIFY = 0x2A, RC_ROP_OPEN_STREAM = 0x2B,
    RC_ROP_READ_STREAM = 0x2C, RC_ROP_WRITE_STREAM = 0x2D,
    RC_ROP_SEEK_STREAM = 0x2E, RC_ROP_SET_STREAM_SIZE = 0x2F,
    RC_ROP_MOVE_COPY_MESSAGES = 0x33, RC_ROP_MOVE_FOLDER = 0x35,
    RC_ROP_COPY_FOLDER = 0x36, RC_ROP_QUERY_COLUMNS_ALL = 0x37,
    RC_ROP_GET_OWNING_SERVERS = 0x42, RC_ROP_LONG_TERM_ID_FROM_ID = 0x43,
    RC_ROP_ID_FROM_LONG_TERM_ID = 0x44, RC_ROP_OPEN_EMBEDDED_MESSAGE = 0x46,
    RC_ROP_FIND_ROW = 0x4F, RC_ROP_GET_NAMES_FROM_IDS = 0x55,
    RC_ROP_GET_IDS_FROM_NAMES = 0x56, RC_ROP_EMPTY_FOLDER = 0x58,
    RC_ROP_COMMIT_STREAM = 0x5D, RC_ROP_GET_STREAM_SIZE = 0x5E,
    RC_ROP_GET_PER_USER_LTIDS = 0x60, RC_ROP_GET_PER_USER_GUID = 0x61,
    RC_ROP_GET_RECEIVE_FOLDER_TABLE = 0x68, RC_ROP_PENDING = 0x6E,
    RC_ROP_GET_STORE_STATE = 0x7B, RC_ROP_RESET_TABLE = 0x81,
    RC_ROP_FREE_BOOKMARK = 0x89, RC_ROP_HARD_DELETE_MESSAGES = 0x91,
    RC_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS = 0x92,
    RC_ROP_SET_RECEIVE_FOLDER = 0x26, RC_ROP_GET_ADDRESS_TYPES = 0x49,
    RC_ROP_SET_READ_FLAGS = 0x66,
    RC_ROP_BACKOFF = 0xF9, RC_ROP_LOGON = 0xFE, RC_ROP_BUFFER_TOO_SMALL = 0xFF
};

/* ------------------------------------------------ return values -- */
#define RC_EC_SUCCESS          0x00000000u
#define RC_EC_UNKNOWN_USER     0x000003EBu   /* [MS-OXCSTOR] R173 */
#define RC_EC_PROFILE_NOT_CONFIGURED 0x0000011Cu   /* [MS-OXCSTOR] R185 */
#define RC_EC_LOGIN_PERM       0x000003F2u   /* [MS-OXCSTOR] R189 */
#define RC_EC_WRONG_SERVER     0x00000478u   /* [MS-OXCSTOR] R182 */
#define RC_EC_DST_NULL_OBJECT  0x00000503u
#define RC_EC_NOT_SUPPORTED    0x80040102u
#define RC_EC_NOT_FOUND        0x8004010Fu
#define RC_EC_ACCESS_DENIED    0x80070005u
#define RC_EC_INVALID_PARAM    0x80070057u
#define RC_EC_NULL_OBJECT      0x000004B9u
#define RC_EC_RPC_FORMAT       0x000004B6u
#define RC_EC_DUPLICATE_NAME   0x80040604u
#define RC_EC_NOT_INITIALIZED  0x80040605u

/* ------------------------------------------------ property types -- */
/* [MS-OXCDATA] 2.11.1 */
#define RC_PT_UNSPECIFIED 0x0000
#define RC_PT_NULL        0x0001
#define RC_PT_I2          0x0002
#define RC_PT_LONG        0x0003
#define RC_PT_FLOAT       0x0004
#define RC_PT_DOUBLE      0x0005
#define RC_PT_CURRENCY    0x0006
#define RC_PT_APPTIME     0x0007
#define RC_PT_ERROR       0x000A
#define RC_PT_BOOLEAN     0x000B
#define RC_PT_OBJECT      0x000D
#define RC_PT_I8          0x0014
#define RC_PT_STRING8     0x001E
#define RC_PT_UNICODE     0x001F
#define RC_PT_SYSTIME     0x0040
#define RC_PT_CLSID       0x0048
#define RC_PT_SVREID      0x00FB
#define RC_PT_ACTIONS     0x00FE   /* PtypRuleAction: read as its bytes */
#define RC_PT_BINARY      0x0102
#define RC_PT_MV          0x1000
#define RC_PT_MV_INSTANCE 0x2000
#define RC_PT_MV_LONG     (RC_PT_MV | RC_PT_LONG)
#define RC_PT_MV_UNICODE  (RC_PT_MV | RC_PT_UNICODE)
#define RC_PT_MV_BINARY   (RC_PT_MV | RC_PT_BINARY)

#define RC_PROP_TYPE(tag)    ((uint16_t)((tag) & 0xFFFFu))
#define RC_PROP_ID(tag)      ((uint16_t)((tag) >> 16))
#define RC_PROP_TAG(id, ty)  ((((uint32_t)(id)) << 16) | (uint32_t)(ty))

/* Tags the tests use most. */
#define RC_TAG_DISPLAY_NAME      0x3001001Fu   /* PidTagDisplayName */
#define RC_TAG_COMMENT           0x3004001Fu
#define RC_TAG_FOLDER_ID         0x67480014u   /* PidTagFolderId */
#define RC_TAG_MID               0x674A0014u   /* PidTagMid */
#define RC_TAG_PARENT_FOLDER_ID  0x67490014u
#define RC_TAG_CONTENT_COUNT     0x36020003u
#define RC_TAG_CONTENT_UNREAD    0x36030003u
#define RC_TAG_SUBFOLDERS        0x360A000Bu
#define RC_TAG_FOLDER_TYPE       0x36010003u
#define RC_TAG_CONTAINER_CLASS   0x3613001Fu
#define RC_TAG_MESSAGE_CLASS     0x001A001Fu
#define RC_TAG_MESSAGE_CLASS8    0x001A001Eu
#define RC_TAG_SUBJECT           0x0037001Fu
#define RC_TAG_NORMALIZED_SUBJECT 0x0E1D001Fu
#define RC_TAG_BODY              0x1000001Fu
#define RC_TAG_MESSAGE_FLAGS     0x0E070003u
#define RC_TAG_MESSAGE_SIZE      0x0E080003u
#define RC_TAG_IMPORTANCE        0x00170003u
#define RC_TAG_LAST_MODIFICATION 0x30080040u
#define RC_TAG_CREATION_TIME     0x30070040u
#define RC_TAG_ENTRY_ID          0x0FFF0102u
#define RC_TAG_RECORD_KEY        0x0FF90102u
#define RC_TAG_INSTANCE_KEY      0x0FF60102u
#define RC_TAG_EMAIL_ADDRESS     0x3003001Fu
#define RC_TAG_ADDRTYPE          0x3002001Fu
#define RC_TAG_RECIPIENT_TYPE    0x0C150003u
#define RC_TAG_ROWID             0x30000003u
#define RC_TAG_ATTACH_NUM        0x0E210003u
#define RC_TAG_ATTACH_DATA_BIN   0x37010102u
#define RC_TAG_ATTACH_LONG_FILENAME 0x3707001Fu
#define RC_TAG_ATTACH_METHOD     0x37050003u

/* ------------------------------------------------ logon constants -- */
/* [MS-OXCSTOR] 2.2.1.1.1 (R67, R68) */
#define RC_LOGON_PRIVATE             0x01
#define RC_OPEN_USE_ADMIN_PRIVILEGE  0x00000001u
#define RC_OPEN_HOME_LOGON           0x00000004u
#define RC_OPEN_TAKE_OWNERSHIP       0x00000008u
#define RC_OPEN_NO_MAIL              0x00000400u
#define RC_OPEN_USE_PER_MDB_REPLID   0x01000000u
/* What the convenience logon sends for a private mailbox. */
#define RC_OPEN_DEFAULT_PRIVATE                                           \
    (RC_OPEN_HOME_LOGON | RC_OPEN_TAKE_OWNERSHIP | RC_OPEN_NO_MAIL       \
     | RC_OPEN_USE_PER_MDB_REPLID)

/* FolderIds of the private success response, in order
 * ([MS-OXCSTOR] 2.2.1.1.3). */
enum {
    RC_FID_ROOT = 0, RC_FID_DEFERRED_ACTION, RC_FID_SPOOLER_QUEUE,
    RC_FID_IPM_SUBTREE, RC_FID_INBOX, RC_FID_OUTBOX, RC_FID_SENT_ITEMS,
    RC_FID_DELETED_ITEMS, RC_FID_COMMON_VIEWS, RC_FID_SCHEDULE,
    RC_FID_SEARCH, RC_FID_VIEWS, RC_FID_SHORTCUTS, RC_FID_COUNT
};

/* ------------------------------------------------ decoded values -- */

typedef struct rc_bin {
    const uint8_t *data;
    size_t len;
} rc_bin;

/* One property value, encoded by the builders and decoded by the
 * readers.  For PtypString the string is UTF-8 (converted from/to
 * UTF-16LE on the wire); for PtypString8 the bytes as they are. */
typedef struct rc_prop {
    uint32_t tag;
    uint16_t type;       /* the type of the value (an error: RC_PT_ERROR) */
    uint8_t flag;        /* FlaggedPropertyValue: 0 value, 1 absent,
                            0x0A PtypErrorCode ([MS-OXCDATA] 2.11.5) */
    union {
        uint8_t b;               /* PtypBoolean */
        uint16_t i16;            /* PtypInteger16 */
        uint32_t u32;            /* PtypInteger32, ErrorCode, Float32 bits */
        uint64_t u64;            /* PtypInteger64, PtypTime, PtypCurrency,
                                    Floating64/FloatingTime bits */
        const char *str;         /* PtypString (UTF-8), PtypString8 */
        rc_bin bin;              /* PtypBinary, PtypServerId, PtypGuid */
        struct {
            uint32_t count;
            uint16_t *i16;
            uint32_t *u32;       /* MultipleInteger32 / Floating32 */
            uint64_t *u64;       /* MultipleInteger64 / Time / ... */
            const char **str;    /* MultipleString / String8 */
            rc_bin *bin;         /* MultipleBinary / Guid */
        } mv;
    } v;
} rc_prop;

/* A PropertyRow ([MS-OXCDATA] 2.8.1) decoded against its columns. */
typedef struct rc_row {
    uint8_t flagged;     /* 0 StandardPropertyRow, 1 FlaggedPropertyRow */
    size_t n;
    rc_prop *props;      /* props[i].tag = the i-th column */
} rc_row;

/* The value of tag in row (by full tag, or by id when the column's type
 * differs, e.g. an error), or NULL. */
const rc_prop *rc_row_find(const rc_row *row, uint32_t tag);
/* Convenience: the string / u32 / u64 of a column, or the fallback when
 * absent, an error, or of another type. */
const char *rc_row_str(const rc_row *row, uint32_t tag);
uint32_t rc_row_u32(const rc_row *row, uint32_t tag, uint32_t dflt);
uint64_t rc_row_u64(const rc_row *row, uint32_t tag, uint64_t dflt);

/* Value constructors for the builders (strings are not copied). */
rc_prop rc_pv_i32(uint32_t tag, uint32_t v);
rc_prop rc_pv_bool(uint32_t tag, int v);
rc_prop rc_pv_i64(uint32_t tag, uint64_t v);    /* also PtypTime */
rc_prop rc_pv_str(uint32_t tag, const char *s); /* String or String8 */
rc_prop rc_pv_bin(uint32_t tag, const void *data, size_t len);
rc_prop rc_pv_mv_str(uint32_t tag, const char **s, uint32_t n);
rc_prop rc_pv_mv_bin(uint32_t tag, const rc_bin *b, uint32_t n);
rc_prop rc_pv_mv_i32(uint32_t tag, const uint32_t *v, uint32_t n);

/* 100-ns intervals since 1601 (PtypTime) from Unix seconds and back. */
uint64_t rc_filetime_from_unix(int64_t secs);
int64_t rc_filetime_to_unix(uint64_t ft);

/* A LongTermID ([MS-OXCDATA] 2.2.1.3.1). */
typedef struct rc_ltid {
    uint8_t guid[16];
    uint8_t counter[6];
    uint16_t pad;
} rc_ltid;

/* A PropertyName ([MS-OXCDATA] 2.6.1). kind 0 MNID_ID, 1 MNID_STRING,
 * 0xFF none, nothing after Kind (GetNamesFromPropertyIds, [MS-OXCPRPT]
 * R523, R524). */
typedef struct rc_propname {
    uint8_t kind;
    uint8_t guid[16];
    uint32_t lid;
    const char *name;    /* UTF-8 */
} rc_propname;

/* A sort order ([MS-OXCDATA] 2.13.1): order 0 ascending, 1 descending,
 * 4 maximum category. */
typedef struct rc_sort {
    uint32_t tag;
    uint8_t order;
} rc_sort;

/* A RecipientRow ([MS-OXCDATA] 2.8.3) with the fields of the
 * OpenRecipientRow / ReadRecipientRow around it. */
#define RC_RECIP_TYPE_MASK 0x0007
#define RC_RECIP_X500DN    0x0001
#define RC_RECIP_SMTP      0x0003
#define RC_RECIP_E         0x0008   /* EmailAddress present */
#define RC_RECIP_D         0x0010   /* DisplayName present */
#define RC_RECIP_T         0x0020   /* TransmittableDisplayName present */
#define RC_RECIP_S         0x0040   /* SendNoRichInfo */
#define RC_RECIP_R         0x0080   /* Reserved */
#define RC_RECIP_N         0x0100   /* transmittable name same as display */
#define RC_RECIP_U         0x0200   /* strings are UTF-16LE */
#define RC_RECIP_I         0x0400   /* SimpleDisplayName present */
#define RC_RECIP_O         0x8000   /* AddressType present (type NoType) */

typedef struct rc_recipient {
    uint32_t row_id;             /* ReadRecipients / ModifyRecipients */
    uint8_t recipient_type;      /* 1 To, 2 Cc, 3 Bcc */
    uint16_t code_page;
    uint16_t flags;              /* RecipientFlags; builders: the type bits,
                                    S and U; presence bits are derived */
    uint8_t addr_prefix_used, display_type;      /* X500DN only */
    const char *x500dn;
    rc_bin entry_id, search_key;                 /* types 6/7 only */
    const char *address_type, *email, *display_name, *simple_display_name,
               *transmittable_display_name;
    rc_row props;                /* RecipientProperties over the first
                                    props.n RecipientColumns */
} rc_recipient;

/* --------------------------------------------------------- builder -- */

#define RC_MAX_HANDLES 255
#define RC_NO_HANDLE   0xFFFFFFFFu

typedef struct rc_buf {
    apr_pool_t *pool;
    mapi_wr wr;                      /* the RopsList */
    uint32_t handles[RC_MAX_HANDLES];    /* ServerObjectHandleTable */
    size_t n_handles;                /* entries sent: highest set + 1, >= 1 */
    unsigned n_rops;
    int failed;                      /* an index out of range, or wr.failed */
} rc_buf;

/* An empty request: no ROPs, every handle slot 0xFFFFFFFF. */
void rc_buf_init(rc_buf *b, apr_pool_t *pool);
int rc_buf_failed(const rc_buf *b);
/* Sets slot idx of the handle table (growing n_handles to idx + 1). */
void rc_buf_handle(rc_buf *b, unsigned idx, uint32_t handle);
/* Ensures the table has at least n slots (new ones 0xFFFFFFFF). */
void rc_buf_handles_min(rc_buf *b, unsigned n);

void rc_u8(rc_buf *b, uint8_t v);
void rc_u16(rc_buf *b, uint16_t v);
void rc_u32(rc_buf *b, uint32_t v);
void rc_u64(rc_buf *b, uint64_t v);
void rc_bytes(rc_buf *b, const void *data, size_t n);
void rc_str8(rc_buf *b, const char *s);     /* with its NUL */
void rc_str16(rc_buf *b, const char *s);    /* UTF-8 in, UTF-16LE + NUL out */
/* PropertyTagCount (u16) then the tags. */
void rc_tags(rc_buf *b, const uint32_t *tags, size_t n);
/* A PropertyValue (no tag) of type type ([MS-OXCDATA] 2.11.2.1). */
void rc_value(rc_buf *b, uint16_t type, const rc_prop *v);
/* A TaggedPropertyValue: tag then value of the tag's type. */
void rc_tagged(rc_buf *b, const rc_prop *v);
/* A StandardPropertyRow of vals over their own tags. */
void rc_std_row(rc_buf *b, const rc_prop *vals, size_t n);
/* A PropertyName ([MS-OXCDATA] 2.6.1). */
void rc_propname_wr(rc_buf *b, const rc_propname *n);
/* A RecipientRow (not the wrapper fields): flags from r (type, S, U) plus
 * presence bits for the strings set; then r->props as a standard row. */
void rc_recipient_row(rc_buf *b, const rc_recipient *r);

/* Restrictions ([MS-OXCDATA] 2.12) into a scratch rc_buf. */
void rc_restr_and_or(rc_buf *b, int is_or, uint16_t n_children);
void rc_restr_not(rc_buf *b);                /* then the child */
void rc_restr_content(rc_buf *b, uint32_t fuzzy, uint32_t tag,
                      const rc_prop *v);
void rc_restr_property(rc_buf *b, uint8_t relop, uint32_t tag,
                       const rc_prop *v);
void rc_restr_exist(rc_buf *b, uint32_t tag);
void rc_restr_bitmask(rc_buf *b, int bmr_nez, uint32_t tag, uint32_t mask);
#define RC_RELOP_LT 0
#define RC_RELOP_LE 1
#define RC_RELOP_GT 2
#define RC_RELOP_GE 3
#define RC_RELOP_EQ 4
#define RC_RELOP_NE 5
#define RC_FL_SUBSTRING  0x00000001u
#define RC_FL_PREFIX     0x00000002u
#define RC_FL_IGNORECASE 0x00010000u

/* The request buffers of [MS-OXCROPS] 2.2, one function per ROP.
 * lid: LogonId; in/out: InputHandleIndex/OutputHandleIndex. */
void rc_req_logon(rc_buf *b, uint8_t lid, uint8_t out, uint8_t logon_flags,
                  uint32_t open_flags, const char *essdn);
void rc_req_release(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_get_receive_folder(rc_buf *b, uint8_t lid, uint8_t in,
                               const char *message_class);
void rc_req_get_receive_folder_table(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_get_store_state(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_long_term_id_from_id(rc_buf *b, uint8_t lid, uint8_t in,
                                 uint64_t id);
void rc_req_id_from_long_term_id(rc_buf *b, uint8_t lid, uint8_t in,
                                 const rc_ltid *ltid);
void rc_req_get_per_user_ltids(rc_buf *b, uint8_t lid, uint8_t in,
                               const uint8_t guid[16]);
void rc_req_get_per_user_guid(rc_buf *b, uint8_t lid, uint8_t in,
                              const rc_ltid *ltid);
void rc_req_get_owning_servers(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t fid);
void rc_req_open_folder(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                        uint64_t fid, uint8_t open_mode);
/* unicode: DisplayName and Comment as UTF-16LE (UseUnicodeStrings). */
void rc_req_create_folder(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                          uint8_t folder_type, int unicode, int open_existing,
                          const char *name, const char *comment);
void rc_req_delete_folder(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                          uint64_t fid);
void rc_req_move_folder(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                        int async, int unicode, uint64_t fid,
                        const char *new_name);
void rc_req_copy_folder(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                        int async, int recursive, int unicode, uint64_t fid,
                        const char *new_name);
/* hard: RopHardDeleteMessagesAndSubfolders instead of RopEmptyFolder. */
void rc_req_empty_folder(rc_buf *b, uint8_t lid, uint8_t in, int hard,
                         int async, int want_delete_associated);
/* hard: RopHardDeleteMessages instead of RopDeleteMessages. */
void rc_req_delete_messages(rc_buf *b, uint8_t lid, uint8_t in, int hard,
                            int async, int notify_non_read,
                            const uint64_t *mids, uint16_t n);
void rc_req_move_copy_messages(rc_buf *b, uint8_t lid, uint8_t src,
                               uint8_t dst, const uint64_t *mids, uint16_t n,
                               int async, int copy);
void rc_req_get_hierarchy_table(rc_buf *b, uint8_t lid, uint8_t in,
                                uint8_t out, uint8_t table_flags);
void rc_req_get_contents_table(rc_buf *b, uint8_t lid, uint8_t in,
                               uint8_t out, uint8_t table_flags);
void rc_req_get_attachment_table(rc_buf *b, uint8_t lid, uint8_t in,
                                 uint8_t out, uint8_t table_flags);
void rc_req_set_columns(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                        const uint32_t *tags, uint16_t n);
void rc_req_sort_table(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                       const rc_sort *orders, uint16_t n,
                       uint16_t categorized, uint16_t expanded);
/* restr: restriction bytes (e.g. from a scratch rc_buf), NULL/0: none. */
void rc_req_restrict(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                     const uint8_t *restr, uint16_t restr_len);
void rc_req_query_rows(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                       int forward, uint16_t count);
void rc_req_query_position(rc_buf *b, uint8_t lid, uint8_t in);
/* origin: 0 BOOKMARK_BEGINNING, 1 BOOKMARK_CURRENT, 2 BOOKMARK_END. */
void rc_req_seek_row(rc_buf *b, uint8_t lid, uint8_t in, uint8_t origin,
                     int32_t count, int want_moved);
void rc_req_create_bookmark(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_seek_row_bookmark(rc_buf *b, uint8_t lid, uint8_t in,
                              const rc_bin *bookmark, int32_t count,
                              int want_moved);
void rc_req_free_bookmark(rc_buf *b, uint8_t lid, uint8_t in,
                          const rc_bin *bookmark);
void rc_req_query_columns_all(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_find_row(rc_buf *b, uint8_t lid, uint8_t in, uint8_t flags,
                     const uint8_t *restr, uint16_t restr_len,
                     uint8_t origin, const rc_bin *bookmark);
void rc_req_reset_table(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_get_props_specific(rc_buf *b, uint8_t lid, uint8_t in,
                               uint16_t size_limit, int want_unicode,
                               const uint32_t *tags, uint16_t n);
void rc_req_get_props_all(rc_buf *b, uint8_t lid, uint8_t in,
                          uint16_t size_limit, int want_unicode);
void rc_req_get_props_list(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_set_props(rc_buf *b, uint8_t lid, uint8_t in,
                      const rc_prop *vals, uint16_t n);
void rc_req_delete_props(rc_buf *b, uint8_t lid, uint8_t in,
                         const uint32_t *tags, uint16_t n);
/* flags: 0x02 MAPI_CREATE. */
void rc_req_get_ids_from_names(rc_buf *b, uint8_t lid, uint8_t in,
                               uint8_t flags, const rc_propname *names,
                               uint16_t n);
void rc_req_get_names_from_ids(rc_buf *b, uint8_t lid, uint8_t in,
                               const uint16_t *ids, uint16_t n);
/* open_mode: 0 read-only, 1 read/write, 3 best access. */
void rc_req_open_message(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                         uint16_t code_page, uint64_t fid, uint8_t open_mode,
                         uint64_t mid);
void rc_req_create_message(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                           uint16_t code_page, uint64_t fid, int associated);
/* save_flags: 0x01 KeepOpenReadOnly, 0x02 KeepOpenReadWrite,
 * 0x04 ForceSave. */
void rc_req_save_changes_message(rc_buf *b, uint8_t lid, uint8_t resp_idx,
                                 uint8_t in, uint8_t save_flags);
/* rows[i]: row_id, recipient_type and the RecipientRow fields; a row with
 * no RecipientRow (a deletion) has flags == 0 and no strings: pass
 * delete_rows[i] != 0 for it (delete_rows may be NULL). */
void rc_req_modify_recipients(rc_buf *b, uint8_t lid, uint8_t in,
                              const uint32_t *cols, uint16_t ncols,
                              const rc_recipient *rows, uint16_t nrows,
                              const int *delete_rows);
void rc_req_read_recipients(rc_buf *b, uint8_t lid, uint8_t in,
                            uint32_t row_id);
void rc_req_remove_all_recipients(rc_buf *b, uint8_t lid, uint8_t in);
/* client_data: 24 bytes (public folders) or NULL (not sent). */
void rc_req_set_message_read_flag(rc_buf *b, uint8_t lid, uint8_t resp_idx,
                                  uint8_t in, uint8_t read_flags,
                                  const uint8_t *client_data);
void rc_req_create_attachment(rc_buf *b, uint8_t lid, uint8_t in,
                              uint8_t out);
void rc_req_open_attachment(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                            uint8_t flags, uint32_t attach_id);
void rc_req_save_changes_attachment(rc_buf *b, uint8_t lid, uint8_t resp_idx,
                                    uint8_t in, uint8_t save_flags);
void rc_req_delete_attachment(rc_buf *b, uint8_t lid, uint8_t in,
                              uint32_t attach_id);
/* open_mode: 0 read-only, 1 read/write, 2 create. */
void rc_req_open_embedded_message(rc_buf *b, uint8_t lid, uint8_t in,
                                  uint8_t out, uint16_t code_page,
                                  uint8_t open_mode);
/* open_mode: 0 read-only, 1 read/write, 2 create, 3 BestAccess. */
void rc_req_open_stream(rc_buf *b, uint8_t lid, uint8_t in, uint8_t out,
                        uint32_t tag, uint8_t open_mode);
/* byte_count 0xBABE: MaximumByteCount follows. */
void rc_req_read_stream(rc_buf *b, uint8_t lid, uint8_t in,
                        uint16_t byte_count, uint32_t max_byte_count);
void rc_req_write_stream(rc_buf *b, uint8_t lid, uint8_t in,
                         const void *data, uint16_t len);
void rc_req_commit_stream(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_get_stream_size(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_set_stream_size(rc_buf *b, uint8_t lid, uint8_t in,
                            uint64_t size);
/* origin: 0 beginning, 1 current, 2 end. */
void rc_req_seek_stream(rc_buf *b, uint8_t lid, uint8_t in, uint8_t origin,
                        int64_t offset);
/* whole_store: FolderId/MessageId not sent. */
void rc_req_register_notification(rc_buf *b, uint8_t lid, uint8_t in,
                                  uint8_t out, uint8_t types,
                                  int whole_store, uint64_t fid,
                                  uint64_t mid);

/* RopSetReceiveFolder ([MS-OXCSTOR] 2.2.1.2): fid 0 removes the class. */
void rc_req_set_receive_folder(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t fid, const char *message_class);
/* RopSetReadFlags ([MS-OXCROPS] 2.2.6.10); response: rc_rsp_partial(). */
void rc_req_set_read_flags(rc_buf *b, uint8_t lid, uint8_t in, int async,
                           uint8_t read_flags, const uint64_t *mids,
                           uint16_t n);
/* RopGetAddressTypes ([MS-OXCROPS] 2.2.7.3). */
void rc_req_get_address_types(rc_buf *b, uint8_t lid, uint8_t in);

/* ---------------------------------------------------------- reader -- */

typedef struct rc_resp {
    apr_pool_t *pool;
    mapi_rd rd;                  /* over the RopsList of the response */
    const uint32_t *handles;     /* returned ServerObjectHandleTable */
    size_t n_handles;
    unsigned index;              /* ROP responses read so far */
    int failed;
    char error[256];
} rc_resp;

/* RopId, the handle index, ReturnValue: first bytes of every response
 * ([MS-OXCROPS] 2.2.x: RopId, Input/OutputHandleIndex, ReturnValue). */
typedef struct rc_head {
    uint8_t rop_id;
    uint8_t hindex;
    uint32_t rv;
} rc_head;

void rc_resp_init(rc_resp *r, apr_pool_t *pool, const uint8_t *rops,
                  size_t len, const uint32_t *handles, size_t n_handles);
const char *rc_resp_error(const rc_resp *r);
size_t rc_resp_left(const rc_resp *r);
/* The RopId of the next response, or -1 at the end. */
int rc_resp_peek(const rc_resp *r);
/* Handle table slot idx, or RC_NO_HANDLE. */
uint32_t rc_resp_handle(const rc_resp *r, unsigned idx);

/* Typed getters: 0, or -1 (cursor failed, message set). */
int rc_get_u8(rc_resp *r, uint8_t *v);
int rc_get_u16(rc_resp *r, uint16_t *v);
int rc_get_u32(rc_resp *r, uint32_t *v);
int rc_get_u64(rc_resp *r, uint64_t *v);
int rc_get_bytes(rc_resp *r, size_t n, const uint8_t **v);
int rc_get_str8(rc_resp *r, const char **v);
int rc_get_str16(rc_resp *r, const char **v);
int rc_get_tags(rc_resp *r, uint16_t *n, uint32_t **tags);
/* One PropertyValue of type type into v (v->tag left alone). */
int rc_get_value(rc_resp *r, uint16_t type, rc_prop *v);
int rc_get_tagged(rc_resp *r, rc_prop *v);
/* A PropertyRow over cols: Flag byte, then standard or flagged values
 * ([MS-OXCDATA] 2.8.1.1, 2.8.1.2). */
int rc_get_row(rc_resp *r, const uint32_t *cols, size_t ncols, rc_row *row);

/* The head of the next response; RopId must equal rop_id (any when
 * rop_id < 0).  A RopBufferTooSmall, or another ROP, fails the cursor. */
int rc_rsp_head(rc_resp *r, int rop_id, rc_head *h);
/* ROPs whose response is the head alone (RopGetHierarchyTable aside, every
 * ROP's failure form, RopOpenAttachment, RopCommitStream, ...). */
int rc_rsp_generic(rc_resp *r, int rop_id, rc_head *h);

typedef struct rc_logon_time {
    uint8_t sec, min, hour, wday, day, month;
    uint16_t year;
} rc_logon_time;

enum { RC_LOGON_FORM_ERROR = 0, RC_LOGON_FORM_PRIVATE, RC_LOGON_FORM_PUBLIC,
       RC_LOGON_FORM_REDIRECT };

typedef struct rc_logon_rsp {
    rc_head h;
    int form;                    /* RC_LOGON_FORM_*: by ReturnValue and the
                                    Private bit of the LogonFlags returned */
    uint8_t logon_flags;
    uint64_t fids[RC_FID_COUNT];
    uint8_t response_flags;      /* private */
    uint8_t mailbox_guid[16];    /* private */
    uint16_t repl_id;
    uint8_t repl_guid[16];
    rc_logon_time logon_time;    /* private */
    uint64_t gwart_time;         /* private */
    uint32_t store_state;        /* private */
    uint8_t per_user_guid[16];   /* public */
    const char *server_name;     /* redirect */
} rc_logon_rsp;
int rc_rsp_logon(rc_resp *r, rc_logon_rsp *o);

int rc_rsp_get_receive_folder(rc_resp *r, rc_head *h, uint64_t *fid,
                              const char **explicit_class);
/* Rows over PidTagFolderId, PidTagMessageClass (String8),
 * PidTagLastModificationTime ([MS-OXCSTOR] R301, R305). */
int rc_rsp_get_receive_folder_table(rc_resp *r, rc_head *h, uint32_t *n,
                                    rc_row **rows);
int rc_rsp_get_store_state(rc_resp *r, rc_head *h, uint32_t *state);
int rc_rsp_long_term_id_from_id(rc_resp *r, rc_head *h, rc_ltid *ltid);
int rc_rsp_id_from_long_term_id(rc_resp *r, rc_head *h, uint64_t *id);
int rc_rsp_get_per_user_ltids(rc_resp *r, rc_head *h, uint16_t *n,
                              rc_ltid **ltids);
int rc_rsp_get_per_user_guid(rc_resp *r, rc_head *h, uint8_t guid[16]);

typedef struct rc_servers {
    uint16_t count, cheap;
    const char **names;
} rc_servers;
int rc_rsp_get_owning_servers(rc_resp *r, rc_head *h, rc_servers *s);

typedef struct rc_folder_rsp {
    rc_head h;
    uint64_t fid;                /* CreateFolder */
    uint8_t is_existing;         /* CreateFolder */
    uint8_t has_rules, is_ghosted;
    rc_servers servers;          /* when ghosted */
} rc_folder_rsp;
int rc_rsp_open_folder(rc_resp *r, rc_folder_rsp *o);
int rc_rsp_create_folder(rc_resp *r, rc_folder_rsp *o);

/* RopDeleteFolder, RopEmptyFolder, RopHardDeleteMessagesAndSubfolders,
 * RopDeleteMessages, RopHardDeleteMessages: PartialCompletion. */
int rc_rsp_partial(rc_resp *r, int rop_id, rc_head *h, uint8_t *partial);
/* RopMoveFolder, RopCopyFolder, RopMoveCopyMessages: PartialCompletion;
 * with ecDstNullObject the DestHandleIndex (u32) comes first. */
int rc_rsp_move_copy(rc_resp *r, int rop_id, rc_head *h, uint32_t *dest_idx,
                     uint8_t *partial);
/* RopGetHierarchyTable / RopGetContentsTable: RowCount on success. */
int rc_rsp_get_table(rc_resp *r, int rop_id, rc_head *h, uint32_t *rows);
/* RopSetColumns, RopSortTable, RopRestrict: TableStatus on success. */
int rc_rsp_table_status(rc_resp *r, int rop_id, rc_head *h,
                        uint8_t *status);

typedef struct rc_rows_rsp {
    rc_head h;
    uint8_t origin;
    uint16_t count;
    rc_row *rows;
} rc_rows_rsp;
int rc_rsp_query_rows(rc_resp *r, const uint32_t *cols, size_t ncols,
                      rc_rows_rsp *o);
int rc_rsp_query_position(rc_resp *r, rc_head *h, uint32_t *num,
                          uint32_t *den);
int rc_rsp_seek_row(rc_resp *r, rc_head *h, uint8_t *sought_less,
                    int32_t *sought);
int rc_rsp_create_bookmark(rc_resp *r, rc_head *h, rc_bin *bookmark);
int rc_rsp_seek_row_bookmark(rc_resp *r, rc_head *h, uint8_t *not_visible,
                             uint8_t *sought_less, int32_t *sought);
int rc_rsp_query_columns_all(rc_resp *r, rc_head *h, uint16_t *n,
                             uint32_t **tags);

typedef struct rc_find_row_rsp {
    rc_head h;
    uint8_t no_longer_visible, has_row;
    rc_row row;
} rc_find_row_rsp;
int rc_rsp_find_row(rc_resp *r, const uint32_t *cols, size_t ncols,
                    rc_find_row_rsp *o);

int rc_rsp_get_props_specific(rc_resp *r, const uint32_t *tags, size_t n,
                              rc_head *h, rc_row *row);
int rc_rsp_get_props_all(rc_resp *r, rc_head *h, uint16_t *n,
                         rc_prop **vals);
int rc_rsp_get_props_list(rc_resp *r, rc_head *h, uint16_t *n,
                          uint32_t **tags);

typedef struct rc_problem {
    uint16_t index;
    uint32_t tag;
    uint32_t error;
} rc_problem;
/* RopSetProperties / RopDeleteProperties: PropertyProblems. */
int rc_rsp_problems(rc_resp *r, int rop_id, rc_head *h, uint16_t *n,
                    rc_problem **p);
int rc_rsp_get_ids_from_names(rc_resp *r, rc_head *h, uint16_t *n,
                              uint16_t **ids);
/* The same, but a ReturnValue of 0x00040380 (ecWarnWithErrors: some names
 * not mapped) is read as a success form with its ids. */
#define RC_EC_WARN_WITH_ERRORS 0x00040380u
int rc_rsp_get_ids_from_names_warn(rc_resp *r, rc_head *h, uint16_t *n,
                                   uint16_t **ids);
int rc_rsp_get_names_from_ids(rc_resp *r, rc_head *h, uint16_t *n,
                              rc_propname **names);

typedef struct rc_message_rsp {
    rc_head h;
    uint64_t mid;                /* OpenEmbeddedMessage */
    uint8_t has_named_props;
    const char *subject_prefix;  /* TypedString decoded; NULL: absent */
    const char *normalized_subject;
    uint16_t recipient_count;
    uint16_t ncols;
    uint32_t *cols;              /* RecipientColumns */
    uint8_t nrows;
    rc_recipient *rows;
} rc_message_rsp;
int rc_rsp_open_message(rc_resp *r, rc_message_rsp *o);
int rc_rsp_open_embedded_message(rc_resp *r, rc_message_rsp *o);
int rc_rsp_create_message(rc_resp *r, rc_head *h, uint8_t *has_mid,
                          uint64_t *mid);
int rc_rsp_save_changes_message(rc_resp *r, rc_head *h, uint8_t *in_idx,
                                uint64_t *mid);
/* cols: the recipient columns the message was opened with. */
int rc_rsp_read_recipients(rc_resp *r, const uint32_t *cols, size_t ncols,
                           rc_head *h, uint8_t *n, rc_recipient **rows);
int rc_rsp_set_message_read_flag(rc_resp *r, rc_head *h, uint8_t *changed,
                                 uint8_t *logon_id, const uint8_t **client);
int rc_rsp_create_attachment(rc_resp *r, rc_head *h, uint32_t *attach_id);
int rc_rsp_open_stream(rc_resp *r, rc_head *h, uint32_t *size);
int rc_rsp_read_stream(rc_resp *r, rc_head *h, rc_bin *data);
int rc_rsp_write_stream(rc_resp *r, rc_head *h, uint16_t *written);
int rc_rsp_get_stream_size(rc_resp *r, rc_head *h, uint32_t *size);
int rc_rsp_seek_stream(rc_resp *r, rc_head *h, uint64_t *pos);
/* RopSaveChangesAttachment: the head with ResponseHandleIndex. */
#define rc_rsp_save_changes_attachment(r, h) \
    rc_rsp_generic((r), RC_ROP_SAVE_CHANGES_ATTACHMENT, (h))

/* RopGetAddressTypes: AddressTypeCount strings (ASCII) in
 * AddressTypeSize bytes; -1 also when the count or size does not fit. */
int rc_rsp_get_address_types(rc_resp *r, rc_head *h, uint16_t *n,
                             const char ***types);

/* Reads one RecipientRow (after the wrapper fields) over cols. */
int rc_get_recipient_row(rc_resp *r, const uint32_t *cols, size_t ncols,
                         rc_recipient *rr);

/* ------------------------------------- table ROPs of the ported tests -- */
/* The table ROPs test_ported_oxctabl / test_ported_oxcrops need beyond the
 * ones above ([MS-OXCROPS] 2.2.5). */
#define RC_ROP_GET_STATUS           0x16
#define RC_ROP_SEEK_ROW_FRACTIONAL  0x1A
#define RC_ROP_ABORT                0x38
#define RC_ROP_EXPAND_ROW           0x59
#define RC_ROP_COLLAPSE_ROW         0x5A
#define RC_ROP_GET_COLLAPSE_STATE   0x6B
#define RC_ROP_SET_COLLAPSE_STATE   0x6C
#define RC_EC_UNABLE_TO_ABORT       0x80040114u
#define RC_EC_INVALID_BOOKMARK      0x80040405u
#define RC_TBLSTAT_COMPLETE         0x00
#define RC_TBL_ASYNC                0x01   /* asynchronous flags */
#define RC_QUERY_ROWS_NO_ADVANCE    0x01   /* QueryRowsFlags */

void rc_req_get_status(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_abort(rc_buf *b, uint8_t lid, uint8_t in);
void rc_req_seek_row_fractional(rc_buf *b, uint8_t lid, uint8_t in,
                                uint32_t numerator, uint32_t denominator);
void rc_req_expand_row(rc_buf *b, uint8_t lid, uint8_t in,
                       uint16_t max_rows, uint64_t category_id);
void rc_req_collapse_row(rc_buf *b, uint8_t lid, uint8_t in,
                         uint64_t category_id);
void rc_req_get_collapse_state(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t row_id, uint32_t instance);
void rc_req_set_collapse_state(rc_buf *b, uint8_t lid, uint8_t in,
                               const rc_bin *state);
/* RopGetStatus / RopAbort: TableStatus on success (rc_rsp_table_status). */

/* ------------------------------------- ported-suite additions -- */
/* Builders and parsers the ported MS-OXCMSG / MS-OXCPRPT scenarios
 * (test_ported_oxcmsg.c, test_ported_oxcprpt.c) needed beyond the above;
 * kept in one block to ease merging. */

enum {
    RC_ROP_RELOAD_CACHED_INFORMATION = 0x10,
    RC_ROP_COPY_TO = 0x39,
    RC_ROP_COPY_PROPERTIES = 0x67
};

#define RC_EC_ERROR            0x80004005u   /* ecError / GeneralFailure */

/* CopyFlags of RopCopyProperties / RopCopyTo ([MS-OXCROPS] 2.2.8.11.1,
 * 2.2.8.12.1). */
#define RC_COPY_MOVE           0x01
#define RC_COPY_NO_OVERWRITE   0x02

/* RopCopyProperties ([MS-OXCROPS] 2.2.8.11): src/dst handle indexes. */
void rc_req_copy_properties(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                            int async, uint8_t copy_flags,
                            const uint32_t *tags, uint16_t n);
/* RopCopyTo ([MS-OXCROPS] 2.2.8.12): excluded tags. */
void rc_req_copy_to(rc_buf *b, uint8_t lid, uint8_t src, uint8_t dst,
                    int async, int want_sub_objects, uint8_t copy_flags,
                    const uint32_t *excluded, uint16_t n);
/* Their response: PropertyProblems on success, the DestHandleIndex (u32)
 * with ecDstNullObject, the head alone otherwise. */
int rc_rsp_copy_props(rc_resp *r, int rop_id, rc_head *h,
                      uint32_t *dest_idx, uint16_t *n, rc_problem **p);
/* RopReloadCachedInformation ([MS-OXCROPS] 2.2.6.7): the response has the
 * layout of RopOpenMessage's after the head. */
void rc_req_reload_cached_information(rc_buf *b, uint8_t lid, uint8_t in);
int rc_rsp_reload_cached_information(rc_resp *r, rc_message_rsp *o);

/* ------------------------------------- per-user information and message
 * status (ported MS-OXCSTOR / MS-OXCMSG scenarios; test_ported_oxcstor.c,
 * test_ported_oxcmsg.c).  Kept in one block to ease merging. -- */

enum {
    RC_ROP_GET_MESSAGE_STATUS = 0x1F,
    RC_ROP_SET_MESSAGE_STATUS = 0x20,
    RC_ROP_GET_VALID_ATTACHMENTS = 0x52,
    RC_ROP_READ_PER_USER_INFORMATION = 0x63,
    RC_ROP_WRITE_PER_USER_INFORMATION = 0x64
};

/* RopReadPerUserInformation ([MS-OXCROPS] 2.2.3.12). */
void rc_req_read_per_user_info(rc_buf *b, uint8_t lid, uint8_t in,
                               const rc_ltid *folder, uint8_t reserved,
                               uint32_t offset, uint16_t max_size);
/* HasFinished, then Data (DataSize bytes). */
int rc_rsp_read_per_user_info(rc_resp *r, rc_head *h, uint8_t *finished,
                              rc_bin *data);
/* RopWritePerUserInformation ([MS-OXCROPS] 2.2.3.13): repl_guid (16
 * bytes) is sent when non-NULL, which a private logon's first chunk
 * (offset 0) needs. Response: the head alone (rc_rsp_generic). */
void rc_req_write_per_user_info(rc_buf *b, uint8_t lid, uint8_t in,
                                const rc_ltid *folder, int finished,
                                uint32_t offset, const void *data,
                                uint16_t len, const uint8_t *repl_guid);
/* RopSetMessageStatus / RopGetMessageStatus ([MS-OXCROPS] 2.2.6.8,
 * 2.2.6.9) on a folder. */
void rc_req_set_message_status(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t mid, uint32_t status, uint32_t mask);
void rc_req_get_message_status(rc_buf *b, uint8_t lid, uint8_t in,
                               uint64_t mid);
/* Either one's response: MessageStatusFlags on success. */
int rc_rsp_message_status(rc_resp *r, int rop_id, rc_head *h,
                          uint32_t *status);
/* RopGetValidAttachments ([MS-OXCROPS] 2.2.6.18): AttachmentIdCount ids. */
void rc_req_get_valid_attachments(rc_buf *b, uint8_t lid, uint8_t in);
int rc_rsp_get_valid_attachments(rc_resp *r, rc_head *h, uint16_t *n,
                                 uint32_t **ids);

/* The head of a RopNotify ([MS-OXCROPS] 2.2.14.2): NotificationHandle,
 * LogonId, then NotificationData's NotificationFlags and, for the object
 * events, FolderId and (message events, bit 0x8000) MessageId
 * ([MS-OXCNOTIF] 2.2.1.4.1.2).  The cursor stops after what was read, so
 * only the last response of a buffer may be read this way. */
typedef struct rc_notify {
    uint32_t handle;
    uint8_t logon_id;
    uint16_t flags;
    uint64_t fid, mid;
} rc_notify;
int rc_rsp_notify_head(rc_resp *r, rc_notify *n);
/* A whole RopNotify of the kinds ObjectCreated, ObjectDeleted,
 * ObjectModified (folder or message, [MS-OXCNOTIF] 2.2.1.4.1.2); -1 for
 * any other kind. */
int rc_rsp_notify(rc_resp *r, rc_notify *n);

/* ------------------------------------- submission and transport ROPs
 * (test_submit.c) -- */

/* RopSubmitMessage ([MS-OXCROPS] 2.2.7.1): the head alone in response. */
void rc_req_submit_message(rc_buf *b, uint8_t lid, uint8_t in,
                           uint8_t submit_flags);
/* RopAbortSubmit (2.2.7.2): the head alone in response. */
void rc_req_abort_submit(rc_buf *b, uint8_t lid, uint8_t in, uint64_t fid,
                         uint64_t mid);
/* RopGetTransportFolder (2.2.7.8): FolderId on success. */
void rc_req_get_transport_folder(rc_buf *b, uint8_t lid, uint8_t in);
int rc_rsp_get_transport_folder(rc_resp *r, rc_head *h, uint64_t *fid);

#endif
