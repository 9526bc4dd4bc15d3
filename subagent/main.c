/* main.c: headroomd, the AgentX subagent serving HEADROOM-STORAGE-MIB from
 * this host's disks.  Options, configuration, logging, privileges, the
 * net-snmp main loop and signals; the MIB itself is in agent.c. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/fd_event_manager.h>

#include "agent.h"
#include "config.h"
#include "hr_util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG HEADROOM_SYSCONFDIR "/headroom/headroomd.conf"

enum { EXIT_CONFIG = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

struct opts {
    int foreground;
    const char *agentx;
    const char *config;
    int no_default_config;
    char log_kind;           /* 'e' stderr, 's' syslog, 'f' file, 0 default */
    const char *log_file;
    const char *root;
    const char *user;
    const char *state_dir;
    const char *debug_tokens;
    int check_only;
    int verbose;
};

static volatile sig_atomic_t stop_signal;
static int sig_pipe[2] = { -1, -1 };

static void usage(FILE *f)
{
    fprintf(f,
"Usage: headroomd [OPTIONS]\n"
"AgentX subagent serving HEADROOM-STORAGE-MIB from this host's disks.\n"
"\n"
"  -f, --foreground        do not fork; log to stderr unless -L says otherwise\n"
"  -x, --agentx SOCKET     the master agent's AgentX address (default: net-snmp's,\n"
"                          /var/agentx/master; or 'agentx-socket' in the config)\n"
"  -c, --config FILE       configuration file (default " DEFAULT_CONFIG ")\n"
"  -C, --no-default-config read no configuration file unless -c is given, and\n"
"                          none of net-snmp's own configuration files\n"
"  -n, --check-config      check the configuration, print errors, and exit\n"
"  -L, --log WHERE         e: stderr, s: syslog (daemon facility), f FILE: append\n"
"                          to FILE (-Lf FILE or -L f FILE); default: stderr with\n"
"                          -f, else syslog\n"
"  -v, --verbose           log debug messages too\n"
"  -D, --debug TOKENS      net-snmp debug tokens (e.g. agentx)\n"
"      --root DIR          read sys/, proc/ and run/udev/ under DIR instead of /\n"
"                          (tests); mount points are statvfs'ed under DIR too\n"
"      --state-dir DIR     where the state file lives (default\n"
"                          " HDRM_DEFAULT_STATE_DIR ", or 'state-dir')\n"
"  -u, --user USER         switch to USER after start-up (or 'user' in the config)\n"
"  -h, --help              this help\n"
"  -V, --version           print the version\n"
"\n"
"Exit status: 0 stopped by SIGTERM/SIGINT or --help/--version, 1 bad\n"
"configuration, 2 bad command line, 3 start-up failure.\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    enum { OPT_ROOT = 256, OPT_STATE };
    static const struct option lo[] = {
        { "foreground", no_argument, NULL, 'f' },
        { "agentx", required_argument, NULL, 'x' },
        { "config", required_argument, NULL, 'c' },
        { "no-default-config", no_argument, NULL, 'C' },
        { "check-config", no_argument, NULL, 'n' },
        { "log", required_argument, NULL, 'L' },
        { "verbose", no_argument, NULL, 'v' },
        { "debug", required_argument, NULL, 'D' },
        { "root", required_argument, NULL, OPT_ROOT },
        { "state-dir", required_argument, NULL, OPT_STATE },
        { "user", required_argument, NULL, 'u' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "fx:c:CnL:vD:u:hV", lo, NULL)) != -1) {
        switch (c) {
        case 'f': o->foreground = 1; break;
        case 'x': o->agentx = optarg; break;
        case 'c': o->config = optarg; break;
        case 'C': o->no_default_config = 1; break;
        case 'n': o->check_only = 1; break;
        case 'v': o->verbose = 1; break;
        case 'D': o->debug_tokens = optarg; break;
        case 'u': o->user = optarg; break;
        case OPT_ROOT: o->root = optarg; break;
        case OPT_STATE: o->state_dir = optarg; break;
        case 'L':
            if (strcmp(optarg, "e") == 0 || strcmp(optarg, "s") == 0) {
                o->log_kind = optarg[0];
            } else if (optarg[0] == 'f') {
                /* -Lf FILE (net-snmp style) or -L f FILE */
                o->log_kind = 'f';
                if (optarg[1])
                    o->log_file = optarg + 1;
                else if (optind < argc)
                    o->log_file = argv[optind++];
                else {
                    fprintf(stderr, "headroomd: -Lf needs a file name\n");
                    return -1;
                }
            } else {
                fprintf(stderr, "headroomd: -L %s: use e, s or f FILE\n", optarg);
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("headroomd %s\n", HEADROOM_VERSION); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "headroomd: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

static void on_signal(int sig)
{
    int e = errno;

    stop_signal = sig;
    if (sig_pipe[1] >= 0 && write(sig_pipe[1], "x", 1) < 0) {
        /* the flag alone still stops us at the next wake-up */
    }
    errno = e;
}

static void on_pipe(int fd, void *arg)
{
    char buf[16];

    (void)arg;
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static int setup_signals(void)
{
    struct sigaction sa;

    if (pipe(sig_pipe) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    /* a master that went away mid-write must not kill us */
    if (sigaction(SIGPIPE, &sa, NULL) < 0)
        return -1;
    /* no reload on SIGHUP (restart to re-read the configuration), but a
     * stray HUP from a closing terminal or logrotate must not kill us */
    if (sigaction(SIGHUP, &sa, NULL) < 0)
        return -1;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
        return -1;
    return 0;
}

static int setup_logging(const struct opts *o)
{
    int level = o->verbose ? LOG_DEBUG : LOG_INFO;
    char kind = o->log_kind ? o->log_kind : (o->foreground ? 'e' : 's');

    snmp_disable_log();
    if (kind == 'f') {
        int fd = open(o->log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
            fprintf(stderr, "headroomd: cannot open log file %s: %s\n", o->log_file, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
        setvbuf(stderr, NULL, _IOLBF, 0);
        kind = 'e';
    }
    if (kind == 's') {
        hr_log_init("headroomd", 1, level);
        snmp_enable_syslog_ident("headroomd", LOG_DAEMON);
    } else {
        hr_log_init("headroomd", 0, level);
        snmp_enable_stderrlog();
    }
    return 0;
}

/* The user to switch to and make the state directory theirs.  The
 * directory is opened without following a symlink and changed through its
 * descriptor, never through the path.  -1 logged. */
static int prepare_user(const char *user, const char *state_dir, struct passwd *out)
{
    struct passwd *pw;
    struct stat st;
    int fd, rc = -1;

    errno = 0;
    pw = getpwnam(user);
    if (!pw) {
        hr_log(LOG_ERR, "user '%s': %s", user, errno ? strerror(errno) : "no such user");
        return -1;
    }
    *out = *pw;
    if (getuid() != 0) {
        if (getuid() == pw->pw_uid)
            return 0;
        hr_log(LOG_ERR, "only root can switch to user '%s'", user);
        return -1;
    }
    fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        hr_log(LOG_ERR, "cannot open state directory %s: %s", state_dir, strerror(errno));
        goto out_close;
    }
    if ((st.st_uid != pw->pw_uid || st.st_gid != pw->pw_gid) &&
        fchown(fd, pw->pw_uid, pw->pw_gid) < 0) {
        hr_log(LOG_ERR, "cannot give %s to %s: %s", state_dir, user, strerror(errno));
        goto out_close;
    }
    rc = 0;
out_close:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Act as the user PW (effective ids only) or, with PW NULL, as root again.
 * Everything that touches the state directory, which belongs to the user,
 * runs so: root never opens, creates or renames a file in a directory
 * another user can write.  0, or -1 logged. */
static int become(const struct passwd *pw)
{
    if (getuid() != 0)
        return 0;
    /* root's own supplementary groups must not open doors either */
    if (pw ? (setgroups(1, &pw->pw_gid) < 0 || setegid(pw->pw_gid) < 0 ||
              seteuid(pw->pw_uid) < 0)
           : (seteuid(0) < 0 || setegid(0) < 0)) {
        hr_log(LOG_ERR, "cannot switch effective user: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int drop_privileges(const struct passwd *pw)
{
    if (getuid() != 0)
        return 0;
    /* No chown of the state file: a file left by a run as root is
     * readable, and the user replaces it by rename in their directory. */
    if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
        setuid(pw->pw_uid) < 0) {
        hr_log(LOG_ERR, "cannot switch to user %s: %s", pw->pw_name, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0) {
        hr_log(LOG_ERR, "could switch back to root after dropping privileges; refusing to run");
        return -1;
    }
    hr_log(LOG_INFO, "running as user %s", pw->pw_name);
    return 0;
}

static void setup_snmp(const struct opts *o, const struct hdrm_config *cfg, const char *state_dir)
{
    const char *sock = o->agentx ? o->agentx : cfg->agentx_socket;

    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    if (sock)
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, sock);
    /* no net-snmp persistent files of ours outside the state directory */
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, state_dir);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    if (o->no_default_config)
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    /* a subagent needs no MIB files: OIDs are compiled in */
    setenv("MIBS", "", 1);
    if (o->debug_tokens) {
        debug_register_tokens(o->debug_tokens);
        snmp_set_do_debugging(1);
    }
}

static int load_config(const struct opts *o, struct hdrm_config *cfg)
{
    const char *path = o->config;
    char *errs = NULL;
    struct stat st;

    /* the default file is optional; a file named with -c is not */
    if (!path && !o->no_default_config && stat(DEFAULT_CONFIG, &st) == 0)
        path = DEFAULT_CONFIG;
    if (hdrm_config_load(cfg, path, &errs) < 0) {
        fprintf(stderr, "%s", errs ? errs : "headroomd: out of memory\n");
        if (!o->check_only)
            fprintf(stderr, "headroomd: not started: fix %s\n", path ? path : "the configuration");
        free(errs);
        return -1;
    }
    return 0;
}

static int run(const struct opts *o, struct hdrm_config *cfg)
{
    char state_file[PATH_MAX];
    const char *state_dir = o->state_dir ? o->state_dir : cfg->state_dir;
    const char *user = o->user ? o->user : cfg->user;
    struct passwd pw = { 0 };

    if (snprintf(state_file, sizeof state_file, "%s/state", state_dir) >= (int)sizeof state_file) {
        hr_log(LOG_ERR, "state directory name too long");
        return EXIT_RUNTIME;
    }
    if (hr_mkdirs(state_dir, 0755) < 0) {
        hr_log(LOG_ERR, "cannot create state directory %s: %s", state_dir, strerror(errno));
        return EXIT_RUNTIME;
    }
    if (user && prepare_user(user, state_dir, &pw) < 0)
        return EXIT_RUNTIME;
    if (!user && getuid() == 0)
        hr_log(LOG_NOTICE, "running as root; consider -u (e.g. -u Debian-snmp), see headroomd(8)");
    if (!o->foreground && daemon(0, o->log_kind == 'f' || o->log_kind == 'e') < 0) {
        hr_log(LOG_ERR, "cannot become a daemon: %s", strerror(errno));
        return EXIT_RUNTIME;
    }
    if (setup_signals() < 0) {
        hr_log(LOG_ERR, "cannot set up signals: %s", strerror(errno));
        return EXIT_RUNTIME;
    }
    setup_snmp(o, cfg, state_dir);
    if (init_agent("headroomd") != 0) {
        hr_log(LOG_ERR, "cannot initialise the net-snmp agent library");
        return EXIT_RUNTIME;
    }
    /* ping the master every N s and reconnect when it went away (snmpd
     * restarted): the subagent re-registers by itself.  Set after
     * init_agent(), which installs net-snmp's default of 15 s. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       (int)cfg->ping_interval);
    /* From here on as the user already (effective ids): the first load
     * and save of the state file, and init_snmp(), which reads config
     * files from the persistent directory (the state directory, the
     * user's) and connects to the master, as the user will from now on. */
    if (user && become(&pw) < 0)
        return EXIT_RUNTIME;
    if (hdrm_agent_start(cfg, o->root ? o->root : "/", state_file) < 0)
        return EXIT_RUNTIME;
    init_snmp("headroomd");
    if (register_readfd(sig_pipe[0], on_pipe, NULL) != FD_REGISTERED_OK)
        hr_log(LOG_WARNING, "cannot watch the signal pipe; SIGTERM may take a window to act");
    /* root again only to drop root for good (setuid needs euid 0) */
    if (user && (become(NULL) < 0 || drop_privileges(&pw) < 0)) {
        snmp_shutdown("headroomd");
        return EXIT_RUNTIME;
    }
    hr_log(LOG_INFO, "headroomd %s started", HEADROOM_VERSION);
    while (!stop_signal)
        agent_check_and_process(1);
    hr_log(LOG_INFO, "signal %d: saving state and stopping", (int)stop_signal);
    int rc = hdrm_agent_save() < 0 ? EXIT_RUNTIME : 0;
    /* Close the AgentX session (the master unregisters our subtrees) but
     * skip snmp_shutdown(): in net-snmp 5.9.3 the subagent's own shutdown
     * callback unregisters itself while the callback lock is held, which
     * stalls and logs a failed assertion on every stop. */
    snmp_close_sessions();
    hdrm_agent_stop();
    return rc;
}

int main(int argc, char **argv)
{
    struct opts o = { 0 };
    struct hdrm_config cfg;
    int rc;

    if (parse_args(argc, argv, &o) < 0)
        return EXIT_USAGE;
    hr_log_init("headroomd", 0, LOG_INFO);
    if (load_config(&o, &cfg) < 0)
        return EXIT_CONFIG;
    if (o.check_only) {
        printf("configuration OK\n");
        hdrm_config_free(&cfg);
        return 0;
    }
    if (setup_logging(&o) < 0) {
        hdrm_config_free(&cfg);
        return EXIT_RUNTIME;
    }
    rc = run(&o, &cfg);
    hdrm_config_free(&cfg);
    return rc;
}
