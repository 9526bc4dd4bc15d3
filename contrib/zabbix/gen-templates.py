#!/usr/bin/python3
"""gen-templates.py OIDS_H OUTDIR: write the Zabbix templates
"Template Storage headroom SNMP" for HEADROOM-STORAGE-MIB:

  OUTDIR/template_storage_headroom_snmp_6.0.yaml  Zabbix 6.0 LTS: native SNMP
      low-level discovery (discovery[] key) and one SNMP item per cell.
  OUTDIR/template_storage_headroom_snmp_6.4.yaml  Zabbix 6.4 and 7.0: one
      walk[] item of the device table, discovery and items dependent on it
      (SNMP_WALK_TO_JSON, SNMP_WALK_VALUE), one SNMP request per poll.

Zabbix 6.0 has no walk[] item (it came with 6.4), hence two files.  Every
OID is taken from OIDS_H (build/gen/hdrm_oids.h, generated from the MIB),
so the templates follow the ENTERPRISE setting of the Makefile.  UUIDs are
derived from names, so they stay the same from one generation to the next.
Needs PyYAML (Debian: python3-yaml).
"""
import hashlib
import os
import re
import sys

import yaml

TEMPLATE = 'Template Storage headroom SNMP'
GROUP = 'Templates/Storage devices'


def uuid4_from(*parts):
    """A stable UUID in the version-4 form Zabbix's importer requires."""
    h = list(hashlib.md5(':'.join(('headroom',) + parts).encode()).hexdigest())
    h[12] = '4'
    h[16] = '89ab'[int(h[16], 16) & 3]
    return ''.join(h)


def load_oids(path):
    oids = {}
    with open(path) as f:
        for line in f:
            m = re.match(r'#define HDRM_OID_(\w+) ([\d,]+)$', line.strip())
            if m:
                oids[m.group(1)] = m.group(2).replace(',', '.')
    if 'hdrmDeviceEntry' not in oids:
        sys.exit('gen-templates: %s has no hdrmDeviceEntry' % path)
    return oids


# JavaScript preprocessing (Zabbix runs it in Duktape: ES5 only).  Debian's
# Zabbix loads no MIB, so net-snmp prints any OCTET STRING with a byte
# outside printable ASCII (a UTF-8 serial, model or firmware) as hex
# ("45 56 C3 A9 ..."); Zabbix 6.0 has no preprocessing step that turns it
# back into text (6.4's SNMP walk steps do: their format parameter 1), so
# this function does.  It decodes only what decodes to UTF-8 text with a
# non-ASCII character and no control character: net-snmp prints printable
# ASCII as text, and HEADROOM-STORAGE-MIB strings carry no control
# characters (agents replace them), so a serial such as "12 34" stays.
JS_TEXT = r"""function text(v) {
    if (typeof v !== 'string' || !/^\s*([0-9A-Fa-f]{2}\s+)*[0-9A-Fa-f]{2}\s*$/.test(v))
        return v;
    var hex = v.replace(/\s+/g, ''), enc = '', i, c, t, wide = false;
    for (i = 0; i < hex.length; i += 2)
        enc += '%' + hex.substr(i, 2);
    try { t = decodeURIComponent(enc); } catch (e) { return v; }
    for (i = 0; i < t.length; i++) {
        c = t.charCodeAt(i);
        if (c < 32 || c === 127)
            return v;
        if (c > 127)
            wide = true;
    }
    return wide ? t : v;
}
"""

# Item value: text(value).
JS_ITEM_TEXT = JS_TEXT + "return text(value);"


def js_discovery(decode, agent_check):
    """The discovery rule's step on the LLD JSON: text for the string
    macros (6.0), {#SERIAL.LABEL} for item names (the serial, or 'no serial'
    when the device reports none), and with agent_check (6.0: the rule's
    discovery[] also reads hdrmAgentVersion, which comes as a row of index
    0) an error when the agent does not serve HEADROOM-STORAGE-MIB, instead
    of an empty discovery that leaves every item unsupported."""
    body = (JS_TEXT if decode else '') + r"""var rows = JSON.parse(value), out = [], agent = false, i, k, r;
if (!(rows instanceof Array))
    rows = rows.data || [];
for (i = 0; i < rows.length; i++) {
    r = rows[i];
    if (r['{#AGENT}'] !== undefined) {
        agent = true;
        continue;
    }
"""
    if decode:
        body += r"""    for (k in r)
        if (k !== '{#SNMPINDEX}')
            r[k] = text(r[k]);
"""
    body += r"""    r['{#SERIAL.LABEL}'] = r['{#SERIAL}'] ? r['{#SERIAL}'] : 'no serial';
    out.push(r);
}
"""
    if agent_check:
        body += NO_AGENT_THROW
    body += "return JSON.stringify(out);"
    return body


NO_AGENT = ('the agent does not serve HEADROOM-STORAGE-MIB (no hdrmAgentVersion.0): '
            'is headroomd running and registered with snmpd (master agentx)?')
NO_AGENT_THROW = "if (!agent)\n    throw '%s';\n" % NO_AGENT


def js_walk_check(agent_oid):
    """6.4: the walk[] carries hdrmAgentVersion too; without it, error."""
    return (r"""var re = new RegExp('(^|\n)\\.?%s\\.0 = ');
var agent = re.test(value);
""" % agent_oid.replace('.', '\\\\.')) + NO_AGENT_THROW + "return value;"


# Item prototypes: (key, column, name, value_type, units, delay, extra)
# Names carry {#NAME} and {#SERIAL} so an operator sees which disk it is.
PROTOTYPES = [
    ('headroom.dev.used.pct', 'hdrmDevUsedPercent', 'used capacity', 'FLOAT', '%', '5m',
     dict(description='hdrmDevUsedPercent: used capacity as a percentage of the mounted '
                      'file systems, rounded up.  The agent reports -1 while nothing from '
                      'the device is mounted; such values are discarded, not stored.',
          preprocessing=[dict(type='IN_RANGE', parameters=['0', '100'],
                              error_handler='DISCARD_VALUE')])),
    ('headroom.dev.capacity', 'hdrmDevCapacity', 'total capacity', 'UNSIGNED', 'B', '1h',
     dict(description='hdrmDevCapacity: total capacity in bytes.  Changes when the device '
                      'is expanded or replaced.')),
    ('headroom.dev.used', 'hdrmDevUsed', 'used capacity in bytes', 'UNSIGNED', 'B', '5m',
     dict(description='hdrmDevUsed: used bytes of the file systems mounted from the device.  '
                      'The agent has no instance while nothing is mounted: the item is then '
                      'not supported, which is right (unknown is not zero).')),
    ('headroom.dev.peak', 'hdrmDevPeakWrites', 'peak writes per window today (Cmax)',
     'UNSIGNED', '', '5m',
     dict(description='hdrmDevPeakWrites: the most writes completed within one window of '
                      'hdrmDevWindow seconds since the start of the day.')),
    ('headroom.dev.peak.prev', 'hdrmDevPeakWritesPrev', 'peak writes per window yesterday',
     'UNSIGNED', '', '1h',
     dict(description='hdrmDevPeakWritesPrev: the previous day\'s Cmax.')),
    ('headroom.dev.rate.avg', 'hdrmDevWriteRateAvg', 'average writes per window today',
     'UNSIGNED', '', '5m',
     dict(description='hdrmDevWriteRateAvg: average writes per window over the day so far.')),
    ('headroom.dev.firmware', 'hdrmDevFirmware', 'firmware version', 'CHAR', '', '1h',
     dict(description='hdrmDevFirmware: the installed firmware.  Kept 1 year so the '
                      'history shows when it changed.',
          history='365d', trends='0')),
]

STRING_COLUMNS = {'hdrmDevFirmware'}


def item_prototype(oids, proto, walk):
    key, col, what, vtype, units, delay, extra = proto
    oid = oids[col] + '.{#SNMPINDEX}'
    it = dict(uuid=uuid4_from('item_prototype', key),
              name='Device {#NAME} ({#SERIAL.LABEL}): %s' % what)
    if walk:
        it.update(type='DEPENDENT', key='%s[{#SNMPINDEX}]' % key, delay='0')
    else:
        it.update(type='SNMP_AGENT', snmp_oid=oid, key='%s[{#SNMPINDEX}]' % key, delay=delay)
    for f in ('history', 'trends'):
        if f in extra:
            it[f] = extra[f]
    if vtype != 'UNSIGNED':
        it['value_type'] = vtype
    if units:
        it['units'] = units
    it['description'] = extra['description']
    pre = []
    if walk:
        # format 0: the value as is; 1 turns a Hex-STRING into UTF-8 text
        pre.append(dict(type='SNMP_WALK_VALUE',
                        parameters=[oid, '1' if col in STRING_COLUMNS else '0']))
    elif col in STRING_COLUMNS:
        pre.append(dict(type='JAVASCRIPT', parameters=[JS_ITEM_TEXT]))
    pre.extend(extra.get('preprocessing', []))
    if pre:
        it['preprocessing'] = pre
    if walk:
        it['master_item'] = dict(key='headroom.devices.walk')
    it['tags'] = [dict(tag='component', value='storage'),
                  dict(tag='device', value='{#NAME}')]
    return it


def ref(key):
    return '/%s/%s[{#SNMPINDEX}]' % (TEMPLATE, key)


def add_triggers(protos):
    by_key = {p['key'].split('[')[0]: p for p in protos}
    crit_name = 'Device {#NAME} ({#SERIAL.LABEL}): used capacity is above {$HEADROOM.USED.CRIT}%'
    crit_expr = 'min(%s,15m)>={$HEADROOM.USED.CRIT}' % ref('headroom.dev.used.pct')
    by_key['headroom.dev.used.pct']['trigger_prototypes'] = [
        dict(uuid=uuid4_from('trigger', 'used.crit'), expression=crit_expr,
             name=crit_name, priority='HIGH',
             description='Propose an expansion: the device is nearly full.  '
                         'Threshold: {$HEADROOM.USED.CRIT} (default 90).',
             tags=[dict(tag='scope', value='capacity')]),
        dict(uuid=uuid4_from('trigger', 'used.warn'),
             expression='min(%s,15m)>={$HEADROOM.USED.WARN}' % ref('headroom.dev.used.pct'),
             name='Device {#NAME} ({#SERIAL.LABEL}): used capacity is above {$HEADROOM.USED.WARN}%',
             priority='WARNING',
             description='Threshold: {$HEADROOM.USED.WARN} (default 80).',
             dependencies=[dict(name=crit_name, expression=crit_expr)],
             tags=[dict(tag='scope', value='capacity')]),
    ]
    fw = ref('headroom.dev.firmware')
    by_key['headroom.dev.firmware']['trigger_prototypes'] = [
        dict(uuid=uuid4_from('trigger', 'firmware.changed'),
             expression='change(%s)=1 and length(last(%s))>0' % (fw, fw),
             name='Device {#NAME} ({#SERIAL.LABEL}): firmware changed to {ITEM.LASTVALUE1}',
             priority='INFO', manual_close='YES',
             description='hdrmDevFirmware changed: the firmware was updated (or the disk '
                         'replaced).  Firmware age is not in HEADROOM-STORAGE-MIB; the '
                         'headroom rule engine compares firmware with its catalogue.',
             tags=[dict(tag='scope', value='notice')]),
    ]
    cap = ref('headroom.dev.capacity')
    by_key['headroom.dev.capacity']['trigger_prototypes'] = [
        dict(uuid=uuid4_from('trigger', 'capacity.changed'),
             expression='change(%s)<>0' % cap,
             name='Device {#NAME} ({#SERIAL.LABEL}): capacity changed',
             priority='INFO', manual_close='YES',
             description='hdrmDevCapacity changed: the device was expanded or replaced.',
             tags=[dict(tag='scope', value='notice')]),
    ]


def template(oids, walk):
    cols = oids['hdrmDeviceEntry']
    items = [
        dict(uuid=uuid4_from('item', 'agent.version'), name='headroom: agent version',
             type='SNMP_AGENT', snmp_oid=oids['hdrmAgentVersion'] + '.0',
             key='headroom.agent.version', delay='1h', history='90d', trends='0',
             value_type='CHAR',
             description='hdrmAgentVersion: the software serving HEADROOM-STORAGE-MIB.',
             tags=[dict(tag='component', value='system')]),
        dict(uuid=uuid4_from('item', 'devices.count'), name='headroom: number of devices',
             type='SNMP_AGENT', snmp_oid=oids['hdrmDeviceCount'] + '.0',
             key='headroom.devices.count', delay='5m',
             description='hdrmDeviceCount: rows in hdrmDeviceTable.',
             tags=[dict(tag='component', value='storage')],
             triggers=[dict(uuid=uuid4_from('trigger', 'nodata'),
                            expression='nodata(/%s/headroom.devices.count,30m)=1' % TEMPLATE,
                            name='headroom: no HEADROOM-STORAGE-MIB data for 30 minutes',
                            priority='WARNING',
                            description='The agent does not answer, or no longer serves '
                                        'HEADROOM-STORAGE-MIB (subagent stopped?).',
                            tags=[dict(tag='scope', value='availability')])]),
    ]
    lld_macros = [('{#NAME}', 'hdrmDevName'), ('{#SERIAL}', 'hdrmDevSerial'),
                  ('{#MODEL}', 'hdrmDevModelName')]
    rule = dict(uuid=uuid4_from('discovery', 'devices'), name='Storage devices discovery')
    if walk:
        items.append(dict(
            uuid=uuid4_from('item', 'devices.walk'), name='headroom: device table walk',
            type='SNMP_AGENT', snmp_oid='walk[%s,%s]' % (oids['hdrmAgentVersion'], cols),
            key='headroom.devices.walk',
            delay='5m', history='0', trends='0', value_type='TEXT',
            description='hdrmAgentVersion and the whole hdrmDeviceTable in one walk[]; '
                        'discovery and the device items are computed from it (discovery '
                        'fails with an error when hdrmAgentVersion is missing: the subagent '
                        'is gone).',
            tags=[dict(tag='component', value='raw')]))
        params = []
        for macro, col in lld_macros:
            params += [macro, oids[col], '1']
        rule.update(type='DEPENDENT', key='headroom.devices.discovery', delay='0',
                    preprocessing=[
                        dict(type='JAVASCRIPT', parameters=[js_walk_check(oids['hdrmAgentVersion'])]),
                        dict(type='SNMP_WALK_TO_JSON', parameters=params),
                        dict(type='JAVASCRIPT', parameters=[js_discovery(False, False)])],
                    master_item=dict(key='headroom.devices.walk'))
    else:
        # hdrmAgentVersion comes as a row of index 0: the agent is there.
        macros = [('{#AGENT}', 'hdrmAgentVersion')] + lld_macros
        rule.update(type='SNMP_AGENT',
                    snmp_oid='discovery[%s]' % ','.join('%s,%s' % (m, oids[c])
                                                        for m, c in macros),
                    key='headroom.devices.discovery', delay='1h',
                    preprocessing=[dict(type='JAVASCRIPT', parameters=[js_discovery(True, True)])])
    rule['lifetime'] = '7d'
    rule['description'] = ('One entry per row of hdrmDeviceTable (HEADROOM-STORAGE-MIB); '
                           '{#SNMPINDEX} is hdrmDevIndex, stable for a device across '
                           'agent restarts.  {#SERIAL.LABEL} is the serial, or "no serial" '
                           'when the device reports none.  The rule fails with an error '
                           '(not an empty list) when the agent does not serve the MIB: '
                           'headroomd stopped or not registered with snmpd.')
    protos = [item_prototype(oids, p, walk) for p in PROTOTYPES]
    add_triggers(protos)
    rule['item_prototypes'] = protos
    version = '6.4' if walk else '6.0'
    return {'zabbix_export': {
        'version': version,
        'template_groups' if walk else 'groups': [dict(uuid=uuid4_from('group', GROUP),
                                                       name=GROUP)],
        'templates': [dict(
            uuid=uuid4_from('template', TEMPLATE),
            template=TEMPLATE, name=TEMPLATE,
            description=(
                'Storage devices published in HEADROOM-STORAGE-MIB (enterprises.%s) by '
                'headroomd or a storage system.  Discovers hdrmDeviceTable and watches used '
                'capacity, peak writes per window (Cmax) and firmware.  Firmware age and '
                'days until full are not in the MIB: the headroom collector and rule engine '
                'compute them.  Generated by contrib/zabbix/gen-templates.py for Zabbix %s.'
                % (oids['hdrmStorageMIB'].split('.')[-1], version)),
            groups=[dict(name=GROUP)],
            items=items,
            discovery_rules=[rule],
            macros=[
                dict(macro='{$HEADROOM.USED.CRIT}', value='90',
                     description='Used capacity, percent: high trigger.'),
                dict(macro='{$HEADROOM.USED.WARN}', value='80',
                     description='Used capacity, percent: warning trigger.'),
            ],
        )],
    }}


class Dumper(yaml.SafeDumper):
    """Multi-line strings (the JavaScript steps) as literal blocks, so
    the template shows the code as code."""


def _str(dumper, v):
    if '\n' in v:
        return dumper.represent_scalar('tag:yaml.org,2002:str', v, style='|')
    return dumper.represent_scalar('tag:yaml.org,2002:str', v)


Dumper.add_representer(str, _str)


def main(argv):
    if len(argv) != 3 or argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ('-h', '--help') else 2
    oids = load_oids(argv[1])
    for walk, ver in ((False, '6.0'), (True, '6.4')):
        path = os.path.join(argv[2], 'template_storage_headroom_snmp_%s.yaml' % ver)
        with open(path + '.tmp', 'w') as f:
            yaml.dump(template(oids, walk), f, Dumper=Dumper, sort_keys=False,
                      allow_unicode=True, width=4096, default_flow_style=False)
        os.replace(path + '.tmp', path)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
