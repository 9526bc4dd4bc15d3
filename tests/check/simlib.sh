# tests/check/simlib.sh: an snmpsim agent for the check plug-in's tests.
# Source after tests/lib.sh.
#
# start_sim NAME.snmprec...: serve the given record files (copied under
# $T/sim/data; each file's base name is its v1/v2c community and its v3
# context name) on 127.0.0.1:$SIM_PORT, with the SNMPv3 user 'hruser'
# (SHA/AES, 'hrauthpass'/'hrprivpass').  Sets SIM_PORT, SIM_PID.

start_sim() {
    local d="$T/sim" f
    mkdir -p "$d/data" "$d/cache"
    for f in "$@"; do cp "$f" "$d/data/"; done
    local user=()
    # snmpsimd refuses to run as root; it then needs to read the data and
    # write its index cache as 'nobody'.
    if [ "$(id -u)" -eq 0 ]; then
        user=(--process-user=nobody --process-group=nogroup)
        chmod 755 "$T" "$d" "$d/data"
        chmod 644 "$d"/data/*
        chown nobody:nogroup "$d/cache"
    fi
    SIM_PORT=$(free_port udp)
    spawn "$PY" /usr/bin/snmpsimd --data-dir="$d/data" --cache-dir="$d/cache" \
        --agent-udpv4-endpoint="127.0.0.1:$SIM_PORT" "${user[@]}" \
        --logging-method="file:$d/snmpsimd.log" \
        --v3-user=hruser --v3-auth-key=hrauthpass --v3-auth-proto=SHA \
        --v3-priv-key=hrprivpass --v3-priv-proto=AES >/dev/null 2>&1
    SIM_PID=$LAST_PID
    local first
    first=$(basename "$1" .snmprec)
    if ! wait_for 30 snmpget -v2c -c "$first" -t 0.5 -r 0 -m "" "127.0.0.1:$SIM_PORT" .1.3.6.1.2.1.1.3.0; then
        diag "snmpsimd did not answer on 127.0.0.1:$SIM_PORT"
        [ -f "$d/snmpsimd.log" ] && tail -n 20 "$d/snmpsimd.log" | sed 's/^/# /'
        return 1
    fi
}
