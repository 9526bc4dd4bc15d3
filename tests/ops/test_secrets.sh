#!/bin/bash
# Secrets kept off the command line (ps shows every argument to every
# user): fleet add reads communities and SNMPv3 passphrases from
# --*-file options (a file others can read is refused), from
# HEADROOM_COMMUNITY & co., or from a prompt with echo off at a terminal;
# check_headroom from -F (a protected credentials file), from
# CHECK_HEADROOM_* variables, or a prompt.  The old options keep working.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
CH="$B/check_headroom"
PTY="$TOP/tests/ops/pty_answer.py"
export HEADROOM_DB="$T/hr.db"
unset HEADROOM_CONFIG HEADROOM_COMMUNITY HEADROOM_WRITE_COMMUNITY HEADROOM_V3_AUTH_PASS \
      HEADROOM_V3_PRIV_PASS CHECK_HEADROOM_COMMUNITY CHECK_HEADROOM_AUTHPASSWD CHECK_HEADROOM_PRIVPASSWD
q() { sqlite3 "$HEADROOM_DB" "$@"; }
add() { "$H" fleet add --add-customers --customer ACME --address 127.0.0.1 "$@"; }

"$H" db init > /dev/null || { not_ok "db init"; exit 1; }
printf 'file-community\nsecond line ignored\n' > "$T/comm"; chmod 600 "$T/comm"
printf 'auth-pass-from-file\n' > "$T/auth"; chmod 600 "$T/auth"
printf 'priv-pass-from-file\n' > "$T/priv"; chmod 640 "$T/priv"

# ---- fleet add ----
add --name f1 --community-file "$T/comm" > /dev/null; is "--community-file: exit 0" "$?" 0
is "... the file's first line is the community" "$(q "SELECT community FROM targets WHERE name = 'f1'")" file-community
add --name f2 --version 3 --v3-user u --v3-auth-pass-file "$T/auth" --v3-priv-pass-file "$T/priv" \
    --write-community-file "$T/comm" > /dev/null
is "--v3-*-pass-file, --write-community-file: exit 0" "$?" 0
is "... stored" "$(q "SELECT v3_auth_pass, v3_priv_pass, write_community FROM targets WHERE name = 'f2'")" \
    "auth-pass-from-file|priv-pass-from-file|file-community"
chmod 644 "$T/comm"
out=$(add --name f3 --community-file "$T/comm" 2>&1); rc=$?
is "a community file others can read is refused (exit 2)" "$rc" 2
like "... saying why" "$out" "accessible by others .*refused"
is "... and nothing added" "$(q "SELECT count(*) FROM targets WHERE name = 'f3'")" 0
chmod 600 "$T/comm"; ln -s "$T/comm" "$T/comm-link"
out=$(add --name f3 --community-file "$T/comm-link" 2>&1); rc=$?
is "a symlinked secret file is refused (exit 2)" "$rc" 2
out=$(add --name f3 --community x --community-file "$T/comm" 2>&1); rc=$?
is "--community and --community-file together: exit 2" "$rc" 2
HEADROOM_COMMUNITY=env-community add --name f4 > /dev/null; is "HEADROOM_COMMUNITY: exit 0" "$?" 0
is "... stored" "$(q "SELECT community FROM targets WHERE name = 'f4'")" env-community
HEADROOM_COMMUNITY=env-community add --name f5 --community-file "$T/comm" > /dev/null
is "the file option wins over the variable" "$(q "SELECT community FROM targets WHERE name = 'f5'")" file-community
HEADROOM_V3_AUTH_PASS=auth-from-env HEADROOM_V3_PRIV_PASS=priv-from-env \
    add --name f6 --version 3 --v3-user u > /dev/null
is "HEADROOM_V3_*_PASS: stored" "$(q "SELECT v3_auth_pass || ' ' || v3_priv_pass FROM targets WHERE name = 'f6'")" \
    "auth-from-env priv-from-env"
add --name f7 --community old-style > /dev/null
is "--community still works" "$(q "SELECT community FROM targets WHERE name = 'f7'")" old-style
out=$(add --name f8 2>&1 < /dev/null); rc=$?
is "not interactive, no community anywhere: exit 2" "$rc" 2
like "... as before: needs a community" "$out" "needs a community"
out=$($PY "$PTY" typed-community "$H" fleet add --add-customers --customer ACME --address 127.0.0.1 --name f9); rc=$?
is "at a terminal: asked for the community (exit $rc)" "$(q "SELECT community FROM targets WHERE name = 'f9'")" typed-community
like "... with a prompt" "$out" "Community: "
[[ $out == *typed-community* ]] && not_ok "... not echoed" || ok "... not echoed"
out=$($PY "$PTY" typed-pass-123 "$H" fleet add --add-customers --customer ACME --address 127.0.0.1 \
      --name f10 --version 3 --v3-user u); rc=$?
is "at a terminal: asked for both v3 passphrases" \
    "$(q "SELECT v3_auth_pass || ' ' || v3_priv_pass FROM targets WHERE name = 'f10'")" "typed-pass-123 typed-pass-123"
is "... two prompts" "$(grep -o 'passphrase: ' <<< "$out" | wc -l)" 2
"$H" fleet list | grep -q -e file-community -e typed- -e from-env && not_ok "fleet list shows no secret" ||
    ok "fleet list shows no secret"

# ---- check_headroom against snmpd + headroomd ----
printf 'window 2\ncache-timeout 1\n' > "$T/headroomd.conf"
start_headroomd "$T/root" "$T/headroomd.conf" || exit 1
chk() { "$CH" -H 127.0.0.1 -p "$SNMPD_PORT" -t 3 -r 0 "$@" 2>&1; }
printf '# check_headroom credentials\ncommunity public\n\nauthpasswd hrauthpass\nprivpasswd hrprivpass\n' > "$T/cred"
chmod 600 "$T/cred"
out=$(chk -C wrong-community -w 101 -c 102 -F "$T/cred"); rc=$?
like "check_headroom: -C wins over -F (a wrong community fails)" "$out" "UNKNOWN|CRITICAL"
out=$(chk -F "$T/cred" -w 101 -c 102); rc=$?
is "check_headroom -F: community from the file (exit $rc)" "$rc" 0
out=$(chk -P 3 -U hruser -L authPriv -F "$T/cred" -w 101 -c 102); rc=$?
is "check_headroom -F: SNMPv3 passphrases from the file" "$rc" 0
out=$(CHECK_HEADROOM_AUTHPASSWD=hrauthpass CHECK_HEADROOM_PRIVPASSWD=hrprivpass \
      chk -P 3 -U hruser -L authPriv -w 101 -c 102); rc=$?
is "check_headroom: passphrases from CHECK_HEADROOM_*" "$rc" 0
out=$(CHECK_HEADROOM_COMMUNITY=public chk -w 101 -c 102); rc=$?
is "check_headroom: community from CHECK_HEADROOM_COMMUNITY" "$rc" 0
chmod 604 "$T/cred"
out=$(chk -F "$T/cred" -w 101 -c 102); rc=$?
is "check_headroom: a credentials file others can read: UNKNOWN (3)" "$rc" 3
like "... saying why" "$out" "accessible by others .*refused"
chmod 600 "$T/cred"; printf 'password x\n' > "$T/badcred"; chmod 600 "$T/badcred"
out=$(chk -F "$T/badcred"); rc=$?
is "check_headroom: unknown key in -F: UNKNOWN" "$rc" 3
like "... with FILE:LINE" "$out" "badcred:1: unknown key 'password'"
{ printf 'community public\n'; head -c 9000 /dev/zero | tr '\0' '#'; printf '\n'; } > "$T/bigcred"
chmod 600 "$T/bigcred"
out=$(chk -F "$T/bigcred"); rc=$?
is "check_headroom: a credentials file over 8 KiB: UNKNOWN, not cut" "$rc" 3
like "... saying why" "$out" "credentials file .*bigcred: larger than 8192 bytes"
out=$($PY "$PTY" 'hrauthpass|hrprivpass' "$CH" -H 127.0.0.1 -p "$SNMPD_PORT" -t 3 -r 0 -P 3 \
      -U hruser -L authPriv -w 101 -c 102); rc=$?
is "check_headroom at a terminal: asked for the passphrases (exit $rc)" "$rc" 0
is "... with two prompts" "$(grep -o 'passphrase: ' <<< "$out" | wc -l)" 2
[[ $out == *hrauthpass* || $out == *hrprivpass* ]] && not_ok "... not echoed" || ok "... not echoed"
out=$(chk -P 3 -U hruser -L authNoPriv < /dev/null); rc=$?
is "check_headroom not interactive, no passphrase: UNKNOWN as before" "$rc" 3
out=$(chk -C public -w 101 -c 102); rc=$?
is "check_headroom -C still works" "$rc" 0
done_testing
