#!/bin/bash
# No SMTP host configured: mail goes into a local Maildir (tmp/ -> new/),
# read back with Python's mailbox module.  Also the command line: --help,
# bad options and hostile arguments get a clear error and exit 2, never a
# crash, and nothing is stored for them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/maillib.sh"

MD="$T/Maildir"
id=$(queue_proposal)
out=$(hr mail flush --maildir "$MD" 2>&1); rc=$?
is "maildir flush exits 0" "$rc" 0
is "state sent" "$(field "$id" state)" sent
like "transport recorded" "$(field "$id" transport)" "maildir $MD"
is "one file in new/" "$(ls "$MD/new" | wc -l)" 1
is "tmp/ is empty" "$(ls "$MD/tmp" | wc -l)" 0
check "cur/ exists" test -d "$MD/cur"
f=$(ls "$MD/new")
like "maildir file name: time.M<usec>P<pid>Q<n>.host" "$f" '^[0-9]+\.M[0-9]{6}P[0-9]+Q[0-9]+\.'
is "maildir file mode 600" "$(stat -c %a "$MD/new/$f")" 600
"$PY" "$MAILT/check_message.py" --lf "$MD/new/$f" --subject "$SUBJECT_DECODED" \
    --from headroom@headroom.test --to sales@example.com --cc admin@example.com \
    --no-header Bcc --png "$T/graph.png"
subj=$("$PY" - "$MD" <<'PY'
import mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=False)
print(len(box), "|".join(str(m["subject"]) for m in box))
PY
)
like "mailbox.Maildir reads it" "$subj" "^1 "

# the environment selects the Maildir too, and a second message is a second file
id2=$(queue_proposal)
HEADROOM_MAILDIR="$MD" hr mail flush >/dev/null 2>&1; rc=$?
is "HEADROOM_MAILDIR flush exits 0" "$rc" 0
is "two files in new/" "$(ls "$MD/new" | wc -l)" 2

# an unwritable Maildir: the message stays queued with the error
id3=$(queue_proposal)
touch "$T/file"
hr mail flush --maildir "$T/file/Maildir" >/dev/null 2>&1; rc=$?
is "unusable maildir exits 4" "$rc" 4
is "unusable maildir: queued" "$(field "$id3" state)" queued
like "unusable maildir: error" "$(field "$id3" last_error)" "Not a directory"

# ---- command line -----------------------------------------------------------------
out=$(hr mail --help); rc=$?
is "--help exits 0" "$rc" 0
like "--help lists the subcommands" "$out" "headroom mail flush"
n0=$(sqlite3 "$DB" "SELECT count(*) FROM outbox")
bad() {
    local name=$1; shift
    out=$(hr mail "$@" 2>&1); rc=$?
    is "$name: exit 2" "$rc" 2
    [ -n "$out" ] && ok "$name: says why" || not_ok "$name: says why"
}
bad "no subcommand"
bad "unknown subcommand" frobnicate
bad "bad --starttls" flush --starttls sometimes
bad "bad port" flush --smtp-port 70000
bad "bad port text" flush --smtp-port 25x
bad "show without id" show
bad "show with junk id" show 12abc
bad "bad --state" list --state lost
bad "recipient with CRLF" queue --from a@example.com --to $'b@example.com\r\nBcc: c@example.com' \
    --subject s --text-file "$T/body.txt"
bad "recipient without domain" queue --from a@example.com --to bob --subject s \
    --text-file "$T/body.txt"
bad "header name Bcc" queue --from a@example.com --to b@example.com --subject s \
    --text-file "$T/body.txt" --header "Bcc: c@example.com"
bad "header without colon" queue --from a@example.com --to b@example.com --subject s \
    --text-file "$T/body.txt" --header "X-Nothing"
bad "queue without --to" queue --from a@example.com --subject s --text-file "$T/body.txt"
is "nothing stored for bad input" "$(sqlite3 "$DB" "SELECT count(*) FROM outbox")" "$n0"
out=$(HEADROOM_SMTP_STARTTLS=maybe hr mail list 2>&1); rc=$?
is "bad HEADROOM_SMTP_STARTTLS: exit 2" "$rc" 2
out=$(hr mail show 99999 2>&1); rc=$?
is "show of an unknown id: exit 1" "$rc" 1
like "... with a message" "$out" "no message 99999"
out=$(hr mail queue --from a@example.com --to b@example.com --subject s --text-file "$T/nope" 2>&1); rc=$?
is "missing body file: exit 1" "$rc" 1
like "... names the file" "$out" "$T/nope"

# a 64 KiB hostile serial in the subject: stored, bounded, one Subject line
big=$(head -c 65536 /dev/zero | tr '\0' 'S')
id4=$(hr mail queue --from a@example.com --to b@example.com --subject "$big"$'\r\nBcc: x@example.com' \
      --text-file "$T/body.txt"); rc=$?
is "64 KiB subject: queued" "$rc" 0
hr mail show "$id4" --raw > "$T/big.eml"
is "64 KiB subject: one Subject field" "$(grep -c '^Subject:' "$T/big.eml")" 1
is "64 KiB subject: no Bcc field" "$(grep -ci '^Bcc:' "$T/big.eml")" 0
"$PY" - "$T/big.eml" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
s = str(m["Subject"])
ok = s.startswith("SSSS") and len(s.encode()) <= 998 and "\n" not in s
print(("ok" if ok else "not ok") + " - 64 KiB subject decodes to at most 998 bytes, one line")
PY

# A message of several 64 KiB chunks (a mail with many inline graphs is
# hundreds of kB): the Maildir file is the stored message with every CRLF
# made LF and nothing else changed.
"$PY" -c 'import sys
for i in range(12000):
    sys.stdout.write("line %05d of a long body\n" % i)' > "$T/long.txt"
id5=$(hr mail queue --from a@example.com --to b@example.com --subject long \
      --text-file "$T/long.txt"); rc=$?
is "long message: queued" "$rc" 0
hr mail show "$id5" --raw > "$T/long.eml"
MD5="$T/Maildir5"
hr mail flush --maildir "$MD5" > /dev/null 2>&1
"$PY" - "$T/long.eml" "$MD5/new" <<'PY'
import glob, os, sys
raw = open(sys.argv[1], "rb").read()
files = [open(f, "rb").read() for f in glob.glob(os.path.join(sys.argv[2], "*"))]
got = [f for f in files if b"\nSubject: long\n" in f]
want = raw.replace(b"\r\n", b"\n")
ok = len(raw) > 3 * 65536 and len(got) == 1 and got[0] == want
print(("ok" if ok else "not ok") + " - long message: the Maildir file is the message with CRLF as LF"
      " (%d bytes stored, %s written)" % (len(raw), [len(g) for g in got]))
PY
done_testing
