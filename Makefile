# One non-recursive Makefile; everything it makes goes under build/.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libcurl libxml-2.0 libcrypto sqlite3 libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wswitch-enum -Wshadow \
           -Wno-missing-field-initializers -Icommon $(PKG_CFLAGS)
DEPFLAGS = -MMD -MP
LDLIBS  += $(PKG_LIBS) -lpthread

LIB_SRC := $(wildcard common/*.c)
LIB_OBJ := $(LIB_SRC:%.c=build/%.o)
CMD_SRC := $(wildcard cmd/*.c)
CMDS    := $(CMD_SRC:cmd/%.c=build/bin/%)
TESTPROG_SRC := tests/sigtest.c
TESTPROGS := $(TESTPROG_SRC:tests/%.c=build/tests/%)
# the workflow tests, run a second time through devpayd
WORKFLOW := $(wildcard tests/products.bats tests/images.bats tests/instances.bats tests/billing.bats)
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
	install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 0644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 $(COMPS) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/

clean:
	rm -rf build

.PHONY: deps-check deps-check-test
.SECONDARY: $(LIB_OBJ) $(CMD_SRC:%.c=build/%.o) $(TESTPROG_SRC:%.c=build/%.o)
-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=build/%.d) $(TESTPROG_SRC:%.c=build/%.d)
