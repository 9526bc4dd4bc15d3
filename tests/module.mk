# tests/module.mk: C unit tests of common/.  Other modules add their own
# test programs to TEST_BINS in their module.mk.
$(B)/tests/test_util: $(B)/tests/unit/test_util.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
TEST_BINS += $(B)/tests/test_util
