#!/usr/bin/env python3
"""What test/suites/70_roles.sh reads out of README.md and docs/*.md.

  docs.py blocks OUTDIR FILE...   every ```sql block, written to OUTDIR/NNN.sql;
                                  one line per block: NNN|file|line|role|expected SQLSTATE
  docs.py table FILE              docs/roles.md's privilege table, one line per
                                  object and grantee: object|grantee|PRIV,PRIV
  docs.py columns FILE            its column table: table|column|PRIV,PRIV
  docs.py pointers FILE...        every foray.function( and every repository
                                  path named: kind|name|file:line

A block's first line names the role it runs as (docs/roles.md):
  -- as the DBA | -- as foray_application | -- as foray_anchor_service |
  -- as foray_auditor | -- as a role without grants
optionally followed by ", refused: SQLSTATE".  A block without it is
reported as role "untagged", which the suite counts as a failure.
"""
import re
import sys

ROLES = {
    'the DBA': 'dba',
    'foray_application': 'application',
    'foray_anchor_service': 'anchor_service',
    'foray_auditor': 'auditor',
    'a role without grants': 'nobody',
}
HEADER = re.compile(r'^-- as (the DBA|foray_application|foray_anchor_service|foray_auditor|a role without grants)'
                    r'(?:, refused: ([0-9A-Z]{5}))?\s*$')
PRIVS = ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'EXECUTE', 'USAGE')
GRANTEES = ('foray_application', 'foray_anchor_service', 'foray_auditor', 'PUBLIC')


def blocks(outdir, files):
    n = 0
    for path in files:
        lines = open(path, encoding='utf-8').read().split('\n')
        i = 0
        while i < len(lines):
            if re.match(r'^```sql\s*$', lines[i]):
                start = i + 1
                j = start
                while j < len(lines) and not re.match(r'^```\s*$', lines[j]):
                    j += 1
                body = lines[start:j]
                n += 1
                m = HEADER.match(body[0]) if body else None
                role = ROLES[m.group(1)] if m else 'untagged'
                expect = (m.group(2) or '') if m else ''
                with open('%s/%03d.sql' % (outdir, n), 'w', encoding='utf-8') as f:
                    f.write('\n'.join(body) + '\n')
                print('%03d|%s|%d|%s|%s' % (n, path, start, role, expect))
                i = j
            i += 1


def table_rows(path, heading):
    """The rows of the first table after a heading, as lists of cells."""
    text = open(path, encoding='utf-8').read().split('\n')
    k = text.index(heading)
    rows = []
    for line in text[k + 1:]:
        if line.startswith('|'):
            rows.append([c.strip() for c in line.strip().strip('|').split('|')])
        elif rows:
            break
    return rows[2:]		# without the header and the |---| line


def table(path):
    for cells in table_rows(path, '## The table'):
        obj = re.sub(r'^(schema|table|view|sequence) ', '', cells[0]).strip('`')
        for grantee, cell in zip(GRANTEES, cells[1:]):
            privs = sorted(p for p in re.findall(r'[A-Z]+', cell) if p in PRIVS)
            print('%s|%s|%s' % (obj, grantee, ','.join(privs)))


def columns(path):
    for cells in table_rows(path, '## foray_application'):
        tbl = cells[0].strip('`')
        cols = {}
        for priv, cell in zip(('INSERT', 'UPDATE'), cells[1:]):
            for c in filter(None, (x.strip() for x in cell.split(','))):
                cols.setdefault(c, []).append(priv)
        for c, privs in sorted(cols.items()):
            print('%s|%s|%s' % (tbl, c, ','.join(sorted(privs))))


def pointers(files):
    for path in files:
        for no, line in enumerate(open(path, encoding='utf-8'), 1):
            for f in re.findall(r'\bforay\.([a-z_][a-z0-9_]*)\(', line):
                print('function|%s|%s:%d' % (f, path, no))
            for p in re.findall(r'(?<![\w/.$-])((?:docs|test|src|sql)/[A-Za-z0-9_./-]*[A-Za-z0-9_/])', line):
                print('path|%s|%s:%d' % (p, path, no))


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'blocks':
        blocks(args[0], args[1:])
    elif cmd == 'table':
        table(args[0])
    elif cmd == 'columns':
        columns(args[0])
    elif cmd == 'pointers':
        pointers(args)
    else:
        sys.exit('usage: docs.py blocks|table|columns|pointers ...')
