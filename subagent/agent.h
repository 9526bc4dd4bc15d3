/* agent.h: the MIB objects headroomd serves (the only part of headroomd
 * that uses net-snmp's agent types; main.c owns the process). */
#ifndef HDRM_AGENT_H
#define HDRM_AGENT_H

#include "config.h"

/* Load the state file, scan the disks once, register the scalars and the
 * two tables, and start sampling every window.  Call after init_agent()
 * and before init_snmp().  0, or -1 after logging why. */
int hdrm_agent_start(const struct hdrm_config *cfg, const char *root, const char *state_file);

/* Save the state (on exit).  0 or -1 after logging. */
int hdrm_agent_save(void);

void hdrm_agent_stop(void);

#endif
