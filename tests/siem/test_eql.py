#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Unit tests of tests/siem/eql.py and of the rule it runs, on hand-made
events: each operator matches what it should and nothing else, so that a
broken evaluator (always true, always false, case or wildcard mistakes)
cannot pass the end-to-end checks built on it.

    /usr/bin/python3 -m unittest discover -s tests/siem
"""

import io
import json
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import eql

HERE = os.path.dirname(os.path.abspath(__file__))
RULE = os.path.join(HERE, "package-manager-supply-chain.eql")


def match(query, event):
    return eql.Rule(query).matches(event)


EV = {
    "event": {"category": ["process"], "type": ["start"], "kind": "event"},
    "process": {"name": "Curl", "pid": 42, "args": ["curl", "-s", "http://x/a.sh"],
                "parent": {"name": "dash"}},
    "destination": {"port": 4873},
    "flag": True,
    "depsentry.session.pid": 7,
    "chain": [{"name": "node"}, {"name": "sh"}],
}


class Tokens(unittest.TestCase):
    def test_errors(self):
        for bad in ('any where process.name : "x"',        # not in the subset
                    'any where process.name == "x',          # unterminated string
                    'any where (process.name == "x"',        # unbalanced
                    'any where process.name == "x")',
                    'any where process.name in~ "x"',        # in~ takes a list
                    'any where process.name like~ 3',        # like takes strings
                    'any process.name == "x"',               # no where
                    'any where process.name == "x" and',     # dangling
                    'any where process.name ~ "x"',
                    'any where process.name== "a\\q"',       # unknown escape
                    'any where process.name == "x" process.pid == 1',
                    'any where'):
            with self.assertRaises(eql.EqlError, msg=bad):
                eql.Rule(bad)

    def test_comments_and_escapes(self):
        q = '/* c */ any where // c\n process.name == "a\\"b\\\\c" /* c */'
        self.assertTrue(match(q, {"process": {"name": 'a"b\\c'}}))
        self.assertFalse(match(q, {"process": {"name": "a\"b\\\\c"}}))


class Operators(unittest.TestCase):
    def table(self, rows, ev=EV):
        """Each (condition, wanted) of rows against ev."""
        for cond, want in rows:
            self.assertEqual(match("any where " + cond, ev), want, cond)

    def test_equality_is_case_sensitive(self):
        self.table([('process.name == "Curl"', True), ('process.name == "curl"', False),
                    ('process.name != "curl"', True), ('process.name != "Curl"', False)])

    def test_numbers_and_booleans(self):
        self.table([("process.pid == 42", True), ("process.pid == 43", False),
                    ('process.pid == "42"', False), ("destination.port in (80, 4873)", True),
                    ("flag == true", True), ("flag == false", False), ("flag == 1", False)])

    def test_in(self):
        self.table([('process.name in~ ("wget", "CURL")', True),
                    ('process.name in ("wget", "curl")', False),
                    ('process.name in ("wget", "Curl")', True),
                    ('process.name in~ ("wget", "cur")', False)])

    def test_like(self):
        cases = [("c*", True), ("*", True), ("curl*", True), ("*url", True), ("c?rl", True),
                 ("?url", True), ("cur", False), ("c?url", False), ("??", False),
                 ("url", False), ("cu.l", False), ("c[u]rl", False), ("curl?", False)]
        self.table([('process.name like~ "%s"' % pat, want) for pat, want in cases])
        self.table([('process.name like "c*"', False), ('process.name like "C*"', True),
                    ('process.name like~ ("x", "y", "*RL")', True),
                    ('process.pid like~ "4*"', False)])
        self.table([('a like~ "x*y"', True)], {"a": "x\nmid\ny"})
        self.table([('a like~ "*"', True), ('a like~ "?"', False)], {"a": ""})

    def test_arrays_and_paths(self):
        self.table([('process.args == "-s"', True), ('process.args like~ "http://*.sh"', True),
                    ('process.args == "-v"', False),
                    ('event.type in ("connection", "start")', True),
                    ('chain.name == "sh"', True), ('chain.name == "bash"', False),
                    ('process.parent.name == "dash"', True),
                    ("depsentry.session.pid == 7", True),
                    ('process.parent == "dash"', False), ('process.name.x == "Curl"', False)])

    def test_missing_fields(self):
        self.table([('destination.domain == "x"', False),
                    ('destination.domain in~ ("x")', False),
                    ('destination.domain like~ "*"', False),
                    ("destination.domain == null", True), ("destination.domain != null", False),
                    ("process.name != null", True),
                    ('not destination.domain in~ ("x")', True),
                    ('destination.domain != "x"', True)])
        self.table([("destination.domain == null", True)], {"destination": {"domain": None}})

    def test_logic(self):
        t, f = 'process.pid == 42', 'process.pid == 0'
        self.table([(f"{t} and {f}", False), (f"{t} or {f}", True),
                    (f"not {t}", False), (f"not {f}", True), (f"not not {t}", True),
                    # and binds tighter than or; not tighter than and
                    (f"{t} or {f} and {f}", True), (f"({t} or {f}) and {f}", False),
                    (f"not {t} and {f}", False), (f"not ({f} and {t})", True),
                    (f"not {f} or {f}", True), (f"not ({f} or {t})", False)])

    def test_category(self):
        self.assertTrue(match('process where process.pid == 42', EV))
        self.assertFalse(match('network where process.pid == 42', EV))
        self.assertFalse(match('process where process.pid == 42', {"process": {"pid": 42}}))


def proc(name, parent):
    return {"event": {"kind": "event", "category": ["process"], "type": ["start"]},
            "process": {"name": name, "parent": {"name": parent}}}


def conn(name, ip, domain=None, protocol=None):
    ev = {"event": {"kind": "event", "category": ["network"], "type": ["connection", "start"]},
          "process": {"name": name}, "destination": {"ip": ip, "port": 443},
          "network": {"direction": "egress", "transport": "tcp"}}
    if domain:
        ev["destination"]["domain"] = domain
    if protocol:
        ev["network"]["protocol"] = protocol
    return ev


def dns(name, qname):
    return {"event": {"kind": "event", "category": ["network"], "type": ["protocol"]},
            "process": {"name": name}, "network": {"protocol": "dns"},
            "dns": {"question": {"name": qname}}}


def file(path, etype="creation"):
    return {"event": {"kind": "event", "category": ["file"], "type": [etype]},
            "process": {"name": "dash"}, "file": {"path": path}}


class TheRule(unittest.TestCase):
    """The rule of tests/siem on one event of each arm, and its near misses."""

    @classmethod
    def setUpClass(cls):
        with open(RULE, encoding="utf-8") as f:
            cls.rule = eql.Rule(f.read())

    def check(self, ev, want):
        self.assertEqual(self.rule.matches(ev), want, json.dumps(ev))

    def test_children(self):
        self.check(proc("dash", "node"), True)          # npm's sh -c for a hook
        self.check(proc("curl", "npm"), True)
        self.check(proc("whoami", "python3.11"), True)
        self.check(proc("BASH", "Node"), True)
        self.check(proc("node", "bash"), False)         # npm started from a shell
        self.check(proc("whoami", "dash"), False)       # not a package manager's child
        self.check(proc("node", "node"), False)         # not a suspicious child
        self.check(proc("make", "node"), False)
        self.check(proc("shasum", "node"), False)       # a name, not a prefix
        ev = proc("dash", "node")
        ev["event"]["type"] = ["end"]
        self.check(ev, False)
        ev["event"]["type"] = ["start"]
        ev["event"]["category"] = ["file"]
        self.check(ev, False)

    def test_connections(self):
        self.check(conn("node", "127.0.0.1"), True)     # no name: not a registry
        self.check(conn("node", "203.0.113.9", "exfil.attacker.test"), True)
        self.check(conn("python3", "10.0.0.1", "evil.example"), True)
        self.check(conn("node", "104.16.0.1", "registry.npmjs.org"), False)
        self.check(conn("node", "104.16.0.1", "Registry.NPMJS.org"), False)
        self.check(conn("pip", "151.101.0.1", "files.pythonhosted.org"), False)
        self.check(conn("node", "127.0.0.53", protocol="dns"), False)  # its resolver
        self.check(conn("node", "10.0.0.1", "evil.example", protocol="http"), True)
        self.check(conn("curl", "127.0.0.1"), False)    # not a package manager
        ev = conn("node", "127.0.0.1")
        ev["event"]["type"] = ["end"]
        self.check(ev, False)

    def test_dns(self):
        self.check(dns("node", "a1b2.beacon.attacker.test"), True)
        self.check(dns("node", "registry.npmjs.org"), False)
        self.check(dns("node", "1.0.0.127.in-addr.arpa"), False)
        self.check(dns("dig", "evil.example"), False)

    def test_files(self):
        self.check(file("/src/p/.github/workflows/ci.yml"), True)
        self.check(file("/src/p/.github/workflows/ci.yml", "change"), True)
        self.check(file("/src/p/.GitLab-CI.yml", "change"), True)
        self.check(file("/src/p/.git/hooks/pre-commit"), True)
        self.check(file("/src/p/.github/workflows/ci.yml", "deletion"), False)
        self.check(file("/src/p/README.md"), False)
        self.check(file("/src/p/github/workflows/ci.yml"), False)
        self.check(file(".github/workflows/ci.yml"), False)


class Command(unittest.TestCase):
    def run_main(self, argv):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = eql.main(argv)
        return rc, out.getvalue(), err.getvalue()

    def test_prints_matching_lines(self):
        evs = [proc("dash", "node"), proc("node", "bash"), file("/p/.github/workflows/x")]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            for ev in evs:
                f.write(json.dumps(ev) + "\n")
        try:
            rc, out, _ = self.run_main([RULE, f.name])
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 0)
        self.assertEqual([json.loads(l) for l in out.splitlines()], [evs[0], evs[2]])

    def test_bad_input(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(json.dumps(proc("dash", "node")) + "\n{not json\n")
        try:
            rc, _, err = self.run_main([RULE, f.name])
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 2)
        self.assertIn(":2: not a JSON line", err)

    def test_check(self):
        self.assertEqual(self.run_main(["--check", RULE])[0], 0)
        with tempfile.NamedTemporaryFile("w", suffix=".eql", delete=False) as f:
            f.write('any where process.name : "x"\n')
        try:
            rc, _, err = self.run_main(["--check", f.name])
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 2)
        self.assertIn("unexpected", err)


if __name__ == "__main__":
    unittest.main()
