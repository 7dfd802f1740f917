/*
 * rop_client.h: the ROP test client on the wire.  rc_execute() sends the
 * ROP requests of an rc_buf (rop_wire.h) in one Execute through
 * mh_client and hands back a cursor over the ROP responses and the
 * returned handle table; the rc_session helpers wrap the sequences tests
 * write again and again (logon, open a folder, tables, properties,
 * messages).
 *
 * Memory: an rc_exec owns the HTTP response; its decoded ROP bytes and
 * everything parsed from them live in the pool given to rc_execute() (or
 * the response's pool when none) until rc_exec_free() / that pool goes.
 * An rc_session has its own pool; what its helpers return lives there
 * until rc_session_free().
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef ROP_CLIENT_H
#define ROP_CLIENT_H

#include "mh_client.h"
#include "rop_wire.h"

/* ------------------------------------------------------------ Execute -- */

typedef struct rc_exec {
    int rc;                      /* what mhc_execute() returned: the
                                    X-ResponseCode, or -2 */
    mhc_response http;
    mhc_execute_rsp ex;
    apr_pool_t *pool;            /* the ROP bytes and parse results */
    const uint8_t *rops;         /* RopsList of the response (a copy) */
    size_t rops_len;
    uint32_t *handles;           /* returned ServerObjectHandleTable */
    size_t n_handles;
    rc_resp resp;                /* cursor over rops */
    int ok;                      /* X-ResponseCode 0, StatusCode 0,
                                    ErrorCode 0, RopBuffer decoded */
    char error[256];             /* why not ok */
} rc_exec;

/* exec_flags of mh_client's Execute (MHC_EXEC_*): 0 lets the server
 * compress and obfuscate, which the decoder undoes.  pool NULL: parse
 * results live in the HTTP response's pool.  Returns 0 when x->ok. */
int rc_execute_ex(mhc_client *c, rc_buf *b, uint32_t exec_flags,
                  apr_pool_t *pool, rc_exec *x);
int rc_execute(mhc_client *c, rc_buf *b, apr_pool_t *pool, rc_exec *x);
void rc_exec_free(rc_exec *x);

/* ------------------------------------------------------------ session -- */

/* Client-side failures of the helpers (transport, a reply that does not
 * parse); any other non-zero result is the ROP's ReturnValue. */
#define RC_ERR_CLIENT 0xFFFFFFFEu

typedef struct rc_session {
    mhc_client *c;               /* connected; not owned */
    apr_pool_t *pool;
    uint8_t logon_id;
    uint32_t logon;              /* Logon object handle */
    rc_logon_rsp lo;             /* the RopLogon response */
    char error[512];             /* what the last failing helper saw */
} rc_session;

/* A pool for s; no logon yet.  c must be connected (Connect done). */
void rc_session_init(rc_session *s, mhc_client *c);
void rc_session_free(rc_session *s);

/* RopLogon to the private mailbox of essdn (LogonFlags Private, OpenFlags
 * RC_OPEN_DEFAULT_PRIVATE); on success s->logon and s->lo.fids are set.
 * Returns 0, the ReturnValue, or RC_ERR_CLIENT. */
uint32_t rc_logon(rc_session *s, const char *essdn, uint32_t open_flags);

/* RopRelease of handle (no response expected). */
uint32_t rc_release(rc_session *s, uint32_t handle);

/* RopOpenFolder (read-only) of fid from the logon: the folder handle. */
uint32_t rc_open_folder(rc_session *s, uint64_t fid, uint32_t *folder);

/* RopCreateFolder (generic folder, Unicode names) under parent. */
uint32_t rc_create_folder(rc_session *s, uint32_t parent, const char *name,
                          const char *comment, int open_existing,
                          uint64_t *fid, uint32_t *folder);

/* RopGetHierarchyTable / RopGetContentsTable on folder. */
uint32_t rc_get_hierarchy_table(rc_session *s, uint32_t folder,
                                uint8_t flags, uint32_t *table,
                                uint32_t *row_count);
uint32_t rc_get_contents_table(rc_session *s, uint32_t folder,
                               uint8_t flags, uint32_t *table,
                               uint32_t *row_count);

/* RopSetColumns + RopQueryRows (forward, up to max_rows) in one Execute;
 * rows decoded against cols into out (pool of s). */
uint32_t rc_query_table(rc_session *s, uint32_t table, const uint32_t *cols,
                        uint16_t ncols, uint16_t max_rows, rc_rows_rsp *out);

/* The row whose column tag holds string value (UTF-8, exact), or NULL. */
const rc_row *rc_rows_find_str(const rc_rows_rsp *rows, uint32_t tag,
                               const char *value);

/* RopGetPropertiesSpecific (Unicode, no size limit) of obj. */
uint32_t rc_get_props(rc_session *s, uint32_t obj, const uint32_t *tags,
                      uint16_t n, rc_row *row);

/* RopSetProperties on obj: problems (may be NULL) get the array. */
uint32_t rc_set_props(rc_session *s, uint32_t obj, const rc_prop *vals,
                      uint16_t n, uint16_t *n_problems,
                      rc_problem **problems);

/* RopCreateMessage in folder fid (input object: in, the logon or a
 * folder), RopSetProperties, RopSaveChangesMessage (KeepOpenReadWrite),
 * RopRelease, in one Execute: the saved message's id. */
uint32_t rc_create_message(rc_session *s, uint32_t in, uint64_t fid,
                           const rc_prop *vals, uint16_t n, uint64_t *mid);

/* RopOpenMessage (read-only) of fid/mid, RopGetPropertiesSpecific over
 * tags, RopRelease in one Execute; msg (may be NULL) gets the open
 * response with its recipient rows. */
uint32_t rc_open_message_props(rc_session *s, uint32_t in, uint64_t fid,
                               uint64_t mid, const uint32_t *tags,
                               uint16_t n, rc_message_rsp *msg, rc_row *row);

/* ---------------------------------------------------------- fixture -- */

/* What most ROP tests start from: a fresh Connect of the demo user,
 * logged on to its mailbox, with the Inbox open. */
typedef struct rc_fx {
    mhc_client *c;
    rc_session s;
    uint32_t inbox;
} rc_fx;

struct harness;
/* 0 when the fixture is ready; -1 after recording why (CHECKF). */
int rc_fx_open(rc_fx *f, const struct harness *h);
void rc_fx_close(rc_fx *f);
/* Sends b in the fixture's session; 0, or -1 after recording the
 * transport failure. */
int rc_fx_run(rc_fx *f, rc_buf *b, rc_exec *x, const char *what);


/* ------------------------------------- folder and message ROPs (ported
 * Microsoft test scenarios; every helper takes its input objects as
 * handles and returns 0, the ReturnValue, or RC_ERR_CLIENT). -- */

/* RopOpenFolder of fid from in (the logon or any folder) with
 * open_mode (OpenModeFlags, 0x04 OpenSoftDeleted). */
uint32_t rc_open_folder_ex(rc_session *s, uint32_t in, uint64_t fid,
                           uint8_t open_mode, rc_folder_rsp *o,
                           uint32_t *folder);

/* RopCreateFolder with every field of the request: folder_type 1 generic,
 * 2 search; unicode 0 sends the names as 8-bit strings.  o (may be NULL)
 * gets the response. */
uint32_t rc_create_folder_ex(rc_session *s, uint32_t parent,
                             uint8_t folder_type, int unicode,
                             int open_existing, const char *name,
                             const char *comment, rc_folder_rsp *o,
                             uint32_t *folder);

/* RopDeleteFolder of fid in parent: PartialCompletion in *partial. */
uint32_t rc_delete_folder(rc_session *s, uint32_t parent, uint8_t flags,
                          uint64_t fid, uint8_t *partial);

/* RopMoveFolder (copy 0) or RopCopyFolder (copy 1) of fid from src to
 * dst, synchronous, renamed new_name. */
uint32_t rc_move_copy_folder(rc_session *s, int copy, uint32_t src,
                             uint32_t dst, int recursive, int unicode,
                             uint64_t fid, const char *new_name,
                             uint8_t *partial);

/* RopMoveCopyMessages (synchronous) of mids from src to dst. */
uint32_t rc_move_copy_msgs(rc_session *s, int copy, uint32_t src,
                           uint32_t dst, const uint64_t *mids, uint16_t n,
                           uint8_t *partial);

/* RopEmptyFolder (hard 0) or RopHardDeleteMessagesAndSubfolders (hard 1)
 * on folder, synchronous. */
uint32_t rc_empty_folder(rc_session *s, uint32_t folder, int hard,
                         int want_delete_associated, uint8_t *partial);

/* RopDeleteMessages (hard 0) or RopHardDeleteMessages (hard 1) of mids in
 * folder, synchronous, no non-read receipts. */
uint32_t rc_delete_msgs(rc_session *s, uint32_t folder, int hard,
                        const uint64_t *mids, uint16_t n, uint8_t *partial);

/* rc_create_message, as a folder associated information message when
 * associated is non-zero. */
uint32_t rc_create_message_ex(rc_session *s, uint32_t in, uint64_t fid,
                              int associated, const rc_prop *vals,
                              uint16_t n, uint64_t *mid);

/* RopOpenMessage of fid/mid from in (open_mode 0 read-only, 1 read/write),
 * kept open: its handle. */
uint32_t rc_open_message(rc_session *s, uint32_t in, uint64_t fid,
                         uint64_t mid, uint8_t open_mode, uint32_t *msg);

#endif
