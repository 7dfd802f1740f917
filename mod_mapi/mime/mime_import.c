/*
 * mime_import.c: an Internet message as an MTA hands it over, parsed by
 * GMime, into a store_message ([MS-OXCMAIL] 2.2.3 for the header mapping,
 * [MS-OXOSMIME] for signed and encrypted mail).
 *
 * The MIME tree is walked once.  Leaf parts become bodies (the first
 * text/plain, text/html and RTF part that is not marked as an attachment;
 * in a multipart/alternative the later, richer one wins) or attachments;
 * the non-root parts of a multipart/related are inline attachments that
 * keep their Content-ID; message/rfc822 parts are embedded messages
 * imported the same way, depth-bounded.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <apr_md5.h>
#include "mime/mime_int.h"
#include "wire/mapi_tags.h"

typedef struct mime_ctx {
    apr_pool_t *pool;
    store_message *m;
    int embed_depth;
    int bodies_only;          /* S/MIME: the signed content shows bodies */
    const char *text;         /* UTF-8 */
    const uint8_t *html;
    size_t html_len;
    uint32_t html_cp, text_cp;
    const char *html_cs;      /* the HTML part's declared charset */
    const uint8_t *rtf;
    size_t rtf_len;
} mime_ctx;

#define MIME_F_OVERRIDE  0x01  /* inside multipart/alternative */
#define MIME_F_INLINE    0x02  /* non-root part of multipart/related */

static void mime_walk(mime_ctx *c, GMimeObject *o, int depth, unsigned f);
static void mime_fill(mime_ctx *c, GMimeMessage *msg, const char *raw_hdrs);

static GOnce mime_once = G_ONCE_INIT;

static gpointer mime_init_once(gpointer unused)
{
    g_mime_init();
    return NULL;
}

void mime_init(void)
{
    g_once(&mime_once, mime_init_once, NULL);
}

/* ----------------------------------------------------------- helpers -- */

/* Every string stored goes through here: valid UTF-8, no NULs. */
static void mime_set_str(mime_ctx *c, store_props *p, uint32_t tag,
                         const char *s)
{
    if (s != NULL)
        store_props_set_str(p, tag, mime_to_utf8(c->pool, s, strlen(s),
                                                 NULL));
}

/* A part's decoded content (Content-Transfer-Encoding undone). */
static uint8_t *mime_part_bytes(apr_pool_t *pool, GMimePart *part,
                                size_t *len_r)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *s;
    GByteArray *ba;
    uint8_t *out;

    *len_r = 0;
    if (w == NULL)
        return apr_pcalloc(pool, 1);
    s = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, s);
    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    out = apr_palloc(pool, ba->len + 1);
    if (ba->len)    /* an empty GByteArray has no data */
        memcpy(out, ba->data, ba->len);
    out[ba->len] = 0;
    *len_r = ba->len;
    g_object_unref(s);
    return out;
}

/* An object as GMime writes it back (headers and body). */
static uint8_t *mime_object_bytes(apr_pool_t *pool, GMimeObject *o,
                                  size_t *len_r)
{
    GMimeStream *s = g_mime_stream_mem_new();
    GByteArray *ba;
    uint8_t *out;

    g_mime_object_write_to_stream(o, NULL, s);
    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    out = apr_palloc(pool, ba->len + 1);
    if (ba->len)    /* an empty GByteArray has no data */
        memcpy(out, ba->data, ba->len);
    out[ba->len] = 0;
    *len_r = ba->len;
    g_object_unref(s);
    return out;
}

static char *mime_type_of(apr_pool_t *pool, GMimeObject *o)
{
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    char *t, *out;

    if (ct == NULL)
        return apr_pstrdup(pool, "application/octet-stream");
    t = g_mime_content_type_get_mime_type(ct);
    out = apr_pstrdup(pool, t);
    g_free(t);
    return out;
}

/* Where the header block of raw ends (the empty line) and its body
 * starts; -1 if raw does not start with a header field at all. */
static int mime_header_end(const uint8_t *raw, size_t len, size_t *hdr_len_r,
                           size_t *body_r)
{
    size_t i = 0;

    while (i < len && raw[i] > 32 && raw[i] < 127 && raw[i] != ':')
        i++;
    while (i < len && (raw[i] == ' ' || raw[i] == '\t'))
        i++;
    if (i == 0 || i >= len || raw[i] != ':')
        return -1;
    for (i = 0; i < len; ) {
        const uint8_t *nl = memchr(raw + i, '\n', len - i);
        size_t line_end = nl ? (size_t)(nl - raw) : len;
        int empty = line_end == i || (line_end == i + 1 && raw[i] == '\r');

        if (empty) {
            *hdr_len_r = i;
            *body_r = nl ? line_end + 1 : len;
            return 0;
        }
        i = nl ? line_end + 1 : len;
    }
    *hdr_len_r = *body_r = len;
    return 0;
}

/* ----------------------------------------------------------- subject -- */

/* [MS-OXCMAIL] 2.2.3.2.6.1: a prefix is one to three characters that are
 * not digits or white space, then a colon and an optional space ("Re: ",
 * "Fw: ", "AW: "). */
static void mime_subject(mime_ctx *c, const char *subj, const char *topic)
{
    store_props *p = &c->m->props;
    const char *s = subj ? subj : "";
    size_t n = 0;
    const char *q = s, *rest = s;

    while (*q && *q != ':' && n < 4) {
        if (*q == ' ' || *q == '\t' || (*q >= '0' && *q <= '9'))
            break;
        q = g_utf8_next_char(q);
        n++;
    }
    if (n >= 1 && n <= 3 && *q == ':') {
        rest = q + 1;
        if (*rest == ' ')
            rest++;
    }
    store_props_set_str(p, PidTagSubject, s);
    store_props_set_str(p, PidTagSubjectPrefix,
                        apr_pstrmemdup(c->pool, s, (size_t)(rest - s)));
    store_props_set_str(p, PidTagNormalizedSubject, rest);
    store_props_set_str(p, PidTagConversationTopic, topic ? topic : rest);
}

/* --------------------------------------------------------- addresses -- */

typedef struct mime_addr {
    const char *name, *smtp;
} mime_addr;

static void mime_addrs_collect(apr_pool_t *pool, InternetAddressList *l,
                               apr_array_header_t *out, int depth)
{
    int n = l ? internet_address_list_length(l) : 0;

    for (int i = 0; i < n && depth < 4; i++) {
        InternetAddress *ia = internet_address_list_get_address(l, i);

        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            mime_addrs_collect(pool, internet_address_group_get_members(
                                   INTERNET_ADDRESS_GROUP(ia)), out,
                               depth + 1);
        } else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            mime_addr *a = apr_array_push(out);
            const char *addr = internet_address_mailbox_get_addr(
                INTERNET_ADDRESS_MAILBOX(ia));
            const char *name = internet_address_get_name(ia);

            a->smtp = mime_to_utf8(pool, addr ? addr : "",
                                   addr ? strlen(addr) : 0, NULL);
            a->name = (name && *name) ? mime_to_utf8(pool, name,
                                                     strlen(name), NULL)
                                      : a->smtp;
        }
    }
}

static apr_array_header_t *mime_addrs(apr_pool_t *pool,
                                      InternetAddressList *l)
{
    apr_array_header_t *a = apr_array_make(pool, 2, sizeof(mime_addr));

    mime_addrs_collect(pool, l, a, 0);
    return a;
}

static void mime_recipients(mime_ctx *c, InternetAddressList *l,
                            uint32_t type)
{
    apr_array_header_t *a = mime_addrs(c->pool, l);

    for (int i = 0; i < a->nelts; i++) {
        const mime_addr *ad = &APR_ARRAY_IDX(a, i, mime_addr);
        store_recipient *r = apr_array_push(c->m->recipients);

        r->row_id = (uint32_t)(c->m->recipients->nelts - 1);
        store_props_init(&r->props, c->pool);
        store_props_set_u32(&r->props, PidTagRowid, r->row_id);
        store_props_set_u32(&r->props, PidTagRecipientType, type);
        store_props_set_u32(&r->props, PidTagObjectType, MAPI_MAILUSER);
        store_props_set_u32(&r->props, PidTagDisplayType, 0);
        store_props_set_str(&r->props, PidTagDisplayName, ad->name);
        store_props_set_str(&r->props, PidTagTransmittableDisplayName,
                            ad->name);
        store_props_set_str(&r->props, PidTagEmailAddress, ad->smtp);
        store_props_set_str(&r->props, PidTagAddressType, "SMTP");
        store_props_set_str(&r->props, PidTagSmtpAddress, ad->smtp);
    }
}

static int mime_addr_in(apr_array_header_t *a, const char *smtp)
{
    for (int i = 0; smtp && i < a->nelts; i++)
        if (strcasecmp(APR_ARRAY_IDX(a, i, mime_addr).smtp, smtp) == 0)
            return 1;
    return 0;
}

/* [MS-OXCMAIL] 2.2.3.2.1-2: From is who the message represents; Sender,
 * when present, is who actually sent it. */
static void mime_sender(mime_ctx *c, GMimeMessage *msg, const char *env_from)
{
    store_props *p = &c->m->props;
    apr_array_header_t *from = mime_addrs(c->pool,
                                          g_mime_message_get_from(msg));
    apr_array_header_t *snd = mime_addrs(c->pool,
                                         g_mime_message_get_sender(msg));
    mime_addr rep = { NULL, NULL }, act;

    if (from->nelts > 0)
        rep = APR_ARRAY_IDX(from, 0, mime_addr);
    else if (env_from && *env_from)
        rep.name = rep.smtp = env_from;
    else
        return;
    act = snd->nelts > 0 ? APR_ARRAY_IDX(snd, 0, mime_addr) : rep;
    mime_set_str(c, p, PidTagSenderName, act.name);
    mime_set_str(c, p, PidTagSenderEmailAddress, act.smtp);
    store_props_set_str(p, PidTagSenderAddressType, "SMTP");
    mime_set_str(c, p, PidTagSenderSmtpAddress, act.smtp);
    mime_set_str(c, p, PidTagSentRepresentingName, rep.name);
    mime_set_str(c, p, PidTagSentRepresentingEmailAddress, rep.smtp);
    store_props_set_str(p, PidTagSentRepresentingAddressType, "SMTP");
    mime_set_str(c, p, PidTagSentRepresentingSmtpAddress, rep.smtp);
}

/* PidTagMessageToMe / CcMe / RecipientMe for the envelope recipient. */
static void mime_to_me(mime_ctx *c, GMimeMessage *msg, const char *rcpt)
{
    store_props *p = &c->m->props;
    int to = mime_addr_in(mime_addrs(c->pool, g_mime_message_get_to(msg)),
                          rcpt);
    int cc = mime_addr_in(mime_addrs(c->pool, g_mime_message_get_cc(msg)),
                          rcpt);

    store_props_set_bool(p, PidTagMessageToMe, to);
    store_props_set_bool(p, PidTagMessageCcMe, cc);
    store_props_set_bool(p, PidTagMessageRecipientMe, to || cc);
}

static void mime_received_by(mime_ctx *c, const mime_import_opts *o)
{
    store_props *p = &c->m->props;
    const char *name;

    if (o == NULL || o->rcpt_smtp == NULL || !*o->rcpt_smtp)
        return;
    name = o->rcpt_name && *o->rcpt_name ? o->rcpt_name : o->rcpt_smtp;
    mime_set_str(c, p, PidTagReceivedByName, name);
    mime_set_str(c, p, PidTagReceivedByEmailAddress, o->rcpt_smtp);
    store_props_set_str(p, PidTagReceivedByAddressType, "SMTP");
    mime_set_str(c, p, PidTagReceivedBySmtpAddress, o->rcpt_smtp);
    mime_set_str(c, p, PidTagReceivedRepresentingName, name);
    mime_set_str(c, p, PidTagReceivedRepresentingEmailAddress, o->rcpt_smtp);
    store_props_set_str(p, PidTagReceivedRepresentingAddressType, "SMTP");
    mime_set_str(c, p, PidTagReceivedRepresentingSmtpAddress, o->rcpt_smtp);
}

/* ---------------------------------------------------------- threading -- */

/* [MS-OXOMSG] 2.2.1.3: a conversation index header block is a reserved
 * byte 0x01, five bytes of FILETIME (bits 55..16, big-endian; the
 * reserved byte stands for bits 63..56) and a GUID.  The GUID is the MD5
 * of the Message-ID (else of the subject and date), so that a copy
 * delivered twice, to two mailboxes, gets the same index. */
static void mime_conversation_index(mime_ctx *c, uint64_t ft,
                                    const char *msgid, const char *subject)
{
    uint8_t idx[22];
    const char *seed = msgid && *msgid ? msgid
        : apr_psprintf(c->pool, "%s|%llu", subject ? subject : "",
                       (unsigned long long)ft);

    idx[0] = 0x01;
    for (int i = 0; i < 5; i++)
        idx[1 + i] = (uint8_t)(ft >> (48 - 8 * i));
    apr_md5(idx + 6, seed, strlen(seed));
    store_props_set_bin(&c->m->props, PidTagConversationIndex, idx, 22);
}

static void mime_threading(mime_ctx *c, GMimeMessage *msg, uint64_t ft)
{
    GMimeObject *o = GMIME_OBJECT(msg);
    store_props *p = &c->m->props;
    const char *mid = g_mime_message_get_message_id(msg);
    const char *irt = g_mime_object_get_header(o, "In-Reply-To");
    const char *refs = g_mime_object_get_header(o, "References");
    const char *ti = g_mime_object_get_header(o, "Thread-Index");
    const char *midv = mid && *mid ? apr_psprintf(c->pool, "<%s>", mid)
                                   : NULL;

    mime_set_str(c, p, PidTagInternetMessageId, midv);
    mime_set_str(c, p, PidTagInReplyToId, irt ? g_strstrip(
                     apr_pstrdup(c->pool, irt)) : NULL);
    mime_set_str(c, p, PidTagInternetReferences, refs ? g_strstrip(
                     apr_pstrdup(c->pool, refs)) : NULL);
    if (ti) {
        gsize n = 0;
        char *t = g_strdup(ti);
        guchar *bin;

        g_strdelimit(t, " \t\r\n", '=');   /* base64 ignores '=' runs */
        bin = g_base64_decode(g_strstrip(t), &n);
        g_free(t);
        /* A valid index is a 22-byte header plus 5-byte child blocks. */
        if (bin && n >= 22 && (n - 22) % 5 == 0) {
            store_props_set_bin(p, PidTagConversationIndex, bin,
                                (uint32_t)n);
            g_free(bin);
            return;
        }
        g_free(bin);
    }
    mime_conversation_index(c, ft, midv,
                            g_mime_message_get_subject(msg));
}

/* ------------------------------------------------------ other headers -- */

static void mime_flags_headers(mime_ctx *c, GMimeMessage *msg)
{
    GMimeObject *o = GMIME_OBJECT(msg);
    store_props *p = &c->m->props;
    const char *imp = g_mime_object_get_header(o, "Importance");
    const char *pri = g_mime_object_get_header(o, "X-Priority");
    const char *sens = g_mime_object_get_header(o, "Sensitivity");
    uint32_t importance = 1;

    if (imp) {
        if (g_ascii_strncasecmp(g_strchug((char *)apr_pstrdup(c->pool, imp)),
                                "high", 4) == 0)
            importance = 2;
        else if (strcasestr(imp, "low"))
            importance = 0;
    } else if (pri) {
        int v = atoi(pri + strspn(pri, " \t"));

        importance = v == 1 || v == 2 ? 2 : v == 4 || v == 5 ? 0 : 1;
    }
    store_props_set_u32(p, PidTagImportance, importance);
    if (sens) {
        uint32_t s = strcasestr(sens, "company-confidential") ? 3
                   : strcasestr(sens, "private") ? 2
                   : strcasestr(sens, "personal") ? 1 : 0;

        store_props_set_u32(p, PidTagSensitivity, s);
    } else {
        store_props_set_u32(p, PidTagSensitivity, 0);
    }
    if (g_mime_object_get_header(o, "Disposition-Notification-To"))
        store_props_set_bool(p, PidTagReadReceiptRequested, 1);
}

/* ------------------------------------------------------------- bodies -- */

static int mime_is_type(GMimeObject *o, const char *type, const char *sub)
{
    GMimeContentType *ct = g_mime_object_get_content_type(o);

    return ct && g_mime_content_type_is_type(ct, type, sub);
}

static const char *mime_charset_of(GMimeObject *o)
{
    return g_mime_object_get_content_type_parameter(o, "charset");
}

/* Decodes the five entities everyone writes and numeric references;
 * *adv_r says how many bytes of s were consumed (0: not an entity). */
static size_t mime_entity(const char *s, char *out, size_t *adv_r)
{
    static const struct { const char *n; const char *v; } ents[] = {
        { "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
        { "apos;", "'" }, { "nbsp;", " " }, { "copy;", "\xC2\xA9" },
        { "reg;", "\xC2\xAE" }, { "euro;", "\xE2\x82\xAC" },
        { "mdash;", "\xE2\x80\x94" }, { "ndash;", "\xE2\x80\x93" },
        { "hellip;", "\xE2\x80\xA6" },
    };

    *adv_r = 0;
    if (s[1] == '#') {
        char *end;
        unsigned long v = (s[2] == 'x' || s[2] == 'X')
                        ? strtoul(s + 3, &end, 16) : strtoul(s + 2, &end, 10);

        if (end == s + 2 || *end != ';' || end - s > 12 || v == 0 ||
            v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *adv_r = (size_t)(end - s) + 1;
        return (size_t)g_unichar_to_utf8((gunichar)v, out);
    }
    for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
        size_t n = strlen(ents[i].n);

        if (strncmp(s + 1, ents[i].n, n) == 0) {
            *adv_r = n + 1;
            memcpy(out, ents[i].v, strlen(ents[i].v));
            return strlen(ents[i].v);
        }
    }
    return 0;
}

/* Whether tag (just after '<') names one of names, case-insensitively. */
static int mime_tag_is(const char *tag, const char *const *names)
{
    if (*tag == '/')
        tag++;
    for (; *names; names++) {
        size_t n = strlen(*names);

        if (g_ascii_strncasecmp(tag, *names, n) == 0 &&
            !g_ascii_isalnum(tag[n]))
            return 1;
    }
    return 0;
}

/* A plain rendering of HTML for PidTagBody when a message has no text
 * part: tags dropped (block tags end lines), script/style/head contents
 * skipped, entities decoded, white space runs collapsed.  Linear in the
 * input; good enough for previews and search, not a renderer. */
static char *mime_html_to_text(apr_pool_t *pool, const char *h)
{
    static const char *const blocks[] = { "br", "p", "div", "tr", "li",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "hr",
        NULL };
    static const char *const skips[] = { "script", "style", "head",
                                         "title", NULL };
    size_t n = strlen(h), o = 0;
    char *out = apr_palloc(pool, n + 1);
    int space = 1;

    for (size_t i = 0; i < n; ) {
        if (h[i] == '<') {
            const char *end = strchr(h + i, '>');
            const char *t = h + i + 1;

            if (strncmp(t, "!--", 3) == 0) {
                const char *ce = strstr(t + 3, "-->");

                i = ce ? (size_t)(ce - h) + 3 : n;
                continue;
            }
            if (*t != '/' && mime_tag_is(t, skips)) {
                char close[16];
                const char *ce;
                size_t tl = strcspn(t, " \t\r\n>/");

                apr_snprintf(close, sizeof(close), "</%.*s", (int)tl, t);
                ce = strcasestr(t, close);
                end = ce ? strchr(ce, '>') : NULL;
            } else if (mime_tag_is(t, blocks) && o > 0 &&
                       out[o - 1] != '\n') {
                out[o++] = '\n';
                space = 1;
            }
            i = end ? (size_t)(end - h) + 1 : n;
            continue;
        }
        if (h[i] == '&') {
            char ent[8];
            size_t adv, k = mime_entity(h + i, ent, &adv);

            if (adv && k <= adv) {
                memcpy(out + o, ent, k);
                o += k;
                i += adv;
                space = 0;
                continue;
            }
        }
        if (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n') {
            if (!space)
                out[o++] = ' ';
            space = 1;
            i++;
            continue;
        }
        out[o++] = h[i++];
        space = 0;
    }
    out[o] = 0;
    return g_strstrip(out);
}

/* A leaf that can be a body: 1 if taken as one. */
static int mime_take_body(mime_ctx *c, GMimePart *part, unsigned f)
{
    GMimeObject *o = GMIME_OBJECT(part);
    GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
    int override = (f & MIME_F_OVERRIDE) != 0;
    const char *cs = mime_charset_of(o);
    uint8_t *data;
    size_t len;

    if ((f & MIME_F_INLINE) ||
        (d && g_mime_content_disposition_is_attachment(d)))
        return 0;
    if (mime_is_type(o, "text", "plain") && (override || !c->text)) {
        data = mime_part_bytes(c->pool, part, &len);
        c->text = mime_to_utf8(c->pool, (char *)data, len, cs);
        c->text_cp = mime_charset_cp(cs);
        return 1;
    }
    if (mime_is_type(o, "text", "html") && (override || !c->html)) {
        c->html = mime_part_bytes(c->pool, part, &c->html_len);
        c->html_cp = mime_charset_cp(cs);
        c->html_cs = cs ? apr_pstrdup(c->pool, cs) : NULL;
        if (c->html_cp == 0)
            c->html_cp = g_utf8_validate_len((char *)c->html, c->html_len,
                                             NULL) ? 65001 : 1252;
        return 1;
    }
    if ((mime_is_type(o, "text", "rtf") ||
         mime_is_type(o, "application", "rtf")) && !c->rtf) {
        c->rtf = mime_part_bytes(c->pool, part, &c->rtf_len);
        return 1;
    }
    return 0;
}

/* -------------------------------------------------------- attachments -- */

static store_attachment *mime_new_attachment(mime_ctx *c, uint32_t method)
{
    store_attachment *a = apr_array_push(c->m->attachments);

    memset(a, 0, sizeof(*a));
    a->attach_num = c->m->next_attach_num++;
    store_props_init(&a->props, c->pool);
    store_props_set_u32(&a->props, PidTagAttachNumber, a->attach_num);
    store_props_set_u32(&a->props, PidTagAttachMethod, method);
    store_props_set_u32(&a->props, PidTagRenderingPosition, 0xFFFFFFFFu);
    store_props_set_u32(&a->props, PidTagObjectType, MAPI_ATTACH);
    return a;
}

static const char *mime_ext_for(const char *mime_type)
{
    static const struct { const char *t, *e; } exts[] = {
        { "image/png", ".png" }, { "image/jpeg", ".jpg" },
        { "image/gif", ".gif" }, { "text/plain", ".txt" },
        { "text/html", ".htm" }, { "application/pdf", ".pdf" },
        { "text/calendar", ".ics" }, { "message/rfc822", ".eml" },
        { "application/pkcs7-signature", ".p7s" },
        { "application/x-pkcs7-signature", ".p7s" },
    };

    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (strcasecmp(mime_type, exts[i].t) == 0)
            return exts[i].e;
    return ".dat";
}

/* The long name, its 8.3 form and its extension. */
static void mime_attach_names(mime_ctx *c, store_attachment *a,
                              const char *name, const char *mime_type)
{
    const char *dot, *base;
    char *shortn;
    size_t bl;

    if (name == NULL || !*name)
        name = apr_pstrcat(c->pool, "attachment", mime_ext_for(mime_type),
                           NULL);
    name = mime_to_utf8(c->pool, name, strlen(name), NULL);
    /* A path in a name is the sender's, not ours to keep. */
    base = strrchr(name, '/');
    base = base ? base + 1 : name;
    if (strrchr(base, '\\'))
        base = strrchr(base, '\\') + 1;
    if (!*base)
        base = "attachment.dat";
    dot = strrchr(base, '.');
    bl = dot ? (size_t)(dot - base) : strlen(base);
    shortn = apr_psprintf(c->pool, "%.*s%.4s", (int)(bl > 8 ? 8 : bl),
                          base, dot ? dot : "");
    for (char *s = shortn; *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == ' ')
            *s = '_';
    store_props_set_str(&a->props, PidTagAttachLongFilename, base);
    store_props_set_str(&a->props, PidTagAttachFilename, shortn);
    store_props_set_str(&a->props, PidTagDisplayName, base);
    if (dot)
        store_props_set_str(&a->props, PidTagAttachExtension, dot);
}

static void mime_attach_bytes(mime_ctx *c, const uint8_t *data, size_t len,
                              const char *mime_type, const char *name)
{
    store_attachment *a = mime_new_attachment(c, ATTACH_BY_VALUE);

    store_props_set_bin(&a->props, PidTagAttachDataBinary, data,
                        (uint32_t)len);
    store_props_set_u32(&a->props, PidTagAttachSize, (uint32_t)len);
    store_props_set_str(&a->props, PidTagAttachMimeTag, mime_type);
    mime_attach_names(c, a, name, mime_type);
}

static void mime_attach_part(mime_ctx *c, GMimePart *part, unsigned f)
{
    GMimeObject *o = GMIME_OBJECT(part);
    const char *type = mime_type_of(c->pool, o);
    const char *cid = g_mime_object_get_content_id(o);
    const char *loc = g_mime_object_get_header(o, "Content-Location");
    size_t len;
    uint8_t *data = mime_part_bytes(c->pool, part, &len);
    store_attachment *a;

    mime_attach_bytes(c, data, len, type, g_mime_part_get_filename(part));
    a = &APR_ARRAY_IDX(c->m->attachments, c->m->attachments->nelts - 1,
                       store_attachment);
    mime_set_str(c, &a->props, PidTagAttachContentId, cid);
    mime_set_str(c, &a->props, PidTagAttachContentLocation, loc);
    /* [MS-OXCMAIL] 2.2.3.3: a part the HTML body refers to is an MHTML
     * reference, hidden from the attachment list. */
    if ((f & MIME_F_INLINE) && (cid || loc)) {
        store_props_set_u32(&a->props, PidTagAttachFlags, ATT_MHTML_REF);
        store_props_set_bool(&a->props, PidTagAttachmentHidden, 1);
    } else {
        store_props_set_u32(&a->props, PidTagAttachFlags, 0);
        store_props_set_bool(&a->props, PidTagAttachmentHidden, 0);
    }
}

static void mime_attach_embedded(mime_ctx *c, GMimeMessagePart *mp)
{
    GMimeMessage *sub = g_mime_message_part_get_message(mp);
    store_attachment *a;
    mime_ctx sc;
    const char *subj;

    if (sub == NULL || c->embed_depth >= MIME_MAX_EMBED_DEPTH) {
        size_t len;
        uint8_t *data = mime_object_bytes(c->pool, GMIME_OBJECT(mp), &len);

        mime_attach_bytes(c, data, len, "message/rfc822", NULL);
        return;
    }
    a = mime_new_attachment(c, ATTACH_EMBEDDED_MSG);
    memset(&sc, 0, sizeof(sc));
    sc.pool = c->pool;
    sc.embed_depth = c->embed_depth + 1;
    sc.m = a->embedded = store_message_new(c->pool, 0, 0);
    {
        GMimeHeaderList *hl = g_mime_object_get_header_list(
            GMIME_OBJECT(sub));
        char *hs = hl ? g_mime_header_list_to_string(hl, NULL) : NULL;

        mime_fill(&sc, sub, hs ? apr_pstrdup(c->pool, hs) : NULL);
        g_free(hs);
    }
    store_props_set_u32(&sc.m->props, PidTagMessageFlags,
                        MSGFLAG_READ | (sc.m->attachments->nelts
                                        ? MSGFLAG_HASATTACH : 0));
    subj = store_props_get(&sc.m->props, PidTagSubject)
         ? store_props_get(&sc.m->props, PidTagSubject)->v.str : "";
    store_props_set_str(&a->props, PidTagAttachMimeTag, "message/rfc822");
    store_props_set_str(&a->props, PidTagDisplayName, subj);
    store_props_set_str(&a->props, PidTagAttachLongFilename,
                        apr_pstrcat(c->pool, *subj ? subj : "message",
                                    ".eml", NULL));
}

/* -------------------------------------------------------------- walk -- */

static void mime_walk_related(mime_ctx *c, GMimeMultipart *mp, int depth,
                              unsigned f)
{
    int n = g_mime_multipart_get_count(mp), root = 0;
    const char *start = g_mime_object_get_content_type_parameter(
        GMIME_OBJECT(mp), "start");

    if (start) {
        char *s = g_strdup(start);
        char *id = g_strstrip(s);
        size_t l = strlen(id);

        if (l >= 2 && id[0] == '<' && id[l - 1] == '>') {
            id[l - 1] = 0;
            id++;
        }
        for (int i = 0; i < n; i++) {
            const char *cid = g_mime_object_get_content_id(
                g_mime_multipart_get_part(mp, i));

            if (cid && strcmp(cid, id) == 0)
                root = i;
        }
        g_free(s);
    }
    for (int i = 0; i < n; i++)
        mime_walk(c, g_mime_multipart_get_part(mp, i), depth + 1,
                  i == root ? f : (f & ~MIME_F_OVERRIDE) | MIME_F_INLINE);
}

static void mime_walk(mime_ctx *c, GMimeObject *o, int depth, unsigned f)
{
    if (o == NULL)
        return;
    if (depth > MIME_MAX_PART_DEPTH) {
        size_t len;
        uint8_t *data;

        if (c->bodies_only)
            return;
        data = mime_object_bytes(c->pool, o, &len);
        mime_attach_bytes(c, data, len, mime_type_of(c->pool, o), NULL);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(o)) {
        if (!c->bodies_only)
            mime_attach_embedded(c, GMIME_MESSAGE_PART(o));
        return;
    }
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        int n = g_mime_multipart_get_count(mp);

        if (mime_is_type(o, "multipart", "related")) {
            mime_walk_related(c, mp, depth, f);
            return;
        }
        if (mime_is_type(o, "multipart", "alternative"))
            f |= MIME_F_OVERRIDE;
        else
            f &= ~MIME_F_OVERRIDE;
        for (int i = 0; i < n; i++)
            mime_walk(c, g_mime_multipart_get_part(mp, i), depth + 1, f);
        return;
    }
    if (GMIME_IS_PART(o)) {
        if (mime_take_body(c, GMIME_PART(o), f) || c->bodies_only)
            return;
        mime_attach_part(c, GMIME_PART(o), f);
    }
}

/* ------------------------------------------------------------ S/MIME -- */

/* The bytes of the top-level entity: the Content-* fields of the raw
 * header block, the empty line and the body, exactly as received. */
static uint8_t *mime_raw_entity(apr_pool_t *pool, const uint8_t *raw,
                                size_t hdr_len, size_t body_off, size_t len,
                                size_t *out_len_r)
{
    uint8_t *out = apr_palloc(pool, hdr_len + 2 + (len - body_off) + 1);
    size_t o = 0, i = 0;
    int keep = 0;

    while (i < hdr_len) {
        const uint8_t *nl = memchr(raw + i, '\n', hdr_len - i);
        size_t end = nl ? (size_t)(nl - raw) + 1 : hdr_len;

        if (raw[i] != ' ' && raw[i] != '\t')
            keep = end - i >= 8 && g_ascii_strncasecmp((const char *)raw + i,
                                                       "content-", 8) == 0;
        if (keep) {
            memcpy(out + o, raw + i, end - i);
            o += end - i;
        }
        i = end;
    }
    /* The empty line as the message wrote it. */
    memcpy(out + o, raw + hdr_len, body_off - hdr_len);
    o += body_off - hdr_len;
    memcpy(out + o, raw + body_off, len - body_off);
    o += len - body_off;
    *out_len_r = o;
    return out;
}

typedef struct mime_raw {
    const uint8_t *data;
    size_t len, hdr_len, body_off;
} mime_raw;

/* [MS-OXOSMIME] 2.1.3: a signed or encrypted message is one attachment
 * holding the whole protected entity, which the client verifies or
 * decrypts; the server never alters it.  Returns 1 if msg is one. */
static int mime_smime(mime_ctx *c, GMimeMessage *msg, const mime_raw *raw)
{
    GMimeObject *root = g_mime_message_get_mime_part(msg);
    store_props *p = &c->m->props;
    const char *proto;
    uint8_t *data;
    size_t len;

    if (root == NULL)
        return 0;
    proto = g_mime_object_get_content_type_parameter(root, "protocol");
    if (GMIME_IS_MULTIPART_SIGNED(root) && proto &&
        strcasestr(proto, "pkcs7-signature")) {
        data = raw ? mime_raw_entity(c->pool, raw->data, raw->hdr_len,
                                     raw->body_off, raw->len, &len)
                   : mime_object_bytes(c->pool, root, &len);
        mime_attach_bytes(c, data, len, "multipart/signed", "SMIME.p7m");
        store_props_set_str(p, PidTagMessageClass,
                            "IPM.Note.SMIME.MultipartSigned");
        /* The signed content still gives the bodies clients preview and
         * search; its parts stay inside the signed entity. */
        c->bodies_only = 1;
        mime_walk(c, g_mime_multipart_get_part(GMIME_MULTIPART(root), 0),
                  1, 0);
        c->bodies_only = 0;
        return 1;
    }
    if (GMIME_IS_APPLICATION_PKCS7_MIME(root) ||
        mime_is_type(root, "application", "pkcs7-mime") ||
        mime_is_type(root, "application", "x-pkcs7-mime")) {
        if (GMIME_IS_PART(root))
            data = mime_part_bytes(c->pool, GMIME_PART(root), &len);
        else
            data = mime_object_bytes(c->pool, root, &len);
        mime_attach_bytes(c, data, len, "application/pkcs7-mime",
                          "smime.p7m");
        store_props_set_str(p, PidTagMessageClass, "IPM.Note.SMIME");
        return 1;
    }
    return 0;
}

/* -------------------------------------------------------------- fill -- */

static void mime_bodies(mime_ctx *c, int signed_msg)
{
    store_props *p = &c->m->props;
    uint32_t native = NATIVE_BODY_UNDEFINED, cp = 65001;

    if (c->rtf) {
        uint8_t *z;
        size_t zl;

        if (mime_rtf_compress(c->pool, c->rtf, c->rtf_len, &z, &zl) == 0) {
            store_props_set_bin(p, PidTagRtfCompressed, z, (uint32_t)zl);
            native = NATIVE_BODY_RTF;
        }
    }
    if (c->html) {
        store_props_set_bin(p, PidTagHtml, c->html, (uint32_t)c->html_len);
        native = NATIVE_BODY_HTML;
        cp = c->html_cp;
        if (!c->text) {
            const char *cs = c->html_cs ? c->html_cs
                                        : mime_cp_charset(c->html_cp);

            c->text = mime_html_to_text(c->pool, mime_to_utf8(
                c->pool, (const char *)c->html, c->html_len, cs));
        }
    } else if (c->text) {
        if (native == NATIVE_BODY_UNDEFINED)
            native = NATIVE_BODY_PLAIN;
        if (c->text_cp)
            cp = c->text_cp;
    }
    if (c->text)
        store_props_set_str(p, PidTagBody, c->text);
    if (signed_msg)
        native = NATIVE_BODY_CLEAR_SIGNED;
    store_props_set_u32(p, PidTagNativeBody, native);
    store_props_set_bool(p, PidTagRtfInSync,
                         c->rtf && !c->html && !c->text);
    store_props_set_u32(p, PidTagInternetCodepage, cp);
}

/* The header mapping shared by the top level and embedded messages;
 * fallback_time stands for a missing or unreadable Date. */
static void mime_headers(mime_ctx *c, GMimeMessage *msg, const char *env_from,
                         uint64_t fallback_time)
{
    store_props *p = &c->m->props;
    GDateTime *dt = g_mime_message_get_date(msg);
    uint64_t ft = dt ? mime_filetime(g_date_time_to_unix(dt) * 1000000LL)
                     : fallback_time;
    const char *subj = g_mime_message_get_subject(msg);
    const char *topic = g_mime_object_get_header(GMIME_OBJECT(msg),
                                                 "Thread-Topic");

    store_props_set_str(p, PidTagMessageClass, "IPM.Note");
    mime_subject(c, subj ? mime_to_utf8(c->pool, subj, strlen(subj), NULL)
                         : "",
                 topic ? mime_to_utf8(c->pool, topic, strlen(topic), NULL)
                       : NULL);
    mime_sender(c, msg, env_from);
    mime_recipients(c, g_mime_message_get_to(msg), 1);
    mime_recipients(c, g_mime_message_get_cc(msg), 2);
    mime_recipients(c, g_mime_message_get_bcc(msg), 3);
    store_props_set_u64(p, PidTagClientSubmitTime, ft);
    mime_threading(c, msg, ft);
    mime_flags_headers(c, msg);
}

static void mime_fill(mime_ctx *c, GMimeMessage *msg, const char *raw_hdrs)
{
    mime_headers(c, msg, NULL, mime_filetime(apr_time_now()));
    if (raw_hdrs)
        store_props_set_str(&c->m->props, PidTagTransportMessageHeaders,
                            mime_to_utf8(c->pool, raw_hdrs, strlen(raw_hdrs),
                                         NULL));
    mime_walk(c, g_mime_message_get_mime_part(msg), 0, 0);
    mime_bodies(c, 0);
}

/* The top level: as mime_fill, plus the envelope, the delivery and the
 * S/MIME form, which needs the raw bytes. */
static void mime_fill_top(mime_ctx *c, GMimeMessage *msg, const mime_raw *raw,
                          const mime_import_opts *opts)
{
    store_props *p = &c->m->props;
    char *hdrs = mime_to_utf8(c->pool, (const char *)raw->data, raw->hdr_len,
                              g_utf8_validate_len((const char *)raw->data,
                                                  raw->hdr_len, NULL)
                              ? NULL : "windows-1252");
    GMimeObject *root = g_mime_message_get_mime_part(msg);
    uint64_t dtime = mime_filetime(opts && opts->delivery_time
                                   ? opts->delivery_time : apr_time_now());
    int smime;

    /* A message without a (valid) Date was, for all we know, sent when
     * it arrived. */
    mime_headers(c, msg, opts ? opts->env_from : NULL, dtime);
    store_props_set_u64(p, PidTagMessageDeliveryTime, dtime);
    store_props_set_str(p, PidTagTransportMessageHeaders, hdrs);
    mime_received_by(c, opts);
    if (opts && opts->rcpt_smtp)
        mime_to_me(c, msg, opts->rcpt_smtp);
    smime = mime_smime(c, msg, raw);
    if (!smime)
        mime_walk(c, root, 0, 0);
    mime_bodies(c, smime && GMIME_IS_MULTIPART_SIGNED(root));
    /* Delivered mail is unread (no mfRead) and sent. */
    store_props_set_u32(p, PidTagMessageFlags, c->m->attachments->nelts
                                               ? MSGFLAG_HASATTACH : 0);
    store_props_set_bool(p, PidTagHasAttachments,
                         c->m->attachments->nelts > 0);
}

/* ------------------------------------------------------------- entry -- */

static GMimeMessage *mime_parse(const uint8_t *data, size_t len)
{
    static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
    GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)data,
                                                       len);
    GMimeParser *parser = g_mime_parser_new_with_stream(s);
    GMimeParserOptions *po = g_mime_parser_options_new();
    GMimeMessage *msg;

    g_mime_parser_options_set_fallback_charsets(po, fallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(
        po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(
        po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(
        po, GMIME_RFC_COMPLIANCE_LOOSE);
    msg = g_mime_parser_construct_message(parser, po);
    g_mime_parser_options_free(po);
    g_object_unref(parser);
    g_object_unref(s);
    return msg;
}

mime_status mime_import(apr_pool_t *pool, const uint8_t *data, size_t len,
                        const mime_import_opts *opts, store_message *m,
                        const char **error_r)
{
    mime_ctx c;
    mime_raw raw;
    GMimeMessage *msg;

    mime_init();
    if (len > MIME_MAX_MESSAGE) {
        if (error_r)
            *error_r = apr_psprintf(pool, "message of %zu bytes exceeds the "
                                    "limit of %u bytes", len,
                                    MIME_MAX_MESSAGE);
        return MIME_TOO_BIG;
    }
    /* An mbox "From " line is the MTA's, not a header field. */
    if (len >= 5 && memcmp(data, "From ", 5) == 0) {
        const uint8_t *nl = memchr(data, '\n', len);

        len -= nl ? (size_t)(nl - data) + 1 : len;
        data = nl ? nl + 1 : data + 5;
    }
    raw.data = data;
    raw.len = len;
    if (mime_header_end(data, len, &raw.hdr_len, &raw.body_off) != 0) {
        if (error_r)
            *error_r = "no header block: not an Internet message";
        return MIME_UNPARSABLE;
    }
    msg = mime_parse(data, len);
    if (msg == NULL) {
        if (error_r)
            *error_r = "the MIME parser found no message";
        return MIME_UNPARSABLE;
    }
    memset(&c, 0, sizeof(c));
    c.pool = pool;
    c.m = m;
    mime_fill_top(&c, msg, &raw, opts);
    g_object_unref(msg);
    return MIME_OK;
}
