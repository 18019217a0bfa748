# A Citus cluster on loopback for the Citus suite (test/suites/80_citus.sh)
# and by hand: a coordinator and two workers, each its own initdb under
# tmp/, on FORAY_CITUS_PORT (the coordinator; default 55432) and the next
# two ports.  Source test/lib.sh first.
#
#   foray_citus_ensure     Citus installed (built from its source archive when
#                          missing, docs/scale-out.md) and copied into tmp/pginst;
#                          returns 1, with the reason in FORAY_CITUS_SKIP,
#                          when it cannot be
#   foray_citus_start      the three nodes running, database $FORAY_CITUS_DB
#                          (foray_citus) created with Citus and the workers added
#   foray_citus_stop       stops the three nodes
#   foray_cq PORT SQL...   psql -At against one node's $FORAY_CITUS_DB

FORAY_CITUS_PORT=${FORAY_CITUS_PORT:-55432}
FORAY_CITUS_DB=${FORAY_CITUS_DB:-foray_citus}
FORAY_CITUS_PORTS="$FORAY_CITUS_PORT $((FORAY_CITUS_PORT + 1)) $((FORAY_CITUS_PORT + 2))"
FORAY_CITUS_SHARDS=${FORAY_CITUS_SHARDS:-8}
export FORAY_CITUS_PORT FORAY_CITUS_DB FORAY_CITUS_SHARDS

foray_citus_dir() { echo "$(foray_cluster_dir)-citus-$1"; }

# The folder holding the Citus source archive and install.sh (with its
# patch): the folder of $FORAY_CITUS_ARCHIVE when set, else shared/citus
# beside the repository or beside one of its parents.
foray_citus_source() {
	local d
	if [ -n "${FORAY_CITUS_ARCHIVE:-}" ]; then
		d=$(cd "$(dirname "$FORAY_CITUS_ARCHIVE")" 2>/dev/null && pwd) || return 1
		[ -f "$FORAY_CITUS_ARCHIVE" ] && [ -f "$d/install.sh" ] && { echo "$d"; return 0; }
		return 1
	fi
	d=$(cd "$FORAY_ROOT/.." && pwd)
	while :; do
		if [ -f "$d/shared/citus/citus-13.2.2.tar.gz" ] && [ -f "$d/shared/citus/install.sh" ]; then
			echo "$d/shared/citus"
			return 0
		fi
		[ "$d" = / ] && return 1
		d=$(dirname "$d")
	done
}

foray_citus_ensure() {
	local pgc libdir sharedir src
	pgc=$(foray_pg_config)
	libdir=$($pgc --pkglibdir)
	sharedir=$($pgc --sharedir)
	if [ ! -f "$libdir/citus.so" ] || ! grep -q "default_version = '13.2-1'" "$sharedir/extension/citus.control" 2>/dev/null; then
		if ! src=$(foray_citus_source); then
			if [ -n "${FORAY_CITUS_ARCHIVE:-}" ]; then
				FORAY_CITUS_SKIP="Citus is not installed and FORAY_CITUS_ARCHIVE ($FORAY_CITUS_ARCHIVE) is not an archive with install.sh beside it"
			else
				FORAY_CITUS_SKIP="Citus is not installed and no shared/citus/citus-13.2.2.tar.gz with install.sh was found beside the repository or its parents (set FORAY_CITUS_ARCHIVE)"
			fi
			return 1
		fi
		foray_log "building Citus with $src/install.sh (one to ten minutes)"
		if ! PG_CONFIG="$pgc" bash "$src/install.sh" >"$FORAY_TMP/citus-install.log" 2>&1; then
			FORAY_CITUS_SKIP="Citus could not be built (tmp/citus-install.log: $(tail -n 1 "$FORAY_TMP/citus-install.log"))"
			return 1
		fi
	fi
	# tmp/pginst is a copy made once: bring Citus into it.  A library a
	# running server has mapped is never written over (that crashes it): a
	# changed one is copied beside it and renamed into place.
	local f
	for f in "$libdir"/citus*.so; do
		cmp -s "$f" "$FORAY_SANDBOX$libdir/$(basename "$f")" && continue
		cp -a "$f" "$FORAY_SANDBOX$libdir/.$(basename "$f").new" &&
			mv -f "$FORAY_SANDBOX$libdir/.$(basename "$f").new" "$FORAY_SANDBOX$libdir/$(basename "$f")" || {
			FORAY_CITUS_SKIP="Citus could not be copied into $FORAY_SANDBOX"
			return 1
		}
	done
	cp -a "$sharedir"/extension/citus* "$FORAY_SANDBOX$sharedir/extension/" || {
		FORAY_CITUS_SKIP="Citus could not be copied into $FORAY_SANDBOX"
		return 1
	}
	[ -d "$libdir/citus_decoders" ] && [ ! -d "$FORAY_SANDBOX$libdir/citus_decoders" ] &&
		cp -a "$libdir/citus_decoders" "$FORAY_SANDBOX$libdir/"
	return 0
}

foray_cq() {
	local port=$1
	shift
	"$FORAY_PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$FORAY_CITUS_DB" "$@"
}

foray_citus_start() {
	local d port
	for port in $FORAY_CITUS_PORTS; do
		d=$(foray_citus_dir "$port")
		if [ -f "$d/postmaster.pid" ] && foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$d" status >/dev/null 2>&1; then
			continue
		fi
		if [ ! -f "$d/PG_VERSION" ]; then
			rm -rf "$d"
			mkdir -p "$d"
			[ "$(id -u)" -eq 0 ] && chown postgres: "$d"
			foray_as_pg "$FORAY_PGBIN/initdb" -D "$d" -U postgres --auth=trust \
				--encoding=UTF8 --locale=C.UTF-8 >/dev/null || return 1
			cat >>"$d/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$d'
port = $port
shared_preload_libraries = 'citus'
max_connections = 200
max_prepared_transactions = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
max_wal_size = 2GB
deadlock_timeout = 200ms
citus.shard_count = $FORAY_CITUS_SHARDS
CONF
		fi
		foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$d" -l "$d/server.log" -w start >/dev/null || return 1
	done
	for port in $FORAY_CITUS_PORTS; do
		"$FORAY_PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
			-c "DROP DATABASE IF EXISTS $FORAY_CITUS_DB WITH (FORCE)" -c "CREATE DATABASE $FORAY_CITUS_DB" >/dev/null || return 1
		foray_cq "$port" -c "CREATE EXTENSION citus" >/dev/null || return 1
	done
	set -- $FORAY_CITUS_PORTS
	foray_cq "$1" -c "SELECT citus_set_coordinator_host('127.0.0.1', $1)" \
		-c "SELECT citus_add_node('127.0.0.1', $2)" -c "SELECT citus_add_node('127.0.0.1', $3)" >/dev/null
}

foray_citus_stop() {
	local port
	for port in $FORAY_CITUS_PORTS; do
		foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$(foray_citus_dir "$port")" -m fast -w stop >/dev/null 2>&1 || true
	done
}
