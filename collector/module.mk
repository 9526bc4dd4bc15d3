# collector/module.mk: the `headroom` command (fleet inventory, polling,
# storage, history) and its tests.
#
# Other modules add their subcommands to the headroom binary by appending
# objects to HEADROOM_OBJ and link flags to HEADROOM_LIBS in their own
# module.mk; the link rule reads both with secondary expansion, so the order
# in which the fragments are included does not matter.  Objects are linked
# directly (not from an archive) because main.c finds the subcommands
# through weak references, which never pull members out of an archive.

# ---- poller (owned by the poller engine; exports POLLER_OBJ) ----------------
# poller
# The asynchronous poller engine (collector/poller.c, contract in poller.h)
# and hr-polltest, its test and benchmark driver (not installed).  Link
# POLLER_OBJ with $(SNMP_LIBS).
POLLER_OBJ := $(B)/collector/poller.o

$(B)/tests/hr-polltest: $(B)/collector/polltest.o $(POLLER_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS)

all: $(B)/tests/hr-polltest

# Unit tests of poller.c's static parts (the test includes the .c).
$(B)/tests/test_poller: $(B)/tests/poller/test_poller.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS)
TEST_BINS += $(B)/tests/test_poller
# end poller

# ---- collector core ---------------------------------------------------------
# The storage core, linked by headroom and by the unit tests.
COLLECTOR_CORE_OBJ := $(B)/collector/db.o $(B)/collector/schema.o $(B)/collector/store.o
COLLECTOR_CMD_OBJ  := $(B)/collector/main.o $(B)/collector/fleet.o $(B)/collector/import.o \
                      $(B)/collector/cli.o $(B)/collector/history.o $(B)/collector/dbcmd.o

# headroom poll needs the engine; until collector/poller.c exists the
# command is simply absent (main.c's weak reference stays NULL).
ifneq ($(wildcard collector/poller.c),)
COLLECTOR_CMD_OBJ  += $(B)/collector/poll.o
endif

HEADROOM_OBJ  += $(COLLECTOR_CMD_OBJ) $(COLLECTOR_CORE_OBJ) $(POLLER_OBJ)
HEADROOM_LIBS += $(SNMP_LIBS) $(RRD_LIBS) $(SQL_LIBS)

.SECONDEXPANSION:
$(B)/headroom: $$(sort $$(HEADROOM_OBJ)) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(sort $(HEADROOM_OBJ)) $(COMMON_LIB) $(HEADROOM_LIBS)

BINS += $(B)/headroom
MAN1 += collector/headroom.1

# ---- tests ------------------------------------------------------------------
$(B)/tests/test_store: $(B)/tests/collector/test_store.o $(COLLECTOR_CORE_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RRD_LIBS) $(SQL_LIBS)

$(B)/tests/test_csv: $(B)/tests/collector/test_csv.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

TEST_BINS += $(B)/tests/test_store $(B)/tests/test_csv

# The unit tests reach the collector's headers.
$(B)/tests/collector/test_store.o: ALL_CFLAGS += -I$(TOP)/collector

# install ----------------------------------------------------------------------
# headroom's operations files (owner: ops; docs/operations.md): the config
# file and its man page, the systemd units (the poller as a daemon, mail
# flush and proposals on timers), the sysusers entry, example CSVs and the
# collector's documents.  @BINDIR@ and @SYSCONFDIR@ in the units are
# replaced here.  An existing $(SYSCONFDIR)/headroom/headroom.conf is never
# overwritten; the shipped one is the example, every line commented.
MAN5 += collector/headroom.conf.5
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
HEADROOM_UNITS := headroom-poll.service headroom-mail.service headroom-mail.timer \
                  headroom-propose.service headroom-propose.timer
INSTALL_TARGETS += install-collector
.PHONY: install-collector
install-collector:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(SYSCONFDIR)/headroom
	install -m 644 collector/headroom.sysusers $(DESTDIR)$(SYSUSERSDIR)/headroom.conf
	for u in $(HEADROOM_UNITS); do \
	    sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' collector/$$u \
	        > $(DESTDIR)$(UNITDIR)/$$u && chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	sed 's|@SYSCONFDIR@|$(SYSCONFDIR)|g; s|@DATADIR@|$(DATADIR)|g' collector/headroom.conf.example \
	    > $(DESTDIR)$(DOCDIR)/headroom.conf.example
	chmod 644 $(DESTDIR)$(DOCDIR)/headroom.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/headroom/headroom.conf || \
	    install -m 644 $(DESTDIR)$(DOCDIR)/headroom.conf.example \
	        $(DESTDIR)$(SYSCONFDIR)/headroom/headroom.conf
	install -m 644 rules/examples/*.csv $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 docs/operations.md docs/collector.md docs/poller.md $(DESTDIR)$(DOCDIR)/
# end install ------------------------------------------------------------------
