#!/usr/bin/python3
"""Check what one guest of the kernel test reported (tests/kernels/run.sh).

    verify.py RESULTS OUTDIR

RESULTS is what the guest's /init wrote to its second serial port, one
"KIND TEXT" line each (tests/kernels/guest/lib.sh): `alert` lines (the
alert file), `log` lines (the daemon's stderr), `fact NAME=VALUE`, `note`
(the guest saw something go wrong), `nobtf` (the daemon's stderr with the
kernel's BTF hidden) and a last `end`. The alerts go to OUTDIR/alerts.json
and the daemon log to OUTDIR/daemon.log.

Every arm must have alerted with the right fields: each expectation picks
its alert by a few identifying fields and then checks them all. Prints one
line per check; on any failure, the daemon log and a summary of every
alert. Exit 1 if anything failed.
"""

import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
import alerts  # noqa: E402  (tests/e2e/alerts.py: conditions and ECS validation)

W = "/mnt/proj/.github/workflows"


def expectations(f):
    """(arm, what, conditions that pick the alert, conditions it must meet)."""
    pm = f["pm_pid"]
    session = [f"depsentry.session.pid={pm}", "depsentry.session.package_manager=kpm",
               f"depsentry.ancestry.0.pid={pm}"]
    outside = ["!depsentry.session.pid?"]
    tamper = [f"process.pid={f['tamper_pid']}", f"depsentry.session.pid={f['tamper_pid']}",
              "depsentry.session.package_manager=kpm"]
    egress = ["rule.id=pm-unexpected-egress", "event.action=connect"]
    cicd = ["rule.id=cicd-file-modified"]
    # the response, in detect mode: the kernel judges connects where its
    # socket address programs may name the process (the daemon says so at
    # start; main() requires it of every kernel tested), else stopping the
    # process is the refusal, marked all the same
    in_kernel = f["egress_in_kernel"] == "yes"
    would_block = ["depsentry.response.egress=would_block" if in_kernel
                   else "!depsentry.response.egress?"]
    return [
        ("process", "exec and fork: the package manager's child",
         ["rule.id=pm-suspicious-child", f"process.args.1=kt-ready-{pm}"],
         session + ["process.args.0=/bin/id", "process.executable~/busybox$",
                    f"process.parent.pid={pm}", "depsentry.depth=1"]),
        ("process", "a double fork: the grandchild reparented to init, still in the session",
         ["rule.id=pm-suspicious-child", "process.args.1=kt-detached"],
         session + [f"process.pid={f['detached_pid']}",
                    f"process.parent.pid={f['fork1_pid']}", "depsentry.depth=2",
                    f"depsentry.ancestry.1.pid={f['fork1_pid']}",
                    f"depsentry.ancestry.-1.pid={f['detached_pid']}"]),
        ("network", "connect to an IPv4 address",
         egress + ["destination.ip=127.0.0.5"],
         session + ["destination.port=9", "network.type=ipv4", "network.transport=tcp",
                    "!destination.domain?", f"process.pid={f['connect4_pid']}",
                    "depsentry.response.action=would_kill"] + would_block),
        ("network", "connect to an IPv6 address",
         egress + ["destination.ip=::1"],
         session + ["destination.port=9", "network.type=ipv6", "network.transport=tcp",
                    f"process.pid={f['connect6_pid']}",
                    "depsentry.response.action=would_kill"] + would_block),
        ("network", "connect to an address a captured DNS answer named",
         egress + ["destination.ip=127.0.0.9"],
         session + ["destination.domain=exfil.kt.test", "destination.port=9",
                    f"process.pid={f['connect_named_pid']}",
                    "!depsentry.response.action?" if in_kernel
                    else "depsentry.response.action=would_kill"] + would_block),
        # The question is judged once the connect record names its socket's
        # owner; a client that has exited by then is named by its pid alone
        # (the daemon keeps no entry for it): only the kernel's session id is
        # sure to be there.
        ("network", "a DNS question seen on the wire, owned through its connect",
         ["rule.id=pm-unexpected-egress", "event.action=dns_query",
          f"dns.question.name={f['beacon']}"],
         ["network.protocol=dns", "network.transport=udp", "destination.ip=127.0.0.53",
          "depsentry.session.id?",
          f"process.pid={f['beacon_pid']}"]),
        ("file", "creat of a workflow inside the session",
         cicd + [f"file.path={W}/pm.yml"],
         session + ["event.action=creation", "depsentry.file.writer=install-session",
                    f"process.pid={f['pm_creat_pid']}"]),
        ("file", "rename onto a workflow inside the session",
         cicd + [f"file.path={W}/pm-moved.yml"],
         session + ["event.action=rename", "depsentry.file.old_path=/mnt/proj/pm.tmp",
                    "depsentry.file.writer=install-session",
                    f"process.pid={f['pm_rename_pid']}"]),
        ("file", "a registry token read inside the session (open hooks, read anchors)",
         ["rule.id=install-credential-read", "file.path=/mnt/proj/.npmrc"],
         session + ["event.action=open", "depsentry.severity=high",
                    f"process.pid={f['pm_cred_pid']}"]),
        ("file", "a .pth written inside the session (a name's suffix)",
         ["rule.id=install-persistence", "file.path=/mnt/proj/site-packages/kt.pth"],
         session + ["event.action=creation", "depsentry.severity=high",
                    f"process.pid={f['pm_pth_pid']}"]),
        ("file", "open(O_CREAT) of a workflow outside sessions",
         cicd + [f"file.path={W}/out.yml"],
         outside + ["event.action=creation", "depsentry.file.writer=suspicious",
                    f"process.pid={f['out_creat_pid']}"]),
        ("file", "open of an existing Makefile for writing outside sessions",
         cicd + ["file.path=/mnt/proj/Makefile"],
         outside + ["event.action=overwrite", "depsentry.file.writer=other",
                    f"process.pid={f['out_open_pid']}"]),
        ("file", "rename onto a workflow outside sessions",
         cicd + [f"file.path={W}/out-moved.yml"],
         outside + ["event.action=rename", "depsentry.file.old_path=/mnt/proj/out.tmp",
                    f"process.pid={f['out_rename_pid']}"]),
        # exec records carry the namespaces and the root directory: paths as
        # the process sees them, and as the host does beside them
        ("process", "an install in a container (unshare, chroot): its own view and the host's",
         ["rule.id=pm-suspicious-child", f"process.args.1={f['ctr_tag']}"],
         ["process.args.0=/bin/id", "process.executable=/bin/busybox",
          "depsentry.process.host_executable=/tmp/ctr/bin/busybox",
          "depsentry.process.root=/tmp/ctr", "process.working_directory=/",
          "depsentry.process.host_working_directory=/tmp/ctr",
          "depsentry.session.package_manager=kpm", "depsentry.session.executable=/bin/busybox",
          "depsentry.namespace.pid>0", "depsentry.namespace.mnt>0",
          "depsentry.namespace.net>0"]),
        ("tamper", "SIGSTOP from kpm's session: alerted at once, once continued",
         ["rule.id=sensor-signal", "depsentry.signal.name=SIGSTOP"],
         tamper + [f"depsentry.sensor.pid={f['ds1_pid']}", "event.severity=73",
                   "event.action=signal", "depsentry.signal.origin=process"]),
        ("tamper", "SIGCONT from kpm's session",
         ["rule.id=sensor-signal", "depsentry.signal.name=SIGCONT"],
         tamper + [f"depsentry.sensor.pid={f['ds1_pid']}", "event.severity=73"]),
        ("tamper", "SIGKILL from kpm's session: the next daemon says so (pinned map)",
         ["rule.id=sensor-interrupted"],
         [f"process.pid={f['tamper_pid']}", "event.severity=73",
          "depsentry.signal.name=SIGKILL", "depsentry.signal.origin=process",
          f"depsentry.sensor.pid={f['ds1_pid']}", "depsentry.interruption.cause=signal",
          "depsentry.interruption.sessions_running=true", "depsentry.session.id?",
          "event.duration?", "depsentry.interruption.gap_seconds>0"]),
    ]


FACTS = ("kernel", "pm_pid", "detached_pid", "detached_ppid", "fork1_pid", "connect4_pid",
         "registry_addr", "connect_registry_pid",
         "connect6_pid", "connect_named_pid", "exfil_addr", "beacon", "beacon_pid", "pm_creat_pid",
         "pm_rename_pid", "pm_cred_pid", "pm_pth_pid", "out_creat_pid", "out_open_pid",
         "out_rename_pid", "nobtf_rc", "daemon_rc", "tamper_pid", "ds1_pid", "killed_rc",
         "ctr_tag")

EXIT_RE = re.compile(r"exit: (\d+) exec, (\d+) fork, (\d+) exit records, \d+ alerts, "
                     r"\d+ processes, (\d+) sessions")


class Report:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, ok, what, why=""):
        if ok:
            self.passed += 1
            print(f"  ok    {what}")
        else:
            self.failed += 1
            print(f"  FAIL  {what}" + (f": {why}" if why else ""))
        return ok


def parse(path):
    kinds = {"alert": [], "log": [], "fact": [], "note": [], "nobtf": [], "end": []}
    try:
        with open(path, "rb") as fp:
            data = fp.read()
    except FileNotFoundError:
        data = b""
    for raw in data.split(b"\n"):
        kind, _, text = raw.rstrip(b"\r").partition(b" ")
        kind = kind.decode("ascii", "replace")
        if kind == "alert":
            kinds[kind].append(text)  # bytes: validated as they came
        elif kind in kinds:
            kinds[kind].append(text.decode("utf-8", "replace"))
    facts = dict(t.partition("=")[::2] for t in kinds["fact"])
    return kinds, facts


def check_alert(r, arm, what, pick, need, lines):
    pick_c = alerts.parse_conds(pick)
    found = [a for a in lines if a is not None and alerts.matches(a, pick_c)]
    if not found:
        return r.check(False, f"{arm}: {what}", "no alert with " + " ".join(pick))
    need_c = alerts.parse_conds(need)
    bad = [c for c in need_c if not c.test(found[0])]
    why = "; ".join(f"{c.text} (found {alerts.as_text(c.value(found[0]))})" for c in bad)
    return r.check(not bad, f"{arm}: {what}", why)


def load_failures(log):
    """Why the daemon did not start: for each program the kernel refused,
    its name, the error and the verifier's last word; then the lines in
    which libbpf and the daemon gave up."""
    out, block, prog = [], None, "?"
    for line in log:
        m = re.search(r"prog '([^']+)': BPF program load failed: (.*)", line)
        if m:
            prog = f"program {m.group(1)} ({m.group(2)})"
        elif "-- BEGIN PROG LOAD LOG --" in line:
            block = []
        elif "-- END PROG LOAD LOG --" in line:
            said = [l.strip() for l in block or [] if l.strip() and
                    not re.match(r"(processed \d+ insns|verification time)", l.strip())]
            out.append(f"{prog}: the verifier: {said[-1] if said else '(no log)'}")
            block = None
        elif block is not None:
            block.append(line)
        elif re.search(r"failed|cannot|error|not supported", line):
            out.append(line.strip())
    return out


def check_unsupported(r, rc, lines):
    want = "is not supported: no BTF type information (/sys/kernel/btf/vmlinux"
    r.check(rc not in (None, "", "0"), "unsupported: the daemon refuses to start without BTF",
            f"exit status {rc}")
    r.check(len(lines) == 1 and want in lines[0] and "libbpf" not in lines[0],
            "unsupported: one line names what is missing",
            "stderr was: " + " | ".join(lines[:10]))


def check_exits(r, log):
    m = None
    for line in log:
        m = EXIT_RE.search(line) or m
    if not r.check(m is not None, "process: the daemon's exit line", "not in the daemon log"):
        return
    _, forks, exits, sessions = (int(x) for x in m.groups())
    r.check(forks > 0 and exits > 0 and sessions == 0,
            "process: fork and exit records seen, every session ended by its exits",
            f"{forks} fork, {exits} exit records, {sessions} sessions left")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    kinds, facts = parse(sys.argv[1])
    out = sys.argv[2]
    alerts_path = os.path.join(out, "alerts.json")
    with open(alerts_path, "wb") as fp:
        fp.writelines(a + b"\n" for a in kinds["alert"])
    with open(os.path.join(out, "daemon.log"), "w", encoding="utf-8") as fp:
        fp.writelines(line + "\n" for line in kinds["log"])

    r = Report()
    if not r.check(bool(kinds["end"]), "the guest finished",
                   "its results were cut short or never written (the console says how far it got)"):
        return 1
    for n in kinds["note"]:
        r.check(False, "guest", n)
    check_unsupported(r, facts.get("nobtf_rc"), kinds["nobtf"])
    ready = "depsentry: ready" in kinds["log"]
    if not r.check(ready, "the daemon loaded and attached every program",
                   "\n          ".join(["it never said ready:"] + load_failures(kinds["log"]))):
        print(f"  no arm checked; the whole daemon log is in {out}/daemon.log")
        print(f"  {r.passed} checks passed, {r.failed} failed")
        return 1
    missing = [k for k in FACTS if k not in facts]
    r.check(not missing, "the guest recorded every fact", "missing " + " ".join(missing))
    r.check(facts.get("daemon_rc") == "0", "the daemon exited 0 on SIGTERM",
            f"exit status {facts.get('daemon_rc')}")
    r.check(alerts.cmd_validate([alerts_path]) == 0,
            "every alert is strict JSON and valid ECS")
    lines = [alerts.loads_lenient(a) for a in kinds["alert"]]
    f = collections.defaultdict(lambda: "(missing)", facts)
    # every kernel we build for lets socket address programs name the
    # process: the response refuses egress in the kernel there
    f["egress_in_kernel"] = "yes" if any(
        "egress judged in the kernel" in line for line in kinds["log"]) else "no"
    r.check(f["egress_in_kernel"] == "yes", "the response judges egress in the kernel",
            "the daemon fell back to stopping processes: its socket programs did not load")
    r.check(f["killed_rc"] == "137", "tamper: the daemon was ended by kpm's SIGKILL",
            f"its wait status was {f['killed_rc']}")
    r.check(f["detached_ppid"] == "1",
            "process: the double-forked grandchild was reparented to init",
            f"its parent was {f['detached_ppid']}")
    for arm, what, pick, need in expectations(f):
        check_alert(r, arm, what, pick, need, lines)
    registry = [a for a in lines if a is not None and alerts.matches(
        a, alerts.parse_conds(["destination.ip=127.0.0.10"]))]
    r.check(f["registry_addr"] == "127.0.0.10" and not registry,
            "response: an allowlisted name's address, allowed in the kernel by the DNS filter",
            f"resolved to {f['registry_addr']}; alerts: "
            + "; ".join(str(a.get("event", {}).get("reason")) for a in registry))
    check_exits(r, kinds["log"])

    if r.failed:
        print(f"== daemon log ({len(kinds['log'])} lines, the last 80)")
        for line in kinds["log"][-80:]:
            print("  | " + line[:400])
        print("== alerts")
        alerts.summary(alerts_path, sys.stdout)
    print(f"  {r.passed} checks passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
