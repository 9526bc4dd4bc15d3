# ==== rules: rule language, forecast, evaluation (owner: rules-lang) ========
# The engine is a static library, $(RULES_LIB), with no dependency beyond
# libm and $(COMMON_LIB): the proposal layer, the benchmark and the fuzz
# harness link it.  $(RULES_DB_OBJ) loads devices' facts from the fleet
# database (sqlite3; facts_db.h).  `headroom rules` is $(RULES_CMD_OBJ).
RULES_LANG_SRC := rules/lexer.c rules/parser.c rules/eval.c rules/forecast.c
RULES_LANG_OBJ := $(RULES_LANG_SRC:%.c=$(B)/%.o)
RULES_LIB      := $(B)/librules.a
RULES_CMD_OBJ  := $(B)/rules/cmd_rules.o
# The database side (sqlite3): facts of the fleet's devices.
RULES_DB_OBJ   := $(B)/rules/facts_db.o

$(RULES_LIB): $(RULES_LANG_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# For the `headroom` link (collector/module.mk): objects and libraries the
# rules module contributes.
HEADROOM_OBJ   += $(RULES_CMD_OBJ) $(RULES_DB_OBJ) $(RULES_LANG_OBJ)
HEADROOM_LIBS  += -lm

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
# ==== mail: MIME composition, outbox, SMTP (libesmtp), Maildir (owner: mail) ==
# MAIL_OBJ is the library part (compose, outbox, transports); the proposal
# layer links it.  `headroom mail` is $(MAIL_CMD_OBJ).  Link with
# $(MAIL_LIBS).
MAIL_OBJ     := $(B)/rules/mime.o $(B)/rules/outbox.o $(B)/rules/smtp.o $(B)/rules/maildir.o
MAIL_CMD_OBJ := $(B)/rules/cmd_mail.o
# smtp.c gives libesmtp an SSL_CTX of its own (see there); libssl-dev comes
# with libesmtp-dev.
MAIL_LIBS    := $(ESMTP_LIBS) $(shell pkg-config --libs openssl 2>/dev/null) $(SQL_LIBS)

HEADROOM_OBJ  += $(MAIL_CMD_OBJ) $(MAIL_OBJ)
HEADROOM_LIBS += $(MAIL_LIBS)

$(B)/tests/test_mail_mime: $(B)/tests/mail/test_mime.o $(MAIL_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MAIL_LIBS)
$(B)/tests/test_mail_outbox: $(B)/tests/mail/test_outbox.o $(MAIL_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MAIL_LIBS)
TEST_BINS += $(B)/tests/test_mail_mime $(B)/tests/test_mail_outbox

.PHONY: install-mail
install-mail:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 docs/mail.md $(DESTDIR)$(DOCDIR)/mail.md
INSTALL_TARGETS += install-mail
# ==== end mail ===============================================================
# proposals
# Catalogues, stock check, routing, proposals and their mail (owner:
# proposals; docs/proposals.md).  PROPOSE_OBJ is the library part the unit
# tests link; the commands are catalog, stock, propose and proposals.
PROPOSE_OBJ     := $(B)/rules/stock.o $(B)/rules/route.o $(B)/rules/proposal_mail.o
PROPOSE_CMD_OBJ := $(B)/rules/catalog.o $(B)/rules/propose.o
HEADROOM_OBJ    += $(PROPOSE_OBJ) $(PROPOSE_CMD_OBJ)

# Unit tests of the pure parts (stock answer, dates, routing).
$(B)/tests/test_propose_stock: $(B)/tests/propose/test_stock.o $(B)/rules/stock.o \
                               $(B)/collector/import.o $(B)/collector/db.o \
                               $(B)/collector/schema.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_LIBS)
$(B)/tests/test_propose_route: $(B)/tests/propose/test_route.o $(B)/rules/route.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_LIBS)
# The proposal graph (common/hr_rrd.c, hr_rrd_graph_usage) against librrd.
$(B)/tests/test_propose_graph: $(B)/tests/propose/test_graph.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RRD_LIBS) -lm
TEST_BINS += $(B)/tests/test_propose_stock $(B)/tests/test_propose_route \
             $(B)/tests/test_propose_graph

.PHONY: install-proposals
install-proposals:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 docs/proposals.md $(DESTDIR)$(DOCDIR)/proposals.md
INSTALL_TARGETS += install-proposals
# end proposals
