#!/usr/bin/env bash
# `make bench`: starts a private instance sized for 10,000 waits, provisions
# mailboxes, runs the load generator's scenarios and every executable
# tests/bench/suite-*.sh, prints a markdown table and rewrites BENCHMARKS.md.
#
# Environment (all optional):
#   BENCH_MAILBOXES  mailboxes provisioned (default 1000)
#   BENCH_WAITS      sessions holding a NotificationWait (default 10000)
#   BENCH_IDLE       idle sessions for the storage figure (default 1000)
#   BENCH_SECONDS    measuring time of the throughput and wait scenarios (20)
#   BENCH_CONNS      connections of the throughput scenario (default 8)
#   BENCH_DIR        instance directory (default /tmp/mapi-bench.PID, removed)
#   BENCH_OUT        file to write (default BENCHMARKS.md of the repository)
#   BENCH_SKIP       parts to leave out: xput idle waits suites, e.g. "waits idle"
# A suite script gets the instance's demo.env path as $1, prints table rows
# "| figure | target | measured | verdict |" and, after a line
# "<!-- notes -->", free markdown.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILBOXES=${BENCH_MAILBOXES:-1000}
WAITS=${BENCH_WAITS:-10000}
IDLE=${BENCH_IDLE:-1000}
SECONDS_M=${BENCH_SECONDS:-20}
CONNS=${BENCH_CONNS:-8}
OUT=${BENCH_OUT:-$REPO/BENCHMARKS.md}
SKIP=" ${BENCH_SKIP:-} "
OWN_DIR=0
if [[ -z ${BENCH_DIR:-} ]]; then
    BENCH_DIR=/tmp/mapi-bench.$$
    OWN_DIR=1
fi
DIR=$BENCH_DIR
LG=$REPO/build/bench/loadgen
DBSIZE=$REPO/build/bench/bench_dbsize
COMMAND="make bench${BENCH_MAILBOXES:+ BENCH_MAILBOXES=$BENCH_MAILBOXES}${BENCH_WAITS:+ BENCH_WAITS=$BENCH_WAITS}${BENCH_IDLE:+ BENCH_IDLE=$BENCH_IDLE}${BENCH_SECONDS:+ BENCH_SECONDS=$BENCH_SECONDS}${BENCH_CONNS:+ BENCH_CONNS=$BENCH_CONNS}${BENCH_SKIP:+ BENCH_SKIP=\"$BENCH_SKIP\"}"

# shellcheck source=tests/bench/lib.sh
. "$REPO/tests/bench/lib.sh"

lg() {
    "$LG" "$1" --url "$MAPI_DEMO_URL" --ca "$MAPI_CA_CERT" --users "$DIR/users.txt" \
        --pidfile "$MAPI_HTTPD_PID_FILE" "${@:2}"
}

ROWS=()
NOTES=()
add_rows() { local l; while IFS= read -r l; do if [[ $l == '|'* ]]; then ROWS+=("$l"); fi; done; return 0; }

scenario_xput() {
    local auth
    for auth in basic negotiate; do
        log "throughput ($auth): Execute vs static file, $CONNS connections, ${SECONDS_M} s"
        add_rows < <(lg xput --conns "$CONNS" --seconds "$SECONDS_M" \
            $([[ $auth == negotiate ]] && echo --negotiate) \
            --static-dir "$DIR/htdocs/bench-static" 2> >(sed 's/^/  /' >&2))
    done
}

scenario_idle() {
    local before after per
    log "idle sessions: $IDLE"
    before=$("$DBSIZE" "$DIR/data" | awk '$1 == "total" { print $2 }')
    add_rows < <(lg idle --sessions "$IDLE" 2> >(sed 's/^/  /' >&2))
    after=$("$DBSIZE" "$DIR/data" | awk '$1 == "total" { print $2 }')
    "$DBSIZE" "$DIR/data" | sed 's/^/  /' >&2
    per=$(( (after - before) / IDLE ))
    ROWS+=("| storage of an idle session (database files after a checkpoint) | <= 4096 bytes | $per bytes ($IDLE sessions: $before -> $after bytes) | $( ((per <= 4096)) && echo pass || echo FAIL ) |")
}

scenario_waits() {
    log "waits: $WAITS sessions, deliveries over LMTP ${LMTP:-(none)}"
    add_rows < <(lg waits --sessions "$WAITS" --exec-clients 4 --negotiate \
        --seconds "$((SECONDS_M * 3 / 2))" --deliver-rate 0.5 ${LMTP:+--lmtp "$LMTP"} \
        2> >(sed 's/^/  /' >&2))
}

run_suites() {
    local s out
    for s in "$REPO"/tests/bench/suite-*.sh; do
        [[ -x $s ]] || continue
        log "suite $(basename "$s")"
        if ! out=$("$s" "$DIR/demo.env" 2> >(sed 's/^/  /' >&2)); then
            ROWS+=("| $(basename "$s") | runs | exit status $? | FAIL |")
        fi
        add_rows < <(printf '%s\n' "${out%%<!-- notes -->*}")
        [[ $out == *'<!-- notes -->'* ]] && NOTES+=("${out#*<!-- notes -->}")
    done
    return 0
}

machine() {
    printf -- '- CPU: %s, %s cores (nproc)\n' \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(nproc)"
    printf -- '- RAM: %s GiB; kernel %s; %s\n' \
        "$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" \
        "$(uname -r)" "$(. /etc/os-release && echo "$PRETTY_NAME")"
    printf -- '- httpd %s, event MPM: ServerLimit 4, ThreadsPerChild 16 (64 workers), AsyncRequestWorkerFactor 200; TLS 1.3; Basic (mod_auth_gssapi: a Kerberos AS exchange per request) or Negotiate as the rows say\n' \
        "$(/usr/sbin/apache2 -v 2>/dev/null | awk -F/ '/version/ { print $2 }' | awk '{ print $1 }')"
    printf -- '- load average when the run started: %s\n' "$LOADAVG"
}

write_report() {
    local tmp=$OUT.new
    {
        printf '# Benchmarks\n\n'
        printf 'Written by `make bench` (tests/bench/run.sh); do not edit by hand.\n\n'
        printf -- '- Date: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf -- '- Command: `%s`\n' "$COMMAND"
        machine
        printf -- '- The machine was shared with other jobs while measuring: figures are noisy,\n'
        printf '  ratios measured side by side in the same run are the meaningful ones.\n\n'
        printf '| figure | target | measured | verdict |\n|---|---|---|---|\n'
        printf '%s\n' "${ROWS[@]}"
        if ((${#NOTES[@]})); then
            printf '\n'
            printf '%s\n' "${NOTES[@]}"
        fi
        [[ -f $REPO/tests/bench/NOTES.md ]] && { printf '\n'; cat "$REPO/tests/bench/NOTES.md"; }
    } >"$tmp"
    mv -f "$tmp" "$OUT"
}

main() {
    [[ -x $LG && -x $DBSIZE ]] || { log "build first: make build/bench/loadgen build/bench/bench_dbsize"; exit 2; }
    ulimit -n "$(ulimit -Hn)"
    LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
    # Waits of the whole run: none ends (and re-authenticates) meanwhile.
    start_instance MAPI_MAX_NOTIFICATION_WAIT=3600 MAPI_SESSION_IDLE_TIMEOUT=7200
    provision
    start_lmtp
    [[ $SKIP == *' xput '* ]] || scenario_xput
    [[ $SKIP == *' idle '* ]] || scenario_idle
    [[ $SKIP == *' waits '* ]] || scenario_waits
    [[ $SKIP == *' suites '* ]] || run_suites
    printf '\n| figure | target | measured | verdict |\n|---|---|---|---|\n'
    printf '%s\n' "${ROWS[@]}"
    write_report
    log "wrote $OUT"
}

main "$@"
