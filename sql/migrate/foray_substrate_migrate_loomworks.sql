-- foray_substrate_migrate_loomworks.sql
--
-- Migration of Loomworks' three legacy FORAY surfaces into the substrate
-- (docs/migration.md has the mapping, the guarantees and the reasoning):
--
--   credit.foray_action_flows  -> foray.foray_transactions + foray.foray_components
--   audit.foray_events         -> foray.memory_events (narrative setting_change)
--   public.memory_events       -> foray.memory_events (engine events, cleaned)
--                                 + one FORAY transaction with an approval
--                                 attestation per WebAuthn-attested event
--
-- Run after CREATE EXTENSION foray_substrate (0.5.0), as a superuser:
--
--   psql -d DB -f foray_substrate_migrate_loomworks.sql               # migrate
--   psql -d DB -v dry_run=1 -f foray_substrate_migrate_loomworks.sql  # report only
--
-- Variables (docs/migration.md, "Running it"): dry_run, progress_every,
-- work_mem, admit_content_violations, legacy_owner, expected_triggers, and
-- the spelling of every legacy column the inventory does not name
-- (flows_id_column, ..., rates_superseded_at_column).
--
-- One REPEATABLE READ transaction: on any error, or a reconciliation that
-- does not add up (SQLSTATE 23R40), nothing is written.  Incremental and
-- idempotent: each destination row carries source_ref naming its legacy
-- row; rows already migrated are skipped, rows that arrived since are
-- migrated.  The legacy tables are only read, and only once the script has
-- checked that reading them runs nobody's code (docs/migration.md, "What
-- the script trusts").
--
-- SQLSTATEs: 22R40 precondition, 22R41 legacy audit event carries a
-- signature, 22R42 legacy value the substrate cannot hold, 22R43 late
-- legacy row that cannot be migrated incrementally, 23R40 reconciliation
-- failed (docs/sqlstates.md).
--
-- Name resolution: search_path is pinned to pg_catalog, pg_temp before
-- anything else runs.  Every function and type below is schema-qualified
-- (pg_catalog, foray, loomworks_migration, pg_temp for the script's own);
-- operators resolve through the pinned path, where pg_temp is never searched
-- for operators or functions, so they are pg_catalog's.

\set ON_ERROR_STOP on
SET search_path = pg_catalog, pg_temp;
-- a database-level setting must not put the substrate into restore mode
SET foray.restore_mode = off;

\if :{?dry_run}
\else
\set dry_run 0
\endif
\if :{?progress_every}
\else
\set progress_every 100000
\endif
\if :{?work_mem}
\else
\set work_mem 256MB
\endif
\if :{?admit_content_violations}
\else
\set admit_content_violations 0
\endif
\if :{?legacy_owner}
\else
\set legacy_owner ''
\endif
\if :{?expected_triggers}
\else
\set expected_triggers 'credit.foray_action_flows.trg_update_balance_on_flow'
\endif
-- Legacy column names the inventory does not give (docs/migration.md).
\if :{?flows_id_column}
\else
\set flows_id_column id
\endif
\if :{?flows_flow_type_column}
\else
\set flows_flow_type_column flow_type
\endif
\if :{?flows_quantity_column}
\else
\set flows_quantity_column quantity
\endif
\if :{?flows_metadata_column}
\else
\set flows_metadata_column metadata
\endif
\if :{?flows_created_at_column}
\else
\set flows_created_at_column created_at
\endif
\if :{?balances_party_column}
\else
\set balances_party_column party
\endif
\if :{?balances_asset_id_column}
\else
\set balances_asset_id_column asset_id
\endif
\if :{?balances_balance_column}
\else
\set balances_balance_column balance
\endif
\if :{?audit_id_column}
\else
\set audit_id_column id
\endif
\if :{?audit_created_at_column}
\else
\set audit_created_at_column created_at
\endif
\if :{?events_id_column}
\else
\set events_id_column id
\endif
\if :{?rates_schema}
\else
\set rates_schema credit
\endif
\if :{?rates_table}
\else
\set rates_table conversion_rates
\endif
\if :{?rates_credit_asset_column}
\else
\set rates_credit_asset_column credit_asset
\endif
\if :{?rates_token_asset_column}
\else
\set rates_token_asset_column provider_token_asset
\endif
\if :{?rates_rate_column}
\else
\set rates_rate_column rate_per_million
\endif
\if :{?rates_effective_at_column}
\else
\set rates_effective_at_column effective_at
\endif
\if :{?rates_superseded_at_column}
\else
\set rates_superseded_at_column superseded_at
\endif

-- Room for the staging tables in memory (temp_buffers can only be set
-- before the session's first use of a temporary table; psql -f starts a
-- new session).
DO $tb$
BEGIN
	PERFORM pg_catalog.set_config('temp_buffers', '1GB', false);
EXCEPTION WHEN OTHERS THEN
	NULL;	-- the session already used temporary tables: keep its setting
END
$tb$;

-- ------------------------------------------------------------------------
-- Preconditions.  Every legacy column the script reads, with the types it
-- accepts (pg_catalog types only: a domain or a type of the application's
-- could run its code in a cast).  The relations are the distinct (schema,
-- table) pairs.
-- ------------------------------------------------------------------------
CREATE TEMP VIEW lw_legacy_columns AS
SELECT v.nsp, v.rel, v.col, v.canonical,
	pg_catalog.string_to_array(v.types, ',')::pg_catalog.regtype[] AS types
FROM (VALUES
	('credit', 'foray_action_flows', :'flows_id_column', 'id', 'pg_catalog.uuid'),
	('credit', 'foray_action_flows', 'transaction_id', 'transaction_id', 'pg_catalog.uuid'),
	('credit', 'foray_action_flows', :'flows_flow_type_column', 'flow_type', 'pg_catalog.varchar,pg_catalog.text'),
	('credit', 'foray_action_flows', 'asset_id', 'asset_id', 'pg_catalog.varchar,pg_catalog.text'),
	('credit', 'foray_action_flows', 'from_party', 'from_party', 'pg_catalog.varchar,pg_catalog.text'),
	('credit', 'foray_action_flows', 'to_party', 'to_party', 'pg_catalog.varchar,pg_catalog.text'),
	('credit', 'foray_action_flows', :'flows_quantity_column', 'quantity', 'pg_catalog.numeric'),
	('credit', 'foray_action_flows', :'flows_metadata_column', 'metadata', 'pg_catalog.jsonb'),
	('credit', 'foray_action_flows', :'flows_created_at_column', 'created_at', 'pg_catalog.timestamptz'),
	('credit', 'asset_balances', :'balances_party_column', 'party', 'pg_catalog.varchar,pg_catalog.text'),
	('credit', 'asset_balances', :'balances_asset_id_column', 'asset_id', 'pg_catalog.varchar,pg_catalog.text'),
	('credit', 'asset_balances', :'balances_balance_column', 'balance', 'pg_catalog.numeric'),
	(:'rates_schema', :'rates_table', :'rates_credit_asset_column', 'credit_asset', 'pg_catalog.varchar,pg_catalog.text'),
	(:'rates_schema', :'rates_table', :'rates_token_asset_column', 'token_asset', 'pg_catalog.varchar,pg_catalog.text'),
	(:'rates_schema', :'rates_table', :'rates_rate_column', 'rate_per_million', 'pg_catalog.numeric,pg_catalog.int4,pg_catalog.int8'),
	(:'rates_schema', :'rates_table', :'rates_effective_at_column', 'effective_at', 'pg_catalog.timestamptz'),
	(:'rates_schema', :'rates_table', :'rates_superseded_at_column', 'superseded_at', 'pg_catalog.timestamptz'),
	('audit', 'foray_events', :'audit_id_column', 'id', 'pg_catalog.uuid'),
	('audit', 'foray_events', 'tx_id', 'tx_id', 'pg_catalog.uuid'),
	('audit', 'foray_events', 'event_type', 'event_type', 'pg_catalog.varchar,pg_catalog.text'),
	('audit', 'foray_events', 'actor_person_id', 'actor_person_id', 'pg_catalog.uuid'),
	('audit', 'foray_events', 'payload', 'payload', 'pg_catalog.jsonb'),
	('audit', 'foray_events', 'signature', 'signature', 'pg_catalog.bytea'),
	('audit', 'foray_events', :'audit_created_at_column', 'created_at', 'pg_catalog.timestamptz'),
	('public', 'memory_events', :'events_id_column', 'id', 'pg_catalog.int8,pg_catalog.int4'),
	('public', 'memory_events', 'engagement_id', 'engagement_id', 'pg_catalog.uuid'),
	('public', 'memory_events', 'engagement_version', 'engagement_version', 'pg_catalog.int4,pg_catalog.int2'),
	('public', 'memory_events', 'object_id', 'object_id', 'pg_catalog.uuid'),
	('public', 'memory_events', 'object_type', 'object_type', 'pg_catalog.varchar,pg_catalog.text'),
	('public', 'memory_events', 'object_version', 'object_version', 'pg_catalog.int4,pg_catalog.int2'),
	('public', 'memory_events', 'event_kind', 'event_kind', 'pg_catalog.varchar,pg_catalog.text'),
	('public', 'memory_events', 'actor_kind', 'actor_kind', 'pg_catalog.varchar,pg_catalog.text'),
	('public', 'memory_events', 'actor_id', 'actor_id', 'pg_catalog.uuid'),
	('public', 'memory_events', 'payload', 'payload', 'pg_catalog.jsonb'),
	('public', 'memory_events', 'timestamp', 'timestamp', 'pg_catalog.timestamptz'),
	('public', 'memory_events', 'content_hash', 'content_hash', 'pg_catalog.varchar,pg_catalog.text'),
	('public', 'memory_events', 'attestation', 'attestation', 'pg_catalog.jsonb'),
	('public', 'memory_events', 'foray_tx_ref', 'foray_tx_ref', 'pg_catalog.varchar,pg_catalog.text'),
	('public', 'webauthn_credentials', 'person_id', 'person_id', 'pg_catalog.uuid'),
	('public', 'webauthn_credentials', 'credential_id', 'credential_id', 'pg_catalog.bytea')
) AS v(nsp, rel, col, canonical, types);

-- Everything the script must trust before it reads or writes, checked from
-- the catalogs only (nothing here reads a legacy table), every problem
-- collected into one error.  Run twice: before the migration's transaction
-- (so that nothing, not even LOCK TABLE, touches an object it would
-- refuse), and inside it after the legacy tables are locked, when the
-- schemas' names are pinned too (their pg_namespace rows locked FOR SHARE:
-- ALTER SCHEMA ... RENAME waits for the run) and every legacy name must
-- still be the table locked at the start.
CREATE FUNCTION pg_temp.lw_preconditions(legacy_owner pg_catalog.text, expected_triggers pg_catalog.text,
	in_run boolean)
RETURNS pg_catalog.void
LANGUAGE plpgsql AS $pre$
DECLARE
	problems pg_catalog.text[] := '{}';
	owner_oid pg_catalog.oid;
	owner_name pg_catalog.text;
	expected pg_catalog.text[];
	r record;
	rel pg_catalog.regclass;
	kind pg_catalog."char";
	bad pg_catalog.text;
BEGIN
	IF NOT pg_catalog.current_setting('is_superuser')::boolean THEN
		RAISE EXCEPTION 'the Loomworks migration runs as a superuser, not as role %', current_user
			USING ERRCODE = '22R40',
				  DETAIL = 'Rule MIG-001: it writes the substrate''s tables and storage parameters and reads every legacy table.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'foray_substrate') THEN
		RAISE EXCEPTION 'foray_substrate is not installed in this database'
			USING ERRCODE = '22R40',
				  DETAIL = 'Rule MIG-001: the migration writes into the extension''s tables.',
				  HINT = 'Run CREATE EXTENSION foray_substrate first.';
	END IF;
	-- the script calls functions that came with 0.5.0
	IF pg_catalog.to_regprocedure('foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[], numeric, text, text)') IS NULL
	   OR pg_catalog.to_regprocedure('foray.loomworks_validate_transaction(text, timestamptz)') IS NULL
	   OR pg_catalog.to_regprocedure('foray.loomworks_admit_content_violations(text, timestamptz)') IS NULL THEN
		RAISE EXCEPTION 'foray_substrate % is installed; this migration script needs 0.5.0 or later',
			(SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'foray_substrate')
			USING ERRCODE = '22R40',
				  DETAIL = 'Rule MIG-001: the script prices token accruals with foray.loomworks_flow_core(), validates what it wrote with foray.loomworks_validate_transaction() and admits content violations with foray.loomworks_admit_content_violations(), as of 0.5.0.',
				  HINT = 'Run ALTER EXTENSION foray_substrate UPDATE first.';
	END IF;

	IF in_run THEN
		-- pin the names: no schema the script reads or writes can be renamed
		-- (or dropped: that takes the tables' locks) until the run ends
		PERFORM 1 FROM pg_catalog.pg_namespace n
		WHERE n.nspname IN (SELECT c.nsp FROM pg_temp.lw_legacy_columns c)
		   OR n.nspname IN ('foray', 'loomworks_migration')
		FOR SHARE;
	END IF;

	-- The legacy relations' owner the script expects: -v legacy_owner, or
	-- the database's owner (the application owns its database).
	IF legacy_owner = '' THEN
		SELECT d.datdba INTO owner_oid FROM pg_catalog.pg_database d
		WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database();
	ELSE
		SELECT a.oid INTO owner_oid FROM pg_catalog.pg_authid a WHERE a.rolname = legacy_owner;
		IF owner_oid IS NULL THEN
			problems := problems || pg_catalog.format('-v legacy_owner=%s: no such role', legacy_owner);
		END IF;
	END IF;
	owner_name := (SELECT a.rolname FROM pg_catalog.pg_authid a WHERE a.oid = owner_oid);
	SELECT pg_catalog.array_agg(pg_catalog.btrim(x)) INTO expected
	FROM pg_catalog.unnest(pg_catalog.string_to_array(expected_triggers, ',')) AS x
	WHERE pg_catalog.btrim(x) <> '';

	-- the legacy relations: plain heap tables, no rules, no row-level
	-- security, no children, no trigger the script does not expect, owned by
	-- the expected owner or a superuser
	FOR r IN SELECT DISTINCT c.nsp, c.rel FROM pg_temp.lw_legacy_columns c ORDER BY 1, 2 LOOP
		rel := pg_catalog.to_regclass(pg_catalog.quote_ident(r.nsp) || '.' || pg_catalog.quote_ident(r.rel));
		IF rel IS NULL THEN
			problems := problems || pg_catalog.format('table %I.%I not found', r.nsp, r.rel);
			CONTINUE;
		END IF;
		SELECT c.relkind INTO kind FROM pg_catalog.pg_class c WHERE c.oid = rel;
		IF kind <> 'r' THEN
			problems := problems || pg_catalog.format('%s is a %s, not a plain table', rel,
				CASE kind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
					WHEN 'p' THEN 'partitioned table' ELSE 'relation of kind ' || kind::pg_catalog.text END);
			CONTINUE;
		END IF;
		IF in_run AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
								  WHERE l.locktype = 'relation' AND l.relation = rel
									AND l.pid = pg_catalog.pg_backend_pid() AND l.mode = 'AccessShareLock' AND l.granted) THEN
			problems := problems || pg_catalog.format('%s is not the table the migration locked as it began (renamed or replaced since); run the migration again', rel);
		END IF;
		IF (SELECT a.amname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_am a ON a.oid = c.relam WHERE c.oid = rel) <> 'heap' THEN
			problems := problems || pg_catalog.format('%s is stored by a table access method other than heap', rel);
		END IF;
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(w.rulename), ', ' ORDER BY w.rulename) INTO bad
		FROM pg_catalog.pg_rewrite w WHERE w.ev_class = rel;
		IF bad IS NOT NULL THEN
			problems := problems || pg_catalog.format('%s has rule(s) %s', rel, bad);
		END IF;
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(p.polname), ', ' ORDER BY p.polname) INTO bad
		FROM pg_catalog.pg_policy p WHERE p.polrelid = rel;
		IF bad IS NOT NULL OR (SELECT c.relrowsecurity OR c.relforcerowsecurity FROM pg_catalog.pg_class c WHERE c.oid = rel) THEN
			problems := problems || pg_catalog.format('%s has row-level security%s', rel,
				coalesce(' (policies ' || bad || ')', ''));
		END IF;
		SELECT pg_catalog.string_agg(i.inhrelid::pg_catalog.regclass::pg_catalog.text, ', ' ORDER BY i.inhrelid) INTO bad
		FROM pg_catalog.pg_inherits i WHERE i.inhparent = rel;
		IF bad IS NOT NULL THEN
			problems := problems || pg_catalog.format('%s has child tables (%s), which a read of it would read too', rel, bad);
		END IF;
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(t.tgname), ', ' ORDER BY t.tgname) INTO bad
		FROM pg_catalog.pg_trigger t
		WHERE t.tgrelid = rel AND NOT t.tgisinternal
		  AND NOT (r.nsp || '.' || r.rel || '.' || t.tgname) = ANY (coalesce(expected, '{}'));
		IF bad IS NOT NULL THEN
			problems := problems || pg_catalog.format('%s has trigger(s) %s the migration does not expect (-v expected_triggers)', rel, bad);
		END IF;
		SELECT a.rolname INTO bad FROM pg_catalog.pg_class c JOIN pg_catalog.pg_authid a ON a.oid = c.relowner
		WHERE c.oid = rel AND c.relowner IS DISTINCT FROM owner_oid AND NOT a.rolsuper;
		IF bad IS NOT NULL THEN
			problems := problems || pg_catalog.format('%s is owned by role %s; the migration expects %s (-v legacy_owner) or a superuser',
				rel, bad, coalesce(owner_name, 'the database owner'));
		END IF;
	END LOOP;

	-- the columns it reads, with their types
	FOR r IN
		SELECT c.nsp, c.rel, c.col, c.types, a.atttypid
		FROM pg_temp.lw_legacy_columns c
		JOIN pg_catalog.pg_class k ON k.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(c.nsp) || '.' || pg_catalog.quote_ident(c.rel))
			AND k.relkind = 'r'
		LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = k.oid AND a.attname = c.col AND a.attnum > 0 AND NOT a.attisdropped
		WHERE a.atttypid IS NULL OR NOT a.atttypid = ANY (c.types::pg_catalog.oid[])
		ORDER BY c.nsp, c.rel, c.col
	LOOP
		problems := problems || pg_catalog.format('column %I.%I.%I %s (expected %s)', r.nsp, r.rel, r.col,
			CASE WHEN r.atttypid IS NULL THEN 'not found' ELSE 'is ' || pg_catalog.format_type(r.atttypid, NULL) END,
			(SELECT pg_catalog.string_agg(pg_catalog.format_type(t, NULL), ' or ') FROM pg_catalog.unnest(r.types) AS t));
	END LOOP;

	-- the substrate's schema: only superusers create in it or own its
	-- functions; its tables fire only triggers of superuser-owned functions
	-- of the extension's schema and have no rules
	SELECT pg_catalog.string_agg(DISTINCT x.who, ', ') INTO bad
	FROM (SELECT CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE a.rolname END AS who
		  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) g
		  LEFT JOIN pg_catalog.pg_authid a ON a.oid = g.grantee
		  WHERE n.nspname = 'foray' AND g.privilege_type = 'CREATE' AND NOT coalesce(a.rolsuper, false)
		  UNION ALL
		  SELECT a.rolname FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_authid a ON a.oid = n.nspowner
		  WHERE n.nspname = 'foray' AND NOT a.rolsuper
		  UNION ALL
		  SELECT a.rolname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_authid a ON a.oid = p.proowner
		  WHERE p.pronamespace = 'foray'::pg_catalog.regnamespace AND NOT a.rolsuper) x;
	IF bad IS NOT NULL THEN
		problems := problems || pg_catalog.format('schema foray: role(s) %s other than superusers own or may create objects in it', bad);
	END IF;
	SELECT pg_catalog.string_agg(pg_catalog.format('%s on %s', pg_catalog.quote_ident(t.tgname), t.tgrelid::pg_catalog.regclass), ', ') INTO bad
	FROM pg_catalog.pg_trigger t
	JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
	JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
	JOIN pg_catalog.pg_authid a ON a.oid = p.proowner
	WHERE c.relnamespace = 'foray'::pg_catalog.regnamespace AND NOT t.tgisinternal
	  AND (p.pronamespace <> 'foray'::pg_catalog.regnamespace OR NOT a.rolsuper);
	IF bad IS NOT NULL THEN
		problems := problems || pg_catalog.format('the substrate''s tables have trigger(s) %s that are not the extension''s', bad);
	END IF;
	SELECT pg_catalog.string_agg(pg_catalog.format('%s on %s', pg_catalog.quote_ident(w.rulename), w.ev_class::pg_catalog.regclass), ', ') INTO bad
	FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
	WHERE c.relnamespace = 'foray'::pg_catalog.regnamespace AND c.relkind = 'r';
	IF bad IS NOT NULL THEN
		problems := problems || pg_catalog.format('the substrate''s tables have rule(s) %s', bad);
	END IF;

	-- the migration's own schema, when it exists: created by a superuser
	-- (this script), nobody else creates in it or owns anything in it, and
	-- its tables fire no trigger and no rule
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'loomworks_migration') THEN
		SELECT pg_catalog.string_agg(DISTINCT x.what, '; ') INTO bad
		FROM (SELECT 'the schema is owned by ' || a.rolname AS what
			  FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_authid a ON a.oid = n.nspowner
			  WHERE n.nspname = 'loomworks_migration' AND NOT a.rolsuper
			  UNION ALL
			  SELECT 'role ' || CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE a.rolname END || ' may create in it'
			  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) g
			  LEFT JOIN pg_catalog.pg_authid a ON a.oid = g.grantee
			  WHERE n.nspname = 'loomworks_migration' AND g.privilege_type = 'CREATE' AND NOT coalesce(a.rolsuper, false)
			  UNION ALL
			  SELECT pg_catalog.format('%s is owned by %s', c.oid::pg_catalog.regclass, a.rolname)
			  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_authid a ON a.oid = c.relowner
			  WHERE c.relnamespace = 'loomworks_migration'::pg_catalog.regnamespace AND NOT a.rolsuper
			  UNION ALL
			  SELECT pg_catalog.format('%s is owned by %s', p.oid::pg_catalog.regprocedure, a.rolname)
			  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_authid a ON a.oid = p.proowner
			  WHERE p.pronamespace = 'loomworks_migration'::pg_catalog.regnamespace AND NOT a.rolsuper
			  UNION ALL
			  SELECT pg_catalog.format('type %s is owned by %s', t.oid::pg_catalog.regtype, a.rolname)
			  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_authid a ON a.oid = t.typowner
			  WHERE t.typnamespace = 'loomworks_migration'::pg_catalog.regnamespace AND NOT a.rolsuper
			  UNION ALL
			  SELECT pg_catalog.format('trigger %s on %s', pg_catalog.quote_ident(t.tgname), t.tgrelid::pg_catalog.regclass)
			  FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
			  WHERE c.relnamespace = 'loomworks_migration'::pg_catalog.regnamespace AND NOT t.tgisinternal
			  UNION ALL
			  SELECT pg_catalog.format('rule %s on %s', pg_catalog.quote_ident(w.rulename), w.ev_class::pg_catalog.regclass)
			  FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
			  WHERE c.relnamespace = 'loomworks_migration'::pg_catalog.regnamespace AND c.relkind <> 'v'
			  UNION ALL
			  SELECT pg_catalog.format('policy %s on %s', pg_catalog.quote_ident(p.polname), p.polrelid::pg_catalog.regclass)
			  FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
			  WHERE c.relnamespace = 'loomworks_migration'::pg_catalog.regnamespace) x;
		IF bad IS NOT NULL THEN
			problems := problems || ('schema loomworks_migration: ' || bad);
		END IF;
	END IF;

	IF pg_catalog.cardinality(problems) > 0 THEN
		RAISE EXCEPTION USING
			MESSAGE = pg_catalog.format('the migration''s preconditions do not hold: %s%s', problems[1],
				CASE WHEN pg_catalog.cardinality(problems) > 1
					 THEN pg_catalog.format(' (and %s more)', pg_catalog.cardinality(problems) - 1) ELSE '' END),
				  ERRCODE = '22R40',
				  DETAIL = 'Rule MIG-001: ' || pg_catalog.array_to_string(problems, E'\n'),
				  HINT = 'Nothing was read from the legacy tables and nothing was written.  docs/migration.md, "The legacy schema it reads" and "What the script trusts", lists what the script reads, what it trusts and the variables for other column names.';
	END IF;
END
$pre$;

-- Before the transaction: catalogs only.
SELECT 'hold' AS preconditions FROM pg_temp.lw_preconditions(:'legacy_owner', :'expected_triggers', false) AS p;

-- ------------------------------------------------------------------------
-- The run: one REPEATABLE READ transaction, so every legacy table is read
-- in one snapshot (rows the application commits during the run are left to
-- the next run).  The legacy tables are locked before the snapshot is
-- taken (LOCK TABLE takes none), in ACCESS SHARE mode: the application
-- keeps reading and writing them, but no one alters, replaces or drops
-- them until the run ends.
-- ------------------------------------------------------------------------
BEGIN ISOLATION LEVEL REPEATABLE READ;
LOCK TABLE credit.foray_action_flows, credit.asset_balances, audit.foray_events, public.memory_events,
	public.webauthn_credentials, :"rates_schema".:"rates_table" IN ACCESS SHARE MODE;
CREATE SCHEMA IF NOT EXISTS loomworks_migration;
SELECT 'hold' AS preconditions FROM pg_temp.lw_preconditions(:'legacy_owner', :'expected_triggers', true) AS p;

-- work_mem: memory for the staging sort and the reconciliation's groupings
-- and joins (millions of keys each), for this transaction only; with the
-- server's default they spill to disk in batches.  Hash tables may take
-- four times as much (hash_mem_multiplier, PostgreSQL's default is 2): the
-- engine events' full join hashes a million events with their payloads,
-- about 550 MB, and split in two batches it costs 0.9 s more.
SELECT pg_catalog.set_config('loomworks_migration.dry_run', :'dry_run', true) AS dry_run,
	   pg_catalog.set_config('loomworks_migration.admit_content_violations', :'admit_content_violations', true) AS admit_content_violations,
	   pg_catalog.set_config('loomworks_migration.rates_table', pg_catalog.format('%I.%I', :'rates_schema', :'rates_table'), true) AS rates_table,
	   pg_catalog.set_config('loomworks_migration.progress_every', :'progress_every', true) AS progress_every,
	   pg_catalog.set_config('loomworks_migration.written', '0', true) IS NOT NULL AS counting,
	   pg_catalog.set_config('work_mem', :'work_mem', true) AS work_mem,
	   pg_catalog.set_config('hash_mem_multiplier', '4', true) AS hash_mem_multiplier;

-- The legacy tables under the script's names for their columns (the
-- precondition checked each name and type).  Every read below goes through
-- these views, which are bound to the tables checked and locked above.
CREATE TEMP VIEW lw_flows AS
SELECT f.:"flows_id_column" AS id, f.transaction_id, f.:"flows_flow_type_column"::pg_catalog.text AS flow_type,
	f.asset_id::pg_catalog.text AS asset_id, f.from_party::pg_catalog.text AS from_party,
	f.to_party::pg_catalog.text AS to_party, f.:"flows_quantity_column" AS quantity,
	f.:"flows_metadata_column" AS metadata, f.:"flows_created_at_column" AS created_at
FROM credit.foray_action_flows f;
CREATE TEMP VIEW lw_balances AS
SELECT b.:"balances_party_column"::pg_catalog.text AS party, b.:"balances_asset_id_column"::pg_catalog.text AS asset_id,
	b.:"balances_balance_column" AS balance
FROM credit.asset_balances b;
CREATE TEMP VIEW lw_rates AS
SELECT r.:"rates_credit_asset_column"::pg_catalog.text AS credit_asset, r.:"rates_token_asset_column"::pg_catalog.text AS token_asset,
	r.:"rates_rate_column"::pg_catalog.numeric AS rate, r.:"rates_effective_at_column" AS effective_at,
	r.:"rates_superseded_at_column" AS superseded_at
FROM :"rates_schema".:"rates_table" r;
CREATE TEMP VIEW lw_audit AS
SELECT a.:"audit_id_column" AS id, a.tx_id, a.event_type::pg_catalog.text AS event_type, a.actor_person_id,
	a.payload, a.signature, a.:"audit_created_at_column" AS created_at
FROM audit.foray_events a;
CREATE TEMP VIEW lw_events AS
SELECT m.:"events_id_column"::pg_catalog.int8 AS id, m.engagement_id, m.engagement_version::pg_catalog.int4 AS engagement_version,
	m.object_id, m.object_type::pg_catalog.text AS object_type, m.object_version::pg_catalog.int4 AS object_version,
	m.event_kind::pg_catalog.text AS event_kind, m.actor_kind::pg_catalog.text AS actor_kind, m.actor_id,
	m.payload, m."timestamp", m.content_hash::pg_catalog.text AS content_hash, m.attestation,
	m.foray_tx_ref::pg_catalog.text AS foray_tx_ref
FROM public.memory_events m;
CREATE TEMP VIEW lw_creds AS
SELECT w.person_id, w.credential_id FROM public.webauthn_credentials w;

-- ------------------------------------------------------------------------
-- The migration's own schema: report tables, what the migration keeps of
-- the legacy rows outside the substrate, and the shipped balance view.
-- ------------------------------------------------------------------------
COMMENT ON SCHEMA loomworks_migration IS
	'Created by foray_substrate_migrate_loomworks.sql: migration reports, legacy values kept outside the substrate, and the view that reproduces credit.asset_balances from the substrate.';

CREATE TABLE IF NOT EXISTS loomworks_migration.runs (
	run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at pg_catalog.timestamptz NOT NULL,
	finished_at pg_catalog.timestamptz NOT NULL,
	report pg_catalog.jsonb NOT NULL
);
COMMENT ON TABLE loomworks_migration.runs IS 'One row per committed migration run that wrote something, with its reconciliation report.';

CREATE TABLE IF NOT EXISTS loomworks_migration.content_hash_findings (
	legacy_id bigint NOT NULL,
	finding pg_catalog.text NOT NULL CHECK (finding IN ('missing', 'wrong', 'foray_block_differs')),
	stored_hash pg_catalog.text,
	foray_block_hash pg_catalog.text,
	recomputed_hash pg_catalog.text NOT NULL,
	found_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (legacy_id, finding)
);
COMMENT ON TABLE loomworks_migration.content_hash_findings IS
	'Legacy public.memory_events rows whose content hash does not hold: missing (content_hash NULL), wrong (content_hash differs from Loomworks'' own algorithm recomputed over the stored payload, foray.loomworks_content_hash), foray_block_differs (the payload''s _foray.content_hash differs from the column).';

CREATE TABLE IF NOT EXISTS loomworks_migration.foray_tx_refs (
	legacy_id bigint PRIMARY KEY,
	foray_tx_ref pg_catalog.text NOT NULL,
	source_ref pg_catalog.text NOT NULL,
	found_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE loomworks_migration.foray_tx_refs IS
	'The legacy public.memory_events.foray_tx_ref values (Loomworks reserved the column and never wrote it): legacy id, the value, and the source_ref of the migrated engine event in foray.memory_events.';

CREATE TABLE IF NOT EXISTS loomworks_migration.event_batches (
	first_event_id bigint PRIMARY KEY,
	last_event_id bigint NOT NULL,
	legacy_rows bigint NOT NULL,
	written_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK (last_event_id >= first_event_id)
);
COMMENT ON TABLE loomworks_migration.event_batches IS
	'The engine events each run appended to foray.memory_events (event_id range, legacy rows): within a batch the substrate order is the legacy id order; a later batch holds the legacy rows that arrived after the earlier runs, whatever their ids.';

-- Ledger party -> the substrate's one actor convention.
-- (STABLE and not STRICT, like the expressions they wrap, so the planner
-- inlines them: called through the SQL-function executor, once per row,
-- they cost an eighth of the migration.  Parties are never null.)
CREATE OR REPLACE FUNCTION loomworks_migration.party(p pg_catalog.text) RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.jsonb_build_object(
	'kind', CASE WHEN p ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
			THEN 'person' ELSE 'institution' END,
	'id', p);
COMMENT ON FUNCTION loomworks_migration.party(pg_catalog.text) IS
	'A legacy ledger party as the substrate''s typed actor: a UUID string is a person, any other name (dunin7, anthropic) an institution; the id is kept verbatim.';

CREATE OR REPLACE FUNCTION loomworks_migration.iso(t pg_catalog.timestamptz) RETURNS pg_catalog.text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
RETURN pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
COMMENT ON FUNCTION loomworks_migration.iso(pg_catalog.timestamptz) IS 'ISO-8601 UTC text of a timestamp, independent of the session time zone.';

CREATE OR REPLACE FUNCTION loomworks_migration.sha256_ref(s pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 'sha256:' || pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(s, 'UTF8')), 'hex');
COMMENT ON FUNCTION loomworks_migration.sha256_ref(pg_catalog.text) IS 'sha256:<hex> of a string''s UTF-8 bytes (entity and attestor identity hashes).';

CREATE OR REPLACE FUNCTION loomworks_migration.is_b64url(s pg_catalog.text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN s ~ '^[A-Za-z0-9_-]+={0,2}$' AND pg_catalog.length(pg_catalog.rtrim(s, '=')) % 4 <> 1;
COMMENT ON FUNCTION loomworks_migration.is_b64url(pg_catalog.text) IS 'Whether a text is base64url (RFC 4648 §5, padding optional) that decodes to at least one byte: what a WebAuthn credential id is.';

CREATE OR REPLACE FUNCTION loomworks_migration.b64url_decode(s pg_catalog.text) RETURNS pg_catalog.bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.decode(pg_catalog.translate(pg_catalog.rtrim(s, '='), '-_', '+/')
	|| pg_catalog.repeat('=', (4 - pg_catalog.length(pg_catalog.rtrim(s, '=')) % 4) % 4), 'base64');
COMMENT ON FUNCTION loomworks_migration.b64url_decode(pg_catalog.text) IS 'Decodes base64url, padded or not (WebAuthn credential ids); the script checks loomworks_migration.is_b64url first.';

-- A token row's rate_per_million as the mapping reads it from the row's
-- metadata: a JSON number, or a string spelling a plain decimal number
-- ("80.000000", what Python writes for a Decimal with str()); NULL when
-- there is none or it is not one of those.
CREATE OR REPLACE FUNCTION loomworks_migration.metadata_rate(metadata pg_catalog.jsonb) RETURNS pg_catalog.numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE pg_catalog.jsonb_typeof(metadata -> 'rate_per_million')
	WHEN 'number' THEN (metadata ->> 'rate_per_million')::pg_catalog.numeric
	WHEN 'string' THEN CASE WHEN metadata ->> 'rate_per_million' ~ '^[+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'
		THEN (metadata ->> 'rate_per_million')::pg_catalog.numeric END
	END;
COMMENT ON FUNCTION loomworks_migration.metadata_rate(pg_catalog.jsonb) IS
	'A legacy token row''s rate_per_million from its metadata: a JSON number, or a string spelling a decimal number (e.g. "80.000000"); NULL otherwise.';

-- A string value of the metadata, or NULL.
CREATE OR REPLACE FUNCTION loomworks_migration.metadata_string(metadata pg_catalog.jsonb, key pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.jsonb_typeof(metadata -> key) = 'string' THEN metadata ->> key END;
COMMENT ON FUNCTION loomworks_migration.metadata_string(pg_catalog.jsonb, pg_catalog.text) IS 'metadata ->> key when that value is a JSON string, else NULL.';

-- Progress: called for every row, prints every progress_every rows.
CREATE OR REPLACE FUNCTION loomworks_migration.progress(step pg_catalog.text, n bigint, total bigint, t0 pg_catalog.timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	secs pg_catalog.float8 := greatest(extract(epoch FROM pg_catalog.clock_timestamp() - t0), 0.001);
BEGIN
	RAISE NOTICE '% : % / % rows (% rows/s)', step, n, total, pg_catalog.round(n / secs);
	RETURN true;
END
$$;
COMMENT ON FUNCTION loomworks_migration.progress(pg_catalog.text, bigint, bigint, pg_catalog.timestamptz) IS 'Prints one progress NOTICE (rows done, total, rows/s).';

-- Rows written by this run (a run that writes nothing leaves no trace).
CREATE FUNCTION pg_temp.lw_wrote(n bigint) RETURNS pg_catalog.void
LANGUAGE sql VOLATILE
RETURN (SELECT NULL::pg_catalog.void FROM (SELECT pg_catalog.set_config('loomworks_migration.written',
	(pg_catalog.current_setting('loomworks_migration.written')::bigint + n)::pg_catalog.text, true)) s);

-- credit.asset_balances, reproduced from the migrated components only.
-- (One scan: each flow yields its two signed deltas through unnest in the
-- select list.  A LATERAL VALUES list measured three times slower, since it
-- compiles its expressions again for every row; two scans under UNION ALL
-- read the components' heap twice.)
-- (The balance is an unconstrained numeric: legacy installations differ in
-- the scale of their quantities, and a cast to one scale would round.  Up
-- to 0.4.0 the view was numeric(20, 6): it is dropped and created again.)
DROP VIEW IF EXISTS loomworks_migration.asset_balances;
CREATE VIEW loomworks_migration.asset_balances AS
SELECT party, asset_id, pg_catalog.sum(delta) AS balance
FROM (
	SELECT pg_catalog.unnest(ARRAY[f -> 'to_party' ->> 'id', f -> 'from_party' ->> 'id']) AS party,
		   f ->> 'asset_id' AS asset_id,
		   pg_catalog.unnest(ARRAY[q, -q]) AS delta
	FROM foray.foray_components c,
		 LATERAL (SELECT c.foray_core -> 'flow' AS f) x,
		 LATERAL (SELECT (x.f ->> 'quantity')::pg_catalog.numeric AS q) y
	WHERE c.source_ref LIKE 'credit.foray\_action\_flows:%'
) d
GROUP BY party, asset_id;
COMMENT ON VIEW loomworks_migration.asset_balances IS
	'Legacy credit.asset_balances (party, asset_id, balance) recomputed from the migrated ledger components: +quantity to to_party, -quantity from from_party.';

-- ------------------------------------------------------------------------
-- Legacy values that stop the migration before it writes anything: one
-- error per SQLSTATE, listing every kind of problem with the legacy ids.
-- ------------------------------------------------------------------------
DO $chk$
DECLARE
	t0 pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	n bigint;
	bad pg_catalog.text;
	problems pg_catalog.text[] := '{}';
	r record;
	odd_flow_types pg_catalog.text[];
	odd_event_types pg_catalog.text[];
	odd_kinds pg_catalog.text[];
	odd_actors pg_catalog.text[];
BEGIN
	SELECT pg_catalog.count(*), pg_catalog.string_agg(id::pg_catalog.text, ', ' ORDER BY id)
	INTO n, bad
	FROM (SELECT id FROM pg_temp.lw_audit WHERE signature IS NOT NULL ORDER BY id LIMIT 5) s;
	IF n > 0 THEN
		RAISE EXCEPTION 'legacy audit.foray_events row % carries a signature', pg_catalog.split_part(bad, ',', 1)
			USING ERRCODE = '22R41',
				  DETAIL = pg_catalog.format('Rule MIG-002: signature was never written by Loomworks; the substrate has no place for it and the migration will not drop it silently (rows: %s).', bad),
				  HINT = 'Investigate where the signatures came from before migrating.';
	END IF;

	-- The names that must be lower_snake_case, and the actor kinds, checked
	-- on their distinct values (a regular expression per row cost seconds
	-- per million rows; OFFSET 0 keeps the test above the grouping).
	SELECT pg_catalog.array_agg(v) INTO odd_flow_types
	FROM (SELECT flow_type AS v FROM pg_temp.lw_flows GROUP BY 1 OFFSET 0) s WHERE v !~ '^[a-z][a-z0-9_]{0,63}$';
	SELECT pg_catalog.array_agg(v) INTO odd_event_types
	FROM (SELECT event_type AS v FROM pg_temp.lw_audit GROUP BY 1 OFFSET 0) s WHERE v !~ '^[a-z][a-z0-9_]{1,63}$';
	SELECT pg_catalog.array_agg(DISTINCT k) FILTER (WHERE k !~ '^[a-z][a-z0-9_]{1,63}$'),
		pg_catalog.array_agg(DISTINCT a) FILTER (WHERE a NOT IN ('person', 'contributor', 'agent', 'companion'))
	INTO odd_kinds, odd_actors
	FROM (SELECT event_kind AS k, actor_kind AS a FROM pg_temp.lw_events GROUP BY 1, 2) s;

	-- Each legacy table read once more, in one aggregate pass: per problem
	-- the mapping cannot get past, how many rows and the first five legacy
	-- ids.
	FOR r IN
		SELECT 'credit.foray_action_flows' AS tab, x.problem, x.n, x.ids
		FROM (SELECT
				ARRAY[pg_catalog.count(*) FILTER (WHERE c.nulls), pg_catalog.count(*) FILTER (WHERE c.odd_type),
					  pg_catalog.count(*) FILTER (WHERE c.nan_quantity), pg_catalog.count(*) FILTER (WHERE c.bad_rate)] AS n,
				ARRAY[pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.nulls))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.odd_type))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.nan_quantity))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.bad_rate))[1:5], ', ')] AS ids
			  FROM (SELECT f.id::pg_catalog.text AS id,
						f.id IS NULL OR f.transaction_id IS NULL OR f.flow_type IS NULL OR f.asset_id IS NULL
							OR f.from_party IS NULL OR f.to_party IS NULL OR f.quantity IS NULL OR f.created_at IS NULL AS nulls,
						odd_flow_types IS NOT NULL AND f.flow_type = ANY (odd_flow_types) AS odd_type,
						f.quantity = 'NaN' AS nan_quantity,
						f.flow_type = 'consumption' AND f.asset_id NOT LIKE 'loomworks\_%'
							AND CASE coalesce(pg_catalog.jsonb_typeof(f.metadata -> 'rate_per_million'), 'null')
								WHEN 'null' THEN false
								WHEN 'number' THEN f.metadata ->> 'rate_per_million' LIKE '-%'
								WHEN 'string' THEN loomworks_migration.metadata_rate(f.metadata) IS NULL
								ELSE true END AS bad_rate
					FROM pg_temp.lw_flows f) c) a,
			 ROWS FROM (pg_catalog.unnest(ARRAY[
				'a required column is NULL (id, transaction_id, flow_type, asset_id, from_party, to_party, quantity, created_at)',
				'flow_type is not lower_snake_case (it names the action''s component id)',
				'quantity is NaN',
				'metadata rate_per_million is neither a number >= 0 nor a string spelling one']), pg_catalog.unnest(a.n), pg_catalog.unnest(a.ids)) AS x(problem, n, ids)
		WHERE x.n > 0
		UNION ALL
		SELECT 'audit.foray_events', x.problem, x.n, x.ids
		FROM (SELECT
				ARRAY[pg_catalog.count(*) FILTER (WHERE c.nulls), pg_catalog.count(*) FILTER (WHERE c.not_object),
					  pg_catalog.count(*) FILTER (WHERE c.odd_kind)] AS n,
				ARRAY[pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.nulls))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.not_object))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.odd_kind))[1:5], ', ')] AS ids
			  FROM (SELECT a.id::pg_catalog.text AS id,
						a.id IS NULL OR a.tx_id IS NULL OR a.event_type IS NULL OR a.actor_person_id IS NULL
							OR a.payload IS NULL OR a.created_at IS NULL AS nulls,
						pg_catalog.jsonb_typeof(a.payload) <> 'object' AS not_object,
						odd_event_types IS NOT NULL AND a.event_type = ANY (odd_event_types) AS odd_kind
					FROM pg_temp.lw_audit a) c) a,
			 ROWS FROM (pg_catalog.unnest(ARRAY[
				'a required column is NULL (id, tx_id, event_type, actor_person_id, payload, created_at)',
				'payload is not a JSON object',
				'event_type is not lower_snake_case (event kinds are registered in foray.event_kinds, ^[a-z][a-z0-9_]{1,63}$)']), pg_catalog.unnest(a.n), pg_catalog.unnest(a.ids)) AS x(problem, n, ids)
		WHERE x.n > 0
		UNION ALL
		SELECT 'public.memory_events', x.problem, x.n, x.ids
		FROM (SELECT
				ARRAY[pg_catalog.count(*) FILTER (WHERE c.nulls), pg_catalog.count(*) FILTER (WHERE c.not_object),
					  pg_catalog.count(*) FILTER (WHERE c.odd_kind), pg_catalog.count(*) FILTER (WHERE c.odd_actor),
					  pg_catalog.count(*) FILTER (WHERE c.att_not_object), pg_catalog.count(*) FILTER (WHERE c.bad_credential),
					  pg_catalog.count(*) FILTER (WHERE c.bad_verified_at)] AS n,
				ARRAY[pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.nulls))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.not_object))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(pg_catalog.format('%s (row %s)', c.kind, c.id) ORDER BY c.id) FILTER (WHERE c.odd_kind))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(pg_catalog.format('%s (row %s)', c.actor, c.id) ORDER BY c.id) FILTER (WHERE c.odd_actor))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.att_not_object))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.bad_credential))[1:5], ', '),
					  pg_catalog.array_to_string((pg_catalog.array_agg(c.id ORDER BY c.id) FILTER (WHERE c.bad_verified_at))[1:5], ', ')] AS ids
			  FROM (SELECT m.id::pg_catalog.text AS id,
						m.event_kind AS kind, m.actor_kind AS actor,
						m.id IS NULL OR m.engagement_id IS NULL OR m.object_id IS NULL OR m.object_type IS NULL
							OR m.object_version IS NULL OR m.event_kind IS NULL OR m.actor_kind IS NULL
							OR m.actor_id IS NULL OR m.payload IS NULL OR m."timestamp" IS NULL AS nulls,
						pg_catalog.jsonb_typeof(m.payload) <> 'object' AS not_object,
						odd_kinds IS NOT NULL AND m.event_kind = ANY (odd_kinds) AS odd_kind,
						odd_actors IS NOT NULL AND m.actor_kind = ANY (odd_actors) AS odd_actor,
						m.attestation IS NOT NULL AND pg_catalog.jsonb_typeof(m.attestation) <> 'object' AS att_not_object,
						m.attestation IS NOT NULL AND pg_catalog.jsonb_typeof(m.attestation) = 'object'
							AND NOT coalesce(loomworks_migration.is_b64url(loomworks_migration.metadata_string(m.attestation, 'credential_id')), false)
							AS bad_credential,
						m.attestation IS NOT NULL
							AND (pg_catalog.jsonb_typeof(m.attestation -> 'verified_at') NOT IN ('string', 'null')
								 OR NOT foray.is_document_timestamp(loomworks_migration.metadata_string(m.attestation, 'verified_at')))
							AS bad_verified_at
					FROM pg_temp.lw_events m) c) a,
			 ROWS FROM (pg_catalog.unnest(ARRAY[
				'a required column is NULL (id, engagement_id, object_id, object_type, object_version, event_kind, actor_kind, actor_id, payload, timestamp)',
				'payload is not a JSON object',
				'event_kind value(s) not lower_snake_case (event kinds are registered in foray.event_kinds, ^[a-z][a-z0-9_]{1,63}$)',
				'actor_kind value(s) with no substrate actor kind (person, contributor, agent, companion)',
				'attestation is not a JSON object',
				'attestation credential_id is missing or not base64url',
				'attestation verified_at is not an ISO-8601 string']), pg_catalog.unnest(a.n), pg_catalog.unnest(a.ids)) AS x(problem, n, ids)
		WHERE x.n > 0
		UNION ALL
		SELECT pg_catalog.current_setting('loomworks_migration.rates_table'), x.problem, pg_catalog.count(*),
			pg_catalog.string_agg(x.id, ', ') FILTER (WHERE x.k <= 5)
		FROM (SELECT p.problem, pg_catalog.format('(%s, %s, %s)', q.credit_asset, q.token_asset, q.effective_at) AS id,
				 pg_catalog.row_number() OVER (PARTITION BY p.problem ORDER BY q.credit_asset, q.token_asset, q.effective_at) AS k
			  FROM (SELECT q.*, pg_catalog.count(*) OVER (PARTITION BY q.credit_asset, q.token_asset, q.effective_at) AS same
					FROM pg_temp.lw_rates q) q, LATERAL (VALUES
				('a rate row has a NULL credit asset, token asset, rate or effective_at',
				 q.credit_asset IS NULL OR q.token_asset IS NULL OR q.rate IS NULL OR q.effective_at IS NULL),
				('a rate is negative or NaN', q.rate < 0 OR q.rate = 'NaN'),
				('two rates for the same pair take effect at the same time', q.same > 1)) p(problem, hit)
			  WHERE p.hit) x
		GROUP BY x.problem
		ORDER BY 1, 2
	LOOP
		problems := problems || pg_catalog.format('%s: %s: %s row(s), e.g. %s', r.tab, r.problem, r.n, r.ids);
	END LOOP;
	-- (credentials' ids are checked in the attested rows themselves; the
	-- verified_at texts that have the shape of ISO-8601 must also parse, as
	-- the attestation's generated attestation_date does)
	FOR r IN
		SELECT m.id, m.attestation ->> 'verified_at' AS v FROM pg_temp.lw_events m
		WHERE pg_catalog.jsonb_typeof(m.attestation -> 'verified_at') = 'string'
		  AND foray.is_document_timestamp(m.attestation ->> 'verified_at')
		ORDER BY m.id
	LOOP
		BEGIN
			PERFORM foray.iso_timestamptz(r.v);
		EXCEPTION WHEN SQLSTATE '22R03' THEN
			problems := problems || pg_catalog.format('public.memory_events: attestation verified_at %L is not a date-time: row %s', r.v, r.id);
		END;
	END LOOP;
	RAISE NOTICE 'legacy values checked (% s)', pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);
	IF pg_catalog.cardinality(problems) > 0 THEN
		RAISE EXCEPTION USING
			MESSAGE = pg_catalog.format('legacy values the substrate cannot hold: %s%s', problems[1],
				CASE WHEN pg_catalog.cardinality(problems) > 1
					 THEN pg_catalog.format(' (and %s more)', pg_catalog.cardinality(problems) - 1) ELSE '' END),
				  ERRCODE = '22R42',
				  DETAIL = 'Rule MIG-003: ' || pg_catalog.array_to_string(problems, E'\n'),
				  HINT = 'Nothing was written.  Correct or remove those legacy rows (docs/migration.md, "When a run stops or fails") and run the migration again.';
	END IF;
END
$chk$;

-- ------------------------------------------------------------------------
-- Step 1: credit.foray_action_flows
-- ------------------------------------------------------------------------
DO $flows$
DECLARE
	t0 pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	every bigint := pg_catalog.current_setting('loomworks_migration.progress_every')::bigint;
	total bigint;
	n bigint;
	k bigint;
	lo bigint;
	chunk bigint;
	todo bigint;
	analyzed boolean := false;
	ntx bigint;
	problems pg_catalog.text[];
	tx_list pg_catalog.text;
BEGIN
	SELECT pg_catalog.count(*) INTO total FROM pg_temp.lw_flows;
	RAISE NOTICE 'credit.foray_action_flows: % legacy rows', total;

	-- What is still to do is decided before anything is written, against
	-- planner statistics that know what is already there: an anti-join
	-- against the table being inserted into would rescan it for every row.
	ANALYZE foray.foray_transactions;
	ANALYZE foray.foray_components;

	-- One FORAY transaction per legacy transaction_id.  (Its rows share one
	-- flow_type when the least equals the greatest: one hash aggregation,
	-- where count(DISTINCT ...) sorted the million rows, 1.6 s against 0.5.)
	CREATE TEMP TABLE lw_tx_all ON COMMIT DROP AS
	SELECT f.transaction_id, pg_catalog.min(f.created_at) AS created_at,
		CASE WHEN pg_catalog.min(f.flow_type) = pg_catalog.max(f.flow_type) THEN pg_catalog.min(f.flow_type) ELSE 'mixed' END AS flow_type
	FROM pg_temp.lw_flows f
	GROUP BY f.transaction_id;
	CREATE TEMP TABLE lw_tx_o ON COMMIT DROP AS
	SELECT d.*, pg_catalog.row_number() OVER (ORDER BY d.created_at, d.transaction_id) AS rn
	FROM lw_tx_all d
	WHERE NOT EXISTS (SELECT 1 FROM foray.foray_transactions t WHERE t.transaction_id = 'LW_CREDIT_' || d.transaction_id);
	CREATE INDEX ON lw_tx_o (rn);
	ANALYZE lw_tx_o;

	-- Each distinct ledger party typed once (loomworks_migration.party),
	-- rather than twice per row.
	CREATE TEMP TABLE lw_parties ON COMMIT DROP AS
	SELECT p AS party, loomworks_migration.party(p) ->> 'kind' AS kind
	FROM (SELECT from_party FROM pg_temp.lw_flows UNION SELECT to_party FROM pg_temp.lw_flows) s(p);
	ALTER TABLE lw_parties ADD PRIMARY KEY (party);
	ANALYZE lw_parties;

	-- Provider-token rows of a consumption turn are accruals (how the charge
	-- is computed), everything else actions; an action of a consumption turn
	-- references every accrual of its turn.  One pass, in the order of
	-- writing: transaction by transaction, accruals first, so each action
	-- finds its accruals ready on insert, written just before it in the same
	-- statement (the substrate answers that lookup without an index probe).
	-- The window's frame runs over the whole turn, in (created_at, id) order
	-- among its accruals.  An accrual's currency is the asset of its turn's
	-- credit debit (the turn's one non-token asset), else its metadata's
	-- credit_asset, else credit_asset_id; its rate the metadata's
	-- rate_per_million, else the rate table's rate for (currency, token
	-- asset) in effect at the row's created_at (docs/migration.md, "Rates
	-- and currency of a token accrual").  Each component's foray_core is
	-- then built by foray.loomworks_flow_core (C, one pass) from the row,
	-- the kinds of its two parties, its ISO time, rate and currency.
	CREATE TEMP TABLE lw_flows_o ON COMMIT DROP AS
	SELECT l.*, pg_catalog.row_number() OVER () AS rn
	FROM (SELECT w.*, pf.kind AS from_kind, pt.kind AS to_kind,
				 loomworks_migration.iso(w.created_at) AS created_iso,
				 w.rate_meta AS rate,
				 CASE WHEN w.rate_meta IS NOT NULL THEN 'metadata' END AS rate_source
		  FROM (SELECT v.*,
					CASE WHEN v.is_acc THEN coalesce(
						CASE WHEN v.debit_lo = v.debit_hi THEN v.debit_lo END,
						loomworks_migration.metadata_string(v.metadata, 'credit_asset'),
						loomworks_migration.metadata_string(v.metadata, 'credit_asset_id')) END AS currency,
					CASE WHEN v.is_acc THEN loomworks_migration.metadata_rate(v.metadata) END AS rate_meta
				FROM (SELECT f.*, x.tx, x.is_acc, x.cid,
						CASE WHEN x.is_acc THEN 'ACC' ELSE 'ACT' END AS ctype,
						pg_catalog.array_agg(x.cid) FILTER (WHERE x.is_acc) OVER turn AS acc_refs,
						pg_catalog.min(f.asset_id) FILTER (WHERE f.flow_type = 'consumption' AND NOT x.is_acc) OVER turn AS debit_lo,
						pg_catalog.max(f.asset_id) FILTER (WHERE f.flow_type = 'consumption' AND NOT x.is_acc) OVER turn AS debit_hi
					  FROM pg_temp.lw_flows f,
						   LATERAL (SELECT 'LW_CREDIT_' || f.transaction_id AS tx, k.is_acc,
									   CASE WHEN k.is_acc THEN 'ACC_TOKENS_' ELSE 'ACT_' || pg_catalog.upper(f.flow_type) || '_' END
									   || pg_catalog.replace(f.id::pg_catalog.text, '-', '') AS cid
									FROM (SELECT f.flow_type = 'consumption'
												 AND f.asset_id NOT LIKE 'loomworks\_%' AS is_acc) k) x
					  WINDOW turn AS (PARTITION BY f.transaction_id ORDER BY x.is_acc DESC, f.created_at, f.id
									  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) v) w
		  JOIN lw_parties pf ON pf.party = w.from_party
		  JOIN lw_parties pt ON pt.party = w.to_party
		  WHERE NOT EXISTS (SELECT 1 FROM foray.foray_components c
							WHERE c.transaction_id = w.tx AND c.component_id = w.cid)
		  ORDER BY w.transaction_id, w.is_acc DESC, w.created_at, w.id) l;
	-- the rate table, for the accruals whose metadata has no rate: the rate
	-- for (currency, token asset) in effect at the row's created_at
	UPDATE lw_flows_o l SET rate = r.rate, rate_source = 'rate_table'
	FROM (SELECT o.rn, (SELECT r.rate FROM pg_temp.lw_rates r
						WHERE r.credit_asset = o.currency AND r.token_asset = o.asset_id
						  AND r.effective_at <= o.created_at
						  AND (r.superseded_at IS NULL OR r.superseded_at > o.created_at)
						ORDER BY r.effective_at DESC LIMIT 1) AS rate
		  FROM lw_flows_o o WHERE o.is_acc AND o.rate IS NULL) r
	WHERE l.rn = r.rn AND r.rate IS NOT NULL;
	CREATE INDEX ON lw_flows_o (rn);
	ANALYZE lw_flows_o;

	-- Late rows of a transaction migrated by an earlier run join it as
	-- further components, unless that would rewrite what was migrated: the
	-- transaction is anchored or sealed, its type (the legacy rows' one
	-- flow_type, or mixed) would change, or a new accrual would be missing
	-- from the accrual_refs of its migrated credit debit.
	SELECT pg_catalog.array_agg(pg_catalog.format('%s (legacy rows %s): %s', s.tx, s.ids, s.why) ORDER BY s.tx),
		pg_catalog.string_agg(pg_catalog.quote_literal(s.tx), ', ' ORDER BY s.tx) FILTER (WHERE s.deletable)
	INTO problems, tx_list
	FROM (SELECT l.tx, pg_catalog.string_agg(l.id::pg_catalog.text, ', ' ORDER BY l.id) AS ids,
			 CASE WHEN t.lifecycle IN ('anchored', 'sealed') THEN 'it is ' || t.lifecycle || ' and cannot change'
				  WHEN t.foray_core ->> 'transaction_type' <> 'loomworks_credit_' || a.flow_type
					THEN pg_catalog.format('its type would become loomworks_credit_%s', a.flow_type)
				  WHEN pg_catalog.bool_or(l.is_acc) AND EXISTS (
						SELECT 1 FROM foray.foray_components c
						WHERE c.transaction_id = l.tx AND c.component_type = 'ACT'
						  AND c.foray_core -> 'flow' ->> 'flow_type' = 'consumption')
					THEN 'its migrated credit debit would not reference the new accrual(s)' END AS why,
			 t.lifecycle NOT IN ('anchored', 'sealed') AS deletable
		  FROM lw_flows_o l
		  JOIN foray.foray_transactions t ON t.transaction_id = l.tx
		  JOIN lw_tx_all a ON a.transaction_id = l.transaction_id
		  GROUP BY l.tx, t.lifecycle, t.foray_core, a.flow_type) s
	WHERE s.why IS NOT NULL;
	IF pg_catalog.cardinality(problems) > 0 THEN
		RAISE EXCEPTION USING
			MESSAGE = pg_catalog.format('legacy rows arrived in %s transaction(s) migrated earlier and cannot join them: %s%s',
				pg_catalog.cardinality(problems), problems[1],
				CASE WHEN pg_catalog.cardinality(problems) > 1
					 THEN pg_catalog.format(' (and %s more)', pg_catalog.cardinality(problems) - 1) ELSE '' END),
				  ERRCODE = '22R43',
				  DETAIL = 'Rule MIG-005: the migration never rewrites a migrated transaction.' || E'\n'
					|| pg_catalog.array_to_string(problems, E'\n'),
				  HINT = CASE WHEN tx_list IS NOT NULL THEN pg_catalog.format(
					'Nothing was written.  To migrate such a legacy transaction whole, delete what was migrated of it while it is not anchored (DELETE FROM foray.foray_transactions WHERE transaction_id IN (%s);) and run the migration again.  An anchored transaction cannot take rows: docs/migration.md, "While the application writes".', tx_list)
					ELSE 'Nothing was written.  An anchored transaction cannot take rows: docs/migration.md, "While the application writes".' END;
	END IF;

	-- In chunks, with fresh planner statistics after the first: the
	-- substrate evaluates the lifecycle of every touched transaction at
	-- statement end with cached plans, which against statistics of an empty
	-- table scan it once per transaction.
	ntx := 0;
	lo := 0;
	chunk := least(every, 2000);
	todo := (SELECT pg_catalog.count(*) FROM lw_tx_o);
	WHILE lo < todo LOOP
		INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core,
			source_ref, created_at)
		SELECT 'LW_CREDIT_' || d.transaction_id,
			loomworks_migration.iso(d.created_at),
			pg_catalog.jsonb_build_object(
				'entity', 'Loomworks',
				'entity_hash', loomworks_migration.sha256_ref('loomworks'),
				'transaction_type', 'loomworks_credit_' || d.flow_type,
				'status', 'completed'),
			'credit.foray_action_flows.transaction_id:' || d.transaction_id,
			d.created_at
		FROM lw_tx_o d
		WHERE d.rn > lo AND d.rn <= lo + chunk
		ORDER BY d.rn;
		GET DIAGNOSTICS k = ROW_COUNT;
		ntx := ntx + k;
		lo := lo + chunk;
		IF NOT analyzed THEN
			ANALYZE foray.foray_transactions;
			analyzed := true;
			chunk := every;
		END IF;
	END LOOP;
	analyzed := false;
	PERFORM pg_temp.lw_wrote(ntx);
	RAISE NOTICE 'credit.foray_action_flows: % transactions created (% s)', ntx,
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);

	-- The components are written with full pages.  foray_components keeps
	-- half of each page free (fillfactor 50) for the readiness update a
	-- component typically gets in the SQL transaction that writes it; written
	-- in dependency order, as here, no migrated component is updated at all,
	-- and the free half would double the heap that the rest of the run and
	-- every later scan reads.  The table's own setting is restored before
	-- the reconciliation, in this same transaction, once no deferred trigger
	-- event is pending on the table (ALTER TABLE ... SET takes a SHARE
	-- UPDATE EXCLUSIVE lock, which blocks no reader or writer of rows).
	PERFORM pg_catalog.set_config('loomworks_migration.components_fillfactor',
		coalesce((SELECT o.option_value FROM pg_catalog.pg_class c, pg_catalog.pg_options_to_table(c.reloptions) o
				  WHERE c.oid = 'foray.foray_components'::pg_catalog.regclass AND o.option_name = 'fillfactor'), ''), true);
	ALTER TABLE foray.foray_components SET (fillfactor = 100);

	-- In chunks: a progress NOTICE per chunk, and fresh planner statistics
	-- after the first one (the substrate's cached lifecycle lookups are
	-- planned from them; planned against an empty table they scan it).
	n := 0;
	lo := 0;
	chunk := least(every, 2000);
	todo := (SELECT pg_catalog.count(*) FROM lw_flows_o);
	WHILE lo < todo LOOP
		INSERT INTO foray.foray_components (transaction_id, component_id, component_type,
			foray_core, audit_data, source_ref, created_at)
		SELECT l.tx, l.cid, l.ctype,
			foray.loomworks_flow_core(l.ctype, l.flow_type, l.asset_id, l.quantity,
				l.from_party, l.from_kind, l.to_party, l.to_kind, l.created_iso, l.metadata, l.acc_refs,
				l.rate, l.rate_source, l.currency),
			pg_catalog.jsonb_build_object('legacy_metadata', l.metadata),
			'credit.foray_action_flows:' || l.id,
			l.created_at
		FROM lw_flows_o l
		WHERE l.rn > lo AND l.rn <= lo + chunk;
		GET DIAGNOSTICS k = ROW_COUNT;
		n := n + k;
		lo := lo + chunk;
		IF NOT analyzed THEN
			ANALYZE foray.foray_components;
			ANALYZE foray.foray_transactions;
			analyzed := true;
			chunk := every;
		END IF;
		PERFORM loomworks_migration.progress('credit.foray_action_flows', n, total, t0);
	END LOOP;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'credit.foray_action_flows: % components created (% s)', n,
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);
END
$flows$;

-- ------------------------------------------------------------------------
-- Step 2: event kinds, then audit.foray_events as narrative memory events
-- ------------------------------------------------------------------------
DO $kinds$
DECLARE
	k record;
BEGIN
	FOR k IN
		SELECT kind FROM (SELECT DISTINCT event_kind AS kind FROM pg_temp.lw_events
						  UNION SELECT DISTINCT event_type FROM pg_temp.lw_audit) s
		WHERE NOT EXISTS (SELECT 1 FROM foray.event_kinds e WHERE e.event_kind = s.kind)
		ORDER BY kind
	LOOP
		PERFORM foray.register_event_kind(k.kind, 'Loomworks engine event kind (registered by the Loomworks migration).');
	END LOOP;
END
$kinds$;

DO $audit$
DECLARE
	t0 pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	every bigint := pg_catalog.current_setting('loomworks_migration.progress_every')::bigint;
	total bigint;
	n bigint;
BEGIN
	SELECT pg_catalog.count(*) INTO total FROM pg_temp.lw_audit;
	RAISE NOTICE 'audit.foray_events: % legacy rows', total;

	ANALYZE foray.memory_events;
	CREATE TEMP TABLE lw_done_audit ON COMMIT DROP AS
	SELECT source_ref, object_id, object_version FROM foray.memory_events WHERE source_ref LIKE 'audit.foray\_events:%';
	ANALYZE lw_done_audit;

	-- A setting_change is a version of the person's setting: object
	-- (person, setting_key), on the administrative engagement (where
	-- Loomworks puts non-engagement actions), outside the engagement's own
	-- version chain (engagement_version NULL).  Versions continue each
	-- object's chain: the rows not migrated yet, in (created_at, id) order,
	-- after the highest version an earlier run wrote -- so a late row (one
	-- created before changes already migrated) takes the next version, and
	-- occurred_at keeps its time.
	INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id,
		object_id, object_type, object_version, engagement_version, actor_kind, actor_id,
		payload, occurred_at, source_ref)
	SELECT a.event_type, 'MEMORY_OBJECT', a.object_id::pg_catalog.text,
		'00000000-0000-0000-0000-000000000001'::pg_catalog.uuid, a.object_id, 'PersonSetting',
		coalesce(b.v, 0) + a.version, NULL,
		'person', a.actor_person_id::pg_catalog.text,
		a.payload || pg_catalog.jsonb_build_object('legacy_tx_id', a.tx_id),
		a.created_at, 'audit.foray_events:' || a.id
	FROM (SELECT e.*, pg_catalog.row_number() OVER (ORDER BY e.created_at, e.id) AS rn,
				 pg_catalog.row_number() OVER (PARTITION BY e.object_id ORDER BY e.created_at, e.id)::pg_catalog.int4 AS version
		  FROM (SELECT e.*,
					pg_catalog.md5('loomworks:person_setting:' || e.actor_person_id || ':' ||
						coalesce(e.payload ->> 'setting_key', ''))::pg_catalog.uuid AS object_id
				FROM pg_temp.lw_audit e
				WHERE NOT EXISTS (SELECT 1 FROM lw_done_audit d WHERE d.source_ref = 'audit.foray_events:' || e.id)) e) a
	LEFT JOIN (SELECT object_id, pg_catalog.max(object_version) AS v FROM lw_done_audit GROUP BY object_id) b
		ON b.object_id = a.object_id
	WHERE a.rn % every <> 0 OR loomworks_migration.progress('audit.foray_events', a.rn, total, t0)
	ORDER BY a.created_at, a.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'audit.foray_events: % narrative events written (% s)', n,
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);
END
$audit$;

-- ------------------------------------------------------------------------
-- Step 3: public.memory_events, in legacy order, without the readiness
-- wiring; attested events also become a FORAY approval attestation.
-- ------------------------------------------------------------------------
DO $events$
DECLARE
	t0 pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	every bigint := pg_catalog.current_setting('loomworks_migration.progress_every')::bigint;
	total bigint;
	n bigint;
	first_id bigint;
	last_id bigint;
BEGIN
	SELECT pg_catalog.count(*) INTO total FROM pg_temp.lw_events;
	RAISE NOTICE 'public.memory_events: % legacy rows', total;

	CREATE TEMP TABLE lw_done_events ON COMMIT DROP AS
	SELECT source_ref FROM foray.memory_events WHERE source_ref LIKE 'public.memory\_events:%';
	ANALYZE lw_done_events;

	-- The events not migrated yet, in legacy id order, after everything
	-- already in the log: one batch per run (loomworks_migration.event_batches).
	WITH ins AS (
		INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id,
			object_id, object_type, object_version, engagement_version, actor_kind, actor_id,
			payload, occurred_at, source_ref)
		SELECT m.event_kind, 'MEMORY_OBJECT', m.object_id::pg_catalog.text, m.engagement_id,
			m.object_id, m.object_type, m.object_version, m.engagement_version,
			m.actor_kind, m.actor_id::pg_catalog.text, m.payload - '_foray', m."timestamp",
			'public.memory_events:' || m.id
		FROM (SELECT m.*, pg_catalog.row_number() OVER (ORDER BY m.id) AS rn
			  FROM pg_temp.lw_events m
			  WHERE NOT EXISTS (SELECT 1 FROM lw_done_events d WHERE d.source_ref = 'public.memory_events:' || m.id)) m
		WHERE m.rn % every <> 0 OR loomworks_migration.progress('public.memory_events', m.rn, total, t0)
		ORDER BY m.id
		RETURNING event_id)
	SELECT pg_catalog.count(*), pg_catalog.min(event_id), pg_catalog.max(event_id) INTO n, first_id, last_id FROM ins;
	IF n > 0 THEN
		INSERT INTO loomworks_migration.event_batches (first_event_id, last_event_id, legacy_rows)
		VALUES (first_id, last_id, n);
	END IF;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'public.memory_events: % engine events written (% s)', n,
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);

	-- Legacy content_hash, recomputed the way Loomworks computed it, the
	-- copy in the payload's _foray block compared with the column, and
	-- foray_tx_ref (reserved by Loomworks, never written: any value found is
	-- kept, the substrate's event has no place for it); one scan of the
	-- legacy log, keeping only the rows with something to record.
	WITH h AS MATERIALIZED (
		SELECT x.*, x.content_hash IS NULL AS missing, x.content_hash <> x.recomputed AS wrong,
			x.has_block_hash AND x.block_hash IS DISTINCT FROM x.content_hash AS block_differs
		FROM (SELECT m.id, m.content_hash, m.foray_tx_ref, m.payload -> '_foray' ->> 'content_hash' AS block_hash,
				m.payload -> '_foray' ? 'content_hash' AS has_block_hash, foray.loomworks_content_hash(m.payload) AS recomputed
			  FROM pg_temp.lw_events m) x
		WHERE x.content_hash IS NULL OR x.content_hash <> x.recomputed
		   OR (x.has_block_hash AND x.block_hash IS DISTINCT FROM x.content_hash) OR x.foray_tx_ref IS NOT NULL),
	refs AS (
		INSERT INTO loomworks_migration.foray_tx_refs (legacy_id, foray_tx_ref, source_ref)
		SELECT h.id, h.foray_tx_ref, 'public.memory_events:' || h.id FROM h WHERE h.foray_tx_ref IS NOT NULL
		ON CONFLICT (legacy_id) DO NOTHING
		RETURNING 1),
	findings AS (
		INSERT INTO loomworks_migration.content_hash_findings (legacy_id, finding, stored_hash, foray_block_hash, recomputed_hash)
		SELECT h.id, f.finding, h.content_hash, h.block_hash, h.recomputed
		FROM h, LATERAL (VALUES ('missing', h.missing), ('wrong', h.wrong), ('foray_block_differs', h.block_differs)) f(finding, hit)
		WHERE f.hit
		ON CONFLICT (legacy_id, finding) DO NOTHING
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM refs) + (SELECT pg_catalog.count(*) FROM findings) INTO n;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'public.memory_events: content_hash recomputed, % new finding(s) and foray_tx_ref value(s) kept (% s)', n,
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);

	-- WebAuthn attestation -> transaction LW_EVENT_<id>: the action that
	-- was approved, and the person's approval of it.
	ANALYZE foray.foray_transactions;
	CREATE TEMP TABLE lw_attested ON COMMIT DROP AS
	SELECT m.id, m.engagement_id, m.engagement_version, m.object_id, m.object_type,
		m.object_version, m.event_kind, m.actor_kind, m.actor_id, m."timestamp", m.attestation,
		'LW_EVENT_' || m.id AS tx,
		'ACT_' || pg_catalog.upper(m.event_kind) AS act_id,
		w.person_id AS credential_person,
		loomworks_migration.metadata_string(m.attestation, 'verified_at') AS verified_at
	FROM pg_temp.lw_events m
	LEFT JOIN pg_temp.lw_creds w
		ON w.credential_id = loomworks_migration.b64url_decode(m.attestation ->> 'credential_id')
	WHERE pg_catalog.jsonb_typeof(m.attestation) = 'object'
	  AND NOT EXISTS (SELECT 1 FROM foray.foray_transactions t WHERE t.transaction_id = 'LW_EVENT_' || m.id);

	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, source_ref, created_at)
	SELECT a.tx, loomworks_migration.iso(a."timestamp"),
		pg_catalog.jsonb_build_object('entity', 'Loomworks', 'entity_hash', loomworks_migration.sha256_ref('loomworks'),
			'transaction_type', 'loomworks_' || a.event_kind, 'status', 'completed'),
		'public.memory_events:' || a.id || '#attestation', a."timestamp"
	FROM lw_attested a ORDER BY a.id;

	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core,
		source_ref, created_at)
	SELECT a.tx, a.act_id, 'ACT',
		pg_catalog.jsonb_build_object(
			'type', a.event_kind,
			'description', a.event_kind || ' of engagement ' || a.engagement_id
				|| ' at engagement version ' || a.engagement_version,
			'engagement_id', a.engagement_id,
			'engagement_version', a.engagement_version,
			'object_id', a.object_id,
			'object_type', a.object_type,
			'object_version', a.object_version,
			'event_source_ref', 'public.memory_events:' || a.id,
			'actor', pg_catalog.jsonb_build_object('kind', a.actor_kind, 'id', a.actor_id),
			'amount_settled', 0,
			'settlement_date', loomworks_migration.iso(a."timestamp"),
			'settlement_status', 'completed',
			'anticipation_refs', '[]'::pg_catalog.jsonb, 'accrual_refs', '[]'::pg_catalog.jsonb,
			'arrangement_refs', '[]'::pg_catalog.jsonb, 'dependencies', '[]'::pg_catalog.jsonb),
		'public.memory_events:' || a.id || '#attestation', a."timestamp"
	FROM lw_attested a ORDER BY a.id;

	-- The attestor is the person the credential belongs to (the event's
	-- actor when the credential is unknown); the WebAuthn authenticator is
	-- the device that produced the signed evidence, hence attestor_type
	-- oracle (spec §9.3 has no type for a natural person; docs/migration.md).
	-- The attestation is dated by the assertion's verified_at, or, when the
	-- assertion has none, by the event's timestamp (audit_data says which).
	INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core, audit_data,
		source_ref, created_at)
	SELECT a.tx, 'ATT_WEBAUTHN_APPROVAL',
		pg_catalog.jsonb_build_object(
			'attestor', 'person:' || coalesce(a.credential_person, a.actor_id),
			'attestor_hash', loomworks_migration.sha256_ref('loomworks:person:' || coalesce(a.credential_person, a.actor_id)),
			'attestor_type', 'oracle',
			'attestor_credentials', pg_catalog.jsonb_build_array('webauthn:' || (a.attestation ->> 'credential_id')),
			'subject_refs', pg_catalog.jsonb_build_array(a.act_id),
			'attestation_type', 'approval',
			'attestation_date', coalesce(a.verified_at, loomworks_migration.iso(a."timestamp")),
			'outcome', 'approved',
			'evidence_hash', loomworks_migration.sha256_ref(a.attestation::pg_catalog.text),
			'evidence_location', 'audit_data.webauthn_assertion',
			'dependencies', '[]'::pg_catalog.jsonb),
		pg_catalog.jsonb_build_object('webauthn_assertion', a.attestation,
			'credential_person_id', a.credential_person,
			'event_actor', pg_catalog.jsonb_build_object('kind', a.actor_kind, 'id', a.actor_id),
			'attestation_date_source', CASE WHEN a.verified_at IS NULL THEN 'event_timestamp' ELSE 'verified_at' END),
		'public.memory_events:' || a.id || '#attestation', a."timestamp"
	FROM lw_attested a ORDER BY a.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'public.memory_events: % WebAuthn attestations carried over (% s)', n,
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);
END
$events$;

-- Every deferred rule (refs resolve, lifecycle) is checked now, so a dry
-- run fails exactly where the real run would, and the reconciliation sees
-- the final state.
SET CONSTRAINTS ALL IMMEDIATE;
-- foray_components' storage parameters as they were before step 1
DO $ff$
DECLARE
	ff pg_catalog.text := nullif(pg_catalog.current_setting('loomworks_migration.components_fillfactor', true), '');
BEGIN
	IF ff IS NULL THEN
		ALTER TABLE foray.foray_components RESET (fillfactor);
	ELSE
		EXECUTE pg_catalog.format('ALTER TABLE foray.foray_components SET (fillfactor = %s)', ff);
	END IF;
END
$ff$;
-- statistics that know the migrated rows, for the reconciliation's joins
ANALYZE foray.foray_transactions;
ANALYZE foray.foray_components;
ANALYZE foray.foray_attestations;
ANALYZE foray.memory_events;

-- ------------------------------------------------------------------------
-- Step 4: reconciliation
-- ------------------------------------------------------------------------
CREATE TEMP TABLE lw_report (
	ord serial,
	item pg_catalog.text NOT NULL,
	legacy_rows bigint,
	migrated_rows bigint,
	problems bigint NOT NULL,
	fatal boolean NOT NULL,
	note pg_catalog.text,
	done_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
) ON COMMIT DROP;
SELECT pg_catalog.set_config('loomworks_migration.reconciliation_started', pg_catalog.clock_timestamp()::pg_catalog.text, true) IS NOT NULL AS reconciling;

-- Accounting of one legacy set against one destination set, both given as
-- queries yielding a text column "ref" (the legacy key: the text of the
-- legacy id, or what a destination's source_ref names after its prefix; a
-- source_ref that does not spell a legacy id exactly matches none): sizes,
-- legacy keys with no destination, destination rows with no legacy row,
-- keys written more than once.  One grouping pass over both sets.
CREATE FUNCTION pg_temp.lw_account(item pg_catalog.text, legacy_sql pg_catalog.text, dest_sql pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE plpgsql AS $$
DECLARE
	nl bigint;
	nd bigint;
	missing bigint;
	orphans bigint;
	dups bigint;
BEGIN
	EXECUTE pg_catalog.format($q$
		SELECT coalesce(pg_catalog.sum(nl), 0), coalesce(pg_catalog.sum(nd), 0),
			pg_catalog.count(*) FILTER (WHERE nl > 0 AND nd = 0),
			coalesce(pg_catalog.sum(nd) FILTER (WHERE nl = 0), 0),
			pg_catalog.count(*) FILTER (WHERE nl > 0 AND nd > 1)
		FROM (SELECT ref, pg_catalog.count(*) FILTER (WHERE legacy) AS nl, pg_catalog.count(*) FILTER (WHERE NOT legacy) AS nd
			  FROM (SELECT ref, true AS legacy FROM (%s) l
					UNION ALL
					SELECT ref, false FROM (%s) d) u
			  GROUP BY ref) g
		$q$, legacy_sql, dest_sql)
	INTO nl, nd, missing, orphans, dups;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES (item, nl, nd, missing + orphans + dups, true,
			pg_catalog.format('missing %s, without legacy row %s, duplicated %s', missing, orphans, dups));
END
$$;

-- Below, a destination's legacy key is substr(source_ref, <length of its
-- prefix> + 1): 'credit.foray_action_flows:' 26, '...transaction_id:' 41,
-- 'audit.foray_events:' 19, 'public.memory_events:' 21 ('#attestation',
-- 12 characters, cut from the end).
-- The migrated components, read once: the heap is wide (each row carries
-- its core and audit data) and each further scan of it would cost as much
-- as this one.  What a component's source_ref names after its prefix, and
-- the ledger facts of a flow-derived one.  Everything below that concerns
-- components reads this table, except the shipped view, checked as shipped.
CREATE TEMP TABLE lw_comp ON COMMIT DROP AS
SELECT CASE WHEN c.source_ref LIKE 'credit.foray\_action\_flows:%' THEN 'flow' ELSE 'attestation' END AS src,
	CASE WHEN c.source_ref LIKE 'credit.foray\_action\_flows:%' THEN pg_catalog.substr(c.source_ref, 27)
		 ELSE pg_catalog.left(pg_catalog.substr(c.source_ref, 22), -12) END AS ref,
	x.f ->> 'asset_id' AS asset_id,
	x.f -> 'to_party' ->> 'id' AS to_party,
	x.f -> 'from_party' ->> 'id' AS from_party,
	(x.f ->> 'quantity')::pg_catalog.numeric AS quantity,
	c.foray_core -> 'inputs' ->> 'rate_source' AS rate_source
FROM foray.foray_components c, LATERAL (SELECT c.foray_core -> 'flow' AS f) x
WHERE c.source_ref LIKE 'credit.foray\_action\_flows:%'
   OR c.source_ref LIKE 'public.memory\_events:%#attestation';

DO $rec$
DECLARE
	t0 pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	n bigint;
	n2 bigint;
	nl bigint;
	nd bigint;
	missing bigint;
	orphans bigint;
	dups bigint;
	starts bigint[];
	nref bigint;
	nref_lost bigint;
BEGIN
	PERFORM pg_temp.lw_account('credit.foray_action_flows -> foray_components',
		$$SELECT id::pg_catalog.text AS ref FROM pg_temp.lw_flows$$,
		$$SELECT ref FROM lw_comp WHERE src = 'flow'$$);
	PERFORM pg_temp.lw_account('credit.foray_action_flows.transaction_id -> foray_transactions',
		$$SELECT DISTINCT transaction_id::pg_catalog.text AS ref FROM pg_temp.lw_flows$$,
		$$SELECT pg_catalog.substr(source_ref, 42) AS ref
		  FROM foray.foray_transactions WHERE source_ref LIKE 'credit.foray\_action\_flows.transaction\_id:%'$$);
	PERFORM pg_temp.lw_account('audit.foray_events -> memory_events',
		$$SELECT id::pg_catalog.text AS ref FROM pg_temp.lw_audit$$,
		$$SELECT pg_catalog.substr(source_ref, 20) AS ref
		  FROM foray.memory_events WHERE source_ref LIKE 'audit.foray\_events:%'$$);
	-- (public.memory_events -> memory_events is accounted below, together
	-- with the engine events' content and order, in one join of both logs)
	PERFORM pg_temp.lw_account('public.memory_events.attestation -> foray_transactions',
		$$SELECT id::pg_catalog.text AS ref FROM pg_temp.lw_events WHERE pg_catalog.jsonb_typeof(attestation) = 'object'$$,
		$$SELECT pg_catalog.left(pg_catalog.substr(source_ref, 22), -12) AS ref
		  FROM foray.foray_transactions WHERE source_ref LIKE 'public.memory\_events:%#attestation'$$);
	PERFORM pg_temp.lw_account('public.memory_events.attestation -> foray_components (ACT)',
		$$SELECT id::pg_catalog.text AS ref FROM pg_temp.lw_events WHERE pg_catalog.jsonb_typeof(attestation) = 'object'$$,
		$$SELECT ref FROM lw_comp WHERE src = 'attestation'$$);
	PERFORM pg_temp.lw_account('public.memory_events.attestation -> foray_attestations',
		$$SELECT id::pg_catalog.text AS ref FROM pg_temp.lw_events WHERE pg_catalog.jsonb_typeof(attestation) = 'object'$$,
		$$SELECT pg_catalog.left(pg_catalog.substr(source_ref, 22), -12) AS ref
		  FROM foray.foray_attestations WHERE source_ref LIKE 'public.memory\_events:%#attestation'$$);

	-- quantity sums per (asset, party, direction), each side in one scan;
	-- the legacy side is kept for the legacy balance check below
	CREATE TEMP TABLE lw_legacy_sums ON COMMIT DROP AS
	SELECT asset_id, party, dir, pg_catalog.sum(q) AS q
	FROM (SELECT asset_id, pg_catalog.unnest(ARRAY[to_party, from_party]) AS party, pg_catalog.unnest(ARRAY['in', 'out']) AS dir,
			quantity AS q
		  FROM pg_temp.lw_flows) l
	GROUP BY 1, 2, 3;
	WITH ms AS (
		SELECT asset_id, party, dir, pg_catalog.sum(q) AS q
		FROM (SELECT asset_id, pg_catalog.unnest(ARRAY[to_party, from_party]) AS party, pg_catalog.unnest(ARRAY['in', 'out']) AS dir,
				quantity AS q
			  FROM lw_comp WHERE src = 'flow') m
		GROUP BY 1, 2, 3)
	SELECT (SELECT pg_catalog.count(*) FROM lw_legacy_sums),
		(SELECT pg_catalog.count(*) FROM ((TABLE lw_legacy_sums EXCEPT TABLE ms) UNION ALL (TABLE ms EXCEPT TABLE lw_legacy_sums)) x)
	INTO n, n2;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('quantity sums per (asset, party, direction)', n, n2, true, 'sums that differ');

	-- the legacy balance table against its own ledger (drift is Loomworks',
	-- not the migration's, but the migration cannot reproduce it either):
	-- a party's balance in an asset is what came in minus what went out
	SELECT pg_catalog.count(*) INTO n
	FROM pg_temp.lw_balances b
	FULL JOIN (SELECT party, asset_id, pg_catalog.sum(CASE dir WHEN 'in' THEN q ELSE -q END) AS balance
			   FROM lw_legacy_sums GROUP BY 1, 2) f ON f.party = b.party AND f.asset_id = b.asset_id
	WHERE b.party IS NULL OR f.party IS NULL OR b.balance <> f.balance;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('legacy credit.asset_balances vs legacy ledger', (SELECT pg_catalog.count(*) FROM pg_temp.lw_balances), n, true,
			'legacy balance rows that their own ledger does not produce');

	-- the view is evaluated once: its row count comes from the same join
	-- (both sides are unique on (party, asset_id))
	SELECT pg_catalog.count(*) FILTER (WHERE b.party IS NULL OR v.party IS NULL OR b.balance <> v.balance),
		pg_catalog.count(v.party)
	INTO n, n2
	FROM pg_temp.lw_balances b
	FULL JOIN loomworks_migration.asset_balances v ON v.party = b.party AND v.asset_id = b.asset_id;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES ('credit.asset_balances reproduced by loomworks_migration.asset_balances',
			(SELECT pg_catalog.count(*) FROM pg_temp.lw_balances), n2, n, true, 'balance rows that differ');

	-- Engine events, one full join of the two logs on the legacy id: the
	-- accounting (as lw_account counts it: legacy rows, destination rows,
	-- legacy rows without destination, destination rows without legacy row,
	-- legacy rows written more than once), then content (minus the removed
	-- fields) and order of the matched pairs: within each run's batch
	-- (loomworks_migration.event_batches; events older than the first
	-- recorded batch form one) the substrate order is the legacy id order.
	-- Only (event_id, batch, legacy id, differs) is sorted, once by legacy
	-- id for the repeats, once by batch and event_id for the order.
	starts := ARRAY[0::bigint] || coalesce((SELECT pg_catalog.array_agg(first_event_id ORDER BY first_event_id)
											FROM loomworks_migration.event_batches), '{}');
	SELECT pg_catalog.count(lid) - pg_catalog.count(*) FILTER (WHERE lid = prev_l),
		pg_catalog.count(event_id),
		pg_catalog.count(*) FILTER (WHERE event_id IS NULL),
		pg_catalog.count(*) FILTER (WHERE lid IS NULL),
		pg_catalog.count(*) FILTER (WHERE lid = prev_l AND lid IS DISTINCT FROM prev2_l),
		pg_catalog.count(*) FILTER (WHERE differs),
		pg_catalog.count(*) FILTER (WHERE prev_e >= lid),
		pg_catalog.count(*) FILTER (WHERE txref_legacy AND (lid = prev_l) IS NOT TRUE),
		pg_catalog.count(*) FILTER (WHERE txref_lost AND (lid = prev_l) IS NOT TRUE)
	INTO nl, nd, missing, orphans, dups, n, n2, nref, nref_lost
	FROM (SELECT event_id, lid, differs, txref_legacy, txref_lost,
				 pg_catalog.lag(lid) OVER by_lid AS prev_l, pg_catalog.lag(lid, 2) OVER by_lid AS prev2_l,
				 CASE WHEN event_id IS NOT NULL AND lid IS NOT NULL
					  THEN pg_catalog.lag(lid) OVER (PARTITION BY event_id IS NOT NULL AND lid IS NOT NULL, batch ORDER BY event_id) END AS prev_e
		  FROM (SELECT e.event_id, m.id AS lid, pg_catalog.width_bucket(e.event_id, starts) AS batch,
					m.foray_tx_ref IS NOT NULL AS txref_legacy,
					m.foray_tx_ref IS NOT NULL AND m.foray_tx_ref IS DISTINCT FROM r.foray_tx_ref AS txref_lost,
					CASE WHEN e.event_id IS NOT NULL AND m.id IS NOT NULL THEN
					(e.event_kind, e.subject_kind::pg_catalog.text, e.subject_id, e.engagement_id, e.object_id,
					 e.object_type, e.object_version, e.engagement_version, e.actor_kind::pg_catalog.text, e.actor_id,
					 e.occurred_at, e.payload)
					IS DISTINCT FROM
					(m.event_kind, 'MEMORY_OBJECT', m.object_id::pg_catalog.text, m.engagement_id, m.object_id,
					 m.object_type, m.object_version, m.engagement_version, m.actor_kind,
					 m.actor_id::pg_catalog.text, m."timestamp", m.payload - '_foray') END AS differs
				FROM (SELECT * FROM foray.memory_events
					  WHERE source_ref LIKE 'public.memory\_events:%' AND source_ref NOT LIKE '%#attestation') e
				FULL JOIN pg_temp.lw_events m ON e.source_ref = 'public.memory_events:' || m.id
				LEFT JOIN loomworks_migration.foray_tx_refs r ON r.legacy_id = m.id
				OFFSET 0) j	-- compared before the sorts
		  WINDOW by_lid AS (ORDER BY lid, event_id)) w;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES ('public.memory_events -> memory_events', nl, nd, missing + orphans + dups, true,
			pg_catalog.format('missing %s, without legacy row %s, duplicated %s', missing, orphans, dups));
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('engine events: content carried over', nl, n, true,
			'events whose columns or payload (minus _foray) differ');
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES ('engine events: legacy order kept within each run''s batch', NULL, pg_catalog.cardinality(starts), n2, true,
			'events out of legacy id order within their batch (migrated_rows: batches)');
	SELECT pg_catalog.count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM pg_temp.lw_events m WHERE m.id = r.legacy_id
														 AND m.foray_tx_ref = r.foray_tx_ref)),
		pg_catalog.count(*)
	INTO orphans, nd
	FROM loomworks_migration.foray_tx_refs r;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES ('public.memory_events.foray_tx_ref -> loomworks_migration.foray_tx_refs', nref, nd, nref_lost + orphans, true,
			pg_catalog.format('missing or different %s, without legacy value %s', nref_lost, orphans));

	CREATE TEMP TABLE lw_narrative ON COMMIT DROP AS
	SELECT e.source_ref, e.event_kind, e.actor_kind::pg_catalog.text AS actor_kind, e.actor_id, e.occurred_at, e.payload,
		e.object_id, e.object_version
	FROM foray.memory_events e WHERE e.source_ref LIKE 'audit.foray\_events:%';
	SELECT pg_catalog.count(*) INTO n
	FROM pg_temp.lw_audit a
	JOIN lw_narrative e ON pg_catalog.substr(e.source_ref, 20) = a.id::pg_catalog.text
	WHERE (e.event_kind, e.actor_kind, e.actor_id, e.occurred_at, e.payload - 'legacy_tx_id', e.payload ->> 'legacy_tx_id',
		   e.object_id)
		IS DISTINCT FROM (a.event_type, 'person', a.actor_person_id::pg_catalog.text, a.created_at, a.payload, a.tx_id::pg_catalog.text,
		   pg_catalog.md5('loomworks:person_setting:' || a.actor_person_id || ':' || coalesce(a.payload ->> 'setting_key', ''))::pg_catalog.uuid);
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('narrative events: content carried over', (SELECT pg_catalog.count(*) FROM pg_temp.lw_audit), n, true,
			'setting_change events whose actor, time, payload or setting differ');
	-- each setting's versions are 1, 2, ..., n
	SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE v <> n_v OR lo_v <> 1 OR hi_v <> n_v)
	INTO n, n2
	FROM (SELECT pg_catalog.count(DISTINCT object_version) AS v, pg_catalog.count(*) AS n_v,
			 pg_catalog.min(object_version) AS lo_v, pg_catalog.max(object_version) AS hi_v
		  FROM lw_narrative GROUP BY object_id) s;
	INSERT INTO lw_report (item, migrated_rows, problems, fatal, note)
	VALUES ('narrative events: each setting''s versions run 1..n', n, n2, true, 'settings whose version chain has a gap or a repeat');

	-- reported, not failing
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'legacy content_hash ' || k.finding, (SELECT pg_catalog.count(*) FROM pg_temp.lw_events),
		(SELECT pg_catalog.count(*) FROM loomworks_migration.content_hash_findings f
		 WHERE f.finding = k.finding AND f.legacy_id IN (SELECT id FROM pg_temp.lw_events)), false, k.note
	FROM (VALUES (1, 'missing', 'content_hash NULL (rows from before the column was written); in loomworks_migration.content_hash_findings'),
				 (2, 'wrong', 'content_hash differs from Loomworks'' algorithm over the stored payload; in loomworks_migration.content_hash_findings'),
				 (3, 'foray_block_differs', '_foray.content_hash in the payload differs from the column; in loomworks_migration.content_hash_findings')) k(o, finding, note)
	ORDER BY k.o;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'attestations whose credential is not the actor''s', pg_catalog.count(*),
		pg_catalog.count(*) FILTER (WHERE w.person_id IS DISTINCT FROM m.actor_id), false,
		'credential unknown or registered to another person'
	FROM pg_temp.lw_events m
	LEFT JOIN pg_temp.lw_creds w
		ON w.credential_id = loomworks_migration.b64url_decode(m.attestation ->> 'credential_id')
	WHERE pg_catalog.jsonb_typeof(m.attestation) = 'object';
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'attestations dated by their event''s timestamp (no verified_at)', pg_catalog.count(*),
		pg_catalog.count(*) FILTER (WHERE a.audit_data ->> 'attestation_date_source' = 'event_timestamp'), false,
		'audit_data.attestation_date_source = event_timestamp'
	FROM foray.foray_attestations a WHERE a.source_ref LIKE 'public.memory\_events:%#attestation';
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	SELECT 'token accruals priced from the rate table', NULL,
		pg_catalog.count(*) FILTER (WHERE rate_source = 'rate_table'), 0, false,
		'metadata without a usable rate_per_million; inputs.rate_source = rate_table'
	FROM lw_comp WHERE src = 'flow';

	RAISE NOTICE 'reconciliation: accounting, sums, balances, events done (% s)',
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);
END
$rec$;

-- Every migrated transaction, exported as a FORAY document and validated
-- as of the run's start: foray.loomworks_validate_transaction, the findings
-- of foray.validate_document(foray.export_document(tx)) with each rule's
-- class, without computing the Merkle tree no rule reads.  Structural findings
-- always fail the run; content-rule errors fail it unless they were
-- admitted by an earlier run (recorded CONTENT_RULE_VIOLATION events) or
-- are admitted now (-v admit_content_violations=1:
-- foray.loomworks_admit_content_violations records them as the importer
-- does); warnings are reported.
DO $val$
DECLARE
	t0 pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	admit boolean := pg_catalog.current_setting('loomworks_migration.admit_content_violations')::boolean;
	ntx bigint;
	n bigint;
	r record;
BEGIN
	CREATE TEMP TABLE lw_findings ON COMMIT DROP AS
	SELECT t.transaction_id, v.rule_id, v.severity, v.component_id, v.json_path, v.message, v.classification,
		false AS recorded
	FROM foray.foray_transactions t,
		 LATERAL foray.loomworks_validate_transaction(t.transaction_id, pg_catalog.now()) v
	WHERE t.source_ref LIKE 'credit.foray\_action\_flows.transaction\_id:%'
	   OR t.source_ref LIKE 'public.memory\_events:%#attestation';
	SELECT pg_catalog.count(*) INTO ntx FROM foray.foray_transactions t
	WHERE t.source_ref LIKE 'credit.foray\_action\_flows.transaction\_id:%'
	   OR t.source_ref LIKE 'public.memory\_events:%#attestation';

	IF EXISTS (SELECT 1 FROM lw_findings WHERE severity = 'error' AND classification = 'content') THEN
		UPDATE lw_findings f SET recorded = true
		FROM foray.memory_events e
		WHERE e.event_kind = 'CONTENT_RULE_VIOLATION' AND e.transaction_id = f.transaction_id
		  AND e.subject_id = coalesce(f.component_id, f.transaction_id)
		  AND e.payload ->> 'rule_id' = f.rule_id AND e.payload ->> 'json_path' = f.json_path
		  AND f.severity = 'error' AND f.classification = 'content';
		IF admit AND NOT EXISTS (SELECT 1 FROM lw_findings WHERE severity = 'error' AND classification = 'structural') THEN
			n := 0;
			FOR r IN SELECT DISTINCT transaction_id FROM lw_findings
					 WHERE severity = 'error' AND classification = 'content' AND NOT recorded ORDER BY 1 LOOP
				n := n + foray.loomworks_admit_content_violations(r.transaction_id, pg_catalog.now());
			END LOOP;
			PERFORM pg_temp.lw_wrote(n);
			INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
			SELECT 'content-rule violations admitted by this run', ntx, pg_catalog.count(*), false,
				pg_catalog.format('%s CONTENT_RULE_VIOLATION event(s) written (-v admit_content_violations=1)', n)
			FROM lw_findings WHERE severity = 'error' AND classification = 'content' AND NOT recorded;
			UPDATE lw_findings SET recorded = true WHERE severity = 'error' AND classification = 'content';
		END IF;
	END IF;

	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	SELECT 'migrated transactions validate: structural rules', ntx, ntx,
		pg_catalog.count(*) FILTER (WHERE severity = 'error' AND classification = 'structural'), true,
		'foray.loomworks_validate_transaction(tx): validate_document(export_document(tx)); never admitted'
	FROM lw_findings;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	SELECT 'migrated transactions validate: content rules', ntx, ntx,
		pg_catalog.count(*) FILTER (WHERE severity = 'error' AND classification = 'content' AND NOT recorded), true,
		'not admitted (-v admit_content_violations=1 records them as CONTENT_RULE_VIOLATION events)'
	FROM lw_findings;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'content-rule violations admitted (CONTENT_RULE_VIOLATION events)', ntx,
		pg_catalog.count(*) FILTER (WHERE severity = 'error' AND classification = 'content' AND recorded), false,
		'recorded in foray.memory_events'
	FROM lw_findings;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'validation warnings', ntx, pg_catalog.count(*) FILTER (WHERE severity = 'warning'), false, 'never block'
	FROM lw_findings;
	RAISE NOTICE 'reconciliation: % migrated transactions validated (% s)', ntx,
		pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - t0)::pg_catalog.numeric, 1);
END
$val$;

\echo Loomworks migration: reconciliation report
SELECT item, legacy_rows, migrated_rows, problems,
	CASE WHEN problems = 0 THEN 'ok' WHEN fatal THEN 'FAIL' ELSE 'reported' END AS status, note,
	pg_catalog.round(extract(epoch FROM done_at - pg_catalog.lag(done_at, 1, pg_catalog.current_setting('loomworks_migration.reconciliation_started')::pg_catalog.timestamptz)
		OVER (ORDER BY ord))::pg_catalog.numeric, 1) AS seconds
FROM lw_report ORDER BY ord;

DO $fin$
DECLARE
	failed pg_catalog.text;
	findings pg_catalog.text;
BEGIN
	SELECT pg_catalog.string_agg(item || ' (' || problems || ')', '; ' ORDER BY ord) INTO failed
	FROM lw_report WHERE fatal AND problems > 0;
	IF failed IS NOT NULL THEN
		SELECT pg_catalog.string_agg(pg_catalog.format('%s %s %s%s: %s', f.transaction_id, f.rule_id,
				coalesce(f.component_id || ' ', ''), f.json_path, f.message), E'\n')
		INTO findings
		FROM (SELECT * FROM lw_findings
			  WHERE severity = 'error' AND (classification = 'structural' OR NOT recorded)
			  ORDER BY transaction_id, rule_id, json_path LIMIT 50) f;
		RAISE EXCEPTION 'loomworks migration does not reconcile: %', failed
			USING ERRCODE = '23R40',
				  DETAIL = 'Rule MIG-010: every legacy row is accounted for exactly once, sums and balances are reproduced, engine events keep content and order, every migrated transaction validates.'
					|| coalesce(E'\nTransactions that do not validate (first 50):\n' || findings, ''),
				  HINT = 'Nothing was written.  See the report above; docs/migration.md, "When a run stops or fails", says what to do for each check.';
	END IF;
	IF pg_catalog.current_setting('loomworks_migration.dry_run')::boolean THEN
		RAISE NOTICE 'dry run: everything above reconciles; rolling back, nothing written';
	ELSIF pg_catalog.current_setting('loomworks_migration.written')::bigint = 0 THEN
		RAISE NOTICE 'loomworks migration reconciles; nothing new to migrate';
	ELSE
		INSERT INTO loomworks_migration.runs (started_at, finished_at, report)
		SELECT pg_catalog.now(), pg_catalog.clock_timestamp(), pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r) - 'ord' - 'done_at' ORDER BY r.ord)
		FROM lw_report r;
		RAISE NOTICE 'loomworks migration reconciles; committing';
	END IF;
END
$fin$;

DROP VIEW pg_temp.lw_flows, pg_temp.lw_balances, pg_temp.lw_rates, pg_temp.lw_audit, pg_temp.lw_events, pg_temp.lw_creds;
DROP FUNCTION pg_temp.lw_wrote(bigint), pg_temp.lw_account(pg_catalog.text, pg_catalog.text, pg_catalog.text);
\if :dry_run
ROLLBACK;
\else
COMMIT;
\endif
DROP FUNCTION pg_temp.lw_preconditions(pg_catalog.text, pg_catalog.text, boolean);
DROP VIEW pg_temp.lw_legacy_columns;
