/*
 * nspi.h: the address book ([MS-OXNSPI]) behind the /mapi/nspi/ endpoint.
 * No httpd dependency: mh_nspi.c hands a request type's body to
 * nspi_call() and sends what it writes.
 *
 *   nspi_dir.c    the directory view: objects, their MIds, sort order
 *   nspi_stat.c   STAT positioning ([MS-OXNSPI] 2.3.7, 3.1.4.5)
 *   nspi_props.c  property values of an object, rows, property lists
 *   nspi_codec.c  request and response bodies ([MS-OXCMAPIHTTP] 2.2.5)
 *   nspi_res.c    restrictions (GetMatches) and ambiguous name resolution
 *   nspi_tmpl.c   display and address creation templates ([MS-OXOABKT])
 *   nspi_ops.c    the request types
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_NSPI_H
#define MAPI_NSPI_H

#include <stdint.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "db/mapi_db.h"
#include "configdb/cfg_db.h"
#include "wire/mapi_rd.h"

/* ---- limits: every count read from a request is checked against these
 * before anything is allocated from it. */
#define NSPI_MAX_ROWS      4096   /* rows asked for or MIds sent in one call */
#define NSPI_MAX_TAGS      256    /* property tags in one column set */
#define NSPI_MAX_NAMES     1024   /* names of DNToMId and ResolveNames */
#define NSPI_MAX_RES_DEPTH 16     /* nesting of and/or/not restrictions */
#define NSPI_MAX_RES_NODES 256    /* restriction nodes in one filter */
#define NSPI_MAX_STR       2048   /* characters of a string in a request */
#define NSPI_MAX_BIN       65536  /* bytes of a binary value in a request */
#define NSPI_MAX_MV        1024   /* values of a multi-valued property */
#define NSPI_MAX_REPLY     (4 * 1024 * 1024)  /* response body bytes */

/* ---- [MS-OXNSPI] 2.2.1 constants */
#define NSPI_MID_BEGINNING_OF_TABLE 0u
#define NSPI_MID_CURRENT            1u
#define NSPI_MID_END_OF_TABLE       2u
#define NSPI_MID_UNRESOLVED         0u
#define NSPI_MID_AMBIGUOUS          1u
#define NSPI_MID_FIRST              16u  /* 0-15 are reserved values */

#define NSPI_SORT_DISPLAYNAME       0x00000000u
#define NSPI_SORT_PHONETIC          0x00000003u
#define NSPI_SORT_DISPLAYNAME_RO    0x000003E8u
#define NSPI_SORT_DISPLAYNAME_W     0x000003E9u

#define NSPI_FLAG_SKIP_OBJECTS      0x00000001u  /* fSkipObjects */
#define NSPI_FLAG_EPHID             0x00000002u  /* fEphID */
#define NSPI_ST_ADDRESS_TEMPLATES   0x00000002u  /* NspiAddressCreationTemplates */
#define NSPI_ST_UNICODE             0x00000004u  /* NspiUnicodeStrings */
#define NSPI_QC_UNICODE             0x80000000u  /* NspiUnicodeProptypes */

#define NSPI_CP_UNICODE             1200u
#define NSPI_CP_UTF8                65001u

/* [MS-OXNSPI] 2.2.1.2 / [MS-OXCDATA] 2.4 error codes */
#define NSPI_OK                 0x00000000u
#define NSPI_E_NOT_FOUND        0x8004010Fu
#define NSPI_E_NOT_SUPPORTED    0x80040102u
#define NSPI_E_INVALID_OBJECT   0x80040108u
#define NSPI_E_INVALID_CODEPAGE 0x8004011Eu
#define NSPI_E_INVALID_LOCALE   0x8004011Fu
#define NSPI_E_ACCESS_DENIED    0x80070005u
#define NSPI_E_TOO_COMPLEX      0x80040117u
#define NSPI_E_TABLE_TOO_BIG    0x80040403u
#define NSPI_E_INVALID_BOOKMARK 0x80040405u
#define NSPI_E_INVALID_PARAM    0x80070057u
#define NSPI_E_GENERAL_FAILURE  0x80004005u
#define NSPI_E_OUT_OF_MEMORY    0x8007000Eu
#define NSPI_W_ERRORS_RETURNED  0x00040380u

/* property types */
#define NSPI_PT_UNSPECIFIED 0x0000u
#define NSPI_PT_NULL        0x0001u
#define NSPI_PT_SHORT       0x0002u
#define NSPI_PT_LONG        0x0003u
#define NSPI_PT_ERROR       0x000Au
#define NSPI_PT_BOOLEAN     0x000Bu
#define NSPI_PT_I8          0x0014u
#define NSPI_PT_STRING8     0x001Eu
#define NSPI_PT_UNICODE     0x001Fu
#define NSPI_PT_SYSTIME     0x0040u
#define NSPI_PT_CLSID       0x0048u
#define NSPI_PT_OBJECT      0x000Du
#define NSPI_PT_BINARY      0x0102u
#define NSPI_PT_MV          0x1000u
#define NSPI_TYPE(t)        ((uint16_t)((t) & 0xFFFFu))
#define NSPI_ID(t)          ((uint16_t)((t) >> 16))
#define NSPI_TAG(id, ty)    (((uint32_t)(id) << 16) | (ty))

/* property tags the directory serves (string tags in their Unicode form) */
#define NSPI_TAG_ENTRYID            0x0FFF0102u
#define NSPI_TAG_OBJECT_TYPE        0x0FFE0003u
#define NSPI_TAG_RECORD_KEY         0x0FF90102u
#define NSPI_TAG_MAPPING_SIGNATURE  0x0FF80102u
#define NSPI_TAG_INSTANCE_KEY       0x0FF60102u
#define NSPI_TAG_DISPLAY_NAME       0x3001001Fu
#define NSPI_TAG_ADDRTYPE           0x3002001Fu
#define NSPI_TAG_EMAIL_ADDRESS      0x3003001Fu
#define NSPI_TAG_DEPTH              0x30050003u
#define NSPI_TAG_SEARCH_KEY         0x300B0102u
#define NSPI_TAG_CONTAINER_FLAGS    0x36000003u
#define NSPI_TAG_DISPLAY_TYPE       0x39000003u
#define NSPI_TAG_TEMPLATEID         0x39020102u
#define NSPI_TAG_DISPLAY_TYPE_EX    0x39050003u
#define NSPI_TAG_SMTP_ADDRESS       0x39FE001Fu
#define NSPI_TAG_DISPLAY_PRINTABLE  0x39FF001Fu
#define NSPI_TAG_ACCOUNT            0x3A00001Fu
#define NSPI_TAG_GIVEN_NAME         0x3A06001Fu
#define NSPI_TAG_BUSINESS_PHONE     0x3A08001Fu
#define NSPI_TAG_SURNAME            0x3A11001Fu
#define NSPI_TAG_TITLE              0x3A17001Fu
#define NSPI_TAG_DEPARTMENT         0x3A18001Fu
#define NSPI_TAG_OFFICE             0x3A19001Fu
#define NSPI_TAG_PRIMARY_PHONE      0x3A1A001Fu
#define NSPI_TAG_MOBILE_PHONE       0x3A1C001Fu
#define NSPI_TAG_HOME_PHONE         0x3A09001Fu
#define NSPI_TAG_INITIALS           0x3A0A001Fu
#define NSPI_TAG_COMPANY            0x3A16001Fu
#define NSPI_TAG_COUNTRY            0x3A26001Fu
#define NSPI_TAG_LOCALITY           0x3A27001Fu
#define NSPI_TAG_STREET             0x3A29001Fu
#define NSPI_TAG_POSTAL_CODE        0x3A2A001Fu
#define NSPI_TAG_TRANSMITTABLE_NAME 0x3A20001Fu
#define NSPI_TAG_INITIAL_DETAILS    0x3F080003u
#define NSPI_TAG_AB_OBJECT_DN       0x803C001Fu
#define NSPI_TAG_USER_X509          0x3A701102u
#define NSPI_TAG_AB_MANAGER         0x8005000Du  /* object: GetMatches */
#define NSPI_TAG_AB_MANAGER_DN      0x8005001Fu
#define NSPI_TAG_AB_IS_MEMBER_OF    0x8008000Du  /* object: GetMatches */
#define NSPI_TAG_AB_MEMBER          0x8009000Du  /* object: GetMatches */
#define NSPI_TAG_AB_REPORTS         0x800E000Du  /* object: GetMatches */
#define NSPI_TAG_PROXY_ADDRESSES    0x800F101Fu
#define NSPI_TAG_AB_TARGET_ADDRESS  0x8011001Fu
#define NSPI_TAG_AB_PUBLIC_DELEGATES 0x8015000Du
#define NSPI_TAG_AB_X509            0x8C6A1102u
#define NSPI_TAG_THUMBNAIL_PHOTO    0x8C9E0102u
#define NSPI_TAG_AB_IS_MASTER       0xFFFB000Bu
#define NSPI_TAG_AB_PARENT_ENTRYID  0xFFFC0102u
#define NSPI_TAG_AB_CONTAINER_ID    0xFFFD0003u

#define NSPI_MAPI_MAILUSER   6u
#define NSPI_MAPI_DISTLIST   8u
#define NSPI_MAPI_ABCONT     4u
#define NSPI_DT_MAILUSER     0x00000000u
#define NSPI_DT_DISTLIST     0x00000001u
#define NSPI_DT_REMOTE_USER  0x00000006u
#define NSPI_DT_CONTAINER    0x00000100u
#define NSPI_DT_ADDRESS_TEMPLATE 0x00000102u
#define NSPI_DT_GLOBAL       0x00020000u

/* ---- the directory view (nspi_dir.c) */

/* What a directory object is: a mailbox (DT_MAILUSER), a distribution
 * group (DT_DISTLIST) or a mail contact (DT_REMOTE_MAILUSER); all served
 * by the same property code. */
typedef enum nspi_kind {
    NSPI_KIND_MAILUSER = 0, NSPI_KIND_DISTLIST, NSPI_KIND_CONTACT
} nspi_kind;

/* The directory attributes a row is built from (the configuration's own
 * record: what is not set stays NULL and its columns answer NotFound). */
typedef cfg_dir_attrs nspi_attrs;

typedef struct nspi_obj {
    uint32_t mid;                 /* stable Minimal Entry ID */
    nspi_kind kind;
    uint8_t guid[16];             /* directory object GUID */
    const char *display_name;
    const char *alias;            /* PidTagAccount */
    const char *legacy_dn;        /* PidTagEmailAddress (EX) */
    const char *smtp;             /* primary SMTP address */
    apr_array_header_t *smtp_all; /* every SMTP address, primary first */
    nspi_attrs attrs;             /* mail users */
    const char *target;           /* contacts: the external address */
    const char *managed_by;       /* groups: the owner's DN, or NULL */
    apr_array_header_t *member_dns;   /* groups: member DNs as stored */
    /* Links resolved over the whole view (nspi_dir_link): members of a
     * group, groups an object is a member of, a user's manager and
     * direct reports (const nspi_obj *).  Dangling DNs are left out. */
    apr_array_header_t *members, *member_of, *reports;
    const struct nspi_obj *manager;
} nspi_obj;

typedef struct nspi_dir {
    apr_pool_t *pool;
    uint8_t server_guid[16];      /* the GUID Bind returned */
    const char *org_dn;           /* "/o=<org>/ou=<admin group>" */
    nspi_obj **rows;              /* sorted by display name (GAL order) */
    unsigned n;
    void *collator;               /* UCollator of sort_locale, or NULL */
    uint32_t sort_locale;
    void *cached;                 /* the process cache entry it copies */
} nspi_dir;

/* Loads the GAL: every mailbox of the configuration, each with the MId
 * stored for its GUID in the shared environment (assigned on first sight,
 * so every httpd child agrees).  0, or -1 with *error_r. */
int nspi_dir_load(mapi_db *db, apr_pool_t *pool, const cfg_org *org,
                  nspi_dir **dir_r, const char **error_r);
/* The view of the configuration's current directory generation from the
 * process's cache (loaded with nspi_dir_load when the generation moved);
 * the request's own copy, valid for pool's life.  0 or -1. */
int nspi_dir_get(mapi_db *db, apr_pool_t *pool, const cfg_org *org,
                 nspi_dir **dir_r, const char **error_r);
/* An empty view, for building directories without a database (tests). */
nspi_dir *nspi_dir_new(apr_pool_t *pool, const uint8_t server_guid[16],
                       const char *org_dn);
/* Appends an object (mid already set) and keeps the GAL order. */
void nspi_dir_add(nspi_dir *dir, nspi_obj *obj);
/* The object of an MId and its position, or NULL. */
const nspi_obj *nspi_dir_by_mid(const nspi_dir *dir, uint32_t mid,
                                unsigned *pos_r);
/* The object of a legacyExchangeDN (no case), or NULL. */
const nspi_obj *nspi_dir_by_dn(const nspi_dir *dir, const char *dn);
/* GAL order: display names compared without case (ASCII folding; UTF-8
 * bytes beyond ASCII in code point order), then MId. */
int nspi_name_cmp(const char *a, const char *b);
/* Sorts the view by display name under the collation of an LCID (the
 * STAT's SortLocale), ICU's; after it nspi_dir_name_cmp compares the
 * same way.  Without it (or when ICU fails) nspi_name_cmp's order. */
void nspi_dir_sort(nspi_dir *dir, uint32_t sort_locale);
int nspi_dir_name_cmp(const nspi_dir *dir, const char *a, const char *b);
/* A mailbox as a mail user object (mid 0: the caller assigns it). */
nspi_obj *nspi_obj_from_mailbox(apr_pool_t *pool, const cfg_mailbox *m);
nspi_obj *nspi_obj_from_group(apr_pool_t *pool, const cfg_group *g);
nspi_obj *nspi_obj_from_contact(apr_pool_t *pool, const cfg_contact *c);
/* Resolves the links between the objects of dir (members, member of,
 * manager, reports); nspi_dir_load does it, tests call it after adding. */
void nspi_dir_link(nspi_dir *dir);
/* The MId stored for a GUID, assigning the next free one in the same
 * transaction when there is none.  0 or -1 with *error_r. */
int nspi_mid_for_guid(mapi_db *db, apr_pool_t *pool, const uint8_t guid[16],
                      uint32_t *mid_r, const char **error_r);

/* ---- STAT (nspi_stat.c) */

typedef struct nspi_stat {
    uint32_t sort_type, container_id, cur_rec;
    int32_t delta;
    uint32_t num_pos, total_recs, codepage, template_locale, sort_locale;
} nspi_stat;
#define NSPI_STAT_SIZE 36

int nspi_stat_read(mapi_rd *rd, nspi_stat *st);
void nspi_stat_write(mapi_wr *wr, const nspi_stat *st);
/* A STAT as a client sends it when it has none: GAL, beginning, 1252. */
void nspi_stat_default(nspi_stat *st);
/* NSPI_OK when the sort type and container can be served. */
uint32_t nspi_stat_check(const nspi_stat *st);
/* The position CurrentRec (or NumPos for MID_CURRENT) names, before
 * Delta: NSPI_OK or NSPI_E_NOT_FOUND. */
uint32_t nspi_stat_base(const nspi_dir *dir, const nspi_stat *st,
                        unsigned *pos_r);
/* Base position moved by Delta, clamped to [0, n]; *moved_r (may be NULL)
 * the movement actually made. */
uint32_t nspi_stat_seek(const nspi_dir *dir, const nspi_stat *st,
                        unsigned *pos_r, int32_t *moved_r);
/* Writes position pos into st: CurrentRec, NumPos, TotalRecs, Delta 0. */
void nspi_stat_set(const nspi_dir *dir, nspi_stat *st, unsigned pos);

/* ---- property values and rows (nspi_props.c) */

typedef struct nspi_val {
    uint32_t tag;                 /* with its real type */
    uint32_t err;                 /* NSPI_OK, or why there is no value */
    uint32_t l;                   /* PT_LONG, PT_BOOLEAN, PT_ERROR */
    const char *s;                /* PT_UNICODE / PT_STRING8, UTF-8 */
    const uint8_t *bin;           /* PT_BINARY */
    size_t bin_len;
    apr_array_header_t *mv;       /* PT_MV_UNICODE: const char * (UTF-8) */
    apr_array_header_t *mvb;      /* PT_MV_BINARY: cfg_blob */
} nspi_val;

/* Call state shared by the property writers. */
typedef struct nspi_ctx {
    apr_pool_t *pool;
    mapi_db *db;                  /* NULL: dir was given (tests) */
    const cfg_org *org;
    const cfg_mailbox *self;      /* the caller's mailbox */
    nspi_dir *dir;
    /* URLs of the virtual directory ("https://host/mapi"), or NULL. */
    const char *vdir_url;
    const char *error;            /* why a call failed (logs) */
    unsigned max_rows;            /* MapiMaxNspiRows (0: NSPI_MAX_ROWS) */
    int rows_limited;             /* out: a row count was cut to it */
} nspi_ctx;

/* The value of tag (its type may be PT_UNSPECIFIED or a string type of
 * either width) on obj; v->err NSPI_E_NOT_FOUND when it has none. */
void nspi_prop_get(const nspi_dir *dir, const nspi_obj *obj, uint32_t tag,
                   uint32_t flags, apr_pool_t *pool, nspi_val *v);
/* The tags obj has values for (Unicode string types unless string8);
 * obj NULL: every column the directory can have (QueryColumns). */
const uint32_t *nspi_prop_list(apr_pool_t *pool, const nspi_obj *obj,
                               int string8, unsigned *n_r);
/* PidTagEntryId: permanent (DN) or ephemeral (server GUID + MId). */
void nspi_entryid(apr_pool_t *pool, const nspi_dir *dir, const nspi_obj *o,
                  int ephemeral, const uint8_t **eid_r, size_t *len_r);
/* Writes an AddressBookPropertyValue of type (a real type) from v; strings
 * of PT_STRING8 in codepage.  -1 when it does not fit. */
int nspi_wr_value(mapi_wr *wr, uint16_t type, const nspi_val *v,
                  uint32_t codepage);
/* Writes an AddressBookPropertyRow of obj for the columns. */
int nspi_wr_row(mapi_wr *wr, const nspi_dir *dir, const nspi_obj *obj,
                const uint32_t *cols, unsigned n_cols, uint32_t flags,
                uint32_t codepage, apr_pool_t *pool);
/* An AddressBookPropertyRow with every column in error err. */
void nspi_wr_error_row(mapi_wr *wr, const uint32_t *cols, unsigned n_cols,
                       uint32_t err);
/* Converts UTF-8 to an 8-bit code page (unmappable characters become
 * '?'); UTF-8 itself for 65001 and 1200. */
const char *nspi_to_codepage(apr_pool_t *pool, const char *utf8,
                             uint32_t codepage);
const char *nspi_from_codepage(apr_pool_t *pool, const char *s,
                               uint32_t codepage);
/* 1 when strings can be written in codepage (iconv knows it). */
int nspi_codepage_known(uint32_t codepage);

/* Reads a property value of type (a real type) into v: with the HasValue
 * byte of AddressBookPropertyValue when abk, else the plain [MS-OXCDATA]
 * form (restrictions); 4-byte counts either way.  Strings come back
 * UTF-8 (8-bit ones converted from codepage).  0 or -1. */
int nspi_rd_value(mapi_rd *rd, apr_pool_t *pool, uint16_t type, int abk,
                  uint32_t codepage, nspi_val *v);

/* ---- restrictions and ANR (nspi_res.c) */

typedef enum nspi_res_type {
    NSPI_RES_AND = 0x00, NSPI_RES_OR = 0x01, NSPI_RES_NOT = 0x02,
    NSPI_RES_CONTENT = 0x03, NSPI_RES_PROPERTY = 0x04,
    NSPI_RES_BITMASK = 0x06, NSPI_RES_EXIST = 0x08
} nspi_res_type;

typedef struct nspi_res {
    uint8_t type;
    unsigned n;                   /* and/or: children; not: 1 */
    struct nspi_res *sub;
    uint32_t fuzzy;               /* content: FuzzyLevel */
    uint8_t relop;                /* property: RelOp; bitmask: BMR */
    uint32_t tag;
    uint32_t mask;                /* bitmask */
    nspi_val val;                 /* content, property: the value */
} nspi_res;

/* Parses an [MS-OXCDATA] 2.12 restriction with 4-byte counts: 0, or -1
 * when malformed, too deep or too large (*why_r says which). */
int nspi_res_read(mapi_rd *rd, apr_pool_t *pool, uint32_t codepage,
                  nspi_res *res, const char **why_r);
/* 1 when obj satisfies res, 0 when not, -1 for a restriction the
 * directory cannot evaluate (TooComplex). */
int nspi_res_match(const nspi_dir *dir, const nspi_obj *obj,
                   const nspi_res *res, apr_pool_t *pool);
/* Ambiguous name resolution of one name: NSPI_MID_UNRESOLVED,
 * NSPI_MID_AMBIGUOUS or the MId resolved. */
uint32_t nspi_anr(const nspi_dir *dir, const char *name);

/* ---- templates (nspi_tmpl.c) */

#define NSPI_TI_TEMPLATE        0x00000001u
#define NSPI_TI_SCRIPT          0x00000004u
#define NSPI_TAG_TEMPLATE_DATA  0x00010102u
#define NSPI_TAG_SCRIPT_DATA    0x00040102u

typedef struct nspi_tmpl {
    const uint8_t *data;          /* PidTagTemplateData: the TRowSet */
    size_t len;
    const uint8_t *script;        /* PidTagScriptData */
    size_t script_len;
} nspi_tmpl;

/* The template GetTemplateInfo asks for: by DN (the address creation
 * templates), else by display type (mail user, remote mail user,
 * distribution list), strings in codepage and the language of lcid.
 * NSPI_OK, NSPI_E_INVALID_CODEPAGE or NSPI_E_INVALID_LOCALE. */
uint32_t nspi_tmpl_get(apr_pool_t *pool, const nspi_dir *dir,
                       uint32_t display_type, const char *dn,
                       uint32_t codepage, uint32_t lcid, nspi_tmpl *t);
/* The DN of the one-off SMTP address creation template. */
const char *nspi_tmpl_smtp_dn(apr_pool_t *pool, const nspi_dir *dir);
/* RowsCount and the rows of the address creation table. */
void nspi_tmpl_wr_creation_table(mapi_wr *wr, apr_pool_t *pool,
                                 const nspi_dir *dir, uint32_t lcid,
                                 uint32_t codepage);

/* ---- the request types (nspi_ops.c, nspi_codec.c) */

#define NSPI_BODY_OK   0
#define NSPI_BODY_BAD  (-1)   /* Invalid Request Body (X-ResponseCode 12) */
#define NSPI_FAILED    (-2)   /* server failure (ctx->error) */

/* Runs request type name (as [MS-OXCMAPIHTTP] spells it) over body and
 * writes the whole response body (StatusCode ... AuxiliaryBuffer) into
 * wr.  NSPI_BODY_OK, NSPI_BODY_BAD, NSPI_FAILED, or 1 for a request type
 * nspi does not serve. */
int nspi_call(nspi_ctx *ctx, const char *name, const uint8_t *body,
              size_t len, mapi_wr *wr);

#endif
