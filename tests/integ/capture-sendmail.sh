#!/bin/sh
# capture-sendmail.sh SPOOL -i -f SENDER -- RECIPIENT...
# The MTA's side of MapiSendmailCommand in the submission tests: reads the
# message on standard input, as sendmail(8) does, and files it in SPOOL as
# N.eml with its arguments in N.args (one per line).  When SPOOL/fail
# exists, it reads the message, then exits with the status written there
# (75: a temporary failure), as a refusing MTA would.
#
# Licensed under the Apache License, Version 2.0.
spool=$1
shift
if [ -f "$spool/fail" ]; then
    cat >/dev/null
    exit "$(cat "$spool/fail")"
fi
n=$(date +%s%N)
printf '%s\n' "$@" >"$spool/$n.args"
cat >"$spool/$n.tmp" && mv "$spool/$n.tmp" "$spool/$n.eml"
