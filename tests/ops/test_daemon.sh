#!/bin/bash
# headroom poll --daemon as an operator sees it: a target's trouble is
# logged once when it starts and once when it ends, not every cycle, and
# the RRD writer survives rrdcached dying: it logs the loss once, keeps
# polling (history rows still go to the database), reconnects on a later
# cycle once a new rrdcached listens, and says so once.
#
# Targets: a private snmpd + headroomd on a fixture disk tree (always up,
# its devices feed the RRD files) and an snmpsim agent serving
# contrib/snmpsim/headroom-device.snmprec, stopped after cycle 1 and
# started again after cycle 3.  rrdcached is SIGKILLed after cycle 1 and
# restarted on the same socket after cycle 3.  Interval 10 s (the
# smallest), so the test takes about 45 s.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
HD="$B/headroomd"
export HEADROOM_DB="$T/hr.db"
unset RRDCACHED_ADDRESS HEADROOM_CONFIG
q() { sqlite3 "$HEADROOM_DB" "$@"; }

for p in "$H" "$HD"; do
    [ -x "$p" ] || { not_ok "$p is built"; exit 1; }
done
chmod 711 "$T"

# ---- the always-up target: snmpd + headroomd ----
printf 'window 2\ncache-timeout 1\nagentx-ping-interval 1\n' > "$T/headroomd.conf"
start_headroomd "$T/root" "$T/headroomd.conf" || exit 1
ok "snmpd + headroomd serve the fixture"

# ---- the target that goes away and comes back: snmpsim ----
SIM="$T/sim"
mkdir -p "$SIM/data" "$SIM/cache"
sed "s/\.4\.1\.32473\./.4.1.${ENTERPRISE:-32473}./" "$TOP/contrib/snmpsim/headroom-device.snmprec" \
    > "$SIM/data/dev.snmprec"
chmod -R a+rX "$SIM"; chmod 777 "$SIM/cache"
SIM_PORT=$(free_port udp)
start_sim() {
    spawn $PY /usr/bin/snmpsimd --data-dir="$SIM/data" --cache-dir="$SIM/cache" \
        --agent-udpv4-endpoint="127.0.0.1:$SIM_PORT" \
        --process-user=nobody --process-group=nogroup --logging-method=null \
        > "$SIM/out" 2>&1
    SIM_PID=$LAST_PID
    wait_for 30 snmpget -v2c -c dev -t 0.3 -r 0 "127.0.0.1:$SIM_PORT" .1.3.6.1.2.1.1.3.0
}
start_sim || { not_ok "snmpsimd answers"; exit 1; }
ok "snmpsimd answers on 127.0.0.1:$SIM_PORT"

# ---- rrdcached ----
SOCK="$T/rrdcached.sock"
mkdir -p "$T/rrd"
start_rrdcached() {
    rm -f "$SOCK"
    spawn rrdcached -g -l "unix:$SOCK" -b "$T/rrd" -B -p "$T/rrdcached.pid.$1" \
        > "$T/rrdcached.$1.log" 2>&1
    RRDC_PID=$LAST_PID
    wait_for 10 test -S "$SOCK"
}
start_rrdcached 1 || { not_ok "rrdcached started"; exit 1; }
ok "rrdcached listens on $SOCK"

"$H" fleet add --add-customers --customer HQ --name host --address 127.0.0.1 \
    --port "$SNMPD_PORT" --community public > /dev/null &&
"$H" fleet add --add-customers --customer LAB --name sim --address 127.0.0.1 \
    --port "$SIM_PORT" --community dev --timeout-ms 300 --retries 0 > /dev/null
is "two targets added" "$?" 0

spawn "$H" poll --daemon --interval 10 --rrd-dir "$T/rrd" --rrdcached "unix:$SOCK" \
    > "$T/poll.out" 2> "$T/poll.err"
POLL_PID=$LAST_PID
cycles() { grep -c '^cycle: ' "$T/poll.out"; }
at_cycle() { [ "$(cycles)" -ge "$1" ]; }
wait_cycle() {
    if ! wait_for 40 at_cycle "$1"; then
        not_ok "cycle $1 reached"; sed 's/^/# /' "$T/poll.err" "$T/poll.out"; exit 1
    fi
}
count() { grep -c -- "$1" "$T/poll.err"; }

wait_cycle 1
like "cycle 1: both targets ok, RRD updates" "$(sed -n 1p "$T/poll.out")" \
    "^cycle: 2 targets, 2 ok, 0 failed, [0-9]+ devices .* [1-9][0-9]* rrd updates"
file=$(q "SELECT rrd_file FROM devices WHERE serial = 'S3Z9NB0K123456'")
[ -n "$file" ] && ok "device of the host target has an RRD file ($file)" || not_ok "RRD file name"

# Both troubles start between cycles 1 and 2.
kill -9 "$RRDC_PID"; wait "$RRDC_PID" 2>/dev/null
stop "$SIM_PID"
wait_cycle 2
wait_cycle 3
t3=$(date +%s)
is "the lost rrdcached is logged once in two cycles" "$(count 'rrdcached unix:.*connection lost')" 1
is "the dead target is logged once in two cycles" "$(count 'target sim (127.0.0.1): down')" 1
is "no RRD error per device while rrdcached is away" "$(count 'rrd: ')" 0
like "cycle 3 still polls: host ok, sim failed" "$(sed -n 3p "$T/poll.out")" \
    "^cycle: 2 targets, 1 ok, 1 failed, .* 0 rrd updates"
check "history rows still stored while rrdcached is away" \
    test "$(q "SELECT count(*) FROM samples h JOIN devices d ON d.id = h.device_id WHERE d.serial = 'S3Z9NB0K123456'")" -ge 3

# Both come back before cycle 4.
start_rrdcached 2 || { not_ok "rrdcached restarted"; exit 1; }
start_sim || { not_ok "snmpsimd restarted"; exit 1; }
wait_cycle 4
like "cycle 4: both ok, RRD updates again" "$(sed -n 4p "$T/poll.out")" \
    "^cycle: 2 targets, 2 ok, 0 failed, .* [1-9][0-9]* rrd updates"
is "the reconnection is logged once" "$(count 'rrdcached unix:.*reconnected')" 1
is "the loss is still logged only once" "$(count 'connection lost')" 1
is "the target's recovery is logged once" "$(count 'target sim (127.0.0.1): back up')" 1
is "the target's trouble is still logged only once" "$(count 'target sim (127.0.0.1): down')" 1
last=$(rrdtool lastupdate --daemon "unix:$SOCK" "$T/rrd/$file" | awk -F: 'NF > 1 { print $1 }' | tail -n 1)
if [ -n "$last" ] && [ "$last" -ge "$t3" ]; then
    ok "the RRD file has cycle 4's sample through the new rrdcached ($last >= $t3)"
else
    not_ok "the RRD file has cycle 4's sample (last update '$last', cycle 3 ended $t3)"
fi
check "the poller is still running" kill -0 "$POLL_PID"
kill -TERM "$POLL_PID"; wait "$POLL_PID"
is "SIGTERM: exit 0" "$?" 0
diag "log: $(tr '\n' '|' < "$T/poll.err")"
done_testing
