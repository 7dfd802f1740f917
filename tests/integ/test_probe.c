/*
 * test_probe.c: mapi-admin test-outlookconnectivity against a private
 * instance: both probes pass over Basic and over Negotiate, and fail with
 * the step and the reason when the certificate does not name the host
 * used, the host name does not resolve, the mailbox is disabled for MAPI
 * over HTTP, the virtual directory is removed, and the KDC is stopped.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <CUnit/CUnit.h>

#include "harness.h"

/* The messages quote the tool's whole output; CHECKF cuts it to its
 * buffer, which is what we want. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define X_PROBE 8
#define SELF "OutlookMapiHttpSelfTestProbe"
#define DEEP "OutlookMapiHttpDeepTestProbe"

static harness H;
static char out[65536];
static char cred[300], ccache[320];

static int suite_init(void)
{
    if (harness_start(&H, NULL) != 0)
        return -1;
    snprintf(cred, sizeof(cred), "%s:%s", H.demo_principal,
             H.demo_password);
    snprintf(ccache, sizeof(ccache), "%s/probe.ccache", H.dir);
    return 0;
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

/* mapi-admin test-outlookconnectivity ARGS... -RunFromServerId <server>
 * -CAFile <the instance's certificate> -List, output in out. */
static int probe(const char *first, ...)
{
    const char *args[32];
    size_t n = 0;
    va_list ap;

    args[n++] = "test-outlookconnectivity";
    va_start(ap, first);
    for (const char *a = first; a && n < 24; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n++] = "-RunFromServerId";
    args[n++] = H.server_name;
    args[n++] = "-CAFile";
    args[n++] = H.ca_cert;
    args[n++] = "-List";
    args[n] = NULL;
    return harness_admin(&H, out, sizeof(out), args);
}

static int has(const char *needle)
{
    return strstr(out, needle) != NULL;
}

static void test_basic_both_probes_pass(void)
{
    int rc = probe("-Credential", cred, NULL);

    CHECKF(rc == 0, "exit %d: %s", rc, out);
    CHECKF(has("OutlookMapiHttp.Protocol\\" SELF) &&
           has("OutlookMapiHttp.Protocol\\" DEEP), "%s", out);
    CHECKF(!has("Failed"), "%s", out);
    /* Every step of the deep probe ran. */
    CHECKF(has("Autodiscover: Succeeded") && has("Connect: Succeeded") &&
           has("Execute (RopLogon): Succeeded") &&
           has("Execute (RopOpenFolder Inbox): Succeeded") &&
           has("Bind: Succeeded") && has("ResolveNames: Succeeded") &&
           has("Disconnect: Succeeded") && has("Unbind: Succeeded"),
           "%s", out);
    /* The self test saw the anonymous 401 and its methods. */
    CHECKF(has("Anonymous (emsmdb): Succeeded") && has("Negotiate"),
           "%s", out);
    CHECKF(has("AuthenticationMethod         : Basic"), "%s", out);
}

static void test_negotiate_both_probes_pass(void)
{
    int rc;

    CHECKF(harness_kinit(&H, H.demo_principal, H.user_keytab, ccache) == 0,
           "kinit");
    rc = probe(NULL);
    CHECKF(rc == 0, "exit %d: %s", rc, out);
    CHECKF(!has("Failed") && has("Kerberos: Succeeded") &&
           has("ResolveNames: Succeeded"), "%s", out);
    CHECKF(has("AuthenticationMethod         : Negotiate"), "%s", out);
    /* The mailbox came from the ticket's principal. */
    CHECKF(has("MailboxId                    : demo@mapi.test"), "%s", out);
}

static void test_table_and_json(void)
{
    const char *args[] = { "test-outlookconnectivity", "-ProbeIdentity",
                           SELF, "-Credential", cred, "-CAFile", H.ca_cert,
                           NULL, NULL };
    int rc = harness_admin(&H, out, sizeof(out), args);

    CHECKF(rc == 0, "exit %d: %s", rc, out);
    CHECKF(has("MonitorIdentity") && has("StartTime") && has("EndTime") &&
           has("Result") && has("Error") && has("Exception") &&
           has("Succeeded") && !has(DEEP), "%s", out);
    args[7] = "-Json";
    rc = harness_admin(&H, out, sizeof(out), args);
    CHECKF(rc == 0 && out[0] == '[' && has("\"Result\": \"Succeeded\""),
           "exit %d: %s", rc, out);
}

/* A name that reaches the instance (127.0.0.1) but is not in its
 * certificate (CN=127.0.0.1, IP:127.0.0.1, DNS:localhost): this machine's
 * own host name, when it resolves to the loopback address. */
static const char *loopback_alias(void)
{
    static char host[256];
    struct addrinfo hints = { .ai_family = AF_INET }, *ai = NULL;
    int ok;

    if (gethostname(host, sizeof(host) - 1) != 0 ||
        strcmp(host, "localhost") == 0 ||
        getaddrinfo(host, NULL, &hints, &ai) != 0)
        return NULL;
    ok = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr ==
         htonl(INADDR_LOOPBACK);
    freeaddrinfo(ai);
    return ok ? host : NULL;
}

static void test_certificate_name_mismatch(void)
{
    const char *alias = loopback_alias();
    int rc;

    if (alias == NULL) {
        fprintf(stderr, "no host name for 127.0.0.1 but localhost: "
                "skipped\n");
        return;
    }
    rc = probe("-Credential", cred, "-Hostname", alias, NULL);
    CHECKF(rc == X_PROBE, "exit %d: %s", rc, out);
    CHECKF(has("Connect failed: TLS: certificate name mismatch") &&
           has("does not name '") && has("DNS:localhost") &&
           has("CertificateNameMismatch"), "%s", out);
    /* The same name with the check off passes. */
    rc = probe("-Credential", cred, "-Hostname", alias,
               "-TrustAnySSLCertificate", NULL);
    CHECKF(rc == 0, "exit %d: %s", rc, out);
}

static void test_dns_and_trust(void)
{
    int rc = probe("-ProbeIdentity", SELF, "-Credential", cred,
                   "-Hostname", "no-such-host.invalid", NULL);

    CHECKF(rc == X_PROBE && has("DNS: the host name 'no-such-host.invalid' "
           "could not be resolved") && has("DnsError"), "exit %d: %s", rc,
           out);
}

static void test_bad_password_401_with_methods(void)
{
    char bad[300];
    int rc;

    snprintf(bad, sizeof(bad), "%s:wrong-password", H.demo_principal);
    rc = probe("-ProbeIdentity", DEEP, "-Credential", bad, NULL);
    CHECKF(rc == X_PROBE && has("HTTP 401 Unauthorized") &&
           has("it offers ") && has("Unauthorized"), "exit %d: %s", rc, out);
    /* The password never reaches the output. */
    CHECKF(!has("wrong-password"), "%s", out);
}

static void test_mailbox_disabled_for_mapi_http(void)
{
    const char *off[] = { "set-casmailbox", "demo", "-MapiHttpEnabled",
                          "$false", NULL };
    const char *on[] = { "set-casmailbox", "demo", "-MapiHttpEnabled",
                         "$null", NULL };
    int rc;

    CHECKF(harness_admin(&H, NULL, 0, off) == 0, "set-casmailbox");
    rc = probe("-ProbeIdentity", DEEP, "-Credential", cred, NULL);
    CHECKF(rc == X_PROBE, "exit %d: %s", rc, out);
    CHECKF(has("Autodiscover failed: Autodiscover offered no MAPI over HTTP "
               "for demo@mapi.test: MapiHttpEnabled is $false for the "
               "mailbox"), "%s", out);
    CHECKF(harness_admin(&H, NULL, 0, on) == 0, "set-casmailbox");
    rc = probe("-ProbeIdentity", DEEP, "-Credential", cred, NULL);
    CHECKF(rc == 0, "enabled again: exit %d: %s", rc, out);
}

static void test_vdir_removed(void)
{
    const char *rm[] = { "remove-vdir", harness_vdir_identity(&H),
                         "-Confirm:$false", NULL };
    char url[200];
    const char *mk[] = { "new-vdir", "-Server", H.server_name,
                         "-InternalUrl", url, "-IISAuthenticationMethods",
                         "Negotiate,Basic", NULL };
    int rc;

    snprintf(url, sizeof(url), "%s/mapi", H.url);
    CHECKF(harness_admin(&H, NULL, 0, rm) == 0, "remove-vdir");
    rc = probe("-Credential", cred, NULL);
    CHECKF(rc == X_PROBE, "exit %d: %s", rc, out);
    CHECKF(has("Configuration failed: server '") &&
           has("has no MAPI virtual directory"), "%s", out);
    CHECKF(harness_admin(&H, NULL, 0, mk) == 0, "new-vdir");
    rc = probe("-Credential", cred, NULL);
    CHECKF(rc == 0, "restored: exit %d: %s", rc, out);
}

/* Last: the KDC stays down. */
static void test_kdc_stopped(void)
{
    int rc;

    /* A fresh TGT, but no service ticket yet: getting one needs the KDC. */
    unlink(ccache);
    CHECKF(harness_kinit(&H, H.demo_principal, H.user_keytab, ccache) == 0,
           "kinit");
    CHECKF(harness_kdc_stop(&H) == 0, "KDC stop");
    rc = probe("-ProbeIdentity", DEEP, NULL);
    CHECKF(rc == X_PROBE, "exit %d: %s", rc, out);
    CHECKF(has("Kerberos failed: no Kerberos service ticket for HTTP@") &&
           has("Cannot contact any KDC") && has(ccache) &&
           has("KerberosError"), "%s", out);
    /* Basic is checked by the server against the same KDC: refused. */
    rc = probe("-ProbeIdentity", DEEP, "-Credential", cred, NULL);
    CHECKF(rc == X_PROBE && has("HTTP 401 Unauthorized"), "Basic: exit %d: "
           "%s", rc, out);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("Test-OutlookConnectivity", suite_init, suite_cleanup);
    CU_add_test(s, "both probes pass over Basic",
                test_basic_both_probes_pass);
    CU_add_test(s, "both probes pass over Negotiate (kinit)",
                test_negotiate_both_probes_pass);
    CU_add_test(s, "result table and JSON", test_table_and_json);
    CU_add_test(s, "certificate name mismatch (-Hostname)",
                test_certificate_name_mismatch);
    CU_add_test(s, "host name that does not resolve", test_dns_and_trust);
    CU_add_test(s, "wrong password: 401 with the offered methods",
                test_bad_password_401_with_methods);
    CU_add_test(s, "mailbox disabled for MAPI over HTTP",
                test_mailbox_disabled_for_mapi_http);
    CU_add_test(s, "virtual directory removed", test_vdir_removed);
    CU_add_test(s, "KDC stopped", test_kdc_stopped);
    return harness_run_tests();
}
