# liandan - top-level Makefile.
#
#   make          build libliandan.a and the liandan CLI into $(BUILD)/
#   make test     unit tests (cmocka), vector tests, CLI scenarios, interop checks
#   make debug    the same suite built with ASan + UBSan in build/debug/
#   make demo     create, fill and verify a demo ledger in demo/
#   make bench    benchmarks, printed as ratios against this machine's own limits
#   make install  PREFIX=/usr/local DESTDIR=
#
# Missing Debian packages are installed by tools/install-deps (as root) the
# first time; the pkg-config flags are then cached in $(BUILD)/config.mk.

CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
PREFIX  ?= /usr/local
BUILD   ?= build
SHARED  ?= ../shared
PYTHON  ?= /usr/bin/python3

PKGS     := libsodium libcjson sqlite3 libmicrohttpd
WARN     := -std=c11 -Wall -Wextra -Wpedantic $(if $(CI),-Werror)
WEBDIR   ?= $(PREFIX)/share/liandan/web
CPPFLAGS += -Iinclude -D_DEFAULT_SOURCE -MMD -MP -DLIANDAN_WEB_DIR='"$(WEBDIR)"'

LIB_SRC  := $(wildcard src/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema.o $(BUILD)/gen/data.o
SQL      := $(sort $(wildcard schema/[0-9][0-9][0-9]_*.sql))
DATA     := $(sort $(wildcard data/*.csv))
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS    := $(BUILD)/bench $(BUILD)/bench-domain $(BUILD)/loadgen $(BUILD)/bare-mhd \
            $(BUILD)/gen-events $(BUILD)/gen-demo

.PHONY: all test unit cli-test interop debug demo bench install clean deps certs
all: $(BUILD)/libliandan.a $(BUILD)/liandan $(BUILD)/liandan-verify

ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(BUILD)/config.mk
endif

$(BUILD)/config.mk: tools/install-deps Makefile
	@mkdir -p $(BUILD)
	@tools/install-deps
	@{ echo 'PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)'; \
	   echo 'PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)'; \
	   echo 'CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)'; \
	   echo 'VERIFY_LIBS := $(shell pkg-config --libs libsodium libcjson 2>/dev/null)'; } > $@.tmp
	@pkg-config --exists $(PKGS) cmocka || { echo "pkg-config cannot find: $(PKGS) cmocka" >&2; exit 2; }
	@mv $@.tmp $@

ALL_CFLAGS = $(WARN) $(CFLAGS) $(PKG_CFLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/schema.c: $(SQL) tools/embed-sql
	@mkdir -p $(dir $@)
	tools/embed-sql $@ $(SQL)

$(BUILD)/gen/schema.o: $(BUILD)/gen/schema.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

# Reference data (data/*.csv) carried inside the binary: no run-time paths.
$(BUILD)/gen/data.c: $(DATA) tools/embed-data
	@mkdir -p $(dir $@)
	tools/embed-data $@ $(DATA)

$(BUILD)/gen/data.o: $(BUILD)/gen/data.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/libliandan.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/liandan: $(CLI_OBJ) $(BUILD)/libliandan.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libliandan.a $(PKG_LIBS) -lpthread -lm

# The offline bundle verifier (DESIGN.md §4.5): libsodium and cJSON only, not libliandan.a.
$(BUILD)/liandan-verify: tools/liandan-verify.c include/liandan/banned.h
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(VERIFY_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libliandan.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(BUILD)/libliandan.a \
		$(PKG_LIBS) $(CMOCKA_LIBS) -lpthread -lm

$(BUILD)/gen-demo: tools/gen-demo.c $(BUILD)/libliandan.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(BUILD)/libliandan.a \
		$(PKG_LIBS) -lpthread -lm

$(BUILD)/bench-domain: tools/bench_domain.c $(BUILD)/libliandan.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(BUILD)/libliandan.a \
		$(PKG_LIBS) -lpthread -lm

$(BUILD)/bench: tools/bench.c $(BUILD)/libliandan.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(BUILD)/libliandan.a \
		$(PKG_LIBS) -lpthread -lm

# HTTP benchmark (tools/bench-http.sh): load generator, bare MHD ceiling, event generator.
$(BUILD)/loadgen: tools/loadgen.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< -lpthread -lm

$(BUILD)/bare-mhd: tools/bare-mhd.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(PKG_LIBS) -lpthread

$(BUILD)/gen-events: tools/gen-events.c $(BUILD)/libliandan.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -MF $@.d -o $@ $< $(BUILD)/libliandan.a \
		$(PKG_LIBS) -lpthread -lm

# Every test: unit tests first (fast, precise), then black-box CLI scenarios,
# then interop with independent implementations. tests/run-all prints the
# closing "N passed, N failed" line that CI reads.
test: all $(UNIT_BIN) $(BUILD)/gen-demo
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) sh tests/run-all

unit: $(UNIT_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) ONLY=unit sh tests/run-all

cli-test: all
	@BUILD=$(BUILD) SHARED=$(SHARED) ONLY=cli sh tests/run-all

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
debug:
	$(MAKE) BUILD=build/debug CFLAGS="-O0 -g $(SAN)" LDFLAGS="$(SAN)" test

bench: all $(TOOLS)
	@BUILD=$(BUILD) sh tools/bench.sh

demo: all $(BUILD)/gen-demo
	@BUILD=$(BUILD) sh tools/demo.sh

# Development TLS for `liandan serve`: a CA and a localhost certificate in certs/dev/ (ignored by git).
certs:
	sh certs/make-dev-certs.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/liandan
	install -m 0755 $(BUILD)/liandan $(DESTDIR)$(PREFIX)/bin/liandan
	install -m 0755 $(BUILD)/liandan-verify $(DESTDIR)$(PREFIX)/bin/liandan-verify
	install -m 0644 $(BUILD)/libliandan.a $(DESTDIR)$(PREFIX)/lib/libliandan.a
	install -m 0644 include/liandan/*.h $(DESTDIR)$(PREFIX)/include/liandan/
	install -d $(DESTDIR)$(WEBDIR)/js/pages
	install -m 0644 web/*.html web/*.js web/*.css $(DESTDIR)$(WEBDIR)/
	install -m 0644 web/js/*.js $(DESTDIR)$(WEBDIR)/js/
	install -m 0644 web/js/pages/*.js $(DESTDIR)$(WEBDIR)/js/pages/

clean:
	rm -rf build demo

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_BIN:=.d) $(BUILD)/bench.d $(BUILD)/gen-demo.d $(BUILD)/bench-domain.d \
	$(BUILD)/loadgen.d $(BUILD)/bare-mhd.d $(BUILD)/gen-events.d $(BUILD)/liandan-verify.d
