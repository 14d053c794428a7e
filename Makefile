# One non-recursive Makefile; everything it makes goes under build/.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libxml-2.0 libcrypto sqlite3 libmicrohttpd jansson
PKG_CFLAGS := $(shell pkg-config --cflags libcurl $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wswitch-enum -Wshadow \
           -Wno-missing-field-initializers -Icommon $(PKG_CFLAGS)
DEPFLAGS = -MMD -MP
LDFLAGS += -Wl,--as-needed
LDLIBS  += $(PKG_LIBS) -ldl -lpthread

LIB_SRC := $(wildcard common/*.c)
LIB_OBJ := $(LIB_SRC:%.c=build/%.o)
CMD_SRC := $(wildcard cmd/*.c)
CMDS    := $(CMD_SRC:cmd/%.c=build/bin/%)
TESTPROG_SRC := tests/sigtest.c
TESTPROGS := $(TESTPROG_SRC:tests/%.c=build/tests/%)
# the workflow tests, run a second time through devpayd
WORKFLOW := $(wildcard tests/products.bats tests/images.bats tests/instances.bats tests/billing.bats tests/seller.bats)
MAN1    := $(wildcard man/man1/*.1)
MAN7    := $(wildcard man/man7/*.7)
MAN8    := $(wildcard man/man8/*.8)
COMPS   := $(wildcard completions/*)

.PHONY: all check demo install clean deps bench
all: deps-check $(CMDS) $(TESTPROGS)

build/libdevpay.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/bin/%: build/cmd/%.o build/libdevpay.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< build/libdevpay.a $(LDFLAGS) $(LDLIBS)

build/tests/%: build/tests/%.o build/libdevpay.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< build/libdevpay.a $(LDFLAGS) $(LDLIBS)

# Missing Debian packages: installed when root, otherwise the one line to run.
deps-check:
	@sh tools/deps build

deps:
	@sh tools/deps all

check: deps-check-test all
	bats --print-output-on-failure tests
ifneq ($(WORKFLOW),)
	DEVPAY_TEST_MODE=devpayd bats --print-output-on-failure $(WORKFLOW)
endif

deps-check-test:
	@sh tools/deps test

demo: all
	@sh tools/demo

bench: all
	@sh bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/man/man8 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(CMDS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN7),install -m 0644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/)
	$(if $(COMPS),install -m 0644 $(COMPS) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/)

clean:
	rm -rf build

# Unit programs (tests/unit/*.c, TAP on stdout), built by `make check` and
# run by tests/unit.bats.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
check: $(UNIT_BIN)
build/tests/%: tests/unit/%.c tests/unit/tap.h build/libdevpay.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< build/libdevpay.a $(LDFLAGS) $(LDLIBS)

.PHONY: deps-check deps-check-test
.SECONDARY: $(LIB_OBJ) $(CMD_SRC:%.c=build/%.o) $(TESTPROG_SRC:%.c=build/%.o)
-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=build/%.d) $(TESTPROG_SRC:%.c=build/%.d)

# libFuzzer targets (tests/fuzz/*.c), built with clang and the address and
# undefined-behaviour sanitizers; `make fuzz` runs each for FUZZ_TIME seconds
# (new inputs in build/fuzz/corpus, crashes in build/fuzz). Not in `make check`.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 20
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC  := $(wildcard tests/fuzz/*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_OBJ  := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
.PHONY: fuzz deps-check-fuzz
fuzz: deps-check-fuzz $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$${f##*/}; mkdir -p build/fuzz/corpus/$$n; \
	  d=; [ -f tests/fuzz/$$n.dict ] && d=-dict=tests/fuzz/$$n.dict; \
	  echo "fuzz: $$n for $(FUZZ_TIME) s"; \
	  $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $$d -artifact_prefix=build/fuzz/$$n- \
	    build/fuzz/corpus/$$n tests/fuzz/seeds/$$n || exit 1; done
deps-check-fuzz:
	@sh tools/deps fuzz
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(filter-out -O2,$(CFLAGS)) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c -o $@ $<
build/fuzz/libdevpay.a: $(FUZZ_OBJ)
	$(AR) rcs $@ $^
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h build/fuzz/libdevpay.a
	$(FUZZ_CC) $(filter-out -O2,$(CFLAGS)) -O1 $(FUZZ_SAN) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
	  build/fuzz/libdevpay.a $(LDLIBS)
-include $(FUZZ_OBJ:.o=.d)
