# linux-host.profile: a Linux or BSD host running net-snmp's snmpd (no
# headroomd): capacity from hrStorageTable, writes from diskIOTable,
# identity from ENTITY-MIB where the agent has it.  sysObjectID is
# NET-SNMP-TC's netSnmpAgentOIDs.<os>: 10 Linux, 8 FreeBSD, 3 SunOS, ...
profile linux-host "Linux/BSD host with net-snmp (HOST-RESOURCES, UCD-DISKIO)"
uses host-resources ucd-diskio entity
priority 50
detect sysobjectid .1.3.6.1.4.1.8072.3.2
detect exists .1.3.6.1.2.1.25.2.3.1.2            # hrStorageType

vendor   .1.3.6.1.2.1.1.1.0 regex "^(Linux|FreeBSD|NetBSD|OpenBSD|SunOS)"
firmware .1.3.6.1.2.1.1.1.0 regex "^[A-Za-z]+ [^ ]+ ([0-9][^ ]*)"     # the kernel release
