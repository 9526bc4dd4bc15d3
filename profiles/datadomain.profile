# datadomain.profile: EMC / Dell EMC Data Domain (DD OS), DATA-DOMAIN-MIB
# (enterprise 19746).
#
# DATA-DOMAIN-MIB objects used:
#   systemProperties (.1.3.6.1.4.1.19746.1.13.1): systemSerialNumber (1),
#     systemVersion (3), systemModelNumber (4)
#   fileSystemSpaceTable (.1.3.6.1.4.1.19746.1.3.2.1): fileSystemResourceName
#     (3), fileSystemSpaceSize (4), fileSystemSpaceUsed (5),
#     fileSystemSpaceAvail (6); FileSystemSpaceUnitTC: decimal text in GiB
#     ("21247.7")
#
# The table lists "/data: post-comp" (the physical space after
# deduplication and compression: what fills up), "/data: pre-comp" (the
# logical data written, size 0.0), "/ddvar" (logs and cores) and "Index":
# only the post-comp rows are capacity (one per tier: Active Tier, and
# Cloud Tier on systems that have one).
#
# Checked against the walk of DD OS 5.5.1.4: "/data: post-comp" size
# 21247.7, used 4836.0, avail 16411.7 (GiB; size = used + avail + cleanable
# 417.5 - rounding), tier "Active Tier".  That walk is trimmed: it has no
# systemProperties scalars (sysDescr "Data Domain OS 5.5.1.4-464376" has
# the version too).
#
# The firmware is systemVersion.0, else (trimmed or restricted views, as in
# that walk) the version in sysDescr: a field given twice is tried in order.
# No write counters: systemStatsTable holds rates (KB/s, ops/s), not
# counters.
profile datadomain "Data Domain (DATA-DOMAIN-MIB file system space)"
priority 200
detect sysobjectid .1.3.6.1.4.1.19746              # dataDomainMib (walk: .1.3.6.1.4.1.19746.3.1.38)

vendor   "Dell EMC"
serial   .1.3.6.1.4.1.19746.1.13.1.1.0             # DATA-DOMAIN-MIB::systemSerialNumber.0
model    .1.3.6.1.4.1.19746.1.13.1.4.0             # DATA-DOMAIN-MIB::systemModelNumber.0
firmware .1.3.6.1.4.1.19746.1.13.1.3.0             # DATA-DOMAIN-MIB::systemVersion.0
firmware .1.3.6.1.2.1.1.1.0 regex "^Data Domain OS ([0-9][^ ]*)"   # else SNMPv2-MIB::sysDescr.0

volumes .1.3.6.1.4.1.19746.1.3.2.1.1 {             # DATA-DOMAIN-MIB::fileSystemSpaceEntry
    name  3                                        # fileSystemResourceName
    size  4 text gib                               # fileSystemSpaceSize (GiB, decimal text)
    used  5 text gib                               # fileSystemSpaceUsed (GiB, decimal text)
    include name "^/data: post-comp$"
}
