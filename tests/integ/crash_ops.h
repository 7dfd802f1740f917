/*
 * crash_ops.h: what the tests of crashes and restarts do to the server
 * and how their clients ride it out (test_rops_shared, test_crash):
 * which httpd child holds a client's connection (from /proc), kill -9 of
 * every httpd process, a cold start of httpd on the instance's
 * configuration, and requests retried while the server is away.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CRASH_OPS_H
#define CRASH_OPS_H

#include <sys/types.h>

#include "harness.h"
#include "mh_client.h"
#include "rop_client.h"

/* The httpd child of h holding c's (kept-alive) connection, or -1. */
pid_t crash_served_by(const harness *h, const mhc_client *c);

/* SIGKILL to the parent (no respawn), then to every child; waits until
 * they are gone.  How many processes were killed (0: no httpd). */
int crash_kill_all_httpd(const harness *h);

/* httpd started on the instance's configuration the way
 * build/instance.sh starts it (a clean environment), while the
 * instance's KDC still runs.  0, or the exit status of apache2 -k start
 * (its output in DIR/logs/httpd-start.log). */
int crash_cold_start_httpd(const harness *h);

/* A Connect of the demo user, retried every 250 ms for up to ms while
 * the server comes up; NULL (a failure recorded) when none succeeded. */
mhc_client *crash_connect_retried(const harness *h, double ms);

/* rc_execute, retried every 200 ms for up to ms while the server is not
 * there: no connection, 5xx, endpoint shutting down (18). */
int crash_execute_retried(mhc_client *c, rc_buf *b, apr_pool_t *p,
                          rc_exec *x, double ms);

#endif
