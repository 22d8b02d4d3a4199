#!/usr/bin/python3
"""Read and assert on a depsentry alert file (one JSON object per line).

    alerts.py wait FILE [--timeout S] [--alive-pid PID] [--after N] COND...
        Poll FILE until a complete line (after the first N) matches every
        COND; print that line.
        Exit 1 on timeout, or as soon as the daemon PID has died and a last
        read found nothing.
    alerts.py none FILE COND...
        Exit 1 (printing the offenders) if any line matches every COND.
    alerts.py count FILE [--after N] COND...
        Print how many lines (after the first N) match every COND.
    alerts.py check COND... < LINE
        Check one alert read from stdin; report every COND that fails, with
        the value found, and exit 1 if any did.
    alerts.py validate [--events] FILE
        Every line is strict JSON in strict UTF-8, one object per line, the
        file ends with a newline, and tests/ecs_check.check_line() finds no
        error in any line (check_event_line() with --events: a file written
        by depsentry run -e, which must hold at least one line).
    alerts.py summary FILE
        One short line per alert, for failure logs.

A COND is one of
    PATH=VALUE   the field, as a string (numbers and booleans as JSON writes
                 them), equals VALUE
    PATH!=VALUE  the field is absent or differs
    PATH~REGEX   the field, as a string, matches REGEX (re.search)
    PATH*=TEXT   the field, as a string, contains TEXT
    PATH>=N PATH<=N PATH>N PATH<N   numeric comparison
    PATH?        the field exists (and is not null)
    !PATH?       the field is absent or null
    --min-severity N   shorthand for event.severity>=N
    --expr PYEXPR      a Python expression over `a` (the alert as a dict),
                       `f(PATH)` (a field, or None) and `env` (os.environ);
                       true means match
PATH is dotted (process.parent.pid). It is looked up as nested objects
first and as a flat dotted key second, so both ECS spellings work. An
integer component indexes an array; -1 is the last element.
"""

import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)

_MISSING = object()


def field(obj, path):
    """The value at dotted PATH in obj, or _MISSING."""
    if isinstance(obj, dict) and path in obj:
        return obj[path]
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        head = ".".join(parts[:i])
        if isinstance(obj, dict) and head in obj:
            rest = ".".join(parts[i:])
            return obj[head] if not rest else field(obj[head], rest)
        if isinstance(obj, list) and i == 1:
            try:
                sub = obj[int(head)]
            except (ValueError, IndexError):
                return _MISSING
            rest = ".".join(parts[1:])
            return sub if not rest else field(sub, rest)
    return _MISSING


def as_text(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False)


_COND_RE = re.compile(r"^(?P<neg>!)?(?P<path>[A-Za-z0-9_.@\-]+)"
              r"(?:(?P<op>!=|>=|<=|\*=|=|~|>|<)(?P<val>.*)|(?P<ex>\?))$", re.S)


class Cond:
    def __init__(self, text, expr=None):
        self.text = text
        self.expr = expr
        if expr is not None:
            self.code = compile("(" + expr + "\n)", "<expr>", "eval")
            return
        m = _COND_RE.match(text)
        if not m or (m.group("neg") and not m.group("ex")):
            raise SystemExit(f"alerts.py: bad condition: {text!r}")
        self.path = m.group("path")
        self.op = "?" if m.group("ex") else m.group("op")
        self.neg = bool(m.group("neg"))
        self.val = m.group("val")
        if self.op == "~":
            self.rx = re.compile(self.val, re.S)
        if self.op in (">=", "<=", ">", "<"):
            self.num = float(self.val)

    def value(self, a):
        if self.expr is not None:
            return None
        v = field(a, self.path)
        return None if v is _MISSING else v

    def test(self, a):
        if self.expr is not None:
            def f(path):
                v = field(a, path)
                return None if v is _MISSING else v
            try:
                return bool(eval(self.code, {"a": a, "f": f, "re": re, "env": os.environ}))
            except NameError as e:
                raise SystemExit(f"alerts.py: bad --expr {self.expr!r}: {e}")
            except Exception:
                return False
        v = field(a, self.path)
        if v is _MISSING:
            v = None
        if self.op == "?":
            return (v is None) if self.neg else (v is not None)
        if self.op == "!=":
            return v is None or as_text(v) != self.val
        if v is None:
            return False
        if self.op == "=":
            return as_text(v) == self.val
        if self.op == "*=":
            return self.val in as_text(v)
        if self.op == "~":
            return self.rx.search(as_text(v)) is not None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        return {">=": v >= self.num, "<=": v <= self.num,
            ">": v > self.num, "<": v < self.num}[self.op]


def parse_conds(args):
    conds = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--min-severity":
            conds.append(Cond(f"event.severity>={args[i + 1]}"))
            i += 2
        elif a == "--expr":
            conds.append(Cond(args[i + 1], expr=args[i + 1]))
            i += 2
        elif a == "--where":
            conds.append(Cond(args[i + 1]))
            i += 2
        else:
            conds.append(Cond(a))
            i += 1
    return conds


def read_complete_lines(path):
    """The complete (newline-terminated) lines of path, as bytes."""
    try:
        with open(path, "rb") as fp:
            data = fp.read()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    return [l for l in lines[:-1] if l.strip()]


def loads_lenient(raw):
    try:
        obj = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def matches(obj, conds):
    return all(c.test(obj) for c in conds)


def short(obj):
    keys = ("rule.id", "event.severity", "process.pid", "process.name",
        "process.command_line", "package.name", "depsentry.session.package_manager",
        "depsentry.session.pid")
    out = []
    for k in keys:
        v = field(obj, k)
        if v is _MISSING:
            continue
        t = as_text(v)
        if len(t) > 80:
            t = t[:77] + "..."
        out.append(f"{k}={t}")
    return " ".join(out)


def summary(path, out=sys.stderr):
    lines = read_complete_lines(path)
    print(f"  {len(lines)} alert(s) in {path}", file=out)
    for raw in lines:
        obj = loads_lenient(raw)
        print("   ", short(obj) if obj is not None else f"UNPARSABLE {raw[:100]!r}", file=out)


def pid_alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fp:
            stat = fp.read()
    except OSError:
        return False
    state = stat[stat.rfind(b")") + 2:][:1]
    return state not in (b"Z", b"X")


def cmd_wait(argv):
    path = argv[0]
    timeout = 20.0
    alive = None
    after = 0
    rest = []
    i = 1
    while i < len(argv):
        if argv[i] == "--timeout":
            timeout = float(argv[i + 1])
            i += 2
        elif argv[i] == "--alive-pid":
            alive = int(argv[i + 1])
            i += 2
        elif argv[i] == "--after":
            after = int(argv[i + 1])
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    conds = parse_conds(rest)
    deadline = time.monotonic() + timeout
    while True:
        dead = alive is not None and not pid_alive(alive)
        for raw in read_complete_lines(path)[after:]:
            obj = loads_lenient(raw)
            if obj is not None and matches(obj, conds):
                sys.stdout.write(raw.decode("utf-8", "replace") + "\n")
                return 0
        if dead:
            why = f"the daemon (pid {alive}) is not running"
            break
        if time.monotonic() >= deadline:
            why = f"timed out after {timeout:g}s"
            break
        time.sleep(0.1)
    print(f"alerts.py wait: no alert matching [{' '.join(c.text for c in conds)}]: {why}",
          file=sys.stderr)
    summary(path)
    return 1


def cmd_none(argv):
    path = argv[0]
    conds = parse_conds(argv[1:])
    bad = []
    for raw in read_complete_lines(path):
        obj = loads_lenient(raw)
        if obj is not None and matches(obj, conds):
            bad.append(obj)
    if not bad:
        return 0
    print(f"alerts.py none: {len(bad)} alert(s) match [{' '.join(c.text for c in conds)}]:",
          file=sys.stderr)
    for obj in bad:
        print("   ", short(obj), file=sys.stderr)
    return 1


def cmd_count(argv):
    path = argv[0]
    after = 0
    if argv[1:2] == ["--after"]:
        after = int(argv[2])
        argv = argv[:1] + argv[3:]
    conds = parse_conds(argv[1:])
    lines = read_complete_lines(path)[after:]
    if not conds:
        print(len(lines))
        return 0
    n = sum(1 for raw in lines
        if (o := loads_lenient(raw)) is not None and matches(o, conds))
    print(n)
    return 0


def cmd_check(argv):
    conds = parse_conds(argv)
    raw = sys.stdin.buffer.read().strip()
    try:
        obj = json.loads(raw.decode("utf-8"))
    except ValueError as e:
        print(f"alerts.py check: not JSON: {e}", file=sys.stderr)
        return 1
    rc = 0
    for c in conds:
        if not c.test(obj):
            got = "" if c.expr is not None else f" (found {as_text(c.value(obj))})"
            print(f"  alert fails: {c.text}{got}", file=sys.stderr)
            rc = 1
    if rc:
        print("  the alert was: " + json.dumps(obj, ensure_ascii=False)[:4000],
              file=sys.stderr)
    return rc


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def _no_dup_keys(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"duplicate key {k!r}")
        obj[k] = v
    return obj


def _check_strings(v, where, errs):
    """Lone surrogates (\\udcff) are valid JSON escapes but not Unicode text."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            errs.append(f"{where or '.'}: string holds a lone surrogate: {v[:60]!r}")
    elif isinstance(v, dict):
        for k, x in v.items():
            _check_strings(k, where, errs)
            _check_strings(x, f"{where}.{k}" if where else k, errs)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _check_strings(x, f"{where}[{i}]", errs)
    return errs


def cmd_validate(argv):
    events = argv[0] == "--events"
    path = argv[-1]
    sys.path.insert(0, TESTS)
    try:
        from ecs_check import check_line, check_event_line
    except ImportError as e:
        print(f"alerts.py validate: cannot import tests/ecs_check.py: {e}", file=sys.stderr)
        return 1
    try:
        with open(path, "rb") as fp:
            data = fp.read()
    except FileNotFoundError:
        data = b""
    errs = []
    if events and not data:
        errs.append("no event lines")
    if data and not data.endswith(b"\n"):
        errs.append("file does not end with a newline (a partial line was left)")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for n, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8", "strict")
        except UnicodeDecodeError as e:
            errs.append(f"line {n}: not UTF-8: {e}")
            continue
        try:
            obj = json.loads(text, parse_constant=_reject_constant,
                     object_pairs_hook=_no_dup_keys)
        except ValueError as e:
            errs.append(f"line {n}: not JSON: {e}: {text[:200]!r}")
            continue
        if not isinstance(obj, dict):
            errs.append(f"line {n}: not a JSON object")
            continue
        for e in _check_strings(obj, "", []):
            errs.append(f"line {n}: {e}")
        for e in (check_event_line if events else check_line)(obj) or []:
            errs.append(f"line {n}: ecs: {e}")
    if errs:
        print(f"alerts.py validate: {path}: {len(errs)} error(s)", file=sys.stderr)
        for e in errs[:50]:
            print("   ", e, file=sys.stderr)
        return 1
    print(f"{len(lines)} {'event' if events else 'alert'} line(s) valid")
    return 0


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "summary":
        summary(argv[0], sys.stdout)
        return 0
    fn = {"wait": cmd_wait, "none": cmd_none, "count": cmd_count, "check": cmd_check,
          "validate": cmd_validate}.get(cmd)
    if fn is None or (cmd != "check" and not argv):
        print(__doc__, file=sys.stderr)
        return 2
    return fn(argv)


if __name__ == "__main__":
    sys.exit(main())
