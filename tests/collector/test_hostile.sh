#!/bin/bash
# The poller against a misbehaving agent (tests/collector/hostile_agent.py,
# pysnmp): OIDs that do not increase, a walk that goes backwards, a bad
# index, a table that never ends, tooBig on every walk.  Each poll must end
# with a clear status, never loop, and the poller must not crash.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"

port=$(free_port udp)
spawn $PY "$TOP/tests/collector/hostile_agent.py" "$port" "$B/gen/hdrm_oids.h"
hpid=$LAST_PID
wait_for 10 snmpget -v2c -c ok -t 0.2 -r 0 "127.0.0.1:$port" .1.3.6.1.2.1.1.3.0 ||
    { not_ok "hostile agent answers"; exit 1; }
ok "hostile agent answers"

"$POLLTEST" -t 2000 -r 1 -b 60000 "127.0.0.1:$port:ok" "127.0.0.1:$port:loop" \
    "127.0.0.1:$port:backward" "127.0.0.1:$port:badidx" "127.0.0.1:$port:endless" \
    "127.0.0.1:$port:toobig" > "$T/out" 2> "$T/err"
is "exit status 4: some targets failed" "$?" 4
st() { awk -F'\t' -v c="$1" '$1 == "T" && $3 == c { print $5 ": " $13 }' "$T/out"; }
like "well-formed agent: ok" "$(st ok)" '^ok'
is "the well-formed row" "$(awk -F'\t' '$1 == "R" { print $3, $5 }' "$T/out")" "1 SER-OK"
like "repeated OIDs: malformed" "$(st loop)" '^malformed: .*non-increasing OID'
like "walk going backwards: malformed" "$(st backward)" '^malformed: .*non-increasing OID'
like "two-part index: malformed" "$(st badidx)" '^malformed: .*hdrmDevIndex'
like "endless table: stopped at the row cap" "$(st endless)" '^malformed: more than [0-9]+ rows'
like "tooBig for every size: malformed" "$(st toobig)" '^malformed: .*tooBig'
is "no rows reported for failed targets" "$(awk -F'\t' '$1 == "R"' "$T/out" | wc -l)" 1
check "hostile agent still running" kill -0 "$hpid"
done_testing
