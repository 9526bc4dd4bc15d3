#!/bin/bash
# bench/agent.sh [N]: cost of walking hdrmDeviceTable (64 fixture disks,
# served by headroomd through snmpd + AgentX) against snmpd walking its own
# hrStorageTable and diskIOTable, in the same run, on the same private snmpd.
#
# For each table: N snmpbulkwalks (-Cr25), wall time, client CPU (the walk
# processes), and the CPU that snmpd and headroomd used during the walks
# (utime+stime from /proc/PID/stat).  snmpd's own tables have as many rows
# as this machine has file systems / block devices (printed); the tables
# also differ in columns, so the fair figure is the cost per varbind, and
# the ratio printed is per varbind.  Then headroomd's VmRSS and VmHWM.
# Nothing is asserted: this prints numbers.
set -u
N=${1:-${BENCH_N:-100}}
DISKS=${BENCH_DISKS:-64}
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/.." && pwd)
B=${B:-build}
# lib.sh gives the private snmpd, temp dir and cleanup; its TAP helpers are
# not used here
. "$TOP/tests/lib.sh"
HD="$B/headroomd"
[ -x "$HD" ] || { echo "bench: build $HD first (make $B/headroomd)" >&2; exit 1; }

start_snmpd || { echo "bench: snmpd did not start" >&2; exit 1; }
hd_serves() {
    [ "$(snmpget -v2c -c public -t 1 -r 0 "${SNMPOPTS[@]}" -OUqv "127.0.0.1:$SNMPD_PORT" hdrmDeviceCount.0 2>&1)" = "$1" ]
}
# start_hd K: headroomd on a fresh fixture of K disks
start_hd() {
    [ -n "${HD_PID:-}" ] && stop "$HD_PID"
    "$TOP/tests/subagent/mkfixture.sh" "$T/root$1" --many "$1" || exit 1
    spawn "$HD" -f -C -x "$AGENTX" --root "$T/root$1" --state-dir "$T/state$1" -Lf "$T/headroomd.log"
    HD_PID=$LAST_PID
    wait_for 15 hd_serves "$1" ||
        { echo "bench: headroomd not serving" >&2; cat "$T/headroomd.log" >&2; exit 1; }
}

HRSTORAGE=.1.3.6.1.2.1.25.2.3
DISKIO=.1.3.6.1.4.1.2021.13.15.1
HDRM=$(snmptranslate "${SNMPOPTS[@]}" -On HEADROOM-STORAGE-MIB::hdrmDeviceTable)
TCK=$(getconf CLK_TCK)

cpu_ticks() { if [ -n "$1" ]; then awk '{ print $14 + $15 }' "/proc/$1/stat"; else echo 0; fi; }
walk() { snmpbulkwalk -v2c -c public -t 5 -r 1 -Cr25 -On -m "" "127.0.0.1:$SNMPD_PORT" "$1"; }

# bench NAME OID: prints one result line
bench() {
    local name=$1 oid=$2 vbs rows s0 h0 s1 h1 t0 t1 c0 c1
    vbs=$(walk "$oid" | tee "$T/walk.${name//\//_}" | wc -l)
    rows=$(walk "$oid.1.2" | wc -l)          # column 2 exists in all three
    walk "$oid" > /dev/null                     # warm caches
    s0=$(cpu_ticks "$SNMPD_PID"); h0=$(cpu_ticks "${HD_PID:-}")
    c0=$(awk '{ print $16 + $17 }' /proc/$$/stat)
    t0=$(date +%s%N)
    for _ in $(seq "$N"); do walk "$oid" > /dev/null; done
    t1=$(date +%s%N)
    c1=$(awk '{ print $16 + $17 }' /proc/$$/stat)   # cutime+cstime: the walks
    s1=$(cpu_ticks "$SNMPD_PID"); h1=$(cpu_ticks "${HD_PID:-}")
    awk -v name="$name" -v rows="$rows" -v vbs="$vbs" -v n="$N" -v tck="$TCK" \
        -v wall=$(( (t1 - t0) / 1000 )) -v snmpd=$((s1 - s0)) -v hd=$((h1 - h0)) -v cli=$((c1 - c0)) '
    BEGIN {
        us_walk = wall / n; v = vbs ? vbs : 1
        # CPU in microseconds per varbind (clock ticks are coarse: totals
        # over all N walks are used)
        printf "%-20s %5d %6d %9.2f %8.2f %9.2f %9.2f %9.2f\n", name, rows, vbs,
            us_walk / 1000, us_walk / v, snmpd * 1e6 / tck / n / v,
            hd * 1e6 / tck / n / v, cli * 1e6 / tck / n / v
        printf "%s %f %f %f\n", name, us_walk / v, us_walk, (snmpd + hd) * 1e6 / tck / n / v >> ENVIRON["RES"]
    }'
}

export RES="$T/results"
: > "$RES"
# snmpd's own tables: as many rows as this machine has
k=$(walk "$DISKIO.1.2" | wc -l)
echo "# $N snmpbulkwalks (-Cr25) per table; private snmpd $(snmpd -v 2>/dev/null | awk '/version/ {print $NF; exit}') on 127.0.0.1:$SNMPD_PORT; $(nproc) CPUs"
echo "# hdrmDeviceTable has 25 columns, hrStorageTable 7, diskIOTable 13: compare per varbind"
echo "# this machine: hrStorageTable $(walk "$HRSTORAGE.1.2" | wc -l) rows, diskIOTable $k rows (loop, vda, zram); headroomd: fixture disks"
printf '%-20s %5s %6s %9s %8s %9s %9s %9s\n' table rows vbs "ms/walk" "us/vb" \
    "snmpd" "hdrmd" "client"
printf '%-20s %5s %6s %9s %8s %9s %9s %9s\n' "" "" "" "(wall)" "(wall)" "us/vb" "us/vb" "us/vb"
bench hrStorageTable "$HRSTORAGE"
bench diskIOTable "$DISKIO"
start_hd "$k"
bench "hdrmDeviceTable/$k" "$HDRM"
start_hd "$DISKS"
bench "hdrmDeviceTable/$DISKS" "$HDRM"
echo
awk '{ vb[$1] = $2; w[$1] = $3; cpu[$1] = $4 }
END {
    for (h in vb) if (h ~ /^hdrm/) for (t in vb) if (t !~ /^hdrm/ && vb[t] > 0)
        printf "ratio %s / %s: wall %.2fx per varbind (%.2fx per walk), server CPU %s per varbind\n",
            h, t, vb[h] / vb[t], w[h] / w[t], (cpu[t] > 0 ? sprintf("%.2fx", cpu[h] / cpu[t]) : "n/a (0 ticks)")
}' "$RES" | sort
grep -E '^(VmRSS|VmHWM)' "/proc/$HD_PID/status" | sed "s/^/headroomd ($DISKS disks) /"
