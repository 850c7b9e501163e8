#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t08: kernel features: ECMP, learning beyond cali*, device override, IPv6.
#
#   ha 198.18.0.1 wrend  learn interface "cali*", learn blackhole,
#                        learn protocol static, learn table 254 + 100
#   hb 198.18.0.2 wrend  neighbors ha and hc: the ECMP host
#   hc 198.18.0.3 wrend  announces the same 10.244.9.0/26 as ha
#   hd 198.18.0.4 wrend  install device "tun0" onlink (tun0: a veth in hd)
#
# 1. ECMP: ha and hc both announce 10.244.9.0/26 (a route on cali1) over
#    iBGP with equal attributes: hb's kernel has ONE route with two next
#    hops.  ha withdraws: one path via hc remains, and the route was
#    replaced, never deleted (`ip monitor route` on hb shows no Deleted line
#    for it).  ha announces again: two next hops again.
# 2. learn blackhole: `blackhole 10.244.5.0/26` on ha reaches hb (an
#    unreachable route, not configured, does not).
# 3. learn protocol static: `10.244.6.0/26 dev eth0 proto static` on ha
#    reaches hb (a proto boot route on eth0 does not).
# 4. learn table 100: a cali route in table 100 is learned, one in 101 not.
# 5. install device "tun0" onlink: hd installs ha's routes as
#    `via 198.18.0.1 dev tun0 onlink proto 186`.
# 6. IPv6: a /128 on ha's cali1 is learned (Loc-RIB, source kernel); IPv6
#    is not advertised over BGP yet, so only ha's RIB is checked.
#
# Each keyword is checked with `wrend -n` first; one this wrend does not
# accept is a failure, and the parts that do not need it still run.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend
topo_switch
i=0
for h in ha hb hc hd; do
	i=$((i + 1))
	topo_host "$h" "198.18.0.$i"
done
topo_cali ha cali1
topo_cali hc cali1
# hd's install device: a veth named tun0, up (no tun module needed).
ip -n "$(topo_ns hd)" link add tun0 type veth peer name tun0p
ip -n "$(topo_ns hd)" link set tun0p up
ip -n "$(topo_ns hd)" link set tun0 up

# ---- helpers ----------------------------------------------------------------

# kernel_ok LINE...: `wrend -n` accepts these lines in the kernel block.
kernel_ok() {
	local f=$TOPO_DIR/kw.conf l
	{
		printf 'router-id 198.18.0.9\nlocal-as 64512\nkernel {\n    learn interface "cali*"\n'
		for l in "$@"; do printf '    %s\n' "$l"; done
		printf '}\n'
	} >"$f"
	"$WREN_BUILDDIR/bgpd/wrend" -n -f "$f" >"$f.out" 2>&1
}

# feature NAME LINE...: PASS and set HAVE_NAME=1 if accepted, else FAIL.
feature() {
	local name=$1
	shift
	if kernel_ok "$@"; then
		pass "wrend -n accepts: $*"
		eval "HAVE_$name=1"
	else
		fail "wrend -n accepts: $* ($(cat "$TOPO_DIR/kw.conf.out"))"
		eval "HAVE_$name=0"
	fi
}

# kernel_add FILE LINE...: add lines to the kernel block of a wren_conf file.
kernel_add() {
	local f=$1 l
	shift
	for l in "$@"; do
		sed -i "/^    install protocol/a\\    $l" "$f"
	done
}

# route_is HOST PREFIX TEXT: `ip route show exact PREFIX` is one route, and
# it contains TEXT (a multipath route is joined into one line).
route_one() {
	local out
	out=$(ip -n "$(topo_ns "$1")" route show exact "$2" | tr -s ' \t\n' ' ')
	[ "$(ip -n "$(topo_ns "$1")" route show exact "$2" | grep -c '^[^[:space:]]')" = 1 ] &&
		grep -qF -- "$3" <<<"$out"
}

# ecmp_is HOST PREFIX VIA...: one route, proto bgp, with exactly these next
# hops (`nexthop via X` each).
ecmp_is() {
	local host=$1 prefix=$2 out have want
	shift 2
	out=$(ip -n "$(topo_ns "$host")" route show exact "$prefix")
	[ "$(grep -c '^[^[:space:]]' <<<"$out")" = 1 ] || return 1
	grep -q '^[^[:space:]].* proto bgp ' <<<"$out " || return 1
	have=$(grep -o 'nexthop via [0-9.]*' <<<"$out" | awk '{ print $3 }' | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$have" = "$want" ]
}

# single_is HOST PREFIX VIA: one route, proto bgp, one next hop VIA.
single_is() {
	local out
	out=$(ip -n "$(topo_ns "$1")" route show exact "$2")
	[ "$(grep -c . <<<"$out")" = 1 ] &&
		grep -q "^$(sed 's|/32$||; s|\.|\\.|g' <<<"$2") via $3 dev [^ ]* proto bgp " <<<"$out "
}

# rib_source HOST PREFIX SOURCE: the prefix is in HOST's Loc-RIB, best,
# from SOURCE (kernel, bgp).
rib_source() {
	J_PREFIX=$2 J_SOURCE=$3 json_test "any(r['prefix'] == env['J_PREFIX'] and
		r['source'] == env['J_SOURCE'] and r['best'] for r in d['routes'])" \
		wrenctl "$1" -j show routes
}

# monitor_since LINE REGEX: hb's route monitor has REGEX after line LINE.
monitor_since() {
	tail -n "+$(($1 + 1))" "$MON" | grep -q "$2"
}

# ---- which keywords this wrend knows -------------------------------------------
HAVE_BH=0 HAVE_STATIC=0 HAVE_TABLE=0 HAVE_DEVICE=0
feature BH "learn blackhole"
feature STATIC "learn protocol static"
feature TABLE "learn table 254" "learn table 100"
# The device override: `install device "tun0" onlink` in one statement, or
# the same as two statements.
DEVICE_LINES=()
if kernel_ok 'install device "tun0" onlink'; then
	DEVICE_LINES=('install device "tun0" onlink')
	pass "wrend -n accepts: install device \"tun0\" onlink"
	HAVE_DEVICE=1
elif kernel_ok 'install device "tun0"' 'install onlink'; then
	DEVICE_LINES=('install device "tun0"' 'install onlink')
	pass "wrend -n accepts: install device \"tun0\" + install onlink (two statements)"
	HAVE_DEVICE=1
else
	fail "wrend -n accepts: install device \"tun0\" onlink ($(cat "$TOPO_DIR/kw.conf.out"))"
fi

# ---- configs ------------------------------------------------------------------
ca=$(topo_conf ha.conf)
wren_conf "$ca" 198.18.0.1 64512 198.18.0.2:64512 198.18.0.4:64512
[ "$HAVE_BH" = 0 ] || kernel_add "$ca" "learn blackhole"
[ "$HAVE_STATIC" = 0 ] || kernel_add "$ca" "learn protocol static"
# The first `learn table` replaces the default (main): name main too.
[ "$HAVE_TABLE" = 0 ] || kernel_add "$ca" "learn table 100" "learn table 254"
wren_conf "$(topo_conf hb.conf)" 198.18.0.2 64512 198.18.0.1:64512 198.18.0.3:64512
wren_conf "$(topo_conf hc.conf)" 198.18.0.3 64512 198.18.0.2:64512
cd_=$(topo_conf hd.conf)
wren_conf "$cd_" 198.18.0.4 64512 198.18.0.1:64512
[ "$HAVE_DEVICE" = 0 ] || kernel_add "$cd_" "${DEVICE_LINES[@]}"

MON=$TOPO_DIR/hb.monitor
topo_spawn hb monitor "$MON" ip monitor route
for h in ha hb hc hd; do wrend_start "$h" "$(topo_conf "$h.conf")"; done
wait_for 60 "ha: sessions to hb and hd Established" wrend_established ha 198.18.0.2 198.18.0.4
wait_for 60 "hb: sessions to ha and hc Established" wrend_established hb 198.18.0.1 198.18.0.3

# ---- 1. ECMP ---------------------------------------------------------------------
topo_workload ha cali1 10.244.9.0/26
topo_workload hc cali1 10.244.9.0/26
wait_for 30 "hb's Loc-RIB has 10.244.9.0/26 from ha and from hc" \
	json_test "{r['neighbor'] for r in d['routes'] if r['prefix'] == '10.244.9.0/26'} >=
		{'198.18.0.1', '198.18.0.3'}" wrenctl hb -j show routes
wait_for 30 "hb's kernel: ONE route to 10.244.9.0/26 with two next hops, 198.18.0.1 and 198.18.0.3" \
	ecmp_is hb 10.244.9.0/26 198.18.0.1 198.18.0.3
check "hb's ECMP route has protocol 186, metric 32" \
	kernel_route_matches hb 10.244.9.0/26 proto 186 metric 32
sleep 1
mark=$(wc -l <"$MON")
topo_workload_del ha cali1 10.244.9.0/26
wait_for 30 "ha withdrew: hb's 10.244.9.0/26 is a single path via 198.18.0.3" \
	single_is hb 10.244.9.0/26 198.18.0.3
topo_workload ha cali1 10.244.9.0/26
wait_for 30 "ha announced again: two next hops again" \
	ecmp_is hb 10.244.9.0/26 198.18.0.1 198.18.0.3
sleep 1
check "hb's route monitor: 10.244.9.0/26 was replaced, never deleted" \
	not monitor_since "$mark" "^Deleted 10\.244\.9\.0/26"
check "hb's route monitor saw the changes of 10.244.9.0/26" \
	monitor_since "$mark" "^10\.244\.9\.0/26"
check "hb's kernel has exactly one route to 10.244.9.0/26 (any protocol)" \
	test "$(ip -n "$(topo_ns hb)" route show exact 10.244.9.0/26 | grep -c '^[^[:space:]]')" = 1

# ---- 2. learn blackhole ----------------------------------------------------------
if [ "$HAVE_BH" = 1 ]; then
	ip -n "$(topo_ns ha)" route add unreachable 10.244.5.64/26
	ip -n "$(topo_ns ha)" route add blackhole 10.244.5.0/26
	wait_for 30 "ha's blackhole 10.244.5.0/26 in ha's Loc-RIB (source kernel)" \
		rib_source ha 10.244.5.0/26 kernel
	wait_for 30 "ha's blackhole 10.244.5.0/26 reaches hb's kernel (proto 186 via 198.18.0.1)" \
		kernel_has_route hb 10.244.5.0/26 186 198.18.0.1
	check "ha's unreachable 10.244.5.64/26 (learn unreachable not set) is not learned" \
		not wrend_has_route ha 10.244.5.64/26
	check "... and not in hb's kernel" kernel_lacks_route hb 10.244.5.64/26
fi

# ---- 3. learn protocol static ----------------------------------------------------
if [ "$HAVE_STATIC" = 1 ]; then
	ip -n "$(topo_ns ha)" route add 10.244.6.64/26 dev eth0
	ip -n "$(topo_ns ha)" route add 10.244.6.0/26 dev eth0 proto static
	wait_for 30 "ha's proto static 10.244.6.0/26 (dev eth0) in ha's Loc-RIB (source kernel)" \
		rib_source ha 10.244.6.0/26 kernel
	wait_for 30 "ha's proto static 10.244.6.0/26 reaches hb's kernel (proto 186 via 198.18.0.1)" \
		kernel_has_route hb 10.244.6.0/26 186 198.18.0.1
	check "ha's proto boot 10.244.6.64/26 on eth0 is not learned" \
		not wrend_has_route ha 10.244.6.64/26
	check "... and not in hb's kernel" kernel_lacks_route hb 10.244.6.64/26
fi

# ---- 4. learn table 100 ------------------------------------------------------------
if [ "$HAVE_TABLE" = 1 ]; then
	ip -n "$(topo_ns ha)" route add 10.244.7.64/26 dev cali1 table 101
	ip -n "$(topo_ns ha)" route add 10.244.7.0/26 dev cali1 table 100
	wait_for 30 "ha's table 100 route 10.244.7.0/26 in ha's Loc-RIB (source kernel)" \
		rib_source ha 10.244.7.0/26 kernel
	wait_for 30 "ha's table 100 route 10.244.7.0/26 reaches hb's kernel (main table, proto 186)" \
		kernel_has_route hb 10.244.7.0/26 186 198.18.0.1
	check "ha's table 101 route 10.244.7.64/26 is not learned" \
		not wrend_has_route ha 10.244.7.64/26
	check "... and not in hb's kernel" kernel_lacks_route hb 10.244.7.64/26
	# Main is still learned with `learn table 254` named.
	topo_workload ha cali1 10.244.1.5/32
	wait_for 30 "ha's main table cali route 10.244.1.5/32 reaches hb" \
		kernel_has_route hb 10.244.1.5/32 186 198.18.0.1
fi

# ---- 5. install device "tun0" onlink ---------------------------------------------------
if [ "$HAVE_DEVICE" = 1 ]; then
	wait_for 30 "hd's route for ha's 10.244.9.0/26 is via 198.18.0.1 dev tun0 onlink, proto 186" \
		eval 'route_one hd 10.244.9.0/26 "via 198.18.0.1 dev tun0 proto bgp metric 32" &&
			route_one hd 10.244.9.0/26 onlink'
	check "hd has no route of proto 186 on eth0" \
		test -z "$(ip -n "$(topo_ns hd)" route show proto 186 dev eth0)"
fi

# ---- 6. IPv6 learning ---------------------------------------------------------------
ip -n "$(topo_ns ha)" -6 route add fd00:10:244::5/128 dev cali1
wait_for 30 "ha's fd00:10:244::5/128 on cali1 in ha's Loc-RIB (source kernel)" \
	rib_source ha fd00:10:244::5/128 kernel
ip -n "$(topo_ns ha)" -6 route del fd00:10:244::5/128 dev cali1
wait_for 30 "ha's fd00:10:244::5/128 deleted: gone from ha's Loc-RIB" \
	not wrend_has_route ha fd00:10:244::5/128

check "wrend still running everywhere" topo_alive
topo_done
