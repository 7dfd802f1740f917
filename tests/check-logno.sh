#!/usr/bin/env bash
# Every MAPILOGNO(n) id is used once and is below mod_mapi/log/next-number.
set -euo pipefail
cd "$(dirname "$0")/.."
next=$(cat mod_mapi/log/next-number)
ids=$(grep -rhoE 'MAPILOGNO\([0-9]+\)' mod_mapi | grep -oE '[0-9]+' | sort -n)
dups=$(printf '%s\n' "$ids" | uniq -d)
if [[ -n $dups ]]; then
    echo "log ids used more than once: $dups"; echo "0 passed, 1 failed"; exit 1
fi
for id in $ids; do
    if (( id >= next )); then
        echo "log id $id is not below next-number $next"; echo "0 passed, 1 failed"; exit 1
    fi
done
echo "log ids: $(printf '%s\n' "$ids" | wc -l) unique, all below $next"
echo "1 passed, 0 failed"
