#!/usr/bin/env python3
"""Lists every function call and cast of the Loomworks migration script that
is not schema-qualified (docs/migration.md, "What the script trusts").

    python3 test/legacy/lint_qualified.py sql/migrate/foray_substrate_migrate_loomworks.sql

Prints one line per finding (line number, the name) and exits 1 when there
is any.  It reads SQL as text: comments and string literals are blanked,
dollar-quoted bodies are read as the SQL they are.  A name followed by "("
is a call unless it is qualified (schema.name), a keyword that takes
parentheses (IN, EXISTS, VALUES, COALESCE, ...), or stands where a relation
or an alias does (after ")", AS, or another name).  A cast is "::" followed
by a qualified type or a type keyword the grammar itself maps to pg_catalog
(bigint, boolean, integer, ...)."""
import re
import sys

KEYWORDS_WITH_PARENS = {
    # grammar forms and keywords, never looked up as functions
    "coalesce", "greatest", "least", "nullif", "exists", "in", "any", "all", "some", "values",
    "array", "row", "filter", "over", "extract", "lateral", "using", "check", "key", "unique",
    "rows", "as", "window", "within", "numeric", "decimal", "varchar", "char", "character",
    "timestamp", "interval", "time", "conflict", "if", "elsif", "not", "and", "or", "when",
    "returns", "select", "with", "fillfactor", "case",
}
TYPE_KEYWORDS = {"bigint", "boolean", "integer", "int", "smallint", "real", "numeric", "decimal"}
# after these words an expression (so possibly a call) starts; after any
# other name, "(" opens the column list of a relation or an alias
EXPRESSION_AFTER = {
    "select", "perform", "return", "then", "else", "when", "and", "or", "not", "where", "by",
    "distinct", "is", "from", "lateral", "having", "limit", "offset", "if", "elsif", "case",
    "between", "like", "ilike", "escape", "execute", "set", "zone", "default", "returning",
    "with", "union", "all", "except", "intersect", "while", "exists", "in", "any", "filter",
    "array", "raise", "notice", "exception", "message", "detail", "hint", "errcode", "to",
}


def blank(sql):
    """Comments and single-quoted literals replaced by spaces (line breaks kept)."""
    out = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and j + 1 < n and sql[j + 1] == "'":
                    j += 2
                elif sql[j] == "'":
                    break
                else:
                    j += 1
            out.append("'" + re.sub(r"[^\n]", " ", sql[i + 1:j]) + "'")
            i = j + 1
        elif c == '"':
            j = sql.find('"', i + 1)
            out.append("_" * (j - i + 1))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def findings(sql):
    text = blank(sql)
    # psql meta-commands and dollar-quote tags are not SQL names
    text = re.sub(r"^\\.*$", lambda m: " " * len(m.group(0)), text, flags=re.M)
    text = re.sub(r"\$[A-Za-z_]*\$", lambda m: " " * len(m.group(0)), text)
    tokens = [(m.group(0), m.start()) for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_$]*|::|[().,;=<>+*/%|~!?:\[\]-]", text)]
    found = []
    for k, (tok, pos) in enumerate(tokens):
        line = text.count("\n", 0, pos) + 1
        nxt = tokens[k + 1][0] if k + 1 < len(tokens) else ""
        prev = tokens[k - 1][0] if k > 0 else ""
        if tok == "::":
            name = nxt.lower()
            qualified = k + 2 < len(tokens) and tokens[k + 2][0] == "."
            if not qualified and name not in TYPE_KEYWORDS:
                found.append((line, "cast to " + nxt))
            continue
        if not re.match(r"[A-Za-z_]", tok) or nxt != "(":
            continue
        low = tok.lower()
        if prev == "." or low in KEYWORDS_WITH_PARENS or low in EXPRESSION_AFTER:
            continue
        if prev == ")" or (re.match(r"[A-Za-z_]", prev) and prev.lower() not in EXPRESSION_AFTER):
            continue	# a relation, an alias with its column names, a column list
        found.append((line, tok))
    return found


if __name__ == "__main__":
    sql = open(sys.argv[1], encoding="utf-8").read()
    f = findings(sql)
    for line, what in f:
        print(f"{sys.argv[1]}:{line}: {what} is not schema-qualified")
    sys.exit(1 if f else 0)
