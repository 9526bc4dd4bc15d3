#!/usr/bin/python3
"""walkcmp.py RECORD [--no-counter64] < WALK: compare an snmpwalk of an
snmpsim agent with the .snmprec file it serves.

WALK is the output of `snmpwalk -On -Oe -Ox` (numeric OIDs and enums,
every string in hex).  Every record line must come
back once, in the same order, with the same type and value; nothing else
may come back.  --no-counter64 drops the record's Counter64 lines, which
an SNMPv1 walk cannot see (RFC 3584 section 4.2.2.1).  Prints one line
per difference and exits 1 if there is any."""
import re
import sys

TYPES = {'Hex-STRING': '4', 'STRING': '4', 'OID': '6', 'INTEGER': '2',
         'Gauge32': '66', 'Timeticks': '67', 'Counter64': '70'}


def load_record(path, no_c64):
    want = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            oid, tag, value = line.split('|', 2)
            if tag == '4':
                value = value.encode('utf-8').hex()
            elif tag == '4x':
                tag, value = '4', value.lower()
            elif tag == '6':
                value = '.' + value
            if no_c64 and tag == '70':
                continue
            want.append(('.' + oid, tag, value))
    return want


def load_walk(text):
    got, cur = [], None
    for line in text.splitlines():
        m = re.match(r'^(\.[\d.]+) = (?:([\w-]+): )?(.*)$', line)
        if line.startswith('End of MIB') or (m and m.group(3).startswith('No more variables')):
            continue        # how snmpwalk says a v1 / v2c walk ended
        if m:
            if cur:
                got.append(cur)
            cur = [m.group(1), m.group(2), m.group(3)]
        elif cur is not None:
            cur[2] += ' ' + line          # a wrapped Hex-STRING
    if cur:
        got.append(cur)
    out = []
    for oid, typ, value in got:
        if typ is None and value == '""':
            typ, value = 'STRING', ''
        tag = TYPES.get(typ, typ)
        if tag == '4':
            value = value.replace(' ', '').strip('"').lower()
        elif tag == '67':
            value = re.sub(r'^\((\d+)\).*', r'\1', value)
        out.append((oid, tag, value.strip()))
    return out


def main():
    want = load_record(sys.argv[1], '--no-counter64' in sys.argv[2:])
    got = load_walk(sys.stdin.read())
    bad = 0
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        if w != g:
            print('line %d: want %s, got %s' % (i + 1, w, g))
            bad += 1
            if bad > 10:
                break
    print('%d record lines, %d walked, %d differences' % (len(want), len(got), bad))
    return 1 if bad else 0


sys.exit(main())
