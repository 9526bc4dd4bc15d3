#!/usr/bin/python3
"""mib_syntax.py MIBDIRS MODULE ROOT WALKFILE: check every value of a walk
against the SYNTAX its object has in the MIB.

The syntaxes come from net-snmp's own MIB parser (`snmptranslate -Td`, with
textual conventions resolved to their base type and size/range), never from
this file: the test follows the MIB.  WALKFILE is the output of
`snmpbulkwalk -m "" -On -Ox -Oe -OU ...` (numeric OIDs, every string in hex)
under ROOT, the module's root object.

Exits 0 when it ran to its end (whatever it found); prints TAP lines: one per
column/scalar (its instances all valid; at least
one instance seen, or the check fails, so that a walk that returned nothing
cannot pass), plus "not ok" with the offending instance and why.
"""
import re
import subprocess
import sys

mibdirs, module, root, walkfile = sys.argv[1:5]
ENV_OPTS = ["-M", mibdirs, "-m", module]


def translate(*args):
    return subprocess.run(["snmptranslate", *ENV_OPTS, *args], check=True,
                          capture_output=True, text=True).stdout


# ---- the MIB: every accessible object under ROOT and its syntax ----
# -Tz lists every node of the loaded modules as "name" "oid".
root_oid = translate("-On", f"{module}::{root}").strip().lstrip(".")
objects = {}
for line in translate("-Tz").splitlines():
    m = re.match(r'"([^"]+)"\s+"([0-9.]+)"', line)
    if m and (m.group(2) + ".").startswith(root_oid + "."):
        objects[m.group(2)] = m.group(1)

Obj = dict
syntax = {}
for oid, name in objects.items():
    d = translate("-Td", f"{module}::{name}")
    acc = re.search(r"MAX-ACCESS\s+(\S+)", d)
    if not acc or acc.group(1) in ("not-accessible", "accessible-for-notify"):
        continue
    syn = re.search(r"^\s*SYNTAX\s+(.*?)\s*$", d, re.M).group(1)
    tc = re.search(r"TEXTUAL CONVENTION (\S+)", d)
    hint = re.search(r'DISPLAY-HINT\s+"([^"]*)"', d)
    base = re.match(r"(OCTET STRING|[A-Za-z0-9]+)\s*(?:\((.*)\))?", syn)
    bounds = []
    if base.group(2):
        for part in base.group(2).split("|"):
            lo, _, hi = part.strip().partition("..")
            bounds.append((int(lo), int(hi or lo)))
    syntax[oid] = Obj(name=name, base=base.group(1), bounds=bounds,
                      tc=tc.group(1) if tc else None, hint=hint.group(1) if hint else None,
                      seen=0, bad=[])

# The wire type net-snmp prints for each SMIv2 base syntax (RFC 2578 7.1).
WIRE = {"OCTET STRING": ("Hex-STRING", "STRING", '""'), "Integer32": ("INTEGER",),
        "INTEGER": ("INTEGER",), "Unsigned32": ("Gauge32",), "Gauge32": ("Gauge32",),
        "Counter32": ("Counter32",), "Counter64": ("Counter64",), "TimeTicks": ("Timeticks",),
        "OBJECT IDENTIFIER": ("OID",), "IpAddress": ("IpAddress",)}


def octets(text):
    """The bytes of a -Ox value ('"" ' for empty, else hex pairs)."""
    text = text.strip()
    if text in ('""', ""):
        return b""
    return bytes(int(h, 16) for h in text.split())


def date_ok(b):
    """RFC 2579 DateAndTime field ranges."""
    if len(b) not in (8, 11):
        return f"{len(b)} octets"
    if not (1 <= b[2] <= 12 and 1 <= b[3] <= 31 and b[4] <= 23 and b[5] <= 59
            and b[6] <= 60 and b[7] <= 9):
        return "a field out of range: " + b.hex()
    if len(b) == 11 and (chr(b[8]) not in "+-" or b[9] > 13 or b[10] > 59):
        return "a bad UTC offset: " + b.hex()
    return None


def check(obj, wtype, value):
    base = obj["base"]
    if wtype not in WIRE.get(base, (base,)):
        return f"type {wtype}, SYNTAX {base}"
    if base == "OCTET STRING":
        b = octets(value) if wtype != "STRING" else value.strip().strip('"').encode()
        if obj["bounds"] and not any(lo <= len(b) <= hi for lo, hi in obj["bounds"]):
            return f"{len(b)} octets, SIZE {obj['bounds']}"
        if obj["tc"] == "DateAndTime":
            return date_ok(b)
        if obj["hint"] and obj["hint"].endswith("t"):    # 't': UTF-8 (RFC 2579 3.1)
            try:
                b.decode("utf-8")
            except UnicodeDecodeError:
                return "not UTF-8, DISPLAY-HINT " + obj["hint"]
        return None
    try:
        tt = re.match(r"\((\d+)\)", value.strip())     # Timeticks: (N) d:hh:mm:ss
        n = int(tt.group(1) if tt else value.strip())
    except ValueError:
        return f"not a number: {value!r}"
    if obj["bounds"] and not any(lo <= n <= hi for lo, hi in obj["bounds"]):
        return f"{n} outside {obj['bounds']}"
    limits = {"Integer32": (-2**31, 2**31 - 1), "INTEGER": (-2**31, 2**31 - 1),
              "Unsigned32": (0, 2**32 - 1), "Gauge32": (0, 2**32 - 1),
              "Counter32": (0, 2**32 - 1), "Counter64": (0, 2**64 - 1), "TimeTicks": (0, 2**32 - 1)}
    lo, hi = limits.get(base, (None, None))
    if lo is not None and not lo <= n <= hi:
        return f"{n} outside {base}"
    return None


unknown = []
# One value may span several lines (long hex strings).
entries = []
for line in open(walkfile, encoding="utf-8", errors="replace"):
    m = re.match(r"^\.?([0-9.]+) = (?:([A-Za-z0-9-]+): )?(.*)$", line.rstrip("\n"))
    if m:
        entries.append([m.group(1), m.group(2) or "", m.group(3)])
    elif entries:
        entries[-1][2] += " " + line.strip()
for oid, wtype, value in entries:
    if not wtype and value.strip() == '""':
        wtype = '""'
    parts = oid.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in syntax:
            obj = syntax[".".join(parts[:i])]
            break
    else:
        unknown.append(oid)
        continue
    obj["seen"] += 1
    why = check(obj, wtype, value)
    if why:
        obj["bad"].append(f"{obj['name']}.{'.'.join(parts[i:])} = {wtype}: {value[:60]} ({why})")

fails = 0
for oid, obj in sorted(syntax.items(), key=lambda kv: [int(x) for x in kv[0].split(".")]):
    desc = f"{obj['name']}: {obj['seen']} instance(s) match SYNTAX {obj['base']}" + \
        (f" {obj['bounds']}" if obj["bounds"] else "") + (f" ({obj['tc']})" if obj["tc"] else "")
    if obj["bad"]:
        print(f"not ok - {desc}")
        for b in obj["bad"]:
            print(f"# {b}")
        fails += 1
    elif obj["seen"] == 0:
        print(f"not ok - {obj['name']}: no instance in the walk")
        fails += 1
    else:
        print(f"ok - {desc}")
if unknown:
    print(f"not ok - every walked OID is an object of {module}")
    for u in unknown[:10]:
        print(f"# {u}")
else:
    print(f"ok - every walked OID is an object of {module}")
sys.exit(0)      # the failures are "not ok" lines; a non-zero exit is a crash
