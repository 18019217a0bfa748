#!/usr/bin/env bash
# Produce the commitment test vectors of this directory from the extension
# (README.md says what a vector holds).  The transactions: the published
# FORAY examples (imported), the regression transaction of sql/merkle.sql,
# edge cases (empty trees, one member, audit data everywhere, unicode ids,
# numbers in every spelling), an anchored one, and a transaction anchored
# under scheme 1 by 0.4.0 then updated.  Negative cases: tampered proofs
# (test/reference/commitment.js mutate), each with the verdict the server's
# foray.verify_inclusion gives.
#
#   bash test/vectors/commitment/generate.sh DIR     writes DIR/*.json
# Needs a running cluster with the extension installed (test/lib.sh);
# test/suites/48_commitment_vectors.sh regenerates them and compares.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
source test/lib.sh
dest=${1:?usage: generate.sh DIR}
mkdir -p "$dest"
work="$FORAY_TMP/vectors"
mkdir -p "$work"
ref=test/reference/commitment.js
(cd test/reference && npm ci --no-audit --no-fund --silent >/dev/null)

db=foray_vectors
foray_fresh_db $db >/dev/null 2>&1

# ---- the transactions -------------------------------------------------------
for f in test/examples/cash-sale-v41.json test/examples/batch-payment-v41.json \
	test/examples/luxury-watch-authentication-v41.json test/documents/attestation-chain.json; do
	echo "SELECT foray.import_document(:'doc'::jsonb, true)" | foray_psql -d $db -v "doc=$(cat "$f")" >/dev/null
done
foray_psql -d $db >/dev/null <<'SQL'
-- sql/merkle.sql's transaction
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('MRK_1', '2026-03-01T10:00:00Z',
		'{"entity": "Acme", "transaction_type": "purchase", "total_value": 1500, "currency": "USD"}',
		'{"audit_profile": "standard", "storage_locations": ["s3://audit/MRK_1"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data) VALUES
 ('MRK_1', 'ACT_2', 'ACT', '{"anticipation_refs": ["ANT_1"], "amount_settled": 500}', NULL),
 ('MRK_1', 'ACT_1', 'ACT', '{"anticipation_refs": ["ANT_1"], "amount_settled": 1000}', '{"bank_ref": "B-77"}'),
 ('MRK_1', 'ANT_1', 'ANT', '{"accrual_refs": ["ACC_1", "ACC_2"]}', NULL),
 ('MRK_1', 'ACC_2', 'ACC', '{"arrangement_refs": ["ARR_1"], "amount": 500}', NULL),
 ('MRK_1', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"], "amount": 1000}', NULL),
 ('MRK_1', 'ARR_1', 'ARR', '{"parties": [{"name": "A"}, {"name": "B"}]}', '{"approver": "alice"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('MRK_1', 'ATT_1', '{"attestor": "Analytica Lab", "attestor_hash": "sha256:def", "attestor_type": "laboratory",
   "subject_refs": ["ARR_1"], "attestation_type": "analysis", "attestation_date": "2026-01-10T09:30:00Z",
   "outcome": "certified"}');
COMMIT;
-- one member, nothing else: four empty trees, no audit data
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('VEC_ONE', '2026-04-01', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('VEC_ONE', 'ARR_ONLY', 'ARR', '{}');
COMMIT;
-- no member at all (open; details and proofs still defined)
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('VEC_EMPTY', '2026-04-02T00:00:00.000001+05:30', '{"entity": "E", "transaction_type": "t"}', '{}');
-- unicode ids ordered bytewise, numbers in every spelling, audit data of every kind
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('VEC:unicode-1.0', '2026-04-03T12:00:00Z',
		'{"entity": "Société Générale ✓", "transaction_type": "t", "total_value": 1e21, "currency": "EUR"}',
		'{"audit_profile": "full", "audit_data_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data) VALUES
 ('VEC:unicode-1.0', 'ARR_a', 'ARR', '{"n": 50.00}', '"just a string"'),
 ('VEC:unicode-1.0', 'ARR_B', 'ARR', '{"n": 0.000001}', '[1, 2.5, -0, 1E+2]'),
 ('VEC:unicode-1.0', 'ARR_é', 'ARR', '{"n": 9007199254740991}', '{"k": {"nested": [true, false, null]}}'),
 ('VEC:unicode-1.0', 'ARR_😀', 'ARR', '{"n": 5e-7, "s": "\u0001\u001f\"\\/"}', 'false'),
 ('VEC:unicode-1.0', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_a", "ARR_é"], "output": 1.5}', '0'),
 ('VEC:unicode-1.0', 'ACT_1', 'ACT', '{"accrual_refs": ["ACC_1"], "amount_settled": 1.5}', NULL);
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core, audit_data) VALUES
 ('VEC:unicode-1.0', 'ATT_A', '{"attestor": "Lab", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
   "attestor_type": "laboratory", "attestor_credentials": ["ISO 17025"], "subject_refs": ["ACT_1"], "attestation_type": "analysis",
   "attestation_date": "2026-04-03", "outcome": "approved", "dependencies": []}', '{"report": "r-1"}'),
 ('VEC:unicode-1.0', 'ATT_B', '{"attestor": "Auditor", "attestor_hash": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
   "attestor_type": "auditor", "attestor_credentials": [], "subject_refs": ["ATT_A"], "attestation_type": "audit_opinion",
   "attestation_date": "2026-04-04", "outcome": "certified", "dependencies": ["ATT_A"]}', NULL);
COMMIT;
-- an anchored transaction: the envelope as recorded
SELECT foray.record_anchor('VEC_ONE', (SELECT merkle_root FROM foray.transaction_hashes('VEC_ONE')),
	'kaspa:vectors', 1, 1, '2026-04-05T00:00:00Z');
SQL

# a transaction anchored under scheme 1 (by 0.4.0), then updated
db1=foray_vectors_s1
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db1" -c "CREATE DATABASE $db1" >/dev/null
foray_psql -d $db1 >/dev/null <<'SQL'
CREATE EXTENSION foray_substrate VERSION '0.4.0';
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('VEC_SCHEME_1', '2026-01-25T14:30:00Z', '{"entity": "E", "transaction_type": "t", "total_value": 50}', '{"audit_profile": "minimal"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data) VALUES
 ('VEC_SCHEME_1', 'ARR_1', 'ARR', '{}', NULL),
 ('VEC_SCHEME_1', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"], "output": 50}', '{"till": "T1"}'),
 ('VEC_SCHEME_1', 'ACT_1', 'ACT', '{"accrual_refs": ["ACC_1"], "amount_settled": 50}', NULL);
COMMIT;
SELECT foray.record_anchor('VEC_SCHEME_1', (SELECT merkle_root FROM foray.transaction_hashes('VEC_SCHEME_1')),
	'kaspa:scheme1', 1, 1, '2026-01-25T14:30:02Z');
ALTER EXTENSION foray_substrate UPDATE;
SQL

# ---- the vectors: every transaction of a database, as README.md says --------
vectors() {	# DB DESCRIPTION
	foray_psql -d "$1" -At -v "description=$2" <<'SQL'
SELECT jsonb_build_object('description', :'description', 'transactions', jsonb_agg(v ORDER BY id COLLATE "C"))::text
  FROM (SELECT t.transaction_id AS id, jsonb_build_object(
	'input', jsonb_build_object(
		'transaction_id', t.transaction_id, 'schema_version', t.schema_version, 'timestamp', t.document_timestamp,
		'foray_core', t.foray_core, 'audit_data_anchor', t.audit_data_anchor, 'commitment_scheme', t.commitment_scheme,
		'components', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.component_id, 'type', c.component_type,
							'foray_core', c.foray_core, 'audit_data', c.audit_data) ORDER BY c.component_id COLLATE "C"), '[]')
						 FROM foray.foray_components c WHERE c.transaction_id = t.transaction_id),
		'attestations', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.attestation_id,
							'foray_core', a.foray_core, 'audit_data', a.audit_data) ORDER BY a.attestation_id COLLATE "C"), '[]')
						   FROM foray.foray_attestations a WHERE a.transaction_id = t.transaction_id)),
	'details', foray.commitment_details(t.transaction_id),
	'hashes', (SELECT to_jsonb(h) FROM foray.transaction_hashes(t.transaction_id) h),
	'proofs', (SELECT coalesce(jsonb_object_agg(p.subject_id, p.proof), '{}')
				 FROM foray.inclusion_proofs(t.transaction_id) p)) AS v
		  FROM foray.foray_transactions t) s;
SQL
}
vectors $db "Commitment scheme 2: published FORAY examples, sql/merkle.sql's MRK_1, one member, no member, unicode ids, numbers in every spelling, audit data of every JSON kind, an anchored transaction." >"$work/scheme2.json"
vectors $db1 "Commitment scheme 1: a transaction anchored by 0.4.0 and updated (its commitment stays as anchored)." >"$work/scheme1.json"

# ---- negative cases: tampered proofs of one member per transaction ---------
# (at most 40 per proof), with the server's verdicts
negatives() {	# DB VECTORFILE OUTFILE
	node -e '
		const fs = require("fs");
		const v = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		for (const t of v.transactions) {
			const ids = Object.keys(t.proofs).sort();
			if (ids.length === 0) continue;
			const id = ids[Math.floor(ids.length / 2)];
			fs.writeFileSync(process.argv[2] + "/" + Buffer.from(t.input.transaction_id).toString("hex") + ".proof.json",
				JSON.stringify(t.proofs[id]));
		}' "$2" "$work"
	: >"$work/neg.tsv"
	for pf in "$work"/*.proof.json; do
		node "$ref" mutate "$pf" | node -e '
			const fs = require("fs");
			const all = JSON.parse(fs.readFileSync(0, "utf8"));
			const honest = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
			// every kind of mutation once, then the first of each kind: at most 40
			const seen = new Set();
			const picked = [];
			for (const m of all) {
				const kind = m.mutation.replace(/[0-9]+/g, "#").split(" ").slice(0, 3).join(" ");
				if (!seen.has(kind) && picked.length < 40) { seen.add(kind); picked.push(m); }
			}
			for (const m of picked)
				process.stdout.write([honest.subject_id, m.mutation, m.why, JSON.stringify(m.proof), honest.merkle_root].join("\t") + "\n");
		' "$pf" >>"$work/neg.tsv"
		rm -f "$pf"
	done
	foray_psql -d "$1" -At >"$3" <<SQL
CREATE TEMP TABLE neg (subject_id text, mutation text, why text, proof text, root text);
\copy neg FROM '$work/neg.tsv'
CREATE FUNCTION pg_temp.verdict(p jsonb, r text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
	RETURN foray.verify_inclusion(p, r)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN 'error ' || SQLSTATE;
END \$\$;
SELECT coalesce(jsonb_agg(jsonb_build_object('subject_id', subject_id, 'mutation', mutation, 'why', why,
		'proof', proof::jsonb, 'root', root, 'expect', pg_temp.verdict(proof::jsonb, root))), '[]')::text
  FROM neg;
SQL
}
# attach each transaction's negative cases to its vector
attach() {	# VECTORFILE NEGFILE OUT
	node -e '
		const fs = require("fs");
		const v = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const neg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
		for (const t of v.transactions) {
			const mine = neg.filter((n) => Object.prototype.hasOwnProperty.call(t.proofs, n.subject_id) &&
				n.root === t.details.merkle_root);
			if (mine.length) t.negative = mine;
		}
		fs.writeFileSync(process.argv[3], JSON.stringify(v, null, 1) + "\n");' "$1" "$2" "$3"
}
for s in scheme2:$db scheme1:$db1; do
	name=${s%%:*}
	negatives "${s#*:}" "$work/$name.json" "$work/$name.neg.json"
	attach "$work/$name.json" "$work/$name.neg.json" "$dest/$name.json"
done
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $db1" >/dev/null
echo "wrote $(ls "$dest"/*.json | wc -l) vector files to $dest"
