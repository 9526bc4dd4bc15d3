#!/usr/bin/python3
"""hostile_agent.py PORT OIDS_H: a misbehaving SNMPv2c agent on 127.0.0.1:PORT
for the poller tests, built on pysnmp's message API (no hand-made BER).

It answers GET for sysUpTime.0 and hdrmAgentVersion.0 and misbehaves on
GETNEXT/GETBULK according to the community:
  loop     every walk answer repeats the OIDs asked for (never increasing)
  backward every walk answer goes back to the first row of the column
  badidx   rows with a two-part index (not hdrmDevIndex)
  endless  a table that never ends (index grows forever)
  toobig   every walk request gets tooBig
  ok       one well-formed row, so the agent itself is known to work
Stops on SIGTERM.
"""
import re
import socket
import sys

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

P = api.protoModules[api.protoVersion2c]


def load_oids(path):
    o = {}
    for line in open(path):
        m = re.match(r"#define HDRM_OID_(\w+) ([0-9,]+)\s*$", line)
        if m:
            o[m.group(1)] = tuple(int(x) for x in m.group(2).split(","))
    return o


def main():
    port, O = int(sys.argv[1]), load_oids(sys.argv[2])
    entry = O["hdrmDeviceEntry"]
    uptime = (1, 3, 6, 1, 2, 1, 1, 3, 0)
    version = O["hdrmAgentVersion"] + (0,)
    serial_col = O["hdrmDevSerial"][-1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        data, peer = s.recvfrom(65535)
        try:
            msg, _ = decoder.decode(data, asn1Spec=P.Message())
        except Exception:
            continue
        mode = str(P.apiMessage.getCommunity(msg))
        req = P.apiMessage.getPDU(msg)
        rsp = P.apiMessage.getResponse(msg)
        pdu = P.apiMessage.getPDU(rsp)
        asked = [tuple(o) for o, _ in P.apiPDU.getVarBinds(req)]
        out = []
        if req.isSameTypeWith(P.GetRequestPDU()):
            for o in asked:
                if o == uptime:
                    out.append((o, P.TimeTicks(4242)))
                elif o == version:
                    out.append((o, P.OctetString("hostile 1")))
                else:
                    out.append((o, P.NoSuchObject()))
        else:
            rep = 1
            if req.isSameTypeWith(P.GetBulkRequestPDU()):
                rep = max(1, int(P.apiBulkPDU.getMaxRepetitions(req)))
            if mode == "toobig":
                P.apiPDU.setErrorStatus(pdu, 1)
                out = [(o, P.Null()) for o in asked]
            else:
                for r in range(rep):
                    for o in asked:
                        col = o[len(entry)] if len(o) > len(entry) and o[:len(entry)] == entry else None
                        if mode == "loop":
                            out.append((o, P.OctetString("again")))
                        elif mode == "backward":
                            out.append((entry + (col or 2, 1), P.OctetString("back")))
                        elif mode == "badidx" and col:
                            out.append((entry + (col, 1, 1 + r), P.OctetString("two-part")))
                        elif mode == "endless" and col:
                            idx = (o[len(entry) + 1] if len(o) > len(entry) + 1 else 0) + 1 + r
                            out.append((entry + (col, idx), P.OctetString("more")))
                        elif mode == "ok" and col and len(o) == len(entry) + 1:
                            v = P.OctetString("SER-OK") if col == serial_col else P.Gauge32(1)
                            out.append((entry + (col, 1), v))
                        else:
                            out.append((o, P.EndOfMibView()))
                    if mode == "ok":
                        break
        P.apiPDU.setVarBinds(pdu, out)
        try:
            s.sendto(encoder.encode(rsp), peer)
        except OSError:
            pass


if __name__ == "__main__":
    main()
