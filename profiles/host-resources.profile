# host-resources.profile: HOST-RESOURCES-MIB (RFC 2790) fixed disks.
# Served by net-snmp (Linux, BSD, NAS firmware built on it), Windows' SNMP
# service and ESXi.  Used by the host profiles below for capacity.
profile host-resources "HOST-RESOURCES-MIB fixed disks (RFC 2790 hrStorageTable)"
priority 10
detect exists .1.3.6.1.2.1.25.2.3.1.2            # hrStorageType

# hrStorageEntry: sizes are counts of hrStorageAllocationUnits bytes; the
# unit is read again every poll (an agent may change it).
volumes .1.3.6.1.2.1.25.2.3.1 {
    type  2 in .1.3.6.1.2.1.25.2.1.4             # hrStorageFixedDisk only
    name  3                                      # hrStorageDescr
    unit  4                                      # hrStorageAllocationUnits
    size  5 units                                # hrStorageSize
    used  6 units                                # hrStorageUsed
    # Pseudo and runtime filesystems that some agents type as fixed disks.
    exclude name "^/(proc|sys|dev|run|boot/efi)(/|$)"
    exclude name "^/(snap|var/lib/docker|var/lib/containers)/"
}
