#!/bin/bash
# headroom report customer|fleet on a database built with the CLI (a real
# snmpsim fleet polled into RRD files, history imported from CSV with a
# known growth, a double registration, a dead agent, hostile and non-ASCII
# customer names): text (columns aligned), CSV (parsed with Python's csv),
# HTML (parsed with html.parser; every image a valid PNG; nothing from the
# data unescaped), and the HTML rendered in a real headless Chromium.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/collector/simlib.sh"
. "$TOP/tests/reports/mkdb.sh"
H="$B/headroom"
R="$TOP/tests/reports"

check "headroom is built" test -x "$H"
"$H" report --help | grep -q 'report customer ID'; is "report --help" "$?" 0
"$H" report > /dev/null 2>&1; is "no report kind: exit 2" "$?" 2
"$H" report fleet --format pdf > /dev/null 2>&1; is "bad --format: exit 2" "$?" 2
"$H" report customer > /dev/null 2>&1; is "customer without ID: exit 2" "$?" 2
"$H" report fleet --days 0 > /dev/null 2>&1; is "--days 0: exit 2" "$?" 2
"$H" report fleet --since garbage > /dev/null 2>&1; is "bad --since: exit 2" "$?" 2
"$H" report fleet --at 2026-02-31 > /dev/null 2>&1; is "--at 2026-02-31 (no such day): exit 2" "$?" 2

make_report_db || { not_ok "test database built"; exit 1; }
ok "test database built (snmpsim poll + history import)"
"$H" report customer NOPE > /dev/null 2> "$T/err"; is "unknown customer: exit 2" "$?" 2
like "unknown customer: says so" "$(cat "$T/err")" "no customer 'NOPE'"
RO=(--at "$AT" --rrd-dir "$RRD")

# The forecast the imported growth implies: used(t) = 5 TiB + 50 GiB/day,
# capacity 10 TiB, seen at AT.
want_days=$($PY -c "
d0, at = $DAY0, $AT
used = 5 * 1024 + 50 * (59 + (at - d0) / 86400)   # GiB at AT
print('%.1f' % ((10 * 1024 - used) / 50))")

# ---- text ----
"$H" report customer ACME "${RO[@]}" --width 100 > "$T/acme.txt"; is "text report: exit 0" "$?" 0
like "text: title" "$(head -1 "$T/acme.txt")" "^Customer report: Acme, Inc\.$"
like "text: forecast of SN-GROW" "$(cat "$T/acme.txt")" "Forecast: full in ${want_days%.*}\.[0-9] days"
like "text: SN-FLAT has no forecast (flat)" "$(cat "$T/acme.txt")" "no forecast: use is flat"
like "text: SN-FEW has no forecast (too few)" "$(cat "$T/acme.txt")" "no forecast: too few daily points"
like "text: registration number shown" "$(cat "$T/acme.txt")" "HR-[0-9]{4}-[0-9]{6}-[0-9X] +SN-GROW"
like "text: the proposal's text below its table" "$(cat "$T/acme.txt")" "proposal [0-9]+, proposal: Expand Array SN-GROW"
like "text: stock answer with store and delivery date" "$(cat "$T/acme.txt")" "EXP-AR-100-SHELF +0 +Tokyo Central +2 +yes +20[0-9]{2}-[0-9]{2}-[0-9]{2}"
# Every row of each history table: the 'used' column ends, and the 'date'
# column of the next one starts, at the header's offsets (mawk: bytes;
# these tables are ASCII).
aligned=$(awk '
    /^  date +capacity +used / { inside = 1; hdr = $0; pu = index(hdr, "used ") + 3; pc = index(hdr, "Cmax"); n++; next }
    inside && NF == 0 { inside = 0; next }
    inside { rows++
             if (substr($0, pu, 1) == " " || substr($0, pu + 1, 1) != " ") bad++
             if (substr($0, pc - 1, 1) != " ") bad++ }
    END { print n + 0, rows + 0, bad + 0 }' "$T/acme.txt")
is "text: 3 history tables, 122 rows, all aligned" "$aligned" "3 122 0"
"$H" report customer C002 "${RO[@]}" > "$T/c002.txt"; is "text: non-ASCII customer" "$?" 0
like "text: non-ASCII name kept" "$(head -1 "$T/c002.txt")" "Müller Speicher 株式会社"
"$H" report fleet "${RO[@]}" --width 120 > "$T/fleet.txt"; is "text fleet report: exit 0" "$?" 0
check "text: no CR or other control bytes from hostile serials" \
    $PY -c "import sys; d = open(sys.argv[1], 'rb').read(); sys.exit(any(c < 32 and c != 10 for c in d))" "$T/fleet.txt"
check "text: fleet tables aligned by display width, none wider than 120" \
    $PY "$R/check_text.py" "$T/fleet.txt" 120
like "text: fleet summary line" "$(cat "$T/fleet.txt")" "4 customers, 12 targets \(11 ok, 1 failed, 0 never polled\)"

# ---- CSV ----
"$H" report customer ACME "${RO[@]}" --format csv --out "$T/csv" > "$T/csv.list"
is "csv: exit 0" "$?" 0
is "csv: one file per table" "$(cd "$T/csv" && ls | tr '\n' ' ')" \
    "conflicts.csv customer.csv devices.csv history.csv proposal_stock.csv proposals.csv registrations.csv "
check "csv: parsed, values checked" $PY "$R/check_csv.py" customer "$T/csv" "$want_days"
"$H" report customer ACME "${RO[@]}" --since "$((DAY0 - 9 * 86400))" --format csv --out "$T/csv9" > /dev/null
is "csv --since: 10 + 10 + 2 history rows" \
    "$($PY -c "import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1], newline='')))))" "$T/csv9/history.csv")" 22
"$H" report customer C001 "${RO[@]}" --format csv --out "$T/csv1" > /dev/null
check "csv: C001's conflict with C002 listed" $PY -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
sys.exit(not (len(rows) == 1 and rows[0]['serial'] == 'DUP-SERIAL-0001' and
         {rows[0]['registered_customer'], rows[0]['claiming_customer']} == {'C001', 'C002'} and
         rows[0]['state'] == 'open'))" "$T/csv1/conflicts.csv"
"$H" report customer C002 "${RO[@]}" --format csv --out "$T/csv2" > /dev/null
is "csv: C002's suppressed proposal (no consent) not listed" \
    "$($PY -c "import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1], newline='')))))" "$T/csv2/proposals.csv")" 0
"$H" report fleet "${RO[@]}" --format csv --out "$T/fcsv" > /dev/null; is "csv fleet: exit 0" "$?" 0
check "csv fleet: rankings, targets, summary" $PY "$R/check_csv.py" fleet "$T/fcsv" "$want_days" "$AT"
out=$("$H" report fleet "${RO[@]}" --format csv); is "csv on stdout: exit 0" "$?" 0
like "csv on stdout: sections" "$out" "# summary"$'\r'

# ---- HTML ----
for c in ACME C001 C002 C003; do
    "$H" report customer "$c" "${RO[@]}" --format html --out "$T/html" > /dev/null
    is "html $c: exit 0" "$?" 0
done
"$H" report fleet "${RO[@]}" --format html --out "$T/html" > /dev/null; is "html fleet: exit 0" "$?" 0
check "html ACME: tables, 3 PNG graphs (imported history)" \
    $PY "$R/check_html.py" "$T/html/report-ACME.html" "Customer report: Acme, Inc." 3 \
    customer devices history registrations
# The customer report draws the forecast line the mail and the fleet report
# draw (common/hr_graph.c): its graph's text alternative names the date.
like "html ACME: SN-GROW's graph has the forecast line" \
    "$(grep -o 'alt="SN-GROW: used vs capacity[^"]*"' "$T/html/report-ACME.html")" \
    "forecast full on [0-9]{4}-[0-9]{2}-[0-9]{2}"
# ... and the peak load on the same graph (no separate load graph).
like "html ACME: SN-GROW's graph has the peak load" \
    "$(grep -o 'alt="SN-GROW: used vs capacity[^"]*"' "$T/html/report-ACME.html")" \
    "and peak load \(Cmax up to [0-9]+ per window\)"
check "html C001: hostile name escaped, graphs from the poll's RRD files" \
    $PY "$R/check_html.py" "$T/html/report-C001.html" "Customer report: $HOSTILE" device1 \
    customer devices history registrations conflicts
check "html C003" $PY "$R/check_html.py" "$T/html/report-C003.html" "Customer report: $PWN" device1 \
    customer devices history registrations
check "html fleet: rankings, targets, graph of the soonest full" \
    $PY "$R/check_html.py" "$T/html/fleet.html" "Fleet report" 1 \
    summary rank_full rank_load rank_firmware targets
check "html: raw '<script' nowhere in any report" sh -c "! grep -l '<script' '$T'/html/*.html"

# ---- a real browser ----
if command -v chromium > /dev/null; then
    CHR=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
         --disable-background-networking --disable-component-update --disable-sync
         --user-data-dir="$T/chr" --window-size=1280,2000)
    for c in C003 C001; do
        timeout 30 "${CHR[@]}" --dump-dom "file://$T/html/report-$c.html" > "$T/dom-$c.html" 2> "$T/chr-$c.err"
        is "chromium dumps the DOM of report-$c" "$?" 0
    done
    check "browser: C003 title unchanged (no script ran), tables and images rendered" \
        $PY "$R/check_dom.py" "$T/dom-C003.html" "Customer report: $PWN" device1
    check "browser: C001 title unchanged, tables and images rendered" \
        $PY "$R/check_dom.py" "$T/dom-C001.html" "Customer report: $HOSTILE" device1
    timeout 30 "${CHR[@]}" --screenshot="$T/shot.png" "file://$T/html/report-ACME.html" > /dev/null 2>&1
    is "chromium screenshot" "$?" 0
    check "screenshot is a 1280x2000 PNG with content" $PY -c "
import struct, sys
d = open(sys.argv[1], 'rb').read()
w, h = struct.unpack('>II', d[16:24])
sys.exit(not (d[:8] == b'\x89PNG\r\n\x1a\n' and (w, h) == (1280, 2000) and len(d) > 20000))" "$T/shot.png"
    [ -n "${REPORT_SHOT:-}" ] && cp "$T/shot.png" "$REPORT_SHOT"
else
    not_ok "chromium is installed (tools/deps.sh)"
fi

# ---- out directory: errors, confined names ----
"$H" report fleet "${RO[@]}" --out /proc/nonexistent > /dev/null 2> "$T/err"
is "unwritable --out: exit 1" "$?" 1
like "unwritable --out: says where" "$(cat "$T/err")" "/proc/nonexistent"
"$H" report customer ACME "${RO[@]}" --format text --out "$T/txt" > "$T/txt.list"
is "text --out: the path printed" "$(cat "$T/txt.list")" "$T/txt/report-ACME.txt"
"$H" report customer C001 "${RO[@]}" --format text --out "$T/txt" > /dev/null
is "--out: only the reports written" "$(cd "$T/txt" && ls | tr '\n' ' ')" "report-ACME.txt report-C001.txt "

# ---- devices read through profiles: volumes, no serial ----
add_profile_devices || not_ok "profile devices added"
"$H" report customer PROF "${RO[@]}" --format csv --out "$T/pcsv" > /dev/null
is "csv PROF: exit 0" "$?" 0
"$H" report customer PROF "${RO[@]}" --format html --out "$T/phtml" > /dev/null
is "html PROF: exit 0" "$?" 0
check "volumes: CSV and HTML, keyed by serial or name, unknown never 0" \
    $PY "$R/check_volumes.py" "$T/pcsv" "$T/phtml/report-PROF.html"
"$H" report customer PROF "${RO[@]}" --format text > "$T/prof.txt"
is "text PROF: exit 0" "$?" 0
like "text: the unread volume's values unknown" "$(cat "$T/prof.txt")" \
    $'\n  broken +- +- +- +no: a value is missing'
like "text: a device without serial headed by its name" "$(cat "$T/prof.txt")" \
    "Device truenas@prof-nas \(no serial\)"
is "text: no volumes table for the headroomd device" \
    "$(grep -c '^Volumes' "$T/prof.txt")" 2
is "text: a profile device's cache unknown, not 0" \
    "$(grep -c '^  cache  *: -$' "$T/prof.txt")" 2
check "snmpsimd still running" kill -0 "$SIM_PID"
done_testing
