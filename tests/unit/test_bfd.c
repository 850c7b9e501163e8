/*
 * tests/unit/test_bfd.c: BFD without sockets (bgpd/bfdpkt.c, bfdfsm.c).
 * The codec against byte vectors (the SHA1 one computed independently,
 * with Python's hashlib), every malformed-packet reason of RFC 5880
 * §6.8.6, authentication good/bad/replayed, every row of the state table,
 * timer negotiation, poll/final and jitter; then two state machines
 * talking to each other through the codec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfdpkt.h"
#include "config.h"
#include "testutil.h"

/* Down, mult 3, len 24, my 1, your 0, 1 s / 1 s, no echo */
static const uint8_t v_down[] = {
	0x20, 0x40, 0x03, 0x18, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x42, 0x40,
	0x00, 0x0f, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00,
};

/* Up, A bit, meticulous keyed SHA1, key "secret", id 1, seq 5 (hashlib) */
static const uint8_t v_sha1[] = {
	0x20, 0xc4, 0x03, 0x34, 0x11, 0x22, 0x33, 0x44,
	0x55, 0x66, 0x77, 0x88, 0x00, 0x04, 0x93, 0xe0,
	0x00, 0x04, 0x93, 0xe0, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x1c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x19, 0xb2, 0x94, 0x12, 0xa8, 0xfb, 0xf7, 0xb6,
	0x5c, 0x5a, 0xc3, 0x1b, 0x5d, 0xd4, 0xf8, 0x0c,
	0xe1, 0x56, 0x18, 0xa3,
};

static void
auth_set(struct bfd_auth *a, uint8_t type, uint8_t id, const char *key)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->key_id = id;
	a->keylen = strlen(key);
	memcpy(a->key, key, a->keylen);
}

/* ---- codec -------------------------------------------------------------- */

static void
t_parse_vector(void **state)
{
	struct bfd_pkt p;

	assert_int_equal(bfd_pkt_parse(v_down, sizeof(v_down), &p), BFD_OK);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.diag, 0);
	assert_int_equal(p.state, BFD_DOWN);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.detect_mult, 3);
	assert_int_equal(p.length, 24);
	assert_int_equal(p.my_discr, 1);
	assert_int_equal(p.your_discr, 0);
	assert_int_equal(p.des_min_tx, 1000000);
	assert_int_equal(p.req_min_rx, 1000000);
	assert_int_equal(p.req_min_echo_rx, 0);
}

static void
t_build_vector(void **state)
{
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];

	memset(&p, 0, sizeof(p));
	p.state = BFD_DOWN;
	p.detect_mult = 3;
	p.my_discr = 1;
	p.des_min_tx = p.req_min_rx = 1000000;
	assert_int_equal(bfd_pkt_build(&p, NULL, buf, sizeof(buf)), 24);
	assert_memory_equal(buf, v_down, sizeof(v_down));
	/* one octet short of room */
	assert_int_equal(bfd_pkt_build(&p, NULL, buf, 23), -1);
}

static void
t_sha1_vector(void **state)
{
	struct bfd_auth a;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];

	auth_set(&a, BFD_AUTH_MKEYED_SHA1, 1, "secret");
	memset(&p, 0, sizeof(p));
	p.state = BFD_UP;
	p.detect_mult = 3;
	p.my_discr = 0x11223344;
	p.your_discr = 0x55667788;
	p.des_min_tx = p.req_min_rx = 300000;
	p.auth_seq = 5;
	assert_int_equal(bfd_pkt_build(&p, &a, buf, sizeof(buf)), 52);
	assert_memory_equal(buf, v_sha1, sizeof(v_sha1));
	/* and back */
	assert_int_equal(bfd_pkt_parse(v_sha1, sizeof(v_sha1), &p), BFD_OK);
	assert_int_equal(p.auth_type, BFD_AUTH_MKEYED_SHA1);
	assert_int_equal(p.auth_len, 28);
	assert_int_equal(p.auth_key_id, 1);
	assert_int_equal(p.auth_seq, 5);
	assert_int_equal(bfd_auth_verify(&a, v_sha1, &p), 0);
}

static void
t_sha1_bad(void **state)
{
	struct bfd_auth a;
	struct bfd_pkt p;
	uint8_t buf[sizeof(v_sha1)];

	auth_set(&a, BFD_AUTH_MKEYED_SHA1, 1, "secreT");
	assert_int_equal(bfd_pkt_parse(v_sha1, sizeof(v_sha1), &p), BFD_OK);
	assert_int_equal(bfd_auth_verify(&a, v_sha1, &p), -1);	/* key */
	auth_set(&a, BFD_AUTH_MKEYED_SHA1, 2, "secret");
	/* key id */
	assert_int_equal(bfd_auth_verify(&a, v_sha1, &p), -1);
	auth_set(&a, BFD_AUTH_KEYED_SHA1, 1, "secret");
	assert_int_equal(bfd_auth_verify(&a, v_sha1, &p), -1);	/* type */
	/* one bit changed in the header: the digest no longer matches */
	auth_set(&a, BFD_AUTH_MKEYED_SHA1, 1, "secret");
	memcpy(buf, v_sha1, sizeof(buf));
	buf[15] ^= 1;
	assert_int_equal(bfd_pkt_parse(buf, sizeof(buf), &p), BFD_OK);
	assert_int_equal(bfd_auth_verify(&a, buf, &p), -1);
}

static void
t_simple_auth(void **state)
{
	struct bfd_auth a, b;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	int n;

	auth_set(&a, BFD_AUTH_SIMPLE, 9, "hunter2");
	memset(&p, 0, sizeof(p));
	p.state = BFD_DOWN;
	p.detect_mult = 1;
	p.my_discr = 7;
	n = bfd_pkt_build(&p, &a, buf, sizeof(buf));
	assert_int_equal(n, 24 + 3 + 7);
	assert_int_equal(buf[1] & BFD_F_AUTH, BFD_F_AUTH);
	assert_int_equal(buf[24], BFD_AUTH_SIMPLE);
	assert_int_equal(buf[25], 10);
	assert_int_equal(buf[26], 9);
	assert_memory_equal(buf + 27, "hunter2", 7);
	assert_int_equal(bfd_pkt_parse(buf, (size_t)n, &p), BFD_OK);
	assert_int_equal(bfd_auth_verify(&a, buf, &p), 0);
	auth_set(&b, BFD_AUTH_SIMPLE, 9, "hunter3");
	assert_int_equal(bfd_auth_verify(&b, buf, &p), -1);
	auth_set(&b, BFD_AUTH_SIMPLE, 9, "hunter");	/* a prefix */
	assert_int_equal(bfd_auth_verify(&b, buf, &p), -1);
}

/* A Down packet of len octets (Length field too), to break one field. */
static void
pkt_down(uint8_t *b, size_t len)
{
	memset(b, 0, len);
	memcpy(b, v_down, sizeof(v_down));
	b[3] = (uint8_t)len;
}

static void
t_malformed(void **state)
{
	uint8_t b[64];
	struct bfd_pkt p;

	assert_int_equal(bfd_pkt_parse(v_down, 23, &p), BFD_E_SHORT);
	assert_int_equal(bfd_pkt_parse(v_down, 0, &p), BFD_E_SHORT);
	pkt_down(b, 24);
	b[0] = 0x40;	/* version 2 */
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_VERSION);
	pkt_down(b, 24);
	b[0] = 0x00;	/* version 0 */
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_VERSION);
	pkt_down(b, 24);
	b[3] = 23;
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_LENGTH);
	pkt_down(b, 24);
	b[3] = 25;	/* more than the datagram */
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_SHORT);
	pkt_down(b, 24);
	b[2] = 0;
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_MULT);
	pkt_down(b, 24);
	b[1] |= BFD_F_MULTIPOINT;
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_MULTIPOINT);
	pkt_down(b, 24);
	b[7] = 0;
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_MY_DISCR);
	pkt_down(b, 24);
	b[1] = BFD_UP << 6;	/* Up, but Your Discriminator zero */
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_YOUR_DISCR);
	b[1] = BFD_INIT << 6;
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_YOUR_DISCR);
	b[1] = BFD_ADMIN_DOWN << 6;
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_OK);
	/* octets after Length are not the packet's */
	pkt_down(b, 24);
	assert_int_equal(bfd_pkt_parse(b, 40, &p), BFD_OK);
}

static void
t_malformed_auth(void **state)
{
	uint8_t b[64];
	struct bfd_pkt p;

	pkt_down(b, 24);
	b[1] |= BFD_F_AUTH;	/* A bit, no room for a section */
	assert_int_equal(bfd_pkt_parse(b, 24, &p), BFD_E_LENGTH);
	pkt_down(b, 26);
	b[1] |= BFD_F_AUTH;
	b[24] = BFD_AUTH_SIMPLE;
	b[25] = 2;	/* no password at all */
	assert_int_equal(bfd_pkt_parse(b, 26, &p), BFD_E_AUTH_FORMAT);
	pkt_down(b, 24 + 20);
	b[1] |= BFD_F_AUTH;
	b[24] = BFD_AUTH_SIMPLE;
	b[25] = 20;	/* 17 octets of password */
	assert_int_equal(bfd_pkt_parse(b, 44, &p), BFD_E_AUTH_FORMAT);
	pkt_down(b, 24 + 5);
	b[1] |= BFD_F_AUTH;
	b[24] = BFD_AUTH_SIMPLE;
	b[25] = 6;	/* Auth Len beyond Length */
	assert_int_equal(bfd_pkt_parse(b, 29, &p), BFD_E_AUTH_FORMAT);
	pkt_down(b, 24 + 27);
	b[1] |= BFD_F_AUTH;
	b[24] = BFD_AUTH_KEYED_SHA1;
	b[25] = 27;	/* SHA1 is 28 */
	assert_int_equal(bfd_pkt_parse(b, 51, &p), BFD_E_AUTH_FORMAT);
	pkt_down(b, 24 + 4);
	b[1] |= BFD_F_AUTH;
	b[24] = 6;	/* unknown type */
	b[25] = 4;
	assert_int_equal(bfd_pkt_parse(b, 28, &p), BFD_E_AUTH_FORMAT);
	/* keyed MD5 is well formed (parsed), never verified */
	pkt_down(b, 24 + 24);
	b[1] |= BFD_F_AUTH;
	b[24] = BFD_AUTH_KEYED_MD5;
	b[25] = 24;
	assert_int_equal(bfd_pkt_parse(b, 48, &p), BFD_OK);
	assert_int_equal(p.auth_datalen, 16);
}

static void
t_names(void **state)
{
	assert_string_equal(bfd_state_name(BFD_UP), "Up");
	assert_string_equal(bfd_state_name(9), "?");
	assert_string_equal(bfd_diag_name(BFD_DIAG_DETECT),
	    "Control Detection Time Expired");
	assert_string_equal(bfd_diag_name(31), "Reserved");
	assert_string_equal(bfd_perr_name(BFD_E_VERSION), "bad_version");
}

/* ---- state machine ------------------------------------------------------ */

#define MS	1000u

static void
sess_new(struct bfd_sess *s, uint32_t ms, uint8_t mult)
{
	bfd_sess_init(s, 0x1000, ms * MS, ms * MS, mult, NULL, 0);
}

/* A packet from the neighbor (discriminator 0x2000) in state st. */
static struct bfd_pkt
from_peer(uint8_t st, uint32_t your, uint32_t tx_ms, uint32_t rx_ms,
    uint8_t flags)
{
	struct bfd_pkt p;

	memset(&p, 0, sizeof(p));
	p.version = 1;
	p.state = st;
	p.flags = flags;
	p.detect_mult = 3;
	p.length = 24;
	p.my_discr = 0x2000;
	p.your_discr = your;
	p.des_min_tx = tx_ms * MS;
	p.req_min_rx = rx_ms * MS;
	return p;
}

static int
rx(struct bfd_sess *s, uint8_t st, uint8_t flags)
{
	struct bfd_pkt p = from_peer(st, st == BFD_DOWN ? 0 : 0x1000, 1000,
	    300, flags);
	int ev = -1;

	assert_int_equal(bfd_sess_rx(s, &p, NULL, &ev), BFD_R_OK);
	return ev;
}

static void
t_initial(void **state)
{
	struct bfd_sess s;

	sess_new(&s, 300, 3);
	assert_int_equal(s.state, BFD_DOWN);
	assert_int_equal(s.remote_discr, 0);
	assert_int_equal(s.remote_min_rx, 1);	/* §6.8.1 */
	/* §6.8.3: at least 1 s while not Up */
	assert_int_equal(s.des_min_tx, 1000 * MS);
	assert_int_equal(s.req_min_rx, 300 * MS);
	assert_int_equal(bfd_sess_detect_time(&s), 0);
}

static void
t_down_transitions(void **state)
{
	struct bfd_sess s;
	int ev;

	sess_new(&s, 300, 3);
	ev = rx(&s, BFD_DOWN, 0);
	assert_int_equal(s.state, BFD_INIT);
	assert_true(ev & BFD_EV_STATE);
	assert_false(ev & (BFD_EV_UP | BFD_EV_DOWN));
	assert_int_equal(s.remote_discr, 0x2000);
	sess_new(&s, 300, 3);
	ev = rx(&s, BFD_INIT, 0);
	assert_int_equal(s.state, BFD_UP);
	assert_true(ev & BFD_EV_UP);
	sess_new(&s, 300, 3);
	ev = rx(&s, BFD_UP, 0);	/* Up while we are Down: ignored */
	assert_int_equal(s.state, BFD_DOWN);
	assert_false(ev & BFD_EV_STATE);
	ev = rx(&s, BFD_ADMIN_DOWN, 0);
	assert_int_equal(s.state, BFD_DOWN);
	assert_false(ev & BFD_EV_STATE);
}

static void
t_init_transitions(void **state)
{
	struct bfd_sess s;
	int ev;

	sess_new(&s, 300, 3);
	rx(&s, BFD_DOWN, 0);
	ev = rx(&s, BFD_DOWN, 0);	/* stays Init */
	assert_int_equal(s.state, BFD_INIT);
	assert_false(ev & BFD_EV_STATE);
	ev = rx(&s, BFD_INIT, 0);
	assert_int_equal(s.state, BFD_UP);
	assert_true(ev & BFD_EV_UP);
	sess_new(&s, 300, 3);
	rx(&s, BFD_DOWN, 0);
	ev = rx(&s, BFD_UP, 0);
	assert_int_equal(s.state, BFD_UP);
	sess_new(&s, 300, 3);
	rx(&s, BFD_DOWN, 0);
	ev = rx(&s, BFD_ADMIN_DOWN, 0);
	assert_int_equal(s.state, BFD_DOWN);
	assert_int_equal(s.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_false(ev & BFD_EV_DOWN);	/* it was never Up */
}

static void
go_up(struct bfd_sess *s)
{
	rx(s, BFD_INIT, 0);
	assert_int_equal(s->state, BFD_UP);
}

static void
t_up_transitions(void **state)
{
	struct bfd_sess s;
	int ev;

	sess_new(&s, 300, 3);
	go_up(&s);
	ev = rx(&s, BFD_UP, 0) | rx(&s, BFD_INIT, 0);
	assert_int_equal(s.state, BFD_UP);
	assert_false(ev & BFD_EV_STATE);
	ev = rx(&s, BFD_DOWN, 0);
	assert_int_equal(s.state, BFD_DOWN);
	assert_true(ev & BFD_EV_DOWN);
	assert_int_equal(s.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(s.last_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_false(s.rx_admin_down);
	assert_int_equal(s.flaps, 1);
	/* back to 1 s while not Up */
	assert_int_equal(s.des_min_tx, 1000 * MS);
	/* AdminDown from the neighbor: Down, but marked as such */
	sess_new(&s, 300, 3);
	go_up(&s);
	ev = rx(&s, BFD_ADMIN_DOWN, 0);
	assert_int_equal(s.state, BFD_DOWN);
	assert_true(ev & BFD_EV_DOWN);
	assert_true(s.rx_admin_down);
}

static void
t_timeout(void **state)
{
	struct bfd_sess s;
	int ev;

	sess_new(&s, 300, 3);
	go_up(&s);
	ev = bfd_sess_timeout(&s);
	assert_int_equal(s.state, BFD_DOWN);
	assert_true(ev & BFD_EV_DOWN);
	assert_int_equal(s.diag, BFD_DIAG_DETECT);
	assert_int_equal(s.remote_discr, 0);	/* §6.8.1 */
	ev = bfd_sess_timeout(&s);	/* Down stays Down */
	assert_int_equal(ev, 0);
	assert_int_equal(s.state, BFD_DOWN);
	sess_new(&s, 300, 3);
	rx(&s, BFD_DOWN, 0);
	ev = bfd_sess_timeout(&s);	/* Init too */
	assert_int_equal(s.state, BFD_DOWN);
	assert_false(ev & BFD_EV_DOWN);
}

static void
t_admin(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p = from_peer(BFD_INIT, 0x1000, 1000, 300, 0);
	uint8_t buf[BFD_PKT_MAX];
	int ev;

	sess_new(&s, 300, 3);
	go_up(&s);
	ev = bfd_sess_admin(&s, 1, BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(s.state, BFD_ADMIN_DOWN);
	assert_true(ev & BFD_EV_STATE);
	assert_int_equal(bfd_sess_rx(&s, &p, NULL, &ev), BFD_R_ADMIN);
	assert_int_equal(s.state, BFD_ADMIN_DOWN);
	/* what goes out says AdminDown, diag 7 */
	assert_int_equal(bfd_sess_build(&s, 0, buf, sizeof(buf)), 24);
	assert_int_equal(buf[1] >> 6, BFD_ADMIN_DOWN);
	assert_int_equal(buf[0] & 0x1f, BFD_DIAG_ADMIN_DOWN);
	bfd_sess_admin(&s, 0, 0);
	assert_int_equal(s.state, BFD_DOWN);
}

static void
t_negotiation(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p;
	int ev;

	sess_new(&s, 100, 3);
	go_up(&s);
	/* the neighbor wants 200 ms to and from it */
	p = from_peer(BFD_UP, 0x1000, 200, 200, 0);
	bfd_sess_rx(&s, &p, NULL, &ev);
	/* §6.8.2: the slower; §6.8.4: its multiplier x the slower */
	assert_int_equal(bfd_sess_detect_time(&s), 3 * 200 * MS);
	/* §6.8.7: 75 % .. 100 % */
	assert_int_equal(bfd_sess_tx_interval(&s, 0), 150 * MS);
	assert_true(bfd_sess_tx_interval(&s, 999) <= 200 * MS);
	assert_true(bfd_sess_tx_interval(&s, 999) > 190 * MS);
	/* a faster neighbor: ours is the slower */
	p = from_peer(BFD_UP, 0x1000, 50, 50, 0);
	bfd_sess_rx(&s, &p, NULL, &ev);
	assert_int_equal(bfd_sess_detect_time(&s), 3 * 100 * MS);
	assert_true(bfd_sess_tx_interval(&s, 999) <= 100 * MS);
	/* §6.8.4: the Detect Mult it sends, not ours */
	p = from_peer(BFD_UP, 0x1000, 50, 50, 0);
	p.detect_mult = 7;
	bfd_sess_rx(&s, &p, NULL, &ev);
	assert_int_equal(bfd_sess_detect_time(&s), 7 * 100 * MS);
	/* §6.8.7: none while Demand mode is active on the remote */
	p = from_peer(BFD_UP, 0x1000, 50, 50, BFD_F_DEMAND);
	bfd_sess_rx(&s, &p, NULL, &ev);
	assert_int_equal(bfd_sess_tx_interval(&s, 500), 0);
	/* §6.8.7: no periodic packets when it asks for none */
	p = from_peer(BFD_UP, 0x1000, 50, 0, 0);
	bfd_sess_rx(&s, &p, NULL, &ev);
	assert_int_equal(bfd_sess_tx_interval(&s, 500), 0);
}

static void
t_jitter_mult1(void **state)
{
	struct bfd_sess s;
	uint32_t r;

	sess_new(&s, 1000, 1);
	for (r = 0; r < 1000; r++) {
		uint64_t v = bfd_sess_tx_interval(&s, r);

		assert_true(v >= 750 * MS);
		assert_true(v <= 900 * MS);	/* §6.8.7, mult 1 */
	}
}

static void
t_poll_final(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	int ev;

	sess_new(&s, 100, 3);
	go_up(&s);
	/* Up: from 1 s to 100 ms, in a poll sequence (§6.8.3) */
	assert_int_equal(s.des_min_tx, 100 * MS);
	assert_true(s.polling);
	assert_int_equal(s.tx_used, 100 * MS);	/* a decrease: at once */
	bfd_sess_build(&s, 0, buf, sizeof(buf));
	assert_int_equal(buf[1] & (BFD_F_POLL | BFD_F_FINAL), BFD_F_POLL);
	/* its Poll is answered with F and no P, even while we poll */
	p = from_peer(BFD_UP, 0x1000, 100, 100, BFD_F_POLL);
	bfd_sess_rx(&s, &p, NULL, &ev);
	assert_true(ev & BFD_EV_FINAL);
	bfd_sess_build(&s, 1, buf, sizeof(buf));
	assert_int_equal(buf[1] & (BFD_F_POLL | BFD_F_FINAL), BFD_F_FINAL);
	/* its Final ends ours */
	p = from_peer(BFD_UP, 0x1000, 100, 100, BFD_F_FINAL);
	bfd_sess_rx(&s, &p, NULL, &ev);
	assert_false(s.polling);
	bfd_sess_build(&s, 0, buf, sizeof(buf));
	assert_int_equal(buf[1] & (BFD_F_POLL | BFD_F_FINAL), 0);
	/* slower TX while Up: the old rate until the Final */
	ev = bfd_sess_set_params(&s, 500 * MS, 100 * MS, 3);
	assert_true(ev & BFD_EV_TIMERS);
	assert_true(s.polling);
	assert_int_equal(s.des_min_tx, 500 * MS);
	assert_int_equal(s.tx_used, 100 * MS);
	/* faster RX: the old value for its detection time until the Final */
	bfd_sess_set_params(&s, 500 * MS, 20 * MS, 3);
	assert_int_equal(s.req_min_rx, 20 * MS);
	assert_int_equal(s.rx_used, 100 * MS);
	p = from_peer(BFD_UP, 0x1000, 10, 10, BFD_F_FINAL);
	bfd_sess_rx(&s, &p, NULL, &ev);
	assert_int_equal(s.tx_used, 500 * MS);
	assert_int_equal(s.rx_used, 20 * MS);
	assert_int_equal(bfd_sess_detect_time(&s), 3 * 20 * MS);
	/* no change, no poll */
	assert_int_equal(bfd_sess_set_params(&s, 500 * MS, 20 * MS, 3), 0);
	assert_false(s.polling);
}

/* ---- authentication in the session (§6.7) ------------------------------- */

static void
sha1_pkt(const struct bfd_auth *a, uint32_t seq, uint8_t *buf,
    struct bfd_pkt *out)
{
	struct bfd_pkt p = from_peer(BFD_DOWN, 0, 1000, 1000, 0);

	p.auth_seq = seq;
	assert_int_equal(bfd_pkt_build(&p, a, buf, BFD_PKT_MAX), 52);
	assert_int_equal(bfd_pkt_parse(buf, 52, out), BFD_OK);
}

static void
t_auth_seq(void **state)
{
	struct bfd_auth a;
	struct bfd_sess s;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	int ev;

	auth_set(&a, BFD_AUTH_MKEYED_SHA1, 4, "k");
	bfd_sess_init(&s, 0x1000, 300 * MS, 300 * MS, 3, &a, 0);
	sha1_pkt(&a, 100, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	/* replayed: meticulous wants a higher number */
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_AUTH_SEQ);
	sha1_pkt(&a, 101, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	sha1_pkt(&a, 101 + 3 * 3 + 1, buf, &p);	/* past the window */
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_AUTH_SEQ);
	sha1_pkt(&a, 101 + 3 * 3, buf, &p);	/* the window's edge */
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	/* twice the detection time of silence: any number again */
	bfd_sess_timeout(&s);
	bfd_sess_timeout(&s);
	sha1_pkt(&a, 3, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	/* keyed (not meticulous): the same number is fine */
	auth_set(&a, BFD_AUTH_KEYED_SHA1, 4, "k");
	bfd_sess_init(&s, 0x1000, 300 * MS, 300 * MS, 3, &a, 0);
	sha1_pkt(&a, 0xffffffff, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	sha1_pkt(&a, 2, buf, &p);	/* wraps around */
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
}

/*
 * §6.7.3: the window is 3 x the Detect Mult in the packet (the sender
 * may lose that many before its session times out), not our multiplier.
 */
static void
t_auth_seq_remote_mult(void **state)
{
	struct bfd_auth a;
	struct bfd_sess s;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	int ev;

	auth_set(&a, BFD_AUTH_MKEYED_SHA1, 4, "k");
	bfd_sess_init(&s, 0x1000, 300 * MS, 300 * MS, 1, &a, 0);
	sha1_pkt(&a, 100, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	/* it sends with multiplier 5: 14 packets lost are in the window */
	p = from_peer(BFD_DOWN, 0, 1000, 1000, 0);
	p.detect_mult = 5;
	p.auth_seq = 115;
	assert_int_equal(bfd_pkt_build(&p, &a, buf, BFD_PKT_MAX), 52);
	assert_int_equal(bfd_pkt_parse(buf, 52, &p), BFD_OK);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_OK);
	/* and 3 x 5 + 1 after it is not */
	p = from_peer(BFD_DOWN, 0, 1000, 1000, 0);
	p.detect_mult = 5;
	p.auth_seq = 115 + 16;
	assert_int_equal(bfd_pkt_build(&p, &a, buf, BFD_PKT_MAX), 52);
	assert_int_equal(bfd_pkt_parse(buf, 52, &p), BFD_OK);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_AUTH_SEQ);
}

static void
t_auth_mismatch(void **state)
{
	struct bfd_auth a, b;
	struct bfd_sess s;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	int ev;

	auth_set(&a, BFD_AUTH_MKEYED_SHA1, 4, "k");
	auth_set(&b, BFD_AUTH_MKEYED_SHA1, 4, "other");
	bfd_sess_init(&s, 0x1000, 300 * MS, 300 * MS, 3, &a, 0);
	sha1_pkt(&b, 1, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_AUTH_BAD);
	assert_int_equal(s.state, BFD_DOWN);
	assert_int_equal(s.remote_discr, 0);	/* nothing taken */
	p = from_peer(BFD_DOWN, 0, 1000, 1000, 0);	/* no A bit */
	assert_int_equal(bfd_sess_rx(&s, &p, NULL, &ev), BFD_R_AUTH_MISSING);
	auth_set(&b, BFD_AUTH_MKEYED_SHA1, 5, "k");	/* key id */
	sha1_pkt(&b, 1, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_AUTH_TYPE);
	/* no auth configured, A bit received */
	bfd_sess_init(&s, 0x1000, 300 * MS, 300 * MS, 3, NULL, 0);
	sha1_pkt(&a, 1, buf, &p);
	assert_int_equal(bfd_sess_rx(&s, &p, buf, &ev), BFD_R_AUTH_MISSING);
}

/* ---- two sessions, through the codec ------------------------------------ */

/* a sends one packet to b; returns b's events. */
static int
deliver(struct bfd_sess *a, struct bfd_sess *b, int final)
{
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_pkt p;
	int n, ev;

	n = bfd_sess_build(a, final, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(bfd_pkt_parse(buf, (size_t)n, &p), BFD_OK);
	assert_int_equal(bfd_sess_rx(b, &p, buf, &ev), BFD_R_OK);
	return ev;
}

static void
t_two_sessions(void **state)
{
	struct bfd_auth auth;
	struct bfd_sess a, b;
	int ev;

	auth_set(&auth, BFD_AUTH_MKEYED_SHA1, 1, "shared");
	bfd_sess_init(&a, 111, 100 * MS, 100 * MS, 3, &auth, 1000);
	bfd_sess_init(&b, 222, 300 * MS, 300 * MS, 3, &auth, 77);
	deliver(&a, &b, 0);	/* Down -> b Init */
	assert_int_equal(b.state, BFD_INIT);
	ev = deliver(&b, &a, 0);	/* Init -> a Up */
	assert_true(ev & BFD_EV_UP);
	ev = deliver(&a, &b, 0);	/* Up, with P -> b Up, owes F */
	assert_true(ev & BFD_EV_UP);
	assert_true(ev & BFD_EV_FINAL);
	assert_int_equal(b.remote_discr, 111);
	assert_int_equal(a.remote_discr, 222);
	deliver(&b, &a, 1);	/* the Final */
	assert_false(a.polling);
	ev = deliver(&b, &a, 0);	/* b's own poll */
	assert_true(ev & BFD_EV_FINAL);
	deliver(&a, &b, 1);
	assert_false(b.polling);
	/* both on 300 ms, the slower */
	assert_int_equal(bfd_sess_detect_time(&a), 900 * MS);
	assert_int_equal(bfd_sess_detect_time(&b), 900 * MS);
	assert_true(bfd_sess_tx_interval(&a, 999) <= 300 * MS);
	assert_true(bfd_sess_tx_interval(&a, 0) >= 225 * MS);
	/* a stops: AdminDown; b goes Down, as an AdminDown */
	bfd_sess_admin(&a, 1, BFD_DIAG_ADMIN_DOWN);
	ev = deliver(&a, &b, 0);
	assert_true(ev & BFD_EV_DOWN);
	assert_true(b.rx_admin_down);
	assert_int_equal(b.flaps, 1);
}

/* ---- peers.conf: bfd ... (bgpd/config.c) -------------------------------- */

#define H	"router-id 10.0.0.1\nlocal-as 65000\n"

/*
 * Parse a valid config; its first neighbor has BFD on with this interval,
 * multiplier and multihop flag.
 */
static struct wren_config *
conf_bfd_on(const char *text, unsigned interval, unsigned mult, int multihop)
{
	struct wren_config *c = tu_parse_ok(text);
	const struct bfd_conf *b = &c->neighbors->bfd;

	assert_true(b->enabled);
	assert_int_equal(b->interval, interval);
	assert_int_equal(b->multiplier, mult);
	assert_int_equal(b->multihop, multihop);
	return c;
}

static void
t_conf_defaults(void **state)
{
	struct wren_config *c;

	c = conf_bfd_on(H "neighbor 10.0.0.2 {\n remote-as 65000\n bfd\n}\n"
	    "neighbor 10.0.0.3 {\n remote-as 65000\n}\n", 300, 3, 0);
	assert_int_equal(c->neighbors->bfd.auth, 0);
	assert_false(c->neighbors->next->bfd.enabled);
	config_free(c);
}

static void
t_conf_full(void **state)
{
	struct wren_config *c;
	const struct bfd_conf *b;

	c = conf_bfd_on(H "neighbor 10.0.0.2 {\n remote-as 65000\n"
	    " bfd interval 50 multiplier 5 multihop min-ttl 250 auth "
	    "keyed-sha1 key-id 2 password \"abc\"\n}\n", 50, 5, 1);
	b = &c->neighbors->bfd;
	assert_int_equal(b->min_ttl, 250);
	assert_int_equal(b->auth, CONF_BFD_AUTH_SHA1);
	assert_int_equal(b->key_id, 2);
	assert_string_equal(b->password, "abc");
	config_free(c);
}

static void
t_conf_group(void **state)
{
	struct wren_config *c;
	const struct neighbor_conf *n;

	c = tu_parse_ok(H "group \"g\" {\n remote-as 65000\n bfd interval 100\n"
	    " neighbor 10.0.0.2\n"
	    " neighbor 10.0.0.3 {\n  bfd multiplier 4\n }\n"
	    " neighbor 10.0.0.4 {\n  bfd off\n }\n}\n");
	n = c->neighbors;
	assert_int_equal(n->bfd.interval, 100);
	assert_int_equal(n->bfd.multiplier, 3);
	n = n->next;
	assert_int_equal(n->bfd.interval, 100);	/* the group's */
	assert_int_equal(n->bfd.multiplier, 4);
	n = n->next;
	assert_false(n->bfd.enabled);
	config_free(c);
}

static void
t_conf_errors(void **state)
{
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd interval 5\n"
	    "}\n",
	    "t.conf:5: bfd interval: 5 is out of range (10..60000)");
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd multiplier 0\n}"
	    "\n",
	    "t.conf:5: bfd multiplier: 0 is out of range (1..255)");
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd auth md5 "
	    "key-id 1 "
	    "password \"x\"\n}\n", "t.conf:5: bfd auth: unknown type 'md5'");
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd auth simple "
	    "key-id 1 password \"12345678901234567\"\n}\n",
	    "t.conf:5: bfd auth password: too long (max 16 characters)");
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd auth "
	    "keyed-sha1 key-id 1 password \"\"\n}\n",
	    "t.conf:5: bfd auth password: must not be empty");
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd auth "
	    "keyed-sha1 password \"x\"\n}\n", "t.conf:5: bfd auth: expected key-id N");
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd fast\n}\n",
	    "t.conf:5: bfd:");
	tu_parse_err(H "neighbor 10.0.0.2 {\n remote-as 1\n bfd\n bfd off\n}\n",
	    "t.conf:6:");
}

static void
t_conf_print(void **state)
{
	struct wren_config *a, *b;
	char *s1, *s2;

	a = tu_parse_ok(H "neighbor 10.0.0.2 {\n remote-as 65000\n"
	    " bfd auth meticulous-keyed-sha1 key-id 9 password \"p\\\"q\" "
	    "multihop interval 20\n}\n"
	    "neighbor 10.0.0.3 {\n remote-as 65000\n bfd\n}\n");
	s1 = tu_print(a);
	assert_non_null(strstr(s1, "\tbfd interval 20 multiplier 3 multihop "
	    "auth meticulous-keyed-sha1 key-id 9 password \"p\\\"q\"\n"));
	assert_non_null(strstr(s1, "\tbfd interval 300 multiplier 3\n"));
	b = tu_parse_ok(s1);
	assert_memory_equal(&a->neighbors->bfd, &b->neighbors->bfd,
	    sizeof(struct bfd_conf));
	s2 = tu_print(b);
	assert_string_equal(s1, s2);
	/* enabling or changing BFD needs no new BGP session */
	assert_int_equal(config_neighbor_differs(a->neighbors,
	    a->neighbors->next), 1);	/* other address */
	b->neighbors->bfd.interval = 1000;
	b->neighbors->bfd.enabled = 0;
	assert_int_equal(config_neighbor_differs(a->neighbors, b->neighbors),
	    0);
	config_free(a);
	config_free(b);
	free(s1);
	free(s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse_vector),
		cmocka_unit_test(t_build_vector),
		cmocka_unit_test(t_sha1_vector),
		cmocka_unit_test(t_sha1_bad),
		cmocka_unit_test(t_simple_auth),
		cmocka_unit_test(t_malformed),
		cmocka_unit_test(t_malformed_auth),
		cmocka_unit_test(t_names),
		cmocka_unit_test(t_initial),
		cmocka_unit_test(t_down_transitions),
		cmocka_unit_test(t_init_transitions),
		cmocka_unit_test(t_up_transitions),
		cmocka_unit_test(t_timeout),
		cmocka_unit_test(t_admin),
		cmocka_unit_test(t_negotiation),
		cmocka_unit_test(t_jitter_mult1),
		cmocka_unit_test(t_poll_final),
		cmocka_unit_test(t_auth_seq),
		cmocka_unit_test(t_auth_seq_remote_mult),
		cmocka_unit_test(t_auth_mismatch),
		cmocka_unit_test(t_two_sessions),
		cmocka_unit_test(t_conf_defaults),
		cmocka_unit_test(t_conf_full),
		cmocka_unit_test(t_conf_group),
		cmocka_unit_test(t_conf_errors),
		cmocka_unit_test(t_conf_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
