#!/usr/bin/python3
"""Check every message captured by smtpd_capture.py during `headroom
propose` with Python's email package and print TAP lines.

  check_proposals.py DIR

Expectations (the fleet of test_propose.sh):
  sato@example.com      ACME, 2 proposals, Cc boss
  schmidt@example.com   MUELLER (area 04 + line arrays), 1 proposal, Cc boss
  fallback@example.com  FALL (no staff for area 99), 2 proposals, hostile serial
  boss@example.com      the consent notice, alone, no customer details
No message may name the non-consenting customer or its device."""
import email
import email.policy
import glob
import json
import os
import re
import struct
import sys

fails = 0


def check(cond, name, diag=None):
    global fails
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        fails += 1
        if diag is not None:
            for line in str(diag).splitlines() or [""]:
                print("#   " + line)


def png_size(data):
    """(width, height) from a PNG's IHDR, or None if it is no PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def all_text(msg):
    out = []
    for p in msg.walk():
        if p.get_content_maintype() == "text":
            out.append(p.get_content())
    return "\n".join(out)


def main():
    d = sys.argv[1]
    msgs = {}
    for eml in sorted(glob.glob(os.path.join(d, "msg-*.eml"))):
        raw = open(eml, "rb").read()
        meta = json.load(open(eml[:-4] + ".json"))
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        to = [a.addr_spec for a in msg["To"].addresses]
        check(len(to) == 1, "%s: one To" % os.path.basename(eml), to)
        msgs[to[0]] = (raw, meta, msg)
    check(sorted(msgs) == ["boss@example.com", "fallback@example.com", "sato@example.com",
                           "schmidt@example.com"], "four messages, one per recipient",
          sorted(msgs))
    rcpts = {"sato@example.com": ["boss@example.com", "sato@example.com"],
             "schmidt@example.com": ["boss@example.com", "schmidt@example.com"],
             "fallback@example.com": ["boss@example.com", "fallback@example.com"],
             "boss@example.com": ["boss@example.com"]}
    for to, want in rcpts.items():
        if to not in msgs:
            continue
        raw, meta, msg = msgs[to]
        rc = sorted(meta.get("rcpt_tos", meta.get("rcpts", [])))
        check(rc == want, "%s: envelope recipients exactly %s" % (to, want), rc)
        check(msg["Bcc"] is None, "%s: no Bcc header" % to)
        check(b"evil@example.com" not in b"".join(l for l in raw.split(b"\r\n\r\n", 1)[:1]),
              "%s: the hostile serial's address is not in the header" % to)
        cc = sorted(a.addr_spec for a in msg["Cc"].addresses) if msg["Cc"] else []
        check(cc == ([] if to == "boss@example.com" else ["boss@example.com"]),
              "%s: Cc administrator" % to, cc)
        body = all_text(msg) + str(msg["Subject"])
        check("Secret Holdings" not in body and "SN-HIDDEN" not in body and
              b"SN-HIDDEN" not in raw and b"Secret" not in raw,
              "%s: nothing about the non-consenting customer" % to)

    want_subj = {
        "sato@example.com": "Acme Corp: 2 proposals (first device full around 2026-12-21)",
        "schmidt@example.com": "Müller Speicher GmbH: Array SN-MU-1 will be full around 2027-02-09",
        "fallback@example.com": "Fallback KK: 2 proposals (first device full around 2026-12-21)",
        "boss@example.com": "headroom: proposals held back (no consent)",
    }
    for to, subj in want_subj.items():
        if to in msgs:
            check(str(msgs[to][2]["Subject"]) == subj, "%s: subject '%s'" % (to, subj),
                  msgs[to][2]["Subject"])

    for to in ("sato@example.com", "schmidt@example.com", "fallback@example.com"):
        if to not in msgs:
            continue
        msg = msgs[to][2]
        types = [p.get_content_type() for p in msg.walk()]
        check("text/plain" in types and "text/html" in types, "%s: text and HTML parts" % to,
              types)
        pngs = [p for p in msg.walk() if p.get_content_type() == "image/png"]
        check(len(pngs) == 1, "%s: one graph (one device)" % to, len(pngs))
        for p in pngs:
            size = png_size(p.get_content())
            check(size is not None and size[0] > 400 and size[1] > 150,
                  "%s: graph is a PNG with a sane IHDR %s" % (to, size))
            cid = str(p["Content-ID"]).strip("<>")
            html = [q for q in msg.walk() if q.get_content_type() == "text/html"][0].get_content()
            check(("cid:" + cid) in html, "%s: HTML shows the graph (cid:%s)" % (to, cid))
        text = [q for q in msg.walk() if q.get_content_type() == "text/plain"][0].get_content()
        check("store S1 (Tokyo Central): 2 in stock, delivery 2026-11-23" in text,
              "%s: stock answer in stock (store, quantity, date)" % to)
        check("store S2 (Osaka Depot): not in stock, to order, delivery 2026-12-01" in text,
              "%s: stock answer to order (lead time)" % to)
        check("Related options: EXP-AR-100-SHELF CACHE-AR-100 UPG-AR-100" in text and
              "Supplies: HDD-AR-100-8T FAN-AR-100" in text,
              "%s: related options and supplies from the catalogue" % to)
        check("Firmware: 1.0" in text and "Capacity: 9.1 TiB" in text,
              "%s: device details" % to)

    if "sato@example.com" in msgs:
        text = all_text(msgs["sato@example.com"][2])
        check("Acme Corp (id ACME, area 03)" in text, "ACME: customer name, id and area")
        check("full around 2026-12-21" in text, "ACME: forecast date in the body")
    if "schmidt@example.com" in msgs:
        msg = msgs["schmidt@example.com"][2]
        html = [q for q in msg.walk() if q.get_content_type() == "text/html"][0].get_content()
        check("Müller Speicher GmbH" in html, "MUELLER: the name survives in the HTML part")
        # SN-MU-1 has no RRD file: its graph is drawn from its daily records,
        # and rrd_graph's own reading of the last point drawn (the alt text)
        # is the last record's: 8020 GB used of 10000 GB on 2026-11-22.
        alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
        check(len(alts) == 1 and alts[0].endswith("; 7.29 TiB of 9.09 TiB used on 2026-11-22"),
              "MUELLER: the graph drew the last daily record (alt)", alts)
    if "fallback@example.com" in msgs:
        msg = msgs["fallback@example.com"][2]
        html = [q for q in msg.walk() if q.get_content_type() == "text/html"][0].get_content()
        check("<td>X\ufffd\ufffdBcc: evil@example.com</td>" in html,
              "fallback: the hostile serial is one line of text in the HTML", html[:2000])
        text = [q for q in msg.walk() if q.get_content_type() == "text/plain"][0].get_content()
        check("serial X\ufffd\ufffdBcc: evil@example.com" in text,
              "fallback: ... and in the text part")
        check(not any(l.lstrip().startswith("Bcc") for l in (text + html).splitlines()),
              "fallback: no body line starts with the injected 'Bcc:'")
    if "boss@example.com" in msgs:
        text = all_text(msgs["boss@example.com"][2])
        check("not consented" in text and "Proposal id" in text,
              "admin notice: says what was held back, by id")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
