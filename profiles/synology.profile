# synology.profile: Synology DiskStation / RackStation (DSM).
#
# DSM runs net-snmp on Linux, so sysObjectID is net-snmp's generic
# .1.3.6.1.4.1.8072.3.2.10 (linux-host would match too): Synology is
# recognised by its own SYNOLOGY-SYSTEM-MIB scalar and needs a priority
# above the generic host profiles (50).
#
# MIBs (Synology's own MIB files, enterprise 6574):
#   SYNOLOGY-SYSTEM-MIB    synoSystem 1  dsmInfo: modelName, serialNumber, version
#   SYNOLOGY-RAID-MIB      synoRaid 3    raidTable: raidName, raidFreeSize,
#                                        raidTotalSize (Counter64, bytes)
#   SYNOLOGY-STORAGEIO-MIB storageIO 101 storageIOTable: per-disk counters
#   SYNOLOGY-SPACEIO-MIB   spaceIO 102   spaceIOTable: per-volume counters
#
# Checked against two real walks: DS214se on DSM 6.2-25426 (raidTable with
# sizes: "Volume 1" 1964237742080 bytes total, 282802995200 free, the same
# total as hrStorageTable's /volume1 = 479550230 x 4096) and DS214play on
# DSM 6.0-7393 (raidTable with raidName and raidStatus only: raidFreeSize and
# raidTotalSize came with a later DSM; storageIOTable sda, sdb and
# spaceIOTable dm-0 present).
#
# On DSM versions whose raidTable has no raidTotalSize/raidFreeSize (DSM
# 6.0 and older; seen in the DS214play walk) capacity comes from
# hrStorageTable instead, restricted to the data volumes ("^/volume[0-9]+$":
# "/" is the DSM system partition, /tmp is a tmpfs typed as fixed disk,
# /volumeN/... rows are bind mounts, /volumeUSBn are removable disks).
# Volume blocks of one profile are alternatives in the order written: the
# first that gives a counted volume is used.
profile synology "Synology DiskStation (SYNOLOGY-SYSTEM, -RAID, -STORAGEIO MIBs)"
uses ucd-diskio
priority 200
detect exists .1.3.6.1.4.1.6574.1.5.1.0            # SYNOLOGY-SYSTEM-MIB::modelName.0

vendor   "Synology"
serial   .1.3.6.1.4.1.6574.1.5.2.0                 # SYNOLOGY-SYSTEM-MIB::serialNumber.0 ("139M8N0094")
model    .1.3.6.1.4.1.6574.1.5.1.0                 # SYNOLOGY-SYSTEM-MIB::modelName.0 ("DS214se")
# version.0 reads "DSM 6.2-25426" (DSM 7: "DSM 7.1.1-42962 Update 6"): keep
# from the first digit on.
firmware .1.3.6.1.4.1.6574.1.5.3.0 regex "([0-9].*)$"   # SYNOLOGY-SYSTEM-MIB::version.0

# raidTable: one row per RAID group / storage pool.  Sizes are Counter64
# bytes (MIB: "Free space in bytes", "Total space in bytes").
volumes .1.3.6.1.4.1.6574.3.1.1 {                  # SYNOLOGY-RAID-MIB::raidEntry
    name  2                                        # raidName ("Volume 1", "Storage Pool 1")
    size  5 bytes                                  # raidTotalSize (Counter64)
    free  4 bytes                                  # raidFreeSize (Counter64)
    # An SSD cache is a raid group too; its space is not data capacity.
    exclude name "[Cc]ache"
}
volumes .1.3.6.1.2.1.25.2.3.1 {                    # HOST-RESOURCES-MIB::hrStorageEntry (older DSM)
    type  2 in .1.3.6.1.2.1.25.2.1.4               # hrStorageFixedDisk
    name  3                                        # hrStorageDescr
    unit  4                                        # hrStorageAllocationUnits
    size  5 units                                  # hrStorageSize
    used  6 units                                  # hrStorageUsed
    include name "^/volume[0-9]+$"
}

# storageIOTable: one row per physical disk.  storageIOWrites is a Counter32
# of write accesses (wraps on busy disks).  Whole disks only: DSM 6 names
# them sdX, DSM 7 on newer models sataN / nvmeXnY.  The per-volume
# spaceIOTable (SYNOLOGY-SPACEIO-MIB .1.3.6.1.4.1.6574.102.1.1, spaceIOWrites
# column 6) counts the same writes before RAID; it is not added here, the
# two would count every write twice.  Disk-level counters are used because
# storageIOTable exists on more DSM versions (DSM 5 on) and matches the
# whole-disk rule of ucd-diskio.
writes .1.3.6.1.4.1.6574.101.1.1 {                 # SYNOLOGY-STORAGEIO-MIB::storageIOEntry
    name  2                                        # storageIODevice ("sda")
    count 6                                        # storageIOWrites (Counter32)
    include name "^(sd[a-z]+|hd[a-z]+|sata[0-9]+|sas[0-9]+|nvme[0-9]+n[0-9]+)$"
}
