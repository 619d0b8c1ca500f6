# ngen for Linux - one plain Makefile.
#
#   make            build build/ngen and build/libngen-cg.so
#   make run        install dependencies, build, open the console on a demo cache
#   make test       install dependencies, build, run the whole test suite
#   make asan       the test suite under AddressSanitizer + UBSan (build-asan/)
#   make bench      benchmarks (figures are ratios against Mono or C)
#   make fuzz       fuzz the metadata reader (FUZZ_SECONDS, default 600)
#   make deps       install build and test dependencies with apt-get
#
# Layers (see DESIGN.md): base < compiler < engine < queue < tui, and
# runtime above engine. Everything in compiler/cg_*.c uses LLVM and is built
# into libngen-cg.so, which the ngen binary loads only when it compiles, so
# starting a program from native images never loads libLLVM.

BUILD       ?= build
CC          ?= cc
LLVM_CONFIG ?= llvm-config-14
PKGS        := ncursesw sqlite3 libuv libxml-2.0 json-c libcrypto bdw-gc

OPT         ?= -O2
SAN_FLAGS   :=
ifdef SAN
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g $(OPT) -fPIC -Wall -Wextra -Werror \
               -Wno-unused-parameter -MMD -MP -I. $(SAN_FLAGS)
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -lpthread -lm
LLVM_CFLAGS := $(shell $(LLVM_CONFIG) --cflags 2>/dev/null)
LLVM_LIBS   := $(shell $(LLVM_CONFIG) --ldflags --libs 2>/dev/null)
CRIT_LIBS   := $(shell pkg-config --libs criterion 2>/dev/null)
LDFLAGS     += $(SAN_FLAGS)

CFLAGS      := $(CFLAGS_BASE) $(PKG_CFLAGS)

# Sources by layer, found by wildcard so adding a file needs no edit here.
BASE_SRC    := $(wildcard base/*.c)
MD_SRC      := $(filter-out compiler/cg_%.c,$(wildcard compiler/*.c))
CG_SRC      := $(wildcard compiler/cg_*.c)
ENGINE_SRC  := $(wildcard engine/*.c)
QUEUE_SRC   := $(wildcard queue/*.c)
RT_SRC      := $(wildcard runtime/*.c)
TUI_SRC     := $(filter-out tui/main.c,$(wildcard tui/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
BASE_OBJ    := $(call obj,$(BASE_SRC))
MD_OBJ      := $(call obj,$(MD_SRC))
CG_OBJ      := $(call obj,$(CG_SRC))
ENGINE_OBJ  := $(call obj,$(ENGINE_SRC))
QUEUE_OBJ   := $(call obj,$(QUEUE_SRC))
RT_OBJ      := $(call obj,$(RT_SRC))
TUI_OBJ     := $(call obj,$(TUI_SRC))
MAIN_OBJ    := $(call obj,tui/main.c)

# What each layer's tests link: the layer and everything below it, with the
# code generator linked in directly (tests never load it with dlopen).
LINK_base     := $(BASE_OBJ)
LINK_compiler := $(LINK_base) $(MD_OBJ) $(CG_OBJ)
LINK_engine   := $(LINK_compiler) $(ENGINE_OBJ)
LINK_runtime  := $(LINK_engine) $(RT_OBJ)
LINK_queue    := $(LINK_engine) $(QUEUE_OBJ)
LINK_tui      := $(LINK_runtime) $(QUEUE_OBJ) $(TUI_OBJ)
TEST_LAYERS   := base compiler engine runtime queue tui

NGEN        := $(BUILD)/ngen
CGLIB       := $(BUILD)/libngen-cg.so
FIXTURES    := $(BUILD)/fixtures/.stamp

.PHONY: all run test asan bench fuzz deps fixtures clean screenshots
all: $(NGEN) $(CGLIB)

$(BUILD)/obj/compiler/cg_%.o: compiler/cg_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LLVM_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# -rdynamic: native images and libngen-cg.so call back into the runtime
# helpers and the metadata reader that live in the executable.
$(NGEN): $(MAIN_OBJ) $(BASE_OBJ) $(MD_OBJ) $(ENGINE_OBJ) $(QUEUE_OBJ) $(RT_OBJ) $(TUI_OBJ)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(PKG_LIBS)

$(CGLIB): $(CG_OBJ)
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(LLVM_LIBS)

# One Criterion binary per layer, from tests/<layer>/*.c.
define test_rule
TEST_$(1)_SRC := $$(wildcard tests/$(1)/*.c)
TEST_$(1)_OBJ := $$(call obj,$$(TEST_$(1)_SRC))
$(BUILD)/tests/test_$(1): $$(TEST_$(1)_OBJ) $$(LINK_$(1))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -rdynamic -o $$@ $$^ $$(PKG_LIBS) $$(LLVM_LIBS) $$(CRIT_LIBS)
endef
$(foreach l,$(TEST_LAYERS),$(eval $(call test_rule,$(l))))
TEST_BINS := $(foreach l,$(TEST_LAYERS),$(if $(TEST_$(l)_SRC),$(BUILD)/tests/test_$(l)))

# C# and IL fixtures, compiled with Mono's mcs and ilasm (never committed).
fixtures: $(FIXTURES)
$(FIXTURES): $(shell find tests/fixtures -type f 2>/dev/null) scripts/build-fixtures.sh
	scripts/build-fixtures.sh tests/fixtures $(BUILD)/fixtures
	@touch $@

deps:
	@scripts/deps.sh

test: deps
	$(MAKE) all fixtures $(TEST_BINS)
	scripts/run-tests.sh $(BUILD) $(TEST_BINS)

asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	$(MAKE) BUILD=build-asan SAN=1 OPT=-O1 test

run: deps
	$(MAKE) all fixtures
	scripts/demo.sh $(BUILD)

bench: deps
	$(MAKE) all fixtures
	scripts/bench.sh $(BUILD)

fuzz: deps
	scripts/fuzz.sh $(BUILD)

screenshots: deps
	$(MAKE) all fixtures
	scripts/screenshots.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
