#!/bin/bash
# check_nms.sh (make check-nms; NOT part of make check): headroom's NMS
# integrations against the real NMSs from Debian 12, all on loopback,
# against snmpd + headroomd on the fixture tree:
#   Zabbix 6.0   server + a private PostgreSQL + the frontend's API under
#                PHP's built-in server: imports contrib's 6.0 template,
#                discovers the disks, fires the used-capacity trigger
#                (intervals shortened), and reports an error from the
#                discovery when headroomd is stopped;
#   Nagios 4     runs check_headroom from contrib/README.md's command and
#                service definitions (v2c, SNMPv3, peak by serial);
#   Icinga 2     the same from the README's CheckCommand and apply rules;
#   snmp_exporter with contrib/prometheus/snmp.yml.
# Prints what each NMS received.  The packages: tools/deps.sh --nms.
# Zabbix needs a few minutes (its discovery and polling); NMS=zabbix,
# icinga, nagios or prometheus runs one of them.
. "$(dirname "$0")/../lib.sh"
only=${NMS:-}
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }
# setpriv: the daemons refuse root or drop to their user; run them as it.
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"; }
# The NMSs read no MIB (Debian's default): none of lib.sh's MIB settings.
NOMIB=(env -u MIBS -u MIBDIRS -u SNMPCONFPATH)
chmod 711 "$T"
# tap CMD...: run a checker that prints TAP lines; its "not ok" count (and a
# non-zero exit, a crash) fail this script too.
tap() {
    local out rc
    out=$("$@"); rc=$?
    printf '%s\n' "$out"
    _nok=$((_nok + $(grep -c '^not ok' <<<"$out")))
    [ "$rc" -eq 0 ] || not_ok "$* ran to its end (exit $rc)"
}

# ---- the agent ----
"$TOP/tests/subagent/mkfixture.sh" "$T/fx"
chmod -R a+rX "$T/fx"
cat > "$T/headroomd.conf" <<CONF
[device S3Z9NB0K123456]
sale-date  2024-03-01
cache-size 8GiB
CONF
start_snmpd || { not_ok "snmpd starts"; exit 1; }
spawn "$B/headroomd" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$T/fx" \
    --state-dir "$T/state" -Lf "$T/headroomd.log"
HD_PID=$LAST_PID
check "snmpd + headroomd serve on 127.0.0.1:$SNMPD_PORT" wait_for 15 hd_ready ||
    { sed 's/^/# /' "$T/headroomd.log"; exit 1; }

# ---- snmp_exporter ----
if want prometheus; then
    EPORT=$(free_port tcp)
    spawn prometheus-snmp-exporter --config.file="$TOP/contrib/prometheus/snmp.yml" \
        --no-snmp.wrap-large-counters --web.listen-address="127.0.0.1:$EPORT" 2> "$T/exporter.log"
    exp_up() { curl -sf "http://127.0.0.1:$EPORT/metrics" > /dev/null; }
    check "snmp_exporter: listens on 127.0.0.1:$EPORT" wait_for 15 exp_up
    curl -sf "http://127.0.0.1:$EPORT/snmp?target=127.0.0.1:$SNMPD_PORT&module=headroom" > "$T/scrape"
    is "snmp_exporter: the scrape succeeds" "$?" 0
    like "snmp_exporter: capacities are gauges" "$(grep '^# TYPE hdrmDevCapacity ' "$T/scrape")" ' gauge$'
    like "snmp_exporter: the 8 PiB disk reads 2^53 bytes" \
        "$(grep '^hdrmDevCapacity{.*hdrmDevName="sde"' "$T/scrape")" ' 9\.007199254740992e\+15$'
    diag "what snmp_exporter exported (device metrics, abridged):"
    grep -E '^hdrm(DevCapacity|DevUsed|DevUsedPercent|DevSaleDate|DevFirmware|DeviceCount)\b' "$T/scrape" |
        sed 's/^/#   /'
fi

# ---- Nagios 4 with contrib/README.md's definitions ----
if want nagios; then
    N="$T/nagios"
    mkdir -p "$N/spool/checkresults" "$N/plugins"
    cp "$B/check_headroom" "$N/plugins/"
    # The README's commands.cfg/services.cfg block, as an admin pastes it,
    # for this host: nas01/nas02 are 127.0.0.1 (v2c, v3), port 161 is
    # snmpd's, the v3 user and the serial are the fixture's.
    awk '/^### Nagios/ { on = 1 } on && /^```/ { n++; next } on && n == 1' "$TOP/contrib/README.md" \
        > "$N/readme.cfg"
    sed -n '/^# resource.cfg/,$p' "$N/readme.cfg" > /dev/null
    sed -e '/^# resource.cfg/,$d' \
        -e "s/!161!/!$SNMPD_PORT!/" -e 's/!monitor!/!hruser!/' \
        -e 's/WD-WCC4N7XK2P5T/S3Z9NB0K123456/g' "$N/readme.cfg" > "$N/commands.cfg"
    is "nagios: the README block has the commands and services" \
        "$(grep -c 'define \(command\|service\)' "$N/commands.cfg")" 6
    cat > "$N/resource.cfg" <<CFG
\$USER1\$=$N/plugins
\$USER3\$=hrauthpass
\$USER4\$=hrprivpass
CFG
    cat > "$N/base.cfg" <<CFG
define command {
    command_name notify-none
    command_line /bin/true
}
define contact {
    contact_name admin
    alias admin
    host_notifications_enabled 0
    service_notifications_enabled 0
    host_notification_period always
    service_notification_period always
    host_notification_options n
    service_notification_options n
    host_notification_commands notify-none
    service_notification_commands notify-none
}
define contactgroup {
    contactgroup_name admins
    alias admins
    members admin
}
define host {
    name generic-host
    check_command check_headroom!$SNMPD_PORT!public!101!101
    contact_groups admins
    notification_period always
    max_check_attempts 1
    check_interval 5
    retry_interval 1
    check_period always
    notifications_enabled 0
    register 0
}
define service {
    name generic-service
    contact_groups admins
    notification_period always
    max_check_attempts 1
    check_interval 5
    retry_interval 1
    check_period always
    notifications_enabled 0
    register 0
}
define timeperiod {
    timeperiod_name always
    alias always
    sunday 00:00-24:00
    monday 00:00-24:00
    tuesday 00:00-24:00
    wednesday 00:00-24:00
    thursday 00:00-24:00
    friday 00:00-24:00
    saturday 00:00-24:00
}
define host {
    use generic-host
    host_name nas01
    address 127.0.0.1
}
define host {
    use generic-host
    host_name nas02
    address 127.0.0.1
}
CFG
    cat > "$N/nagios.cfg" <<CFG
log_file=$N/nagios.log
cfg_file=$N/base.cfg
cfg_file=$N/commands.cfg
resource_file=$N/resource.cfg
status_file=$N/status.dat
status_update_interval=1
object_cache_file=$N/objects.cache
precached_object_file=$N/objects.precache
temp_file=$N/nagios.tmp
temp_path=$N
lock_file=$N/nagios.lock
check_result_path=$N/spool/checkresults
command_file=$N/nagios.cmd
state_retention_file=$N/retention.dat
retain_state_information=0
nagios_user=nagios
nagios_group=nagios
interval_length=1
check_result_reaper_frequency=1
max_check_result_reaper_time=2
enable_notifications=0
execute_service_checks=1
accept_passive_service_checks=0
enable_flap_detection=0
use_syslog=0
illegal_macro_output_chars=\`~\$&|'"<>
CFG
    chown -R nagios:nagios "$N"
    NAG=$(command -v nagios4 || command -v nagios)
    out=$(as nagios "$NAG" -v "$N/nagios.cfg" 2>&1)
    rc=$?
    is "nagios: the configuration verifies (nagios -v)" "$rc" 0
    [ "$rc" = 0 ] || sed 's/^/# /' <<<"$out" | tail -n 20
    like "nagios: ... with no warning" "$out" 'Total Warnings: 0'
    spawn as nagios "${NOMIB[@]}" "$NAG" "$N/nagios.cfg" > "$N/stdout.log" 2>&1
    # status.dat: every service checked once
    checked() { [ "$(awk '/^servicestatus/ { s = 1 } s && /has_been_checked=1/ { n++; s = 0 } END { print n + 0 }' \
                 "$N/status.dat" 2>/dev/null)" -ge 3 ]; }
    check "nagios: every service was checked" wait_for 60 checked
    diag "what Nagios received (service: state, output | perfdata):"
    [ -s "$N/status.dat" ] || { not_ok "nagios: status.dat written"; tail -n 5 "$N/stdout.log" | sed 's/^/# /'; }
    [ -s "$N/status.dat" ] && tap $PY - "$N/status.dat" <<'PY'
import sys
blocks, cur = [], None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.strip()
    if line.endswith("{"):
        cur = {"_type": line[:-1].strip()}
    elif line == "}":
        blocks.append(cur); cur = None
    elif cur is not None and "=" in line:
        k, _, v = line.partition("="); cur[k] = v
states = "OK WARNING CRITICAL UNKNOWN".split()
fails = 0
for b in blocks:
    if b["_type"] != "servicestatus":
        continue
    st = int(b["current_state"])
    print("#   %s / %s: %s, %s | %s" % (b["host_name"], b["service_description"], states[st],
                                       b["plugin_output"], b["performance_data"]))
    good = b["has_been_checked"] == "1" and st in (0, 1, 2) and b["plugin_output"].startswith("HEADROOM ")
    print("%s - nagios: %s ran check_headroom (state %s, not UNKNOWN)" % (
        "ok" if good else "not ok", b["service_description"], states[st]))
    perf = b["performance_data"]
    print("%s - nagios: %s has perfdata" % ("ok" if "=" in perf else "not ok", b["service_description"]))
PY
fi

# ---- Icinga 2 with contrib/README.md's CheckCommand and apply rules ----
if want icinga && command -v icinga2 > /dev/null; then
    I="$T/icinga"
    mkdir -p "$I"/{data,log,cache,spool,run,plugins,perf}
    cp "$B/check_headroom" "$I/plugins/"
    # The README block as pasted, with the check interval shortened and the
    # passphrases of the test user (the README has placeholders).
    awk '/^### Icinga 2/ { on = 1 } on && /^```/ { n++; next } on && n == 1' "$TOP/contrib/README.md" |
        sed -e 's/^\(    check_command = "headroom"\)$/\1\n    check_interval = 2s\n    retry_interval = 2s/' \
            -e 's/"the SNMPv3 authentication passphrase"/"hrauthpass"/' \
            -e 's/"the SNMPv3 privacy passphrase"/"hrprivpass"/' > "$I/readme.conf"
    like "icinga: the README block has the CheckCommand and both apply rules" \
        "$(grep -c '^object CheckCommand "headroom"\|^apply Service' "$I/readme.conf")" '^3$'
    cat > "$I/icinga2.conf" <<CFG
const PluginDir = "$I/plugins"
include <itl>
include <plugins>
object IcingaApplication "app" { }
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
    service_perfdata_path = "$I/perf/service.perf"
    service_temp_path = "$I/perf/service.tmp"
    host_perfdata_path = "$I/perf/host.perf"
    host_temp_path = "$I/perf/host.tmp"
    // the output last: its long part (one line per device) follows on lines of its own
    service_format_template = "\$service.name\$\t\$host.name\$\t\$service.state\$\t\$service.perfdata\$\t\$service.output\$"
    rotation_interval = 1s
}
object Host "nas01" {
    address = "127.0.0.1"
    check_command = "dummy"
    vars.headroom = true
    vars.headroom_port = "$SNMPD_PORT"
}
object Host "nas02" {
    address = "127.0.0.1"
    check_command = "dummy"
    vars.headroom = true
    vars.headroom_port = "$SNMPD_PORT"
    vars.headroom_v3_user = "hruser"
}
include "readme.conf"
CFG
    chown -R nagios:nagios "$I"
    IDEF=(-DConfiguration.DataDir="$I/data" -DConfiguration.LogDir="$I/log"
          -DConfiguration.CacheDir="$I/cache" -DConfiguration.SpoolDir="$I/spool"
          -DConfiguration.InitRunDir="$I/run" -DConfiguration.RunAsUser=nagios
          -DConfiguration.RunAsGroup=nagios)
    out=$(as nagios icinga2 daemon -C -c "$I/icinga2.conf" "${IDEF[@]}" 2>&1)
    is "icinga: the configuration validates (icinga2 daemon -C)" "$?" 0
    like "icinga: ... with a service per host from the apply rules" "$out" 'Instantiated 2 Services'
    grep -E 'warning/|critical/' <<<"$out" | sed 's/^/# /'
    spawn as nagios "${NOMIB[@]}" icinga2 daemon -c "$I/icinga2.conf" "${IDEF[@]}" > "$I/daemon.log" 2>&1
    both() { [ "$(cat "$I"/perf/service.perf* 2>/dev/null | grep -c '^headroom-used')" -ge 2 ]; }
    check "icinga: both services were checked" wait_for 60 both || tail -n 10 "$I/daemon.log" | sed 's/^/# /'
    diag "what Icinga 2 received (service host: state, output | perfdata):"
    cat "$I"/perf/service.perf* 2>/dev/null | grep '^headroom-used' | sort -u -t "$(printf '\t')" -k1,2 \
        > "$I/results"
    while IFS=$'\t' read -r svc host st perf outp; do
        diag "  $svc $host: $st, $outp | $perf"
        like "icinga: $svc on $host ran check_headroom (not UNKNOWN)" "$st $outp" '^(OK|WARNING|CRITICAL) HEADROOM '
        like "icinga: $svc on $host has perfdata" "$perf" "_used_pct'?="
    done < "$I/results"
fi

# ---- Zabbix 6.0 ----
if want zabbix; then
    Z="$T/zabbix"
    mkdir -p "$Z/pg" "$Z/server"
    chown postgres:postgres "$Z/pg"; chown zabbix:zabbix "$Z/server"
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PGPORT=$(free_port tcp)
    as postgres "$PGBIN/initdb" -D "$Z/pg/data" -U zabbix --auth=trust -E UTF8 --locale=C.UTF-8 \
        > "$Z/initdb.log" 2>&1
    is "zabbix: PostgreSQL initdb" "$?" 0
    spawn as postgres "$PGBIN/postgres" -D "$Z/pg/data" -c listen_addresses=127.0.0.1 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -p "$PGPORT" -k "$Z/pg" 2> "$Z/postgres.log"
    pg_up() { psql -h 127.0.0.1 -p "$PGPORT" -U zabbix -d postgres -Atc 'select 1' > /dev/null 2>&1; }
    check "zabbix: PostgreSQL on 127.0.0.1:$PGPORT" wait_for 30 pg_up
    psql -h 127.0.0.1 -p "$PGPORT" -U zabbix -d postgres -qc 'CREATE DATABASE zabbix' > /dev/null
    for f in schema images data; do
        zcat "/usr/share/zabbix-server-pgsql/$f.sql.gz" |
            psql -h 127.0.0.1 -p "$PGPORT" -U zabbix -d zabbix -q -v ON_ERROR_STOP=1 > /dev/null 2>> "$Z/sql.log" ||
            not_ok "zabbix: load $f.sql"
    done
    # zabbix_server takes ports 1024-32767 only; free_port gives ephemeral ones.
    ZPORT=$($PY -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 32767)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()')
    cat > "$Z/server/zabbix_server.conf" <<CFG
LogFile=$Z/server/zabbix_server.log
PidFile=$Z/server/zabbix_server.pid
SocketDir=$Z/server
DBHost=127.0.0.1
DBPort=$PGPORT
DBName=zabbix
DBUser=zabbix
ListenIP=127.0.0.1
ListenPort=$ZPORT
StartPollers=3
StartPollersUnreachable=1
StartTrappers=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartLLDProcessors=1
CacheUpdateFrequency=1
HousekeepingFrequency=0
Timeout=4
LogSlowQueries=0
CFG
    chown zabbix:zabbix "$Z/server/zabbix_server.conf"
    spawn as zabbix "${NOMIB[@]}" /usr/sbin/zabbix_server -f -c "$Z/server/zabbix_server.conf" \
        > "$Z/server.out" 2>&1
    ZS_PID=$LAST_PID
    zs_up() { grep -q 'server #0 started' "$Z/server/zabbix_server.log" 2>/dev/null ||
              ! kill -0 "$ZS_PID" 2>/dev/null; }
    wait_for 60 zs_up
    if ! check "zabbix: server started" grep -q 'server #0 started' "$Z/server/zabbix_server.log"; then
        tail -n 20 "$Z/server/zabbix_server.log" "$Z/server.out" 2>&1 | sed 's/^/# /'
        exit 1
    fi
    # The frontend, a private copy so its config file is ours, under PHP's
    # built-in server.
    cp -a /usr/share/zabbix "$Z/web"
    sed -i "s|const CONFIG_FILE_PATH = .*|const CONFIG_FILE_PATH = '$Z/web/conf/zabbix.conf.php';|" \
        "$Z/web/include/classes/core/CConfigFile.php"
    cat > "$Z/web/conf/zabbix.conf.php" <<PHP
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '127.0.0.1';
\$DB['PORT'] = '$PGPORT';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$ZPORT';
\$ZBX_SERVER_NAME = 'headroom check-nms';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
PHP
    WPORT=$(free_port tcp)
    spawn php -S "127.0.0.1:$WPORT" -t "$Z/web" > "$Z/php.log" 2>&1
    web_up() { curl -sf -H 'Content-Type: application/json-rpc' \
        -d '{"jsonrpc":"2.0","method":"apiinfo.version","params":{},"id":1}' \
        "http://127.0.0.1:$WPORT/api_jsonrpc.php" | grep -q result; }
    check "zabbix: frontend API on 127.0.0.1:$WPORT" wait_for 30 web_up
    tap $PY "$TOP/tests/nms/zabbix_nms.py" "http://127.0.0.1:$WPORT" setup \
        "$TOP/contrib/zabbix/template_storage_headroom_snmp_6.0.yaml" "$SNMPD_PORT"
    stop "$HD_PID"
    diag "headroomd stopped"
    tap $PY "$TOP/tests/nms/zabbix_nms.py" "http://127.0.0.1:$WPORT" gone
    grep -iE 'error|cannot|fail' "$Z/server/zabbix_server.log" | grep -v 'preprocessing' | head -n 5 |
        sed 's/^/# zabbix_server.log: /'
fi
done_testing
