# tests/module.mk: C unit tests of common/.  Each module adds its own test
# programs (tests/MODULE/) to TEST_BINS in its module.mk.
$(B)/tests/test_util: $(B)/tests/common/test_util.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_csv: $(B)/tests/common/test_csv.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
# The graph pool (common/hr_graph_pool.c, included by the test) against librrd.
$(B)/tests/test_graph_pool: $(B)/tests/common/test_graph_pool.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RRD_LIBS) -lm
# The RRD writer through a private rrdcached (common/hr_rrdc.c included).
$(B)/tests/test_rrd_batch: $(B)/tests/common/test_rrd_batch.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RRD_LIBS) -lm
TEST_BINS += $(B)/tests/test_rrd_batch
TEST_BINS += $(B)/tests/test_util $(B)/tests/test_csv $(B)/tests/test_graph_pool
include tests/fuzz/fuzz.mk
