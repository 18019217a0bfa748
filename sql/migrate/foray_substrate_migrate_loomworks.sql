-- foray_substrate_migrate_loomworks.sql
--
-- One-off migration of Loomworks' three legacy FORAY surfaces into the
-- substrate (docs/migration.md has the mapping and the reasoning):
--
--   credit.foray_action_flows  -> foray.foray_transactions + foray.foray_components
--   audit.foray_events         -> foray.memory_events (narrative setting_change)
--   public.memory_events       -> foray.memory_events (engine events, cleaned)
--                                 + one FORAY transaction with an approval
--                                 attestation per WebAuthn-attested event
--
-- Run after CREATE EXTENSION foray_substrate, as a superuser:
--
--   psql -d DB -f foray_substrate_migrate_loomworks.sql               # migrate
--   psql -d DB -v dry_run=1 -f foray_substrate_migrate_loomworks.sql  # report only
--
-- Variables: dry_run (0/1, default 0), progress_every (rows between
-- progress NOTICEs, default 100000), work_mem (for this transaction's sorts
-- and groupings, default 256MB).
--
-- One SQL transaction: on any error, or a reconciliation that does not add
-- up (SQLSTATE 23R40), nothing is written.  Idempotent: each destination row
-- carries source_ref naming its legacy row, and rows already migrated are
-- skipped.  The legacy tables are only read.
--
-- SQLSTATEs: 22R40 precondition (extension or legacy table missing),
-- 22R41 legacy audit event carries a signature, 22R42 legacy value the
-- substrate cannot hold (event kind name, actor), 23R40 reconciliation failed.

\set ON_ERROR_STOP on
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

BEGIN;
-- Room for the staging tables in memory (temp_buffers can only be set
-- before the session's first use of a temporary table; psql -f starts a
-- new session).
DO $tb$
BEGIN
	PERFORM set_config('temp_buffers', '1GB', true);
EXCEPTION WHEN OTHERS THEN
	NULL;	-- the session already used temporary tables: keep its setting
END
$tb$;
-- A pinned, non-empty search_path: nothing below resolves through the
-- caller's path, and an empty one would put the substrate in restore mode.
SET LOCAL search_path = pg_catalog, pg_temp;
-- work_mem: memory for the staging sort and the reconciliation's groupings
-- and joins (millions of keys each), for this transaction only; with the
-- server's default they spill to disk in batches.  Hash tables may take
-- four times as much (hash_mem_multiplier, PostgreSQL's default is 2): the
-- engine events' full join hashes a million events with their payloads,
-- about 550 MB, and split in two batches it costs 0.9 s more.
SELECT set_config('loomworks_migration.dry_run', :'dry_run', true) AS dry_run,
	   set_config('loomworks_migration.progress_every', :'progress_every', true) AS progress_every,
	   set_config('loomworks_migration.written', '0', true) IS NOT NULL AS counting,
	   set_config('work_mem', :'work_mem', true) AS work_mem,
	   set_config('hash_mem_multiplier', '4', true) AS hash_mem_multiplier;

-- ------------------------------------------------------------------------
-- Preconditions
-- ------------------------------------------------------------------------
DO $pre$
DECLARE
	missing text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'foray_substrate') THEN
		RAISE EXCEPTION 'foray_substrate is not installed in this database'
			USING ERRCODE = '22R40',
				  DETAIL = 'Rule MIG-001: the migration writes into the extension''s tables.',
				  HINT = 'Run CREATE EXTENSION foray_substrate first.';
	END IF;
	-- the script calls functions that came with 0.4.0
	IF to_regprocedure('foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[])') IS NULL THEN
		RAISE EXCEPTION 'foray_substrate % is installed; this migration script needs 0.4.0 or later',
			(SELECT extversion FROM pg_extension WHERE extname = 'foray_substrate')
			USING ERRCODE = '22R40',
				  DETAIL = 'Rule MIG-001: the script builds the migrated components with foray.loomworks_flow_core(), new in 0.4.0.',
				  HINT = 'Run ALTER EXTENSION foray_substrate UPDATE first.';
	END IF;
	SELECT string_agg(t, ', ') INTO missing
	FROM unnest(ARRAY['credit.foray_action_flows', 'credit.asset_balances',
					  'audit.foray_events', 'public.memory_events',
					  'public.webauthn_credentials']) AS t
	WHERE to_regclass(t) IS NULL;
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'legacy table(s) % not found', missing
			USING ERRCODE = '22R40',
				  DETAIL = 'Rule MIG-001: the migration reads the three Loomworks FORAY surfaces (inventory §4).';
	END IF;
END
$pre$;

-- ------------------------------------------------------------------------
-- The migration's own schema: report tables and the shipped balance view.
-- ------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS loomworks_migration;
COMMENT ON SCHEMA loomworks_migration IS
	'Created by foray_substrate_migrate_loomworks.sql: migration reports and the view that reproduces credit.asset_balances from the substrate.';

CREATE TABLE IF NOT EXISTS loomworks_migration.runs (
	run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	report jsonb NOT NULL
);
COMMENT ON TABLE loomworks_migration.runs IS 'One row per committed migration run, with its reconciliation report.';

CREATE TABLE IF NOT EXISTS loomworks_migration.content_hash_mismatches (
	legacy_id bigint PRIMARY KEY,
	stored_hash text,
	recomputed_hash text NOT NULL,
	found_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE loomworks_migration.content_hash_mismatches IS
	'Legacy public.memory_events rows whose stored content_hash differs from Loomworks'' own algorithm recomputed over the stored payload (foray.loomworks_content_hash).';

-- Ledger party -> the substrate's one actor convention.
-- (STABLE and not STRICT, like the expressions they wrap, so the planner
-- inlines them: called through the SQL-function executor, once per row,
-- they cost an eighth of the migration.  Parties are never null.)
CREATE OR REPLACE FUNCTION loomworks_migration.party(p text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
RETURN jsonb_build_object(
	'kind', CASE WHEN p ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
			THEN 'person' ELSE 'institution' END,
	'id', p);
COMMENT ON FUNCTION loomworks_migration.party(text) IS
	'A legacy ledger party as the substrate''s typed actor: a UUID string is a person, any other name (dunin7, anthropic) an institution; the id is kept verbatim.';

CREATE OR REPLACE FUNCTION loomworks_migration.iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
COMMENT ON FUNCTION loomworks_migration.iso(timestamptz) IS 'ISO-8601 UTC text of a timestamp, independent of the session time zone.';

CREATE OR REPLACE FUNCTION loomworks_migration.sha256_ref(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 'sha256:' || encode(sha256(convert_to(s, 'UTF8')), 'hex');
COMMENT ON FUNCTION loomworks_migration.sha256_ref(text) IS 'sha256:<hex> of a string''s UTF-8 bytes (entity and attestor identity hashes).';

CREATE OR REPLACE FUNCTION loomworks_migration.b64url_decode(s text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN decode(translate(s, '-_', '+/') || repeat('=', (4 - length(s) % 4) % 4), 'base64');
COMMENT ON FUNCTION loomworks_migration.b64url_decode(text) IS 'Decodes unpadded base64url (WebAuthn credential ids).';

-- Progress: called for every row, prints every progress_every rows.
CREATE OR REPLACE FUNCTION loomworks_migration.progress(step text, n bigint, total bigint, t0 timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	secs float8 := greatest(extract(epoch FROM clock_timestamp() - t0), 0.001);
BEGIN
	RAISE NOTICE '% : % / % rows (% rows/s)', step, n, total, round(n / secs);
	RETURN true;
END
$$;
COMMENT ON FUNCTION loomworks_migration.progress(text, bigint, bigint, timestamptz) IS 'Prints one progress NOTICE (rows done, total, rows/s).';

-- Rows written by this run (a run that writes nothing leaves no trace).
CREATE FUNCTION pg_temp.lw_wrote(n bigint) RETURNS void
LANGUAGE sql VOLATILE
RETURN (SELECT NULL::void FROM (SELECT set_config('loomworks_migration.written',
	(current_setting('loomworks_migration.written')::bigint + n)::text, true)) s);

-- credit.asset_balances, reproduced from the migrated components only.
-- (One scan: each flow yields its two signed deltas through unnest in the
-- select list.  A LATERAL VALUES list measured three times slower, since it
-- compiles its expressions again for every row; two scans under UNION ALL
-- read the components' heap twice.)
CREATE OR REPLACE VIEW loomworks_migration.asset_balances AS
SELECT party, asset_id, sum(delta)::numeric(20, 6) AS balance
FROM (
	SELECT unnest(ARRAY[f -> 'to_party' ->> 'id', f -> 'from_party' ->> 'id']) AS party,
		   f ->> 'asset_id' AS asset_id,
		   unnest(ARRAY[q, -q]) AS delta
	FROM foray.foray_components c,
		 LATERAL (SELECT c.foray_core -> 'flow' AS f) x,
		 LATERAL (SELECT (x.f ->> 'quantity')::numeric AS q) y
	WHERE c.source_ref LIKE 'credit.foray\_action\_flows:%'
) d
GROUP BY party, asset_id;
COMMENT ON VIEW loomworks_migration.asset_balances IS
	'Legacy credit.asset_balances (party, asset_id, balance) recomputed from the migrated ledger components: +quantity to to_party, -quantity from from_party.';

-- ------------------------------------------------------------------------
-- Legacy checks that stop the migration before it writes anything.
-- ------------------------------------------------------------------------
DO $chk$
DECLARE
	n bigint;
	bad text;
	bad_actor text;
BEGIN
	SELECT count(*), string_agg(id::text, ', ' ORDER BY id) FILTER (WHERE true)
	INTO n, bad
	FROM (SELECT id FROM audit.foray_events WHERE signature IS NOT NULL ORDER BY id LIMIT 5) s;
	IF n > 0 THEN
		RAISE EXCEPTION 'legacy audit.foray_events row % carries a signature', split_part(bad, ',', 1)
			USING ERRCODE = '22R41',
				  DETAIL = format('Rule MIG-002: signature was never written by Loomworks; the substrate has no place for it and the migration will not drop it silently (rows: %s).', bad),
				  HINT = 'Investigate where the signatures came from before migrating.';
	END IF;

	-- the legacy event log read once for both of its checks
	WITH k AS (SELECT event_kind, actor_kind FROM public.memory_events GROUP BY 1, 2)
	SELECT (SELECT string_agg(DISTINCT event_kind, ', ') FROM k
			WHERE event_kind !~ '^[a-z][a-z0-9_]{1,63}$'
			  AND NOT EXISTS (SELECT 1 FROM foray.event_kinds e WHERE e.event_kind = k.event_kind)),
		   (SELECT string_agg(DISTINCT actor_kind, ', ') FROM k
			WHERE actor_kind NOT IN ('person', 'contributor', 'agent', 'companion'))
	INTO bad, bad_actor;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'legacy memory_events.event_kind value(s) % are not lower_snake_case', bad
			USING ERRCODE = '22R42',
				  DETAIL = 'Rule MIG-003: engine event kinds are registered in foray.event_kinds, which admits ^[a-z][a-z0-9_]{1,63}$.';
	END IF;

	IF bad_actor IS NOT NULL THEN
		RAISE EXCEPTION 'legacy memory_events.actor_kind value(s) % have no substrate actor kind', bad_actor
			USING ERRCODE = '22R42',
				  DETAIL = 'Rule MIG-004: the substrate''s actor kinds are person, contributor, agent, companion, institution, system.';
	END IF;
END
$chk$;

-- ------------------------------------------------------------------------
-- Step 1: credit.foray_action_flows
-- ------------------------------------------------------------------------
DO $flows$
DECLARE
	t0 timestamptz := clock_timestamp();
	every bigint := current_setting('loomworks_migration.progress_every')::bigint;
	total bigint;
	n bigint;
	k bigint;
	lo bigint;
	chunk bigint;
	todo bigint;
	analyzed boolean := false;
	ntx bigint;
BEGIN
	SELECT count(*) INTO total FROM credit.foray_action_flows;
	RAISE NOTICE 'credit.foray_action_flows: % legacy rows', total;

	-- What is still to do is decided before anything is written, against
	-- planner statistics that know what is already there: an anti-join
	-- against the table being inserted into would rescan it for every row.
	ANALYZE foray.foray_transactions;
	ANALYZE foray.foray_components;

	-- One FORAY transaction per legacy transaction_id.  (Its rows share one
	-- flow_type when the least equals the greatest: one hash aggregation,
	-- where count(DISTINCT ...) sorted the million rows, 1.6 s against 0.5.)
	CREATE TEMP TABLE lw_tx_todo ON COMMIT DROP AS
	SELECT f.transaction_id, min(f.created_at) AS created_at,
		CASE WHEN min(f.flow_type) = max(f.flow_type) THEN min(f.flow_type) ELSE 'mixed' END AS flow_type
	FROM credit.foray_action_flows f
	GROUP BY f.transaction_id;
	DELETE FROM lw_tx_todo d USING foray.foray_transactions t
	WHERE t.transaction_id = 'LW_CREDIT_' || d.transaction_id;

	CREATE TEMP TABLE lw_tx_o ON COMMIT DROP AS
	SELECT d.*, row_number() OVER (ORDER BY d.created_at, d.transaction_id) AS rn FROM lw_tx_todo d;
	CREATE INDEX ON lw_tx_o (rn);
	ANALYZE lw_tx_o;

	-- In chunks, with fresh planner statistics after the first: the
	-- substrate evaluates the lifecycle of every touched transaction at
	-- statement end with cached plans, which against statistics of an empty
	-- table scan it once per transaction.
	ntx := 0;
	lo := 0;
	chunk := least(every, 2000);
	todo := (SELECT count(*) FROM lw_tx_o);
	WHILE lo < todo LOOP
		INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core,
			source_ref, created_at)
		SELECT 'LW_CREDIT_' || d.transaction_id,
			loomworks_migration.iso(d.created_at),
			jsonb_build_object(
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
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);

	-- Each distinct ledger party typed once (loomworks_migration.party),
	-- rather than twice per row.
	CREATE TEMP TABLE lw_parties ON COMMIT DROP AS
	SELECT p AS party, loomworks_migration.party(p) ->> 'kind' AS kind
	FROM (SELECT from_party FROM credit.foray_action_flows
		  UNION SELECT to_party FROM credit.foray_action_flows) s(p);
	ALTER TABLE lw_parties ADD PRIMARY KEY (party);
	ANALYZE lw_parties;

	-- Provider-token rows of a consumption turn are accruals (how the charge
	-- is computed), everything else actions; an action of a consumption turn
	-- references every accrual of its turn.  One pass, in the order of
	-- writing: transaction by transaction, accruals first, so each action
	-- finds its accruals ready on insert, written just before it in the same
	-- statement (the substrate answers that lookup without an index probe).
	-- The window's frame runs over the whole turn, in (created_at, id) order
	-- among its accruals.  Each component's foray_core is then built by
	-- foray.loomworks_flow_core (C, one pass) from the row, the kinds of its
	-- two parties and its ISO time, staged here.
	CREATE TEMP TABLE lw_flows_o ON COMMIT DROP AS
	SELECT l.*, row_number() OVER () AS rn
	FROM (SELECT w.*, pf.kind AS from_kind, pt.kind AS to_kind,
				 loomworks_migration.iso(w.created_at) AS created_iso
		  FROM (SELECT f.*, x.tx, x.is_acc, x.cid,
					CASE WHEN x.is_acc THEN 'ACC' ELSE 'ACT' END AS ctype,
					array_agg(x.cid) FILTER (WHERE x.is_acc) OVER (PARTITION BY f.transaction_id
						ORDER BY x.is_acc DESC, f.created_at, f.id
						ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS acc_refs
				FROM credit.foray_action_flows f,
					 LATERAL (SELECT 'LW_CREDIT_' || f.transaction_id AS tx, k.is_acc,
								 CASE WHEN k.is_acc THEN 'ACC_TOKENS_' ELSE 'ACT_' || upper(f.flow_type) || '_' END
								 || replace(f.id::text, '-', '') AS cid
							  FROM (SELECT f.flow_type = 'consumption'
										   AND f.asset_id NOT LIKE 'loomworks\_%' AS is_acc) k) x) w
		  JOIN lw_parties pf ON pf.party = w.from_party
		  JOIN lw_parties pt ON pt.party = w.to_party
		  WHERE NOT EXISTS (SELECT 1 FROM foray.foray_components c
							WHERE c.transaction_id = w.tx AND c.component_id = w.cid)
		  ORDER BY w.transaction_id, w.is_acc DESC, w.created_at, w.id) l;
	CREATE INDEX ON lw_flows_o (rn);
	ANALYZE lw_flows_o;

	-- The components are written with full pages.  foray_components keeps
	-- half of each page free (fillfactor 50) for the readiness update a
	-- component typically gets in the SQL transaction that writes it; written
	-- in dependency order, as here, no migrated component is updated at all,
	-- and the free half would double the heap that the rest of the run and
	-- every later scan reads.  The table's own setting is restored before
	-- the reconciliation, in this same transaction, once no deferred trigger
	-- event is pending on the table (ALTER TABLE ... SET takes a SHARE
	-- UPDATE EXCLUSIVE lock, which blocks no reader or writer of rows).
	PERFORM set_config('loomworks_migration.components_fillfactor',
		coalesce((SELECT o.option_value FROM pg_class c, pg_options_to_table(c.reloptions) o
				  WHERE c.oid = 'foray.foray_components'::regclass AND o.option_name = 'fillfactor'), ''), true);
	ALTER TABLE foray.foray_components SET (fillfactor = 100);

	-- In chunks: a progress NOTICE per chunk, and fresh planner statistics
	-- after the first one (the substrate's cached lifecycle lookups are
	-- planned from them; planned against an empty table they scan it).
	n := 0;
	lo := 0;
	chunk := least(every, 2000);
	todo := (SELECT count(*) FROM lw_flows_o);
	WHILE lo < todo LOOP
		INSERT INTO foray.foray_components (transaction_id, component_id, component_type,
			foray_core, audit_data, source_ref, created_at)
		SELECT l.tx, l.cid, l.ctype,
			foray.loomworks_flow_core(l.ctype, l.flow_type, l.asset_id, l.quantity,
				l.from_party, l.from_kind, l.to_party, l.to_kind, l.created_iso, l.metadata, l.acc_refs),
			jsonb_build_object('legacy_metadata', l.metadata),
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
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
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
		SELECT kind FROM (SELECT DISTINCT event_kind AS kind FROM public.memory_events
						  UNION SELECT DISTINCT event_type FROM audit.foray_events) s
		WHERE NOT EXISTS (SELECT 1 FROM foray.event_kinds e WHERE e.event_kind = s.kind)
		ORDER BY kind
	LOOP
		PERFORM foray.register_event_kind(k.kind, 'Loomworks engine event kind (registered by the Loomworks migration).');
	END LOOP;
END
$kinds$;

DO $audit$
DECLARE
	t0 timestamptz := clock_timestamp();
	every bigint := current_setting('loomworks_migration.progress_every')::bigint;
	total bigint;
	n bigint;
BEGIN
	SELECT count(*) INTO total FROM audit.foray_events;
	RAISE NOTICE 'audit.foray_events: % legacy rows', total;

	ANALYZE foray.memory_events;
	CREATE TEMP TABLE lw_done_audit ON COMMIT DROP AS
	SELECT source_ref FROM foray.memory_events WHERE source_ref LIKE 'audit.foray\_events:%';
	ANALYZE lw_done_audit;

	-- A setting_change is a version of the person's setting: object
	-- (person, setting_key), versions in time order, on the administrative
	-- engagement (where Loomworks puts non-engagement actions), outside the
	-- engagement's own version chain (engagement_version NULL).
	INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id,
		object_id, object_type, object_version, engagement_version, actor_kind, actor_id,
		payload, occurred_at, source_ref)
	SELECT a.event_type, 'MEMORY_OBJECT', a.object_id::text,
		'00000000-0000-0000-0000-000000000001'::uuid, a.object_id, 'PersonSetting', a.version, NULL,
		'person', a.actor_person_id::text,
		a.payload || jsonb_build_object('legacy_tx_id', a.tx_id),
		a.created_at, 'audit.foray_events:' || a.id
	FROM (SELECT e.*, row_number() OVER (ORDER BY e.created_at, e.id) AS rn
		  FROM (SELECT e.*,
					md5('loomworks:person_setting:' || e.actor_person_id || ':' ||
						coalesce(e.payload ->> 'setting_key', ''))::uuid AS object_id,
					row_number() OVER (PARTITION BY e.actor_person_id, e.payload ->> 'setting_key'
									   ORDER BY e.created_at, e.id)::int AS version
				FROM audit.foray_events e) e) a
	WHERE NOT EXISTS (SELECT 1 FROM lw_done_audit d WHERE d.source_ref = 'audit.foray_events:' || a.id)
	  AND (a.rn % every <> 0 OR loomworks_migration.progress('audit.foray_events', a.rn, total, t0))
	ORDER BY a.created_at, a.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'audit.foray_events: % narrative events written (% s)', n,
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
END
$audit$;

-- ------------------------------------------------------------------------
-- Step 3: public.memory_events, in legacy order, without the readiness
-- wiring; attested events also become a FORAY approval attestation.
-- ------------------------------------------------------------------------
DO $events$
DECLARE
	t0 timestamptz := clock_timestamp();
	every bigint := current_setting('loomworks_migration.progress_every')::bigint;
	total bigint;
	n bigint;
BEGIN
	SELECT count(*) INTO total FROM public.memory_events;
	RAISE NOTICE 'public.memory_events: % legacy rows', total;

	CREATE TEMP TABLE lw_done_events ON COMMIT DROP AS
	SELECT source_ref FROM foray.memory_events WHERE source_ref LIKE 'public.memory\_events:%';
	ANALYZE lw_done_events;

	INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id,
		object_id, object_type, object_version, engagement_version, actor_kind, actor_id,
		payload, occurred_at, source_ref)
	SELECT m.event_kind, 'MEMORY_OBJECT', m.object_id::text, m.engagement_id,
		m.object_id, m.object_type, m.object_version, m.engagement_version,
		m.actor_kind, m.actor_id::text, m.payload - '_foray', m."timestamp",
		'public.memory_events:' || m.id
	FROM (SELECT m.*, row_number() OVER (ORDER BY m.id) AS rn FROM public.memory_events m) m
	WHERE NOT EXISTS (SELECT 1 FROM lw_done_events d WHERE d.source_ref = 'public.memory_events:' || m.id)
	  AND (m.rn % every <> 0 OR loomworks_migration.progress('public.memory_events', m.rn, total, t0))
	ORDER BY m.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'public.memory_events: % engine events written (% s)', n,
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);

	-- Legacy content_hash, recomputed the way Loomworks computed it.
	INSERT INTO loomworks_migration.content_hash_mismatches (legacy_id, stored_hash, recomputed_hash)
	SELECT m.id, m.content_hash, h.recomputed
	FROM public.memory_events m,
		 LATERAL (SELECT foray.loomworks_content_hash(m.payload) AS recomputed) h
	WHERE m.content_hash IS DISTINCT FROM h.recomputed
	ON CONFLICT (legacy_id) DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'public.memory_events: content_hash recomputed, % new mismatch(es) recorded (% s)', n,
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);

	-- WebAuthn attestation -> transaction LW_EVENT_<id>: the action that
	-- was approved, and the person's approval of it.
	ANALYZE foray.foray_transactions;
	CREATE TEMP TABLE lw_attested ON COMMIT DROP AS
	SELECT m.id, m.engagement_id, m.engagement_version, m.object_id, m.object_type,
		m.object_version, m.event_kind, m.actor_kind, m.actor_id, m."timestamp", m.attestation,
		'LW_EVENT_' || m.id AS tx,
		'ACT_' || upper(m.event_kind) AS act_id,
		w.person_id AS credential_person
	FROM public.memory_events m
	LEFT JOIN public.webauthn_credentials w
		ON w.credential_id = loomworks_migration.b64url_decode(m.attestation ->> 'credential_id')
	WHERE m.attestation IS NOT NULL AND jsonb_typeof(m.attestation) = 'object'
	  AND NOT EXISTS (SELECT 1 FROM foray.foray_transactions t WHERE t.transaction_id = 'LW_EVENT_' || m.id);

	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, source_ref, created_at)
	SELECT a.tx, loomworks_migration.iso(a."timestamp"),
		jsonb_build_object('entity', 'Loomworks', 'entity_hash', loomworks_migration.sha256_ref('loomworks'),
			'transaction_type', 'loomworks_' || a.event_kind, 'status', 'completed'),
		'public.memory_events:' || a.id || '#attestation', a."timestamp"
	FROM lw_attested a ORDER BY a.id;

	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core,
		source_ref, created_at)
	SELECT a.tx, a.act_id, 'ACT',
		jsonb_build_object(
			'type', a.event_kind,
			'description', a.event_kind || ' of engagement ' || a.engagement_id
				|| ' at engagement version ' || a.engagement_version,
			'engagement_id', a.engagement_id,
			'engagement_version', a.engagement_version,
			'object_id', a.object_id,
			'object_type', a.object_type,
			'object_version', a.object_version,
			'event_source_ref', 'public.memory_events:' || a.id,
			'actor', jsonb_build_object('kind', a.actor_kind, 'id', a.actor_id),
			'amount_settled', 0,
			'settlement_date', loomworks_migration.iso(a."timestamp"),
			'settlement_status', 'completed',
			'anticipation_refs', '[]'::jsonb, 'accrual_refs', '[]'::jsonb,
			'arrangement_refs', '[]'::jsonb, 'dependencies', '[]'::jsonb),
		'public.memory_events:' || a.id || '#attestation', a."timestamp"
	FROM lw_attested a ORDER BY a.id;

	-- The attestor is the person the credential belongs to (the event's
	-- actor when the credential is unknown); the WebAuthn authenticator is
	-- the device that produced the signed evidence, hence attestor_type
	-- oracle (spec §9.3 has no type for a natural person; docs/migration.md).
	INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core, audit_data,
		source_ref, created_at)
	SELECT a.tx, 'ATT_WEBAUTHN_APPROVAL',
		jsonb_build_object(
			'attestor', 'person:' || coalesce(a.credential_person, a.actor_id),
			'attestor_hash', loomworks_migration.sha256_ref('loomworks:person:' || coalesce(a.credential_person, a.actor_id)),
			'attestor_type', 'oracle',
			'attestor_credentials', jsonb_build_array('webauthn:' || (a.attestation ->> 'credential_id')),
			'subject_refs', jsonb_build_array(a.act_id),
			'attestation_type', 'approval',
			'attestation_date', coalesce(a.attestation ->> 'verified_at', loomworks_migration.iso(a."timestamp")),
			'outcome', 'approved',
			'evidence_hash', loomworks_migration.sha256_ref(a.attestation::text),
			'evidence_location', 'audit_data.webauthn_assertion',
			'dependencies', '[]'::jsonb),
		jsonb_build_object('webauthn_assertion', a.attestation,
			'credential_person_id', a.credential_person,
			'event_actor', jsonb_build_object('kind', a.actor_kind, 'id', a.actor_id)),
		'public.memory_events:' || a.id || '#attestation', a."timestamp"
	FROM lw_attested a ORDER BY a.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_temp.lw_wrote(n);
	RAISE NOTICE 'public.memory_events: % WebAuthn attestations carried over (% s)', n,
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
END
$events$;

-- Every deferred rule (refs resolve, lifecycle) is checked now, so a dry
-- run fails exactly where the real run would, and the reconciliation sees
-- the final state.
SET CONSTRAINTS ALL IMMEDIATE;
-- foray_components' storage parameters as they were before step 1
DO $ff$
DECLARE
	ff text := nullif(current_setting('loomworks_migration.components_fillfactor', true), '');
BEGIN
	IF ff IS NULL THEN
		ALTER TABLE foray.foray_components RESET (fillfactor);
	ELSE
		EXECUTE format('ALTER TABLE foray.foray_components SET (fillfactor = %s)', ff);
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
	item text NOT NULL,
	legacy_rows bigint,
	migrated_rows bigint,
	problems bigint NOT NULL,
	fatal boolean NOT NULL,
	note text,
	done_at timestamptz NOT NULL DEFAULT clock_timestamp()
) ON COMMIT DROP;
SELECT set_config('loomworks_migration.reconciliation_started', clock_timestamp()::text, true) IS NOT NULL AS reconciling;

-- Accounting of one legacy set against one destination set, both given as
-- queries yielding a text column "ref" (the legacy key: the text of the
-- legacy id, or what a destination's source_ref names after its prefix; a
-- source_ref that does not spell a legacy id exactly matches none): sizes,
-- legacy keys with no destination, destination rows with no legacy row,
-- keys written more than once.  One grouping pass over both sets.
CREATE OR REPLACE FUNCTION pg_temp.lw_account(item text, legacy_sql text, dest_sql text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	nl bigint;
	nd bigint;
	missing bigint;
	orphans bigint;
	dups bigint;
BEGIN
	EXECUTE format($q$
		SELECT coalesce(sum(nl), 0), coalesce(sum(nd), 0),
			count(*) FILTER (WHERE nl > 0 AND nd = 0),
			coalesce(sum(nd) FILTER (WHERE nl = 0), 0),
			count(*) FILTER (WHERE nl > 0 AND nd > 1)
		FROM (SELECT ref, count(*) FILTER (WHERE legacy) AS nl, count(*) FILTER (WHERE NOT legacy) AS nd
			  FROM (SELECT ref, true AS legacy FROM (%s) l
					UNION ALL
					SELECT ref, false FROM (%s) d) u
			  GROUP BY ref) g
		$q$, legacy_sql, dest_sql)
	INTO nl, nd, missing, orphans, dups;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES (item, nl, nd, missing + orphans + dups, true,
			format('missing %s, without legacy row %s, duplicated %s', missing, orphans, dups));
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
	CASE WHEN c.source_ref LIKE 'credit.foray\_action\_flows:%' THEN substr(c.source_ref, 27)
		 ELSE left(substr(c.source_ref, 22), -12) END AS ref,
	x.f ->> 'asset_id' AS asset_id,
	x.f -> 'to_party' ->> 'id' AS to_party,
	x.f -> 'from_party' ->> 'id' AS from_party,
	(x.f ->> 'quantity')::numeric AS quantity
FROM foray.foray_components c, LATERAL (SELECT c.foray_core -> 'flow' AS f) x
WHERE c.source_ref LIKE 'credit.foray\_action\_flows:%'
   OR c.source_ref LIKE 'public.memory\_events:%#attestation';

DO $rec$
DECLARE
	t0 timestamptz := clock_timestamp();
	n bigint;
	n2 bigint;
	nl bigint;
	nd bigint;
	missing bigint;
	orphans bigint;
	dups bigint;
BEGIN
	PERFORM pg_temp.lw_account('credit.foray_action_flows -> foray_components',
		$$SELECT id::text AS ref FROM credit.foray_action_flows$$,
		$$SELECT ref FROM lw_comp WHERE src = 'flow'$$);
	PERFORM pg_temp.lw_account('credit.foray_action_flows.transaction_id -> foray_transactions',
		$$SELECT DISTINCT transaction_id::text AS ref FROM credit.foray_action_flows$$,
		$$SELECT substr(source_ref, 42) AS ref
		  FROM foray.foray_transactions WHERE source_ref LIKE 'credit.foray\_action\_flows.transaction\_id:%'$$);
	PERFORM pg_temp.lw_account('audit.foray_events -> memory_events',
		$$SELECT id::text AS ref FROM audit.foray_events$$,
		$$SELECT substr(source_ref, 20) AS ref
		  FROM foray.memory_events WHERE source_ref LIKE 'audit.foray\_events:%'$$);
	-- (public.memory_events -> memory_events is accounted below, together
	-- with the engine events' content and order, in one join of both logs)
	PERFORM pg_temp.lw_account('public.memory_events.attestation -> foray_transactions',
		$$SELECT id::text AS ref FROM public.memory_events WHERE attestation IS NOT NULL AND jsonb_typeof(attestation) = 'object'$$,
		$$SELECT left(substr(source_ref, 22), -12) AS ref
		  FROM foray.foray_transactions WHERE source_ref LIKE 'public.memory\_events:%#attestation'$$);
	PERFORM pg_temp.lw_account('public.memory_events.attestation -> foray_components (ACT)',
		$$SELECT id::text AS ref FROM public.memory_events WHERE attestation IS NOT NULL AND jsonb_typeof(attestation) = 'object'$$,
		$$SELECT ref FROM lw_comp WHERE src = 'attestation'$$);
	PERFORM pg_temp.lw_account('public.memory_events.attestation -> foray_attestations',
		$$SELECT id::text AS ref FROM public.memory_events WHERE attestation IS NOT NULL AND jsonb_typeof(attestation) = 'object'$$,
		$$SELECT left(substr(source_ref, 22), -12) AS ref
		  FROM foray.foray_attestations WHERE source_ref LIKE 'public.memory\_events:%#attestation'$$);

	-- attestation values that are not objects cannot be carried over
	SELECT count(*) INTO n FROM public.memory_events
	WHERE attestation IS NOT NULL AND jsonb_typeof(attestation) <> 'object';
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('public.memory_events.attestation not a JSON object', n, n, true, 'cannot become an attestation');

	-- quantity sums per (asset, party, direction), each side in one scan;
	-- the legacy side is kept for the legacy balance check below
	CREATE TEMP TABLE lw_legacy_sums ON COMMIT DROP AS
	SELECT asset_id, party, dir, sum(q) AS q
	FROM (SELECT asset_id, unnest(ARRAY[to_party, from_party]) AS party, unnest(ARRAY['in', 'out']) AS dir,
			quantity AS q
		  FROM credit.foray_action_flows) l
	GROUP BY 1, 2, 3;
	WITH ms AS (
		SELECT asset_id, party, dir, sum(q) AS q
		FROM (SELECT asset_id, unnest(ARRAY[to_party, from_party]) AS party, unnest(ARRAY['in', 'out']) AS dir,
				quantity AS q
			  FROM lw_comp WHERE src = 'flow') m
		GROUP BY 1, 2, 3)
	SELECT (SELECT count(*) FROM lw_legacy_sums),
		(SELECT count(*) FROM ((TABLE lw_legacy_sums EXCEPT TABLE ms) UNION ALL (TABLE ms EXCEPT TABLE lw_legacy_sums)) x)
	INTO n, n2;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('quantity sums per (asset, party, direction)', n, n2, true, 'sums that differ');

	-- the legacy balance table against its own ledger (drift is Loomworks',
	-- not the migration's, but the migration cannot reproduce it either):
	-- a party's balance in an asset is what came in minus what went out
	SELECT count(*) INTO n
	FROM credit.asset_balances b
	FULL JOIN (SELECT party, asset_id, sum(CASE dir WHEN 'in' THEN q ELSE -q END) AS balance
			   FROM lw_legacy_sums GROUP BY 1, 2) f ON f.party = b.party AND f.asset_id = b.asset_id
	WHERE b.party IS NULL OR f.party IS NULL OR b.balance <> f.balance;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('legacy credit.asset_balances vs legacy ledger', (SELECT count(*) FROM credit.asset_balances), n, true,
			'legacy balance rows that their own ledger does not produce');

	-- the view is evaluated once: its row count comes from the same join
	-- (both sides are unique on (party, asset_id))
	SELECT count(*) FILTER (WHERE b.party IS NULL OR v.party IS NULL OR b.balance <> v.balance),
		count(v.party)
	INTO n, n2
	FROM credit.asset_balances b
	FULL JOIN loomworks_migration.asset_balances v ON v.party = b.party AND v.asset_id = b.asset_id;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES ('credit.asset_balances reproduced by loomworks_migration.asset_balances',
			(SELECT count(*) FROM credit.asset_balances), n2, n, true, 'balance rows that differ');

	-- Engine events, one full join of the two logs on the legacy id: the
	-- accounting (as lw_account counts it: legacy rows, destination rows,
	-- legacy rows without destination, destination rows without legacy row,
	-- legacy rows written more than once), then content (minus the removed
	-- fields) and order of the matched pairs.  Only (event_id, legacy id,
	-- differs) is sorted, once by legacy id for the repeats, once by
	-- event_id for the order.
	SELECT count(lid) - count(*) FILTER (WHERE lid = prev_l),
		count(event_id),
		count(*) FILTER (WHERE event_id IS NULL),
		count(*) FILTER (WHERE lid IS NULL),
		count(*) FILTER (WHERE lid = prev_l AND lid IS DISTINCT FROM prev2_l),
		count(*) FILTER (WHERE differs),
		count(*) FILTER (WHERE prev_e >= lid)
	INTO nl, nd, missing, orphans, dups, n, n2
	FROM (SELECT event_id, lid, differs,
				 lag(lid) OVER by_lid AS prev_l, lag(lid, 2) OVER by_lid AS prev2_l,
				 CASE WHEN event_id IS NOT NULL AND lid IS NOT NULL
					  THEN lag(lid) OVER (PARTITION BY event_id IS NOT NULL AND lid IS NOT NULL ORDER BY event_id) END AS prev_e
		  FROM (SELECT e.event_id, m.id AS lid,
					CASE WHEN e.event_id IS NOT NULL AND m.id IS NOT NULL THEN
					(e.event_kind, e.subject_kind::text, e.subject_id, e.engagement_id, e.object_id,
					 e.object_type, e.object_version, e.engagement_version, e.actor_kind::text, e.actor_id,
					 e.occurred_at, e.payload)
					IS DISTINCT FROM
					(m.event_kind::text, 'MEMORY_OBJECT', m.object_id::text, m.engagement_id, m.object_id,
					 m.object_type::text, m.object_version, m.engagement_version, m.actor_kind::text,
					 m.actor_id::text, m."timestamp", m.payload - '_foray') END AS differs
				FROM (SELECT * FROM foray.memory_events
					  WHERE source_ref LIKE 'public.memory\_events:%' AND source_ref NOT LIKE '%#attestation') e
				FULL JOIN public.memory_events m ON e.source_ref = 'public.memory_events:' || m.id
				OFFSET 0) j	-- compared before the sorts
		  WINDOW by_lid AS (ORDER BY lid, event_id)) w;
	INSERT INTO lw_report (item, legacy_rows, migrated_rows, problems, fatal, note)
	VALUES ('public.memory_events -> memory_events', nl, nd, missing + orphans + dups, true,
			format('missing %s, without legacy row %s, duplicated %s', missing, orphans, dups));
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('engine events: content carried over', nl, n, true,
			'events whose columns or payload (minus _foray) differ');
	INSERT INTO lw_report (item, problems, fatal, note)
	VALUES ('engine events: legacy order kept', n2, true, 'events out of legacy id order');

	SELECT count(*) INTO n
	FROM audit.foray_events a
	JOIN foray.memory_events e ON substr(e.source_ref, 20) = a.id::text
	  AND e.source_ref LIKE 'audit.foray\_events:%'
	WHERE (e.event_kind, e.actor_kind::text, e.actor_id, e.occurred_at, e.payload - 'legacy_tx_id', e.payload ->> 'legacy_tx_id')
		IS DISTINCT FROM (a.event_type::text, 'person', a.actor_person_id::text, a.created_at, a.payload, a.tx_id::text);
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	VALUES ('narrative events: content carried over', (SELECT count(*) FROM audit.foray_events), n, true,
			'setting_change events whose actor, time or payload differ');

	-- reported, not fatal
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'legacy content_hash mismatches', (SELECT count(*) FROM public.memory_events), count(*), false,
		'listed in loomworks_migration.content_hash_mismatches'
	FROM loomworks_migration.content_hash_mismatches;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'legacy foray_tx_ref values dropped', count(*), count(*), false, 'never written by Loomworks; none expected'
	FROM public.memory_events WHERE foray_tx_ref IS NOT NULL;
	INSERT INTO lw_report (item, legacy_rows, problems, fatal, note)
	SELECT 'attestations whose credential is not the actor''s', count(*) FILTER (WHERE true),
		count(*) FILTER (WHERE w.person_id IS DISTINCT FROM m.actor_id), false,
		'credential unknown or registered to another person'
	FROM public.memory_events m
	LEFT JOIN public.webauthn_credentials w
		ON w.credential_id = loomworks_migration.b64url_decode(m.attestation ->> 'credential_id')
	WHERE m.attestation IS NOT NULL AND jsonb_typeof(m.attestation) = 'object';

	RAISE NOTICE 'reconciliation done (% s)', round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
END
$rec$;

\echo Loomworks migration: reconciliation report
SELECT item, legacy_rows, migrated_rows, problems,
	CASE WHEN problems = 0 THEN 'ok' WHEN fatal THEN 'FAIL' ELSE 'reported' END AS status, note,
	round(extract(epoch FROM done_at - lag(done_at, 1, current_setting('loomworks_migration.reconciliation_started')::timestamptz)
		OVER (ORDER BY ord))::numeric, 1) AS seconds
FROM lw_report ORDER BY ord;

DO $fin$
DECLARE
	failed text;
BEGIN
	SELECT string_agg(item || ' (' || problems || ')', '; ' ORDER BY ord) INTO failed
	FROM lw_report WHERE fatal AND problems > 0;
	IF failed IS NOT NULL THEN
		RAISE EXCEPTION 'loomworks migration does not reconcile: %', failed
			USING ERRCODE = '23R40',
				  DETAIL = 'Rule MIG-010: every legacy row is accounted for exactly once, sums and balances are reproduced, engine events keep content and order.',
				  HINT = 'Nothing was written. See the report above.';
	END IF;
	IF current_setting('loomworks_migration.dry_run')::boolean THEN
		RAISE NOTICE 'dry run: everything above reconciles; rolling back, nothing written';
	ELSIF current_setting('loomworks_migration.written')::bigint = 0 THEN
		RAISE NOTICE 'loomworks migration reconciles; nothing new to migrate';
	ELSE
		INSERT INTO loomworks_migration.runs (started_at, finished_at, report)
		SELECT now(), clock_timestamp(), jsonb_agg(to_jsonb(r) - 'ord' - 'done_at' ORDER BY r.ord) FROM lw_report r;
		RAISE NOTICE 'loomworks migration reconciles; committing';
	END IF;
END
$fin$;

\if :dry_run
ROLLBACK;
\else
COMMIT;
\endif
