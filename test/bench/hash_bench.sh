#!/usr/bin/env bash
# Benchmark: canonical hash vs the naive paths, over 100,000 realistic
# foray_core documents (300-800 bytes of jsonb text) stored in a table.
#   bash test/bench/hash_bench.sh [ROWS]
# Prints MB/s and ratios; never fails on slowness.  Uses the throwaway
# cluster of test/lib.sh (FORAY_PGPORT), building and installing first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source test/lib.sh
rows=${1:-100000}
foray_build
foray_install
foray_cluster_start
foray_fresh_db foray_bench >/dev/null 2>&1
foray_psql -d foray_bench -q <<SQL
CREATE EXTENSION pgcrypto;
CREATE TABLE bench (id int PRIMARY KEY, foray_core jsonb NOT NULL);
INSERT INTO bench
SELECT i, jsonb_build_object(
	'id', (ARRAY['ARR_','ANT_','ACC_','ACT_'])[1 + i % 4] || upper(md5(i::text)),
	'type', (ARRAY['sale','loan_payment','depreciation','fx_spot','repo','payroll'])[1 + i % 6],
	'description', (ARRAY['Interest accrual for month 3 at 4.5% APR', 'Café sale — 3 items',
		'Honey batch 42 (Mānuka) export', 'Overnight repo, Treasury collateral'])[1 + i % 4],
	'amount', round((random() * 10 ^ (1 + i % 7))::numeric, 2),
	'currency', (ARRAY['USD','EUR','JPY','GBP','NZD'])[1 + i % 5],
	'effective_date', to_char(timestamp '2026-01-01' + i * interval '7 minutes', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	'fiscal_period', CASE WHEN i % 2 = 0 THEN jsonb_build_object('start', '2026-03-23', 'end', '2026-04-23') END,
	'arrangement_refs', jsonb_build_array('ARR_AUTO_LOAN_AGREEMENT'),
	'dependencies', CASE WHEN i % 3 = 0 THEN '[]'::jsonb
		ELSE jsonb_build_array('ARR_AUTO_LOAN_AGREEMENT', 'ANT_PAYMENT_' || (i % 60)) END,
	'inputs', jsonb_build_object('principal', 25000, 'annual_rate', 0.045, 'days', 28 + i % 4,
		'balance', round((random() * 25000)::numeric, 2), 'fee', 150.00),
	'computation_method', 'Calculated',
	'parties', jsonb_build_array(
		jsonb_build_object('role', 'lender', 'name', 'Auto Finance Co'),
		jsonb_build_object('role', 'borrower', 'name', 'John Doe ' || i)),
	'notes', CASE WHEN i % 4 = 0 THEN NULL ELSE repeat('n', (i * 37) % 150) END)
FROM generate_series(1, $rows) AS i;
VACUUM ANALYZE bench;
SQL

read -r n minb avgb maxb mb < <(foray_psql -d foray_bench -At -F ' ' -c \
	"SELECT count(*), min(octet_length(foray_core::text)), round(avg(octet_length(foray_core::text))),
	        max(octet_length(foray_core::text)), round(sum(octet_length(foray_core::text)) / 1e6, 2) FROM bench")
echo "documents: $n, jsonb text size min/avg/max $minb/$avgb/$maxb bytes, total $mb MB"
ratio_canon=$(foray_psql -d foray_bench -At -c \
	"SELECT round(sum(octet_length(foray.foray_canonicalize(foray_core)))::numeric / sum(octet_length(foray_core::text)), 3) FROM bench")
echo "canonical text is ${ratio_canon}x the size of jsonb's text output"
echo

# Interleaved rounds (each query once per round, best of the rounds), one
# backend, no parallel workers: the machine is shared, so this is the
# fairest comparison available.
rounds=${FORAY_BENCH_ROUNDS:-5}
foray_psql -d foray_bench -At -F '|' >"$FORAY_TMP/bench.out" <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE qs (ord int, name text, q text);
INSERT INTO qs VALUES
	(1, 'scan only (count)', 'SELECT count(foray_core) FROM bench'),
	(2, 'foray_core::text', 'SELECT count(foray_core::text) FROM bench'),
	(3, 'digest(foray_core::text) pgcrypto', \$\$SELECT count(digest(foray_core::text, 'sha256')) FROM bench\$\$),
	(4, 'foray_hash (canonical)', 'SELECT count(foray.foray_hash(foray_core)) FROM bench'),
	(5, 'foray_hash_strict', 'SELECT count(foray.foray_hash_strict(foray_core)) FROM bench'),
	(6, 'foray_hash_digest (bytea)', 'SELECT count(foray.foray_hash_digest(foray_core)) FROM bench'),
	(7, 'foray_canonicalize (text)', 'SELECT count(foray.foray_canonicalize(foray_core)) FROM bench');
CREATE TEMP TABLE res (name text, s float8);
DO \$\$
DECLARE
	r record;
	t0 timestamptz;
BEGIN
	FOR i IN 1..$rounds LOOP
		FOR r IN SELECT * FROM qs ORDER BY ord LOOP
			t0 := clock_timestamp();
			EXECUTE r.q;
			INSERT INTO res VALUES (r.name, extract(epoch FROM clock_timestamp() - t0));
		END LOOP;
	END LOOP;
END \$\$;
SELECT q.name, min(s) FROM res JOIN qs q USING (name) GROUP BY q.name, q.ord ORDER BY q.ord;
SQL

declare -A secs
while IFS='|' read -r name t; do
	[ -z "$name" ] && continue
	secs[$name]=$t
	printf '%-34s %8.3f s  %8.1f MB/s  %9.0f docs/s\n' "$name" "$t" \
		"$(echo "$mb / $t" | bc -l)" "$(echo "$n / $t" | bc -l)"
done <"$FORAY_TMP/bench.out"

echo
echo "openssl speed -evp sha256 (raw SHA-256, one core):"
speed=$(openssl speed -seconds 2 -bytes "$avgb" -evp sha256 2>/dev/null | grep -iE '^(sha256|sha2-256)' | awk '{print $NF}')
speed16k=$(openssl speed -seconds 2 -bytes 16384 -evp sha256 2>/dev/null | grep -iE '^(sha256|sha2-256)' | awk '{print $NF}')
# values are in 1000s of bytes per second, with a trailing k
speed=${speed%k}
speed16k=${speed16k%k}
printf '  %s-byte blocks: %.1f MB/s; 16 KiB blocks: %.1f MB/s\n' "$avgb" "$(echo "$speed / 1000" | bc -l)" "$(echo "$speed16k / 1000" | bc -l)"
echo
scan=${secs["scan only (count)"]}
ours=${secs["foray_hash (canonical)"]}
pgc=${secs["digest(foray_core::text) pgcrypto"]}
txt=${secs["foray_core::text"]}
printf 'ratios (time; below 1 means faster):\n'
printf '  foray_hash / pgcrypto naive       %.2f\n' "$(echo "$ours / $pgc" | bc -l)"
printf '  foray_hash / foray_core::text     %.2f\n' "$(echo "$ours / $txt" | bc -l)"
printf '  per-document work beyond the scan: foray_hash %.2f us, pgcrypto %.2f us, ::text %.2f us\n' \
	"$(echo "($ours - $scan) * 1000000 / $n" | bc -l)" "$(echo "($pgc - $scan) * 1000000 / $n" | bc -l)" \
	"$(echo "($txt - $scan) * 1000000 / $n" | bc -l)"
printf '  raw SHA-256 of the same bytes would take %.3f s\n' "$(echo "$mb * 1000 / $speed" | bc -l)"
