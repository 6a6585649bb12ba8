# Makefile -- one file to build steerdns, steer-healthd, steerctl and their tests.
#
#   make            build everything into build/ (configures itself on first use)
#   make run        run steerdns (and steer-healthd) on the example zones, 127.0.0.1:5353
#   make check      unit tests (Check) + integration tests against the real daemons
#   make SAN=1 ...  the same in an AddressSanitizer + UBSan build (build-san/)
#   make install    PREFIX=/usr/local DESTDIR= (programs, man pages, systemd units, example config)
#   make bench      benchmark against NSD, Knot DNS and gdnsd (see bench/README)
#   make bench-dnssec   DNSSEC: DO=1 cost, signing, against Knot DNS (bench/README)
#   make bench-answer   answer_query() alone, in-process (profile with callgrind)
#   make bench-answer-kinds  instructions per query by kind, DO=0/1 (callgrind)
#   make bench-steer    steer_eval() alone, one record per policy
#   make clean
#
# Sources are found recursively under each program's folder: a new module is
# a new .c/.h pair in its folder (server/net/, server/zone/load/, ...), nothing
# to add here. scripts/layers.sh (run by make check) keeps the include order,
# scripts/funclen.sh every function on the query path within 60 lines.

PREFIX ?= /usr/local
SBINDIR = $(PREFIX)/sbin
MANDIR = $(PREFIX)/share/man

ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS =
endif
CONF = build/config.mk

all: binaries

$(CONF): configure.ac config.mk.in config.h.in
	@scripts/deps.sh build
	autoconf -f -I/usr/share/aclocal
	./configure -q

ifneq ($(filter-out clean distclean deps check-fresh,$(MAKECMDGOALS)),)
include $(CONF)
else ifeq ($(MAKECMDGOALS),)
include $(CONF)
endif

WARN = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -I$(BUILD) -Ibuild -I. -I$(GEN) \
	$(LDNS_CFLAGS) $(LIBEVENT_CFLAGS) $(MAXMINDDB_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) \
	$(FSTRM_CFLAGS) $(PROTOBUFC_CFLAGS)
LIBS = $(LDNS_LIBS) $(LIBEVENT_LIBS) $(MAXMINDDB_LIBS) $(JANSSON_LIBS) $(OPENSSL_LIBS) \
	$(FSTRM_LIBS) $(PROTOBUFC_LIBS) -lpthread -lm
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
ALL_CFLAGS += $(XDP_CFLAGS)
LIBS += $(XDP_LIBS)
# libsystemd: sd_notify for the Type=notify units (common/notify.c)
ALL_CFLAGS += $(SYSTEMD_CFLAGS)
LIBS += $(SYSTEMD_LIBS)

# Every .c under a folder, sorted so that link order does not depend on the
# file system.
srcs = $(sort $(shell find $(1) -name '*.c' 2>/dev/null))
COMMON_SRC  = $(call srcs,common)
GEOIP_SRC   = $(call srcs,geoip)
# *.bpf.c are XDP programs: compiled by clang -target bpf, not into the server.
SERVER_SRC  = $(filter-out server/main.c %.bpf.c,$(call srcs,server))
HEALTHD_SRC = $(filter-out healthd/main.c,$(call srcs,healthd))
CLI_SRC     = $(filter-out cli/main.c,$(call srcs,cli))
UNIT_SRC    = $(call srcs,tests/unit)

# Check is needed only by the unit tests, so a plain `make` builds without
# it; pkg-config is asked when they are built (after make check installed it).
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ  = $(call obj,$(COMMON_SRC))
GEOIP_OBJ   = $(call obj,$(GEOIP_SRC))
# Code generated at build time (never committed): the dnstap message schema,
# server/metrics/dnstap.proto, turned into C by protoc-c.
# Generated files keep the .proto's path (include "server/metrics/dnstap.pb-c.h").
GEN         = $(BUILD)/gen
DNSTAP_PB   = $(GEN)/server/metrics/dnstap.pb-c
DNSTAP_OBJ  = $(BUILD)/obj/gen/server/metrics/dnstap.pb-c.o
GEN_OBJ     = $(DNSTAP_OBJ)
# The AF_XDP listener's program (server/net/xdp_prog.bpf.c), compiled for
# BPF and embedded as a byte array (scripts/embed.sh), when configure found
# libxdp, libbpf and clang (HAVE_XDP).
ifeq ($(HAVE_XDP),yes)
XDP_PROG    = $(GEN)/server/net/xdp_prog
GEN_OBJ    += $(BUILD)/obj/gen/server/net/xdp_prog.o
endif
SERVER_OBJ  = $(call obj,$(SERVER_SRC)) $(GEN_OBJ)
HEALTHD_OBJ = $(call obj,$(HEALTHD_SRC))
CLI_OBJ     = $(call obj,$(CLI_SRC))
UNIT_OBJ    = $(call obj,$(UNIT_SRC))

BINS = $(BUILD)/steerdns $(BUILD)/steer-healthd $(BUILD)/steerctl
binaries: $(BINS)

$(BUILD)/obj/%.o: %.c $(CONF)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(DNSTAP_PB).c $(DNSTAP_PB).h &: server/metrics/dnstap.proto $(CONF)
	@mkdir -p $(GEN)
	$(PROTOC_C) --c_out=$(GEN) $<
$(DNSTAP_OBJ): $(DNSTAP_PB).c $(DNSTAP_PB).h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(XDP_PROG).bpf.o: server/net/xdp_prog.bpf.c $(CONF)
	@mkdir -p $(dir $@)
	$(CLANG) -O2 -g -target bpf $(BPF_CFLAGS) -Wall -c -o $@ $<
$(XDP_PROG).c: $(XDP_PROG).bpf.o scripts/embed.sh
	scripts/embed.sh steer_xdp_prog $< > $@
$(BUILD)/obj/gen/server/net/xdp_prog.o: $(XDP_PROG).c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
# Whoever includes the generated header waits for it (the first build has no .d files yet).
$(call obj,server/metrics/dnstap.c tests/unit/test_dnstap.c): $(DNSTAP_PB).h

$(BUILD)/steerdns: $(call obj,server/main.c) $(SERVER_OBJ) $(GEOIP_OBJ) $(COMMON_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/steer-healthd: $(call obj,healthd/main.c) $(HEALTHD_OBJ) $(COMMON_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
# steerctl check runs steerdns' own loader (server/load.c): the server and
# geoip objects come from an archive so that only the modules it uses are linked.
$(BUILD)/libsteerdns.a: $(SERVER_OBJ) $(GEOIP_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/steerctl: $(call obj,cli/main.c) $(CLI_OBJ) $(BUILD)/libsteerdns.a $(COMMON_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Unit tests: every tests/unit/test_*.c exports suite_<name>(); the list of
# suites is generated so that adding a test file needs no edit elsewhere.
$(BUILD)/suites.h: $(UNIT_SRC)
	@mkdir -p $(BUILD)
	@sed -n 's/^Suite \*\(suite_[a-z0-9_]*\)(void).*/SUITE(\1)/p' tests/unit/test_*.c > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
$(BUILD)/obj/tests/unit/main.o: $(BUILD)/suites.h
$(BUILD)/obj/tests/unit/%.o: ALL_CFLAGS += $(CHECK_CFLAGS) -I$(BUILD) -Wno-missing-prototypes
$(BUILD)/unit-tests: $(UNIT_OBJ) $(SERVER_OBJ) $(GEOIP_OBJ) $(HEALTHD_OBJ) $(CLI_OBJ) $(COMMON_OBJ)
	@pkg-config --exists check || { echo "the unit tests need Check: install the Debian package check (scripts/deps.sh test, as root)" >&2; exit 1; }
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

# deps.sh runs before anything of the unit tests is compiled, so that a
# fresh machine gets Check (and the test tools) first.
check: binaries
	@scripts/deps.sh test
	@echo "== layering"
	scripts/layers.sh
	scripts/funclen.sh
	@$(MAKE) --no-print-directory $(BUILD)/unit-tests
	@echo "== unit tests"
	CK_DEFAULT_TIMEOUT=60 $(BUILD)/unit-tests
	@echo "== integration tests"
	BUILD=$(abspath $(BUILD)) tests/integration/run.sh $(T)

unit: $(BUILD)/unit-tests
	CK_DEFAULT_TIMEOUT=60 $(BUILD)/unit-tests

layers:
	scripts/layers.sh
	scripts/funclen.sh

run: binaries
	@scripts/deps.sh run
	@scripts/run-demo.sh $(abspath $(BUILD))

bench: binaries
	@scripts/deps.sh bench
	BUILD=$(abspath $(BUILD)) bench/run.sh $(BENCH_ARGS)

bench-zone: binaries
	@scripts/deps.sh bench
	BUILD=$(abspath $(BUILD)) bench/zone-load.sh $(BENCH_ARGS)

# DNSSEC: DO=1 CPU per query against the unsigned zone and Knot's signing,
# the 1M-record zone's signing and one-change reload, signatures in flaps.
bench-dnssec: binaries
	@scripts/deps.sh bench
	BUILD=$(abspath $(BUILD)) bench/dnssec.sh $(BENCH_ARGS)

$(BUILD)/answer-bench: $(call obj,bench/answer-bench.c) $(SERVER_OBJ) $(GEOIP_OBJ) $(COMMON_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

bench-answer: $(BUILD)/answer-bench
	$(BUILD)/answer-bench zones/example.com.zone 2000000

# Instructions per query by kind (static, NXDOMAIN, NODATA, wildcard,
# referral, steered), unsigned / signed / signed with DO (callgrind).
bench-answer-kinds: $(BUILD)/answer-bench
	BUILD=$(abspath $(BUILD)) bench/answer-kinds.sh $(BENCH_ARGS)

$(BUILD)/steer-bench: $(call obj,bench/steer-bench.c) $(SERVER_OBJ) $(GEOIP_OBJ) $(COMMON_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

bench-steer: $(BUILD)/steer-bench
	$(BUILD)/steer-bench bench/steer-bench.json 2000000

# Install layout (README, "Building and installing"). The config goes to
# SYSCONFDIR whatever PREFIX is (the programs default to
# /etc/steerdns/steerdns.json); systemd, tmpfiles.d and sysusers.d all read
# PREFIX/lib/... for PREFIX /usr and /usr/local.
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DOCDIR ?= $(PREFIX)/share/doc/steerdns
ETCDIR = $(DESTDIR)$(SYSCONFDIR)/steerdns
DIST_SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: binaries
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR) $(ETCDIR)
	install -m 755 $(BINS) $(DESTDIR)$(SBINDIR)/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	for u in steerdns steer-healthd; do \
		$(DIST_SUBST) dist/$$u.service.in > $(DESTDIR)$(UNITDIR)/$$u.service && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u.service || exit 1; \
	done
	install -m 644 dist/steerdns.tmpfiles $(DESTDIR)$(TMPFILESDIR)/steerdns.conf
	install -m 644 dist/steerdns.sysusers $(DESTDIR)$(SYSUSERSDIR)/steerdns.conf
	install -m 644 dist/steerdns.json dist/example.com.zone $(DESTDIR)$(DOCDIR)/
	@# An operator's config is never overwritten; the example always lands in DOCDIR.
	@if [ -e $(ETCDIR)/steerdns.json ]; then \
		echo "kept $(ETCDIR)/steerdns.json (it exists; the example is $(DOCDIR)/steerdns.json)"; \
	else \
		install -d $(ETCDIR)/zones && \
		install -m 644 dist/steerdns.json $(ETCDIR)/steerdns.json && \
		{ [ -e $(ETCDIR)/zones/example.com.zone ] || install -m 644 dist/example.com.zone $(ETCDIR)/zones/; } && \
		echo "installed the example config $(ETCDIR)/steerdns.json"; \
	fi
	@echo "then, as root: systemd-sysusers; systemd-tmpfiles --create; systemctl daemon-reload;" \
		"systemctl enable --now steer-healthd steerdns"

deps:
	scripts/deps.sh build test

clean:
	rm -rf build build-san

distclean: clean
	rm -rf autom4te.cache configure config.log config.status

.PHONY: all binaries check unit layers run bench bench-zone bench-dnssec bench-answer bench-answer-kinds bench-steer install deps clean distclean

# The quick start (make run, make check) on a fresh minbase Debian 12 root
# made with debootstrap, as root; tests the committed HEAD (tests/fresh/run.sh).
# run.sh's exit 77 (skipped: not root, archive unreachable, port 5353 taken;
# its last line says why) is not a failure for make.
check-fresh:
	@tests/fresh/run.sh; rc=$$?; [ $$rc -eq 77 ] || exit $$rc
.PHONY: check-fresh

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
