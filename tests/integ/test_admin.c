/*
 * test_admin.c: mapi-admin as an administrator uses it, against a private
 * instance (its data directory through MAPI_ADMIN_DB) and a fresh data
 * directory: every rule of /work/shared/admin-notes.md (the cmdlets, their
 * validation, -WhatIf, -Confirm, table/list/JSON output, exit status per
 * error category), changes reaching the running server on the next
 * request, ten concurrent writers, and the certificate check.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "harness.h"
#include "mh_client.h"

static harness H;
static char fresh[] = "/tmp/mapi-integ-admin-fresh-XXXXXX";
static int fresh_made;

enum { EX_SUCCESS = 0, X_INVALID = 2, X_NOT_FOUND = 3, X_AMBIGUOUS = 4,
       X_CONFLICT = 5, X_DATABASE = 6, X_CERT = 7 };

/* ---------------------------------------------------------- running -- */

typedef struct run_out {
    int status;                  /* exit status, or -1 */
    char out[65536], err[65536];
} run_out;

static run_out R;                /* the last run */

static void slurp(int fds[2], char *bufs[2], size_t caps[2])
{
    size_t len[2] = { 0, 0 };
    int open_fds = 2;

    while (open_fds > 0) {
        struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };

        if (poll(p, 2, 30000) <= 0)
            break;
        for (int i = 0; i < 2; i++) {
            ssize_t n;

            if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
                continue;
            n = read(fds[i], bufs[i] + len[i], caps[i] - 1 - len[i]);
            if (n <= 0) {
                close(fds[i]);
                fds[i] = -1;
                p[i].fd = -1;
                open_fds--;
            } else {
                len[i] += (size_t)n;
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        bufs[i][len[i]] = '\0';
        if (fds[i] >= 0)
            close(fds[i]);
    }
}

/* Runs build/mapi-admin with args (NULL-terminated) and input on stdin,
 * MAPI_ADMIN_DB = db (NULL: unset); fills R, returns the exit status. */
static int admin_argv(const char *input, const char *db,
                      const char *const *args)
{
    const char *argv[64];
    char path[600];
    int in[2], out[2], err[2], n = 1, status = -1;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/mapi-admin", harness_build());
    argv[0] = path;
    for (int i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    R.out[0] = R.err[0] = '\0';
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0)
        return R.status = -1;
    pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(in[1]); close(out[0]); close(err[0]);
        if (db)
            setenv("MAPI_ADMIN_DB", db, 1);
        else
            unsetenv("MAPI_ADMIN_DB");
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(in[0]); close(out[1]); close(err[1]);
    if (input && *input && write(in[1], input, strlen(input)) < 0)
        perror("write stdin");
    close(in[1]);
    {
        int fds[2] = { out[0], err[0] };
        char *bufs[2] = { R.out, R.err };
        size_t caps[2] = { sizeof(R.out), sizeof(R.err) };
        slurp(fds, bufs, caps);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return R.status = -1;
    return R.status = WEXITSTATUS(status);
}

static int admin_va(const char *input, const char *db, const char *first,
                    va_list ap)
{
    const char *args[64];
    int n = 0;

    args[n++] = first;
    while (n < 63 && (args[n] = va_arg(ap, const char *)) != NULL)
        n++;
    args[n] = NULL;
    return admin_argv(input, db, args);
}

/* mapi-admin on the instance's data directory (MAPI_ADMIN_DB). */
static int admin(const char *first, ...)
{
    va_list ap;
    int rc;

    va_start(ap, first);
    rc = admin_va(NULL, H.admin_db, first, ap);
    va_end(ap);
    return rc;
}

/* The same with input on stdin (confirmation answers). */
static int admin_in(const char *input, const char *first, ...)
{
    va_list ap;
    int rc;

    va_start(ap, first);
    rc = admin_va(input, H.admin_db, first, ap);
    va_end(ap);
    return rc;
}

/* On another data directory (db NULL: MAPI_ADMIN_DB unset). */
static int admin_db(const char *db, const char *first, ...)
{
    va_list ap;
    int rc;

    va_start(ap, first);
    rc = admin_va(NULL, db, first, ap);
    va_end(ap);
    return rc;
}

static int has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL;
         p += strlen(needle))
        n++;
    return n;
}

/* Checks the last run's status and that stderr holds want_err (may be
 * NULL). */
#define EXPECT(st, want_err, what)                                          \
    CHECKF(R.status == (st) && ((want_err) == NULL ||                      \
                                has(R.err, (want_err) ? (want_err) : "")), \
           "%s: exit %d (want %d), stderr: %.400s", what, R.status, st,    \
           R.err)

/* ------------------------------------------------------ minimal JSON -- */

/* The string value of "key": "..." in the n-th object of a JSON array
 * (unescaping \" and \\), or NULL.  Enough for the tool's own output. */
static const char *json_value(const char *json, int nth, const char *key)
{
    static char val[1024];
    char pat[128];
    const char *p = json;

    for (int i = 0; i <= nth; i++) {
        p = strchr(p, '{');
        if (p == NULL)
            return NULL;
        p++;
    }
    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    {
        const char *end = strchr(p, '}');
        const char *k = strstr(p, pat);
        size_t n = 0;

        if (k == NULL || (end && k > end))
            return NULL;
        k += strlen(pat);
        if (strncmp(k, "null", 4) == 0)
            return "null";
        if (strncmp(k, "true", 4) == 0)
            return "true";
        if (strncmp(k, "false", 5) == 0)
            return "false";
        if (*k == '[') {
            const char *close = strchr(k, ']');
            n = close ? (size_t)(close - k + 1) : 0;
            if (n >= sizeof(val))
                n = sizeof(val) - 1;
            memcpy(val, k, n);
            val[n] = '\0';
            return val;
        }
        if (*k++ != '"')
            return NULL;
        while (*k && *k != '"' && n + 1 < sizeof(val)) {
            if (*k == '\\' && k[1])
                k++;
            val[n++] = *k++;
        }
        val[n] = '\0';
        return val;
    }
}

/* Whether text is a JSON array of objects with balanced brackets and
 * properly closed strings. */
static int json_shape_ok(const char *text)
{
    int depth = 0, in_str = 0;
    const char *p = text;

    while (*p == ' ' || *p == '\n')
        p++;
    if (*p != '[')
        return 0;
    for (; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_str = 0;
            else if ((unsigned char)*p < 0x20)
                return 0;
            continue;
        }
        if (*p == '"')
            in_str = 1;
        else if (*p == '[' || *p == '{')
            depth++;
        else if (*p == ']' || *p == '}')
            depth--;
        if (depth < 0)
            return 0;
    }
    return depth == 0 && !in_str;
}

/* ------------------------------------------------------------ suite -- */

static int suite_init(void)
{
    if (harness_start(&H, NULL) != 0)
        return -1;
    if (mkdtemp(fresh) == NULL)
        return -1;
    fresh_made = 1;
    return 0;
}

static int suite_cleanup(void)
{
    if (fresh_made) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fresh);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", fresh);
    }
    return harness_stop(&H);
}

/* The port of the instance's URL (https://127.0.0.1:PORT). */
static const char *port(void)
{
    const char *p = strrchr(H.url, ':');
    return p ? p + 1 : "443";
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    va_list ap;

    va_start(ap, f);
    vsnprintf(b, 512, f, ap);
    va_end(ap);
    return b;
}

/* ------------------------------------------------------------- tests -- */

static void test_help_and_exit_statuses_documented(void)
{
    admin("--help", NULL);
    CHECKF(R.status == 0 && has(R.out, "get-vdir") &&
           has(R.out, "Get-MapiVirtualDirectory") &&
           has(R.out, "6  database unavailable") && has(R.out, "3  object"),
           "--help: exit %d, %.300s", R.status, R.out);
    for (const char *const *c = (const char *const[]){ "new-vdir", "get-vdir",
             "set-vdir", "remove-vdir", "new-organization", "get-orgconfig",
             "set-orgconfig", "get-casmailbox", "set-casmailbox",
             "new-mailbox", "get-mailbox", "set-mailbox", "remove-mailbox",
             "test-certificate", NULL }; *c; c++) {
        admin(*c, "--help", NULL);
        CHECKF(R.status == 0 && has(R.out, "SYNOPSIS") &&
               has(R.out, "Exit status"), "%s --help: exit %d", *c, R.status);
    }
    admin("Get-Frobnicator", NULL);
    EXPECT(X_INVALID, "is not recognized", "unknown command");
}

/* The instance was provisioned by instance.sh with mapi-admin; demo.env's
 * MAPI_ADMIN_DB finds it. */
static void test_demo_env_finds_database(void)
{
    admin("get-mailbox", NULL);
    CHECKF(R.status == 0 && has(R.out, "demo@mapi.test") &&
           has(R.out, "other@mapi.test"), "get-mailbox via MAPI_ADMIN_DB: "
           "exit %d %.300s %.300s", R.status, R.out, R.err);
    admin_db(NULL, "-DataDir", H.admin_db, "get-orgconfig", NULL);
    CHECKF(R.status == 0 && has(R.out, "MAPI Test"), "-DataDir: exit %d",
           R.status);
    admin_db("/nonexistent/mapi-data", "get-vdir", NULL);
    EXPECT(X_DATABASE, "cannot be opened", "database unavailable");
}

static void test_new_organization_on_fresh_database(void)
{
    char *dir = fmt("%s/data", fresh);

    admin_db(dir, "get-orgconfig", NULL);
    EXPECT(X_DATABASE, NULL, "get-orgconfig before anything exists");
    admin_db(dir, "New-Organization", "-Name", "Fresh Org", "-Domain",
             "fresh.test", NULL);
    CHECKF(R.status == 0 && has(R.out, "Fresh Org") && has(R.out, "True"),
           "New-Organization: exit %d %.200s %.300s", R.status, R.out, R.err);
    admin_db(dir, "new-organization", "-Name", "Again", "-Domain", "a.test",
             NULL);
    EXPECT(X_CONFLICT, "already exists", "second organization");
    admin_db(dir, "get-orgconfig", "-List", NULL);
    CHECKF(R.status == 0 && has(R.out, fmt("%-22s : True", "MapiHttpEnabled")) &&
           has(R.out, fmt("%-22s : Fresh Org", "Name")),
           "a new organisation starts enabled: %.400s", R.out);
    admin_db(dir, "new-mailbox", "-Name", "x", NULL);
    EXPECT(X_INVALID, "missing mandatory", "new-mailbox without addresses");
}

/* admin-notes "Validation": every error is InvalidArgument (exit 2). */
static void test_vdir_validation_errors(void)
{
    admin("new-vdir", "-Server", "val1", "-IISAuthenticationMethods", "Ntlm",
          NULL);
    EXPECT(X_INVALID, "At least one of InternalUrl and ExternalUrl",
           "no URL");
    admin("new-vdir", "-Server", "val1", "-InternalUrl", "not a url",
          "-IISAuthenticationMethods", "Ntlm", NULL);
    EXPECT(X_INVALID, "is not a valid URL", "bad URL");
    admin("new-vdir", "-Server", "val1", "-InternalUrl", "ftp://x/mapi",
          "-IISAuthenticationMethods", "Ntlm", NULL);
    EXPECT(X_INVALID, "is not a valid URL", "ftp URL");
    admin("new-vdir", "-Server", "val1", "-InternalUrl",
          "https://val1.mapi.test/mapi", NULL);
    EXPECT(X_INVALID, "IISAuthenticationMethods must be specified together "
           "with the first URL", "methods missing with the first URL");
    admin("new-vdir", "-Server", "val1", "-InternalUrl",
          "https://val1.mapi.test/mapi", "-IISAuthenticationMethods",
          "Ntlm,Digest", NULL);
    EXPECT(X_INVALID, "'Digest' is not a valid authentication method",
           "unknown method");
    admin("new-vdir", "-Server", "val1", "-InternalUrl",
          "https://val1.mapi.test/mapi", "-IISAuthenticationMethods", "Ntlm",
          "-ExtendedProtectionTokenChecking", "Sometimes", NULL);
    EXPECT(X_INVALID, "None, Allow, Require", "bad token checking");
    admin("new-vdir", "-Server", "val1", "-InternalUrl",
          "https://val1.mapi.test/mapi", "-IISAuthenticationMethods", "Ntlm",
          "-Bogus", "1", NULL);
    EXPECT(X_INVALID, "A parameter cannot be found that matches parameter "
           "name 'Bogus'", "unknown parameter");
    admin("new-vdir", "-Ex", "x", NULL);
    EXPECT(X_AMBIGUOUS, "is ambiguous", "ambiguous abbreviation");
    admin("get-vdir", "one", "two", NULL);
    EXPECT(X_INVALID, "A positional parameter cannot be found that accepts "
           "argument 'two'", "stray positional");
    admin("new-vdir", "stray", NULL);
    EXPECT(X_INVALID, "argument 'stray'", "stray positional on New");
    admin("get-vdir", "-Identity", "x\\mapi", "-Server", "x", NULL);
    EXPECT(X_INVALID, "-Identity and -Server cannot be used together",
           "-Identity and -Server");
    admin("set-orgconfig", "-MapiHttpEnabled", "maybe", NULL);
    EXPECT(X_INVALID, "Cannot convert value \"maybe\"", "bad $true/$false");
    admin("set-orgconfig", "-MapiHttpEnabled", NULL);
    EXPECT(X_INVALID, "Missing an argument", "missing value");
    admin("new-vdir", "-Server", "val1", "-InternalUrl",
          "https://val1.mapi.test/mapi", "-IISAuthenticationMethods", "Ntlm",
          "-WhatIf:perhaps", NULL);
    EXPECT(X_INVALID, "System.Boolean", "bad switch value");
    admin("get-vdir", "val1\\mapi", NULL);
    EXPECT(X_NOT_FOUND, "couldn't be found", "nothing was created");
}

/* admin-notes: URLs normalised to https://host/mapi, explicit port kept;
 * methods shown canonically; Internal/External follow IIS. */
static void test_vdir_new_normalises_urls(void)
{
    admin("New-MapiVirtualDirectory", "-Server", "mail1", "-InternalUrl",
          "http://Mail1.MAPI.test/owa", "-ExternalUrl",
          "https://ext.mapi.test:8443", "-IISAuth",
          "negotiate,OAUTH,ntlm", "-Json", NULL);
    CHECKF(R.status == 0 && json_shape_ok(R.out), "new-vdir: exit %d %.300s",
           R.status, R.err);
    {
        const char *v = json_value(R.out, 0, "InternalUrl");
        CHECKF(v && strcmp(v, "https://mail1.mapi.test/mapi") == 0,
               "InternalUrl normalised: %s", v ? v : "(none)");
        v = json_value(R.out, 0, "ExternalUrl");
        CHECKF(v && strcmp(v, "https://ext.mapi.test:8443/mapi") == 0,
               "ExternalUrl keeps its port: %s", v ? v : "(none)");
        v = json_value(R.out, 0, "IISAuthenticationMethods");
        CHECKF(v && strcmp(v, "[\"Ntlm\", \"OAuth\", \"Negotiate\"]") == 0,
               "canonical methods: %s", v ? v : "(none)");
        v = json_value(R.out, 0, "ExternalAuthenticationMethods");
        CHECKF(v && strcmp(v, "[\"Ntlm\", \"OAuth\", \"Negotiate\"]") == 0,
               "ExternalAuthenticationMethods follow: %s", v ? v : "(none)");
        v = json_value(R.out, 0, "Identity");
        CHECKF(v && strcmp(v, "mail1\\mapi (Default Web Site)") == 0,
               "Identity: %s", v ? v : "(none)");
    }
    /* One directory per server and web site. */
    admin("new-vdir", "-Server", "MAIL1", "-InternalUrl", "https://b/mapi",
          "-IISAuthenticationMethods", "Ntlm", NULL);
    EXPECT(X_CONFLICT, "already exists", "second New on the same server+site");
    admin("new-vdir", "-Server", "mail1", "-WebSiteName", "Second Site",
          "-InternalUrl", "https://mail1b.mapi.test/mapi",
          "-IISAuthenticationMethods", "Basic", NULL);
    CHECKF(R.status == 0, "another web site on the same server: %d %.300s",
           R.status, R.err);
    admin("new-vdir", "-Server", "mail2", "-InternalUrl",
          "https://mail2.mapi.test/mapi", "-IISAuthenticationMethods",
          "Negotiate", NULL);
    CHECKF(R.status == 0, "mail2: %d", R.status);
}

/* admin-notes: table (Server, Name, InternalUrl, ExternalUrl), list with
 * every property, {} and {a, b}, JSON for scripts. */
static void test_vdir_get_views(void)
{
    static const char *const props[] = {
        "Identity", "Name", "Server", "InternalUrl", "ExternalUrl",
        "IISAuthenticationMethods", "InternalAuthenticationMethods",
        "ExternalAuthenticationMethods", "ExtendedProtectionTokenChecking",
        "ExtendedProtectionFlags", "ExtendedProtectionSPNList",
        "WhenCreated", "WhenChanged", "Guid", NULL
    };

    admin("get-vdir", "-Server", "mail*", NULL);
    CHECKF(R.status == 0 && strncmp(R.out, "Server ", 7) == 0 &&
           has(R.out, "Name") && has(R.out, "InternalUrl") &&
           has(R.out, "ExternalUrl") && has(R.out, "------") &&
           count(R.out, "\n") == 5, "table view: %.600s", R.out);
    admin("get-vdir", "mail1\\mapi (Default Web Site)", "-List", NULL);
    CHECKF(R.status == 0, "list: exit %d", R.status);
    for (int i = 0; props[i]; i++)
        CHECKF(has(R.out, fmt("\n%s ", props[i])) ||
               strncmp(R.out, props[i], strlen(props[i])) == 0,
               "list view shows %s: %.600s", props[i], R.out);
    CHECKF(has(R.out, ": {Ntlm, OAuth, Negotiate}"), "{a, b}: %.600s", R.out);
    CHECKF(has(R.out, fmt("%-31s : {}", "ExtendedProtectionSPNList")),
           "{} when empty: %.600s", R.out);
    admin("get-vdir", "mail*", "-Json", NULL);
    CHECKF(R.status == 0 && json_shape_ok(R.out) &&
           count(R.out, "\"Guid\"") == 3, "JSON of 3: %.300s", R.out);
    admin("Get-MapiVirtualDirectory", "-Server", "mail1", NULL);
    CHECKF(R.status == 0 && count(R.out, "mail1 ") == 2 &&
           !has(R.out, "mail2"), "-Server: %.400s", R.out);
}

/* admin-notes: Identity forms and wildcards. */
static void test_vdir_identity_wildcards(void)
{
    admin("get-vdir", "mail1\\mapi*", "-Json", NULL);
    CHECKF(R.status == 0 && count(R.out, "\"Identity\"") == 2,
           "mail1\\mapi*: %.300s", R.out);
    admin("get-vdir", "*", "-Json", NULL);
    {
        int all = count(R.out, "\"Identity\"");
        admin("get-vdir", "-Json", NULL);
        CHECKF(all >= 3 && count(R.out, "\"Identity\"") == all,
               "* lists what no identity lists: %d", all);
    }
    admin("get-vdir", "mapi (Second Site)", "-Json", NULL);
    CHECKF(R.status == 0 && count(R.out, "\"Identity\"") == 1,
           "Name (WebSite): %.300s", R.out);
    admin("get-vdir", "mail2\\mapi", NULL);
    CHECKF(R.status == 0 && has(R.out, "mail2"), "default web site");
    admin("get-vdir", "nomatch*", NULL);
    CHECKF(R.status == 0 && R.out[0] == '\0', "empty wildcard: %d %.300s",
           R.status, R.out);
    admin("get-vdir", "mail9\\mapi (Default Web Site)", NULL);
    EXPECT(X_NOT_FOUND, "The operation couldn't be performed because object "
           "'mail9\\mapi (Default Web Site)' couldn't be found.",
           "not found message");
    admin("set-vdir", "mapi (Default Web Site)", "-ExternalUrl",
          "https://x/mapi", NULL);
    EXPECT(X_AMBIGUOUS, "matches multiple entries", "ambiguous identity");
}

/* admin-notes: -WhatIf changes nothing and prints one line per object. */
static void test_vdir_whatif_changes_nothing(void)
{
    admin("set-vdir", "mail2\\mapi (Default Web Site)", "-ExternalUrl",
          "https://changed.mapi.test/mapi", "-WhatIf", NULL);
    CHECKF(R.status == 0 && strcmp(R.out, "What if: Setting MAPI virtual "
           "directory \"mail2\\mapi (Default Web Site)\".\n") == 0,
           "WhatIf line: %.300s", R.out);
    admin("get-vdir", "mail2\\mapi", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "ExternalUrl") ?: "", "null") == 0,
           "unchanged after -WhatIf: %.300s", R.out);
    admin("new-vdir", "-Server", "mail3", "-InternalUrl", "https://m3/mapi",
          "-IISAuthenticationMethods", "Ntlm", "-WhatIf", NULL);
    CHECKF(R.status == 0 && has(R.out, "What if: Creating MAPI virtual "
           "directory \"mail3\\mapi (Default Web Site)\"."), "New WhatIf");
    admin("remove-vdir", "mail2\\mapi", "-WhatIf", NULL);
    CHECKF(R.status == 0 && has(R.out, "What if: Removing"), "Remove WhatIf");
    admin("get-vdir", "mail*", "-Json", NULL);
    CHECKF(count(R.out, "\"Identity\"") == 3, "nothing created or removed");
}

/* admin-notes: -Confirm asks; Y does it, N does not (exit 0). */
static void test_vdir_confirm_answers(void)
{
    admin_in("n\n", "set-vdir", "mail2\\mapi", "-ExternalUrl",
             "https://no.mapi.test/mapi", "-Confirm", NULL);
    CHECKF(R.status == 0 && has(R.err, "Are you sure you want to perform "
           "this action?") && has(R.err, "Setting MAPI virtual directory "
           "\"mail2\\mapi (Default Web Site)\".") &&
           has(R.err, "[Y] Yes [A] Yes to All [N] No [L] No to All [?] Help "
               "(default is \"Y\"):"), "prompt: %.500s", R.err);
    admin("get-vdir", "mail2\\mapi", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "ExternalUrl") ?: "", "null") == 0,
           "N changes nothing");
    admin_in("y\n", "set-vdir", "mail2\\mapi", "-ExternalUrl",
             "https://yes.mapi.test/mapi", "-Confirm", NULL);
    CHECKF(R.status == 0, "Y: %d", R.status);
    admin("get-vdir", "mail2\\mapi", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "ExternalUrl") ?: "",
                  "https://yes.mapi.test/mapi") == 0, "Y changes: %.300s",
           R.out);
    /* Without -Confirm, Set does not ask. */
    admin("set-vdir", "mail2\\mapi", "-ExtendedProtectionSPNList",
          "HTTP/mail2.mapi.test,HTTP/mail2", "-ExtendedProtectionFlags",
          "Proxy", "-ExtendedProtectionTokenChecking", "Require", NULL);
    CHECKF(R.status == 0 && !has(R.err, "Are you sure"), "Set without ask");
    admin("get-vdir", "mail2\\mapi", "-List", NULL);
    CHECKF(has(R.out, "{HTTP/mail2.mapi.test, HTTP/mail2}") &&
           has(R.out, "ExtendedProtectionTokenChecking : Require") &&
           has(R.out, "{Proxy}"), "extended protection: %.600s", R.out);
}

/* admin-notes: at least one URL after the change; methods kept. */
static void test_vdir_set_rules(void)
{
    admin("set-vdir", "mail2\\mapi", "-InternalUrl", "$null", NULL);
    CHECKF(R.status == 0, "clearing one URL: %d %.300s", R.status, R.err);
    admin("set-vdir", "mail2\\mapi", "-ExternalUrl", "$null", NULL);
    EXPECT(X_INVALID, "At least one of InternalUrl and ExternalUrl",
           "clearing the last URL");
    admin("set-vdir", "mail2\\mapi", "-InternalUrl",
          "https://mail2.mapi.test:444/", NULL);
    admin("get-vdir", "mail2\\mapi", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "InternalUrl") ?: "",
                  "https://mail2.mapi.test:444/mapi") == 0 &&
           strcmp(json_value(R.out, 0, "IISAuthenticationMethods") ?: "",
                  "[\"Negotiate\"]") == 0,
           "later Sets keep the methods: %.400s", R.out);
    admin("set-vdir", NULL);
    EXPECT(X_INVALID, "Identity", "Set without Identity");
}

/* admin-notes: Remove asks by default; -Confirm:$false skips. */
static void test_vdir_remove_asks(void)
{
    admin_in("", "remove-vdir", "mail1\\mapi (Second Site)", NULL);
    CHECKF(R.status == 0 && has(R.err, "Are you sure") &&
           has(R.err, "Removing MAPI virtual directory \"mail1\\mapi (Second "
               "Site)\"."), "Remove asks (EOF = no): %d %.400s", R.status,
           R.err);
    admin("get-vdir", "mail1\\mapi (Second Site)", NULL);
    CHECKF(R.status == 0, "still there after no answer");
    admin_in("N\n", "Remove-MapiVirtualDirectory",
             "-Identity", "mail1\\mapi (Second Site)", NULL);
    admin("get-vdir", "mail1\\mapi (Second Site)", NULL);
    CHECKF(R.status == 0, "still there after N");
    admin("remove-vdir", "mail1\\mapi (Second Site)", "-Confirm:$false",
          NULL);
    CHECKF(R.status == 0 && !has(R.err, "Are you sure"),
           "-Confirm:$false: %d %.300s", R.status, R.err);
    admin("get-vdir", "mail1\\mapi (Second Site)", NULL);
    EXPECT(X_NOT_FOUND, "couldn't be found", "removed");
    admin_in("y\n", "remove-vdir", "mail1\\mapi (Second Site)", NULL);
    EXPECT(X_NOT_FOUND, "couldn't be found", "removing it again");
}

/* admin-notes "Organisation level". */
static void test_orgconfig(void)
{
    admin("set-orgconfig", "-MapiHttpEnabled:$false", NULL);
    CHECKF(R.status == 0, "Set-OrganizationConfig: %d %.300s", R.status,
           R.err);
    admin("Get-OrganizationConfig", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "MapiHttpEnabled") ?: "", "false")
           == 0, "disabled: %.300s", R.out);
    admin("set-orgconfig", "-MapiHttpEnabled", "$true", "-WhatIf", NULL);
    CHECKF(has(R.out, "What if: Setting organization configuration"),
           "org WhatIf");
    admin("get-orgconfig", NULL);
    CHECKF(has(R.out, "False"), "WhatIf left it disabled: %.300s", R.out);
    admin("set-orgconfig", "-MapiHttpEnabled", "$null", NULL);
    EXPECT(X_INVALID, "System.Boolean", "the organisation has no $null");
    admin("set-orgconfig", "-MapiHttpEnabled", "$true", NULL);
    admin("get-orgconfig", NULL);
    CHECKF(has(R.out, "True"), "enabled again: %.300s", R.out);
}

/* admin-notes "Mailbox level": $null inherits, mailbox wins. */
static void test_casmailbox_null_round_trip(void)
{
    admin("get-casmailbox", "demo", "-Json", NULL);
    CHECKF(R.status == 0 && strcmp(json_value(R.out, 0, "MapiHttpEnabled")
           ?: "", "null") == 0, "default $null: %.300s", R.out);
    admin("set-casmailbox", "demo", "-MapiHttpEnabled", "$false", NULL);
    admin("get-casmailbox", "demo", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "MapiHttpEnabled") ?: "", "false") == 0
           && strcmp(json_value(R.out, 0, "EffectiveMapiHttpEnabled") ?: "",
                     "false") == 0, "mailbox $false wins: %.400s", R.out);
    admin("set-orgconfig", "-MapiHttpEnabled", "$false", NULL);
    admin("set-casmailbox", "demo@mapi.test", "-MapiHttpEnabled", "$true",
          NULL);
    admin("get-casmailbox", "demo", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "EffectiveMapiHttpEnabled") ?: "",
                  "true") == 0, "org false + mailbox true: %.400s", R.out);
    admin("set-casmailbox", "demo", "-MapiHttpEnabled", "$null", NULL);
    admin("get-casmailbox", "demo", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "MapiHttpEnabled") ?: "", "null") == 0
           && strcmp(json_value(R.out, 0, "EffectiveMapiHttpEnabled") ?: "",
                     "false") == 0, "$null inherits: %.400s", R.out);
    admin("set-orgconfig", "-MapiHttpEnabled", "$true", NULL);
    admin("get-casmailbox", "demo", "-List", NULL);
    CHECKF(has(R.out, fmt("\n%-36s :\n", "MapiHttpEnabled")) &&
           has(R.out, fmt("%-36s : True", "EffectiveMapiHttpEnabled")),
           "list shows $null empty: %.600s", R.out);
}

static void test_casmailbox_switches(void)
{
    admin("set-casmailbox", "demo", "-MAPIBlockOutlookVersions",
          "-14.9.9;15.0.0-15.0.4568", "-MAPIBlockOutlookNonCachedMode",
          "$true", "-MAPIBlockOutlookExternalConnectivity:$true",
          "-MAPIEnabled", "$true", NULL);
    CHECKF(R.status == 0, "Set-CASMailbox switches: %d %.300s", R.status,
           R.err);
    admin("get-casmailbox", "demo", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "MAPIBlockOutlookVersions") ?: "",
                  "-14.9.9;15.0.0-15.0.4568") == 0 &&
           strcmp(json_value(R.out, 0, "MAPIBlockOutlookNonCachedMode") ?: "",
                  "true") == 0 &&
           strcmp(json_value(R.out, 0,
                             "MAPIBlockOutlookExternalConnectivity") ?: "",
                  "true") == 0, "stored: %.600s", R.out);
    admin("set-casmailbox", "demo", "-MAPIBlockOutlookVersions", "15.x",
          NULL);
    EXPECT(X_INVALID, "version ranges", "bad version range");
    admin("set-casmailbox", "demo", "-Mapi", "$true", NULL);
    EXPECT(X_AMBIGUOUS, "ambiguous", "-Mapi is ambiguous");
    admin("set-casmailbox", "demo", "-MAPIBlockOutlookVersions", "$null",
          "-MAPIBlockOutlookNonCachedMode", "$false",
          "-MAPIBlockOutlookExternalConnectivity", "$false", NULL);
    admin("get-casmailbox", "demo", "-Json", NULL);
    CHECKF(strcmp(json_value(R.out, 0, "MAPIBlockOutlookVersions") ?: "",
                  "null") == 0, "$null clears: %.300s", R.out);
    admin("set-casmailbox", "nobody@mapi.test", "-MAPIEnabled", "$false",
          NULL);
    EXPECT(X_NOT_FOUND, "'nobody@mapi.test' couldn't be found",
           "unknown mailbox");
}

/* New-, Get-, Set-, Remove-Mailbox. */
static void test_mailbox_lifecycle(void)
{
    admin("new-mailbox", "-Name", "carol", "-DisplayName",
          "Carol \"Q\" Back\\slash", "-PrimarySmtpAddress",
          "carol@mapi.test", "-UserPrincipalName", "carol@MAPI.TEST",
          "-Json", NULL);
    CHECKF(R.status == 0 && json_shape_ok(R.out) &&
           has(R.out, "Carol \\\"Q\\\" Back\\\\slash"),
           "JSON escaping: %d %.400s %.300s", R.status, R.out, R.err);
    admin("new-mailbox", "-Name", "carol2", "-PrimarySmtpAddress",
          "CAROL@mapi.test", "-UserPrincipalName", "c2@MAPI.TEST", NULL);
    EXPECT(X_CONFLICT, "already in use", "address taken");
    admin("new-mailbox", "-Name", "bad", "-PrimarySmtpAddress", "not-an-addr",
          "-UserPrincipalName", "b@MAPI.TEST", NULL);
    EXPECT(X_INVALID, "is not a valid address", "bad address");
    admin("set-mailbox", "carol", "-PrimarySmtpAddress", "carol.new@mapi.test",
          "-DisplayName", "Carol", NULL);
    CHECKF(R.status == 0, "Set-Mailbox: %d %.300s", R.status, R.err);
    admin("get-mailbox", "carol@mapi.test", "-List", NULL);
    CHECKF(R.status == 0 && has(R.out, "PrimarySmtpAddress : "
                                       "carol.new@mapi.test") &&
           has(R.out, "{SMTP:carol.new@mapi.test, smtp:carol@mapi.test}"),
           "old primary kept as secondary: %.700s", R.out);
    admin("set-mailbox", "carol", "-EmailAddresses", "demo@mapi.test", NULL);
    EXPECT(X_CONFLICT, "'demo@mapi.test' is already in use",
           "another mailbox's address");
    admin("get-mailbox", "c*", "-Json", NULL);
    CHECKF(count(R.out, "\"Identity\"") == 1, "wildcard: %.300s", R.out);
    admin_in("n\n", "remove-mailbox", "carol", NULL);
    CHECKF(R.status == 0 && has(R.err, "Removing mailbox \"carol\"") &&
           has(R.err, "carol.new@mapi.test, carol@mapi.test") &&
           has(R.err, "carol@MAPI.TEST") && has(R.err, "deletes"),
           "remove says what is deleted: %.600s", R.err);
    admin("get-mailbox", "carol", NULL);
    CHECKF(R.status == 0, "declined: still there");
    admin("remove-mailbox", "carol", "-Confirm:$false", NULL);
    CHECKF(R.status == 0, "removed: %d %.300s", R.status, R.err);
    admin("get-mailbox", "carol", NULL);
    EXPECT(X_NOT_FOUND, "'carol' couldn't be found", "gone");
    admin("get-mailbox", "carol@mapi.test", NULL);
    EXPECT(X_NOT_FOUND, NULL, "its secondary address is free");
}

/* Groups and contacts: members of any kind, loops refused (2), unknown
 * members (3), duplicates and taken addresses (5); a removed member is
 * gone from the list; the directory attributes of Set-Mailbox. */
static void test_groups_and_contacts(void)
{
    admin("new-mailcontact", "-Name", "erin", "-ExternalEmailAddress",
          "erin@example.org", "-DisplayName", "Erin Outside", NULL);
    CHECKF(R.status == 0, "New-MailContact: %d %.300s", R.status, R.err);
    admin("new-distributiongroup", "-Name", "team", "-PrimarySmtpAddress",
          "team@mapi.test", "-DisplayName", "The Team", "-Members",
          "demo@mapi.test,erin", NULL);
    CHECKF(R.status == 0, "New-DistributionGroup: %d %.300s", R.status,
           R.err);
    admin("new-distributiongroup", "-Name", "all", "-PrimarySmtpAddress",
          "all@mapi.test", "-Members", "team", NULL);
    CHECKF(R.status == 0, "a group in a group: %d %.300s", R.status, R.err);
    admin("add-distributiongroupmember", "team", "-Member", "all", NULL);
    EXPECT(X_INVALID, NULL, "a loop through another group");
    admin("add-distributiongroupmember", "team", "-Member",
          "nobody@mapi.test", NULL);
    EXPECT(X_NOT_FOUND, NULL, "an unknown member");
    admin("add-distributiongroupmember", "team", "-Member", "erin", NULL);
    EXPECT(X_CONFLICT, NULL, "already a member");
    admin("new-mailbox", "-Name", "clash", "-PrimarySmtpAddress",
          "team@mapi.test", "-UserPrincipalName", "clash@MAPI.TEST", NULL);
    EXPECT(X_CONFLICT, "already in use", "a mailbox taking a group's address");
    admin("add-distributiongroupmember", "team", "-Member", "other@mapi.test",
          NULL);
    CHECKF(R.status == 0, "Add-DistributionGroupMember: %d %.300s",
           R.status, R.err);
    admin("get-distributiongroupmember", "team", "-Json", NULL);
    CHECKF(R.status == 0 && count(R.out, "\"RecipientType\"") == 3,
           "three members: %.600s", R.out);
    admin("remove-distributiongroupmember", "team", "-Member", "erin",
          "-Confirm:$false", NULL);
    CHECKF(R.status == 0, "Remove-DistributionGroupMember: %d %.300s",
           R.status, R.err);
    admin("get-distributiongroupmember", "team", "-Json", NULL);
    CHECKF(count(R.out, "\"RecipientType\"") == 2 && !has(R.out, "erin"),
           "erin removed: %.600s", R.out);
    admin("set-mailbox", "demo@mapi.test", "-FirstName", "Dee", "-LastName",
          "Moe", "-Title", "Tester", "-Department", "QA", NULL);
    CHECKF(R.status == 0, "Set-Mailbox attributes: %d %.300s", R.status,
           R.err);
    admin("set-mailbox", "demo@mapi.test", "-Manager", "demo@mapi.test",
          NULL);
    EXPECT(X_INVALID, NULL, "a mailbox as its own manager");
    admin("get-mailbox", "demo@mapi.test", "-List", NULL);
    CHECKF(has(R.out, "Dee") && has(R.out, "Tester"), "attributes shown: "
           "%.600s", R.out);
    admin("remove-distributiongroup", "all", "-Confirm:$false", NULL);
    admin("remove-distributiongroup", "team", "-Confirm:$false", NULL);
    CHECKF(R.status == 0, "Remove-DistributionGroup: %d", R.status);
    admin("get-distributiongroup", "team", NULL);
    EXPECT(X_NOT_FOUND, NULL, "the group is gone");
    admin("remove-mailcontact", "erin", "-Confirm:$false", NULL);
    CHECKF(R.status == 0, "Remove-MailContact: %d", R.status);
}

/* Ten mapi-admin processes creating mailboxes at once lose nothing. */
static void test_ten_concurrent_writers(void)
{
    pid_t pids[10];

    for (int p = 0; p < 10; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            for (int i = 0; i < 5; i++) {
                char name[32], smtp[64], upn[64];
                const char *args[16];
                snprintf(name, sizeof(name), "conc%di%d", p, i);
                snprintf(smtp, sizeof(smtp), "%s@mapi.test", name);
                snprintf(upn, sizeof(upn), "%s@MAPI.TEST", name);
                args[0] = "new-mailbox"; args[1] = "-Name"; args[2] = name;
                args[3] = "-PrimarySmtpAddress"; args[4] = smtp;
                args[5] = "-UserPrincipalName"; args[6] = upn;
                args[7] = NULL;
                if (admin_argv(NULL, H.admin_db, args) != 0) {
                    fprintf(stderr, "%s: %s\n", name, R.err);
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    for (int p = 0; p < 10; p++) {
        int status = -1;
        waitpid(pids[p], &status, 0);
        CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "writer %d exit %d", p, status);
    }
    admin("get-mailbox", "conc*", "-Json", NULL);
    CHECKF(count(R.out, "\"Identity\"") == 50, "50 mailboxes, got %d",
           count(R.out, "\"Identity\""));
}

/* A change made with mapi-admin while httpd runs takes effect on the next
 * request: the mailbox of an identity is looked up per request. */
static void test_live_change_next_request(void)
{
    mhc_client *c = harness_client(&H, 1, MHC_AUTH_BASIC);
    mhc_connect_rsp cr;
    int rc;

    memset(&cr, 0, sizeof(cr));
    rc = mhc_connect(c, H_OTHER_DN, NULL, &cr);
    CHECKF(rc == 0 && cr.error_code == 0, "other connects: %d 0x%X", rc,
           cr.error_code);
    admin("set-mailbox", "other", "-UserPrincipalName", "moved@MAPI.TEST",
          NULL);
    CHECKF(R.status == 0, "principal moved: %d %.300s", R.status, R.err);
    mhc_cookies_clear(c, MHC_EMSMDB);
    memset(&cr, 0, sizeof(cr));
    rc = mhc_connect(c, H_OTHER_DN, NULL, &cr);
    CHECKF(rc != 0 || cr.error_code != 0, "next Connect finds no mailbox: "
           "%d 0x%X", rc, cr.error_code);
    admin("set-mailbox", "other", "-UserPrincipalName", H.other_principal,
          NULL);
    mhc_cookies_clear(c, MHC_EMSMDB);
    memset(&cr, 0, sizeof(cr));
    rc = mhc_connect(c, H_OTHER_DN, NULL, &cr);
    CHECKF(rc == 0 && cr.error_code == 0, "and back: %d 0x%X", rc,
           cr.error_code);
    mhc_client_free(&c);
}

/* Issue 3 item 5: the certificate check against the instance, whose
 * certificate covers 127.0.0.1 and localhost. */
static void test_certificate_check(void)
{
    admin("test-certificate", "-Url", fmt("https://localhost:%s/mapi",
                                          port()), "-List", NULL);
    CHECKF(R.status == 0 && has(R.out, fmt("%-23s : Valid", "Result")) &&
           has(R.out, "DNS:localhost") && has(R.out, "IP:127.0.0.1") &&
           has(R.out, "CN=127.0.0.1"), "localhost is covered: %d %.500s %.150s",
           R.status, R.out, R.err);
    admin("test-certificate", "-Url", fmt("https://127.0.0.1:%s/", port()),
          NULL);
    CHECKF(R.status == 0 && has(R.out, "Valid"), "127.0.0.1: %d %.300s",
           R.status, R.out);
    admin("test-certificate", "-Url", "https://mail.example.invalid/mapi",
          "-CertificateFile", H.ca_cert, "-Json", NULL);
    CHECKF(R.status == X_CERT && strcmp(json_value(R.out, 0, "Result") ?: "",
                                        "HostMismatch") == 0,
           "mismatch from a file: %d %.500s", R.status, R.out);
    admin("test-certificate", "-Url", "https://127.0.0.2/mapi",
          "-CertificateFile", H.ca_cert, NULL);
    CHECKF(R.status == X_CERT && has(R.out, "HostMismatch"),
           "an IP the certificate lacks: %d %.300s", R.status, R.out);
    admin("test-certificate", "-Url", fmt("https://localhost:%s/mapi",
                                          port()), "-CertificateFile",
          "/nonexistent.pem", NULL);
    CHECKF(R.status == X_CERT && has(R.out, "Unreadable"), "no file: %d",
           R.status);
    /* new-vdir: no warning when covered, a warning (not a failure) when
     * not. */
    admin("new-vdir", "-Server", "certsrv", "-InternalUrl",
          fmt("https://localhost:%s/mapi", port()),
          "-IISAuthenticationMethods", "Negotiate", NULL);
    CHECKF(R.status == 0 && !has(R.err, "WARNING"), "covered: %d %.400s",
           R.status, R.err);
    admin("set-vdir", "certsrv\\mapi", "-ExternalUrl",
          "https://mail.example.invalid/mapi", "-CertificateFile", H.ca_cert,
          NULL);
    CHECKF(R.status == 0 && has(R.err, "WARNING") &&
           has(R.err, "mail.example.invalid"), "warning on set: %d %.400s",
           R.status, R.err);
    admin("test-certificate", "certsrv\\mapi", NULL);
    CHECKF(R.status == X_CERT && count(R.out, "\n") == 4 &&
           has(R.out, "Valid") && has(R.out, "Unreachable"),
           "per URL of the directory: %d %.500s", R.status, R.out);
    admin("test-certificate", "nosuch\\mapi", NULL);
    EXPECT(X_NOT_FOUND, "couldn't be found", "unknown directory");
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("mapi-admin (admin-notes.md)", suite_init,
                     suite_cleanup);
    CU_add_test(s, "--help for every command, exit statuses documented",
                test_help_and_exit_statuses_documented);
    CU_add_test(s, "MAPI_ADMIN_DB and -DataDir find the database; "
                   "unavailable is 6", test_demo_env_finds_database);
    CU_add_test(s, "New-Organization on a fresh database starts enabled",
                test_new_organization_on_fresh_database);
    CU_add_test(s, "vdir validation: each error is InvalidArgument (2)",
                test_vdir_validation_errors);
    CU_add_test(s, "vdir New: URLs normalised, explicit port kept, one per "
                   "server and site", test_vdir_new_normalises_urls);
    CU_add_test(s, "vdir Get: table, list ({a, b}, {}), JSON",
                test_vdir_get_views);
    CU_add_test(s, "vdir Identity forms and wildcards; not found; "
                   "ambiguous", test_vdir_identity_wildcards);
    CU_add_test(s, "-WhatIf changes nothing", test_vdir_whatif_changes_nothing);
    CU_add_test(s, "-Confirm answered N and Y", test_vdir_confirm_answers);
    CU_add_test(s, "Set: at least one URL remains, methods kept",
                test_vdir_set_rules);
    CU_add_test(s, "Remove asks by default; -Confirm:$false skips",
                test_vdir_remove_asks);
    CU_add_test(s, "Set-/Get-OrganizationConfig -MapiHttpEnabled",
                test_orgconfig);
    CU_add_test(s, "Set-CASMailbox -MapiHttpEnabled $null round trip "
                   "(truth table)", test_casmailbox_null_round_trip);
    CU_add_test(s, "Set-CASMailbox MAPI switches and version ranges",
                test_casmailbox_switches);
    CU_add_test(s, "New/Get/Set/Remove-Mailbox; remove says what is deleted",
                test_mailbox_lifecycle);
    CU_add_test(s, "distribution groups and mail contacts: members, loops, "
                "conflicts, attributes", test_groups_and_contacts);
    CU_add_test(s, "ten concurrent mapi-admin writers lose nothing",
                test_ten_concurrent_writers);
    CU_add_test(s, "a change takes effect on the next request",
                test_live_change_next_request);
    CU_add_test(s, "certificate check: covered, mismatch, warnings",
                test_certificate_check);
    return harness_run_tests();
}
