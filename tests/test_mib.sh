#!/bin/bash
# The MIB: smilint -l 6 is silent, net-snmp parses it, the tree is rooted
# at the configured enterprise number, and the generated OID header agrees.
. "$(dirname "$0")/lib.sh"
MIB="$B/mib/HEADROOM-STORAGE-MIB.txt"
ENT=${ENTERPRISE:-32473}

out=$(SMIPATH="$BASEMIBS" smilint -l 6 "$MIB" 2>&1)
is "smilint -l 6 prints nothing" "$out" ""
out=$(SMIPATH="$BASEMIBS" smilint -l 6 "$TOP/mib/HEADROOM-STORAGE-MIB.txt" 2>&1)
is "smilint -l 6 on the source MIB prints nothing" "$out" ""

tree=$(snmptranslate -M "$MIBPATH" -m HEADROOM-STORAGE-MIB -Tp 2>/dev/null)
like "snmptranslate -Tp prints the device table" "$tree" "hdrmDeviceTable"
oid=$(snmptranslate -M "$MIBPATH" -m HEADROOM-STORAGE-MIB -On HEADROOM-STORAGE-MIB::hdrmStorageMIB 2>&1)
is "module identity at enterprises.$ENT" "$oid" ".1.3.6.1.4.1.$ENT"

# Every node in the generated header resolves to its own name.
bad=0 n=0
while read -r _ macro val; do
    name=${macro#HDRM_OID_}
    num=".${val//,/.}"
    got=$(snmptranslate -M "$MIBPATH" -m HEADROOM-STORAGE-MIB "$num" 2>&1)
    n=$((n + 1))
    [ "$got" = "HEADROOM-STORAGE-MIB::$name" ] || { bad=$((bad + 1)); diag "$num -> $got, want $name"; }
done < <(grep '^#define HDRM_OID_' "$B/gen/hdrm_oids.h")
is "all $n generated OIDs resolve to their names" "$bad" 0
[ "$n" -gt 40 ] && ok "header has $n nodes" || not_ok "header has only $n nodes"

# Every column has a DESCRIPTION that says something (at least 40 chars).
short=$(awk '/MODULE-IDENTITY|TEXTUAL-CONVENTION/{name=""} /OBJECT-TYPE/{name=$1} /DESCRIPTION/{d=1; t=""; next} d&&/::=/{d=0; if (name!="" && length(t)<40) print name} d{t=t $0}' "$MIB")
is "every object has a substantial DESCRIPTION" "$short" ""
done_testing
