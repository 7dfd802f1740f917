/*
 * adm.h: mapi-admin, the cmdlet-style administration tool.
 *
 *   adm_main.c      entry point, global options, the command table, help
 *   adm_args.c      cmdlet parameters (-Name value, case-insensitive,
 *                   unambiguous prefixes, -Switch:$false), value parsers,
 *                   errors
 *   adm_output.c    objects shown as a table, a list (-List) or JSON (-Json)
 *   adm_confirm.c   -WhatIf and -Confirm (ShouldProcess)
 *   adm_vdir.c      *-MapiVirtualDirectory
 *   adm_org.c       New-Organization, Get-/Set-OrganizationConfig
 *   adm_casmailbox.c Get-/Set-CASMailbox
 *   adm_mailbox.c   New-/Get-/Set-/Remove-Mailbox
 *   adm_group.c     *-DistributionGroup, *-DistributionGroupMember,
 *                   *-MailContact
 *   adm_cert.c      the TLS certificate check (Test-MapiCertificate and the
 *                   warnings of New-/Set-MapiVirtualDirectory)
 *   adm_http.c      the HTTPS client (libcurl) of the probes
 *   adm_probe.c     Test-OutlookConnectivity: the self test and deep test
 *                   probes over MAPI over HTTP and Autodiscover
 *   adm_session.c   Get-/Remove-MapiSession: the live session contexts
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ADM_H
#define MAPI_ADM_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "db/mapi_db.h"
#include "configdb/cfg_db.h"

/* Exit statuses, one per error category (documented in --help and the
 * man page). */
enum adm_exit {
    ADM_OK = 0,
    ADM_ERR_INTERNAL = 1,            /* anything else (out of memory) */
    ADM_ERR_INVALID_ARGUMENT = 2,
    ADM_ERR_NOT_FOUND = 3,
    ADM_ERR_AMBIGUOUS = 4,
    ADM_ERR_CONFLICT = 5,
    ADM_ERR_DATABASE = 6,
    ADM_ERR_CERTIFICATE = 7,         /* Test-MapiCertificate found a problem */
    ADM_ERR_PROBE = 8,               /* Test-OutlookConnectivity failed */
};

/* ------------------------------------------------------------ params -- */

#define ADM_MAX_PARAMS 32

#define ADM_P_SWITCH     0x01   /* no value, or -Name:$true / -Name:$false */
#define ADM_P_POSITIONAL 0x02   /* the first bare word binds here */

typedef struct adm_param_def {
    const char *name;          /* canonical, e.g. "PrimarySmtpAddress" */
    unsigned flags;
} adm_param_def;

/* Parameters every command shares, appended to a definition list. */
#define ADM_P_OUTPUT  { "List", ADM_P_SWITCH }, { "Json", ADM_P_SWITCH }
#define ADM_P_SHOULD  { "WhatIf", ADM_P_SWITCH }, { "Confirm", ADM_P_SWITCH }

typedef enum adm_format {
    ADM_FMT_TABLE = 0, ADM_FMT_LIST, ADM_FMT_JSON
} adm_format;

typedef struct adm_args {
    const char *cmd;                      /* cmdlet name, for messages */
    const adm_param_def *defs;
    const char *values[ADM_MAX_PARAMS];   /* by def index; NULL if absent */
} adm_args;

typedef struct adm_ctx {
    apr_pool_t *pool;
    const char *data_dir;
    mapi_db *db;               /* opened on first use */
    adm_format format;         /* from -List / -Json */
} adm_ctx;

/* Parses argv against defs; on failure prints a cmdlet-style error and
 * returns its exit status.  Sets ctx->format from -List/-Json. */
int adm_args_parse(adm_ctx *ctx, const char *cmd, const adm_param_def *defs,
                   int argc, char **argv, adm_args *out);
/* The raw value of a parameter given, else NULL. */
const char *adm_arg(const adm_args *a, const char *name);
/* Whether a switch is on (-X, -X:$true); -1 after an error message when
 * its value is not a boolean. */
int adm_switch(const adm_args *a, const char *name, int *on_r);
/* Value parsers: 0, or an error message and ADM_ERR_INVALID_ARGUMENT. */
int adm_parse_bool(const adm_args *a, const char *name, const char *v,
                   int *out);
int adm_parse_tri(const adm_args *a, const char *name, const char *v,
                  int *out);
/* A comma-separated list ("Ntlm,Negotiate"); "$null" and "" give an empty
 * list. */
apr_array_header_t *adm_parse_list(apr_pool_t *pool, const char *v);
int adm_is_null(const char *v);
int adm_has_wildcard(const char *s);

/* Prints "<cmd> : <message>" and the category on stderr and returns
 * status. */
int adm_error(int status, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void adm_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The not-found message of every command. */
int adm_not_found(const char *cmd, const char *id);
/* Maps a cfg_* result (CFG_NOT_FOUND, CFG_CONFLICT, -1) to an error. */
int adm_cfg_error(const char *cmd, int rc, const char *id, const char *error);
int adm_open_db(adm_ctx *ctx, const char *cmd);

/* ------------------------------------------------------------ output -- */

typedef struct adm_obj adm_obj;

adm_obj *adm_obj_new(apr_pool_t *pool);
void adm_obj_str(adm_obj *o, const char *name, const char *value);
void adm_obj_bool(adm_obj *o, const char *name, int value);
/* 1, 0, or CFG_TRI_NULL shown empty (null in JSON). */
void adm_obj_tri(adm_obj *o, const char *name, int value);
void adm_obj_list(adm_obj *o, const char *name,
                  const apr_array_header_t *values);
void adm_obj_time(adm_obj *o, const char *name, apr_time_t t);

/* Prints objs (adm_obj *) in ctx->format: the table shows columns (NULL
 * terminated), the list and JSON every property.  JSON is always an
 * array. */
void adm_emit(const adm_ctx *ctx, const apr_array_header_t *objs,
              const char *const *columns);
/* JSON string escaping (for tests of the formatter and adm_cert). */
const char *adm_json_str(apr_pool_t *pool, const char *s);

/* ----------------------------------------------------- ShouldProcess -- */

typedef struct adm_should {
    const char *cmd;
    int whatif;                /* -WhatIf: describe, change nothing */
    int ask;                   /* ask before each change */
    int yes_all, no_all;       /* answered A or L */
} adm_should;

/* Reads -WhatIf and -Confirm; ask_by_default for high-impact commands
 * (Remove-*).  0 or an exit status after an error message. */
int adm_should_init(adm_should *s, const adm_args *a, int ask_by_default);
/* 1: go ahead with the action described; 0: skip it (-WhatIf printed
 * "What if: <action>", or the user declined). */
int adm_should_process(adm_should *s, const char *action);

/* ------------------------------------------------------- certificate -- */

typedef struct adm_cert_report {
    const char *url, *host;
    unsigned port;
    const char *source;        /* "server" or the file checked */
    const char *subject;       /* NULL when no certificate was read */
    apr_array_header_t *names; /* subjectAltName entries, "DNS:x", "IP:y" */
    apr_time_t not_before, not_after;
    int covers_host;
    int in_validity;
    const char *result;        /* "Valid", "HostMismatch", "Expired",
                                  "NotYetValid", "Unreachable", "Unreadable" */
    const char *error;         /* why, for anything but Valid */
} adm_cert_report;

/* Checks the certificate for url: the one the server presents (SNI =
 * host, timeout_ms to connect and handshake), or the PEM file cert_file
 * when not NULL.  Always fills *r. */
void adm_cert_check(apr_pool_t *pool, const char *url, const char *cert_file,
                    int timeout_ms, adm_cert_report *r);
/* WARNING lines for the URLs of a directory just written. */
void adm_cert_warn(apr_pool_t *pool, const cfg_vdir *v, const char *cert_file);

/* -------------------------------------------------------------- http -- */

#define ADM_PROBE_CLIENT_APP  "MapiAdmin/15.2.0.0 (Test-OutlookConnectivity)"
#define ADM_HTTP_MAX_REPLY    (16u << 20)

typedef struct adm_http_opts {
    const char *user, *password;   /* Basic; user NULL: Negotiate */
    const char *ca_file;           /* trust this PEM; NULL: the system's */
    int trust_any;                 /* -TrustAnySSLCertificate */
    long timeout_ms;               /* whole request */
} adm_http_opts;

typedef struct adm_http_rsp {
    long status;                   /* HTTP status of the final reply */
    const char *error;             /* exchange failed: why (DNS, TLS...) */
    const char *www_auth;          /* methods a 401 offers, "Negotiate, Basic" */
    const char *content_type;
    int header_code;               /* X-ResponseCode header, -1 if none */
    int response_code;             /* the one after DONE when framed */
    int framed;                    /* DONE, trailer and blank line seen */
    const uint8_t *body;           /* binary body (after the framing) */
    size_t body_len;
} adm_http_rsp;

typedef struct adm_http adm_http;

/* One connection and cookie jar for a probe; NULL when libcurl fails. */
adm_http *adm_http_new(apr_pool_t *pool, const adm_http_opts *o);
void adm_http_free(adm_http *h);
/* POSTs body; request_type NULL for Autodiscover.  0 when a reply came
 * (see r->status), -1 when the exchange failed (r->error says why). */
int adm_http_post(adm_http *h, const char *url, const char *request_type,
                  const char *content_type, const void *body, size_t len,
                  int anonymous, adm_http_rsp *r);
const char *adm_http_code_name(int code);

/* ---------------------------------------------------------- commands -- */

typedef int (*adm_cmd_fn)(adm_ctx *ctx, int argc, char **argv);

int adm_cmd_new_vdir(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_vdir(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_set_vdir(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_remove_vdir(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_new_organization(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_orgconfig(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_set_orgconfig(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_casmailbox(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_set_casmailbox(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_new_mailbox(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_mailbox(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_set_mailbox(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_remove_mailbox(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_test_certificate(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_new_group(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_group(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_set_group(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_remove_group(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_add_member(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_remove_member(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_member(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_new_contact(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_contact(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_remove_contact(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_test_connectivity(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_get_session(adm_ctx *ctx, int argc, char **argv);
int adm_cmd_remove_session(adm_ctx *ctx, int argc, char **argv);

/* Mailbox identity resolution shared by the mailbox and CAS commands:
 * every mailbox an identity names (alias, any SMTP address, principal,
 * GUID, display name; wildcards match alias, display name and primary
 * address).  NULL identity: all.  0 or an exit status after a message. */
int adm_mailbox_find(adm_ctx *ctx, const char *cmd, const char *identity,
                     apr_array_header_t **found_r);
/* Exactly one mailbox (Set, Remove): not found and ambiguous are errors. */
int adm_mailbox_one(adm_ctx *ctx, const char *cmd, const char *identity,
                    cfg_mailbox **m_r);
int adm_valid_address(const char *s);
/* The short host name, the default of -Server and -RunFromServerId. */
const char *adm_local_server(apr_pool_t *pool);
/* Every virtual directory an identity (NULL: any) and a -Server pattern
 * (NULL: any) select. */
int adm_vdir_find(adm_ctx *ctx, const char *cmd, const char *identity,
                  const char *server, apr_array_header_t **found_r);

#endif
