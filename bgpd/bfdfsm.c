/*
 * bgpd/bfdfsm.c: the asynchronous-mode state machine of one BFD session
 * (RFC 5880 §6.8), with no sockets and no clock: bgpd/bfd.c feeds it
 * packets and timer expiries and acts on the BFD_EV_* it returns.  We are
 * always Active (§6.1), never in Demand mode, without the Echo function.
 */
#include <string.h>

#include "bfdpkt.h"

static uint32_t
max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/*
 * §6.8.3: the intervals we ask for now (at least one second while not
 * Up).  A change starts a poll sequence when Up; until its Final, an
 * increased transmit interval and a reduced receive interval are not used.
 */
static int
sess_apply(struct bfd_sess *s)
{
	uint32_t tx = s->state == BFD_UP ? s->conf_tx :
	    max32(s->conf_tx, BFD_SLOW_TX);
	uint32_t rx = s->conf_rx;

	if (tx == s->des_min_tx && rx == s->req_min_rx)
		return 0;
	s->des_min_tx = tx;
	s->req_min_rx = rx;
	if (s->state != BFD_UP) {
		s->tx_used = tx;
		s->rx_used = rx;
		return BFD_EV_TIMERS;
	}
	if (tx < s->tx_used)
		s->tx_used = tx;
	if (rx > s->rx_used)
		s->rx_used = rx;
	s->polling = 1;		/* §6.5 */
	return BFD_EV_TIMERS;
}

static int
sess_set_state(struct bfd_sess *s, uint8_t st, uint8_t diag)
{
	int ev = BFD_EV_STATE;

	if (s->state == st)
		return 0;
	if (s->state == BFD_UP) {
		s->flaps++;
		ev |= BFD_EV_DOWN;
	}
	if (st == BFD_UP)
		ev |= BFD_EV_UP;
	if (st == BFD_DOWN || st == BFD_ADMIN_DOWN) {
		s->last_diag = diag;
		s->polling = 0;
	}
	s->diag = diag;
	s->state = st;
	return ev | sess_apply(s);
}

void
bfd_sess_init(struct bfd_sess *s, uint32_t local_discr, uint32_t tx,
    uint32_t rx, uint8_t mult, const struct bfd_auth *auth, uint32_t seq0)
{
	memset(s, 0, sizeof(*s));
	/* §6.8.1 initial values */
	s->state = s->remote_state = BFD_DOWN;
	s->local_discr = local_discr;
	s->remote_min_rx = 1;
	s->detect_mult = mult;
	s->conf_tx = tx;
	s->conf_rx = rx;
	if (auth != NULL)
		s->auth = *auth;
	s->xmit_auth_seq = seq0;
	sess_apply(s);
}

int
bfd_sess_set_params(struct bfd_sess *s, uint32_t tx, uint32_t rx,
    uint8_t mult)
{
	int ev = 0;

	if (mult != s->detect_mult) {
		s->detect_mult = mult;
		ev = BFD_EV_TIMERS;
	}
	s->conf_tx = tx;
	s->conf_rx = rx;
	return ev | sess_apply(s);
}

/*
 * §6.7.3: is the packet's sequence number within the window after the last
 * one accepted?  The window is 3 x the Detect Mult of the packet (the
 * sender's: how many of its packets may be lost before it is declared
 * down), not our own multiplier.
 */
static int
auth_seq_ok(const struct bfd_sess *s, const struct bfd_pkt *p)
{
	uint32_t lo = s->rcv_auth_seq, span = 3u * p->detect_mult;
	uint32_t seq = p->auth_seq;

	if (!s->auth_seq_known)
		return 1;
	if (s->auth.type == BFD_AUTH_MKEYED_SHA1)
		lo++;	/* meticulous: strictly increasing */
	else
		span++;
	return (uint32_t)(seq - lo) < span;
}

static enum bfd_rerr
sess_auth(struct bfd_sess *s, const struct bfd_pkt *p, const uint8_t *raw)
{
	int a = (p->flags & BFD_F_AUTH) != 0;

	/* §6.8.6: the A bit must agree with our bfd.AuthType */
	if (a != (s->auth.type != BFD_AUTH_NONE))
		return BFD_R_AUTH_MISSING;
	if (!a)
		return BFD_R_OK;
	if (p->auth_type != s->auth.type || p->auth_key_id != s->auth.key_id)
		return BFD_R_AUTH_TYPE;
	if (s->auth.type != BFD_AUTH_SIMPLE && !auth_seq_ok(s, p))
		return BFD_R_AUTH_SEQ;
	if (bfd_auth_verify(&s->auth, raw, p) == -1)
		return BFD_R_AUTH_BAD;
	if (s->auth.type != BFD_AUTH_SIMPLE) {
		s->rcv_auth_seq = p->auth_seq;
		s->auth_seq_known = 1;
	}
	return BFD_R_OK;
}

/* §6.8.6: the state table. */
static int
sess_transition(struct bfd_sess *s, uint8_t rstate)
{
	if (rstate == BFD_ADMIN_DOWN) {
		if (s->state == BFD_DOWN)
			return 0;
		s->rx_admin_down = 1;
		return sess_set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
	}
	switch (s->state) {
	case BFD_DOWN:
		if (rstate == BFD_DOWN)
			return sess_set_state(s, BFD_INIT, BFD_DIAG_NONE);
		if (rstate == BFD_INIT)
			return sess_set_state(s, BFD_UP, BFD_DIAG_NONE);
		break;
	case BFD_INIT:
		if (rstate == BFD_INIT || rstate == BFD_UP)
			return sess_set_state(s, BFD_UP, BFD_DIAG_NONE);
		break;
	case BFD_UP:
		if (rstate == BFD_DOWN) {
			s->rx_admin_down = 0;
			return sess_set_state(s, BFD_DOWN,
			    BFD_DIAG_NEIGHBOR_DOWN);
		}
		break;
	}
	return 0;
}

enum bfd_rerr
bfd_sess_rx(struct bfd_sess *s, const struct bfd_pkt *p, const uint8_t *raw,
    int *events)
{
	enum bfd_rerr r;
	int ev = BFD_EV_TIMERS;

	*events = 0;
	if ((r = sess_auth(s, p, raw)) != BFD_R_OK)
		return r;
	s->silent = 0;
	s->remote_discr = p->my_discr;
	s->remote_state = p->state;
	s->remote_diag = p->diag;
	s->remote_flags = p->flags;
	s->remote_min_rx = p->req_min_rx;
	s->remote_des_tx = p->des_min_tx;
	s->remote_mult = p->detect_mult;
	/* §6.5: the Final ends our poll; the new intervals are in use */
	if ((p->flags & BFD_F_FINAL) && s->polling) {
		s->polling = 0;
		s->tx_used = s->des_min_tx;
		s->rx_used = s->req_min_rx;
	}
	if (s->state == BFD_ADMIN_DOWN) {
		*events = ev;
		return BFD_R_ADMIN;
	}
	ev |= sess_transition(s, p->state);
	/* §6.8.6: a Poll is answered at once, P clear and F set */
	if (p->flags & BFD_F_POLL)
		ev |= BFD_EV_FINAL;
	*events = ev;
	return BFD_R_OK;
}

int
bfd_sess_timeout(struct bfd_sess *s)
{
	/* §6.7.1: the sequence is forgotten after twice the Detection Time */
	if (++s->silent >= 2)
		s->auth_seq_known = 0;
	/* §6.8.1: bfd.RemoteDiscr is reset after a Detection Time */
	s->remote_discr = 0;
	if (s->state != BFD_INIT && s->state != BFD_UP)
		return 0;
	s->rx_admin_down = 0;
	return sess_set_state(s, BFD_DOWN, BFD_DIAG_DETECT);
}

int
bfd_sess_admin(struct bfd_sess *s, int down, uint8_t diag)
{
	if (down)
		return sess_set_state(s, BFD_ADMIN_DOWN, diag);
	if (s->state != BFD_ADMIN_DOWN)
		return 0;
	return sess_set_state(s, BFD_DOWN, BFD_DIAG_NONE);
}

int
bfd_sess_build(struct bfd_sess *s, int final, uint8_t *buf, size_t cap)
{
	struct bfd_pkt p;

	memset(&p, 0, sizeof(p));
	p.diag = s->diag;
	p.state = s->state;
	/* §6.8.7: never both P and F; we are not forwarding-plane based */
	p.flags = final ? BFD_F_FINAL : s->polling ? BFD_F_POLL : 0;
	p.detect_mult = s->detect_mult;
	p.my_discr = s->local_discr;
	p.your_discr = s->remote_discr;
	p.des_min_tx = s->des_min_tx;
	p.req_min_rx = s->req_min_rx;
	p.req_min_echo_rx = 0;	/* §6.8.9: no Echo function */
	/* §6.7.3: meticulous needs a new number each time; keyed may */
	if (s->auth.type == BFD_AUTH_KEYED_SHA1 ||
	    s->auth.type == BFD_AUTH_MKEYED_SHA1)
		p.auth_seq = ++s->xmit_auth_seq;
	return bfd_pkt_build(&p, &s->auth, buf, cap);
}

uint64_t
bfd_sess_detect_time(const struct bfd_sess *s)
{
	/* §6.8.4, Asynchronous mode */
	if (s->remote_mult == 0)
		return 0;
	return (uint64_t)s->remote_mult * max32(s->rx_used, s->remote_des_tx);
}

uint64_t
bfd_sess_tx_interval(const struct bfd_sess *s, uint32_t r)
{
	uint64_t base;
	uint32_t permille;

	/* §6.8.7: the remote asked for no packets at all */
	if (s->remote_min_rx == 0)
		return 0;
	/* §6.8.7: nor periodic ones while Demand mode is active on it */
	if ((s->remote_flags & BFD_F_DEMAND) && s->state == BFD_UP &&
	    s->remote_state == BFD_UP)
		return 0;
	base = max32(s->tx_used, s->remote_min_rx);
	r %= 1000;
	/* 75-100 %, or 75-90 % with a multiplier of 1 */
	permille = s->detect_mult == 1 ? 750 + r * 3 / 20 : 750 + r / 4;
	return base * permille / 1000;
}
