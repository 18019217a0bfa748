-- ---------------------------------------------------------------------
-- The bundle: everything an outsider needs to check a transaction with no
-- database, for foray-verify (docs/bundle.md, docs/foray-verify.md).
-- Built from the substrate's own SQL functions (export_document,
-- anchor_envelope, inclusion_proof), so it says exactly what they say.
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.export_bundle(tx text, disclose text[] DEFAULT NULL,
	with_document boolean DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
	env pg_catalog.jsonb;
	bundle pg_catalog.jsonb;
	members pg_catalog.jsonb;
	disclosed pg_catalog.jsonb := '[]';
	d record;
	c record;
BEGIN
	IF tx IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT x.lifecycle::pg_catalog.text AS lifecycle, x.merkle_root, x.blockchain_anchor INTO t
	  FROM foray.foray_transactions x
	 WHERE x.transaction_id OPERATOR(pg_catalog.=) tx;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'transaction "%" does not exist', tx USING ERRCODE = '22R54';
	END IF;

	bundle := jsonb_build_object('bundle_version', 1, 'transaction_id', tx, 'lifecycle', t.lifecycle);

	-- the whole document, and the hashes the triggers recorded for each
	-- member (leaf order: trees in order, ids bytewise), unless only some
	-- components are disclosed
	IF coalesce(with_document, disclose IS NULL) THEN
		SELECT coalesce(jsonb_agg(m.entry ORDER BY m.tree, m.id COLLATE pg_catalog."C"), '[]'::pg_catalog.jsonb) INTO members
		  FROM (SELECT CASE k.component_type::pg_catalog.text WHEN 'ARR' THEN 0 WHEN 'ACC' THEN 1
						   WHEN 'ANT' THEN 2 ELSE 3 END AS tree,
					   k.component_id AS id,
					   jsonb_build_object('type', k.component_type::pg_catalog.text, 'id', k.component_id,
										  'component_hash', coalesce(k.component_hash, foray.foray_hash(k.foray_core)))
					   OPERATOR(pg_catalog.||)
					   CASE WHEN k.audit_data IS NULL OR jsonb_typeof(k.audit_data) OPERATOR(pg_catalog.=) 'null'
							THEN '{}'::pg_catalog.jsonb
							ELSE jsonb_build_object('audit_data_hash', foray.foray_hash(k.audit_data)) END AS entry
				  FROM foray.foray_components k
				 WHERE k.transaction_id OPERATOR(pg_catalog.=) tx
				UNION ALL
				SELECT 4, a.attestation_id,
					   jsonb_build_object('type', 'ATT', 'id', a.attestation_id,
										  'component_hash', coalesce(a.attestation_hash, foray.foray_hash(a.foray_core)))
					   OPERATOR(pg_catalog.||)
					   CASE WHEN a.audit_data IS NULL OR jsonb_typeof(a.audit_data) OPERATOR(pg_catalog.=) 'null'
							THEN '{}'::pg_catalog.jsonb
							ELSE jsonb_build_object('audit_data_hash', foray.foray_hash(a.audit_data)) END
				  FROM foray.foray_attestations a
				 WHERE a.transaction_id OPERATOR(pg_catalog.=) tx) AS m;
		bundle := bundle OPERATOR(pg_catalog.||)
			jsonb_build_object('document', foray.export_document(tx), 'members', members);
	END IF;

	-- what the anchor service puts (or put) on chain, and its hash
	IF t.lifecycle OPERATOR(pg_catalog.<>) 'open' THEN
		env := foray.anchor_envelope(tx);
		bundle := bundle OPERATOR(pg_catalog.||)
			jsonb_build_object('envelope', env, 'envelope_sha256', foray.foray_hash(env));
	END IF;

	-- the anchor record: where the chain holds it
	IF t.lifecycle IN ('anchored', 'sealed') THEN
		bundle := bundle OPERATOR(pg_catalog.||)
			jsonb_build_object('anchor', t.blockchain_anchor OPERATOR(pg_catalog.||)
								 jsonb_build_object('merkle_root', t.merkle_root));
	END IF;

	-- chosen components: their foray_core and inclusion proof
	IF disclose IS NOT NULL THEN
		FOR d IN SELECT u.id FROM unnest(disclose) WITH ORDINALITY AS u(id, ord) ORDER BY u.ord LOOP
			SELECT x.type, x.core INTO c
			  FROM (SELECT k.component_type::pg_catalog.text AS type, k.foray_core AS core
					  FROM foray.foray_components k
					 WHERE k.transaction_id OPERATOR(pg_catalog.=) tx
					   AND k.component_id OPERATOR(pg_catalog.=) d.id
					UNION ALL
					SELECT 'ATT', a.foray_core
					  FROM foray.foray_attestations a
					 WHERE a.transaction_id OPERATOR(pg_catalog.=) tx
					   AND a.attestation_id OPERATOR(pg_catalog.=) d.id) AS x;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'transaction "%" has no component or attestation "%"', tx, d.id
					USING ERRCODE = '22R54';
			END IF;
			disclosed := disclosed OPERATOR(pg_catalog.||)
				jsonb_build_array(jsonb_build_object('id', d.id, 'type', c.type, 'foray_core', c.core,
													 'proof', foray.inclusion_proof(tx, d.id)));
		END LOOP;
		bundle := bundle OPERATOR(pg_catalog.||) jsonb_build_object('disclosed', disclosed);
	END IF;
	RETURN bundle;
END
$$;
COMMENT ON FUNCTION foray.export_bundle(text, text[], boolean) IS
'Everything an outsider needs to check the transaction with no database, as one JSON object for foray-verify (docs/bundle.md): the FORAY document (export_document) with the hash the substrate recorded for each component and attestation, the anchor envelope (unless open) and envelope_sha256, the anchor record (anchored or sealed), and for each id in disclose its foray_core and inclusion proof.  With disclose, the document is withheld unless with_document.  22R54 for an unknown transaction or id.';
