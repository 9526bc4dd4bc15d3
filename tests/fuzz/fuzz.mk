# tests/fuzz/fuzz.mk: fuzz targets of the parsers of untrusted input, and
# their corpora replayed in `make check`.
#
# Each harness tests/fuzz/fuzz_NAME.c (and tests/check/fuzz_check.c) is a
# libFuzzer entry point (LLVMFuzzerTestOneInput).  Two builds of each:
#   $(B)/tests/test_fuzz_NAME   the harness with tests/fuzz/replay.c: replays
#                               tests/fuzz/corpus/NAME (a TEST_BIN: `make
#                               check`, and under ASan/UBSan `make check-asan`)
#   $(B)/fuzz/fuzz_NAME         the harness with libFuzzer, everything built
#                               by clang with coverage: `make fuzz` (build-fuzz/)
#   build-fuzz/fuzz/fuzz_import tests/fuzz/corpus/import -max_total_time=60
# NAME: import (the CSV importers: fleet, customers, history, catalog,
# stock), conf (headroom.conf, headroomd.conf), subagent (headroomd's state
# file, /proc/diskstats, mountinfo, sysfs attributes), check
# (check_headroom's ranges, strings and cells), polls (the packed raw
# polls' block format, db/polls.c).
FUZZ_NAMES := import conf subagent check polls

$(B)/tests/fuzz/replay_%.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFUZZ_NAME='"$*"' -DFUZZ_CORPUS='"$(TOP)/tests/fuzz/corpus/$*"' \
	    -c -o $@ $<
$(B)/tests/fuzz/%.o: ALL_CFLAGS += -I$(TOP)/cli -I$(TOP)/db -I$(TOP)/subagent
$(B)/tests/fuzz/fuzz_check.o: tests/check/fuzz_check.c check/check_headroom.c $(OIDS_H)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SNMP_CFLAGS) -I$(TOP)/snmp -I$(TOP)/profiles -MMD -MP -c -o $@ $<

FUZZ_IMPORT_DEPS := $(filter-out $(B)/cli/main.o,$(HEADROOM_OBJ)) $(COMMON_LIB)
FUZZ_CONF_DEPS := $(B)/cli/settings.o $(HDRMD_CORE_OBJ) $(COMMON_LIB)
FUZZ_SUBAGENT_DEPS := $(HDRMD_CORE_OBJ) $(COMMON_LIB)
FUZZ_CHECK_DEPS := $(CHECK_LINK_OBJ)

$(B)/tests/test_fuzz_import: $(B)/tests/fuzz/fuzz_import.o $(B)/tests/fuzz/replay_import.o \
                             $(FUZZ_IMPORT_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(sort $(HEADROOM_LIBS))
$(B)/tests/test_fuzz_conf: $(B)/tests/fuzz/fuzz_conf.o $(B)/tests/fuzz/replay_conf.o $(FUZZ_CONF_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_fuzz_subagent: $(B)/tests/fuzz/fuzz_subagent.o $(B)/tests/fuzz/replay_subagent.o \
                               $(FUZZ_SUBAGENT_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/test_fuzz_check: $(B)/tests/fuzz/fuzz_check.o $(B)/tests/fuzz/replay_check.o \
                            $(FUZZ_CHECK_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS) -lm
$(B)/tests/test_fuzz_polls: $(B)/tests/fuzz/fuzz_polls.o $(B)/tests/fuzz/replay_polls.o \
                            $(DB_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_LIBS)
TEST_BINS += $(FUZZ_NAMES:%=$(B)/tests/test_fuzz_%)

# libFuzzer builds (B=build-fuzz, everything compiled by clang with
# -fsanitize=fuzzer-no-link so the whole parser is covered).
$(B)/fuzz/fuzz_import: $(B)/tests/fuzz/fuzz_import.o $(FUZZ_IMPORT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(sort $(HEADROOM_LIBS))
$(B)/fuzz/fuzz_conf: $(B)/tests/fuzz/fuzz_conf.o $(FUZZ_CONF_DEPS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^
$(B)/fuzz/fuzz_subagent: $(B)/tests/fuzz/fuzz_subagent.o $(FUZZ_SUBAGENT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^
$(B)/fuzz/fuzz_polls: $(B)/tests/fuzz/fuzz_polls.o $(DB_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(SQL_LIBS)
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
.PHONY: fuzz
fuzz:
	$(MAKE) B=build-fuzz CC=$(FUZZ_CC) SAN='$(FUZZ_SAN)' CFLAGS='-O1 -g' \
	    build-fuzz/fuzz/fuzz_import build-fuzz/fuzz/fuzz_conf build-fuzz/fuzz/fuzz_subagent \
	    build-fuzz/fuzz/fuzz_polls
	$(MAKE) fuzz-check fuzz-profiles
