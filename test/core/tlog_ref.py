#!/usr/bin/env python3
"""An independent reference for the log's Merkle tree, written from RFC 9162
(section 2.1) alone, in Python: tree hash, inclusion proofs (2.1.3),
consistency proofs (2.1.4) and their verification.

    tlog_ref.py queries SEED > queries.txt   # what to ask the C implementation
    tlog_ref.py queries SEED N SMALL COUNT   # the same for a log of N entries:
                                             # every pair up to SMALL, COUNT
                                             # random queries of each kind
    tlog_ref.py check queries.txt answers.txt
    tlog_ref.py vectors test/vectors/rfc9162-merkle   # the reference itself
                                                      # against the RFC vectors
    tlog_ref.py leaves N > leaves.txt        # "i hex(leaf hash)" lines
    tlog_ref.py expect queries.txt           # the answers, as C would print them

The test trees: leaf i is SHA-256(0x00 || i as 8 bytes big-endian).
An answer line is "<op> <a> <b> <hash>,<hash>,..." ("-" for no hash).
"""
import base64
import functools
import hashlib
import json
import os
import random
import sys


def sha(b):
    return hashlib.sha256(b).digest()


def leaf_hash(data):
    return sha(b"\x00" + data)


def node_hash(left, right):
    return sha(b"\x01" + left + right)


def largest_pow2_below(n):
    """k: the largest power of two smaller than n (n > 1), RFC 9162 2.1.1."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """D[0:n] for the leaf hashes given; MTH memoised on (lo, hi)."""

    def __init__(self, leaves):
        self.leaves = leaves

    @functools.lru_cache(maxsize=None)
    def mth(self, lo, hi):
        n = hi - lo
        if n == 0:
            return sha(b"")
        if n == 1:
            return self.leaves[lo]
        k = largest_pow2_below(n)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def path(self, m, lo, hi):
        """PATH(m, D[lo:hi]): m is relative to lo."""
        n = hi - lo
        if n <= 1:
            return []
        k = largest_pow2_below(n)
        if m < k:
            return self.path(m, lo, lo + k) + [self.mth(lo + k, hi)]
        return self.path(m - k, lo + k, hi) + [self.mth(lo, lo + k)]

    def subproof(self, m, lo, hi, b):
        """SUBPROOF(m, D[lo:hi], b)."""
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = largest_pow2_below(n)
        if m <= k:
            return self.subproof(m, lo, lo + k, b) + [self.mth(lo + k, hi)]
        return self.subproof(m - k, lo + k, hi, False) + [self.mth(lo, lo + k)]

    def proof(self, m, n):
        """PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
        return self.subproof(m, 0, n, True)


def verify_inclusion(index, size, leaf, path, root):
    """RFC 9162 2.1.3.2 (every hash is HASH_SIZE = 32 bytes)."""
    if index >= size or len(leaf) != 32 or len(root) != 32 or any(len(p) != 32 for p in path):
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, path):
    """RFC 9162 2.1.4.2; equal sizes need an empty path and equal roots, and
    a proof from the empty tree proves nothing (as transparency-dev's
    vectors say; they compare equal-size roots as byte strings of any length,
    where the C verifier refuses a root that is not 32 bytes)."""
    if first == 0 or first > second:
        return False
    if first == second:
        return not path and first_hash == second_hash
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_hash] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_hash and sr == second_hash


def test_leaves(n):
    return [leaf_hash(i.to_bytes(8, "big")) for i in range(n)]


MAX_RANDOM = 100000


def queries(seed, maxn=MAX_RANDOM, small=130, count=40, nsizes=26):
    rnd = random.Random(seed)
    out = ["leaves %d" % maxn]
    for n in range(0, small + 1):
        out.append("root %d 0" % n)
        out += ["incl %d %d" % (i, n) for i in range(n)]
        out += ["cons %d %d" % (m, n) for m in range(1, n + 1)]
    special = [s for s in (small + 1, 65536, 65537) if s <= maxn]
    sizes = sorted(set([maxn] + special + [rnd.randrange(small + 1, maxn) for _ in range(nsizes)]))
    for n in sizes:
        out.append("root %d 0" % n)
        idx = set([0, n - 1, n // 2] + [rnd.randrange(n) for _ in range(count)])
        out += ["incl %d %d" % (i, n) for i in sorted(idx)]
        ms = set([1, n - 1, n, n // 2] + [rnd.randrange(1, n + 1) for _ in range(count)])
        out += ["cons %d %d" % (m, n) for m in sorted(ms)]
    return out


def fmt(hashes):
    return ",".join(h.hex() for h in hashes) if hashes else "-"


def expected(tree, line):
    op, a, b = line.split()
    a, b = int(a), int(b)
    if op == "root":
        return "%s %d %d %s" % (op, a, b, fmt([tree.mth(0, a)]))
    if op == "incl":
        return "%s %d %d %s" % (op, a, b, fmt(tree.path(a, 0, b)))
    return "%s %d %d %s" % (op, a, b, fmt(tree.proof(a, b)))


def check(qfile, afile):
    with open(qfile) as f:
        qs = [l.strip() for l in f if l.strip()]
    with open(afile) as f:
        ans = [l.strip() for l in f if l.strip()]
    n = int(qs[0].split()[1])
    tree = Tree(test_leaves(n))
    qs = qs[1:]
    groups = {}
    bad = []
    for q, a in zip(qs, ans):
        op, x, y = q.split()
        x, y = int(x), int(y)
        size = x if op == "root" else y
        key = (op, "n<=130" if size <= 130 else "random n up to %d" % n)
        groups.setdefault(key, [0, 0])
        want = expected(tree, q)
        ok = a == want
        # the C proof must also verify with this independent verifier
        if ok and op == "incl":
            proof = [bytes.fromhex(h) for h in a.split()[3].split(",")] if a.split()[3] != "-" else []
            ok = verify_inclusion(x, y, tree.leaves[x], proof, tree.mth(0, y))
        if ok and op == "cons":
            proof = [bytes.fromhex(h) for h in a.split()[3].split(",")] if a.split()[3] != "-" else []
            ok = verify_consistency(x, y, tree.mth(0, x), tree.mth(0, y), proof)
            # and not for a neighbouring old size
            if ok and 1 < x < y:
                ok = not verify_consistency(x - 1, y, tree.mth(0, x - 1), tree.mth(0, y), proof)
        groups[key][0 if ok else 1] += 1
        if not ok and len(bad) < 10:
            bad.append("#   query %s\n#   C:      %s\n#   Python: %s" % (q, a, want))
    passed = failed = 0
    if len(ans) != len(qs):
        print("not ok - %d answers for %d queries" % (len(ans), len(qs)))
        failed += 1
    names = {"root": "roots", "incl": "inclusion proofs", "cons": "consistency proofs"}
    for (op, where), (p, f) in sorted(groups.items()):
        if f:
            failed += 1
            print("not ok - %s, %s: %d of %d differ from the Python reference" % (names[op], where, f, p + f))
        else:
            passed += 1
            print("ok - %s, %s: all %d equal the Python reference (and verify there)" % (names[op], where, p))
    for b in bad:
        print(b)
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


def vectors(dirname):
    """The reference's own verifiers against the transparency-dev vectors."""
    passed = failed = 0

    def b64(s):
        return base64.b64decode(s) if s else b""

    for kind in ("inclusion", "consistency"):
        for root, _, files in sorted(os.walk(os.path.join(dirname, kind))):
            for name in sorted(files):
                with open(os.path.join(root, name)) as f:
                    v = json.load(f)
                proof = [b64(p) for p in (v.get("proof") or [])]
                if kind == "inclusion":
                    got = verify_inclusion(v["leafIdx"], v["treeSize"], b64(v["leafHash"]), proof, b64(v["root"]))
                else:
                    got = verify_consistency(v["size1"], v["size2"], b64(v["root1"]), b64(v["root2"]), proof)
                if got == (not v["wantErr"]):
                    passed += 1
                else:
                    failed += 1
                    print("not ok - reference on %s/%s (%s)" % (root, name, v["desc"]))
    print("ok - the Python reference on %d transparency-dev vectors" % passed if not failed else
          "not ok - the Python reference fails %d vectors" % failed)
    print("%d passed, %d failed" % (1 if not failed else 0, 1 if failed else 0))
    return failed == 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "queries":
        if len(sys.argv) > 3:
            print("\n".join(queries(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                                     int(sys.argv[5]), 8)))
        else:
            print("\n".join(queries(int(sys.argv[2]))))
    elif cmd == "check":
        sys.exit(0 if check(sys.argv[2], sys.argv[3]) else 1)
    elif cmd == "vectors":
        sys.exit(0 if vectors(sys.argv[2]) else 1)
    elif cmd == "leaves":
        for i, h in enumerate(test_leaves(int(sys.argv[2]))):
            print("%d %s" % (i, h.hex()))
    elif cmd == "expect":
        with open(sys.argv[2]) as f:
            qs = [l.strip() for l in f if l.strip()]
        tree = Tree(test_leaves(int(qs[0].split()[1])))
        for q in qs[1:]:
            print(expected(tree, q))
    else:
        sys.exit("unknown command " + cmd)
