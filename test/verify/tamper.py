#!/usr/bin/env python3
"""The tampered corpus for foray-verify (issue 19, test/suites/75_foray_verify.sh).

    tamper.py FORAY_VERIFY HONEST_DIR OUT_DIR

From every honest bundle in HONEST_DIR (each must verify) it writes
tampered bundles: each field of each component, each hash, each proof
element, id swaps, renamed and retyped members, reordered arrays where
order matters, removed and added components, changed envelope fields and a
changed anchor record.  Every one must exit 1, and the first failure in the
report must name the place that was changed (its path, an ancestor, or
for a change the bundle cannot attribute offline, the listed alternatives).
Benign changes must still exit 0: key order, whitespace, number spelling
(1 / 1.0 / 1E0), the document's array order (the leaves are sorted by id),
and fields no commitment covers.  Prints "# tampered: N", "# benign: N",
counts per kind, and "not ok" lines; exits 1 on any miss.
"""
import concurrent.futures
import copy
import hashlib
import json
import os
import random
import subprocess
import sys
from decimal import Decimal

from fvjson import Num, loads, dumps

ARRAYS = ['arrangements', 'accruals', 'anticipations', 'actions', 'attestations']
TYPES = ['ARR', 'ACC', 'ANT', 'ACT', 'ATT']


def step(key):
    """A path step as foray-verify writes it (src/core/jcs.c render_step)."""
    if isinstance(key, int):
        return '[%d]' % key
    if 0 < len(key) <= 64 and (key[0].isascii() and (key[0].isalpha() or key[0] == '_')) and \
            all(c.isascii() and (c.isalnum() or c == '_') for c in key):
        return '.' + key
    out = []
    for i, ch in enumerate(key):
        if i == 64:
            out.append('...')
            break
        if ch in '"\\':
            out.append('\\' + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append('\\u%04x' % ord(ch))
        else:
            out.append(ch)
    return '["' + ''.join(out) + '"]'


def jpath(keys):
    return '$' + ''.join(step(k) for k in keys)


def get(v, keys):
    for k in keys:
        v = v[k]
    return v


def put(v, keys, new):
    get(v, keys[:-1])[keys[-1]] = new


def leaves(v, keys=()):
    """Every scalar inside v with its path."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, keys + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(x, keys + (i,))
    else:
        yield keys, v


def changed_scalar(x):
    """A different value (never one whose canonical form would change it)."""
    if isinstance(x, Num):
        return Num('8' if Decimal(x) == 7 else '7')
    if x is True or x is False:
        return not x
    if x is None:
        return Num('0')
    return x + 'x'


def flip_hash(h):
    last = h[-1]
    return h[:-1] + ('0' if last != '0' else '1')


def respell(v):
    """The same JSON value with every number written another way."""
    if isinstance(v, dict):
        return {k: respell(x) for k, x in v.items()}
    if isinstance(v, list):
        return [respell(x) for x in v]
    if isinstance(v, Num):
        d = Decimal(v)
        if d == d.to_integral_value() and abs(d) < 10**15:
            return Num(str(int(d)) + '.0')
        return Num(format(d, 'E').replace('E+', 'e+'))
    return v


class Corpus:
    def __init__(self, fv, out):
        self.fv, self.out = fv, out
        self.n = 0
        self.kinds = {}
        self.failures = []
        self.tampered = 0
        self.benign = 0
        self.skips = {}
        self.pool = concurrent.futures.ThreadPoolExecutor(4)
        self.pending = []
        self.checks = []

    def finish(self):
        for fut, check in zip(self.pending, self.checks):
            check(fut.result())
        self.pool.shutdown()

    def run(self, text, number=None):
        if number is None:
            self.n += 1
            number = self.n
        path = os.path.join(self.out, '%05d.json' % number)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        p = subprocess.run([self.fv, '--json', 'bundle', path], capture_output=True)
        try:
            report = json.loads(p.stdout.decode('utf-8'))
        except ValueError:
            report = {}
        return p.returncode, report, path

    def skipped(self, why):
        self.skips[why] = self.skips.get(why, 0) + 1

    def tampered_case(self, name, kind, bundle, accept):
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.tampered += 1
        self.n += 1
        self.pending.append(self.pool.submit(self.run, dumps(bundle), self.n))
        self.checks.append(lambda res: self.check_tampered(name, kind, accept, *res))

    def check_tampered(self, name, kind, accept, rc, report, path):
        first = (report.get('failures') or [{}])[0].get('path') or ''
        if rc != 1:
            self.failures.append('not ok - %s: %s: exit %d, expected 1 (%s) %s' %
                                 (name, kind, rc, path, report.get('error', '')))
        elif not any(first == a or first.startswith(a + '.') or first.startswith(a + '[')
                     for a in accept):
            self.failures.append('not ok - %s: %s: first failure at %s, expected one of %s (%s)' %
                                 (name, kind, first, accept, path))

    def benign_case(self, name, kind, text):
        self.kinds['benign: ' + kind] = self.kinds.get('benign: ' + kind, 0) + 1
        self.benign += 1
        self.n += 1
        self.pending.append(self.pool.submit(self.run, text, self.n))
        self.checks.append(lambda res: self.check_benign(name, kind, *res))

    def check_benign(self, name, kind, rc, report, path):
        if rc != 0:
            first = (report.get('failures') or [{}])[0]
            self.failures.append('not ok - %s: benign %s: exit %d (%s) %s' % (name, kind, rc, path, first))


def member_paths(b):
    """(path keys, type) of each component and attestation in the bundle's document."""
    doc = b.get('document')
    if not isinstance(doc, dict):
        return []
    out = []
    for t, arr in enumerate(ARRAYS):
        for i, m in enumerate(doc.get(arr, [])):
            out.append((('document', arr, i), t))
    return out


def tamper_bundle(c, name, b, rng):
    members = member_paths(b)
    doc = b.get('document')
    scheme = (doc or {}).get('commitment_scheme', b.get('envelope', {}).get('commitment_scheme', Num('1')))
    scheme = int(Decimal(scheme)) if scheme is not None else 1
    has_env = 'envelope' in b

    def case(kind, keys, new, accept=None):
        t = copy.deepcopy(b)
        put(t, keys, new)
        c.tampered_case(name, kind, t, accept or [jpath(keys)])

    # each field of each component (foray_core and audit_data), capped per
    # member, for up to eight members of each bundle
    for keys, t in (rng.sample(members, 8) if len(members) > 8 else members):
        m = get(b, keys)
        for part in ('foray_core', 'audit_data'):
            if part not in m:
                continue
            spots = list(leaves(m[part], keys + (part,)))
            for lk, x in rng.sample(spots, min(len(spots), 6)):
                case('component field', lk, changed_scalar(x), [jpath(keys + (part,))])
            # a member added to, and one removed from, the object
            if isinstance(m[part], dict):
                t2 = copy.deepcopy(b)
                get(t2, keys + (part,))['tampered'] = Num('1')
                c.tampered_case(name, 'component key added', t2, [jpath(keys + (part,))])
                if m[part]:
                    t2 = copy.deepcopy(b)
                    del get(t2, keys + (part,))[rng.choice(list(m[part].keys()))]
                    c.tampered_case(name, 'component key removed', t2, [jpath(keys + (part,))])
            # order matters inside arrays
            for lk, arr in [(k, get(b, k)) for k, _ in leaves(m[part], keys + (part,))
                            for k in [k[:-1]] if k and isinstance(k[-1], int) and k[-1] == 0]:
                if isinstance(arr, list) and len(arr) > 1 and dumps(arr[0]) != dumps(arr[-1]):
                    case('array reordered', lk, list(reversed(arr)), [jpath(keys + (part,))])
                    break
        # id renamed, and the member moved to another tree (retyped)
        case('id changed', keys + ('id',), m['id'] + 'x', [jpath(keys)])
        if t < 4:
            t2 = copy.deepcopy(b)
            arr = ARRAYS[(t + 1) % 4]
            moved = get(t2, keys)
            del get(t2, keys[:-1])[keys[-1]]
            t2['document'].setdefault(arr, []).append(moved)
            c.tampered_case(name, 'type changed', t2,
                            [jpath(('document', arr, len(t2['document'][arr]) - 1)), jpath(keys[:-1])])
    # id swaps within an array
    for arr in ARRAYS:
        ms = (doc or {}).get(arr, [])
        if len(ms) >= 2 and dumps(ms[0]['foray_core']) != dumps(ms[1]['foray_core']):
            t2 = copy.deepcopy(b)
            a, z = t2['document'][arr][0], t2['document'][arr][1]
            a['id'], z['id'] = z['id'], a['id']
            c.tampered_case(name, 'ids swapped', t2, [jpath(('document', arr, 0)), jpath(('document', arr, 1))])
    # removed and added components
    if members:
        keys, t = rng.choice(members)
        t2 = copy.deepcopy(b)
        del get(t2, keys[:-1])[keys[-1]]
        c.tampered_case(name, 'component removed', t2, ['$.members'])
        t2 = copy.deepcopy(b)
        extra = copy.deepcopy(get(b, keys))
        extra['id'] = extra['id'] + '_COPY'
        get(t2, keys[:-1]).append(extra)
        c.tampered_case(name, 'component added', t2, [jpath(keys[:-1] + (len(get(t2, keys[:-1])) - 1,))])

    # the transaction's own fields
    if doc is not None:
        for lk, x in list(leaves(doc['foray_core'], ('document', 'foray_core')))[:8]:
            case('transaction foray_core', lk, changed_scalar(x),
                 ['$.document.foray_core'] if has_env else ['$.document.merkle_root', '$.document.foray_core'])
        for f in ('timestamp', 'schema_version', 'transaction_id'):
            if f == 'timestamp' and scheme == 1 and not has_env:
                c.skipped('the timestamp of an open scheme-1 transaction (scheme 1 does not commit to it, and there is no envelope)')
                continue
            alt = ['$.document.merkle_root', '$.transaction_id'] if not has_env else []
            if f == 'schema_version':
                alt.append('$.document')    # TX-002 names the document
            case('transaction ' + f, ('document', f), doc[f] + 'x' if f != 'timestamp' else '2001-01-01T00:00:00Z',
                 [jpath(('document', f))] + alt)
        if isinstance(doc.get('audit_data_anchor'), dict):
            ada = doc['audit_data_anchor']
            for k in [k for k in ada if k != 'audit_data_hash'][:2]:
                case('audit_data_anchor field', ('document', 'audit_data_anchor', k), changed_scalar(ada[k])
                     if not isinstance(ada[k], (dict, list)) else 'x',
                     ['$.document.audit_data_anchor'] + ([] if has_env else ['$.document.merkle_root']))
        # each hash the document carries, and each recorded member hash
        for tree, h in doc.get('component_hashes', {}).items():
            case('hash', ('document', 'component_hashes', tree), flip_hash(h))
        if 'merkle_root' in doc:
            case('hash', ('document', 'merkle_root'), flip_hash(doc['merkle_root']))
        if isinstance(doc.get('audit_data_anchor'), dict) and 'audit_data_hash' in doc['audit_data_anchor']:
            case('hash', ('document', 'audit_data_anchor', 'audit_data_hash'),
                 flip_hash(doc['audit_data_anchor']['audit_data_hash']))
        for j, e in enumerate(b.get('members', [])):
            case('hash', ('members', j, 'component_hash'), flip_hash(e['component_hash']))
            if 'audit_data_hash' in e:
                case('hash', ('members', j, 'audit_data_hash'), flip_hash(e['audit_data_hash']))
        if len(b.get('members', [])) >= 2:
            t2 = copy.deepcopy(b)
            t2['members'][0], t2['members'][1] = t2['members'][1], t2['members'][0]
            c.tampered_case(name, 'array reordered', t2, ['$.members'])

    # the envelope, its hash, the anchor record
    if has_env:
        env = b['envelope']
        # without a document, the envelope is checked against its own hash only
        alone = [] if doc is not None else ['$.envelope_sha256']
        for f in ('merkle_root', 'foray_core_hash', 'audit_data_hash'):
            case('envelope field', ('envelope', f), flip_hash(env[f]), ['$.envelope.' + f] + alone)
        for f in ('transaction_id', 'schema_version', 'timestamp'):
            case('envelope field', ('envelope', f), env[f] + 'x', ['$.envelope.' + f, '$.envelope'] + alone)
        t2 = copy.deepcopy(b)
        if 'commitment_scheme' in env:
            del t2['envelope']['commitment_scheme']
        else:
            t2['envelope']['commitment_scheme'] = Num('2')
        c.tampered_case(name, 'envelope field', t2, ['$.envelope.commitment_scheme', '$.envelope'] + alone)
        case('hash', ('envelope_sha256',), flip_hash(b['envelope_sha256']))
    if 'anchor' in b:
        a = b['anchor']
        case('anchor record', ('anchor', 'merkle_root'), flip_hash(a['merkle_root']))
        for f in ('kaspa_tx_id', 'anchored_at', 'block_height', 'confirmation_time_ms'):
            if doc is None:
                c.skipped('an anchor record field other than merkle_root in a bundle without the document (a claim about the chain)')
                continue
            new = a[f] + 'x' if f == 'kaspa_tx_id' else '2001-01-01T00:00:00Z' if f == 'anchored_at' \
                else Num(str(int(Decimal(a[f])) + 1))
            case('anchor record', ('anchor', f), new, ['$.anchor.' + f, '$.document.blockchain_anchor.' + f])
            if doc is not None:
                case('anchor record', ('document', 'blockchain_anchor', f), new,
                     ['$.anchor.' + f, '$.document.blockchain_anchor.' + f])
        t2 = copy.deepcopy(b)
        t2['lifecycle'] = 'ready_to_anchor'
        c.tampered_case(name, 'anchor record', t2, ['$.anchor', '$.lifecycle'])

    # disclosed components and each element of their proofs
    for k, dc in enumerate(b.get('disclosed', [])):
        base = ('disclosed', k)
        for lk, x in list(leaves(dc['foray_core'], base + ('foray_core',)))[:4]:
            case('disclosed field', lk, changed_scalar(x), [jpath(base + ('foray_core',))])
        case('disclosed field', base + ('id',), dc['id'] + 'x', [jpath(base + ('id',)), jpath(base + ('proof',))])
        case('disclosed field', base + ('type',), 'ATT' if dc['type'] != 'ATT' else 'ACT',
             [jpath(base + ('type',))])
        proof = dc['proof']
        pb = base + ('proof',)
        for f in ('component_hash', 'leaf_hash', 'merkle_root'):
            case('proof element', pb + (f,), flip_hash(proof[f]), [jpath(pb)])
        for f in ('subject_id', 'transaction_id', 'tree'):
            case('proof element', pb + (f,), proof[f] + 'x', [jpath(pb), jpath(base + ('id',))])
        if 'component_type' in proof:
            case('proof element', pb + ('component_type',), 'ATT' if proof['component_type'] != 'ATT' else 'ACT',
                 [jpath(pb)])
        for s, st in enumerate(proof['steps']):
            sb = pb + ('steps', s)
            case('proof element', sb + ('tree',), st['tree'] + 'x', [jpath(pb)])
            case('proof element', sb + ('leaf_index',), Num(str(int(Decimal(st['leaf_index'])) + 1)), [jpath(pb)])
            if s == 0 and int(Decimal(proof.get('commitment_scheme', Num('1')))) == 1:
                c.skipped("steps[0].tree_size of a scheme-1 proof (scheme 1 does not authenticate it)")
            else:
                case('proof element', sb + ('tree_size',), Num(str(int(Decimal(st['tree_size'])) + 1)), [jpath(pb)])
            case('proof element', sb + ('root',), flip_hash(st['root']), [jpath(pb)])
            for i, h in enumerate(st['path']):
                case('proof element', sb + ('path', i), flip_hash(h), [jpath(pb)])
            if len(st['path']) >= 2 and st['path'][0] != st['path'][1]:
                case('array reordered', sb + ('path',), [st['path'][1], st['path'][0]] + st['path'][2:], [jpath(pb)])
            if st['path']:
                case('proof element', sb + ('path',), st['path'][:-1], [jpath(pb)])
            case('proof element', sb + ('path',), st['path'] + ['sha256:' + '0' * 64], [jpath(pb)])
        case('array reordered', pb + ('steps',), list(reversed(proof['steps'])), [jpath(pb)])


def benign_bundle(c, name, text, b, rng):
    c.benign_case(name, 'keys reordered', dumps(b, reverse_keys=True))
    c.benign_case(name, 'whitespace', dumps(b, indent=3))
    c.benign_case(name, 'numbers respelled', dumps(respell(b)))
    doc = b.get('document')
    if isinstance(doc, dict):
        t = copy.deepcopy(b)
        for arr in ARRAYS:
            if isinstance(t['document'].get(arr), list):
                t['document'][arr].reverse()
        c.benign_case(name, 'document arrays reordered (leaves are sorted by id)', dumps(t))
        t = copy.deepcopy(b)
        t['document']['privacy_metadata'] = {'formulas_obfuscated': Num('3'), 'note': 'not committed'}
        c.benign_case(name, 'an uncommitted field changed', dumps(t))
    if len(b.get('disclosed', [])) >= 2:
        t = copy.deepcopy(b)
        t['disclosed'].reverse()
        c.benign_case(name, 'disclosed reordered', dumps(t))


def main():
    fv, honest, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    c = Corpus(fv, out)
    bad = 0
    for fname in sorted(os.listdir(honest)):
        text = open(os.path.join(honest, fname), encoding='utf-8').read()
        rc, report, _ = c.run(text)
        if rc != 0:
            print('not ok - honest %s does not verify (exit %d)' % (fname, rc))
            bad += 1
            continue
        b = loads(text)
        rng = random.Random(int(hashlib.sha256(fname.encode()).hexdigest()[:8], 16))
        tamper_bundle(c, fname, b, rng)
        benign_bundle(c, fname, text, b, rng)
    c.finish()
    for line in c.failures:
        print(line)
    print('# honest bundles: %d' % len(os.listdir(honest)))
    print('# tampered: %d' % c.tampered)
    print('# benign: %d' % c.benign)
    for k in sorted(c.kinds):
        print('#   %-60s %d' % (k, c.kinds[k]))
    for k in sorted(c.skips):
        print('# not generated, undetectable by design: %s: %d' % (k, c.skips[k]))
    print('# misses: %d' % len(c.failures))
    sys.exit(1 if c.failures or bad else 0)


if __name__ == '__main__':
    main()
