#!/bin/bash
# SMTP AUTH never goes out in clear unless the configuration says so:
# under the default "starttls opportunistic" a server that offers no
# STARTTLS gets no AUTH (the message stays queued with a clear error);
# smtp-auth-cleartext yes (or starttls off) allows it; with STARTTLS
# offered, AUTH goes over TLS.  A password file others can read is
# refused, not warned about.  Real aiosmtpd servers (smtpd_authlog.py logs
# every AUTH command with whether the connection was encrypted).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/maillib.sh"
unset HEADROOM_SMTP_AUTH_CLEARTEXT

tls_cert
flush() { "$HEADROOM" --db "$DB" mail flush --all --smtp-host localhost --smtp-port "$SMTP_PORT" \
    --smtp-user hruser --smtp-password-file "$T/pw" "$@"; }
auths() { if [ -f "$SMTP_DIR/auth.log" ]; then grep -c "$1" "$SMTP_DIR/auth.log"; else echo 0; fi; }
start_authlog() {
    local name=$1; shift
    SMTP_DIR="$T/$name"; SMTP_PORT=$(free_port tcp); mkdir -p "$SMTP_DIR"
    spawn "$PY" "$MAILT/smtpd_authlog.py" --port "$SMTP_PORT" --dir "$SMTP_DIR" \
        --ready "$SMTP_DIR/ready" "$@" 2> "$SMTP_DIR/server.log"
    SMTP_PID=$LAST_PID
    wait_for 10 test -s "$SMTP_DIR/ready" || { diag "server did not start"; return 1; }
}
printf 's3cret-pw\n' > "$T/pw"; chmod 600 "$T/pw"

# ---- opportunistic (the default), no STARTTLS offered: no AUTH ----
start_authlog plain --auth hruser:s3cret-pw || exit 1
id=$(queue_proposal)
out=$(flush 2>&1); rc=$?
is "opportunistic, no STARTTLS: exit 4" "$rc" 4
is "... no AUTH command reached the server" "$(auths AUTH)" 0
is "... nothing delivered" "$(captured)" 0
is "... the message stays queued" "$(field "$id" state)" queued
like "... clear error" "$(field "$id" last_error)" "no STARTTLS: AUTH not sent in clear"
out=$(flush --starttls opportunistic 2>&1)
is "... the same with --starttls opportunistic given" "$(auths AUTH)" 0

# ---- smtp-auth-cleartext yes: explicitly allowed ----
out=$(HEADROOM_SMTP_AUTH_CLEARTEXT=yes flush 2>&1); rc=$?
is "smtp-auth-cleartext yes: exit 0" "$rc" 0
is "... sent" "$(field "$id" state)" sent
is "... AUTH went in clear, as configured" "$(auths 'tls=0')" 1
printf 'smtp-auth-cleartext yes\n' > "$T/headroom.conf"
id=$(queue_proposal)
out=$(HEADROOM_CONFIG="$T/headroom.conf" flush 2>&1); rc=$?
is "smtp-auth-cleartext yes in the config file: sent" "$(field "$id" state)" sent
printf 'smtp-auth-cleartext perhaps\n' > "$T/bad.conf"
out=$(HEADROOM_CONFIG="$T/bad.conf" "$HEADROOM" --db "$DB" mail list 2>&1); rc=$?
check "smtp-auth-cleartext perhaps: a config error (exit $rc)" test "$rc" -ne 0

# ---- starttls off: clear text was asked for ----
id=$(queue_proposal)
out=$(flush --starttls off 2>&1); rc=$?
is "starttls off: sent with AUTH" "$(field "$id" state)" sent
stop "$SMTP_PID"

# ---- STARTTLS offered: AUTH only after it ----
start_authlog tls --auth hruser:s3cret-pw --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" || exit 1
id=$(queue_proposal)
out=$(flush --tls-ca "$T/cert.pem" 2>&1); rc=$?
is "opportunistic with STARTTLS: exit 0" "$rc" 0
is "... sent" "$(field "$id" state)" sent
is "... AUTH over TLS only" "$(auths 'tls=1') $(auths 'tls=0')" "1 0"

# ---- a password file others can read: refused ----
chmod 644 "$T/pw"
id=$(queue_proposal)
out=$(flush --tls-ca "$T/cert.pem" 2>&1); rc=$?
is "world-readable password file: exit 4" "$rc" 4
is "... stays queued" "$(field "$id" state)" queued
like "... refused with a clear error" "$(field "$id" last_error)" "accessible by others .*refused"
is "... no further AUTH" "$(auths AUTH)" 1
chmod 640 "$T/pw"
out=$(flush --tls-ca "$T/cert.pem" 2>&1); rc=$?
is "group-readable password file: sent" "$(field "$id" state)" sent
like "... with a warning" "$out" "accessible by its group"
stop "$SMTP_PID"
done_testing
