#!/bin/bash
# contrib/prometheus against Debian's prometheus-snmp-exporter (issue 12):
# the shipped module is what the generator makes from generator.yml and the
# MIB; the exporter, run as contrib/README.md says
# (--no-snmp.wrap-large-counters), scrapes snmpd + headroomd on loopback and
# every gauge/counter it exports equals the agent's value (an 8 PiB disk
# included: 2^53, which the exporter's default wrapping reads as 0), with
# the type the module gives it (the 64-bit byte columns gauges) and the
# device's name and serial as labels; the sale date is a timestamp, absent
# where not configured, and the exporter logs no error.
. "$(dirname "$0")/../lib.sh"
EXP=$(command -v prometheus-snmp-exporter)
GEN=$(command -v prometheus-snmp-generator)
if [ -z "$EXP" ] || [ -z "$GEN" ]; then
    skip "snmp_exporter" "prometheus-snmp-exporter is not installed (make deps installs it)"
    exit 0
fi
MOD="$TOP/contrib/prometheus/snmp.yml"

# ---- the shipped module is the generator's output ----
"$TOP/contrib/prometheus/generate.sh" "$B" "$T/snmp.yml" > "$T/gen.log" 2>&1
is "the generator builds the module from generator.yml" "$?" 0
is "... with no message" "$(cat "$T/gen.log")" ""
if [ "${ENTERPRISE:-32473}" = 32473 ]; then
    is "contrib/prometheus/snmp.yml is up to date (contrib/prometheus/generate.sh)" \
        "$(diff "$MOD" "$T/snmp.yml" | head -n 20)" ""
else
    diag "ENTERPRISE=$ENTERPRISE: testing the regenerated module"
    MOD="$T/snmp.yml"
fi
"$EXP" --dry-run --config.file="$MOD" > "$T/dry.log" 2>&1
is "the exporter accepts the module" "$?" 0

# ---- snmpd + headroomd on the fixture ----
cat > "$T/headroomd.conf" <<CONF
[device S3Z9NB0K123456]
sale-date  2024-03-01
cache-size 8GiB
CONF
start_headroomd "$T/fx" "$T/headroomd.conf" || exit 1
ok "headroomd serves"

# ---- the exporter, as contrib/README.md runs it ----
EPORT=$(free_port tcp)
spawn "$EXP" --config.file="$MOD" --no-snmp.wrap-large-counters \
    --web.listen-address="127.0.0.1:$EPORT" --log.level=debug 2> "$T/exporter.log"
exp_up() { curl -sf "http://127.0.0.1:$EPORT/metrics" > /dev/null; }
check "snmp_exporter listens on 127.0.0.1:$EPORT" wait_for 15 exp_up
curl -sf "http://127.0.0.1:$EPORT/snmp?target=127.0.0.1:$SNMPD_PORT&module=headroom" \
    > "$T/scrape" 2> "$T/curl.err"
is "the scrape succeeds" "$?" 0
like "it has hdrm metrics" "$(grep -c '^hdrm' "$T/scrape")" '^[1-9][0-9]+$'

# The agent's values, numeric OIDs, to compare with.
# Strings in hex (-Ox), decoded as UTF-8 below.
snmp_v2 snmpbulkwalk -On -Oe -OU -Ot -Oq -Ox -m "" \
    "$(snmptranslate "${SNMPOPTS[@]}" -On HEADROOM-STORAGE-MIB::hdrmObjects)" > "$T/walk"
$PY - "$MOD" "$T/scrape" "$T/walk" "$T/fx" <<'PY'
import re, sys, yaml
mod = yaml.safe_load(open(sys.argv[1]))["headroom"]
walk = {}
oid = None
for line in open(sys.argv[3]):
    if line.startswith("."):
        oid, _, val = line.strip().partition(" ")
        oid = oid.lstrip(".")
        walk[oid] = val.strip()
    elif oid:                             # a long hex string goes on
        walk[oid] += " " + line.strip()
def text(v):
    v = v.strip().strip('"').strip()
    if not v:
        return ""
    return bytes(int(h, 16) for h in v.split()).decode("utf-8")
# Prometheus text format: name{labels} value
samples = {}
types = {}
for line in open(sys.argv[2]):
    if line.startswith("# TYPE "):
        _, _, n, t = line.split()
        types[n] = t
        continue
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line.strip())
    labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
    samples.setdefault(m.group(1), []).append((labels, float(m.group(3))))

fails = 0
def ok(cond, name, *diag):
    global fails
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        fails += 1
        for d in diag:
            print("# " + str(d))

name_of = {k.split(".")[-1]: text(v) for k, v in walk.items() if k.startswith(
    [m["oid"] for m in mod["metrics"] if m["name"] == "hdrmDevCapacity"][0].rsplit(".", 1)[0] + ".2.")}
serial_of = {k.split(".")[-1]: text(v) for k, v in walk.items() if k.startswith(
    [m["oid"] for m in mod["metrics"] if m["name"] == "hdrmDevCapacity"][0].rsplit(".", 1)[0] + ".3.")}
numeric = [m for m in mod["metrics"] if m["type"] in ("gauge", "counter")]
ok(len(numeric) >= 10, f"the module has {len(numeric)} gauge/counter metrics")
for m in numeric:
    want = {k[len(m["oid"]) + 1:]: v for k, v in walk.items() if k.startswith(m["oid"] + ".")}
    got = samples.get(m["name"], [])
    ok(types.get(m["name"]) == m["type"], f"{m['name']}: exported as {m['type']}",
       f"TYPE {types.get(m['name'])}")
    bad = []
    for labels, v in got:
        idx = ".".join(labels.get(i["labelname"], "?") for i in m.get("indexes", [])) or "0"
        if idx not in want or float(want[idx]) != v:
            bad.append(f"{labels} {v!r}, agent {want.get(idx)!r}")
        if "hdrmDevIndex" in labels:
            di = labels["hdrmDevIndex"]
            if labels.get("hdrmDevName") != name_of.get(di) or labels.get("hdrmDevSerial") != serial_of.get(di):
                bad.append(f"labels {labels}: agent name {name_of.get(di)!r} serial {serial_of.get(di)!r}")
    ok(not bad and len(got) == len(want),
       f"{m['name']}: {len(got)} samples, values and name/serial labels equal the agent's ({len(want)})",
       *bad[:5])

# The 8 PiB disk: 2^53 bytes, read 0 when wrapped.
big = [v for l, v in samples.get("hdrmDevCapacity", []) if l.get("hdrmDevName") == "sde"]
ok(big == [float(2**53)], "the 8 PiB disk's capacity is 2^53, not wrapped", big)
# Sale date: a timestamp where configured, absent elsewhere.
sd = samples.get("hdrmDevSaleDate", [])
ok([(l.get("hdrmDevName"), v) for l, v in sd] == [("sda", 1709251200.0)],
   "hdrmDevSaleDate: sda's 2024-03-01 as a Unix time, no other sample", sd)
# Strings become info-style samples with the value as a label.
fw = {l.get("hdrmDevName"): l.get("hdrmDevFirmware") for l, v in samples.get("hdrmDevFirmware", [])}
ok(fw.get("sda") == "RVT04B6Q", "hdrmDevFirmware: sda's firmware as a label", fw)
vol = [l for l, v in samples.get("hdrmVolUsed", [])]
ok(vol and all(l.get("hdrmVolMountPoint", "").startswith("/") and l.get("hdrmDevName") for l in vol),
   "volume metrics carry the mount point and the device name", vol[:3])
ok(not any(n in samples for n in ("hdrmDevIndex", "hdrmVolIndex", "hdrmDevCapacityMiB", "hdrmDevUsedMiB")),
   "no metric for the not-accessible indexes or the v1 MiB copies")
sys.exit(0)                      # failures were printed; 1 is a crash
PY
[ $? -eq 0 ] || not_ok "the comparison with the agent's walk ran to its end"
errs=$(grep -iE 'level=(error|warn)|invalid' "$T/exporter.log")
is "the exporter logged no error or warning" "$errs" ""
done_testing
