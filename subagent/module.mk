# subagent/module.mk: headroomd, the AgentX subagent, and its unit tests.
HDRMD_CORE := subagent/disks.c subagent/load.c subagent/devdb.c subagent/config.c \
              subagent/entity.c
HDRMD_SRC  := $(HDRMD_CORE) subagent/agent.c subagent/main.c
HDRMD_OBJ  := $(HDRMD_SRC:%.c=$(B)/%.o)
HDRMD_CORE_OBJ := $(HDRMD_CORE:%.c=$(B)/%.o)

$(B)/headroomd: $(HDRMD_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(AGENT_LIBS)
SBINS += $(B)/headroomd
MAN8 += subagent/headroomd.8

# Unit tests: the pure modules, no net-snmp.
$(B)/tests/test_subagent_load: $(B)/tests/subagent/test_load.o $(HDRMD_CORE_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_subagent_disks: $(B)/tests/subagent/test_disks.o $(HDRMD_CORE_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_conf: $(B)/tests/subagent/test_conf.o $(HDRMD_CORE_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_subagent_entity: $(B)/tests/subagent/test_entity.o $(HDRMD_CORE_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_statefile: $(B)/tests/subagent/test_statefile.o $(HDRMD_CORE_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
TEST_BINS += $(B)/tests/test_subagent_entity $(B)/tests/test_statefile
TEST_BINS += $(B)/tests/test_subagent_load $(B)/tests/test_subagent_disks $(B)/tests/test_conf

INSTALL_TARGETS += install-subagent
.PHONY: install-subagent
install-subagent:
	install -d $(DESTDIR)$(SYSCONFDIR)/headroom $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	install -m 644 subagent/headroomd.conf.example $(DESTDIR)$(DOCDIR)/headroomd.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/headroom/headroomd.conf || \
	    install -m 644 subagent/headroomd.conf.example $(DESTDIR)$(SYSCONFDIR)/headroom/headroomd.conf
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' subagent/headroomd.service \
	    > $(DESTDIR)$(UNITDIR)/headroomd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/headroomd.service
