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

if node test/crosscheck/gen.js compare "$out/node.tsv" "$out/db.tsv" "$out/corpus.tsv"; then
	foray_tally 1 0
else
	foray_tally 0 1
fi
