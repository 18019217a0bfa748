-- foray.loomworks_content_hash / loomworks_json_dumps reproduce Loomworks'
-- legacy content_hash: sha256 hex of Python json.dumps(payload minus _foray,
-- sort_keys=True).  Expected digests computed with CPython 3.11's json and
-- hashlib (independent of this code).
SELECT name, foray.loomworks_content_hash(doc::jsonb) = python_sha256 AS matches_python
FROM (VALUES
	('flat', '{"b": 1, "a": "x"}', '385820f0096fd558f4091319e7fa742cebf877dc3baca180981889f1c40eca84'),
	('foray block excluded', '{"title": "T", "_foray": {"anchorable": true, "content_hash": "abc"}}', '26968d132481bc09e3ab7fdb716952c9de136194573c23a5fe97f4b99a91b6a3'),
	('nested _foray kept', '{"inner": {"_foray": 1}}', 'c55d4595bf6edb67ff46c7f3cc13a13ef4233d8b1b0324011d01779f838963f3'),
	('floats as python repr', '{"c": 0.70, "d": 150.0, "e": 0.000015, "f": 1e-7, "g": 123456789.125}', '33cde023628112f1a22d5cf5fbadb9d49e1f787cffa99eeb58d4a756a7a23768'),
	('non-ascii escaped', '{"s": "caf\u00e9 \u2014 \ud83e\uddf5 \u007f tab\there"}', '658f3e5c459914f2f4ac5d5bdbddb1dbd977242f2556138fdd93a164f4ae3115'),
	('keys by code point', '{"\u00e9": 1, "z": 2, "Z": 3, "aa": 4, "a": 5, "\ud83d\ude00": 6, "\uffff": 7}', 'ae9927ce87199dc0500702dbbf0c2b70d67f6b7fb8389c69121d3ebba452d2f8'),
	('arrays and literals', '{"l": [1, [2, []], {}, null, true, false, "q\"uote\\"]}', '5f4412030eee17278862ca45e26d3a562f1767965df29ea346ad3d43393a26f7')
) AS t(name, doc, python_sha256);

-- the text that was hashed (python json.dumps of the whole payload)
SELECT name, foray.loomworks_json_dumps(doc::jsonb) = python_dumps AS matches_python
FROM (VALUES
	('flat', '{"b": 1, "a": "x"}', '{"a": "x", "b": 1}'),
	('foray block excluded', '{"title": "T", "_foray": {"anchorable": true, "content_hash": "abc"}}', '{"_foray": {"anchorable": true, "content_hash": "abc"}, "title": "T"}'),
	('nested _foray kept', '{"inner": {"_foray": 1}}', '{"inner": {"_foray": 1}}'),
	('floats as python repr', '{"c": 0.70, "d": 150.0, "e": 0.000015, "f": 1e-7, "g": 123456789.125}', '{"c": 0.7, "d": 150.0, "e": 1.5e-05, "f": 1e-07, "g": 123456789.125}'),
	('non-ascii escaped', '{"s": "caf\u00e9 \u2014 \ud83e\uddf5 \u007f tab\there"}', '{"s": "caf\u00e9 \u2014 \ud83e\uddf5 \u007f tab\there"}'),
	('keys by code point', '{"\u00e9": 1, "z": 2, "Z": 3, "aa": 4, "a": 5, "\ud83d\ude00": 6, "\uffff": 7}', '{"Z": 3, "a": 5, "aa": 4, "z": 2, "\u00e9": 1, "\uffff": 7, "\ud83d\ude00": 6}'),
	('arrays and literals', '{"l": [1, [2, []], {}, null, true, false, "q\"uote\\"]}', '{"l": [1, [2, []], {}, null, true, false, "q\"uote\\"]}')
) AS t(name, doc, python_dumps);

-- Python wrote floats positionally from 1e-4 to 1e16 and as 1e-05 below;
-- json.dumps([0.1, 2.5, -300.0, 1e-05]) == '[0.1, 2.5, -300.0, 1e-05]'
SELECT foray.loomworks_json_dumps('[0.1, 2.50, -300.0, 1e-05]');
