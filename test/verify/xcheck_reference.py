#!/usr/bin/env python3
"""foray-verify against the independent reference implementation
(test/reference/commitment.js, JavaScript written from docs/merkle.md
alone), with no database in between.

    xcheck_reference.py FORAY_VERIFY OUT_DIR SEED COUNT PROOF_MUTATIONS

COUNT random transactions (commitment.js gen SEED COUNT), every third one
taken as commitment scheme 1, each written as a FORAY document; then:
  * foray-verify --details document: its recomputed commitment equals the
    reference's foray.commitment_details, key by key;
  * the proofs of up to three members of each (commitment.js proof) verify
    with foray-verify proof against the reference's root;
  * for PROOF_MUTATIONS transactions, every mutation of one proof
    (commitment.js mutate) gets the verdict the reference derives from the
    rules: "true" exit 0, "false" and "error" (malformed, 22R51) exit 1.
Prints "not ok" lines with the difference, counts, and exits 1 on any.
"""
import concurrent.futures
import json
import os
import subprocess
import sys

from fvjson import Num, dumps, loads

REF = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'reference', 'commitment.js')
ARRAYS = {'ARR': 'arrangements', 'ACC': 'accruals', 'ANT': 'anticipations', 'ACT': 'actions'}


def node(*args, stdin=None):
    p = subprocess.run(['node', REF] + list(args), input=stdin, capture_output=True)
    if p.returncode not in (0, 1):
        raise RuntimeError('commitment.js %s: %s' % (args[0], p.stderr.decode()))
    return p.stdout.decode('utf-8')


def document(tx, details):
    """The FORAY document of a TX.json transaction, with its hashes."""
    doc = {'transaction_id': tx['transaction_id'], 'schema_version': tx.get('schema_version', '4.1'),
           'timestamp': tx['timestamp'], 'foray_core': tx['foray_core']}
    if tx.get('commitment_scheme') != '1':
        doc['commitment_scheme'] = Num('2')
    for arr in ARRAYS.values():
        doc[arr] = []
    for c in tx.get('components', []):
        m = {'id': c['id'], 'foray_core': c['foray_core']}
        if c.get('audit_data') is not None:
            m['audit_data'] = c['audit_data']
        doc[ARRAYS[c['type']]].append(m)
    if tx.get('attestations'):
        doc['attestations'] = []
        for a in tx['attestations']:
            m = {'id': a['id'], 'foray_core': a['foray_core']}
            if a.get('audit_data') is not None:
                m['audit_data'] = a['audit_data']
            doc['attestations'].append(m)
    doc['component_hashes'] = {t['name']: t['root'] for t in details['trees'] if t['name'] != 'audit_data'}
    doc['merkle_root'] = details['merkle_root']
    if tx.get('audit_data_anchor') is not None:
        doc['audit_data_anchor'] = tx['audit_data_anchor']
    return doc


def run(fv, args, path):
    p = subprocess.run([fv, '--json'] + args + [path], capture_output=True)
    try:
        return p.returncode, json.loads(p.stdout.decode('utf-8'))
    except ValueError:
        return p.returncode, {}


def main():
    fv, out, seed, count, nmut = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    os.makedirs(out, exist_ok=True)
    # one transaction per line; numbers kept as written (fvjson)
    txs = [loads(line.rstrip(',')) for line in node('gen', seed, str(count)).split('\n')
           if line.strip() not in ('[', ']', '')]
    pool = concurrent.futures.ThreadPoolExecutor(4)
    failures = []
    counts = {'transactions': 0, 'scheme 1': 0, 'details keys compared': 0, 'proofs': 0,
              'mutations': 0}
    jobs = []
    for i, tx in enumerate(txs):
        if i % 3 == 2:
            tx['commitment_scheme'] = Num('1')
            counts['scheme 1'] += 1
        tpath = os.path.join(out, 'tx%03d.json' % i)
        with open(tpath, 'w', encoding='utf-8') as f:
            f.write(dumps(tx))
        details = json.loads(node('details', tpath))
        dpath = os.path.join(out, 'doc%03d.json' % i)
        with open(dpath, 'w', encoding='utf-8') as f:
            f.write(dumps(document(tx, details)))
        counts['transactions'] += 1
        jobs.append(('details', i, details, pool.submit(run, fv, ['--details', 'document'], dpath)))
        members = [c['id'] for c in tx.get('components', [])] + [a['id'] for a in tx.get('attestations', [])]
        for k, mid in enumerate(members[:3]):   # node starts for each: three members a transaction
            ppath = os.path.join(out, 'proof%03d_%03d.json' % (i, k))
            with open(ppath, 'w', encoding='utf-8') as f:
                f.write(node('proof', tpath, mid))
            counts['proofs'] += 1
            jobs.append(('proof', '%d/%s' % (i, mid), None,
                         pool.submit(run, fv, ['proof', '--root', details['merkle_root']], ppath)))
            if k == 0 and (i < nmut or i == 2):  # tx 2 is scheme 1
                for j, m in enumerate(json.loads(node('mutate', ppath))):
                    mpath = os.path.join(out, 'mut%03d_%03d.json' % (i, j))
                    with open(mpath, 'w', encoding='utf-8') as f:
                        json.dump(m['proof'], f, ensure_ascii=False)
                    counts['mutations'] += 1
                    jobs.append(('mutation', '%d: %s (expect %s)' % (i, m['mutation'], m['expect']),
                                 m['expect'], pool.submit(run, fv, ['proof', '--root', details['merkle_root']], mpath)))
    for kind, what, ref, fut in jobs:
        rc, report = fut.result()
        if kind == 'details':
            rec = report.get('recomputed', {})
            if 'merkle_root' not in rec:
                failures.append('not ok - tx %d: no commitment recomputed (exit %d: %s)' %
                                (what, rc, report.get('error') or (report.get('failures') or [{}])[0]))
                continue
            for key, value in ref.items():
                counts['details keys compared'] += 1
                if rec.get(key) != value:
                    failures.append('not ok - tx %d: commitment_details.%s differs: reference %s, foray-verify %s'
                                    % (what, key, json.dumps(value)[:300], json.dumps(rec.get(key))[:300]))
        elif kind == 'proof':
            if rc != 0:
                failures.append('not ok - proof %s does not verify: %s' % (what, (report.get('failures') or [{}])[0]))
        else:
            want = 0 if ref == 'true' else 1
            if rc != want:
                failures.append('not ok - mutation %s: exit %d' % (what, rc))
    pool.shutdown()
    for line in failures:
        print(line)
    for k, v in counts.items():
        print('# %s: %d' % (k, v))
    print('# disagreements: %d' % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
