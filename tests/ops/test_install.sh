#!/bin/bash
# make install into a temporary DESTDIR, for PREFIX=/usr and PREFIX=/usr/local,
# each from its own build directory (the install paths are compiled in):
# every expected file is there with its mode, nothing unexpected, no path of
# the build tree in any installed file, the units name the installed
# programs and pass systemd-analyze verify (with their man pages found in
# the tree), the installed programs run, find their default rules and MIB,
# parse the installed config, and a second install keeps a site's edited
# config.
. "$(dirname "$0")/../lib.sh"
# The sanitizer build (make check-asan-all): objects seeded from it link
# with the sanitizers too.
SAN_ARGS=()
if grep -qaF __asan_init "$B/headroom" 2>/dev/null; then
    SAN_ARGS=(SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" CFLAGS="-O1 -g")
fi

# The files of an install, relative to PREFIX (p/), SYSCONFDIR (e/),
# UNITDIR (u/) or MIBDIR (m/: net-snmp's own directory whatever the
# prefix), with their modes; "l" is a symbolic link.
expected() {
    cat <<'EOF'
755 p/bin/headroom
755 p/bin/check_headroom
755 p/sbin/headroomd
l   p/lib/nagios/plugins/check_headroom
644 p/lib/sysusers.d/headroom.conf
644 m/HEADROOM-STORAGE-MIB.txt
644 m/SNMPv2-SMI.txt
644 m/SNMPv2-TC.txt
644 m/SNMPv2-CONF.txt
644 m/SNMPv2-MIB.txt
644 p/share/headroom/default.rules
644 p/share/man/man1/headroom.1
644 p/share/man/man1/check_headroom.1
644 p/share/man/man1/headroom-rules.1
644 p/share/man/man5/headroom.conf.5
644 p/share/man/man8/headroomd.8
644 p/share/doc/headroom/headroom.conf.example
644 p/share/doc/headroom/headroomd.conf.example
644 p/share/doc/headroom/operations.md
644 p/share/doc/headroom/architecture.md
644 p/share/doc/headroom/profiles.md
644 p/share/doc/headroom/mail.md
644 p/share/doc/headroom/collector.md
644 p/share/doc/headroom/poller.md
644 p/share/doc/headroom/rules.md
644 p/share/doc/headroom/proposals.md
644 p/share/doc/headroom/reports.md
644 p/share/doc/headroom/examples/customers.csv
644 p/share/doc/headroom/examples/staff.csv
644 p/share/doc/headroom/examples/catalog.csv
644 p/share/doc/headroom/examples/firmware.csv
644 p/share/doc/headroom/examples/stock.csv
644 p/share/doc/headroom/contrib/README.md
644 p/share/doc/headroom/contrib/snmpsim/headroom-device.snmprec
644 p/share/doc/headroom/contrib/zabbix/template_storage_headroom_snmp_6.0.yaml
644 p/share/doc/headroom/contrib/zabbix/template_storage_headroom_snmp_6.4.yaml
644 p/share/doc/headroom/contrib/prometheus/generator.yml
644 p/share/doc/headroom/contrib/prometheus/snmp.yml
644 e/headroom/headroom.conf
644 e/headroom/headroomd.conf
644 u/headroomd.service
644 u/headroom-poll.service
644 u/headroom-mail.service
644 u/headroom-mail.timer
644 u/headroom-propose.service
644 u/headroom-propose.timer
EOF
    for f in "$TOP"/profiles/*.profile; do echo "644 p/share/headroom/profiles/${f##*/}"; done
}

# Where an installed Debian system's net-snmp looks (net-snmp-config
# --default-mibdirs, without ~/.snmp/mibs), and the modules it loads for
# `-m +X` (its compiled-in list: Debian's snmp.conf `mibs :` does not apply
# to a +): those it cannot find are Debian's doing, not ours.
MIBDIR=$(net-snmp-config --default-mibdirs | tr ':' '\n' | grep -m1 '^/usr/')
NETSNMP_DEFAULT_MIBS=$(net-snmp-config --default-mibs | tr -s ':' '\n' | grep . | paste -sd'|' |
                       sed 's/|/\\|/g')
# installed_snmp ROOT: sets ISNMP_ENV for isnmp.
installed_snmp() {
    local root=$1 dirs="" d
    for d in $(net-snmp-config --default-mibdirs | tr ':' ' '); do
        case $d in "$HOME"/*) continue ;; esac
        dirs="$dirs${dirs:+:}$root$d"
    done
    mkdir -p "$T/snmpconf" "$T/home"
    # Debian 12's /etc/snmp/snmp.conf as the snmp package ships it.
    printf 'mibs :\n' > "$T/snmpconf/snmp.conf"
    ISNMP_ENV=(env -u MIBS HOME="$T/home" SNMPCONFPATH="$T/snmpconf" MIBDIRS="$dirs")
}
# isnmp CMD...: a net-snmp tool as on the installed system.
isnmp() { "${ISNMP_ENV[@]}" "$@"; }

install_one() {
    local prefix=$1 tag=$2
    local root="$T/root-$tag" bdir="$T/build-$tag" etc unitdir
    if [ "$prefix" = /usr ]; then etc=/etc unitdir=/lib/systemd/system
    else etc=$prefix/etc unitdir=$prefix/lib/systemd/system; fi

    # The suite's own build ($B) already has every object compiled for
    # the default prefix: when its compiled-in paths are this prefix's,
    # start from a copy of it (timestamps kept, so make rebuilds nothing
    # that is up to date) instead of compiling the whole tree again.
    if [ "$(cat "$B/gen/paths.stamp" 2>/dev/null)" = "$etc $prefix/share" ]; then
        mkdir -p "$bdir"
        for f in "$B"/*; do [ "${f##*/}" = test-logs ] || cp -a "$f" "$bdir/"; done
        diag "$tag: build directory seeded from $B"
    fi
    # niced: run.sh runs files side by side, and a compile must not starve
    # the agents another file is timing
    nice -n 10 make -s -C "$TOP" -j"$(nproc)" B="$bdir" PREFIX="$prefix" DESTDIR="$root" "${SAN_ARGS[@]}" install \
        > "$T/make-$tag.log" 2>&1
    if ! is "$tag: make install PREFIX=$prefix DESTDIR=... succeeds" "$?" 0; then
        tail -n 20 "$T/make-$tag.log" | sed 's/^/# /'
        return
    fi

    # ---- the tree ----
    local want="$T/want-$tag" missing="" badmode="" f m path
    : > "$want"
    while read -r m f; do
        case $f in
        p/*) path=$prefix/${f#p/} ;;
        e/*) path=$etc/${f#e/} ;;
        u/*) path=$unitdir/${f#u/} ;;
        m/*) path=$MIBDIR/${f#m/} ;;
        esac
        echo "$path" >> "$want"
        if [ "$m" = l ]; then
            [ -L "$root$path" ] || missing="$missing $path"
        elif [ ! -f "$root$path" ] || [ -L "$root$path" ]; then
            missing="$missing $path"
        elif [ "$(stat -c %a "$root$path")" != "$m" ]; then
            badmode="$badmode $path($(stat -c %a "$root$path"))"
        fi
    done < <(expected)
    is "$tag: every expected file installed" "$missing" ""
    is "$tag: modes 755 for programs, 644 for the rest" "$badmode" ""
    extra=$(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort |
            comm -23 - <(sort "$want") | tr '\n' ' ')
    is "$tag: no unexpected file" "$extra" ""
    is "$tag: plug-in link points at the installed check_headroom" \
        "$(readlink "$root$prefix/lib/nagios/plugins/check_headroom")" "$prefix/bin/check_headroom"

    # ---- no build paths ----
    # Text files must not name the source or build tree.  Programs are
    # checked after strip: debug info records the compile directory by
    # design (distributions split it off), but nothing the program uses at
    # run time may point there.
    leaks=""
    while IFS= read -r -d '' f; do
        if file -b --mime-type "$f" | grep -q 'application/x-.*\(executable\|sharedlib\|pie\)'; then
            strip -o "$T/stripped" "$f" 2>/dev/null || cp "$f" "$T/stripped"
            f2="$T/stripped"
        else
            f2=$f
        fi
        if grep -qaF -e "$TOP" -e "$bdir" "$f2"; then leaks="$leaks ${f#"$root"}"; fi
    done < <(find "$root" -type f -print0)
    if grep -qaF __ubsan_handle "$root$prefix/bin/check_headroom" 2>/dev/null; then
        # UBSan keeps each source file's path for its reports, by design.
        ok "$tag: no installed file names the build tree # SKIP sanitizer build"
    else
        is "$tag: no installed file names the build tree ($TOP)" "$leaks" ""
    fi
    left=$(grep -rl '@[A-Z]*DIR@' "$root" 2>/dev/null | sed "s|^$root||" | tr '\n' ' ')
    is "$tag: no @...DIR@ placeholder left" "$left" ""
    for u in headroom-poll headroom-mail headroom-propose; do
        like "$tag: $u.service runs the installed headroom" \
            "$(grep '^ExecStart=' "$root$unitdir/$u.service")" "^ExecStart=$prefix/bin/headroom --syslog "
    done
    like "$tag: headroomd.service runs the installed headroomd with its config" \
        "$(grep '^ExecStart=' "$root$unitdir/headroomd.service")" \
        "^ExecStart=$prefix/sbin/headroomd .*-c $etc/headroom/headroomd.conf"

    # ---- the installed programs ----
    H="$root$prefix/bin/headroom"
    is "$tag: headroom --version" "$("$H" --version)" "headroom 0.1.0"
    help=$("$H" --help); rc=$?
    is "$tag: headroom --help exits 0" "$rc" 0
    like "$tag: headroom --help names the installed config path" "$help" \
        "$etc/headroom/headroom.conf"
    out=$(HEADROOM_CONFIG= "$H" -c "$root$etc/headroom/headroom.conf" config check 2>&1)
    is "$tag: the installed config (the example) checks clean" "$out" \
        "$root$etc/headroom/headroom.conf: OK"
    rules=$(env -u HEADROOM_RULES "$H" -c "$root$etc/headroom/headroom.conf" config show |
            awk '$1 == "rules" { print $3 }')
    is "$tag: built-in rules path is the installed one" "$rules" "$prefix/share/headroom/default.rules"
    out=$("$H" rules check "$root$rules" 2>&1)
    is "$tag: the installed default rules check" "$?" 0
    "$root$prefix/sbin/headroomd" --help > "$T/hd-help" 2>&1
    is "$tag: headroomd --help exits 0" "$?" 0
    "$root$prefix/bin/check_headroom" --help > "$T/ch-help" 2>&1
    like "$tag: check_headroom --help" "$(head -c 2000 "$T/ch-help")" "Usage"
    # As an installed system: net-snmp's own search path rebased into the
    # tree, the stock snmp.conf, no fetched base modules anywhere else.
    installed_snmp "$root"
    oid=$(isnmp snmptranslate -m HEADROOM-STORAGE-MIB -On HEADROOM-STORAGE-MIB::hdrmDevSerial \
          2> "$T/translate.err")
    like "$tag: net-snmp loads the installed MIB from its own search path" "$oid" \
        "^\.1\.3\.6\.1\.4\.1\.[0-9]+\."
    is "$tag: ... with no message" "$(cat "$T/translate.err")" ""
    oid=$(isnmp snmptranslate -m +HEADROOM-STORAGE-MIB -On HEADROOM-STORAGE-MIB::hdrmDevSerial \
          2> "$T/translate.err")
    like "$tag: -m +HEADROOM-STORAGE-MIB resolves too" "$oid" "^\.1\.3\.6\.1\.4\.1\.[0-9]+\."
    is "$tag: ... and no message names our module or the base modules" \
        "$(grep -v -e "^MIB search path: " -e "^Cannot find module (\($NETSNMP_DEFAULT_MIBS\)): At line 1 in (none)\$" \
           "$T/translate.err")" ""
    mans=""
    for f in $(cd "$root$prefix/share/man" && ls man?/*); do
        w=$(groff -man -ww -z "$root$prefix/share/man/$f" 2>&1) || mans="$mans $f"
        [ -z "$w" ] || mans="$mans $f"
    done
    is "$tag: every installed man page is clean troff" "$mans" ""

    # ---- units ----
    if command -v systemd-analyze > /dev/null; then
        # A copy of the tree plus the system's own units (the targets ours
        # refer to), so that verify checks our ExecStart paths in the tree.
        vroot="$T/vroot-$tag"
        cp -a "$root" "$vroot" && mkdir -p "$vroot/lib/systemd/system"
        cp -an /lib/systemd/system/. "$vroot/lib/systemd/system/" 2>/dev/null
        units=$(ls "$vroot$unitdir"/headroom*.service "$vroot$unitdir"/headroom*.timer)
        out=$(MANPATH="$root$prefix/share/man" SYSTEMD_LOG_COLOR=0 \
              systemd-analyze verify --root="$vroot" $units 2>&1)
        rc=$?
        is "$tag: systemd-analyze verify: exit 0" "$rc" 0
        is "$tag: systemd-analyze verify: no warnings" "$out" ""
    else
        skip "$tag: systemd-analyze verify" "systemd-analyze is not installed"
    fi

    # ---- reinstall keeps a site's config ----
    echo "poll-interval 600" >> "$root$etc/headroom/headroom.conf"
    make -s -C "$TOP" B="$bdir" PREFIX="$prefix" DESTDIR="$root" "${SAN_ARGS[@]}" install > "$T/make2-$tag.log" 2>&1
    is "$tag: a second install succeeds" "$?" 0
    is "$tag: ... and keeps the edited headroom.conf" \
        "$(tail -n 1 "$root$etc/headroom/headroom.conf")" "poll-interval 600"
}

install_one /usr usr
install_one /usr/local local

# snmpwalk and snmptable as the README shows them, against snmpd and the
# installed headroomd, with only what the install put on the system.
root="$T/root-usr"
if [ -x "$root/usr/sbin/headroomd" ]; then
    installed_snmp "$root"
    "$TOP/tests/subagent/mkfixture.sh" "$T/fx"
    start_snmpd || not_ok "snmpd starts"
    spawn "$root/usr/sbin/headroomd" -f -C -c /dev/null -x "$AGENTX" --root "$T/fx" \
        --state-dir "$T/hd-state" -Lf "$T/headroomd.log"
    served() { snmpget -v2c -c public -t 0.5 -r 0 "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" \
               HEADROOM-STORAGE-MIB::hdrmDeviceCount.0 | grep -q 'Gauge32: [1-9]'; }
    check "the installed headroomd serves" wait_for 20 served || sed 's/^/# /' "$T/headroomd.log"
    for m in HEADROOM-STORAGE-MIB +HEADROOM-STORAGE-MIB; do
        out=$(isnmp snmpwalk -v2c -c public -m "$m" "127.0.0.1:$SNMPD_PORT" hdrmDeviceTable \
              2> "$T/walk.err")
        is "snmpwalk -m $m: exit 0" "$?" 0
        like "snmpwalk -m $m: names and values from the installed MIB" "$out" \
            'HEADROOM-STORAGE-MIB::hdrmDevSerial\.[0-9]+ = STRING: "?S3Z9NB0K123456'
        out=$(isnmp snmptable -v2c -c public -m "$m" -Cf '|' "127.0.0.1:$SNMPD_PORT" \
              hdrmDeviceTable 2>> "$T/walk.err")
        is "snmptable -m $m: exit 0" "$?" 0
        like "snmptable -m $m: the column headings" "$out" 'hdrmDevSerial\|hdrmDevVendor\|'
        if [ "$m" = HEADROOM-STORAGE-MIB ]; then
            is "snmpwalk, snmptable -m $m: no message" "$(cat "$T/walk.err")" ""
        else
            is "snmpwalk, snmptable -m $m: no message but net-snmp's default modules Debian lacks" \
                "$(grep -v -e "^MIB search path: " -e "^Cannot find module (\($NETSNMP_DEFAULT_MIBS\)): At line 1 in (none)\$" \
                   "$T/walk.err")" ""
        fi
    done
fi
done_testing
