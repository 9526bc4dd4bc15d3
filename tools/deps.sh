#!/bin/sh
# deps.sh: install what headroom needs to build, test and demo on Debian 12,
# when it is missing.  Safe to run again; does nothing when all is there.
#
#  1. Debian packages (apt-get; through sudo when not root).
#  2. The IETF base MIB modules SNMPv2-SMI, -TC, -CONF (and SNMPv2-MIB), which
#     Debian does not ship (they are non-free there), taken from the npm
#     package 'net-snmp' into .deps/mibs.  Nothing IETF is committed.
#  With --nms: instead, the NMSs `make check-nms` runs (Zabbix 6.0 server
#  with PostgreSQL and the PHP frontend, Nagios 4, Icinga 2, snmp_exporter); heavy, and
#  not needed by `make check`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --nms ]; then
    NMS_PKGS="zabbix-server-pgsql zabbix-frontend-php postgresql php-cli php-pgsql
              nagios4-core icinga2-bin prometheus-snmp-exporter curl"
    missing=""
    for p in $NMS_PKGS; do
        st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$st" = installed ] || missing="$missing $p"
    done
    [ -n "$missing" ] || exit 0
    echo "deps: installing the NMS packages:$missing"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing ||
    { $SUDO apt-get update && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; }
    # check-nms starts private instances on loopback; Debian starts the
    # packaged daemons where systemd runs: stop those it just installed.
    if [ -d /run/systemd/system ]; then
        for pu in zabbix-server-pgsql:zabbix-server postgresql:postgresql nagios4-core:nagios4 \
                  icinga2-bin:icinga2 prometheus-snmp-exporter:prometheus-snmp-exporter; do
            case " $missing " in *" ${pu%%:*} "*)
                $SUDO systemctl disable --now "${pu#*:}" >/dev/null 2>&1 || true ;;
            esac
        done
    fi
    exit 0
fi

PKGS="make gcc pkg-config python3 procps iproute2 ca-certificates
      libsnmp-dev libssl-dev snmp snmpd librrd-dev libpng-dev zlib1g-dev rrdtool rrdcached
      libsqlite3-dev sqlite3 libesmtp-dev smitools snmpsim python3-aiosmtpd
      python3-yaml snmptrapd prometheus-snmp-exporter curl zabbix-server-pgsql systemd
      chromium"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || missing="$missing $p"
done
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    echo "deps: installing Debian packages:$missing"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    # Daemons from these packages (snmpd, rrdcached, prometheus-snmp-exporter)
    # are not needed running: the tests and the demo start private instances
    # on loopback.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing ||
    { $SUDO apt-get update && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; }
    # Debian starts the daemons it just installed (the exporter on :9116,
    # every interface); the tests run their own on loopback.
    # zabbix-server-pgsql is here for zabbix_js, Zabbix's JavaScript engine,
    # which tests/check/test_zabbix.sh runs the templates' steps in.
    if [ -d /run/systemd/system ]; then
        for pu in prometheus-snmp-exporter:prometheus-snmp-exporter \
                  zabbix-server-pgsql:zabbix-server; do
            case " $missing " in *" ${pu%%:*} "*)
                $SUDO systemctl disable --now "${pu#*:}" >/dev/null 2>&1 || true ;;
            esac
        done
    fi
fi

mibs="$top/.deps/mibs"
need=""
for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB; do
    [ -s "$mibs/$m.mib" ] || need=1
done
if [ -n "$need" ]; then
    echo "deps: fetching the SNMPv2 base MIB modules from the npm package net-snmp"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent net-snmp@3 >/dev/null)
    tar -xzf "$tmp"/net-snmp-*.tgz -C "$tmp"
    mkdir -p "$mibs"
    for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB; do
        f="$tmp/package/lib/mibs/$m.mib"
        [ -s "$f" ] || { echo "deps: $m missing from the net-snmp npm package" >&2; exit 1; }
        cp "$f" "$mibs/$m.mib"
    done
fi
exit 0
