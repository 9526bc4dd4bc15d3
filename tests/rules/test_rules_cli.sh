#!/bin/bash
# headroom rules check|eval|facts: exit codes, exact error text, and eval
# over a real fleet database built with headroom's own import commands.
. "$(dirname "$0")/../lib.sh"
HR="$B/headroom"
RULES="$TOP/rules/default.rules"

# ---- check ----
out=$("$HR" rules check "$RULES" 2>&1); rc=$?
is "check default.rules: exit 0" "$rc" 0
is "check default.rules: summary" "$out" "$RULES: 7 rules OK"

cat > "$T/bad.rules" <<'EOF'
# two mistakes and a good rule
rule too-full {
    family   capacity
    when     used_percent >= 80 and days_to_full <= 90d
    propose  "Expand {modle}"
}
rule fine { family load when max_peak(7d) > 0 propose "ok" }
EOF
out=$("$HR" rules check "$T/bad.rules" 2>&1); rc=$?
is "check bad file: exit 3" "$rc" 3
is "check bad file: every error as file:line:col" "$out" \
"$T/bad.rules:4:27: cannot compare a percentage with a plain number near '>='
$T/bad.rules:5:22: unknown variable in template near '{modle}'
$T/bad.rules: 2 errors"

out=$("$HR" rules check -q "$RULES" "$T/bad.rules" 2>/dev/null); rc=$?
is "check -q of a good and a bad file: exit 3, quiet on success" "$rc:$out" "3:"
head -c 65536 /dev/urandom > "$T/junk.rules"
out=$("$HR" rules check "$T/junk.rules" 2>&1); rc=$?
is "check random bytes: exit 3" "$rc" 3
like "check random bytes: errors name the file" "$out" "^$T/junk.rules:[0-9]+:[0-9]+: "
out=$("$HR" rules check "$T/missing.rules" 2>&1); rc=$?
is "check a missing file: exit 3 with the reason" "$rc:$out" \
"3:$T/missing.rules: No such file or directory
$T/missing.rules: 1 error"
"$HR" rules check >/dev/null 2>&1; is "check without a file: exit 2" "$?" 2
"$HR" rules frob >/dev/null 2>&1; is "unknown subcommand: exit 2" "$?" 2
out=$("$HR" rules --help); rc=$?
is "rules --help: exit 0" "$rc" 0
like "rules --help names the subcommands" "$out" "check.*eval.*facts"
out=$("$HR" rules eval --help); is "rules eval --help: exit 0" "$?" 0
like "rules eval --help lists --device" "$out" "--device DEVICE"
out=$("$HR" rules facts)
like "facts lists used_percent with its unit" "$out" "used_percent +percent"
like "facts lists max_peak()" "$out" "max_peak\(DAYS\)"

# ---- eval over a real database ----
export HEADROOM_DB="$T/h.db"
"$HR" -q db init >/dev/null || not_ok "db init"
printf 'id,name\nACME,Acme Corp\nBETA,Beta Ltd\n' > "$T/c.csv"
"$HR" -q customers import "$T/c.csv" >/dev/null || not_ok "customers import"
# 40 days: SN-FILL grows 50 GB/day towards 10 TB; SN-FLAT sits at 92 %;
# SN-OK is nearly empty but its peaks jumped in the last week.  Several
# rows per day (as the poller writes them) fold into one daily row.
T0=1789948800   # 2026-09-21 00:00 UTC: three rows a day at 00, 06, 12 h
"$PY" - "$T/h.csv" "$T0" <<'EOF'
import sys
out, t0 = sys.argv[1], int(sys.argv[2])
rows = ["serial,customer,time,capacity,used,peak"]
for d in range(40):
    for h in (0, 6, 12):
        t = t0 + d * 86400 + h * 3600
        rows.append(f"SN-FILL,ACME,{t},10000000000000,{6000000000000 + 50000000000 * d},300")
        rows.append(f"SN-FLAT,BETA,{t},10000000000000,9200000000000,300")
        rows.append(f"SN-OK,ACME,{t},10000000000000,1000000000000,{300 if d < 33 else 900}")
open(out, "w").write("\n".join(rows) + "\n")
EOF
"$HR" -q history import "$T/h.csv" >/dev/null || not_ok "history import"
sqlite3 "$HEADROOM_DB" "UPDATE devices SET model_name='FS-2000', model_number='FS2000',
    firmware='1.0' WHERE serial='SN-FILL'" || not_ok "set the model of SN-FILL"
NOW=$((T0 + 39 * 86400 + 13 * 3600))

out=$("$HR" rules eval --rules "$RULES" --at "$NOW" 2>"$T/err"); rc=$?
is "eval: exit 0" "$rc" 0
fires=$(printf '%s\n' "$out" | awk -F'\t' '$4 == "FIRES" { print $2 " " $3 }' | sort | tr '\n' ';')
is "eval: the expected rules fire" "$fires" \
"SN-FILL capacity-fast-growth;SN-FILL capacity-full-soon;SN-FLAT capacity-nearly-full;SN-OK load-growing;"
like "eval: why of capacity-full-soon" "$out" \
"SN-FILL	capacity-full-soon	FIRES	warning	used_percent=79.5% days_to_full=41.0d forecast_r2=1"
like "eval: the proposal text" "$out" \
"proposal: Expand FS-2000 SN-FILL for Acme Corp: 7.23 TiB of 9.09 TiB used \(79.5%\), growing 46.57 GiB/day; full around 2026-12-10 \(41 days\)"
like "eval: the SKUs" "$out" "sku: EXP-FS2000-SHELF.*sku: HDD-FS2000-8T"
like "eval: no SKU made up from an unknown model number" "$out" \
"sku: \(none: the template uses an unknown value\)"
is "eval: summary on stderr" "$(cat "$T/err")" "3 devices evaluated, 4 rules fired"

out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --customer "Beta Ltd" 2>/dev/null)
is "eval --customer by name" "$(printf '%s\n' "$out" | awk -F'\t' 'NR > 1 && $1 != "" { print $2 }' | sort -u)" "SN-FLAT"
out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --customer ACME --all 2>/dev/null)
is "eval --customer by id --all: 7 rules x 2 devices" \
   "$(printf '%s\n' "$out" | awk -F'\t' 'NR > 1 && $1 != "" { n++ } END { print n }')" 14
like "eval --all: no catalogue gives unknown, not false" "$out" \
"SN-OK	load-near-rated	unknown	warning	max_peak\(7d\)=900 rated_load=unknown avg_peak\(7d\)=900"
out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --device SN-OK --all 2>/dev/null)
like "eval --device: flat usage gives no forecast" "$out" "days_to_full=unknown \(flat or shrinking\)"
"$HR" rules eval --rules "$RULES" --device NOPE >/dev/null 2>"$T/err"; rc=$?
is "eval of an unknown device: exit 1" "$rc:$(cat "$T/err")" "1:headroom: error: rules eval: no device 'NOPE' (give a serial, or for a device without one its name as 'headroom history' shows it, or TARGET/NAME)"
"$HR" rules eval --rules "$T/bad.rules" >/dev/null 2>&1
is "eval with a bad rule file: exit 3" "$?" 3
"$HR" rules eval --rules "$RULES" --at yesterday >/dev/null 2>&1
is "eval --at junk: exit 2" "$?" 2
out=$("$HR" rules eval --rules "$RULES" --at 2026-10-20 --device SN-FILL --all 2>/dev/null)
like "eval --at a date before the data ends uses only the samples up to it" "$out" \
"capacity-full-soon	FIRES	warning	used_percent=74.5% days_to_full=51.5d"
out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --device SN-FILL --forecast-method theil-sen 2>/dev/null)
like "eval --forecast-method theil-sen: same forecast on a straight line" "$out" "days_to_full=41.0d"
out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --device SN-FILL --forecast-window 2 --all 2>/dev/null)
like "eval --forecast-window 2: two daily points give no forecast" "$out" "days_to_full=unknown \(too few points\)"
"$HR" rules eval --rules "$RULES" --forecast-method magic >/dev/null 2>&1
is "eval --forecast-method junk: exit 2" "$?" 2
# Catalogue data.  The catalogue tables come from another module; these
# statements pin the columns facts_db.c reads (CREATE ... IF NOT EXISTS: if
# that module's schema names them differently, the INSERTs fail here).
sqlite3 "$HEADROOM_DB" "
CREATE TABLE IF NOT EXISTS catalog_products (model_number TEXT PRIMARY KEY, rated_load INTEGER,
    max_capacity INTEGER, latest_firmware TEXT);
CREATE TABLE IF NOT EXISTS catalog_firmware (model_number TEXT, version TEXT, release_date INTEGER);
INSERT INTO catalog_products (model_number, rated_load, max_capacity, latest_firmware)
    VALUES ('FS2000', 1000, 40000000000000, '1.2');
INSERT INTO catalog_firmware (model_number, version, release_date)
    VALUES ('FS2000', '1.0', $(date -u -d 2025-01-01 +%s)), ('FS2000', '1.2', $(date -u -d 2026-06-01 +%s));
UPDATE devices SET sale_date = $(date -u -d 2025-06-01 +%s) WHERE serial = 'SN-FILL';" ||
    not_ok "catalogue tables with the columns facts_db.c reads"
out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --device SN-FILL 2>/dev/null)
like "catalogue: firmware-outdated fires with the release dates" "$out" \
"firmware-outdated	FIRES	notice	newer_firmware_exists=true days_since_firmware_release=667.5d.*proposal: FS-2000 SN-FILL at Acme Corp runs firmware 1.0 released 2025-01-01; 1.2 \(2026-06-01\) is available"
# Sold 2025-06-01, but its firmware is 667 days old: firmware-outdated says
# it, and firmware-update-available (firmware under a year old) stays quiet.
if [[ $out == *"firmware-update-available	FIRES"* ]]; then
    not_ok "catalogue: firmware-update-available quiet when firmware-outdated fires"
else
    ok "catalogue: firmware-update-available quiet when firmware-outdated fires"
fi
# Installed firmware released 100 days ago, a newer one exists: only
# firmware-update-available fires.
sqlite3 "$HEADROOM_DB" "UPDATE catalog_firmware SET release_date = $((NOW - 100 * 86400))
    WHERE model_number = 'FS2000' AND version = '1.0'"
out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --device SN-FILL 2>/dev/null)
like "catalogue: firmware-update-available fires for firmware under a year old" "$out" \
"firmware-update-available	FIRES	info	newer_firmware_exists=true age_days=516.5d days_since_firmware_release=100.0d"
if [[ $out == *"firmware-outdated	FIRES"* ]]; then
    not_ok "catalogue: firmware-outdated quiet for firmware under a year old"
else
    ok "catalogue: firmware-outdated quiet for firmware under a year old"
fi
like "catalogue: max_capacity in the upgrade text" "$out" "the model can take 36.38 TiB"

# A device read through a device profile may have no serial (devices.name
# is PROFILE@TARGET): its lines name it by that, and say it has none.
sqlite3 "$HEADROOM_DB" "
INSERT INTO customers (id, name) VALUES ('PROF', 'Profile Co');
INSERT INTO devices (serial, customer, name, capacity, first_seen, last_seen, profile)
    VALUES (NULL, 'PROF', 'truenas@prof-nas', 1099511627776, $NOW, $NOW, 'truenas');" ||
    not_ok "a device without serial"
out=$("$HR" rules eval --rules "$RULES" --at "$NOW" --customer PROF --all 2>/dev/null)
is "eval: a device without serial shown by its name" \
    "$(printf '%s\n' "$out" | awk -F'\t' 'NR > 1 && $1 != "" { print $2 }' | sort -u)" \
    "truenas@prof-nas (no serial)"

"$HR" --db "$T/nonexistent.db" rules eval --rules "$RULES" >/dev/null 2>"$T/err"; rc=$?
is "eval without a database: exit 1" "$rc" 1
like "eval without a database: says which file" "$(cat "$T/err")" "nonexistent.db"

done_testing
