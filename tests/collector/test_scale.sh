#!/bin/bash
# The poller's event loop at scale: results do not depend on how many agents
# or requests are in flight, more than 1024 sessions are open at once (no
# select() limit), dead targets are waited for in parallel, and the budget
# bounds a target's poll.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"

make_fleet "$T/fleet" --agents 60 --customers 5 --dead 3 --nomib 2 --seed 7 > /dev/null 2>&1 ||
    { not_ok "fleet generated"; exit 1; }
start_snmpsim "$T/fleet" || { not_ok "snmpsimd answers"; exit 1; }
ok "snmpsimd answers"
F="$T/fleet/fleet.port.csv"

# Status per agent plus every row, without timings: what must not change.
summary() {
    awk -F'\t' '$1 == "T" { print "T", $3, $5, $6 } $1 == "R" { $2 = ""; print }' "$1" |
        sed 's/^R  */R /' | sort
}
summary_rows() { summary "$1" | awk '$1 == "R"' | sed 's/^R //' | sort; }

"$POLLTEST" -f "$F" -c 1 -t 1000 -r 1 > "$T/c1.out" 2>&1
"$POLLTEST" -f "$F" -c 300 -t 1000 -r 1 > "$T/c300.out" 2>&1
like "concurrency 1: rows were read" "$(grep -c '^R' "$T/c1.out")" '^[1-9][0-9]+$'
is "concurrency 1 and 300 give the same results" "$(summary "$T/c1.out" | md5sum)" "$(summary "$T/c300.out" | md5sum)"
"$POLLTEST" -f "$F" -p 2 -t 1000 -r 1 > "$T/p2.out" 2>&1
is "two requests per agent give the same results" "$(summary "$T/p2.out" | md5sum)" "$(summary "$T/c300.out" | md5sum)"
"$POLLTEST" -f "$F" -m 1 -t 1000 -r 1 > "$T/m1.out" 2>&1
is "max-repetitions 1 gives the same results" "$(summary "$T/m1.out" | md5sum)" "$(summary "$T/c300.out" | md5sum)"
a=$(awk -F'\t' '$1 == "T" && $3 == "ag9" { print $7 }' "$T/m1.out")
b=$(awk -F'\t' '$1 == "T" && $3 == "ag9" { print $7 }' "$T/c300.out")
check "max-repetitions 1 sends more PDUs ($a > $b)" test "${a:-0}" -gt "${b:-0}"

# More than 1024 sessions at once: 1100 targets on a port where nothing
# listens, then 20 live agents; all 1120 in flight together.
dead_port=$(free_port udp)
: > "$T/big.csv"
for i in $(seq 1100); do echo "C001,Dead,127.0.0.1,$dead_port,gone$i" >> "$T/big.csv"; done
grep -v '^customer_id' "$F" | head -n 20 >> "$T/big.csv"
"$POLLTEST" -f "$T/big.csv" -c 1200 -t 1500 -r 1 -q > "$T/big.out" 2>&1 &
ppid=$!
maxfd=0
# count its descriptors every 0.1 s until it exits
fd_sample_done() {
    local n
    n=$(ls "/proc/$ppid/fd" 2>/dev/null | wc -l)
    [ "$n" -gt "$maxfd" ] && maxfd=$n
    ! kill -0 "$ppid" 2>/dev/null
}
wait_for 120 fd_sample_done
wait "$ppid"
check "more than 1024 descriptors were open at once ($maxfd)" test "$maxfd" -gt 1024
is "1120 results" "$(grep -c '^T' "$T/big.out")" 1120
is "the 1100 silent targets timed out" "$(awk -F'\t' '$1 == "T" && $3 ~ /^gone/ && $5 == "timeout"' "$T/big.out" | wc -l)" 1100
live_want=$(grep -v '^customer_id' "$F" | head -n 20 | cut -d, -f5 | while read -r c; do
    awk -F'\t' -v c="$c" '$1 == "T" && $3 == c { print c, $5, $6 }' "$T/c300.out"; done | sort)
live_got=$(awk -F'\t' '$1 == "T" && $3 !~ /^gone/ { print $3, $5, $6 }' "$T/big.out" | sort)
is "the 20 live agents behind them answered as usual" "$live_got" "$live_want"
span=$(awk -F'\t' '$1 == "T" && $3 ~ /^gone/ { if (!s || $9 > s) s = $9; if (!f || $10 < f) f = $10 } END { print (s < f) ? "overlap" : "serial" }' "$T/big.out")
is "silent targets were waited for at the same time" "$span" overlap

# A silent agent stops holding its slot once it has been quiet for a
# quarter of its timeout: with 2 agents in flight, 6 silent targets and 4
# live ones, the silent ones still wait side by side and the live ones
# are not held up behind them.
{ for i in 1 2 3 4 5 6; do echo "C001,Dead,127.0.0.1,$dead_port,quiet$i"; done
  grep -v '^customer_id' "$F" | grep -v ',ag\(1\|2\|3\)[0-9]*$' | head -n 4; } > "$T/park.csv"
"$POLLTEST" -f "$T/park.csv" -c 2 -t 1000 -r 1 -q > "$T/park.out" 2>&1
is "6 silent targets timed out" "$(awk -F'\t' '$1 == "T" && $3 ~ /^quiet/ && $5 == "timeout"' "$T/park.out" | wc -l)" 6
span=$(awk -F'\t' '$1 == "T" && $3 ~ /^quiet/ { if (!s || $9 > s) s = $9; if (!f || $10 < f) f = $10 } END { print (s < f) ? "overlap" : "serial" }' "$T/park.out")
is "with 2 in flight, the silent targets still waited side by side" "$span" overlap
late=$(awk -F'\t' '$1 == "T" && $3 ~ /^quiet/ { if (!f || $10 < f) f = $10 } $1 == "T" && $3 !~ /^quiet/ && $5 != "timeout" { if ($10 > l) l = $10 } END { print (l < f) ? "before" : "after" }' "$T/park.out")
is "the live agents were done before the first silent one gave up" "$late" before

# The per-target budget ends a poll whatever the timeout and retries say.
"$POLLTEST" -t 5000 -r 3 -b 300 "127.0.0.1:$dead_port:gone" > "$T/budget.out" 2>&1
like "budget spent: timeout with the reason" "$(grep '^T' "$T/budget.out" | cut -f5,13)" '^timeout.*budget of 300 ms'
check "snmpsimd still running" kill -0 "$SIM_PID"
done_testing
