/*
 * mapi_logfile.h: the files of the protocol logs, without httpd (so that
 * the unit tests and tools can drive them): one directory per service,
 * CSV files named MapiHttp_YYYYMMDDHH-N.LOG with a W3C-style preamble,
 * rolled over by hour and by size, pruned by age and total size.
 *
 * Many processes (and threads) append at once.  A row is one write() of
 * at most MAPI_LOGFILE_ROW_MAX bytes (under PIPE_BUF) on a file opened
 * O_APPEND, which the kernel applies whole, so rows never interleave or
 * tear.  A file appears complete with its preamble (written under a
 * temporary name, then link()ed into place), so nobody appends to a file
 * without its header.  Rollover by size is decided by each writer from
 * fstat(): a file may pass the limit by the rows in flight, never more.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_LOGFILE_H
#define MAPI_LOGFILE_H

#include <apr_pools.h>
#include <apr_time.h>

#define MAPI_LOGFILE_ROW_MAX        4000   /* < PIPE_BUF (4096) */
#define MAPI_LOGFILE_DEFAULT_SIZE   (10 * 1024 * 1024)
#define MAPI_LOGFILE_DEFAULT_AGE    apr_time_from_sec(30 * 86400)
#define MAPI_LOGFILE_DEFAULT_DIR    (1024 * 1024 * 1024)

typedef struct mapi_logfile_conf {
    const char *dir;               /* MapiLogDir */
    apr_off_t max_file;            /* MapiLogMaxFileSize, bytes */
    apr_interval_time_t max_age;   /* MapiLogMaxAge; 0: keep */
    apr_off_t max_dir;             /* MapiLogMaxDirectorySize; 0: no limit */
} mapi_logfile_conf;

/* A service's log: its subdirectory and the #Log-type line. */
typedef struct mapi_logfile_service {
    const char *subdir;            /* "MapiClientAccess" */
    const char *log_type;          /* "MAPI Client Access" */
} mapi_logfile_service;

/* The field names, in row order. */
extern const char *const mapi_logfile_fields[];
extern const unsigned mapi_logfile_n_fields;

/* Joins values (mapi_logfile_n_fields of them, NULL for empty) into one
 * CSV row ending in CRLF, quoting where needed and never longer than
 * MAPI_LOGFILE_ROW_MAX: long values are cut (marked "...") until the row
 * fits, so a row always keeps every field. */
const char *mapi_logfile_row(apr_pool_t *p, const char *const *values,
                             apr_size_t *len_r);

/* Appends one row to the current file of the service (now decides the
 * hour); creates directories and files as needed, rolls over by size,
 * and prunes after creating a file.  0, or -1 with *error_r. */
int mapi_logfile_append(apr_pool_t *p, const mapi_logfile_conf *c,
                        const mapi_logfile_service *svc, apr_time_t now,
                        const char *row, apr_size_t len,
                        const char **error_r);

/* Removes the service's files older than max_age, then the oldest until
 * the directory holds at most max_dir bytes (the newest file stays).
 * Returns how many files were removed. */
int mapi_logfile_prune(apr_pool_t *p, const mapi_logfile_conf *c,
                       const mapi_logfile_service *svc, apr_time_t now);

#endif
