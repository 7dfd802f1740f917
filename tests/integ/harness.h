/*
 * harness.h: a private mod_mapi server for one integration test program.
 *
 * harness_start() makes a fresh directory under /tmp, runs
 * `build/instance.sh start DIR` there (KDC, TLS certificate, httpd with
 * mod_auth_gssapi and mod_mapi on a free loopback port, mailboxes
 * demo@mapi.test and other@mapi.test) with the given MAPI_* overrides, and
 * reads DIR/demo.env.  harness_stop() runs `build/instance.sh stop DIR`
 * and removes DIR unless a test failed or MAPI_INTEG_KEEP=1.  Whatever
 * still runs when the program exits, or is interrupted (SIGINT, SIGTERM,
 * SIGHUP), is stopped too.
 *
 * Also here: the CUnit main loop every program uses, assertion macros
 * that carry a formatted message, and the operations tests need on the
 * server (graceful/restart, its processes, posting an event).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <CUnit/CUnit.h>

#include "mh_client.h"

/* Mailbox DNs the instance provisions ([MS-OXCMAPIHTTP] 2.2.4.1.1
 * UserDN = the mailbox's legacyExchangeDN). */
#define H_ORG_DN     "/o=MAPI Test/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)"
#define H_DEMO_DN    H_ORG_DN "/cn=Recipients/cn=demo"
#define H_OTHER_DN   H_ORG_DN "/cn=Recipients/cn=other"

typedef struct harness {
    char dir[256];               /* instance directory */
    int running;
    /* From DIR/demo.env: */
    char url[128];               /* MAPI_DEMO_URL */
    char demo_principal[128], demo_password[128];
    char other_principal[128], other_password[128];
    char krb5_config[300];
    char user_keytab[300], other_keytab[300];
    char admin_db[300];          /* MAPI_ADMIN_DB: the data directory */
    char pid_file[300];
    char error_log[300];
    char log_dir[300];           /* MAPI_LOG_DIR: protocol logs */
    char ca_cert[300];
    char server_name[128];       /* MAPI_SERVER_NAME: MapiServerName and the
                                    Server of the provisioned vdir */
} harness;

/* Once, first thing in main(): finds the repository root (from argv[0] or
 * the current directory), initialises libcurl/APR and the exit handlers. */
void harness_init(int argc, char **argv);
const char *harness_repo(void);
/* Where the binaries under test are: $MAPI_BUILD_DIR (make
 * sanitize-integ sets it to build/asan), else REPO/build. */
const char *harness_build(void);

/* env: "NAME=value" overrides for instance.sh (MAPI_SESSION_IDLE_TIMEOUT
 * and friends), NULL-terminated, may be NULL.  MAPI_PORT=auto always.
 * Returns 0, or -1 after printing why. */
int harness_start(harness *h, const char *const *env);
int harness_stop(harness *h);
/* `build/instance.sh graceful|restart DIR`. */
int harness_signal(harness *h, const char *how, const char *const *env);

/* The httpd parent's pid (from the pid file), or -1. */
pid_t harness_httpd_pid(const harness *h);
/* The parent's children (httpd's worker processes); returns how many. */
int harness_httpd_children(const harness *h, pid_t *out, int max);
/* kill -9 every child of the httpd parent; returns how many. */
int harness_kill_children(const harness *h);
/* build/tests/mapi-post-event DATADIR SESSIONHEX: 0 on success. */
int harness_post_event(const harness *h, const char *session_hex);
/* kinit -k -t keytab principal into FILE:ccache with the instance's
 * KRB5_CONFIG; 0 on success. */
int harness_kinit(const harness *h, const char *principal,
                  const char *keytab, const char *ccache);
/* Stops the instance's KDC (SIGTERM, waits until it is gone): what a
 * client sees when the KDC is down.  0, or -1 when it was not running. */
int harness_kdc_stop(const harness *h);
/* GET path (e.g. "/server-status?auto") without credentials; the body
 * (malloc'd, NUL-ended) or NULL. */
char *harness_get(const harness *h, const char *path, long *status_r);

/* A client of the instance: who = 0 demo, 1 other. */
mhc_client *harness_client(const harness *h, int who, mhc_auth auth);
/* Connects the demo client c (a fresh EMSMDB session context); on failure
 * records a test failure, frees c and returns NULL. */
mhc_client *harness_connect_demo(mhc_client *c);

/* build/mapi-admin -DataDir <admin_db> args... (NULL-terminated), as an
 * administrator would run it; output to DIR.log, or into out (cap bytes,
 * NUL-ended) when out is not NULL.  Its exit status, or -1. */
int harness_admin(const harness *h, char *out, size_t cap,
                  const char *const *args);
/* The identity of the instance's MAPI virtual directory,
 * "<server>\mapi (Default Web Site)". */
const char *harness_vdir_identity(const harness *h);

/* Runs a command (argv), waits; its exit status, or -1. */
int harness_run(const char *const *argv, const char *log_path);

/* Sleeps ms milliseconds. */
void harness_sleep_ms(long ms);

/* Runs the registry's tests with the basic interface in verbose mode,
 * prints the run summary and returns the exit status for main():
 * 0 when every test passed and every suite initialised. */
int harness_run_tests(void);

/* ----------------------------------------------------------- asserts -- */

/* A CUnit assertion whose failure message is formatted (values seen,
 * requirement ids), e.g. CHECKF(rc == 10, "R1225: X-ResponseCode %d", rc). */
#define CHECKF(cond, ...)                                                  \
    do {                                                                   \
        char h_msg_[768];                                                  \
        snprintf(h_msg_, sizeof(h_msg_), __VA_ARGS__);                     \
        CU_assertImplementation((cond) ? CU_TRUE : CU_FALSE, __LINE__,     \
                                h_msg_, __FILE__, __func__, CU_FALSE);     \
    } while (0)

/* CHECKF, and on failure jump to the test's `out:` label (cleanup). */
#define REQUIREF(cond, ...)                                                \
    do {                                                                   \
        int h_ok_ = (cond) ? 1 : 0;                                        \
        CHECKF(h_ok_, __VA_ARGS__);                                        \
        if (!h_ok_)                                                        \
            goto out;                                                      \
    } while (0)

/* build/mapi-deliver, and a run of it on the instance's data directory
 * (-DataDir first, then args), input on its standard input; its stdout
 * and stderr into out.  The exit status, or -1 when it did not exit
 * normally (a crash). */
const char *harness_deliver_path(void);
int harness_deliver(const harness *h, const char *const *args,
                    const void *input, size_t len, char *out, size_t cap);
/* A loopback TCP port free a moment ago. */
int harness_free_port(void);

#endif
