# esxi-host.profile: VMware ESXi's SNMP agent (VMWARE-PRODUCTS-MIB
# vmwESX = 1.3.6.1.4.1.6876.4.1).  Capacity from hrStorageTable: its fixed
# disks are the local VMFS datastores; NFS datastores are NetworkDisk rows
# and are left out by the type filter of host-resources.
profile esxi-host "VMware ESXi host (HOST-RESOURCES, VMWARE-SYSTEM-MIB)"
uses host-resources
priority 50
detect sysobjectid .1.3.6.1.4.1.6876.4.1

vendor   "VMware"
model    .1.3.6.1.4.1.6876.1.1.0                 # vmwProdName
firmware .1.3.6.1.4.1.6876.1.2.0                 # vmwProdVersion
