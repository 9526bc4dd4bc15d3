/* test_graph_pool.c: hr_graph_pool, the usage graph drawn by worker
 * processes.  Every graph that comes back must be byte for byte the one
 * hr_graph_draw_usage draws in the caller, whatever the number of workers,
 * the order the jobs are taken in, a queue far longer than the workers
 * hold, a failing job, or a worker killed with jobs in flight; and the
 * workers' scratch directory goes with the pool, whatever a killed worker
 * left in it.  The .c is included to reach the workers' pids. */
#include "../tap.h"
#include "../../common/hr_graph_pool.c"

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:rrd_graph_v\n";
}

#define NOW 1795305600  /* 2026-11-22 00:00 UTC */
#define G 1e9
#define NJOBS 24

static struct hr_sample hist[NJOBS][31];
static struct hr_graph_usage req[NJOBS];
static char titles[NJOBS][64];
static unsigned char *ref[NJOBS];
static size_t reflen[NJOBS];
static char refalt[NJOBS][256];

/* Job I: a month of daily rows growing by 10 + I GB a day. */
static void make_req(int i)
{
    for (int d = 0; d <= 30; d++)
        hist[i][d] = (struct hr_sample){ NOW - (30 - d) * 86400LL, 10000 * G,
                                         (7000 + (10.0 + i) * d) * G, 4000 + 10 * d, 100 };
    snprintf(titles[i], sizeof titles[i], "Array %d: used vs capacity", i);
    req[i] = (struct hr_graph_usage){
        .hist = hist[i], .n_hist = 31, .now = NOW, .start = NOW - 30 * 86400,
        .width = 300, .height = 100, .title = titles[i],
    };
}

/* Take every job of P (submitted as 0..n) in ORDER, compare with the
 * references; the number that differ or failed. */
static int take_all(struct hr_graph_pool *p, const int *order, int n)
{
    int bad = 0;

    for (int k = 0; k < n; k++) {
        int i = order ? order[k] : k;
        unsigned char *png = NULL;
        size_t len = 0;
        char alt[256] = "", err[256];
        if (hr_graph_pool_take(p, (size_t)i, &png, &len, alt, sizeof alt, err, sizeof err) < 0 ||
            len != reflen[i] || memcmp(png, ref[i], len) != 0 || strcmp(alt, refalt[i]) != 0) {
            printf("# job %d differs (%zu bytes, want %zu)\n", i, len, reflen[i]);
            bad++;
        }
        free(png);
    }
    return bad;
}

static int submit_all(struct hr_graph_pool *p, int n)
{
    int bad = 0;

    for (int i = 0; i < n; i++)
        bad += hr_graph_pool_submit(p, &req[i]) != i;
    return bad;
}

static int gone(pid_t pid)
{
    return kill(pid, 0) < 0 && errno == ESRCH;
}

int main(void)
{
    char tmp[] = "/tmp/test_graph_pool.XXXXXX", err[256];
    struct hr_graph_pool *p;
    int rev[NJOBS], bad = 0;
    pid_t pids[2];

    if (!mkdtemp(tmp))
        return 1;
    setenv("TMPDIR", tmp, 1);
    for (int i = 0; i < NJOBS; i++) {
        make_req(i);
        rev[i] = NJOBS - 1 - i;
        if (hr_graph_draw_usage(&req[i], &ref[i], &reflen[i], refalt[i], sizeof refalt[i], err,
                                sizeof err) < 0)
            bad++;
    }
    TAP_INT(bad, 0, "%d reference graphs drawn here", NJOBS);
    TAP_OK(reflen[0] != reflen[1] || memcmp(ref[0], ref[1], reflen[0]) != 0,
           "the jobs' graphs differ from each other");

    /* no worker: the caller draws at take */
    p = hr_graph_pool_new(0);
    TAP_OK(p && hr_graph_pool_workers(p) == 0, "a pool without workers");
    TAP_INT(submit_all(p, 4), 0, "jobs numbered 0.. in order");
    TAP_INT(take_all(p, NULL, 4), 0, "drawn by the caller, same bytes and alt");
    hr_graph_pool_free(p);

    /* two workers, the whole queue submitted before anything is taken
     * (far more than they hold at once), taken last first */
    p = hr_graph_pool_new(2);
    TAP_INT(hr_graph_pool_workers(p), 2, "two workers");
    TAP_INT(submit_all(p, NJOBS), 0, "%d jobs queued", NJOBS);
    TAP_INT(take_all(p, rev, NJOBS), 0, "all drawn by the workers, same bytes, any order");
    {
        unsigned char *png = NULL;
        size_t len;
        TAP_INT(hr_graph_pool_take(p, 3, &png, &len, NULL, 0, err, sizeof err), -1,
                "a job is taken once");
        TAP_INT(hr_graph_pool_take(p, NJOBS, &png, &len, NULL, 0, err, sizeof err), -1,
                "no such job");
    }
    pids[0] = p->w[0].pid;
    pids[1] = p->w[1].pid;
    hr_graph_pool_free(p);
    TAP_OK(gone(pids[0]) && gone(pids[1]), "free ends and reaps the workers");

    /* a job that cannot be drawn fails alone */
    p = hr_graph_pool_new(2);
    {
        struct hr_graph_usage none = req[0];
        unsigned char *png = NULL;
        size_t len = 0;
        none.n_hist = 0;
        none.hist = NULL;
        TAP_INT(hr_graph_pool_submit(p, &req[0]), 0, "job 0");
        TAP_INT(hr_graph_pool_submit(p, &none), 1, "job 1: no RRD file, no history");
        TAP_INT(hr_graph_pool_submit(p, &req[2]), 2, "job 2");
        TAP_INT(hr_graph_pool_take(p, 1, &png, &len, NULL, 0, err, sizeof err), -1,
                "job 1 fails");
        TAP_OK(strstr(err, "no RRD file and no history") && !png && !len, "with the worker's reason: %s",
               err);
        int order[2] = { 0, 2 };
        TAP_INT(take_all(p, order, 2), 0, "the jobs around it are drawn");
        TAP_INT(hr_graph_pool_workers(p), 2, "both workers still there");
    }
    hr_graph_pool_free(p);

    /* a worker killed with jobs in flight: the other one takes them over */
    p = hr_graph_pool_new(2);
    TAP_INT(submit_all(p, NJOBS), 0, "%d jobs queued", NJOBS);
    kill(p->w[0].pid, SIGKILL);
    TAP_INT(take_all(p, NULL, NJOBS), 0, "every job drawn despite the killed worker");
    TAP_INT(hr_graph_pool_workers(p), 1, "one worker left");
    {
        /* what a worker killed inside hr_rrd_build leaves (the kill above
         * lands there only by chance): its scratch directory and RRD */
        char left[PATH_MAX + 32];
        FILE *f;
        TAP_OK(p->tmp[0] && strncmp(p->tmp, tmp, strlen(tmp)) == 0,
               "the workers' scratch directory is under TMPDIR (%s)", p->tmp);
        snprintf(left, sizeof left, "%s/headroom-graph.x", p->tmp);
        mkdir(left, 0700);
        snprintf(left, sizeof left, "%s/headroom-graph.x/history.rrd", p->tmp);
        if ((f = fopen(left, "w")))
            fclose(f);
        TAP_OK(f != NULL, "a killed worker's leftover made");
    }
    hr_graph_pool_free(p);

    /* the only worker killed: the caller draws what is left */
    p = hr_graph_pool_new(1);
    TAP_INT(submit_all(p, 8), 0, "8 jobs queued");
    kill(p->w[0].pid, SIGKILL);
    TAP_INT(take_all(p, rev + NJOBS - 8, 8), 0, "every job drawn, by the caller");
    TAP_INT(hr_graph_pool_workers(p), 0, "no worker left");
    hr_graph_pool_free(p);

    /* free with jobs neither drawn nor taken */
    p = hr_graph_pool_new(2);
    TAP_INT(submit_all(p, NJOBS), 0, "%d jobs queued", NJOBS);
    pids[0] = p->w[0].pid;
    pids[1] = p->w[1].pid;
    hr_graph_pool_free(p);
    TAP_OK(gone(pids[0]) && gone(pids[1]), "free with jobs pending ends the workers");

    for (int i = 0; i < NJOBS; i++)
        free(ref[i]);
    /* the workers' scratch directory went with each pool, also after a
     * worker was killed mid-graph: TMPDIR is empty again */
    TAP_OK(rmdir(tmp) == 0, "nothing left in TMPDIR after the pools, killed workers included");
    return TAP_DONE();
}
