#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Check that alert lines are valid ECS 9.4 JSON.

    python3 tests/ecs_check.py [--fields CSV] [--allowed JSON] [--events] FILE...

Every line must be one JSON object in strict UTF-8. Each leaf field path
(objects flattened with '.', arrays of objects too) must be an ECS field or
lie under `depsentry.`; values must match the ECS type; nothing may be null
or empty (an empty string may sit in an array, e.g. an empty argument); event.kind, event.category and event.type must use the allowed
values, each category with its expected types; dates must be RFC 3339.

With --events the lines are events (`depsentry run -e`, docs/events.md)
and must also be events: event.kind "event", one category of process,
network or file, the fields every event and every event of its category
carries, and nothing of an alert's verdict (rule, threat, severity).

Importable: check_line(obj) returns a list of error strings, check_raw(bytes)
does the same for one undecoded line; check_event_line(obj) checks an event.
Exit status 1 on any error.
"""

import argparse
import csv
import datetime
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CUSTOM_PREFIX = "depsentry."

STRING_TYPES = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text", "ip",
                "date", "version"}
INT_TYPES = {"long", "integer", "short", "byte", "unsigned_long"}
FLOAT_TYPES = {"float", "double", "scaled_float", "half_float"}
OPEN_TYPES = {"object", "flattened"}  # any key may sit below these
MUST_BE_ARRAY = {"event.category", "event.type"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")

_cache = {}


def _default(name):
    shared = os.path.join(os.path.dirname(REPO), "shared", "data", name)
    return shared if os.path.exists(shared) else os.path.join(REPO, "tests", "data", name)


def load_fields(path=None):
    """Map each ECS field name to (type, normalization) from the ECS CSV."""
    path = path or _default("ecs-fields.csv")
    if ("fields", path) not in _cache:
        with open(path, newline="", encoding="utf-8") as f:
            _cache[("fields", path)] = {
                row["Field"]: (row["Type"], row["Normalization"]) for row in csv.DictReader(f)
            }
    return _cache[("fields", path)]


def load_allowed(path=None):
    path = path or _default("ecs-allowed-values.json")
    if ("allowed", path) not in _cache:
        with open(path, encoding="utf-8") as f:
            _cache[("allowed", path)] = json.load(f)
    return _cache[("allowed", path)]


def flatten(obj, prefix=""):
    """Yield (path, value) for every leaf; arrays of objects are walked."""
    for key, val in obj.items():
        path = prefix + key
        if isinstance(val, dict):
            if not val:
                yield path, val
            yield from flatten(val, path + ".")
        elif isinstance(val, list) and any(isinstance(v, dict) for v in val):
            for v in val:
                if isinstance(v, dict):
                    yield from flatten(v, path + ".")
                else:
                    yield path, [v]
        else:
            yield path, val


def _is_empty(val):
    return val is None or val == "" or val == [] or val == {}


def _type_ok(ftype, v):
    if ftype in STRING_TYPES:
        return isinstance(v, str)
    if ftype in INT_TYPES:
        return isinstance(v, int) and not isinstance(v, bool)
    if ftype in FLOAT_TYPES:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if ftype == "boolean":
        return isinstance(v, bool)
    if ftype in ("object", "nested"):
        return isinstance(v, dict)
    return True  # geo_point, flattened, ...: not checked


def check_date(path, v):
    if not isinstance(v, str) or not DATE_RE.match(v):
        return ["%s: %r is not an RFC 3339 date-time" % (path, v)]
    try:
        datetime.datetime.strptime(v[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return ["%s: %r is not a valid date" % (path, v)]
    return []


def _lookup(fields, path):
    """The ECS definition of path, or of an open object above it."""
    if path in fields:
        return fields[path]
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        parent = fields.get(".".join(parts[:i]))
        if parent and parent[0] in OPEN_TYPES:
            return ("*", "")
    return None


def check_field(fields, path, val):
    errs = []
    if _is_empty(val):
        return ["%s: null or empty value (unknown values must be left out)" % path]
    if isinstance(val, list) and any(v is None or v == [] or v == {} for v in val):
        return ["%s: null or empty array element" % path]
    if path.startswith(CUSTOM_PREFIX):
        return []
    spec = _lookup(fields, path)
    if spec is None:
        return ["%s: not an ECS field and not under %s" % (path, CUSTOM_PREFIX)]
    ftype, norm = spec
    if path in MUST_BE_ARRAY and not isinstance(val, list):
        errs.append("%s: must be an array" % path)
    for v in val if isinstance(val, list) else [val]:
        if not _type_ok(ftype, v):
            errs.append("%s: %s value %r is not a %s" % (path, type(v).__name__, v, ftype))
        elif ftype == "date":
            errs += check_date(path, v)
    return errs


def _as_list(v):
    return v if isinstance(v, list) else [v]


def check_event(obj, allowed):
    """event.kind, event.category/type pairs, event.outcome, network.direction."""
    errs = []
    event = obj.get("event") if isinstance(obj.get("event"), dict) else {}
    if "kind" in event and event["kind"] not in allowed["event.kind"]:
        errs.append("event.kind: %r is not an allowed value" % event["kind"])
    cats = [c for c in _as_list(event.get("category", [])) if isinstance(c, str)]
    types = [t for t in _as_list(event.get("type", [])) if isinstance(t, str)]
    expected = allowed["event.category"]
    for c in cats:
        if c not in expected:
            errs.append("event.category: %r is not an allowed value" % c)
        elif types and not set(types) & set(expected[c]):
            errs.append("event.category: %r expects one of event.type %s" % (c, expected[c]))
    for t in types:
        if t not in allowed["event.type"]:
            errs.append("event.type: %r is not an allowed value" % t)
        elif cats and not any(t in expected.get(c, []) for c in cats):
            errs.append("event.type: %r is not expected for event.category %s" % (t, cats))
    for path in ("event.outcome", "network.direction"):
        top, key = path.split(".")
        val = obj.get(top, {}).get(key) if isinstance(obj.get(top), dict) else None
        if val is not None and val not in allowed[path]:
            errs.append("%s: %r is not an allowed value" % (path, val))
    return errs


def _bad_strings(obj, prefix=""):
    """Paths of strings holding lone surrogates (not encodable as UTF-8)."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj)
    for k, v in items:
        path = "%s%s" % (prefix, k)
        if isinstance(v, (dict, list)):
            yield from _bad_strings(v, path + ".")
        elif isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                yield path


# The custom fields depsentry.truncated may name besides ECS fields.
CUSTOM_CUTS = {"depsentry.session.executable", "depsentry.session.command_line",
               "depsentry.hook.command_line", "depsentry.ancestry.name",
               "depsentry.ancestry.command_line", "depsentry.file.old_path",
               "depsentry.file.pattern", "depsentry.lifecycle_event",
               "depsentry.session.package_manager", "depsentry.matched.field",
               "depsentry.matched.value", "depsentry.excluded_by", "depsentry.hook.name",
               "depsentry.severity"} | {"depsentry.ci." + k for k in (
                   "provider", "repository", "project_id", "workflow", "run_id", "job",
                   "job_id", "runner", "commit", "ref", "event", "url")}


def check_truncated(obj, fields):
    """depsentry.truncated: a list of field names, each once, each an ECS field
    (docs/fields.md) or one of depsentry's own string fields."""
    cut = obj.get("depsentry", {}).get("truncated") if isinstance(obj.get("depsentry"),
                                                                    dict) else None
    if cut is None:
        return []
    if not isinstance(cut, list) or not all(isinstance(c, str) for c in cut):
        return ["depsentry.truncated: %r is not a list of field names" % (cut,)]
    errs = []
    if len(set(cut)) != len(cut):
        errs.append("depsentry.truncated: %r names a field twice" % (cut,))
    for c in cut:
        if c not in fields and c not in CUSTOM_CUTS:
            errs.append("depsentry.truncated: %r is not a field depsentry writes" % c)
    return errs


def check_line(obj, fields=None, allowed=None):
    """Errors for one decoded alert; an empty list when it is valid."""
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    fields = fields if fields is not None else load_fields()
    allowed = allowed if allowed is not None else load_allowed()
    errs = []
    if "@timestamp" not in obj:
        errs.append("@timestamp: missing")
    for path, val in flatten(obj):
        errs += check_field(fields, path, val)
    errs += check_event(obj, allowed)
    errs += check_truncated(obj, fields)
    errs += ["%s: string is not valid Unicode" % p for p in _bad_strings(obj)]
    return errs


EVENT_REQUIRED = ("@timestamp", "ecs.version", "event.kind", "event.category", "event.type",
                  "event.action", "event.dataset", "event.module", "host.name", "agent.type",
                  "process.pid", "process.name", "message")
EVENT_REQUIRED_BY_CATEGORY = {
    # not process.args: execve(2) may be given an empty argv
    "process": ("process.entity_id", "process.executable", "process.parent.pid",
                "process.working_directory", "process.start", "user.id"),
    "network": ("destination.ip", "destination.port", "network.direction", "network.type",
                "related.ip"),
    "file": ("file.path", "file.name", "file.directory", "file.type"),
}
EVENT_REQUIRED_DNS = ("dns.question.name", "dns.type", "network.protocol", "network.transport")
EVENT_FORBIDDEN = ("rule", "threat", "event.severity", "event.risk_score", "event.reason",
                   "depsentry.rules_matched", "depsentry.severity")


def _get(obj, path):
    """The value at a dotted path of nested objects, or None."""
    for key in path.split("."):
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def check_event_line(obj, fields=None, allowed=None):
    """Errors for one decoded event line (check_line's, and the event's own)."""
    errs = check_line(obj, fields, allowed)
    if errs == ["not a JSON object"]:
        return errs
    if _get(obj, "event.kind") != "event":
        errs.append("event.kind: %r is not \"event\"" % _get(obj, "event.kind"))
    if _get(obj, "event.dataset") != "depsentry.events":
        errs.append("event.dataset: %r is not \"depsentry.events\""
                    % _get(obj, "event.dataset"))
    cats = _get(obj, "event.category")
    if not isinstance(cats, list) or len(cats) != 1 or cats[0] not in EVENT_REQUIRED_BY_CATEGORY:
        errs.append("event.category: %r is not one of %s"
                    % (cats, sorted(EVENT_REQUIRED_BY_CATEGORY)))
        cats = []
    required = list(EVENT_REQUIRED)
    for c in cats:
        required += EVENT_REQUIRED_BY_CATEGORY[c]
    if _get(obj, "dns") is not None:
        required += EVENT_REQUIRED_DNS
    errs += ["%s: missing from an event" % p for p in required if _get(obj, p) is None]
    errs += ["%s: an alert's field in an event" % p for p in EVENT_FORBIDDEN
             if _get(obj, p) is not None]
    return errs


def _no_dup_keys(pairs):
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError("duplicate keys %s" % dups)
    return dict(pairs)


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


def decode(raw):
    """Decode one line strictly: UTF-8, one object, no NaN, no duplicate keys."""
    text = raw.decode("utf-8")  # UnicodeDecodeError on invalid UTF-8
    return json.loads(text, object_pairs_hook=_no_dup_keys, parse_constant=_no_constant)


def check_raw(raw, fields=None, allowed=None, events=False):
    try:
        obj = decode(raw)
    except (UnicodeDecodeError, ValueError) as e:
        return ["not one valid JSON object: %s" % e]
    return (check_event_line if events else check_line)(obj, fields, allowed)


def check_file(path, fields=None, allowed=None, events=False):
    """(line number, error) for every problem in a file of JSON lines."""
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        return [(0, "no alert lines")]
    out = []
    if not data.endswith(b"\n"):
        out.append((data.count(b"\n") + 1, "last line is not terminated by a newline"))
    for n, raw in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n")
                            else data.split(b"\n"), 1):
        out += [(n, e) for e in check_raw(raw, fields, allowed, events)]
    return sorted(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check JSON lines against ECS 9.4.")
    ap.add_argument("--fields", help="ECS fields.csv (default: shared or tests/data copy)")
    ap.add_argument("--allowed", help="ecs-allowed-values.json")
    ap.add_argument("--events", action="store_true",
                    help="the lines are events (depsentry run -e), not alerts")
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args(argv)
    fields = load_fields(args.fields)
    allowed = load_allowed(args.allowed)
    bad = 0
    for path in args.files:
        for n, err in check_file(path, fields, allowed, args.events):
            print("%s:%d: %s" % (path, n, err), file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
