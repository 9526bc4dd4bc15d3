#!/bin/bash
# headroomd started as root with -u USER never touches a file of the
# state directory (which USER owns) as root: a state file planted as a
# symlink to a root-owned file neither gives that file to USER nor is
# written through, and a state directory that is a symlink is refused.
. "$(dirname "$0")/../lib.sh"
HD="$B/headroomd"
FX="$T/root"
HDLOG="$T/headroomd.log"

if [ "$(id -u)" -ne 0 ] || ! id nobody > /dev/null 2>&1; then
    skip "-u nobody with planted symlinks" "needs root and user nobody"
    exit 0
fi
chmod 755 "$T"                          # nobody must reach the fixture and socket
"$TOP/tests/subagent/mkfixture.sh" "$FX" || { not_ok "fixture"; exit 1; }
printf 'window 2\ncache-timeout 1\nagentx-ping-interval 1\n' > "$T/headroomd.conf"
SNMPD_EXTRA_CONF="agentXPerms 0666 0755"
start_snmpd || { not_ok "snmpd started"; exit 1; }

# A state directory as a previous run left it: nobody's.  nobody planted
# "state" as a symlink to one root-owned secret, and the temporary name an
# older headroomd used (state.tmp.PID: the PID is the one exec keeps) as a
# symlink to another.
STATE="$T/state"
mkdir -p "$STATE" && chown nobody:nogroup "$STATE"
printf 'root secret\n' > "$T/secret"; chmod 600 "$T/secret"
printf 'other secret\n' > "$T/secret2"; chmod 600 "$T/secret2"
ln -s "$T/secret" "$STATE/state"
# plant_exec LINK-TARGET DIR CMD...: plant DIR/state.tmp.PID -> LINK-TARGET, exec CMD
plant_exec() { local t=$1 d=$2; shift 2; ln -s "$t" "$d/state.tmp.$BASHPID"; exec "$@"; }
spawn plant_exec "$T/secret2" "$STATE" "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" \
    --root "$FX" --state-dir "$STATE" -u nobody -Lf "$HDLOG"
HD_PID=$LAST_PID
wait_for 15 hd_ready
check "-u nobody: serves despite the planted symlinks" hd_ready
check "the planted tmp symlink is still there, unused" test -L "$STATE/state.tmp.$HD_PID"
is "-u nobody: runs as nobody" "$(ps -o user= -p "$HD_PID" | tr -d ' ')" nobody
is "the state symlink's target still belongs to root" "$(stat -c %U:%a "$T/secret")" root:600
is "the state symlink's target is unchanged" "$(cat "$T/secret")" "root secret"
is "the tmp symlink's target still belongs to root" "$(stat -c %U:%a "$T/secret2")" root:600
is "the tmp symlink's target is unchanged" "$(cat "$T/secret2")" "other secret"
state_is_file() { [ -f "$STATE/state" ] && [ ! -L "$STATE/state" ]; }
wait_for 5 state_is_file
check "the state file is nobody's own file now" state_is_file
is "the state file belongs to nobody" "$(stat -c %U "$STATE/state")" nobody
check "the state file is a headroomd state" grep -q '^headroomd-state ' "$STATE/state"
# net-snmp's start (init_snmp: config files from the persistent directory,
# its cert_indexes directory) ran as nobody too: nothing root-owned in it
is "nothing in the state directory belongs to root" \
    "$(find "$STATE" -mindepth 1 -user root ! -type l | wc -l)" 0
check "the symlink was set aside, not followed" test -L "$(echo "$STATE"/state.corrupt-*)"
check "... and logged" grep -q "state.*not a regular file" "$HDLOG"
stop "$HD_PID"

# A state file left by a run as root is read and replaced, not chowned
# through its path.
rm -f "$STATE/state" "$STATE"/state.corrupt-* "$STATE"/state.tmp.*
printf 'headroomd-state 1\nnext-index 7\n' > "$STATE/state"; chown root:root "$STATE/state"
spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$STATE" \
    -u nobody -Lf "$HDLOG"
HD_PID=$LAST_PID
wait_for 15 hd_ready
check "-u nobody: serves with root's old state file" hd_ready
owned_by_nobody() { [ "$(stat -c %U "$STATE/state")" = nobody ]; }
wait_for 5 owned_by_nobody
check "root's state file replaced by nobody's" owned_by_nobody
check "the next index survived (first device is index 7)" grep -q '^dev 7 ' "$STATE/state"
stop "$HD_PID"

# A FIFO as the state file does not block the start.
rm -f "$STATE/state" "$STATE"/state.corrupt-*
mkfifo "$STATE/state"; chown nobody "$STATE/state"
spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$STATE" \
    -u nobody -Lf "$HDLOG"
HD_PID=$LAST_PID
wait_for 15 hd_ready
check "-u nobody: a FIFO as state file does not block the start" hd_ready
wait_for 5 state_is_file
check "... it is set aside and a state file written" state_is_file
stop "$HD_PID"

# A state directory that is a symlink (to a directory root owns) is not
# handed to nobody.
mkdir "$T/rootdir"; chmod 700 "$T/rootdir"
ln -s "$T/rootdir" "$T/state-link"
out=$(timeout 10 "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$T/state-link" \
    -u nobody 2>&1); rc=$?
check "a symlinked state directory is refused (exit $rc)" test "$rc" -ne 0
like "... saying why" "$out" "state directory .*state-link"
is "... and the directory it points to stays root's" "$(stat -c %U "$T/rootdir")" root
done_testing
