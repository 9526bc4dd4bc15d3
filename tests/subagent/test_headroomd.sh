#!/bin/bash
# headroomd against a real snmpd AgentX master on loopback, on a fixture
# --root tree (tests/subagent/mkfixture.sh): every column of every disk,
# scalars, the volume table, sanitized strings, saturation, unknown used
# capacity, the peak rising after a window, reconnection after an snmpd
# restart, state across a headroomd restart, SET of hdrmDevRegNumber,
# disks disappearing between walks, SNMPv3, a corrupt state file and bad
# configuration files.
. "$(dirname "$0")/../lib.sh"
HD="$B/headroomd"
FX="$T/root"
STATE="$T/state"
HDLOG="$T/headroomd.log"
MIBP=HEADROOM-STORAGE-MIB

"$TOP/tests/subagent/mkfixture.sh" "$FX" || { not_ok "fixture"; exit 1; }

# The day boundary twelve hours from now, so that no check straddles it.
now_min=$((10#$(date +%H) * 60 + 10#$(date +%M)))
reset_min=$(( (now_min + 720) % 1440 ))
reset_hhmm=$(printf '%02d:%02d' $((reset_min / 60)) $((reset_min % 60)))

cat > "$T/headroomd.conf" <<CONF
# test configuration
window 2
reset-time $reset_hhmm
cache-timeout 1
agentx-ping-interval 1

[device *]
customer-id ACME-0001

[device S3Z9NB0K123456]
model-number    MZ-76E1T0
product-number  "MZ-76E1T0B/EU"
sale-date       2024-03-01
price           "48000.00 EUR"
cache-size      8GiB
configuration   "RAID6 12x8TB, 2 \"controllers\""

[device S4EWNX0R123456]
registration-number CFG-REG-1
customer-id OTHER-0002

[device name:sdb]
vendor   IGNORED-BECAUSE-SYSFS-HAS-ONE
CONF

start_hd() {
    spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$STATE" \
        -Lf "$HDLOG"
    HD_PID=$LAST_PID
    wait_for 15 hd_ready
}
hd_ready() { [[ $(get hdrmDeviceCount.0) =~ ^[0-9]+$ ]]; }
get() { snmp_v2 snmpget -OUqv "$MIBP::$1" 2>&1; }
val_is() { [ "$(get "$1")" = "$2" ]; }
alive() { kill -0 "$HD_PID" 2>/dev/null; }
# bump NAME DELTA: add DELTA to NAME's writes completed in diskstats
bump() {
    awk -v n="$1" -v d="$2" '$3 == n { $8 += d } { print }' "$FX/proc/diskstats" > "$FX/proc/diskstats.new" &&
        mv "$FX/proc/diskstats.new" "$FX/proc/diskstats"
}

start_snmpd || { not_ok "snmpd started"; exit 1; }
start_hd
check "headroomd connects and serves" hd_ready || { sed 's/^/# /' "$HDLOG"; exit 1; }

# ---- command line ----
out=$("$HD" --version); is "--version" "$out" "headroomd 0.1.0"
"$HD" --help | grep -q -- '--root DIR'; is "--help documents --root" "$?" 0
"$HD" --bogus >/dev/null 2>&1; is "bad option exits 2" "$?" 2
printf 'window 2\nwindoww 3\n[device X]\nsale-date 2024-13-01\nprice "unterminated\n' > "$T/bad.conf"
out=$("$HD" -f -C -c "$T/bad.conf" --state-dir "$T/nostate" 2>&1); rc=$?
is "bad config exits 1" "$rc" 1
like "bad config: unknown key at FILE:2" "$out" "$T/bad.conf:2: unknown key 'windoww'"
like "bad config: bad date at FILE:4" "$out" "$T/bad.conf:4: sale-date: '2024-13-01' is not a date"
like "bad config: unterminated quote at FILE:5" "$out" "$T/bad.conf:5: unterminated quoted string"
out=$("$HD" -n -C -c "$T/headroomd.conf" 2>&1); is "-n checks a good config" "$out" "configuration OK"
"$HD" -f -C -c "$T/missing.conf" >/dev/null 2>&1; is "missing -c file exits 1" "$?" 1

# ---- scalars ----
is "hdrmAgentVersion" "$(get hdrmAgentVersion.0)" "headroomd 0.1.0"
is "hdrmAgentWindow" "$(get hdrmAgentWindow.0)" 2
is "hdrmAgentResetTime" "$(get hdrmAgentResetTime.0)" "$reset_min"
is "hdrmDeviceCount: 5 disks (loop, ram, zram, empty skipped)" "$(get hdrmDeviceCount.0)" 5
like "hdrmDeviceTableLastChange is TimeTicks" "$(snmp_v2 snmpget -OU $MIBP::hdrmDeviceTableLastChange.0)" "Timeticks: \([0-9]+\)"

# ---- the whole MIB resolves to names ----
walk=$(snmp_v2 snmpwalk -OU $MIBP::hdrmStorageMIB 2>&1)
n=$(grep -c . <<< "$walk")
bad=$(grep -v "^$MIBP::hdrm" <<< "$walk")
is "walk lines all resolve to HEADROOM-STORAGE-MIB names ($n lines)" "$bad" ""
[ "$n" -gt 120 ] && ok "walk has $n objects" || not_ok "walk has only $n objects"

# ---- every column of every disk (indexes: name order at first start) ----
declare -A want=(
    [hdrmDevName.1]=nvme0n1 [hdrmDevName.2]=sda [hdrmDevName.3]=sdb [hdrmDevName.4]=sdc [hdrmDevName.5]=sde
    [hdrmDevSerial.1]=S4EWNX0R123456 [hdrmDevSerial.2]=S3Z9NB0K123456 [hdrmDevSerial.3]=""
    [hdrmDevSerial.5]=""
    [hdrmDevVendor.1]="" [hdrmDevVendor.2]=ATA [hdrmDevVendor.3]=WDC [hdrmDevVendor.5]=BIGCORP
    [hdrmDevModelName.1]="Samsung SSD 970 EVO Plus 1TB" [hdrmDevModelName.2]="Samsung SSD 860"
    [hdrmDevModelName.3]=WD40EFRX-68N32N0 [hdrmDevModelName.5]=HUGE
    [hdrmDevModelNumber.1]="" [hdrmDevModelNumber.2]=MZ-76E1T0 [hdrmDevModelNumber.3]=""
    [hdrmDevProductNumber.2]="MZ-76E1T0B/EU" [hdrmDevProductNumber.4]=""
    [hdrmDevFirmware.1]=2B2QEXM7 [hdrmDevFirmware.2]=RVT04B6Q [hdrmDevFirmware.3]=0A82 [hdrmDevFirmware.5]=""
    [hdrmDevConfig.2]='RAID6 12x8TB, 2 "controllers"' [hdrmDevConfig.1]=""
    [hdrmDevCapacity.1]=512110190592 [hdrmDevCapacity.2]=1000204886016 [hdrmDevCapacity.3]=2000398934016
    [hdrmDevCapacity.4]=500107862016 [hdrmDevCapacity.5]=9007199254740992
    [hdrmDevCapacityMiB.1]=488386 [hdrmDevCapacityMiB.2]=953869 [hdrmDevCapacityMiB.3]=1907729
    [hdrmDevCapacityMiB.4]=476940 [hdrmDevCapacityMiB.5]=4294967295
    [hdrmDevCacheSize.2]=8589934592 [hdrmDevCacheSizeMiB.2]=8192 
    [hdrmDevCacheSize.1]="No Such Instance currently exists at this OID" [hdrmDevCacheSizeMiB.1]="No Such Instance currently exists at this OID"
    [hdrmDevUsedPercent.3]=-1 [hdrmDevUsedPercent.4]=-1 [hdrmDevUsedPercent.5]=-1
    [hdrmDevWrites.1]=7000 [hdrmDevWrites.2]=5000 [hdrmDevWrites.3]=300 [hdrmDevWrites.4]=10 [hdrmDevWrites.5]=20
    [hdrmDevWindow.1]=2 [hdrmDevWindow.4]=2
    [hdrmDevSaleDate.2]="2024-3-1,0:0:0.0,+0:0" [hdrmDevSaleDate.1]="No Such Instance currently exists at this OID"
    [hdrmDevPrice.2]="48000.00 EUR" [hdrmDevPrice.3]=""
    [hdrmDevCustomerId.1]=OTHER-0002 [hdrmDevCustomerId.2]=ACME-0001 [hdrmDevCustomerId.4]=ACME-0001
    [hdrmDevRegNumber.1]=CFG-REG-1 [hdrmDevRegNumber.2]=""
)
for k in $(printf '%s\n' "${!want[@]}" | sort -V); do
    is "$k" "$(get "$k")" "${want[$k]}"
done
FFFD=$'\xef\xbf\xbd'
is "hostile serial sanitized (CR/LF, 8-bit)" "$(get hdrmDevSerial.4)" "EVIL${FFFD}${FFFD}Bcc: x${FFFD}${FFFD}"
is "vendor with NUL sanitized" "$(get hdrmDevVendor.4)" "Ven${FFFD}dor"
m=$(get hdrmDevModelName.4)
is "4 KiB model cut to 128 bytes" "${#m}" 128
is "binary firmware sanitized" "$(get hdrmDevFirmware.4)" "${FFFD}${FFFD}${FFFD}"
like "hdrmDevLastUpdate is a DateAndTime" "$(get hdrmDevLastUpdate.2)" "^[0-9]{4}-[0-9]+-[0-9]+,[0-9]+:[0-9]+:[0-9]+\.[0-9],[+-][0-9]+:[0-9]+$"
like "hdrmDevWrites is a Counter64" "$(snmp_v2 snmpget -OU $MIBP::hdrmDevWrites.2)" "Counter64: 5000"
like "hdrmDevPeakWrites is a Gauge32" "$(snmp_v2 snmpget -OU $MIBP::hdrmDevPeakWrites.2)" "Gauge32: "
# without the MIB the raw octets show: 11-octet DateAndTime, 2024-03-01 00:00 UTC
sd_oid=$(snmptranslate "${SNMPOPTS[@]}" -On $MIBP::hdrmDevSaleDate.2)
like "hdrmDevSaleDate is 11 octets" \
    "$(snmpget -v2c -c public -t 2 -r 1 -M "$MIBPATH" -m "" "127.0.0.1:$SNMPD_PORT" "$sd_oid" 2>&1)" \
    "Hex-STRING: 07 E8 03 01 00 00 00 00 2B 00 00"

# used: unknown is not zero
is "nothing mounted: no hdrmDevUsed instance" "$(get hdrmDevUsed.3)" "No Such Instance currently exists at this OID"
is "nothing mounted: no hdrmDevUsedMiB instance" "$(get hdrmDevUsedMiB.3)" "No Such Instance currently exists at this OID"
# one PDU, one scan: the device's used is the sum of its volumes
read -r du dum dup v1 v2 vc1 vc2 < <(snmp_v2 snmpget -OUqv $MIBP::hdrmDevUsed.2 $MIBP::hdrmDevUsedMiB.2 \
    $MIBP::hdrmDevUsedPercent.2 $MIBP::hdrmVolUsed.2.1 $MIBP::hdrmVolUsed.2.2 \
    $MIBP::hdrmVolCapacity.2.1 $MIBP::hdrmVolCapacity.2.2 | tr '\n' ' ')
is "sda used = sum of its two volumes" "$du" "$((v1 + v2))"
is "sda used MiB = used >> 20" "$dum" "$((du >> 20))"
is "sda used percent rounded up" "$dup" "$(( (du * 100 + vc1 + vc2 - 1) / (vc1 + vc2) ))"
[ "$du" -gt 0 ] && ok "sda used > 0 (statvfs of the fixture mount points)" || not_ok "sda used $du"

# ---- the volume table ----
is "volumes of sda: /mnt/boot" "$(get hdrmVolMountPoint.2.1)" "/mnt/boot"
is "volume with a space in its mount point" "$(get hdrmVolMountPoint.2.2)" "/mnt/data disk"
is "bind mount counted once" "$(get hdrmVolMountPoint.2.3)" "No Such Instance currently exists at this OID"
is "volume partition" "$(get hdrmVolPartition.2.2)" sda2
is "volume fs type" "$(get hdrmVolFsType.2.1)" vfat
is "NVMe volume" "$(get hdrmVolMountPoint.1.1)" /mnt/nvme
c=$(get hdrmVolCapacity.1.1); cm=$(get hdrmVolCapacityMiB.1.1)
is "volume capacity MiB" "$cm" "$((c >> 20))"
vt=$(snmp_v2 snmpwalk -OUqv $MIBP::hdrmVolMountPoint | wc -l)
is "three volumes in all (sdb, sdc, sde have none; loop0 skipped)" "$vt" 3

# ---- load: bump a write counter and see the peak after a window ----
is "no peak yet" "$(get hdrmDevPeakWrites.2)" 0
bump sda 400
wait_for 10 val_is hdrmDevPeakWrites.2 400
is "peak rises to the 400 writes of one window" "$(get hdrmDevPeakWrites.2)" 400
is "hdrmDevWrites follows diskstats" "$(get hdrmDevWrites.2)" 5400
bump sda 100
wait_for 10 val_is hdrmDevWrites.2 5500
# the window holding the 100 writes is counted: the day's sum in the state
# file (dev INDEX DAY CMAX PREV DAYSUM WINDOWS ...) reaches 500
day_sum_is() { [ "$(awk -v i="$1" '$1 == "dev" && $2 == i { print $6 }' "$STATE/state")" = "$2" ]; }
wait_for 15 day_sum_is 2 500
is "the window with 100 writes counted (day sum 500)" "$(awk '$1 == "dev" && $2 == 2 { print $6 }' "$STATE/state")" 500
is "a smaller window leaves Cmax at 400" "$(get hdrmDevPeakWrites.2)" 400
avg=$(get hdrmDevWriteRateAvg.2)
[[ $avg =~ ^[0-9]+$ ]] && [ "$avg" -gt 0 ] && [ "$avg" -lt 400 ] && ok "average rate $avg between 0 and 400" ||
    not_ok "average rate $avg"
is "previous day not observed: PeakWritesPrev 0" "$(get hdrmDevPeakWritesPrev.2)" 0
# a counter going back is a device reset: that window is not counted
awk '$3 == "sdb" { $8 = 1 } { print }' "$FX/proc/diskstats" > "$FX/proc/diskstats.new" && mv "$FX/proc/diskstats.new" "$FX/proc/diskstats"
wait_for 15 grep -q "device sdb: write counter went back" "$HDLOG"
check "the window with the counter going back seen" grep -q "device sdb: write counter went back" "$HDLOG"
is "counter going back makes no peak" "$(get hdrmDevPeakWrites.3)" 0
is "and the counter is served as is" "$(get hdrmDevWrites.3)" 1

# ---- SET hdrmDevRegNumber ----
set_rw() { snmpset -v2c -c private -t 2 -r 0 -Ir "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" "$@" 2>&1; }
out=$(set_rw $MIBP::hdrmDevRegNumber.2 s "REG-2024-0001")
like "SET registration number" "$out" 'hdrmDevRegNumber.2 = STRING: "?REG-2024-0001'
is "read back" "$(get hdrmDevRegNumber.2)" "REG-2024-0001"
like "wrong type refused" "$(set_rw $MIBP::hdrmDevRegNumber.2 i 5)" "wrongType"
like "wrong length refused" "$(set_rw $MIBP::hdrmDevRegNumber.2 s 123456789012345678901234567890123)" "wrongLength"
like "bad UTF-8 refused" "$(set_rw $MIBP::hdrmDevRegNumber.2 x "41FF0A")" "wrongValue"
like "U+202E (right-to-left override) refused" "$(set_rw $MIBP::hdrmDevRegNumber.2 x "5245472DE280AE31")" "wrongValue"
like "U+2028 (line separator) refused" "$(set_rw $MIBP::hdrmDevRegNumber.2 x "52E280A831")" "wrongValue"
like "configured registration number is notWritable" "$(set_rw $MIBP::hdrmDevRegNumber.1 s X)" "notWritable"
like "read-only column: snmpd's VACM view refuses it (noAccess)" "$(set_rw $MIBP::hdrmDevName.2 s X)" "noAccess"
# past the VACM view (a community that may SET anything): headroomd refuses
like "read-only column is notWritable" \
    "$(snmpset -v2c -c subagenttest -t 2 -r 0 "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" $MIBP::hdrmDevName.2 s X 2>&1)" \
    "notWritable"
like "no such device: noCreation" "$(set_rw $MIBP::hdrmDevRegNumber.99 s X)" "noCreation|notWritable"
out=$(snmpset -v2c -c public -t 2 -r 0 "${SNMPOPTS[@]}" "127.0.0.1:$SNMPD_PORT" $MIBP::hdrmDevRegNumber.2 s Y 2>&1)
like "read-only community cannot SET" "$out" "noAccess|authorizationError|notWritable"
is "failed SETs changed nothing" "$(get hdrmDevRegNumber.2)" "REG-2024-0001"
grep -q 'REG-2024-0001' "$STATE/state"; is "SET persisted in the state file" "$?" 0

# ---- snmpd restart: the subagent reconnects ----
stop "$SNMPD_PID"
check "headroomd survives the master going away" alive
start_snmpd || not_ok "snmpd restarted"
wait_for 20 hd_ready
check "headroomd reconnected after snmpd restart" hd_ready
is "serves the same table again" "$(get hdrmDevName.2)" sda

# ---- headroomd restart: same indexes, same Cmax, same registration number ----
kill -TERM "$HD_PID"; wait "$HD_PID"; rc=$?
is "SIGTERM: exit status 0" "$rc" 0
grep -q "^dev 2 .* 400 " "$STATE/state"; is "Cmax 400 saved in the state file" "$?" 0
start_hd
check "headroomd restarted" hd_ready
names=$(for i in 1 2 3 4 5; do get hdrmDevName.$i; done | tr '\n' ' ')
is "same indexes after a restart" "$names" "nvme0n1 sda sdb sdc sde "
is "same Cmax after a restart" "$(get hdrmDevPeakWrites.2)" 400
is "registration number survives a restart" "$(get hdrmDevRegNumber.2)" "REG-2024-0001"

# ---- disks disappearing and appearing between walks ----
lc0=$(snmp_v2 snmpget -OUqvt $MIBP::hdrmDeviceTableLastChange.0)
rm -rf "$FX/sys/block/sdb"
wait_for 15 val_is hdrmDevName.3 "No Such Instance currently exists at this OID"
is "removed disk: row gone" "$(get hdrmDevName.3)" "No Such Instance currently exists at this OID"
is "device count 4" "$(get hdrmDeviceCount.0)" 4
lc1=$(snmp_v2 snmpget -OUqvt $MIBP::hdrmDeviceTableLastChange.0)
[ "$lc1" -gt "$lc0" ] && ok "hdrmDeviceTableLastChange moved ($lc0 -> $lc1)" || not_ok "last change $lc0 -> $lc1"
check "headroomd alive after a disk vanished" alive
mkdir -p "$FX/sys/block/sdg/device"
echo "8:96" > "$FX/sys/block/sdg/dev"; echo 2048 > "$FX/sys/block/sdg/size"
echo "SERIAL-G" > "$FX/sys/block/sdg/device/serial"
wait_for 15 val_is hdrmDevSerial.6 SERIAL-G
is "new disk gets a new index (6)" "$(get hdrmDevSerial.6)" SERIAL-G
mkdir -p "$FX/sys/block/sdb/device"; echo "8:16" > "$FX/sys/block/sdb/dev"; echo 3907029168 > "$FX/sys/block/sdb/size"
wait_for 15 val_is hdrmDevName.3 sdb
is "returning disk gets its old index back" "$(get hdrmDevName.3)" sdb
# a second disk with sda's serial (multipath, cloned firmware) is keyed by
# its name and does not steal sda's row
mkdir -p "$FX/sys/block/sdh/device"; echo "8:112" > "$FX/sys/block/sdh/dev"; echo 4096 > "$FX/sys/block/sdh/size"
echo "S3Z9NB0K123456" > "$FX/sys/block/sdh/device/serial"
wait_for 15 val_is hdrmDevName.7 sdh
is "duplicate serial: sda keeps index 2" "$(get hdrmDevName.2)" sda
is "duplicate serial: the other disk gets a new index (7)" "$(get hdrmDevName.7)" sdh
grep -q " name:sdh$" "$STATE/state"; is "duplicate serial: keyed name:sdh" "$?" 0
# many changes during walks: the walk never breaks
for i in 1 2 3 4 5; do
    rm -rf "$FX/sys/block/sdg"
    snmp_v2 snmpbulkwalk -OUqv $MIBP::hdrmDeviceTable > /dev/null 2>&1 || not_ok "walk $i"
    mkdir -p "$FX/sys/block/sdg/device"; echo "8:96" > "$FX/sys/block/sdg/dev"; echo 2048 > "$FX/sys/block/sdg/size"
    snmp_v2 snmpbulkwalk -OUqv $MIBP::hdrmStorageMIB > /dev/null 2>&1 || not_ok "walk $i'"
done
check "alive after walks during churn" alive

# ---- SNMPv3 ----
out=$(snmpwalk -v3 -u hruser -l authPriv -a SHA -A hrauthpass -x AES -X hrprivpass -t 2 -r 1 \
    "${SNMPOPTS[@]}" -OUqv "127.0.0.1:$SNMPD_PORT" $MIBP::hdrmDevName 2>&1 | tr '\n' ' ')
like "SNMPv3 authPriv walk" "$out" "^nvme0n1 sda sdb sdc sde"

# ---- corrupt state file: logged, set aside, not fatal ----
kill -TERM "$HD_PID"; wait "$HD_PID"
printf 'headroomd-state 1\nnext-index banana\n' > "$STATE/state"
start_hd
check "starts despite a corrupt state file" hd_ready
grep -q "corrupt state file.*:2: bad next-index" "$HDLOG"; is "corrupt state logged with its line" "$?" 0
ls "$STATE"/state.corrupt-* >/dev/null 2>&1; is "corrupt state moved aside" "$?" 0
check "still alive at the end" alive

# ---- -u: drop privileges, and still reconnect after an snmpd restart ----
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    kill -TERM "$HD_PID"; wait "$HD_PID"
    chmod 755 "$T"                    # nobody must reach the fixture and socket
    stop "$SNMPD_PID"
    SNMPD_EXTRA_CONF="agentXPerms 0666 0755"
    start_snmpd || not_ok "snmpd with an open AgentX socket"
    STATE="$T/state-nobody"
    spawn "$HD" -f -C -c "$T/headroomd.conf" -x "$AGENTX" --root "$FX" --state-dir "$STATE" \
        -u nobody -Lf "$HDLOG"
    HD_PID=$LAST_PID
    wait_for 15 hd_ready
    is "-u nobody: runs as nobody" "$(ps -o user= -p "$HD_PID" | tr -d ' ')" nobody
    check "-u nobody: serves" hd_ready
    is "-u nobody: state directory given to nobody" "$(stat -c %U "$STATE")" nobody
    wait_for 5 test -e "$STATE/state"
    is "-u nobody: state file written as nobody" "$(stat -c %U "$STATE/state")" nobody
    stop "$SNMPD_PID"
    start_snmpd || not_ok "snmpd restarted again"
    wait_for 20 hd_ready
    check "-u nobody: reconnected after an snmpd restart" hd_ready
else
    skip "-u nobody: runs as nobody" "needs root and user nobody"
fi
grep -i "error\|crit" "$HDLOG" | grep -v "^$" | sed 's/^/# log: /'
done_testing
