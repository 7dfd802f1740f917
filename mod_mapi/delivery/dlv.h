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

struct submit_cfg;
typedef struct dlv_request {
    const char *rcpt;        /* envelope recipient (RCPT TO / argument) */
    const char *env_from;    /* envelope sender; NULL or "" for a bounce */
    const uint8_t *data;     /* the message as received */
    size_t len;
    /* How rules send forwards, redirects and replies (the sendmail
     * command); NULL: dlv_set_default_submit's, else submit.h's default. */
    const struct submit_cfg *submit;
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

/* ------------------------------------------------------------ rules -- */

/* Server-side rules at delivery ([MS-OXORULE] 3.2.5.1, dlv_rules.c).
 * dlv_deliver calls dlv_rules_evaluate before the message is filed and
 * dlv_rules_finish after the save committed. */
#include "configdb/cfg_db.h"
#include "rop/rop_rule.h"
#include "store/store.h"

/* PidTagRuleError values ([MS-OXORULE] 2.2.7.1). */
#define DLV_RULE_ERR_UNKNOWN      0x01
#define DLV_RULE_ERR_DELIVERY     0x03
#define DLV_RULE_ERR_PARSING      0x04
#define DLV_RULE_ERR_NO_FOLDER    0x06
#define DLV_RULE_ERR_CREATE_DAM   0x08
#define DLV_RULE_ERR_NO_TEMPLATE  0x0A
#define DLV_RULE_ERR_EXECUTION    0x0B

typedef struct dlv_rule_act {
    const store_rule *rule;
    unsigned index;                  /* ActionBlock number in the rule */
    rop_action_data d;
    const rop_action_block *block;   /* deferred: the block as stored */
    uint32_t error;                  /* DLV_RULE_ERR_*, 0 */
} dlv_rule_act;

typedef struct dlv_rules_plan {
    mapi_db *db;
    apr_pool_t *pool;
    const cfg_mailbox *mbx;
    const dlv_request *req;
    const store_mailbox_info *mi;    /* NULL: no rule ran */
    uint64_t rule_fid;               /* the folder whose rules ran */
    unsigned n_matched;              /* rules whose condition held */
    uint64_t move_fid;               /* file here instead; 0: rule_fid */
    int deleted;                     /* OP_DELETE: not filed (copies are) */
    apr_array_header_t *copies;      /* uint64_t: folders for a copy */
    apr_array_header_t *sends;       /* dlv_rule_act: forward, reply */
    apr_array_header_t *deferred;    /* dlv_rule_act: for the client */
    apr_array_header_t *errors;      /* dlv_rule_act: for DEMs */
    uint64_t filed_fid, filed_mid;   /* set by dlv_rules_finish */
    unsigned n_sent, n_dams, n_dems;
} dlv_rules_plan;

/* Runs the enabled rules of folder fid (in PidTagRuleSequence order,
 * ST_EXIT_LEVEL stopping) against m: mark-as-read and tag change m, the
 * rest is planned in *plan.  DLV_TEMPFAIL when the rules cannot be read
 * (the MTA retries rather than file mail past the user's rules). */
dlv_status dlv_rules_evaluate(mapi_db *db, apr_pool_t *pool,
                              const cfg_mailbox *mbx, uint64_t fid,
                              const dlv_request *req, store_message *m,
                              dlv_rules_plan *plan);
/* The extended rules of folder fid (dlv_xrules.c: FAI messages of class
 * IPM.ExtendedRule.Message) appended to rules as standard ones (id: the
 * FAI message's); how many, or -1 when the folder cannot be read. */
int dlv_xrules_load(mapi_db *db, apr_pool_t *pool,
                    const uint8_t mbox[STORE_GUID_LEN],
                    const store_mailbox_info *mi, uint64_t fid,
                    apr_array_header_t *rules);
/* Sets ST_ERROR on the extended rule of FAI message mid (R813). */
void dlv_xrules_set_error(mapi_db *db, apr_pool_t *pool,
                          const uint8_t mbox[STORE_GUID_LEN], uint64_t mid);
/* After the save: m was filed as (fid, mid), or mid 0 when deleted.
 * Sends, writes DAMs and DEMs. */
void dlv_rules_finish(dlv_rules_plan *plan, const store_message *m,
                      uint64_t fid, uint64_t mid);
/* The sendmail command for requests that name none (mapi-deliver's
 * -sendmail, for every LMTP transaction too). */
void dlv_set_default_submit(const struct submit_cfg *cfg);

#endif
