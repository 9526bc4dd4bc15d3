#!/bin/bash
# A store that stalls the poller's one thread (RRD files being created, a
# long commit) must not cost the agents that answered meanwhile their
# poll: their replies wait in their sockets, and the poller reads them
# before it lets any timer fire.  40 well-behaved agents
# (tests/collector/ber_agent.py; one with a row, 39 with 300 that answer
# 100 ms late), timeout 300 ms and no retry; the first
# result's handling takes 1.5 s (hr-polltest --slow-store), long after every
# other agent's request would have timed out.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"

# The first agent has one row and answers at once, so it ends first; the
# others have 300 rows and answer 100 ms late, so when the store stalls
# each has a request in flight whose answer comes during the stall.
specs=("0:ok:1")
for i in $(seq 39); do specs+=("0:ok+delay=100:300"); done
spawn $PY "$TOP/tests/collector/ber_agent.py" --oids "$B/gen/hdrm_oids.h" --ports "$T/ports" \
    "${specs[@]}"
wait_for 10 test -s "$T/ports" || { not_ok "agents started"; exit 1; }
mapfile -t P < "$T/ports"
wait_for 10 snmpget -v2c -c ok -t 0.2 -r 0 "127.0.0.1:${P[39]}" .1.3.6.1.2.1.1.3.0 ||
    { not_ok "agents answer"; exit 1; }
ok "40 agents answer"
args=()
for p in "${P[@]}"; do args+=("127.0.0.1:$p:ok"); done

"$POLLTEST" -t 300 -r 0 -c 40 "${args[@]}" > "$T/fast" 2> "$T/fast.err"
is "without a stall: every agent ok" "$(awk -F'\t' '$1 == "T" && $5 == "ok"' "$T/fast" | wc -l)" 40

"$POLLTEST" -t 300 -r 0 -c 40 --slow-store 1500 "${args[@]}" > "$T/slow" 2> "$T/slow.err"
is "a 1.5 s stall in the store: exit 0" "$?" 0
is "... every agent ok" "$(awk -F'\t' '$1 == "T" && $5 == "ok"' "$T/slow" | wc -l)" 40
is "... none timed out" "$(awk -F'\t' '$1 == "T" && $5 != "ok" { print $3 ": " $5 }' "$T/slow")" ""
is "... every row read" "$(awk -F'\t' '$1 == "R"' "$T/slow" | wc -l)" $((1 + 39 * 300))
done_testing
