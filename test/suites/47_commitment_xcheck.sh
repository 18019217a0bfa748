#!/usr/bin/env bash
# Cross-check of the commitment schemes against an independent second
# implementation, test/reference/commitment.js (JavaScript, written from
# docs/merkle.md and docs/hashing.md alone).
#
#  1. the reference implementation's own tests (selftest);
#  2. check-vectors over test/vectors/commitment/*.json, when there are any;
#  3. scheme 1: the first transactions loaded into a 0.4.0 database: its
#     transaction_hashes, anchor_envelope and inclusion_proof must be the
#     reference's scheme 1, and record_anchor must accept the reference's
#     scheme-1 root of every ready transaction;
#  4. scheme 2: ~200 random transactions (commitment.js gen) loaded into a
#     fresh database, one SQL transaction each, rows in a shuffled order; a
#     quarter anchored with the reference's root (some sealed); then for every
#     transaction foray.commitment_details, transaction_hashes, the envelope
#     (anchor_envelope, _text, _sha256) and every member's inclusion_proof
#     must equal the reference's, byte for byte as JSON values; every honest
#     proof must verify with foray.verify_inclusion(proof, root) against the
#     reference's root, and every mutation of every proof (commitment.js
#     mutate, applied in SQL to the server's proof) must give false or 22R51
#     exactly as the specification says;
#  5. the 0.4.0 database of step 3 after ALTER EXTENSION UPDATE: its anchored
#     transactions are scheme 1, the others scheme 2; the same comparisons
#     and mutations (scheme 1's unbound fields must verify).
# Until the server has foray.commitment_details (the extension side of
# scheme 2) steps 4 and 5 cannot run: the suite says so and fails.
#
# FORAY_XCHECK_SEED, FORAY_XCHECK_TXS (default 200) and FORAY_XCHECK_TXS_040
# (default 40) choose the transactions.
source test/lib.sh
set -o pipefail
out="$FORAY_TMP/commitment_xcheck"
rm -rf "$out"
mkdir -p "$out"
ref=test/reference/commitment.js
seed=${FORAY_XCHECK_SEED:-20260125}
count=${FORAY_XCHECK_TXS:-200}
count040=${FORAY_XCHECK_TXS_040:-40}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
# add the "N passed, N failed" line of a log to the tally, show its failures
counted() {	# counted LOG WHAT
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
	p=$(echo "$line" | awk '{print $1}')
	f=$(echo "$line" | awk '{print $3}')
	if [ -z "$line" ]; then
		notok "$2: no result (see $1)"
		tail -n 20 "$1"
		return
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	echo "# $2: $line"
	grep -E -A6 '^not ok' "$1" | head -n 80
	grep -E '^# [0-9]+ (honest|transactions)' "$1" || true
}
finish() {
	foray_tally "$pass" "$fail"
	exit
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	notok "node and npm are required"
	finish
fi
(cd test/reference && npm ci --no-audit --no-fund --silent) >&2 || { notok "npm ci in test/reference"; finish; }

# ---- 1. the reference implementation's own tests
node "$ref" selftest >"$out/selftest.log" 2>&1
counted "$out/selftest.log" "selftest"

# ---- 2. test vectors
if ls test/vectors/commitment/*.json >/dev/null 2>&1; then
	node "$ref" check-vectors test/vectors/commitment >"$out/vectors.log" 2>&1
	counted "$out/vectors.log" "check-vectors test/vectors/commitment"
else
	echo "# test/vectors/commitment/ holds no vector files yet"
fi

node "$ref" gen "$seed" "$count" >"$out/gen.json" || { notok "commitment.js gen"; finish; }

# ---- helpers installed in each database (schema xc)
xc_setup() {	# xc_setup DB GENFILE COUNT
	foray_psql -d "$1" >/dev/null <<-SQL
	CREATE SCHEMA xc;
	CREATE TABLE xc.gen_lines (line_no serial, line text);
	\copy xc.gen_lines (line) FROM '$2' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
	CREATE TABLE xc.gen AS
		SELECT row_number() OVER (ORDER BY line_no)::int AS n, rtrim(line, ',')::jsonb AS tx
		  FROM xc.gen_lines WHERE line NOT IN ('[', ']');
	DELETE FROM xc.gen WHERE n > $3;
	-- a query's JSON value, or its error
	CREATE FUNCTION xc.try(q text) RETURNS jsonb LANGUAGE plpgsql AS \$\$
	DECLARE r jsonb;
	BEGIN
		EXECUTE q INTO r;
		RETURN jsonb_build_object('value', r);
	EXCEPTION WHEN OTHERS THEN
		RETURN jsonb_build_object('error', SQLSTATE, 'message', SQLERRM);
	END \$\$;
	CREATE FUNCTION xc.load_row(t jsonb) RETURNS void LANGUAGE sql AS \$\$
		INSERT INTO foray.foray_transactions (transaction_id, schema_version, document_timestamp, foray_core, audit_data_anchor)
		VALUES (t->>'transaction_id', t->>'schema_version', t->>'timestamp', t->'foray_core',
				NULLIF(t->'audit_data_anchor', 'null'::jsonb));
	\$\$;
	-- one FORAY transaction: members in a shuffled order (components and
	-- attestations mixed), every third transaction's row after its members
	CREATE FUNCTION xc.load(k int) RETURNS void LANGUAGE plpgsql AS \$\$
	DECLARE
		t jsonb := (SELECT tx FROM xc.gen WHERE n = k);
		m record;
	BEGIN
		IF k % 3 <> 0 THEN PERFORM xc.load_row(t); END IF;
		FOR m IN SELECT e.v, e.att FROM (
				SELECT value AS v, false AS att FROM jsonb_array_elements(t->'components')
				UNION ALL SELECT value, true FROM jsonb_array_elements(t->'attestations')) e
			ORDER BY md5(k || ':' || (e.v->>'id'))
		LOOP
			IF m.att THEN
				INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core, audit_data)
				VALUES (t->>'transaction_id', m.v->>'id', m.v->'foray_core', NULLIF(m.v->'audit_data', 'null'::jsonb));
			ELSE
				INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
				VALUES (t->>'transaction_id', m.v->>'id', m.v->>'type', m.v->'foray_core', NULLIF(m.v->'audit_data', 'null'::jsonb));
			END IF;
		END LOOP;
		IF k % 3 = 0 THEN PERFORM xc.load_row(t); END IF;
	END \$\$;
	SQL
}
xc_load() {	# xc_load DB LOG: one statement (one SQL transaction) per FORAY transaction
	local n
	n=$(foray_psql -d "$1" -Atc "SELECT count(*) FROM xc.gen")
	seq 1 "$n" | sed 's/.*/SELECT xc.load(&);/' | foray_psql -d "$1" -v ON_ERROR_STOP=0 >/dev/null 2>"$2"
	local errors
	errors=$(grep -c '^ERROR' "$2")
	if [ "$errors" -eq 0 ] && [ "$(foray_psql -d "$1" -Atc "SELECT count(*) FROM foray.foray_transactions")" -eq "$n" ]; then
		ok "$n generated transactions loaded into $1, one SQL transaction each"
	else
		notok "loading into $1: $errors transactions refused (see $2)"
		grep -A3 '^ERROR' "$2" | head -n 20
	fi
}
xc_anchor() {	# xc_anchor DB ROOTS.tsv EVERY SEAL_EVERY: record_anchor with the reference's root
	local res
	res=$(foray_psql -d "$1" -At 2>&1 <<-SQL
	CREATE TABLE xc.my_roots (n int PRIMARY KEY, root text);
	\copy xc.my_roots FROM '$2'
	CREATE TABLE xc.anchoring AS
	SELECT r.n, t.transaction_id,
		   xc.try(format('SELECT foray.record_anchor(%L, %L, %L, %s, %s, %L)', t.transaction_id, r.root,
						 'kaspa:xc-' || r.n, r.n, 1000 + r.n, '2026-02-01T00:00:00Z')) AS anchor
	  FROM xc.my_roots r JOIN xc.gen g USING (n) JOIN foray.foray_transactions t ON t.transaction_id = g.tx->>'transaction_id'
	 WHERE r.n % $3 = 0 AND t.lifecycle = 'ready_to_anchor'
	 ORDER BY r.n;
	SELECT xc.try(format('SELECT to_jsonb(foray.seal(%L, %L))', transaction_id, 'archive:xc-' || n))
	  FROM xc.anchoring WHERE n % $4 = 0 AND anchor ? 'value';
	SELECT count(*) FILTER (WHERE anchor ? 'value') || ' ' || count(*) FROM xc.anchoring;
	SELECT 'refused: ' || n || ' ' || transaction_id || ' ' || (anchor->>'error') || ' ' || (anchor->>'message')
	  FROM xc.anchoring WHERE NOT anchor ? 'value' LIMIT 10;
	SQL
	)
	local counts
	counts=$(echo "$res" | grep -E '^[0-9]+ [0-9]+$' | tail -n 1)
	if [ -n "$counts" ] && [ "${counts% *}" = "${counts#* }" ] && [ "${counts% *}" -gt 0 ] && ! echo "$res" | grep -q '"error"'; then
		ok "foray.record_anchor accepts the reference's root of ${counts% *} ready transactions ($1; some then sealed)"
	else
		notok "foray.record_anchor with the reference's root ($1): ${counts:-no result}"
		echo "$res" | grep -E 'refused|error|ERROR' | head -n 12
	fi
}
# one JSON line per generated transaction, the 0.5.0 functions
xc_export() {	# xc_export DB OUT
	foray_psql -d "$1" -At >"$2" <<-'SQL'
	CREATE TABLE xc.proofs AS
	SELECT row_number() OVER (ORDER BY g.n, m.id COLLATE "C")::int AS pid, g.n, m.id,
		   xc.try(format('SELECT foray.inclusion_proof(%L, %L)', m.transaction_id, m.id)) AS r
	  FROM xc.gen g
	  JOIN (SELECT transaction_id, component_id AS id FROM foray.foray_components
			UNION ALL SELECT transaction_id, attestation_id FROM foray.foray_attestations) m
		ON m.transaction_id = g.tx->>'transaction_id';
	SELECT jsonb_build_object(
		'n', g.n, 'transaction_id', g.tx->>'transaction_id', 'lifecycle', t.lifecycle,
		'details', xc.try(format('SELECT foray.commitment_details(%L)', t.transaction_id)),
		'hashes', xc.try(format('SELECT to_jsonb(h) FROM foray.transaction_hashes(%L) h', t.transaction_id)),
		'envelope', xc.try(format('SELECT foray.anchor_envelope(%L)', t.transaction_id)),
		'envelope_text', xc.try(format('SELECT to_jsonb(foray.anchor_envelope_text(%L))', t.transaction_id)),
		'envelope_sha256', xc.try(format('SELECT to_jsonb(foray.anchor_envelope_sha256(%L))', t.transaction_id)),
		'unknown_member', xc.try(format('SELECT foray.inclusion_proof(%L, %L)', t.transaction_id, 'ACT_NOT_A_MEMBER')),
		'proofs', (SELECT coalesce(jsonb_agg(jsonb_build_object('pid', p.pid, 'id', p.id, 'proof', p.r,
						'legacy', CASE WHEN p.r ? 'value' THEN xc.try(format('SELECT to_jsonb(foray.verify_inclusion(%L, %L::jsonb, %L))',
							p.r->'value'->>'leaf_hash', p.r->'value', p.r->'value'->>'merkle_root')) END) ORDER BY p.pid), '[]')
					 FROM xc.proofs p WHERE p.n = g.n))::text
	  FROM xc.gen g LEFT JOIN foray.foray_transactions t ON t.transaction_id = g.tx->>'transaction_id'
	 ORDER BY g.n;
	SQL
}
# every mutation (edits applied in SQL to the server's own proof) through
# the server's verify_inclusion(proof, root), root = the reference's
xc_verdicts() {	# xc_verdicts DB DIR
	foray_psql -d "$1" >/dev/null <<-SQL
	CREATE FUNCTION xc.apply(p jsonb, ops jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS \$\$
	DECLARE
		op jsonb;
		path text[];
	BEGIN
		FOR op IN SELECT value FROM jsonb_array_elements(ops) LOOP
			path := ARRAY(SELECT jsonb_array_elements_text(op->1));
			CASE op->>0
				WHEN 'set' THEN p := jsonb_set(p, path, op->2, true);
				WHEN 'delete' THEN p := p #- path;
				WHEN 'insert' THEN p := jsonb_insert(p, path, op->2);
				WHEN 'append' THEN p := jsonb_set(p, path || '2147483647'::text, op->2, true);
				WHEN 'reorder' THEN NULL;	-- a jsonb object has no key order
			END CASE;
		END LOOP;
		RETURN p;
	END \$\$;
	CREATE FUNCTION xc.try_verify(p jsonb, root text) RETURNS text LANGUAGE plpgsql AS \$\$
	BEGIN
		RETURN coalesce(foray.verify_inclusion(p, root)::text, 'null');
	EXCEPTION WHEN OTHERS THEN
		RETURN 'error ' || SQLSTATE || ' ' || translate(SQLERRM, E'\n\t', '  ');
	END \$\$;
	CREATE TABLE xc.muts (mid int PRIMARY KEY, pid int, ops jsonb, checksum text);
	\copy xc.muts FROM '$2/mutations.csv' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
	CREATE TABLE xc.trusted (pid int PRIMARY KEY, root text);
	\copy xc.trusted FROM '$2/roots.csv' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
	\copy (SELECT m.mid, left(foray.foray_hash(x.p), 23) = m.checksum, xc.try_verify(x.p, r.root) FROM xc.muts m JOIN xc.proofs p USING (pid) JOIN xc.trusted r USING (pid), LATERAL (SELECT xc.apply(p.r->'value', m.ops) AS p) x ORDER BY m.mid) TO '$2/verdicts.tsv'
	SQL
}

# ---- 3. scheme 1: a 0.4.0 database
db040=foray_commitment_xc040
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db040" -c "CREATE DATABASE $db040" >/dev/null 2>&1
if foray_psql -d "$db040" -c "CREATE EXTENSION foray_substrate VERSION '0.4.0'" >/dev/null 2>"$out/040.log"; then
	xc_setup "$db040" "$out/gen.json" "$count040"
	xc_load "$db040" "$out/load040.log"
	foray_psql -d "$db040" -At >"$out/server040.jsonl" <<-'SQL'
	SELECT jsonb_build_object(
		'n', g.n, 'transaction_id', g.tx->>'transaction_id', 'lifecycle', t.lifecycle,
		'hashes', xc.try(format('SELECT to_jsonb(h) FROM foray.transaction_hashes(%L) h', t.transaction_id)),
		'envelope', xc.try(format('SELECT foray.anchor_envelope(%L)', t.transaction_id)),
		'proofs', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', m.id, 'proof', p.r,
						'verified', CASE WHEN p.r ? 'value' THEN xc.try(format('SELECT to_jsonb(foray.verify_inclusion(%L, %L::jsonb, %L))',
							p.r->'value'->>'leaf_hash', p.r->'value', p.r->'value'->>'merkle_root'))->>'value' END) ORDER BY m.id COLLATE "C"), '[]')
					 FROM (SELECT component_id AS id FROM foray.foray_components c WHERE c.transaction_id = t.transaction_id
						   UNION ALL SELECT attestation_id FROM foray.foray_attestations a WHERE a.transaction_id = t.transaction_id) m,
						  LATERAL (SELECT xc.try(format('SELECT foray.inclusion_proof(%L, %L)', t.transaction_id, m.id)) AS r) p))::text
	  FROM xc.gen g LEFT JOIN foray.foray_transactions t ON t.transaction_id = g.tx->>'transaction_id'
	 ORDER BY g.n;
	SQL
	node "$ref" xcheck compare-040 "$out/gen.json" "$out/server040.jsonl" >"$out/compare040.log" 2>&1
	counted "$out/compare040.log" "scheme 1 against a 0.4.0 database ($count040 transactions)"
	node "$ref" xcheck roots "$out/gen.json" 1 >"$out/roots040.tsv"
	xc_anchor "$db040" "$out/roots040.tsv" 2 3
else
	notok "CREATE EXTENSION foray_substrate VERSION '0.4.0': $(head -n 1 "$out/040.log")"
fi

# ---- does the server have the extension side of scheme 2?
db=foray_commitment_xc
foray_fresh_db "$db" >/dev/null 2>&1 || { notok "a fresh database with the extension"; finish; }
if [ "$(foray_psql -d "$db" -Atc "SELECT to_regprocedure('foray.commitment_details(text)') IS NOT NULL")" != t ]; then
	notok "this server has no foray.commitment_details(text): the extension side of commitment scheme 2 is not here yet, so scheme 2 cannot be cross-checked"
	finish
fi

# ---- 4. scheme 2: a fresh database
xc_setup "$db" "$out/gen.json" "$count"
xc_load "$db" "$out/load.log"
node "$ref" xcheck roots "$out/gen.json" 2 >"$out/roots.tsv"
xc_anchor "$db" "$out/roots.tsv" 4 3
# a transaction whose envelope would reach 500 bytes (a 200-character id)
long=$(foray_psql -d "$db" -At 2>&1 <<-'SQL'
	BEGIN;
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES (repeat('L', 200), '2026-01-25T14:30:00Z', '{"entity": "E", "transaction_type": "t"}');
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
	VALUES (repeat('L', 200), 'ARR_LONG', 'ARR', '{}');
	COMMIT;
	SELECT string_agg(coalesce(xc.try(q)->>'error', 'a value'), ' ' ORDER BY o) FROM unnest(ARRAY[
		format('SELECT foray.anchor_envelope(%L)', repeat('L', 200)),
		format('SELECT to_jsonb(foray.anchor_envelope_text(%L))', repeat('L', 200)),
		format('SELECT to_jsonb(foray.anchor_envelope_sha256(%L))', repeat('L', 200))]) WITH ORDINALITY AS u(q, o);
	SELECT 'commitment_details: ' || coalesce('error ' || (r->>'error') || ' ' || (r->>'message'),
		'returns the object (envelope_text ' || octet_length(r->'value'->>'envelope_text') || ' bytes)')
	  FROM (SELECT xc.try(format('SELECT foray.commitment_details(%L)', repeat('L', 200))) AS r) s;
	SQL
)
if [ "$(echo "$long" | sed -n 1p)" = "22R52 22R52 22R52" ]; then
	ok "a 573-byte envelope: anchor_envelope, _text and _sha256 refuse with 22R52"
else
	notok "a 573-byte envelope: anchor_envelope, _text and _sha256 should refuse with 22R52; got: $(echo "$long" | head -n 3 | tr '\n' ' ')"
fi
echo "# the same transaction's $(echo "$long" | sed -n 2p) (SPEC_QUESTIONS.md 9)"
xc_export "$db" "$out/server.jsonl" || notok "exporting the server's values"
node "$ref" xcheck compare "$out/gen.json" "$out/server.jsonl" "$out/s2" >"$out/compare.log" 2>&1
counted "$out/compare.log" "scheme 2: commitment_details, hashes, envelopes and proofs"
xc_verdicts "$db" "$out/s2" || notok "running the mutations on the server"
node "$ref" xcheck verdicts "$out/s2" "$out/s2/verdicts.tsv" >"$out/verdicts.log" 2>&1
counted "$out/verdicts.log" "scheme 2: verify_inclusion on honest and tampered proofs"
grep -E '^[0-9]+ honest proofs verified' "$out/verdicts.log"

# ---- 5. the 0.4.0 database updated: anchored transactions are scheme 1
if [ "$(foray_psql -d "$db040" -Atc "SELECT count(*) FROM foray.foray_transactions" 2>/dev/null)" -gt 0 ] 2>/dev/null; then
	if foray_psql -d "$db040" -c "ALTER EXTENSION foray_substrate UPDATE" >/dev/null 2>"$out/update.log"; then
		ok "ALTER EXTENSION foray_substrate UPDATE of the 0.4.0 database"
		xc_export "$db040" "$out/server040u.jsonl" || notok "exporting the updated database's values"
		# the first $count040 generated transactions, the ones loaded there
		{ echo '['; sed -n "2,$((count040 + 1))p" "$out/gen.json" | sed '$ s/,$//'; echo ']'; } >"$out/gen040.json"
		node "$ref" xcheck compare "$out/gen040.json" "$out/server040u.jsonl" "$out/s1" --anchored-scheme-1 >"$out/compare040u.log" 2>&1
		counted "$out/compare040u.log" "updated 0.4.0 database: anchored transactions scheme 1, the others scheme 2"
		xc_verdicts "$db040" "$out/s1" || notok "running the mutations on the updated database"
		node "$ref" xcheck verdicts "$out/s1" "$out/s1/verdicts.tsv" >"$out/verdicts040u.log" 2>&1
		counted "$out/verdicts040u.log" "updated 0.4.0 database: verify_inclusion on honest and tampered proofs"
		grep -E '^[0-9]+ honest proofs verified' "$out/verdicts040u.log"
	else
		notok "ALTER EXTENSION foray_substrate UPDATE of the 0.4.0 database: $(grep ERROR "$out/update.log" | head -n 1)"
	fi
fi
finish
