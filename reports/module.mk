# reports/module.mk: the reports and the check plug-in.

# check_headroom ---------------------------------------------------------------
# The Monitoring Plugins check (reports/check_headroom.c, net-snmp client
# library only) and the unit test of its range parser, which includes the
# .c so it can reach the static functions.
$(B)/check_headroom: $(B)/reports/check_headroom.o $(COMMON_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS) -lm

$(B)/tests/check/test_check_range.o: reports/check_headroom.c
$(B)/tests/test_check_range: $(B)/tests/check/test_check_range.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS) -lm

BINS      += $(B)/check_headroom
TEST_BINS += $(B)/tests/test_check_range
MAN1      += reports/check_headroom.1

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
# end check_headroom -----------------------------------------------------------
