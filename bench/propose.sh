#!/bin/bash
# bench/propose.sh [DEVICES] [DAYS]: `headroom propose` at scale.
#
# A fresh database (sqlite3 shell, as bench/rules.sh does) with DEVICES
# devices (default 10,000) in 100 customers, DAYS (default 60) daily
# samples each, the example catalogue, staff and stock.  Every tenth device
# grows fast (80 % used, +0.3 % of its capacity a day: full in about 66
# days), so about DEVICES/10 fire capacity-full-soon; the others sit at
# 40 % and do not fire.  Five customers of the hundred have not consented:
# their proposals are recorded but suppressed (no mail, so no graph).
# Then `headroom propose` with the default rules, mail flushed into a
# Maildir; printed: seconds, peak RSS, proposals, mails and graphs drawn
# (the PNG parts in the Maildir: a graph is drawn only for queued mail,
# once per device).  Nothing here asserts a time; compare across commits.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${B:-build}
n=${1:-10000}
days=${2:-60}
make -s "$B/headroom" >/dev/null
hr="$top/$B/headroom"
ex="$top/propose/examples"
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "kept $tmp" || trap 'rm -rf "$tmp"' EXIT
export HEADROOM_DB="$tmp/bench.db" TMPDIR="$tmp"
unset HEADROOM_ADMIN_CC HEADROOM_FALLBACK_TO RRDCACHED_ADDRESS
now=1800000000

# Schema 6 (before the daily records): the samples written below are
# rolled up into days by the upgrade the first import does.
"$hr" -q db init --schema 6 >/dev/null
start=$(date +%s.%N)
sqlite3 "$HEADROOM_DB" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 99)
INSERT INTO customers(id, name, area_code, assigned_staff, consent_sales)
SELECT printf('C%03d', i), printf('Customer %03d', i), '03', 's1', i < 95 FROM c;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $n - 1)
INSERT INTO devices(id, serial, customer, model_name, model_number, firmware, capacity,
                    cache_size, sale_date, first_seen, last_seen)
SELECT i + 1, printf('SN%07d', i), printf('C%03d', i % 100), 'Array', 'AR-100', '1.0',
       10000000000000, 17179869184, $now - 400 * 86400, $now - 86400 * $days, $now FROM n;
WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < $days - 1)
INSERT INTO samples(device_id, time, capacity, used, peak, peak_prev, rate_avg, window)
SELECT dv.id, $now - d.k * 86400, dv.capacity,
       CASE WHEN (dv.id - 1) / 100 % 10 = 0
            THEN CAST(dv.capacity * (0.80 - d.k * 0.003) AS INTEGER)
            ELSE CAST(dv.capacity * (0.40 - d.k * 0.0001) AS INTEGER) END,
       300 + (dv.id + d.k) % 20, 300 + (dv.id + d.k + 1) % 20, 50, 60
FROM devices dv, d;
COMMIT;
SQL
"$hr" -q staff import "$ex/staff.csv" >/dev/null
"$hr" -q catalog import "$ex/catalog.csv" >/dev/null
"$hr" -q catalog import --firmware "$ex/firmware.csv" >/dev/null
"$hr" -q stock import "$ex/stock.csv" >/dev/null
gen=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
echo "== headroom propose: $n devices x $days daily samples, 100 customers (5 without consent) =="
echo "generated in ${gen} s ($(du -m "$HEADROOM_DB" | cut -f1) MiB)"

[ -n "${KEEP:-}" ] && cp "$HEADROOM_DB" "$tmp/before.db"
/usr/bin/time -f '%e %M' -o "$tmp/time" \
    "$hr" propose --rules "$top/rules/default.rules" --at $((now + 3600)) --from headroom@bench.test --no-admin-cc \
    --maildir "$tmp/Maildir" >"$tmp/out" 2>"$tmp/err" || echo "propose exited $?"
tail -n 3 "$tmp/err"
read -r secs kib < "$tmp/time"
mails=$(find "$tmp/Maildir/new" -type f | wc -l)
graphs=$(cat "$tmp/Maildir/new/"* 2>/dev/null | grep -ci '^Content-Type: image/png' || true)
props=$(sqlite3 "$HEADROOM_DB" "SELECT count(*) FROM proposals")
queued=$(sqlite3 "$HEADROOM_DB" "SELECT count(*) FROM proposals WHERE state = 'sent'")
supp=$(sqlite3 "$HEADROOM_DB" "SELECT count(*) FROM proposals WHERE state = 'suppressed'")
printf 'propose: %.2f s, peak RSS %.1f MiB\n' "$secs" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')"
echo "proposals $props (mailed $queued, suppressed $supp), mails $mails, graphs drawn $graphs"
