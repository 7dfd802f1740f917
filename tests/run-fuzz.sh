#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS on a scratch copy of its seed corpus
# (tests/fuzz/corpus/<name without fuzz_>/); the seeds in the repository stay
# as they are.  A crash, leak or sanitizer report fails the run and leaves the
# reproducer in build/fuzz/findings/.
#   tests/run-fuzz.sh SECONDS build/fuzz/fuzz_x ...
set -uo pipefail
secs=$1; shift
cd "$(dirname "$0")/.."
mkdir -p build/fuzz/findings
passed=0 failed=0
for bin in "$@"; do
    name=$(basename "$bin"); seeds=tests/fuzz/corpus/${name#fuzz_}
    work=$(mktemp -d /tmp/mapi-fuzz-XXXXXX)
    [[ -d $seeds ]] && cp -r "$seeds"/. "$work"/
    if "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
            -rss_limit_mb=2048 -artifact_prefix=build/fuzz/findings/"$name"- \
            "$work" > "build/fuzz/$name.log" 2>&1; then
        echo "=== $name: $(grep -m1 'stat::number_of_executed_units' "build/fuzz/$name.log" | awk '{print $2}') runs in ${secs}s, clean"
        passed=$((passed + 1))
    else
        echo "=== $name: FAILED, see build/fuzz/$name.log"; tail -30 "build/fuzz/$name.log"
        failed=$((failed + 1))
    fi
    rm -rf "$work"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
