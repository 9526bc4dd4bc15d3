/* hr_paths.h: the built-in default locations of headroom's state, in one
 * place.  The settings (cli/settings.c) start from them, and the usage
 * texts and library fallbacks print or use the same names. */
#ifndef HR_PATHS_H
#define HR_PATHS_H

#define HR_DEFAULT_DB        "/var/lib/headroom/headroom.db"
#define HR_DEFAULT_RRD_DIR   "/var/lib/headroom/rrd"
#define HR_DEFAULT_MAILDIR   "/var/lib/headroom/Maildir"
#define HR_DEFAULT_MAIL_FROM "headroom@localhost.localdomain"

#endif
