#!/usr/bin/env bash
# Install the Debian packages mod_mapi needs to build, test and run its demo.
#
# Idempotent: when everything is installed it prints nothing and exits 0.
# Otherwise it runs `apt-get update` once, installs only what is missing
# (non-interactively) and prints what it installs.
#
# Debian's maintainer scripts may start the system apache2 (port 80) and the
# system KDC / kadmind (ports 88, 464, 749) on installation.  mod_mapi never
# uses them (build/instance.sh runs private servers on 127.0.0.1), so any of
# those services that the installation started is stopped again.
#
# Usage: build/install-deps.sh            (as root, or via sudo)
#        build/install-deps.sh --list     print the package list and exit
set -euo pipefail

PACKAGES=(
    build-essential pkg-config
    apache2 apache2-dev libapache2-mod-auth-gssapi
    # krb5-admin-server: on Debian 12 kadmin.local lives there, and
    # build/instance.sh needs it to create principals in its private realm.
    krb5-kdc krb5-admin-server krb5-user libkrb5-dev
    libdb5.3-dev libcunit1-dev libcurl4-openssl-dev libssl-dev libgmime-3.0-dev
    # libicu-dev: ICU collation of the address book's display names.
    libicu-dev
    # postfix: a real MTA for tests/integ/test_postfix.c (a private
    # instance; the system one is left unconfigured, see main()).
    postfix
    openssl curl clang valgrind procps
)

SUDO=()

log() { printf 'install-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Print the packages of PACKAGES that are not installed, one per line.
missing_packages() {
    local p status
    for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
        [[ $status == ii* ]] || printf '%s\n' "$p"
    done
}

# True if something listens on TCP port $1 (any address).
port_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    # /proc/net/tcp{,6}: local_address is ADDR:PORT in hex, state 0A = LISTEN.
    awk -v p="$hex" 'FNR > 1 { split($2, a, ":"); if (a[2] == p && $4 == "0A") f = 1 }
                     END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Snapshot of which system services are up: "apache2 krb5-kdc ...".
running_services() {
    local out=()
    if port_listening 80 || [[ -s /var/run/apache2/apache2.pid ]]; then out+=(apache2); fi
    if port_listening 88 || [[ -s /var/run/krb5kdc.pid ]]; then out+=(krb5-kdc); fi
    if port_listening 25; then out+=(postfix); fi
    if port_listening 749 || port_listening 464 || [[ -s /var/run/kadmind.pid ]]; then
        out+=(krb5-admin-server)
    fi
    printf '%s ' "${out[@]}"
}

stop_service() {
    local svc=$1
    log "stopping the system $svc service that the installation started"
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        "${SUDO[@]}" systemctl stop "$svc" >/dev/null 2>&1 || true
    fi
    "${SUDO[@]}" service "$svc" stop >/dev/null 2>&1 || true
    if [[ $svc == apache2 ]] && port_listening 80; then
        "${SUDO[@]}" apache2ctl stop >/dev/null 2>&1 || true
    fi
}

main() {
    if [[ ${1:-} == --list ]]; then
        printf '%s\n' "${PACKAGES[@]}"
        return 0
    fi

    local missing
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) && return 0

    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install ${missing[*]}"
        SUDO=(sudo)
    fi

    log "installing: ${missing[*]}"
    local before after svc
    before=$(running_services)

    export DEBIAN_FRONTEND=noninteractive
    # No system MTA: the tests run a private Postfix of their own.
    if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
        echo 'postfix postfix/main_mailer_type select No configuration' |
            "${SUDO[@]}" debconf-set-selections 2>/dev/null || true
    fi
    local apt_opts=(-q -y -o DPkg::Lock::Timeout=600
                    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    # apt's chatter goes to a log that is shown only when something fails.
    local aptlog
    aptlog=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX")
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get "${apt_opts[@]}" update >"$aptlog" 2>&1; then
        cat "$aptlog" >&2; rm -f "$aptlog"; die "apt-get update failed"
    fi
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}" \
            >>"$aptlog" 2>&1; then
        cat "$aptlog" >&2; rm -f "$aptlog"; die "apt-get install failed"
    fi
    grep -E '^(Setting up|Unpacking) ' "$aptlog" | sed 's/^/install-deps:   /' >&2 || true
    rm -f "$aptlog"

    after=$(running_services)
    for svc in $after; do
        [[ " $before " == *" $svc "* ]] || stop_service "$svc"
    done

    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) || die "still missing after install: ${missing[*]}"
    log "done"
}

main "$@"
