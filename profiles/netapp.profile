# netapp.profile: NetApp FAS/AFF filers (Data ONTAP 7-mode and clustered
# ONTAP), NETAPP-MIB (enterprise 789).
#
# NETAPP-MIB objects used:
#   product (.1.3.6.1.4.1.789.1.1): productVersion (2, "NetApp Release
#     9.7P9: Fri Nov 06 ..."), productModel (5), productSerialNum (9,
#     "unknown" when it cannot be determined: a placeholder)
#   dfTable (.1.3.6.1.4.1.789.1.5.4): dfFileSys (2), dfType (23:
#     traditionalVolume(1), flexibleVolume(2), aggregate(3),
#     stripedAggregate(4), stripedVolume(5)), df64TotalKBytes (29),
#     df64UsedKBytes (30), df64AvailKBytes (31), all Counter64 in KiB;
#     the same values as 32-bit halves dfHighTotalKBytes:dfLowTotalKBytes
#     (14:15), dfHighUsedKBytes:dfLowUsedKBytes (16:17).
#
# Capacity is the physical space the customer bought: aggregates (and
# 7-mode traditional volumes, which sit on their own RAID groups).  FlexVols
# live inside aggregates and are left out (counting both would count the
# same blocks twice); so are the snapshot-reserve rows ("/vol/x/.snapshot",
# "aggr0/.snapshot").
#
# No walk of a NetApp is available: built from the MIB only.
#
# The df64* columns (ONTAP 7.3/8.0 and later) come first; older ONTAP
# has only the high/low halves: the second block (volume blocks are
# alternatives in the order written).
# NETAPP-MIB has no per-volume write-operation counter table
# (misc64DiskWriteBytes is a scalar byte count): no writes block.
profile netapp "NetApp ONTAP (NETAPP-MIB product and df64 tables)"
priority 200
detect sysobjectid .1.3.6.1.4.1.789.2              # netappProducts

vendor   "NetApp"
serial   .1.3.6.1.4.1.789.1.1.9.0                  # NETAPP-MIB::productSerialNum.0
model    .1.3.6.1.4.1.789.1.1.5.0                  # NETAPP-MIB::productModel.0
firmware .1.3.6.1.4.1.789.1.1.2.0 regex "Release ([^ :]+)"   # NETAPP-MIB::productVersion.0 -> "9.7P9"

volumes .1.3.6.1.4.1.789.1.5.4.1 {                 # NETAPP-MIB::dfEntry
    type  23 in 1 3 4                              # dfType: traditionalVolume, aggregate, stripedAggregate
    name  2                                        # dfFileSys
    size  29 kib                                   # df64TotalKBytes (Counter64, KiB)
    used  30 kib                                   # df64UsedKBytes (Counter64, KiB)
    exclude name "/\.snapshot$"                    # snapshot reserve rows
}
volumes .1.3.6.1.4.1.789.1.5.4.1 {                 # NETAPP-MIB::dfEntry (ONTAP before 7.3)
    type  23 in 1 3 4
    name  2
    size  14:15 kib                                # dfHighTotalKBytes:dfLowTotalKBytes
    used  16:17 kib                                # dfHighUsedKBytes:dfLowUsedKBytes
    exclude name "/\.snapshot$"
}
