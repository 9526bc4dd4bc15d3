#!/usr/bin/python3
"""prep_walks.py SRC_DIR DST_DIR: copy the snmprec walks of SRC_DIR into
DST_DIR as snmpsim serves them: lines sorted by OID, blank lines and lines
whose OID is not numeric (anonymised 'xx' arcs) dropped, the first of
duplicate OIDs kept (../shared/walks/README.md, "Serving notes").  The
walks stay outside the repository; this only prepares a test's copy."""
import os
import sys

src, dst = sys.argv[1:3]
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not name.endswith('.snmprec'):
        continue
    seen, rows = set(), []
    with open(os.path.join(src, name), encoding='latin-1') as f:
        for line in f:
            line = line.rstrip('\n')
            oid = line.split('|', 1)[0]
            if not line.strip() or not all(p.isdigit() for p in oid.split('.')) or oid in seen:
                continue
            seen.add(oid)
            rows.append((tuple(int(p) for p in oid.split('.')), line))
    rows.sort()
    with open(os.path.join(dst, name), 'w', encoding='latin-1') as f:
        f.writelines(line + '\n' for _, line in rows)
