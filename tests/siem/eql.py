#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Run an EQL-style rule over a file of ECS events (one JSON object a line).

    eql.py RULE FILE...      print every line of FILE that RULE matches
    eql.py --check RULE      parse RULE only

This is the part of Elastic's Event Query Language that the rules in
tests/siem/ use, and nothing more: anything else is a syntax error, never
silently true or false.

    query       CATEGORY where EXPR    CATEGORY: any, or a value that must
                                       be in event.category (process, ...)
    EXPR        EXPR or EXPR, EXPR and EXPR, not EXPR, ( EXPR )
    comparison  FIELD == VALUE, FIELD != VALUE      VALUE: "string", number,
                                                    true, false, null
                FIELD in (VALUE, ...)   FIELD in~ (VALUE, ...)
                FIELD like "PAT"        FIELD like~ "PAT"
                FIELD like ("PAT", ...) FIELD like~ ("PAT", ...)
    comments    // to the end of the line, /* ... */

* `~` makes `in` and `like` case-insensitive; `==`, `!=`, `in` and `like`
  are case-sensitive. In a like pattern `*` matches any run of characters
  (none included) and `?` exactly one; the pattern must match the whole
  value; there is no escape character.
* FIELD is a dotted path into nested objects (a key that itself holds dots
  is found too). An array holds several values: a comparison is true when
  one of them satisfies it; arrays of objects are walked (`a.b` of
  `{"a": [{"b": 1}, {"b": 2}]}` is 1 and 2).
* A field that is absent (or null) makes every comparison false, except
  `== null`; `!=` is `not ==`; `not` is plain negation. (EQL engines may
  instead give null for a comparison with an absent field, and keep it
  null under `not`: the rules test `FIELD == null` wherever a field may be
  absent, so that they mean the same either way.)
"""

import json
import re
import sys

KEYWORDS = {"and", "or", "not", "in", "in~", "like", "like~", "where", "null", "true", "false"}

_TOKEN_RE = re.compile(r"""
      (?P<ws>\s+)
    | (?P<line_comment>//[^\n]*)
    | (?P<block_comment>/\*.*?\*/)
    | (?P<string>"(?:[^"\\\n]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
    | (?P<op>==|!=|\(|\)|,)
    | (?P<word>[A-Za-z_@][A-Za-z0-9_@.\-]*~?)
""", re.X | re.S)

_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}


class EqlError(ValueError):
    """A rule that is not in the supported subset."""


def tokenize(text):
    """[(kind, value, offset)] ending with ("end", None, len)."""
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise EqlError("offset %d: unexpected %r" % (pos, text[pos:pos + 20]))
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "string":
            val = _unquote(val, pos)
        elif kind == "number":
            val = float(val) if "." in val else int(val)
        elif kind == "word":
            if val.endswith("~") and val not in ("in~", "like~"):
                raise EqlError("offset %d: unexpected %r" % (pos, val))
            if val in KEYWORDS:
                kind = "kw"
        if kind not in ("ws", "line_comment", "block_comment"):
            out.append((kind, val, pos))
        pos = m.end()
    out.append(("end", None, len(text)))
    return out


def _unquote(tok, pos):
    body = tok[1:-1]
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            e = body[i + 1]
            if e not in _ESCAPES:
                raise EqlError("offset %d: unknown escape \\%s" % (pos + i + 1, e))
            out.append(_ESCAPES[e])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


# The parsed rule is a tree of tuples:
#   ("or", a, b)  ("and", a, b)  ("not", a)
#   ("cmp", OP, FIELD, ARG)   OP: == != in in~ like like~; ARG a value or a list

class _Parser:
    def __init__(self, text):
        self.toks = tokenize(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i]

    def take(self, kind=None, val=None):
        tok = self.toks[self.i]
        if (kind and tok[0] != kind) or (val is not None and tok[1] != val):
            want = val if val is not None else kind
            got = "the end" if tok[0] == "end" else repr(tok[1])
            raise EqlError("offset %d: expected %s, found %s" % (tok[2], want, got))
        self.i += 1
        return tok

    def at(self, kind, val=None):
        tok = self.peek()
        return tok[0] == kind and (val is None or tok[1] == val)

    def query(self):
        cat = self.take("word")[1]
        self.take("kw", "where")
        tree = self.expr()
        self.take("end")
        return cat, tree

    def binary(self, op, operand):
        """operand (op operand)*, left-associative."""
        left = operand()
        while self.at("kw", op):
            self.take()
            left = (op, left, operand())
        return left

    def expr(self):
        return self.binary("or", self.and_expr)

    def and_expr(self):
        return self.binary("and", self.not_expr)

    def not_expr(self):
        if self.at("kw", "not"):
            self.take()
            return ("not", self.not_expr())
        if self.at("op", "("):
            self.take()
            inner = self.expr()
            self.take("op", ")")
            return inner
        return self.comparison()

    def value(self):
        tok = self.peek()
        if tok[0] in ("string", "number"):
            return self.take()[1]
        if tok[0] == "kw" and tok[1] in ("null", "true", "false"):
            self.take()
            return {"null": None, "true": True, "false": False}[tok[1]]
        got = "the end" if tok[0] == "end" else repr(tok[1])
        raise EqlError("offset %d: expected a value, found %s" % (tok[2], got))

    def value_list(self):
        self.take("op", "(")
        vals = [self.value()]
        while self.at("op", ","):
            self.take()
            vals.append(self.value())
        self.take("op", ")")
        return vals

    def comparison(self):
        field = self.take("word")[1]
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("==", "!="):
            self.take()
            return ("cmp", tok[1], field, self.value())
        if tok[0] == "kw" and tok[1] in ("in", "in~"):
            self.take()
            return ("cmp", tok[1], field, self.value_list())
        if tok[0] == "kw" and tok[1] in ("like", "like~"):
            self.take()
            pats = self.value_list() if self.at("op", "(") else [self.value()]
            if not all(isinstance(p, str) for p in pats):
                raise EqlError("offset %d: like takes strings" % tok[2])
            return ("cmp", tok[1], field, pats)
        got = "the end" if tok[0] == "end" else repr(tok[1])
        raise EqlError("offset %d: expected ==, !=, in, in~, like or like~ after %s, found %s"
                       % (tok[2], field, got))


def parse(text):
    """(category, tree) of a rule; EqlError when it is outside the subset."""
    return _Parser(text).query()


def values(event, path):
    """Every value at dotted path in event (arrays flattened, nulls left out)."""
    out = []
    _collect(event, path.split("."), out)
    return out


def _collect(obj, parts, out):
    if isinstance(obj, list):
        for item in obj:
            _collect(item, parts, out)
        return
    if not parts:
        if obj is not None:
            out.append(obj)
        return
    if not isinstance(obj, dict):
        return
    # the longest key first: {"a.b": 1} and {"a": {"b": 1}} are both a.b
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in obj:
            _collect(obj[key], parts[n:], out)


def like_regex(pattern, insensitive):
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(rx, re.S | (re.I if insensitive else 0))


def _same(a, b, insensitive=False):
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower() if insensitive else a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return False


def _compare(op, vals, arg):
    if op == "==":
        return not vals if arg is None else any(_same(v, arg) for v in vals)
    if op == "!=":
        return not _compare("==", vals, arg)
    if op in ("in", "in~"):
        return any(_same(v, a, op == "in~") for v in vals for a in arg)
    rxs = [like_regex(p, op == "like~") for p in arg]
    return any(isinstance(v, str) and any(r.fullmatch(v) for r in rxs) for v in vals)


def evaluate(tree, event):
    kind = tree[0]
    if kind == "or":
        return evaluate(tree[1], event) or evaluate(tree[2], event)
    if kind == "and":
        return evaluate(tree[1], event) and evaluate(tree[2], event)
    if kind == "not":
        return not evaluate(tree[1], event)
    _, op, field, arg = tree
    return _compare(op, values(event, field), arg)


class Rule:
    def __init__(self, text):
        self.category, self.tree = parse(text)

    def matches(self, event):
        if self.category != "any" and self.category not in values(event, "event.category"):
            return False
        return evaluate(self.tree, event)


def main(argv):
    if len(argv) == 2 and argv[0] == "--check":
        try:
            with open(argv[1], encoding="utf-8") as f:
                Rule(f.read())
        except EqlError as e:
            print("%s: %s" % (argv[1], e), file=sys.stderr)
            return 2
        print("rule OK")
        return 0
    if len(argv) < 2 or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            rule = Rule(f.read())
    except EqlError as e:
        print("%s: %s" % (argv[0], e), file=sys.stderr)
        return 2
    for path in argv[1:]:
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                try:
                    event = json.loads(raw.decode("utf-8"))
                except ValueError as e:
                    print("%s:%d: not a JSON line: %s" % (path, n, e), file=sys.stderr)
                    return 2
                if rule.matches(event):
                    sys.stdout.write(raw.decode("utf-8").rstrip("\n") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
