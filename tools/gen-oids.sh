#!/bin/sh
# gen-oids.sh BASEMIBDIR MIBDIR OUT.h
# Generates the C OID definitions of every hdrm* node from the MIB itself,
# with net-snmp's own MIB parser, so the code cannot drift from the MIB.
set -eu
base=$1 mibdir=$2 out=$3
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
list=$(snmptranslate -M "$base:$mibdir" -m HEADROOM-STORAGE-MIB -Tz 2>/dev/null | tr -d '"' | awk '$1 ~ /^hdrm/ {print $1, $2}')
[ -n "$list" ] || { echo "gen-oids: snmptranslate found no hdrm nodes in $mibdir (base modules in $base?)" >&2; exit 1; }
{
    echo "/* Generated from HEADROOM-STORAGE-MIB by tools/gen-oids.sh.  Do not edit. */"
    echo "#ifndef HDRM_OIDS_H"
    echo "#define HDRM_OIDS_H"
    echo "$list" | awk '
    $1 == "hdrmStorageMIB" { split($2, p, "."); printf "#define HDRM_ENTERPRISE %s\n", p[7] }
    {
        name = $1; oid = $2; n = split(oid, p, ".");
        s = p[1]; for (i = 2; i <= n; i++) s = s "," p[i];
        printf "#define HDRM_OID_%s %s\n", name, s;
        printf "#define HDRM_OIDLEN_%s %d\n", name, n;
        printf "#define HDRM_SUBID_%s %s\n", name, p[n];
    }'
    echo "#endif"
} > "$tmp"
mv "$tmp" "$out"
trap - EXIT
