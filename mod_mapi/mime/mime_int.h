/*
 * mime_int.h: helpers shared by mime_import.c and mime_export.c (not part
 * of the contract in mime.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_MIME_INT_H
#define MAPI_MIME_INT_H

#include <gmime/gmime.h>
#include "mime/mime.h"

/* Embedded messages inside embedded messages, and multiparts inside
 * multiparts, deeper than this are kept as opaque attachments: hostile
 * nesting must not exhaust the stack. */
#define MIME_MAX_EMBED_DEPTH   8
#define MIME_MAX_PART_DEPTH    32
/* Decompressed RTF bodies larger than this are not exported. */
#define MIME_MAX_RTF           (16u * 1024 * 1024)

/* len bytes in charset (NULL: UTF-8) as NUL-terminated UTF-8 in pool;
 * undecodable bytes and NULs become U+FFFD, so nothing vanishes silently.
 * An unknown charset is read as UTF-8, then Windows-1252. */
char *mime_to_utf8(apr_pool_t *pool, const char *in, size_t len,
                   const char *charset);
/* The Windows code page of a MIME charset name (0 if unknown), and back
 * (NULL if unknown). */
uint32_t mime_charset_cp(const char *charset);
const char *mime_cp_charset(uint32_t cp);
/* apr-style microseconds since 1970 to FILETIME and back. */
uint64_t mime_filetime(int64_t unix_usec);
int64_t mime_unix_usec(uint64_t filetime);

#endif
