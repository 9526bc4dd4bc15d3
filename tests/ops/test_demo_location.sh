#!/bin/bash
# The demo runs from a checkout only its owner can enter (issue 12): a copy
# of the tree and its build in a mktemp -d directory (mode 0700, as root's
# home is) under a path with a space, with the demo's files kept there too.
# snmpsimd drops its privileges, so it must be served from somewhere it
# can read; the fleet's poll proves it answered.
. "$(dirname "$0")/../lib.sh"

home=$(mktemp -d "$T/home.XXXXXX")
is "the directory is mode 0700" "$(stat -c %a "$home")" 700
co="$home/my checkout"
mkdir -p "$co"
# The tracked files as they are in the working tree, the fetched base
# MIB modules and the build (its binaries and generated files).
(cd "$TOP" && git ls-files -z | xargs -0 cp --parents -a -t "$co") 2> "$T/cp.err"
is "the tree copies" "$(cat "$T/cp.err")" ""
cp -a "$TOP/.deps" "$co/"
mkdir -p "$co/build"
for f in "$B"/*; do
    case ${f##*/} in test-logs|demo) ;; *) cp -a "$f" "$co/build/" ;; esac
done

# TMPDIR stays the system's, as for a user typing `make demo`.
out=$(cd "$co" && B="$co/build" tools/demo.sh 2>&1)
rc=$?
is "the demo exits 0 from a 0700 directory with a space in its path" "$rc" 0
like "snmpsimd answered" "$out" "snmpsimd serves [0-9]+ agents"
if ! is "no 'demo:' failure line" "$(grep '^demo:' <<<"$out")" ""; then
    tail -n 30 <<<"$out" | sed 's/^/# /'
fi
db="$co/build/demo/headroom.db"
# Every simulated agent but the dead one answered the poll.
n=$(sqlite3 "$db" "SELECT count(*) FROM devices" 2>&1)
like "the poll found the simulated fleet's devices" "$n" "^[1-9][0-9]+$"
sent=$(ls "$co/build/demo/mail"/msg-*.eml 2>/dev/null | wc -l)
like "mail reached the local SMTP server" "$sent" "^[1-9][0-9]*$"
done_testing
