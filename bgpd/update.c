/*
 * bgpd/update.c: the UPDATE message (RFC 4271 §4.3) with the revised error
 * handling of RFC 7606, 4-octet AS numbers (RFC 6793) and the structure of
 * MP_REACH_NLRI/MP_UNREACH_NLRI (RFC 4760).
 *
 * Path attributes are described by bgp_attr_table[] (after BIRD's
 * proto/bgp/attrs.c): expected flags, fixed length, parser, and what a
 * malformed one costs under RFC 7606.  Each attribute is parsed from its own
 * sub-buffer.  IPv6 unicast (RFC 4760, RFC 2545) and IPv4 unicast with IPv6
 * next hops (RFC 8950) travel in MP_REACH_NLRI/MP_UNREACH_NLRI.
 *
 * RFC 7606, section by section (each action taken is reported in
 * bgp_update.events[] for the session to log and count, §6):
 *  §3 c  wrong Optional/Transitive flags: treat-as-withdraw (MP_*: reset)
 *  §3 d  missing ORIGIN, AS_PATH, NEXT_HOP (for classic NLRI): withdraw
 *  §3 g  a repeated attribute: discard; a repeated MP_*: reset
 *  §4    an attribute header or length overrunning the attribute section:
 *        treat-as-withdraw, the NLRI field found from the Total Length
 *  §5.2  attributes without NLRI: nothing is missing, withdraw is a no-op
 *  §5.3  a prefix that cannot be parsed (Withdrawn, NLRI, MP_*): reset
 *  §7.1-§7.12 as in bgp_attr_table[] (ORIGINATOR_ID, CLUSTER_LIST §7.9,
 *        §7.10); AS 0 (RFC 7607): AS_PATH withdraw, AGGREGATOR discard;
 *        the first AS from eBGP (§7.2) is checked by session.c
 *  §7.14, §7.15, RFC 8092 §6: extended, IPv6 extended and large
 *        communities are passed on unread, but a wrong length withdraws
 *  RFC 9012 §13: a Tunnel Encapsulation attribute (23) whose TLVs do not
 *        parse is discarded (not passed on); a well-formed one is passed on
 *        as an unknown optional transitive one, with the Partial bit
 *  RFC 6793 §6: AS4_PATH, AS4_AGGREGATOR malformed (or from a NEW
 *        speaker): discard
 *  Unknown well-known: reset (RFC 4271 §6.3, unchanged by RFC 7606).  Not
 *  done: the Traffic Engineering (§7.13) and ATTR_SET (§7.16) checks (both
 *  are passed on unread), and §5.1 (MP_REACH_NLRI sent first).
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 7606 §2: the ways to handle a malformed attribute */
enum attr_act {
	ACT_NONE,
	ACT_DISCARD,  /* "attribute discard" */
	ACT_WITHDRAW, /* "treat-as-withdraw" */
	ACT_RESET,    /* "session reset" */
};

/* upd_state.have: attributes that need a second look after the loop */
#define HAVE_ORIGIN 0x01
#define HAVE_ASPATH 0x02
#define HAVE_NEXTHOP 0x04
#define HAVE_AS4PATH 0x08
#define HAVE_AS4AGGR 0x10
#define HAVE_MPNH 0x20

/* bgp_attr_desc.drop_if: when a known attribute is quietly dropped */
#define DROP_EBGP 0x01 /* RFC 7606 §7.5: LOCAL_PREF from eBGP */
#define DROP_AS4 0x02  /* RFC 6793 §6: AS4_* between NEW speakers */

struct attr {
	uint8_t flags;
	uint8_t type;
	struct ibuf val;
	const uint8_t *raw; /* flags, type, length, value: for errors */
	size_t rawlen;
};

struct upd_state {
	const struct bgp_parse_ctx *ctx;
	struct bgp_update *u;
	struct bgp_err *err;
	struct wbuf scratch; /* over u->aspath_buf */
	struct ibuf aspath;  /* values as received */
	struct ibuf as4path;
	uint32_t as4_aggr_as;
	uint32_t as4_aggr_id;
	uint8_t have; /* HAVE_* */
	uint8_t seen[256 / 8];
	uint8_t cur;	 /* the attribute being parsed, 0 between them */
	const char *sec; /* RFC section of a session reset */
};

struct bgp_attr_desc {
	const char *name;
	uint8_t flags;	      /* expected Optional/Transitive */
	int len;	      /* fixed value length, or -1 */
	uint8_t drop_if;      /* DROP_* */
	enum attr_act on_err; /* RFC 7606 action when malformed */
	uint8_t subcode;      /* for the NOTIFICATION or the log */
	enum attr_act (*parse)(struct upd_state *, struct ibuf *);
};

/*
 * AS_PATH walker (RFC 4271 §4.3, RFC 6793): validates every segment and
 * copies the first `limit` ASes, counted as in RFC 4271 §9.1.2.2 (an AS_SET
 * counts one, confederation segments none), converting between 2- and
 * 4-octet form.  With out NULL it only measures.
 */
struct as_walk {
	size_t in_asz;
	size_t out_asz;
	unsigned limit;
	int noconfed; /* RFC 6793 §6: none in AS4_PATH */
	struct wbuf *out;
	/* results */
	unsigned long count; /* path length, RFC 4271 §9.1.2.2 */
	size_t outlen;	     /* octets written or to be written */
	int wide;	     /* an AS did not fit in 2 octets */
};

/* An AS number of asz (2 or 4) octets. */
static int
ibuf_get_as(struct ibuf *b, size_t asz, uint32_t *as)
{
	uint16_t as2;

	if (asz == 4)
		return ibuf_get_u32(b, as);
	if (ibuf_get_u16(b, &as2) == -1)
		return -1;
	*as = as2;
	return 0;
}

static int
as_seg_get(struct ibuf *b, size_t asz, uint8_t *type, uint8_t *cnt,
	   struct ibuf *seg)
{
	if (ibuf_get_u8(b, type) == -1 || ibuf_get_u8(b, cnt) == -1 ||
	    *type < AS_SET || *type > AS_CONFED_SET || *cnt == 0 ||
	    ibuf_sub(b, (size_t)*cnt * asz, seg) == -1)
		return -1;
	return 0;
}

static unsigned
as_seg_weight(uint8_t type, uint8_t cnt)
{
	if (type == AS_SET)
		return 1;
	if (type == AS_SEQUENCE)
		return cnt;
	return 0; /* RFC 5065 §5.3 */
}

static int
as_seg_copy(struct as_walk *wk, uint8_t type, uint8_t n, struct ibuf *seg)
{
	uint32_t as;
	uint8_t i;

	wk->outlen += 2 + (size_t)n * wk->out_asz;
	if (wk->out != NULL) {
		wbuf_put_u8(wk->out, type);
		wbuf_put_u8(wk->out, n);
	}
	for (i = 0; i < n; i++) {
		if (ibuf_get_as(seg, wk->in_asz, &as) == -1)
			return -1;
		wk->wide |= as > 0xffff;
		if (wk->out == NULL)
			continue;
		if (wk->out_asz == 4)
			wbuf_put_u32(wk->out, as);
		else /* RFC 6793 §4.2.2: AS_TRANS for what does not fit */
			wbuf_put_u16(wk->out,
				     as > 0xffff ? AS_TRANS : (uint16_t)as);
	}
	return wk->out != NULL && wk->out->err ? -1 : 0;
}

static int
as_walk(struct ibuf b, struct as_walk *wk)
{
	struct ibuf seg;
	unsigned left = wk->limit, weight;
	uint8_t type, cnt, n;

	wk->count = 0;
	wk->outlen = 0;
	wk->wide = 0;
	while (ibuf_left(&b) > 0) {
		if (as_seg_get(&b, wk->in_asz, &type, &cnt, &seg) == -1)
			return -1;
		weight = as_seg_weight(type, cnt);
		wk->count += weight;
		if (left == 0 || (wk->noconfed && type >= AS_CONFED_SEQUENCE))
			continue;
		n = (type == AS_SEQUENCE && cnt > left) ? (uint8_t)left : cnt;
		left -= type == AS_SEQUENCE ? n : weight;
		if (as_seg_copy(wk, type, n, &seg) == -1)
			return -1;
	}
	return 0;
}

/*
 * After as_walk() said the path is well formed: does it hold AS 0 (RFC 7607
 * §2), or a confederation segment (RFC 5065 §5: those never leave the
 * confederation, and Wren is in none)?
 */
static int
as_has(struct ibuf b, size_t asz, int *confed)
{
	struct ibuf seg;
	uint32_t as;
	uint8_t type, cnt;

	*confed = 0;
	while (as_seg_get(&b, asz, &type, &cnt, &seg) == 0) {
		*confed |= type >= AS_CONFED_SEQUENCE;
		while (ibuf_get_as(&seg, asz, &as) == 0)
			if (as == 0)
				return 1;
	}
	return 0;
}

/* ---- parsing helpers --------------------------------------------------- */

/* Note an RFC 7606 action for the log (RFC 7606 §6) and the counters. */
static void
upd_event(struct upd_state *st, uint8_t attr, uint8_t act, const char *sec)
{
	struct bgp_update *u = st->u;

	if (u->nevents < BGP_UPD_EVENTS) {
		u->events[u->nevents].attr = attr;
		u->events[u->nevents].act = act;
		u->events[u->nevents].sec = sec;
	}
	u->nevents++;
	if (act == BGP_ACT_DISCARD)
		u->ndiscard++;
}

static int
upd_reset(struct upd_state *st, uint8_t subcode, const void *data, size_t len)
{
	upd_event(st, st->cur, BGP_ACT_RESET,
		  st->sec != NULL ? st->sec : "RFC 4271 §6.3");
	bgp_err_set(st->err, ERR_UPDATE, subcode, data, len);
	return -1;
}

/* RFC 7606 §2: every NLRI of the message is to be withdrawn */
static void
upd_withdraw(struct upd_state *st, uint8_t attr, const char *sec,
	     uint8_t subcode, const void *data, size_t len)
{
	upd_event(st, attr, BGP_ACT_WITHDRAW, sec);
	st->u->treat_as_withdraw = 1;
	/* err tells the caller why, for the log; nothing is sent */
	if (st->err->code == 0)
		bgp_err_set(st->err, ERR_UPDATE, subcode, data, len);
}

/*
 * RFC 4271 §4.3, RFC 4760 §5: (length, prefix) with just the octets the
 * length needs, for IPv4 (af AF_INET) or IPv6 (AF_INET6).
 */
static int
upd_prefix_get(struct ibuf *b, uint8_t af, struct wr_prefix *p)
{
	uint8_t len;

	memset(p, 0, sizeof(*p));
	if (ibuf_get_u8(b, &len) == -1 || len > addr_bits(af) ||
	    ibuf_get_bytes(b, p->addr.b, (len + 7u) / 8) == -1)
		return -1;
	p->addr.af = af;
	p->len = len;
	prefix_mask(p); /* bits past the length are not ours */
	return 0;
}

static uint8_t upd_family_af(uint32_t);

/*
 * A run of prefixes; with ADD-PATH (RFC 7911 §3) each is preceded by a
 * 4-octet path identifier (ids non-NULL), else its path id is 0.  A
 * truncated path identifier is a prefix that cannot be parsed.
 */
static int
upd_prefixes_id(struct ibuf *b, uint8_t af, int addpath, struct wr_prefix *out,
		uint32_t *ids, size_t *n, size_t max)
{
	uint32_t id;

	while (ibuf_left(b) > 0) {
		id = 0;
		if (*n >= max || (addpath && ibuf_get_u32(b, &id) == -1) ||
		    upd_prefix_get(b, af, &out[*n]) == -1)
			return -1;
		ids[*n] = id;
		(*n)++;
	}
	return 0;
}

/* RFC 7911 §4: path ids come with family fam iff negotiated for receive */
static int
upd_addpath(const struct bgp_parse_ctx *ctx, uint32_t fam)
{
	return (ctx->addpath_rx & fam) != 0;
}

static int
upd_nlri_get(struct upd_state *st, struct ibuf *b, uint32_t fam)
{
	struct bgp_update *u = st->u;

	return upd_prefixes_id(b, upd_family_af(fam), upd_addpath(st->ctx, fam),
			       u->nlri, u->nlri_id, &u->nnlri, u->max_prefixes);
}

static int
upd_withdrawn_get(struct upd_state *st, struct ibuf *b, uint32_t fam)
{
	struct bgp_update *u = st->u;

	return upd_prefixes_id(b, upd_family_af(fam), upd_addpath(st->ctx, fam),
			       u->withdrawn, u->withdrawn_id, &u->nwithdrawn,
			       u->max_prefixes);
}

/* RFC 4760 §8: without the capability, IPv4 unicast only */
static uint32_t
upd_families(const struct bgp_parse_ctx *ctx)
{
	return ctx->mp != 0 ? ctx->mp : BGP_MP_IPV4_UNICAST;
}

static uint8_t
upd_family_af(uint32_t fam)
{
	return fam == BGP_MP_IPV6_UNICAST ? AF_INET6 : AF_INET;
}

/* ---- the attributes ---------------------------------------------------- */

/* RFC 7606 §7.1: an undefined ORIGIN => treat-as-withdraw */
static enum attr_act
attr_origin(struct upd_state *st, struct ibuf *v)
{
	uint8_t o;

	if (ibuf_get_u8(v, &o) == -1 || o > ORIGIN_INCOMPLETE)
		return ACT_WITHDRAW;
	st->u->attrs.origin = o;
	st->have |= HAVE_ORIGIN;
	return ACT_NONE;
}

/*
 * RFC 7606 §7.2: a malformed AS_PATH => treat-as-withdraw; so is one with
 * AS 0 (RFC 7607 §2) or, from an external neighbor, confederation segments.
 */
static enum attr_act
attr_aspath(struct upd_state *st, struct ibuf *v)
{
	struct as_walk wk = {.in_asz = st->ctx->as4 ? 4 : 2, .out_asz = 4};

	int confed;

	if (as_walk(*v, &wk) == -1 || as_has(*v, wk.in_asz, &confed) ||
	    (confed && st->ctx->ebgp))
		return ACT_WITHDRAW;
	st->aspath = *v; /* rewritten once AS4_PATH is known */
	st->have |= HAVE_ASPATH;
	return ACT_NONE;
}

/* RFC 4271 §6.3: a valid host address: not 0.0.0.0, not class D or E */
static int
upd_nexthop_valid(uint32_t nh)
{
	return nh != 0 && (nh >> 28) < 0xe;
}

/* RFC 7606 §7.3: a malformed NEXT_HOP => treat-as-withdraw */
static enum attr_act
attr_nexthop(struct upd_state *st, struct ibuf *v)
{
	uint32_t nh;

	if (ibuf_get_u32(v, &nh) == -1 || !upd_nexthop_valid(nh))
		return ACT_WITHDRAW;
	addr_from_v4(&st->u->attrs.nexthop, nh);
	st->have |= HAVE_NEXTHOP;
	return ACT_NONE;
}

static enum attr_act
attr_med(struct upd_state *st, struct ibuf *v)
{
	if (ibuf_get_u32(v, &st->u->attrs.med) == -1)
		return ACT_WITHDRAW;
	st->u->attrs.flags |= RIB_A_MED;
	return ACT_NONE;
}

static enum attr_act
attr_local_pref(struct upd_state *st, struct ibuf *v)
{
	if (ibuf_get_u32(v, &st->u->attrs.local_pref) == -1)
		return ACT_WITHDRAW;
	st->u->attrs.flags |= RIB_A_LOCAL_PREF;
	return ACT_NONE;
}

static enum attr_act
attr_atomic(struct upd_state *st, struct ibuf *v)
{
	st->u->attrs.flags |= RIB_A_ATOMIC_AGG;
	return ACT_NONE;
}

/* RFC 7606 §7.7: 8 octets (6 from a 2-octet speaker) else discard */
static enum attr_act
attr_aggregator(struct upd_state *st, struct ibuf *v)
{
	struct rib_attrs *a = &st->u->attrs;
	size_t asz = st->ctx->as4 ? 4 : 2;
	uint32_t as, id;

	/* RFC 7607 §2: AS 0 is malformed too */
	if (ibuf_left(v) != asz + 4 || ibuf_get_as(v, asz, &as) == -1 ||
	    ibuf_get_u32(v, &id) == -1 || as == 0)
		return ACT_DISCARD;
	a->aggregator_as = as;
	a->aggregator_id = id;
	a->flags |= RIB_A_AGGREGATOR;
	return ACT_NONE;
}

/* RFC 7606 §7.8: a length not a non-zero multiple of 4 => withdraw */
static enum attr_act
attr_communities(struct upd_state *st, struct ibuf *v)
{
	size_t len = ibuf_left(v);

	if (len == 0 || len % 4 != 0)
		return ACT_WITHDRAW;
	st->u->attrs.communities = ibuf_ptr(v);
	st->u->attrs.communities_len = (uint16_t)len;
	return ACT_NONE;
}

/* RFC 7606 §7.9: ORIGINATOR_ID of a length other than 4 => withdraw */
static enum attr_act
attr_originator(struct upd_state *st, struct ibuf *v)
{
	if (ibuf_get_u32(v, &st->u->attrs.originator_id) == -1)
		return ACT_WITHDRAW;
	st->u->attrs.flags |= RIB_A_ORIGINATOR;
	return ACT_NONE;
}

/* RFC 7606 §7.10: CLUSTER_LIST not a non-zero multiple of 4 => withdraw */
static enum attr_act
attr_cluster_list(struct upd_state *st, struct ibuf *v)
{
	size_t len = ibuf_left(v);

	if (len == 0 || len % 4 != 0)
		return ACT_WITHDRAW;
	st->u->attrs.cluster_list = ibuf_ptr(v);
	st->u->attrs.cluster_list_len = (uint16_t)len;
	return ACT_NONE;
}

/* A global or link-local unicast address: not ::, ::1 or multicast. */
static int
upd_nexthop6_valid(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_MULTICAST(a);
}

/*
 * The next hop of MP_REACH_NLRI for family fam: 4 octets (IPv4 NLRI), 16
 * (global IPv6) or 32 (global and link-local, RFC 2545 §3).  IPv6 next
 * hops for IPv4 NLRI only if negotiated (RFC 8950 §3).  Returns -1 when
 * the length does not fit, 0 when valid, 1 when unusable.
 */
static int
upd_mp_nexthop(struct upd_state *st, uint32_t fam, struct ibuf *nh)
{
	struct bgp_update *u = st->u;
	size_t len = ibuf_left(nh);
	uint32_t v4;

	if (len == 4 && fam == BGP_MP_IPV4_UNICAST) {
		if (ibuf_get_u32(nh, &v4) == -1)
			return -1;
		addr_from_v4(&u->mp_nexthop, v4);
		return upd_nexthop_valid(v4) ? 0 : 1;
	}
	if ((len != 16 && len != 32) ||
	    (fam == BGP_MP_IPV4_UNICAST && !(st->ctx->ext_nh & fam)))
		return -1;
	u->mp_nexthop.af = AF_INET6;
	if (ibuf_get_bytes(nh, u->mp_nexthop.b, 16) == -1)
		return -1;
	if (len == 32) {
		u->mp_nexthop_ll.af = AF_INET6;
		if (ibuf_get_bytes(nh, u->mp_nexthop_ll.b, 16) == -1)
			return -1;
		if (IN6_IS_ADDR_UNSPECIFIED(&u->mp_nexthop.v6))
			u->mp_nexthop = u->mp_nexthop_ll;
	}
	return upd_nexthop6_valid(&u->mp_nexthop.v6) ? 0 : 1;
}

/*
 * RFC 4760 §3.  RFC 7606 §7.11: when the NLRI cannot be located (a next
 * hop length wrong for the family, RFC 7606 §5.3 a bad prefix) => reset.
 * Families not negotiated are checked for structure and ignored.
 */
static enum attr_act
attr_mp_reach(struct upd_state *st, struct ibuf *v)
{
	struct ibuf nh;
	uint32_t fam;
	uint16_t afi;
	uint8_t safi, nhlen, reserved;
	int r;

	if (ibuf_get_u16(v, &afi) == -1 || ibuf_get_u8(v, &safi) == -1 ||
	    ibuf_get_u8(v, &nhlen) == -1 || ibuf_sub(v, nhlen, &nh) == -1 ||
	    ibuf_get_u8(v, &reserved) == -1)
		return ACT_RESET;
	fam = bgp_afi_safi_mp(afi, safi);
	if (!(fam & upd_families(st->ctx)))
		return ACT_NONE;
	if ((r = upd_mp_nexthop(st, fam, &nh)) == -1 ||
	    upd_nlri_get(st, v, fam) == -1)
		return ACT_RESET;
	st->u->nmp_nlri = st->u->nnlri;
	st->have |= HAVE_MPNH;
	/* as for NEXT_HOP (RFC 7606 §7.3): the NLRI could be located */
	return r == 1 ? ACT_WITHDRAW : ACT_NONE;
}

/* RFC 4760 §4; RFC 4724 §2: empty for a family => its End-of-RIB */
static enum attr_act
attr_mp_unreach(struct upd_state *st, struct ibuf *v)
{
	uint32_t fam;
	uint16_t afi;
	uint8_t safi;

	if (ibuf_get_u16(v, &afi) == -1 || ibuf_get_u8(v, &safi) == -1)
		return ACT_RESET;
	fam = bgp_afi_safi_mp(afi, safi);
	if (ibuf_left(v) == 0)
		st->u->end_of_rib |= (int)fam;
	if (!(fam & upd_families(st->ctx)))
		return ACT_NONE;
	/* RFC 7606 §5.3: a prefix that cannot be parsed => reset */
	if (upd_withdrawn_get(st, v, fam) == -1)
		return ACT_RESET;
	return ACT_NONE;
}

/* RFC 6793 §6: a malformed AS4_PATH => attribute discard */
static enum attr_act
attr_as4path(struct upd_state *st, struct ibuf *v)
{
	struct as_walk wk = {.in_asz = 4, .out_asz = 4};
	int confed;

	/* RFC 7607 §2: AS 0 makes it malformed as well */
	if (ibuf_left(v) < 6 || as_walk(*v, &wk) == -1 ||
	    as_has(*v, 4, &confed))
		return ACT_DISCARD;
	st->as4path = *v;
	st->have |= HAVE_AS4PATH;
	return ACT_NONE;
}

static enum attr_act
attr_as4aggr(struct upd_state *st, struct ibuf *v)
{
	if (ibuf_get_u32(v, &st->as4_aggr_as) == -1 ||
	    ibuf_get_u32(v, &st->as4_aggr_id) == -1 || st->as4_aggr_as == 0)
		return ACT_DISCARD; /* RFC 6793 §6, RFC 7607 §2 */
	st->have |= HAVE_AS4AGGR;
	return ACT_NONE;
}

#define WK ATTR_TRANSITIVE		       /* well-known */
#define OPT ATTR_OPTIONAL		       /* optional non-transitive */
#define OPTT (ATTR_OPTIONAL | ATTR_TRANSITIVE) /* optional transitive */

/* clang-format off */
static const struct bgp_attr_desc bgp_attr_table[] = {
	/* name, flags, len, drop_if, on_err, subcode, parse */
	[ATTR_ORIGIN] = { "ORIGIN", WK, 1, 0,
	    ACT_WITHDRAW, ERR_UPD_ORIGIN, attr_origin },
	[ATTR_AS_PATH] = { "AS_PATH", WK, -1, 0,
	    ACT_WITHDRAW, ERR_UPD_ASPATH, attr_aspath },
	[ATTR_NEXT_HOP] = { "NEXT_HOP", WK, 4, 0,
	    ACT_WITHDRAW, ERR_UPD_NEXTHOP, attr_nexthop },
	[ATTR_MED] = { "MULTI_EXIT_DISC", OPT, 4, 0,
	    ACT_WITHDRAW, ERR_UPD_ATTRLEN, attr_med },
	[ATTR_LOCAL_PREF] = { "LOCAL_PREF", WK, 4, DROP_EBGP,
	    ACT_WITHDRAW, ERR_UPD_ATTRLEN, attr_local_pref },
	[ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", WK, 0, 0,
	    ACT_DISCARD, ERR_UPD_ATTRLEN, attr_atomic },
	[ATTR_AGGREGATOR] = { "AGGREGATOR", OPTT, -1, 0,
	    ACT_DISCARD, ERR_UPD_ATTRLEN, attr_aggregator },
	[ATTR_COMMUNITIES] = { "COMMUNITIES", OPTT, -1, 0,
	    ACT_WITHDRAW, ERR_UPD_OPTATTR, attr_communities },
	/* RFC 4456 §8: within an AS only; from eBGP they mean nothing */
	[ATTR_ORIGINATOR_ID] = { "ORIGINATOR_ID", OPT, 4, DROP_EBGP,
	    ACT_WITHDRAW, ERR_UPD_ATTRLEN, attr_originator },
	[ATTR_CLUSTER_LIST] = { "CLUSTER_LIST", OPT, -1, DROP_EBGP,
	    ACT_WITHDRAW, ERR_UPD_ATTRLEN, attr_cluster_list },
	[ATTR_MP_REACH_NLRI] = { "MP_REACH_NLRI", OPT, -1, 0,
	    ACT_RESET, ERR_UPD_OPTATTR, attr_mp_reach },
	[ATTR_MP_UNREACH_NLRI] = { "MP_UNREACH_NLRI", OPT, -1, 0,
	    ACT_RESET, ERR_UPD_OPTATTR, attr_mp_unreach },
	[ATTR_AS4_PATH] = { "AS4_PATH", OPTT, -1, DROP_AS4,
	    ACT_DISCARD, ERR_UPD_OPTATTR, attr_as4path },
	[ATTR_AS4_AGGREGATOR] = { "AS4_AGGREGATOR", OPTT, 8, DROP_AS4,
	    ACT_DISCARD, ERR_UPD_OPTATTR, attr_as4aggr },
};
/* clang-format on */

static const struct bgp_attr_desc *
attr_desc(uint8_t type)
{
	if (type < nitems(bgp_attr_table) && bgp_attr_table[type].parse)
		return &bgp_attr_table[type];
	return NULL;
}

/* RFC 7606 §7 (RFC 6793 §6 for AS4_*): where each one's handling is */
static const char *const attr_sec_table[] = {
    [ATTR_ORIGIN] = "RFC 7606 §7.1",
    [ATTR_AS_PATH] = "RFC 7606 §7.2",
    [ATTR_NEXT_HOP] = "RFC 7606 §7.3",
    [ATTR_MED] = "RFC 7606 §7.4",
    [ATTR_LOCAL_PREF] = "RFC 7606 §7.5",
    [ATTR_ATOMIC_AGGREGATE] = "RFC 7606 §7.6",
    [ATTR_AGGREGATOR] = "RFC 7606 §7.7",
    [ATTR_COMMUNITIES] = "RFC 7606 §7.8",
    [9] = "RFC 7606 §7.9",
    [10] = "RFC 7606 §7.10",
    [ATTR_MP_REACH_NLRI] = "RFC 7606 §7.11",
    [ATTR_MP_UNREACH_NLRI] = "RFC 7606 §7.12",
    [ATTR_AS4_PATH] = "RFC 6793 §6",
    [ATTR_AS4_AGGREGATOR] = "RFC 6793 §6",
};

static const char *
attr_sec(uint8_t type)
{
	if (type < nitems(attr_sec_table) && attr_sec_table[type] != NULL)
		return attr_sec_table[type];
	return "RFC 7606 §3";
}

/*
 * Optional transitive attributes Wren does not use but passes on (RFC 4271
 * §5).  Their own error handling still applies, so that a malformed one is
 * neither spread nor a reason to reset.
 */
#define ATTR_EXT_COMMUNITIES 16	     /* RFC 4360 */
#define ATTR_TUNNEL_ENCAP 23	     /* RFC 9012 */
#define ATTR_IPV6_EXT_COMMUNITIES 25 /* RFC 5701 */
#define ATTR_LARGE_COMMUNITIES 32    /* RFC 8092 */

struct passon_desc {
	uint8_t type;
	const char *name;
	size_t unit; /* the value is a non-zero multiple of it; 0: valid() */
	int (*valid)(struct ibuf);
	enum attr_act on_err;
	const char *sec;
};

/*
 * RFC 9012 §2: Tunnel TLVs of type (2), length (2), sub-TLVs; a sub-TLV
 * has type (1) and a length of 1 octet, 2 for types 128-255.
 */
static int
tunnel_encap_valid(struct ibuf b)
{
	struct ibuf tlv, sub;
	uint16_t type, len;
	uint8_t stype, slen8;

	if (ibuf_left(&b) == 0)
		return 0;
	while (ibuf_left(&b) > 0) {
		if (ibuf_get_u16(&b, &type) == -1 ||
		    ibuf_get_u16(&b, &len) == -1 ||
		    ibuf_sub(&b, len, &tlv) == -1)
			return 0;
		while (ibuf_left(&tlv) > 0) {
			if (ibuf_get_u8(&tlv, &stype) == -1)
				return 0;
			if (stype >= 128 ? ibuf_get_u16(&tlv, &len) == -1
					 : ibuf_get_u8(&tlv, &slen8) == -1)
				return 0;
			if (stype < 128)
				len = slen8;
			if (ibuf_sub(&tlv, len, &sub) == -1)
				return 0;
		}
	}
	return 1;
}

/* clang-format off */
static const struct passon_desc passon_table[] = {
	{ ATTR_EXT_COMMUNITIES, "EXTENDED_COMMUNITIES", 8, NULL,
	    ACT_WITHDRAW, "RFC 7606 §7.14" },
	{ ATTR_TUNNEL_ENCAP, "TUNNEL_ENCAPSULATION", 0, tunnel_encap_valid,
	    ACT_DISCARD, "RFC 9012 §13" },
	{ ATTR_IPV6_EXT_COMMUNITIES, "IPV6_EXT_COMMUNITIES", 20, NULL,
	    ACT_WITHDRAW, "RFC 7606 §7.15" },
	{ ATTR_LARGE_COMMUNITIES, "LARGE_COMMUNITIES", 12, NULL,
	    ACT_WITHDRAW, "RFC 8092 §6" },
};
/* clang-format on */

static const struct passon_desc *
passon_desc(uint8_t type)
{
	size_t i;

	for (i = 0; i < nitems(passon_table); i++)
		if (passon_table[i].type == type)
			return &passon_table[i];
	return NULL;
}

const char *
bgp_attr_name(uint8_t type)
{
	const struct bgp_attr_desc *d = attr_desc(type);
	const struct passon_desc *pd;

	if (d != NULL)
		return d->name;
	if ((pd = passon_desc(type)) != NULL)
		return pd->name;
	return NULL;
}

const char *
bgp_act_name(uint8_t act)
{
	switch (act) {
	case BGP_ACT_DISCARD:
		return "attribute-discard";
	case BGP_ACT_WITHDRAW:
		return "treat-as-withdraw";
	case BGP_ACT_RESET:
		return "session-reset";
	}
	return "none";
}

/* Marks type as seen; returns whether it had been seen before. */
static int
attr_seen(struct upd_state *st, uint8_t type)
{
	uint8_t bit = (uint8_t)(1 << (type % 8));
	int seen = (st->seen[type / 8] & bit) != 0;

	st->seen[type / 8] |= bit;
	return seen;
}

static int
attr_apply(struct upd_state *st, const struct attr *a, enum attr_act act,
	   uint8_t subcode, const char *sec)
{
	switch (act) {
	case ACT_NONE:
		break;
	case ACT_DISCARD:
		upd_event(st, a->type, BGP_ACT_DISCARD, sec);
		break;
	case ACT_WITHDRAW:
		upd_withdraw(st, a->type, sec, subcode, a->raw, a->rawlen);
		break;
	case ACT_RESET:
		st->sec = sec;
		return upd_reset(st, subcode, a->raw, a->rawlen);
	}
	return 0;
}

/* An attribute Wren passes on unread: is it well formed (RFC 7606 §7)? */
static int
attr_passon_check(struct upd_state *st, const struct attr *a)
{
	const struct passon_desc *pd = passon_desc(a->type);
	size_t len = ibuf_left(&a->val);

	if (pd == NULL ||
	    (a->flags & (ATTR_OPTIONAL | ATTR_TRANSITIVE)) != OPTT)
		return 0;
	if (pd->unit > 0 ? len > 0 && len % pd->unit == 0 : pd->valid(a->val))
		return 0;
	attr_apply(st, a, pd->on_err, ERR_UPD_OPTATTR, pd->sec);
	return 1;
}

/*
 * RFC 4271 §5: an unrecognized optional transitive attribute is passed on
 * with the Partial bit set, in wire form, into attrs.unknown.  The blob is
 * contiguous at the start of aspath_buf: nothing else is written there until
 * all attributes have been seen.
 */
static int
attr_unknown(struct upd_state *st, const struct attr *a)
{
	struct rib_attrs *ra = &st->u->attrs;
	struct wbuf *w = &st->scratch;
	size_t len = ibuf_left(&a->val), start = w->len;

	/* RFC 4271 §6.3: Data is the unrecognized attribute */
	if (!(a->flags & ATTR_OPTIONAL))
		return upd_reset(st, ERR_UPD_UNKNWN_WK_ATTR, a->raw, a->rawlen);
	if (!(a->flags & ATTR_TRANSITIVE))
		return 0; /* RFC 4271 §5: quietly ignored */
	if (ra->unknown == NULL)
		ra->unknown = w->data + w->len;
	wbuf_put_u8(w, a->flags | ATTR_PARTIAL);
	wbuf_put_u8(w, a->type);
	if (a->flags & ATTR_EXTLEN)
		wbuf_put_u16(w, (uint16_t)len);
	else
		wbuf_put_u8(w, (uint8_t)len);
	wbuf_put_bytes(w, ibuf_ptr(&a->val), len);
	if (w->err)
		return upd_reset(st, ERR_UPD_ATTRLIST, NULL, 0);
	ra->unknown_len += (uint16_t)(w->len - start);
	return 0;
}

static int
attr_one(struct upd_state *st, const struct attr *a)
{
	const struct bgp_attr_desc *d;
	struct ibuf v = a->val;
	enum attr_act act;
	const char *sec;
	uint8_t sub;

	/* RFC 7606 §3 g: duplicates; reset only for MP_(UN)REACH_NLRI */
	if (attr_seen(st, a->type)) {
		st->sec = "RFC 7606 §3 g";
		if (a->type == ATTR_MP_REACH_NLRI ||
		    a->type == ATTR_MP_UNREACH_NLRI)
			return upd_reset(st, ERR_UPD_ATTRLIST, NULL, 0);
		upd_event(st, a->type, BGP_ACT_DISCARD, st->sec);
		return 0;
	}
	if ((d = attr_desc(a->type)) == NULL) {
		if (attr_passon_check(st, a))
			return 0;
		return attr_unknown(st, a);
	}
	/* RFC 7606 §7.5 (LOCAL_PREF from eBGP), RFC 6793 §6: discard */
	if (((d->drop_if & DROP_EBGP) && st->ctx->ebgp) ||
	    ((d->drop_if & DROP_AS4) && st->ctx->as4)) {
		upd_event(st, a->type, BGP_ACT_DISCARD, attr_sec(a->type));
		return 0;
	}
	sub = d->subcode;
	sec = attr_sec(a->type);
	if ((a->flags & (ATTR_OPTIONAL | ATTR_TRANSITIVE)) != d->flags) {
		/* RFC 7606 §3 c: wrong flags => treat-as-withdraw */
		act = d->on_err == ACT_RESET ? ACT_RESET : ACT_WITHDRAW;
		sub = ERR_UPD_ATTRFLAGS;
		sec = "RFC 7606 §3 c";
	} else if (d->len >= 0 && ibuf_left(&v) != (size_t)d->len)
		act = d->on_err;
	else
		act = d->parse(st, &v);
	return attr_apply(st, a, act, sub, sec);
}

static int
upd_attrs(struct upd_state *st, struct ibuf *b)
{
	struct attr a;
	uint16_t len = 0;
	uint8_t len8 = 0;
	int r;

	while (ibuf_left(b) > 0) {
		a.raw = ibuf_ptr(b);
		a.type = 0;
		if ((r = ibuf_get_u8(b, &a.flags)) == 0 &&
		    (r = ibuf_get_u8(b, &a.type)) == 0) {
			if (a.flags & ATTR_EXTLEN)
				r = ibuf_get_u16(b, &len);
			else if ((r = ibuf_get_u8(b, &len8)) == 0)
				len = len8;
		}
		/*
		 * RFC 7606 §4: a header cut short, or a length running past
		 * the section => treat-as-withdraw; the NLRI field is found
		 * from the Total Path Attribute Length.
		 */
		if (r == -1 || ibuf_sub(b, len, &a.val) == -1) {
			upd_withdraw(st, a.type, "RFC 7606 §4",
				     ERR_UPD_ATTRLIST, NULL, 0);
			return 0;
		}
		a.rawlen = (size_t)(ibuf_ptr(b) - a.raw);
		st->cur = a.type;
		if (attr_one(st, &a) == -1)
			return -1;
		st->cur = 0;
		st->sec = NULL;
	}
	return 0;
}

/* ---- after all attributes ---------------------------------------------- */

/*
 * RFC 6793 §4.2.3: an AGGREGATOR with an AS other than AS_TRANS means a
 * NEW speaker aggregated after the AS4_* were made: ignore them both.
 */
static void
upd_as4_finish(struct upd_state *st)
{
	struct rib_attrs *a = &st->u->attrs;

	if (!(a->flags & RIB_A_AGGREGATOR))
		return;
	if (a->aggregator_as != AS_TRANS) {
		st->have &= (uint8_t) ~(HAVE_AS4PATH | HAVE_AS4AGGR);
		return;
	}
	if (st->have & HAVE_AS4AGGR) {
		a->aggregator_as = st->as4_aggr_as;
		a->aggregator_id = st->as4_aggr_id;
	}
}

/*
 * From a 2-octet speaker, write AS_PATH in 4-octet form into aspath_buf,
 * merged with AS4_PATH as RFC 6793 §4.2.3 says: keep the leftmost
 * (n(AS_PATH) - n(AS4_PATH)) ASes of AS_PATH, then all of AS4_PATH; if
 * AS_PATH is the shorter, AS4_PATH is ignored.
 */
static int
upd_aspath_finish(struct upd_state *st)
{
	struct rib_attrs *a = &st->u->attrs;
	struct as_walk wk = {.in_asz = 2, .out_asz = 4};
	struct as_walk wk4 = {.in_asz = 4, .out_asz = 4};
	size_t start = st->scratch.len;

	if (!(st->have & HAVE_ASPATH))
		return 0;
	if (st->ctx->as4) {
		a->aspath = ibuf_ptr(&st->aspath);
		a->aspath_len = (uint16_t)ibuf_left(&st->aspath);
		return 0;
	}
	wk.limit = wk4.limit = UINT_MAX;
	wk4.noconfed = 1;
	if (st->have & HAVE_AS4PATH) {
		if (as_walk(st->aspath, &wk) == -1 ||
		    as_walk(st->as4path, &wk4) == -1)
			return upd_reset(st, ERR_UPD_ATTRLIST, NULL, 0);
		if (wk.count >= wk4.count)
			wk.limit = (unsigned)(wk.count - wk4.count);
		else
			st->have &= (uint8_t)~HAVE_AS4PATH;
	}
	wk.out = wk4.out = &st->scratch;
	if (as_walk(st->aspath, &wk) == -1 ||
	    ((st->have & HAVE_AS4PATH) && as_walk(st->as4path, &wk4) == -1))
		return upd_reset(st, ERR_UPD_ATTRLIST, NULL, 0);
	/* RFC 8654: a 2-octet path in a large message may not fit widened */
	if (st->scratch.len - start > UINT16_MAX) {
		st->have &= (uint8_t)~HAVE_ASPATH;
		upd_withdraw(st, ATTR_AS_PATH, "RFC 6793 §4.2.3",
			     ERR_UPD_ASPATH, NULL, 0);
		return 0;
	}
	a->aspath = st->scratch.data + start;
	a->aspath_len = (uint16_t)(st->scratch.len - start);
	return 0;
}

/* RFC 7606 §3 d: a missing well-known mandatory attribute => withdraw */
static void
upd_check_missing(struct upd_state *st, size_t nclassic)
{
	uint8_t need = HAVE_ORIGIN | HAVE_ASPATH, miss, type;

	/* nothing to add when a malformed one already made it withdraw */
	if (st->u->nnlri == 0 || st->u->treat_as_withdraw)
		return;
	/* RFC 4760 §3: NLRI in MP_REACH_NLRI carry their own next hop */
	if (nclassic > 0)
		need |= HAVE_NEXTHOP;
	if ((miss = need & (uint8_t)~st->have) == 0)
		return;
	if (miss & HAVE_ORIGIN)
		type = ATTR_ORIGIN;
	else if (miss & HAVE_ASPATH)
		type = ATTR_AS_PATH;
	else
		type = ATTR_NEXT_HOP;
	upd_withdraw(st, type, "RFC 7606 §3 d", ERR_UPD_MISSING_WK_ATTR, &type,
		     1);
}

static int
upd_finish(struct upd_state *st, uint16_t wlen, uint16_t alen, size_t nclassic)
{
	struct bgp_update *u = st->u;

	u->has_attrs = alen > 0;
	/* RFC 4724 §2: an UPDATE with nothing in it is the IPv4 End-of-RIB */
	if (wlen == 0 && alen == 0 && u->nnlri == 0)
		u->end_of_rib |= BGP_MP_IPV4_UNICAST;
	/*
	 * .. and an empty MP_UNREACH_NLRI one of another family only when
	 * nothing else is withdrawn or announced: next to NLRI it must not
	 * end a graceful restart early (tests/unit/test_attacks.c).
	 */
	if (wlen != 0 || u->nnlri != 0 || u->nwithdrawn != 0)
		u->end_of_rib &= BGP_MP_IPV4_UNICAST;
	if (!st->ctx->as4)
		upd_as4_finish(st);
	if (upd_aspath_finish(st) == -1)
		return -1;
	if (!(st->have & HAVE_NEXTHOP) && (st->have & HAVE_MPNH))
		u->attrs.nexthop = u->mp_nexthop;
	upd_check_missing(st, nclassic);
	return 0;
}

static void
upd_init(struct upd_state *st, const struct bgp_parse_ctx *ctx,
	 struct bgp_update *u, struct bgp_err *err)
{
	memset(st, 0, sizeof(*st));
	st->ctx = ctx;
	st->u = u;
	st->err = err;
	wbuf_init(&st->scratch, u->aspath_buf, u->aspath_buf_len);
	memset(err, 0, sizeof(*err));
	/* not the prefix arrays: they are large and counted */
	u->nwithdrawn = u->nnlri = u->nmp_nlri = 0;
	u->nevents = u->ndiscard = 0;
	memset(&u->mp_nexthop, 0, sizeof(u->mp_nexthop));
	memset(&u->mp_nexthop_ll, 0, sizeof(u->mp_nexthop_ll));
	memset(&u->attrs, 0, sizeof(u->attrs));
	u->has_attrs = u->treat_as_withdraw = u->end_of_rib = 0;
}

/* RFC 8654: the largest message of this session */
static size_t
upd_max_len(const struct bgp_parse_ctx *ctx)
{
	if (ctx->max_len < BGP_MAX_LEN)
		return BGP_MAX_LEN;
	return ctx->max_len > BGP_MAX_LEN_EXT ? BGP_MAX_LEN_EXT : ctx->max_len;
}

/* A /0 takes one octet, and the body is shorter than the message. */
size_t
bgp_update_max_prefixes(size_t max_len)
{
	return max_len;
}

struct bgp_update *
bgp_update_new(size_t max_len)
{
	size_t np = bgp_update_max_prefixes(max_len);
	struct bgp_update *u;
	uint8_t *mem;

	if ((mem = calloc(1, sizeof(*u) + 2 * np * sizeof(struct wr_prefix) +
				 2 * np * sizeof(uint32_t) + 2 * max_len)) ==
	    NULL)
		return NULL;
	u = (struct bgp_update *)(void *)mem;
	u->withdrawn = (struct wr_prefix *)(void *)(mem + sizeof(*u));
	u->nlri = u->withdrawn + np;
	/* RFC 7911: the path ids, after the prefixes (4-octet aligned) */
	u->withdrawn_id = (uint32_t *)(void *)(u->nlri + np);
	u->nlri_id = u->withdrawn_id + np;
	u->aspath_buf = (uint8_t *)(u->nlri_id + np);
	u->aspath_buf_len = 2 * max_len;
	u->max_prefixes = np;
	u->max_len = max_len;
	return u;
}

/*
 * RFC 4271 §4.3.  Returns -1 with err set when the session must be reset;
 * 0 otherwise, possibly with u->treat_as_withdraw (and err saying why, for
 * the log).  u->end_of_rib holds BGP_MP_* bits: 1 is IPv4 unicast.
 */
int
bgp_update_parse(struct ibuf *b, const struct bgp_parse_ctx *ctx,
		 struct bgp_update *u, struct bgp_err *err)
{
	struct upd_state st;
	struct ibuf wd, attrs;
	uint16_t wlen, alen;
	size_t nmp;
	uint8_t blen[2];

	upd_init(&st, ctx, u, err);
	/* RFC 8654 §4: past what was negotiated (and what u can hold) */
	if (ibuf_left(b) > upd_max_len(ctx) - BGP_HDR_LEN ||
	    ibuf_left(b) > u->max_len - BGP_HDR_LEN) {
		blen[0] = (uint8_t)((BGP_HDR_LEN + ibuf_left(b)) >> 8);
		blen[1] = (uint8_t)(BGP_HDR_LEN + ibuf_left(b));
		bgp_err_set(err, ERR_HEADER, ERR_HDR_LEN, blen, sizeof(blen));
		return -1;
	}
	/* RFC 4271 §6.3: lengths past the message => Malformed Attr List */
	if (ibuf_get_u16(b, &wlen) == -1 || ibuf_sub(b, wlen, &wd) == -1 ||
	    ibuf_get_u16(b, &alen) == -1 || ibuf_sub(b, alen, &attrs) == -1)
		return upd_reset(&st, ERR_UPD_ATTRLIST, NULL, 0);
	/* RFC 7606 §5.3: a bad prefix cannot be withdrawn => reset */
	st.sec = "RFC 7606 §5.3";
	if (upd_withdrawn_get(&st, &wd, BGP_MP_IPV4_UNICAST) == -1)
		return upd_reset(&st, ERR_UPD_NETWORK, NULL, 0);
	st.sec = NULL;
	if (upd_attrs(&st, &attrs) == -1)
		return -1;
	nmp = u->nnlri;
	st.sec = "RFC 7606 §5.3";
	if (upd_nlri_get(&st, b, BGP_MP_IPV4_UNICAST) == -1)
		return upd_reset(&st, ERR_UPD_NETWORK, NULL, 0);
	st.sec = NULL;
	return upd_finish(&st, wlen, alen, u->nnlri - nmp);
}

/* ---- encoding ---------------------------------------------------------- */

/* RFC 4271 §4.3: the Extended Length bit for values over 255 octets */
static void
attr_hdr_put(struct wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > UINT16_MAX) {
		w->err = 1;
		return;
	}
	if (len > 255) {
		wbuf_put_u8(w, flags | ATTR_EXTLEN);
		wbuf_put_u8(w, type);
		wbuf_put_u16(w, (uint16_t)len);
	} else {
		wbuf_put_u8(w, flags & (uint8_t)~ATTR_EXTLEN);
		wbuf_put_u8(w, type);
		wbuf_put_u8(w, (uint8_t)len);
	}
}

static int
put_origin(struct wbuf *w, const struct rib_attrs *a,
	   const struct bgp_parse_ctx *ctx)
{
	attr_hdr_put(w, WK, ATTR_ORIGIN, 1);
	return wbuf_put_u8(w, a->origin);
}

/* RFC 6793 §4.2.2: to a 2-octet speaker, AS_TRANS stands in */
static int
put_aspath(struct wbuf *w, const struct rib_attrs *a,
	   const struct bgp_parse_ctx *ctx)
{
	struct as_walk wk = {.in_asz = 4, .out_asz = 2};
	struct ibuf b;

	if (ctx->as4) {
		attr_hdr_put(w, WK, ATTR_AS_PATH, a->aspath_len);
		return wbuf_put_bytes(w, a->aspath, a->aspath_len);
	}
	ibuf_init(&b, a->aspath, a->aspath_len);
	wk.limit = UINT_MAX;
	if (as_walk(b, &wk) == -1)
		return -1;
	attr_hdr_put(w, WK, ATTR_AS_PATH, wk.outlen);
	wk.out = w;
	return as_walk(b, &wk);
}

static int
put_nexthop(struct wbuf *w, const struct rib_attrs *a,
	    const struct bgp_parse_ctx *ctx)
{
	if (a->nexthop.af != AF_INET) {
		log_warnx("%s: no IPv4 next hop for IPv4 NLRI", __func__);
		return -1;
	}
	attr_hdr_put(w, WK, ATTR_NEXT_HOP, 4);
	return wbuf_put_bytes(w, &a->nexthop.v4, 4);
}

static int
put_med(struct wbuf *w, const struct rib_attrs *a,
	const struct bgp_parse_ctx *ctx)
{
	if (!(a->flags & RIB_A_MED))
		return 0;
	attr_hdr_put(w, OPT, ATTR_MED, 4);
	return wbuf_put_u32(w, a->med);
}

static int
put_local_pref(struct wbuf *w, const struct rib_attrs *a,
	       const struct bgp_parse_ctx *ctx)
{
	if (!(a->flags & RIB_A_LOCAL_PREF))
		return 0;
	attr_hdr_put(w, WK, ATTR_LOCAL_PREF, 4);
	return wbuf_put_u32(w, a->local_pref);
}

static int
put_atomic(struct wbuf *w, const struct rib_attrs *a,
	   const struct bgp_parse_ctx *ctx)
{
	if (a->flags & RIB_A_ATOMIC_AGG)
		attr_hdr_put(w, WK, ATTR_ATOMIC_AGGREGATE, 0);
	return w->err ? -1 : 0;
}

static int
put_aggregator(struct wbuf *w, const struct rib_attrs *a,
	       const struct bgp_parse_ctx *ctx)
{
	uint32_t as = a->aggregator_as;

	if (!(a->flags & RIB_A_AGGREGATOR))
		return 0;
	if (ctx->as4) {
		attr_hdr_put(w, OPTT, ATTR_AGGREGATOR, 8);
		wbuf_put_u32(w, as);
	} else {
		attr_hdr_put(w, OPTT, ATTR_AGGREGATOR, 6);
		wbuf_put_u16(w, as > 0xffff ? AS_TRANS : (uint16_t)as);
	}
	return wbuf_put_u32(w, a->aggregator_id);
}

static int
put_communities(struct wbuf *w, const struct rib_attrs *a,
		const struct bgp_parse_ctx *ctx)
{
	if (a->communities_len == 0)
		return 0;
	attr_hdr_put(w, OPTT, ATTR_COMMUNITIES, a->communities_len);
	return wbuf_put_bytes(w, a->communities, a->communities_len);
}

/* RFC 4456 §8: never to eBGP peers (the export strips them, too) */
static int
put_originator(struct wbuf *w, const struct rib_attrs *a,
	       const struct bgp_parse_ctx *ctx)
{
	if (ctx->ebgp || !(a->flags & RIB_A_ORIGINATOR))
		return 0;
	attr_hdr_put(w, OPT, ATTR_ORIGINATOR_ID, 4);
	return wbuf_put_u32(w, a->originator_id);
}

static int
put_cluster_list(struct wbuf *w, const struct rib_attrs *a,
		 const struct bgp_parse_ctx *ctx)
{
	if (ctx->ebgp || a->cluster_list_len == 0)
		return 0;
	attr_hdr_put(w, OPT, ATTR_CLUSTER_LIST, a->cluster_list_len);
	return wbuf_put_bytes(w, a->cluster_list, a->cluster_list_len);
}

/* RFC 6793 §4.2.2: the real path, without confederation segments (§6) */
static int
put_as4path(struct wbuf *w, const struct rib_attrs *a,
	    const struct bgp_parse_ctx *ctx)
{
	struct as_walk wk = {.in_asz = 4, .out_asz = 4, .noconfed = 1};
	struct ibuf b;

	if (ctx->as4)
		return 0;
	ibuf_init(&b, a->aspath, a->aspath_len);
	wk.limit = UINT_MAX;
	if (as_walk(b, &wk) == -1)
		return -1;
	if (!wk.wide || wk.outlen == 0)
		return 0;
	attr_hdr_put(w, OPTT, ATTR_AS4_PATH, wk.outlen);
	wk.out = w;
	return as_walk(b, &wk);
}

static int
put_as4aggr(struct wbuf *w, const struct rib_attrs *a,
	    const struct bgp_parse_ctx *ctx)
{
	if (ctx->as4 || !(a->flags & RIB_A_AGGREGATOR) ||
	    a->aggregator_as <= 0xffff)
		return 0;
	attr_hdr_put(w, OPTT, ATTR_AS4_AGGREGATOR, 8);
	wbuf_put_u32(w, a->aggregator_as);
	return wbuf_put_u32(w, a->aggregator_id);
}

/* already in wire form with the Partial bit set (attr_unknown) */
static int
put_unknown(struct wbuf *w, const struct rib_attrs *a,
	    const struct bgp_parse_ctx *ctx)
{
	return wbuf_put_bytes(w, a->unknown, a->unknown_len);
}

typedef int (*upd_put_fn)(struct wbuf *, const struct rib_attrs *,
			  const struct bgp_parse_ctx *);

/*
 * RFC 4271 §5: in ascending order of type code; MP_REACH_NLRI (14) goes
 * between the two tables.
 */
static const upd_put_fn upd_attr_head[] = {
    put_origin,	    put_aspath, put_nexthop,	put_med,
    put_local_pref, put_atomic, put_aggregator, put_communities,
    put_originator, put_cluster_list,
};
static const upd_put_fn upd_attr_tail[] = {
    put_as4path,
    put_as4aggr,
    put_unknown,
};

/* How many octets of prefixes still fit, keeping `tail` for what follows. */
static size_t
upd_room(const struct wbuf *w, long start, size_t tail, size_t max)
{
	size_t used = w->len - (size_t)start, room = wbuf_left(w);

	if (used + tail >= max || room <= tail)
		return 0;
	room -= tail;
	if (room > max - used - tail)
		room = max - used - tail;
	return room;
}

/*
 * Path identifiers to write before the prefixes (RFC 7911 §3): none
 * (on == 0), ids[i], or BGP_ADDPATH_ID_BEST for all if ids is NULL.
 */
struct upd_ids {
	int		 on;
	const uint32_t	*ids;
};

/* The leading run of prefixes of p[0]'s family, as many as fit in room. */
static size_t
upd_put_prefixes_id(struct wbuf *w, size_t room, const struct wr_prefix *p,
		    const struct upd_ids *pi, size_t n)
{
	uint8_t af = n > 0 ? p[0].addr.af : 0;
	size_t i, len;

	if (af != AF_INET && af != AF_INET6)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i].addr.af != af || p[i].len > addr_bits(af))
			break;
		len = 1 + (p[i].len + 7u) / 8 + (pi->on ? 4 : 0);
		if (len > room)
			break;
		if (pi->on)
			wbuf_put_u32(w, pi->ids != NULL ? pi->ids[i]
							: BGP_ADDPATH_ID_BEST);
		wbuf_put_u8(w, p[i].len);
		wbuf_put_bytes(w, p[i].addr.b, (p[i].len + 7u) / 8);
		room -= len;
	}
	return i;
}

/* RFC 7911 §4: path ids go with family af iff negotiated for sending */
static void
upd_ids_init(struct upd_ids *pi, const struct bgp_parse_ctx *ctx,
	     const struct wr_prefix *p, const uint32_t *ids)
{
	uint32_t fam = p->addr.af == AF_INET6 ? BGP_MP_IPV6_UNICAST
					      : BGP_MP_IPV4_UNICAST;

	pi->on = ctx != NULL && (ctx->addpath_tx & fam) != 0;
	pi->ids = ids;
}

static uint16_t
upd_afi(uint8_t af)
{
	return af == AF_INET6 ? AFI_IPV6 : AFI_IPV4;
}

/*
 * An MP attribute header (RFC 4760 §3, §4), always with two octets of
 * length as most speakers send it; returns the offset of the length.
 */
static long
upd_mp_begin(struct wbuf *w, uint8_t type, uint8_t af)
{
	long len;

	wbuf_put_u8(w, OPT | ATTR_EXTLEN);
	wbuf_put_u8(w, type);
	if ((len = wbuf_reserve(w, 2)) == -1)
		return -1;
	wbuf_put_u16(w, upd_afi(af));
	wbuf_put_u8(w, SAFI_UNICAST);
	return w->err ? -1 : len;
}

static void
upd_len_end(struct wbuf *w, long off)
{
	wbuf_set_u16(w, (size_t)off, (uint16_t)(w->len - (size_t)off - 2));
}

/* RFC 4760 §4: IPv6 prefixes go in MP_UNREACH_NLRI */
static size_t
upd_withdraw_mp(struct wbuf *w, long hdr, size_t max, const struct wr_prefix *p,
		const struct upd_ids *pi, size_t n)
{
	long alen, mlen;
	size_t k;

	wbuf_put_u16(w, 0); /* no withdrawn routes */
	if ((alen = wbuf_reserve(w, 2)) == -1 ||
	    (mlen = upd_mp_begin(w, ATTR_MP_UNREACH_NLRI, p[0].addr.af)) == -1)
		return 0;
	k = upd_put_prefixes_id(w, upd_room(w, hdr, 0, max), p, pi, n);
	upd_len_end(w, mlen);
	upd_len_end(w, alen);
	return k;
}

size_t
bgp_update_encode_withdraw(struct wbuf *w, const struct wr_prefix *p, size_t n)
{
	return bgp_update_encode_withdraw_max(w, BGP_MAX_LEN, p, n);
}

static size_t
upd_encode_withdraw(struct wbuf *w, size_t max, const struct wr_prefix *p,
		    const struct upd_ids *pi, size_t n)
{
	long hdr, wlen;
	size_t k = 0;

	if (max < BGP_MAX_LEN || max > BGP_MAX_LEN_EXT)
		max = max < BGP_MAX_LEN ? BGP_MAX_LEN : BGP_MAX_LEN_EXT;
	if (n == 0 || (hdr = bgp_msg_begin(w, BGP_UPDATE)) == -1)
		return 0;
	if (p[0].addr.af == AF_INET6)
		k = upd_withdraw_mp(w, hdr, max, p, pi, n);
	else if ((wlen = wbuf_reserve(w, 2)) != -1) {
		/* two octets of Total Path Attribute Length follow */
		k = upd_put_prefixes_id(w, upd_room(w, hdr, 2, max), p, pi, n);
		wbuf_set_u16(w, (size_t)wlen,
			     (uint16_t)(w->len - (size_t)wlen - 2));
		wbuf_put_u16(w, 0);
	}
	if (k == 0 || bgp_msg_end_max(w, hdr, max) == -1) {
		w->len = (size_t)hdr;
		return 0;
	}
	return k;
}

size_t
bgp_update_encode_withdraw_max(struct wbuf *w, size_t max,
			       const struct wr_prefix *p, size_t n)
{
	static const struct upd_ids none;

	return upd_encode_withdraw(w, max, p, &none, n);
}

size_t
bgp_update_encode_withdraw_id(struct wbuf *w, const struct bgp_parse_ctx *ctx,
			      const struct wr_prefix *p, const uint32_t *ids,
			      size_t n)
{
	struct upd_ids pi;

	if (n == 0)
		return 0;
	upd_ids_init(&pi, ctx, p, ids);
	return upd_encode_withdraw(w, upd_max_len(ctx), p, &pi, n);
}

/*
 * Where prefixes of family af with next hop a->nexthop go: 0 the classic
 * fields, 1 MP_REACH_NLRI, -1 nowhere (RFC 8950 §3: IPv4 NLRI with an IPv6
 * next hop only if negotiated; IPv6 NLRI need an IPv6 next hop).
 */
static int
upd_use_mp(const struct rib_attrs *a, const struct bgp_parse_ctx *ctx,
	   uint8_t af)
{
	if (af == AF_INET && a->nexthop.af == AF_INET)
		return 0;
	if (a->nexthop.af != AF_INET6 || (af != AF_INET && af != AF_INET6))
		return -1;
	if (af == AF_INET6 || (ctx->ext_nh & BGP_MP_IPV4_UNICAST))
		return 1;
	return -1;
}

static int
upd_put_attrs(struct wbuf *w, const upd_put_fn *fn, size_t nfn, int mp,
	      const struct rib_attrs *a, const struct bgp_parse_ctx *ctx)
{
	size_t i;

	for (i = 0; i < nfn; i++) {
		/* RFC 4760 §3: MP_REACH_NLRI carries the next hop */
		if (mp && fn[i] == put_nexthop)
			continue;
		if (fn[i](w, a, ctx) == -1 || w->err)
			return -1;
	}
	return 0;
}

/*
 * MP_REACH_NLRI with as many prefixes as fit, keeping tail octets for the
 * attributes after it.  RFC 2545 §3: 16 octets of next hop, or 32 with a
 * link-local address after the global one.
 */
static size_t
upd_put_mp_reach(struct wbuf *w, long hdr, size_t tail,
		 const struct rib_attrs *a, const struct bgp_parse_ctx *ctx,
		 const struct wr_prefix *p, const struct upd_ids *pi, size_t n)
{
	int ll =
	    ctx->nh_ll.af == AF_INET6 && !IN6_IS_ADDR_LINKLOCAL(&a->nexthop.v6);
	long mlen;
	size_t k;

	if ((mlen = upd_mp_begin(w, ATTR_MP_REACH_NLRI, p[0].addr.af)) == -1)
		return 0;
	wbuf_put_u8(w, ll ? 32 : 16);
	wbuf_put_bytes(w, a->nexthop.b, 16);
	if (ll)
		wbuf_put_bytes(w, ctx->nh_ll.b, 16);
	wbuf_put_u8(w, 0); /* reserved */
	if (w->err)
		return 0;
	k = upd_put_prefixes_id(w, upd_room(w, hdr, tail, upd_max_len(ctx)), p,
				pi, n);
	upd_len_end(w, mlen);
	return k;
}

/* The attributes after MP_REACH_NLRI, measured first into tmp. */
static size_t
upd_announce_mp(struct wbuf *w, long hdr, const struct rib_attrs *a,
		const struct bgp_parse_ctx *ctx, const struct wr_prefix *p,
		const struct upd_ids *pi, size_t n)
{
	uint8_t mem[BGP_MAX_LEN_EXT];
	struct wbuf tmp;
	size_t k;

	wbuf_init(&tmp, mem, sizeof(mem));
	if (upd_put_attrs(&tmp, upd_attr_tail, nitems(upd_attr_tail), 1, a,
			  ctx) == -1)
		return 0;
	k = upd_put_mp_reach(w, hdr, tmp.len, a, ctx, p, pi, n);
	if (k > 0)
		wbuf_put_bytes(w, mem, tmp.len);
	return k;
}

size_t
bgp_update_encode_announce(struct wbuf *w, const struct rib_attrs *a,
			   const struct bgp_parse_ctx *ctx,
			   const struct wr_prefix *p, size_t n)
{
	struct bgp_parse_ctx c = *ctx;

	c.addpath_tx = 0;
	return bgp_update_encode_announce_id(w, a, &c, p, NULL, n);
}

size_t
bgp_update_encode_announce_id(struct wbuf *w, const struct rib_attrs *a,
			      const struct bgp_parse_ctx *ctx,
			      const struct wr_prefix *p, const uint32_t *ids,
			      size_t n)
{
	struct upd_ids pi;
	long hdr, alen;
	size_t k = 0;
	int mp;

	if (n == 0 || (mp = upd_use_mp(a, ctx, p[0].addr.af)) == -1 ||
	    (hdr = bgp_msg_begin(w, BGP_UPDATE)) == -1)
		return 0;
	wbuf_put_u16(w, 0); /* no withdrawn routes */
	if ((alen = wbuf_reserve(w, 2)) == -1 ||
	    upd_put_attrs(w, upd_attr_head, nitems(upd_attr_head), mp, a,
			  ctx) == -1)
		goto fail;
	upd_ids_init(&pi, ctx, p, ids);
	if (mp) {
		k = upd_announce_mp(w, hdr, a, ctx, p, &pi, n);
		upd_len_end(w, alen);
	} else {
		if (upd_put_attrs(w, upd_attr_tail, nitems(upd_attr_tail), 0, a,
				  ctx) == -1)
			goto fail;
		upd_len_end(w, alen);
		k = upd_put_prefixes_id(w,
					upd_room(w, hdr, 0, upd_max_len(ctx)),
					p, &pi, n);
	}
	if (k == 0 || bgp_msg_end_max(w, hdr, upd_max_len(ctx)) == -1)
		goto fail;
	return k;
fail:
	w->len = (size_t)hdr;
	return 0;
}

/* RFC 4724 §2: the IPv4 unicast End-of-RIB is an UPDATE with nothing */
int
bgp_update_encode_eor(struct wbuf *w)
{
	long hdr;

	if ((hdr = bgp_msg_begin(w, BGP_UPDATE)) == -1)
		return -1;
	wbuf_put_u16(w, 0);
	wbuf_put_u16(w, 0);
	return bgp_msg_end(w, hdr);
}

/* RFC 4724 §2: for another family, an MP_UNREACH_NLRI with no prefixes */
int
bgp_update_encode_eor_mp(struct wbuf *w, uint16_t afi, uint8_t safi)
{
	long hdr;

	if ((hdr = bgp_msg_begin(w, BGP_UPDATE)) == -1)
		return -1;
	wbuf_put_u16(w, 0);
	wbuf_put_u16(w, 6);
	attr_hdr_put(w, OPT, ATTR_MP_UNREACH_NLRI, 3);
	wbuf_put_u16(w, afi);
	wbuf_put_u8(w, safi);
	return bgp_msg_end(w, hdr);
}
