# mod_mapi: top-level build.  `make` builds the module and mapi-admin,
# `make check` runs every test, `make demo` starts a demo server.
# See README.md.

APXS        ?= apxs
CC          ?= cc
APR_CFLAGS  := $(shell apr-1-config --cflags --cppflags --includes 2>/dev/null)
APR_LIBS    := $(shell apr-1-config --link-ld --libs 2>/dev/null)
HTTPD_INC   := $(shell $(APXS) -q INCLUDEDIR 2>/dev/null)
MODDIR      := $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)
SANITIZE    ?=
WARN        := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS      ?= -O2 -g
ALL_CFLAGS  := $(CFLAGS) $(WARN) -std=gnu11 -fPIC -D_GNU_SOURCE $(APR_CFLAGS) $(SANITIZE)
GMIME_CFLAGS := $(shell pkg-config --cflags gmime-3.0 2>/dev/null)
GMIME_LIBS  := $(shell pkg-config --libs gmime-3.0 2>/dev/null)
ALL_CFLAGS  += $(GMIME_CFLAGS)
ICU_CFLAGS  := $(shell pkg-config --cflags icu-uc icu-i18n 2>/dev/null)
ICU_LIBS    := $(shell pkg-config --libs icu-uc icu-i18n 2>/dev/null)
ALL_CFLAGS  += $(ICU_CFLAGS)
LIBS        := -ldb-5.3 -lssl -lcrypto $(APR_LIBS) -laprutil-1 -lpthread $(GMIME_LIBS) \
               $(ICU_LIBS)
# BUILD: the output tree.  `make BUILD=build/asan SANITIZE="..."` builds
# everything (core, module, tools, tests) into a second tree with other
# flags; `make check` does that for ASan + UBSan (sanitize-check below).
BUILD       ?= build
O           := $(BUILD)/obj

# Core: everything that does not need httpd headers, linked into the module,
# mapi-admin and the tests.
CORE_SRC    := $(wildcard mod_mapi/wire/*.c mod_mapi/db/*.c mod_mapi/configdb/*.c \
                 mod_mapi/session/*.c mod_mapi/rop/*.c mod_mapi/store/*.c \
                 mod_mapi/mime/*.c mod_mapi/delivery/*.c mod_mapi/submit/*.c mod_mapi/nspi/*.c) \
               mod_mapi/log/mapi_logfile.c mod_mapi/http/mh_parse.c \
               mod_mapi/autodiscover/autod_request.c
CORE_OBJ    := $(patsubst %.c,$(O)/%.o,$(CORE_SRC))
# httpd side: transport, Autodiscover, module glue.
MOD_SRC     := $(filter-out $(CORE_SRC),mod_mapi/mod_mapi.c \
                 $(wildcard mod_mapi/http/*.c mod_mapi/autodiscover/*.c) \
                 mod_mapi/log/mapi_log.c mod_mapi/log/mapi_stats.c)
ADMIN_SRC   := $(wildcard admin-tool/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
INTEG_SRC   := $(wildcard tests/integ/test_*.c)
INTEG_BIN   := $(patsubst tests/integ/%.c,$(BUILD)/tests/%,$(INTEG_SRC))
INTEG_LIB   := $(filter-out $(INTEG_SRC),$(wildcard tests/integ/*.c))
TOOL_SRC    := $(wildcard tests/tools/*.c)
TOOL_BIN    := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRC))

.PHONY: all module admin deps install demo stop check unit integ clean tools fuzz fuzz-smoke bench soak
all: module admin tools

deps:
	@build/install-deps.sh

# -MMD: each object also depends on the headers it includes, so a changed
# struct never leaves stale objects in the archive.
$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Imod_mapi -c -o $@ $<

-include $(CORE_OBJ:.o=.d)

$(BUILD)/libmapicore.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

module: $(BUILD)/mod_mapi.so
$(BUILD)/mod_mapi.so: $(MOD_SRC) $(BUILD)/libmapicore.a $(wildcard mod_mapi/*/*.h mod_mapi/*.h)
	@mkdir -p $(BUILD)/apxs
	$(CC) $(ALL_CFLAGS) -I$(HTTPD_INC) -Imod_mapi -shared -o $@ $(MOD_SRC) \
	    -Wl,--whole-archive $(BUILD)/libmapicore.a -Wl,--no-whole-archive $(LIBS)

admin: $(BUILD)/mapi-admin $(BUILD)/mapi-deliver
$(BUILD)/mapi-admin: $(ADMIN_SRC) $(BUILD)/libmapicore.a $(wildcard admin-tool/*.h)
	$(CC) $(ALL_CFLAGS) -Imod_mapi -o $@ $(ADMIN_SRC) $(BUILD)/libmapicore.a $(LIBS) \
	    -lcurl -lgssapi_krb5 -lkrb5

# The MTA's local delivery agent (pipe and LMTP), admin-tool/deliver/.
$(BUILD)/mapi-deliver: admin-tool/deliver/mapi-deliver.c $(BUILD)/libmapicore.a
	$(CC) $(ALL_CFLAGS) -Imod_mapi -o $@ $< $(BUILD)/libmapicore.a $(LIBS)

tools: $(TOOL_BIN)
$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/libmapicore.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< $(BUILD)/libmapicore.a $(LIBS) -lcurl

# Benchmarks (tests/bench/*.c), built by `make bench` or by name.
BENCH_SRC   := $(wildcard tests/bench/*.c)
BENCH_BIN   := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libmapicore.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< $(BUILD)/libmapicore.a $(LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libmapicore.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< $(BUILD)/libmapicore.a $(LIBS) -lcunit

# The ROP test client's wire layer (no libcurl) under its unit test.
$(BUILD)/tests/test_rop_client: tests/unit/test_rop_client.c tests/integ/rop_wire.c tests/integ/rop_wire.h $(BUILD)/libmapicore.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< tests/integ/rop_wire.c $(BUILD)/libmapicore.a $(LIBS) -lcunit

$(BUILD)/tests/test_%: tests/integ/test_%.c $(INTEG_LIB) $(BUILD)/libmapicore.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< $(INTEG_LIB) $(BUILD)/libmapicore.a $(LIBS) -lcunit -lcurl

# The load generator (tests/bench/loadgen.c) also links the integration
# tests' client (mh_client.c, rop_wire.c).  `make bench` runs
# tests/bench/run.sh and rewrites BENCHMARKS.md; `make soak` runs mixed
# load for SOAK_SECONDS.
SOAK_SECONDS ?= 1800
LOADGEN_LIB := tests/integ/mh_client.c tests/integ/rop_wire.c
$(BUILD)/bench/loadgen: tests/bench/loadgen.c $(LOADGEN_LIB) $(wildcard tests/integ/*.h) $(BUILD)/libmapicore.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -Itests/integ -o $@ $< $(LOADGEN_LIB) \
	    $(BUILD)/libmapicore.a $(LIBS) -lcurl -lm

bench: all $(BENCH_BIN)
	@tests/bench/run.sh

soak: all $(BENCH_BIN)
	@SOAK_SECONDS=$(SOAK_SECONDS) tests/bench/soak.sh

unit: $(UNIT_BIN)
	@tests/check-logno.sh
	@tests/run-unit.sh $(UNIT_BIN)

integ: all $(INTEG_BIN)
	@tests/run-integ.sh $(INTEG_BIN)

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) fuzz-smoke
	$(MAKE) integ
	$(MAKE) sanitize-check

# libFuzzer targets (clang, ASan + UBSan) over the parsers of untrusted
# bytes; `make fuzz FUZZ_SECONDS=3600` runs each for that long, `make
# fuzz FUZZ_TARGETS="fuzz_http fuzz_lmtp"` only those.  The core is
# compiled once for all targets (build/fuzz/obj, build/fuzz/libfuzzcore.a).
FZ          := build/fuzz
FUZZ_OBJ    := $(patsubst %.c,$(FZ)/obj/%.o,$(CORE_SRC))
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,$(FZ)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_BIN)
FUZZ_SECONDS ?= 60
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) -D_GNU_SOURCE $(APR_CFLAGS) $(GMIME_CFLAGS) $(ICU_CFLAGS) \
               -Imod_mapi

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

-include $(FUZZ_OBJ:.o=.d)

$(FZ)/libfuzzcore.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FZ)/libfuzzcore.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests -o $@ $< $(FZ)/libfuzzcore.a $(LIBS)

fuzz: $(FUZZ_BIN)
	@tests/run-fuzz.sh $(FUZZ_SECONDS) $(patsubst fuzz_%,$(FZ)/fuzz_%,$(FUZZ_TARGETS))

fuzz-smoke: $(FUZZ_BIN)
	@tests/run-fuzz.sh 10 $(FUZZ_BIN)

# The unit and integration tests once more against a tree built with gcc's
# ASan + UBSan (build/asan): LeakSanitizer checks the unit tests and the
# tools at exit; httpd loads the sanitized module with libasan preloaded
# (instance.sh MAPI_SANITIZE=1), and an instance whose logs hold a
# sanitizer report fails its program (harness.c).  SAN_INTEG: which
# integration programs (names without test_, or "all"); by default all
# but the three slowest (big bodies and tables, the same code paths as
# the others: about 200 s of the 600 s that all take under ASan here) and
# test_crash (process kills and recovery restarts, 80-100 s; its paths
# are the normal pass's business), so that make check stays well inside
# CI's 30 minutes.
SAN_BUILD   := build/asan
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer
SAN_INTEG_SLOW := rops_large rops_packing ported_oxctabl crash
SAN_INTEG   ?= $(filter-out $(SAN_INTEG_SLOW),$(patsubst tests/integ/test_%.c,%,$(INTEG_SRC)))
SAN_INTEG_BIN = $(if $(filter all,$(SAN_INTEG)),$(patsubst $(BUILD)/%,$(SAN_BUILD)/%,$(INTEG_BIN)),\
                $(patsubst %,$(SAN_BUILD)/tests/test_%,$(SAN_INTEG)))
SAN_ENV     := ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
               UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
               LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

.PHONY: sanitize-build sanitize-unit sanitize-integ sanitize-check valgrind-integ
sanitize-build:
	$(MAKE) BUILD=$(SAN_BUILD) SANITIZE="$(SAN_FLAGS)" CFLAGS="-O1 -g" all \
	    $(patsubst $(BUILD)/%,$(SAN_BUILD)/%,$(UNIT_BIN)) $(SAN_INTEG_BIN)

sanitize-unit: sanitize-build
	@env $(SAN_ENV) tests/run-unit.sh $(patsubst $(BUILD)/%,$(SAN_BUILD)/%,$(UNIT_BIN))

sanitize-integ: sanitize-build
	@env $(SAN_ENV) MAPI_SANITIZE=1 MAPI_BUILD_DIR=$(CURDIR)/$(SAN_BUILD) \
	    MAPI_ASAN_LIB=$(shell $(CC) -print-file-name=libasan.so) \
	    tests/run-integ.sh $(SAN_INTEG_BIN)

sanitize-check: sanitize-unit sanitize-integ

# Integration programs with httpd (parent and children) under valgrind
# memcheck (instance.sh MAPI_VALGRIND=1); not part of check: it is slow.
# VALGRIND_INTEG: names without test_.
VALGRIND_INTEG ?= transport rops_messages nspi
valgrind-integ: all $(patsubst %,$(BUILD)/tests/test_%,$(VALGRIND_INTEG))
	@MAPI_VALGRIND=1 MAPI_INTEG_TIMEOUT=1200 \
	    tests/run-integ.sh $(patsubst %,$(BUILD)/tests/test_%,$(VALGRIND_INTEG))

install: all
	install -d $(DESTDIR)$(MODDIR) $(DESTDIR)/etc/apache2/mods-available $(DESTDIR)/usr/local/bin
	install -m 644 $(BUILD)/mod_mapi.so $(DESTDIR)$(MODDIR)/mod_mapi.so
	install -m 644 conf.d/mapi.load $(DESTDIR)/etc/apache2/mods-available/mapi.load
	install -m 644 conf.d/mapi.conf $(DESTDIR)/etc/apache2/mods-available/mapi.conf
	install -m 755 $(BUILD)/mapi-admin $(DESTDIR)/usr/local/bin/mapi-admin
	install -m 755 $(BUILD)/mapi-deliver $(DESTDIR)/usr/local/bin/mapi-deliver
	install -d $(DESTDIR)/usr/local/share/man/man1
	install -m 644 admin-tool/mapi-admin.1 $(DESTDIR)/usr/local/share/man/man1/mapi-admin.1

demo: deps
	$(MAKE) all
	@build/demo.sh start

stop:
	@build/demo.sh stop

clean:
	rm -rf $(BUILD)/obj $(BUILD)/tests build/fuzz $(BUILD)/bench $(SAN_BUILD) $(BUILD)/*.a $(BUILD)/*.so $(BUILD)/mapi-admin $(BUILD)/apxs
