/*
 * fuzz_autod.c: libFuzzer target for the Autodiscover request
 * (mod_mapi/autodiscover/autod_request.c): the POX body, which goes
 * through apr_xml (expat) and the fixed walk to <EMailAddress>, and the
 * X-MapiHttpCapability header.  The first byte picks which; the rest is
 * the body as autod.c reads it (NUL at the end, inner NULs kept).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "autodiscover/autod_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *email;
    char *body;
    size_t n;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    if (size < 1 || size - 1 > AUTOD_BODY_MAX)
        return 0;
    n = size - 1;
    body = malloc(n + 1);
    memcpy(body, data + 1, n);
    body[n] = '\0';
    apr_pool_create(&p, root);
    if (data[0] & 1) {
        (void)autod_mapihttp_capable_value(body);
    } else {
        email = autod_parse_request(p, body, n);
        /* The address is trimmed text of the document, never more. */
        if (email && (strlen(email) > n || strpbrk(email, " \t\r\n")))
            abort();
    }
    apr_pool_destroy(p);
    free(body);
    return 0;
}
