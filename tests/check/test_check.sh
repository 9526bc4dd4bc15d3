#!/bin/bash
# check_headroom against snmpsim serving contrib/snmpsim/headroom-device.snmprec
# (sda 72% used, nvme0n1 92%, sdb nothing mounted): states, every range
# form, performance data, v1/v2c/v3, missing MIB, timeout, bad arguments,
# hostile strings.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/simlib.sh"
CH="$B/check_headroom"
GEN="$TOP/contrib/snmpsim/gen-snmprec.py"
ENT=${ENTERPRISE:-32473}
[ -x "$CH" ] || { not_ok "$CH built"; exit 1; }

mkdir -p "$T/rec"
"$PY" "$GEN" "$B/gen/hdrm_oids.h" > "$T/rec/headroom-device.snmprec"
"$PY" "$GEN" "$B/gen/hdrm_oids.h" --hostile > "$T/rec/hostile.snmprec"
# Wrong types and values: sda's used percent as a string, nvme0n1's peak
# as a string, sdb's used percent out of the MIB's range.
sed -e "s/^\(1\.3\.6\.1\.4\.1\.$ENT\.1\.2\.1\.16\.1\)|2|72$/\1|4|72/" \
    -e "s/^\(1\.3\.6\.1\.4\.1\.$ENT\.1\.2\.1\.18\.2\)|66|15230$/\1|4|15230/" \
    -e "s/^\(1\.3\.6\.1\.4\.1\.$ENT\.1\.2\.1\.16\.3\)|2|-1$/\1|2|250/" \
    "$T/rec/headroom-device.snmprec" > "$T/rec/wrongtype.snmprec"
is "wrongtype record differs in 3 lines" \
   "$(diff "$T/rec/headroom-device.snmprec" "$T/rec/wrongtype.snmprec" | grep -c '^>')" 3
# 303 devices: a walk of many requests (GETBULK rounds, v1 GETNEXT rows).
"$PY" "$GEN" "$B/gen/hdrm_oids.h" --many 300 > "$T/rec/many.snmprec"
# An agent without our subtree, and one with the agent scalars but no rows.
grep '^1\.3\.6\.1\.2\.1\.1\.' "$T/rec/headroom-device.snmprec" > "$T/rec/nomib.snmprec"
grep -E "^1\.3\.6\.1\.2\.1\.1\.|^1\.3\.6\.1\.4\.1\.$ENT\.1\.1\." "$T/rec/headroom-device.snmprec" |
    sed "s/^\(1\.3\.6\.1\.4\.1\.$ENT\.1\.1\.5\.0\)|66|3$/\1|66|0/" > "$T/rec/empty.snmprec"
start_sim "$T/rec/headroom-device.snmprec" "$T/rec/hostile.snmprec" \
          "$T/rec/nomib.snmprec" "$T/rec/empty.snmprec" "$T/rec/many.snmprec" \
          "$T/rec/wrongtype.snmprec" || { not_ok "snmpsimd started"; exit 1; }
ok "snmpsimd on 127.0.0.1:$SIM_PORT"

# run ARGS...: OUT (stdout), RC, LINE1 (the status line).
run() {
    OUT=$("$CH" -H 127.0.0.1 -p "$SIM_PORT" "$@" 2>"$T/stderr"); RC=$?
    LINE1=${OUT%%$'\n'*}
}
dev() { run -C headroom-device "$@"; }

# Performance data per the guidelines: 'label'=value[UOM];[warn];[crit];[min];[max]
PERF_RE="^'[^'=]+'=(U|-?[0-9]+(\.[0-9]+)?(%|s|ms|us|B|KB|MB|TB|c)?)(;[-~@0-9.:]*){0,4}$"
perf_ok() {
    local perf=${1#*|} item n=0
    [[ $1 == *"|"* ]] || return 1
    for item in $perf; do
        [[ $item =~ $PERF_RE ]] || { diag "bad perfdata item: $item"; return 1; }
        n=$((n + 1))
    done
    [ "$n" -ge 1 ]
}

# ---- states -----------------------------------------------------------------
dev
is "all devices, default -w 80 -c 90: CRITICAL (exit 2)" "$RC" 2
like "status line names the worst device" "$LINE1" '^HEADROOM CRITICAL - 3 devices, worst nvme0n1 92% used, 1 critical, 1 usage unknown \| '
like "perfdata for sda" "$LINE1" "'sda_used_pct'=72%;80;90;0;100( |$)"
like "perfdata for nvme0n1" "$LINE1" "'nvme0n1_used_pct'=92%;80;90;0;100( |$)"
like "unknown usage is U" "$LINE1" "'sdb_used_pct'=U;80;90;0;100( |$)"
check "perfdata matches the guidelines' format" perf_ok "$LINE1"
is "one long-output line per device" "$(sed -n '2,$p' <<<"$OUT" | wc -l)" 3
like "long output: sda OK" "$OUT" $'\n\\[OK\\] sda \\(index 1, serial WD-WCC4N7XK2P5T\\): 72% used'
like "long output: sdb usage unknown" "$OUT" $'\n\\[UNKNOWN\\] sdb \\(index 3, serial ZL2ABCDE\\): usage unknown'
is "nothing on stderr" "$(cat "$T/stderr")" ""

dev -i 1
is "-i 1 (72%): OK" "$RC" 0
like "-i 1 status line" "$LINE1" "^HEADROOM OK - sda \\(serial WD-WCC4N7XK2P5T\\) 72% used \\| 'sda_used_pct'=72%;80;90;0;100$"
dev -i 1 -w 70 -c 80
is "-i 1 -w 70 -c 80: WARNING" "$RC" 1
like "WARNING status line" "$LINE1" '^HEADROOM WARNING - sda '
dev -i 2
is "-i 2 (92%): CRITICAL" "$RC" 2
dev -i 3
is "-i 3 (nothing mounted): UNKNOWN" "$RC" 3
like "-i 3 says usage unknown" "$LINE1" '^HEADROOM UNKNOWN - sdb \(serial ZL2ABCDE\) usage unknown \(nothing mounted\) \| '"'sdb_used_pct'=U;80;90;0;100$"
dev -s S4EWNX0R812345 -w 95 -c 98
is "--serial picks nvme0n1 (92% < 95): OK" "$RC" 0
like "--serial status line" "$LINE1" '^HEADROOM OK - nvme0n1 \(serial S4EWNX0R812345\) 92% used'
dev -s NO-SUCH-SERIAL
is "unknown serial: UNKNOWN" "$RC" 3
like "unknown serial message" "$LINE1" "^HEADROOM UNKNOWN - no device with serial 'NO-SUCH-SERIAL' among 3"
dev -i 99
is "unknown index: UNKNOWN" "$RC" 3
dev -w 95 -c 99
is "all devices under -w 95 -c 99: OK despite the unknown one" "$RC" 0
like "OK line counts the unknown device" "$LINE1" '^HEADROOM OK - 3 devices, worst nvme0n1 92% used, 1 usage unknown'

# ---- every range form on sda = 72 ---------------------------------------------
# FORM  exit-with-it-as-warning
while read -r form want; do
    dev -i 1 -w "$form"
    is "-w '$form' on 72 -> exit $want" "$RC" "$want"
    like "-w '$form' shown in perfdata" "$LINE1" "'sda_used_pct'=72%;$form;;0;100$"
done <<'FORMS'
80 0
70 1
72 0
10: 0
73: 1
~:80 0
~:71 1
70:75 0
73:80 1
@70:75 1
@73:80 0
@72:72 1
@~:71 0
:100 0
71.5:72.5 0
FORMS
dev -i 1 -w 10 -c @70:75
is "critical '@70:75' wins over warning: CRITICAL" "$RC" 2
dev -i 1 -c 71
is "critical only, exceeded: CRITICAL" "$RC" 2
like "critical only: empty warn field" "$LINE1" "'sda_used_pct'=72%;;71;0;100$"

# ---- metrics --------------------------------------------------------------------
dev -m peak -w 5000 -c 16000
is "peak: nvme0n1 15230 is WARNING" "$RC" 1
like "peak perfdata without UOM or max" "$LINE1" "'nvme0n1_peak'=15230;5000;16000;0( |$)"
like "peak text" "$LINE1" 'worst nvme0n1 peak 15230 writes/60s today'
dev -m peak-prev -c 17000
is "peak-prev: 17110 > 17000 CRITICAL" "$RC" 2
like "peak-prev perfdata" "$LINE1" "'nvme0n1_peak_prev'=17110;;17000;0"
dev -m rate-avg -w 2000: -i 1
is "rate-avg '2000:' on 610: WARNING" "$RC" 1
dev -m used-bytes -i 1
is "used-bytes without ranges: OK" "$RC" 0
like "used-bytes perfdata in B with capacity as max" "$LINE1" "'sda_used'=2860000000000B;;;0;4000787030016$"
dev -m used-bytes -i 3 -w 1
is "used-bytes of an unmounted device: UNKNOWN" "$RC" 3
dev -m peak -i 3 -w 0
is "peak 0 on the unmounted device with -w 0: OK (value known)" "$RC" 0

# ---- versions ---------------------------------------------------------------------
run -P 1 -C headroom-device -i 1 -m used-bytes
is "v1: used-bytes OK" "$RC" 0
# v1 cannot carry Counter64: the MiB column, times 2^20.
like "v1: used bytes from hdrmDevUsedMiB" "$LINE1" "'sda_used'=$((2727508 * 1048576))B;;;0;$((3815447 * 1048576))$"
run -P 1 -C headroom-device
is "v1: default check CRITICAL like v2c" "$RC" 2
like "v1: same status line" "$LINE1" '^HEADROOM CRITICAL - 3 devices, worst nvme0n1 92% used'
run -P 2c -C headroom-device -i 1 -v
is "-v: OK" "$RC" 0
like "-v adds used space (of the mounted file systems), the whole disk, model and firmware" "$OUT" \
    'mounted file systems: 2\.6 TiB used \(72% of their size\); whole disk: 3\.6 TiB; model WDC WD40EFRX-68N32N0; firmware 82\.00A82; peak 4520'
V3=(-P 3 -U hruser -L authPriv -a SHA -A hrauthpass -x AES -X hrprivpass -N headroom-device)
run "${V3[@]}" -i 2 -w 95 -c 99
is "v3 authPriv (SHA/AES) against snmpsim: OK" "$RC" 0
like "v3 status line" "$LINE1" '^HEADROOM OK - nvme0n1 \(serial S4EWNX0R812345\) 92% used'
run "${V3[@]}"
is "v3: default check CRITICAL" "$RC" 2
run -P 3 -U hruser -L authPriv -a SHA -A wrongpass1 -x AES -X hrprivpass -N headroom-device -t 2 -r 0
is "v3 wrong passphrase: UNKNOWN" "$RC" 3
like "v3 wrong passphrase: message" "$LINE1" '^HEADROOM UNKNOWN - '

# ---- wrong types and values from the agent ---------------------------------------
run -C wrongtype -v
is "wrong types: the one good value decides (nvme0n1 92%): CRITICAL" "$RC" 2
like "wrong types: sda and sdb counted unknown" "$LINE1" '^HEADROOM CRITICAL - 3 devices, worst nvme0n1 92% used, 1 critical, 2 usage unknown'
like "wrong types: -v says a cell was ignored" "$OUT" $'\n\\[UNKNOWN\\] sda [^\n]*1 cell\\(s\\) with a wrong type or value ignored'
like "out-of-range used percent ignored" "$OUT" $'\n\\[UNKNOWN\\] sdb [^\n]*1 cell\\(s\\) with a wrong type or value ignored'
run -C wrongtype -m peak -i 2
is "peak served as a string: UNKNOWN" "$RC" 3
run -C wrongtype -m peak -i 1 -w 5000
is "other columns of the same agent still work" "$RC" 0

# ---- a table that takes many requests ---------------------------------------------
# diskK is K mod 101 percent used: count the expected states.
nw=0 nc=1   # nvme0n1 (92%) is critical too
for k in $(seq 300); do p=$((k % 101)); if [ $p -gt 90 ]; then nc=$((nc + 1)); elif [ $p -gt 80 ]; then nw=$((nw + 1)); fi; done
for ver in 2c 1; do
    run -P $ver -C many
    is "v$ver, 303 devices: CRITICAL" "$RC" 2
    like "v$ver, 303 devices: counts" "$LINE1" "^HEADROOM CRITICAL - 303 devices, worst disk[0-9]+ 100% used, $nc critical, $nw warning, 1 usage unknown \\| "
    is "v$ver, 303 devices: one perfdata item each" "$(grep -o "_used_pct'=" <<<"$LINE1" | wc -l)" 303
    like "v$ver, 303 devices: disk250 is 48%" "$LINE1" "'disk250_used_pct'=48%;80;90;0;100 "
    is "v$ver, 303 devices: 303 device lines" "$(sed -n '2,$p' <<<"$OUT" | wc -l)" 303
done
run -C many -s SYN000299
like "--serial among 303 devices" "$LINE1" "^HEADROOM OK - disk299 \\(serial SYN000299\\) 97% used|^HEADROOM CRITICAL - disk299 \\(serial SYN000299\\) 97% used"
is "--serial among 303: CRITICAL (97%)" "$RC" 2

# ---- missing MIB, empty table, timeout ------------------------------------------------
run -C nomib
is "agent without HEADROOM-STORAGE-MIB: UNKNOWN" "$RC" 3
like "missing MIB message" "$LINE1" "^HEADROOM UNKNOWN - 127\\.0\\.0\\.1:$SIM_PORT does not serve HEADROOM-STORAGE-MIB \\(no hdrmDeviceTable under enterprises\\.$ENT\\)$"
run -P 1 -C nomib
is "v1, agent without the MIB: UNKNOWN" "$RC" 3
like "v1 missing MIB message" "$LINE1" 'does not serve HEADROOM-STORAGE-MIB'
run -C empty
is "MIB served, no device: UNKNOWN" "$RC" 3
like "empty table message" "$LINE1" 'serves HEADROOM-STORAGE-MIB but no device$'
dead=$(free_port udp)
OUT=$(timeout 30 "$CH" -H 127.0.0.1 -p "$dead" -t 2 2>&1); RC=$?
is "dead port: UNKNOWN (not killed by the test's timeout)" "$RC" 3
like "dead port: timeout message" "$OUT" "^HEADROOM UNKNOWN - timeout: no (complete )?answer"
is "dead port: one line" "$(wc -l <<<"$OUT")" 1
# snmpsim drops requests with an unknown community: the agent is up but
# silent, and -r 3 retries would take longer than -t, so alarm() ends it.
OUT=$(timeout 30 "$CH" -H 127.0.0.1 -p "$SIM_PORT" -C no-such-community -t 1 -r 10 2>&1); RC=$?
is "silent agent, retries beyond -t: UNKNOWN" "$RC" 3
like "silent agent: timeout message" "$OUT" "^HEADROOM UNKNOWN - (127\\.0\\.0\\.1:$SIM_PORT: )?timeout"

# ---- bad arguments -----------------------------------------------------------------------
bad() {
    local name=$1; shift
    OUT=$("$CH" "$@" 2>&1); RC=$?
    is "bad args ($name): exit 3" "$RC" 3
    like "bad args ($name): UNKNOWN line then usage" "$OUT" $'^HEADROOM UNKNOWN - [^\n]+\nUsage: check_headroom -H host'
}
bad "no host"
bad "reversed range" -H 127.0.0.1 -w 20:10
bad "junk range" -H 127.0.0.1 -c 10%
bad "version 4" -H 127.0.0.1 -P 4
bad "unknown option" -H 127.0.0.1 --frobnicate
bad "unknown short option" -H 127.0.0.1 -Z
bad "missing argument" -H 127.0.0.1 -w
bad "timeout 0" -H 127.0.0.1 -t 0
bad "port 70000" -H 127.0.0.1 -p 70000
bad "unknown metric" -H 127.0.0.1 -m days-to-full
bad "serial and index" -H 127.0.0.1 -s X -i 1
bad "v3 without user" -H 127.0.0.1 -P 3
bad "authPriv without -X" -H 127.0.0.1 -P 3 -U u -L authPriv -A longenough
bad "short passphrase" -H 127.0.0.1 -P 3 -U u -A short
bad "unknown auth protocol" -H 127.0.0.1 -P 3 -U u -A longenough -a SHA-1000
bad "stray argument" -H 127.0.0.1 extra
OUT=$("$CH" -H 127.0.0.1 -w 20:10 2>&1)
like "reversed range: says why" "$OUT" "invalid warning range '20:10': start is greater than end"
OUT=$("$CH" --help); RC=$?
is "--help exits 0" "$RC" 0
for want in 'Usage: check_headroom -H host' '--warning=RANGE' '@10:20' 'Examples:' 'hdrmDevUsedPercent -1' 'used-percent' 'Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'; do
    like "--help mentions '$want'" "$OUT" "$(printf '%s' "$want" | sed 's/[][().*+?^$|\\]/\\&/g')"
done
OUT=$("$CH" --version); RC=$?
is "--version exits 0" "$RC" 0
like "--version prints the version" "$OUT" '^check_headroom [0-9]+\.[0-9]+\.[0-9]+'

# ---- hostile strings -----------------------------------------------------------------------
run -C hostile -v
is "hostile agent: CRITICAL (its 99% device)" "$RC" 2
is "status line + one line per device, nothing else" "$(wc -l <<<"$OUT")" 5
check "no CR, ESC or NUL anywhere in the output" bash -c "! LC_ALL=C grep -q \$'[\\r\\x1b]' <<<\"\$1\"" _ "$OUT"
is "exactly one '|' in the status line" "$(tr -cd '|' <<<"$LINE1" | wc -c)" 1
check "hostile perfdata still matches the guidelines' format" perf_ok "$LINE1"
check "no line but the first starts with 'HEADROOM '" bash -c "! sed -n '2,\$p' <<<\"\$1\" | grep -q '^HEADROOM '" _ "$OUT"
check "no '|' in the long output" bash -c "! sed -n '2,\$p' <<<\"\$1\" | grep -q '|'" _ "$OUT"
like "hostile label reduced to safe characters" "$LINE1" "'evil_+dev_+used_pct'=99%;80;90;0;100$"
check "output is valid UTF-8" bash -c "iconv -f UTF-8 -t UTF-8 <<<\"\$1\" >/dev/null" _ "$OUT"
check "snmpsimd still running" kill -0 "$SIM_PID"
done_testing
