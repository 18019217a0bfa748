#!/usr/bin/env bash
# Benchmark: the Loomworks migration against a plain INSERT ... SELECT copy
# of the same legacy rows, in the same run and database (into bare tables,
# and into tables of the legacy definition: its indexes and constraints);
# and against a plain INSERT ... SELECT of the rows the migration wrote into
# untriggered tables of the substrate's definition (what storing them
# costs, nothing else).
#
#   bash test/bench/migration_bench.sh [n_flows n_audit n_memory]
#
# Defaults are the issue's sizes: 1,000,000 credit flows, 100,000 audit
# events, 1,000,000 memory_events.  FORAY_BENCH_DIAGNOSTIC=1 adds a rolled-
# back run with the substrate's triggers off, before the real one.  Prints
# seconds, rows/s and the ratios.  The target (docs/migration.md, "The
# target"): migration + reconciliation within 3x of B, the plain copy of the
# rows the migration writes, and under 10 minutes; A and A' are reported
# beside it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source test/lib.sh
N_FLOWS=${1:-1000000}
N_AUDIT=${2:-100000}
N_MEM=${3:-1000000}
DB=foray_migration_bench

foray_build
foray_install
foray_cluster_start
foray_fresh_db "$DB"
script="$FORAY_SANDBOX$("$(foray_pg_config)" --sharedir)/extension/foray_substrate_migrate_loomworks.sql"

now() { date +%s.%N; }
# Before each measured phase (not timed): everything written so far is
# checkpointed and on disk, so no phase pays for the writeback of the one
# before it (generating the fixture alone leaves gigabytes of dirty pages);
# and, when the benchmark may (as root), the kernel's page cache is dropped,
# so each phase starts from the same cold state instead of reclaiming what
# the phases before it left in memory.
settle() {
	foray_psql -d "$DB" -q -c "CHECKPOINT"
	sync
	if [ -w /proc/sys/vm/drop_caches ]; then
		echo 3 > /proc/sys/vm/drop_caches
	fi
}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

foray_log "generating $N_FLOWS flows, $N_AUDIT audit events, $N_MEM memory_events"
t0=$(now)
foray_psql -d "$DB" -f test/legacy/schema.sql -f test/legacy/generate.sql >/dev/null 2>&1
foray_psql -d "$DB" -c "SELECT * FROM loomworks_fixture.generate($N_FLOWS, $N_AUDIT, $N_MEM)"
foray_psql -d "$DB" -c "VACUUM ANALYZE"
t1=$(now)
gen=$(secs "$t0" "$t1")
rows=$(foray_psql -d "$DB" -Atc "SELECT (SELECT count(*) FROM credit.foray_action_flows) + (SELECT count(*) FROM audit.foray_events) + (SELECT count(*) FROM public.memory_events)")

# The three legacy tables copied by plain INSERT ... SELECT into new tables
# LIKE them ($2: which of their properties the copies take), rolled back;
# prints the seconds.
legacy_copy() {
	local t0 t1
	settle
	t0=$(now)
	foray_psql -d "$DB" -q <<SQL
BEGIN;
CREATE SCHEMA $1;
CREATE TABLE $1.foray_action_flows (LIKE credit.foray_action_flows $2);
CREATE TABLE $1.foray_events (LIKE audit.foray_events $2);
CREATE TABLE $1.memory_events (LIKE public.memory_events $2);
INSERT INTO $1.foray_action_flows SELECT * FROM credit.foray_action_flows;
INSERT INTO $1.foray_events SELECT * FROM audit.foray_events;
INSERT INTO $1.memory_events SELECT * FROM public.memory_events;
ROLLBACK;
SQL
	t1=$(now)
	secs "$t0" "$t1"
}

foray_log "plain INSERT ... SELECT copy into bare tables (rolled back)"
copy=$(legacy_copy plain_copy "INCLUDING DEFAULTS")
# The same copy into tables of the legacy tables' own definition (columns,
# defaults, CHECKs, primary keys, unique constraints and indexes; no
# trigger): what copying these rows as the tables hold them costs.  The
# substrate-side baseline below is built the same way.
foray_log "plain INSERT ... SELECT copy into tables of the legacy definition (rolled back)"
shaped=$(legacy_copy shaped_copy "INCLUDING ALL")

# Diagnostic (FORAY_BENCH_DIAGNOSTIC=1): the same migration with the
# substrate's triggers switched off (session_replication_role = replica), in
# dry-run mode so it is rolled back: how much of the time is the migration's
# own SQL and reconciliation, and how much the substrate's per-row path.  Not
# a way to migrate.  Off by default: its rolled-back rows leave the
# substrate's tables and indexes larger (vacuumed, not shrunk), and the real
# run measured after it pays for that.
diag=""
if [ "${FORAY_BENCH_DIAGNOSTIC:-0}" = 1 ]; then
	settle
	foray_log "diagnostic: migration SQL without the substrate's triggers (dry run, rolled back)"
	t0=$(now)
	PGOPTIONS='-c session_replication_role=replica' foray_psql -d "$DB" -v dry_run=1 -f "$script" >/dev/null 2>&1
	t1=$(now)
	diag=$(secs "$t0" "$t1")
	# A dry run leaves the dead rows of its rolled-back inserts in the
	# substrate's tables and indexes; docs/migration.md tells operators to
	# VACUUM them before the real run, and so does the benchmark (not timed).
	foray_psql -d "$DB" -q -c "VACUUM foray.foray_transactions, foray.foray_components, foray.foray_attestations, foray.memory_events"
fi

settle
foray_log "migration (with reconciliation)"
t0=$(now)
foray_psql -d "$DB" -f "$script" 2>&1 | sed -n 's/.*NOTICE:  //p; /FAIL/p'
t1=$(now)
mig=$(secs "$t0" "$t1")

foray_psql -d "$DB" -c "SELECT r.item, r.problems FROM loomworks_migration.runs, jsonb_to_recordset(report) AS r(item text, problems bigint)"

# Second baseline: the rows the migration wrote, copied by a plain
# INSERT ... SELECT into untriggered tables of the same definition (columns,
# generated columns, CHECKs, indexes, storage parameters; no trigger), rolled
# back, with the page layout the migration writes (its components with full
# pages, docs/migration.md).  What storing these destination rows costs with
# none of the substrate's per-row work, none of the mapping and no
# reconciliation.
settle
foray_log "plain INSERT ... SELECT of the migrated rows into untriggered copies of the substrate tables (rolled back)"
t0=$(now)
foray_psql -d "$DB" -q <<'SQL'
BEGIN;
CREATE SCHEMA floor_copy;
DO $$
DECLARE
	t text;
	cols text;
	opts text;
	ident boolean;
	t1 timestamptz;
	k bigint;
BEGIN
	FOREACH t IN ARRAY ARRAY['foray_transactions', 'foray_components', 'foray_attestations', 'memory_events'] LOOP
		SELECT coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '') INTO opts
		FROM pg_class c WHERE c.oid = ('foray.' || t)::regclass;
		IF t = 'foray_components' THEN
			opts := ' WITH (fillfactor = 100)';
		END IF;
		EXECUTE format('CREATE TABLE floor_copy.%I (LIKE foray.%I INCLUDING ALL)%s', t, t, opts);
		SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum), bool_or(attidentity <> '')
		INTO cols, ident
		FROM pg_attribute
		WHERE attrelid = ('foray.' || t)::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
		t1 := clock_timestamp();
		EXECUTE format('INSERT INTO floor_copy.%I (%s) %s SELECT %s FROM foray.%I', t, cols,
			CASE WHEN ident THEN 'OVERRIDING SYSTEM VALUE' ELSE '' END, cols, t);
		GET DIAGNOSTICS k = ROW_COUNT;
		RAISE NOTICE '%: % rows (% s)', t, k, round(extract(epoch FROM clock_timestamp() - t1)::numeric, 1);
	END LOOP;
END
$$;
ROLLBACK;
SQL
t1=$(now)
floor=$(secs "$t0" "$t1")


div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_s() { awk -v r="$rows" -v s="$1" 'BEGIN { printf "%d", r / s }'; }
echo
echo "legacy rows:          $rows ($N_FLOWS flows, $N_AUDIT audit events, $N_MEM memory_events)"
echo "fixture generation:   ${gen} s"
echo "A   plain INSERT ... SELECT of the legacy rows into bare tables:                              ${copy} s  ($(per_s "$copy") rows/s)"
echo "A'  the same, into tables of the legacy definition (keys, indexes, CHECKs; no trigger):       ${shaped} s  ($(div "$shaped" "$copy")x A)"
echo "B   plain INSERT ... SELECT of the migrated rows into untriggered tables of the substrate's: ${floor} s  ($(div "$floor" "$copy")x A)"
echo "migration + reconciliation: ${mig} s  ($(per_s "$mig") rows/s)"
verdict() { awk -v r="$1" -v m="$mig" 'BEGIN { print (r <= 3 && m < 600) ? "met" : "NOT met" }'; }
echo "ratio to B:  $(div "$mig" "$floor")x   target <= 3x B and < 600 s: $(verdict "$(div "$mig" "$floor")")"
echo "ratio to A': $(div "$mig" "$shaped")x   (reported)"
echo "ratio to A:  $(div "$mig" "$copy")x   (reported; B alone is $(div "$floor" "$copy")x A)"
if [ -n "$diag" ]; then
	echo "diagnostic, triggers off (dry run): ${diag} s  ($(div "$diag" "$copy")x A): the migration's own SQL + reconciliation"
fi
