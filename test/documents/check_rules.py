#!/usr/bin/env python3
"""Independent checker of FORAY v4.1 document rules (docs/rules.md).

Written from the specification (sections 2, 3.3, 4, 5.3, 6, 7.2, 9.3, 9.6,
10.2), not from the C validator: the suite compares the two outputs over
every example and every test document.  Prints one line per finding:
    rule_id<TAB>severity<TAB>component_id<TAB>json_path
Usage: check_rules.py AS_OF_ISO FILE...   (AS_OF: "now" for ATT-003/004)
"""
import json
import re
import sys
from datetime import datetime, timezone, timedelta
from decimal import Decimal

KINDS = [("arrangements", "ARR_", "arrangement"), ("accruals", "ACC_", "accrual"),
         ("anticipations", "ANT_", "anticipation"), ("actions", "ACT_", "action"),
         ("attestations", "ATT_", "attestation")]
REFS = {"arrangement_refs": "ARR_", "accrual_refs": "ACC_", "anticipation_refs": "ANT_"}
SINGULAR = {"arrangement_ref": "arrangement_refs", "accrual_ref": "accrual_refs",
            "anticipation_ref": "anticipation_refs"}
# spec 10.2: which upstream types a component may reference
MAY = {"ARR_": set(), "ACC_": {"ARR_"}, "ANT_": {"ARR_", "ACC_"},
       "ACT_": {"ARR_", "ACC_", "ANT_"}, "ATT_": set()}
WARN = {"TX-002w", "ACC-003", "ANT-002", "ACT-003", "ALLOC-003", "ATT-004"}
ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
                 r"(Z|[+-]\d{2}:?\d{2})?)?$")


def iso(s):
    """(datetime UTC, date_only) or None."""
    if not isinstance(s, str):
        return None
    m = ISO.match(s)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0),
                      int(((frac or "") + "000000")[:6]), tzinfo=timezone.utc)
    except ValueError:
        return None
    if off and off != "Z":
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:])
        if oh > 15 or om > 59:
            return None
        dt -= sign * timedelta(hours=oh, minutes=om)
    return dt, hh is None


def day(dt):
    return dt.replace(hour=0, minute=0, second=0, microsecond=0)


def is_num(v):
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def upgrade(doc):
    """spec 7.2 (4.0) plus the documented 3.0 layout; None when not needed."""
    ver = doc.get("schema_version")
    if ver not in ("4.0", "3.0"):
        return None
    v3 = ver == "3.0"
    out = dict(doc)
    out["schema_version"] = "4.1"
    if v3 and "foray_core" not in doc:
        core = {}
        for k in ("entity", "entity_hash", "transaction_type", "total_value", "currency",
                  "status", "compliance_flags"):
            if k in doc:
                core[k] = out.pop(k)
        if isinstance(core.get("status"), str) and core["status"].lower() in ("active", "completed", "reversed"):
            core["status"] = core["status"].lower()
        out["foray_core"] = core
    ensure = {"accruals": ["arrangement_refs"],
              "anticipations": ["accrual_refs", "arrangement_refs"],
              "actions": ["anticipation_refs", "accrual_refs", "arrangement_refs"]}
    for arr, _, _ in KINDS:
        if not isinstance(doc.get(arr), list):
            continue
        comps = []
        for c in doc[arr]:
            if not isinstance(c, dict) or ("foray_core" in c and not isinstance(c["foray_core"], dict)):
                comps.append(c)
                continue
            if "foray_core" in c:
                nc = dict(c)
                core = dict(c["foray_core"])
            elif v3:
                nc = {k: c[k] for k in ("id", "audit_data") if k in c}
                core = {k: v for k, v in c.items() if k not in ("id", "audit_data")}
            else:
                comps.append(c)
                continue
            for single, plural in SINGULAR.items():
                if single in core and plural not in core:
                    val = core.pop(single)
                    core[plural] = [val] if val not in (None, "") else []
            for plural in ensure.get(arr, []):
                core.setdefault(plural, [])
            if v3 and arr == "actions" and isinstance(core.get("settlement_status"), str) and \
                    core["settlement_status"].lower() in ("completed", "pending", "failed", "reversed"):
                core["settlement_status"] = core["settlement_status"].lower()
            nc["foray_core"] = core
            comps.append(nc)
        out[arr] = comps
    return out


def depth(v):
    best, stack = 0, [(v, 0)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, (dict, list)):
            best = max(best, d + 1)
            stack.extend((y, d + 1) for y in (x.values() if isinstance(x, dict) else x))
    return best


def check(doc, as_of):
    out = []

    def rep(rule, comp, path, warn=False):
        out.append((rule, "warning" if warn or rule in WARN else "error", comp or "", path))

    if not isinstance(doc, dict):
        rep("DOC-001", None, "$")
        return out
    if depth(doc) > 64:
        rep("DOC-002", None, "$")
    up = upgrade(doc)
    if up is not None:
        rep("TX-002", None, "$.schema_version", warn=True)
        doc = up
    for f in ("transaction_id", "schema_version", "timestamp", "foray_core"):
        if f not in doc:
            rep("SHAPE-002", None, "$")
    tid = doc.get("transaction_id")
    if "transaction_id" in doc:
        if not isinstance(tid, str):
            rep("SHAPE-001", None, "$.transaction_id")
        elif not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}", tid):
            rep("ID-002", None, "$.transaction_id")
    sv = doc.get("schema_version")
    if "schema_version" in doc:
        if not isinstance(sv, str):
            rep("SHAPE-001", None, "$.schema_version")
        elif sv != "4.1":
            rep("TX-002", None, "$.schema_version")
    tx_ts = None
    if "timestamp" in doc:
        if not isinstance(doc["timestamp"], str):
            rep("SHAPE-001", None, "$.timestamp")
        elif iso(doc["timestamp"]) is None:
            rep("SHAPE-003", None, "$.timestamp")
        else:
            tx_ts = iso(doc["timestamp"])[0]
    if "foray_core" in doc:
        if not isinstance(doc["foray_core"], dict):
            rep("SHAPE-001", None, "$.foray_core")
        else:
            core = doc["foray_core"]
            for f in ("entity", "transaction_type"):
                if core.get(f) is None:
                    rep("SHAPE-002", None, "$.foray_core")
            for f, typ in (("entity", str), ("transaction_type", str), ("entity_hash", str), ("currency", str),
                           ("status", str), ("total_value", "num"), ("compliance_flags", "strings")):
                v = core.get(f)
                if v is None:
                    continue
                ok = is_num(v) if typ == "num" else \
                    (isinstance(v, list) and all(isinstance(x, str) for x in v)) if typ == "strings" else isinstance(v, typ)
                if not ok:
                    rep("SHAPE-001", None, "$.foray_core." + f)
                elif f == "status" and v not in ("active", "completed", "reversed"):
                    rep("ENUM-001", None, "$.foray_core.status")
    for f in ("component_hashes", "blockchain_anchor", "audit_data_anchor", "privacy_metadata"):
        if f in doc and doc[f] is not None and not isinstance(doc[f], dict):
            rep("SHAPE-001", None, "$." + f)
    if "merkle_root" in doc and doc["merkle_root"] is not None and not isinstance(doc["merkle_root"], str):
        rep("SHAPE-001", None, "$.merkle_root")
    for arr, _, _ in KINDS:
        if arr in doc and not isinstance(doc[arr], list):
            rep("SHAPE-001", None, "$." + arr)

    # components
    comps = []          # (prefix, id or None, path, core or None)
    by_id = {}
    for arr, prefix, _ in KINDS:
        for i, c in enumerate(doc.get(arr) if isinstance(doc.get(arr), list) else []):
            path = "$.%s[%d]" % (arr, i)
            if not isinstance(c, dict):
                rep("SHAPE-001", None, path)
                continue
            cid = c.get("id")
            if not isinstance(cid, str) or not 1 <= len(cid) <= 200:
                rep("ID-004", None, path + ".id")
                cid = None
            else:
                if not (cid.startswith(prefix) and len(cid) > len(prefix)):
                    rep("ATT-001" if prefix == "ATT_" else "ID-001", cid, path + ".id")
                if cid in by_id:
                    rep("ATT-001" if prefix == "ATT_" else "ID-003", cid, path + ".id")
            core = c.get("foray_core")
            if not isinstance(core, dict):
                rep("SHAPE-001", cid, path + ".foray_core")
                core = None
            if "audit_data" in c and c["audit_data"] is not None and not isinstance(c["audit_data"], dict):
                rep("SHAPE-001", cid, path + ".audit_data")
            for k in c:
                if k not in ("id", "foray_core", "audit_data"):
                    rep("SHAPE-004", cid, path + "." + k)
            if cid is not None and cid not in by_id:
                by_id[cid] = len(comps)
            comps.append((prefix, cid, path, core))
    if not any(p != "ATT_" for p, _, _, _ in comps):
        rep("TX-001", None, "$")

    def kind_of(ref):
        i = by_id.get(ref)
        return None if i is None else comps[i][0]

    edges = {}

    def ref_array(cid, v, field, path, shape_rule):
        if not isinstance(v, list):
            rep(shape_rule, cid, path)
            return None
        seen = set()
        for i, e in enumerate(v):
            if not isinstance(e, str):
                rep(shape_rule, cid, "%s[%d]" % (path, i))
                continue
            if cid is not None and e == cid:
                rep("REF-002", cid, "%s[%d]" % (path, i))
            if e in seen:
                rep("REF-003", cid, "%s[%d]" % (path, i))
            seen.add(e)
        return v

    for idx, (prefix, cid, path, core) in enumerate(comps):
        if core is None:
            continue
        cp = path + ".foray_core"
        edges[idx] = []
        if prefix != "ATT_":
            for field, target in REFS.items():
                single = [s for s, p in SINGULAR.items() if p == field][0]
                if single in core:
                    rep("REF-004", cid, cp + "." + single)
                if field not in core:
                    continue
                arr = ref_array(cid, core[field], field, cp + "." + field, "SHAPE-001")
                if arr is None:
                    continue
                if arr and target not in MAY[prefix]:
                    rep("REF-001", cid, cp + "." + field)
                    continue
                for i, e in enumerate(arr):
                    if not isinstance(e, str):
                        continue
                    if not (e.startswith(target) and len(e) > 4):
                        rep("REF-001", cid, "%s.%s[%d]" % (cp, field, i))
                    if e not in by_id:
                        rep("TX-003", cid, "%s.%s[%d]" % (cp, field, i))
                    elif kind_of(e) != "ATT_" and e != cid:
                        edges[idx].append(by_id[e])
        if "dependencies" in core:
            deps = ref_array(cid, core["dependencies"], "dependencies", cp + ".dependencies", "SHAPE-001")
            if deps is not None:
                if prefix == "ARR_" and deps:
                    rep("ARR-001", cid, cp + ".dependencies")
                for i, e in enumerate(deps):
                    if not isinstance(e, str):
                        continue
                    p = "%s.dependencies[%d]" % (cp, i)
                    if prefix == "ATT_":
                        if kind_of(e) != "ATT_":
                            rep("ATT-007", cid, p)
                        elif e != cid:
                            edges[idx].append(by_id[e])
                        continue
                    if e not in by_id:
                        rep("TX-003", cid, p)
                        continue
                    if e == cid:
                        continue
                    if prefix != "ARR_" and kind_of(e) not in MAY[prefix]:
                        rep("DEP-001", cid, p)
                    if kind_of(e) != "ATT_":
                        edges[idx].append(by_id[e])
        if prefix == "ARR_":
            if not isinstance(core.get("parties"), list) or not core["parties"]:
                rep("ARR-002", cid, cp + ".parties")
        elif prefix == "ACC_":
            if "output" not in core:
                rep("ACC-001", cid, cp)
            elif not is_num(core["output"]):
                rep("ACC-001", cid, cp + ".output")
            ae = core.get("accounting_entry")
            if ae is not None:
                ap = cp + ".accounting_entry"
                if not isinstance(ae, dict):
                    rep("ACC-002", cid, ap)
                else:
                    sums = {"debit": Decimal(0), "credit": Decimal(0)}
                    count = {"debit": 0, "credit": 0}
                    ok = True
                    for k, v in ae.items():
                        side = "debit" if k.startswith("debit") else "credit" if k.startswith("credit") else None
                        if side is None:
                            continue
                        if k not in ("debit", "credit"):
                            rep("ACC-003", cid, ap + "." + k)
                        lines = v if isinstance(v, list) else [v]
                        if not all(isinstance(x, dict) and is_num(x.get("amount")) for x in lines) or \
                                not isinstance(v, (list, dict)):
                            rep("ACC-002", cid, ap + "." + k)
                            ok = False
                        else:
                            sums[side] += sum(x["amount"] for x in lines)
                        count[side] += 1
                    if ok and (count["debit"] == 0 or count["credit"] == 0 or sums["debit"] != sums["credit"]):
                        rep("ACC-002", cid, ap)
        elif prefix == "ANT_":
            pf = core.get("probability_factor", 0)
            if "probability_factor" in core and (not is_num(pf) or not 0 <= pf <= 1):
                rep("ANT-001", cid, cp + ".probability_factor")
            ed = core.get("expected_date")
            if ed is not None:
                parsed = iso(ed)
                if parsed is None:
                    rep("ANT-002", cid, cp + ".expected_date")
                elif tx_ts is not None and parsed[0] < (day(tx_ts) if parsed[1] else tx_ts):
                    rep("ANT-002", cid, cp + ".expected_date")
        elif prefix == "ACT_":
            settled = core.get("amount_settled")
            if "amount_settled" not in core:
                rep("ACT-001", cid, cp)
            elif not is_num(settled):
                rep("ACT-001", cid, cp + ".amount_settled")
            if core.get("settlement_status") not in ("completed", "pending", "failed", "reversed") or \
                    not isinstance(core.get("settlement_status"), str):
                rep("ACT-002", cid, cp + ".settlement_status")
            allocs = core.get("allocations")
            if allocs is not None:
                ap = cp + ".allocations"
                if not isinstance(allocs, list):
                    rep("ALLOC-004", cid, ap)
                else:
                    total, summable = Decimal(0), True
                    cur_act = core.get("currency") if isinstance(core.get("currency"), str) else None
                    for i, a in enumerate(allocs):
                        p = "%s[%d]" % (ap, i)
                        if not isinstance(a, dict):
                            rep("ALLOC-004", cid, p)
                            summable = False
                            continue
                        if not isinstance(a.get("ref"), str):
                            rep("ALLOC-004", cid, p)
                        if a.get("ref_type") not in ("anticipation", "accrual", "arrangement") or \
                                not isinstance(a.get("ref_type"), str):
                            rep("ALLOC-004", cid, p)
                        if not is_num(a.get("amount")):
                            rep("ALLOC-004", cid, p)
                            summable = False
                        else:
                            total += a["amount"]
                        if not isinstance(a.get("currency"), str):
                            rep("ALLOC-004", cid, p)
                        elif cur_act is not None and a["currency"] != cur_act:
                            rep("ALLOC-003", cid, p + ".currency")
                        if isinstance(a.get("ref"), str):
                            k = kind_of(a["ref"])
                            if k is None:
                                rep("ALLOC-001", cid, p + ".ref")
                            elif isinstance(a.get("ref_type"), str) and \
                                    dict((kp, tn) for _, kp, tn in KINDS)[k] != a["ref_type"]:
                                rep("ALLOC-002", cid, p + ".ref_type")
                    if allocs and summable and is_num(settled):
                        diff = abs(total - settled)
                        if diff > Decimal("0.01"):
                            rep("TX-005", cid, ap)
                        elif diff != 0:
                            rep("ACT-003", cid, ap)
        else:  # attestation, spec 9.3 / 9.6
            def string_field(f, required):
                v = core.get(f)
                if v is None:
                    if required:
                        rep("SHAPE-002", cid, cp + "." + f)
                    return None
                if not isinstance(v, str):
                    rep("SHAPE-001", cid, cp + "." + f)
                    return None
                return v
            string_field("attestor", True)
            h = string_field("attestor_hash", True)
            if h is not None and not re.fullmatch(r"(sha256:)?[0-9a-fA-F]{64}", h):
                rep("ATT-005", cid, cp + ".attestor_hash")
            for f, vals in (("attestor_type", ("certification_body", "laboratory", "auditor", "inspector", "oracle", "regulator")),
                            ("attestation_type", ("certification", "inspection", "analysis", "audit_opinion", "verification", "approval")),
                            ("outcome", ("certified", "approved", "rejected", "conditional", "expired", "revoked", "pending"))):
                v = string_field(f, True)
                if v is not None and v not in vals:
                    rep("ENUM-001", cid, cp + "." + f)
            cr = core.get("attestor_credentials")
            if cr is not None and not (isinstance(cr, list) and all(isinstance(x, str) for x in cr)):
                rep("SHAPE-001", cid, cp + ".attestor_credentials")
            string_field("evidence_hash", False)
            string_field("evidence_location", False)

            def date_field(v, path, required):
                if v is None:
                    if required:
                        rep("SHAPE-002", cid, path)
                    return None
                if not isinstance(v, str):
                    rep("SHAPE-001", cid, path)
                    return None
                if iso(v) is None:
                    rep("SHAPE-003", cid, path)
                    return None
                return iso(v)
            ad = date_field(core.get("attestation_date"), cp + ".attestation_date", True)
            if ad is not None and ad[0] > (day(as_of) if ad[1] else as_of):
                rep("ATT-003", cid, cp + ".attestation_date")
            vp = core.get("validity_period")
            if vp is not None:
                if not isinstance(vp, dict):
                    rep("SHAPE-001", cid, cp + ".validity_period")
                else:
                    date_field(vp.get("start"), cp + ".validity_period.start", False)
                    end = date_field(vp.get("end"), cp + ".validity_period.end", False)
                    if end is not None and end[0] < (day(as_of) if end[1] else as_of) and core.get("outcome") != "expired":
                        rep("ATT-004", cid, cp + ".outcome")
            if core.get("subject_refs") is None:
                rep("SHAPE-002", cid, cp + ".subject_refs")
            else:
                subj = ref_array(cid, core["subject_refs"], "subject_refs", cp + ".subject_refs", "SHAPE-001")
                if subj is not None:
                    if not subj:
                        rep("ATT-002", cid, cp + ".subject_refs")
                    for i, e in enumerate(subj):
                        if not isinstance(e, str):
                            continue
                        if e not in by_id:
                            rep("ATT-002", cid, "%s.subject_refs[%d]" % (cp, i))
                        elif kind_of(e) == "ATT_" and e != cid:
                            edges[idx].append(by_id[e])

    # cycles: report each back edge once, at the component it leaves
    color = {}
    for root in range(len(comps)):
        if color.get(root):
            continue
        stack = [(root, iter(edges.get(root, [])))]
        color[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
            elif not color.get(nxt):
                color[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, []))))
            elif color[nxt] == 1:
                prefix, cid, path, _ = comps[node]
                rep("ATT-006" if prefix == "ATT_" else "TX-004", cid, path + ".foray_core")
    return out


def main():
    as_of = iso(sys.argv[1])[0]
    for name in sys.argv[2:]:
        with open(name) as f:
            try:
                doc = json.load(f, parse_float=Decimal)
            except RecursionError:
                print("DOC-002\terror\t\t$")
                continue
        for r in sorted(set(check(doc, as_of))):
            print("\t".join(r))


if __name__ == "__main__":
    sys.setrecursionlimit(100000)
    main()
