#!/bin/bash
# headroom.conf: precedence flag > environment > config file > default,
# observed from outside for the database (db info), the RRD directory and
# poll-timeout/retries (a poll against a private snmpd + headroomd and a dead
# target), the Maildir (mail flush), the log level and the rules file; bad
# lines reported as FILE:LINE with exit 3 and nothing done; a missing
# explicit config is an error, a missing default one is not; the shipped
# example parses, names every key, and parses with every key uncommented.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
HD="$B/headroomd"
unset HEADROOM_CONFIG HEADROOM_DB HEADROOM_RRD_DIR HEADROOM_MAILDIR HEADROOM_RULES \
      HEADROOM_LOG_LEVEL HEADROOM_SYSLOG HEADROOM_POLL_TIMEOUT HEADROOM_POLL_RETRIES \
      HEADROOM_POLL_CONCURRENCY HEADROOM_POLL_INTERVAL HEADROOM_POLL_BUDGET RRDCACHED_ADDRESS \
      HEADROOM_SMTP_HOST HEADROOM_MAIL_FROM
EXAMPLE="$TOP/cli/headroom.conf.example"
C="$T/headroom.conf"

for p in "$H" "$HD"; do
    [ -x "$p" ] || { not_ok "$p is built"; exit 1; }
done

# ---- database: flag > env > file > default ----
printf '# test config\ndb %s/file.db   # the file'"'"'s database\n' "$T" > "$C"
"$H" -c "$C" db init > /dev/null 2>&1
is "file: db init creates the config file's database" "$(test -f "$T/file.db" && echo yes)" yes
like "file: db info reads it" "$("$H" -c "$C" db info | sed -n 1p)" "^path: +$T/file.db$"
HEADROOM_DB="$T/env.db" "$H" -c "$C" db init > /dev/null 2>&1
like "env beats file" "$(HEADROOM_DB="$T/env.db" "$H" -c "$C" db info | sed -n 1p)" "^path: +$T/env.db$"
"$H" -c "$C" --db "$T/flag.db" db init > /dev/null 2>&1
like "flag beats env and file" \
    "$(HEADROOM_DB="$T/env.db" "$H" -c "$C" --db "$T/flag.db" db info | sed -n 1p)" "^path: +$T/flag.db$"
HEADROOM_CONFIG="$C" "$H" db info > "$T/out" 2>&1
like "\$HEADROOM_CONFIG names the file too" "$(sed -n 1p "$T/out")" "^path: +$T/file.db$"
defconf=$("$H" --help | grep -o '/[^ ]*/headroom/headroom.conf' | head -n 1)
if [ -e "$defconf" ]; then
    skip "default: no config file is fine" "$defconf exists on this machine"
else
    out=$("$H" db info 2>&1); rc=$?
    like "default: no config file is fine; the built-in database path is used" "$out" \
        "/var/lib/headroom/headroom.db"
    is "default: ... which does not exist here: exit 1, not a config error" "$rc" 1
    like "config show without a file: built-in defaults" "$("$H" config show | grep '^db ')" \
        "/var/lib/headroom/headroom.db \(default\)"
fi
like "config show names the source: file" "$("$H" -c "$C" config show | grep '^db ')" \
    "HEADROOM_DB +$T/file.db \(file\)"
like "config show names the source: env" \
    "$(HEADROOM_DB="$T/env.db" "$H" -c "$C" config show | grep '^db ')" "$T/env.db \(env\)"

like "config show names the source: flag" \
    "$(HEADROOM_DB="$T/env.db" "$H" -c "$C" --db "$T/flag.db" config show | grep '^db ')" \
    "$T/flag.db \(flag\)"

# ---- missing and unreadable config files ----
out=$("$H" -c "$T/nonexistent.conf" db info 2>&1); rc=$?
is "missing --config file: exit 2" "$rc" 2
like "... names the file" "$out" "$T/nonexistent.conf: No such file or directory"
out=$(HEADROOM_CONFIG="$T/nonexistent.conf" "$H" db info 2>&1); rc=$?
is "missing \$HEADROOM_CONFIG file: exit 2" "$rc" 2
mkdir "$T/adir"
out=$("$H" -c "$T/adir" db info 2>&1); rc=$?
is "a directory as config: exit 1" "$rc" 1

# ---- bad lines: FILE:LINE, exit 3, nothing done ----
cat > "$T/bad1.conf" <<EOF
db $T/never.db
bogus-key 1
poll-concurrency 0
syslog perhaps
poll-timeout 5
db $T/twice.db
[poll]
EOF
out=$("$H" -c "$T/bad1.conf" db init 2>&1); rc=$?
is "bad config: exit 3" "$rc" 3
check "bad config: nothing done (no database created)" test ! -e "$T/never.db"
like "unknown key at its line" "$out" "$T/bad1.conf:2: unknown key 'bogus-key'"
like "number out of range at its line" "$out" "$T/bad1.conf:3: poll-concurrency: '0' is not a whole number from 1 to 65536"
like "bad boolean at its line" "$out" "$T/bad1.conf:4: syslog: 'perhaps' is not yes or no"
like "timeout below its minimum" "$out" "$T/bad1.conf:5: poll-timeout"
like "repeated key" "$out" "$T/bad1.conf:6: duplicate key 'db'"
like "sections are refused" "$out" "$T/bad1.conf:7: "
is "every problem reported at once" "$(grep -c "^$T/bad1.conf:[0-9]*: " <<<"$out")" 6
cat > "$T/bad2.conf" <<'EOF'
starttls sometimes
smtp-password hunter2
log-level loud
mail-from not-an-address
admin-cc ok@example.com, bad
EOF
out=$("$H" -c "$T/bad2.conf" config check 2>&1); rc=$?
is "semantic errors: exit 3" "$rc" 3
like "starttls mode at its line" "$out" "bad2.conf:1: starttls: 'sometimes' is not required, opportunistic or off"
like "a password in the config is refused at its line" "$out" "bad2.conf:2: smtp-password: passwords do not belong"
unlike_pw=$(grep -c hunter2 <<<"$out")
is "the refused password is not echoed" "$unlike_pw" 0
like "log level at its line" "$out" "bad2.conf:3: log-level: 'loud'"
like "sender at its line" "$out" "bad2.conf:4: mail-from: 'not-an-address' is not a mail address"
like "each admin-cc address checked" "$out" "bad2.conf:5: admin-cc: 'bad' is not a mail address"
printf 'db "unterminated\n' > "$T/bad3.conf"
out=$("$H" -c "$T/bad3.conf" config check 2>&1); rc=$?
is "unterminated quote: exit 3" "$rc" 3
like "... at line 1" "$out" "bad3.conf:1: "

# ---- bad environment values: the command that reads them says so ----
out=$(HEADROOM_POLL_CONCURRENCY=lots "$H" --db "$T/flag.db" poll 2>&1); rc=$?
is "bad HEADROOM_POLL_CONCURRENCY: exit 2" "$rc" 2
like "... named" "$out" "HEADROOM_POLL_CONCURRENCY: 'lots' is not a number"
out=$(HEADROOM_LOG_LEVEL=loud "$H" --db "$T/flag.db" db info 2>&1); rc=$?
is "bad HEADROOM_LOG_LEVEL: exit 2" "$rc" 2

# ---- world-writable config ----
cp "$C" "$T/ww.conf"; chmod 666 "$T/ww.conf"
like "a world-writable config is warned about" "$("$H" -c "$T/ww.conf" db info 2>&1 >/dev/null)" \
    "ww.conf is world-writable"
chmod 644 "$T/ww.conf"
is "... not when it is 0644" "$("$H" -c "$T/ww.conf" db info 2>&1 >/dev/null)" ""

# ---- the shipped example ----
out=$("$H" config check "$EXAMPLE" 2>&1); rc=$?
is "the example parses cleanly" "$rc $out" "0 $EXAMPLE: OK"
keys=$("$H" config show | awk 'NR > 1 { print $1 }')
nkeys=$(wc -w <<<"$keys")
missing=""
for k in $keys; do
    env=$("$H" config show | awk -v k="$k" '$1 == k { print $2 }')
    grep -q "^#$k " "$EXAMPLE" || missing="$missing $k"
    grep -q "$env" "$EXAMPLE" || missing="$missing $env"
done
is "the example names all $nkeys keys and their variables" "$missing" ""
sed -e 's/^#\([a-z][a-z-]* \)/\1/' -e "s|@[A-Z]*DIR@|$T|g" "$EXAMPLE" > "$T/uncommented.conf"
out=$("$H" config check "$T/uncommented.conf" 2>&1); rc=$?
is "the example with every key uncommented parses cleanly" "$rc $out" "0 $T/uncommented.conf: OK"
nfile=$(env -u HEADROOM_DB "$H" -c "$T/uncommented.conf" config show | grep -c '(file)$')
is "... and sets every key" "$nfile" "$nkeys"

# ---- mutants of the example: exit 0 or 3, never a crash, every message
# FILE:LINE (run with B=build-asan to get the sanitizers' view) ----
mkdir "$T/mut"
$PY - "$EXAMPLE" "$T/mut" <<'PY'
import random, sys
src = open(sys.argv[1], 'rb').read()
# every key uncommented, so that the mutations hit values
src = b"\n".join(l[1:] if l[:1] == b"#" and l[1:2].isalpha() else l for l in src.split(b"\n"))
rnd = random.Random(5)
for i in range(200):
    b = bytearray(src)
    for _ in range(rnd.randint(1, 8)):
        op, p = rnd.randrange(4), rnd.randrange(len(b) or 1)
        if op == 0 and b: b[p] = rnd.randrange(256)
        elif op == 1: del b[p:p + rnd.randint(1, 40)]
        elif op == 2: b[p:p] = rnd.choice([b'"', b'\\', b'#', b'\n', b'[', b']', b'\0', b'\xff',
                                           b'99999999999999999999', b' '])
        else: b = b[:p]
    open(f"{sys.argv[2]}/m{i:03}.conf", 'wb').write(b)
PY
badrc="" badmsg="" nerr=0
for f in "$T"/mut/m*.conf; do
    "$H" config check "$f" > /dev/null 2> "$T/mut.err"; rc=$?
    case $rc in 0) ;; 3) nerr=$((nerr + 1)) ;; *) badrc="$badrc ${f##*/}:$rc" ;; esac
    grep -qv -e "^$f:[0-9][0-9]*: " -e "world-writable" "$T/mut.err" && badmsg="$badmsg ${f##*/}"
done
is "200 mutants of the example: exit 0 or 3 only" "$badrc" ""
is "... every message is FILE:LINE: message" "$badmsg" ""
check "... and the mutations do hit: $nerr rejected" test "$nerr" -ge 40

# ---- rules: file > default; flag > file ----
printf 'rule broken {\n' > "$T/broken.rules"
printf 'db %s/file.db\nrules %s/broken.rules\n' "$T" "$T" > "$T/rules.conf"
out=$("$H" -c "$T/rules.conf" rules eval 2>&1); rc=$?
is "rules from the file: the broken rules file is used (exit 3)" "$rc" 3
like "... and named in the error" "$out" "broken.rules:1"
out=$("$H" -c "$T/rules.conf" rules eval --rules "$TOP/rules/default.rules" 2>&1); rc=$?
is "rules: --rules beats the file" "$rc" 0

# ---- Maildir: flag > env > file, through mail flush ----
printf 'db %s/mail.db\nmaildir %s/md-file\nmail-from headroom@example.com\n' "$T" "$T" > "$T/mail.conf"
echo "hello" > "$T/body.txt"
queue() { "$H" -c "$T/mail.conf" mail queue --to ops@example.com --subject "t $1" \
          --text-file "$T/body.txt" > /dev/null 2>&1; }
newfiles() { ls "$1/new" 2>/dev/null | wc -l; }
queue 1 && "$H" -c "$T/mail.conf" mail flush > /dev/null 2>&1
is "file: mail flush delivers into the config file's Maildir" "$(newfiles "$T/md-file")" 1
queue 2 && HEADROOM_MAILDIR="$T/md-env" "$H" -c "$T/mail.conf" mail flush > /dev/null 2>&1
is "env beats file: Maildir from \$HEADROOM_MAILDIR" "$(newfiles "$T/md-env")" 1
queue 3 && HEADROOM_MAILDIR="$T/md-env" "$H" -c "$T/mail.conf" mail flush \
    --maildir "$T/md-flag" > /dev/null 2>&1
is "flag beats env: Maildir from --maildir" "$(newfiles "$T/md-flag")" 1
is "... the others got nothing more" "$(newfiles "$T/md-file") $(newfiles "$T/md-env")" "1 1"
grep -q '^From: .*headroom@example.com' "$T"/md-file/new/* &&
    ok "mail-from from the file reaches the message" || not_ok "mail-from from the file"

# ---- RRD directory and poll settings: a real poll ----
printf 'window 2\ncache-timeout 1\n' > "$T/headroomd.conf"
start_headroomd "$T/root" "$T/headroomd.conf" || exit 1
ok "snmpd + headroomd serve the fixture"
DEAD=$(free_port udp)
# One database per case: a dead target's "down" is logged on its first poll
# only, and its message gives the timeout and retries in effect.
poll_case() {   # NAME [env...] -- [flags...]
    local name=$1; shift
    local envs=() flags=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
    flags=("$@")
    printf 'db %s/%s.db\nrrd-dir %s/rrd-file-%s\npoll-timeout 250\npoll-retries 0\n%s' \
        "$T" "$name" "$T" "$name" "${POLL_EXTRA:-}" > "$T/poll-$name.conf"
    "$H" -c "$T/poll-$name.conf" db init > /dev/null 2>&1
    "$H" -c "$T/poll-$name.conf" fleet add --add-customers --customer HQ --name host \
        --address 127.0.0.1 --port "$SNMPD_PORT" --community public > /dev/null 2>&1
    "$H" -c "$T/poll-$name.conf" fleet add --customer HQ --name dead \
        --address 127.0.0.1 --port "$DEAD" --community public > /dev/null 2>&1
    env "${envs[@]}" "$H" -c "$T/poll-$name.conf" poll "${flags[@]}" \
        > "$T/poll-$name.out" 2> "$T/poll-$name.err"
}
rrds() { ls "$1"/*.rrd 2>/dev/null | wc -l; }
poll_case file --
is "file: poll exit 4 (the dead target)" "$?" 4
check "file: RRD files in the config file's rrd-dir" test "$(rrds "$T/rrd-file-file")" -ge 2
like "file: poll-timeout and poll-retries from the file" "$(cat "$T/poll-file.err")" \
    "target dead \(127.0.0.1\): down: timeout: no response \(timeout 250 ms, 0 retries\)"
poll_case env HEADROOM_RRD_DIR="$T/rrd-env" HEADROOM_POLL_TIMEOUT=350 --
check "env beats file: RRD files in \$HEADROOM_RRD_DIR" test "$(rrds "$T/rrd-env")" -ge 2
is "... none in the file's rrd-dir" "$(rrds "$T/rrd-file-env")" 0
like "env beats file: \$HEADROOM_POLL_TIMEOUT" "$(cat "$T/poll-env.err")" "timeout 350 ms, 0 retries"
poll_case flag HEADROOM_RRD_DIR="$T/rrd-env2" HEADROOM_POLL_TIMEOUT=350 -- \
    --rrd-dir "$T/rrd-flag" --timeout 450 --retries 1
check "flag beats env: RRD files in --rrd-dir" test "$(rrds "$T/rrd-flag")" -ge 2
is "... none in \$HEADROOM_RRD_DIR" "$(rrds "$T/rrd-env2")" 0
like "flag beats env: --timeout and --retries" "$(cat "$T/poll-flag.err")" "timeout 450 ms, 1 retries"
# log level: file > default (a dead target's "down" is a warning), flag > file
POLL_EXTRA=$'log-level err\n' poll_case quiet --
is "log-level err in the file: the warning is not logged" "$(cat "$T/poll-quiet.err")" ""
"$H" -c "$T/poll-quiet.conf" fleet add --customer HQ --name dead2 --address 127.0.0.1 \
    --port "$(free_port udp)" --community public > /dev/null 2>&1
"$H" -v -c "$T/poll-quiet.conf" poll > /dev/null 2> "$T/poll-quiet2.err"
like "-v beats the file's log-level" "$(cat "$T/poll-quiet2.err")" "target dead2 .*: down"
# syslog: file > default, env > file, --syslog > env.  What reaches syslog
# is not captured (the test does not touch the system's /dev/log); the
# checks are that the log leaves stderr or stays there.
POLL_EXTRA=$'syslog yes\n' poll_case sys --
is "syslog yes in the file: the warning is not on stderr" "$(cat "$T/poll-sys.err")" ""
POLL_EXTRA=$'syslog yes\n' poll_case sys2 HEADROOM_SYSLOG=no --
like "HEADROOM_SYSLOG=no beats the file: the warning on stderr" "$(cat "$T/poll-sys2.err")" \
    "target dead .*: down"
"$H" -c "$T/poll-sys2.conf" fleet add --customer HQ --name dead3 --address 127.0.0.1 \
    --port "$(free_port udp)" --community public > /dev/null 2>&1
HEADROOM_SYSLOG=no "$H" --syslog -c "$T/poll-sys2.conf" poll > /dev/null 2> "$T/poll-sys3.err"
is "--syslog beats HEADROOM_SYSLOG=no: nothing on stderr" "$(cat "$T/poll-sys3.err")" ""
rrdtool info "$T/rrd-flag/S3Z9NB0K123456.rrd" > "$T/rrdinfo" 2>&1
like "the RRD file reads back with rrdtool" "$(grep '^step' "$T/rrdinfo")" "^step = 300$"
check "snmpd still alive" kill -0 "$SNMPD_PID"
done_testing
