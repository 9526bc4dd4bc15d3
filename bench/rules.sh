#!/bin/bash
# bench/rules.sh [--memory-only | --db-only] [--interval S] [--before BIN]
#                [DEVICES] [DAYS]: evaluate the default rules over generated
# devices (default 100,000 devices with 90 days of history each) and print
# devices/s and peak RSS.
#
# 1. In memory (skipped with --db-only): histories generated one device at
#    a time, so the figures are the rule engine's alone (forecast, history
#    functions, three-valued evaluation, the "why" text, the proposal text
#    of every rule that fires), for the default forecast (least squares
#    with one pass of outlier rejection) and the two alternatives, with
#    ratios.
# 2. Through the database (skipped with --memory-only): the devices and a
#    poll every S seconds (--interval, default 86400: one a day; 300 is the
#    poller's default) written with the sqlite3 shell into a file of
#    schema 6, as a headroom before the daily records left it; with
#    --before BIN, that headroom's `rules eval` over it; then the upgrade
#    in place to the daily records (schema 7: the roll-up), timed; then
#    `headroom rules eval` over all of them, output to /dev/null: the
#    end-to-end figure, SQLite reads included.  With --before, the two
#    evaluations' outputs are compared (lines that differ are counted).
# Nothing here asserts a time; compare the numbers across commits.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${B:-build}
memonly=0 dbonly=0 interval=86400 before=""
while [ $# -gt 0 ]; do
    case $1 in
        --memory-only) memonly=1 ;;
        --db-only) dbonly=1 ;;
        --interval) shift; interval=$1 ;;
        --before) shift; before=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") ;;
        *) break ;;
    esac
    shift
done
n=${1:-100000}
days=${2:-90}
case $interval in ''|*[!0-9]*|0) echo "rules.sh: --interval wants seconds" >&2; exit 2 ;; esac
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

d_rej=0
if [ "$dbonly" = 0 ]; then
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
fi

[ "$memonly" = 1 ] && exit 0

ppd=$(( (86400 + interval - 1) / interval ))   # polls per day
echo
echo "== headroom rules eval over a database: $n devices x $days days, a poll every $interval s =="
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rules-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HEADROOM_DB="$tmp/bench.db"
now=1800000000
"$B/headroom" -q db init --schema 6 >/dev/null
start=$(date +%s.%N)
# The values of bench/rules.sh's one-a-day history, the day's polls around
# them: used steps within the day, the peak and rate vary per poll.
sqlite3 "$HEADROOM_DB" >/dev/null <<SQL
PRAGMA synchronous=OFF;
PRAGMA journal_mode=OFF;
PRAGMA cache_size=-1000000;
BEGIN;
INSERT INTO customers(id, name) VALUES ('BENCH', 'Bench Customer');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $n - 1)
INSERT INTO devices(id, serial, customer, model_name, model_number, firmware, capacity,
                    cache_size, sale_date, first_seen, last_seen)
SELECT i + 1, printf('SN%07d', i), 'BENCH', 'FS-2000', 'FS2000',
       CASE WHEN i % 2 THEN '1.0' ELSE '1.2' END, (1 + i % 16) * 1000000000000,
       17179869184, $now - (i % 2000) * 86400, $now - 86400 * $days, $now FROM n;
WITH RECURSIVE p(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM p WHERE k < $days * $ppd - 1)
INSERT INTO samples(device_id, time, capacity, used, peak, peak_prev, rate_avg, window)
SELECT dv.id, $now - p.k * $interval, dv.capacity,
       CAST(dv.capacity * (0.3 + (dv.id % 7) * 0.08)
            - (p.k * $interval / 86400) * (dv.id % 5) * 0.001 * dv.capacity
            - (p.k % $ppd) * (dv.id % 5) * 0.001 * dv.capacity / $ppd AS INTEGER),
       200 + (dv.id * 37 + (p.k * $interval / 86400) * 11 + (p.k % $ppd) * 7) % 800,
       200 + (dv.id * 37 + (p.k * $interval / 86400) * 11 + 11) % 800,
       50 + p.k % 10, 1
FROM devices dv, p;
COMMIT;
SQL
gen=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
echo "generated in ${gen} s: $(sqlite3 "$HEADROOM_DB" 'SELECT count(*) FROM samples') polls ($(du -m "$HEADROOM_DB" | cut -f1) MiB)"

# eval BIN LABEL OUT: one timed rules eval, its figures printed.
eval_db() {
    /usr/bin/time -f '%e %M' -o "$tmp/time" \
        "$1" rules eval --rules "$rules" --at $((now + 3600)) >"$3" 2>"$tmp/err"
    cat "$tmp/err"
    read -r secs kib < "$tmp/time"
    awk -v n="$n" -v s="$secs" -v k="$kib" -v l="$2" 'BEGIN {
        printf "%-34s %12.0f devices/s  peak RSS %.1f MiB  (%.2f s)\n", l, n / s, k / 1024, s
    }'
    SECS=$secs
}

if [ -n "$before" ]; then
    eval_db "$before" "before: rules eval over the polls" "$tmp/before.out"
    b_secs=$SECS
fi
/usr/bin/time -f '%e %M' -o "$tmp/time" "$B/headroom" customers list >/dev/null 2>"$tmp/err"
grep -v "^$" "$tmp/err" | tail -n 3
read -r secs kib < "$tmp/time"
printf '%-34s %.2f s  peak RSS %s MiB  -> %s daily records (%s MiB)\n' \
    "upgrade to schema 7 (roll-up)" "$secs" "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "$(sqlite3 "$HEADROOM_DB" 'SELECT count(*) FROM daily')" "$(du -m "$HEADROOM_DB" | cut -f1)"
eval_db "$B/headroom" "rules eval over the daily records" "$tmp/after.out"
a_secs=$SECS
if [ "$dbonly" = 0 ]; then
    awk -v n="$n" -v s="$a_secs" -v m="$d_rej" 'BEGIN {
        printf "ratio database / in-memory engine  %.2f\n", (n / s) / m
    }'
fi
if [ -n "$before" ]; then
    awk -v a="$a_secs" -v b="$b_secs" 'BEGIN { printf "speed-up after / before           %.1fx\n", b / a }'
    ndiff=$(diff "$tmp/before.out" "$tmp/after.out" | grep -c '^[<>]' || true)
    echo "outputs: $(wc -l < "$tmp/after.out") lines, $ndiff differ between before and after"
    if [ -n "${KEEP:-}" ]; then cp "$tmp/before.out" "$tmp/after.out" "$KEEP/"; fi
fi
