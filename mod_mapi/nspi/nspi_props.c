/*
 * nspi_props.c: the property values of directory objects and their
 * encodings ([MS-OXCMAPIHTTP] 2.2.1: AddressBookPropertyValue with
 * HasValue, AddressBookPropertyRow with its flagged form, 4-byte counts).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <apr_strings.h>

#include "nspi/nspi.h"

/* GUID_NSPI, the ProviderUID of permanent EntryIDs ([MS-OXNSPI] 2.2.1.12). */
static const uint8_t guid_nspi[16] = {
    0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
    0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82
};

static uint32_t obj_display_type(const nspi_obj *o)
{
    switch (o->kind) {
    case NSPI_KIND_DISTLIST: return NSPI_DT_DISTLIST;
    case NSPI_KIND_CONTACT: return NSPI_DT_REMOTE_USER;
    default: return NSPI_DT_MAILUSER;
    }
}

static uint32_t obj_object_type(const nspi_obj *o)
{
    return o->kind == NSPI_KIND_DISTLIST ? NSPI_MAPI_DISTLIST
                                         : NSPI_MAPI_MAILUSER;
}

void nspi_entryid(apr_pool_t *pool, const nspi_dir *dir, const nspi_obj *o,
                  int ephemeral, const uint8_t **eid_r, size_t *len_r)
{
    mapi_wr wr;

    mapi_wr_init(&wr, pool, 4096);
    /* ID type (1 byte), R1..R3 (3 bytes), ProviderUID, R4 = 1, DisplayType */
    mapi_wr_u8(&wr, ephemeral ? 0x87 : 0x00);
    mapi_wr_zero(&wr, 3);
    mapi_wr_bytes(&wr, ephemeral ? dir->server_guid : guid_nspi, 16);
    mapi_wr_u32(&wr, 1);
    mapi_wr_u32(&wr, obj_display_type(o));
    if (ephemeral)
        mapi_wr_u32(&wr, o->mid);
    else
        mapi_wr_str8(&wr, o->legacy_dn ? o->legacy_dn : "");
    *eid_r = wr.buf;
    *len_r = wr.len;
}

static void set_str(nspi_val *v, const char *s)
{
    if (s && *s)
        v->s = s;
    else
        v->err = NSPI_E_NOT_FOUND;
}

static void set_bin(nspi_val *v, const void *p, size_t n)
{
    v->bin = p;
    v->bin_len = n;
}

static apr_array_header_t *proxy_addresses(apr_pool_t *pool,
                                           const nspi_obj *o)
{
    apr_array_header_t *a = apr_array_make(pool, 4, sizeof(const char *));

    for (int i = 0; o->smtp_all && i < o->smtp_all->nelts; i++) {
        const char *s = APR_ARRAY_IDX(o->smtp_all, i, const char *);
        int primary = o->smtp ? strcasecmp(s, o->smtp) == 0 : i == 0;
        APR_ARRAY_PUSH(a, const char *) =
            apr_pstrcat(pool, primary ? "SMTP:" : "smtp:", s, NULL);
    }
    if (o->legacy_dn)
        APR_ARRAY_PUSH(a, const char *) =
            apr_pstrcat(pool, "X500:", o->legacy_dn, NULL);
    return a;
}

/* PidTagSearchKey: "EX:" and the upper-case DN with its NUL
 * ([MS-OXCPRPT] 2.2.1.9 form used for address book entries). */
static void search_key(apr_pool_t *pool, const nspi_obj *o, nspi_val *v)
{
    char *k = apr_pstrcat(pool, "EX:", o->legacy_dn ? o->legacy_dn : "",
                          NULL);

    for (char *p = k; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    set_bin(v, k, strlen(k) + 1);
}

static void set_blobs(nspi_val *v, apr_array_header_t *a)
{
    if (a && a->nelts > 0)
        v->mvb = a;
    else
        v->err = NSPI_E_NOT_FOUND;
}

/* The string attributes of mail users, by property id. */
static const char *attr_str(const nspi_obj *o, uint16_t id, int *known_r)
{
    const nspi_attrs *a = &o->attrs;

    *known_r = 1;
    switch (id) {
    case NSPI_ID(NSPI_TAG_GIVEN_NAME): return a->given_name;
    case NSPI_ID(NSPI_TAG_SURNAME): return a->surname;
    case NSPI_ID(NSPI_TAG_INITIALS): return a->initials;
    case NSPI_ID(NSPI_TAG_TITLE): return a->title;
    case NSPI_ID(NSPI_TAG_DEPARTMENT): return a->department;
    case NSPI_ID(NSPI_TAG_COMPANY): return a->company;
    case NSPI_ID(NSPI_TAG_OFFICE): return a->office;
    case NSPI_ID(NSPI_TAG_BUSINESS_PHONE):
    case NSPI_ID(NSPI_TAG_PRIMARY_PHONE): return a->business_phone;
    case NSPI_ID(NSPI_TAG_MOBILE_PHONE): return a->mobile_phone;
    case NSPI_ID(NSPI_TAG_HOME_PHONE): return a->home_phone;
    case NSPI_ID(NSPI_TAG_STREET): return a->street;
    case NSPI_ID(NSPI_TAG_LOCALITY): return a->city;
    case NSPI_ID(NSPI_TAG_POSTAL_CODE): return a->postal_code;
    case NSPI_ID(NSPI_TAG_COUNTRY): return a->country;
    }
    *known_r = 0;
    return NULL;
}

/* Values by property id; the type of the request decides the encoding. */
static void obj_value(const nspi_dir *dir, const nspi_obj *o, uint32_t tag,
                      uint32_t flags, apr_pool_t *pool, nspi_val *v)
{
    const nspi_attrs *a = &o->attrs;
    const uint8_t *eid;
    const char *str;
    size_t len;
    int known;

    str = attr_str(o, NSPI_ID(tag), &known);
    if (known) {
        set_str(v, str);
        v->tag |= NSPI_PT_UNICODE;
        return;
    }
    switch (NSPI_TAG(NSPI_ID(tag), 0)) {
    case NSPI_TAG(NSPI_ID(NSPI_TAG_DISPLAY_NAME), 0):
    case NSPI_TAG(NSPI_ID(NSPI_TAG_DISPLAY_PRINTABLE), 0):
    case NSPI_TAG(NSPI_ID(NSPI_TAG_TRANSMITTABLE_NAME), 0):
        set_str(v, o->display_name); v->tag |= NSPI_PT_UNICODE; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_EMAIL_ADDRESS), 0):
    case NSPI_TAG(NSPI_ID(NSPI_TAG_AB_OBJECT_DN), 0):
        set_str(v, o->legacy_dn); v->tag |= NSPI_PT_UNICODE; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_INITIAL_DETAILS), 0):
        v->tag |= NSPI_PT_LONG; v->l = 0; return;   /* the General page */
    case NSPI_TAG(NSPI_ID(NSPI_TAG_ADDRTYPE), 0):
        set_str(v, "EX"); v->tag |= NSPI_PT_UNICODE; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_SMTP_ADDRESS), 0):
        set_str(v, o->smtp); v->tag |= NSPI_PT_UNICODE; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_ACCOUNT), 0):
        set_str(v, o->alias); v->tag |= NSPI_PT_UNICODE; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_PROXY_ADDRESSES), 0):
        v->tag |= NSPI_PT_MV | NSPI_PT_UNICODE;
        v->mv = proxy_addresses(pool, o);
        return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_OBJECT_TYPE), 0):
        v->tag |= NSPI_PT_LONG; v->l = obj_object_type(o); return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_AB_MANAGER_DN), 0):
        set_str(v, o->manager ? o->manager->legacy_dn : NULL);
        v->tag |= NSPI_PT_UNICODE; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_AB_TARGET_ADDRESS), 0):
        set_str(v, o->target ? apr_pstrcat(pool, "SMTP:", o->target, NULL)
                             : NULL);
        v->tag |= NSPI_PT_UNICODE; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_THUMBNAIL_PHOTO), 0):
        v->tag |= NSPI_PT_BINARY;
        if (a->photo.len)
            set_bin(v, a->photo.data, a->photo.len);
        else
            v->err = NSPI_E_NOT_FOUND;
        return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_USER_X509), 0):
        v->tag |= NSPI_PT_MV | NSPI_PT_BINARY; set_blobs(v, a->user_certs);
        return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_AB_X509), 0):
        v->tag |= NSPI_PT_MV | NSPI_PT_BINARY; set_blobs(v, a->ab_certs);
        return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_DISPLAY_TYPE), 0):
        v->tag |= NSPI_PT_LONG; v->l = obj_display_type(o); return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_DISPLAY_TYPE_EX), 0):
        v->tag |= NSPI_PT_LONG; v->l = obj_display_type(o); return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_AB_CONTAINER_ID), 0):
        v->tag |= NSPI_PT_LONG; v->l = 0; return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_ENTRYID), 0):
        nspi_entryid(pool, dir, o, (flags & NSPI_FLAG_EPHID) != 0, &eid,
                     &len);
        v->tag |= NSPI_PT_BINARY; set_bin(v, eid, len); return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_RECORD_KEY), 0):
    case NSPI_TAG(NSPI_ID(NSPI_TAG_TEMPLATEID), 0):
        nspi_entryid(pool, dir, o, 0, &eid, &len);
        v->tag |= NSPI_PT_BINARY; set_bin(v, eid, len); return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_INSTANCE_KEY), 0): {
        uint8_t *k = apr_palloc(pool, 4);
        k[0] = o->mid & 0xFF; k[1] = (o->mid >> 8) & 0xFF;
        k[2] = (o->mid >> 16) & 0xFF; k[3] = o->mid >> 24;
        v->tag |= NSPI_PT_BINARY; set_bin(v, k, 4); return;
    }
    case NSPI_TAG(NSPI_ID(NSPI_TAG_MAPPING_SIGNATURE), 0):
        v->tag |= NSPI_PT_BINARY; set_bin(v, dir->server_guid, 16); return;
    case NSPI_TAG(NSPI_ID(NSPI_TAG_SEARCH_KEY), 0):
        v->tag |= NSPI_PT_BINARY; search_key(pool, o, v); return;
    }
    v->tag |= NSPI_TYPE(tag) ? NSPI_TYPE(tag) : NSPI_PT_ERROR;
    v->err = NSPI_E_NOT_FOUND;
}

/* String types of either width are the same property; any other type
 * that is not the property's own is NotFound, as for a missing one. */
static int type_fits(uint16_t asked, uint16_t real)
{
    uint16_t a = asked & ~NSPI_PT_MV, r = real & ~NSPI_PT_MV;

    if (asked == NSPI_PT_UNSPECIFIED || asked == real)
        return 1;
    if ((asked & NSPI_PT_MV) != (real & NSPI_PT_MV))
        return 0;
    return (a == NSPI_PT_STRING8 || a == NSPI_PT_UNICODE) &&
           (r == NSPI_PT_STRING8 || r == NSPI_PT_UNICODE);
}

void nspi_prop_get(const nspi_dir *dir, const nspi_obj *obj, uint32_t tag,
                   uint32_t flags, apr_pool_t *pool, nspi_val *v)
{
    uint16_t asked = NSPI_TYPE(tag);

    memset(v, 0, sizeof(*v));
    v->tag = NSPI_TAG(NSPI_ID(tag), 0);
    obj_value(dir, obj, tag, flags, pool, v);
    if (!type_fits(asked, NSPI_TYPE(v->tag))) {
        memset(v, 0, sizeof(*v));
        v->tag = tag;
        v->err = NSPI_E_NOT_FOUND;
        return;
    }
    /* The caller's string width wins over the stored one. */
    if (asked != NSPI_PT_UNSPECIFIED)
        v->tag = tag;
}

static const uint32_t mailuser_tags[] = {
    NSPI_TAG_ENTRYID, NSPI_TAG_OBJECT_TYPE, NSPI_TAG_RECORD_KEY,
    NSPI_TAG_MAPPING_SIGNATURE, NSPI_TAG_INSTANCE_KEY, NSPI_TAG_DISPLAY_NAME,
    NSPI_TAG_ADDRTYPE, NSPI_TAG_EMAIL_ADDRESS, NSPI_TAG_SEARCH_KEY,
    NSPI_TAG_DISPLAY_TYPE, NSPI_TAG_TEMPLATEID, NSPI_TAG_DISPLAY_TYPE_EX,
    NSPI_TAG_SMTP_ADDRESS, NSPI_TAG_DISPLAY_PRINTABLE, NSPI_TAG_ACCOUNT,
    NSPI_TAG_PROXY_ADDRESSES, NSPI_TAG_AB_CONTAINER_ID,
    NSPI_TAG_GIVEN_NAME, NSPI_TAG_SURNAME, NSPI_TAG_TITLE,
    NSPI_TAG_DEPARTMENT, NSPI_TAG_OFFICE, NSPI_TAG_BUSINESS_PHONE,
    NSPI_TAG_MOBILE_PHONE, NSPI_TAG_INITIALS, NSPI_TAG_COMPANY,
    NSPI_TAG_HOME_PHONE, NSPI_TAG_STREET, NSPI_TAG_LOCALITY,
    NSPI_TAG_POSTAL_CODE, NSPI_TAG_COUNTRY, NSPI_TAG_AB_MANAGER_DN,
    NSPI_TAG_AB_TARGET_ADDRESS, NSPI_TAG_THUMBNAIL_PHOTO,
    NSPI_TAG_USER_X509, NSPI_TAG_AB_X509,
    /* the rest of [MS-OXNSPI] 3.1.4.4.2's required properties */
    NSPI_TAG_TRANSMITTABLE_NAME, NSPI_TAG_INITIAL_DETAILS,
    NSPI_TAG_AB_OBJECT_DN
};
#define N_MAILUSER_TAGS (sizeof(mailuser_tags) / sizeof(mailuser_tags[0]))

/* Whether obj holds a value for tag (attributes the configuration does
 * not have are left out of the property list). */
static int obj_has(const nspi_obj *o, uint32_t tag)
{
    int known;
    const char *s = attr_str(o, NSPI_ID(tag), &known);

    if (known)
        return s != NULL;
    switch (tag) {
    case NSPI_TAG_SMTP_ADDRESS: return o->smtp != NULL;
    case NSPI_TAG_ACCOUNT: return o->alias != NULL;
    case NSPI_TAG_AB_MANAGER_DN: return o->manager != NULL;
    case NSPI_TAG_AB_TARGET_ADDRESS: return o->target != NULL;
    case NSPI_TAG_THUMBNAIL_PHOTO: return o->attrs.photo.len > 0;
    case NSPI_TAG_USER_X509:
        return o->attrs.user_certs && o->attrs.user_certs->nelts > 0;
    case NSPI_TAG_AB_X509:
        return o->attrs.ab_certs && o->attrs.ab_certs->nelts > 0;
    }
    return 1;
}

const uint32_t *nspi_prop_list(apr_pool_t *pool, const nspi_obj *obj,
                               int string8, unsigned *n_r)
{
    uint32_t *out = apr_palloc(pool, sizeof(mailuser_tags));
    unsigned n = 0;

    for (size_t i = 0; i < N_MAILUSER_TAGS; i++) {
        uint32_t t = mailuser_tags[i];

        if (obj != NULL && !obj_has(obj, t))
            continue;
        if (string8 && (NSPI_TYPE(t) & ~NSPI_PT_MV) == NSPI_PT_UNICODE)
            t = (t & 0xFFFF0000u) | (NSPI_TYPE(t) & NSPI_PT_MV) |
                NSPI_PT_STRING8;
        out[n++] = t;
    }
    *n_r = n;
    return out;
}

/* ---- code pages */

static const char *iconv_conv(apr_pool_t *pool, const char *s,
                              const char *to, const char *from)
{
    iconv_t cd = iconv_open(to, from);
    size_t in_left = strlen(s), out_cap = in_left * 4 + 4, out_left = out_cap;
    char *out = apr_palloc(pool, out_cap), *op = out, *ip = (char *)s;

    if (cd == (iconv_t)-1)
        return NULL;
    while (in_left > 0) {
        if (iconv(cd, &ip, &in_left, &op, &out_left) != (size_t)-1)
            break;
        if (out_left < 2)
            break;
        /* Unmappable or invalid: one '?' for the byte (or character),
         * skipping UTF-8 continuation bytes. */
        *op++ = '?';
        out_left--;
        ip++;
        in_left--;
        while (in_left > 0 && (((unsigned char)*ip & 0xC0) == 0x80) &&
               strcmp(from, "UTF-8") == 0) {
            ip++;
            in_left--;
        }
    }
    iconv_close(cd);
    *op = '\0';
    return out;
}

static int cp_is_utf8(uint32_t cp)
{
    return cp == NSPI_CP_UTF8 || cp == NSPI_CP_UNICODE || cp == 0;
}

/* The iconv name of a Windows code page: "CPnnnn" for the ones glibc
 * knows by number, the standard names of the others. */
static const char *cp_name(char *buf, size_t size, uint32_t cp)
{
    static const struct { uint32_t cp; const char *name; } names[] = {
        { 20127, "ASCII" }, { 20261, "T.61-8BIT" }, { 20866, "KOI8-R" },
        { 21866, "KOI8-U" }, { 50220, "ISO-2022-JP" }, { 51932, "EUC-JP" },
        { 51949, "EUC-KR" }, { 54936, "GB18030" }, { 936, "GBK" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].cp == cp)
            return names[i].name;
    if (cp >= 28591 && cp <= 28605)
        snprintf(buf, size, "ISO-8859-%u", cp - 28590);
    else
        snprintf(buf, size, "CP%u", cp);
    return buf;
}

int nspi_codepage_known(uint32_t codepage)
{
    char name[32];
    iconv_t cd;

    if (cp_is_utf8(codepage))
        return 1;
    if ((cd = iconv_open(cp_name(name, sizeof(name), codepage), "UTF-8"))
        == (iconv_t)-1)
        return 0;
    iconv_close(cd);
    return 1;
}

const char *nspi_to_codepage(apr_pool_t *pool, const char *utf8,
                             uint32_t codepage)
{
    char name[32];
    const char *r;

    if (cp_is_utf8(codepage))
        return utf8;
    r = iconv_conv(pool, utf8, cp_name(name, sizeof(name), codepage),
                   "UTF-8");
    if (r == NULL) {
        /* A code page iconv does not know: ASCII, '?' for the rest. */
        char *c = apr_pstrdup(pool, utf8), *o = c;
        for (const unsigned char *p = (const unsigned char *)utf8; *p; p++)
            if (*p < 0x80)
                *o++ = (char)*p;
            else if ((*p & 0xC0) != 0x80)
                *o++ = '?';
        *o = '\0';
        r = c;
    }
    return r;
}

const char *nspi_from_codepage(apr_pool_t *pool, const char *s,
                               uint32_t codepage)
{
    char name[32];
    const char *r;

    if (cp_is_utf8(codepage))
        return s;
    r = iconv_conv(pool, s, "UTF-8", cp_name(name, sizeof(name), codepage));
    return r ? r : s;
}

/* ---- encodings */

/* Writes the value part (after any HasValue) of one property. */
static int wr_plain(mapi_wr *wr, uint16_t type, const nspi_val *v,
                    uint32_t codepage, apr_pool_t *pool)
{
    switch (type) {
    case NSPI_PT_LONG:
    case NSPI_PT_ERROR:
        return mapi_wr_u32(wr, v->l);
    case NSPI_PT_BOOLEAN:
        return mapi_wr_u8(wr, v->l ? 1 : 0);
    case NSPI_PT_UNICODE:
        return mapi_wr_str16(wr, v->s ? v->s : "");
    case NSPI_PT_STRING8:
        return mapi_wr_str8(wr, nspi_to_codepage(pool, v->s ? v->s : "",
                                                 codepage));
    case NSPI_PT_BINARY:
        mapi_wr_u32(wr, (uint32_t)v->bin_len);
        return mapi_wr_bytes(wr, v->bin, v->bin_len);
    case NSPI_PT_MV | NSPI_PT_BINARY:
        mapi_wr_u32(wr, v->mvb ? (uint32_t)v->mvb->nelts : 0);
        for (int i = 0; v->mvb && i < v->mvb->nelts; i++) {
            const cfg_blob *b = &APR_ARRAY_IDX(v->mvb, i, cfg_blob);
            mapi_wr_u32(wr, (uint32_t)b->len);
            mapi_wr_bytes(wr, b->data, b->len);
        }
        return wr->failed ? -1 : 0;
    case NSPI_PT_MV | NSPI_PT_UNICODE:
    case NSPI_PT_MV | NSPI_PT_STRING8:
        mapi_wr_u32(wr, v->mv ? (uint32_t)v->mv->nelts : 0);
        for (int i = 0; v->mv && i < v->mv->nelts; i++) {
            const char *s = APR_ARRAY_IDX(v->mv, i, const char *);
            if ((type & ~NSPI_PT_MV) == NSPI_PT_UNICODE)
                mapi_wr_str16(wr, s);
            else
                mapi_wr_str8(wr, nspi_to_codepage(pool, s, codepage));
        }
        return wr->failed ? -1 : 0;
    }
    return mapi_wr_u32(wr, NSPI_E_NOT_FOUND);
}

static int has_value_byte(uint16_t type)
{
    uint16_t t = type & ~NSPI_PT_MV;

    return (type & NSPI_PT_MV) || t == NSPI_PT_STRING8 ||
           t == NSPI_PT_UNICODE || t == NSPI_PT_BINARY;
}

int nspi_wr_value(mapi_wr *wr, uint16_t type, const nspi_val *v,
                  uint32_t codepage)
{
    apr_pool_t *pool = wr->pool;
    apr_pool_t *tmp = NULL;
    int rc;

    if (pool == NULL) {
        apr_pool_create(&tmp, NULL);
        pool = tmp;
    }
    if (has_value_byte(type))
        mapi_wr_u8(wr, 0xFF);
    rc = wr_plain(wr, type, v, codepage, pool);
    if (tmp)
        apr_pool_destroy(tmp);
    return rc != 0 || wr->failed ? -1 : 0;
}

/* The type a column's value is written with: the column's own, or the
 * property's when the column says PT_UNSPECIFIED. */
static uint16_t col_type(uint32_t col, const nspi_val *v)
{
    return NSPI_TYPE(col) ? NSPI_TYPE(col) : NSPI_TYPE(v->tag);
}

int nspi_wr_row(mapi_wr *wr, const nspi_dir *dir, const nspi_obj *obj,
                const uint32_t *cols, unsigned n_cols, uint32_t flags,
                uint32_t codepage, apr_pool_t *pool)
{
    nspi_val *vals = apr_pcalloc(pool, (n_cols ? n_cols : 1) *
                                       sizeof(*vals));
    int flagged = 0;

    for (unsigned i = 0; i < n_cols; i++) {
        nspi_prop_get(dir, obj, cols[i], flags, pool, &vals[i]);
        if (vals[i].err != NSPI_OK || NSPI_TYPE(cols[i]) == 0)
            flagged |= vals[i].err != NSPI_OK;
    }
    /* Flags 0x0: plain values; 0x1: each with a flag byte (0x0 value,
     * 0xA error code) because some column has no value. */
    mapi_wr_u8(wr, flagged ? 0x1 : 0x0);
    for (unsigned i = 0; i < n_cols; i++) {
        const nspi_val *v = &vals[i];
        int unspec = NSPI_TYPE(cols[i]) == NSPI_PT_UNSPECIFIED;
        uint16_t t = v->err ? NSPI_PT_ERROR : col_type(cols[i], v);

        if (unspec)
            mapi_wr_u16(wr, t);
        if (flagged)
            mapi_wr_u8(wr, v->err ? 0xA : 0x0);
        if (v->err)
            mapi_wr_u32(wr, v->err);
        else
            nspi_wr_value(wr, t, v, codepage);
    }
    return wr->failed ? -1 : 0;
}

void nspi_wr_error_row(mapi_wr *wr, const uint32_t *cols, unsigned n_cols,
                       uint32_t err)
{
    /* The flagged form: each column's flag 0xA and its error code; an
     * unspecified column says PtypErrorCode first. */
    mapi_wr_u8(wr, 0x1);
    for (unsigned i = 0; i < n_cols; i++) {
        if (NSPI_TYPE(cols[i]) == NSPI_PT_UNSPECIFIED)
            mapi_wr_u16(wr, NSPI_PT_ERROR);
        mapi_wr_u8(wr, 0xA);
        mapi_wr_u32(wr, err);
    }
}
