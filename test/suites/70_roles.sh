#!/usr/bin/env bash
# Roles (docs/roles.md): every documented call works for the role it is
# documented for, and every role is refused the rest.
#
#  1. The documented examples: every ```sql block of README.md and
#     docs/*.md, extracted from the files (test/roles/docs.py), runs as the
#     role its first line names ("-- as foray_auditor"), in document order,
#     in one database; a block marked "refused: SQLSTATE" must fail with
#     that SQLSTATE.  A block naming no role fails.  The login roles are
#     made as README.md says (its DBA block runs first).
#  2. The privilege table of docs/roles.md equals the catalog, both ways
#     (every object of the schema listed, nothing granted that is not
#     listed), column privileges included: on a fresh install, on a
#     database updated from 0.4.0 and on a restored dump.
#  3. Every function of the schema called as every role: it works where the
#     role may run it (and read what it reads), 42501 otherwise.
#  4. Table operations and forgeries as every role: each works exactly for
#     the roles listed with it; every other role is refused (42501 unless
#     a rule's own SQLSTATE is named).
#  5. Every function a HINT names (of any refusal above) is one the role
#     that got the HINT may run; every foray.function( and repository path
#     that README.md, docs/*.md and the C HINTs name exists.
#  6. CREATE EXTENSION creates the group roles in a cluster lacking them
#     (NOLOGIN, commented) and uses existing ones; the grants survive
#     pg_dump/pg_restore and ALTER EXTENSION UPDATE.
# Ends with per-role counts of what ran.
source test/lib.sh

check() { foray_check "$@"; }
q() { foray_psql -At -d "$1" -c "$2" 2>&1; }

DOCS=foray_roles_docs		# the documented examples
CALLS=foray_roles_calls		# functions and table operations
RESTORED=foray_roles_restored
UPDATED=foray_roles_updated
FRESH=foray_roles_newcluster
NOBODY=foray_roles_nobody
ROLES="application anchor_service auditor nobody"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/foray-roles.XXXXXX")
chmod 755 "$WORK"
GROUPS3="foray_application foray_anchor_service foray_auditor"

login_of() {
	case $1 in
		dba) echo postgres ;;
		application) echo loomworks_app ;;
		anchor_service) echo loomworks_anchor ;;
		auditor) echo loomworks_auditor ;;
		nobody) echo $NOBODY ;;
	esac
}

# A role of an earlier run is dropped in every database first: README.md's
# DBA block creates the login roles itself.
drop_role() {
	local db
	[ "$(q postgres "SELECT count(*) FROM pg_roles WHERE rolname = '$1'")" = 1 ] || return 0
	for db in $(q postgres "SELECT datname FROM pg_database WHERE datallowconn"); do
		foray_psql -d "$db" -c "DROP OWNED BY $1" >/dev/null 2>&1
	done
	foray_psql -d postgres -c "DROP ROLE $1" >/dev/null
}
# The group roles renamed by part 6 of an interrupted run are put back.
restore_groups() {
	local g
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $FRESH" >/dev/null 2>&1
	for g in $GROUPS3; do
		if [ "$(q postgres "SELECT count(*) FROM pg_roles WHERE rolname = '${g}_kept'")" = 1 ]; then
			drop_role "$g"
			foray_psql -d postgres -c "ALTER ROLE ${g}_kept RENAME TO $g" >/dev/null
		fi
	done
}
cleanup() {
	restore_groups
	[ -n "${FORAY_KEEP:-}" ] && echo "# kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
restore_groups
for r in loomworks_app loomworks_anchor loomworks_auditor $NOBODY; do drop_role $r; done
foray_psql -d postgres -c "CREATE ROLE $NOBODY LOGIN" >/dev/null

# ---------------------------------------------------------------------
# 1. The documented examples, as their roles
# ---------------------------------------------------------------------
declare -A ran refused
for r in dba $ROLES; do ran[$r]=0; refused[$r]=0; done

foray_fresh_db $DOCS >/dev/null 2>&1
# docs/migration.md's examples act on the legacy tables
foray_psql -d $DOCS -f test/legacy/schema.sql >/dev/null 2>&1
check "the docs database holds the extension and the legacy fixture" "t" \
	"$(q $DOCS "SELECT to_regclass('credit.foray_action_flows') IS NOT NULL AND to_regclass('foray.memory_events') IS NOT NULL")"

# HINTs name functions the role may run: check_hints ROLE FILE-WITH-OUTPUT LABEL
check_hints() {
	local fns f missing=""
	fns=$(grep '^HINT:' "$2" | grep -o 'foray\.[a-z_][a-z0-9_]*(' | sed 's/^foray\.//; s/($//' | sort -u)
	for f in $fns; do
		[ "$(foray_psql -At -U "$(login_of "$1")" -d "$3" -c "SELECT bool_or(has_function_privilege(p.oid, 'EXECUTE')) FROM pg_proc p WHERE p.pronamespace = 'foray'::regnamespace AND p.proname = '$f'" 2>&1)" = t ] ||
			missing="$missing $f"
	done
	echo "${missing# }"
}

python3 test/roles/docs.py blocks "$WORK" README.md docs/*.md >"$WORK/blocks"
check "README.md and docs/*.md hold SQL examples (dozens)" "yes" "$([ "$(wc -l <"$WORK/blocks")" -ge 20 ] && echo yes || echo "only $(wc -l <"$WORK/blocks")")"
while IFS='|' read -r n file line role expect; do
	where="$file:$line"
	if [ "$role" = untagged ]; then
		check "$where: the example names its role (-- as ...)" "a role" "$(head -n 1 "$WORK/$n.sql")"
		continue
	fi
	foray_psql -U "$(login_of "$role")" -d $DOCS -v VERBOSITY=verbose -f "$WORK/$n.sql" >"$WORK/$n.out" 2>&1
	rc=$?
	if [ -z "$expect" ]; then
		check "$where runs as $role" "0" "$rc$( [ $rc -ne 0 ] && echo ": $(grep -m1 'ERROR' "$WORK/$n.out")")"
	else
		check "$where is refused to $role with $expect" "$expect" \
			"$(sed -n 's/^\(psql:[^ ]* \)\{0,1\}ERROR:  \([0-9A-Z]\{5\}\):.*/\2/p' "$WORK/$n.out" | head -n 1)"
		refused[$role]=$((refused[$role] + 1))
	fi
	check "$where: every function its HINTs name is one $role may run" "" "$(check_hints "$role" "$WORK/$n.out" $DOCS)"
	ran[$role]=$((ran[$role] + 1))
done <"$WORK/blocks"

# the membership step is idempotent
out=$(foray_psql -d $DOCS -c "GRANT foray_application TO loomworks_app" 2>&1)
check "granting a membership again succeeds and changes nothing" "0 1" \
	"$? $(q postgres "SELECT count(*) FROM pg_auth_members WHERE roleid = 'foray_application'::regrole AND member = 'loomworks_app'::regrole")"

# ---------------------------------------------------------------------
# 2. The privilege table of docs/roles.md against the catalog
# ---------------------------------------------------------------------
python3 test/roles/docs.py table docs/roles.md | LC_ALL=C sort >"$WORK/table.expected"
python3 test/roles/docs.py columns docs/roles.md | LC_ALL=C sort >"$WORK/columns.expected"
CATALOG_TABLE="
WITH g(name, oid) AS (VALUES ('foray_application', 'foray_application'::regrole::oid),
						   ('foray_anchor_service', 'foray_anchor_service'::regrole::oid),
						   ('foray_auditor', 'foray_auditor'::regrole::oid), ('PUBLIC', 0::oid)),
objs(name, acl, owner) AS (
	SELECT nspname::text, nspacl, nspowner FROM pg_namespace WHERE nspname = 'foray'
	UNION ALL
	SELECT 'foray.' || relname, relacl, relowner FROM pg_class
	 WHERE relnamespace = 'foray'::regnamespace AND relkind IN ('r', 'v', 'S')
	UNION ALL
	SELECT replace(oid::regprocedure::text, ', ', ','), proacl, proowner FROM pg_proc WHERE pronamespace = 'foray'::regnamespace)
SELECT o.name || '|' || g.name || '|' || coalesce((SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
	 FROM aclexplode(coalesce(o.acl, '{}')) a WHERE a.grantee = g.oid), '')
  FROM objs o, g"
CATALOG_COLUMNS="
SELECT c.relnamespace::regnamespace || '.' || c.relname || '|' || a.attname || '|'
	   || string_agg(x.privilege_type, ',' ORDER BY x.privilege_type)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid, aclexplode(a.attacl) x
 WHERE c.relnamespace = 'foray'::regnamespace AND a.attacl IS NOT NULL AND x.grantee = 'foray_application'::regrole
 GROUP BY c.oid, a.attname"
OTHER_COLUMN_GRANTS="
SELECT count(*) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid, aclexplode(a.attacl) x
 WHERE c.relnamespace = 'foray'::regnamespace AND x.grantee <> 'foray_application'::regrole AND x.grantee <> c.relowner"
GROUP_ATTRIBUTES="
SELECT string_agg(rolname || ':' || rolcanlogin::int || rolsuper::int || rolcreaterole::int || rolcreatedb::int || rolbypassrls::int
				  || ':' || coalesce(shobj_description(oid, 'pg_authid') LIKE 'foray_substrate: %', false), ' ' ORDER BY rolname)
  FROM pg_roles WHERE rolname IN ('foray_application', 'foray_anchor_service', 'foray_auditor')"
check_table() {	# check_table DB LABEL
	q "$1" "$CATALOG_TABLE" | LC_ALL=C sort >"$WORK/table.$1"
	check "$2: the catalog's privileges are docs/roles.md's table ($(wc -l <"$WORK/table.expected") facts)" "" \
		"$(diff "$WORK/table.expected" "$WORK/table.$1" | grep '^[<>]' | head -n 20 | tr '\n' ' ')"
	q "$1" "$CATALOG_COLUMNS" | LC_ALL=C sort >"$WORK/columns.$1"
	check "$2: foray_application's column privileges are docs/roles.md's ($(wc -l <"$WORK/columns.expected") columns)" "" \
		"$(diff "$WORK/columns.expected" "$WORK/columns.$1" | grep '^[<>]' | head -n 20 | tr '\n' ' ')"
	check "$2: no other role holds a column privilege" "0" "$(q "$1" "$OTHER_COLUMN_GRANTS")"
}
check "docs/roles.md's table lists objects (dozens)" "yes" \
	"$([ "$(cut -d'|' -f1 "$WORK/table.expected" | sort -u | wc -l)" -gt 50 ] && echo yes || echo no)"
check_table $DOCS "fresh install"
check "the three group roles are NOLOGIN, without attributes, commented" \
	"foray_anchor_service:00000:true foray_application:00000:true foray_auditor:00000:true" \
	"$(q postgres "$GROUP_ATTRIBUTES")"

# ---------------------------------------------------------------------
# 3. and 4. Every function and table operation as every role
# ---------------------------------------------------------------------
foray_fresh_db $CALLS >/dev/null 2>&1
foray_psql -d $CALLS >/dev/null <<'SQL'
SELECT foray.register_event_kind('roles_probe_done', 'A probe of the roles suite.');
-- ROLES_OPEN: open (a pending action); ROLES_READY: ready to anchor, with an
-- attestation; ROLES_ANCHORED: anchored
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES
	('ROLES_OPEN', '2026-03-01', '{"entity": "Roles", "transaction_type": "probe"}'),
	('ROLES_READY', '2026-03-01', '{"entity": "Roles", "transaction_type": "probe"}'),
	('ROLES_ANCHORED', '2026-03-01', '{"entity": "Roles", "transaction_type": "probe"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
	('ROLES_OPEN', 'ARR_P1', 'ARR', '{}'),
	('ROLES_READY', 'ARR_P1', 'ARR', '{}'),
	('ROLES_READY', 'ACC_P1', 'ACC', '{"arrangement_refs": ["ARR_P1"]}'),
	('ROLES_ANCHORED', 'ARR_P1', 'ARR', '{}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
	('ROLES_READY', 'ATT_P1', '{"attestor": "Probe LLP", "attestor_hash": "sha256:ab", "attestor_type": "auditor",
	  "subject_refs": ["ACC_P1"], "attestation_type": "verification", "attestation_date": "2026-03-01", "outcome": "approved"}');
COMMIT;
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'ROLES_OPEN' AND component_id = 'ARR_P1';
SELECT foray.record_anchor('ROLES_ANCHORED', foray.anchor_envelope('ROLES_ANCHORED') ->> 'merkle_root', 'kaspa:probe', 1, 1, now());
SQL
check "the calls database holds an open, a ready and an anchored transaction" \
	"ROLES_ANCHORED=anchored ROLES_OPEN=open ROLES_READY=ready_to_anchor" \
	"$(q $CALLS "SELECT string_agg(transaction_id || '=' || lifecycle, ' ' ORDER BY transaction_id) FROM foray.foray_transactions")"

# The log (docs/log.md): named, ROLES_ANCHORED in it, a checkpoint of that
# one entry, signed outside the database (openssl Ed25519, the C2SP vkey
# computed here) so that foray.log_store_signature has a signature to store.
q $CALLS "SELECT foray.log_set_origin('example.com/foray/roles'), foray.log_append('ROLES_ANCHORED')" >/dev/null
q $CALLS "SELECT foray.log_checkpoint()" | head -c -1 >"$WORK/log_cp.txt"
openssl genpkey -algorithm ed25519 -out "$WORK/log.key" 2>/dev/null
openssl pkey -in "$WORK/log.key" -pubout -outform DER 2>/dev/null | tail -c 32 >"$WORK/log.pub"
openssl pkeyutl -sign -inkey "$WORK/log.key" -rawin -in "$WORK/log_cp.txt" -out "$WORK/log_cp.sig" 2>/dev/null
read -r LOG_VKEY LOG_SIG < <(python3 -c "import base64,hashlib,sys; n=b'example.com/foray/roles'; p=open(sys.argv[1],'rb').read(); \
kid=hashlib.sha256(n+b'\n\x01'+p).digest()[:4]; print('%s+%s+%s' % (n.decode(), kid.hex(), base64.b64encode(b'\x01'+p).decode()), \
base64.b64encode(kid+open(sys.argv[2],'rb').read()).decode())" "$WORK/log.pub" "$WORK/log_cp.sig")
LOG_NOTE="concat($(sed "s/.*/'&', chr(10),/" "$WORK/log_cp.txt" | tr '\n' ' ') chr(10), '— example.com/foray/roles $LOG_SIG', chr(10))"
LOG_CP="concat($(sed "s/.*/'&', chr(10),/" "$WORK/log_cp.txt" | tr '\n' ' ') '')"
ZERO_CP="concat('o', chr(10), '1', chr(10), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', chr(10))"
ZERO_HASH="concat('sha256:', repeat('0', 64))"

PROBE_DOC='{"transaction_id": "ROLES_IMPORTED", "schema_version": "4.1", "timestamp": "2026-03-02T10:00:00Z", "foray_core": {"entity": "Roles", "transaction_type": "probe", "status": "active"}, "arrangements": [{"id": "ARR_I1", "foray_core": {"parties": [{"role": "buyer", "name": "A"}, {"role": "seller", "name": "B"}], "dependencies": []}}], "accruals": [], "anticipations": [], "actions": []}'
# signature|reads tables (1) or not (0)|a call that works for a role that may make it
cat >"$WORK/calls" <<SQL
foray.foray_canonicalize(jsonb)|0|SELECT foray.foray_canonicalize('{"b": 1, "a": 2}')
foray.foray_hash(jsonb)|0|SELECT foray.foray_hash('{"a": 1}')
foray.foray_hash_strict(jsonb)|0|SELECT foray.foray_hash_strict('{"a": 1.5}')
foray.foray_hash_digest(jsonb)|0|SELECT foray.foray_hash_digest('{"a": 1}')
foray.sha256_text(bytea)|0|SELECT foray.sha256_text('\\x00')
foray.foray_canonical_number(text,boolean)|0|SELECT foray.foray_canonical_number('1.50')
foray.core_text_array(jsonb,text)|0|SELECT foray.core_text_array('{"r": ["a"]}', 'r')
foray.iso_timestamptz(text)|0|SELECT foray.iso_timestamptz('2026-01-01T00:00:00Z')
foray.iso_date(text)|0|SELECT foray.iso_date('2026-01-01')
foray.is_transaction_id(text)|0|SELECT foray.is_transaction_id('T_1')
foray.is_document_timestamp(text)|0|SELECT foray.is_document_timestamp('2026-01-01')
foray.is_sha256_text(text)|0|SELECT foray.is_sha256_text('sha256:00')
foray.is_uuid_text(text)|0|SELECT foray.is_uuid_text('7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10')
foray.has_id_prefix(text,text)|0|SELECT foray.has_id_prefix('ARR_1', 'ARR')
foray.refs_typed(text,text[],text[],text[])|0|SELECT foray.refs_typed('ACT', '{}', '{}', '{}')
foray.component_ref_keys(text,text[],text[],text[])|0|SELECT foray.component_ref_keys('T', '{ARR_1}', '{}', '{}')
foray.attestation_ref_keys(text,text[],text[])|0|SELECT foray.attestation_ref_keys('T', '{ACT_1}', '{}')
foray.substrate_writing()|0|SELECT foray.substrate_writing()
foray.may_have_waiters(text)|0|SELECT foray.may_have_waiters('ROLES_READY')
foray.envelope_unconfirmed(text)|0|SELECT foray.envelope_unconfirmed('ROLES_READY')
foray.merkle_leaf_hash(bytea)|0|SELECT foray.merkle_leaf_hash('\\x00')
foray.merkle_tree_hash(bytea[])|0|SELECT foray.merkle_tree_hash(ARRAY['\\x00'::bytea])
foray.verify_inclusion(text,jsonb,text)|0|SELECT foray.verify_inclusion(concat('sha256:', repeat('0', 64)), '{"leaf_index": 0, "tree_size": 1, "path": []}', concat('sha256:', repeat('0', 64)))
foray.verify_inclusion(jsonb,text)|0|SELECT foray.verify_inclusion(jsonb_build_object('commitment_scheme', 2, 'transaction_id', 'T', 'subject_id', 'ARR_1', 'component_type', 'ARR', 'tree', 'arrangements', 'component_hash', concat('sha256:', repeat('0', 64)), 'leaf_hash', concat('sha256:', repeat('0', 64)), 'merkle_root', concat('sha256:', repeat('0', 64)), 'steps', jsonb_build_array(jsonb_build_object('tree', 'arrangements', 'leaf_index', 0, 'tree_size', 1, 'path', '[]'::jsonb, 'root', concat('sha256:', repeat('0', 64))), jsonb_build_object('tree', 'merkle_root', 'leaf_index', 1, 'tree_size', 7, 'path', '[]'::jsonb, 'root', concat('sha256:', repeat('0', 64))))), concat('sha256:', repeat('0', 64)))
foray.validate_document(jsonb,timestamp with time zone)|0|SELECT * FROM foray.validate_document('$PROBE_DOC')
foray.validate_document_text(text,timestamp with time zone)|0|SELECT * FROM foray.validate_document_text('$PROBE_DOC')
foray.upgrade_document(jsonb)|0|SELECT foray.upgrade_document('$PROBE_DOC')
foray.document_rules()|0|SELECT * FROM foray.document_rules()
foray.transaction_hashes(text)|1|SELECT * FROM foray.transaction_hashes('ROLES_READY')
foray.inclusion_proof(text,text)|1|SELECT foray.inclusion_proof('ROLES_READY', 'ACC_P1')
foray.inclusion_proofs(text,text[])|1|SELECT count(*) FROM foray.inclusion_proofs('ROLES_READY')
foray.commitment_details(text)|1|SELECT foray.commitment_details('ROLES_READY')
foray.anchor_envelope_text(text)|1|SELECT foray.anchor_envelope_text('ROLES_READY')
foray.anchor_envelope_sha256(text)|1|SELECT foray.anchor_envelope_sha256('ROLES_READY')
foray.export_bundle(text,text[],boolean)|1|SELECT foray.export_bundle('ROLES_READY')
foray.verify(text)|1|SELECT count(*) FROM foray.verify('ROLES_READY')
foray.anchor_envelope(text)|1|SELECT foray.anchor_envelope('ROLES_READY')
foray.export_document(text)|1|SELECT foray.export_document('ROLES_READY')
foray.record_anchor(text,text,text,bigint,bigint,timestamp with time zone)|1|SELECT foray.record_anchor('ROLES_READY', foray.anchor_envelope('ROLES_READY') ->> 'merkle_root', 'kaspa:probe', 2, 1, now())
foray.seal(text,text)|1|SELECT foray.seal('ROLES_ANCHORED', 'archive:probe')
foray.log_set_origin(text)|1|SELECT foray.log_set_origin('example.com/foray/roles')
foray.log_append(text)|1|SELECT foray.log_append('ROLES_READY')
foray.log_append_ready(integer)|1|SELECT count(*) FROM foray.log_append_ready(NULL)
foray.log_checkpoint()|1|SELECT foray.log_checkpoint()
foray.log_store_signature(text,text)|1|SELECT foray.log_store_signature($LOG_NOTE, '$LOG_VKEY')
foray.log_size()|1|SELECT foray.log_size()
foray.log_root(bigint)|1|SELECT foray.log_root(1)
foray.log_inclusion_proof(bigint,bigint)|1|SELECT foray.log_inclusion_proof(0, 1)
foray.log_inclusion_proof(text,bigint)|1|SELECT foray.log_inclusion_proof('ROLES_ANCHORED', 1)
foray.log_consistency_proof(bigint,bigint)|1|SELECT foray.log_consistency_proof(1, 1)
foray.log_append_leaves(text[],bytea[])|1|SELECT foray.log_append_leaves('{ROLES_SYNTHETIC}', ARRAY[sha256('\\x00')])
foray.record_checkpoint_anchor(text,text,bigint,bigint,timestamp with time zone)|1|SELECT foray.record_checkpoint_anchor($LOG_CP, 'kaspa:probe-cp', 3, 1, now())
foray.log_index(text)|1|SELECT foray.log_index('ROLES_ANCHORED')
foray.proof_chain(text,text,bigint)|1|SELECT foray.proof_chain('ROLES_ANCHORED', 'ARR_P1')
foray.verify_proof_chain(jsonb,text)|0|SELECT foray.verify_proof_chain('{"component": {}, "envelope": {"transaction_id": "T", "merkle_root": "x"}, "log": null, "checkpoint": null, "transaction_id": "U", "subject_id": "S"}', 'x')
foray.log_leaf_hash(jsonb)|0|SELECT foray.log_leaf_hash('{"a": 1}')
foray.log_nodes_at(bigint)|0|SELECT foray.log_nodes_at(7)
foray.log_verify_inclusion(text,jsonb,bigint,text)|0|SELECT foray.log_verify_inclusion($ZERO_HASH, '{"leaf_index": 0, "tree_size": 1, "path": []}', 1, $ZERO_HASH)
foray.log_verify_inclusion(text,jsonb,text)|0|SELECT foray.log_verify_inclusion($ZERO_HASH, '{"leaf_index": 0, "tree_size": 1, "path": []}', $ZERO_CP)
foray.log_verify_consistency(bigint,text,bigint,text,jsonb)|0|SELECT foray.log_verify_consistency(1, $ZERO_HASH, 1, $ZERO_HASH, '{"old_size": 1, "new_size": 1, "path": []}')
foray.log_verify_consistency(text,text,jsonb)|0|SELECT foray.log_verify_consistency($ZERO_CP, $ZERO_CP, '{"old_size": 1, "new_size": 1, "path": []}')
foray.log_parse_checkpoint(text)|0|SELECT * FROM foray.log_parse_checkpoint($ZERO_CP)
foray.log_verify_signature(text,text)|0|SELECT foray.log_verify_signature(concat('This is an example message.', chr(10), chr(10), '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=', chr(10)), 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')
foray.amend_transaction(text,text)|1|SELECT foray.amend_transaction('ROLES_ANCHORED', 'ROLES_AMENDED')
foray.import_document(jsonb,boolean)|1|SELECT foray.import_document('$PROBE_DOC')
foray.import_document_text(text,boolean)|1|SELECT foray.import_document_text('$PROBE_DOC')
foray.register_event_kind(text,text)|0|SELECT foray.register_event_kind('roles_probe_kind', 'A probe.')
foray.distribute(integer)|0|SELECT foray.distribute()
foray.apply_table_ddl(regclass,text)|0|SELECT foray.apply_table_ddl('foray.foray_components', 'SELECT 1')
foray.loomworks_json_dumps(jsonb)|0|SELECT foray.loomworks_json_dumps('{"a": 1}')
foray.loomworks_content_hash(jsonb)|0|SELECT foray.loomworks_content_hash('{"a": 1}')
foray.loomworks_flow_core(text,text,text,numeric,text,text,text,text,text,jsonb,text[],numeric,text,text)|0|SELECT foray.loomworks_flow_core('ACT', 'debit', 'ATOKEN', 1, 'a', 'person', 'b', 'person', '2026-01-01T00:00:00Z', NULL, NULL, NULL, NULL, NULL)
foray.loomworks_validate_transaction(text,timestamp with time zone)|1|SELECT count(*) FROM foray.loomworks_validate_transaction('ROLES_READY', now())
foray.loomworks_admit_content_violations(text,timestamp with time zone)|1|SELECT foray.loomworks_admit_content_violations('ROLES_READY', now())
SQL
# every trigger function: nobody may call one (PostgreSQL does not check
# EXECUTE when a trigger fires)
q $CALLS "SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'foray'::regnamespace AND p.prorettype = 'trigger'::regtype ORDER BY 1" |
	while read -r sig; do echo "$sig|0|SELECT $sig"; done >>"$WORK/calls"
check "every call line has its three fields (no | in the SQL)" "" "$(awk -F'|' 'NF != 3' "$WORK/calls")"
check "every function of the schema has a call here" "" \
	"$(comm -23 <(q $CALLS "SELECT replace(oid::regprocedure::text, ', ', ',') FROM pg_proc WHERE pronamespace = 'foray'::regnamespace" | LC_ALL=C sort) \
				<(cut -d'|' -f1 "$WORK/calls" | LC_ALL=C sort) | tr '\n' ' ')"

# Table operations: label|roles it works for|other outcomes (role=SQLSTATE;
# everyone else 42501)|statement.  Each runs in a subtransaction that is
# rolled back, so they do not see each other.
UPD_T="UPDATE foray.foray_transactions SET"
WHERE_T="WHERE transaction_id = 'ROLES_READY'"
UPD_C="UPDATE foray.foray_components SET"
WHERE_C="WHERE transaction_id = 'ROLES_READY' AND component_id = 'ACC_P1'"
UPD_A="UPDATE foray.foray_attestations SET"
WHERE_A="WHERE transaction_id = 'ROLES_READY' AND attestation_id = 'ATT_P1'"
INS_T="INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core"
VAL_T="VALUES ('ROLES_NEW', '2026-03-01', '{\"entity\": \"e\", \"transaction_type\": \"t\"}'"
INS_C="INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core"
VAL_C="VALUES ('ROLES_READY', 'ARR_NEW', 'ARR', '{}'"
INS_A="INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core"
VAL_A="VALUES ('ROLES_READY', 'ATT_NEW', (SELECT foray_core FROM foray.foray_attestations $WHERE_A)"
INS_E="INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id"
VAL_E="VALUES ('roles_probe_done', 'TRANSACTION', 'ROLES_READY', 'ROLES_READY', 'system', 'probe'"
cat >"$WORK/ops" <<SQL
read transactions|application anchor_service auditor|-|SELECT count(*) FROM foray.foray_transactions
read components|application anchor_service auditor|-|SELECT count(*) FROM foray.foray_components
read attestations|application anchor_service auditor|-|SELECT count(*) FROM foray.foray_attestations
read the event log|application auditor|-|SELECT count(*) FROM foray.memory_events
read the event kinds|application auditor|-|SELECT count(*) FROM foray.event_kinds
read the anchor queue|anchor_service auditor|-|SELECT count(*) FROM foray.anchor_queue
read the event id sequence|-|-|SELECT last_value FROM foray.memory_events_event_id_seq
take the event id sequence's next value|-|-|SELECT nextval('foray.memory_events_event_id_seq')
insert a transaction|application|-|$INS_T) $VAL_T)
update a transaction's core|application|-|$UPD_T foray_core = jsonb_insert(foray_core, '{note}', '"n"') $WHERE_T
delete an open transaction|application|-|DELETE FROM foray.foray_transactions WHERE transaction_id = 'ROLES_OPEN'
insert a component|application|-|$INS_C) $VAL_C)
update a component's core|application|-|$UPD_C foray_core = jsonb_insert(foray_core, '{note}', '"n"') $WHERE_C
settle a ready component|application|-|$UPD_C status = 'settled' $WHERE_C
reverse a component|application|-|$UPD_C status = 'reversed' $WHERE_C
delete a component|application|-|DELETE FROM foray.foray_components $WHERE_C
insert an attestation|application|-|$INS_A) $VAL_A)
update an attestation's core|application|-|$UPD_A foray_core = jsonb_insert(foray_core, '{note}', '"n"') $WHERE_A
delete an attestation|application|-|DELETE FROM foray.foray_attestations $WHERE_A
insert an engine event|application|-|$INS_E) $VAL_E)
lock transaction rows FOR UPDATE|application|-|SELECT count(*) FROM (SELECT 1 FROM foray.foray_transactions FOR UPDATE) s
lock component rows FOR SHARE|application|-|SELECT count(*) FROM (SELECT 1 FROM foray.foray_components FOR SHARE) s
truncate the protocol tables|-|-|TRUNCATE foray.foray_transactions, foray.foray_components, foray.foray_attestations
truncate the event log|-|-|TRUNCATE foray.transaction_events, foray.engine_events
update an event|-|-|UPDATE foray.memory_events SET payload = '{}'
delete an event|-|-|DELETE FROM foray.memory_events
write a substrate event kind|-|-|$INS_E) VALUES ('TRANSACTION_ANCHORED', 'TRANSACTION', 'ROLES_READY', 'ROLES_READY', 'system', 'probe')
choose an event_id|-|-|$INS_E, event_id) OVERRIDING SYSTEM VALUE $VAL_E, 999999999)
register a kind behind the function's back|-|-|INSERT INTO foray.event_kinds (event_kind, origin, description) VALUES ('FAKE_KIND', 'substrate', 'x')
re-describe a kind behind the function's back|-|-|UPDATE foray.event_kinds SET description = 'x'
re-describe a substrate kind through the function|-|application=23514|SELECT foray.register_event_kind('TRANSACTION_CREATED', 'hijacked')
change an anchored transaction|-|application=23R32|DELETE FROM foray.foray_components WHERE transaction_id = 'ROLES_ANCHORED'
forge pending (a derived status)|-|application=23R20|$UPD_C status = 'pending' $WHERE_C
insert a component as ready|-|application=23R20|$INS_C, status) $VAL_C, 'ready')
forge lifecycle|-|-|$UPD_T lifecycle = 'anchored' $WHERE_T
insert with a lifecycle|-|-|$INS_T, lifecycle) $VAL_T, 'ready_to_anchor')
forge merkle_root|-|-|$UPD_T merkle_root = concat('sha256:', repeat('0', 64)) $WHERE_T
forge foray_core_hash|-|-|$UPD_T foray_core_hash = concat('sha256:', repeat('0', 64)) $WHERE_T
forge audit_data_hash|-|-|$UPD_T audit_data_hash = concat('sha256:', repeat('0', 64)) $WHERE_T
forge component_hashes|-|-|$UPD_T component_hashes = '{}' $WHERE_T
forge blockchain_anchor|-|-|$UPD_T blockchain_anchor = '{}' $WHERE_T
insert with a blockchain_anchor|-|-|$INS_T, blockchain_anchor) $VAL_T, '{}')
forge sealed_archive_ref|-|-|$UPD_T sealed_archive_ref = 'x' $WHERE_T
forge anchored_at|-|-|$UPD_T anchored_at = now() $WHERE_T
forge sealed_at|-|-|$UPD_T sealed_at = now() $WHERE_T
forge a transaction's created_at|-|-|$UPD_T created_at = '2000-01-01' $WHERE_T
insert a transaction with created_at|-|-|$INS_T, created_at) $VAL_T, '2000-01-01')
forge a transaction's source_ref|-|-|$UPD_T source_ref = 'legacy:1' $WHERE_T
rename a transaction|-|-|$UPD_T transaction_id = 'ROLES_RENAMED' $WHERE_T
forge component_hash|-|-|$UPD_C component_hash = concat('sha256:', repeat('0', 64)) $WHERE_C
insert with a component_hash|-|-|$INS_C, component_hash) $VAL_C, concat('sha256:', repeat('0', 64)))
forge a component's created_at|-|-|$UPD_C created_at = '2000-01-01' $WHERE_C
forge updated_at|-|-|$UPD_C updated_at = '2000-01-01' $WHERE_C
forge a component's source_ref|-|-|$UPD_C source_ref = 'legacy:1' $WHERE_C
change a component's type|-|-|$UPD_C component_type = 'ACT' $WHERE_C
move a component|-|-|$UPD_C transaction_id = 'ROLES_OPEN' $WHERE_C
forge attestation_hash|-|-|$UPD_A attestation_hash = concat('sha256:', repeat('0', 64)) $WHERE_A
forge an attestation's created_at|-|-|$UPD_A created_at = '2000-01-01' $WHERE_A
rename an attestation|-|-|$UPD_A attestation_id = 'ATT_P2' $WHERE_A
write a generated column|-|application=428C9 anchor_service=428C9 auditor=428C9 nobody=428C9|$UPD_T entity = 'x' $WHERE_T
SQL

check "every operation line has its four fields (no | in the SQL)" "" "$(awk -F'|' 'NF != 4' "$WORK/ops")"

# One psql session per role: each call and operation in a subtransaction
# (rolled back), its SQLSTATE (or ok) and the functions its HINT names that
# the role may not run.
harness() {	# harness FILE-OF label|sql
	echo 'DO $harness$
DECLARE
	r record;
	st text;
	hint text;
	bad text;
BEGIN
	FOR r IN SELECT * FROM (VALUES'
	awk -F'|' -v OFS='' '{ sql = $2; gsub(/\x27/, "\x27\x27", sql); lab = $1; gsub(/\x27/, "\x27\x27", lab);
		print (NR > 1 ? "," : ""), "(", NR, ", \x27", lab, "\x27, \x27", sql, "\x27)" }' "$1"
	echo ') AS v(n, label, sql) ORDER BY n LOOP
		BEGIN
			EXECUTE r.sql;
			RAISE EXCEPTION USING ERRCODE = '\''RH000'\'', MESSAGE = '\''done, rolled back'\'';
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, hint = PG_EXCEPTION_HINT;
			SELECT string_agg(DISTINCT m[1], '\'' '\'') INTO bad
			  FROM regexp_matches(coalesce(hint, '\'''\''), '\''foray\.([a-z_][a-z0-9_]*)\('\'', '\''g'\'') AS m
			 WHERE NOT EXISTS (SELECT FROM pg_proc p WHERE p.pronamespace = '\''foray'\''::regnamespace
								  AND p.proname = m[1] AND has_function_privilege(p.oid, '\''EXECUTE'\''));
			RAISE NOTICE '\''harness|%|%|%'\'', r.label, CASE st WHEN '\''RH000'\'' THEN '\''ok'\'' ELSE st END, coalesce(bad, '\'''\'');
		END;
	END LOOP;
END
$harness$;'
}
cut -d'|' -f1,3 "$WORK/calls" >"$WORK/calls.harness"
harness "$WORK/calls.harness" >"$WORK/calls.sql"
cut -d'|' -f1,4 "$WORK/ops" >"$WORK/ops.harness"
harness "$WORK/ops.harness" >"$WORK/ops.sql"

declare -A calls_ok calls_refused ops_ok ops_refused
for role in $ROLES; do
	login=$(login_of $role)
	foray_psql -U "$login" -d $CALLS -f "$WORK/calls.sql" 2>&1 | sed -n 's/^.*NOTICE:  harness|//p' >"$WORK/calls.$role"
	check "$role: every function was called" "$(wc -l <"$WORK/calls")" "$(wc -l <"$WORK/calls.$role")"
	calls_ok[$role]=0; calls_refused[$role]=0
	# what it may run: EXECUTE, and SELECT on what the function reads
	q $CALLS "SELECT v.sig || '|' || CASE WHEN has_function_privilege('$login', v.sig, 'EXECUTE')
				AND (v.reads = 0 OR has_table_privilege('$login', 'foray.foray_transactions', 'SELECT'))
				THEN 'ok' ELSE '42501' END
			   FROM (VALUES $(awk -F'|' '{ printf "%s(\x27%s\x27, %d)", (NR > 1 ? "," : ""), $1, $2 }' "$WORK/calls")) AS v(sig, reads)" \
		>"$WORK/may.$role"
	while IFS='|' read -r sig want got; do
		check "$role: $sig" "$want" "$got"
		[ "$want" = ok ] && calls_ok[$role]=$((calls_ok[$role] + 1)) || calls_refused[$role]=$((calls_refused[$role] + 1))
	done < <(awk -F'|' 'NR == FNR { got[$1] = $2 ($3 == "" ? "" : ", whose HINT names what the role may not run: " $3); next }
						{ print $1 "|" $2 "|" ($1 in got ? got[$1] : "not run") }' "$WORK/calls.$role" "$WORK/may.$role")

	foray_psql -U "$login" -d $CALLS -f "$WORK/ops.sql" 2>&1 | sed -n 's/^.*NOTICE:  harness|//p' >"$WORK/ops.$role"
	check "$role: every table operation ran" "$(wc -l <"$WORK/ops")" "$(wc -l <"$WORK/ops.$role")"
	ops_ok[$role]=0; ops_refused[$role]=0
	# what it may do: works for the roles listed, else the SQLSTATE named for
	# the role, else 42501
	while IFS='|' read -r label want got; do
		check "$role: $label" "$want" "$got"
		[ "$want" = ok ] && ops_ok[$role]=$((ops_ok[$role] + 1)) || ops_refused[$role]=$((ops_refused[$role] + 1))
	done < <(awk -F'|' -v role="$role" 'NR == FNR { got[$1] = $2 ($3 == "" ? "" : ", whose HINT names what the role may not run: " $3); next }
		{ want = "42501"
		  if (index(" " $2 " ", " " role " ")) want = "ok"
		  n = split($3, o, " ")
		  for (i = 1; i <= n; i++) if (index(o[i], role "=") == 1) want = substr(o[i], length(role) + 2)
		  print $1 "|" want "|" ($1 in got ? got[$1] : "not run") }' "$WORK/ops.$role" "$WORK/ops")
done
check "the calls database is as it was (every call rolled back)" \
	"ROLES_ANCHORED=anchored ROLES_OPEN=open ROLES_READY=ready_to_anchor" \
	"$(q $CALLS "SELECT string_agg(transaction_id || '=' || lifecycle, ' ' ORDER BY transaction_id) FROM foray.foray_transactions")"

# ---------------------------------------------------------------------
# 5. Pointers: what README.md, docs/*.md and the C HINTs name exists
# ---------------------------------------------------------------------
grep -h 'errhint(' src/*.c >"$WORK/hints.txt"
python3 test/roles/docs.py pointers README.md docs/*.md "$WORK/hints.txt" >"$WORK/pointers"
known=" $(q $CALLS "SELECT string_agg(DISTINCT proname, ' ') FROM pg_proc WHERE pronamespace = 'foray'::regnamespace") "
missing=""
while IFS='|' read -r kind name where; do
	case $kind in
		function) [[ "$known" == *" $name "* ]] || missing="$missing foray.$name ($where)" ;;
		path) [[ "$name" == *--A--B* ]] && name=${name//--A--B/--0.4.0--0.5.0}		# a name pattern
			[ -e "$name" ] || missing="$missing $name ($where)" ;;
	esac
done <"$WORK/pointers"
check "every function and path README.md, docs/*.md and the HINTs name exists ($(wc -l <"$WORK/pointers") pointers)" "" "${missing# }"

# ---------------------------------------------------------------------
# 7. Enumerations: a bad value is refused with 23514 and a constraint
#    named after the values the domain allows (docs/sqlstates.md)
# ---------------------------------------------------------------------
# every domain's constraint name is "is_" and its values, the last after
# "or" (the three spec §9.3 lists are too long for a name: 63 bytes)
NAMES_FROM_VALUES="
SELECT t.typname || ' ' || c.conname || ' ' ||
	   CASE WHEN length(n) <= 63 THEN (c.conname = n)::text
			ELSE (c.conname = 'is_a_spec_9.3_' || CASE t.typname WHEN 'attestation_outcome' THEN 'outcome' ELSE t.typname END)::text END
  FROM pg_type t JOIN pg_constraint c ON c.contypid = t.oid,
	   LATERAL (SELECT array_agg(m[1] ORDER BY o) AS v
				  FROM regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') WITH ORDINALITY AS x(m, o)) vals,
	   LATERAL (SELECT 'is_' || array_to_string(vals.v[1:cardinality(vals.v) - 1], '_') || '_or_' || vals.v[cardinality(vals.v)] AS n) nm
 WHERE t.typnamespace = 'foray'::regnamespace AND t.typtype = 'd'
 ORDER BY 1"
check "every enumeration domain's CHECK is named after its values" \
	"$(q $CALLS "SELECT string_agg(typname || ' true', ' ' ORDER BY typname) FROM pg_type WHERE typnamespace = 'foray'::regnamespace AND typtype = 'd'")" \
	"$(q $CALLS "$NAMES_FROM_VALUES" | awk '{ printf "%s%s %s", (NR > 1 ? " " : ""), $1, $3 }')"
enum_refusal() {	# enum_refusal LABEL SQL: as the application
	foray_psql -U loomworks_app -d $CALLS -v VERBOSITY=verbose -c "BEGIN" -c "$2" -c "ROLLBACK" 2>&1 |
		sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\): value for domain \(foray\.[a-z_]*\) violates check constraint "\([^"]*\)"$/\1 \2 \3/p'
}
check "a bad component_type: the message names ARR, ACC, ANT and ACT" \
	"23514 foray.component_type is_ARR_ACC_ANT_or_ACT" \
	"$(enum_refusal component_type "$INS_C) VALUES ('ROLES_READY', 'ATT_X', 'ATT', '{}')")"
check "a bad status: the message names the four statuses" \
	"23514 foray.readiness is_pending_ready_settled_or_reversed" \
	"$(enum_refusal status "$UPD_C status = 'done' $WHERE_C")"
check "a bad actor kind: the message names the six kinds" \
	"23514 foray.actor_kind is_person_contributor_agent_companion_institution_or_system" \
	"$(enum_refusal actor_kind "$INS_E) VALUES ('roles_probe_done', 'TRANSACTION', 'ROLES_READY', 'ROLES_READY', 'robot', 'r2d2')")"
check "a bad subject kind: the message names the four kinds" \
	"23514 foray.subject_kind is_TRANSACTION_COMPONENT_ATTESTATION_or_MEMORY_OBJECT" \
	"$(enum_refusal subject_kind "$INS_E) VALUES ('roles_probe_done', 'ENGAGEMENT', 'ROLES_READY', 'ROLES_READY', 'system', 'probe')")"
# lifecycle is not the application's to write (42501): the DBA gets the domain's word
check "a bad lifecycle: the message names the four lifecycles" \
	"23514 foray.lifecycle is_open_ready_to_anchor_anchored_or_sealed" \
	"$(foray_psql -d $CALLS -v VERBOSITY=verbose -c "$UPD_T lifecycle = 'done' $WHERE_T" 2>&1 |
		sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\): value for domain \(foray\.[a-z_]*\) violates check constraint "\([^"]*\)"$/\1 \2 \3/p')"

# ---------------------------------------------------------------------
# 6. Group roles in a new cluster, dump/restore, ALTER EXTENSION UPDATE
# ---------------------------------------------------------------------
# a cluster without the roles: the present ones renamed for a moment
for g in $GROUPS3; do foray_psql -d postgres -c "ALTER ROLE $g RENAME TO ${g}_kept" >/dev/null; done
foray_fresh_db $FRESH >/dev/null 2>&1
check "CREATE EXTENSION creates the missing group roles" \
	"foray_anchor_service:00000:true foray_application:00000:true foray_auditor:00000:true" \
	"$(q postgres "$GROUP_ATTRIBUTES")"
check_table $FRESH "a cluster without the roles"
restore_groups
check "the group roles are back" "3" \
	"$(q postgres "SELECT count(*) FROM pg_roles WHERE rolname IN ('foray_application', 'foray_anchor_service', 'foray_auditor')")"

# dump and restore: the grants are the extension's initial privileges; a
# change the DBA made is dumped as a difference from them
foray_psql -d $DOCS -c "GRANT SELECT ON foray.anchor_queue TO foray_application" >/dev/null
"$FORAY_PGBIN/pg_dump" -d $DOCS -Fc -f "$WORK/docs.dump"
check "pg_dump of the docs database" 0 $?
foray_psql -d $DOCS -c "REVOKE SELECT ON foray.anchor_queue FROM foray_application" >/dev/null
check "the dump grants the group roles only what the DBA changed (CREATE EXTENSION grants the rest)" \
	"GRANT SELECT ON TABLE foray.anchor_queue TO foray_application;" \
	"$("$FORAY_PGBIN/pg_restore" -f - "$WORK/docs.dump" | grep -E 'GRANT .* TO foray_(application|anchor_service|auditor)')"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $RESTORED" -c "CREATE DATABASE $RESTORED" >/dev/null
"$FORAY_PGBIN/pg_restore" -d $RESTORED --exit-on-error "$WORK/docs.dump" >"$WORK/restore.log" 2>&1
check "pg_restore" 0 $?
check "restored: the DBA's own grant came back" "t" \
	"$(q $RESTORED "SELECT has_table_privilege('foray_application', 'foray.anchor_queue', 'SELECT')")"
foray_psql -d $RESTORED -c "REVOKE SELECT ON foray.anchor_queue FROM foray_application" >/dev/null
check_table $RESTORED "restored"
check "restored: the application writes as before" "ready" \
	"$(foray_psql -At -U loomworks_app -d $RESTORED -c "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
		VALUES ('SHOP_2026_Q1_SALE_001', 'ARR_AFTER_RESTORE', 'ARR', '{}') RETURNING status" 2>&1)"

# a 0.4.0 database updated
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $UPDATED" -c "CREATE DATABASE $UPDATED" >/dev/null
foray_psql -d $UPDATED -c "CREATE EXTENSION foray_substrate VERSION '0.4.0'" -c "ALTER EXTENSION foray_substrate UPDATE" >/dev/null
check_table $UPDATED "updated from 0.4.0"
check "updated: the application imports a document" "imported" \
	"$(foray_psql -At -U loomworks_app -d $UPDATED -c "SELECT foray.import_document('$PROBE_DOC') ->> 'status'" 2>&1)"

for db in $DOCS $CALLS $RESTORED $UPDATED; do
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
done

echo "# documented examples run, by role (refusals among them):"
for r in dba $ROLES; do echo "#   $r: ${ran[$r]} (${refused[$r]})"; done
echo "# functions called, by role: works / refused"
for r in $ROLES; do echo "#   $r: ${calls_ok[$r]} / ${calls_refused[$r]}"; done
echo "# table operations, by role: works / refused"
for r in $ROLES; do echo "#   $r: ${ops_ok[$r]} / ${ops_refused[$r]}"; done
foray_tally "$foray_passed" "$foray_failed"
