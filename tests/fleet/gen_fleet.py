#!/usr/bin/python3
"""gen_fleet.py: write a simulated fleet of HEADROOM-STORAGE-MIB agents for
snmpsim (snmpsimd 0.4.x) and for bench/fastsim.

Every OID comes from the OID header generated from the MIB
(build/gen/hdrm_oids.h, made by tools/gen-oids.sh with net-snmp's parser),
so the fleet follows the MIB and the ENTERPRISE number of the build.

Usage:
  gen_fleet.py --out DIR [--oids build/gen/hdrm_oids.h] [--agents 120]
               [--customers 6] [--dead 4] [--nomib 3] [--port 16100]
               [--seed 42] [--rows-min 1] [--rows-max 8] [--no-special]
               [--prefix ag] [--clean]

  --out DIR        output directory; DIR/data is recreated
  --oids FILE      the generated OID header (default $B/gen/hdrm_oids.h,
                   B defaulting to build)
  --agents N       agents in fleet.csv, dead ones included (default 120)
  --customers N    customers the agents are spread over (default 6)
  --dead N         agents listed in fleet.csv without a data file: snmpsim
                   drops requests for an unknown community, so they never
                   answer (default 4); spread at random over the fleet
  --nomib N        agents that answer but serve only the system group
                   (default 3)
  --port P         the UDP port written to fleet.csv (default 16100)
  --seed S         same seed, same fleet (default 42)
  --rows-min/--rows-max  devices per agent (default 1..8)
  --no-special     no hostile or broken agents (the benchmark fleet)
  --prefix P       community / data file names are P1, P2, ... (default ag)

Outputs:
  DIR/data/<community>.snmprec  one per live agent; snmpsim serves it under
                   SNMPv1/v2c community <community> and SNMPv3 context
                   <community>.  Lines are OID|TAG|VALUE sorted by OID; tags:
                   2 INTEGER, 4 OCTET STRING, 4x hex OCTET STRING, 6 OID,
                   65 Counter32, 66 Gauge32/Unsigned32, 67 TimeTicks,
                   70 Counter64.
  DIR/fleet.csv    customer_id,customer_name,address,port,community
  DIR/expect.tsv   one line per table row the poller must report:
                   community, then the fields of hr-polltest's R line from
                   the index on, without the flags (see hr-polltest --help);
                   "*" where the exact text is not predictable (sanitized).
  DIR/special.tsv  community <TAB> kind <TAB> index <TAB> note, for the
                   agents and rows built to be hostile or broken:
                   dead, nomib, crlf, nul, latin1, long, wrongtype,
                   nocapacity, noserial, usedunknown, c64big, dupserial.

The special agents are fixed members ag1..ag12 (before the random ones):
  ag1  row 1 serial "X\\r\\nBcc: a@b" (CR/LF), row 2 serial with a NUL
  ag2  row 1 serial in 8-bit latin-1, row 2 a 65000-byte serial (the
       largest that fits one SNMP message over UDP: 64 KiB cannot)
  ag3  row 1 capacity as OCTET STRING and writes as INTEGER
  ag4  row 1 without any capacity column, row 2 without the serial
  ag5  row 1 with used unknown (no hdrmDevUsed/UsedMiB, percent -1)
  ag6  Counter64 values above 2^63 (capacity, writes)
  ag7, ag8 one device each sharing serial "DUP-SERIAL-0001" under
       different customers (the collector's conflict test)
"""
import argparse
import os
import random
import re
import shutil
import sys


def read_oids(path):
    oids = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"#define HDRM_OID_(\w+) ([0-9,]+)\s*$", line)
            if m:
                oids[m.group(1)] = m.group(2).replace(",", ".")
    need = ["hdrmAgentVersion", "hdrmDeviceCount", "hdrmDeviceEntry", "hdrmDevSerial",
            "hdrmDevLastUpdate", "hdrmStorageMIB"]
    for n in need:
        if n not in oids:
            sys.exit("gen_fleet: %s: no %s (is it the header tools/gen-oids.sh writes?)" % (path, n))
    return oids


def oid_key(rec):
    return tuple(int(x) for x in rec.split("|", 1)[0].split("."))


def date_hex(ts):
    """DateAndTime (8 bytes, UTC) of Unix time TS as snmprec hex."""
    import datetime
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    b = bytes([d.year >> 8, d.year & 255, d.month, d.day, d.hour, d.minute, d.second, 0])
    return b.hex()


VENDORS = ["Acme Storage", "Nimbus Arrays", "Kestrel Systems", "Orca Data"]
MODELS = [("AS-2000", "AS2K", "AS2K-24"), ("AS-4000", "AS4K", "AS4K-48"),
          ("NB-100", "NB100", "NB100-X"), ("KS-9", "KS9", "KS9-LTO"),
          ("OD-ONE", "OD1", "OD1-8T")]
FIRMWARE = ["1.0.3", "1.2.0", "2.0.1", "2.1.7", "3.0.0"]

# Column name -> (sub-id, kind) is derived from the header; kinds by name:
STR_COLS = ["hdrmDevName", "hdrmDevSerial", "hdrmDevVendor", "hdrmDevModelName",
            "hdrmDevModelNumber", "hdrmDevProductNumber", "hdrmDevFirmware",
            "hdrmDevConfig", "hdrmDevPrice", "hdrmDevCustomerId", "hdrmDevRegNumber"]


class Row:
    def __init__(self, idx, rng, customer, now):
        self.idx = idx
        model = rng.choice(MODELS)
        self.v = {
            "hdrmDevName": "dev%d" % idx,
            "hdrmDevSerial": "SN%08X" % rng.getrandbits(32),
            "hdrmDevVendor": rng.choice(VENDORS),
            "hdrmDevModelName": model[0],
            "hdrmDevModelNumber": model[1],
            "hdrmDevProductNumber": model[2],
            "hdrmDevFirmware": rng.choice(FIRMWARE),
            "hdrmDevConfig": "%d disks RAID%d" % (rng.choice([4, 8, 12, 24]), rng.choice([1, 5, 6])),
            "hdrmDevPrice": "%d.00 EUR" % rng.randrange(2000, 90000),
            "hdrmDevCustomerId": customer if rng.random() < 0.7 else "",
            "hdrmDevRegNumber": "",
        }
        cap = rng.choice([2, 4, 8, 16, 32, 64]) << 40
        used = int(cap * rng.uniform(0.05, 0.97))
        cache = rng.choice([4, 8, 16, 64]) << 30
        self.n = {
            "hdrmDevCapacity": (70, cap), "hdrmDevCapacityMiB": (66, min(cap >> 20, 2**32 - 1)),
            "hdrmDevCacheSize": (70, cache), "hdrmDevCacheSizeMiB": (66, cache >> 20),
            "hdrmDevUsed": (70, used), "hdrmDevUsedMiB": (66, min(used >> 20, 2**32 - 1)),
            "hdrmDevUsedPercent": (2, used * 100 // cap),
            "hdrmDevWrites": (70, rng.randrange(0, 1 << 48)),
            "hdrmDevPeakWrites": (66, rng.randrange(100, 200000)),
            "hdrmDevPeakWritesPrev": (66, rng.randrange(100, 200000)),
            "hdrmDevWindow": (66, 60),
            "hdrmDevWriteRateAvg": (66, rng.randrange(10, 5000)),
        }
        self.sale = (now - rng.randrange(30, 2000) * 86400) // 86400 * 86400
        self.last = now - rng.randrange(0, 300)
        self.hex = {}          # column -> hex string value (hostile bytes)
        self.drop = set()      # columns absent
        self.wrong = {}        # column -> (tag, value) of the wrong type

    def records(self, O):
        out = []
        col = lambda name: "%s.%d" % (O[name], self.idx)
        for name in STR_COLS:
            if name in self.drop:
                continue
            if name in self.hex:
                out.append("%s|4x|%s" % (col(name), self.hex[name]))
            else:
                out.append("%s|4|%s" % (col(name), self.v[name]))
        for name, (tag, val) in self.n.items():
            if name in self.drop:
                continue
            if name in self.wrong:
                tag, val = self.wrong[name]
            out.append("%s|%s|%s" % (col(name), tag, val))
        out.append("%s|4x|%s" % (col("hdrmDevSaleDate"), date_hex(self.sale)))
        out.append("%s|4x|%s" % (col("hdrmDevLastUpdate"), date_hex(self.last)))
        return out

    def expect(self, community):
        """The R fields hr-polltest prints, "*" where not exact."""
        def s(name):
            if name in self.drop:
                return ""
            if name in self.hex:
                return "*"
            return self.v[name]

        def num(name, default="0"):
            if name in self.drop or name in self.wrong:
                return None
            return str(self.n[name][1])
        cap = num("hdrmDevCapacity")
        if cap is None:
            mib = num("hdrmDevCapacityMiB")
            cap = str(int(mib) << 20) if mib is not None else "0"
        used = num("hdrmDevUsed")
        if used is None:
            mib = num("hdrmDevUsedMiB")
            used = str(int(mib) << 20) if mib is not None else "-"
        pct = num("hdrmDevUsedPercent")
        writes = num("hdrmDevWrites")
        f = [community, str(self.idx), s("hdrmDevSerial"), s("hdrmDevName"), s("hdrmDevVendor"),
             s("hdrmDevModelName"), s("hdrmDevModelNumber"), s("hdrmDevProductNumber"),
             s("hdrmDevFirmware"), s("hdrmDevConfig"), cap, num("hdrmDevCacheSize") or "0",
             used, pct if pct is not None else "-1", writes if writes is not None else "-",
             num("hdrmDevPeakWrites"), num("hdrmDevPeakWritesPrev"), num("hdrmDevWindow"),
             num("hdrmDevWriteRateAvg"), str(self.sale), s("hdrmDevPrice"),
             s("hdrmDevCustomerId"), s("hdrmDevRegNumber"), str(self.last)]
        return "\t".join(f)


def agent_records(O, ent, community, rows, rng, mib=True):
    recs = [
        "1.3.6.1.2.1.1.1.0|4|headroom simulated storage agent %s" % community,
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.%s.3.1" % ent,
        "1.3.6.1.2.1.1.3.0|67|%d" % rng.randrange(100, 400000000),
        "1.3.6.1.2.1.1.5.0|4|%s.example.net" % community,
    ]
    if mib:
        recs += [
            "%s.0|4|headroomd-sim 0.1" % O["hdrmAgentVersion"],
            "%s.0|66|60" % O["hdrmAgentWindow"],
            "%s.0|66|0" % O["hdrmAgentResetTime"],
            "%s.0|67|%d" % (O["hdrmDeviceTableLastChange"], rng.randrange(0, 100000)),
            "%s.0|66|%d" % (O["hdrmDeviceCount"], len(rows)),
        ]
        for r in rows:
            recs += r.records(O)
    # Something after our subtree, as on a real agent (snmpSetSerialNo), so a
    # walk past the table ends on a foreign OID rather than endOfMibView.
    recs.append("1.3.6.1.6.3.1.1.6.1.0|2|%d" % rng.randrange(1, 2**31 - 1))
    recs.sort(key=oid_key)
    return recs


def make_special(i, rows, rng, special, community):
    """Damage agent number I (1-based) as documented in the header."""
    def note(kind, idx, text):
        special.append((community, kind, str(idx), text))
    while len(rows) < 2:
        rows.append(Row(len(rows) + 1, rng, "", 1795300000))
    r1, r2 = rows[0], rows[1]
    if i == 1:
        r1.hex["hdrmDevSerial"] = b"X\r\nBcc: a@b".hex()
        note("crlf", 1, "serial with CR/LF")
        r2.hex["hdrmDevSerial"] = b"AB\x00CD".hex()
        note("nul", 2, "serial with NUL")
    elif i == 2:
        r1.hex["hdrmDevSerial"] = "Sch\xf6ne-\xe9t\xe9".encode("latin-1").hex()
        note("latin1", 1, "serial in latin-1")
        # Not one character repeated: that is a fill, no serial.
        r2.hex["hdrmDevSerial"] = ((b"L0123456789ABCDEF" * 4063)[:65000]).hex()
        note("long", 2, "65000-byte serial")
    elif i == 3:
        r1.wrong["hdrmDevCapacity"] = (4, "not a number")
        r1.wrong["hdrmDevWrites"] = (2, 12345)
        note("wrongtype", 1, "capacity OCTET STRING, writes INTEGER")
    elif i == 4:
        r1.drop |= {"hdrmDevCapacity", "hdrmDevCapacityMiB"}
        note("nocapacity", 1, "no capacity column")
        r2.drop.add("hdrmDevSerial")
        note("noserial", 2, "no serial column")
    elif i == 5:
        r1.drop |= {"hdrmDevUsed", "hdrmDevUsedMiB"}
        r1.n["hdrmDevUsedPercent"] = (2, -1)
        note("usedunknown", 1, "no used columns")
    elif i == 6:
        r1.n["hdrmDevCapacity"] = (70, 2**64 - 12345)
        r1.n["hdrmDevWrites"] = (70, 2**63 + 987654321)
        note("c64big", 1, "Counter64 above 2^63")
    elif i in (7, 8):
        del rows[1:]
        r1.v["hdrmDevSerial"] = "DUP-SERIAL-0001"
        note("dupserial", 1, "serial shared with another customer's agent")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--oids", default=os.path.join(os.environ.get("B", "build"), "gen", "hdrm_oids.h"))
    ap.add_argument("--agents", type=int, default=120)
    ap.add_argument("--customers", type=int, default=6)
    ap.add_argument("--dead", type=int, default=4)
    ap.add_argument("--nomib", type=int, default=3)
    ap.add_argument("--port", type=int, default=16100)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rows-min", type=int, default=1)
    ap.add_argument("--rows-max", type=int, default=8)
    ap.add_argument("--no-special", action="store_true")
    ap.add_argument("--prefix", default="ag")
    a = ap.parse_args()

    O = {}
    for name, oid in read_oids(a.oids).items():
        O[name] = oid
    ent = O["hdrmStorageMIB"].split(".")[6]
    n_special = 0 if a.no_special else 8
    if a.agents < n_special + a.dead + a.nomib + 1 or a.customers < 1:
        sys.exit("gen_fleet: --agents too small for the special, dead and nomib agents")
    rng = random.Random(a.seed)
    data = os.path.join(a.out, "data")
    if os.path.isdir(data):
        shutil.rmtree(data)
    os.makedirs(data)
    customers = [("C%03d" % (k + 1), "Customer %d" % (k + 1)) for k in range(a.customers)]
    # The agents without the MIB are the last ones; the dead ones are spread
    # over the rest (not the special ones), like real outages.
    nomib = set(range(a.agents - a.nomib + 1, a.agents + 1))
    dead = set(random.Random(a.seed + 1).sample(range(n_special + 1, a.agents - a.nomib + 1), a.dead))
    special, expect = [], []
    now = 1795300000
    with open(os.path.join(a.out, "fleet.csv"), "w") as csv:
        csv.write("customer_id,customer_name,address,port,community\n")
        for i in range(1, a.agents + 1):
            community = "%s%d" % (a.prefix, i)
            # ag7 and ag8 must land on different customers.
            cust = customers[(i - 1) % len(customers)]
            csv.write("%s,%s,127.0.0.1,%d,%s\n" % (cust[0], cust[1], a.port, community))
            arng = random.Random("%d/%d" % (a.seed, i))
            nrows = arng.randint(a.rows_min, a.rows_max)
            rows = [Row(k, arng, cust[0], now) for k in range(1, nrows + 1)]
            if i in dead:
                special.append((community, "dead", "-", "no data file"))
                continue
            if i in nomib:
                special.append((community, "nomib", "-", "system group only"))
                recs = agent_records(O, ent, community, [], arng, mib=False)
            else:
                if i <= n_special:
                    rows = make_special(i, rows, arng, special, community)
                recs = agent_records(O, ent, community, rows, arng)
                expect += [r.expect(community) for r in rows]
            with open(os.path.join(data, community + ".snmprec"), "w") as f:
                f.write("\n".join(recs) + "\n")
    with open(os.path.join(a.out, "expect.tsv"), "w") as f:
        f.write("\n".join(expect) + "\n")
    with open(os.path.join(a.out, "special.tsv"), "w") as f:
        f.write("".join("\t".join(s) + "\n" for s in special))
    print("gen_fleet: %d agents (%d dead, %d without the MIB), %d customers, %d rows, in %s"
          % (a.agents, a.dead, a.nomib, a.customers, len(expect), a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
