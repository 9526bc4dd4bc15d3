#!/bin/bash
# The poller against a real snmpsim fleet generated from the MIB: 120 agents
# over 6 customers, with hostile strings, wrong types, missing columns,
# Counter64 above 2^63, agents without the MIB and dead agents, polled with
# SNMPv2c (GETBULK), SNMPv1 (GETNEXT) and SNMPv3 authPriv SHA/AES.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"

check "hr-polltest is built" test -x "$POLLTEST"
make_fleet "$T/fleet" --agents 120 --customers 6 --dead 4 --nomib 3 || { not_ok "fleet generated"; exit 1; }
ok "fleet generated"
start_snmpsim "$T/fleet" || { not_ok "snmpsimd answers"; exit 1; }
ok "snmpsimd answers"
F="$T/fleet/fleet.port.csv"

"$POLLTEST" -f "$F" -t 1000 -r 1 > "$T/v2c.out" 2> "$T/v2c.err"
is "v2c cycle exit status (some targets are dead on purpose)" "$?" 4
$PY "$TOP/tests/fleet/check_poll.py" "$T/fleet" "$T/v2c.out" --label v2c --overlap || not_ok "check_poll.py ran to the end"
check "snmpsimd still running after the v2c cycle" kill -0 "$SIM_PID"

# SNMPv1: GETNEXT, no Counter64.  snmpsim answers v1 GETNEXTs slowly (one
# Python process for 120 agents), so fewer agents at once, a longer timeout
# and a per-target budget of 30 s: on a loaded machine the 10 s default ran
# out for an agent with 40 GETNEXTs to answer (what is checked here is what
# v1 reads, not how fast snmpsim serves it).
"$POLLTEST" -f "$F" -V 1 -c 16 -t 3000 -r 1 -b 30000 > "$T/v1.out" 2> "$T/v1.err"
$PY "$TOP/tests/fleet/check_poll.py" "$T/fleet" "$T/v1.out" --v1 --label v1 || not_ok "check_poll.py ran to the end"
like "v1 walks with several GETNEXTs per agent" \
    "$(awk -F'\t' '$1 == "T" && $3 == "ag9" { print $7 }' "$T/v1.out")" '^([3-9]|[1-9][0-9]+)$'

# SNMPv3 authPriv SHA/AES; the context name selects the agent.
"$POLLTEST" -f "$F" -V 3 -u hruser -l authPriv -a SHA -A hrauthpass -x AES -X hrprivpass -C \
    -t 2000 -r 1 > "$T/v3.out" 2> "$T/v3.err"
$PY "$TOP/tests/fleet/check_poll.py" "$T/fleet" "$T/v3.out" --v3 --label v3 || not_ok "check_poll.py ran to the end"
is "v3 reads the same rows as v2c" \
    "$(awk -F'\t' '$1 == "R"' "$T/v3.out" | cut -f3- | sort | md5sum)" \
    "$(awk -F'\t' '$1 == "R"' "$T/v2c.out" | cut -f3- | sort | md5sum)"

# Wrong v3 passphrase (a separate process: USM keys are per engine and user).
"$POLLTEST" -V 3 -u hruser -A wrongpassword -X hrprivpass -C -t 1000 -r 0 \
    "127.0.0.1:$SIM_PORT:ag9" "127.0.0.1:$SIM_PORT:ag10" > "$T/v3bad.out" 2>&1
is "wrong v3 auth passphrase: auth on both targets" \
    "$(awk -F'\t' '$1 == "T" { print $5 }' "$T/v3bad.out" | sort -u)" "auth"
like "wrong v3 passphrase: a clear message" "$(grep -m1 '^T' "$T/v3bad.out" | cut -f13)" \
    'Authentication failure|wrong passphrase'
"$POLLTEST" -V 3 -u nosuchuser -A hrauthpass -X hrprivpass -C -t 1000 -r 0 \
    "127.0.0.1:$SIM_PORT:ag9" > "$T/v3user.out" 2>&1
is "unknown v3 user: auth" "$(awk -F'\t' '$1 == "T" { print $5 }' "$T/v3user.out")" "auth"
"$POLLTEST" -V 3 -u hruser -A short -X hrprivpass "127.0.0.1:$SIM_PORT:ag9" > "$T/v3short.out" 2>&1
like "bad v3 parameters: error with a reason" "$(grep '^T' "$T/v3short.out" | cut -f5,13)" \
    '^error.*shorter than 8'
"$POLLTEST" nosuchhost.invalid:161:public > "$T/host.out" 2>&1
like "unknown host: error with a reason" "$(grep '^T' "$T/host.out" | cut -f5,13)" '^error.*nosuchhost'
check "snmpsimd still running at the end" kill -0 "$SIM_PID"
done_testing
