/*
 * tests/fuzz/fuzz_bfd.c: libFuzzer target for the BFD control packet
 * parser (bgpd/bfdpkt.c) and the session state machine (bgpd/bfdfsm.c).
 * The first octet picks the session's authentication and multiplier; the
 * rest is a series of datagrams, each preceded by its length octet.  Every
 * datagram is parsed; what parses must encode back to the same fields, and
 * is then fed to the session, which must stay consistent (a state, and a
 * Detection Time within what the packets allow).
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -Ibgpd \
 *	    tests/fuzz/fuzz_bfd.c bgpd/bfdpkt.c bgpd/bfdfsm.c lib/buf.c \
 *	    -lcrypto -o fuzz_bfd
 *	./fuzz_bfd tests/fuzz/corpus/bfd
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bfdpkt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t auth_types[] = {
	BFD_AUTH_NONE, BFD_AUTH_SIMPLE, BFD_AUTH_KEYED_SHA1,
	BFD_AUTH_MKEYED_SHA1,
};

/* What parsed encodes back to the same thing (without authentication). */
static void
fuzz_round_trip(const struct bfd_pkt *p)
{
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_pkt q;
	int n;

	if ((n = bfd_pkt_build(p, NULL, buf, sizeof(buf))) != BFD_HDR_LEN)
		abort();
	if (bfd_pkt_parse(buf, (size_t)n, &q) != BFD_OK)
		abort();
	if (q.diag != p->diag || q.state != p->state ||
	    q.detect_mult != p->detect_mult || q.my_discr != p->my_discr ||
	    q.your_discr != p->your_discr || q.des_min_tx != p->des_min_tx ||
	    q.req_min_rx != p->req_min_rx ||
	    q.req_min_echo_rx != p->req_min_echo_rx ||
	    (q.flags | BFD_F_AUTH) != (p->flags | BFD_F_AUTH))
		abort();
}

static void
fuzz_session(struct bfd_sess *s, const struct bfd_pkt *p, const uint8_t *raw)
{
	uint8_t out[BFD_PKT_MAX];
	uint64_t dt;
	int ev;

	bfd_sess_rx(s, p, raw, &ev);
	if (s->state > BFD_UP)
		abort();
	dt = bfd_sess_detect_time(s);
	if (dt > (uint64_t)255 * UINT32_MAX)
		abort();
	if (bfd_sess_build(s, (ev & BFD_EV_FINAL) != 0, out, sizeof(out)) <
	    BFD_HDR_LEN)
		abort();
	(void)bfd_sess_tx_interval(s, (uint32_t)p->my_discr);
	if (p->my_discr % 7 == 0)
		bfd_sess_timeout(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_auth auth;
	struct bfd_sess s;
	struct bfd_pkt p;
	size_t n;

	if (size < 1)
		return 0;
	memset(&auth, 0, sizeof(auth));
	auth.type = auth_types[data[0] & 3];
	auth.key_id = 1;
	auth.keylen = 6;
	memcpy(auth.key, "secret", 6);
	bfd_sess_init(&s, 0x1000, 300000, 300000, (uint8_t)(1 + (data[0] >> 2)),
	    &auth, 0);
	data++;
	size--;
	while (size > 0) {
		n = data[0] < size - 1 ? data[0] : size - 1;
		data++;
		size--;
		if (bfd_pkt_parse(data, n, &p) == BFD_OK) {
			if (!(p.flags & BFD_F_AUTH))
				fuzz_round_trip(&p);
			else
				(void)bfd_auth_verify(&auth, data, &p);
			fuzz_session(&s, &p, data);
		}
		data += n;
		size -= n;
	}
	return 0;
}
