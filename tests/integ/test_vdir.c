/*
 * test_vdir.c: live enforcement of the MAPI virtual directory and the
 * mailbox's CAS settings (issue 3): every change is made with mapi-admin
 * while httpd runs, as an administrator would, and must show on the next
 * request.
 *
 *   - a host serves /mapi/ only while its virtual directory exists (404);
 *   - IISAuthenticationMethods: a request authenticated by another method
 *     gets 401, and 401s offer only the allowed methods;
 *   - effective MapiHttpEnabled (admin-notes.md truth table): X-ResponseCode
 *     16 Endpoint Disabled ([MS-OXCMAPIHTTP] R152), existing contexts too;
 *   - MAPIEnabled $false: Connect ErrorCode ecProtocolDisabled ([MS-OXCRPC]
 *     R615), Bind LogonFailed ([MS-OXNSPI] R687);
 *   - MAPIBlockOutlookVersions: Connect ecClientVerDisallowed ([MS-OXCRPC]
 *     R595), Bind LogonFailed (R687);
 *   - ?MailboxId= of another mailbox: X-ResponseCode 11 No Privilege
 *     ([MS-OXCMAPIHTTP] R147).
 *
 * Every test leaves the settings as the instance provisioned them.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "checks.h"
#include "harness.h"
#include "mh_client.h"

#define EC_PROTOCOL_DISABLED     0x000007D8u
#define EC_CLIENT_VER_DISALLOWED 0x000004DFu
#define NSPI_LOGON_FAILED        0x80040111u

static harness H;
static char ccache_demo[64];
static char internal_url[160], external_url[160];

/* mapi-admin ARGS...: exit status. */
#define ADMIN(...)                                                       \
    ({ const char *a_[] = { __VA_ARGS__, NULL };                         \
       harness_admin(&H, NULL, 0, a_); })

static int suite_init(void)
{
    if (harness_start(&H, NULL) != 0)
        return -1;
    /* The URLs instance.sh provisions the vdir with. */
    snprintf(internal_url, sizeof(internal_url), "%s/mapi", H.url);
    snprintf(external_url, sizeof(external_url), "https://localhost:%s/mapi",
             strrchr(H.url, ':') + 1);
    return H.server_name[0] ? 0 : -1;
}

static int suite_cleanup(void)
{
    if (ccache_demo[0])
        unlink(ccache_demo);
    return harness_stop(&H);
}

static int exec1(mhc_client *c)
{
    static const uint8_t rop[] = { 0x27, 0, 0, 'I', 'P', 'M', 0 };
    static const uint32_t handles[] = { 0xFFFFFFFF };

    return mhc_execute(c, 0, rop, sizeof(rop), handles, 1, NULL, NULL);
}

/* A Connect: X-ResponseCode (or -2), the HTTP status and ErrorCode. */
static int connect_as(mhc_client *c, const char *dn, long *http_r,
                      uint32_t *ec_r)
{
    mhc_connect_rsp cr;
    mhc_response r;
    int rc = mhc_connect(c, dn, &r, &cr);

    if (http_r)
        *http_r = r.http_status;
    if (ec_r)
        *ec_r = rc == 0 && cr.parsed == MHC_PARSE_SUCCESS ? cr.error_code
                                                          : 0xFFFFFFFFu;
    mhc_response_free(&r);
    return rc;
}

static int bind_as(mhc_client *c, uint32_t *ec_r)
{
    mhc_bind_rsp br;
    int rc = mhc_bind(c, NULL, &br);

    if (ec_r)
        *ec_r = rc == 0 && br.parsed == MHC_PARSE_SUCCESS ? br.error_code
                                                          : 0xFFFFFFFFu;
    return rc;
}

/* How many WWW-Authenticate values of r start with scheme; and all. */
static size_t challenges(const mhc_response *r, const char *scheme,
                         size_t *all_r)
{
    size_t n = 0, all = 0;
    const char *v;

    for (size_t k = 0; (v = mhc_header_nth(r, "WWW-Authenticate", k)); k++) {
        all++;
        if (strncasecmp(v, scheme, strlen(scheme)) == 0 &&
            (v[strlen(scheme)] == '\0' || v[strlen(scheme)] == ' '))
            n++;
    }
    if (all_r)
        *all_r = all;
    return n;
}

static int set_methods(const char *methods)
{
    return ADMIN("set-vdir", "-Identity", harness_vdir_identity(&H),
                 "-IISAuthenticationMethods", methods);
}

static int restore_vdir(void)
{
    /* Absent after a failed test: made anew; present: methods reset. */
    if (set_methods("Basic,Negotiate") == 0)
        return 0;
    return ADMIN("new-vdir", "-Server", H.server_name, "-InternalUrl",
                 internal_url, "-ExternalUrl", external_url,
                 "-IISAuthenticationMethods", "Basic,Negotiate");
}

static int kinit_demo(void)
{
    char cc[128];
    int fd;

    if (ccache_demo[0] == '\0') {
        snprintf(ccache_demo, sizeof(ccache_demo), "/tmp/mapi-integ-cc-XXXXXX");
        if ((fd = mkstemp(ccache_demo)) < 0)
            return -1;
        close(fd);
        unlink(ccache_demo);
    }
    if (harness_kinit(&H, H.demo_principal, H.user_keytab, ccache_demo) != 0)
        return -1;
    snprintf(cc, sizeof(cc), "FILE:%s", ccache_demo);
    setenv("KRB5CCNAME", cc, 1);
    return 0;
}

/* The MailboxId Autodiscover hands who (0 demo, 1 other) out, in out. */
static int mailbox_id_of(int who, char *out, size_t cap)
{
    mhc_client *c = harness_client(&H, who, MHC_AUTH_BASIC);
    mhc_autod_rsp a;
    mhc_response r;
    const char *q;
    int ok = -1;

    mhc_autodiscover(c, who ? "other@mapi.test" : "demo@mapi.test", "1", &r);
    if (r.raw && mhc_parse_autodiscover(r.pool, (const char *)r.raw,
                                        r.raw_len, &a) == 0 &&
        a.ms_internal && (q = strstr(a.ms_internal, "MailboxId=")) != NULL) {
        snprintf(out, cap, "%s", q + 10);
        ok = 0;
    }
    mhc_response_free(&r);
    mhc_client_free(&c);
    return ok;
}

/* ---------------------------------------------------------- the tests -- */

/* Issue 3: the provisioned vdir serves /mapi/ (baseline of the others). */
static void test_vdir_serves(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    uint32_t ec;
    int rc = connect_as(c, H_DEMO_DN, NULL, &ec);

    CHECKF(rc == 0 && ec == 0, "vdir %s: Connect X-ResponseCode %d "
           "ErrorCode 0x%X", harness_vdir_identity(&H), rc, ec);
    CHECKF(exec1(c) == 0, "Execute on the vdir");
    mhc_client_free(&c);
}

/* Issue 3 (a host serves /mapi/ only while its vdir exists): removed ->
 * 404 on the next request, authenticated or not, both endpoints, an
 * existing context too; made again -> served again. */
static void test_vdir_removed_404_live(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_client *anon = mhc_client_new(H.url, MHC_AUTH_NONE, NULL, NULL,
                                      H.ca_cert);
    mhc_response r = { 0 };
    long http = 0;
    int rc;

    REQUIREF(connect_as(c, H_DEMO_DN, NULL, NULL) == 0, "setup: Connect");
    REQUIREF(ADMIN("remove-vdir", "-Identity", harness_vdir_identity(&H),
                   "-Confirm:$false") == 0, "setup: remove-vdir failed");

    rc = connect_as(c, H_DEMO_DN, &http, NULL);
    CHECKF(http == 404, "no vdir: Connect got HTTP %ld (X-ResponseCode %d), "
           "expected 404", http, rc);
    mhc_bind(c, &r, NULL);
    CHECKF(r.http_status == 404, "no vdir: Bind got HTTP %ld", r.http_status);
    mhc_response_free(&r);
    mhc_execute(c, 0, (const uint8_t *)"", 0, NULL, 0, &r, NULL);
    CHECKF(r.http_status == 404, "no vdir: Execute in an existing context "
           "got HTTP %ld", r.http_status);
    mhc_response_free(&r);
    mhc_request(anon, MHC_EMSMDB, "Connect", "x", 1, NULL, &r);
    CHECKF(r.http_status == 404 && mhc_header_count(&r, "WWW-Authenticate")
           == 0, "no vdir: anonymous request got HTTP %ld with %zu "
           "challenges, expected 404 and none", r.http_status,
           mhc_header_count(&r, "WWW-Authenticate"));
    mhc_response_free(&r);

    REQUIREF(ADMIN("new-vdir", "-Server", H.server_name, "-InternalUrl",
                   internal_url, "-ExternalUrl", external_url,
                   "-IISAuthenticationMethods", "Basic,Negotiate") == 0,
             "setup: new-vdir failed");
    rc = connect_as(c, H_DEMO_DN, &http, NULL);
    CHECKF(rc == 0 && http == 200, "vdir made again: Connect HTTP %ld "
           "X-ResponseCode %d", http, rc);
out:
    mhc_response_free(&r);
    restore_vdir();
    mhc_client_free(&c);
    mhc_client_free(&anon);
}

/* A vdir of another server name is not this host's: 404. */
static void test_vdir_other_server_404(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    char other[300], other_server[140];
    long http = 0;

    snprintf(other_server, sizeof(other_server), "%sx", H.server_name);
    snprintf(other, sizeof(other), "%s\\mapi (Default Web Site)",
             other_server);
    REQUIREF(ADMIN("remove-vdir", "-Identity", harness_vdir_identity(&H),
                   "-Confirm:$false") == 0, "setup: remove-vdir");
    REQUIREF(ADMIN("new-vdir", "-Server", other_server, "-InternalUrl",
                   internal_url,
                   "-IISAuthenticationMethods", "Basic") == 0,
             "setup: new-vdir of server %sx", H.server_name);
    connect_as(c, H_DEMO_DN, &http, NULL);
    CHECKF(http == 404, "only %s exists: Connect HTTP %ld, expected 404",
           other, http);
    ADMIN("remove-vdir", "-Identity", other, "-Confirm:$false");
out:
    restore_vdir();
    mhc_client_free(&c);
}

/* IISAuthenticationMethods Basic: a Basic request is served; an anonymous
 * request's 401 offers Basic only (mod_auth_gssapi's Negotiate challenge
 * filtered out); Negotiate credentials get 401 offering Basic only; a
 * Negotiate client cannot get in. */
static void test_auth_basic_only(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_client *anon = mhc_client_new(H.url, MHC_AUTH_NONE, NULL, NULL,
                                      H.ca_cert);
    mhc_client *neg = NULL;
    static const char *const forged[] = { "Authorization: Negotiate "
                                          "YIIBhwYGKwYBBQUCoIIBezCCAXeg", NULL };
    mhc_opts o = { .headers = forged };
    mhc_response r = { 0 };
    size_t all = 0;
    long http = 0;
    int rc;

    REQUIREF(set_methods("Basic") == 0, "setup: set-vdir Basic");
    rc = connect_as(c, H_DEMO_DN, &http, NULL);
    CHECKF(rc == 0 && http == 200, "Basic allowed: Basic Connect HTTP %ld "
           "X-ResponseCode %d", http, rc);

    mhc_request(anon, MHC_EMSMDB, "Connect", "x", 1, NULL, &r);
    CHECKF(r.http_status == 401 && challenges(&r, "Basic", &all) == 1 &&
           all == 1, "Basic only: anonymous got HTTP %ld with %zu challenges "
           "(Basic %zu), expected 401 offering Basic only", r.http_status,
           all, challenges(&r, "Basic", NULL));
    mhc_response_free(&r);

    mhc_request(anon, MHC_EMSMDB, "Connect", "x", 1, &o, &r);
    CHECKF(r.http_status == 401 && challenges(&r, "Basic", &all) == 1 &&
           all == 1, "Basic only: Negotiate credentials got HTTP %ld with %zu "
           "challenges, expected 401 offering Basic only", r.http_status,
           all);
    CHECKF(challenges(&r, "Negotiate", NULL) == 0,
           "Basic only: a 401 offers Negotiate");
    mhc_response_free(&r);

    REQUIREF(kinit_demo() == 0, "setup: kinit demo");
    neg = harness_client(&H, 0, MHC_AUTH_NEGOTIATE);
    rc = connect_as(neg, H_DEMO_DN, &http, NULL);
    CHECKF(http == 401, "Basic only: a Negotiate client got HTTP %ld "
           "(X-ResponseCode %d), expected 401", http, rc);
out:
    mhc_response_free(&r);
    restore_vdir();
    mhc_client_free(&c);
    mhc_client_free(&anon);
    mhc_client_free(&neg);
}

/* IISAuthenticationMethods Negotiate: Basic (with the right password) is
 * refused with 401 offering Negotiate only; Negotiate is served; back to
 * Basic,Negotiate, Basic is served again on the next request. */
static void test_auth_negotiate_only_live(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_client *neg = NULL;
    mhc_response r = { 0 };
    size_t all = 0;
    long http = 0;
    int rc;

    REQUIREF(set_methods("Negotiate") == 0, "setup: set-vdir Negotiate");
    mhc_connect(c, H_DEMO_DN, &r, NULL);
    CHECKF(r.http_status == 401, "Negotiate only: Basic Connect got HTTP %ld,"
           " expected 401", r.http_status);
    CHECKF(challenges(&r, "Negotiate", &all) == 1 && all == 1,
           "Negotiate only: the 401 has %zu challenges (Negotiate %zu), "
           "expected Negotiate only", all, challenges(&r, "Negotiate", NULL));
    CHECKF(mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT) == NULL,
           "Negotiate only: a refused Basic request got a context");
    mhc_response_free(&r);
    mhc_bind(c, &r, NULL);
    CHECKF(r.http_status == 401, "Negotiate only: Basic Bind got HTTP %ld",
           r.http_status);
    mhc_response_free(&r);

    REQUIREF(kinit_demo() == 0, "setup: kinit demo");
    neg = harness_client(&H, 0, MHC_AUTH_NEGOTIATE);
    rc = connect_as(neg, H_DEMO_DN, &http, NULL);
    CHECKF(rc == 0 && http == 200, "Negotiate only: Negotiate Connect HTTP "
           "%ld X-ResponseCode %d", http, rc);

    REQUIREF(set_methods("Basic,Negotiate") == 0, "setup: set-vdir back");
    rc = connect_as(c, H_DEMO_DN, &http, NULL);
    CHECKF(rc == 0 && http == 200, "Basic,Negotiate again: Basic Connect "
           "HTTP %ld X-ResponseCode %d", http, rc);
out:
    mhc_response_free(&r);
    restore_vdir();
    mhc_client_free(&c);
    mhc_client_free(&neg);
}

/* Set-CASMailbox -MapiHttpEnabled $false (admin-notes: the mailbox value
 * wins): Connect and Bind get X-ResponseCode 16 Endpoint Disabled (R152),
 * a context made before gets 16 on its next Execute and PING, and
 * Disconnect still works; $null again (org true): served. */
static void test_mailbox_mapihttp_disabled_R152(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_client *d = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_response r = { 0 };
    int rc;

    REQUIREF(connect_as(c, H_DEMO_DN, NULL, NULL) == 0, "setup: Connect");
    REQUIREF(connect_as(d, H_DEMO_DN, NULL, NULL) == 0, "setup: Connect 2");
    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled",
                   "$false") == 0, "setup: set-casmailbox $false");

    mhc_connect(c, H_DEMO_DN, &r, NULL);
    check_failure("R152: Connect, MapiHttpEnabled $false", c, &r, "Connect",
                  0, MHC_RC_ENDPOINT_DISABLED);
    mhc_response_free(&r);
    rc = bind_as(c, NULL);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "R152: Bind, MapiHttpEnabled "
           "$false: X-ResponseCode %d, expected 16", rc);
    rc = exec1(d);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "R152: Execute in a context made "
           "before: X-ResponseCode %d, expected 16", rc);
    rc = mhc_ping(d, MHC_EMSMDB, NULL);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "R152: PING in a context made "
           "before: X-ResponseCode %d, expected 16", rc);

    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled",
                   "$null") == 0, "setup: set-casmailbox $null");
    rc = exec1(d);
    CHECKF(rc == 0, "enabled again: Execute in the old context %d", rc);
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == 0, "enabled again: Connect %d", rc);
    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled",
                   "$false") == 0, "setup: set-casmailbox $false");
    rc = mhc_disconnect(d, NULL, NULL);
    CHECKF(rc == 0, "disabled: Disconnect still ends the context (%d)", rc);
out:
    mhc_response_free(&r);
    ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled", "$null");
    mhc_client_free(&c);
    mhc_client_free(&d);
}

/* Truth table (admin-notes.md): org $false + mailbox $null -> refused
 * (16); org $false + mailbox $true -> served; org $true + mailbox $false
 * -> refused; other's mailbox ($null) follows the organisation. */
static void test_org_and_mailbox_truth_table_R152(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_client *o = harness_client(&H, 1, MHC_AUTH_BASIC);
    int rc;

    REQUIREF(ADMIN("set-orgconfig", "-MapiHttpEnabled", "$false") == 0,
             "setup: set-orgconfig $false");
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "org $false, mailbox $null: "
           "Connect %d, expected 16", rc);
    rc = bind_as(o, NULL);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "org $false, mailbox $null: "
           "other's Bind %d, expected 16", rc);
    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled",
                   "$true") == 0, "setup: set-casmailbox $true");
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == 0, "org $false, mailbox $true: Connect %d, expected 0", rc);
    rc = bind_as(c, NULL);
    CHECKF(rc == 0, "org $false, mailbox $true: Bind %d, expected 0", rc);
    rc = connect_as(o, H_OTHER_DN, NULL, NULL);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "org $false: other ($null) "
           "Connect %d, expected 16", rc);

    REQUIREF(ADMIN("set-orgconfig", "-MapiHttpEnabled", "$true") == 0,
             "setup: set-orgconfig $true");
    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled",
                   "$false") == 0, "setup: set-casmailbox $false");
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "org $true, mailbox $false: "
           "Connect %d, expected 16", rc);
    rc = connect_as(o, H_OTHER_DN, NULL, NULL);
    CHECKF(rc == 0, "org $true: other ($null) Connect %d, expected 0", rc);
out:
    ADMIN("set-orgconfig", "-MapiHttpEnabled", "$true");
    ADMIN("set-casmailbox", "-Identity", "demo", "-MapiHttpEnabled", "$null");
    mhc_client_free(&c);
    mhc_client_free(&o);
}

/* MAPIEnabled $false: Connect ErrorCode ecProtocolDisabled ([MS-OXCRPC]
 * R615, R617), Bind ErrorCode LogonFailed ([MS-OXNSPI] R687), an existing
 * context 16 (R152); it wins over MapiHttpEnabled $true. */
static void test_mapi_disabled_R615_R687(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    mhc_client *d = harness_client(&H, 0, MHC_AUTH_BASIC);
    uint32_t ec = 0;
    int rc;

    REQUIREF(connect_as(d, H_DEMO_DN, NULL, NULL) == 0, "setup: Connect");
    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo", "-MAPIEnabled",
                   "$false", "-MapiHttpEnabled", "$true") == 0,
             "setup: set-casmailbox -MAPIEnabled $false");
    rc = connect_as(c, H_DEMO_DN, NULL, &ec);
    CHECKF(rc == 0 && ec == EC_PROTOCOL_DISABLED, "R615: MAPIEnabled $false:"
           " Connect X-ResponseCode %d ErrorCode 0x%X, expected 0 and "
           "0x7D8", rc, ec);
    CHECKF(mhc_cookie_get(c, MHC_EMSMDB, MHC_COOKIE_CONTEXT) == NULL,
           "R615: a refused Connect set a context cookie");
    rc = bind_as(c, &ec);
    CHECKF(rc == 0 && ec == NSPI_LOGON_FAILED, "R687: MAPIEnabled $false: "
           "Bind X-ResponseCode %d ErrorCode 0x%X, expected 0x80040111",
           rc, ec);
    rc = exec1(d);
    CHECKF(rc == MHC_RC_ENDPOINT_DISABLED, "R152: MAPIEnabled $false: "
           "Execute in a context made before %d, expected 16", rc);
    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo", "-MAPIEnabled",
                   "$true", "-MapiHttpEnabled", "$null") == 0,
             "setup: set-casmailbox -MAPIEnabled $true");
    rc = connect_as(c, H_DEMO_DN, NULL, &ec);
    CHECKF(rc == 0 && ec == 0, "MAPIEnabled $true: Connect %d 0x%X", rc, ec);
out:
    ADMIN("set-casmailbox", "-Identity", "demo", "-MAPIEnabled", "$true",
          "-MapiHttpEnabled", "$null");
    mhc_client_free(&c);
    mhc_client_free(&d);
}

/* MAPIBlockOutlookVersions against X-ClientApplication: a blocked version
 * gets ecClientVerDisallowed ([MS-OXCRPC] R595) on Connect and LogonFailed
 * on Bind (R687); another version is served; $null clears. */
static void test_block_versions_R595(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    uint32_t ec = 0;
    int rc;

    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo",
                   "-MAPIBlockOutlookVersions", "-14.9.9;15.0.0-15.0.4568")
             == 0, "setup: set-casmailbox -MAPIBlockOutlookVersions");
    snprintf(c->client_app, sizeof(c->client_app), "Outlook/15.0.4420.1017");
    rc = connect_as(c, H_DEMO_DN, NULL, &ec);
    CHECKF(rc == 0 && ec == EC_CLIENT_VER_DISALLOWED, "R595: Outlook/15.0.4420"
           " in 15.0.0-15.0.4568: Connect %d ErrorCode 0x%X, expected "
           "0x4DF", rc, ec);
    rc = bind_as(c, &ec);
    CHECKF(rc == 0 && ec == NSPI_LOGON_FAILED, "R687: blocked version: Bind "
           "%d ErrorCode 0x%X", rc, ec);
    snprintf(c->client_app, sizeof(c->client_app), "Outlook/14.0.7268.5000");
    rc = connect_as(c, H_DEMO_DN, NULL, &ec);
    CHECKF(rc == 0 && ec == EC_CLIENT_VER_DISALLOWED, "R595: Outlook/14.0 in "
           "-14.9.9: Connect %d ErrorCode 0x%X", rc, ec);
    snprintf(c->client_app, sizeof(c->client_app), "Outlook/16.0.5095.1000");
    rc = connect_as(c, H_DEMO_DN, NULL, &ec);
    CHECKF(rc == 0 && ec == 0, "Outlook/16.0 not blocked: Connect %d "
           "ErrorCode 0x%X", rc, ec);
    rc = bind_as(c, &ec);
    CHECKF(rc == 0 && ec == 0, "Outlook/16.0: Bind %d 0x%X", rc, ec);

    snprintf(c->client_app, sizeof(c->client_app), "Outlook/15.0.4420.1017");
    REQUIREF(ADMIN("set-casmailbox", "-Identity", "demo",
                   "-MAPIBlockOutlookVersions", "$null") == 0,
             "setup: clear MAPIBlockOutlookVersions");
    rc = connect_as(c, H_DEMO_DN, NULL, &ec);
    CHECKF(rc == 0 && ec == 0, "cleared: Outlook/15.0.4420 Connect %d 0x%X",
           rc, ec);
out:
    ADMIN("set-casmailbox", "-Identity", "demo", "-MAPIBlockOutlookVersions",
          "$null");
    mhc_client_free(&c);
}

/* ?MailboxId=: the caller's own (as Autodiscover hands it out, or an SMTP
 * address of it) is served, absent is served, another mailbox's gets
 * X-ResponseCode 11 No Privilege (R147) on Connect, Bind and in an
 * existing context. */
static void test_mailbox_id_R147(void)
{
    mhc_client *c = harness_client(&H, 0, MHC_AUTH_BASIC);
    char mine[128], theirs[128];
    mhc_response r = { 0 };
    int rc;

    REQUIREF(mailbox_id_of(0, mine, sizeof(mine)) == 0,
             "setup: demo's MailboxId from Autodiscover");
    REQUIREF(mailbox_id_of(1, theirs, sizeof(theirs)) == 0,
             "setup: other's MailboxId from Autodiscover");
    CHECKF(strcmp(mine, theirs) != 0, "demo and other share MailboxId %s",
           mine);

    c->mailbox_id = strdup(mine);
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == 0, "own MailboxId %s: Connect %d", mine, rc);
    CHECKF(bind_as(c, NULL) == 0, "own MailboxId: Bind");

    free(c->mailbox_id);
    c->mailbox_id = strdup(theirs);
    mhc_connect(c, H_DEMO_DN, &r, NULL);
    check_failure("R147: Connect with other's MailboxId", c, &r, "Connect", 0,
                  MHC_RC_NO_PRIVILEGE);
    mhc_response_free(&r);
    rc = bind_as(c, NULL);
    CHECKF(rc == MHC_RC_NO_PRIVILEGE, "R147: Bind with other's MailboxId: "
           "%d, expected 11", rc);
    rc = exec1(c);
    CHECKF(rc == MHC_RC_NO_PRIVILEGE, "R147: Execute in own context with "
           "other's MailboxId: %d, expected 11", rc);

    free(c->mailbox_id);
    c->mailbox_id = strdup("demo%40mapi.test");
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == 0, "MailboxId = own SMTP address: Connect %d", rc);
    free(c->mailbox_id);
    c->mailbox_id = strdup("other@mapi.test");
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == MHC_RC_NO_PRIVILEGE, "R147: MailboxId = other's SMTP "
           "address: Connect %d", rc);
    free(c->mailbox_id);
    c->mailbox_id = NULL;
    rc = connect_as(c, H_DEMO_DN, NULL, NULL);
    CHECKF(rc == 0, "no MailboxId: Connect %d", rc);
out:
    mhc_response_free(&r);
    mhc_client_free(&c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("virtual directory and mailbox settings, live",
                     suite_init, suite_cleanup);
    CU_add_test(s, "the provisioned vdir serves /mapi/", test_vdir_serves);
    CU_add_test(s, "vdir removed: 404 on the next request; made again: "
                   "served", test_vdir_removed_404_live);
    CU_add_test(s, "only another server's vdir: 404",
                test_vdir_other_server_404);
    CU_add_test(s, "IISAuthenticationMethods Basic: Negotiate 401, "
                   "challenges Basic only", test_auth_basic_only);
    CU_add_test(s, "IISAuthenticationMethods Negotiate: Basic 401, "
                   "challenges Negotiate only; changed back live",
                test_auth_negotiate_only_live);
    CU_add_test(s, "mailbox MapiHttpEnabled $false: 16, contexts too (R152)",
                test_mailbox_mapihttp_disabled_R152);
    CU_add_test(s, "org/mailbox MapiHttpEnabled truth table (R152)",
                test_org_and_mailbox_truth_table_R152);
    CU_add_test(s, "MAPIEnabled $false: ecProtocolDisabled, LogonFailed "
                   "(R615 R687)", test_mapi_disabled_R615_R687);
    CU_add_test(s, "MAPIBlockOutlookVersions: ecClientVerDisallowed (R595)",
                test_block_versions_R595);
    CU_add_test(s, "MailboxId of another mailbox: 11 (R147)",
                test_mailbox_id_R147);
    return harness_run_tests();
}
