#!/usr/bin/python3
"""check_poll.py: compare hr-polltest output with what gen_fleet.py wrote.

  check_poll.py FLEETDIR OUTPUT [--v1] [--v3] [--overlap] [--label TEXT]

Prints TAP-like lines ("ok - ..." / "not ok - ...") for tests/lib.sh-style
tests; exits 0 even when checks fail (the caller counts the lines).

Checks: one T line per fleet.csv entry; every live agent with the MIB is
"ok" and reports exactly the rows and values of expect.tsv (fields marked
"*" are checked separately); dead agents time out (with --v3, snmpsim answers
engine discovery for every context, so a dead context shows as "auth" or
"timeout"); nomib agents say nomib; hostile strings are flagged and carry no
control characters; wrong types, missing columns, unknown used capacity and
Counter64 values above 2^63 come out as documented in gen_fleet.py.
With --v1 the Counter64 columns are invisible: capacity comes from the MiB
column, writes are unknown.
"""
import re
import argparse
import sys

FAILS = 0


def ok(cond, name, diag=None):
    global FAILS
    print("%s - %s" % ("ok" if cond else "not ok", name))
    if not cond:
        FAILS += 1
        if diag:
            for line in str(diag).splitlines()[:10]:
                print("#   " + line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fleet")
    ap.add_argument("output")
    ap.add_argument("--v1", action="store_true")
    ap.add_argument("--v3", action="store_true")
    ap.add_argument("--label", default="")
    ap.add_argument("--overlap", action="store_true",
                    help="all targets were in flight at once: dead ones must overlap in time")
    a = ap.parse_args()
    L = (a.label + ": ") if a.label else ""

    fleet = [l.rstrip("\n").split(",") for l in open(a.fleet + "/fleet.csv")][1:]
    expect = {}
    for l in open(a.fleet + "/expect.tsv"):
        f = l.rstrip("\n").split("\t")
        if len(f) > 1:
            expect[(f[0], f[1])] = f
    special = {}
    for l in open(a.fleet + "/special.tsv"):
        c, kind, idx, _ = l.rstrip("\n").split("\t")
        special.setdefault(c, []).append((kind, idx))

    targets, rows, bad_lines = {}, {}, []
    raw = open(a.output, "rb").read()
    for line in raw.split(b"\n"):
        if not line or line.startswith(b"#"):
            continue
        try:
            s = line.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.append(line[:80])
            continue
        f = s.split("\t")
        if f[0] == "T" and len(f) == 13:
            targets[f[1]] = f
        elif f[0] == "R" and len(f) == 26:
            rows.setdefault(f[1], []).append(f)
        else:
            bad_lines.append(line[:80])
    ok(not bad_lines, L + "every output line is valid UTF-8 with the right field count", bad_lines)
    ok(b"\r" not in raw and b"\x00" not in raw, L + "no CR or NUL anywhere in the output")
    ok(len(targets) == len(fleet), L + "one result per target (%d of %d)" % (len(targets), len(fleet)))
    by_comm = {t[2]: t for t in targets.values()}

    kinds = lambda c: {k for k, _ in special.get(c, [])}
    live = [r[4] for r in fleet if not kinds(r[4]) & {"dead", "nomib"}]
    not_ok = [c for c in live if c not in by_comm or by_comm[c][4] != "ok"]
    ok(not not_ok, L + "all %d live agents polled ok" % len(live),
       ["%s: %s" % (c, by_comm.get(c, ["?"] * 13)[4:13:8]) for c in not_ok])

    dead = [c for c in by_comm if "dead" in kinds(c)]
    want_dead = ("timeout", "auth") if a.v3 else ("timeout",)
    ok(dead and all(by_comm[c][4] in want_dead for c in dead),
       L + "dead agents: %s" % "/".join(want_dead), [(c, by_comm[c][4]) for c in dead])
    if dead and a.overlap:
        st = [int(by_comm[c][8]) for c in dead]
        fi = [int(by_comm[c][9]) for c in dead]
        ok(max(st) < min(fi), L + "dead agents were waited for at the same time, not one after another",
           "started %s finished %s" % (st, fi))
    nomib = [c for c in by_comm if "nomib" in kinds(c)]
    ok(nomib and all(by_comm[c][4] == "nomib" for c in nomib), L + "agents without the MIB: nomib",
       [(c, by_comm[c][4]) for c in nomib])

    # Rows: compare every field of the R line but the flags.
    got = {}
    for tid, rs in rows.items():
        comm = targets[tid][2]
        for r in rs:
            got[(comm, r[2])] = [comm] + r[2:3] + r[4:]
    missing = [k for k in expect if k not in got]
    extra = [k for k in got if k not in expect]
    ok(not missing and not extra, L + "rows: %d expected, %d read" % (len(expect), len(got)),
       "missing %s extra %s" % (missing[:5], extra[:5]))
    special_rows = {(c, idx) for c, l in special.items() for _, idx in l}
    diffs = []
    for k, e in expect.items():
        g = got.get(k)
        if not g or k in special_rows:
            continue
        e = list(e)
        if a.v1:
            # Counter64 is not in SNMPv1: capacity, cache and used come from
            # the MiB columns (whole MiB), writes are unknown.
            for i in (10, 11, 12):
                if e[i] not in ("-", "0"):
                    e[i] = str(int(e[i]) >> 20 << 20)
            e[14] = "-"
        if g != e:
            diffs.append("%s\n  got  %s\n  want %s" % (k, g, e))
    ok(not diffs, L + "every ordinary row matches the recording exactly", "\n".join(diffs[:3]))

    def row(kind):
        for c, l in special.items():
            for k, idx in l:
                if k == kind:
                    tid = by_comm[c][1]
                    for r in rows.get(tid, []):
                        if r[2] == idx:
                            return r
        return None

    def flags(r):
        return set(r[3].split(",")) if r else set()

    r = row("crlf")
    ok(r and "sanitized" in flags(r) and r[4].startswith("X") and "Bcc: a@b" in r[4],
       L + "CR/LF serial stored without the CR/LF, flagged sanitized", r)
    r = row("nul")
    ok(r and "sanitized" in flags(r) and r[4].startswith("AB") and r[4].endswith("CD"),
       L + "serial with NUL kept around the replaced byte, flagged", r)
    r = row("latin1")
    ok(r and "sanitized" in flags(r) and r[4].startswith("Sch"), L + "latin-1 serial made valid UTF-8, flagged", r)
    r = row("long")
    ok(r and "sanitized" in flags(r) and 0 < len(r[4].encode()) <= 255 and
       re.fullmatch(r"L0123[L0-9A-F]*~[0-9a-f]{32}", r[4] or "") is not None,
       L + "65000-byte serial cut to a key: its start, '~' and a SHA-256 prefix, flagged",
       r and (r[3], len(r[4])))
    r = row("wrongtype")
    ok(r and "bad_type" in flags(r) and r[16] == "-" and int(r[12]) > 0,
       L + "wrong types flagged bad_type, capacity from the MiB column, writes unknown", r)
    r = row("nocapacity")
    ok(r and "missing_col" in flags(r) and r[12] == "0", L + "row without capacity: missing_col", r)
    r = row("noserial")
    ok(r and "missing_col" in flags(r) and r[4] == "", L + "row without serial: missing_col", r)
    r = row("usedunknown")
    ok(r and "used" not in flags(r) and r[14] == "-" and r[15] == "-1", L + "used unknown is not zero", r)
    r = row("c64big")
    if a.v1:
        ok(r and r[16] == "-", L + "Counter64 invisible over SNMPv1", r)
    else:
        ok(r and r[12] == str(2**64 - 12345) and r[16] == str(2**63 + 987654321),
           L + "Counter64 above 2^63 exact", r and (r[12], r[16]))
    dup = [row_ for c, l in special.items() for k, _ in l if k == "dupserial"
           for row_ in rows.get(by_comm[c][1], []) if row_[4] == "DUP-SERIAL-0001"]
    ok(len(dup) == 2, L + "the shared serial is read from both agents", len(dup))
    return 0


if __name__ == "__main__":
    sys.exit(main())
