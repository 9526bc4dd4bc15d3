#!/bin/bash
# check_headroom against the real thing: a private snmpd (AgentX master)
# with headroomd serving this host's own disks, over SNMPv3 (USM
# authPriv SHA/AES, the user start_snmpd creates), v2c and v1.  The
# expected values are read back with net-snmp's own snmpwalk.
. "$(dirname "$0")/../lib.sh"
CH="$B/check_headroom"
HD="$B/headroomd"
[ -x "$CH" ] || { not_ok "$CH built"; exit 1; }
[ -x "$HD" ] || { not_ok "$HD built (the subagent)"; exit 1; }

start_snmpd || { not_ok "snmpd started"; exit 1; }
ok "snmpd on 127.0.0.1:$SNMPD_PORT"
V3=(-P 3 -U hruser -L authPriv -a SHA -A hrauthpass -x AES -X hrprivpass)
run() { OUT=$("$CH" -H 127.0.0.1 -p "$SNMPD_PORT" "$@" 2>"$T/stderr"); RC=$?; LINE1=${OUT%%$'\n'*}; }

# Before the subagent connects, the master serves no headroom subtree.
run "${V3[@]}"
is "v3, no subagent yet: UNKNOWN" "$RC" 3
like "v3, no subagent yet: missing MIB message" "$LINE1" 'does not serve HEADROOM-STORAGE-MIB'

mkdir -p "$T/state"
spawn "$HD" -f -C -x "$AGENTX" --state-dir "$T/state" -L f "$T/headroomd.log"
HD_PID=$LAST_PID
if ! wait_for 15 bash -c "snmpget -v2c -c public -t 0.5 -r 0 ${SNMPOPTS[*]} 127.0.0.1:$SNMPD_PORT hdrmDeviceCount.0 | grep -q Gauge32"; then
    not_ok "headroomd registered with snmpd"; sed 's/^/# /' "$T/headroomd.log"; exit 1
fi
ok "headroomd registered with snmpd"

mapfile -t idx < <(snmp_v2 snmpwalk -On -Oq hdrmDevUsedPercent 2>/dev/null | awk '{n=split($1,a,"."); print a[n] " " $2}')
if [ "${#idx[@]}" -eq 0 ]; then
    run "${V3[@]}"
    is "v3, host without disks: UNKNOWN" "$RC" 3
    like "v3, host without disks: no device" "$LINE1" 'serves HEADROOM-STORAGE-MIB but no device'
    diag "this host has no block devices headroomd serves: per-device cases skipped"
else
    diag "devices (index used%): ${idx[*]}"
    run "${V3[@]}" -w '~:' -c '~:'
    is "v3 authPriv, never-alerting ranges: OK" "$RC" 0
    like "v3 status line" "$LINE1" '^HEADROOM OK - '
    is "nothing on stderr" "$(cat "$T/stderr")" ""
    perf3=${LINE1#*|}
    run -P 2c -C public -w '~:' -c '~:'
    is "v2c gives the same performance data" "${LINE1#*|}" "$perf3"
    run -P 1 -C public -w '~:' -c '~:'
    is "v1 gives the same performance data" "${LINE1#*|}" "$perf3"
    for e in "${idx[@]}"; do
        i=${e% *} p=${e#* }
        if [ "$p" -lt 0 ]; then
            run "${V3[@]}" -i "$i"
            is "device $i, usage unknown: UNKNOWN" "$RC" 3
            continue
        fi
        run "${V3[@]}" -i "$i" -w "$p" -c "$((p + 1))"
        is "device $i ($p%): -w $p -> OK" "$RC" 0
        like "device $i: perfdata value is snmpwalk's" "$LINE1" "_used_pct'=$p%;$p;$((p + 1));0;100$"
        run "${V3[@]}" -i "$i" -w "@$p:$p"
        is "device $i ($p%): -w @$p:$p -> WARNING" "$RC" 1
        run "${V3[@]}" -i "$i" -w 0 -c "@$p:"
        is "device $i ($p%): -c @$p: -> CRITICAL" "$RC" 2
        # used bytes: the 64-bit column over v3, the MiB column over v1
        # (the host's file systems are live: allow 1 GiB of drift)
        used=$(snmp_v2 snmpget -Oqv "hdrmDevUsed.$i" 2>/dev/null | awk '{print $1}')
        run "${V3[@]}" -i "$i" -m used-bytes
        got=$(sed -n "s/.*_used'=\([0-9]*\)B;.*/\1/p" <<<"$LINE1")
        check "device $i: used-bytes over v3 ($got) is hdrmDevUsed ($used)" \
            "$PY" -c "import sys; sys.exit(abs(int('$got' or -1) - int('$used' or -2)) > 2**30)"
    done
fi

run -P 3 -U hruser -L authPriv -a SHA -A wrongpassphrase -x AES -X hrprivpass
is "v3 wrong auth passphrase: UNKNOWN" "$RC" 3
like "v3 wrong auth passphrase: says so" "$LINE1" 'Authentication failure'
run -P 3 -U nosuchuser -L authNoPriv -A hrauthpass
is "v3 unknown user: UNKNOWN" "$RC" 3
like "v3 unknown user: says so" "$LINE1" 'Unknown user name'
run -P 3 -U hruser -L authPriv -a MD5 -A hrauthpass -x AES -X hrprivpass
is "v3 wrong auth protocol: UNKNOWN" "$RC" 3
run -P 2c -C wrongcommunity -t 2 -r 0
is "v2c wrong community (snmpd stays silent): UNKNOWN" "$RC" 3
like "v2c wrong community: timeout" "$LINE1" 'timeout'
check "headroomd still running" kill -0 "$HD_PID"

# ---- the subagent's test fixture: known devices, hostile sysfs strings ----------
# (tests/subagent/mkfixture.sh: nvme0n1 and sda mounted, sdb nothing
# mounted, sdc with CR/LF and 8-bit bytes in its serial and a 4 KiB model,
# sde 8 PiB, whose MiB columns saturate at 4294967295)
stop "$HD_PID"
if "$TOP/tests/subagent/mkfixture.sh" "$T/root" >/dev/null 2>&1; then
    spawn "$HD" -f -C -x "$AGENTX" --root "$T/root" --state-dir "$T/state2" -L f "$T/headroomd2.log"
    HD_PID=$LAST_PID
    wait_for 15 bash -c "snmpget -v2c -c public -t 0.5 -r 0 ${SNMPOPTS[*]} -Oqv 127.0.0.1:$SNMPD_PORT hdrmDeviceCount.0 | grep -qx 5"
    check "headroomd serves the 5 fixture disks" test $? -eq 0
    run "${V3[@]}" -v
    is "fixture over v3: OK (mounted disks under 80%)" "$RC" 0
    like "fixture: 5 devices, 3 without usage" "$LINE1" '^HEADROOM OK - 5 devices, worst [a-z0-9]+ [0-9]+% used, 3 usage unknown \| '
    is "fixture: status line + 5 device lines" "$(wc -l <<<"$OUT")" 6
    check "fixture: no CR or ESC in the output" bash -c "! LC_ALL=C grep -q \$'[\\r\\x1b]' <<<\"\$1\"" _ "$OUT"
    is "fixture: one '|' in the status line" "$(tr -cd '|' <<<"$LINE1" | wc -c)" 1
    like "fixture: sdc's hostile serial shown sanitized" "$OUT" $'\n\\[UNKNOWN\\] sdc \\(index [0-9]+, serial EVIL\xef\xbf\xbd\xef\xbf\xbdBcc: x'
    long=$(awk 'length($0) > 2000' <<<"$OUT" | wc -l)
    is "fixture: the 4 KiB model does not make a line longer than 2000 bytes" "$long" 0
    run "${V3[@]}" -s S3Z9NB0K123456 -w 0
    is "fixture: --serial picks sda, -w 0 warns" "$RC" 1
    like "fixture: --serial status line" "$LINE1" '^HEADROOM WARNING - sda \(serial S3Z9NB0K123456\) [0-9]+% used'
    run -P 1 -C public -m used-bytes
    like "fixture v1: 8 PiB disk has no max (MiB column saturated)" "$LINE1" "'sde_used'=U;;;0( |\$)"
    run -P 2c -C public -m used-bytes
    like "fixture v2c: 8 PiB disk's max from the 64-bit column" "$LINE1" "'sde_used'=U;;;0;9007199254740992( |\$)"
    check "headroomd (fixture) still running" kill -0 "$HD_PID"
else
    not_ok "tests/subagent/mkfixture.sh builds a fixture"
fi
check "snmpd still running" kill -0 "$SNMPD_PID"
done_testing
