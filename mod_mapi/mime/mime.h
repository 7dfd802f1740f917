/*
 * mime.h: Internet mail ([RFC 5322], MIME) to and from MAPI messages, with
 * GMime doing the parsing and the writing.
 *
 * Import (mime_import.c) turns one message as an MTA hands it over into a
 * store_message: envelope and header properties, the bodies the clients
 * read (PidTagBody, PidTagHtml, PidTagRtfCompressed), recipients,
 * attachments (inline images keep their Content-ID), threading
 * (PidTagConversationTopic, PidTagConversationIndex, PidTagInReplyToId,
 * PidTagInternetReferences).  What cannot be mapped is not dropped: the
 * whole header block goes to PidTagTransportMessageHeaders, and a signed
 * or encrypted message keeps its bytes intact as the [MS-OXOSMIME]
 * attachment.
 *
 * Export (mime_export.c, for submission) does the reverse for a message
 * a client sends.
 *
 * Compressed RTF ([MS-OXRTFCP]) is in mime_rtf.c.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_MIME_H
#define MAPI_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "store/store.h"

/* Largest message accepted for import: bigger is refused before parsing. */
#define MIME_MAX_MESSAGE   (64u * 1024 * 1024)

typedef enum mime_status {
    MIME_OK = 0,
    MIME_TOO_BIG,        /* over MIME_MAX_MESSAGE */
    MIME_UNPARSABLE,     /* not a message at all (no header block) */
    MIME_NO_MEMORY,
} mime_status;

typedef struct mime_import_opts {
    /* The envelope recipient this copy is delivered to (may be NULL):
     * sets PidTagReceivedBy* and decides whether the message was sent
     * to the recipient as To, Cc or Bcc (PidTagMessageToMe, ...CcMe). */
    const char *rcpt_smtp;
    const char *rcpt_name;
    /* The envelope sender (MAIL FROM), NULL or "" for a bounce. */
    const char *env_from;
    /* Delivery time (apr_time_t, microseconds); 0: now. */
    int64_t delivery_time;
} mime_import_opts;

/* Parses len bytes of data and fills m (from store_message_new(pool, fid,
 * 0)) with the message's properties, recipients and attachments.  Never
 * fails on malformed MIME: what GMime recovers is kept, and the whole
 * input is kept as faithfully as possible.  Returns MIME_OK, or the
 * reason the message is refused, with *error_r (may be NULL) saying why
 * in words an MTA can put in a bounce. */
mime_status mime_import(apr_pool_t *pool, const uint8_t *data, size_t len,
                        const mime_import_opts *opts, store_message *m,
                        const char **error_r);

/* Writes m as an RFC 5322 message (MIME where it has to), for handing to
 * a sendmail-compatible command.  from_smtp / from_name: the sending
 * mailbox.  Returns MIME_OK with *out_r / *out_len_r in pool. */
mime_status mime_export(apr_pool_t *pool, const store_message *m,
                        const char *from_smtp, const char *from_name,
                        uint8_t **out_r, size_t *out_len_r,
                        const char **error_r);

/* [MS-OXRTFCP]: compresses rtf into the compressed-RTF form of
 * PidTagRtfCompressed (COMPTYPE LZFu, CRC32 as the spec defines), and
 * back.  Decompression is bounded by max_out and rejects bad headers,
 * CRCs and references.  Both return 0, or -1. */
int mime_rtf_compress(apr_pool_t *pool, const uint8_t *rtf, size_t len,
                      uint8_t **out_r, size_t *out_len_r);
int mime_rtf_decompress(apr_pool_t *pool, const uint8_t *in, size_t len,
                        size_t max_out, uint8_t **out_r, size_t *out_len_r);

/* Initialises GMime once per process (thread-safe); every entry point
 * above calls it. */
void mime_init(void);

#endif
