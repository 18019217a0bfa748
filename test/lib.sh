# Shared shell helpers for test/setup.sh, test/run.sh and the suites.
#
# Everything happens inside the work tree's tmp/ folder:
#   tmp/pginst/   a private copy of the PostgreSQL server installation, into
#                 which "make install DESTDIR=..." puts the extension, so the
#                 tests never touch the system's own PostgreSQL directories;
#   tmp/cluster/  a throwaway cluster (trust auth, unix socket only).
# Source this file; it sets FORAY_ROOT, FORAY_PGBIN, PGHOST, PGPORT, PGUSER.

FORAY_ROOT=${FORAY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
FORAY_PGVER=${FORAY_PGVER:-15}
FORAY_PGPORT=${FORAY_PGPORT:-5440}
FORAY_TMP=${FORAY_TMP:-$FORAY_ROOT/tmp}
FORAY_SANDBOX=$FORAY_TMP/pginst
export FORAY_ROOT FORAY_PGVER FORAY_PGPORT FORAY_TMP FORAY_SANDBOX

FORAY_PACKAGES="postgresql-$FORAY_PGVER postgresql-server-dev-$FORAY_PGVER \
libjansson-dev libssl-dev postgresql-$FORAY_PGVER-pgtap libtap-parser-sourcehandler-pgtap-perl \
build-essential clang sqlsmith jq"

foray_log() { printf '== %s\n' "$*" >&2; }

# Install the Debian packages the build and the tests need.  Skipped when
# they are all present, unless FORAY_FORCE_APT=1 (CI sets it).
foray_deps() {
	local missing=""
	for p in $FORAY_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	if [ -z "$missing" ] && [ "${FORAY_FORCE_APT:-0}" != 1 ]; then
		return 0
	fi
	local sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	foray_log "installing Debian packages:${missing:- (forced)}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $FORAY_PACKAGES >/dev/null
}

foray_pg_config() { echo "/usr/lib/postgresql/$FORAY_PGVER/bin/pg_config"; }

# Build with warnings as errors.
foray_build() {
	foray_log "building"
	make -C "$FORAY_ROOT" -s -j2 PG_CONFIG="$(foray_pg_config)" COPT="-Werror ${FORAY_COPT:-}" >&2
}

# Copy the server installation into tmp/pginst (once) and install the
# extension there with DESTDIR.  PostgreSQL finds its share directory
# relative to its binary, so the copy runs with our files only.
foray_install() {
	local pgc bindir sharedir
	pgc=$(foray_pg_config)
	bindir=$($pgc --bindir)
	sharedir=$($pgc --sharedir)
	if [ ! -x "$FORAY_SANDBOX$bindir/postgres" ]; then
		foray_log "copying the PostgreSQL installation into $FORAY_SANDBOX"
		rm -rf "$FORAY_SANDBOX"
		mkdir -p "$FORAY_SANDBOX$(dirname "$(dirname "$bindir")")" "$FORAY_SANDBOX$(dirname "$sharedir")"
		cp -a "$(dirname "$bindir")" "$FORAY_SANDBOX$(dirname "$(dirname "$bindir")")/" || return 1
		cp -a "$sharedir" "$FORAY_SANDBOX$(dirname "$sharedir")/" || return 1
	fi
	# pick up extensions installed since (pgTAP)
	cp -a "$sharedir/extension/." "$FORAY_SANDBOX$sharedir/extension/"
	make -C "$FORAY_ROOT" -s PG_CONFIG="$pgc" install DESTDIR="$FORAY_SANDBOX" >&2
	chmod -R a+rX "$FORAY_SANDBOX"
}

FORAY_PGBIN="$FORAY_SANDBOX/usr/lib/postgresql/$FORAY_PGVER/bin"
export FORAY_PGBIN
FORAY_PG_REGRESS="/usr/lib/postgresql/$FORAY_PGVER/lib/pgxs/src/test/regress/pg_regress"
export FORAY_PG_REGRESS

# Run a command as the cluster's OS user (postgres when we are root:
# the server refuses to run as root).
foray_as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

foray_cluster_dir() {
	local d="$FORAY_TMP/cluster-$FORAY_PGPORT"
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$FORAY_TMP"
		# the postgres user must be able to reach the work tree
		if ! runuser -u postgres -- test -x "$FORAY_TMP" 2>/dev/null; then
			d="/tmp/foray-cluster-$FORAY_PGPORT"
		fi
	fi
	echo "$d"
}

FORAY_PGDATA=$(foray_cluster_dir)
export FORAY_PGDATA
export PGHOST="$FORAY_PGDATA" PGPORT="$FORAY_PGPORT" PGUSER=postgres PGDATABASE=postgres

# Start (creating if needed) the throwaway cluster.
foray_cluster_start() {
	if [ -f "$FORAY_PGDATA/postmaster.pid" ] && foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$FORAY_PGDATA" status >/dev/null 2>&1; then
		return 0
	fi
	if [ ! -f "$FORAY_PGDATA/PG_VERSION" ]; then
		foray_log "creating a throwaway cluster in $FORAY_PGDATA"
		rm -rf "$FORAY_PGDATA"
		mkdir -p "$FORAY_PGDATA"
		[ "$(id -u)" -eq 0 ] && chown postgres: "$FORAY_PGDATA"
		foray_as_pg "$FORAY_PGBIN/initdb" -D "$FORAY_PGDATA" -U postgres --auth=trust \
			--encoding=UTF8 --locale=C.UTF-8 >/dev/null
		cat >>"$FORAY_PGDATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$FORAY_PGDATA'
port = $FORAY_PGPORT
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
max_wal_size = 4GB
work_mem = 64MB
maintenance_work_mem = 512MB
deadlock_timeout = 200ms
shared_preload_libraries = ''
CONF
	fi
	foray_log "starting the cluster (port $FORAY_PGPORT)"
	foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$FORAY_PGDATA" -l "$FORAY_PGDATA/server.log" -w start >/dev/null
}

foray_cluster_stop() {
	foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$FORAY_PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}

foray_psql() { "$FORAY_PGBIN/psql" -X -v ON_ERROR_STOP=1 -q "$@"; }

# Create a fresh database with the extension installed.
foray_fresh_db() {
	local db=$1
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	foray_psql -d "$db" -c "CREATE EXTENSION foray_substrate"
}

# foray_check NAME EXPECTED ACTUAL: one "ok - NAME" or "not ok - NAME" line
# (with both values when they differ), counted in foray_passed and
# foray_failed for the suite's foray_tally.
foray_passed=0
foray_failed=0
foray_check() {
	if [ "$2" == "$3" ]; then
		foray_passed=$((foray_passed + 1)); echo "ok - $1"
	else
		foray_failed=$((foray_failed + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got:      $3"
	fi
}

# A suite's tally: suites end by calling foray_tally P F, which prints the
# line test/run.sh reads and sets the exit status.
foray_tally() {
	echo "$1 passed, $2 failed"
	[ "$2" -eq 0 ]
}
