#!/usr/bin/python3
"""gen_prof_recs.py DIR: the project's own snmpsim recordings of devices
read through the device profiles, written from the vendor MIBs
(HOST-RESOURCES-MIB, UCD-DISKIO-MIB, SYNOLOGY-SYSTEM/-RAID/-STORAGEIO-MIB)
for what the real walks do not show across two polls.  Each scenario has
one file per poll, NAME_a and NAME_b (the community selects it; the test
points the target at the next one between polls):

  lnxwrap  a Counter32 diskIOWrites that wraps between the polls
  lnxrst   a restart: sysUpTime smaller on the second poll
  lnxau    an hrStorageAllocationUnits that changes between the polls
  lnxvol   a volume and a disk that vanish, another of each that appears
  swap     a Linux host replaced by a DiskStation behind the same address
  lnxload  a Linux host writing: sda's diskIOWrites grows 100 a second
           (snmpsim's numeric variation, from snmpsimd's start), sdb idle
           (check_headroom's measured load)
  twoenc   a Linux host whose ENTITY-MIB has two chassis rows (two
           enclosure serials) and a module: one device, the first chassis
  ph       a Linux host whose chassis serial is "To be filled by O.E.M."
  long1/2  two Linux hosts whose 300-byte chassis serials differ only
           after byte 255 (two devices, never one)
  winneg   a Windows host whose hrStorageSize overflowed to a negative
           Integer32 (a 178 TiB volume)
  nimhl    a Nimble array whose volume size needs its high half
  lnx_N    a Linux host filling up, poll N (end to end)
  syn_N    a Synology DiskStation filling up, poll N (end to end)
"""
import os
import sys

HR_STORAGE = '1.3.6.1.2.1.25.2.3.1'
FIXED_DISK = '1.3.6.1.2.1.25.2.1.4'
RAM = '1.3.6.1.2.1.25.2.1.2'
DISKIO = '1.3.6.1.4.1.2021.13.15.1.1'


def system(descr, objid, uptime):
    return [('1.3.6.1.2.1.1.1.0', '4', descr), ('1.3.6.1.2.1.1.2.0', '6', objid),
            ('1.3.6.1.2.1.1.3.0', '67', str(uptime)), ('1.3.6.1.2.1.1.5.0', '4', 'host')]


def storage(rows):
    """rows: (index, type, descr, unit, size, used)"""
    out = []
    for col, k in ((1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5)):
        for r in rows:
            t = {1: '2', 2: '6', 3: '4', 4: '2', 5: '2', 6: '2'}[col]
            out.append((f'{HR_STORAGE}.{col}.{r[0]}', t, str(r[k])))
    return out


def diskio(rows):
    """rows: (index, device, writes Counter32)"""
    out = []
    for r in rows:
        out.append((f'{DISKIO}.1.{r[0]}', '2', str(r[0])))
    for r in rows:
        out.append((f'{DISKIO}.2.{r[0]}', '4', r[1]))
    for r in rows:
        out.append((f'{DISKIO}.6.{r[0]}', '65', str(r[2] % 2**32)))
    return out


def linux(uptime, vols, disks):
    return (system('Linux host 5.10.0-21-amd64 #1 SMP Debian x86_64', '1.3.6.1.4.1.8072.3.2.10',
                   uptime) + storage(vols) + diskio(disks))


def synology(uptime, total, free, writes, serial='SYN-E2E-0001'):
    syn = '1.3.6.1.4.1.6574'
    rows = system('Linux DS918 4.4.59+ #25426 SMP x86_64', '1.3.6.1.4.1.8072.3.2.10', uptime)
    rows += [(f'{syn}.1.5.1.0', '4', 'DS918+'), (f'{syn}.1.5.2.0', '4', serial),
             (f'{syn}.1.5.3.0', '4', 'DSM 6.2-25426')]
    raid = [(1, 'Volume 1', free, total)]
    for r in raid:
        rows.append((f'{syn}.3.1.1.1.{r[0]}', '2', str(r[0])))
    for r in raid:
        rows.append((f'{syn}.3.1.1.2.{r[0]}', '4', r[1]))
    for r in raid:
        rows.append((f'{syn}.3.1.1.4.{r[0]}', '70', str(r[2])))
    for r in raid:
        rows.append((f'{syn}.3.1.1.5.{r[0]}', '70', str(r[3])))
    io = [(1, 'sda', writes), (2, 'sdb', writes // 2)]
    for r in io:
        rows.append((f'{syn}.101.1.1.1.{r[0]}', '2', str(r[0])))
    for r in io:
        rows.append((f'{syn}.101.1.1.2.{r[0]}', '4', r[1]))
    for r in io:
        rows.append((f'{syn}.101.1.1.6.{r[0]}', '65', str(r[2] % 2**32)))
    return rows


def entity(rows):
    """rows: (index, class, serial, mfg, model, firmware)"""
    ent = '1.3.6.1.2.1.47.1.1.1.1'
    out = []
    for col, k, t in ((5, 1, '2'), (10, 5, '4'), (11, 2, '4'), (12, 3, '4'), (13, 4, '4')):
        for r in rows:
            out.append((f'{ent}.{col}.{r[0]}', t, str(r[k])))
    return out


def windows(uptime, vols):
    return (system('Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: '
                   'Windows Version 6.3 (Build 17763 Multiprocessor Free)',
                   '1.3.6.1.4.1.311.1.1.3.1.2', uptime) + storage(vols))


def nimble(uptime, vols):
    """vols: (index, name, size hi, size lo, used hi, used lo) in MiB"""
    vol = '1.3.6.1.4.1.37447.1.2.1'
    rows = system('Nimble Storage grp running software version 5.0.10.0-123-opt',
                  '1.3.6.1.4.1.37447.3.1', uptime)
    for col, k, t in ((3, 1, '4'), (4, 3, '66'), (5, 2, '66'), (6, 5, '66'), (7, 4, '66')):
        for v in vols:
            rows.append((f'{vol}.{col}.{v[0]}', t, str(v[k])))
    return rows


def write(d, name, rows):
    def key(r):
        return tuple(int(p) for p in r[0].split('.'))
    with open(os.path.join(d, name + '.snmprec'), 'w') as f:
        for oid, t, v in sorted(rows, key=key):
            f.write(f'{oid}|{t}|{v}\n')


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    root = (1, FIXED_DISK, '/', 4096, 1000000, 400000)
    mem = (2, RAM, 'Physical memory', 1024, 4000000, 1000000)
    # Counter32 wrap: sda goes from 2^32 - 296 to 500 (796 writes), sdb +100.
    write(d, 'lnxwrap_a', linux(100000, [root, mem], [(1, 'sda', 2**32 - 296), (2, 'sdb', 1000)]))
    write(d, 'lnxwrap_b', linux(130000, [root, mem], [(1, 'sda', 500), (2, 'sdb', 1100)]))
    # Restart: sysUpTime back from 500000 to 100 centiseconds.
    write(d, 'lnxrst_a', linux(500000, [root], [(1, 'sda', 9000000)]))
    write(d, 'lnxrst_b', linux(100, [root], [(1, 'sda', 20)]))
    # Allocation unit 4096 -> 8192 with the same hrStorageSize: twice the bytes.
    write(d, 'lnxau_a', linux(100000, [(1, FIXED_DISK, '/', 4096, 1000, 500)], [(1, 'sda', 10)]))
    write(d, 'lnxau_b', linux(130000, [(1, FIXED_DISK, '/', 8192, 1000, 500)], [(1, 'sda', 20)]))
    # /data and sdb vanish, /srv and sdc appear (sdc with a large count):
    # only sda's 100 writes count.
    data = (3, FIXED_DISK, '/data', 4096, 2000, 1000)
    srv = (4, FIXED_DISK, '/srv', 4096, 3000, 1500)
    write(d, 'lnxvol_a', linux(100000, [root, data], [(1, 'sda', 1000), (2, 'sdb', 7000)]))
    write(d, 'lnxvol_b', linux(130000, [root, srv], [(1, 'sda', 1100), (3, 'sdc', 5000000)]))
    # The agent behind a target changes: a Linux host, then a DiskStation.
    write(d, 'swap_a', linux(100000, [root], [(1, 'sda', 10)]))
    write(d, 'swap_b', synology(100000, 2 * 10**12, 10**12, 1000, serial='SYN-SWAP-0001'))
    # Two enclosures: chassis rows 1 and 4 (the lowest index is the
    # device's serial), a module row in between; one device.
    write(d, 'twoenc_a', linux(100000, [root], [(1, 'sda', 10)]) + entity([
        (1, 3, 'ENC-A-0001', 'ACME', 'Shelf 2U', '7.1'),
        (2, 9, 'MOD-0002', 'ACME', 'Controller', '7.1'),
        (4, 3, 'ENC-B-0004', 'ACME', 'Shelf 2U', '7.1')]))
    # 300-byte serials that differ only at byte 280.
    for n, ch in (('long1', 'X'), ('long2', 'Y')):
        ser = 'LONG' + 'A' * 276 + ch + 'A' * 19
        write(d, f'{n}_a', linux(100000, [root], [(1, 'sda', 10)]) + entity([
            (1, 3, ser, 'ACME', 'Shelf', '1.0')]))
    # A placeholder chassis serial: no serial, not registered.
    write(d, 'ph_a', linux(100000, [root], [(1, 'sda', 10)]) + entity([
        (1, 3, 'To be filled by O.E.M.', 'Default string', 'Default string', '1.0')]))
    # Windows: 65536-byte units, hrStorageSize -1294967296 is 3,000,000,000
    # units (2^32 added): 196,608,000,000,000 bytes; used 100 units.
    write(d, 'winneg_a', windows(100000, [(1, FIXED_DISK, 'C:\\ Label:  Serial Number 1234abcd',
                                            65536, -1294967296, 100)]))
    # Nimble: volSizeHigh 1, volSizeLow 5 MiB is 2^32 + 5 MiB; a second
    # volume small enough for the low half alone.
    write(d, 'nimhl_a', nimble(100000, [(1, 'big', 1, 5, 0, 1000), (2, 'small', 0, 2048, 0, 1024)]))
    # A Linux host writing 100 a second on sda: check_headroom -m peak
    # measures about 6,000 writes per 60 s between its two readings.
    rows = linux(100000, [root], [(1, 'sda', 0), (2, 'sdb', 5000)])
    rows = [(o, '65:numeric', 'rate=100') if o == f'{DISKIO}.6.1' else (o, t, v)
            for o, t, v in rows]
    write(d, 'lnxload', rows)
    # End to end: 10 polls 5 minutes apart, a Linux host's / at 91-95 %,
    # a Synology volume at 92-96 %, both writing 60,000 per interval.
    for n in range(10):
        up = 100000 + n * 30000
        used = 910000 + n * 4000
        write(d, f'lnx_{n}', linux(up, [(1, FIXED_DISK, '/', 4096, 1000000, used), mem],
                                   [(1, 'sda', 2**32 - 100000 + n * 60000)]))
        total = 4 * 10**12
        free = total - (920 + n * 4) * 4 * 10**9
        write(d, f'syn_{n}', synology(up, total, free, 1000000 + n * 40000))


main()
