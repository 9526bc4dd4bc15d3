#!/usr/bin/python3
"""Parse one captured message with Python's email package and print TAP
lines ("ok - ..." / "not ok - ...") for what the test expects of it.

  check_message.py MSG.eml [--meta MSG.json] [--subject TEXT] [--from ADDR]
      [--to ADDR,...] [--cc ADDR,...] [--rcpts ADDR,...] [--png FILE]
      [--header NAME=VALUE] [--no-header NAME] [--text TEXT] [--html TEXT]
      [--from-name TEXT]

With a Maildir file, pass --lf (LF line endings expected instead of CRLF).
"""
import argparse
import email
import email.policy
import email.utils
import json
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


def addrs(msg, field):
    return sorted(a for _, a in email.utils.getaddresses(msg.get_all(field, [])))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("eml")
    p.add_argument("--meta")
    p.add_argument("--subject")
    p.add_argument("--from", dest="from_")
    p.add_argument("--from-name")
    p.add_argument("--to")
    p.add_argument("--cc")
    p.add_argument("--rcpts")
    p.add_argument("--png")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--no-header", action="append", default=[])
    p.add_argument("--text")
    p.add_argument("--html")
    p.add_argument("--lf", action="store_true")
    a = p.parse_args()
    tag = a.eml.rsplit("/", 1)[-1]

    raw = open(a.eml, "rb").read()
    head = raw.split(b"\r\n\r\n" if not a.lf else b"\n\n", 1)[0]
    if a.lf:
        check(b"\r\n" not in raw, "%s: LF line endings (local mail)" % tag)
    else:
        bare = raw.replace(b"\r\n", b"").count(b"\n")
        check(bare == 0, "%s: CRLF line endings only" % tag, "%d bare LF" % bare)
    longest = max(len(l) for l in head.replace(b"\r\n", b"\n").split(b"\n"))
    check(longest <= 78, "%s: header lines <= 78 chars" % tag, "longest %d" % longest)
    check(all(b < 128 for b in head), "%s: header is 7-bit ASCII" % tag)

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    defects = list(msg.defects)
    for part in msg.walk():
        defects += part.defects
    check(not defects, "%s: parses without defects" % tag, defects)

    d = msg["Date"]
    try:
        dt = email.utils.parsedate_to_datetime(str(d))
        check(dt.tzinfo is not None, "%s: Date parses with a zone (%s)" % (tag, d))
    except (TypeError, ValueError) as e:
        check(False, "%s: Date parses" % tag, e)
    mid = str(msg["Message-ID"] or "")
    check(mid.startswith("<") and mid.endswith(">") and "@" in mid,
          "%s: Message-ID %s" % (tag, mid))
    check(msg["MIME-Version"] == "1.0", "%s: MIME-Version 1.0" % tag)

    if a.subject is not None:
        check(str(msg["Subject"]) == a.subject, "%s: Subject decodes" % tag,
              "got  %r\nwant %r" % (str(msg["Subject"]), a.subject))
    if a.from_:
        check(addrs(msg, "From") == [a.from_], "%s: From" % tag, addrs(msg, "From"))
    if a.from_name:
        name = msg["From"].addresses[0].display_name
        check(name == a.from_name, "%s: From display name" % tag, repr(name))
    if a.to is not None:
        want = sorted(x for x in a.to.split(",") if x)
        check(addrs(msg, "To") == want, "%s: To" % tag, addrs(msg, "To"))
    if a.cc is not None:
        want = sorted(x for x in a.cc.split(",") if x)
        check(addrs(msg, "Cc") == want, "%s: Cc" % tag, addrs(msg, "Cc"))
    for h in a.no_header:
        check(msg[h] is None, "%s: no %s header" % (tag, h), msg[h])
    for hv in a.header:
        n, v = hv.split("=", 1)
        check(str(msg[n]) == v, "%s: header %s" % (tag, n), repr(str(msg[n])))
    if a.meta and a.rcpts is not None:
        meta = json.load(open(a.meta))
        want = sorted(x for x in a.rcpts.split(",") if x)
        check(sorted(meta["rcpt_tos"]) == want, "%s: envelope recipients exactly %s" % (tag, want),
              meta["rcpt_tos"])

    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    check(plain is not None and html is not None, "%s: a text part and an HTML part" % tag)
    if a.text and plain is not None:
        check(a.text in plain.get_content(), "%s: text part content" % tag, plain.get_content())
    if a.html and html is not None:
        check(a.html in html.get_content(), "%s: HTML part content" % tag, html.get_content())
    if a.png:
        want = open(a.png, "rb").read()
        imgs = [p for p in msg.walk() if p.get_content_type() == "image/png"]
        check(len(imgs) == 1, "%s: one image/png part" % tag, len(imgs))
        if imgs:
            img = imgs[0]
            check(img.get_content() == want, "%s: PNG decodes to the same bytes" % tag)
            cid = str(img["Content-ID"] or "").strip("<>")
            check(bool(cid) and html is not None and ("cid:" + cid) in html.get_content(),
                  "%s: HTML refers to the image by its Content-ID" % tag, cid)
            # the base64 lines as they were on the wire
            body = raw.replace(b"\r\n", b"\n")
            start = body.index(b"\n\n", body.index(b"Content-Type: image/png")) + 2
            lines = []
            for l in body[start:].split(b"\n"):
                if not l or l.startswith(b"--"):
                    break
                lines.append(l)
            lens = {len(l) for l in lines[:-1]}
            check(lines and lens <= {76} and len(lines[-1]) <= 76,
                  "%s: base64 lines of 76 chars" % tag, lens)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
