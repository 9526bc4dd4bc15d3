#!/bin/bash
# Registration without typing, closed loop (seed 004 claim 7): headroom
# polls a real snmpd + headroomd (AgentX) on a fixture disk tree, registers
# each serial, writes the number back with SNMP SET (v2c write community,
# then an SNMPv3 user with write access), records the outcome, and the
# number is still on the device after headroomd restarts.  A number the
# agent's configuration pins is refused (notWritable) and recorded once.
# A restarted snmpd (smaller sysUpTime) gives no write delta, never a spike.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
HD="$B/headroomd"
export HEADROOM_DB="$T/hr.db"
q() { sqlite3 "$HEADROOM_DB" "$@"; }
# Samples are keyed by the second: each poll runs a minute after the one
# before on a fixed clock (HEADROOM_NOW) instead of sleeping.
NOW=$(( $(date +%s) - 86400 ))
tick() { NOW=$((NOW + 60)); export HEADROOM_NOW="@$NOW"; }
tick
MIBP=HEADROOM-STORAGE-MIB

check "headroom is built" test -x "$H"
if [ ! -x "$HD" ]; then
    not_ok "headroomd is built (needed for the write-back test)"
    exit 1
fi
"$TOP/tests/subagent/mkfixture.sh" "$T/root" || { not_ok "fixture"; exit 1; }
cat > "$T/headroomd.conf" <<'CONF'
window 2
cache-timeout 1
agentx-ping-interval 1
[device S4EWNX0R123456]
registration-number CFG-PINNED-1
CONF
start_hd() {
    spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$T/root" \
        --state-dir "$T/state" -Lf "$T/headroomd.log"
    HD_PID=$LAST_PID
    wait_for 15 hd_ready
}
get() { snmp_v2 snmpget -OUqv "$MIBP::$1" 2>&1; }
hd_ready() { [[ $(get hdrmDeviceCount.0) =~ ^[1-9][0-9]*$ ]]; }

start_snmpd || { not_ok "snmpd started"; exit 1; }
start_hd || { not_ok "headroomd serves"; sed 's/^/# /' "$T/headroomd.log"; exit 1; }
ok "snmpd + headroomd serve the fixture"

"$H" fleet add --add-customers --customer HQ --name host --address 127.0.0.1 \
    --port "$SNMPD_PORT" --community public --write-community private > /dev/null
is "target with a write community" "$?" 0
"$H" poll --rrd-dir "$T/rrd" > "$T/poll1.out" 2> "$T/poll1.err"
is "poll: exit 0" "$?" 0
sa=$(q "SELECT agent_index || ' ' || reg_number FROM devices WHERE serial = 'S3Z9NB0K123456'")
idx=${sa%% *} reg=${sa#* }
like "sda registered" "$reg" '^HR-[0-9]{4}-[0-9]{6}-[0-9X]$'
is "write-back recorded ok" "$(q "SELECT agent_set FROM registrations WHERE reg_number = '$reg'")" "ok"
is "the agent now holds our number" "$(get "hdrmDevRegNumber.$idx")" "$reg"
pin=$(q "SELECT reg_number FROM devices WHERE serial = 'S4EWNX0R123456'")
like "pinned device: refusal recorded" "$(q "SELECT agent_set FROM registrations WHERE reg_number = '$pin'")" "^failed: .*notWritable"
like "pinned device: refusal logged" "$(cat "$T/poll1.err")" "could not write registration number $pin"

# Cycle 2: nothing left to write, the refusal is not logged again, and a
# pinned number is not asked for again within the day.
t1=$(q "SELECT agent_set_time FROM registrations WHERE reg_number = '$pin'")
tick
"$H" poll --rrd-dir "$T/rrd" > "$T/poll2.out" 2> "$T/poll2.err"
is "second poll: exit 0" "$?" 0
case $(cat "$T/poll2.err") in
    *"could not write"*) not_ok "refusal not logged again" ;;
    *) ok "refusal not logged again" ;;
esac
is "pinned number not retried the next cycle" "$(q "SELECT agent_set_time FROM registrations WHERE reg_number = '$pin'")" "$t1"

# headroomd restarts: the number survives in its state directory.
stop "$HD_PID"
start_hd || { not_ok "headroomd restarted"; exit 1; }
ok "headroomd restarted"
is "number still on the device after the restart" "$(get "hdrmDevRegNumber.$idx")" "$reg"

# snmpd restarts: sysUpTime goes back; the write delta is unknown, not a spike.
w0=$(get "hdrmDevWrites.$idx")
awk '$3 == "sda" { $8 += 5000000 } { print }' "$T/root/proc/diskstats" > "$T/ds" && mv "$T/ds" "$T/root/proc/diskstats"
# headroomd caches what it read for a second: wait until it serves the step.
writes_are() { [ "$(get "hdrmDevWrites.$idx")" = "$1" ]; }
wait_for 15 writes_are "$((w0 + 5000000))"
check "headroomd serves the new counter" test "$(get "hdrmDevWrites.$idx")" = "$((w0 + 5000000))"
tick
"$H" poll --rrd-dir "$T/rrd" > /dev/null 2>&1
dev=$(q "SELECT id FROM devices WHERE serial = 'S3Z9NB0K123456'")
d1=$(q "SELECT writes_delta FROM samples WHERE device_id = $dev ORDER BY time DESC LIMIT 1")
is "a real counter step measured" "$d1" 5000000
stop "$HD_PID"
stop "$SNMPD_PID"
rm -f "$AGENTX"
start_snmpd || { not_ok "snmpd restarted"; exit 1; }
start_hd || { not_ok "headroomd back after the snmpd restart"; exit 1; }
tick
"$H" poll --rrd-dir "$T/rrd" > /dev/null 2> "$T/poll4.err"
is "poll after the snmpd restart: exit 0" "$?" 0
is "sample after the restart: delta NULL, flagged restart" \
    "$(q "SELECT coalesce(writes_delta, 'NULL') || ' ' || (status & 2) FROM samples WHERE device_id = $dev ORDER BY time DESC LIMIT 1")" "NULL 2"

# The same host under a second customer, polled with an SNMPv3 user that
# may write: a double registration; after a transfer the new number goes
# back to the device over SNMPv3 authPriv.
"$H" fleet add --add-customers --customer OTHER --name other --address 127.0.0.1 --port "$SNMPD_PORT" \
    --version 3 --v3-user hruser --v3-auth-pass hrauthpass --v3-priv-pass hrprivpass --v3-write > /dev/null
tick
"$H" poll --rrd-dir "$T/rrd" --target other > /dev/null 2>&1
like "the same serials at another customer: conflicts" "$("$H" fleet conflicts)" "S3Z9NB0K123456 +HQ .* OTHER"
"$H" fleet resolve S3Z9NB0K123456 --transfer > /dev/null; is "transfer to OTHER" "$?" 0
reg2=$(q "SELECT reg_number FROM devices WHERE serial = 'S3Z9NB0K123456'")
[ "$reg2" != "$reg" ] && ok "transfer issued a new number $reg2" || not_ok "transfer issued a new number"
tick
"$H" poll --rrd-dir "$T/rrd" --target other > /dev/null 2> "$T/poll6.err"
is "v3 write-back recorded ok" "$(q "SELECT agent_set FROM registrations WHERE reg_number = '$reg2'")" "ok"
is "the agent holds the new number (SET over SNMPv3 authPriv)" "$(get "hdrmDevRegNumber.$idx")" "$reg2"
check "headroomd alive at the end" kill -0 "$HD_PID"
done_testing
