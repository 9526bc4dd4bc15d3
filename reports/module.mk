# reports/module.mk: `headroom report customer|fleet`.

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
# libcrypto (OpenSSL, which net-snmp links already): SHA-256 of long
# customer ids in report file names.
HEADROOM_LIBS  += $(RRD_LIBS) $(SQL_LIBS) -lm -lcrypto

$(B)/reports/%.o: ALL_CFLAGS += -I$(TOP)/cli -I$(TOP)/db -I$(TOP)/rules

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
