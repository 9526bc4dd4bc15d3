#!/bin/bash
# STARTTLS (required / opportunistic / off) and AUTH against real aiosmtpd
# servers on loopback.  The server certificate is self-signed for
# "localhost" and trusted with --tls-ca; without it the system's trust
# store is used, which does not know it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/maillib.sh"

tls_cert
flush() { "$HEADROOM" --db "$DB" mail flush --all "$@"; }
flushvv() { "$HEADROOM" -vv --db "$DB" mail flush --all "$@"; }
meta() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$SMTP_DIR/msg-$1.json" "$2"; }

# ---- STARTTLS required, server without STARTTLS: clear error, stays queued ----
start_smtp plain || exit 1
id=$(queue_proposal)
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls required 2>&1); rc=$?
is "required vs no STARTTLS: exit 4" "$rc" 4
is "required vs no STARTTLS: still queued" "$(field "$id" state)" queued
like "required vs no STARTTLS: clear error" "$(field "$id" last_error)" \
    "STARTTLS required but the server does not offer it"
is "required vs no STARTTLS: no MAIL command was sent" "$(events MAIL)" 0
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls opportunistic 2>&1); rc=$?
is "opportunistic vs no STARTTLS: exit 0" "$rc" 0
is "opportunistic vs no STARTTLS: sent in clear" "$(field "$id" state)" sent
is "opportunistic vs no STARTTLS: not TLS" "$(meta 1 tls)" False
stop "$SMTP_PID"

# ---- a STARTTLS server -----------------------------------------------------------
start_smtp tls --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --require-starttls || exit 1
id=$(queue_proposal)
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls required \
      --tls-ca "$T/cert.pem" 2>&1); rc=$?
is "required + trusted certificate: exit 0" "$rc" 0
is "required + trusted certificate: sent" "$(field "$id" state)" sent
[ "$rc" = 0 ] || diag "$out"
is "required + trusted certificate: the server saw TLS" "$(meta 1 tls)" True
"$PY" "$MAILT/check_message.py" "$SMTP_DIR/msg-1.eml" --subject "$SUBJECT_DECODED" \
    --png "$T/graph.png" --no-header Bcc

id=$(queue_proposal)
out=$(HEADROOM_SMTP_TLS_CA="$T/cert.pem" flush --smtp-host localhost --smtp-port "$SMTP_PORT" 2>&1)
is "opportunistic (the default) uses STARTTLS when offered" "$(meta 2 tls)" True
[ -f "$SMTP_DIR/msg-2.json" ] || diag "$out"

id=$(queue_proposal)
queue_proposal >/dev/null
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls required 2>&1); rc=$?
is "untrusted certificate: exit 4" "$rc" 4
is "untrusted certificate: stays queued" "$(field "$id" state)" queued
like "untrusted certificate: clear error" "$(field "$id" last_error)" "certificate does not verify"

out=$(flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" --starttls required \
      --tls-ca "$T/cert.pem" 2>&1); rc=$?
is "certificate for another name: stays queued" "$(field "$id" state)" queued
like "certificate for another name: clear error" "$(field "$id" last_error)" "another name"
is "no message went out over an unverified connection" "$(captured)" 2
stop "$SMTP_PID"

# ---- AUTH ------------------------------------------------------------------------------
DB="$T/auth.db"    # a fresh outbox: nothing left over from the TLS cases
export HEADROOM_DB="$DB"
start_smtp auth --auth hruser:s3cret-pw || exit 1
printf 's3cret-pw\n' > "$T/pw"; chmod 600 "$T/pw"
id=$(queue_proposal)
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls off \
      --smtp-user hruser --smtp-password-file "$T/pw" 2>&1); rc=$?
is "AUTH: exit 0" "$rc" 0
is "AUTH: sent" "$(field "$id" state)" sent
is "AUTH: the server saw the user" "$(meta 1 auth)" hruser
unlike_warn=$([[ $out == *"accessible by group or others"* ]] && echo warned || echo quiet)
is "AUTH: no warning for a 0600 password file" "$unlike_warn" quiet

chmod 640 "$T/pw"
id=$(queue_proposal)
out=$(HEADROOM_SMTP_HOST=localhost HEADROOM_SMTP_PORT=$SMTP_PORT HEADROOM_SMTP_STARTTLS=off \
      HEADROOM_SMTP_USER=hruser HEADROOM_SMTP_PASSWORD_FILE="$T/pw" flush 2>&1); rc=$?
is "AUTH from the environment: sent" "$(field "$id" state)" sent
like "AUTH: warns about a group-readable password file" "$out" "accessible by its group"
chmod 644 "$T/pw"
id=$(queue_proposal)
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls off \
      --smtp-user hruser --smtp-password-file "$T/pw" 2>&1); rc=$?
is "AUTH: a world-readable password file is refused (exit 4)" "$rc" 4
is "AUTH: ... the message stays queued" "$(field "$id" state)" queued
like "AUTH: ... clear error" "$(field "$id" last_error)" "accessible by others .*refused"

id=$(queue_proposal)
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls off \
      --smtp-user hruser --smtp-password-file "$T/missing" 2>&1); rc=$?
is "missing password file: exit 4" "$rc" 4
is "missing password file: stays queued" "$(field "$id" state)" queued
like "missing password file: clear error" "$(field "$id" last_error)" "password file .*missing"

printf 'wrong\n' > "$T/badpw"; chmod 600 "$T/badpw"
before=$(captured)
out=$(flush --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls off \
      --smtp-user hruser --smtp-password-file "$T/badpw" 2>&1); rc=$?
is "wrong password: exit 4" "$rc" 4
is "wrong password: nothing delivered" "$(captured)" "$before"
is "wrong password: stays queued (our credentials, not the message)" "$(field "$id" state)" queued
like "wrong password: clear error" "$(field "$id" last_error)" "AUTH as hruser refused: 535"
out=$(flushvv --smtp-host localhost --smtp-port "$SMTP_PORT" --starttls off \
      --smtp-user hruser --smtp-password-file "$T/badpw" 2>&1)
like "-vv shows the protocol" "$out" "smtp << 535"
[[ $out == *"$(printf wrong | base64)"* ]] && not_ok "-vv shows the password" || ok "-vv hides the AUTH exchange"
stop "$SMTP_PID"
done_testing
