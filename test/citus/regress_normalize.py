#!/usr/bin/env python3
"""Normalise a pg_regress result file of the Citus suite (test/suites/80_citus.sh)
for comparison with the single-node expected output, undoing only the
differences docs/scale-out.md documents as Citus's way of reporting the same
outcome:

1. Citus's WARNING (and its DETAIL) that a temporary object (a test's
   pg_temp function or view) "has dependency on unsupported object"
   pg_temp: it is not distributed, which is what a temporary object should
   be; and its NOTICE that it "partially supports CREATE DATABASE".
2. A deferred check that fails when the SQL transaction commits, on a worker:
   Citus reports the check's error as a WARNING, then "failed to commit
   transaction on <node>" and the ERROR "could not commit transaction for
   shard N on at least one active node"; the whole distributed transaction
   is rolled back.  Rewritten to the single node's ERROR with its DETAIL
   and HINT.
3. Shard names: a relation name with Citus's shard suffix (event_kinds_102008)
   becomes the table's name.

Usage: regress_normalize.py FILE  (rewrites FILE in place)
"""
import re
import sys

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
out = []
i = 0
tempdep = re.compile(r'^WARNING:  ".*pg_temp_\d+.*" has dependency on unsupported object "schema pg_temp_\d+"$')
while i < len(lines):
    line = lines[i]
    if tempdep.match(line):
        i += 1
        if i < len(lines) and re.match(r'^DETAIL:  ".*" will be created only locally$', lines[i]):
            i += 1
        continue
    if line == "NOTICE:  Citus partially supports CREATE DATABASE for distributed databases":
        i += 1
        continue
    if line.startswith("WARNING:  "):
        # a WARNING with its DETAIL/HINT, then Citus's commit failure
        j = i + 1
        while j < len(lines) and lines[j].startswith(("DETAIL:  ", "HINT:  ", "CONTEXT:  ")):
            j += 1
        k = j
        while k < len(lines) and lines[k].startswith("WARNING:  failed to commit transaction on "):
            k += 1
        if k > j and k < len(lines) and re.match(r"^ERROR:  could not commit transaction for shard \d+ on at least one active node$", lines[k]):
            out.append("ERROR:  " + line[len("WARNING:  "):])
            out.extend(lines[i + 1:j])
            i = k + 1
            continue
    out.append(re.sub(r"\b((?:foray_|event_|engine_|transaction_)[a-z_]*?)_1\d{5}\b", r"\1", line))
    i += 1
open(path, "w", encoding="utf-8").write("\n".join(out))
