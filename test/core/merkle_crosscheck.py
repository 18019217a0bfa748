#!/usr/bin/env python3
"""Random transactions: write them as SQL, then compare what the server
computes (transaction_hashes, inclusion_proof, anchor_envelope) with the
independent Python implementation in merkle_ref.py.

    merkle_crosscheck.py gen N SEED > load.sql     # SQL + expected.json beside
    merkle_crosscheck.py check expected.json server.json
"""
import json
import random
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import merkle_ref  # noqa: E402


def q(s):
    return "'" + s.replace("'", "''") + "'"


def jq(v):
    return q(json.dumps(v)) + "::jsonb"


def gen(n, seed):
    rnd = random.Random(seed)
    txs = []
    sql = ["BEGIN;"]
    for i in range(n):
        tid = "XC_%03d" % i
        tx = {"transaction_id": tid, "timestamp": "2026-02-%02dT10:00:00Z" % (1 + i % 28),
              "foray_core": {"entity": "E%d" % rnd.randrange(5), "transaction_type": "t",
                             "total_value": rnd.randrange(10 ** 6), "currency": "USD"},
              "components": [], "attestations": []}
        if rnd.random() < 0.5:
            tx["audit_data_anchor"] = {"audit_profile": "standard",
                                       "storage_locations": ["s3://a/%d" % i]}
        arrs = ["ARR_%d" % k for k in range(rnd.randrange(1, 9))]
        accs = ["ACC_%d" % k for k in range(rnd.randrange(0, 12))]
        ants = ["ANT_%d" % k for k in range(rnd.randrange(0, 5))]
        acts = ["ACT_%d" % k for k in range(rnd.randrange(0, 20))]
        for cid in arrs:
            tx["components"].append({"id": cid, "type": "ARR", "foray_core": {"n": rnd.randrange(100)}})
        for cid in accs:
            tx["components"].append({"id": cid, "type": "ACC",
                                     "foray_core": {"arrangement_refs": [rnd.choice(arrs)], "v": rnd.randrange(100)}})
        for cid in ants:
            tx["components"].append({"id": cid, "type": "ANT",
                                     "foray_core": {"arrangement_refs": [rnd.choice(arrs)]}})
        for cid in acts:
            tx["components"].append({"id": cid, "type": "ACT",
                                     "foray_core": {"arrangement_refs": [rnd.choice(arrs)], "amount_settled": rnd.randrange(1000)}})
        for c in tx["components"]:
            if rnd.random() < 0.3:
                c["audit_data"] = {"approver": "u%d" % rnd.randrange(50)}
        for k in range(rnd.randrange(0, 3)):
            tx["attestations"].append({"id": "ATT_%d" % k, "foray_core": {
                "attestor": "Lab %d" % k, "attestor_hash": "sha256:x", "attestor_type": "laboratory",
                "subject_refs": [rnd.choice(arrs)], "attestation_type": "analysis",
                "attestation_date": "2026-01-10T09:30:00Z", "outcome": "certified"},
                "audit_data": {"file": "r%d.pdf" % k} if rnd.random() < 0.5 else None})
        txs.append(tx)
        sql.append("INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor) VALUES (%s, %s, %s, %s);"
                   % (q(tid), q(tx["timestamp"]), jq(tx["foray_core"]),
                      jq(tx["audit_data_anchor"]) if "audit_data_anchor" in tx else "NULL"))
        comps = list(tx["components"])
        rnd.shuffle(comps)  # any insert order
        for c in comps:
            sql.append("INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data) VALUES (%s, %s, %s, %s, %s);"
                       % (q(tid), q(c["id"]), q(c["type"]), jq(c["foray_core"]),
                          jq(c["audit_data"]) if c.get("audit_data") is not None else "NULL"))
        for a in tx["attestations"]:
            sql.append("INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core, audit_data) VALUES (%s, %s, %s, %s);"
                       % (q(tid), q(a["id"]), jq(a["foray_core"]),
                          jq(a["audit_data"]) if a.get("audit_data") is not None else "NULL"))
    sql.append("COMMIT;")
    expected = {tx["transaction_id"]: merkle_ref.tx_hashes(tx) for tx in txs}
    return "\n".join(sql), expected


def check(expected, server):
    passed = failed = 0
    for tid, exp in sorted(expected.items()):
        got = server.get(tid)
        problems = []
        if got is None:
            problems.append("missing from the server's answer")
        else:
            h = got["hashes"]
            for key in ("foray_core_hash", "audit_data_hash", "merkle_root", "component_hashes"):
                if h[key] != exp[key]:
                    problems.append("%s: server %s, python %s" % (key, h[key], exp[key]))
            if got["envelope"] != exp["envelope"]:
                problems.append("envelope differs: %s" % got["envelope"])
            for cid, proof in got["proofs"].items():
                want = exp["proofs"][cid]
                steps = [{k: s[k] for k in ("leaf_index", "tree_size", "path")} for s in proof["steps"]]
                if (proof["leaf_hash"], proof["component_hash"], steps) != \
                        (want["leaf_hash"], want["component_hash"], want["steps"]):
                    problems.append("proof of %s differs" % cid)
                if not proof["verified"]:
                    problems.append("proof of %s does not verify" % cid)
            if set(got["proofs"]) != set(exp["proofs"]):
                problems.append("proof set differs")
        if problems:
            failed += 1
            print("not ok - %s: %s" % (tid, "; ".join(problems)))
        else:
            passed += 1
            print("ok - %s: hashes, envelope and %d proofs equal the Python implementation"
                  % (tid, len(exp["proofs"])))
    return passed, failed


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        sql, expected = gen(int(sys.argv[2]), int(sys.argv[3]))
        print(sql)
        with open(sys.argv[4], "w") as f:
            json.dump(expected, f)
    else:
        with open(sys.argv[2]) as f:
            expected = json.load(f)
        with open(sys.argv[3]) as f:
            server = json.load(f)
        p, f_ = check(expected, server)
        print("%d passed, %d failed" % (p, f_))
        sys.exit(1 if f_ else 0)
