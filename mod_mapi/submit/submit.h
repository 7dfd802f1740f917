/*
 * submit.h: sending a message a client submitted (RopSubmitMessage).
 *
 * The message is written as Internet mail (mime_export) and handed over
 * while the client's Execute waits: copies for mailboxes of this server
 * go straight to local delivery (dlv.h), as Exchange delivers within its
 * organisation; the others go to a sendmail-compatible command
 * (`/usr/sbin/sendmail -i -f SENDER -- RCPT...`, configurable with
 * MapiSendmailCommand).  Then the message goes where it asked
 * ([MS-OXOMSG] 3.2.4.1): deleted with PidTagDeleteAfterSubmit, moved to
 * the folder of PidTagSentMailSvrEID or PidTagSentMailEntryId, else to
 * Sent Items, with mfUnsent and mfSubmitted cleared ([MS-OXCMSG] R513).
 *
 * A hand-off that fails leaves the message in its folder (mfSubmitted
 * cleared, so the client may try again) and puts a non-delivery report
 * (REPORT.IPM.Note.NDR) in the sender's Inbox naming the recipients and
 * why; nothing is lost either way.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_SUBMIT_H
#define MAPI_SUBMIT_H

#include <stdint.h>
#include <apr_pools.h>
#include "configdb/cfg_db.h"
#include "db/mapi_db.h"
#include "store/store.h"

#define SUBMIT_DEFAULT_SENDMAIL  "/usr/sbin/sendmail"
#define SUBMIT_DEFAULT_TIMEOUT   60      /* seconds for the hand-off */

typedef struct submit_cfg {
    const char *sendmail;    /* program and leading arguments, split on
                                blanks; NULL: SUBMIT_DEFAULT_SENDMAIL */
    int timeout;             /* seconds; 0: SUBMIT_DEFAULT_TIMEOUT */
} submit_cfg;

typedef struct submit_result {
    unsigned n_local, n_remote;      /* recipients delivered / handed off */
    unsigned n_failed;               /* recipients in the NDR */
    const char *failure;             /* why they failed, or NULL */
    uint64_t fid, mid;               /* where the message is now; mid 0:
                                        deleted (PidTagDeleteAfterSubmit) */
} submit_result;

/* Sends message mid of mbx's mailbox.  STORE_OK once it was processed,
 * whether every recipient got it or an NDR reports those who did not;
 * STORE_INVALID when the message has no recipient (ecNoRecipients for
 * the client); other statuses: the store failed and nothing was sent. */
store_status submit_message(mapi_db *db, apr_pool_t *pool,
                            const cfg_mailbox *mbx, uint64_t mid,
                            const submit_cfg *cfg, submit_result *res,
                            const char **error_r);

/* Hands mime (an RFC 5322 message, already written) to n recipients
 * (SMTP addresses) with the envelope sender env_from ("" or NULL: a
 * bounce, "<>"): mailboxes of this server through local delivery, the
 * others through the sendmail command.  For rules that forward,
 * redirect and reply at delivery time.  *failures_r (may be NULL) gets,
 * per recipient, NULL or why it failed.  Returns how many got it. */
unsigned submit_send_mime(mapi_db *db, apr_pool_t *pool, const char *env_from,
                          const char *const *rcpts, unsigned n,
                          const uint8_t *mime, size_t len,
                          const submit_cfg *cfg, const char ***failures_r);

#endif
