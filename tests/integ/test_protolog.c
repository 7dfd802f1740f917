/*
 * test_protolog.c: the protocol logs under a concurrent load: eight
 * clients at once on both endpoints, anonymous requests and Autodiscover;
 * afterwards every request appears exactly once, in its service's log,
 * every row parses as CSV with the header's field count, and neither a
 * password nor a cookie value appears in any log.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "harness.h"

#define CLIENTS 8
#define ROUNDS  10
#define MAX_IDS (CLIENTS * (ROUNDS * 2 + 4))

static harness H;

typedef struct load {
    mhc_client *c;
    int failures;
    char ids[MAX_IDS / CLIENTS][64];   /* X-RequestIds sent */
    int service[MAX_IDS / CLIENTS];    /* 0 emsmdb, 1 nspi */
    int n;
    char cookies[4][256];              /* cookie values seen */
    int n_cookies;
} load;

static int suite_init(void)
{
    return harness_start(&H, NULL);
}

static int suite_cleanup(void)
{
    return harness_stop(&H);
}

static void note(load *l, int service, int rc)
{
    if (rc != 0)
        l->failures++;
    snprintf(l->ids[l->n], sizeof(l->ids[0]), "%s", l->c->last_request_id);
    l->service[l->n++] = service;
}

static void keep_cookie(load *l, mhc_endpoint ep)
{
    const char *v = mhc_cookie_get(l->c, ep, MHC_COOKIE_CONTEXT);

    if (v && l->n_cookies < 4)
        snprintf(l->cookies[l->n_cookies++], sizeof(l->cookies[0]), "%s", v);
}

static void *run_load(void *arg)
{
    load *l = arg;

    note(l, 0, mhc_connect(l->c, H_DEMO_DN, NULL, NULL));
    keep_cookie(l, MHC_EMSMDB);
    note(l, 1, mhc_bind(l->c, NULL, NULL));
    keep_cookie(l, MHC_NSPI);
    for (int i = 0; i < ROUNDS; i++) {
        note(l, 0, mhc_ping(l->c, MHC_EMSMDB, NULL));
        note(l, 1, mhc_ping(l->c, MHC_NSPI, NULL));
    }
    note(l, 0, mhc_disconnect(l->c, NULL, NULL));
    note(l, 1, mhc_unbind(l->c, NULL, NULL));
    return NULL;
}

/* Fields of one CSV row; -1 when malformed. */
static int csv_fields(const char *row)
{
    int n = 1, q = 0;

    for (const char *p = row; *p && *p != '\r'; p++) {
        if (q) {
            if (*p == '"' && p[1] == '"')
                p++;
            else if (*p == '"')
                q = 0;
        } else if (*p == '"') {
            q = 1;
        } else if (*p == ',') {
            n++;
        }
    }
    return q ? -1 : n;
}

typedef struct logs {
    char *text[3];                     /* every file of a service, joined */
    int bad_rows, rows, headers_bad;
} logs;

static char *append(char *s, const char *t)
{
    size_t a = s ? strlen(s) : 0, b = strlen(t);
    char *r = realloc(s, a + b + 1);

    memcpy(r + a, t, b + 1);
    return r;
}

static void read_logs(logs *g)
{
    static const char *const subdirs[3] = { "MapiClientAccess",
                                            "MapiAddressBook",
                                            "Autodiscover" };

    memset(g, 0, sizeof(*g));
    for (int s = 0; s < 3; s++) {
        char dir[400];
        DIR *d;
        struct dirent *e;

        snprintf(dir, sizeof(dir), "%s/%s", H.log_dir, subdirs[s]);
        g->text[s] = append(NULL, "");
        if ((d = opendir(dir)) == NULL)
            continue;
        while ((e = readdir(d)) != NULL) {
            char path[700], line[8192];
            int fields = -1;
            FILE *f;

            if (strncmp(e->d_name, "MapiHttp_", 9))
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            if ((f = fopen(path, "r")) == NULL)
                continue;
            while (fgets(line, sizeof(line), f)) {
                g->text[s] = append(g->text[s], line);
                if (strncmp(line, "#Fields: ", 9) == 0) {
                    fields = csv_fields(line + 9);
                } else if (line[0] != '#') {
                    g->rows++;
                    if (fields < 0 || csv_fields(line) != fields ||
                        strstr(line, "\r\n") == NULL)
                        g->bad_rows++;
                }
            }
            fclose(f);
        }
        closedir(d);
    }
}

static void free_logs(logs *g)
{
    for (int s = 0; s < 3; s++)
        free(g->text[s]);
}

static int occurrences(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_concurrent_load_logged_once(void)
{
    static load L[CLIENTS];
    pthread_t t[CLIENTS];
    mhc_response ad;
    logs g;
    int missing = 1, total = 0;

    memset(&g, 0, sizeof(g));

    for (int i = 0; i < CLIENTS; i++) {
        memset(&L[i], 0, sizeof(L[i]));
        L[i].c = harness_client(&H, 0, MHC_AUTH_BASIC);
    }
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&t[i], NULL, run_load, &L[i]);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < CLIENTS; i++)
        CHECKF(L[i].failures == 0, "client %d: %d requests failed", i,
               L[i].failures);
    /* Refused before the handler, and Autodiscover: logged too. */
    {
        mhc_client *anon = harness_client(&H, 0, MHC_AUTH_NONE);
        CHECKF(mhc_ping(anon, MHC_EMSMDB, NULL) >= -1, "anonymous");
        CHECKF(mhc_autodiscover(L[0].c, "demo@mapi.test", "1", &ad) == 200,
               "autodiscover");
        mhc_response_free(&ad);
        mhc_client_free(&anon);
    }
    /* Rows are written as replies end: wait until all are in. */
    for (int tries = 0; tries < 50 && missing; tries++) {
        free_logs(&g);
        read_logs(&g);
        missing = 0;
        for (int i = 0; i < CLIENTS; i++)
            for (int j = 0; j < L[i].n; j++)
                missing += strstr(g.text[L[i].service[j]], L[i].ids[j])
                           == NULL;
        /* The Autodiscover row too: it is written after its reply. */
        missing += strstr(g.text[2], ",Autodiscover,200,") == NULL;
        if (missing)
            harness_sleep_ms(100);
    }
    for (int i = 0; i < CLIENTS; i++)
        for (int j = 0; j < L[i].n; j++, total++) {
            char id[70];
            int s = L[i].service[j];
            /* ",<id>," so that ":1" does not match ":10". */
            snprintf(id, sizeof(id), ",%s,", L[i].ids[j]);
            CHECKF(occurrences(g.text[s], id) == 1 &&
                   occurrences(g.text[1 - s], id) == 0,
                   "%s: %d times in its log, %d in the other", id,
                   occurrences(g.text[s], id),
                   occurrences(g.text[1 - s], id));
        }
    CHECKF(total == CLIENTS * (ROUNDS * 2 + 4), "%d requests", total);
    CHECKF(g.bad_rows == 0, "%d of %d rows do not parse", g.bad_rows,
           g.rows);
    CHECKF(strstr(g.text[0], ",401,") != NULL, "the anonymous 401 row");
    CHECKF(strstr(g.text[2], ",Autodiscover,200,") != NULL &&
           strstr(g.text[2], "demo@mapi.test") != NULL,
           "the Autodiscover row: %.300s", g.text[2]);
    for (int s = 0; s < 3; s++) {
        CHECKF(strstr(g.text[s], H.demo_password) == NULL,
               "the password is in log %d", s);
        for (int i = 0; i < CLIENTS; i++)
            for (int k = 0; k < L[i].n_cookies; k++)
                CHECKF(strstr(g.text[s], L[i].cookies[k]) == NULL,
                       "a cookie value is in log %d", s);
    }
    free_logs(&g);
    for (int i = 0; i < CLIENTS; i++)
        mhc_client_free(&L[i].c);
}

int main(int argc, char **argv)
{
    CU_pSuite s;

    harness_init(argc, argv);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("protocol logs", suite_init, suite_cleanup);
    CU_add_test(s, "concurrent load: each request once, in its log, as CSV, "
                   "no secret", test_concurrent_load_logged_once);
    return harness_run_tests();
}
