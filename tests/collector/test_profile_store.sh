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
# that appear, two enclosure serials, a placeholder serial, a negative
# Integer32 size, 64-bit high/low halves; check_headroom's measured load;
# and the end-to-end path of a Synology-like and a Linux host:
# ten polls, rules firing, a proposal mail with its graph in a Maildir,
# the devices in `headroom report customer`.  The walks are other projects'
# data: without ../shared their part is skipped, and says so.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/collector/simlib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db" HEADROOM_PROFILE_DIRS="$TOP/profiles"
unset HEADROOM_SMTP_HOST HEADROOM_MAILDIR HEADROOM_CONFIG HEADROOM_RULES
# In an ASan build only the leaks inside librrd and fontconfig are forgiven
# (the graph of the proposal mail), as tests/propose/test_propose.sh does.
export LSAN_OPTIONS="suppressions=$TOP/tests/propose/lsan.supp" ASAN_OPTIONS="fast_unwind_on_malloc=0"
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
    nv = db.execute('SELECT count(*) FROM volumes WHERE device_id = ? AND flags & 30 = 0',
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

# ---- the project's recordings: two polls each ------------------------------
# A target's community selects the recording; between the polls the fleet
# import points each target at its second one (same name: same target).
lab() {    # SUFFIX
    echo name,customer,address,port,community,write_community
    for n in lnxwrap lnxrst lnxau lnxvol swap; do echo "$n,LAB,127.0.0.1,$P,${n}_$1,private"; done
}
lab a > "$T/lab.csv"
"$H" fleet import --add-customers "$T/lab.csv" > /dev/null; is "lab: fleet import" "$?" 0
tick
poll -C LAB > "$T/l1.out" 2> "$T/l1.err"; is "lab: first poll" "$?" 0
like "lab: four new devices, none registered" "$(cat "$T/l1.out")" \
    "^cycle: 5 targets, 5 ok, 0 failed, 5 devices \(5 new, 0 registered"
lab b > "$T/lab.csv"
"$H" fleet import "$T/lab.csv" > /dev/null
tick
poll -C LAB > "$T/l2.out" 2> "$T/l2.err"; is "lab: second poll" "$?" 0
like "lab: the same four devices (the swapped agent reads nothing)" "$(cat "$T/l2.out")" \
    "^cycle: 5 targets, 5 ok, 0 failed, 5 devices \(0 new"
last() {   # TARGET COLUMNS: of the device's latest sample
    q "SELECT $2 FROM samples s JOIN devices d ON d.id = s.device_id JOIN targets t
       ON t.id = d.target_id WHERE t.name = '$1' ORDER BY s.time DESC LIMIT 1"
}
# Counter32 wrap: sda 2^32-296 -> 500 is 796 writes, sdb 100 more: 896,
# added to the device's 64-bit counter; no restart, no jump.
is "wrap: writes_delta 896" "$(last lnxwrap writes_delta)" 896
is "wrap: the device counter went up by 896" "$(q "SELECT max(writes) - min(writes) FROM samples
    WHERE device_id = (SELECT id FROM devices WHERE name = 'linux-host@lnxwrap')")" 896
is "wrap: status clean" "$(last lnxwrap status)" 0
# Load: 896 writes in 300 s, per 60 s window: 179 (rounded).
is "wrap: load per 60 s window (rate_avg, peak, window)" \
    "$(last lnxwrap "rate_avg || ' ' || peak || ' ' || window")" "179 179 60"
is "wrap: per-row counters kept in the database" \
    "$(dev lnxwrap "(SELECT group_concat(row_index || '=' || value, ' ') FROM
       (SELECT * FROM device_counters c WHERE c.device_id = d.id ORDER BY row_index))")" \
    ".1=500 .2=1100"
# Restart: sysUpTime 500000 -> 100: unknown, never a spike (HR_SAMPLE_RESTART).
is "restart: writes_delta unknown" "$(last lnxrst "coalesce(writes_delta, 'NULL')")" NULL
is "restart: status restart" "$(last lnxrst "status & 2")" 2
is "restart: no load for that interval" "$(last lnxrst "coalesce(rate_avg, 'NULL')")" NULL
is "restart: the counter did not jump" "$(q "SELECT max(writes) - min(writes) FROM samples
    WHERE device_id = (SELECT id FROM devices WHERE name = 'linux-host@lnxrst')")" 0
# Allocation unit 4096 -> 8192 with the same hrStorageSize: read again.
is "allocation unit: capacity per poll" \
    "$(q "SELECT group_concat(capacity || '/' || used, ' ') FROM (SELECT capacity, used FROM samples
       WHERE device_id = (SELECT id FROM devices WHERE name = 'linux-host@lnxau') ORDER BY time)")" \
    "4096000/2048000 8192000/4096000"
# Volumes: /data vanished, /srv appeared; sdb vanished, sdc appeared with
# 5,000,000 writes: only sda's 100 count.
is "volumes: replaced each poll" \
    "$(dev lnxvol "(SELECT group_concat(name || ':' || capacity, ' ') FROM
       (SELECT * FROM volumes v WHERE v.device_id = d.id ORDER BY seq))")" \
    "/:4096000000 /srv:12288000"
is "volumes: capacity is their sum" "$(last lnxvol s.capacity)" $((4096000000 + 12288000))
is "a disk that appears or vanishes makes no jump" "$(last lnxvol writes_delta)" 100
is "lab: no registration for serial-less devices" \
    "$(q "SELECT count(*) FROM registrations r JOIN devices d ON d.id = r.device_id
          WHERE d.customer = 'LAB'")" 0
like "fleet list: detected profile kept" "$("$H" fleet list --customer LAB)" "lnxau .* auto +linux-host "
# The detected profile is named on the next poll; when it reads nothing
# (no volume, no counter, no serial) the target is detected again.
is "swap: linux-host read nothing from the DiskStation: detect again" \
    "$(q "SELECT coalesce(detected_profile, 'NULL') FROM targets WHERE name = 'swap'")" NULL
like "swap: logged once" "$(cat "$T/l2.err")" "target swap: profile linux-host no longer reads it"
tick
poll -t swap > /dev/null 2>&1; is "swap: third poll" "$?" 0
is "swap: synology detected, the DiskStation registered" \
    "$(q "SELECT detected_profile FROM targets WHERE name = 'swap'") $(dev swap "count(reg_number)")" \
    "synology 1"

# ---- the project's recordings: one poll each -----------------------------
printf 'name,customer,address,port,community,write_community\n' > "$T/lab2.csv"
for n in twoenc ph winneg nimhl long1 long2; do echo "$n,LAB2,127.0.0.1,$P,${n}_a,private"; done >> "$T/lab2.csv"
"$H" fleet import --add-customers "$T/lab2.csv" > /dev/null; is "lab2: fleet import" "$?" 0
tick
poll -C LAB2 > "$T/l3.out" 2> "$T/l3.err"; is "lab2: poll" "$?" 0
like "lab2: six devices, three registered (those with a real serial)" "$(cat "$T/l3.out")" \
    "^cycle: 6 targets, 6 ok, 0 failed, 6 devices \(6 new, 3 registered"
# Two enclosure serials: one device, keyed by the first chassis row's.
is "two enclosures: one device, the first chassis serial, model from ENTITY-MIB" \
    "$(dev twoenc "count(*) || ' ' || serial || ' ' || model_name || ' ' || vendor")" \
    "1 ENC-A-0001 Shelf 2U Linux"
is "... registered by that serial, not the second enclosure's" \
    "$(q "SELECT group_concat(r.serial) FROM registrations r JOIN devices d ON d.id = r.device_id
          WHERE d.customer = 'LAB2' AND r.serial NOT LIKE 'LONG%'")" "ENC-A-0001"
is "300-byte serials differing after byte 255: two devices, two keys of at most 255 bytes" \
    "$(q "SELECT count(DISTINCT serial) || ' ' || (max(length(CAST(serial AS BLOB))) <= 255) || ' ' ||
          min(serial LIKE 'LONGAAA%~%') FROM devices WHERE name LIKE 'linux-host@long%'")" "2 1 1"
is "placeholder chassis serial: no serial, not registered, kept by target and profile" \
    "$(dev ph "coalesce(d.serial, 'none') || ' ' || d.name || ' ' || (d.reg_number IS NULL)")" \
    "none linux-host@ph 1"
like "... and the log names the placeholder" "$(cat "$T/l3.err")" \
    "target ph: .*no serial number.*To be filled by O.E.M."
is "Windows negative Integer32 size: 2^32 added (65536 x 3,000,000,000)" \
    "$(last winneg "s.capacity || ' ' || s.used")" "196608000000000 6553600"
is "Nimble high and low halves: (2^32 + 5 + 2048) MiB" \
    "$(last nimhl "s.capacity || ' ' || s.used")" "4503601780097024 2122317824"

# ---- end to end: a Synology-like device and a Linux host -------------------
printf 'id,name,area_code,assigned_staff,consent_sales\nE2E,End To End Ltd,040,S1,1\n' \
    > "$T/e2e-cust.csv"
"$H" customers import "$T/e2e-cust.csv" > /dev/null
for n in 0 1 2 3 4 5 6 7 8 9; do
    printf 'name,customer,address,port,community,write_community\n' > "$T/e2e.csv"
    printf 'e2e-lnx,E2E,127.0.0.1,%s,lnx_%s,private\ne2e-syn,E2E,127.0.0.1,%s,syn_%s,private\n' \
        "$P" $n "$P" $n >> "$T/e2e.csv"
    "$H" fleet import "$T/e2e.csv" > /dev/null
    tick
    poll -C E2E > "$T/e$n.out" 2> "$T/e$n.err" || not_ok "e2e poll $n: exit $?"
done
# Raw polls: waiting in samples, or packed an hour at a time in polls.
is "e2e: ten samples each" "$(q "SELECT group_concat(n, ' ') FROM (SELECT
    (SELECT count(*) FROM samples s WHERE s.device_id = d.id) +
    (SELECT coalesce(sum(p.n), 0) FROM polls p WHERE p.device_id = d.id) AS n
    FROM devices d WHERE d.customer = 'E2E' ORDER BY d.id)")" "10 10"
is "e2e: the Synology registered by its serial" "$(q "SELECT serial || ' ' || (reg_number LIKE 'HR-%')
    FROM devices WHERE customer = 'E2E' AND serial IS NOT NULL")" "SYN-E2E-0001 1"
is "e2e: the Linux host kept by target and profile" \
    "$(q "SELECT name FROM devices WHERE customer = 'E2E' AND serial IS NULL")" "linux-host@e2e-lnx"
# 60,000 writes per 5 minutes across a Counter32 wrap: 12,000 per minute.
is "e2e: Linux host load per 60 s" "$(last e2e-lnx "peak || ' ' || rate_avg")" "12000 12000"
is "e2e: Synology load per 60 s (sda + sdb)" "$(last e2e-syn "peak || ' ' || rate_avg")" "12000 12000"
is "e2e: the RRD files have the writes" \
    "$(for t in e2e-lnx e2e-syn; do rrdtool lastupdate "$RRD/$(dev $t rrd_file)" | tail -1 |
       awk '{ print ($5 > 0) }'; done | tr '\n' ' ')" "1 1 "
is "e2e: the RRD DERIVE rate (writes/s)" \
    "$(rrdtool fetch "$RRD/$(dev e2e-lnx rrd_file)" AVERAGE -s $((NOW - 1200)) -e $((NOW - 300)) -r 300 |
       awk -F'[: ]+' '/^ *[0-9]+:/ && $5 !~ /nan/ { printf "%.0f\n", $5 }' | sort -u)" 200
AT=$NOW
"$H" rules eval --rules "$TOP/rules/default.rules" --customer E2E --at "$AT" > "$T/eval.out" 2>&1
like "rules: capacity-nearly-full fires on the Linux host (no serial)" "$(cat "$T/eval.out")" \
    "End To End Ltd	linux-host@e2e-lnx \(no serial\)	capacity-nearly-full	FIRES	critical	used_percent=94.6%"
like "rules: capacity-nearly-full fires on the Synology" "$(cat "$T/eval.out")" \
    "End To End Ltd	SYN-E2E-0001	capacity-nearly-full	FIRES	critical	used_percent=95.6%"
# A device without a serial is named as the lists show it.
for key in "linux-host@e2e-lnx" "linux-host@e2e-lnx (no serial)" "(linux-host@e2e-lnx)" \
           "e2e-lnx/linux-host@e2e-lnx"; do
    out=$("$H" rules eval --rules "$TOP/rules/default.rules" --device "$key" --at "$AT" 2>&1)
    is "rules eval --device '$key': the Linux host only" \
        "$(printf '%s\n' "$out" | awk -F'\t' '/FIRES/ { print $2 }' | sort -u)" \
        "linux-host@e2e-lnx (no serial)"
done
is "history --raw --device linux-host@e2e-lnx: its ten samples" \
    "$("$H" history --raw --device linux-host@e2e-lnx --format csv | tail -n +2 | wc -l)" 10
is "history --device linux-host@e2e-lnx: a row per day of its polls" \
    "$("$H" history --device linux-host@e2e-lnx --format csv | tail -n +2 | wc -l)" \
    "$("$H" history --raw --device linux-host@e2e-lnx --format csv | tail -n +2 | cut -c1-10 | sort -u | wc -l)"
is "its daily records hold the ten polls" \
    "$(q "SELECT sum(y.samples) FROM daily y JOIN devices d ON d.id = y.device_id WHERE d.name = 'linux-host@e2e-lnx'")" 10
"$H" history --device SYN-E2E-0001 --format csv > "$T/hist-syn.csv"
like "history --device SERIAL: still by serial" "$(sed -n 2p "$T/hist-syn.csv")" ",SYN-E2E-0001,"
"$H" history --device nosuch > /dev/null 2> "$T/nosuch.err"
is "history --device of no device: usage error" "$?" 2
like "... says what a device key is" "$(cat "$T/nosuch.err")" \
    "no device 'nosuch' \(give a serial, or for a device without one"
# Backfill the serial-less host from another tool: the device column.
printf 'device,time,capacity,used,writes\n' > "$T/backfill.csv"
for d in 3 2 1; do
    printf 'linux-host@e2e-lnx,%s,100GiB,%sGiB,%s\n' $((NOW - 86400 * (d + 30))) $((60 - d)) $((1000 * d)) \
        >> "$T/backfill.csv"
done
"$H" history import "$T/backfill.csv" > "$T/backfill.out" 2>&1
is "history import by device key (no serial)" "$?" 0
like "... three samples, no new device" "$(cat "$T/backfill.out")" \
    "3 samples imported .* 0 new devices"
is "... stored under the Linux host" "$(q "SELECT count(*) FROM samples s JOIN devices d
    ON d.id = s.device_id WHERE d.name = 'linux-host@e2e-lnx' AND s.status & $((1 << 9)) != 0")" 3
printf 'device,time,customer,capacity\nlinux-host@e2e-lnx,%s,OTHER,1TiB\n' $((NOW - 86400 * 40)) \
    > "$T/backfill-bad.csv"
"$H" history import "$T/backfill-bad.csv" > /dev/null 2> "$T/backfill-bad.err"
like "history import: a device of another customer is refused" "$(cat "$T/backfill-bad.err")" \
    "backfill-bad.csv:2: device 'linux-host@e2e-lnx' belongs to E2E, not OTHER"
printf 'device,serial,time\nlinux-host@e2e-lnx,SN1,%s\n' $((NOW - 86400 * 40)) > "$T/backfill-both.csv"
"$H" history import "$T/backfill-both.csv" > /dev/null 2> "$T/backfill-both.err"
like "history import: serial and device both given is refused" "$(cat "$T/backfill-both.err")" \
    "not both"
# The Synology's model string is its model number: the catalogue and the
# rule's SKU find it.  The Linux host has no model: a rule without SKU.
printf 'model_number,name,product_line,rated_load,rated_window,max_capacity,options,supplies,latest_firmware\nDS918+,DiskStation DS918+,nas,20000,60,64TB,EXP-DS918+-SHELF,,6.2-25426\n' \
    > "$T/catalog.csv"
printf 'sku,store_id,store_name,quantity,lead_time_days,transit_days\nEXP-DS918+-SHELF,S1,Central,2,5,1\n' \
    > "$T/stock.csv"
"$H" catalog import "$T/catalog.csv" > /dev/null && "$H" stock import "$T/stock.csv" > /dev/null
is "catalogue and stock" "$?" 0
{ cat "$TOP/rules/default.rules"; cat <<'RULES'
rule host-nearly-full {
    family   hosts
    severity critical
    when     used_percent >= 90%
    rearm    used_percent < 85%
    cooldown 14d
    subject  "{customer}: a host is {used_percent} full"
    propose  "A host of {customer} is {used_percent} full ({free} free of {capacity}). Propose more disks."
}
RULES
} > "$T/e2e.rules"
"$H" propose --rules "$T/e2e.rules" --customer E2E --at "$AT" --rrd-dir "$RRD" \
    --maildir "$T/Maildir" --fallback fallback@example.com --from headroom@example.com \
    > "$T/propose.out" 2>&1
is "propose into the Maildir" "$?" 0
mails=$(ls "$T/Maildir/new" 2>/dev/null | wc -l)
check "proposal mail in the Maildir ($mails)" test "$mails" -ge 1
m=$(grep -l "SYN-E2E-0001" "$T"/Maildir/new/* 2>/dev/null | head -1)
check "a mail names the Synology" test -n "$m"
like "... with its graph" "$(cat "$m" 2>/dev/null)" "Content-Type: image/png"
like "... and the stock answer" "$(cat "$m" 2>/dev/null)" "EXP-DS918\+-SHELF"
like "a mail proposes more disks for the Linux host" "$(cat "$T"/Maildir/new/* 2>/dev/null)" \
    "Device:   linux-host@e2e-lnx, model unknown, no serial"
"$H" report customer E2E --at "$AT" --rrd-dir "$RRD" > "$T/report.txt" 2>&1
is "report customer" "$?" 0
like "report: the Synology" "$(cat "$T/report.txt")" "SYN-E2E-0001"
like "report: the Linux host" "$(cat "$T/report.txt")" "linux-host@e2e-lnx"
# check_headroom on a device a profile reads: the load it measures itself,
# two readings --load-interval apart (sda writes 100/s: about 6,000 per 60 s).
C="$B/check_headroom"
out=$("$C" -H 127.0.0.1 -p "$P" -C lnxload --profile auto -m peak --load-interval 1 -t 10 \
      -w 3000 -c 60000 2>&1); rc=$?
is "check_headroom -m peak on a Linux host writing: WARNING (over 3000, under 60000)" "$rc" 1
like "... the measured load and its interval" "$out" \
    "^HEADROOM WARNING - .*load [0-9]+ writes/60s \(measured over 1s\)"
n=$(printf '%s' "$out" | sed -n "s/.*'\{0,1\}[^ ']*_peak'\{0,1\}=\([0-9]*\);.*/\1/p")
check "... perfdata peak near 6000 writes/60s ($n)" test "${n:-0}" -ge 3000 -a "${n:-0}" -le 60000
out=$("$C" -H 127.0.0.1 -p "$P" -C lnxload --profile linux-host -m rate-avg --load-interval 1 \
      -t 10 -v 2>&1); rc=$?
like "check_headroom -m rate-avg -v: the load line" "$out" "load [0-9]+ writes per 60s, measured over 1s"
out=$("$C" -H 127.0.0.1 -p "$P" -C lnx_3 --profile auto -m peak --load-interval 1 -w 1 -t 10 2>&1)
rc=$?
is "check_headroom -m peak on a Linux host not writing: 0 writes, OK" "$rc:$(printf '%s' "$out" |
    grep -o 'load [0-9]* writes' | head -1)" "0:load 0 writes"
out=$("$C" -H 127.0.0.1 -p "$P" -C swap_b --profile auto -m peak-prev -t 10 2>&1); rc=$?
is "check_headroom -m peak-prev on a profile device: UNKNOWN (needs history)" "$rc" 3
out=$("$C" -H 127.0.0.1 -p "$P" -C lnxload --profile auto -m peak --load-interval 10 -t 10 2>&1)
rc=$?
is "check_headroom --load-interval not under -t: usage error" "$rc" 3
like "... says so" "$out" "must be shorter than the timeout"

# The next day: the day's Cmax starts over, the previous day's is kept.
tick 86400
poll -C E2E > /dev/null 2>&1
tick
sed -i 's/lnx_9/lnx_8/' "$T/e2e.csv"    # an earlier sysUpTime: a restart
"$H" fleet import "$T/e2e.csv" > /dev/null
poll -C E2E > /dev/null 2>&1
is "next day: today's Cmax, yesterday's Cmax" "$(last e2e-lnx "peak || ' ' || peak_prev")" \
    "0 12000"
is "the Synology too" "$(last e2e-syn "peak || ' ' || peak_prev")" "0 12000"
is "next day: after a restart no writes counted, the day's Cmax carried" \
    "$(last e2e-lnx "coalesce(writes_delta, 'NULL')")" "NULL"
done_testing
