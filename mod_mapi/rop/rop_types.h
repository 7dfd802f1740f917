/*
 * rop_types.h: parsers for the structures that recur in ROP requests
 * ([MS-OXCDATA]): the common request header, PropertyTag arrays,
 * PropertyValue / TaggedPropertyValue of every PtypXxx type (single and
 * multi-valued), restrictions, SortOrder, PropertyName, LongTermId,
 * PropertyRow and RecipientRow, rule and permission data.
 *
 * Every parser reads through the bounded mapi_rd; a declared count is
 * checked against the bytes actually left (times the smallest possible
 * element) before anything is allocated from it.  Parsed structs live in
 * the pool.  Byte arrays (rop_bin) are views into the request buffer, valid
 * for the duration of rop_execute.  All return 0, or -1 on short or
 * malformed input.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_TYPES_H
#define MAPI_ROP_TYPES_H

#include "rop.h"

/* Restrictions nest (And/Or/Not/SubObject/Comment/Count, and restriction
 * typed property values inside those); deeper trees are rejected so a
 * hostile request cannot exhaust the stack. */
#define ROP_MAX_RESTRICTION_DEPTH 32

/* [MS-OXCDATA] 2.11.1 property types. */
#define ROP_PT_UNSPECIFIED   0x0000
#define ROP_PT_NULL          0x0001
#define ROP_PT_I2            0x0002
#define ROP_PT_LONG          0x0003
#define ROP_PT_FLOAT         0x0004
#define ROP_PT_DOUBLE        0x0005
#define ROP_PT_CURRENCY      0x0006
#define ROP_PT_APPTIME       0x0007
#define ROP_PT_ERROR         0x000A
#define ROP_PT_BOOLEAN       0x000B
#define ROP_PT_OBJECT        0x000D
#define ROP_PT_I8            0x0014
#define ROP_PT_STRING8       0x001E
#define ROP_PT_UNICODE       0x001F
#define ROP_PT_SYSTIME       0x0040
#define ROP_PT_CLSID         0x0048
#define ROP_PT_SVREID        0x00FB
#define ROP_PT_SRESTRICTION  0x00FD
#define ROP_PT_ACTIONS       0x00FE
#define ROP_PT_BINARY        0x0102
#define ROP_PT_MV_FLAG       0x1000
#define ROP_PT_MV_INSTANCE   0x2000   /* in table columns only */

#define ROP_PROP_TYPE(tag)   ((uint16_t)((tag) & 0xFFFF))
#define ROP_PROP_ID(tag)     ((uint16_t)((tag) >> 16))

/* A counted byte array (view into the request buffer). */
typedef struct rop_bin {
    uint32_t len;
    const uint8_t *data;
} rop_bin;

typedef struct rop_restriction rop_restriction;
typedef struct rop_rule_actions rop_rule_actions;

/* One property value.  Scalars keep their raw little-endian bits (floats
 * included); strings are UTF-8 pool copies (String8 is copied as is); GUIDs
 * are 16-byte views. */
typedef struct rop_propval {
    uint32_t tag;
    union {
        uint8_t b;                 /* PtypBoolean */
        uint16_t i2;               /* PtypInteger16 */
        uint32_t l;                /* Integer32, Floating32, ErrorCode */
        uint64_t d;                /* Integer64, Floating64, Currency,
                                      FloatingTime, Time */
        const char *str;           /* String, String8 */
        rop_bin bin;               /* Binary, ServerId */
        const uint8_t *guid;       /* Guid (16 bytes) */
        rop_restriction *res;      /* Restriction */
        rop_rule_actions *actions; /* RuleAction */
        struct {                   /* every PtypMultipleXxx */
            uint32_t count;
            union {
                uint16_t *i2;
                uint32_t *l;
                uint64_t *d;
                const char **str;
                rop_bin *bin;
                const uint8_t **guid;
            } v;
        } mv;
    } v;
} rop_propval;

typedef struct rop_tag_array {
    uint16_t count;
    uint32_t *tags;
} rop_tag_array;

typedef struct rop_propval_array {
    uint16_t count;
    rop_propval *vals;
} rop_propval_array;

/* [MS-OXCDATA] 2.12 restriction types. */
enum {
    ROP_RES_AND = 0x00, ROP_RES_OR = 0x01, ROP_RES_NOT = 0x02,
    ROP_RES_CONTENT = 0x03, ROP_RES_PROPERTY = 0x04,
    ROP_RES_COMPARE_PROPS = 0x05, ROP_RES_BITMASK = 0x06,
    ROP_RES_SIZE = 0x07, ROP_RES_EXIST = 0x08, ROP_RES_SUBOBJECT = 0x09,
    ROP_RES_COMMENT = 0x0A, ROP_RES_COUNT = 0x0B,
};

struct rop_restriction {
    uint8_t type;
    union {
        struct { uint16_t count; rop_restriction *subs; } andor;
        rop_restriction *not_sub;
        struct { uint16_t fuzzy_low, fuzzy_high; uint32_t tag;
                 rop_propval val; } content;
        struct { uint8_t relop; uint32_t tag; rop_propval val; } property;
        struct { uint8_t relop; uint32_t tag1, tag2; } compare;
        struct { uint8_t relop; uint32_t tag; uint32_t mask; } bitmask;
        struct { uint8_t relop; uint32_t tag; uint32_t size; } size;
        struct { uint32_t tag; } exist;
        struct { uint32_t subobject; rop_restriction *sub; } subobject;
        struct { uint8_t count; rop_propval *vals;
                 rop_restriction *sub; /* NULL when absent */ } comment;
        struct { uint32_t count; rop_restriction *sub; } count;
    } u;
};

/* [MS-OXORULE] 2.2.5 RuleAction, standard-rule form (16-bit counts).
 * ActionData is kept as bytes: its layout depends on ActionType and is
 * interpreted by the rules handler. */
typedef struct rop_action_block {
    uint8_t type;
    uint32_t flavor;
    uint32_t flags;
    rop_bin data;
} rop_action_block;

struct rop_rule_actions {
    uint16_t count;
    rop_action_block *blocks;
};

typedef struct rop_sort_order {
    uint16_t prop_type;
    uint16_t prop_id;
    uint8_t order;
} rop_sort_order;

/* [MS-OXCDATA] 2.6.1 PropertyName. */
#define ROP_MNID_ID      0x00
#define ROP_MNID_STRING  0x01
#define ROP_MNID_NONE    0xFF
typedef struct rop_property_name {
    uint8_t kind;
    const uint8_t *guid;       /* 16 bytes */
    uint32_t lid;              /* kind ROP_MNID_ID */
    const char *name;          /* kind ROP_MNID_STRING, UTF-8 */
} rop_property_name;

/* [MS-OXCDATA] 2.2.1.3.1 LongTermId (24 bytes). */
typedef struct rop_long_term_id {
    uint8_t database_guid[16];
    uint8_t global_counter[6];
    uint16_t pad;
} rop_long_term_id;

/* [MS-OXCDATA] 2.8.1 PropertyRow over a known column set. */
#define ROP_ROW_STANDARD 0x00
#define ROP_ROW_FLAGGED  0x01
typedef struct rop_property_row {
    uint8_t flag;
    uint16_t count;
    rop_propval *vals;         /* tag = column tag (type resolved) */
    uint8_t *val_flags;        /* flagged rows: 0x00, 0x01 or 0x0A each */
} rop_property_row;

/* [MS-OXCDATA] 2.8.3.1 RecipientFlags bits (little-endian u16). */
#define ROP_RECIP_TYPE_MASK  0x0007
#define ROP_RECIP_E          0x0008   /* EmailAddress present */
#define ROP_RECIP_D          0x0010   /* DisplayName present */
#define ROP_RECIP_T          0x0020   /* TransmittableDisplayName present */
#define ROP_RECIP_S          0x0040
#define ROP_RECIP_R          0x0080
#define ROP_RECIP_N          0x0100
#define ROP_RECIP_U          0x0200   /* strings are UTF-16 */
#define ROP_RECIP_I          0x0400   /* SimpleDisplayName present */
#define ROP_RECIP_O          0x8000   /* AddressType present (NoType) */
#define ROP_RECIP_X500DN     0x1
#define ROP_RECIP_PDL1       0x6
#define ROP_RECIP_PDL2       0x7

/* [MS-OXCDATA] 2.8.3.2 RecipientRow. */
typedef struct rop_recipient_row {
    uint16_t flags;
    uint8_t address_prefix_used;
    uint8_t display_type;
    const char *x500dn;
    rop_bin entry_id;
    rop_bin search_key;
    const char *address_type;
    const char *email_address;
    const char *display_name;
    const char *simple_display_name;
    const char *transmittable_display_name;
    rop_property_row props;    /* first RecipientColumnCount columns */
} rop_recipient_row;

/* RuleData ([MS-OXORULE] 2.2.2) and PermissionData ([MS-OXCPERM] 2.2.1)
 * share one shape: flags, then TaggedPropertyValues. */
typedef struct rop_row_data {
    uint8_t flags;
    rop_propval_array props;
} rop_row_data;

/* Common request header: LogonId then the handle indexes. */
int rop_rd_hdr_in(mapi_rd *rd, rop_call *call);        /* Logon, In */
int rop_rd_hdr_in_out(mapi_rd *rd, rop_call *call);    /* Logon, In, Out */
int rop_rd_hdr_src_dst(mapi_rd *rd, rop_call *call);   /* Logon, Src, Dst */
int rop_rd_hdr_resp_in(mapi_rd *rd, rop_call *call);   /* Logon, Resp, In */

/* Parse for ROPs whose request is the header alone (req stays NULL). */
int rop_parse_hdr_only(mapi_rd *rd, apr_pool_t *pool, rop_call *call);
int rop_parse_hdr_in_out_only(mapi_rd *rd, apr_pool_t *pool, rop_call *call);

/* 0 when count elements of at least min_size bytes each can still be in
 * rd; -1 (and rd marked failed) otherwise.  Call before allocating. */
int rop_rd_count_ok(mapi_rd *rd, uint64_t count, size_t min_size);

/* A u16 size then that many bytes. */
int rop_rd_bin16(mapi_rd *rd, rop_bin *bin_r);
/* A u32 size then that many bytes. */
int rop_rd_bin32(mapi_rd *rd, rop_bin *bin_r);
int rop_rd_bin_n(mapi_rd *rd, size_t n, rop_bin *bin_r);
/* NUL-terminated string, 8-bit or UTF-16LE, bounded by the buffer. */
int rop_rd_str(mapi_rd *rd, apr_pool_t *pool, int unicode, const char **s_r);

int rop_rd_u64_array(mapi_rd *rd, apr_pool_t *pool, uint16_t *count_r,
                     uint64_t **ids_r);
int rop_rd_long_term_id(mapi_rd *rd, rop_long_term_id *ltid);
int rop_rd_tag_array(mapi_rd *rd, apr_pool_t *pool, rop_tag_array *a);
int rop_rd_propid_array(mapi_rd *rd, apr_pool_t *pool, uint16_t *count_r,
                        uint16_t **ids_r);

/* Value of the given type (no tag on the wire). */
int rop_rd_propval(mapi_rd *rd, apr_pool_t *pool, uint16_t type,
                   unsigned depth, rop_propval *pv);
/* TaggedPropertyValue: PropertyTag, then the value. */
int rop_rd_tagged_propval(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                          rop_propval *pv);
/* u16 count then that many TaggedPropertyValues. */
int rop_rd_tagged_propvals(mapi_rd *rd, apr_pool_t *pool,
                           rop_propval_array *a);
/* count (already read) TaggedPropertyValues. */
int rop_rd_tagged_propvals_n(mapi_rd *rd, apr_pool_t *pool, uint16_t count,
                             rop_propval_array *a);

int rop_rd_restriction(mapi_rd *rd, apr_pool_t *pool, unsigned depth,
                       rop_restriction **res_r);
/* Levels of a parsed restriction: 1 for a leaf, one more for each And,
 * Or, Not, SubObject, Comment, Count and restriction-typed value it is
 * nested in (the parser's own depth measure). */
unsigned rop_restriction_depth(const rop_restriction *res);
/* Whether res is nested deeper than the Execute's MapiMaxRestrictionDepth
 * (noted for the log when it is); the ROP then answers ecTooComplex. */
int rop_ctx_restriction_too_deep(rop_ctx *ctx, const rop_restriction *res);

/* RestrictionDataSize (u16) then a restriction filling exactly that many
 * bytes; a size of 0 means no restriction (*res_r = NULL). */
int rop_rd_restriction_sized(mapi_rd *rd, apr_pool_t *pool,
                             rop_restriction **res_r);

int rop_rd_sort_orders(mapi_rd *rd, apr_pool_t *pool, uint16_t count,
                       rop_sort_order **orders_r);
int rop_rd_property_name(mapi_rd *rd, apr_pool_t *pool,
                         rop_property_name *pn);
int rop_rd_property_row(mapi_rd *rd, apr_pool_t *pool,
                        const rop_tag_array *columns, uint16_t ncols,
                        rop_property_row *row);
int rop_rd_recipient_row(mapi_rd *rd, apr_pool_t *pool,
                         const rop_tag_array *columns,
                         rop_recipient_row *row);
int rop_rd_row_data(mapi_rd *rd, apr_pool_t *pool, rop_row_data *rdata);

/* ---- writers (rop_values.c): the same encodings, for responses and for
 * the store's records.  All return 0, or -1 when wr is full (wr->failed
 * set).  Strings of PtypString are written as UTF-16LE, PtypString8 as
 * 8-bit; a value whose tag type is PT_STRING8 but that holds UTF-8
 * outside ASCII is written as is. */
int rop_wr_propval(mapi_wr *wr, uint16_t type, const rop_propval *pv);
int rop_wr_tagged_propval(mapi_wr *wr, const rop_propval *pv);
int rop_wr_restriction(mapi_wr *wr, const rop_restriction *r);
int rop_wr_property_name(mapi_wr *wr, const rop_property_name *pn);
int rop_wr_long_term_id(mapi_wr *wr, const rop_long_term_id *ltid);
/* Deep copies (pool) of parsed structures, for keeping them beyond the
 * request buffer. */
rop_restriction *rop_restriction_dup(apr_pool_t *pool,
                                     const rop_restriction *r);

#endif
