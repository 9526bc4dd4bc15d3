#!/bin/bash
# headroom propose end to end: a fleet database built with the CLI
# (customers, staff, catalogue, stock, history with known forecasts), then
# propose against a real aiosmtpd capture server; every message parsed
# with Python's email package (check_proposals.py): routing (assigned,
# area + product line, fallback), admin Cc, consent, subjects with the
# forecast date, text + HTML, a real PNG graph, stock answers, a hostile
# serial.  Then: a second run sends nothing (cooldown); SMTP down keeps the
# proposals queued and a later `mail flush` delivers them exactly once.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/mail/maillib.sh"
EX="$TOP/propose/examples"
PT="$TOP/tests/propose"
RULES="$TOP/rules/default.rules"
q() { sqlite3 "$DB" "$@"; }
AT=2026-11-22
# In an ASan build (B=build-asan) only leaks inside librrd and fontconfig
# are forgiven; the slow unwinder lets the suppressions see librrd frames.
export LSAN_OPTIONS="suppressions=$PT/lsan.supp" ASAN_OPTIONS="fast_unwind_on_malloc=0"

check "headroom is built" test -x "$HEADROOM"
for c in catalog stock propose proposals; do
    hr "$c" --help > /dev/null 2>&1; is "$c --help exits 0" "$?" 0
done
hr propose --bogus > /dev/null 2>&1; is "propose: unknown option exits 2" "$?" 2
hr propose --at 2026-02-31 --dry-run > /dev/null 2>&1; is "propose: --at 2026-02-31 (no such day) exits 2" "$?" 2
hr propose --fallback 'not an address' > /dev/null 2>&1; is "propose: bad --fallback exits 2" "$?" 2
printf 'rule broken {\n  when used_percent >= \n}\n' > "$T/bad.rules"
out=$(hr propose --rules "$T/bad.rules" 2>&1); is "propose: bad rule file exits 3" "$?" 3
like "propose: rule error names file:line:col" "$out" "bad.rules:[0-9]+:[0-9]+: "

# ---- the fleet, with the CLI ----
hr db init > /dev/null
hr customers import "$EX/customers.csv" > /dev/null; is "customers" "$?" 0
hr staff import "$EX/staff.csv" > /dev/null; is "staff" "$?" 0
hr catalog import "$EX/catalog.csv" > /dev/null; is "catalog import" "$?" 0
hr catalog import --firmware "$EX/firmware.csv" > /dev/null; is "firmware import" "$?" 0
hr stock import "$EX/stock.csv" > /dev/null; is "stock import" "$?" 0
"$PY" "$PT/gen_hist.py" "$T/hist.csv"
hr history import "$T/hist.csv" > /dev/null; is "history import" "$?" 0
# History import carries no device spec (a poll would): model and firmware
# by hand, as the agent would report them.
q "UPDATE devices SET model_name = 'Array', model_number = 'AR-100', firmware = '1.0'"
# A serial no CSV import accepts (control characters) but a database
# written by an older tool might hold: the FALL device takes it over.
q "INSERT INTO devices (serial, customer, first_seen, last_seen, model_name, model_number,
       firmware) VALUES ('X' || char(13, 10) || 'Bcc: evil@example.com', 'FALL', 1, 1,
       'Array', 'AR-100', '1.0');
   UPDATE samples SET device_id = last_insert_rowid()
       WHERE device_id = (SELECT id FROM devices WHERE serial = 'SN-FALL-1');
   UPDATE daily SET device_id = last_insert_rowid()
       WHERE device_id = (SELECT id FROM devices WHERE serial = 'SN-FALL-1');
   DELETE FROM devices WHERE serial = 'SN-FALL-1';"
like "catalog list" "$(hr catalog list)" "AR-100  Array 100  line=arrays"

# ---- dry run: nothing recorded ----
out=$(hr propose --rules "$RULES" --at $AT --dry-run 2>&1); is "dry run exits 0" "$?" 0
like "dry run names the forecast" "$out" "SN-MU-1.*will be full around 2027-02-09"
is "dry run records nothing" "$(q 'SELECT count(*) FROM proposals') $(q 'SELECT count(*) FROM rule_state')" "0 0"

# A copy of the fleet before any proposal, for the SMTP-down case.
q ".backup '$T/fleet.db'"

# ---- propose against a real SMTP server ----
start_smtp smtp1 || not_ok "smtpd_capture started"
PROP=(--rules "$RULES" --at $AT --from headroom@headroom.test --fallback fallback@example.com
      --rrd-dir "$T/rrd" --smtp-host 127.0.0.1 --starttls off --domain headroom.test)
hr propose "${PROP[@]}" --smtp-port "$SMTP_PORT" > "$T/p1.out" 2>&1
is "propose exits 0" "$?" 0
is "four messages captured" "$(captured)" 4
"$PY" "$PT/check_proposals.py" "$SMTP_DIR" | tee "$T/check.out"
[ "${PIPESTATUS[0]}" -eq 0 ] || not_ok "check_proposals.py found problems"
# (the consent notice is text only: its own checks are in check_proposals.py)
for f in $(grep -l '^X-Headroom-Proposal-Id:' "$SMTP_DIR"/msg-*.eml); do
    "$PY" "$MAILT/check_message.py" "$f" --meta "${f%.eml}.json" --no-header Bcc \
        --from headroom@headroom.test | grep -v '^ok - .*: \(Date\|Message-ID\)' || true
done | grep -q '^not ok' && not_ok "check_message.py on every message" \
    || ok "check_message.py on every message (CRLF, 78 columns, 7-bit header, no defects)"

is "six proposals recorded" "$(q 'SELECT count(*) FROM proposals')" 6
is "five sent (the outbox trigger followed the flush)" \
   "$(q "SELECT count(*) FROM proposals WHERE state = 'sent' AND sent_at IS NOT NULL")" 5
is "HIDDEN: suppressed, no consent, still recorded" \
   "$(q "SELECT state || '|' || reason || '|' || COALESCE(outbox_id, '-') FROM proposals WHERE customer = 'HIDDEN'")" \
   "suppressed|no consent|-"
is "routes" "$(q "SELECT group_concat(customer || ':' || COALESCE(route, '-'), ' ') FROM (SELECT * FROM proposals ORDER BY id)")" \
   "ACME:assigned ACME:assigned FALL:fallback FALL:fallback HIDDEN:assigned MUELLER:area+line"
is "stock answer recorded with the proposal" \
   "$(q "SELECT store_id || '/' || quantity || '/' || delivery_date FROM proposal_stock s JOIN proposals p ON p.id = s.proposal_id WHERE p.customer = 'MUELLER' AND s.sku = 'EXP-AR-100-SHELF' AND rank = 0")" \
   "S1/2/2026-11-23"
out=$(hr proposals --state suppressed)
like "proposals lists the suppressed one (admin view)" "$out" "HIDDEN .*SN-HIDDEN-1.*no consent"
out=$(hr proposals --staff s1)
like "sales view of s1: ACME" "$out" "ACME"
[[ $out == *HIDDEN* ]] && not_ok "sales view hides the non-consenting customer" \
    || ok "sales view hides the non-consenting customer"
out=$(hr proposals --format csv)
is "csv: header + 6 records" "$(printf '%s\n' "$out" | "$PY" -c 'import csv,sys; print(len(list(csv.reader(sys.stdin))))')" 7
[[ $(hr proposals) == *$'\r'* ]] && not_ok "text listing has no raw CR" || ok "text listing has no raw CR"

# ---- second run: cooldown, nothing new ----
hr propose "${PROP[@]}" --smtp-port "$SMTP_PORT" > "$T/p2.out" 2>&1
is "second run exits 0" "$?" 0
is "no new mail" "$(captured)" 4
is "no duplicate proposals" "$(q 'SELECT count(*) FROM proposals')" 6
is "rule state says why (fired rules wait to rearm)" \
   "$(q "SELECT count(*) FROM rule_state WHERE last_fired > 0 AND last_decision LIKE 'suppressed%'")" 6

# ---- no recipient, unknown part ----
printf 'id,name,area_code,consent_sales\nORPHAN,Orphan Ltd,77,yes\n' > "$T/orphan.csv"
hr customers import "$T/orphan.csv" > /dev/null
"$PY" - "$T/orphan-hist.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("serial,customer,time,capacity,used\n")
    for serial in ("ORPH-1", "ORPH-2"):
        for d in range(30, -1, -1):
            f.write("%s,ORPHAN,%d,%d,%d\n" % (serial, 1795305600 - d * 86400, 10**13,
                                               (8520 - 50 * d) * 10**9))
PY
hr history import "$T/orphan-hist.csv" > /dev/null; is "orphan history" "$?" 0
q "UPDATE devices SET model_name = 'Array', model_number = 'AR-100' WHERE serial = 'ORPH-1';
   UPDATE devices SET model_name = 'Mystery' WHERE serial = 'ORPH-2'"
unset HEADROOM_FALLBACK_TO
hr propose --rules "$RULES" --at $AT --customer ORPHAN --no-mail > "$T/p4.out" 2>&1
is "orphan run exits 0" "$?" 0
is "no area match, no fallback: suppressed, no recipient" \
   "$(q "SELECT DISTINCT state || '|' || reason FROM proposals WHERE serial = 'ORPH-1'")" "suppressed|no recipient"
is "unknown model: the SKU cannot be made" \
   "$(q "SELECT DISTINCT state || '|' || reason FROM proposals WHERE serial = 'ORPH-2'")" "suppressed|sku unknown"
is "nothing queued for them" "$(q "SELECT count(*) FROM outbox WHERE subject LIKE '%Orphan%'")" 0

# ---- SMTP down, then up ----
cp "$T/fleet.db" "$DB.down"
DB="$DB.down"
dead=$(free_port tcp)
hr propose "${PROP[@]}" --smtp-port "$dead" --timeout 5 > "$T/p3.out" 2>&1
is "SMTP down: exit 4" "$?" 4
is "SMTP down: five proposals queued" "$(q "SELECT count(*) FROM proposals WHERE state = 'queued'")" 5
is "SMTP down: four messages queued" "$(q "SELECT count(*) FROM outbox WHERE state = 'queued'")" 4
start_smtp smtp2 || not_ok "second smtpd_capture started"
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" --starttls off --all > /dev/null 2>&1
is "later flush exits 0" "$?" 0
is "delivered exactly once" "$(captured)" 4
is "proposals now sent" "$(q "SELECT count(*) FROM proposals WHERE state = 'sent'")" 5
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" --starttls off --all > /dev/null 2>&1
is "a second flush sends nothing more" "$(captured)" 4
"$PY" "$PT/check_proposals.py" "$SMTP_DIR" > "$T/check2.out"; is "the late messages check out too" "$?" 0

# ---- three proposals for one device: one graph per device in the mail ----
for r in a b c; do
    printf 'rule three-%s {\n    family capacity\n    severity info\n    when used_percent >= 0%%\n    propose "%s for {serial}"\n}\n' "$r" "$r"
done > "$T/three.rules"
cp "$T/fleet.db" "$DB.three"
DB="$DB.three"
hr propose --rules "$T/three.rules" --at $AT --from headroom@headroom.test \
    --fallback fallback@example.com --rrd-dir "$T/rrd" --maildir "$T/three-mail" > "$T/p5.out" 2>&1
is "three rules: propose exits 0" "$?" 0
out=$("$PY" - "$T/three-mail" <<'PY'
import email, email.policy, glob, re, sys
bad = []
n = 0
for f in sorted(glob.glob(sys.argv[1] + "/new/*")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    text = [q for q in m.walk() if q.get_content_type() == "text/plain"]
    if not text or "== Proposal " not in text[0].get_content():
        continue
    n += 1
    serials = set(re.findall(r"^Device: .*?, serial (.+?)(?:, name |$)", text[0].get_content(), re.M))
    props = text[0].get_content().count("== Proposal ")
    pngs = sum(1 for q in m.walk() if q.get_content_type() == "image/png")
    if props < 3 * len(serials) or pngs != len(serials):
        bad.append("%s: %d proposals, %d devices, %d graphs" % (m["To"], props, len(serials), pngs))
print("%d mails; %s" % (n, "; ".join(bad) if bad else "ok"))
PY
)
is "three rules: one graph per device in every mail" "${out#* mails; }" "ok"
like "three rules: mails were written" "$out" "^[1-9][0-9]* mails"

# ---- a device without serial (read through a profile): named by its name ----
printf 'rule ns {\n    family capacity\n    severity info\n    when used_percent >= 0%%\n    propose "grow it"\n}\n' > "$T/ns.rules"
cp "$T/fleet.db" "$DB.ns"
DB="$DB.ns"
q "UPDATE devices SET serial = NULL, name = 'truenas@mu-nas', profile = 'truenas'
   WHERE serial = 'SN-MU-1'"
hr propose --rules "$T/ns.rules" --at $AT --from headroom@headroom.test \
    --fallback fallback@example.com --rrd-dir "$T/rrd" --maildir "$T/ns-mail" > "$T/p8.out" 2>&1
is "no serial: propose exits 0" "$?" 0
out=$("$PY" - "$T/ns-mail" <<'PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/new/*")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    parts = {q.get_content_type(): q.get_content() for q in m.walk()
             if q.get_content_type() in ("text/plain", "text/html")}
    for line in parts.get("text/plain", "").splitlines():
        if "truenas@mu-nas" in line:
            print("T:" + line)
    if "truenas@mu-nas" in parts.get("text/html", ""):
        print("H:" + str("<th align=\"left\">Serial</th><td>no serial</td>" in parts["text/html"]))
    print("P:" + ",".join(q.get_filename() or "" for q in m.walk()
                          if q.get_content_type() == "image/png" and "mu-nas" in (q.get_filename() or "")))
PY
)
like "no serial: the text names the device and says it has no serial" "$out" \
    "T:Device:   truenas@mu-nas, Array AR-100, no serial"
like "no serial: the HTML says no serial" "$out" "H:True"
like "no serial: the graph file named after the device" "$out" "P:truenas.mu-nas.png"
if grep -q "serial unknown\|model unknown" <<<"$out"; then
    not_ok "no serial: never 'unknown' for it"
else
    ok "no serial: never 'unknown' for it"
fi

# ---- settings from the environment (the config file's admin-cc, rrd-dir) ----
cp "$T/fleet.db" "$DB.env"
DB="$DB.env"
HEADROOM_ADMIN_CC="ops1@example.com, ops2@example.com" HEADROOM_RRD_DIR="$T/rrd" \
    hr propose --rules "$T/three.rules" --at $AT --from headroom@headroom.test \
    --fallback fallback@example.com --maildir "$T/env-mail" > "$T/p6.out" 2>&1
is "env settings: propose exits 0" "$?" 0
cc=$(grep -h '^Cc:' "$T"/env-mail/new/* | sort -u)
like "env settings: HEADROOM_ADMIN_CC copied" "$cc" "ops1@example.com, ops2@example.com"
if grep -q 'boss@example.com' <<<"$cc"; then
    not_ok "env settings: HEADROOM_ADMIN_CC replaces the staff administrators"
else
    ok "env settings: HEADROOM_ADMIN_CC replaces the staff administrators"
fi
HEADROOM_ADMIN_CC="not-an-address" hr propose --rules "$T/three.rules" --dry-run > "$T/p7.out" 2>&1
is "env settings: a bad HEADROOM_ADMIN_CC is a usage error" "$?" 2

done_testing
