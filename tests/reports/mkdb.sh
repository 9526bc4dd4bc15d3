# tests/reports/mkdb.sh: the reports' test database, built with the CLI.
# Source after tests/lib.sh and tests/collector/simlib.sh.  make_report_db
# sets HEADROOM_DB, RRD (the poll's RRD directory), AT (the report time,
# Unix seconds), DAY0 (midnight of the last history day) and leaves:
#
#   C001  <script>alert(1)</script> & "Co"   polled from snmpsim: hostile
#         serials (CR/LF, NUL, 64 KiB), one serial also claimed by C002
#   C002  Müller Speicher 株式会社              polled; the other side of
#         the conflict; one agent dead (unreachable target)
#   C003  <script>document.title="pwned"</script>Gamma   polled (the
#         browser test checks the title is not changed)
#   ACME  Acme, Inc.                          history imported from CSV:
#         SN-GROW  10 TiB, used 5 TiB + 50 GiB per day for 60 days, Cmax
#                  1000 + 10 per day (a forecast exists)
#         SN-FLAT  4 TiB, used flat at 1 TiB (no forecast: flat)
#         SN-FEW   2 TiB, two days of history (no forecast: too few)
#         all three model AR-100 (propose/examples/catalog.csv: rated load
#         5000) with firmware 0.9 (released 2024-03-01; 1.0 is latest);
#         proposals made by `headroom propose` with stock answers
HOSTILE='<script>alert(1)</script> & "Co"'
NONASCII='Müller Speicher 株式会社'
PWN='<script>document.title="pwned"</script>Gamma'

make_report_db() {
    export HEADROOM_DB="$T/hr.db"
    RRD="$T/rrd"
    local H="$B/headroom" F
    chmod 755 "$T"
    make_fleet "$T/fleet" --agents 12 --customers 3 --dead 1 --nomib 0 --rows-max 2 \
        > "$T/gen.out" || { diag "gen_fleet failed"; return 1; }
    start_snmpsim "$T/fleet" || return 1
    F="$T/fleet/fleet.port.csv"
    "$H" db init > /dev/null || return 1
    $PY - "$T/customers.csv" "$HOSTILE" "$NONASCII" "$PWN" <<'PY' || return 1
import csv, sys
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "name", "area_code", "assigned_staff", "consent_sales"])
    w.writerow(["C001", sys.argv[2], "03", "s1", "yes"])
    w.writerow(["C002", sys.argv[3], "06", "", "no"])
    w.writerow(["C003", sys.argv[4], "03", "", "yes"])
    w.writerow(["ACME", "Acme, Inc.", "03", "s1", "yes"])
PY
    printf 'id,name,email,area_codes,product_lines\ns1,Sato Hanako,sato@example.com,03,arrays\n' \
        > "$T/staff.csv"
    "$H" customers import "$T/customers.csv" > /dev/null || return 1
    "$H" staff import "$T/staff.csv" > /dev/null || return 1
    {
        echo name,customer,address,port,version,community,timeout_ms,retries
        awk -F, 'NR > 1 { print $5 "," $1 "," $3 "," $4 ",2c," $5 ",300,0" }' "$F"
    } > "$T/targets.csv"
    "$H" fleet import "$T/targets.csv" > /dev/null || return 1
    "$H" poll --rrd-dir "$RRD" > "$T/poll.out" 2> "$T/poll.err"
    [ $? -le 4 ] || { diag "poll failed: $(cat "$T/poll.err")"; return 1; }
    # The imported history ends today (UTC); the report is made a minute
    # from now so the poll's samples count too.
    DAY0=$(( $(date +%s) / 86400 * 86400 ))
    AT=$(( $(date +%s) + 60 ))
    $PY - "$T/hist.csv" "$DAY0" <<'PY' || return 1
import csv, sys
day0 = int(sys.argv[2]); G = 1 << 30; TB = 1 << 40
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["serial", "time", "customer", "capacity", "used", "peak", "rate_avg"])
    for i in range(60):
        t = day0 - (59 - i) * 86400
        w.writerow(["SN-GROW", t, "ACME", 10 * TB, 5 * TB + 50 * G * i, 1000 + 10 * i, 50])
    for i in range(60):
        t = day0 - (59 - i) * 86400
        w.writerow(["SN-FLAT", t, "ACME", 4 * TB, TB, 200, 20])
    for i in range(2):
        t = day0 - (1 - i) * 86400
        w.writerow(["SN-FEW", t, "ACME", 2 * TB, TB // 2 + i * G, 300, 10])
PY
    "$H" history import "$T/hist.csv" > /dev/null || return 1
    # The catalogue, firmware releases and stock shipped as examples, and
    # proposals made by the rule engine (mail to a Maildir).  History
    # import carries no device spec (a poll would): ACME's model and
    # firmware by hand, as their agents would report them.
    local EX="$TOP/propose/examples"
    "$H" catalog import "$EX/catalog.csv" > /dev/null || return 1
    "$H" catalog import --firmware "$EX/firmware.csv" > /dev/null || return 1
    "$H" stock import "$EX/stock.csv" > /dev/null || return 1
    sqlite3 "$HEADROOM_DB" "UPDATE devices SET model_name = 'Array', model_number = 'AR-100',
        firmware = '0.9' WHERE customer = 'ACME'" || return 1
    "$H" propose --rules "$TOP/rules/default.rules" --at "$AT" --maildir "$T/mail" \
        --fallback fallback@example.com --rrd-dir "$RRD" > "$T/propose.out" 2>&1 ||
        { diag "propose: $(cat "$T/propose.out")"; return 1; }
}

# PROF  Profile Co: devices as `headroom poll` stores those read through
#       device profiles (db/profdev.c): truenas@prof-nas without a serial
#       (4 volumes: counted, a value not read, free above size, a repeat),
#       SYN-1 with a serial and one volume, PLAIN-1 (headroomd) none.
#       Added after the checks that count customers and devices.
add_profile_devices() {
    local TB=$((1 << 40))
    sqlite3 "$HEADROOM_DB" "
INSERT INTO customers (id, name, consent_sales) VALUES ('PROF', 'Profile Co', 1);
INSERT INTO devices (serial, customer, name, vendor, model_name, model_number, capacity,
    cache_size, first_seen, last_seen, profile) VALUES
    (NULL, 'PROF', 'truenas@prof-nas', 'iXsystems', 'TrueNAS', 'TrueNAS', $((3 * TB)), 0,
     $AT, $AT, 'truenas'),
    ('SYN-1', 'PROF', 'synology@prof-syn', 'Synology', 'DS1821+', 'DS1821+', $TB, 0, $AT,
     $AT, 'synology'),
    ('PLAIN-1', 'PROF', 'lun1', 'ACME', 'Array', 'AR-100', $TB, 1024, $AT, $AT, NULL);
INSERT INTO volumes (device_id, seq, name, capacity, used, flags, last_seen)
    SELECT id, 0, 'tank', $((2 * TB)), $TB, 0, $AT FROM devices WHERE name = 'truenas@prof-nas'
    UNION ALL SELECT id, 1, 'broken', 0, 0, 8, $AT FROM devices WHERE name = 'truenas@prof-nas'
    UNION ALL SELECT id, 2, 'odd', $TB, 0, 16, $AT FROM devices WHERE name = 'truenas@prof-nas'
    UNION ALL SELECT id, 3, 'tank-copy', $((2 * TB)), $TB, 2, $AT FROM devices
        WHERE name = 'truenas@prof-nas'
    UNION ALL SELECT id, 0, 'Volume 1', $TB, $((TB / 4)), 0, $AT FROM devices
        WHERE serial = 'SYN-1';"
}
