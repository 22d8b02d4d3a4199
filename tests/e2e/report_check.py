#!/usr/bin/python3
"""Check the output of `depsentry report` against the alert log it read.

    report_check.py FORMAT OUTPUT LOG [--since RFC3339] [--fail-on SEV]

FORMAT is text, markdown or json. The expected summary is computed here,
from LOG, independently of depsentry: which lines are alerts (a JSON object
with an RFC 3339 @timestamp, event.kind alert, a rule.id and a severity),
which are follow-ups (event.kind event), which are malformed (anything
else, blank lines aside), the counts per rule and severity of the alerts at
or after --since, and each alert's package. OUTPUT must say the same, in
its format; every alert must have its line, and no line may carry a
control character or let a string from an alert become markup. Prints
what differs and exits 1 on any difference.
"""

import datetime
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ecs_check import _get as get  # noqa: E402  (tests/ecs_check.py)

SEVS = ["critical", "high", "medium", "low"]
SCORES = {"critical": 99, "high": 73, "medium": 47, "low": 21}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
errors = []


def err(msg):
    errors.append(msg)


def when(ts):
    if not isinstance(ts, str) or not RFC3339.match(ts):
        return None
    ts = ts.replace("Z", "+00:00")
    frac = re.search(r"\.(\d+)", ts)
    if frac:  # python wants at most 6 digits
        ts = ts.replace(frac.group(0), "." + frac.group(1)[:6].ljust(6, "0"))
    return datetime.datetime.fromisoformat(ts)


def severity(o):
    s = get(o, "depsentry.severity")
    if s in SCORES:
        return s
    n = get(o, "event.severity")
    if isinstance(n, int) and not isinstance(n, bool):
        for name in SEVS:
            if n >= SCORES[name]:
                return name
    return None


def expected(log, since):
    exp = {"lines": 0, "alerts": [], "malformed": [], "earlier": 0, "repeats": 0}
    with open(log, "rb") as f:
        raw = f.read().split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()
    for n, line in enumerate(raw, 1):
        exp["lines"] = n
        if not line.strip():
            continue
        try:
            o = json.loads(line.decode("utf-8"))
        except ValueError:
            exp["malformed"].append(n)
            continue
        t = when(get(o, "@timestamp")) if isinstance(o, dict) else None
        kind = get(o, "event.kind")
        rule = get(o, "rule.id")
        if (t is None or kind not in ("alert", "event") or not isinstance(rule, str) or
                not rule or severity(o) is None):
            exp["malformed"].append(n)
            continue
        if since is not None and t < since:
            exp["earlier"] += 1
        elif kind == "event":
            exp["repeats"] += 1
        else:
            name, ver = get(o, "package.name"), get(o, "package.version")
            exp["alerts"].append({"line": n, "sev": severity(o), "rule": rule,
                                  "ts": get(o, "@timestamp"),
                                  "package": f"{name}@{ver}" if name and ver else name,
                                  "process": get(o, "process.name")})
    exp["by_rule"] = {}
    exp["by_sev"] = {s: 0 for s in SEVS}
    for a in exp["alerts"]:
        exp["by_rule"].setdefault(a["rule"], {s: 0 for s in SEVS})[a["sev"]] += 1
        exp["by_sev"][a["sev"]] += 1
    return exp


def highest(exp):
    return next((s for s in SEVS if exp["by_sev"][s]), "none")


def at_or_above(exp, fail_on):
    return sum(exp["by_sev"][s] for s in SEVS[:SEVS.index(fail_on) + 1])


def no_controls(text):
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0
           or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
    if bad:
        err(f"raw control characters in the output: {sorted(set(map(repr, bad)))}")
    for line in text.split("\n"):
        if line.startswith("::"):
            err(f"a line could be a CI workflow command: {line[:80]!r}")


def heading(exp):
    n = len(exp["alerts"])
    head = f"depsentry report: {n} alert{'' if n == 1 else 's'}"
    return head + (f", highest {highest(exp)}" if n else "")


def check_text(out, exp, fail_on):
    no_controls(out)
    lines = out.split("\n")
    n = len(exp["alerts"])
    head = heading(exp)
    if not lines[0].startswith(head + " ("):
        err(f"first line {lines[0]!r} does not start with {head!r}")
    if exp["malformed"]:
        m = len(exp["malformed"])
        want = (f"  {m} malformed line{'' if m == 1 else 's'} skipped "
                f"(line{'' if m == 1 else 's'} {', '.join(map(str, exp['malformed']))})")
        if want not in lines:
            err(f"no line {want!r}")
    if fail_on:
        k = at_or_above(exp, fail_on)
        want = (f"  {k} alert{'' if k == 1 else 's'} at or above {fail_on}: "
                f"{'threshold crossed' if k else 'under the threshold'}")
        if want not in lines:
            err(f"no line {want!r}")
    for rule, c in exp["by_rule"].items():
        counts = ", ".join(f"{s} {c[s]}" for s in SEVS if c[s])
        want = f"    {rule}: {sum(c.values())} ({counts})"
        if want not in lines:
            err(f"no rule line {want!r}")
    stories = [l for l in lines if re.match(r"^    \d{4}-\d\d-\d\dT", l)]
    if len(stories) != n:
        err(f"{len(stories)} alert lines, expected {n}")
    for a, l in zip(exp["alerts"], stories):
        want = f"    {a['ts']} {a['sev']:<8} {a['rule']} "
        if a["package"]:
            want += a["package"] + ": "
        if not l.startswith(want):
            err(f"alert line {l[:120]!r} does not start with {want!r}")
        if a["process"] and a["process"] not in l:
            err(f"alert line {l[:120]!r} does not name {a['process']}")


def md_cells(row):
    """The cells of a table row, split on pipes not escaped by a backslash."""
    cells, cur, i = [], "", 0
    row = row.strip()
    if not (row.startswith("|") and row.endswith("|")):
        return None
    row = row[1:-1]
    while i < len(row):
        if row[i] == "\\" and i + 1 < len(row):
            cur += row[i + 1]
            i += 2
            continue
        if row[i] == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += row[i]
        i += 1
    cells.append(cur.strip())
    return cells


def md_unescaped(cell_raw):
    """Markup characters left unescaped in a raw cell."""
    out, i = [], 0
    while i < len(cell_raw):
        c = cell_raw[i]
        if c == "\\":
            i += 2
            continue
        if c in "<>[]()`*_|&!#":
            out.append(c)
        i += 1
    return out


def check_markdown(out, exp, fail_on):
    no_controls(out)
    lines = out.split("\n")
    n = len(exp["alerts"])
    head = "### " + heading(exp)
    if lines[0] != head:
        err(f"heading {lines[0]!r}, expected {head!r}")
    rows = [l for l in lines if l.startswith("|")]
    rule_rows = {}
    story_rows = []
    for l in rows:
        cells = md_cells(l)
        if cells is None or set(l) <= set("|:- "):
            continue
        if len(cells) == 6 and cells[0] != "rule":
            rule_rows[cells[0]] = cells[1:]
        elif len(cells) == 5 and cells[0] != "time":
            story_rows.append((l, cells))
        elif cells[0] not in ("rule", "time"):
            err(f"a table row has {len(cells)} cells: {l[:120]!r}")
    for rule, c in exp["by_rule"].items():
        want = [str(c[s]) for s in SEVS] + [str(sum(c.values()))]
        if rule_rows.get(rule) != want:
            err(f"rule row {rule}: {rule_rows.get(rule)}, expected {want}")
    want = [str(exp["by_sev"][s]) for s in SEVS] + [str(n)]
    if n and rule_rows.get("**all**") != want:
        err(f"totals row {rule_rows.get('**all**')}, expected {want}")
    if len(story_rows) != min(n, 100):
        err(f"{len(story_rows)} alert rows, expected {min(n, 100)}")
    for a, (raw, cells) in zip(exp["alerts"], story_rows):
        want = [a["ts"], a["sev"], a["rule"], a["package"] or "-"]
        if cells[:4] != want:
            err(f"alert row {cells[:4]}, expected {want}")
        for cell in raw.strip()[1:-1].split(" | "):
            left = md_unescaped(cell)
            if left:
                err(f"markup left unescaped {left} in {cell[:80]!r}")
    if exp["malformed"]:
        m = len(exp["malformed"])
        want = f"- {m} malformed line{'' if m == 1 else 's'} skipped"
        if not any(l.startswith(want) for l in lines):
            err(f"no note {want!r}")
    if fail_on:
        k = at_or_above(exp, fail_on)
        want = f"- {k} alert{'' if k == 1 else 's'} at or above {fail_on}: "
        if not any(l.startswith(want) for l in lines):
            err(f"no note {want!r}")


def check_json(out, exp, fail_on, since):
    try:
        o = json.loads(out)
    except ValueError as e:
        err(f"not JSON: {e}")
        return
    want = {"lines": exp["lines"], "alerts": len(exp["alerts"]), "highest": highest(exp),
            "malformed": len(exp["malformed"]), "malformed_lines": exp["malformed"][:10],
            "repeats": exp["repeats"], "severity": exp["by_sev"]}
    if since is not None:
        want["before_since"] = exp["earlier"]
    if fail_on:
        want["fail_on"] = fail_on
        want["at_or_above"] = at_or_above(exp, fail_on)
        want["threshold_crossed"] = at_or_above(exp, fail_on) > 0
    for k, v in want.items():
        if o.get(k) != v:
            err(f"{k}: {o.get(k)!r}, expected {v!r}")
    for k in ("fail_on", "threshold_crossed") if not fail_on else ():
        if k in o:
            err(f"{k} present without --fail-on")
    rules = {r.get("id"): r for r in o.get("rules", [])}
    for rule, c in exp["by_rule"].items():
        got = rules.get(rule, {})
        if any(got.get(s) != c[s] for s in SEVS) or got.get("total") != sum(c.values()):
            err(f"rule {rule}: {got}, expected {c}")
    listed = o.get("alerts_listed", [])
    if [x.get("line") for x in listed] != [a["line"] for a in exp["alerts"]]:
        err(f"alerts_listed lines {[x.get('line') for x in listed]}, "
            f"expected {[a['line'] for a in exp['alerts']]}")
    for x, a in zip(listed, exp["alerts"]):
        if (x.get("severity"), x.get("rule"), x.get("package"), x.get("@timestamp")) != \
                (a["sev"], a["rule"], a["package"], a["ts"]):
            err(f"listed alert {x}, expected {a}")
        if a["process"] and a["process"] not in x.get("what", ""):
            err(f"listed alert {x.get('what')!r} does not name {a['process']}")


def main(argv):
    fmt, out_path, log = argv[1:4]
    since = fail_on = None
    rest = argv[4:]
    while rest:
        if rest[0] == "--since":
            since = when(rest[1])
        elif rest[0] == "--fail-on":
            fail_on = rest[1]
        rest = rest[2:]
    exp = expected(log, since)
    with open(out_path, encoding="utf-8") as f:
        out = f.read()
    {"text": lambda: check_text(out, exp, fail_on),
     "markdown": lambda: check_markdown(out, exp, fail_on),
     "json": lambda: check_json(out, exp, fail_on, since)}[fmt]()
    for e in errors:
        print(f"report_check {fmt}: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
