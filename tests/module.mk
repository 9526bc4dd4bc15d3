# tests/module.mk: C unit tests of common/.  Each module adds its own test
# programs (tests/MODULE/) to TEST_BINS in its module.mk.
$(B)/tests/test_util: $(B)/tests/common/test_util.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_csv: $(B)/tests/common/test_csv.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
TEST_BINS += $(B)/tests/test_util $(B)/tests/test_csv
include tests/fuzz/fuzz.mk
