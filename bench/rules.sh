#!/bin/bash
# bench/rules.sh [--memory-only] [DEVICES] [DAYS]: evaluate the default
# rules over generated devices (default 100,000 devices with 90 days of
# daily history each) and print devices/s and peak RSS.
#
# 1. In memory: histories generated one device at a time, so the figures
#    are the rule engine's alone (forecast, history functions, three-valued
#    evaluation, the "why" text, the proposal text of every rule that
#    fires), for the default forecast (least squares with one pass of
#    outlier rejection) and the two alternatives, with ratios.
# 2. Through the database (skipped with --memory-only): the same number of
#    devices and daily samples written into a fresh SQLite file with the
#    sqlite3 shell, then `headroom rules eval` over all of them, output to
#    /dev/null: the end-to-end figure, SQLite reads included.
# Nothing here asserts a time; compare the numbers across commits.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${B:-build}
memonly=0
if [ "${1:-}" = --memory-only ]; then memonly=1; shift; fi
n=${1:-100000}
days=${2:-90}
make -s "$B/bench/rules_bench" "$B/headroom" >/dev/null
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

[ "$memonly" = 1 ] && exit 0

echo
echo "== headroom rules eval over a database: $n devices x $days daily samples =="
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HEADROOM_DB="$tmp/bench.db"
now=1800000000
"$B/headroom" -q db init >/dev/null
start=$(date +%s.%N)
sqlite3 "$HEADROOM_DB" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO customers(id, name) VALUES ('BENCH', 'Bench Customer');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $n - 1)
INSERT INTO devices(id, serial, customer, model_name, model_number, firmware, capacity,
                    cache_size, sale_date, first_seen, last_seen)
SELECT i + 1, printf('SN%07d', i), 'BENCH', 'FS-2000', 'FS2000',
       CASE WHEN i % 2 THEN '1.0' ELSE '1.2' END, (1 + i % 16) * 1000000000000,
       17179869184, $now - (i % 2000) * 86400, $now - 86400 * $days, $now FROM n;
WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < $days - 1)
INSERT INTO samples(device_id, time, capacity, used, peak, peak_prev, rate_avg, window)
SELECT dv.id, $now - d.k * 86400, dv.capacity,
       CAST(dv.capacity * (0.3 + (dv.id % 7) * 0.08)
            - d.k * (dv.id % 5) * 0.001 * dv.capacity AS INTEGER),
       200 + (dv.id * 37 + d.k * 11) % 800, 200 + (dv.id * 37 + d.k * 11 + 11) % 800, 50, 1
FROM devices dv, d;
COMMIT;
SQL
gen=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
echo "generated in ${gen} s ($(du -m "$HEADROOM_DB" | cut -f1) MiB)"
/usr/bin/time -f '%e %M' -o "$tmp/time" \
    "$B/headroom" rules eval --rules "$rules" --at $((now + 3600)) >/dev/null 2>"$tmp/err"
cat "$tmp/err"
read -r secs kib < "$tmp/time"
awk -v n="$n" -v s="$secs" -v k="$kib" -v m="$d_rej" 'BEGIN {
    printf "%-34s %12.0f devices/s  peak RSS %.1f MiB  (%.2f s)\n", "rules eval over SQLite", n / s, k / 1024, s
    printf "ratio database / in-memory engine  %.2f\n", (n / s) / m
}'
