#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t41: faults, all at once, twice, against a wrend with a tiny netlink
# receive buffer (so the kernel side keeps overrunning and re-dumping).
#
#   h1 198.18.0.1 wrend  AS 64512, receive-buffer 4096; cali1 10.244.1.5/32
#   x1 198.18.0.2 raw    AS 64600  a neighbor that flaps (python3)
#   h2 198.18.0.3 BIRD   AS 64512  cali1 10.244.3.5/32; the stable peer
#   x3 198.18.0.4        no neighbor of h1: floods it with connections
#
# A round: x1 flaps N times (connect, OPEN, 20 routes, close or Cease) while
# h1 gets SIGHUPs (reloads of an unchanged config) and a burst of 2000
# workload routes on cali2 comes and goes (netlink overruns); x3 opens
# connections to port 179 as fast as it can; clients flood the control
# socket (lines far over the limit, many commands at once); cali1 and eth0
# go down and up (the kernel flushes routes through eth0: wrend must
# reinstall them).  Then x1 comes back for good with 10 routes.  After the
# round h1's RIB, h1's kernel and BIRD agree on exactly the routes that
# should be there, BIRD's session never dropped, and wrend still runs.
# Round 1 is small (warm-up), round 2 large (100 flaps, 40 SIGHUPs, 400
# refused connections, 100 control clients): after it h1 has as many
# descriptors as after round 1, and its RSS grew by less than 4 MB.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts h1:198.18.0.1:cali1:10.244.1.5/32 x1:198.18.0.2 \
	h2:198.18.0.3:cali1:10.244.3.5/32 x3:198.18.0.4
topo_cali h1 cali2

conf=$(topo_conf h1.conf)
wren_conf "$conf" 198.18.0.1 64512 198.18.0.2:64600:passive 198.18.0.3:64512
sed -i 's/^    install protocol 186 metric 32$/&\n    receive-buffer 4096/' "$conf"
grep -q "receive-buffer 4096" "$conf" || topo_hard_error "no receive-buffer in $conf"

bird_conf_calico "$(topo_conf h2.conf)" 198.18.0.3 64512 -s 2/2 -H - h1:198.18.0.1

cat >"$(topo_conf flap.py)" <<'EOF'
# flap.py N DONEFILE: N short sessions, then one that stays with 10 routes.
import select, socket, struct, sys, time

def msg(t, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), t) + body

CAPS = bytes([2, 14, 1, 4, 0, 1, 0, 1, 2, 0, 65, 4]) + struct.pack("!I", 64600)
OPEN = msg(1, struct.pack("!BHH4sB", 4, 64600, 30, socket.inet_aton("198.18.0.2"), len(CAPS)) + CAPS)
ATTRS = (bytes([0x40, 1, 1, 0, 0x40, 2, 6, 2, 1]) + struct.pack("!I", 64600) +
         bytes([0x40, 3, 4]) + socket.inet_aton("198.18.0.2"))

def update(prefixes):
    nlri = b"".join(bytes([32]) + socket.inet_aton(p) for p in prefixes)
    return msg(2, struct.pack("!H", 0) + struct.pack("!H", len(ATTRS)) + ATTRS + nlri)

def session():
    for _ in range(200):
        try:
            s = socket.create_connection(("198.18.0.1", 179), timeout=5,
                                         source_address=("198.18.0.2", 0))
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise SystemExit("cannot connect")
    s.sendall(OPEN)
    buf, t0 = b"", time.time()
    while time.time() - t0 < 10:
        r, _, _ = select.select([s], [], [], 1)
        if not r:
            continue
        d = s.recv(65536)
        if not d:
            return None
        buf += d
        while len(buf) >= 19 and len(buf) >= struct.unpack("!H", buf[16:18])[0]:
            ln = struct.unpack("!H", buf[16:18])[0]
            t, buf = buf[18], buf[ln:]
            if t == 1:
                s.sendall(msg(4, b""))
            elif t == 4:
                return s
            elif t == 3:
                s.close()
                return None
    s.close()
    return None

n = int(sys.argv[1])
i = 0
while i < n:
    s = session()
    if s is None:
        time.sleep(0.2)
        continue
    s.sendall(update(["10.244.70.%d" % (k + 20 * (i % 3)) for k in range(20)]))
    time.sleep(0.02)
    if i % 2:
        s.sendall(msg(3, bytes([6, 4])))	# Cease/Administrative Reset
    s.close()
    i += 1
s = session()
while s is None:
    time.sleep(0.2)
    s = session()
s.sendall(update(["10.244.71.%d" % k for k in range(10)]))
open(sys.argv[2], "w").write("done\n")
while True:	# stays, answering nothing but sending keepalives
    time.sleep(5)
    try:
        s.sendall(msg(4, b""))
    except OSError:
        break
EOF

cat >"$(topo_conf refused.py)" <<'EOF'
# refused.py N: N connections to h1 port 179 from a non-neighbor.
import socket, sys
n = ok = 0
for _ in range(int(sys.argv[1])):
    try:
        s = socket.create_connection(("198.18.0.1", 179), timeout=2)
        s.recv(1)	# reset or EOF: refused at once
        s.close()
        ok += 1
    except OSError:
        ok += 1
    n += 1
print("%d connections, %d refused" % (n, ok))
EOF

cat >"$(topo_conf ctlflood.py)" <<'EOF'
# ctlflood.py SOCKET N: N clients at once, each a line far over the limit
# or a half-sent one, held open; then all closed.
import socket, sys, time
cs = []
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.setblocking(False)
    try:
        s.send(b"text show " + b"x" * (100000 if i % 2 else 500))
    except BlockingIOError:
        pass
    cs.append(s)
time.sleep(1)
for s in cs:
    s.close()
print("%d control clients" % len(cs))
EOF

sock=$(wrend_sock h1)
h1ns=$(topo_ns h1)
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
nfds() { ls "/proc/$1/fd" | wc -l; }

# h1's routes from SOURCE (bgp, kernel) with NEIGHBOR (or any), sorted
rib_routes() {
	wrenctl h1 -j show routes | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(r["prefix"] for r in d["routes"] if r["source"] == sys.argv[1]
    and (sys.argv[2] == "" or r.get("neighbor") == sys.argv[2]))))' "$1" "${2:-}"
}
X1_FINAL=$(for k in 0 1 2 3 4 5 6 7 8 9; do echo "10.244.71.$k/32"; done | sort | tr '\n' ' ')
X1_FINAL=${X1_FINAL% }
x1_final_in_rib() { [ "$(rib_routes bgp 198.18.0.2)" = "$X1_FINAL" ]; }
kernel_exact() {
	kernel_bgp_routes_are h1 10.244.3.5 $(for k in 0 1 2 3 4 5 6 7 8 9; do echo 10.244.71.$k; done)
}
bird_exact() {
	local have want
	have=$(birdc_q h2 show route | grep -Eo '^10\.244\.[0-9.]+/32' | sort | tr '\n' ' ')
	# shellcheck disable=SC2086
	want=$(printf '%s\n' 10.244.1.5/32 $X1_FINAL 10.244.3.5/32 | sort | tr '\n' ' ')
	[ "$have" = "$want" ]
}
learned_is() {
	json_test "d['kernel']['learned'] == $1" wrenctl h1 -j show status
}

churn() {	# 2000 workload routes on cali2, added then removed
	local op=$1 i
	for i in $(seq 0 1999); do
		echo "route $op 10.244.$((100 + i / 250)).$((i % 250))/32 dev cali2"
	done | ip -n "$h1ns" -batch -
}

round() {
	local flaps=$1 hups=$2 refused=$3 clients=$4 i fpid
	topo_log "round: $flaps flaps, $hups SIGHUPs, $refused refused, $clients control clients"
	rm -f "$TOPO_DIR/x1.done"
	topo_spawn x1 flapper "$TOPO_DIR/x1.flap.log" python3 "$(topo_conf flap.py)" \
		"$flaps" "$TOPO_DIR/x1.done"
	fpid=$TOPO_LAST_PID
	churn add
	for i in $(seq "$hups"); do
		kill -HUP "$h1pid"
		sleep 0.1
	done
	ip netns exec "$(topo_ns x3)" python3 "$(topo_conf refused.py)" "$refused"
	python3 "$(topo_conf ctlflood.py)" "$sock" "$clients"
	cpids=()
	for i in $(seq "$((clients / 4))"); do
		"$WREN_BUILDDIR/bgpd/wrenctl" -s "$sock" -j show routes >/dev/null 2>&1 &
		cpids+=("$!")
	done
	nok=0
	for i in "${cpids[@]}"; do wait "$i" && nok=$((nok + 1)); done
	check "$nok of ${#cpids[@]} concurrent wrenctl clients answered" test "$nok" -gt 0
	churn del
	for i in 1 2 3; do
		ip -n "$h1ns" link set cali1 down
		sleep 0.3
		ip -n "$h1ns" link set cali1 up
		ip -n "$h1ns" route replace 10.244.1.5/32 dev cali1
	done
	wait_for 60 "x1 flapped $flaps times and came back for good" test -s "$TOPO_DIR/x1.done"
	wait_for 30 "h1: x1 Established" wrend_established h1 198.18.0.2
	# eth0 down: the kernel flushes every route through it, ours too
	ip -n "$h1ns" link set eth0 down
	sleep 1
	ip -n "$h1ns" link set eth0 up
	wait_for 60 "h1's RIB has exactly x1's last 10 routes" x1_final_in_rib
	wait_for 60 "h1's kernel has exactly x1's and BIRD's routes again" kernel_exact
	wait_for 60 "BIRD has exactly h1's, x1's last and its own routes" bird_exact
	wait_for 30 "h1 learned exactly 10.244.1.5/32 (the churn is gone)" learned_is 1
	check "h1's RIB has no route of the flaps" test -z "$(wrenctl h1 -j show routes | grep -o '10\.244\.70\.[0-9]*/32' || true)"
	check "h1: BIRD's session Established" wrend_established h1 198.18.0.3
	check "wrend on h1 still running" topo_alive
	check "h1 answers show status" wrenctl h1 show status
	topo_stop x1 flapper KILL || true
	wait_for 30 "h1 withdrew x1's routes when it went" \
		eval '[ -z "$(rib_routes bgp 198.18.0.2)" ]'
	wait_for 30 "BIRD withdrew them too" \
		not eval 'birdc_q h2 show route | grep -q "^10\.244\.71\."'
}

wrend_start h1 "$conf"
h1pid=$TOPO_LAST_PID
bird_start h2 "$(topo_conf h2.conf)"
wait_for 30 "h1: BIRD Established" wrend_established h1 198.18.0.3
bird_up_since=$(birdc_q h2 show protocols h1 | awk '/h1/ { print $4 " " $5 }')

round 5 5 40 10
rss1=$(rss "$h1pid"); fds1=$(nfds "$h1pid")
topo_log "after round 1: RSS $rss1 kB, $fds1 descriptors"
round 100 40 400 100
rss2=$(rss "$h1pid"); fds2=$(nfds "$h1pid")
topo_log "after round 2: RSS $rss2 kB, $fds2 descriptors"

check "h1: as many descriptors after round 2 as after round 1 ($fds1 -> $fds2)" \
	test "$fds2" -le "$fds1"
check "h1: RSS grew by less than 4 MB ($rss1 -> $rss2 kB)" \
	test "$rss2" -lt "$((rss1 + 4096))"
check "BIRD's session never dropped (up since $bird_up_since)" \
	test "$(birdc_q h2 show protocols h1 | awk '/h1/ { print $4 " " $5 }')" = "$bird_up_since"
check "h1 counted netlink overruns" json_test "d['kernel']['overruns'] > 0" \
	wrenctl h1 -j show status
nref=$(grep -c "refused connection from 198.18.0.4" "$TOPO_DIR/h1.wrend.log" || true)
topo_log "h1 logged $nref refused-connection lines for 440 connections"
check "refused connections: the log is rate limited ($nref lines)" test "$nref" -lt 100
check "refused connections: the suppressed ones are counted" \
	grep -q "more refused, not logged" "$TOPO_DIR/h1.wrend.log"
topo_done
