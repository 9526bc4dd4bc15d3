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
# libFuzzer harness of the range parser, the sanitizer and the cell
# decoder: `make fuzz-check`, then build/fuzz/fuzz_check -max_total_time=60.
# Needs clang; not part of `make check` (the unit test runs a torture).
FUZZ_CC ?= clang
$(B)/fuzz/fuzz_check: tests/check/fuzz_check.c reports/check_headroom.c common/hr_util.c $(OIDS_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Icommon -I$(B)/gen \
	    $(SNMP_CFLAGS) -DHEADROOM_VERSION='"$(VERSION)"' \
	    -o $@ tests/check/fuzz_check.c common/hr_util.c $(SNMP_LIBS) -lm
.PHONY: fuzz-check
fuzz-check: $(B)/fuzz/fuzz_check
# end check_headroom -----------------------------------------------------------

# reports ----------------------------------------------------------------------
# `headroom report customer|fleet` (reports/report*.c): the document model,
# its text/CSV/HTML renderers and the two reports, linked into headroom
# (main.c finds hr_cmd_report through its weak reference).  The unit test
# of the renderers links the model and renderers alone.
REPORT_DOC_OBJ := $(B)/reports/report_doc.o $(B)/reports/report_text.o \
                  $(B)/reports/report_csv.o $(B)/reports/report_html.o
REPORT_OBJ     := $(B)/reports/report.o $(B)/reports/report_customer.o \
                  $(B)/reports/report_fleet.o $(REPORT_DOC_OBJ)
HEADROOM_OBJ   += $(REPORT_OBJ)
HEADROOM_LIBS  += $(RRD_LIBS) $(SQL_LIBS) -lm

$(B)/tests/test_report_doc: $(B)/tests/reports/test_report_doc.o $(REPORT_DOC_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
$(B)/tests/reports/test_report_doc.o: ALL_CFLAGS += -I$(TOP)/reports
TEST_BINS += $(B)/tests/test_report_doc

INSTALL_TARGETS += install-reports
.PHONY: install-reports
install-reports:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 docs/reports.md $(DESTDIR)$(DOCDIR)/reports.md
# end reports ------------------------------------------------------------------
