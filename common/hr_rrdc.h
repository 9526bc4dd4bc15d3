/* hr_rrdc.h: one connection to rrdcached that sends commands in batches
 * (common/hr_rrdc.c; used by the RRD writer, common/hr_rrd.c).
 *
 * librrd's client sends each update and waits for its answer: a round
 * trip, two context switches and a realpath() per device row.  rrdcached's
 * BATCH command (rrdcached(1)) takes any number of commands and answers
 * once, with the errors only.  librrd offers no call for it, so the writer
 * keeps this connection of its own for updates; files are still created
 * and flushed through librrd.
 */
#ifndef HR_RRDC_H
#define HR_RRDC_H

#include <stddef.h>

struct hr_buf;
struct hr_rrdc;

/* rrdcached's port when an address names none. */
#define HR_RRDC_PORT "42217"

/* Connect to ADDR, written as for rrdtool's --daemon: "unix:/path" or
 * "/path" (a local socket), or "host", "host:port", "[v6addr]:port" (TCP).
 * Reads and writes time out after TIMEOUT_S seconds.  NULL with ERR. */
struct hr_rrdc *hr_rrdc_open(const char *addr, int timeout_s, char *err, size_t errlen);
void hr_rrdc_close(struct hr_rrdc *c);
/* Nonzero if ADDR is a local (unix socket) address: rrdcached then takes
 * absolute file names; over TCP it takes names relative to its -b dir. */
int hr_rrdc_is_local(const char *addr);

/* Append S to B as one field of a command: a space and a backslash are
 * escaped with a backslash, as rrdcached splits fields (and librrd's client
 * writes them). */
void hr_rrdc_field(struct hr_buf *b, const char *s);

/* Called for each command of a batch that failed: IDX counts from 0 in the
 * order sent, MSG is rrdcached's message. */
typedef void hr_rrdc_err_fn(void *ctx, size_t idx, const char *msg);

/* hr_rrdc_batch's answer when rrdcached refuses BATCH itself (a socket
 * whose -P list leaves it out): nothing was sent after it, and the
 * connection is fine for hr_rrdc_command. */
#define HR_RRDC_REFUSED (-2)

/* Send the N commands in CMDS (each a line ending in '\n') as one BATCH and
 * read the answer; FN is called for each command that failed.  0,
 * HR_RRDC_REFUSED with ERR, or -1 with ERR when the connection broke or
 * rrdcached answered what the protocol does not allow: the connection is
 * then unusable (close it), and the commands may have been applied in part
 * or not at all. */
int hr_rrdc_batch(struct hr_rrdc *c, const char *cmds, size_t len, size_t n,
                  hr_rrdc_err_fn *fn, void *ctx, char *err, size_t errlen);

/* Send one command (a line ending in '\n', LEN bytes) and read its answer,
 * whose message goes to MSG.  0 done, 1 refused (MSG says why), -1 with
 * ERR when the connection broke (unusable). */
int hr_rrdc_command(struct hr_rrdc *c, const char *cmd, size_t len, char *msg, size_t msgsz,
                    char *err, size_t errlen);

#endif
