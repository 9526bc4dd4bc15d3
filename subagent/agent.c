/* agent.c: HEADROOM-STORAGE-MIB served from the device records.
 *
 * The tables are netsnmp_tdata tables whose rows point at the long-lived
 * struct dev_rec records (devdb.h), rebuilt from a disk scan at most every
 * cache-timeout seconds (net-snmp's cache helper calls refresh() before a
 * request reaches the table when the cache expired), so one walk sees one
 * scan and a walk of many disks does not rescan sysfs per request.  Load
 * sampling runs from an snmp_alarm every window and reads /proc/diskstats
 * once; request handlers only read memory.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agent.h"
#include "devdb.h"
#include "disks.h"
#include "entity.h"
#include "entity_oids.h"
#include "hdrm_oids.h"
#include "hr_util.h"
#include "load.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESCAN_MIN_S 60     /* a tick rescans when no request did for this long */

static const oid agent_oid[] = { HDRM_OID_hdrmAgent };
static const oid devtab_oid[] = { HDRM_OID_hdrmDeviceTable };
static const oid voltab_oid[] = { HDRM_OID_hdrmVolumeTable };
static const oid enttab_oid[] = { ENT_OID_entPhysicalTable };
static const oid entlast_oid[] = { ENT_OID_entLastChangeTime };
static const oid contains_oid[] = { ENT_OID_entPhysicalContainsTable };
static const oid entchange_oid[] = { ENT_OID_entConfigChange };
static const oid snmptrapoid_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 }; /* snmpTrapOID.0 */
static const oid zero_dot_zero[] = { 0, 0 };

static struct {
    const struct hdrm_config *cfg;
    struct disks_opts dopts;
    const char *state_file;
    struct devdb db;
    netsnmp_tdata *devtab, *voltab;
    netsnmp_tdata *enttab;          /* NULL with entity-mib no */
    netsnmp_tdata *contab;          /* entPhysicalContainsTable */
    int64_t notify_ms;              /* when entConfigChange was last sent, -1 never */
    unsigned notify_alarm;          /* a throttled entConfigChange is due */
    struct ent_phys chassis;        /* this host, read once at start-up */
    int64_t last_scan_ms;           /* CLOCK_BOOTTIME of the last scan, -1 none */
    u_long last_change;             /* sysUpTime of the last row change */
    unsigned ndev;
    unsigned alarm_id;
    int save_failing;               /* log a failing state file once */
} A;

struct vol_row {
    struct disk_vol v;
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    /* CLOCK_BOOTTIME keeps counting during suspend, so a suspended window
     * is seen as too long rather than as a normal one */
    if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
        clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int32_t today(void)
{
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    return load_daykey(&tm, A.cfg->reset_min);
}

static int save_state(void)
{
    if (devdb_save(&A.db, A.state_file) < 0) {
        if (!A.save_failing)
            hr_log(LOG_ERR, "cannot write state file %s: %s", A.state_file, strerror(errno));
        A.save_failing = 1;
        return -1;
    }
    if (A.save_failing)
        hr_log(LOG_NOTICE, "state file %s written again", A.state_file);
    A.save_failing = 0;
    return 0;
}

/* ---- rows ---- */

static void clear_rows(void)
{
    netsnmp_tdata_row *row;

    while ((row = netsnmp_tdata_row_first(A.devtab)))
        netsnmp_tdata_remove_and_delete_row(A.devtab, row);
    while ((row = netsnmp_tdata_row_first(A.voltab)))
        free(netsnmp_tdata_remove_and_delete_row(A.voltab, row));
    while (A.enttab && (row = netsnmp_tdata_row_first(A.enttab)))
        free(netsnmp_tdata_remove_and_delete_row(A.enttab, row));
    while (A.contab && (row = netsnmp_tdata_row_first(A.contab)))
        free(netsnmp_tdata_remove_and_delete_row(A.contab, row));
}

static int add_vol_row(const struct dev_rec *r, u_long vi, const struct disk_vol *v)
{
    netsnmp_tdata_row *row = netsnmp_tdata_create_row();
    struct vol_row *vr = malloc(sizeof *vr);
    u_long di = r->index;

    if (!row || !vr)
        goto out_free;
    vr->v = *v;
    row->data = vr;
    if (!netsnmp_tdata_row_add_index(row, ASN_UNSIGNED, &di, sizeof di) ||
        !netsnmp_tdata_row_add_index(row, ASN_UNSIGNED, &vi, sizeof vi) ||
        netsnmp_tdata_add_row(A.voltab, row) != SNMPERR_SUCCESS)
        goto out_free;
    return 0;
out_free:
    if (row)
        netsnmp_tdata_delete_row(row);
    free(vr);
    return -1;
}

/* An entPhysicalTable row; takes E (malloc'd) even on failure. */
static int add_ent_row(struct ent_phys *e)
{
    netsnmp_tdata_row *row = netsnmp_tdata_create_row();
    long idx = e->index;

    if (!row)
        goto out_free;
    row->data = e;
    if (!netsnmp_tdata_row_add_index(row, ASN_INTEGER, &idx, sizeof idx) ||
        netsnmp_tdata_add_row(A.enttab, row) != SNMPERR_SUCCESS)
        goto out_free;
    return 0;
out_free:
    if (row)
        netsnmp_tdata_delete_row(row);
    free(e);
    return -1;
}

/* An entPhysicalContainsTable row: the chassis contains CHILD. */
static int add_contains_row(long child)
{
    netsnmp_tdata_row *row = netsnmp_tdata_create_row();
    long *data = malloc(sizeof *data), parent = ENT_CHASSIS_INDEX;

    if (!row || !data)
        goto out_free;
    *data = child;
    row->data = data;
    if (!netsnmp_tdata_row_add_index(row, ASN_INTEGER, &parent, sizeof parent) ||
        !netsnmp_tdata_row_add_index(row, ASN_INTEGER, &child, sizeof child) ||
        netsnmp_tdata_add_row(A.contab, row) != SNMPERR_SUCCESS)
        goto out_free;
    return 0;
out_free:
    if (row)
        netsnmp_tdata_delete_row(row);
    free(data);
    return -1;
}

static const char *dev_vendor(const struct dev_rec *r);
static const char *dev_model(const struct dev_rec *r);

/* The chassis row, then one row per present disk (in devdb order, which
 * tdata sorts by index anyway). */
static void build_ent_rows(void)
{
    struct ent_phys *e = malloc(sizeof *e);

    if (!e)
        return;
    *e = A.chassis;
    if (add_ent_row(e) < 0)
        return;                          /* disks without their chassis: none */
    for (size_t i = 0; i < A.db.n; i++) {
        struct dev_rec *r = A.db.recs[i];

        if (!r->present)
            continue;
        if (!(e = malloc(sizeof *e)))
            return;
        if (ent_phys_disk(e, r->index, &r->info, dev_vendor(r), dev_model(r)) < 0) {
            free(e);                     /* index beyond PhysicalIndex: no row */
            continue;
        }
        long child = e->index;
        if (add_ent_row(e) == 0)
            add_contains_row(child);
    }
}

static void build_rows(void)
{
    clear_rows();
    A.ndev = 0;
    for (size_t i = 0; i < A.db.n; i++) {
        struct dev_rec *r = A.db.recs[i];
        netsnmp_tdata_row *row;
        u_long idx = r->index;

        if (!r->present)
            continue;
        row = netsnmp_tdata_create_row();
        if (!row)
            continue;
        row->data = r;
        if (!netsnmp_tdata_row_add_index(row, ASN_UNSIGNED, &idx, sizeof idx) ||
            netsnmp_tdata_add_row(A.devtab, row) != SNMPERR_SUCCESS) {
            netsnmp_tdata_delete_row(row);
            continue;
        }
        A.ndev++;
        for (size_t v = 0; v < r->info.nvols && v < 65535; v++)
            add_vol_row(r, (u_long)v + 1, &r->info.vols[v]);
    }
    if (A.enttab)
        build_ent_rows();
}

/* ---- scanning ---- */

static void mark_absent(struct dev_rec *r)
{
    hr_log(LOG_INFO, "device %s (index %" PRIu32 ", %s) is gone", r->info.name, r->index, r->key);
    free(r->info.vols);
    r->info.vols = NULL;
    r->info.nvols = 0;
    r->present = 0;
    load_forget_window(&r->load);
}

/* ---- entConfigChange (ENTITY-MIB) ---- */

#define ENT_THROTTLE_MS 5000    /* the MIB's suggested throttling period */

static void send_config_change(void)
{
    netsnmp_variable_list *vars = NULL;

    A.notify_ms = mono_ms();
    if (!snmp_varlist_add_variable(&vars, snmptrapoid_oid, HR_ARRAY_LEN(snmptrapoid_oid),
                                   ASN_OBJECT_ID, entchange_oid, sizeof entchange_oid)) {
        hr_log(LOG_WARNING, "entConfigChange: out of memory");
        return;
    }
    send_v2trap(vars);                   /* to the master, which sends it on */
    snmp_free_varbind(vars);
}

static void config_change_due(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    A.notify_alarm = 0;
    send_config_change();
}

/* entLastChangeTime changed.  RFC 6933: at most one entConfigChange per
 * throttling period; changes inside it are announced once at its end. */
static void ent_config_changed(void)
{
    int64_t since = mono_ms() - A.notify_ms;

    if (A.notify_alarm)
        return;                          /* one is already due */
    if (A.notify_ms < 0 || since >= ENT_THROTTLE_MS) {
        send_config_change();
        return;
    }
    A.notify_alarm = snmp_alarm_register((unsigned)((ENT_THROTTLE_MS - since + 999) / 1000), 0,
                                         config_change_due, NULL);
    if (!A.notify_alarm)
        send_config_change();            /* no timer: better early than never */
}

/* Rescan the disks and rebuild both tables, unless the last scan is more
 * recent than cache-timeout (FORCE: always). */
static void refresh(int force)
{
    int64_t now = mono_ms();
    struct disk_info *d;
    size_t n;
    int changed = 0, new_recs = 0;
    char key[DEVDB_KEY_SZ];

    if (!force && A.last_scan_ms >= 0 && now - A.last_scan_ms < (int64_t)A.cfg->cache_timeout * 1000)
        return;
    A.last_scan_ms = now;
    if (disks_scan(&A.dopts, &d, &n) < 0) {
        hr_log(LOG_WARNING, "cannot read %s/sys/block: %s", A.dopts.root, strerror(errno));
        d = NULL;
        n = 0;
    }
    for (size_t i = 0; i < A.db.n; i++)
        A.db.recs[i]->info.maj = UINT_MAX - 1;          /* "not seen in this scan" */
    for (size_t i = 0; i < n; i++) {
        struct dev_rec *r;
        size_t before = A.db.n;

        devdb_key(&d[i], key, sizeof key);
        r = devdb_find(&A.db, key);
        /* two devices with one serial (multipath, cloned firmware): the
         * second one is keyed by its name instead */
        if (r && r->present && r->info.maj != UINT_MAX - 1 && strcmp(r->info.name, d[i].name)) {
            snprintf(key, sizeof key, "name:%s", d[i].name);
            r = NULL;
        }
        if (!r)
            r = devdb_get(&A.db, key);
        if (!r) {
            hr_log(LOG_ERR, "no record for device %s: out of memory or indexes", d[i].name);
            free(d[i].vols);
            continue;
        }
        if (A.db.n != before)
            new_recs = 1;
        if (!r->present) {
            hr_log(LOG_INFO, "device %s (index %" PRIu32 ", %s) found", d[i].name, r->index, key);
            changed = 1;
        }
        free(r->info.vols);
        r->info = d[i];                  /* takes the vols */
        r->present = 1;
        r->last_update = time(NULL);
    }
    free(d);                             /* the vols now belong to the records */
    for (size_t i = 0; i < A.db.n; i++) {
        struct dev_rec *r = A.db.recs[i];
        if (r->present && r->info.maj == UINT_MAX - 1) {
            mark_absent(r);
            changed = 1;
        }
    }
    if (changed && A.devtab) {
        A.last_change = netsnmp_get_agent_uptime();
        /* not for the first scan at start-up: that is no change, and
         * the AgentX session is not open yet */
        if (A.enttab && A.alarm_id)
            ent_config_changed();
    }
    if (new_recs)
        save_state();                    /* a new index must never be handed out twice */
    if (A.devtab)
        build_rows();
}

/* Every window: one read of diskstats, one load_sample per device. */
static void tick(unsigned int reg, void *arg)
{
    struct disk_stat *st;
    size_t n;
    int64_t now = mono_ms();
    int32_t day = today();

    (void)reg;
    (void)arg;
    if (A.last_scan_ms < 0 || now - A.last_scan_ms >= (int64_t)RESCAN_MIN_S * 1000 ||
        now - A.last_scan_ms >= (int64_t)A.cfg->cache_timeout * 1000 * 4)
        refresh(1);
    if (disks_read_stats(A.dopts.root, &st, &n) < 0) {
        hr_log(LOG_WARNING, "cannot read %s/proc/diskstats: %s", A.dopts.root, strerror(errno));
        return;
    }
    for (size_t i = 0; i < A.db.n; i++) {
        struct dev_rec *r = A.db.recs[i];
        uint64_t w;

        load_set_day(&r->load, day);
        if (!r->present)
            continue;
        if (disks_stat_find(st, n, r->info.name, &w) < 0) {
            load_forget_window(&r->load);
            continue;
        }
        r->info.writes = w;
        r->info.writes_known = 1;
        r->last_update = time(NULL);
        enum load_result res = load_sample(&r->load, w, now, day, A.cfg->window);
        if (res == LOAD_WENT_BACK)
            hr_log(LOG_INFO, "device %s: write counter went back; window not counted", r->info.name);
        else if (res == LOAD_TOO_LONG)
            hr_log(LOG_INFO, "device %s: window lasted over 1.5 t; not counted", r->info.name);
    }
    free(st);
    save_state();
}

/* ---- values ---- */

static void set_str(netsnmp_request_info *req, const char *s)
{
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, s, strlen(s));
}

static void set_num(netsnmp_request_info *req, u_char type, u_long v)
{
    snmp_set_var_typed_value(req->requestvb, type, &v, sizeof v);
}

static void set_int(netsnmp_request_info *req, long v)
{
    snmp_set_var_typed_value(req->requestvb, ASN_INTEGER, &v, sizeof v);
}

static void set_c64(netsnmp_request_info *req, uint64_t v)
{
    struct counter64 c;

    c.high = (u_long)(v >> 32);
    c.low = (u_long)(v & 0xFFFFFFFFu);
    snmp_set_var_typed_value(req->requestvb, ASN_COUNTER64, &c, sizeof c);
}

/* Bytes to Gauge32 MiB, rounded down, latching at 2^32-1. */
static u_long mib32(uint64_t bytes)
{
    uint64_t m = bytes >> 20;

    return m > UINT32_MAX ? UINT32_MAX : (u_long)m;
}

static const char *conf_str(const struct dev_rec *r, const char *name)
{
    const struct hr_conf_item *it = hdrm_config_dev(A.cfg, r->key, name);

    return it ? it->value : "";
}

/* sale-date YYYYMMDD as an 11-octet DateAndTime at midnight UTC;
 * noSuchInstance when not configured (DateAndTime has no empty value). */
static int set_sale_date(netsnmp_request_info *req, const struct dev_rec *r)
{
    const struct hr_conf_item *it = hdrm_config_dev(A.cfg, r->key, "sale-date");
    u_char dt[11] = { 0 };

    if (!it)
        return SNMP_NOSUCHINSTANCE;
    unsigned y = (unsigned)(it->num / 10000);
    dt[0] = (u_char)(y >> 8);
    dt[1] = (u_char)(y & 0xFF);
    dt[2] = (u_char)(it->num / 100 % 100);
    dt[3] = (u_char)(it->num % 100);
    dt[8] = '+';
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, dt, sizeof dt);
    return 0;
}

static void set_time(netsnmp_request_info *req, time_t t)
{
    size_t len = 0;
    u_char *dt = date_n_time(&t, &len);    /* 11 octets, local time and offset */

    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, dt, len);
}

static const char *dev_vendor(const struct dev_rec *r)
{
    return r->info.vendor[0] ? r->info.vendor : conf_str(r, "vendor");
}

static const char *dev_model(const struct dev_rec *r)
{
    return r->info.model[0] ? r->info.model : conf_str(r, "model-name");
}

static const char *dev_regnum(const struct dev_rec *r)
{
    const struct hr_conf_item *it = hdrm_config_dev(A.cfg, r->key, "registration-number");

    return it ? it->value : r->regnum;
}

/* The configured cache size; -1 when not configured (unknown, not 0). */
static int dev_cache(const struct dev_rec *r, uint64_t *bytes)
{
    const struct hr_conf_item *it = hdrm_config_dev(A.cfg, r->key, "cache-size");

    if (!it)
        return -1;
    *bytes = it->num;
    return 0;
}

/* One column of a device row; 0, or an exception (noSuchInstance). */
static int dev_value(netsnmp_request_info *req, const struct dev_rec *r, unsigned col)
{
    const struct disk_info *d = &r->info;
    uint64_t bytes;

    switch (col) {
    case HDRM_SUBID_hdrmDevName:          set_str(req, d->name); break;
    case HDRM_SUBID_hdrmDevSerial:        set_str(req, d->serial); break;
    case HDRM_SUBID_hdrmDevVendor:        set_str(req, dev_vendor(r)); break;
    case HDRM_SUBID_hdrmDevModelName:     set_str(req, dev_model(r)); break;
    case HDRM_SUBID_hdrmDevModelNumber:   set_str(req, conf_str(r, "model-number")); break;
    case HDRM_SUBID_hdrmDevProductNumber: set_str(req, conf_str(r, "product-number")); break;
    case HDRM_SUBID_hdrmDevFirmware:      set_str(req, d->firmware); break;
    case HDRM_SUBID_hdrmDevConfig:        set_str(req, conf_str(r, "configuration")); break;
    case HDRM_SUBID_hdrmDevCapacity:      set_c64(req, d->size_bytes); break;
    case HDRM_SUBID_hdrmDevCapacityMiB:   set_num(req, ASN_GAUGE, mib32(d->size_bytes)); break;
    case HDRM_SUBID_hdrmDevCacheSize:
        if (dev_cache(r, &bytes) < 0)
            return SNMP_NOSUCHINSTANCE;
        set_c64(req, bytes);
        break;
    case HDRM_SUBID_hdrmDevCacheSizeMiB:
        if (dev_cache(r, &bytes) < 0)
            return SNMP_NOSUCHINSTANCE;
        set_num(req, ASN_GAUGE, mib32(bytes));
        break;
    case HDRM_SUBID_hdrmDevUsed:
        if (!d->used_known)
            return SNMP_NOSUCHINSTANCE;    /* unknown is not zero (see the MIB) */
        set_c64(req, d->used);
        break;
    case HDRM_SUBID_hdrmDevUsedMiB:
        if (!d->used_known)
            return SNMP_NOSUCHINSTANCE;
        set_num(req, ASN_GAUGE, mib32(d->used));
        break;
    case HDRM_SUBID_hdrmDevUsedPercent:
        if (!d->used_known)
            set_int(req, -1);
        else if (d->fs_capacity == 0)
            set_int(req, 0);
        else {
            /* rounded up like df, but 100 only when nothing is free: the
             * MIB wants one free block not to read as full */
            unsigned __int128 pct = ((unsigned __int128)d->used * 100 + d->fs_capacity - 1) /
                                    d->fs_capacity;
            if (pct >= 100)
                pct = d->used >= d->fs_capacity ? 100 : 99;
            set_int(req, (long)pct);
        }
        break;
    case HDRM_SUBID_hdrmDevWrites:
        if (!d->writes_known)
            return SNMP_NOSUCHINSTANCE;
        set_c64(req, d->writes);
        break;
    case HDRM_SUBID_hdrmDevPeakWrites:    set_num(req, ASN_GAUGE, r->load.cmax); break;
    case HDRM_SUBID_hdrmDevPeakWritesPrev: set_num(req, ASN_GAUGE, r->load.prev); break;
    case HDRM_SUBID_hdrmDevWindow:        set_num(req, ASN_UNSIGNED, A.cfg->window); break;
    case HDRM_SUBID_hdrmDevWriteRateAvg:  set_num(req, ASN_GAUGE, load_average(&r->load)); break;
    case HDRM_SUBID_hdrmDevSaleDate:      return set_sale_date(req, r);
    case HDRM_SUBID_hdrmDevPrice:         set_str(req, conf_str(r, "price")); break;
    case HDRM_SUBID_hdrmDevCustomerId:    set_str(req, conf_str(r, "customer-id")); break;
    case HDRM_SUBID_hdrmDevRegNumber:     set_str(req, dev_regnum(r)); break;
    case HDRM_SUBID_hdrmDevLastUpdate:
        if (r->last_update == 0)
            return SNMP_NOSUCHINSTANCE;    /* not read yet */
        set_time(req, r->last_update);
        break;
    default:
        return SNMP_NOSUCHOBJECT;
    }
    return 0;
}

/* ---- SET of hdrmDevRegNumber (RFC 3416 4.2.5 phases as net-snmp's
 * RESERVE1/RESERVE2/ACTION/COMMIT/FREE/UNDO) ---- */

#define UNDO_TAG "hdrm-regnum-undo"

static struct dev_rec *req_rec(netsnmp_request_info *req)
{
    netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);

    if (!ti || !ti->indexes || ti->indexes->type != ASN_UNSIGNED || !ti->indexes->val.integer)
        return NULL;
    struct dev_rec *r = devdb_find_index(&A.db, (uint32_t)*ti->indexes->val.integer);
    return r && r->present ? r : NULL;
}

static int set_check(netsnmp_request_info *req)
{
    netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);
    struct dev_rec *r;
    int rc;

    if (!ti || ti->colnum != HDRM_SUBID_hdrmDevRegNumber)
        return SNMP_ERR_NOTWRITABLE;
    if (!(r = req_rec(req)))
        return SNMP_ERR_NOCREATION;
    if (hdrm_config_dev(A.cfg, r->key, "registration-number"))
        return SNMP_ERR_NOTWRITABLE;      /* the configuration takes precedence */
    rc = netsnmp_check_vb_type_and_max_size(req->requestvb, ASN_OCTET_STR, DEVDB_REG_SZ - 1);
    if (rc != SNMP_ERR_NOERROR)
        return rc;
    if (!hr_is_clean_utf8(req->requestvb->val.string, req->requestvb->val_len))
        return SNMP_ERR_WRONGVALUE;
    return SNMP_ERR_NOERROR;
}

static int set_phase(int mode, netsnmp_request_info *req)
{
    struct dev_rec *r = req_rec(req);
    char *old;

    switch (mode) {
    case MODE_SET_RESERVE1:
        return set_check(req);
    case MODE_SET_ACTION:
        if (!r)
            return SNMP_ERR_NOCREATION;   /* gone since RESERVE1 */
        old = strdup(r->regnum);
        if (!old)
            return SNMP_ERR_RESOURCEUNAVAILABLE;
        netsnmp_request_add_list_data(req, netsnmp_create_data_list(UNDO_TAG, old, free));
        memcpy(r->regnum, req->requestvb->val.string, req->requestvb->val_len);
        r->regnum[req->requestvb->val_len] = '\0';
        return SNMP_ERR_NOERROR;
    case MODE_SET_UNDO:
        old = netsnmp_request_get_list_data(req, UNDO_TAG);
        if (r && old)
            hr_strlcpy(r->regnum, old, sizeof r->regnum);
        return SNMP_ERR_NOERROR;
    case MODE_SET_COMMIT:
        if (r)
            hr_log(LOG_NOTICE, "device %s (%s): registration number set to '%s'", r->info.name,
                   r->key, r->regnum);
        return save_state() < 0 ? SNMP_ERR_COMMITFAILED : SNMP_ERR_NOERROR;
    default:                               /* RESERVE2, FREE */
        return SNMP_ERR_NOERROR;
    }
}

static int dev_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                       netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reg;
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        int rc;

        if (req->processed)
            continue;
        if (reqinfo->mode == MODE_GET) {
            netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);
            struct dev_rec *r = netsnmp_tdata_extract_entry(req);
            if (!r || !ti) {
                netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
                continue;
            }
            rc = dev_value(req, r, ti->colnum);
            if (rc)
                netsnmp_set_request_error(reqinfo, req, rc);
            continue;
        }
        rc = set_phase(reqinfo->mode, req);
        if (rc != SNMP_ERR_NOERROR) {
            netsnmp_set_request_error(reqinfo, req, rc);
            if (reqinfo->mode == MODE_SET_RESERVE1)
                return SNMP_ERR_NOERROR;
        }
    }
    return SNMP_ERR_NOERROR;
}

static int vol_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                       netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reg;
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);
        struct vol_row *vr;

        if (req->processed)
            continue;
        if (reqinfo->mode != MODE_GET) {
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOTWRITABLE);
            continue;
        }
        vr = netsnmp_tdata_extract_entry(req);
        if (!vr || !ti) {
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
            continue;
        }
        switch (ti->colnum) {
        case HDRM_SUBID_hdrmVolMountPoint:  set_str(req, vr->v.mount); break;
        case HDRM_SUBID_hdrmVolPartition:   set_str(req, vr->v.part); break;
        case HDRM_SUBID_hdrmVolFsType:      set_str(req, vr->v.fstype); break;
        case HDRM_SUBID_hdrmVolCapacity:    set_c64(req, vr->v.capacity); break;
        case HDRM_SUBID_hdrmVolCapacityMiB: set_num(req, ASN_GAUGE, mib32(vr->v.capacity)); break;
        case HDRM_SUBID_hdrmVolUsed:        set_c64(req, vr->v.used); break;
        case HDRM_SUBID_hdrmVolUsedMiB:     set_num(req, ASN_GAUGE, mib32(vr->v.used)); break;
        default:
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
        }
    }
    return SNMP_ERR_NOERROR;
}

/* ENTITY-MIB: one column of an entPhysicalTable row.  Read-only: the
 * MIB lets entPhysicalSerialNum, entPhysicalAlias and entPhysicalAssetID
 * be written, and RFC 6933 allows an agent to implement them read-only
 * (its compliance statements give MIN-ACCESS read-only). */
static int ent_value(netsnmp_request_info *req, const struct ent_phys *e, unsigned col)
{
    /* DateAndTime '0000000000000000'H: manufacturing date unknown */
    static const u_char no_date[8] = { 0 };

    switch (col) {
    case ENT_COL_entPhysicalDescr:        set_str(req, e->descr); break;
    case ENT_COL_entPhysicalVendorType:
        /* { 0 0 }: no vendor registration of a disk model exists under
         * our enterprise (sysObjectID is where the product OID goes) */
        snmp_set_var_typed_value(req->requestvb, ASN_OBJECT_ID, zero_dot_zero,
                                 sizeof zero_dot_zero);
        break;
    case ENT_COL_entPhysicalContainedIn:  set_int(req, e->contained_in); break;
    case ENT_COL_entPhysicalClass:        set_int(req, e->phys_class); break;
    case ENT_COL_entPhysicalParentRelPos: set_int(req, e->parent_rel_pos); break;
    case ENT_COL_entPhysicalName:         set_str(req, e->name); break;
    case ENT_COL_entPhysicalHardwareRev:  set_str(req, e->hardware_rev); break;
    case ENT_COL_entPhysicalFirmwareRev:  set_str(req, e->firmware_rev); break;
    case ENT_COL_entPhysicalSoftwareRev:  set_str(req, e->software_rev); break;
    case ENT_COL_entPhysicalSerialNum:    set_str(req, e->serial); break;
    case ENT_COL_entPhysicalMfgName:      set_str(req, e->mfg); break;
    case ENT_COL_entPhysicalModelName:    set_str(req, e->model); break;
    case ENT_COL_entPhysicalAlias:        set_str(req, ""); break;
    case ENT_COL_entPhysicalAssetID:      set_str(req, ""); break;
    case ENT_COL_entPhysicalIsFRU:        set_int(req, e->is_fru); break;
    case ENT_COL_entPhysicalMfgDate:
        snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, no_date, sizeof no_date);
        break;
    case ENT_COL_entPhysicalUris:         set_str(req, ""); break;
    case ENT_COL_entPhysicalUUID:
        snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, e->uuid, e->uuid_len);
        break;
    default:
        return SNMP_NOSUCHOBJECT;
    }
    return 0;
}

static int ent_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                       netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reg;
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(req);
        const struct ent_phys *e;
        int rc;

        if (req->processed)
            continue;
        if (reqinfo->mode != MODE_GET) {
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOTWRITABLE);
            continue;
        }
        e = netsnmp_tdata_extract_entry(req);
        if (!e || !ti) {
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
            continue;
        }
        rc = ent_value(req, e, ti->colnum);
        if (rc)
            netsnmp_set_request_error(reqinfo, req, rc);
    }
    return SNMP_ERR_NOERROR;
}

/* entLastChangeTime.0: the sysUpTime of the last disk added or removed,
 * the same instant as hdrmDeviceTableLastChange (the chassis row never
 * changes while headroomd runs). */
static int contains_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                            netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reg;
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        const long *child;

        if (req->processed)
            continue;
        if (reqinfo->mode != MODE_GET) {
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOTWRITABLE);
            continue;
        }
        child = netsnmp_tdata_extract_entry(req);
        if (!child) {
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHINSTANCE);
            continue;
        }
        set_int(req, *child);
    }
    return SNMP_ERR_NOERROR;
}

static int entlast_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                           netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reg;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    refresh(0);
    for (netsnmp_request_info *req = requests; req; req = req->next)
        if (!req->processed)
            set_num(req, ASN_TIMETICKS, A.last_change);
    return SNMP_ERR_NOERROR;
}

static int agent_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    char version[64];

    (void)handler;
    (void)reg;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    refresh(0);                            /* the device count follows the table */
    snprintf(version, sizeof version, "headroomd %s", HEADROOM_VERSION);
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        if (req->processed)
            continue;
        /* the scalar_group helper extends reg's rootoid while it calls
         * us, so take the object from the request's name */
        if (req->requestvb->name_length <= HDRM_OIDLEN_hdrmAgent) {
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
            continue;
        }
        switch (req->requestvb->name[HDRM_OIDLEN_hdrmAgent]) {
        case HDRM_SUBID_hdrmAgentVersion:   set_str(req, version); break;
        case HDRM_SUBID_hdrmAgentWindow:    set_num(req, ASN_UNSIGNED, A.cfg->window); break;
        case HDRM_SUBID_hdrmAgentResetTime: set_num(req, ASN_UNSIGNED, A.cfg->reset_min); break;
        case HDRM_SUBID_hdrmDeviceTableLastChange:
            set_num(req, ASN_TIMETICKS, A.last_change);
            break;
        case HDRM_SUBID_hdrmDeviceCount:    set_num(req, ASN_GAUGE, A.ndev); break;
        default:
            netsnmp_set_request_error(reqinfo, req, SNMP_NOSUCHOBJECT);
        }
    }
    return SNMP_ERR_NOERROR;
}

/* ---- registration ---- */

static int cache_load(netsnmp_cache *cache, void *arg)
{
    (void)cache;
    (void)arg;
    refresh(0);
    return 0;
}

static void cache_free(netsnmp_cache *cache, void *arg)
{
    (void)cache;
    (void)arg;                           /* rows live until the next refresh */
}

struct table_def {
    const char *name;
    const oid *oid;
    size_t oidlen;
    Netsnmp_Node_Handler *handler;
    int modes;
    int nidx;                   /* number of indexes, all of type IDXTYPE */
    u_char idxtype;
    unsigned mincol, maxcol;    /* the accessible columns */
};

static int register_table(const struct table_def *d, netsnmp_tdata **out)
{
    netsnmp_handler_registration *reg;
    netsnmp_table_registration_info *ti;
    netsnmp_cache *cache;

    *out = netsnmp_tdata_create_table(d->name, 0);
    reg = netsnmp_create_handler_registration(d->name, d->handler, d->oid, d->oidlen, d->modes);
    ti = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
    if (!*out || !reg || !ti)
        return -1;
    for (int i = 0; i < d->nidx; i++)
        netsnmp_table_helper_add_indexes(ti, d->idxtype, 0);
    ti->min_column = d->mincol;
    ti->max_column = d->maxcol;
    if (netsnmp_tdata_register(reg, *out, ti) != MIB_REGISTERED_OK)
        return -1;
    cache = netsnmp_cache_create((int)A.cfg->cache_timeout, cache_load, cache_free, d->oid,
                                 d->oidlen);
    if (!cache)
        return -1;
    cache->flags = NETSNMP_CACHE_DONT_INVALIDATE_ON_SET | NETSNMP_CACHE_DONT_FREE_EXPIRED |
                   NETSNMP_CACHE_DONT_AUTO_RELEASE;
    /* first in the chain: tdata registers a table_container handler that
     * looks the row up before tdata itself runs, so a cache placed just
     * before tdata would rebuild the rows under a looked-up row */
    if (netsnmp_inject_handler(reg, netsnmp_cache_handler_get(cache)) != SNMPERR_SUCCESS)
        return -1;
    return 0;
}

/* ENTITY-MIB's entPhysicalTable and entLastChangeTime (entity-mib yes).
 * A master that implements ENTITY-MIB itself would see these as a more
 * specific registration hiding its own rows, or refuse an identical one;
 * headroomd.8 says to set entity-mib no there. */
static int register_entity(const char *root)
{
    ent_phys_chassis(&A.chassis, root);
    static const struct table_def phys = {
        "entPhysicalTable", enttab_oid, HR_ARRAY_LEN(enttab_oid), ent_handler,
        HANDLER_CAN_RONLY, 1, ASN_INTEGER, ENT_COL_entPhysicalDescr, ENT_COL_entPhysicalUUID,
    };
    static const struct table_def contains = {
        "entPhysicalContainsTable", contains_oid, HR_ARRAY_LEN(contains_oid), contains_handler,
        HANDLER_CAN_RONLY, 2, ASN_INTEGER, 1, 1,     /* entPhysicalChildIndex only */
    };

    if (register_table(&phys, &A.enttab) < 0 || register_table(&contains, &A.contab) < 0 ||
        netsnmp_register_scalar(
            netsnmp_create_handler_registration("entLastChangeTime", entlast_handler,
                                                entlast_oid, HR_ARRAY_LEN(entlast_oid),
                                                HANDLER_CAN_RONLY)) != MIB_REGISTERED_OK) {
        hr_log(LOG_ERR, "cannot register ENTITY-MIB's entPhysicalTable");
        return -1;
    }
    return 0;
}

int hdrm_agent_start(const struct hdrm_config *cfg, const char *root, const char *state_file)
{
    char err[512];
    int rc;

    A.cfg = cfg;
    A.state_file = state_file;
    A.last_scan_ms = -1;
    A.notify_ms = -1;
    A.dopts.root = root;
    A.dopts.include_empty = cfg->include_empty;
    A.dopts.ignore = (const char *const *)cfg->ignore;
    A.dopts.nignore = cfg->nignore;
    devdb_init(&A.db);
    rc = devdb_load(&A.db, state_file, err, sizeof err);
    if (rc < 0) {
        hr_log(LOG_ERR, "cannot read state file %s: %s", state_file, strerror(errno));
        return -1;
    }
    if (rc > 0)
        hr_log(LOG_WARNING, "corrupt state file %s", err);
    static const struct table_def dev = {
        "hdrmDeviceTable", devtab_oid, HR_ARRAY_LEN(devtab_oid), dev_handler,
        HANDLER_CAN_RWRITE, 1, ASN_UNSIGNED, HDRM_SUBID_hdrmDevName, HDRM_SUBID_hdrmDevLastUpdate,
    };
    static const struct table_def vol = {
        "hdrmVolumeTable", voltab_oid, HR_ARRAY_LEN(voltab_oid), vol_handler,
        HANDLER_CAN_RONLY, 2, ASN_UNSIGNED, HDRM_SUBID_hdrmVolMountPoint, HDRM_SUBID_hdrmVolUsedMiB,
    };

    if (register_table(&dev, &A.devtab) < 0 || register_table(&vol, &A.voltab) < 0) {
        hr_log(LOG_ERR, "cannot register the device and volume tables");
        return -1;
    }
    if (netsnmp_register_scalar_group(
            netsnmp_create_handler_registration("hdrmAgent", agent_handler, agent_oid,
                                                HR_ARRAY_LEN(agent_oid), HANDLER_CAN_RONLY),
            HDRM_SUBID_hdrmAgentVersion, HDRM_SUBID_hdrmDeviceCount) != MIB_REGISTERED_OK) {
        hr_log(LOG_ERR, "cannot register the agent scalars");
        return -1;
    }
    if (cfg->entity_mib && register_entity(root) < 0)
        return -1;
    /* the first sample starts every device's first window now */
    tick(0, NULL);
    A.alarm_id = snmp_alarm_register(cfg->window, SA_REPEAT, tick, NULL);
    if (A.alarm_id == 0) {
        hr_log(LOG_ERR, "cannot start the sampling alarm");
        return -1;
    }
    hr_log(LOG_INFO, "serving %u devices; window %" PRIu32 " s, day starts at %02u:%02u",
           A.ndev, cfg->window, cfg->reset_min / 60, cfg->reset_min % 60);
    return 0;
}

int hdrm_agent_save(void)
{
    return save_state();
}

void hdrm_agent_stop(void)
{
    if (A.alarm_id)
        snmp_alarm_unregister(A.alarm_id);
    A.alarm_id = 0;
    if (A.notify_alarm)
        snmp_alarm_unregister(A.notify_alarm);
    A.notify_alarm = 0;
    if (A.devtab && A.voltab)
        clear_rows();
    for (size_t i = 0; i < A.db.n; i++) {
        free(A.db.recs[i]->info.vols);
        A.db.recs[i]->info.vols = NULL;
    }
    devdb_clear(&A.db);
}
