# ucd-diskio.profile: UCD-DISKIO-MIB diskIOTable (net-snmp's per-disk I/O
# counters).  Writes are write operations of whole disks: partitions and
# virtual devices (loop, ram, md, dm, zram) would count the same write twice
# or not at all.
profile ucd-diskio "UCD-DISKIO-MIB diskIOTable write operations (net-snmp)"
priority 10
detect exists .1.3.6.1.4.1.2021.13.15.1.1.2      # diskIODevice

writes .1.3.6.1.4.1.2021.13.15.1.1 {             # diskIOEntry
    name  2                                      # diskIODevice
    count 6                                      # diskIOWrites (Counter32)
    include name "^(sd[a-z]+|hd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+|ada[0-9]+|da[0-9]+|nvd[0-9]+)$"
}
