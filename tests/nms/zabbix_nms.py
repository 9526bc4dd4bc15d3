#!/usr/bin/python3
"""zabbix_nms.py URL PHASE ARGS...: drive a Zabbix 6.0 frontend's API for
tests/nms/check_nms.sh and print what Zabbix received, as TAP lines.

  setup TEMPLATE.yaml SNMP_PORT   import the template (intervals shortened
        to 10 s), create host "headroom-nms" with an SNMPv2c interface on
        127.0.0.1:SNMP_PORT linked to it ({$HEADROOM.USED.CRIT} = 1 so the
        used-capacity trigger fires on any mounted disk); wait for the
        discovery, the item values and the trigger; print them.
  gone    wait for the discovery rule to turn not supported with an error
        naming headroomd (check_nms.sh stopped the subagent); print it.
"""
import json
import re
import sys
import time
import urllib.request


URL = sys.argv[1].rstrip('/') + '/api_jsonrpc.php'
HOST = 'headroom-nms'
TEMPLATE = 'Template Storage headroom SNMP'
failures = 0
_id = 0
_auth = None


def tap(cond, name, *diag):
    global failures
    print('%s - zabbix: %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1
    for d in diag:
        for line in str(d).splitlines():
            print('# ' + line)


def api(method, params):
    global _id
    _id += 1
    req = dict(jsonrpc='2.0', method=method, params=params, id=_id)
    if _auth and method != 'user.login' and method != 'apiinfo.version':
        req['auth'] = _auth
    r = urllib.request.Request(URL, data=json.dumps(req).encode(),
                               headers={'Content-Type': 'application/json-rpc'})
    with urllib.request.urlopen(r, timeout=60) as f:
        resp = json.load(f)
    if 'error' in resp:
        raise RuntimeError('%s: %s' % (method, resp['error']))
    return resp['result']


def wait(what, fn, seconds):
    """Call fn until it returns something true; that value, or None."""
    end = time.time() + seconds
    while True:
        v = fn()
        if v:
            return v
        if time.time() > end:
            print('# waited %d s for %s' % (seconds, what))
            return None
        time.sleep(2)


def login():
    global _auth
    _auth = api('user.login', dict(username='Admin', password='zabbix'))


def shorten(text):
    """Every polling interval 10 s (dependent items keep 0), by editing the
    file's text: the template is imported as shipped otherwise."""
    return re.sub(r'(?m)^(\s*delay: )(?!\'?0\'?$)\S+$', r'\g<1>10s', text)


def setup(tpl_path, snmp_port):
    print('# Zabbix API version %s' % api('apiinfo.version', {}))
    login()
    # The database's own "Zabbix server" host polls an agent this test does
    # not run: disabled, so the server log shows only what matters here.
    for h in api('host.get', dict(filter=dict(host='Zabbix server'), output=['hostid'])):
        api('host.update', dict(hostid=h['hostid'], status=1))
    src = shorten(open(tpl_path, encoding='utf-8').read())
    rules = {k: dict(createMissing=True, updateExisting=True)
             for k in ('groups', 'templates', 'items', 'discoveryRules', 'triggers',
                       'templateLinkage')}
    rules['templateLinkage'] = dict(createMissing=True)
    ok = api('configuration.import', dict(format='yaml', rules=rules,
                                          source=src))
    tap(ok is True, 'the 6.0 template imports (configuration.import)')
    tpl = api('template.get', dict(filter=dict(host=TEMPLATE), output=['templateid']))
    tap(len(tpl) == 1, 'template "%s" exists' % TEMPLATE)
    grp = api('hostgroup.get', dict(filter=dict(name='Linux servers'), output=['groupid']))
    if not grp:
        grp = [dict(groupid=api('hostgroup.create', dict(name='Linux servers'))['groupids'][0])]
    api('host.create', dict(
        host=HOST, groups=[dict(groupid=grp[0]['groupid'])],
        interfaces=[dict(type=2, main=1, useip=1, ip='127.0.0.1', dns='', port=str(snmp_port),
                         details=dict(version=2, bulk=1, community='{$SNMP_COMMUNITY}'))],
        templates=[dict(templateid=tpl[0]['templateid'])],
        macros=[dict(macro='{$SNMP_COMMUNITY}', value='public'),
                dict(macro='{$HEADROOM.USED.CRIT}', value='1'),
                dict(macro='{$HEADROOM.USED.WARN}', value='0')]))
    hostid = api('host.get', dict(filter=dict(host=HOST), output=['hostid']))[0]['hostid']

    def discovered():
        its = api('item.get', dict(hostids=hostid, output=['itemid'],
                                   selectItemDiscovery=['parent_itemid'],
                                   filter=dict(flags=4)))
        return its if len(its) >= 5 * 7 else None
    its = wait('discovery', discovered, 240)
    tap(its, 'discovery created the item prototypes for every disk (%d items)'
        % len(its or []))

    def valued():
        its = api('item.get', dict(hostids=hostid, output=['name', 'key_', 'lastvalue',
                                                           'lastclock', 'state', 'error'],
                                   sortfield='name'))
        pct = [i for i in its if i['key_'].startswith('headroom.dev.used.pct[')
               and i['lastclock'] != '0']
        fw = [i for i in its if i['key_'].startswith('headroom.dev.firmware[')
              and i['lastclock'] != '0']
        return its if len(pct) >= 2 and len(fw) >= 3 else None
    its = wait('item values', valued, 240) or api('item.get', dict(
        hostids=hostid, output=['name', 'key_', 'lastvalue', 'lastclock', 'state', 'error'],
        sortfield='name'))
    tap(any(i['lastclock'] != '0' for i in its), 'items received values')
    print('# what Zabbix received (item: last value):')
    for i in its:
        v = i['lastvalue'] if i['lastclock'] != '0' else '(no value%s)' % (
            ': ' + i['error'] if i['error'] else '')
        print('#   %-70s %s' % (i['name'], v))
    names = ' '.join(i['name'] for i in its)
    tap('no serial' in names, 'an empty serial shows as "no serial" in item names')
    tap(not re.search(r'\b[0-9A-F]{2}( [0-9A-F]{2}){3,}', names),
        'no item name shows a serial or model as hex')
    evil = [i['name'] for i in its if i['name'].startswith('Device sdc (')]
    tap(evil and 'EVIL' in evil[0], 'the UTF-8 serial of sdc is shown as text', *evil[:1])

    def fired():
        p = api('problem.get', dict(hostids=hostid, output=['name', 'severity']))
        return p if any('used capacity is above' in x['name'] for x in p) else None
    probs = wait('the used-capacity trigger', fired, 180) or []
    tap(probs, 'the used-capacity trigger fired')
    for p in probs:
        print('#   problem: %s (severity %s)' % (p['name'], p['severity']))
    rule = api('discoveryrule.get', dict(hostids=hostid, output=['name', 'state', 'error']))
    tap(rule and rule[0]['state'] == '0', 'the discovery rule is supported', rule)


def gone():
    login()
    hostid = api('host.get', dict(filter=dict(host=HOST), output=['hostid']))[0]['hostid']

    def failed():
        r = api('discoveryrule.get', dict(hostids=hostid, output=['name', 'state', 'error']))
        return r if r and r[0]['state'] == '1' else None
    r = wait('the discovery rule to fail', failed, 120)
    tap(r, 'with headroomd stopped, the discovery rule is not supported')
    err = r[0]['error'] if r else ''
    tap('headroomd' in err, 'its error names headroomd', 'error: ' + err)


if __name__ == '__main__':
    try:
        if sys.argv[2] == 'setup':
            setup(sys.argv[3], int(sys.argv[4]))
        else:
            gone()
    except Exception as e:              # an API failure is a failed check
        tap(False, 'API: %s' % e)
    sys.exit(0)
