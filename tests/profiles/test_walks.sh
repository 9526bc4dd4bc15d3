#!/bin/bash
# Every real walk of ../shared/walks (Synology, QNAP, TrueNAS, Nimble, Dell,
# Huawei, Data Domain, Linux, Windows, ESXi...) served by snmpsim on
# loopback and read with `headroom profiles test`: the profile detected, the
# serial (or none), vendor, model, firmware, volumes counted, capacity, used
# and write counters against tests/profiles/walk_expectations.tsv, worked
# out by hand from the walk data.  The walks are other projects' data and
# are not in the repository: without ../shared this test skips, and says so.
# run.sh: heavy
. "$(dirname "$0")/../lib.sh"
WALKS="$TOP/../shared/walks"
if [ ! -d "$WALKS" ] || ! ls "$WALKS"/*.snmprec > /dev/null 2>&1; then
    skip "real device walks" "$WALKS is absent (a clone outside the headroom workplace)"
    exit 0
fi
export HEADROOM_DB="$T/hr.db" HEADROOM_PROFILE_DIRS="$TOP/profiles"
SIM="$T/sim"
mkdir -p "$SIM/cache"
$PY "$TOP/tests/profiles/prep_walks.py" "$WALKS" "$SIM/data"
# snmpsimd drops root for nobody: it must reach its data (but $T is 0700).
chmod 711 "$T"
chmod -R a+rX "$SIM"
chmod 777 "$SIM/cache"
port=$(free_port udp)
spawn $PY /usr/bin/snmpsimd --data-dir="$SIM/data" --cache-dir="$SIM/cache" \
    --agent-udpv4-endpoint="127.0.0.1:$port" --process-user=nobody --process-group=nogroup \
    --logging-method=null
check "snmpsimd serves the walks" wait_for 60 snmpget -v2c -c mur__localhost -t 0.5 -r 0 \
    "127.0.0.1:$port" .1.3.6.1.2.1.1.3.0
is "one expectation row per walk" "$(($(wc -l < "$TOP/tests/profiles/walk_expectations.tsv") - 1))" \
    "$(ls "$SIM/data" | wc -l)"
$PY "$TOP/tests/profiles/check_walks.py" "$B/headroom" "$port" "$TOP/tests/profiles/walk_expectations.tsv"

# SNMPv1 reads the same (GETNEXT walks, noSuchName at the end of a view).
out=$("$B/headroom" profiles test -v 1 -p "$port" -c lnms__dsm_ds214se-dsm6 127.0.0.1 2>&1)
like "SNMPv1: Synology capacity read with GETNEXT" "$out" "capacity +1964237742080 bytes"
# A profile named by hand wins over detection.
out=$("$B/headroom" profiles test --profile host-resources -p "$port" -c lnms__qnap 127.0.0.1 2>&1)
like "--profile host-resources on the QNAP: every fixed disk" "$out" "volumes +5 counted of 5"
# A placeholder serial is no serial.
out=$("$B/headroom" profiles test -p "$port" -c lnms__truenas 127.0.0.1 2>&1)
like "TrueNAS: no serial in FREENAS-MIB" "$out" "serial +none"
# Nothing matches: exit 1 with a message.
out=$("$B/headroom" profiles test -p "$port" -c lnms__equallogic_ps6210 127.0.0.1 2>&1); rc=$?
is "EqualLogic: no profile matches: exit 1" "$rc" 1
like "... said" "$out" "no profile matches this agent"
# A dead agent: exit 1, named.
dead=$(free_port udp)
out=$("$B/headroom" profiles test -p "$dead" -t 1 -r 0 -c x 127.0.0.1 2>&1); rc=$?
is "no agent: exit 1" "$rc" 1
like "... timeout" "$out" "timeout"

# check_headroom reads the same devices with --profile.
C="$B/check_headroom"
out=$("$C" -H 127.0.0.1 -p "$port" -C lnms__dsm_ds214se-dsm6 2>&1); rc=$?
is "check_headroom without --profile: a Synology is UNKNOWN (exit 3)" "$rc" 3
like "... no HEADROOM-STORAGE-MIB" "$out" "does not serve HEADROOM-STORAGE-MIB"
out=$("$C" -H 127.0.0.1 -p "$port" -C lnms__dsm_ds214se-dsm6 --profile auto 2>&1); rc=$?
is "check_headroom --profile auto: the Synology is 86% used: WARNING (exit 1)" "$rc" 1
like "... its line and perfdata" "$out" "^HEADROOM WARNING - .*DS214se.* 86%.*\\| *'?DS214se_used_pct'?=86%;80;90"
out=$("$C" -H 127.0.0.1 -p "$port" -C lnms__windows_svr_2019_1809 --profile auto -w 50 -c 60 2>&1); rc=$?
like "check_headroom --profile auto: the Windows host at 30%: OK" "$rc $out" "^0 HEADROOM OK - "
out=$("$C" -H 127.0.0.1 -p "$port" -C lnms__qnap --profile host-resources -m used-bytes -w 1 -c 2 2>&1); rc=$?
is "check_headroom --profile NAME -m used-bytes: CRITICAL over 2 bytes" "$rc" 2
out=$("$C" -H 127.0.0.1 -p "$port" -C lnms__dell-powervault_me4024 --profile auto 2>&1); rc=$?
is "check_headroom on the ME4 (no capacity in its MIBs): UNKNOWN" "$rc" 3
out=$("$C" -H 127.0.0.1 -p "$port" -C lnms__qnap --profile nosuch 2>&1); rc=$?
is "check_headroom --profile nosuch: UNKNOWN" "$rc" 3
like "... named" "$out" "no profile named 'nosuch'"
done_testing
