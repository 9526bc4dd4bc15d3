#!/bin/bash
# contrib/snmpsim/headroom-device.snmprec: generated from the MIB's OIDs,
# every OID resolves to a HEADROOM-STORAGE-MIB (or SNMPv2-MIB) name, and
# snmpsim serves exactly the record (v2c walk, v1 walk without Counter64).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"
ENT=${ENTERPRISE:-32473}
GEN="$TOP/contrib/snmpsim/gen-snmprec.py"
REC="$TOP/contrib/snmpsim/headroom-device.snmprec"
CMP="$TOP/tests/check/walkcmp.py"

# 1. The shipped file is what the generator makes (for 32473), and the
#    generator follows the build's enterprise number.
mkdir -p "$T/rec"
"$PY" "$GEN" "$B/gen/hdrm_oids.h" > "$T/rec/headroom-device.snmprec"
check "generator runs on $B/gen/hdrm_oids.h" test -s "$T/rec/headroom-device.snmprec"
want=$(sed "s/^1\.3\.6\.1\.4\.1\.32473\./1.3.6.1.4.1.$ENT./; s/|1\.3\.6\.1\.4\.1\.32473\./|1.3.6.1.4.1.$ENT./" "$REC")
is "shipped record = generator output (enterprise $ENT)" "$(cat "$T/rec/headroom-device.snmprec")" "$want"
sysoid=$(grep '^1\.3\.6\.1\.2\.1\.1\.2\.0|' "$T/rec/headroom-device.snmprec" | cut -d'|' -f3)
is "sysObjectID is hdrmProductHeadroomd" \
   "$(snmptranslate "${SNMPOPTS[@]}" ".$sysoid" 2>&1)" "HEADROOM-STORAGE-MIB::hdrmProductHeadroomd"

# 2. Every enterprise OID is an instance of a HEADROOM-STORAGE-MIB object.
mapfile -t oids < <(cut -d'|' -f1 "$T/rec/headroom-device.snmprec" | grep "^1\.3\.6\.1\.4\.1\.$ENT\." | sed 's/^/./')
names=$(snmptranslate "${SNMPOPTS[@]}" "${oids[@]}" 2>&1 | grep -v "^$")
nbad=$(grep -vc '^HEADROOM-STORAGE-MIB::hdrm[A-Za-z]*\.[0-9.]*$' <<<"$names")
is "all ${#oids[@]} enterprise OIDs translate to hdrm objects with an index" "$nbad" 0
[ "$nbad" -eq 0 ] || grep -v '^HEADROOM-STORAGE-MIB::hdrm' <<<"$names" | head -5 | sed 's/^/# /'
# ... and every column of the device table is present for every device.
ncols=$(grep -c "^1\.3\.6\.1\.4\.1\.$ENT\.1\.2\.1\.[0-9]*\.1|" "$T/rec/headroom-device.snmprec")
is "device 1 has all 25 accessible columns" "$ncols" 25
check "device 3 (nothing mounted) has no hdrmDevUsed instance" \
    bash -c "! grep -q '^1\.3\.6\.1\.4\.1\.$ENT\.1\.2\.1\.14\.3|' '$T/rec/headroom-device.snmprec'"
like "device 3 has hdrmDevUsedPercent -1" \
    "$(grep "^1\.3\.6\.1\.4\.1\.$ENT\.1\.2\.1\.16\.3|" "$T/rec/headroom-device.snmprec")" '\|2\|-1$'
sorted=$(cut -d'|' -f1 "$T/rec/headroom-device.snmprec" | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n -k5,5n -k6,6n -k7,7n -k8,8n -k9,9n -k10,10n -k11,11n -k12,12n -k13,13n -k14,14n)
is "record is in OID order" "$sorted" "$(cut -d'|' -f1 "$T/rec/headroom-device.snmprec")"

# 3. Served by snmpsim and walked back.
start_sim "$T/rec/headroom-device.snmprec" || { not_ok "snmpsimd started"; done_testing; exit 1; }
ok "snmpsimd serves the record on 127.0.0.1:$SIM_PORT"
walk() { snmpwalk "$@" -t 2 -r 1 -On -Oe -Ox -m "" "127.0.0.1:$SIM_PORT" .1.3.6.1 2>&1; }
walk -v2c -c headroom-device > "$T/walk2c"
out=$("$PY" "$CMP" "$T/rec/headroom-device.snmprec" < "$T/walk2c"); rc=$?
is "v2c walk returns the record exactly" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' <<<"$out"
walk -v1 -c headroom-device > "$T/walk1"
out=$("$PY" "$CMP" "$T/rec/headroom-device.snmprec" --no-counter64 < "$T/walk1"); rc=$?
is "v1 walk returns the record minus Counter64" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' <<<"$out"
# The comparison itself can fail: a changed value is caught.
sed 's/^\(1\.3\.6\.1\.4\.1\.[0-9]*\.1\.2\.1\.16\.1\)|2|72$/\1|2|73/' "$T/rec/headroom-device.snmprec" > "$T/mutated"
check "the comparison catches a changed value" \
    bash -c "! '$PY' '$CMP' '$T/mutated' < '$T/walk2c' >/dev/null"
# With our MIB loaded, net-snmp names the walked objects.
named=$(snmpwalk -v2c -c headroom-device -t 2 -r 1 "${SNMPOPTS[@]}" "127.0.0.1:$SIM_PORT" hdrmDevSerial 2>&1)
like "MIB-named walk of hdrmDevSerial" "$named" 'hdrmDevSerial\.1 = STRING: "?WD-WCC4N7XK2P5T'
check "snmpsimd still running" kill -0 "$SIM_PID"
done_testing
