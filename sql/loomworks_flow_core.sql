-- foray.loomworks_flow_core: the foray_core of a component migrated from a
-- legacy credit.foray_action_flows row.  Expected objects written by hand
-- from the mapping in docs/migration.md (token accrual: inputs with the rate
-- the script found and where, output = tokens x rate / 10^6, the currency
-- the script decided; action: type, description, settlement fields,
-- counterparty, account_status; both: the flow object; JSON nulls left out).
SELECT name, foray.loomworks_flow_core(t, ft, a, qty, fp, fk, tp, tk, ts, m, r, rate, src, cur) = expected::jsonb AS as_mapped
FROM (VALUES
	('token accrual, rate from its metadata',
	 'ACC', 'consumption', 'anthropic_tokens', 1500.000000, '0bcdef01-2345-6789-abcd-ef0123456789', 'person', 'anthropic', 'institution',
	 '2026-01-02T03:04:05.000006Z',
	 '{"role": "classifier", "direction": "input", "model": "claude-haiku-4", "rate_per_million": 250, "credit_asset": "loomworks_credit_haiku", "turn_id": "t1"}'::jsonb,
	 NULL::text[], 250::numeric, 'metadata', 'loomworks_credit_haiku',
	 '{"type": "token_consumption", "description": "classifier input tokens, claude-haiku-4", "computation_method": "Calculated",
	   "inputs": {"tokens": 1500, "rate_per_million": 250, "rate_source": "metadata", "model": "claude-haiku-4", "role": "classifier", "direction": "input"},
	   "output": 0.375, "currency": "loomworks_credit_haiku", "arrangement_refs": [], "dependencies": [],
	   "flow": {"flow_type": "consumption", "asset_id": "anthropic_tokens", "quantity": "1500.000000",
				"from_party": {"kind": "person", "id": "0bcdef01-2345-6789-abcd-ef0123456789"},
				"to_party": {"kind": "institution", "id": "anthropic"}, "created_at": "2026-01-02T03:04:05.000006Z"}}'),
	('token accrual, rate from the rate table (trailing zeros dropped), metadata null',
	 'ACC', 'consumption', 'anthropic_tokens', 1234.000000, 'p', 'person', 'anthropic', 'institution', 'T',
	 NULL, NULL, 80.000000, 'rate_table', 'loomworks_credit_sonnet',
	 '{"type": "token_consumption", "description": "tokens,", "computation_method": "Calculated",
	   "inputs": {"tokens": 1234, "rate_per_million": 80, "rate_source": "rate_table"},
	   "output": 0.09872, "currency": "loomworks_credit_sonnet", "arrangement_refs": [], "dependencies": [],
	   "flow": {"flow_type": "consumption", "asset_id": "anthropic_tokens", "quantity": "1234.000000",
				"from_party": {"kind": "person", "id": "p"}, "to_party": {"kind": "institution", "id": "anthropic"}, "created_at": "T"}}'),
	('token accrual without rate or currency: nulls left out at depth, no output; the metadata rate is not read',
	 'ACC', 'consumption', 'anthropic_tokens', 10, 'p', 'person', 'anthropic', 'institution', 'T',
	 '{"role": null, "model": {"name": "m", "v": null, "l": [null]}, "rate_per_million": "250", "credit_asset": "c"}', NULL, NULL, NULL, NULL,
	 '{"type": "token_consumption", "description": "tokens, {\"l\": [null], \"v\": null, \"name\": \"m\"}", "computation_method": "Calculated",
	   "inputs": {"tokens": 10, "model": {"name": "m", "l": [null]}}, "arrangement_refs": [], "dependencies": [],
	   "flow": {"flow_type": "consumption", "asset_id": "anthropic_tokens", "quantity": "10",
				"from_party": {"kind": "person", "id": "p"}, "to_party": {"kind": "institution", "id": "anthropic"}, "created_at": "T"}}'),
	('credit debit naming its accruals (rate, source and currency ignored)',
	 'ACT', 'consumption', 'loomworks_credit_haiku', 0.375000, 'p', 'person', 'dunin7', 'institution', 'T', '{}',
	 ARRAY['ACC_TOKENS_a', 'ACC_TOKENS_b'], 5, 'metadata', 'x',
	 '{"type": "credit_debit", "description": "consumption of 0.375 loomworks_credit_haiku from p to dunin7",
	   "accrual_refs": ["ACC_TOKENS_a", "ACC_TOKENS_b"], "amount_settled": 0.375, "currency": "loomworks_credit_haiku",
	   "settlement_date": "T", "settlement_status": "completed", "payment_method": "other", "counterparty": "dunin7", "dependencies": [],
	   "flow": {"flow_type": "consumption", "asset_id": "loomworks_credit_haiku", "quantity": "0.375000",
				"from_party": {"kind": "person", "id": "p"}, "to_party": {"kind": "institution", "id": "dunin7"}, "created_at": "T"}}'),
	('account suspension',
	 'ACT', 'suspension', 'loomworks_account_status', 1.000000, 'dunin7', 'institution', 'p', 'person', 'T',
	 '{"reason": "inactivity_evaluator", "previous_status": "active", "new_status": "suspended"}', NULL, NULL, NULL, NULL,
	 '{"type": "account_suspension", "description": "suspension of 1 loomworks_account_status from dunin7 to p",
	   "accrual_refs": [], "amount_settled": 1, "currency": "loomworks_account_status",
	   "settlement_date": "T", "settlement_status": "completed", "payment_method": "other", "counterparty": "dunin7",
	   "account_status": {"previous": "active", "new": "suspended"}, "dependencies": [],
	   "flow": {"flow_type": "suspension", "asset_id": "loomworks_account_status", "quantity": "1.000000",
				"from_party": {"kind": "institution", "id": "dunin7"}, "to_party": {"kind": "person", "id": "p"}, "created_at": "T"}}'),
	('issuance without metadata: accrual_refs only for a debit',
	 'ACT', 'issuance', 'loomworks_credit_sonnet', 20.500000, 'dunin7', 'institution', 'p', 'person', 'T', NULL, ARRAY['ACC_TOKENS_x'],
	 NULL, NULL, NULL,
	 '{"type": "credit_issuance", "description": "issuance of 20.5 loomworks_credit_sonnet from dunin7 to p",
	   "accrual_refs": [], "amount_settled": 20.5, "currency": "loomworks_credit_sonnet",
	   "settlement_date": "T", "settlement_status": "completed", "payment_method": "other", "counterparty": "dunin7", "dependencies": [],
	   "flow": {"flow_type": "issuance", "asset_id": "loomworks_credit_sonnet", "quantity": "20.500000",
				"from_party": {"kind": "institution", "id": "dunin7"}, "to_party": {"kind": "person", "id": "p"}, "created_at": "T"}}')
) AS v(name, t, ft, a, qty, fp, fk, tp, tk, ts, m, r, rate, src, cur, expected);

-- what it refuses
SELECT foray.loomworks_flow_core('ARR', 'issuance', 'a', 1, 'p', 'person', 'q', 'person', 'T', '{}', NULL, NULL, NULL, NULL);
SELECT foray.loomworks_flow_core('ACT', 'issuance', 'a', NULL, 'p', 'person', 'q', 'person', 'T', '{}', NULL, NULL, NULL, NULL);
SELECT foray.loomworks_flow_core('ACT', 'issuance', 'a', 1, NULL, 'person', 'q', 'person', 'T', '{}', NULL, NULL, NULL, NULL);
SELECT foray.loomworks_flow_core('ACT', 'issuance', 'a', 'NaN', 'p', 'person', 'q', 'person', 'T', '{}', NULL, NULL, NULL, NULL);
SELECT foray.loomworks_flow_core('ACC', 'consumption', 'a', 1, 'p', 'person', 'q', 'person', 'T', '{}', NULL, -1, 'metadata', NULL);
SELECT foray.loomworks_flow_core('ACC', 'consumption', 'a', 1, 'p', 'person', 'q', 'person', 'T', '{}', NULL, 'NaN', 'metadata', NULL);
SELECT foray.loomworks_flow_core('ACC', 'consumption', 'a', 1, 'p', 'person', 'q', 'person', 'T', '{}', NULL, 'Infinity', 'metadata', NULL);
