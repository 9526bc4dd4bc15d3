# headroom: top-level build.  GNU make.
#
#   make            build everything (binaries, generated MIB and OID header)
#   make demo       install dependencies, build, run the demo
#   make check      install dependencies, build, run every test
#   make check-nms  the NMS integrations against real Zabbix, Nagios, snmp_exporter
#   make install    PREFIX=/usr/local DESTDIR= (MIBDIR= BASE_MIBS=yes|no)
#   make deps       install the Debian packages and base MIB modules needed
#
# The one place that sets the IANA Private Enterprise Number.  32473 is
# reserved for documentation (RFC 5612); a vendor substitutes its own here
# (make ENTERPRISE=NNNN).  The MIB shipped and installed, the OIDs compiled
# into the programs and the test expectations all derive from it.
ENTERPRISE ?= 32473
VERSION    := 0.1.0

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share
# net-snmp searches a fixed list of directories (net-snmp-config
# --default-mibdirs; Debian: ~/.snmp/mibs, /usr/share/snmp/mibs and its iana
# and ietf folders), none under /usr/local: the MIB goes to the first system
# one whatever PREFIX is, so that `snmpwalk -m HEADROOM-STORAGE-MIB` finds it
# with no further step.  Set MIBDIR to put it elsewhere.
NETSNMP_MIBDIRS := $(shell net-snmp-config --default-mibdirs 2>/dev/null)
MIBDIR     ?= $(or $(firstword $(filter /usr/%,$(subst :, ,$(NETSNMP_MIBDIRS)))),/usr/share/snmp/mibs)
# The IETF base modules the MIB imports (SNMPv2-SMI, -TC, -CONF; tools/deps.sh
# fetched them with SNMPv2-MIB into .deps/mibs).  Debian does not ship them
# (they are in its non-free snmp-mibs-downloader): `make install` puts the
# fetched copies next to the MIB unless net-snmp already has a file for the
# module there or in the ietf/ folder that package fills.  BASE_MIBS=no
# installs only HEADROOM-STORAGE-MIB.
BASE_MIBS  ?= yes
BASE_MIB_NAMES := SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
DOCDIR     ?= $(DATADIR)/doc/headroom

# Build directory; the sanitizer build uses B=build-asan.
B          ?= build
TOP        := $(abspath .)
BASEMIBS   := $(TOP)/.deps/mibs

CC         ?= cc
CFLAGS     ?= -O2 -g
# snmpd's warning set (../shared/STYLE.md), clean; CI adds -Werror.
WARN       := -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral -Wstrict-prototypes \
              -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wsign-compare
SAN        ?=
# CI sets WERROR=-Werror.
WERROR     ?=
# Only the -D/-U and include flags of net-snmp-config: its full cflags carry
# the distribution's optimisation flags and a Perl include directory.
SNMP_CFLAGS := $(filter -D% -U%,$(shell net-snmp-config --base-cflags 2>/dev/null))
# libcrypto: SHA-256 for keys that must fit a column (common/hr_hash.c);
# net-snmp links it already.
SNMP_LIBS   := $(shell net-snmp-config --netsnmp-libs 2>/dev/null) -lcrypto
AGENT_LIBS  := $(shell net-snmp-config --base-agent-libs 2>/dev/null)
# libpng too: common/hr_rrd.c sets the encoder's filter and zlib level for
# rrd_graph's PNGs through its own png_create_write_struct, which the
# executable must export to come before libpng's (see hr_rrd.c).
RRD_CFLAGS  := $(shell pkg-config --cflags librrd libpng 2>/dev/null)
RRD_LIBS    := $(shell pkg-config --libs librrd libpng 2>/dev/null) \
               -Wl,--export-dynamic-symbol=png_create_write_struct
SQL_CFLAGS  := $(shell pkg-config --cflags sqlite3 2>/dev/null)
SQL_LIBS    := $(shell pkg-config --libs sqlite3 2>/dev/null)
ESMTP_CFLAGS := $(shell pkg-config --cflags libesmtp-1.0 2>/dev/null)
ESMTP_LIBS  := $(shell pkg-config --libs libesmtp-1.0 2>/dev/null)

ALL_CFLAGS  = -std=gnu11 $(CFLAGS) $(WARN) $(WERROR) $(SAN) -I$(TOP)/common -I$(B)/gen \
              -DHEADROOM_VERSION='"$(VERSION)"' \
              -DHEADROOM_SYSCONFDIR='"$(SYSCONFDIR)"' \
              -DHEADROOM_DATADIR='"$(DATADIR)"'
ALL_LDFLAGS = $(LDFLAGS) $(SAN)

# Module fragments append to these.
BINS       :=
SBINS      :=
TEST_BINS  :=
MAN1       :=
MAN5       :=
MAN8       :=
CLEAN      :=
# Module fragments may add install-<module> targets here.
INSTALL_TARGETS :=

.PHONY: all check demo install deps clean check-asan _check _demo mib check-nms
all:

# ---- MIB and generated OIDs -------------------------------------------------
MIB_SRC := mib/HEADROOM-STORAGE-MIB.txt
MIB     := $(B)/mib/HEADROOM-STORAGE-MIB.txt
OIDS_H  := $(B)/gen/hdrm_oids.h

$(MIB): $(MIB_SRC) Makefile
	@mkdir -p $(@D)
	sed 's/{ enterprises 32473 }/{ enterprises $(ENTERPRISE) }/;' $< > $@.tmp
	grep -q '{ enterprises $(ENTERPRISE) }' $@.tmp
	mv $@.tmp $@

$(OIDS_H): $(MIB) tools/gen-oids.sh
	@mkdir -p $(@D)
	tools/gen-oids.sh $(BASEMIBS) $(B)/mib $@

mib: $(MIB) $(OIDS_H)

# ---- common library ---------------------------------------------------------
COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/%.o)
COMMON_LIB := $(B)/libhrcommon.a

$(COMMON_LIB): $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# The install paths are compiled in (HEADROOM_SYSCONFDIR, HEADROOM_DATADIR):
# this stamp changes when they do, so `make install PREFIX=/usr` after a
# plain `make` rebuilds instead of installing programs that look in
# /usr/local.  Rewritten only when its content differs.
PATHS_STAMP := $(B)/gen/paths.stamp
$(PATHS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(SYSCONFDIR) $(DATADIR)' | cmp -s - $@ || echo '$(SYSCONFDIR) $(DATADIR)' > $@
.PHONY: FORCE
FORCE:

$(B)/%.o: %.c $(OIDS_H) $(PATHS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SNMP_CFLAGS) $(RRD_CFLAGS) $(SQL_CFLAGS) $(ESMTP_CFLAGS) -MMD -MP -c -o $@ $<

# The modules, lower layers first: a fragment may use the object lists of
# the fragments before it (docs/architecture.md).
MODULES := db snmp profiles collector rules mail propose reports check cli subagent tests
include $(MODULES:%=%/module.mk)

all: mib $(COMMON_LIB) $(BINS) $(SBINS) $(TEST_BINS)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- the two README commands ------------------------------------------------
deps:
	tools/deps.sh

check: deps
	$(MAKE) _check

_check: all
	B=$(B) ENTERPRISE=$(ENTERPRISE) tests/run.sh

# C unit tests (and the fuzz corpora) under AddressSanitizer and
# UndefinedBehaviorSanitizer; check-asan-all: every test, the integration
# tests too (each program they start is the sanitizer build; a report
# fails the program and so the test).  LeakSanitizer's suppressions:
# tests/lsan.supp.
ASAN_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_ENV := ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:fast_unwind_on_malloc=0 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            LSAN_OPTIONS=suppressions=$(TOP)/tests/lsan.supp
check-asan: deps
	$(MAKE) _asan-build
	B=build-asan ENTERPRISE=$(ENTERPRISE) $(ASAN_ENV) tests/run.sh --unit
check-asan-all: deps
	$(MAKE) _asan-build
	B=build-asan ENTERPRISE=$(ENTERPRISE) $(ASAN_ENV) tests/run.sh --heavy-alone
.PHONY: _asan-build check-asan-all
_asan-build:
	$(MAKE) B=build-asan SAN='$(ASAN_SAN)' CFLAGS='-O1 -g' all

# The NMS integrations against real Zabbix 6.0, Nagios 4, Icinga 2 and snmp_exporter
# on loopback (tests/nms/check_nms.sh).  Not part of `make check`: it
# installs heavy packages (tools/deps.sh --nms) and takes minutes.
check-nms: deps all
	tools/deps.sh --nms
	B=$(B) ENTERPRISE=$(ENTERPRISE) tests/nms/check_nms.sh

demo: deps
	$(MAKE) _demo

_demo: all
	B=$(B) tools/demo.sh

# ---- install ----------------------------------------------------------------
install: all $(INSTALL_TARGETS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MIBDIR)
	$(if $(BINS),install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/)
	$(if $(SBINS),install -m 755 $(SBINS) $(DESTDIR)$(SBINDIR)/)
	install -m 644 $(MIB) $(DESTDIR)$(MIBDIR)/HEADROOM-STORAGE-MIB.txt
	@d="$(DESTDIR)$(MIBDIR)"; \
	if [ "$(BASE_MIBS)" != yes ]; then \
	    echo "install: BASE_MIBS=$(BASE_MIBS): net-snmp loads HEADROOM-STORAGE-MIB only with SNMPv2-SMI, -TC, -CONF in $(MIBDIR) or $(MIBDIR)/ietf (Debian: snmp-mibs-downloader, from non-free)"; \
	else for m in $(BASE_MIB_NAMES); do \
	    have=""; \
	    for f in "$$d/ietf/$$m" "$$d/ietf/$$m".* "$$d/$$m" "$$d/$$m".*; do \
	        [ -e "$$f" ] && [ "$$f" != "$$d/$$m.txt" ] && have="$$f"; \
	    done; \
	    if [ -n "$$have" ]; then echo "install: $$m: $$have is there, not installing ours"; continue; fi; \
	    echo "install -m 644 $(BASEMIBS)/$$m.mib $$d/$$m.txt"; \
	    install -m 644 "$(BASEMIBS)/$$m.mib" "$$d/$$m.txt" || exit 1; \
	done; fi
	$(if $(MAN1),install -d $(DESTDIR)$(MANDIR)/man1 && install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5 && install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),install -d $(DESTDIR)$(MANDIR)/man8 && install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	install -d $(DESTDIR)$(DOCDIR)/contrib/prometheus
	install -m 644 contrib/prometheus/generator.yml contrib/prometheus/snmp.yml \
	    $(DESTDIR)$(DOCDIR)/contrib/prometheus/

clean:
	rm -rf build build-asan build-fuzz $(CLEAN)
