# dell-me4.profile: Dell EMC PowerVault ME4 series (ME4012/ME4024/ME4084),
# whose agent serves MIB-II and the Fibre Alliance FCMGMT-MIB
# (experimental .1.3.6.1.3.94) only.
#
# FCMGMT-MIB objects used: connUnitTable (.1.3.6.1.3.94.1.6): connUnitType
# (3, FcUnitType: storage-subsystem(11)), connUnitProduct (7, "the
# connectivity unit vendor's product model name"), connUnitSn (8, "the
# serial number for this connectivity unit").
#
# Checked against the walk of an ME4024: sysObjectID .1.3.6.1.4.1.674
# (Dell's bare enterprise arc, shared by many Dell agents: the FCMGMT-MIB
# serial is required as well); one connUnit of type 11 whose strings carry
# literal double quotes: connUnitProduct "\"DELL EMC ME4024\"",
# connUnitSn "\"CN0PJ27VFCG001CA04QEA01\"" (the regexes drop the quotes).
#
# NO CAPACITY: FCMGMT-MIB has no capacity object (it describes
# connectivity units, ports, sensors and revisions) and the ME4 agent
# serves no HOST-RESOURCES-MIB or other storage MIB (none in the walk).
# headroom keeps the device (identity, registration) without capacity,
# used or writes.
#
# The firmware is in connUnitRevsTable (.1.3.6.1.3.94.1.7.1):
# connUnitRevsRevision (3) of the row whose connUnitRevsDescription (4)
# reads "Bundle Version (I/O Manager-A)", quotes included as the agent sends
# them ("GT280R009-02" in the walk).
profile dell-me4 "Dell EMC PowerVault ME4 (FCMGMT-MIB identity; no capacity)"
priority 200
detect sysobjectid .1.3.6.1.4.1.674                # Dell
detect exists .1.3.6.1.3.94.1.6.1.8                # FCMGMT-MIB::connUnitSn

vendor   "Dell EMC"
serial   .1.3.6.1.3.94.1.6.1.8 where .1.3.6.1.3.94.1.6.1.3 = 11 regex "([^\"]+)"   # FCMGMT-MIB::connUnitSn of the storage-subsystem unit
model    .1.3.6.1.3.94.1.6.1.7 where .1.3.6.1.3.94.1.6.1.3 = 11 regex "([^\"]+)"   # FCMGMT-MIB::connUnitProduct of the storage-subsystem unit
firmware .1.3.6.1.3.94.1.7.1.3 where .1.3.6.1.3.94.1.7.1.4 = "\"Bundle Version (I/O Manager-A)\"" regex "([^\"]+)"   # FCMGMT-MIB::connUnitRevsRevision
