/*
 * mime_export.c: a message a client submits, as the RFC 5322 / MIME
 * message handed to the sendmail command ([MS-OXCMAIL] 2.1.3, the
 * MAPI-to-Internet direction).  Structure, outermost first:
 *
 *   multipart/mixed            when there are ordinary attachments
 *     multipart/related        when inline parts (Content-ID) exist
 *       multipart/alternative  when both a plain and an HTML body exist
 *         text/plain, text/html
 *       inline images ...
 *     attachments ..., message/rfc822 for embedded messages
 *
 * Bcc recipients are never written: the caller gives them to the MTA as
 * envelope recipients only.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <apr_strings.h>
#include <apr_time.h>
#include "mime/mime_int.h"
#include "wire/mapi_tags.h"

static const char *mime_x_str(const store_props *p, uint32_t tag)
{
    const rop_propval *v = store_props_get(p, tag);

    return v && v->v.str && *v->v.str ? v->v.str : NULL;
}

static const rop_bin *mime_x_bin(const store_props *p, uint32_t tag)
{
    const rop_propval *v = store_props_get(p, tag);

    return v ? &v->v.bin : NULL;
}

static uint32_t mime_x_u32(const store_props *p, uint32_t tag, uint32_t def)
{
    const rop_propval *v = store_props_get(p, tag);

    return v ? v->v.l : def;
}

/* A GMimePart of type/subtype holding data, with the encoding that keeps
 * it intact through any MTA (7-bit safe). */
static GMimePart *mime_x_part(const char *type, const char *subtype,
                              const void *data, size_t len, int binary)
{
    GMimePart *part = g_mime_part_new_with_type(type, subtype);
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(
        s, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_part_set_content(part, w);
    g_mime_part_set_content_encoding(part, binary
        ? GMIME_CONTENT_ENCODING_BASE64
        : g_mime_part_get_best_content_encoding(
              part, GMIME_ENCODING_CONSTRAINT_7BIT));
    g_object_unref(w);
    g_object_unref(s);
    return part;
}

static GMimeObject *mime_x_text(const char *subtype, const void *data,
                                size_t len, const char *charset)
{
    GMimePart *p = mime_x_part("text", subtype, data, len, 0);

    g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "charset",
                                             charset);
    return GMIME_OBJECT(p);
}

/* The body: plain and/or HTML (alternative), else the RTF body. */
static GMimeObject *mime_x_body(apr_pool_t *pool, const store_message *m)
{
    const char *text = mime_x_str(&m->props, PidTagBody);
    const rop_bin *html = mime_x_bin(&m->props, PidTagHtml);
    const rop_bin *rtf = mime_x_bin(&m->props, PidTagRtfCompressed);
    GMimeObject *t = NULL, *h = NULL;
    GMimeMultipart *alt;

    if (text)
        t = mime_x_text("plain", text, strlen(text), "utf-8");
    if (html && html->len) {
        const char *cs = mime_cp_charset(mime_x_u32(
            &m->props, PidTagInternetCodepage, 65001));

        h = mime_x_text("html", html->data, html->len, cs ? cs : "utf-8");
    }
    if (!t && !h && rtf) {
        uint8_t *raw;
        size_t n;

        if (mime_rtf_decompress(pool, rtf->data, rtf->len, MIME_MAX_RTF,
                                &raw, &n) == 0)
            return GMIME_OBJECT(mime_x_part("text", "rtf", raw, n, 0));
    }
    if (t && h) {
        alt = g_mime_multipart_new_with_subtype("alternative");
        g_mime_multipart_add(alt, t);
        g_mime_multipart_add(alt, h);
        g_object_unref(t);
        g_object_unref(h);
        return GMIME_OBJECT(alt);
    }
    if (t || h)
        return t ? t : h;
    return mime_x_text("plain", "", 0, "utf-8");
}

static GMimeMessage *mime_x_message(apr_pool_t *pool, const store_message *m,
                                    const char *from_smtp,
                                    const char *from_name, int depth);

static int mime_x_is_inline(const store_attachment *a)
{
    return mime_x_str(&a->props, PidTagAttachContentId) &&
           ((mime_x_u32(&a->props, PidTagAttachFlags, 0) & ATT_MHTML_REF) ||
            store_props_get(&a->props, PidTagAttachmentHidden));
}

static GMimeObject *mime_x_attachment(apr_pool_t *pool,
                                      const store_attachment *a, int depth)
{
    const char *mt = mime_x_str(&a->props, PidTagAttachMimeTag);
    const char *name = mime_x_str(&a->props, PidTagAttachLongFilename);
    const char *cid = mime_x_str(&a->props, PidTagAttachContentId);
    const rop_bin *data = mime_x_bin(&a->props, PidTagAttachDataBinary);
    char *type, *sub;
    GMimePart *p;

    if (mime_x_u32(&a->props, PidTagAttachMethod, 1) == ATTACH_EMBEDDED_MSG
        && a->embedded && depth < MIME_MAX_EMBED_DEPTH) {
        GMimeMessage *em = mime_x_message(pool, a->embedded, NULL, NULL,
                                          depth + 1);
        GMimeMessagePart *mp = g_mime_message_part_new_with_message(
            "rfc822", em);

        g_object_unref(em);
        return GMIME_OBJECT(mp);
    }
    if (data == NULL)
        return NULL;
    if (!name)
        name = mime_x_str(&a->props, PidTagAttachFilename);
    type = apr_pstrdup(pool, mt && strchr(mt, '/') ? mt
                                                   : "application/octet-stream");
    sub = strchr(type, '/');
    *sub++ = 0;
    p = mime_x_part(type, sub, data->data, data->len, 1);
    if (name)
        g_mime_part_set_filename(p, name);
    if (cid)
        g_mime_part_set_content_id(p, cid);
    g_mime_object_set_disposition(GMIME_OBJECT(p), mime_x_is_inline(a)
                                  ? GMIME_DISPOSITION_INLINE
                                  : GMIME_DISPOSITION_ATTACHMENT);
    if (name)   /* set_disposition replaced the parameters */
        g_mime_part_set_filename(p, name);
    return GMIME_OBJECT(p);
}

/* Wraps body and the attachments of one kind into a multipart of subtype
 * (or returns body alone if there are none). */
static GMimeObject *mime_x_wrap(apr_pool_t *pool, const store_message *m,
                                GMimeObject *body, const char *subtype,
                                int want_inline, int depth)
{
    GMimeMultipart *mp = NULL;

    for (int i = 0; i < m->attachments->nelts; i++) {
        const store_attachment *a = &APR_ARRAY_IDX(m->attachments, i,
                                                   store_attachment);
        GMimeObject *o;

        if (mime_x_is_inline(a) != want_inline)
            continue;
        if ((o = mime_x_attachment(pool, a, depth)) == NULL)
            continue;
        if (mp == NULL) {
            mp = g_mime_multipart_new_with_subtype(subtype);
            g_mime_multipart_add(mp, body);
            g_object_unref(body);
        }
        g_mime_multipart_add(mp, o);
        g_object_unref(o);
    }
    return mp ? GMIME_OBJECT(mp) : body;
}

static void mime_x_recipients(GMimeMessage *msg, const store_message *m)
{
    for (int i = 0; i < m->recipients->nelts; i++) {
        const store_recipient *r = &APR_ARRAY_IDX(m->recipients, i,
                                                  store_recipient);
        uint32_t type = mime_x_u32(&r->props, PidTagRecipientType, 1) & 0xF;
        const char *addr = mime_x_str(&r->props, PidTagSmtpAddress);
        const char *name = mime_x_str(&r->props, PidTagDisplayName);
        InternetAddress *ia;

        if (!addr)
            addr = mime_x_str(&r->props, PidTagEmailAddress);
        if (!addr || (type != 1 && type != 2))
            continue;
        ia = internet_address_mailbox_new(name && strcmp(name, addr) ? name
                                                                     : NULL,
                                          addr);
        internet_address_list_add(g_mime_message_get_addresses(
            msg, type == 1 ? GMIME_ADDRESS_TYPE_TO : GMIME_ADDRESS_TYPE_CC),
            ia);
        g_object_unref(ia);
    }
}

static void mime_x_header(GMimeMessage *msg, const char *name,
                          const char *value)
{
    if (value)
        g_mime_object_set_header(GMIME_OBJECT(msg), name, value, "utf-8");
}

static void mime_x_headers(apr_pool_t *pool, GMimeMessage *msg,
                           const store_message *m, const char *from_smtp,
                           const char *from_name)
{
    const store_props *p = &m->props;
    const char *subj = mime_x_str(p, PidTagSubject);
    const char *mid = mime_x_str(p, PidTagInternetMessageId);
    const rop_bin *ci = mime_x_bin(p, PidTagConversationIndex);
    const rop_propval *st = store_props_get(p, PidTagClientSubmitTime);
    uint32_t imp = mime_x_u32(p, PidTagImportance, 1);
    GDateTime *dt;

    if (!from_smtp) {
        from_smtp = mime_x_str(p, PidTagSentRepresentingSmtpAddress);
        from_name = mime_x_str(p, PidTagSentRepresentingName);
    }
    if (from_smtp) {
        InternetAddress *ia = internet_address_mailbox_new(from_name,
                                                           from_smtp);

        internet_address_list_add(g_mime_message_get_from(msg), ia);
        g_object_unref(ia);
    }
    mime_x_recipients(msg, m);
    if (!subj && mime_x_str(p, PidTagNormalizedSubject))
        subj = apr_pstrcat(pool, mime_x_str(p, PidTagSubjectPrefix)
                           ? mime_x_str(p, PidTagSubjectPrefix) : "",
                           mime_x_str(p, PidTagNormalizedSubject), NULL);
    g_mime_message_set_subject(msg, subj ? subj : "", "utf-8");
    /* An embedded message keeps its own date; a submission is sent now. */
    dt = st && !from_smtp
       ? g_date_time_new_from_unix_utc(mime_unix_usec(st->v.d) / 1000000)
       : g_date_time_new_now_utc();
    g_mime_message_set_date(msg, dt);
    g_date_time_unref(dt);
    if (mid) {
        char *id = apr_pstrdup(pool, mid + (*mid == '<'));
        size_t l = strlen(id);

        if (l && id[l - 1] == '>')
            id[l - 1] = 0;
        g_mime_message_set_message_id(msg, id);
    } else {
        const char *at = from_smtp ? strrchr(from_smtp, '@') : NULL;
        char *id = g_mime_utils_generate_message_id(at ? at + 1
                                                       : "localhost");

        g_mime_message_set_message_id(msg, id);
        g_free(id);
    }
    mime_x_header(msg, "In-Reply-To", mime_x_str(p, PidTagInReplyToId));
    mime_x_header(msg, "References", mime_x_str(p, PidTagInternetReferences));
    if (ci && ci->len) {
        gchar *b64 = g_base64_encode(ci->data, ci->len);

        mime_x_header(msg, "Thread-Index", b64);
        g_free(b64);
    }
    mime_x_header(msg, "Thread-Topic", mime_x_str(p, PidTagConversationTopic));
    if (imp != 1)
        mime_x_header(msg, "Importance", imp == 2 ? "high" : "low");
    if (store_props_get(p, PidTagReadReceiptRequested) &&
        store_props_get(p, PidTagReadReceiptRequested)->v.b && from_smtp)
        mime_x_header(msg, "Disposition-Notification-To", from_smtp);
}

static GMimeMessage *mime_x_message(apr_pool_t *pool, const store_message *m,
                                    const char *from_smtp,
                                    const char *from_name, int depth)
{
    GMimeMessage *msg = g_mime_message_new(TRUE);
    GMimeObject *body;

    mime_x_headers(pool, msg, m, from_smtp, from_name);
    body = mime_x_body(pool, m);
    body = mime_x_wrap(pool, m, body, "related", 1, depth);
    body = mime_x_wrap(pool, m, body, "mixed", 0, depth);
    g_mime_message_set_mime_part(msg, body);
    g_object_unref(body);
    return msg;
}

mime_status mime_export(apr_pool_t *pool, const store_message *m,
                        const char *from_smtp, const char *from_name,
                        uint8_t **out_r, size_t *out_len_r,
                        const char **error_r)
{
    GMimeMessage *msg;
    GMimeStream *s;
    GByteArray *ba;
    GMimeFormatOptions *fo;

    mime_init();
    if (from_smtp == NULL || !*from_smtp) {
        if (error_r)
            *error_r = "no sending mailbox";
        return MIME_UNPARSABLE;
    }
    msg = mime_x_message(pool, m, from_smtp, from_name, 0);
    s = g_mime_stream_mem_new();
    fo = g_mime_format_options_new();
    /* sendmail -t reads Unix line ends and converts them itself. */
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
    g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, s);
    g_mime_format_options_free(fo);
    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    *out_r = apr_palloc(pool, ba->len + 1);
    if (ba->len)
        memcpy(*out_r, ba->data, ba->len);
    (*out_r)[ba->len] = 0;
    *out_len_r = ba->len;
    g_object_unref(s);
    g_object_unref(msg);
    return MIME_OK;
}
