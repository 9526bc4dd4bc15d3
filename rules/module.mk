# ==== rules: rule language, forecast, evaluation (owner: rules-lang) ========
# The engine is a static library, $(RULES_LIB), with no dependency beyond
# libm and $(COMMON_LIB): the proposal layer, the benchmark and the fuzz
# harness link it.  $(RULES_DB_OBJ) loads devices' facts from the fleet
# database (db/facts.h; facts_db.h).  `headroom rules` is $(RULES_CMD_OBJ).
RULES_LANG_SRC := rules/lexer.c rules/parser.c rules/eval.c rules/forecast.c
RULES_LANG_OBJ := $(RULES_LANG_SRC:%.c=$(B)/%.o)
RULES_LIB      := $(B)/librules.a
RULES_CMD_OBJ  := $(B)/rules/cmd_rules.o
# The database side (through db/facts.h): facts of the fleet's devices.
RULES_DB_OBJ   := $(B)/rules/facts_db.o

$(RULES_LIB): $(RULES_LANG_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# For the `headroom` link (cli/module.mk): objects and libraries the
# rules module contributes.
HEADROOM_OBJ   += $(RULES_CMD_OBJ) $(RULES_DB_OBJ) $(RULES_LANG_OBJ)
HEADROOM_LIBS  += -lm

$(B)/rules/%.o: ALL_CFLAGS += -I$(TOP)/cli -I$(TOP)/db
$(B)/tests/rules/%.o: ALL_CFLAGS += -I$(TOP)/rules

RULES_TEST_LIBS := $(RULES_LIB) $(COMMON_LIB) -lm

$(B)/tests/test_rules_forecast: $(B)/tests/rules/test_forecast.o $(RULES_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(RULES_TEST_LIBS)
$(B)/tests/test_rules_parse: $(B)/tests/rules/test_parse.o $(RULES_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(RULES_TEST_LIBS)
$(B)/tests/test_rules_eval: $(B)/tests/rules/test_eval.o $(RULES_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(RULES_TEST_LIBS)
# Hostile inputs and the fuzz corpus, replayed through the harness (the
# same code libFuzzer runs) in the normal and the ASan build.
$(B)/tests/test_rules_hostile: $(B)/tests/rules/test_hostile.o $(B)/rules/fuzz/fuzz_rules.o \
                               $(RULES_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/rules/fuzz/fuzz_rules.o $(RULES_TEST_LIBS)
# Allocation torture: our code's malloc/realloc/calloc fail in turn.
$(B)/tests/test_rules_torture: $(B)/tests/rules/test_torture.o $(RULES_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc -o $@ $< \
	    $(RULES_TEST_LIBS)
TEST_BINS += $(B)/tests/test_rules_forecast $(B)/tests/test_rules_parse \
             $(B)/tests/test_rules_eval $(B)/tests/test_rules_hostile \
             $(B)/tests/test_rules_torture

# Benchmark driver (bench/rules.sh builds and runs it).
$(B)/bench/rules_bench: $(B)/tests/rules/bench_rules.o $(RULES_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(RULES_TEST_LIBS)

# libFuzzer harness: `make fuzz-rules`, then
#   build/fuzz/fuzz_rules rules/fuzz/corpus -max_total_time=60
# Needs clang and libclang-rt-14-dev; not part of `make check`.
FUZZ_CC ?= clang
$(B)/fuzz/fuzz_rules: rules/fuzz/fuzz_rules.c $(RULES_LANG_SRC) common/hr_util.c rules/lang.h \
                      rules/lang_int.h rules/forecast.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Icommon \
	    -o $@ rules/fuzz/fuzz_rules.c $(RULES_LANG_SRC) common/hr_util.c -lm
.PHONY: fuzz-rules
fuzz-rules: $(B)/fuzz/fuzz_rules

MAN1 += rules/headroom-rules.1

# The shipped rules are data, replaced on upgrade; a site's own rules go
# elsewhere and are named by 'rules' in headroom.conf.
install-rules:
	install -d $(DESTDIR)$(DATADIR)/headroom $(DESTDIR)$(DOCDIR)
	install -m 644 rules/default.rules $(DESTDIR)$(DATADIR)/headroom/default.rules
	install -m 644 docs/rules.md $(DESTDIR)$(DOCDIR)/rules.md
INSTALL_TARGETS += install-rules
all: $(RULES_LIB)
# ==== end rules-lang =========================================================
