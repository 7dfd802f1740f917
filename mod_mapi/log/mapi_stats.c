/*
 * mapi_stats.c: the live figures of mod_mapi on mod_status's
 * server-status page: sessions by endpoint and NotificationWaits held
 * (from the shared Berkeley DB environment, which every process sees),
 * requests and errors by service and request type, X-ResponseCodes and
 * HTTP 401s (counters in anonymous shared memory made by the parent
 * before it forks, so every child adds to the same figures with atomic
 * increments), and the health of the store and configuration databases.
 *
 * Counting happens where the protocol log writes its row
 * (log/mapi_log.c), so the page and the logs always agree.  The counters
 * start at zero when httpd starts or restarts.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "mod_mapi.h"
#include "http/mh_http.h"

#include "http_log.h"
#include "http_protocol.h"
#include "mod_status.h"
#include "apr_atomic.h"
#include "apr_shm.h"
#include "apr_strings.h"

APLOG_USE_MODULE(mapi);

#define MAPI_STATS_SERVICES 3
#define MAPI_STATS_TYPES    40      /* request types per service, + other */
#define MAPI_STATS_CODES    (MH_CODE_MAX + 2)   /* + "none" */

typedef struct mapi_stats_shm {
    apr_uint32_t requests[MAPI_STATS_SERVICES][MAPI_STATS_TYPES];
    apr_uint32_t errors[MAPI_STATS_SERVICES][MAPI_STATS_TYPES];
    apr_uint32_t codes[MAPI_STATS_SERVICES][MAPI_STATS_CODES];
    apr_uint32_t unauthorized[MAPI_STATS_SERVICES];
} mapi_stats_shm;

static mapi_stats_shm *mapi_stats;

static const char *const mapi_stats_service_names[MAPI_STATS_SERVICES] = {
    "MAPI Client Access", "MAPI Address Book Service", "Autodiscover"
};
static const char *const mapi_stats_service_keys[MAPI_STATS_SERVICES] = {
    "Emsmdb", "Nspi", "Autodiscover"
};

int mapi_stats_init(apr_pool_t *pconf, server_rec *s)
{
    apr_shm_t *shm;
    apr_status_t rv = apr_shm_create(&shm, sizeof(mapi_stats_shm), NULL,
                                     pconf);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MAPILOGNO(1069)
                     "no shared memory for the server-status figures");
        mapi_stats = NULL;
        return -1;
    }
    mapi_stats = apr_shm_baseaddr_get(shm);
    memset(mapi_stats, 0, sizeof(*mapi_stats));
    return 0;
}

/* The request types of a service, in table order (slot = index). */
static const mh_reqtype *mapi_stats_types(int service)
{
    return service == 0 ? mh_emsmdb_types
         : service == 1 ? mh_nspi_types : NULL;
}

static int mapi_stats_slot(int service, const char *type)
{
    const mh_reqtype *t = mapi_stats_types(service);
    int i = 0;

    for (; t && t->name && i < MAPI_STATS_TYPES - 1; t++, i++)
        if (type && strcasecmp(t->name, type) == 0)
            return i;
    return service == 2 ? 0 : MAPI_STATS_TYPES - 1;
}

void mapi_stats_count(int service, const char *type, int http_status,
                      int response_code, int failed)
{
    int slot;

    if (mapi_stats == NULL || service < 0 || service >= MAPI_STATS_SERVICES)
        return;
    slot = mapi_stats_slot(service, type);
    apr_atomic_inc32(&mapi_stats->requests[service][slot]);
    if (failed)
        apr_atomic_inc32(&mapi_stats->errors[service][slot]);
    apr_atomic_inc32(&mapi_stats->codes[service]
        [response_code >= 0 && response_code <= MH_CODE_MAX
         ? response_code : MAPI_STATS_CODES - 1]);
    if (http_status == HTTP_UNAUTHORIZED)
        apr_atomic_inc32(&mapi_stats->unauthorized[service]);
}

static const char *mapi_stats_type_name(int service, int slot)
{
    const mh_reqtype *t = mapi_stats_types(service);

    if (service == 2)
        return slot == 0 ? "Autodiscover" : NULL;
    if (slot == MAPI_STATS_TYPES - 1)
        return "Other";
    for (int i = 0; t && t->name; t++, i++)
        if (i == slot)
            return t->name;
    return NULL;
}

/* ------------------------------------------------------------ health -- */

typedef struct mapi_stats_live {
    unsigned sessions[3];           /* by sess_endpoint */
    unsigned waits;
    const char *store, *config;     /* "OK" or why not */
} mapi_stats_live;

static void mapi_stats_read_live(apr_pool_t *p, mapi_db *db,
                                 mapi_stats_live *l)
{
    apr_array_header_t *list;
    const char *error = NULL;
    cfg_org *org = NULL;

    memset(l, 0, sizeof(*l));
    if (db == NULL) {
        l->store = l->config = "not open (see the error log)";
        return;
    }
    l->store = mapi_db_failchk(db, &error) == 0 ? "OK"
               : apr_pstrcat(p, "failed: ", error, NULL);
    l->config = cfg_org_get(db, p, &org, &error) == 0 ? "OK"
                : apr_pstrcat(p, "failed: ", error ? error
                              : "no organisation", NULL);
    if (sess_list(db, p, apr_time_now(), &list, &error) == 0)
        for (int i = 0; i < list->nelts; i++) {
            const sess_context *c = APR_ARRAY_IDX(list, i, sess_context *);
            if (c->endpoint == SESS_EP_EMSMDB || c->endpoint == SESS_EP_NSPI)
                l->sessions[c->endpoint]++;
        }
    else
        l->store = apr_pstrcat(p, "failed: ", error, NULL);
    sess_count_waits(db, p, &l->waits, &error);
}

/* ------------------------------------------------------------ output -- */

static void mapi_stats_auto(request_rec *r, const mapi_stats_live *l)
{
    ap_rprintf(r, "MapiSessionsEmsmdb: %u\nMapiSessionsNspi: %u\n"
               "MapiNotificationWaits: %u\nMapiStoreHealth: %s\n"
               "MapiConfigHealth: %s\n", l->sessions[SESS_EP_EMSMDB],
               l->sessions[SESS_EP_NSPI], l->waits, l->store, l->config);
    if (mapi_stats == NULL)
        return;
    for (int s = 0; s < MAPI_STATS_SERVICES; s++) {
        for (int t = 0; t < MAPI_STATS_TYPES; t++) {
            apr_uint32_t n = apr_atomic_read32(&mapi_stats->requests[s][t]);
            const char *name = mapi_stats_type_name(s, t);
            if (n == 0 || name == NULL)
                continue;
            ap_rprintf(r, "MapiRequests%s%s: %u\nMapiErrors%s%s: %u\n",
                       mapi_stats_service_keys[s], name, n,
                       mapi_stats_service_keys[s], name,
                       apr_atomic_read32(&mapi_stats->errors[s][t]));
        }
        for (int c = 0; c < MAPI_STATS_CODES; c++) {
            apr_uint32_t n = apr_atomic_read32(&mapi_stats->codes[s][c]);
            if (n && s != 2)
                ap_rprintf(r, "MapiResponseCode%s%s: %u\n",
                           mapi_stats_service_keys[s], c <= MH_CODE_MAX
                           ? apr_itoa(r->pool, c) : "None", n);
        }
        ap_rprintf(r, "MapiUnauthorized%s: %u\n", mapi_stats_service_keys[s],
                   apr_atomic_read32(&mapi_stats->unauthorized[s]));
    }
}

static void mapi_stats_html(request_rec *r, const mapi_stats_live *l)
{
    ap_rputs("<hr /><h2>MAPI over HTTP (mod_mapi)</h2>\n<table border=\"0\">"
             "\n", r);
    ap_rprintf(r, "<tr><td>Sessions, mailbox endpoint (emsmdb)</td>"
               "<td>%u</td></tr>\n<tr><td>Sessions, address book endpoint "
               "(nspi)</td><td>%u</td></tr>\n<tr><td>NotificationWaits "
               "pending</td><td>%u</td></tr>\n<tr><td>Store database</td>"
               "<td>%s</td></tr>\n<tr><td>Configuration database</td>"
               "<td>%s</td></tr>\n</table>\n", l->sessions[SESS_EP_EMSMDB],
               l->sessions[SESS_EP_NSPI], l->waits,
               ap_escape_html(r->pool, l->store),
               ap_escape_html(r->pool, l->config));
    if (mapi_stats == NULL)
        return;
    ap_rputs("<table border=\"1\"><tr><th>Service</th><th>Request type</th>"
             "<th>Requests</th><th>Errors</th></tr>\n", r);
    for (int s = 0; s < MAPI_STATS_SERVICES; s++)
        for (int t = 0; t < MAPI_STATS_TYPES; t++) {
            apr_uint32_t n = apr_atomic_read32(&mapi_stats->requests[s][t]);
            const char *name = mapi_stats_type_name(s, t);
            if (n && name)
                ap_rprintf(r, "<tr><td>%s</td><td>%s</td><td>%u</td>"
                           "<td>%u</td></tr>\n", mapi_stats_service_names[s],
                           name, n,
                           apr_atomic_read32(&mapi_stats->errors[s][t]));
        }
    ap_rputs("</table>\n<table border=\"1\"><tr><th>Service</th>"
             "<th>X-ResponseCode</th><th>Replies</th></tr>\n", r);
    for (int s = 0; s < 2; s++)
        for (int c = 0; c < MAPI_STATS_CODES; c++) {
            apr_uint32_t n = apr_atomic_read32(&mapi_stats->codes[s][c]);
            if (n)
                ap_rprintf(r, "<tr><td>%s</td><td>%s</td><td>%u</td></tr>\n",
                           mapi_stats_service_names[s], c <= MH_CODE_MAX
                           ? apr_itoa(r->pool, c) : "none", n);
        }
    for (int s = 0; s < MAPI_STATS_SERVICES; s++)
        ap_rprintf(r, "<tr><td>%s</td><td>HTTP 401</td><td>%u</td></tr>\n",
                   mapi_stats_service_names[s],
                   apr_atomic_read32(&mapi_stats->unauthorized[s]));
    ap_rputs("</table>\n", r);
}

int mapi_stats_status(request_rec *r, int flags, mapi_db *db)
{
    mapi_stats_live l;

    mapi_stats_read_live(r->pool, db, &l);
    if (flags & AP_STATUS_SHORT)
        mapi_stats_auto(r, &l);
    else
        mapi_stats_html(r, &l);
    return OK;
}
