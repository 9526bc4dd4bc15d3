#!/bin/bash
# report --out file names: one file per customer whatever the ids hold.
# Two 63-byte ids (the most is 64) that share their first 62 bytes (31
# times "é", escaped 186 bytes, past the old 150-byte cut) get two files; a short id keeps
# its plain name; a file name never leaves --out and stays short.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db"
unset HEADROOM_CONFIG

"$H" db init > /dev/null || { not_ok "db init"; exit 1; }
long=$($PY -c 'print("é" * 31)')
$PY - "$T/cust.csv" "$long" <<'PY'
import csv, sys
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "name"])
    w.writerow([sys.argv[2] + "A", "First Long Co"])
    w.writerow([sys.argv[2] + "B", "Second Long Co"])
    w.writerow(["../../etc/x" + "/" * 50, "Slashes Co"])
    w.writerow(["ACME", "Acme"])
PY
"$H" customers import "$T/cust.csv" > /dev/null; is "customers with long ids imported" "$?" 0
for id in "${long}A" "${long}B" "../../etc/x$(printf '/%.0s' {1..50})" ACME; do
    for fmt in text html; do
        "$H" report customer "$id" --format "$fmt" --out "$T/out" > /dev/null 2> "$T/err" ||
            { not_ok "report customer ${id:0:12}... --format $fmt"; sed 's/^/# /' "$T/err"; }
    done
done
is "8 reports, 8 files" "$(ls "$T/out" | wc -l)" 8
is "nothing written outside --out" "$(find "$T" -name 'report-*' -not -path "$T/out/*" | wc -l)" 0
for f in First Second; do
    is "the $f Long Co report is in a file of its own" \
        "$(grep -l "Customer report: $f Long Co" "$T"/out/*.txt | wc -l)" 1
done
is "a short id keeps its plain name" "$(ls "$T/out" | grep -c '^report-ACME\.\(txt\|html\)$')" 2
longest=$(ls "$T/out" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
check "every name is at most 150 bytes ($longest)" test "$longest" -le 150
like "a cut name ends in ~ and 32 hex digits" "$(ls "$T/out" | grep '~' | grep -m1 '%C3%A9')" '^report-(%[0-9A-F]{2})+~[0-9a-f]{32}\.(txt|html)$'
done_testing
