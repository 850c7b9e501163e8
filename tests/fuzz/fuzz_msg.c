/*
 * tests/fuzz/fuzz_msg.c: libFuzzer target for the BGP-4 message codec.
 * The input is one message: the header goes to bgp_hdr_parse(), the body to
 * the parser of its type (UPDATE with each parse context).  Besides "never
 * crash, never read out of bounds", it checks round trips: whatever parses
 * encodes, and parses back to the same thing.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -Irib -Ibgpd \
 *	    tests/fuzz/fuzz_msg.c bgpd/msg.c bgpd/update.c rib/[a-z]*.c \
 *	    lib/[a-z]*.c -o fuzz_msg
 *	./fuzz_msg -max_total_time=60 tests/fuzz/corpus/msg
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct bgp_parse_ctx fuzz_ctx[] = {
    {.as4 = 0, .ebgp = 0},
    {.as4 = 1, .ebgp = 0},
    {.as4 = 1, .ebgp = 1},
    /* IPv6 unicast and RFC 8950 extended next hop negotiated */
    {.as4 = 1,
     .mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST,
     .ext_nh = BGP_MP_IPV4_UNICAST},
    /* .. and RFC 8654 extended messages */
    {.as4 = 1,
     .mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST,
     .ext_nh = BGP_MP_IPV4_UNICAST,
     .max_len = BGP_MAX_LEN_EXT},
    /* RFC 7911 ADD-PATH, both ways: IPv4 only, and both families */
    {.as4 = 1,
     .addpath_rx = BGP_MP_IPV4_UNICAST,
     .addpath_tx = BGP_MP_IPV4_UNICAST},
    {.as4 = 1,
     .mp = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST,
     .ext_nh = BGP_MP_IPV4_UNICAST,
     .addpath_rx = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST,
     .addpath_tx = BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST},
};

/* far too large for the stack; made for extended messages */
static struct bgp_update *fuzz_u1p, *fuzz_u2p;
#define fuzz_u1 (*fuzz_u1p)
#define fuzz_u2 (*fuzz_u2p)
static uint8_t fuzz_out[BGP_MAX_LEN_EXT * 2];

static size_t
fuzz_max(const struct bgp_parse_ctx *ctx)
{
	return ctx->max_len ? ctx->max_len : BGP_MAX_LEN;
}

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			abort();                                               \
	} while (0)

static void
fuzz_same_attrs(const struct rib_attrs *a, const struct rib_attrs *b)
{
	CHECK(a->origin == b->origin && a->flags == b->flags);
	CHECK(a->med == b->med && a->local_pref == b->local_pref);
	CHECK(addr_cmp(&a->nexthop, &b->nexthop) == 0);
	CHECK(a->aggregator_as == b->aggregator_as &&
	      a->aggregator_id == b->aggregator_id);
	CHECK(a->aspath_len == b->aspath_len &&
	      (a->aspath_len == 0 ||
	       memcmp(a->aspath, b->aspath, a->aspath_len) == 0));
	CHECK(a->communities_len == b->communities_len &&
	      (a->communities_len == 0 || memcmp(a->communities, b->communities,
						 a->communities_len) == 0));
	CHECK(a->originator_id == b->originator_id &&
	      a->cluster_list_len == b->cluster_list_len &&
	      (a->cluster_list_len == 0 ||
	       memcmp(a->cluster_list, b->cluster_list, a->cluster_list_len) ==
		   0));
	CHECK(a->unknown_len == b->unknown_len &&
	      (a->unknown_len == 0 ||
	       memcmp(a->unknown, b->unknown, a->unknown_len) == 0));
}

/* Re-encode what was accepted and parse it again. */
static void
fuzz_update_again(const struct bgp_parse_ctx *ctx)
{
	struct rib_attrs a = fuzz_u1.attrs;
	struct bgp_err err;
	struct wbuf w;
	struct ibuf b;
	size_t k, n = fuzz_u1.nnlri;

	CHECK(aspath_valid(fuzz_u1.attrs.aspath, fuzz_u1.attrs.aspath_len));
	CHECK(fuzz_u1.nmp_nlri <= fuzz_u1.nnlri);
	/* RFC 4760 §3: the MP_REACH_NLRI prefixes (first) have its next hop */
	if (fuzz_u1.nmp_nlri > 0) {
		a.nexthop = fuzz_u1.mp_nexthop;
		n = fuzz_u1.nmp_nlri;
	}
	wbuf_init(&w, fuzz_out, sizeof(fuzz_out));
	k = bgp_update_encode_announce_id(&w, &a, ctx, fuzz_u1.nlri,
					  fuzz_u1.nlri_id, n);
	CHECK(k > 0 && w.len <= fuzz_max(ctx));
	ibuf_init(&b, fuzz_out + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	CHECK(bgp_update_parse(&b, ctx, &fuzz_u2, &err) == 0);
	CHECK(!fuzz_u2.treat_as_withdraw && fuzz_u2.nnlri == k);
	CHECK(memcmp(fuzz_u1.nlri, fuzz_u2.nlri, k * sizeof(*fuzz_u1.nlri)) ==
	      0);
	CHECK(memcmp(fuzz_u1.nlri_id, fuzz_u2.nlri_id,
		     k * sizeof(*fuzz_u1.nlri_id)) == 0);
	/* RFC 6793 makes 2-octet sessions lossy (AS_TRANS, confeds) */
	if (!ctx->as4)
		return;
	CHECK(k == n);
	fuzz_same_attrs(&a, &fuzz_u2.attrs);
}

/*
 * The withdrawn routes of one family (IPv4 from MP_UNREACH_NLRI too) fit in
 * one message.
 */
static void
fuzz_withdraw_again(const struct bgp_parse_ctx *ctx)
{
	struct bgp_err err;
	struct wbuf w;
	struct ibuf b;
	size_t k, n;

	for (n = 1; n < fuzz_u1.nwithdrawn && fuzz_u1.withdrawn[n].addr.af ==
						  fuzz_u1.withdrawn[0].addr.af;
	     n++)
		;
	wbuf_init(&w, fuzz_out, sizeof(fuzz_out));
	k = bgp_update_encode_withdraw_id(&w, ctx, fuzz_u1.withdrawn,
					  fuzz_u1.withdrawn_id, n);
	CHECK(k == n && w.len <= fuzz_max(ctx));
	ibuf_init(&b, fuzz_out + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	CHECK(bgp_update_parse(&b, ctx, &fuzz_u2, &err) == 0);
	CHECK(fuzz_u2.nwithdrawn == k && fuzz_u2.nnlri == 0);
	CHECK(memcmp(fuzz_u1.withdrawn, fuzz_u2.withdrawn,
		     k * sizeof(*fuzz_u1.withdrawn)) == 0);
	CHECK(memcmp(fuzz_u1.withdrawn_id, fuzz_u2.withdrawn_id,
		     k * sizeof(*fuzz_u1.withdrawn_id)) == 0);
}

static void
fuzz_update(const uint8_t *body, size_t len)
{
	struct bgp_err err;
	struct ibuf b;
	size_t i;

	for (i = 0; i < sizeof(fuzz_ctx) / sizeof(fuzz_ctx[0]); i++) {
		ibuf_init(&b, body, len);
		if (bgp_update_parse(&b, &fuzz_ctx[i], &fuzz_u1, &err) == -1) {
			CHECK(err.code != 0);
			continue;
		}
		CHECK(fuzz_u1.nnlri + fuzz_u1.nwithdrawn <= len);
		if (fuzz_u1.nnlri > 0 && !fuzz_u1.treat_as_withdraw)
			fuzz_update_again(&fuzz_ctx[i]);
		if (fuzz_u1.nwithdrawn > 0)
			fuzz_withdraw_again(&fuzz_ctx[i]);
	}
}

static void
fuzz_open(const uint8_t *body, size_t len)
{
	struct bgp_open o, o2;
	struct bgp_err err;
	struct wbuf w;
	struct ibuf b;

	ibuf_init(&b, body, len);
	if (bgp_open_parse(&b, &o, &err) == -1) {
		CHECK(err.code != 0);
		return;
	}
	wbuf_init(&w, fuzz_out, sizeof(fuzz_out));
	CHECK(bgp_open_encode(&w, &o) == 0);
	ibuf_init(&b, fuzz_out + BGP_HDR_LEN, w.len - BGP_HDR_LEN);
	CHECK(bgp_open_parse(&b, &o2, &err) == 0);
	/* the encoder only sends graceful restart entries for MP families */
	o.caps.gr_fwd &= o.caps.mp;
	/* .. so those are the families it lists (gr_afs, when received) */
	if (o.caps.gr)
		o.caps.gr_afs = o.caps.mp;
	CHECK(memcmp(&o.caps, &o2.caps, sizeof(o.caps)) == 0);
	CHECK(o.holdtime == o2.holdtime && o.bgp_id == o2.bgp_id);
}

static void
fuzz_notify(const uint8_t *body, size_t len)
{
	struct bgp_notify n;
	struct wbuf w;
	struct ibuf b;

	ibuf_init(&b, body, len);
	/* RFC 8654: we receive large ones, but send ours within 4096 */
	if (bgp_notify_parse(&b, &n) == -1 || BGP_HDR_LEN + len > BGP_MAX_LEN)
		return;
	wbuf_init(&w, fuzz_out, sizeof(fuzz_out));
	CHECK(bgp_notify_encode(&w, n.code, n.subcode, n.data, n.datalen) == 0);
	CHECK(w.len == BGP_HDR_LEN + len &&
	      memcmp(fuzz_out + BGP_HDR_LEN, body, len) == 0);
}

static void
fuzz_other(uint8_t type, const uint8_t *body, size_t len)
{
	struct bgp_rrefresh rr;
	struct bgp_err err;
	struct ibuf b;
	char buf[128];

	ibuf_init(&b, body, len);
	if (type == BGP_KEEPALIVE)
		CHECK(bgp_keepalive_parse(&b, &err) == 0);
	else if (type == BGP_ROUTE_REFRESH)
		CHECK(bgp_rrefresh_parse(&b, &rr, &err) == 0);
	if (len >= 2)
		bgp_err_str(body[0], body[1], buf, sizeof(buf));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct bgp_err err;
	uint8_t type;
	uint16_t len;

	if (!init) {
		log_init(0, 0, "fuzz_msg");
		fuzz_u1p = bgp_update_new(BGP_MAX_LEN_EXT);
		fuzz_u2p = bgp_update_new(BGP_MAX_LEN_EXT);
		CHECK(fuzz_u1p != NULL && fuzz_u2p != NULL);
		init = 1;
	}
	if (size < BGP_HDR_LEN)
		return 0;
	if (bgp_hdr_parse_max(data, BGP_MAX_LEN_EXT, &type, &len, &err) == -1) {
		CHECK(err.code == ERR_HEADER);
		return 0;
	}
	if (len > size)
		return 0;
	data += BGP_HDR_LEN;
	len -= BGP_HDR_LEN;
	if (type == BGP_UPDATE)
		fuzz_update(data, len);
	else if (type == BGP_OPEN)
		fuzz_open(data, len);
	else if (type == BGP_NOTIFICATION)
		fuzz_notify(data, len);
	else
		fuzz_other(type, data, len);
	return 0;
}
