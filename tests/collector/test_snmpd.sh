#!/bin/bash
# The poller against the real thing: snmpd as AgentX master with headroomd
# on a fixture tree, over SNMPv2c, SNMPv1 and SNMPv3 authPriv, and
# hr_snmp_set_regnumber writing hdrmDevRegNumber back (seed 004 claim 7).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"
HD="$B/headroomd"
FX="$T/root"

[ -x "$HD" ] || { not_ok "headroomd is built ($HD)"; exit 1; }
"$TOP/tests/subagent/mkfixture.sh" "$FX" > /dev/null 2>&1 || { not_ok "fixture"; exit 1; }
cat > "$T/headroomd.conf" <<CONF
window 60
[device *]
customer-id ACME-0001
[device S4EWNX0R123456]
registration-number CFG-REG-1
CONF
start_snmpd || { not_ok "snmpd started"; exit 1; }
spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$T/state" -Lf "$T/hd.log"
HD_PID=$LAST_PID
hd_ready() { [[ $(snmp_v2 snmpget -OUqv HEADROOM-STORAGE-MIB::hdrmDeviceCount.0 2>&1) =~ ^[1-9][0-9]*$ ]]; }
wait_for 15 hd_ready || { not_ok "headroomd serves"; sed 's/^/# /' "$T/hd.log"; exit 1; }
ok "snmpd and headroomd serve"
A="127.0.0.1:$SNMPD_PORT"
count=$(snmp_v2 snmpget -OUqv HEADROOM-STORAGE-MIB::hdrmDeviceCount.0)

"$POLLTEST" -t 3000 -r 1 "$A:public" > "$T/v2.out" 2>&1
like "v2c: ok with every device" "$(awk -F'\t' '$1 == "T" { print $5, $6, $12 }' "$T/v2.out")" "^ok $count headroomd"
is "v2c: serials as snmpwalk sees them" \
    "$(awk -F'\t' '$1 == "R" { print $3, $5 }' "$T/v2.out")" \
    "$(snmp_v2 snmpwalk -OUqs HEADROOM-STORAGE-MIB::hdrmDevSerial | sed 's/^hdrmDevSerial\.//; s/"//g')"
is "v2c: capacities as snmpwalk sees them" \
    "$(awk -F'\t' '$1 == "R" { print $13 }' "$T/v2.out")" \
    "$(snmp_v2 snmpwalk -OUqv HEADROOM-STORAGE-MIB::hdrmDevCapacity)"
"$POLLTEST" -V 1 -t 3000 -r 1 "$A:public" > "$T/v1.out" 2>&1
like "v1: ok with every device" "$(awk -F'\t' '$1 == "T" { print $5, $6 }' "$T/v1.out")" "^ok $count\$"
is "v1: same serials" "$(awk -F'\t' '$1 == "R" { print $3, $5 }' "$T/v1.out")" \
    "$(awk -F'\t' '$1 == "R" { print $3, $5 }' "$T/v2.out")"
V3=(-V 3 -u hruser -l authPriv -a SHA -A hrauthpass -x AES -X hrprivpass)
"$POLLTEST" "${V3[@]}" -t 3000 -r 1 "$A:x" > "$T/v3.out" 2>&1
like "v3 authPriv: ok with every device" "$(awk -F'\t' '$1 == "T" { print $5, $6 }' "$T/v3.out")" "^ok $count\$"
is "v3: same rows as v2c" "$(awk -F'\t' '$1 == "R"' "$T/v3.out" | cut -f3-12)" \
    "$(awk -F'\t' '$1 == "R"' "$T/v2.out" | cut -f3-12)"
"$POLLTEST" -V 3 -u hruser -A hrauthpass -X wrongprivpass -t 1000 -r 0 "$A:x" > "$T/v3bad.out" 2>&1
is "v3 wrong privacy passphrase: auth" "$(awk -F'\t' '$1 == "T" { print $5 }' "$T/v3bad.out")" auth

# ---- SET hdrmDevRegNumber ----
idx=$(awk -F'\t' '$1 == "R" && $5 != "S4EWNX0R123456" { print $3; exit }' "$T/v2.out")
cfg=$(awk -F'\t' '$1 == "R" && $5 == "S4EWNX0R123456" { print $3; exit }' "$T/v2.out")
"$POLLTEST" -w private -S "$idx=HR-000042" -t 3000 "$A:public" > "$T/set.out" 2>&1
is "v2c SET with the write community" "$(cut -f3 "$T/set.out")" ok
"$POLLTEST" -t 3000 "$A:public" > "$T/after.out" 2>&1
is "the poller reads the number back" \
    "$(awk -F'\t' -v i="$idx" '$1 == "R" && $3 == i { print $25 }' "$T/after.out")" HR-000042
"$POLLTEST" "${V3[@]}" -S "$idx=HR-000043" -t 3000 "$A:x" > "$T/set3.out" 2>&1
is "v3 SET as the read-write user" "$(cut -f3 "$T/set3.out")" ok
is "read back after the v3 SET" "$(snmp_v2 snmpget -OUqv HEADROOM-STORAGE-MIB::hdrmDevRegNumber.$idx)" HR-000043
"$POLLTEST" -w private -S "$cfg=HR-000044" -t 3000 "$A:public" > "$T/setcfg.out" 2>&1
like "configured number: refused with notWritable" "$(cut -f3- "$T/setcfg.out")" '^fail.*notWritable'
"$POLLTEST" -w public -S "$idx=HR-000045" -t 3000 "$A:public" > "$T/setro.out" 2>&1
like "read-only community: refused" "$(cut -f3- "$T/setro.out")" '^fail.*(noAccess|authorization|notWritable)'
"$POLLTEST" -w private -S "$idx=123456789012345678901234567890123" -t 3000 "$A:public" > "$T/setlong.out" 2>&1
like "too long: refused before sending" "$(cut -f3- "$T/setlong.out")" '^fail.*longer than 32'
"$POLLTEST" -S "$idx=HR-1" -t 3000 "$A:public" > "$T/setnowc.out" 2>&1
like "no write community: clear error" "$(cut -f3- "$T/setnowc.out")" '^fail.*no write community'
dead=$(free_port udp)
"$POLLTEST" -w private -S "$idx=HR-1" -t 300 -r 1 "127.0.0.1:$dead:public" > "$T/setdead.out" 2>&1
like "SET to a silent agent: timeout" "$(cut -f3- "$T/setdead.out")" '^fail.*timed out'
is "the number is unchanged by the refused SETs" \
    "$(snmp_v2 snmpget -OUqv HEADROOM-STORAGE-MIB::hdrmDevRegNumber.$idx)" HR-000043
check "headroomd alive" kill -0 "$HD_PID"
check "snmpd alive" kill -0 "$SNMPD_PID"
done_testing
