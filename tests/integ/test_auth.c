/*
 * test_auth.c: authentication ([MS-OXCMAPIHTTP] 2.2.2, 3.2.5.1): no
 * anonymous requests, Basic and Negotiate (Kerberos) both work, a wrong
 * password is refused, contexts stay with their identity; and the
 * protocol log (one row per request, no secrets in it).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <apr_base64.h>
#include <apr_strings.h>

#include "checks.h"
#include "harness.h"
#include "mh_client.h"

static harness H;
static char ccache_demo[64], ccache_other[64];

static int suite_init(void)
{
    return harness_start(&H, NULL) == 0 ? 0 : -1;
}

static int suite_cleanup(void)
{
    if (ccache_demo[0])
        unlink(ccache_demo);
    if (ccache_other[0])
        unlink(ccache_other);
    return harness_stop(&H);
}

static int exec1(mhc_client *c)
{
    static const uint8_t rop[] = { 0x27, 0, 0, 'I', 'P', 'M', 0 };
    static const uint32_t handles[] = { 0xFFFFFFFF };

    return mhc_execute(c, 0, rop, sizeof(rop), handles, 1, NULL, NULL);
}

/* A Kerberos ticket of principal from keytab in a new cache; KRB5CCNAME
 * then names it, which Negotiate in libcurl uses. */
static int ticket(char *path, size_t cap, const char *principal,
                  const char *keytab)
{
    int fd;

    if (path[0] == '\0') {
        snprintf(path, cap, "/tmp/mapi-integ-cc-XXXXXX");
        fd = mkstemp(path);
        if (fd < 0)
            return -1;
        close(fd);
        unlink(path);            /* kinit creates it */
    }
    return harness_kinit(&H, principal, keytab, path);
}

static void use_ticket(const char *path)
{
    char cc[128];

    snprintf(cc, sizeof(cc), "FILE:%s", path);
    setenv("KRB5CCNAME", cc, 1);
}

/* ---------------------------------------------------------- the tests -- */

static void test_anonymous_401_R35_R36_R1331(void)
{
    static const mhc_endpoint eps[] = { MHC_EMSMDB, MHC_NSPI };
    static const char *const ts[] = { "Connect", "Bind" };
    mhc_client *c = mhc_client_new(H.url, MHC_AUTH_NONE, NULL, NULL,
                                   H.ca_cert);

    for (int i = 0; i < 2; i++) {
        mhc_response r;
        const char *www;
        int found = 0;
        mhc_request(c, eps[i], ts[i], "x", 1, NULL, &r);
        CHECKF(r.curl_code == 0 && r.http_status == 401,
               "R35/R36/R1331: anonymous %s: HTTP %ld, expected 401",
               ts[i], r.http_status);
        for (size_t k = 0; (www = mhc_header_nth(&r, "WWW-Authenticate", k));
             k++)
            found |= strncasecmp(www, "Negotiate", 9) == 0;
        CHECKF(found, "R1331: anonymous %s: no WWW-Authenticate: Negotiate",
               ts[i]);
        CHECKF(mhc_cookie_get(c, eps[i], MHC_COOKIE_CONTEXT) == NULL,
               "R36: an anonymous %s got a session context", ts[i]);
        mhc_response_free(&r);
    }
    mhc_client_free(&c);
}

static void test_basic_R35(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_connect_rsp cr;
    mhc_response r;
    int rc = mhc_connect(c, H_DEMO_DN, &r, &cr);

    CHECKF(rc == 0 && r.http_status == 200,
           "R35: Basic Connect: HTTP %ld X-ResponseCode %d", r.http_status,
           rc);
    CHECKF(cr.parsed == MHC_PARSE_SUCCESS && cr.error_code == 0,
           "Basic Connect ErrorCode 0x%X", cr.error_code);
    mhc_response_free(&r);
    CHECKF(exec1(c) == 0, "Basic Execute");
    CHECKF(mhc_bind(c, NULL, NULL) == 0, "Basic Bind");
    mhc_client_free(&c);
}

static void test_negotiate_R35(void)
{
    mhc_client *c = NULL;
    mhc_connect_rsp cr;
    mhc_response r = { 0 };
    int rc;

    REQUIREF(ticket(ccache_demo, sizeof(ccache_demo), "demo@MAPI.TEST",
                    H.user_keytab) == 0,
             "setup: kinit -k -t %s demo@MAPI.TEST failed", H.user_keytab);
    use_ticket(ccache_demo);
    c = harness_client(&H, 0, MHC_AUTH_NEGOTIATE);
    rc = mhc_connect(c, H_DEMO_DN, &r, &cr);
    CHECKF(rc == 0 && r.http_status == 200,
           "R35: Negotiate Connect: HTTP %ld X-ResponseCode %d (%s)",
           r.http_status, rc, r.error);
    CHECKF(cr.parsed == MHC_PARSE_SUCCESS && cr.error_code == 0 &&
           strcmp(cr.display_name ? cr.display_name : "", "Demo User") == 0,
           "Negotiate Connect: ErrorCode 0x%X DisplayName '%s'",
           cr.error_code, cr.display_name ? cr.display_name : "");
    CHECKF(exec1(c) == 0, "Negotiate Execute");
    CHECKF(mhc_ping(c, MHC_EMSMDB, NULL) == 0, "Negotiate PING");
    CHECKF(mhc_bind(c, NULL, NULL) == 0, "Negotiate Bind");
    CHECKF(mhc_unbind(c, NULL, NULL) == 0, "Negotiate Unbind");
    CHECKF(mhc_disconnect(c, NULL, NULL) == 0, "Negotiate Disconnect");
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
}

static void test_wrong_password_R35(void)
{
    mhc_client *c = mhc_client_new(H.url, MHC_AUTH_BASIC, H.demo_principal,
                                   "not-the-password", H.ca_cert);
    mhc_client *u = mhc_client_new(H.url, MHC_AUTH_BASIC, "nobody@MAPI.TEST",
                                   "x", H.ca_cert);
    mhc_response r;

    mhc_connect(c, H_DEMO_DN, &r, NULL);
    CHECKF(r.curl_code == 0 && r.http_status == 401,
           "R35: wrong password: HTTP %ld X-ResponseCode %d", r.http_status,
           r.response_code);
    CHECKF(mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT) == NULL,
           "wrong password got a session context");
    mhc_response_free(&r);
    mhc_connect(u, H_DEMO_DN, &r, NULL);
    CHECKF(r.curl_code == 0 && r.http_status == 401,
           "R35: unknown principal: HTTP %ld", r.http_status);
    mhc_response_free(&r);
    mhc_client_free(&c);
    mhc_client_free(&u);
}

/* A context made by demo with Negotiate, used by other with Negotiate:
 * 10 (R1224, R1225); demo's context is unharmed. */
static void test_negotiate_foreign_context_R1224_R1225(void)
{
    mhc_client *c = NULL, *o = NULL;
    mhc_response r = { 0 };
    int rc;

    REQUIREF(ticket(ccache_demo, sizeof(ccache_demo), "demo@MAPI.TEST",
                    H.user_keytab) == 0, "setup: kinit demo");
    REQUIREF(ticket(ccache_other, sizeof(ccache_other), "other@MAPI.TEST",
                    H.other_keytab) == 0, "setup: kinit other");
    use_ticket(ccache_demo);
    c = harness_client(&H, 0, MHC_AUTH_NEGOTIATE);
    c->fresh_connections = 1;
    rc = mhc_connect(c, H_DEMO_DN, NULL, NULL);
    REQUIREF(rc == 0, "setup: demo Negotiate Connect %d", rc);

    use_ticket(ccache_other);
    o = harness_client(&H, 1, MHC_AUTH_NEGOTIATE);
    o->fresh_connections = 1;
    /* other's own context works: the ticket switch took effect. */
    rc = mhc_connect(o, H_OTHER_DN, NULL, NULL);
    REQUIREF(rc == 0, "setup: other Negotiate Connect %d", rc);
    memcpy(o->jar, c->jar, sizeof(o->jar));
    mhc_ping(o, MHC_EMSMDB, &r);
    check_failure("PING by other (Negotiate)", o, &r, "PING", 0,
                  MHC_RC_CONTEXT_NOT_FOUND);
    mhc_response_free(&r);
    memcpy(o->jar, c->jar, sizeof(o->jar));
    rc = exec1(o);
    CHECKF(rc == MHC_RC_CONTEXT_NOT_FOUND,
           "R1225: Execute by other (Negotiate) on demo's context gave %d",
           rc);

    use_ticket(ccache_demo);
    CHECKF(exec1(c) == 0, "R1224: demo's context after other's attempts");
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
    mhc_client_free(&o);
}

/* ------------------------------------------------------ protocol log -- */

typedef struct log_scan {
    int files;
    int rows;
    int bad_preamble;
    char *text;                  /* every file, concatenated */
    size_t len;
} log_scan;

static void scan_logs(const char *service, log_scan *s)
{
    char dir[400];
    DIR *d;
    struct dirent *e;

    memset(s, 0, sizeof(*s));
    snprintf(dir, sizeof(dir), "%s/%s", H.log_dir, service);
    if ((d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[700], line[8192];
        FILE *f;
        int n = 0, software = 0, fields = 0;
        if (strncmp(e->d_name, "MapiHttp_", 9) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        s->files++;
        while (fgets(line, sizeof(line), f)) {
            size_t l = strlen(line);
            char *nt = realloc(s->text, s->len + l + 1);
            if (nt) {
                memcpy(nt + s->len, line, l + 1);
                s->text = nt;
                s->len += l;
            }
            if (n == 0)
                software = strncmp(line, "#Software:", 10) == 0;
            if (strncmp(line, "#Fields:", 8) == 0)
                fields = 1;
            else if (line[0] != '#' && line[0] != '\r' && line[0] != '\n')
                s->rows++;
            n++;
        }
        fclose(f);
        if (!software || !fields)
            s->bad_preamble++;
    }
    closedir(d);
}

/* $MAPI_LOG_DIR/MapiClientAccess/MapiHttp_<YYYYMMDDHH>-1.LOG, UTC. */
static void log_file_now(char *out, size_t cap)
{
    char stamp[16];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d%H", &tm);
    snprintf(out, cap, "%s/MapiClientAccess/MapiHttp_%s-1.LOG", H.log_dir,
             stamp);
}

static void test_protocol_log(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    log_scan before = { 0 }, after = { 0 };
    char ctx[64], seq[64], hour_file[2][600], basic[512];
    char *b64 = NULL;
    double deadline;
    int rc;

    log_file_now(hour_file[0], sizeof(hour_file[0]));
    scan_logs("MapiClientAccess", &before);
    rc = mhc_connect(c, H_DEMO_DN, NULL, NULL);
    REQUIREF(rc == 0, "setup: Connect %d", rc);
    snprintf(ctx, sizeof(ctx), "%s",
             mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT));
    snprintf(seq, sizeof(seq), "%s",
             mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_SEQUENCE));
    CHECKF(exec1(c) == 0, "setup: Execute");
    CHECKF(mhc_ping(c, MHC_EMSMDB, NULL) == 0, "setup: PING");
    CHECKF(mhc_disconnect(c, NULL, NULL) == 0, "setup: Disconnect");

    /* Rows are written as requests end: allow a moment. */
    deadline = mhc_now_ms() + 3000;
    do {
        free(after.text);
        after.text = NULL;
        scan_logs("MapiClientAccess", &after);
        if (after.rows >= before.rows + 4)
            break;
        harness_sleep_ms(100);
    } while (mhc_now_ms() < deadline);

    /* The hour's file (UTC), or the previous hour's if the clock passed
     * the hour meanwhile. */
    log_file_now(hour_file[1], sizeof(hour_file[1]));
    CHECKF(access(hour_file[0], R_OK) == 0 || access(hour_file[1], R_OK) == 0,
           "protocol log %s does not exist", hour_file[1]);
    CHECKF(after.files > 0, "no MapiHttp_*.LOG under %s/MapiClientAccess",
           H.log_dir);
    CHECKF(after.bad_preamble == 0, "%d protocol log file(s) lack the "
           "#Software: preamble or the #Fields: line", after.bad_preamble);
    CHECKF(after.rows == before.rows + 4,
           "protocol log: %d rows for 4 requests (before %d, after %d)",
           after.rows - before.rows, before.rows, after.rows);
    if (after.text) {
        CHECKF(strstr(after.text, ctx) == NULL,
               "the protocol log holds the MapiContext value %s", ctx);
        CHECKF(strstr(after.text, seq) == NULL,
               "the protocol log holds the MapiSequence value %s", seq);
        CHECKF(strstr(after.text, H.demo_password) == NULL,
               "the protocol log holds demo's password");
        snprintf(basic, sizeof(basic), "%s:%s", H.demo_principal,
                 H.demo_password);
        b64 = malloc((size_t)apr_base64_encode_len((int)strlen(basic)));
        apr_base64_encode(b64, basic, (int)strlen(basic));
        CHECKF(strstr(after.text, b64) == NULL,
               "the protocol log holds the Basic credentials");
    }
out:
    free(b64);
    free(before.text);
    free(after.text);
    mhc_client_free(&c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("authentication and protocol log", suite_init,
                     suite_cleanup);
    CU_add_test(s, "anonymous gets 401 Negotiate (R35 R36 R1331)",
                test_anonymous_401_R35_R36_R1331);
    CU_add_test(s, "Basic works (R35)", test_basic_R35);
    CU_add_test(s, "Negotiate works (R35)", test_negotiate_R35);
    CU_add_test(s, "wrong password gets 401 (R35)", test_wrong_password_R35);
    CU_add_test(s, "Negotiate: another identity's context gives 10 "
                   "(R1224 R1225)", test_negotiate_foreign_context_R1224_R1225);
    CU_add_test(s, "protocol log: one row per request, no secrets",
                test_protocol_log);
    return harness_run_tests();
}
