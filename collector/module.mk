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

# ---- install: the poller's systemd unit ----
INSTALL_TARGETS += install-collector
.PHONY: install-collector
install-collector:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(PREFIX)/lib/sysusers.d
	install -m 644 collector/headroom.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/headroom.conf
	sed 's|@BINDIR@|$(BINDIR)|g' collector/headroom-poll.service \
	    > $(DESTDIR)$(UNITDIR)/headroom-poll.service
	chmod 644 $(DESTDIR)$(UNITDIR)/headroom-poll.service
