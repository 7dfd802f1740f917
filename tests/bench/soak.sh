#!/usr/bin/env bash
# `make soak`: mixed load from many sessions for SOAK_SECONDS (default 1800)
# against a private instance: saves, contents table and message reads,
# NSPI lookups, NotificationWaits woken by deliveries over LMTP.  Passes
# when there were no protocol errors, every message saved or delivered is
# in its folder at the end, and no httpd process grew over the second half
# (RSS of each sampled every 10 s into build/bench/soak-rss.csv).
#
# Environment: SOAK_SECONDS, SOAK_SESSIONS (100), SOAK_MAILBOXES (50),
# SOAK_INTERVAL_MS (mean pause between a session's operations, 10000: the
# load stays below what Basic authentication allows on a small box),
# SOAK_RATE (deliveries per second, 1), SOAK_DIR (instance directory).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SOAK_SECONDS=${SOAK_SECONDS:-1800}
SESSIONS=${SOAK_SESSIONS:-100}
INTERVAL=${SOAK_INTERVAL_MS:-10000}
MAILBOXES=${SOAK_MAILBOXES:-50}
RATE=${SOAK_RATE:-1}
CSV=$REPO/build/bench/soak-rss.csv
OWN_DIR=0
if [[ -z ${SOAK_DIR:-} ]]; then
    SOAK_DIR=/tmp/mapi-soak.$$
    OWN_DIR=1
fi
DIR=$SOAK_DIR
# shellcheck source=tests/bench/lib.sh
. "$REPO/tests/bench/lib.sh"

ulimit -n "$(ulimit -Hn)"
# Waits end after 30 s without mail, so sessions go back to work.
start_instance MAPI_MAX_NOTIFICATION_WAIT=30
provision
start_lmtp
log "soak: $SESSIONS sessions, $MAILBOXES mailboxes, $SOAK_SECONDS s, $RATE deliveries/s"
out=$("$REPO/build/bench/loadgen" soak --url "$MAPI_DEMO_URL" --ca "$MAPI_CA_CERT" \
      --users "$DIR/users.txt" --pidfile "$MAPI_HTTPD_PID_FILE" \
      --sessions "$SESSIONS" --seconds "$SOAK_SECONDS" --exec-interval "$INTERVAL" --ramp 8 \
      --deliver-rate "$RATE" ${LMTP:+--lmtp "$LMTP"} --csv "$CSV")
printf '\n| figure | target | measured | verdict |\n|---|---|---|---|\n%s\n' "$out"
printf 'RSS samples: %s\n' "$CSV"
[[ $out != *'| FAIL |'* ]]
