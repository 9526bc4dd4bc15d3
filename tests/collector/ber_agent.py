#!/usr/bin/python3
"""ber_agent.py [--oids OIDS_H] [--log FILE] PORT:MODE[:ROWS]...: misbehaving
SNMPv1/v2c agents for the poller tests, one UDP socket per PORT on 127.0.0.1,
with BER built and parsed here by hand (no SNMP library), so that any
misbehaviour can be played.

Each agent serves sysUpTime.0, hdrmAgentVersion.0, hdrmDeviceCount.0 and an
hdrmDeviceTable of ROWS rows (default 3: hdrmDevName, hdrmDevSerial
"S<PORT>-<i>", hdrmDevCapacity, hdrmDevRegNumber) to GET, GETNEXT, GETBULK
and SET (of hdrmDevRegNumber), whatever the community, and answers in the
version it was asked in.  MODE is one or more of these, joined by "+":
  ok         well-behaved
  lose1      drops the first walk request (GETNEXT/GETBULK), its
             retransmissions included (same request ID): one lost exchange
  fit=N      drops every reply longer than N bytes (as snmpsim does)
  nosuch=K   answers every GET with noSuchName, error-index K (0: the number
             of varbinds asked plus one, out of range)
  wrongid    answers with another request ID
  spoofport  first sends a forged reply (same request ID, serials "FORGED")
             from another port, then the real one
  spoofcomm  first sends a forged reply with another community from the
             right port, then the real one
  dropset    never answers a SET
  badtype    every value is a SEQUENCE (0x30), which net-snmp cannot parse
  endless    the table never ends (index grows forever)
  loop       every walk answer repeats the OIDs asked for (never increasing)
  backward   every walk answer goes back to the first row of the column
  badidx     rows with a two-part index (not hdrmDevIndex)
  toobig     every walk request gets tooBig
  delay=MS   every answer is sent MS milliseconds after the request came
             (the other agents are served meanwhile)
  values     7 rows of values that do not fit (issue 10): 1 capacity
             2^64-1; 2 only hdrmDevCapacityMiB, a Gauge32 of 2^32+7 in 5
             bytes; 3 a 1-byte Counter64 capacity (0xFF) under used 10^12;
             4 hdrmDevUsedPercent 2^32+50; 5 a serial of NUL bytes; 6 and 7
             300-byte serials that differ only at byte 281
With --log FILE, one line per request received: "PORT COMMAND REQID".  A
PORT of 0 takes a free port; --ports FILE gets the ports bound, one a line
in the order given, once all are bound.
Stops on SIGTERM.
"""
import os
import re
import heapq
import itertools
import select
import time
import signal
import socket
import sys

# ---- BER ------------------------------------------------------------------


def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + enc_len(len(body)) + body


def enc_int(v, tag=0x02):
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return tlv(tag, v.to_bytes(n, "big", signed=True))


def enc_uint(v, tag):
    b = v.to_bytes((v.bit_length() + 7) // 8 or 1, "big")
    if b[0] & 0x80:
        b = b"\0" + b
    return tlv(tag, b)


def enc_oid(o):
    out = bytearray([o[0] * 40 + o[1]])
    for s in o[2:]:
        chunk = [s & 0x7f]
        s >>= 7
        while s:
            chunk.append(0x80 | (s & 0x7f))
            s >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def dec_tlv(buf, pos):
    """(tag, body start, body end) of the TLV at POS."""
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7f
        if k == 0 or k > 4:
            raise ValueError("bad length")
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    if pos + n > len(buf):
        raise ValueError("truncated")
    return tag, pos, pos + n


def dec_seq(buf, start, end):
    items = []
    while start < end:
        t, s, e = dec_tlv(buf, start)
        items.append((t, s, e))
        start = e
    return items


def dec_int(buf, s, e):
    return int.from_bytes(buf[s:e], "big", signed=True)


def dec_oid(b):
    o = [b[0] // 40, b[0] % 40] if b[0] < 80 else [2, b[0] - 80]
    v = 0
    for c in b[1:]:
        v = (v << 7) | (c & 0x7f)
        if not c & 0x80:
            o.append(v)
            v = 0
    return tuple(o)


# Values: (tag, python value) encoded by enc_value; ("raw", bytes) is
# sent as it is (a TLV built by hand).
def enc_value(tv):
    tag, v = tv
    if tag == "raw":
        return v
    if tag == 0x02:
        return enc_int(v)
    if tag == 0x04:
        return tlv(0x04, v if isinstance(v, bytes) else v.encode())
    if tag in (0x41, 0x42, 0x43, 0x46):
        return enc_uint(v, tag)
    return tlv(tag, b"")          # NULL and the exceptions


NULL, NOSUCHOBJECT, NOSUCHINSTANCE, ENDOFMIB = 0x05, 0x80, 0x81, 0x82

# ---- the agent --------------------------------------------------------------


def load_oids(path):
    o = {}
    for line in open(path):
        m = re.match(r"#define HDRM_OID_(\w+) ([0-9,]+)\s*$", line)
        if m:
            o[m.group(1)] = tuple(int(x) for x in m.group(2).split(","))
    return o


class Agent:
    def __init__(self, port, mode, rows, O, log):
        self.port, self.rows, self.log = port, rows, log
        self.mode = {}
        for m in mode.split("+"):
            k, _, v = m.partition("=")
            self.mode[k] = int(v) if v else True
        self.O = O
        self.entry = O["hdrmDeviceEntry"]
        self.regcol = O["hdrmDevRegNumber"][-1]
        self.reg = {}
        self.lost_id = None
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.other = None

    # the MIB: a sorted list is built lazily for the table
    def scalars(self, forged):
        return {
            (1, 3, 6, 1, 2, 1, 1, 3, 0): (0x43, 4242),
            self.O["hdrmAgentVersion"] + (0,): (0x04, "forged" if forged else "ber 1"),
            self.O["hdrmDeviceCount"] + (0,): (0x42, self.rows),
        }

    def values_cell(self, col, i):
        """The 'values' mode's rows: what does not fit its column's type."""
        long_serial = "LONG" + "A" * 276 + ("X" if i == 6 else "Y") + "A" * 19
        serial = {5: b"\0\0\0\0", 6: long_serial, 7: long_serial}.get(i, "V%d" % i)
        cap = {1: (0x46, 2**64 - 1), 2: None, 3: ("raw", tlv(0x46, b"\xff"))}.get(i, (0x46, 10**12))
        used = {2: None, 3: (0x46, 10**12)}.get(i, (0x46, 10**11 if i == 4 else 10**9))
        if col == 2:
            return (0x04, "disk%d" % i)
        if col == 3:
            return (0x04, serial)
        if col == 10:
            return cap
        if col == 11:
            return ("raw", tlv(0x42, (2**32 + 7).to_bytes(5, "big"))) if i == 2 else None
        if col == 14:
            return used
        if col == 16:
            return (0x02, 2**32 + 50) if i == 4 else None
        if col == self.regcol:
            return (0x04, self.reg.get(i, ""))
        return None

    def cell(self, col, i, forged):
        if "values" in self.mode:
            return self.values_cell(col, i)
        if col == 2:
            return (0x04, "disk%d" % i)
        if col == 3:
            return (0x04, ("FORGED-%d" if forged else "S%d-%%d" % self.port) % i)
        if col == 10:
            return (0x46, 1000000000 * i)
        if col == self.regcol:
            return (0x04, self.reg.get(i, ""))
        return None

    def cols(self):
        if "values" in self.mode:
            return [2, 3, 10, 11, 14, 16, self.regcol]
        return [2, 3, 10, self.regcol]

    def get(self, o, forged):
        sc = self.scalars(forged)
        if o in sc:
            return sc[o]
        e = self.entry
        if len(o) == len(e) + 2 and o[:len(e)] == e and o[len(e)] in self.cols():
            i = o[len(e) + 1]
            if 1 <= i <= self.rows or ("endless" in self.mode and i >= 1):
                return self.cell(o[len(e)], i, forged)
        return None

    def next(self, o, forged):
        """(oid, value) following O, or None at the end of the MIB."""
        sc = sorted(self.scalars(forged).items())
        for k, v in sc:
            if k > o and k < self.entry:
                return k, v
        e = self.entry
        for col in self.cols():
            base = e + (col,)
            if o >= base + (1 << 32,):
                continue
            if o < base:
                i = 1
            elif len(o) > len(base) and o[:len(base)] == base:
                i = o[len(base)] + 1
            else:
                i = 1
            while i <= self.rows or "endless" in self.mode:
                v = self.cell(col, i, forged)
                if v is not None:            # an absent cell is skipped
                    return base + (i,), v
                i += 1
        return None

    def answer(self, ver, comm, cmd, reqid, f1, f2, vbs, forged=False):
        """The varbinds and error of the reply to one request."""
        v1 = ver == 0
        out, err, eidx = [], 0, 0
        if cmd == 0xa0:                                   # GET
            if "nosuch" in self.mode:
                k = self.mode["nosuch"]
                return [(o, (NULL, None)) for o in vbs], 2, k if k else len(vbs) + 1
            for n, o in enumerate(vbs):
                v = self.get(o, forged)
                if v is None:
                    if v1:
                        return [(o, (NULL, None)) for o in vbs], 2, n + 1
                    v = (NOSUCHOBJECT, None)
                out.append((o, v))
        elif (cmd == 0xa1 or cmd == 0xa5) and self.walk_mode():
            return self.hostile_walk(cmd, f2, vbs)
        elif cmd == 0xa1 or cmd == 0xa5:                  # GETNEXT, GETBULK
            nonrep, rep = (f1, f2) if cmd == 0xa5 else (len(vbs), 0)
            cur = list(vbs)
            for n, o in enumerate(vbs[:nonrep]):
                nx = self.next(o, forged)
                if nx is None:
                    if v1:
                        return [(o, (NULL, None)) for o in vbs], 2, n + 1
                    nx = (o, (ENDOFMIB, None))
                out.append(nx)
            rest = cur[nonrep:]
            for _ in range(max(rep, 0)):
                for j, o in enumerate(rest):
                    nx = self.next(o, forged) or (o, (ENDOFMIB, None))
                    out.append(nx)
                    rest[j] = nx[0]
        elif cmd == 0xa3:                                 # SET
            e = self.entry
            for n, (o, val) in enumerate(vbs):
                if len(o) == len(e) + 2 and o[:len(e) + 1] == e + (self.regcol,) \
                        and 1 <= o[-1] <= self.rows:
                    self.reg[o[-1]] = val
                    out.append((o, (0x04, val)))
                else:
                    return [(o, (NULL, None)) for o, _ in vbs], 17, n + 1  # notWritable
        return out, err, eidx

    def walk_mode(self):
        return any(m in self.mode for m in ("loop", "backward", "badidx", "toobig"))

    def hostile_walk(self, cmd, rep, vbs):
        """A walk answer of the loop/backward/badidx/toobig modes."""
        if "toobig" in self.mode:
            return [(o, (NULL, None)) for o in vbs], 1, 0
        e, out = self.entry, []
        for r in range(max(rep, 1) if cmd == 0xa5 else 1):
            for o in vbs:
                col = o[len(e)] if len(o) > len(e) and o[:len(e)] == e else None
                if "loop" in self.mode:
                    out.append((o, (0x04, "again")))
                elif "backward" in self.mode:
                    out.append((e + (col or 2, 1), (0x04, "back")))
                elif col:
                    out.append((e + (col, 1, 1 + r), (0x04, "two-part")))
                else:
                    out.append((o, (ENDOFMIB, None)))
        return out, 0, 0

    def reply(self, ver, comm, reqid, vbs, err, eidx):
        if "badtype" in self.mode:
            vbs = [(o, (0x30, None)) for o, _ in vbs]
        body = b"".join(tlv(0x30, enc_oid(o) + enc_value(v)) for o, v in vbs)
        pdu = enc_int(reqid) + enc_int(err) + enc_int(eidx) + tlv(0x30, body)
        return tlv(0x30, enc_int(ver) + tlv(0x04, comm) + tlv(0xa2, pdu))

    def handle(self, data, peer):
        try:
            t, s, e = dec_tlv(data, 0)
            (tv, sv, ev), (tc, sc, ec), (tp, sp, ep) = dec_seq(data, s, e)[:3]
            ver, comm, cmd = dec_int(data, sv, ev), bytes(data[sc:ec]), tp
            f = dec_seq(data, sp, ep)
            reqid, f1, f2 = (dec_int(data, a, b) for _, a, b in f[:3])
            vbs = []
            for _, a, b in dec_seq(data, f[3][1], f[3][2]):
                (to, so, eo), (tval, sval, evl) = dec_seq(data, a, b)[:2]
                o = dec_oid(data[so:eo])
                vbs.append((o, bytes(data[sval:evl]).decode("latin-1")) if cmd == 0xa3 else o)
        except (ValueError, IndexError):
            return
        if self.log:
            self.log.write("%d %02x %d\n" % (self.port, cmd, reqid))
            self.log.flush()
        if cmd == 0xa3 and "dropset" in self.mode:
            return
        if cmd in (0xa1, 0xa5) and "lose1" in self.mode:
            if self.lost_id is None:
                self.lost_id = reqid
            if reqid == self.lost_id:
                return
        out, err, eidx = self.answer(ver, comm, cmd, reqid, f1, f2, vbs)
        msg = self.reply(ver, comm, reqid + (1 if "wrongid" in self.mode else 0), out, err, eidx)
        if "fit" in self.mode and len(msg) > self.mode["fit"]:
            return
        if "spoofport" in self.mode or "spoofcomm" in self.mode:
            fout, ferr, feidx = self.answer(ver, comm, cmd, reqid, f1, f2, vbs, forged=True) \
                if cmd != 0xa3 else (out, err, eidx)
            if "spoofport" in self.mode:
                if self.other is None:
                    self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    self.other.bind(("127.0.0.1", 0))
                self.other.sendto(self.reply(ver, comm, reqid, fout, ferr, feidx), peer)
            else:
                self.sock.sendto(self.reply(ver, b"forged", reqid, fout, ferr, feidx), peer)
        if "delay" in self.mode:
            heapq.heappush(PENDING, (time.monotonic() + self.mode["delay"] / 1000.0,
                                     next(SEQ), self.sock, msg, peer))
            return
        send(self.sock, msg, peer)


# Answers of the delay mode: (due, seq, socket, message, peer).
PENDING = []
SEQ = itertools.count()


def send(sock, msg, peer):
    try:
        sock.sendto(msg, peer)
    except OSError:
        pass


def main():
    args = sys.argv[1:]
    oids, logf, portsf = "build/gen/hdrm_oids.h", None, None
    while args and args[0].startswith("--"):
        if args[0] == "--oids":
            oids = args[1]
        elif args[0] == "--log":
            logf = open(args[1], "a")
        elif args[0] == "--ports":
            portsf = args[1]
        args = args[2:]
    O = load_oids(oids)
    agents = {}
    for a in args:
        p = a.split(":")
        ag = Agent(int(p[0]), p[1] if len(p) > 1 else "ok", int(p[2]) if len(p) > 2 else 3, O, logf)
        agents[ag.sock.fileno()] = ag
    if portsf:
        with open(portsf + ".tmp", "w") as f:
            f.write("".join("%d\n" % ag.port for ag in agents.values()))
        os.rename(portsf + ".tmp", portsf)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        wait = max(0.0, PENDING[0][0] - time.monotonic()) if PENDING else None
        r, _, _ = select.select(list(agents), [], [], wait)
        while PENDING and PENDING[0][0] <= time.monotonic():
            _, _, sock, msg, peer = heapq.heappop(PENDING)
            send(sock, msg, peer)
        for fd in r:
            ag = agents[fd]
            data, peer = ag.sock.recvfrom(65535)
            ag.handle(data, peer)


if __name__ == "__main__":
    main()
