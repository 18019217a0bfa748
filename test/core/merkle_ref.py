#!/usr/bin/env python3
"""Second, independent implementation of docs/merkle.md, in Python.

Used by the tests to derive expected hashes without the extension:

    python3 test/core/merkle_ref.py tx.json     # prints the hashes as JSON

tx.json: {"transaction_id", "schema_version", "timestamp", "foray_core",
          "audit_data_anchor" (optional), "components": [{"id", "type",
          "foray_core", "audit_data"}], "attestations": [{"id", "foray_core",
          "audit_data"}]}

Canonical JSON here is json.dumps(sort_keys, compact, ensure_ascii=False),
which is RFC 8785 for the values the tests use (ASCII keys, integers and
strings); hashlib provides SHA-256.
"""
import hashlib
import json
import sys

TREES = ["arrangements", "accruals", "anticipations", "actions", "attestations"]
TYPE_TREE = {"ARR": "arrangements", "ACC": "accruals", "ANT": "anticipations",
             "ACT": "actions", "ATT": "attestations"}


def sha(b):
    return hashlib.sha256(b).digest()


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def value_hash(v):
    """SHA-256 of the canonical value; JSON null when absent."""
    return sha(canon(v))


def mth(entries):
    """RFC 9162 2.1.1, recursive, over raw entries."""
    n = len(entries)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + entries[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return sha(b"\x01" + mth(entries[:k]) + mth(entries[k:]))


def path(entries, m):
    """RFC 9162 2.1.3.1 PATH(m, D[n]), leaf first."""
    n = len(entries)
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(entries[:k], m) + [mth(entries[k:])]
    return path(entries[k:], m - k) + [mth(entries[:k])]


def t(h):
    return "sha256:" + h.hex()


def tx_hashes(tx):
    members = {name: [] for name in TREES}
    for c in tx.get("components", []):
        members[TYPE_TREE[c["type"]]].append(c)
    for a in tx.get("attestations", []):
        members["attestations"].append(a)
    for name in TREES:
        members[name].sort(key=lambda c: c["id"].encode("utf-8"))

    roots = {}
    leaves = {}
    for name in TREES:
        leaves[name] = [value_hash(c["foray_core"]) for c in members[name]]
        roots[name] = mth(leaves[name])

    core_hash = value_hash(tx["foray_core"])
    anchor = tx.get("audit_data_anchor")
    if isinstance(anchor, dict):
        anchor = {k: v for k, v in anchor.items() if k != "audit_data_hash"}
    audit_entries = [value_hash(anchor)]
    for name in TREES:
        audit_entries += [value_hash(c.get("audit_data")) for c in members[name]]
    audit_hash = mth(audit_entries)

    top = [core_hash] + [roots[name] for name in TREES] + [audit_hash]
    root = mth(top)

    proofs = {}
    for i, name in enumerate(TREES):
        for j, c in enumerate(members[name]):
            proofs[c["id"]] = {
                "tree": name,
                "component_hash": t(leaves[name][j]),
                "leaf_hash": t(sha(b"\x00" + leaves[name][j])),
                "steps": [
                    {"leaf_index": j, "tree_size": len(leaves[name]),
                     "path": [t(p) for p in path(leaves[name], j)]},
                    {"leaf_index": 1 + i, "tree_size": 7,
                     "path": [t(p) for p in path(top, 1 + i)]},
                ],
            }

    envelope = {
        "transaction_id": tx["transaction_id"],
        "schema_version": tx.get("schema_version", "4.1"),
        "timestamp": tx["timestamp"],
        "foray_core_hash": t(core_hash),
        "audit_data_hash": t(audit_hash),
        "merkle_root": t(root),
    }
    return {
        "component_hashes": {name: t(roots[name]) for name in TREES},
        "foray_core_hash": t(core_hash),
        "audit_data_hash": t(audit_hash),
        "merkle_root": t(root),
        "proofs": proofs,
        "envelope": envelope,
        "envelope_canonical_bytes": len(canon(envelope)),
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(tx_hashes(json.load(f)), indent=2, sort_keys=True))
