#!/usr/bin/python3
"""check_volumes.py CSVDIR HTMLFILE: the volumes of customer PROF
(tests/reports/mkdb.sh add_profile_devices) in the CSV volumes.csv and
the HTML report's volumes tables: one row per volume, keyed by the
device's serial or, without one, its name; a value the device did not
give is empty (CSV) or "-" (HTML), never 0."""
import csv
import os
import sys
from html.parser import HTMLParser

TB = 1 << 40
errors = []


def expect(what, got, want):
    if got != want:
        errors.append("%s: %r, want %r" % (what, got, want))


class Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs).get("data-table"), []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][1][-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def main():
    rows = list(csv.DictReader(open(os.path.join(sys.argv[1], "volumes.csv"), newline="")))
    got = [(r["device"], r["volume"], r["capacity"], r["used"], r["used_pct"], r["counted"])
           for r in rows]
    # Devices in (customer, serial) order: no serial first.
    expect("volumes.csv", got, [
        ("truenas@prof-nas", "tank", str(2 * TB), str(TB), "50.0", "yes"),
        ("truenas@prof-nas", "broken", "", "", "", "no: a value is missing or not a number"),
        ("truenas@prof-nas", "odd", str(TB), "", "", "no: used above size"),
        ("truenas@prof-nas", "tank-copy", str(2 * TB), str(TB), "",
         "no: repeats an earlier volume"),
        ("SYN-1", "Volume 1", str(TB), str(TB // 4), "25.0", "yes"),
    ])
    for r in rows:
        if r["last_seen"][:2] != "20" or "T" not in r["last_seen"]:
            errors.append("last_seen %r not ISO 8601" % r["last_seen"])
    p = Tables()
    p.feed(open(sys.argv[2], encoding="utf-8").read())
    p.close()
    vols = [t for name, t in p.tables if name == "volumes"]
    expect("HTML volumes tables (PLAIN-1 has none)", len(vols), 2)
    cells = [r[:5] for t in vols for r in t[1:]]
    for want in (["broken", "-", "-", "-", "no: a value is missing or not a number"],
                 ["odd", "1.00 TiB", "-", "-", "no: used above size"],
                 ["tank", "2.00 TiB", "1.00 TiB", "50.0%", "yes"]):
        if want not in cells:
            errors.append("HTML: no volume row %r in %r" % (want, cells))
    for e in errors:
        print("#", e)
    sys.exit(1 if errors else 0)


main()
