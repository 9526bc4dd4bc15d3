/* schema_collector.c: the collector's migration steps (inventory,
 * history and poll state).  The order is db/schema.c's list; NEVER edit a
 * step that has shipped: append a new one.  docs/collector.md describes
 * the tables. */
#include "schema.h"

/* Step 1: the inventory.  Customers and staff are keyed by the text ids
 * the MSP already uses ('ACME'); targets and devices by integer ids. */
const char hr_schema_collector_1[] =
    "CREATE TABLE customers ("
    " id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 64),"
    " name TEXT NOT NULL DEFAULT '',"
    " area_code TEXT NOT NULL DEFAULT '',"
    /* No foreign key: customers and staff may be imported in any order;
     * the router (rules/) falls back to area code when the id is unknown. */
    " assigned_staff TEXT NOT NULL DEFAULT '',"
    " consent_sales INTEGER NOT NULL DEFAULT 0 CHECK (consent_sales IN (0, 1)),"
    " created INTEGER NOT NULL DEFAULT (strftime('%s','now'))"
    ");"
    "CREATE TABLE staff ("
    " id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 64),"
    " name TEXT NOT NULL DEFAULT '',"
    " email TEXT NOT NULL,"
    " area_codes TEXT NOT NULL DEFAULT '',"     /* space-separated */
    " product_lines TEXT NOT NULL DEFAULT '',"  /* space-separated */
    " role TEXT NOT NULL DEFAULT 'sales' CHECK (role IN ('sales', 'admin'))"
    ");"
    "CREATE TABLE targets ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),"
    " customer TEXT NOT NULL REFERENCES customers(id) ON UPDATE CASCADE,"
    " address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 255),"
    " port INTEGER NOT NULL DEFAULT 161 CHECK (port BETWEEN 1 AND 65535),"
    " transport TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp')),"
    " version TEXT NOT NULL DEFAULT '2c' CHECK (version IN ('1', '2c', '3')),"
    " community TEXT NOT NULL DEFAULT '',"
    " write_community TEXT NOT NULL DEFAULT '',"
    " v3_user TEXT NOT NULL DEFAULT '',"
    " v3_level TEXT NOT NULL DEFAULT 'authPriv'"
    "   CHECK (v3_level IN ('noAuthNoPriv', 'authNoPriv', 'authPriv')),"
    " v3_auth_proto TEXT NOT NULL DEFAULT 'SHA',"
    " v3_auth_pass TEXT NOT NULL DEFAULT '',"
    " v3_priv_proto TEXT NOT NULL DEFAULT 'AES',"
    " v3_priv_pass TEXT NOT NULL DEFAULT '',"
    " v3_context TEXT NOT NULL DEFAULT '',"
    " v3_write INTEGER NOT NULL DEFAULT 0 CHECK (v3_write IN (0, 1)),"
    " timeout_ms INTEGER NOT NULL DEFAULT 1000 CHECK (timeout_ms BETWEEN 10 AND 60000),"
    " retries INTEGER NOT NULL DEFAULT 1 CHECK (retries BETWEEN 0 AND 10),"
    " enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))"
    ");"
    "CREATE INDEX targets_customer ON targets(customer);"
    /* serial NULL: the agent reported none; such a device is keyed by
     * (target, name) instead and never registered. */
    "CREATE TABLE devices ("
    " id INTEGER PRIMARY KEY,"
    " serial TEXT,"
    " customer TEXT NOT NULL REFERENCES customers(id) ON UPDATE CASCADE,"
    " target_id INTEGER REFERENCES targets(id) ON DELETE SET NULL,"
    " agent_index INTEGER,"
    " name TEXT NOT NULL DEFAULT '',"
    " vendor TEXT NOT NULL DEFAULT '',"
    " model_name TEXT NOT NULL DEFAULT '',"
    " model_number TEXT NOT NULL DEFAULT '',"
    " product_number TEXT NOT NULL DEFAULT '',"
    " firmware TEXT NOT NULL DEFAULT '',"
    " config TEXT NOT NULL DEFAULT '',"
    " capacity INTEGER,"
    " cache_size INTEGER,"
    " sale_date INTEGER,"
    " price TEXT NOT NULL DEFAULT '',"
    " reported_customer TEXT NOT NULL DEFAULT '',"
    " agent_reg_number TEXT NOT NULL DEFAULT '',"
    " reg_number TEXT,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " flags INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE UNIQUE INDEX devices_serial ON devices(serial) WHERE serial IS NOT NULL;"
    "CREATE UNIQUE INDEX devices_noserial ON devices(target_id, name) WHERE serial IS NULL;"
    "CREATE INDEX devices_customer ON devices(customer);"
    "CREATE TABLE registrations ("
    " reg_number TEXT PRIMARY KEY NOT NULL,"
    " device_id INTEGER REFERENCES devices(id) ON DELETE SET NULL,"
    " serial TEXT NOT NULL,"
    " customer TEXT NOT NULL,"
    " target_id INTEGER,"
    " registered INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK (source IN ('poll', 'import', 'transfer')),"
    " state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'superseded')),"
    " agent_set TEXT,"          /* NULL not tried; 'ok'; 'failed: ...'; 'no write access' */
    " agent_set_time INTEGER"
    ");"
    "CREATE INDEX registrations_serial ON registrations(serial);"
    /* One row, never decremented: numbers are not reused even when
     * registrations or devices are deleted. */
    "CREATE TABLE reg_seq (id INTEGER PRIMARY KEY CHECK (id = 1), next INTEGER NOT NULL);"
    "INSERT INTO reg_seq VALUES (1, 1);"
    "CREATE TABLE conflicts ("
    " id INTEGER PRIMARY KEY,"
    " serial TEXT NOT NULL,"
    " device_id INTEGER REFERENCES devices(id) ON DELETE CASCADE,"
    " registered_customer TEXT NOT NULL,"
    " claiming_customer TEXT NOT NULL,"
    " claiming_target INTEGER REFERENCES targets(id) ON DELETE SET NULL,"
    " claiming_index INTEGER,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " times_seen INTEGER NOT NULL DEFAULT 1,"
    " resolution TEXT CHECK (resolution IN ('keep', 'transfer')),"
    " resolved INTEGER,"
    " UNIQUE (serial, claiming_customer)"
    ");";

/* Step 2: history and poll state.  samples is keyed (device, time) without
 * a rowid: a customer's records read back in date order are a range scan,
 * and a sample written twice for the same second (a cycle re-run after a
 * crash) is one row. */
const char hr_schema_collector_2[] =
    "CREATE TABLE samples ("
    " device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
    " time INTEGER NOT NULL,"
    " capacity INTEGER,"
    " used INTEGER,"              /* NULL: unknown (nothing mounted) */
    " used_percent INTEGER,"
    " writes INTEGER,"            /* the Counter64, as its 64-bit pattern */
    " writes_delta INTEGER,"      /* NULL: first sample, restart, implausible */
    " peak INTEGER,"
    " peak_prev INTEGER,"
    " rate_avg INTEGER,"
    " window INTEGER,"
    " sysuptime INTEGER,"
    " status INTEGER NOT NULL DEFAULT 0,"  /* HR_SAMPLE_* bits (store.h) */
    " PRIMARY KEY (device_id, time)"
    ") WITHOUT ROWID;"
    "CREATE INDEX samples_time ON samples(time);"
    /* Where the last sample left the counter, for the next delta. */
    "ALTER TABLE devices ADD COLUMN last_writes INTEGER;"
    "ALTER TABLE devices ADD COLUMN last_uptime INTEGER;"
    "ALTER TABLE devices ADD COLUMN last_sample INTEGER;"
    "ALTER TABLE devices ADD COLUMN rrd_file TEXT;"
    "ALTER TABLE targets ADD COLUMN last_status TEXT;"
    "ALTER TABLE targets ADD COLUMN last_error TEXT;"
    "ALTER TABLE targets ADD COLUMN last_rtt_ms REAL;"
    "ALTER TABLE targets ADD COLUMN last_poll INTEGER;"
    "ALTER TABLE targets ADD COLUMN last_ok INTEGER;"
    "ALTER TABLE targets ADD COLUMN state_since INTEGER;"
    "ALTER TABLE targets ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;";

/* Step 6: devices read through the device profiles (docs/profiles.md).
 * targets.profile is the configured one ("auto", "headroom" or a profile
 * name), detected_profile what the last poll found (kept, so the next poll
 * names it instead of detecting again) and since when.  devices.profile:
 * the profile a device was read through (NULL: HEADROOM-STORAGE-MIB).
 * volumes: each volume of a profile device, replaced every poll.
 * device_counters: the per-row write counters of the last poll, for the
 * next delta (a one-shot `headroom poll` keeps no memory). */
const char hr_schema_collector_6[] =
    "ALTER TABLE targets ADD COLUMN profile TEXT NOT NULL DEFAULT 'auto'"
    " CHECK (length(profile) BETWEEN 1 AND 32);"
    "ALTER TABLE targets ADD COLUMN detected_profile TEXT;"
    "ALTER TABLE targets ADD COLUMN detected_time INTEGER;"
    "ALTER TABLE devices ADD COLUMN profile TEXT;"
    "CREATE TABLE volumes ("
    " device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"       /* the volume's place in the reading */
    " name TEXT NOT NULL,"
    " capacity INTEGER,"           /* bytes */
    " used INTEGER,"
    " flags INTEGER NOT NULL DEFAULT 0,"   /* HR_PV_* (profiles/read.h); counted: flags & 30 = 0 */
    " last_seen INTEGER NOT NULL,"
    " PRIMARY KEY (device_id, seq)"
    ") WITHOUT ROWID;"
    "CREATE TABLE device_counters ("
    " device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
    " row_index TEXT NOT NULL,"    /* the counter row's index on the agent */
    " value INTEGER NOT NULL,"     /* the counter, as its 64-bit pattern */
    " is64 INTEGER NOT NULL DEFAULT 0 CHECK (is64 IN (0, 1)),"
    " PRIMARY KEY (device_id, row_index)"
    ") WITHOUT ROWID;";

/* Step 7: daily records (db/daily.h): one row per device per UTC day,
 * written as the polls arrive; the days are kept for years and the raw
 * samples for a window (docs/collector.md, "Daily records and
 * retention").  day is 00:00 UTC of the day in Unix seconds.  The step
 * rolls the samples already stored up into days, in its one transaction
 * (a killed upgrade leaves the file at step 6): the sums and maxima in one
 * grouped pass over samples, then the day's last poll and last known
 * capacity and used by key.  hr_migrate_progress(device_id, what)
 * (db/schema.c) passes the id through and logs a progress line every 2 s
 * on a large file.
 * firmware was not recorded per sample: a rolled-up day has it only when
 * it is the device's latest, from devices.firmware. */
#define BIT(b) " | max(status & " #b ")"
const char hr_schema_collector_7[] =
    "CREATE TABLE daily ("
    " device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
    " day INTEGER NOT NULL,"
    " first_time INTEGER NOT NULL,"
    " last_time INTEGER NOT NULL,"
    " samples INTEGER NOT NULL,"      /* polls folded in */
    " capacity INTEGER,"              /* the day's last known capacity ... */
    " capacity_time INTEGER,"         /* ... from the poll at this time */
    " used INTEGER,"                  /* the day's last known used ... */
    " used_time INTEGER,"             /* ... from the poll at this time */
    " used_max INTEGER,"
    " cmax INTEGER,"                  /* the largest Cmax (peak) of the day */
    " cmax_prev INTEGER,"             /* peak_prev of the day's last poll */
    " rate_sum INTEGER,"              /* the polls' rate_avg summed ... */
    " rate_n INTEGER NOT NULL DEFAULT 0,"  /* ... over this many polls */
    " writes_delta INTEGER,"          /* sum of the known deltas */
    " firmware TEXT,"                 /* last seen */
    " flags INTEGER NOT NULL DEFAULT 0,"  /* HR_SAMPLE_* of the day's polls, or'ed */
    " last_used INTEGER,"             /* the day's last poll, as it was */
    " last_peak INTEGER,"
    " last_rate INTEGER,"
    " last_window INTEGER,"
    " PRIMARY KEY (device_id, day)"
    ") WITHOUT ROWID;"
    "CREATE INDEX daily_day ON daily(day);"
    "INSERT INTO daily (device_id, day, first_time, last_time, samples, used_max, cmax,"
    " rate_sum, rate_n, writes_delta, flags)"
    " SELECT hr_migrate_progress(device_id, 'writing the days'), day, min(time), max(time),"
    " count(*), max(used), max(peak),"
    " CASE WHEN count(rate_avg) > 0 THEN total(rate_avg) END, count(rate_avg),"
    " CASE WHEN count(writes_delta) > 0 THEN total(writes_delta) END,"
    " 0" BIT(1) BIT(2) BIT(4) BIT(8) BIT(16) BIT(32) BIT(64) BIT(128) BIT(256) BIT(512)
    BIT(1024) BIT(2048) BIT(4096) BIT(8192) BIT(16384) BIT(32768)
    " FROM (SELECT hr_migrate_progress(device_id, 'rolling up the samples') AS device_id,"
    "  time, used, peak,"
    "  rate_avg, writes_delta, status, time - ((time % 86400) + 86400) % 86400 AS day"
    "  FROM samples LIMIT -1)"   /* not flattened: the progress is read once a row */
    " GROUP BY device_id, day;"
    "UPDATE daily SET (last_used, last_peak, cmax_prev, last_rate, last_window) ="
    " (SELECT used, peak, peak_prev, rate_avg, window FROM samples s"
    "  WHERE s.device_id = daily.device_id AND s.time = daily.last_time)"
    " WHERE hr_migrate_progress(device_id, 'the last poll of each day') IS NOT NULL;"
    "UPDATE daily SET (capacity, capacity_time) ="
    " (SELECT capacity, time FROM samples s WHERE s.device_id = daily.device_id"
    "  AND s.time BETWEEN daily.first_time AND daily.last_time AND s.capacity IS NOT NULL"
    "  ORDER BY s.time DESC LIMIT 1),"
    " (used, used_time) ="
    " (SELECT used, time FROM samples s WHERE s.device_id = daily.device_id"
    "  AND s.time BETWEEN daily.first_time AND daily.last_time AND s.used IS NOT NULL"
    "  ORDER BY s.time DESC LIMIT 1)"
    " WHERE hr_migrate_progress(device_id, 'the last known values') IS NOT NULL;"
    "UPDATE daily SET firmware = (SELECT NULLIF(firmware, '') FROM devices d"
    "  WHERE d.id = daily.device_id)"
    " WHERE day = (SELECT max(day) FROM daily x WHERE x.device_id = daily.device_id);";
#undef BIT
/* Step 8: a double registration loses no data (issue 10).  The samples of
 * the side that is not the device's history are kept here: the claiming
 * customer's sightings while the conflict is open or after it was settled
 * by keep, and after a transfer the old customer's samples of the
 * disputed period.  Same columns as samples. */
const char hr_schema_collector_8[] =
    "CREATE TABLE conflict_samples ("
    " conflict_id INTEGER NOT NULL REFERENCES conflicts(id) ON DELETE CASCADE,"
    " side TEXT NOT NULL CHECK (side IN ('claiming', 'registered')),"
    " time INTEGER NOT NULL,"
    " target_id INTEGER,"
    " capacity INTEGER,"
    " used INTEGER,"
    " used_percent INTEGER,"
    " writes INTEGER,"
    " writes_delta INTEGER,"
    " peak INTEGER,"
    " peak_prev INTEGER,"
    " rate_avg INTEGER,"
    " window INTEGER,"
    " sysuptime INTEGER,"
    " status INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (conflict_id, side, time)"
    ") WITHOUT ROWID;";

/* Step 9: the raw polls, packed (db/polls.h): one row per hour and device
 * once the hour is over, a block of delta-coded polls.  Keyed (hour,
 * device_id) so that an hour is written at the end of the table and
 * pruned at its start.  No foreign key (a cascade would scan the table by
 * device): the trigger removes a deleted device's blocks, which no
 * command does.  The polls already in samples are packed by the next
 * retention passes (`headroom poll`, `headroom db prune`), a bounded
 * batch at a time, not in this step. */
const char hr_schema_collector_9[] =
    "CREATE TABLE polls ("
    " hour INTEGER NOT NULL,"         /* the block's start, a multiple of 3600 */
    " device_id INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"            /* polls in the block */
    " data BLOB NOT NULL,"
    " PRIMARY KEY (hour, device_id)"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER polls_device_gone AFTER DELETE ON devices"
    " BEGIN DELETE FROM polls WHERE device_id = old.id; END;";
