# smbsrvd — build, test and install.  See README.md.
#
#   make            bin/smbsrvd and bin/smbctl
#   make run        install missing packages, build, run in the foreground
#   make check      install missing packages, build, run the whole suite
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench      API and SMB figures for README.md (not part of check;
#                   bench-opens and bench-api run one half each)
#
# BUILD and BIN may be overridden to keep several build trees apart.

BUILD	?= build
BIN	?= bin
PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
FUZZCC	?= clang
PYTHON	?= /usr/bin/python3
FUZZTIME ?= 10
V	?= 0
# Quiet rules unless V=1: one line per target.
Q	= $(if $(filter 1,$(V)),,@)
say	= $(if $(filter 1,$(V)),,printf '  %-6s %s\n' $(1) $(2);)

PKG_SRV	= libmicrohttpd json-c openssl
PKG_CTL	= libcurl json-c readline

# Evaluated lazily: only recipes that compile ask pkg-config, so "make check"
# can install the packages first.
pkgcflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkglibs = $(shell pkg-config --libs $(1) 2>/dev/null)

WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
BASECFLAGS = -std=c11 -D_GNU_SOURCE -g $(WARN) -Ismbsrvd -Irpc
CFLAGS	?= -O2
ALLCFLAGS = $(BASECFLAGS) $(CFLAGS) $(call pkgcflags,$(PKG_SRV) $(PKG_CTL) cmocka)
SANFLAGS = -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=all

VERSION	:= $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# The daemon library: all of smbsrvd/ but main.c, plus the server half of rpc/.
LIB_SRCS = $(filter-out smbsrvd/main.c,$(wildcard smbsrvd/*.c)) \
	   $(filter-out rpc/client.c,$(wildcard rpc/*.c)) $(WEB_GEN)
CTL_SRCS = $(wildcard smbctl/*.c) rpc/client.c
# smbctl without its main(), for the unit tests of its command table.
CTLLIB_SRCS = $(filter-out smbctl/main.c,$(CTL_SRCS))
HDRS	 = $(wildcard smbsrvd/*.h rpc/*.h smbctl/*.h tests/fakes/*.h)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
FAKE_SRCS = $(wildcard tests/fakes/*.c)
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)

LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/opt/%.o)
CTL_OBJS  = $(CTL_SRCS:%.c=$(BUILD)/opt/%.o)
ASAN_OBJS = $(LIB_SRCS:%.c=$(BUILD)/asan/%.o)
CTLASAN_OBJS = $(CTLLIB_SRCS:%.c=$(BUILD)/asan/%.o)
FAKE_OBJS = $(FAKE_SRCS:%.c=$(BUILD)/asan/%.o)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
FUZZ_BINS = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# The web UI's files, compiled into the daemon (rpc/web.h says why).
WEB_FILES = $(wildcard web/*.html web/*.js web/*.css web/*.svg)
WEB_GEN	= $(BUILD)/gen/web_files.c

LIB	= $(BUILD)/opt/libsmbsrvd.a
ASANLIB	= $(BUILD)/asan/libsmbsrvd.a
CTLASANLIB = $(BUILD)/asan/libsmbctl.a

.PHONY: all run check check-unit check-integration check-fuzz check-man \
	deps deps-test install clean unit fuzz openapi bench

all: $(BIN)/smbsrvd $(BIN)/smbctl

$(BUILD)/opt/%.o: %.c $(HDRS) VERSION
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(CC) $(ALLCFLAGS) -DSMBSRVD_VERSION='"$(VERSION)"' -c -o $@ $<

$(BUILD)/asan/%.o: %.c $(HDRS) VERSION
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(CC) $(ALLCFLAGS) $(SANFLAGS) -DSMBSRVD_VERSION='"$(VERSION)"' -c -o $@ $<

$(WEB_GEN): scripts/web-embed.sh $(WEB_FILES)
	$(Q)$(call say,GEN,$@) scripts/web-embed.sh $@ $(WEB_FILES)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(Q)$(call say,AR,$@) $(AR) rcs $@ $^

$(ASANLIB): $(ASAN_OBJS)
	@rm -f $@
	$(Q)$(call say,AR,$@) $(AR) rcs $@ $^

$(CTLASANLIB): $(CTLASAN_OBJS)
	@rm -f $@
	$(Q)$(call say,AR,$@) $(AR) rcs $@ $^

$(BIN)/smbsrvd: $(BUILD)/opt/smbsrvd/main.o $(LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(CC) $(CFLAGS) -g -o $@ $^ $(call pkglibs,$(PKG_SRV)) -lm

$(BIN)/smbctl: $(CTL_OBJS)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(CC) $(CFLAGS) -g -o $@ $^ $(call pkglibs,$(PKG_CTL))

# Unit tests: each tests/unit/test_X.c is one binary, linked against the
# sanitizer build of the library.  Fakes come first so that they replace the
# archive members they stand in for (seams are whole files).
$(BUILD)/unit/%: tests/unit/%.c $(FAKE_OBJS) $(ASANLIB) $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(CC) $(ALLCFLAGS) $(SANFLAGS) -Itests/fakes -o $@ $< $(UNIT_EXTRA) $(FAKE_OBJS) \
	    $(ASANLIB) $(call pkglibs,cmocka $(PKG_SRV)) -lm

# The lifecycle rule tests speak SMB2 to the real dispatcher through one
# client (tests/unit/lifecycle_wire.c), compiled into each of them.
WIRE_TESTS = $(BUILD)/unit/test_lifecycle_rules $(BUILD)/unit/test_durable_rules
$(WIRE_TESTS): tests/unit/lifecycle_wire.c tests/unit/lifecycle_wire.h
$(WIRE_TESTS): UNIT_EXTRA = tests/unit/lifecycle_wire.c

# tests/unit/test_smbctl*.c test smbctl, not the daemon: they link the
# sanitizer build of smbctl without main.c.  (The shorter stem makes
# make prefer this rule over the one above.)
$(BUILD)/unit/test_smbctl%: tests/unit/test_smbctl%.c $(CTLASANLIB) $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(CC) $(ALLCFLAGS) $(SANFLAGS) -Ismbctl -o $@ $< \
	    $(CTLASANLIB) $(call pkglibs,cmocka $(PKG_CTL))

unit: $(UNIT_BINS)

# Fuzz harnesses: libFuzzer (clang); the library is built once more with
# coverage instrumentation and linked into each harness.
FUZZ_OBJS = $(LIB_SRCS:%.c=$(BUILD)/fuzzlib/%.o)
FUZZLIB	= $(BUILD)/fuzzlib/libsmbsrvd.a
FUZZFLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all

$(BUILD)/fuzzlib/%.o: %.c $(HDRS) VERSION
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(FUZZCC) $(BASECFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer-no-link \
	    $(call pkgcflags,$(PKG_SRV)) -DSMBSRVD_VERSION='"$(VERSION)"' -c -o $@ $<

$(FUZZLIB): $(FUZZ_OBJS)
	@rm -f $@
	$(Q)$(call say,AR,$@) $(AR) rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZLIB) $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(FUZZCC) $(BASECFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer \
	    $(call pkgcflags,$(PKG_SRV)) -o $@ $< $(FUZZLIB) \
	    $(call pkglibs,$(PKG_SRV)) -lm

fuzz: $(FUZZ_BINS)

# rpc/openapi.json is generated from rpc/openapi.yaml and kept in the tree
# so that the daemon and the test helpers need no YAML parser.
openapi: rpc/openapi.json

rpc/openapi.json: rpc/openapi.yaml scripts/openapi-json.py
	$(Q)$(call say,GEN,$@) $(PYTHON) scripts/openapi-json.py rpc/openapi.yaml $@

# Not part of check: figures for README.md (tests/bench/).  bench_opens
# runs the daemon's API code in process against 100 000 opens (its top
# comment says why); bench_api.py drives the real daemon.  Run them with
# nice on a shared machine; OPENSFLAGS and BENCHFLAGS pass options.
BENCH_OPENS = $(BUILD)/bench/bench_opens

$(BENCH_OPENS): tests/bench/bench_opens.c $(LIB) $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@) $(CC) $(ALLCFLAGS) -pthread -o $@ $< $(LIB) \
	    $(call pkglibs,$(PKG_SRV) libcurl) -lm

.PHONY: bench-opens bench-api
bench: all $(BENCH_OPENS)
	@$(MAKE) --no-print-directory bench-opens bench-api

bench-opens: $(BENCH_OPENS)
	$(BENCH_OPENS) $(OPENSFLAGS)

bench-api: all
	SMBSRVD_BIN=$(CURDIR)/$(BIN)/smbsrvd $(PYTHON) tests/bench/bench_api.py \
	    $(BENCHFLAGS)

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh build test

run: deps
	@$(MAKE) --no-print-directory all
	$(BIN)/smbsrvd -f

check: deps-test
	@$(MAKE) --no-print-directory -j2 all unit fuzz
	@$(MAKE) --no-print-directory check-man check-unit check-fuzz \
	    check-integration check-web

check-unit: unit
	@scripts/run-unit.sh $(UNIT_BINS)

check-fuzz: fuzz
	@scripts/run-fuzz.sh $(FUZZTIME) $(FUZZ_BINS)

check-man:
	mandoc -Tlint -Wwarning man/*.[0-9]
	@echo "man: $(words $(wildcard man/*.[0-9])) pages clean"

check-integration: all
	SMBSRVD_BIN=$(CURDIR)/$(BIN)/smbsrvd SMBCTL_BIN=$(CURDIR)/$(BIN)/smbctl \
	    $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

# The web UI in headless Chromium against a real daemon (tests/web/).
.PHONY: check-web
check-web: all
	SMBSRVD_BIN=$(CURDIR)/$(BIN)/smbsrvd SMBCTL_BIN=$(CURDIR)/$(BIN)/smbctl \
	    WEB_ARTIFACTS=$(CURDIR)/$(BUILD)/web-artifacts \
	    $(PYTHON) -m pytest -q -p no:cacheprovider tests/web

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/examples/smbsrvd
	install -m 0755 $(BIN)/smbsrvd $(DESTDIR)$(PREFIX)/sbin/smbsrvd
	install -m 0755 $(BIN)/smbctl $(DESTDIR)$(PREFIX)/bin/smbctl
	install -m 0644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 rpc/openapi.yaml \
	    $(DESTDIR)$(PREFIX)/share/smbsrvd/openapi.yaml
	install -m 0644 rpc/openapi.json \
	    $(DESTDIR)$(PREFIX)/share/smbsrvd/openapi.json
	install -m 0644 smbsrvd.conf.example \
	    $(DESTDIR)$(PREFIX)/share/examples/smbsrvd/smbsrvd.conf

clean:
	rm -rf $(BUILD) $(BIN) tests/integration/__pycache__
