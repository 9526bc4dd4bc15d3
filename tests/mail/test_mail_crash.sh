#!/bin/bash
# headroom killed with -9 in the middle of a flush (the test server holds
# its reply so that the kill lands at a known point), then flushed again:
#  - killed before the end of data: the server cannot have the message;
#    the next flush delivers it, and exactly one copy arrives;
#  - killed after the end of data, before the server's reply: the server
#    does have it.  Default policy: sent again with the same Message-ID, so
#    two copies arrive (the honest at-least-once result, docs/mail.md);
#    with --hold-uncertain: held, one copy, until 'headroom mail retry'.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/maillib.sh"

# kill_flush_at MARKER: start a flush, SIGKILL it once MARKER exists.
kill_flush_at() {
    spawn "$HEADROOM" --db "$DB" mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT"
    local pid=$LAST_PID
    if ! wait_for 20 test -e "$1"; then
        not_ok "the flush reached $1"; return 1
    fi
    is "the process killed is headroom" "$(ps -o comm= -p "$pid")" headroom
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    return 0
}

# ---- killed before the end of data -------------------------------------------
start_smtp before --rcpt-delay sales@example.com=30 || exit 1
id=$(queue_proposal)
kill_flush_at "$SMTP_DIR/rcpt-wait" || exit 1
is "before: row left in 'sending'" "$(field "$id" state)" sending
is "before: end of data not reached" "$(field "$id" data_sent)" 0
is "before: the server has nothing" "$(captured)" 0
out=$(hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" 2>&1); rc=$?
is "before: next flush exits 0" "$rc" 0
like "before: the flush reports the recovery" "$out" "1 recovered"
like "before: the log says it was certainly not delivered" "$out" "1 certainly not delivered"
is "before: delivered" "$(field "$id" state)" sent
is "before: exactly one copy arrived" "$(captured)" 1
stop "$SMTP_PID"

# ---- killed after the end of data: default policy resends ------------------------
start_smtp after --data-delay 30 || exit 1
id=$(queue_proposal)
kill_flush_at "$SMTP_DIR/data-received-1" || exit 1
is "after: row left in 'sending'" "$(field "$id" state)" sending
is "after: end of data recorded as sent" "$(field "$id" data_sent)" 1
is "after: the server already has one copy" "$(captured)" 1
out=$(hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" 2>&1); rc=$?
is "after: next flush exits 0" "$rc" 0
like "after: the log says it may have been delivered" "$out" "1 maybe delivered"
is "after: state sent" "$(field "$id" state)" sent
n=$(captured)
diag "killed after the end of data, default policy: $n copies arrived"
is "after: two copies arrived (at-least-once)" "$n" 2
ids=$(grep -hi '^Message-ID:' "$SMTP_DIR"/msg-*.eml | sort -u | wc -l)
is "after: both copies carry the same Message-ID" "$ids" 1
stop "$SMTP_PID"

# ---- killed after the end of data: --hold-uncertain --------------------------------
start_smtp hold --data-delay 30 || exit 1
id=$(queue_proposal)
kill_flush_at "$SMTP_DIR/data-received-1" || exit 1
out=$(hr mail flush --hold-uncertain --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" 2>&1); rc=$?
is "hold: flush exits 4" "$rc" 4
is "hold: state held" "$(field "$id" state)" held
like "hold: the reason is recorded" "$(field "$id" last_error)" "may have it; held"
is "hold: one copy only" "$(captured)" 1
hr mail flush --hold-uncertain --all --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "hold: a held message is not flushed" "$(captured)" 1
hr mail retry "$id" >/dev/null; rc=$?
is "hold: retry exits 0" "$rc" 0
hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" >/dev/null 2>&1
is "hold: sent after an explicit retry" "$(field "$id" state)" sent
is "hold: second copy only on request" "$(captured)" 2
stop "$SMTP_PID"

# ---- two flushes at once: the second one waits its turn ---------------------------
start_smtp lock --data-delay 30 || exit 1
id=$(queue_proposal)
spawn "$HEADROOM" --db "$DB" mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT"
first=$LAST_PID
wait_for 20 test -e "$SMTP_DIR/data-received-1"
out=$(hr mail flush --smtp-host 127.0.0.1 --smtp-port "$SMTP_PORT" 2>&1); rc=$?
is "a second concurrent flush exits 1" "$rc" 1
like "... saying another flush runs" "$out" "another 'headroom mail flush' is running"
is "... and did not touch the message" "$(field "$id" state)" sending
stop "$SMTP_PID"
wait "$first" 2>/dev/null

# ---- the server hangs up in the middle of a large DATA ------------------------------
# A bare socket "server" (not aiosmtpd: it must misbehave) that answers the
# envelope, says 354, reads a little of the data and closes.  headroom must
# survive the broken pipe and keep the message queued.
drop_port=$(free_port tcp)
spawn "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").close()
c, _ = s.accept(); f = c.makefile("rb")
c.sendall(b"220 dropper\r\n")
while True:
    line = f.readline()
    if not line: break
    cmd = line[:4].upper()
    if cmd == b"EHLO": c.sendall(b"250 dropper\r\n")
    elif cmd == b"DATA":
        c.sendall(b"354 go on\r\n"); f.read(4096); break
    else: c.sendall(b"250 OK\r\n")
c.shutdown(socket.SHUT_RDWR); c.close()
' "$drop_port" "$T/dropper-ready"
wait_for 10 test -e "$T/dropper-ready"
head -c 6000000 /dev/urandom > "$T/big.png"
id=$(hr mail queue --from headroom@headroom.test --to sales@example.com --subject big \
     --text-file "$T/body.txt" --html-file "$T/body.html" --attach "$T/big.png:big")
out=$(hr mail flush --smtp-host 127.0.0.1 --smtp-port "$drop_port" --starttls off 2>&1); rc=$?
is "hang-up during DATA: headroom exits 4 (not killed by SIGPIPE)" "$rc" 4
is "hang-up during DATA: queued again" "$(field "$id" state)" queued
like "hang-up during DATA: error recorded" "$(field "$id" last_error)" "127.0.0.1:$drop_port"
done_testing
