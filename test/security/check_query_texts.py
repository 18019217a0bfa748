#!/usr/bin/env python3
"""Every query text the C code runs resolves only to pg_catalog and foray.

    python3 test/security/check_query_texts.py src/*.c

Extracts the SQL held in C string literals (adjacent literals joined, the
way the compiler joins them), and reports every name that PostgreSQL would
look up through the search_path: a cast to an unqualified type (`::text`),
an unqualified collation, function, table or operator.  Exits 1 when it
finds one (docs/security.md, promise 1).
"""
import re
import sys

SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|COPY)\b", re.I)
OP_CHARS = set("=<>!~+-*/%^&|@#?")
# words that look like calls but are SQL syntax
SYNTAX_CALLS = {"in", "any", "all", "exists", "values", "from", "as", "into", "on", "using",
                "and", "or", "not", "where", "over", "filter", "lateral", "then", "else",
                "when", "case", "select", "set", "array", "rows", "returning", "materialized",
                "ordinality", "join", "by", "limit", "conflict", "do", "update", "with", "is"}
# a table or view must be named with its schema after these words
TABLE_WORDS = {"from", "join", "into", "update", "table"}


def literals(source):
    """The C string literals of a file, adjacent ones joined, with line numbers."""
    out = []
    i = 0
    n = len(source)
    line = 1
    cur = None
    cur_line = 0
    gap_ok = False
    while i < n:
        c = source[i]
        if c == "\n":
            line += 1
        if source.startswith("//", i):
            j = source.find("\n", i)
            i = n if j < 0 else j
            continue
        if source.startswith("/*", i):
            j = source.find("*/", i + 2)
            line += source.count("\n", i, j)
            i = j + 2
            continue
        if c == "'":
            # a character literal
            j = i + 1
            while source[j] != "'":
                j += 2 if source[j] == "\\" else 1
            i = j + 1
            gap_ok = False
            continue
        if c == '"':
            j = i + 1
            buf = []
            while source[j] != '"':
                if source[j] == "\\":
                    buf.append(source[j:j + 2])
                    j += 2
                else:
                    buf.append(source[j])
                    j += 1
            text = "".join(buf).replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t")
            if cur is not None and gap_ok:
                cur += text
            else:
                if cur is not None:
                    out.append((cur_line, cur))
                cur = text
                cur_line = line
            i = j + 1
            gap_ok = True
            continue
        if c.isspace():
            i += 1
            continue
        # a macro name between literals (e.g. EQ) keeps joining
        m = re.match(r"[A-Z_][A-Z0-9_]*(\(\"[^\"]*\"\))?", source[i:])
        if m and cur is not None and gap_ok:
            macro = m.group(0)
            cur += " \x01" + macro.split("(")[0] + "\x01 "
            i += len(macro)
            continue
        if cur is not None:
            out.append((cur_line, cur))
            cur = None
        gap_ok = False
        i += 1
    if cur is not None:
        out.append((cur_line, cur))
    return out


def tokens(sql):
    """Tokens of a query, string literals and quoted identifiers kept whole."""
    toks = []
    i = 0
    n = len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
        elif c == "'":
            j = i + 1
            while j < n and not (sql[j] == "'" and (j + 1 >= n or sql[j + 1] != "'")):
                j += 2 if sql[j] == "'" else 1
            toks.append(("str", sql[i:j + 1]))
            i = j + 1
        elif c == '"':
            j = sql.find('"', i + 1)
            toks.append(("ident", sql[i:j + 1]))
            i = j + 1
        elif c == "$" and i + 1 < n and sql[i + 1].isdigit():
            j = i + 1
            while j < n and sql[j].isdigit():
                j += 1
            toks.append(("param", sql[i:j]))
            i = j
        elif c == "\x01":
            j = sql.find("\x01", i + 1)
            toks.append(("macro", sql[i + 1:j]))
            i = j + 1
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_"):
                j += 1
            toks.append(("ident", sql[i:j]))
            i = j
        elif c.isdigit():
            j = i
            while j < n and (sql[j].isdigit() or sql[j] == "."):
                j += 1
            toks.append(("num", sql[i:j]))
            i = j
        elif sql.startswith("::", i):
            toks.append(("cast", "::"))
            i += 2
        elif c in OP_CHARS:
            j = i
            while j < n and sql[j] in OP_CHARS:
                j += 1
            toks.append(("op", sql[i:j]))
            i = j
        else:
            toks.append(("punct", c))
            i += 1
    return toks


def qualified_at(toks, k):
    """Is the name starting at toks[k] schema-qualified (schema . name)?"""
    return k + 2 < len(toks) and toks[k + 1] == ("punct", ".") and toks[k][1] in ("pg_catalog", "foray")


def check(sql):
    problems = []
    toks = tokens(sql)
    # names the query defines itself: CTEs (name AS [MATERIALIZED] ( ... ))
    ctes = {toks[k][1].lower() for k in range(len(toks) - 2)
            if toks[k][0] == "ident" and toks[k + 1][1].lower() == "as"
            and (toks[k + 2] == ("punct", "(") or toks[k + 2][1].lower() == "materialized")}
    in_set = False
    depth = 0
    operator_depth = []
    for k, (kind, val) in enumerate(toks):
        low = val.lower()
        prev = toks[k - 1] if k > 0 else ("", "")
        if kind == "punct" and val == "(":
            depth += 1
        elif kind == "punct" and val == ")":
            depth -= 1
            if operator_depth and operator_depth[-1] == depth:
                operator_depth.pop()
        if kind == "ident" and low == "set" and depth == 0:
            in_set = True
        if kind == "ident" and low in ("where", "from", "returning") and depth == 0:
            in_set = False
        if kind == "cast":
            if not qualified_at(toks, k + 1):
                problems.append("cast to unqualified type %r" % (toks[k + 1][1] if k + 1 < len(toks) else "?"))
        elif kind == "ident" and low == "collate":
            if not qualified_at(toks, k + 1):
                problems.append("unqualified collation %r" % toks[k + 1][1])
        elif kind == "ident" and low == "operator" and k + 1 < len(toks) and toks[k + 1] == ("punct", "("):
            if not (k + 2 < len(toks) and toks[k + 2][1] == "pg_catalog"):
                problems.append("OPERATOR() outside pg_catalog")
            operator_depth.append(depth)
        elif kind == "ident" and k + 1 < len(toks) and toks[k + 1] == ("punct", "(") and \
                low not in SYNTAX_CALLS and prev != ("punct", ".") and prev[0] != "cast" and \
                prev[1].lower() != "as":
            problems.append("unqualified function %s()" % val)
        elif kind == "ident" and low in TABLE_WORDS and k + 1 < len(toks) and toks[k + 1][0] == "ident" \
                and toks[k + 1][1].lower() not in ("rows", "lateral", "only", "select", "foray", "pg_catalog") \
                and not (low == "update" and prev[0] == "ident" and prev[1].lower() == "for") \
                and not (k + 2 < len(toks) and toks[k + 2] == ("punct", "(")):
            if not qualified_at(toks, k + 1) and toks[k + 1][1].lower() not in ctes:
                problems.append("unqualified table %r" % toks[k + 1][1])
        elif kind == "op":
            inside_operator = bool(operator_depth)
            set_assignment = in_set and val == "=" and depth == 0
            star = val == "*" and (prev == ("punct", "(") or (prev[0] == "ident" and prev[1].lower() == "select")
                                  or prev == ("punct", "."))
            if not (inside_operator or set_assignment or star):
                problems.append("bare operator %r" % val)
    return problems


def main(files):
    bad = 0
    queries = 0
    for f in files:
        with open(f, encoding="utf-8") as fh:
            src = fh.read()
        for line, text in literals(src):
            if not SQL_START.match(text) or len(text) < 20:
                continue
            queries += 1
            for p in check(text):
                bad += 1
                print("%s:%d: %s\n    %s" % (f, line, p, " ".join(text.split())[:160]))
    print("%d query texts checked, %d unqualified names" % (queries, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
