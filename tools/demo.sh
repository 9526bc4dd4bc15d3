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
echo
echo "check_headroom, its SNMPv3 passphrases from a credentials file (-F; mode 0600):"
(umask 077; printf 'authpasswd hrauthpass\nprivpasswd hrprivpass\n' > "$DEMO_DIR/check_headroom.cred")
"$B/check_headroom" -H 127.0.0.1 -p "$SNMPD_PORT" -P 3 -U hruser -L authPriv \
    -F "$DEMO_DIR/check_headroom.cred" -w 95 -c 98

H() { "$B/headroom" --db "$DB" "$@"; }
DB="$DEMO_DIR/headroom.db"
RRD="$DEMO_DIR/rrd"
FLEET="$DEMO_DIR/fleet"
MAILDIR_CAPTURE="$DEMO_DIR/mail"
export HEADROOM_RULES="$TOP/rules/default.rules"
# The device profiles from the tree (installed: $(DATADIR)/headroom/profiles).
export HEADROOM_PROFILE_DIRS="$TOP/profiles"

step "3. A simulated customer fleet (snmpsim on 127.0.0.1): our MIB, a Synology, a TrueNAS, a Linux host"
SIM_PORT=$(free_port udp)
$PY "$TOP/demo/gen_demo.py" --out "$FLEET" --port "$SIM_PORT" --oids "$B/gen/hdrm_oids.h" ||
    die "could not generate the demo fleet"
# snmpsimd drops root for nobody: it must reach its data, which a checkout
# in a directory only its owner may enter (root's home, mktemp -d) would
# hide.  It serves a copy in the demo's private temporary directory, which
# is opened to traversal only (lib.sh removes it at the end).
SIMD="$T/snmpsim"
mkdir -p "$SIMD/cache"
cp -r "$FLEET/data" "$SIMD/data"
chmod 711 "$T"; chmod -R a+rX "$SIMD"; chmod 777 "$SIMD/cache"
spawn $PY /usr/bin/snmpsimd --data-dir="$SIMD/data" --cache-dir="$SIMD/cache" \
    --agent-udpv4-endpoint="127.0.0.1:$SIM_PORT" \
    --process-user=nobody --process-group=nogroup --logging-method=null \
    > "$FLEET/snmpsim.log" 2>&1
wait_for 30 snmpget -v2c -c acme-dc1 -t 0.3 -r 0 "127.0.0.1:$SIM_PORT" .1.3.6.1.2.1.1.3.0 ||
    die "snmpsimd did not answer (see $FLEET/snmpsim.log)"
echo "snmpsimd serves $(ls "$FLEET/data" | wc -l) agents on udp:127.0.0.1:$SIM_PORT (plus one dead one);"
echo "three of them do not run headroomd: they are read through the device profiles"
echo "(profiles/*.profile; try: $B/headroom profiles test -p $SIM_PORT -c acme-synology 127.0.0.1)"

H db init
H customers import "$TOP/demo/customers.csv"
H staff import "$TOP/demo/staff.csv"
H catalog import "$TOP/demo/catalog.csv"
H catalog import --firmware "$TOP/demo/firmware.csv"
H stock import "$TOP/demo/stock.csv"
H fleet import "$FLEET/fleet.csv"
# This machine's own headroomd, over SNMPv3 authPriv with write access, so
# the registration number can be written back to it.  The passphrases come
# from files only their owner can read, not from options every user sees
# in ps (see docs/collector.md).
(umask 077; printf 'hrauthpass\n' > "$DEMO_DIR/v3-auth-pass"; printf 'hrprivpass\n' > "$DEMO_DIR/v3-priv-pass")
H fleet add --name this-host --customer OWNIT --address 127.0.0.1 --port "$SNMPD_PORT" \
    --version 3 --v3-user hruser --v3-auth-pass-file "$DEMO_DIR/v3-auth-pass" \
    --v3-priv-pass-file "$DEMO_DIR/v3-priv-pass" --v3-write ||
    die "could not add this host as a target"
H fleet list

step "4. History: 60 days of daily samples backfilled from CSV (headroom history import)"
H history import "$FLEET/history.csv"

step "5. A real poll of every target (profiles detected; the dead one costs its timeout once)"
H poll --rrd-dir "$RRD"
echo
H fleet list
echo
H history --device AC1-AR100-0001 --since "$(date -u -d '-5 days' +%F)"

step "6. Rules: what fires and why (nothing is sent by this step)"
H rules eval --rules "$HEADROOM_RULES"

step "7. Proposals, stock check and mail to the right sales person"
SMTP_PORT=$(free_port tcp)
mkdir -p "$MAILDIR_CAPTURE"
spawn $PY "$TOP/tests/mail/smtpd_capture.py" --port "$SMTP_PORT" --dir "$MAILDIR_CAPTURE" \
    --ready "$MAILDIR_CAPTURE/ready"
wait_for 20 test -e "$MAILDIR_CAPTURE/ready" || die "the local SMTP server did not start"
echo "local SMTP server (aiosmtpd) on 127.0.0.1:$SMTP_PORT, writing to $MAILDIR_CAPTURE"
H propose --rules "$HEADROOM_RULES" --rrd-dir "$RRD" --fallback "fallback-sales@example.com" \
    --from "headroom-demo@example.com" --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" --starttls off
echo
H proposals
echo
H stock check EXP-AR-100-SHELF

step "8. Reports"
REPORTS="$DEMO_DIR/reports"
mkdir -p "$REPORTS"
H report fleet --format html --out "$REPORTS" --rrd-dir "$RRD" >/dev/null
for c in ACME MUELLER GLOBEX INITECH; do
    H report customer "$c" --format html --out "$REPORTS" --rrd-dir "$RRD" >/dev/null
done
H report fleet --rrd-dir "$RRD" --width 110

step "Done: where to look"
printf '%-28s %s\n' "mail received by sales:" "$MAILDIR_CAPTURE/msg-*.eml"
for f in "$MAILDIR_CAPTURE"/msg-*.json; do
    [ -e "$f" ] || continue
    $PY - "$f" "${f%.json}.eml" <<'PY'
import json, sys, email
from email import policy
j = json.load(open(sys.argv[1]))
m = email.message_from_binary_file(open(sys.argv[2], "rb"), policy=policy.default)
print("  %-40s -> %s" % (str(m["Subject"])[:80], ", ".join(j.get("rcpt_tos", j.get("recipients", [])))))
PY
done
printf '%-28s %s\n' "fleet report (HTML):" "$REPORTS/fleet.html"
printf '%-28s %s\n' "customer reports (HTML):" "$REPORTS/report-*.html"
printf '%-28s %s\n' "database:" "$DB"
printf '%-28s %s\n' "RRD files:" "$RRD/"
printf '%-28s %s\n' "headroomd log:" "$DEMO_DIR/headroomd.log"
echo
echo "summary:"
sqlite3 -box "$DB" "SELECT c.name AS customer, count(DISTINCT d.id) AS devices,
    (SELECT count(*) FROM proposals p JOIN devices d2 ON d2.id = p.device_id WHERE d2.customer = c.id) AS proposals,
    (SELECT group_concat(DISTINCT p.state) FROM proposals p JOIN devices d2 ON d2.id = p.device_id WHERE d2.customer = c.id) AS states
    FROM customers c LEFT JOIN devices d ON d.customer = c.id GROUP BY c.id ORDER BY c.id" 2>&1 ||
    echo "(summary query failed; see 'headroom proposals')"
