#!/bin/bash
# t17: the Prometheus endpoint (metrics listen), its reload, socket groups,
# the read-only control socket, a read-only compat socket, and log levels.
#
#   h1 198.18.0.1 wrend  cali1: 10.244.1.5/32  metrics on 127.0.0.1:9179
#   h2 198.18.0.2 wrend  cali1: 10.244.2.5/32  log level warning, no -v
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts h1:198.18.0.1:cali1 h2:198.18.0.2:cali1

RO=$TOPO_DIR/h1.ro.sock
COMPAT=$TOPO_DIR/h1.compat.sock
H1=$(topo_conf h1.conf)
# h1's config with a given metrics line (or none)
h1_conf() {
	wren_conf "$H1" 198.18.0.1 64512 198.18.0.2:64512
	cat >>"$H1" <<EOF
control-socket "$TOPO_DIR/unused.sock" group "daemon"
control-socket-readonly "$RO" group "nogroup"
compat-socket "$COMPAT" group 65534 read-only
log level info
$1
EOF
}
h1_conf "metrics listen 127.0.0.1 port 9179"
wren_conf "$(topo_conf h2.conf)" 198.18.0.2 64512 198.18.0.1:64512
echo "log level warning" >>"$(topo_conf h2.conf)"

wrend_start h1 "$H1"
# h2 without -v, so that its log level counts
wrend_spawn h2 "$(topo_conf h2.conf)"
wait_for 60 "h1: session to h2 Established" wrend_established h1 198.18.0.2
topo_workload h1 cali1 10.244.1.5/32
topo_workload h2 cali1 10.244.2.5/32
wait_for 30 "h2's workload in h1's kernel" kernel_has_route h1 10.244.2.5/32 bgp 198.18.0.2
wait_for 30 "h1's workload in h2's kernel" kernel_has_route h2 10.244.1.5/32 bgp 198.18.0.1

# ---- the metrics --------------------------------------------------------------
scrape() { topo_exec h1 curl -sf --max-time 10 "http://127.0.0.1:${1:-9179}/metrics"; }
# metric_is PORT 'NAME{LABELS}' OP VALUE: a sample, compared (python syntax)
# shellcheck disable=SC2317
metric_is() {
	local out
	out=$(scrape "$1") || return 1
	python3 -c '
import sys
series, op, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
for l in sys.stdin.read().splitlines():
    if l.startswith(series + " "):
        v = int(l.split()[-1])
        sys.exit(0 if eval("v %s want" % op) else 1)
sys.exit(1)' "$2" "$3" "$4" <<<"$out"
}
# shellcheck disable=SC2317
exposition_valid() {
	scrape 9179 | python3 -c '
import re, sys
text = sys.stdin.read()
assert text.endswith("\n")
typed, helped, seen = {}, set(), []
sample = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\})? [0-9]+$")
for l in text.splitlines():
    if l.startswith("# HELP "):
        helped.add(l.split()[2])
    elif l.startswith("# TYPE "):
        _, _, name, t = l.split()
        assert name not in typed, "family twice: " + name
        assert t in ("counter", "gauge"), l
        typed[name] = t
        seen.append(name)
    else:
        m = sample.match(l)
        assert m, "bad sample line: %r" % l
        # samples follow their own family: no interleaving
        assert m.group(1) == seen[-1], l
assert set(typed) == helped
for n, t in typed.items():
    assert (t == "counter") == n.endswith("_total"), n'
}
check "metrics: valid exposition (HELP, TYPE, grouped families, counters *_total)" exposition_valid
check "metrics: Content-Type text/plain; version=0.0.4" \
	eval 'topo_exec h1 curl -sf -o /dev/null -w "%{content_type}" http://127.0.0.1:9179/metrics | grep -q "^text/plain; version=0.0.4"'
check "metrics: build info present, value 1" \
	eval 'scrape 9179 | grep -E "^wren_build_info\{version=\"[^\"]+\",libevent=\"[^\"]+\"\} 1$" >/dev/null'
check "metrics: 1 session Established, 0 Idle" \
	eval 'metric_is 9179 "wren_bgp_sessions{state=\"Established\"}" == 1 && metric_is 9179 "wren_bgp_sessions{state=\"Idle\"}" == 0'
check "metrics: neighbor up" metric_is 9179 'wren_bgp_neighbor_up{neighbor="198.18.0.2"}' == 1
check "metrics: 1 IPv4 prefix received, accepted and advertised; 0 IPv6" \
	eval 'for k in received accepted advertised; do metric_is 9179 "wren_bgp_prefixes_$k{neighbor=\"198.18.0.2\",family=\"ipv4_unicast\"}" == 1 || exit 1; metric_is 9179 "wren_bgp_prefixes_$k{neighbor=\"198.18.0.2\",family=\"ipv6_unicast\"}" == 0 || exit 1; done'
check "metrics: 1 OPEN received, KEEPALIVEs and UPDATEs both ways" \
	eval 'metric_is 9179 "wren_bgp_messages_received_total{neighbor=\"198.18.0.2\",type=\"OPEN\"}" == 1 &&
		metric_is 9179 "wren_bgp_messages_sent_total{neighbor=\"198.18.0.2\",type=\"UPDATE\"}" ">=" 1 &&
		metric_is 9179 "wren_bgp_updates_received_total{neighbor=\"198.18.0.2\"}" ">=" 1 &&
		metric_is 9179 "wren_bgp_messages_received_total{neighbor=\"198.18.0.2\",type=\"KEEPALIVE\"}" ">=" 1'
check "metrics: RFC 7606 actions all 0" \
	eval 'for a in treat-as-withdraw attribute-discard session-reset; do metric_is 9179 "wren_bgp_rfc7606_actions_total{neighbor=\"198.18.0.2\",action=\"$a\"}" == 0 || exit 1; done'
check "metrics: kernel: 1 learned, 1 installed, >= 1 install, 0 errors" \
	eval 'metric_is 9179 wren_kernel_routes_learned == 1 && metric_is 9179 wren_kernel_routes_installed == 1 &&
		metric_is 9179 wren_kernel_installs_total ">=" 1 && metric_is 9179 wren_kernel_errors_total == 0 &&
		metric_is 9179 wren_kernel_netlink_overruns_total == 0'
check "metrics: no reloads yet, uptime counts" \
	eval 'metric_is 9179 "wren_reloads_total{result=\"ok\"}" == 0 && metric_is 9179 wren_uptime_seconds ">=" 0'
check "show status: metrics 127.0.0.1:9179, log level debug (-v), no reloads" json_test \
	"d['metrics'] == '127.0.0.1:9179' and d['log_level'] == 'debug' and d['reloads'] == {'ok': 0, 'failed': 0}" \
	wrenctl h1 -j show status
check "show status on h2: log level warning, metrics off" json_test \
	"d['log_level'] == 'warning' and d['metrics'] is None" wrenctl h2 -j show status
check "metrics: other paths 404, POST refused, daemon fine" \
	eval '[ "$(topo_exec h1 curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:9179/)" = 404 ] &&
		[ "$(topo_exec h1 curl -s -o /dev/null -w "%{http_code}" -X POST -d x http://127.0.0.1:9179/metrics)" = 405 ]'
# shellcheck disable=SC2317
http_garbage() {
	topo_exec h1 python3 - <<'PY'
import os, socket
for data in (os.urandom(3000), b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n", b"\r\n" * 100):
    s = socket.create_connection(("127.0.0.1", 9179), timeout=15)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()
PY
}
check "metrics: garbage and huge headers on the HTTP port" http_garbage
check "metrics: still served after the garbage" scrape 9179

# ---- reload: move, fail, turn off ---------------------------------------------
h1_conf "metrics listen 127.0.0.1 port 9180"
check "reload: metrics move to port 9180" wrenctl h1 reload
check "metrics on 9180, not on 9179; reloads ok 1" \
	eval 'metric_is 9180 "wren_reloads_total{result=\"ok\"}" == 1 && ! scrape 9179 >/dev/null'
h1_conf "metrics listen 198.18.0.1 port 179"
# shellcheck disable=SC2317
reload_fails() {
	local rc=0 err
	err=$(wrenctl h1 reload 2>&1) || rc=$?
	[ "$rc" = 1 ] && grep -q "metrics listen 198.18.0.1 port 179" <<<"$err"
}
check "reload with metrics on the BGP port: refused (exit 1), says why" reload_fails
check "metrics still on 9180; reloads failed 1" metric_is 9180 'wren_reloads_total{result="failed"}' == 1
h1_conf ""
check "reload without metrics" wrenctl h1 reload
check "metrics endpoint gone" not scrape 9180
check "show status: metrics off, reloads 2 ok and 1 failed" json_test \
	"d['metrics'] is None and d['reloads'] == {'ok': 2, 'failed': 1}" wrenctl h1 -j show status

# ---- sockets: groups and read-only ---------------------------------------------
check "control socket (-s) chown'ed to group daemon, mode 0660" \
	eval '[ "$(stat -c %G:%a "$(wrend_sock h1)")" = daemon:660 ]'
check "read-only control socket: group nogroup, mode 0660" eval '[ "$(stat -c %G:%a "$RO")" = nogroup:660 ]'
check "compat socket: group 65534" eval '[ "$(stat -c %g "$COMPAT")" = 65534 ]'
roctl() { topo_exec h1 "$WREN_BUILDDIR/bgpd/wrenctl" -s "$RO" "$@"; }
check "read-only socket: show neighbors works" json_test "d['neighbors'][0]['state'] == 'Established'" roctl -j show neighbors
check "read-only socket: show rib in works" roctl show rib in neighbor 198.18.0.2
# shellcheck disable=SC2317
ro_refused() {
	local rc=0 err
	err=$(roctl "$@" 2>&1) || rc=$?
	[ "$rc" = 1 ] && grep -q "not permitted on a read-only control socket" <<<"$err"
}
check "read-only socket: reload refused with exit 1" ro_refused reload
check "read-only socket: neighbor down refused" ro_refused neighbor 198.18.0.2 down
check "read-only socket: neighbor refresh refused" ro_refused neighbor 198.18.0.2 refresh
check "after the refusals: still Established" wrend_established h1 198.18.0.2
check "read-only compat socket: birdc configure gets Access denied" \
	eval '{ birdc -s "$COMPAT" configure || true; } | grep "Access denied" >/dev/null'
check "read-only compat socket: show status still works" \
	eval 'birdc -s "$COMPAT" show status | grep "Daemon is up and running" >/dev/null'

# ---- log levels -------------------------------------------------------------------
check "h2 (log level warning): reload" wrenctl h2 reload
check "h2's log: state changes logged, info messages not" \
	eval 'grep -q "neighbor 198.18.0.1.*-> Established" "$TOPO_DIR/h2.wrend.log" &&
		! grep -q "applied" "$TOPO_DIR/h2.wrend.log"'
check "h1's log (-v, debug): has the reloads" grep -q "reload: .* applied" "$TOPO_DIR/h1.wrend.log"
check "wrend on h1 and h2 still running" topo_alive

topo_done
