/*
 * adm_main.c: mapi-admin entry point: global options, the database, help,
 * and the command table (short names with the cmdlet names as aliases).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_general.h>
#include "rop/rop_notify.h"

#define ADM_DEFAULT_DB "/var/lib/mapi"

typedef struct adm_command {
    const char *name;
    const char *cmdlet;
    adm_cmd_fn run;
    const char *synopsis;
    const char *help;
} adm_command;

static const adm_command adm_commands[] = {
    { "new-vdir", "New-MapiVirtualDirectory", adm_cmd_new_vdir,
      "[-Server NAME] [-WebSiteName SITE] -InternalUrl URL | -ExternalUrl "
      "URL -IISAuthenticationMethods M[,M...] [-ExtendedProtection...] "
      "[-CertificateFile PEM] [-WhatIf] [-Confirm] [-List|-Json]",
      "Creates the MAPI virtual directory of a server and web site (one per "
      "pair).\n"
      "  -Server       server name (default: the short host name)\n"
      "  -WebSiteName  web site (default: Default Web Site)\n"
      "  -InternalUrl, -ExternalUrl  at least one; written as "
      "https://host[:port]/mapi\n"
      "  -IISAuthenticationMethods  required: Basic, Ntlm, Negotiate, OAuth "
      "(comma-separated)\n"
      "  -ExtendedProtectionTokenChecking None|Allow|Require\n"
      "  -ExtendedProtectionFlags None|Proxy|NoServiceNameCheck|"
      "AllowDotlessSpn|ProxyCoHosting[,...]\n"
      "  -ExtendedProtectionSPNList HTTP/host[,...]\n"
      "  -CertificateFile  check this PEM file instead of the certificate the "
      "server presents\n"
      "Warns (without failing) when a URL's certificate does not cover its "
      "host or is out of date." },
    { "get-vdir", "Get-MapiVirtualDirectory", adm_cmd_get_vdir,
      "[[-Identity] ID | -Server NAME] [-List|-Json]",
      "Lists MAPI virtual directories: all, those an identity names "
      "(\"Server\\mapi (Web Site)\", \"mapi (Web Site)\", a GUID, or a "
      "wildcard such as \"mail1\\mapi*\"), or those of a server." },
    { "set-vdir", "Set-MapiVirtualDirectory", adm_cmd_set_vdir,
      "[-Identity] ID [-InternalUrl URL|$null] [-ExternalUrl URL|$null] "
      "[-IISAuthenticationMethods M[,M...]] [-ExtendedProtection...] "
      "[-CertificateFile PEM] [-WhatIf] [-Confirm]",
      "Changes a MAPI virtual directory; the parameters are those of "
      "new-vdir. At least one URL must remain; $null clears a URL." },
    { "remove-vdir", "Remove-MapiVirtualDirectory", adm_cmd_remove_vdir,
      "[-Identity] ID [-WhatIf] [-Confirm:$false]",
      "Removes a MAPI virtual directory. Asks first unless -Confirm:$false." },
    { "new-organization", "New-Organization", adm_cmd_new_organization,
      "-Name NAME -Domain DOMAIN [-MapiHttpEnabled $true|$false] [-WhatIf] "
      "[-Confirm] [-List|-Json]",
      "Creates the organisation on a fresh database (MapiHttpEnabled starts "
      "$true). Creates the data directory when it does not exist." },
    { "get-orgconfig", "Get-OrganizationConfig", adm_cmd_get_orgconfig,
      "[-List|-Json]", "Shows the organisation and its MapiHttpEnabled." },
    { "set-orgconfig", "Set-OrganizationConfig", adm_cmd_set_orgconfig,
      "-MapiHttpEnabled $true|$false [-WhatIf] [-Confirm]",
      "Enables or disables MAPI over HTTP for every mailbox that does not "
      "set its own value." },
    { "get-casmailbox", "Get-CASMailbox", adm_cmd_get_casmailbox,
      "[[-Identity] ID] [-List|-Json]",
      "Shows the MAPI settings of mailboxes; EffectiveMapiHttpEnabled is "
      "the mailbox's value if set, else the organisation's." },
    { "set-casmailbox", "Set-CASMailbox", adm_cmd_set_casmailbox,
      "[-Identity] ID [-MapiHttpEnabled $true|$false|$null] [-MAPIEnabled "
      "$true|$false] [-MAPIBlockOutlookVersions RANGES|$null] "
      "[-MAPIBlockOutlookNonCachedMode $true|$false] "
      "[-MAPIBlockOutlookExternalConnectivity $true|$false] [-WhatIf] "
      "[-Confirm]",
      "Changes the MAPI settings of one mailbox. $null for MapiHttpEnabled "
      "inherits the organisation's value. RANGES: ';'-separated a-b, -b, a- "
      "or a, e.g. \"-14.9.9;15.0.0-15.0.4568\"." },
    { "new-mailbox", "New-Mailbox", adm_cmd_new_mailbox,
      "-Name ALIAS -PrimarySmtpAddress ADDR -UserPrincipalName PRINCIPAL "
      "[-DisplayName NAME] [-EmailAddresses A[,A...]] [-PrincipalNames "
      "P[,P...]] [-WhatIf] [-Confirm] [-List|-Json]",
      "Creates a mailbox in the directory the server maps authenticated "
      "users to (legacyExchangeDN /o=ORG/ou=.../cn=Recipients/cn=ALIAS)." },
    { "get-mailbox", "Get-Mailbox", adm_cmd_get_mailbox,
      "[[-Identity] ID] [-List|-Json]",
      "Lists mailboxes: all, or those an identity names (alias, display "
      "name, any SMTP address, principal, GUID, legacyExchangeDN, or a "
      "wildcard over alias, display name and primary address)." },
    { "set-mailbox", "Set-Mailbox", adm_cmd_set_mailbox,
      "[-Identity] ID [-Name ALIAS] [-DisplayName NAME] [-PrimarySmtpAddress "
      "ADDR] [-EmailAddresses A[,A...]] [-UserPrincipalName P] "
      "[-PrincipalNames P[,P...]] [-FirstName S] [-LastName S] [-Initials S] "
      "[-Title S] [-Department S] [-Company S] [-Office S] [-Phone S] "
      "[-MobilePhone S] [-HomePhone S] [-StreetAddress S] [-City S] "
      "[-PostalCode S] [-CountryOrRegion S] [-Manager MAILBOX] [-Photo FILE] "
      "[-WhatIf] [-Confirm]",
      "Changes a mailbox. A new primary address keeps the old one as a "
      "secondary address; -EmailAddresses replaces the whole list. The "
      "directory attributes (FirstName ... Manager, $null clears) are what "
      "the address book shows; -Photo takes a JPEG file of at most 100 KiB "
      "($null removes it)." },
    { "remove-mailbox", "Remove-Mailbox", adm_cmd_remove_mailbox,
      "[-Identity] ID [-WhatIf] [-Confirm:$false]",
      "Deletes a mailbox's directory entry (addresses, principals). Asks "
      "first, saying what is deleted, unless -Confirm:$false." },
    { "new-distributiongroup", "New-DistributionGroup", adm_cmd_new_group,
      "-Name NAME -PrimarySmtpAddress ADDR [-Alias ALIAS] [-DisplayName "
      "NAME] [-Members R[,R...]] [-ManagedBy MAILBOX] [-WhatIf] [-Confirm] "
      "[-List|-Json]",
      "Creates a distribution group. Members are mailboxes, mail contacts "
      "or groups (alias, address or legacyExchangeDN); a group never "
      "contains itself. -ManagedBy: the mailbox that may change the "
      "members from Outlook (NSPI ModLinkAtt)." },
    { "get-distributiongroup", "Get-DistributionGroup", adm_cmd_get_group,
      "[[-Identity] ID] [-List|-Json]", "Lists distribution groups." },
    { "set-distributiongroup", "Set-DistributionGroup", adm_cmd_set_group,
      "[-Identity] ID [-Name ALIAS] [-DisplayName NAME] [-PrimarySmtpAddress "
      "ADDR] [-ManagedBy MAILBOX|$null] [-Members R[,R...]] [-WhatIf] "
      "[-Confirm]",
      "Changes a distribution group; -Members replaces the member list." },
    { "remove-distributiongroup", "Remove-DistributionGroup",
      adm_cmd_remove_group, "[-Identity] ID [-WhatIf] [-Confirm:$false]",
      "Removes a distribution group. Asks first unless -Confirm:$false." },
    { "add-distributiongroupmember", "Add-DistributionGroupMember",
      adm_cmd_add_member, "[-Identity] GROUP -Member R [-WhatIf] [-Confirm]",
      "Adds a recipient to a group (refused when already a member, or when "
      "it would make a loop)." },
    { "remove-distributiongroupmember", "Remove-DistributionGroupMember",
      adm_cmd_remove_member,
      "[-Identity] GROUP -Member R [-WhatIf] [-Confirm:$false]",
      "Removes a recipient from a group. Asks first unless -Confirm:$false." },
    { "get-distributiongroupmember", "Get-DistributionGroupMember",
      adm_cmd_get_member, "[-Identity] GROUP [-List|-Json]",
      "Lists the members of a group." },
    { "new-mailcontact", "New-MailContact", adm_cmd_new_contact,
      "-Name NAME -ExternalEmailAddress ADDR [-Alias ALIAS] [-DisplayName "
      "NAME] [-WhatIf] [-Confirm] [-List|-Json]",
      "Creates a mail contact: someone outside the organisation, shown in "
      "the address book." },
    { "get-mailcontact", "Get-MailContact", adm_cmd_get_contact,
      "[[-Identity] ID] [-List|-Json]", "Lists mail contacts." },
    { "remove-mailcontact", "Remove-MailContact", adm_cmd_remove_contact,
      "[-Identity] ID [-WhatIf] [-Confirm:$false]",
      "Removes a mail contact. Asks first unless -Confirm:$false." },
    { "test-certificate", "Test-MapiCertificate", adm_cmd_test_certificate,
      "[[-Identity] ID | -Url URL] [-CertificateFile PEM] [-TimeoutSeconds "
      "N] [-List|-Json]",
      "Checks, for each URL of the virtual directories (or -Url), that the "
      "certificate the server presents (or the PEM file) covers the host "
      "name and is within its validity period. Exit status 7 when one does "
      "not." },
    { "test-outlookconnectivity", "Test-OutlookConnectivity",
      adm_cmd_test_connectivity,
      "[-ProbeIdentity OutlookMapiHttpSelfTestProbe|"
      "OutlookMapiHttpDeepTestProbe] [-RunFromServerId SERVER] [-MailboxId "
      "ID] [-Credential USER:PASSWORD] [-Hostname HOST] [-TimeOutSeconds N] "
      "[-TrustAnySSLCertificate] [-CAFile PEM] [-List|-Json]",
      "Tests MAPI over HTTP as a client would, against the MAPI virtual "
      "directory of -RunFromServerId (default: this server).\n"
      "  OutlookMapiHttpSelfTestProbe  both endpoints answer PING; an "
      "anonymous request is refused with 401\n"
      "  OutlookMapiHttpDeepTestProbe  Autodiscover, Connect, RopLogon, "
      "RopOpenFolder (Inbox), Bind, ResolveNames,\n"
      "                                Disconnect, Unbind for -MailboxId "
      "(default: the caller's mailbox)\n"
      "  (no -ProbeIdentity: both)\n"
      "  -Credential   Basic with USER:PASSWORD; default Negotiate with the "
      "ticket of KRB5CCNAME\n"
      "  -Hostname     host name to use in the URLs instead of the virtual "
      "directory's\n"
      "  -TimeOutSeconds  per request (default 30)\n"
      "  -TrustAnySSLCertificate  no certificate check; -CAFile trusts a PEM"
      "\nError names the step that failed and why; exit status 8 on "
      "failure." },
    { "get-mapisession", "Get-MapiSession", adm_cmd_get_session,
      "[[-Identity] ID] [-User PATTERN] [-List|-Json]",
      "Lists the live session contexts of both endpoints: Identity (the "
      "context's id; a unique prefix will do), User, Endpoint (emsmdb or "
      "nspi), ClientApplication, ClientAddress, Created, LastSeen, Expires "
      "(-List shows all). -User matches the principal or the mailbox, "
      "wildcards allowed." },
    { "remove-mapisession", "Remove-MapiSession", adm_cmd_remove_session,
      "[-Identity] ID [-WhatIf] [-Confirm:$false]",
      "Ends a session context: its client's next request gets "
      "X-ResponseCode 10 (Context Not Found) and connects again. Asks first "
      "unless -Confirm:$false." },
    { NULL, NULL, NULL, NULL, NULL }
};

static const char adm_common_help[] =
    "Parameters are case-insensitive and may be abbreviated while "
    "unambiguous;\nswitches take -Name:$false. In a POSIX shell quote $true, "
    "$false and $null\n('$false') or write true, false, null.\n"
    "Output: a table by default, -List for every property as \"Name : "
    "Value\",\n-Json for a JSON array.\n";

static const char adm_exit_help[] =
    "Exit status:\n"
    "  0  success (also: -WhatIf, a declined confirmation)\n"
    "  1  internal error\n"
    "  2  invalid argument (unknown or malformed parameter or value)\n"
    "  3  object not found\n"
    "  4  ambiguous (parameter abbreviation or identity matching several)\n"
    "  5  conflict (the object, address or principal exists already)\n"
    "  6  database unavailable (cannot open, wrong schema version)\n"
    "  7  certificate check failed (test-certificate)\n"
    "  8  a probe failed (test-outlookconnectivity)\n";

static void adm_usage(FILE *f)
{
    fprintf(f, "usage: mapi-admin [-DataDir DIR] COMMAND [PARAMETERS]\n"
               "       mapi-admin COMMAND --help\n\n"
               "The database is -DataDir DIR, else $MAPI_ADMIN_DB, else %s."
               "\n\nCommands (the cmdlet names work too):\n", ADM_DEFAULT_DB);
    for (const adm_command *c = adm_commands; c->name; c++)
        fprintf(f, "  %-18s %s\n", c->name, c->cmdlet);
    fprintf(f, "\n%s\n%s", adm_common_help, adm_exit_help);
}

static void adm_command_help(const adm_command *c)
{
    printf("NAME\n  mapi-admin %s (%s)\n\nSYNOPSIS\n  mapi-admin %s %s\n\n"
           "DESCRIPTION\n  %s\n\n%s\n%s", c->name, c->cmdlet, c->name,
           c->synopsis, c->help, adm_common_help, adm_exit_help);
}

static const adm_command *adm_lookup(const char *name)
{
    for (const adm_command *c = adm_commands; c->name; c++)
        if (strcasecmp(name, c->name) == 0 ||
            strcasecmp(name, c->cmdlet) == 0)
            return c;
    return NULL;
}

static int adm_is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 ||
           strcmp(a, "-?") == 0 || strcasecmp(a, "-Help") == 0;
}

/* ----------------------------------------------------------- database -- */

/* The environment belongs to the user httpd serves as; files the tool
 * creates (log files, databases) must stay theirs, so a root caller takes
 * the owner's identity before touching anything. */
static int adm_become_owner(const char *dir)
{
    struct stat st;

    if (geteuid() != 0 || stat(dir, &st) != 0 || st.st_uid == 0)
        return 0;
    if (setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0)
        return -1;
    return 0;
}

int adm_open_db(adm_ctx *ctx, const char *cmd)
{
    const char *error = NULL;
    struct stat st;
    int rc;

    if (ctx->db)
        return ADM_OK;
    /* Only New-Organization starts a database; anything else on a missing
     * directory is a wrong -DataDir or MAPI_ADMIN_DB. */
    if (stat(ctx->data_dir, &st) != 0 && strcmp(cmd, "New-Organization"))
        return adm_error(ADM_ERR_DATABASE, cmd, "The configuration database "
                         "%s cannot be opened: %s. Set -DataDir or "
                         "MAPI_ADMIN_DB, or create it with new-organization.",
                         ctx->data_dir, strerror(errno));
    if (adm_become_owner(ctx->data_dir) != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "cannot take the identity of "
                         "the owner of %s: %s", ctx->data_dir,
                         strerror(errno));
    if (mapi_db_open(ctx->pool, ctx->data_dir, MAPI_DB_CREATE | MAPI_DB_DETECT, &ctx->db,
                     &error) != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    rc = cfg_schema_check(ctx->db, ctx->pool, &error);
    if (rc != 0)
        return adm_error(ADM_ERR_DATABASE, cmd, "%s", error);
    return ADM_OK;
}

/* ---------------------------------------------------------------- main -- */

/* Takes "-DataDir DIR" / "-DataDir:DIR" out of argv wherever it is;
 * -1 when it lacks its value. */
static int adm_take_data_dir(int *argc, char **argv, const char **dir_r)
{
    int out = 1;

    for (int i = 1; i < *argc; i++) {
        if (strncasecmp(argv[i], "-DataDir:", 9) == 0) {
            *dir_r = argv[i] + 9;
        } else if (strcasecmp(argv[i], "-DataDir") == 0 ||
                   strcmp(argv[i], "--data-dir") == 0) {
            if (i + 1 >= *argc)
                return -1;
            *dir_r = argv[++i];
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    adm_ctx ctx = { 0 };
    const adm_command *c;
    int rc;

    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&ctx.pool, NULL);
    /* Changes made by the tool notify the sessions that watch them. */
    store_set_event_hook(rop_notify_event_hook);
    ctx.data_dir = getenv("MAPI_ADMIN_DB");
    if (adm_take_data_dir(&argc, argv, &ctx.data_dir) != 0)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, "mapi-admin", "Missing an "
                         "argument for parameter 'DataDir'.");
    if (ctx.data_dir == NULL || *ctx.data_dir == '\0')
        ctx.data_dir = ADM_DEFAULT_DB;
    if (argc < 2) {
        adm_usage(stderr);
        return ADM_ERR_INVALID_ARGUMENT;
    }
    if (adm_is_help(argv[1]) || strcasecmp(argv[1], "help") == 0) {
        if (argc > 2 && (c = adm_lookup(argv[2])) != NULL)
            adm_command_help(c);
        else
            adm_usage(stdout);
        return ADM_OK;
    }
    if ((c = adm_lookup(argv[1])) == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, "mapi-admin", "The term "
                         "'%s' is not recognized as the name of a command. "
                         "Run mapi-admin --help for the list.", argv[1]);
    for (int i = 2; i < argc; i++)
        if (adm_is_help(argv[i])) {
            adm_command_help(c);
            return ADM_OK;
        }
    rc = c->run(&ctx, argc - 2, argv + 2);
    mapi_db_close(&ctx.db);
    return rc;
}
