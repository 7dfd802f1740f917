# Shared by tests/bench/run.sh (make bench) and soak.sh (make soak):
# the instance, its mailboxes and the LMTP delivery agent.  Expects REPO,
# DIR, OWN_DIR and MAILBOXES set by the caller.
# shellcheck shell=bash
DELIVER_PID=''
LMTP=''

log() { printf 'bench: %s\n' "$*" >&2; }

cleanup() {
    if [[ -n $DELIVER_PID ]] && kill -0 "$DELIVER_PID" 2>/dev/null; then
        kill -TERM "$DELIVER_PID" 2>/dev/null || true
        wait "$DELIVER_PID" 2>/dev/null || true
    fi
    "$REPO/build/instance.sh" stop "$DIR" >/dev/null 2>&1 || true
    if ((OWN_DIR)); then rm -rf "$DIR"; fi
}
trap cleanup EXIT

# The instance: 4 processes x 16 threads = 64 workers in all; the factor
# lets each process hold 16 + 200 * 16 connections (waits are suspended and
# hold no thread), ~12,800 for the four.  Extra NAME=value arguments go to
# instance.sh too.
start_instance() {
    log "starting the instance in $DIR"
    env MAPI_PORT=auto MAPI_BENCH_STATIC=1 \
        MAPI_MPM_SERVER_LIMIT=4 MAPI_MPM_THREADS_PER_CHILD=16 \
        MAPI_MPM_ASYNC_FACTOR=200 MAPI_MPM_START_SERVERS=4 \
        MAPI_LOGLEVEL="warn mapi:warn" "$@" \
        "$REPO/build/instance.sh" start "$DIR" 2>&1 | sed 's/^/  /' >&2
    # shellcheck disable=SC1091
    . "$DIR/demo.env"
    # A ticket of demo@ for the Negotiate clients.
    export KRB5CCNAME=FILE:$DIR/run/bench.ccache
    kinit -k -t "$MAPI_USER_KEYTAB" "$MAPI_DEMO_PRINCIPAL" >&2
}

# Mailboxes u1..uN: principals in one kadmin.local run, mailboxes with
# mapi-admin; the users file is what the load generator reads.
provision() {
    local i users=$DIR/users.txt t0=$SECONDS
    log "provisioning $MAILBOXES mailboxes"
    : >"$users"
    for ((i = 1; i <= MAILBOXES; i++)); do
        printf 'addprinc -pw bench-pw-%d u%d@MAPI.TEST\n' "$i" "$i"
    done | KRB5_CONFIG=$DIR/krb5.conf KRB5_KDC_PROFILE=$DIR/kdc.conf \
           kadmin.local -r MAPI.TEST >"$DIR/logs/kadmin-bench.log" 2>&1
    for ((i = 1; i <= MAILBOXES; i++)); do
        "$REPO/build/mapi-admin" -DataDir "$DIR/data" new-mailbox -Name "u$i" \
            -DisplayName "Bench User $i" -PrimarySmtpAddress "u$i@mapi.test" \
            -UserPrincipalName "u$i@MAPI.TEST" >>"$DIR/logs/mapi-admin-bench.log" 2>&1
        printf 'u%d@MAPI.TEST bench-pw-%d u%d@mapi.test u%d\n' "$i" "$i" "$i" "$i" >>"$users"
    done
    log "provisioned in $((SECONDS - t0)) s"
}

start_lmtp() {
    local port
    port=$(awk 'BEGIN { srand(); print 33000 + int(rand() * 20000) }')
    "$REPO/build/mapi-deliver" -DataDir "$DIR/data" -lmtp -listen "127.0.0.1:$port" \
        -pidfile "$DIR/run/lmtp.pid" >>"$DIR/logs/lmtp.log" 2>&1 &
    DELIVER_PID=$!
    LMTP=127.0.0.1:$port
    sleep 0.5
    kill -0 "$DELIVER_PID" 2>/dev/null || { log "mapi-deliver -lmtp did not start"; LMTP=''; }
}

