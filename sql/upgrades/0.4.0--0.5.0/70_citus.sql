-- ---------------------------------------------------------------------
-- 0.5.0: one code path on a single node and on Citus (docs/scale-out.md).
-- Every trigger names its table by its first argument, so the same C
-- function works on the table and on each of its Citus shards (whose
-- names carry a suffix).  Recreated with the argument.
-- ---------------------------------------------------------------------

DROP TRIGGER foray_10_before ON foray.foray_transactions;
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_transactions
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_transactions_before('foray_transactions');

DROP TRIGGER foray_20_after ON foray.foray_transactions;
CREATE TRIGGER foray_20_after AFTER INSERT ON foray.foray_transactions
	FOR EACH ROW EXECUTE FUNCTION foray.foray_transactions_after('foray_transactions');

DROP TRIGGER foray_90_statement_end ON foray.foray_transactions;
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end('foray_transactions');

DROP TRIGGER foray_10_before ON foray.foray_components;
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_before('foray_components');

DROP TRIGGER foray_20_after ON foray.foray_components;
CREATE TRIGGER foray_20_after AFTER UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_after('foray_components');

DROP TRIGGER foray_21_after_insert ON foray.foray_components;
CREATE TRIGGER foray_21_after_insert AFTER INSERT ON foray.foray_components
	FOR EACH ROW WHEN (NEW.status::text <> 'pending' AND foray.may_have_waiters(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_components_after('foray_components');

DROP TRIGGER foray_30_refs ON foray.foray_components;
CREATE CONSTRAINT TRIGGER foray_30_refs AFTER INSERT OR UPDATE ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.status::text = 'pending')
	EXECUTE FUNCTION foray.foray_components_check_refs('foray_components');

DROP TRIGGER foray_40_removal ON foray.foray_components;
CREATE CONSTRAINT TRIGGER foray_40_removal AFTER DELETE ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_components_check_removal('foray_components');

DROP TRIGGER foray_90_statement_end ON foray.foray_components;
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_components
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end('foray_components');

DROP TRIGGER foray_10_before ON foray.foray_attestations;
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_before('foray_attestations');

DROP TRIGGER foray_20_after ON foray.foray_attestations;
CREATE TRIGGER foray_20_after AFTER INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_after('foray_attestations');

DROP TRIGGER foray_30_refs ON foray.foray_attestations;
CREATE CONSTRAINT TRIGGER foray_30_refs AFTER INSERT OR UPDATE ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_check_refs('foray_attestations');

DROP TRIGGER foray_40_removal ON foray.foray_attestations;
CREATE CONSTRAINT TRIGGER foray_40_removal AFTER DELETE ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_check_removal('foray_attestations');

DROP TRIGGER foray_90_statement_end ON foray.foray_attestations;
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end('foray_attestations');

DROP TRIGGER foray_10_grow_only ON foray.event_kinds;
CREATE TRIGGER foray_10_grow_only BEFORE UPDATE OR DELETE ON foray.event_kinds
	FOR EACH ROW EXECUTE FUNCTION foray.foray_event_kinds_guard('event_kinds');

DROP TRIGGER foray_11_grow_only ON foray.event_kinds;
CREATE TRIGGER foray_11_grow_only BEFORE TRUNCATE ON foray.event_kinds
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_event_kinds_guard('event_kinds');

DROP TRIGGER foray_05_anchored_guard ON foray.foray_transactions;
CREATE TRIGGER foray_05_anchored_guard BEFORE UPDATE OR DELETE ON foray.foray_transactions
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_anchored_guard('foray_transactions');

DROP TRIGGER foray_05_anchored_guard_truncate ON foray.foray_transactions;
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard('foray_transactions');

DROP TRIGGER foray_05_anchored_guard ON foray.foray_components;
CREATE TRIGGER foray_05_anchored_guard BEFORE INSERT OR UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_anchored_guard('foray_components');

DROP TRIGGER foray_05_anchored_guard_truncate ON foray.foray_components;
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_components
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard('foray_components');

DROP TRIGGER foray_05_anchored_guard ON foray.foray_attestations;
CREATE TRIGGER foray_05_anchored_guard BEFORE INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_anchored_guard('foray_attestations');

DROP TRIGGER foray_05_anchored_guard_truncate ON foray.foray_attestations;
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard('foray_attestations');

DROP TRIGGER foray_31_envelope ON foray.foray_components;
CREATE CONSTRAINT TRIGGER foray_31_envelope AFTER INSERT ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (foray.envelope_unconfirmed(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_check_envelope('foray_components');

DROP TRIGGER foray_31_envelope ON foray.foray_attestations;
CREATE CONSTRAINT TRIGGER foray_31_envelope AFTER INSERT ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (foray.envelope_unconfirmed(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_check_envelope('foray_attestations');

DROP TRIGGER foray_25_cascade ON foray.foray_transactions;
CREATE TRIGGER foray_25_cascade AFTER DELETE ON foray.foray_transactions
	FOR EACH ROW EXECUTE FUNCTION foray.foray_transactions_cascade('foray_transactions');

DROP TRIGGER foray_26_truncate ON foray.foray_transactions;
CREATE TRIGGER foray_26_truncate AFTER TRUNCATE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_transactions_truncated('foray_transactions');

-- ---------------------------------------------------------------------
-- The event log in two tables (docs/scale-out.md): events about a FORAY
-- transaction in transaction_events, numbered per transaction (seq), the
-- engine's MemoryObject events in engine_events, and foray.memory_events a
-- view over both.  Every event keeps its event_id; a transaction's events
-- are numbered 1, 2, 3 ... in event_id order; the sequence goes on where the
-- old one was.
-- ---------------------------------------------------------------------

-- The events are kept in two tables, one per kind of subject, so that each
-- can live where its subjects live when the substrate is distributed
-- (docs/scale-out.md): events about a FORAY transaction, its components and
-- attestations (the substrate's own, and the engine's about them) in
-- transaction_events, numbered 1, 2, 3 ... per transaction (seq, without
-- gaps); the engine's MemoryObject events in engine_events.  Readers and
-- writers use the view foray.memory_events over both.  Event ids come from
-- one sequence per node, drawn by the substrate (LOG-004).
CREATE TABLE foray.transaction_events (
	event_id			bigint NOT NULL,
	event_kind			text NOT NULL,
	subject_kind		foray.subject_kind NOT NULL,
	subject_id			text NOT NULL,
	transaction_id		text NOT NULL,
	engagement_id		uuid,
	object_id			uuid,
	object_type			text,
	object_version		integer,
	engagement_version	integer,
	actor_kind			foray.actor_kind NOT NULL,
	actor_id			text NOT NULL,
	payload				jsonb NOT NULL DEFAULT '{}',
	occurred_at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	source_ref			text,
	seq					bigint NOT NULL,
	CONSTRAINT transaction_events_pkey PRIMARY KEY (transaction_id, seq),
	CONSTRAINT transaction_events_seq_check CHECK (seq > 0),
	CONSTRAINT transaction_events_payload_check CHECK (pg_catalog.jsonb_typeof(payload) = 'object'),
	CONSTRAINT transaction_events_subject_check CHECK (
		subject_kind::text <> 'MEMORY_OBJECT'
		AND (subject_kind::text <> 'TRANSACTION' OR subject_id = transaction_id)),
	CONSTRAINT transaction_events_actor_check CHECK (
		actor_kind NOT IN ('person', 'contributor', 'agent', 'companion')
		OR foray.is_uuid_text(actor_id))
);
COMMENT ON TABLE foray.transaction_events IS
'The events about FORAY transactions, their components and attestations: the substrate''s own (written by its triggers in the same SQL transaction) and the engine''s about them.  seq numbers each transaction''s events 1, 2, 3 ... in the order they were written, without gaps.  Append-only: UPDATE, DELETE and TRUNCATE are refused for everyone.  Read through foray.memory_events.';
COMMENT ON COLUMN foray.transaction_events.seq IS 'The event''s place in its transaction''s history: 1, 2, 3 ... without gaps, assigned by the substrate under the transaction''s writer lock.';

CREATE TABLE foray.engine_events (
	event_id			bigint NOT NULL,
	event_kind			text NOT NULL,
	subject_kind		foray.subject_kind NOT NULL,
	subject_id			text NOT NULL,
	transaction_id		text,
	engagement_id		uuid NOT NULL,
	object_id			uuid NOT NULL,
	object_type			text NOT NULL,
	object_version		integer NOT NULL,
	engagement_version	integer,
	actor_kind			foray.actor_kind NOT NULL,
	actor_id			text NOT NULL,
	payload				jsonb NOT NULL DEFAULT '{}',
	occurred_at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	source_ref			text,
	CONSTRAINT engine_events_pkey PRIMARY KEY (engagement_id, event_id),
	CONSTRAINT engine_events_payload_check CHECK (pg_catalog.jsonb_typeof(payload) = 'object'),
	CONSTRAINT engine_events_subject_check CHECK (
		subject_kind::text = 'MEMORY_OBJECT' AND subject_id = object_id::text),
	CONSTRAINT engine_events_actor_check CHECK (
		actor_kind NOT IN ('person', 'contributor', 'agent', 'companion')
		OR foray.is_uuid_text(actor_id))
);
COMMENT ON TABLE foray.engine_events IS
'The Loomworks engine''s MemoryObject events, one per object version.  Append-only: UPDATE, DELETE and TRUNCATE are refused for everyone.  Read and written through foray.memory_events.';
-- One event per object version and per engagement version (a NULL
-- engagement_version never conflicts).
CREATE UNIQUE INDEX engine_events_object_version_key ON foray.engine_events (object_id, object_version);
CREATE UNIQUE INDEX engine_events_engagement_version_key ON foray.engine_events (engagement_id, engagement_version)
	WHERE engagement_version IS NOT NULL;
CREATE INDEX engine_events_engagement_idx ON foray.engine_events (engagement_id, occurred_at);
CREATE INDEX engine_events_object_type_idx ON foray.engine_events (engagement_id, object_type);

INSERT INTO foray.transaction_events (event_id, event_kind, subject_kind, subject_id, transaction_id,
	engagement_id, object_id, object_type, object_version, engagement_version, actor_kind, actor_id,
	payload, occurred_at, source_ref, seq)
SELECT event_id, event_kind, subject_kind, subject_id, transaction_id, engagement_id, object_id,
	   object_type, object_version, engagement_version, actor_kind, actor_id, payload, occurred_at,
	   source_ref, pg_catalog.row_number() OVER (PARTITION BY transaction_id ORDER BY event_id)
  FROM foray.memory_events
 WHERE subject_kind::pg_catalog.text OPERATOR(pg_catalog.<>) 'MEMORY_OBJECT';
INSERT INTO foray.engine_events (event_id, event_kind, subject_kind, subject_id, transaction_id,
	engagement_id, object_id, object_type, object_version, engagement_version, actor_kind, actor_id,
	payload, occurred_at, source_ref)
SELECT event_id, event_kind, subject_kind, subject_id, transaction_id, engagement_id, object_id,
	   object_type, object_version, engagement_version, actor_kind, actor_id, payload, occurred_at,
	   source_ref
  FROM foray.memory_events
 WHERE subject_kind::pg_catalog.text OPERATOR(pg_catalog.=) 'MEMORY_OBJECT';

-- the old table and its identity sequence go; the sequence comes back,
-- standing alone, at the same place
CREATE TEMP TABLE foray_event_id_position ON COMMIT DROP AS
SELECT last_value, is_called FROM foray.memory_events_event_id_seq;
ALTER EXTENSION foray_substrate DROP SEQUENCE foray.memory_events_event_id_seq;
ALTER EXTENSION foray_substrate DROP TABLE foray.memory_events;
DROP TABLE foray.memory_events;
CREATE SEQUENCE foray.memory_events_event_id_seq;
COMMENT ON SEQUENCE foray.memory_events_event_id_seq IS
'The event ids of this node, drawn by the substrate as each event is written (LOG-004).  On a Citus node foray.distribute() starts it at the node''s group id times 2^48, so ids are unique across nodes.';

SELECT pg_catalog.setval('foray.memory_events_event_id_seq', p.last_value, p.is_called)
  FROM pg_temp.foray_event_id_position p;
DROP TABLE pg_temp.foray_event_id_position;

CREATE VIEW foray.memory_events AS
SELECT event_id, event_kind, subject_kind, subject_id, transaction_id, engagement_id, object_id,
	   object_type, object_version, engagement_version, actor_kind, actor_id, payload, occurred_at,
	   source_ref, seq AS transaction_seq
  FROM foray.transaction_events
UNION ALL
SELECT event_id, event_kind, subject_kind, subject_id, transaction_id, engagement_id, object_id,
	   object_type, object_version, engagement_version, actor_kind, actor_id, payload, occurred_at,
	   source_ref, NULL::bigint
  FROM foray.engine_events;
ALTER VIEW foray.memory_events ALTER COLUMN payload SET DEFAULT '{}';
ALTER VIEW foray.memory_events ALTER COLUMN occurred_at SET DEFAULT pg_catalog.clock_timestamp();
COMMENT ON VIEW foray.memory_events IS
'The append-only event log, one view over foray.transaction_events and foray.engine_events: the substrate''s events (written by its triggers in the same SQL transaction) and the Loomworks engine''s, with one actor convention.  An INSERT goes to the table of its subject (MEMORY_OBJECT: engine_events; a transaction, component or attestation: transaction_events); UPDATE and DELETE are refused for everyone (LOG-001).  transaction_seq orders a transaction''s events without gaps; event_id follows the order of writing on one node (docs/scale-out.md).';
COMMENT ON COLUMN foray.memory_events.transaction_seq IS 'transaction_events.seq: the event''s place in its transaction''s history (NULL for a MemoryObject event).';

-- nothing relies on PUBLIC defaults (as 99_privileges.sql does for a fresh install)
REVOKE ALL ON foray.transaction_events, foray.engine_events FROM PUBLIC;
REVOKE ALL ON SEQUENCE foray.memory_events_event_id_seq FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('foray.transaction_events', '');
SELECT pg_catalog.pg_extension_config_dump('foray.engine_events', '');
SELECT pg_catalog.pg_extension_config_dump('foray.memory_events_event_id_seq', '');

-- the event log is append-only, its two tables and the view over them
CREATE TRIGGER foray_10_append_only BEFORE UPDATE OR DELETE ON foray.transaction_events
	FOR EACH ROW EXECUTE FUNCTION foray.foray_memory_events_guard('transaction_events');
CREATE TRIGGER foray_11_append_only BEFORE TRUNCATE ON foray.transaction_events
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_memory_events_guard('transaction_events');
CREATE TRIGGER foray_10_append_only BEFORE UPDATE OR DELETE ON foray.engine_events
	FOR EACH ROW EXECUTE FUNCTION foray.foray_memory_events_guard('engine_events');
CREATE TRIGGER foray_11_append_only BEFORE TRUNCATE ON foray.engine_events
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_memory_events_guard('engine_events');
-- every event's kind is registered (LOG-003); substrate kinds (UPPER_CASE)
-- are written by the substrate only (LOG-002); the substrate numbers every
-- event (LOG-004).  A trigger rather than a foreign key: the registry only
-- grows (below), so each backend caches the kinds it has seen, where a
-- foreign key runs a query for every event.
CREATE TRIGGER foray_12_event_kind BEFORE INSERT ON foray.transaction_events
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_memory_events_guard('transaction_events');
CREATE TRIGGER foray_12_event_kind BEFORE INSERT ON foray.engine_events
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_memory_events_guard('engine_events');
-- writes through the view: an INSERT goes to its subject's table, UPDATE
-- and DELETE are refused (LOG-001)
CREATE TRIGGER foray_10_route INSTEAD OF INSERT OR UPDATE OR DELETE ON foray.memory_events
	FOR EACH ROW EXECUTE FUNCTION foray.foray_memory_events_guard('memory_events');

COMMENT ON FUNCTION foray.is_uuid_text(text) IS
'Whether value is a UUID in canonical lower-case text form: ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.  Behind the actor checks of the event tables (C rather than a regular expression: every engine event pays the CHECK).';
COMMENT ON FUNCTION foray.foray_statement_end() IS 'At the end of each statement: every touched transaction''s lifecycle follows its components (open / ready_to_anchor), and the statement''s events are appended to transaction_events.';
COMMENT ON FUNCTION foray.foray_memory_events_guard() IS 'The event log''s rules, on its two tables and its view (the table by the trigger''s argument): refuses UPDATE, DELETE and TRUNCATE, events of an unregistered kind, and substrate-kind events not written by the substrate; numbers every event (event_id, and seq per transaction); routes an INSERT into foray.memory_events to the table of its subject.';

-- 0.5.0: foray.distribute() (sql/parts/65_citus.sql).
-- ---------------------------------------------------------------------
-- Citus (docs/scale-out.md): one call on the coordinator turns an installed
-- substrate into a distributed one, on an empty or a populated database.
-- The protocol tables and transaction_events are distributed by
-- transaction_id and colocated (every FORAY transaction lives in one
-- shard group, on one node); engine_events by engagement_id; event_kinds
-- becomes a reference table.  The writers that change one FORAY
-- transaction run delegated, on the node holding it.  Each node draws its
-- event ids from its own range (group id * 2^48).  Idempotent: run it
-- again after adding a node.  The DBA's alone (no role is granted it).
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.distribute(shard_count integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $distribute$
DECLARE
	t text;
	done text[] := '{}';
	shards integer;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
		RAISE EXCEPTION 'the Citus extension is not installed in this database'
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'foray.distribute() distributes the substrate''s tables over a Citus cluster.',
				  HINT = 'CREATE EXTENSION citus on every node, add the workers on the coordinator, then run it there (docs/scale-out.md).';
	END IF;
	IF shard_count IS NOT NULL AND shard_count OPERATOR(pg_catalog.<) 1 THEN
		RAISE EXCEPTION 'shard_count must be positive, not %', shard_count
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	shards := coalesce(shard_count, pg_catalog.current_setting('citus.shard_count')::integer);
	-- the triggers are copied onto every shard (Citus calls them unsafe)
	PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

	IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
					WHERE logicalrelid OPERATOR(pg_catalog.=) 'foray.event_kinds'::pg_catalog.regclass) THEN
		PERFORM pg_catalog.create_reference_table('foray.event_kinds');
		done := done OPERATOR(pg_catalog.||) 'event_kinds'::text;
	END IF;
	FOREACH t IN ARRAY ARRAY['foray_transactions', 'foray_components', 'foray_attestations', 'transaction_events'] LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
						WHERE logicalrelid OPERATOR(pg_catalog.=) pg_catalog.format('foray.%I', t)::pg_catalog.regclass) THEN
			IF t OPERATOR(pg_catalog.=) 'foray_transactions' THEN
				PERFORM pg_catalog.create_distributed_table('foray.foray_transactions', 'transaction_id',
					colocate_with => 'none', shard_count => shards);
			ELSE
				PERFORM pg_catalog.create_distributed_table(pg_catalog.format('foray.%I', t)::pg_catalog.regclass,
					'transaction_id', colocate_with => 'foray.foray_transactions');
			END IF;
			done := done OPERATOR(pg_catalog.||) t;
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
					WHERE logicalrelid OPERATOR(pg_catalog.=) 'foray.engine_events'::pg_catalog.regclass) THEN
		-- a unique key must hold the distribution column: one event per
		-- object version within its engagement (docs/scale-out.md)
		DROP INDEX foray.engine_events_object_version_key;
		CREATE UNIQUE INDEX engine_events_object_version_key
			ON foray.engine_events (engagement_id, object_id, object_version);
		PERFORM pg_catalog.create_distributed_table('foray.engine_events', 'engagement_id',
			colocate_with => 'none', shard_count => shards);
		done := done OPERATOR(pg_catalog.||) 'engine_events'::text;
	END IF;

	-- the writers of one FORAY transaction run where it is stored
	PERFORM pg_catalog.create_distributed_function(w.f::pg_catalog.regprocedure, w.a, colocate_with => 'foray.foray_transactions',
												   force_delegation => true)
	  FROM (VALUES ('foray.record_anchor(text,text,text,bigint,bigint,timestamp with time zone)', 'tx'),
				   ('foray.seal(text,text)', 'tx'),
				   ('foray.amend_transaction(text,text)', 'original')) AS w(f, a)
	 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_dist_object o
						WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
						  AND o.objid OPERATOR(pg_catalog.=) w.f::pg_catalog.regprocedure
						  AND o.distribution_argument_index IS NOT NULL);

	-- event ids: each node its own range, group id * 2^48 onwards
	PERFORM pg_catalog.run_command_on_workers(
		'SELECT pg_catalog.setval(''foray.memory_events_event_id_seq'', g.id OPERATOR(pg_catalog.<<) 48, false)'
		' FROM (SELECT groupid::pg_catalog.int8 AS id FROM pg_catalog.pg_dist_local_group) g,'
		'      foray.memory_events_event_id_seq s'
		' WHERE s.last_value OPERATOR(pg_catalog.<) (g.id OPERATOR(pg_catalog.<<) 48)');
	RETURN CASE WHEN pg_catalog.cardinality(done) OPERATOR(pg_catalog.=) 0 THEN 'already distributed'
				ELSE 'distributed: ' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(done, ', ') END;
END
$distribute$;
COMMENT ON FUNCTION foray.distribute(integer) IS
'Citus: distributes the substrate over the cluster (run on the coordinator, as the DBA): the protocol tables and transaction_events by transaction_id, colocated; engine_events by engagement_id; event_kinds as a reference table; record_anchor, seal and amend_transaction delegated to the node holding the transaction; a range of event ids per node.  Idempotent (docs/scale-out.md).';
REVOKE ALL ON FUNCTION foray.distribute(integer) FROM PUBLIC;

-- ---------------------------------------------------------------------
-- Updates on a distributed installation (docs/scale-out.md): an update
-- script changes a substrate table through foray.apply_table_ddl(table,
-- ddl), never with a bare ALTER TABLE, CREATE INDEX, CREATE TRIGGER or
-- GRANT on it.  Citus would send such a statement of an extension script
-- to the workers as the whole script text, and before the workers ran
-- their own copy of the script (so before the objects it names exist
-- there).  This function applies the statement on each node as that
-- node's copy of the update reaches it: to this node's table (the
-- coordinator's or a worker's shell of a distributed table, with Citus's
-- propagation off) and to this node's own shards of it (Citus's
-- worker_apply_shard_ddl_command, which names each shard's relations).
-- Without Citus, or for a table Citus does not know, it runs the
-- statement.  On a Citus table it is refused outside ALTER EXTENSION
-- (by hand, on one node, it would change that node alone).  As its caller
-- (the superuser running the update).
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.apply_table_ddl(tbl regclass, ddl text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $apply_table_ddl$
DECLARE
	distributed boolean := false;
	propagation text;
	shard bigint;
BEGIN
	IF tbl IS NULL OR ddl IS NULL THEN
		RAISE EXCEPTION 'foray.apply_table_ddl needs a table and a statement'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- (Citus's catalogs are named only where Citus is installed)
	IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
		EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid OPERATOR(pg_catalog.=) $1)'
			INTO distributed USING tbl;
	END IF;
	IF NOT distributed THEN
		EXECUTE ddl;
		RETURN;
	END IF;
	-- a Citus table: only as every node's copy of an update reaches it
	IF (SELECT a.query FROM pg_catalog.pg_stat_activity a WHERE a.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid())
		OPERATOR(pg_catalog.!~*) '(^|[^a-z_])alter\s+extension\s' THEN
		RAISE EXCEPTION 'foray.apply_table_ddl changes % on Citus only inside ALTER EXTENSION foray_substrate UPDATE', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'It changes this node''s table and this node''s shards of it; the other nodes make the same change when they run their copy of the update script.',
				  HINT = 'To change a distributed table by hand, run the statement itself on the coordinator: Citus propagates it (docs/scale-out.md).';
	END IF;
	propagation := pg_catalog.current_setting('citus.enable_ddl_propagation');
	PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
	EXECUTE ddl;
	FOR shard IN EXECUTE
		'SELECT s.shardid FROM pg_catalog.pg_dist_shard s'
		'  JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid'
		' WHERE s.logicalrelid OPERATOR(pg_catalog.=) $1'
		'   AND p.groupid OPERATOR(pg_catalog.=) (SELECT groupid FROM pg_catalog.pg_dist_local_group)'
		' ORDER BY s.shardid' USING tbl
	LOOP
		EXECUTE 'SELECT pg_catalog.worker_apply_shard_ddl_command($1, $2)' USING shard, ddl;
	END LOOP;
	PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', propagation, true);
END
$apply_table_ddl$;
COMMENT ON FUNCTION foray.apply_table_ddl(regclass, text) IS
'Updates: applies a DDL statement on a substrate table on this node, and on Citus to this node''s shards of it, so that an update script works on a distributed installation (docs/scale-out.md).  Update scripts use it for every change of a table; the DBA''s alone.';
REVOKE ALL ON FUNCTION foray.apply_table_ddl(regclass, text) FROM PUBLIC;
