#!/bin/bash
# headroom poll end to end against a real snmpsim fleet generated from the
# MIB (tests/fleet/gen_fleet.py: 120 agents over 6 customers, hostile and
# broken rows, dead agents, agents without the MIB, one serial under two
# customers), v2c and v3 authPriv targets: target states, devices,
# registrations, the double-registration conflict, history in date order,
# RRD files read back with rrdtool (direct and through rrdcached), and a
# cycle killed with SIGKILL followed by a clean one.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/collector/simlib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db"
q() { sqlite3 "$HEADROOM_DB" "$@"; }
RRD="$T/rrd"
# The clock: samples are keyed by the second, so each cycle below runs a
# minute after the one before on a fixed clock (HEADROOM_NOW) instead of
# sleeping; the daemon at the end runs on the real clock, later than all.
NOW=$(( $(date +%s) - 86400 ))
tick() { NOW=$((NOW + 60)); export HEADROOM_NOW="@$NOW"; }
tick

check "headroom is built" test -x "$H"
# snmpsimd runs as nobody: it must reach its data and log below $T.
chmod 755 "$T"
make_fleet "$T/fleet" --agents 120 --customers 6 --dead 4 --nomib 3 > "$T/gen.out" ||
    { not_ok "fleet generated"; exit 1; }
ok "fleet generated: $(cat "$T/gen.out")"
start_snmpsim "$T/fleet" || { not_ok "snmpsimd answers"; exit 1; }
ok "snmpsimd answers on 127.0.0.1:$SIM_PORT"
F="$T/fleet/fleet.port.csv"

# The generator's fleet.csv (customer_id,customer_name,address,port,community)
# into headroom's formats; every 10th agent is polled with SNMPv3 authPriv
# (SHA/AES; snmpsim picks the data file by context name).
{ echo id,name; awk -F, 'NR > 1 && !seen[$1]++ { print $1 "," $2 }' "$F"; } > "$T/customers.csv"
{
    echo name,customer,address,port,version,community,v3_user,v3_level,v3_auth_proto,v3_auth_pass,v3_priv_proto,v3_priv_pass,v3_context
    awk -F, 'NR > 1 {
        n = substr($5, 3) + 0
        if (n % 10 == 9) print $5 "," $1 "," $3 "," $4 ",3,,hruser,authPriv,SHA,hrauthpass,AES,hrprivpass," $5
        else print $5 "," $1 "," $3 "," $4 ",2c," $5 ",,,,,,,"
    }' "$F"
} > "$T/targets.csv"
"$H" customers import "$T/customers.csv" > /dev/null; is "customers imported" "$?" 0
"$H" fleet import "$T/targets.csv" > /dev/null; is "fleet imported" "$?" 0
ntargets=$(q 'SELECT count(*) FROM targets')
ncust=$(q 'SELECT count(*) FROM customers')
[ "$ntargets" -ge 100 ] && ok "$ntargets targets" || not_ok "only $ntargets targets"
[ "$ncust" -ge 5 ] && ok "$ncust customers" || not_ok "only $ncust customers"
nv3=$(q "SELECT count(*) FROM targets WHERE version = '3'")
[ "$nv3" -ge 10 ] && ok "$nv3 SNMPv3 targets" || not_ok "only $nv3 SNMPv3 targets"

ndead=$(awk -F'\t' '$2 == "dead"' "$T/fleet/special.tsv" | wc -l)
nnomib=$(awk -F'\t' '$2 == "nomib"' "$T/fleet/special.tsv" | wc -l)

# ---- cycle 1 ----
"$H" poll --rrd-dir "$RRD" --timeout 1000 --retries 1 --concurrency 64 > "$T/poll1.out" 2> "$T/poll1.err"
is "cycle with dead agents: exit 4" "$?" 4
like "one summary line" "$(cat "$T/poll1.out")" "^cycle: $ntargets targets, $((ntargets - ndead - nnomib)) ok, $((ndead + nnomib)) failed"
# A dead v2c agent times out; snmpsim still answers SNMPv3 discovery for a
# context it has no data for, so a dead v3 agent shows as an auth failure.
is "dead agents recorded as timeout (v2c) or auth (v3)" \
    "$(q "SELECT count(*) FROM targets WHERE last_status = 'timeout' AND version = '2c' OR last_status = 'auth' AND version = '3'")" "$ndead"
is "agents without the MIB recorded as nomib" "$(q "SELECT count(*) FROM targets WHERE last_status = 'nomib'")" "$nnomib"
is "v3 targets answered" "$(q "SELECT count(*) FROM targets WHERE version = '3' AND last_status = 'ok'")" \
    "$(q "SELECT count(*) FROM targets WHERE version = '3' AND name NOT IN ($(awk -F'\t' '$2 == "dead" || $2 == "nomib" { printf "%s'\''%s'\''", (n++ ? "," : ""), $1 }' "$T/fleet/special.tsv"))")"
is "rtt recorded for answering targets" "$(q "SELECT count(*) FROM targets WHERE last_status = 'ok' AND last_rtt_ms > 0")" "$((ntargets - ndead - nnomib))"
like "a dead target logged as down" "$(cat "$T/poll1.err")" "target ag[0-9]+ \(127.0.0.1\): down: timeout"
ndev=$(q 'SELECT count(*) FROM devices')
[ "$ndev" -ge 100 ] && ok "$ndev devices" || not_ok "only $ndev devices"
is "every device with a serial is registered once" \
    "$(q 'SELECT count(*) FROM registrations')" "$(q 'SELECT count(*) FROM devices WHERE serial IS NOT NULL')"
is "registration numbers unique" "$(q 'SELECT count(DISTINCT reg_number) FROM registrations')" "$(q 'SELECT count(*) FROM registrations')"
like "registration number format" "$(q 'SELECT reg_number FROM registrations LIMIT 1')" '^HR-[0-9]{4}-[0-9]{6}-[0-9X]$'
is "a device without a serial kept by name, flagged" "$(q 'SELECT count(*) FROM devices WHERE serial IS NULL AND flags & 1')" "$(q 'SELECT count(*) FROM devices WHERE serial IS NULL')"
is "no stored serial holds CR, LF or NUL" "$(q "SELECT count(*) FROM devices WHERE instr(serial, char(13)) OR instr(serial, char(10)) OR instr(serial, char(0))")" 0
sane=$(q 'SELECT count(*) FROM devices WHERE flags & 2')
[ "$sane" -ge 1 ] && ok "hostile strings stored sanitized and flagged ($sane devices)" || not_ok "no sanitized device flagged"
is "64 KiB-ish serial stored whole (sanitized UTF-8)" "$(q "SELECT max(length(serial)) >= 255 FROM devices")" 1

# ---- the duplicated serial: a conflict, not a merge ----
is "one conflict for DUP-SERIAL-0001" "$(q "SELECT count(*) FROM conflicts WHERE serial = 'DUP-SERIAL-0001'")" 1
is "conflict has both sides" "$(q "SELECT registered_customer != claiming_customer AND claiming_target IS NOT NULL FROM conflicts")" 1
is "device stays with its first customer" "$(q "SELECT d.customer = c.registered_customer FROM devices d JOIN conflicts c ON c.device_id = d.id")" 1
like "fleet conflicts lists it" "$("$H" fleet conflicts)" "DUP-SERIAL-0001 .*open"
like "conflict logged" "$(cat "$T/poll1.err")" "double registration: serial DUP-SERIAL-0001"

# ---- RRD files ----
nrrd=$(ls "$RRD" | grep -c '\.rrd$')
is "one RRD file per device" "$nrrd" "$ndev"
is "no file escaped the RRD directory" "$(find "$T" -name '*.rrd' -not -path "$RRD/*" | wc -l)" 0
f=$(q "SELECT rrd_file FROM devices WHERE serial IS NOT NULL AND serial NOT LIKE 'DUP%' ORDER BY id LIMIT 1")
info=$(rrdtool info "$RRD/$f")
like "rrdtool info: step 300" "$info" "step = 300"
like "rrdtool info: writes is DERIVE" "$info" 'ds\[writes\]\.type = "DERIVE"'
like "rrdtool info: writes min 0" "$info" 'ds\[writes\]\.min = 0'
is "rrdtool info: 8 archives" "$(grep -c '^rra\[[0-9]*\]\.cf' <<< "$info")" 8
like "rrdtool info: 5-year daily archive" "$info" 'rra\[3\]\.rows = 1826'
like "rrdtool info: MAX archives" "$info" 'rra\[7\]\.cf = "MAX"'
cap=$(q "SELECT capacity FROM devices WHERE rrd_file = '$f'")
last=$(rrdtool lastupdate "$RRD/$f" | tail -n 1)
like "rrdtool lastupdate: capacity as stored in SQLite" "$last" "^[0-9]+: $cap "
is "every RRD file readable" "$(rrd_unreadable "$RRD"/*.rrd)" 0

# ---- cycle 2: history in date order ----
tick
"$H" poll --rrd-dir "$RRD" --timeout 1000 --retries 1 --concurrency 64 > "$T/poll2.out" 2> "$T/poll2.err"
is "cycle 2: exit 4" "$?" 4
like "cycle 2: nothing new" "$(cat "$T/poll2.out")" "\(0 new, 0 registered, 0 conflicts\)"
case $(cat "$T/poll2.err") in *"down:"*) not_ok "down state not logged again" ;; *) ok "down state not logged again" ;; esac
is "cycle 2: one more sample per device" "$(q "SELECT count(*) FROM (SELECT device_id FROM samples GROUP BY device_id HAVING count(*) = 2)")" \
    "$(q "SELECT count(*) FROM devices d WHERE NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.device_id = d.id) OR d.serial = 'DUP-SERIAL-0001'")"
is "conflict seen twice" "$(q "SELECT times_seen FROM conflicts")" 2
is "second-cycle deltas known (static counters: 0)" "$(q "SELECT count(*) FROM samples WHERE writes_delta = 0")" \
    "$(q "SELECT count(*) FROM samples s WHERE s.writes IS NOT NULL AND s.time > (SELECT min(time) FROM samples WHERE device_id = s.device_id)")"
c1=$(q 'SELECT customer FROM devices GROUP BY customer ORDER BY count(*) DESC LIMIT 1')
"$H" history --raw --customer "$c1" --format csv > "$T/hist.csv"; is "history --raw --customer" "$?" 0
times=$(tail -n +2 "$T/hist.csv" | cut -d, -f1)
is "history in date order" "$times" "$(sort <<< "$times")"
ndist=$(sort -u <<< "$times" | wc -l)
[ "$ndist" -ge 2 ] && ok "history covers both cycles ($ndist distinct times)" || not_ok "history covers both cycles"
is "history rows = the customer's samples" "$(tail -n +2 "$T/hist.csv" | wc -l)" \
    "$(q "SELECT count(*) FROM samples s JOIN devices d ON d.id = s.device_id WHERE d.customer = '$c1'")"
# The daily records: one row per device and UTC day of its polls (both
# cycles on one day unless the clock crossed midnight between them), the
# polls counted, the last used that of the latest poll.
"$H" history --customer "$c1" --format csv > "$T/daily.csv"; is "history --customer (daily)" "$?" 0
is "daily: one row per device and day of the customer" "$(tail -n +2 "$T/daily.csv" | wc -l)" \
    "$(q "SELECT count(*) FROM (SELECT DISTINCT s.device_id, s.time / 86400 FROM samples s JOIN devices d ON d.id = s.device_id WHERE d.customer = '$c1')")"
is "daily: polls counted per day = the samples" \
    "$(q "SELECT sum(samples) FROM daily y JOIN devices d ON d.id = y.device_id WHERE d.customer = '$c1'")" \
    "$(q "SELECT count(*) FROM samples s JOIN devices d ON d.id = s.device_id WHERE d.customer = '$c1'")"
is "daily: last used = the day's latest poll's" \
    "$(q "SELECT count(*) FROM daily y WHERE y.last_used IS NOT (SELECT used FROM samples s WHERE s.device_id = y.device_id AND s.time = y.last_time)")" 0

# ---- resolve the conflict by transfer ----
claim=$(q "SELECT claiming_customer FROM conflicts")
out=$("$H" fleet resolve DUP-SERIAL-0001 --transfer); is "fleet resolve --transfer" "$?" 0
like "transfer summary" "$out" "DUP-SERIAL-0001 transferred from .* to $claim, registration number HR-"
is "device now with the claiming customer" "$(q "SELECT customer FROM devices WHERE serial = 'DUP-SERIAL-0001'")" "$claim"
is "fleet conflicts now empty" "$("$H" fleet conflicts | tail -n +2 | wc -l)" 0

# ---- rrdcached ----
RRDC="$T/rrdcached"
mkdir -p "$RRDC/j"
spawn rrdcached -g -l "unix:$RRDC/sock" -p "$RRDC/pid" -j "$RRDC/j" -w 3600 -z 1 -F > "$RRDC/out" 2>&1
if wait_for 10 test -S "$RRDC/sock"; then
    ok "rrdcached started"
    tick
    "$H" poll --rrd-dir "$T/rrd2" --rrdcached "unix:$RRDC/sock" --target ag20 > "$T/poll3.out" 2>&1
    is "poll through rrdcached" "$?" 0
    g=$(q "SELECT rrd_file FROM devices d JOIN targets t ON t.id = d.target_id WHERE t.name = 'ag20' LIMIT 1")
    check "file created through rrdcached" test -s "$T/rrd2/$g"
    cap=$(q "SELECT capacity FROM devices WHERE rrd_file = '$g'")
    like "rrdtool lastupdate via the daemon sees the update" \
        "$(rrdtool lastupdate --daemon "unix:$RRDC/sock" "$T/rrd2/$g" | tail -n 1)" "^[0-9]+: $cap "
    # A damaged file where one device of another target (not yet polled
    # through rrdcached) has its RRD: rrdcached refuses that update in the
    # batch; it is logged by name, and the target's others are written.
    bad=$(q "SELECT rrd_file FROM devices d JOIN targets t ON t.id = d.target_id WHERE t.name = 'ag21' LIMIT 1")
    nall=$(q "SELECT count(*) FROM devices d JOIN targets t ON t.id = d.target_id WHERE t.name = 'ag21'")
    check "ag21 has several devices ($nall)" test "$nall" -ge 2
    echo "not an RRD file" > "$T/rrd2/$bad"
    tick
    "$H" poll --rrd-dir "$T/rrd2" --rrdcached "unix:$RRDC/sock" --target ag21 > "$T/poll3b.out" 2> "$T/poll3b.err"
    like "the damaged file's update is logged by name" "$(cat "$T/poll3b.err")" "rrd: .*/$bad: rrdcached: "
    is "the target's other devices updated through the batch" \
        "$(sed -n 's/.* \([0-9]*\) rrd updates.*/\1/p' "$T/poll3b.out")" "$((nall - 1))"
else
    not_ok "rrdcached started"
fi

# ---- SIGKILL in the middle of a cycle, then a clean cycle ----
before=$(q 'SELECT count(*) FROM samples')
tick
t4=$NOW
"$H" poll --rrd-dir "$RRD" --timeout 3000 --retries 0 --concurrency 4 --batch 10 > "$T/poll4.out" 2>&1 &
kpid=$!
# kill it once its first batch is committed, in the middle of the cycle
committed() { [ "$(q "SELECT count(*) FROM targets WHERE last_poll = $t4")" -gt 0 ]; }
wait_for 30 committed
kill -9 "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
is "killed cycle printed no summary" "$(grep -c '^cycle:' "$T/poll4.out")" 0
is "database intact after SIGKILL" "$(q 'PRAGMA integrity_check')" "ok"
is "every RRD file readable after SIGKILL" "$(rrd_unreadable "$RRD"/*.rrd)" 0
mid=$(q 'SELECT count(*) FROM samples')
is "no sample lost by the SIGKILL" "$(q "SELECT count(*) FROM samples WHERE time < $t4")" "$before"
# --batch 10: the targets stored by the killed cycle are whole batches of
# ten, and every sample it committed belongs to them
nt4=$(q "SELECT count(*) FROM targets WHERE last_poll = $t4")
ns4=$(q "SELECT count(*) FROM samples WHERE time = $t4")
[ "$nt4" -gt 0 ] && [ $((nt4 % 10)) -eq 0 ] && [ "$nt4" -lt "$ntargets" ] && [ "$ns4" -gt 0 ] &&
    [ "$((mid - before))" -eq "$ns4" ] &&
    ok "killed cycle committed whole batches only ($nt4 targets, $ns4 samples)" ||
    not_ok "killed cycle committed whole batches only ($nt4 targets, $ns4 samples, $((mid - before)) new)"
is "no sample of the killed cycle outside its committed targets" \
    "$(q "SELECT count(*) FROM samples s JOIN devices d ON d.id = s.device_id JOIN targets t ON t.id = d.target_id WHERE s.time = $t4 AND t.last_poll != $t4")" 0
tick
"$H" poll --rrd-dir "$RRD" --timeout 1000 --retries 1 --concurrency 64 > "$T/poll5.out" 2> "$T/poll5.err"
is "clean cycle after SIGKILL: exit 4 (dead agents only)" "$?" 4
like "clean cycle summary" "$(cat "$T/poll5.out")" "^cycle: $ntargets targets, $((ntargets - ndead - nnomib)) ok"
grep -q 'rrd:' "$T/poll5.err"; is "no RRD errors after SIGKILL" "$?" 1
is "database intact after the clean cycle" "$(q 'PRAGMA integrity_check')" "ok"
is "no restart or implausible flags from the kill" "$(q 'SELECT count(*) FROM samples WHERE status & 10')" 0
# ---- more kills at other moments, including while RRD files are created:
# once the first file exists, once the first batch of 5 is stored, once 40
# targets are ----
rrd3_started() { [ -e "$(ls "$T/rrd3"/*.rrd 2>/dev/null | head -n 1)" ]; }
stored_ge() { [ "$(q "SELECT count(*) FROM targets WHERE last_poll = $NOW")" -ge "$1" ]; }
bad=0
for when in rrd3_started "stored_ge 5" "stored_ge 40"; do
    tick
    "$H" poll --rrd-dir "$T/rrd3" --timeout 3000 --retries 0 --concurrency 8 --batch 5 > /dev/null 2>&1 &
    kpid=$!
    wait_for 30 $when || diag "kill at '$when': not reached, killed at 30 s"
    kill -9 "$kpid" 2>/dev/null
    wait "$kpid" 2>/dev/null
    [ "$(q 'PRAGMA integrity_check')" = ok ] || bad=$((bad + 1))
    rrd3_started && bad=$((bad + $(rrd_unreadable "$T/rrd3"/*.rrd)))
done
is "three more kills (first RRD file, first batch, 40 targets): database and every RRD file readable" "$bad" 0
tick
"$H" poll --rrd-dir "$T/rrd3" --timeout 1000 --retries 1 --concurrency 64 > "$T/poll6.out" 2> "$T/poll6.err"
is "clean cycle after the kills: exit 4" "$?" 4
grep -q 'rrd:' "$T/poll6.err"; is "no RRD errors after the kills" "$?" 1
is "one RRD file per device after the kills" "$(ls "$T/rrd3" | grep -c '\.rrd$')" "$(q "SELECT count(*) FROM devices")"

# ---- daemon: targets spread over the interval, SIGTERM exits cleanly ----
# (on the real clock, later than every cycle above)
unset HEADROOM_NOW
start=$(date +%s)
"$H" poll --daemon --interval 20 --rrd-dir "$RRD" --timeout 1000 --retries 0 > "$T/d.out" 2> "$T/d.err" &
dpid=$!
wait_for 60 grep -q '^cycle:' "$T/d.out"
like "daemon: one full cycle over all targets" "$(head -n 1 "$T/d.out")" "^cycle: $ntargets targets"
span=$(q "SELECT max(time) - min(time) FROM samples WHERE time >= $start")
[ "${span:-0}" -ge 9 ] && ok "daemon spreads the targets over the interval (samples span $span s of 20)" ||
    not_ok "daemon spreads the targets over the interval (span '$span')"
kill -TERM "$dpid"
wait "$dpid"
is "daemon: SIGTERM exits 0" "$?" 0
like "daemon: says it stopped" "$(cat "$T/d.err")" "stopping: batch committed"
is "database intact after the daemon" "$(q 'PRAGMA integrity_check')" "ok"
check "snmpsimd still running" kill -0 "$SIM_PID"
done_testing
