#!/bin/bash
# headroom mail against a real SMTP server (aiosmtpd on loopback):
# SMTP down then up (delivered exactly once), the message as parsed by
# Python's email package (headers, parts, PNG, no injected Bcc, exact
# recipients), unique Message-IDs, 550 (failed, never retried), 451
# (queued with backoff), per-recipient outcome, exit codes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/maillib.sh"

# ---- SMTP down: the message stays queued with the error --------------------
down_port=$(free_port tcp)
id=$(queue_proposal)
is "queue prints the outbox id" "$id" 1
is "stored as queued before any attempt" "$(field 1 state)" queued
out=$(hr mail flush --smtp-host 127.0.0.1 --smtp-port "$down_port" --timeout 5 2>&1); rc=$?
is "flush with SMTP down exits 4" "$rc" 4
is "still queued" "$(field 1 state)" queued
is "one attempt counted" "$(field 1 attempts)" 1
like "the error is recorded" "$(field 1 last_error)" "127.0.0.1:$down_port: .*(refused|onnect)"
delay=$(sqlite3 "$DB" "SELECT next_attempt - strftime('%s','now') FROM outbox WHERE id = 1")
check "retry scheduled about a minute later ($delay s)" test "$delay" -ge 50 -a "$delay" -le 61
like "list shows the error" "$(hr mail list)" "error: 127.0.0.1:$down_port"

# ---- SMTP up: delivered exactly once ----------------------------------------
start_smtp up || exit 1
out=$(hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" 2>&1); rc=$?
is "flush before the retry time sends nothing" "$(captured)" 0
is "... and exits 0 (nothing due failed)" "$rc" 0
out=$(hr mail flush --all --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" 2>&1); rc=$?
is "flush --all exits 0" "$rc" 0
is "delivered once" "$(captured)" 1
is "state sent" "$(field 1 state)" sent
is "error cleared" "$(field 1 "coalesce(last_error, 'none')")" none
hr mail flush --all --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
hr mail retry 1 >/dev/null 2>&1; rc=$?
is "retry of a sent message refused" "$rc" 1
is "still exactly one copy after more flushes" "$(captured)" 1

# ---- the captured message, parsed by Python's email package -----------------
"$PY" "$MAILT/check_message.py" "$SMTP_DIR/msg-1.eml" --meta "$SMTP_DIR/msg-1.json" \
    --subject "$SUBJECT_DECODED" --from headroom@headroom.test --from-name "Headroom Bot" \
    --to sales@example.com --cc admin@example.com --rcpts sales@example.com,admin@example.com \
    --no-header Bcc --header X-Headroom-Proposal-Id=42 --png "$T/graph.png" \
    --text "Müller Speicher GmbH" --html "M&uuml;ller"
is "envelope sender is the From address" \
    "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["mail_from"])' "$SMTP_DIR/msg-1.json")" \
    headroom@headroom.test
grep -qi '^Bcc:' "$SMTP_DIR/msg-1.eml" && not_ok "raw message has a Bcc line" || ok "raw message has no Bcc line"
is "stored Message-ID is the one sent" "$(field 1 message_id)" \
    "$(grep -i '^Message-ID:' "$SMTP_DIR/msg-1.eml" | tr -d '\r' | sed 's/^[^:]*: //')"

# ---- unique Message-IDs over several messages ---------------------------------
for i in 1 2 3 4; do queue_proposal >/dev/null; done
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" --from bounces@headroom.test >/dev/null 2>&1
is "five messages captured" "$(captured)" 5
n=$(grep -hi '^Message-ID:' "$SMTP_DIR"/msg-*.eml | sort -u | wc -l)
is "five distinct Message-IDs" "$n" 5
is "--from sets the envelope sender" \
    "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["mail_from"])' "$SMTP_DIR/msg-5.json")" \
    bounces@headroom.test
stop "$SMTP_PID"

# ---- 550: failed, recorded, never retried ---------------------------------------
start_smtp refuse --reply nobody@example.com=550 --reply later@example.com=451 || exit 1
id=$(hr mail queue --from headroom@headroom.test --to nobody@example.com --subject "refused" \
     --text-file "$T/body.txt")
out=$(hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" 2>&1); rc=$?
is "flush with a 550 exits 4" "$rc" 4
is "550: state failed" "$(field "$id" state)" failed
like "550: error recorded" "$(field "$id" last_error)" "nobody@example.com: 550"
like "550: refused recipient recorded" "$(field "$id" refused_rcpts)" "nobody@example.com: 550"
hr mail flush --all --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
hr mail flush --all --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "550: never tried again" "$(events 'RCPT nobody@example.com')" 1
is "550: nothing captured" "$(captured)" 0

# ---- 451: queued with backoff -------------------------------------------------------
id=$(hr mail queue --from headroom@headroom.test --to later@example.com --subject "later" \
     --text-file "$T/body.txt")
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1; rc=$?
is "flush with a 451 exits 4" "$rc" 4
is "451: state queued" "$(field "$id" state)" queued
like "451: error recorded" "$(field "$id" last_error)" "later@example.com: 451 try again later"
delay=$(sqlite3 "$DB" "SELECT next_attempt - strftime('%s','now') FROM outbox WHERE id = $id")
check "451: next attempt in about 60 s ($delay s)" test "$delay" -ge 50 -a "$delay" -le 61
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "451: not tried again before its time" "$(events 'RCPT later@example.com')" 1
hr mail flush --all --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
delay=$(sqlite3 "$DB" "SELECT next_attempt - strftime('%s','now') FROM outbox WHERE id = $id")
check "451 again: backoff doubled ($delay s)" test "$delay" -ge 110 -a "$delay" -le 121
is "451: two attempts" "$(field "$id" attempts)" 2

# ---- one recipient refused, one accepted: sent to the one, the other noted ----
id=$(hr mail queue --from headroom@headroom.test --to sales@example.com --cc nobody@example.com \
     --subject "mixed" --text-file "$T/body.txt")
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "mixed: state sent" "$(field "$id" state)" sent
is "mixed: delivered to the good one" "$(field "$id" delivered_rcpts)" sales@example.com
like "mixed: refused one recorded" "$(field "$id" refused_rcpts)" "nobody@example.com: 550"
is "mixed: envelope held only the accepted recipient" \
    "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rcpt_tos"])' "$SMTP_DIR/msg-1.json")" \
    "['sales@example.com']"

# ---- 451 for one recipient, 250 for another: only the 451 one is retried ------
id=$(hr mail queue --from headroom@headroom.test --to sales@example.com --cc later@example.com \
     --subject "partial" --text-file "$T/body.txt")
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "partial: queued for the deferred recipient" "$(field "$id" state)" queued
is "partial: pending is only the 451 one" "$(field "$id" pending_rcpts)" later@example.com
before=$(events 'RCPT sales@example.com')
hr mail flush --all --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "partial: the accepted recipient is not sent to again" "$(events 'RCPT sales@example.com')" "$before"
stop "$SMTP_PID"

# ---- refusals at the end of data: 554 is final, 452 is not -----------------------
start_smtp data --data-reply datarefuse=554 --data-reply datalater=452 || exit 1
id=$(hr mail queue --from headroom@headroom.test --to sales@example.com --cc admin@example.com \
     --subject "datarefuse" --text-file "$T/body.txt")
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1; rc=$?
is "554 at end of data: exit 4" "$rc" 4
is "554 at end of data: failed" "$(field "$id" state)" failed
like "554 at end of data: both recipients refused" "$(field "$id" refused_rcpts)" \
    "sales@example.com: 554.admin@example.com: 554"
id=$(hr mail queue --from headroom@headroom.test --to sales@example.com --subject "datalater" \
     --text-file "$T/body.txt")
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "452 at end of data: queued" "$(field "$id" state)" queued
like "452 at end of data: error recorded" "$(field "$id" last_error)" "452 message refused"
is "nothing kept by the server" "$(captured)" 0
stop "$SMTP_PID"

# ---- show and list ----------------------------------------------------------------
like "show prints the row and the message" "$(hr mail show 1)" "state +sent"
is "show --raw prints the stored message" "$(hr mail show 1 --raw | md5sum)" \
    "$(sqlite3 "$DB" "SELECT writefile('$T/raw1', message) FROM outbox WHERE id = 1" >/dev/null; md5sum < "$T/raw1")"
like "list --state failed" "$(hr mail list --state failed)" "refused"
done_testing
