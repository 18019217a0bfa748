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
