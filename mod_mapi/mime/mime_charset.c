/*
 * mime_charset.c: character sets and times for the mime layer: any
 * declared charset to UTF-8 without losing bytes silently, MIME charset
 * names to Windows code pages (PidTagInternetCodepage) and back, and
 * FILETIME conversion.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "mime/mime_int.h"

static const char mime_replacement[] = "\xEF\xBF\xBD";   /* U+FFFD */

/* A growable output buffer in malloc'd memory (iconv needs to write
 * anywhere in it); copied into the pool at the end. */
typedef struct mime_buf {
    char *p;
    size_t len, cap;
} mime_buf;

static int mime_buf_room(mime_buf *b, size_t need)
{
    char *np;
    size_t ncap;

    if (b->cap - b->len >= need)
        return 0;
    ncap = (b->cap + need) * 2;
    np = g_try_realloc(b->p, ncap);
    if (np == NULL)
        return -1;
    b->p = np;
    b->cap = ncap;
    return 0;
}

static int mime_buf_add(mime_buf *b, const char *s, size_t n)
{
    if (mime_buf_room(b, n + 1) != 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

/* Valid UTF-8 stays; each invalid byte (NUL included: stored strings end
 * at the first NUL) becomes U+FFFD. */
static int mime_utf8_clean(mime_buf *b, const char *in, size_t len)
{
    while (len > 0) {
        const gchar *end;
        size_t good;

        if (g_utf8_validate_len(in, len, &end))
            return mime_buf_add(b, in, len);
        good = (size_t)(end - in);
        if (mime_buf_add(b, in, good) != 0 ||
            mime_buf_add(b, mime_replacement, 3) != 0)
            return -1;
        in += good + 1;
        len -= good + 1;
    }
    return 0;
}

static int mime_iconv_all(mime_buf *b, iconv_t cd, const char *in, size_t len)
{
    char *ip = (char *)in;
    size_t il = len;

    while (il > 0) {
        char *op;
        size_t ol, r;

        if (mime_buf_room(b, il * 4 + 16) != 0)
            return -1;
        op = b->p + b->len;
        ol = b->cap - b->len - 1;
        r = iconv(cd, &ip, &il, &op, &ol);
        b->len = (size_t)(op - b->p);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG)
            continue;
        /* EILSEQ or a truncated sequence at the end (EINVAL): one byte
         * is replaced, the rest is decoded on. */
        if (mime_buf_add(b, mime_replacement, 3) != 0)
            return -1;
        ip++;
        il--;
    }
    if (mime_buf_room(b, 16) != 0)
        return -1;
    {
        char *op = b->p + b->len;
        size_t ol = b->cap - b->len - 1;

        iconv(cd, NULL, NULL, &op, &ol);
        b->len = (size_t)(op - b->p);
    }
    return 0;
}

static int mime_is_utf8_name(const char *cs)
{
    return strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
           strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0;
}

char *mime_to_utf8(apr_pool_t *pool, const char *in, size_t len,
                   const char *charset)
{
    mime_buf b = { NULL, 0, 0 };
    iconv_t cd = (iconv_t)-1;
    int rc;
    char *out;

    if (in == NULL)
        return apr_pstrdup(pool, "");
    if (charset != NULL && *charset && !mime_is_utf8_name(charset))
        cd = g_mime_iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1 && charset != NULL && *charset &&
        !mime_is_utf8_name(charset) && !g_utf8_validate_len(in, len, NULL))
        /* Unknown charset and not UTF-8 either: the commonest 8-bit
         * charset on the Internet keeps every byte as some character. */
        cd = g_mime_iconv_open("UTF-8", "windows-1252");
    if (cd != (iconv_t)-1) {
        mime_buf raw = { NULL, 0, 0 };

        rc = mime_iconv_all(&raw, cd, in, len);
        g_mime_iconv_close(cd);
        /* The converter's output is UTF-8 but may hold NULs. */
        if (rc == 0)
            rc = mime_utf8_clean(&b, raw.p ? raw.p : "", raw.len);
        g_free(raw.p);
    } else {
        rc = mime_utf8_clean(&b, in, len);
    }
    if (rc != 0) {
        g_free(b.p);
        return NULL;
    }
    out = apr_pstrmemdup(pool, b.p ? b.p : "", b.len);
    g_free(b.p);
    return out;
}

/* ------------------------------------------------------- code pages -- */

static const struct {
    const char *name;
    uint32_t cp;
} mime_cps[] = {
    /* The first name of a code page is what export writes. */
    { "utf-8", 65001 }, { "utf8", 65001 },
    { "us-ascii", 20127 }, { "ascii", 20127 },
    { "iso-8859-1", 28591 }, { "latin1", 28591 }, { "iso8859-1", 28591 },
    { "iso-8859-2", 28592 }, { "iso-8859-3", 28593 },
    { "iso-8859-4", 28594 }, { "iso-8859-5", 28595 },
    { "iso-8859-6", 28596 }, { "iso-8859-7", 28597 },
    { "iso-8859-8", 28598 }, { "iso-8859-9", 28599 },
    { "iso-8859-13", 28603 }, { "iso-8859-15", 28605 },
    { "windows-1250", 1250 }, { "windows-1251", 1251 },
    { "windows-1252", 1252 }, { "cp1252", 1252 },
    { "windows-1253", 1253 }, { "windows-1254", 1254 },
    { "windows-1255", 1255 }, { "windows-1256", 1256 },
    { "windows-1257", 1257 }, { "windows-1258", 1258 },
    { "shift_jis", 932 }, { "shift-jis", 932 }, { "sjis", 932 },
    { "x-sjis", 932 }, { "windows-31j", 932 }, { "cp932", 932 },
    { "iso-2022-jp", 50220 }, { "euc-jp", 51932 },
    { "gb2312", 936 }, { "gbk", 936 }, { "gb18030", 54936 },
    { "big5", 950 }, { "euc-kr", 51949 }, { "ks_c_5601-1987", 949 },
    { "iso-2022-kr", 50225 }, { "koi8-r", 20866 }, { "koi8-u", 21866 },
    { "utf-16", 1200 }, { "utf-7", 65000 },
};

uint32_t mime_charset_cp(const char *charset)
{
    if (charset == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(mime_cps) / sizeof(mime_cps[0]); i++)
        if (strcasecmp(charset, mime_cps[i].name) == 0)
            return mime_cps[i].cp;
    return 0;
}

const char *mime_cp_charset(uint32_t cp)
{
    for (size_t i = 0; i < sizeof(mime_cps) / sizeof(mime_cps[0]); i++)
        if (mime_cps[i].cp == cp)
            return mime_cps[i].name;
    return NULL;
}

/* ------------------------------------------------------------ times -- */

/* FILETIME counts 100 ns ticks from 1601-01-01. */
#define MIME_EPOCH_DIFF  116444736000000000ULL

uint64_t mime_filetime(int64_t unix_usec)
{
    if (unix_usec < -(int64_t)(MIME_EPOCH_DIFF / 10))
        return 0;
    return (uint64_t)(unix_usec * 10 + (int64_t)MIME_EPOCH_DIFF);
}

int64_t mime_unix_usec(uint64_t filetime)
{
    return ((int64_t)filetime - (int64_t)MIME_EPOCH_DIFF) / 10;
}
