#!/usr/bin/env python3
"""foray-verify's log commands against the database's verdicts.

    log_xcheck.py mutate HONEST.jsonl                 > TAMPERED.jsonl
    log_xcheck.py vectors VECTOR_DIR                  > VECTORS.jsonl
    log_xcheck.py run FOREY_VERIFY WORKDIR CASES.jsonl...

A case is one JSON object per line:

  {"name": ..., "kind": "inclusion" | "consistency" | "chain" | "signature"
                        | "checkpoint" | "note",
   "proof"/"chain": JSON, "cp": checkpoint text (or signed note), "old": the
   old checkpoint, "leaf": "sha256:...", "anchored": text, "vkey": text,
   "expect": the database's verdict ("true", "false", "error 22R6x"),
   "must": what a tampered case must be ("refused": anything but "true")}

`mutate` writes tampered copies of honest cases (no "expect": the suite asks
the database for it); `vectors` turns the RFC 9162 vectors of
transparency-dev/merkle and the C2SP checkpoint and signed-note vectors into
cases whose "expect" is the vector's own verdict.  `run` runs foray-verify on
every case, maps its report to a verdict the way the server would answer
(exit 0: true; exit 1: false, or "error <SQLSTATE>" when the first failure
is a rule the server raises as an error: TLOG-PROOF 22R60, TLOG-CHECKPOINT
22R61, TLOG-CHAIN 22R66, PROOF-SHAPE 22R51; exit 2: the server's SQLSTATE
named in the one-line reason) and prints "not ok" for every disagreement,
then "# N cases, M disagreements".  Exit status 1 when any.
"""
import base64
import concurrent.futures
import copy
import json
import os
import subprocess
import sys

ERROR_RULES = {'TLOG-PROOF': '22R60', 'TLOG-CHECKPOINT': '22R61', 'TLOG-CHAIN': '22R66',
               'PROOF-SHAPE': '22R51'}
H = 'sha256:' + 'ab' * 32


def load(path):
    return [json.loads(line) for line in open(path, encoding='utf-8') if line.strip()]


def emit(case):
    print(json.dumps(case, ensure_ascii=False))


# ---- tampered cases ---------------------------------------------------------

def flip(h):
    return h[:-1] + ('0' if h[-1] != '0' else '1')


def cp_with(cp, origin=None, size=None, root=None):
    lines = cp.split('\n')
    if origin is not None:
        lines[0] = origin
    if size is not None:
        lines[1] = str(size)
    if root is not None:
        lines[2] = root
    return '\n'.join(lines)


def other_root(cp):
    raw = bytearray(base64.b64decode(cp.split('\n')[2]))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def tamperer(c, out):
    """case(what, edit, must): a copy of c changed by edit, appended to out"""
    def case(what, edit, must='refused'):
        t = copy.deepcopy(c)
        edit(t)
        t['name'] = c['name'] + ': ' + what
        t['must'] = must
        t.pop('expect', None)
        out.append(t)
    return case


def mutate_log_proof(c, a, b):
    """c: a case whose proof has keys a (index or old size), b (size), path"""
    p = c['proof']
    out = []
    case = tamperer(c, out)
    if p['path']:
        case('a path element changed', lambda t: t['proof']['path'].__setitem__(0, flip(p['path'][0])))
        case('the last path element changed', lambda t: t['proof']['path'].__setitem__(-1, flip(p['path'][-1])))
        case('the path one shorter', lambda t: t['proof']['path'].pop())
        case('the path reversed', lambda t: t['proof']['path'].reverse()) if len(p['path']) > 1 else None
        case('a path element not a hash', lambda t: t['proof']['path'].__setitem__(0, 'sha256:12'), 'error 22R60')
        case('a path element upper case', lambda t: t['proof']['path'].__setitem__(0, p['path'][0].upper()), 'error 22R60')
    case('the path one longer', lambda t: t['proof']['path'].append(H))
    case('the path 70 long', lambda t: t['proof'].__setitem__('path', [H] * 70), 'false')
    case(a + ' plus one', lambda t: t['proof'].__setitem__(a, p[a] + 1))
    case(b + ' plus one', lambda t: t['proof'].__setitem__(b, p[b] + 1), 'false')
    case(a + ' written with a scale (%d.0)' % p[a], lambda t: t['proof'].__setitem__(a, float(p[a])), 'error 22R60')
    case(a + ' negative', lambda t: t['proof'].__setitem__(a, -1), 'error 22R60')
    case(a + ' a string', lambda t: t['proof'].__setitem__(a, str(p[a])), 'error 22R60')
    case(b + ' beyond 2^63-1', lambda t: t['proof'].__setitem__(b, 2 ** 63), 'error 22R60')
    case('without ' + b, lambda t: t['proof'].pop(b), 'error 22R60')
    case('without path', lambda t: t['proof'].pop('path'), 'error 22R60')
    case('path an object', lambda t: t['proof'].__setitem__('path', {}), 'error 22R60')
    case('the proof an array', lambda t: t.__setitem__('proof', [p]), 'error 22R60')
    case('the checkpoint\'s root changed', lambda t: t.__setitem__('cp', cp_with(t['cp'], root=other_root(t['cp']))))
    case('the checkpoint\'s size plus one', lambda t: t.__setitem__('cp', cp_with(t['cp'], size=int(t['cp'].split('\n')[1]) + 1)), 'false')
    case('the checkpoint without its last newline', lambda t: t.__setitem__('cp', t['cp'][:-1]), 'error 22R61')
    case('the checkpoint\'s size with a leading zero', lambda t: t.__setitem__('cp', cp_with(t['cp'], size='0' + t['cp'].split('\n')[1])), 'error 22R61')
    case('the checkpoint\'s root not base64', lambda t: t.__setitem__('cp', cp_with(t['cp'], root='*' * 44)), 'error 22R61')
    case('keys the verification ignores changed', lambda t: t['proof'].update({'root': H, 'leaf_hash': H, 'old_root': H, 'x': 1}), 'true')
    return out


def mutate_inclusion(c):
    out = mutate_log_proof(c, 'leaf_index', 'tree_size')
    tamperer(c, out)('another leaf', lambda t: t.__setitem__('leaf', flip(c['leaf'])), 'false')
    return out


def mutate_consistency(c):
    out = mutate_log_proof(c, 'old_size', 'new_size')
    case = tamperer(c, out)
    for what, edit, must in (
            ('the old checkpoint\'s root changed',
             lambda t: t.__setitem__('old', cp_with(t['old'], root=other_root(t['old']))), 'false'),
            ('the old checkpoint of another log (origin)', lambda t: t.__setitem__('old', cp_with(t['old'], origin='example.com/other')), 'false'),
            ('old and new swapped', lambda t: t.update({'old': c['cp'], 'cp': c['old']}), 'refused' if c['old'] == c['cp'] else 'false'),
            ('old_size 0', lambda t: (t['proof'].__setitem__('old_size', 0), t.__setitem__('old', cp_with(t['old'], size=0))), 'false')):
        case(what, edit, must)
    if c['old'] == c['cp']:
        # equal sizes: swapping changes nothing
        out = [t for t in out if not t['name'].endswith('old and new swapped')]
    return out


def mutate_chain(c, other_cp):
    ch = c['chain']
    out = []
    case = tamperer(c, out)

    def setk(path, value):
        def f(t):
            o = t
            for k in path[:-1]:
                o = o[k]
            o[path[-1]] = value
        return f

    def delk(path):
        def f(t):
            o = t
            for k in path[:-1]:
                o = o[k]
            del o[path[-1]]
        return f
    case('the envelope\'s timestamp changed', setk(['chain', 'envelope', 'timestamp'], '2026-03-09T10:00:01Z'), 'false')
    case('the envelope\'s foray_core_hash changed', setk(['chain', 'envelope', 'foray_core_hash'], H), 'false')
    case('the envelope\'s merkle_root changed', setk(['chain', 'envelope', 'merkle_root'], H), 'false')
    case('the envelope\'s merkle_root not a hash', setk(['chain', 'envelope', 'merkle_root'], 'sha256:xyz'), 'false')
    case('a member added to the envelope', setk(['chain', 'envelope', 'extra'], 1), 'false')
    case('the component hash changed', setk(['chain', 'component', 'component_hash'], H), 'false')
    case('the component proof\'s path changed', setk(['chain', 'component', 'steps', 1, 'path', 0], H), 'false')
    case('the chain\'s subject relabelled', setk(['chain', 'subject_id'], 'XXX_1'), 'false')
    case('the chain\'s transaction relabelled', setk(['chain', 'transaction_id'], 'A_99999'), 'false')
    case('the component proof of another transaction', setk(['chain', 'component', 'transaction_id'], 'A_99999'), 'false')
    case('the component proof without steps', delk(['chain', 'component', 'steps']), 'error 22R51')
    case('the component proof\'s leaf_index written 1.0', setk(['chain', 'component', 'steps', 1, 'leaf_index'],
                                                               float(ch['component']['steps'][1]['leaf_index'])), 'error 22R51')
    case('no envelope', delk(['chain', 'envelope']), 'error 22R66')
    case('the envelope a string', setk(['chain', 'envelope'], '{}'), 'error 22R66')
    case('the envelope without merkle_root', delk(['chain', 'envelope', 'merkle_root']), 'error 22R66')
    case('no component', delk(['chain', 'component']), 'error 22R66')
    case('the chain an array', setk(['chain'], [1]), 'error 22R66')
    case('no transaction_id label', delk(['chain', 'transaction_id']), 'error 22R66')
    case('the payload on chain with a space', setk(['anchored'], c['anchored'] + ' '), 'false')
    if ch['log'] is not None:
        case('a log path element changed', setk(['chain', 'log', 'path', 0], H) if ch['log']['path'] else setk(['chain', 'log', 'path'], [H]), 'false')
        case('the log path one longer', lambda t: t['chain']['log']['path'].append(H), 'false')
        case('the log leaf_index moved', setk(['chain', 'log', 'leaf_index'], (ch['log']['leaf_index'] + 1) % ch['log']['tree_size']),
             'false' if ch['log']['tree_size'] > 1 else 'true')
        case('the log tree_size not the checkpoint\'s', setk(['chain', 'log', 'tree_size'], ch['log']['tree_size'] + 3), 'false')
        case('the log leaf_index written with a scale', setk(['chain', 'log', 'leaf_index'], float(ch['log']['leaf_index'])), 'error 22R60')
        case('the log without path', delk(['chain', 'log', 'path']), 'error 22R60')
        case('another checkpoint in the chain', setk(['chain', 'checkpoint'], other_cp), 'false')
        case('another checkpoint on chain', setk(['anchored'], other_cp), 'false')
        case('the checkpoint on chain without its last newline', setk(['anchored'], c['anchored'][:-1]), 'false')
        case('the checkpoint not a checkpoint', setk(['chain', 'checkpoint'], 'example.com/x\n12\n'), 'error 22R61')
        case('log null, checkpoint given', setk(['chain', 'log'], None), 'error 22R66')
        case('checkpoint null, log given', setk(['chain', 'checkpoint'], None), 'error 22R66')
        case('the log a string', setk(['chain', 'log'], 'proof'), 'error 22R66')
    else:
        case('anchored alone: the payload another text', setk(['anchored'], other_cp), 'false')
    return out


def mutate(path):
    cases = load(path)
    for c in cases:
        if c.get('sample') is not True:
            continue
        if c['kind'] == 'inclusion':
            out = mutate_inclusion(c)
        elif c['kind'] == 'consistency':
            out = mutate_consistency(c)
        elif c['kind'] == 'chain':
            cp = c['chain']['checkpoint'] or c['anchored']
            out = mutate_chain(c, cp_with(cp, root=other_root(cp)) if c['chain']['checkpoint'] else
                               'example.com/x\n1\n' + 'A' * 43 + '=\n')
        else:
            out = []
        for t in out:
            emit(t)


# ---- vectors ------------------------------------------------------------------

def b64hex(b):
    return 'sha256:' + base64.b64decode(b).hex()


def checkpoint(size, root_b64):
    return 'example.com/vectors\n%d\n%s\n' % (size, root_b64)


def vectors(vdir):
    base = os.path.join(vdir, 'rfc9162-merkle')
    for kind in ('inclusion', 'consistency'):
        d = os.path.join(base, kind)
        for f in sorted(os.path.relpath(os.path.join(w, x), d) for w, _, xs in os.walk(d) for x in xs):
            if f.endswith('.json'):
                v = json.load(open(os.path.join(d, f)))
                name = 'rfc9162 %s/%s: %s' % (kind, f, v.get('desc', ''))
                proof = [b64hex(x) for x in (v.get('proof') or [])]
                want = 'refused' if v['wantErr'] else 'true'
                # stand-in roots that are not 32 bytes: no checkpoint holds them
                # (refused as malformed, as by test/core/tlog_test.c)
                if any(len(base64.b64decode(v[k])) != 32 for k in ('root', 'root1', 'root2') if k in v):
                    want = 'error 22R61'
                if kind == 'inclusion':
                    if len(base64.b64decode(v['leafHash'])) != 32:
                        want = 'refused'		# --leaf takes a SHA-256 hash only
                    emit({'name': name, 'kind': 'inclusion', 'leaf': b64hex(v['leafHash']),
                          'proof': {'leaf_index': v['leafIdx'], 'tree_size': v['treeSize'], 'path': proof},
                          'cp': checkpoint(v['treeSize'], v['root']), 'must': want, 'vector': True})
                else:
                    emit({'name': name, 'kind': 'consistency',
                          'proof': {'old_size': v['size1'], 'new_size': v['size2'], 'path': proof},
                          'old': checkpoint(v['size1'], v['root1']), 'cp': checkpoint(v['size2'], v['root2']),
                          'must': want, 'vector': True})
    notes = json.load(open(os.path.join(vdir, 'c2sp-note', 'vectors.json')))
    for v in notes['checkpoints']:
        emit({'name': 'c2sp checkpoint: ' + v['source'][:60] + ' ' + repr(v['text'][:30]), 'kind': 'checkpoint',
              'cp': v['text'], 'must': 'true' if v['want'] == 'valid' else 'error 22R61', 'vector': True})
    for v in notes['notes']:
        if 'note' not in v:
            continue			# bytes that are not UTF-8 (note_hex): the database cannot hold them as text
        want = {'verified': 'signed', 'no_signature': 'false', 'bad_signature': 'false',
                'malformed': 'error 22R63'}[v['want']]
        emit({'name': 'c2sp note: ' + v['desc'], 'kind': 'note', 'cp': v['note'], 'vkey': v['vkey'],
              'must': want, 'vector': True})
    for v in notes['vkeys']:
        want = {'valid': 'false', 'malformed': 'error 22R62', 'unsupported': 'error 22R62'}[v['want']]
        emit({'name': 'c2sp vkey: ' + v['vkey'][:50], 'kind': 'note',
              'cp': 'example.com/x\n1\n' + 'A' * 43 + '=\n\n\u2014 other.example AAAAAAAA\n',
              'vkey': v['vkey'], 'must': want, 'vector': True})


# ---- running foray-verify -------------------------------------------------------

def write(path, text):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


def verdict(fv, work, k, c):
    d = os.path.join(work, str(k))
    os.makedirs(d, exist_ok=True)
    kind = c['kind']
    args = [fv, '--json']
    if kind in ('inclusion', 'consistency'):
        write(os.path.join(d, 'proof.json'), json.dumps(c['proof'], ensure_ascii=False))
        write(os.path.join(d, 'cp.txt'), c['cp'])
        if kind == 'inclusion':
            args += ['log-inclusion', os.path.join(d, 'proof.json'), '--checkpoint', os.path.join(d, 'cp.txt'),
                     '--leaf', c['leaf']]
        else:
            write(os.path.join(d, 'old.txt'), c['old'])
            args += ['log-consistency', os.path.join(d, 'proof.json'), '--old', os.path.join(d, 'old.txt'),
                     '--new', os.path.join(d, 'cp.txt')]
    elif kind == 'chain':
        write(os.path.join(d, 'chain.json'), json.dumps(c['chain'], ensure_ascii=False))
        write(os.path.join(d, 'anchored.txt'), c['anchored'])
        args += ['chain', os.path.join(d, 'chain.json'), '--anchored', os.path.join(d, 'anchored.txt')]
    else:
        write(os.path.join(d, 'cp.txt'), c['cp'])
        args += ['checkpoint', os.path.join(d, 'cp.txt')]
        if 'vkey' in c:
            args += ['--vkey', c['vkey']]
    p = subprocess.run(args, capture_output=True)
    try:
        report = json.loads(p.stdout)
    except ValueError:
        return 'no report (exit %d): %s' % (p.returncode, p.stderr[:200])
    if p.returncode == 0:
        if kind == 'note':
            return 'signed' if any('is signed by the key' in x for x in report['proved']) else 'unsigned'
        return 'true'
    if p.returncode == 1:
        first = report['failures'][0]['check']
        if first in ERROR_RULES:
            return 'error ' + ERROR_RULES[first]
        return 'false'
    if p.returncode == 2:
        err = p.stderr.decode('utf-8', 'replace')
        if any(f['check'] == 'TLOG-SIGNATURE' for f in report['failures']):
            return 'false'			# a note that is not a checkpoint, without the key's signature
        if kind == 'note' and any('is signed by the key' in x for x in report['proved']):
            return 'signed'			# a signed note that is not a checkpoint
        for code in ('22R60', '22R61', '22R62', '22R63', '22R66'):
            if "the server's " + code in err:
                return 'error ' + code
        return 'unusable: ' + err.strip()[:200]
    return 'exit %d' % p.returncode


def run(fv, work, paths):
    cases = [c for p in paths for c in load(p)]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        got = list(pool.map(lambda kc: verdict(fv, work, kc[0], kc[1]), enumerate(cases)))
    bad = 0
    kinds = {}
    for c, g in zip(cases, got):
        problems = []
        if 'expect' in c and g != c['expect']:
            problems.append('database %s' % c['expect'])
        must = c.get('must')
        if must == 'refused' and g == 'true':
            problems.append('must be refused')
        elif must not in (None, 'refused') and g != must:
            problems.append('must be %s' % must)
        if must == 'refused' and 'expect' in c and c['expect'] == 'true':
            problems.append('the database accepts a tampered case')
        key = '%s %s' % (c['kind'], 'vector' if c.get('vector') else 'tampered' if must else 'honest')
        kinds[key] = kinds.get(key, 0) + 1
        if problems:
            bad += 1
            print('not ok - %s: foray-verify %s; %s' % (c['name'], g, ', '.join(problems)))
    for k in sorted(kinds):
        print('# %s: %d' % (k, kinds[k]))
    print('# %d cases, %d disagreements' % (len(cases), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    if sys.argv[1] == 'mutate':
        mutate(sys.argv[2])
    elif sys.argv[1] == 'vectors':
        vectors(sys.argv[2])
    elif sys.argv[1] == 'run':
        sys.exit(run(sys.argv[2], sys.argv[3], sys.argv[4:]))
    else:
        sys.exit(__doc__)
