#!/usr/bin/env bash
# `make demo` / `make stop`: a demo mod_mapi server on https://127.0.0.1:8443/
# with its own Kerberos realm MAPI.TEST, left running in the background.
#
# Usage: build/demo.sh start|stop|status|env
# Environment: MAPI_RUN_DIR (default $REPO/run), MAPI_PORT (default 8443),
# and everything build/instance.sh reads (MAPI_DEMO_PASSWORD, MAPI_LOGLEVEL...).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
INSTANCE=$SCRIPT_DIR/instance.sh
export MAPI_RUN_DIR=${MAPI_RUN_DIR:-$REPO/run}
export MAPI_PORT=${MAPI_PORT:-8443}

die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

# How to name the run directory in the instructions: relative when under $PWD.
shown_dir() {
    local d
    d=$(realpath -m -- "$MAPI_RUN_DIR")
    case $d in
        "$PWD"/*) printf '%s' "${d#"$PWD"/}" ;;
        *) printf '%s' "$d" ;;
    esac
}

print_usage_notes() {
    local env_file=$MAPI_RUN_DIR/demo.env rd
    [[ -f $env_file ]] || die "no $env_file"
    rd=$(shown_dir)
    (
        # shellcheck disable=SC1090
        . "$env_file"
        cat <<EOF

mod_mapi demo is running (run directory: $rd).

  MAPI/HTTP mailbox:  $MAPI_DEMO_URL/mapi/emsmdb/
  MAPI/HTTP NSPI:     $MAPI_DEMO_URL/mapi/nspi/
  Autodiscover:       $MAPI_DEMO_URL/autodiscover/autodiscover.xml

  User:       $MAPI_DEMO_USER
  Principal:  $MAPI_DEMO_PRINCIPAL
  Password:   $MAPI_DEMO_PASSWORD
  Second user: $MAPI_OTHER_USER ($MAPI_OTHER_PRINCIPAL, password $MAPI_OTHER_PASSWORD)
  TLS certificate (self-signed): $MAPI_CA_CERT

Basic authentication (checked against the demo's Kerberos realm), e.g. Autodiscover:
  set -a; . $rd/demo.env; set +a
  curl --cacert "\$MAPI_CA_CERT" -u "\$MAPI_DEMO_PRINCIPAL:\$MAPI_DEMO_PASSWORD" \\
       -H 'Content-Type: text/xml' -H 'X-MapiHttpCapability: 1' --data-binary \\
       '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>$MAPI_DEMO_USER</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>' \\
       "\$MAPI_DEMO_URL/autodiscover/autodiscover.xml"

Negotiate (Kerberos):
  set -a; . $rd/demo.env; set +a
  export KRB5CCNAME=FILE:$rd/run/demo.ccache
  kinit "\$MAPI_DEMO_PRINCIPAL"          # password above; or: kinit -k -t "\$MAPI_USER_KEYTAB" "\$MAPI_DEMO_PRINCIPAL"
  curl --cacert "\$MAPI_CA_CERT" --negotiate -u : "\$MAPI_DEMO_URL/mapi/emsmdb/"

Mail delivery (what an MTA runs; the message arrives in the Inbox and wakes
a waiting client):
  build/mapi-deliver -DataDir $MAPI_ADMIN_DB -f sender@example.org $MAPI_DEMO_USER < message.eml
  build/mapi-deliver -DataDir $MAPI_ADMIN_DB -lmtp -listen 127.0.0.1:2424   # Postfix: lmtp:inet:127.0.0.1:2424

Logs: $rd/logs/ (error.log, access.log, mapi/).  Stop with: make stop
EOF
    )
}

# The first start delivers a welcome message, so that the demo mailbox has
# something to read; through mapi-deliver, as mail from an MTA would come.
send_welcome() {
    local marker=$MAPI_RUN_DIR/welcome.delivered user db
    [[ -e $marker ]] && return 0
    user=$(. "$MAPI_RUN_DIR/demo.env"; printf '%s' "$MAPI_DEMO_USER")
    db=$(. "$MAPI_RUN_DIR/demo.env"; printf '%s' "$MAPI_ADMIN_DB")
    printf '%s\r\n' \
        "From: mod_mapi demo <postmaster@mapi.test>" \
        "To: <$user>" \
        "Subject: Welcome to mod_mapi" \
        "Date: $(LC_ALL=C date -R)" \
        "Message-ID: <welcome.$(date +%s)@mapi.test>" \
        "MIME-Version: 1.0" \
        "Content-Type: text/plain; charset=utf-8" \
        "" \
        "This message was delivered by build/mapi-deliver when the demo started." \
        "Reply, file it in a folder, or send yourself more mail the same way." |
        "$REPO/build/mapi-deliver" -DataDir "$db" -f postmaster@mapi.test "$user" \
        && touch "$marker" \
        || printf 'demo: warning: the welcome message was not delivered\n' >&2
}

cmd_start() {
    if "$INSTANCE" status "$MAPI_RUN_DIR" >/dev/null 2>&1; then
        printf 'demo: already running in %s\n' "$MAPI_RUN_DIR"
        print_usage_notes
        return 0
    fi
    # A half-dead demo (one server gone): clean up before starting again.
    "$INSTANCE" stop "$MAPI_RUN_DIR" >/dev/null 2>&1 || true
    "$INSTANCE" start "$MAPI_RUN_DIR"
    send_welcome
    print_usage_notes
}

main() {
    case ${1:-start} in
        start)  cmd_start ;;
        stop)   "$INSTANCE" stop "$MAPI_RUN_DIR" ;;
        status) "$INSTANCE" status "$MAPI_RUN_DIR" ;;
        env)    "$INSTANCE" env "$MAPI_RUN_DIR" ;;
        *) printf 'usage: %s start|stop|status|env\n' "$0" >&2; exit 2 ;;
    esac
}

main "$@"
