#!/bin/bash
# headroomd's ENTITY-MIB rows (RFC 6933 entPhysicalTable, entLastChangeTime)
# against a real snmpd AgentX master on loopback and the fixture tree
# (tests/subagent/mkfixture.sh), walked by number (-On): we ship no IETF
# MIB module, so no ENTITY-MIB names here.  One chassis row plus one row
# per disk; serial, firmware, model and manufacturer equal to the same
# disk's hdrmDeviceTable values; hostile strings sanitized and within the
# SnmpAdminString limits; indexes stable across a restart; a disk removed
# between walks disappears; entPhysicalContainsTable; entConfigChange
# reaches a real snmptrapd through snmpd; a master that already owns the
# subtree; SET refused; `entity-mib no` removes the subtree.
. "$(dirname "$0")/../lib.sh"
HD="$B/headroomd"
FX="$T/root"
STATE="$T/state"
HDLOG="$T/headroomd.log"
MIBP=HEADROOM-STORAGE-MIB
ENT=.1.3.6.1.2.1.47
PHYS=$ENT.1.1.1.1                 # entPhysicalEntry
LAST=$ENT.1.4.1.0                 # entLastChangeTime.0
CONT=$ENT.1.3.3.1.1               # entPhysicalChildIndex
CHANGE=$ENT.2.0.1                 # entConfigChange
FFFD=$'\xef\xbf\xbd'

"$TOP/tests/subagent/mkfixture.sh" "$FX" || { not_ok "fixture"; exit 1; }
# sdf: a 64 KiB serial of two-byte characters; hdrmDevSerial keeps 255
# bytes of it (127 characters), entPhysicalSerialNum 32 (16 characters)
mkdir -p "$FX/sys/block/sdf/device"
echo "8:80" > "$FX/sys/block/sdf/dev"; echo 2048 > "$FX/sys/block/sdf/size"
head -c 32768 /dev/zero | sed 's/\x00/\xc3\xa9/g' > "$FX/sys/block/sdf/device/serial"
printf 'CR\rLF\nVENDOR\n' > "$FX/sys/block/sdf/device/vendor"

write_conf() {
    cat > "$T/headroomd.conf" <<CONF
window 2
cache-timeout 1
agentx-ping-interval 1
$1
CONF
}
write_conf ""

start_hd() {
    spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$STATE" \
        -Lf "$HDLOG"
    HD_PID=$LAST_PID
    wait_for 15 hd_ready
}
hd_ready() { [[ $(snmp_v2 snmpget -OUqv $MIBP::hdrmDeviceCount.0 2>&1) =~ ^[0-9]+$ ]]; }
alive() { kill -0 "$HD_PID" 2>/dev/null; }
stop_hd() { kill -TERM "$HD_PID"; wait "$HD_PID"; }
# num NAME: the numeric OID of a HEADROOM-STORAGE-MIB object
num() { snmptranslate "${SNMPOPTS[@]}" -On "$MIBP::$1"; }
# rawwalk OID: numeric walk, no MIB, every string in hex
rawwalk() {
    snmpbulkwalk -v2c -c public -t 2 -r 1 -M "$MIBPATH" -m "" -On -Ox "127.0.0.1:$SNMPD_PORT" "$@"
}
# table FILE OID...: walk into FILE as "OID TYPE VALUE" lines; strings are
# lower-case hex without blanks ("-" when empty), hex continuation lines
# joined
table() {
    local f=$1; shift
    rawwalk "$@" > "$f.raw" 2> "$f.err"
    local rc=$?
    $PY - "$f.raw" > "$f" <<'PY'
import sys
rows = []
for line in open(sys.argv[1], encoding="latin-1"):
    line = line.rstrip("\n")
    if line.startswith("."):
        rows.append(line)
    elif rows:
        rows[-1] += " " + line
for r in rows:
    oid, _, rest = r.partition(" = ")
    typ, _, val = rest.partition(": ")
    if rest == '""':
        typ, val = "STRING", "-"
    elif typ == "Hex-STRING":
        val = "".join(val.split()).lower() or "-"
    print(oid, typ, val.strip())
PY
    return $rc
}
# v FILE OID: the value column of OID in FILE
v() { awk -v o="$2" '$1 == o { print $3; f = 1 } END { if (!f) print "ABSENT" }' "$1"; }
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
# utf8_ok HEX MAX: HEX decodes as UTF-8 without control characters, <= MAX bytes
utf8_ok() {
    $PY -c '
import sys, unicodedata
h, m = sys.argv[1], int(sys.argv[2])
b = b"" if h == "-" else bytes.fromhex(h)
s = b.decode("utf-8")
sys.exit(0 if len(b) <= m and not any(unicodedata.category(c) == "Cc" for c in s) else 1)
' "$1" "$2" 2>/dev/null
}

# snmpd sends the notifications of its subagents to this snmptrapd
TRAP_PORT=$(free_port udp)
spawn snmptrapd -f -C -c /dev/null -Lf "$T/traps.log" -On --disableAuthorization=yes \
    "udp:127.0.0.1:$TRAP_PORT"
TRAPD_PID=$LAST_PID
SNMPD_EXTRA_CONF="trap2sink 127.0.0.1:$TRAP_PORT public"
start_snmpd || { not_ok "snmpd started"; exit 1; }
wait_for 10 grep -q "\.1\.3\.6\.1\.6\.3\.1\.1\.5\.1" "$T/traps.log"
check "snmptrapd receives snmpd's coldStart" grep -q "\.1\.3\.6\.1\.6\.3\.1\.1\.5\.1" "$T/traps.log"
changes() { grep -c "OID: $CHANGE\b" "$T/traps.log"; }
# Debian's snmpd (net-snmp 5.9.3) serves nothing of ENTITY-MIB itself, so
# headroomd's registration does not collide with the master's
out=$(snmpget -v2c -c public -t 2 -r 1 -m "" -On "127.0.0.1:$SNMPD_PORT" $PHYS.2.1 2>&1)
like "the master alone has no entPhysicalTable" "$out" "No Such Object"
start_hd
check "headroomd connects and serves" hd_ready || { sed 's/^/# /' "$HDLOG"; exit 1; }

SERIAL=$(num hdrmDevSerial); FW=$(num hdrmDevFirmware); MODEL=$(num hdrmDevModelName)
VENDOR=$(num hdrmDevVendor); NAME=$(num hdrmDevName)
table "$T/w1" $ENT; is "walk of ENTITY-MIB completes" "$?" 0
table "$T/h1" "$(num hdrmDeviceTable)"

# ---- shape: rows 1 (chassis) and devdb index + 1 for six disks ----
idx=$(awk -v p="$PHYS.2." 'index($1, p) == 1 { sub(p, "", $1); print $1 }' "$T/w1" | tr '\n' ' ')
is "entPhysicalIndex: chassis 1, disks 2..7" "$idx" "1 2 3 4 5 6 7 "
n=$(grep -c "^$PHYS\." "$T/w1")
is "18 columns (2..19) per row" "$n" $((18 * 7))
is "besides: entLastChangeTime and 6 entPhysicalContainsTable rows" "$(grep -vc "^$PHYS\." "$T/w1")" 7
cont=$(grep "^$CONT\." "$T/w1" | awk '{ print $1, $3 }' | tr '\n' ' ')
is "entPhysicalContainsTable: the chassis contains each disk" "$cont" \
    "$CONT.1.2 2 $CONT.1.3 3 $CONT.1.4 4 $CONT.1.5 5 $CONT.1.6 6 $CONT.1.7 7 "
like "entLastChangeTime.0 is TimeTicks" "$(grep "^$LAST " "$T/w1")" "^$LAST Timeticks \([0-9]+\)"
is "nothing outside ENTITY-MIB in the walk" "$(grep -vc "^$ENT\." "$T/w1")" 0

# ---- sysObjectID as the docs say (lib.sh's snmpd.conf sets it so) ----
prod=$(snmptranslate "${SNMPOPTS[@]}" -On $MIBP::hdrmProductHeadroomd)
is "hdrmProductHeadroomd = .1.3.6.1.4.1.<ENTERPRISE>.3.1" "$prod" ".1.3.6.1.4.1.${ENTERPRISE:-32473}.3.1"
is "sysObjectID.0 reads back as hdrmProductHeadroomd" \
    "$(snmp_v2 snmpget -Oqv .1.3.6.1.2.1.1.2.0)" "$MIBP::hdrmProductHeadroomd"
for f in subagent/headroomd.conf.example subagent/README.md subagent/headroomd.8; do
    grep -q "sysObjectID \.1\.3\.6\.1\.4\.1\.32473\.3\.1" "$TOP/$f"
    is "$f shows sysObjectID .1.3.6.1.4.1.32473.3.1 (default ENTERPRISE)" "$?" 0
done

# ---- the chassis row: this host ----
is "chassis class chassis(3)" "$(v "$T/w1" $PHYS.5.1)" 3
is "chassis contained in nothing (0)" "$(v "$T/w1" $PHYS.4.1)" 0
is "chassis is not a FRU (false 2)" "$(v "$T/w1" $PHYS.16.1)" 2
is "chassis descr: DMI vendor and product" "$(v "$T/w1" $PHYS.2.1)" "$(hex "ACME Computers StorServ 9000")"
is "chassis name: host name" "$(v "$T/w1" $PHYS.7.1)" "$(hex fixturehost)"
is "chassis serial from DMI" "$(v "$T/w1" $PHYS.11.1)" "$(hex CHS-0001)"
is "chassis mfg" "$(v "$T/w1" $PHYS.12.1)" "$(hex "ACME Computers")"
is "chassis model" "$(v "$T/w1" $PHYS.13.1)" "$(hex "StorServ 9000")"
is "chassis hardware rev: DMI placeholder dropped" "$(v "$T/w1" $PHYS.8.1)" "-"
is "chassis firmware rev: BIOS version" "$(v "$T/w1" $PHYS.9.1)" "$(hex 1.2.3)"
is "chassis software rev: kernel" "$(v "$T/w1" $PHYS.10.1)" "$(hex "Linux 6.1.0-test")"
is "chassis UUID: 16 octets" "$(v "$T/w1" $PHYS.19.1)" 4c4c4544003134108052b4c04f4e4332

# ---- disk rows against hdrmDeviceTable ----
for d in 1 2 3 4 5 6; do
    e=$((d + 1))
    is "disk $d: entPhysicalName = hdrmDevName" "$(v "$T/w1" $PHYS.7.$e)" "$(v "$T/h1" "$NAME.$d")"
    is "disk $d: firmware = hdrmDevFirmware" "$(v "$T/w1" $PHYS.9.$e)" "$(v "$T/h1" "$FW.$d")"
    is "disk $d: model = hdrmDevModelName" "$(v "$T/w1" $PHYS.13.$e)" "$(v "$T/h1" "$MODEL.$d")"
    is "disk $d: mfg = hdrmDevVendor" "$(v "$T/w1" $PHYS.12.$e)" "$(v "$T/h1" "$VENDOR.$d")"
    hs=$(v "$T/h1" "$SERIAL.$d"); es=$(v "$T/w1" $PHYS.11.$e)
    if [ "${#hs}" -le 64 ]; then
        is "disk $d: serial = hdrmDevSerial" "$es" "$hs"
    else
        is "disk $d: long serial = first 32 bytes of hdrmDevSerial" "$es" "${hs:0:64}"
    fi
    is "disk $d: class storageDrive(15)" "$(v "$T/w1" $PHYS.5.$e)" 15
    is "disk $d: contained in the chassis" "$(v "$T/w1" $PHYS.4.$e)" 1
    is "disk $d: parent position unknown (-1)" "$(v "$T/w1" $PHYS.6.$e)" -1
    is "disk $d: FRU (true 1)" "$(v "$T/w1" $PHYS.16.$e)" 1
    is "disk $d: vendor type zeroDotZero" "$(v "$T/w1" $PHYS.3.$e)" .0.0
    is "disk $d: unknown mfg date (8 zero octets)" "$(v "$T/w1" $PHYS.17.$e)" 0000000000000000
done
is "sda descr: vendor model, capacity" "$(v "$T/w1" $PHYS.2.3)" "$(hex "ATA Samsung SSD 860, 1.0 TB")"
is "nvme descr: no vendor" "$(v "$T/w1" $PHYS.2.2)" "$(hex "Samsung SSD 970 EVO Plus 1TB, 512.1 GB")"
is "8 PiB disk descr" "$(v "$T/w1" $PHYS.2.6)" "$(hex "BIGCORP HUGE, 9.0 PB")"
is "hostile serial (CR/LF, 8-bit) sanitized" "$(v "$T/w1" $PHYS.11.5)" "$(hex "EVIL${FFFD}${FFFD}Bcc: x${FFFD}${FFFD}")"
is "hostile vendor CR LF sanitized" "$(v "$T/w1" $PHYS.12.7)" "$(hex "CR${FFFD}LF${FFFD}VENDOR")"
long=$(v "$T/w1" $PHYS.11.7)
is "64 KiB serial: 32 bytes" "$((${#long} / 2))" 32
is "64 KiB serial: 16 whole characters" "$long" "$(hex "$(printf 'é%.0s' $(seq 16))")"
bad=""
while read -r oid typ val; do
    col=${oid#$PHYS.}; col=${col%%.*}
    case $col in 11|14|15) max=32 ;; 2|7|8|9|10|12|13) max=255 ;; *) continue ;; esac
    utf8_ok "$val" $max || bad="$bad $oid"
done < <(grep "^$PHYS\." "$T/w1")
is "every SnmpAdminString is clean UTF-8 within its size (255, or 32)" "$bad" ""

# ---- read-only ----
for c in 11 14 15; do
    out=$(snmpset -v2c -c private -t 2 -r 0 -m "" "127.0.0.1:$SNMPD_PORT" $PHYS.$c.3 s X 2>&1)
    like "SET of column $c refused (implemented read-only)" "$out" "notWritable|noAccess"
done
is "serial unchanged after the SETs" "$(rawwalk $PHYS.11.3 | sed -n 's/.*: //p' | tr -d ' ')" \
    "$(hex S3Z9NB0K123456 | tr a-f A-F)"

# ---- restart: same indexes ----
key() { awk -v a="$PHYS.7." -v b="$PHYS.11." 'index($1, a) == 1 || index($1, b) == 1 { print $1, $3 }' "$1"; }
stop_hd; is "SIGTERM: exit 0" "$?" 0
start_hd
check "restarted" hd_ready
table "$T/w2" $ENT
is "same entPhysicalIndex for every disk after a restart" "$(key "$T/w2")" "$(key "$T/w1")"

# ---- a disk removed between walks ----
is "no entConfigChange for the rows found at start-up (two starts)" "$(changes)" 0
lc0=$(v "$T/w2" $LAST | tr -d '()')
rm -rf "$FX/sys/block/sdb"
# headroomd rescans when its cache (1 s) runs out: wait until it serves the change
phys_gone() { snmpget -v2c -c public -t 2 -r 1 -m "" -On "127.0.0.1:$SNMPD_PORT" "$1" 2>&1 | grep -q "No Such Instance"; }
wait_for 15 phys_gone $PHYS.7.4
table "$T/w3" $ENT; is "walk after a removal completes" "$?" 0
idx=$(awk -v p="$PHYS.2." 'index($1, p) == 1 { sub(p, "", $1); print $1 }' "$T/w3" | tr '\n' ' ')
is "removed sdb (index 4): row gone, others kept" "$idx" "1 2 3 5 6 7 "
is "removed disk: all 18 columns gone" "$(grep -c "^$PHYS\.[0-9]*\.4 " "$T/w3")" 0
out=$(snmpget -v2c -c public -t 2 -r 1 -m "" -On "127.0.0.1:$SNMPD_PORT" $PHYS.7.4 2>&1)
like "removed disk: noSuchInstance" "$out" "No Such Instance"
lc1=$(v "$T/w3" $LAST | tr -d '()')
[ "$lc1" -gt "$lc0" ] && ok "entLastChangeTime moved ($lc0 -> $lc1)" || not_ok "entLastChangeTime $lc0 -> $lc1"
is "removed disk: its entPhysicalContainsTable row is gone" "$(v "$T/w3" $CONT.1.4)" ABSENT
wait_for 15 grep -q "OID: $CHANGE\b" "$T/traps.log"
is "removal: one entConfigChange reached snmptrapd" "$(changes)" 1
mkdir -p "$FX/sys/block/sdb/device"; echo "8:16" > "$FX/sys/block/sdb/dev"; echo 3907029168 > "$FX/sys/block/sdb/size"
phys_name_is() { [ "$(rawwalk "$1" | sed -n 's/.*: //p' | tr -d ' ')" = "$2" ]; }
wait_for 15 phys_name_is $PHYS.7.4 "$(hex sdb | tr a-f A-F)"
is "returning sdb gets entPhysicalIndex 4 again" "$(rawwalk $PHYS.7.4 | sed -n 's/.*: //p' | tr -d ' ')" \
    "$(hex sdb | tr a-f A-F)"
# churn during walks: every walk completes and headroomd stays up
for i in 1 2 3 4 5; do
    rm -rf "$FX/sys/block/sde"
    table "$T/wc" $ENT || not_ok "walk during churn $i"
    mkdir -p "$FX/sys/block/sde/device"; echo "8:64" > "$FX/sys/block/sde/dev"; echo 2048 > "$FX/sys/block/sde/size"
    table "$T/wc" $PHYS.2 || not_ok "walk during churn $i'"
done
check "alive after walks during churn" alive
changes_ge() { [ "$(changes)" -ge "$1" ]; }
wait_for 15 changes_ge 2
[ "$(changes)" -ge 2 ] && ok "churn: entConfigChange sent again ($(changes) in all)" || not_ok "churn: $(changes) entConfigChange"

# ---- a master that already owns entPhysicalTable: its rows stay, ours
# are refused (duplicate registration), the rest of headroomd works ----
stop_hd
stop "$SNMPD_PID"
cat > "$T/pass.sh" <<'SH'
#!/bin/sh
o=.1.3.6.1.2.1.47.1.1.1.1.2.1
case "$1" in
-g) [ "$2" = $o ] && printf '%s\nstring\nmaster-own\n' $o ;;
-n) case "$2" in $o|$o.*) ;; *) printf '%s\nstring\nmaster-own\n' $o ;; esac ;;
esac
exit 0
SH
chmod +x "$T/pass.sh"
SNMPD_EXTRA_CONF="pass .1.3.6.1.2.1.47.1.1.1 $T/pass.sh"
start_snmpd || not_ok "snmpd with its own entPhysicalTable"
start_hd
check "headroomd serves beside a master with its own entPhysicalTable" hd_ready
table "$T/w4" $PHYS
is "the master's own row is what the walk shows" "$(cut -d' ' -f1,3 "$T/w4")" "$PHYS.2.1 $(hex master-own)"
like "the duplicate registration is logged" "$(cat "$HDLOG")" "registering pdu failed: 263"
check "alive beside the master's ENTITY-MIB" alive

# ---- entity-mib no: no subtree at all ----
stop_hd
stop "$SNMPD_PID"
SNMPD_EXTRA_CONF=""
start_snmpd || not_ok "snmpd restarted"
write_conf "entity-mib no"
out=$("$HD" -n -C -c "$T/headroomd.conf" 2>&1); is "entity-mib no is a valid setting" "$out" "configuration OK"
start_hd
check "headroomd with entity-mib no serves" hd_ready
out=$(rawwalk $ENT 2>&1)
like "entity-mib no: nothing under 1.3.6.1.2.1.47" "$out" "No Such Object|No more variables"
is "entity-mib no: HEADROOM-STORAGE-MIB still served" \
    "$(snmp_v2 snmpget -OUqv $MIBP::hdrmDevName.2)" sda
write_conf "entity-mib maybe"
out=$("$HD" -n -C -c "$T/headroomd.conf" 2>&1); rc=$?
is "entity-mib maybe: exit 1" "$rc" 1
like "entity-mib maybe: FILE:LINE message" "$out" "$T/headroomd.conf:4: "
check "still alive at the end" alive
done_testing
