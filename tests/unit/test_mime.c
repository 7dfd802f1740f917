/*
 * test_mime.c: the mime layer with real GMime: import of plain, HTML,
 * alternative, attachments (RFC 2231 names, inline images in
 * multipart/related, message/rfc822), ISO-8859-1 and Shift_JIS, RFC 2047,
 * threading (Thread-Index kept, conversation index built), S/MIME kept
 * byte for byte, malformed and oversized input; export and re-import;
 * compressed RTF against the [MS-OXRTFCP] examples and round trips.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <CUnit/Basic.h>
#include <string.h>
#include <apr_strings.h>
#include <glib.h>
#include "mime/mime.h"
#include "store/store.h"
#include "unit_env.h"
#include "wire/mapi_tags.h"

static apr_pool_t *pool;

static store_message *imp(const char *text, mime_status want)
{
    store_message *m = store_message_new(pool, 1, 0);
    mime_import_opts o = { "bob@example.org", "Bob", "alice@example.com", 0 };
    const char *err = NULL;
    mime_status st = mime_import(pool, (const uint8_t *)text, strlen(text),
                                 &o, m, &err);

    CU_ASSERT_EQUAL(st, want);
    if (st != want)
        fprintf(stderr, "import: %d %s\n", st, err ? err : "");
    return m;
}

static const char *str(const store_props *p, uint32_t tag)
{
    const rop_propval *v = store_props_get(p, tag);

    return v ? v->v.str : NULL;
}

static const rop_bin *bin(const store_props *p, uint32_t tag)
{
    const rop_propval *v = store_props_get(p, tag);

    return v ? &v->v.bin : NULL;
}

static uint32_t u32(const store_props *p, uint32_t tag)
{
    const rop_propval *v = store_props_get(p, tag);

    return v ? v->v.l : 0xDEADBEEFu;
}

static store_attachment *att(store_message *m, int i)
{
    return &APR_ARRAY_IDX(m->attachments, i, store_attachment);
}

static store_recipient *rcpt(store_message *m, int i)
{
    return &APR_ARRAY_IDX(m->recipients, i, store_recipient);
}

#define STR_EQ(a, b) do { const char *a_ = (a); \
    CU_ASSERT_PTR_NOT_NULL(a_); \
    if (a_) { CU_ASSERT_STRING_EQUAL(a_, b); \
        if (strcmp(a_, b)) fprintf(stderr, "got [%s] want [%s]\n", a_, b); } \
    } while (0)

static void test_plain(void)
{
    store_message *m = imp(
        "From: Alice Example <alice@example.com>\r\n"
        "To: Bob <bob@example.org>, carol@example.net\r\n"
        "Cc: Dave <dave@example.org>\r\n"
        "Subject: Re: lunch\r\n"
        "Date: Tue, 02 Jan 2024 10:00:00 +0000\r\n"
        "Message-ID: <abc@example.com>\r\n"
        "In-Reply-To: <prev@example.com>\r\n"
        "References: <root@example.com> <prev@example.com>\r\n"
        "Importance: high\r\n"
        "Disposition-Notification-To: alice@example.com\r\n"
        "\r\n"
        "Hello Bob,\r\nsee you.\r\n", MIME_OK);
    const store_props *p = &m->props;

    STR_EQ(str(p, PidTagMessageClass), "IPM.Note");
    STR_EQ(str(p, PidTagSubject), "Re: lunch");
    STR_EQ(str(p, PidTagSubjectPrefix), "Re: ");
    STR_EQ(str(p, PidTagNormalizedSubject), "lunch");
    STR_EQ(str(p, PidTagConversationTopic), "lunch");
    STR_EQ(str(p, PidTagSenderName), "Alice Example");
    STR_EQ(str(p, PidTagSenderSmtpAddress), "alice@example.com");
    STR_EQ(str(p, PidTagSentRepresentingSmtpAddress), "alice@example.com");
    STR_EQ(str(p, PidTagSenderAddressType), "SMTP");
    STR_EQ(str(p, PidTagInternetMessageId), "<abc@example.com>");
    STR_EQ(str(p, PidTagInReplyToId), "<prev@example.com>");
    STR_EQ(str(p, PidTagInternetReferences),
           "<root@example.com> <prev@example.com>");
    STR_EQ(str(p, PidTagBody), "Hello Bob,\r\nsee you.\r\n");
    STR_EQ(str(p, PidTagReceivedBySmtpAddress), "bob@example.org");
    CU_ASSERT_EQUAL(u32(p, PidTagImportance), 2);
    CU_ASSERT_EQUAL(u32(p, PidTagNativeBody), NATIVE_BODY_PLAIN);
    CU_ASSERT_EQUAL(u32(p, PidTagMessageFlags), 0);   /* unread */
    CU_ASSERT(store_props_get(p, PidTagMessageToMe)->v.b);
    CU_ASSERT(!store_props_get(p, PidTagMessageCcMe)->v.b);
    CU_ASSERT(store_props_get(p, PidTagReadReceiptRequested)->v.b);
    /* 2024-01-02 10:00:00 UTC as FILETIME. */
    CU_ASSERT_EQUAL(store_props_get(p, PidTagClientSubmitTime)->v.d,
                    (1704189600ULL * 10000000ULL) + 116444736000000000ULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(str(p, PidTagTransportMessageHeaders),
                                  "Message-ID: <abc@example.com>"));
    CU_ASSERT_PTR_NULL(strstr(str(p, PidTagTransportMessageHeaders),
                              "Hello Bob"));
    CU_ASSERT_EQUAL(m->recipients->nelts, 3);
    CU_ASSERT_EQUAL(m->attachments->nelts, 0);
    STR_EQ(str(&rcpt(m, 0)->props, PidTagDisplayName), "Bob");
    STR_EQ(str(&rcpt(m, 1)->props, PidTagSmtpAddress), "carol@example.net");
    CU_ASSERT_EQUAL(u32(&rcpt(m, 1)->props, PidTagRecipientType), 1);
    CU_ASSERT_EQUAL(u32(&rcpt(m, 2)->props, PidTagRecipientType), 2);
    CU_ASSERT_EQUAL(u32(&rcpt(m, 2)->props, PidTagRowid), 2);
    STR_EQ(str(&rcpt(m, 2)->props, PidTagAddressType), "SMTP");
}

static void test_sender_header(void)
{
    store_message *m = imp(
        "From: Boss <boss@example.com>\n"
        "Sender: Assistant <asst@example.com>\n"
        "To: bob@example.org\nSubject: x\n\nbody\n", MIME_OK);

    STR_EQ(str(&m->props, PidTagSenderSmtpAddress), "asst@example.com");
    STR_EQ(str(&m->props, PidTagSentRepresentingSmtpAddress),
           "boss@example.com");
    STR_EQ(str(&m->props, PidTagSentRepresentingName), "Boss");
}

static void test_html_only(void)
{
    store_message *m = imp(
        "From: a@example.com\nTo: bob@example.org\nSubject: h\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/html; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>Caf=E9 &amp; cr&egrave;me</p><p>two&#33;<br>three</p>"
        "<script>var x=1;</script></body></html>\n", MIME_OK);
    const rop_bin *h = bin(&m->props, PidTagHtml);

    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    /* The original bytes: é as ISO-8859-1 0xE9. */
    CU_ASSERT_PTR_NOT_NULL(memchr(h->data, 0xE9, h->len));
    CU_ASSERT_EQUAL(u32(&m->props, PidTagInternetCodepage), 28591);
    CU_ASSERT_EQUAL(u32(&m->props, PidTagNativeBody), NATIVE_BODY_HTML);
    /* &egrave; is not among the entities decoded; it stays as written. */
    STR_EQ(str(&m->props, PidTagBody),
           "Caf\xC3\xA9 & cr&egrave;me\ntwo!\nthree");
}

static void test_alternative(void)
{
    store_message *m = imp(
        "From: a@example.com\nTo: bob@example.org\nSubject: alt\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/alternative; boundary=XX\n\n"
        "--XX\nContent-Type: text/plain; charset=utf-8\n\nplain text\n"
        "--XX\nContent-Type: text/html; charset=utf-8\n\n<b>rich</b>\n"
        "--XX--\n", MIME_OK);
    const rop_bin *h = bin(&m->props, PidTagHtml);

    STR_EQ(str(&m->props, PidTagBody), "plain text");
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(h->len, 11);
    CU_ASSERT_EQUAL(memcmp(h->data, "<b>rich</b>", 11), 0);
    CU_ASSERT_EQUAL(u32(&m->props, PidTagInternetCodepage), 65001);
    CU_ASSERT_EQUAL(m->attachments->nelts, 0);
}

static void test_rfc2231_attachment(void)
{
    store_message *m = imp(
        "From: a@example.com\nTo: bob@example.org\nSubject: file\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
        "--b1\nContent-Type: text/plain\n\nsee attached\n"
        "--b1\nContent-Type: application/pdf\n"
        "Content-Disposition: attachment;\n"
        " filename*=iso-8859-1''R%E9sum%E9%20final.pdf\n"
        "Content-Transfer-Encoding: base64\n\n"
        "JVBERi0xLjQKJeLjz9MK\n"
        "--b1--\n", MIME_OK);
    store_attachment *a;
    const rop_bin *d;

    CU_ASSERT_EQUAL_FATAL(m->attachments->nelts, 1);
    a = att(m, 0);
    STR_EQ(str(&a->props, PidTagAttachLongFilename),
           "R\xC3\xA9sum\xC3\xA9 final.pdf");
    STR_EQ(str(&a->props, PidTagAttachExtension), ".pdf");
    STR_EQ(str(&a->props, PidTagAttachMimeTag), "application/pdf");
    CU_ASSERT_EQUAL(u32(&a->props, PidTagAttachMethod), ATTACH_BY_VALUE);
    CU_ASSERT_EQUAL(u32(&a->props, PidTagRenderingPosition), 0xFFFFFFFFu);
    d = bin(&a->props, PidTagAttachDataBinary);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->len, 15);
    CU_ASSERT_EQUAL(memcmp(d->data, "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n", 15), 0);
    CU_ASSERT_EQUAL(u32(&a->props, PidTagAttachSize), 15);
    CU_ASSERT_EQUAL(u32(&m->props, PidTagMessageFlags), MSGFLAG_HASATTACH);
    STR_EQ(str(&m->props, PidTagBody), "see attached");
}

static const char related_msg[] =
    "From: a@example.com\nTo: bob@example.org\nSubject: pic\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/related; boundary=R; type=text/html\n\n"
    "--R\nContent-Type: text/html; charset=utf-8\n\n"
    "<p>look <img src=\"cid:img1@x\"></p>\n"
    "--R\nContent-Type: image/png; name=dot.png\n"
    "Content-ID: <img1@x>\nContent-Transfer-Encoding: base64\n\n"
    "iVBORw0KGgo=\n"
    "--R--\n";

static void test_related_inline(void)
{
    store_message *m = imp(related_msg, MIME_OK);
    store_attachment *a;

    CU_ASSERT_EQUAL_FATAL(m->attachments->nelts, 1);
    a = att(m, 0);
    STR_EQ(str(&a->props, PidTagAttachContentId), "img1@x");
    STR_EQ(str(&a->props, PidTagAttachLongFilename), "dot.png");
    CU_ASSERT_EQUAL(u32(&a->props, PidTagAttachFlags), ATT_MHTML_REF);
    CU_ASSERT(store_props_get(&a->props, PidTagAttachmentHidden)->v.b);
    CU_ASSERT_EQUAL(bin(&a->props, PidTagAttachDataBinary)->len, 8);
    CU_ASSERT_PTR_NOT_NULL(bin(&m->props, PidTagHtml));
    STR_EQ(str(&m->props, PidTagBody), "look");
}

static void test_embedded(void)
{
    store_message *m = imp(
        "From: a@example.com\nTo: bob@example.org\nSubject: Fw: fwd\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=M\n\n"
        "--M\nContent-Type: text/plain\n\nforwarded below\n"
        "--M\nContent-Type: message/rfc822\n\n"
        "From: Orig <orig@example.net>\nTo: a@example.com\n"
        "Subject: the original\nMessage-ID: <o@x>\n\noriginal body\n"
        "--M--\n", MIME_OK);
    store_attachment *a;

    CU_ASSERT_EQUAL_FATAL(m->attachments->nelts, 1);
    a = att(m, 0);
    CU_ASSERT_EQUAL(u32(&a->props, PidTagAttachMethod), ATTACH_EMBEDDED_MSG);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a->embedded);
    STR_EQ(str(&a->embedded->props, PidTagSubject), "the original");
    STR_EQ(str(&a->embedded->props, PidTagSenderSmtpAddress),
           "orig@example.net");
    STR_EQ(str(&a->embedded->props, PidTagBody), "original body");
    STR_EQ(str(&a->embedded->props, PidTagInternetMessageId), "<o@x>");
    STR_EQ(str(&a->props, PidTagDisplayName), "the original");
    STR_EQ(str(&m->props, PidTagSubjectPrefix), "Fw: ");
}

static void test_charsets(void)
{
    store_message *m = imp(
        "From: a@example.com\nTo: bob@example.org\n"
        "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus\n =?utf-8?B?S8O2bG4=?=\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=ISO-8859-1\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        "Gr\xFC\xDF" "e\n", MIME_OK);

    STR_EQ(str(&m->props, PidTagSubject),
           "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln");
    STR_EQ(str(&m->props, PidTagBody), "Gr\xC3\xBC\xC3\x9F" "e\n");
    CU_ASSERT_EQUAL(u32(&m->props, PidTagInternetCodepage), 28591);

    /* Shift_JIS: 日本 is 93 FA 96 7B; the subject as an encoded word. */
    m = imp("From: a@example.com\nTo: bob@example.org\n"
            "Subject: =?Shift_JIS?B?k/qWew==?=\n"
            "Content-Type: text/plain; charset=Shift_JIS\n"
            "Content-Transfer-Encoding: 8bit\n\n"
            "\x93\xFA\x96\x7B\n", MIME_OK);
    STR_EQ(str(&m->props, PidTagSubject), "\xE6\x97\xA5\xE6\x9C\xAC");
    STR_EQ(str(&m->props, PidTagBody), "\xE6\x97\xA5\xE6\x9C\xAC\n");
    CU_ASSERT_EQUAL(u32(&m->props, PidTagInternetCodepage), 932);

    /* A byte invalid in the declared charset is replaced, not dropped. */
    m = imp("From: a@example.com\nTo: bob@example.org\nSubject: u\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            "a\xFF" "b\n", MIME_OK);
    STR_EQ(str(&m->props, PidTagBody), "a\xEF\xBF\xBD" "b\n");
}

static void test_rfc2047_names(void)
{
    store_message *m = imp(
        "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>\n"
        "To: =?iso-8859-1?q?Ren=E9?= <rene@example.fr>\n"
        "Subject: =?UTF-8?B?4pyTIGRvbmU=?=\n\nx\n", MIME_OK);

    STR_EQ(str(&m->props, PidTagSenderName),
           "J\xC3\xBCrgen M\xC3\xBCller");
    STR_EQ(str(&rcpt(m, 0)->props, PidTagDisplayName), "Ren\xC3\xA9");
    STR_EQ(str(&m->props, PidTagSubject), "\xE2\x9C\x93 done");
}

static void test_threading(void)
{
    /* 22-byte header + one 5-byte child block. */
    static const uint8_t idx[27] = {
        0x01, 0xD9, 0xA0, 0x11, 0x22, 0x33, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        11, 12, 13, 14, 15, 16, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE };
    gchar *b64 = g_base64_encode(idx, sizeof(idx));
    store_message *m = imp(apr_psprintf(pool,
        "From: a@example.com\nTo: bob@example.org\nSubject: RE: t\n"
        "Thread-Topic: the topic\nThread-Index: %s\n\nx\n", b64), MIME_OK);
    const rop_bin *ci = bin(&m->props, PidTagConversationIndex);
    store_message *m2, *m3;
    const rop_bin *c2, *c3;
    uint64_t ft = 1704189600ULL * 10000000ULL + 116444736000000000ULL;

    g_free(b64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
    CU_ASSERT_EQUAL(ci->len, 27);
    CU_ASSERT_EQUAL(memcmp(ci->data, idx, 27), 0);
    STR_EQ(str(&m->props, PidTagConversationTopic), "the topic");

    /* Built from the Date: reserved 0x01, FILETIME bits 55..16. */
    m2 = imp("From: a@example.com\nTo: bob@example.org\nSubject: t\n"
             "Date: Tue, 02 Jan 2024 10:00:00 +0000\n"
             "Message-ID: <t1@x>\n\nx\n", MIME_OK);
    c2 = bin(&m2->props, PidTagConversationIndex);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
    CU_ASSERT_EQUAL(c2->len, 22);
    CU_ASSERT_EQUAL(c2->data[0], 0x01);
    CU_ASSERT_EQUAL(c2->data[1], (uint8_t)(ft >> 48));
    CU_ASSERT_EQUAL(c2->data[5], (uint8_t)(ft >> 16));
    /* The same message delivered again gets the same index. */
    m3 = imp("From: a@example.com\nTo: bob@example.org\nSubject: t\n"
             "Date: Tue, 02 Jan 2024 10:00:00 +0000\n"
             "Message-ID: <t1@x>\n\nx\n", MIME_OK);
    c3 = bin(&m3->props, PidTagConversationIndex);
    CU_ASSERT_EQUAL(memcmp(c2->data, c3->data, 22), 0);
}

static void test_smime_signed(void)
{
    const char *entity =
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n"
        " micalg=sha-256; boundary=\"SIG\"\r\n"
        "\r\n"
        "This is a signed message\r\n"
        "--SIG\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "signed text  \r\n"
        "--SIG\r\n"
        "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0B\r\n"
        "--SIG--\r\n";
    const char *text = apr_pstrcat(pool,
        "From: a@example.com\r\nTo: bob@example.org\r\nSubject: signed\r\n"
        "MIME-Version: 1.0\r\n", entity, NULL);
    store_message *m = imp(text, MIME_OK);
    const rop_bin *d;

    STR_EQ(str(&m->props, PidTagMessageClass),
           "IPM.Note.SMIME.MultipartSigned");
    CU_ASSERT_EQUAL_FATAL(m->attachments->nelts, 1);
    STR_EQ(str(&att(m, 0)->props, PidTagAttachMimeTag), "multipart/signed");
    d = bin(&att(m, 0)->props, PidTagAttachDataBinary);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->len, strlen(entity));
    CU_ASSERT(d->len == strlen(entity) &&
              memcmp(d->data, entity, d->len) == 0);
    STR_EQ(str(&m->props, PidTagBody), "signed text  ");

    m = imp("From: a@example.com\nTo: bob@example.org\nSubject: enc\n"
            "Content-Type: application/pkcs7-mime; smime-type=enveloped-data;"
            " name=smime.p7m\nContent-Transfer-Encoding: base64\n\n"
            "MIAGCSqGSIb3DQEHA6CA\n", MIME_OK);
    STR_EQ(str(&m->props, PidTagMessageClass), "IPM.Note.SMIME");
    CU_ASSERT_EQUAL_FATAL(m->attachments->nelts, 1);
    CU_ASSERT_EQUAL(bin(&att(m, 0)->props, PidTagAttachDataBinary)->len, 15);
}

static void test_malformed(void)
{
    store_message *m;

    /* Truncated inside a multipart, a bad date, an unterminated quote. */
    m = imp("From: \"Broken <a@example.com\nTo: bob@example.org\n"
            "Date: not a date\nSubject: =?utf-8?B?broken\n"
            "Content-Type: multipart/mixed; boundary=Q\n\n"
            "--Q\nContent-Type: text/plain\n\nhalf a mess", MIME_OK);
    CU_ASSERT_PTR_NOT_NULL(store_props_get(&m->props, PidTagClientSubmitTime));
    CU_ASSERT_PTR_NOT_NULL(str(&m->props, PidTagSubject));
    CU_ASSERT_PTR_NOT_NULL(str(&m->props, PidTagBody));
    /* Headers only, no body, no blank line. */
    m = imp("Subject: only\n", MIME_OK);
    STR_EQ(str(&m->props, PidTagSubject), "only");
    CU_ASSERT_PTR_NOT_NULL(str(&m->props, PidTagNormalizedSubject));
    /* An mbox From_ line in front. */
    m = imp("From alice@example.com Tue Jan  2 10:00:00 2024\n"
            "Subject: mbox\n\nbody\n", MIME_OK);
    STR_EQ(str(&m->props, PidTagSubject), "mbox");
    /* No header block at all. */
    imp("just some text\nwithout headers\n", MIME_UNPARSABLE);
    imp("", MIME_UNPARSABLE);
}

static void test_too_big(void)
{
    store_message *m = store_message_new(pool, 1, 0);
    size_t n = MIME_MAX_MESSAGE + 1;
    uint8_t *big = apr_palloc(pool, n);
    const char *err = NULL;

    memset(big, 'a', n);
    memcpy(big, "Subject: x\n\n", 12);
    CU_ASSERT_EQUAL(mime_import(pool, big, n, NULL, m, &err), MIME_TOO_BIG);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_EQUAL(m->props.count, 0);
}

/* Export, then import what was exported. */
static void test_export_round_trip(void)
{
    store_message *m = store_message_new(pool, 1, 0), *back;
    store_recipient *r;
    store_attachment *a;
    uint8_t *out, blob[300];
    size_t n;
    const char *err = NULL;
    static const char *names[3] = { "To Person", "Cc Person", "Hidden" };
    static const char *addrs[3] = { "to@example.org", "cc@example.org",
                                    "bcc@example.org" };

    for (unsigned i = 0; i < sizeof(blob); i++)
        blob[i] = (uint8_t)(i * 7);
    store_props_set_str(&m->props, PidTagSubject,
                        "Re: \xC3\x9C" "bersicht \xE6\x97\xA5\xE6\x9C\xAC");
    store_props_set_str(&m->props, PidTagBody, "Plain \xC3\xA9 body\n");
    store_props_set_bin(&m->props, PidTagHtml, "<p>\xC3\xA9</p>", 9);
    store_props_set_u32(&m->props, PidTagInternetCodepage, 65001);
    store_props_set_u32(&m->props, PidTagImportance, 2);
    store_props_set_str(&m->props, PidTagInReplyToId, "<p@x>");
    for (int i = 0; i < 3; i++) {
        r = apr_array_push(m->recipients);
        r->row_id = (uint32_t)i;
        store_props_init(&r->props, pool);
        store_props_set_u32(&r->props, PidTagRecipientType, (uint32_t)i + 1);
        store_props_set_str(&r->props, PidTagDisplayName, names[i]);
        store_props_set_str(&r->props, PidTagSmtpAddress, addrs[i]);
    }
    a = apr_array_push(m->attachments);
    memset(a, 0, sizeof(*a));
    store_props_init(&a->props, pool);
    store_props_set_u32(&a->props, PidTagAttachMethod, 1);
    store_props_set_bin(&a->props, PidTagAttachDataBinary, blob, sizeof(blob));
    store_props_set_str(&a->props, PidTagAttachLongFilename,
                        "d\xC3\xA4ta file.bin");
    store_props_set_str(&a->props, PidTagAttachMimeTag,
                        "application/octet-stream");

    CU_ASSERT_EQUAL_FATAL(mime_export(pool, m, "me@example.com", "Me",
                                      &out, &n, &err), MIME_OK);
    CU_ASSERT_PTR_NULL(strstr((char *)out, "bcc@example.org"));
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out, "Message-Id: <") ||
                           strstr((char *)out, "Message-ID: <"));
    back = store_message_new(pool, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mime_import(pool, out, n, NULL, back, &err),
                          MIME_OK);
    STR_EQ(str(&back->props, PidTagSubject),
           "Re: \xC3\x9C" "bersicht \xE6\x97\xA5\xE6\x9C\xAC");
    STR_EQ(str(&back->props, PidTagBody), "Plain \xC3\xA9 body\n");
    CU_ASSERT_EQUAL(bin(&back->props, PidTagHtml)->len, 9);
    CU_ASSERT_EQUAL(memcmp(bin(&back->props, PidTagHtml)->data,
                           "<p>\xC3\xA9</p>", 9), 0);
    STR_EQ(str(&back->props, PidTagSenderSmtpAddress), "me@example.com");
    STR_EQ(str(&back->props, PidTagInReplyToId), "<p@x>");
    CU_ASSERT_EQUAL(u32(&back->props, PidTagImportance), 2);
    CU_ASSERT_EQUAL_FATAL(back->recipients->nelts, 2);
    STR_EQ(str(&rcpt(back, 0)->props, PidTagSmtpAddress), "to@example.org");
    STR_EQ(str(&rcpt(back, 0)->props, PidTagDisplayName), "To Person");
    CU_ASSERT_EQUAL(u32(&rcpt(back, 1)->props, PidTagRecipientType), 2);
    CU_ASSERT_EQUAL_FATAL(back->attachments->nelts, 1);
    CU_ASSERT_EQUAL(bin(&att(back, 0)->props, PidTagAttachDataBinary)->len,
                    sizeof(blob));
    CU_ASSERT_EQUAL(memcmp(bin(&att(back, 0)->props,
                               PidTagAttachDataBinary)->data, blob,
                           sizeof(blob)), 0);
    STR_EQ(str(&att(back, 0)->props, PidTagAttachLongFilename),
           "d\xC3\xA4ta file.bin");
}

/* Inline images and embedded messages survive export and re-import. */
static void test_export_related_embedded(void)
{
    store_message *m = imp(related_msg, MIME_OK), *back;
    store_attachment *a;
    uint8_t *out;
    size_t n;
    const char *err = NULL;

    a = apr_array_push(m->attachments);
    memset(a, 0, sizeof(*a));
    store_props_init(&a->props, pool);
    store_props_set_u32(&a->props, PidTagAttachMethod, ATTACH_EMBEDDED_MSG);
    a->embedded = imp("From: o@example.net\nSubject: inner\n\ninner body\n",
                      MIME_OK);
    CU_ASSERT_EQUAL_FATAL(mime_export(pool, m, "me@example.com", NULL,
                                      &out, &n, &err), MIME_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out, "multipart/related"));
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out, "message/rfc822"));
    back = store_message_new(pool, 1, 0);
    CU_ASSERT_EQUAL_FATAL(mime_import(pool, out, n, NULL, back, &err),
                          MIME_OK);
    CU_ASSERT_EQUAL_FATAL(back->attachments->nelts, 2);
    STR_EQ(str(&att(back, 0)->props, PidTagAttachContentId), "img1@x");
    CU_ASSERT_EQUAL(u32(&att(back, 0)->props, PidTagAttachFlags),
                    ATT_MHTML_REF);
    CU_ASSERT_PTR_NOT_NULL_FATAL(att(back, 1)->embedded);
    STR_EQ(str(&att(back, 1)->embedded->props, PidTagSubject), "inner");
    STR_EQ(str(&att(back, 1)->embedded->props, PidTagBody), "inner body\n");
}

/* An imported message saves in a real store and reads back whole. */
static void test_store_save(void)
{
    static char dir[] = "/tmp/mapi-unit-mime-XXXXXX";
    static const uint8_t mbox[16] = { 0x4D, 0x1E, 1, 2, 3, 4, 5, 6, 7, 8,
                                      9, 10, 11, 12, 13, 14 };
    mapi_db *db = unit_env_open(pool, dir);
    store_mailbox_info *mi;
    store_message *m, *got;
    const char *err = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT_EQUAL_FATAL(store_mailbox_create(db, pool, mbox, "Mime", &err),
                          STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_mailbox_get(db, pool, mbox, &mi, &err),
                          STORE_OK);
    m = store_message_new(pool, mi->folder_ids[STORE_FOLDER_INBOX], 0);
    {
        const char *e = NULL;

        CU_ASSERT_EQUAL(mime_import(pool, (const uint8_t *)related_msg,
                                    strlen(related_msg), NULL, m, &e),
                        MIME_OK);
    }
    CU_ASSERT_EQUAL_FATAL(store_message_save(db, pool, mbox, m, &err),
                          STORE_OK);
    CU_ASSERT_EQUAL_FATAL(store_message_get(db, pool, mbox, m->mid, &got,
                                            &err), STORE_OK);
    STR_EQ(str(&got->props, PidTagSubject), "pic");
    CU_ASSERT_EQUAL_FATAL(got->attachments->nelts, 1);
    CU_ASSERT_EQUAL(bin(&att(got, 0)->props, PidTagAttachDataBinary)->len, 8);
    STR_EQ(str(&att(got, 0)->props, PidTagAttachContentId), "img1@x");
    mapi_db_close(&db);
    unit_env_remove(dir);
}

/* ---------------------------------------------------------------- RTF -- */

/* [MS-OXRTFCP] 3.1.1.1 and 3.1.2.1. */
static const uint8_t rtf_ex1[] = {
    0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75,
    0xf1, 0xc5, 0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67,
    0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09,
    0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f,
    0xa0 };
static const char rtf_ex1_text[] =
    "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n";
static const uint8_t rtf_ex2[] = {
    0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75,
    0xe2, 0xd4, 0x4b, 0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59, 0x5a,
    0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0 };
static const char rtf_ex2_text[] = "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}";

static void check_decomp(const uint8_t *z, size_t zl, const char *want)
{
    uint8_t *out;
    size_t n;

    CU_ASSERT_EQUAL_FATAL(mime_rtf_decompress(pool, z, zl, 1 << 20, &out, &n),
                          0);
    CU_ASSERT_EQUAL(n, strlen(want));
    CU_ASSERT(n == strlen(want) && memcmp(out, want, n) == 0);
}

static void test_rtf_known_answers(void)
{
    uint8_t *z;
    size_t zl;

    check_decomp(rtf_ex1, sizeof(rtf_ex1), rtf_ex1_text);
    check_decomp(rtf_ex2, sizeof(rtf_ex2), rtf_ex2_text);
    /* Our compressor produces the spec's bytes for both examples. */
    CU_ASSERT_EQUAL(mime_rtf_compress(pool, (const uint8_t *)rtf_ex1_text,
                                      strlen(rtf_ex1_text), &z, &zl), 0);
    CU_ASSERT_EQUAL(zl, sizeof(rtf_ex1));
    CU_ASSERT(zl == sizeof(rtf_ex1) && memcmp(z, rtf_ex1, zl) == 0);
    CU_ASSERT_EQUAL(mime_rtf_compress(pool, (const uint8_t *)rtf_ex2_text,
                                      strlen(rtf_ex2_text), &z, &zl), 0);
    CU_ASSERT_EQUAL(zl, sizeof(rtf_ex2));
    CU_ASSERT(zl == sizeof(rtf_ex2) && memcmp(z, rtf_ex2, zl) == 0);
}

static void test_rtf_errors_and_mela(void)
{
    uint8_t bad[sizeof(rtf_ex1)], mela[16 + 5], *out;
    size_t n;

    memcpy(bad, rtf_ex1, sizeof(bad));
    bad[20] ^= 1;                                    /* CRC mismatch */
    CU_ASSERT_EQUAL(mime_rtf_decompress(pool, bad, sizeof(bad), 1 << 20,
                                        &out, &n), -1);
    CU_ASSERT_EQUAL(mime_rtf_decompress(pool, rtf_ex1, 15, 1 << 20,
                                        &out, &n), -1);  /* short header */
    CU_ASSERT_EQUAL(mime_rtf_decompress(pool, rtf_ex1, sizeof(rtf_ex1), 10,
                                        &out, &n), -1);  /* over max_out */
    memcpy(bad, rtf_ex1, sizeof(bad));
    bad[8] = 'X';                                    /* unknown COMPTYPE */
    CU_ASSERT_EQUAL(mime_rtf_decompress(pool, bad, sizeof(bad), 1 << 20,
                                        &out, &n), -1);
    memcpy(bad, rtf_ex1, sizeof(bad));
    bad[0] = 0xFF;                                   /* COMPSIZE too big */
    CU_ASSERT_EQUAL(mime_rtf_decompress(pool, bad, sizeof(bad), 1 << 20,
                                        &out, &n), -1);
    /* MELA: uncompressed content after the header. */
    memset(mela, 0, sizeof(mela));
    mela[0] = 12 + 5;
    mela[4] = 5;
    memcpy(mela + 8, "MELA", 4);
    memcpy(mela + 16, "{\\rtf", 5);
    check_decomp(mela, sizeof(mela), "{\\rtf");
}

static void test_rtf_round_trip(void)
{
    size_t sizes[] = { 0, 1, 2, 3, 17, 18, 4095, 4096, 4097, 70000 };

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t n = sizes[k], zl, ol;
        uint8_t *in = apr_palloc(pool, n + 1), *z, *o;
        uint32_t x = 12345 + (uint32_t)k;

        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            /* Half repetitive, half noise: both item kinds, ring wraps. */
            in[i] = (i / 300) % 2 ? (uint8_t)(x >> 16) : (uint8_t)("{\\rtf1 "
                    "\\par hello}"[i % 18]);
        }
        CU_ASSERT_EQUAL_FATAL(mime_rtf_compress(pool, in, n, &z, &zl), 0);
        CU_ASSERT_EQUAL_FATAL(mime_rtf_decompress(pool, z, zl, n, &o, &ol), 0);
        CU_ASSERT_EQUAL(ol, n);
        CU_ASSERT(ol == n && (n == 0 || memcmp(o, in, n) == 0));
    }
}

/* An RTF-only message: text/rtf becomes PidTagRtfCompressed, and export
 * writes it back as text/rtf. */
static void test_rtf_body(void)
{
    store_message *m = imp("From: a@example.com\nSubject: r\n"
                           "Content-Type: text/rtf\n\n"
                           "{\\rtf1\\ansi hello}\n", MIME_OK), *back;
    const rop_bin *z = bin(&m->props, PidTagRtfCompressed);
    uint8_t *out;
    size_t n;
    const char *err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    check_decomp(z->data, z->len, "{\\rtf1\\ansi hello}\n");
    CU_ASSERT_EQUAL(u32(&m->props, PidTagNativeBody), NATIVE_BODY_RTF);
    CU_ASSERT(store_props_get(&m->props, PidTagRtfInSync)->v.b);
    CU_ASSERT_EQUAL_FATAL(mime_export(pool, m, "me@example.com", NULL, &out,
                                      &n, &err), MIME_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out, "text/rtf"));
    back = store_message_new(pool, 1, 0);
    CU_ASSERT_EQUAL(mime_import(pool, out, n, NULL, back, &err), MIME_OK);
    CU_ASSERT_PTR_NOT_NULL(bin(&back->props, PidTagRtfCompressed));
}

int main(void)
{
    CU_pSuite s;
    unsigned failed;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("mime", NULL, NULL);
    CU_add_test(s, "plain message, headers, recipients", test_plain);
    CU_add_test(s, "Sender vs From", test_sender_header);
    CU_add_test(s, "HTML only, text derived", test_html_only);
    CU_add_test(s, "multipart/alternative", test_alternative);
    CU_add_test(s, "attachment with RFC 2231 name", test_rfc2231_attachment);
    CU_add_test(s, "inline image in multipart/related", test_related_inline);
    CU_add_test(s, "message/rfc822 embedded", test_embedded);
    CU_add_test(s, "ISO-8859-1, Shift_JIS, bad bytes", test_charsets);
    CU_add_test(s, "RFC 2047 names and subject", test_rfc2047_names);
    CU_add_test(s, "Thread-Index kept, index built", test_threading);
    CU_add_test(s, "S/MIME kept intact", test_smime_signed);
    CU_add_test(s, "malformed still imported", test_malformed);
    CU_add_test(s, "over MIME_MAX_MESSAGE refused", test_too_big);
    CU_add_test(s, "export and re-import", test_export_round_trip);
    CU_add_test(s, "export related and embedded", test_export_related_embedded);
    CU_add_test(s, "saved in a real store", test_store_save);
    CU_add_test(s, "RTF known answers", test_rtf_known_answers);
    CU_add_test(s, "RTF errors and MELA", test_rtf_errors_and_mela);
    CU_add_test(s, "RTF round trips", test_rtf_round_trip);
    CU_add_test(s, "RTF body import and export", test_rtf_body);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    apr_pool_destroy(pool);
    return failed ? 1 : 0;
}
