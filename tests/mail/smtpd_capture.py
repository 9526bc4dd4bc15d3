#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) on loopback that captures every message.

Each accepted message is written to DIR/msg-N.eml (the DATA exactly as
received) and DIR/msg-N.json (envelope sender, recipients, TLS, AUTH).
Every command the tests care about is appended to DIR/events.log, so a test
can count connections and attempts.  Knobs for the failure cases:

  --reply ADDR=CODE      answer RCPT TO:<ADDR> with CODE (451, 550 ...)
  --data-delay SECONDS   after saving a message, wait before the 250 reply
                         (only for the first DATA); DIR/data-received-N is
                         written before the wait so the test knows when
  --rcpt-delay ADDR=SECONDS  wait before answering RCPT for ADDR (first time)
  --data-reply SUBJECT=CODE  answer the end of data with CODE (and keep
                         nothing) for a message whose Subject contains SUBJECT
  --tls-cert F --tls-key F   offer STARTTLS with this certificate
  --require-starttls     refuse mail until STARTTLS
  --auth USER:PASS       offer AUTH PLAIN/LOGIN and require it

Run with Debian's python3 (it carries aiosmtpd):
  /usr/bin/python3 smtpd_capture.py --port P --dir D --ready D/ready
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Capture:
    def __init__(self, args):
        self.dir = args.dir
        self.replies = dict(r.split("=", 1) for r in args.reply)
        self.rcpt_delay = {a: float(s) for a, s in (r.split("=", 1) for r in args.rcpt_delay)}
        self.data_delay = args.data_delay
        self.data_reply = [r.split("=", 1) for r in args.data_reply]
        self.n = 0

    def event(self, line):
        with open(os.path.join(self.dir, "events.log"), "a") as f:
            f.write(line + "\n")

    async def handle_MAIL(self, server, session, envelope, address, options):
        self.event("MAIL %s" % address)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.rcpt_delay:
            delay = self.rcpt_delay.pop(address)
            self.event("RCPT-WAIT %s" % address)
            open(os.path.join(self.dir, "rcpt-wait"), "w").close()
            await asyncio.sleep(delay)
        code = self.replies.get(address)
        if code:
            self.event("RCPT %s %s" % (address, code))
            text = "try again later" if code.startswith("4") else "no such user here"
            return "%s %s" % (code, text)
        self.event("RCPT %s 250" % address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or b""
        for subject, code in self.data_reply:
            if ("Subject: " + subject).encode() in content:
                self.event("DATA-REFUSED %s" % code)
                return "%s message refused at end of data" % code
        self.n += 1
        n = self.n
        base = os.path.join(self.dir, "msg-%d" % n)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        with open(base + ".tmp", "wb") as f:
            f.write(data)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth": (session.auth_data.login.decode()
                     if isinstance(session.auth_data, LoginPassword) else None),
        }
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".tmp", base + ".eml")
        self.event("DATA %d %s" % (n, ",".join(envelope.rcpt_tos)))
        if self.data_delay:
            delay, self.data_delay = self.data_delay, 0
            open(os.path.join(self.dir, "data-received-%d" % n), "w").close()
            await asyncio.sleep(delay)
        return "250 OK queued as %d" % n


def make_authenticator(userpass):
    user, password = userpass.split(":", 1)

    def auth(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        # auth_data is kept on the session only if we hand it back;
        # handled=False makes aiosmtpd send the 535 itself
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)
    return auth


async def serve(args):
    handler = Capture(args)
    kw = {"hostname": "capture.test", "data_size_limit": 64 << 20}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kw["tls_context"] = ctx
        kw["require_starttls"] = args.require_starttls
    if args.auth:
        kw["authenticator"] = make_authenticator(args.auth)
        kw["auth_required"] = True
        kw["auth_require_tls"] = False
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, **kw), args.host, args.port)
    with open(args.ready, "w") as f:
        f.write(str(os.getpid()))
    async with server:
        await server.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--reply", action="append", default=[])
    p.add_argument("--rcpt-delay", action="append", default=[])
    p.add_argument("--data-delay", type=float, default=0)
    p.add_argument("--data-reply", action="append", default=[])
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth")
    args = p.parse_args()
    if not args.host.startswith("127."):
        sys.exit("smtpd_capture: loopback only")
    os.makedirs(args.dir, exist_ok=True)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
