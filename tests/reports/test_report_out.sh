#!/bin/bash
# report --out DIR run by root in a directory another user owns (nobody),
# or below one: the directories and files are created and renamed as that
# user (so a symlink that user plants leads nowhere root could write), through new
# unpredictable temporary names, so symlinks planted under the report's
# name and under the temporary name an older headroom used
# (NAME.tmp.PID) write nothing through to root's files.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db"
unset HEADROOM_CONFIG

if [ "$(id -u)" -ne 0 ] || ! id nobody > /dev/null 2>&1; then
    skip "report --out into nobody's directory" "needs root and user nobody"
    exit 0
fi
chmod 755 "$T"
"$H" db init > /dev/null && printf 'id,name\nACME,Acme\n' > "$T/c.csv" &&
    "$H" customers import "$T/c.csv" > /dev/null || { not_ok "database"; exit 1; }
OUT="$T/out"
mkdir "$OUT" && chown nobody:nogroup "$OUT"
printf 'root secret 1\n' > "$T/secret1"; printf 'root secret 2\n' > "$T/secret2"
chmod 600 "$T/secret1" "$T/secret2"
ln -s "$T/secret1" "$OUT/report-ACME.txt"; chown -h nobody:nogroup "$OUT/report-ACME.txt"
# plant_exec: plant OUT/report-ACME.txt.tmp.PID (the PID exec keeps), run the report
plant_exec() { ln -s "$T/secret2" "$OUT/report-ACME.txt.tmp.$BASHPID"; exec "$@"; }
(plant_exec "$H" report customer ACME --out "$OUT" > "$T/list")
is "report --out: exit 0" "$?" 0
is "root's first file unchanged" "$(cat "$T/secret1")" "root secret 1"
is "root's second file unchanged" "$(cat "$T/secret2")" "root secret 2"
is "both still root's, mode 600" "$(stat -c %U:%a "$T/secret1" "$T/secret2" | tr '\n' ' ')" \
    "root:600 root:600 "
check "the report replaced the planted symlink with a file" test -f "$OUT/report-ACME.txt" -a ! -L "$OUT/report-ACME.txt"
is "... owned by the directory's owner" "$(stat -c %U "$OUT/report-ACME.txt")" nobody
check "... and it is the report" grep -q "Customer report: Acme" "$OUT/report-ACME.txt"
is "no temporary file left" "$(ls -A "$OUT" | grep -c '^\.')" 0
is "still root after the report (the next file is root's again)" \
    "$("$H" report customer ACME --out "$T" > /dev/null && stat -c %U "$T/report-ACME.txt")" root
"$H" report customer ACME --format csv --out "$OUT" > /dev/null
is "CSV files in nobody's directory are nobody's" \
    "$(stat -c %U "$OUT"/*.csv | sort -u)" nobody
# nobody owns a directory on the way: everything below is done as nobody
"$H" report customer ACME --out "$OUT/new/sub" > /dev/null
is "--out DIR created under nobody's directory: exit 0" "$?" 0
is "... the new directories and the file are nobody's" \
    "$(stat -c %U "$OUT/new" "$OUT/new/sub" "$OUT/new/sub/report-ACME.txt" | sort -u)" nobody
# a symlink nobody planted (or swapped in) towards a directory of root's
mkdir "$T/rootonly"; chmod 755 "$T/rootonly"
ln -s "$T/rootonly" "$OUT/link"; chown -h nobody:nogroup "$OUT/link"
out=$("$H" report customer ACME --out "$OUT/link" 2>&1); rc=$?
is "--out through nobody's symlink into root's directory: refused (exit 1)" "$rc" 1
is "... nothing written there" "$(ls -A "$T/rootonly" | wc -l)" 0
done_testing
