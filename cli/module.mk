# cli/module.mk: the `headroom` command: global options, the command table
# (cmd.h), settings (headroom.conf, settings.c) and the output helpers the
# commands share.  Every module appends its command objects to HEADROOM_OBJ
# and its link flags to HEADROOM_LIBS in its own module.mk; the link rule
# reads both with secondary expansion, so the order in which the fragments
# are included does not matter.
CLI_OBJ := $(B)/cli/main.o $(B)/cli/output.o $(B)/cli/settings.o
HEADROOM_OBJ += $(CLI_OBJ)

$(B)/cli/%.o: ALL_CFLAGS += -I$(TOP)/db

.SECONDEXPANSION:
$(B)/headroom: $$(sort $$(HEADROOM_OBJ)) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(sort $(HEADROOM_OBJ)) $(COMMON_LIB) $(sort $(HEADROOM_LIBS))

BINS += $(B)/headroom
MAN1 += cli/headroom.1
MAN5 += cli/headroom.conf.5

# install ----------------------------------------------------------------------
# headroom's operations files (docs/operations.md): the config file and its
# man page, the systemd units (the poller as a daemon, mail flush and
# proposals on timers), the sysusers entry, example CSVs and the collector's
# documents.  @BINDIR@ and @SYSCONFDIR@ in the units are replaced here.  An
# existing $(SYSCONFDIR)/headroom/headroom.conf is never overwritten; the
# shipped one is the example, every line commented.
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
HEADROOM_UNITS := headroom-poll.service headroom-mail.service headroom-mail.timer \
                  headroom-propose.service headroom-propose.timer
INSTALL_TARGETS += install-cli
.PHONY: install-cli
install-cli:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(SYSCONFDIR)/headroom
	install -m 644 cli/headroom.sysusers $(DESTDIR)$(SYSUSERSDIR)/headroom.conf
	for u in $(HEADROOM_UNITS); do \
	    sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' cli/$$u \
	        > $(DESTDIR)$(UNITDIR)/$$u && chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	sed 's|@SYSCONFDIR@|$(SYSCONFDIR)|g; s|@DATADIR@|$(DATADIR)|g' cli/headroom.conf.example \
	    > $(DESTDIR)$(DOCDIR)/headroom.conf.example
	chmod 644 $(DESTDIR)$(DOCDIR)/headroom.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/headroom/headroom.conf || \
	    install -m 644 $(DESTDIR)$(DOCDIR)/headroom.conf.example \
	        $(DESTDIR)$(SYSCONFDIR)/headroom/headroom.conf
	install -m 644 propose/examples/*.csv $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 docs/operations.md docs/architecture.md $(DESTDIR)$(DOCDIR)/
