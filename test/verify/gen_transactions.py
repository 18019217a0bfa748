#!/usr/bin/env python3
"""Random FORAY v4.1 documents covering every shape the substrate stores,
as SQL for the foray-verify agreement suite (test/suites/75_foray_verify.sh).

    gen_transactions.py PREFIX COUNT SEED > file.sql

Each document is imported with foray.import_document (content rules
admitted); the shapes: all four component types and attestations (with
typed refs, dependencies, subject_refs between attestations), audit data
on some members and an audit_data_anchor on some transactions, empty
trees, component ids with non-ASCII characters (UTF-8 byte order differs
from UTF-16 order there) and ids that are prefixes of others, member
names whose RFC 8785 order is not their UTF-8 order, string escapes,
numbers in every spelling whose canonical form keeps their value (1E2,
4.50e1, -0.0, 1e21, 5e-324, 2^53, ...), deep nesting, top-level fields the
commitment does not cover.  Deterministic for a seed.
"""
import random
import sys

from fvjson import Num, dumps

# numbers whose canonical (RFC 8785) form has the same value: the
# substrate accepts them (docs/hashing.md section 3)
TRICKY = ['0', '-0', '-0.0', '1', '-1', '1.0', '1E2', '4.50e1', '50.00', '0.1', '0.2',
          '0.30000000000000004', '1e21', '1e-7', '9.999999999999997e-7', '123456789012345',
          '9007199254740992', '-9007199254740992', '1.7976931348623157e308', '5e-324',
          '2.2250738585072014e-308', '100000000000000000000', '0.000001', '1e-6', '2.5e-5',
          '333.33', '47.50', '1e+2', '0E0', '12.5E-1', '1000000', '3.14159', '-273.15']
# member names whose UTF-16 order differs from their UTF-8 order, escapes
NAMES = ['a', 'b', 'B', '_x', 'z9', '\u00e9', '\u20ac', '\U0001F600', '\ue000', '\uffff',
         'a b', 'quote"d', 'back\\slash', 'tab\tname', 'ctl\u001f', '\u4e2d\u6587', 'A\u030a',
         'amount', 'currency_note', 'details', 'line\nbreak', '', 'emoji\U0001F4A9x']
STRINGS = ['', 'plain', 'caf\u00e9', '\u00c5', 'A\u030a', '\U0001F600 smile', '\ue000',
           'quote " and \\ backslash', 'ctl \u0001\u001f\u007f', 'new\nline\ttab',
           '\u2028\u2029', '</script>', 'x' * 300, '\u4e2d\u6587\u5b57']
ID_TAILS = ['1', '10', '1a', '2', 'A', 'a', 'Z_9', '\u00e9t\u00e9', '\U0001F600', '\ue000x',
            '\u4e2d', 'x.y-z:w', 'long_' + 'q' * 150, '00', '0']
TIMESTAMPS = ['2026-01-25T14:30:00Z', '2026-01-25T14:30:00.123Z', '2026-01-25T14:30:00+05:30',
              '2026-01-25', '2026-01-25 14:30', '2025-12-31T23:59:59.999999-08:00',
              '2024-02-29T00:00:00Z']


def value(rng, depth):
    r = rng.random()
    if depth > 6 or r < 0.35:
        k = rng.randrange(6)
        if k == 0:
            return Num(rng.choice(TRICKY))
        if k == 1:
            return rng.choice(STRINGS)
        if k == 2:
            return rng.choice([True, False, None])
        return Num(str(rng.randrange(-10**6, 10**6)) if k == 3 else
                   '%d.%02d' % (rng.randrange(10**5), rng.randrange(100)))
    if r < 0.65:
        return [value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(NAMES) + (str(i) if rng.random() < 0.3 else ''): value(rng, depth + 1)
            for i in range(rng.randrange(5))}


def deep(n):
    v = Num('1')
    for i in range(n):
        v = [v] if i % 2 else {'d': v}
    return v


def extras(rng, core):
    for _ in range(rng.randrange(4)):
        name = rng.choice(NAMES)
        if name not in core:
            core[name] = value(rng, 1)
    if rng.random() < 0.05:
        core['deep'] = deep(rng.randrange(20, 60))


def pick(rng, ids, most):
    if not ids:
        return []
    return rng.sample(ids, rng.randrange(min(len(ids), most) + 1))


def make_ids(rng, prefix, n):
    ids = []
    tails = list(ID_TAILS)
    rng.shuffle(tails)
    for i in range(n):
        tail = tails[i] if i < len(tails) else 'n%d' % i
        ids.append(prefix + '_' + tail)
    return ids


def document(rng, txid):
    counts = [rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(4)]
    if sum(counts) == 0:
        counts[3] = 1
    arr, acc, ant, act = (make_ids(rng, p, n) for p, n in zip(['ARR', 'ACC', 'ANT', 'ACT'], counts))
    doc = {
        'transaction_id': txid,
        'schema_version': '4.1',
        'timestamp': rng.choice(TIMESTAMPS),
        'foray_core': {'entity': rng.choice(STRINGS[1:]), 'transaction_type': 'generated',
                       'status': rng.choice(['active', 'completed', 'reversed']),
                       'total_value': Num(rng.choice(TRICKY)), 'currency': 'USD',
                       'compliance_flags': ['SOX', '\u00e9']},
    }
    extras(rng, doc['foray_core'])

    def member(mid, core):
        extras(rng, core)
        m = {'id': mid, 'foray_core': core}
        if rng.random() < 0.3:
            m['audit_data'] = {'source': rng.choice(STRINGS), 'n': Num(rng.choice(TRICKY)),
                               'more': value(rng, 2)}
        return m

    doc['arrangements'] = [member(i, {'parties': ['P1', 'P2'], 'dependencies': []}) for i in arr]
    doc['accruals'] = [member(i, {'arrangement_refs': pick(rng, arr, 2), 'output': Num(rng.choice(TRICKY)),
                                  'dependencies': pick(rng, arr, 1)}) for i in acc]
    doc['anticipations'] = [member(i, {'arrangement_refs': pick(rng, arr, 2), 'accrual_refs': pick(rng, acc, 2),
                                       'probability_factor': Num('0.5'), 'expected_date': '2027-01-01',
                                       'dependencies': []}) for i in ant]
    doc['actions'] = [member(i, {'arrangement_refs': pick(rng, arr, 1), 'accrual_refs': pick(rng, acc, 2),
                                 'anticipation_refs': pick(rng, ant, 2),
                                 'amount_settled': Num(rng.choice(TRICKY)), 'currency': 'USD',
                                 'settlement_status': 'completed', 'allocations': [],
                                 'dependencies': []}) for i in act]
    atts = make_ids(rng, 'ATT', rng.choice([0, 0, 0, 1, 2, 3]))
    if atts:
        doc['attestations'] = []
        comps = arr + acc + ant + act
        for k, a in enumerate(atts):
            core = {'attestor': 'Lab', 'attestor_hash': 'sha256:' + '%064x' % rng.getrandbits(256),
                    'attestor_type': rng.choice(['laboratory', 'auditor', 'oracle']),
                    'attestation_type': rng.choice(['inspection', 'analysis', 'verification']),
                    'outcome': rng.choice(['certified', 'approved', 'pending']),
                    'attestation_date': rng.choice(['2025-06-01', '2025-06-01T10:00:00Z']),
                    'subject_refs': (pick(rng, comps, 2) + pick(rng, atts[:k], 1)) or comps[:1],
                    'dependencies': pick(rng, atts[:k], 1)}
            if rng.random() < 0.3:
                core['validity_period'] = {'start': '2025-01-01', 'end': '2030-01-01'}
            doc['attestations'].append(member(a, core))
    for key in ('arrangements', 'accruals', 'anticipations', 'actions'):
        rng.shuffle(doc[key])          # document order is not leaf order
    if rng.random() < 0.4:
        doc['audit_data_anchor'] = {'system': 'ERP', 'batch': Num(str(rng.randrange(1000))),
                                    'note': rng.choice(STRINGS)}
    if rng.random() < 0.3:
        doc['privacy_metadata'] = {'formulas_obfuscated': Num('0')}
    if rng.random() < 0.2:
        doc['source_system'] = 'generator'
    return doc


def main():
    prefix, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    print('\\set ON_ERROR_STOP 1')
    for i in range(count):
        doc = document(rng, '%s_%04d' % (prefix, i))
        text = dumps(doc)
        tag = '$fv%d$' % i
        assert tag not in text
        print('SELECT (foray.import_document(%s%s%s::jsonb, admit_content_violations => true))->>\'status\';'
              % (tag, text, tag))


if __name__ == '__main__':
    main()
