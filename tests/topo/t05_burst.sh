#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t05: kernel sync under bursts: the peer's kernel ends up exactly right.
#
#   ha 198.18.0.1 wrend  cali1: bursts of 20,000 /32s in 10.244.128.0/17
#   hb 198.18.0.2 wrend  installs them (proto 186)
#
# A container agent adds 20,000 workload routes at once (`ip -batch`), then
# deletes them all.  After each burst, `ip route show proto 186` on hb must
# be exactly the expected set of prefixes: none missing, none stale, none
# twice.  Rounds:
#   1. plain;
#   2. with two other netlink listeners on ha competing for the same events
#      (`ip monitor route`, which reads, and a socket bound to
#      RTMGRP_IPV4_ROUTE that never reads);
#   3. with ha's event socket shrunk to 16 KiB (`kernel { receive-buffer
#      16384 }`) so that events are lost (ENOBUFS): wrend must count the
#      overruns and re-dump, and hb must still end up exact.
# Each setting also gets a mixed churn round: add 5,000, delete half of
# them, add 2,000 more, back to back.
#
# Nothing here asserts on speed: every wait has a generous bound, and the
# time each step took is only printed.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

BURST=${WREN_T05_BURST:-20000}	# routes per burst
CHURN_ADD1=5000 CHURN_ADD2=2000
WAIT=180			# s: bound for one burst to settle

topo_init wrend
topo_hosts ha:198.18.0.1:cali1 hb:198.18.0.2:cali1

# ---- helpers ----------------------------------------------------------------

# The state dump of lib.sh lists every route: with 20,000 of them that is
# too much for a CI log.  Counts, sessions, status and the logs' tails.
topo_dump() {
	topo_dump_counts
	topo_dump_logs 100
}

# prefixes FILE FIRST COUNT: COUNT /32s of 10.244.128.0/17 from index FIRST,
# one per line, sorted as `sort` does.
prefixes() { topo_prefixes "$1" 10.244.128.0 32768 "$2" "$3"; }

# kernel_set HOST: the destinations of `ip route show proto 186` (main
# table) as PREFIX/LEN, sorted, duplicates kept.
kernel_set() {
	ip -n "$(topo_ns "$1")" route show proto 186 |
		awk '{ d = $1; if (d == "blackhole" || d == "unreachable" || d == "prohibit") d = $2;
			if (d !~ /\//) d = d "/32"; print d }' | LC_ALL=C sort
}

# kernel_set_is HOST FILE: exactly the prefixes of FILE, each once.
kernel_set_is() {
	kernel_set "$1" | cmp -s - "$2"
}

# set_report HOST FILE: what differs, for a failure message.
set_report() {
	local have=$TOPO_DIR/have.$$
	kernel_set "$1" >"$have"
	echo "$1: kernel has $(wc -l <"$have") proto 186 routes, expected $(wc -l <"$2");" \
		"missing $(LC_ALL=C comm -13 "$have" "$2" | wc -l)" \
		"(first: $(LC_ALL=C comm -13 "$have" "$2" | head -n 3 | tr '\n' ' '))," \
		"stale $(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$have") "$2" | wc -l)" \
		"(first: $(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$have") "$2" | head -n 3 | tr '\n' ' '))," \
		"duplicated $(uniq -d "$have" | wc -l)" \
		"(first: $(uniq -d "$have" | head -n 3 | tr '\n' ' '))"
	rm -f "$have"
}

# wait_set DESC HOST FILE: wait until HOST's proto 186 set is exactly FILE;
# then check that it stays so (nothing late, nothing flapping away).
wait_set() {
	local desc=$1 host=$2 file=$3 t0
	t0=$(date +%s)
	while ! { kernel_set_is "$host" "$file" && topo_alive; }; do
		if ! topo_alive; then
			fail "$desc: $TOPO_DEAD"
			return 1
		fi
		if [ $(($(date +%s) - t0)) -ge "$WAIT" ]; then
			set_report "$host" "$file"
			fail "$desc (not true after $WAIT s)"
			return 1
		fi
		sleep 0.5
	done
	pass "$desc ($(($(date +%s) - t0)) s)"
	sleep 2
	if kernel_set_is "$host" "$file" && topo_alive; then
		pass "$desc: still exact 2 s later"
	else
		set_report "$host" "$file"
		fail "$desc: still exact 2 s later"
	fi
}

# learned_is HOST N: wrend on HOST has N kernel routes in its rib.
learned_is() {
	json_test "d['kernel']['learned'] == $2" wrenctl "$1" -j show status
}

status_field() {
	wrenctl "$1" -j show status 2>/dev/null | python3 -c 'import json, sys
print(json.load(sys.stdin)["kernel"].get(sys.argv[1], "?"))' "$2" 2>/dev/null || echo "?"
}

# keyword_ok STATEMENT: `wrend -n` accepts STATEMENT in the kernel block.
keyword_ok() {
	local f=$TOPO_DIR/kw.conf
	printf 'router-id 198.18.0.9\nlocal-as 64512\nkernel {\n    learn interface "cali*"\n    %s\n}\n' \
		"$1" >"$f"
	"$WREN_BUILDDIR/bgpd/wrend" -n -f "$f" >/dev/null 2>&1
}

# ---- set-up -----------------------------------------------------------------

EMPTY=$TOPO_DIR/empty
: >"$EMPTY"
ALL=$TOPO_DIR/all
prefixes "$ALL" 0 "$BURST"
topo_batch "$TOPO_DIR/add.batch" add "$ALL"
topo_batch "$TOPO_DIR/del.batch" del "$ALL"
# Churn: add C1 = [0, 5000), delete every other one of them, add C2 =
# [5000, 7000).  End state: the kept half of C1 and all of C2.
prefixes "$TOPO_DIR/c1" 0 "$CHURN_ADD1"
prefixes "$TOPO_DIR/c2" "$CHURN_ADD1" "$CHURN_ADD2"
awk 'NR % 2 == 0' "$TOPO_DIR/c1" >"$TOPO_DIR/c1.del"
LC_ALL=C comm -23 "$TOPO_DIR/c1" "$TOPO_DIR/c1.del" >"$TOPO_DIR/c1.keep"
LC_ALL=C sort "$TOPO_DIR/c1.keep" "$TOPO_DIR/c2" >"$TOPO_DIR/churn.end"
topo_batch "$TOPO_DIR/c1.add.batch" add "$TOPO_DIR/c1"
topo_batch "$TOPO_DIR/c1.del.batch" del "$TOPO_DIR/c1.del"
topo_batch "$TOPO_DIR/c2.add.batch" add "$TOPO_DIR/c2"
topo_batch "$TOPO_DIR/churn.clean.batch" del "$TOPO_DIR/churn.end"

conf_a=$(topo_conf ha.conf)
wren_conf "$conf_a" 198.18.0.1 64512 198.18.0.2:64512
wren_conf "$(topo_conf hb.conf)" 198.18.0.2 64512 198.18.0.1:64512
wrend_start ha "$conf_a"
wrend_start hb "$(topo_conf hb.conf)"
wait_for 60 "ha-hb session Established" wrend_established ha 198.18.0.2
wait_for 30 "hb sees the session Established" wrend_established hb 198.18.0.1

# A sanity route first, so that a broken set-up fails fast and clearly.
topo_workload ha cali1 10.244.1.5/32
wait_for 30 "hb has ha's 10.244.1.5/32 (proto 186 via 198.18.0.1)" \
	kernel_has_route hb 10.244.1.5/32 186 198.18.0.1
topo_workload_del ha cali1 10.244.1.5/32
wait_for 30 "hb: proto 186 routes are none" kernel_bgp_routes_are hb

# burst ROUND: add BURST routes on ha's cali1, check hb; delete, check hb.
burst() {
	local round=$1
	topo_log "round $round: adding $BURST routes on ha's cali1"
	topo_ip_batch ha "$TOPO_DIR/add.batch"
	wait_for "$WAIT" "$round: ha's wrend learned all $BURST routes" learned_is ha "$BURST"
	wait_set "$round: hb's proto 186 routes are exactly the $BURST added" hb "$ALL"
	check "$round: each via 198.18.0.1 metric 32" test \
		"$(ip -n "$(topo_ns hb)" route show proto 186 | grep -c ' via 198.18.0.1 dev eth0 .*metric 32')" = "$BURST"
	topo_log "round $round: deleting them"
	topo_ip_batch ha "$TOPO_DIR/del.batch"
	wait_for "$WAIT" "$round: ha's wrend learned 0 routes" learned_is ha 0
	wait_set "$round: hb's proto 186 routes are none after the delete burst" hb "$EMPTY"
}

# churn ROUND: add 5,000, delete half, add 2,000, with nothing in between.
churn() {
	local round=$1 n
	n=$(wc -l <"$TOPO_DIR/churn.end")
	topo_log "round $round: churn (+$CHURN_ADD1, -$((CHURN_ADD1 / 2)), +$CHURN_ADD2)"
	topo_ip_batch ha "$TOPO_DIR/c1.add.batch"
	topo_ip_batch ha "$TOPO_DIR/c1.del.batch"
	topo_ip_batch ha "$TOPO_DIR/c2.add.batch"
	wait_for "$WAIT" "$round churn: ha's wrend learned $n routes" learned_is ha "$n"
	wait_set "$round churn: hb's proto 186 routes are exactly the $n left" hb "$TOPO_DIR/churn.end"
	topo_ip_batch ha "$TOPO_DIR/churn.clean.batch"
	wait_set "$round churn: hb's proto 186 routes are none after clean-up" hb "$EMPTY"
}

# ---- 1. plain -----------------------------------------------------------------
burst plain
churn plain

# ---- 2. competing listeners on ha --------------------------------------------
topo_spawn ha ip-monitor /dev/null ip monitor route
# A listener that joins RTMGRP_IPV4_ROUTE (0x40) and never reads: its queue
# fills and the kernel drops its copies; nobody else may be affected.
topo_spawn ha sleeper "$TOPO_DIR/sleeper.log" python3 -c '
import socket, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0x40))
print("bound", flush=True)
time.sleep(100000)'
wait_for 10 "the never-reading listener on ha is bound" grep -q bound "$TOPO_DIR/sleeper.log"
burst listeners
churn listeners
check "ip monitor and the never-reading listener still run" topo_alive
topo_stop ha ip-monitor TERM || true
topo_stop ha sleeper TERM || true

# ---- 3. a tiny event receive buffer on ha: overruns --------------------------
# The keyword may be new: say clearly when this wrend does not know it.
if keyword_ok "receive-buffer 16384"; then
	pass "wrend -n accepts 'kernel { receive-buffer 16384 }'"
	sed -i '/^    install protocol/a\    receive-buffer 16384' "$conf_a"
	rc=0
	topo_stop ha wrend TERM || rc=$?
	check "ha's wrend exited 0 after SIGTERM" test "$rc" = 0
	wrend_start ha "$conf_a"
	wait_for 60 "ha-hb session Established again (ha with receive-buffer 16384)" \
		wrend_established ha 198.18.0.2
	wait_set "hb's proto 186 routes are none before the overrun rounds" hb "$EMPTY"
	before=$(status_field ha overruns)
	burst tiny-rcvbuf
	after=$(status_field ha overruns)
	topo_log "ha's kernel.overruns: $before before the burst, $after after"
	check "ha's wrenctl -j show status: kernel.overruns > 0 after the tiny-buffer burst ($after)" \
		json_test "d['kernel']['overruns'] > 0" wrenctl ha -j show status
	churn tiny-rcvbuf
	# Once more, to catch a loss that depends on where the overrun falls.
	burst tiny-rcvbuf-2
else
	fail "wrend -n accepts 'kernel { receive-buffer 16384 }' (the overrun rounds cannot run)"
fi
check "wrend still running on ha and hb" topo_alive
check "ha's own kernel still has no route of proto 186" kernel_bgp_routes_are ha

topo_done
