#!/usr/bin/python3
"""make_seeds.py: write the seed inputs of tests/fuzz/corpus/{import,conf,
subagent,check} (the first byte of each picks the harness's target; see the
harnesses).  The corpora in the tree are these seeds plus what libFuzzer
found worth keeping (`make fuzz`, then build-fuzz/fuzz/fuzz_NAME
tests/fuzz/corpus/NAME -max_total_time=60).  Run from the top directory."""
import os

top = os.getcwd()
C = os.path.join(top, "tests/fuzz/corpus")


def put(name, sel, body):
    d = os.path.join(C, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(body, str):
        body = body.encode()
    with open(os.path.join(d, "seed-%s" % name_of(sel, body)), "wb") as f:
        f.write(bytes([sel]) + body)


_n = {}


def name_of(sel, body):
    k = _n.get(sel, 0)
    _n[sel] = k + 1
    return "%d-%02d" % (sel, k)


def read(p):
    with open(os.path.join(top, p), "rb") as f:
        return f.read()


# ---- import: 0 fleet, 1 customers, 2 history, 3 catalog, 4 firmware, 5 stock
FLEET = ("name,customer,address,port,transport,version,community,write_community,v3_user,"
         "v3_level,v3_auth_proto,v3_auth_pass,v3_priv_proto,v3_priv_pass,v3_write\n"
         "acme-1,ACME,127.0.0.1,1161,udp,2c,s3cret-ro,s3cret-rw,,,,,,,\n"
         "acme-2,ACME,127.0.0.2,,,3,,,hruser,authPriv,SHA-256,authpass-XYZ,AES,privpass-XYZ,1\n"
         "beta-1,BETA,::1,1162,tcp,1,v1-secret,,,,,,,,\n")
put("import", 0, FLEET)
put("import", 0, FLEET.replace("1161", "99999").replace("2c", "7"))
put("import", 0, "name,customer,address\n\"a\"\"b\",\"C\nD\",=1+2\n,,\n")
put("import", 1, read("propose/examples/customers.csv"))
HIST = ("serial,time,customer,capacity,used,writes,peak\n"
        "SN-H1,2026-01-01T12:00:00Z,ACME,4TiB,1TiB,500,40\n"
        "SN-H1,2026-01-02,ACME,4TiB,1TiB,1000,50\n"
        "SN-H2,1767225600,BETA,2000000000000,,10,5\n")
put("import", 2, HIST)
put("import", 2, HIST.replace("4TiB", "18446744073709551615").replace("1000", "-5"))
put("import", 2, "serial,time,capacity\nX,99999-99-99,1e400\nY,2026-02-30,12abc\n")
put("import", 3, read("propose/examples/catalog.csv"))
put("import", 4, read("propose/examples/firmware.csv"))
put("import", 5, read("propose/examples/stock.csv"))
put("import", 5, "sku,store,qty\n\xef\xbb\xbfA,\x00,1\r\nB,S,99999999999999999999\n")

# ---- conf: even headroom.conf, odd headroomd.conf
put("conf", 0, read("cli/headroom.conf.example"))
put("conf", 0, "db /x\npoll-concurrency 0\npoll-timeout-ms 99999999999\nunknown key\n[section\n")
put("conf", 0, "mail-from \"a\\\"b\"\nstarttls maybe\nprofile-dirs " + "x:" * 300 + "\n")
put("conf", 1, read("subagent/headroomd.conf.example"))
put("conf", 1, "window 0\nreset-time 25:61\n[device S1]\nregistration-number " + "R" * 40 +
    "\n[device *]\nignore sd*\n[device\n")

# ---- subagent: 0 state file, 1 diskstats, 2 mount escapes, 3 mountinfo,
#      4.. sysfs attributes (size, serial, model, dev)
put("subagent", 0, "headroomd-state 1\nnext-index 3\n"
    "dev 1 S3Z9NB0K123456 day=20000 reg=HR-2026-000001-7\n"
    "dev 2 name:sdb\n")
put("subagent", 0, "headroomd-state 1\nnext-index 1\ndev 1 %41%00 reg=%zz\ndev 0 x\n")
fix = read("tests/subagent/mkfixture.sh")
put("subagent", 1, "   8       0 sda 100 0 800 10 1000 0 0 0 0 0 0\n"
    " 259       0 nvme0n1 100 0 800 10 18446744073709551615 0 0 0 0 0 0\n"
    "   8      16 sdb 100 0 800 10 -5 0 0 0 0 0 0\n"
    "   8      32 sdc 100 0 800 10 12abc 0 0 0 0 0 0\n"
    "   8      48 sdd 100 0 800 10 18446744073709551616 0 0 0 0 0 0\n"
    "   8      64 " + "x" * 300 + " 1 2 3\n")
put("subagent", 2, "/mnt/data\\040disk\\\\\\0\\777\\")
put("subagent", 3, "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "23 1 8:2 / /mnt/data\\040disk rw - xfs /dev/sda2 rw\n"
    "garbage line\n24 1 8:99 / /mnt/absent rw - ext4 /dev/sdz1 rw\n")
put("subagent", 4, "1953525168\n")
put("subagent", 4, "-5\n")
put("subagent", 4, "18446744073709551616\n")
put("subagent", 5, "S3Z9NB0K123456   \n")
put("subagent", 5, "\x00\x01\xff\xfe  \n")
put("subagent", 6, "Samsung SSD 870 EVO 1TB\n")
put("subagent", 7, "8:0\n")
put("subagent", 7, "99999999999:-1\n")

# ---- check: 0 ranges, 1 strings, 2 cells (tests/check/fuzz_check.c)
for r in ["10", "10:", "~:10", "10:20", "@10:20", "@~:", "-1e300:1e300", "20:10", ":", "1e", "nan"]:
    put("check", 0, r)
put("check", 1, "serial\x00with\x1bescapes\xff\xfe")
put("check", 1, "\xe2\x80\xae RTL \xe2\x80\xa8 LS")
for col in range(30):
    put("check", 2, bytes([col, 0x46, 8]) + b"\xff" * 8)
put("check", 2, bytes([3, 0x04, 40]) + b"A" * 40)
