# check/module.mk: check_headroom, the Monitoring Plugins check.

# check_headroom ---------------------------------------------------------------
# The Monitoring Plugins check (check/check_headroom.c: the SNMP client and,
# for devices without our MIB, the device profiles) and the unit test of its range parser, which includes the
# .c so it can reach the static functions.
CHECK_LINK_OBJ := $(PROFILES_DEV_OBJ) $(PROFILES_OBJ) $(SNMP_CLIENT_OBJ) $(COMMON_LIB)
$(B)/check_headroom: $(B)/check/check_headroom.o $(CHECK_LINK_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS) -lm

$(B)/tests/check/test_check_range.o: check/check_headroom.c
$(B)/check/%.o $(B)/tests/check/%.o: ALL_CFLAGS += -I$(TOP)/snmp -I$(TOP)/profiles
$(B)/tests/test_check_range: $(B)/tests/check/test_check_range.o $(CHECK_LINK_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS) -lm

BINS      += $(B)/check_headroom
TEST_BINS += $(B)/tests/test_check_range
MAN1      += check/check_headroom.1

# Monitoring systems look for plug-ins in their own directory (Debian's
# monitoring-plugins: /usr/lib/nagios/plugins): link it there, and ship the
# NMS files (Zabbix templates, snmpsim record) with the documentation.
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
INSTALL_TARGETS += install-check-headroom
.PHONY: install-check-headroom
install-check-headroom: $(B)/check_headroom
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(DOCDIR)/contrib/zabbix $(DESTDIR)$(DOCDIR)/contrib/snmpsim
	ln -sf $(BINDIR)/check_headroom $(DESTDIR)$(PLUGINDIR)/check_headroom
	install -m 644 contrib/README.md $(DESTDIR)$(DOCDIR)/contrib/
	install -m 644 contrib/zabbix/*.yaml $(DESTDIR)$(DOCDIR)/contrib/zabbix/
	install -m 644 contrib/snmpsim/headroom-device.snmprec $(DESTDIR)$(DOCDIR)/contrib/snmpsim/
# libFuzzer harness of the range parser, the sanitizer and the cell
# decoder: `make fuzz-check`, then build/fuzz/fuzz_check -max_total_time=60.
# Needs clang; not part of `make check` (the unit test runs a torture).
FUZZ_CC ?= clang
FUZZ_CHECK_SRC := tests/check/fuzz_check.c common/hr_util.c common/hr_buf.c common/log.c common/hr_hash.c \
                  snmp/session.c snmp/decode.c snmp/sync.c profiles/parse.c profiles/set.c \
                  profiles/read.c profiles/device.c
$(B)/fuzz/fuzz_check: $(FUZZ_CHECK_SRC) check/check_headroom.c $(OIDS_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Icommon -Isnmp -Iprofiles \
	    -I$(B)/gen $(SNMP_CFLAGS) -DHEADROOM_VERSION='"$(VERSION)"' \
	    -DHEADROOM_DATADIR='"$(DATADIR)"' -DHEADROOM_SYSCONFDIR='"$(SYSCONFDIR)"' \
	    -o $@ $(FUZZ_CHECK_SRC) $(SNMP_LIBS) -lm
.PHONY: fuzz-check
fuzz-check: $(B)/fuzz/fuzz_check
# end check_headroom -----------------------------------------------------------

