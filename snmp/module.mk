# snmp/module.mk: the one SNMP client (snmp.h: setup, credentials, USM keys
# with a cache, sessions for v1/v2c/v3; hdrm.h: cells into rows by column
# specs).  Used by the poller (collector/), check_headroom (check/) and
# their tests; the only other place that may include net-snmp's client
# headers is the poller's event loop.  Link SNMP_CLIENT_OBJ with
# $(SNMP_LIBS).
SNMP_CLIENT_OBJ := $(B)/snmp/session.o $(B)/snmp/decode.o $(B)/snmp/sync.o

HEADROOM_OBJ += $(SNMP_CLIENT_OBJ)

# ---- tests ------------------------------------------------------------------
$(B)/tests/test_snmp: $(B)/tests/snmp/test_snmp.o $(SNMP_CLIENT_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNMP_LIBS)
TEST_BINS += $(B)/tests/test_snmp
$(B)/tests/snmp/%.o: ALL_CFLAGS += -I$(TOP)/snmp
