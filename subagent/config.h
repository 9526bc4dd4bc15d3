/* config.h: headroomd's configuration (headroomd.conf), on top of the
 * generic hr_conf parser.  No SNMP here. */
#ifndef HDRM_CONFIG_H
#define HDRM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "hr_conf.h"

#define HDRM_DEFAULT_STATE_DIR "/var/lib/headroomd"

struct hdrm_config {
    struct hr_conf *conf;       /* NULL when no file was read */
    uint32_t window;            /* t, seconds */
    unsigned reset_min;         /* minutes after local midnight */
    const char *state_dir;
    unsigned cache_timeout;     /* seconds */
    const char *agentx_socket;  /* NULL: net-snmp's default */
    unsigned ping_interval;     /* AgentX ping / reconnect, seconds */
    int include_empty;
    char **ignore;              /* fnmatch patterns */
    size_t nignore;
    const char *user;           /* NULL: stay as started */
    int entity_mib;             /* serve ENTITY-MIB entPhysicalTable (default 1) */
};

/* Fill CFG with the defaults, then (PATH not NULL) with PATH's settings.
 * -1 and *ERRS (malloc'd "FILE:LINE: message" lines) on a bad file. */
int hdrm_config_load(struct hdrm_config *cfg, const char *path, char **errs);
void hdrm_config_free(struct hdrm_config *cfg);

/* The per-device setting NAME for the device with key KEY: from
 * [device KEY], else from [device *]; NULL if neither sets it. */
const struct hr_conf_item *hdrm_config_dev(const struct hdrm_config *cfg, const char *key,
                                           const char *name);

#endif
