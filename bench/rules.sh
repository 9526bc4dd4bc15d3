#!/bin/bash
# bench/rules.sh [DEVICES] [DAYS]: evaluate the default rules over generated
# devices (default 100,000 devices with 90 days of daily history each) and
# print devices/s and peak RSS, for the default forecast (least squares
# with one pass of outlier rejection) and for the two alternatives, with
# ratios.  Histories are generated in memory, one device at a time, so the
# figures are the rule engine's: forecast, history functions, three-valued
# evaluation, the "why" text, and the proposal text of every rule that
# fires.  Nothing here asserts a time; compare the numbers across commits.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${B:-build}
n=${1:-100000}
days=${2:-90}
make -s "$B/bench/rules_bench" >/dev/null
bin="$B/bench/rules_bench"
rules="$top/rules/default.rules"

run() { # METHOD -> prints the report, sets DPS and RSS
    local out
    out=$("$bin" -n "$n" -d "$days" -m "$1" "$rules")
    printf '%s\n\n' "$out"
    DPS=$(printf '%s\n' "$out" | awk '/^evaluate/ { print $4 }')
    RSS=$(printf '%s\n' "$out" | awk '/^peak RSS/ { print $3 }')
}

echo "== rules engine: $n devices x $days days, $(grep -c '^rule ' "$rules") default rules =="
echo
run reject;    d_rej=$DPS r_rej=$RSS
run lsq;       d_lsq=$DPS
run theil-sen; d_ts=$DPS
printf '%-34s %12s devices/s  peak RSS %s MiB\n' "default (lsq + outlier rejection)" "$d_rej" "$r_rej"
awk -v a="$d_rej" -v b="$d_lsq" -v c="$d_ts" 'BEGIN {
    printf "ratio plain lsq / default          %.2f\n", b / a
    printf "ratio theil-sen / default          %.2f\n", c / a
}'
