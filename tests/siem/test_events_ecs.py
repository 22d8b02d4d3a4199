#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Unit tests of tests/ecs_check.py's event mode (check_event_line), on
hand-made lines shaped like those depsentry run -e writes."""

import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import ecs_check  # noqa: E402

BASE = {
    "@timestamp": "2026-11-23T09:41:26.650Z",
    "ecs": {"version": "9.4.0"},
    "message": "dash (pid 7) started under npm",
    "event": {"kind": "event", "category": ["process"], "type": ["start"], "action": "exec",
              "module": "depsentry", "dataset": "depsentry.events",
              "created": "2026-11-23T09:41:26.651Z"},
    "process": {"pid": 7, "entity_id": "h-7-1", "name": "dash", "executable": "/usr/bin/dash",
                "command_line": "sh -c whoami", "args": ["sh", "-c", "whoami"],
                "working_directory": "/tmp", "start": "2026-11-23T09:41:26.600Z",
                "parent": {"pid": 6, "name": "node"}},
    "user": {"id": "0"},
    "host": {"name": "vm"},
    "agent": {"type": "depsentry"},
    "depsentry": {"session": {"pid": 6}},
}

NET = {
    "event": {"category": ["network"], "type": ["connection", "start"], "action": "connect"},
    "destination": {"ip": "127.0.0.1", "port": 4873},
    "network": {"direction": "egress", "type": "ipv4", "transport": "tcp"},
    "related": {"ip": ["127.0.0.1"]},
}

FILE = {
    "event": {"category": ["file"], "type": ["creation"], "action": "creation"},
    "file": {"path": "/p/.github/workflows/x.yml", "name": "x.yml",
             "directory": "/p/.github/workflows", "type": "file"},
}


def merged(*parts):
    out = copy.deepcopy(BASE)
    for part in parts:
        for key, val in part.items():
            if isinstance(val, dict) and isinstance(out.get(key), dict):
                out[key].update(copy.deepcopy(val))
            else:
                out[key] = copy.deepcopy(val)
    return out


def without(obj, path):
    obj = copy.deepcopy(obj)
    *head, last = path.split(".")
    cur = obj
    for key in head:
        cur = cur[key]
    del cur[last]
    return obj


class EventLines(unittest.TestCase):
    def test_valid(self):
        for ev in (BASE, merged(NET), merged(FILE)):
            self.assertEqual(ecs_check.check_event_line(ev), [], ev["event"]["category"])

    def test_required(self):
        for ev, path in ((BASE, "process.executable"), (BASE, "event.action"),
                         (BASE, "host.name"), (merged(NET), "destination.port"),
                         (merged(FILE), "file.path"), (BASE, "@timestamp")):
            errs = ecs_check.check_event_line(without(ev, path))
            self.assertTrue(any(e.startswith(path + ":") for e in errs), (path, errs))
        # a process event's fields are not asked of a file event
        self.assertEqual(ecs_check.check_event_line(without(merged(FILE),
                                                            "process.executable")), [])

    def test_dns(self):
        ev = merged(NET, {"dns": {"question": {"name": "x.test"}}})
        errs = ecs_check.check_event_line(ev)
        self.assertIn("dns.type: missing from an event", errs)
        ev["dns"]["type"] = "query"
        ev["network"]["protocol"] = "dns"
        ev["event"]["type"] = ["protocol"]
        self.assertEqual(ecs_check.check_event_line(ev), [])

    def test_not_an_alert(self):
        for extra, path in (({"rule": {"id": "pm-suspicious-child"}}, "rule"),
                            ({"event": {"severity": 47}}, "event.severity"),
                            ({"depsentry": {"severity": "medium"}}, "depsentry.severity")):
            errs = ecs_check.check_event_line(merged(extra))
            self.assertIn("%s: an alert's field in an event" % path, errs)
        errs = ecs_check.check_event_line(merged({"event": {"kind": "alert"}}))
        self.assertIn("event.kind: 'alert' is not \"event\"", errs)
        errs = ecs_check.check_event_line(merged({"event": {
            "category": ["process", "intrusion_detection"], "type": ["start", "info"]}}))
        self.assertTrue(any(e.startswith("event.category:") for e in errs), errs)
        errs = ecs_check.check_event_line(merged({"event": {"dataset": "depsentry.alerts"}}))
        self.assertTrue(any(e.startswith("event.dataset:") for e in errs), errs)

    def test_ecs_still_applies(self):
        errs = ecs_check.check_event_line(merged({"process": {"bogus": 1}}))
        self.assertIn("process.bogus: not an ECS field and not under depsentry.", errs)
        errs = ecs_check.check_event_line(merged({"event": {"type": ["creation"]}}))
        self.assertTrue(any("expects one of event.type" in e for e in errs), errs)

    def test_alert_checks_unchanged(self):
        alert = merged({"event": {"kind": "alert", "category": ["process", "intrusion_detection"],
                                  "type": ["start", "info"], "dataset": "depsentry.alerts",
                                  "severity": 47},
                        "rule": {"id": "pm-suspicious-child"}})
        self.assertEqual(ecs_check.check_line(alert), [])
        self.assertNotEqual(ecs_check.check_event_line(alert), [])

    def test_truncated_names_fields(self):
        ok = merged(FILE, {"depsentry": {"truncated": ["file.path", "file.directory",
                                                       "depsentry.file.old_path"]}})
        self.assertEqual(ecs_check.check_event_line(ok), [])
        for bad in (["file.bogus"], ["file.path", "file.path"], "file.path",
                    {"args": True}, ["depsentry.nothing"]):
            errs = ecs_check.check_event_line(merged(FILE, {"depsentry": {"truncated": bad}}))
            self.assertTrue(any(e.startswith("depsentry.truncated:") for e in errs),
                            (bad, errs))


if __name__ == "__main__":
    unittest.main()
