#!/bin/bash
# Registration write-back against hostile agents (issue 10): the SETs of a
# cycle go through the poller's asynchronous engine, so an agent that drops
# every SET costs one timeout for all its devices (not one per device, one
# after the other), the healthy agents of the same cycle get their numbers,
# and a registration whose SET timed out is not tried again for an hour.
# Agents: tests/collector/ber_agent.py (hand-built BER).
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db"
q() { sqlite3 "$HEADROOM_DB" "$@"; }
NOW=$(( $(date +%s) - 86400 ))
at() { NOW=$((NOW + $1)); export HEADROOM_NOW="@$NOW"; }
at 0
LOG="$T/requests.log"
spawn $PY "$TOP/tests/collector/ber_agent.py" --oids "$B/gen/hdrm_oids.h" --log "$LOG" \
    --ports "$T/ports" 0:ok:3 0:dropset:3 0:ok:3
wait_for 10 test -s "$T/ports" || { not_ok "BER agents started"; exit 1; }
mapfile -t P < "$T/ports"
for i in 0 1 2; do
    "$H" fleet add --add-customers --customer "C$i" --name "ag$i" --address 127.0.0.1 \
        --port "${P[$i]}" --community public --write-community private > /dev/null ||
        not_ok "fleet add ag$i"
done
sets() { awk -v p="$1" '$1 == p && $2 == "a3"' "$LOG" | wc -l; }
regs() { q "SELECT d.serial || ' ' || COALESCE(r.agent_set, '-') FROM devices d
            JOIN registrations r ON r.reg_number = d.reg_number
            WHERE d.serial LIKE 'S$1-%' ORDER BY d.serial"; }

"$H" poll --no-rrd -T 300 -r 1 > "$T/poll1.out" 2> "$T/poll1.err"
is "poll 1: exit 0 (every target answered its poll)" "$?" 0
is "healthy agent 1: every number written" "$(regs "${P[0]}" | awk '$2 == "ok"' | wc -l)" 3
is "healthy agent 2: every number written" "$(regs "${P[2]}" | awk '$2 == "ok"' | wc -l)" 3
is "SET-dropping agent: each SET recorded as timed out" \
    "$(regs "${P[1]}" | grep -c 'failed: SET timed out')" 3
is "SET-dropping agent: 3 SETs, each retried once" "$(sets "${P[1]}")" 6
# Sent at once: the three SETs (three request IDs) arrive before any retry.
is "the three SETs were in flight together" \
    "$(awk -v p="${P[1]}" '$1 == p && $2 == "a3" { print $3 }' "$LOG" | head -n 3 | sort -u | wc -l)" 3
for i in 0 2; do
    n=$(q "SELECT agent_index || ' ' || reg_number FROM devices WHERE serial = 'S${P[$i]}-2'")
    is "agent $i holds its number" \
        "$(snmpget -v2c -c public -OQv "127.0.0.1:${P[$i]}" ".1.3.6.1.4.1.32473.1.2.1.25.${n%% *}" | tr -d '"')" \
        "${n#* }"
done

at 60
"$H" poll --no-rrd -T 300 -r 1 > "$T/poll2.out" 2> "$T/poll2.err"
is "poll 2: exit 0" "$?" 0
is "a minute later: no SET to the agent that dropped them (back-off)" "$(sets "${P[1]}")" 6
at 7200
"$H" poll --no-rrd -T 300 -r 1 > "$T/poll3.out" 2> "$T/poll3.err"
is "two hours later: the SETs are tried again" "$(sets "${P[1]}")" 12
is "healthy agents: no SET again (they hold the numbers)" "$(( $(sets "${P[0]}") + $(sets "${P[2]}") ))" 6
done_testing
