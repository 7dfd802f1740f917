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
O           := build/obj

# Core: everything that does not need httpd headers, linked into the module,
# mapi-admin and the tests.
CORE_SRC    := $(wildcard mod_mapi/wire/*.c mod_mapi/db/*.c mod_mapi/configdb/*.c \
                 mod_mapi/session/*.c mod_mapi/rop/*.c mod_mapi/store/*.c \
                 mod_mapi/mime/*.c mod_mapi/delivery/*.c mod_mapi/submit/*.c mod_mapi/nspi/*.c) \
               mod_mapi/log/mapi_logfile.c
CORE_OBJ    := $(patsubst %.c,$(O)/%.o,$(CORE_SRC))
# httpd side: transport, Autodiscover, module glue.
MOD_SRC     := mod_mapi/mod_mapi.c $(wildcard mod_mapi/http/*.c mod_mapi/autodiscover/*.c) \
               mod_mapi/log/mapi_log.c mod_mapi/log/mapi_stats.c
ADMIN_SRC   := $(wildcard admin-tool/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
INTEG_SRC   := $(wildcard tests/integ/test_*.c)
INTEG_BIN   := $(patsubst tests/integ/%.c,build/tests/%,$(INTEG_SRC))
INTEG_LIB   := $(filter-out $(INTEG_SRC),$(wildcard tests/integ/*.c))
TOOL_SRC    := $(wildcard tests/tools/*.c)
TOOL_BIN    := $(patsubst tests/tools/%.c,build/tests/%,$(TOOL_SRC))

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

build/libmapicore.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

module: build/mod_mapi.so
build/mod_mapi.so: $(MOD_SRC) build/libmapicore.a $(wildcard mod_mapi/*/*.h mod_mapi/*.h)
	@mkdir -p build/apxs
	$(CC) $(ALL_CFLAGS) -I$(HTTPD_INC) -Imod_mapi -shared -o $@ $(MOD_SRC) \
	    -Wl,--whole-archive build/libmapicore.a -Wl,--no-whole-archive $(LIBS)

admin: build/mapi-admin build/mapi-deliver
build/mapi-admin: $(ADMIN_SRC) build/libmapicore.a $(wildcard admin-tool/*.h)
	$(CC) $(ALL_CFLAGS) -Imod_mapi -o $@ $(ADMIN_SRC) build/libmapicore.a $(LIBS) \
	    -lcurl -lgssapi_krb5 -lkrb5

# The MTA's local delivery agent (pipe and LMTP), admin-tool/deliver/.
build/mapi-deliver: admin-tool/deliver/mapi-deliver.c build/libmapicore.a
	$(CC) $(ALL_CFLAGS) -Imod_mapi -o $@ $< build/libmapicore.a $(LIBS)

tools: $(TOOL_BIN)
build/tests/%: tests/tools/%.c build/libmapicore.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< build/libmapicore.a $(LIBS) -lcurl

# Benchmarks (tests/bench/*.c), built by `make bench` or by name.
BENCH_SRC   := $(wildcard tests/bench/*.c)
BENCH_BIN   := $(patsubst tests/bench/%.c,build/bench/%,$(BENCH_SRC))
build/bench/%: tests/bench/%.c build/libmapicore.a
	@mkdir -p build/bench
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< build/libmapicore.a $(LIBS)

build/tests/test_%: tests/unit/test_%.c build/libmapicore.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< build/libmapicore.a $(LIBS) -lcunit

# The ROP test client's wire layer (no libcurl) under its unit test.
build/tests/test_rop_client: tests/unit/test_rop_client.c tests/integ/rop_wire.c tests/integ/rop_wire.h build/libmapicore.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< tests/integ/rop_wire.c build/libmapicore.a $(LIBS) -lcunit

build/tests/test_%: tests/integ/test_%.c $(INTEG_LIB) build/libmapicore.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -o $@ $< $(INTEG_LIB) build/libmapicore.a $(LIBS) -lcunit -lcurl

# The load generator (tests/bench/loadgen.c) also links the integration
# tests' client (mh_client.c, rop_wire.c).  `make bench` runs
# tests/bench/run.sh and rewrites BENCHMARKS.md; `make soak` runs mixed
# load for SOAK_SECONDS.
SOAK_SECONDS ?= 1800
LOADGEN_LIB := tests/integ/mh_client.c tests/integ/rop_wire.c
build/bench/loadgen: tests/bench/loadgen.c $(LOADGEN_LIB) $(wildcard tests/integ/*.h) build/libmapicore.a
	@mkdir -p build/bench
	$(CC) $(ALL_CFLAGS) -Imod_mapi -Itests -Itests/integ -o $@ $< $(LOADGEN_LIB) \
	    build/libmapicore.a $(LIBS) -lcurl -lm

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

# libFuzzer targets (clang, ASan + UBSan) over the parsers of untrusted
# bytes; `make fuzz FUZZ_SECONDS=3600` runs each for that long.
FUZZ_SRC    := $(wildcard mod_mapi/wire/*.c mod_mapi/rop/*.c mod_mapi/store/*.c mod_mapi/session/*.c mod_mapi/db/*.c mod_mapi/configdb/*.c mod_mapi/mime/*.c mod_mapi/delivery/*.c mod_mapi/submit/*.c mod_mapi/nspi/*.c)
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -D_GNU_SOURCE $(APR_CFLAGS) $(GMIME_CFLAGS) $(ICU_CFLAGS) -Imod_mapi

build/fuzz/%: tests/fuzz/%.c $(FUZZ_SRC)
	@mkdir -p build/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC) $(LIBS)

fuzz: $(FUZZ_BIN)
	@tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-smoke: $(FUZZ_BIN)
	@tests/run-fuzz.sh 10 $(FUZZ_BIN)

install: all
	install -d $(DESTDIR)$(MODDIR) $(DESTDIR)/etc/apache2/mods-available $(DESTDIR)/usr/local/bin
	install -m 644 build/mod_mapi.so $(DESTDIR)$(MODDIR)/mod_mapi.so
	install -m 644 conf.d/mapi.load $(DESTDIR)/etc/apache2/mods-available/mapi.load
	install -m 644 conf.d/mapi.conf $(DESTDIR)/etc/apache2/mods-available/mapi.conf
	install -m 755 build/mapi-admin $(DESTDIR)/usr/local/bin/mapi-admin
	install -m 755 build/mapi-deliver $(DESTDIR)/usr/local/bin/mapi-deliver
	install -d $(DESTDIR)/usr/local/share/man/man1
	install -m 644 admin-tool/mapi-admin.1 $(DESTDIR)/usr/local/share/man/man1/mapi-admin.1

demo: deps
	$(MAKE) all
	@build/demo.sh start

stop:
	@build/demo.sh stop

clean:
	rm -rf build/obj build/tests build/fuzz build/bench build/*.a build/*.so build/mapi-admin build/apxs
