/*
 * autod_request.h: what an Autodiscover request says, parsed without
 * httpd (autod.c calls these; tests/fuzz/fuzz_autod.c too).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_AUTOD_REQUEST_H
#define MAPI_AUTOD_REQUEST_H

#include <stddef.h>
#include <apr_pools.h>

/* A real request is a few hundred bytes. */
#define AUTOD_BODY_MAX   (32 * 1024)

/* The <EMailAddress> of <Autodiscover><Request> in body (len bytes, NUL
 * at body[len]), trimmed; NULL when the body is not such a document.
 * Documents with a DTD are refused (no entity expansion), and the
 * document is walked along a fixed path, never recursively. */
const char *autod_parse_request(apr_pool_t *p, const char *body, size_t len);

/* X-MapiHttpCapability: whether the value is an integer above 0 (NULL,
 * signs and anything else count as absent). */
int autod_mapihttp_capable_value(const char *v);

#endif
