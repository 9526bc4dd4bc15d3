/* test_graph.c: hr_rrd_graph_usage, the proposal graph: from a device's
 * real RRD file (written by hr_rrd_update, as the poller does), from
 * history rows when there is no file (a temporary RRD, removed after),
 * and the errors; hr_graph_draw_usage, the one graph of mails and
 * reports, with the forecast and the peak load on a right axis.  The PNG
 * is checked by its signature and IHDR size. */
#include "../tap.h"
#include "hr_graph.h"
#include "hr_rrd.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* librrd's graph code leaks inside itself and fontconfig keeps a cache by
 * design (see tests/collector/test_store.c). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:rrd_graph_v\n";
}
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

#define NOW 1795305600  /* 2026-11-22 00:00 UTC */
#define G 1e9

static unsigned png_w, png_h;

static int png_ok(const unsigned char *p, size_t n)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

    if (!p || n < 24 || memcmp(p, sig, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0)
        return 0;
    png_w = (unsigned)p[16] << 24 | (unsigned)p[17] << 16 | (unsigned)p[18] << 8 | p[19];
    png_h = (unsigned)p[20] << 24 | (unsigned)p[21] << 16 | (unsigned)p[22] << 8 | p[23];
    return png_w > 0 && png_h > 0;
}

/* How the PNG was encoded (common/hr_rrd.c sets it): the zlib level class
 * of its IDAT stream (FLEVEL: 0 fastest, 1 fast, 2 default, 3 best) and
 * whether every row was written with filter "none".  The stream is
 * inflated and must hold exactly the rows IHDR announces.  -1: not a
 * PNG or not one that decodes. */
static int png_encoding(const unsigned char *p, size_t n, int *flevel, int *unfiltered)
{
    unsigned char *z = NULL, *raw = NULL;
    size_t zn = 0, off = 8, bpp, rowlen;
    uLongf rawn;
    int rc = -1;

    if (!png_ok(p, n) || (p[25] != 2 && p[25] != 6) || p[24] != 8)
        return -1;
    bpp = p[25] == 2 ? 3 : 4;
    while (off + 12 <= n) {
        size_t len = (size_t)p[off] << 24 | (size_t)p[off + 1] << 16 | (size_t)p[off + 2] << 8 |
                     p[off + 3];
        if (off + 12 + len > n)
            goto out;
        if (memcmp(p + off + 4, "IDAT", 4) == 0) {
            unsigned char *nz = realloc(z, zn + len);
            if (!nz)
                goto out;
            z = nz;
            memcpy(z + zn, p + off + 8, len);
            zn += len;
        }
        off += 12 + len;
    }
    rowlen = 1 + png_w * bpp;
    rawn = (uLongf)(rowlen * png_h);
    if (zn < 2 || !(raw = malloc(rawn + 1)) || uncompress(raw, &rawn, z, zn) != Z_OK ||
        rawn != rowlen * png_h)
        goto out;
    *flevel = z[1] >> 6;
    *unfiltered = 1;
    for (size_t r = 0; r < png_h; r++)
        if (raw[r * rowlen] != 0)
            *unfiltered = 0;
    rc = 0;
out:
    free(z);
    free(raw);
    return rc;
}

static int dir_empty(const char *d)
{
    DIR *dp = opendir(d);
    struct dirent *e;
    int n = 0;

    if (!dp)
        return 0;
    while ((e = readdir(dp)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(dp);
    return n == 0;
}

static void base_graph(struct hr_rrd_usage_graph *g, const struct hr_sample *pts, size_t n)
{
    memset(g, 0, sizeof *g);
    g->pts = pts;
    g->npts = n;
    g->start = NOW - 30 * 86400;
    g->end = NOW + 90 * 86400;
    g->title = "Array X\r\nBcc: evil: used vs capacity";
    g->fc_now = NOW;
    g->fc_from = NOW - 30 * 86400;
    g->fc_full = NOW + (int64_t)(79.2 * 86400);
    g->fc_used = 8020 * G;
    g->fc_slope_per_day = 25 * G;
    g->fc_capacity = 10000 * G;
    g->fc_label = "full around 2027-02-09: a label with colons";
}

int main(void)
{
    char tmp[] = "/tmp/test_graph.XXXXXX", rrdtmp[64], err[256], file[160], path[300];
    struct hr_sample pts[31];
    struct hr_rrd_usage_graph g;
    unsigned char *png = NULL;
    size_t len = 0;

    if (!mkdtemp(tmp))
        return 1;
    snprintf(rrdtmp, sizeof rrdtmp, "%s/tmp", tmp);
    mkdir(rrdtmp, 0700);
    setenv("TMPDIR", rrdtmp, 1);
    unsetenv("RRDCACHED_ADDRESS");
    for (int d = 0; d <= 30; d++)
        pts[d] = (struct hr_sample){ NOW - (30 - d) * 86400, 10000 * G,
                                        (8020 - 25 * (30 - d)) * G, NAN, NAN };

    /* history rows, no file */
    struct hr_rrd_drawn dr;
    base_graph(&g, pts, 31);
    g.drawn = &dr;
    TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), 0, "graph from history rows");
    TAP_OK(png_ok(png, len), "a PNG");
    TAP_OK(png_w >= 560 && png_h >= 200, "at least the plot area (%ux%u)", png_w, png_h);
    TAP_OK(dir_empty(rrdtmp), "the temporary RRD is gone");
    /* The encoder's settings (hr_rrd.c): zlib's fast class, no row filter;
     * and the image data inflates to exactly the rows IHDR announces. */
    {
        int flevel = -1, unfiltered = 0;
        TAP_INT(png_encoding(png, len, &flevel, &unfiltered), 0, "the PNG's rows decode");
        TAP_INT(flevel, 1, "zlib at a fast level (FLEVEL 1: levels 2-5), not libpng's 6");
        TAP_OK(unfiltered, "every row with filter none");
    }
    free(png);
    /* What rrd_graph plotted is the daily rows themselves: the last row's
     * used and capacity, at the end of its UTC day (a month over 560
     * pixels: no two rows share a pixel). */
    TAP_OK(dr.used == 8020 * G, "drawn: the last row's used (%.17g)", dr.used);
    TAP_OK(dr.capacity == 10000 * G, "drawn: its capacity (%.17g)", dr.capacity);
    TAP_INT(dr.time, NOW + 86400, "drawn: at the end of the last row's day");
    /* A year of daily rows (what propose draws at scale) on a 480-pixel
     * plot: still the rows, now about a day per pixel. */
    {
        static struct hr_sample year[365];
        for (int d = 0; d < 365; d++)
            year[d] = (struct hr_sample){ NOW - (364 - d) * 86400LL + 3600, 10000 * G,
                                          (1000 + 20.0 * d) * G, NAN, NAN };
        base_graph(&g, year, 365);
        g.start = year[0].t;
        g.width = 480;
        g.height = 160;
        g.drawn = &dr;
        TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), 0, "a year of rows");
        TAP_OK(png_ok(png, len), "a PNG");
        free(png);
        TAP_OK(dr.time > NOW - 2 * 86400 && dr.time <= NOW + 86400 && dr.time % 3600 == 0,
               "drawn up to the last day (%" PRId64 ")", dr.time);
        TAP_OK(dr.used >= (1000 + 20.0 * 362) * G && dr.used <= (1000 + 20.0 * 364) * G,
               "drawn: the last days' used (%.4g, rows end at %.4g)", dr.used,
               (1000 + 20.0 * 364) * G);
        TAP_OK(dr.capacity == 10000 * G, "drawn: the capacity");
        TAP_OK(dir_empty(rrdtmp), "no temporary RRD left");
    }

    /* a file name that does not exist: the rows again */
    g.rrd = "/nonexistent/dir/x.rrd";
    TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), 0, "missing file: rows");
    TAP_OK(png_ok(png, len), "a PNG");
    free(png);

    /* a real device file, as the poller writes it (5-minute steps) */
    struct hr_rrd *w = hr_rrd_new(tmp, "", err, sizeof err);
    TAP_OK(w != NULL, "RRD writer");
    TAP_INT(hr_rrd_filename("X\r\nBcc: evil", file, sizeof file), 0, "file name");
    int bad = 0;
    for (int64_t t = NOW - 2 * 86400; w && t <= NOW; t += 300) {
        struct hr_rrd_sample s = { t, (uint64_t)(10000 * G),
                                   (uint64_t)((8020 - 25 * (NOW - t) / 86400.0) * G), 0, 0, 0,
                                   1u << HR_RRD_DS_CAPACITY | 1u << HR_RRD_DS_USED };
        if (hr_rrd_update(w, file, &s, err, sizeof err) < 0)
            bad++;
    }
    TAP_INT(bad, 0, "two days of samples written");
    hr_rrd_free(w);
    snprintf(path, sizeof path, "%s/%s", tmp, file);
    base_graph(&g, NULL, 0);
    g.rrd = path;
    g.start = NOW - 2 * 86400;
    g.drawn = &dr;
    TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), 0, "graph from the RRD file");
    TAP_OK(png_ok(png, len), "a PNG (%zu bytes)", len);
    free(png);
    /* From the file's 5-minute samples: the last ones before NOW (never
     * the end of a day after it, as daily rows would be). */
    TAP_OK(dr.time > NOW - 86400 && dr.time <= NOW, "drawn from the file: up to NOW (%" PRId64 ")",
           dr.time);
    TAP_OK(dr.used >= 8017 * G && dr.used <= 8020 * G, "drawn: the file's last used (%.6g)",
           dr.used);
    /* Rows are given but the file covers them: still the file. */
    base_graph(&g, pts + 29, 2);
    g.rrd = path;
    g.start = NOW - 2 * 86400;
    g.drawn = &dr;
    TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), 0, "file and rows");
    free(png);
    TAP_OK(dr.time > NOW - 86400 && dr.time <= NOW, "the file is drawn, not the rows");

    /* Which history the file covers: two days of samples, not the 31
     * daily rows that start a month earlier (backfilled from CSV). */
    TAP_OK(hr_rrd_covers(path, NOW - 86400), "the file covers yesterday");
    TAP_OK(!hr_rrd_covers(path, pts[0].t), "the file does not cover a month ago");
    TAP_OK(!hr_rrd_covers("/nonexistent/x.rrd", NOW), "a missing file covers nothing");

    /* no forecast: no line, still a graph */
    g.fc_full = 0;
    TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), 0, "no forecast");
    TAP_OK(png_ok(png, len), "a PNG");
    free(png);

    /* The one graph (hr_graph.c): usage, forecast and the peak load. */
    struct hr_sample pk[31];
    struct hr_graph_usage u = { 0 };
    unsigned char *png2 = NULL;
    size_t len2 = 0;
    unsigned w_plain;
    char alt[256];
    for (int d = 0; d <= 30; d++) {
        pk[d] = pts[d];
        pk[d].peak = 4000 + 100 * d;
        pk[d].rate_avg = 1500;
    }
    u.hist = pts;
    u.n_hist = 31;
    u.now = NOW;
    u.start = NOW - 30 * 86400;
    u.title = "Array X: used vs capacity and peak load";
    u.fc_from = NOW - 30 * 86400;
    u.fc_full = NOW + (int64_t)(79.2 * 86400);
    u.fc_used = 8020 * G;
    u.fc_slope_per_day = 25 * G;
    u.fc_capacity = 10000 * G;
    TAP_INT(hr_graph_draw_usage(&u, &png, &len, alt, sizeof alt, err, sizeof err), 0,
            "usage graph, no peaks in the history");
    TAP_OK(png_ok(png, len), "a PNG");
    w_plain = png_w;
    TAP_OK(strstr(alt, "peak") == NULL && strstr(alt, "forecast full on 2027-02-09"),
           "alt without peak, with the full date: %s", alt);
    u.hist = pk;
    TAP_INT(hr_graph_draw_usage(&u, &png2, &len2, alt, sizeof alt, err, sizeof err), 0,
            "usage graph with the peak load");
    TAP_OK(png_ok(png2, len2), "a PNG");
    TAP_OK(png_w > w_plain, "wider: the right axis of the peak load (%u > %u)", png_w, w_plain);
    TAP_OK(len != len2 || memcmp(png, png2, len) != 0, "the peak series changes the picture");
    TAP_STR(alt, "used vs capacity and peak load (Cmax up to 7000 per window), forecast full"
            " on 2027-02-09; 7.29 TiB of 9.09 TiB used on 2026-11-22",
            "alt names the peak, the full date and the last point drawn");
    free(png);
    free(png2);
    /* from the device's RRD file: its peak data source */
    u.rrd = path;
    u.start = NOW - 2 * 86400;
    TAP_INT(hr_graph_draw_usage(&u, &png, &len, alt, sizeof alt, err, sizeof err), 0,
            "usage and peak from the RRD file");
    TAP_OK(png_ok(png, len) && png_w > w_plain, "a PNG with the right axis");
    free(png);
    TAP_OK(dir_empty(rrdtmp), "no temporary RRD left");

    /* errors */
    base_graph(&g, NULL, 0);
    TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), -1, "no file, no rows: -1");
    TAP_OK(strstr(err, "no RRD file and no history") != NULL, "says why: %s", err);
    TAP_OK(png == NULL && len == 0, "nothing returned");
    base_graph(&g, pts, 31);
    g.end = g.start;
    TAP_INT(hr_rrd_graph_usage(&g, &png, &len, err, sizeof err), -1, "empty time range: -1");

    unlink(path);
    rmdir(rrdtmp);
    rmdir(tmp);
    return TAP_DONE();
}
