# huawei-oceanstor.profile: Huawei OceanStor / OceanStor Dorado arrays
# (ISM SNMP agent), ISM-STORAGE-SVC-MIB and the hwInfo tables (enterprise
# 34774, huaweistorage).
#
# Objects used:
#   common (.1.3.6.1.4.1.34774.4.1.1): deviceId (1, the array's serial
#     number), deviceType (2, an undocumented integer), usedCapacity (4) and
#     totalCapacity (5) (Counter64, MiB), version (6)
#   hwInfoStoragePoolTable (.1.3.6.1.4.1.34774.4.1.23.4.2): name (2),
#     total capacity (7), used (8), free capacity (9), all Counter64 MiB
#
# Units: the MIB says only "Description."; the walk shows MiB: Dorado 3000
# V6 pool "Pool-1" total 29531295 = used 1736334 + free 27794961 (28 TiB),
# totalCapacity.0 76546048 (73 TiB raw), and Huawei's own templates scale
# these columns by 1048576.
#
# Checked against the walk of an OceanStor Dorado 3000 V6 (6.0.1.SPH20):
# sysObjectID .1.3.6.1.4.1.2011.2.91, sysDescr "ISM SNMP Agent", deviceId
# "1111111AAAAAA1111111" (anonymised in the walk), one pool.  Capacity is
# the pools' (usable space after RAID), not totalCapacity.0 (raw disks).
#
# No model: deviceType is a product code without a published mapping, and
# the walk does not serve it.  A `map` block (docs/profiles.md) turns such
# codes into model names once a mapping is known.  No write counters: the LUN performance objects
# of this MIB are rates, not counters.
profile huawei-oceanstor "Huawei OceanStor (ISM-STORAGE-SVC-MIB, storage pools)"
priority 200
detect sysobjectid .1.3.6.1.4.1.2011.2.91          # Huawei ISM storage agent
detect exists .1.3.6.1.4.1.34774.4.1.1             # ISM-STORAGE-SVC-MIB::common

vendor   "Huawei"
serial   .1.3.6.1.4.1.34774.4.1.1.1.0              # ISM-STORAGE-SVC-MIB::deviceId.0
firmware .1.3.6.1.4.1.34774.4.1.1.6.0              # ISM-STORAGE-SVC-MIB::version.0 ("6.0.1.SPH20")

volumes .1.3.6.1.4.1.34774.4.1.23.4.2.1 {          # hwInfoStoragePoolEntry
    name  2                                        # hwInfoStoragePoolName ("Pool-1")
    size  7 mib                                    # hwInfoStoragePoolTotalCapacity (MiB)
    free  9 mib                                    # hwInfoStoragePoolFreeCapacity (MiB)
}
