#!/bin/bash
# headroom profiles list|check|show: the shipped profiles, a local directory
# that adds and replaces profiles, errors as FILE:LINE:COL with exit 3, an
# unreadable file with exit 1, and the profile-dirs setting from the config
# file and the environment.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db"
export HEADROOM_PROFILE_DIRS="$TOP/profiles"

out=$("$H" profiles list 2>&1); rc=$?
is "list: exit 0" "$rc" 0
for p in host-resources ucd-diskio entity linux-host windows-host esxi-host; do
    check "list: $p" grep -q "^$p " <<<"$out"
done
like "list: the file each came from" "$out" "\($TOP/profiles/host-resources.profile\)"

out=$("$H" profiles check "$TOP"/profiles/*.profile 2>&1); rc=$?
is "check: every shipped profile: exit 0" "$rc" 0
is "check: one OK line per file" "$(grep -c ': OK (profile ' <<<"$out")" \
    "$(ls "$TOP"/profiles/*.profile | wc -l)"

printf 'profile bad\ndetect exists 1.3.x\nvolumes 1.3.6.1 {\n size 5\n}\nfrob\n' > "$T/bad.profile"
out=$("$H" profiles check "$T/bad.profile" 2>&1); rc=$?
is "check: errors: exit 3" "$rc" 3
like "check: FILE:LINE:COL of a bad OID" "$out" "$T/bad.profile:2:15: '1.3.x' is not a numeric OID"
like "check: the block's missing line" "$out" "$T/bad.profile:3:1: a volumes block needs 'used' or 'free'"
like "check: every error (the unknown keyword too)" "$out" "$T/bad.profile:6:1: unknown keyword 'frob'"
out=$("$H" profiles check "$T/none.profile" 2>&1); rc=$?
is "check: a missing file: exit 1" "$rc" 1
like "... says why" "$out" "none.profile: No such file or directory"
out=$("$H" profiles check "$T/bad.profile" "$T/none.profile" 2>&1); rc=$?
is "check: unreadable wins over bad input: exit 1" "$rc" 1
"$H" profiles check > /dev/null 2>&1; rc=$?
is "check: no file: usage, exit 2" "$rc" 2

out=$("$H" profiles show linux-host 2>&1); rc=$?
is "show: exit 0" "$rc" 0
like "show: what it uses" "$out" "uses host-resources ucd-diskio entity"
like "show: detect" "$out" "detect sysobjectid .1.3.6.1.4.1.8072.3.2"
out=$("$H" profiles show host-resources 2>&1)
like "show: the volume block" "$out" "size 5 bytes|size 5 units"
like "show: the type filter" "$out" "type 2 in .1.3.6.1.2.1.25.2.1.4"
out=$("$H" profiles show nosuch 2>&1); rc=$?
is "show: an unknown name: exit 1" "$rc" 1
like "... named" "$out" "no profile named 'nosuch'"

# show prints what the parser reads back: every shipped profile round-trips.
bad=""
for f in "$TOP"/profiles/*.profile; do
    n=$(sed -n 's/^profile \([a-z0-9-]*\).*/\1/p' "$f")
    "$H" profiles show "$n" > "$T/rt-$n.profile" 2>&1 &&
        "$H" profiles check "$T/rt-$n.profile" > /dev/null 2>&1 || bad="$bad $n"
done
is "show: every shipped profile's output parses back" "$bad" ""

# A local directory after the shipped one adds and replaces.
mkdir -p "$T/local"
printf 'profile entity "local entity"\n' > "$T/local/entity.profile"
printf 'profile acme-nas "ACME NAS"\nuses host-resources\npriority 60\ndetect sysobjectid .1.3.6.1.4.1.99999\nvendor "ACME"\n' \
    > "$T/local/acme.profile"
out=$(HEADROOM_PROFILE_DIRS="$TOP/profiles:$T/local" "$H" profiles list 2>&1); rc=$?
is "local dir: exit 0" "$rc" 0
like "local dir: a new vendor is a new file" "$out" "acme-nas +60 +host-resources +ACME NAS"
like "local dir: its entity replaces the shipped one" "$out" "entity .*local entity \($T/local/entity.profile\)"

# A broken local file: list fails with its FILE:LINE:COL, exit 3.
printf 'profile broken\nuses nothing-here\n' > "$T/local/broken.profile"
out=$(HEADROOM_PROFILE_DIRS="$TOP/profiles:$T/local" "$H" profiles list 2>&1); rc=$?
is "broken local profile: list exits 3" "$rc" 3
like "... naming the file and the unknown profile" "$out" "broken.profile: profile broken uses 'nothing-here', which is not loaded"
rm "$T/local/broken.profile"

# profile-dirs from the config file; the environment wins.
printf 'profile-dirs %s:%s\n' "$TOP/profiles" "$T/local" > "$T/headroom.conf"
out=$(env -u HEADROOM_PROFILE_DIRS "$H" -c "$T/headroom.conf" profiles list 2>&1)
like "config file: profile-dirs" "$out" "acme-nas"
out=$("$H" -c "$T/headroom.conf" profiles list 2>&1)
if [[ $out == *acme-nas* ]]; then not_ok "env beats file: profile-dirs"; else ok "env beats file: profile-dirs"; fi
out=$(env -u HEADROOM_PROFILE_DIRS "$H" -c "$T/headroom.conf" config show | grep '^profile-dirs')
like "config show: profile-dirs from the file" "$out" "\(file\)$"

done_testing
