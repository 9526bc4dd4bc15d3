#!/bin/bash
# mkfixture.sh DIR [--many N]: build a --root tree for headroomd under DIR.
#
# Default tree (what the unit and integration tests expect):
#   sda      SATA "ATA" / "Samsung SSD 860", rev RVT04B6Q, 1953525168 sectors,
#            serial only in udev data (b8:0 ID_SERIAL_SHORT=S3Z9NB0K123456);
#            partitions sda1 (mounted /mnt/boot), sda2 (mounted at
#            "/mnt/data disk" -- a space, escaped \040 in mountinfo -- and
#            bind-mounted again at /mnt/bind), sda3 (not mounted)
#   nvme0n1  NVMe namespace; device/ is the controller with serial
#            "  S4EWNX0R123456  ", model, firmware_rev 2B2QEXM7; mounted whole
#            at /mnt/nvme
#   sdb      nothing mounted, no serial anywhere (key name:sdb)
#   sdc      hostile: serial "EVIL\r\nBcc: x" + bytes ff fe, vendor with a
#            NUL, a 4 KiB model, a binary rev; udev data with junk lines
#   sde      8 PiB (2^44 sectors): MiB values saturate at 4294967295
#   sdd      size 0: skipped;  loop0, ram0, zram0: skipped
#   host     sys/class/dmi/id (vendor, product, version, serial, BIOS, UUID)
#            and proc/sys/kernel hostname/osrelease: the ENTITY-MIB chassis
# --many N: instead, N SATA disks sd<i> each with one partition mounted at
#   /mnt/v<i> (benchmark).
# /proc/diskstats gives each disk a writes-completed count (field 8);
# tests bump it with bump_writes (see test_headroomd.sh).
set -eu
dir=$1
shift
many=0
if [ "${1:-}" = --many ]; then many=$2; fi

rm -rf "$dir"
mkdir -p "$dir/sys/block" "$dir/proc/self" "$dir/run/udev/data" "$dir/mnt"
: > "$dir/proc/self/mountinfo"
: > "$dir/proc/diskstats"
mid=100

# disk NAME MAJ MIN SECTORS
disk() {
    local d="$dir/sys/block/$1"
    mkdir -p "$d/device"
    echo "$2:$3" > "$d/dev"
    echo "$4" > "$d/size"
    printf '%4d %7d %s 100 0 800 10 %d 0 0 0 0 0 0\n' "$2" "$3" "$1" "${5:-1000}" >> "$dir/proc/diskstats"
}
# part DISK NAME MAJ MIN
part() {
    local d="$dir/sys/block/$1/$2"
    mkdir -p "$d"
    echo "$3:$4" > "$d/dev"
    echo 1 > "$d/partition"
    echo 1000 > "$d/size"
}
# mount MAJ MIN ESCAPED_POINT FSTYPE SOURCE  (the directory is created unescaped)
mnt() {
    local real
    real=$(printf '%b' "$3")
    mkdir -p "$dir$real"
    mid=$((mid + 1))
    echo "$mid 1 $1:$2 / $3 rw,relatime shared:$mid - $4 $5 rw" >> "$dir/proc/self/mountinfo"
}

if [ "$many" -gt 0 ]; then
    for i in $(seq 1 "$many"); do
        n=sd$i
        disk "$n" 8 $((i * 16)) 1953525168 $((i * 10))
        part "$n" "${n}1" 8 $((i * 16 + 1))
        echo "ATA     " > "$dir/sys/block/$n/device/vendor"
        echo "BENCH DISK $i" > "$dir/sys/block/$n/device/model"
        echo "FW01" > "$dir/sys/block/$n/device/rev"
        printf 'E:ID_SERIAL_SHORT=BENCH%05d\n' "$i" > "$dir/run/udev/data/b8:$((i * 16))"
        mnt 8 $((i * 16 + 1)) "/mnt/v$i" ext4 "/dev/${n}1"
    done
    exit 0
fi

# sda: SATA with partitions, serial from udev only
disk sda 8 0 1953525168 5000
printf 'ATA     \n' > "$dir/sys/block/sda/device/vendor"
printf 'Samsung SSD 860 \n' > "$dir/sys/block/sda/device/model"
printf 'RVT04B6Q\n' > "$dir/sys/block/sda/device/rev"
part sda sda1 8 1
part sda sda2 8 2
part sda sda3 8 3
mkdir -p "$dir/sys/block/sda/queue" "$dir/sys/block/sda/holders"   # not partitions
printf 'S:disk/by-id/ata-Samsung\nE:ID_SERIAL=Samsung_SSD_860_S3Z9NB0K123456\nE:ID_SERIAL_SHORT=S3Z9NB0K123456\nE:ID_TYPE=disk\n' \
    > "$dir/run/udev/data/b8:0"
mnt 8 1 /mnt/boot vfat /dev/sda1
mnt 8 2 '/mnt/data\040disk' ext4 /dev/sda2
mnt 8 2 /mnt/bind ext4 /dev/sda2

# nvme0n1: the namespace's device/ is the controller
disk nvme0n1 259 0 1000215216 7000
c="$dir/sys/block/nvme0n1/device"
printf '  S4EWNX0R123456  \n' > "$c/serial"
printf 'Samsung SSD 970 EVO Plus 1TB             \n' > "$c/model"
printf '2B2QEXM7\n' > "$c/firmware_rev"
mnt 259 0 /mnt/nvme xfs /dev/nvme0n1

# sdb: nothing mounted, no serial
disk sdb 8 16 3907029168 300
printf 'WDC     \n' > "$dir/sys/block/sdb/device/vendor"
printf 'WD40EFRX-68N32N0\n' > "$dir/sys/block/sdb/device/model"
printf '0A82\n' > "$dir/sys/block/sdb/device/rev"

# sdc: hostile strings
disk sdc 8 32 976773168 10
printf 'EVIL\r\nBcc: x\xff\xfe\n' > "$dir/sys/block/sdc/device/serial"
printf 'Ven\0dor\n' > "$dir/sys/block/sdc/device/vendor"
head -c 4096 /dev/zero | tr '\0' 'M' > "$dir/sys/block/sdc/device/model"
printf '\x01\x02\x80\n' > "$dir/sys/block/sdc/device/rev"
printf 'E:ID_SERIAL_SHORT=NOT-USED\nbinary\0junk\n' > "$dir/run/udev/data/b8:32"

# sde: 8 PiB
disk sde 8 64 17592186044416 20
printf 'BIGCORP \n' > "$dir/sys/block/sde/device/vendor"
printf 'HUGE\n' > "$dir/sys/block/sde/device/model"

# skipped
disk sdd 8 48 0
disk loop0 7 0 2048
disk ram0 1 0 8192
disk zram0 252 0 8192
mnt 7 0 /mnt/loop squashfs /dev/loop0

# the host (ENTITY-MIB chassis row)
mkdir -p "$dir/sys/class/dmi/id" "$dir/proc/sys/kernel"
printf 'ACME Computers\n' > "$dir/sys/class/dmi/id/sys_vendor"
printf 'StorServ 9000\n' > "$dir/sys/class/dmi/id/product_name"
printf 'To Be Filled By O.E.M.\n' > "$dir/sys/class/dmi/id/product_version"
printf 'CHS-0001\n' > "$dir/sys/class/dmi/id/product_serial"
printf '1.2.3\n' > "$dir/sys/class/dmi/id/bios_version"
printf '4c4c4544-0031-3410-8052-b4c04f4e4332\n' > "$dir/sys/class/dmi/id/product_uuid"
printf 'fixturehost\n' > "$dir/proc/sys/kernel/hostname"
printf '6.1.0-test\n' > "$dir/proc/sys/kernel/osrelease"

# noise in the mount table: other file systems, a malformed line
echo "1 0 0:22 / / rw - tmpfs none rw" >> "$dir/proc/self/mountinfo"
echo "garbage line" >> "$dir/proc/self/mountinfo"
echo "2 1 8:99 / /mnt/absent rw - ext4 /dev/sdz1 rw" >> "$dir/proc/self/mountinfo"
exit 0
