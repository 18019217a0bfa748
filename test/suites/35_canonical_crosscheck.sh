#!/usr/bin/env bash
# Cross-check: >= 12,000 generated documents canonicalised and hashed by the
# RFC 8785 author's JavaScript implementation (npm `canonicalize`, pinned in
# test/crosscheck/package-lock.json) and by foray_canonicalize / foray_hash
# through the cluster.  Zero differences allowed.
source test/lib.sh
set -o pipefail
out="$FORAY_TMP/crosscheck"
mkdir -p "$out"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "not ok - node and npm are required"
	foray_tally 0 1
	exit 1
fi
(cd test/crosscheck && npm ci --no-audit --no-fund --silent) >&2 || { foray_tally 0 1; exit 1; }

node test/crosscheck/gen.js corpus "$out/corpus.tsv" "${FORAY_CROSSCHECK_DOCS:-12000}" || { foray_tally 0 1; exit 1; }
node test/crosscheck/gen.js expect "$out/corpus.tsv" "$out/node.tsv" || { foray_tally 0 1; exit 1; }

foray_fresh_db foray_crosscheck >/dev/null
foray_psql -d foray_crosscheck <<SQL || { foray_tally 0 1; exit 1; }
CREATE TABLE corpus (id int PRIMARY KEY, hex text NOT NULL);
\copy corpus FROM '$out/corpus.tsv'
\copy (SELECT id, encode(convert_to(foray.foray_canonicalize(d), 'UTF8'), 'hex'), foray.foray_hash(d) FROM (SELECT id, convert_from(decode(hex, 'hex'), 'UTF8')::jsonb AS d FROM corpus) s ORDER BY id) TO '$out/db.tsv'
SQL

p=0
f=0
if node test/crosscheck/gen.js compare "$out/node.tsv" "$out/db.tsv" "$out/corpus.tsv"; then
	p=$((p + 1))
else
	f=$((f + 1))
fi

# jsonb numbers are read from numeric's stored digits; PostgreSQL's own
# numeric_out is the second reader: both must give the same canonical
# number and the same strict verdict, over ~45,000 numerics of every scale.
read -r total differ < <(foray_psql -d foray_crosscheck -At -F ' ' <<'SQL'
CREATE FUNCTION pg_temp.verdict(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;
CREATE TEMP TABLE nums AS
SELECT x FROM (
	SELECT (random() * 10 ^ (g % 40 - 20))::numeric(60, 30) AS x FROM generate_series(1, 20000) g
	UNION ALL SELECT round((random() * 1e6)::numeric, g % 6) FROM generate_series(1, 20000) g
	UNION ALL SELECT -(random() * 1e20)::numeric FROM generate_series(1, 2000) g
	UNION ALL SELECT ('1e' || (g - 400))::numeric FROM generate_series(0, 707) g
	UNION ALL SELECT ('-12345.6789e' || (g - 330))::numeric FROM generate_series(0, 650) g
	UNION ALL SELECT ('1' || repeat('0', g % 40) || '.' || repeat('0', g % 7) || '1')::numeric FROM generate_series(1, 800) g
	UNION ALL SELECT v::numeric FROM unnest(ARRAY['0', '-0', '0.000', '10000', '100000000', '0.0001', '0.00010',
		'99990000', '12345678901234567.89', '9007199254740993', '1e-400', '1e400']) v) s;
SELECT count(*),
	count(*) FILTER (WHERE
		pg_temp.verdict(format('SELECT foray.foray_canonicalize(%L::jsonb)', to_jsonb(x)::text))
			IS DISTINCT FROM pg_temp.verdict(format('SELECT foray.foray_canonical_number(%L)', x::text))
		OR pg_temp.verdict(format('SELECT foray.foray_hash_strict(%L::jsonb)', to_jsonb(x)::text))
			IS DISTINCT FROM pg_temp.verdict(format('SELECT foray.foray_canonical_number(%L, true)', x::text))
		OR (abs(x) < 1e308 AND (x = 0 OR abs(x) > 1e-323)
			AND foray.foray_canonicalize(to_jsonb(x)) IS DISTINCT FROM foray.foray_canonical_number(x::text)))
FROM nums;
SQL
)
echo "# jsonb numeric reader vs numeric_out: $total numbers, ${differ:-?} differences"
if [ "${differ:-1}" = 0 ] && [ "${total:-0}" -gt 40000 ]; then p=$((p + 1)); else f=$((f + 1)); fi
foray_tally "$p" "$f"
