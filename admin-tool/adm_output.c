/*
 * adm_output.c: objects as Exchange's shell shows them: a table of a few
 * columns (the default), every property as "Name : Value" (-List, like
 * Format-List), or a JSON array for scripts (-Json).  Multi-valued
 * properties are "{a, b}" in the table and the list ("{}" when empty),
 * arrays in JSON; $null is empty in the table and the list, null in JSON.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <apr_strings.h>

typedef enum adm_kind { ADM_V_STR, ADM_V_NULL, ADM_V_BOOL, ADM_V_LIST }
    adm_kind;

typedef struct adm_prop {
    const char *name;
    adm_kind kind;
    const char *str;                    /* ADM_V_STR */
    int b;                              /* ADM_V_BOOL */
    const apr_array_header_t *list;     /* ADM_V_LIST */
} adm_prop;

struct adm_obj {
    apr_pool_t *pool;
    apr_array_header_t *props;          /* adm_prop */
};

adm_obj *adm_obj_new(apr_pool_t *pool)
{
    adm_obj *o = apr_pcalloc(pool, sizeof(*o));

    o->pool = pool;
    o->props = apr_array_make(pool, 16, sizeof(adm_prop));
    return o;
}

static adm_prop *adm_obj_add(adm_obj *o, const char *name, adm_kind kind)
{
    adm_prop *p = apr_array_push(o->props);

    memset(p, 0, sizeof(*p));
    p->name = name;
    p->kind = kind;
    return p;
}

void adm_obj_str(adm_obj *o, const char *name, const char *value)
{
    adm_obj_add(o, name, value ? ADM_V_STR : ADM_V_NULL)->str = value;
}

void adm_obj_bool(adm_obj *o, const char *name, int value)
{
    adm_obj_add(o, name, ADM_V_BOOL)->b = value ? 1 : 0;
}

void adm_obj_tri(adm_obj *o, const char *name, int value)
{
    if (value == CFG_TRI_NULL)
        adm_obj_add(o, name, ADM_V_NULL);
    else
        adm_obj_bool(o, name, value);
}

void adm_obj_list(adm_obj *o, const char *name,
                  const apr_array_header_t *values)
{
    static const apr_array_header_t empty = { 0 };

    adm_obj_add(o, name, ADM_V_LIST)->list = values ? values : &empty;
}

/* ISO 8601 in UTC: the same in every locale, sortable, and what JSON
 * consumers parse. */
void adm_obj_time(adm_obj *o, const char *name, apr_time_t t)
{
    time_t secs = (time_t)apr_time_sec(t);
    struct tm tm;
    char buf[32];

    if (t == 0) {
        adm_obj_str(o, name, NULL);
        return;
    }
    gmtime_r(&secs, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    adm_obj_str(o, name, apr_pstrdup(o->pool, buf));
}

/* ------------------------------------------------------------ text -- */

static const char *adm_prop_text(apr_pool_t *pool, const adm_prop *p)
{
    const char *s = "";

    switch (p->kind) {
    case ADM_V_STR:
        return p->str;
    case ADM_V_NULL:
        return "";
    case ADM_V_BOOL:
        return p->b ? "True" : "False";
    case ADM_V_LIST:
        for (int i = 0; i < p->list->nelts; i++)
            s = apr_pstrcat(pool, s, i ? ", " : "",
                            APR_ARRAY_IDX(p->list, i, const char *), NULL);
        return apr_pstrcat(pool, "{", s, "}", NULL);
    }
    return "";
}

static const adm_prop *adm_obj_get(const adm_obj *o, const char *name)
{
    for (int i = 0; i < o->props->nelts; i++) {
        const adm_prop *p = &APR_ARRAY_IDX(o->props, i, adm_prop);

        if (strcasecmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static const char *adm_cell(apr_pool_t *pool, const adm_obj *o,
                            const char *col)
{
    const adm_prop *p = adm_obj_get(o, col);

    return p ? adm_prop_text(pool, p) : "";
}

static void adm_emit_table(apr_pool_t *pool, const apr_array_header_t *objs,
                           const char *const *cols)
{
    size_t width[32] = { 0 };
    int ncols = 0;

    while (cols[ncols] && ncols < 32) {
        width[ncols] = strlen(cols[ncols]);
        for (int i = 0; i < objs->nelts; i++) {
            size_t w = strlen(adm_cell(pool, APR_ARRAY_IDX(objs, i, adm_obj *),
                                       cols[ncols]));
            if (w > width[ncols])
                width[ncols] = w;
        }
        ncols++;
    }
    /* Header, dashes as long as each header, then the rows; the last
     * column is not padded (no trailing blanks). */
    for (int c = 0; c < ncols; c++)
        printf("%-*s%s", c + 1 < ncols ? (int)width[c] : 0, cols[c],
               c + 1 < ncols ? " " : "\n");
    for (int c = 0; c < ncols; c++) {
        size_t n = strlen(cols[c]);

        for (size_t k = 0; k < n; k++)
            putchar('-');
        printf("%*s", c + 1 < ncols ? (int)(width[c] - n + 1) : 0,
               c + 1 < ncols ? "" : "\n");
    }
    for (int i = 0; i < objs->nelts; i++)
        for (int c = 0; c < ncols; c++)
            printf("%-*s%s", c + 1 < ncols ? (int)width[c] : 0,
                   adm_cell(pool, APR_ARRAY_IDX(objs, i, adm_obj *), cols[c]),
                   c + 1 < ncols ? " " : "\n");
}

static void adm_emit_list(apr_pool_t *pool, const apr_array_header_t *objs)
{
    for (int i = 0; i < objs->nelts; i++) {
        const adm_obj *o = APR_ARRAY_IDX(objs, i, adm_obj *);
        size_t w = 0;

        for (int k = 0; k < o->props->nelts; k++) {
            size_t n = strlen(APR_ARRAY_IDX(o->props, k, adm_prop).name);
            if (n > w)
                w = n;
        }
        if (i > 0)
            putchar('\n');
        for (int k = 0; k < o->props->nelts; k++) {
            const adm_prop *p = &APR_ARRAY_IDX(o->props, k, adm_prop);
            const char *v = adm_prop_text(pool, p);

            printf("%-*s :%s%s\n", (int)w, p->name, *v ? " " : "", v);
        }
    }
}

/* ------------------------------------------------------------ JSON -- */

const char *adm_json_str(apr_pool_t *pool, const char *s)
{
    size_t n = strlen(s);
    char *out = apr_palloc(pool, n * 6 + 3), *d = out;

    *d++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':  *d++ = '\\'; *d++ = '"';  break;
        case '\\': *d++ = '\\'; *d++ = '\\'; break;
        case '\n': *d++ = '\\'; *d++ = 'n';  break;
        case '\r': *d++ = '\\'; *d++ = 'r';  break;
        case '\t': *d++ = '\\'; *d++ = 't';  break;
        case '\b': *d++ = '\\'; *d++ = 'b';  break;
        case '\f': *d++ = '\\'; *d++ = 'f';  break;
        default:
            /* Control characters as \u00XX; bytes >= 0x80 pass through
             * (the values are UTF-8 as given). */
            if (*p < 0x20)
                d += sprintf(d, "\\u%04x", *p);
            else
                *d++ = (char)*p;
        }
    }
    *d++ = '"';
    *d = '\0';
    return out;
}

static void adm_json_value(apr_pool_t *pool, const adm_prop *p)
{
    switch (p->kind) {
    case ADM_V_STR:
        fputs(adm_json_str(pool, p->str), stdout);
        break;
    case ADM_V_NULL:
        fputs("null", stdout);
        break;
    case ADM_V_BOOL:
        fputs(p->b ? "true" : "false", stdout);
        break;
    case ADM_V_LIST:
        putchar('[');
        for (int i = 0; i < p->list->nelts; i++)
            printf("%s%s", i ? ", " : "",
                   adm_json_str(pool, APR_ARRAY_IDX(p->list, i,
                                                    const char *)));
        putchar(']');
        break;
    }
}

static void adm_emit_json(apr_pool_t *pool, const apr_array_header_t *objs)
{
    printf("[");
    for (int i = 0; i < objs->nelts; i++) {
        const adm_obj *o = APR_ARRAY_IDX(objs, i, adm_obj *);

        printf("%s\n  {", i ? "," : "");
        for (int k = 0; k < o->props->nelts; k++) {
            const adm_prop *p = &APR_ARRAY_IDX(o->props, k, adm_prop);

            printf("%s\n    %s: ", k ? "," : "", adm_json_str(pool, p->name));
            adm_json_value(pool, p);
        }
        printf("\n  }");
    }
    printf("%s]\n", objs->nelts ? "\n" : "");
}

void adm_emit(const adm_ctx *ctx, const apr_array_header_t *objs,
              const char *const *columns)
{
    apr_pool_t *pool;

    apr_pool_create(&pool, ctx->pool);
    switch (ctx->format) {
    case ADM_FMT_JSON:
        adm_emit_json(pool, objs);
        break;
    case ADM_FMT_LIST:
        adm_emit_list(pool, objs);
        break;
    default:
        /* Nothing found prints nothing, as the Exchange shell does. */
        if (objs->nelts > 0)
            adm_emit_table(pool, objs, columns);
    }
    fflush(stdout);
    apr_pool_destroy(pool);
}
