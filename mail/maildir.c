/* maildir.c: local delivery into a Maildir, the embedded default when no
 * SMTP server is configured.
 *
 * The protocol is the one qmail's maildir(5) describes: write the message
 * to tmp/ under a name unique to this host, process and moment, fsync it,
 * then rename it into new/ -- a reader never sees a partial message, and a
 * crash leaves at worst a stray file in tmp/.  The directory is fsync'ed
 * too so the rename itself survives a power cut. */
#include "mail.h"
#include "hr_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static int ensure_dirs(const char *dir, char *err, size_t errsz)
{
    static const char *const sub[] = { "tmp", "new", "cur" };
    char p[PATH_MAX];

    for (size_t i = 0; i < HR_ARRAY_LEN(sub); i++) {
        if (snprintf(p, sizeof p, "%s/%s", dir, sub[i]) >= (int)sizeof p) {
            snprintf(err, errsz, "maildir path too long");
            return -1;
        }
        if (hr_mkdirs(p, 0700) < 0) {
            snprintf(err, errsz, "maildir %s: %s", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* "<sec>.M<usec>P<pid>Q<n>.<host>": the modern maildir unique name.  A '/'
 * or ':' in the host name would break the name, so they are replaced as
 * the spec suggests (\057 and \072). */
static void unique_name(char *out, size_t sz)
{
    static unsigned long seq;
    char host[256], safe[256 * 4 + 1];
    struct timeval tv;
    size_t o = 0;

    gettimeofday(&tv, NULL);
    if (gethostname(host, sizeof host) < 0)
        hr_strlcpy(host, "localhost", sizeof host);
    host[sizeof host - 1] = '\0';
    for (const char *p = host; *p && o + 5 < sizeof safe; p++) {
        if (*p == '/' || *p == ':') {
            o += (size_t)snprintf(safe + o, sizeof safe - o, "\\%03o", (unsigned char)*p);
        } else {
            safe[o++] = *p;
        }
    }
    safe[o] = '\0';
    snprintf(out, sz, "%lld.M%06ldP%ldQ%lu.%s", (long long)tv.tv_sec, (long)tv.tv_usec,
             (long)getpid(), ++seq, safe);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write MSG with CRLF turned into LF, the local convention: converted in
 * chunks and written a chunk at a time (a write per line made a message
 * with inline graphs thousands of system calls). */
static int write_lf(int fd, const char *msg, size_t len)
{
    char buf[65536];
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')
            continue;
        buf[n++] = msg[i];
        if (n == sizeof buf) {
            if (write_all(fd, buf, n) < 0)
                return -1;
            n = 0;
        }
    }
    return write_all(fd, buf, n);
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r;

    if (fd < 0)
        return -1;
    r = fsync(fd);
    close(fd);
    return r;
}

int hr_maildir_deliver(const char *dir, const char *msg, size_t len,
                       char *name, size_t namesz, char *err, size_t errsz)
{
    char uniq[1200], tmp[PATH_MAX], dst[PATH_MAX], newdir[PATH_MAX];
    int fd, e;

    if (ensure_dirs(dir, err, errsz) < 0)
        return -1;
    unique_name(uniq, sizeof uniq);
    if (snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, uniq) >= (int)sizeof tmp ||
        snprintf(dst, sizeof dst, "%s/new/%s", dir, uniq) >= (int)sizeof dst ||
        snprintf(newdir, sizeof newdir, "%s/new", dir) >= (int)sizeof newdir) {
        snprintf(err, errsz, "maildir path too long");
        return -1;
    }
    /* O_EXCL: the name must be new; a clash means the clock went back. */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errsz, "maildir %s: %s", tmp, strerror(errno));
        return -1;
    }
    if (write_lf(fd, msg, len) < 0 || fsync(fd) < 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        snprintf(err, errsz, "maildir %s: %s", tmp, strerror(e));
        return -1;
    }
    if (close(fd) < 0 || rename(tmp, dst) < 0) {
        e = errno;
        unlink(tmp);
        snprintf(err, errsz, "maildir %s: %s", dst, strerror(e));
        return -1;
    }
    if (fsync_dir(newdir) < 0)
        hr_log(LOG_WARNING, "maildir %s: fsync: %s", newdir, strerror(errno));
    if (name)
        hr_strlcpy(name, uniq, namesz);
    return 0;
}
