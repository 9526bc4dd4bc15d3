# tests/mail/maillib.sh: helpers for the mail tests (source after ../lib.sh).
#
# HR runs the real `headroom` binary on a private database.  start_smtp
# starts tests/mail/smtpd_capture.py (real aiosmtpd) on a free loopback port
# and sets SMTP_PID, SMTP_PORT, SMTP_DIR.

MAILT="$TOP/tests/mail"
DB="$T/headroom.db"
HEADROOM="$B/headroom"
unset HEADROOM_SMTP_HOST HEADROOM_SMTP_PORT HEADROOM_SMTP_STARTTLS HEADROOM_SMTP_USER \
      HEADROOM_SMTP_PASSWORD_FILE HEADROOM_SMTP_TLS_CA HEADROOM_MAILDIR HEADROOM_MAIL_FROM HEADROOM_CONFIG
export HEADROOM_DB="$DB"

hr() { "$HEADROOM" --db "$DB" "$@"; }

# start_smtp NAME [smtpd_capture.py options...]
start_smtp() {
    local name=$1; shift
    SMTP_DIR="$T/$name"
    SMTP_PORT=$(free_port tcp)
    mkdir -p "$SMTP_DIR"
    spawn "$PY" "$MAILT/smtpd_capture.py" --port "$SMTP_PORT" --dir "$SMTP_DIR" \
        --ready "$SMTP_DIR/ready" "$@" 2> "$SMTP_DIR/server.log"
    SMTP_PID=$LAST_PID
    if ! wait_for 10 test -s "$SMTP_DIR/ready"; then
        diag "smtpd_capture did not start"; sed 's/^/# /' "$SMTP_DIR/server.log"; return 1
    fi
}

# tls_cert: a self-signed certificate for localhost in $T/cert.pem and
# $T/key.pem, and a HOME ($T/home) without libesmtp's own certificate
# directories, so that only --tls-ca or the system store can make a
# certificate trusted.  Exits the test if openssl fails.
tls_cert() {
    if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
            -addext subjectAltName=DNS:localhost -keyout "$T/key.pem" -out "$T/cert.pem" \
            >/dev/null 2>&1; then
        not_ok "openssl made a test certificate"; exit 1
    fi
    export HOME="$T/home"
    mkdir -p "$HOME"
}

# captured [DIR]: number of messages the server accepted
captured() { ls "${1:-$SMTP_DIR}"/msg-*.eml 2>/dev/null | wc -l; }
# events PATTERN [DIR]: number of matching lines in the server's event log
events() {
    local f="${2:-$SMTP_DIR}/events.log"
    if [ -f "$f" ]; then grep -c -- "$1" "$f"; else echo 0; fi
}

# field ID COLUMN: one column of an outbox row, read with sqlite3
field() { sqlite3 "$DB" "SELECT $2 FROM outbox WHERE id = $1"; }

# A small but real PNG (noise, so its base64 spans many lines).
make_png() {
    "$PY" - "$1" <<'PY'
import random, struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
w, h, r = 64, 32, random.Random(4)
rows = b"".join(b"\0" + bytes(r.randrange(256) for _ in range(w * 3)) for _ in range(h))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
}

# The proposal-like message of the tests: a customer name with an umlaut,
# a hostile serial in the subject, a text and an HTML part, the graph
# inline, a copy to an administrator, the proposal id header.
HOSTILE_SERIAL=$'X\r\nBcc: someone@example.com'
SUBJECT="Müller Speicher GmbH: array $HOSTILE_SERIAL will be full around 2027-02-14"
# What the subject must decode to: CR and LF each became U+FFFD.
SUBJECT_DECODED="Müller Speicher GmbH: array X��Bcc: someone@example.com will be full around 2027-02-14"

make_bodies() {
    printf 'Müller Speicher GmbH\nArray X: 91%% used, full around 2027-02-14.\n' > "$T/body.txt"
    printf '<p>M&uuml;ller Speicher GmbH</p><p><img src="cid:graph1@headroom.test"></p>\n' > "$T/body.html"
    [ -s "$T/graph.png" ] || make_png "$T/graph.png"
}

# queue_proposal [extra queue options...]: prints the new outbox id
queue_proposal() {
    make_bodies
    hr mail queue --from headroom@headroom.test --from-name "Headroom Bot" \
        --to sales@example.com --cc admin@example.com --subject "$SUBJECT" \
        --text-file "$T/body.txt" --html-file "$T/body.html" --attach "$T/graph.png:graph1" \
        --header "X-Headroom-Proposal-Id: 42" --proposal-id 42 --domain headroom.test "$@"
}
