/*
 * spool.h: the directory tests/integ/capture-sendmail.sh writes into.
 * The instance's MapiSendmailCommand (or mapi-deliver -sendmail) is the
 * script with the spool as its argument; each message it is handed
 * becomes N.eml (the MIME) and N.args (the command line).  Programs that
 * check what the server sent (test_submit, test_ported_oxorule) read it
 * back through these helpers.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_TEST_SPOOL_H
#define MAPI_TEST_SPOOL_H

#include <stddef.h>

/* One message the sendmail command got: its MIME and its arguments
 * (malloc'ed, NUL-terminated; NULL when the file is missing). */
typedef struct spool_msg {
    char *eml, *args;
} spool_msg;

/* mkdtemp on dir (a "...XXXXXX" template, changed in place), writable by
 * httpd's children; 0 or -1. */
int spool_create(char *dir);

/* The sendmail command line that captures into dir. */
void spool_command(const char *dir, char *buf, size_t cap);

/* Empties dir; spool_remove also removes it. */
void spool_clear(const char *dir);
void spool_remove(const char *dir);

/* The messages in dir (at most max of them filled in): how many there
 * are.  spool_msgs_free frees the n filled in. */
int spool_read(const char *dir, spool_msg *out, int max);
void spool_msgs_free(spool_msg *m, int n);

/* A whole file, NUL-terminated, malloc'ed; NULL when it cannot be read. */
char *spool_slurp(const char *path);

#endif
