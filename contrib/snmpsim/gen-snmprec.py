#!/usr/bin/python3
"""gen-snmprec.py OIDS_H [--hostile]: print an snmpsim record of a typical
headroom device (a Linux host running snmpd + headroomd with three disks).

Every HEADROOM-STORAGE-MIB OID comes from OIDS_H, the header the build
generates from the MIB (build/gen/hdrm_oids.h), so the record follows the
ENTERPRISE setting of the Makefile.  Only the SNMPv2-MIB system group OIDs,
which never move, are written here.

    contrib/snmpsim/gen-snmprec.py build/gen/hdrm_oids.h \
        > contrib/snmpsim/headroom-device.snmprec

--hostile adds a fourth device whose strings carry what a broken or
malicious agent might send (CR/LF, NUL, '|', 8-bit bytes, a 255-byte
serial), for testing managers' sanitizing.  --many N adds N plain disks
(indexes 101..100+N, diskN, used percent N mod 101) for tables that take
many requests to walk.  Neither is shipped.
"""
import re
import sys

# snmprec type tags (snmpsim's data file format): the BER tag numbers.
INTEGER, OCTETS, OID, GAUGE32, TIMETICKS, COUNTER64 = 2, 4, 6, 66, 67, 70


def load_oids(path):
    oids = {}
    with open(path) as f:
        for line in f:
            m = re.match(r'#define HDRM_OID_(\w+) ([\d,]+)$', line.strip())
            if m:
                oids[m.group(1)] = m.group(2).replace(',', '.')
    if 'hdrmDeviceEntry' not in oids:
        sys.exit('gen-snmprec: %s has no hdrmDeviceEntry' % path)
    return oids


def date_and_time(y, mo, d, h=0, mi=0, s=0):
    """SNMPv2-TC DateAndTime, 11 octets, UTC ('+', 0, 0)."""
    return bytes([y >> 8, y & 0xFF, mo, d, h, mi, s, 0, ord('+'), 0, 0])


MIB = 1 << 20

# Three disks of one host: a half-full data disk, a nearly full system
# NVMe, and a disk with nothing mounted (used capacity unknown).
DEVICES = [
    dict(index=1, name='sda', serial='WD-WCC4N7XK2P5T', vendor='ATA',
         model='WDC WD40EFRX-68N32N0', model_number='WD40EFRX',
         product_number='WD40EFRX-68N32N0', firmware='82.00A82',
         config='NAS data disk, 4 TB, 5400 rpm',
         capacity=4000787030016, cache=64 * MIB, used=2860000000000,
         used_pct=72, writes=184467120, peak=4520, peak_prev=3980,
         window=60, rate_avg=610, sale=(2023, 3, 15), price='189.00 EUR',
         customer='C1001', regno='HR-2023-000123',
         volumes=[('/srv', 'sda1', 'ext4', 3975000000000, 2860000000000)]),
    dict(index=2, name='nvme0n1', serial='S4EWNX0R812345', vendor='',
         model='Samsung SSD 970 EVO Plus 500GB', model_number='MZ-V7S500',
         product_number='MZ-V7S500BW', firmware='2B2QEXM7',
         config='system disk, 500 GB NVMe',
         capacity=500107862016, cache=512 * MIB, used=410000000000,
         used_pct=92, writes=9876543210, peak=15230, peak_prev=17110,
         window=60, rate_avg=2210, sale=(2023, 3, 15), price='79.90 EUR',
         customer='C1001', regno='HR-2023-000124',
         volumes=[('/', 'nvme0n1p2', 'ext4', 100000000000, 88000000000),
                  ('/var', 'nvme0n1p3', 'xfs', 350000000000, 322000000000)]),
    dict(index=3, name='sdb', serial='ZL2ABCDE', vendor='ATA',
         model='ST8000VN004-2M2101', model_number='ST8000VN004',
         product_number='', firmware='SC60',
         config='backup disk, not mounted',
         capacity=8001563222016, cache=256 * MIB, used=None,
         used_pct=-1, writes=1200, peak=0, peak_prev=0,
         window=60, rate_avg=0, sale=None, price='',
         customer='C1001', regno='',
         volumes=[]),
]

HOSTILE = dict(
    index=4, name='evil|dev\r\n', serial=b'EVIL\r\nHEADROOM OK - fake\x00|x=1\xff\xfe' + b'S' * 223,
    vendor='\x1b[31mRED', model="quote ' and = sign", model_number='', product_number='',
    firmware='1.0\nX-Injected: yes', config='', capacity=1000000000000, cache=0,
    used=990000000000, used_pct=99, writes=1, peak=1, peak_prev=1, window=60,
    rate_avg=1, sale=None, price='', customer='', regno='', volumes=[])


def octets(v):
    if isinstance(v, str):
        v = v.encode('utf-8')
    # Printable ASCII goes in clear; anything else as hex ('4x'), which
    # snmpsim serves byte for byte.
    if all(0x20 <= b < 0x7F and b != 0x7C for b in v):
        return OCTETS, v.decode('ascii')
    return '4x', v.hex()


def rows(oids, devices):
    out = []

    def add(name_or_oid, suffix, tag, value):
        base = oids.get(name_or_oid, name_or_oid)
        oid = base + ('.' + '.'.join(str(s) for s in suffix) if suffix else '')
        if tag == OCTETS:
            tag, value = octets(value)
        out.append((oid, tag, value))

    product = oids['hdrmProductHeadroomd']
    sysdescr = 'Linux nas01 6.1.0-26-amd64 #1 SMP Debian 6.1.112-1 x86_64; headroomd 0.1.0'
    add('1.3.6.1.2.1.1.1', [0], OCTETS, sysdescr)
    add('1.3.6.1.2.1.1.2', [0], OID, product)
    add('1.3.6.1.2.1.1.3', [0], TIMETICKS, 123456789)
    add('1.3.6.1.2.1.1.4', [0], OCTETS, 'storage-admin@example.com')
    add('1.3.6.1.2.1.1.5', [0], OCTETS, 'nas01.example.com')
    add('1.3.6.1.2.1.1.6', [0], OCTETS, 'Server room 2, rack 4')
    add('1.3.6.1.2.1.1.7', [0], INTEGER, 72)

    add('hdrmAgentVersion', [0], OCTETS, 'headroomd 0.1.0')
    add('hdrmAgentWindow', [0], GAUGE32, 60)
    add('hdrmAgentResetTime', [0], GAUGE32, 0)
    add('hdrmDeviceTableLastChange', [0], TIMETICKS, 0)
    add('hdrmDeviceCount', [0], GAUGE32, len(devices))

    def mib(v):
        return min(v // MIB, 4294967295)

    for d in devices:
        i = [d['index']]
        add('hdrmDevName', i, OCTETS, d['name'])
        add('hdrmDevSerial', i, OCTETS, d['serial'])
        add('hdrmDevVendor', i, OCTETS, d['vendor'])
        add('hdrmDevModelName', i, OCTETS, d['model'])
        add('hdrmDevModelNumber', i, OCTETS, d['model_number'])
        add('hdrmDevProductNumber', i, OCTETS, d['product_number'])
        add('hdrmDevFirmware', i, OCTETS, d['firmware'])
        add('hdrmDevConfig', i, OCTETS, d['config'])
        add('hdrmDevCapacity', i, COUNTER64, d['capacity'])
        add('hdrmDevCapacityMiB', i, GAUGE32, mib(d['capacity']))
        add('hdrmDevCacheSize', i, COUNTER64, d['cache'])
        add('hdrmDevCacheSizeMiB', i, GAUGE32, mib(d['cache']))
        # Unknown used capacity has no instance (the MIB's rule).
        if d['used'] is not None:
            add('hdrmDevUsed', i, COUNTER64, d['used'])
            add('hdrmDevUsedMiB', i, GAUGE32, mib(d['used']))
        add('hdrmDevUsedPercent', i, INTEGER, d['used_pct'])
        add('hdrmDevWrites', i, COUNTER64, d['writes'])
        add('hdrmDevPeakWrites', i, GAUGE32, d['peak'])
        add('hdrmDevPeakWritesPrev', i, GAUGE32, d['peak_prev'])
        add('hdrmDevWindow', i, GAUGE32, d['window'])
        add('hdrmDevWriteRateAvg', i, GAUGE32, d['rate_avg'])
        # Not configured: no instance (DateAndTime has no empty value).
        if d['sale']:
            add('hdrmDevSaleDate', i, OCTETS, date_and_time(*d['sale']))
        add('hdrmDevPrice', i, OCTETS, d['price'])
        add('hdrmDevCustomerId', i, OCTETS, d['customer'])
        add('hdrmDevRegNumber', i, OCTETS, d['regno'])
        add('hdrmDevLastUpdate', i, OCTETS, date_and_time(2026, 11, 21, 10, 0, 0))
        for v, (mount, part, fs, cap, used) in enumerate(d['volumes'], 1):
            j = [d['index'], v]
            add('hdrmVolMountPoint', j, OCTETS, mount)
            add('hdrmVolPartition', j, OCTETS, part)
            add('hdrmVolFsType', j, OCTETS, fs)
            add('hdrmVolCapacity', j, COUNTER64, cap)
            add('hdrmVolCapacityMiB', j, GAUGE32, mib(cap))
            add('hdrmVolUsed', j, COUNTER64, used)
            add('hdrmVolUsedMiB', j, GAUGE32, mib(used))
    # snmpsim answers GETNEXT from the file's order: sort numerically.
    out.sort(key=lambda r: [int(s) for s in r[0].split('.')])
    return out


def main(argv):
    if len(argv) < 2 or argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    oids = load_oids(argv[1])
    devices = DEVICES + ([HOSTILE] if '--hostile' in argv[2:] else [])
    if '--many' in argv[2:]:
        n = int(argv[argv.index('--many') + 1])
        for k in range(1, n + 1):
            cap = 2000398934016
            devices.append(dict(
                index=100 + k, name='disk%d' % k, serial='SYN%06d' % k, vendor='ATA',
                model='Synthetic disk', model_number='SYN2T', product_number='',
                firmware='1.%d' % (k % 7), config='', capacity=cap, cache=0,
                used=cap // 101 * (k % 101), used_pct=k % 101, writes=k, peak=k,
                peak_prev=k, window=60, rate_avg=k // 2, sale=None, price='',
                customer='', regno='', volumes=[]))
    for oid, tag, value in rows(oids, devices):
        sys.stdout.write('%s|%s|%s\n' % (oid, tag, value))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
