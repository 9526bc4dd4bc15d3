#!/usr/bin/python3
"""gen_demo.py: the simulated customer fleet of `make demo`.

Writes, from the small fleet described below and the MIB's OIDs
(build/gen/hdrm_oids.h, so it follows the build's ENTERPRISE number):

  OUT/data/<community>.snmprec   one per live agent, served by snmpsim
  OUT/fleet.csv                  for `headroom fleet import` (port PORT)
  OUT/history.csv                for `headroom history import`: DAYS days of
                                 daily samples per device ending yesterday,
                                 so that forecasts and load trends have data
                                 (the backfill mechanism of docs/collector.md;
                                 the poll the demo runs adds today's sample)

The customers, staff, catalogue and stock the fleet refers to are the CSV
files beside this script.  Usage:
  gen_demo.py --out DIR --port PORT [--oids FILE] [--days 60] [--now UNIX]
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fleet"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_devices  # noqa: E402  (recordings of devices without headroomd)
import gen_fleet  # noqa: E402  (the team's fleet generator: OIDs, snmprec records)

TiB = 1 << 40
GiB = 1 << 30

# agent (community), customer, devices:
#   (serial, vendor, model name, model number, product number, firmware,
#    capacity, used today, growth per day, typical daily peak, peak trend)
# The numbers are chosen so that the default rules have something to say:
# a fast-filling array, a nearly full one, one near its rated write load,
# old firmware, a customer without consent, one routed to the fallback.
FLEET = [
    ("acme-dc1", "ACME", [
        ("AC1-AR100-0001", "Acme Storage", "Array 100", "AR-100", "AR100-24", "1.0",
         20 * TiB, 15.2 * TiB, 62 * GiB, 2600, 0.0),
        ("AC1-NS20-0002", "Acme Storage", "NAS 20", "NS-20", "NS20-4", "2.1",
         8 * TiB, 3.1 * TiB, 4 * GiB, 300, 0.0),
    ]),
    ("acme-dc2", "ACME", [
        ("AC2-AR200-0003", "Acme Storage", "Array 200", "AR-200", "AR200-48", "3.2",
         64 * TiB, 22 * TiB, 30 * GiB, 5200, 0.0),
    ]),
    ("mueller-hq", "MUELLER", [
        ("MU-AR200-0101", "Acme Storage", "Array 200", "AR-200", "AR200-48", "3.2",
         48 * TiB, 44.5 * TiB, 20 * GiB, 9100, 0.01),
        ("MU-NS20-0102", "Acme Storage", "NAS 20", "NS-20", "NS20-4", "2.3",
         16 * TiB, 5 * TiB, 1 * GiB, 200, 0.0),
    ]),
    ("globex-main", "GLOBEX", [
        ("GX-AR100-0201", "Acme Storage", "Array 100", "AR-100", "AR100-24", "1.0",
         20 * TiB, 16.8 * TiB, 80 * GiB, 3000, 0.0),
    ]),
    ("initech-nas", "INITECH", [
        ("IN-NS20-0301", "Acme Storage", "NAS 20", "NS-20", "NS20-4", "2.1",
         8 * TiB, 6.4 * TiB, 25 * GiB, 500, 0.0),
    ]),
]
# Listed in fleet.csv but never answering (no data file): a dead device.
DEAD = [("initech-old", "INITECH")]

# Devices that do not run headroomd, read through the device profiles
# (demo/gen_devices.py writes their recordings from the makers' MIBs):
# community, customer, and for the one with a serial the history to
# backfill (capacity, used today, growth per day).
OTHERS = [
    ("acme-synology", "ACME", {"kind": "synology", "serial": "2150RQN123456",
                               "model": "DS1821+", "dsm": "DSM 7.1.1-42962 Update 6",
                               "volumes": [("Volume 1", 43 * TiB, 38.9 * TiB)],
                               "disks": ["sata1", "sata2", "sata3"],
                               "growth": 90 * GiB, "write_rate": 900}),
    ("initech-truenas", "INITECH", {"kind": "truenas", "release": "TrueNAS-11.3-U5",
                                    "pools": [("tank", 64 * TiB, 21 * TiB),
                                              ("freenas-boot", 32 * GiB, 3 * GiB)],
                                    "growth": 20 * GiB, "write_rate": 400}),
    ("mueller-linux", "MUELLER", {"kind": "linux", "kernel": "5.10.0-28-amd64",
                                  "filesystems": [("/", 100 * GiB, 31 * GiB),
                                                  ("/srv", 8 * TiB, 5.2 * TiB),
                                                  ("/srv/backup", 8 * TiB, 5.2 * TiB),
                                                  ("/run", 3 * GiB, 1 * GiB)],
                                  "disks": ["sda", "sda1", "sdb", "loop0"],
                                  "growth": 10 * GiB, "write_rate": 150}),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--oids", default=os.path.join(os.environ.get("B", "build"), "gen", "hdrm_oids.h"))
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--now", type=int, default=int(time.time()))
    a = ap.parse_args()

    O = gen_fleet.read_oids(a.oids)
    ent = O["hdrmStorageMIB"].split(".")[6]
    rng = random.Random(7)
    os.makedirs(os.path.join(a.out, "data"), exist_ok=True)
    today = a.now // 86400 * 86400

    with open(os.path.join(a.out, "fleet.csv"), "w") as fl, \
         open(os.path.join(a.out, "history.csv"), "w") as hi:
        fl.write("name,customer,address,port,version,community,timeout_ms,retries,profile\n")
        hi.write("serial,time,customer,capacity,used,used_percent,peak,peak_prev,rate_avg,window\n")
        for community, cust, devs in FLEET:
            fl.write("%s,%s,127.0.0.1,%d,2c,%s,500,1,headroom\n" % (community, cust, a.port, community))
            rows = []
            for i, (serial, vendor, mname, mnum, pnum, fw, cap, used, growth, peak, ptrend) in enumerate(devs, 1):
                r = gen_fleet.Row(i, rng, cust, a.now)
                r.v.update({
                    "hdrmDevName": "lun%d" % i, "hdrmDevSerial": serial, "hdrmDevVendor": vendor,
                    "hdrmDevModelName": mname, "hdrmDevModelNumber": mnum,
                    "hdrmDevProductNumber": pnum, "hdrmDevFirmware": fw,
                    "hdrmDevCustomerId": cust,
                })
                cap, used = int(cap), int(used)
                r.n.update({
                    "hdrmDevCapacity": (70, cap), "hdrmDevCapacityMiB": (66, cap >> 20),
                    "hdrmDevUsed": (70, used), "hdrmDevUsedMiB": (66, used >> 20),
                    "hdrmDevUsedPercent": (2, -(-used * 100 // cap)),
                    "hdrmDevPeakWrites": (66, peak), "hdrmDevPeakWritesPrev": (66, int(peak * 0.97)),
                    "hdrmDevWindow": (66, 60), "hdrmDevWriteRateAvg": (66, peak // 4),
                })
                rows.append(r)
                for d in range(a.days, 0, -1):
                    t = today - d * 86400 + 12 * 3600
                    u = used - growth * d + rng.gauss(0, growth * 0.3)
                    u = int(max(0, min(cap, u)))
                    pk = int(peak * (1 - ptrend * d) * rng.uniform(0.85, 1.05))
                    hi.write("%s,%d,%s,%d,%d,%d,%d,%d,%d,60\n" % (
                        serial, t, cust, cap, u, -(-u * 100 // cap), max(pk, 0),
                        max(int(pk * 0.97), 0), max(pk // 4, 0)))
            recs = gen_fleet.agent_records(O, ent, community, rows, rng)
            with open(os.path.join(a.out, "data", community + ".snmprec"), "w") as f:
                f.write("\n".join(recs) + "\n")
        for community, cust in DEAD:
            fl.write("%s,%s,127.0.0.1,%d,2c,%s,500,1,\n" % (community, cust, a.port, community))
        for community, cust, spec in OTHERS:
            # profile empty: detected (auto)
            fl.write("%s,%s,127.0.0.1,%d,2c,%s,500,1,\n" % (community, cust, a.port, community))
            spec = dict(spec, community=community)
            rec = gen_devices.KINDS[spec["kind"]](spec, 0, a.now)
            with open(os.path.join(a.out, "data", community + ".snmprec"), "w") as f:
                f.write(rec.text())
            if "serial" in spec:
                # The Synology's serial registers it: its history can be
                # backfilled like our devices' (the volume's figures).
                _, cap, used = spec["volumes"][0]
                for d in range(a.days, 0, -1):
                    t = today - d * 86400 + 12 * 3600
                    u = int(max(0, min(cap, used - spec["growth"] * d +
                                       rng.gauss(0, spec["growth"] * 0.3))))
                    hi.write("%s,%d,%s,%d,%d,%d,,,,60\n" % (
                        spec["serial"], t, cust, int(cap), u, -(-u * 100 // int(cap))))


if __name__ == "__main__":
    main()
