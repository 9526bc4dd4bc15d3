#!/usr/bin/python3
"""check_text.py FILE WIDTH: every table of a text report is aligned by
display columns (wide CJK characters take two) and no line is wider than
WIDTH.  A table is a title line followed by indented lines whose first
line (the header) is not "key: value"; header names are separated by two
or more blanks.  Each column must be left-aligned (every row has a
non-blank where the header name starts and a blank before it) or
right-aligned (a non-blank where the header name ends, a blank after)."""
import re
import sys
import unicodedata


def cells(line):
    """The line as a list of display cells (a wide character fills two)."""
    out = []
    for ch in line:
        if unicodedata.combining(ch):
            continue
        out.append(ch)
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append("")
    return out


def at(row, i):
    return row[i] if 0 <= i < len(row) else " "


def check_table(title, lines, errors):
    rows = [cells(l) for l in lines]
    head = rows[0]
    text = "".join(c if c else "\0" for c in head)
    for m in re.finditer(r"\S+(?: \S+)*", text):
        s, e = m.start(), m.end() - 1
        left = all(at(r, s) not in (" ", "") and at(r, s - 1) == " " for r in rows)
        right = all(at(r, e) not in (" ", "") and at(r, e + 1) == " " for r in rows)
        if not (left or right):
            errors.append("%s: column '%s' not aligned" % (title, m.group(0)))


def main():
    path, width = sys.argv[1], int(sys.argv[2])
    lines = open(path, encoding="utf-8").read().split("\n")
    errors, tables = [], 0
    for l in lines:
        if len(cells(l)) > width:
            errors.append("line wider than %d: %r" % (width, l))
    i = 0
    while i < len(lines):
        if lines[i] and not lines[i].startswith(" ") and i + 1 < len(lines) \
                and lines[i + 1].startswith("  ") and " : " not in lines[i + 1] \
                and not lines[i + 1].startswith("  ("):
            j = i + 1
            while j < len(lines) and lines[j].startswith("  "):
                j += 1
            check_table(lines[i], lines[i + 1:j], errors)
            tables += 1
            i = j
        else:
            i += 1
    for e in errors:
        print("#", e)
    if tables == 0:
        print("# no tables found")
    sys.exit(1 if errors or tables == 0 else 0)


main()
