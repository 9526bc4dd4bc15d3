# qnap.profile: QNAP Turbo NAS (QTS), NAS-MIB (enterprise 24681).
#
# MIB: QNAP NAS-MIB.  Objects used:
#   storageSystem 1.2 systemInfo:    systemVolumeTable (.17): sysVolumeDescr,
#                                    sysVolumeTotalSize, sysVolumeFreeSize
#                                    (DisplayString such as "7.22 TB")
#   storageSystem 1.4 storageSystemEx ... components.enclosure: enclosureTable
#                                    (.1.3.6.1.4.1.24681.1.4.1.1.1.1.1.2):
#                                    enclosureID, enclosureModel,
#                                    enclosureSerialNum
# QTS has no firmware object in NAS-MIB: the firmware is read from the
# ENTITY-MIB chassis row QTS also serves.
#
# Checked against the walk of a TVS-871U-RP with a UX-1200U expansion unit
# on QTS 4.3.3: sysObjectID .1.3.6.1.4.1.24681; enclosureTable rows
# enclosureID 0 = TVS-871U-RP "Q157I12451" (the NAS) and 1 = UX-1200U
# "Q149I17439" (the expansion shelf): the device serial is the row whose
# enclosureID is 0.  entPhysicalSoftwareRev.1 reads "\4.3.3" (a stray
# backslash/quote from the agent): the regex keeps "4.3.3".  That walk is
# trimmed and has no systemVolumeTable; its hrStorageTable shows the data
# volumes as /share/CACHEDEV1_DATA .. /share/CACHEDEV3_DATA.
#
# Volume blocks are alternatives in the order written (the first that
# gives a counted volume is used): systemVolumeTable, then the
# hrStorageTable rows "^/share/CACHEDEV[0-9]+_DATA$" where the agent serves
# no NAS-MIB volume table (as in the walk).  Not used yet: the exact
# Counter64 twin systemVolumeTableEx (.1.3.6.1.4.1.24681.1.3.17.1, QTS 4.1
# and later); the text table is rounded to 3 significant digits (about
# +-5 GB on a 7 TB volume).
profile qnap "QNAP NAS (NAS-MIB system volumes and enclosures)"
uses ucd-diskio
priority 200
detect sysobjectid .1.3.6.1.4.1.24681                # QNAP's enterprise arc (the walk's sysObjectID)

vendor   "QNAP"
serial   .1.3.6.1.4.1.24681.1.4.1.1.1.1.1.2.1.4 where .1.3.6.1.4.1.24681.1.4.1.1.1.1.1.2.1.2 = 0   # NAS-MIB::enclosureSerialNum where enclosureID = 0
model    .1.3.6.1.4.1.24681.1.4.1.1.1.1.1.2.1.3 where .1.3.6.1.4.1.24681.1.4.1.1.1.1.1.2.1.2 = 0   # NAS-MIB::enclosureModel where enclosureID = 0
firmware .1.3.6.1.2.1.47.1.1.1.1.10 where .1.3.6.1.2.1.47.1.1.1.1.5 = 3 regex "([0-9][0-9A-Za-z._-]*)"   # ENTITY-MIB::entPhysicalSoftwareRev of the chassis row

# systemVolumeTable: sizes are text with their unit ("7.22 TB", "512.00 GB");
# the unit in the text wins over the scale given here (a bare number has
# never been seen; it would be read as GB).
volumes .1.3.6.1.4.1.24681.1.2.17.1 {              # NAS-MIB::sysVolumeEntry
    name  2                                        # sysVolumeDescr
    size  4 text gib                               # sysVolumeTotalSize (DisplayString)
    free  5 text gib                               # sysVolumeFreeSize (DisplayString)
}
volumes .1.3.6.1.2.1.25.2.3.1 {                    # HOST-RESOURCES-MIB::hrStorageEntry
    type  2 in .1.3.6.1.2.1.25.2.1.4               # hrStorageFixedDisk
    name  3                                        # hrStorageDescr
    unit  4                                        # hrStorageAllocationUnits
    size  5 units                                  # hrStorageSize
    used  6 units                                  # hrStorageUsed
    include name "^/share/CACHEDEV[0-9]+_DATA$"    # the data volumes (not /mnt/HDA_ROOT, /mnt/ext)
}
# NAS-MIB has no write counters (diskPerformanceTable holds IOPS gauges):
# writes come from ucd-diskio where the QTS agent serves diskIOTable (the
# walk does not).
