#!/bin/sh
# generate.sh [BUILD_DIR [OUT]]: regenerate snmp.yml (the snmp_exporter
# module "headroom") from generator.yml and the build's MIB, with Debian's
# prometheus-snmp-generator (package prometheus-snmp-exporter).  Run it
# after `make ENTERPRISE=NNNN mib` so the module has your OIDs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
b=${1:-$top/build}
out=${2:-$here/snmp.yml}
case $out in /*) ;; *) out="$PWD/$out" ;; esac
gen=$(command -v prometheus-snmp-generator || command -v generator || true)
[ -n "$gen" ] || { echo "generate.sh: prometheus-snmp-generator not found (apt-get install prometheus-snmp-exporter)" >&2; exit 1; }
cd "$here"
MIBDIRS="$top/.deps/mibs:$b/mib" "$gen" --log.level=warn generate --fail-on-parse-errors -o "$out"
