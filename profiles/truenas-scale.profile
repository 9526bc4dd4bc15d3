# truenas-scale.profile: TrueNAS SCALE (Linux based, 22.x and later),
# TRUENAS-MIB (iXsystems, enterprise 50536).
#
# TRUENAS-MIB reuses FREENAS-MIB's OIDs with other meanings and types:
# zpoolTable (.1.3.6.1.4.1.50536.1.1.1) is zpoolName (2), zpoolHealth (3,
# DisplayString), zpoolReadOps (4), zpoolWriteOps (5), zpoolReadBytes (6),
# zpoolWriteBytes (7) and 1-second rates (8-11), all Counter64: no sizes
# at all.  FREENAS-MIB has zpoolAllocationUnits (Integer32) at 3 and
# zpoolSize (Integer32) at 4.  The types tell the two apart.
#
# Capacity therefore comes from hrStorageTable (net-snmp on Linux): every
# mounted ZFS dataset is a fixed-disk row; the customer's pools are mounted
# under /mnt/<pool>, the boot pool's datasets elsewhere (/, /usr, /var ...).
#
# Checked against the walk of TrueNAS-SCALE-24.04.2.2: sysObjectID
# .1.3.6.1.4.1.50536.3.1; zpoolTable rows boot-pool and juandipool with
# Counter64 columns 4-11 and the string "ONLINE" in column 3; hrStorage rows
# /mnt/juandipool, /mnt/juandipool/DatasetTerminator and
# /mnt/juandipool/ai-defend-us-from-skynet (the last repeats the first's
# size and used: dropped as a duplicate).
#
# ZFS datasets share their pool's free space: each dataset's hrStorageSize
# is its own used space plus the pool's free space (juandipool: 70008 - 1
# and 87043 - 17036 units, both 70007 free), so summing the sizes would
# count the free space once per dataset.  `shared-free` groups the rows by
# pool (the first path element after /mnt/): capacity is the sum of the
# datasets' used plus the pool's free space once.
profile truenas-scale "TrueNAS SCALE (TRUENAS-MIB; capacity from HOST-RESOURCES)"
priority 200
detect exists .1.3.6.1.4.1.50536.1.1.1.1.4 type counter64   # TRUENAS-MIB::zpoolReadOps (FREENAS-MIB: Integer32 zpoolSize)
detect exists .1.3.6.1.4.1.50536.1.1.1.1.3 type string      # TRUENAS-MIB::zpoolHealth (FREENAS-MIB: Integer32 zpoolAllocationUnits)

vendor   "iXsystems"
model    "TrueNAS SCALE"
# sysDescr: "TrueNAS-SCALE-24.04.2.2. Hardware: x86_64 ..." (25.x: "TrueNAS-25.04...")
firmware .1.3.6.1.2.1.1.1.0 regex "-([0-9][0-9.]*[0-9])"    # SNMPv2-MIB::sysDescr.0 -> "24.04.2.2"

volumes .1.3.6.1.2.1.25.2.3.1 {                    # HOST-RESOURCES-MIB::hrStorageEntry
    type  2 in .1.3.6.1.2.1.25.2.1.4               # hrStorageType = hrStorageFixedDisk
    name  3                                        # hrStorageDescr (mount point)
    unit  4                                        # hrStorageAllocationUnits
    size  5 units                                  # hrStorageSize
    used  6 units                                  # hrStorageUsed
    include name "^/mnt/[^/]"                      # datasets of the data pools
    exclude name "^/mnt/\.ix-apps(/|$)"            # 24.10+ apps dataset (docker)
    exclude name "/ix-applications(/|$)"           # 22.x-24.04 apps dataset (k3s)
    shared-free name "^/mnt/([^/]+)"               # a pool's datasets share its free space
}

writes .1.3.6.1.4.1.50536.1.1.1.1 {                # TRUENAS-MIB::zpoolEntry
    name  2                                        # zpoolName
    count 5                                        # zpoolWriteOps (Counter64)
    exclude name "^(boot-pool|freenas-boot)$"
}
