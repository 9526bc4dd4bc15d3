#!/bin/bash
# contrib/zabbix: the templates are what the generator makes from the MIB's
# OIDs, parse as YAML, and hold together (OIDs resolve with snmptranslate,
# triggers reference existing keys, macros defined, the snmpsim record
# serves every polled OID; the JavaScript steps decode UTF-8, label an empty
# serial and fail discovery without the subagent, run under node).  The
# checker itself is shown to fail on broken templates.
. "$(dirname "$0")/../lib.sh"
ENT=${ENTERPRISE:-32473}
GEN="$TOP/contrib/zabbix/gen-templates.py"
CHK="$TOP/tests/check/zabbix_check.py"
mkdir -p "$T/z" "$T/rec"
"$PY" "$TOP/contrib/snmpsim/gen-snmprec.py" "$B/gen/hdrm_oids.h" > "$T/rec/headroom-device.snmprec"

check "python3-yaml is installed (tools/deps.sh)" "$PY" -c 'import yaml'
check "generator runs" "$PY" "$GEN" "$B/gen/hdrm_oids.h" "$T/z"
for v in 6.0 6.4; do
    f=template_storage_headroom_snmp_$v.yaml
    want=$(sed "s/1\.3\.6\.1\.4\.1\.32473\./1.3.6.1.4.1.$ENT./g; s/(enterprises\.32473)/(enterprises.$ENT)/" "$TOP/contrib/zabbix/$f")
    is "shipped $f = generator output (enterprise $ENT)" "$(cat "$T/z/$f")" "$want"
    out=$("$PY" "$CHK" "$T/z/$f" "$MIBPATH" "$T/rec/headroom-device.snmprec"); rc=$?
    sed "s/^\(not \)\{0,1\}ok - /&$v: /" <<<"$out" | grep -E '^(not )?ok - |^#'
    # (each line above is a check; the exit code is one more)
    is "$v: checker passes" "$rc" 0
done

# The checker fails on broken templates.
f="$T/z/template_storage_headroom_snmp_6.0.yaml"
sed 's#/headroom.dev.used.pct\[#/headroom.dev.used.percent[#' "$f" > "$T/z/badkey.yaml"
check "checker catches a trigger on a missing key" \
    bash -c "! '$PY' '$CHK' '$T/z/badkey.yaml' '$MIBPATH' '$T/rec/headroom-device.snmprec' >/dev/null"
sed "s#snmp_oid: 1\.3\.6\.1\.4\.1\.$ENT\.1\.2\.1\.16\.#snmp_oid: 1.3.6.1.4.1.$ENT.1.2.1.99.#" "$f" > "$T/z/badoid.yaml"
check "checker catches an OID outside the MIB" \
    bash -c "! '$PY' '$CHK' '$T/z/badoid.yaml' '$MIBPATH' '$T/rec/headroom-device.snmprec' >/dev/null"
printf 'zabbix_export:\n  version: [6.0\n' > "$T/z/broken.yaml"
check "checker catches broken YAML" \
    bash -c "! '$PY' '$CHK' '$T/z/broken.yaml' '$MIBPATH' '$T/rec/headroom-device.snmprec' >/dev/null"
sed 's/{\$HEADROOM.USED.WARN}$/{$HEADROOM.USED.WARNING}/' "$f" > "$T/z/badmacro.yaml"
check "checker catches an undefined macro" \
    bash -c "! '$PY' '$CHK' '$T/z/badmacro.yaml' '$MIBPATH' '$T/rec/headroom-device.snmprec' >/dev/null"
grep -v "throw 'the agent does not serve" "$f" > "$T/z/nothrow.yaml"
check "checker catches a discovery that does not fail when the subagent is gone" \
    bash -c "! '$PY' '$CHK' '$T/z/nothrow.yaml' '$MIBPATH' '$T/rec/headroom-device.snmprec' >/dev/null"
sed 's/decodeURIComponent(enc)/enc/' "$f" > "$T/z/nodecode.yaml"
check "checker catches a template that shows UTF-8 as hex" \
    bash -c "! '$PY' '$CHK' '$T/z/nodecode.yaml' '$MIBPATH' '$T/rec/headroom-device.snmprec' >/dev/null"
done_testing
