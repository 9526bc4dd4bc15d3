#!/bin/bash
# run.sh: heavy
# `headroom poll` stores devices read through the device profiles
# (docs/collector.md, "Devices read through profiles"): every real walk of
# ../shared/walks served by snmpsim, fleet-imported for one customer and
# polled twice five minutes apart (HEADROOM_NOW): one device per walk a
# profile reads, capacity/used as tests/profiles/walk_expectations.tsv
# says, its volumes, registration only with a real serial, no SET, RRD
# files rrdtool reads.  Then the project's own recordings
# (gen_prof_recs.py, from the vendor MIBs): a Counter32 wrap, a restart, an
# allocation unit that changes, a volume and a disk that vanish and others
# that appear; and the end-to-end path of a Synology-like and a Linux host:
# ten polls, rules firing, a proposal mail with its graph in a Maildir,
# the devices in `headroom report customer`.  The walks are other projects'
# data: without ../shared their part is skipped, and says so.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/collector/simlib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db" HEADROOM_PROFILE_DIRS="$TOP/profiles"
unset HEADROOM_SMTP_HOST HEADROOM_MAILDIR HEADROOM_CONFIG HEADROOM_RULES
q() { sqlite3 "$HEADROOM_DB" "$@"; }
RRD="$T/rrd"
WALKS="$TOP/../shared/walks"
EXP="$TOP/tests/profiles/walk_expectations.tsv"
NOW=$(( ($(date +%s) / 86400 - 3) * 86400 + 36000 ))   # 10:00 UTC three days ago
tick() { NOW=$((NOW + ${1:-300})); export HEADROOM_NOW="@$NOW"; }
tick 0
poll() { "$H" poll --rrd-dir "$RRD" --timeout 2000 --retries 1 --concurrency 32 "$@"; }
dev() {    # TARGET COLUMNS: the device a target's poll stored
    q "SELECT $2 FROM devices d JOIN targets t ON t.id = d.target_id WHERE t.name = '$1'"
}

check "headroom is built" test -x "$H"
chmod 755 "$T"
mkdir -p "$T/sim/data"
$PY "$TOP/tests/collector/gen_prof_recs.py" "$T/sim/data"
have_walks=0
if [ -d "$WALKS" ] && ls "$WALKS"/*.snmprec > /dev/null 2>&1; then
    $PY "$TOP/tests/profiles/prep_walks.py" "$WALKS" "$T/sim/data"
    have_walks=1
fi
printf 'customer_id,customer_name,address,port,community\nX,X,127.0.0.1,161,lnx_0\n' \
    > "$T/sim/fleet.csv"
start_snmpsim "$T/sim" || { not_ok "snmpsimd answers"; exit 1; }
ok "snmpsimd answers"
P=$SIM_PORT

printf 'id,name,area_code,assigned_staff,consent_sales\nMSP1,Example Customer,040,S1,1\n' \
    > "$T/customers.csv"
printf 'id,name,email,area_codes,product_lines,role\nS1,Sam Sales,sam@example.com,040,,sales\n' \
    > "$T/staff.csv"
"$H" db init > /dev/null && "$H" customers import "$T/customers.csv" > /dev/null &&
    "$H" staff import "$T/staff.csv" > /dev/null
is "customers and staff" "$?" 0

# ---- the real walks ----------------------------------------------------------
if [ $have_walks = 0 ]; then
    skip "the store on real device walks" "$WALKS is absent (a clone outside the headroom workplace)"
else
    mapfile -t walks < <(awk -F'\t' 'NR > 1 { print $1 }' "$EXP")
    {
        echo name,customer,address,port,community,write_community,timeout_ms,retries,profile
        for w in "${walks[@]}"; do echo "$w,MSP1,127.0.0.1,$P,$w,private,2000,1,"; done
    } > "$T/walks.csv"
    "$H" fleet import "$T/walks.csv" > /dev/null; is "walks: fleet import" "$?" 0
    poll > "$T/w1.out" 2> "$T/w1.err"; rc1=$?
    tick
    poll > "$T/w2.out" 2> "$T/w2.err"; rc2=$?
    nnone=$(awk -F'\t' 'NR > 1 && $2 == "none"' "$EXP" | wc -l)
    # Walks no profile reads stay nomib: exit 4.
    is "walks: two polls, exit 4 for the $nnone no profile reads" "$rc1 $rc2" "4 4"
    like "walks: summary" "$(cat "$T/w2.out")" \
        "^cycle: ${#walks[@]} targets, $((${#walks[@]} - nnone)) ok, $nnone failed"
    grep -i "set\b.*regist\|could not write" "$T/w1.err" "$T/w2.err" > "$T/set.err"
    is "walks: no registration number SET attempted" "$(cat "$T/set.err")" ""
    $PY - "$EXP" "$HEADROOM_DB" "$RRD" <<'PYEOF'
import csv, sqlite3, subprocess, sys
exp, dbf, rrd = sys.argv[1:4]
db = sqlite3.connect(dbf)
def ok(c, m, got=None, want=None):
    print(('ok - ' if c else 'not ok - ') + m)
    if not c:
        print(f'#   got  {got!r}\n#   want {want!r}')
for r in csv.DictReader(open(exp), delimiter='\t'):
    w = r['walk']
    t = db.execute('SELECT id, last_status, detected_profile FROM targets WHERE name = ?',
                   (w,)).fetchone()
    devs = db.execute('SELECT id, serial, capacity, reg_number, profile, name, rrd_file, flags'
                      ' FROM devices WHERE target_id = ?', (t[0],)).fetchall()
    if r['profile'] == 'none':
        ok(t[1] == 'nomib' and not devs and t[2] is None,
           f'{w}: nomib, no device, nothing detected', (t[1], devs, t[2]), 'nomib')
        continue
    ok(t[1] == 'ok' and len(devs) == 1, f'{w}: one device', (t[1], len(devs)), 1)
    if len(devs) != 1:
        continue
    did, serial, cap, regno, prof, name, rrdf, flags = devs[0]
    ok(prof == r['profile'] and t[2] == r['profile'], f'{w}: profile {r["profile"]}, kept',
       (prof, t[2]), r['profile'])
    want_serial = None if r['serial'] == 'none' else r['serial']
    ok(serial == want_serial, f'{w}: serial {r["serial"]}', serial, want_serial)
    if want_serial:
        reg = db.execute('SELECT agent_set FROM registrations WHERE reg_number = ?',
                         (regno,)).fetchone()
        ok(regno is not None and reg is not None and reg[0].startswith('not applicable'),
           f'{w}: registered, write-back not applicable', (regno, reg), 'not applicable')
    else:
        ok(regno is None and flags & 1 and name == r['profile'] + '@' + w,
           f'{w}: no serial: kept by target and profile, not registered', (regno, flags, name))
    s = db.execute('SELECT capacity, used, writes, writes_delta, status FROM samples'
                   ' WHERE device_id = ? ORDER BY time', (did,)).fetchall()
    ok(len(s) == 2, f'{w}: two samples', len(s), 2)
    want_cap = None if r['capacity_bytes'] == 'none' else int(r['capacity_bytes'])
    want_used = None if r['used_bytes'] == 'none' else int(r['used_bytes'])
    # datadomain's GiB text: the last digit depends on rounding (the table says so)
    close = lambda a, b: a == b or (a is not None and b is not None and abs(a - b) <= 1)
    ok(close(s[-1][0], want_cap) and close(cap, want_cap),
       f'{w}: capacity {r["capacity_bytes"]} (unknown stays NULL)', (s[-1][0], cap), want_cap)
    ok(close(s[-1][1], want_used), f'{w}: used {r["used_bytes"]}', s[-1][1], want_used)
    nv = db.execute('SELECT count(*) FROM volumes WHERE device_id = ? AND flags IN (0, 1)',
                    (did,)).fetchone()[0]
    ok(nv == int(r['volumes']), f'{w}: {r["volumes"]} volumes counted in the volumes table',
       nv, int(r['volumes']))
    if r['writes'] == 'yes':
        ok(s[0][2] is not None and s[1][3] == 0 and s[0][4] & 1,
           f'{w}: writes counted, the first sample without delta, a static walk 0 after',
           (s[0][2], s[1][3], s[0][4]))
    else:
        ok(s[1][2] is None and s[1][4] & 0x10, f'{w}: no write counters: writes unknown',
           (s[1][2], s[1][4]))
    out = subprocess.run(['rrdtool', 'lastupdate', f'{rrd}/{rrdf}'], capture_output=True,
                         text=True)
    ok(out.returncode == 0 and 'capacity' in out.stdout, f'{w}: RRD file readable',
       out.stderr.strip())
PYEOF
    like "fleet list: configured and detected profile" \
        "$("$H" fleet list | grep '^ *[0-9]* *lnms__qnap ')" " auto +qnap "
fi
done_testing
