#!/usr/bin/python3
"""check_walks.py HEADROOM PORT TSV: run `headroom profiles test` against
every walk of the expectation table (served by snmpsim under the walk's
name as community) and compare profile, serial, vendor, model, firmware,
volumes counted, capacity, used and the presence of write counters with the
values worked out by hand from the walk data.  TAP on stdout."""
import csv
import subprocess
import sys

headroom, port, tsv = sys.argv[1:4]
rows = list(csv.DictReader(open(tsv), delimiter='\t'))
for r in rows:
    res = subprocess.run([headroom, 'profiles', 'test', '-p', port, '-t', '5', '-c', r['walk'],
                          '127.0.0.1'], capture_output=True, text=True)
    g = {}
    for line in res.stdout.splitlines():
        if not line.startswith('  '):
            g[line[:12].strip()] = line[12:].strip()
    prof = g.get('profile', 'none').split(' ')[0]
    ser = g.get('serial', '-')
    ser = 'none' if ser.startswith('none') else ser
    known = 'capacity' in g and not g['capacity'].startswith('unknown')
    got = {
        'profile': prof,
        'serial': ser,
        'vendor': g.get('vendor', '-'),
        'model': g.get('model', '-'),
        'firmware': g.get('firmware', '-'),
        'volumes': g.get('volumes', '0').split(' ')[0],
        'capacity_bytes': g['capacity'].split(' ')[0] if known else 'none',
        'used_bytes': g['used'].split(' ')[0] if known else 'none',
        'writes': 'no' if g.get('writes', 'none').startswith('none') else 'yes',
    }
    if res.returncode not in (0, 1):
        print(f"not ok - {r['walk']}: headroom profiles test exited {res.returncode}")
        print('# ' + res.stderr.replace('\n', '\n# '))
        continue
    for k, v in got.items():
        want = r[k].replace('-', 'none') if r[k] == '-' else r[k]
        have = 'none' if v == '-' else v
        if want == have:
            print(f"ok - {r['walk']}: {k} {want}")
        else:
            print(f"not ok - {r['walk']}: {k}")
            print(f"#   got  '{have}'\n#   want '{want}'")
