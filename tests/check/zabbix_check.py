#!/usr/bin/python3
"""zabbix_check.py TEMPLATE.yaml MIBPATH RECORD.snmprec: check a Zabbix
template export for HEADROOM-STORAGE-MIB.  Prints TAP lines ("ok - ...",
"not ok - ..."); exits 1 if any check failed.

Checks: the YAML parses; it is a Zabbix 6.0/6.4 export with one template;
UUIDs are version-4 form and unique; item keys are unique; dependent items
name an existing master; every OID (snmp_oid, walk[], discovery[],
SNMP_WALK_VALUE, SNMP_WALK_TO_JSON) translates with net-snmp's
snmptranslate to a HEADROOM-STORAGE-MIB name; every trigger expression
references this template and existing item keys; every user macro is
defined; every LLD macro is produced by the discovery rule; every OID a
device item polls is served for device 1 by the snmpsim record, with a type
that fits the item's value type.  The JavaScript preprocessing steps run
under zabbix_js (Zabbix's own Duktape engine), or node without it, on sample input: hex that net-snmp
prints for a UTF-8 string becomes text, hex-looking ASCII stays, an empty
serial is labelled "no serial", and discovery fails with an error when the
agent does not serve the MIB (no hdrmAgentVersion.0)."""
import json
import re
import shutil
import subprocess
import sys

import yaml

failures = 0


def tap(cond, name, *diag):
    global failures
    print('%s - %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1
        for d in diag:
            print('# %s' % d)


def walk_dicts(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk_dicts(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_dicts(v)


def oids_of(item):
    """(oid, how) pairs an item or discovery rule polls or reads."""
    out = []
    s = item.get('snmp_oid', '')
    m = re.fullmatch(r'(walk|discovery)\[(.*)\]', s)
    if m:
        parts = m.group(2).split(',')
        if m.group(1) == 'discovery':
            parts = parts[1::2]          # {#MACRO},OID pairs
        out += [(p, m.group(1)) for p in parts]
    elif s:
        out.append((s, 'get'))
    for p in item.get('preprocessing', []):
        if p['type'] == 'SNMP_WALK_VALUE':
            out.append((p['parameters'][0], 'walk-value'))
        elif p['type'] == 'SNMP_WALK_TO_JSON':
            out += [(o, 'walk-to-json') for o in p['parameters'][1::3]]
    return out


def translate(oids, mibpath):
    if not oids:
        return {}
    r = subprocess.run(['snmptranslate', '-M', mibpath, '-m', 'HEADROOM-STORAGE-MIB']
                       + ['.' + o for o in oids], capture_output=True, text=True)
    names = [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]
    return dict(zip(oids, names)) if len(names) == len(oids) else {o: '?' for o in oids}


NODE_HARNESS = r"""
var inp = JSON.parse(require('fs').readFileSync(0, 'utf8'));
try {
    var r = (new Function('value', inp.body))(inp.value);
    process.stdout.write(JSON.stringify({ok: true, result: r}));
} catch (e) {
    process.stdout.write(JSON.stringify({ok: false, error: String(e)}));
}
"""


def run_js(body, value):
    """Run a Zabbix JavaScript step; {'ok': .., 'result'|'error': ..}.
    With zabbix_js (Debian's zabbix-server packages) in Zabbix's own
    Duktape, else under node (more lenient: ES5 is not enforced)."""
    if shutil.which('zabbix_js'):
        import tempfile
        with tempfile.NamedTemporaryFile('w', suffix='.js') as sf, \
                tempfile.NamedTemporaryFile('w', suffix='.in') as vf:
            sf.write(body)
            sf.flush()
            vf.write(value)
            vf.flush()
            r = subprocess.run(['zabbix_js', '-s', sf.name, '-i', vf.name],
                               capture_output=True, text=True)
        # zabbix_js prints a newline, the result and a newline
        out = r.stdout[1:-1] if r.stdout.startswith('\n') else r.stdout
        if r.returncode == 0:
            return dict(ok=True, result=out)
        return dict(ok=False, error=(r.stdout + r.stderr).strip())
    r = subprocess.run(['node', '-e', NODE_HARNESS], input=json.dumps(dict(body=body, value=value)),
                       capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return dict(ok=False, error='node: ' + r.stderr.strip()[:200])


UTF8_HEX = '4D C3 BC 6C 6C 65 72 20 E2 80 93 20 53 53 44'    # "Müller – SSD"
UTF8_TEXT = 'Müller – SSD'


def check_js(rule, items, agent_oid):
    """The JavaScript steps do what the template says (see the docstring)."""
    if not shutil.which('zabbix_js') and not shutil.which('node'):
        print('ok - JavaScript steps # SKIP neither zabbix_js nor node is installed')
        return
    print('# JavaScript steps run with %s' % ('zabbix_js (Duktape)' if shutil.which('zabbix_js')
                                             else 'node'))
    steps = rule.get('preprocessing', [])
    kinds = [p['type'] for p in steps]
    lld_rows = [{'{#SNMPINDEX}': '1', '{#NAME}': 'sda', '{#SERIAL}': 'S3Z9NB0K123456', '{#MODEL}': 'X'},
                {'{#SNMPINDEX}': '2', '{#NAME}': 'sdb', '{#SERIAL}': '', '{#MODEL}': UTF8_HEX},
                {'{#SNMPINDEX}': '3', '{#NAME}': 'sdc', '{#SERIAL}': '12 34', '{#MODEL}': 'AB'}]
    native = 'SNMP_WALK_TO_JSON' not in kinds
    for n, p in enumerate(steps):
        if p['type'] != 'JAVASCRIPT':
            continue
        body = p['parameters'][0]
        before_json = 'SNMP_WALK_TO_JSON' in kinds[n + 1:]
        if before_json:
            # 6.4: the walk[] text, with and without hdrmAgentVersion.0.
            walk = '.%s.0 = STRING: "headroomd 0.1.0"\n.%s = STRING: "sda"' % (agent_oid, '1.3.6.1.4.1.1.2')
            r = run_js(body, walk)
            tap(r.get('ok') and r.get('result') == walk, 'walk check passes a walk with hdrmAgentVersion.0', r)
            r = run_js(body, '.1.3.6.1.4.1.1.2 = STRING: "x"')
            tap(not r.get('ok') and 'headroomd' in r.get('error', ''),
                'walk check fails, naming headroomd, without hdrmAgentVersion.0', r)
            r = run_js(body, '')
            tap(not r.get('ok'), 'walk check fails on an empty walk (subagent gone)', r)
            continue
        rows = [dict(x) for x in lld_rows]
        if native:
            rows = [{'{#SNMPINDEX}': '0', '{#AGENT}': 'headroomd 0.1.0'}] + rows
        r = run_js(body, json.dumps(rows))
        out = json.loads(r['result']) if r.get('ok') else []
        by = {x.get('{#NAME}'): x for x in out}
        tap(r.get('ok') and len(out) == 3, 'discovery step keeps the 3 devices', r)
        tap(by.get('sda', {}).get('{#SERIAL.LABEL}') == 'S3Z9NB0K123456'
            and by.get('sdb', {}).get('{#SERIAL.LABEL}') == 'no serial',
            'discovery step: {#SERIAL.LABEL} is the serial, or "no serial"', out)
        if native:
            tap(by.get('sdb', {}).get('{#MODEL}') == UTF8_TEXT,
                'discovery step turns net-snmp hex of UTF-8 into text', by.get('sdb'))
            tap(by.get('sdc', {}).get('{#SERIAL}') == '12 34' and by.get('sdc', {}).get('{#MODEL}') == 'AB',
                'discovery step leaves hex-looking ASCII alone', by.get('sdc'))
            tap(all('{#AGENT}' not in x for x in out), 'discovery step drops the agent row')
            r = run_js(body, json.dumps(lld_rows))
            tap(not r.get('ok') and 'headroomd' in r.get('error', ''),
                'discovery fails, naming headroomd, without hdrmAgentVersion', r)
            r = run_js(body, '[]')
            tap(not r.get('ok'), 'discovery fails on an empty walk (subagent gone)', r)
    for x in items:
        for p in x.get('preprocessing', []):
            if p['type'] != 'JAVASCRIPT':
                continue
            r = run_js(p['parameters'][0], UTF8_HEX)
            tap(r.get('result') == UTF8_TEXT, '%s: JavaScript turns hex of UTF-8 into text' % x['key'], r)
            r = run_js(p['parameters'][0], '2B2QEXM7')
            tap(r.get('result') == '2B2QEXM7', '%s: JavaScript keeps text as it is' % x['key'], r)


def load_record(path):
    rec = {}
    with open(path) as f:
        for line in f:
            oid, tag, value = line.rstrip('\n').split('|', 2)
            rec[oid] = tag
    return rec


def main():
    path, mibpath, recpath = sys.argv[1:4]
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
        tap(True, 'YAML parses')
    except (OSError, yaml.YAMLError) as e:
        tap(False, 'YAML parses', str(e))
        return 1
    exp = doc.get('zabbix_export', {}) if isinstance(doc, dict) else {}
    ver = exp.get('version')
    tap(ver in ('6.0', '6.4'), 'zabbix_export version 6.0 or 6.4', 'got %r' % ver)
    groups_key = 'groups' if ver == '6.0' else 'template_groups'
    tap(bool(exp.get(groups_key)), 'has %s' % groups_key)
    tpls = exp.get('templates', [])
    tap(len(tpls) == 1, 'one template')
    if len(tpls) != 1:
        return 1
    t = tpls[0]
    tname = t.get('template')
    tap(tname == 'Template Storage headroom SNMP', 'template is "Template Storage headroom SNMP"')
    tgroups = {g['name'] for g in exp.get(groups_key, [])}
    tap(all(g['name'] in tgroups for g in t.get('groups', [])) and t.get('groups'),
        'template groups are declared')

    uuids = [d['uuid'] for d in walk_dicts(exp) if 'uuid' in d]
    bad = [u for u in uuids if not re.fullmatch(r'[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}', str(u))]
    tap(not bad, 'all %d UUIDs are 32-hex version 4' % len(uuids), *bad)
    tap(len(set(uuids)) == len(uuids), 'UUIDs are unique')

    items = t.get('items', [])
    rules = t.get('discovery_rules', [])
    tap(len(rules) == 1, 'one discovery rule')
    protos = [p for r in rules for p in r.get('item_prototypes', [])]
    keys = [i['key'] for i in items]
    pkeys = [p['key'] for p in protos]
    allkeys = keys + pkeys + [r['key'] for r in rules]
    tap(len(set(allkeys)) == len(allkeys), 'item, prototype and rule keys are unique')
    types = {'SNMP_AGENT', 'DEPENDENT'}
    vtypes = {'FLOAT', 'CHAR', 'LOG', 'UNSIGNED', 'TEXT'}
    badtype = [x['key'] for x in items + protos + rules
               if x.get('type') not in types or x.get('value_type', 'UNSIGNED') not in vtypes]
    tap(not badtype, 'item types and value types are valid', *badtype)
    nooid = [x['key'] for x in items + protos + rules
             if x['type'] == 'SNMP_AGENT' and not x.get('snmp_oid')]
    tap(not nooid, 'every SNMP item has an snmp_oid', *nooid)
    badmaster = [x['key'] for x in items + protos + rules
                 if x['type'] == 'DEPENDENT' and x.get('master_item', {}).get('key') not in keys]
    tap(not badmaster, 'every dependent item names an existing master item', *badmaster)

    # OIDs resolve to our MIB.
    pairs = []
    for x in items + protos + rules:
        for oid, how in oids_of(x):
            pairs.append((x['key'], oid, how))
    tap(len(pairs) >= len(protos) + 2, 'found %d OIDs to check' % len(pairs))
    stripped = sorted({re.sub(r'\.\{#SNMPINDEX\}$', '', o) for _, o, _ in pairs})
    badfmt = [o for o in stripped if not re.fullmatch(r'1(\.\d+)+', o)]
    tap(not badfmt, 'OIDs are numeric (after .{#SNMPINDEX})', *badfmt)
    names = translate([o for o in stripped if o not in badfmt], mibpath)
    names_rev = {n.split('::')[-1]: o for o, n in names.items()}
    badname = ['%s -> %s' % (o, n) for o, n in names.items()
               if not re.fullmatch(r'HEADROOM-STORAGE-MIB::hdrm\w+(\.0)?', n)]
    tap(not badname and names, 'all %d OIDs translate to HEADROOM-STORAGE-MIB names' % len(names),
        *badname)
    walked = [n for o, n in names.items()
              if any(o == re.sub(r'\.\{#SNMPINDEX\}$', '', p) and h != 'get' and h != 'walk-value'
                     for _, p, h in pairs)]
    tap(any('hdrmDevName' in n for n in walked) and any('hdrmDevSerial' in n for n in walked)
        or any(n.endswith('hdrmDeviceEntry') for n in walked),
        'discovery reads hdrmDevName and hdrmDevSerial', *walked)
    want_cols = {'hdrmDevUsedPercent', 'hdrmDevCapacity', 'hdrmDevUsed',
                 'hdrmDevPeakWrites', 'hdrmDevFirmware'}
    proto_cols = set()
    for p in protos:
        for oid, how in oids_of(p):
            n = names.get(re.sub(r'\.\{#SNMPINDEX\}$', '', oid), '')
            proto_cols.add(n.split('::')[-1])
            tap(oid.endswith('.{#SNMPINDEX}'), 'prototype %s polls column.{#SNMPINDEX}' % p['key'])
    tap(want_cols <= proto_cols, 'prototypes for used percent, capacity, used, peak writes, firmware',
        'missing: %s' % (want_cols - proto_cols))

    # LLD macros: produced by the rule, used by the prototypes.
    produced = {'{#SNMPINDEX}'}
    for r in rules:
        m = re.fullmatch(r'discovery\[(.*)\]', r.get('snmp_oid', ''))
        if m:
            produced |= set(m.group(1).split(',')[0::2])
        for pp in r.get('preprocessing', []):
            if pp['type'] == 'SNMP_WALK_TO_JSON':
                produced |= set(pp['parameters'][0::3])
            elif pp['type'] == 'JAVASCRIPT':      # r['{#X}'] = ...
                produced |= set(re.findall(r"\['(\{#[\w.]+\})'\]\s*=[^=]", pp['parameters'][0]))
    tap({'{#SERIAL}', '{#MODEL}', '{#SNMPINDEX}'} <= produced,
        'discovery provides {#SNMPINDEX}, {#SERIAL}, {#MODEL}', sorted(produced))
    used = set(re.findall(r'\{#[\w.]+\}', yaml.safe_dump(protos)))
    tap(used <= produced, 'prototypes use only LLD macros the rule provides',
        'unknown: %s' % (used - produced))

    tap('{#SERIAL.LABEL}' in produced, 'discovery provides {#SERIAL.LABEL}', sorted(produced))
    for r in rules:
        check_js(r, items + protos, names_rev.get('hdrmAgentVersion', ''))

    # Triggers.
    trigs = [(tr, False) for i in items for tr in i.get('triggers', [])]
    trigs += [(tr, False) for tr in t.get('triggers', [])]
    trigs += [(tr, True) for p in protos for tr in p.get('trigger_prototypes', [])]
    trigs += [(tr, True) for r in rules for tr in r.get('trigger_prototypes', [])]
    tap(len(trigs) >= 4, 'at least 4 triggers (%d)' % len(trigs))
    tnames = {tr['name']: tr['expression'] for tr, _ in trigs}
    for tr, proto in trigs:
        refs = re.findall(r'/([^/(),]+)/([^,()]+(?:\[[^\]]*\])?)', tr['expression'])
        ok_keys = set(keys) | (set(pkeys) if proto else set())
        badref = [h + '/' + k for h, k in refs if h != tname or k not in ok_keys]
        tap(refs and not badref, 'trigger "%s" references existing keys' % tr['name'],
            tr['expression'], *badref)
        tap(tr.get('priority') in ('NOT_CLASSIFIED', 'INFO', 'WARNING', 'AVERAGE', 'HIGH', 'DISASTER'),
            'trigger "%s" has a valid priority' % tr['name'])
        for dep in tr.get('dependencies', []):
            tap(tnames.get(dep['name']) == dep['expression'],
                'dependency of "%s" names an existing trigger' % tr['name'])
    macros = {m['macro']: m['value'] for m in t.get('macros', [])}
    tap(macros.get('{$HEADROOM.USED.WARN}') == '80' and macros.get('{$HEADROOM.USED.CRIT}') == '90',
        'macros {$HEADROOM.USED.WARN}=80 and {$HEADROOM.USED.CRIT}=90')
    umac = set(re.findall(r'\{\$[\w.]+\}', yaml.safe_dump([tr for tr, _ in trigs])))
    tap(umac <= set(macros), 'every user macro in triggers is defined', 'undefined: %s' % (umac - set(macros)))
    exprs = ' '.join(tr['expression'] for tr, _ in trigs)
    tap('{$HEADROOM.USED.WARN}' in exprs and '{$HEADROOM.USED.CRIT}' in exprs,
        'used percent triggers use both macros')
    tap(any('headroom.dev.firmware' in tr['expression'] for tr, _ in trigs),
        'a firmware trigger exists')

    # The record serves what the items poll, with fitting types.
    rec = load_record(recpath)
    numeric = {'2', '66', '67', '70'}
    string = {'4', '4x'}
    for x in items + protos:
        for oid, how in oids_of(x):
            if how in ('walk', 'discovery', 'walk-to-json'):
                continue
            inst = oid.replace('{#SNMPINDEX}', '1')
            tag = rec.get(inst)
            vt = x.get('value_type', 'UNSIGNED')
            fits = tag in (string if vt in ('CHAR', 'TEXT', 'LOG') else numeric)
            tap(fits, '%s: %s is served by the record with a %s type' % (x['key'], inst, vt),
                'record tag: %s' % tag)
    return 1 if failures else 0


sys.exit(main())
