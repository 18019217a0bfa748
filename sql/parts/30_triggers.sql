-- ---------------------------------------------------------------------
-- The rules, enforced by C triggers (src/components.c, attestations.c,
-- transactions.c, readiness.c, events.c).  Trigger names carry a number so
-- their firing order (by name) is the order written here.
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.foray_transactions_before() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_transactions_before' LANGUAGE C;
CREATE FUNCTION foray.foray_transactions_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_transactions_after' LANGUAGE C;
CREATE FUNCTION foray.foray_components_before() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_before' LANGUAGE C;
CREATE FUNCTION foray.foray_components_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_after' LANGUAGE C;
CREATE FUNCTION foray.foray_components_check_refs() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_check_refs' LANGUAGE C;
CREATE FUNCTION foray.foray_components_check_removal() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_check_removal' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_before() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_before' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_after' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_check_refs() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_check_refs' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_check_removal() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_check_removal' LANGUAGE C;
CREATE FUNCTION foray.foray_statement_end() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_statement_end' LANGUAGE C;
CREATE FUNCTION foray.foray_memory_events_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_memory_events_guard' LANGUAGE C;
CREATE FUNCTION foray.substrate_writing() RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_substrate_writing' LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION foray.may_have_waiters(transaction_id text) RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_may_have_waiters' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION foray.foray_transactions_before() IS 'Validates a transaction''s foray_core, schema version and timestamp; refuses direct writes to substrate-maintained columns.';
COMMENT ON FUNCTION foray.foray_transactions_after() IS 'Writes TRANSACTION_CREATED.';
COMMENT ON FUNCTION foray.foray_components_before() IS 'Component rules: id prefix, ref typing, no self/duplicate refs, ARR dependencies empty, readiness transitions; derives status.';
COMMENT ON FUNCTION foray.foray_components_after() IS 'Component events and readiness propagation to dependents.';
COMMENT ON FUNCTION foray.foray_components_check_refs() IS 'At commit: every ref of a still-pending component resolves in its transaction.';
COMMENT ON FUNCTION foray.foray_components_check_removal() IS 'At commit: no component or attestation still references a removed component.';
COMMENT ON FUNCTION foray.foray_attestations_before() IS 'Attestation rules: ATT_ prefix, required fields and enumerations, subject_refs non-empty, dependencies are attestations.';
COMMENT ON FUNCTION foray.foray_attestations_after() IS 'Attestation events.';
COMMENT ON FUNCTION foray.foray_attestations_check_refs() IS 'At commit: subject_refs and dependencies resolve; no attestation cycle (ATT-006).';
COMMENT ON FUNCTION foray.foray_attestations_check_removal() IS 'At commit: no attestation still names a removed attestation.';
COMMENT ON FUNCTION foray.substrate_writing() IS 'True while the substrate itself writes derived columns (readiness statuses, lifecycle, anchoring) or appends its own events; the row triggers'' WHEN clauses skip those writes, which the substrate checks and records itself.';
COMMENT ON FUNCTION foray.may_have_waiters(text) IS 'Whether the transaction may hold pending components, as far as this session''s writes under the transaction''s lock show (one index probe per SQL transaction).  The components'' AFTER INSERT trigger fires only when it does: a component arriving usable has nothing to unblock otherwise.';
COMMENT ON FUNCTION foray.foray_statement_end() IS 'At the end of each statement: every touched transaction''s lifecycle follows its components (open / ready_to_anchor), and the statement''s events are appended to transaction_events.';
COMMENT ON FUNCTION foray.foray_memory_events_guard() IS 'The event log''s rules, on its two tables and its view (the table by the trigger''s argument): refuses UPDATE, DELETE and TRUNCATE, events of an unregistered kind, and substrate-kind events not written by the substrate; numbers every event (event_id, and seq per transaction); routes an INSERT into foray.memory_events to the table of its subject.';

-- transactions
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_transactions
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_transactions_before('foray_transactions');
CREATE TRIGGER foray_20_after AFTER INSERT ON foray.foray_transactions
	FOR EACH ROW EXECUTE FUNCTION foray.foray_transactions_after('foray_transactions');
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end('foray_transactions');

-- components
-- (the substrate's own status writes skip the row triggers: readiness.c
-- writes their events itself; an AFTER ROW trigger would re-fetch both
-- versions of every row it changes)
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_before('foray_components');
CREATE TRIGGER foray_20_after AFTER UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_after('foray_components');
CREATE TRIGGER foray_21_after_insert AFTER INSERT ON foray.foray_components
	FOR EACH ROW WHEN (NEW.status::text <> 'pending' AND foray.may_have_waiters(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_components_after('foray_components');
CREATE CONSTRAINT TRIGGER foray_30_refs AFTER INSERT OR UPDATE ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.status::text = 'pending')
	EXECUTE FUNCTION foray.foray_components_check_refs('foray_components');
CREATE CONSTRAINT TRIGGER foray_40_removal AFTER DELETE ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_components_check_removal('foray_components');
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_components
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end('foray_components');

-- attestations
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_before('foray_attestations');
CREATE TRIGGER foray_20_after AFTER INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_after('foray_attestations');
CREATE CONSTRAINT TRIGGER foray_30_refs AFTER INSERT OR UPDATE ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_check_refs('foray_attestations');
CREATE CONSTRAINT TRIGGER foray_40_removal AFTER DELETE ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_check_removal('foray_attestations');
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end('foray_attestations');

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

-- the registry of kinds only grows
CREATE FUNCTION foray.foray_event_kinds_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_event_kinds_guard' LANGUAGE C;
COMMENT ON FUNCTION foray.foray_event_kinds_guard() IS 'Refuses removing or renaming a registered event kind (LOG-003); only its description may change.';
CREATE TRIGGER foray_10_grow_only BEFORE UPDATE OR DELETE ON foray.event_kinds
	FOR EACH ROW EXECUTE FUNCTION foray.foray_event_kinds_guard('event_kinds');
CREATE TRIGGER foray_11_grow_only BEFORE TRUNCATE ON foray.event_kinds
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_event_kinds_guard('event_kinds');

-- ---------------------------------------------------------------------
-- Registering the engine's event kinds.
-- ---------------------------------------------------------------------

-- SECURITY DEFINER: the application registers kinds without any privilege
-- on event_kinds, which would let it add substrate kinds or re-describe
-- them.  Everything in the body is schema-qualified.
CREATE FUNCTION foray.register_event_kind(event_kind pg_catalog.text, description pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE STRICT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO foray.event_kinds (event_kind, origin, description)
	VALUES ($1, 'engine'::pg_catalog.text, $2)
	ON CONFLICT ON CONSTRAINT event_kinds_pkey
	DO UPDATE SET description = EXCLUDED.description
	WHERE foray.event_kinds.origin OPERATOR(pg_catalog.=) 'engine'::pg_catalog.text;
$$;
COMMENT ON FUNCTION foray.register_event_kind(text, text) IS
'Registers (or re-describes) a Loomworks engine event kind, lower_snake_case, so memory_events accepts it.  Substrate kinds cannot be redefined.  Runs as the extension''s owner: foray_application needs no privilege on event_kinds (docs/roles.md).';

