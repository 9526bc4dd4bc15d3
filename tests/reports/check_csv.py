#!/usr/bin/python3
"""check_csv.py customer|fleet DIR WANT_DAYS: parse a report's CSV files
with Python's csv module (RFC 4180) and check headers, row counts and
values against the test database of tests/reports/mkdb.sh."""
import csv
import os
import re
import sys

errors = []


def load(d, name):
    with open(os.path.join(d, name + ".csv"), newline="", encoding="utf-8") as f:
        data = f.read()
    if "\r\n" not in data:
        errors.append("%s.csv: records do not end in CRLF" % name)
    return list(csv.DictReader(data.splitlines(keepends=True)))


def expect(what, got, want):
    if got != want:
        errors.append("%s: got %r, want %r" % (what, got, want))


def near(what, got, want):
    """One decimal each side: allow one step of rounding."""
    try:
        if abs(float(got) - float(want)) <= 0.1 + 1e-9:
            return
    except ValueError:
        pass
    errors.append("%s: got %r, want %s (+-0.1)" % (what, got, want))


def customer(d, want_days):
    G, TB = 1 << 30, 1 << 40
    cust = load(d, "customer")
    expect("customer rows", len(cust), 1)
    expect("customer name", cust[0]["name"], "Acme, Inc.")
    expect("consent", cust[0]["consent_sales"], "yes")
    expect("staff email", cust[0]["staff_email"], "sato@example.com")
    dev = {r["serial"]: r for r in load(d, "devices")}
    expect("devices", sorted(dev), ["SN-FEW", "SN-FLAT", "SN-GROW"])
    g = dev["SN-GROW"]
    expect("SN-GROW capacity", g["capacity"], str(10 * TB))
    expect("SN-GROW used", g["used"], str(5 * TB + 59 * 50 * G))
    near("SN-GROW days_to_full", g["days_to_full"], want_days)
    expect("SN-GROW slope", g["slope_per_day"], str(50 * G))
    expect("SN-GROW forecast", g["forecast"], "ok")
    expect("SN-GROW reg number", g["reg_number"][:3], "HR-")
    expect("SN-FLAT forecast", dev["SN-FLAT"]["forecast"], "flat or shrinking")
    expect("SN-FLAT days_to_full empty", dev["SN-FLAT"]["days_to_full"], "")
    expect("SN-FEW forecast", dev["SN-FEW"]["forecast"], "too few points")
    hist = load(d, "history")
    expect("history header", list(hist[0].keys()) if hist else [],
           ["serial", "date", "capacity", "used", "used_pct", "cmax_peak", "rate_avg"])
    by = {}
    for r in hist:
        by.setdefault(r["serial"], []).append(r)
    expect("history rows per device", {k: len(v) for k, v in by.items()},
           {"SN-GROW": 60, "SN-FLAT": 60, "SN-FEW": 2})
    rows = by.get("SN-GROW", [])
    expect("history in date order", [r["date"] for r in rows], sorted(r["date"] for r in rows))
    for i, r in enumerate(rows):
        if r["used"] != str(5 * TB + 50 * G * i) or r["cmax_peak"] != str(1000 + 10 * i):
            errors.append("SN-GROW day %d: %r" % (i, r))
            break
    expect("used_pct day 0", rows[0]["used_pct"] if rows else None, "50")
    reg = load(d, "registrations")
    expect("registrations", sorted(r["serial"] for r in reg), ["SN-FEW", "SN-FLAT", "SN-GROW"])
    expect("no conflicts for ACME", load(d, "conflicts"), [])
    props = load(d, "proposals")
    full = [p for p in props if p["serial"] == "SN-GROW" and p["rule"] == "capacity-full-soon"]
    expect("SN-GROW capacity-full-soon proposed", len(full), 1)
    expect("no suppressed proposals listed", [p["state"] for p in props if p["state"] == "suppressed"], [])
    if full:
        expect("its state", full[0]["state"], "sent")
        expect("its SKUs", full[0]["skus"], "EXP-AR-100-SHELF HDD-AR-100-8T")
        stock = [s for s in load(d, "proposal_stock") if s["proposal_id"] == full[0]["id"]]
        best = [s for s in stock if s["sku"] == "EXP-AR-100-SHELF" and s["rank"] == "0"]
        expect("shelf in stock at Tokyo Central",
               [(s["store"], s["in_stock"], s["quantity"]) for s in best],
               [("Tokyo Central", "yes", "2")])
        if best and not re.match(r"^\d{4}-\d\d-\d\d$", best[0]["delivery_date"]):
            errors.append("delivery date %r" % best[0]["delivery_date"])


def fleet(d, want_days):
    s = load(d, "summary")
    expect("summary", {k: s[0][k] for k in ("customers", "targets", "targets_ok",
                                            "targets_failed", "open_conflicts")},
           {"customers": "4", "targets": "12", "targets_ok": "11", "targets_failed": "1",
            "open_conflicts": "1"})
    full = load(d, "rank_full")
    expect("rank_full rows = devices", str(len(full)), s[0]["devices"])
    expect("soonest full first", full[0]["serial"], "SN-GROW")
    near("its days to full", full[0]["days_to_full"], want_days)
    seen_none = False
    for r in full:
        if r["forecast"] != "ok":
            seen_none = True
        elif seen_none:
            errors.append("a forecast after a no-forecast row: %r" % r)
    expect("ranks 1..n", [r["rank"] for r in full], [str(i + 1) for i in range(len(full))])
    load_ = load(d, "rank_load")
    expect("rated devices first", [r["serial"] for r in load_[:3]], ["SN-GROW", "SN-FEW", "SN-FLAT"])
    g = [r for r in load_ if r["serial"] == "SN-GROW"][0]
    expect("SN-GROW load against rating", (g["peak_7d"], g["rated_load"], g["load_pct"]),
           ("1590", "5000", "31.8"))
    peaks = [float(r["peak_7d"]) for r in load_[3:] if r["peak_7d"]]
    expect("unrated ranked busiest first", peaks, sorted(peaks, reverse=True))
    fw = load(d, "rank_firmware")
    expect("rank_firmware rows", len(fw), len(full))
    expect("oldest firmware first", sorted(r["serial"] for r in fw[:3]), ["SN-FEW", "SN-FLAT", "SN-GROW"])
    expect("its release and latest", (fw[0]["firmware"], fw[0]["released"], fw[0]["latest"]),
           ("0.9", "2024-03-01", "1.0"))
    at = int(sys.argv[4])
    expect("its age in days", fw[0]["age_days"], str((at - 1709251200) // 86400))
    t = load(d, "targets")
    expect("one unreachable target", [(r["target"], r["status"]) for r in t], [("ag9", "timeout")])
    expect("its failures", t[0]["failures"] if t else None, "1")
    expect("never answered: no last success", t[0]["last_ok"] if t else None, "")


kind, d, want = sys.argv[1], sys.argv[2], sys.argv[3]   # fleet: AT in argv[4]
(customer if kind == "customer" else fleet)(d, want)
for e in errors:
    print("#", e)
sys.exit(1 if errors else 0)
