#!/bin/bash
# The systemd units are hardened alike: `systemd-analyze security
# --offline=yes` rates each of headroom-poll, -mail, -propose and
# headroomd at most MAX_EXPOSURE (measured with systemd 252: 1.4 for the
# three headroom units, 1.5 for headroomd;
# before: 6.7 MEDIUM for the three headroom units, 1.9 for headroomd), and
# each names the settings the issue asked for.  The units are checked as
# `make install` writes them (@BINDIR@ ... substituted).
. "$(dirname "$0")/../lib.sh"
MAX_EXPOSURE=1.5
UNITS="cli/headroom-poll.service cli/headroom-mail.service cli/headroom-propose.service
       subagent/headroomd.service"

if ! command -v systemd-analyze > /dev/null 2>&1; then
    skip "systemd-analyze security of the units" "systemd-analyze is missing (package systemd)"
    exit 0
fi
mkdir -p "$T/units"
for u in $UNITS; do
    f="$T/units/$(basename "$u")"
    sed 's|@BINDIR@|/usr/bin|g; s|@SBINDIR@|/usr/sbin|g; s|@SYSCONFDIR@|/etc|g' "$TOP/$u" > "$f"
    out=$(systemd-analyze security --offline=yes "$f" 2>&1)
    score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
    if [ -z "$score" ]; then
        not_ok "$u: systemd-analyze gave a score"; printf '%s\n' "$out" | tail -5 | sed 's/^/# /'
        continue
    fi
    check "$u: exposure $score <= $MAX_EXPOSURE" awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'
    for k in 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'SystemCallFilter=@system-service' \
             'CapabilityBoundingSet=$' 'RestrictNamespaces=yes' 'MemoryDenyWriteExecute=yes' \
             'ProtectKernelLogs=yes' 'ProtectClock=yes' 'PrivateDevices=yes' 'LockPersonality=yes'; do
        grep -q "^$k" "$f" || { not_ok "$u: has $k"; continue 2; }
    done
    ok "$u: has the common hardening settings"
    # what the program needs to do its job
    grep -q '^StateDirectory=' "$f" && ok "$u: keeps a writable state directory" ||
        not_ok "$u: keeps a writable state directory"
    grep -q '^RestrictAddressFamilies=.*AF_UNIX' "$f" && ok "$u: may use UNIX sockets (AgentX, rrdcached)" ||
        not_ok "$u: may use UNIX sockets"
done
grep -q '^ProcSubset=pid' "$T/units/headroomd.service" &&
    not_ok "headroomd: ProcSubset=pid would hide /proc/diskstats" ||
    ok "headroomd: /proc/diskstats stays visible (no ProcSubset=pid)"
grep -q '^ProtectHome=yes' "$T/units/headroomd.service" &&
    not_ok "headroomd: ProtectHome=yes would hide mount points under /home" ||
    ok "headroomd: mount points under /home stay visible"
grep -q '^SystemCallFilter=~.*@resources' "$T/units/headroom-poll.service" &&
    not_ok "headroom-poll: setrlimit (@resources) must stay allowed" ||
    ok "headroom-poll: setrlimit stays allowed (open-file limit)"
done_testing
