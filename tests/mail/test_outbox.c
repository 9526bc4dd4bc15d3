/* Unit tests for mail/outbox.c and mail/maildir.c on a temporary SQLite
 * file: queue, Maildir delivery, backoff on a temporary failure, giving up
 * after max_age, recovery of rows a killed flush left in 'sending', retry,
 * the one-flush-at-a-time lock.  SMTP paths are tested against a real
 * aiosmtpd in test_mail_smtp.sh. */
#include "../../mail/outbox.h"
#include "db.h"
#include "hr_util.h"
#include "../tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static char dir[] = "/tmp/hroutboxXXXXXX";
static char dbpath[256], maildir[256];

static int count_files(const char *sub)
{
    char p[512];
    struct dirent *e;
    int n = 0;
    DIR *d;

    snprintf(p, sizeof p, "%s/%s", maildir, sub);
    d = opendir(p);
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int64_t q_int(struct hr_db *db, const char *sql)
{
    char err[256];
    int64_t v = -1;

    if (hr_db_query_int(db, sql, &v, err, sizeof err) < 0)
        return -2;
    return v;
}

static char *q_text(struct hr_db *db, const char *sql)
{
    char buf[1024], err[256];

    /* NULL for no row or a NULL value, as the tests below expect */
    if (hr_db_query_text(db, sql, buf, sizeof buf, err, sizeof err) < 0 || !buf[0])
        return NULL;
    return strdup(buf);
}

static int exec_sql(struct hr_db *db, const char *sql)
{
    char err[256];

    return hr_db_exec(db, sql, err, sizeof err);
}

static int64_t queue_one(struct hr_db *db, const char *subject)
{
    static struct hr_mail_addr to[] = { { "Sales", "sales@example.com" },
                                        { NULL, "admin@example.com" } };
    struct hr_mail m = { .from = { "headroom", "headroom@example.com" }, .to = to, .nto = 1,
                         .cc = to + 1, .ncc = 1, .subject = subject, .text = "body\n",
                         .domain = "example.com" };
    char err[128];
    int64_t id = hr_outbox_queue(db, &m, 7, err, sizeof err);

    if (id < 0)
        printf("# queue: %s\n", err);
    return id;
}

int main(void)
{
    struct hr_mail_transport t = { 0 };
    struct hr_outbox_opts o = { 0 };
    struct hr_flush_stats st;
    char err[512], sql[256], *s;
    struct hr_db *db = NULL;
    int64_t id, id2;

    TAP_OK(mkdtemp(dir) != NULL, "temp dir");
    snprintf(dbpath, sizeof dbpath, "%s/h.db", dir);
    snprintf(maildir, sizeof maildir, "%s/Maildir", dir);
    TAP_INT(hr_db_open(dbpath, HR_DB_CREATE, &db, err, sizeof err), 0, "open db");
    TAP_INT(q_int(db, "SELECT count(*) FROM outbox"), 0, "the migrations made the outbox");

    id = queue_one(db, "first");
    TAP_OK(id > 0, "queued id %lld", (long long)id);
    s = q_text(db, "SELECT state || '|' || recipients || '|' || proposal_id FROM outbox");
    TAP_STR(s, "queued|sales@example.com\nadmin@example.com|7", "row stored before any send");
    free(s);

    /* Maildir delivery */
    t.maildir = maildir;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush to maildir");
    TAP_OK(st.attempted == 1 && st.sent == 1, "one attempted, one sent");
    TAP_INT(count_files("new"), 1, "one file in new/");
    TAP_INT(count_files("tmp"), 0, "nothing left in tmp/");
    s = q_text(db, "SELECT state || '|' || (sent_at > 0) || '|' || pending_rcpts || '|' ||"
                   " delivered_rcpts FROM outbox");
    TAP_STR(s, "sent|1||sales@example.com\nadmin@example.com", "state sent, all delivered");
    free(s);
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush again");
    TAP_INT(st.attempted, 0, "a sent message is not sent again");
    TAP_INT(count_files("new"), 1, "still one file");

    /* Temporary failure: the Maildir path runs through a regular file */
    char blocked[300];
    snprintf(blocked, sizeof blocked, "%s/h.db/Maildir", dir);
    t.maildir = blocked;
    id2 = queue_one(db, "second");
    time_t t0 = time(NULL);
    o.now = t0;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush with a broken maildir");
    TAP_OK(st.attempted == 1 && st.deferred == 1, "deferred");
    snprintf(sql, sizeof sql, "SELECT next_attempt - %lld FROM outbox WHERE id = %lld",
             (long long)t0, (long long)id2);
    TAP_INT(q_int(db, sql), 60, "first backoff 60 s");
    snprintf(sql, sizeof sql, "SELECT last_error FROM outbox WHERE id = %lld", (long long)id2);
    s = q_text(db, sql);
    TAP_OK(s && strstr(s, "Not a directory"), "error recorded: %s", s ? s : "(null)");
    free(s);
    o.now = t0 + 30;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush before due");
    TAP_INT(st.attempted, 0, "not attempted before its time");
    o.now = t0 + 61;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush when due");
    TAP_INT(st.attempted, 1, "attempted when due");
    snprintf(sql, sizeof sql, "SELECT next_attempt - %lld FROM outbox WHERE id = %lld",
             (long long)(t0 + 61), (long long)id2);
    TAP_INT(q_int(db, sql), 120, "second backoff doubles to 120 s");
    o.ignore_schedule = 1;
    for (int i = 0; i < 12; i++)
        hr_outbox_flush(db, &t, &o, &st, err, sizeof err);
    o.ignore_schedule = 0;
    snprintf(sql, sizeof sql, "SELECT next_attempt - %lld FROM outbox WHERE id = %lld",
             (long long)(t0 + 61), (long long)id2);
    TAP_INT(q_int(db, sql), 6 * 3600, "backoff capped at 6 h");
    o.now = t0 + 6 * 86400;
    o.ignore_schedule = 1;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush after max age");
    o.ignore_schedule = 0;
    snprintf(sql, sizeof sql, "SELECT state || '|' || substr(last_error, 1, 13) FROM outbox"
                              " WHERE id = %lld", (long long)id2);
    s = q_text(db, sql);
    TAP_STR(s, "failed|gave up after", "temporary errors give up after max age");
    free(s);
    o.now = 0;

    /* retry brings a failed one back, pending again for everyone */
    TAP_INT(hr_outbox_retry(db, id2, err, sizeof err), 0, "retry failed message");
    TAP_OK(hr_outbox_retry(db, id, err, sizeof err) < 0 && strstr(err, "sent"),
           "retry of a sent message refused: %s", err);
    TAP_OK(hr_outbox_retry(db, 9999, err, sizeof err) < 0, "retry of unknown id refused");
    t.maildir = maildir;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush after retry");
    TAP_INT(st.sent, 1, "retried message delivered");
    TAP_INT(count_files("new"), 2, "two files in new/");

    /* a flush killed before the end of data: retried, no duplicate risk */
    int64_t id3 = queue_one(db, "third");
    snprintf(sql, sizeof sql, "UPDATE outbox SET state = 'sending', attempts = 1 WHERE id = %lld",
             (long long)id3);
    TAP_INT(exec_sql(db, sql), 0, "simulate a killed flush");
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush recovers");
    TAP_OK(st.recovered == 1 && st.sent == 1 && st.held == 0, "recovered and sent");
    TAP_INT(count_files("new"), 3, "three files");

    /* killed after the end of data: hold policy */
    int64_t id4 = queue_one(db, "fourth");
    snprintf(sql, sizeof sql, "UPDATE outbox SET state = 'sending', data_sent = 1 WHERE id = %lld",
             (long long)id4);
    exec_sql(db, sql);
    o.uncertain = HR_UNCERTAIN_HOLD;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush with hold policy");
    TAP_OK(st.recovered == 1 && st.held == 1 && st.attempted == 0, "held, not sent");
    snprintf(sql, sizeof sql, "SELECT state FROM outbox WHERE id = %lld", (long long)id4);
    s = q_text(db, sql);
    TAP_STR(s, "held", "state held");
    free(s);
    TAP_INT(hr_outbox_retry(db, id4, err, sizeof err), 0, "retry held");
    o.uncertain = HR_UNCERTAIN_RETRY;
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush after retry of held");
    TAP_INT(st.sent, 1, "held message sent after retry");

    /* killed after the end of data: default policy resends */
    int64_t id5 = queue_one(db, "fifth");
    snprintf(sql, sizeof sql, "UPDATE outbox SET state = 'sending', data_sent = 1 WHERE id = %lld",
             (long long)id5);
    exec_sql(db, sql);
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush with retry policy");
    TAP_OK(st.recovered == 1 && st.sent == 1, "uncertain message sent again");
    snprintf(sql, sizeof sql, "SELECT last_error FROM outbox WHERE id = %lld", (long long)id5);
    s = q_text(db, sql);
    TAP_OK(s == NULL, "error cleared after delivery");
    free(s);

    /* one flush at a time */
    char lockp[300];
    snprintf(lockp, sizeof lockp, "%s.outbox-lock", dbpath);
    int lfd = open(lockp, O_RDWR | O_CREAT, 0600);
    TAP_OK(lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) == 0, "take the flush lock");
    queue_one(db, "sixth");
    TAP_OK(hr_outbox_flush(db, &t, &o, &st, err, sizeof err) < 0 && strstr(err, "busy"),
           "second flush refused while locked: %s", err);
    close(lfd);
    TAP_INT(hr_outbox_flush(db, &t, &o, &st, err, sizeof err), 0, "flush after unlock");
    TAP_INT(st.sent, 1, "sent after unlock");

    /* bad input to queue */
    struct hr_mail bad = { .from = { NULL, "x@example.com" }, .subject = "s", .text = "t" };
    TAP_OK(hr_outbox_queue(db, &bad, 0, err, sizeof err) < 0, "no recipients: %s", err);
    TAP_INT(q_int(db, "SELECT count(*) FROM outbox"), 6, "nothing stored for bad input");

    hr_db_close(db);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    TAP_INT(system(cmd), 0, "cleanup");
    return TAP_DONE();
}
