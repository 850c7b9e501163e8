#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t10: graceful restart (RFC 4724, RFC 8538), both ways, against BIRD 2.
#
#   hw 198.18.0.1 wrend  cali1: 10.244.1.5/32 10.244.1.6/32
#   bb 198.18.0.2 BIRD   cali1: 10.244.2.5/32 10.244.2.6/32
#   hx 198.18.0.3 wrend  cali1: 10.244.3.5/32
#
# iBGP full mesh, AS 64512; BIRD as Calico runs it: `graceful restart on`,
# kernel protocol with `persist` and `graceful restart`.  `ip monitor route`
# runs in every namespace.
#   1. hw's wrend is killed (SIGKILL) and started again.  Meanwhile BIRD and
#      hx keep hw's routes (hx shows them stale) and nothing leaves any
#      kernel; hw comes back as a restarting speaker (R bit, in progress
#      until End-of-RIB), and afterwards every kernel has exactly the routes
#      it had, once each; no Deleted line for any of them anywhere.
#   2. hw's wrend is stopped with SIGTERM (a planned restart: no
#      NOTIFICATION, the neighbors keep its routes) and started again: the
#      same checks.
#   3. BIRD is killed (SIGKILL); while it is down hw and hx keep its routes
#      (stale); 10.244.2.6 is removed on bb; BIRD starts again with -R
#      (graceful restart recovery).  hw and hx never delete 10.244.2.5, and
#      after BIRD's End-of-RIB they sweep 10.244.2.6, the route BIRD no
#      longer has.
#   4. hx drops hw from its config (reload): a Cease/Hard Reset (RFC 8538
#      §3), after which hw keeps nothing of hx's.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts hw:198.18.0.1:cali1 bb:198.18.0.2:cali1 hx:198.18.0.3:cali1

conf_w=$(topo_conf hw.conf)
wren_conf "$conf_w" 198.18.0.1 64512 198.18.0.2:64512 198.18.0.3:64512
wren_conf "$(topo_conf hx.conf)" 198.18.0.3 64512 198.18.0.1:64512 198.18.0.2:64512
# A short End-of-RIB wait: nothing here may depend on it running out.
printf 'graceful-restart {\n    restart-time 120\n    stale-time 360\n    eor-wait 60\n}\n' \
	>>"$conf_w"
bird_conf_calico "$(topo_conf bb.conf)" 198.18.0.2 64512 -s 2/2 \
	-k "persist; graceful restart; merge paths on;" \
	-b "graceful restart on; graceful restart time 120;" hw:198.18.0.1 hx:198.18.0.3

# bird_start_r HOST CONF: as lib.sh's bird_start, in recovery mode (-R).
bird_start_r() {
	local host=$1 conf=$2 log="$TOPO_DIR/$1.bird.log"
	topo_spawn "$host" bird "$log" bird -R -f -c "$conf" -s "$(bird_sock "$host")" \
		-P "$TOPO_DIR/$host.bird.pid"
	TOPO_HOST_KIND[$host]=bird
	wait_for 20 "BIRD on $host answers on its control socket" birdc_q "$host" show status
}

# routes HOST PROTO: the destinations of HOST's routes of PROTO, sorted,
# duplicates kept.
routes() {
	ip -n "$(topo_ns "$1")" route show proto "$2" | cut -d" " -f1 | LC_ALL=C sort | tr "\n" " "
}

# exact HOST PROTO DEST...: HOST's PROTO routes are exactly DEST..., once each.
exact() {
	local host=$1 proto=$2
	shift 2
	[ "$(routes "$host" "$proto")" = "$(printf '%s\n' "$@" | LC_ALL=C sort | tr "\n" " ")" ]
}

# Deleted lines in HOST's route monitor after line MARK for one of DEST...
deleted() {
	local host=$1 mark=$2 d n=0
	shift 2
	for d in "$@"; do
		n=$((n + $(tail -n "+$((mark + 1))" "$TOPO_DIR/$host.monitor" |
			grep -c "^Deleted $d " || true)))
	done
	echo "$n"
}

mark() { wc -l <"$TOPO_DIR/$1.monitor"; }

# gr_phase HOST NEIGHBOR PHASE [STALE]: HOST's view of NEIGHBOR's graceful
# restart (none, restarting, stale) and how many of its routes are stale.
gr_phase() {
	json_test "any(n['address'] == '$2' and
		n['graceful_restart']['phase'] == '$3' and
		('$4' == '' or n['graceful_restart']['stale'] == int('${4:-0}'))
		for n in d['neighbors'])" wrenctl "$1" -j show neighbors
}

gr_negotiated() {
	json_test "all(n['graceful_restart']['negotiated'] and
		n['graceful_restart']['peer_restart_time'] == 120 for n in d['neighbors'])" \
		wrenctl "$1" -j show neighbors
}

# The full picture: every kernel has what it should, once.
W_ROUTES=(10.244.2.5 10.244.2.6 10.244.3.5)
X_ROUTES=(10.244.1.5 10.244.1.6 10.244.2.5 10.244.2.6)
B_ROUTES=(10.244.1.5 10.244.1.6 10.244.3.5)
wx_exact() {
	exact hw bgp "${W_ROUTES[@]}" && exact hx bgp "${X_ROUTES[@]}"
}
all_exact() {
	wx_exact && exact bb bird "${B_ROUTES[@]}"
}

for h in hw bb hx; do
	topo_spawn "$h" monitor "$TOPO_DIR/$h.monitor" ip monitor route
done
topo_workload hw cali1 10.244.1.5/32
topo_workload hw cali1 10.244.1.6/32
topo_workload bb cali1 10.244.2.5/32
topo_workload bb cali1 10.244.2.6/32
topo_workload hx cali1 10.244.3.5/32
bird_start bb "$(topo_conf bb.conf)"
wrend_start hw "$conf_w"
wrend_start hx "$(topo_conf hx.conf)"

wait_for 60 "hw: sessions to BIRD and hx Established" \
	wrend_established hw 198.18.0.2 198.18.0.3
wait_for 60 "hx: sessions to hw and BIRD Established" \
	wrend_established hx 198.18.0.1 198.18.0.2
wait_for 60 "every kernel has the others' routes, once each" all_exact
check "hw: graceful restart negotiated with BIRD and hx (restart time 120)" \
	gr_negotiated hw
check "hx: graceful restart negotiated with BIRD and hw" gr_negotiated hx
check "hw: show status says graceful restart is announced, not in progress" \
	json_test "d['graceful_restart']['announced'] and
		not d['graceful_restart']['in_progress']" wrenctl hw -j show status

# restart_w SIGNAL: stop hw's wrend with SIGNAL, check the helpers, start it
# again, check that nothing moved.
restart_w() {
	local sig=$1 mw mb mx n
	mw=$(mark hw)
	mb=$(mark bb)
	mx=$(mark hx)
	topo_stop hw wrend "$sig" || true
	wait_for 30 "$sig: hx keeps hw's 2 routes as stale (restarting)" \
		gr_phase hx 198.18.0.1 restarting 2
	sleep 3
	check "$sig: BIRD still has hw's 10.244.1.5/32 and 10.244.1.6/32" \
		eval 'bird_has_route bb 10.244.1.5/32 hw && bird_has_route bb 10.244.1.6/32 hw'
	check "$sig: every kernel kept every route while hw's wrend is down" all_exact
	wrend_start hw "$conf_w"
	check "$sig: hw's wrend adopted the 3 routes of its predecessor" \
		grep -q "graceful restart: 3 routes of a previous run kept" \
		"$TOPO_DIR/hw.wrend.log"
	wait_for 60 "$sig: hw's sessions Established again" \
		wrend_established hw 198.18.0.2 198.18.0.3
	wait_for 60 "$sig: hw's initial sync done (End-of-RIB from both)" \
		json_test "d['graceful_restart']['restarted'] and
			not d['graceful_restart']['in_progress']" wrenctl hw -j show status
	wait_for 30 "$sig: hx: hw's restart over, nothing stale" \
		gr_phase hx 198.18.0.1 none 0
	wait_for 30 "$sig: every kernel has the same routes, once each" all_exact
	sleep 3		# BIRD's kernel scan, the monitors
	check "$sig: still exact after 3 s" all_exact
	n=$(deleted hw "$mw" "${W_ROUTES[@]}")
	check "$sig: hw's kernel deleted none of its BGP routes ($n)" test "$n" = 0
	n=$(deleted hx "$mx" "${X_ROUTES[@]}")
	check "$sig: hx's kernel deleted none of its BGP routes ($n)" test "$n" = 0
	n=$(deleted bb "$mb" "${B_ROUTES[@]}")
	check "$sig: BIRD's kernel deleted none of its BGP routes ($n)" test "$n" = 0
}

# ---- 1. and 2. hw's wrend restarts -------------------------------------------
restart_w KILL
check "KILL: hw sent its End-of-RIB after its initial sync" \
	grep -q "all neighbors sent End-of-RIB: initial sync done" "$TOPO_DIR/hw.wrend.log"
restart_w TERM
check "TERM: hw closed its sessions for a graceful restart (no NOTIFICATION)" \
	grep -q "closing for a graceful restart" "$TOPO_DIR/hw.wrend.log"

# ---- 3. BIRD restarts gracefully ----------------------------------------------
mw=$(mark hw)
mx=$(mark hx)
topo_stop bb bird KILL || true
wait_for 30 "hw keeps BIRD's 2 routes as stale (restarting)" \
	gr_phase hw 198.18.0.2 restarting 2
wait_for 30 "hx keeps BIRD's 2 routes as stale (restarting)" \
	gr_phase hx 198.18.0.2 restarting 2
topo_workload_del bb cali1 10.244.2.6/32
sleep 2
check "BIRD down: hw and hx keep BIRD's routes in their kernels" \
	wx_exact
bird_start_r bb "$(topo_conf bb.conf)"
wait_for 60 "hw: session to BIRD Established again" wrend_established hw 198.18.0.2
wait_for 60 "hx: session to BIRD Established again" wrend_established hx 198.18.0.2
W_ROUTES=(10.244.2.5 10.244.3.5)
X_ROUTES=(10.244.1.5 10.244.1.6 10.244.2.5)
wait_for 60 "hw: BIRD's restart over, nothing stale" gr_phase hw 198.18.0.2 none 0
wait_for 60 "hx: BIRD's restart over, nothing stale" gr_phase hx 198.18.0.2 none 0
wait_for 30 "hw and hx swept 10.244.2.6, which BIRD no longer has; the rest once each" \
	wx_exact
check "hw logged the sweep at BIRD's End-of-RIB" \
	grep -q "198.18.0.2: graceful restart: End-of-RIB, 1 stale routes removed" \
	"$TOPO_DIR/hw.wrend.log"
n=$(deleted hw "$mw" 10.244.2.5 10.244.3.5)
check "hw's kernel never deleted 10.244.2.5 or 10.244.3.5 ($n)" test "$n" = 0
n=$(deleted hx "$mx" 10.244.1.5 10.244.1.6 10.244.2.5)
check "hx's kernel never deleted 10.244.1.5, 10.244.1.6 or 10.244.2.5 ($n)" test "$n" = 0
wait_for 30 "BIRD's kernel has hw's and hx's routes, once each" \
	exact bb bird "${B_ROUTES[@]}"

# ---- 4. an administrative stop is not a restart: Cease/Hard Reset -------------
wren_conf "$(topo_conf hx.conf)" 198.18.0.3 64512 198.18.0.2:64512
wrenctl hx reload >/dev/null
wait_for 30 "hw dropped hx's 10.244.3.5 at once (hx de-configured hw)" \
	kernel_lacks_route hw 10.244.3.5/32
check "hw received a Cease/Hard Reset (RFC 8538)" \
	grep -q "198.18.0.3: received NOTIFICATION.*Hard Reset" "$TOPO_DIR/hw.wrend.log"
check "hw keeps nothing of hx's as stale" gr_phase hw 198.18.0.3 none 0
check "hw's and hx's wrend still running" topo_alive

topo_done
