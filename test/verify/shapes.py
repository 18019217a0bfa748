#!/usr/bin/env python3
"""Every member and element of an input removed, or replaced by null or {}
(one at a time), run through foray-verify built with ASan and UBSan: no
sanitizer report, no crash, an exit status of 0, 1 or 2.  A systematic
complement to the fuzzer for the shapes the checks walk.

    shapes.py FORAY_VERIFY_SAN OUT_DIR COMMAND FILE...
"""
import concurrent.futures
import copy
import os
import subprocess
import sys

from fvjson import dumps, loads


def places(v, keys=()):
    yield keys
    if isinstance(v, dict):
        for k, x in v.items():
            yield from places(x, keys + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from places(x, keys + (i,))


def variants(doc):
    for keys in places(doc):
        if not keys:
            continue
        parent = doc
        for k in keys[:-1]:
            parent = parent[k]
        for new in ('remove', None, {}):
            t = copy.deepcopy(doc)
            p = t
            for k in keys[:-1]:
                p = p[k]
            if new == 'remove':
                del p[keys[-1]]
            else:
                p[keys[-1]] = new
            yield keys, new, t


def main():
    fv, out, cmd, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, ASAN_OPTIONS='detect_leaks=1:abort_on_error=1',
               UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1')
    extra = ['--root', 'sha256:' + '0' * 64] if cmd == 'proof' else []
    jobs = []
    n = 0
    pool = concurrent.futures.ThreadPoolExecutor(4)
    for f in files:
        doc = loads(open(f, encoding='utf-8').read())
        for keys, new, t in variants(doc):
            n += 1
            path = os.path.join(out, '%05d.json' % n)
            with open(path, 'w', encoding='utf-8') as fh:
                fh.write(dumps(t))
            jobs.append((f, keys, new, path, pool.submit(
                subprocess.run, [fv, '--json', cmd, path] + extra, capture_output=True, env=env)))
    bad = 0
    for f, keys, new, path, fut in jobs:
        p = fut.result()
        err = p.stderr.decode('utf-8', 'replace')
        if p.returncode not in (0, 1, 2) or 'Sanitizer' in err or 'runtime error' in err:
            bad += 1
            print('not ok - %s %s: %s -> %r: exit %d (%s)\n%s' % (cmd, os.path.basename(f), keys, new,
                                                                 p.returncode, path, err[:2000]))
    print('# %s: %d shapes from %d inputs' % (cmd, n, len(files)))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
