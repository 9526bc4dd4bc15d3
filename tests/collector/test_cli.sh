#!/bin/bash
# headroom's inventory commands on a private database: CSV imports good and
# bad (line-numbered errors, nothing half-imported, exit 3), secrets never
# printed, file mode 0600 whatever the umask, upgrade of an older schema,
# history import and read-back in date order.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db" HEADROOM_PROFILE_DIRS="$TOP/profiles"
q() { sqlite3 "$HEADROOM_DB" "$@"; }

check "headroom is built" test -x "$H"
"$H" fleet --help | grep -q 'fleet import'; is "fleet --help" "$?" 0
for c in customers staff history db poll; do
    "$H" "$c" --help > /dev/null 2>&1; is "$c --help exits 0" "$?" 0
done
"$H" fleet bogus > /dev/null 2>&1; is "unknown fleet subcommand: exit 2" "$?" 2
"$H" fleet list > "$T/out" 2>&1; is "no database yet: exit 1" "$?" 1
like "no database: says how to create one" "$(cat "$T/out")" "headroom db init"

# ---- the file is private, even with a permissive umask ----
(umask 000; "$H" db init > /dev/null); is "db init" "$?" 0
is "database mode 0600 under umask 000" "$(stat -c %a "$HEADROOM_DB")" 600
like "db info shows WAL" "$("$H" db info)" "journal: +wal"

# ---- customers and staff ----
cat > "$T/customers.csv" <<'EOF'
id,name,area_code,assigned_staff,consent_sales
ACME,"Acme, Inc.",03,s1,yes
BETA,"Beta ""Storage"" KK",06,,no
GAMMA,Gamma,03,,1
EOF
out=$("$H" customers import "$T/customers.csv"); is "customers import" "$?" 0
is "customers import says how many" "$out" "3 customers imported from $T/customers.csv"
is "quoted names stored" "$(q "SELECT name FROM customers WHERE id='BETA'")" 'Beta "Storage" KK'
is "consent parsed" "$(q "SELECT group_concat(consent_sales) FROM customers ORDER BY id")" "1,0,1"
"$H" customers import "$T/customers.csv" > /dev/null; is "re-import updates (exit 0)" "$?" 0
is "re-import does not duplicate" "$(q 'SELECT count(*) FROM customers')" 3

printf 'id,name,email,area_codes,product_lines,role\ns1,Sato,sato@example.com,03 04,arrays,sales\nboss,Boss,boss@example.com,,,admin\n' > "$T/staff.csv"
"$H" staff import "$T/staff.csv" > /dev/null; is "staff import" "$?" 0
printf 'id,email\ns2,not-an-address\ns3,x@y\ns3,z@y\n' > "$T/badstaff.csv"
out=$("$H" staff import "$T/badstaff.csv" 2>&1); rc=$?
is "bad staff file: exit 3" "$rc" 3
like "bad email at line 2" "$out" "badstaff.csv:2: email: 'not-an-address' is not a mail address"
like "duplicate id at line 4 names line 3" "$out" "badstaff.csv:4: id 's3' already used on line 3"
is "nothing of the bad staff file imported" "$(q 'SELECT count(*) FROM staff')" 2

# ---- fleet: good file ----
cat > "$T/fleet.csv" <<'EOF'
name,customer,address,port,transport,version,community,write_community,v3_user,v3_level,v3_auth_proto,v3_auth_pass,v3_priv_proto,v3_priv_pass,v3_write
acme-1,ACME,127.0.0.1,1161,udp,2c,s3cret-ro,s3cret-rw,,,,,,,
acme-2,ACME,127.0.0.2,,,3,,,hruser,authPriv,SHA-256,authpass-XYZ,AES,privpass-XYZ,1
beta-1,BETA,::1,1162,tcp,1,v1-secret,,,,,,,,
EOF
"$H" fleet import "$T/fleet.csv" > /dev/null; is "fleet import" "$?" 0
is "three targets" "$(q 'SELECT count(*) FROM targets')" 3
is "defaults: port 161, udp" "$(q "SELECT port || transport FROM targets WHERE name='acme-2'")" "161udp"
list=$("$H" fleet list; "$H" fleet list --format csv; "$H" -v fleet list --customer ACME)
for secret in s3cret-ro s3cret-rw authpass-XYZ privpass-XYZ v1-secret; do
    case $list in *"$secret"*) not_ok "fleet list hides $secret" ;; *) ok "fleet list hides $secret" ;; esac
done
like "fleet list shows *** for communities" "$list" "community=\*\*\* write=\*\*\*"
like "fleet list shows the v3 user and level" "$list" "user=hruser authPriv SHA-256:\*\*\* AES:\*\*\* write"

# ---- fleet: bad file, nothing imported, every bad line named ----
cat > "$T/bad.csv" <<'EOF'
name,customer,address,port,version,community,v3_user,v3_auth_pass
ok-1,ACME,10.0.0.1,161,2c,public,,
bad-ver,ACME,10.0.0.2,161,4,public,,
bad-port,ACME,10.0.0.3,99999,2c,public,,
bad-cust,NOPE,10.0.0.4,161,2c,public,,
no-comm,ACME,10.0.0.5,161,2c,,,
v3-short,ACME,10.0.0.6,161,3,,u,short
ok-1,ACME,10.0.0.7,161,2c,public,,
"line
break",ACME,10.0.0.8,161,2c,public,,
"unterminated,ACME
EOF
out=$("$H" fleet import "$T/bad.csv" 2>&1); rc=$?
is "bad fleet file: exit 3" "$rc" 3
like "line 3: unknown SNMP version '4'" "$out" "bad.csv:3: unknown SNMP version '4'"
like "line 4: port out of range" "$out" "bad.csv:4: port: '99999' is not a whole number from 1 to 65535"
like "line 5: unknown customer" "$out" "bad.csv:5: unknown customer 'NOPE'"
like "line 6: community missing" "$out" "bad.csv:6: SNMP v2c needs a community"
like "line 7: v3 passphrase too short" "$out" "bad.csv:7: v3_auth_pass: at least 8 characters"
like "line 8: duplicate name" "$out" "bad.csv:8: target name 'ok-1' already used on line 2"
like "line 9: a line break inside a value" "$out" "bad.csv:9: name: line break inside the value"
like "line 11: CSV syntax" "$out" "bad.csv:11: unterminated quoted field"
like "says nothing was imported" "$out" "nothing imported"
is "no target of the bad file imported (not even its good line)" "$(q "SELECT count(*) FROM targets WHERE name='ok-1'")" 0
printf 'name,customer,addr\nx,ACME,1.2.3.4\n' > "$T/badhdr.csv"
out=$("$H" fleet import "$T/badhdr.csv" 2>&1); rc=$?
is "unknown column: exit 3" "$rc" 3
like "unknown column named with file:1" "$out" "badhdr.csv:1: unknown column 'addr'"
printf 'name,address\nx,1.2.3.4\n' > "$T/nocust.csv"
like "missing required column" "$("$H" fleet import "$T/nocust.csv" 2>&1)" "lacks the required column 'customer'"
printf 'customer,address,community\nNEWCO,10.1.1.1,c\n' > "$T/newco.csv"
"$H" fleet import --add-customers "$T/newco.csv" > /dev/null; is "--add-customers creates the customer" "$?" 0
is "new customer exists" "$(q "SELECT count(*) FROM customers WHERE id='NEWCO'")" 1
is "default target name address:port" "$(q "SELECT name FROM targets WHERE customer='NEWCO'")" "10.1.1.1:161"

# ---- fleet: the profile of a target ----
printf 'name,customer,address,community,profile\np-auto,ACME,10.2.0.1,c,\np-syn,ACME,10.2.0.2,c,synology\np-hr,ACME,10.2.0.3,c,headroom\np-auto2,ACME,10.2.0.4,c,AUTO\n' \
    > "$T/prof.csv"
"$H" fleet import "$T/prof.csv" > /dev/null; is "profile column imported" "$?" 0
is "profiles stored (empty = auto)" \
    "$(q "SELECT group_concat(name || '=' || profile, ' ') FROM (SELECT * FROM targets WHERE name LIKE 'p-%' ORDER BY name)")" \
    "p-auto=auto p-auto2=auto p-hr=headroom p-syn=synology"
like "fleet list: configured and detected profile" "$("$H" fleet list --customer ACME)" \
    "p-syn .* synology +- +never"
printf 'name,customer,address,community,profile\np-ok,ACME,10.2.0.5,c,linux-host\np-bad,ACME,10.2.0.6,c,no-such-profile\n' \
    > "$T/badprof.csv"
out=$("$H" fleet import "$T/badprof.csv" 2>&1); rc=$?
is "unknown profile: exit 3" "$rc" 3
like "unknown profile named with FILE:LINE" "$out" "badprof.csv:3: unknown profile 'no-such-profile'"
is "nothing of that file imported" "$(q "SELECT count(*) FROM targets WHERE name = 'p-ok'")" 0
"$H" fleet add --name p-add --customer ACME --address 10.2.0.7 --community c --profile qnap > /dev/null
is "fleet add --profile" "$?$(q "SELECT profile FROM targets WHERE name = 'p-add'")" "0qnap"
"$H" fleet add --name p-add2 --customer ACME --address 10.2.0.8 --community c --profile nope 2> "$T/err"
is "fleet add --profile unknown: exit 2" "$?" 2
like "fleet add --profile unknown: message" "$(cat "$T/err")" "unknown profile 'nope'"
"$H" fleet add --name $'evil\u202egnp.1' --customer ACME --address 10.2.0.9 2> "$T/err"
is "fleet add: a name with U+202E: exit 2" "$?" 2
like "... says why" "$(cat "$T/err")" "--name: control character, invisible formatting character"
is "... and nothing was added" "$(q "SELECT count(*) FROM targets WHERE address = '10.2.0.9'")" 0
# Another profile configured: what was detected is forgotten.
q "UPDATE targets SET detected_profile = 'linux-host', detected_time = 1 WHERE name = 'p-auto'"
"$H" fleet import "$T/prof.csv" > /dev/null
is "same profile again: detected kept" "$(q "SELECT detected_profile FROM targets WHERE name = 'p-auto'")" linux-host
sed -i 's/^p-auto,ACME,10.2.0.1,c,$/p-auto,ACME,10.2.0.1,c,host-resources/' "$T/prof.csv"
"$H" fleet import "$T/prof.csv" > /dev/null
is "another profile: detected forgotten" \
    "$(q "SELECT profile || ' ' || coalesce(detected_profile, 'NULL') FROM targets WHERE name = 'p-auto'")" \
    "host-resources NULL"
"$H" fleet remove p-auto p-auto2 p-syn p-hr p-add > /dev/null
# poll loads the profiles once, before polling: a broken file stops it.
mkdir -p "$T/badprof"
printf 'profile broken\ndetect nonsense\n' > "$T/badprof/broken.profile"
out=$(HEADROOM_PROFILE_DIRS="$T/badprof" "$H" poll --no-rrd 2>&1); rc=$?
is "poll with a broken profile: exit 3" "$rc" 3
like "... the error as FILE:LINE:COL" "$out" "broken.profile:2:[0-9]+: "
is "... before polling anything" "$(q "SELECT count(*) FROM targets WHERE last_poll IS NOT NULL")" 0

# ---- fleet add / remove ----
"$H" fleet add --name one --customer GAMMA --address 192.0.2.1 --community c1 > /dev/null
is "fleet add" "$?" 0
"$H" fleet add --customer GAMMA --address 192.0.2.2 --version 9 --community c 2> "$T/err"
is "fleet add with a bad version: exit 2" "$?" 2
like "fleet add error message" "$(cat "$T/err")" "unknown SNMP version '9'"
"$H" fleet remove one > /dev/null; is "fleet remove" "$?" 0
"$H" fleet remove one 2> /dev/null; is "removing it again: exit 2" "$?" 2

# ---- history import and read-back in date order ----
cat > "$T/hist.csv" <<'EOF'
serial,time,customer,capacity,used,writes,peak
SN-H1,2026-01-02,ACME,4TiB,1TiB,1000,50
SN-H1,2026-01-01T12:00:00Z,ACME,4TiB,1TiB,500,40
SN-H2,1767225600,BETA,2000000000000,,10,5
SN-H1,2026-01-03,,4TiB,2TiB,400,60
EOF
out=$("$H" history import "$T/hist.csv" 2>&1); rc=$?
is "history rows out of order: exit 3" "$rc" 3
like "out-of-order row named" "$out" "hist.csv:3: time does not go forward"
is "nothing imported" "$(q 'SELECT count(*) FROM samples')" 0
sed -i '3d' "$T/hist.csv"
out=$("$H" history import "$T/hist.csv"); is "history import" "$?" 0
is "history import summary" "$out" "3 samples imported from $T/hist.csv (0 already present, 2 new devices)"
is "imported devices registered" "$(q "SELECT count(*) FROM registrations WHERE source='import'")" 2
is "delta computed within the file" "$(q "SELECT group_concat(coalesce(writes_delta,'NULL')) FROM (SELECT writes_delta FROM samples s JOIN devices d ON d.id=s.device_id WHERE d.serial='SN-H1' ORDER BY time)")" "NULL,NULL"
out=$("$H" history import "$T/hist.csv"); is "re-import" "$?" 0
like "re-import leaves existing samples" "$out" "0 samples imported .*3 already present"
times=$("$H" history --format csv | awk -F, 'NR > 1 { print $1 }')
is "history in date order" "$times" "$(echo "$times" | sort)"
is "history rows" "$(echo "$times" | wc -l)" 3
like "customer filter" "$("$H" history --customer BETA)" "SN-H2"
"$H" history --customer NOPE > /dev/null 2>&1; is "unknown customer: exit 2" "$?" 2
is "--since filters" "$("$H" history --since 2026-01-02 --format csv | tail -n +2 | wc -l)" 2

# ---- upgrade of an older schema in place ----
export HEADROOM_DB="$T/old.db"
"$H" db init --schema 1 > /dev/null; is "create a schema-1 file" "$?" 0
is "schema 1" "$(q 'PRAGMA user_version')" 1
q "INSERT INTO customers (id, name) VALUES ('OLDCO', 'Old Co'); INSERT INTO targets (name, customer, address, community) VALUES ('old-t', 'OLDCO', '10.9.9.9', 'pub');"
out=$("$H" customers list); is "a command on the old file works" "$?" 0
like "old data readable" "$out" "OLDCO +Old Co"
like "upgraded to the latest schema" "$("$H" db info)" "schema: +([0-9]+) \(this headroom writes \1\)"
is "old target kept, new columns defaulted" "$(q "SELECT name || ':' || failures || ':' || profile FROM targets")" "old-t:0:auto"
is "step 6: volumes and per-row counters" "$(q "SELECT count(*) FROM sqlite_master WHERE name IN ('volumes', 'device_counters')")" 2
# A schema-5 file (before device profiles) with a device and a sample.
export HEADROOM_DB="$T/old5.db"
"$H" db init --schema 5 > /dev/null; is "create a schema-5 file" "$?" 0
q "INSERT INTO customers (id) VALUES ('C5'); INSERT INTO targets (name, customer, address, community) VALUES ('t5', 'C5', '10.9.9.5', 'pub');
   INSERT INTO devices (serial, customer, target_id, name, first_seen, last_seen) VALUES ('S5', 'C5', 1, 'd', 1, 1);
   INSERT INTO samples (device_id, time, capacity) VALUES (1, 1, 100);"
like "schema 5 upgraded in place" "$("$H" fleet list)" "t5 .* auto +- "
is "its device and sample kept, profile NULL (our MIB)" \
    "$(q "SELECT d.serial || ':' || coalesce(d.profile, 'NULL') || ':' || s.capacity FROM devices d JOIN samples s ON s.device_id = d.id")" \
    "S5:NULL:100"
export HEADROOM_DB="$T/old.db"
q 'PRAGMA user_version = 99'
"$H" customers list > "$T/out" 2>&1; is "newer schema refused: exit 1" "$?" 1
like "newer schema: clear message" "$(cat "$T/out")" "newer than this headroom"

# ---- a world-readable database is tightened ----
export HEADROOM_DB="$T/hr.db" HEADROOM_PROFILE_DIRS="$TOP/profiles"
chmod 644 "$HEADROOM_DB"
"$H" customers list > /dev/null 2> "$T/err"
is "world-readable file made private" "$(stat -c %a "$HEADROOM_DB")" 640
like "with a warning" "$(cat "$T/err")" "accessible to everyone"
done_testing
