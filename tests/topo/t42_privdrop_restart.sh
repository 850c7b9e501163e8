#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t42: wrend -u nobody (privileges dropped once its sockets are open), and
# kill -9 + restart of that wrend in a loop with graceful restart.
#
#   h1 198.18.0.1 wrend -u nobody  cali1: 10.244.1.5/32
#   h2 198.18.0.2 BIRD             cali1: 10.244.2.5/32, graceful restart on
#
#   1. h1 runs as nobody: /proc/PID/status shows uid and gid 65534 (real,
#      effective, saved), CapEff and CapPrm exactly CAP_NET_ADMIN and
#      CAP_NET_BIND_SERVICE (0x1400), NoNewPrivs 1; still, the session comes
#      up and BIRD's route is installed in h1's kernel (netlink writes need
#      CAP_NET_ADMIN).
#   2. reload as nobody: a new "listen on 198.18.0.1 port 180" (a port
#      below 1024: CAP_NET_BIND_SERVICE) and a new neighbor take effect.
#   3. five times: kill -9, restart (as nobody again, now from the config's
#      user "nobody" instead of -u).  Graceful restart:
#      h1's kernel keeps BIRD's route and BIRD keeps h1's the whole time
#      (`ip monitor route` in both shows no deletion), and afterwards all
#      agree.
#   4. a control socket in a folder anyone may write to (no sticky bit) is
#      refused: wrend does not start; SIGTERM ends the last one with 0.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
id nobody >/dev/null 2>&1 || topo_skip "no user nobody"
topo_hosts h1:198.18.0.1:cali1:10.244.1.5/32 h2:198.18.0.2:cali1:10.244.2.5/32 \
	h3:198.18.0.3

conf=$(topo_conf h1.conf)
wren_conf "$conf" 198.18.0.1 64512 198.18.0.2:64512
sed -i 's/^local-as 64512$/&\nlisten on 198.18.0.1 port 179/' "$conf"
chmod 644 "$conf"
bird_conf_calico "$(topo_conf h2.conf)" 198.18.0.2 64512 -s 2/2 \
	-k "persist; graceful restart;" \
	-b "graceful restart on; graceful restart time 120;" h1:198.18.0.1

h1_start() {	# h1_start [-u USER]
	wrend_spawn h1 "$conf" -v "$@"
	h1pid=$TOPO_LAST_PID
}
status_is() {	# status_is FIELD VALUE: a line of /proc/h1pid/status
	[ "$(awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' \
		"/proc/$h1pid/status" | tr -s ' \t' ' ')" = "$2" ]
}
both_have_routes() {
	kernel_has_route h1 10.244.2.5/32 bgp && kernel_has_route h2 10.244.1.5/32 bird
}

# ip monitor route in both namespaces, for the whole test
for h in h1 h2; do
	topo_spawn "$h" monitor "$TOPO_DIR/$h.monitor" ip monitor route
done

h1_start -u nobody
bird_start h2 "$(topo_conf h2.conf)"

# ---- 1. as nobody ---------------------------------------------------------
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
check "h1 runs with uid $nobody_uid (real, effective, saved, fs)" \
	status_is Uid "$nobody_uid $nobody_uid $nobody_uid $nobody_uid"
check "h1 runs with gid $nobody_gid" \
	status_is Gid "$nobody_gid $nobody_gid $nobody_gid $nobody_gid"
check "h1's only group is its own" status_is Groups "$nobody_gid"
check "h1's effective capabilities: CAP_NET_ADMIN, CAP_NET_BIND_SERVICE" \
	status_is CapEff 0000000000001400
check "h1's permitted capabilities: the same" status_is CapPrm 0000000000001400
check "h1 has no_new_privs" status_is NoNewPrivs 1
check "h1 logged the drop" grep -q "running as nobody" "$TOPO_DIR/h1.wrend.log"
wait_for 30 "h1: BIRD Established" wrend_established h1 198.18.0.2
wait_for 30 "h1's kernel has BIRD's route, BIRD h1's" both_have_routes

# ---- 2. reload as nobody ----------------------------------------------------
sed -i 's/^listen on 198.18.0.1 port 179$/&\nlisten on 198.18.0.1 port 180/' "$conf"
printf '\nneighbor 198.18.0.3 {\n    remote-as 64513\n    passive\n}\n' >>"$conf"
check "reload as nobody succeeds" wrenctl h1 reload
wait_for 10 "h1 listens on port 180 (below 1024)" \
	eval 'ip netns exec "$(topo_ns h1)" ss -Hltn "sport = :180" | grep -q LISTEN'
check "h1 shows the new neighbor" \
	json_test "any(n['address'] == '198.18.0.3' for n in d['neighbors'])" \
	wrenctl h1 -j show neighbors
check "h1: BIRD's session survived the reload" wrend_established h1 198.18.0.2

# ---- 3. kill -9 and restart, five times -----------------------------------
# from here on the config says who to become (user "nobody"), not -u
sed -i 's/^local-as 64512$/&\nuser "nobody"/' "$conf"
for i in 1 2 3 4 5; do
	topo_stop h1 wrend KILL || true
	check "round $i: h1's kernel keeps BIRD's route while wrend is dead" \
		kernel_has_route h1 10.244.2.5/32 bgp
	h1_start
	check "round $i: running as nobody again (config: user \"nobody\")" \
		status_is Uid "$nobody_uid $nobody_uid $nobody_uid $nobody_uid"
	wait_for 60 "round $i: h1: BIRD Established again" wrend_established h1 198.18.0.2
	wait_for 30 "round $i: both kernels have the other's route" both_have_routes
done
wait_for 30 "h1's graceful restart is over" \
	json_test "not d['graceful_restart']['in_progress']" wrenctl h1 -j show status
sleep 1
check "h1's kernel never deleted BIRD's route" \
	not grep -q "^Deleted 10.244.2.5 " "$TOPO_DIR/h1.monitor"
check "h2's kernel never deleted h1's route" \
	not grep -q "^Deleted 10.244.1.5 " "$TOPO_DIR/h2.monitor"
check "h1's kernel has BIRD's route once" \
	test "$(ip -n "$(topo_ns h1)" route show 10.244.2.5/32 | wc -l)" = 1

# ---- 4. an unsafe socket folder; a clean stop ---------------------------------
unsafe="$TOPO_DIR/unsafe"
mkdir -m 0777 "$unsafe"
chmod 0777 "$unsafe"
rc=0
wren_conf "$(topo_conf h3.conf)" 198.18.0.3 64513
ip netns exec "$(topo_ns h3)" "$WREN_BUILDDIR/bgpd/wrend" -f "$(topo_conf h3.conf)" \
	-s "$unsafe/wrend.sock" >"$TOPO_DIR/h3.unsafe.log" 2>&1 || rc=$?
grep -v kernel: "$TOPO_DIR/h3.unsafe.log" || true
check "wrend refuses a control socket in a world-writable folder (exit $rc)" \
	test "$rc" = 1
check "and says why" grep -q "writable by others" "$TOPO_DIR/h3.unsafe.log"
rc=0
topo_stop h1 wrend TERM || rc=$?
check "SIGTERM: wrend (as nobody) exits with 0 ($rc)" test "$rc" = 0
topo_done
