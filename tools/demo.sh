#!/bin/bash
# demo.sh: the main job of headroom on this machine, end to end, on embedded
# defaults.  Run by `make demo` after the build.  Everything it starts (a
# private snmpd, headroomd, an snmpsim fleet, an SMTP server) listens on
# 127.0.0.1 only and is stopped when the demo ends, also on failure or ^C.
# Its files are kept in $DEMO_DIR (default: build/demo) for you to look at.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B="$TOP/$B" ;; esac
DEMO_DIR=${DEMO_DIR:-$B/demo}
export TOP B
# The tests' helpers (private snmpd, free ports, cleanup) serve the demo too.
export TMPDIR=${TMPDIR:-/tmp}
. "$TOP/tests/lib.sh"
ok() { :; }; not_ok() { echo "demo: $*" >&2; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die()  { echo "demo: $*" >&2; exit 1; }

rm -rf "$DEMO_DIR"; mkdir -p "$DEMO_DIR"

step "1. snmpd (AgentX master, private, 127.0.0.1) + headroomd on this machine's disks"
start_snmpd || die "snmpd did not start (see $SNMPD_DIR/snmpd.log)"
echo "snmpd listening on udp:127.0.0.1:$SNMPD_PORT, AgentX socket $AGENTX"
spawn "$B/headroomd" -f -x "$AGENTX" -C --state-dir "$DEMO_DIR/headroomd-state" \
      -Lf "$DEMO_DIR/headroomd.log"
HEADROOMD_PID=$LAST_PID
wait_for 10 sh -c "snmpget -v2c -c public -t 0.5 -r 0 -M '$MIBPATH' -m HEADROOM-STORAGE-MIB 127.0.0.1:$SNMPD_PORT HEADROOM-STORAGE-MIB::hdrmDeviceCount.0 | grep -q Gauge32" ||
    die "headroomd did not register with snmpd (see $DEMO_DIR/headroomd.log)"
echo "headroomd registered (pid $HEADROOMD_PID)"

step "2. The HEADROOM-STORAGE-MIB as a manager sees it"
snmp_v2 snmpwalk HEADROOM-STORAGE-MIB::hdrmAgent
echo
snmp_v2 snmptable -Cb -Ci -Cw 200 HEADROOM-STORAGE-MIB::hdrmDeviceTable
echo
snmp_v2 snmptable -Cb -Ci -Cw 200 HEADROOM-STORAGE-MIB::hdrmVolumeTable

step "Done"
echo "headroomd log: $DEMO_DIR/headroomd.log"
