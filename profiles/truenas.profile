# truenas.profile: FreeNAS / TrueNAS CORE (FreeBSD based, 11.x to 13.x),
# FREENAS-MIB (iXsystems, enterprise 50536).
#
# FREENAS-MIB zpoolTable (.1.3.6.1.4.1.50536.1.1.1): zpoolDescr (2),
# zpoolAllocationUnits (3, Integer32, UNITS "Bytes"), zpoolSize (4),
# zpoolUsed (5), zpoolAvailable (6) as Integer32 counts of allocation units,
# zpoolHealth (7), then Counter64 zpoolReadOps (8), zpoolWriteOps (9),
# zpoolReadBytes (10), zpoolWriteBytes (11) and the 1-second rates (12-15).
#
# TrueNAS SCALE serves TRUENAS-MIB under the same OIDs with other meanings:
# there column 4 is zpoolReadOps, a Counter64, column 3 zpoolHealth, a
# string.  So this profile is recognised by zpoolSize being an Integer32;
# truenas-scale.profile by the Counter64.
#
# sysObjectID is net-snmp's FreeBSD one (.1.3.6.1.4.1.8072.3.2.8), so
# linux-host matches as well: priority above 50.
#
# Checked against the walk of TrueNAS-11.2-U7: pools freenas-boot
# (AU 4096) and tank (AU 131072: size 1459617792 = used 331145071 +
# available 1128472720 units); zpoolWriteOps Counter64 present.  The
# datasetTable (.1.3.6.1.4.1.50536.1.2) is not used: every dataset repeats
# its pool's free space.  The MIB has no serial number.
profile truenas "FreeNAS/TrueNAS CORE (FREENAS-MIB zpool table)"
priority 200
detect exists .1.3.6.1.4.1.50536.1.1.1.1.4 type integer   # FREENAS-MIB::zpoolSize (Integer32; SCALE: Counter64 zpoolReadOps)

vendor   "iXsystems"
# sysDescr: "TrueNAS-11.2-U7 (b088e78e8d). Hardware: amd64 ..." or "FreeNAS-11.1-U7 ..."
model    .1.3.6.1.2.1.1.1.0 regex "^([A-Za-z]+)-[0-9]"        # SNMPv2-MIB::sysDescr.0 -> "TrueNAS"
firmware .1.3.6.1.2.1.1.1.0 regex "^[A-Za-z]+-([0-9][^ ]*)"   # SNMPv2-MIB::sysDescr.0 -> "11.2-U7"

volumes .1.3.6.1.4.1.50536.1.1.1.1 {               # FREENAS-MIB::zpoolEntry
    name  2                                        # zpoolDescr
    unit  3                                        # zpoolAllocationUnits (bytes)
    size  4 units                                  # zpoolSize
    used  5 units                                  # zpoolUsed
    # The boot pool holds the OS, not customer data.
    exclude name "^(freenas-boot|boot-pool)$"
}

writes .1.3.6.1.4.1.50536.1.1.1.1 {                # FREENAS-MIB::zpoolEntry
    name  2                                        # zpoolDescr
    count 9                                        # zpoolWriteOps (Counter64)
    exclude name "^(freenas-boot|boot-pool)$"
}
