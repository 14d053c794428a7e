# SPDX-License-Identifier: Apache-2.0
# One non-recursive Makefile; everything it makes goes under build/.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
# the commands' one executable (below) is installed here, linked from bin/
LIBEXECDIR = $(PREFIX)/lib/devpay
PKGS    := libxml-2.0 libcrypto sqlite3 libmicrohttpd jansson libpq
# pkg-config is asked when the first recipe that needs the flags runs, not
# when this file is read: on a fresh machine the packages are only there
# once the deps-check step (an order-only prerequisite of every object) has
# installed them. Each is asked once and then kept (the $(eval) makes it a
# simple variable).
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags libcurl $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
# What a command loads at start costs more than its work (bench/RESULTS.md),
# so (README: Libraries): libxml2 and SQLite are linked statically (with
# libxml2's own zlib and liblzma); libcurl, libcrypto and ICU are
# loaded on demand (common/base/curl_dl.c, crypto_dl.c, icu_dl.c); only devpayd
# links libmicrohttpd.
STATIC_LIBS := -Wl,-Bstatic -lxml2 -lsqlite3 -lz -llzma -Wl,-Bdynamic -lm
PKG_LIBS   = $(eval PKG_LIBS := $(STATIC_LIBS) $(shell pkg-config --libs libmicrohttpd 2>/dev/null))$(PKG_LIBS)
# libxml2's calls into ICU land here first (see common/base/icu_dl.c)
ICU_OBJ := build/common/base/icu_dl.o
# The project's flags live in DP_*; the user's CFLAGS, CPPFLAGS, LDFLAGS and
# LDLIBS (make CFLAGS=-O1 ...) come after them and replace nothing the build
# needs. -Werror only when asked: make WERROR=1 (.ci/run asks).
CFLAGS  ?= -O2 -g
WERROR  ?= 0
DP_CPPFLAGS = -Icommon -D_GNU_SOURCE $(PKG_CFLAGS)
# frame pointers: profiles of devpayd (perf record -g) show whole call
# graphs, for about 1% of its speed (bench/RESULTS.md)
DP_CFLAGS  := -std=c11 -Wall -Wextra -Wswitch-enum -Wshadow -Wno-missing-field-initializers \
              -fno-omit-frame-pointer $(if $(filter 1,$(WERROR)),-Werror)
DP_LDFLAGS := -Wl,--as-needed
DP_LDLIBS   = $(PKG_LIBS) -ldl -lpthread
ALL_CFLAGS  = $(DP_CPPFLAGS) $(CPPFLAGS) $(DP_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(DP_LDFLAGS) $(SAN_FLAGS) $(LDFLAGS)
DEPFLAGS = -MMD -MP
# devpayd reads its TLS certificate and key with libcrypto's PEM functions
# (a server loads it once; the on-demand loading is for the short commands),
# and serves a PostgreSQL database through libpq (common/store/store_pg.c, linked
# into devpayd alone: the commands never load libpq)
build/bin/devpayd: DP_LDLIBS += -lcrypto -lpq
# OpenSSL's SHA-256 functions (the local secrets' hashes, checked by every
# local command) come from libcrypto.a: five small objects, where loading
# libcrypto.so costs a command more than all its work. Every other libcrypto
# function is called through crypto_dl.h (a direct call to one would pull it
# in statically: consistency.bats checks that none does). devpayd links
# libcrypto.so, which has them.
SHA_LIBS := -Wl,-Bstatic -lcrypto -Wl,-Bdynamic
build/bin/devpayd: SHA_LIBS :=
# and so does the store's test driver (tests/storetest.c)
build/tests/storetest: DP_LDLIBS += -lpq
# devpay-metadata writes the instance identity document with jansson
build/bin/devpay-metadata: DP_LDLIBS += -ljansson
# (and so does its unit program, tests/unit/imds.c)
build/tests/imds: DP_LDLIBS += -ljansson
# What tools/deps looks for: the test set for `make check`, the fuzz set
# for `make fuzz`, otherwise the build set. It installs what is missing only
# for the README's two commands (`make check`, `make demo`) and `make deps`;
# plain `make` and `make install` only say what is missing.
DEPS_SET := $(if $(filter check,$(MAKECMDGOALS)),$(if $(filter fuzz,$(MAKECMDGOALS)),all,test),$(if $(filter fuzz,$(MAKECMDGOALS)),fuzz,build))
DEPS_MODE := $(if $(filter check demo,$(MAKECMDGOALS)),install,check)
# Test files run in parallel (bats --jobs, GNU parallel); tests within a
# file too, unless the file sets BATS_NO_PARALLELIZE_WITHIN_FILE.
BATS_JOBS ?= 4

# `make check SANITIZE=1`: everything built with AddressSanitizer and
# UndefinedBehaviorSanitizer (any report fails the test that ran into it).
# Plain and sanitized objects never mix: build/.flavour records which ones
# build/ holds, and a change of flavour removes them first.
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1:exitcode=99
FLAVOUR := sanitize
else
FLAVOUR := plain
endif
ifneq ($(filter-out clean deps fuzz deps-check-fuzz build/fuzz/%,$(or $(MAKECMDGOALS),all)),)
$(shell test "$$(cat build/.flavour 2>/dev/null || echo plain)" = $(FLAVOUR) || \
  rm -rf build/bin build/cmd build/multi build/libexec build/common build/gen build/tests build/libdevpay.a; \
  mkdir -p build; echo $(FLAVOUR) >build/.flavour)
endif

# The library's folders, each with the folders below it that its files may
# use (#include "base/buf.h"): never one above or beside it. tools/layers
# checks every build (build/.layers); HACKING.md draws them.
LAYERS  := base wire:base store:base service:base,wire,store \
           client:base,wire,store,service server:base,wire,store,service
LIB_SRC := $(wildcard common/*/*.c)
LIB_HDR := $(wildcard common/*/*.h)
# the on-demand rates (data/rates), compiled in: base/rates_od.c parses them
GEN_OBJ := build/gen/rates_data.o
LIB_OBJ := $(LIB_SRC:%.c=build/%.o) $(GEN_OBJ)
CMD_SRC := $(wildcard cmd/*.c)
CMDS    := $(CMD_SRC:cmd/%.c=build/bin/%)
# The two servers are executables of their own (they link libmicrohttpd,
# libcrypto, libpq, jansson); every other command is a name of one
# executable, build/libexec/devpay-commands, which runs the command its
# name says (argv[0]): one copy of the static libxml2 and SQLite instead of
# one per command (bench/RESULTS.md: install size). Each command's main()
# is compiled as dp_main_NAME (build/multi/) and tools/multicall writes the
# table that dispatches to it.
SERVERS := devpayd devpay-metadata
MULTI   := $(filter-out $(SERVERS),$(CMD_SRC:cmd/%.c=%))
MULTI_BIN := build/libexec/devpay-commands
TESTPROG_SRC := tests/sigtest.c tests/storetest.c
TESTPROGS := $(TESTPROG_SRC:tests/%.c=build/tests/%)
# the workflow tests, run a second time through devpayd
WORKFLOW := $(wildcard tests/products.bats tests/images.bats tests/instances.bats tests/billing.bats tests/wire.bats tests/hostile.bats tests/paid.bats tests/seller.bats)
MAN1    := $(wildcard man/man1/*.1)
MAN7    := $(wildcard man/man7/*.7)
MAN8    := $(wildcard man/man8/*.8)
COMPS   := $(wildcard completions/*)

.PHONY: all check demo install uninstall clean deps bench soak
all: $(CMDS) $(TESTPROGS)

build/libdevpay.a: $(LIB_OBJ) | build/.layers
	@mkdir -p $(@D)
	$(AR) rcs $@ $(LIB_OBJ)

# a build whose includes break the layering rule fails here
build/.layers: tools/layers Makefile $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	@sh tools/layers common $(LAYERS)
	@touch $@

build/%.o: %.c | deps-check
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/multi/%.o: cmd/%.c | deps-check
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Dmain=dp_main_$(subst -,_,$*) -c -o $@ $<
build/gen/multicall.c: tools/multicall $(CMD_SRC) Makefile
	@mkdir -p $(@D)
	sh tools/multicall $(MULTI) >$@.tmp && mv $@.tmp $@
$(MULTI_BIN): $(MULTI:%=build/multi/%.o) build/gen/multicall.o build/libdevpay.a $(ICU_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(MULTI:%=build/multi/%.o) build/gen/multicall.o $(ICU_OBJ) build/libdevpay.a \
	  $(ALL_LDFLAGS) $(DP_LDLIBS) $(LDLIBS) $(SHA_LIBS)
$(MULTI:%=build/bin/%): $(MULTI_BIN)
	@mkdir -p $(@D)
	ln -sf ../libexec/devpay-commands $@

build/gen/rates_data.c: data/rates/ec2-on-demand.rates tools/embed
	@mkdir -p $(@D)
	sh tools/embed rates_builtin $< >$@.tmp && mv $@.tmp $@
build/gen/%.o: build/gen/%.c | deps-check
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(SERVERS:%=build/bin/%): build/bin/%: build/cmd/%.o build/libdevpay.a $(ICU_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ICU_OBJ) build/libdevpay.a $(ALL_LDFLAGS) $(DP_LDLIBS) $(LDLIBS) $(SHA_LIBS)

build/tests/%: build/tests/%.o build/libdevpay.a $(ICU_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ICU_OBJ) build/libdevpay.a $(ALL_LDFLAGS) $(DP_LDLIBS) $(LDLIBS) $(SHA_LIBS)

# What is missing (tools/deps): said, or installed (DEPS_MODE above). Every
# compile waits for this step (order-only prerequisite).
deps-check:
	@CC="$(CC)" sh tools/deps $(DEPS_MODE) $(DEPS_SET)

# Installs the build and test packages (as root with apt-get; otherwise
# prints the line to run).
deps:
	@CC="$(CC)" sh tools/deps install all

# The workflow files' second run (through devpayd) and third (through
# devpayd on PostgreSQL, a throwaway cluster) go on one after the other at
# the same time as the main run; their TAP is printed when all are done.
# Every run always happens; the status is the worst one. CHECK_PG=0 leaves
# out the third (.ci/run's sanitized pass: the plain pass has run it, and
# tests/postgresql.bats runs under the sanitizers either way).
CHECK_PG ?= 1
check: deps-check all
	@echo "make check: $(words $(wildcard tests/*.bats)) test files, $(BATS_JOBS) tests at a time, and alongside the workflow files again through devpayd, then through devpayd on PostgreSQL (about 4 minutes on 2 cores)"
	@rc=0; mkdir -p build; rm -f build/check-devpayd.rc build/check-pg.rc; \
	$(if $(WORKFLOW),( DEVPAY_TEST_MODE=devpayd bats --jobs $(BATS_JOBS) --print-output-on-failure $(WORKFLOW) >build/check-devpayd.tap 2>&1; \
	  echo $$? >build/check-devpayd.rc; \
	  pgdir=$$(mktemp -d /tmp/devpay-pg.XXXXXX); chmod 755 $$pgdir; \
	  if [ "$(CHECK_PG)" = 0 ]; then echo "ok 1 # skip the workflow files on PostgreSQL (CHECK_PG=0)" >build/check-pg.tap; echo 0 >build/check-pg.rc; \
	  elif pguri=$$(tests/pg-cluster start $$pgdir/cluster); then \
	    DEVPAY_TEST_MODE=devpayd DEVPAY_TEST_PG=$$pguri bats --jobs $(BATS_JOBS) --print-output-on-failure $(WORKFLOW) >build/check-pg.tap 2>&1; \
	    echo $$? >build/check-pg.rc; tests/pg-cluster stop $$pgdir/cluster; \
	  else echo "not ok 1 a PostgreSQL cluster for the workflow files" >build/check-pg.tap; echo 1 >build/check-pg.rc; fi; \
	  rm -rf $$pgdir ) & pid=$$!;) \
	bats --jobs $(BATS_JOBS) --print-output-on-failure tests || rc=1; \
	$(if $(WORKFLOW),wait $$pid; \
	  echo "# the workflow files through devpayd (DEVPAY_TEST_MODE=devpayd):"; cat build/check-devpayd.tap; \
	  echo "# the workflow files through devpayd on PostgreSQL (DEVPAY_TEST_PG):"; cat build/check-pg.tap; \
	  [ "$$(cat build/check-devpayd.rc 2>/dev/null)" = 0 ] || rc=1; \
	  [ "$$(cat build/check-pg.rc 2>/dev/null)" = 0 ] || rc=1;) \
	exit $$rc

demo: deps-check all
	@sh tools/demo

bench: all
	@CC="$(CC)" sh tools/deps install bench
	@sh bench/run

# devpayd at 1,000 signed requests a second for 30 minutes (bench/soak.sh)
soak: all
	@CC="$(CC)" sh tools/deps install bench
	@bash bench/soak.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/man/man8 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(MULTI_BIN) $(DESTDIR)$(LIBEXECDIR)/
	install -m 0755 $(SERVERS:%=build/bin/%) $(DESTDIR)$(PREFIX)/bin/
	for c in $(MULTI); do ln -sf ../lib/devpay/devpay-commands $(DESTDIR)$(PREFIX)/bin/$$c || exit 1; done
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN7),install -m 0644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/)
	$(if $(COMPS),install -m 0644 $(COMPS) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/)

# Removes exactly what install put there (and the folder of its own).
uninstall:
	rm -f $(CMD_SRC:cmd/%.c=$(DESTDIR)$(PREFIX)/bin/%) $(DESTDIR)$(LIBEXECDIR)/devpay-commands
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	rm -f $(MAN1:man/%=$(DESTDIR)$(PREFIX)/share/man/%) $(MAN7:man/%=$(DESTDIR)$(PREFIX)/share/man/%) \
	  $(MAN8:man/%=$(DESTDIR)$(PREFIX)/share/man/%) \
	  $(COMPS:completions/%=$(DESTDIR)$(PREFIX)/share/bash-completion/completions/%)

clean:
	rm -rf build

# Unit programs (tests/unit/*.c, TAP on stdout), built by `make check` and
# run by tests/unit.bats.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
check: $(UNIT_BIN)
build/tests/%: tests/unit/%.c tests/unit/tap.h build/libdevpay.a $(ICU_OBJ) | deps-check
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(ICU_OBJ) build/libdevpay.a $(ALL_LDFLAGS) $(DP_LDLIBS) $(LDLIBS) $(SHA_LIBS)

.PHONY: deps-check
.SECONDARY: $(LIB_OBJ) $(CMD_SRC:%.c=build/%.o) $(MULTI:%=build/multi/%.o) build/gen/multicall.o \
  $(TESTPROG_SRC:%.c=build/%.o)
-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=build/%.d) $(MULTI:%=build/multi/%.d) $(TESTPROG_SRC:%.c=build/%.d)

# libFuzzer targets (tests/fuzz/*.c), built with clang and the address and
# undefined-behaviour sanitizers; `make fuzz` runs each for FUZZ_TIME seconds
# (new inputs in build/fuzz/corpus, crashes in build/fuzz). Not in `make check`.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 20
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC  := $(wildcard tests/fuzz/*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_OBJ  := $(LIB_SRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/rates_data.o
.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$${f##*/}; mkdir -p build/fuzz/corpus/$$n; \
	  d=; [ -f tests/fuzz/$$n.dict ] && d=-dict=tests/fuzz/$$n.dict; \
	  echo "fuzz: $$n for $(FUZZ_TIME) s"; \
	  $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $$d -artifact_prefix=build/fuzz/$$n- \
	    build/fuzz/corpus/$$n tests/fuzz/seeds/$$n || exit 1; done
build/fuzz/obj/%.o: %.c | deps-check
	@mkdir -p $(@D)
	$(FUZZ_CC) $(DP_CPPFLAGS) $(CPPFLAGS) $(DP_CFLAGS) $(filter-out -O2,$(CFLAGS)) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c -o $@ $<
build/fuzz/obj/gen/rates_data.o: build/gen/rates_data.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(DP_CPPFLAGS) $(CPPFLAGS) $(DP_CFLAGS) $(filter-out -O2,$(CFLAGS)) -O1 -c -o $@ $<
build/fuzz/libdevpay.a: $(FUZZ_OBJ) | build/.layers
	$(AR) rcs $@ $^
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h build/fuzz/libdevpay.a
	$(FUZZ_CC) $(DP_CPPFLAGS) $(CPPFLAGS) $(DP_CFLAGS) $(filter-out -O2,$(CFLAGS)) -O1 $(FUZZ_SAN) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
	  build/fuzz/obj/common/base/icu_dl.o build/fuzz/libdevpay.a $(DP_LDLIBS) $(LDLIBS) $(SHA_LIBS)
-include $(FUZZ_OBJ:.o=.d)
