# propose/module.mk
# proposals
# Catalogues, stock check, routing, proposals and their mail (owner:
# proposals; docs/proposals.md).  PROPOSE_OBJ is the library part the unit
# tests link; the commands are catalog, stock, propose and proposals.
PROPOSE_OBJ     := $(B)/propose/stock.o $(B)/propose/route.o $(B)/propose/proposal_mail.o
PROPOSE_CMD_OBJ := $(B)/propose/catalog.o $(B)/propose/propose.o
HEADROOM_OBJ    += $(PROPOSE_OBJ) $(PROPOSE_CMD_OBJ)

$(B)/propose/%.o: ALL_CFLAGS += -I$(TOP)/cli -I$(TOP)/db -I$(TOP)/rules -I$(TOP)/mail
$(B)/tests/propose/%.o: ALL_CFLAGS += -I$(TOP)/propose -I$(TOP)/db -I$(TOP)/mail

# Unit tests of the pure parts (stock answer, dates, routing).
$(B)/tests/test_propose_stock: $(B)/tests/propose/test_stock.o $(B)/propose/stock.o \
                               $(DB_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_LIBS)
$(B)/tests/test_propose_route: $(B)/tests/propose/test_route.o $(B)/propose/route.o \
                               $(DB_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_LIBS)
# The proposal graph (common/hr_rrd.c, hr_rrd_graph_usage) against librrd.
$(B)/tests/test_propose_graph: $(B)/tests/propose/test_graph.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RRD_LIBS) -lz -lm
TEST_BINS += $(B)/tests/test_propose_stock $(B)/tests/test_propose_route \
             $(B)/tests/test_propose_graph

.PHONY: install-proposals
install-proposals:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 docs/proposals.md $(DESTDIR)$(DOCDIR)/proposals.md
INSTALL_TARGETS += install-proposals
# end proposals
