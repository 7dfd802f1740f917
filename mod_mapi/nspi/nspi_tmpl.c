/*
 * nspi_tmpl.c: the address book's user interface templates ([MS-OXOABKT]):
 * display templates for mail users and distribution lists
 * (GetTemplateInfo without a DN), the one-off SMTP address creation
 * template (GetTemplateInfo with its DN) and the address creation table
 * that lists it (GetSpecialTable with NspiAddressCreationTemplates).
 *
 * A template is a TRowSet ([MS-OXOABKT] 2.2.2.1.1): Type 1, cRows, cRows
 * TRow structures of 36 bytes (position, size, ControlType, ControlFlags,
 * CNTRL{dwType, ulSize, ulString}), then the strings the rows point at
 * (ulString: byte offset from the start of the TRowSet), 8-bit in the
 * code page the client asked for.  The script ([MS-OXOABKT] 2.2.2.2) is
 * a DWORD count and that many instruction DWORDs.
 *
 * The directory is read-only over the address book (members change with
 * ModLinkAtt, the rest with mapi-admin), so display controls carry no
 * DT_EDITABLE flag; the SMTP creation form's fields are editable and
 * required.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

#include "nspi/nspi.h"

/* [MS-OXOABKT] 2.2.2.1.2 ControlType values */
#define DTCT_LABEL     0x0u
#define DTCT_EDIT      0x1u
#define DTCT_LBX       0x2u
#define DTCT_GROUPBOX  0x6u
#define DTCT_PAGE      0x8u
#define DTCT_MVLISTBOX 0xBu
/* ControlFlags */
#define DT_MULTILINE   0x1u
#define DT_EDITABLE    0x2u
#define DT_REQUIRED    0x4u

/* [MS-OXOABKT] 2.2.2.2 script instructions */
#define SCRIPT_HALT    0x00000000u
#define SCRIPT_EMIT    0x00000002u   /* followed by a property tag */

#define TRROW_SIZE 36u

/* One control; the text (label, page title, or the "*" filter of edit
 * and list controls) in English and German. */
typedef struct tmpl_ctl {
    uint32_t x, dx, y, dy, type, flags, prop, size;
    const char *en, *de;
} tmpl_ctl;

/* Layout helpers: a label and its field on one line of a page. */
#define LBL(row, en, de) \
    { 12, 96, 12 + 26 * (row), 16, DTCT_LABEL, 0, 0, 0, en, de }
#define FIELD(row, prop, size, fl) \
    { 112, 240, 10 + 26 * (row), 20, DTCT_EDIT, fl, prop, size, "*", "*" }
#define PAGE(en, de) { 0, 0, 0, 0, DTCT_PAGE, 0, 0, 0, en, de }

static const tmpl_ctl mailuser_ctls[] = {
    PAGE("General", "Allgemein"),
    { 6, 360, 2, 140, DTCT_GROUPBOX, 0, 0, 0, "Name", "Name" },
    LBL(0, "&First:", "&Vorname:"), FIELD(0, 0x3A06001Eu, 64, 0),
    LBL(1, "I&nitials:", "&Initialen:"), FIELD(1, 0x3A0A001Eu, 6, 0),
    LBL(2, "&Last:", "&Nachname:"), FIELD(2, 0x3A11001Eu, 64, 0),
    LBL(3, "&Display:", "&Anzeigename:"), FIELD(3, 0x3001001Eu, 256, 0),
    LBL(4, "&Alias:", "Ali&as:"), FIELD(4, 0x3A00001Eu, 64, 0),
    LBL(5, "&Title:", "&Position:"), FIELD(5, 0x3A17001Eu, 64, 0),
    LBL(6, "&Company:", "&Firma:"), FIELD(6, 0x3A16001Eu, 64, 0),
    LBL(7, "D&epartment:", "Abt&eilung:"), FIELD(7, 0x3A18001Eu, 64, 0),
    LBL(8, "&Office:", "&B\xC3\xBCro:"), FIELD(8, 0x3A19001Eu, 128, 0),
    LBL(9, "Add&ress:", "Adr&esse:"),
    { 112, 240, 244, 46, DTCT_EDIT, DT_MULTILINE, 0x3A29001Eu, 1024,
      "*", "*" },
    LBL(11, "C&ity:", "&Ort:"), FIELD(11, 0x3A27001Eu, 128, 0),
    LBL(12, "&Zip code:", "&PLZ:"), FIELD(12, 0x3A2A001Eu, 40, 0),
    LBL(13, "Co&untry/Region:", "&Land/Region:"),
    FIELD(13, 0x3A26001Eu, 64, 0),
    PAGE("Phone/Notes", "Telefon/Notizen"),
    LBL(0, "&Business:", "&Gesch\xC3\xA4" "ftlich:"),
    FIELD(0, 0x3A08001Eu, 64, 0),
    LBL(1, "&Mobile:", "&Mobil:"), FIELD(1, 0x3A1C001Eu, 64, 0),
    LBL(2, "&Home:", "P&rivat:"), FIELD(2, 0x3A09001Eu, 64, 0),
    PAGE("E-mail Addresses", "E-Mail-Adressen"),
    LBL(0, "&E-mail addresses:", "&E-Mail-Adressen:"),
    { 12, 340, 36, 160, DTCT_MVLISTBOX, 0, 0x800F101Eu, 0, "*", "*" },
};

static const tmpl_ctl distlist_ctls[] = {
    PAGE("General", "Allgemein"),
    LBL(0, "&Display name:", "&Anzeigename:"), FIELD(0, 0x3001001Eu, 256, 0),
    LBL(1, "A&lias name:", "A&liasname:"), FIELD(1, 0x3A00001Eu, 64, 0),
    LBL(2, "&Members:", "&Mitglieder:"),
    /* The member list: the rows of PidTagAddressBookMember
     * ([MS-OXOABKT] 2.2.2.1.3.3). */
    { 12, 340, 88, 160, DTCT_LBX, 0, NSPI_TAG_AB_MEMBER, 0, "*", "*" },
    PAGE("E-mail Addresses", "E-Mail-Adressen"),
    LBL(0, "&E-mail addresses:", "&E-Mail-Adressen:"),
    { 12, 340, 36, 160, DTCT_MVLISTBOX, 0, 0x800F101Eu, 0, "*", "*" },
};

static const tmpl_ctl smtp_ctls[] = {
    PAGE("New Internet Address", "Neue Internetadresse"),
    LBL(0, "&Display name:", "&Anzeigename:"),
    FIELD(0, 0x3001001Eu, 256, DT_EDITABLE | DT_REQUIRED),
    LBL(1, "&E-mail address:", "&E-Mail-Adresse:"),
    FIELD(1, 0x3003001Eu, 320, DT_EDITABLE | DT_REQUIRED),
};

/* The script of the SMTP form: the address is what was typed. */
static const uint32_t smtp_script[] = { SCRIPT_EMIT, 0x3003001Eu,
                                        SCRIPT_HALT };
/* Display templates make no address: an empty program. */
static const uint32_t display_script[] = { SCRIPT_HALT };

typedef struct tmpl_def {
    const tmpl_ctl *ctls;
    unsigned n;
    const uint32_t *script;
    unsigned n_script;
} tmpl_def;

#define DEF(c, s) { c, sizeof(c) / sizeof(c[0]), s, sizeof(s) / sizeof(s[0]) }
static const tmpl_def def_mailuser = DEF(mailuser_ctls, display_script);
static const tmpl_def def_distlist = DEF(distlist_ctls, display_script);
static const tmpl_def def_smtp = DEF(smtp_ctls, smtp_script);

static int lang_de(uint32_t lcid)
{
    return (lcid & 0x3FFu) == 0x07u;      /* LANG_GERMAN, any sublanguage */
}

const char *nspi_tmpl_smtp_dn(apr_pool_t *pool, const nspi_dir *dir)
{
    return apr_pstrcat(pool, dir->org_dn ? dir->org_dn : "",
                       "/cn=Address Templates/cn=SMTP", NULL);
}

static void wr_u32le(uint8_t *p, uint32_t v)
{
    p[0] = v & 0xFF;
    p[1] = (v >> 8) & 0xFF;
    p[2] = (v >> 16) & 0xFF;
    p[3] = v >> 24;
}

/* The TRowSet of def with its strings in codepage; NULL when a string
 * cannot be written in it. */
static const uint8_t *tmpl_build(apr_pool_t *pool, const tmpl_def *def,
                                 uint32_t codepage, int de, size_t *len_r)
{
    const char **strs = apr_palloc(pool, def->n * sizeof(*strs));
    size_t total = 8 + (size_t)TRROW_SIZE * def->n, off;
    uint8_t *buf, *row;

    for (unsigned i = 0; i < def->n; i++) {
        strs[i] = nspi_to_codepage(pool, de ? def->ctls[i].de
                                            : def->ctls[i].en, codepage);
        total += strlen(strs[i]) + 1;
    }
    buf = apr_pcalloc(pool, total);
    wr_u32le(buf, 1);                         /* Type: MUST be 1 */
    wr_u32le(buf + 4, def->n);
    off = 8 + (size_t)TRROW_SIZE * def->n;
    for (unsigned i = 0; i < def->n; i++) {
        const tmpl_ctl *c = &def->ctls[i];
        row = buf + 8 + (size_t)TRROW_SIZE * i;
        wr_u32le(row, c->x);
        wr_u32le(row + 4, c->dx);
        wr_u32le(row + 8, c->y);
        wr_u32le(row + 12, c->dy);
        wr_u32le(row + 16, c->type);
        wr_u32le(row + 20, c->flags);
        wr_u32le(row + 24, c->prop);
        wr_u32le(row + 28, c->size);
        wr_u32le(row + 32, (uint32_t)off);
        memcpy(buf + off, strs[i], strlen(strs[i]) + 1);
        off += strlen(strs[i]) + 1;
    }
    *len_r = total;
    return buf;
}

static const uint8_t *script_build(apr_pool_t *pool, const tmpl_def *def,
                                   size_t *len_r)
{
    uint8_t *b = apr_palloc(pool, 4 + 4 * (size_t)def->n_script);

    wr_u32le(b, def->n_script);
    for (unsigned i = 0; i < def->n_script; i++)
        wr_u32le(b + 4 + 4 * i, def->script[i]);
    *len_r = 4 + 4 * (size_t)def->n_script;
    return b;
}

uint32_t nspi_tmpl_get(apr_pool_t *pool, const nspi_dir *dir,
                       uint32_t display_type, const char *dn,
                       uint32_t codepage, uint32_t lcid, nspi_tmpl *t)
{
    const tmpl_def *def = NULL;

    memset(t, 0, sizeof(*t));
    /* Templates are 8-bit ([MS-OXNSPI] 3.1.4.1.18 constraints 3, 4). */
    if (codepage == NSPI_CP_UNICODE || !nspi_codepage_known(codepage))
        return NSPI_E_INVALID_CODEPAGE;
    if (dn != NULL) {
        /* A template named by its DN: the display type and locale do
         * not change which (R1982, R1983). */
        if (strcasecmp(dn, nspi_tmpl_smtp_dn(pool, dir)) == 0)
            def = &def_smtp;
    } else if (display_type == NSPI_DT_MAILUSER ||
               display_type == NSPI_DT_REMOTE_USER) {
        def = &def_mailuser;
    } else if (display_type == NSPI_DT_DISTLIST) {
        def = &def_distlist;
    }
    if (def == NULL)
        return NSPI_E_INVALID_LOCALE;         /* constraint 5 */
    t->data = tmpl_build(pool, def, codepage, dn ? 0 : lang_de(lcid),
                         &t->len);
    t->script = script_build(pool, def, &t->script_len);
    return NSPI_OK;
}

/* One value of the address creation table row. */
static void wr_tagged(mapi_wr *wr, uint32_t tag, const nspi_val *v,
                      uint32_t codepage)
{
    mapi_wr_u32(wr, tag);
    nspi_wr_value(wr, NSPI_TYPE(tag), v, codepage);
}

void nspi_tmpl_wr_creation_table(mapi_wr *wr, apr_pool_t *pool,
                                 const nspi_dir *dir, uint32_t lcid,
                                 uint32_t codepage)
{
    static const uint8_t instance[4] = { 1, 0, 0, 0 };
    nspi_obj tmpl = { .legacy_dn = nspi_tmpl_smtp_dn(pool, dir) };
    nspi_val v = { 0 };
    const uint8_t *eid;
    size_t len;

    /* The template's permanent EntryID with DT_ADDRESS_TEMPLATE
     * (R60, R1996): parsing it gives the DN for GetTemplateInfo. */
    nspi_entryid(pool, dir, &tmpl, 0, &eid, &len);
    wr_u32le((uint8_t *)eid + 24, NSPI_DT_ADDRESS_TEMPLATE);
    mapi_wr_u32(wr, 1);                                 /* RowsCount */
    mapi_wr_u32(wr, 7);                                 /* values */
    v.s = "SMTP";
    wr_tagged(wr, 0x3002001Eu, &v, codepage);           /* PidTagAddressType */
    v.s = lang_de(lcid) ? "Internetadresse" : "Internet Address";
    wr_tagged(wr, 0x3001001Eu, &v, codepage);           /* PidTagDisplayName */
    v.l = NSPI_DT_MAILUSER;                             /* what it creates */
    wr_tagged(wr, NSPI_TAG_DISPLAY_TYPE, &v, codepage);
    v.bin = eid;
    v.bin_len = len;
    wr_tagged(wr, NSPI_TAG_ENTRYID, &v, codepage);
    v.l = 0;
    wr_tagged(wr, NSPI_TAG_DEPTH, &v, codepage);
    v.l = 1;
    wr_tagged(wr, 0x3609000Bu, &v, codepage);           /* PidTagSelectable */
    v.bin = instance;
    v.bin_len = sizeof(instance);
    wr_tagged(wr, NSPI_TAG_INSTANCE_KEY, &v, codepage);
}
