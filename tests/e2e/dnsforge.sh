# tests/e2e/dnsforge.sh: the forged-DNS scenarios (t_44 to t_47), sourced
# after lib.sh and net.sh.
#
# A postinstall (tests/fixtures/npm/dns-forge) forges DNS answers that call
# 127.0.0.88, where a TCP sink listens, crates.io (allowlisted), then
# connects there. If the daemon believed the forgery, the connection would
# be named crates.io and allowlisted: no alert. It must be alerted as what
# it is, an address with no name (no_domain_severity, high), and the
# forged answers must be counted (dns_unsolicited in the status).
#
# The real resolver is dnsmasq on 127.0.0.77 (net.sh), which npm and its
# scripts use through their own /etc/resolv.conf (in_resolver's private
# mount namespace). It knows genuine.forge.test (127.0.0.10): the
# postinstall looks that up and connects there first, and that alert must
# carry the name, so a scenario cannot pass because names were not being
# given at all. crates.io is not dnsmasq's: its real answer is NXDOMAIN.
#
# The accomplice (forge_accomplice_start) is a helper of the scenario,
# outside the install session, that the postinstall asks through a unix
# socket to send forged answers (raw IPv4, any source address and port),
# as an attacker on the network would, so that only the matching rules
# stand between them and the cache; and to hold the real resolver back
# (SIGSTOP) while a forgery goes first, then let it answer (SIGCONT).
#
#   forge_setup            fixture, dnsmasq, sink, accomplice, daemon
#   forge_install MODE     npm install of the fixture with DS_E2E_FORGE=MODE
#   forge_check            the alerts and the counter described above

FORGE_NS=127.0.0.77
FORGE_OTHER=127.0.0.78		# another address on the resolver's host
FORGED_ADDR=127.0.0.88
GENUINE_NAME=genuine.forge.test
GENUINE_ADDR=127.0.0.10
FORGE_CFG=$T/depsentry.json
FORGE_STATUS=$T/run/status
FORGE_SOCK=$T/accomplice.sock
FORGE_TGZ=
FORGE_PORT=

# forge_accomplice_start: the accomplice on $FORGE_SOCK (needs dnsmasq).
forge_accomplice_start()
{
	local pid

	[ -n "$DNSMASQ_PID" ] || fail "forge_accomplice_start: start dnsmasq first"
	"$PY" - "$FORGE_SOCK" "$DNSMASQ_PID" <<'EOF' >"$T/accomplice.out" 2>&1 &
import json, os, signal, socket, socketserver, struct, sys, time
path, resolver = sys.argv[1], int(sys.argv[2])
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)

def answer(qid, name, addr):
    hdr = struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split("."))
    q += b"\0" + struct.pack(">HH", 1, 1)
    return hdr + q + struct.pack(">HHHIH", 0xC00C, 1, 1, 300, 4) + socket.inet_aton(addr)

def datagram(src, sport, dst, dport, payload):
    # UDP checksum 0: none (IPv4); the kernel fills the IP checksum
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + udp

def state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]

def signal_and_wait(sig, stopped):
    os.kill(resolver, sig)
    end = time.monotonic() + 5
    while (state(resolver) in "Tt") != stopped:
        if time.monotonic() > end:
            raise RuntimeError("the resolver did not " + ("stop" if stopped else "go on"))
        time.sleep(0.001)

class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            req = json.loads(self.rfile.readline())
            if req["op"] == "hold":
                signal_and_wait(signal.SIGSTOP, True)
            elif req["op"] == "release":
                signal_and_wait(signal.SIGCONT, False)
            elif req["op"] == "answer":
                pkt = datagram(req["src"], req["sport"], req["dst"], req["dport"],
                               answer(req["id"], req["name"], req["addr"]))
                for _ in range(req.get("count", 1)):
                    raw.sendto(pkt, (req["dst"], 0))
            else:
                raise ValueError(f"unknown op {req['op']}")
            self.wfile.write(b"ok\n")
        except Exception as e:
            self.wfile.write(f"error {e}\n".encode())

srv = socketserver.UnixStreamServer(path, Handler)
os.chmod(path, 0o600)
srv.serve_forever()
EOF
	pid=$!
	BG_PIDS+=("$pid")
	disown "$pid"
	_net_wait "the accomplice (see $T/accomplice.out)" "$pid" test -S "$FORGE_SOCK"
}

# forge_setup: everything before the daemon, then the daemon, with a
# configuration whose status file is in the scratch directory.
forge_setup()
{
	FORGE_TGZ=$(npm_pack dns-forge)
	dnsmasq_start "$FORGE_NS" "$GENUINE_NAME=$GENUINE_ADDR"
	resolver_check "$FORGE_NS" "$GENUINE_NAME" "$GENUINE_ADDR"
	tcp_sink_start "$FORGED_ADDR"
	FORGE_PORT=$SINK_PORT
	forge_accomplice_start
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$FORGE_CFG" "$FORGE_STATUS" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["status_file"] = sys.argv[3]
json.dump(cfg, open(sys.argv[2], "w"), indent="\t")
EOF
	ds_start -c "$FORGE_CFG"
}

# forge_install MODE: npm install (offline, of the fixture's tarball) inside
# in_resolver, its postinstall forging the MODE way; NPM_PID is npm's.
forge_install()
{
	local dir=$T/proj rc=0

	step "npm install of the dns-forge fixture, DS_E2E_FORGE=$1"
	export DS_E2E_FORGE=$1 DS_E2E_NS=$FORGE_NS DS_E2E_FORGED_ADDR=$FORGED_ADDR
	export DS_E2E_PORT=$FORGE_PORT DS_E2E_OTHER_ADDR=$FORGE_OTHER
	export DS_E2E_GENUINE_NAME=$GENUINE_NAME DS_E2E_ACCOMPLICE=$FORGE_SOCK
	_resolver_prefix "$FORGE_NS"
	npm_project "$dir" "$FORGE_TGZ"
	(cd "$dir" && exec setsid "${RESOLVER_CMD[@]}" "$NPM" install --offline --no-audit \
		--no-fund "${NPM_STRICT[@]}" "$FORGE_TGZ") >"$dir.npm.log" 2>&1 &
	NPM_PID=$!
	BG_PGIDS+=("$NPM_PID")
	wait "$NPM_PID" || rc=$?
	FORGE_RAN=$(installed "$dir" ds-e2e-dns-forge postinstall.ran)
	if [ "$rc" -ne 0 ]; then
		cat "$dir.npm.log" "$FORGE_RAN" >&2 || true
		fail "npm install in $dir exited with status $rc"
	fi
	require_file "$FORGE_RAN" "the postinstall did not run"
	sed 's/^/   postinstall: /' "$FORGE_RAN"
	grep -q "^genuine $GENUINE_NAME $GENUINE_ADDR " "$FORGE_RAN" ||
		fail "the genuine lookup failed: $(cat "$FORGE_RAN")"
	grep -q "^$FORGED_ADDR:$FORGE_PORT connected$" "$FORGE_RAN" ||
		fail "the connection to the forged address failed: $(cat "$FORGE_RAN")"
	[ -s "$(sink_log "$FORGED_ADDR" "$FORGE_PORT")" ] ||
		fail "the sink on $FORGED_ADDR:$FORGE_PORT saw no connection"
}

# forge_unsolicited: dns_unsolicited as `depsentry status` says it now.
forge_unsolicited()
{
	"$DEPSENTRY" status -c "$FORGE_CFG" | grep -o ' dns_unsolicited=[0-9]*' | cut -d= -f2
}

# forge_counted: dns_unsolicited, which it sets n to, is above 0; fail if
# the daemon has died.
forge_counted()
{
	n=$(forge_unsolicited) && [ "${n:-0}" -gt 0 ] && return 0
	pid_alive "$DS_PID" || fail "the daemon died"
	return 1
}

# forge_check: the genuine name was given, the forged one was not, and the
# forged answers were counted.
forge_check()
{
	local a n

	step "the genuine lookup names its connection (names were being given)"
	a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
		"destination.ip=$GENUINE_ADDR" "destination.port=$FORGE_PORT")
	check_alert "$a" "the genuine connection is not named" \
		"destination.domain=$GENUINE_NAME" package.name=ds-e2e-dns-forge process.name=node

	step "the connection to $FORGED_ADDR is alerted without the forged name"
	a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
		"destination.ip=$FORGED_ADDR" "destination.port=$FORGE_PORT")
	check_alert "$a" "the forged name reached the alert" \
		event.action=connect '!destination.domain?' event.severity=73 \
		network.transport=tcp package.name=ds-e2e-dns-forge process.name=node \
		'process.command_line=node forge.js'

	step "the forged answers are counted: dns_unsolicited > 0"
	wait_until "$ALERT_TIMEOUT" "dns_unsolicited above 0" forge_counted ||
		fail "dns_unsolicited is '${n:-}' after ${ALERT_TIMEOUT}s: $("$DEPSENTRY" status -c "$FORGE_CFG")"
	echo "   dns_unsolicited=$n"

	ds_stop
	assert_none "the forged name was given to a connection" destination.domain=crates.io
	grep -q '^depsentry: dns: .* dns_unsolicited=[1-9]' "$DS_LOG" ||
		fail "the exit line does not count the unsolicited answers: $(grep 'dns:' "$DS_LOG")"
	validate_alerts "$ALERTS"
}
