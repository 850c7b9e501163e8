#!/bin/bash
# t40: the attack vectors of tests/unit/test_attacks.c, on the wire, against
# a live wrend, from a raw BGP speaker (python3, byte vectors), with a second
# raw speaker recording what wrend passes on.
#
#   h1 198.18.0.1 wrend  AS 64512
#   x1 198.18.0.2 raw    AS 64600  sends the vectors (eBGP, h1: passive)
#   x2 198.18.0.3 raw    AS 64700  records every UPDATE h1 sends it
#
# Vectors the session must survive (RFC 7606): an attribute length past the
# attribute section, NLRI with a Total Path Attribute Length of 0, only an
# unknown transitive attribute (with and without NLRI), MP_UNREACH_NLRI with
# classic NLRI and no mandatory attribute, a zero-length flowspec NLRI, an
# unknown AFI, a zero-count AS_PATH segment, a corrupted Tunnel
# Encapsulation attribute, and OPENs with an oversized Software Version
# capability or RFC 9072 extended parameters.  After each, a fresh marker
# route must reach x2 (the session works), and no NOTIFICATION may come.
# Vectors that must reset the session, with the exact NOTIFICATION: an
# MP_REACH_NLRI next hop of 5 octets (3/9), an unknown well-known attribute
# (3/2), an OPEN ending at its Optional Parameters Length of 255 (2/0), a
# ROUTE-REFRESH with ORF data cut short (1/2).  Then: wrend still runs, x2's
# session never dropped, x2 never saw a prefix of a malformed UPDATE nor the
# Tunnel Encapsulation attribute, h1's kernel has none of them, and h1's
# descriptor count is back where it was.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend
topo_switch
topo_host h1 198.18.0.1
topo_host x1 198.18.0.2
topo_host x2 198.18.0.3

wren_conf "$(topo_conf h1.conf)" 198.18.0.1 64512 198.18.0.2:64600:passive \
	198.18.0.3:64700:passive

cat >"$(topo_conf speaker.py)" <<'EOF'
# A raw BGP-4 speaker: "attack" runs the vectors, "record" logs UPDATEs.
import json, select, socket, struct, sys, time

def msg(t, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), t) + body

def caps(asn):
    c = bytes([1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1, 2, 0, 65, 4]) + struct.pack("!I", asn)
    return bytes([2, len(c)]) + c

def open_body(asn, rid, params=None):
    p = caps(asn) if params is None else params
    return struct.pack("!BHH4sB", 4, asn, 90, socket.inet_aton(rid), len(p) if len(p) < 255 else 255) + p

class Peer:
    def __init__(self, local, remote):
        self.s = socket.create_connection((remote, 179), timeout=10,
                                          source_address=(local, 0))
        self.buf = b""
    def send(self, raw):
        self.s.sendall(raw)
    def recv(self, timeout):
        """one message (type, body), None on timeout, 'closed' at EOF"""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 19:
                ln = struct.unpack("!H", self.buf[16:18])[0]
                if len(self.buf) >= ln:
                    m, self.buf = self.buf[:ln], self.buf[ln:]
                    return m[18], m[19:]
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return None
            try:
                d = self.s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                return "closed"
            if not d:
                return "closed"
            self.buf += d

def establish(local, remote, asn, params=None, raw_open=None):
    for _ in range(60):
        try:
            p = Peer(local, remote)
            break
        except OSError:
            time.sleep(0.5)
    else:
        raise SystemExit("cannot connect")
    p.send(raw_open if raw_open is not None else msg(1, open_body(asn, local, params)))
    return p

def wait_established(p):
    got_open = False
    while True:
        m = p.recv(10)
        if m is None or m == "closed":
            return False
        if m[0] == 3:
            print("  unexpected NOTIFICATION %d/%d" % (m[1][0], m[1][1]))
            return False
        if m[0] == 1:
            got_open = True
            p.send(msg(4, b""))
        if m[0] == 4 and got_open:
            return True

def expect_notify(p, code, sub):
    while True:
        m = p.recv(10)
        if m is None or m == "closed":
            print("  no NOTIFICATION (%s)" % m)
            return False
        if m[0] == 3:
            ok = m[1][0] == code and m[1][1] == sub
            print("  NOTIFICATION %d/%d (want %d/%d)" % (m[1][0], m[1][1], code, sub))
            return ok
        if m[0] == 1:
            p.send(msg(4, b""))

def no_notify(p, secs):
    end = time.time() + secs
    while time.time() < end:
        m = p.recv(end - time.time())
        if m is None:
            return True
        if m == "closed" or m[0] == 3:
            print("  session ended: %s" % (m if m == "closed" else "NOTIFICATION %d/%d" % (m[1][0], m[1][1])))
            return False
    return True

def pfx(s):
    a, l = s.split("/")
    l = int(l)
    return bytes([l]) + socket.inet_aton(a)[: (l + 7) // 8]

ORIGIN = bytes([0x40, 1, 1, 0])
ASPATH = bytes([0x40, 2, 6, 2, 1]) + struct.pack("!I", 64600)
NH = bytes([0x40, 3, 4]) + socket.inet_aton("198.18.0.2")
OK = ORIGIN + ASPATH + NH

def update(attrs, nlri=b"", withdrawn=b""):
    return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn +
               struct.pack("!H", len(attrs)) + attrs + nlri)

def attack(local, remote, asn):
    marker = [0]
    def send_marker(p, name):
        marker[0] += 1
        p.send(update(OK, pfx("10.244.60.%d/32" % marker[0])))
        print("  marker 10.244.60.%d/32 after %s" % (marker[0], name))
    ok = True
    p = establish(local, remote, asn)
    if not wait_established(p):
        raise SystemExit("x1: no session")
    # a route that a malformed UPDATE then withdraws (treat-as-withdraw)
    p.send(update(OK, pfx("10.244.62.1/32")))
    stay = [
        ("attribute length overrun",
         update(ORIGIN + ASPATH + bytes([0x40, 3, 0x20]) + socket.inet_aton("198.18.0.2"),
                pfx("10.244.66.1/32"))),
        ("extended length overrun on the last attribute",
         update(OK + bytes([0xd0, 0x63, 0xff, 0xff]), pfx("10.244.66.2/32"))),
        ("NLRI with Total Path Attribute Length 0", update(b"", pfx("10.244.66.3/32"))),
        ("only an unknown transitive attribute", update(bytes([0xc0, 0x63, 2, 0xab, 0xcd]))),
        ("an unknown transitive attribute and NLRI",
         update(bytes([0xc0, 0x63, 2, 0xab, 0xcd]), pfx("10.244.66.4/32"))),
        ("MP_UNREACH_NLRI with NLRI, no mandatory attribute",
         update(bytes([0x80, 15, 12, 0, 2, 1, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0]),
                pfx("10.244.66.5/32"))),
        ("zero-length flowspec NLRI",
         update(OK + bytes([0x80, 14, 7, 0, 1, 133, 0, 0, 0, 0]))),
        ("unknown AFI 99",
         update(OK + bytes([0x80, 14, 14, 0, 99, 1, 4]) + socket.inet_aton("198.18.0.2") +
                bytes([0]) + pfx("10.244.66.6/32"))),
        ("zero-count AS_PATH segment",
         update(ORIGIN + bytes([0x40, 2, 2, 2, 0]) + NH, pfx("10.244.66.7/32"))),
        ("treat-as-withdraw of a route already announced",
         update(ORIGIN + bytes([0x40, 2, 6, 2, 0x7f]) + struct.pack("!I", 64600) + NH,
                pfx("10.244.62.1/32"))),
        ("corrupted Tunnel Encapsulation attribute",
         update(OK + bytes([0xc0, 23, 6, 0, 8, 0, 9, 4, 0]), pfx("10.244.61.1/32"))),
    ]
    # a flood of malformed UPDATEs: every one is acted on and counted, but
    # the log lines come from a token bucket (20, then one a second)
    print("x1: 300 UPDATEs with NLRI and no attributes")
    for i in range(300):
        p.send(update(b"", pfx("10.244.67.%d/32" % (i % 250 + 1))))
    if not no_notify(p, 1.0):
        ok = False
        p = establish(local, remote, asn)
        wait_established(p)
    send_marker(p, "the flood")
    for name, raw in stay:
        print("x1: %s" % name)
        p.send(raw)
        if not no_notify(p, 1.0):
            ok = False
            p = establish(local, remote, asn)
            wait_established(p)
        send_marker(p, name)
    time.sleep(1)
    p.s.close()
    time.sleep(1)
    resets = [
        ("MP_REACH_NLRI next hop of 5 octets", None,
         update(OK + bytes([0x80, 14, 10, 0, 2, 1, 5, 0xfd, 0, 0, 0, 1, 0])), 3, 9),
        ("unknown well-known attribute", None,
         update(OK + bytes([0x40, 0x63, 2, 0xab, 0xcd]), pfx("10.244.66.8/32")), 3, 2),
        ("ROUTE-REFRESH with ORF cut short", None,
         msg(5, bytes([0, 1, 0, 1, 1, 0x40, 0, 0x10, 0])), 1, 2),
        ("OPEN ending at its Optional Parameters Length 255",
         msg(1, struct.pack("!BHH4sB", 4, asn, 90, socket.inet_aton(local), 255)), None, 2, 0),
    ]
    for name, raw_open, raw, code, sub in resets:
        print("x1: %s" % name)
        if raw is None:
            p = establish(local, remote, asn, raw_open=raw_open)
        else:
            p = establish(local, remote, asn)
            if not wait_established(p):
                ok = False
                continue
            p.send(raw)
        if not expect_notify(p, code, sub):
            ok = False
        p.s.close()
        time.sleep(0.5)
    # OPENs that must be accepted
    sv = bytes([75, 200]) + b"A" * 200
    opens = [
        ("Software Version capability of 200 octets",
         bytes([2, len(sv)]) + sv + caps(asn)),
    ]
    for name, params in opens:
        print("x1: OPEN with %s" % name)
        p = establish(local, remote, asn, params=params)
        if not wait_established(p):
            ok = False
        else:
            send_marker(p, name)
            if not no_notify(p, 1.0):
                ok = False
        p.s.close()
        time.sleep(0.5)
    # RFC 9072: the same capabilities as extended optional parameters
    print("x1: OPEN with RFC 9072 extended optional parameters")
    c = caps(asn)[2:]
    ext = bytes([255]) + struct.pack("!H", 3 + len(c)) + bytes([2]) + struct.pack("!H", len(c)) + c
    raw = msg(1, struct.pack("!BHH4sB", 4, asn, 90, socket.inet_aton(local), 255) + ext)
    p = establish(local, remote, asn, raw_open=raw)
    if not wait_established(p):
        ok = False
    else:
        send_marker(p, "RFC 9072 OPEN")
        if not no_notify(p, 1.0):
            ok = False
    print("x1: markers sent: %d" % marker[0])
    open(sys.argv[5], "w").write(str(marker[0]))
    # stay up so that the routes stay
    while p.recv(30) not in ("closed",):
        p.send(msg(4, b""))
    sys.exit(0 if ok else 1)

def parse_update(body):
    wl = struct.unpack("!H", body[:2])[0]
    al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
    attrs = body[4 + wl:4 + wl + al]
    nlri = body[4 + wl + al:]
    def prefixes(b):
        out, i = [], 0
        while i < len(b):
            l = b[i]; n = (l + 7) // 8
            out.append("%s/%d" % (socket.inet_ntoa((b[i + 1:i + 1 + n] + b"\0\0\0\0")[:4]), l))
            i += 1 + n
        return out
    types, i = [], 0
    while i < len(attrs):
        f, t = attrs[i], attrs[i + 1]
        if f & 0x10:
            l = struct.unpack("!H", attrs[i + 2:i + 4])[0]; i += 4 + l
        else:
            l = attrs[i + 2]; i += 3 + l
        types.append(t)
    return {"withdrawn": prefixes(body[2:2 + wl]), "nlri": prefixes(nlri), "attrs": types}

def record(local, remote, asn, out):
    p = establish(local, remote, asn)
    if not wait_established(p):
        raise SystemExit("x2: no session")
    with open(out, "a") as f:
        f.write(json.dumps({"established": True}) + "\n"); f.flush()
        while True:
            m = p.recv(10)
            if m is None:
                p.send(msg(4, b""))
                continue
            if m == "closed" or m[0] == 3:
                f.write(json.dumps({"closed": str(m if m == "closed" else (m[1][0], m[1][1]))}) + "\n")
                return
            if m[0] == 2:
                f.write(json.dumps(parse_update(m[1])) + "\n"); f.flush()

if __name__ == "__main__":
    mode, local, remote, asn = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if mode == "attack":
        attack(local, remote, asn)
    else:
        record(local, remote, asn, sys.argv[5])
EOF

cat >"$(topo_conf check.py)" <<'EOF'
# What x2 saw: every marker, 10.244.61.1/32 without attribute 23, the
# withdrawal of 10.244.62.1/32, no 10.244.66.*, and no session end.
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
nmark = int(open(sys.argv[2]).read())
have, ok = set(), True
for l in lines:
    if "closed" in l:
        print("x2's session ended: %s" % l["closed"]); ok = False
    for p in l.get("nlri", []):
        have.add(p)
        if p.startswith("10.244.66."):
            print("x2 got %s from a malformed UPDATE" % p); ok = False
        if p == "10.244.61.1/32" and 23 in l["attrs"]:
            print("x2 got the Tunnel Encapsulation attribute"); ok = False
for i in range(1, nmark + 1):
    if "10.244.60.%d/32" % i not in have:
        print("x2 lacks marker 10.244.60.%d/32" % i); ok = False
if "10.244.61.1/32" not in have:
    print("x2 lacks 10.244.61.1/32"); ok = False
if not any("10.244.62.1/32" in l.get("withdrawn", []) for l in lines):
    print("x2 never saw 10.244.62.1/32 withdrawn"); ok = False
sys.exit(0 if ok else 1)
EOF

nfds() { ls "/proc/$1/fd" | wc -l; }

wrend_start h1 "$(topo_conf h1.conf)"
h1pid=$TOPO_LAST_PID
topo_spawn x2 recorder "$TOPO_DIR/x2.speaker.log" python3 \
	"$(topo_conf speaker.py)" record 198.18.0.3 198.18.0.1 64700 "$TOPO_DIR/x2.json"
wait_for 20 "h1: x2 Established" wrend_established h1 198.18.0.3
fds0=$(nfds "$h1pid")

topo_log "x1 sends the vectors"
rc=0
ip netns exec "$(topo_ns x1)" python3 "$(topo_conf speaker.py)" attack \
	198.18.0.2 198.18.0.1 64600 "$TOPO_DIR/markers" \
	>"$TOPO_DIR/x1.speaker.log" 2>&1 &
x1pid=$!
TOPO_PIDS+=("$x1pid")
TOPO_PID_NAME[$x1pid]="x1 speaker"
wait_for 90 "x1 has sent every vector" test -s "$TOPO_DIR/markers"
cat "$TOPO_DIR/x1.speaker.log"
check "x1: every vector got the action RFC 7606 / RFC 4271 prescribe" \
	not grep -q -e "unexpected NOTIFICATION" -e "session ended" \
	-e "no NOTIFICATION" "$TOPO_DIR/x1.speaker.log"
awk '/NOTIFICATION/ { split($2, a, "/"); split($4, b, "/"); sub(/\)/, "", b[2]);
	if (a[1] != b[1] || a[2] != b[2]) bad = 1 } END { exit bad }' \
	"$TOPO_DIR/x1.speaker.log" || fail "x1: a NOTIFICATION with the wrong code"
check "wrend on h1 still running" topo_alive
wait_for 20 "h1: x1 Established again" wrend_established h1 198.18.0.2
nmark=$(cat "$TOPO_DIR/markers")
wait_for 20 "h1 has the last marker 10.244.60.$nmark/32" \
	kernel_has_route h1 "10.244.60.$nmark/32" bgp
wait_for 20 "x2 got every marker, the withdrawal, nothing malformed" \
	python3 "$(topo_conf check.py)" "$TOPO_DIR/x2.json" "$TOPO_DIR/markers"
python3 "$(topo_conf check.py)" "$TOPO_DIR/x2.json" "$TOPO_DIR/markers" || true
for i in 1 2 3 4 5 6 7 8; do
	check "h1's kernel lacks 10.244.66.$i/32" kernel_lacks_route h1 "10.244.66.$i/32"
done
check "h1's kernel lacks 10.244.62.1/32 (treat-as-withdraw)" \
	kernel_lacks_route h1 10.244.62.1/32
# (10.244.61.1/32 itself went with the resets that followed: check.py saw
# it reach x2 without its Tunnel Encapsulation attribute.)
check "h1: x2's session never dropped" wrend_established h1 198.18.0.3
fds1=$(nfds "$h1pid")
topo_log "h1 descriptors: $fds0 before, $fds1 after"
check "h1: no descriptor left behind ($fds0 -> $fds1)" test "$fds1" -le "$((fds0 + 1))"
check "h1 logged the RFC 7606 actions" grep -q "treat-as-withdraw" "$TOPO_DIR/h1.wrend.log"
# 300 flooded UPDATEs + the vectors, but at most 20 + one a second logged
tawl=$(grep -c "treat-as-withdraw" "$TOPO_DIR/h1.wrend.log")
check "h1 rate-limited the flood's log lines ($tawl treat-as-withdraw lines)" \
	test "$tawl" -lt 150
check "h1 said how many it did not log" \
	grep -q "more UPDATEs with RFC 7606 actions, not logged" "$TOPO_DIR/h1.wrend.log"
wrenctl h1 -j show neighbors 198.18.0.2 >"$TOPO_DIR/h1.nb.json" 2>/dev/null || true
check "h1 still counted every treat-as-withdraw" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = d["neighbors"][0] if "neighbors" in d else d
s = json.dumps(n)
import re
m = re.search(r"\"treat_as_withdraw\": *(\d+)", s)
sys.exit(0 if m and int(m.group(1)) >= 300 else 1)' "$TOPO_DIR/h1.nb.json"
topo_done
