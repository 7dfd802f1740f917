/*
 * nspi_codec.h: body pieces shared by the request types (nspi_codec.c);
 * private to the nspi layer.  Readers return 0 or -1 (malformed).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_NSPI_CODEC_H
#define MAPI_NSPI_CODEC_H

#include "nspi/nspi.h"

int nspi_rd_has(mapi_rd *rd, int *has_r);
int nspi_rd_bool(mapi_rd *rd, int *v_r);
/* HasState then, if set, a STAT; the default STAT when absent. */
int nspi_rd_opt_stat(mapi_rd *rd, int *has_r, nspi_stat *st);
int nspi_rd_u32_array(mapi_rd *rd, apr_pool_t *pool, uint32_t max,
                      uint32_t **a_r, uint32_t *n_r);
/* Has* byte, then a u32 count and that many MIds / tags. */
int nspi_rd_opt_mids(mapi_rd *rd, apr_pool_t *pool, int *has_r,
                     uint32_t **a_r, uint32_t *n_r);
int nspi_rd_opt_tags(mapi_rd *rd, apr_pool_t *pool, int *has_r,
                     uint32_t **a_r, uint32_t *n_r);
/* StringArray_r (8-bit) or WStringArray_r: u32 count, NUL-ended strings. */
int nspi_rd_strings(mapi_rd *rd, apr_pool_t *pool, int wide,
                    const char ***a_r, uint32_t *n_r);
/* AddressBookTaggedPropertyValue. */
int nspi_rd_tagged(mapi_rd *rd, apr_pool_t *pool, uint32_t codepage,
                   nspi_val *v);
/* AuxiliaryBufferSize, the buffer, and nothing after it. */
int nspi_rd_end(mapi_rd *rd);

void nspi_wr_head(mapi_wr *wr, uint32_t ec);
void nspi_wr_tail(mapi_wr *wr);
void nspi_wr_opt_stat(mapi_wr *wr, const nspi_stat *st);
void nspi_wr_opt_u32s(mapi_wr *wr, const uint32_t *a, uint32_t n, int has);

#endif
