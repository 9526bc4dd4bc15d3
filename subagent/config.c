/* config.c: headroomd.conf; see config.h and headroomd.conf.example. */
#include "config.h"
#include "disks.h"
#include "hr_util.h"

#include <stdlib.h>
#include <string.h>

static const struct hr_conf_key keys[] = {
    /* global */
    { "window", HR_CONF_UINT, HR_CONF_GLOBAL, 1, 86400 },
    { "reset-time", HR_CONF_TIMEOFDAY, HR_CONF_GLOBAL, 0, 0 },
    { "state-dir", HR_CONF_STRING, HR_CONF_GLOBAL, 0, 1024 },
    { "cache-timeout", HR_CONF_UINT, HR_CONF_GLOBAL, 1, 3600 },
    { "agentx-socket", HR_CONF_STRING, HR_CONF_GLOBAL, 0, 1024 },
    { "agentx-ping-interval", HR_CONF_UINT, HR_CONF_GLOBAL, 1, 3600 },
    { "include-empty", HR_CONF_BOOL, HR_CONF_GLOBAL, 0, 1 },
    { "ignore-devices", HR_CONF_STRING, HR_CONF_GLOBAL, 0, 4096 },
    { "user", HR_CONF_STRING, HR_CONF_GLOBAL, 0, 64 },
    { "entity-mib", HR_CONF_BOOL, HR_CONF_GLOBAL, 0, 1 },
    /* [device SERIAL] and [device *]; lengths are the MIB's */
    { "customer-id", HR_CONF_STRING, HR_CONF_SECTION, 0, 64 },
    { "model-number", HR_CONF_STRING, HR_CONF_SECTION, 0, 64 },
    { "product-number", HR_CONF_STRING, HR_CONF_SECTION, 0, 64 },
    { "sale-date", HR_CONF_DATE, HR_CONF_SECTION, 0, 0 },
    { "price", HR_CONF_STRING, HR_CONF_SECTION, 0, 32 },
    { "cache-size", HR_CONF_SIZE, HR_CONF_SECTION, 0, UINT64_MAX },
    { "configuration", HR_CONF_STRING, HR_CONF_SECTION, 0, 255 },
    { "registration-number", HR_CONF_STRING, HR_CONF_SECTION, 0, 32 },
    { "vendor", HR_CONF_STRING, HR_CONF_SECTION, 0, DISK_VENDOR_SZ - 1 },
    { "model-name", HR_CONF_STRING, HR_CONF_SECTION, 0, DISK_MODEL_SZ - 1 },
};

static const char *const section_types[] = { "device", NULL };

static const struct hr_conf_schema schema = {
    keys, HR_ARRAY_LEN(keys), section_types,
};

static int set_ignore(struct hdrm_config *cfg, const char *list)
{
    char *copy = strdup(list), *save = NULL;

    if (!copy)
        return -1;
    for (char *t = strtok_r(copy, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
        char **nv = realloc(cfg->ignore, (cfg->nignore + 1) * sizeof *nv);
        if (!nv || !(nv[cfg->nignore] = strdup(t))) {
            if (nv)
                cfg->ignore = nv;
            free(copy);
            return -1;
        }
        cfg->ignore = nv;
        cfg->nignore++;
    }
    free(copy);
    return 0;
}

int hdrm_config_load(struct hdrm_config *cfg, const char *path, char **errs)
{
    const struct hr_conf_section *g;
    const struct hr_conf_item *it;

    memset(cfg, 0, sizeof *cfg);
    cfg->window = 60;
    cfg->state_dir = HDRM_DEFAULT_STATE_DIR;
    cfg->cache_timeout = 5;
    cfg->ping_interval = 15;
    cfg->entity_mib = 1;
    if (errs)
        *errs = NULL;
    if (path) {
        cfg->conf = hr_conf_load(path, &schema, errs);
        if (!cfg->conf)
            return -1;
    }
    g = hr_conf_section_find(cfg->conf, NULL, NULL);
    if ((it = hr_conf_item_find(g, "window")))
        cfg->window = (uint32_t)it->num;
    if ((it = hr_conf_item_find(g, "reset-time")))
        cfg->reset_min = (unsigned)it->num;
    if ((it = hr_conf_item_find(g, "state-dir")))
        cfg->state_dir = it->value;
    if ((it = hr_conf_item_find(g, "cache-timeout")))
        cfg->cache_timeout = (unsigned)it->num;
    if ((it = hr_conf_item_find(g, "agentx-socket")))
        cfg->agentx_socket = it->value;
    if ((it = hr_conf_item_find(g, "agentx-ping-interval")))
        cfg->ping_interval = (unsigned)it->num;
    if ((it = hr_conf_item_find(g, "include-empty")))
        cfg->include_empty = (int)it->num;
    if ((it = hr_conf_item_find(g, "user")))
        cfg->user = it->value;
    if ((it = hr_conf_item_find(g, "entity-mib")))
        cfg->entity_mib = (int)it->num;
    it = hr_conf_item_find(g, "ignore-devices");
    if (it) {
        if (set_ignore(cfg, it->value) < 0)
            goto out_oom;
    } else {
        for (size_t i = 0; i < disks_default_nignore; i++)
            if (set_ignore(cfg, disks_default_ignore[i]) < 0)
                goto out_oom;
    }
    return 0;
out_oom:
    if (errs)
        *errs = strdup("out of memory\n");
    hdrm_config_free(cfg);
    return -1;
}

void hdrm_config_free(struct hdrm_config *cfg)
{
    for (size_t i = 0; i < cfg->nignore; i++)
        free(cfg->ignore[i]);
    free(cfg->ignore);
    hr_conf_free(cfg->conf);
    memset(cfg, 0, sizeof *cfg);
}

const struct hr_conf_item *hdrm_config_dev(const struct hdrm_config *cfg, const char *key,
                                           const char *name)
{
    const struct hr_conf_item *it;

    if (!cfg->conf)
        return NULL;
    it = hr_conf_item_find(hr_conf_section_find(cfg->conf, "device", key), name);
    if (!it)
        it = hr_conf_item_find(hr_conf_section_find(cfg->conf, "device", "*"), name);
    return it;
}
