/*
 * store_table.h: what a MAPI table ([MS-OXCTABL]) does to rows, apart from
 * where the rows come from: evaluating restrictions ([MS-OXCDATA] 2.12)
 * against a row, ordering rows by sort orders, and encoding a row as a
 * PropertyRow ([MS-OXCDATA] 2.8.1) over the table's columns.
 *
 * A row is a property bag plus, for messages, the message itself, so that
 * SubObject restrictions can look at its recipients and attachments.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_STORE_TABLE_H
#define MAPI_STORE_TABLE_H

#include <apr_hash.h>
#include <apr_tables.h>
#include "store/store.h"

typedef struct store_row {
    store_props props;            /* every property the row has */
    const store_message *msg;     /* contents tables: the message, or NULL */
    uint64_t id;                  /* fid, mid, attach num or row id */
    uint32_t instance;            /* PidTagInstanceNum (MV instances) */
} store_row;

/* 1 when row satisfies r (NULL matches everything), 0 when not.  Every
 * restriction type is evaluated: And, Or, Not, Content (FL_FULLSTRING,
 * FL_SUBSTRING, FL_PREFIX with FL_IGNORECASE / FL_LOOSE), Property and
 * CompareProperties (RELOP_LT..RELOP_NE, RELOP_RE as substring), Bitmask
 * (BMR_EQZ/BMR_NEZ), Size, Exist, SubObject (PidTagMessageRecipients
 * 0x0E12000D, PidTagMessageAttachments 0x0E13000D), Comment (its
 * sub-restriction, or TRUE) and Count (at most count matches of its
 * sub-restriction).  A multi-valued property matches if any value does.
 * A missing property makes a comparison false. */
int store_restrict_match(const rop_restriction *r, const store_row *row);

/* Orders rows (an array of store_row *) by the sort orders: ascending 0,
 * descending 1 ([MS-OXCDATA] 2.13.1); missing values sort first in
 * ascending order; strings compare case-insensitively; ties keep the
 * input order (stable). */
void store_rows_sort(apr_array_header_t *rows, const rop_sort_order *orders,
                     unsigned n_orders);

/* Compares two values of the same type: <0, 0, >0.  Strings compare
 * case-insensitively (ASCII folding; UTF-8 byte order otherwise). */
int store_propval_cmp(uint16_t type, const rop_propval *a,
                      const rop_propval *b);

/* Writes row as a PropertyRow over columns: a StandardPropertyRow (flag 0)
 * when every column has a value of the column's type, otherwise a
 * FlaggedPropertyRow (flag 1) in which a missing value is flag 0x0A and
 * ecNotFound.  PtypString8 columns get PtypString values converted (and
 * vice versa); a PtypUnspecified column writes the value's own type
 * first (a FlaggedPropertyRow's TypedPropertyValue).  Returns 0, or -1
 * when wr is full. */
int store_wr_property_row(mapi_wr *wr, const rop_tag_array *columns,
                          const store_props *row);

/* The value of tag for a response: the property with the same id whose
 * type matches, with PtypString/PtypString8 converted to the asked type;
 * NULL when there is none (the caller answers ecNotFound). */
const rop_propval *store_props_get_as(const store_props *p, apr_pool_t *pool,
                                      uint32_t tag);

/* ---- additions ---------------------------------------------------- */

/* [MS-OXCDATA] 2.12.4 FuzzyLevelLow / FuzzyLevelHigh, 2.12.5 RelOp, 2.12.7
 * BitmapRelOp. */
#define STORE_FL_FULLSTRING     0x0000
#define STORE_FL_SUBSTRING      0x0001
#define STORE_FL_PREFIX         0x0002
#define STORE_FL_IGNORECASE     0x0001
#define STORE_FL_IGNORENONSPACE 0x0002
#define STORE_FL_LOOSE          0x0004
#define STORE_RELOP_LT          0x00
#define STORE_RELOP_LE          0x01
#define STORE_RELOP_GT          0x02
#define STORE_RELOP_GE          0x03
#define STORE_RELOP_EQ          0x04
#define STORE_RELOP_NE          0x05
#define STORE_RELOP_RE          0x06
#define STORE_RELOP_MEMBER_OF_DL 0x64
#define STORE_BMR_EQZ           0x00
#define STORE_BMR_NEZ           0x01

/* A Count restriction limits how many ROWS of a table its
 * sub-restriction lets through, so it needs state across the rows of one
 * evaluation.  store_restrict_match has none: there a Count matches when
 * its count is non-zero and its sub-restriction matches.  Evaluate a
 * table's rows in order against one state to honour the limit. */
typedef struct store_restrict_state {
    apr_hash_t *used;             /* Count node -> matches so far */
    apr_pool_t *pool;
} store_restrict_state;

void store_restrict_state_init(store_restrict_state *st, apr_pool_t *pool);
int store_restrict_match_st(const rop_restriction *r, const store_row *row,
                            store_restrict_state *st);
/* The rows (store_row * elements) that match r, in order, with Count
 * limits honoured; a new array in pool. */
apr_array_header_t *store_rows_restrict(const apr_array_header_t *rows,
                                        const rop_restriction *r,
                                        apr_pool_t *pool);

/* Notes on multi-valued instances: a sort order or a column of type
 * MV|MVI names one value of a multi-valued property.  A row whose bag
 * holds the single value (the base type) uses it; one that holds the
 * whole multi-value uses value number row->instance (0-based) in sorts
 * and the first value in store_wr_property_row. */

/* ---- search folders and categories --------------------------------- */

/* The rows of a search folder's contents table ([MS-OXCFOLD] 3.2.5.4):
 * the messages of its scope (recursively with RECURSIVE_SEARCH) that
 * satisfy its restriction, or, for a static search, the snapshot's
 * messages still there; each row is its message's own, so PidTagFolderId
 * and PidTagParentEntryId name the folder it lives in (R1172).  Normal
 * messages only.  An empty array before any criteria. */
store_status store_search_rows(mapi_db *db, apr_pool_t *pool,
                               const uint8_t mbox[STORE_GUID_LEN],
                               const store_mailbox_info *mi, uint64_t fid,
                               apr_array_header_t **rows_r,
                               const char **error_r);
/* The rows of a search s (its criteria only, no snapshot). */
store_status store_search_match(mapi_db *db, apr_pool_t *pool,
                                const uint8_t mbox[STORE_GUID_LEN],
                                const store_mailbox_info *mi,
                                const store_search *s,
                                apr_array_header_t **rows_r,
                                const char **error_r);

/* Categorized views ([MS-OXCTABL] 2.2.2.2, 3.2.5.3 "group by"): the first
 * `categories` sort orders are category columns.  Leaf rows (sorted by
 * every sort order) are grouped by the distinct values of the category
 * columns, nested, under header rows with PidTagRowType
 * TBL_EXPANDED_CATEGORY / TBL_COLLAPSED_CATEGORY, PidTagDepth (the
 * level), PidTagInstID (the category id), PidTagInstanceNum 0, the
 * category values down to their level and PidTagContentCount /
 * PidTagContentUnreadCount of the leaves below.  Leaves get PidTagDepth
 * `categories`.  A category id is a hash of its level and values, the
 * same in every table and process that groups the same rows, with the
 * low 16 bits zero so that it never equals a message id (whose low 16
 * bits are its replica id).  Levels below `expanded` start expanded; a
 * category whose id is in toggled has the other state. */
#define STORE_ROW_LEAF                1
#define STORE_ROW_EMPTY_CATEGORY      2
#define STORE_ROW_EXPANDED_CATEGORY   3
#define STORE_ROW_COLLAPSED_CATEGORY  4

typedef struct store_category_view {
    uint16_t categories;
    uint16_t expanded;
    const rop_sort_order *sorts;
    unsigned n_sorts;
    const uint64_t *toggled;
    unsigned n_toggled;
} store_category_view;

typedef struct store_category_result {
    apr_array_header_t *visible;  /* store_row *: headers and leaves shown */
    apr_hash_t *headers;          /* u64 category id -> store_row *, every
                                     header, shown or under a collapsed one */
} store_category_result;

/* Groups leaves (store_row *, sorted here) as v says; rows are modified
 * in place (their depth and row type).  Multi-valued instance category
 * columns (MV|MVI) give one leaf per value (PidTagInstanceNum 1..n). */
void store_rows_categorize(apr_pool_t *pool, apr_array_header_t *leaves,
                           const store_category_view *v,
                           store_category_result *out);
/* The value a sort order looks at in row (tmp holds an MV instance's
 * single value), or NULL when the row has none. */
const rop_propval *store_row_sort_value(const store_row *row,
                                        const rop_sort_order *o,
                                        rop_propval *tmp);
/* The state of a header row: 1 expanded, 0 collapsed. */
int store_category_expanded(const store_row *header);
/* The level (PidTagDepth) of a row, 0 if it has none. */
uint32_t store_row_depth(const store_row *row);

#endif
