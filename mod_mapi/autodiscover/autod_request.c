/*
 * autod_request.c: the POX request body and the X-MapiHttpCapability
 * header of Autodiscover ([MS-OXDSCLI] 2.2.3), pure functions of bytes.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "autod_request.h"

#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_xml.h>

/* The first child of e with this local name. */
static const apr_xml_elem *autod_child(const apr_xml_elem *e,
                                       const char *name)
{
    for (e = e ? e->first_child : NULL; e; e = e->next)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

/* The element's own text, trimmed; NULL when it has none. */
static const char *autod_text(apr_pool_t *p, const apr_xml_elem *e)
{
    const char *s = NULL;

    if (e == NULL)
        return NULL;
    for (const apr_text *t = e->first_cdata.first; t; t = t->next)
        s = s ? apr_pstrcat(p, s, t->text, NULL) : t->text;
    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return apr_pstrndup(p, s, strcspn(s, " \t\r\n"));
}

const char *autod_parse_request(apr_pool_t *p, const char *body, size_t len)
{
    apr_xml_parser *parser;
    apr_xml_doc *doc = NULL;
    const apr_xml_elem *e;

    /* No DTD: nothing to expand, nothing to fetch. */
    if (strcasestr(body, "<!DOCTYPE") || strcasestr(body, "<!ENTITY"))
        return NULL;
    if (strlen(body) != len)     /* a NUL inside */
        return NULL;
    parser = apr_xml_parser_create(p);
    if (apr_xml_parser_feed(parser, body, len) != APR_SUCCESS ||
        apr_xml_parser_done(parser, &doc) != APR_SUCCESS || doc == NULL ||
        doc->root == NULL || strcmp(doc->root->name, "Autodiscover") != 0)
        return NULL;
    e = autod_child(autod_child(doc->root, "Request"), "EMailAddress");
    return autod_text(p, e);
}

int autod_mapihttp_capable_value(const char *v)
{
    char *end;
    long n;

    if (v == NULL)
        return 0;
    while (*v == ' ' || *v == '\t')
        v++;
    n = strtol(v, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    return *v && *v != '+' && *v != '-' && *end == '\0' && n > 0;
}
