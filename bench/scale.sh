#!/bin/bash
# bench/scale.sh: headroom at fleet scale on one machine (issue 11): a
# database as the poller leaves it after DAYS of polls every INTERVAL s
# under the retention policy, then the readers measured on it.
#
#   bench/scale.sh [-n DEVICES] [-d DAYS] [-r RAW_DAYS] [-i INTERVAL]
#                  [-f FIRING] [-k DIR [-u]] [-R]
#   -n  devices (default 100000)        -d  days of daily records (365)
#   -r  days of raw polls kept (14)     -i  poll interval, s (300)
#   -f  devices whose capacity rule fires (DEVICES / 10)
#   -k  keep the database and outputs in DIR (default: a temporary one)
#   -u  use the database already in DIR (made with the same -n -d -r -i -f):
#       no generation; its proposals and mail are cleared first
#   -R  skip the retention days at the end (the readers only)
#
# The file (written with the sqlite3 shell in a few statements, not through
# the poller, so that a year is made in minutes): DEVICES devices of the
# catalogue's AR-100 in DEVICES/100 customers (one in twenty without
# consent), the example staff, catalogue and stock; one daily record per
# device per UTC day for DAYS days (the last one, "today", cut at 08:00
# UTC, the time of the last poll); the raw polls of the last RAW_DAYS days
# (a poll every INTERVAL s; the day's last poll holds the day's used, its
# peaks stay under the day's Cmax), written an hour at a time into samples
# and packed by `headroom db prune` as the poller's retention packs them.  FIRING devices (every DEVICES/FIRING-th)
# grow fast (80 % used, +0.3 % of capacity a day: capacity-full-soon
# fires); the others sit at 40 %.
#
# Measured, each with wall time and peak RSS (/usr/bin/time):
#   rules eval       the default rules over every device
#   propose          the default rules, proposals recorded, mail queued and
#                    flushed into a Maildir (one mail per proposal; graphs)
#   report fleet     text
#   report customer  one customer (100 devices), text
# then the retention at work: three more days of raw polls (and their
# daily records) added an hour at a time as the poller would, each hour
# packed and the oldest raw day pruned by `headroom db prune`, with the
# file size and free pages after each day, to show the file stops growing
# once the window is reached (SQLite reuses the pages).
# Nothing here asserts a time; the issue's goals are printed alongside.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${B:-build}
n=100000 days=365 raw=14 interval=300 firing="" keep="" reuse=0 noret=0
while getopts n:d:r:i:f:k:uR o; do
    case $o in
        n) n=$OPTARG ;; d) days=$OPTARG ;; r) raw=$OPTARG ;; i) interval=$OPTARG ;;
        f) firing=$OPTARG ;; k) keep=$OPTARG ;; u) reuse=1 ;; R) noret=1 ;;
        *) sed -n '2,14p' "$0" >&2; exit 2 ;;
    esac
done
firing=${firing:-$((n / 10))}
[ "$raw" -lt "$days" ] || { echo "scale.sh: -r must be less than -d" >&2; exit 2; }
[ "$firing" -ge 1 ] || firing=1
every=$((n / firing))
make -s "$B/headroom" >/dev/null
hr="$top/$B/headroom"
ex="$top/propose/examples"
if [ -n "$keep" ]; then
    mkdir -p "$keep"; tmp=$(cd "$keep" && pwd)
else
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/scale.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
fi
[ "$reuse" = 0 ] || [ -n "$keep" ] || { echo "scale.sh: -u needs -k DIR" >&2; exit 2; }
[ "$reuse" = 1 ] || rm -rf "$tmp/bench.db" "$tmp/bench.db-wal" "$tmp/bench.db-shm"
rm -rf "$tmp/Maildir" "$tmp/reports"
export HEADROOM_DB="$tmp/bench.db" TMPDIR="$tmp"
unset HEADROOM_ADMIN_CC HEADROOM_FALLBACK_TO RRDCACHED_ADDRESS HEADROOM_RETENTION_RAW_DAYS \
      HEADROOM_RETENTION_DAILY_YEARS
now=1800000000                       # 2027-01-15T08:00:00Z
today=$((now - now % 86400))
day0=$((today - (days - 1) * 86400))
ppd=$((86400 / interval))            # polls per whole day
ptoday=$(((now - today) / interval)) # polls today
ncust=$(( (n + 99) / 100 ))

secs_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }
size_mib() { du -m "$HEADROOM_DB" | cut -f1; }

echo "== scale: $n devices, $days days of daily records, $raw days of raw polls every $interval s, $firing firing =="
if [ "$reuse" = 1 ]; then
    sqlite3 "$HEADROOM_DB" "DELETE FROM outbox; DELETE FROM proposal_stock; DELETE FROM proposals;
        DELETE FROM rule_state;" >/dev/null
else
"$hr" -q db init >/dev/null
"$hr" -q staff import "$ex/staff.csv" >/dev/null
"$hr" -q catalog import "$ex/catalog.csv" >/dev/null
"$hr" -q catalog import --firmware "$ex/firmware.csv" >/dev/null
"$hr" -q stock import "$ex/stock.csv" >/dev/null

# One row per (device, day k; 0 = the oldest): U its used bytes, PK the
# base of its peaks, NP its polls (today: those up to 08:00), LT the time
# of its last poll (each device at its own second within the interval).
DAYROWS="SELECT dv.id AS id, j.k AS k, $day0 + j.k * 86400 AS day,
       CAST(10000000000000 * max(0.05, CASE WHEN (dv.id - 1) % $every = 0
            THEN 0.80 - ($days - 1 - j.k) * 0.003
            ELSE 0.40 - ($days - 1 - j.k) * 0.0001 END) AS INTEGER) AS u,
       300 + (dv.id + j.k) % 20 AS pk,
       CASE WHEN j.k = $days - 1 THEN $ptoday ELSE $ppd END AS np,
       $day0 + j.k * 86400 + dv.id % $interval
           + (CASE WHEN j.k = $days - 1 THEN $ptoday ELSE $ppd END - 1) * $interval AS lt
FROM devices dv, j"
start=$(date +%s.%N)
sqlite3 "$HEADROOM_DB" >/dev/null <<SQL
PRAGMA synchronous=OFF;
PRAGMA cache_size=-2000000;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $ncust - 1)
INSERT INTO customers(id, name, area_code, assigned_staff, consent_sales)
SELECT printf('C%05d', i), printf('Customer %05d', i), '03', 's1', i % 20 != 19 FROM c;
WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < $n - 1)
INSERT INTO devices(id, serial, customer, name, vendor, model_name, model_number, firmware,
                    capacity, cache_size, sale_date, first_seen, last_seen, last_sample)
SELECT i + 1, printf('SN%07d', i), printf('C%05d', i / 100), 'array', 'Example', 'Array',
       'AR-100', '1.0', 10000000000000, 17179869184, $day0 - 400 * 86400, $day0, $now, $now
FROM d;
COMMIT;
-- The time indexes are built once at the end (as fast as keeping them).
DROP INDEX daily_day;
DROP INDEX samples_time;
BEGIN;
WITH RECURSIVE j(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM j WHERE k < $days - 1)
INSERT INTO daily(device_id, day, first_time, last_time, samples, capacity, capacity_time,
                  used, used_time, used_max, cmax, cmax_prev, rate_sum, rate_n, writes_delta,
                  firmware, flags, last_used, last_peak, last_rate, last_window)
SELECT id, day, day + id % $interval, lt, np, 10000000000000, lt, u, lt, u, pk + 49,
       pk + 48, 50 * np, np, 50 * $interval * np, '1.0', 0, u, pk + 10, 50, 60
FROM ($DAYROWS);
COMMIT;
SQL
echo "daily records: $((n * days)) in $(secs_since "$start") s ($(size_mib) MiB)"
start=$(date +%s.%N)
# The raw polls an hour at a time, as the poller writes them (a row of
# samples each), each hour packed once it is over, as the poller's
# retention packs it (db/polls.h), so samples never holds more than an
# hour, as in a running poller; the last hour of "today" (07:00-08:00)
# waits in samples.
pack() {
    HEADROOM_NOW="@$1" HEADROOM_RETENTION_RAW_DAYS=0 HEADROOM_RETENTION_DAILY_YEARS=0 \
        "$hr" -q db prune
}
k=$((days - 1 - raw))
while [ "$raw" -gt 0 ] && [ $k -le $((days - 1)) ]; do
for h in $(seq 0 23); do
q0=$((h * 3600 / interval)) q1=$(( (h + 1) * 3600 / interval ))
[ $k -lt $((days - 1)) ] || [ $q0 -lt $ptoday ] || break
sqlite3 "$HEADROOM_DB" >/dev/null <<SQL
PRAGMA synchronous=OFF;
PRAGMA cache_size=-2000000;
BEGIN;
WITH RECURSIVE j(k) AS (SELECT $k),
     p(q) AS (SELECT $q0 UNION ALL SELECT q + 1 FROM p WHERE q < $q1 - 1)
INSERT INTO samples(device_id, time, capacity, used, used_percent, writes, writes_delta, peak,
                    peak_prev, rate_avg, window, sysuptime, status)
SELECT id, day + id % $interval + p.q * $interval, 10000000000000, u,
       CAST(u * 100 / 10000000000000 AS INTEGER), (k * $ppd + p.q) * 50 * $interval,
       50 * $interval, pk + p.q % 50, pk + 48, 50, 60, (k * $ppd + p.q) * $interval * 100, 0
FROM ($DAYROWS), p WHERE p.q < np;
COMMIT;
SQL
t=$((day0 + k * 86400 + (h + 1) * 3600 + 900))
pack $((t < now ? t : now))
done
k=$((k + 1))
done
sqlite3 "$HEADROOM_DB" "CREATE INDEX daily_day ON daily(day); CREATE INDEX samples_time ON samples(time);"
echo "raw polls: in $(secs_since "$start") s (indexes included)"
fi
rawq="SELECT (SELECT count(*) FROM samples) + (SELECT coalesce(sum(n), 0) FROM polls)"
echo "database: $(size_mib) MiB (goal: under 10 GB): $(sqlite3 "$HEADROOM_DB" "SELECT count(*) FROM daily") daily records, $(sqlite3 "$HEADROOM_DB" "$rawq") raw polls ($(sqlite3 "$HEADROOM_DB" "SELECT count(*) FROM polls") blocks, $(sqlite3 "$HEADROOM_DB" "SELECT count(*) FROM samples") waiting in samples)"
sqlite3 "$HEADROOM_DB" "SELECT printf('  %-14s %9.1f MiB', name, sum(pgsize) / 1048576.0) FROM dbstat
    GROUP BY name ORDER BY sum(pgsize) DESC LIMIT 5" 2>/dev/null || true
# run LABEL GOAL_S CMD...: one timed command; its stderr's last line shown.
run() {
    local label=$1 goal=$2 secs kib usr sys
    shift 2
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" ||
        echo "  ($label exited $?: $(tail -n 1 "$tmp/err"))"
    tail -n 1 "$tmp/err" | sed 's/^/  /'
    read -r secs kib usr sys < <(tail -n 1 "$tmp/time")
    awk -v l="$label" -v s="$secs" -v k="$kib" -v g="$goal" -v c="$(awk -v u="$usr" -v y="$sys" 'BEGIN { print u + y }')" 'BEGIN {
        printf "%-18s %8.2f s (goal %s s), CPU %.2f s  peak RSS %7.1f MiB (goal 1024)\n", l, s, g, c, k / 1024 }'
}
AT=$((now + 600))
run "rules eval" 10 "$hr" rules eval --rules "$top/rules/default.rules" --at "$AT"
echo "  $(grep -c 'FIRES' "$tmp/out" || true) rules fired"
run "propose" 60 "$hr" propose --rules "$top/rules/default.rules" --at "$AT" \
    --from headroom@bench.test --no-admin-cc --maildir "$tmp/Maildir"
echo "  proposals $(sqlite3 "$HEADROOM_DB" 'SELECT count(*) FROM proposals'), mails $(find "$tmp/Maildir/new" -type f 2>/dev/null | wc -l)"
mkdir -p "$tmp/reports"
run "report fleet" 30 "$hr" report fleet --at "$AT" -o "$tmp/reports"
run "report customer" 30 "$hr" report customer C00000 --at "$AT" -o "$tmp/reports"
ls -la "$tmp/reports" | awk 'NR > 1 { print "  " $5 " " $9 }'

# The retention at work: three more days as the poller leaves them, an
# hour at a time, each hour packed (and the day that left the window
# pruned) by `headroom db prune` 15 minutes after it ends, as `headroom
# poll` does a few seconds at a time after each slice.
if [ "$raw" -gt 0 ] && [ "$noret" = 0 ]; then
last=$(sqlite3 "$HEADROOM_DB" "SELECT max(day) FROM daily")   # today, or a later day with -u
for extra in 1 2 3; do
    d=$((last + extra * 86400))
    start=$(date +%s.%N)
    sqlite3 "$HEADROOM_DB" "INSERT INTO daily(device_id, day, first_time, last_time, samples,
        capacity, used, cmax, rate_sum, rate_n, flags) SELECT id, $d, $d, $d + 86399, $ppd,
        10000000000000, 4000000000000, 349, 50 * $ppd, $ppd, 0 FROM devices" >/dev/null
    for h in $(seq 0 23); do
        q0=$((h * 3600 / interval)) q1=$(( (h + 1) * 3600 / interval ))
        sqlite3 "$HEADROOM_DB" >/dev/null <<SQL
PRAGMA synchronous=OFF;
PRAGMA cache_size=-2000000;
BEGIN;
WITH RECURSIVE p(q) AS (SELECT $q0 UNION ALL SELECT q + 1 FROM p WHERE q < $q1 - 1)
INSERT INTO samples(device_id, time, capacity, used, peak, peak_prev, rate_avg, window, status)
SELECT dv.id, $d + dv.id % $interval + p.q * $interval, 10000000000000, 4000000000000,
       300 + p.q % 50, 348, 50, 60, 0 FROM devices dv, p;
COMMIT;
SQL
        HEADROOM_NOW="@$((d + (h + 1) * 3600 + 900))" HEADROOM_RETENTION_RAW_DAYS=$raw \
            "$hr" db prune 2>/dev/null | sed -n 's/^[^:]*: /  /p' | grep -v '^  0 raw polls and 0 daily records pruned' || true
    done
    grown=$(size_mib)
    free=$(sqlite3 "$HEADROOM_DB" "PRAGMA freelist_count")
    echo "day +$extra: written, packed and pruned an hour at a time in $(secs_since "$start") s: $grown MiB, $free free pages, $(sqlite3 "$HEADROOM_DB" "$rawq") raw polls"
done
fi
