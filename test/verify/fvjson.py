"""JSON that keeps every number's spelling, for the foray-verify tests.

json.loads turns 1.0 and 1 into different Python values and 1e400 into
inf; the tests need the text exactly as written (and as changed), so
numbers are kept as Num, a str subclass holding the token.
"""
import json


class Num(str):
    """A JSON number token, written back exactly as it is."""


def loads(text):
    return json.loads(text, parse_int=Num, parse_float=Num,
                      parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)),
                      object_pairs_hook=dict)


def dumps(v, indent=None, sort_keys=False, reverse_keys=False, level=0):
    """JSON text of v: Num tokens verbatim, strings escaped as json does."""
    nl = '' if indent is None else '\n' + ' ' * (indent * (level + 1))
    end = '' if indent is None else '\n' + ' ' * (indent * level)
    sep = ',' if indent is None else ','
    colon = ':' if indent is None else ': '
    if isinstance(v, Num):
        return str(v)
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if v is None:
        return 'null'
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, list):
        if not v:
            return '[]'
        return '[' + sep.join(nl + dumps(x, indent, sort_keys, reverse_keys, level + 1) for x in v) + end + ']'
    if isinstance(v, dict):
        if not v:
            return '{}'
        keys = list(v.keys())
        if sort_keys:
            keys.sort()
        if reverse_keys:
            keys.reverse()
        return '{' + sep.join(nl + json.dumps(k, ensure_ascii=False) + colon +
                              dumps(v[k], indent, sort_keys, reverse_keys, level + 1)
                              for k in keys) + end + '}'
    raise TypeError(type(v))
