# windows-host.profile: a Windows server's SNMP service.  sysObjectID is
# under Microsoft's 1.3.6.1.4.1.311.1.1.3 (windowsNT); capacity from
# hrStorageTable (its Integer32 sizes overflow on large volumes: the engine
# adds 2^32 to a negative size).  The service has no disk I/O counters.
profile windows-host "Windows server (SNMP service, HOST-RESOURCES)"
uses host-resources
priority 50
detect sysobjectid .1.3.6.1.4.1.311.1.1.3

vendor   "Microsoft"
model    "Windows"
firmware .1.3.6.1.2.1.1.1.0 regex "(Version [0-9.]+ \(Build [0-9]+[^)]*\))"
