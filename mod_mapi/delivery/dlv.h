/*
 * dlv.h: local delivery.  One message from the MTA for one recipient:
 * find the mailbox by SMTP address, turn the MIME into a MAPI message
 * (mime.h), file it in the receive folder for its class, commit, and
 * raise the new-mail event that wakes the recipient's NotificationWait.
 *
 * Every outcome is a dlv_status that maps onto both faces of delivery:
 * an exit code of sysexits(3) for `mapi-deliver RECIPIENT < message`
 * (the MTA retries EX_TEMPFAIL and bounces the rest) and an LMTP reply
 * with an enhanced status code ([RFC 2033], [RFC 3463]).  A message is
 * acknowledged only after its transaction committed, so a crash before
 * then makes the MTA try again and a crash after loses nothing.
 *
 * dlv_lmtp.c speaks LMTP over a pair of descriptors, for the
 * `mapi-deliver -lmtp` listener that Postfix's lmtp: transport talks to.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_DLV_H
#define MAPI_DLV_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "db/mapi_db.h"

typedef enum dlv_status {
    DLV_OK = 0,
    DLV_NO_MAILBOX,      /* permanent: no such recipient (5.1.1) */
    DLV_TOO_BIG,         /* permanent: over the size limit (5.3.4) */
    DLV_REFUSED,         /* permanent: not a message at all (5.6.0) */
    DLV_TEMPFAIL,        /* transient: database busy or failing (4.3.0) */
} dlv_status;

typedef struct dlv_result {
    dlv_status status;
    const char *text;        /* why, in words fit for a bounce */
    uint64_t fid, mid;       /* where it went (DLV_OK) */
} dlv_result;

typedef struct dlv_request {
    const char *rcpt;        /* envelope recipient (RCPT TO / argument) */
    const char *env_from;    /* envelope sender; NULL or "" for a bounce */
    const uint8_t *data;     /* the message as received */
    size_t len;
} dlv_request;

/* Delivers one copy.  Fills *res and returns res->status. */
dlv_status dlv_deliver(mapi_db *db, apr_pool_t *pool, const dlv_request *req,
                       dlv_result *res);

/* Whether rcpt names a mailbox that takes mail (for LMTP's RCPT TO):
 * DLV_OK, DLV_NO_MAILBOX or DLV_TEMPFAIL, with *text_r saying why. */
dlv_status dlv_check_recipient(mapi_db *db, apr_pool_t *pool,
                               const char *rcpt, const char **text_r);

/* sysexits(3) code of a status (EX_OK, EX_NOUSER, EX_DATAERR,
 * EX_UNAVAILABLE, EX_TEMPFAIL). */
int dlv_exit_code(dlv_status st);
/* "250 2.0.0", "550 5.1.1", ...: the reply code and enhanced status. */
const char *dlv_lmtp_code(dlv_status st);

/* Serves one LMTP session: reads commands from in_fd, answers on out_fd,
 * until QUIT or end of input.  hostname goes in the greeting.  Returns 0
 * after QUIT, -1 when the peer went away or broke the protocol beyond
 * recovery. */
int dlv_lmtp_serve(mapi_db *db, apr_pool_t *pool, int in_fd, int out_fd,
                   const char *hostname);

#endif
