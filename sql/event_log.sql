-- memory_events: the append-only log, the substrate's events and the
-- Loomworks engine's MemoryObject events, with one actor convention.
\set SHOW_CONTEXT never
\set VERBOSITY default

-- the engine registers its kinds (lower_snake_case); substrate kinds are built in
SELECT foray.register_event_kind('engagement_committed', 'An engagement was committed by its operator.');
SELECT foray.register_event_kind('setting_change', 'A person changed a setting.');
SELECT event_kind, origin FROM foray.event_kinds WHERE event_kind IN ('engagement_committed', 'setting_change', 'COMPONENT_CREATED') ORDER BY 1;
\set VERBOSITY terse
-- kinds are spelled by their origin's convention
SELECT foray.register_event_kind('EngagementCommitted', 'camel case');
INSERT INTO foray.event_kinds (event_kind, origin, description) VALUES ('component_created', 'substrate', 'wrong case');
-- an engine kind cannot redefine a substrate kind
SELECT foray.register_event_kind('COMPONENT_CREATED', 'hijack');

\set VERBOSITY default
-- an engine event about a MemoryObject
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
								 object_version, engagement_version, actor_kind, actor_id, payload)
VALUES ('engagement_committed', 'MEMORY_OBJECT', 'a0000000-0000-0000-0000-000000000001',
		'00000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-000000000001', 'Engagement',
		3, 17, 'person', 'b0000000-0000-0000-0000-00000000000b', '{"title": "Commons"}');
-- an institution acts under its name, a person under a UUID
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
								 object_version, actor_kind, actor_id)
VALUES ('setting_change', 'MEMORY_OBJECT', 'a0000000-0000-0000-0000-000000000002',
		'00000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-000000000002', 'Setting',
		1, 'institution', 'dunin7');
SELECT event_kind, subject_kind, object_type, object_version, actor_kind, actor_id
  FROM foray.memory_events WHERE engagement_id IS NOT NULL ORDER BY event_id;

-- refusing (terse: the failing row would show the event's id and time)
\set VERBOSITY terse
-- an unknown kind, an unknown actor kind, a person without a UUID,
-- a MemoryObject event without its object, a version already written
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('made_up_kind', 'TRANSACTION', 'T', 'T', 'system', 'app');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('COMPONENT_CREATED', 'COMPONENT', 'ACT_1', 'T', 'robot', 'r2');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('setting_change', 'COMPONENT', 'ACT_1', 'T', 'person', 'alice');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, actor_kind, actor_id)
VALUES ('setting_change', 'MEMORY_OBJECT', 'x', 'system', 'app');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
								 object_version, actor_kind, actor_id)
VALUES ('setting_change', 'MEMORY_OBJECT', 'a0000000-0000-0000-0000-000000000002',
		'00000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-000000000002', 'Setting',
		1, 'system', 'app');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id, payload)
VALUES ('setting_change', 'COMPONENT', 'ACT_1', 'T', 'system', 'app', '[]');
\set VERBOSITY default
-- the substrate's own kinds cannot be forged, not even by the owner
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('COMPONENT_CREATED', 'COMPONENT', 'ACT_1', 'T', 'system', 'app');

-- an application role needs no privilege on the log to cause events: the
-- substrate writes them, as the log's owner, naming the role as the actor
CREATE ROLE foray_regress_app;
GRANT USAGE ON SCHEMA foray TO foray_regress_app;
GRANT SELECT, INSERT ON foray.foray_transactions, foray.foray_components TO foray_regress_app;
GRANT SELECT ON foray.memory_events TO foray_regress_app;
SET ROLE foray_regress_app;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('LOG_APP', '2026-05-01', '{"entity": "App", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('LOG_APP', 'ARR_1', 'ARR', '{}');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('setting_change', 'TRANSACTION', 'LOG_APP', 'LOG_APP', 'system', 'app');
RESET ROLE;
SELECT event_kind, actor_kind, actor_id FROM foray.memory_events WHERE transaction_id = 'LOG_APP' ORDER BY event_id;
DELETE FROM foray.foray_components WHERE transaction_id = 'LOG_APP';
DELETE FROM foray.foray_transactions WHERE transaction_id = 'LOG_APP';
REVOKE ALL ON foray.foray_transactions, foray.foray_components, foray.memory_events FROM foray_regress_app;
REVOKE ALL ON SCHEMA foray FROM foray_regress_app;
DROP ROLE foray_regress_app;

-- append-only, for the owner too: the view, and the two tables under it
UPDATE foray.memory_events SET payload = '{}' WHERE event_kind = 'setting_change';
DELETE FROM foray.memory_events WHERE event_kind = 'setting_change';
UPDATE foray.engine_events SET payload = '{}' WHERE event_kind = 'setting_change';
DELETE FROM foray.transaction_events WHERE transaction_id = 'LOG_APP';
TRUNCATE foray.transaction_events;
TRUNCATE foray.engine_events;
SELECT count(*) FROM foray.memory_events WHERE event_kind = 'setting_change';

-- the registry of kinds only grows: no removing or renaming, rewording is fine
DELETE FROM foray.event_kinds WHERE event_kind = 'setting_change';
UPDATE foray.event_kinds SET event_kind = 'setting_changed' WHERE event_kind = 'setting_change';
UPDATE foray.event_kinds SET origin = 'substrate' WHERE event_kind = 'setting_change';
TRUNCATE foray.event_kinds;
SELECT foray.register_event_kind('setting_change', 'A person changed one of their settings.');
SELECT event_kind, origin, description FROM foray.event_kinds WHERE event_kind = 'setting_change';

-- a kind registered in a transaction that rolls back is not registered
-- afterwards, even in the session that saw it (the kind cache forgets)
BEGIN;
SELECT foray.register_event_kind('fleeting_kind', 'Rolled back.');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('fleeting_kind', 'TRANSACTION', 'T', 'T', 'system', 'app');
ROLLBACK;
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('fleeting_kind', 'TRANSACTION', 'T', 'T', 'system', 'app');
BEGIN;
SAVEPOINT s;
SELECT foray.register_event_kind('fleeting_kind', 'Rolled back to a savepoint.');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('fleeting_kind', 'TRANSACTION', 'T', 'T', 'system', 'app');
ROLLBACK TO SAVEPOINT s;
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('fleeting_kind', 'TRANSACTION', 'T', 'T', 'system', 'app');
ROLLBACK;
SELECT count(*) AS fleeting_events FROM foray.memory_events WHERE event_kind = 'fleeting_kind';

-- Two tables under the view (docs/scale-out.md): the events about a FORAY
-- transaction, its components and attestations in transaction_events,
-- numbered 1, 2, 3 ... per transaction (transaction_seq, without gaps), the
-- engine's MemoryObject events in engine_events.
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('LOG_SEQ', '2026-05-02', '{"entity": "Seq", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('LOG_SEQ', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}'), ('LOG_SEQ', 'ARR_1', 'ARR', '{}');
COMMIT;
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('setting_change', 'COMPONENT', 'ACC_1', 'LOG_SEQ', 'system', 'app')
RETURNING event_kind, transaction_seq, event_id IS NOT NULL AS numbered;
SELECT transaction_seq, event_kind, subject_id FROM foray.memory_events
 WHERE transaction_id = 'LOG_SEQ' ORDER BY transaction_seq;
-- in event_id order, each table holding its own
SELECT bool_and(s = r) AS seq_follows_event_id FROM (
	SELECT transaction_seq AS s, row_number() OVER (ORDER BY event_id) AS r
	  FROM foray.memory_events WHERE transaction_id = 'LOG_SEQ') x;
SELECT (SELECT count(*) FROM foray.transaction_events WHERE transaction_id = 'LOG_SEQ') AS transaction_events,
	   (SELECT count(*) FROM foray.engine_events WHERE subject_kind = 'MEMORY_OBJECT') AS engine_events,
	   (SELECT count(*) FROM foray.engine_events WHERE transaction_id IS NOT NULL) AS engine_events_with_tx;
-- the substrate numbers every event, whatever the writer gives (LOG-004),
-- even in a direct write to a table by its owner
INSERT INTO foray.transaction_events (event_id, seq, event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES (999999, 1, 'setting_change', 'TRANSACTION', 'LOG_SEQ', 'LOG_SEQ', 'system', 'owner')
RETURNING seq, event_id <> 999999 AS id_drawn;
-- a rolled-back event (or savepoint) leaves no gap
BEGIN;
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('setting_change', 'TRANSACTION', 'LOG_SEQ', 'LOG_SEQ', 'system', 'app');
ROLLBACK;
BEGIN;
SAVEPOINT s;
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'LOG_SEQ' AND component_id = 'ARR_1';
ROLLBACK TO SAVEPOINT s;
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('setting_change', 'TRANSACTION', 'LOG_SEQ', 'LOG_SEQ', 'system', 'app')
RETURNING transaction_seq;
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'LOG_SEQ' AND component_id = 'ARR_1';
COMMIT;
SELECT string_agg(transaction_seq::text, ',' ORDER BY transaction_seq) AS seqs,
	   count(*) = max(transaction_seq) AS no_gap
  FROM foray.memory_events WHERE transaction_id = 'LOG_SEQ';
-- an event about a transaction names it; a MemoryObject event its engagement
\set VERBOSITY terse
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, actor_kind, actor_id)
VALUES ('setting_change', 'COMPONENT', 'ACC_1', 'system', 'app');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, object_id, object_type, object_version, actor_kind, actor_id)
VALUES ('setting_change', 'MEMORY_OBJECT', 'a0000000-0000-0000-0000-000000000009', 'a0000000-0000-0000-0000-000000000009', 'Setting', 1, 'system', 'app');
\set VERBOSITY default
-- (LOG_SEQ's events stay in the log; the transaction goes)
DELETE FROM foray.foray_transactions WHERE transaction_id = 'LOG_SEQ';
