# db/module.mk: the SQLite layer, the only module that includes sqlite3.h:
# the handle and its statement cache (db.c), the migration runner and list
# (schema.c) with one schema file per module (schema_*.c), all-or-nothing
# CSV import (import.c), the typed queries of each area (inventory.c,
# samples.c, listing.c), and `headroom db` (cmd_db.c).  DB_OBJ is what
# other modules and their unit tests link, with $(SQL_LIBS).
# docs/collector.md, "The storage interface", describes what db/ exports.
DB_SRC := $(filter-out db/cmd_db.c,$(wildcard db/*.c))
DB_OBJ := $(DB_SRC:%.c=$(B)/%.o)
HEADROOM_OBJ  += $(DB_OBJ) $(B)/db/cmd_db.o
HEADROOM_LIBS += $(SQL_LIBS)

$(B)/db/%.o: ALL_CFLAGS += -I$(TOP)/cli

# Unit tests of the db layer through its headers (tests/db/).
$(B)/tests/test_db: $(B)/tests/db/test_db.o $(DB_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_LIBS)
TEST_BINS += $(B)/tests/test_db
$(B)/tests/test_polls: $(B)/tests/db/test_polls.o $(DB_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_LIBS)
TEST_BINS += $(B)/tests/test_polls
$(B)/tests/db/%.o: ALL_CFLAGS += -I$(TOP)/db -I$(TOP)/cli
