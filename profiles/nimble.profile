# nimble.profile: HPE Nimble Storage arrays (NimbleOS), NIMBLE-MIB
# (enterprise 37447).
#
# NIMBLE-MIB volTable (.1.3.6.1.4.1.37447.1.2): volName (3), volSizeLow (4),
# volSizeHigh (5), volUsageLow (6), volUsageHigh (7) (Unsigned32 halves of a
# 64-bit value), volIoWrites (34, Counter64, "Total cumulative number of
# Write I/Os").
#
# Units: the MIB text says "bytes", but NimbleOS reports MiB.  The walk of
# a NimbleOS 2.3.14 group shows it: volSizeLow 122880 for a database volume
# (120 GiB, not 120 KB), 15728640 (15 TiB) for a VMware datastore, all high
# halves 0; other tools read these columns as MiB too.
#
# Volumes are thin: volSize is the provisioned size, volUsage what the
# volume uses.  Their sum is provisioned capacity, not the array's raw
# capacity (NIMBLE-MIB has no pool or array capacity object).
#
# A SAN's volume table lists distinct volumes: two full volumes of one size
# (the walk's DBDBDB1 and DBDBDB3, 200 GiB each) are two volumes, so the
# duplicate-row rule (meant for bind mounts) is off.
#
# NIMBLE-MIB has no serial number or model object; sysDescr carries the
# software version ("Nimble Storage nw-group-01 running software version
# 2.3.14.0-325711-opt").
profile nimble "HPE Nimble Storage (NIMBLE-MIB volume table)"
priority 200
detect sysobjectid .1.3.6.1.4.1.37447              # nimble (walk: .1.3.6.1.4.1.37447.3.1)

vendor   "HPE Nimble Storage"
firmware .1.3.6.1.2.1.1.1.0 regex "software version ([^ ]+)"   # SNMPv2-MIB::sysDescr.0 -> "2.3.14.0-325711-opt"

volumes .1.3.6.1.4.1.37447.1.2.1 {                 # NIMBLE-MIB::volEntry
    name  3                                        # volName
    size  5:4 mib                                  # volSizeHigh:volSizeLow (MiB, see above)
    used  7:6 mib                                  # volUsageHigh:volUsageLow (MiB)
    keep duplicates                                # distinct LUNs, not bind mounts
}

writes .1.3.6.1.4.1.37447.1.2.1 {                  # NIMBLE-MIB::volEntry
    name  3                                        # volName
    count 34                                       # volIoWrites (Counter64)
}
