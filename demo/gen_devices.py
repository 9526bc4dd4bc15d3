#!/usr/bin/python3
"""gen_devices.py: recordings of storage devices that do not run headroomd,
for `make demo` and the tests: a Synology NAS, a TrueNAS 11 box and a Linux
host, written from their makers' MIBs (SYNOLOGY-SYSTEM-MIB, -RAID-MIB,
-STORAGEIO-MIB; FREENAS-MIB; HOST-RESOURCES-MIB, UCD-DISKIO-MIB), the
objects headroom's device profiles read (profiles/*.profile).  They are our
own recordings, not copies of real walks.

  gen_devices.py --out DIR [--now UNIX] [--cycle N] [--spec FILE]

writes DIR/<community>.snmprec for each device of SPECS (or of the JSON
file --spec names).  --cycle N adds N poll intervals (300 s) of growth to
the used space and N x 300 x rate to the write counters, so that two
generations of one device give two polls a few minutes apart; a Counter32
wraps as it would on the device.
"""
import argparse
import json
import os
import time

TiB = 1 << 40
GiB = 1 << 30
W32 = 1 << 32

# community, kind, fields (serial may be None: no serial in that MIB)
SPECS = [
    {"community": "globex-nas", "kind": "synology", "serial": "2150RQN123456",
     "model": "DS1821+", "dsm": "DSM 7.1.1-42962 Update 6",
     "volumes": [("Volume 1", 43 * TiB, 40.1 * TiB)], "disks": ["sata1", "sata2", "sata3"],
     "growth": 55 * GiB, "write_rate": 900},
    {"community": "initech-truenas", "kind": "truenas", "release": "TrueNAS-11.3-U5",
     "pools": [("tank", 64 * TiB, 21 * TiB), ("freenas-boot", 32 * GiB, 3 * GiB)],
     "growth": 20 * GiB, "write_rate": 400},
    {"community": "acme-linux", "kind": "linux", "kernel": "5.10.0-28-amd64",
     "filesystems": [("/", 100 * GiB, 31 * GiB), ("/srv", 8 * TiB, 5.2 * TiB),
                     ("/srv/backup", 8 * TiB, 5.2 * TiB), ("/run", 3 * GiB, 1 * GiB)],
     "disks": ["sda", "sda1", "sdb", "loop0"], "growth": 10 * GiB, "write_rate": 150},
]


def oid_str(o):
    return ".".join(str(x) for x in o)


class Rec:
    """snmprec lines, sorted by OID as snmpsim wants them."""

    def __init__(self):
        self.lines = {}

    def add(self, oid, typ, val):
        self.lines[tuple(int(x) for x in oid.split("."))] = "%s|%s|%s" % (oid, typ, val)

    def text(self):
        return "".join(self.lines[k] + "\n" for k in sorted(self.lines))


def system(r, descr, objid, uptime):
    r.add("1.3.6.1.2.1.1.1.0", "4", descr)
    r.add("1.3.6.1.2.1.1.2.0", "6", objid)
    r.add("1.3.6.1.2.1.1.3.0", "67", uptime)
    r.add("1.3.6.1.2.1.1.5.0", "4", "demo")


def fit_unit(size):
    """The allocation unit an agent picks so that SIZE / unit fits an
    Integer32 (net-snmp and FreeNAS grow it for large filesystems)."""
    unit = 4096
    while int(size) // unit >= 1 << 31:
        unit *= 2
    return unit


def hr_storage(r, rows):
    """hrStorageTable: (descr, size bytes, used bytes, type arc)."""
    for i, (descr, size, used, typ) in enumerate(rows, 1):
        e = "1.3.6.1.2.1.25.2.3.1"
        unit = fit_unit(size)
        r.add("%s.1.%d" % (e, i), "2", i)
        r.add("%s.2.%d" % (e, i), "6", "1.3.6.1.2.1.25.2.1.%d" % typ)
        r.add("%s.3.%d" % (e, i), "4", descr)
        r.add("%s.4.%d" % (e, i), "2", unit)
        r.add("%s.5.%d" % (e, i), "2", int(size) // unit)
        r.add("%s.6.%d" % (e, i), "2", int(used) // unit)


def synology(s, cycle, now):
    r = Rec()
    system(r, "Linux %s 4.4.180+ #42962 SMP x86_64 GNU/Linux synology_v1000_1821+" % s["community"],
           "1.3.6.1.4.1.8072.3.2.10", 8640000 + cycle * 30000)
    r.add("1.3.6.1.4.1.6574.1.5.1.0", "4", s["model"])        # modelName
    r.add("1.3.6.1.4.1.6574.1.5.2.0", "4", s["serial"])       # serialNumber
    r.add("1.3.6.1.4.1.6574.1.5.3.0", "4", s["dsm"])          # version
    for i, (name, total, used) in enumerate(s["volumes"], 1):
        used = min(total, used + cycle * s["growth"] / 288)
        e = "1.3.6.1.4.1.6574.3.1.1"                          # raidEntry
        r.add("%s.1.%d" % (e, i - 1), "2", i - 1)
        r.add("%s.2.%d" % (e, i - 1), "4", name)
        r.add("%s.3.%d" % (e, i - 1), "2", 1)                 # raidStatus normal
        r.add("%s.4.%d" % (e, i - 1), "70", int(total - used))  # raidFreeSize
        r.add("%s.5.%d" % (e, i - 1), "70", int(total))        # raidTotalSize
    for i, d in enumerate(s["disks"], 1):
        e = "1.3.6.1.4.1.6574.101.1.1"                        # storageIOEntry
        r.add("%s.1.%d" % (e, i - 1), "2", i - 1)
        r.add("%s.2.%d" % (e, i - 1), "4", d)
        # storageIOWrites, a Counter32 that wraps on a busy disk
        r.add("%s.6.%d" % (e, i - 1), "65",
              (W32 - 400000 + i * 1000 + cycle * 300 * s["write_rate"]) % W32)
    hr_storage(r, [("/", 2.3 * GiB, 1.2 * GiB, 4),
                   ("/volume1", s["volumes"][0][1], s["volumes"][0][2], 4)])
    return r


def truenas(s, cycle, now):
    r = Rec()
    system(r, "%s (bd5d6e5e7f). Hardware: amd64 Intel(R) Xeon(R) Software: FreeBSD 11.3-STABLE"
           % s["release"], "1.3.6.1.4.1.8072.3.2.8", 4320000 + cycle * 30000)
    for i, (name, size, used) in enumerate(s["pools"], 1):
        unit = fit_unit(size)
        if name == "tank":
            used = min(size, used + cycle * s["growth"] / 288)
        e = "1.3.6.1.4.1.50536.1.1.1.1"                       # zpoolEntry
        r.add("%s.1.%d" % (e, i), "2", i)
        r.add("%s.2.%d" % (e, i), "4", name)                  # zpoolDescr
        r.add("%s.3.%d" % (e, i), "2", unit)                  # zpoolAllocationUnits
        r.add("%s.4.%d" % (e, i), "2", int(size) // unit)     # zpoolSize (Integer32)
        r.add("%s.5.%d" % (e, i), "2", int(used) // unit)     # zpoolUsed
        r.add("%s.9.%d" % (e, i), "70", 10 ** 9 + cycle * 300 * s["write_rate"])  # zpoolWriteOps
    return r


def linux(s, cycle, now):
    r = Rec()
    system(r, "Linux %s %s #1 SMP Debian x86_64" % (s["community"], s["kernel"]),
           "1.3.6.1.4.1.8072.3.2.10", 2000000 + cycle * 30000)
    rows = []
    for descr, size, used in s["filesystems"]:
        if descr.startswith("/srv"):
            used = min(size, used + cycle * s["growth"] / 288)
        rows.append((descr, size, used, 4))
    rows.append(("Physical memory", 32 * GiB, 20 * GiB, 2))
    hr_storage(r, rows)
    for i, d in enumerate(s["disks"], 1):
        e = "1.3.6.1.4.1.2021.13.15.1.1"                      # diskIOEntry
        r.add("%s.1.%d" % (e, i), "2", i)
        r.add("%s.2.%d" % (e, i), "4", d)
        r.add("%s.6.%d" % (e, i), "65", (5000000 * i + cycle * 300 * s["write_rate"]) % W32)
    return r


KINDS = {"synology": synology, "truenas": truenas, "linux": linux}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--now", type=int, default=int(time.time()))
    ap.add_argument("--cycle", type=int, default=0)
    ap.add_argument("--spec")
    a = ap.parse_args()
    specs = json.load(open(a.spec)) if a.spec else SPECS
    os.makedirs(a.out, exist_ok=True)
    for s in specs:
        rec = KINDS[s["kind"]](s, a.cycle, a.now)
        with open(os.path.join(a.out, s["community"] + ".snmprec"), "w") as f:
            f.write(rec.text())


if __name__ == "__main__":
    main()
