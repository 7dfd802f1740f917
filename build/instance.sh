#!/usr/bin/env bash
# Private mod_mapi instance: an MIT KDC for the realm MAPI.TEST, a self-signed
# TLS certificate and an httpd with mod_auth_gssapi and mod_mapi, all under
# one directory and all listening on 127.0.0.1 only.  Used by `make demo`
# (build/demo.sh) and by the integration tests.
#
# Usage: build/instance.sh start    [DIR]   create everything and start
#        build/instance.sh stop     [DIR]   stop what start started
#        build/instance.sh status   [DIR]   exit 0 if the instance runs
#        build/instance.sh env      [DIR]   print DIR/demo.env
#        build/instance.sh graceful [DIR]   apache2 -k graceful
#        build/instance.sh restart  [DIR]   apache2 -k restart
# DIR defaults to $MAPI_RUN_DIR, else ./run; it is made absolute.
#
# Environment (start; graceful/restart take the values of the last start
# unless set again, and regenerate the configuration):
#   MAPI_PORT                 https port (default 8443; "auto" or 0: a free one)
#   MAPI_MODULE               mod_mapi.so to load (default $REPO/build/mod_mapi.so)
#   MAPI_NO_MODULE=1          no mod_mapi: /mapi/ and /autodiscover/ serve
#                             static files from DIR/htdocs (tests of this script)
#   MAPI_LOGLEVEL             httpd LogLevel (default "warn mapi:info")
#   MAPI_SESSION_IDLE_TIMEOUT MapiSessionIdleTimeout, s   (default 900)
#   MAPI_PENDING_PERIOD       MapiPendingPeriod, ms       (default 15000)
#   MAPI_MAX_NOTIFICATION_WAIT MapiMaxNotificationWait, s (default 300)
#   MAPI_MAX_REQUEST_BODY     MapiMaxRequestBody, bytes   (default 4194304)
#   MAPI_EXTRA_CONF           more server-level directives (one per line) for
#                             mapi-site.conf, e.g. "MapiMaxSessionsPerUser 3"
#   MAPI_PLAIN_PORT           also listen for plain HTTP on this port ("auto":
#                             a free one; demo.env: MAPI_PLAIN_PORT), same site
#   MAPI_SENDMAIL             MapiSendmailCommand: program (absolute path) and
#                             arguments for submitted mail (default: httpd's,
#                             /usr/sbin/sendmail)
#   MAPI_SERVER_NAME          MapiServerName, the Server of the MAPI virtual
#                             directory provisioned (default: short host name)
#   MAPI_DEMO_PASSWORD        password of demo@MAPI.TEST (default: random)
#   MAPI_OTHER_PASSWORD       password of other@MAPI.TEST (default: random)
#   MAPI_ADMIN                mapi-admin to provision with (default $REPO/build/mapi-admin)
#   MAPI_HTTPD_BIN            httpd binary (default /usr/sbin/apache2)
#   MAPI_HTTPD_MODDIR         httpd modules (default /usr/lib/apache2/modules)
#   MAPI_RUN_USER/GROUP       account httpd's children run as (default www-data)
#   MAPI_START_TIMEOUT        seconds to wait for httpd to answer (default 20;
#                             120 under MAPI_VALGRIND)
#   MAPI_SANITIZE=1           the module is built with ASan + UBSan: preload
#                             libasan into httpd, reports in DIR/sanitizer/
#   MAPI_VALGRIND=1           run httpd (parent and children) under valgrind
#                             memcheck, reports in DIR/valgrind/vg.PID
#   MAPI_MPM_SERVER_LIMIT, MAPI_MPM_THREADS_PER_CHILD, MAPI_MPM_ASYNC_FACTOR,
#   MAPI_MPM_START_SERVERS    event MPM ServerLimit (4), ThreadsPerChild (16),
#                             AsyncRequestWorkerFactor (64), StartServers (2);
#                             MaxRequestWorkers = ServerLimit * ThreadsPerChild
#   MAPI_BENCH_STATIC=1       also serve DIR/htdocs/bench-static/ as static
#                             files behind the same authentication as /mapi/
#                             (the load generator's side-by-side figure)
# httpd runs with a clean environment (KRB5_CONFIG, KRB5_KTNAME, KRB5RCACHEDIR
# of the instance); of the caller's, only ASAN/UBSAN/LSAN/TSAN_OPTIONS,
# LD_PRELOAD, LD_LIBRARY_PATH, KRB5_TRACE and MAPI_TEST_* are passed on.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
REALM=MAPI.TEST
HTTPD_BIN=${MAPI_HTTPD_BIN:-/usr/sbin/apache2}
MODDIR=${MAPI_HTTPD_MODDIR:-/usr/lib/apache2/modules}
RUN_USER=${MAPI_RUN_USER:-www-data}
RUN_GROUP=${MAPI_RUN_GROUP:-www-data}
START_TIMEOUT=${MAPI_START_TIMEOUT:-20}
[[ ${MAPI_VALGRIND:-0} == 1 && -z ${MAPI_START_TIMEOUT:-} ]] && START_TIMEOUT=120

# Values of the instance being started; set by load_settings.
DIR='' PORT='' MODULE='' NO_MODULE='' LOGLEVEL=''
IDLE_TIMEOUT='' PENDING_PERIOD='' MAX_NOTIFICATION_WAIT='' MAX_REQUEST_BODY=''
KDC_PORT='' DEMO_PASSWORD='' OTHER_PASSWORD='' SERVER_NAME='' SENDMAIL=''
MPM_SERVER_LIMIT='' MPM_THREADS='' MPM_ASYNC='' MPM_START='' BENCH_STATIC=''

log()  { printf 'instance: %s\n' "$*" >&2; }
warn() { printf 'instance: warning: %s\n' "$*" >&2; }
die()  { printf 'instance: error: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

# Quote $1 for a POSIX shell: 'it'\''s'.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# --- directories and processes -------------------------------------------

# Absolute form of the instance directory; restricted to characters that need
# no quoting in httpd, krb5 and kadmin configuration.
resolve_dir() {
    local d=${1:-${MAPI_RUN_DIR:-./run}}
    [[ $d == /* ]] || d=$PWD/$d
    d=$(realpath -m -- "$d")
    [[ $d =~ ^/[A-Za-z0-9._/+@,-]*$ ]] \
        || die "instance directory '$d' may contain only letters, digits and ._/+@,-"
    printf '%s' "$d"
}

# pid in file $1, if the file holds one.
read_pid() { if [[ -s $1 ]]; then tr -dc '0-9' <"$1"; fi; return 0; }

# True if process $1 lives and its command line contains argument $2: proves
# a pid from a pid file is still ours and not a recycled one.
pid_is() {
    local pid=$1 want=$2 arg
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    while IFS= read -r -d '' arg; do
        [[ $arg == "$want" ]] && return 0
    done <"/proc/$pid/cmdline" 2>/dev/null
    return 1
}

# pids of all processes (httpd parent and children) of the instance's httpd:
# they all carry "-f DIR/httpd.conf" in their command line.
httpd_pids() {
    local p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        pid_is "$p" "$DIR/httpd.conf" && printf '%s\n' "$p"
    done
    return 0
}

httpd_running() { pid_is "$(read_pid "$DIR/run/httpd.pid")" "$DIR/httpd.conf"; }
kdc_running()   { pid_is "$(read_pid "$DIR/run/krb5kdc.pid")" "$DIR/run/krb5kdc.pid"; }

# Ports in use on this machine (TCP in any state, UDP), from /proc/net.
used_ports() {
    awk 'FNR > 1 { split($2, a, ":"); print strtonum("0x" a[2]) }' \
        /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null | sort -un
}

tcp_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p="$hex" 'FNR > 1 { split($2, a, ":"); if (a[2] == p && $4 == "0A") f = 1 }
                     END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# A port free for both TCP and UDP, outside the ephemeral range, not in $@.
free_port() {
    local used p i
    used=" $(used_ports | tr '\n' ' ') $* "
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        [[ $used == *" $p "* ]] || { printf '%s' "$p"; return 0; }
    done
    die "no free port found"
}

# --- settings --------------------------------------------------------------

# Settings: the environment, else (load_settings saved: for graceful and
# restart) those of the last start, kept in DIR/instance.vars, else the
# defaults.
load_settings() {
    local saved_port='' saved_module='' saved_no_module='' saved_loglevel=''
    local saved_idle='' saved_pending='' saved_wait='' saved_body='' saved_server=''
    local saved_mpm_limit='' saved_mpm_threads='' saved_mpm_async='' saved_mpm_start=''
    local saved_bench_static=''
    local saved_extra='' saved_plain=''
    if [[ ${1:-} == saved && -f $DIR/instance.vars ]]; then
        # shellcheck disable=SC1091
        . "$DIR/instance.vars"
    fi
    PORT=${MAPI_PORT:-${saved_port:-8443}}
    NO_MODULE=${MAPI_NO_MODULE:-${saved_no_module:-0}}
    MODULE=${MAPI_MODULE:-${saved_module:-$REPO/build/mod_mapi.so}}
    LOGLEVEL=${MAPI_LOGLEVEL:-${saved_loglevel:-warn mapi:info}}
    IDLE_TIMEOUT=${MAPI_SESSION_IDLE_TIMEOUT:-${saved_idle:-900}}
    PENDING_PERIOD=${MAPI_PENDING_PERIOD:-${saved_pending:-15000}}
    MAX_NOTIFICATION_WAIT=${MAPI_MAX_NOTIFICATION_WAIT:-${saved_wait:-300}}
    MAX_REQUEST_BODY=${MAPI_MAX_REQUEST_BODY:-${saved_body:-4194304}}
    SERVER_NAME=${MAPI_SERVER_NAME:-${saved_server:-$(short_hostname)}}
    SENDMAIL=${MAPI_SENDMAIL:-${saved_sendmail:-}}
    MPM_SERVER_LIMIT=${MAPI_MPM_SERVER_LIMIT:-${saved_mpm_limit:-4}}
    MPM_THREADS=${MAPI_MPM_THREADS_PER_CHILD:-${saved_mpm_threads:-16}}
    MPM_ASYNC=${MAPI_MPM_ASYNC_FACTOR:-${saved_mpm_async:-64}}
    MPM_START=${MAPI_MPM_START_SERVERS:-${saved_mpm_start:-2}}
    BENCH_STATIC=${MAPI_BENCH_STATIC:-${saved_bench_static:-0}}
    EXTRA_CONF=${MAPI_EXTRA_CONF:-${saved_extra:-}}
    PLAIN_PORT=${MAPI_PLAIN_PORT:-${saved_plain:-}}

    local v
    for v in IDLE_TIMEOUT PENDING_PERIOD MAX_NOTIFICATION_WAIT MAX_REQUEST_BODY \
             MPM_SERVER_LIMIT MPM_THREADS MPM_ASYNC MPM_START; do
        [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
    done
    [[ $LOGLEVEL =~ ^[A-Za-z0-9_:\ ]+$ ]] || die "bad MAPI_LOGLEVEL '$LOGLEVEL'"
    [[ $SERVER_NAME =~ ^[A-Za-z0-9][A-Za-z0-9_-]*$ ]] || die "bad MAPI_SERVER_NAME '$SERVER_NAME'"
    [[ -z $SENDMAIL || $SENDMAIL =~ ^/[A-Za-z0-9._/+@,=:\ -]*$ ]] || die "bad MAPI_SENDMAIL '$SENDMAIL'"
    [[ $NO_MODULE == 1 ]] || NO_MODULE=0
    if [[ $NO_MODULE == 0 ]]; then
        MODULE=$(realpath -m -- "$MODULE")
        [[ $MODULE =~ ^/[A-Za-z0-9._/+@,-]*$ ]] || die "bad module path '$MODULE'"
        [[ -f $MODULE ]] || die "no module at $MODULE: build it (make module), set MAPI_MODULE, or set MAPI_NO_MODULE=1"
    fi
}

save_settings() {
    {
        printf 'saved_port=%s\n' "$(shq "$PORT")"
        printf 'saved_no_module=%s\n' "$(shq "$NO_MODULE")"
        printf 'saved_module=%s\n' "$(shq "$MODULE")"
        printf 'saved_loglevel=%s\n' "$(shq "$LOGLEVEL")"
        printf 'saved_idle=%s\n' "$(shq "$IDLE_TIMEOUT")"
        printf 'saved_pending=%s\n' "$(shq "$PENDING_PERIOD")"
        printf 'saved_wait=%s\n' "$(shq "$MAX_NOTIFICATION_WAIT")"
        printf 'saved_body=%s\n' "$(shq "$MAX_REQUEST_BODY")"
        printf 'saved_server=%s\n' "$(shq "$SERVER_NAME")"
        printf 'saved_sendmail=%s\n' "$(shq "$SENDMAIL")"
        printf 'saved_mpm_limit=%s\n' "$(shq "$MPM_SERVER_LIMIT")"
        printf 'saved_mpm_threads=%s\n' "$(shq "$MPM_THREADS")"
        printf 'saved_mpm_async=%s\n' "$(shq "$MPM_ASYNC")"
        printf 'saved_mpm_start=%s\n' "$(shq "$MPM_START")"
        printf 'saved_bench_static=%s\n' "$(shq "$BENCH_STATIC")"
        printf 'saved_extra=%s\n' "$(shq "$EXTRA_CONF")"
        printf 'saved_plain=%s\n' "$(shq "$PLAIN_PORT")"
    } >"$DIR/instance.vars"
}

check_tools() {
    local t missing=()
    for t in kdb5_util kadmin.local krb5kdc kinit openssl curl runuser setsid "$HTTPD_BIN"; do
        command -v "$t" >/dev/null 2>&1 || [[ -x /usr/sbin/$t ]] || missing+=("$t")
    done
    [[ -f $MODDIR/mod_auth_gssapi.so ]] || missing+=("$MODDIR/mod_auth_gssapi.so")
    ((${#missing[@]} == 0)) || die "missing ${missing[*]}: run build/install-deps.sh"
    id -u "$RUN_USER" >/dev/null 2>&1 || die "no account $RUN_USER for httpd's children"
}

# --- Kerberos ------------------------------------------------------------

kadmin() { kadmin.local -r "$REALM" -q "$1" >>"$DIR/logs/kadmin.log" 2>&1 \
               || die "kadmin.local '$1' failed: see $DIR/logs/kadmin.log"; }

# addprinc with a password given on stdin (no quoting issues), then export
# its current keys (-norandkey keeps the password valid) to keytab $3.
add_user() {
    local princ=$1 password=$2 keytab=$3
    printf '%s\n%s\n' "$password" "$password" \
        | kadmin.local -r "$REALM" -q "addprinc $princ" >>"$DIR/logs/kadmin.log" 2>&1 \
        || die "cannot create $princ: see $DIR/logs/kadmin.log"
    kadmin "ktadd -k $keytab -norandkey $princ"
    chmod 644 "$keytab"
}

random_password() { openssl rand -base64 24 | tr -dc 'A-Za-z0-9' | head -c 20; }

write_krb5_conf() {
    local kdc_port=$1
    cat >"$DIR/krb5.conf" <<EOF
# Kerberos client configuration of the private realm $REALM (instance.sh).
[libdefaults]
    default_realm = $REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    forwardable = true
    ticket_lifetime = 24h
    renew_lifetime = 7d

[realms]
    $REALM = {
        kdc = 127.0.0.1:$kdc_port
        admin_server = 127.0.0.1:$kdc_port
        default_domain = mapi.test
    }

[domain_realm]
    127.0.0.1 = $REALM
    localhost = $REALM
    .mapi.test = $REALM
    mapi.test = $REALM
EOF
    cat >"$DIR/kdc.conf" <<EOF
# KDC configuration of the private realm $REALM (instance.sh).
[kdcdefaults]
    kdc_listen = 127.0.0.1:$kdc_port
    kdc_tcp_listen = 127.0.0.1:$kdc_port

[realms]
    $REALM = {
        database_name = $DIR/kdc/principal
        key_stash_file = $DIR/kdc/stash
        acl_file = $DIR/kdc/kadm5.acl
        kdc_listen = 127.0.0.1:$kdc_port
        kdc_tcp_listen = 127.0.0.1:$kdc_port
        kdc_ports = $kdc_port
        kdc_tcp_ports = $kdc_port
        max_life = 24h
        max_renewable_life = 7d
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }

[logging]
    kdc = FILE:$DIR/logs/krb5kdc.log
    default = FILE:$DIR/logs/krb5kdc.log
EOF
}

create_realm() {
    local master
    mkdir -p "$DIR/kdc"
    chmod 700 "$DIR/kdc"
    : >"$DIR/kdc/kadm5.acl"
    master=$(random_password)
    kdb5_util create -s -r "$REALM" -P "$master" >"$DIR/logs/kdb5_util.log" 2>&1 \
        || die "kdb5_util create failed: $(tail -5 "$DIR/logs/kdb5_util.log")"

    kadmin "addprinc -randkey HTTP/127.0.0.1@$REALM"
    kadmin "addprinc -randkey HTTP/localhost@$REALM"
    kadmin "ktadd -k $DIR/http.keytab HTTP/127.0.0.1@$REALM HTTP/localhost@$REALM"
    chown "root:$RUN_GROUP" "$DIR/http.keytab"
    chmod 640 "$DIR/http.keytab"

    add_user "demo@$REALM" "$DEMO_PASSWORD" "$DIR/user.keytab"
    add_user "other@$REALM" "$OTHER_PASSWORD" "$DIR/other.keytab"
}

# Start krb5kdc in the foreground mode (-n) in its own session, detached
# from our stdio; its pid goes to DIR/run/krb5kdc.pid.
start_kdc() {
    local pid i
    setsid krb5kdc -n -P "$DIR/run/krb5kdc.pid" \
        </dev/null >>"$DIR/logs/krb5kdc.out" 2>&1 &
    pid=$!
    for ((i = 0; i < 50; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if [[ -s $DIR/run/krb5kdc.pid ]] && tcp_listening "$KDC_PORT"; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# A kinit with the demo user's keytab into a throwaway cache proves the KDC
# answers and the keytab is right.
check_kdc() {
    local cc=$DIR/run/check.ccache
    KRB5CCNAME=FILE:$cc kinit -k -t "$DIR/user.keytab" "demo@$REALM" >>"$DIR/logs/kinit.log" 2>&1 \
        || die "kinit demo@$REALM against the private KDC failed: $(tail -3 "$DIR/logs/kinit.log"; tail -5 "$DIR/logs/krb5kdc.log" 2>/dev/null)"
    rm -f "$cc"
}

# --- TLS -----------------------------------------------------------------

create_cert() {
    mkdir -p "$DIR/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
        -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -addext "basicConstraints=critical,CA:FALSE" \
        -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
        -addext "extendedKeyUsage=serverAuth" \
        -keyout "$DIR/tls/server.key" -out "$DIR/tls/server.crt" \
        >"$DIR/logs/openssl.log" 2>&1 \
        || die "openssl req failed: $(tail -5 "$DIR/logs/openssl.log")"
    chmod 600 "$DIR/tls/server.key"
    chmod 644 "$DIR/tls/server.crt"
}

# --- mailboxes -----------------------------------------------------------

# What mod_mapi's MapiServerName defaults to: the short host name, lower-case.
short_hostname() {
    local h
    h=$(hostname -s 2>/dev/null || hostname 2>/dev/null || true)
    h=${h%%.*}
    h=${h,,}
    [[ $h =~ ^[a-z0-9][a-z0-9_-]*$ ]] || h=localhost
    printf '%s' "$h"
}

# Provision the organization and the two mailboxes with mapi-admin, once per
# data directory (DIR/provisioned.stamp).  A missing or failing mapi-admin is
# only a warning.
provision() {
    local admin=${MAPI_ADMIN:-$REPO/build/mapi-admin}
    if [[ -f $DIR/provisioned.stamp ]]; then
        return 0
    fi
    if [[ ! -x $admin ]]; then
        warn "no mapi-admin at $admin: mailboxes not provisioned"
        return 0
    fi
    local out=$DIR/logs/mapi-admin.log
    if "$admin" -DataDir "$DIR/data" new-organization -Name "MAPI Test" -Domain mapi.test >>"$out" 2>&1 \
       && "$admin" -DataDir "$DIR/data" new-mailbox -Name demo -DisplayName "Demo User" \
              -PrimarySmtpAddress demo@mapi.test -UserPrincipalName "demo@$REALM" >>"$out" 2>&1 \
       && "$admin" -DataDir "$DIR/data" new-mailbox -Name other -DisplayName "Other User" \
              -PrimarySmtpAddress other@mapi.test -UserPrincipalName "other@$REALM" >>"$out" 2>&1; then
        date -u +%FT%TZ >"$DIR/provisioned.stamp"
        log "provisioned demo@mapi.test and other@mapi.test"
    else
        warn "mapi-admin failed, mailboxes not (fully) provisioned (see $out): $(tail -3 "$out" | tr '\n' ' ')"
    fi
}

# The MAPI virtual directory httpd serves /mapi/ for (MapiServerName,
# default web site), with this instance's URLs: made once per data
# directory, its URLs rewritten when the port or server name changed since
# (DIR/vdir.stamp holds "server port").  A failure is only a warning (the
# instance then answers /mapi/ with 404).
provision_vdir() {
    local admin=${MAPI_ADMIN:-$REPO/build/mapi-admin} out=$DIR/logs/mapi-admin.log
    local want="$SERVER_NAME $PORT" have=''
    [[ -x $admin ]] || return 0
    [[ -f $DIR/vdir.stamp ]] && have=$(<"$DIR/vdir.stamp")
    [[ $have == "$want" ]] && return 0
    # The certificate is checked from its file: httpd is not up yet.
    local urls=(-InternalUrl "https://127.0.0.1:$PORT/mapi" -ExternalUrl "https://localhost:$PORT/mapi"
                -CertificateFile "$DIR/tls/server.crt")
    local ok=0
    # Made by an earlier start (another port): only its URLs change.
    if [[ -n $have ]] && "$admin" -DataDir "$DIR/data" set-vdir \
           -Identity "$SERVER_NAME\\mapi (Default Web Site)" "${urls[@]}" >>"$out" 2>&1; then
        ok=1
    elif "$admin" -DataDir "$DIR/data" new-vdir -Server "$SERVER_NAME" "${urls[@]}" \
           -IISAuthenticationMethods Basic,Negotiate >>"$out" 2>&1; then
        ok=1
    fi
    if ((ok)); then
        printf '%s\n' "$want" >"$DIR/vdir.stamp"
        log "provisioned the MAPI virtual directory $SERVER_NAME\\mapi (Default Web Site)"
    else
        warn "mapi-admin new-vdir failed (see $out): $(tail -3 "$out" | tr '\n' ' ')"
    fi
}

# --- httpd ---------------------------------------------------------------

write_httpd_conf() {
    local loadmodule loglevel=$LOGLEVEL
    if [[ $NO_MODULE == 1 ]]; then
        loadmodule="# mod_mapi not loaded (MAPI_NO_MODULE=1): /mapi/ serves $DIR/htdocs"
        # httpd rejects a per-module LogLevel of a module it has not loaded.
        local words w
        read -r -a words <<<"$LOGLEVEL"
        loglevel=
        for w in "${words[@]}"; do
            [[ $w == mapi:* ]] || loglevel+="${loglevel:+ }$w"
        done
    else
        loadmodule="LoadModule mapi_module $MODULE"
    fi
    sed -e "s|@DIR@|$DIR|g" -e "s|@PORT@|$PORT|g" -e "s|@MODDIR@|$MODDIR|g" \
        -e "s|@USER@|$RUN_USER|g" -e "s|@GROUP@|$RUN_GROUP|g" \
        -e "s|@LOGLEVEL@|${loglevel:-warn}|g" -e "s|@MAPI_LOADMODULE@|$loadmodule|g" \
        -e "s|@MPM_SERVER_LIMIT@|$MPM_SERVER_LIMIT|g" -e "s|@MPM_THREADS@|$MPM_THREADS|g" \
        -e "s|@MPM_WORKERS@|$((MPM_SERVER_LIMIT * MPM_THREADS))|g" \
        -e "s|@MPM_ASYNC@|$MPM_ASYNC|g" -e "s|@MPM_START@|$MPM_START|g" \
        "$SCRIPT_DIR/httpd.conf.in" >"$DIR/httpd.conf.new"
    mv -f "$DIR/httpd.conf.new" "$DIR/httpd.conf"
    write_site_conf
}

# Authentication shared by /mapi/ and /autodiscover/: Negotiate (Kerberos)
# and Basic checked against the private KDC.
auth_block() {
    cat <<EOF
    AuthType GSSAPI
    AuthName "MAPI"
    GssapiCredStore keytab:$DIR/http.keytab
    GssapiAllowedMech krb5
    GssapiBasicAuth On
    GssapiBasicAuthMech krb5
    GssapiSSLonly On
    GssapiUseSessions Off
    GssapiNegotiateOnce On
    Require valid-user
EOF
}

write_site_conf() {
    local f=$DIR/mapi-site.conf.new
    {
        printf '# mod_mapi site configuration of this instance, written by build/instance.sh\n'
        printf '# on every start/graceful/restart from MAPI_* environment variables.\n\n'
        if [[ $NO_MODULE == 1 ]]; then
            printf '# MAPI_NO_MODULE=1: static files stand in for the handlers.\n'
            printf '<Location /mapi/>\n'
            auth_block
            printf '</Location>\n'
            printf '<LocationMatch "(?i)^/autodiscover/">\n'
            auth_block
            printf '</LocationMatch>\n'
        else
            cat <<EOF
MapiDataDir $DIR/data
MapiLogDir $DIR/logs/mapi
MapiSessionIdleTimeout $IDLE_TIMEOUT
MapiPendingPeriod $PENDING_PERIOD
MapiMaxNotificationWait $MAX_NOTIFICATION_WAIT
MapiMaxRequestBody $MAX_REQUEST_BODY
# The MAPI virtual directory this host serves: $SERVER_NAME\\mapi (Default Web Site).
MapiServerName $SERVER_NAME
$( [[ -z $SENDMAIL ]] || printf 'MapiSendmailCommand "%s"' "$SENDMAIL" )
# Tests and benchmarks run thousands of sessions and waits of one user:
# the per-user and total limits are raised here (MAPI_EXTRA_CONF, below,
# may set them again; the module's defaults are in conf.d/mapi.conf).
MapiMaxSessionsPerUser 100000
MapiMaxSessions 1000000
MapiMaxNotificationWaitsPerUser 100000
# MAPI_EXTRA_CONF:
${EXTRA_CONF}

<Location /mapi/>
    SetHandler mapi
EOF
            auth_block
            cat <<EOF
</Location>

# Clients ask for /autodiscover/autodiscover.xml and /Autodiscover/Autodiscover.xml.
<LocationMatch "(?i)^/autodiscover/">
    SetHandler mapi-autodiscover
EOF
            auth_block
            printf '</LocationMatch>\n'
        fi
        if [[ $BENCH_STATIC == 1 ]]; then
            printf '\n# MAPI_BENCH_STATIC=1: static files behind the same authentication.\n'
            printf '<Location /bench-static/>\n'
            auth_block
            printf '</Location>\n'
        fi
        if [[ -n $PLAIN_PORT ]]; then
            # MAPI_PLAIN_PORT: the same site without TLS (tests of MapiRequireTLS).
            printf '\nListen 127.0.0.1:%s http\n<VirtualHost 127.0.0.1:%s>\n    SSLEngine off\n</VirtualHost>\n' \
                "$PLAIN_PORT" "$PLAIN_PORT"
        fi
    } >"$f"
    mv -f "$f" "$DIR/mapi-site.conf"
}

# Run httpd with a clean, explicit environment: the private Kerberos
# configuration and keytab, a private replay cache, and Debian's APACHE_*.
httpd_cmd() {
    local pass=() v
    for v in $(compgen -e); do
        case $v in
            ASAN_OPTIONS|UBSAN_OPTIONS|LSAN_OPTIONS|TSAN_OPTIONS|LD_PRELOAD|LD_LIBRARY_PATH|KRB5_TRACE|MAPI_TEST_*)
                pass+=("$v=${!v}") ;;
        esac
    done
    # Thousands of held connections need thousands of descriptors.
    ulimit -S -n "$(ulimit -H -n)" 2>/dev/null || true
    local wrap=()
    sanitizer_env pass
    if [[ ${MAPI_VALGRIND:-0} == 1 && ${1:-} == -k && ${2:-} == start ]]; then
        mkdir -p "$DIR/valgrind" && chmod 1777 "$DIR/valgrind"
        wrap=(valgrind --tool=memcheck --log-file="$DIR/valgrind/vg.%p"
              --leak-check=full --show-leak-kinds=definite
              --errors-for-leak-kinds=definite --num-callers=30
              --suppressions="$REPO/tests/valgrind.supp")
    fi
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
        KRB5_CONFIG="$DIR/krb5.conf" KRB5_KTNAME="FILE:$DIR/http.keytab" \
        KRB5RCACHEDIR="$DIR/run" KRB5CCNAME="MEMORY:httpd" \
        APACHE_RUN_DIR="$DIR/run" APACHE_LOCK_DIR="$DIR/run" APACHE_LOG_DIR="$DIR/logs" \
        APACHE_PID_FILE="$DIR/run/httpd.pid" APACHE_RUN_USER="$RUN_USER" APACHE_RUN_GROUP="$RUN_GROUP" \
        ${pass[@]+"${pass[@]}"} \
        ${wrap[@]+"${wrap[@]}"} "$HTTPD_BIN" -f "$DIR/httpd.conf" "$@"
}

# MAPI_SANITIZE=1 (a module built with gcc's ASan + UBSan, make
# sanitize-integ): httpd gets libasan preloaded (it must come first) and
# writes reports to DIR/sanitizer/{asan,ubsan}.PID, which the harness
# looks for.  Leak checks are off for httpd itself: its exit frees
# nothing on purpose (pools die with the process); per-request and
# per-session leaks are valgrind-integ's business.  use_sigaltstack=0:
# gcc 12's libasan reports its own sigaltstack teardown in threads that
# httpd's children end ("thread T-1") as stack-use-after-scope.
# Appends to the array named $1.
sanitizer_env() {
    [[ ${MAPI_SANITIZE:-0} == 1 ]] || return 0
    local -n out=$1
    mkdir -p "$DIR/sanitizer" && chmod 1777 "$DIR/sanitizer"
    out+=("LD_PRELOAD=${MAPI_ASAN_LIB:-$(gcc -print-file-name=libasan.so)}"
          "ASAN_OPTIONS=halt_on_error=1:detect_leaks=0:use_sigaltstack=0:log_path=$DIR/sanitizer/asan"
          "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$DIR/sanitizer/ubsan")
}

# Wait until httpd answers on its port (any HTTP status) or give up loudly.
wait_httpd() {
    local deadline=$((SECONDS + START_TIMEOUT)) code
    while ((SECONDS < deadline)); do
        if httpd_running; then
            code=$(curl -k -s -o /dev/null -m 2 -w '%{http_code}' "https://127.0.0.1:$PORT/" 2>/dev/null || true)
            [[ $code =~ ^[1-5][0-9][0-9]$ ]] && return 0
        fi
        sleep 0.2
    done
    {
        printf 'instance: error: httpd did not answer on https://127.0.0.1:%s/ within %ss\n' "$PORT" "$START_TIMEOUT"
        printf -- '--- %s (tail) ---\n' "$DIR/logs/error.log"
        tail -n 30 "$DIR/logs/error.log" 2>/dev/null || true
        printf -- '--- %s ---\n' "$DIR/logs/httpd-start.log"
        tail -n 20 "$DIR/logs/httpd-start.log" 2>/dev/null || true
    } >&2
    return 1
}

write_env() {
    local f=$DIR/demo.env.new
    {
        printf '# Private mod_mapi instance %s: source this file (. %s/demo.env).\n' "$DIR" "$DIR"
        local kv names=""
        for kv in \
            "MAPI_DEMO_URL=https://127.0.0.1:$PORT" \
            "MAPI_PORT=$PORT" \
            "MAPI_PLAIN_PORT=$PLAIN_PORT" \
            "MAPI_DEMO_USER=demo@mapi.test" \
            "MAPI_DEMO_PRINCIPAL=demo@$REALM" \
            "MAPI_DEMO_PASSWORD=$DEMO_PASSWORD" \
            "MAPI_OTHER_USER=other@mapi.test" \
            "MAPI_OTHER_PRINCIPAL=other@$REALM" \
            "MAPI_OTHER_PASSWORD=$OTHER_PASSWORD" \
            "MAPI_REALM=$REALM" \
            "KRB5_CONFIG=$DIR/krb5.conf" \
            "MAPI_KDC_PORT=$KDC_PORT" \
            "MAPI_ADMIN_DB=$DIR/data" \
            "MAPI_SERVER_NAME=$SERVER_NAME" \
            "MAPI_RUN_DIR=$DIR" \
            "MAPI_HTTPD_PID_FILE=$DIR/run/httpd.pid" \
            "MAPI_KDC_PID_FILE=$DIR/run/krb5kdc.pid" \
            "MAPI_HTTP_KEYTAB=$DIR/http.keytab" \
            "MAPI_USER_KEYTAB=$DIR/user.keytab" \
            "MAPI_OTHER_KEYTAB=$DIR/other.keytab" \
            "MAPI_CA_CERT=$DIR/tls/server.crt" \
            "MAPI_HTTPD_CONF=$DIR/httpd.conf" \
            "MAPI_ERROR_LOG=$DIR/logs/error.log" \
            "MAPI_LOG_DIR=$DIR/logs/mapi"; do
            printf '%s=%s\n' "${kv%%=*}" "$(shq "${kv#*=}")"
            names+=" ${kv%%=*}"
        done
        # mapi-admin of this build first on PATH, and everything exported,
        # so that after a plain `. demo.env` the command `mapi-admin get-vdir`
        # manages this instance.
        # shellcheck disable=SC2016  # ${PATH} is for the shell that sources it
        printf 'PATH="%s/build:${PATH}"\n' "$REPO"
        printf 'export%s\n' "$names"
    } >"$f"
    chmod 600 "$f"
    mv -f "$f" "$DIR/demo.env"
}

# --- subcommands ---------------------------------------------------------

cmd_start() {
    check_tools
    if httpd_running || kdc_running; then
        die "an instance is already running in $DIR (build/instance.sh stop $DIR)"
    fi
    # Leftovers of an instance that died: stop them before starting anew.
    if [[ -n $(httpd_pids) ]]; then
        warn "stray httpd processes of $DIR found; stopping them"
        cmd_stop >/dev/null 2>&1 || true
    fi
    mkdir -p "$DIR"
    chmod 755 "$DIR"
    runuser -u "$RUN_USER" -- test -x "$DIR" \
        || die "$RUN_USER cannot enter $DIR: give its parent directories o+x, or choose another DIR"
    load_settings
    if [[ $PORT == auto || $PORT == 0 ]]; then
        PORT=$(free_port)
    fi
    if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
        die "bad MAPI_PORT '$PORT'"
    fi
    tcp_listening "$PORT" && die "port 127.0.0.1:$PORT is in use: choose another MAPI_PORT"
    if [[ $PLAIN_PORT == auto || $PLAIN_PORT == 0 ]]; then
        PLAIN_PORT=$(free_port)
        [[ $PLAIN_PORT != "$PORT" ]] || PLAIN_PORT=$(free_port)
    fi
    [[ -z $PLAIN_PORT || $PLAIN_PORT =~ ^[0-9]+$ ]] || die "bad MAPI_PLAIN_PORT '$PLAIN_PORT'"

    DEMO_PASSWORD=${MAPI_DEMO_PASSWORD:-$(random_password)}
    OTHER_PASSWORD=${MAPI_OTHER_PASSWORD:-$(random_password)}

    # From here on a failure stops whatever was started.
    trap 'rc=$?; if ((rc != 0)); then warn "start failed; stopping what was started"; cmd_stop >/dev/null 2>&1 || true; fi' EXIT

    # Generated state is recreated on each start; DIR/data (the mailboxes)
    # and the logs are kept.
    rm -rf "$DIR/kdc" "$DIR/tls" "$DIR/run" "$DIR/htdocs" \
           "$DIR"/http.keytab "$DIR"/user.keytab "$DIR"/other.keytab "$DIR/demo.env"
    mkdir -p "$DIR/run" "$DIR/logs/mapi" "$DIR/data" "$DIR/htdocs/mapi" "$DIR/htdocs/autodiscover" \
             "$DIR/htdocs/bench-static"
    : >"$DIR/logs/kadmin.log"

    export KRB5_CONFIG=$DIR/krb5.conf KRB5_KDC_PROFILE=$DIR/kdc.conf
    unset KRB5CCNAME KRB5_KTNAME

    KDC_PORT=$(free_port "$PORT")
    write_krb5_conf "$KDC_PORT"
    log "creating realm $REALM in $DIR"
    create_realm
    local tries=0
    until start_kdc; do
        ((++tries < 3)) || die "krb5kdc did not start: $(tail -5 "$DIR/logs/krb5kdc.log" "$DIR/logs/krb5kdc.out" 2>/dev/null)"
        warn "krb5kdc did not start on port $KDC_PORT; trying another port"
        kill "$(read_pid "$DIR/run/krb5kdc.pid")" 2>/dev/null || true
        rm -f "$DIR/run/krb5kdc.pid"
        KDC_PORT=$(free_port "$PORT")
        write_krb5_conf "$KDC_PORT"
    done
    check_kdc
    log "KDC for $REALM on 127.0.0.1:$KDC_PORT (pid $(read_pid "$DIR/run/krb5kdc.pid"))"

    create_cert
    printf 'ok\n' >"$DIR/htdocs/mapi/x"
    printf '<Autodiscover/>\n' >"$DIR/htdocs/autodiscover/autodiscover.xml"
    printf 'mod_mapi test instance\n' >"$DIR/htdocs/index.html"

    provision
    provision_vdir
    save_settings
    write_httpd_conf
    write_env
    chown -R "$RUN_USER:$RUN_GROUP" "$DIR/data" "$DIR/logs" "$DIR/run" "$DIR/htdocs"

    # www-data must reach the keytab and the data: every parent directory of
    # DIR needs search permission for it.
    runuser -u "$RUN_USER" -- test -r "$DIR/http.keytab" -a -w "$DIR/data" -a -x "$DIR/data" \
        || die "$RUN_USER cannot read $DIR/http.keytab or write $DIR/data: give the parents of $DIR o+x (chmod o+x)"

    httpd_cmd -t >"$DIR/logs/httpd-start.log" 2>&1 \
        || die "httpd configuration test failed: $(cat "$DIR/logs/httpd-start.log")"
    httpd_cmd -k start </dev/null >>"$DIR/logs/httpd-start.log" 2>&1 \
        || die "apache2 -k start failed: $(cat "$DIR/logs/httpd-start.log"; tail -20 "$DIR/logs/error.log" 2>/dev/null)"
    wait_httpd || exit 1
    trap - EXIT
    log "httpd on https://127.0.0.1:$PORT/ (pid $(read_pid "$DIR/run/httpd.pid"))$([[ $NO_MODULE == 1 ]] && printf ' without mod_mapi')"
    log "environment: $DIR/demo.env"
}

# Wait up to $2 seconds for the processes in $1 (space-separated) to exit.
wait_gone() {
    local pids=$1 deadline=$((SECONDS + $2)) p alive
    while :; do
        alive=
        for p in $pids; do
            kill -0 "$p" 2>/dev/null && alive+=" $p"
        done
        [[ -z $alive ]] && return 0
        ((SECONDS >= deadline)) && return 1
        sleep 0.1
    done
}

stop_httpd() {
    local pid pids
    pid=$(read_pid "$DIR/run/httpd.pid")
    pids=$(httpd_pids | tr '\n' ' ')
    [[ -z $pids ]] && { rm -f "$DIR/run/httpd.pid"; return 0; }
    if pid_is "$pid" "$DIR/httpd.conf" && [[ -f $DIR/httpd.conf ]]; then
        httpd_cmd -k stop >>"$DIR/logs/httpd-stop.log" 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    else
        # No parent (pid file gone): signal the stray processes directly.
        local p
        for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    fi
    # Under valgrind the leak check at exit takes a while.
    local grace=10
    [[ ${MAPI_VALGRIND:-0} == 1 ]] && grace=180
    if ! wait_gone "$pids" "$grace"; then
        warn "httpd of $DIR did not stop within $grace s; killing it"
        pids=$(httpd_pids | tr '\n' ' ')
        local p
        for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
        wait_gone "$pids" 5 || warn "httpd processes still alive: $pids"
    fi
    rm -f "$DIR/run/httpd.pid"
}

# krb5kdc takes ~2 s to act on SIGTERM: signal it first (stop_kdc signal),
# stop httpd meanwhile, then wait for it (stop_kdc).
stop_kdc() {
    local pid
    pid=$(read_pid "$DIR/run/krb5kdc.pid")
    if pid_is "$pid" "$DIR/run/krb5kdc.pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        [[ ${1:-} == signal ]] && return 0
        if ! wait_gone "$pid" 5; then
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || warn "krb5kdc $pid still alive"
        fi
    fi
    rm -f "$DIR/run/krb5kdc.pid"
}

cmd_stop() {
    local was=0
    { httpd_running || kdc_running || [[ -n $(httpd_pids) ]]; } && was=1
    stop_kdc signal
    stop_httpd
    stop_kdc
    if ((was)); then log "stopped $DIR"; else log "nothing running in $DIR"; fi
}

cmd_status() {
    local rc=0
    if httpd_running; then
        printf 'httpd: running, pid %s\n' "$(read_pid "$DIR/run/httpd.pid")"
    else
        printf 'httpd: stopped\n'; rc=1
    fi
    if kdc_running; then
        printf 'krb5kdc: running, pid %s\n' "$(read_pid "$DIR/run/krb5kdc.pid")"
    else
        printf 'krb5kdc: stopped\n'; rc=1
    fi
    return $rc
}

cmd_env() {
    [[ -f $DIR/demo.env ]] || die "no $DIR/demo.env: start the instance first"
    cat "$DIR/demo.env"
}

# graceful / restart: regenerate the configuration (environment overrides
# the settings of the last start), test it, signal httpd, wait for it.
cmd_signal() {
    local how=$1
    httpd_running || die "httpd of $DIR is not running"
    load_settings saved
    save_settings
    write_httpd_conf
    write_env_port_check
    httpd_cmd -t >"$DIR/logs/httpd-start.log" 2>&1 \
        || die "httpd configuration test failed: $(cat "$DIR/logs/httpd-start.log")"
    httpd_cmd -k "$how" </dev/null >>"$DIR/logs/httpd-start.log" 2>&1 \
        || die "apache2 -k $how failed: $(cat "$DIR/logs/httpd-start.log")"
    # Give the parent a moment to act on the signal before probing.
    sleep 0.5
    wait_httpd || exit 1
    log "httpd of $DIR: $how done"
}

# A graceful/restart may change MAPI_PORT: keep demo.env's URL in step.
write_env_port_check() {
    [[ -f $DIR/demo.env ]] || return 0
    sed -i -e "s|^MAPI_DEMO_URL=.*|MAPI_DEMO_URL='https://127.0.0.1:$PORT'|" \
           -e "s|^MAPI_PORT=.*|MAPI_PORT='$PORT'|" "$DIR/demo.env"
}

main() {
    (($# >= 1)) || usage
    local cmd=$1
    shift
    (($# <= 1)) || usage
    DIR=$(resolve_dir "${1:-}")
    case $cmd in
        start)    ((EUID == 0)) || die "start needs root (chown to $RUN_USER)"; cmd_start ;;
        stop)     cmd_stop ;;
        status)   cmd_status ;;
        env)      cmd_env ;;
        graceful) cmd_signal graceful ;;
        restart)  cmd_signal restart ;;
        -h|--help|help) usage ;;
        *) usage ;;
    esac
}

main "$@"
