/* The state file and every other file written through hr_write_file_atomic
 * (headroomd's state, `report --out` files): planted symlinks and files
 * under the names an attacker can guess are never written through. */
#include "../../subagent/devdb.h"
#include "hr_util.h"
#include "../tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/hrstateXXXXXX";

static int put(const char *name, const char *text)
{
    char p[256];
    FILE *f;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    f = fopen(p, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int content_is(const char *name, const char *want)
{
    char p[256];
    size_t len;
    char *s;
    int ok;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    s = hr_read_file(p, 4096, &len);
    ok = s && len == strlen(want) && memcmp(s, want, len) == 0;
    free(s);
    return ok;
}

static int is_regular(const char *name)
{
    char p[256];
    struct stat st;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Names in DIR that start with a dot: leftover temporary files. */
static int dot_files(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

int main(void)
{
    char path[256], link[300], victim[256], cmd[300];
    struct devdb db;
    struct stat st;

    if (!mkdtemp(dir)) {
        TAP_OK(0, "mkdtemp");
        return 1;
    }
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(path, sizeof path, "%s/state", dir);
    TAP_OK(put("victim", "precious\n") == 0, "victim file");

    /* the name the old code used, PATH.tmp.PID, planted as a symlink */
    snprintf(link, sizeof link, "%s.tmp.%ld", path, (long)getpid());
    TAP_OK(symlink(victim, link) == 0, "symlink planted at state.tmp.PID");
    TAP_OK(hr_write_file_atomic(path, "new\n", 4, 0600) == 0, "write beside a planted tmp symlink");
    TAP_OK(content_is("victim", "precious\n"), "the planted symlink's target is untouched");
    TAP_OK(content_is("state", "new\n") && is_regular("state"), "the file is written");
    unlink(link);

    /* a symlink at the file's own name is replaced, not followed */
    unlink(path);
    TAP_OK(symlink(victim, path) == 0, "symlink planted at the file's name");
    TAP_OK(hr_write_file_atomic(path, "mine\n", 5, 0644) == 0, "write over a symlink");
    TAP_OK(content_is("victim", "precious\n"), "the symlink's target is untouched");
    TAP_OK(is_regular("state") && content_is("state", "mine\n"), "the symlink became a file");
    TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0644 & ~(mode_t)umask(022)),
           "mode as asked, less the umask");
    TAP_INT(dot_files(), 0, "no temporary file left behind");

    /* a write that fails leaves no temporary file either */
    snprintf(link, sizeof link, "%s/sub/state", dir);
    TAP_OK(hr_write_file_atomic(link, "x", 1, 0644) < 0, "a missing directory fails");
    TAP_OK(hr_write_file_atomic(dir, "x", 1, 0644) < 0, "replacing a directory fails");
    TAP_INT(dot_files(), 0, "still no temporary file");

    /* devdb_save goes the same way */
    devdb_init(&db);
    unlink(path);
    TAP_OK(symlink(victim, path) == 0, "symlink planted at the state file");
    TAP_OK(devdb_save(&db, path) == 0, "devdb_save");
    TAP_OK(content_is("victim", "precious\n"), "devdb_save did not write through the symlink");
    TAP_OK(is_regular("state"), "the state file is a file of its own");
    devdb_clear(&db);

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    TAP_OK(system(cmd) == 0, "cleanup");
    return TAP_DONE();
}
