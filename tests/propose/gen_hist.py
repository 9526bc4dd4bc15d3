#!/usr/bin/python3
"""gen_hist.py OUT.csv: the history of the proposal tests: linear growth
with known forecasts (see test_propose.sh for the expected dates)."""
import sys
G = 10**9
CAP = 10000 * G
# serial, customer, used at 2026-11-22 (GB), growth (GB per day)
DEVS = [("SN-ACME-1", "ACME", 8520, 50), ("SN-MU-1", "MUELLER", 8020, 25),
        ("SN-HIDDEN-1", "HIDDEN", 8020, 25), ("SN-FALL-1", "FALL", 8520, 50)]
with open(sys.argv[1], "w") as f:
    f.write("serial,customer,time,capacity,used\n")
    for serial, cust, now_gb, per_day in DEVS:
        for d in range(30, -1, -1):
            day = 22 - d
            # 2026-10-23 .. 2026-11-22
            date = "2026-11-%02d" % day if day >= 1 else "2026-10-%02d" % (31 + day)
            f.write("%s,%s,%s,%d,%d\n" % (serial, cust, date, CAP, (now_gb - per_day * d) * G))
