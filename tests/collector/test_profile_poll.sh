#!/bin/bash
# The asynchronous poller reads devices without HEADROOM-STORAGE-MIB through
# the device profiles: every real walk of ../shared/walks, a small
# HEADROOM-STORAGE-MIB fleet and a dead agent, served by one snmpsim and
# polled in ONE cycle of hr-polltest; each walk's profile, serial, vendor,
# model, firmware, volumes counted, capacity, used and writes presence must
# be what tests/profiles/walk_expectations.tsv says (the synchronous reader,
# tests/profiles/test_walks.sh, reads the same).  The walks are other
# projects' data and are not in the repository: without ../shared this test
# skips, and says so.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"
WALKS="$TOP/../shared/walks"
EXP="$TOP/tests/profiles/walk_expectations.tsv"
if [ ! -d "$WALKS" ] || ! ls "$WALKS"/*.snmprec > /dev/null 2>&1; then
    echo "ok - the poller on real device walks # SKIP $WALKS is absent (a clone outside the headroom workplace)"
    exit 0
fi
check "hr-polltest is built" test -x "$POLLTEST"
# Our own agents (HEADROOM-STORAGE-MIB) and the walks in one data directory.
make_fleet "$T/sim" --agents 6 --customers 1 --dead 0 --nomib 0 --no-special || { not_ok "fleet generated"; exit 1; }
$PY "$TOP/tests/profiles/prep_walks.py" "$WALKS" "$T/sim/data"
start_snmpsim "$T/sim" || { not_ok "snmpsimd answers"; exit 1; }
ok "snmpsimd answers"
P=$SIM_PORT
mapfile -t walks < <(awk -F'\t' 'NR > 1 { print $1 }' "$EXP")
is "one expectation row per walk" "${#walks[@]}" "$(ls "$WALKS"/*.snmprec | wc -l)"
dead=$(free_port udp)

# One cycle, v2c: every walk (auto), our fleet (auto), a Synology that may
# only be read through our MIB, the QNAP through a named profile, and a
# dead agent in the middle of the list.
targets=()
for w in "${walks[@]:0:8}"; do targets+=("127.0.0.1:$P:$w"); done
targets+=("127.0.0.1:$dead:dead")
for w in "${walks[@]:8}"; do targets+=("127.0.0.1:$P:$w"); done
targets+=("127.0.0.1:$P:lnms__dsm_ds214se-dsm6:headroom" "127.0.0.1:$P:lnms__qnap:host-resources")
"$POLLTEST" -P "$TOP/profiles" -f "$T/sim/fleet.port.csv" -t 2000 -r 0 -b 30000 "${targets[@]}" \
    > "$T/v2c.out" 2> "$T/v2c.err"
is "v2c cycle: exit 4 (dead, nomib on purpose)" "$?" 4
nfleet=$(($(wc -l < "$T/sim/fleet.csv") - 1))
is "one T line per target" "$(grep -c '^T' "$T/v2c.out")" "$((nfleet + ${#targets[@]}))"

# Every walk against the table.  Targets of the fleet CSV come first (ids
# 1..nfleet), the command line's after, in order.
check_walks() {    # OUT FIRST_ID LABEL
    $PY - "$1" "$EXP" "$2" "$3" <<'EOF'
import csv, sys
out, tsv, first, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
T, P = {}, {}
for line in open(out):
    f = line.rstrip('\n').split('\t')
    if f[0] == 'T' and (f[2] not in T or int(f[1]) < int(T[f[2]][1])):
        T[f[2]] = f     # the lowest id: the walk's auto target
    elif f[0] == 'P':
        P.setdefault(f[1], f)
ids = {f[2]: f[1] for f in T.values()}
for r in csv.DictReader(open(tsv), delimiter='\t'):
    w = r['walk']
    if w not in T:
        continue
    t = T[w]
    if r['profile'] == 'none':
        ok = t[4] == 'nomib' and 'no profile matches' in t[12] and ids[w] not in P
        print(f"{'ok' if ok else 'not ok'} - {label} {w}: nomib, no profile matches")
        if not ok:
            print(f"#   got {t[4]} '{t[12]}'")
        continue
    if t[4] != 'ok' or ids[w] not in P:
        print(f"not ok - {label} {w}: read through a profile\n#   got {t[4]} '{t[12]}'")
        continue
    p = P[ids[w]]
    d = lambda v: 'none' if v == '-' else v
    got = {'profile': p[2], 'serial': d(p[3]), 'vendor': d(p[4]), 'model': d(p[5]),
           'firmware': d(p[8]), 'volumes': p[9],
           'capacity_bytes': d(p[11]), 'used_bytes': d(p[12]),
           'writes': 'yes' if p[13] != '0' else 'no'}
    for k, v in got.items():
        if v == r[k]:
            print(f"ok - {label} {w}: {k} {v}")
        else:
            print(f"not ok - {label} {w}: {k}\n#   got  '{v}'\n#   want '{r[k]}'")
EOF
}
check_walks "$T/v2c.out" 1 v2c

field() {   # OUT COMMUNITY-or-ID COLUMN: the first T line of that community
    awk -F'\t' -v c="$2" -v k="$3" '$1 == "T" && ($3 == c) { print $k; exit }' "$1"
}
# The dead agent timed out alone: every live target finished before it,
# and the whole cycle took about one timeout, not one per dead agent.
dead_fin=$(awk -F'\t' '$1 == "T" && $3 == "dead" { print $10 }' "$T/v2c.out")
is "the dead agent: timeout" "$(field "$T/v2c.out" dead 5)" timeout
live_fin=$(awk -F'\t' '$1 == "T" && $3 != "dead" { if ($10 > m) m = $10 } END { print m }' "$T/v2c.out")
start=$(awk -F'\t' '$1 == "T" { if (!m || $9 < m) m = $9 } END { print m }' "$T/v2c.out")
check "every live agent finished before the dead one timed out" test "$live_fin" -lt "$dead_fin"
check "the cycle took about one timeout ($((dead_fin - start)) ms)" test $((dead_fin - start)) -lt 3500

# profile "headroom" on a Synology: our MIB only, nomib.
# (the second target of a community has the higher id)
last() {    # COMMUNITY: the T line of its last target
    awk -F'\t' -v c="$1" '$1 == "T" && $3 == c && $2 + 0 > m { m = $2 + 0; l = $0 } END { print l }' "$T/v2c.out"
}
syn_h=$(last lnms__dsm_ds214se-dsm6 | awk -F'\t' '{ print $5 "|" $13 }')
like "profile headroom on a Synology: nomib, no profile tried" "$syn_h" "^nomib\|.*hdrmDeviceTable"
# A named profile wins over detection (and skips our MIB).
qid=$(last lnms__qnap | cut -f2)
like "profile host-resources on the QNAP: every fixed disk" \
    "$(awk -F'\t' -v id="$qid" '$1 == "P" && $2 == id { print $3, $10 "/" $11 }' "$T/v2c.out")" \
    "^host-resources 5/5$"
# Our own agents in the same cycle: read through HEADROOM-STORAGE-MIB as
# without profiles (same rows), no profile line.
"$POLLTEST" -f "$T/sim/fleet.port.csv" -t 2000 -r 0 > "$T/native.out" 2>&1
is "HEADROOM-STORAGE-MIB agents: the same rows with and without profiles" \
    "$(awk -F'\t' -v n="$nfleet" '$1 == "R" && $2 <= n' "$T/v2c.out" | cut -f2- | sort | md5sum)" \
    "$(awk -F'\t' '$1 == "R"' "$T/native.out" | cut -f2- | sort | md5sum)"
is "... all ok" "$(awk -F'\t' -v n="$nfleet" '$1 == "T" && $2 <= n { print $5 }' "$T/v2c.out" | sort -u)" ok
is "... no profile line for them" "$(awk -F'\t' -v n="$nfleet" '$1 == "P" && $2 <= n' "$T/v2c.out" | wc -l)" 0
is "... and as many requests" \
    "$(awk -F'\t' -v n="$nfleet" '$1 == "T" && $2 <= n { s += $7 } END { print s }' "$T/v2c.out")" \
    "$(awk -F'\t' '$1 == "T" { s += $7 } END { print s }' "$T/native.out")"
# Requests: a Linux host (host-resources + ucd-diskio + entity) costs our
# MIB's GET, sysObjectID/sysDescr, two detection requests and the walks.
like "a Linux host in at most 7 requests" "$(field "$T/v2c.out" mur__localhost 7)" '^[1-7]$'

# SNMPv1: GETNEXT walks, noSuchName for absent objects and ends of view,
# agents without sysUpTime.0 (QNAP, EqualLogic).
v1=(mur__localhost lnms__qnap lnms__equallogic_ps6210 lnms__windows_svr_2019_1809 lnms__dsm_ds214se-dsm6)
"$POLLTEST" -V 1 -P "$TOP/profiles" -t 3000 -r 1 -b 60000 "${v1[@]/#/127.0.0.1:$P:}" \
    > "$T/v1.out" 2> "$T/v1.err"
is "v1: one T line per target" "$(grep -c '^T' "$T/v1.out")" "${#v1[@]}"
grep -v -e '^P.*synology' -e 'lnms__dsm_ds214se' "$T/v1.out" > "$T/v1-not-syn.out"
check_walks "$T/v1-not-syn.out" 1 v1
# raidTable's sizes are Counter64, which SNMPv1 cannot carry: the profile's
# hrStorage block reads the volume (as `headroom profiles test -v 1` does).
like "v1 Synology: capacity and used from the hrStorage alternative" \
    "$(awk -F'\t' '$1 == "P" && $3 == "synology" { print $3, $10, $12, $13 }' "$T/v1.out")" \
    "^synology 1 1964237742080 1681329889280$"
check "snmpsimd still running" kill -0 "$SIM_PID"
done_testing
