# foray_substrate: PGXS build.
#
# The install script is assembled from the ordered fragments in sql/parts/
# (one per concern, so each feature owns its own SQL) into the versioned
# file PostgreSQL loads.  pg_regress inputs are every other sql/*.sql.

EXTENSION  = foray_substrate
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = $(EXTENSION)
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/core/*.c)))

PARTS      = $(sort $(wildcard sql/parts/*.sql))
# Upgrade scripts written as fragments: sql/upgrades/A--B/*.sql, concatenated
# in name order into sql/foray_substrate--A--B.sql (one fragment per concern).
UPGRADE_DIRS  = $(sort $(wildcard sql/upgrades/*--*))
UPGRADES_BUILT = $(patsubst sql/upgrades/%,sql/$(EXTENSION)--%.sql,$(UPGRADE_DIRS))

DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql $(UPGRADES_BUILT)
DATA       = $(filter-out $(UPGRADES_BUILT),$(wildcard sql/$(EXTENSION)--*--*.sql)) $(wildcard sql/versions/*.sql) $(wildcard sql/migrate/*.sql)

REGRESS_FILES = $(filter-out sql/$(EXTENSION)--%,$(wildcard sql/*.sql))
REGRESS    = $(patsubst sql/%.sql,%,$(REGRESS_FILES))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)

PG_CPPFLAGS = -I$(srcdir)/src -I$(srcdir)/src/core
SHLIB_LINK  = -lcrypto

EXTRA_CLEAN = sql/$(EXTENSION)--$(EXTVERSION).sql $(UPGRADES_BUILT)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(PARTS) $(EXTENSION).control
	cat $(PARTS) > $@

.SECONDEXPANSION:
$(UPGRADES_BUILT): sql/$(EXTENSION)--%.sql: $$(sort $$(wildcard sql/upgrades/%/*.sql))
	cat $(sort $(wildcard $(patsubst sql/$(EXTENSION)--%.sql,sql/upgrades/%/*.sql,$@))) > $@

# PGXS tracks no header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h src/core/*.h)

# foray-verify, the offline verifier (src/cli, docs/foray-verify.md): built
# by its own Makefile with the same src/core sources, installed next to
# PostgreSQL's programs (bindir; DESTDIR respected).
all: foray-verify
foray-verify:
	$(MAKE) -C src/cli CC="$(CC)" COPT="$(COPT)"
install: install-foray-verify
install-foray-verify: foray-verify
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) src/cli/foray-verify '$(DESTDIR)$(bindir)/foray-verify'
uninstall: uninstall-foray-verify
uninstall-foray-verify:
	rm -f '$(DESTDIR)$(bindir)/foray-verify'
clean: clean-foray-verify
clean-foray-verify:
	$(MAKE) -C src/cli clean
.PHONY: foray-verify install-foray-verify uninstall-foray-verify clean-foray-verify
