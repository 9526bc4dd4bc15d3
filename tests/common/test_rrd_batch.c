/* test_rrd_batch.c: the RRD writer through a real rrdcached, which it
 * feeds in BATCH commands (common/hr_rrdc.c, common/hr_rrd.c).  rrdcached
 * runs private to the test: a unix socket in a temporary directory, or TCP
 * on a free port of 127.0.0.1.  Checked: files created on first sight and
 * the update sent again, updates read back from the files after a flush,
 * updates not newer counted as skipped, a batch larger than one send,
 * a directory whose name needs escaping, a file rrdcached cannot update,
 * rrdcached restarted between two syncs (sent again at once on a new
 * connection), rrdcached gone (not sent, counted, logged once), a socket
 * that refuses BATCH (-P: one update at a time), TCP with a relative
 * directory, and the address forms.  rrdcached allows only the commands
 * headroom needs: UPDATE, CREATE, FLUSH and BATCH.  The .c is included to reach
 * the address parser. */
#include "../tap.h"
#include "../../common/hr_rrdc.c"
#include "hr_rrd.h"
#include "hr_util.h"
#include "log.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T0 1795305600  /* 2026-11-22 00:00 UTC, on the 300 s step */

static char tmp[256];
static pid_t rrdc_pid = -1;
static char errs[8][512];
static int nerrs;

static void on_err(void *ctx, const char *msg)
{
    (void)ctx;
    if (nerrs < 8)
        snprintf(errs[nerrs], sizeof errs[nerrs], "%s", msg);
    nerrs++;
}

static int can_connect(const char *addr)
{
    char err[256];
    struct hr_rrdc *c = hr_rrdc_open(addr, 2, err, sizeof err);

    hr_rrdc_close(c);
    return c != NULL;
}

/* rrdcached listening on LISTEN (its -l), files relative to BASE; waits
 * until ADDR answers.  -w 3600: nothing reaches a file before a flush. */
static int rrdcached_start_p(const char *perms, const char *listen, const char *base,
                             const char *addr)
{
    char pidf[300], jdir[300];

    snprintf(pidf, sizeof pidf, "%s/rrdcached.pid", tmp);
    snprintf(jdir, sizeof jdir, "%s/journal", tmp);
    mkdir(jdir, 0700);
    rrdc_pid = fork();
    if (rrdc_pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        /* -P applies to the -l after it */
        execlp("rrdcached", "rrdcached", "-g", "-P", perms, "-l", listen, "-b", base,
               "-p", pidf, "-j", jdir, "-w", "3600", "-f", "7200", "-F", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        if (can_connect(addr))
            return 0;
        usleep(50000);
    }
    return -1;
}

static int rrdcached_start(const char *listen, const char *base, const char *addr)
{
    /* all the writer and the readers need */
    return rrdcached_start_p("UPDATE,CREATE,FLUSH,BATCH", listen, base, addr);
}

static void rrdcached_kill(void)
{
    if (rrdc_pid > 0) {
        kill(rrdc_pid, SIGKILL);
        waitpid(rrdc_pid, NULL, 0);
    }
    rrdc_pid = -1;
}

static void cleanup(void)
{
    rrdcached_kill();
    if (tmp[0])
        hr_rmtree(tmp);
}

static struct hr_rrd_sample sample(int64_t t, uint64_t used)
{
    return (struct hr_rrd_sample){ .time = t, .capacity = 1000000, .used = used,
                                   .writes = 0, .known = 1u << HR_RRD_DS_CAPACITY |
                                                         1u << HR_RRD_DS_USED };
}

/* The 'used' value stored for the step ending at T in DIR/FILE, read from
 * the file itself (after a flush through ADDR). */
static double used_at(const char *dir, const char *file, const char *addr, int64_t t)
{
    char path[512], err[256];
    struct hr_rrd_series s;
    double v = NAN;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (hr_rrd_fetch(path, addr, "AVERAGE", (time_t)(t - 600), (time_t)t, 300, &s,
                     err, sizeof err) < 0) {
        printf("# fetch %s: %s\n", path, err);
        return NAN;
    }
    for (unsigned long r = 0; r < s.nrows; r++)
        if (s.start + (time_t)(r * s.step) == t)
            v = s.data[r * s.nds + HR_RRD_DS_USED];
    hr_rrd_series_free(&s);
    return v;
}

static void check_addresses(void)
{
    char host[256];
    const char *port;

    TAP_OK(split_host("rrd.example", host, sizeof host, &port) == 0 &&
           !strcmp(host, "rrd.example") && !strcmp(port, HR_RRDC_PORT), "host alone: default port");
    TAP_OK(split_host("127.0.0.1:4242", host, sizeof host, &port) == 0 &&
           !strcmp(host, "127.0.0.1") && !strcmp(port, "4242"), "host:port");
    TAP_OK(split_host("[::1]:4242", host, sizeof host, &port) == 0 &&
           !strcmp(host, "::1") && !strcmp(port, "4242"), "[v6]:port");
    TAP_OK(split_host("::1", host, sizeof host, &port) == 0 &&
           !strcmp(host, "::1") && !strcmp(port, HR_RRDC_PORT), "bare IPv6: default port");
    TAP_OK(split_host("[::1", host, sizeof host, &port) < 0 &&
           split_host("[::1]x", host, sizeof host, &port) < 0 &&
           split_host(":42", host, sizeof host, &port) < 0, "malformed addresses refused");
    TAP_OK(hr_rrdc_is_local("unix:/x") && hr_rrdc_is_local("/x") && !hr_rrdc_is_local("h:1"),
           "local and TCP addresses told apart");
}

static void count_err(void *ctx, size_t idx, const char *msg)
{
    (void)msg;
    *(size_t *)ctx += idx + 1;
}

/* Answers rrdcached never gives, from a socketpair peer: each a clear
 * error, never a read past the batch. */
static void check_malformed(void)
{
    static const struct {
        const char *answer, *want, *what;
    } cases[] = {
        { "0 Go ahead\n2 errors\n1 a\n2 b\n", NULL, "two errors read (sum of numbers 3)" },
        { "garbage\n", "answered \"garbage\"", "a status that is no number" },
        { "-1 Permission denied.\n", "BATCH refused: Permission denied.", "BATCH refused" },
        { "0 Go ahead\n3 errors\n", "to a batch of 2", "more errors than commands" },
        { "0 Go ahead\n1 errors\n7 x\n", "command 7 of a batch of 2", "an error for a command not sent" },
        { "0 Go ahead\n1 errors\n", "connection closed", "the answer cut short" },
        { "0 Go ahead\n-4 errors\n", "to a batch of 2", "a negative count" },
    };
    const char cmds[] = "UPDATE a 1:1\nUPDATE b 1:1\n";

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hr_rrdc c = { .fd = -1 };
        char err[256] = "";
        size_t sum = 0;
        int sv[2], rc;

        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
            TAP_OK(0, "socketpair");
            return;
        }
        c.fd = sv[0];
        if (write(sv[1], cases[i].answer, strlen(cases[i].answer)) < 0)
            TAP_OK(0, "write");
        shutdown(sv[1], SHUT_WR);
        rc = hr_rrdc_batch(&c, cmds, sizeof cmds - 1, 2, count_err, &sum, err, sizeof err);
        if (!cases[i].want)
            TAP_OK(rc == 0 && sum == 3, "%s", cases[i].what);
        else
            TAP_OK(rc < 0 && strstr(err, cases[i].want), "%s: %s", cases[i].what, err);
        close(sv[0]);
        close(sv[1]);
    }
}

static void check_escape(void)
{
    struct hr_buf b = { 0 };

    hr_rrdc_field(&b, "a b\\c");
    TAP_STR(b.p, " a\\ b\\\\c", "a space and a backslash are escaped");
    hr_buf_free(&b);
}

/* Everything through the unix socket ADDR, files in DIR. */
static void check_unix(const char *addr, const char *dir)
{
    char err[512];
    struct hr_rrd_tally t;
    struct hr_rrd *w = hr_rrd_new(dir, addr, err, sizeof err);
    struct hr_rrd_sample s;
    int rc = 0;

    TAP_OK(w != NULL, "writer through rrdcached (%s)", w ? "connected" : err);
    if (!w)
        return;
    hr_rrd_on_error(w, on_err, NULL);
    s = sample(T0, 100);
    TAP_INT(hr_rrd_update(w, "A.rrd", &s, err, sizeof err), HR_RRD_QUEUED, "update queued");
    hr_rrd_update(w, "B.rrd", &s, err, sizeof err);
    TAP_INT(hr_rrd_update(w, "../x.rrd", &s, err, sizeof err), -1, "a name with a slash refused at once");
    TAP_INT(hr_rrd_sync(w, &t), 0, "first sync");
    TAP_INT(t.updated, 2, "both updates written after their files were created");
    TAP_INT(t.failed + t.skipped + t.down, 0, "nothing failed, skipped or lost");
    TAP_OK(access("A.rrd", F_OK) != 0, "(files are under the directory, not the cwd)");
    for (int i = 1; i <= 3; i++) {
        s = sample(T0 + 300 * i, 100 + (uint64_t)i);
        hr_rrd_update(w, "A.rrd", &s, err, sizeof err);
    }
    s = sample(T0 + 300, 7);   /* B: one step on, then the same time again */
    hr_rrd_update(w, "B.rrd", &s, err, sizeof err);
    hr_rrd_update(w, "B.rrd", &s, err, sizeof err);
    hr_rrd_sync(w, &t);
    TAP_INT(t.updated, 4, "four updates written");
    TAP_INT(t.skipped, 1, "an update not newer than the last is skipped, not an error");
    TAP_INT(nerrs, 0, "no error reported");
    TAP_OK(used_at(dir, "A.rrd", addr, T0 + 900) == 103.0, "A's update read back from the file");
    TAP_OK(used_at(dir, "B.rrd", addr, T0 + 300) == 7.0, "B's update read back from the file");

    /* More than one batch's worth (256 KiB): sent before the sync. */
    for (int i = 4; i < 4 + 4000; i++) {
        s = sample(T0 + 300 * i, (uint64_t)i);
        rc |= hr_rrd_update(w, "A.rrd", &s, err, sizeof err) != HR_RRD_QUEUED;
    }
    TAP_INT(rc, 0, "4000 updates queued");
    hr_rrd_sync(w, &t);
    TAP_INT(t.updated, 4000, "4000 updates written in more than one batch");
    TAP_OK(used_at(dir, "A.rrd", addr, T0 + 300 * 4003) == 4003.0, "the last of them read back");

    /* A file rrdcached cannot update: reported, counted, the rest goes on. */
    {
        char p[512];
        FILE *f;

        snprintf(p, sizeof p, "%s/C.rrd", dir);
        f = fopen(p, "w");
        if (f) {
            fputs("not an RRD file\n", f);
            fclose(f);
        }
    }
    s = sample(T0 + 300 * 5000, 1);
    hr_rrd_update(w, "C.rrd", &s, err, sizeof err);
    hr_rrd_update(w, "B.rrd", &s, err, sizeof err);
    TAP_INT(hr_rrd_sync(w, &t), -1, "sync says a batch had a failure");
    TAP_INT(t.failed, 1, "the damaged file's update failed");
    TAP_INT(t.updated, 1, "the other update of the batch written");
    TAP_INT(nerrs, 1, "one error reported");
    TAP_OK(nerrs > 0 && strstr(errs[0], "/C.rrd: rrdcached: "), "it names the file (%s)", errs[0]);
    hr_rrd_free(w);
}

/* The writer's log (stderr) into PATH, to count its lines: the saved
 * stderr for log_back, or -1 (reported). */
static int log_to(const char *path)
{
    int saved, fd;

    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (saved < 0 || fd < 0 || dup2(fd, 2) < 0) {
        TAP_OK(0, "log to %s", path);
        return -1;
    }
    close(fd);
    return saved;
}

static void log_back(int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

static int count_lines(const char *path, const char *needle)
{
    char line[1024];
    int n = 0;
    FILE *f = fopen(path, "r");

    while (f && fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

/* rrdcached restarted between two syncs, then gone. */
static void check_restart(const char *listen, const char *addr, const char *dir)
{
    char err[512], logf[300];
    int saved;
    struct hr_rrd_tally t;
    struct hr_rrd *w = hr_rrd_new(dir, addr, err, sizeof err);
    struct hr_rrd_sample s;

    if (!w) {
        TAP_OK(0, "writer: %s", err);
        return;
    }
    hr_rrd_on_error(w, on_err, NULL);
    nerrs = 0;
    s = sample(T0 + 300 * 6000, 60);
    hr_rrd_update(w, "R.rrd", &s, err, sizeof err);
    hr_rrd_sync(w, &t);
    TAP_INT(t.updated, 1, "R written");
    rrdcached_kill();
    if (rrdcached_start(listen, tmp, addr) < 0) {
        TAP_OK(0, "rrdcached restarted");
        return;
    }
    s = sample(T0 + 300 * 6001, 61);
    hr_rrd_update(w, "R.rrd", &s, err, sizeof err);
    hr_rrd_sync(w, &t);
    TAP_INT(t.updated, 1, "after a restart the batch goes out again at once on a new connection");
    TAP_OK(used_at(dir, "R.rrd", addr, T0 + 300 * 6001) == 61.0, "and reaches the file");
    rrdcached_kill();
    snprintf(logf, sizeof logf, "%s/log", tmp);
    if ((saved = log_to(logf)) < 0)
        return;
    for (int i = 0; i < 3; i++) {
        s = sample(T0 + 300 * (6002 + i), 62);
        hr_rrd_update(w, "R.rrd", &s, err, sizeof err);
        TAP_INT(hr_rrd_sync(w, &t), -1, "rrdcached gone: sync %d says so", i + 1);
        TAP_INT(t.down, 1, "the update is counted as not sent (sync %d)", i + 1);
    }
    TAP_INT(nerrs, 0, "no error per update while rrdcached is away");
    hr_rrd_free(w);
    log_back(saved);
    TAP_INT(count_lines(logf, "connection lost"), 1, "the loss is logged once in three syncs");
}

/* A socket whose -P list leaves BATCH out: the writer says so once and
 * sends the updates one at a time. */
static void check_nobatch(const char *dir)
{
    char listen[320], err[512], logf[300];
    struct hr_rrd_tally t;
    struct hr_rrd_sample s;
    struct hr_rrd *w;
    int saved;

    snprintf(listen, sizeof listen, "unix:%s/sock-nobatch", tmp);
    if (rrdcached_start_p("UPDATE,CREATE,FLUSH", listen, tmp, listen) < 0) {
        TAP_OK(0, "rrdcached without BATCH started");
        return;
    }
    snprintf(logf, sizeof logf, "%s/log-nobatch", tmp);
    if ((saved = log_to(logf)) < 0)
        return;
    w = hr_rrd_new(dir, listen, err, sizeof err);
    if (w) {
        hr_rrd_on_error(w, on_err, NULL);
        nerrs = 0;
        s = sample(T0, 9);
        hr_rrd_update(w, "N1.rrd", &s, err, sizeof err);
        hr_rrd_update(w, "N2.rrd", &s, err, sizeof err);
        hr_rrd_sync(w, &t);
        TAP_INT(t.updated, 2, "BATCH refused: both updates written one at a time, files created");
        s = sample(T0 + 300, 10);
        hr_rrd_update(w, "N1.rrd", &s, err, sizeof err);
        hr_rrd_update(w, "N1.rrd", &s, err, sizeof err);
        hr_rrd_sync(w, &t);
        TAP_OK(t.updated == 1 && t.skipped == 1 && t.failed + t.down == 0 && nerrs == 0,
               "one at a time: written, and not newer skipped (%lu, %lu, %lu, %lu)",
               t.updated, t.skipped, t.failed, t.down);
        TAP_OK(used_at(dir, "N1.rrd", listen, T0 + 300) == 10.0, "read back from the file");
        /* rrdcached restarted with BATCH allowed: the new connection
         * asks for BATCH again (nothing more is logged either way) */
        rrdcached_kill();
        if (rrdcached_start(listen, tmp, listen) == 0) {
            s = sample(T0 + 600, 11);
            hr_rrd_update(w, "N1.rrd", &s, err, sizeof err);
            hr_rrd_sync(w, &t);
            TAP_OK(t.updated == 1 && t.failed + t.down == 0,
                   "after a restart that allows BATCH, written on the new connection");
        } else {
            TAP_OK(0, "rrdcached restarted with BATCH");
        }
        hr_rrd_free(w);
    }
    log_back(saved);
    TAP_OK(w != NULL, "writer on the restricted socket (%s)", w ? "ok" : err);
    TAP_INT(count_lines(logf, "one at a time"), 1, "the refusal is logged once in two syncs");
    TAP_INT(count_lines(logf, "connection lost"), 0, "and is not taken for a lost connection");
    rrdcached_kill();
}

static void check_tcp(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    char listen[64], addr[64], err[512], abs[300];
    struct hr_rrd_tally t;
    struct hr_rrd_sample s;
    struct hr_rrd *w;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        TAP_SKIP("TCP: no free port on 127.0.0.1");
        if (fd >= 0)
            close(fd);
        return;
    }
    snprintf(addr, sizeof addr, "127.0.0.1:%u", ntohs(sa.sin_port));
    close(fd);
    snprintf(listen, sizeof listen, "%s", addr);
    if (rrdcached_start(listen, tmp, addr) < 0) {
        TAP_OK(0, "rrdcached on TCP %s", addr);
        return;
    }
    snprintf(abs, sizeof abs, "%s/tcp", tmp);
    w = hr_rrd_new(abs, addr, err, sizeof err);
    TAP_OK(!w && strstr(err, "relative"), "TCP and an absolute directory: refused, saying why (%s)", err);
    hr_rrd_free(w);
    /* the test runs in TMP, which is rrdcached's -b: "tcp" names the same
     * directory for both */
    w = hr_rrd_new("tcp", addr, err, sizeof err);
    TAP_OK(w != NULL, "TCP writer with a relative directory (%s)", w ? "ok" : err);
    if (!w)
        return;
    s = sample(T0, 5);
    hr_rrd_update(w, "T.rrd", &s, err, sizeof err);
    hr_rrd_sync(w, &t);
    TAP_INT(t.updated, 1, "update over TCP written, the file created through rrdcached");
    TAP_OK(access("tcp/T.rrd", F_OK) == 0, "the file is in the directory");
    hr_rrd_free(w);
    rrdcached_kill();
}

int main(void)
{
    char sock[300], listen[310], dir[300];

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* as the poller does (collector/poll.c): librrd's client writes to
     * its socket with stdio, and rrdcached is killed here on purpose */
    signal(SIGPIPE, SIG_IGN);
    hr_log_init("test_rrd_batch", 0, LOG_NOTICE);
    check_addresses();
    check_escape();
    check_malformed();
    if (system("command -v rrdcached > /dev/null 2>&1") != 0) {
        TAP_SKIP("rrdcached is not installed (make deps installs it)");
        return TAP_DONE();
    }
    snprintf(tmp, sizeof tmp, "/tmp/hr-rrdbatch-XXXXXX");
    if (!mkdtemp(tmp)) {
        TAP_OK(0, "temporary directory");
        return TAP_DONE();
    }
    atexit(cleanup);
    if (chdir(tmp) < 0) {
        TAP_OK(0, "chdir %s", tmp);
        return TAP_DONE();
    }
    snprintf(sock, sizeof sock, "%s/sock", tmp);
    snprintf(listen, sizeof listen, "unix:%s", sock);
    if (rrdcached_start(listen, tmp, listen) < 0) {
        TAP_OK(0, "rrdcached started on %s", sock);
        return TAP_DONE();
    }
    snprintf(dir, sizeof dir, "%s/rrd dir", tmp);   /* a space: escaped */
    check_unix(listen, dir);
    check_restart(listen, listen, dir);
    rrdcached_kill();
    check_nobatch(dir);
    check_tcp();
    return TAP_DONE();
}
