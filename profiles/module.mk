# profiles/module.mk: device profiles (docs/profiles.md): the format's
# parser, the set loaded from the profile directories, the placeholder
# serials, the reading rules (read.c), detection and the synchronous
# reading of one agent (device.c, over snmp/), and `headroom profiles`.  The shipped profiles (*.profile) are
# data, installed in $(DATADIR)/headroom/profiles.  PROFILES_OBJ links with
# $(COMMON_LIB) only.
PROFILES_OBJ     := $(B)/profiles/parse.o $(B)/profiles/set.o $(B)/profiles/read.o
# Reading an agent through the profiles over the SNMP client (device.c):
# link PROFILES_DEV_OBJ with $(SNMP_CLIENT_OBJ) and $(SNMP_LIBS).
PROFILES_DEV_OBJ := $(B)/profiles/device.o
PROFILES_CMD_OBJ := $(B)/profiles/cmd_profiles.o
HEADROOM_OBJ     += $(PROFILES_OBJ) $(PROFILES_DEV_OBJ) $(PROFILES_CMD_OBJ)
HEADROOM_LIBS    += -lm

$(B)/profiles/cmd_profiles.o: ALL_CFLAGS += -I$(TOP)/cli -I$(TOP)/snmp
$(B)/profiles/device.o: ALL_CFLAGS += -I$(TOP)/snmp
$(B)/tests/profiles/%.o: ALL_CFLAGS += -I$(TOP)/profiles

$(B)/tests/test_profiles: $(B)/tests/profiles/test_profiles.o $(B)/tests/profiles/fuzz_profiles.o \
                          $(PROFILES_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
$(B)/tests/test_profile_read: $(B)/tests/profiles/test_read.o $(PROFILES_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
TEST_BINS += $(B)/tests/test_profiles $(B)/tests/test_profile_read

# libFuzzer harness: `make fuzz-profiles`, then
#   build/fuzz/fuzz_profiles tests/profiles/corpus -max_total_time=60
# Needs clang and libclang-rt-14-dev; the corpus is replayed by test_profiles.
FUZZ_CC ?= clang
$(B)/fuzz/fuzz_profiles: tests/profiles/fuzz_profiles.c profiles/parse.c common/hr_util.c \
                         common/hr_buf.c common/log.c profiles/profile.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Icommon -Iprofiles \
	    -o $@ tests/profiles/fuzz_profiles.c profiles/parse.c common/hr_util.c \
	    common/hr_buf.c common/log.c
.PHONY: fuzz-profiles
fuzz-profiles: $(B)/fuzz/fuzz_profiles

INSTALL_TARGETS += install-profiles
.PHONY: install-profiles
install-profiles:
	install -d $(DESTDIR)$(DATADIR)/headroom/profiles $(DESTDIR)$(SYSCONFDIR)/headroom/profiles \
	    $(DESTDIR)$(DOCDIR)
	install -m 644 profiles/*.profile $(DESTDIR)$(DATADIR)/headroom/profiles/
	install -m 644 docs/profiles.md $(DESTDIR)$(DOCDIR)/
