#!/usr/bin/python3
"""check_dom.py FILE TITLE IMAGES: the DOM Chromium serialized after
rendering a report (--dump-dom).  The title is still TITLE (the hostile
customer name's script, had it been markup, would have changed it), the
DOM holds no <script> element, and the tables and inline PNG images are
there (IMAGES as for check_html.py)."""
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_title, self.title = False, ""
        self.scripts = self.tables = self.h3 = 0
        self.imgs = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title":
            self.in_title = True
        elif tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.tables += 1
        elif tag == "h3":
            self.h3 += 1
        elif tag == "img":
            self.imgs.append(a.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


path, title, images = sys.argv[1], sys.argv[2], sys.argv[3]
d = Dom()
d.feed(open(path, encoding="utf-8").read())
errors = []
if d.title != title:
    errors.append("title %r, want %r" % (d.title, title))
if d.scripts:
    errors.append("%d <script> elements in the DOM" % d.scripts)
if d.tables < 3:
    errors.append("only %d tables" % d.tables)
n = d.h3 if images == "device1" else int(images)
if n == 0 or len(d.imgs) != n or not all(s.startswith("data:image/png;base64,") for s in d.imgs):
    errors.append("%d images (want %d inline PNGs)" % (len(d.imgs), n))
for e in errors:
    print("#", e)
sys.exit(1 if errors else 0)
