#!/usr/bin/env python3
"""foray-verify against the commitment test vectors of test/vectors/commitment
(produced by the extension, recomputed by the independent reference; see
their README), with no database.

    check_vectors.py FORAY_VERIFY OUT_DIR VECTOR_FILE...

For every transaction vector: its input written as a FORAY document, whose
commitment foray-verify --details must recompute exactly as the vector's
details (key by key); every proof must verify against the vector's
merkle_root; every negative case must get its verdict ("true" exit 0,
"false" and "error 22R51" exit 1).  Prints "not ok" lines, counts, and
exits 1 on any difference.
"""
import json
import os
import sys

from fvjson import dumps, loads
from xcheck_reference import document, run


def main():
    fv, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    failures = []
    counts = {'transactions': 0, 'details keys': 0, 'proofs': 0, 'negative cases': 0}
    n = 0
    for vf in files:
        vectors = loads(open(vf, encoding='utf-8').read())
        for k, v in enumerate(vectors['transactions']):
            name = '%s[%d] %s' % (os.path.basename(vf), k, v['input']['transaction_id'])
            details = json.loads(dumps(v['details']))
            n += 1
            dpath = os.path.join(out, 'doc%03d.json' % n)
            with open(dpath, 'w', encoding='utf-8') as f:
                f.write(dumps(document(v['input'], details)))
            counts['transactions'] += 1
            rc, report = run(fv, ['--details', 'document'], dpath)
            rec = report.get('recomputed', {})
            for key, value in details.items():
                counts['details keys'] += 1
                if rec.get(key) != value:
                    failures.append('not ok - %s: details.%s: vector %s, foray-verify %s'
                                    % (name, key, json.dumps(value)[:200], json.dumps(rec.get(key))[:200]))
            for mid, proof in v['proofs'].items():
                counts['proofs'] += 1
                ppath = os.path.join(out, 'proof%03d.json' % n)
                with open(ppath, 'w', encoding='utf-8') as f:
                    f.write(dumps(proof))
                rc, report = run(fv, ['proof', '--root', details['merkle_root']], ppath)
                if rc != 0:
                    failures.append('not ok - %s: the proof of %s does not verify: %s'
                                    % (name, mid, (report.get('failures') or [{}])[0]))
            for case in v.get('negative', []):
                counts['negative cases'] += 1
                npath = os.path.join(out, 'neg%03d.json' % n)
                with open(npath, 'w', encoding='utf-8') as f:
                    f.write(dumps(case['proof']))
                rc, report = run(fv, ['proof', '--root', case['root']], npath)
                want = 0 if case['expect'] == 'true' else 1
                if rc != want:
                    failures.append('not ok - %s: %s (%s): expected %s, exit %d'
                                    % (name, case['mutation'], case['subject_id'], case['expect'], rc))
    for line in failures:
        print(line)
    for k, c in counts.items():
        print('# %s: %d' % (k, c))
    print('# differences: %d' % len(failures))
    sys.exit(1 if failures or not counts['transactions'] else 0)


if __name__ == '__main__':
    main()
