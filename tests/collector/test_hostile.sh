#!/bin/bash
# The poller against misbehaving agents (tests/collector/ber_agent.py,
# hand-built BER): OIDs that do not increase, a walk that goes backwards, a
# bad index, a table that never ends, tooBig on every walk.  Each poll must
# end with a clear status, never loop, and the poller must not crash.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"

spawn $PY "$TOP/tests/collector/ber_agent.py" --oids "$B/gen/hdrm_oids.h" --ports "$T/ports" \
    0:ok:1 0:loop 0:backward 0:badidx 0:endless 0:toobig
hpid=$LAST_PID
wait_for 10 test -s "$T/ports" || { not_ok "hostile agents started"; exit 1; }
mapfile -t P < "$T/ports"
wait_for 10 snmpget -v2c -c ok -t 0.2 -r 0 "127.0.0.1:${P[0]}" .1.3.6.1.2.1.1.3.0 ||
    { not_ok "hostile agent answers"; exit 1; }
ok "hostile agent answers"

"$POLLTEST" -t 2000 -r 1 -b 60000 "127.0.0.1:${P[0]}:ok" "127.0.0.1:${P[1]}:loop" \
    "127.0.0.1:${P[2]}:backward" "127.0.0.1:${P[3]}:badidx" "127.0.0.1:${P[4]}:endless" \
    "127.0.0.1:${P[5]}:toobig" > "$T/out" 2> "$T/err"
is "exit status 4: some targets failed" "$?" 4
st() { awk -F'\t' -v c="$1" '$1 == "T" && $3 == c { print $5 ": " $13 }' "$T/out"; }
like "well-formed agent: ok" "$(st ok)" '^ok'
is "the well-formed row" "$(awk -F'\t' '$1 == "R" { print $3, $5 }' "$T/out")" "1 S${P[0]}-1"
like "repeated OIDs: malformed" "$(st loop)" '^malformed: .*non-increasing OID'
like "walk going backwards: malformed" "$(st backward)" '^malformed: .*non-increasing OID'
like "two-part index: malformed" "$(st badidx)" '^malformed: .*hdrmDevIndex'
like "endless table: stopped at the row cap" "$(st endless)" '^malformed: more than [0-9]+ rows'
like "tooBig for every size: malformed" "$(st toobig)" '^malformed: .*tooBig'
is "no rows reported for failed targets" "$(awk -F'\t' '$1 == "R"' "$T/out" | wc -l)" 1
check "hostile agent still running" kill -0 "$hpid"
done_testing
