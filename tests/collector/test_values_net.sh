#!/bin/bash
# Values that do not fit are never numbers (issue 10), end to end: an
# agent of tests/collector/ber_agent.py (hand-built BER, mode "values")
# serves a capacity of 2^64-1, a Gauge32 of 2^32+7 in its MiB column, a
# 1-byte Counter64 capacity under a used of 10^12, a used percent of
# 2^32+50, a serial of NUL bytes and two 300-byte serials that differ
# after byte 255; `headroom poll` stores them, and the database, the RRD
# files, `headroom history` and the fleet report are read back.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db"
unset HEADROOM_CONFIG HEADROOM_PROFILE_DIRS
q() { sqlite3 "$HEADROOM_DB" "$@"; }
spawn $PY "$TOP/tests/collector/ber_agent.py" --oids "$B/gen/hdrm_oids.h" --ports "$T/ports" 0:values:7
wait_for 10 test -s "$T/ports" || { not_ok "BER agent started"; exit 1; }
P=$(head -1 "$T/ports")
"$H" -q fleet add --add-customers --name hostile --customer EVIL --address 127.0.0.1 \
    --port "$P" --community public --profile headroom
is "fleet add" "$?" 0
NOW=$(( $(date +%s) / 86400 * 86400 - 86400 + 36000 ))
for i in 0 1; do
    HEADROOM_NOW="@$((NOW + i * 300))" "$H" poll --rrd-dir "$T/rrd" --timeout 2000 --retries 1 \
        > "$T/poll$i.out" 2> "$T/poll$i.err"
    is "poll $i: exit 0" "$?" 0
done
like "seven rows, six devices with a serial key, one without" "$(cat "$T/poll1.out")" \
    "^cycle: 1 targets, 1 ok, 0 failed, 7 devices"
dev() { q "SELECT $2 FROM devices WHERE name = 'disk$1'"; }
smp() { q "SELECT $2 FROM samples s JOIN devices d ON d.id = s.device_id WHERE d.name = 'disk$1'
           ORDER BY s.time DESC LIMIT 1"; }
is "2^64-1 bytes: capacity unknown in the sample (not -1), flagged out of range" \
    "$(smp 1 "coalesce(s.capacity, 'NULL') || ' ' || (s.status & 1024 != 0)")" "NULL 1"
is "... and in the device" "$(dev 1 "coalesce(capacity, 'NULL')")" NULL
is "a Gauge32 of 2^32+7 MiB: refused (not 7 MiB), flagged bad type" \
    "$(smp 2 "coalesce(s.capacity, 'NULL') || ' ' || (s.status & 128 != 0)")" "NULL 1"
is "used percent 2^32+50: unknown (not 50), flagged bad type" \
    "$(smp 4 "coalesce(s.used_percent, 'NULL') || ' ' || (s.status & 128 != 0)")" "NULL 1"
is "a 1-byte Counter64 capacity under used 10^12: neither kept, flagged" \
    "$(smp 3 "coalesce(s.capacity, 'NULL') || ' ' || coalesce(s.used, 'NULL') || ' ' ||
              (s.status & 1024 != 0)")" "NULL NULL 1"
is "a serial of NUL bytes is no serial: kept by name, not registered" \
    "$(dev 5 "coalesce(serial, 'none') || ' ' || coalesce(reg_number, 'none')")" "none none"
is "two 300-byte serials differing after byte 255: two devices, two keys of 255 bytes" \
    "$(q "SELECT count(DISTINCT serial) || ' ' || max(length(CAST(serial AS BLOB)))
          FROM devices WHERE name IN ('disk6', 'disk7')")" "2 255"
is "no negative size anywhere" \
    "$(q "SELECT count(*) FROM samples WHERE capacity < 0 OR used < 0")$(q "SELECT count(*)
          FROM devices WHERE capacity < 0")" "00"
f=$(dev 1 rrd_file)
last=$(rrdtool lastupdate "$T/rrd/$f" 2>&1 | tail -1)
like "the RRD file has U for the unknown capacity ($last)" "$last" "^[0-9]+: U "
out=$("$H" history --raw --device V3 2>&1)
like "history names the flags" "$out" "out-of-range"
out=$("$H" history --raw --device V1 2>&1)
like "history: out-of-range, never 18446744073709551615 or -1" "$out" "out-of-range"
if printf '%s' "$out" | grep -q -e 18446744073709551615 -e ' -1 '; then
    not_ok "history prints no such number"
else
    ok "history prints no such number"
fi
"$H" report fleet --format text > "$T/fleet.txt" 2>&1
is "report fleet: exit 0" "$?" 0
if grep -qE '[0-9]{4,}(\.[0-9])?%' "$T/fleet.txt"; then
    not_ok "report fleet shows no percentage of thousands"
else
    ok "report fleet shows no percentage of thousands"
fi
done_testing
