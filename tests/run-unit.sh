#!/usr/bin/env bash
# Runs CUnit test programs one after another, shows their output, and ends
# with one line "N passed, M failed" that sums the programs' CUnit run
# summaries (the line "tests  Total Ran Passed Failed Inactive").
#
# A program counts as failed as a whole (one failure, plus every test of
# it that did not run) when it crashes, is killed, times out, prints no
# run summary, or exits non-zero although its summary shows no failure
# (a suite that could not initialise, say).  Exit status: 0 when nothing
# failed, 1 otherwise, 2 on bad usage.
#
# Usage: tests/run-unit.sh [--timeout SECONDS] PROGRAM...
#   --timeout  stop a program that runs longer (SIGTERM, SIGKILL 15 s
#              later); default: no limit.
# `make unit` runs it with the unit test binaries; tests/run-integ.sh uses
# it for the integration programs.
#
# Licensed under the Apache License, Version 2.0.
set -uo pipefail

timeout_s=
while (($#)); do
    case $1 in
        --timeout) timeout_s=${2:-}; shift 2 || { echo "run-unit: --timeout needs a value" >&2; exit 2; } ;;
        --timeout=*) timeout_s=${1#*=}; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) echo "run-unit: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [[ -n $timeout_s && ! $timeout_s =~ ^[0-9]+$ ]]; then
    echo "run-unit: --timeout takes whole seconds, not '$timeout_s'" >&2
    exit 2
fi

passed=0 failed=0 started=$SECONDS
problems=()
out=$(mktemp "${TMPDIR:-/tmp}/run-tests.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT

for prog in "$@"; do
    name=$(basename -- "$prog")
    if [[ ! -x $prog ]]; then
        printf '\n=== %s: not found or not executable\n' "$prog"
        failed=$((failed + 1))
        problems+=("$name: missing")
        continue
    fi
    printf '\n=== %s\n' "$prog"
    start=$SECONDS
    if [[ -n $timeout_s ]]; then
        timeout --kill-after=15 "$timeout_s" "$prog" 2>&1 | tee "$out"
    else
        "$prog" 2>&1 | tee "$out"
    fi
    rc=${PIPESTATUS[0]}

    # "               tests     17     17     15      2        0"
    summary=$(awk '$1 == "tests" && NF >= 6 && $2 ~ /^[0-9]+$/ { s = $2 " " $3 " " $4 " " $5 " " $6 } END { print s }' "$out")
    p=0 f=0 note=
    if [[ -z $summary ]]; then
        f=1
        note="no CUnit run summary"
    else
        read -r total ran p f inactive <<<"$summary"
        # Tests that never ran because their suite did not initialise.
        notrun=$((total - ran - inactive))
        ((notrun > 0)) && { f=$((f + notrun)); note="$notrun test(s) did not run"; }
    fi
    if ((rc == 124)); then
        f=$((f + 1)); note="timed out after ${timeout_s}s"
    elif ((rc > 128)); then
        f=$((f + 1)); note="killed by signal $((rc - 128))"
    elif ((rc != 0 && f == 0)); then
        f=1; note="exit status $rc without a failed test"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    printf '=== %s: %d passed, %d failed (%ds)%s\n' "$name" "$p" "$f" \
        $((SECONDS - start)) "${note:+; $note}"
    ((f > 0)) && problems+=("$name: $f failed${note:+ ($note)}")
done

if ((${#problems[@]})); then
    printf '\nFailures:\n'
    printf '  %s\n' "${problems[@]}"
fi
printf '\n%d program(s) in %ds\n' "$#" $((SECONDS - started))
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
