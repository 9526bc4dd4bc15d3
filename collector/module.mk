# collector/module.mk: the fleet inventory (fleet.c), the asynchronous
# poller engine (poller.c, contract in poller.h), `headroom poll` (poll.c),
# the store of samples, registration and RRD files (store.c) and `headroom
# history` (history.c).

# The poller engine and hr-polltest, its test and benchmark driver (not
# installed).  Link POLLER_OBJ with $(POLLER_DEPS) and $(SNMP_LIBS) -lm: the
# engine reads agents without our MIB through the device profiles.
POLLER_OBJ := $(B)/collector/poller.o
POLLER_DEPS := $(PROFILES_DEV_OBJ) $(PROFILES_OBJ) $(SNMP_CLIENT_OBJ)
COLLECTOR_CORE_OBJ := $(B)/collector/store.o
COLLECTOR_CMD_OBJ  := $(B)/collector/fleet.o $(B)/collector/history.o $(B)/collector/poll.o

HEADROOM_OBJ  += $(COLLECTOR_CMD_OBJ) $(COLLECTOR_CORE_OBJ) $(POLLER_OBJ)
HEADROOM_LIBS += $(SNMP_LIBS) $(RRD_LIBS) $(SQL_LIBS)

$(B)/collector/%.o: ALL_CFLAGS += -I$(TOP)/cli -I$(TOP)/db -I$(TOP)/profiles

$(B)/tests/hr-polltest: $(B)/collector/polltest.o $(POLLER_OBJ) $(POLLER_DEPS) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS) -lm
all: $(B)/tests/hr-polltest

# ---- tests ------------------------------------------------------------------
# Unit tests of poller.c's static parts (the test includes the .c).
$(B)/tests/test_poller: $(B)/tests/collector/test_poller.o $(POLLER_DEPS) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS) -lm
$(B)/tests/test_store: $(B)/tests/collector/test_store.o $(COLLECTOR_CORE_OBJ) $(DB_OBJ) \
                      $(PROFILES_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RRD_LIBS) $(SQL_LIBS) -lm
TEST_BINS += $(B)/tests/test_poller $(B)/tests/test_store
$(B)/tests/collector/%.o: ALL_CFLAGS += -I$(TOP)/collector -I$(TOP)/cli -I$(TOP)/db -I$(TOP)/profiles

INSTALL_TARGETS += install-collector
.PHONY: install-collector
install-collector:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 docs/collector.md docs/poller.md $(DESTDIR)$(DOCDIR)/
