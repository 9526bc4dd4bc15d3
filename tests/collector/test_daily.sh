#!/bin/bash
# The daily records and the retention of the raw polls, through the CLI:
# `history import` folds every row into its day, `headroom history` lists
# the days (--raw the polls), `headroom poll` prunes the raw polls older
# than retention-raw-days (whole UTC days) and the days older than
# retention-daily-years, and the rules give the same answers before and
# after the raw polls are gone (they read days).  An older file (schema 6)
# is rolled up into days in place.
. "$(dirname "$0")/../lib.sh"
H="$B/headroom"
export HEADROOM_DB="$T/hr.db" HEADROOM_PROFILE_DIRS="$TOP/profiles"
q() { sqlite3 "$HEADROOM_DB" "$@"; }
RULES="$TOP/rules/default.rules"
PY=${PY:-/usr/bin/python3}

check "headroom is built" test -x "$H"
"$H" -q db init > /dev/null; is "db init" "$?" 0
printf 'id,name\nACME,Acme Corp\n' > "$T/c.csv"
"$H" -q customers import "$T/c.csv" > /dev/null; is "customers" "$?" 0

# 30 days: SN-D1 polled hourly (growing), SN-D2 four times a day; T0 is a
# UTC midnight.
T0=1767225600
"$PY" - "$T/h.csv" "$T0" <<'EOF'
import sys
out, t0 = sys.argv[1], int(sys.argv[2])
rows = ["serial,customer,time,capacity,used,writes,peak,peak_prev,rate_avg,window"]
for d in range(30):
    for h in range(24):
        t = t0 + d * 86400 + h * 3600
        used = 4000000000000 + 2000000000 * (d * 24 + h)
        rows.append(f"SN-D1,ACME,{t},10000000000000,{used},{(d * 24 + h) * 1000},"
                    f"{300 + (d * 7 + h * 13) % 200},{300 + d},{40 + h},60")
        if h % 6 == 0:
            rows.append(f"SN-D2,ACME,{t},2000000000000,{1000000000000 + d * 1000000},"
                        f"{d * 100 + h},{100 + h},{100},{10},60")
open(out, "w").write("\n".join(rows) + "\n")
EOF
out=$("$H" history import "$T/h.csv"); is "history import" "$?" 0
like "import summary" "$out" "^840 samples imported"
is "import folds into days: 2 devices x 30 days" "$(q 'SELECT count(*) FROM daily')" 60
is "polls per day" "$(q "SELECT group_concat(DISTINCT samples) FROM daily d JOIN devices v ON v.id = d.device_id WHERE v.serial = 'SN-D1'")" 24
is "day 1 of SN-D1: last used, Cmax, mean rate, writes" \
    "$(q "SELECT used || ' ' || cmax || ' ' || (rate_sum * 1.0 / rate_n) || ' ' || writes_delta FROM daily d JOIN devices v ON v.id = d.device_id WHERE v.serial = 'SN-D1' AND day = $T0")" \
    "4046000000000 495 51.5 23000"
is "flags of the day: the first poll's" \
    "$(q "SELECT d.flags & 1 FROM daily d JOIN devices v ON v.id = d.device_id WHERE v.serial = 'SN-D1' AND day = $T0")" 1

out=$("$H" history --device SN-D1 --format csv); is "history (daily)" "$?" 0
is "history: one row per day" "$(tail -n +2 <<< "$out" | wc -l)" 30
like "history: the columns" "$(head -n 1 <<< "$out")" "^date,customer,device,capacity,used,used_max,cmax,cmax_prev,rate_avg,writes_delta,firmware,polls,status"
like "history: a day" "$out" '2026-01-01,ACME,SN-D1,10000000000000,4046000000000,4046000000000,495,300,52,23000,-,24,"first,imported"'
is "history --raw: the polls" "$("$H" history --raw --device SN-D1 --format csv | tail -n +2 | wc -l)" 720
is "history --since: whole days" "$("$H" history --since 2026-01-30T18:00:00Z --format csv | tail -n +2 | wc -l)" 2

# The rules before any pruning, at noon of the last day and on day 20.
NOW=$((T0 + 29 * 86400 + 12 * 3600))
PAST=$((T0 + 19 * 86400 + 12 * 3600))
"$H" rules eval --rules "$RULES" --at "$NOW" > "$T/eval1" 2>&1; is "rules eval" "$?" 0
"$H" rules eval --rules "$RULES" --at "$PAST" > "$T/past1" 2>&1; is "rules eval in the past" "$?" 0
like "rules see the devices" "$(cat "$T/eval1")" "2 devices evaluated"

# Raw polls waiting in samples, plus those packed an hour at a time in
# polls (db/polls.h; a block's n is its polls): WHERE on samples, on polls.
raw_count() { q "SELECT (SELECT count(*) FROM samples WHERE $1) + (SELECT coalesce(sum(n), 0) FROM polls WHERE $2)"; }
# Retention off: nothing pruned.
HEADROOM_NOW="@$NOW" HEADROOM_RETENTION_RAW_DAYS=0 "$H" poll > /dev/null 2>&1
is "poll with retention-raw-days 0: every poll kept" "$(raw_count 1 1)" 840
# The hours that ended 15 minutes before now are packed; the later ones
# (the import reaches 23:00 of the last day) wait in samples.
PACKED_TO=$(( (NOW - 900) - (NOW - 900) % 3600 ))
is "... the hours gone by packed" "$(q "SELECT count(*) FROM samples WHERE time < $PACKED_TO") $(q 'SELECT sum(n) FROM polls')" \
    "0 $(q "SELECT 840 - count(*) FROM samples WHERE time >= $PACKED_TO")"
# The default (14 days): the polls of the days before the last 14 go.
HEADROOM_NOW="@$NOW" "$H" -v poll > "$T/poll.out" 2> "$T/poll.err"
CUT=$((T0 + 15 * 86400))
is "raw polls before the last 14 whole days pruned" "$(raw_count "time < $CUT" "hour < $CUT")" 0
is "the last 15 days of polls kept" "$(raw_count 1 1)" $((15 * 28))
is "history --raw reads them" "$("$H" history --raw --since 2000-01-01 --format csv | tail -n +2 | wc -l)" $((15 * 28))
is "the days kept" "$(q 'SELECT count(*) FROM daily')" 60
like "pruning logged" "$(cat "$T/poll.err")" "history retention: 420 raw polls and 0 daily records pruned"
"$H" rules eval --rules "$RULES" --at "$NOW" > "$T/eval2" 2>&1
is "rules: the same answers without the old polls" "$(diff "$T/eval1" "$T/eval2" && echo same)" same
"$H" rules eval --rules "$RULES" --at "$PAST" > "$T/past2" 2>&1
is "rules in the past: the same answers" "$(diff "$T/past1" "$T/past2" && echo same)" same
like "history (daily) still has every day" \
    "$("$H" history --device SN-D1 --format csv | tail -n +2 | wc -l)" "^30$"
# headroom db prune: the same retention, to the end, a day later.
HEADROOM_NOW="@$((NOW + 86400))" "$H" db prune > "$T/prune.out" 2> "$T/prune.err"
is "db prune" "$?" 0
like "db prune: what it did" "$(cat "$T/prune.out")" ": 28 raw polls and 0 daily records pruned, 15 raw polls packed$"
is "db prune: every hour gone by packed" "$(q 'SELECT count(*) FROM samples')" 0
like "db info: the raw polls" "$("$H" db info)" "raw polls: +392 \(0 waiting in samples, 392 packed\)"
is "history --raw: the 14 days left" "$("$H" history --raw --since 2000-01-01 --format csv | tail -n +2 | wc -l)" 392
# Years of days: with one year kept, nothing goes; 400 days later it all does.
HEADROOM_NOW="@$((NOW + 400 * 86400))" HEADROOM_RETENTION_DAILY_YEARS=1 "$H" poll > /dev/null 2>&1
is "a year later: every day and poll older than the windows gone" \
    "$(q 'SELECT count(*) FROM daily') $(raw_count 1 1)" "0 0"

# ---- an older file rolled up in place ----
export HEADROOM_DB="$T/old.db"
"$H" -q db init --schema 6 > /dev/null; is "a schema-6 file" "$?" 0
q "INSERT INTO customers (id) VALUES ('OLD');
   INSERT INTO devices (id, serial, customer, first_seen, last_seen, firmware)
       VALUES (1, 'SN-O', 'OLD', 1, 1, '2.0'), (2, NULL, 'OLD', 1, 1, '');
   WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
   INSERT INTO samples (device_id, time, capacity, used, peak, rate_avg, status)
       SELECT 1 + i % 2, $T0 + i * 3600, 1000, 10 * i, i % 17, i, i % 3 FROM n;"
out=$("$H" customers list 2>&1); is "a command on the old file upgrades it" "$?" 0
is "the latest schema reached (7: daily records, and on)" "$(q 'PRAGMA user_version')" 9
is "days rolled up: 2 devices x 5 days" "$(q 'SELECT count(*) FROM daily')" 10
is "a rolled-up day" "$(q "SELECT samples || ' ' || used || ' ' || cmax || ' ' || rate_sum || ' ' || flags || ' ' || coalesce(firmware, '-') FROM daily WHERE device_id = 1 AND day = $T0")" \
    "12 220 16 132 3 -"
is "the device's latest day has its firmware" "$(q "SELECT firmware FROM daily WHERE device_id = 1 ORDER BY day DESC LIMIT 1")" "2.0"
like "a serial-less device has its days" "$("$H" history --format csv)" "OLD,\(\),"
