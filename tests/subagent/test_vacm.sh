#!/bin/bash
# The tests' (and the demo's) snmpd.conf limits SET with a VACM write view
# to hdrmDevRegNumber, as headroomd(8) shows: the registration SET still
# works (v2c write community, SNMPv3 authPriv user), every other SET is
# refused by snmpd before it reaches any subagent (noAccess), and the write
# community still reads the whole tree.
. "$(dirname "$0")/../lib.sh"
HD="$B/headroomd"
FX="$T/root"
MIBP=HEADROOM-STORAGE-MIB

"$TOP/tests/subagent/mkfixture.sh" "$FX" || { not_ok "fixture"; exit 1; }
printf 'window 2\ncache-timeout 1\nagentx-ping-interval 1\n' > "$T/headroomd.conf"
start_snmpd || { not_ok "snmpd started"; exit 1; }
spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$T/state" \
    -Lf "$T/headroomd.log"
HD_PID=$LAST_PID
wait_for 15 hd_ready || { not_ok "headroomd serves"; exit 1; }
idx=$(snmp_v2 snmpwalk -OUq $MIBP::hdrmDevSerial | awk '/S3Z9NB0K123456/ { sub(/.*\./, "", $1); print $1 }')
[ -n "$idx" ] && ok "device S3Z9NB0K123456 has index $idx" || { not_ok "device index"; exit 1; }

v2set() { snmpset -v2c -c private -t 2 -r 0 "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" "$@" 2>&1; }
v3set() { snmpset -v3 -u hruser -l authPriv -a SHA -A hrauthpass -x AES -X hrprivpass -t 2 -r 0 \
    "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" "$@" 2>&1; }

like "v2c: SET of the registration number works" "$(v2set $MIBP::hdrmDevRegNumber.$idx s REG-V2)" \
    'hdrmDevRegNumber.[0-9]+ = STRING: "?REG-V2'
like "v3: SET of the registration number works" "$(v3set $MIBP::hdrmDevRegNumber.$idx s REG-V3)" \
    'hdrmDevRegNumber.[0-9]+ = STRING: "?REG-V3'
is "the number reads back" "$(snmp_v2 snmpget -OUqv $MIBP::hdrmDevRegNumber.$idx)" REG-V3

like "v2c: SET of another headroom column refused" "$(v2set $MIBP::hdrmDevName.$idx s X)" "noAccess"
like "v2c: SET of sysName.0 refused" "$(v2set SNMPv2-MIB::sysName.0 s pwned)" "noAccess"
like "v2c: SET of entPhysicalAlias refused" \
    "$(v2set .1.3.6.1.2.1.47.1.1.1.1.14.$idx s pwned)" "noAccess"
like "v2c: SET of snmpd's own VACM table refused" \
    "$(v2set .1.3.6.1.6.3.16.1.5.2.1.6.5.104.114.65.108.108.1.1.1 i 4)" "noAccess"
like "v3: SET of sysName.0 refused" "$(v3set SNMPv2-MIB::sysName.0 s pwned)" "noAccess|authorizationError"
like "v3: SET of another headroom column refused" "$(v3set $MIBP::hdrmDevName.$idx s X)" \
    "noAccess|authorizationError"
like "a mixed SET with one forbidden object is refused whole" \
    "$(v2set $MIBP::hdrmDevRegNumber.$idx s REG-MIX SNMPv2-MIB::sysName.0 s pwned)" "noAccess"
is "... and the registration number is unchanged" \
    "$(snmp_v2 snmpget -OUqv $MIBP::hdrmDevRegNumber.$idx)" REG-V3
is "sysName.0 unchanged" "$(snmp_v2 snmpget -OUqv SNMPv2-MIB::sysName.0 | grep -c pwned)" 0
like "the write community still reads everything" \
    "$(snmpget -v2c -c private -t 2 -r 0 -OUqv "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" $MIBP::hdrmDevName.$idx SNMPv2-MIB::sysLocation.0 2>&1 | tr '\n' ' ')" \
    "^sd[a-z]+ headroom test"
check "headroomd still alive" kill -0 "$HD_PID"
done_testing
