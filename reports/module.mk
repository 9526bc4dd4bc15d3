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
# end check_headroom -----------------------------------------------------------
