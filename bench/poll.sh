#!/bin/bash
# bench/poll.sh: headroom's poll cycle against its peers on one simulated
# fleet of 1,000 devices (issue 3, "Benchmark"), in one run:
#
#   headroom   `headroom poll` (poller + RRD files + SQLite history), K cycles
#              after a first one that creates every RRD file; in lo also
#              through a private rrdcached (headroom+rrdcached: its CPU,
#              including writing each file once per cycle, is counted); and
#              the bare engine (build/tests/hr-polltest), to show what the
#              storage costs
#   collectd   collectd 5.12's snmp plugin writing RRD files (rrdtool plugin),
#              BulkSize 40, ReadThreads 50 and 200
#   walkloop   a plain `snmpbulkwalk` loop, one process per device
#
# three ways: lo (loopback), rtt50 (50 ms round trip, in a private network
# namespace: bench/netns_latency.sh), dead5 (50 ms and 5% dead devices);
# and hr: 1,000 devices without our MIB read through the device profiles
# (host-resources + ucd-diskio, a recording modelled on the real Linux host
# ../shared/walks/mur__localhost), loopback, the engine (auto detection, and
# the profile named as a poller that kept it would) against collectd's snmp
# plugin walking hrStorageTable and diskIOTable; requests per device from
# the capture and hr-polltest's counts.
# It prints cycle wall time, the poller's own CPU per device poll (rusage of
# the poller process, not the simulator's; with rrdcached, plus rrdcached's)
# and the ratios.  "Device" in the CPU column is an agent (a target, -n of
# them); a HEADROOM-MIB agent serves several device rows (about 4.35 on
# average), and the headroom lines also give the CPU per device row.
#
#   bench/poll.sh [-n 1000] [-k 3] [-s "lo rtt50 dead5 hr"] [-c "512 1000"]
#                 [-i 10] [-w 100] [-S 1] [-C] [-X]
#   -n  devices (default 1000)          -k  steady cycles measured (default 3)
#   -s  scenarios (default all four)    -c  headroom --concurrency values
#   -i  collectd Interval (default 10,  -w  devices in the walk loop under
#       N/500 above 2,000 devices, so       latency (scaled to -n; default 100)
#       that the cycles stay apart)
#   -S  fastsim processes sharing the port (SO_REUSEPORT; default 1)
#   -C  skip collectd (quick run)       -X  skip headroom+rrdcached
#
# The simulator is fastsim (bench/fastsim.c, the team's C SNMPv2c responder
# for .snmprec files; snmpsim spends 1-3 ms of CPU per request and would be
# the bottleneck), the fleet comes from tests/fleet/gen_fleet.py (our MIB's
# table, one community per device; a missing data file is a dead device).
# Timeout 1 s and 1 retry everywhere, so a dead device costs 2 s.
# Extra packages (collectd-core, tcpdump, iptables, libnetfilter-queue-dev,
# rrdcached, rrdtool) are installed here, not by make deps.  Work files: $BENCH_WORK/poll
# (default /tmp/headroom-bench-poll/poll).  Everything runs on 127.0.0.1.
#
# fastsim.c, nfq_delay.c, netns_latency.sh and pcap_cycles.py are copies of
# the team's harness in ../shared/bench (see its README for the method).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B="$TOP/$B" ;; esac
# Not the shared /tmp/headroom-bench: other benchmarks clean that up.
export BENCH_WORK=${BENCH_WORK:-/tmp/headroom-bench-poll}
W="$BENCH_WORK/poll"
N=1000; K=3; SCEN="lo rtt50 dead5 hr"; CONCS="512 1000"; IV=""; WALKN=100; NOCD=0; NORRDC=0; NSIM=1
RCPID=""
CLK=$(getconf CLK_TCK)
PORT=16100
PY=/usr/bin/python3
export SNMPCONFPATH=/nonexistent MIBS="" MIBDIRS=/nonexistent

usage() { sed -n 2,42p "$0"; }

# ---------------------------------------------------------------- inner run
# inner SCENARIO FLEETDIR: everything that talks to the fleet; runs inside
# the latency namespace for rtt50/dead5.
inner() {
    local scen=$1 fleet=$2 R="$W/$1" first j reuse=()
    mkdir -p "$R"
    : > "$R/results"
    # Several fastsim processes share the port with SO_REUSEPORT; the
    # kernel spreads the pollers' sockets (one per agent session) over them.
    FPIDS=()
    [ "$NSIM" -gt 1 ] && reuse=(-r)
    for j in $(seq "$NSIM"); do
        "$W/fastsim" -d "$fleet/data" -p "$PORT" "${reuse[@]}" > "$R/fastsim.$j.log" 2>&1 &
        FPIDS+=($!)
    done
    trap 'kill "${FPIDS[@]}" 2>/dev/null || true; rrdc_stop' EXIT
    trap 'exit 130' INT TERM
    first=$(awk 'NR == 1 { print $1; exit }' "$fleet/expect.tsv")
    for _ in $(seq 50); do
        snmpget -v2c -c "$first" -t 0.3 -r 0 "127.0.0.1:$PORT" .1.3.6.1.2.1.1.3.0 > /dev/null 2>&1 && break
        sleep 0.1
    done
    if [ "$scen" = hr ]; then
        # `headroom poll` detects on the first cycle and names the kept
        # profile on the next ones; the engine alone, both ways.
        HEADROOM_PROFILE_DIRS="$TOP/profiles" run_headroom "$scen" "$fleet" "$R"
        run_engine_profiles "$scen" "$fleet" "$R"
        [ "$NOCD" = 0 ] && run_collectd "$scen" "$fleet" "$R" 50 cd_hostres
    else
        run_headroom "$scen" "$fleet" "$R"
        run_engine "$scen" "$fleet" "$R"
        if [ "$NOCD" = 0 ]; then
            run_collectd "$scen" "$fleet" "$R" 50 cd_hdrm
            run_collectd "$scen" "$fleet" "$R" 200 cd_hdrm
        fi
        run_walkloop "$scen" "$fleet" "$R"
    fi
    kill "${FPIDS[@]}" 2>/dev/null || true
    wait "${FPIDS[@]}" 2>/dev/null || true
    # fastsim prints its counters on SIGTERM: unanswered requests show here
    for j in $(seq "$NSIM"); do
        sed -n "s/^fastsim: \([0-9]* requests.*\)/  fastsim $j: \1/p" "$R/fastsim.$j.log" | tee -a "$R/fastsim" >&2
    done
}

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'; }

# result SCEN NAME CYCLE CPU EXTRA; the 1-minute load average goes with it
# (the machine is shared: CPU time is the process's own, wall time is not)
result() {
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "$1|$2|$3|$4|$5|$load" >> "$W/$1/results"
    echo "  $2: cycle $3 s, $4 ms CPU/agent poll $5 [load $load]" >&2
}

run_headroom() {
    local scen=$1 fleet=$2 R=$3 c
    if [ ! -x "$W/headroom" ]; then
        echo "  headroom poll not built: skipped" >&2
        return 0
    fi
    awk -F, 'NR == 1 { print "name,customer,address,port,community,timeout_ms,retries" }
             NR > 1 { print $5 "," $1 "," $3 "," $4 "," $5 ",1000,1" }' "$fleet/fleet.csv" > "$R/targets.csv"
    for c in $CONCS; do
        run_hr_cycles "$scen" "$R" "$c" direct
        if [ "$scen" = lo ] && [ "$NORRDC" = 0 ]; then
            run_hr_cycles "$scen" "$R" "$c" rrdcached
            run_hr_cycles "$scen" "$R" "$c" norrd
        fi
    done
    return 0
}

# CPU ticks (utime + stime, all threads) of process $1; 0 when it is gone
ticks() { awk '{ sub(/.*\) /, ""); printf "%d", $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# rrdcached, private to one measurement: socket, journal and pid file in
# $1, RRD files under $2.  -w 3600: nothing is written by the timer during
# the run; every cycle is followed by a FLUSHALL (rrdc_flush), so each file
# is written once per cycle with one update, as at a 5-minute interval
# with the default -w 300, and that write is in rrdcached's CPU of the cycle.
rrdc_start() {
    local d=$1 base=$2
    rm -rf "$d"; mkdir -p "$d/journal" "$base"
    rrdcached -g -b "$base" -j "$d/journal" -l "unix:$d/sock" -p "$d/pid" \
        -w 3600 -f 7200 -t 4 -F > "$d/rrdcached.out" 2>&1 &
    RCPID=$!
    for _ in $(seq 100); do [ -S "$d/sock" ] && return 0; sleep 0.1; done
    echo "  rrdcached did not start:" >&2; tail -n 5 "$d/rrdcached.out" >&2
    return 1
}
rrdc_stop() {
    [ -n "${RCPID:-}" ] || return 0
    kill "$RCPID" 2>/dev/null || true
    wait "$RCPID" 2>/dev/null || true
    RCPID=""
}

# rrdc_flush SOCK WANT: FLUSHALL, then wait until rrdcached has written WANT
# updates since it started (the poller's "rrd updates" so far; QueueLength
# is 0 as soon as the last files are taken off the queue, before they are
# written).  Stops anyway when nothing is written for 3 s with an empty
# queue.  Prints the wall seconds, updates written and data sets written.
rrdc_flush() {
    $PY - "$1" "$2" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("r")
def cmd(line):
    s.sendall(line.encode() + b"\n")
    head = f.readline()
    n = int(head.split()[0])
    if n < 0:
        sys.exit("rrdcached %s: %s" % (line, head.strip()))
    return [f.readline() for _ in range(n)]
want = int(sys.argv[2])
t0 = time.time()
cmd("FLUSHALL")
last, since = -1, t0
while True:
    st = {}
    for l in cmd("STATS"):
        k, v = l.split(":", 1)
        st[k.strip()] = int(v)
    now = time.time()
    if st["UpdatesWritten"] != last:
        last, since = st["UpdatesWritten"], now
    if st["QueueLength"] == 0 and (last >= want or now - since > 3):
        break
    if now - t0 > 1200:
        sys.exit("rrdcached: flush timed out: %r" % st)
    time.sleep(0.02)
if last < want:
    print("rrdcached: %d updates written, %d sent" % (last, want), file=sys.stderr)
print("%.3f %d %d" % ((since if last < want else now) - t0, last, st["DataSetsWritten"]))
PYEOF
}

# K+1 cycles of `headroom poll` on a fresh database, RRD files written
# directly (MODE direct), through a private rrdcached (MODE rrdcached) or
# not at all (MODE norrd: what the SQLite history costs the poller).
# CPU: the poller's rusage (GNU time), plus rrdcached's /proc ticks across
# the cycle and its flush.  Per agent (N targets) and per device row (the
# HEADROOM-MIB fleet has several device rows per agent; the count is the
# cycle's "devices").
# shellcheck disable=SC2016 # times_median's awk programs
run_hr_cycles() {
    local scen=$1 R=$2 c=$3 mode=$4 tag label db rd t0 i x0 x1 xr fl rows ok sent u
    local addr=()
    tag=hr-c$c; label="headroom poll c=$c"
    [ "$mode" = rrdcached ] && { tag=hrc-c$c; label="headroom+rrdcached c=$c"; }
    [ "$mode" = norrd ] && { tag=hrn-c$c; label="headroom poll --no-rrd c=$c"; addr=(--no-rrd); }
    db="$R/$tag.db"; rd="$R/rrd-$tag"
    rm -rf "$db" "$db-wal" "$db-shm" "$rd"
    "$W/headroom" -q --db "$db" fleet import --add-customers "$R/targets.csv" > "$R/import.out" 2>&1 ||
        { echo "  headroom fleet import failed:" >&2; tail -n 5 "$R/import.out" >&2; return 0; }
    if [ "$mode" = rrdcached ]; then
        rrdc_start "$R/rrdcached-c$c" "$rd" || return 0
        addr=(-a "unix:$R/rrdcached-c$c/sock")
    fi
    : > "$R/$tag.times"
    # Five minutes apart on a fixed clock: cycles within one second would
    # store nothing (one sample per device and second).  On the RRD step,
    # so that the K steps after the first are whole in the 5-minute RRA.
    t0=$(( ($(date +%s) - 86400) / 300 * 300 ))
    sent=0
    for i in $(seq 0 "$K"); do
        x0=0; x1=0; xr=0; fl="0 0 0"
        [ -n "${RCPID:-}" ] && x0=$(ticks "$RCPID")
        HEADROOM_NOW="@$(( t0 + i * 300 ))" \
        /usr/bin/time -f "%e %U %S" -o "$R/time" "$W/headroom" -q --db "$db" poll \
            -R "$rd" "${addr[@]}" -c "$c" -T 1000 -r 1 --no-setback > "$R/$tag.$i.out" 2>&1 || true
        if [ -n "${RCPID:-}" ]; then
            xr=$(ticks "$RCPID")
            u=$(sed -n 's/^cycle: .* \([0-9]*\) rrd updates.*/\1/p' "$R/$tag.$i.out" | tail -n 1)
            sent=$(( sent + ${u:-0} ))
            fl=$(rrdc_flush "$R/rrdcached-c$c/sock" "$sent") || { echo "  rrdcached flush failed" >&2; fl="nan 0 0"; }
            x1=$(ticks "$RCPID")
        fi
        # GNU time puts "Command exited with non-zero status 4" first
        echo "$i $(tail -n 1 "$R/time") $(awk -v a="$x0" -v b="$x1" -v k="$CLK" 'BEGIN { printf "%.2f", (b - a) / k }') $fl" \
            "$(awk -v a="$x0" -v b="${xr:-0}" -v k="$CLK" 'BEGIN { printf "%.2f", (b - a) / k }')" >> "$R/$tag.times"
        # The first cycle wrote every RRD file whole (310 KB each): let the
        # kernel write that back now, not during the measured cycles.
        if [ "$i" = 0 ]; then
            /usr/bin/time -f "%e" -o "$R/sync.time" sync
            echo "  (sync after the first cycle: $(cat "$R/sync.time") s)" >&2
        fi
    done
    rows=$(sed -n 's/^cycle: .* ok, .* failed, \([0-9]*\) devices.*/\1/p' "$R/$tag.$K.out" | tail -n 1)
    ok=$(sed -n 's/^cycle: [0-9]* targets, \([0-9]*\) ok.*/\1/p' "$R/$tag.$K.out" | tail -n 1)
    [ -n "$rows" ] && [ "$rows" -gt 0 ] || rows=$N
    # cycle 0 creates every RRD file and registers every device
    # times: i wall user sys rrdcached-cpu flush-wall written datasets
    #        rrdcached-cpu-during-the-cycle (receiving, journal)
    awk -v n="$N" -v r="$rows" 'NR == 1 { printf "%s %.3f %.4f %.2f\n", $2, 1000 * ($3 + $4 + $5) / n, 1000 * ($3 + $4 + $5) / r, $6 }' \
        "$R/$tag.times" > "$R/$tag.first"
    read -r w0 a0 d0 f0 < "$R/$tag.first"
    [ "$mode" = norrd ] || result "$scen" "$label, first cycle" "$w0" "$a0" \
        "$d0 ms/device row; creates $(find "$rd" -name '*.rrd' | wc -l) RRD files$([ "$mode" = rrdcached ] && echo ", flush $f0 s")"
    # steady cycles: the median of each figure
    local w ap ar arr at dr fw
    w=$(times_median "$R/$tag.times" "$rows" 'print $2')
    ap=$(times_median "$R/$tag.times" "$rows" 'printf "%.4f\n", 1000 * ($3 + $4) / n')
    ar=$(times_median "$R/$tag.times" "$rows" 'printf "%.4f\n", 1000 * $5 / n')
    at=$(times_median "$R/$tag.times" "$rows" 'printf "%.4f\n", 1000 * ($3 + $4 + $5) / n')
    dr=$(times_median "$R/$tag.times" "$rows" 'printf "%.4f\n", 1000 * ($3 + $4 + $5) / r')
    fw=$(times_median "$R/$tag.times" "$rows" 'print $6')
    arr=$(times_median "$R/$tag.times" "$rows" 'printf "%.4f\n", 1000 * $9 / n')
    if [ "$mode" = rrdcached ]; then
        result "$scen" "$label" "$w" "$at" \
            "$dr ms/device row ($rows rows); poller $ap + rrdcached $ar ms/agent ($arr receiving, the rest writing); flush $fw s; ok ${ok:-?}/$N; median of $K; $(rrd_check "$rd" $(( t0 + K * 300 )))"
    elif [ "$mode" = norrd ]; then
        result "$scen" "$label" "$w" "$ap" "$dr ms/device row ($rows rows); ok ${ok:-?}/$N; median of $K"
    else
        result "$scen" "$label" "$w" "$ap" "$dr ms/device row ($rows rows); ok ${ok:-?}/$N; median of $K; $(rrd_check "$rd" $(( t0 + K * 300 )))"
    fi
    rrdc_stop
    # the RRD files take about 1.5 GB per 1,000 agents: keep the figures only
    rm -rf "$rd" "$db" "$db-wal" "$db-shm"
}

# times_median FILE ROWS AWK: the median over the steady cycles (lines 2..)
# of FILE of what AWK prints (n agents, r device rows)
times_median() { awk -v n="$N" -v r="$2" "NR > 1 { $3 }" "$1" | median; }

# Is the last cycle on disk?  One device's RRD file (read directly, not
# through rrdcached, after the flush): its last update must be the last
# cycle's time, with capacity and used known, and its 5-minute RRA must hold
# the K steps after the first.
rrd_check() {
    local rd=$1 tl=$2 f t cap used known
    f=$(find "$rd" -name '*.rrd' -print -quit)
    [ -n "$f" ] || { echo "RRD CHECK FAILED: no file"; return 0; }
    read -r t cap used < <(rrdtool lastupdate "$f" | awk 'NR == 3 { sub(":", "", $1); print $1, $2, $3 }') || true
    known=$(rrdtool fetch "$f" AVERAGE -r 300 -s $(( tl - K * 300 )) -e "$tl" |
        awk 'NR > 2 && $2 != "-nan" && $2 != "nan" { k++ } END { print k + 0 }')
    if [ "${t:-}" = "$tl" ] && [ "${cap:-U}" != U ] && [ "${used:-U}" != U ] && [ "$known" -ge "$K" ]; then
        echo "RRD check ok: $(basename "$f") last update $t, used $used, $known steps known"
    else
        echo "RRD CHECK FAILED: $(basename "$f") last update '${t:-}' (want $tl), capacity ${cap:-?} used ${used:-?}, $known/$K steps known"
    fi
}

run_engine() {
    local scen=$1 fleet=$2 R=$3 c i
    for c in $CONCS; do
        : > "$R/eng-c$c"
        for i in $(seq "$K"); do
            "$W/hr-polltest" -f "$fleet/fleet.csv" -q -R -c "$c" -t 1000 -r 1 | tail -n 1 >> "$R/eng-c$c" || true
        done
        result "$scen" "engine only (hr-polltest) c=$c" \
            "$(sed 's/.*wall_us=\([0-9]*\).*/\1/' "$R/eng-c$c" | awk '{ printf "%.3f\n", $1 / 1e6 }' | median)" \
            "$(sed 's/.*cpu_us=\([0-9]*\).*/\1/' "$R/eng-c$c" | awk -v n="$N" '{ printf "%.4f\n", $1 / 1000 / n }' | median)" \
            "(ok $(sed -n 's/.* ok=\([0-9]*\).*/\1/p' "$R/eng-c$c" | tail -n 1)/$N)"
    done
}

# The device profiles read by the hr scenario: hr-polltest, K cycles each,
# with detection (auto) and with the profile named (what a poller that
# kept the detected profile sends).
run_engine_profiles() {
    local scen=$1 fleet=$2 R=$3 mode i
    for mode in auto linux-host; do
        : > "$R/prof-$mode"
        for i in $(seq "$K"); do
            "$W/hr-polltest" -P "$TOP/profiles" -F "$mode" -f "$fleet/fleet.csv" -q -R -c 512 \
                -t 1000 -r 1 > "$R/prof-$mode.out" || true
            echo "$(tail -n 1 "$R/prof-$mode.out") req=$(awk -F'\t' '$1 == "T" { s += $7 } END { print s }' \
                "$R/prof-$mode.out") read=$(grep -c '^P' "$R/prof-$mode.out")" >> "$R/prof-$mode"
        done
        result "$scen" "engine, profile $mode c=512" \
            "$(sed 's/.*wall_us=\([0-9]*\).*/\1/' "$R/prof-$mode" | awk '{ printf "%.3f\n", $1 / 1e6 }' | median)" \
            "$(sed 's/.*cpu_us=\([0-9]*\).*/\1/' "$R/prof-$mode" | awk -v n="$N" '{ printf "%.4f\n", $1 / 1000 / n }' | median)" \
            "($(sed 's/.* req=\([0-9]*\).*/\1/' "$R/prof-$mode" | awk -v n="$N" '{ printf "%.1f\n", $1 / n }' | median) requests/device, read $(sed -n 's/.* read=\([0-9]*\).*/\1/p' "$R/prof-$mode" | tail -n 1)/$N)"
    done
}

# collectd's Data blocks, types and Collect list for a fleet, in DIR:
# cd_hdrm, our table's columns as headroom's RRD DS (capacity, used, peak
# writes, writes completed); cd_hostres, hrStorageTable (size, used,
# allocation unit, by hrStorageDescr) and diskIOTable (diskIOWrites, by
# diskIODevice), what the host-resources and ucd-diskio profiles read.
# Both with sysUpTime.
cd_hdrm() {
    local cap used peak writes serial
    oid() { awk -v n="HDRM_OID_$1" '$2 == n { gsub(",", ".", $3); print $3 }' "$B/gen/hdrm_oids.h"; }
    cap=$(oid hdrmDevCapacity); used=$(oid hdrmDevUsed); peak=$(oid hdrmDevPeakWrites)
    writes=$(oid hdrmDevWrites); serial=$(oid hdrmDevSerial)
    echo "hdrm_dev capacity:GAUGE:0:U, used:GAUGE:0:U, peak:GAUGE:0:U, writes:DERIVE:0:U" > "$1/types.db"
    printf '  <Data "devtable">\n    Type "hdrm_dev"\n    Table true\n    TypeInstanceOID "%s"\n' "$serial" > "$1/data"
    printf '    Values "%s" "%s" "%s" "%s"\n  </Data>\n' "$cap" "$used" "$peak" "$writes" >> "$1/data"
    echo '"uptime" "devtable"' > "$1/collect"
}
cd_hostres() {
    printf 'hr_stor size:GAUGE:0:U, used:GAUGE:0:U, unit:GAUGE:0:U\nhr_dio writes:DERIVE:0:U\n' > "$1/types.db"
    {
        printf '  <Data "hrstorage">\n    Type "hr_stor"\n    Table true\n'
        printf '    TypeInstanceOID "1.3.6.1.2.1.25.2.3.1.3"\n'
        printf '    Values "1.3.6.1.2.1.25.2.3.1.5" "1.3.6.1.2.1.25.2.3.1.6" "1.3.6.1.2.1.25.2.3.1.4"\n  </Data>\n'
        printf '  <Data "diskio">\n    Type "hr_dio"\n    Table true\n'
        printf '    TypeInstanceOID "1.3.6.1.4.1.2021.13.15.1.1.2"\n'
        printf '    Values "1.3.6.1.4.1.2021.13.15.1.1.6"\n  </Data>\n'
    } > "$1/data"
    echo '"uptime" "hrstorage" "diskio"' > "$1/collect"
}

# collectd's snmp plugin (Data blocks from DATAFN: cd_hdrm, cd_hostres) +
# sysUpTime, RRD files via the rrdtool plugin.  Timing and requests from a
# capture of the fleet traffic (pcap_cycles.py), CPU from /proc/PID/stat,
# as ../shared/bench does.
run_collectd() {
    local scen=$1 fleet=$2 R=$3 threads=$4 datafn=$5 C cpid tpid spid total
    C="$R/collectd-$threads"
    rm -rf "$C"; mkdir -p "$C/rrd" "$C/base"
    "$datafn" "$C"
    {
        printf 'Hostname "bench"\nFQDNLookup false\nBaseDir "%s/base"\nPIDFile "%s/collectd.pid"\n' "$C" "$C"
        printf 'PluginDir "/usr/lib/collectd"\nTypesDB "/usr/share/collectd/types.db" "%s/types.db"\n' "$C"
        printf 'Interval %s\nReadThreads %s\n' "$IV" "$threads"
        printf 'LoadPlugin logfile\n<Plugin logfile>\n  LogLevel info\n  File "%s/collectd.log"\n</Plugin>\n' "$C"
        printf 'LoadPlugin snmp\nLoadPlugin rrdtool\n<Plugin rrdtool>\n  DataDir "%s/rrd"\n' "$C"
        printf '  RRARows 360\n  RRATimespan 3600\n  RRATimespan 86400\n</Plugin>\n'
        printf '<Plugin snmp>\n  <Data "uptime">\n    Type "uptime"\n    Table false\n    Scale 0.01\n'
        printf '    Values "1.3.6.1.2.1.1.3.0"\n  </Data>\n'
        cat "$C/data"
        awk -F, -v coll="$(cat "$C/collect")" 'NR > 1 { printf "  <Host \"%s\">\n    Address \"%s:%s\"\n    Version 2\n    Community \"%s\"\n    Collect %s\n    Timeout 1\n    Retries 1\n    BulkSize 40\n  </Host>\n", $5, $3, $4, $5, coll }' "$fleet/fleet.csv"
        printf '</Plugin>\n'
    } > "$C/collectd.conf"
    collectd -t -C "$C/collectd.conf" || { echo "  collectd config test failed" >&2; return 0; }
    tcpdump -i lo -n -s 256 -U -w "$C/fleet.pcap" "udp and port $PORT" > "$C/tcpdump.out" 2>&1 &
    tpid=$!
    for _ in $(seq 50); do grep -q listening "$C/tcpdump.out" 2>/dev/null && break; sleep 0.1; done
    collectd -f -C "$C/collectd.conf" > "$C/collectd.out" 2>&1 &
    cpid=$!
    total=$(( (K + 2) * IV + 2 ))
    (
        end=$(( $(date +%s) + total ))
        while [ "$(date +%s)" -lt "$end" ]; do
            echo "$(date +%s.%N) $(awk '{ sub(/.*\) /, ""); printf "%d", $12 + $13 }' "/proc/$cpid/stat" 2>/dev/null || echo 0)"
            sleep 0.2
        done
    ) > "$C/cpu.log" &
    spid=$!
    wait "$spid" || true
    kill "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true
    sleep 0.5
    kill "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true
    $PY "$HERE/pcap_cycles.py" "$C/fleet.pcap" --ports "$PORT-$PORT" --gap 3 \
        --cpu "$C/cpu.log" --cpu-names collectd > "$C/cycles.txt" 2>&1 || true
    # cycles 2..K+1 (cycle 1 creates the RRD files); CPU needs a next cycle
    local line
    line=$(awk -v k="$K" -v n="$N" -v hz="$(getconf CLK_TCK)" 'NR > 1 && $1 > 1 && $1 <= k + 1 {
            d[++m] = $3; q[m] = $6; if (NF >= 11) c[m] = $11 }
        END { if (!m) { print "nan nan nan"; exit }
            for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) {
                if (d[j] < d[i]) { t = d[i]; d[i] = d[j]; d[j] = t }
                if (q[j] < q[i]) { t = q[i]; q[i] = q[j]; q[j] = t }
                if (c[j] < c[i]) { t = c[i]; c[i] = c[j]; c[j] = t } }
            h = int((m + 1) / 2)
            printf "%.3f %.4f %.1f\n", d[h], (c[h] == "" ? "nan" : 1000 * c[h] / n), q[h] / n }' \
        "$C/cycles.txt")
    set -- $line
    result "$scen" "collectd ReadThreads=$threads BulkSize=40" "$1" "$2" \
        "($3 requests/device, $(find "$C/rrd" -name '*.rrd' | wc -l) RRD files)"
    rm -rf "$C/rrd" "$C/fleet.pcap"
}

run_walkloop() {
    local scen=$1 fleet=$2 R=$3 n=$N table
    table=$(awk '$2 == "HDRM_OID_hdrmDeviceTable" { gsub(",", ".", $3); print $3 }' "$B/gen/hdrm_oids.h")
    [ "$scen" = lo ] || n=$WALKN
    awk -F, -v n="$n" 'NR > 1 && NR <= n + 1 { print $5 }' "$fleet/fleet.csv" > "$R/walk.list"
    /usr/bin/time -f "%e %U %S" -o "$R/walk.time" bash -c '
        while read -r c; do
            snmpbulkwalk -v2c -c "$c" -t 1 -r 1 -Cr25 "127.0.0.1:'"$PORT"'" '"$table"' > /dev/null 2>&1 || true
        done < "'"$R/walk.list"'"' || true
    read -r w u s < "$R/walk.time"
    result "$scen" "snmpbulkwalk loop" \
        "$(awk -v w="$w" -v n="$n" -v N="$N" 'BEGIN { printf "%.3f", w * N / n }')" \
        "$(awk -v u="$u" -v s="$s" -v n="$n" 'BEGIN { printf "%.3f", 1000 * (u + s) / n }')" \
        "$([ "$n" = "$N" ] || echo "(measured on $n devices, scaled to $N)")"
}

# ---------------------------------------------------------------- outer run
setup() {
    local need=()
    command -v collectd > /dev/null || need+=(collectd-core)
    command -v tcpdump > /dev/null || need+=(tcpdump)
    command -v rrdcached > /dev/null || need+=(rrdcached)
    command -v rrdtool > /dev/null || need+=(rrdtool)
    command -v iptables-legacy > /dev/null || need+=(iptables)
    [ -e /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || need+=(libnetfilter-queue-dev)
    if [ ${#need[@]} -gt 0 ]; then
        echo "bench/poll.sh: installing ${need[*]}" >&2
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}" > "$W/apt.log" 2>&1 ||
            { DEBIAN_FRONTEND=noninteractive $sudo apt-get update > /dev/null 2>&1 &&
              DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}" > "$W/apt.log" 2>&1; } ||
            { echo "bench/poll.sh: apt-get install failed, see $W/apt.log" >&2; exit 1; }
    fi
    make -C "$TOP" B="$B" "$B/tests/hr-polltest" > "$W/make.log" 2>&1 ||
        { echo "bench/poll.sh: build failed, see $W/make.log" >&2; exit 1; }
    make -C "$TOP" B="$B" "$B/headroom" >> "$W/make.log" 2>&1 ||
        echo "bench/poll.sh: build/headroom did not rebuild (see $W/make.log); using the one there" >&2
    # Snapshots: a rebuild in the tree during the run cannot change them.
    cp "$B/tests/hr-polltest" "$W/hr-polltest"
    rm -f "$W/headroom"
    if [ -x "$B/headroom" ] && "$B/headroom" poll --help > /dev/null 2>&1; then
        cp "$B/headroom" "$W/headroom"
    fi
    gcc -O2 -Wall -o "$W/fastsim" "$HERE/fastsim.c" -lm
    $PY "$TOP/tests/fleet/gen_fleet.py" --out "$W/fleet" --oids "$B/gen/hdrm_oids.h" --agents "$N" \
        --customers 20 --dead 0 --nomib 0 --no-special --prefix dev --port "$PORT"
    $PY "$TOP/tests/fleet/gen_fleet.py" --out "$W/fleet_dead5" --oids "$B/gen/hdrm_oids.h" --agents "$N" \
        --customers 20 --dead $((N / 20)) --nomib 0 --no-special --prefix dev --port "$PORT"
    case " $SCEN " in *" hr "*) hr_fleet ;; esac
}

# The hr fleet: N copies of the walk of a real Linux host (hrStorageTable,
# diskIOTable, no ENTITY-MIB), one community each.
hr_fleet() {
    local walk="$TOP/../shared/walks/mur__localhost.snmprec" i
    rm -rf "$W/hrfleet"
    if [ ! -f "$walk" ]; then
        echo "bench/poll.sh: $walk is absent: scenario hr skipped" >&2
        SCEN=${SCEN//hr/}
        return 0
    fi
    mkdir -p "$W/hrfleet/walk" "$W/hrfleet/data"
    cp "$walk" "$W/hrfleet/walk/"
    $PY "$TOP/tests/profiles/prep_walks.py" "$W/hrfleet/walk" "$W/hrfleet/prep"
    echo "customer_id,customer_name,address,port,community" > "$W/hrfleet/fleet.csv"
    : > "$W/hrfleet/expect.tsv"
    for i in $(seq "$N"); do
        ln -s "$W/hrfleet/prep/mur__localhost.snmprec" "$W/hrfleet/data/host$i.snmprec"
        echo "c$((i % 20)),Customer $((i % 20)),127.0.0.1,$PORT,host$i" >> "$W/hrfleet/fleet.csv"
        echo "host$i" >> "$W/hrfleet/expect.tsv"
    done
}

report() {
    local s
    echo
    echo "== bench/poll.sh: $N devices, fastsim, Timeout 1 s, Retries 1; $(nproc) CPUs; $(date -u +%F)"
    echo "   collectd $(dpkg-query -W -f='${Version}' collectd-core 2>/dev/null || echo '?'), net-snmp $(net-snmp-config --version)"
    for s in $SCEN; do
        [ -s "$W/$s/results" ] || continue
        echo
        case $s in
            lo) echo "-- loopback" ;;
            rtt50) echo "-- 50 ms round trip (netns + nfq_delay)" ;;
            dead5) echo "-- 50 ms round trip, 5% dead devices" ;;
            hr) echo "-- loopback, host-resources + ucd-diskio devices read through the profiles" ;;
        esac
        awk -F'|' '{ printf "  %-42s cycle %8s s   CPU %8s ms/agent poll  %s [load %s]\n", $2, $3, $4, $5, $6 }' "$W/$s/results"
        if [ "$s" = hr ]; then
            awk -F'|' '
                { match($5, /[0-9.]+ requests/); q = substr($5, RSTART, RLENGTH - 9) }
                $2 ~ /profile auto/ { aq = q } $2 ~ /profile linux-host/ { nq = q } $2 ~ /collectd/ { cq = q }
                END { if (cq > 0) printf "  requests per device vs collectd: auto %.2fx, named %.2fx\n", aq / cq, nq / cq }' \
                "$W/$s/results"
            continue
        fi
        awk -F'|' -v c1="${CONCS%% *}" '
            function r(a, b) { return (a > 0 && b > 0) ? sprintf("%.1fx", a / b) : "n/a" }
            $2 == "headroom poll c=" c1 { hw = $3; hc = $4 }
            $2 == "headroom+rrdcached c=" c1 { rw = $3; rc = $4; match($5, /[0-9.]+ ms\/device row \([0-9]+ rows/)
                split(substr($5, RSTART, RLENGTH), f, /[ (]+/); rr = f[1]; rows = f[4] }
            $2 ~ /ReadThreads=50 / { c50w = $3; c50c = $4 }
            $2 ~ /ReadThreads=200 / { c200w = $3; c200c = $4 }
            $2 ~ /snmpbulkwalk/ { ww = $3; wc = $4 }
            END {
                printf "  ratios (peer / headroom poll c=%s): cycle: collectd-50 %s, collectd-200 %s, walk loop %s;", c1, r(c50w, hw), r(c200w, hw), r(ww, hw)
                printf " CPU: collectd-50 %s, collectd-200 %s, walk loop %s\n", r(c50c, hc), r(c200c, hc), r(wc, hc)
                if (rw != "") {
                    printf "  ratios (peer / headroom+rrdcached c=%s): cycle: collectd-50 %s, collectd-200 %s;", c1, r(c50w, rw), r(c200w, rw)
                    printf " CPU: collectd-50 %s, collectd-200 %s\n", r(c50c, rc), r(c200c, rc)
                    n = '"$N"'
                    printf "  headroom+rrdcached c=%s: %s ms CPU per agent, %s ms per device row (%s rows, %.2f per agent)", c1, rc, rr, rows, rows / n
                    if (c200c > 0) printf "; collectd-200 %.4f ms per device row", c200c * n / rows
                    printf "\n"
                }
            }' "$W/$s/results"
        [ -s "$W/$s/fastsim" ] && sed 's/^ */  /' "$W/$s/fastsim"
    done
    echo
    echo "goals: <= 0.15 ms CPU per device poll (with RRD + history); at 50 ms RTT a cycle < 0.5 s,"
    echo "       and < 2.5 s with 5% dead devices; profiles: <= 0.25 ms CPU per device poll and"
    echo "       at most 2x collectd's requests per device"
}

main() {
    while getopts "n:k:s:c:i:w:S:CXh" o; do
        case $o in
            n) N=$OPTARG ;; k) K=$OPTARG ;; s) SCEN=$OPTARG ;; c) CONCS=$OPTARG ;;
            i) IV=$OPTARG ;; w) WALKN=$OPTARG ;; S) NSIM=$OPTARG ;; C) NOCD=1 ;;
            X) NORRDC=1 ;; h) usage; exit 0 ;;
            *) usage >&2; exit 2 ;;
        esac
    done
    [ -n "$IV" ] || IV=$(( N > 2000 ? N / 500 : 10 ))
    [ "$(id -u)" = 0 ] || { echo "bench/poll.sh: needs root (network namespaces)" >&2; exit 1; }
    mkdir -p "$W"
    setup
    local s args=(-n "$N" -k "$K" -c "$CONCS" -i "$IV" -w "$WALKN" -S "$NSIM")
    [ "$NOCD" = 1 ] && args+=(-C)
    [ "$NORRDC" = 1 ] && args+=(-X)
    for s in $SCEN; do
        echo "bench/poll.sh: scenario $s" >&2
        rm -rf "${W:?}/$s"
        case $s in
            # loopback too runs in a private namespace (no added delay): the
            # fleet port cannot collide with anything else on the machine.
            lo) "$HERE/netns_latency.sh" -D 0 -p "$PORT:$PORT" -- "$0" "${args[@]}" --inner lo "$W/fleet" ;;
            rtt50) "$HERE/netns_latency.sh" -D 50 -p "$PORT:$PORT" -- "$0" "${args[@]}" --inner rtt50 "$W/fleet" ;;
            dead5) "$HERE/netns_latency.sh" -D 50 -p "$PORT:$PORT" -- "$0" "${args[@]}" --inner dead5 "$W/fleet_dead5" ;;
            hr) "$HERE/netns_latency.sh" -D 0 -p "$PORT:$PORT" -- "$0" "${args[@]}" --inner hr "$W/hrfleet" ;;
            *) echo "bench/poll.sh: unknown scenario $s" >&2; exit 2 ;;
        esac
    done
    report | tee "$W/report.txt"
}

# "--inner SCEN FLEET" after the options: the part that runs in the namespace.
for ((i = 1; i <= $#; i++)); do
    if [ "${!i}" = --inner ]; then
        j=$((i + 1)); k=$((i + 2))
        sc=${!j}; fl=${!k}
        set -- "${@:1:i-1}"
        while getopts "n:k:s:c:i:w:S:CX" o; do
            case $o in n) N=$OPTARG ;; k) K=$OPTARG ;; c) CONCS=$OPTARG ;; i) IV=$OPTARG ;;
                       w) WALKN=$OPTARG ;; S) NSIM=$OPTARG ;; C) NOCD=1 ;; X) NORRDC=1 ;; *) ;; esac
        done
        inner "$sc" "$fl"
        exit 0
    fi
done
main "$@"
