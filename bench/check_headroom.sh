#!/bin/bash
# bench/check_headroom.sh [N]: the cost of one check_headroom run against
# its obvious peer, a shell check built on net-snmp's snmpbulkwalk of
# hdrmDeviceTable, on the same private snmpd + headroomd serving DISKS
# fixture disks (tests/subagent/mkfixture.sh --many).
#
# Each is run N times, sequentially; printed: wall time per run and the
# CPU that snmpd + headroomd spent answering (utime+stime from /proc), and
# the ratios check_headroom / snmpbulkwalk.  check_headroom walks the 13
# columns it uses in parallel (GETBULK, 60 varbinds per request);
# snmpbulkwalk -Cr60 (the same 60 varbinds per request) walks all 25 columns.  Nothing is asserted.
set -u
N=${1:-${BENCH_N:-50}}
DISKS=${BENCH_DISKS:-64}
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/.." && pwd)
B=${B:-build}
. "$TOP/tests/lib.sh"
for p in "$B/headroomd" "$B/check_headroom"; do
    [ -x "$p" ] || { echo "bench: build $p first" >&2; exit 1; }
done
start_snmpd || { echo "bench: snmpd did not start" >&2; exit 1; }
"$TOP/tests/subagent/mkfixture.sh" "$T/root" --many "$DISKS" || exit 1
spawn "$B/headroomd" -f -C -x "$AGENTX" --root "$T/root" --state-dir "$T/state" -Lf "$T/headroomd.log"
HD_PID=$LAST_PID
wait_for 15 bash -c "snmpget -v2c -c public -t 1 -r 0 ${SNMPOPTS[*]} -Oqv 127.0.0.1:$SNMPD_PORT hdrmDeviceCount.0 | grep -qx $DISKS" ||
    { echo "bench: headroomd not serving $DISKS disks" >&2; exit 1; }
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
agents_cpu() { echo $(( $(cpu "$SNMPD_PID") + $(cpu "$HD_PID") )); }

# measure NAME CMD...: sets WALL_<NAME> (ms per run) and CPU_<NAME> (ms per run)
measure() {
    local name=$1; shift
    local c0 t0 t1 c1 i
    "$@" >/dev/null 2>&1    # warm up (engine discovery caches, page cache)
    c0=$(agents_cpu); t0=$(date +%s%N)
    for ((i = 0; i < N; i++)); do "$@" >/dev/null 2>&1; done
    t1=$(date +%s%N); c1=$(agents_cpu)
    printf -v "WALL_$name" '%s' $(( (t1 - t0) / 1000 / N ))
    printf -v "CPU_$name" '%s' $(( (c1 - c0) * 1000000 / TCK / N ))
}
H=(-H 127.0.0.1 -p "$SNMPD_PORT")
A=(-t 5 -r 0 "127.0.0.1:$SNMPD_PORT")
V3C=(-P 3 -U hruser -L authPriv -a SHA -A hrauthpass -x AES -X hrprivpass)
V3W=(-v3 -u hruser -l authPriv -a SHA -A hrauthpass -x AES -X hrprivpass)
measure chk2 "$B/check_headroom" "${H[@]}" -C public
# numeric OID, no MIB loaded: the walk's cost, not net-snmp's MIB parser
TABLE=$(snmptranslate "${SNMPOPTS[@]}" -On HEADROOM-STORAGE-MIB::hdrmDeviceTable)
measure walk2 snmpbulkwalk -v2c -c public -Cr60 -On -m "" "${A[@]}" "$TABLE"
measure chk3 "$B/check_headroom" "${H[@]}" "${V3C[@]}"
measure walk3 snmpbulkwalk "${V3W[@]}" -Cr60 -On -m "" "${A[@]}" "$TABLE"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "check_headroom vs snmpbulkwalk of hdrmDeviceTable, $DISKS disks, $N runs each"
printf '%-26s %12s %16s\n' "" "wall us/run" "agent CPU us/run"
printf '%-26s %12s %16s\n' "check_headroom v2c" "$WALL_chk2" "$CPU_chk2"
printf '%-26s %12s %16s\n' "snmpbulkwalk v2c" "$WALL_walk2" "$CPU_walk2"
printf '%-26s %12s %16s\n' "check_headroom v3 authPriv" "$WALL_chk3" "$CPU_chk3"
printf '%-26s %12s %16s\n' "snmpbulkwalk v3 authPriv" "$WALL_walk3" "$CPU_walk3"
echo "ratio v2c wall $(ratio "$WALL_chk2" "$WALL_walk2"), agent CPU $(ratio "$CPU_chk2" "$CPU_walk2")"
echo "ratio v3  wall $(ratio "$WALL_chk3" "$WALL_walk3"), agent CPU $(ratio "$CPU_chk3" "$CPU_walk3")"
