# tests/lib.sh: shared helpers for headroom's shell integration tests.
# Source it first thing:  . "$(dirname "$0")/../lib.sh"   (or ./lib.sh)
#
# Gives: TOP, B, T (a private temp dir removed on exit), TAP output helpers,
# free loopback ports, background processes that are always stopped, and a
# private snmpd AgentX master.  Nothing here touches the system snmpd or any
# address outside 127.0.0.0/8.

set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
B=${B:-build}
case $B in /*) ;; *) B="$TOP/$B" ;; esac
export TOP B
BASEMIBS="$TOP/.deps/mibs"
MIBPATH="$BASEMIBS:$B/mib"
# Debian's python3 carries snmpsim and aiosmtpd; a pyenv python3 on PATH
# does not.
PY=/usr/bin/python3
# net-snmp tools: our MIB and the base modules only; no system snmp.conf.
export SNMPCONFPATH=/nonexistent MIBDIRS="$MIBPATH" MIBS=HEADROOM-STORAGE-MIB
SNMPOPTS=(-M "$MIBPATH" -m HEADROOM-STORAGE-MIB)

T=$(mktemp -d "${TMPDIR:-/tmp}/hrtest.XXXXXX")
_pids=()
_cleanup() {
    local p
    for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${_pids[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    wait 2>/dev/null
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

_nok=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; _nok=$((_nok + 1)); }
diag()   { echo "# $*"; }
# check NAME CMD...: ok if CMD succeeds.
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }
# is NAME GOT WANT
is() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1"; diag "got  '$2'"; diag "want '$3'"; fi
}
# like NAME GOT REGEX
like() {
    if [[ $2 =~ $3 ]]; then ok "$1"; else not_ok "$1"; diag "got  '$2'"; diag "want /$3/"; fi
}
done_testing() { [ "$_nok" -eq 0 ]; }

# free_port [udp|tcp]: a port free on 127.0.0.1 right now.
free_port() {
    $PY - "${1:-udp}" <<'PY'
import socket, sys
t = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, t); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# spawn CMD...: run in the background, stopped at exit; sets LAST_PID.
spawn() { "$@" & LAST_PID=$!; _pids+=("$LAST_PID"); }
# stop PID: TERM, wait, KILL.
stop() {
    local p=$1
    kill "$p" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    return 0
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.  CMD is
# run again each time: give it a function, not a "$(...)" expanded once.
# Giving up leaves a "# wait_for gave up" line in the log: a wait that runs
# out its time is where a test file loses seconds.
wait_for() {
    local s=$1 n=$(( $1 * 10 )); shift
    while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
    echo "# wait_for gave up after $s s: $*"
    return 1
}

# start_snmpd: a private snmpd as AgentX master on 127.0.0.1:$SNMPD_PORT with
# the AgentX socket $AGENTX (both chosen here), communities public (read)
# and private (read, and SET of hdrmDevRegNumber only: a VACM write view,
# as headroomd(8) shows), and an SNMPv3 user 'hruser' (SHA/AES, passphrases
# 'hrauthpass'/'hrprivpass'; the same views).  The community 'subagenttest'
# may SET anything: only for tests of headroomd's own refusals, which the
# VACM view would otherwise answer first.  Sets SNMPD_PID, SNMPD_PORT,
# AGENTX, SNMPD_DIR.
start_snmpd() {
    SNMPD_DIR="$T/snmpd"
    mkdir -p "$SNMPD_DIR/persist"
    SNMPD_PORT=${SNMPD_PORT:-$(free_port udp)}
    AGENTX="$SNMPD_DIR/agentx.sock"
    cat > "$SNMPD_DIR/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$SNMPD_PORT
master agentx
agentXSocket unix:$AGENTX
agentXPerms 0660 0770
agentXTimeout 5
rocommunity public 127.0.0.1
# VACM: read everything, SET only the registration-number column
view    hrAll     included .1
view    hrRegSet  included .1.3.6.1.4.1.${ENTERPRISE:-32473}.1.2.1.25
com2sec hrWriter  127.0.0.1 private
com2sec hrAnyW    127.0.0.1 subagenttest
group   hrWriters v1  hrWriter
group   hrWriters v2c hrWriter
group   hrAnyWs   v2c hrAnyW
createUser hruser SHA hrauthpass AES hrprivpass
group   hrWriters usm hruser
access  hrWriters "" v1  noauth exact hrAll hrRegSet none
access  hrWriters "" v2c noauth exact hrAll hrRegSet none
access  hrWriters "" usm priv   exact hrAll hrRegSet none
access  hrAnyWs   "" v2c noauth exact hrAll hrAll    none
sysObjectID .1.3.6.1.4.1.${ENTERPRISE:-32473}.3.1
sysLocation headroom test
sysContact test@localhost
${SNMPD_EXTRA_CONF:-}
CONF
    SNMP_PERSISTENT_DIR="$SNMPD_DIR/persist" \
    spawn snmpd -f -C -c "$SNMPD_DIR/snmpd.conf" -Lf "$SNMPD_DIR/snmpd.log" \
        -p "$SNMPD_DIR/snmpd.pid" -M "$MIBPATH" -m ""
    SNMPD_PID=$LAST_PID
    if ! wait_for 10 test -S "$AGENTX"; then
        diag "snmpd did not create $AGENTX"; sed 's/^/# /' "$SNMPD_DIR/snmpd.log"; return 1
    fi
    wait_for 10 snmpget -v2c -c public -t 0.5 -r 0 "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" .1.3.6.1.2.1.1.3.0
}

# snmp_v2 CMD ARGS...: run a net-snmp tool against the private snmpd.
snmp_v2() { local c=$1; shift; "$c" -v2c -c public -t 2 -r 1 "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" "$@"; }

# hd_ready: headroomd serves at least one device through the private snmpd
# (for wait_for after starting it).
hd_ready() { [[ $(snmp_v2 snmpget -OUqv HEADROOM-STORAGE-MIB::hdrmDeviceCount.0 2>&1) =~ ^[1-9] ]]; }

# start_headroomd ROOT CONF: the fixture tree (tests/subagent/mkfixture.sh)
# in ROOT, the private snmpd (start_snmpd) and headroomd on it with config
# file CONF, state in $T/state and log in $T/headroomd.log, until it serves
# (hd_ready).  0, or 1 after a "not ok" line saying which step failed (and
# headroomd's log when it never served).
start_headroomd() {
    "$TOP/tests/subagent/mkfixture.sh" "$1" || { not_ok "fixture"; return 1; }
    start_snmpd || { not_ok "snmpd started"; return 1; }
    spawn "$B/headroomd" -f -C -c "$2" -x "$AGENTX" --root "$1" \
        --state-dir "$T/state" -Lf "$T/headroomd.log"
    wait_for 15 hd_ready ||
        { not_ok "headroomd serves"; sed 's/^/# /' "$T/headroomd.log"; return 1; }
}

# rrd_unreadable FILE...: print how many of FILE... rrdtool cannot read
# (`rrdtool info`), with one rrdtool process for the lot (a process per file
# took seconds for a fleet's files); a name with blanks is tried alone.
rrd_unreadable() {
    local f bad=0 plain=()
    for f in "$@"; do
        case $f in
            *[[:space:]\"\'\\]*) rrdtool info "$f" > /dev/null 2>&1 || bad=$((bad + 1)) ;;
            *) plain+=("$f") ;;
        esac
    done
    if [ "${#plain[@]}" -gt 0 ]; then
        f=$(printf 'info %s\n' "${plain[@]}" | rrdtool - 2>/dev/null | grep -c '^OK ')
        bad=$((bad + ${#plain[@]} - f))
    fi
    echo "$bad"
}

# skip NAME WHY: a check that cannot run here; run.sh counts it apart.
skip() { echo "ok - $1 # SKIP $2"; }
