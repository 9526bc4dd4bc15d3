#!/bin/bash
# Values every NMS reads right (issue 12): walk both tables (and the
# scalars) of a real snmpd + headroomd on the fixture tree, and check every
# instance of every object against the SYNTAX the MIB gives it, as net-snmp
# parses the MIB (tests/subagent/mib_syntax.py; no syntax is written in the
# test).  The fixture has unknowns: a disk with nothing mounted (no used
# capacity), disks without configured sale date, cache size or serial, an
# 8 PiB disk (saturated MiB columns), hostile strings.  Unknown values must
# be absent instances, never values outside the syntax (a zero-length
# DateAndTime made snmp_exporter drop the column).
. "$(dirname "$0")/../lib.sh"
HD="$B/headroomd"
FX="$T/root"
MIBP=HEADROOM-STORAGE-MIB
"$TOP/tests/subagent/mkfixture.sh" "$FX" || { not_ok "fixture"; exit 1; }

cat > "$T/headroomd.conf" <<CONF
[device S3Z9NB0K123456]
model-number    MZ-76E1T0
sale-date       2024-03-01
price           "48000.00 EUR"
cache-size      8GiB
CONF

start_snmpd || { not_ok "snmpd started"; exit 1; }
spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$T/state" \
    -Lf "$T/headroomd.log"
ready() { [[ $(snmp_v2 snmpget -OUqv $MIBP::hdrmDeviceCount.0 2>&1) =~ ^[1-9][0-9]*$ ]]; }
check "headroomd serves" wait_for 15 ready || { sed 's/^/# /' "$T/headroomd.log"; exit 1; }

# Numeric OIDs, every string in hex, no MIB: the raw values on the wire.
snmpbulkwalk -v2c -c public -t 2 -r 1 -M "$MIBPATH" -m "" -On -Ox -Oe -OU \
    "127.0.0.1:$SNMPD_PORT" "$(snmptranslate "${SNMPOPTS[@]}" -On $MIBP::hdrmStorageMIB)" \
    > "$T/walk" 2> "$T/walk.err"
is "the walk succeeds" "$?" 0
is "... with no message" "$(cat "$T/walk.err")" ""
n=$(grep -c ' = ' "$T/walk")
like "the walk has values ($n)" "$n" '^[1-9][0-9]+$'
$PY "$TOP/tests/subagent/mib_syntax.py" "$MIBPATH" $MIBP hdrmObjects "$T/walk" ||
    not_ok "mib_syntax.py ran to its end"

# The unknowns the fixture has are absent, not placeholders.
get() { snmp_v2 snmpget -OUqv "$MIBP::$1" 2>&1; }
NSI="No Such Instance currently exists at this OID"
idx_of() { snmp_v2 snmpwalk -OUqs $MIBP::hdrmDevName | awk -v n="$1" '$2 == n { sub(/.*\./, "", $1); print $1 }'; }
sda=$(idx_of sda) sdb=$(idx_of sdb) nvme=$(idx_of nvme0n1)
is "sale date not configured: no instance" "$(get hdrmDevSaleDate.$nvme)" "$NSI"
is "cache size not configured: no instance" "$(get hdrmDevCacheSize.$nvme)" "$NSI"
is "... nor in MiB" "$(get hdrmDevCacheSizeMiB.$nvme)" "$NSI"
is "nothing mounted: no hdrmDevUsed" "$(get hdrmDevUsed.$sdb)" "$NSI"
is "configured sale date: served" "$(get hdrmDevSaleDate.$sda)" "2024-3-1,0:0:0.0,+0:0"
is "configured cache size: served" "$(get hdrmDevCacheSize.$sda)" 8589934592
done_testing
