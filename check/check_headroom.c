/* check_headroom.c: a Monitoring Plugins check (Nagios, Icinga, Naemon) for
 * the devices of one host's HEADROOM-STORAGE-MIB.
 *
 * It walks hdrmDeviceTable over SNMP v1, v2c or v3 (net-snmp's client
 * library does every PDU, BER and USM step), picks the devices asked for,
 * and compares one metric per device with the -w/-c ranges of the
 * Monitoring Plugins Development Guidelines.  Output: one status line with
 * performance data, then one line per device (long output).
 *
 * Only what the agent really serves is checked.  Days until full is the
 * collector's forecast over history, and firmware age needs a release
 * catalogue; neither is in the MIB, so neither is offered here.
 *
 * Exit codes are the guidelines': 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
 * (bad arguments, timeout, no answer, no HEADROOM-STORAGE-MIB, no device).
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "device.h"
#include "hdrm.h"
#include "hdrm_oids.h"
#include "hr_util.h"
#include "profile.h"
#include "snmp.h"
#include "snmp_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

_Static_assert(SNMP_SEC_LEVEL_NOAUTH == HR_SEC_NOAUTH && SNMP_SEC_LEVEL_AUTHNOPRIV == HR_SEC_AUTHNOPRIV &&
               SNMP_SEC_LEVEL_AUTHPRIV == HR_SEC_AUTHPRIV, "security levels map one to one");

#define PROGNAME "check_headroom"
#define SERVICE  "HEADROOM"

enum { ST_OK = 0, ST_WARNING = 1, ST_CRITICAL = 2, ST_UNKNOWN = 3 };
static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/* ---- threshold ranges ----------------------------------------------------
 * The guidelines' syntax: "10" is 0..10, "10:" is 10..inf, "~:10" is
 * -inf..10, "10:20" is 10..20; an empty start means 0.  The check alerts
 * when the value is OUTSIDE the range, or INSIDE it (ends included) when
 * the range starts with '@'. */
struct range {
    int set;            /* a range was given */
    int inside;         /* '@': alert inside */
    int start_inf;      /* start is -infinity ('~') */
    int end_inf;        /* no end: +infinity */
    double start, end;
    char text[64];      /* as given, for the performance data */
};

/* A number of the range syntax: the whole string, finite, no blanks. */
static int range_number(const char *s, size_t len, double *out)
{
    char buf[64], *end;

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    /* strtod would accept "inf", "nan", hex floats and leading blanks. */
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789.-+eE", buf[i]))
            return -1;
    errno = 0;
    *out = strtod(buf, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(*out))
        return -1;
    return 0;
}

/* Parse S into R.  0, or -1 with a reason in *ERRSTR. */
static int range_parse(const char *s, struct range *r, const char **errstr)
{
    const char *p = s, *colon;

    memset(r, 0, sizeof *r);
    if (!s || !*s) {
        *errstr = "empty range";
        return -1;
    }
    if (strlen(s) >= sizeof r->text) {
        *errstr = "range too long";
        return -1;
    }
    if (*p == '@') {
        r->inside = 1;
        p++;
    }
    colon = strchr(p, ':');
    if (colon) {
        if (colon == p)
            r->start = 0;
        else if (colon - p == 1 && *p == '~')
            r->start_inf = 1;
        else if (range_number(p, (size_t)(colon - p), &r->start) < 0) {
            *errstr = "start is not a number";
            return -1;
        }
        p = colon + 1;
        if (*p == '\0')
            r->end_inf = 1;
        else if (range_number(p, strlen(p), &r->end) < 0) {
            *errstr = "end is not a number";
            return -1;
        }
    } else {
        r->start = 0;
        if (range_number(p, strlen(p), &r->end) < 0) {
            *errstr = "not a number or range";
            return -1;
        }
    }
    if (!r->start_inf && !r->end_inf && r->start > r->end) {
        *errstr = "start is greater than end";
        return -1;
    }
    hr_strlcpy(r->text, s, sizeof r->text);
    r->set = 1;
    return 0;
}

/* 1 if V raises an alert for R (never for an unset range). */
static int range_alert(const struct range *r, double v)
{
    int in;

    if (!r->set)
        return 0;
    in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);
    return r->inside ? in : !in;
}

/* The state of V under the warning and critical ranges: critical wins. */
static int range_state(const struct range *warn, const struct range *crit, double v)
{
    if (range_alert(crit, v))
        return ST_CRITICAL;
    if (range_alert(warn, v))
        return ST_WARNING;
    return ST_OK;
}

/* ---- devices ------------------------------------------------------------- */

#define HAVE_NAME     0x0001u
#define HAVE_SERIAL   0x0002u
#define HAVE_MODEL    0x0004u
#define HAVE_FW       0x0008u
#define HAVE_CAP      0x0010u
#define HAVE_USED     0x0020u
#define HAVE_PCT      0x0040u
#define HAVE_PEAK     0x0080u
#define HAVE_PEAKPREV 0x0100u
#define HAVE_WINDOW   0x0200u
#define HAVE_RATE     0x0400u
#define HAVE_CAPB     0x0800u   /* capacity came in bytes, not MiB */
#define HAVE_USEDB    0x1000u   /* used came in bytes, not MiB */

/* Strings are hr_sanitize()d: a 255-byte agent string may triple in size
 * when every byte is replaced by U+FFFD; longer results are cut. */
struct dev {
    uint32_t index;
    struct hr_dev_row row;      /* the cells as the shared decoder keeps them */
    struct hr_row_state st;
    /* the plug-in's view of them (dev_view) */
    unsigned have;
    unsigned bad;               /* cells ignored: wrong type or range */
    char name[200], serial[200], model[200], firmware[200];
    uint64_t capacity, used;    /* bytes */
    int used_pct;               /* -1 unknown */
    uint32_t peak, peak_prev, window, rate_avg;
    unsigned measured_s;        /* load measured by us over this many seconds (a
                                   device read through a profile); 0: the agent's */
    /* filled by the evaluation */
    int selected;
    int dup;                    /* label shared with another device */
    int known;                  /* the metric has a value */
    double value;
    int state;
    char label[96];
};

struct devlist {
    struct dev *v;
    size_t n, cap;
};

/* The device with INDEX, appended if new; NULL when out of memory.  *HINT
 * is where the caller's column found its previous row: the agent returns
 * every column in index order, so the next row is almost always the next
 * entry, and a table of thousands of rows costs no quadratic search. */
static struct dev *devlist_get(struct devlist *l, uint32_t index, size_t *hint)
{
    for (size_t k = 0; k < 2; k++) {
        size_t i = *hint + k;
        if (i < l->n && l->v[i].index == index) {
            *hint = i;
            return &l->v[i];
        }
    }
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].index == index) {
            *hint = i;
            return &l->v[i];
        }
    if (hr_array_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0)
        return NULL;
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    l->v[l->n].index = index;
    l->v[l->n].used_pct = -1;
    hr_hdrm_row_init(&l->v[l->n].row, &l->v[l->n].st, index);
    *hint = l->n;
    return &l->v[l->n++];
}

/* ---- metrics --------------------------------------------------------------
 * Each is a column the agent serves.  'higher is worse' for all of them,
 * which picks the device named in the status line. */
enum metric_id { M_USED_PCT, M_USED_BYTES, M_PEAK, M_PEAK_PREV, M_RATE_AVG };

static const struct metric {
    enum metric_id id;
    const char *name;       /* --metric */
    const char *suffix;     /* performance data label: DEVICE_SUFFIX */
    const char *uom;
    unsigned need;          /* HAVE_ bit that makes the value known */
    const char *help;
} metrics[] = {
    { M_USED_PCT, "used-percent", "used_pct", "%", HAVE_PCT,
      "hdrmDevUsedPercent, 0..100 (default; -w 80 -c 90 unless given)" },
    { M_USED_BYTES, "used-bytes", "used", "B", HAVE_USED,
      "hdrmDevUsed in bytes (hdrmDevUsedMiB x 2^20 with -P 1)" },
    { M_PEAK, "peak", "peak", "", HAVE_PEAK,
      "hdrmDevPeakWrites: Cmax, most writes in one window today" },
    { M_PEAK_PREV, "peak-prev", "peak_prev", "", HAVE_PEAKPREV,
      "hdrmDevPeakWritesPrev: Cmax of the previous day" },
    { M_RATE_AVG, "rate-avg", "rate_avg", "", HAVE_RATE,
      "hdrmDevWriteRateAvg: average writes per window today" },
};

/* ---- options ------------------------------------------------------------- */

struct opts {
    /* char *, not const: net-snmp's session takes them so (it copies
     * them in snmp_sess_open); they point into argv or at defaults. */
    char *host;
    unsigned port;
    long version;               /* SNMP_VERSION_1, _2c, _3 */
    char *community;
    char *secname;
    char *context;              /* SNMPv3 context name */
    int seclevel;               /* SNMP_SEC_LEVEL_* */
    const char *authproto, *authpass, *privproto, *privpass;
    unsigned timeout;           /* seconds, whole check */
    unsigned load_interval;     /* seconds between the two readings of a profile's counters */
    unsigned retries;
    const struct metric *metric;
    struct range warn, crit;
    const char *serial;
    int64_t index;              /* -1: all */
    int verbose;
    const char *profile;        /* NULL: our MIB only; "auto"; or a profile name */
    const char *profile_dirs;   /* colon-separated */
};

static void print_usage(FILE *f)
{
    fprintf(f,
            "Usage: " PROGNAME " -H host [-p port] [-P 1|2c|3] [-C community] [-F credfile]\n"
            "       [-U secname -L seclevel -a authproto -A authpass -x privproto -X privpass\n"
            "       -N context]\n"
            "       [-m metric] [-w range] [-c range] [-s serial | -i index]\n"
            "       [-t timeout] [-r retries] [--profile auto|NAME] [-v]\n");
}

static void print_help(void)
{
    printf(PROGNAME " " HEADROOM_VERSION " (headroom)\n"
           "Checks the storage devices a host publishes in HEADROOM-STORAGE-MIB\n"
           "(enterprises.%d) over SNMP, against warning and critical ranges.\n\n",
           HDRM_ENTERPRISE);
    print_usage(stdout);
    printf("\nOptions:\n"
           " -h, --help\n    Print this help and exit.\n"
           " -V, --version\n    Print the version and exit.\n"
           " -v, --verbose\n    Add capacity, model, firmware and write figures to each device line;\n"
           "    -vvv also lets net-snmp log its errors to stderr.\n"
           " -H, --hostname=ADDRESS\n    Host name or IP address of the agent (IPv6 literals allowed).\n"
           " -p, --port=INTEGER\n    UDP port (default: 161).\n"
           " -P, --protocol=1|2c|3\n    SNMP version (default: 2c).  With 1, 64-bit columns are out of\n"
           "    reach and capacities are read from the MiB columns.\n"
           " -C, --community=STRING\n    Community for v1/v2c (default: public).\n"
           " -F, --credentials=FILE\n"
           "    Read the secrets from FILE instead of -C, -A and -X, which every user of\n"
           "    the host sees in ps(1): lines 'community S', 'authpasswd P',\n"
           "    'privpasswd P'.  FILE must not be readable or writable by others.  Also\n"
           "    read from $CHECK_HEADROOM_COMMUNITY, $CHECK_HEADROOM_AUTHPASSWD and\n"
           "    $CHECK_HEADROOM_PRIVPASSWD; an option wins over FILE, FILE over the\n"
           "    environment.  At a terminal, a passphrase -L needs and nothing gave is\n"
           "    asked for (echo off).\n"
           " -U, --secname=NAME\n    SNMPv3 user name.\n"
           " -L, --seclevel=noAuthNoPriv|authNoPriv|authPriv\n"
           "    SNMPv3 security level (default: authPriv when -X is given, authNoPriv\n"
           "    when -A is given, else noAuthNoPriv).\n"
           " -a, --authproto=MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512\n    SNMPv3 authentication protocol (default: SHA).\n"
           " -A, --authpasswd=PASSPHRASE\n    SNMPv3 authentication passphrase.\n"
           " -x, --privproto=DES|AES|AES-192|AES-256\n    SNMPv3 privacy protocol (default: AES).\n"
           " -X, --privpasswd=PASSPHRASE\n    SNMPv3 privacy passphrase.\n"
           " -N, --context=NAME\n    SNMPv3 context name (default: empty).\n"
           " -m, --metric=NAME\n    What to compare with the ranges, per device:\n");
    for (size_t i = 0; i < HR_ARRAY_LEN(metrics); i++)
        printf("      %-13s %s\n", metrics[i].name, metrics[i].help);
    printf(" -w, --warning=RANGE\n    Warning range (see below).\n"
           " -c, --critical=RANGE\n    Critical range (see below).\n"
           " -s, --serial=SERIAL\n    Check only the device with this serial number (hdrmDevSerial).\n"
           " -i, --index=INTEGER\n    Check only the device with this hdrmDevIndex.\n"
           " -t, --timeout=INTEGER\n    Seconds before the whole check gives up with UNKNOWN (default: 10).\n"
           " -r, --retries=INTEGER\n    Retries per SNMP request (default: 1).\n"
           "     --profile=auto|NAME\n"
           "    Also check devices that do not serve HEADROOM-STORAGE-MIB, read through\n"
           "    headroom's device profiles (Synology, QNAP, TrueNAS, NetApp, Linux,\n"
           "    Windows, ESXi...): auto reads our MIB when the host serves it, else the\n"
           "    profile that matches; NAME reads with that profile only.  Such a\n"
           "    device offers used-percent and used-bytes, and where the profile reads\n"
           "    write counters, peak and rate-avg: the load measured now, from two\n"
           "    readings --load-interval apart, in writes per 60 s (peak-prev, the\n"
           "    day's history, needs headroom poll).\n"
           "     --load-interval=INTEGER\n"
           "    Seconds between those two readings (default: 5; less than -t).\n"
           "     --profile-dirs=DIR[:DIR...]\n"
           "    Where the profiles are (default: $HEADROOM_PROFILE_DIRS, else\n"
           "    " HEADROOM_DATADIR "/headroom/profiles:" HEADROOM_SYSCONFDIR "/headroom/profiles).\n"
           "\nRanges (Monitoring Plugins Development Guidelines):\n"
           "  10       alert if the value is < 0 or > 10\n"
           "  10:      alert if < 10\n"
           "  ~:10     alert if > 10 (no lower bound)\n"
           "  10:20    alert if < 10 or > 20\n"
           "  @10:20   alert if >= 10 and <= 20 ('@' inverts the range)\n"
           "  Critical is checked first.  Only used-percent has default ranges.\n"
           "\nDevices:\n"
           "  All devices of hdrmDeviceTable are checked unless -s or -i picks one; the\n"
           "  state is the worst device's.  A device whose value the agent does not\n"
           "  know (hdrmDevUsedPercent -1 or no hdrmDevUsed: nothing mounted) is listed\n"
           "  as 'unknown' and does not change the state; when no selected device has a\n"
           "  value, the state is UNKNOWN.  Days until full (a forecast over history) and\n"
           "  firmware age are not served by the agent: use the headroom collector.\n"
           "\nOutput:\n"
           "  One status line with performance data 'DEVICE_METRIC'=value[UOM];warn;crit;min;max\n"
           "  for every selected device (value U when unknown), then one line per device.\n"
           "  Strings from the agent are sanitized: control characters, invalid UTF-8\n"
           "  and '|' become U+FFFD.\n"
           "\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad arguments, timeout,\n"
           "no answer, authentication failure, no HEADROOM-STORAGE-MIB, no device).\n"
           "\nExamples:\n"
           "  " PROGNAME " -H nas1 -C public -w 80 -c 90\n"
           "  " PROGNAME " -H nas1 -P 3 -U monitor -L authPriv -a SHA -A authpass -x AES -X privpass\n"
           "  " PROGNAME " -H nas1 -s WD-WCC4N1234567 -m peak -w 5000 -c 8000\n"
           "  " PROGNAME " -H nas1 -m used-percent -w @0:5   (warn if nearly empty)\n"
           "\nSee check_headroom(1).  Report bugs with the headroom project.\n");
}

/* Bad arguments: UNKNOWN, the reason, the usage line. */
static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
    char msg[512], clean[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hr_sanitize(clean, sizeof clean, msg, strlen(msg));
    printf(SERVICE " UNKNOWN - %s\n", clean);
    print_usage(stdout);
    printf("Try '" PROGNAME " --help' for more information.\n");
    exit(ST_UNKNOWN);
}

static unsigned parse_uint(const char *opt, const char *s, unsigned min, unsigned max)
{
    long long v;

    if (hr_parse_num(s, min, max, &v, NULL) < 0)
        usage_error("%s must be an integer from %u to %u, not '%s'", opt, min, max, s);
    return (unsigned)v;
}

/* The credentials of O for the SNMP client. */
static void opts_cred(const struct opts *o, struct hr_snmp_cred *c)
{
    memset(c, 0, sizeof *c);
    c->version = o->version == SNMP_VERSION_1 ? HR_SNMP_V1
               : o->version == SNMP_VERSION_3 ? HR_SNMP_V3 : HR_SNMP_V2C;
    c->community = o->community;
    c->sec_name = o->secname;
    c->sec_level = o->seclevel == SNMP_SEC_LEVEL_AUTHPRIV ? HR_SEC_AUTHPRIV
                 : o->seclevel == SNMP_SEC_LEVEL_AUTHNOPRIV ? HR_SEC_AUTHNOPRIV : HR_SEC_NOAUTH;
    c->auth_proto = o->authproto;
    c->auth_pass = o->authpass;
    c->priv_proto = o->privproto;
    c->priv_pass = o->privpass;
    c->context = o->context;
}

/* ---- credentials kept off the command line --------------------------------
 * -C, -A and -X show in ps(1) to every user of the host.  The same secrets
 * come from a credentials file (-F), else the environment, else (at a
 * terminal, when the security level needs them) a prompt; an option still
 * wins.  They live as long as the process. */
#define CRED_MAX 8192

/* The secrets read here, kept reachable for the process's life (and for
 * LeakSanitizer): at most one per kind from each source. */
static char *cred_owned[8];

static char *cred_keep(char *s)
{
    for (size_t i = 0; s && i < HR_ARRAY_LEN(cred_owned); i++)
        if (!cred_owned[i])
            return cred_owned[i] = s;
    return s;
}

static char *cred_dup(const char *s, const char *what)
{
    char *d = strdup(s);
    if (!d)
        usage_error("out of memory reading %s", what);
    return cred_keep(d);
}

/* -F FILE: lines "community S", "authpasswd P", "privpasswd P" (blank lines
 * and # comments allowed).  The file must be a regular file that others
 * can neither read nor write.  Fills the secrets not given as options. */
static void read_credentials(const char *path, struct opts *o, int *have_c, int have_a,
                             int have_x)
{
    char buf[CRED_MAX + 1], why[PATH_MAX + 200], *line, *save = NULL;
    size_t n = 0;
    unsigned lineno = 0;
    int fd = hr_secret_open(path, NULL, why, sizeof why);

    if (fd < 0)
        usage_error("credentials file %s", why);
    for (ssize_t r; n < CRED_MAX && (r = read(fd, buf + n, CRED_MAX - n)) != 0; n += (size_t)r)
        if (r < 0 && errno != EINTR)
            usage_error("credentials file %s: %s", path, strerror(errno));
        else if (r < 0)
            r = 0;
    if (n == CRED_MAX) {
        char more;
        if (read(fd, &more, 1) > 0)
            usage_error("credentials file %s: larger than %d bytes: not a credentials file",
                        path, CRED_MAX);
    }
    close(fd);
    buf[n] = '\0';
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *key, *val;

        lineno++;
        key = hr_trim(line);
        if (!*key || *key == '#')
            continue;
        val = key + strcspn(key, " \t");
        if (*val)
            *val++ = '\0';
        val = hr_trim(val);
        if (!*val)
            usage_error("%s:%u: %s without a value", path, lineno, key);
        if (strcmp(key, "community") == 0) {
            if (!*have_c)
                o->community = cred_dup(val, path);
            *have_c = 1;
        } else if (strcmp(key, "authpasswd") == 0) {
            if (!have_a)
                o->authpass = cred_dup(val, path);
        } else if (strcmp(key, "privpasswd") == 0) {
            if (!have_x)
                o->privpass = cred_dup(val, path);
        } else {
            usage_error("%s:%u: unknown key '%s' (community, authpasswd, privpasswd)", path,
                        lineno, key);
        }
    }
    explicit_bzero(buf, sizeof buf);
}

/* The credentials file, then the environment, for what no option gave. */
static void credentials(struct opts *o, const char *file, int have_c)
{
    static const struct { const char *env; int which; } envs[] = {
        { "CHECK_HEADROOM_COMMUNITY", 'C' }, { "CHECK_HEADROOM_AUTHPASSWD", 'A' },
        { "CHECK_HEADROOM_PRIVPASSWD", 'X' },
    };

    if (file)
        read_credentials(file, o, &have_c, o->authpass != NULL, o->privpass != NULL);
    for (size_t i = 0; i < HR_ARRAY_LEN(envs); i++) {
        const char *v = getenv(envs[i].env);
        if (!v || !*v)
            continue;
        if (envs[i].which == 'C' && !have_c)
            o->community = cred_dup(v, envs[i].env);
        else if (envs[i].which == 'A' && !o->authpass)
            o->authpass = cred_dup(v, envs[i].env);
        else if (envs[i].which == 'X' && !o->privpass)
            o->privpass = cred_dup(v, envs[i].env);
    }
}

/* A passphrase the security level needs and nothing gave: ask at a
 * terminal (echo off), else leave it missing for the usage error. */
static const char *ask(const char *what)
{
    char err[64], prompt[64];

    snprintf(prompt, sizeof prompt, "%s: ", what);
    return cred_keep(hr_secret_prompt(prompt, err, sizeof err));
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "verbose", no_argument, NULL, 'v' },
        { "hostname", required_argument, NULL, 'H' },
        { "port", required_argument, NULL, 'p' },
        { "protocol", required_argument, NULL, 'P' },
        { "community", required_argument, NULL, 'C' },
        { "secname", required_argument, NULL, 'U' },
        { "seclevel", required_argument, NULL, 'L' },
        { "authproto", required_argument, NULL, 'a' },
        { "authpasswd", required_argument, NULL, 'A' },
        { "privproto", required_argument, NULL, 'x' },
        { "privpasswd", required_argument, NULL, 'X' },
        { "context", required_argument, NULL, 'N' },
        { "metric", required_argument, NULL, 'm' },
        { "warning", required_argument, NULL, 'w' },
        { "critical", required_argument, NULL, 'c' },
        { "serial", required_argument, NULL, 's' },
        { "index", required_argument, NULL, 'i' },
        { "timeout", required_argument, NULL, 't' },
        { "retries", required_argument, NULL, 'r' },
        { "profile", required_argument, NULL, 256 },
        { "profile-dirs", required_argument, NULL, 257 },
        { "load-interval", required_argument, NULL, 258 },
        { "credentials", required_argument, NULL, 'F' },
        { NULL, 0, NULL, 0 },
    };
    static char public_community[] = "public";
    const char *errstr, *seclevel = NULL, *cred_file = NULL;
    int c, have_c = 0;

    memset(o, 0, sizeof *o);
    o->port = 161;
    o->version = SNMP_VERSION_2c;
    o->community = public_community;
    o->timeout = 10;
    o->load_interval = 5;
    o->retries = 1;
    o->metric = &metrics[0];
    o->index = -1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hVvH:p:P:C:U:L:a:A:x:X:N:m:w:c:s:i:t:r:F:",
                            longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            print_help();
            exit(ST_OK);
        case 'V':
            printf(PROGNAME " " HEADROOM_VERSION " (headroom, net-snmp %s)\n",
                   netsnmp_get_version());
            exit(ST_OK);
        case 'v': o->verbose++; break;
        case 256: o->profile = optarg; break;
        case 257: o->profile_dirs = optarg; break;
        case 258: o->load_interval = parse_uint("--load-interval", optarg, 1, 3599); break;
        case 'H': o->host = optarg; break;
        case 'p': o->port = parse_uint("-p", optarg, 1, 65535); break;
        case 'P':
            switch (hr_snmp_version_parse(optarg)) {
            case HR_SNMP_V1: o->version = SNMP_VERSION_1; break;
            case HR_SNMP_V2C: o->version = SNMP_VERSION_2c; break;
            case HR_SNMP_V3: o->version = SNMP_VERSION_3; break;
            default: usage_error("-P must be 1, 2c or 3, not '%s'", optarg);
            }
            break;
        case 'C': o->community = optarg; have_c = 1; break;
        case 'F': cred_file = optarg; break;
        case 'U': o->secname = optarg; break;
        case 'L': seclevel = optarg; break;
        case 'a': o->authproto = optarg; break;
        case 'A': o->authpass = optarg; break;
        case 'x': o->privproto = optarg; break;
        case 'X': o->privpass = optarg; break;
        case 'N': o->context = optarg; break;
        case 'm':
            o->metric = NULL;
            for (size_t i = 0; i < HR_ARRAY_LEN(metrics); i++)
                if (strcmp(optarg, metrics[i].name) == 0)
                    o->metric = &metrics[i];
            if (!o->metric)
                usage_error("unknown metric '%s' (used-percent, used-bytes, peak, peak-prev, rate-avg)", optarg);
            break;
        case 'w':
            if (range_parse(optarg, &o->warn, &errstr) < 0)
                usage_error("invalid warning range '%s': %s", optarg, errstr);
            break;
        case 'c':
            if (range_parse(optarg, &o->crit, &errstr) < 0)
                usage_error("invalid critical range '%s': %s", optarg, errstr);
            break;
        case 's': o->serial = optarg; break;
        case 'i': o->index = parse_uint("-i", optarg, 1, UINT32_MAX); break;
        case 't': o->timeout = parse_uint("-t", optarg, 1, 3600); break;
        case 'r': o->retries = parse_uint("-r", optarg, 0, 10); break;
        case '?':
        default:
            if (optopt && strchr("HpPCULaAxXNmwcsitrF", optopt))
                usage_error("option -%c needs an argument", optopt);
            else if (optopt)
                usage_error("unknown option -%c", optopt);
            else
                usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", argv[optind]);
    if (!o->host || !*o->host)
        usage_error("no host given (-H)");
    if (o->serial && o->index >= 0)
        usage_error("-s and -i both pick a device: give one");
    credentials(o, cred_file, have_c);
    if (o->version == SNMP_VERSION_3) {
        if (!o->secname)
            usage_error("SNMPv3 needs a user name (-U)");
        if (seclevel) {
            /* net-snmp's SNMP_SEC_LEVEL_* have the values of hr_sec_level. */
            if ((o->seclevel = hr_snmp_level_parse(seclevel)) < 0)
                usage_error("-L must be noAuthNoPriv, authNoPriv or authPriv, not '%s'", seclevel);
        } else {
            o->seclevel = o->privpass ? SNMP_SEC_LEVEL_AUTHPRIV
                        : o->authpass ? SNMP_SEC_LEVEL_AUTHNOPRIV : SNMP_SEC_LEVEL_NOAUTH;
        }
        if (o->seclevel != SNMP_SEC_LEVEL_NOAUTH && !o->authpass)
            o->authpass = ask("SNMPv3 authentication passphrase");
        if (o->seclevel == SNMP_SEC_LEVEL_AUTHPRIV && !o->privpass)
            o->privpass = ask("SNMPv3 privacy passphrase");
        if (o->seclevel != SNMP_SEC_LEVEL_NOAUTH && !o->authpass)
            usage_error("security level %s needs an authentication passphrase (-A)",
                        seclevel ? seclevel : "authNoPriv");
        if (o->seclevel == SNMP_SEC_LEVEL_AUTHPRIV && !o->privpass)
            usage_error("security level authPriv needs a privacy passphrase (-X)");
        if (!o->authproto)
            o->authproto = "SHA";
        if (!o->privproto)
            o->privproto = "AES";
        /* Protocol names and passphrase lengths (RFC 3414 section 11.2)
         * are the SNMP client's rules: say so here rather than as a USM
         * error from the agent. */
        {
            struct hr_snmp_cred cred;
            char err[200];

            opts_cred(o, &cred);
            if (hr_snmp_cred_check(&cred, err, sizeof err) < 0)
                usage_error("%s", err);
        }
    }
    if (o->profile && o->load_interval >= o->timeout &&
        (o->metric->id == M_PEAK || o->metric->id == M_RATE_AVG))
        usage_error("--load-interval (%u s) must be shorter than the timeout -t (%u s)",
                    o->load_interval, o->timeout);
    if (o->metric->id == M_USED_PCT && !o->warn.set && !o->crit.set) {
        if (range_parse("80", &o->warn, &errstr) < 0 || range_parse("90", &o->crit, &errstr) < 0)
            abort();
    }
}

/* ---- the timeout --------------------------------------------------------
 * The guidelines' way: alarm() bounds the whole check, whatever net-snmp
 * is doing (engine discovery, retries, a long walk).  The message is built
 * before the alarm is armed so the handler only calls write() and _exit(),
 * which are async-signal-safe. */
static char alarm_msg[512];
static size_t alarm_len;

static void on_alarm(int sig)
{
    (void)sig;
    if (write(STDOUT_FILENO, alarm_msg, alarm_len) < 0) {
        /* nothing left to tell anyone */
    }
    _exit(ST_UNKNOWN);
}

static void arm_timeout(const struct opts *o, const char *where)
{
    struct sigaction sa;
    int n;

    n = snprintf(alarm_msg, sizeof alarm_msg,
                 SERVICE " UNKNOWN - timeout: no complete answer from %s within %u second%s\n",
                 where, o->timeout, o->timeout == 1 ? "" : "s");
    alarm_len = n < 0 ? 0 : (size_t)n < sizeof alarm_msg ? (size_t)n : sizeof alarm_msg - 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) < 0) {
        printf(SERVICE " UNKNOWN - cannot set the timeout: %s\n", strerror(errno));
        exit(ST_UNKNOWN);
    }
    alarm(o->timeout);
}

/* ---- SNMP -----------------------------------------------------------------
 * A failure of the session: UNKNOWN with net-snmp's reason. */
struct snmp_fail {
    char msg[256];
};

static void *snmp_open_session(const struct opts *o, struct snmp_fail *f)
{
    struct hr_snmp_cred cred;
    struct hr_snmp_peer peer = { .host = o->host, .port = o->port, .retries = (int)o->retries };

    /* Per request: the check's time shared by the tries, at least 0.2 s;
     * alarm() still ends the whole check at -t. */
    peer.timeout_us = (long)o->timeout * 1000000L / (long)(o->retries + 1);
    if (peer.timeout_us < 200000L)
        peer.timeout_us = 200000L;
    opts_cred(o, &cred);
    /* Synchronous: net-snmp may discover the v3 engine in snmp_sess_open. */
    return hr_snmp_open(&peer, &cred, HR_SNMP_PROBE, f->msg, sizeof f->msg);
}

/* Send PDU (always consumed) and wait.  0 with *RESP, or -1 with f->msg. */
static int snmp_exchange(void *ss, netsnmp_pdu *pdu, netsnmp_pdu **resp, struct snmp_fail *f)
{
    void *r;
    int rc = hr_snmp_sync_exchange(ss, pdu, &r, f->msg, sizeof f->msg);

    *resp = r;
    return rc;
}

/* Copy an agent string, sanitized for one line of plugin output: besides
 * what hr_sanitize replaces, '|' would start the performance data. */
static void text_clean(char *dst, size_t dstsz, const void *src, size_t len)
{
    static const char repl[] = "\xEF\xBF\xBD";
    char tmp[1024];
    size_t o = 0;

    hr_sanitize(tmp, sizeof tmp, src, len);
    for (const char *p = tmp; *p && o + 4 <= dstsz; p++) {
        if (*p == '|') {
            memcpy(dst + o, repl, 3);
            o += 3;
        } else {
            dst[o++] = *p;
        }
    }
    /* A cut in the middle of a multi-byte character leaves a fragment:
     * drop the trailing continuation bytes and their lead byte. */
    if (o && ((unsigned char)dst[o - 1] & 0x80)) {
        size_t k = o;
        while (k && ((unsigned char)dst[k - 1] & 0xC0) == 0x80)
            k--;
        if (k && ((unsigned char)dst[k - 1] & 0xC0) == 0xC0) {
            unsigned char lead = (unsigned char)dst[k - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (o - (k - 1) < need)
                o = k - 1;
        }
    }
    dst[o] = '\0';
}

/* The plug-in's view of D's cells: output text (no '|', see text_clean),
 * and what is known.  A MiB column at 4294967295 only says "does not fit"
 * (the MIB's rule): that size is unknown to a v1 manager, not 4 PiB. */
static void dev_view(struct dev *d)
{
    const struct hr_dev_row *r = &d->row;
    const struct hr_row_state *st = &d->st;
    static const struct { oid sub; size_t off; unsigned bit; } texts[] = {
        { HDRM_SUBID_hdrmDevName, offsetof(struct dev, name), HAVE_NAME },
        { HDRM_SUBID_hdrmDevSerial, offsetof(struct dev, serial), HAVE_SERIAL },
        { HDRM_SUBID_hdrmDevModelName, offsetof(struct dev, model), HAVE_MODEL },
        { HDRM_SUBID_hdrmDevFirmware, offsetof(struct dev, firmware), HAVE_FW },
    };
    _Static_assert(sizeof d->name == sizeof d->serial && sizeof d->name == sizeof d->model &&
                   sizeof d->name == sizeof d->firmware, "string fields differ in size");

    for (size_t i = 0; i < HR_ARRAY_LEN(texts); i++) {
        const char *src = (const char *)r + hr_hdrm_dev_table.cols[texts[i].sub].off;
        if (!(st->seen & HR_COL_BIT(texts[i].sub)))
            continue;
        text_clean((char *)d + texts[i].off, sizeof d->name, src, strlen(src));
        d->have |= texts[i].bit;
    }
    if (hr_hdrm_known(st, HDRM_SUBID_hdrmDevCapacity))
        d->have |= HAVE_CAP | HAVE_CAPB;
    if (hr_hdrm_known(st, HDRM_SUBID_hdrmDevCapacity) ||
        hr_hdrm_known(st, HDRM_SUBID_hdrmDevCapacityMiB)) {
        d->capacity = r->capacity;
        d->have |= HAVE_CAP;
    }
    if (hr_hdrm_known(st, HDRM_SUBID_hdrmDevUsed))
        d->have |= HAVE_USED | HAVE_USEDB;
    if (hr_hdrm_known(st, HDRM_SUBID_hdrmDevUsed) || hr_hdrm_known(st, HDRM_SUBID_hdrmDevUsedMiB)) {
        d->used = r->used;
        d->have |= HAVE_USED;
    }
    if (st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevUsedPercent)) {
        d->used_pct = r->used_percent;
        if (d->used_pct >= 0)
            d->have |= HAVE_PCT;
    }
    if (st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevPeakWrites))
        d->peak = r->peak, d->have |= HAVE_PEAK;
    if (st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevPeakWritesPrev))
        d->peak_prev = r->peak_prev, d->have |= HAVE_PEAKPREV;
    if (st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevWindow))
        d->window = r->window, d->have |= HAVE_WINDOW;
    if (st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevWriteRateAvg))
        d->rate_avg = r->rate_avg, d->have |= HAVE_RATE;
    d->bad = st->bad;
}

/* Store one cell of column SUB for device D through the shared decoder;
 * wrong types are counted and ignored, so one bad column never hides the
 * others.  The plug-in reads leniently: any unsigned type carries a value
 * (Counter32 and TimeTicks included), as it always has. */
static void store_cell(struct dev *d, oid sub, const netsnmp_variable_list *vb)
{
    hr_hdrm_cell(&d->row, &d->st, (unsigned)sub, vb, HR_CELL_ANY_UNSIGNED);
    dev_view(d);
}

/* The columns walked.  SNMPv1 cannot carry Counter64 (RFC 3584 section
 * 4.2.2.1: a v1 agent skips such objects), so v1 reads the MiB columns;
 * v2c/v3 read both and prefer bytes (byte columns come first, so the MiB
 * value only fills in when the byte cell is absent). */
static const oid walk_cols[] = {
    HDRM_SUBID_hdrmDevName, HDRM_SUBID_hdrmDevSerial, HDRM_SUBID_hdrmDevModelName,
    HDRM_SUBID_hdrmDevFirmware, HDRM_SUBID_hdrmDevCapacity, HDRM_SUBID_hdrmDevCapacityMiB,
    HDRM_SUBID_hdrmDevUsed, HDRM_SUBID_hdrmDevUsedMiB, HDRM_SUBID_hdrmDevUsedPercent,
    HDRM_SUBID_hdrmDevPeakWrites, HDRM_SUBID_hdrmDevPeakWritesPrev, HDRM_SUBID_hdrmDevWindow,
    HDRM_SUBID_hdrmDevWriteRateAvg,
};

static int col_is_64(oid sub)
{
    return sub == HDRM_SUBID_hdrmDevCapacity || sub == HDRM_SUBID_hdrmDevUsed;
}

struct colwalk {
    oid sub;
    size_t hint;        /* devlist position of this column's last row */
    oid cur[MAX_OID_LEN];
    size_t curlen;
    int done;
};

struct walk {
    struct colwalk cols[HR_ARRAY_LEN(walk_cols)];
    size_t ncols;
    size_t active[HR_ARRAY_LEN(walk_cols)];  /* unfinished columns, in */
    size_t na;                               /* request order */
    long budget;            /* varbinds asked for per GETBULK */
    unsigned requests;
};

static const oid entry_oid[] = { HDRM_OID_hdrmDeviceEntry };
#define ENTRY_LEN HDRM_OIDLEN_hdrmDeviceEntry

static void walk_init(struct walk *w, long version)
{
    memset(w, 0, sizeof *w);
    /* About 60 varbinds per answer keeps it well under 1472 bytes for the
     * numeric columns; an agent that still answers tooBig gets fewer. */
    w->budget = 60;
    for (size_t i = 0; i < HR_ARRAY_LEN(walk_cols); i++) {
        struct colwalk *c = &w->cols[w->ncols];
        if (version == SNMP_VERSION_1 && col_is_64(walk_cols[i]))
            continue;
        memcpy(c->cur, entry_oid, sizeof entry_oid);
        c->cur[ENTRY_LEN] = walk_cols[i];
        c->curlen = ENTRY_LEN + 1;
        c->sub = walk_cols[i];
        w->ncols++;
    }
}

/* The next request: one varbind per unfinished column.  NULL with f->msg
 * set on failure, or with *DONE set when every column has ended. */
static netsnmp_pdu *walk_pdu(struct walk *w, long version, int *done, struct snmp_fail *f)
{
    netsnmp_pdu *pdu;

    w->na = 0;
    for (size_t i = 0; i < w->ncols; i++)
        if (!w->cols[i].done)
            w->active[w->na++] = i;
    *done = w->na == 0;
    if (*done)
        return NULL;
    /* A well-behaved agent ends every column; a broken one that keeps
     * answering inside a column with increasing OIDs is stopped here
     * (and by the alarm). */
    if (++w->requests > 100000) {
        snprintf(f->msg, sizeof f->msg, "the agent's device table does not end");
        return NULL;
    }
    pdu = snmp_pdu_create(version == SNMP_VERSION_1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
    if (!pdu)
        goto out_nomem;
    if (version != SNMP_VERSION_1) {
        pdu->non_repeaters = 0;
        pdu->max_repetitions = w->budget / (long)w->na > 0 ? w->budget / (long)w->na : 1;
    }
    for (size_t i = 0; i < w->na; i++) {
        const struct colwalk *c = &w->cols[w->active[i]];
        if (!snmp_add_null_var(pdu, c->cur, c->curlen)) {
            snmp_free_pdu(pdu);
            goto out_nomem;
        }
    }
    return pdu;
out_nomem:
    snprintf(f->msg, sizeof f->msg, "out of memory");
    return NULL;
}

/* Take one answer's varbinds: the K-th belongs to active column K mod na
 * (GETBULK repeats the request's varbinds in order, RFC 3416 section
 * 4.2.3).  0, or -1 with f->msg. */
static int walk_absorb(struct walk *w, const netsnmp_pdu *resp, struct devlist *l,
                       struct snmp_fail *f)
{
    const netsnmp_variable_list *vb;
    size_t k;

    for (vb = resp->variables, k = 0; vb; vb = vb->next_variable, k++) {
        struct colwalk *c = &w->cols[w->active[k % w->na]];
        struct dev *d;

        if (c->done)
            continue;
        if (vb->type == SNMP_ENDOFMIBVIEW || vb->type == SNMP_NOSUCHOBJECT ||
            vb->type == SNMP_NOSUCHINSTANCE || vb->name_length != ENTRY_LEN + 2 ||
            netsnmp_oid_is_subtree(c->cur, ENTRY_LEN + 1, vb->name, vb->name_length) != 0) {
            c->done = 1;
            continue;
        }
        /* An agent that does not move forward would loop forever. */
        if (snmp_oid_compare(vb->name, vb->name_length, c->cur, c->curlen) <= 0) {
            c->done = 1;
            continue;
        }
        memcpy(c->cur, vb->name, vb->name_length * sizeof(oid));
        c->curlen = vb->name_length;
        if (vb->name[ENTRY_LEN + 1] == 0 || vb->name[ENTRY_LEN + 1] > UINT32_MAX)
            continue;   /* hdrmDevIndex is 1..4294967295 */
        d = devlist_get(l, (uint32_t)vb->name[ENTRY_LEN + 1], &c->hint);
        if (!d) {
            snprintf(f->msg, sizeof f->msg, "out of memory");
            return -1;
        }
        store_cell(d, c->sub, vb);
    }
    /* An answer with no varbinds cannot make progress. */
    if (k == 0)
        for (size_t i = 0; i < w->na; i++)
            w->cols[w->active[i]].done = 1;
    return 0;
}

/* Walk every column at once: one varbind per unfinished column in each
 * GETNEXT (v1) or GETBULK (v2c/v3) request, the classic column-parallel
 * table walk.  A column ends when the agent leaves it, answers
 * endOfMibView, or (v1) noSuchName for it.  0, or -1 with f->msg. */
static int walk_table(void *ss, const struct opts *o, struct devlist *l, struct snmp_fail *f)
{
    struct walk w;

    walk_init(&w, o->version);
    for (;;) {
        netsnmp_pdu *pdu, *resp;
        int done, rc;

        pdu = walk_pdu(&w, o->version, &done, f);
        if (!pdu)
            return done ? 0 : -1;
        if (snmp_exchange(ss, pdu, &resp, f) < 0)
            return -1;
        if (resp->errstat == SNMP_ERR_NOSUCHNAME && o->version == SNMP_VERSION_1 &&
            resp->errindex >= 1 && (size_t)resp->errindex <= w.na) {
            /* v1 end of the MIB view for that varbind: drop the column
             * and ask again for the others. */
            w.cols[w.active[resp->errindex - 1]].done = 1;
            snmp_free_pdu(resp);
            continue;
        }
        if (resp->errstat == SNMP_ERR_TOOBIG && o->version != SNMP_VERSION_1 &&
            w.budget / (long)w.na > 1) {
            w.budget /= 2;
            snmp_free_pdu(resp);
            continue;
        }
        if (resp->errstat != SNMP_ERR_NOERROR) {
            snprintf(f->msg, sizeof f->msg, "the agent answered %s",
                     snmp_errstring((int)resp->errstat));
            snmp_free_pdu(resp);
            return -1;
        }
        rc = walk_absorb(&w, resp, l, f);
        snmp_free_pdu(resp);
        if (rc < 0)
            return -1;
    }
}

/* After an empty walk: does the agent serve our MIB at all?  1 if it
 * answers hdrmDeviceCount.0, 0 if not, -1 with f->msg on failure. */
static int probe_mib(void *ss, struct snmp_fail *f)
{
    static const oid count_oid[] = { HDRM_OID_hdrmDeviceCount, 0 };
    netsnmp_pdu *pdu, *resp;
    int served;

    pdu = snmp_pdu_create(SNMP_MSG_GET);
    if (!pdu || !snmp_add_null_var(pdu, count_oid, HR_ARRAY_LEN(count_oid))) {
        snmp_free_pdu(pdu);
        snprintf(f->msg, sizeof f->msg, "out of memory");
        return -1;
    }
    if (snmp_exchange(ss, pdu, &resp, f) < 0)
        return -1;
    served = resp->errstat == SNMP_ERR_NOERROR && resp->variables &&
             resp->variables->type == ASN_GAUGE;
    snmp_free_pdu(resp);
    return served;
}

/* ---- evaluation and output ------------------------------------------------ */

/* A performance data label: the device name reduced to [A-Za-z0-9_.-]
 * (so no quote, '=', blank or control character can reach the NMS's
 * parser), or dev<index>; a name used twice gets its index appended. */
static void make_labels(struct devlist *l, const struct metric *m)
{
    for (size_t i = 0; i < l->n; i++) {
        struct dev *d = &l->v[i];
        size_t o = 0;

        for (const char *p = d->name; *p && o < 63; p++) {
            unsigned char ch = (unsigned char)*p;
            d->label[o++] = (ch < 0x80 && (ch == '_' || ch == '.' || ch == '-' ||
                             (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')))
                            ? (char)ch : '_';
        }
        d->label[o] = '\0';
        if (o == 0)
            snprintf(d->label, sizeof d->label, "dev%" PRIu32, d->index);
    }
    /* Two devices may reduce to one label: both get their index. */
    for (size_t i = 0; i < l->n; i++) {
        int dup = 0;
        for (size_t j = 0; j < l->n && !dup; j++)
            dup = j != i && strncmp(l->v[j].label, l->v[i].label, 63) == 0;
        l->v[i].dup = dup;
    }
    for (size_t i = 0; i < l->n; i++) {
        struct dev *d = &l->v[i];
        char base[64];

        hr_strlcpy(base, d->label, sizeof base);
        if (d->dup)
            snprintf(d->label, sizeof d->label, "%s_%" PRIu32 "_%s", base, d->index, m->suffix);
        else
            snprintf(d->label, sizeof d->label, "%s_%s", base, m->suffix);
    }
}

static double metric_value(const struct dev *d, const struct metric *m)
{
    switch (m->id) {
    case M_USED_PCT: return d->used_pct;
    /* exact up to 2^53 bytes (8 PiB); beyond, the nearest double */
    case M_USED_BYTES: return (double)d->used;
    case M_PEAK: return d->peak;
    case M_PEAK_PREV: return d->peak_prev;
    case M_RATE_AVG: return d->rate_avg;
    }
    return 0;
}

static void human_bytes(char *buf, size_t sz, uint64_t b)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double v = (double)b;
    size_t u = 0;

    while (v >= 1024 && u + 1 < HR_ARRAY_LEN(units)) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, sz, "%" PRIu64 " B", b);
    else
        snprintf(buf, sz, "%.1f %s", v, units[u]);
}

/* "72% used", "1.2 TiB used", "peak 1234 writes/60s today" ... */
static void value_text(char *buf, size_t sz, const struct dev *d, const struct metric *m)
{
    char win[32], hb[32];

    if (d->have & HAVE_WINDOW)
        snprintf(win, sizeof win, "%" PRIu32 "s", d->window);
    else
        snprintf(win, sizeof win, "window");
    if (!d->known) {
        snprintf(buf, sz, "%s unknown", m->id == M_USED_PCT || m->id == M_USED_BYTES
                 ? "usage" : m->name);
        return;
    }
    switch (m->id) {
    case M_USED_PCT: snprintf(buf, sz, "%d%% used", d->used_pct); break;
    case M_USED_BYTES: human_bytes(hb, sizeof hb, d->used); snprintf(buf, sz, "%s used", hb); break;
    case M_PEAK:
        if (d->measured_s)
            snprintf(buf, sz, "load %" PRIu32 " writes/%s (measured over %us)", d->peak, win,
                     d->measured_s);
        else
            snprintf(buf, sz, "peak %" PRIu32 " writes/%s today", d->peak, win);
        break;
    case M_PEAK_PREV: snprintf(buf, sz, "peak %" PRIu32 " writes/%s yesterday", d->peak_prev, win); break;
    case M_RATE_AVG:
        if (d->measured_s)
            snprintf(buf, sz, "load %" PRIu32 " writes/%s (measured over %us)", d->rate_avg,
                     win, d->measured_s);
        else
            snprintf(buf, sz, "average %" PRIu32 " writes/%s today", d->rate_avg, win);
        break;
    }
}

/* A number for performance data: integers as such, no exponent. */
static void perf_num(FILE *f, double v)
{
    if (v == floor(v) && fabs(v) < 1e18)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.6g", v);
}

static void print_perf(FILE *f, const struct dev *d, const struct opts *o)
{
    const struct metric *m = o->metric;

    /* Labels hold no quote (make_labels), so quoting needs no escape. */
    fprintf(f, " '%s'=", d->label);
    if (d->known) {
        perf_num(f, d->value);
        fputs(m->uom, f);
    } else {
        fputs("U", f);
    }
    fprintf(f, ";%s;%s;0", o->warn.set ? o->warn.text : "", o->crit.set ? o->crit.text : "");
    if (m->id == M_USED_PCT)
        fputs(";100", f);
    else if (m->id == M_USED_BYTES && (d->have & HAVE_CAP))
        fprintf(f, ";%" PRIu64, d->capacity);
}

static void print_device_line(FILE *f, const struct dev *d, const struct opts *o)
{
    char vt[128], cap[32], used[32];

    value_text(vt, sizeof vt, d, o->metric);
    fprintf(f, "[%s] %s (index %" PRIu32, d->known ? state_names[d->state] : "UNKNOWN",
            d->have & HAVE_NAME && d->name[0] ? d->name : "unnamed", d->index);
    if (d->serial[0])
        fprintf(f, ", serial %s", d->serial);
    fprintf(f, "): %s", vt);
    if (o->verbose) {
        /* The used space and its percentage are of the file systems
         * mounted from the device, the capacity is the whole disk's: say
         * which is which, never "X of Y used". */
        if (d->have & HAVE_USED) {
            human_bytes(used, sizeof used, d->used);
            fprintf(f, "; mounted file systems: %s used", used);
            if (d->have & HAVE_PCT && d->used_pct >= 0)
                fprintf(f, " (%d%% of their size)", d->used_pct);
        } else if (d->have & HAVE_CAP) {
            fprintf(f, "; nothing mounted");
        }
        if (d->have & HAVE_CAP) {
            human_bytes(cap, sizeof cap, d->capacity);
            fprintf(f, "; whole disk: %s", cap);
        }
        if (d->model[0])
            fprintf(f, "; model %s", d->model);
        if (d->firmware[0])
            fprintf(f, "; firmware %s", d->firmware);
        if ((d->have & HAVE_PEAK) && d->measured_s)
            fprintf(f, "; load %" PRIu32 " writes per %" PRIu32 "s, measured over %us",
                    d->peak, d->window, d->measured_s);
        else if (d->have & HAVE_PEAK)
            fprintf(f, "; peak %" PRIu32 " (yesterday %" PRIu32 ", average %" PRIu32
                    ") writes per %" PRIu32 "s", d->peak, d->peak_prev, d->rate_avg, d->window);
        if (d->bad)
            fprintf(f, "; %u cell(s) with a wrong type or value ignored", d->bad);
    }
    fputc('\n', f);
}

static int select_devices(struct devlist *l, const struct opts *o)
{
    int n = 0;

    for (size_t i = 0; i < l->n; i++) {
        struct dev *d = &l->v[i];
        d->selected = o->serial ? strcmp(d->serial, o->serial) == 0
                    : o->index >= 0 ? d->index == (uint32_t)o->index : 1;
        n += d->selected;
    }
    return n;
}

/* The device as the status line names it: its name, else dev<index>. */
static const char *dev_title(const struct dev *d, char *buf, size_t sz)
{
    if (d->name[0])
        return d->name;
    snprintf(buf, sz, "dev%" PRIu32, d->index);
    return buf;
}

/* Why a value is missing, in the metric's words. */
static const char *unknown_what(const struct metric *m)
{
    return m->id == M_USED_PCT || m->id == M_USED_BYTES ? "usage" : m->name;
}

static const char *unknown_why(const struct metric *m)
{
    return m->id == M_USED_PCT || m->id == M_USED_BYTES
           ? "nothing mounted" : "not served by the agent";
}

/* Evaluate, print, and return the plugin's state. */
static int report(struct devlist *l, const struct opts *o, int nsel)
{
    const struct metric *m = o->metric;
    const struct dev *worst = NULL, *last = NULL;
    int state = ST_OK, ncrit = 0, nwarn = 0, nunk = 0;
    char vt[128], title[32];

    make_labels(l, m);
    for (size_t i = 0; i < l->n; i++) {
        struct dev *d = &l->v[i];
        if (!d->selected)
            continue;
        last = d;
        d->known = (d->have & m->need) != 0;
        if (!d->known) {
            nunk++;
            continue;
        }
        d->value = metric_value(d, m);
        d->state = range_state(&o->warn, &o->crit, d->value);
        ncrit += d->state == ST_CRITICAL;
        nwarn += d->state == ST_WARNING;
        if (!worst || d->state > worst->state ||
            (d->state == worst->state && d->value > worst->value))
            worst = d;
    }
    if (!worst && nsel == 1) {
        state = ST_UNKNOWN;
        printf(SERVICE " UNKNOWN - %s%s%s%s %s unknown (%s)", dev_title(last, title, sizeof title),
               last->serial[0] ? " (serial " : "", last->serial, last->serial[0] ? ")" : "",
               unknown_what(m), unknown_why(m));
    } else if (!worst) {
        state = ST_UNKNOWN;
        printf(SERVICE " UNKNOWN - %d devices, %s unknown for all (%s)", nsel,
               unknown_what(m), unknown_why(m));
    } else {
        state = worst->state;
        value_text(vt, sizeof vt, worst, m);
        if (nsel == 1)
            printf(SERVICE " %s - %s%s%s%s %s", state_names[state],
                   dev_title(worst, title, sizeof title),
                   worst->serial[0] ? " (serial " : "", worst->serial,
                   worst->serial[0] ? ")" : "", vt);
        else
            printf(SERVICE " %s - %d devices, worst %s %s", state_names[state], nsel,
                   dev_title(worst, title, sizeof title), vt);
        if (ncrit && nsel > 1)
            printf(", %d critical", ncrit);
        if (nwarn && nsel > 1)
            printf(", %d warning", nwarn);
        if (nunk && nsel > 1)
            printf(", %d %s unknown", nunk, unknown_what(m));
    }
    printf(" |");
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].selected)
            print_perf(stdout, &l->v[i], o);
    putchar('\n');
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].selected)
            print_device_line(stdout, &l->v[i], o);
    return state;
}

static int cmp_dev(const void *a, const void *b)
{
    const struct dev *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* ---- devices read through a profile --------------------------------------
 * One device per agent (docs/profiles.md): capacity and used are the sums
 * over its data volumes; percent is used over capacity. */

static double mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The load of a device a profile reads: a plug-in keeps no history, so
 * its write counters are read a second time --load-interval seconds after
 * the first reading (PD), and the writes between them, with the poller's
 * rule (a Counter32 that went back wrapped; a restart or a Counter64 that
 * went back is unknown), scaled to 60 s become peak and rate-avg. */
static int profile_load(void *ss, const struct opts *o, const struct hr_profile_set *set,
                        const struct hr_prof_device *pd, struct dev *d, struct snmp_fail *f)
{
    struct hr_prof_device again;
    struct timespec ts = { (time_t)o->load_interval, 0 };
    double t0 = mono_now(), el;
    uint64_t delta;
    int restarted;

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    if (hr_prof_read_sync(ss, set, pd->profile->name, &again, f->msg, sizeof f->msg) < 0)
        return -1;
    el = mono_now() - t0;
    restarted = pd->sysuptime_known && again.sysuptime_known &&
                again.sysuptime < pd->sysuptime;
    if (again.nctrs > 0 && el > 0 &&
        hr_prof_counters_delta(pd->ctrs, pd->nctrs, again.ctrs, again.nctrs, restarted,
                               &delta) == 0) {
        double rate = (double)delta * 60.0 / el;
        d->peak = d->rate_avg = rate >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)(rate + 0.5);
        d->window = 60;
        d->measured_s = o->load_interval;
        d->have |= HAVE_PEAK | HAVE_RATE | HAVE_WINDOW;
    }
    hr_prof_device_free(&again);
    return 0;
}

static int profile_device(void *ss, const struct opts *o, struct devlist *l, struct snmp_fail *f)
{
    const char *dirs = o->profile_dirs ? o->profile_dirs : getenv("HEADROOM_PROFILE_DIRS");
    char *errs = NULL;
    size_t hint = 0;
    struct hr_profile_set *set;
    struct hr_prof_device pd;
    struct dev *d;
    int rc = -1;

    if (!dirs || !*dirs)
        dirs = HEADROOM_DATADIR "/headroom/profiles:" HEADROOM_SYSCONFDIR "/headroom/profiles";
    if (!(set = hr_profile_set_load_path(dirs, &errs))) {
        size_t n = errs ? strcspn(errs, "\n") : 0;
        snprintf(f->msg, sizeof f->msg, "device profiles: %.*s", (int)n, errs ? errs : "out of memory");
        free(errs);
        return -1;
    }
    if (hr_prof_read_sync(ss, set, strcmp(o->profile, "auto") ? o->profile : NULL, &pd, f->msg,
                          sizeof f->msg) < 0)
        goto out;
    if (!(d = devlist_get(l, 1, &hint))) {
        snprintf(f->msg, sizeof f->msg, "out of memory");
        goto out_dev;
    }
    text_clean(d->name, sizeof d->name, pd.field[HR_PF_MODEL][0] ? pd.field[HR_PF_MODEL]
               : pd.profile->name, strlen(pd.field[HR_PF_MODEL][0] ? pd.field[HR_PF_MODEL]
               : pd.profile->name));
    d->have |= HAVE_NAME;
    if (pd.field[HR_PF_SERIAL][0]) {
        text_clean(d->serial, sizeof d->serial, pd.field[HR_PF_SERIAL], strlen(pd.field[HR_PF_SERIAL]));
        d->have |= HAVE_SERIAL;
    }
    if (pd.field[HR_PF_MODEL][0]) {
        text_clean(d->model, sizeof d->model, pd.field[HR_PF_MODEL], strlen(pd.field[HR_PF_MODEL]));
        d->have |= HAVE_MODEL;
    }
    if (pd.field[HR_PF_FIRMWARE][0]) {
        text_clean(d->firmware, sizeof d->firmware, pd.field[HR_PF_FIRMWARE],
                   strlen(pd.field[HR_PF_FIRMWARE]));
        d->have |= HAVE_FW;
    }
    if (pd.counted && pd.capacity > 0) {
        d->capacity = pd.capacity;
        d->used = pd.used;
        d->used_pct = (int)((pd.used * 100.0) / (double)pd.capacity + 0.5);
        d->have |= HAVE_CAP | HAVE_CAPB | HAVE_USED | HAVE_USEDB | HAVE_PCT;
    }
    if ((o->metric->id == M_PEAK || o->metric->id == M_RATE_AVG) && pd.writes_from &&
        pd.nctrs > 0 && profile_load(ss, o, set, &pd, d, f) < 0)
        goto out_dev;
    rc = 0;
out_dev:
    hr_prof_device_free(&pd);
out:
    hr_profile_set_free(set);
    return rc;
}

/* The check, after the arguments are parsed. */
static int run(const struct opts *o)
{
    char where[512];
    struct snmp_fail f = { "" };
    struct devlist l = { NULL, 0, 0 };
    void *ss;
    int state, nsel;

    {
        char tmp[512];
        snprintf(tmp, sizeof tmp, strchr(o->host, ':') ? "[%s]:%u" : "%s:%u", o->host, o->port);
        text_clean(where, sizeof where, tmp, strlen(tmp));
    }
    arm_timeout(o, where);
    hr_snmp_setup(PROGNAME, o->verbose >= 3 ? HR_SNMP_LOG_ALL : 0);
    ss = snmp_open_session(o, &f);
    if (!ss) {
        char clean[300];
        text_clean(clean, sizeof clean, f.msg, strlen(f.msg));
        printf(SERVICE " UNKNOWN - %s: %s\n", where, clean);
        return ST_UNKNOWN;
    }
    /* A profile other than ours: straight to it. */
    if (o->profile && strcmp(o->profile, "auto") && strcmp(o->profile, "headroom")) {
        if (profile_device(ss, o, &l, &f) < 0) {
            char clean[300];
            text_clean(clean, sizeof clean, f.msg, strlen(f.msg));
            printf(SERVICE " UNKNOWN - %s: %s\n", where, clean);
            state = ST_UNKNOWN;
            goto out_close;
        }
    } else if (walk_table(ss, o, &l, &f) < 0) {
        char clean[300];
        text_clean(clean, sizeof clean, f.msg, strlen(f.msg));
        printf(SERVICE " UNKNOWN - %s: %s\n", where, clean);
        state = ST_UNKNOWN;
        goto out_close;
    }
    if (l.n == 0 && o->profile && !strcmp(o->profile, "auto") && probe_mib(ss, &f) == 0 &&
        profile_device(ss, o, &l, &f) < 0) {
        char clean[300];
        text_clean(clean, sizeof clean, f.msg, strlen(f.msg));
        printf(SERVICE " UNKNOWN - %s: %s\n", where, clean);
        state = ST_UNKNOWN;
        goto out_close;
    }
    if (l.n == 0) {
        int served = probe_mib(ss, &f);
        if (served < 0)
            printf(SERVICE " UNKNOWN - %s: %s\n", where, f.msg);
        else if (served)
            printf(SERVICE " UNKNOWN - %s serves HEADROOM-STORAGE-MIB but no device\n", where);
        else
            printf(SERVICE " UNKNOWN - %s does not serve HEADROOM-STORAGE-MIB "
                   "(no hdrmDeviceTable under enterprises.%d)\n", where, HDRM_ENTERPRISE);
        state = ST_UNKNOWN;
        goto out_close;
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_dev);
    nsel = select_devices(&l, o);
    if (nsel == 0) {
        char want[300];
        if (o->serial)
            text_clean(want, sizeof want, o->serial, strlen(o->serial));
        if (o->serial)
            printf(SERVICE " UNKNOWN - no device with serial '%s' among %zu on %s\n",
                   want, l.n, where);
        else
            printf(SERVICE " UNKNOWN - no device with index %" PRId64 " among %zu on %s\n",
                   o->index, l.n, where);
        state = ST_UNKNOWN;
        goto out_close;
    }
    state = report(&l, o, nsel);
out_close:
    alarm(0);
    snmp_sess_close(ss);
    free(l.v);
    return state;
}

#ifndef CHECK_HEADROOM_NO_MAIN
int main(int argc, char **argv)
{
    struct opts o;

    /* Usage errors are UNKNOWN (3), as the guidelines ask, never 1 or 2. */
    parse_args(argc, argv, &o);
    return run(&o);
}
#endif
