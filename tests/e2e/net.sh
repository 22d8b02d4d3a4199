# tests/e2e/net.sh: the network part of the end-to-end harness, sourced by
# the network scenarios right after lib.sh.
#
# It gives a scenario a package registry, a name service and servers of its
# own, all on loopback, so that package managers and install scripts make
# real connections and real DNS queries without the internet:
#
#   verdaccio_install      install verdaccio (once, cached in build/e2e-tools)
#   verdaccio_start        a private registry, no uplinks, storage in $T
#   verdaccio_publish      publish a fixture (directory or tarball) to it
#   dnsmasq_start          a DNS server on a loopback address answering only
#                          the names the scenario maps; NXDOMAIN otherwise
#   in_resolver            run a command that sees that DNS server in
#                          /etc/resolv.conf (private mount namespace)
#   resolver_check         the C library resolves a name there as expected
#   http_sink_start        an HTTP server that records each request
#   tcp_sink_start         a TCP server that records each connection
#   npm_install_registry   npm install PKG from a registry URL, optionally
#                          inside in_resolver; sets NPM_PID like npm_install
#   registry_by_name       verdaccio serving fixtures as registry.npmjs.org:4873
#                          through a dnsmasq of the scenario's own
#
# Order in a scenario: set everything up BEFORE ds_start. verdaccio_install
# is an npm install from registry.npmjs.org, and verdaccio_publish runs npm
# publish and npm view: while the daemon runs, they would be npm sessions of
# their own whose connections the daemon judges, and a test would fetch from
# the internet. (The daemon sees the whole machine: so would any daemon of
# another scenario running at the same time.)
#
# It relies on lib.sh's scratch directory $T and its EXIT trap: every
# background helper goes to BG_PIDS, npm's process group to BG_PGIDS, and
# the trap kills them. A scenario must not set an EXIT trap of its own, and
# must not call the *_start functions in $(...), where BG_PIDS is lost.
#
# Knobs: E2E_VERDACCIO_VERSION (6: a semver range; npm picks the newest
# release whose engines allow this node), E2E_NET_TIMEOUT (30 s: how long a
# helper may take to answer).

VERDACCIO_VERSION=${E2E_VERDACCIO_VERSION:-6}
VERDACCIO_HOME=$SRC_ROOT/build/e2e-tools/verdaccio
VERDACCIO_BIN=$VERDACCIO_HOME/node_modules/verdaccio/bin/verdaccio
VERDACCIO_STAMP=$VERDACCIO_HOME/.ds-e2e-installed
NET_TIMEOUT=${E2E_NET_TIMEOUT:-30}
NPMJS_REGISTRY=https://registry.npmjs.org/
DNSMASQ=/usr/sbin/dnsmasq

VERDACCIO_PID=
VERDACCIO_URL=
VERDACCIO_TOKEN=
DNSMASQ_PID=
SINK_PORT=

need_cmd curl curl
need_cmd unshare util-linux
need_cmd flock util-linux
need_cmd mount mount

# ---------------------------------------------------------------- helpers

# _net_host_port ADDR PORT: ADDR:PORT for a URL or an npmrc key, with an
# IPv6 address in brackets.
_net_host_port()
{
	case $1 in
	*:*) printf '[%s]:%s\n' "$1" "$2" ;;
	*) printf '%s:%s\n' "$1" "$2" ;;
	esac
}

# _net_port_free ADDR PORT tcp|udp: nothing is bound to ADDR:PORT now.
_net_port_free()
{
	"$PY" - "$@" <<'EOF'
import socket, sys
addr, port, proto = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
# as a server would: a connection in TIME_WAIT does not make the port busy
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((addr, port))
except OSError as e:
    print(f"{addr} {proto} port {port}: {e.strerror}", file=sys.stderr)
    sys.exit(1)
EOF
}

# _net_answers WHAT PID CMD...: CMD succeeds (its output discarded); fail
# if PID has died.
_net_answers()
{
	local what=$1 pid=$2

	shift 2
	"$@" >/dev/null 2>&1 && return 0
	pid_alive "$pid" || fail "$what exited before it answered"
	return 1
}

# _net_wait WHAT PID CMD...: run CMD until it succeeds; fail if PID died
# first or NET_TIMEOUT seconds pass.
_net_wait()
{
	wait_until "$NET_TIMEOUT" "$1 to answer" _net_answers "$@" ||
		fail "$1 did not answer within ${NET_TIMEOUT}s"
}

# dns_query SERVER NAME [TYPE]: one DNS query over UDP, made by hand (no
# resolver library, no /etc/hosts); prints "RCODE ADDR..." (RCODE 0 is
# NOERROR, 3 NXDOMAIN). TYPE is A (default) or AAAA.
dns_query()
{
	"$PY" - "$@" <<'EOF'
import random, socket, struct, sys
server, name = sys.argv[1], sys.argv[2]
qtype = {"A": 1, "AAAA": 28}[sys.argv[3] if len(sys.argv) > 3 else "A"]
qid = random.randrange(65536)
q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split("."))
q += b"\0" + struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, (server, 53))
r = s.recv(4096)
rid, flags, qd, an = struct.unpack(">HHHH", r[:8])
if rid != qid or not flags & 0x8000:
    sys.exit("not an answer to the query")
i = 12
for _ in range(qd):                     # skip the question
    while r[i]:
        i += r[i] + 1
    i += 5
out = [str(flags & 15)]
for _ in range(an):
    if r[i] & 0xC0 == 0xC0:             # compressed name
        i += 2
    else:
        while r[i]:
            i += r[i] + 1
        i += 1
    rtype, _, _, rdlen = struct.unpack(">HHIH", r[i:i + 10])
    rdata = r[i + 10:i + 10 + rdlen]
    i += 10 + rdlen
    if rtype == 1:
        out.append(socket.inet_ntop(socket.AF_INET, rdata))
    elif rtype == 28:
        out.append(socket.inet_ntop(socket.AF_INET6, rdata))
print(" ".join(out))
EOF
}

# ---------------------------------------------------------------- verdaccio

# verdaccio_install: install verdaccio@$VERDACCIO_VERSION from
# registry.npmjs.org into build/e2e-tools/verdaccio, unless it is there
# already (about 30 s, 330 packages). Call it before ds_start: it is an npm
# install from the internet. Installs are serialised with a lock, made in a
# temporary directory and renamed into place once complete, so an
# interrupted or concurrent install never leaves a half-installed verdaccio
# behind to be used.
verdaccio_install()
{
	local tools=$SRC_ROOT/build/e2e-tools lockfd tmp start ver

	[ -f "$VERDACCIO_STAMP" ] && return 0
	mkdir -p "$tools"
	exec {lockfd}>"$tools/verdaccio.lock"
	flock -w 600 "$lockfd" || fail "could not lock $tools/verdaccio.lock within 600s"
	if [ ! -f "$VERDACCIO_STAMP" ]; then
		step "install verdaccio@$VERDACCIO_VERSION from $NPMJS_REGISTRY into $VERDACCIO_HOME"
		# we hold the lock: any other install directory is a dead one
		rm -rf "$VERDACCIO_HOME" "$tools"/verdaccio.tmp.*
		tmp=$(mktemp -d "$tools/verdaccio.tmp.XXXXXX")
		# verdaccio-audit asks for node-fetch by the dist-tag "cjs", which
		# a registry mirror may not carry: name the version it stands for
		"$PY" - "$tmp/package.json" "$VERDACCIO_VERSION" <<'EOF'
import json, sys
json.dump({"name": "ds-e2e-tools", "version": "1.0.0", "private": True,
           "dependencies": {"verdaccio": sys.argv[2]},
           "overrides": {"verdaccio-audit": {"node-fetch": "2.7.0"}}},
          open(sys.argv[1], "w"), indent=2)
EOF
		start=$SECONDS
		# --ignore-scripts: verdaccio needs no build step, and nothing
		# downloaded runs as root on the test machine
		"$NPM" install --prefix "$tmp" --registry "$NPMJS_REGISTRY" \
			--no-audit --no-fund --ignore-scripts --no-update-notifier \
			>"$T/verdaccio-install.log" 2>&1 ||
			fail "npm install verdaccio@$VERDACCIO_VERSION failed: $(tail -n 20 "$T/verdaccio-install.log")"
		ver=$("$NODE" "$tmp/node_modules/verdaccio/bin/verdaccio" --version 2>&1) ||
			fail "the installed verdaccio does not run: $ver"
		printf '%s\n' "$ver" >"$tmp/.ds-e2e-installed"
		mv -T "$tmp" "$VERDACCIO_HOME" ||
			fail "could not move $tmp to $VERDACCIO_HOME"
		echo "   verdaccio $ver installed in $((SECONDS - start))s"
	fi
	exec {lockfd}>&-
}

# verdaccio_start [ADDR] [PORT]: a private registry on ADDR:PORT (default
# 127.0.0.1:4873) with its storage, users and log in $T/verdaccio and no
# uplinks: it serves only what the scenario published and never goes to
# the internet. Fails if the port is taken. Sets VERDACCIO_URL (no
# trailing slash) and VERDACCIO_PID. Tarball URLs follow the Host header
# of each request, so a client that reaches it under another name
# (registry.npmjs.org:4873 through dnsmasq_start) fetches tarballs there.
verdaccio_start()
{
	local addr=${1:-127.0.0.1} port=${2:-4873} dir=$T/verdaccio

	[ -f "$VERDACCIO_STAMP" ] || fail "verdaccio is not installed: call verdaccio_install first"
	[ -z "$VERDACCIO_PID" ] || fail "verdaccio_start: verdaccio is already running"
	_net_port_free "$addr" "$port" tcp ||
		fail "$addr:$port is in use (another verdaccio, or a scenario running at the same time?)"
	mkdir -p "$dir/storage"
	: >"$dir/htpasswd"
	cat >"$dir/config.yaml" <<EOF
# written by tests/e2e/net.sh for $SCENARIO
storage: $dir/storage
auth:
  htpasswd:
    file: $dir/htpasswd
    max_users: 1000
# no uplinks: nothing is ever fetched from another registry
uplinks: {}
packages:
  '**':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
web:
  enable: false
log: { type: file, path: $dir/verdaccio.log, level: http }
EOF
	step "start verdaccio on $addr:$port (storage in $dir)"
	"$NODE" "$VERDACCIO_BIN" --config "$dir/config.yaml" \
		--listen "$(_net_host_port "$addr" "$port")" >"$dir/stdout.log" 2>&1 &
	VERDACCIO_PID=$!
	BG_PIDS+=("$VERDACCIO_PID")
	disown "$VERDACCIO_PID"	# no "Killed" line from bash when cleanup kills it
	VERDACCIO_URL=http://$(_net_host_port "$addr" "$port")
	_net_wait "verdaccio (log: $dir/stdout.log)" "$VERDACCIO_PID" \
		curl -fsS --noproxy '*' -m 2 "$VERDACCIO_URL/-/ping"
}

# _verdaccio_token: the token of a user made through the CouchDB user API
# (PUT /-/user/org.couchdb.user:NAME), made once per scenario.
_verdaccio_token()
{
	[ -z "$VERDACCIO_TOKEN" ] || return 0
	VERDACCIO_TOKEN=$("$PY" - "$VERDACCIO_URL" <<'EOF'
import json, secrets, sys, urllib.request
name = "ds-e2e-publisher"
body = json.dumps({"name": name, "password": secrets.token_hex(16)}).encode()
req = urllib.request.Request(f"{sys.argv[1]}/-/user/org.couchdb.user:{name}", data=body,
                             method="PUT", headers={"Content-Type": "application/json"})
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(req, timeout=10) as r:
    print(json.load(r)["token"])
EOF
	) || fail "could not create a verdaccio user at $VERDACCIO_URL"
	[ -n "$VERDACCIO_TOKEN" ] || fail "verdaccio gave no token"
}

# verdaccio_publish FIXTURE_DIR|TGZ: publish a package (a fixture
# directory is packed into $T/pkgs first) to the running verdaccio, with a
# token kept in a userconfig file of its own (never ~/.npmrc), and check
# that the registry serves it. Before ds_start.
verdaccio_publish()
{
	local src=$1 tgz name ver cfg got

	[ -n "$VERDACCIO_URL" ] || fail "verdaccio_publish: call verdaccio_start first"
	if [ -d "$src" ]; then
		[ -f "$src/package.json" ] || fail "verdaccio_publish: no $src/package.json"
		tgz=$(cd "$src" && "$NPM" pack --silent --pack-destination "$T/pkgs" 2>>"$T/npm-pack.log" |
			tail -n 1) || fail "npm pack $src failed (see $T/npm-pack.log)"
		tgz=$T/pkgs/$tgz
	else
		tgz=$src
	fi
	[ -f "$tgz" ] || fail "verdaccio_publish: no package $tgz"
	read -r name ver < <(tar -xzOf "$tgz" package/package.json |
		"$PY" -c 'import json, sys; p = json.load(sys.stdin); print(p["name"], p["version"])') ||
		fail "verdaccio_publish: cannot read package/package.json in $tgz"
	_verdaccio_token
	cfg=$T/verdaccio/publish.npmrc
	(umask 077 && printf '//%s/:_authToken=%s\n' "${VERDACCIO_URL#http://}" "$VERDACCIO_TOKEN" >"$cfg")
	step "publish $name@$ver to $VERDACCIO_URL"
	"$NPM" publish "$tgz" --registry "$VERDACCIO_URL/" --userconfig "$cfg" \
		--no-audit --no-fund >"$T/verdaccio/publish-$name.log" 2>&1 ||
		fail "npm publish $tgz failed: $(tail -n 20 "$T/verdaccio/publish-$name.log")"
	got=$("$NPM" view "$name@$ver" version --registry "$VERDACCIO_URL/" --userconfig "$cfg" \
		2>>"$T/verdaccio/publish-$name.log") || got=
	[ "$got" = "$ver" ] || fail "verdaccio does not serve $name@$ver after publishing it (npm view: '$got')"
}

# ---------------------------------------------------------------- DNS

# dnsmasq_start ADDR NAME=IP...: a DNS server on ADDR port 53 (UDP and
# TCP) that answers each NAME (and its subdomains) with IP, from memory,
# and NXDOMAIN for every other name (--local=/#/): nothing is forwarded,
# it has no upstream server at all (without --local=/#/ it would answer
# REFUSED, which glibc retries). Queries are logged to $T/dnsmasq.log.
# Use a loopback address of its own such as 127.0.0.77, not 127.0.0.53
# (systemd-resolved's) or 127.0.0.1. Sets DNSMASQ_PID.
dnsmasq_start()
{
	local addr=$1 m name ip maps=() first_name='' first_ip=''

	shift
	[ -x "$DNSMASQ" ] || fail "needs $DNSMASQ: apt-get install dnsmasq-base (and add it to DEBS in the Makefile)"
	[ "$addr" != 127.0.0.53 ] || fail "dnsmasq_start: 127.0.0.53 is systemd-resolved's address"
	[ -z "$DNSMASQ_PID" ] || fail "dnsmasq_start: dnsmasq is already running"
	[ $# -gt 0 ] || fail "dnsmasq_start: no NAME=IP mapping"
	for m in "$@"; do
		name=${m%%=*}
		ip=${m#*=}
		if [ -z "$name" ] || [ -z "$ip" ] || [ "$name" = "$m" ]; then
			fail "dnsmasq_start: '$m' is not NAME=IP"
		fi
		# /etc/hosts is read first (hosts: files dns): it must not
		# answer for the name instead of us
		if awk -v n="$name" '!/^[ \t]*#/ { for (i = 2; i <= NF; i++) if (tolower($i) == tolower(n)) f = 1 } END { exit !f }' /etc/hosts; then
			fail "/etc/hosts names $name: the test's DNS server would not be asked"
		fi
		# --address answers NAME and its subdomains; --host-record makes
		# NAME itself known, so that the other type (AAAA for an IPv4
		# mapping) gets an empty answer rather than NXDOMAIN
		maps+=("--address=/$name/$ip" "--host-record=$name,$ip")
		[ -n "$first_name" ] || { first_name=$name; first_ip=$ip; }
	done
	_net_port_free "$addr" 53 udp || fail "$addr UDP port 53 is in use"
	_net_port_free "$addr" 53 tcp || fail "$addr TCP port 53 is in use"
	step "start dnsmasq on $addr:53: ${*}"
	: >"$T/dnsmasq.log"
	# -C /dev/null: no configuration file of the machine; --pid-file=: none
	"$DNSMASQ" -k -C /dev/null --pid-file= \
		--listen-address="$addr" --bind-interfaces --port=53 \
		--no-resolv --no-hosts --no-poll --local=/#/ --local-ttl=300 \
		--log-queries --log-facility="$T/dnsmasq.log" "${maps[@]}" \
		>"$T/dnsmasq.out" 2>&1 &
	DNSMASQ_PID=$!
	BG_PIDS+=("$DNSMASQ_PID")
	disown "$DNSMASQ_PID"
	_net_wait "dnsmasq (see $T/dnsmasq.out)" "$DNSMASQ_PID" dns_query "$addr" "$first_name"
	[ "$(dns_query "$addr" "$first_name")" = "0 $first_ip" ] ||
		fail "dnsmasq does not answer $first_name with $first_ip"
}

# _resolver_prefix NS_ADDR: set RESOLVER_CMD to the command prefix that runs
# a command in a private mount namespace whose /etc/resolv.conf names only
# NS_ADDR. The prefix execs the command (unshare, then sh, then CMD: one
# pid), so `exec setsid "${RESOLVER_CMD[@]}" npm ...` keeps npm's pid.
_resolver_prefix()
{
	local ns=$1 conf=$T/resolv.conf.$1 real hosts

	real=$(readlink -f /etc/resolv.conf)
	[ -f "$real" ] || fail "/etc/resolv.conf leads to $real, which is not a file: cannot bind a test copy over it"
	hosts=$(sed -n 's/^hosts:[[:space:]]*//p' /etc/nsswitch.conf)
	case " $hosts " in
	*" dns "*) ;;
	*) fail "/etc/nsswitch.conf 'hosts: $hosts' has no dns: resolv.conf would not be used" ;;
	esac
	case " $hosts " in
	*" resolve "*) fail "/etc/nsswitch.conf 'hosts: $hosts' asks systemd-resolved, which ignores the test's resolv.conf" ;;
	esac
	# "search .": no search domain. Without a search line glibc takes the
	# domain of the host name and, after an NXDOMAIN, would query
	# NAME.that.domain too.
	printf 'nameserver %s\noptions attempts:1 timeout:2\nsearch .\n' "$ns" >"$conf"
	# shellcheck disable=SC2016 # expanded by the inner shell
	RESOLVER_CMD=(unshare --mount --propagation private /bin/sh -c '
		mount --bind "$1" /etc/resolv.conf || exit 125
		# a name service cache would answer from the host'"'"'s view
		if [ -d /run/nscd ]; then mount -t tmpfs none /run/nscd || exit 125; fi
		unset LOCALDOMAIN RES_OPTIONS HOSTALIASES
		shift
		exec "$@"' in_resolver "$conf")
}

# in_resolver NS_ADDR CMD...: run CMD with NS_ADDR as its only DNS server
# (see _resolver_prefix); the rest of the machine keeps its own.
in_resolver()
{
	_resolver_prefix "$1"
	shift
	"${RESOLVER_CMD[@]}" "$@"
}

# resolver_check NS_ADDR NAME IP: inside in_resolver NS_ADDR, the C
# library (getent, as node's dns.lookup does) resolves NAME to IP. Before
# ds_start: getent is a process of its own.
resolver_check()
{
	local got

	got=$(in_resolver "$1" getent ahosts "$2" | awk 'NR == 1 { print $1 }') || got=
	[ "$got" = "$3" ] || fail "inside in_resolver $1, $2 resolves to '$got', not $3"
}

# ---------------------------------------------------------------- servers

# _sink_start KIND ADDR: start a recording server (tcp, http or udp) on ADDR
# and an ephemeral port; set SINK_PORT. Each connection, request or datagram
# is logged as one line "PEER-ADDR PEER-PORT [METHOD PATH | N bytes]" in
# $T/sink-ADDR-PORT.log.
# Not to be called in $(...): the server's pid must reach BG_PIDS.
_sink_start()
{
	local kind=$1 addr=$2 pfile=$T/sink-$1-$2.port pid

	rm -f "$pfile"
	"$PY" - "$kind" "$addr" "$pfile" "$T" <<'EOF' >"$T/sink-$kind-$addr.out" 2>&1 &
import http.server, os, socket, socketserver, sys
kind, addr, pfile, tdir = sys.argv[1:5]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
log = None

def record(peer, extra=""):
    log.write(f"{peer[0]} {peer[1]}{extra}\n")
    log.flush()

class Http(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        record(self.client_address, f" GET {self.path}")
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")
    def log_message(self, *a):
        pass

class Tcp(socketserver.BaseRequestHandler):
    def handle(self):
        record(self.client_address)

class Udp(socketserver.BaseRequestHandler):
    def handle(self):
        record(self.client_address, f" {len(self.request[0])} bytes")

class Server(socketserver.ThreadingTCPServer):
    address_family = fam
    allow_reuse_address = True
    daemon_threads = True

class UdpServer(socketserver.UDPServer):
    address_family = fam

if kind == "udp":
    srv = UdpServer((addr, 0), Udp)
else:
    srv = Server((addr, 0), Http if kind == "http" else Tcp)
port = srv.server_address[1]
log = open(f"{tdir}/sink-{addr}-{port}.log", "a")
with open(pfile + ".tmp", "w") as f:
    f.write(f"{port}\n")
os.rename(pfile + ".tmp", pfile)
srv.serve_forever()
EOF
	pid=$!
	BG_PIDS+=("$pid")
	disown "$pid"
	_net_wait "the $kind server on $addr" "$pid" test -s "$pfile"
	# shellcheck disable=SC2034 # read by the scenarios
	SINK_PORT=$(cat "$pfile")
}

# http_sink_start ADDR: an HTTP server on ADDR and a free port (SINK_PORT),
# answering every GET with 200 and logging it to $(sink_log ADDR PORT).
http_sink_start()
{
	_sink_start http "$1"
}

# tcp_sink_start ADDR: a TCP server on ADDR and a free port (SINK_PORT)
# that accepts, logs the peer to $(sink_log ADDR PORT) and closes.
tcp_sink_start()
{
	_sink_start tcp "$1"
}

# udp_sink_start ADDR: a UDP server on ADDR and a free port (SINK_PORT)
# that logs each datagram's sender and size to $(sink_log ADDR PORT).
udp_sink_start()
{
	_sink_start udp "$1"
}

# sink_log ADDR PORT: the log file of the sink on ADDR:PORT.
sink_log()
{
	printf '%s\n' "$T/sink-$1-$2.log"
}

# ---------------------------------------------------------------- npm

# npm_registry_project DIR PKG...: a fresh project allowing the install
# scripts of the registry packages PKG (name or name@version). For a
# registry dependency npm 11 matches allowScripts keys against the name
# (and version) in the tarball URL the registry resolved, so the key is the
# bare package name: any version of it.
npm_registry_project()
{
	local dir=$1

	shift
	mkdir -p "$dir"
	"$PY" - "$dir/package.json" "$@" <<'EOF'
import json, sys
def name(spec):
    at = spec.find("@", 1)          # "@scope/name@1.0.0" keeps its scope
    return spec if at < 0 else spec[:at]
allow = {name(p): True for p in sys.argv[2:]}
pkg = {"name": "ds-e2e-project", "version": "1.0.0", "private": True, "allowScripts": allow}
json.dump(pkg, open(sys.argv[1], "w"), indent=2)
EOF
}

# npm_install_registry_start [--ns NS_ADDR] DIR REGISTRY PKG...: start
# `npm install --registry REGISTRY PKG...` in a new project DIR, in its own
# process group, in the background (inside in_resolver NS_ADDR with --ns);
# sets NPM_PID, npm's own pid (setsid, unshare and sh all exec). The
# metadata is always asked of the registry (--prefer-online), even when
# the scenario's npm cache holds it already.
npm_install_registry_start()
{
	local dir reg prefix=()

	if [ "$1" = --ns ]; then
		_resolver_prefix "$2"
		prefix=("${RESOLVER_CMD[@]}")
		shift 2
	fi
	dir=$1
	reg=$2
	shift 2
	npm_registry_project "$dir" "$@"
	(cd "$dir" && exec setsid "${prefix[@]}" "$NPM" install --registry "$reg" \
		--prefer-online --no-audit --no-fund "${NPM_STRICT[@]}" "$@") \
		>"$dir.npm.log" 2>&1 &
	NPM_PID=$!
	BG_PGIDS+=("$NPM_PID")
}

# npm_install_registry [--ns NS_ADDR] DIR REGISTRY PKG...: the same in the
# foreground to completion; fails if npm fails. NPM_PID is npm's pid.
npm_install_registry()
{
	local rc=0 ns='' args=("$@")

	if [ "$1" = --ns ]; then
		ns=", DNS at $2"
		args=("${@:3}")
	fi
	step "npm install --registry ${args[1]} ${args[*]:2} (in ${args[0]}$ns)"
	npm_install_registry_start "$@"
	wait "$NPM_PID" || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "${args[0]}.npm.log" >&2
		fail "npm install in ${args[0]} exited with status $rc"
	fi
}

# registry_by_name NS FIXTURE...: verdaccio on 127.0.0.1:4873 serving the
# fixtures (tests/fixtures/npm/FIXTURE), and dnsmasq on NS answering
# registry.npmjs.org with 127.0.0.1, checked through the C library: npm run
# with `npm_install_registry --ns NS DIR http://registry.npmjs.org:4873/`
# fetches from the private registry by the public registry's name.
registry_by_name()
{
	local ns=$1 f

	shift
	verdaccio_install
	verdaccio_start 127.0.0.1 4873
	for f in "$@"; do
		verdaccio_publish "$FIXTURES/npm/$f"
	done
	dnsmasq_start "$ns" registry.npmjs.org=127.0.0.1
	resolver_check "$ns" registry.npmjs.org 127.0.0.1
}
