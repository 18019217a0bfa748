# Shared by the migration suites (test/suites/6x_migration*.sh): TAP lines
# and counters, the installed migration script, and a checksum of tables.
# Source after test/lib.sh; the suite defines q (its psql for $DB).
P=0
F=0
ok() { P=$((P + 1)); echo "ok - $1"; }
nok() { F=$((F + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
is() { # description, got, expected
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "got [$2], expected [$3]"; fi
}

SCRIPT="$FORAY_SANDBOX$("$(foray_pg_config)" --sharedir)/extension/foray_substrate_migrate_loomworks.sql"

# One md5 over every row of the listed tables (order-independent).
checksum() {
	local parts=""
	for t in "$@"; do
		parts="$parts UNION ALL SELECT '$t', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM $t x"
	done
	q "SELECT md5(string_agg(t || m, ',' ORDER BY t)) FROM (${parts# UNION ALL }) s(t, m)"
}

# contains_all TEXT PATTERN...: every grep pattern is found in TEXT.
contains_all() {
	local text=$1 p
	shift
	for p in "$@"; do
		echo "$text" | grep -q -- "$p" || return 1
	done
}
