# tests/collector/simlib.sh: a snmpsim fleet for the poller tests.  Source after
# tests/lib.sh.
#
# make_fleet DIR [gen_fleet.py options]: generate the fleet from the MIB's OIDs.
# start_snmpsim DIR: snmpsimd serving DIR/data on a free 127.0.0.1 port, with
#   the SNMPv3 user hruser (SHA/AES, hrauthpass/hrprivpass; the context name
#   selects the data file like the community does).  Sets SIM_PORT, SIM_PID,
#   and writes DIR/fleet.port.csv (fleet.csv with that port).
#
# snmpsimd runs with its default (SNMPv3) architecture: --v2c-arch is faster
# but its GETBULK loops forever when max-repetitions exceeds 64/varbinds
# (../shared/bench/README.md), which our GETBULK sizing would hit.

_sim_answers() {
    kill -0 "$SIM_PID" 2>/dev/null || return 0   # dead: stop waiting
    snmpget -v2c -c "$1" -t 0.2 -r 0 "127.0.0.1:$SIM_PORT" .1.3.6.1.2.1.1.3.0
}

make_fleet() {
    local dir=$1; shift
    $PY "$TOP/tests/fleet/gen_fleet.py" --out "$dir" --oids "$B/gen/hdrm_oids.h" "$@"
}

start_snmpsim() {
    local dir=$1
    SIM_PORT=$(free_port udp)
    mkdir -p "$dir/cache"
    # snmpsimd drops root for nobody: it must reach its data (but $T is 0700).
    chmod 711 "$T"
    chmod -R a+rX "$dir"
    chmod 777 "$dir/cache"
    spawn $PY /usr/bin/snmpsimd --data-dir="$dir/data" --cache-dir="$dir/cache" \
        --agent-udpv4-endpoint="127.0.0.1:$SIM_PORT" \
        --v3-user=hruser --v3-auth-key=hrauthpass --v3-auth-proto=SHA \
        --v3-priv-key=hrprivpass --v3-priv-proto=AES \
        --process-user=nobody --process-group=nogroup \
        --logging-method=null > "$dir/snmpsim.out" 2>&1
    SIM_PID=$LAST_PID
    sed "s/,127\.0\.0\.1,[0-9]*,/,127.0.0.1,$SIM_PORT,/" "$dir/fleet.csv" > "$dir/fleet.port.csv"
    # Any live community will do to see it answer.
    local c
    c=$(awk -F, 'NR > 1 { print $5; exit }' "$dir/fleet.csv")
    if ! wait_for 30 _sim_answers "$c"; then
        diag "snmpsimd did not answer on 127.0.0.1:$SIM_PORT"
        return 1
    fi
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
        diag "snmpsimd exited"
        sed 's/^/# /' "$dir/snmpsim.out" | tail -n 20
        return 1
    fi
}

POLLTEST="$B/tests/hr-polltest"
