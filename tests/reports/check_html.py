#!/usr/bin/python3
"""check_html.py FILE TITLE IMAGES TABLE...: parse an HTML report with
html.parser and check: the <title> and <h1> are TITLE (so a hostile name
came through as text, not markup); no <script> element and no on*
attribute anywhere; the tables named (data-table) are present and every
row has as many cells as the header; IMAGES <img> elements (a number, or
"device1": one per device heading: usage, forecast and peak load), each a data:image/png;base64 URI that
decodes to a valid PNG (signature, chunk CRCs, IHDR first, IEND last);
no graph replaced by an error paragraph."""
import base64
import binascii
import struct
import sys
from html.parser import HTMLParser


class Report(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.title, self.h1, self.text = [], "", "", []
        self.tables, self.imgs, self.bad, self.h3 = [], [], [], 0
        self.row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in a:
            if k.startswith("on"):
                self.bad.append("attribute %s on <%s>" % (k, tag))
        if tag == "script":
            self.bad.append("<script> element")
        if tag == "table":
            self.tables.append({"name": a.get("data-table"), "head": 0, "rows": []})
        elif tag == "tr" and self.tables:
            self.row = [0, 0]
        elif tag in ("th", "td") and self.row is not None:
            self.row[0 if tag == "th" else 1] += 1
        elif tag == "img":
            self.imgs.append((a.get("src", ""), a.get("alt", "")))
        elif tag == "h3":
            self.h3 += 1
        if tag not in ("meta", "img", "br", "link"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "tr" and self.row is not None and self.tables:
            t = self.tables[-1]
            if self.row[1] == 0:
                t["head"] = self.row[0]
            else:
                t["rows"].append(self.row)
            self.row = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "title":
            self.title += data
        elif self.stack and self.stack[-1] == "h1":
            self.h1 += data
        self.text.append(data)


def png_ok(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "no PNG signature"
    i, kinds = 8, []
    while i < len(data):
        if i + 12 > len(data):
            return "truncated chunk"
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + n]
        crc, = struct.unpack(">I", data[i + 8 + n:i + 12 + n])
        if binascii.crc32(kind + body) & 0xffffffff != crc:
            return "bad CRC in %r" % kind
        kinds.append(kind)
        i += 12 + n
    if not kinds or kinds[0] != b"IHDR" or kinds[-1] != b"IEND" or b"IDAT" not in kinds:
        return "chunks %r" % kinds[:4]
    return None


def main():
    path, title, images, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    p = Report()
    p.feed(open(path, encoding="utf-8").read())
    p.close()
    errors = list(p.bad)
    if p.title != title:
        errors.append("title %r, want %r" % (p.title, title))
    if p.h1 != title:
        errors.append("h1 %r, want %r" % (p.h1, title))
    names = [t["name"] for t in p.tables]
    for w in want:
        if w not in names:
            errors.append("no table %s (have %s)" % (w, sorted(set(map(str, names)))))
    for t in p.tables:
        for r in t["rows"]:
            if t["head"] and r[0] + r[1] != t["head"]:
                errors.append("table %s: row of %d cells, header %d" % (t["name"], sum(r), t["head"]))
                break
    n = p.h3 if images == "device1" else int(images)
    if len(p.imgs) != n or n == 0:
        errors.append("%d images, want %d" % (len(p.imgs), n))
    for src, alt in p.imgs:
        pre = "data:image/png;base64,"
        if not src.startswith(pre):
            errors.append("image %r is not an inline PNG" % alt)
            continue
        why = png_ok(base64.b64decode(src[len(pre):], validate=True))
        if why:
            errors.append("image %r: %s" % (alt, why))
    if "no graph" in "".join(p.text):
        errors.append("a graph could not be drawn")
    for e in errors:
        print("#", e)
    sys.exit(1 if errors else 0)


main()
