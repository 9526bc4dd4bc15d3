#!/bin/bash
# check_headroom's packaging: the man page is clean troff, and the install
# rule puts the plug-in link, the Zabbix templates and the snmpsim record
# in place under DESTDIR.
. "$(dirname "$0")/../lib.sh"
MAN="$TOP/check/check_headroom.1"

warn=$(groff -man -ww -z "$MAN" 2>&1)
is "groff -man -ww: no warnings in check_headroom.1" "$warn" ""
txt=$(MANWIDTH=80 man -l "$MAN" 2>/dev/null)
for s in NAME SYNOPSIS OPTIONS RANGES 'EXIT STATUS' EXAMPLES; do
    check "man page has a $s section" grep -qx "$s" <<<"$txt"
done
# every long option of --help is in the man page
help=$("$B/check_headroom" --help)
missing="" n=0
for o in $(grep -o -- '--[a-z-]*' <<<"$help" | sort -u); do
    n=$((n + 1))
    # troff writes each '-' of an option as '\-'
    grep -qF -- "${o//-/\\-}" "$MAN" || missing="$missing $o"
done
is "every option of --help ($n) is documented in the man page" "$missing" ""

root="$T/root"
# A build directory of its own: PREFIX=/usr compiles other paths in, and in
# the suite's $B that would rebuild programs other test files are running
# (run.sh runs files side by side) and the whole tree at the next make.
nice -n 10 make -s -C "$TOP" -j"$(nproc)" B="$T/build" DESTDIR="$root" PREFIX=/usr \
    install-check-headroom >"$T/make.log" 2>&1
is "make install-check-headroom succeeds" "$?" 0
is "plug-in linked into /usr/lib/nagios/plugins" \
   "$(readlink "$root/usr/lib/nagios/plugins/check_headroom")" "/usr/bin/check_headroom"
for f in contrib/README.md contrib/zabbix/template_storage_headroom_snmp_6.0.yaml \
         contrib/zabbix/template_storage_headroom_snmp_6.4.yaml contrib/snmpsim/headroom-device.snmprec; do
    check "installed $f" cmp -s "$TOP/$f" "$root/usr/share/doc/headroom/$f"
done
done_testing
