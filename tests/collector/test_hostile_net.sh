#!/bin/bash
# A hostile agent costs the others nothing (issue 10): the poller against
# agents of tests/collector/ber_agent.py (hand-built BER), each misbehaving
# in one way, polled in the same cycle as healthy agents whose data must
# come through whole.
#   - one lost exchange: a 200-row agent is still walked, in few requests
#   - the drop of replies that do not fit: walked with smaller requests
#   - replies from another port or with another community: ignored, the
#     real reply is used; another request ID: ignored (timeout)
#   - SNMPv1 noSuchName to every GET: bounded requests, whatever the index
#   - request IDs that cannot be guessed from the one before
#   - the cycle's row bound: the greedy targets fail, not the late one
#   - net-snmp's own messages (a value it cannot parse) go through our
#     logger, naming the target they are about, and stay out of the others'
# run.sh: heavy
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"

LOG="$T/requests.log"
spawn $PY "$TOP/tests/collector/ber_agent.py" --oids "$B/gen/hdrm_oids.h" --log "$LOG" \
    --ports "$T/ports" 0:ok:200 0:lose1:200 0:spoofport 0:spoofcomm 0:wrongid \
    0:fit=1400:200 0:nosuch=3 0:nosuch=0 0:nosuch=1 0:endless 0:endless 0:ok:300 0:badtype
wait_for 10 test -s "$T/ports" || { not_ok "BER agents started"; exit 1; }
mapfile -t P < "$T/ports"
wait_for 10 snmpget -v2c -c x -t 0.2 -r 0 "127.0.0.1:${P[0]}" .1.3.6.1.2.1.1.3.0 ||
    { not_ok "BER agents answer"; exit 1; }
ok "BER agents answer"

# col FILE PORT FIELD: field FIELD of the T line of the agent on PORT
col() { awk -F'\t' -v p="127.0.0.1:$2" -v f="$3" '$1 == "T" && $4 == p { print $f }' "$1"; }
st() { awk -F'\t' -v p="127.0.0.1:$2" '$1 == "T" && $4 == p { print $5 ": " $13 }' "$1"; }
rows_of() { awk -F'\t' -v id="$(col "$1" "$2" 2)" '$1 == "R" && $2 == id' "$1" | wc -l; }

# ---- SNMPv2c: loss, spoofing, request IDs --------------------------------
# retries 0: a dropped request is a lost exchange.
"$POLLTEST" -t 400 -r 0 -b 20000 "127.0.0.1:${P[0]}:pub" "127.0.0.1:${P[1]}:pub" \
    "127.0.0.1:${P[2]}:pub" "127.0.0.1:${P[3]}:pub" "127.0.0.1:${P[4]}:pub" \
    "127.0.0.1:${P[5]}:pub" > "$T/v2.out" 2> "$T/v2.err"
is "v2c cycle: exit 4 (the agent with wrong request IDs fails)" "$?" 4
is "healthy 200-row agent: ok" "$(st "$T/v2.out" "${P[0]}")" "ok: "
is "healthy 200-row agent: 200 rows" "$(rows_of "$T/v2.out" "${P[0]}")" 200
is "one lost exchange: still ok" "$(st "$T/v2.out" "${P[1]}")" "ok: "
is "one lost exchange: all 200 rows" "$(rows_of "$T/v2.out" "${P[1]}")" 200
n=$(col "$T/v2.out" "${P[1]}" 7)
check "one lost exchange: walked in few requests ($n; one object per request would be 800)" \
    test "$n" -le 40
is "replies dropped when larger than 1400 bytes: ok" "$(st "$T/v2.out" "${P[5]}")" "ok: "
is "replies dropped when larger than 1400 bytes: all 200 rows" "$(rows_of "$T/v2.out" "${P[5]}")" 200
is "forged replies from another port: ok" "$(st "$T/v2.out" "${P[2]}")" "ok: "
is "forged replies with another community: ok" "$(st "$T/v2.out" "${P[3]}")" "ok: "
is "no forged value accepted" "$(grep -c -e FORGED -e forged "$T/v2.out")" 0
is "the real rows of the spoofed agents" \
    "$(awk -F'\t' '$1 == "R" { print $5 }' "$T/v2.out" | grep -c -e "^S${P[2]}-" -e "^S${P[3]}-")" 6
like "another request ID: timeout" "$(st "$T/v2.out" "${P[4]}")" '^timeout'
# Request IDs: net-snmp numbers them one after the other; ours are random.
seq_pairs=$(awk -v p="${P[0]}" '$1 == p { if (n++ && ($3 - prev == 1 || prev - $3 == 1)) s++; prev = $3 } END { print s + 0 }' "$LOG")
nreq=$(awk -v p="${P[0]}" '$1 == p' "$LOG" | wc -l)
check "several requests to the healthy agent ($nreq)" test "$nreq" -ge 3
is "no request ID follows from the one before" "$seq_pairs" 0

# ---- SNMPv1 noSuchName to every GET ---------------------------------------
EIDX=([6]=3 [7]="out of range" [8]=1)
for prof in "" "-P $TOP/profiles"; do
    lbl=${prof:+ (with profiles)}
    # shellcheck disable=SC2086
    "$POLLTEST" -V 1 -t 400 -r 0 -b 20000 $prof "127.0.0.1:${P[6]}:pub" "127.0.0.1:${P[7]}:pub" \
        "127.0.0.1:${P[8]}:pub" "127.0.0.1:${P[0]}:pub" > "$T/v1.out" 2> "$T/v1.err"
    is "v1 healthy agent in the same cycle: ok$lbl" "$(st "$T/v1.out" "${P[0]}")" "ok: "
    is "v1 healthy agent: 200 rows$lbl" "$(rows_of "$T/v1.out" "${P[0]}")" 200
    for k in 6 7 8; do
        n=$(col "$T/v1.out" "${P[$k]}" 7)
        e=${EIDX[$k]}
        like "v1 noSuchName to every GET, error-index $e: fails$lbl" "$(st "$T/v1.out" "${P[$k]}")" \
            '^(malformed|nomib)'
        check "v1 noSuchName to every GET, error-index $e: $n requests, at most 130$lbl" \
            test "${n:-9999}" -le 130
    done
done

# ---- the cycle's row bound ------------------------------------------------
# Two endless tables and a 300-row agent listed last, with room for 1,000
# rows in the whole cycle: the endless ones fail, the late one is walked.
"$POLLTEST" -t 1000 -r 1 -H 1000 "127.0.0.1:${P[9]}:pub" "127.0.0.1:${P[10]}:pub" \
    "127.0.0.1:${P[11]}:pub" > "$T/mem.out" 2> "$T/mem.err"
is "late healthy agent: ok" "$(st "$T/mem.out" "${P[11]}")" "ok: "
is "late healthy agent: all 300 rows" "$(rows_of "$T/mem.out" "${P[11]}")" 300
for k in 9 10; do
    like "endless table $k: failed by the cycle's bound or its own" "$(st "$T/mem.out" "${P[$k]}")" \
        '^(error: row memory of the cycle spent|malformed: more than)'
done
"$POLLTEST" -t 1000 -r 1 -M 250 "127.0.0.1:${P[9]}:pub" "127.0.0.1:${P[0]}:pub" > "$T/max.out" 2>&1
like "per-target row limit: endless table stopped" "$(st "$T/max.out" "${P[9]}")" '^malformed: more than 250 rows'
is "per-target row limit: the 200-row agent is walked" "$(rows_of "$T/max.out" "${P[0]}")" 200

# ---- net-snmp's messages ---------------------------------------------------
"$POLLTEST" -t 300 -r 0 "127.0.0.1:${P[12]}:pub" "127.0.0.1:${P[0]}:pub" > "$T/bt.out" 2> "$T/bt.err"
like "unparsable values: net-snmp's message through the logger, naming the target" \
    "$(cat "$T/bt.err")" "error: net-snmp: target 127\.0\.0\.1:${P[12]} \(id 1\): bad type"
is "no net-snmp line without its target" "$(grep -c 'bad type' "$T/bt.err")" \
    "$(grep -c "net-snmp: target 127.0.0.1:${P[12]} " "$T/bt.err")"
is "unparsable values: no answer taken (timeout)" "$(st "$T/bt.out" "${P[12]}" | cut -d: -f1)" timeout
is "the healthy agent beside it: ok, no error text" "$(st "$T/bt.out" "${P[0]}")" "ok: "
is "the healthy agent beside it: 200 rows" "$(rows_of "$T/bt.out" "${P[0]}")" 200
done_testing
