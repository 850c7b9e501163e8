#!/bin/bash
# t15: the BIRD-compatible control socket (compat-socket): the stock birdc
# and a calico-node-like readiness check against two wrend hosts.
#
#   h1 198.18.0.1 wrend  cali1: 10.244.1.5/32  neighbor Mesh_198_18_0_2
#   h2 198.18.0.2 wrend  cali1: 10.244.2.5/32  neighbor Mesh_198_18_0_1
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts h1:198.18.0.1:cali1 h2:198.18.0.2:cali1

compat_sock() { echo "$TOPO_DIR/$1.compat.ctl"; }
wren_conf "$(topo_conf h1.conf)" 198.18.0.1 64512 '198.18.0.2:64512:name "Mesh_198_18_0_2"'
wren_conf "$(topo_conf h2.conf)" 198.18.0.2 64512 '198.18.0.1:64512:name "Mesh_198_18_0_1"'
echo "compat-socket \"$(compat_sock h1)\"" >>"$(topo_conf h1.conf)"
echo "compat-socket \"$(compat_sock h2)\"" >>"$(topo_conf h2.conf)"

wrend_start h1 "$(topo_conf h1.conf)"
wrend_start h2 "$(topo_conf h2.conf)"
wait_for 60 "h1: session to h2 Established" wrend_established h1 198.18.0.2
wait_for 60 "h2: session to h1 Established" wrend_established h2 198.18.0.1
topo_workload h2 cali1 10.244.2.5/32
wait_for 30 "h2's 10.244.2.5/32 in h1's kernel" \
	kernel_has_route h1 10.244.2.5/32 bgp 198.18.0.2

cbirdc() { local h=$1; shift; birdc -s "$(compat_sock "$h")" "$@"; }

# ---- the stock birdc ----------------------------------------------------------
# shellcheck disable=SC2317 # called through check
status_ok() {
	local out
	out=$(cbirdc "$1" show status) || return 1
	[[ $out == BIRD* ]] && grep -q "Router ID is 198.18.0.1" <<<"$out" &&
		grep -q "Daemon is up and running" <<<"$out"
}
check "birdc show status: starts with BIRD, has the router id" status_ok h1
check "birdc show protocols: Mesh_198_18_0_2 BGP up Established" \
	eval 'cbirdc h1 show protocols | grep -Eq "^Mesh_198_18_0_2 +BGP +--- +up +[0-9:]+ +Established"'
check "birdc show protocols all Mesh_198_18_0_2: BGP state and neighbor" \
	eval 'out=$(cbirdc h1 show protocols all Mesh_198_18_0_2) &&
		grep -q "BGP state: *Established" <<<"$out" &&
		grep -q "Neighbor address: 198.18.0.2" <<<"$out" &&
		grep -q "Neighbor AS: *64512" <<<"$out"'
check "birdc show route: h2's workload, best (*), via 198.18.0.2" \
	eval 'cbirdc h1 show route | grep -Eq "^10\.244\.2\.5/32 +via 198\.18\.0\.2 .*\[Mesh_198_18_0_2 [0-9:]+\] \*"'
check "birdc show route 10.244.2.5/32: that prefix" \
	eval 'cbirdc h1 show route 10.244.2.5/32 | grep -q "^10.244.2.5/32 "'
check "birdc configure: Reconfigured" \
	eval 'cbirdc h1 configure | grep -q Reconfigured'
check "birdc show protocols after configure: still Established" \
	eval 'cbirdc h1 show protocols | grep -q "Mesh_198_18_0_2.*Established"'

# ---- a calico-node-like readiness check ---------------------------------------
# shellcheck disable=SC2317 # called through check
calico_ready() {
	python3 - "$(compat_sock "$1")" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
f = s.makefile("rw", newline="\n")
banner = f.readline()
assert banner.startswith("0001 BIRD ") and "ready." in banner, banner
f.write("show protocols\n"); f.flush()
header = None; peers = []
while True:
    line = f.readline()
    assert line, "EOF before 0000"
    line = line.rstrip("\n")
    if line.startswith("0000"):
        break
    if line.startswith("2002-"):
        header = line[5:].split()
    elif line.startswith("1002-") or line.startswith(" "):
        peers.append(line[5:].split() if line.startswith("1002-") else line.split())
    else:
        raise SystemExit("unexpected line: %r" % line)
assert header == ["Name", "Proto", "Table", "State", "Since", "Info"], header
mesh = [p for p in peers if p[0].startswith(("Mesh_", "Node_", "Global_")) and p[1] == "BGP"]
assert mesh, peers
for p in mesh:
    assert len(p) >= 6 and p[5] == "Established", p
# A second command on the same connection, then status: not in GR recovery.
f.write("show status\n"); f.flush()
while True:
    line = f.readline()
    assert line, "EOF in show status"
    assert not line.startswith("0024"), line
    if line[:4].isdigit() and line[4:5] == " ":
        assert line.startswith("0013"), line
        break
PY
}
check "calico-node-like readiness check on h1" calico_ready h1
check "calico-node-like readiness check on h2" calico_ready h2

# ---- garbage -----------------------------------------------------------------
# shellcheck disable=SC2317 # called through check
garbage() {
	python3 - "$(compat_sock h1)" <<'PY'
import os, socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sys.argv[1])
    return s
def drain(s):
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except (socket.timeout, ConnectionResetError):
        pass
    return data
s = conn(); s.sendall(os.urandom(3000) + b"\n"); s.shutdown(socket.SHUT_WR); drain(s); s.close()
s = conn(); s.sendall(b"A" * 5000 + b"\n")
d = drain(s); s.close()
assert b"9000" in d, d
s = conn(); s.sendall(b"bogus command\nshow \x01\x02\n\n"); s.shutdown(socket.SHUT_WR)
d = drain(s); s.close()
assert d.count(b"9001 syntax error") == 2, d
PY
}
check "garbage on the compat socket: errors, no crash" garbage
check "wrend on h1 and h2 still running" topo_alive
check "birdc show status still answers on h1" status_ok h1
check "wrenctl still answers on h1" wrenctl h1 show status

topo_done
