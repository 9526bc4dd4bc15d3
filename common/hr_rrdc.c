/* hr_rrdc.c: rrdcached's BATCH command on a connection of our own; see
 * hr_rrdc.h.  The protocol (rrdcached(1), "BATCH"):
 *
 *   client: BATCH
 *   server: 0 Go ahead.  End with dot '.' on its own line.
 *   client: UPDATE file time:v1:v2     <- command 1
 *   client: ...
 *   client: .
 *   server: 2 errors
 *   server: 1 message for command 1
 *   server: 12 message for command 12
 *
 * BATCH goes alone and its answer is read first (a socket restricted
 * with -P may refuse it); then the commands and the dot are written in
 * one go before the next answer is read: rrdcached reads commands as they
 * come and answers nothing until the dot, so it never waits on us while
 * we write.
 */
#include "hr_rrdc.h"
#include "hr_buf.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* An answer line longer than this is cut (rrdcached's own lines stay
 * under its 4 KiB command limit plus a file name). */
#define LINE_MAX_RRDC 8192

struct hr_rrdc {
    int fd;
    size_t rpos, rlen;
    char rbuf[16384];
};

int hr_rrdc_is_local(const char *addr)
{
    return addr[0] == '/' || strncmp(addr, "unix:", 5) == 0;
}

static int open_local(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "%s: socket path too long", path);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* "host", "host:port", "[v6addr]", "[v6addr]:port"; an address with
 * several colons and no brackets is an IPv6 address without a port. */
static int split_host(const char *addr, char *host, size_t hostsz, const char **port)
{
    const char *p, *end;

    *port = HR_RRDC_PORT;
    if (addr[0] == '[') {
        end = strchr(addr, ']');
        if (!end || (end[1] && end[1] != ':'))
            return -1;
        if (end[1] == ':' && end[2])
            *port = end + 2;
        p = addr + 1;
    } else {
        end = strchr(addr, ':');
        if (end && strchr(end + 1, ':'))
            end = NULL;          /* bare IPv6 */
        if (end && end[1])
            *port = end + 1;
        p = addr;
        if (!end)
            end = addr + strlen(addr);
    }
    if (end == p || (size_t)(end - p) >= hostsz)
        return -1;
    memcpy(host, p, (size_t)(end - p));
    host[end - p] = '\0';
    return 0;
}

static int open_tcp(const char *addr, char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
    struct addrinfo *res = NULL, *ai;
    char host[256];
    const char *port;
    int fd = -1, rc, e = 0;

    if (split_host(addr, host, sizeof host, &port) < 0) {
        snprintf(err, errlen, "malformed address");
        return -1;
    }
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s", gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "%s", strerror(e ? e : ECONNREFUSED));
    return fd;
}

struct hr_rrdc *hr_rrdc_open(const char *addr, int timeout_s, char *err, size_t errlen)
{
    struct timeval tv = { .tv_sec = timeout_s };
    struct hr_rrdc *c;
    int fd;

    if (strncmp(addr, "unix:", 5) == 0)
        fd = open_local(addr + 5, err, errlen);
    else if (addr[0] == '/')
        fd = open_local(addr, err, errlen);
    else
        fd = open_tcp(addr, err, errlen);
    if (fd < 0)
        return NULL;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
        !(c = calloc(1, sizeof *c))) {
        snprintf(err, errlen, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    c->fd = fd;
    return c;
}

void hr_rrdc_close(struct hr_rrdc *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c);
}

void hr_rrdc_field(struct hr_buf *b, const char *s)
{
    const char *p;

    hr_buf_add(b, " ", 1);
    while ((p = strpbrk(s, " \\"))) {
        hr_buf_add(b, s, (size_t)(p - s));
        hr_buf_add(b, "\\", 1);
        hr_buf_add(b, p, 1);
        s = p + 1;
    }
    hr_buf_puts(b, s);
}

/* Write every byte of the NIOV parts; a peer gone away is EPIPE, never a
 * SIGPIPE. */
static int send_all(int fd, struct iovec *iov, int niov)
{
    while (niov > 0) {
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)niov };
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        while (niov > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            niov--;
        }
        if (niov > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* One answer line into LINE (cut to SZ - 1 bytes, no newline).  -1 with
 * ERR when the connection closed, failed or timed out first. */
static int read_line(struct hr_rrdc *c, char *line, size_t sz, char *err, size_t errlen)
{
    size_t have = 0;

    for (;;) {
        char *s = c->rbuf + c->rpos, *nl = memchr(s, '\n', c->rlen - c->rpos);
        size_t n = nl ? (size_t)(nl - s) : c->rlen - c->rpos;
        size_t take = n < sz - 1 - have ? n : sz - 1 - have;
        ssize_t r;

        memcpy(line + have, s, take);
        have += take;
        line[have] = '\0';
        c->rpos += nl ? n + 1 : n;
        if (nl)
            return 0;
        c->rpos = c->rlen = 0;
        r = recv(c->fd, c->rbuf, sizeof c->rbuf, 0);
        if (r > 0) {
            c->rlen = (size_t)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            snprintf(err, errlen, "%s", r == 0 ? "connection closed by rrdcached"
                     : errno == EAGAIN || errno == EWOULDBLOCK ? "no answer from rrdcached (timed out)"
                     : strerror(errno));
            return -1;
        }
    }
}

/* Read an answer line into LINE (SZ bytes) and the status number that
 * starts it into *STATUS; *MSG points at the rest.  0, or -1 with ERR. */
static int read_status(struct hr_rrdc *c, char *line, size_t sz, long *status,
                       const char **msg, char *err, size_t errlen)
{
    char *end;

    if (read_line(c, line, sz, err, errlen) < 0)
        return -1;
    errno = 0;
    *status = strtol(line, &end, 10);
    if (end == line || errno) {
        snprintf(err, errlen, "rrdcached answered \"%.80s\"", line);
        return -1;
    }
    *msg = end + strspn(end, " \t");
    return 0;
}

/* Read one answer: its status into *STATUS and its message into MSG (SZ
 * bytes); the lines that follow a positive status (STATS, HELP) are read
 * and dropped.  0, or -1 with ERR. */
static int read_answer(struct hr_rrdc *c, long *status, char *msg, size_t sz, char *err,
                       size_t errlen)
{
    char line[LINE_MAX_RRDC];
    const char *m;

    if (read_status(c, line, sizeof line, status, &m, err, errlen) < 0)
        return -1;
    snprintf(msg, sz, "%s", m);
    for (long i = 0; i < *status && i < 100000; i++)
        if (read_line(c, line, sizeof line, err, errlen) < 0)
            return -1;
    return 0;
}

int hr_rrdc_command(struct hr_rrdc *c, const char *cmd, size_t len, char *msg, size_t msgsz,
                    char *err, size_t errlen)
{
    struct iovec iov = { .iov_base = (void *)(uintptr_t)cmd, .iov_len = len };
    long st;

    if (send_all(c->fd, &iov, 1) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    if (read_answer(c, &st, msg, msgsz, err, errlen) < 0)
        return -1;
    return st < 0;
}

int hr_rrdc_batch(struct hr_rrdc *c, const char *cmds, size_t len, size_t n,
                  hr_rrdc_err_fn *fn, void *ctx, char *err, size_t errlen)
{
    char dot[] = ".\n";
    /* sendmsg only reads the buffers; struct iovec has no const member */
    struct iovec iov[2] = {
        { .iov_base = (void *)(uintptr_t)cmds, .iov_len = len },
        { .iov_base = dot, .iov_len = 2 },
    };
    char line[LINE_MAX_RRDC];
    const char *msg;
    long st, nerr;
    int rc;

    if (n == 0)
        return 0;
    /* BATCH alone first: a socket whose -P list leaves it out refuses it,
     * and would then run every command that followed on its own. */
    rc = hr_rrdc_command(c, "BATCH\n", 6, line, sizeof line, err, errlen);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        snprintf(err, errlen, "BATCH refused: %.200s", line);
        return HR_RRDC_REFUSED;
    }
    if (send_all(c->fd, iov, 2) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    if (read_status(c, line, sizeof line, &nerr, &msg, err, errlen) < 0)
        return -1;
    if (nerr < 0 || (size_t)nerr > n) {
        snprintf(err, errlen, "rrdcached answered \"%.80s\" to a batch of %zu", line, n);
        return -1;
    }
    for (long i = 0; i < nerr; i++) {
        if (read_status(c, line, sizeof line, &st, &msg, err, errlen) < 0)
            return -1;
        if (st < 1 || (size_t)st > n) {
            snprintf(err, errlen, "rrdcached named command %ld of a batch of %zu", st, n);
            return -1;
        }
        fn(ctx, (size_t)st - 1, msg);
    }
    return 0;
}
